/* breakdown.h: what evaluate computes (method.md §7): Recall@K and NDCG@K of
 * rankings against the later likes, overall and broken down by user activity, by
 * period of the later likes, by item quality; NDCG and Kendall's tau against a true
 * score; paired comparisons with a baseline.  The results are rows (one number each,
 * with what it is and over how many users), which evalout.c lays out as text, JSON
 * and TSV, and per-user records. */
#ifndef HCR_BREAKDOWN_H
#define HCR_BREAKDOWN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/csr.h"
#include "eval/metrics.h"
#include "eval/truth.h"
#include "ingest/dataset.h"
#include "rank/ranking.h"

enum eval_breakdown { EB_OVERALL, EB_GROUPS, EB_PERIODS, EB_ITEMS, EB_TRUTH, EB_EXPOSED,
	EB_COMPARE, EB_COUNT };
enum eval_stat { ES_VALUE, ES_GAIN, ES_DROP, ES_DIFF, ES_T_P, ES_WILCOXON_P, ES_COUNT };
/* The exposed protocol's metrics come last: NDCG with gain 2^grade - 1 and with gain
 * grade, recall of the liked exposed pairs, per-user AUC (its k is 0: no cut-off). */
enum eval_metric { EM_RECALL, EM_NDCG, EM_NRECALL, EM_SHARE, EM_KENDALL, EM_SPEARMAN,
	EM_XNDCG, EM_XNDCG_LIN, EM_XRECALL, EM_AUC, EM_COUNT };
enum { EVAL_MAX_PERIODS = 100 };
/* The protocols evaluated (eval_opts.protocols): all-ranking, exposed pairs. */
enum { EVAL_ALL = 1, EVAL_EXPOSED = 2 };

/* "overall", "groups", "periods", "items", "truth", "exposed", "compare" */
extern const char *const eval_breakdown_names[EB_COUNT];
/* "", "gain", "drop", "diff", "t_p", "wilcoxon_p" */
extern const char *const eval_stat_names[ES_COUNT];
/* "recall", "ndcg", "nrecall", "share", "kendall", "spearman", "xndcg", "xndcg_lin", "xrecall",
 * "auc" */
extern const char *const eval_metric_names[EM_COUNT];
/* "train", "valid", "test", indexed by PART_* */
extern const char *const eval_part_names[3];

struct eval_opts {
	int n_k;
	int ks[METRICS_MAX_K];   /* ascending, distinct */
	double active;           /* the share of users (with a training click) called active */
	int periods;             /* parts the later likes are cut into */
	int protocols;           /* EVAL_ALL, EVAL_EXPOSED */
};

/* What evaluation takes from the split, once for every run. */
struct eval_data {
	int64_t nu, ni;
	struct csr train;        /* each user's training items: masked, never positives */
	struct csr pos[3];       /* each user's positives in PART_VALID, PART_TEST */
	int64_t likes_of_train[3];  /* liked records left out of pos: training items */
	struct exposed x[3];     /* each user's exposed pairs of PART_VALID, PART_TEST */
	int periods;
	struct csr *period;      /* each user's later likes (valid then test), cut by position */
	uint8_t *active;         /* nu: 1 for an active user */
	int64_t scored_users;    /* users with a training click */
	int64_t active_users;
	uint8_t *item_group;     /* ni: 0 no training click, 1 high, 2 low like/click ratio */
	int64_t high_items, low_items;
	const struct truth *truth; /* mapped onto the vocabulary, or NULL */
};

void eval_data_build(struct eval_data *d, const struct dataset *ds, const struct eval_opts *o,
    const struct truth *truth);
void eval_data_free(struct eval_data *d);

struct eval_row {
	int run;                 /* index of the ranking */
	int part;                /* PART_VALID or PART_TEST */
	int breakdown, group;    /* group: its index within the breakdown */
	int stat, metric, k;
	double value;            /* NaN: not defined (no user, a zero denominator) */
	int64_t users;           /* the users behind the value (pairs, for compare) */
};

/* The users of one run in one part that have a positive there, in ranking order. */
struct eval_users {
	int64_t n;
	int32_t *user, *positives;
	double *recall, *ndcg;   /* n x n_k */
	double *truth_ndcg;      /* n x n_k (NaN outside the truth), or NULL without truth */
	double *kendall;         /* n, or NULL without truth */
	double *spearman;        /* n, or NULL without truth */
};

/* The users of one run in one part that have a liked exposed pair there (exposed
 * protocol), in ranking order. */
struct eval_xusers {
	int64_t n;
	int32_t *user, *exposed, *liked;
	double *xndcg, *xndcg_lin, *xrecall;   /* n x n_k */
	double *auc;                           /* n; NaN without a pair not liked */
};

struct eval_result {
	struct eval_opts opts;
	int64_t scored_users, active_users, high_items, low_items; /* from eval_data */
	int truth;               /* truth rows were computed */
	int n_runs, baseline;
	const struct ranking *const *runs;   /* all-ranking, or NULL for a run without one */
	const struct ranking *const *xruns;  /* pairs, or NULL (or xruns NULL: none at all) */
	struct eval_row *rows;
	size_t n_rows, cap;
	struct eval_users (*users)[3];  /* [run][part], parts PART_VALID and PART_TEST */
	struct eval_xusers (*xusers)[3];/* the same, of the exposed protocol */
	unsigned xparts;         /* the parts some ranking of pairs ranks (bit 1 << part) */
};

/* Evaluates runs[0 .. n_runs) against d, comparing each with runs[baseline]: the
 * all-ranking protocol on runs (top-K rankings), the exposed protocol on xruns (rankings
 * of the parts' pairs, score-frontdoor --pairs; NULL when there are none), as
 * o->protocols says.  A run may lack either ranking: its values are then NaN. */
void eval_run(const struct eval_data *d, const struct ranking *const *runs,
    const struct ranking *const *xruns, int n_runs, int baseline, const struct eval_opts *o,
    struct eval_result *res);
void eval_result_free(struct eval_result *res);
/* A run's label. */
const char *eval_label(const struct eval_result *res, int run);
/* Dies (HCR_EXIT_DATA) unless each row of a ranking of pairs lists exactly its user's
 * exposed pairs of the part. */
void eval_check_pairs(const struct eval_data *d, const struct ranking *r,
    const struct vocab *users);
/* The name of a row's group: "all", "active", "less-active", "1".., "high", "low", or
 * the baseline's label for compare. */
const char *eval_group_name(const struct eval_result *res, const struct eval_row *row,
    char *buf, size_t size);

#endif
