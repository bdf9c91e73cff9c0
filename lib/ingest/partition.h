/* partition.h: the chronological splits of method.md §2, from a log's clicks to the split
 * section's records: training user-item pairs, later likes as validation and test. */
#ifndef HCR_PARTITION_H
#define HCR_PARTITION_H

#include <stdint.h>

#include "ingest/clicklog.h"
#include "ingest/dataset.h"

enum chrono_mode { CHRONO_GLOBAL, CHRONO_USER, CHRONO_LOO };

struct chrono_opts {
	enum chrono_mode mode;
	int64_t num, den;          /* the training fraction num/den, kept exact */
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
};

/* "global", "user" or "loo"; -1 otherwise. */
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
/* The -v summary on standard error. */
void chrono_report(const char *input, const struct clicklog *log, const struct split *s,
    const struct chrono_counts *c);

#endif
