/* topk.h: all-ranking: every user's top-K items under a scorer, computed in blocks of
 * users and chunks of items, so the users x items score matrix is never held.
 *
 * Order: higher key first, equal keys by lower item index.  An item whose key is
 * -INFINITY (the user's training items are set so) or NaN is never returned.
 *
 * Threads and BLAS: `threads` workers take user blocks in turn; each block's rows
 * depend only on the keys of its users, so the result is the same for any thread
 * count.  While ranking, OpenBLAS is pinned to one thread (and restored after), so
 * that a scorer's sgemm gives the same bits whatever -j is: parallelism comes from
 * the workers, each calling sgemm on its own block (OpenBLAS's pthread build, the
 * one we link, supports concurrent calls; an OpenMP build ignores the pin and
 * needs OMP_NUM_THREADS=1).  OpenBLAS's bits also depend on the shape of a call
 * and on a row's place in it, so a range is cut into blocks aligned over all users:
 * every shard then has the unsharded run's keys, bit for bit, given the same block
 * and chunk sizes.  A user list is cut into blocks of the list: its keys equal the
 * range's up to float rounding. */
#ifndef HCR_TOPK_H
#define HCR_TOPK_H

#include <stddef.h>
#include <stdint.h>

#include "common/csr.h"

/* Fills out[r * n + j] (r < b, j < n) with the key of user users[r] for item
 * item0 + j.  floor[r] is the K-th best key the row holds so far (-INFINITY while it
 * holds fewer than K): where the scorer can cheaply show that a key is <= floor[r],
 * it may write any value <= floor[r] instead, since such an item cannot enter.
 * scratch is this worker's own: rank_scorer.scratch_per_user * b +
 * rank_scorer.scratch_per_pair * b * n floats. */
typedef void (*rank_fill_fn)(void *ctx, const int32_t *users, int64_t b, int64_t item0,
    int64_t n, const float *floor, float *out, float *scratch);

struct rank_scorer {
	rank_fill_fn fill;
	void *ctx;
	int64_t n_users;   /* users are 0 .. n_users - 1 */
	int64_t n_items;
	size_t scratch_per_user;
	size_t scratch_per_pair;
};

struct rank_opts {
	int k;                   /* items per user, >= 1 */
	int threads;             /* workers; < 1 means 1 */
	int64_t user_block;      /* users per block; 0: RANK_USER_BLOCK */
	int64_t item_chunk;      /* items per scorer call; 0: RANK_ITEM_CHUNK */
	const struct csr *mask;  /* row u: user u's training items, set to -INFINITY; may be NULL */
	const char *meter;       /* names the users ranked so far on a terminal's progress line
	                          * (common/meter.h); NULL: no line */
	/* row u: the only items user u's row ranks, every one of them (k at least the
	 * longest row; the mask is not applied): a ranking of given pairs.  May be NULL. */
	const struct csr *candidates;
};

enum { RANK_USER_BLOCK = 256, RANK_ITEM_CHUNK = 4096 };

/* Row r is user users[r]: count[r] (<= k) items in rank order, with their keys. */
struct rank_result {
	int64_t rows;
	int k;
	int32_t *users;   /* rows */
	int32_t *count;   /* rows */
	int32_t *items;   /* rows x k; row r's first count[r] are set */
	float *keys;      /* rows x k */
	int64_t nan_keys; /* NaN keys met (and skipped): a diverged model */
};

/* Ranks the users of a list, in list order. */
void rank_users(const struct rank_scorer *s, const int32_t *users, int64_t n_users,
    const struct rank_opts *o, struct rank_result *res);
/* Ranks users u_begin .. u_end - 1 (row r is user u_begin + r). */
void rank_range(const struct rank_scorer *s, int64_t u_begin, int64_t u_end,
    const struct rank_opts *o, struct rank_result *res);
/* Shard k (1-based) of n of users 0 .. n_users - 1: contiguous ranges whose
 * concatenation in order is all users, sizes differing by at most one. */
void rank_shard(int64_t n_users, int k, int n, int64_t *u_begin, int64_t *u_end);
/* Shard k of n of a list of n_list users for rank_users (user_block 0: the default):
 * entries [*lo, *hi), whole blocks of the list, as even as blocks allow, so that each
 * shard's blocks, and so its keys bit for bit, are those of the whole list's run. */
void rank_shard_list(int64_t n_list, int64_t user_block, int k, int n, int64_t *lo,
    int64_t *hi);
void rank_result_free(struct rank_result *res);

/* The top k of one row of keys for items item0 .. item0 + n - 1 (the order above):
 * returns how many were written to items/keys, in rank order.  For callers that
 * hold a single row (a ground-truth ideal ranking, an outside ranking). */
int rank_select_row(const float *keys, int64_t n, int32_t item0, int k, int32_t *items,
    float *out_keys);

#endif
