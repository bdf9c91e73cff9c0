/* tabrows.c: libcsv is fed one line at a time, so that the line being parsed is known
 * when it reports a field; the rows it completes are queued until asked for. */
#include "common/tabrows.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct tabrows {
	struct lines *src;
	struct csv_parser p;
	int tsv, done;
	/* fields of the queued rows: text in one arena, each followed by a NUL */
	char *text;
	size_t text_len, text_cap;
	size_t *fstart, *flen;
	int64_t *fline;
	size_t nf, fcap;
	size_t row_first;         /* first field of the row being parsed */
	size_t *rows;             /* first field of each completed row, and one past */
	size_t nrows, rows_cap, next_row;
	const char **ptrs;
	size_t ptrs_cap;
};

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void on_field(void *s, size_t len, void *arg)
{
	struct tabrows *t = arg;
	size_t k, nl = 0;
	XGROW(t->text, t->text_cap, t->text_len + len + 1);
	if (len)
		memcpy(t->text + t->text_len, s, len);
	t->text[t->text_len + len] = '\0';
	if (t->nf == t->fcap) {
		XGROW(t->fstart, t->fcap, t->nf + 1);
		t->flen = xreallocarray(t->flen, t->fcap, sizeof *t->flen);
		t->fline = xreallocarray(t->fline, t->fcap, sizeof *t->fline);
	}
	/* a quoted field may span lines: it starts as many lines up as it holds newlines */
	for (k = 0; k < len; k++)
		nl += ((const char *)s)[k] == '\n';
	t->fstart[t->nf] = t->text_len;
	t->flen[t->nf] = len;
	t->fline[t->nf] = t->src->lineno - (int64_t)nl;
	t->nf++;
	t->text_len += len + 1;
}

static void on_row(int term, void *arg)
{
	struct tabrows *t = arg;
	(void)term;
	XGROW(t->rows, t->rows_cap, t->nrows + 2);
	t->rows[t->nrows++] = t->row_first;
	t->rows[t->nrows] = t->nf;
	t->row_first = t->nf;
}

struct tabrows *tabrows_open(struct lines *src, int tsv)
{
	struct tabrows *t = xcalloc(1, sizeof *t);
	unsigned char opts = tsv ? 0 : CSV_STRICT | CSV_STRICT_FINI;
	t->src = src;
	t->tsv = tsv;
	if (csv_init(&t->p, opts) != 0)
		die(HCR_EXIT_FAIL, "out of memory (csv_init)");
	if (tsv) {
		csv_set_delim(&t->p, CSV_TAB);
		/* a NUL quote never opens a quoted field in text files: TSV has no quoting */
		csv_set_quote(&t->p, '\0');
		csv_set_space_func(&t->p, no_space);
	}
	return t;
}

void tabrows_close(struct tabrows *t)
{
	if (!t)
		return;
	csv_free(&t->p);
	free(t->text);
	free(t->fstart);
	free(t->flen);
	free(t->fline);
	free(t->rows);
	free(t->ptrs);
	free(t);
}

static int malformed(struct tabrows *t, char *msg, size_t msgsize, int at_end)
{
	size_t col = t->nf - t->row_first + 1;
	if (csv_error(&t->p) == CSV_EPARSE && at_end)
		snprintf(msg, msgsize, "line %lld, column %zu: expected a closing quote, got the "
		    "end of the file", (long long)t->src->lineno, col);
	else if (csv_error(&t->p) == CSV_EPARSE)
		snprintf(msg, msgsize, "line %lld, column %zu: expected a field quoted from end to "
		    "end (a quote inside doubled), got a stray quote", (long long)t->src->lineno,
		    col);
	else
		snprintf(msg, msgsize, "line %lld: %s", (long long)t->src->lineno,
		    csv_strerror(csv_error(&t->p)));
	return -1;
}

int tabrows_next(struct tabrows *t, struct tab_row *row, char *msg, size_t msgsize)
{
	size_t k, first, n;
	if (t->next_row == t->nrows) {
		/* every queued row was handed out: start the arena afresh, keeping the fields
		 * of the row being parsed */
		size_t keep = t->nf - t->row_first, base = keep ? t->fstart[t->row_first] : 0;
		if (keep) {
			memmove(t->text, t->text + base, t->text_len - base);
			for (k = 0; k < keep; k++) {
				t->fstart[k] = t->fstart[t->row_first + k] - base;
				t->flen[k] = t->flen[t->row_first + k];
				t->fline[k] = t->fline[t->row_first + k];
			}
		}
		t->text_len -= base;
		if (!keep)
			t->text_len = 0;
		t->nf = keep;
		t->row_first = 0;
		t->nrows = t->next_row = 0;
	}
	while (t->next_row == t->nrows && !t->done) {
		const char *line;
		ssize_t len = lines_next(t->src, &line);
		if (len < 0) {
			if (t->src->err) {
				snprintf(msg, msgsize, "line %lld: read error: %s",
				    (long long)t->src->lineno + 1, strerror(t->src->err));
				return -1;
			}
			t->done = 1;
			if (csv_fini(&t->p, on_field, on_row, t) != 0)
				return malformed(t, msg, msgsize, 1);
			break;
		}
		if (csv_parse(&t->p, line, (size_t)len, on_field, on_row, t) != (size_t)len)
			return malformed(t, msg, msgsize, 0);
	}
	if (t->next_row == t->nrows)
		return 0;
	first = t->rows[t->next_row];
	n = t->rows[t->next_row + 1] - first;
	t->next_row++;
	XGROW(t->ptrs, t->ptrs_cap, n + 1);
	for (k = 0; k < n; k++)
		t->ptrs[k] = t->text + t->fstart[first + k];
	row->n = n;
	row->field = t->ptrs;
	row->len = t->flen + first;
	row->line = t->fline + first;
	return 1;
}
