/* scoring.h: a model's scoring rule over its representations, as a rank scorer: the one
 * code train-mtl validates with and score-frontdoor ranks with.  A method's rules
 * (train/methods/) build it from a repset with the helpers below. */
#ifndef HCR_SCORING_H
#define HCR_SCORING_H

#include "rank/ranking.h"
#include "rank/repset.h"
#include "rank/rulekeys.h"
#include "rank/topk.h"

struct scoring {
	struct rule rule;
	struct rank_scorer scorer;
	float *own[4];      /* arrays built for the rule (an item factor as a group) */
};

void scoring_free(struct scoring *sc);
/* The rule's score from a ranking key (some rules rank by a monotone transform). */
double scoring_value(const struct scoring *sc, float key);

/* Tower k's group g of rs as a rule group; {NULL, NULL} when rs lacks it. */
struct rule_group scoring_group(const struct repset *rs, int k, int g);
/* Appends tower k's groups in mask that rs has to f[*n], counting them in *n. */
void scoring_add_groups(const struct repset *rs, int k, unsigned mask, struct rule_group *f,
    int *n);
/* A group whose inner product is v_i for every user (user rows e_1, item rows v_i e_1):
 * one more factor sigmoid(v_i) in a product of sigmoids.  Its arrays are sc's own. */
struct rule_group scoring_item_factor(struct scoring *sc, const struct repset *rs,
    const float *v);

/* The rule Y^z, the plain inner product of tower 1's z group, as a method's rule
 * builder (train/method.h): 0, or -1 when rs lacks the group. */
int scoring_dot_z(struct scoring *sc, const struct repset *rs, unsigned variant);
/* A new array of n floats that sc owns (freed with it). */
float *scoring_own(struct scoring *sc, size_t n);
/* The weighted mean of g's user rows, sum_u w_u a_u (rs->dim doubles; free it). */
double *scoring_users_mean(const struct repset *rs, struct rule_group g, const double *w);
/* Each item's main effect in g's inner product, mu_i = <abar, b_i>, into mu; returns
 * their mean over items. */
double scoring_item_effects(const struct repset *rs, struct rule_group g, const double *abar,
    double *mu);

/* A ranking of the rows of res, each key turned into the rule's value by sc. */
void ranking_from_result(struct ranking *r, const struct ranking_head *h,
    const struct rank_result *res, const struct scoring *sc);

#endif
