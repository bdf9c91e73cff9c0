/* partition.h: the chronological splits of method.md §2, from a log's clicks to the split
 * section's records: training user-item pairs, later likes as validation and test. */
#ifndef HCR_PARTITION_H
#define HCR_PARTITION_H

#include <stdint.h>

#include "ingest/clicklog.h"
#include "ingest/dataset.h"

enum chrono_mode { CHRONO_GLOBAL, CHRONO_USER, CHRONO_LOO, CHRONO_GIVEN };

struct chrono_opts {
	enum chrono_mode mode;
	int64_t num, den;          /* the training fraction num/den, kept exact */
	/* given: the validation part drawn when none is given */
	int valid_from;            /* PART_TRAIN or PART_TEST */
	int valid_by_users;        /* whole users' test pairs, not a share of each user's */
	int64_t vnum, vden;        /* its fraction, exact; 0: no validation part */
	/* global, user: the share of each user's later likes that validates, the first
	 * floor(m lnum / lden) of the m in time order (lden 0: half, the default) */
	int64_t lnum, lden;
	uint64_t seed;
	const char *like_rule;     /* in words, for the meta */
};

struct chrono_counts {
	int64_t clicks, likes;     /* input clicks (after repair, with repeats), liked ones */
	int64_t repeated;          /* clicks of a user-item pair clicked before */
	int64_t implied;           /* buys with no earlier click of their pair */
	int64_t train_clicks;      /* clicks in training, before repeats are merged */
	int64_t heldout;           /* loo: earlier clicks of held-out items, not trained */
	int64_t train, train_liked, valid, test;   /* records */
	int64_t users_train, users_valid, users_test, items_train;
	int64_t users_unscored;    /* users with a training click but no new later like */
	int64_t users_left_out, likes_left_out;    /* later likes of users never trained */
	int64_t likes_of_train_items;              /* later likes of items trained before */
	double cut_last, cut_next; /* global: times of the last training click, the next */
	/* given */
	int valid_given;           /* a validation part came with the data */
	int64_t valid_liked, test_liked;           /* records */
	int64_t repeated_exposures;/* rows of a valid or test pair given before, merged */
	int64_t unclicked;         /* exposures kept that were not clicked */
	int64_t test_in_train, test_likes_in_train;/* test pairs also trained on */
	int64_t valid_in_train;    /* given validation pairs also trained on */
	int64_t exposures_left_out;/* valid and test records of users never trained */
};

/* "global", "user", "loo" or "given"; -1 otherwise. */
int chrono_mode_parse(const char *s);
const char *chrono_mode_name(enum chrono_mode m);
/* A decimal fraction from 0 to 1 ("0.7", ".85", "1") as num/den exactly; -1 if not. */
int chrono_fraction_parse(const char *s, int64_t *num, int64_t *den);
/* round(n * num / den), halves up, without floating point. */
int64_t chrono_round(int64_t n, int64_t num, int64_t den);

/* Splits the clicks of log into s (initialised, empty): records in time order, ties in
 * input order.  Frees log's click columns as it goes (the vocabularies stay), so that
 * memory peaks near the input's, not twice it.  The counts go to c and s's meta. */
void chrono_split(struct clicklog *log, const struct chrono_opts *o, struct split *s,
    struct chrono_counts *c);
/* A given split (mode CHRONO_GIVEN): the parts the log's clicks were given
 * (clicklog_keep), each user-item pair once a part, records part by part (train,
 * valid, test), each in time order; a validation part drawn as o says when none was
 * given.  As chrono_split, it frees the log's clicks. */
void given_split(struct clicklog *log, const struct chrono_opts *o, struct split *s,
    struct chrono_counts *c);
/* The -v summary on standard error. */
void chrono_report(const char *input, const struct clicklog *log, const struct chrono_opts *o,
    const struct split *s, const struct chrono_counts *c);

#endif
