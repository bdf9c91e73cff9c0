/* bench-rank: pairs per second of all-ranking under the hcr rule with top-K
 * selection, against a plain sgemm of inner dimension 3d over the same pairs in the
 * same blocks; a Tiktok-sized case by default.  Not part of make check:
 * tests/bench/rank.sh (make bench) builds and runs it. */
#include <cblas.h>
#undef I
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "rank/rulekeys.h"
#include "rank/topk.h"

static uint64_t rng = 88172645463325252ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* Normal entries of standard deviation sd (Box-Muller). */
static float *normal_matrix(int64_t rows, int d, double sd)
{
	float *m = xmalloc((size_t)(rows * d) * sizeof *m);
	int64_t i;
	for (i = 0; i < rows * d; i++)
		m[i] = (float)(sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform()));
	return m;
}

struct gemm_job {
	const float *u, *v;
	int64_t n_users, n_items, ub, ic;
	int d;
	atomic_llong next;
};

/* The baseline: C = U V^T with inner dimension d, block by block, nothing else. */
static void *gemm_worker(void *arg)
{
	struct gemm_job *g = arg;
	float *c = xmalloc((size_t)(g->ub * g->ic) * sizeof *c);
	for (;;) {
		int64_t u0 = atomic_fetch_add(&g->next, 1) * g->ub, b, i0;
		if (u0 >= g->n_users)
			break;
		b = g->n_users - u0 < g->ub ? g->n_users - u0 : g->ub;
		for (i0 = 0; i0 < g->n_items; i0 += g->ic) {
			int64_t n = g->n_items - i0 < g->ic ? g->n_items - i0 : g->ic;
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)n, g->d, 1.0f,
			    g->u + u0 * g->d, g->d, g->v + i0 * g->d, g->d, 0.0f, c, (int)n);
		}
	}
	free(c);
	return NULL;
}

static double bench_gemm(const float *u, const float *v, int64_t nu, int64_t ni, int d,
    int64_t ub, int64_t ic, int threads, double *cpu)
{
	struct gemm_job g = { u, v, nu, ni, ub, ic, d, 0 };
	pthread_t tid[64];
	double t0 = now_seconds(), c0 = cpu_seconds();
	int t;
	for (t = 1; t < threads; t++)
		pthread_create(&tid[t], NULL, gemm_worker, &g);
	gemm_worker(&g);
	for (t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	*cpu = (double)nu * (double)ni / (cpu_seconds() - c0);
	return (double)nu * (double)ni / (now_seconds() - t0);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-rank [-u users] [-n items] [-d dim] [-k K] [-s logit_sd]\n"
	    "                  [-b user_block] [-c item_chunk] [-j max_threads] [-r repeats]\n");
	exit(HCR_EXIT_USAGE);
}

int main(int argc, char **argv)
{
	int64_t nu = 36656, ni = 76085, full_u = 36656, ub = 0, ic = 0;
	int d = 64, k = 100, max_threads = 2, reps = 3, c, t, j;
	double logit_sd = 8, entry_sd;
	float *um[3], *im[3], *ucat, *icat;
	struct rule_group groups[3] = { { 0 } };
	struct rule ru;
	struct rank_scorer sc;

	tool_init("bench-rank", argc, argv);
	while ((c = getopt(argc, argv, "u:n:d:k:s:b:c:j:r:")) != -1) {
		switch (c) {
		case 'u': nu = opt_long("-u", optarg, 1, INT32_MAX); break;
		case 'n': ni = opt_long("-n", optarg, 1, INT32_MAX); break;
		case 'd': d = (int)opt_long("-d", optarg, 1, 4096); break;
		case 'k': k = (int)opt_long("-k", optarg, 1, 100000); break;
		case 's': logit_sd = opt_double("-s", optarg, 1e-3, 1e3); break;
		case 'b': ub = opt_long("-b", optarg, 1, 1 << 20); break;
		case 'c': ic = opt_long("-c", optarg, 1, INT32_MAX); break;
		case 'j': max_threads = (int)opt_long("-j", optarg, 1, 64); break;
		case 'r': reps = (int)opt_long("-r", optarg, 1, 100); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (!ub)
		ub = RANK_USER_BLOCK;
	if (!ic)
		ic = RANK_ITEM_CHUNK;
	/* Entries of sd s / d^(1/4) on both sides make each logit's sd about s. */
	entry_sd = sqrt(logit_sd) / pow(d, 0.25);
	for (j = 0; j < 3; j++) {
		um[j] = normal_matrix(nu, d, entry_sd);
		im[j] = normal_matrix(ni, d, entry_sd);
		groups[j].user = um[j];
		groups[j].item = im[j];
	}
	/* The baseline's operands: the three groups side by side, inner dimension 3d. */
	ucat = xmalloc((size_t)(nu * 3 * d) * sizeof *ucat);
	icat = xmalloc((size_t)(ni * 3 * d) * sizeof *icat);
	for (j = 0; j < 3; j++) {
		int64_t r;
		for (r = 0; r < nu; r++)
			memcpy(ucat + (r * 3 + j) * d, um[j] + r * d, (size_t)d * sizeof *ucat);
		for (r = 0; r < ni; r++)
			memcpy(icat + (r * 3 + j) * d, im[j] + r * d, (size_t)d * sizeof *icat);
	}
	rule_sigprod(&ru, 3, groups, d, nu, ni);
	rule_scorer(&ru, &sc);
	openblas_set_num_threads(1);
	printf("# %s; %s core\n", openblas_get_config(), openblas_get_corename());
	printf("# users %lld (of %lld), items %lld, d %d, K %d, logit sd %g, user block %lld, "
	       "item chunk %lld, best of %d\n",
	    (long long)nu, (long long)full_u, (long long)ni, d, k, logit_sd, (long long)ub,
	    (long long)ic, reps);
	printf("# pairs_s: pairs per wall second; cpu: pairs per CPU second of all threads\n");
	printf("threads\tsgemm%d_pairs_s\thcr_topk_pairs_s\tratio\thcr_full_run_s\tsgemm_cpu\t"
	       "hcr_cpu\tcpu_ratio\n", 3 * d);
	/* Other work on the machine only slows a run down: the best of r runs each,
	 * alternating, measures each side's own speed. */
	for (t = 1; t <= max_threads; t++) {
		struct rank_opts o = { .k = k, .threads = t, .user_block = ub, .item_chunk = ic };
		double a = 0, b = 0, ac = 0, bc = 0, t0, c0, x, xc;
		int rep;
		for (rep = 0; rep < reps; rep++) {
			struct rank_result res;
			x = bench_gemm(ucat, icat, nu, ni, 3 * d, ub, ic, t, &xc);
			a = x > a ? x : a;
			ac = xc > ac ? xc : ac;
			t0 = now_seconds();
			c0 = cpu_seconds();
			rank_range(&sc, 0, nu, &o, &res);
			xc = (double)nu * (double)ni / (cpu_seconds() - c0);
			x = (double)nu * (double)ni / (now_seconds() - t0);
			b = x > b ? x : b;
			bc = xc > bc ? xc : bc;
			rank_result_free(&res);
		}
		printf("%d\t%.4g\t%.4g\t%.3f\t%.1f\t%.4g\t%.4g\t%.3f\n", t, a, b, b / a,
		    (double)full_u * (double)ni / b, ac, bc, bc / ac);
	}
	rule_free(&ru);
	for (j = 0; j < 3; j++) {
		free(um[j]);
		free(im[j]);
	}
	free(ucat);
	free(icat);
	return 0;
}
