/* autodiff.c: the tape, its arena, every op's forward and backward, Adam. */
#if defined(__GNUC__) && !defined(__clang__)
/* The loops run over rows of 64-128 entries and over millions of parameters; at
 * -O2 GCC vectorises a loop only when it needs no scalar epilogue, and a select
 * such as LeakyReLU's only when comparisons are not taken to trap (nothing here
 * enables floating-point traps). */
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "train/autodiff.h"

#include <cblas.h>
#undef I
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/numeric.h"
#include "common/pool.h"
#include "common/util.h"

#define ALIGN 64
#define L2_EPS 1e-12

enum op {
	OP_MATMUL,
	OP_AFFINE, /* xs = { x, w, b or NULL, addends... }, s the LeakyReLU slope (1: none) */
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_SCALE,
	OP_ADD_ROW,
	OP_SUM_OF,
	OP_CONCAT_ROWS,
	OP_CONCAT_COLS,
	OP_GATHER,
	OP_BAG_MEAN,
	OP_SPMM,
	OP_L2NORM, /* s: a LeakyReLU slope after it (1: none) */
	OP_L2NORM_STACK, /* xs the parts, counts and idxs their rows */
	OP_L2NORM_MLP, /* a the table read by idx (n rows), b the weight, xs[0] the bias */
	OP_LEAKY_RELU,
	OP_SIGMOID,
	OP_SOFTPLUS,
	OP_LOG_SIGMOID,
	OP_ROWDOT,
	OP_SUM_ALL,
	OP_LOSS, /* d xs[k]_i += d out * aux[k n + i], derivatives kept from the forward */
};

struct ad_node {
	enum op op;
	struct ad_tensor *out, *a, *b;
	struct ad_tensor **xs;
	int n_xs;
	int ta, tb;
	double s;            /* scale or slope */
	int64_t n;
	const int32_t *idx;  /* gather rows, bag selection */
	const struct csr *sp;
	const real *w;
	const struct csr *spt; /* spmm: the transpose of sp, or NULL */
	const real *wt;
	real *aux;           /* saved per-op numbers: row norms, bag scales, loss slopes */
	const int64_t *counts;        /* l2norm_stack: each part's rows */
	const int32_t *const *idxs;   /* l2norm_stack: each part's row indices, or NULL */
	int deferred;                 /* spmm, gather: a pulled op adds its gradient */
	int pulled;                   /* its output's gradient comes from these two: */
	int64_t pull_spmm, pull_gather;  /* node indices (ad_pull_grad) */
	const float *feat;            /* l2norm_mlp: the constant rows, fdim wide */
	int64_t fdim, n_feat;
	const int32_t *feat_idx;      /* l2norm_mlp: which of them, n_feat */
};

/* ---- memory ---- */

#define HUGE_PAGE ((size_t)2 << 20)

static void *aligned(size_t bytes)
{
	void *p;
	if (bytes < 2 * HUGE_PAGE) {
		p = aligned_alloc(ALIGN, bytes ? bytes : ALIGN);
		if (!p)
			die(HCR_EXIT_FAIL, "out of memory (%zu bytes)", bytes);
		return p;
	}
	/* Arenas and large parameters on transparent huge pages where the system gives
	 * them on request: a 512th of the page faults when first touched, and far fewer
	 * TLB misses when rows are read from anywhere in a table. */
	bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
		die(HCR_EXIT_FAIL, "out of memory (%zu bytes)", bytes);
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static void *arena_alloc(struct ad_tape *tape, size_t bytes)
{
	size_t need = round_up(bytes ? bytes : 1);
	void *p;
	if (tape->arena_used + need <= tape->arena_size) {
		p = tape->arena + tape->arena_used;
		tape->arena_used += need;
		return p;
	}
	/* Out of arena mid-step: earlier pointers must stay valid, so take a separate
	 * block now and grow the arena at the next reset. */
	p = aligned(need);
	XGROW(tape->spill, tape->cap_spill, tape->n_spill + 1);
	tape->spill[tape->n_spill++] = p;
	tape->spill_bytes += need;
	return p;
}

void *ad_scratch(struct ad_tape *tape, size_t bytes)
{
	return arena_alloc(tape, bytes);
}

static real *arena_reals(struct ad_tape *tape, int64_t n)
{
	return arena_alloc(tape, (size_t)n * sizeof(real));
}

void ad_tape_init(struct ad_tape *tape)
{
	memset(tape, 0, sizeof *tape);
}

void ad_tape_reset(struct ad_tape *tape)
{
	size_t used = tape->arena_used + tape->spill_bytes;
	if (used > tape->peak_bytes)
		tape->peak_bytes = used;
	if (tape->n_spill) {
		for (size_t k = 0; k < tape->n_spill; k++)
			free(tape->spill[k]);
		tape->n_spill = 0;
		tape->spill_bytes = 0;
		free(tape->arena);
		/* A quarter of headroom, so that batches a little larger than any seen
		 * so far do not spill again. */
		tape->arena_size = round_up(used + used / 4 + (1u << 20));
		tape->arena = aligned(tape->arena_size);
	}
	tape->arena_used = 0;
	tape->n_nodes = 0;
	tape->backward_done = 0;
}

void ad_tape_free(struct ad_tape *tape)
{
	for (size_t k = 0; k < tape->n_spill; k++)
		free(tape->spill[k]);
	free(tape->spill);
	free(tape->arena);
	free(tape->nodes);
	memset(tape, 0, sizeof *tape);
}

static struct ad_tensor *new_tensor(struct ad_tape *tape, int64_t rows, int64_t cols,
    int needs_grad)
{
	struct ad_tensor *t = arena_alloc(tape, sizeof *t);
	if (rows < 0 || cols < 0)
		die(HCR_EXIT_FAIL, "internal: tensor of shape %lld x %lld", (long long)rows,
		    (long long)cols);
	t->rows = rows;
	t->cols = cols;
	t->val = arena_reals(tape, rows * cols);
	t->grad = NULL;
	t->node = -1;
	t->needs_grad = needs_grad;
	t->touched = NULL;
	t->touched_all = 0;
	return t;
}

/* Records the node that made out, when a gradient can flow through it. */
static struct ad_node *record(struct ad_tape *tape, enum op op, struct ad_tensor *out)
{
	struct ad_node *nd;
	if (!out->needs_grad)
		return NULL;
	XGROW(tape->nodes, tape->cap_nodes, tape->n_nodes + 1);
	nd = &tape->nodes[tape->n_nodes];
	memset(nd, 0, sizeof *nd);
	nd->op = op;
	nd->out = out;
	out->node = (int32_t)tape->n_nodes++;
	return nd;
}

/* The gradient buffer of t, zeroed on first use, for an op that adds to the rows it
 * then marks (ad_touch_row); NULL when none is wanted. */
static real *grad_rows(struct ad_tape *tape, struct ad_tensor *t)
{
	if (!t->needs_grad)
		return NULL;
	if (!t->grad) {
		t->grad = arena_reals(tape, t->rows * t->cols);
		memset(t->grad, 0, (size_t)(t->rows * t->cols) * sizeof(real));
	}
	return t->grad;
}

/* The same for an op that may write anywhere in it. */
static real *grad_of(struct ad_tape *tape, struct ad_tensor *t)
{
	if (t->needs_grad)
		ad_touch_all(t);
	return grad_rows(tape, t);
}

/* The same, for a caller that can overwrite: *fresh says the buffer is new and
 * not zeroed (saves a pass over the largest gradients). */
static real *grad_or_fresh(struct ad_tape *tape, struct ad_tensor *t, int *fresh)
{
	*fresh = 0;
	if (!t->needs_grad)
		return NULL;
	ad_touch_all(t);
	if (!t->grad) {
		t->grad = arena_reals(tape, t->rows * t->cols);
		*fresh = 1;
	}
	return t->grad;
}

/* dst += s src over n entries. */
static inline void axpy(int64_t n, real s, const real *restrict src, real *restrict dst)
{
	if (s == 1)
		for (int64_t i = 0; i < n; i++)
			dst[i] += src[i];
	else
		for (int64_t i = 0; i < n; i++)
			dst[i] += s * src[i];
}

/* The loop over i < n that sets d[i] to expr on a fresh buffer and adds it otherwise. */
#define STORE_OR_ADD(fresh, d, n, expr)                              \
	do {                                                          \
		if (fresh)                                            \
			for (int64_t i = 0; i < (n); i++)             \
				(d)[i] = (expr);                      \
		else                                                  \
			for (int64_t i = 0; i < (n); i++)             \
				(d)[i] += (expr);                     \
	} while (0)

/* d in += s g over n entries; the first contribution writes instead, so that no pass
 * zeroes the buffer. */
static void add_grad(struct ad_tape *tape, struct ad_tensor *in, const real *g, int64_t n,
    real s)
{
	int fresh;
	real *d = grad_or_fresh(tape, in, &fresh);
	if (!d)
		return;
	if (d == g)
		die(HCR_EXIT_FAIL, "internal: a gradient added to itself");
	if (fresh) {
		if (s == 1)
			memcpy(d, g, (size_t)n * sizeof(real));
		else
			for (int64_t i = 0; i < n; i++)
				d[i] = s * g[i];
	} else {
		axpy(n, s, g, d);
	}
}

/* Can in take the gradient buffer of an op's output as its own?  When it has none
 * yet: nothing reads that buffer after the op's backward, so an op whose derivative
 * is the identity lends it to one input (the last it hands g to) instead of copying. */
static int can_take(const struct ad_tensor *in)
{
	return in->needs_grad && !in->grad;
}

/* The last use of g in an op's backward: in takes it, or adds it. */
static void take_grad(struct ad_tape *tape, struct ad_tensor *in, real *g, int64_t n)
{
	if (can_take(in))
		in->grad = g;
	else
		add_grad(tape, in, g, n, 1);
}

/* Kernels for the loops that dominate a step have an AVX2 clone besides the baseline
 * one, picked once at load time (GCC's target_clones, an ifunc): the build stays
 * portable, no -march needed.  Neither clone fuses a multiply and an add (ISO C
 * mode leaves contraction off), so both give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(HCR_NO_CLONES) && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
/* (not under sanitizers: their hooks in the ifunc resolver run before they start) */
#define HCR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HCR_CLONES
#endif

/* 32 bytes of reals, loaded and stored at any alignment. */
typedef real vreal __attribute__((vector_size(32), aligned(sizeof(real)), may_alias));
#define VLEN ((int64_t)(32 / sizeof(real)))
#define SPMM_VECS 8 /* a row's chunk of SPMM_VECS * VLEN sums stays in registers */
/* Loops over a chunk's vectors unrolled, so that the sums live in registers. */
#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 8")
#else
#define UNROLL
#endif

/* Sums in double with eight partial sums in a fixed order: accurate, the same on
 * every run, and not bound by the latency of one chain of additions. */
HCR_CLONES static double dot(const real *restrict a, const real *restrict b, int64_t n)
{
	double s[8] = { 0 };
	int64_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			s[j] += (double)a[i + j] * b[i + j];
	for (; i < n; i++)
		s[0] += (double)a[i] * b[i];
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static double sum(const real *restrict a, int64_t n)
{
	double s[8] = { 0 };
	int64_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			s[j] += a[i + j];
	for (; i < n; i++)
		s[0] += a[i];
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* Rows picked by index come from anywhere in a large table: asking for the row a
 * few steps ahead hides most of the memory latency. */
#define PREFETCH_AHEAD 4
static inline void prefetch_row(const real *base, int64_t row, int64_t d)
{
#if defined(__GNUC__)
	__builtin_prefetch(base + row * d);
	if (d * (int64_t)sizeof(real) > 64)
		__builtin_prefetch(base + row * d + 64 / sizeof(real));
#else
	(void)base, (void)row, (void)d;
#endif
}

static int64_t numel(const struct ad_tensor *t)
{
	return t->rows * t->cols;
}

static void same_shape(const char *op, const struct ad_tensor *a, const struct ad_tensor *b)
{
	if (a->rows != b->rows || a->cols != b->cols)
		die(HCR_EXIT_FAIL, "internal: %s of %lld x %lld and %lld x %lld", op,
		    (long long)a->rows, (long long)a->cols, (long long)b->rows,
		    (long long)b->cols);
}

struct ad_tensor *ad_const(struct ad_tape *tape, int64_t rows, int64_t cols)
{
	return new_tensor(tape, rows, cols, 0);
}

/* Feature rows idx[0 .. m) into buf, as reals. */
static void gather_feat(const float *feat, int64_t fdim, const int32_t *idx, int64_t m,
    real *buf)
{
	for (int64_t i = 0; i < m; i++) {
		const float *src = feat + (size_t)idx[i] * (size_t)fdim;
		real *dst = buf + i * fdim;
		if (sizeof(real) == sizeof(float)) {
			memcpy(dst, src, (size_t)fdim * sizeof *src);
			continue;
		}
		for (int64_t j = 0; j < fdim; j++)
			dst[j] = (real)src[j];
	}
}

struct ad_tensor *ad_const_rows(struct ad_tape *tape, const float *src, int64_t cols,
    int64_t n, const int32_t *idx)
{
	struct ad_tensor *x = ad_const(tape, n, cols);
	gather_feat(src, cols, idx, n, x->val);
	return x;
}

struct ad_tensor *ad_wrap(struct ad_tape *tape, int64_t rows, int64_t cols, real *val)
{
	struct ad_tensor *t = arena_alloc(tape, sizeof *t);
	t->rows = rows;
	t->cols = cols;
	t->val = val;
	t->grad = NULL;
	t->node = -1;
	t->needs_grad = 0;
	t->touched = NULL;
	t->touched_all = 0;
	return t;
}

struct ad_tensor *ad_leaf(struct ad_tape *tape, int64_t rows, int64_t cols, real *val,
    int needs_grad)
{
	struct ad_tensor *t = ad_wrap(tape, rows, cols, val);
	t->needs_grad = needs_grad;
	return t;
}

/* ---- parameters ---- */

struct ad_param *ad_param_new(struct ad_params *set, const char *name, int64_t rows,
    int64_t cols)
{
	struct ad_param *p = xcalloc(1, sizeof *p);
	size_t bytes = round_up((size_t)(rows * cols) * sizeof(real));
	p->t.rows = rows;
	p->t.cols = cols;
	p->t.val = aligned(bytes);
	p->t.grad = aligned(bytes);
	p->m = aligned(bytes);
	p->v = aligned(bytes);
	memset(p->t.val, 0, bytes);
	memset(p->t.grad, 0, bytes);
	memset(p->m, 0, bytes);
	memset(p->v, 0, bytes);
	p->t.node = -1;
	p->t.needs_grad = 1;
	p->name = xstrdup(name);
	XGROW(set->p, set->cap, set->n + 1);
	set->p[set->n++] = p;
	return p;
}

void ad_param_freeze(struct ad_param *p)
{
	p->frozen = 1;
	p->t.needs_grad = 0;
}

void ad_param_track_rows(struct ad_param *p)
{
	p->lazy = 1;
	if (!p->t.touched)
		p->t.touched = xcalloc((size_t)p->t.rows + 1, 1);
}

void ad_params_free(struct ad_params *set)
{
	for (size_t k = 0; k < set->n; k++) {
		struct ad_param *p = set->p[k];
		free(p->t.val);
		free(p->t.grad);
		free(p->m);
		free(p->v);
		free(p->t.touched);
		free(p->name);
		free(p);
	}
	free(set->p);
	memset(set, 0, sizeof *set);
}

size_t ad_params_count(const struct ad_params *set)
{
	size_t n = 0;
	for (size_t k = 0; k < set->n; k++)
		n += (size_t)numel(&set->p[k]->t);
	return n;
}

void ad_params_zero_grad(struct ad_params *set)
{
	for (size_t k = 0; k < set->n; k++) {
		struct ad_tensor *t = &set->p[k]->t;
		memset(t->grad, 0, (size_t)numel(t) * sizeof(real));
		/* no row holds a gradient now */
		if (t->touched)
			memset(t->touched, 0, (size_t)t->rows);
		t->touched_all = 0;
	}
}

real *ad_params_save(const struct ad_params *set, real *buf)
{
	size_t at = 0;
	if (!buf)
		buf = xreallocarray(NULL, ad_params_count(set) ? ad_params_count(set) : 1,
		    sizeof *buf);
	for (size_t k = 0; k < set->n; k++) {
		size_t n = (size_t)numel(&set->p[k]->t);
		memcpy(buf + at, set->p[k]->t.val, n * sizeof *buf);
		at += n;
	}
	return buf;
}

void ad_params_load(struct ad_params *set, const real *buf)
{
	size_t at = 0;
	for (size_t k = 0; k < set->n; k++) {
		size_t n = (size_t)numel(&set->p[k]->t);
		memcpy(set->p[k]->t.val, buf + at, n * sizeof *buf);
		at += n;
	}
}

void ad_init_xavier_uniform(struct ad_tensor *t, struct rng *r)
{
	double bound = sqrt(6.0 / (double)(t->rows + t->cols));
	for (int64_t k = 0; k < numel(t); k++)
		t->val[k] = (real)(bound * (2 * rng_uniform(r) - 1));
}

void ad_init_normal(struct ad_tensor *t, struct rng *r, double sd)
{
	for (int64_t k = 0; k < numel(t); k++)
		t->val[k] = (real)(sd * rng_normal(r));
}

void ad_init_const(struct ad_tensor *t, real c)
{
	for (int64_t k = 0; k < numel(t); k++)
		t->val[k] = c;
}

/* ---- dense products ---- */

static int blas_dim(int64_t n)
{
	if (n > 2147483647)
		die(HCR_EXIT_FAIL, "internal: matrix dimension %lld too large for BLAS",
		    (long long)n);
	return (int)(n > 0 ? n : 1);
}

/* c = op(a) op(b) + beta c, row-major, m x n with inner size k, in one call. */
static void blas_gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, const real *a,
    int64_t lda, const real *b, int64_t ldb, real beta, real *c, int64_t ldc)
{
#ifdef HCR_REAL_DOUBLE
	cblas_dgemm(
#else
	cblas_sgemm(
#endif
	    CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
	    blas_dim(m), blas_dim(n), blas_dim(k), 1, a, blas_dim(lda), b, blas_dim(ldb),
	    beta, c, blas_dim(ldc));
}

static struct pool *cut_pool;

void ad_set_pool(struct pool *pool)
{
	cut_pool = pool;
}

/* Block t's rows [*r0, *r1) of rows cut into blocks of size, the last taking the
 * remainder: the same blocks whatever the thread count. */
static void cut_rows(int64_t t, int64_t blocks, int64_t size, int64_t rows, int64_t *r0,
    int64_t *r1)
{
	*r0 = t * size;
	*r1 = t == blocks - 1 ? rows : *r0 + size;
}

/* A product cut by rows of op(a) = a and of c. */
struct gemm_rows {
	int tb;
	int64_t m, n, k, lda, ldb, ldc, blocks;
	const real *a, *b;
	real beta, *c;
};

static void gemm_rows_task(void *ctx, int64_t t)
{
	const struct gemm_rows *g = ctx;
	int64_t r0, r1;
	cut_rows(t, g->blocks, AD_GEMM_BLOCK, g->m, &r0, &r1);
	blas_gemm(0, g->tb, r1 - r0, g->n, g->k, g->a + r0 * g->lda, g->lda, g->b, g->ldb,
	    g->beta, g->c + r0 * g->ldc, g->ldc);
}

/* c = op(a) op(b) + beta c, row-major, m x n with inner size k; with a untransposed,
 * a tall product's row blocks go to the pool's free threads. */
static void gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, const real *a,
    int64_t lda, const real *b, int64_t ldb, real beta, real *c, int64_t ldc)
{
	if (m == 0 || n == 0)
		return;
	if (k == 0) {
		if (beta == 0)
			for (int64_t i = 0; i < m; i++)
				memset(c + i * ldc, 0, (size_t)n * sizeof(real));
		return;
	}
	if (!ta && m >= 2 * AD_GEMM_BLOCK) {
		struct gemm_rows g = { tb, m, n, k, lda, ldb, ldc, m / AD_GEMM_BLOCK, a, b, beta, c };
		pool_run_sub(cut_pool, g.blocks, gemm_rows_task, &g);
		return;
	}
	blas_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

struct ad_tensor *ad_matmul(struct ad_tape *tape, struct ad_tensor *a, int ta,
    struct ad_tensor *b, int tb)
{
	int64_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
	int64_t kb = tb ? b->cols : b->rows, n = tb ? b->rows : b->cols;
	struct ad_tensor *out;
	struct ad_node *nd;
	if (k != kb)
		die(HCR_EXIT_FAIL, "internal: matmul of %lld x %lld%s and %lld x %lld%s",
		    (long long)a->rows, (long long)a->cols, ta ? "'" : "", (long long)b->rows,
		    (long long)b->cols, tb ? "'" : "");
	out = new_tensor(tape, m, n, a->needs_grad || b->needs_grad);
	gemm(ta, tb, m, n, k, a->val, a->cols, b->val, b->cols, 0, out->val, n);
	if ((nd = record(tape, OP_MATMUL, out))) {
		nd->a = a;
		nd->b = b;
		nd->ta = ta;
		nd->tb = tb;
	}
	return out;
}

static void matmul_backward(struct ad_tape *tape, struct ad_node *nd)
{
	struct ad_tensor *a = nd->a, *b = nd->b, *c = nd->out;
	int64_t m = c->rows, n = c->cols, k = nd->ta ? a->rows : a->cols;
	int fa, fb;
	real *da = grad_or_fresh(tape, a, &fa), *db;
	/* With C = op(A) op(B): d op(A) = dC op(B)', d op(B) = op(A)' dC; a new
	 * gradient buffer is written (beta 0), an old one added to. */
	if (da) {
		if (!nd->ta)
			gemm(0, !nd->tb, m, k, n, c->grad, n, b->val, b->cols, !fa, da, a->cols);
		else
			gemm(nd->tb, 1, k, m, n, b->val, b->cols, c->grad, n, !fa, da, a->cols);
	}
	db = grad_or_fresh(tape, b, &fb);
	if (db) {
		if (!nd->tb)
			gemm(!nd->ta, 0, k, n, m, a->val, a->cols, c->grad, n, !fb, db, b->cols);
		else
			gemm(1, nd->ta, n, k, m, c->grad, n, a->val, a->cols, !fb, db, b->cols);
	}
}

static struct ad_tensor **copy_list(struct ad_tape *tape, int n, struct ad_tensor *const *xs);

struct ad_tensor *ad_affine(struct ad_tape *tape, struct ad_tensor *x, struct ad_tensor *w,
    struct ad_tensor *b, int n_add, struct ad_tensor *const *adds, double slope)
{
	int64_t m = x->rows, k = x->cols, n = w->cols;
	struct ad_tensor *out, *in[3 + AD_AFFINE_MAX_ADD];
	struct ad_node *nd;
	int needs = x->needs_grad || w->needs_grad || (b && b->needs_grad), first = 1;
	if (w->rows != k || (b && (b->rows != 1 || b->cols != n)) || n_add < 0 ||
	    n_add > AD_AFFINE_MAX_ADD)
		die(HCR_EXIT_FAIL, "internal: affine of %lld x %lld and %lld x %lld",
		    (long long)m, (long long)k, (long long)w->rows, (long long)n);
	for (int j = 0; j < n_add; j++) {
		if (adds[j]->rows != m || adds[j]->cols != n)
			die(HCR_EXIT_FAIL, "internal: affine of %lld x %lld plus %lld x %lld",
			    (long long)m, (long long)n, (long long)adds[j]->rows,
			    (long long)adds[j]->cols);
		needs |= adds[j]->needs_grad;
	}
	if (slope < 0)
		/* the output's sign no longer tells the input's: the activation apart */
		return ad_leaky_relu(tape, ad_affine(tape, x, w, b, n_add, adds, 1), slope);
	out = new_tensor(tape, m, n, needs);
	/* the bias and addends first, so that the product adds to them (beta 1): one
	 * pass instead of a pass that zeroes and one that adds */
	if (b) {
		for (int64_t i = 0; i < m; i++)
			memcpy(out->val + i * n, b->val, (size_t)n * sizeof(real));
		first = 0;
	}
	for (int j = 0; j < n_add; j++, first = 0) {
		if (first)
			memcpy(out->val, adds[j]->val, (size_t)(m * n) * sizeof(real));
		else
			axpy(m * n, 1, adds[j]->val, out->val);
	}
	gemm(0, 0, m, n, k, x->val, k, w->val, n, first ? 0 : 1, out->val, n);
	if (slope != 1) {
		real sl = (real)slope, *restrict o = out->val;
		for (int64_t i = 0; i < m * n; i++)
			o[i] = o[i] > 0 ? o[i] : sl * o[i];
	}
	if ((nd = record(tape, OP_AFFINE, out))) {
		in[0] = x, in[1] = w, in[2] = b;
		for (int j = 0; j < n_add; j++)
			in[3 + j] = adds[j];
		nd->xs = copy_list(tape, 3 + n_add, in);
		nd->n_xs = 3 + n_add;
		nd->s = slope;
	}
	return out;
}

/* Row g of an affine map's output gradient into its bias's gradient db: written when it
 * is the first row of a fresh buffer, else added; rows in order, for the same bits
 * however an op walks them. */
static inline void bias_grad_row(real *restrict db, int first, const real *restrict g,
    int64_t n)
{
	if (first)
		memcpy(db, g, (size_t)n * sizeof(real));
	else
		for (int64_t j = 0; j < n; j++)
			db[j] += g[j];
}

static void affine_backward(struct ad_tape *tape, struct ad_node *nd)
{
	struct ad_tensor *x = nd->xs[0], *w = nd->xs[1], *b = nd->xs[2], *out = nd->out;
	int64_t m = out->rows, n = out->cols, k = x->cols;
	real *restrict g = out->grad, *dx, *dw, *db;
	int fresh;
	real sl = (real)nd->s;
	db = b ? grad_or_fresh(tape, b, &fresh) : NULL;
	if (db && fresh && m == 0)
		memset(db, 0, (size_t)n * sizeof(real));
	/* through the activation in place (no one reads the output's gradient after)
	 * and the bias's sums, row by row in one pass */
	for (int64_t i = 0; i < m; i++) {
		real *restrict gi = g + i * n;
		const real *restrict o = out->val + i * n;
		if (nd->s != 1)
			for (int64_t j = 0; j < n; j++)
				gi[j] = o[j] > 0 ? gi[j] : sl * gi[j];
		if (db)
			bias_grad_row(db, fresh && i == 0, gi, n);
	}
	if ((dx = grad_or_fresh(tape, x, &fresh)))
		gemm(0, 1, m, k, n, g, n, w->val, n, !fresh, dx, k);
	if ((dw = grad_or_fresh(tape, w, &fresh)))
		gemm(1, 0, k, n, m, x->val, k, g, n, !fresh, dw, n);
	/* the addends' gradient is g itself: the last one takes it */
	for (int j = 3; j < nd->n_xs; j++) {
		if (j < nd->n_xs - 1)
			add_grad(tape, nd->xs[j], g, m * n, 1);
		else
			take_grad(tape, nd->xs[j], g, m * n);
	}
}

/* ---- elementwise and shape ops ---- */

static struct ad_tensor *binary(struct ad_tape *tape, enum op op, const char *name,
    struct ad_tensor *a, struct ad_tensor *b)
{
	struct ad_tensor *out;
	struct ad_node *nd;
	int64_t n = numel(a);
	same_shape(name, a, b);
	out = new_tensor(tape, a->rows, a->cols, a->needs_grad || b->needs_grad);
	const real *restrict x = a->val, *restrict y = b->val;
	real *restrict z = out->val;
	switch (op) {
	case OP_ADD:
		for (int64_t i = 0; i < n; i++)
			z[i] = x[i] + y[i];
		break;
	case OP_SUB:
		for (int64_t i = 0; i < n; i++)
			z[i] = x[i] - y[i];
		break;
	default:
		for (int64_t i = 0; i < n; i++)
			z[i] = x[i] * y[i];
		break;
	}
	if ((nd = record(tape, op, out))) {
		nd->a = a;
		nd->b = b;
	}
	return out;
}

struct ad_tensor *ad_add(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b)
{
	return binary(tape, OP_ADD, "add", a, b);
}

struct ad_tensor *ad_sub(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b)
{
	return binary(tape, OP_SUB, "sub", a, b);
}

struct ad_tensor *ad_mul(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b)
{
	return binary(tape, OP_MUL, "mul", a, b);
}

static void binary_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t n = numel(nd->out);
	real *dz = nd->out->grad;
	int fresh;
	switch (nd->op) {
	case OP_ADD:
		/* the input that takes dz goes last (with a == b the other adds a copy) */
		if (can_take(nd->a)) {
			add_grad(tape, nd->b, dz, n, 1);
			take_grad(tape, nd->a, dz, n);
		} else {
			add_grad(tape, nd->a, dz, n, 1);
			take_grad(tape, nd->b, dz, n);
		}
		break;
	case OP_SUB:
		add_grad(tape, nd->b, dz, n, -1);
		take_grad(tape, nd->a, dz, n);
		break;
	default: {
		/* da before db: with a == b the second pass adds to the first */
		const real *restrict x = nd->a->val, *restrict y = nd->b->val;
		real *restrict da = grad_or_fresh(tape, nd->a, &fresh), *restrict db;
		if (da && fresh)
			for (int64_t i = 0; i < n; i++)
				da[i] = dz[i] * y[i];
		else if (da)
			for (int64_t i = 0; i < n; i++)
				da[i] += dz[i] * y[i];
		db = grad_or_fresh(tape, nd->b, &fresh);
		if (db && fresh)
			for (int64_t i = 0; i < n; i++)
				db[i] = dz[i] * x[i];
		else if (db)
			for (int64_t i = 0; i < n; i++)
				db[i] += dz[i] * x[i];
		break;
	}
	}
}

struct ad_tensor *ad_scale(struct ad_tape *tape, struct ad_tensor *a, double s)
{
	struct ad_tensor *out = new_tensor(tape, a->rows, a->cols, a->needs_grad);
	struct ad_node *nd;
	real rs = (real)s;
	for (int64_t i = 0; i < numel(a); i++)
		out->val[i] = rs * a->val[i];
	if ((nd = record(tape, OP_SCALE, out))) {
		nd->a = a;
		nd->s = s;
	}
	return out;
}

struct ad_tensor *ad_add_row(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b)
{
	struct ad_tensor *out;
	struct ad_node *nd;
	int64_t d = a->cols;
	if (b->rows != 1 || b->cols != d)
		die(HCR_EXIT_FAIL, "internal: add_row of %lld x %lld and %lld x %lld",
		    (long long)a->rows, (long long)d, (long long)b->rows, (long long)b->cols);
	out = new_tensor(tape, a->rows, d, a->needs_grad || b->needs_grad);
	for (int64_t i = 0; i < a->rows; i++) {
		const real *restrict x = a->val + i * d, *restrict y = b->val;
		real *restrict z = out->val + i * d;
		for (int64_t j = 0; j < d; j++)
			z[j] = x[j] + y[j];
	}
	if ((nd = record(tape, OP_ADD_ROW, out))) {
		nd->a = a;
		nd->b = b;
	}
	return out;
}

static void add_row_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t d = nd->out->cols;
	real *db = grad_of(tape, nd->b);
	if (db)
		for (int64_t i = 0; i < nd->out->rows; i++)
			axpy(d, 1, nd->out->grad + i * d, db);
	/* after the bias's sums: a may take the buffer itself */
	take_grad(tape, nd->a, nd->out->grad, numel(nd->out));
}

static struct ad_tensor **copy_list(struct ad_tape *tape, int n, struct ad_tensor *const *xs)
{
	struct ad_tensor **l = arena_alloc(tape, (size_t)n * sizeof *l);
	memcpy(l, xs, (size_t)n * sizeof *l);
	return l;
}

static int any_needs_grad(int n, struct ad_tensor *const *xs)
{
	for (int k = 0; k < n; k++)
		if (xs[k]->needs_grad)
			return 1;
	return 0;
}

static struct ad_tensor *sum_of(struct ad_tape *tape, int n, struct ad_tensor *const *xs,
    double s)
{
	struct ad_tensor *out;
	struct ad_node *nd;
	int64_t m;
	real rs = (real)s;
	if (n < 1)
		die(HCR_EXIT_FAIL, "internal: sum of no tensors");
	for (int k = 1; k < n; k++)
		same_shape("sum_of", xs[0], xs[k]);
	out = new_tensor(tape, xs[0]->rows, xs[0]->cols, any_needs_grad(n, xs));
	m = numel(out);
	memcpy(out->val, xs[0]->val, (size_t)m * sizeof(real));
	for (int k = 1; k < n; k++)
		axpy(m, 1, xs[k]->val, out->val);
	if (s != 1)
		for (int64_t i = 0; i < m; i++)
			out->val[i] *= rs;
	if ((nd = record(tape, OP_SUM_OF, out))) {
		nd->xs = copy_list(tape, n, xs);
		nd->n_xs = n;
		nd->s = s;
	}
	return out;
}

struct ad_tensor *ad_sum_of(struct ad_tape *tape, int n, struct ad_tensor *const *xs)
{
	return sum_of(tape, n, xs, 1);
}

struct ad_tensor *ad_mean_of(struct ad_tape *tape, int n, struct ad_tensor *const *xs)
{
	return n == 1 ? xs[0] : sum_of(tape, n, xs, 1.0 / n);
}

struct ad_tensor *ad_concat_rows(struct ad_tape *tape, int n, struct ad_tensor *const *xs)
{
	struct ad_tensor *out;
	struct ad_node *nd;
	int64_t rows = 0, at = 0;
	for (int k = 0; k < n; k++) {
		if (xs[k]->cols != xs[0]->cols)
			die(HCR_EXIT_FAIL, "internal: concat_rows of %lld and %lld columns",
			    (long long)xs[0]->cols, (long long)xs[k]->cols);
		rows += xs[k]->rows;
	}
	out = new_tensor(tape, rows, n ? xs[0]->cols : 0, any_needs_grad(n, xs));
	for (int k = 0; k < n; k++) {
		memcpy(out->val + at, xs[k]->val, (size_t)numel(xs[k]) * sizeof(real));
		at += numel(xs[k]);
	}
	if ((nd = record(tape, OP_CONCAT_ROWS, out))) {
		nd->xs = copy_list(tape, n, xs);
		nd->n_xs = n;
	}
	return out;
}

struct ad_tensor *ad_concat_cols(struct ad_tape *tape, int n, struct ad_tensor *const *xs)
{
	struct ad_tensor *out;
	struct ad_node *nd;
	int64_t cols = 0, at = 0;
	for (int k = 0; k < n; k++) {
		if (xs[k]->rows != xs[0]->rows)
			die(HCR_EXIT_FAIL, "internal: concat_cols of %lld and %lld rows",
			    (long long)xs[0]->rows, (long long)xs[k]->rows);
		cols += xs[k]->cols;
	}
	out = new_tensor(tape, n ? xs[0]->rows : 0, cols, any_needs_grad(n, xs));
	for (int k = 0; k < n; k++) {
		int64_t c = xs[k]->cols;
		for (int64_t i = 0; i < out->rows; i++)
			memcpy(out->val + i * cols + at, xs[k]->val + i * c, (size_t)c * sizeof(real));
		at += c;
	}
	if ((nd = record(tape, OP_CONCAT_COLS, out))) {
		nd->xs = copy_list(tape, n, xs);
		nd->n_xs = n;
	}
	return out;
}

static void list_backward(struct ad_tape *tape, struct ad_node *nd)
{
	struct ad_tensor *out = nd->out;
	int64_t at = 0;
	int taker = -1;
	if (nd->op == OP_SUM_OF && nd->s == 1) {
		/* one input takes the output's gradient, after the others have read it */
		for (int k = 0; k < nd->n_xs && taker < 0; k++)
			if (can_take(nd->xs[k]))
				taker = k;
		for (int k = 0; k < nd->n_xs; k++)
			if (k != taker)
				add_grad(tape, nd->xs[k], out->grad, numel(out), 1);
		if (taker >= 0)
			take_grad(tape, nd->xs[taker], out->grad, numel(out));
		return;
	}
	for (int k = 0; k < nd->n_xs; k++) {
		struct ad_tensor *x = nd->xs[k];
		int64_t c = x->cols;
		if (nd->op == OP_SUM_OF) {
			add_grad(tape, x, out->grad, numel(x), (real)nd->s);
		} else if (nd->op == OP_CONCAT_ROWS) {
			/* each input's rows are a slice of their own, read by no one else */
			take_grad(tape, x, out->grad + at, numel(x));
		} else {
			int fresh;
			real *dx = grad_or_fresh(tape, x, &fresh);
			if (dx && fresh)
				for (int64_t i = 0; i < x->rows; i++)
					memcpy(dx + i * c, out->grad + i * out->cols + at,
					    (size_t)c * sizeof(real));
			else if (dx)
				for (int64_t i = 0; i < x->rows; i++)
					axpy(c, 1, out->grad + i * out->cols + at, dx + i * c);
		}
		at += nd->op == OP_CONCAT_ROWS ? numel(x) : c;
	}
}

/* ---- sparse ops: lookups, bags, neighbourhood means ---- */

struct ad_tensor *ad_gather(struct ad_tape *tape, struct ad_tensor *src, int64_t n,
    const int32_t *idx)
{
	int64_t d = src->cols;
	struct ad_tensor *out = new_tensor(tape, n, d, src->needs_grad);
	struct ad_node *nd;
	for (int64_t i = 0; i < n; i++) {
		if (idx[i] < 0 || idx[i] >= src->rows)
			die(HCR_EXIT_FAIL, "internal: gather of row %d from %lld rows", idx[i],
			    (long long)src->rows);
		if (i + PREFETCH_AHEAD < n)
			prefetch_row(src->val, idx[i + PREFETCH_AHEAD], d);
		memcpy(out->val + i * d, src->val + (int64_t)idx[i] * d, (size_t)d * sizeof(real));
	}
	if ((nd = record(tape, OP_GATHER, out))) {
		nd->a = src;
		nd->n = n;
		nd->idx = idx;
	}
	return out;
}

static void gather_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t d = nd->out->cols;
	real *ds = grad_rows(tape, nd->a);
	for (int64_t i = 0; i < nd->n; i++) {
		if (i + PREFETCH_AHEAD < nd->n)
			prefetch_row(ds, nd->idx[i + PREFETCH_AHEAD], d);
		axpy(d, 1, nd->out->grad + i * d, ds + (int64_t)nd->idx[i] * d);
		ad_touch_row(nd->a, nd->idx[i]);
	}
}

struct ad_tensor *ad_bag_mean(struct ad_tape *tape, struct ad_tensor *src,
    const struct csr *bags, const real *w, int64_t n, const int32_t *sel)
{
	int64_t d = src->cols;
	struct ad_tensor *out = new_tensor(tape, n, d, src->needs_grad);
	struct ad_node *nd;
	real *scale = arena_reals(tape, n);
	for (int64_t i = 0; i < n; i++) {
		int64_t b = sel ? sel[i] : i;
		real *restrict o = out->val + i * d;
		double total = 0;
		if (b < 0 || b >= bags->rows)
			die(HCR_EXIT_FAIL, "internal: bag %lld of %lld", (long long)b,
			    (long long)bags->rows);
		memset(o, 0, (size_t)d * sizeof(real));
		for (int64_t k = bags->off[b]; k < bags->off[b + 1]; k++) {
			int32_t id = bags->idx[k];
			real wk = w ? w[k] : 1;
			if (id < 0 || id >= src->rows)
				die(HCR_EXIT_FAIL, "internal: bag id %d of %lld rows", id,
				    (long long)src->rows);
			axpy(d, wk, src->val + (int64_t)id * d, o);
			total += wk;
		}
		scale[i] = total != 0 ? (real)(1 / total) : 0;
		for (int64_t j = 0; j < d; j++)
			o[j] *= scale[i];
	}
	if ((nd = record(tape, OP_BAG_MEAN, out))) {
		nd->a = src;
		nd->sp = bags;
		nd->w = w;
		nd->n = n;
		nd->idx = sel;
		nd->aux = scale;
	}
	return out;
}

static void bag_mean_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t d = nd->out->cols;
	const struct csr *bags = nd->sp;
	real *ds = grad_rows(tape, nd->a);
	for (int64_t i = 0; i < nd->n; i++) {
		int64_t b = nd->idx ? nd->idx[i] : i;
		const real *g = nd->out->grad + i * d;
		for (int64_t k = bags->off[b]; k < bags->off[b + 1]; k++) {
			real c = nd->aux[i] * (nd->w ? nd->w[k] : 1);
			axpy(d, c, g, ds + (int64_t)bags->idx[k] * d);
			ad_touch_row(nd->a, bags->idx[k]);
		}
	}
}

/* Row c of [x; hist]: x's below nx, hist's (row c - nx) from there; hist NULL: x's. */
static inline const real *row_of(const real *x, int64_t nx, const real *hist, int64_t c,
    int64_t d)
{
	return c < nx ? x + c * d : hist + (c - nx) * d;
}

/* out_r (+)= sum_k w_k x_{idx_k} for rows r0 <= r < r1 of a CSR matrix, each chunk of
 * a row summed in registers over the row's entries, in entry order; add: out_r
 * starts from its value, else from 0.  The sums are those of one axpy per entry.
 * Columns from nx on read hist's rows instead (ad_spmm_hist); nx INT64_MAX: none. */
HCR_CLONES static void spmm_rows(const int64_t *off, const int32_t *idx, const real *w,
    const real *x, int64_t nx, const real *hist, int64_t d, real *out, int64_t r0,
    int64_t r1, int add)
{
	int64_t nnz = off[r1];
	for (int64_t r = r0; r < r1; r++) {
		real *o = out + r * d;
		int64_t j = 0;
		for (; j + SPMM_VECS * VLEN <= d; j += SPMM_VECS * VLEN) {
			vreal acc[SPMM_VECS];
			UNROLL
			for (int c = 0; c < SPMM_VECS; c++)
				acc[c] = add ? *(const vreal *)(o + j + c * VLEN) : (vreal){ 0 };
			for (int64_t k = off[r]; k < off[r + 1]; k++) {
				const real *src = row_of(x, nx, hist, idx[k], d) + j;
				real wk = w ? w[k] : 1;
				if (j == 0 && k + PREFETCH_AHEAD < nnz)
					prefetch_row(row_of(x, nx, hist, idx[k + PREFETCH_AHEAD], d), 0, d);
				UNROLL
				for (int c = 0; c < SPMM_VECS; c++)
					acc[c] += wk * *(const vreal *)(src + c * VLEN);
			}
			UNROLL
			for (int c = 0; c < SPMM_VECS; c++)
				*(vreal *)(o + j + c * VLEN) = acc[c];
		}
		if (j < d) {
			/* the rest of a row narrower than a chunk, one entry at a time */
			if (!add)
				memset(o + j, 0, (size_t)(d - j) * sizeof(real));
			for (int64_t k = off[r]; k < off[r + 1]; k++) {
				const real *src = row_of(x, nx, hist, idx[k], d);
				real wk = w ? w[k] : 1;
				for (int64_t i = j; i < d; i++)
					o[i] += wk * src[i];
			}
		}
	}
}

void ad_transpose_cols(struct ad_tape *tape, const struct csr *a, const real *w,
    int64_t ncols, struct csr *at, real **wt)
{
	int64_t nnz = 0;
	int64_t *fill;
	for (int64_t k = 0; k < a->off[a->rows]; k++)
		nnz += a->idx[k] < ncols;
	at->rows = ncols;
	at->cols = a->rows;
	at->off = ad_scratch(tape, ((size_t)at->rows + 1) * sizeof *at->off);
	at->idx = ad_scratch(tape, ((size_t)nnz + 1) * sizeof *at->idx);
	*wt = ad_scratch(tape, ((size_t)nnz + 1) * sizeof **wt);
	fill = ad_scratch(tape, ((size_t)at->rows + 1) * sizeof *fill);
	memset(at->off, 0, ((size_t)at->rows + 1) * sizeof *at->off);
	for (int64_t k = 0; k < a->off[a->rows]; k++)
		if (a->idx[k] < ncols)
			at->off[a->idx[k] + 1]++;
	for (int64_t j = 0; j < at->rows; j++)
		at->off[j + 1] += at->off[j];
	memcpy(fill, at->off, (size_t)at->rows * sizeof *fill);
	/* rows in order, so each column lists its entries as a scatter would visit them */
	for (int64_t r = 0; r < a->rows; r++)
		for (int64_t k = a->off[r]; k < a->off[r + 1]; k++) {
			int64_t at_k;
			if (a->idx[k] >= ncols)
				continue;
			at_k = fill[a->idx[k]]++;
			at->idx[at_k] = (int32_t)r;
			(*wt)[at_k] = w ? w[k] : 1;
		}
}

void ad_transpose(struct ad_tape *tape, const struct csr *a, const real *w, struct csr *at,
    real **wt)
{
	ad_transpose_cols(tape, a, w, a->cols, at, wt);
}

/* Rows of a sparse product a block: each row is summed alone, in its entries' order,
 * so blocks on any thread give the same bits. */
#define SPMM_CUT 512

struct spmm_job {
	const int64_t *off;
	const int32_t *idx;
	const real *w, *x, *hist;
	int64_t nx, d, rows, blocks;
	real *out;
	int add;
};

static void spmm_block(void *ctx, int64_t t)
{
	const struct spmm_job *j = ctx;
	int64_t r0, r1;
	cut_rows(t, j->blocks, SPMM_CUT, j->rows, &r0, &r1);
	spmm_rows(j->off, j->idx, j->w, j->x, j->nx, j->hist, j->d, j->out, r0, r1, j->add);
}

/* spmm_rows over rows [0, rows), cut into blocks that the pool's free threads take. */
static void spmm_all_rows(const int64_t *off, const int32_t *idx, const real *w,
    const real *x, int64_t nx, const real *hist, int64_t d, real *out, int64_t rows, int add)
{
	struct spmm_job j = { off, idx, w, x, hist, nx, d, rows, rows / SPMM_CUT, out, add };
	if (rows < 2 * SPMM_CUT) {
		spmm_rows(off, idx, w, x, nx, hist, d, out, 0, rows, add);
		return;
	}
	pool_run_sub(cut_pool, j.blocks, spmm_block, &j);
}

/* A [x; hist] (hist NULL: A x), A's columns checked against a->cols; the backward pass
 * is over x's columns alone, the history being a constant. */
static struct ad_tensor *spmm_node(struct ad_tape *tape, const struct csr *a, const real *w,
    const struct csr *at, const real *wt, struct ad_tensor *x, const real *hist)
{
	int64_t nnz = a->off[a->rows];
	struct ad_tensor *out;
	struct ad_node *nd;
	for (int64_t k = 0; k < nnz; k++)
		if (a->idx[k] < 0 || a->idx[k] >= a->cols)
			die(HCR_EXIT_FAIL, "internal: spmm column %d of %lld", a->idx[k],
			    (long long)a->cols);
	out = new_tensor(tape, a->rows, x->cols, x->needs_grad);
	spmm_all_rows(a->off, a->idx, w, x->val, hist ? x->rows : INT64_MAX, hist, x->cols,
	    out->val, a->rows, 0);
	if ((nd = record(tape, OP_SPMM, out))) {
		nd->a = x;
		nd->sp = a;
		nd->w = w;
		nd->spt = at;
		nd->wt = wt;
	}
	return out;
}

struct ad_tensor *ad_spmm_hist(struct ad_tape *tape, const struct csr *a, const real *w,
    const struct csr *at, const real *wt, struct ad_tensor *x, const real *hist,
    int64_t hist_rows)
{
	if (a->cols != x->rows + hist_rows || !at || at->rows != x->rows || at->cols != a->rows)
		die(HCR_EXIT_FAIL, "internal: spmm_hist of %lld x %lld and %lld + %lld rows",
		    (long long)a->rows, (long long)a->cols, (long long)x->rows,
		    (long long)hist_rows);
	return spmm_node(tape, a, w, at, wt, x, hist);
}

struct ad_tensor *ad_spmm_t(struct ad_tape *tape, const struct csr *a, const real *w,
    const struct csr *at, const real *wt, struct ad_tensor *x)
{
	if (a->cols != x->rows || (at && (at->rows != a->cols || at->cols != a->rows ||
	    at->off[at->rows] != a->off[a->rows])))
		die(HCR_EXIT_FAIL, "internal: spmm of %lld x %lld and %lld x %lld",
		    (long long)a->rows, (long long)a->cols, (long long)x->rows,
		    (long long)x->cols);
	return spmm_node(tape, a, w, at, wt, x, NULL);
}

struct ad_tensor *ad_spmm(struct ad_tape *tape, const struct csr *a, const real *w,
    struct ad_tensor *x)
{
	return ad_spmm_t(tape, a, w, NULL, NULL, x);
}

/* dX = A' dOut, row by row of the transpose: reads dOut's rows, writes each row of dX
 * once, adding its terms in the order a scatter over A's rows would. */
static void spmm_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t d = nd->out->cols;
	const struct csr *at = nd->spt;
	const real *wt = nd->wt, *g = nd->out->grad;
	struct csr own;
	real *own_w;
	int fresh;
	real *dx = grad_or_fresh(tape, nd->a, &fresh);
	if (!at) {
		ad_transpose(tape, nd->sp, nd->w, &own, &own_w);
		at = &own;
		wt = own_w;
	}
	spmm_all_rows(at->off, at->idx, wt, g, INT64_MAX, NULL, d, dx, at->rows, !fresh);
}

/* ---- row normalisation, activations, row dot ---- */

struct ad_tensor *ad_l2norm_leaky(struct ad_tape *tape, struct ad_tensor *x, double slope)
{
	int64_t d = x->cols;
	struct ad_tensor *out;
	struct ad_node *nd;
	real *norm, sl = (real)slope;
	if (slope < 0)
		/* the output's sign no longer tells the input's: the activation apart */
		return ad_leaky_relu(tape, ad_l2norm_leaky(tape, x, 1), slope);
	out = new_tensor(tape, x->rows, d, x->needs_grad);
	norm = arena_reals(tape, x->rows);
	for (int64_t i = 0; i < x->rows; i++) {
		const real *restrict v = x->val + i * d;
		real *restrict y = out->val + i * d;
		real den;
		norm[i] = (real)sqrt(dot(v, v, d));
		den = norm[i] > (real)L2_EPS ? norm[i] : (real)L2_EPS;
		if (slope == 1)
			for (int64_t j = 0; j < d; j++)
				y[j] = v[j] / den;
		else
			for (int64_t j = 0; j < d; j++) {
				real t = v[j] / den;
				y[j] = t > 0 ? t : sl * t;
			}
	}
	if ((nd = record(tape, OP_L2NORM, out))) {
		nd->a = x;
		nd->aux = norm;
		nd->s = slope;
	}
	return out;
}

struct ad_tensor *ad_l2norm_rows(struct ad_tape *tape, struct ad_tensor *x)
{
	return ad_l2norm_leaky(tape, x, 1);
}

static void l2norm_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t d = nd->out->cols;
	int fresh;
	real *dx = grad_or_fresh(tape, nd->a, &fresh), sl = (real)nd->s;
	/* y = x / |x| again (the same division, so the same bits as the forward's) and
	 * the gradient through the activation, a row at a time */
	real *yr = arena_reals(tape, 2 * d), *gr = yr + d;
	for (int64_t r = 0; r < nd->out->rows; r++) {
		const real *restrict v = nd->a->val + r * d, *restrict g = nd->out->grad + r * d;
		real *restrict y = yr, *restrict gy = gr;
		real *restrict dxi = dx + r * d;
		real n = nd->aux[r], den = n > (real)L2_EPS ? n : (real)L2_EPS;
		if (nd->s == 1) {
			y = nd->out->val + r * d;
			gy = (real *)g;
		} else {
			for (int64_t j = 0; j < d; j++) {
				y[j] = v[j] / den;
				gy[j] = y[j] > 0 ? g[j] : sl * g[j];
			}
		}
		if (n >= (real)L2_EPS) {
			/* d(x/|x|) = (I - y y') / |x| */
			real c = (real)dot(y, gy, d);
			STORE_OR_ADD(fresh, dxi, d, (gy[i] - y[i] * c) / n);
		} else {
			/* The clamped denominator is a constant (torch's clamp_min). */
			STORE_OR_ADD(fresh, dxi, d, gy[i] / (real)L2_EPS);
		}
	}
}

/* ---- an output's gradient pulled from its readers ---- */

/* Rows an op whose output's gradient is pulled (ad_pull_grad) makes at a time: the
 * block (PULL_BLOCK x 128 reals) stays in a core's cache until it is used. */
#define PULL_BLOCK 512

/* The rows of a normalising op's output gradient, one after another: read from the
 * gradient, or, pulled, made a block at a time. */
struct gy_rows {
	struct ad_tape *tape;
	const struct ad_node *nd;
	real *buf;                /* NULL: not pulled */
	int64_t b0, b1;           /* the rows in buf */
	int64_t *inv_off;         /* the gathered rows of each row, as a CSR of ... */
	int32_t *inv_idx;         /* ... positions in the gather, ascending */
};

static void spmm_rows(const int64_t *off, const int32_t *idx, const real *w, const real *x,
    int64_t nx, const real *hist, int64_t d, real *out, int64_t r0, int64_t r1, int add);

/* Whether nd's output has a gradient to hand on. */
static int has_out_grad(const struct ad_tape *tape, const struct ad_node *nd)
{
	return nd->out->grad || (nd->pulled && (tape->nodes[nd->pull_spmm].out->grad ||
	    tape->nodes[nd->pull_gather].out->grad));
}

static void gy_rows_init(struct gy_rows *g, struct ad_tape *tape, const struct ad_node *nd)
{
	const struct ad_node *ga;
	int64_t rows = nd->out->rows;
	memset(g, 0, sizeof *g);
	g->tape = tape;
	g->nd = nd;
	if (!nd->pulled)
		return;
	ga = &tape->nodes[nd->pull_gather];
	g->buf = arena_reals(tape, PULL_BLOCK * nd->out->cols);
	g->inv_off = ad_scratch(tape, ((size_t)rows + 1) * sizeof *g->inv_off);
	g->inv_idx = ad_scratch(tape, ((size_t)ga->n + 1) * sizeof *g->inv_idx);
	memset(g->inv_off, 0, ((size_t)rows + 1) * sizeof *g->inv_off);
	for (int64_t q = 0; q < ga->n; q++)
		g->inv_off[ga->idx[q] + 1]++;
	for (int64_t r = 0; r < rows; r++)
		g->inv_off[r + 1] += g->inv_off[r];
	{
		int64_t *fill = ad_scratch(tape, ((size_t)rows + 1) * sizeof *fill);
		memcpy(fill, g->inv_off, (size_t)rows * sizeof *fill);
		for (int64_t q = 0; q < ga->n; q++)
			g->inv_idx[fill[ga->idx[q]]++] = (int32_t)q;
	}
}

/* The gathered rows' gradients added to rows [r0, r1) of buf, in gather order. */
static void pull_gathered(struct gy_rows *g, int64_t r0, int64_t r1)
{
	const struct ad_node *ga = &g->tape->nodes[g->nd->pull_gather];
	int64_t d = g->nd->out->cols;
	for (int64_t r = r0; r < r1; r++)
		for (int64_t k = g->inv_off[r]; k < g->inv_off[r + 1]; k++)
			axpy(d, 1, ga->out->grad + (int64_t)g->inv_idx[k] * d, g->buf + (r - r0) * d);
}

/* Rows [r0, r1) of the output's gradient into buf, in the order the readers' own
 * backward passes would leave them in it: what the readers made after both wrote,
 * then the later made of A' dAgg (spmm_backward) and the gathered rows' gradients
 * (gather_backward), then the other: the same numbers as theirs, without the
 * gradient written whole (readers made between or before them would have added
 * theirs in another order: the same to rounding). */
static void pull_block(struct gy_rows *g, int64_t r0, int64_t r1)
{
	const struct ad_node *nd = g->nd, *sp = &g->tape->nodes[nd->pull_spmm];
	const struct ad_node *ga = &g->tape->nodes[nd->pull_gather];
	int64_t d = nd->out->cols;
	const real *other = nd->out->grad;
	int written = other != NULL, gather_first = nd->pull_gather > nd->pull_spmm;
	if (other)
		memcpy(g->buf, other + r0 * d, (size_t)((r1 - r0) * d) * sizeof(real));
	if (gather_first && ga->out->grad) {
		if (!written)
			memset(g->buf, 0, (size_t)((r1 - r0) * d) * sizeof(real));
		pull_gathered(g, r0, r1);
		written = 1;
	}
	if (sp->out->grad) {
		spmm_rows(sp->spt->off + r0, sp->spt->idx, sp->wt, sp->out->grad, INT64_MAX, NULL,
		    d, g->buf, 0, r1 - r0, written);
		written = 1;
	}
	if (!gather_first && ga->out->grad) {
		if (!written)
			memset(g->buf, 0, (size_t)((r1 - r0) * d) * sizeof(real));
		pull_gathered(g, r0, r1);
		written = 1;
	}
	if (!written)
		memset(g->buf, 0, (size_t)((r1 - r0) * d) * sizeof(real));
	g->b0 = r0;
	g->b1 = r1;
}

/* Row r of the output's gradient; rows are asked for in ascending order. */
static const real *gy_row(struct gy_rows *g, int64_t r)
{
	int64_t d = g->nd->out->cols, rows = g->nd->out->rows;
	if (!g->buf)
		return g->nd->out->grad + r * d;
	if (r < g->b0 || r >= g->b1)
		pull_block(g, r, r + PULL_BLOCK < rows ? r + PULL_BLOCK : rows);
	return g->buf + (r - g->b0) * d;
}

void ad_pull_grad(struct ad_tape *tape, struct ad_tensor *x, struct ad_tensor *agg,
    struct ad_tensor *self)
{
	struct ad_node *nx, *na, *ns;
	if (x->node < 0 || agg->node < 0 || self->node < 0)
		return; /* no gradient flows: nothing to pull */
	nx = &tape->nodes[x->node];
	na = &tape->nodes[agg->node];
	ns = &tape->nodes[self->node];
	if ((nx->op != OP_L2NORM_STACK && nx->op != OP_L2NORM_MLP) || nx->pulled ||
	    na->op != OP_SPMM || na->a != x || !na->spt || na->sp->cols != x->rows ||
	    na->deferred || ns->op != OP_GATHER || ns->a != x || ns->deferred || x->grad)
		die(HCR_EXIT_FAIL, "internal: ad_pull_grad of ops it cannot fuse");
	na->deferred = 1;
	ns->deferred = 1;
	nx->pulled = 1;
	nx->pull_spmm = agg->node;
	nx->pull_gather = self->node;
}

/* y = v / max(|v|, eps), |v| into *norm; y may be v. */
static void l2norm_row(const real *v, int64_t d, real *y, real *norm)
{
	real den;
	*norm = (real)sqrt(dot(v, v, d));
	den = *norm > (real)L2_EPS ? *norm : (real)L2_EPS;
	for (int64_t j = 0; j < d; j++)
		y[j] = v[j] / den;
}

/* Rows [r, r + n) of a normalising op's output from n rows of x: rows idx[i] (read
 * ahead, since they may be anywhere), or rows 0 .. n - 1 when idx is NULL. */
static void l2norm_part(const struct ad_tensor *x, const int32_t *idx, int64_t n, real *out,
    real *norm)
{
	int64_t d = x->cols;
	for (int64_t i = 0; i < n; i++) {
		if (idx && i + PREFETCH_AHEAD < n)
			prefetch_row(x->val, idx[i + PREFETCH_AHEAD], d);
		l2norm_row(x->val + (idx ? idx[i] : i) * d, d, out + i * d, norm + i);
	}
}

/* Row r of a normalising op's input gradient into dst (store: written, else added),
 * gy the row of its output's gradient:
 * ad_l2norm_rows's backward, d(x/|x|) = (I - y y') / |x|. */
static void l2norm_row_grad(const struct ad_node *nd, int64_t r, const real *restrict gy,
    real *restrict dst, int store)
{
	int64_t d = nd->out->cols;
	const real *restrict y = nd->out->val + r * d;
	real n = nd->aux[r];
	if (n >= (real)L2_EPS) {
		real c = (real)dot(y, gy, d);
		STORE_OR_ADD(store, dst, d, (gy[i] - y[i] * c) / n);
	} else {
		STORE_OR_ADD(store, dst, d, gy[i] / (real)L2_EPS);
	}
}

struct ad_tensor *ad_l2norm_stack(struct ad_tape *tape, int n, struct ad_tensor *const *xs,
    const int64_t *counts, const int32_t *const *idxs)
{
	int64_t d, rows = 0, r = 0;
	struct ad_tensor *out;
	struct ad_node *nd;
	real *norm;
	int needs = 0;
	if (n < 1)
		die(HCR_EXIT_FAIL, "internal: l2norm_stack of no parts");
	d = xs[0]->cols;
	for (int k = 0; k < n; k++) {
		if (xs[k]->cols != d || counts[k] < 0 || (!idxs[k] && counts[k] > xs[k]->rows))
			die(HCR_EXIT_FAIL, "internal: l2norm_stack part of %lld x %lld for %lld rows "
			    "of %lld", (long long)xs[k]->rows, (long long)xs[k]->cols,
			    (long long)counts[k], (long long)d);
		for (int64_t i = 0; idxs[k] && i < counts[k]; i++)
			if (idxs[k][i] < 0 || idxs[k][i] >= xs[k]->rows)
				die(HCR_EXIT_FAIL, "internal: l2norm_stack row %d of %lld", idxs[k][i],
				    (long long)xs[k]->rows);
		rows += counts[k];
		needs |= xs[k]->needs_grad;
	}
	out = new_tensor(tape, rows, d, needs);
	norm = arena_reals(tape, rows);
	/* row by row as ad_l2norm_rows does it, reading each part's rows where they are */
	for (int k = 0; k < n; k++) {
		l2norm_part(xs[k], idxs[k], counts[k], out->val + r * d, norm + r);
		r += counts[k];
	}
	if ((nd = record(tape, OP_L2NORM_STACK, out))) {
		int64_t *c = arena_alloc(tape, (size_t)n * sizeof *c);
		const int32_t **ix = arena_alloc(tape, (size_t)n * sizeof *ix);
		memcpy(c, counts, (size_t)n * sizeof *c);
		memcpy(ix, idxs, (size_t)n * sizeof *ix);
		nd->xs = copy_list(tape, n, xs);
		nd->n_xs = n;
		nd->counts = c;
		nd->idxs = ix;
		nd->aux = norm;
	}
	return out;
}

/* The gradient of part x of a normalising op, its n rows from output row r0 on: added
 * to rows idx[q] (marked), or, idx NULL, to rows 0 .. n - 1, written when store. */
static void l2norm_part_grad(const struct ad_node *nd, struct gy_rows *gy, int64_t r0,
    struct ad_tensor *x, const int32_t *idx, int64_t n, real *dx, int store)
{
	int64_t d = nd->out->cols;
	for (int64_t q = 0; q < n; q++) {
		if (idx)
			ad_touch_row(x, idx[q]);
		l2norm_row_grad(nd, r0 + q, gy_row(gy, r0 + q), dx + (idx ? idx[q] : q) * d, store);
	}
}

static void l2norm_stack_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t r = 0;
	struct gy_rows gy;
	gy_rows_init(&gy, tape, nd);
	for (int k = 0; k < nd->n_xs; k++) {
		struct ad_tensor *x = nd->xs[k];
		const int32_t *idx = nd->idxs[k];
		int fresh = 0;
		/* a part read by index takes additions (rows may be anywhere in it); one read
		 * whole is written, when its buffer is new */
		real *dx = idx ? grad_rows(tape, x) : grad_or_fresh(tape, x, &fresh);
		if (dx)
			l2norm_part_grad(nd, &gy, r, x, idx, nd->counts[k], dx, !idx && fresh);
		r += nd->counts[k];
	}
}

/* Rows of items an ad_l2norm_mlp block takes: its feature rows and its products
 * (MLP_BLOCK x 128 reals each) stay in a core's cache between the product and the
 * normalisation, forward and backward. */
#define MLP_BLOCK 512

struct ad_tensor *ad_l2norm_mlp(struct ad_tape *tape, struct ad_tensor *table, int64_t n,
    const int32_t *idx, const float *feat, int64_t fdim, int64_t n_feat,
    const int32_t *feat_idx, struct ad_tensor *w, struct ad_tensor *b)
{
	int64_t d = w->cols, rows = n + n_feat;
	struct ad_tensor *out;
	struct ad_node *nd;
	real *norm, *xb;
	int needs = w->needs_grad || (b && b->needs_grad) || (n > 0 && table->needs_grad);
	if (w->rows != fdim || (b && (b->rows != 1 || b->cols != d)) || n < 0 || n_feat < 0 ||
	    (n > 0 && table->cols != d))
		die(HCR_EXIT_FAIL, "internal: l2norm_mlp of %lld x %lld rows and a %lld x %lld "
		    "weight", (long long)n_feat, (long long)fdim, (long long)w->rows, (long long)d);
	for (int64_t i = 0; i < n; i++)
		if (idx[i] < 0 || idx[i] >= table->rows)
			die(HCR_EXIT_FAIL, "internal: l2norm_mlp row %d of %lld", idx[i],
			    (long long)table->rows);
	out = new_tensor(tape, rows, d, needs);
	norm = arena_reals(tape, rows);
	l2norm_part(table, idx, n, out->val, norm);
	/* block by block: the rows' bias, the product added to it, normalised in place */
	xb = arena_reals(tape, MLP_BLOCK * fdim);
	for (int64_t r0 = 0; r0 < n_feat; r0 += MLP_BLOCK) {
		int64_t m = n_feat - r0 < MLP_BLOCK ? n_feat - r0 : MLP_BLOCK;
		real *z = out->val + (n + r0) * d;
		gather_feat(feat, fdim, feat_idx + r0, m, xb);
		for (int64_t i = 0; b && i < m; i++)
			memcpy(z + i * d, b->val, (size_t)d * sizeof(real));
		gemm(0, 0, m, d, fdim, xb, fdim, w->val, d, b ? 1 : 0, z, d);
		for (int64_t i = 0; i < m; i++)
			l2norm_row(z + i * d, d, z + i * d, norm + n + r0 + i);
	}
	if ((nd = record(tape, OP_L2NORM_MLP, out))) {
		nd->a = table;
		nd->n = n;
		nd->idx = idx;
		nd->b = w;
		nd->xs = copy_list(tape, 1, &b);
		nd->feat = feat;
		nd->fdim = fdim;
		nd->n_feat = n_feat;
		nd->feat_idx = feat_idx;
		nd->aux = norm;
	}
	return out;
}

static void l2norm_mlp_backward(struct ad_tape *tape, struct ad_node *nd)
{
	struct ad_tensor *w = nd->b, *b = nd->xs[0];
	int64_t d = nd->out->cols, n = nd->n, fdim = nd->fdim, n_feat = nd->n_feat;
	int fw = 0, fb = 0;
	real *dt = n > 0 ? grad_rows(tape, nd->a) : NULL, *dw, *db, *xb, *gz;
	struct gy_rows gy;
	gy_rows_init(&gy, tape, nd);
	if (dt)
		l2norm_part_grad(nd, &gy, 0, nd->a, nd->idx, n, dt, 0);
	dw = grad_or_fresh(tape, w, &fw);
	db = b ? grad_or_fresh(tape, b, &fb) : NULL;
	if (n_feat == 0) {
		if (dw && fw)
			memset(dw, 0, (size_t)(fdim * d) * sizeof(real));
		if (db && fb)
			memset(db, 0, (size_t)d * sizeof(real));
		return;
	}
	if (!dw && !db)
		return;
	/* the products' gradient a block at a time; the bias's sums row by row in order,
	 * as ad_affine's backward makes them, and the weight's block by block */
	xb = arena_reals(tape, MLP_BLOCK * fdim);
	gz = arena_reals(tape, MLP_BLOCK * d);
	for (int64_t r0 = 0; r0 < n_feat; r0 += MLP_BLOCK) {
		int64_t m = n_feat - r0 < MLP_BLOCK ? n_feat - r0 : MLP_BLOCK;
		for (int64_t i = 0; i < m; i++) {
			real *restrict gi = gz + i * d;
			l2norm_row_grad(nd, n + r0 + i, gy_row(&gy, n + r0 + i), gi, 1);
			if (db)
				bias_grad_row(db, fb && r0 + i == 0, gi, d);
		}
		if (dw) {
			gather_feat(nd->feat, fdim, nd->feat_idx + r0, m, xb);
			gemm(1, 0, fdim, d, m, xb, fdim, gz, d, fw && r0 == 0 ? 0 : 1, dw, d);
		}
	}
}

static double softplus(double x)
{
	return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}

static struct ad_tensor *unary(struct ad_tape *tape, enum op op, struct ad_tensor *x,
    double s)
{
	struct ad_tensor *out = new_tensor(tape, x->rows, x->cols, x->needs_grad);
	struct ad_node *nd;
	int64_t n = numel(x);
	const real *restrict v = x->val;
	real *restrict y = out->val;
	switch (op) {
	case OP_LEAKY_RELU: {
		real slope = (real)s;
		for (int64_t i = 0; i < n; i++)
			y[i] = v[i] > 0 ? v[i] : slope * v[i];
		break;
	}
	case OP_SIGMOID:
		for (int64_t i = 0; i < n; i++)
			y[i] = (real)sigmoid(v[i]);
		break;
	case OP_SOFTPLUS:
		for (int64_t i = 0; i < n; i++)
			y[i] = (real)softplus(v[i]);
		break;
	default:
		for (int64_t i = 0; i < n; i++)
			y[i] = (real)-softplus(-(double)v[i]);
		break;
	}
	if ((nd = record(tape, op, out))) {
		nd->a = x;
		nd->s = s;
	}
	return out;
}

struct ad_tensor *ad_leaky_relu(struct ad_tape *tape, struct ad_tensor *x, double slope)
{
	return unary(tape, OP_LEAKY_RELU, x, slope);
}

struct ad_tensor *ad_sigmoid(struct ad_tape *tape, struct ad_tensor *x)
{
	return unary(tape, OP_SIGMOID, x, 0);
}

struct ad_tensor *ad_softplus(struct ad_tape *tape, struct ad_tensor *x)
{
	return unary(tape, OP_SOFTPLUS, x, 0);
}

struct ad_tensor *ad_log_sigmoid(struct ad_tape *tape, struct ad_tensor *x)
{
	return unary(tape, OP_LOG_SIGMOID, x, 0);
}

static void unary_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t n = numel(nd->out);
	const real *restrict v = nd->a->val, *restrict y = nd->out->val;
	const real *restrict g = nd->out->grad;
	int fresh;
	real *restrict dx = grad_or_fresh(tape, nd->a, &fresh);
	switch (nd->op) {
	case OP_LEAKY_RELU: {
		real slope = (real)nd->s;
		STORE_OR_ADD(fresh, dx, n, v[i] > 0 ? g[i] : slope * g[i]);
		break;
	}
	case OP_SIGMOID:
		STORE_OR_ADD(fresh, dx, n, g[i] * y[i] * (1 - y[i]));
		break;
	case OP_SOFTPLUS:
		STORE_OR_ADD(fresh, dx, n, g[i] * (real)sigmoid(v[i]));
		break;
	default:
		STORE_OR_ADD(fresh, dx, n, g[i] * (real)sigmoid(-(double)v[i]));
		break;
	}
}

struct ad_tensor *ad_rowdot(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b)
{
	int64_t d = a->cols;
	struct ad_tensor *out;
	struct ad_node *nd;
	same_shape("rowdot", a, b);
	out = new_tensor(tape, a->rows, 1, a->needs_grad || b->needs_grad);
	for (int64_t i = 0; i < a->rows; i++) {
		out->val[i] = (real)dot(a->val + i * d, b->val + i * d, d);
	}
	if ((nd = record(tape, OP_ROWDOT, out))) {
		nd->a = a;
		nd->b = b;
	}
	return out;
}

/* dst_r (+)= g_r * other_r for every row r: one factor's share of a row dot's gradient. */
static void rowdot_grad_into(real *dst, int fresh, const real *other, const real *g,
    int64_t rows, int64_t d)
{
	for (int64_t r = 0; r < rows; r++) {
		const real *restrict src = other + r * d;
		real *restrict out = dst + r * d;
		real gr = g[r];
		STORE_OR_ADD(fresh, out, d, gr * src[i]);
	}
}

static void rowdot_backward(struct ad_tape *tape, struct ad_node *nd)
{
	int64_t d = nd->a->cols, rows = nd->out->rows;
	int fresh;
	/* da before db: with a == b the second pass adds to the first */
	real *da = grad_or_fresh(tape, nd->a, &fresh), *db;
	if (da)
		rowdot_grad_into(da, fresh, nd->b->val, nd->out->grad, rows, d);
	db = grad_or_fresh(tape, nd->b, &fresh);
	if (db)
		rowdot_grad_into(db, fresh, nd->a->val, nd->out->grad, rows, d);
}

struct ad_tensor *ad_stop_grad(struct ad_tape *tape, struct ad_tensor *x)
{
	/* Values are never written after an op returns, so a view is a copy. */
	return ad_wrap(tape, x->rows, x->cols, x->val);
}

static struct ad_tensor *sum_all(struct ad_tape *tape, struct ad_tensor *x, double s)
{
	struct ad_tensor *out = new_tensor(tape, 1, 1, x->needs_grad);
	struct ad_node *nd;
	out->val[0] = (real)(s * sum(x->val, numel(x)));
	if ((nd = record(tape, OP_SUM_ALL, out))) {
		nd->a = x;
		nd->s = s;
	}
	return out;
}

struct ad_tensor *ad_sum_all(struct ad_tape *tape, struct ad_tensor *x)
{
	return sum_all(tape, x, 1);
}

struct ad_tensor *ad_mean_all(struct ad_tape *tape, struct ad_tensor *x)
{
	return sum_all(tape, x, numel(x) ? 1.0 / (double)numel(x) : 0);
}

/* ---- losses ---- */

/* The loss node: out = 1 x 1, with room for the k inputs' slopes. */
static struct ad_tensor *loss_node(struct ad_tape *tape, int k, struct ad_tensor *const *xs,
    real **slope)
{
	struct ad_tensor *out;
	struct ad_node *nd;
	for (int j = 1; j < k; j++)
		same_shape("loss", xs[0], xs[j]);
	out = new_tensor(tape, 1, 1, any_needs_grad(k, xs));
	*slope = arena_reals(tape, (int64_t)k * numel(xs[0]));
	if ((nd = record(tape, OP_LOSS, out))) {
		nd->xs = copy_list(tape, k, xs);
		nd->n_xs = k;
		nd->aux = *slope;
	}
	return out;
}

struct ad_tensor *ad_bce_logits(struct ad_tape *tape, struct ad_tensor *x, const real *y,
    const real *w)
{
	real *slope;
	struct ad_tensor *out = loss_node(tape, 1, &x, &slope);
	int64_t n = numel(x);
	double sum = 0;
	for (int64_t i = 0; i < n; i++) {
		double v = x->val[i], wi = w ? w[i] : 1;
		/* softplus(x) - y x = -(y log sig(x) + (1 - y) log sig(-x)) */
		sum += wi * (softplus(v) - y[i] * v);
		slope[i] = (real)(wi * (sigmoid(v) - y[i]) / (double)n);
	}
	out->val[0] = n ? (real)(sum / (double)n) : 0;
	return out;
}

struct ad_tensor *ad_bce_prod_sigmoid(struct ad_tape *tape, int k,
    struct ad_tensor *const *xs, const real *y, const real *w)
{
	real *slope;
	struct ad_tensor *out;
	int64_t n;
	double sum = 0;
	if (k < 1)
		die(HCR_EXIT_FAIL, "internal: product of no sigmoids");
	out = loss_node(tape, k, xs, &slope);
	n = numel(xs[0]);
	for (int64_t i = 0; i < n; i++) {
		double s = 0, log1mp, ratio, yi = y[i], wi = w ? w[i] : 1, l = 0, c;
		for (int j = 0; j < k; j++)
			s -= softplus(-(double)xs[j]->val[i]);
		/* log(1 - e^s): two forms, each accurate on its side of -ln 2. */
		log1mp = s > -M_LN2 ? log(-expm1(s)) : log1p(-exp(s));
		/* d log(1 - p) / d s = -p / (1 - p) */
		ratio = exp(s) / -expm1(s);
		/* A term whose label weight is 0 is skipped, so that p = 1 or 0 (an
		 * infinite log) cannot turn it into 0 * inf. */
		if (yi != 0)
			l -= yi * s;
		if (yi != 1)
			l -= (1 - yi) * log1mp;
		sum += wi * l;
		/* d s / d x_j = sigmoid(-x_j), so d loss / d x_j = -sigmoid(-x_j) c */
		c = (yi != 0 ? yi : 0) - (yi != 1 ? (1 - yi) * ratio : 0);
		for (int j = 0; j < k; j++)
			slope[(int64_t)j * n + i] =
			    (real)(-wi * sigmoid(-(double)xs[j]->val[i]) * c / (double)n);
	}
	out->val[0] = n ? (real)(sum / (double)n) : 0;
	return out;
}

struct ad_tensor *ad_bpr(struct ad_tape *tape, struct ad_tensor *pos, struct ad_tensor *neg)
{
	struct ad_tensor *xs[2] = { pos, neg };
	real *slope;
	struct ad_tensor *out = loss_node(tape, 2, xs, &slope);
	int64_t n = numel(pos);
	double sum = 0;
	for (int64_t i = 0; i < n; i++) {
		double d = (double)pos->val[i] - neg->val[i];
		double g = sigmoid(-d) / (double)n;
		sum += softplus(-d); /* -log sigmoid(d) */
		slope[i] = (real)-g;
		slope[n + i] = (real)g;
	}
	out->val[0] = n ? (real)(sum / (double)n) : 0;
	return out;
}

struct ad_tensor *ad_sq_error(struct ad_tape *tape, struct ad_tensor *x, const real *y,
    const real *w)
{
	real *slope;
	struct ad_tensor *out = loss_node(tape, 1, &x, &slope);
	int64_t n = numel(x);
	double sum = 0;
	for (int64_t i = 0; i < n; i++) {
		double e = (double)x->val[i] - y[i], wi = w ? w[i] : 1;
		sum += wi * e * e;
		slope[i] = (real)(2 * wi * e / (double)n);
	}
	out->val[0] = n ? (real)(sum / (double)n) : 0;
	return out;
}

static void loss_backward(struct ad_tape *tape, struct ad_node *nd)
{
	real g = nd->out->grad[0];
	int64_t n = numel(nd->xs[0]);
	for (int k = 0; k < nd->n_xs; k++)
		add_grad(tape, nd->xs[k], nd->aux + (int64_t)k * n, n, g);
}

/* ---- the backward pass ---- */

static void backward(struct ad_tape *tape, struct ad_tensor *loss, const real *seed)
{
	if (tape->backward_done)
		die(HCR_EXIT_FAIL, "internal: second backward pass on one tape");
	tape->backward_done = 1;
	if (!loss->needs_grad)
		return;
	add_grad(tape, loss, seed, numel(loss), 1);
	for (int64_t at = loss->node; at >= 0; at--) {
		struct ad_node *nd = &tape->nodes[at];
		if (nd->deferred || !has_out_grad(tape, nd))
			continue; /* pulled by its input's op, or not downstream of the loss */
		switch (nd->op) {
		case OP_MATMUL:
			matmul_backward(tape, nd);
			break;
		case OP_AFFINE:
			affine_backward(tape, nd);
			break;
		case OP_ADD:
		case OP_SUB:
		case OP_MUL:
			binary_backward(tape, nd);
			break;
		case OP_SCALE:
			add_grad(tape, nd->a, nd->out->grad, numel(nd->out), (real)nd->s);
			break;
		case OP_ADD_ROW:
			add_row_backward(tape, nd);
			break;
		case OP_SUM_OF:
		case OP_CONCAT_ROWS:
		case OP_CONCAT_COLS:
			list_backward(tape, nd);
			break;
		case OP_GATHER:
			gather_backward(tape, nd);
			break;
		case OP_BAG_MEAN:
			bag_mean_backward(tape, nd);
			break;
		case OP_SPMM:
			spmm_backward(tape, nd);
			break;
		case OP_L2NORM:
			l2norm_backward(tape, nd);
			break;
		case OP_L2NORM_STACK:
			l2norm_stack_backward(tape, nd);
			break;
		case OP_L2NORM_MLP:
			l2norm_mlp_backward(tape, nd);
			break;
		case OP_LEAKY_RELU:
		case OP_SIGMOID:
		case OP_SOFTPLUS:
		case OP_LOG_SIGMOID:
			unary_backward(tape, nd);
			break;
		case OP_ROWDOT:
			rowdot_backward(tape, nd);
			break;
		case OP_SUM_ALL: {
			int fresh;
			real g = (real)nd->s * nd->out->grad[0], *dx = grad_or_fresh(tape, nd->a, &fresh);
			if (dx)
				STORE_OR_ADD(fresh, dx, numel(nd->a), g);
			break;
		}
		case OP_LOSS:
			loss_backward(tape, nd);
			break;
		}
	}
}

void ad_backward(struct ad_tape *tape, struct ad_tensor *loss)
{
	static const real one = 1;
	if (loss->rows != 1 || loss->cols != 1)
		die(HCR_EXIT_FAIL, "internal: backward from a %lld x %lld tensor",
		    (long long)loss->rows, (long long)loss->cols);
	backward(tape, loss, &one);
}

void ad_backward_from(struct ad_tape *tape, struct ad_tensor *out, const real *grad)
{
	backward(tape, out, grad);
}

/* ---- checks ---- */

int ad_finite(const real *a, size_t n)
{
	/* x - x is 0 for finite x and NaN otherwise; no branch in the loop, so that
	 * it vectorises. */
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		bad |= a[i] - a[i] != 0;
	return !bad;
}

int ad_all_finite(const struct ad_tensor *t)
{
	return ad_finite(t->val, (size_t)numel(t));
}

int ad_params_finite(const struct ad_params *set)
{
	for (size_t k = 0; k < set->n; k++) {
		const struct ad_param *p = set->p[k];
		if (!ad_finite(p->t.val, (size_t)numel(&p->t)) ||
		    !ad_finite(p->t.grad, (size_t)numel(&p->t)))
			return 0;
	}
	return 1;
}
