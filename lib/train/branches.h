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

#include <stdatomic.h>

#include "train/adam.h"
#include "train/autodiff.h"
#include "train/backbone.h"

struct pool;

/* Id tables at most: one per tower. */
#define BRANCHES_MAX_TABLES REPSET_MAX_TOWERS
#define BRANCHES_MAX_TOWERS REPSET_MAX_TOWERS

/* A step's plans (backbone.h): one of every pair's users and items, and, when a method
 * reads some towers' scores on the batch's positives alone (method.h:
 * positives_towers), one of the positives' users and items for those towers.  The
 * rows such a tower leaves out (the sampled items and the neighbourhoods only they
 * need) would get no gradient, so leaving them out changes the model by rounding
 * only, for less work. */
struct step_plans {
	struct bb_plan plan[2];              /* [0] every pair's nodes, [1] the positives' */
	const struct bb_plan *of[BRANCHES_MAX_TOWERS];  /* tower t's plan */
	int32_t *ru[BRANCHES_MAX_TOWERS], *ri[BRANCHES_MAX_TOWERS];
	                                     /* the n pairs' rows in tower t's plan; in the
	                                      * positives' plan a sampled pair's are 0 */
};
/* Plans for n pairs whose b positives come first, targets holding their nodes (user,
 * nu + item) pair by pair; cfg->history picks history plans; graph NULL for MF.  The
 * two plans are made on the pool's threads, plan k with planner p[k] in the scratch
 * memory of tapes[k], which it resets. */
void step_plans_build(struct step_plans *sp, struct bb_planner *p, struct ad_tape *tapes,
    struct pool *pool, const struct csr *graph, const struct bb_config *cfg, int64_t nu,
    int towers, unsigned positives_towers, const int32_t *targets, int64_t n, int64_t b);

struct branch {
	struct backbone *bb;
	int tower;
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
	int tables;
	real **rows;               /* rows[k]: branch k's copy of its table's rows of its
	                            * T_1, shared by branches of the same table and plan */
	const struct bb_plan *const *plans;   /* this step's, by tower */
	int64_t nodes;             /* users and items: the tables' rows */
	/* Adam on the parameters a branch alone gives a gradient to (branches_adam_init),
	 * by whichever thread is free once the branch's backward pass is done */
	struct ad_params own;      /* those parameters, branch by branch in start order */
	int32_t *own_branch;       /* own.p[k]'s branch */
	struct adam_ranges own_ranges;
	atomic_int_fast64_t *done; /* done[k]: the last step whose branch k is through */
	int64_t step;
	struct pool *pool;         /* this step's, whose sub-batches a waiting range helps */
};


/* The branches of nt towers (MF towers without modalities have one each). */
void branches_init(struct branches *bs, struct backbone *towers, int nt);
void branches_free(struct branches *bs);
/* The towers' modality vectors of a batch, out[t][m], leaves of the main tape; tower t
 * computed over plans[t]. */
void branches_forward(struct branches *bs, struct pool *pool, struct ad_tape *tape,
    const struct bb_plan *const *plans, struct ad_tensor *out[][BB_MAX_MODALITIES]);
/* Takes the branches' own parameters out of Adam's step over all (set, opt): rest
 * gets the others (its p array the caller's to free), for the caller's own ranges. */
void branches_adam_init(struct branches *bs, struct adam *opt, const struct ad_params *set,
    struct ad_params *rest);
/* After the main tape's backward pass and adam_next: every branch's backward pass, and
 * Adam's update of each branch's own parameters as soon as it is through, in one batch
 * of the pool (the threads free at the end of the branches update them); then the id
 * tables' gradients.  -1 when Adam met a value or gradient not finite, else 0. */
int branches_backward(struct branches *bs, struct pool *pool);

#endif
