/* train.h: multi-task training of method.md sections 5-6: methods as table entries,
 * mini-batches with redrawn negatives, Adam, early stopping on validation NDCG@50. */
#ifndef HCR_TRAIN_H
#define HCR_TRAIN_H

#include <stdint.h>

#include "train/autodiff.h"
#include "train/backbone.h"
#include "common/csr.h"
#include "ingest/graph.h"
#include "rank/repset.h"
#include "ingest/dataset.h"

#define TRAIN_MAX_TOWERS REPSET_MAX_TOWERS

enum { SAMPLES_CLICKS, SAMPLES_LIKES };

struct step;
struct train_config;
struct train_data;

/* What a method keeps beyond its backbones: its own parameters and state. */
struct method_state {
	struct ad_param *p[4];
	void *data;
};

/* A method: its graph, its towers, what it trains on, its loss and its rules.  Adding
 * a method is adding an entry to the table in methods.c. */
struct method {
	const char *name;
	int graph;                            /* GRAPH_CLICK or GRAPH_LIKE */
	int towers;                           /* backbones: 1 to TRAIN_MAX_TOWERS */
	int shared_id;                        /* the towers share one id embedding */
	int samples;                          /* SAMPLES_CLICKS or SAMPLES_LIKES */
	/* Groups each tower's scores need, bit g for enum rep_group; the loss reads
	 * s->y[k][g] only for these (see method_groups). */
	unsigned groups[TRAIN_MAX_TOWERS];
	/* Optional: the method's own parameters, created and initialised; and the arrays
	 * it adds to the model for its rules. */
	void (*init)(struct method_state *ms, const struct train_config *cfg,
	    const struct train_data *data, struct ad_params *set, struct rng *r);
	void (*export)(const struct method_state *ms, const struct train_config *cfg,
	    const struct train_data *data, struct repset *rs);
	/* The batch loss from the step's scores and labels; parts[0..2] get its terms
	 * (for the epoch log), parts[0] + ... being the loss. */
	struct ad_tensor *(*loss)(struct step *s, double parts[3]);
	const char *part_names[3];
	const char *default_rule;
	const char *const *rules;             /* NULL-terminated, default first */
};

const struct method *method_find(const char *name);
/* The groups tower k must score with under cfg (HCR's heads decide tower 2's). */
unsigned method_groups(const struct train_config *cfg, int k);
/* "hcr, hcr-ns, ct" for messages. */
const char *method_names(void);

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

struct train_config {
	const struct method *method;
	struct bb_config bb;
	double lr, l2, beta;
	int batch, negatives, epochs, patience, k_valid;
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

/* Trains; dies with HCR_EXIT_NUMERIC if a loss or gradient goes non-finite. */
void train_run(const struct train_config *cfg, const struct train_data *data,
    struct train_result *res);
void train_result_free(struct train_result *res);

/* An item the user did not click in training (clicked: the users' training items),
 * drawn uniformly: the sampled items of D. */
int32_t train_negative(struct rng *r, const struct csr *clicked, int32_t user, int64_t ni);

/* Validation NDCG@k of representations under a method's default rule, over users
 * with a validation like and a training click; used after every epoch. */
double train_validate(const struct method *m, const struct repset *rs,
    const struct csr *mask, const struct csr *positives, int k, int threads,
    int64_t *users);

#endif
