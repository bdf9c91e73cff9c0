/* pool.h: a few threads kept for the length of a run, for batches of independent tasks.
 *
 * pool_run hands tasks 0 .. n-1 to the pool's threads and to its caller, in turn as
 * each comes free, and returns when all are done.  Which thread runs a task changes
 * from run to run, so a task must compute the same thing wherever it runs: it writes
 * only its own outputs, reads nothing another task of the batch writes, and leaves any
 * combining of outputs to the caller, in a fixed order.  Results then do not depend on
 * the number of threads either.  A pool of one thread runs everything in the caller. */
#ifndef HCR_POOL_H
#define HCR_POOL_H

#include <stdint.h>

typedef void (*pool_task_fn)(void *ctx, int64_t task);

struct pool_state;
struct pool {
	int threads;              /* the caller included */
	struct pool_state *st;    /* NULL with one thread */
};

void pool_init(struct pool *p, int threads);
/* p NULL: in the caller, as a pool of one thread. */
void pool_run(struct pool *p, int64_t n, pool_task_fn fn, void *ctx);
/* Tasks 0 .. n-1 of fn, from within a task of pool_run (or anywhere): run by the
 * caller and by those of the pool's threads that have run out of tasks of the
 * batch, and through when it returns.  The same rules as pool_run's; with no thread
 * free, all run in the caller.  A sub-batch's task may post one in turn. */
void pool_run_sub(struct pool *p, int64_t n, pool_task_fn fn, void *ctx);
/* For a task that waits for another to get through: runs tasks of a posted
 * sub-batch, if there is one, and says whether it did (else the caller may yield). */
int pool_help(struct pool *p);
void pool_free(struct pool *p);

/* Tasks' order of start, the costliest first, so that the last to finish is a cheap one
 * and threads end together; ties in task order. */
void pool_costliest_first(int32_t *order, const double *cost, int n);

#endif
