/* fuzz_given: a given split as split-chrono --mode given makes it: one to three files of
 * parts (lib/ingest/logformats.c with their parts kept, every exposed pair of a test
 * part), then given_split (lib/ingest/partition.c) with a validation rule, then the
 * graded vocab and split sections written and read back.  The reader never dies: a bad
 * file comes back as an error with a one-line message.
 *
 * Input: a format byte (LOG_AUTO ... modulo), an option byte
 *   bits 0-1  --valid-fraction 0, 0.1, 0.5, 1
 *   bit  2    --valid-from test (else train)
 *   bit  3    --valid-by users (with from test)
 *   bit  4    --like-threshold 3.5
 *   bit  5    one file with a part column (else the files below)
 *   bits 6-7  the seed, 0 to 3
 * then the files: train, test and valid, each ended by a line "--" (LF), the last by
 * the end of the input. */
#include <string.h>

#include "fuzz.h"
#include "ingest/logformats.h"
#include "ingest/partition.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t nums[4] = { 0, 1, 5, 1 }, dens[4] = { 1, 10, 10, 1 };
	static const int parts[3] = { PART_TRAIN, PART_TEST, PART_VALID };
	FILE *volatile fp = NULL;
	const uint8_t *at[3], *end;
	size_t len[3];
	struct log_opts o;
	struct load_error err;
	struct clicklog log;
	struct chrono_opts co;
	struct chrono_counts counts;
	struct split s;
	int k;
	volatile int nfiles = 0, rc = 0;

	if (size < 2)
		return 0;
	log_opts_init(&o);
	o.format = (enum log_format)(data[0] % LOG_NFORMATS);
	o.given = 1;
	o.exposure = 1u << PART_VALID | 1u << PART_TEST;
	if (data[1] & 16) {
		o.have_threshold = 1;
		o.like_threshold = 3.5;
	}
	memset(&co, 0, sizeof co);
	co.mode = CHRONO_GIVEN;
	co.vnum = nums[data[1] & 3];
	co.vden = dens[data[1] & 3];
	co.valid_from = data[1] & 4 ? PART_TEST : PART_TRAIN;
	co.valid_by_users = (data[1] & 12) == 12;
	co.seed = data[1] >> 6;
	co.like_rule = "fuzz";
	/* the files: "\n--\n" ends each but the last */
	end = data + size;
	at[0] = data + 2;
	for (nfiles = 1; nfiles < 3; nfiles++) {
		const uint8_t *f = at[nfiles - 1], *m = memmem(f, (size_t)(end - f), "\n--\n", 4);
		if (!m)
			break;
		len[nfiles - 1] = (size_t)(m - f) + 1;
		at[nfiles] = m + 4;
	}
	len[nfiles - 1] = (size_t)(end - at[nfiles - 1]);
	if (data[1] & 32)
		nfiles = 1;

	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		clicklog_init(&log);
		for (k = 0; k < nfiles && rc == 0; k++) {
			o.part = data[1] & 32 ? LOG_PART_COLUMN : parts[k];
			fp = fuzz_file(at[k], data[1] & 32 ? (size_t)(end - at[0]) : len[k]);
			rc = log_read(fp, "mem", &o, &log, &err);
			fclose(fp);
			fp = NULL;
		}
		if (rt_log_refused(rc, &err, &log))
			return 0;
		for (k = 0; k < log.n; k++)
			if (log.part[k] > PART_TEST)
				fuzz_fail("click %d has part %d", k, log.part[k]);
		split_init(&s);
		given_split(&log, &co, &s, &counts);
		if (!s.rating)
			fuzz_fail("a given split without its grades");
		for (k = 1; k < s.n; k++)
			if (s.part[k] < s.part[k - 1])
				fuzz_fail("record %d of part %d after one of part %d", k, s.part[k],
				    s.part[k - 1]);
		rt_log_split(&s, &log);
	} else {
		fuzz_release_file(fp);
	}
	return 0;
}
