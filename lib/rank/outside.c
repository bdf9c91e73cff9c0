/* outside.c: the outside text inputs of the ranking tools: a rankings TSV (evaluate
 * --rankings) and a list of user ids (score-frontdoor --users). */
#include "rank/outside.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/lines.h"
#include "common/tabrows.h"
#include "common/util.h"

/* One kept row of the TSV. */
struct entry {
	int32_t user, item;
	double key;     /* the order within the user: the rank, or minus the score */
	double score;
	int64_t line;
	int train;      /* a training item of the user: dropped, but the user is ranked */
};

static int by_user_key_item(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

/* The header's fields joined by tabs, as a message shows them. */
static const char *header_shown(const struct tab_row *h, char *buf, size_t n)
{
	char joined[128];
	size_t k, at = 0;
	for (k = 0; k < h->n && at < sizeof joined; k++)
		at += (size_t)snprintf(joined + at, sizeof joined - at, "%s%.*s", k ? "\t" : "",
		    (int)(h->len[k] < sizeof joined ? h->len[k] : sizeof joined), h->field[k]);
	if (at >= sizeof joined)
		at = sizeof joined - 1;
	return load_shown(joined, at, buf, n);
}

static long column(const struct tab_row *h, const char *name)
{
	size_t k;
	for (k = 0; k < h->n; k++)
		if (h->len[k] == strlen(name) && memcmp(h->field[k], name, h->len[k]) == 0)
			return (long)k;
	return -1;
}

/* Reads the rows into ents; 0, or -1 with e filled. */
static int read_rows(struct tabrows *t, const char *name, const struct ranking_tsv_opts *o,
    struct ranking *r, struct entry **ents, size_t *n_ents, struct load_error *e)
{
	struct tab_row row;
	char msg[512], buf[64];
	long cu, ci, cr, cs, need;
	size_t cap = 0;
	int rc = tabrows_next(t, &row, msg, sizeof msg);
	if (rc < 0)
		return load_fail(e, HCR_EXIT_DATA, "%s: %s", name, msg);
	if (rc == 0)
		return load_fail(e, HCR_EXIT_DATA, "%s: line 1: expected a header naming user_id, "
		    "item_id and rank or score, got the end of the file", name);
	cu = column(&row, "user_id");
	ci = column(&row, "item_id");
	cr = column(&row, "rank");
	cs = column(&row, "score");
	if (cu < 0 || ci < 0 || (cr < 0 && cs < 0))
		return load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected a header naming user_id, "
		    "item_id and rank or score, got '%s'", name, (long long)row.line[0],
		    header_shown(&row, buf, sizeof buf));
	need = cu > ci ? cu : ci;
	need = cr > need ? cr : need;
	need = (cs > need ? cs : need) + 1;
	while ((rc = tabrows_next(t, &row, msg, sizeof msg)) == 1) {
		struct entry en;
		int64_t u, i, rank = 0;
		double score = 0;
		if ((long)row.n < need)
			return load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected %ld fields, as the "
			    "header has, got %zu", name, (long long)row.line[0], need, row.n);
		u = vocab_find(o->users, row.field[cu], row.len[cu]);
		if (u < 0 && !o->skip_unknown)
			return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: expected a user id "
			    "of the vocabulary, got '%s'", name, (long long)row.line[cu], cu + 1,
			    load_shown(row.field[cu], row.len[cu], buf, sizeof buf));
		i = vocab_find(o->items, row.field[ci], row.len[ci]);
		if (i < 0 && !o->skip_unknown)
			return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: expected an item id "
			    "of the vocabulary, got '%s'", name, (long long)row.line[ci], ci + 1,
			    load_shown(row.field[ci], row.len[ci], buf, sizeof buf));
		if (cr >= 0 && (parse_i64(row.field[cr], row.len[cr], &rank) != 0 || rank < 1))
			return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: expected a rank (a "
			    "whole number from 1), got '%s'", name, (long long)row.line[cr], cr + 1,
			    load_shown(row.field[cr], row.len[cr], buf, sizeof buf));
		if (cs >= 0 && parse_double(row.field[cs], row.len[cs], &score) != 0)
			return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: expected a score (a "
			    "finite number), got '%s'", name, (long long)row.line[cs], cs + 1,
			    load_shown(row.field[cs], row.len[cs], buf, sizeof buf));
		if (u < 0 || i < 0) {
			r->skipped_unknown++;
			continue;
		}
		en.train = o->mask && csr_has(o->mask, u, (int32_t)i);
		r->dropped_train += en.train;
		en.user = (int32_t)u;
		en.item = (int32_t)i;
		/* a rank orders; a score alone orders too, and stands in for a missing one */
		en.key = cr >= 0 ? (double)rank : -score;
		en.score = cs >= 0 ? score : -(double)rank;
		en.line = row.line[0];
		XGROW(*ents, cap, *n_ents + 1);
		(*ents)[(*n_ents)++] = en;
	}
	if (rc < 0)
		return load_fail(e, HCR_EXIT_DATA, "%s: %s", name, msg);
	return 0;
}

int ranking_read_tsv(FILE *fp, const char *name, const char *label,
    const struct ranking_tsv_opts *o, struct ranking *r, struct load_error *e)
{
	struct ranking_head h;
	struct lines src;
	struct tabrows *t;
	struct entry *ents = NULL;
	size_t n = 0, a, b;
	int64_t *first_line = NULL, i;
	int32_t *last_user = NULL, *items = NULL;
	double *scores = NULL;
	int rc;

	memset(&h, 0, sizeof h);
	snprintf(h.label, sizeof h.label, "%s", label);
	h.k = o->keep;
	h.shard = h.shards = 1;
	ranking_init(r, &h, name);
	lines_init(&src, fp);
	t = tabrows_open(&src, 1);
	rc = read_rows(t, name, o, r, &ents, &n, e);
	tabrows_close(t);
	lines_free(&src);
	if (rc != 0)
		goto fail;
	qsort(ents, n, sizeof *ents, by_user_key_item);
	/* last_user[i]: the last user seen listing item i, and on which line */
	last_user = xmalloc(((size_t)o->items->n + 1) * sizeof *last_user);
	first_line = xmalloc(((size_t)o->items->n + 1) * sizeof *first_line);
	for (i = 0; i < o->items->n; i++)
		last_user[i] = -1;
	items = xmalloc(((size_t)o->keep + 1) * sizeof *items);
	scores = xmalloc(((size_t)o->keep + 1) * sizeof *scores);
	for (a = 0; a < n; a = b) {
		int m = 0;
		for (b = a; b < n && ents[b].user == ents[a].user; b++) {
			const struct entry *en = &ents[b];
			if (last_user[en->item] == en->user) {
				int64_t l1 = first_line[en->item], l2 = en->line;
				rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected each item once a "
				    "user, got user '%s' and item '%s' again (first on line %lld)", name,
				    (long long)(l1 > l2 ? l1 : l2), vocab_id(o->users, en->user),
				    vocab_id(o->items, en->item), (long long)(l1 < l2 ? l1 : l2));
				goto fail;
			}
			last_user[en->item] = en->user;
			first_line[en->item] = en->line;
			if (!en->train && m < o->keep) {
				items[m] = en->item;
				scores[m++] = en->score;
			}
		}
		ranking_add_row(r, ents[a].user, m, items, scores);
	}
	free(ents);
	free(last_user);
	free(first_line);
	free(items);
	free(scores);
	return 0;
fail:
	free(ents);
	free(last_user);
	free(first_line);
	free(items);
	free(scores);
	ranking_free(r);
	return -1;
}

int user_list_read(FILE *fp, const char *name, const struct vocab *users, int32_t **list,
    int64_t *n, struct load_error *e)
{
	struct lines src;
	const char *line;
	ssize_t len;
	int64_t *line_of = xmalloc(((size_t)users->n + 1) * sizeof *line_of), u;
	size_t cap = 0;
	char buf[64];
	int rc = 0;

	*list = NULL;
	*n = 0;
	for (u = 0; u < users->n; u++)
		line_of[u] = 0;
	lines_init(&src, fp);
	while ((len = lines_next(&src, &line)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		u = vocab_find(users, line, (size_t)len);
		if (u < 0) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected a user id of the "
			    "vocabulary, got '%s'", name, (long long)src.lineno,
			    load_shown(line, (size_t)len, buf, sizeof buf));
			break;
		}
		if (line_of[u]) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected each user once, got "
			    "'%s' again (first on line %lld)", name, (long long)src.lineno,
			    load_shown(line, (size_t)len, buf, sizeof buf), (long long)line_of[u]);
			break;
		}
		line_of[u] = src.lineno;
		XGROW(*list, cap, (size_t)*n + 1);
		(*list)[(*n)++] = (int32_t)u;
	}
	if (rc == 0 && src.err)
		rc = load_fail(e, HCR_EXIT_IO, "%s: read error: %s", name, strerror(src.err));
	lines_free(&src);
	free(line_of);
	if (rc != 0) {
		free(*list);
		*list = NULL;
		*n = 0;
	}
	return rc;
}

/* A missing value: nothing, or NA. */
static int is_missing(const char *s, size_t len)
{
	return len == 0 || (len == 2 && s[0] == 'N' && s[1] == 'A');
}

static int read_item_columns(struct tabrows *t, const char *name, const struct vocab *items,
    struct item_columns *c, struct load_error *e)
{
	struct tab_row row;
	char msg[512], buf[64];
	uint8_t *seen;
	long id = 0, k, j;
	int rc = tabrows_next(t, &row, msg, sizeof msg);
	if (rc < 0)
		return load_fail(e, HCR_EXIT_DATA, "%s: %s", name, msg);
	if (rc == 0 || row.n < 2)
		return load_fail(e, HCR_EXIT_DATA, "%s: line 1: expected a header naming the item id "
		    "and at least one column, got %s", name, rc ? "one field" : "the end of the file");
	if (column(&row, "item_id") >= 0)
		id = column(&row, "item_id");
	c->ncols = (int)row.n - 1;
	c->names = xcalloc((size_t)c->ncols, sizeof *c->names);
	for (k = 0, j = 0; k < (long)row.n; k++)
		if (k != id)
			c->names[j++] = xstrndup(row.field[k], row.len[k]);
	c->v = xmalloc(((size_t)items->n * (size_t)c->ncols + 1) * sizeof *c->v);
	for (k = 0; k < items->n * c->ncols; k++)
		c->v[k] = NAN;
	seen = xcalloc((size_t)items->n + 1, 1);
	while ((rc = tabrows_next(t, &row, msg, sizeof msg)) == 1) {
		int64_t i;
		c->rows++;
		if (row.n != (size_t)c->ncols + 1) {
			free(seen);
			return load_fail(e, HCR_EXIT_DATA, "%s: line %lld: expected %d fields, as the "
			    "header has, got %zu", name, (long long)row.line[0], c->ncols + 1, row.n);
		}
		i = vocab_find(items, row.field[id], row.len[id]);
		if (i < 0 || seen[i]) {
			*(i < 0 ? &c->unknown : &c->repeated) += 1;
			continue;
		}
		seen[i] = 1;
		for (k = 0, j = 0; k < (long)row.n; k++) {
			double x;
			if (k == id)
				continue;
			if (is_missing(row.field[k], row.len[k])) {
				j++;
				continue;
			}
			if (parse_double(row.field[k], row.len[k], &x) != 0) {
				free(seen);
				return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: expected a "
				    "number, NA or nothing, got '%s'", name, (long long)row.line[k], k + 1,
				    load_shown(row.field[k], row.len[k], buf, sizeof buf));
			}
			c->v[i * c->ncols + j++] = x;
		}
	}
	free(seen);
	if (rc < 0)
		return load_fail(e, HCR_EXIT_DATA, "%s: %s", name, msg);
	return 0;
}

int item_columns_read(FILE *fp, const char *name, const struct vocab *items,
    struct item_columns *c, struct load_error *e)
{
	struct lines src;
	struct tabrows *t;
	const char *head;
	size_t n, k;
	int rc, tsv = 0;
	memset(c, 0, sizeof *c);
	lines_init(&src, fp);
	/* a tab in the header line makes the file a TSV */
	head = lines_peek(&src, 4096, &n);
	for (k = 0; k < n && head[k] != '\n'; k++)
		tsv |= head[k] == '\t';
	t = tabrows_open(&src, tsv);
	rc = read_item_columns(t, name, items, c, e);
	tabrows_close(t);
	lines_free(&src);
	if (rc != 0)
		item_columns_free(c);
	return rc;
}

void item_columns_free(struct item_columns *c)
{
	for (int k = 0; k < c->ncols; k++)
		free(c->names[k]);
	free(c->names);
	free(c->v);
	memset(c, 0, sizeof *c);
}
