/* branches.c: a step's MMGCN branches on threads, each on a tape of its own, and their
 * shares of the id tables' gradients added back in a fixed order. */
#include "train/branches.h"

#include <stdlib.h>
#include <string.h>

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
			bs->br[k].m = m;
			bs->br[k].table = table;
			bs->br[k].tape = &bs->tapes[k];
			ad_tape_init(bs->br[k].tape);
		}
	}
	/* which thread runs a branch changes no number, so the order is free to choose */
	bs->order = xmalloc((size_t)bs->n * sizeof *bs->order);
	cost = xmalloc((size_t)bs->n * sizeof *cost);
	for (k = 0; k < bs->n; k++)
		cost[k] = bb_modality_cost(bs->br[k].bb, bs->br[k].m);
	pool_costliest_first(bs->order, cost, bs->n);
	free(cost);
}

void branches_free(struct branches *bs)
{
	for (int k = 0; k < bs->n; k++)
		ad_tape_free(&bs->tapes[k]);
	free(bs->tapes);
	free(bs->order);
	free(bs->br);
	memset(bs, 0, sizeof *bs);
}

static void branch_forward(void *ctx, int64_t k)
{
	struct branches *bs = ctx;
	struct branch *b = &bs->br[bs->order[k]];
	const struct bb_plan *plan = bs->plan;
	ad_tape_reset(b->tape);
	b->id1 = ad_leaf(b->tape, plan->n[1], b->bb->cfg.dim, bs->rows[b->table],
	    b->bb->id_emb->t.needs_grad);
	b->x = bb_forward_modality_on(b->bb, b->tape, plan, b->m, b->id1);
}

static void branch_backward(void *ctx, int64_t k)
{
	struct branches *bs = ctx;
	struct branch *b = &bs->br[bs->order[k]];
	if (b->leaf->grad)
		ad_backward_from(b->tape, b->x, b->leaf->grad);
}

struct id_reduce {
	struct branches *bs;
	int64_t n1, chunk;
};

/* Rows [chunk k) of every table's gradient: the branches' parts in branch order. */
static void id_reduce_task(void *ctx, int64_t k)
{
	struct id_reduce *r = ctx;
	struct branches *bs = r->bs;
	int64_t i0 = k * r->chunk, i1 = i0 + r->chunk < r->n1 ? i0 + r->chunk : r->n1;
	for (int j = 0; j < bs->n; j++) {
		struct branch *b = &bs->br[j];
		struct ad_param *p = bs->table[b->table];
		int64_t d = p->t.cols;
		if (!b->id1->grad || !p->t.needs_grad)
			continue;
		for (int64_t i = i0; i < i1; i++) {
			real *dst = p->t.grad + (int64_t)bs->plan->t[1][i] * d;
			const real *src = b->id1->grad + i * d;
			for (int64_t c = 0; c < d; c++)
				dst[c] += src[c];
		}
	}
}

void branches_forward(struct branches *bs, struct pool *pool, struct ad_tape *tape,
    const struct bb_plan *plan, struct ad_tensor *out[][BB_MAX_MODALITIES])
{
	int k, t = -1;
	const struct backbone *prev = NULL;
	bs->plan = plan;
	for (k = 0; k < bs->tables; k++) {
		struct ad_param *p = bs->table[k];
		int64_t d = p->t.cols;
		real *rows = ad_scratch(tape, ((size_t)plan->n[1] * (size_t)d + 1) * sizeof(real));
		for (int64_t i = 0; i < plan->n[1]; i++)
			memcpy(rows + i * d, p->t.val + (int64_t)plan->t[1][i] * d,
			    (size_t)d * sizeof(real));
		bs->rows[k] = rows;
	}
	pool_run(pool, bs->n, branch_forward, bs);
	for (k = 0; k < bs->n; k++) {
		struct branch *b = &bs->br[k];
		if (b->bb != prev)
			t++, prev = b->bb;
		b->leaf = ad_leaf(tape, b->x->rows, b->x->cols, b->x->val, b->x->needs_grad);
		out[t][b->m] = b->leaf;
	}
}

void branches_backward(struct branches *bs, struct pool *pool)
{
	struct id_reduce r;
	pool_run(pool, bs->n, branch_backward, bs);
	r.bs = bs;
	r.n1 = bs->plan->n[1];
	r.chunk = 1024;
	pool_run(pool, (r.n1 + r.chunk - 1) / r.chunk, id_reduce_task, &r);
}
