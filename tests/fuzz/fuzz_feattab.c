/* fuzz_feattab: item modalities from CSV and TSV files (lib/ingest/feattab.c through
 * feature_load_file, as extract-features -m reads a file): dense rows, a vector in one
 * field, bags of words, labels, decades, categories.  Loaders never die: errors come
 * back with their place.  Input: two option bytes (featfuzz.h), then the file. */
#include "featfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[8] = { NULL, "2", "3", "title", "genres", "vec", "year",
		"sel_ID" };
	static const char *const icols[4] = { NULL, "1", "movieId", "ite_ID" };
	if (size < 2)
		return 0;
	return fuzz_feature_file(data[0], data[1], data + 2, size - 2, cols, icols, NULL, 0);
}
