/* outside.h: the outside inputs of score-frontdoor and evaluate: a rankings TSV made by
 * another tool, a list of user ids.  The readers take a FILE (a fuzzing harness can
 * hand them fmemopen's) and return errors with their place instead of exiting. */
#ifndef HCR_OUTSIDE_H
#define HCR_OUTSIDE_H

#include <stdint.h>
#include <stdio.h>

#include "common/csr.h"
#include "common/loaderr.h"
#include "common/vocab.h"
#include "rank/ranking.h"

/* An outside ranking: a TSV whose header names user_id, item_id, and rank or score
 * (other columns are ignored).  Rows in any order; each user's items ordered by rank
 * (lower first) or else by score (higher first), ties by lower item index. */
struct ranking_tsv_opts {
	const struct vocab *users, *items;
	const struct csr *mask;   /* training items: dropped and counted; may be NULL */
	int keep;                 /* items kept a user (after dropping): the ranking's k */
	int skip_unknown;         /* count and skip rows of unknown ids, else fail */
};
/* 0, or -1 with e filled ("NAME: line N, column C: expected X, got 'Y'"); r is then
 * left empty.  label names the ranking. */
int ranking_read_tsv(FILE *fp, const char *name, const char *label,
    const struct ranking_tsv_opts *o, struct ranking *r, struct load_error *e);

/* A list of user ids, one a line (blank lines and lines starting with # skipped), into
 * their indices in list order.  0, or -1 with e filled (an unknown or repeated id). */
int user_list_read(FILE *fp, const char *name, const struct vocab *users, int32_t **list,
    int64_t *n, struct load_error *e);

/* Item columns to compare a model's item effects with (score-frontdoor --item-columns):
 * a CSV or TSV (told by its header line) whose header names the columns; the item id
 * is the column item_id, else the first; every other column holds numbers, NA or
 * nothing standing for a missing value.  An item given twice keeps its first row;
 * rows of items outside the vocabulary are counted and skipped. */
struct item_columns {
	int ncols;
	char **names;             /* ncols */
	double *v;                /* items x ncols, NAN where missing or not given */
	int64_t rows, unknown, repeated;
};
/* 0, or -1 with e filled ("NAME: line N, column C: expected a number, got 'x'"). */
int item_columns_read(FILE *fp, const char *name, const struct vocab *items,
    struct item_columns *c, struct load_error *e);
void item_columns_free(struct item_columns *c);

#endif
