/* rulekeys.c: the scoring rules' keys, one sgemm per factor, then a branch-free combine
 * that pruning by the row's floor keeps mostly to cheap bounds. */
#include "rank/rulekeys.h"

#include <cblas.h>
#undef I
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/numeric.h"
#include "common/util.h"
#include "rank/vec4.h"

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

/* A lower bound of softplus(-y): the largest of three tangents (at -inf, 0, +inf),
 * the middle one lowered from ln 2 to 0.69, and, for the saturated side where the
 * tangents give 0, 2^-(n+2) <= 0.36 e^-|y| with n = rint(|y| log2 e), built in the
 * exponent bits.  Each stays below the float softplus_neg (whose log1p part is
 * at least 0.66 e^-|y|), rounding included. */
static inline v4f softplus_neg_low(v4f y)
{
	const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
	v4f a = v4_abs(y);
	v4f z = v4_min(a, v4_splat(85.0f)) * 1.44269504088896341f + magic;
	v4u n = (v4u)z - (v4u)v4_splat(magic);
	v4f tail = (v4f)(((v4u){ 125, 125, 125, 125 } - n) << 23);
	/* maxps gives its second operand where either is NaN: the tail (never NaN) goes
	 * first, so that a NaN logit keeps a NaN bound and its key is counted */
	return v4_max(tail, v4_max((a - y) * 0.5f, 0.69f - 0.5f * y));
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

/* y[r * n + j] = <user row of users[r], item row item0 + j> of group g, d columns. */
static void products_d(const struct rule_group *g, int d, const int32_t *users, int64_t b,
    int64_t item0, int64_t n, float *gather, float *y)
{
	const float *u = user_rows(g->user, d, users, b, gather);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)n, d, 1.0f, u, d,
	    g->item + (size_t)item0 * d, d, 0.0f, y, (int)n);
	if (g->bias != 0)
		for (int64_t k = 0; k < b * n; k++)
			y[k] += g->bias;
}

/* The same for a group of the rule's width. */
static void products(const struct rule *ru, const struct rule_group *g, const int32_t *users,
    int64_t b, int64_t item0, int64_t n, float *gather, float *y)
{
	products_d(g, ru->d, users, b, item0, n, gather, y);
}

/* Keys of a row of pairs, four at a time: -(softplus(-y0) + softplus(-y1) + ...).
 * Past the row's floor, a group of four that cannot enter gets the floor or its
 * upper bounds instead, by two cheap tests:
 *  - key <= log sigmoid(min_t y_t), so min_t y_t <= tau, tau the logit of the floor
 *    lowered by a margin for float error (floor_logit), shows it in two operations;
 *  - the tangent bounds of softplus_neg_low, summed in the key's order so that
 *    float rounding (monotone) keeps each key below its bound. */
static inline __attribute__((always_inline)) void sigprod_row(const int m,
    float *const *y, int64_t n, float fl, float tau, float *out)
{
	int64_t j;
	int t;
	v4f yt[RULE_MAX_TERMS], acc;
	/* Unrolled for a variable m, the compiler cannot tell that yt[m..] go unread. */
	memset(yt, 0, sizeof yt);
	for (j = 0; j < n; j += 4) {
		int w = n - j < 4 ? (int)(n - j) : 4;
#pragma GCC unroll 8
		for (t = 0; t < m; t++)
			yt[t] = w == 4 ? v4_load(y[t] + j) : v4_load_part(y[t] + j, w);
		if (fl != -INFINITY) {
			v4f ymin = yt[0];
			v4i num = yt[0] == yt[0];
#pragma GCC unroll 8
			for (t = 1; t < m; t++) {
				ymin = v4_min(ymin, yt[t]);
				num &= yt[t] == yt[t];
			}
			/* A NaN logit goes on, so that its key is counted: the minimum (minps
			 * gives its second operand where either is NaN) may have dropped it. */
			if (!v4_any(~((ymin <= tau) & num))) {
				acc = v4_splat(-fl);
				goto store;
			}
			acc = softplus_neg_low(yt[0]);
#pragma GCC unroll 8
			for (t = 1; t < m; t++)
				acc += softplus_neg_low(yt[t]);
			if (!v4_any(-acc > fl))
				goto store;
		}
		acc = softplus_neg(yt[0]);
#pragma GCC unroll 8
		for (t = 1; t < m; t++)
			acc += softplus_neg(yt[t]);
store:
		if (w == 4)
			v4_store(out + j, -acc);
		else
			v4_store_part(out + j, -acc, w);
	}
}

/* The logit whose log sigmoid is the floor, less a margin: a pair whose smallest
 * logit is at most it has a float key <= floor (float keys err by a few 1e-7 of
 * |key|, far below the margin 1e-5 (1 + |floor|)). */
static float floor_logit(float fl)
{
	double f = (double)fl - 1e-5 * (1 + fabs((double)fl));
	if (fl == -INFINITY)
		return -INFINITY;
	/* logit(e^f) = f - log(1 - e^f) */
	return (float)(f - log(-expm1(f))) - 1e-5f * (1 + fabsf((float)f));
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
		/* A constant factor count lets the compiler unroll the loops over factors. */
		switch (m) {
		case 1:
			sigprod_row(1, yr, n, floors[r], floor_logit(floors[r]), out + r * n);
			break;
		case 2:
			sigprod_row(2, yr, n, floors[r], floor_logit(floors[r]), out + r * n);
			break;
		case 3:
			sigprod_row(3, yr, n, floors[r], floor_logit(floors[r]), out + r * n);
			break;
		default:
			sigprod_row(m, yr, n, floors[r], floor_logit(floors[r]), out + r * n);
			break;
		}
	}
}

/* Keys of rule_sigprod_mean: the product of the first factors as fill_sigprod makes
 * it (without pruning: G has no cheap bound here), plus log G of the last logit. */
static void fill_sigprod_mean(void *ctx, const int32_t *users, int64_t b, int64_t item0,
    int64_t n, const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	int m = ru->n_terms, t;
	float *gather = scratch, *y[RULE_MAX_TERMS], *yr[RULE_MAX_TERMS];
	int64_t r, j;
	(void)floors;
	for (t = 0; t < m; t++) {
		y[t] = scratch + (size_t)b * ru->d + (size_t)t * b * n;
		products(ru, &ru->term[t], users, b, item0, n, gather, y[t]);
	}
	for (r = 0; r < b; r++) {
		float *o = out + r * n;
		const float *last = y[m - 1] + r * n;
		for (t = 0; t < m - 1; t++)
			yr[t] = y[t] + r * n;
		if (m > 1)
			sigprod_row(m - 1, yr, n, -INFINITY, -INFINITY, o);
		else
			memset(o, 0, (size_t)n * sizeof *o);
		for (j = 0; j < n; j++)
			o[j] += last[j] == last[j] ? (float)rule_log_mean(ru, last[j]) : NAN;
	}
}

static void fill_dot(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	(void)floors;
	products(ru, &ru->term[0], users, b, item0, n, scratch, out);
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
				o[j] = (o[j] - mf) * sigmoidf(e[j]);
		} else {
			for (j = 0; j < n; j++)
				o[j] -= mf;
		}
	}
}

static void fill_dcf(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	int dmax = ru->d > ru->d_expo ? ru->d : ru->d_expo;
	float *gather = scratch, *ya = scratch + (size_t)b * dmax;
	int64_t r, j;
	(void)floors;
	products(ru, &ru->term[0], users, b, item0, n, gather, out);
	products_d(&ru->term[1], ru->d_expo, users, b, item0, n, gather, ya);
	for (r = 0; r < b; r++) {
		float g = ru->gamma[users[r]], *o = out + r * n;
		const float *a = ya + r * n;
		for (j = 0; j < n; j++)
			o[j] += g * sigmoidf(a[j]) + ru->intercept;
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

/* The largest Euclidean norm among rows of m. */
static double max_norm(const float *m, int64_t rows, int d)
{
	double best = 0;
	for (int64_t i = 0; i < rows; i++) {
		double s = 0;
		for (int k = 0; k < d; k++)
			s += (double)m[(size_t)i * d + k] * m[(size_t)i * d + k];
		best = s > best ? s : best;
	}
	return sqrt(best);
}

/* Points of the G table: cubic Hermite between them errs by about step^4 / 384 times
 * log G's fourth derivative (below 1, log G being a softened log sigmoid), so 1024
 * points over a range of 60 err by about 1e-8. */
enum { RULE_MEAN_POINTS = 1024 };

void rule_sigprod_mean(struct rule *r, int n, const struct rule_group *groups,
    const double *mu, int64_t n_mu, int d, int64_t n_users, int64_t n_items)
{
	const struct rule_group *g;
	double bound;
	int k;
	rule_sigprod(r, n, groups, d, n_users, n_items);
	if (r->n_terms < 1 || !groups[n - 1].user || n_mu < 1)
		die(HCR_EXIT_FAIL, "internal: a mean rule needs its last group and shifts");
	g = &r->term[r->n_terms - 1];
	/* |<u, i> + bias| <= max |u| max |i| + |bias|, by Cauchy-Schwarz */
	bound = max_norm(g->user, n_users, d) * max_norm(g->item, n_items, d) + fabs(g->bias) + 1;
	if (!(bound < 700))
		bound = 700;  /* beyond, e^-x underflows in double: G is 0 or 1 to the last bit */
	r->g_n = RULE_MEAN_POINTS;
	r->g_lo = -bound;
	r->g_step = 2 * bound / (RULE_MEAN_POINTS - 1);
	r->g_val = xmalloc(RULE_MEAN_POINTS * sizeof *r->g_val);
	r->g_der = xmalloc(RULE_MEAN_POINTS * sizeof *r->g_der);
	for (k = 0; k < RULE_MEAN_POINTS; k++) {
		/* log mean_i sigmoid(x_i) and its derivative sum s_i (1 - s_i) / sum s_i, the
		 * sums scaled by the largest sigmoid so that none underflows */
		double y = r->g_lo + k * r->g_step, top = -INFINITY, sum = 0, der = 0;
		int64_t i;
		for (i = 0; i < n_mu; i++) {
			double x = y + mu[i], ls = x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
			top = ls > top ? ls : top;
		}
		for (i = 0; i < n_mu; i++) {
			double x = y + mu[i], ls = x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
			double w = exp(ls - top);
			sum += w;
			der += w * sigmoid(-x);
		}
		r->g_val[k] = top + log(sum) - log((double)n_mu);
		r->g_der[k] = der / sum;
	}
}

double rule_log_mean(const struct rule *r, double y)
{
	double t = (y - r->g_lo) / r->g_step, s, s2, s3;
	int k;
	if (t <= 0)
		return r->g_val[0] + (y - r->g_lo) * r->g_der[0];
	if (t >= r->g_n - 1)
		return r->g_val[r->g_n - 1] + (t - (r->g_n - 1)) * r->g_step * r->g_der[r->g_n - 1];
	k = (int)t;
	s = t - k, s2 = s * s, s3 = s2 * s;
	return (2 * s3 - 3 * s2 + 1) * r->g_val[k] + (s3 - 2 * s2 + s) * r->g_step * r->g_der[k] +
	    (3 * s2 - 2 * s3) * r->g_val[k + 1] + (s3 - s2) * r->g_step * r->g_der[k + 1];
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

void rule_dcf(struct rule *r, struct rule_group z, struct rule_group expo, int d_expo,
    const float *gamma, float intercept, int d, int64_t n_users, int64_t n_items)
{
	rule_base(r, RULE_DCF, d, n_users, n_items);
	add_term(r, z);
	add_term(r, expo);
	if (r->n_terms != 2 || !gamma || d_expo < 1)
		die(HCR_EXIT_FAIL, "internal: DCF's rule needs z, the exposure factors and gamma");
	r->d_expo = d_expo;
	r->gamma = gamma;
	r->intercept = intercept;
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
		s->fill = r->g_val ? fill_sigprod_mean : fill_sigprod;
		s->scratch_per_pair = (size_t)r->n_terms;
		break;
	case RULE_CR:
		s->fill = fill_cr;
		s->scratch_per_pair = 1;
		break;
	case RULE_DCF:
		s->fill = fill_dcf;
		if (r->d_expo > r->d)
			s->scratch_per_user = (size_t)r->d_expo;
		s->scratch_per_pair = 1;
		break;
	}
}

double rule_score(const struct rule *r, float key)
{
	if (r->kind == RULE_DCF)
		return 1 / (1 + exp(-(double)key));
	return r->kind == RULE_SIGPROD ? exp((double)key) : (double)key;
}

void rule_free(struct rule *r)
{
	free(r->item_mean);
	free(r->g_val);
	free(r->g_der);
	memset(r, 0, sizeof *r);
}
