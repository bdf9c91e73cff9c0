/* topk.c: all-ranking in user blocks and item chunks, a bounded heap per user. */
#include "rank/topk.h"

#include <cblas.h>
#undef I
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/meter.h"
#include "common/util.h"
#include "rank/vec4.h"

/* The k best so far of one user: a heap with the worst kept at the root. */
struct heap {
	float *key;
	int32_t *item;
	int n;
};

static inline int worse(float ka, int32_t ia, float kb, int32_t ib)
{
	return ka < kb || (ka == kb && ia > ib);
}

static void sift_down(struct heap *h, int i)
{
	float k0 = h->key[i];
	int32_t i0 = h->item[i];
	for (;;) {
		int c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && worse(h->key[c + 1], h->item[c + 1], h->key[c], h->item[c]))
			c++;
		if (!worse(h->key[c], h->item[c], k0, i0))
			break;
		h->key[i] = h->key[c];
		h->item[i] = h->item[c];
		i = c;
	}
	h->key[i] = k0;
	h->item[i] = i0;
}

static void sift_up(struct heap *h, int i)
{
	float k0 = h->key[i];
	int32_t i0 = h->item[i];
	while (i > 0) {
		int p = (i - 1) / 2;
		if (!worse(k0, i0, h->key[p], h->item[p]))
			break;
		h->key[i] = h->key[p];
		h->item[i] = h->item[p];
		i = p;
	}
	h->key[i] = k0;
	h->item[i] = i0;
}

/* Items arrive in increasing index order, so a newcomer equal to the root loses. */
static inline void heap_offer(struct heap *h, int k, float v, int32_t item)
{
	if (h->n < k) {
		h->key[h->n] = v;
		h->item[h->n] = item;
		sift_up(h, h->n++);
	} else {
		h->key[0] = v;
		h->item[0] = item;
		sift_down(h, 0);
	}
}

static inline float heap_floor(const struct heap *h, int k)
{
	return h->n < k ? -INFINITY : h->key[0];
}

/* Offers keys v[0 .. n) for items item0 + j; returns the NaN keys met. */
static int64_t heap_scan(struct heap *h, int k, const float *v, int64_t n, int32_t item0)
{
	float thr = heap_floor(h, k);
	int64_t nans = 0, j, t;
	for (j = 0; j < n; j += 4) {
		int64_t end = j + 4 <= n ? j + 4 : n;
		/* Most items do not enter: four at a test; !(v <= thr) also catches NaN. */
		if (end == j + 4 && !v4_any(~(v4_load(v + j) <= thr)))
			continue;
		for (t = j; t < end; t++) {
			if (v[t] > thr) {
				heap_offer(h, k, v[t], item0 + (int32_t)t);
				thr = heap_floor(h, k);
			} else if (v[t] != v[t]) {
				nans++;
			}
		}
	}
	return nans;
}

/* Empties the heap into rank order; returns the count. */
static int heap_drain(struct heap *h, int32_t *items, float *keys)
{
	int n = h->n, i;
	for (i = n - 1; i >= 0; i--) {
		items[i] = h->item[0];
		keys[i] = h->key[0];
		h->n--;
		if (h->n > 0) {
			h->key[0] = h->key[h->n];
			h->item[0] = h->item[h->n];
			sift_down(h, 0);
		}
	}
	return n;
}

int rank_select_row(const float *keys, int64_t n, int32_t item0, int k, int32_t *items,
    float *out_keys)
{
	struct heap h;
	int got;
	if (k < 1)
		return 0;
	h.key = xmalloc((size_t)k * sizeof *h.key);
	h.item = xmalloc((size_t)k * sizeof *h.item);
	h.n = 0;
	heap_scan(&h, k, keys, n, item0);
	got = heap_drain(&h, items, out_keys);
	free(h.key);
	free(h.item);
	return got;
}

/* A list is ranked in blocks of consecutive list entries.  A range is ranked in
 * blocks aligned to multiples of the block size over all the scorer's users, rows
 * outside the range computed and dropped: every user is then scored in the very
 * same sgemm call whatever the range, so shards give the unsharded run's bits
 * (OpenBLAS's bits depend on a row's place in the call). */
struct job {
	const struct rank_scorer *s;
	const int32_t *list;     /* NULL for a range */
	int64_t begin, end;      /* list entries, or users */
	int64_t first_block, blocks;
	int k;
	int64_t user_block, item_chunk;
	const struct csr *mask, *cand;
	struct rank_result *res;
	atomic_llong next_block;
	atomic_llong nan_keys;
	const char *meter;
	double t0;
	atomic_llong users_done;
};

/* The progress line, after a block of b users. */
static void rank_meter(struct job *jb, int64_t b)
{
	int64_t done = atomic_fetch_add(&jb->users_done, b) + b, all = jb->res->rows;
	char times[64];
	if (done > all)
		done = all;
	meter("%s: %lld of %lld users ranked, %s", jb->meter, (long long)done, (long long)all,
	    meter_times(jb->t0, all > 0 ? (double)done / (double)all : 1, times, sizeof times));
}

/* The first entry of row u of m whose item is item0 or more (a binary search). */
static int64_t row_from(const struct csr *m, int32_t u, int64_t item0)
{
	return m->off[u] + sorted_first_at_least(m->idx + m->off[u], csr_len(m, u), item0);
}

/* Sets the masked items of users[r] within [item0, item0 + n) to -INFINITY. */
static void apply_mask(const struct csr *mask, const int32_t *users, int64_t b, int64_t item0,
    int64_t n, float *out)
{
	int64_t r, q, hi;
	for (r = 0; r < b; r++) {
		float *row = out + r * n;
		hi = mask->off[users[r] + 1];
		for (q = row_from(mask, users[r], item0); q < hi && mask->idx[q] < item0 + n; q++)
			row[mask->idx[q] - item0] = -INFINITY;
	}
}

/* Offers the keys of user u's candidates within [item0, item0 + n) (all of them enter:
 * the heap holds as many as the longest row); returns the NaN keys met. */
static int64_t offer_candidates(struct heap *h, int k, const struct csr *cand, int32_t u,
    const float *v, int64_t item0, int64_t n)
{
	int64_t lo, hi = cand->off[u + 1], nans = 0;
	for (lo = row_from(cand, u, item0); lo < hi && cand->idx[lo] < item0 + n; lo++) {
		float x = v[cand->idx[lo] - item0];
		if (x != x)
			nans++;
		else
			heap_offer(h, k, x, cand->idx[lo]);
	}
	return nans;
}

static void *worker(void *arg)
{
	struct job *jb = arg;
	const struct rank_scorer *s = jb->s;
	int64_t ub = jb->user_block, ic = jb->item_chunk, n_items = s->n_items;
	int k = jb->k;
	float *out = xmalloc((size_t)(ub * ic) * sizeof *out);
	float *floors = xmalloc((size_t)ub * sizeof *floors);
	float *scratch = xmalloc((s->scratch_per_user * ub + s->scratch_per_pair * ub * ic + 1) *
	    sizeof *scratch);
	float *hkey = xmalloc((size_t)(ub * k) * sizeof *hkey);
	int32_t *hitem = xmalloc((size_t)(ub * k) * sizeof *hitem);
	int32_t *ids = xmalloc((size_t)ub * sizeof *ids);
	struct heap *heaps = xmalloc((size_t)ub * sizeof *heaps);
	int64_t nans = 0, r;
	for (r = 0; r < ub; r++) {
		heaps[r].key = hkey + r * k;
		heaps[r].item = hitem + r * k;
	}
	for (;;) {
		int64_t blk = atomic_fetch_add(&jb->next_block, 1), u0, b, c0, row0;
		const int32_t *users = ids;
		if (blk >= jb->blocks)
			break;
		blk += jb->first_block;
		u0 = blk * ub;
		if (jb->list) {
			b = jb->end - u0 < ub ? jb->end - u0 : ub;
			users = jb->list + u0;
			row0 = u0;
		} else {
			b = s->n_users - u0 < ub ? s->n_users - u0 : ub;
			for (r = 0; r < b; r++)
				ids[r] = (int32_t)(u0 + r);
			row0 = u0 - jb->begin;
		}
		for (r = 0; r < b; r++)
			heaps[r].n = 0;
		for (c0 = 0; c0 < n_items; c0 += ic) {
			int64_t n = n_items - c0 < ic ? n_items - c0 : ic;
			for (r = 0; r < b; r++)
				floors[r] = heap_floor(&heaps[r], k);
			s->fill(s->ctx, users, b, c0, n, floors, out, scratch);
			if (jb->cand) {
				for (r = 0; r < b; r++)
					nans += offer_candidates(&heaps[r], k, jb->cand, users[r], out + r * n,
					    c0, n);
				continue;
			}
			if (jb->mask)
				apply_mask(jb->mask, users, b, c0, n, out);
			for (r = 0; r < b; r++)
				nans += heap_scan(&heaps[r], k, out + r * n, n, (int32_t)c0);
		}
		for (r = 0; r < b; r++) {
			int64_t row = row0 + r;
			if (row < 0 || row >= jb->res->rows) {
				heaps[r].n = 0;
				continue;
			}
			jb->res->count[row] =
			    heap_drain(&heaps[r], jb->res->items + row * k, jb->res->keys + row * k);
		}
		if (jb->meter)
			rank_meter(jb, b);
	}
	atomic_fetch_add(&jb->nan_keys, nans);
	free(out);
	free(floors);
	free(scratch);
	free(hkey);
	free(hitem);
	free(ids);
	free(heaps);
	return NULL;
}

static void run(struct job *jb, const struct rank_opts *o, const int32_t *users, int64_t n_users)
{
	const struct rank_scorer *s = jb->s;
	struct rank_result *res = jb->res;
	int threads = o->threads < 1 ? 1 : o->threads, t, blas_threads;
	int64_t i;
	pthread_t *tid;
	if (o->k < 1)
		die(HCR_EXIT_FAIL, "internal: ranking asked for k = %d", o->k);
	if (s->n_items > INT32_MAX || s->n_users > INT32_MAX)
		die(HCR_EXIT_FAIL, "internal: %lld users, %lld items do not fit indices",
		    (long long)s->n_users, (long long)s->n_items);
	if (o->mask && o->mask->rows < s->n_users)
		die(HCR_EXIT_FAIL, "internal: a mask of %lld rows for %lld users",
		    (long long)o->mask->rows, (long long)s->n_users);
	if (o->candidates && o->candidates->rows < s->n_users)
		die(HCR_EXIT_FAIL, "internal: candidates of %lld rows for %lld users",
		    (long long)o->candidates->rows, (long long)s->n_users);
	for (i = 0; o->candidates && i < n_users; i++)
		if (csr_len(o->candidates, users[i]) > o->k)
			die(HCR_EXIT_FAIL, "internal: %lld candidates of user %d for k = %d",
			    (long long)csr_len(o->candidates, users[i]), users[i], o->k);
	for (i = 0; i < n_users; i++)
		if (users[i] < 0 || users[i] >= s->n_users)
			die(HCR_EXIT_FAIL, "internal: user %d outside 0..%lld", users[i],
			    (long long)s->n_users - 1);
	res->rows = n_users;
	res->k = o->k;
	res->users = xmalloc((size_t)(n_users ? n_users : 1) * sizeof *res->users);
	memcpy(res->users, users, (size_t)n_users * sizeof *users);
	res->count = xcalloc((size_t)(n_users ? n_users : 1), sizeof *res->count);
	res->items = xmalloc((size_t)(n_users * o->k + 1) * sizeof *res->items);
	res->keys = xmalloc((size_t)(n_users * o->k + 1) * sizeof *res->keys);
	res->nan_keys = 0;

	jb->k = o->k;
	jb->item_chunk = o->item_chunk > 0 ? o->item_chunk : RANK_ITEM_CHUNK;
	if (jb->item_chunk > s->n_items)
		jb->item_chunk = s->n_items > 0 ? s->n_items : 1;
	jb->mask = o->mask;
	jb->cand = o->candidates;
	atomic_init(&jb->next_block, 0);
	atomic_init(&jb->nan_keys, 0);
	jb->meter = o->meter;
	jb->t0 = now_seconds();
	atomic_init(&jb->users_done, 0);
	if (threads > jb->blocks)
		threads = jb->blocks > 0 ? (int)jb->blocks : 1;

	/* Same sgemm bits whatever the worker count: BLAS on one thread while we rank. */
	blas_threads = openblas_get_num_threads();
	if (blas_threads != 1)
		openblas_set_num_threads(1);
	tid = xmalloc((size_t)threads * sizeof *tid);
	for (t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, worker, jb) != 0)
			die(HCR_EXIT_FAIL, "cannot start ranking thread %d of %d", t + 1, threads);
	worker(jb);
	for (t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	if (blas_threads != 1)
		openblas_set_num_threads(blas_threads);
	res->nan_keys = atomic_load(&jb->nan_keys);
}

static int64_t user_block(const struct rank_opts *o)
{
	return o->user_block > 0 ? o->user_block : RANK_USER_BLOCK;
}

void rank_users(const struct rank_scorer *s, const int32_t *users, int64_t n_users,
    const struct rank_opts *o, struct rank_result *res)
{
	struct job jb = { 0 };
	jb.s = s;
	jb.res = res;
	jb.list = users;
	jb.begin = 0;
	jb.end = n_users;
	jb.user_block = user_block(o);
	jb.first_block = 0;
	jb.blocks = (n_users + jb.user_block - 1) / jb.user_block;
	run(&jb, o, users, n_users);
}

void rank_range(const struct rank_scorer *s, int64_t u_begin, int64_t u_end,
    const struct rank_opts *o, struct rank_result *res)
{
	struct job jb = { 0 };
	int64_t n = u_end > u_begin ? u_end - u_begin : 0, i;
	int32_t *users;
	if (u_begin < 0 || u_begin + n > s->n_users)
		die(HCR_EXIT_FAIL, "internal: users %lld..%lld of %lld", (long long)u_begin,
		    (long long)u_end, (long long)s->n_users);
	users = xmalloc((size_t)(n ? n : 1) * sizeof *users);
	for (i = 0; i < n; i++)
		users[i] = (int32_t)(u_begin + i);
	jb.s = s;
	jb.res = res;
	jb.begin = u_begin;
	jb.end = u_begin + n;
	jb.user_block = user_block(o);
	jb.first_block = u_begin / jb.user_block;
	jb.blocks = n ? (u_begin + n - 1) / jb.user_block - jb.first_block + 1 : 0;
	run(&jb, o, users, n);
	free(users);
}

void rank_shard(int64_t n_users, int k, int n, int64_t *u_begin, int64_t *u_end)
{
	if (n < 1 || k < 1 || k > n)
		die(HCR_EXIT_FAIL, "internal: shard %d of %d", k, n);
	/* The first n_users % n shards take one user more. */
	*u_begin = (k - 1) * (n_users / n) + ((k - 1) < n_users % n ? (k - 1) : n_users % n);
	*u_end = k * (n_users / n) + (k < n_users % n ? k : n_users % n);
}

void rank_shard_list(int64_t n_list, int64_t user_block, int k, int n, int64_t *lo,
    int64_t *hi)
{
	int64_t b = user_block > 0 ? user_block : RANK_USER_BLOCK, b0, b1;
	rank_shard((n_list + b - 1) / b, k, n, &b0, &b1);
	*lo = b0 * b < n_list ? b0 * b : n_list;
	*hi = b1 * b < n_list ? b1 * b : n_list;
}

void rank_result_free(struct rank_result *res)
{
	free(res->users);
	free(res->count);
	free(res->items);
	free(res->keys);
	memset(res, 0, sizeof *res);
}
