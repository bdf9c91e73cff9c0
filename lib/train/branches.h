/* branches.h: one training step of MMGCN cut into (tower, modality) branches that run
 * forward and backward on the pool's threads.
 *
 * An MMGCN modality's branch meets the others only in the group means and in the id
 * table, so each (tower, modality) runs forward and backward on a tape of its own,
 * on whichever thread is free.  The id rows of T_1 are copied once per table and read
 * by every branch through a leaf of its tape, which collects that branch's gradient;
 * those are then added into the table's gradient in branch order.  Every number is
 * thus computed the same way whatever the thread count. */
#ifndef HCR_BRANCHES_H
#define HCR_BRANCHES_H

#include <stdint.h>

#include "train/autodiff.h"
#include "train/backbone.h"

struct pool;

/* Id tables at most: one per tower. */
#define BRANCHES_MAX_TABLES REPSET_MAX_TOWERS

struct branch {
	struct backbone *bb;
	int m;
	int table;                 /* its id table, an index into branches.table */
	struct ad_tape *tape;
	struct ad_tensor *x;       /* its vectors on its tape */
	struct ad_tensor *id1;     /* the id rows of T_1, a leaf of its tape */
	struct ad_tensor *leaf;    /* x as a leaf of the main tape */
};

struct branches {
	struct branch *br;
	struct ad_tape *tapes;     /* br[k].tape is tapes + k */
	int32_t *order;            /* the order threads start them in: the costliest first */
	int n;
	struct ad_param *table[BRANCHES_MAX_TABLES];
	real *rows[BRANCHES_MAX_TABLES];  /* this step's copy of each table's rows of T_1 */
	int tables;
	const struct bb_plan *plan;
};


/* The branches of nt towers (MF towers without modalities have one each). */
void branches_init(struct branches *bs, struct backbone *towers, int nt);
void branches_free(struct branches *bs);
/* The towers' modality vectors of a batch, out[t][m], leaves of the main tape. */
void branches_forward(struct branches *bs, struct pool *pool, struct ad_tape *tape,
    const struct bb_plan *plan, struct ad_tensor *out[][BB_MAX_MODALITIES]);
/* After the main tape's backward pass: every branch's, then the id tables'. */
void branches_backward(struct branches *bs, struct pool *pool);

#endif
