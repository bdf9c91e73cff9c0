/* tabrows.h: rows of a CSV or TSV file through libcsv, each field with the line it
 * starts on, so that messages can name line and column. */
#ifndef HCR_TABROWS_H
#define HCR_TABROWS_H

#include <stddef.h>
#include <stdint.h>

#include "common/lines.h"

struct tab_row {
	size_t n;                 /* fields */
	const char *const *field; /* each NUL-terminated (a field may also hold NULs) */
	const size_t *len;
	const int64_t *line;      /* the line each field starts on */
};

struct tabrows;

/* tsv: tab-separated, no quoting, no trimming; else comma-separated with RFC 4180
 * quotes (strict: a stray quote is an error) and blanks around fields trimmed. */
struct tabrows *tabrows_open(struct lines *src, int tsv);
void tabrows_close(struct tabrows *t);
/* 1 and the next row (valid until the next call), 0 at the end, -1 on malformed input
 * or a read error, with "line N[, column C]: ..." in msg.  Blank lines are skipped. */
int tabrows_next(struct tabrows *t, struct tab_row *row, char *msg, size_t msgsize);

#endif
