/* fuzz_featnpy: a dense modality from a folder of .npy files, one per item (lib/common/npy.c
 * and lib/ingest/featnpy.c through feature_load, as extract-features reads Kwai's visual
 * features).  The input after two option bytes (featfuzz.h) is cut before each .npy
 * magic into up to six files, named in turn 101.npy, 102.npy, 103 (no extension),
 * 999.npy (no such item), 101 (a second file of item 101) and b.npy. */
#include "featfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[6] = { "101.npy", "102.npy", "103", "999.npy", "101",
		"b.npy" };
	static const char *const none[8] = { NULL };
	static const char magic[6] = "\x93NUMPY";
	struct feat_spec s;
	struct feature f;
	struct load_error e;
	const struct vocab *items = fuzz_items();
	const uint8_t *p, *end, *next;
	const char *dir;
	int k, rc;

	if (size < 2)
		return 0;
	fuzz_spec(&s, data[0], data[1], none, none);
	/* a folder has no columns, and holds dense vectors only */
	s.values = FV_AUTO;
	dir = fuzz_dir();
	s.path = (char *)dir;
	p = data + 2;
	end = data + size;
	for (k = 0; k < 6 && p < end; k++, p = next) {
		next = p + 1 < end ? memmem(p + 1, (size_t)(end - p - 1), magic, sizeof magic) : NULL;
		if (!next || k == 5)
			next = end;
		fuzz_write_file(dir, names[k], p, (size_t)(next - p));
	}
	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		rc = feature_load(&s, items, &f, &e);
		fuzz_loaded(rc, &f, &e, dir);
		fuzz_end();
	} else {
		fuzz_release();
	}
	return 0;
}
