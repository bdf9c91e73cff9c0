/* ranking.c: rankings in memory, and the ranking section (hcr-stream(5)). */
#include "rank/ranking.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The most items a ranking lists a user: beyond, a claim is not believed. */
#define RANKING_MAX_K (1 << 24)

void ranking_init(struct ranking *r, const struct ranking_head *h, const char *source)
{
	memset(r, 0, sizeof *r);
	r->h = *h;
	snprintf(r->source, sizeof r->source, "%s", source);
	r->off = xmalloc(sizeof *r->off);
	r->off[0] = 0;
	r->row_cap = 1;
}

void ranking_free(struct ranking *r)
{
	free(r->users);
	free(r->off);
	free(r->items);
	free(r->scores);
	memset(r, 0, sizeof *r);
}

void ranking_add_row(struct ranking *r, int32_t user, int64_t n, const int32_t *items,
    const double *scores)
{
	int64_t at = r->off[r->rows];
	if (n < 0 || n > r->h.k)
		die(HCR_EXIT_FAIL, "internal: a row of %lld items in a top-%d ranking", (long long)n,
		    r->h.k);
	XGROW(r->users, r->row_cap, (size_t)r->rows + 2);
	r->off = xreallocarray(r->off, r->row_cap + 1, sizeof *r->off);
	if ((size_t)(at + n) > r->item_cap) {
		size_t c = r->item_cap ? r->item_cap * 2 : 1024;
		if (c < (size_t)(at + n))
			c = (size_t)(at + n);
		r->items = xreallocarray(r->items, c, sizeof *r->items);
		r->scores = xreallocarray(r->scores, c, sizeof *r->scores);
		r->item_cap = c;
	}
	r->users[r->rows] = user;
	if (n > 0) { /* an empty row may come with no arrays at all */
		memcpy(r->items + at, items, (size_t)n * sizeof *items);
		memcpy(r->scores + at, scores, (size_t)n * sizeof *scores);
	}
	r->off[++r->rows] = at + n;
}

/* "ct/ct, top 100", or "an outside ranking, top 100", for messages. */
static const char *describe(const struct ranking *r, char *buf, size_t size)
{
	if (r->h.method[0])
		snprintf(buf, size, "%s/%s, top %d", r->h.method, r->h.rule, r->h.k);
	else
		snprintf(buf, size, "an outside ranking, top %d", r->h.k);
	return buf;
}

void ranking_append(struct ranking *into, struct ranking *from)
{
	char a[128], b[128];
	int64_t row;
	if ((into->h.k != from->h.k && !into->h.candidates[0]) ||
	    strcmp(into->h.method, from->h.method) != 0 ||
	    strcmp(into->h.rule, from->h.rule) != 0 ||
	    strcmp(into->h.candidates, from->h.candidates) != 0)
		die(HCR_EXIT_DATA, "%s: ranking '%s' (%s) cannot join the one of that label in %s "
		    "(%s): rankings of one label must be shards of one run", from->source,
		    from->h.label, describe(from, a, sizeof a), into->source,
		    describe(into, b, sizeof b));
	/* shards of pairs rank as many as their users have */
	if (from->h.k > into->h.k)
		into->h.k = from->h.k;
	for (row = 0; row < from->rows; row++)
		ranking_add_row(into, from->users[row], ranking_len(from, row),
		    from->items + from->off[row], from->scores + from->off[row]);
	into->dropped_train += from->dropped_train;
	into->skipped_unknown += from->skipped_unknown;
	ranking_free(from);
}

void ranking_check_users(const struct ranking *r, const struct vocab *users)
{
	int64_t *row_of = xmalloc(((size_t)users->n + 1) * sizeof *row_of), row;
	for (row = 0; row < users->n; row++)
		row_of[row] = -1;
	for (row = 0; row < r->rows; row++) {
		int32_t u = r->users[row];
		if (row_of[u] >= 0) {
			long long first = (long long)row_of[u] + 1;
			free(row_of); /* the only pointer is here: LeakSanitizer would count it */
			die(HCR_EXIT_DATA, "%s: ranking '%s' has two rows for user '%s' (records %lld "
			    "and %lld): are two inputs the same shard?", r->source, r->h.label,
			    vocab_id(users, u), first, (long long)row + 1);
		}
		row_of[u] = row;
	}
	free(row_of);
}

void ranking_write(struct hs_out *out, const struct ranking *r)
{
	const struct ranking_head *h = &r->h;
	msgpack_packer *pk = hs_begin(out, "ranking", 1);
	int64_t row, j;
	/* a ranking of pairs says so; an all-ranking's meta is as it always was */
	msgpack_pack_map(pk, h->candidates[0] ? 10 : 9);
	mp_kv_str(pk, "label", h->label);
	mp_kv_str(pk, "method", h->method);
	mp_kv_str(pk, "rule", h->rule);
	mp_kv_str(pk, "model", h->model);
	mp_kv_int(pk, "k", h->k);
	mp_kv_int(pk, "users", r->rows);
	mp_key(pk, "shard");
	msgpack_pack_array(pk, 2);
	msgpack_pack_int(pk, h->shard);
	msgpack_pack_int(pk, h->shards);
	mp_kv_str(pk, "vocab", h->vocab);
	mp_kv_str(pk, "split", h->split);
	if (h->candidates[0])
		mp_kv_str(pk, "candidates", h->candidates);
	for (row = 0; row < r->rows; row++) {
		int64_t a = r->off[row], n = ranking_len(r, row);
		pk = hs_record(out);
		msgpack_pack_array(pk, 3);
		msgpack_pack_int32(pk, r->users[row]);
		msgpack_pack_array(pk, (size_t)n);
		for (j = 0; j < n; j++)
			msgpack_pack_int32(pk, r->items[a + j]);
		msgpack_pack_array(pk, (size_t)n);
		for (j = 0; j < n; j++)
			msgpack_pack_double(pk, r->scores[a + j]);
	}
	hs_end(out);
}

void ranking_read(struct hs_in *in, const struct hs_section *sec, int64_t nu, int64_t ni,
    const char *vocab, const char *split, struct ranking *r)
{
	struct ranking_head h;
	const msgpack_object *rec, *sh;
	int64_t claimed, k, *seen;
	int32_t *items = NULL;
	double *scores = NULL;

	memset(&h, 0, sizeof h);
	hs_meta_copy(in, sec, "label", h.label, sizeof h.label);
	hs_meta_copy(in, sec, "method", h.method, sizeof h.method);
	hs_meta_copy(in, sec, "rule", h.rule, sizeof h.rule);
	hs_meta_copy(in, sec, "model", h.model, sizeof h.model);
	hs_meta_copy(in, sec, "vocab", h.vocab, sizeof h.vocab);
	hs_meta_copy(in, sec, "split", h.split, sizeof h.split);
	if (hs_get(sec->meta, "candidates")) {
		hs_meta_copy(in, sec, "candidates", h.candidates, sizeof h.candidates);
		if (strcmp(h.candidates, "valid") != 0 && strcmp(h.candidates, "test") != 0)
			hs_die(in, "meta.candidates of a ranking: expected 'valid' or 'test', got '%s'",
			    h.candidates);
	}
	if (h.label[0] == '\0')
		hs_die(in, "meta.label of a ranking: expected a label, got ''");
	/* before any index is read: an index of other data may well be in range */
	if (vocab && strcmp(h.vocab, vocab) != 0)
		hs_die(in, "ranking '%s' was made on another vocabulary (fingerprint %s, not %s)",
		    h.label, h.vocab, vocab);
	if (split && strcmp(h.split, split) != 0)
		hs_die(in, "ranking '%s' was made on another split (fingerprint %s, not %s)",
		    h.label, h.split, split);
	k = hs_meta_int(in, sec, "k");
	if (k < 1 || k > RANKING_MAX_K)
		hs_die(in, "meta.k of a ranking: expected 1 to %d, got %lld", RANKING_MAX_K,
		    (long long)k);
	h.k = (int)k;
	claimed = hs_meta_int(in, sec, "users");
	sh = hs_array(in, hs_key(in, sec->meta, "shard"), "meta.shard of a ranking", 2);
	h.shard = (int)hs_int(in, &sh[0], "meta.shard[0] of a ranking");
	h.shards = (int)hs_int(in, &sh[1], "meta.shard[1] of a ranking");
	if (h.shards < 1 || h.shard < 1 || h.shard > h.shards)
		hs_die(in, "meta.shard of a ranking: expected [k, n] with 1 <= k <= n, got [%d, %d]",
		    h.shard, h.shards);
	ranking_init(r, &h, hs_in_name(in));
	/* seen[i]: the last record holding item i, to find an item listed twice */
	seen = xmalloc(((size_t)ni + 1) * sizeof *seen);
	for (k = 0; k < ni; k++)
		seen[k] = -1;
	while ((rec = hs_next_record(in))) {
		const msgpack_object *f = hs_array(in, rec, "a ranking record [user, items, scores]",
		    3);
		int64_t u = hs_int(in, &f[0], "the user of a ranking record"), n, j;
		const msgpack_object *it = hs_array(in, &f[1], "the items of a ranking record", -1);
		const msgpack_object *sc;
		if (u < 0 || u >= nu)
			hs_die(in, "user index %lld is outside the vocab's %lld users", (long long)u,
			    (long long)nu);
		n = f[1].via.array.size;
		sc = hs_array(in, &f[2], "the scores of a ranking record", n);
		if (n > h.k)
			hs_die(in, "a row of %lld items in a top-%d ranking", (long long)n, h.k);
		items = xreallocarray(items, (size_t)n + 1, sizeof *items);
		scores = xreallocarray(scores, (size_t)n + 1, sizeof *scores);
		for (j = 0; j < n; j++) {
			int64_t i = hs_int(in, &it[j], "an item of a ranking record");
			double s = hs_num(in, &sc[j], "a score of a ranking record");
			if (i < 0 || i >= ni)
				hs_die(in, "item index %lld is outside the vocab's %lld items",
				    (long long)i, (long long)ni);
			if (!isfinite(s))
				hs_die(in, "score %lld is %g, expected a finite number", (long long)j + 1, s);
			if (seen[i] == r->rows)
				hs_die(in, "item %lld is listed twice", (long long)i);
			if (j > 0 && (s > scores[j - 1] || (s == scores[j - 1] && i < items[j - 1])))
				hs_die(in, "item %lld (score %.9g) comes after item %d (score %.9g): "
				    "expected rank order, higher score first, ties by lower item",
				    (long long)i, s, items[j - 1], scores[j - 1]);
			seen[i] = r->rows;
			items[j] = (int32_t)i;
			scores[j] = s;
		}
		ranking_add_row(r, (int32_t)u, n, items, scores);
	}
	free(seen);
	free(items);
	free(scores);
	if (r->rows != claimed)
		die(HCR_EXIT_DATA, "%s: ranking '%s' holds %lld records, its header says %lld users",
		    hs_in_name(in), h.label, (long long)r->rows, (long long)claimed);
}
