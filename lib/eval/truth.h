/* truth.h: the truth section of a simulated data set (simulate(1)): the true causal
 * and correlational scores, keyed by original ids, mapped onto a vocabulary; and the
 * oracle rankings they give. */
#ifndef HCR_TRUTH_H
#define HCR_TRUTH_H

#include <stdint.h>

#include "common/csr.h"
#include "common/stream.h"
#include "common/vocab.h"
#include "rank/ranking.h"

enum { TRUTH_CAUSAL, TRUTH_CORRELATIONAL, TRUTH_KINDS };

extern const char *const truth_kind_names[TRUTH_KINDS]; /* "causal", "correlational" */

struct truth {
	char source[256];
	/* as read: rows x items, row r for user_ids[r], column j for item_ids[j] */
	int64_t rows, items;
	char **user_ids, **item_ids;
	float *score[TRUTH_KINDS];
	/* after truth_map: n rows of the vocabulary's users, columns in its item order */
	int mapped;
	int64_t n, nu, ni;
	int32_t *user;          /* n: the vocab index of row r */
	int64_t *row_of;        /* nu: the row of user u, or -1 */
	int64_t skipped_users;  /* rows of users the vocabulary lacks */
	int64_t skipped_items;  /* items the vocabulary lacks (never clicked) */
};

/* Reads a truth section whose header was just read: the blocks user_ids, item_ids,
 * causal and correlational (others are read past).  Dies (HCR_EXIT_DATA) on a
 * block missing, of the wrong shape, or not finite. */
void truth_read(struct hs_in *in, const struct hs_section *sec, struct truth *t);
/* Maps the truth onto the vocabularies: rows of users they lack are skipped and
 * counted, items they lack likewise; dies (HCR_EXIT_DATA) if the truth repeats an
 * id or lacks an item of the vocabulary (a truth of other data). */
void truth_map(struct truth *t, const struct vocab *users, const struct vocab *items);
/* A mapped truth's row of user u (ni scores in vocab item order), or NULL. */
const float *truth_row(const struct truth *t, int kind, int32_t u);
void truth_free(struct truth *t);

/* The oracle ranking of a mapped truth: each of its users' top k items by the score of
 * kind, training items (rows of train) left out, ties by lower item index; labelled
 * "oracle/causal" or "oracle/correlational". */
void truth_oracle(const struct truth *t, int kind, const struct csr *train, int k,
    struct ranking *out);

#endif
