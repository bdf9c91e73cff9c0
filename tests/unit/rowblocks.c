/* rowblocks: products and sparse means over many rows are cut into row blocks, run
 * by the pool's free threads.
 *
 * A sparse mean of 2,600 rows (5 blocks) and its transposed product (1,300 rows, 2
 * blocks), on no pool and on pools of 2 and 4 threads, must equal bit for bit a
 * plain loop that adds each row's entries in order in float: each row is summed
 * alone, whatever its block.
 *
 * A product over 2 AD_GEMM_BLOCK rows or more is cut likewise.  An affine map of
 * 2,500 rows (blocks of 1,024 and 1,476 rows), forward and backward, on no pool and
 * on pools of 2 and 4 threads:
 *  - the output, the input's gradient and the weight's gradient are the same bits on
 *    any number of threads;
 *  - at the training's sizes (64 inputs, 40 outputs here), the output and the
 *    input's gradient are bit for bit those of the map taken in two halves of 1,250
 *    rows, each below the cut (one BLAS call each): a row's numbers do not depend on
 *    the block that computes it.  (Below a million multiply-adds OpenBLAS takes
 *    another kernel, whose roundings differ: 37 inputs and 19 outputs, also run,
 *    are compared across thread counts only.)  The weight's gradient, a sum over the
 *    rows, never cut, equals the halves' sum to rounding;
 *  - all match a double-precision loop within 1e-5 of their largest value (float
 *    rounding over a 64-long sum is about 1e-6 of it). */
#include <stdlib.h>
#include <string.h>

#include "common/csr.h"
#include "common/pool.h"
#include "common/rng.h"
#include "tap.h"
#include "train/autodiff.h"

#define M 2500
#define KMAX 64
#define NMAX 40

static int K, N;
static real x[M * KMAX], g[M * NMAX];

/* The map of rows [r0, r0 + m) of x, its output and its input's gradient, and the
 * weight's gradient added into dw. */
static void affine_rows(struct ad_param *w, struct ad_param *b, int64_t r0, int64_t m,
    real *y, real *dx)
{
	struct ad_tape t;
	struct ad_tensor *in, *out;
	ad_tape_init(&t);
	in = ad_leaf(&t, m, K, x + r0 * K, 1);
	out = ad_affine(&t, in, &w->t, &b->t, 0, NULL, 1);
	memcpy(y + r0 * N, out->val, (size_t)(m * N) * sizeof(real));
	ad_backward_from(&t, out, g + r0 * N);
	memcpy(dx + r0 * K, in->grad, (size_t)(m * K) * sizeof(real));
	ad_tape_free(&t);
}

/* The map of k inputs and n outputs; halves: compare with the two halves bit for bit. */
static void sizes(int k, int n, int halves)
{
	static real y_whole[M * NMAX], dx_whole[M * KMAX], y_halves[M * NMAX], dx_halves[M * KMAX];
	static real y_one[M * NMAX], dx_one[M * KMAX], dw_one[KMAX * NMAX];
	static real dw_whole[KMAX * NMAX], dw_halves[KMAX * NMAX];
	static const int threads[] = { 1, 2, 4 };
	struct ad_params set = { 0 };
	struct ad_param *w, *b;
	struct rng r;
	double worst = 0, big = 0, worst_dw = 0, big_dw = 0;
	K = k, N = n;
	w = ad_param_new(&set, "w", K, N), b = ad_param_new(&set, "b", 1, N);

	rng_init(&r, 5, 0);
	for (int i = 0; i < M * K; i++)
		x[i] = (real)(rng_uniform(&r) - 0.5);
	for (int i = 0; i < M * N; i++)
		g[i] = (real)(rng_uniform(&r) - 0.5);
	ad_init_xavier_uniform(&w->t, &r);
	for (int j = 0; j < N; j++)
		b->t.val[j] = (real)(0.1 * j);

	ad_set_pool(NULL);
	memset(w->t.grad, 0, sizeof(real) * K * N);
	affine_rows(w, b, 0, M / 2, y_halves, dx_halves);
	affine_rows(w, b, M / 2, M - M / 2, y_halves, dx_halves);
	memcpy(dw_halves, w->t.grad, sizeof(real) * K * N);
	for (size_t i = 0; i < sizeof threads / sizeof *threads; i++) {
		struct pool pool;
		pool_init(&pool, threads[i]);
		ad_set_pool(threads[i] > 1 ? &pool : NULL);
		memset(w->t.grad, 0, sizeof(real) * K * N);
		affine_rows(w, b, 0, M, y_whole, dx_whole);
		memcpy(dw_whole, w->t.grad, sizeof(real) * K * N);
		ad_set_pool(NULL);
		pool_free(&pool);
		if (i == 0) {
			memcpy(y_one, y_whole, sizeof(real) * M * N);
			memcpy(dx_one, dx_whole, sizeof(real) * M * K);
			memcpy(dw_one, dw_whole, sizeof(real) * K * N);
		} else {
			OK(!memcmp(y_whole, y_one, sizeof(real) * M * N) && !memcmp(dx_whole, dx_one,
			    sizeof(real) * M * K) && !memcmp(dw_whole, dw_one, sizeof(real) * K * N),
			    "%d x %d, %d threads: output and gradients bit for bit as on one", K, N,
			    threads[i]);
		}
		if (!halves)
			continue;
		OK(!memcmp(y_whole, y_halves, sizeof(real) * M * N), "%d x %d, %d thread(s): the output "
		    "of 2,500 rows in blocks, bit for bit as in two halves", K, N, threads[i]);
		OK(!memcmp(dx_whole, dx_halves, sizeof(real) * M * K), "%d x %d, %d thread(s): the "
		    "input's gradient, bit for bit", K, N, threads[i]);
		for (int q = 0; q < K * N; q++) {
			double d = fabs((double)dw_whole[q] - dw_halves[q]);
			worst_dw = d > worst_dw ? d : worst_dw;
			big_dw = fabs(dw_halves[q]) > big_dw ? fabs(dw_halves[q]) : big_dw;
		}
		NEAR(worst_dw, 0, 1e-5 * big_dw, "%d x %d, %d thread(s): the weight's gradient, a "
		    "sum over the rows, as the halves' sum to rounding", K, N, threads[i]);
	}

	/* against double loops */
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			double s = b->t.val[j];
			for (int q = 0; q < K; q++)
				s += (double)x[i * K + q] * w->t.val[q * N + j];
			worst = fabs(s - y_whole[i * N + j]) > worst ? fabs(s - y_whole[i * N + j]) : worst;
			big = fabs(s) > big ? fabs(s) : big;
		}
	NEAR(worst, 0, 1e-5 * big, "%d x %d: the output as a double loop's", K, N);
	worst = big = 0;
	for (int i = 0; i < M; i++)
		for (int q = 0; q < K; q++) {
			double s = 0;
			for (int j = 0; j < N; j++)
				s += (double)g[i * N + j] * w->t.val[q * N + j];
			worst = fabs(s - dx_whole[i * K + q]) > worst ? fabs(s - dx_whole[i * K + q]) : worst;
			big = fabs(s) > big ? fabs(s) : big;
		}
	NEAR(worst, 0, 1e-5 * big, "%d x %d: the input's gradient as a double loop's", K, N);
	ad_params_free(&set);
}

/* A (2,600 x 1,300, one to twelve entries a row, weights 1 / (entries + 1)) times x
 * (1,300 x 72: a chunk of 64 summed in registers and 8 left), and A' times g
 * (2,600 x 72) by the backward pass. */
static void sparse_means(void)
{
	enum { R = 2600, C = 1300, D = 72 };
	static int64_t off[R + 1];
	static int32_t idx[R * 12];
	static real w[R * 12], xs[C * D], gs[R * D], want[R * D], want_t[C * D];
	static const int threads[] = { 1, 2, 4 };
	struct csr a = { R, C, off, idx };
	struct rng r;
	rng_init(&r, 9, 0);
	off[0] = 0;
	for (int i = 0; i < R; i++) {
		int n = 1 + (int)(rng_uniform(&r) * 12);
		off[i + 1] = off[i] + n;
		for (int64_t k = off[i]; k < off[i + 1]; k++) {
			idx[k] = (int32_t)(rng_uniform(&r) * C);
			w[k] = (real)(1.0 / (n + 1));
		}
	}
	for (int i = 0; i < C * D; i++)
		xs[i] = (real)(rng_uniform(&r) - 0.5);
	for (int i = 0; i < R * D; i++)
		gs[i] = (real)(rng_uniform(&r) - 0.5);
	/* the plain loops: A x row by row, and A' g as a scatter of the rows in order */
	memset(want, 0, sizeof want);
	memset(want_t, 0, sizeof want_t);
	for (int i = 0; i < R; i++)
		for (int64_t k = off[i]; k < off[i + 1]; k++)
			for (int c = 0; c < D; c++) {
				want[i * D + c] += w[k] * xs[idx[k] * D + c];
				want_t[idx[k] * D + c] += w[k] * gs[i * D + c];
			}
	for (size_t i = 0; i < sizeof threads / sizeof *threads; i++) {
		struct pool pool;
		struct ad_tape t;
		struct ad_tensor *in, *out;
		pool_init(&pool, threads[i]);
		ad_set_pool(threads[i] > 1 ? &pool : NULL);
		ad_tape_init(&t);
		in = ad_leaf(&t, C, D, xs, 1);
		out = ad_spmm(&t, &a, w, in);
		OK(!memcmp(out->val, want, sizeof want), "%d thread(s): a sparse mean of 2,600 rows "
		    "in blocks, bit for bit as a plain loop", threads[i]);
		ad_backward_from(&t, out, gs);
		OK(in->grad && !memcmp(in->grad, want_t, sizeof want_t), "%d thread(s): its "
		    "transposed product, bit for bit", threads[i]);
		ad_tape_free(&t);
		ad_set_pool(NULL);
		pool_free(&pool);
	}
}

int main(void)
{
	sizes(64, 40, 1);
	sizes(37, 19, 0);
	sparse_means();
	return tap_done();
}
