/* method.h: what a training method is (method.md 5-6): the graph and towers it trains
 * on, its samples, its loss, and its scoring rules with a line each.  Each method is
 * one file in train/methods/ and one row of the table there (lib/README). */
#ifndef HCR_METHOD_H
#define HCR_METHOD_H

#include <stddef.h>

#include "rank/repset.h"

#define METHOD_MAX_TOWERS REPSET_MAX_TOWERS

/* What a step's positives are: the training clicks (with their like labels), or only
 * the training likes. */
enum { SAMPLES_CLICKS, SAMPLES_LIKES };

struct ad_param;
struct ad_params;
struct ad_tensor;
struct rng;
struct scoring;
struct step;
struct train_config;
struct train_data;

/* What a method keeps beyond its backbones: its own parameters and state. */
struct method_state {
	struct ad_param *p[4];
	void *data;
};

/* A scoring rule of a method's models. */
struct method_rule {
	const char *name;
	const char *about;        /* one line: what the score is */
	/* Sets up sc->rule over rs, which variant says: 0, or -1 when rs lacks what the
	 * rule needs.  Rules that differ only in what they take share a builder. */
	int (*build)(struct scoring *sc, const struct repset *rs, unsigned variant);
	unsigned variant;
};

/* An item main effect of a model: the part of a head's logit alike for every user,
 * mu_i = <abar, b_i> summed over the head's factors, abar the users' mean row. */
enum { METHOD_MAX_EFFECTS = 12 };
struct method_effect {
	char name[24];
	double *mu;                           /* the model's items */
};

struct method {
	const char *name;
	const char *about;                    /* one line, for --help */
	int graph;                            /* GRAPH_CLICK or GRAPH_LIKE */
	int towers;                           /* backbones: 1 to METHOD_MAX_TOWERS */
	int shared_id;                        /* the towers share one id embedding */
	int samples;                          /* SAMPLES_CLICKS or SAMPLES_LIKES */
	int pairwise;                         /* ranks each positive above its sampled items */
	/* The groups each tower scores with, bit g for enum rep_group: the loss reads
	 * s->y[k][g] only for these.  tower_groups, when set, decides them from the
	 * settings instead (HCR's heads). */
	unsigned groups[METHOD_MAX_TOWERS];
	unsigned (*tower_groups)(const struct train_config *cfg, int k);
	/* The towers (bit k) whose scores the loss reads on the batch's positive records
	 * alone (through s->first): their other rows of s->y are never read, so they are
	 * not computed (MMGCN: the sampled items and the neighbourhoods only they need). */
	unsigned positives_towers;
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
	/* 1 + the index of the part that is the like's cross-entropy over the training
	 * clicks (0: none), which training watches for a head that learns nothing */
	int like_part;
	const struct method_rule *rules;      /* the default first; a NULL name ends them */
	/* Optional: the item main effects of the method's heads into out (at most
	 * METHOD_MAX_EFFECTS, each mu allocated); returns how many.  Without it, one for
	 * each tower's group: "1/z", "1/e", "2/z", ... */
	int (*effects)(const struct repset *rs, struct method_effect *out);
};

/* m's rule called name ("default": its first), or NULL. */
const struct method_rule *method_rule(const struct method *m, const char *name);
/* sc ranks by m's rule name over rs: 0, or -1 when m has no such rule or rs lacks what
 * it needs (sc is then left empty). */
int method_scoring(const struct method *m, const char *name, const struct repset *rs,
    struct scoring *sc);
/* The item main effects of a model of m (method.effects); free them with
 * method_effects_free. */
int method_effects(const struct method *m, const struct repset *rs, struct method_effect *out);
void method_effects_free(struct method_effect *e, int n);
/* One more effect, named name, of the groups in mask of tower k of rs (users weighed as
 * centre says), into e[*n]; add to it with method_effect_add. */
void method_effect_new(struct method_effect *e, int *n, const char *name);
void method_effect_add(struct method_effect *e, const struct repset *rs, int k, unsigned mask,
    int centre);
/* "hcr, hcr-t, hcr-s1, hcr-s2" into buf, for messages. */
const char *method_rule_names(const struct method *m, char *buf, size_t size);

#endif
