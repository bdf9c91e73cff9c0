/* lines.h: lines of a FILE *, with a look at the first bytes before reading them, so
 * that a file's format can be told from its start even when it is a pipe. */
#ifndef HCR_LINES_H
#define HCR_LINES_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct lines {
	FILE *fp;
	char *buf;
	size_t cap, start, end;   /* bytes [start, end) are buffered and unread */
	int eof, err;             /* err: the errno of a read error */
	int64_t lineno;           /* 1-based number of the line last returned */
};

void lines_init(struct lines *r, FILE *fp);
void lines_free(struct lines *r);
/* Buffers up to n bytes (fewer at the end of the input) and returns them; *avail says
 * how many.  The bytes stay unread. */
const char *lines_peek(struct lines *r, size_t n, size_t *avail);
/* Drops n peeked bytes (a byte-order mark, say). */
void lines_skip(struct lines *r, size_t n);
/* The next line with its newline (the last may lack one) and its length; -1 at the end
 * of the input or on a read error (then r->err is set).  Lines may hold NUL bytes.
 * The line lives until the next call. */
ssize_t lines_next(struct lines *r, const char **line);

#endif
