/* fuzz_featjson: item modalities from JSON lines (lib/featjson.c through
 * feature_load_file, as extract-features -m reads the Tiktok files): arrays of numbers,
 * objects of word counts, labels, texts, years.  Loaders never die: errors come
 * back with their place.  Input: two option bytes (featfuzz.h), then the file. */
#include "featfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[8] = { NULL, "v", "title_features", "video_feature_dim_128",
		"audio_feature_128_dim", "genres", "year", "id" };
	static const char *const icols[4] = { NULL, "id", "item_id", "movieId" };
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
