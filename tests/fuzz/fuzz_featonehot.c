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
	size_t n;
	if (size < 3 || size < 3 + (n = data[2]))
		return 0;
	return fuzz_feature_file(data[0], data[1], data + 3 + n, size - 3 - n, cols, icols,
	    (const char *)data + 3, n);
}
