/* fuzz_logread: the interaction log reader (lib/ingest/logformats.c) in every format, then the
 * chronological split, then the vocab and split sections written and read back: all
 * that split-chrono does with a file.  The reader must never die: a bad file comes back
 * as an error with a one-line message.
 *
 * Input: a format byte (LOG_AUTO ... LOG_RETAILROCKET, modulo), an option byte
 *   bits 0-1  delimiter: the format's, ';', tab, ','
 *   bit  2    --like-threshold 3.5
 *   bits 3-4  split mode: global, user, loo, global
 *   bit  5    --columns user=uid,click= (renamed user, no click column)
 *   bits 6-7  training fraction: 0.7, 0, 1, 0.5
 * then the file. */
#include <string.h>

#include "fuzz.h"
#include "ingest/logformats.h"
#include "ingest/partition.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[4] = { 0, ';', '\t', ',' };
	static const int64_t nums[4] = { 7, 0, 1, 5 }, dens[4] = { 10, 1, 1, 10 };
	FILE *volatile fp = NULL;
	struct log_opts o;
	struct load_error err;
	struct clicklog log;
	struct chrono_opts co;
	struct chrono_counts counts;
	struct dataset d;
	int64_t k;
	int rc;

	if (size < 2)
		return 0;
	log_opts_init(&o);
	o.format = (enum log_format)(data[0] % LOG_NFORMATS);
	o.delim = delims[data[1] & 3];
	if (data[1] & 4) {
		o.have_threshold = 1;
		o.like_threshold = 3.5;
	}
	co.mode = (enum chrono_mode)((data[1] >> 3 & 3) % 3);
	if (data[1] & 32) {
		o.column[LOG_USER] = "uid";
		o.column[LOG_CLICK] = "";
	}
	co.num = nums[data[1] >> 6];
	co.den = dens[data[1] >> 6];

	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		clicklog_init(&log);
		fp = fuzz_file(data + 2, size - 2);
		rc = log_read(fp, "mem", &o, &log, &err);
		fclose(fp);
		fp = NULL;
		if (rc != 0) {
			if (err.code != HCR_EXIT_DATA && err.code != HCR_EXIT_USAGE)
				fuzz_fail("log_read failed with exit code %d: %s", err.code, err.msg);
			fuzz_check_error("log_read", err.msg, "mem");
			clicklog_free(&log);
			fuzz_end();
			return 0;
		}
		for (k = 0; k < log.n; k++)
			if (log.user[k] < 0 || log.user[k] >= log.users.n || log.item[k] < 0 ||
			    log.item[k] >= log.items.n)
				fuzz_fail("click %lld names an id outside the vocabulary", (long long)k);
		dataset_init(&d);
		chrono_split(&log, &co, &d.split, &counts);
		rt_check_split(&d.split, log.users.n, log.items.n);
		/* the log's vocabularies become the dataset's, as split-chrono writes them */
		d.users = log.users;
		d.items = log.items;
		d.have_vocab = d.have_split = 1;
		rt_stream(&d, NULL, NULL);
		split_free(&d.split);
		clicklog_free(&log);
		fuzz_end();
	} else {
		fuzz_release_file(fp);
	}
	return 0;
}
