/* dataset.h: the vocab and split sections: who clicked what, when, and in which part. */
#ifndef HCR_DATASET_H
#define HCR_DATASET_H

#include <stdint.h>

#include "common/csr.h"
#include "common/stream.h"
#include "common/vocab.h"

enum { PART_TRAIN = 0, PART_VALID = 1, PART_TEST = 2 };

/* A counter reported by split-chrono -v and kept in the split section's meta. */
struct split_stat {
	char name[48];
	int64_t value;
};

/* Bits of split.exposure: the parts that keep every exposed pair, liked or not. */
enum { SPLIT_EXPOSED_VALID = 1 << PART_VALID, SPLIT_EXPOSED_TEST = 1 << PART_TEST };

struct split {
	int64_t n;           /* records */
	int32_t *user, *item;
	double *time;
	uint8_t *like, *part;
	double *rating;      /* graded labels, one a record (version 2); NULL: none */
	int64_t cap;
	/* meta */
	char mode[16];       /* global, user, loo, given */
	double train_fraction;
	char format[32];
	unsigned exposure;   /* SPLIT_EXPOSED_* */
	char like_rule[64];  /* given: how a like was told ("rating >= 4") */
	char valid_rule[160];/* given: where the validation records came from */
	struct split_stat *stats;
	int nstats;
};

void split_init(struct split *s);
void split_free(struct split *s);
void split_add(struct split *s, int32_t user, int32_t item, double time, int like, int part);
/* Gives s a graded label column (every record's rating 0 until set). */
void split_grade(struct split *s);
/* Adds or updates a counter of the meta. */
void split_stat(struct split *s, const char *name, int64_t value);
int64_t split_count(const struct split *s, int part);

/* Section I/O.  The readers take the section whose header was just read. */
void vocab_write(struct hs_out *out, const struct vocab *users, const struct vocab *items);
void vocab_read(struct hs_in *in, const struct hs_section *sec, struct vocab *users,
    struct vocab *items);
void split_write(struct hs_out *out, const struct split *s, int64_t users, int64_t items);
/* Checks every record against the vocabulary sizes users and items. */
void split_read(struct hs_in *in, const struct hs_section *sec, struct split *s,
    int64_t users, int64_t items);

/* What most tools need: the vocabularies and the split of a stream. */
struct dataset {
	struct vocab users, items;
	struct split split;
	int have_vocab, have_split;
};
void dataset_init(struct dataset *d);
void dataset_free(struct dataset *d);
/* If sec is a vocab or split section, reads it into d and returns 1; else 0.  A split
 * before its vocab is an error. */
int dataset_take(struct hs_in *in, const struct hs_section *sec, struct dataset *d);
/* Dies (hs_missing) unless both sections were read. */
void dataset_require(const struct hs_in *in, const struct dataset *d);

/* Fingerprints of what a ranking's indices and masks depend on, as 16 hex digits
 * (FNV-1a 64): the two vocabularies (every id, in order), and the split's records
 * (user, item, like and part, in order; not the times).  A ranking records both, so
 * that evaluate can refuse a ranking made on other data. */
void dataset_fingerprints(const struct dataset *d, char vocab[17], char split[17]);

/* Per-user sets from the split: the items of part `part` (training: the distinct
 * clicked items, the mask of all-ranking; valid/test: the positives), as rows of a
 * users x items CSR, sorted, without repeats.  like_only keeps liked records only. */
void split_user_items(const struct split *s, int64_t users, int64_t items, int part,
    int like_only, struct csr *out);
/* The positives of all-ranking in part (valid or test): the user's liked records of
 * the part whose item is not among the user's training items (train, from
 * split_user_items), which all-ranking never ranks.  Returns how many liked records
 * were left out so (a given split keeps them; a chronological one never writes them). */
int64_t split_later_likes(const struct split *s, const struct csr *train, int part,
    struct csr *out);

/* A part's exposed pairs, for the exposed protocol (evaluate(1)): row u holds the
 * items of user u's records of the part, ascending, with each one's graded label
 * (the rating; the like where the split has none) and like; a pair given twice keeps
 * its first record. */
struct exposed {
	struct csr x;
	double *grade;    /* one per entry of x */
	uint8_t *like;
};
void split_exposed(const struct split *s, int64_t users, int64_t items, int part,
    struct exposed *out);
void exposed_free(struct exposed *e);
/* The entry of item i in user u's row, or -1. */
int64_t exposed_find(const struct exposed *e, int32_t u, int32_t i);
/* The grades and likes of user u's items[0 .. n) (a ranking of the user's pairs, in
 * its order): 0, or -1 if an item is not one of the user's pairs. */
int exposed_gather(const struct exposed *e, int32_t u, const int32_t *items, int64_t n,
    double *grade, uint8_t *like);

#endif
