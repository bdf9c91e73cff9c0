/* method.c: what every method shares: its rules by name. */
#include "train/method.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "rank/scoring.h"

const struct method_rule *method_rule(const struct method *m, const char *name)
{
	const struct method_rule *r;
	if (strcmp(name, "default") == 0)
		return &m->rules[0];
	for (r = m->rules; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

int method_scoring(const struct method *m, const char *name, const struct repset *rs,
    struct scoring *sc)
{
	const struct method_rule *r = method_rule(m, name);
	memset(sc, 0, sizeof *sc);
	if (!r)
		return -1;
	if (r->build(sc, rs, r->variant) != 0) {
		scoring_free(sc);
		return -1;
	}
	rule_scorer(&sc->rule, &sc->scorer);
	return 0;
}

const char *method_rule_names(const struct method *m, char *buf, size_t size)
{
	size_t at = 0;
	const struct method_rule *r;
	buf[0] = '\0';
	for (r = m->rules; r->name && at < size; r++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s", r == m->rules ? "" : ", ", r->name);
	return buf;
}

void method_effect_new(struct method_effect *e, int *n, const char *name)
{
	if (*n == METHOD_MAX_EFFECTS)
		die(HCR_EXIT_FAIL, "internal: more than %d item effects", METHOD_MAX_EFFECTS);
	snprintf(e[*n].name, sizeof e[*n].name, "%s", name);
	(*n)++;
}

void method_effect_add(struct method_effect *e, const struct repset *rs, int k, unsigned mask,
    int centre)
{
	double *w = repset_user_weights(rs, centre), *mu = xmalloc(((size_t)rs->ni + 1) * sizeof *mu);
	int g;
	int64_t i;
	if (!e->mu)
		e->mu = xcalloc((size_t)rs->ni + 1, sizeof *e->mu);
	for (g = 0; g < GROUP_COUNT; g++) {
		struct rule_group rg = scoring_group(rs, k, g);
		double *abar;
		if (!(mask & (1u << g)) || !rg.user)
			continue;
		abar = scoring_users_mean(rs, rg, w);
		scoring_item_effects(rs, rg, abar, mu);
		for (i = 0; i < rs->ni; i++)
			e->mu[i] += mu[i];
		free(abar);
	}
	free(mu);
	free(w);
}

int method_effects(const struct method *m, const struct repset *rs, struct method_effect *out)
{
	char name[24];
	int n = 0, k, g;
	memset(out, 0, METHOD_MAX_EFFECTS * sizeof *out);
	if (m->effects)
		return m->effects(rs, out);
	for (k = 0; k < rs->towers; k++)
		for (g = 0; g < GROUP_COUNT; g++)
			if (scoring_group(rs, k, g).user) {
				snprintf(name, sizeof name, "%d/%s", k + 1, rep_group_names[g]);
				method_effect_new(out, &n, name);
				method_effect_add(&out[n - 1], rs, k, 1u << g, CENTRE_USERS);
			}
	return n;
}

void method_effects_free(struct method_effect *e, int n)
{
	for (int k = 0; k < n; k++) {
		free(e[k].mu);
		e[k].mu = NULL;
	}
}
