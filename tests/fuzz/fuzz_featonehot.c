/* fuzz_featonehot: item modalities from a one-hot matrix and its column names
 * (lib/ingest/featonehot.c through feature_load_onehot, as extract-features reads
 * Coat's item_features.ascii beside item_features_map.txt): bags of a group's
 * columns, categories, dense 0/1 vectors.  The loader never dies: errors come back
 * with their place.  Input: two option bytes (featfuzz.h; values words and decade are
 * usage errors here), a byte n, then n bytes of the map, then the matrix. */
#include "featfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[8] = { NULL, "gender", "color", "onfrontpage",
		"gender,color", "jackettype", "a", "a,b" };
	static const char *const icols[4] = { NULL, NULL, NULL, NULL };
	FILE *volatile fp = NULL;
	struct feat_spec s;
	struct feature f;
	struct load_error e;
	/* the vocabulary is made once, outside an input's count of allocations */
	const struct vocab *items = fuzz_items();
	size_t n;
	int rc;

	if (size < 3)
		return 0;
	n = data[2];
	if (size < 3 + n)
		return 0;
	fuzz_spec(&s, data[0], data[1], cols, icols);
	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		fp = fuzz_file(data + 3 + n, size - 3 - n);
		rc = feature_load_onehot(&s, fp, "mem", (const char *)data + 3, n, "mem_map",
		    items, &f, &e);
		fclose(fp);
		fp = NULL;
		/* an error names the matrix, or its map when the map is at fault; values the
		 * matrix cannot hold are the -m's fault, a usage error naming it */
		if (rc && e.code == HCR_EXIT_USAGE) {
			if (strncmp(e.msg, "-m m: ", 6) != 0)
				fuzz_fail("a usage error that does not name the -m: %s", e.msg);
			fuzz_check_message("loader", e.msg);
		} else {
			fuzz_loaded(rc, &f, &e, rc && strncmp(e.msg, "mem_map: ", 9) == 0 ? "mem_map" :
			    "mem");
		}
		fuzz_end();
	} else {
		fuzz_release_file(fp);
	}
	return 0;
}
