/* grad: every op's gradient against central finite differences, in double precision.
 *
 * Tolerance: an analytic derivative a passes against the central difference f' of
 * step h = 1e-5 when |a - f'| <= 1e-7 + 1e-6 |f'|.  The difference's own error is
 * about h^2 |f'''| / 6 plus eps |f| / h, ~1e-11 each for values of order 1: the
 * errors measured are 1e-12 to 1e-9, 0.002 of the bound at worst, while a wrong term
 * (a missing factor, a sign, a transpose) shows up as an error of order |a|.
 *
 * With --dump-chain it prints the chain's loss and gradients instead, for the float
 * build's test to compare against. */
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "tap.h"
#include "train/autodiff.h"

#define FD_STEP 1e-5
#define FD_ATOL 1e-7
#define FD_RTOL 1e-6

typedef struct ad_tensor *(*loss_fn)(struct ad_tape *, void *);

static struct ad_tape tape;
static struct rng rnd;
static real proj_w[8192];

/* A scalar that depends on every entry of x with a different weight. */
static struct ad_tensor *project(struct ad_tape *t, struct ad_tensor *x)
{
	return ad_sum_all(t, ad_mul(t, x, ad_wrap(t, x->rows, x->cols, proj_w)));
}

static double eval(loss_fn f, void *ctx)
{
	ad_tape_reset(&tape);
	return f(&tape, ctx)->val[0];
}

/* Worst ratio |analytic - fd| / (atol + rtol |fd|) over every unfrozen entry. */
static double fd_check(struct ad_params *set, loss_fn f, void *ctx, double *worst_abs)
{
	size_t n = ad_params_count(set), at = 0;
	real *g = malloc(n * sizeof *g);
	double worst = 0;
	ad_params_zero_grad(set);
	ad_tape_reset(&tape);
	ad_backward(&tape, f(&tape, ctx));
	for (size_t k = 0; k < set->n; k++) {
		memcpy(g + at, set->p[k]->t.grad, (size_t)(set->p[k]->t.rows * set->p[k]->t.cols) * sizeof *g);
		at += (size_t)(set->p[k]->t.rows * set->p[k]->t.cols);
	}
	*worst_abs = 0;
	at = 0;
	for (size_t k = 0; k < set->n; k++) {
		struct ad_param *p = set->p[k];
		for (int64_t j = 0; j < p->t.rows * p->t.cols; j++, at++) {
			real save = p->t.val[j];
			double fp, fm, fd, err;
			if (p->frozen)
				continue;
			p->t.val[j] = save + FD_STEP;
			fp = eval(f, ctx);
			p->t.val[j] = save - FD_STEP;
			fm = eval(f, ctx);
			p->t.val[j] = save;
			fd = (fp - fm) / (2 * FD_STEP);
			err = fabs(g[at] - fd);
			if (err > *worst_abs)
				*worst_abs = err;
			if (err / (FD_ATOL + FD_RTOL * fabs(fd)) > worst)
				worst = err / (FD_ATOL + FD_RTOL * fabs(fd));
		}
	}
	free(g);
	return worst;
}

static void check(const char *name, struct ad_params *set, loss_fn f, void *ctx)
{
	double abs_err, ratio = fd_check(set, f, ctx, &abs_err);
	OK(ratio <= 1, "%s: gradient matches finite differences (max error %.1e, %.2g of tolerance)",
	    name, abs_err, ratio);
}

static struct ad_param *rand_param(struct ad_params *set, int64_t rows, int64_t cols,
    double scale)
{
	struct ad_param *p = ad_param_new(set, "p", rows, cols);
	for (int64_t k = 0; k < rows * cols; k++)
		p->t.val[k] = (real)(scale * rng_normal(&rnd));
	return p;
}

/* ---- single ops ---- */

struct ctx {
	struct ad_params set;
	struct ad_param *a, *b, *c, *d;
	int ta, tb, variant;
	double s;
	int32_t idx[16];
	int64_t n;
	struct csr sp, spt;
	real w[64], y[64], *wt, *y_t;
};

static void ctx_free(struct ctx *c)
{
	ad_params_free(&c->set);
	if (c->sp.off)
		csr_free(&c->sp);
	memset(c, 0, sizeof *c);
}

static struct ad_tensor *f_matmul(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	return project(t, ad_matmul(t, &c->a->t, c->ta, &c->b->t, c->tb));
}

static struct ad_tensor *f_gram(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	return project(t, ad_matmul(t, &c->a->t, 1, &c->a->t, 0));
}

static void test_matmul(void)
{
	for (int ta = 0; ta < 2; ta++)
		for (int tb = 0; tb < 2; tb++) {
			struct ctx c = { 0 };
			char name[64];
			/* op(A) is 3 x 4, op(B) is 4 x 2 */
			c.a = ta ? rand_param(&c.set, 4, 3, 1) : rand_param(&c.set, 3, 4, 1);
			c.b = tb ? rand_param(&c.set, 2, 4, 1) : rand_param(&c.set, 4, 2, 1);
			c.ta = ta, c.tb = tb;
			snprintf(name, sizeof name, "matmul %s x %s", ta ? "A'" : "A", tb ? "B'" : "B");
			check(name, &c.set, f_matmul, &c);
			ctx_free(&c);
		}
	struct ctx c = { 0 };
	c.a = rand_param(&c.set, 4, 3, 1);
	check("matmul A' A (one tensor on both sides)", &c.set, f_gram, &c);
	ctx_free(&c);
}

static struct ad_tensor *f_elementwise(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	struct ad_tensor *a = &c->a->t, *b = &c->b->t, *xs[3] = { a, b, &c->c->t };
	switch (c->variant) {
	case 0: return project(t, ad_add(t, a, b));
	case 1: return project(t, ad_sub(t, a, b));
	case 2: return project(t, ad_mul(t, a, b));
	case 3: return project(t, ad_mul(t, a, a));
	case 4: return project(t, ad_scale(t, a, -1.75));
	case 5: return project(t, ad_sum_of(t, 3, xs));
	case 6: return project(t, ad_mean_of(t, 3, xs));
	case 7: return project(t, ad_concat_rows(t, 3, xs));
	case 8: return project(t, ad_concat_cols(t, 3, xs));
	case 9: return project(t, ad_leaky_relu(t, a, 0.01));
	case 10: return project(t, ad_sigmoid(t, a));
	case 11: return project(t, ad_softplus(t, a));
	case 12: return project(t, ad_log_sigmoid(t, a));
	case 13: return project(t, ad_rowdot(t, a, b));
	case 14: return project(t, ad_rowdot(t, a, a));
	case 15: return ad_sum_all(t, ad_mul(t, a, a));
	case 16: return ad_mean_all(t, ad_mul(t, a, b));
	case 17: return project(t, ad_l2norm_rows(t, a));
	case 18: return project(t, ad_leaky_relu(t, a, 0.2));
	default: {
		/* an intermediate m reaching the loss by many roads: the backward pass
		 * hands one op's output gradient to its input where it can, and must
		 * still add every road once */
		struct ad_tensor *m = ad_mul(t, a, b), *l[3];
		switch (c->variant) {
		case 19: return project(t, ad_add(t, m, m));
		case 20: return project(t, ad_add(t, ad_sub(t, m, m), ad_scale(t, m, 0.5)));
		case 21:
			l[0] = m, l[1] = &c->c->t, l[2] = m;
			return project(t, ad_concat_rows(t, 3, l));
		case 22:
			l[0] = m, l[1] = m, l[2] = ad_leaky_relu(t, m, 0.1);
			return project(t, ad_sum_of(t, 3, l));
		case 23:
			l[0] = ad_add(t, m, a), l[1] = m, l[2] = ad_sigmoid(t, m);
			return project(t, ad_add(t, ad_mean_of(t, 3, l), l[0]));
		default:
			l[0] = m, l[1] = m, l[2] = a;
			return project(t, ad_concat_cols(t, 3, l));
		}
	}
	}
}

static void test_elementwise(void)
{
	static const char *names[] = { "add", "sub", "mul", "mul a a", "scale", "sum_of 3",
		"mean_of 3", "concat_rows 3", "concat_cols 3", "leaky_relu 0.01", "sigmoid",
		"softplus", "log_sigmoid", "rowdot", "rowdot a a", "sum_all", "mean_all",
		"l2norm_rows", "leaky_relu 0.2", "m + m, m an intermediate", "(m - m) + m / 2",
		"concat_rows m, c, m", "sum_of m, m, leaky(m)", "mean_of (m + a), m, sig(m), plus m + a",
		"concat_cols m, m, a" };
	for (int v = 0; v < (int)(sizeof names / sizeof *names); v++) {
		struct ctx c = { 0 };
		/* logits up to about +-6 reach the flat parts of the sigmoids */
		double scale = v >= 10 && v <= 12 ? 3 : 1;
		c.a = rand_param(&c.set, 3, 4, scale);
		c.b = rand_param(&c.set, 3, 4, 1);
		c.c = rand_param(&c.set, 3, 4, 1);
		c.variant = v;
		check(names[v], &c.set, f_elementwise, &c);
		ctx_free(&c);
	}
}

/* ad_affine: variant bits 0-1 the addends (0-2, an intermediate among them), bit 2
 * no bias, bits 3-4 the slope (1, 0.2, 0 or -0.5: the unfused road). */
static struct ad_tensor *f_affine(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	static const double slopes[] = { 1, 0.2, 0, -0.5 };
	struct ad_tensor *adds[2], *x = ad_mul(t, &c->a->t, &c->a->t);
	int n_add = c->variant & 3;
	adds[0] = ad_scale(t, &c->c->t, 0.5); /* an intermediate: it may take the gradient */
	adds[1] = &c->c->t;
	return project(t, ad_affine(t, x, &c->b->t, c->variant & 4 ? NULL : &c->d->t, n_add,
	    adds, slopes[(c->variant >> 3) & 3]));
}

static struct ad_tensor *f_l2norm_leaky(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	static const double slopes[] = { 0.2, 0, -0.5 };
	return project(t, ad_l2norm_leaky(t, ad_add(t, &c->a->t, &c->b->t), slopes[c->variant]));
}

static void test_fused(void)
{
	int same = 1;
	for (int v = 0; v < 32; v++) {
		struct ctx c = { 0 };
		char name[96];
		if ((v & 3) == 3)
			continue;
		c.a = rand_param(&c.set, 5, 3, 1);
		c.b = rand_param(&c.set, 3, 4, 1);
		c.c = rand_param(&c.set, 5, 4, 1);
		c.d = rand_param(&c.set, 1, 4, 1);
		c.variant = v;
		snprintf(name, sizeof name, "affine, %d addends%s, slope %s", v & 3,
		    v & 4 ? ", no bias" : "", (const char *[]){ "1", "0.2", "0", "-0.5" }[(v >> 3) & 3]);
		check(name, &c.set, f_affine, &c);
		ctx_free(&c);
	}
	for (int v = 0; v < 3; v++) {
		struct ctx c = { 0 };
		char name[64];
		c.a = rand_param(&c.set, 4, 5, 1);
		c.b = rand_param(&c.set, 4, 5, 1);
		c.variant = v;
		snprintf(name, sizeof name, "l2norm_leaky, slope %s", (const char *[]){ "0.2", "0",
		    "-0.5" }[v]);
		check(name, &c.set, f_l2norm_leaky, &c);
		/* the fused op is the pair's arithmetic: the same bits */
		{
			struct ad_tape t2;
			struct ad_tensor *x, *y1, *y2;
			ad_tape_init(&t2);
			x = ad_add(&t2, &c.a->t, &c.b->t);
			y1 = ad_l2norm_leaky(&t2, x, 0.2);
			y2 = ad_leaky_relu(&t2, ad_l2norm_rows(&t2, x), 0.2);
			same &= !memcmp(y1->val, y2->val, 20 * sizeof(real));
			ad_tape_free(&t2);
		}
		ctx_free(&c);
	}
	OK(same, "l2norm_leaky gives leaky_relu(l2norm_rows)'s values bit for bit");
}

static struct ad_tensor *f_add_row(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	return project(t, ad_add_row(t, &c->a->t, &c->b->t));
}

static struct ad_tensor *f_gather(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	struct ad_tensor *g = ad_gather(t, &c->a->t, c->n, c->idx);
	if (c->variant)
		/* a gather from an intermediate, as a layer's output is cut to a batch */
		g = ad_gather(t, ad_mul(t, g, g), 3, c->idx + 2);
	return project(t, g);
}

static struct ad_tensor *f_bag(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	return project(t, ad_bag_mean(t, &c->a->t, &c->sp, c->variant & 1 ? c->w : NULL, c->n,
	    c->variant & 2 ? c->idx : NULL));
}

static struct ad_tensor *f_spmm(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	const real *w = c->variant & 1 ? c->w : NULL;
	if (c->variant & 2) {
		/* the transpose made once, as a batch plan does; the op keeps a pointer to
		 * it, so it lives as long as the tape's step */
		ad_transpose(t, &c->sp, w, &c->spt, &c->wt);
		return project(t, ad_spmm_t(t, &c->sp, w, &c->spt, c->wt, &c->a->t));
	}
	return project(t, ad_spmm(t, &c->sp, w, &c->a->t));
}

/* L2norm of [rows of a by idx; b * b]: a part read in place by index (as the
 * preference rows are) and an intermediate read whole. */
static struct ad_tensor *f_l2norm_stack(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	struct ad_tensor *xs[2] = { &c->a->t, ad_mul(t, &c->b->t, &c->b->t) };
	int64_t counts[2] = { c->n, c->b->t.rows };
	const int32_t *idxs[2] = { c->idx, NULL };
	return project(t, ad_l2norm_stack(t, 2, xs, counts, idxs));
}

/* ad_l2norm_stack against the ops it fuses (the same bits), and its gradient. */
static void test_l2norm_stack(void)
{
	static const int32_t idx[] = { 3, 0, 4 };
	struct ctx c = { 0 };
	struct ad_tensor *fused, *parts[2], *unfused;
	int64_t diff = 0;
	c.a = rand_param(&c.set, 5, 4, 1);
	c.b = rand_param(&c.set, 2, 4, 1);
	memcpy(c.idx, idx, sizeof idx);
	c.n = 3;
	ad_tape_reset(&tape);
	{
		struct ad_tensor *xs[2] = { &c.a->t, &c.b->t };
		int64_t counts[2] = { 3, 2 };
		const int32_t *idxs[2] = { c.idx, NULL };
		fused = ad_l2norm_stack(&tape, 2, xs, counts, idxs);
	}
	parts[0] = ad_gather(&tape, &c.a->t, 3, c.idx);
	parts[1] = &c.b->t;
	unfused = ad_l2norm_rows(&tape, ad_concat_rows(&tape, 2, parts));
	for (int64_t k = 0; k < 5 * 4; k++)
		diff += fused->val[k] != unfused->val[k];
	OK(diff == 0, "l2norm_stack: the values of l2norm(concat(gather, x)), bit for bit "
	    "(%lld differ)", (long long)diff);
	check("l2norm_stack of rows by index and a whole intermediate", &c.set, f_l2norm_stack, &c);
	ctx_free(&c);
}

/* ad_l2norm_mlp's case: preference rows by index, then 1100 items' rows of a float
 * feature table through w and b (variant 1: no bias, and items whose features are all
 * zero, so that their rows take the small-norm branch), three blocks of rows. */
#define MLP_FEAT_ROWS 1200
#define MLP_ITEMS 1100
static float mlp_feat[MLP_FEAT_ROWS * 4];
static int32_t mlp_items[MLP_ITEMS];

static struct ad_tensor *f_l2norm_mlp(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	return project(t, ad_l2norm_mlp(t, &c->a->t, c->n, c->idx, mlp_feat, 4, MLP_ITEMS,
	    mlp_items, &c->b->t, c->variant ? NULL : &c->c->t));
}

/* The same through the ops it fuses: the gathered rows as a constant, ad_affine, then
 * ad_l2norm_stack. */
static struct ad_tensor *l2norm_mlp_unfused(struct ad_tape *t, struct ctx *c)
{
	struct ad_tensor *x = ad_const(t, MLP_ITEMS, 4), *xs[2];
	int64_t counts[2] = { c->n, MLP_ITEMS };
	const int32_t *idxs[2] = { c->idx, NULL };
	for (int64_t i = 0; i < MLP_ITEMS; i++)
		for (int j = 0; j < 4; j++)
			x->val[i * 4 + j] = (real)mlp_feat[(int64_t)mlp_items[i] * 4 + j];
	xs[0] = &c->a->t;
	xs[1] = ad_affine(t, x, &c->b->t, c->variant ? NULL : &c->c->t, 0, NULL, 1);
	return ad_l2norm_stack(t, 2, xs, counts, idxs);
}

/* Tolerance: the fused op makes the same products, but w's gradient adds its
 * three blocks' products in turn where one product adds all 1100 rows in BLAS's
 * order; in double that moves a sum of ~1100 terms of order 1 by ~1e-13 at most
 * (a few ulp a term), so 1e-11 catches any wrong row or block and no rounding. */
static void test_l2norm_mlp(void)
{
	static const int32_t idx[] = { 3, 0, 4 };
	for (int variant = 0; variant < 2; variant++) {
		struct ctx c = { 0 };
		struct ad_tensor *fused, *unfused;
		double worst = 0, worst_g = 0;
		size_t np;
		real *g1;
		for (int64_t k = 0; k < MLP_FEAT_ROWS * 4; k++)
			mlp_feat[k] = variant && k / 4 % 97 == 5 ? 0 : (float)rng_normal(&rnd);
		for (int64_t i = 0; i < MLP_ITEMS; i++)
			mlp_items[i] = (int32_t)(i * 7 % MLP_FEAT_ROWS);
		c.a = rand_param(&c.set, 5, 3, 1);
		c.b = rand_param(&c.set, 4, 3, 1);
		c.c = rand_param(&c.set, 1, 3, 1);
		memcpy(c.idx, idx, sizeof idx);
		c.n = 3;
		c.variant = variant;
		np = ad_params_count(&c.set);
		g1 = malloc(np * sizeof *g1);
		/* values and every gradient, fused and not */
		ad_params_zero_grad(&c.set);
		ad_tape_reset(&tape);
		fused = ad_l2norm_mlp(&tape, &c.a->t, 3, c.idx, mlp_feat, 4, MLP_ITEMS, mlp_items,
		    &c.b->t, variant ? NULL : &c.c->t);
		unfused = l2norm_mlp_unfused(&tape, &c);
		for (int64_t k = 0; k < fused->rows * fused->cols; k++)
			if (fabs(fused->val[k] - unfused->val[k]) > worst)
				worst = fabs(fused->val[k] - unfused->val[k]);
		ad_tape_reset(&tape);
		ad_backward(&tape, f_l2norm_mlp(&tape, &c));
		for (size_t k = 0, at = 0; k < c.set.n; k++)
			for (int64_t j = 0; j < c.set.p[k]->t.rows * c.set.p[k]->t.cols; j++)
				g1[at++] = c.set.p[k]->t.grad[j];
		ad_params_zero_grad(&c.set);
		ad_tape_reset(&tape);
		ad_backward(&tape, project(&tape, l2norm_mlp_unfused(&tape, &c)));
		for (size_t k = 0, at = 0; k < c.set.n; k++)
			for (int64_t j = 0; j < c.set.p[k]->t.rows * c.set.p[k]->t.cols; j++, at++)
				if (fabs(g1[at] - c.set.p[k]->t.grad[j]) > worst_g)
					worst_g = fabs(g1[at] - c.set.p[k]->t.grad[j]);
		OK(worst <= 1e-11 && worst_g <= 1e-11, "l2norm_mlp%s: values and gradients of "
		    "the unfused ops (apart by %.1e and %.1e)", variant ? " without a bias" : "",
		    worst, worst_g);
		check(variant ? "l2norm_mlp without a bias, zero rows" : "l2norm_mlp", &c.set,
		    f_l2norm_mlp, &c);
		free(g1);
		ctx_free(&c);
	}
}

/* x0 as a layer reads it, agg = A x0 and self = rows of x0, with x0's gradient pulled
 * by its op (ad_pull_grad) or written whole by theirs.  x0 is ad_l2norm_mlp's case of
 * test_l2norm_mlp (1,103 rows: three pulled blocks); A is 40 x 1103 with 6 random
 * entries a row, self 600 rows with repeats.  variant bit 0: pulled; bit 1: x0 also
 * read whole by the loss (a third reader, whose gradient the pull adds first); bit 2:
 * self made before agg. */
#define PULL_AGG 40
#define PULL_SELF 600
static int32_t pull_self[PULL_SELF];

static struct ad_tensor *f_pull(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	struct ad_tensor *x0, *parts[3];
	int np = 0;
	x0 = ad_l2norm_mlp(t, &c->a->t, c->n, c->idx, mlp_feat, 4, MLP_ITEMS, mlp_items,
	    &c->b->t, &c->c->t);
	ad_transpose(t, &c->sp, c->wt, &c->spt, &c->y_t);
	if (c->variant & 4) {
		/* self made first, as a layer makes it */
		parts[1] = ad_gather(t, x0, PULL_SELF, pull_self);
		parts[0] = ad_spmm_t(t, &c->sp, c->wt, &c->spt, c->y_t, x0);
	} else {
		parts[0] = ad_spmm_t(t, &c->sp, c->wt, &c->spt, c->y_t, x0);
		parts[1] = ad_gather(t, x0, PULL_SELF, pull_self);
	}
	np = 2;
	if (c->variant & 2)
		parts[np++] = x0;
	if (c->variant & 1)
		ad_pull_grad(t, x0, parts[0], parts[1]);
	return project(t, ad_concat_rows(t, np, parts));
}

static void test_pull_grad(void)
{
	int32_t *r = malloc(PULL_AGG * 6 * sizeof *r), *col = malloc(PULL_AGG * 6 * sizeof *col);
	static const int32_t idx[] = { 3, 0, 4 };
	for (int k = 0; k < PULL_AGG * 6; k++) {
		r[k] = k / 6;
		col[k] = (int32_t)(rng_uniform(&rnd) * (3 + MLP_ITEMS));
	}
	for (int q = 0; q < PULL_SELF; q++)
		pull_self[q] = (int32_t)(rng_uniform(&rnd) * (3 + MLP_ITEMS));
	for (int64_t k = 0; k < MLP_FEAT_ROWS * 4; k++)
		mlp_feat[k] = (float)rng_normal(&rnd);
	for (int64_t i = 0; i < MLP_ITEMS; i++)
		mlp_items[i] = (int32_t)(i * 7 % MLP_FEAT_ROWS);
	for (int v = 0; v < 4; v++) {
		int other = v & 1, order = v >> 1;
		struct ctx c = { 0 };
		size_t np;
		real *g0;
		int64_t differ = 0;
		char name[64];
		c.a = rand_param(&c.set, 5, 3, 1);
		c.b = rand_param(&c.set, 4, 3, 1);
		c.c = rand_param(&c.set, 1, 3, 1);
		memcpy(c.idx, idx, sizeof idx);
		c.n = 3;
		csr_build(&c.sp, PULL_AGG, 3 + MLP_ITEMS, PULL_AGG * 6, r, col, 0);
		c.wt = malloc(PULL_AGG * 6 * sizeof *c.wt);
		for (int k = 0; k < PULL_AGG * 6; k++)
			c.wt[k] = (real)(0.1 + rng_uniform(&rnd));
		np = ad_params_count(&c.set);
		g0 = malloc(np * sizeof *g0);
		for (int pulled = 0; pulled < 2; pulled++) {
			c.variant = pulled | other << 1 | order << 2;
			ad_params_zero_grad(&c.set);
			ad_tape_reset(&tape);
			ad_backward(&tape, f_pull(&tape, &c));
			for (size_t k = 0, at = 0; k < c.set.n; k++)
				for (int64_t j = 0; j < c.set.p[k]->t.rows * c.set.p[k]->t.cols; j++, at++)
					if (!pulled)
						g0[at] = c.set.p[k]->t.grad[j];
					else
						differ += g0[at] != c.set.p[k]->t.grad[j];
		}
		snprintf(name, sizeof name, "pull_grad%s%s", other ? " with a third reader" : "",
		    order ? ", self made first" : "");
		OK(differ == 0, "%s: the gradients of the ops' own backward passes, bit for bit "
		    "(%lld differ)", name, (long long)differ);
		check(name, &c.set, f_pull, &c);
		free(g0);
		free(c.wt);
		c.wt = NULL;
		ctx_free(&c);
	}
	free(r);
	free(col);
}

/* A [X; H]: X the parameter (3 x 3), H a constant of 4 rows read from c->y. */
static struct ad_tensor *f_spmm_hist(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	const real *w = c->variant & 1 ? c->w : NULL;
	ad_transpose_cols(t, &c->sp, w, c->a->t.rows, &c->spt, &c->wt);
	return project(t, ad_spmm_hist(t, &c->sp, w, &c->spt, c->wt, &c->a->t, c->y, 4));
}

/* spmm_hist against the sums written out, and its gradient: H takes none, X the
 * gradient of its own columns. */
static void test_spmm_hist(void)
{
	/* 4 x 7: columns 0-2 rows of X, 3-6 rows of H; row 0 repeats X's row 1 and reads
	 * H, row 1 is empty, row 3 reads H alone */
	static const int32_t rows[] = { 0, 0, 0, 0, 2, 2, 3, 3 }, cols[] = { 1, 1, 4, 6, 0, 2, 3, 5 };
	for (int v = 0; v < 2; v++) {
		struct ctx c = { 0 };
		struct ad_tensor *out;
		double worst = 0;
		c.a = rand_param(&c.set, 3, 3, 1);
		csr_build(&c.sp, 4, 7, 8, rows, cols, 0);
		for (int k = 0; k < 8; k++)
			c.w[k] = (real)rng_normal(&rnd);
		for (int k = 0; k < 12; k++)
			c.y[k] = (real)rng_normal(&rnd);
		c.variant = v;
		ad_tape_reset(&tape);
		ad_transpose_cols(&tape, &c.sp, v ? c.w : NULL, 3, &c.spt, &c.wt);
		out = ad_spmm_hist(&tape, &c.sp, v ? c.w : NULL, &c.spt, c.wt, &c.a->t, c.y, 4);
		for (int64_t r = 0; r < 4; r++)
			for (int j = 0; j < 3; j++) {
				double e = 0;
				for (int64_t k = c.sp.off[r]; k < c.sp.off[r + 1]; k++) {
					int32_t col = c.sp.idx[k];
					double x = col < 3 ? c.a->t.val[col * 3 + j] : c.y[(col - 3) * 3 + j];
					e += (v ? c.w[k] : 1) * x;
				}
				if (fabs(out->val[r * 3 + j] - e) > worst)
					worst = fabs(out->val[r * 3 + j] - e);
			}
		/* the same sums in the same order: only the last bits of double may move */
		OK(worst <= 1e-14, "spmm_hist%s: values are the sums over X's and H's rows "
		    "(max error %.1e)", v ? ", weighted" : "", worst);
		check(v ? "spmm_hist, weighted" : "spmm_hist, unit weights", &c.set, f_spmm_hist, &c);
		ctx_free(&c);
	}
}

static void test_sparse(void)
{
	struct ctx c = { 0 };
	static const int32_t rows[] = { 0, 0, 0, 2, 2, 3, 4 }, cols[] = { 1, 4, 4, 0, 3, 4, 2 };
	static const int32_t rows2[] = { 0, 0, 1, 1, 1, 2, 3, 3 }, cols2[] = { 0, 1, 1, 2, 4, 3, 0, 4 };

	c.a = rand_param(&c.set, 3, 4, 1);
	c.b = rand_param(&c.set, 1, 4, 1);
	check("add_row (bias)", &c.set, f_add_row, &c);
	ctx_free(&c);

	for (int v = 0; v < 2; v++) {
		static const int32_t idx[] = { 4, 1, 1, 0, 4, 2 };
		c.a = rand_param(&c.set, 5, 3, 1);
		memcpy(c.idx, idx, sizeof idx);
		c.n = 6;
		c.variant = v;
		check(v ? "gather, then gather of an intermediate" : "gather with repeated rows",
		    &c.set, f_gather, &c);
		ctx_free(&c);
	}

	/* bags: row 1 empty, row 0 repeats id 4 */
	for (int v = 0; v < 4; v++) {
		static const char *names[] = { "bag mean", "bag mean, weighted",
			"bag mean of selected bags", "bag mean, weighted, selected bags" };
		static const int32_t sel[] = { 3, 0, 3, 2, 1 };
		c.a = rand_param(&c.set, 5, 3, 1);
		csr_build(&c.sp, 5, 5, 7, rows, cols, 0);
		for (int k = 0; k < 7; k++)
			c.w[k] = (real)(0.5 + rng_uniform(&rnd));
		memcpy(c.idx, sel, sizeof sel);
		c.n = 5;
		c.variant = v;
		check(names[v], &c.set, f_bag, &c);
		ctx_free(&c);
	}

	/* spmm: a 4 x 5 matrix with a repeated entry and an empty row, X 5 x 3 */
	for (int v = 0; v < 4; v++) {
		static const char *names[] = { "spmm, unit weights", "spmm, weighted",
			"spmm_t, unit weights", "spmm_t, weighted" };
		c.a = rand_param(&c.set, 5, 3, 1);
		csr_build(&c.sp, 4, 5, 8, rows2, cols2, 0);
		for (int k = 0; k < 8; k++)
			c.w[k] = (real)rng_normal(&rnd);
		c.variant = v;
		check(names[v], &c.set, f_spmm, &c);
		ctx_free(&c);
	}
}

/* ---- losses ---- */

static struct ad_tensor *f_loss(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	struct ad_tensor *xs[3] = { &c->a->t, &c->b->t, &c->c->t };
	const real *w = c->variant & 1 ? c->w : NULL;
	switch (c->variant >> 1) {
	case 0: return ad_bce_logits(t, xs[0], c->y, w);
	case 1: return ad_bce_prod_sigmoid(t, 1, xs, c->y, w);
	case 2: return ad_bce_prod_sigmoid(t, 2, xs, c->y, w);
	case 3: return ad_bce_prod_sigmoid(t, 3, xs, c->y, w);
	case 4: return ad_bpr(t, xs[0], xs[1]);
	default: return ad_sq_error(t, xs[0], c->y, w);
	}
}

static void test_losses(void)
{
	static const char *names[] = { "bce_logits", "bce_prod_sigmoid k=1",
		"bce_prod_sigmoid k=2", "bce_prod_sigmoid k=3", "bpr", "sq_error" };
	for (int v = 0; v < 12; v++) {
		struct ctx c = { 0 };
		char name[80];
		if (v >> 1 == 4 && (v & 1))
			continue; /* bpr takes no weights */
		c.a = rand_param(&c.set, 8, 1, 3);
		c.b = rand_param(&c.set, 8, 1, 3);
		c.c = rand_param(&c.set, 8, 1, 3);
		for (int k = 0; k < 8; k++) {
			/* hard labels and soft ones (multi-dr's imputed targets) */
			c.y[k] = k < 3 ? 1 : k < 6 ? 0 : (real)rng_uniform(&rnd);
			c.w[k] = (real)(rng_uniform(&rnd) * 2 - 0.5); /* dr weights can be < 0 */
		}
		c.variant = v;
		snprintf(name, sizeof name, "%s%s", names[v >> 1], v & 1 ? ", weighted" : "");
		check(name, &c.set, f_loss, &c);
		ctx_free(&c);
	}
}

/* The BPR loss against its definition: -mean log sigmoid(pos - neg). */
static void test_bpr_value(void)
{
	struct ctx c = { 0 };
	static const double pos[] = { 2, -1, 0.5, 30 }, neg[] = { -1, 3, 0.5, -30 };
	double want = 0;
	struct ad_tensor *l;
	c.a = ad_param_new(&c.set, "pos", 4, 1);
	c.b = ad_param_new(&c.set, "neg", 4, 1);
	for (int k = 0; k < 4; k++) {
		c.a->t.val[k] = (real)pos[k];
		c.b->t.val[k] = (real)neg[k];
		want -= log(1 / (1 + exp(-(pos[k] - neg[k])))) / 4;
	}
	ad_tape_reset(&tape);
	l = ad_bpr(&tape, &c.a->t, &c.b->t);
	NEAR(l->val[0], want, 1e-15, "bpr value is -mean log sigmoid(pos - neg)");
	ad_backward(&tape, l);
	/* d/dpos = -sigmoid(neg - pos) / n */
	NEAR(c.a->t.grad[1], -1 / (1 + exp(-4.0)) / 4, 1e-15, "bpr d/dpos");
	NEAR(c.b->t.grad[1], 1 / (1 + exp(-4.0)) / 4, 1e-15, "bpr d/dneg");
	ctx_free(&c);
}

/* ---- the product of sigmoids at extreme logits ---- */

/* Reference by another road, in long double: p as the product itself, 1 - p as
 * 1 - p while p < 1/2 and else by the recurrence r_k = r_{k-1} + q_k (1 - r_{k-1})
 * with q_k = sigmoid(-x_k) (no cancellation near p = 1), log(1 - p) as
 * log1p(-p) or log(r) likewise; d log(1 - p) / d x_k = -p q_k / (1 - p). */
static void prod_reference(int k, const double *x, double y, long double *loss,
    long double *grad)
{
	long double p = 1, r = 0, logp = 0, log1mp;
	for (int j = 0; j < k; j++) {
		long double q = 1 / (1 + expl((long double)x[j]));
		p *= 1 / (1 + expl(-(long double)x[j]));
		r = r + q * (1 - r);
		logp -= log1pl(expl(-(long double)x[j]));
	}
	if (p < 0.5L) {
		r = 1 - p;
		log1mp = log1pl(-p);
	} else {
		log1mp = logl(r);
	}
	*loss = -(y * logp + (1 - y) * log1mp);
	for (int j = 0; j < k; j++) {
		long double q = 1 / (1 + expl((long double)x[j]));
		grad[j] = -(y * q - (1 - y) * p * q / r);
	}
}

static int rel_ok(double got, long double want, double rtol, double atol)
{
	return isfinite(got) && fabsl((long double)got - want) <= rtol * fabsl(want) + atol;
}

static struct ad_tensor *f_prod(struct ad_tape *t, void *v)
{
	struct ctx *c = v;
	struct ad_tensor *xs[3] = { &c->a->t, &c->b->t, &c->c->t };
	return ad_bce_prod_sigmoid(t, c->variant, xs, c->y, NULL);
}

static double rel_err(double got, long double want)
{
	return want == 0 ? fabs(got) : (double)(fabsl((long double)got - want) / fabsl(want));
}

static void test_prod_extreme(void)
{
	static const double v[] = { 30, -30, 80, -80, 0.5 };
	static const double labels[] = { 0, 1, 0.3 };
	int n_ok = 0, n = 0, finite = 1;
	double worst_fd = 0, worst_abs = 0, worst_rel = 0;
	for (int k = 2; k <= 3; k++)
		for (int a = 0; a < 5; a++)
			for (int b = 0; b < 5; b++)
				for (int li = 0; li < 3; li++) {
					struct ctx c = { 0 };
					struct ad_tensor *l, *xs[3];
					double x[3] = { v[a], v[b], v[(a + b) % 5] }, abs_err, r;
					long double want, wg[3];
					int ok;
					c.a = ad_param_new(&c.set, "x1", 1, 1);
					c.b = ad_param_new(&c.set, "x2", 1, 1);
					c.c = ad_param_new(&c.set, "x3", 1, 1);
					xs[0] = &c.a->t, xs[1] = &c.b->t, xs[2] = &c.c->t;
					for (int j = 0; j < 3; j++)
						xs[j]->val[0] = (real)x[j];
					c.y[0] = (real)labels[li];
					c.variant = k;
					ad_tape_reset(&tape);
					l = f_prod(&tape, &c);
					ad_backward(&tape, l);
					prod_reference(k, x, labels[li], &want, wg);
					/* The loss can be ~1e-70 (p ~ e^-160 with label 0): relative,
					 * with an absolute floor far below anything that matters. */
					ok = rel_ok(l->val[0], want, 1e-13, 1e-300);
					worst_rel = fmax(worst_rel, rel_err(l->val[0], want));
					finite &= isfinite(l->val[0]);
					for (int j = 0; j < k; j++) {
						ok &= rel_ok(xs[j]->grad[0], wg[j], 1e-13, 1e-300);
						worst_rel = fmax(worst_rel, rel_err(xs[j]->grad[0], wg[j]));
						finite &= isfinite(xs[j]->grad[0]);
					}
					if (!ok)
						printf("# k=%d x=(%g, %g, %g) y=%g: loss %.17g, want %.17Lg\n",
						    k, x[0], x[1], x[2], labels[li], l->val[0], want);
					n_ok += ok, n++;
					r = fd_check(&c.set, f_prod, &c, &abs_err);
					worst_fd = r > worst_fd ? r : worst_fd;
					worst_abs = abs_err > worst_abs ? abs_err : worst_abs;
					ctx_free(&c);
				}
	OK(finite, "product of sigmoids: finite loss and gradient at logits +-30, +-80");
	OK(n_ok == n, "product of sigmoids at extreme logits: %d of %d cases match the long "
	    "double reference within 1e-13 relative (worst %.1e)", n_ok, n, worst_rel);
	OK(worst_fd <= 1, "product of sigmoids at extreme logits: gradient matches finite "
	    "differences (max error %.1e, %.2g of tolerance)", worst_abs, worst_fd);
}

/* ---- the composite chain ---- */

struct chain_ctx {
	struct chain *c;
	int which;
};

static struct ad_tensor *f_chain(struct ad_tape *t, void *v)
{
	struct chain_ctx *cc = v;
	return chain_loss(t, cc->c, cc->which);
}

static real *grads_copy(const struct ad_params *set)
{
	size_t at = 0;
	real *g = malloc(ad_params_count(set) * sizeof *g);
	for (size_t k = 0; k < set->n; k++) {
		size_t n = (size_t)(set->p[k]->t.rows * set->p[k]->t.cols);
		memcpy(g + at, set->p[k]->t.grad, n * sizeof *g);
		at += n;
	}
	return g;
}

static void test_chain(void)
{
	static const char *names[] = { "bce_logits", "bce_prod_sigmoid", "bpr", "sq_error",
		"all losses" };
	struct chain c;
	struct chain_ctx cc = { &c, 0 };
	struct ad_tape other;
	real *g1, *g2;
	int nonzero = 1;
	chain_init(&c, 7);
	for (cc.which = 0; cc.which < N_LOSSES; cc.which++) {
		char name[120];
		snprintf(name, sizeof name, "chain gather > bag mean > matmul > bias > l2norm > "
		    "leaky_relu > spmm > rowdot > %s", names[cc.which]);
		check(name, &c.set, f_chain, &cc);
	}

	/* every parameter takes part: each has some non-zero gradient */
	cc.which = LOSS_ALL;
	ad_params_zero_grad(&c.set);
	ad_tape_reset(&tape);
	ad_backward(&tape, chain_loss(&tape, &c, LOSS_ALL));
	for (size_t k = 0; k < c.set.n; k++) {
		double s = 0;
		for (int64_t j = 0; j < c.set.p[k]->t.rows * c.set.p[k]->t.cols; j++)
			s += fabs(c.set.p[k]->t.grad[j]);
		nonzero &= s > 0;
	}
	OK(nonzero, "chain: every one of %zu parameters receives a gradient", c.set.n);

	/* determinism: the same step on another tape (other addresses) */
	g1 = grads_copy(&c.set);
	ad_params_zero_grad(&c.set);
	ad_tape_init(&other);
	ad_backward(&other, chain_loss(&other, &c, LOSS_ALL));
	g2 = grads_copy(&c.set);
	OK(!memcmp(g1, g2, ad_params_count(&c.set) * sizeof *g1),
	    "chain: the same step twice gives bit-identical gradients");
	ad_tape_free(&other);
	free(g1);
	free(g2);

	/* frozen: reference MMGCN never trains id_emb */
	ad_param_freeze(c.id);
	ad_params_zero_grad(&c.set);
	ad_tape_reset(&tape);
	ad_backward(&tape, chain_loss(&tape, &c, LOSS_ALL));
	{
		double s = 0;
		for (int j = 0; j < CH_NODES * CH_D; j++)
			s += fabs(c.id->t.grad[j]);
		OK(s == 0, "a frozen parameter receives no gradient");
	}
	check("chain with id_emb frozen", &c.set, f_chain, &cc);
	chain_free(&c);
}

static void test_memory(void)
{
	struct chain c;
	struct ad_tape t;
	void *arena;
	size_t size, cap;
	int stable = 1;
	chain_init(&c, 3);
	ad_tape_init(&t);
	for (int step = 0; step < 2; step++) {
		ad_tape_reset(&t);
		ad_backward(&t, chain_loss(&t, &c, LOSS_ALL));
	}
	ad_tape_reset(&t);
	arena = t.arena, size = t.arena_size, cap = t.cap_nodes;
	for (int step = 0; step < 10; step++) {
		ad_tape_reset(&t);
		ad_backward(&t, chain_loss(&t, &c, LOSS_ALL));
		stable &= t.n_spill == 0 && t.arena == arena && t.arena_size == size &&
		    t.cap_nodes == cap;
	}
	OK(stable && size > 0, "after warm-up a step allocates nothing (arena %zu bytes, %zu nodes)",
	    size, t.n_nodes);
	ad_tape_free(&t);
	chain_free(&c);
}

static void test_misc(void)
{
	struct ad_params set = { 0 };
	struct ad_param *a = rand_param(&set, 3, 4, 1), *z = ad_param_new(&set, "zero", 2, 3);
	struct ad_tensor *l, *y;
	real *snap;
	int ok = 1;

	/* stop_grad: d/da sum(a * sg(a)) = sg(a), where the finite difference says 2a */
	ad_tape_reset(&tape);
	ad_backward(&tape, ad_sum_all(&tape, ad_mul(&tape, &a->t, ad_stop_grad(&tape, &a->t))));
	for (int j = 0; j < 12; j++)
		ok &= a->t.grad[j] == a->t.val[j];
	OK(ok, "stop_grad passes values and blocks the gradient");

	/* a zero row normalises to zero, and its gradient through the clamp is finite */
	z->t.val[3] = 2;
	ad_params_zero_grad(&set);
	ad_tape_reset(&tape);
	y = ad_l2norm_rows(&tape, &z->t);
	ad_backward(&tape, project(&tape, y));
	OK(y->val[0] == 0 && y->val[1] == 0 && y->val[2] == 0 && y->val[3] == 1,
	    "l2norm of a zero row is zero, of (2, 0, 0) is (1, 0, 0)");
	OK(z->t.grad[0] == proj_w[0] / 1e-12 && ad_params_finite(&set),
	    "l2norm of a zero row: gradient dy / 1e-12 as torch's clamp_min");

	ad_tape_reset(&tape);
	l = ad_const(&tape, 2, 2);
	l->val[0] = 1, l->val[1] = 2, l->val[2] = -3, l->val[3] = 0;
	ok = ad_all_finite(l);
	l->val[2] = (real)NAN;
	ok &= !ad_all_finite(l);
	l->val[2] = (real)-INFINITY;
	ok &= !ad_all_finite(l);
	OK(ok, "ad_all_finite tells finite from NaN and infinity");
	a->t.grad[5] = (real)NAN;
	OK(!ad_params_finite(&set), "ad_params_finite sees a NaN gradient");

	snap = ad_params_save(&set, NULL);
	a->t.val[7] = 99;
	z->t.val[0] = -1;
	ad_params_load(&set, snap);
	OK(a->t.val[7] != 99 && z->t.val[0] == 0 && z->t.val[3] == 2 &&
	    snap[ad_params_count(&set) - 3] == 2, "save and load restore every value");
	free(snap);
	ad_params_free(&set);
}

/* The chain's loss and gradients, one number a line, for the float build's test. */
static int dump_chain(void)
{
	struct chain c;
	struct ad_tensor *l;
	chain_init(&c, 11);
	ad_tape_reset(&tape);
	l = chain_loss(&tape, &c, LOSS_ALL);
	ad_backward(&tape, l);
	printf("%.17g\n", l->val[0]);
	for (size_t k = 0; k < c.set.n; k++)
		for (int64_t j = 0; j < c.set.p[k]->t.rows * c.set.p[k]->t.cols; j++)
			printf("%.17g\n", c.set.p[k]->t.grad[j]);
	chain_free(&c);
	return 0;
}

int main(int argc, char **argv)
{
	rng_init(&rnd, 1, 0);
	for (size_t k = 0; k < sizeof proj_w / sizeof *proj_w; k++)
		proj_w[k] = (real)rng_normal(&rnd);
	ad_tape_init(&tape);
	if (argc > 1 && !strcmp(argv[1], "--dump-chain"))
		return dump_chain();
	test_matmul();
	test_elementwise();
	test_sparse();
	test_spmm_hist();
	test_l2norm_stack();
	test_l2norm_mlp();
	test_pull_grad();
	test_fused();
	test_losses();
	test_bpr_value();
	test_prod_extreme();
	test_chain();
	test_memory();
	test_misc();
	ad_tape_free(&tape);
	return tap_done();
}
