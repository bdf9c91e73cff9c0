/* branches.c: a step's MMGCN branches on threads, each on a tape of its own, and their
 * shares of the id tables' gradients added back in a fixed order. */
#include "train/branches.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "common/csr.h"
#include "common/pool.h"
#include "common/util.h"

void branches_init(struct branches *bs, struct backbone *towers, int nt)
{
	int t, m, k;
	double *cost;
	memset(bs, 0, sizeof *bs);
	for (t = 0; t < nt; t++)
		bs->n += towers[t].nmod > 0 ? towers[t].nmod : 1;
	bs->br = xcalloc((size_t)bs->n, sizeof *bs->br);
	bs->tapes = xcalloc((size_t)bs->n, sizeof *bs->tapes);
	for (t = 0, k = 0; t < nt; t++) {
		int table = 0;
		while (table < bs->tables && bs->table[table] != towers[t].id_emb)
			table++;
		if (table == bs->tables)
			bs->table[bs->tables++] = towers[t].id_emb;
		for (m = towers[t].nmod > 0 ? 0 : -1; m < towers[t].nmod; m++, k++) {
			bs->br[k].bb = &towers[t];
			bs->br[k].tower = t;
			bs->br[k].m = m;
			bs->br[k].table = table;
			bs->br[k].tape = &bs->tapes[k];
			ad_tape_init(bs->br[k].tape);
		}
	}
	bs->rows = xcalloc((size_t)bs->n, sizeof *bs->rows);
	bs->nodes = nt > 0 ? towers[0].nu + towers[0].ni : 0;
	/* which thread runs a branch changes no number, so the order is free to choose */
	bs->order = xmalloc((size_t)bs->n * sizeof *bs->order);
	cost = xmalloc((size_t)bs->n * sizeof *cost);
	for (k = 0; k < bs->n; k++)
		cost[k] = bb_modality_cost(bs->br[k].bb, bs->br[k].m);
	pool_costliest_first(bs->order, cost, bs->n);
	free(cost);
}

void branches_adam_init(struct branches *bs, struct adam *opt, const struct ad_params *set,
    struct ad_params *rest)
{
	struct ad_param *mine[BB_BRANCH_PARAMS];
	int k, j;
	memset(rest, 0, sizeof *rest);
	bs->own_branch = xmalloc((set->n + 1) * sizeof *bs->own_branch);
	bs->own.p = xmalloc((set->n + 1) * sizeof *bs->own.p);
	bs->own.n = 0;
	for (k = 0; k < bs->n; k++) {
		int32_t b = bs->order[k];
		int n = bs->br[b].m >= 0 ? bb_branch_params(bs->br[b].bb, bs->br[b].m, mine) : 0;
		for (j = 0; j < n; j++) {
			bs->own_branch[bs->own.n] = b;
			bs->own.p[bs->own.n++] = mine[j];
		}
	}
	rest->p = xmalloc((set->n + 1) * sizeof *rest->p);
	for (size_t q = 0; q < set->n; q++) {
		size_t i = 0;
		while (i < bs->own.n && bs->own.p[i] != set->p[q])
			i++;
		if (i == bs->own.n)
			rest->p[rest->n++] = set->p[q];
	}
	rest->cap = rest->n;
	bs->own.cap = bs->own.n;
	adam_ranges_init(&bs->own_ranges, opt, &bs->own);
	bs->done = xcalloc((size_t)bs->n, sizeof *bs->done);
	for (k = 0; k < bs->n; k++)
		atomic_init(&bs->done[k], 0);
}

void branches_free(struct branches *bs)
{
	if (bs->done) {
		adam_ranges_free(&bs->own_ranges);
		free(bs->own.p);
		free(bs->own_branch);
		free((void *)bs->done);
	}
	for (int k = 0; k < bs->n; k++)
		ad_tape_free(&bs->tapes[k]);
	free(bs->tapes);
	free(bs->rows);
	free(bs->order);
	free(bs->br);
	memset(bs, 0, sizeof *bs);
}

struct plan_job {
	struct step_plans *sp;
	struct bb_planner *p;
	struct ad_tape *tapes;
	const struct csr *graph;
	const struct bb_config *cfg;
	int64_t nu, n, b;
	const int32_t *targets;
	int32_t *ru[2], *ri[2];
};

/* Plan k: [0] every pair's nodes, [1] the positives' (the first 2 b targets), on a
 * planner and a tape of its own. */
static void plan_task(void *ctx, int64_t k)
{
	struct plan_job *jb = ctx;
	struct bb_planner *p = &jb->p[k];
	struct ad_tape *tape = &jb->tapes[k];
	int64_t count = 2 * (k ? jb->b : jb->n), j;
	ad_tape_reset(tape);
	if (jb->cfg->history && jb->graph)
		bb_plan_build_history(&jb->sp->plan[k], p, tape, jb->graph, jb->cfg->layers, jb->nu,
		    jb->targets, count);
	else
		bb_plan_build(&jb->sp->plan[k], p, tape, jb->graph, jb->cfg->layers, jb->nu,
		    jb->targets, count);
	/* now, while the planner answers for this plan */
	jb->ru[k] = ad_scratch(tape, ((size_t)jb->n + 1) * sizeof *jb->ru[k]);
	jb->ri[k] = ad_scratch(tape, ((size_t)jb->n + 1) * sizeof *jb->ri[k]);
	for (j = 0; j < jb->n; j++) {
		int in = k == 0 || j < jb->b;
		jb->ru[k][j] = in ? bb_plan_row(p, jb->targets[2 * j]) : 0;
		jb->ri[k][j] = in ? bb_plan_row(p, jb->targets[2 * j + 1]) : 0;
	}
}

void step_plans_build(struct step_plans *sp, struct bb_planner *p, struct ad_tape *tapes,
    struct pool *pool, const struct csr *graph, const struct bb_config *cfg, int64_t nu,
    int towers, unsigned positives_towers, const int32_t *targets, int64_t n, int64_t b)
{
	struct plan_job jb;
	int two = positives_towers != 0 && b < n, t;
	jb.sp = sp;
	jb.p = p;
	jb.tapes = tapes;
	jb.graph = graph;
	jb.cfg = cfg;
	jb.nu = nu;
	jb.n = n;
	jb.b = b;
	jb.targets = targets;
	/* the two plans are independent: one a thread */
	pool_run(pool, 1 + two, plan_task, &jb);
	for (t = 0; t < towers && t < BRANCHES_MAX_TOWERS; t++) {
		int use = two && (positives_towers >> t & 1u);
		sp->of[t] = &sp->plan[use];
		sp->ru[t] = jb.ru[use];
		sp->ri[t] = jb.ri[use];
	}
}

static void branch_forward(void *ctx, int64_t k)
{
	struct branches *bs = ctx;
	int32_t j = bs->order[k];
	struct branch *b = &bs->br[j];
	const struct bb_plan *plan = bs->plans[b->tower];
	ad_tape_reset(b->tape);
	b->id1 = ad_leaf(b->tape, plan->n[1], b->bb->cfg.dim, bs->rows[j],
	    b->bb->id_emb->t.needs_grad);
	b->x = bb_forward_modality_on(b->bb, b->tape, plan, b->m, b->id1);
}

/* Task k: branch order[k]'s backward pass, or, past the branches, range k - n of Adam
 * on their own parameters, once their branch is through (the branches are all taken
 * before any range, so the one waited for is running on another thread). */
static void branch_backward(void *ctx, int64_t k)
{
	struct branches *bs = ctx;
	if (k < bs->n) {
		int32_t j = bs->order[k];
		struct branch *b = &bs->br[j];
		if (b->leaf->grad)
			ad_backward_from(b->tape, b->x, b->leaf->grad);
		if (bs->done)
			atomic_store_explicit(&bs->done[j], bs->step, memory_order_release);
		return;
	}
	k -= bs->n;
	{
		int32_t j = bs->own_branch[adam_range_param(&bs->own_ranges, k)];
		/* while it waits, the branch's products may want another thread */
		while (atomic_load_explicit(&bs->done[j], memory_order_acquire) != bs->step)
			if (!pool_help(bs->pool))
				sched_yield();
	}
	adam_range(&bs->own_ranges, k);
}

struct id_reduce {
	struct branches *bs;
	int64_t chunk;
};


/* The table rows of nodes [chunk k) of every table's gradient: the branches' parts in
 * branch order, each from the rows of its own T_1 in the range. */
static void id_reduce_task(void *ctx, int64_t k)
{
	struct id_reduce *r = ctx;
	struct branches *bs = r->bs;
	int64_t v0 = k * r->chunk, v1 = v0 + r->chunk < bs->nodes ? v0 + r->chunk : bs->nodes;
	for (int j = 0; j < bs->n; j++) {
		struct branch *b = &bs->br[j];
		struct ad_param *p = bs->table[b->table];
		const struct bb_plan *plan = bs->plans[b->tower];
		int64_t d = p->t.cols, n1 = plan->n[1];
		const int32_t *t1 = plan->t[1];
		if (!b->id1->grad || !p->t.needs_grad)
			continue;
		for (int64_t i = sorted_first_at_least(t1, n1, v0); i < n1 && t1[i] < v1; i++) {
			real *dst = p->t.grad + (int64_t)t1[i] * d;
			const real *src = b->id1->grad + i * d;
			for (int64_t c = 0; c < d; c++)
				dst[c] += src[c];
			ad_touch_row(&p->t, t1[i]);
		}
	}
}

/* Rows of the id copies, a task's share. */
#define ROWS_CHUNK 4096

/* A copy a (table, plan): at most one a tower, whose branches share both. */
struct rows_job {
	struct branches *bs;
	int copies;
	int32_t first[BRANCHES_MAX_TOWERS + 1];  /* a copy's first chunk */
	int32_t of[BRANCHES_MAX_TOWERS];         /* its branch */
};

static void rows_task(void *ctx, int64_t c)
{
	struct rows_job *jb = ctx;
	struct branches *bs = jb->bs;
	int k = 0;
	while (jb->first[k + 1] <= c)
		k++;
	{
		struct branch *b = &bs->br[jb->of[k]];
		const struct bb_plan *plan = bs->plans[b->tower];
		const struct ad_param *p = bs->table[b->table];
		int64_t d = p->t.cols, i0 = (c - jb->first[k]) * ROWS_CHUNK, i;
		real *rows = bs->rows[jb->of[k]];
		for (i = i0; i < plan->n[1] && i < i0 + ROWS_CHUNK; i++)
			memcpy(rows + i * d, p->t.val + (int64_t)plan->t[1][i] * d,
			    (size_t)d * sizeof(real));
	}
}

void branches_forward(struct branches *bs, struct pool *pool, struct ad_tape *tape,
    const struct bb_plan *const *plans, struct ad_tensor *out[][BB_MAX_MODALITIES])
{
	int k, t = -1;
	const struct backbone *prev = NULL;
	struct rows_job rj;
	bs->plans = plans;
	rj.bs = bs;
	rj.copies = 0;
	rj.first[0] = 0;
	for (k = 0; k < bs->n; k++) {
		struct branch *b = &bs->br[k];
		const struct bb_plan *plan = plans[b->tower];
		int64_t d = bs->table[b->table]->t.cols;
		int j;
		/* the id rows of T_1, copied once for the branches of a table and a plan */
		for (j = 0; j < k; j++)
			if (bs->br[j].table == b->table && plans[bs->br[j].tower] == plan)
				break;
		if (j < k) {
			bs->rows[k] = bs->rows[j];
			continue;
		}
		bs->rows[k] = ad_scratch(tape, ((size_t)plan->n[1] * (size_t)d + 1) * sizeof(real));
		rj.of[rj.copies] = k;
		rj.first[rj.copies + 1] = rj.first[rj.copies] +
		    (int32_t)((plan->n[1] + ROWS_CHUNK - 1) / ROWS_CHUNK);
		rj.copies++;
	}
	pool_run(pool, rj.first[rj.copies], rows_task, &rj);
	pool_run(pool, bs->n, branch_forward, bs);
	for (k = 0; k < bs->n; k++) {
		struct branch *b = &bs->br[k];
		if (b->bb != prev)
			t++, prev = b->bb;
		b->leaf = ad_leaf(tape, b->x->rows, b->x->cols, b->x->val, b->x->needs_grad);
		out[t][b->m] = b->leaf;
	}
}

int branches_backward(struct branches *bs, struct pool *pool)
{
	struct id_reduce r;
	int64_t ranges = bs->done ? bs->own_ranges.ranges : 0;
	bs->step++;
	bs->pool = pool;
	pool_run(pool, bs->n + ranges, branch_backward, bs);
	r.bs = bs;
	r.chunk = 4096;
	pool_run(pool, (bs->nodes + r.chunk - 1) / r.chunk, id_reduce_task, &r);
	return bs->done ? adam_ranges_end(&bs->own_ranges) : 0;
}
