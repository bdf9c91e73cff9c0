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
#include "rank/vec8.h"

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

/* sigprod_rows4: four floats at a time, on any target */
#define SP_W 4
#define SP_F v4f
#define SP_I v4i
#define SP_U v4u
#define SP(name) name##4
#define SP_ATTR
#define SP_LOAD v4_load
#define SP_STORE v4_store
#define SP_LOAD_PART v4_load_part
#define SP_STORE_PART v4_store_part
#define SP_SPLAT v4_splat
#define SP_MIN v4_min
#define SP_MAX v4_max
#define SP_ABS v4_abs
#define SP_ANY v4_any
#include "rank/sigprod.inc"

#ifdef HCR_HAVE_VEC8
/* sigprod_rows8: eight at a time where the CPU has AVX2 (the validation of a
 * Tiktok-sized epoch spends half its time in these rows) */
#define SP_W 8
#define SP_F v8f
#define SP_I v8i
#define SP_U v8u
#define SP(name) name##8
#define SP_ATTR V8_TARGET
#define SP_LOAD v8_load
#define SP_STORE v8_store
#define SP_LOAD_PART v8_load_part
#define SP_STORE_PART v8_store_part
#define SP_SPLAT v8_splat
#define SP_MIN v8_min
#define SP_MAX v8_max
#define SP_ABS v8_abs
#define SP_ANY v8_any
#include "rank/sigprod.inc"
#endif

/* The keys of b rows of n pairs at the widest width the rule allows and the CPU runs. */
static void sigprod_rows(const struct rule *ru, int m, float *const *y, int64_t b, int64_t n,
    const float *floors, float *out)
{
#ifdef HCR_HAVE_VEC8
	if (ru->lanes != 4 && __builtin_cpu_supports("avx2")) {
		sigprod_rows8(m, y, b, n, floors, out);
		return;
	}
#endif
	(void)ru;
	sigprod_rows4(m, y, b, n, floors, out);
}

static void fill_sigprod(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	int m = ru->n_terms, t;
	float *gather = scratch, *y[RULE_MAX_TERMS];
	for (t = 0; t < m; t++) {
		y[t] = scratch + (size_t)b * ru->d + (size_t)t * b * n;
		products(ru, &ru->term[t], users, b, item0, n, gather, y[t]);
	}
	if (m == 0)
		memset(out, 0, (size_t)(b * n) * sizeof *out);
	else
		sigprod_rows(ru, m, y, b, n, floors, out);
}

/* Keys of rule_sigprod_mean: the product of the first factors as fill_sigprod makes
 * it (without pruning: G has no cheap bound here), plus log G of the last logit. */
static void fill_sigprod_mean(void *ctx, const int32_t *users, int64_t b, int64_t item0,
    int64_t n, const float *floors, float *out, float *scratch)
{
	const struct rule *ru = ctx;
	int m = ru->n_terms, t;
	float *gather = scratch, *y[RULE_MAX_TERMS];
	int64_t r, j;
	(void)floors;
	for (t = 0; t < m; t++) {
		y[t] = scratch + (size_t)b * ru->d + (size_t)t * b * n;
		products(ru, &ru->term[t], users, b, item0, n, gather, y[t]);
	}
	if (m > 1)
		sigprod_rows(ru, m - 1, y, b, n, NULL, out);
	else
		memset(out, 0, (size_t)(b * n) * sizeof *out);
	for (r = 0; r < b; r++) {
		float *o = out + r * n;
		const float *last = y[m - 1] + r * n;
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
