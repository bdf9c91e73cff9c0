/* featrow.c: staging rows into a modality aligned to the item vocabulary. */
#include "ingest/featrow.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct idw {
	int32_t id;
	float w;
};

void fr_init(struct featrow *r, const struct feat_spec *spec, const struct vocab *items,
    struct feature *f)
{
	memset(r, 0, sizeof *r);
	r->spec = spec;
	r->items = items;
	r->f = f;
	r->have = xcalloc((size_t)items->n + 1, 1);
	vocab_init(&r->tokens);
}

void fr_start(struct featrow *r, int values)
{
	r->values = values;
	r->f->kind = values == FV_DENSE ? FEAT_DENSE : FEAT_BAG;
	if (values == FV_DENSE && r->spec->dim > 0) {
		r->dim = r->spec->dim;
		r->f->x = xcalloc((size_t)r->items->n * (size_t)r->dim + 1, sizeof *r->f->x);
	}
}

void fr_free(struct featrow *r)
{
	free(r->have);
	free(r->v);
	free(r->tt);
	free(r->ts);
	free(r->tl);
	free(r->tw);
	vocab_free(&r->tokens);
	free(r->row_item);
	free(r->row_at);
	free(r->ids);
	free(r->w);
	free(r->scratch);
	memset(r, 0, sizeof *r);
}

void fr_clear(struct featrow *r)
{
	r->nv = 0;
	r->nt = 0;
	r->ttlen = 0;
}

void fr_value(struct featrow *r, float v)
{
	XGROW(r->v, r->vcap, r->nv + 1);
	r->v[r->nv++] = v;
}

void fr_token(struct featrow *r, const char *s, size_t len, float w)
{
	XGROW(r->tt, r->ttcap, r->ttlen + len + 1);
	memcpy(r->tt + r->ttlen, s, len);
	r->tt[r->ttlen + len] = '\0';
	if (r->nt == r->tcap) {
		XGROW(r->ts, r->tcap, r->nt + 1);
		r->tl = xreallocarray(r->tl, r->tcap, sizeof *r->tl);
		r->tw = xreallocarray(r->tw, r->tcap, sizeof *r->tw);
	}
	r->ts[r->nt] = r->ttlen;
	r->tl[r->nt] = len;
	r->tw[r->nt++] = w;
	r->ttlen += len + 1;
}

static int is_na(const struct featrow *r, const char *s, size_t len)
{
	const char *na = r->spec->na ? r->spec->na : "NA";
	return len == 0 || (strlen(na) == len && memcmp(na, s, len) == 0);
}

/* Letters and digits make words; bytes of UTF-8 sequences count as letters, so that
 * non-English words stay whole. */
static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

int fr_text(struct featrow *r, const char *s, size_t len, char *msg, size_t msgsize)
{
	size_t i = 0, j;
	char buf[64];
	switch (r->values) {
	case FV_WORDS:
		if (is_na(r, s, len))
			return 0;
		while (i < len) {
			while (i < len && !word_byte((unsigned char)s[i]))
				i++;
			for (j = i; j < len && word_byte((unsigned char)s[j]); j++)
				;
			if (j > i) {
				size_t k, at = r->ttlen;
				fr_token(r, s + i, j - i, 1.0f);
				for (k = 0; k < j - i; k++)
					if (r->tt[at + k] >= 'A' && r->tt[at + k] <= 'Z')
						r->tt[at + k] = (char)(r->tt[at + k] - 'A' + 'a');
			}
			i = j;
		}
		return 0;
	case FV_MULTI:
		if (is_na(r, s, len))
			return 0;
		while (i <= len) {
			size_t b, e;
			for (j = i; j < len && s[j] != r->spec->separator; j++)
				;
			/* blanks around a label are not part of it */
			for (b = i; b < j && (s[b] == ' ' || s[b] == '\t'); b++)
				;
			for (e = j; e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
				;
			if (e > b)
				fr_token(r, s + b, e - b, 1.0f);
			i = j + 1;
		}
		return 0;
	case FV_DECADE: {
		double y;
		if (is_na(r, s, len)) {
			fr_token(r, "NA", 2, 1.0f);
			return 0;
		}
		if (parse_double(s, len, &y) != 0 || y != floor(y) || fabs(y) > 1e15) {
			snprintf(msg, msgsize, "expected a year (a whole number) or %s, got '%s'",
			    r->spec->na ? r->spec->na : "NA", load_shown(s, len, buf, sizeof buf));
			return -1;
		}
		snprintf(buf, sizeof buf, "%llds", (long long)(floor(y / 10) * 10));
		fr_token(r, buf, strlen(buf), 1.0f);
		return 0;
	}
	case FV_CATEGORY:
		if (is_na(r, s, len))
			fr_token(r, "NA", 2, 1.0f);
		else
			fr_token(r, s, len, 1.0f);
		return 0;
	}
	snprintf(msg, msgsize, "internal: fr_text for values %d", r->values);
	return -1;
}

int fr_dense_len_ok(struct featrow *r, int64_t where)
{
	if (r->nv == 0)
		return 1;
	if (r->dim == 0) {
		r->dim = (int64_t)r->nv;
		r->dim_where = where;
		r->f->x = xcalloc((size_t)r->items->n * (size_t)r->dim + 1, sizeof *r->f->x);
		return 1;
	}
	return (int64_t)r->nv == r->dim;
}

static int cmp_idw(const void *a, const void *b)
{
	const struct idw *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static void keep_bag(struct featrow *r, int64_t item)
{
	struct idw *p;
	size_t k, m = 0;
	xgrow(&r->scratch, &r->scratch_cap, r->nt + 1, sizeof *p);
	p = r->scratch;
	/* ids are numbered as tokens first appear in kept rows, in file order */
	for (k = 0; k < r->nt; k++) {
		int added;
		int64_t id = vocab_intern(&r->tokens, r->tt + r->ts[k], r->tl[k], &added);
		p[k].id = (int32_t)id;
		p[k].w = r->tw[k];
	}
	qsort(p, r->nt, sizeof *p, cmp_idw);
	/* a token given twice counts twice: one id with the summed weight */
	for (k = 0; k < r->nt; k++) {
		if (m > 0 && p[m - 1].id == p[k].id)
			p[m - 1].w += p[k].w;
		else
			p[m++] = p[k];
	}
	if (r->n + m > r->cap) {
		size_t c = r->cap;
		XGROW(r->ids, c, r->n + m);
		r->w = xreallocarray(r->w, c, sizeof *r->w);
		r->cap = c;
	}
	for (k = 0; k < m; k++) {
		r->ids[r->n + k] = p[k].id;
		r->w[r->n + k] = p[k].w;
	}
	if (r->nrows == r->rcap) {
		XGROW(r->row_item, r->rcap, r->nrows + 1);
		r->row_at = xreallocarray(r->row_at, r->rcap, sizeof *r->row_at);
	}
	r->row_item[r->nrows] = (int32_t)item;
	r->row_at[r->nrows++] = (int64_t)r->n;
	r->n += m;
}

int fr_end(struct featrow *r, const char *id, size_t len)
{
	int64_t item;
	r->f->n.rows++;
	if (r->values == FV_DENSE ? r->nv == 0 : r->nt == 0) {
		r->f->n.empty++;
		return FR_EMPTY;
	}
	item = vocab_find(r->items, id, len);
	if (item < 0) {
		r->f->n.unknown++;
		return FR_UNKNOWN;
	}
	if (r->have[item]) {
		r->f->n.duplicates++;
		return FR_DUPLICATE;
	}
	r->have[item] = 1;
	r->kept++;
	if (r->values == FV_DENSE)
		memcpy(r->f->x + (size_t)item * (size_t)r->dim, r->v, r->nv * sizeof *r->v);
	else
		keep_bag(r, item);
	return FR_KEPT;
}

int fr_finish(struct featrow *r, const char *name, struct load_error *e)
{
	struct feature *f = r->f;
	int64_t i, k;
	snprintf(f->name, sizeof f->name, "%s", r->spec->name);
	f->role = r->spec->role;
	f->items = r->items->n;
	f->values = xstrdup(feat_values_name(r->values));
	f->n.missing = r->items->n - r->kept;
	if (f->n.rows == 0 && r->items->n > 0) {
		load_fail(e, HCR_EXIT_DATA, "%s: expected rows of item values, got none", name);
		fr_free(r);
		return -1;
	}
	if (r->kept == 0 && r->items->n > 0) {
		load_fail(e, HCR_EXIT_DATA, "%s: no row gives an item of the vocabulary (%lld rows: "
		    "%lld empty, %lld short, %lld of unknown items); is the item column right?",
		    name, (long long)f->n.rows, (long long)f->n.empty, (long long)f->n.shortv,
		    (long long)f->n.unknown);
		fr_free(r);
		return -1;
	}
	if (f->kind == FEAT_DENSE) {
		f->dim = r->dim;
		if (r->spec->standardize)
			feature_standardize(f, r->have);
	} else {
		int64_t *at = xmalloc(((size_t)f->items + 1) * sizeof *at);
		size_t q;
		for (i = 0; i < f->items; i++)
			at[i] = -1;
		for (q = 0; q < r->nrows; q++)
			at[r->row_item[q]] = (int64_t)q;
		f->vocab = r->tokens.n;
		f->bag.rows = f->items;
		f->bag.cols = f->vocab;
		f->bag.off = xmalloc(((size_t)f->items + 1) * sizeof *f->bag.off);
		f->bag.idx = xmalloc((r->n + 1) * sizeof *f->bag.idx);
		f->weights = xmalloc((r->n + 1) * sizeof *f->weights);
		f->bag.off[0] = 0;
		/* rows were kept in file order; the section holds them in item order */
		for (i = 0; i < f->items; i++) {
			int64_t b = 0, len = 0, o = f->bag.off[i];
			if (at[i] >= 0) {
				q = (size_t)at[i];
				b = r->row_at[q];
				len = (q + 1 < r->nrows ? r->row_at[q + 1] : (int64_t)r->n) - b;
			}
			memcpy(f->bag.idx + o, r->ids + b, (size_t)len * sizeof *f->bag.idx);
			memcpy(f->weights + o, r->w + b, (size_t)len * sizeof *f->weights);
			f->bag.off[i + 1] = o + len;
		}
		free(at);
		f->tokens = xmalloc(((size_t)f->vocab + 1) * sizeof *f->tokens);
		for (k = 0; k < f->vocab; k++)
			f->tokens[k] = xstrdup(vocab_id(&r->tokens, k));
	}
	fr_free(r);
	return 0;
}

int fr_number(const char *s, size_t len, float *out)
{
	double v;
	if (parse_double(s, len, &v) != 0 || fabs(v) > FLT_MAX)
		return -1;
	*out = (float)v;
	return 0;
}
