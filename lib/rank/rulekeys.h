/* rulekeys.h: the scoring rules of method.md §5-6 as fast rank_scorers: one sgemm per
 * factor over a block of users and a chunk of items, then an elementwise combine.
 *
 * A rule's key orders items as its score does:
 *   RULE_DOT      key = Y(u,i) = <user row, item row>                  (ct's Y^z)
 *   RULE_SIGPROD  key = log prod_t sigmoid(Y_t) = -sum_t softplus(-Y_t)
 *                 (hcr, hcr-t, hcr-s1, hcr-s2, esmm and the multi-* rules); the log
 *                 keeps the order where the sigmoids underflow in float, and
 *                 resolves factors near 1 up to logits of about 87 (beyond, a factor
 *                 counts as 1 - e^-87).  With a mean table (rule_sigprod_mean), the
 *                 last factor is G(Y) = mean_k sigmoid(Y + mu_k) instead (hcr-cg);
 *   RULE_CR       key = (Y^z(u,i) - mean_j Y^z(u,j)) * sigmoid(Y^e(u,i));
 *   RULE_DCF      key = Y^z(u,i) + gamma_u sigmoid(<t_u, s_i>) + b0, the logit of
 *                 DCF's sigmoid(Y^z + gamma_u a(u,i) + b0), t and s of their own
 *                 width.
 * rule_score() turns a key back into the rule's value. */
#ifndef HCR_RULEKEYS_H
#define HCR_RULEKEYS_H

#include <stdint.h>

#include "rank/topk.h"

enum { RULE_MAX_TERMS = 8 };

/* One representation group: n_users x d and n_items x d, row-major, and a constant
 * added to every inner product (a logit's offset; 0 for most).  Both NULL: a group
 * whose role has no modality, which contributes the factor 1. */
struct rule_group {
	const float *user;
	const float *item;
	float bias;
};

enum rule_kind { RULE_DOT, RULE_SIGPROD, RULE_CR, RULE_DCF };

struct rule {
	enum rule_kind kind;
	int d;
	int64_t n_users, n_items;
	int n_terms;                          /* groups kept (absent ones dropped) */
	struct rule_group term[RULE_MAX_TERMS]; /* CR: term[0] is z, term[1] e if present */
	float *item_mean;                     /* CR: the mean item row of z */
	/* rule_sigprod_mean: log G and its derivative at g_n points from g_lo, g_step
	 * apart, for cubic Hermite interpolation between them */
	double *g_val, *g_der, g_lo, g_step;
	int g_n;
	int d_expo;                           /* DCF: columns of term[1], t and s */
	const float *gamma;                   /* DCF: n_users weights of a(u,i) */
	float intercept;                      /* DCF: b0 */
	int lanes;                            /* RULE_SIGPROD's kernel: 0 the widest the
	                                       * CPU runs, 4 the SSE width everywhere
	                                       * (tests compare them bit for bit) */
};

/* Plain inner product of one group. */
void rule_dot(struct rule *r, struct rule_group z, int d, int64_t n_users, int64_t n_items);
/* Product of sigmoids of n groups' inner products (absent groups skipped). */
void rule_sigprod(struct rule *r, int n, const struct rule_group *groups, int d,
    int64_t n_users, int64_t n_items);
/* The same with the last group's factor averaged over item shifts: prod_{t < n-1}
 * sigmoid(Y_t) times G(Y_{n-1}), G(y) = mean_k sigmoid(y + mu[k]) over n_mu shifts,
 * tabulated over every value Y_{n-1} can take (its rows' norms bound it). */
void rule_sigprod_mean(struct rule *r, int n, const struct rule_group *groups,
    const double *mu, int64_t n_mu, int d, int64_t n_users, int64_t n_items);
/* log G at y from the table of a rule_sigprod_mean rule. */
double rule_log_mean(const struct rule *r, double y);
/* CR's counterfactual rule. */
void rule_cr(struct rule *r, struct rule_group z, struct rule_group e, int d, int64_t n_users,
    int64_t n_items);
/* DCF's rule: z of d columns; expo's user rows t_u and item rows s_i of d_expo. */
void rule_dcf(struct rule *r, struct rule_group z, struct rule_group expo, int d_expo,
    const float *gamma, float intercept, int d, int64_t n_users, int64_t n_items);
/* The rank_scorer computing r's keys; r must outlive it. */
void rule_scorer(const struct rule *r, struct rank_scorer *s);
/* The rule's value from a key (exp of it for RULE_SIGPROD, its sigmoid for RULE_DCF). */
double rule_score(const struct rule *r, float key);
void rule_free(struct rule *r);

#endif
