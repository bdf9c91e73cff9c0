/* pool.c: worker threads that sleep between batches; a batch is a counter that every
 * thread, the caller included, takes its next task from.  A thread out of tasks helps
 * with the sub-batches that the batch's running tasks post, until the batch is
 * through. */
#include "common/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/util.h"

/* Sub-batches in flight at once: a task posts one at a time, and a sub-task may post
 * one in turn; past this many, a poster runs its own alone. */
#define POOL_SUBS 64

struct pool_sub {
	pool_task_fn fn;
	void *ctx;
	int64_t n;
	atomic_int_fast64_t next;
	int used;                 /* posted and not yet through */
	int helpers;              /* threads other than the poster in it */
};

struct pool_state {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_cond_t help;      /* a sub-batch posted, or the batch's last task through */
	pthread_cond_t sub_done;  /* a helper left a sub-batch */
	pthread_t *tid;
	int workers;
	/* the batch: generation counts batches, so a worker wakes once for each */
	uint64_t generation;
	pool_task_fn fn;
	void *ctx;
	int64_t n;
	atomic_int_fast64_t next;
	atomic_int_fast64_t finished;  /* the batch's tasks through */
	int busy;                 /* workers still in the current batch */
	int quit;
	struct pool_sub subs[POOL_SUBS];
	int subs_hi;              /* slots ever used: a helper looks no further */
	atomic_int posted;        /* sub-batches posted and not yet through */
};

static void take_tasks(struct pool_state *st, pool_task_fn fn, void *ctx, int64_t n)
{
	int64_t t;
	while ((t = atomic_fetch_add(&st->next, 1)) < n) {
		fn(ctx, t);
		if (atomic_fetch_add(&st->finished, 1) + 1 == n) {
			/* the helpers waiting for sub-batches may leave */
			pthread_mutex_lock(&st->mu);
			pthread_cond_broadcast(&st->help);
			pthread_mutex_unlock(&st->mu);
		}
	}
}

/* The sub-batch's tasks left, taken one at a time by whichever threads run this. */
static void take_sub_tasks(struct pool_sub *sb, pool_task_fn fn, void *ctx, int64_t n)
{
	int64_t t;
	while ((t = atomic_fetch_add(&sb->next, 1)) < n)
		fn(ctx, t);
}

/* With st->mu held: runs tasks of a posted sub-batch that has some left, if any;
 * 1 if it did. */
static int help_once(struct pool_state *st)
{
	for (int s = 0; s < st->subs_hi; s++) {
		struct pool_sub *sb = &st->subs[s];
		pool_task_fn fn;
		void *ctx;
		int64_t n;
		if (!sb->used || atomic_load(&sb->next) >= sb->n)
			continue;
		fn = sb->fn, ctx = sb->ctx, n = sb->n;
		sb->helpers++;
		pthread_mutex_unlock(&st->mu);
		take_sub_tasks(sb, fn, ctx, n);
		pthread_mutex_lock(&st->mu);
		if (--sb->helpers == 0)
			pthread_cond_broadcast(&st->sub_done);
		return 1;
	}
	return 0;
}

/* With st->mu held: helps with sub-batches until the batch's n tasks are through
 * (a task still running may post one). */
static void help_until_through(struct pool_state *st, int64_t n)
{
	while (atomic_load(&st->finished) < n)
		if (!help_once(st))
			pthread_cond_wait(&st->help, &st->mu);
}

static void *worker(void *arg)
{
	struct pool_state *st = arg;
	uint64_t seen = 0;
	pthread_mutex_lock(&st->mu);
	for (;;) {
		while (!st->quit && st->generation == seen)
			pthread_cond_wait(&st->work, &st->mu);
		if (st->quit)
			break;
		seen = st->generation;
		{
			pool_task_fn fn = st->fn;
			void *ctx = st->ctx;
			int64_t n = st->n;
			pthread_mutex_unlock(&st->mu);
			take_tasks(st, fn, ctx, n);
			pthread_mutex_lock(&st->mu);
			help_until_through(st, n);
		}
		if (--st->busy == 0)
			pthread_cond_signal(&st->done);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

void pool_init(struct pool *p, int threads)
{
	struct pool_state *st;
	p->threads = threads < 1 ? 1 : threads;
	p->st = NULL;
	if (p->threads == 1)
		return;
	st = xcalloc(1, sizeof *st);
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->work, NULL);
	pthread_cond_init(&st->done, NULL);
	pthread_cond_init(&st->help, NULL);
	pthread_cond_init(&st->sub_done, NULL);
	atomic_init(&st->next, 0);
	atomic_init(&st->finished, 0);
	atomic_init(&st->posted, 0);
	for (int s = 0; s < POOL_SUBS; s++)
		atomic_init(&st->subs[s].next, 0);
	st->workers = p->threads - 1;
	st->tid = xmalloc((size_t)st->workers * sizeof *st->tid);
	for (int k = 0; k < st->workers; k++)
		if (pthread_create(&st->tid[k], NULL, worker, st) != 0)
			die(HCR_EXIT_FAIL, "cannot start thread %d of %d", k + 2, p->threads);
	p->st = st;
}

void pool_run(struct pool *p, int64_t n, pool_task_fn fn, void *ctx)
{
	struct pool_state *st = p ? p->st : NULL;
	/* one task still wakes the workers: they help with the sub-batches it posts */
	if (!st || n < 1) {
		for (int64_t t = 0; t < n; t++)
			fn(ctx, t);
		return;
	}
	pthread_mutex_lock(&st->mu);
	st->fn = fn;
	st->ctx = ctx;
	st->n = n;
	atomic_store(&st->next, 0);
	atomic_store(&st->finished, 0);
	st->busy = st->workers;
	st->generation++;
	pthread_cond_broadcast(&st->work);
	pthread_mutex_unlock(&st->mu);
	take_tasks(st, fn, ctx, n);
	pthread_mutex_lock(&st->mu);
	help_until_through(st, n);
	/* every worker must have left the batch before its counter is reused */
	while (st->busy > 0)
		pthread_cond_wait(&st->done, &st->mu);
	pthread_mutex_unlock(&st->mu);
}

void pool_run_sub(struct pool *p, int64_t n, pool_task_fn fn, void *ctx)
{
	struct pool_state *st = p ? p->st : NULL;
	struct pool_sub *sb = NULL;
	if (st && n > 1) {
		pthread_mutex_lock(&st->mu);
		for (int s = 0; s < POOL_SUBS && !sb; s++)
			if (!st->subs[s].used && st->subs[s].helpers == 0) {
				sb = &st->subs[s];
				if (s >= st->subs_hi)
					st->subs_hi = s + 1;
			}
		if (sb) {
			sb->fn = fn;
			sb->ctx = ctx;
			sb->n = n;
			atomic_store(&sb->next, 0);
			sb->used = 1;
			atomic_fetch_add(&st->posted, 1);
			pthread_cond_broadcast(&st->help);
		}
		pthread_mutex_unlock(&st->mu);
	}
	if (!sb) {
		/* no pool, one task, or every slot taken: all in the caller */
		for (int64_t t = 0; t < n; t++)
			fn(ctx, t);
		return;
	}
	take_sub_tasks(sb, fn, ctx, n);
	/* the tasks taken are through once every helper has left */
	pthread_mutex_lock(&st->mu);
	while (sb->helpers > 0)
		pthread_cond_wait(&st->sub_done, &st->mu);
	sb->used = 0;
	atomic_fetch_sub(&st->posted, 1);
	pthread_mutex_unlock(&st->mu);
}

int pool_help(struct pool *p)
{
	struct pool_state *st = p ? p->st : NULL;
	int ran;
	if (!st || atomic_load(&st->posted) == 0)
		return 0;
	pthread_mutex_lock(&st->mu);
	ran = help_once(st);
	pthread_mutex_unlock(&st->mu);
	return ran;
}

void pool_free(struct pool *p)
{
	struct pool_state *st = p->st;
	if (st) {
		pthread_mutex_lock(&st->mu);
		st->quit = 1;
		pthread_cond_broadcast(&st->work);
		pthread_mutex_unlock(&st->mu);
		for (int k = 0; k < st->workers; k++)
			pthread_join(st->tid[k], NULL);
		pthread_cond_destroy(&st->work);
		pthread_cond_destroy(&st->done);
		pthread_cond_destroy(&st->help);
		pthread_cond_destroy(&st->sub_done);
		pthread_mutex_destroy(&st->mu);
		free(st->tid);
		free(st);
	}
	p->st = NULL;
	p->threads = 1;
}

void pool_costliest_first(int32_t *order, const double *cost, int n)
{
	for (int i = 0; i < n; i++) {
		int j = i;
		order[i] = (int32_t)i;
		while (j > 0 && cost[order[j - 1]] < cost[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (int32_t)i;
	}
}
