/* Unit tests of lib/rank: the order (ties, masks, -inf, NaN), blocks and chunks,
 * threads, user lists and shards, against a naive full sort. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/csr.h"
#include "common/util.h"
#include "rank/topk.h"
#include "tap.h"

/* A scorer reading a full users x items table: fine for tests, not for real sizes. */
struct table {
	const float *s;
	int64_t n_items;
};

static void fill_table(void *ctx, const int32_t *users, int64_t b, int64_t item0, int64_t n,
    const float *floors, float *out, float *scratch)
{
	const struct table *t = ctx;
	int64_t r;
	(void)floors;
	(void)scratch;
	for (r = 0; r < b; r++)
		memcpy(out + r * n, t->s + users[r] * t->n_items + item0, (size_t)n * sizeof *out);
}

static struct rank_scorer table_scorer(struct table *t, const float *s, int64_t n_users,
    int64_t n_items)
{
	struct rank_scorer sc = { fill_table, t, n_users, n_items, 0, 0 };
	t->s = s;
	t->n_items = n_items;
	return sc;
}

static struct csr mask_of(int64_t rows, int64_t cols, size_t m, const int32_t *r,
    const int32_t *c)
{
	struct csr a;
	csr_build(&a, rows, cols, m, r, c, 1);
	return a;
}

static int items_are(const struct rank_result *res, int64_t row, int n, const int32_t *want)
{
	int i;
	if (res->count[row] != n)
		return 0;
	for (i = 0; i < n; i++)
		if (res->items[row * res->k + i] != want[i])
			return 0;
	return 1;
}

static void hand_cases(void)
{
	/* Row 0: ties by index; row 1: the masked item would rank first; row 2: only
	 * one unmasked item; row 3: negative scores, no training items; row 4: a NaN
	 * and a genuine -inf, neither returned. */
	static const float s[5 * 5] = {
		1, 3, 3, 2, 3,
		1, 9, 5, 5, 0,
		4, 8, 7, 6, 5,
		-5, -1, -3, -1, -2,
		NAN, 2, -INFINITY, 1, 0,
	};
	static const int32_t mr[] = { 1, 2, 2, 2, 2 }, mc[] = { 1, 0, 1, 3, 4 };
	struct table t;
	struct rank_scorer sc = table_scorer(&t, s, 5, 5);
	struct csr mask = mask_of(5, 5, 5, mr, mc);
	struct rank_opts o = { .k = 3, .threads = 1, .mask = &mask };
	struct rank_result res;
	static const int32_t w0[] = { 1, 2, 4 }, w1[] = { 2, 3, 0 }, w2[] = { 2 },
			     w3[] = { 1, 3, 4 }, w4[] = { 1, 3, 4 };
	rank_range(&sc, 0, 5, &o, &res);
	OK(res.rows == 5 && res.users[3] == 3, "rows and users of a range");
	OK(items_are(&res, 0, 3, w0), "equal scores go by lower item index");
	OK(items_are(&res, 1, 3, w1), "a masked item never appears, even when it would rank first");
	OK(items_are(&res, 2, 1, w2), "fewer unmasked items than K: fewer returned");
	OK(items_are(&res, 3, 3, w3), "negative scores, a user with no training items");
	OK(items_are(&res, 4, 3, w4), "NaN and -inf keys are never returned");
	OK(res.nan_keys == 1, "the NaN key is counted (%lld)", (long long)res.nan_keys);
	NEAR(res.keys[1 * 3 + 0], 5, 0, "keys come with the items");
	NEAR(res.keys[3 * 3 + 2], -2, 0, "keys of negative scores");
	rank_result_free(&res);

	{
		int32_t items[5];
		float keys[5];
		static const float row[] = { 0, -1, 7, 7, -INFINITY };
		int n = rank_select_row(row, 5, 10, 5, items, keys);
		OK(n == 4 && items[0] == 12 && items[1] == 13 && items[2] == 10 && items[3] == 11,
		    "rank_select_row: offset item numbers, ties by index, -inf dropped");
	}
	csr_free(&mask);
}

static const float *cmp_row;
static int by_key(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	if (cmp_row[x] != cmp_row[y])
		return cmp_row[x] > cmp_row[y] ? -1 : 1;
	return (x > y) - (x < y);
}

/* The top k of a user by sorting the whole row; returns the count. */
static int naive_top(const float *row, int64_t n, const struct csr *mask, int64_t u, int k,
    int32_t *out)
{
	int32_t *idx = xmalloc((size_t)n * sizeof *idx);
	int64_t i, m = 0;
	int c;
	for (i = 0; i < n; i++)
		if (!csr_has(mask, u, (int32_t)i) && row[i] != -INFINITY && row[i] == row[i])
			idx[m++] = (int32_t)i;
	cmp_row = row;
	qsort(idx, (size_t)m, sizeof *idx, by_key);
	c = m < k ? (int)m : k;
	memcpy(out, idx, (size_t)c * sizeof *out);
	free(idx);
	return c;
}

static uint64_t rng = 12345;
static uint32_t next_u32(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static int same_result(const struct rank_result *a, const struct rank_result *b)
{
	int64_t r;
	if (a->rows != b->rows || a->k != b->k)
		return 0;
	for (r = 0; r < a->rows; r++) {
		if (a->users[r] != b->users[r] || a->count[r] != b->count[r])
			return 0;
		if (memcmp(a->items + r * a->k, b->items + r * b->k, a->count[r] * sizeof *a->items) ||
		    memcmp(a->keys + r * a->k, b->keys + r * b->k, a->count[r] * sizeof *a->keys))
			return 0;
	}
	return 1;
}

static void randomized(void)
{
	enum { NU = 61, NI = 203, M = 1500 };
	float *s = xmalloc(NU * NI * sizeof *s);
	int32_t mr[M], mc[M], want[NI];
	struct table t;
	struct rank_scorer sc = table_scorer(&t, s, NU, NI);
	struct csr mask;
	struct rank_result ref, res;
	static const int ks[] = { 1, 7, 50, 250 };
	static const int64_t blocks[] = { 1, 3, 16, 256 }, chunks[] = { 1, 5, 64, 0 };
	int i, ki, bi, th, bad;
	int64_t r;
	/* Few distinct values: ties everywhere; user 0 has every item masked. */
	for (i = 0; i < NU * NI; i++)
		s[i] = (float)((int)(next_u32() % 9) - 4) * 0.5f;
	for (i = 0; i < M; i++) {
		mr[i] = (int32_t)(next_u32() % NU);
		mc[i] = (int32_t)(next_u32() % NI);
	}
	for (i = 0; i < NI && i < M; i++) {
		mr[i] = 0;
		mc[i] = i;
	}
	mask = mask_of(NU, NI, M, mr, mc);
	for (ki = 0; ki < 4; ki++) {
		struct rank_opts o = { .k = ks[ki], .threads = 1, .mask = &mask };
		rank_range(&sc, 0, NU, &o, &ref);
		bad = 0;
		for (r = 0; r < NU; r++) {
			int c = naive_top(s + r * NI, NI, &mask, r, ks[ki], want);
			if (c != ref.count[r] || memcmp(want, ref.items + r * ks[ki], c * sizeof *want))
				bad++;
		}
		OK(!bad, "k = %d: every user's top-k equals a full sort (%d differ)", ks[ki], bad);
		OK(ref.count[0] == 0, "k = %d: a user with every item masked gets nothing", ks[ki]);
		bad = 0;
		for (bi = 0; bi < 4; bi++)
			for (th = 1; th <= 3; th++) {
				struct rank_opts p = { .k = ks[ki], .threads = th, .user_block = blocks[bi],
					.item_chunk = chunks[bi], .mask = &mask };
				rank_range(&sc, 0, NU, &p, &res);
				bad += !same_result(&ref, &res);
				rank_result_free(&res);
			}
		OK(!bad, "k = %d: same result for 1-3 threads, blocks 1-256, chunks 1-all (%d differ)",
		    ks[ki], bad);
		rank_result_free(&ref);
	}

	/* A list of users, out of order and repeated, gives each its own row. */
	{
		static const int32_t users[] = { 40, 3, 3, 60, 0, 17 };
		struct rank_opts o = { .k = 10, .threads = 2, .user_block = 4, .item_chunk = 7,
			.mask = &mask };
		rank_users(&sc, users, 6, &o, &res);
		bad = 0;
		for (r = 0; r < 6; r++) {
			int c = naive_top(s + users[r] * NI, NI, &mask, users[r], 10, want);
			if (res.users[r] != users[r] || c != res.count[r] ||
			    memcmp(want, res.items + r * 10, c * sizeof *want))
				bad++;
		}
		OK(!bad, "a user list: rows in list order, each the user's own top-k");
		rank_result_free(&res);
	}

	/* Shards in order make up the whole ranking. */
	{
		struct rank_opts o = { .k = 20, .threads = 1, .user_block = 8, .item_chunk = 50,
			.mask = &mask };
		int64_t b, e, prev = 0, sizes_ok = 1, off = 0;
		int n = 4, k;
		rank_range(&sc, 0, NU, &o, &ref);
		bad = 0;
		for (k = 1; k <= n; k++) {
			rank_shard(NU, k, n, &b, &e);
			sizes_ok &= b == prev && (e - b == NU / n || e - b == NU / n + 1);
			prev = e;
			rank_range(&sc, b, e, &o, &res);
			for (r = 0; r < res.rows; r++, off++)
				bad += res.users[r] != ref.users[off] || res.count[r] != ref.count[off] ||
				    memcmp(res.items + r * 20, ref.items + off * 20, res.count[r] * 4);
			rank_result_free(&res);
		}
		OK(sizes_ok && prev == NU && off == NU, "shards 1..4 are contiguous, balanced, complete");
		OK(!bad, "shards 1..4 in order equal the unsharded ranking");
		rank_shard(3, 5, 5, &b, &e);
		OK(b == 3 && e == 3, "more shards than users: the last ones are empty");
		rank_result_free(&ref);
	}
	csr_free(&mask);
	free(s);
}

int main(void)
{
	hand_cases();
	randomized();
	return tap_done();
}
