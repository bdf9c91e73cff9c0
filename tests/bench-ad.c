/* bench-ad: the per-step cost of MMGCN-like layers on lib/ad, one modality.
 * Not part of make check.  Build and run from the top after `make`:
 *
 *	cc -O2 -std=c11 -D_GNU_SOURCE -Ilib $(pkg-config --cflags openblas) \
 *	    -o build/bench-ad tests/bench-ad.c build/libhcr.a \
 *	    $(pkg-config --libs openblas) -lm -lpthread
 *	build/bench-ad [-n nodes] [-b batch] [-k degree] [-i d_in] [-d d] [-L layers]
 *	    [-s steps] [-j threads] [-a]
 *
 * A random bipartite graph (a third users, each clicking k items on average); each
 * step draws a batch of (user, item) pairs, takes the nested L-hop node lists the
 * batch needs (each list starts with the next one's nodes), builds the local
 * "mean over neighbours and self" matrices in tape scratch, and runs
 *	x0 = L2norm(table rows); per layer: h = LeakyReLU(L2norm(A x W + b)),
 *	xh = LeakyReLU(x_self Wl + bl) + id_emb, x' = LeakyReLU(h Wg + bg + xh);
 * then BCE of the row dots, backward, and a dense Adam step over every parameter.
 * -a aggregates first, (A x) W instead of A (x W): the same numbers up to rounding,
 * with the product over the layer's own nodes only, several times fewer rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#undef I

#include "common/csr.h"
#include "common/util.h"
#include "train/adam.h"
#include "train/autodiff.h"

#define MAX_LAYERS 4

struct layer {
	struct ad_param *w, *b, *wl, *bl, *wg, *bg;
};

int main(int argc, char **argv)
{
	long n = 100000, batch = 1024, deg = 20, d_in = 128, d = 64, layers = 2, steps = 20;
	long threads = 1;
	int opt, agg_first = 0;
	while ((opt = getopt(argc, argv, "n:b:k:i:d:L:s:j:a")) != -1) {
		long v = optarg ? atol(optarg) : 0;
		switch (opt) {
		case 'n': n = v; break;
		case 'b': batch = v; break;
		case 'k': deg = v; break;
		case 'i': d_in = v; break;
		case 'd': d = v; break;
		case 'L': layers = v < 1 ? 1 : v > MAX_LAYERS ? MAX_LAYERS : v; break;
		case 's': steps = v; break;
		case 'j': threads = v; break;
		case 'a': agg_first = 1; break;
		default: return 2;
		}
	}
	openblas_set_num_threads((int)threads);

	struct rng r;
	long users = n / 3, items = n - users;
	size_t m = 0, cap = (size_t)users * (size_t)(2 * deg + 1) * 2;
	int32_t *er = malloc(cap * sizeof *er), *ec = malloc(cap * sizeof *ec);
	struct csr g;
	rng_init(&r, 1, 0);
	for (long u = 0; u < users; u++) {
		long k = 1 + (long)rng_below(&r, (uint64_t)(2 * deg - 1));
		for (long j = 0; j < k; j++) {
			int32_t it = (int32_t)(users + (long)rng_below(&r, (uint64_t)items));
			er[m] = (int32_t)u, ec[m] = it, m++;
			er[m] = it, ec[m] = (int32_t)u, m++;
		}
	}
	csr_build(&g, n, n, m, er, ec, 1);
	free(er);
	free(ec);

	struct ad_params set = { 0 };
	struct ad_param *table = ad_param_new(&set, "x", n, d_in);
	struct ad_param *id = ad_param_new(&set, "id_emb", n, d);
	struct layer L[MAX_LAYERS];
	ad_init_normal(&table->t, &r, 1);
	ad_init_xavier_uniform(&id->t, &r);
	for (long l = 0; l < layers; l++) {
		long din = l ? d : d_in;
		L[l].w = ad_param_new(&set, "w", din, d);
		L[l].b = ad_param_new(&set, "b", 1, d);
		L[l].wl = ad_param_new(&set, "wl", din, d);
		L[l].bl = ad_param_new(&set, "bl", 1, d);
		L[l].wg = ad_param_new(&set, "wg", d, d);
		L[l].bg = ad_param_new(&set, "bg", 1, d);
		ad_init_xavier_uniform(&L[l].w->t, &r);
		ad_init_xavier_uniform(&L[l].wl->t, &r);
		ad_init_xavier_uniform(&L[l].wg->t, &r);
	}

	struct adam adam;
	struct ad_tape tape;
	int32_t *local = malloc((size_t)n * sizeof *local);
	real *label = malloc((size_t)batch * sizeof *label);
	double t_build = 0, t_fwd = 0, t_bwd = 0, t_adam = 0;
	long sizes[MAX_LAYERS + 1] = { 0 }, nnz_total = 0;
	for (long v = 0; v < n; v++)
		local[v] = -1;
	for (long k = 0; k < batch; k++)
		label[k] = (real)(k % 2);
	adam_init(&adam, 1e-3, 1e-4);
	ad_tape_init(&tape);

	for (long step = -3; step < steps; step++) {
		double t0 = now_seconds(), t1, t2, t3, t4;
		int32_t *lists[MAX_LAYERS + 1], *pu, *pi;
		long len[MAX_LAYERS + 1];
		struct csr *a[MAX_LAYERS];
		real *aw[MAX_LAYERS];
		ad_tape_reset(&tape);

		/* the batch's pairs and target nodes: the last list */
		pu = ad_scratch(&tape, (size_t)batch * sizeof *pu);
		pi = ad_scratch(&tape, (size_t)batch * sizeof *pi);
		lists[layers] = ad_scratch(&tape, (size_t)n * sizeof(int32_t));
		len[layers] = 0;
		for (long k = 0; k < batch; k++) {
			int32_t v[2];
			v[0] = (int32_t)rng_below(&r, (uint64_t)users);
			v[1] = g.idx[g.off[v[0]] + (int64_t)rng_below(&r, (uint64_t)csr_len(&g, v[0]))];
			if (k % 2 == 0)
				v[1] = (int32_t)(users + (long)rng_below(&r, (uint64_t)items));
			for (int j = 0; j < 2; j++)
				if (local[v[j]] < 0) {
					local[v[j]] = (int32_t)len[layers];
					lists[layers][len[layers]++] = v[j];
				}
			pu[k] = local[v[0]];
			pi[k] = local[v[1]];
		}
		/* hop by hop: list l - 1 = list l, then their new neighbours; A_l maps
		 * list l - 1 rows to list l rows */
		for (long l = layers; l > 0; l--) {
			int32_t *prev = lists[l - 1] = ad_scratch(&tape, (size_t)n * sizeof(int32_t));
			int64_t nnz = 0;
			memcpy(prev, lists[l], (size_t)len[l] * sizeof *prev);
			len[l - 1] = len[l];
			for (long k = 0; k < len[l]; k++)
				nnz += 1 + csr_len(&g, lists[l][k]);
			a[l - 1] = ad_scratch(&tape, sizeof(struct csr));
			a[l - 1]->rows = len[l];
			a[l - 1]->off = ad_scratch(&tape, (size_t)(len[l] + 1) * sizeof(int64_t));
			a[l - 1]->idx = ad_scratch(&tape, (size_t)nnz * sizeof(int32_t));
			aw[l - 1] = ad_scratch(&tape, (size_t)nnz * sizeof(real));
			nnz = 0;
			for (long k = 0; k < len[l]; k++) {
				int32_t v = lists[l][k];
				real w = (real)(1.0 / (double)(csr_len(&g, v) + 1));
				a[l - 1]->off[k] = nnz;
				a[l - 1]->idx[nnz] = (int32_t)k, aw[l - 1][nnz++] = w;
				for (int64_t e = g.off[v]; e < g.off[v + 1]; e++) {
					int32_t u = g.idx[e];
					if (local[u] < 0) {
						local[u] = (int32_t)len[l - 1];
						prev[len[l - 1]++] = u;
					}
					a[l - 1]->idx[nnz] = local[u], aw[l - 1][nnz++] = w;
				}
			}
			a[l - 1]->off[len[l]] = nnz;
			nnz_total += step >= 0 ? nnz : 0;
			/* local numbering of list l - 1 for the next hop down */
			for (long k = 0; k < len[l]; k++)
				local[lists[l][k]] = -1;
			for (long k = 0; k < len[l - 1]; k++)
				local[prev[k]] = (int32_t)k;
			a[l - 1]->cols = len[l - 1];
		}
		for (long k = 0; k < len[0]; k++)
			local[lists[0][k]] = -1;
		t1 = now_seconds();

		struct ad_tensor *x = ad_l2norm_rows(&tape, ad_gather(&tape, &table->t, len[0], lists[0]));
		for (long l = 0; l < layers; l++) {
			/* the first len[l + 1] rows of x are the layer's own nodes */
			int32_t *self = ad_scratch(&tape, (size_t)len[l + 1] * sizeof *self);
			for (long k = 0; k < len[l + 1]; k++)
				self[k] = (int32_t)k;
			struct ad_tensor *ax = agg_first
			    ? ad_matmul(&tape, ad_spmm(&tape, a[l], aw[l], x), 0, &L[l].w->t, 0)
			    : ad_spmm(&tape, a[l], aw[l], ad_matmul(&tape, x, 0, &L[l].w->t, 0));
			struct ad_tensor *h = ad_leaky_relu(&tape, ad_l2norm_rows(&tape,
			    ad_add_row(&tape, ax, &L[l].b->t)), 0.01);
			struct ad_tensor *xs = ad_gather(&tape, x, len[l + 1], self);
			struct ad_tensor *xh = ad_add(&tape, ad_leaky_relu(&tape, ad_add_row(&tape,
			    ad_matmul(&tape, xs, 0, &L[l].wl->t, 0), &L[l].bl->t), 0.01),
			    ad_gather(&tape, &id->t, len[l + 1], lists[l + 1]));
			x = ad_leaky_relu(&tape, ad_add(&tape, ad_add_row(&tape,
			    ad_matmul(&tape, h, 0, &L[l].wg->t, 0), &L[l].bg->t), xh), 0.01);
		}
		struct ad_tensor *loss = ad_bce_logits(&tape, ad_rowdot(&tape,
		    ad_gather(&tape, x, batch, pu), ad_gather(&tape, x, batch, pi)), label, NULL);
		if (!ad_all_finite(loss))
			die(HCR_EXIT_NUMERIC, "loss is not finite");
		t2 = now_seconds();
		ad_backward(&tape, loss);
		t3 = now_seconds();
		adam_step(&adam, &set);
		t4 = now_seconds();
		if (step >= 0) {
			t_build += t1 - t0, t_fwd += t2 - t1, t_bwd += t3 - t2, t_adam += t4 - t3;
			for (long l = 0; l <= layers; l++)
				sizes[l] += len[l];
		}
	}
	printf("graph: %ld nodes, %lld edges; batch %ld, d_in %ld, d %ld, %ld layer(s), %ld thread(s)%s\n",
	    n, (long long)g.off[n], batch, d_in, d, layers, threads, agg_first ? ", (A x) W" : "");
	printf("nodes per step:");
	for (long l = layers; l >= 0; l--)
		printf(" %ld", sizes[l] / steps);
	printf(" (targets first); local A entries %ld\n", nnz_total / steps);
	printf("per step (ms): build %.2f  forward %.2f  backward %.2f  adam %.2f (%zu params)\n",
	    1e3 * t_build / steps, 1e3 * t_fwd / steps, 1e3 * t_bwd / steps, 1e3 * t_adam / steps,
	    ad_params_count(&set));
	printf("arena %.1f MB after warm-up\n", (double)tape.arena_size / 1e6);
	ad_tape_free(&tape);
	ad_params_free(&set);
	csr_free(&g);
	free(local);
	free(label);
	return 0;
}
