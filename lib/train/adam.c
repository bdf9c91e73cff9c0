/* adam.c: Adam, the optimiser of every method, and its step shared out over threads in
 * ranges of parameters. */
#include "train/adam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/pool.h"
#include "common/util.h"

#ifdef HCR_REAL_DOUBLE
#define sqrt_r sqrt
#else
#define sqrt_r sqrtf
#endif

static int64_t numel(const struct ad_tensor *t)
{
	return t->rows * t->cols;
}

void adam_init(struct adam *opt, double lr, double weight_decay)
{
	opt->lr = lr;
	opt->beta1 = 0.9;
	opt->beta2 = 0.999;
	opt->eps = 1e-8;
	opt->weight_decay = weight_decay;
	opt->step = 0;
}

/* Square roots of a block, several at a time where SSE2 is there: a loop of sqrtf
 * does not vectorise, since sqrtf may set errno.  Both are correctly rounded, so
 * the results are the same either way. */
static void sqrt_block(real *x, int n)
{
	int i = 0;
#if defined(__SSE2__) && defined(HCR_REAL_DOUBLE)
	for (; i + 2 <= n; i += 2)
		_mm_storeu_pd(x + i, _mm_sqrt_pd(_mm_loadu_pd(x + i)));
#elif defined(__SSE2__)
	for (; i + 4 <= n; i += 4)
		_mm_storeu_ps(x + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
#endif
	for (; i < n; i++)
		x[i] = sqrt_r(x[i]);
}

#define ADAM_BLOCK 256

void adam_next(struct adam *opt)
{
	opt->step++;
}

/* The constants of an update at the optimiser's step. */
struct adam_consts {
	real wd, w1, b2, w2, eps, step_size, bc2_sqrt;
};

/* Entries [i, i + nb) of an update.  Inlined with nb the constant ADAM_BLOCK, the loops
 * have no remainder and -O2 vectorises them (which it does not with a variable count);
 * every lane does the scalar loop's operations, so the numbers are the same. */
static inline __attribute__((always_inline)) void update_block(const struct adam_consts *c,
    real *restrict th, real *restrict g, real *restrict m, real *restrict v, int nb)
{
	real den[ADAM_BLOCK];
	/* The order of operations is torch's single-tensor Adam: grad.add(param,
	 * alpha=wd); exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2)
	 * .addcmul_(grad, grad, 1 - beta2); param.addcdiv_(exp_avg,
	 * exp_avg_sq.sqrt() / sqrt(bc2) + eps, -lr / bc1). */
	for (int j = 0; j < nb; j++) {
		real gi = g[j] + c->wd * th[j];
		m[j] = m[j] + c->w1 * (gi - m[j]);
		v[j] = v[j] * c->b2 + c->w2 * gi * gi;
		den[j] = v[j];
	}
	sqrt_block(den, nb);
	for (int j = 0; j < nb; j++) {
		th[j] = th[j] - c->step_size * (m[j] / (den[j] / c->bc2_sqrt + c->eps));
		g[j] = 0;
	}
}

/* The update of entries [i0, i1) of p; with check, each block of entries is first
 * checked finite (values and gradients) while it is in cache, and a non-finite one
 * stops the update there: -1.  The numbers are those of an update without the check. */
static int update(const struct adam *opt, struct ad_param *p, int64_t i0, int64_t i1, int check)
{
	double bc1 = 1 - pow(opt->beta1, (double)opt->step);
	double bc2 = 1 - pow(opt->beta2, (double)opt->step);
	struct adam_consts c = {
		.wd = (real)opt->weight_decay, .w1 = (real)(1 - opt->beta1),
		.b2 = (real)opt->beta2, .w2 = (real)(1 - opt->beta2), .eps = (real)opt->eps,
		.step_size = (real)(opt->lr / bc1), .bc2_sqrt = (real)sqrt(bc2),
	};
	real *th = p->t.val, *g = p->t.grad;
	if (p->frozen)
		return 0;
	if (i1 > numel(&p->t))
		i1 = numel(&p->t);
	for (int64_t b0 = i0; b0 < i1; b0 += ADAM_BLOCK) {
		int nb = i1 - b0 < ADAM_BLOCK ? (int)(i1 - b0) : ADAM_BLOCK;
		if (check && (!ad_finite(th + b0, (size_t)nb) || !ad_finite(g + b0, (size_t)nb)))
			return -1;
		if (nb == ADAM_BLOCK)
			update_block(&c, th + b0, g + b0, p->m + b0, p->v + b0, ADAM_BLOCK);
		else
			update_block(&c, th + b0, g + b0, p->m + b0, p->v + b0, nb);
	}
	return 0;
}

/* 1 when n reals are all zero. */
static int all_zero(const real *g, int64_t n)
{
	int nz = 0;
	for (int64_t i = 0; i < n; i++)
		nz |= g[i] != 0;
	return !nz;
}

/* Whether row r of p has a gradient; mark: the rows that may (NULL: any). */
static int has_grad(const struct ad_param *p, const uint8_t *mark, int64_t r)
{
	return (!mark || mark[r]) && !all_zero(p->t.grad + r * p->t.cols, p->t.cols);
}

/* The update of a lazy table's rows [r0, r1): those with a gradient, as update() does
 * them; a row whose gradient is zero keeps its value and moments (LazyAdam).  A table
 * that tracks its rows (ad_param_track_rows) has a gradient only in the rows its ops
 * marked, unless one wrote it whole: only those are looked at, the result is the
 * scan's, and the marks are cleared for the next step. */
static int update_rows(const struct adam *opt, struct ad_param *p, int64_t r0, int64_t r1,
    int check)
{
	const uint8_t *mark = p->t.touched && !p->t.touched_all ? p->t.touched : NULL;
	int64_t d = p->t.cols, r = r0;
	while (r < r1) {
		int64_t e;
		if (!has_grad(p, mark, r)) {
			/* its value is as it was when last checked */
			r++;
			continue;
		}
		/* a run of rows with gradients, in one call */
		for (e = r + 1; e < r1 && has_grad(p, mark, e); e++)
			;
		if (update(opt, p, r * d, e * d, check) != 0)
			return -1;
		r = e;
	}
	if (p->t.touched)
		memset(p->t.touched + r0, 0, (size_t)(r1 - r0));
	return 0;
}

void adam_update(const struct adam *opt, struct ad_param *p, int64_t i0, int64_t i1)
{
	update(opt, p, i0, i1, 0);
}

/* After a step's ranges: the tables' next gradients start unwritten. */
static void untouch_all(struct ad_params *set)
{
	for (size_t k = 0; k < set->n; k++)
		set->p[k]->t.touched_all = 0;
}

void adam_step(struct adam *opt, struct ad_params *set)
{
	adam_next(opt);
	for (size_t k = 0; k < set->n; k++) {
		struct ad_param *p = set->p[k];
		if (p->lazy && p->t.cols > 0)
			update_rows(opt, p, 0, p->t.rows, 0);
		else
			adam_update(opt, p, 0, numel(&p->t));
	}
	untouch_all(set);
}

#define ADAM_CHUNK 65536

/* The entries of p's ranges: whole rows for a lazy table. */
static int64_t chunk_of(const struct ad_param *p)
{
	int64_t d = p->t.cols > 0 ? p->t.cols : 1;
	return p->lazy && d < ADAM_CHUNK ? ADAM_CHUNK / d * d : ADAM_CHUNK;
}

void adam_ranges_init(struct adam_ranges *jb, struct adam *opt, struct ad_params *set)
{
	jb->opt = opt;
	jb->set = set;
	jb->first = xmalloc((set->n + 1) * sizeof *jb->first);
	jb->ranges = 0;
	for (size_t k = 0; k < set->n; k++) {
		int64_t c = chunk_of(set->p[k]);
		jb->first[k] = jb->ranges;
		jb->ranges += (set->p[k]->t.rows * set->p[k]->t.cols + c - 1) / c;
	}
	jb->first[set->n] = jb->ranges;
	atomic_init(&jb->bad, 0);
}

static void adam_task(void *ctx, int64_t r)
{
	struct adam_ranges *jb = ctx;
	int64_t lo = adam_range_param(jb, r);
	struct ad_param *p;
	int64_t i0, i1, n;
	p = jb->set->p[lo];
	n = p->t.rows * p->t.cols;
	i0 = (r - jb->first[lo]) * chunk_of(p);
	i1 = i0 + chunk_of(p) < n ? i0 + chunk_of(p) : n;
	/* checked block by block as it goes, so that values and gradients are read once
	 * from memory: a non-finite one ends the run, whatever was updated before it */
	if (p->lazy && p->t.cols > 0 ? update_rows(jb->opt, p, i0 / p->t.cols, i1 / p->t.cols, 1)
	                             : update(jb->opt, p, i0, i1, 1))
		atomic_store(&jb->bad, 1);
}

void adam_range(struct adam_ranges *ar, int64_t r)
{
	adam_task(ar, r);
}

int adam_ranges_end(struct adam_ranges *ar)
{
	untouch_all(ar->set);
	return atomic_load(&ar->bad) ? -1 : 0;
}

int adam_run_ranges(struct adam_ranges *ar, struct pool *pool)
{
	pool_run(pool, ar->ranges, adam_task, ar);
	return adam_ranges_end(ar);
}

int adam_step_ranges(struct adam_ranges *ar, struct pool *pool)
{
	adam_next(ar->opt);
	return adam_run_ranges(ar, pool);
}

int64_t adam_range_param(const struct adam_ranges *ar, int64_t r)
{
	size_t lo = 0, hi = ar->set->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (ar->first[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return (int64_t)lo;
}

void adam_ranges_free(struct adam_ranges *ar)
{
	free(ar->first);
	ar->first = NULL;
}
