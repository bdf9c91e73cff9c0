/* pool.c: worker threads that sleep between batches; a batch is a counter that every
 * thread, the caller included, takes its next task from. */
#include "common/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/util.h"

struct pool_state {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t *tid;
	int workers;
	/* the batch: generation counts batches, so a worker wakes once for each */
	uint64_t generation;
	pool_task_fn fn;
	void *ctx;
	int64_t n;
	atomic_int_fast64_t next;
	int busy;                 /* workers still in the current batch */
	int quit;
};

static void take_tasks(struct pool_state *st, pool_task_fn fn, void *ctx, int64_t n)
{
	int64_t t;
	while ((t = atomic_fetch_add(&st->next, 1)) < n)
		fn(ctx, t);
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
	atomic_init(&st->next, 0);
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
	if (!st || n <= 1) {
		for (int64_t t = 0; t < n; t++)
			fn(ctx, t);
		return;
	}
	pthread_mutex_lock(&st->mu);
	st->fn = fn;
	st->ctx = ctx;
	st->n = n;
	atomic_store(&st->next, 0);
	st->busy = st->workers;
	st->generation++;
	pthread_cond_broadcast(&st->work);
	pthread_mutex_unlock(&st->mu);
	take_tasks(st, fn, ctx, n);
	/* every worker must have left the batch before its counter is reused */
	pthread_mutex_lock(&st->mu);
	while (st->busy > 0)
		pthread_cond_wait(&st->done, &st->mu);
	pthread_mutex_unlock(&st->mu);
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
