/* fuzz_featjson: item modalities from JSON lines (lib/ingest/featjson.c through
 * feature_load_file, as extract-features -m reads the Tiktok files): arrays of numbers,
 * objects of word counts, labels, texts, years.  Loaders never die: errors come
 * back with their place.  Input: two option bytes (featfuzz.h), then the file. */
#include "featfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[8] = { NULL, "v", "title_features", "video_feature_dim_128",
		"audio_feature_128_dim", "genres", "year", "id" };
	static const char *const icols[4] = { NULL, "id", "item_id", "movieId" };
	if (size < 2)
		return 0;
	return fuzz_feature_file(data[0], data[1], data + 2, size - 2, cols, icols, NULL, 0);
}
