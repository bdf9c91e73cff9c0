/* scoring.h: a method's scoring rule over its representations, as a rank scorer:
 * the one code train-mtl validates with and score-frontdoor ranks with. */
#ifndef HCR_SCORING_H
#define HCR_SCORING_H

#include "rank/topk.h"
#include "rank/repset.h"
#include "rank/rulekeys.h"

struct scoring {
	struct rule rule;
	struct rank_scorer scorer;
	float *own[2];      /* arrays built for the rule (an item factor as a group) */
};

/* Sets sc up for rule (a name of the method's rule list, or "default") over rs.
 * Returns 0, or -1 when the method has no such rule or rs lacks what it needs. */
int scoring_from_set(struct scoring *sc, const char *method, const char *rule,
    const struct repset *rs);
void scoring_free(struct scoring *sc);
/* The rule's score from a ranking key (some rules rank by a monotone transform). */
double scoring_value(const struct scoring *sc, float key);

#endif
