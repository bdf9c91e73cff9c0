/* fuzz_stream: the stream reader (lib/common/stream.c) on any bytes, as stream-cat and every
 * filter use it: sections, records, dense blocks (every element they claim is read),
 * the JSON printer (its every line must parse as JSON), and the copy of kept sections
 * that a filter passes on, which must itself read back as a whole stream holding just
 * those sections. */
#include <stdlib.h>
#include <string.h>

#include "common/mpjson.h"
#include "common/stream.h"
#include "fuzz.h"

static volatile unsigned sink;

/* ---- a JSON syntax check (RFC 8259), allocating nothing ---- */

struct js {
	const char *p, *end;
};

static int js_value(struct js *j, int depth);

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int js_lit(struct js *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

/* A string, its escapes and UTF-8 checked (no raw control byte, no broken sequence). */
static int js_string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	for (j->p++; j->p < j->end; ) {
		unsigned char c = (unsigned char)*j->p++;
		int k, n;
		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (j->p >= j->end)
				return 0;
			c = (unsigned char)*j->p++;
			if (c == 'u') {
				for (k = 0; k < 4; k++)
					if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p++))
						return 0;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return 0;
			}
			continue;
		}
		n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
		    : (c & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return 0;
		for (k = 0; k < n; k++)
			if (j->p >= j->end || ((unsigned char)*j->p++ & 0xc0) != 0x80)
				return 0;
	}
	return 0;
}

static int js_number(struct js *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return 0;
	if (j->p < j->end && *j->p == '.') {
		if (++j->p >= j->end || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int js_value(struct js *j, int depth)
{
	char close;
	if (depth > 512)
		return 0;
	js_ws(j);
	if (j->p >= j->end)
		return 0;
	if (*j->p == '"')
		return js_string(j);
	if (*j->p != '[' && *j->p != '{')
		return js_lit(j, "true") || js_lit(j, "false") || js_lit(j, "null") || js_number(j);
	close = *j->p == '[' ? ']' : '}';
	j->p++;
	js_ws(j);
	if (j->p < j->end && *j->p == close)
		return j->p++, 1;
	for (;;) {
		if (close == '}') {
			js_ws(j);
			if (!js_string(j))
				return 0;
			js_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return 0;
		}
		if (!js_value(j, depth + 1))
			return 0;
		js_ws(j);
		if (j->p >= j->end)
			return 0;
		if (*j->p == close)
			return j->p++, 1;
		if (*j->p++ != ',')
			return 0;
	}
}

/* Prints o as stream-cat does: it must be one JSON value on one line, for jq. */
static void print(const msgpack_object *o, int full)
{
	static char buf[4 << 20];
	static FILE *mem;
	struct js j;
	long len;
	if (!mem && !(mem = fmemopen(buf, sizeof buf, "w")))
		fuzz_fail("fmemopen");
	rewind(mem);
	mpjson_write(mem, o, full);
	fflush(mem);
	len = ftell(mem);
	if (len < 0 || (size_t)len >= sizeof buf - 1)
		return; /* more than the buffer holds: not checked */
	j.p = buf;
	j.end = buf + len;
	if (!js_value(&j, 0) || (js_ws(&j), j.p != j.end) || memchr(buf, '\n', (size_t)len))
		fuzz_fail("stream-cat's JSON is not one JSON value on one line, at byte %ld of: %.300s",
		    (long)(j.p - buf), buf);
}

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
		print(sec.header, full);
		while ((rec = hs_next_record(in))) {
			const char *name;
			size_t len;
			if (hs_is_block(rec, &name, &len) && sec.index % 4 != 2) {
				struct hs_block b;
				hs_read_block(in, rec, &b);
				touch_block(&b);
				hs_block_free(&b);
			} else {
				print(rec, full);
			}
		}
	}
	return kept;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_in *volatile in = NULL;
	struct hs_section sec;

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
		fuzz_release_in(in);
	}
	return 0;
}
