/* pool: batches and the sub-batches their tasks post.
 *
 * Every task and sub-task runs exactly once and writes its own slot, on 1 to 8
 * threads (more threads than the machine's cores included), sub-batches nested two
 * deep.  Threads out of tasks take part in a sub-batch: a sub-task that waits for its
 * sibling to start on another thread gets through, as does one whose sibling can only
 * be run by a thread waiting inside another task (pool_help).  A wait that never ends
 * fails after 10 s instead of hanging the suite. */
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "common/pool.h"
#include "tap.h"

#define TASKS 7
#define SUBS 13

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct counts {
	struct pool *pool;
	atomic_int runs[TASKS][SUBS][SUBS];    /* [task][sub][subsub] */
	int depth;                             /* 1: tasks post subs; 2: and subs post */
};

struct sub_ctx {
	struct counts *c;
	int64_t task, sub;
};

static void subsub_task(void *ctx, int64_t k)
{
	struct sub_ctx *s = ctx;
	atomic_fetch_add(&s->c->runs[s->task][s->sub][k], 1);
}

static void sub_task(void *ctx, int64_t k)
{
	struct sub_ctx *parent = ctx, s = { parent->c, parent->task, k };
	if (parent->c->depth == 2)
		pool_run_sub(parent->c->pool, SUBS, subsub_task, &s);
	else
		atomic_fetch_add(&parent->c->runs[parent->task][k][0], 1);
}

static void task(void *ctx, int64_t t)
{
	struct sub_ctx s = { ctx, t, 0 };
	pool_run_sub(s.c->pool, SUBS, sub_task, &s);
}

static int all_once(struct counts *c)
{
	for (int t = 0; t < TASKS; t++)
		for (int s = 0; s < SUBS; s++)
			for (int u = 0; u < (c->depth == 2 ? SUBS : 1); u++)
				if (atomic_load(&c->runs[t][s][u]) != 1)
					return 0;
	return 1;
}

static void counts_reset(struct counts *c, struct pool *p, int depth)
{
	c->pool = p;
	c->depth = depth;
	for (int t = 0; t < TASKS; t++)
		for (int s = 0; s < SUBS; s++)
			for (int u = 0; u < SUBS; u++)
				atomic_init(&c->runs[t][s][u], 0);
}

/* Two sub-tasks, the first waiting until the second has run elsewhere. */
struct pair {
	atomic_int second_ran, first_through, timed_out;
	struct pool *pool;
};

static void pair_task(void *ctx, int64_t k)
{
	struct pair *p = ctx;
	if (k == 1) {
		atomic_store(&p->second_ran, 1);
		return;
	}
	for (double t0 = seconds(); !atomic_load(&p->second_ran);) {
		if (seconds() - t0 > 10) {
			atomic_store(&p->timed_out, 1);
			break;
		}
		sched_yield();
	}
}

static void poster_task(void *ctx, int64_t t)
{
	struct pair *p = ctx;
	(void)t;
	pool_run_sub(p->pool, 2, pair_task, p);
	atomic_store(&p->first_through, 1);
}

/* Task 0 posts the pair; task 1 waits for task 0, helping meanwhile. */
static void waiter_pair(void *ctx, int64_t t)
{
	struct pair *p = ctx;
	if (t == 0) {
		poster_task(ctx, 0);
		return;
	}
	for (double t0 = seconds(); !atomic_load(&p->first_through);) {
		if (seconds() - t0 > 10) {
			atomic_store(&p->timed_out, 1);
			break;
		}
		if (!pool_help(p->pool))
			sched_yield();
	}
}

static void pair_reset(struct pair *p, struct pool *pool)
{
	atomic_init(&p->second_ran, 0);
	atomic_init(&p->first_through, 0);
	atomic_init(&p->timed_out, 0);
	p->pool = pool;
}

int main(void)
{
	static struct counts c;
	static const int threads[] = { 1, 2, 3, 4, 8 };
	struct pair pr;
	struct pool pool;

	for (size_t i = 0; i < sizeof threads / sizeof *threads; i++) {
		pool_init(&pool, threads[i]);
		for (int depth = 1; depth <= 2; depth++) {
			counts_reset(&c, &pool, depth);
			pool_run(&pool, TASKS, task, &c);
			OK(all_once(&c), "%d threads, sub-batches %d deep: every task and sub-task "
			    "ran once", threads[i], depth);
		}
		counts_reset(&c, &pool, 2);
		for (int t = 0; t < TASKS; t++)
			task(&c, t);
		OK(all_once(&c), "%d threads: sub-batches posted outside a batch run",
		    threads[i]);
		pool_free(&pool);
	}

	counts_reset(&c, NULL, 2);
	for (int t = 0; t < TASKS; t++)
		task(&c, t);
	OK(all_once(&c), "no pool: sub-batches run in the caller");

	pool_init(&pool, 2);
	pair_reset(&pr, &pool);
	pool_run(&pool, 1, poster_task, &pr);
	OK(!atomic_load(&pr.timed_out) && atomic_load(&pr.first_through), "a batch of one task: "
	    "the other thread runs the sub-task its poster waits for");
	pair_reset(&pr, &pool);
	pool_run(&pool, 2, waiter_pair, &pr);
	OK(!atomic_load(&pr.timed_out), "a thread waiting inside a task (pool_help) runs the "
	    "sub-task that the other task's sub-batch waits for");
	pool_free(&pool);
	return tap_done();
}
