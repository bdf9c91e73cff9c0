/* scoring.c: what the methods' rules share to turn a model's arrays into a rule. */
#include "rank/scoring.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct rule_group scoring_group(const struct repset *rs, int k, int g)
{
	struct rule_group rg = { NULL, NULL, 0 };
	if (k < rs->towers && rs->rep[k][g]) {
		rg.user = rs->rep[k][g];
		rg.item = rs->rep[k][g] + (size_t)rs->nu * (size_t)rs->dim;
	}
	return rg;
}

void scoring_add_groups(const struct repset *rs, int k, unsigned mask, struct rule_group *f,
    int *n)
{
	int g;
	for (g = 0; g < GROUP_COUNT; g++)
		if ((mask & (1u << g)) && scoring_group(rs, k, g).user)
			f[(*n)++] = scoring_group(rs, k, g);
}

int scoring_dot_z(struct scoring *sc, const struct repset *rs, unsigned variant)
{
	struct rule_group z = scoring_group(rs, 0, GROUP_Z);
	(void)variant;
	if (!z.user)
		return -1;
	rule_dot(&sc->rule, z, rs->dim, rs->nu, rs->ni);
	return 0;
}

float *scoring_own(struct scoring *sc, size_t n)
{
	size_t k;
	for (k = 0; k < sizeof sc->own / sizeof sc->own[0]; k++)
		if (!sc->own[k])
			return sc->own[k] = xcalloc(n + 1, sizeof(float));
	die(HCR_EXIT_FAIL, "internal: a rule with more than %zu arrays of its own",
	    sizeof sc->own / sizeof sc->own[0]);
}

struct rule_group scoring_item_factor(struct scoring *sc, const struct repset *rs,
    const float *v)
{
	float *u = scoring_own(sc, (size_t)rs->nu * (size_t)rs->dim);
	float *it = scoring_own(sc, (size_t)rs->ni * (size_t)rs->dim);
	int64_t k;
	for (k = 0; k < rs->nu; k++)
		u[(size_t)k * (size_t)rs->dim] = 1;
	for (k = 0; k < rs->ni; k++)
		it[(size_t)k * (size_t)rs->dim] = v[k];
	return (struct rule_group){ u, it, 0 };
}

double *scoring_users_mean(const struct repset *rs, struct rule_group g, const double *w)
{
	double *abar = xcalloc((size_t)rs->dim + 1, sizeof *abar);
	int64_t u;
	int k;
	for (u = 0; u < rs->nu; u++)
		for (k = 0; k < rs->dim; k++)
			abar[k] += w[u] * g.user[(size_t)u * (size_t)rs->dim + k];
	return abar;
}

double scoring_item_effects(const struct repset *rs, struct rule_group g, const double *abar,
    double *mu)
{
	double mean = 0;
	int64_t i;
	int k;
	for (i = 0; i < rs->ni; i++) {
		double m = 0;
		for (k = 0; k < rs->dim; k++)
			m += abar[k] * g.item[(size_t)i * (size_t)rs->dim + k];
		mu[i] = m;
		mean += m;
	}
	return rs->ni ? mean / (double)rs->ni : 0;
}

void scoring_free(struct scoring *sc)
{
	size_t k;
	rule_free(&sc->rule);
	for (k = 0; k < sizeof sc->own / sizeof sc->own[0]; k++) {
		free(sc->own[k]);
		sc->own[k] = NULL;
	}
}

double scoring_value(const struct scoring *sc, float key)
{
	return rule_score(&sc->rule, key);
}

/* Keys that differ can give the same score (exp of a log-sigmoid sum within 1e-16 of
 * 0 is 1): such a run is put in item order, as a ranking promises of equal scores. */
static void ties_by_item(int32_t *items, const double *scores, int n)
{
	for (int j = 1; j < n; j++)
		for (int q = j; q > 0 && scores[q] == scores[q - 1] && items[q] < items[q - 1]; q--) {
			int32_t t = items[q];
			items[q] = items[q - 1];
			items[q - 1] = t;
		}
}

void ranking_from_result(struct ranking *r, const struct ranking_head *h,
    const struct rank_result *res, const struct scoring *sc)
{
	double *scores = xmalloc(((size_t)res->k + 1) * sizeof *scores);
	int32_t *items = xmalloc(((size_t)res->k + 1) * sizeof *items);
	int64_t row;
	int j;
	ranking_init(r, h, hcr_tool.name);
	for (row = 0; row < res->rows; row++) {
		const float *keys = res->keys + row * res->k;
		for (j = 0; j < res->count[row]; j++)
			scores[j] = scoring_value(sc, keys[j]);
		memcpy(items, res->items + row * res->k, (size_t)res->count[row] * sizeof *items);
		ties_by_item(items, scores, res->count[row]);
		ranking_add_row(r, res->users[row], res->count[row], items, scores);
	}
	free(items);
	free(scores);
}
