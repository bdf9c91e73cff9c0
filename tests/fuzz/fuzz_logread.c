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
	struct split s;
	int rc;

	if (size < 2)
		return 0;
	log_opts_init(&o);
	/* every option the bytes do not set at its zero, as fuzz_given does: the later
	 * likes' share once came from the stack (UBSan: lnum * 2 overflowed) */
	memset(&co, 0, sizeof co);
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
		if (rt_log_refused(rc, &err, &log))
			return 0;
		split_init(&s);
		chrono_split(&log, &co, &s, &counts);
		rt_log_split(&s, &log);
	} else {
		fuzz_release_file(fp);
	}
	return 0;
}
