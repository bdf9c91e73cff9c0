/* scoring.c: rules by name, built from representations (method.md sections 5-6). */
#include "scoring.h"

#include <string.h>

#include "util.h"

static struct rule_group group(float *rep[TRAIN_MAX_TOWERS][GROUP_COUNT], int k, int g,
    int64_t nu, int dim)
{
	struct rule_group rg = { NULL, NULL };
	if (rep[k][g]) {
		rg.user = rep[k][g];
		rg.item = rep[k][g] + (size_t)nu * (size_t)dim;
	}
	return rg;
}

int scoring_from_reps(struct scoring *sc, const char *method, const char *rule,
    float *rep[TRAIN_MAX_TOWERS][GROUP_COUNT], int64_t nu, int64_t ni, int dim)
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
		struct rule_group g[2][3];
		int t, gr;
		for (t = 0; t < 2; t++)
			for (gr = 0; gr < GROUP_COUNT; gr++)
				g[t][gr] = group(rep, t, gr, nu, dim);
		if (!g[0][GROUP_Z].user || !g[1][GROUP_Z].user)
			return -1;
		if (rule_hcr(&sc->rule, rule, g, dim, nu, ni) != 0)
			return -1;
	} else if (strcmp(rule, "ct") == 0) {
		struct rule_group z = group(rep, 0, GROUP_Z, nu, dim);
		if (!z.user)
			return -1;
		rule_dot(&sc->rule, z, dim, nu, ni);
	} else {
		return -1;
	}
	rule_scorer(&sc->rule, &sc->scorer);
	return 0;
}

void scoring_free(struct scoring *sc)
{
	rule_free(&sc->rule);
}

double scoring_value(const struct scoring *sc, float key)
{
	return rule_score(&sc->rule, key);
}
