/* rules.c: the scoring rules' keys, one sgemm per factor, then a branch-free combine
 * that pruning by the row's floor keeps mostly to cheap bounds. */
#include "rules.h"

#include <cblas.h>
#undef I
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vec4.h"

/* e^-a for a >= 0, to about 1 ulp; a is clamped at 87 so that the result stays a
 * normal float (no denormal stalls, and the exponent trick below stays valid). */
static inline v4f exp_neg(v4f a)
{
	const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
	v4f x = -v4_min(a, v4_splat(87.0f));
	v4f z = x * 1.44269504088896341f + magic;
	v4u n = (v4u)z - (v4u)v4_splat(magic);
	v4f nf = z - magic;
	/* ln 2 in two parts, the first with few bits, so that nf * hi is exact. */
	v4f r = (x - nf * 0.693145751953125f) - nf * 1.42860676533018708e-6f;
	/* Taylor to degree 7: |r| <= ln2 / 2 leaves a remainder below 1e-8. */
	v4f p = v4_splat(1.0f / 5040);
	p = p * r + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	return (v4f)((v4u)p + (n << 23));
}

/* softplus(-y) = log(1 + e^-y) = max(-y, 0) + log1p(e^-|y|); the log1p by
 * 2 atanh(s), s = t / (2 + t) <= 1/3, whose series keeps relative accuracy for tiny t. */
static inline v4f softplus_neg(v4f y)
{
	v4f a = v4_abs(y);
	v4f t = exp_neg(a);
	v4f s = t / (2.0f + t);
	v4f s2 = s * s;
	v4f p = v4_splat(1.0f / 13);
	p = p * s2 + 1.0f / 11;
	p = p * s2 + 1.0f / 9;
	p = p * s2 + 1.0f / 7;
	p = p * s2 + 1.0f / 5;
	p = p * s2 + 1.0f / 3;
	p = p * s2 + 1.0f;
	/* (|y| - y) / 2 is max(-y, 0), exactly. */
	return (a - y) * 0.5f + 2.0f * s * p;
}

/* A lower bound of softplus(-y) by three of its tangents (at -inf, 0, +inf); the
 * middle one lowered from ln 2 to 0.69 so that the float softplus_neg stays above it. */
static inline v4f softplus_neg_low(v4f y)
{
	return v4_max((v4_abs(y) - y) * 0.5f, 0.69f - 0.5f * y);
}

/* The rows of users[0 .. b) of m, copied to buf unless they are consecutive. */
static const float *user_rows(const float *m, int d, const int32_t *users, int64_t b,
    float *buf)
{
	int64_t r;
	for (r = 1; r < b; r++)
		if (users[r] != users[0] + r)
			break;
	if (r == b)
		return m + (size_t)users[0] * d;
	for (r = 0; r < b; r++)
		memcpy(buf + r * d, m + (size_t)users[r] * d, (size_t)d * sizeof *buf);
	return buf;
}

/* y[r * n + j] = <user row of users[r], item row item0 + j> of group g. */
static void products(const struct rule *ru, const struct rule_group *g, const int32_t *users,
    int64_t b, int64_t item0, int64_t n, float *gather, float *y)
{
	const float *u = user_rows(g->user, ru->d, users, b, gather);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)n, ru->d, 1.0f, u,
	    ru->d, g->item + (size_t)item0 * ru->d, ru->d, 0.0f, y, (int)n);
}

/* Keys of a row of pairs, four at a time: -(softplus(-y0) + softplus(-y1) + ...).
 * Past the row's floor, a group of four whose upper bounds (summed in the same
 * order, so float rounding keeps each key below its bound) cannot enter gets the
 * bounds instead. */
static void sigprod_row(int m, float *const *y, int64_t n, float fl, float *out)
{
	int64_t j;
	int t;
	for (j = 0; j < n; j += 4) {
		int w = n - j < 4 ? (int)(n - j) : 4;
		v4f yt[RULE_MAX_TERMS], acc;
		for (t = 0; t < m; t++)
			yt[t] = w == 4 ? v4_load(y[t] + j) : v4_load_part(y[t] + j, w);
		if (fl != -INFINITY) {
			acc = softplus_neg_low(yt[0]);
			for (t = 1; t < m; t++)
				acc += softplus_neg_low(yt[t]);
			if (!v4_any(-acc > fl))
				goto store;
		}
		acc = softplus_neg(yt[0]);
		for (t = 1; t < m; t++)
			acc += softplus_neg(yt[t]);
store:
		if (w == 4)
			v4_store(out + j, -acc);
		else
			v4_store_part(out + j, -acc, w);
	}
}

static void fill_sigprod(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	int m = ru->n_terms, t;
	float *gather = scratch, *y[RULE_MAX_TERMS], *yr[RULE_MAX_TERMS];
	int64_t r, j;
	for (t = 0; t < m; t++) {
		y[t] = scratch + (size_t)b * ru->d + (size_t)t * b * n;
		products(ru, &ru->term[t], users, b, item0, n, gather, y[t]);
	}
	for (r = 0; r < b; r++) {
		if (m == 0) {
			for (j = 0; j < n; j++)
				out[r * n + j] = 0.0f;
			continue;
		}
		for (t = 0; t < m; t++)
			yr[t] = y[t] + r * n;
		sigprod_row(m, yr, n, floors[r], out + r * n);
	}
}

static void fill_dot(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	(void)floors;
	products(ru, &ru->term[0], users, b, item0, n, scratch, out);
}

static inline float sigmoid(float x)
{
	/* e^-|x| never overflows; the two forms keep small sigmoids relative-accurate. */
	float e = expf(-fabsf(x));
	return x >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

static void fill_cr(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	int d = ru->d, k;
	float *gather = scratch, *ye = scratch + (size_t)b * d;
	int64_t r, j;
	(void)floors;
	products(ru, &ru->term[0], users, b, item0, n, gather, out);
	if (ru->n_terms > 1)
		products(ru, &ru->term[1], users, b, item0, n, gather, ye);
	for (r = 0; r < b; r++) {
		/* mean_j Y^z(u, j) = <u, mean_j item_j>: one dot per user. */
		const float *u = ru->term[0].user + (size_t)users[r] * d;
		double mean = 0;
		float mf, *o = out + r * n;
		for (k = 0; k < d; k++)
			mean += (double)u[k] * ru->item_mean[k];
		mf = (float)mean;
		if (ru->n_terms > 1) {
			const float *e = ye + r * n;
			for (j = 0; j < n; j++)
				o[j] = (o[j] - mf) * sigmoid(e[j]);
		} else {
			for (j = 0; j < n; j++)
				o[j] -= mf;
		}
	}
}

static void rule_base(struct rule *r, enum rule_kind kind, int d, int64_t n_users,
    int64_t n_items)
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->d = d;
	r->n_users = n_users;
	r->n_items = n_items;
	if (d < 1 || n_users < 0 || n_items < 0 || n_items > INT32_MAX)
		die(HCR_EXIT_FAIL, "internal: rule of d = %d over %lld x %lld", d,
		    (long long)n_users, (long long)n_items);
}

static void add_term(struct rule *r, struct rule_group g)
{
	if (!g.user != !g.item)
		die(HCR_EXIT_FAIL, "internal: a rule group with only one side");
	if (!g.user)
		return;
	if (r->n_terms == RULE_MAX_TERMS)
		die(HCR_EXIT_FAIL, "internal: more than %d factors in a rule", RULE_MAX_TERMS);
	r->term[r->n_terms++] = g;
}

void rule_dot(struct rule *r, struct rule_group z, int d, int64_t n_users, int64_t n_items)
{
	rule_base(r, RULE_DOT, d, n_users, n_items);
	add_term(r, z);
	if (r->n_terms != 1)
		die(HCR_EXIT_FAIL, "internal: the inner-product rule needs its group");
}

void rule_sigprod(struct rule *r, int n, const struct rule_group *groups, int d,
    int64_t n_users, int64_t n_items)
{
	int t;
	rule_base(r, RULE_SIGPROD, d, n_users, n_items);
	for (t = 0; t < n; t++)
		add_term(r, groups[t]);
}

void rule_cr(struct rule *r, struct rule_group z, struct rule_group e, int d, int64_t n_users,
    int64_t n_items)
{
	double *sum = xcalloc((size_t)d, sizeof *sum);
	int64_t i;
	int k;
	rule_base(r, RULE_CR, d, n_users, n_items);
	add_term(r, z);
	if (r->n_terms != 1)
		die(HCR_EXIT_FAIL, "internal: CR's rule needs its z group");
	add_term(r, e);
	for (i = 0; i < n_items; i++)
		for (k = 0; k < d; k++)
			sum[k] += z.item[(size_t)i * d + k];
	r->item_mean = xmalloc((size_t)d * sizeof *r->item_mean);
	for (k = 0; k < d; k++)
		r->item_mean[k] = n_items ? (float)(sum[k] / (double)n_items) : 0.0f;
	free(sum);
}

int rule_hcr(struct rule *r, const char *name, const struct rule_group g[2][3], int d,
    int64_t n_users, int64_t n_items)
{
	/* f = s(Y1z) s(Y1e); h1 = s(Y2z); h2 = s(Y2e) s(Y2c) (method.md §5). */
	const struct rule_group f_h1[3] = { g[0][0], g[0][1], g[1][0] };
	const struct rule_group all[5] = { g[0][0], g[0][1], g[1][0], g[1][1], g[1][2] };
	if (!strcmp(name, "hcr"))
		rule_sigprod(r, 3, f_h1, d, n_users, n_items);
	else if (!strcmp(name, "hcr-t"))
		rule_sigprod(r, 5, all, d, n_users, n_items);
	else if (!strcmp(name, "hcr-s1"))
		rule_sigprod(r, 2, f_h1, d, n_users, n_items);
	else if (!strcmp(name, "hcr-s2"))
		rule_sigprod(r, 1, f_h1 + 2, d, n_users, n_items);
	else
		return -1;
	return 0;
}

void rule_scorer(const struct rule *r, struct rank_scorer *s)
{
	memset(s, 0, sizeof *s);
	s->ctx = (void *)r;
	s->n_users = r->n_users;
	s->n_items = r->n_items;
	s->scratch_per_user = (size_t)r->d;
	switch (r->kind) {
	case RULE_DOT:
		s->fill = fill_dot;
		break;
	case RULE_SIGPROD:
		s->fill = fill_sigprod;
		s->scratch_per_pair = (size_t)r->n_terms;
		break;
	case RULE_CR:
		s->fill = fill_cr;
		s->scratch_per_pair = 1;
		break;
	}
}

double rule_score(const struct rule *r, float key)
{
	return r->kind == RULE_SIGPROD ? exp((double)key) : (double)key;
}

void rule_free(struct rule *r)
{
	free(r->item_mean);
	memset(r, 0, sizeof *r);
}
