/* featfuzz.h: what the feature-file harnesses share: the -m settings drawn from two
 * option bytes, a fixed item vocabulary, and the checks on what a loader returns.
 *
 * Option bytes:
 *   a: bits 0-2  values: auto, dense, words, multi, decade, category, auto, auto
 *      bits 3-5  @COLUMN: one of the harness's eight (the first is none)
 *      bits 6-7  --item-column: one of the harness's four (the first is none)
 *   b: bit 0 --skip-short, bit 1 --standardize, bits 2-3 --dim 0, 2, 3 or 1,
 *      bit 4 --separator ',' (else '|'), bit 5 --na '\N' (else NA)
 */
#ifndef HCR_FUZZ_FEATFUZZ_H
#define HCR_FUZZ_FEATFUZZ_H

#include <string.h>

#include "fuzz.h"
#include "ingest/featload.h"
#include "roundtrip.h"

/* The ids of the test fixtures' items (tests/data/features, data/examples), and a few. */
static const struct vocab *fuzz_items(void)
{
	static struct vocab v;
	static int done;
	static const char *const ids[] = { "101", "102", "103", "104", "105", "106", "107",
		"108", "109", "110", "111", "112", "113", "114", "115", "116", "a", "b", "c",
		"i1", "i2", "1", "2", "3" };
	size_t k;
	int added;
	if (!done) {
		vocab_init(&v);
		for (k = 0; k < sizeof ids / sizeof ids[0]; k++)
			vocab_intern(&v, ids[k], strlen(ids[k]), &added);
		done = 1;
	}
	return &v;
}

static void fuzz_spec(struct feat_spec *s, uint8_t a, uint8_t b, const char *const cols[8],
    const char *const icols[4])
{
	static const int dims[4] = { 0, 2, 3, 1 };
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "m");
	s->role = FEAT_CONTENT;
	s->values = (a & 7) < FV_COUNT ? a & 7 : FV_AUTO;
	s->column = (char *)cols[a >> 3 & 7];
	s->path = (char *)"mem";
	s->item_column = icols[a >> 6];
	s->skip_short = b & 1;
	s->standardize = b >> 1 & 1;
	s->dim = dims[b >> 2 & 3];
	s->separator = b & 16 ? ',' : '|';
	s->na = b & 32 ? "\\N" : "NA";
}

/* After a loader: an error must be a data or usage error of one line; a feature must be
 * whole and come back equal through the stream.  Frees f.  name: the input's. */
static void fuzz_loaded(int rc, struct feature *f, const struct load_error *e,
    const char *name)
{
	if (rc != 0) {
		if (e->code != HCR_EXIT_DATA && e->code != HCR_EXIT_USAGE)
			fuzz_fail("a loader failed with exit code %d: %s", e->code, e->msg);
		fuzz_check_error("loader", e->msg, name);
		if (f->x || f->tokens || f->bag.off)
			fuzz_fail("a loader failed and left data in the feature");
		return;
	}
	if (f->items != fuzz_items()->n)
		fuzz_fail("a feature of %lld items for a vocabulary of %lld", (long long)f->items,
		    (long long)fuzz_items()->n);
	rt_check_feature(f);
	rt_feature(f);
	feature_free(f);
}

/* One input of a feature-file harness: option bytes a and b, then the file, loaded as
 * extract-features -m loads it; cols and icols are the harness's column names.  With
 * a map (its bytes), the file is a one-hot matrix whose columns the map names: an
 * error names the matrix ("mem") or the map ("mem_map"), or is a usage error naming
 * the -m (values a matrix cannot hold). */
static inline int fuzz_feature_file(uint8_t a, uint8_t b, const uint8_t *file, size_t len,
    const char *const cols[8], const char *const icols[4], const char *map, size_t map_len)
{
	FILE *volatile fp = NULL;
	struct feat_spec s;
	struct feature f;
	struct load_error e;
	const struct vocab *items = fuzz_items();
	int rc;

	fuzz_spec(&s, a, b, cols, icols);
	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		fp = fuzz_file(file, len);
		rc = map ? feature_load_onehot(&s, fp, "mem", map, map_len, "mem_map", items, &f, &e) :
		    feature_load_file(&s, fp, "mem", items, &f, &e);
		fclose(fp);
		fp = NULL;
		if (map && rc && e.code == HCR_EXIT_USAGE) {
			if (strncmp(e.msg, "-m m: ", 6) != 0)
				fuzz_fail("a usage error that does not name the -m: %s", e.msg);
			fuzz_check_message("loader", e.msg);
		} else {
			fuzz_loaded(rc, &f, &e, map && rc && strncmp(e.msg, "mem_map: ", 9) == 0 ?
			    "mem_map" : "mem");
		}
		fuzz_end();
	} else {
		fuzz_release_file(fp);
	}
	return 0;
}

#endif
