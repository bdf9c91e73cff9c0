/* npy.c: the .npy header dict is a Python literal; this reads the small subset numpy
 * writes ({'descr': '<f4', 'fortran_order': False, 'shape': (1, 2048), }) and nothing
 * else, so a hostile file cannot make us guess. */
#include "common/npy.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(size_t *at, size_t where, char *msg, size_t n, const char *fmt, ...)
{
	va_list ap;
	*at = where;
	va_start(ap, fmt);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Up to 24 bytes at p as printable text, for "got '...'". */
static const char *shown(const unsigned char *p, size_t avail, char *buf, size_t n)
{
	size_t i, k = 0, lim;
	/* the header's padding is blanks and a newline: not worth showing */
	while (avail > 0 && (p[avail - 1] == ' ' || p[avail - 1] == '\n'))
		avail--;
	lim = avail < 24 ? avail : 24;
	for (i = 0; i < lim && k + 5 < n; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			buf[k++] = (char)c;
		else
			k += (size_t)snprintf(buf + k, n - k, "\\x%02x", c);
	}
	if (i < avail && k + 4 < n)
		k += (size_t)snprintf(buf + k, n - k, "...");
	buf[k < n ? k : n - 1] = '\0';
	return buf;
}

struct cursor {
	const unsigned char *p;
	size_t i, end;            /* the dict is p[i..end) */
};

static void skip_ws(struct cursor *c)
{
	while (c->i < c->end && (c->p[c->i] == ' ' || c->p[c->i] == '\t' || c->p[c->i] == '\n' ||
	    c->p[c->i] == '\r'))
		c->i++;
}

static int take(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->i < c->end && c->p[c->i] == (unsigned char)ch) {
		c->i++;
		return 1;
	}
	return 0;
}

/* A quoted Python string without escapes into out; 0 if there is none here. */
static int quoted(struct cursor *c, char *out, size_t n)
{
	unsigned char q;
	size_t k = 0;
	skip_ws(c);
	if (c->i >= c->end || (c->p[c->i] != '\'' && c->p[c->i] != '"'))
		return 0;
	q = c->p[c->i++];
	while (c->i < c->end && c->p[c->i] != q && c->p[c->i] != '\\') {
		if (k + 1 < n)
			out[k++] = (char)c->p[c->i];
		c->i++;
	}
	if (c->i >= c->end || c->p[c->i] != q)
		return 0;
	c->i++;
	out[k] = '\0';
	return 1;
}

static int word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);
	skip_ws(c);
	if (c->end - c->i >= n && memcmp(c->p + c->i, w, n) == 0) {
		c->i += n;
		return 1;
	}
	return 0;
}

int npy_header(const unsigned char *buf, size_t len, struct npy *h, size_t *at, char *msg,
    size_t msgsize)
{
	char got[128], key[32], s[32];
	size_t hlen, pre;
	int have_descr = 0, have_fortran = 0, have_shape = 0;
	struct cursor c;

	memset(h, 0, sizeof *h);
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
		return fail(at, 0, msg, msgsize, "expected the .npy magic '\\x93NUMPY', got '%s'",
		    shown(buf, len, got, sizeof got));
	h->major = buf[6];
	h->minor = buf[7];
	if (h->major < 1 || h->major > 3)
		return fail(at, 6, msg, msgsize, "expected .npy version 1, 2 or 3, got %d.%d",
		    h->major, h->minor);
	if (h->major == 1) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
		pre = 10;
	} else {
		if (len < 12)
			return fail(at, len, msg, msgsize, "expected a 4-byte header length, got the "
			    "end of the file");
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
		       (size_t)buf[11] << 24;
		pre = 12;
	}
	if (hlen > len - pre)
		return fail(at, 8, msg, msgsize, "expected a header of at most %zu bytes (the rest "
		    "of the file), got a length of %zu", len - pre, hlen);
	c.p = buf;
	c.i = pre;
	c.end = pre + hlen;
	h->data_at = c.end;
	if (!take(&c, '{'))
		return fail(at, c.i, msg, msgsize, "expected '{' opening the header dict, got '%s'",
		    shown(c.p + c.i, c.end - c.i, got, sizeof got));
	while (!take(&c, '}')) {
		size_t kat;
		skip_ws(&c);
		kat = c.i;
		if (!quoted(&c, key, sizeof key) || !take(&c, ':'))
			return fail(at, kat, msg, msgsize, "expected a quoted key and ':' in the "
			    "header dict, got '%s'", shown(c.p + kat, c.end - kat, got, sizeof got));
		skip_ws(&c);
		kat = c.i;
		if (strcmp(key, "descr") == 0 && !have_descr) {
			if (!quoted(&c, s, sizeof s))
				return fail(at, kat, msg, msgsize, "expected dtype '<f4' or '<f8', got "
				    "'%s'", shown(c.p + kat, c.end - kat, got, sizeof got));
			if (strcmp(s, "<f4") != 0 && strcmp(s, "<f8") != 0)
				return fail(at, kat, msg, msgsize, "expected dtype '<f4' or '<f8', got "
				    "'%s'", s);
			h->f8 = s[2] == '8';
			have_descr = 1;
		} else if (strcmp(key, "fortran_order") == 0 && !have_fortran) {
			if (word(&c, "True"))
				h->fortran = 1;
			else if (!word(&c, "False"))
				return fail(at, kat, msg, msgsize, "expected True or False for "
				    "fortran_order, got '%s'", shown(c.p + kat, c.end - kat, got,
				    sizeof got));
			have_fortran = 1;
		} else if (strcmp(key, "shape") == 0 && !have_shape) {
			if (!take(&c, '('))
				return fail(at, kat, msg, msgsize, "expected a tuple for shape, got '%s'",
				    shown(c.p + kat, c.end - kat, got, sizeof got));
			h->count = 1;
			while (!take(&c, ')')) {
				int64_t v = 0;
				size_t digits = 0;
				skip_ws(&c);
				kat = c.i;
				while (c.i < c.end && c.p[c.i] >= '0' && c.p[c.i] <= '9' && v < ((int64_t)1 << 40)) {
					v = v * 10 + (c.p[c.i++] - '0');
					digits++;
				}
				if (c.i < c.end && c.p[c.i] == 'L') /* Python 2 wrote long ints so */
					c.i++;
				if (!digits || h->ndim == NPY_MAX_DIMS || v >= ((int64_t)1 << 40))
					return fail(at, kat, msg, msgsize, "expected a dimension (at most %d "
					    "of them, each below 2^40), got '%s'", NPY_MAX_DIMS,
					    shown(c.p + kat, c.end - kat, got, sizeof got));
				h->shape[h->ndim++] = v;
				if (h->count && v > ((int64_t)1 << 40) / h->count)
					return fail(at, kat, msg, msgsize, "expected a shape of at most 2^40 "
					    "elements, got more");
				h->count *= v;
				if (!take(&c, ',') && (skip_ws(&c), c.i < c.end && c.p[c.i] != ')'))
					return fail(at, c.i, msg, msgsize, "expected ',' or ')' in shape, got "
					    "'%s'", shown(c.p + c.i, c.end - c.i, got, sizeof got));
			}
			have_shape = 1;
		} else {
			return fail(at, kat, msg, msgsize, "expected the keys descr, fortran_order and "
			    "shape once each, got '%s'", key);
		}
		if (!take(&c, ',')) {
			skip_ws(&c);
			if (c.i >= c.end || c.p[c.i] != '}')
				return fail(at, c.i, msg, msgsize, "expected ',' or '}' in the header "
				    "dict, got '%s'", shown(c.p + c.i, c.end - c.i, got, sizeof got));
		}
	}
	skip_ws(&c);
	if (c.i != c.end)
		return fail(at, c.i, msg, msgsize, "expected only padding after the header dict, "
		    "got '%s'", shown(c.p + c.i, c.end - c.i, got, sizeof got));
	if (!have_descr || !have_fortran || !have_shape)
		return fail(at, pre, msg, msgsize, "expected the keys descr, fortran_order and "
		    "shape, got no %s", !have_descr ? "descr" : !have_fortran ? "fortran_order"
		    : "shape");
	/* checked here, so that no caller sizes a buffer by a shape the bytes do not hold */
	if ((uint64_t)(len - h->data_at) != (uint64_t)h->count * (h->f8 ? 8 : 4))
		return fail(at, h->data_at, msg, msgsize, "expected %lld bytes of data (%lld "
		    "values of %s), got %zu", (long long)h->count * (h->f8 ? 8 : 4),
		    (long long)h->count, h->f8 ? "<f8" : "<f4", len - h->data_at);
	return 0;
}

int npy_vector(const unsigned char *buf, size_t len, const struct npy *h, float *out,
    size_t *at, char *msg, size_t msgsize)
{
	size_t size = h->f8 ? 8 : 4, k;
	int d, big = 0;
	for (d = 0; d < h->ndim; d++)
		big += h->shape[d] > 1;
	if (h->ndim == 0 || big > 1)
		return fail(at, 8, msg, msgsize, "expected the shape of a vector, (D,) or (1, D), "
		    "got %d dimensions with %d above 1", h->ndim, big);
	if ((uint64_t)(len - h->data_at) != (uint64_t)h->count * size)
		return fail(at, h->data_at, msg, msgsize, "internal: data length unchecked");
	for (k = 0; k < (size_t)h->count; k++) {
		const unsigned char *p = buf + h->data_at + k * size;
		double v;
		if (h->f8) {
			uint64_t u = 0;
			double x;
			int b;
			for (b = 7; b >= 0; b--)
				u = u << 8 | p[b];
			memcpy(&x, &u, sizeof x);
			v = x;
		} else {
			uint32_t u = 0;
			float x;
			int b;
			for (b = 3; b >= 0; b--)
				u = u << 8 | p[b];
			memcpy(&x, &u, sizeof x);
			v = x;
		}
		if (!isfinite(v) || fabs(v) > FLT_MAX)
			return fail(at, h->data_at + k * size, msg, msgsize, "expected a finite number "
			    "within float range, got %g (value %zu)", v, k + 1);
		out[k] = (float)v;
	}
	return 0;
}
