/* scoring.c: rules by name, built from a model's representations (method.md 5-6). */
#include "rank/scoring.h"

#include <stdlib.h>
#include <string.h>

#include "train/train.h"
#include "common/util.h"

static struct rule_group group(const struct repset *rs, int k, int g)
{
	struct rule_group rg = { NULL, NULL };
	if (k < rs->towers && rs->rep[k][g]) {
		rg.user = rs->rep[k][g];
		rg.item = rs->rep[k][g] + (size_t)rs->nu * (size_t)rs->dim;
	}
	return rg;
}

/* Appends tower k's groups in mask to the factor list. */
static void add_groups(const struct repset *rs, int k, unsigned mask, struct rule_group *f,
    int *n)
{
	int g;
	for (g = 0; g < GROUP_COUNT; g++)
		if ((mask & (1u << g)) && group(rs, k, g).user)
			f[(*n)++] = group(rs, k, g);
}

/* HCR's rules (method.md 5) under the model's heads: f = sig(Y1z) sig(Y1e);
 * h1 and h2 as the heads say; hcr = f h1, hcr-t = f h1 h2, hcr-s1 = f, hcr-s2 = h1. */
static int hcr_rule(struct scoring *sc, const char *rule, const struct repset *rs)
{
	const struct heads *h = &rs->heads;
	struct rule_group f[RULE_MAX_TERMS + 4];
	int n = 0, use_f = strcmp(rule, "hcr-s2") != 0;
	int use_h1 = strcmp(rule, "hcr-s1") != 0, use_h2 = strcmp(rule, "hcr-t") == 0;
	if (!group(rs, 0, GROUP_Z).user || rs->towers < 2)
		return -1;
	if (use_f)
		add_groups(rs, 0, (1u << GROUP_Z) | (1u << GROUP_E), f, &n);
	if (use_h1)
		add_groups(rs, h->h1_tower - 1, h->h1, f, &n);
	if (use_h2) {
		add_groups(rs, 1, h->h2, f, &n);
		if (h->h2_item) {
			/* sig(b_i) as one more inner product: user rows e1, item rows b_i e1 */
			const float *b = repset_extra(rs, "item_bias", rs->ni, 1);
			int64_t k;
			if (!b)
				return -1;
			sc->own[0] = xcalloc((size_t)rs->nu * (size_t)rs->dim, sizeof(float));
			sc->own[1] = xcalloc((size_t)rs->ni * (size_t)rs->dim, sizeof(float));
			for (k = 0; k < rs->nu; k++)
				sc->own[0][(size_t)k * (size_t)rs->dim] = 1;
			for (k = 0; k < rs->ni; k++)
				sc->own[1][(size_t)k * (size_t)rs->dim] = b[k];
			f[n].user = sc->own[0];
			f[n++].item = sc->own[1];
		}
	}
	if (n == 0 || n > RULE_MAX_TERMS)
		return -1;
	rule_sigprod(&sc->rule, n, f, rs->dim, rs->nu, rs->ni);
	return 0;
}

/* The columns of the extra array of that name, 0 if there is none. */
static int extra_cols(const struct repset *rs, const char *name)
{
	int k;
	for (k = 0; k < rs->nextra; k++)
		if (!strcmp(rs->extra[k].name, name))
			return (int)rs->extra[k].cols;
	return 0;
}

/* The baselines' rules (method.md 6); -1 when rs lacks what the rule needs. */
static int baseline_rule(struct scoring *sc, const char *rule, const struct repset *rs)
{
	struct rule_group z = group(rs, 0, GROUP_Z);
	size_t len = strlen(rule);
	if (!z.user)
		return -1;
	if (!strcmp(rule, "ct")) {
		rule_dot(&sc->rule, z, rs->dim, rs->nu, rs->ni);
	} else if (!strcmp(rule, "esmm") || !strcmp(rule, "multi-ipw") ||
	    !strcmp(rule, "multi-dr")) {
		/* pCTR pCVR = sig(Y1z) sig(Y2z) */
		struct rule_group f[2] = { z, group(rs, 1, GROUP_Z) };
		if (!f[1].user)
			return -1;
		rule_sigprod(&sc->rule, 2, f, rs->dim, rs->nu, rs->ni);
	} else if (len > 4 && !strcmp(rule + len - 4, "-cvr")) {
		/* pCVR = sig(Y2z) alone, what the CVR estimators debias */
		struct rule_group f = group(rs, 1, GROUP_Z);
		if (!f.user)
			return -1;
		rule_sigprod(&sc->rule, 1, &f, rs->dim, rs->nu, rs->ni);
	} else if (!strcmp(rule, "cr") || !strcmp(rule, "cr-fused")) {
		rule_cr(&sc->rule, z, group(rs, 0, GROUP_E), rs->dim, rs->nu, rs->ni);
		/* the factual score Y^z sig(Y^e): nothing subtracted */
		if (rule[2])
			memset(sc->rule.item_mean, 0, (size_t)rs->dim * sizeof *sc->rule.item_mean);
	} else if (!strcmp(rule, "dcf")) {
		/* the exposure factors t_u and s_i, of the model's own width */
		int k = extra_cols(rs, "exposure_user");
		struct rule_group expo = { repset_extra(rs, "exposure_user", rs->nu, k),
			repset_extra(rs, "exposure_item", rs->ni, k) };
		const float *g = repset_extra(rs, "gamma", rs->nu, 1);
		const float *b0 = repset_extra(rs, "intercept", 1, 1);
		if (!expo.user || !expo.item || !g || !b0)
			return -1;
		rule_dcf(&sc->rule, z, expo, k, g, b0[0], rs->dim, rs->nu, rs->ni);
	} else {
		return -1;
	}
	return 0;
}

int scoring_from_set(struct scoring *sc, const char *method, const char *rule,
    const struct repset *rs)
{
	const struct method *m = method_find(method);
	int k, ok = 0;
	memset(sc, 0, sizeof *sc);
	if (!m)
		return -1;
	if (strcmp(rule, "default") == 0)
		rule = m->default_rule;
	for (k = 0; m->rules[k]; k++)
		ok |= strcmp(m->rules[k], rule) == 0;
	if (!ok)
		return -1;
	if (strncmp(rule, "hcr", 3) == 0) {
		if (hcr_rule(sc, rule, rs) != 0) {
			scoring_free(sc);
			return -1;
		}
	} else if (baseline_rule(sc, rule, rs) != 0) {
		scoring_free(sc);
		return -1;
	}
	rule_scorer(&sc->rule, &sc->scorer);
	return 0;
}

void scoring_free(struct scoring *sc)
{
	rule_free(&sc->rule);
	free(sc->own[0]);
	free(sc->own[1]);
	sc->own[0] = sc->own[1] = NULL;
}

double scoring_value(const struct scoring *sc, float key)
{
	return rule_score(&sc->rule, key);
}
