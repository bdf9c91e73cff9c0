/* scoring.h: a method's scoring rule over its representations, as a rank scorer:
 * the one code train-mtl validates with and score-frontdoor ranks with. */
#ifndef HCR_SCORING_H
#define HCR_SCORING_H

#include "rank.h"
#include "rules.h"
#include "train.h"

struct scoring {
	struct rule rule;
	struct rank_scorer scorer;
};

/* Sets sc up for rule (a name of method's rule list, or "default") over rep[k][g],
 * each (nu + ni) x dim with users' rows first.  Returns 0, or -1 when the method has
 * no such rule or lacks a representation the rule needs. */
int scoring_from_reps(struct scoring *sc, const char *method, const char *rule,
    float *rep[TRAIN_MAX_TOWERS][GROUP_COUNT], int64_t nu, int64_t ni, int dim);
void scoring_free(struct scoring *sc);
/* The rule's score from a ranking key (keys order as scores; some rules rank by a
 * monotone transform). */
double scoring_value(const struct scoring *sc, float key);

#endif
