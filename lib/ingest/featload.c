/* featload.c: the -m syntax, and which loader reads a file. */
#include "ingest/featload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/featrow.h"
#include "common/util.h"

static const char syntax[] = "NAME:ROLE[:VALUES][@COLUMN]=FILE";

int feat_spec_parse(const char *arg, struct feat_spec *s, struct load_error *e)
{
	const char *eq = strchr(arg, '='), *at, *c1, *c2, *end;
	char buf[64];
	int v;

	s->column = s->path = NULL;
	if (!eq || eq == arg || !eq[1])
		return fr_fail(e, HCR_EXIT_USAGE, "-m: expected %s, got '%s'", syntax, arg);
	at = memchr(arg, '@', (size_t)(eq - arg));
	end = at ? at : eq;
	c1 = memchr(arg, ':', (size_t)(end - arg));
	if (!c1)
		return fr_fail(e, HCR_EXIT_USAGE, "-m: expected %s, got '%s' (no role)", syntax, arg);
	if (!feat_name_ok(arg, (size_t)(c1 - arg)))
		return fr_fail(e, HCR_EXIT_USAGE, "-m: expected a NAME of 1 to %d of A-Z a-z 0-9 "
		    "_ . -, got '%.*s'", FEAT_NAME_MAX, (int)(c1 - arg), arg);
	memcpy(s->name, arg, (size_t)(c1 - arg));
	s->name[c1 - arg] = '\0';
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	s->role = feat_role_parse(c1 + 1, (size_t)((c2 ? c2 : end) - c1 - 1));
	if (s->role < 0)
		return fr_fail(e, HCR_EXIT_USAGE, "-m %s: expected the role exposure or content, "
		    "got '%.*s'", s->name, (int)((c2 ? c2 : end) - c1 - 1), c1 + 1);
	s->values = FV_AUTO;
	if (c2) {
		size_t len = (size_t)(end - c2 - 1);
		for (v = FV_DENSE; v < FV_COUNT; v++)
			if (strlen(feat_values_name(v)) == len &&
			    memcmp(feat_values_name(v), c2 + 1, len) == 0)
				break;
		if (v == FV_COUNT)
			return fr_fail(e, HCR_EXIT_USAGE, "-m %s: expected the values dense, words, "
			    "multi, decade or category, got '%s'", s->name,
			    fr_shown(c2 + 1, len, buf, sizeof buf));
		s->values = v;
	}
	if (at) {
		if (at + 1 == eq)
			return fr_fail(e, HCR_EXIT_USAGE, "-m %s: expected a column after '@', got "
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

static int load_open(const struct feat_spec *s, FILE *fp, const char *name,
    const struct vocab *items, struct feature *f, struct load_error *e)
{
	struct featrow r;
	struct lines src;
	const char *p;
	size_t n, i;
	int rc;

	lines_init(&src, fp);
	fr_init(&r, s, items, f);
	p = lines_peek(&src, 3, &n);
	if (n == 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		lines_skip(&src, 3); /* a UTF-8 byte-order mark is not part of the first field */
	p = lines_peek(&src, (size_t)1 << 16, &n);
	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'); i++)
		;
	if (i < n && (p[i] == '{' || p[i] == '[')) {
		f->format = xstrdup("jsonl");
		rc = feat_load_jsonl(&r, &src, name, e);
	} else {
		/* a tab in the first line makes the file TSV */
		const char *nl = memchr(p, '\n', n);
		int tsv = memchr(p, '\t', nl ? (size_t)(nl - p) : n) != NULL;
		f->format = xstrdup(tsv ? "tsv" : "csv");
		rc = feat_load_table(&r, &src, name, tsv, e);
	}
	if (rc == 0)
		rc = fr_finish(&r, name, e);
	else
		fr_free(&r);
	lines_free(&src);
	return rc;
}

int feature_load_file(const struct feat_spec *s, FILE *fp, const char *name,
    const struct vocab *items, struct feature *f, struct load_error *e)
{
	feature_init(f);
	if (load_open(s, fp, name, items, f, e) != 0) {
		feature_free(f);
		return -1;
	}
	f->source = xstrdup(name);
	if (!f->column)
		f->column = xstrdup("");
	return 0;
}

int feature_load(const struct feat_spec *s, const struct vocab *items, struct feature *f,
    struct load_error *e)
{
	struct stat st;
	FILE *fp;
	int rc;

	feature_init(f);
	if (stat(s->path, &st) != 0)
		return fr_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", s->path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		struct featrow r;
		if (s->values != FV_AUTO && s->values != FV_DENSE)
			return fr_fail(e, HCR_EXIT_USAGE, "-m %s: a folder of .npy files holds dense "
			    "vectors, not %s", s->name, feat_values_name(s->values));
		if (s->column)
			return fr_fail(e, HCR_EXIT_USAGE, "-m %s: a folder of .npy files has no "
			    "column '%s'", s->name, s->column);
		fr_init(&r, s, items, f);
		f->format = xstrdup("npy");
		rc = feat_load_npy_dir(&r, s->path, e);
		rc = rc == 0 ? fr_finish(&r, s->path, e) : (fr_free(&r), -1);
		if (rc != 0) {
			feature_free(f);
			return -1;
		}
		f->source = xstrdup(s->path);
		f->column = xstrdup("");
		return 0;
	}
	fp = fopen(s->path, "rb");
	if (!fp)
		return fr_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", s->path, strerror(errno));
	rc = feature_load_file(s, fp, s->path, items, f, e);
	if (ferror(fp) && rc == 0)
		rc = fr_fail(e, HCR_EXIT_IO, "%s: read error", s->path);
	fclose(fp);
	if (rc != 0)
		feature_free(f);
	return rc;
}
