/* lines.c: a line reader with its own buffer, so peeking and reading share bytes. */
#include "common/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void lines_init(struct lines *r, FILE *fp)
{
	memset(r, 0, sizeof *r);
	r->fp = fp;
	r->cap = (size_t)1 << 16;
	r->buf = xmalloc(r->cap);
}

void lines_free(struct lines *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Reads more input after the buffered bytes: 1 if some came, 0 at the end or on error. */
static int more(struct lines *r)
{
	size_t got;
	if (r->eof)
		return 0;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	got = fread(r->buf + r->end, 1, r->cap - r->end, r->fp);
	r->end += got;
	if (got == 0) {
		if (ferror(r->fp))
			r->err = errno ? errno : EIO;
		r->eof = 1;
		return 0;
	}
	return 1;
}

const char *lines_peek(struct lines *r, size_t n, size_t *avail)
{
	while (r->end - r->start < n && more(r))
		;
	*avail = r->end - r->start < n ? r->end - r->start : n;
	return r->buf + r->start;
}

void lines_skip(struct lines *r, size_t n)
{
	r->start += n < r->end - r->start ? n : r->end - r->start;
}

ssize_t lines_next(struct lines *r, const char **line)
{
	size_t scanned = 0;
	for (;;) {
		char *nl = memchr(r->buf + r->start + scanned, '\n', r->end - r->start - scanned);
		if (nl || (r->eof && r->end > r->start)) {
			size_t len = nl ? (size_t)(nl - (r->buf + r->start)) + 1 : r->end - r->start;
			*line = r->buf + r->start;
			r->start += len;
			r->lineno++;
			return (ssize_t)len;
		}
		if (r->eof)
			return -1;
		scanned = r->end - r->start;
		more(r);
	}
}
