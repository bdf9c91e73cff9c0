/* ranking.h: rankings, each user's items in rank order: the ranking section that
 * score-frontdoor writes and evaluate reads (hcr-stream(5)).  Rankings from outside
 * the project are read by outside.h. */
#ifndef HCR_RANKING_H
#define HCR_RANKING_H

#include <stdint.h>

#include "common/stream.h"
#include "common/vocab.h"
#include "rank/topk.h"

/* The section's meta. */
struct ranking_head {
	char label[128];        /* MODEL or MODEL/RULE, so room for both */
	char method[32];        /* the model's method; "" for an outside ranking */
	char rule[32];          /* the rule's name (never "default"); "" for an outside one */
	char model[64];         /* the model's label */
	int k;                  /* items a user at most */
	int shard, shards;      /* 1, 1 when unsharded */
	char vocab[17], split[17]; /* dataset_fingerprints of the data it was made on */
	/* "": all-ranking, each user's top k; "valid" or "test": a ranking of given pairs,
	 * each user's own pairs of that part, every one, training items included */
	char candidates[8];
};

/* Rows are users, each with its items in rank order, stored one after another. */
struct ranking {
	struct ranking_head h;
	char source[256];       /* where it was read, for messages */
	int64_t rows;
	int32_t *users;         /* rows */
	int64_t *off;           /* rows + 1: row r's items are [off[r], off[r + 1]) */
	int32_t *items;
	double *scores;         /* the rule's value (not its ranking key), as items */
	size_t row_cap, item_cap;
	/* an outside ranking's counts */
	int64_t dropped_train;  /* rows naming a training item of their user */
	int64_t skipped_unknown;/* rows of an unknown user or item (--skip-unknown) */
};

void ranking_init(struct ranking *r, const struct ranking_head *h, const char *source);
void ranking_free(struct ranking *r);
/* Appends a row: user's n items and their scores, in rank order. */
void ranking_add_row(struct ranking *r, int32_t user, int64_t n, const int32_t *items,
    const double *scores);
static inline int64_t ranking_len(const struct ranking *r, int64_t row)
{
	return r->off[row + 1] - r->off[row];
}
/* Moves the rows of from to the end of into (sections of one label: shards), then
 * frees from.  Dies (HCR_EXIT_DATA) if they differ in k, method or rule. */
void ranking_append(struct ranking *into, struct ranking *from);
/* Dies (HCR_EXIT_DATA) naming the user if a user has two rows. */
void ranking_check_users(const struct ranking *r, const struct vocab *users);

/* Writes r as a ranking section. */
void ranking_write(struct hs_out *out, const struct ranking *r);
/* Reads a ranking section whose header was just read, checking its indices against
 * nu users and ni items, and that each row is in rank order without repeats.  Given
 * the fingerprints of the data (dataset_fingerprints), dies first if the ranking was
 * made on other data. */
void ranking_read(struct hs_in *in, const struct hs_section *sec, int64_t nu, int64_t ni,
    const char *vocab, const char *split, struct ranking *r);

#endif
