/* featspec.c: the -m syntax of extract-features, parsed with every error naming what
 * was expected. */
#include "ingest/featspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *const values_names[FV_COUNT] = { "auto", "dense", "words", "multi",
	"decade", "category" };

const char *feat_values_name(int values)
{
	return values >= 0 && values < FV_COUNT ? values_names[values] : "?";
}

static const char syntax[] = "NAME:ROLE[:VALUES][@COLUMN]=FILE";

int feat_spec_parse(const char *arg, struct feat_spec *s, struct load_error *e)
{
	const char *eq = strchr(arg, '='), *at, *c1, *c2, *end;
	char buf[64];
	int v;

	s->column = s->path = NULL;
	if (!eq || eq == arg || !eq[1])
		return load_fail(e, HCR_EXIT_USAGE, "-m: expected %s, got '%s'", syntax, arg);
	at = memchr(arg, '@', (size_t)(eq - arg));
	end = at ? at : eq;
	c1 = memchr(arg, ':', (size_t)(end - arg));
	if (!c1)
		return load_fail(e, HCR_EXIT_USAGE, "-m: expected %s, got '%s' (no role)", syntax, arg);
	if (!feat_name_ok(arg, (size_t)(c1 - arg)))
		return load_fail(e, HCR_EXIT_USAGE, "-m: expected a NAME of 1 to %d of A-Z a-z 0-9 "
		    "_ . -, got '%.*s'", FEAT_NAME_MAX, (int)(c1 - arg), arg);
	memcpy(s->name, arg, (size_t)(c1 - arg));
	s->name[c1 - arg] = '\0';
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	s->role = feat_role_parse(c1 + 1, (size_t)((c2 ? c2 : end) - c1 - 1));
	if (s->role < 0)
		return load_fail(e, HCR_EXIT_USAGE, "-m %s: expected the role exposure or content, "
		    "got '%.*s'", s->name, (int)((c2 ? c2 : end) - c1 - 1), c1 + 1);
	s->values = FV_AUTO;
	if (c2) {
		size_t len = (size_t)(end - c2 - 1);
		for (v = FV_DENSE; v < FV_COUNT; v++)
			if (strlen(feat_values_name(v)) == len &&
			    memcmp(feat_values_name(v), c2 + 1, len) == 0)
				break;
		if (v == FV_COUNT)
			return load_fail(e, HCR_EXIT_USAGE, "-m %s: expected the values dense, words, "
			    "multi, decade or category, got '%s'", s->name,
			    load_shown(c2 + 1, len, buf, sizeof buf));
		s->values = v;
	}
	if (at) {
		if (at + 1 == eq)
			return load_fail(e, HCR_EXIT_USAGE, "-m %s: expected a column after '@', got "
			    "nothing", s->name);
		s->column = xstrndup(at + 1, (size_t)(eq - at - 1));
	}
	s->path = xstrdup(eq + 1);
	return 0;
}

void feat_spec_free(struct feat_spec *s)
{
	free(s->column);
	free(s->path);
	s->column = s->path = NULL;
}
