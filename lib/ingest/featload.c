/* featload.c: the -m syntax, and which loader reads a file. */
#include "ingest/featload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "ingest/featrow.h"

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
		return load_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", s->path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		struct featrow r;
		if (s->values != FV_AUTO && s->values != FV_DENSE)
			return load_fail(e, HCR_EXIT_USAGE, "-m %s: a folder of .npy files holds dense "
			    "vectors, not %s", s->name, feat_values_name(s->values));
		if (s->column)
			return load_fail(e, HCR_EXIT_USAGE, "-m %s: a folder of .npy files has no "
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
		return load_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", s->path, strerror(errno));
	rc = feature_load_file(s, fp, s->path, items, f, e);
	if (ferror(fp) && rc == 0)
		rc = load_fail(e, HCR_EXIT_IO, "%s: read error", s->path);
	fclose(fp);
	if (rc != 0)
		feature_free(f);
	return rc;
}
