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

struct split {
	int64_t n;           /* records */
	int32_t *user, *item;
	double *time;
	uint8_t *like, *part;
	int64_t cap;
	/* meta */
	char mode[16];       /* global, user, loo */
	double train_fraction;
	char format[32];
	struct split_stat *stats;
	int nstats;
};

void split_init(struct split *s);
void split_free(struct split *s);
void split_add(struct split *s, int32_t user, int32_t item, double time, int like, int part);
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

#endif
