/* featonehot.c: modalities from a one-hot matrix and its column names, as Coat ships
 * its item features: NAME.ascii, a line per item (the item is the line's 0-based
 * number) of space-separated 0/1 values, and NAME_map.txt, a line per column,
 * "group:value".  A modality takes the columns of some groups (@gender,color) or all. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ingest/featrow.h"

/* The map's columns: each a "group:value" line, split on its first colon. */
struct colmap {
	char **name;       /* the whole line: the token a bag names the column by */
	size_t *glen;      /* the length of its group */
	uint8_t *take;     /* selected by the modality */
	size_t n, cap;
};

static void colmap_free(struct colmap *m)
{
	size_t k;
	for (k = 0; k < m->n; k++)
		free(m->name[k]);
	free(m->name);
	free(m->glen);
	free(m->take);
	memset(m, 0, sizeof *m);
}

/* Reads the map (its bytes; LF or CRLF, the last line's newline optional). */
static int read_map(struct colmap *m, const char *text, size_t len, const char *name,
    struct load_error *e)
{
	size_t at = 0, line = 0;
	char buf[64];
	while (at < len) {
		const char *s = text + at, *nl = memchr(s, '\n', len - at), *colon;
		size_t n = nl ? (size_t)(nl - s) : len - at;
		at += n + (nl != NULL);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		colon = memchr(s, ':', n);
		if (!colon || colon == s || memchr(s, '\0', n))
			return load_fail(e, HCR_EXIT_DATA, "%s: line %zu: expected a column name "
			    "GROUP:VALUE, got '%s'", name, line, load_shown(s, n, buf, sizeof buf));
		if (m->n == (size_t)1 << 20)
			return load_fail(e, HCR_EXIT_DATA, "%s: line %zu: expected at most %d columns, "
			    "got more", name, line, 1 << 20);
		if (m->n == m->cap) {
			XGROW(m->name, m->cap, m->n + 1);
			m->glen = xreallocarray(m->glen, m->cap, sizeof *m->glen);
			m->take = xreallocarray(m->take, m->cap, 1);
		}
		m->name[m->n] = xstrndup(s, n);
		m->glen[m->n] = (size_t)(colon - s);
		m->take[m->n++] = 0;
	}
	if (m->n == 0)
		return load_fail(e, HCR_EXIT_DATA, "%s: expected a line per column (GROUP:VALUE), "
		    "got none", name);
	return 0;
}

/* Selects the columns of the groups listed in sel ("a,b"), or every column. */
static int select_groups(struct colmap *m, const char *sel, const char *name,
    struct load_error *e)
{
	const char *g = sel;
	size_t k;
	if (!sel) {
		memset(m->take, 1, m->n);
		return 0;
	}
	for (;;) {
		const char *end = strchr(g, ',');
		size_t n = end ? (size_t)(end - g) : strlen(g), found = 0;
		char buf[64];
		for (k = 0; k < m->n; k++)
			if (m->glen[k] == n && memcmp(m->name[k], g, n) == 0) {
				m->take[k] = 1;
				found++;
			}
		if (!found) {
			char groups[256];
			size_t at = 0;
			groups[0] = '\0';
			for (k = 0; k < m->n && at + 40 < sizeof groups; k++)
				if (k == 0 || m->glen[k] != m->glen[k - 1] ||
				    memcmp(m->name[k], m->name[k - 1], m->glen[k]) != 0)
					at += (size_t)snprintf(groups + at, sizeof groups - at, "%s%.*s",
					    at ? ", " : "", (int)(m->glen[k] < 32 ? m->glen[k] : 32),
					    m->name[k]);
			return load_fail(e, HCR_EXIT_DATA, "%s: expected a group of columns named '%s', "
			    "got the groups %s", name, load_shown(g, n, buf, sizeof buf), groups);
		}
		if (!end)
			return 0;
		g = end + 1;
	}
}

int feat_load_onehot(struct featrow *r, struct lines *src, const char *name,
    const char *map, size_t map_len, const char *map_name, struct load_error *e)
{
	const struct feat_spec *s = r->spec;
	int values = s->values == FV_AUTO ? FV_MULTI : s->values;
	struct colmap m;
	const char *line;
	ssize_t len;
	int64_t item = 0;
	char buf[64], id[24];
	int rc = 0;

	memset(&m, 0, sizeof m);
	if (values != FV_DENSE && values != FV_MULTI && values != FV_CATEGORY)
		return load_fail(e, HCR_EXIT_USAGE, "-m %s: a one-hot matrix (%s) holds dense, multi "
		    "or category values, not %s", s->name, name, feat_values_name(values));
	if (read_map(&m, map, map_len, map_name, e) != 0 ||
	    select_groups(&m, s->column, map_name, e) != 0) {
		colmap_free(&m);
		return -1;
	}
	fr_start(r, values);
	free(r->f->column);
	r->f->column = xstrdup(s->column ? s->column : "");
	while ((len = lines_next(src, &line)) >= 0) {
		size_t n = (size_t)len, at = 0, k = 0, ones = 0;
		int64_t lineno = src->lineno;
		if (n && line[n - 1] == '\n')
			n--;
		if (n && line[n - 1] == '\r')
			n--;
		fr_clear(r);
		/* every line a row, its values single-space separated */
		while (at <= n) {
			const char *f = line + at, *sp = memchr(f, ' ', n - at);
			size_t fl = sp ? (size_t)(sp - f) : n - at;
			if (k == m.n) {
				rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected %zu "
				    "values (the columns of %s), got more", name, (long long)lineno, k + 1,
				    m.n, map_name);
				goto out;
			}
			if (fl != 1 || (f[0] != '0' && f[0] != '1')) {
				rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected 0 or 1, "
				    "got '%s'", name, (long long)lineno, k + 1, load_shown(f, fl, buf,
					sizeof buf));
				goto out;
			}
			if (m.take[k]) {
				if (values == FV_DENSE)
					fr_value(r, f[0] == '1' ? 1.0f : 0.0f);
				else if (f[0] == '1') {
					fr_token(r, m.name[k], strlen(m.name[k]), 1.0f);
					ones++;
				}
			}
			k++;
			at += fl + 1;
		}
		if (k < m.n) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected %zu values "
			    "(the columns of %s), got %zu", name, (long long)lineno, k + 1, m.n,
			    map_name, k);
			goto out;
		}
		if (values == FV_CATEGORY && ones != 1) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected one 1 among the columns "
			    "of %s (a category), got %zu", name, (long long)lineno,
			    s->column ? s->column : "every group", ones);
			goto out;
		}
		if (values == FV_DENSE && !fr_dense_len_ok(r, lineno)) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected %lld values (--dim), "
			    "got %zu", name, (long long)lineno, (long long)r->dim, r->nv);
			goto out;
		}
		snprintf(id, sizeof id, "%lld", (long long)item++);
		fr_end(r, id, strlen(id));
	}
	if (src->err)
		rc = load_fail(e, HCR_EXIT_IO, "%s: read error", name);
out:
	colmap_free(&m);
	return rc;
}
