/* backbone.c: MMGCN and MF, forward over a planned subgraph; gradients come from the
 * tape.  The MMGCN layer is that of the CR/MMGCN reference code:
 *   x0  = L2norm([preference; MLP(feature)])
 *   h   = LeakyReLU(L2norm(mean_{j in N(v) + v} x_j W + b))
 *   xh  = LeakyReLU(linear(x)) + id_emb
 *   x'  = LeakyReLU(g(h) + xh)
 * with the mean taken before the product (the same number: W is linear), so the
 * product runs over the nodes that need it, not over their neighbours. */
#include "train/backbone.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pool.h"
#include "common/util.h"


/* ---- initialisation, as torch does it ---- */

static void init_uniform(struct ad_tensor *t, struct rng *r, double bound)
{
	int64_t k, n = t->rows * t->cols;
	for (k = 0; k < n; k++)
		t->val[k] = (real)((2.0 * rng_uniform(r) - 1.0) * bound);
}

/* torch.nn.init.xavier_normal_ on a tensor of rows x cols. */
static void init_xavier_normal(struct ad_tensor *t, struct rng *r)
{
	ad_init_normal(t, r, sqrt(2.0 / (double)(t->rows + t->cols)));
}

static struct ad_param *param(struct ad_params *set, const char *prefix, const char *mod,
    const char *what, int64_t rows, int64_t cols)
{
	char name[160];
	snprintf(name, sizeof name, "%s/%s%s%s", prefix, mod ? mod : "", mod ? "/" : "", what);
	return ad_param_new(set, name, rows, cols);
}

/* A torch.nn.Linear(in, out) as x W + b with W in x out: both U(+-1/sqrt(in)) by
 * default, or W xavier-normal where the reference code re-initialises it. */
static void linear(struct ad_params *set, struct rng *r, const char *prefix, const char *mod,
    const char *what, int64_t in, int64_t out, int xavier, struct ad_param **w,
    struct ad_param **b)
{
	char bname[64];
	*w = param(set, prefix, mod, what, in, out);
	snprintf(bname, sizeof bname, "%s_b", what);
	*b = param(set, prefix, mod, bname, 1, out);
	if (xavier)
		init_xavier_normal(&(*w)->t, r);
	else
		init_uniform(&(*w)->t, r, 1.0 / sqrt((double)in));
	init_uniform(&(*b)->t, r, 1.0 / sqrt((double)in));
}

void bb_init(struct backbone *bb, const struct bb_config *cfg, int64_t nu, int64_t ni,
    int nmod, const struct bb_modality *mods, const struct csr *graph,
    struct ad_param *id_emb, struct ad_params *set, struct rng *r, const char *prefix)
{
	int m, l;
	memset(bb, 0, sizeof *bb);
	bb->cfg = *cfg;
	bb->nu = nu;
	bb->ni = ni;
	bb->nmod = nmod;
	bb->mods = mods;
	bb->graph = graph;
	if (nmod > BB_MAX_MODALITIES)
		die(HCR_EXIT_USAGE, "%d modalities: at most %d are supported", nmod,
		    BB_MAX_MODALITIES);
	if (cfg->kind == BB_MMGCN && nmod == 0)
		die(HCR_EXIT_DATA, "the MMGCN backbone needs at least one item modality (a "
		    "'feature' section); use --backbone mf without features");
	if (cfg->kind == BB_MMGCN && (cfg->layers < 1 || cfg->layers > BB_MAX_LAYERS))
		die(HCR_EXIT_USAGE, "--layers: expected 1 to %d", BB_MAX_LAYERS);
	if (id_emb) {
		bb->id_emb = id_emb;
	} else {
		bb->id_emb = param(set, prefix, NULL, "id_emb", nu + ni, cfg->dim);
		init_xavier_normal(&bb->id_emb->t, r);
		if (cfg->frozen)
			ad_param_freeze(bb->id_emb);
		/* --history: a batch's gradient reaches the rows of its own nodes only, and
		 * Adam visits those rows alone */
		if (cfg->history && cfg->kind == BB_MMGCN)
			ad_param_track_rows(bb->id_emb);
	}
	if (cfg->kind == BB_MF) {
		bb->user = param(set, prefix, NULL, "user", nu, cfg->dim);
		init_xavier_normal(&bb->user->t, r);
		if (cfg->frozen)
			ad_param_freeze(bb->user);
		for (m = 0; m < nmod; m++) {
			struct bb_branch *b = &bb->br[m];
			if (mods[m].is_bag) {
				b->word = param(set, prefix, mods[m].name, "word", mods[m].dim, cfg->dim);
				init_xavier_normal(&b->word->t, r);
			} else {
				b->mlp_w = param(set, prefix, mods[m].name, "w", mods[m].dim, cfg->dim);
				init_uniform(&b->mlp_w->t, r, 1.0 / sqrt((double)mods[m].dim));
			}
		}
		return;
	}
	for (m = 0; m < nmod; m++) {
		struct bb_branch *b = &bb->br[m];
		const char *mn = mods[m].name;
		int64_t in = cfg->latent;
		b->pref = param(set, prefix, mn, "preference", nu, cfg->latent);
		init_xavier_normal(&b->pref->t, r);
		if (cfg->frozen)
			ad_param_freeze(b->pref);
		if (cfg->history)
			ad_param_track_rows(b->pref);
		if (mods[m].is_bag) {
			/* ids embedded at the latent size and mean-pooled, then the MLP, as the
			 * reference code does for Tiktok's title words */
			b->word = param(set, prefix, mn, "word", mods[m].dim, cfg->latent);
			init_xavier_normal(&b->word->t, r);
			if (cfg->history)
				ad_param_track_rows(b->word);
			linear(set, r, prefix, mn, "mlp", cfg->latent, cfg->latent, 0, &b->mlp_w,
			    &b->mlp_b);
		} else {
			linear(set, r, prefix, mn, "mlp", mods[m].dim, cfg->latent, 0, &b->mlp_w,
			    &b->mlp_b);
		}
		for (l = 0; l < cfg->layers; l++) {
			char cw[16], cb[16], lw[16], gw[16];
			snprintf(cw, sizeof cw, "conv%d", l + 1);
			snprintf(cb, sizeof cb, "conv%d_b", l + 1);
			snprintf(lw, sizeof lw, "linear%d", l + 1);
			snprintf(gw, sizeof gw, "g%d", l + 1);
			/* the message-passing weight and bias: uniform(+-1/sqrt(in)) */
			b->conv_w[l] = param(set, prefix, mn, cw, in, in);
			init_uniform(&b->conv_w[l]->t, r, 1.0 / sqrt((double)in));
			b->conv_b[l] = param(set, prefix, mn, cb, 1, in);
			init_uniform(&b->conv_b[l]->t, r, 1.0 / sqrt((double)in));
			linear(set, r, prefix, mn, lw, in, cfg->dim, 1, &b->lin_w[l], &b->lin_b[l]);
			/* the reference re-initialises g of the first layer only */
			linear(set, r, prefix, mn, gw, in, cfg->dim, l == 0, &b->g_w[l], &b->g_b[l]);
			if (cfg->history)
				bb->hist[m][l] = xcalloc((size_t)(nu + ni) * (size_t)in,
				    sizeof(real));
			in = cfg->dim;
		}
	}
}

void bb_free(struct backbone *bb)
{
	for (int m = 0; m < BB_MAX_MODALITIES; m++)
		for (int l = 0; l < BB_MAX_LAYERS; l++) {
			free(bb->hist[m][l]);
			bb->hist[m][l] = NULL;
		}
}

/* ---- planning ---- */

void bb_planner_init(struct bb_planner *p, int64_t nodes)
{
	p->nodes = nodes;
	p->mark = xcalloc((size_t)nodes + 1, sizeof *p->mark);
	p->pos = xmalloc(((size_t)nodes + 1) * sizeof *p->pos);
	p->stamp = 0;
}

void bb_planner_free(struct bb_planner *p)
{
	free(p->mark);
	free(p->pos);
	memset(p, 0, sizeof *p);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int32_t next_stamp(struct bb_planner *p)
{
	if (p->stamp == INT32_MAX) {
		memset(p->mark, 0, ((size_t)p->nodes + 1) * sizeof *p->mark);
		p->stamp = 0;
	}
	return ++p->stamp;
}

/* The sorted distinct nodes of a list, into scratch; sets pos[] for them. */
static int32_t *sorted_set(struct bb_planner *p, struct ad_tape *tape, const int32_t *list,
    int64_t n, int64_t *out_n)
{
	int32_t s = next_stamp(p);
	int32_t *set = ad_scratch(tape, ((size_t)n + 1) * sizeof *set);
	int64_t k, m = 0;
	for (k = 0; k < n; k++) {
		int32_t v = list[k];
		if (p->mark[v] != s) {
			p->mark[v] = s;
			set[m++] = v;
		}
	}
	/* a large set is sorted faster by sweeping the marks than by comparisons */
	if (m > p->nodes / 8) {
		int64_t v, j = 0;
		for (v = 0; v < p->nodes; v++)
			if (p->mark[v] == s)
				set[j++] = (int32_t)v;
	} else {
		qsort(set, (size_t)m, sizeof *set, cmp_i32);
	}
	for (k = 0; k < m; k++)
		p->pos[set[k]] = (int32_t)k;
	*out_n = m;
	return set;
}

void bb_plan_build(struct bb_plan *plan, struct bb_planner *p, struct ad_tape *tape,
    const struct csr *graph, int layers, int64_t nu, const int32_t *targets, int64_t n)
{
	int l;
	memset(plan, 0, sizeof *plan);
	plan->layers = graph ? layers : 0;
	plan->t[plan->layers] = sorted_set(p, tape, targets, n, &plan->n[plan->layers]);
	/* hop by hop downwards: T_{l-1} = T_l and its neighbours */
	for (l = plan->layers; l > 0; l--) {
		int64_t k, cnt = plan->n[l];
		int32_t *list;
		for (k = 0; k < plan->n[l]; k++)
			cnt += csr_len(graph, plan->t[l][k]);
		list = ad_scratch(tape, ((size_t)cnt + 1) * sizeof *list);
		cnt = 0;
		for (k = 0; k < plan->n[l]; k++) {
			int32_t v = plan->t[l][k];
			int64_t e;
			list[cnt++] = v;
			for (e = graph->off[v]; e < graph->off[v + 1]; e++)
				list[cnt++] = graph->idx[e];
		}
		plan->t[l - 1] = sorted_set(p, tape, list, cnt, &plan->n[l - 1]);
		/* with pos[] now holding positions in T_{l-1}: the mean over self and
		 * neighbours, and where each node of T_l sits in T_{l-1} */
		{
			struct csr *a = &plan->agg[l];
			int64_t nnz = cnt, j = 0;
			a->rows = plan->n[l];
			a->cols = plan->n[l - 1];
			a->off = ad_scratch(tape, ((size_t)a->rows + 1) * sizeof *a->off);
			a->idx = ad_scratch(tape, ((size_t)nnz + 1) * sizeof *a->idx);
			plan->agg_w[l] = ad_scratch(tape, ((size_t)nnz + 1) * sizeof(real));
			plan->up[l] = ad_scratch(tape, ((size_t)a->rows + 1) * sizeof(int32_t));
			for (k = 0; k < plan->n[l]; k++) {
				int32_t v = plan->t[l][k];
				int64_t e, deg = csr_len(graph, v);
				real w = (real)(1.0 / (double)(deg + 1));
				a->off[k] = j;
				plan->up[l][k] = p->pos[v];
				a->idx[j] = p->pos[v];
				plan->agg_w[l][j++] = w;
				for (e = graph->off[v]; e < graph->off[v + 1]; e++) {
					a->idx[j] = p->pos[graph->idx[e]];
					plan->agg_w[l][j++] = w;
				}
			}
			a->off[a->rows] = j;
			/* once per batch, for every modality's and tower's backward pass */
			ad_transpose(tape, a, plan->agg_w[l], &plan->agg_t[l], &plan->agg_tw[l]);
		}
	}
	/* where each T_l sits in T_1, for the id rows read at layer l */
	for (l = 2; l <= plan->layers; l++) {
		int64_t k;
		if (l == 2) {
			plan->in1[l] = plan->up[l];
			continue;
		}
		plan->in1[l] = ad_scratch(tape, ((size_t)plan->n[l] + 1) * sizeof(int32_t));
		for (k = 0; k < plan->n[l]; k++)
			plan->in1[l][k] = plan->in1[l - 1][plan->up[l][k]];
	}
	{
		int64_t k = 0;
		while (k < plan->n[0] && plan->t[0][k] < nu)
			k++;
		plan->n0_users = k;
	}
	/* leave pos[] answering for the targets, as bb_plan_row promises */
	if (plan->layers > 0) {
		int64_t k;
		for (k = 0; k < plan->n[plan->layers]; k++)
			p->pos[plan->t[plan->layers][k]] = (int32_t)k;
	}
}

void bb_plan_build_history(struct bb_plan *plan, struct bb_planner *p, struct ad_tape *tape,
    const struct csr *graph, int layers, int64_t nu, const int32_t *targets, int64_t n)
{
	struct csr *a;
	int32_t *ident, s;
	int64_t k, nb, nnz = 0, j = 0;
	int l;
	memset(plan, 0, sizeof *plan);
	plan->layers = layers;
	plan->hist = 1;
	plan->t[0] = sorted_set(p, tape, targets, n, &nb);
	s = p->stamp;   /* marks the targets; pos[] holds their rows */
	ident = ad_scratch(tape, ((size_t)nb + 1) * sizeof *ident);
	for (k = 0; k < nb; k++) {
		ident[k] = (int32_t)k;
		nnz += 1 + csr_len(graph, plan->t[0][k]);
	}
	a = &plan->agg[1];
	a->rows = nb;
	a->cols = nb + p->nodes;
	a->off = ad_scratch(tape, ((size_t)nb + 1) * sizeof *a->off);
	a->idx = ad_scratch(tape, ((size_t)nnz + 1) * sizeof *a->idx);
	plan->agg_w[1] = ad_scratch(tape, ((size_t)nnz + 1) * sizeof(real));
	for (k = 0; k < nb; k++) {
		int32_t v = plan->t[0][k];
		int64_t e, deg = csr_len(graph, v);
		real w = (real)(1.0 / (double)(deg + 1));
		a->off[k] = j;
		a->idx[j] = (int32_t)k;
		plan->agg_w[1][j++] = w;
		for (e = graph->off[v]; e < graph->off[v + 1]; e++) {
			int32_t u = graph->idx[e];
			a->idx[j] = p->mark[u] == s ? p->pos[u] : (int32_t)(nb + u);
			plan->agg_w[1][j++] = w;
		}
	}
	a->off[nb] = j;
	ad_transpose_cols(tape, a, plan->agg_w[1], nb, &plan->agg_t[1], &plan->agg_tw[1]);
	for (l = 0; l <= layers; l++) {
		plan->n[l] = nb;
		plan->t[l] = plan->t[0];
		if (l >= 1) {
			plan->up[l] = ident;
			plan->in1[l] = ident;
			plan->agg[l] = plan->agg[1];
			plan->agg_w[l] = plan->agg_w[1];
			plan->agg_t[l] = plan->agg_t[1];
			plan->agg_tw[l] = plan->agg_tw[1];
		}
	}
	k = 0;
	while (k < nb && plan->t[0][k] < nu)
		k++;
	plan->n0_users = k;
}

/* Layer l's input x (rows t[l-1] of the plan) into the histories, where it has them:
 * the targets' rows of a history plan, every row of a full one. */
static void push_history(struct backbone *bb, const struct bb_plan *plan, int m, int l,
    const struct ad_tensor *x)
{
	real *h = bb->hist[m][l - 1];
	int64_t d = x->cols, k;
	if (!h || !(plan->hist || plan->full))
		return;
	if (plan->full) {
		memcpy(h, x->val, (size_t)(x->rows * d) * sizeof(real));
		return;
	}
	for (k = 0; k < x->rows; k++)
		memcpy(h + (int64_t)plan->t[l - 1][k] * d, x->val + k * d, (size_t)d * sizeof(real));
}

/* ---- forward ---- */

static struct ad_tensor *affine(struct ad_tape *tape, struct ad_tensor *x, struct ad_param *w,
    struct ad_param *b)
{
	return ad_affine(tape, x, &w->t, b ? &b->t : NULL, 0, NULL, 1);
}

/* The modality's raw item input for items (0-based item indices): dense rows as a
 * constant, or the mean of the bag's id vectors. */
static struct ad_tensor *item_input(struct backbone *bb, struct ad_tape *tape, int m,
    int64_t n, const int32_t *items)
{
	const struct bb_modality *md = &bb->mods[m];
	if (md->is_bag)
		return ad_bag_mean(tape, &bb->br[m].word->t, md->bag, md->weights, n, items);
	return ad_const_rows(tape, md->x, md->dim, n, items);
}

static int32_t *item_indices(struct ad_tape *tape, const int32_t *nodes, int64_t n, int64_t nu)
{
	int32_t *it = ad_scratch(tape, ((size_t)n + 1) * sizeof *it);
	int64_t k;
	for (k = 0; k < n; k++)
		it[k] = nodes[k] - (int32_t)nu;
	return it;
}

static struct ad_tensor *mf_modality(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, int m)
{
	int64_t n = plan->n[0], nu_t = plan->n0_users, ni_t = n - nu_t;
	const int32_t *t = plan->t[0];
	struct ad_tensor *parts[2], *items;
	int np = 0;
	if (nu_t > 0)
		parts[np++] = ad_gather(tape, &bb->user->t, nu_t, t);
	if (ni_t > 0) {
		items = ad_gather(tape, &bb->id_emb->t, ni_t, t + nu_t);
		if (m >= 0) {
			int32_t *it = item_indices(tape, t + nu_t, ni_t, bb->nu);
			struct ad_tensor *x = item_input(bb, tape, m, ni_t, it);
			if (!bb->mods[m].is_bag)
				x = ad_matmul(tape, x, 0, &bb->br[m].mlp_w->t, 0);
			items = ad_add(tape, items, x);
		}
		parts[np++] = items;
	}
	return np == 1 ? parts[0] : ad_concat_rows(tape, np, parts);
}

/* x0 = L2norm([preference; MLP(item input)]) in one op, without the copies: the items'
 * bags, or users alone. */
static struct ad_tensor *x0_parts(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, int m)
{
	struct bb_branch *b = &bb->br[m];
	struct ad_tensor *parts[2];
	int64_t nu_t = plan->n0_users, ni_t = plan->n[0] - nu_t, counts[2];
	const int32_t *rows[2];
	int np = 0;
	if (nu_t > 0) {
		/* the users' preference rows, read in place */
		parts[np] = &b->pref->t;
		counts[np] = nu_t;
		rows[np++] = plan->t[0];
	}
	if (ni_t > 0) {
		int32_t *it = item_indices(tape, plan->t[0] + nu_t, ni_t, bb->nu);
		const struct bb_modality *md = &bb->mods[m];
		counts[np] = ni_t;
		rows[np] = NULL;
		if (md->is_bag && md->dim < ni_t) {
			/* mean-pooling is linear: with fewer ids than items (genres, decades),
			 * projecting the ids first and pooling after is the same number for
			 * far fewer products */
			struct ad_tensor *proj = ad_matmul(tape, &b->word->t, 0, &b->mlp_w->t, 0);
			parts[np++] = ad_add_row(tape, ad_bag_mean(tape, proj, md->bag, md->weights,
			    ni_t, it), &b->mlp_b->t);
		} else {
			parts[np++] = affine(tape, item_input(bb, tape, m, ni_t, it), b->mlp_w,
			    b->mlp_b);
		}
	}
	return ad_l2norm_stack(tape, np, parts, counts, rows);
}

struct ad_tensor *bb_forward_modality(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, int m)
{
	struct ad_tensor *id1 = NULL;
	if (bb->cfg.kind == BB_MMGCN && plan->layers > 0)
		id1 = ad_gather(tape, &bb->id_emb->t, plan->n[1], plan->t[1]);
	return bb_forward_modality_on(bb, tape, plan, m, id1);
}

struct ad_tensor *bb_forward_modality_on(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, int m, struct ad_tensor *id1)
{
	struct bb_branch *b = &bb->br[m];
	struct ad_tensor *x;
	int64_t nu_t = plan->n0_users, ni_t = plan->n[0] - nu_t;
	int l;

	if (bb->cfg.kind == BB_MF)
		return mf_modality(bb, tape, plan, m);
	if (ni_t > 0 && !bb->mods[m].is_bag) {
		/* dense rows: product and normalisation a block of items at a time */
		const struct bb_modality *md = &bb->mods[m];
		x = ad_l2norm_mlp(tape, &b->pref->t, nu_t, plan->t[0], md->x, md->dim, ni_t,
		    item_indices(tape, plan->t[0] + nu_t, ni_t, bb->nu), &b->mlp_w->t,
		    &b->mlp_b->t);
	} else {
		x = x0_parts(bb, tape, plan, m);
	}
	for (l = 1; l <= plan->layers; l++) {
		const int li = l - 1;
		const double slope = bb->cfg.slope;
		struct ad_tensor *agg, *h, *self, *id, *adds[2];
		push_history(bb, plan, m, l, x);
		if (plan->hist) {
			/* the targets' own rows fresh, their other neighbours' from history */
			self = x;
			agg = ad_spmm_hist(tape, &plan->agg[l], plan->agg_w[l], &plan->agg_t[l],
			    plan->agg_tw[l], x, bb->hist[m][li], bb->nu + bb->ni);
		} else {
			/* self before the mean: the backward pass, taking ops last to first,
			 * then writes the mean's gradient into x's and only adds the scattered
			 * rows */
			self = ad_gather(tape, x, plan->n[l], plan->up[l]);
			agg = ad_spmm_t(tape, &plan->agg[l], plan->agg_w[l], &plan->agg_t[l],
			    plan->agg_tw[l], x);
			/* x0's gradient made a block of rows at a time by its own op */
			if (l == 1)
				ad_pull_grad(tape, x, agg, self);
		}
		h = ad_l2norm_leaky(tape, affine(tape, agg, b->conv_w[li], b->conv_b[li]), slope);
		id = l == 1 || plan->hist ? id1 : ad_gather(tape, id1, plan->n[l], plan->in1[l]);
		/* x' = LeakyReLU(h Wg + bg + xh), xh = LeakyReLU(self Wl + bl) + id, in two ops */
		adds[0] = ad_affine(tape, self, &b->lin_w[li]->t, &b->lin_b[li]->t, 0, NULL, slope);
		adds[1] = id;
		x = ad_affine(tape, h, &b->g_w[li]->t, &b->g_b[li]->t, 2, adds, slope);
	}
	return x;
}

void bb_forward(struct backbone *bb, struct ad_tape *tape, const struct bb_plan *plan,
    struct ad_tensor **out)
{
	int m;
	for (m = 0; m < bb->nmod; m++)
		out[m] = bb_forward_modality(bb, tape, plan, m);
}

int bb_branch_params(const struct backbone *bb, int m, struct ad_param **out)
{
	const struct bb_branch *b = &bb->br[m];
	struct ad_param *all[4 + 6 * BB_MAX_LAYERS];
	int n = 0, k = 0;
	if (bb->cfg.kind != BB_MMGCN)
		return 0;
	all[n++] = b->pref;
	all[n++] = b->word;
	all[n++] = b->mlp_w;
	all[n++] = b->mlp_b;
	for (int l = 0; l < bb->cfg.layers; l++) {
		all[n++] = b->conv_w[l];
		all[n++] = b->conv_b[l];
		all[n++] = b->lin_w[l];
		all[n++] = b->lin_b[l];
		all[n++] = b->g_w[l];
		all[n++] = b->g_b[l];
	}
	for (int j = 0; j < n; j++)
		if (all[j])
			out[k++] = all[j];
	return k;
}

unsigned bb_group_mask(const struct backbone *bb, enum rep_group g)
{
	unsigned mask = 0;
	int m;
	for (m = 0; m < bb->nmod; m++)
		if (g == GROUP_Z || (g == GROUP_E && bb->mods[m].role == ROLE_EXPOSURE) ||
		    (g == GROUP_C && bb->mods[m].role == ROLE_CONTENT))
			mask |= 1u << m;
	return mask;
}

struct ad_tensor *bb_group(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, struct ad_tensor **out, enum rep_group g)
{
	struct ad_tensor *members[BB_MAX_MODALITIES];
	unsigned mask = bb_group_mask(bb, g);
	int m, n = 0;
	if (bb->nmod == 0 && bb->cfg.kind == BB_MF && g == GROUP_Z)
		return mf_modality(bb, tape, plan, -1);
	for (m = 0; m < bb->nmod; m++)
		if (mask & (1u << m))
			members[n++] = out[m];
	if (n == 0)
		return NULL;
	return n == 1 ? members[0] : ad_mean_of(tape, n, members);
}

double bb_modality_cost(const struct backbone *bb, int m)
{
	const struct bb_modality *md;
	double nodes = (double)(bb->nu + bb->ni), lat = bb->cfg.latent, d = bb->cfg.dim;
	double layers = bb->cfg.kind == BB_MMGCN ? nodes * lat * (lat + 2 * d) : 0;
	if (m < 0)
		return layers;
	md = &bb->mods[m];
	if (md->is_bag)
		return layers + (double)(md->dim < bb->ni ? md->dim : bb->ni) * lat * lat +
		    (double)md->bag->off[md->bag->rows] * lat;
	return layers + (double)bb->ni * (double)md->dim * lat;
}

int bb_full_tasks(struct backbone *const *bbs, int n)
{
	int k, count = 0;
	for (k = 0; k < n; k++)
		count += bbs[k]->nmod > 0 ? bbs[k]->nmod : 1;
	return count;
}

struct full_job {
	struct backbone *const *bbs;
	struct ad_tape *tapes;
	const struct bb_plan *plan;
	int *bb_of, *m_of;
	int32_t *order;
	struct ad_tensor **x;
};

static void full_task(void *ctx, int64_t k)
{
	struct full_job *jb = ctx;
	int32_t t = jb->order[k];
	struct backbone *bb = jb->bbs[jb->bb_of[t]];
	int m = jb->m_of[t];
	ad_tape_reset(&jb->tapes[t]);
	jb->x[t] = m < 0 ? mf_modality(bb, &jb->tapes[t], jb->plan, -1)
	                 : bb_forward_modality(bb, &jb->tapes[t], jb->plan, m);
}

void bb_full(struct backbone *const *bbs, int n, struct ad_tape *tapes, struct pool *pool,
    struct ad_tape *plan_tape, struct bb_planner *p, float *rep[][GROUP_COUNT])
{
	struct backbone *bb0 = bbs[0];
	int64_t nodes = bb0->nu + bb0->ni, k, d = bb0->cfg.dim;
	int32_t *all = xmalloc((size_t)nodes * sizeof *all);
	int ntask = bb_full_tasks(bbs, n), t = 0, b, g, m;
	double *cost;
	struct full_job jb;
	struct bb_plan plan;

	for (k = 0; k < nodes; k++)
		all[k] = (int32_t)k;
	ad_tape_reset(plan_tape);
	bb_plan_build(&plan, p, plan_tape, bb0->cfg.kind == BB_MMGCN ? bb0->graph : NULL,
	    bb0->cfg.layers, bb0->nu, all, nodes);
	plan.full = 1;
	jb.bbs = bbs;
	jb.tapes = tapes;
	jb.plan = &plan;
	jb.bb_of = xmalloc((size_t)ntask * sizeof *jb.bb_of);
	jb.m_of = xmalloc((size_t)ntask * sizeof *jb.m_of);
	jb.x = xmalloc((size_t)ntask * sizeof *jb.x);
	jb.order = xmalloc((size_t)ntask * sizeof *jb.order);
	cost = xmalloc((size_t)ntask * sizeof *cost);
	for (b = 0; b < n; b++)
		for (m = bbs[b]->nmod > 0 ? 0 : -1; m < bbs[b]->nmod; m++) {
			jb.bb_of[t] = b;
			cost[t] = bb_modality_cost(bbs[b], m);
			jb.m_of[t++] = m;
		}
	pool_costliest_first(jb.order, cost, ntask);
	pool_run(pool, ntask, full_task, &jb);

	/* the group means, modality by modality in order whatever ran where */
	for (b = 0, t = 0; b < n; b++) {
		struct backbone *bb = bbs[b];
		unsigned masks[GROUP_COUNT];
		int count[GROUP_COUNT] = { 0, 0, 0 };
		for (g = 0; g < GROUP_COUNT; g++) {
			masks[g] = bb_group_mask(bb, (enum rep_group)g);
			rep[b][g] = NULL;
			if (masks[g] || (g == GROUP_Z && bb->cfg.kind == BB_MF))
				rep[b][g] = xcalloc((size_t)nodes * (size_t)d, sizeof *rep[b][g]);
		}
		for (m = bb->nmod > 0 ? 0 : -1; m < bb->nmod; m++, t++) {
			/* the plan lists every node in order, so row k is node k */
			const real *x = jb.x[t]->val;
			for (g = 0; g < GROUP_COUNT; g++) {
				if (!rep[b][g] || (m >= 0 && !(masks[g] & (1u << m))))
					continue;
				for (k = 0; k < nodes * d; k++)
					rep[b][g][k] += (float)x[k];
				count[g]++;
			}
		}
		for (g = 0; g < GROUP_COUNT; g++)
			if (rep[b][g] && count[g] > 1)
				for (k = 0; k < nodes * d; k++)
					rep[b][g][k] /= (float)count[g];
	}
	for (t = 0; t < ntask; t++)
		ad_tape_reset(&tapes[t]);
	ad_tape_reset(plan_tape);
	free(jb.bb_of);
	free(jb.m_of);
	free(jb.x);
	free(jb.order);
	free(cost);
	free(all);
}
