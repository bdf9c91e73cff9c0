/* feattab.c: modalities from CSV or TSV: dense rows (item_id,f1,...,fD), a vector in
 * one field (RecBole's float_seq), or bags from a text column. */
#include <stdlib.h>
#include <string.h>

#include "common/tabrows.h"
#include "common/util.h"
#include "ingest/featrow.h"

/* A column given by number (1-based): its index; -1 for a name or none. */
static long col_number(const char *sel)
{
	int64_t v;
	if (!sel || parse_i64(sel, strlen(sel), &v) != 0 || v < 1 || v > 1000000)
		return -1;
	return (long)v - 1;
}

/* The header field naming sel: equal, or equal before a ':' (RecBole's name:type). */
static long col_named(const struct tab_row *h, const char *sel)
{
	size_t k, n = strlen(sel);
	for (k = 0; k < h->n; k++)
		if (h->len[k] >= n && memcmp(h->field[k], sel, n) == 0 &&
		    (h->len[k] == n || h->field[k][n] == ':'))
			return (long)k;
	return -1;
}

static int no_column(struct load_error *e, const char *name, const struct tab_row *h,
    const char *what, const char *sel)
{
	char cols[200], buf[64];
	size_t k, at = 0;
	cols[0] = '\0';
	/* room for a shown field (63 bytes), its comma, and ",..." */
	for (k = 0; k < h->n && at + 70 < sizeof cols; k++)
		at += (size_t)snprintf(cols + at, sizeof cols - at, "%s%s", k ? "," : "",
		    load_shown(h->field[k], h->len[k], buf, sizeof buf));
	if (k < h->n)
		snprintf(cols + at, sizeof cols - at, ",...");
	return load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected a column named '%s' (%s), "
	    "got the header '%s'", name, (long long)h->line[0], sel, what, cols);
}

/* A number to strtod, nan and inf included: a header field is none of these. */
static int looks_numeric(const char *s, size_t len)
{
	char buf[64], *end;
	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	strtod(buf, &end);
	return end == buf + len;
}

/* A vector written in one field, numbers separated by blanks. */
static int split_numbers(struct featrow *r, const char *s, size_t len, char *bad,
    size_t badsize)
{
	size_t i = 0, j;
	while (i < len) {
		float v;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		for (j = i; j < len && s[j] != ' ' && s[j] != '\t'; j++)
			;
		if (j == i)
			break;
		if (fr_number(s + i, j - i, &v) != 0) {
			load_shown(s + i, j - i, bad, badsize);
			return -1;
		}
		fr_value(r, v);
		i = j;
	}
	return 0;
}

int feat_load_table(struct featrow *r, struct lines *src, const char *name, int tsv,
    struct load_error *e)
{
	const struct feat_spec *s = r->spec;
	int values = s->values == FV_AUTO ? FV_DENSE : s->values;
	long icol = col_number(s->item_column), vcol = col_number(s->column);
	int named = (s->item_column && icol < 0) || (s->column && vcol < 0);
	struct tabrows *t = tabrows_open(src, tsv);
	struct tab_row row;
	size_t ncols = 0;
	char msg[512], buf[64];
	int rc, first = 1;

	if (icol < 0)
		icol = 0;
	fr_start(r, values);
	while ((rc = tabrows_next(t, &row, msg, sizeof msg)) == 1) {
		int64_t line = row.line[0];
		size_t need, k;
		if (first) {
			int header = named;
			first = 0;
			ncols = row.n;
			/* unnamed dense columns: a first row without a number is a header (a
			 * data row with a bad value is not one: it holds other numbers) */
			if (!header && values == FV_DENSE && vcol < 0 && row.n > 1) {
				header = 1;
				for (k = 0; k < row.n; k++)
					if ((long)k != icol && looks_numeric(row.field[k], row.len[k]))
						header = 0;
			}
			if (s->item_column && col_number(s->item_column) < 0 &&
			    (icol = col_named(&row, s->item_column)) < 0) {
				rc = no_column(e, name, &row, "the item id", s->item_column);
				goto out;
			}
			if (s->column && col_number(s->column) < 0 &&
			    (vcol = col_named(&row, s->column)) < 0) {
				rc = no_column(e, name, &row, "the values", s->column);
				goto out;
			}
			if (vcol < 0 && values != FV_DENSE)
				vcol = icol == 0 ? 1 : 0;
			free(r->f->column);
			if (vcol < 0) {
				r->f->column = xstrdup("");
			} else if (header && (size_t)vcol < row.n) {
				r->f->column = xstrndup(row.field[vcol], row.len[vcol]);
			} else {
				snprintf(buf, sizeof buf, "%ld", vcol + 1);
				r->f->column = xstrdup(buf);
			}
			if (header && values == FV_DENSE && vcol < 0) {
				/* the header's value columns fix the dimension */
				fr_clear(r);
				for (k = 1; k < row.n; k++)
					fr_value(r, 0.0f);
				if (!fr_dense_len_ok(r, line)) {
					rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected %lld value "
					    "columns (--dim), got %zu", name, (long long)line,
					    (long long)r->dim, row.n - 1);
					goto out;
				}
			}
			if (header)
				continue;
		}
		need = (size_t)(icol > vcol ? icol : vcol) + 1;
		if (row.n < need) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected %zu fields, "
			    "got %zu", name, (long long)line, row.n + 1, need, row.n);
			goto out;
		}
		fr_clear(r);
		if (values == FV_DENSE) {
			size_t col = (size_t)vcol + 1;
			if (vcol < 0) {
				for (k = 0; k < row.n; k++) {
					float v;
					if ((long)k == icol)
						continue;
					if (fr_number(row.field[k], row.len[k], &v) != 0) {
						rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: "
						    "expected a number, got '%s'", name, (long long)row.line[k],
						    k + 1, load_shown(row.field[k], row.len[k], buf, sizeof buf));
						goto out;
					}
					fr_value(r, v);
				}
				col = row.n < ncols ? row.n + 1 : ncols + 1;
			} else if (split_numbers(r, row.field[vcol], row.len[vcol], buf,
			    sizeof buf) != 0) {
				rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected a "
				    "number, got '%s'", name, (long long)row.line[vcol], col, buf);
				goto out;
			}
			if (!fr_dense_len_ok(r, line)) {
				if (s->skip_short) {
					r->f->n.rows++;
					r->f->n.shortv++;
					continue;
				}
				rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected %lld "
				    "numbers (as on line %lld), got %zu", name, (long long)line, col,
				    (long long)r->dim, (long long)r->dim_where, r->nv);
				goto out;
			}
		} else if (fr_text(r, row.field[vcol], row.len[vcol], msg, sizeof msg) != 0) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: %s", name,
			    (long long)row.line[vcol], vcol + 1, msg);
			goto out;
		}
		fr_end(r, row.field[icol], row.len[icol]);
	}
	if (rc < 0)
		load_fail(e, src->err ? HCR_EXIT_IO : HCR_EXIT_DATA, "%s: %s", name, msg);
out:
	tabrows_close(t);
	return rc < 0 ? -1 : 0;
}
