/* truth.c: the simulator's truth, read, mapped onto a vocabulary, ranked. */
#include "eval/truth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

const char *const truth_kind_names[TRUTH_KINDS] = { "causal", "correlational" };

static void take_ids(struct hs_block *b, char ***ids)
{
	*ids = b->data;
	b->data = NULL;
}

void truth_read(struct hs_in *in, const struct hs_section *sec, struct truth *t)
{
	const msgpack_object *rec;
	int64_t rows = hs_meta_int(in, sec, "rows"), items = hs_meta_int(in, sec, "items");
	int k;

	memset(t, 0, sizeof *t);
	snprintf(t->source, sizeof t->source, "%s", hs_in_name(in));
	if (rows < 0 || items < 0 || rows > INT32_MAX || items > INT32_MAX)
		hs_die(in, "the truth's %lld rows and %lld items are out of range", (long long)rows,
		    (long long)items);
	t->rows = rows;
	t->items = items;
	while ((rec = hs_next_record(in))) {
		const char *name;
		size_t len;
		struct hs_block b;
		if (!hs_is_block(rec, &name, &len))
			hs_die(in, "expected a block record in section 'truth'");
		if (len == 8 && memcmp(name, "user_ids", 8) == 0 && !t->user_ids) {
			hs_expect_block(in, rec, "user_ids", HS_STR, rows, 0, &b);
			take_ids(&b, &t->user_ids);
			continue;
		}
		if (len == 8 && memcmp(name, "item_ids", 8) == 0 && !t->item_ids) {
			hs_expect_block(in, rec, "item_ids", HS_STR, items, 0, &b);
			take_ids(&b, &t->item_ids);
			continue;
		}
		for (k = 0; k < TRUTH_KINDS; k++)
			if (len == strlen(truth_kind_names[k]) &&
			    memcmp(name, truth_kind_names[k], len) == 0 && !t->score[k])
				break;
		if (k == TRUTH_KINDS) {
			/* the latent item values and the late era's scores: not ours to read */
			hs_read_block(in, rec, &b);
			hs_block_free(&b);
			continue;
		}
		hs_expect_block(in, rec, truth_kind_names[k], HS_F4, rows, items, &b);
		hs_block_check_finite(in, &b);
		t->score[k] = b.data;
	}
	if (!t->user_ids || !t->item_ids || !t->score[TRUTH_CAUSAL] ||
	    !t->score[TRUTH_CORRELATIONAL])
		die(HCR_EXIT_DATA, "%s: section 'truth' lacks one of the blocks user_ids, item_ids, "
		    "causal and correlational", t->source);
}

void truth_map(struct truth *t, const struct vocab *users, const struct vocab *items)
{
	struct vocab ids;
	int64_t *col = xmalloc(((size_t)items->n + 1) * sizeof *col), *from, r, j;
	int k, added;

	/* the truth's items by id, to find each vocabulary item's column */
	vocab_init(&ids);
	for (j = 0; j < t->items; j++) {
		vocab_intern(&ids, t->item_ids[j], strlen(t->item_ids[j]), &added);
		if (!added)
			die(HCR_EXIT_DATA, "%s: the truth lists item '%s' twice", t->source,
			    t->item_ids[j]);
	}
	for (j = 0; j < items->n; j++) {
		col[j] = vocab_find(&ids, vocab_id(items, j), strlen(vocab_id(items, j)));
		if (col[j] < 0)
			die(HCR_EXIT_DATA, "%s: the truth lacks item '%s' of the vocabulary: is it the "
			    "truth of other data?", t->source, vocab_id(items, j));
	}
	vocab_free(&ids);
	t->skipped_items = t->items - items->n;
	t->nu = users->n;
	t->ni = items->n;
	t->row_of = xmalloc(((size_t)users->n + 1) * sizeof *t->row_of);
	for (r = 0; r < users->n; r++)
		t->row_of[r] = -1;
	t->user = xmalloc(((size_t)t->rows + 1) * sizeof *t->user);
	from = xmalloc(((size_t)t->rows + 1) * sizeof *from);
	for (r = 0; r < t->rows; r++) {
		int64_t u = vocab_find(users, t->user_ids[r], strlen(t->user_ids[r]));
		if (u < 0) {
			t->skipped_users++;
			continue;
		}
		if (t->row_of[u] >= 0)
			die(HCR_EXIT_DATA, "%s: the truth lists user '%s' twice", t->source,
			    t->user_ids[r]);
		t->row_of[u] = t->n;
		from[t->n] = r;
		t->user[t->n++] = (int32_t)u;
	}
	for (k = 0; k < TRUTH_KINDS; k++) {
		float *m = xmalloc(((size_t)t->n * (size_t)items->n + 1) * sizeof *m);
		for (r = 0; r < t->n; r++) {
			const float *src = t->score[k] + (size_t)from[r] * (size_t)t->items;
			float *dst = m + (size_t)r * (size_t)items->n;
			for (j = 0; j < items->n; j++)
				dst[j] = src[col[j]];
		}
		free(t->score[k]);
		t->score[k] = m;
	}
	free(col);
	free(from);
	t->mapped = 1;
}

const float *truth_row(const struct truth *t, int kind, int32_t u)
{
	if (!t || !t->mapped || u < 0 || u >= t->nu || t->row_of[u] < 0)
		return NULL;
	return t->score[kind] + (size_t)t->row_of[u] * (size_t)t->ni;
}

void truth_free(struct truth *t)
{
	int64_t i;
	int k;
	for (i = 0; t->user_ids && i < t->rows; i++)
		free(t->user_ids[i]);
	for (i = 0; t->item_ids && i < t->items; i++)
		free(t->item_ids[i]);
	free(t->user_ids);
	free(t->item_ids);
	for (k = 0; k < TRUTH_KINDS; k++)
		free(t->score[k]);
	free(t->user);
	free(t->row_of);
	memset(t, 0, sizeof *t);
}

void truth_oracle(const struct truth *t, int kind, const struct csr *train, int k,
    struct ranking *out)
{
	struct ranking_head h;
	float *keys = xmalloc(((size_t)t->ni + 1) * sizeof *keys);
	float *top = xmalloc(((size_t)k + 1) * sizeof *top);
	int32_t *items = xmalloc(((size_t)k + 1) * sizeof *items);
	double *scores = xmalloc(((size_t)k + 1) * sizeof *scores);
	int64_t r, q;
	int n, j;

	memset(&h, 0, sizeof h);
	snprintf(h.label, sizeof h.label, "oracle/%s", truth_kind_names[kind]);
	snprintf(h.method, sizeof h.method, "oracle");
	snprintf(h.rule, sizeof h.rule, "%s", truth_kind_names[kind]);
	h.k = k;
	h.shard = h.shards = 1;
	ranking_init(out, &h, t->source);
	for (r = 0; r < t->n; r++) {
		int32_t u = t->user[r];
		memcpy(keys, t->score[kind] + (size_t)r * (size_t)t->ni, (size_t)t->ni * sizeof *keys);
		for (q = train->off[u]; q < train->off[u + 1]; q++)
			keys[train->idx[q]] = -INFINITY;
		n = rank_select_row(keys, t->ni, 0, k, items, top);
		for (j = 0; j < n; j++)
			scores[j] = top[j];
		ranking_add_row(out, u, n, items, scores);
	}
	free(keys);
	free(top);
	free(items);
	free(scores);
}
