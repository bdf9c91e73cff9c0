/* stream.c: reading and writing hcr streams (hcr-stream(5)).
 *
 * The reader treats its input as hostile.  Before msgpack-c decodes an object, a
 * scanner walks its bytes without allocating: it finds where the object ends, and
 * rejects the never-used byte 0xc1, a length or count claim beyond the caps and
 * nesting deeper than HS_MAX_DEPTH, so no claim inside the bytes can make us
 * allocate more than the bytes themselves justify.  Knowing each object's extent
 * also lets a tool copy sections through byte for byte.
 */
#include "common/stream.h"

#include <cblas.h>
#undef I
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sections this build knows, with the newest version it reads. */
static const struct {
	const char *name;
	int version;
} known_sections[] = {
	{ "vocab", 1 }, { "split", 2 }, { "graph", 1 }, { "feature", 1 }, { "model", 1 },
	{ "ranking", 1 }, { "truth", 1 }, { "evaluation", 1 },
};

struct hs_in {
	int fd;
	FILE *fp;
	char *name;
	int eof;
	unsigned char *buf;
	size_t cap, start, end;   /* bytes [start, end) are unread; the object begins at start */
	uint64_t base;            /* offset of buf[0] in the input */
	size_t obj_len;           /* length of the object last decoded, at start */
	msgpack_unpacked res;
	/* the section being read */
	int in_section;
	char sec_name[32];
	int64_t sec_index;
	int64_t records;          /* records of the section read so far; -1 between sections */
	int64_t cur_rec;          /* 1-based number of the record being read, for messages */
	char seen[256];           /* names of the sections read, for "no such section" */
	/* teeing */
	struct hs_out *tee;
	int (*keep)(const struct hs_section *, void *);
	void *keep_arg;
	int copying;
};

struct hs_out {
	FILE *fp;
	char *name;
	/* msgpack-c hands the sink one element at a time: gather them, write in bulk */
	char *buf;
	size_t used, cap;
	msgpack_packer pk;
	int in_section;
	char sec_name[32];
	int64_t records;
};

size_t hs_buffer_bytes = (size_t)1 << 20;

/* ---- the scanner ---- */

enum { SCAN_OK, SCAN_MORE, SCAN_BAD };

struct scan_result {
	size_t len;        /* SCAN_OK: the object's length */
	size_t need;       /* SCAN_MORE: bytes needed from the object's start, at least */
	size_t bad_at;     /* SCAN_BAD: offset in the object */
	char why[160];
};

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;
	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int scan(const unsigned char *p, size_t n, struct scan_result *r)
{
	size_t remain[HS_MAX_DEPTH + 1];
	size_t pos = 0, elements = 0;
	int depth = 0;

	remain[0] = 1;
	while (depth >= 0) {
		unsigned c;
		int lenbytes = 0, extra = 0; /* size field width; fixed bytes after it */
		uint64_t payload = 0, count = 0;
		int container = 0;         /* 1 array, 2 map */
		size_t hdr = 1;

		if (remain[depth] == 0) {
			depth--;
			continue;
		}
		remain[depth]--;
		if (pos >= n) {
			r->need = pos + 1;
			return SCAN_MORE;
		}
		c = p[pos];
		if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
			pos += 1;
			continue;
		} else if (c >= 0x80 && c <= 0x8f) {
			container = 2, count = c & 0x0f;
		} else if (c >= 0x90 && c <= 0x9f) {
			container = 1, count = c & 0x0f;
		} else if (c >= 0xa0 && c <= 0xbf) {
			payload = c & 0x1f;
		} else {
			switch (c) {
			case 0xc1:
				r->bad_at = pos;
				snprintf(r->why, sizeof r->why, "byte 0xc1, which msgpack never uses");
				return SCAN_BAD;
			case 0xc4: case 0xd9: lenbytes = 1; break;
			case 0xc5: case 0xda: lenbytes = 2; break;
			case 0xc6: case 0xdb: lenbytes = 4; break;
			case 0xc7: lenbytes = 1, extra = 1; break;
			case 0xc8: lenbytes = 2, extra = 1; break;
			case 0xc9: lenbytes = 4, extra = 1; break;
			case 0xca: payload = 4; break;
			case 0xcb: payload = 8; break;
			case 0xcc: case 0xd0: payload = 1; break;
			case 0xcd: case 0xd1: payload = 2; break;
			case 0xce: case 0xd2: payload = 4; break;
			case 0xcf: case 0xd3: payload = 8; break;
			case 0xd4: payload = 2; break;
			case 0xd5: payload = 3; break;
			case 0xd6: payload = 5; break;
			case 0xd7: payload = 9; break;
			case 0xd8: payload = 17; break;
			case 0xdc: container = 1, lenbytes = 2; break;
			case 0xdd: container = 1, lenbytes = 4; break;
			case 0xde: container = 2, lenbytes = 2; break;
			case 0xdf: container = 2, lenbytes = 4; break;
			}
		}
		hdr = 1 + (size_t)lenbytes + (size_t)extra;
		if (lenbytes) {
			if (pos + 1 + (size_t)lenbytes > n) {
				r->need = pos + 1 + (size_t)lenbytes;
				return SCAN_MORE;
			}
			if (container)
				count = be(p + pos + 1, lenbytes);
			else
				payload = be(p + pos + 1, lenbytes);
		}
		if (container) {
			uint64_t items = count * (uint64_t)container;
			pos += hdr;
			elements += items;
			if (items > HS_MAX_OBJECT || elements > HS_MAX_ELEMENTS) {
				r->bad_at = pos - hdr;
				snprintf(r->why, sizeof r->why,
				    "%s of %llu elements, more than the %zu an object may hold",
				    container == 1 ? "an array" : "a map", (unsigned long long)count,
				    (size_t)HS_MAX_ELEMENTS);
				return SCAN_BAD;
			}
			if (items > 0) {
				if (depth == HS_MAX_DEPTH) {
					r->bad_at = pos - hdr;
					snprintf(r->why, sizeof r->why,
					    "nesting deeper than %d levels", HS_MAX_DEPTH);
					return SCAN_BAD;
				}
				remain[++depth] = (size_t)items;
			}
			continue;
		}
		if (payload > HS_MAX_OBJECT || pos + hdr + payload > HS_MAX_OBJECT) {
			r->bad_at = pos;
			snprintf(r->why, sizeof r->why,
			    "a length of %llu bytes, beyond the %zu MiB limit of one object",
			    (unsigned long long)payload, HS_MAX_OBJECT >> 20);
			return SCAN_BAD;
		}
		if (pos + hdr + payload > n) {
			r->need = pos + hdr + (size_t)payload;
			return SCAN_MORE;
		}
		pos += hdr + (size_t)payload;
	}
	r->len = pos;
	return SCAN_OK;
}

/* ---- reading ---- */

static const char *type_name(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: return "nil";
	case MSGPACK_OBJECT_BOOLEAN: return "a boolean";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "an integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return "a float";
	case MSGPACK_OBJECT_STR: return "a string";
	case MSGPACK_OBJECT_ARRAY: return "an array";
	case MSGPACK_OBJECT_MAP: return "a map";
	case MSGPACK_OBJECT_BIN: return "binary data";
	case MSGPACK_OBJECT_EXT: return "an ext value";
	}
	return "an unknown value";
}

static void vplace(const struct hs_in *in, char *buf, size_t n)
{
	uint64_t at = in->base + in->start;
	if (in->in_section && in->cur_rec > 0)
		snprintf(buf, n, "%s: byte %llu, section '%s' record %lld", in->name,
		    (unsigned long long)at, in->sec_name, (long long)in->cur_rec);
	else if (in->in_section)
		snprintf(buf, n, "%s: byte %llu, header of section '%s'", in->name,
		    (unsigned long long)at, in->sec_name);
	else
		snprintf(buf, n, "%s: byte %llu", in->name, (unsigned long long)at);
}

void hs_die(const struct hs_in *in, const char *fmt, ...)
{
	char place[512], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vplace(in, place, sizeof place);
	die(HCR_EXIT_DATA, "%s: %s", place, msg);
}

struct hs_in *hs_in_open(const char *path)
{
	struct hs_in *in = xcalloc(1, sizeof *in);
	in->fp = in_open(path);
	in->fd = fileno(in->fp);
	in->name = xstrdup(in_name(path));
	in->cap = hs_buffer_bytes > 16 ? hs_buffer_bytes : 16;
	in->buf = xmalloc(in->cap);
	in->records = -1;
	msgpack_unpacked_init(&in->res);
	return in;
}

void hs_in_close(struct hs_in *in)
{
	if (!in)
		return;
	msgpack_unpacked_destroy(&in->res);
	in_close(in->fp);
	free(in->buf);
	free(in->name);
	free(in);
}

const char *hs_in_name(const struct hs_in *in)
{
	return in->name;
}

/* Makes at least `need` bytes available from start, or sets eof. */
static void fill(struct hs_in *in, size_t need)
{
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->base += in->start;
		in->end -= in->start;
		in->start = 0;
	}
	if (need > in->cap) {
		size_t c = in->cap;
		while (c < need)
			c *= 2;
		in->buf = xrealloc(in->buf, c);
		in->cap = c;
	}
	while (in->end < need) {
		ssize_t got = read(in->fd, in->buf + in->end, in->cap - in->end);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			die(HCR_EXIT_IO, "%s: read error: %s", in->name, strerror(errno));
		}
		if (got == 0) {
			in->eof = 1;
			return;
		}
		in->end += (size_t)got;
	}
}

/* Decodes the next object into in->res: 1, or 0 at end of input on an object boundary. */
static int read_object(struct hs_in *in)
{
	struct scan_result r;
	size_t off = 0;
	msgpack_unpack_return ret;

	in->start += in->obj_len;
	in->obj_len = 0;
	for (;;) {
		int s = scan(in->buf + in->start, in->end - in->start, &r);
		if (s == SCAN_OK)
			break;
		if (s == SCAN_BAD) {
			in->start += r.bad_at;
			hs_die(in, "not msgpack of an hcr stream: %s", r.why);
		}
		if (in->eof) {
			if (in->end == in->start)
				return 0;
			if (in->in_section)
				hs_die(in, "the stream is cut in the middle of a record "
				    "(%zu of at least %zu bytes)", in->end - in->start, r.need);
			hs_die(in, "the stream is cut in the middle of an object "
			    "(%zu of at least %zu bytes)", in->end - in->start, r.need);
		}
		fill(in, r.need);
	}
	ret = msgpack_unpack_next(&in->res, (const char *)in->buf + in->start, r.len, &off);
	if (ret != MSGPACK_UNPACK_SUCCESS || off != r.len)
		hs_die(in, "msgpack could not decode this object (code %d)", (int)ret);
	in->obj_len = r.len;
	return 1;
}

static void copy_object(struct hs_in *in)
{
	if (in->tee && in->copying)
		hs_write_raw(in->tee, in->buf + in->start, in->obj_len);
}

/* The string value of a map's first key, or NULL. */
static int first_key_is(const msgpack_object *o, const char *key)
{
	return o->type == MSGPACK_OBJECT_MAP && o->via.map.size > 0 &&
	       hs_str_eq(&o->via.map.ptr[0].key, key);
}

int hs_next_section(struct hs_in *in, struct hs_section *sec)
{
	const msgpack_object *o, *v;
	size_t len;
	const char *s;
	int64_t fmt;
	size_t i;

	if (in->in_section)
		hs_skip_section(in);
	if (!read_object(in))
		return 0;
	o = &in->res.data;
	if (first_key_is(o, "end"))
		hs_die(in, "a section trailer where a section header was expected");
	if (!first_key_is(o, "hcr")) {
		if (in->base + in->start == 0)
			hs_die(in, "not an hcr stream: expected a section header (a map whose "
			    "first key is \"hcr\"), got %s", type_name(o));
		hs_die(in, "expected a section header (a map whose first key is \"hcr\"), got %s",
		    type_name(o));
	}
	memset(sec, 0, sizeof *sec);
	fmt = hs_int(in, hs_key(in, o, "hcr"), "hcr (the stream format version)");
	if (fmt != HS_FORMAT_VERSION)
		hs_die(in, "stream format version %lld is not supported (this tool reads "
		    "version %d)", (long long)fmt, HS_FORMAT_VERSION);
	s = hs_str(in, hs_key(in, o, "section"), "section", &len);
	if (len == 0 || len >= sizeof sec->name)
		hs_die(in, "a section name of %zu bytes (expected 1 to %zu)", len,
		    sizeof sec->name - 1);
	memcpy(sec->name, s, len);
	v = hs_key(in, o, "version");
	sec->version = (int)hs_int(in, v, "version");
	s = hs_str(in, hs_key(in, o, "tool"), "tool", &len);
	snprintf(sec->tool, sizeof sec->tool, "%.*s", (int)len, s);
	v = hs_key(in, o, "meta");
	if (v->type != MSGPACK_OBJECT_MAP)
		hs_die(in, "header of section '%s': expected a map for meta, got %s", sec->name,
		    type_name(v));
	for (i = 0; i < sizeof known_sections / sizeof known_sections[0]; i++)
		if (strcmp(sec->name, known_sections[i].name) == 0 &&
		    (sec->version < 1 || sec->version > known_sections[i].version))
			hs_die(in, "section '%s' has version %d; this tool reads version %s%d "
			    "(was it written by a newer hcr?)", sec->name, sec->version,
			    known_sections[i].version > 1 ? "1 to " : "", known_sections[i].version);
	sec->offset = in->base + in->start;
	sec->index = in->sec_index++;
	sec->header = o;
	sec->meta = v;
	memcpy(in->sec_name, sec->name, sizeof in->sec_name);
	if (strlen(in->seen) + strlen(sec->name) + 3 < sizeof in->seen)
		snprintf(in->seen + strlen(in->seen), sizeof in->seen - strlen(in->seen), "%s%s",
		    in->seen[0] ? ", " : "", sec->name);
	in->in_section = 1;
	in->records = 0;
	in->cur_rec = 0;
	in->copying = in->tee && (!in->keep || in->keep(sec, in->keep_arg));
	copy_object(in);
	return 1;
}

const msgpack_object *hs_next_record(struct hs_in *in)
{
	const msgpack_object *o;
	if (!in->in_section)
		die(HCR_EXIT_FAIL, "internal: hs_next_record outside a section");
	in->cur_rec = in->records + 1;
	if (!read_object(in))
		hs_die(in, "the stream is cut: section '%s' has no trailer (end of input after "
		    "%lld records)", in->sec_name, (long long)in->records);
	o = &in->res.data;
	if (first_key_is(o, "hcr"))
		hs_die(in, "section '%s' is not closed: a new section begins here (was the "
		    "stream before it cut?)", in->sec_name);
	if (first_key_is(o, "end")) {
		const msgpack_object *v = hs_key(in, o, "end");
		int64_t n;
		if (!hs_str_eq(v, in->sec_name))
			hs_die(in, "the trailer closes section '%.*s', expected '%s'",
			    v->type == MSGPACK_OBJECT_STR ? (int)v->via.str.size : 1,
			    v->type == MSGPACK_OBJECT_STR ? v->via.str.ptr : "?", in->sec_name);
		n = hs_int(in, hs_key(in, o, "records"), "records");
		if (n != in->records)
			hs_die(in, "the trailer of section '%s' counts %lld records, but %lld came "
			    "before it", in->sec_name, (long long)n, (long long)in->records);
		copy_object(in);
		in->in_section = 0;
		in->records = -1;
		in->cur_rec = 0;
		return NULL;
	}
	copy_object(in);
	in->records++;
	return o;
}

void hs_missing(const struct hs_in *in, const char *section, const char *hint)
{
	die(HCR_EXIT_DATA, "%s: no '%s' section (the stream holds %s)%s%s", in->name, section,
	    in->seen[0] ? in->seen : "no sections", hint ? "; " : "", hint ? hint : "");
}

void hs_skip_section(struct hs_in *in)
{
	while (in->in_section && hs_next_record(in))
		;
}

void hs_in_tee(struct hs_in *in, struct hs_out *out,
    int (*keep)(const struct hs_section *, void *), void *arg)
{
	in->tee = out;
	in->keep = keep;
	in->keep_arg = arg;
}

/* ---- typed access ---- */

int hs_str_eq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	       memcmp(o->via.str.ptr, s, n) == 0;
}

const msgpack_object *hs_get(const msgpack_object *map, const char *key)
{
	uint32_t i;
	if (map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < map->via.map.size; i++)
		if (hs_str_eq(&map->via.map.ptr[i].key, key))
			return &map->via.map.ptr[i].val;
	return NULL;
}

const msgpack_object *hs_key(const struct hs_in *in, const msgpack_object *map,
    const char *key)
{
	const msgpack_object *v;
	if (map->type != MSGPACK_OBJECT_MAP)
		hs_die(in, "expected a map holding '%s', got %s", key, type_name(map));
	v = hs_get(map, key);
	if (!v)
		hs_die(in, "missing key '%s'", key);
	return v;
}

int64_t hs_int(const struct hs_in *in, const msgpack_object *o, const char *what)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > (uint64_t)INT64_MAX)
			hs_die(in, "%s: %llu is too large", what, (unsigned long long)o->via.u64);
		return (int64_t)o->via.u64;
	}
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return o->via.i64;
	hs_die(in, "expected an integer for %s, got %s", what, type_name(o));
}

double hs_num(const struct hs_in *in, const msgpack_object *o, const char *what)
{
	double v;
	if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64)
		v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		v = (double)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		v = (double)o->via.i64;
	else
		hs_die(in, "expected a number for %s, got %s", what, type_name(o));
	if (!isfinite(v))
		hs_die(in, "expected a finite number for %s, got %g", what, v);
	return v;
}

const char *hs_str(const struct hs_in *in, const msgpack_object *o, const char *what,
    size_t *len)
{
	if (o->type != MSGPACK_OBJECT_STR)
		hs_die(in, "expected a string for %s, got %s", what, type_name(o));
	*len = o->via.str.size;
	return o->via.str.ptr;
}

char *hs_strdup(const struct hs_in *in, const msgpack_object *o, const char *what)
{
	size_t len;
	const char *s = hs_str(in, o, what, &len);
	if (memchr(s, '\0', len))
		hs_die(in, "%s holds a NUL byte", what);
	return xstrndup(s, len);
}

const msgpack_object *hs_array(const struct hs_in *in, const msgpack_object *o,
    const char *what, int64_t want_len)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		hs_die(in, "expected an array for %s, got %s", what, type_name(o));
	if (want_len >= 0 && o->via.array.size != (uint64_t)want_len)
		hs_die(in, "expected %lld elements in %s, got %u", (long long)want_len, what,
		    o->via.array.size);
	return o->via.array.ptr;
}

int64_t hs_meta_int(const struct hs_in *in, const struct hs_section *sec, const char *key)
{
	char what[128];
	snprintf(what, sizeof what, "'%s' in the header of section '%s'", key, sec->name);
	return hs_int(in, hs_key(in, sec->meta, key), what);
}

int64_t hs_meta_int_or(const struct hs_section *sec, const char *key, int64_t dflt)
{
	const msgpack_object *v = hs_get(sec->meta, key);
	if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= (uint64_t)INT64_MAX)
		return (int64_t)v->via.u64;
	if (v && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return v->via.i64;
	return dflt;
}

double hs_meta_num(const struct hs_in *in, const struct hs_section *sec, const char *key)
{
	char what[128];
	snprintf(what, sizeof what, "'%s' in the header of section '%s'", key, sec->name);
	return hs_num(in, hs_key(in, sec->meta, key), what);
}

char *hs_meta_strdup(const struct hs_in *in, const struct hs_section *sec, const char *key)
{
	char what[128];
	snprintf(what, sizeof what, "'%s' in the header of section '%s'", key, sec->name);
	return hs_strdup(in, hs_key(in, sec->meta, key), what);
}

void hs_meta_copy(const struct hs_in *in, const struct hs_section *sec, const char *key,
    char *dst, size_t size)
{
	char what[128];
	size_t len;
	const char *s;
	snprintf(what, sizeof what, "'%s' in the header of section '%s'", key, sec->name);
	s = hs_str(in, hs_key(in, sec->meta, key), what, &len);
	if (len >= size || memchr(s, '\0', len))
		hs_die(in, "%s: expected at most %zu bytes without a NUL, got %zu", what, size - 1,
		    len);
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* ---- blocks ---- */

static const char *const dtype_names[] = { "<f4", "<f8", "<i4", "<i8", "|u1", "str" };
static const size_t dtype_sizes[] = { 4, 8, 4, 8, 1, sizeof(char *) };

const char *hs_dtype_name(enum hs_dtype t)
{
	return dtype_names[t];
}

size_t hs_dtype_size(enum hs_dtype t)
{
	return dtype_sizes[t];
}

static int host_is_little_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

/* Little-endian on the wire; a big-endian host swaps each element. */
static void swap_elements(void *p, size_t n, size_t size)
{
	unsigned char *b = p, t;
	size_t i, j;
	if (size == 1 || host_is_little_endian())
		return;
	for (i = 0; i < n; i++, b += size)
		for (j = 0; j < size / 2; j++)
			t = b[j], b[j] = b[size - 1 - j], b[size - 1 - j] = t;
}

int hs_is_block(const msgpack_object *rec, const char **name, size_t *len)
{
	const msgpack_object *v;
	if (!first_key_is(rec, "block"))
		return 0;
	v = &rec->via.map.ptr[0].val;
	if (v->type != MSGPACK_OBJECT_STR)
		return 0;
	*name = v->via.str.ptr;
	*len = v->via.str.size;
	return 1;
}

struct chunk {
	enum hs_dtype dtype;
	int ndim;
	int64_t rows_here, cols, row0, rows;
	const msgpack_object *data;
};

static void parse_chunk(struct hs_in *in, const msgpack_object *rec, struct chunk *c,
    char *name, size_t name_size)
{
	const msgpack_object *shape;
	const char *s;
	size_t len;
	int t;

	if (!hs_is_block(rec, &s, &len))
		hs_die(in, "expected a block chunk (a map whose first key is \"block\")");
	if (len == 0 || len >= name_size)
		hs_die(in, "a block name of %zu bytes (expected 1 to %zu)", len, name_size - 1);
	memcpy(name, s, len);
	name[len] = '\0';
	s = hs_str(in, hs_key(in, rec, "dtype"), "dtype", &len);
	for (t = 0; t <= HS_STR; t++)
		if (strlen(dtype_names[t]) == len && memcmp(dtype_names[t], s, len) == 0)
			break;
	if (t > HS_STR)
		hs_die(in, "block '%s': unknown dtype '%.*s' (expected <f4, <f8, <i4, <i8, |u1 "
		    "or str)", name, (int)len, s);
	c->dtype = (enum hs_dtype)t;
	shape = hs_key(in, rec, "shape");
	if (shape->type != MSGPACK_OBJECT_ARRAY || shape->via.array.size < 1 ||
	    shape->via.array.size > 2)
		hs_die(in, "block '%s': expected a shape of 1 or 2 dimensions", name);
	c->ndim = (int)shape->via.array.size;
	c->rows_here = hs_int(in, &shape->via.array.ptr[0], "shape[0]");
	c->cols = c->ndim == 2 ? hs_int(in, &shape->via.array.ptr[1], "shape[1]") : 1;
	if (c->rows_here < 0 || c->cols < 0)
		hs_die(in, "block '%s': negative shape", name);
	if (c->dtype == HS_STR && c->ndim != 1)
		hs_die(in, "block '%s': a string block must be a vector", name);
	c->row0 = hs_int(in, hs_key(in, rec, "row0"), "row0");
	c->rows = hs_int(in, hs_key(in, rec, "rows"), "rows");
	if (c->rows < 0 || c->row0 < 0 || c->row0 > c->rows || c->rows_here > c->rows - c->row0)
		hs_die(in, "block '%s': chunk rows %lld..%lld do not fit in %lld rows", name,
		    (long long)c->row0, (long long)(c->row0 + c->rows_here), (long long)c->rows);
	{
		/* a product that wraps would let one small chunk pass for the whole block */
		uint64_t total;
		if (__builtin_mul_overflow((uint64_t)c->rows, (uint64_t)c->cols, &total) ||
		    __builtin_mul_overflow(total, (uint64_t)dtype_sizes[t], &total) ||
		    total > (uint64_t)PTRDIFF_MAX)
			hs_die(in, "block '%s': %lld rows of %lld values of %s are more than memory "
			    "holds", name, (long long)c->rows, (long long)c->cols, dtype_names[t]);
	}
	c->data = hs_key(in, rec, "data");
	if (c->dtype == HS_STR) {
		if (c->data->type != MSGPACK_OBJECT_ARRAY ||
		    c->data->via.array.size != (uint64_t)c->rows_here)
			hs_die(in, "block '%s': expected an array of %lld strings as data", name,
			    (long long)c->rows_here);
	} else {
		uint64_t bytes, need;
		if (c->data->type != MSGPACK_OBJECT_BIN)
			hs_die(in, "block '%s': expected binary data, got %s", name,
			    type_name(c->data));
		bytes = c->data->via.bin.size;
		if (__builtin_mul_overflow((uint64_t)c->rows_here, (uint64_t)c->cols, &need) ||
		    __builtin_mul_overflow(need, (uint64_t)dtype_sizes[t], &need) || need != bytes)
			hs_die(in, "block '%s': shape [%lld, %lld] of %s does not match the %llu "
			    "bytes of the chunk", name, (long long)c->rows_here, (long long)c->cols,
			    dtype_names[t], (unsigned long long)bytes);
		if (c->rows_here == 0 && c->rows > 0)
			hs_die(in, "block '%s': an empty chunk inside %lld rows", name,
			    (long long)c->rows);
	}
}

void hs_read_block(struct hs_in *in, const msgpack_object *rec, struct hs_block *b)
{
	struct chunk c, first;
	size_t esize, cap = 0, got = 0;
	char name[64];

	memset(b, 0, sizeof *b);
	parse_chunk(in, rec, &first, b->name, sizeof b->name);
	if (first.row0 != 0)
		hs_die(in, "block '%s' starts at row %lld, expected row 0", b->name,
		    (long long)first.row0);
	b->dtype = first.dtype;
	b->ndim = first.ndim;
	b->cols = first.cols;
	b->rows = first.rows;
	esize = dtype_sizes[b->dtype];
	c = first;
	for (;;) {
		size_t n = (size_t)c.rows_here * (size_t)c.cols;
		/* Grow with the rows that arrive, never with the claim in "rows". */
		if (got + n > cap) {
			size_t want = cap ? cap : 1024;
			while (want < got + n)
				want *= 2;
			b->data = xreallocarray(b->data, want, esize);
			cap = want;
		}
		if (n > 0 && b->dtype == HS_STR) {
			char **dst = (char **)b->data + got;
			uint32_t k;
			for (k = 0; k < c.data->via.array.size; k++)
				dst[k] = hs_strdup(in, &c.data->via.array.ptr[k], "a string of a block");
		} else if (n > 0) {
			memcpy((char *)b->data + got * esize, c.data->via.bin.ptr, n * esize);
			swap_elements((char *)b->data + got * esize, n, esize);
		}
		got += n;
		if (got == (size_t)b->rows * (size_t)b->cols)
			break;
		rec = hs_next_record(in);
		if (!rec)
			hs_die(in, "block '%s' ends after %zu of %lld rows", b->name,
			    b->cols ? got / (size_t)b->cols : 0, (long long)b->rows);
		parse_chunk(in, rec, &c, name, sizeof name);
		if (strcmp(name, b->name) != 0 || c.dtype != b->dtype || c.ndim != b->ndim ||
		    c.cols != b->cols || c.rows != b->rows ||
		    (size_t)c.row0 * (size_t)b->cols != got)
			hs_die(in, "block '%s': expected its chunk from row %zu, got block '%s' "
			    "from row %lld", b->name, b->cols ? got / (size_t)b->cols : 0, name,
			    (long long)c.row0);
	}
	if (!b->data)
		b->data = xmalloc(esize);
}

void hs_expect_block(struct hs_in *in, const msgpack_object *rec, const char *name,
    enum hs_dtype dtype, int64_t rows, int64_t cols, struct hs_block *b)
{
	const char *s;
	size_t len;
	if (!hs_is_block(rec, &s, &len) || strlen(name) != len || memcmp(s, name, len) != 0)
		hs_die(in, "expected block '%s'%s", name,
		    hs_is_block(rec, &s, &len) ? ", got another block" : "");
	hs_read_block(in, rec, b);
	if (b->dtype != dtype)
		hs_die(in, "block '%s': expected dtype %s, got %s", name, dtype_names[dtype],
		    dtype_names[b->dtype]);
	if (rows >= 0 && b->rows != rows)
		hs_die(in, "block '%s': expected %lld rows, got %lld", name, (long long)rows,
		    (long long)b->rows);
	if (cols == 0 && b->ndim != 1)
		hs_die(in, "block '%s': expected a vector, got a matrix", name);
	if (cols > 0 && (b->ndim != 2 || b->cols != cols))
		hs_die(in, "block '%s': expected %lld columns, got %lld", name, (long long)cols,
		    (long long)b->cols);
}

void hs_block_free(struct hs_block *b)
{
	if (b->dtype == HS_STR && b->data) {
		int64_t i;
		for (i = 0; i < b->rows; i++)
			free(((char **)b->data)[i]);
	}
	free(b->data);
	b->data = NULL;
}

void hs_block_check_finite(const struct hs_in *in, const struct hs_block *b)
{
	size_t i, n = (size_t)b->rows * (size_t)b->cols;
	for (i = 0; i < n; i++) {
		double v = b->dtype == HS_F4 ? ((const float *)b->data)[i]
		         : b->dtype == HS_F8 ? ((const double *)b->data)[i] : 0.0;
		if (!isfinite(v))
			hs_die(in, "block '%s': element %zu (row %zu) is %g, expected a finite number",
			    b->name, i, b->cols ? i / (size_t)b->cols : 0, v);
	}
}

/* ---- writing ---- */

static void flush_out(struct hs_out *out)
{
	if (out->used && fwrite(out->buf, out->used, 1, out->fp) != 1)
		die_write(out->name, errno);
	out->used = 0;
}

static int sink_write(void *data, const char *buf, size_t len)
{
	struct hs_out *out = data;
	if (len == 0)
		return 0;
	if (out->used + len > out->cap) {
		flush_out(out);
		if (len >= out->cap) {
			if (fwrite(buf, len, 1, out->fp) != 1)
				die_write(out->name, errno);
			return 0;
		}
	}
	memcpy(out->buf + out->used, buf, len);
	out->used += len;
	return 0;
}

struct hs_out *hs_out_open(const char *path)
{
	struct hs_out *out = xcalloc(1, sizeof *out);
	out->fp = out_open(path, 1);
	out->name = xstrdup((!path || strcmp(path, "-") == 0) ? "standard output" : path);
	out->cap = hs_buffer_bytes > 16 ? hs_buffer_bytes : 16;
	out->buf = xmalloc(out->cap);
	msgpack_packer_init(&out->pk, out, sink_write);
	return out;
}

void hs_out_close(struct hs_out *out)
{
	if (out->in_section)
		die(HCR_EXIT_FAIL, "internal: section '%s' left open", out->sec_name);
	flush_out(out);
	out_close(out->fp);
	free(out->buf);
	free(out->name);
	free(out);
}

void hs_write_raw(struct hs_out *out, const void *p, size_t n)
{
	sink_write(out, p, n);
}

void mp_strn(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void mp_str(msgpack_packer *pk, const char *s)
{
	mp_strn(pk, s, strlen(s));
}

void mp_key(msgpack_packer *pk, const char *key)
{
	mp_str(pk, key);
}

void mp_kv_str(msgpack_packer *pk, const char *key, const char *value)
{
	mp_str(pk, key);
	mp_str(pk, value);
}

void mp_kv_int(msgpack_packer *pk, const char *key, int64_t value)
{
	mp_str(pk, key);
	msgpack_pack_int64(pk, value);
}

void mp_kv_num(msgpack_packer *pk, const char *key, double value)
{
	mp_str(pk, key);
	msgpack_pack_double(pk, value);
}

void mp_kv_bool(msgpack_packer *pk, const char *key, int value)
{
	mp_str(pk, key);
	if (value)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

msgpack_packer *hs_begin(struct hs_out *out, const char *section, int version)
{
	msgpack_packer *pk = &out->pk;
	int i;
	if (out->in_section)
		die(HCR_EXIT_FAIL, "internal: section '%s' begun inside '%s'", section,
		    out->sec_name);
	snprintf(out->sec_name, sizeof out->sec_name, "%s", section);
	out->in_section = 1;
	out->records = 0;
	msgpack_pack_map(pk, 10);
	mp_kv_int(pk, "hcr", HS_FORMAT_VERSION);
	mp_kv_str(pk, "section", section);
	mp_kv_int(pk, "version", version);
	mp_kv_str(pk, "tool", hcr_tool.name);
	mp_kv_str(pk, "tool_version", HCR_VERSION);
	mp_key(pk, "args");
	msgpack_pack_array(pk, (size_t)hcr_tool.argc);
	for (i = 0; i < hcr_tool.argc; i++)
		mp_str(pk, hcr_tool.argv[i]);
	mp_key(pk, "seed");
	if (hcr_tool.seed < 0)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_int64(pk, hcr_tool.seed);
	mp_kv_int(pk, "threads", hcr_tool.threads);
	mp_kv_str(pk, "blas", openblas_get_corename());
	mp_key(pk, "meta");
	return pk;
}

msgpack_packer *hs_record(struct hs_out *out)
{
	if (!out->in_section)
		die(HCR_EXIT_FAIL, "internal: a record outside a section");
	out->records++;
	return &out->pk;
}

void hs_end(struct hs_out *out)
{
	msgpack_packer *pk = &out->pk;
	if (!out->in_section)
		die(HCR_EXIT_FAIL, "internal: hs_end outside a section");
	msgpack_pack_map(pk, 2);
	mp_kv_str(pk, "end", out->sec_name);
	mp_kv_int(pk, "records", out->records);
	out->in_section = 0;
}

static void pack_chunk_head(msgpack_packer *pk, const char *name, enum hs_dtype dtype,
    int64_t rows_here, int64_t cols, int64_t row0, int64_t rows)
{
	msgpack_pack_map(pk, 6);
	mp_kv_str(pk, "block", name);
	mp_kv_str(pk, "dtype", dtype_names[dtype]);
	mp_key(pk, "shape");
	msgpack_pack_array(pk, cols > 0 ? 2 : 1);
	msgpack_pack_int64(pk, rows_here);
	if (cols > 0)
		msgpack_pack_int64(pk, cols);
	mp_kv_int(pk, "row0", row0);
	mp_kv_int(pk, "rows", rows);
	mp_key(pk, "data");
}

void hs_write_block(struct hs_out *out, const char *name, enum hs_dtype dtype,
    int64_t rows, int64_t cols, const void *data)
{
	size_t esize = dtype_sizes[dtype], width = cols > 0 ? (size_t)cols : 1;
	int64_t r = 0;

	if (dtype == HS_STR) {
		const char *const *s = data;
		/* String chunks stay well under the reader's element and byte caps. */
		do {
			int64_t n = 0;
			size_t bytes = 0;
			while (r + n < rows && n < 65536 && bytes < ((size_t)16 << 20))
				bytes += strlen(s[r + n]) + 5, n++;
			pack_chunk_head(hs_record(out), name, dtype, n, 0, r, rows);
			msgpack_pack_array(&out->pk, (size_t)n);
			for (int64_t k = 0; k < n; k++)
				mp_str(&out->pk, s[r + k]);
			r += n;
		} while (r < rows);
		return;
	}
	if (width * esize > HS_CHUNK_BYTES)
		die(HCR_EXIT_FAIL, "block '%s': a row of %zu bytes is larger than a chunk", name,
		    width * esize);
	do {
		int64_t per = (int64_t)(HS_CHUNK_BYTES / (width * esize));
		int64_t n = rows - r < per ? rows - r : per;
		size_t bytes = (size_t)n * width * esize;
		const char *p = (const char *)data + (size_t)r * width * esize;
		pack_chunk_head(hs_record(out), name, dtype, n, cols, r, rows);
		msgpack_pack_bin(&out->pk, bytes);
		if (host_is_little_endian() || esize == 1) {
			msgpack_pack_bin_body(&out->pk, p, bytes);
		} else {
			char *tmp = xmalloc(bytes);
			memcpy(tmp, p, bytes);
			swap_elements(tmp, bytes / esize, esize);
			msgpack_pack_bin_body(&out->pk, tmp, bytes);
			free(tmp);
		}
		r += n;
	} while (r < rows);
}
