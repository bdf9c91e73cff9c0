/* fuzz_stream: the stream reader (lib/stream.c) on any bytes, as stream-cat and every
 * filter use it: sections, records, dense blocks (every element they claim is read),
 * the JSON printer, and the copy of kept sections that a filter passes on, which must
 * itself read back as a whole stream holding just those sections. */
#include <string.h>

#include "fuzz.h"
#include "mpjson.h"
#include "stream.h"

static FILE *devnull;
static volatile unsigned sink;

/* Which sections the copy keeps: some, so that dropping is exercised too. */
static int keep(const struct hs_section *sec, void *arg)
{
	(void)arg;
	return sec->index % 3 != 1;
}

static void touch_block(const struct hs_block *b)
{
	size_t n, k, size = hs_dtype_size(b->dtype);
	unsigned s = 0;
	if (b->rows < 0 || b->cols < 0 || __builtin_mul_overflow((size_t)b->rows,
	    (size_t)b->cols, &n))
		fuzz_fail("block '%s': shape %lld x %lld overflows", b->name, (long long)b->rows,
		    (long long)b->cols);
	if (b->dtype == HS_STR) {
		for (k = 0; k < n; k++)
			s += (unsigned)strlen(((char **)b->data)[k]);
	} else {
		for (k = 0; k < n * size; k++)
			s += ((const unsigned char *)b->data)[k];
	}
	sink += s;
}

/* Reads the whole input, copying kept sections to out: how many were kept. */
static int64_t read_all(struct hs_in *in)
{
	struct hs_section sec;
	const msgpack_object *rec;
	int64_t kept = 0;
	while (hs_next_section(in, &sec)) {
		int full = sec.index % 2;
		kept += keep(&sec, NULL);
		/* every fourth section is left to hs_next_section to skip */
		if (sec.index % 4 == 3)
			continue;
		mpjson_write(devnull, sec.header, full);
		while ((rec = hs_next_record(in))) {
			const char *name;
			size_t len;
			if (hs_is_block(rec, &name, &len) && sec.index % 4 != 2) {
				struct hs_block b;
				hs_read_block(in, rec, &b);
				touch_block(&b);
				hs_block_free(&b);
			} else {
				mpjson_write(devnull, rec, full);
			}
		}
	}
	return kept;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_in *volatile in = NULL;
	struct hs_section sec;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
	if (FUZZ_TRY()) {
		struct hs_out *out;
		int64_t kept;
		fuzz_out_rewind();
		out = hs_out_open(NULL);
		in = hs_in_open(fuzz_path(data, size));
		hs_in_tee(in, out, keep, NULL);
		kept = read_all(in);
		hs_in_close(in);
		in = NULL;
		hs_out_close(out);

		/* the copy: exactly the kept sections, each complete (its trailer counts) */
		fuzz_die_codes = 0;
		in = hs_in_open(fuzz_out_path());
		while (hs_next_section(in, &sec)) {
			kept--;
			while (hs_next_record(in))
				;
		}
		hs_in_close(in);
		in = NULL;
		if (kept != 0)
			fuzz_fail("the copy holds %lld sections more than were kept", (long long)-kept);
		fuzz_end();
	} else {
		if (in)
			hs_in_close(in);
		fuzz_release();
	}
	return 0;
}
