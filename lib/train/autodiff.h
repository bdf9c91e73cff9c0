/* autodiff.h: reverse-mode gradients over row-major matrices, the numeric core of training.
 *
 * A step:
 *	ad_tape_reset(&tape);                      // drops last step's intermediates
 *	x = ad_gather(&tape, &emb->t, n, idx);     // parameters enter as &p->t
 *	y = ad_leaky_relu(&tape, ad_add_row(&tape, ad_matmul(&tape, x, 0, &w->t, 0),
 *	    &b->t), 0.01);
 *	loss = ad_bce_logits(&tape, ad_rowdot(&tape, y, z), labels, NULL);
 *	if (!ad_all_finite(loss)) die(HCR_EXIT_NUMERIC, ...);
 *	ad_backward(&tape, loss);                  // adds into the parameters' grads
 *	adam_step(&opt, &params);                  // adam.h: updates, clears the grads
 *
 * Intermediates live in the tape's arena, which a reset rewinds without freeing, so
 * after the first steps a training loop allocates nothing; a reset ends the life of
 * every tensor the tape made.  Arrays handed to an op (indices, sparse matrices,
 * labels, weights) are referenced, not copied: keep them unchanged until
 * ad_backward returns.  Everything is computed in a fixed order, so the same inputs
 * and BLAS thread count give bit-identical results. */
#ifndef HCR_AUTODIFF_H
#define HCR_AUTODIFF_H

#include <stddef.h>
#include <stdint.h>

#include "common/csr.h"
#include "common/rng.h"

#ifdef HCR_REAL_DOUBLE
typedef double real;
#else
typedef float real;
#endif

struct ad_tensor {
	int64_t rows, cols;
	real *val;        /* rows x cols, row-major */
	real *grad;       /* same shape; NULL until a gradient reaches it */
	int32_t node;     /* the tape node that computed it, -1 for a leaf */
	int needs_grad;   /* a trainable parameter is upstream */
	/* A lazy table that tracks its rows (ad_param_track_rows): the rows given a
	 * gradient since its last update, and whether an op wrote the gradient whole. */
	uint8_t *touched;
	int touched_all;
};

/* A trainable matrix: persistent value, gradient and Adam moments. */
struct ad_param {
	struct ad_tensor t;
	real *m, *v;
	char *name;
	int frozen;       /* 1: used as a constant, never updated (reference behaviour) */
	int lazy;         /* 1: a table whose rows without gradient in a step are left as
	                   * they are by Adam (LazyAdam; train-mtl --history) */
};

struct ad_params {
	struct ad_param **p;
	size_t n, cap;
};

struct ad_node;
struct ad_tape {
	struct ad_node *nodes;
	size_t n_nodes, cap_nodes;
	char *arena;              /* one block, grown only between steps */
	size_t arena_size, arena_used;
	void **spill;             /* blocks taken when the arena ran out mid-step */
	size_t n_spill, cap_spill, spill_bytes;
	size_t peak_bytes;
	int backward_done;
};

/* Parameters, values zero until an ad_init_* call. */
struct ad_param *ad_param_new(struct ad_params *set, const char *name, int64_t rows,
    int64_t cols);
/* Keeps p's value fixed: no gradient, no update (frozen p and id_emb, method.md 4). */
void ad_param_freeze(struct ad_param *p);
/* Makes p a lazy table that remembers which rows its gradient reached, so that Adam
 * visits those instead of scanning the table (--history's steps touch a few thousand
 * rows of tables of millions).  The ops mark the rows they add to; an op that writes
 * the gradient whole, or a caller adding to p->t.grad itself without ad_touch_row,
 * must leave it to a scan: see ad_touch_row and ad_touch_all. */
void ad_param_track_rows(struct ad_param *p);
/* Says that row r of t's gradient was added to (nothing for an untracked t). */
static inline void ad_touch_row(struct ad_tensor *t, int64_t r)
{
	if (t->touched)
		t->touched[r] = 1;
}
/* Says that t's gradient may have been written anywhere. */
static inline void ad_touch_all(struct ad_tensor *t)
{
	t->touched_all = 1;
}
void ad_params_free(struct ad_params *set);
size_t ad_params_count(const struct ad_params *set);   /* scalars in all of them */
void ad_params_zero_grad(struct ad_params *set);
/* Copies every value to buf (ad_params_count reals; allocated when NULL), and back. */
real *ad_params_save(const struct ad_params *set, real *buf);
void ad_params_load(struct ad_params *set, const real *buf);

/* Initialisation: Glorot/Xavier uniform, bound sqrt(6 / (rows + cols)) as
 * torch.nn.init.xavier_uniform_; normal with the given sd; a constant. */
void ad_init_xavier_uniform(struct ad_tensor *t, struct rng *r);
void ad_init_normal(struct ad_tensor *t, struct rng *r, double sd);
void ad_init_const(struct ad_tensor *t, real c);

struct pool;
/* The pool whose free threads take row blocks of the products and of the sparse
 * means (NULL: none).  A mean's rows are each summed alone, so its blocks give the
 * same bits by construction.  A product over at least 2 AD_GEMM_BLOCK rows of
 * op(a) = a is cut into blocks of AD_GEMM_BLOCK (the last takes the remainder)
 * whatever the pool, so the same bits on any number of threads.  At the training's
 * sizes a block's rows are also those of the whole product, bit for bit; below a
 * million multiply-adds a call, OpenBLAS takes another kernel, which rounds
 * otherwise.  Sums over the rows (a' b) are never cut. */
#define AD_GEMM_BLOCK 1024
void ad_set_pool(struct pool *pool);

void ad_tape_init(struct ad_tape *tape);
void ad_tape_reset(struct ad_tape *tape);
void ad_tape_free(struct ad_tape *tape);
/* Scratch memory valid until the next reset (local index lists, a batch's CSR). */
void *ad_scratch(struct ad_tape *tape, size_t bytes);

/* Constants: a fresh rows x cols tensor for the caller to fill, or one viewing
 * the caller's array (kept unchanged until the reset). */
struct ad_tensor *ad_const(struct ad_tape *tape, int64_t rows, int64_t cols);
/* A constant of rows idx[0 .. n) of the float matrix src (cols columns), as reals. */
struct ad_tensor *ad_const_rows(struct ad_tape *tape, const float *src, int64_t cols,
    int64_t n, const int32_t *idx);
struct ad_tensor *ad_wrap(struct ad_tape *tape, int64_t rows, int64_t cols, real *val);

/* A leaf over values made elsewhere (another tape's output, or rows that several
 * tapes read) that collects, when needs_grad is set, the gradient reaching it in
 * ->grad (NULL if none does): so a step can be cut into tapes, one a thread, each
 * handing its output's gradient to the tape that made it (ad_backward_from). */
struct ad_tensor *ad_leaf(struct ad_tape *tape, int64_t rows, int64_t cols, real *val,
    int needs_grad);

/* op(a) op(b), op transposing when ta (tb) is set; OpenBLAS gemm both ways. */
struct ad_tensor *ad_matmul(struct ad_tape *tape, struct ad_tensor *a, int ta,
    struct ad_tensor *b, int tb);
/* LeakyReLU(x W + b + adds[0] + ...) with the given slope (1: no activation), b 1 x n
 * or NULL, the addends the result's shape: a layer in one op, so that the bias, the
 * addends and the activation cost one pass over the result instead of one each. */
#define AD_AFFINE_MAX_ADD 4
struct ad_tensor *ad_affine(struct ad_tape *tape, struct ad_tensor *x, struct ad_tensor *w,
    struct ad_tensor *b, int n_add, struct ad_tensor *const *adds, double slope);
struct ad_tensor *ad_add(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b);
struct ad_tensor *ad_sub(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b);
struct ad_tensor *ad_mul(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b);
struct ad_tensor *ad_scale(struct ad_tape *tape, struct ad_tensor *a, double s);
/* a + 1 b: b is 1 x cols, added to every row (a bias). */
struct ad_tensor *ad_add_row(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b);
/* Sum and mean of n same-shape tensors (mean over a group's modalities). */
struct ad_tensor *ad_sum_of(struct ad_tape *tape, int n, struct ad_tensor *const *xs);
struct ad_tensor *ad_mean_of(struct ad_tape *tape, int n, struct ad_tensor *const *xs);
/* [x1; x2; ...] stacks rows (users over items); [x1 x2 ...] joins columns. */
struct ad_tensor *ad_concat_rows(struct ad_tape *tape, int n, struct ad_tensor *const *xs);
struct ad_tensor *ad_concat_cols(struct ad_tape *tape, int n, struct ad_tensor *const *xs);

/* Row i of the result is row idx[i] of src (a parameter or any tensor); the
 * backward pass adds into src's rows in order, so repeats accumulate. */
struct ad_tensor *ad_gather(struct ad_tape *tape, struct ad_tensor *src, int64_t n,
    const int32_t *idx);
/* Row i is the mean of src's rows listed in bag row sel[i] of bags (sel NULL:
 * row i), weighted by w[k] for bags->idx[k] when w is given (sum w e / sum w);
 * an empty bag, or zero total weight, gives a zero row. */
struct ad_tensor *ad_bag_mean(struct ad_tape *tape, struct ad_tensor *src,
    const struct csr *bags, const real *w, int64_t n, const int32_t *sel);
/* A X for A sparse (a->rows x a->cols, entry k weighing w[k], 1 when w is NULL)
 * and X a->cols x d: out_r = sum_k w_k X_{idx_k}. */
struct ad_tensor *ad_spmm(struct ad_tape *tape, const struct csr *a, const real *w,
    struct ad_tensor *x);
/* The same with A's transpose at (and its weights wt) made once by ad_transpose for
 * every product with A; ad_spmm makes one in its backward pass.  The backward pass
 * reads dOut row by row for each row of dX, in the order a scatter would add. */
struct ad_tensor *ad_spmm_t(struct ad_tape *tape, const struct csr *a, const real *w,
    const struct csr *at, const real *wt, struct ad_tensor *x);
/* A's transpose, weights moved along (1 when w is NULL), in the tape's scratch. */
void ad_transpose(struct ad_tape *tape, const struct csr *a, const real *w, struct csr *at,
    real **wt);
/* The transpose of A's first ncols columns only (ncols x a->rows): the entries of the
 * other columns are left out. */
void ad_transpose_cols(struct ad_tape *tape, const struct csr *a, const real *w,
    int64_t ncols, struct csr *at, real **wt);
/* A [X; H] for A sparse with x->rows + hist_rows columns: column c < x->rows reads row c
 * of x, a larger one row c - x->rows of hist (hist_rows x x->cols), a constant that no
 * gradient reaches (historical embeddings, --history).  at, wt: A's first x->rows
 * columns transposed (ad_transpose_cols), for the backward pass, which is ad_spmm_t's
 * over x. */
struct ad_tensor *ad_spmm_hist(struct ad_tape *tape, const struct csr *a, const real *w,
    const struct csr *at, const real *wt, struct ad_tensor *x, const real *hist,
    int64_t hist_rows);

/* x / max(||x||, 1e-12) for each row, as torch.nn.functional.normalize. */
struct ad_tensor *ad_l2norm_rows(struct ad_tape *tape, struct ad_tensor *x);
/* LeakyReLU(ad_l2norm_rows(x)) in one op (slope 1: none), the same numbers. */
struct ad_tensor *ad_l2norm_leaky(struct ad_tape *tape, struct ad_tensor *x, double slope);
/* ad_l2norm_rows of n parts' rows stacked, part k giving counts[k] rows: row i of it is
 * row idxs[k][i] of xs[k], or row i when idxs[k] is NULL.  The numbers of
 * ad_l2norm_rows(ad_concat_rows of ad_gathers), without their copies. */
struct ad_tensor *ad_l2norm_stack(struct ad_tape *tape, int n, struct ad_tensor *const *xs,
    const int64_t *counts, const int32_t *const *idxs);
/* ad_l2norm_stack of two parts: rows idx[0 .. n) of table, then the affine map
 * feat_rows w + b (b may be NULL) of rows feat_idx[0 .. n_feat) of the constant float
 * matrix feat (fdim columns), made a block of rows at a time so that no copy of the
 * gathered rows or of the products is written whole: a dense modality's x0.  The
 * values of ad_l2norm_stack over ad_affine of the gathered rows; w's gradient adds
 * the blocks' products in turn, so its last bits may differ from one product's. */
struct ad_tensor *ad_l2norm_mlp(struct ad_tape *tape, struct ad_tensor *table, int64_t n,
    const int32_t *idx, const float *feat, int64_t fdim, int64_t n_feat,
    const int32_t *feat_idx, struct ad_tensor *w, struct ad_tensor *b);
/* Lets x's op (ad_l2norm_stack or ad_l2norm_mlp) take its output's gradient from
 * agg = ad_spmm_t(.., x) (transpose given) and self = ad_gather(.., x) a block of
 * rows at a time, as it goes, instead of from x's gradient written whole by their
 * backward passes (which then do nothing): the same numbers, without a pass that
 * writes x's gradient and one that reads it.  Before any backward pass; x may have
 * other readers (the same bits when they were made after agg and self). */
void ad_pull_grad(struct ad_tape *tape, struct ad_tensor *x, struct ad_tensor *agg,
    struct ad_tensor *self);
struct ad_tensor *ad_leaky_relu(struct ad_tape *tape, struct ad_tensor *x, double slope);
struct ad_tensor *ad_sigmoid(struct ad_tape *tape, struct ad_tensor *x);
struct ad_tensor *ad_softplus(struct ad_tape *tape, struct ad_tensor *x);
struct ad_tensor *ad_log_sigmoid(struct ad_tape *tape, struct ad_tensor *x);
/* n x 1: <a_i, b_i> for each row (the score Y(u, i)). */
struct ad_tensor *ad_rowdot(struct ad_tape *tape, struct ad_tensor *a, struct ad_tensor *b);
/* The same values, no gradient through (sg in method.md section 6). */
struct ad_tensor *ad_stop_grad(struct ad_tape *tape, struct ad_tensor *x);
/* 1 x 1 sum and mean of all entries. */
struct ad_tensor *ad_sum_all(struct ad_tape *tape, struct ad_tensor *x);
struct ad_tensor *ad_mean_all(struct ad_tape *tape, struct ad_tensor *x);

/* Losses: 1 x 1 means over the n entries of their inputs (0 when n is 0); a weight
 * w[i] multiplies entry i's term before the mean (torch's weight=).  Labels may be
 * soft (any value in [0, 1]).  Internally in double precision. */
/* Binary cross-entropy of sigmoid(x) with y. */
struct ad_tensor *ad_bce_logits(struct ad_tape *tape, struct ad_tensor *x, const real *y,
    const real *w);
/* Binary cross-entropy of p = prod_k sigmoid(xs[k]) with y, stable at any logits
 * (method.md section 5): log p = -sum softplus(-x_k), log(1 - p) = log1mexp(log p). */
struct ad_tensor *ad_bce_prod_sigmoid(struct ad_tape *tape, int k,
    struct ad_tensor *const *xs, const real *y, const real *w);
/* -mean log sigmoid(pos - neg). */
struct ad_tensor *ad_bpr(struct ad_tape *tape, struct ad_tensor *pos, struct ad_tensor *neg);
/* mean w (x - y)^2. */
struct ad_tensor *ad_sq_error(struct ad_tape *tape, struct ad_tensor *x, const real *y,
    const real *w);

/* Adds d loss / d t into every parameter's grad (loss 1 x 1); once per reset. */
void ad_backward(struct ad_tape *tape, struct ad_tensor *loss);
/* The same from a tensor out of any shape whose gradient grad (numel(out) reals,
 * copied) another tape computed; also once per reset. */
void ad_backward_from(struct ad_tape *tape, struct ad_tensor *out, const real *grad);

/* 1 when every value is finite: the cheap check after a step's loss. */
int ad_all_finite(const struct ad_tensor *t);
int ad_finite(const real *a, size_t n);
/* 1 when every parameter's gradient (and value) is finite. */
int ad_params_finite(const struct ad_params *set);

#endif
