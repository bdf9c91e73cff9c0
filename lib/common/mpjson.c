/* mpjson.c: msgpack to JSON, the view that stream-cat gives of a stream. */
#include "common/mpjson.h"

#include <math.h>
#include <string.h>

#include "common/stream.h"

#define PREVIEW 8

static void write_double(FILE *fp, double v, int single)
{
	if (!isfinite(v))
		fputs("null", fp);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(fp, "%.1f", v);
	else
		fprintf(fp, single ? "%.9g" : "%.17g", v);
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values beyond Unicode are not valid */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void mpjson_string(FILE *fp, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	fputc('"', fp);
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		if (c == '"' || c == '\\') {
			fputc('\\', fp), fputc((int)c, fp), i++;
		} else if (c < 0x20) {
			if (c == '\n')
				fputs("\\n", fp);
			else if (c == '\t')
				fputs("\\t", fp);
			else if (c == '\r')
				fputs("\\r", fp);
			else
				fprintf(fp, "\\u%04x", c);
			i++;
		} else if ((len = utf8_len(s + i, n - i)) > 0) {
			fwrite(s + i, 1, len, fp);
			i += len;
		} else {
			fputs("\\ufffd", fp);
			i++;
		}
	}
	fputc('"', fp);
}

/* The values of a block chunk's binary data, all or a preview. */
static void write_block_data(FILE *fp, const msgpack_object *data, const char *dtype,
    size_t dlen, int full)
{
	static const char *const names[] = { "<f4", "<f8", "<i4", "<i8", "|u1" };
	static const size_t sizes[] = { 4, 8, 4, 8, 1 };
	size_t t, n, shown, i;
	const unsigned char *p = (const unsigned char *)data->via.bin.ptr;
	for (t = 0; t < 5; t++)
		if (strlen(names[t]) == dlen && memcmp(names[t], dtype, dlen) == 0)
			break;
	if (t == 5) {
		fprintf(fp, "{\"bin\":%u}", data->via.bin.size);
		return;
	}
	n = data->via.bin.size / sizes[t];
	shown = full || n <= PREVIEW ? n : PREVIEW;
	if (!full)
		fprintf(fp, "{\"count\":%zu,\"preview\":", n);
	fputc('[', fp);
	for (i = 0; i < shown; i++) {
		unsigned char b[8];
		size_t k;
		if (i)
			fputc(',', fp);
		/* little-endian on the wire whatever the host */
		for (k = 0; k < sizes[t]; k++)
			b[k] = p[i * sizes[t] + k];
		if (t == 0) {
			uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			             (uint32_t)b[3] << 24;
			float f;
			memcpy(&f, &u, 4);
			write_double(fp, f, 1);
		} else if (t == 1) {
			uint64_t u = 0;
			double d;
			for (k = 8; k-- > 0;)
				u = u << 8 | b[k];
			memcpy(&d, &u, 8);
			write_double(fp, d, 0);
		} else if (t == 2) {
			uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			             (uint32_t)b[3] << 24;
			fprintf(fp, "%d", (int32_t)u);
		} else if (t == 3) {
			uint64_t u = 0;
			for (k = 8; k-- > 0;)
				u = u << 8 | b[k];
			fprintf(fp, "%lld", (long long)(int64_t)u);
		} else {
			fprintf(fp, "%u", b[0]);
		}
	}
	fputc(']', fp);
	if (!full)
		fputc('}', fp);
}

static void write_obj(FILE *fp, const msgpack_object *o, int full, int in_block);

static void write_map(FILE *fp, const msgpack_object *o, int full)
{
	uint32_t i;
	const char *bname;
	size_t blen;
	int block = hs_is_block(o, &bname, &blen);
	const msgpack_object *dtype = block ? hs_get(o, "dtype") : NULL;
	fputc('{', fp);
	for (i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
		if (i)
			fputc(',', fp);
		if (k->type == MSGPACK_OBJECT_STR) {
			mpjson_string(fp, k->via.str.ptr, k->via.str.size);
		} else {
			/* JSON keys are strings: a non-string key is shown as its JSON text */
			char *buf = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&buf, &len);
			if (mem) {
				write_obj(mem, k, 1, 0);
				fclose(mem);
				mpjson_string(fp, buf, len);
			}
			free(buf);
		}
		fputc(':', fp);
		if (block && hs_str_eq(k, "data") && v->type == MSGPACK_OBJECT_BIN && dtype &&
		    dtype->type == MSGPACK_OBJECT_STR)
			write_block_data(fp, v, dtype->via.str.ptr, dtype->via.str.size, full);
		else
			write_obj(fp, v, full, block && hs_str_eq(k, "data"));
	}
	fputc('}', fp);
}

static void write_obj(FILE *fp, const msgpack_object *o, int full, int in_block)
{
	uint32_t i, shown;
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		fputs("null", fp);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		fputs(o->via.boolean ? "true" : "false", fp);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		fprintf(fp, "%llu", (unsigned long long)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		fprintf(fp, "%lld", (long long)o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
		write_double(fp, o->via.f64, 1);
		break;
	case MSGPACK_OBJECT_FLOAT64:
		write_double(fp, o->via.f64, 0);
		break;
	case MSGPACK_OBJECT_STR:
		mpjson_string(fp, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		fprintf(fp, "{\"bin\":%u}", o->via.bin.size);
		break;
	case MSGPACK_OBJECT_EXT:
		fprintf(fp, "{\"ext\":%d,\"bytes\":%u}", o->via.ext.type, o->via.ext.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		/* the strings of a string block are previewed like numbers */
		shown = in_block && !full && o->via.array.size > PREVIEW ? PREVIEW
		                                                         : o->via.array.size;
		if (shown < o->via.array.size)
			fprintf(fp, "{\"count\":%u,\"preview\":", o->via.array.size);
		fputc('[', fp);
		for (i = 0; i < shown; i++) {
			if (i)
				fputc(',', fp);
			write_obj(fp, &o->via.array.ptr[i], full, 0);
		}
		fputc(']', fp);
		if (shown < o->via.array.size)
			fputc('}', fp);
		break;
	case MSGPACK_OBJECT_MAP:
		write_map(fp, o, full);
		break;
	}
}

void mpjson_write(FILE *fp, const msgpack_object *o, int full)
{
	write_obj(fp, o, full, 0);
}
