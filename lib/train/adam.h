/* adam.h: the optimiser: torch's Adam with coupled weight decay, and its step shared out
 * over a pool's threads. */
#ifndef HCR_ADAM_H
#define HCR_ADAM_H

#include <stdatomic.h>
#include <stdint.h>

#include "train/autodiff.h"

struct pool;

/* torch.optim.Adam(params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay) with
 * coupled decay (g + lambda theta before the moments), applied densely to every
 * unfrozen parameter, untouched embedding rows included; except in a lazy table
 * (ad_param.lazy), whose rows without gradient are left as they are, value and
 * moments (LazyAdam, as TensorFlow Addons and torch's SparseAdam do for sparse
 * gradients). */
struct adam {
	double lr, beta1, beta2, eps, weight_decay;
	int64_t step;
};
void adam_init(struct adam *opt, double lr, double weight_decay);
/* One update from the accumulated grads, which it then clears. */
void adam_step(struct adam *opt, struct ad_params *set);
/* adam_step in parts, so that threads can share the parameters: adam_next once, then
 * adam_update over entries [i0, i1) of each parameter, the ranges in any order. */
void adam_next(struct adam *opt);
void adam_update(const struct adam *opt, struct ad_param *p, int64_t i0, int64_t i1);

/* A step over every parameter of a set in ranges of entries, on every thread of a pool,
 * each block of entries checked finite before its update: a non-finite one fails the
 * step, which then ends the run, so a half-updated step is never kept. */
struct adam_ranges {
	struct adam *opt;
	struct ad_params *set;
	int64_t *first;            /* first[k]: the first range of parameter k */
	int64_t ranges;
	atomic_int bad;
};
void adam_ranges_init(struct adam_ranges *ar, struct adam *opt, struct ad_params *set);
/* One step: 0, or -1 when a value or gradient was not finite. */
int adam_step_ranges(struct adam_ranges *ar, struct pool *pool);
/* The same in parts, for a step shared with other work or over several sets: after
 * adam_next, every range r < ar->ranges once, in any order and on any thread
 * (adam_range; adam_run_ranges runs them all on a pool), then adam_ranges_end, whose
 * result is adam_step_ranges'.  adam_range_param: the parameter (index into ar->set)
 * that range r updates. */
void adam_range(struct adam_ranges *ar, int64_t r);
int adam_run_ranges(struct adam_ranges *ar, struct pool *pool);
int adam_ranges_end(struct adam_ranges *ar);
int64_t adam_range_param(const struct adam_ranges *ar, int64_t r);
void adam_ranges_free(struct adam_ranges *ar);

#endif
