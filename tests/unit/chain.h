/* chain.h: a small MMGCN-like model for gradient tests, built the same way by the
 * float and the double test, from inputs that are exact in both precisions.
 *
 * 3 users and 4 items (nodes 0-2 and 3-6), two item modalities: a dense feature
 * through a linear map and a bag of word embeddings.  Per modality:
 *   x0 = L2norm([pref; item feature])
 *   h  = LeakyReLU(L2norm(A x0 W + b))   A: mean over neighbours and self
 *   xh = LeakyReLU(x0 Wl + bl) + id_emb
 *   x1 = LeakyReLU(h Wg + bg + xh)
 * rep_z = mean of both modalities, rep_e = the bag modality; scores are row dots
 * of batch users' and items' representations, fed to each loss. */
#ifndef HCR_TEST_CHAIN_H
#define HCR_TEST_CHAIN_H

#include <string.h>

#include "common/csr.h"
#include "common/rng.h"
#include "train/autodiff.h"

enum { CH_USERS = 3, CH_ITEMS = 4, CH_NODES = 7, CH_WORDS = 5, CH_FEAT = 5, CH_D0 = 4,
	CH_D = 3, CH_PAIRS = 6 };
enum { LOSS_BCE, LOSS_PROD, LOSS_BPR, LOSS_SQ, LOSS_ALL, N_LOSSES };

struct chain_modality {
	struct ad_param *pref, *w, *b, *wl, *bl, *wg, *bg;
};

struct chain {
	struct ad_params set;
	struct chain_modality mod[2];     /* 0 dense, 1 bag */
	struct ad_param *wm, *bm, *words, *id;
	struct csr bags, adj;
	real bag_w[16], adj_w[32];
	real feat[CH_ITEMS * CH_FEAT];
	int32_t users[CH_USERS], items[CH_ITEMS], nodes[CH_NODES];
	int32_t pair_u[CH_PAIRS], pair_i[CH_PAIRS];
	real label[CH_PAIRS], like[CH_PAIRS], weight[CH_PAIRS];
};

/* A value exact in float, so that both builds start from the same numbers. */
static real chain_exact(double x)
{
	return (real)(float)x;
}

static void chain_round(struct ad_tensor *t)
{
	for (int64_t k = 0; k < t->rows * t->cols; k++)
		t->val[k] = chain_exact(t->val[k]);
}

static struct ad_param *chain_param(struct chain *c, struct rng *r, const char *name,
    int64_t rows, int64_t cols, int bias)
{
	struct ad_param *p = ad_param_new(&c->set, name, rows, cols);
	if (bias)
		ad_init_normal(&p->t, r, 0.1);
	else
		ad_init_xavier_uniform(&p->t, r);
	chain_round(&p->t);
	return p;
}

static void chain_init(struct chain *c, uint64_t seed)
{
	struct rng r;
	/* user-item edges, both directions, plus self loops */
	static const int32_t eu[] = { 0, 0, 1, 1, 2, 2, 2 }, ei[] = { 0, 1, 1, 2, 0, 2, 3 };
	static const int32_t bag_row[] = { 0, 0, 1, 1, 1, 3 }, bag_col[] = { 0, 3, 1, 2, 4, 2 };
	int32_t ar[32], ac[32];
	size_t m = 0;
	memset(c, 0, sizeof *c);
	rng_init(&r, seed, 0);
	for (int k = 0; k < 2; k++) {
		struct chain_modality *md = &c->mod[k];
		md->pref = chain_param(c, &r, "pref", CH_USERS, CH_D0, 0);
		md->w = chain_param(c, &r, "conv.w", CH_D0, CH_D, 0);
		md->b = chain_param(c, &r, "conv.b", 1, CH_D, 1);
		md->wl = chain_param(c, &r, "linear.w", CH_D0, CH_D, 0);
		md->bl = chain_param(c, &r, "linear.b", 1, CH_D, 1);
		md->wg = chain_param(c, &r, "g.w", CH_D, CH_D, 0);
		md->bg = chain_param(c, &r, "g.b", 1, CH_D, 1);
	}
	c->wm = chain_param(c, &r, "mlp.w", CH_FEAT, CH_D0, 0);
	c->bm = chain_param(c, &r, "mlp.b", 1, CH_D0, 1);
	c->words = chain_param(c, &r, "words", CH_WORDS, CH_D0, 0);
	c->id = chain_param(c, &r, "id_emb", CH_NODES, CH_D, 0);
	for (int k = 0; k < CH_ITEMS * CH_FEAT; k++)
		c->feat[k] = chain_exact(rng_normal(&r));

	/* item 2 has an empty bag; bags carry weights (word counts) */
	csr_build(&c->bags, CH_ITEMS, CH_WORDS, 6, bag_row, bag_col, 0);
	for (int k = 0; k < 6; k++)
		c->bag_w[k] = chain_exact(1 + rng_below(&r, 3));

	for (int v = 0; v < CH_NODES; v++)
		ar[m] = ac[m] = v, m++;
	for (size_t k = 0; k < sizeof eu / sizeof *eu; k++) {
		ar[m] = eu[k], ac[m] = CH_USERS + ei[k], m++;
		ar[m] = CH_USERS + ei[k], ac[m] = eu[k], m++;
	}
	csr_build(&c->adj, CH_NODES, CH_NODES, m, ar, ac, 1);
	for (int v = 0; v < CH_NODES; v++)
		for (int64_t k = c->adj.off[v]; k < c->adj.off[v + 1]; k++)
			c->adj_w[k] = chain_exact(1.0 / (double)csr_len(&c->adj, v));

	for (int k = 0; k < CH_USERS; k++)
		c->users[k] = k;
	for (int k = 0; k < CH_ITEMS; k++)
		c->items[k] = k;
	for (int k = 0; k < CH_NODES; k++)
		c->nodes[k] = k;
	/* pairs 0-2 are clicks (positives), 3-5 their sampled negatives */
	static const int32_t pu[] = { 0, 1, 2, 0, 1, 2 }, pi[] = { 0, 2, 3, 3, 0, 1 };
	static const real lab[] = { 1, 1, 1, 0, 0, 0 }, lik[] = { 1, 0, 0.25, 0, 0, 0 };
	for (int k = 0; k < CH_PAIRS; k++) {
		c->pair_u[k] = pu[k];
		c->pair_i[k] = CH_USERS + pi[k];
		c->label[k] = lab[k];
		c->like[k] = lik[k];
		c->weight[k] = chain_exact(0.5 + rng_uniform(&r));
	}
}

static void chain_free(struct chain *c)
{
	ad_params_free(&c->set);
	csr_free(&c->bags);
	csr_free(&c->adj);
}

/* One modality's representation of all 7 nodes. */
static struct ad_tensor *chain_modality(struct ad_tape *t, struct chain *c, int k)
{
	struct chain_modality *md = &c->mod[k];
	struct ad_tensor *item, *x0, *h, *xh, *parts[2];
	if (k == 0)
		item = ad_add_row(t, ad_matmul(t, ad_wrap(t, CH_ITEMS, CH_FEAT, c->feat), 0,
		    &c->wm->t, 0), &c->bm->t);
	else
		item = ad_bag_mean(t, &c->words->t, &c->bags, c->bag_w, CH_ITEMS, c->items);
	parts[0] = ad_gather(t, &md->pref->t, CH_USERS, c->users);
	parts[1] = item;
	x0 = ad_l2norm_rows(t, ad_concat_rows(t, 2, parts));
	h = ad_leaky_relu(t, ad_l2norm_rows(t, ad_add_row(t, ad_spmm(t, &c->adj, c->adj_w,
	    ad_matmul(t, x0, 0, &md->w->t, 0)), &md->b->t)), 0.01);
	xh = ad_add(t, ad_leaky_relu(t, ad_add_row(t, ad_matmul(t, x0, 0, &md->wl->t, 0),
	    &md->bl->t), 0.01), ad_gather(t, &c->id->t, CH_NODES, c->nodes));
	return ad_leaky_relu(t, ad_add(t, ad_add_row(t, ad_matmul(t, h, 0, &md->wg->t, 0),
	    &md->bg->t), xh), 0.01);
}

static struct ad_tensor *chain_score(struct ad_tape *t, struct chain *c,
    struct ad_tensor *rep, int first, int n)
{
	return ad_rowdot(t, ad_gather(t, rep, n, c->pair_u + first),
	    ad_gather(t, rep, n, c->pair_i + first));
}

static struct ad_tensor *chain_loss(struct ad_tape *t, struct chain *c, int which)
{
	struct ad_tensor *m[2] = { chain_modality(t, c, 0), chain_modality(t, c, 1) };
	struct ad_tensor *rep_z = ad_mean_of(t, 2, m), *rep_e = m[1];
	struct ad_tensor *yz = chain_score(t, c, rep_z, 0, CH_PAIRS);
	struct ad_tensor *ye = chain_score(t, c, rep_e, 0, CH_PAIRS);
	struct ad_tensor *prod[2] = { yz, ye }, *l[4];
	int half = CH_PAIRS / 2;
	l[0] = ad_bce_logits(t, yz, c->label, c->weight);
	l[1] = ad_bce_prod_sigmoid(t, 2, prod, c->like, c->weight);
	l[2] = ad_bpr(t, chain_score(t, c, rep_z, 0, half), chain_score(t, c, rep_z, half, half));
	l[3] = ad_sq_error(t, ad_sigmoid(t, ye), c->like, c->weight);
	if (which < LOSS_ALL)
		return l[which];
	/* loss = R_M + 2 R_L + ..., as the training losses add their terms */
	return ad_add(t, ad_add(t, l[0], ad_scale(t, l[1], 2)), ad_add(t, l[2], l[3]));
}

#endif
