/* method.c: what every method shares: its rules by name. */
#include "train/method.h"

#include <stdio.h>
#include <string.h>

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
