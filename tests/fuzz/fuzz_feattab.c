/* fuzz_feattab: item modalities from CSV and TSV files (lib/feattab.c through
 * feature_load_file, as extract-features -m reads a file): dense rows, a vector in one
 * field, bags of words, labels, decades, categories.  Loaders never die: errors come
 * back with their place.  Input: two option bytes (featfuzz.h), then the file. */
#include "featfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[8] = { NULL, "2", "3", "title", "genres", "vec", "year",
		"sel_ID" };
	static const char *const icols[4] = { NULL, "1", "movieId", "ite_ID" };
	FILE *volatile fp = NULL;
	struct feat_spec s;
	struct feature f;
	struct load_error e;
	const struct vocab *items = fuzz_items();
	int rc;

	if (size < 2)
		return 0;
	fuzz_spec(&s, data[0], data[1], cols, icols);
	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		fp = fuzz_file(data + 2, size - 2);
		rc = feature_load_file(&s, fp, "mem", items, &f, &e);
		fclose(fp);
		fp = NULL;
		fuzz_loaded(rc, &f, &e, "mem");
		fuzz_end();
	} else {
		if (fp)
			fclose(fp);
		fuzz_release();
	}
	return 0;
}
