/* train.h: multi-task training of method.md sections 5-6: any method (method.h) on
 * mini-batches with redrawn negatives, Adam, early stopping on validation NDCG@50. */
#ifndef HCR_TRAIN_H
#define HCR_TRAIN_H

#include <stdint.h>

#include "common/csr.h"
#include "ingest/dataset.h"
#include "ingest/graph.h"
#include "rank/repset.h"
#include "train/autodiff.h"
#include "train/backbone.h"
#include "train/method.h"

#define TRAIN_MAX_TOWERS METHOD_MAX_TOWERS

/* One mini-batch as the loss sees it: n = b (1 + negatives) pairs, the b positive
 * records first; y[k][g] is n x 1 (NULL for a group the tower lacks). */
struct step {
	struct ad_tape *tape;
	const struct train_config *cfg;
	int64_t b, n;
	struct ad_tensor *y[TRAIN_MAX_TOWERS][GROUP_COUNT];
	const real *click;    /* n: 1 for the positives' clicks, 0 for sampled items */
	const real *like;     /* n: the positives' like labels, 0 for sampled items */
	const int32_t *first; /* b: 0 .. b-1, to take the positives' rows */
	const int32_t *pair_u, *pair_i;  /* n: the pairs' user and item indices */
	struct method_state *ms;
};

/* The early-stopping metric on the validation part (train-mtl --valid-metric): NDCG or
 * recall of all-ranking against the later likes, or a metric of the exposed protocol
 * (evaluate(1)) over the validation pairs. */
enum { VALID_NDCG, VALID_RECALL, VALID_XNDCG, VALID_XNDCG_LIN, VALID_XRECALL, VALID_AUC };

struct train_config {
	const struct method *method;
	struct bb_config bb;
	double lr, l2, beta;
	int batch, negatives, epochs, patience, k_valid;
	int valid_metric;     /* VALID_*; k_valid its K (0 for auc) */
	const char *valid_rule; /* the rule validation ranks by; NULL: the method's own */
	struct heads heads;
	uint64_t seed;
	int threads;
	int max_batches;      /* > 0: stop an epoch after this many batches (timing runs) */
};

struct train_data {
	int64_t nu, ni;
	const struct split *split;
	const struct csr *graph[2];        /* node graphs: GRAPH_CLICK and GRAPH_LIKE */
	int nmod;
	const struct bb_modality *mods;
};

struct epoch_log {
	int epoch;
	double loss, part[3], valid, seconds;
};

struct train_result {
	struct repset rs;                            /* the best epoch's */
	struct epoch_log *log;
	int epochs;
	int best_epoch;
	double best_valid;
	int64_t valid_users;
	const char *stopped;                         /* why training ended */
};

/* The groups tower k of cfg's method scores with (method.h: groups, tower_groups). */
unsigned method_groups(const struct train_config *cfg, int k);
/* The mean BPR loss of a step: each positive's score (rows 0 .. b-1 of score) against
 * each of its sampled items' (row b + j belongs to positive j mod b). */
struct ad_tensor *step_bpr(struct step *s, struct ad_tensor *score);
/* train-mtl's defaults (train-mtl(1)): every setting but the method, which the caller
 * chooses; the tool and the tests start from these. */
void train_config_defaults(struct train_config *cfg);
/* Trains; dies with HCR_EXIT_NUMERIC if a loss or gradient goes non-finite. */
void train_run(const struct train_config *cfg, const struct train_data *data,
    struct train_result *res);
void train_result_free(struct train_result *res);

/* An item the user did not click in training (clicked: the users' training items),
 * drawn uniformly: the sampled items of D. */
int32_t train_negative(struct rng *r, const struct csr *clicked, int32_t user, int64_t ni);

/* What a validation measures on: the training items (masked), the validation likes
 * all-ranking can rank, the validation pairs (exposed metrics). */
struct valid_set {
	int metric, k;
	const char *rule;     /* a rule of the method; NULL: its own */
	const struct csr *mask, *positives;
	const struct exposed *x;
};
/* The validation metric of representations under one of a method's rules (its own by
 * default), over users with a validation like (a liked validation pair) and a training
 * click; used after every epoch. */
double train_validate(const struct method *m, const struct repset *rs,
    const struct valid_set *v, int threads, int64_t *users);
/* "ndcg@50", "xrecall@5", "auc": a validation metric as evaluate names it. */
const char *train_valid_name(int metric, int k, char *buf, size_t size);
/* Parses such a name into *metric and *k: 0, or -1. */
int train_valid_parse(const char *s, int *metric, int *k);

#endif
