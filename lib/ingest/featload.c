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

int feature_load_onehot(const struct feat_spec *s, FILE *fp, const char *name,
    const char *map, size_t map_len, const char *map_name, const struct vocab *items,
    struct feature *f, struct load_error *e)
{
	struct featrow r;
	struct lines src;
	int rc;
	feature_init(f);
	lines_init(&src, fp);
	fr_init(&r, s, items, f);
	f->format = xstrdup("ascii");
	rc = feat_load_onehot(&r, &src, name, map, map_len, map_name, e);
	rc = rc == 0 ? fr_finish(&r, name, e) : (fr_free(&r), -1);
	lines_free(&src);
	if (rc != 0) {
		feature_free(f);
		return -1;
	}
	f->source = xstrdup(name);
	return 0;
}

/* FILE.ascii's column names, FILE_map.txt, when it is there: its bytes, else NULL. */
static char *onehot_map(const char *path, char **map_path, size_t *len,
    struct load_error *e, int *failed)
{
	size_t n = strlen(path), cap = 0;
	char *text = NULL;
	FILE *fp;
	*failed = 0;
	*map_path = NULL;
	if (n < 6 || strcmp(path + n - 6, ".ascii") != 0)
		return NULL;
	*map_path = xmalloc(n + 8);
	memcpy(*map_path, path, n - 6);
	strcpy(*map_path + n - 6, "_map.txt");
	fp = fopen(*map_path, "rb");
	if (!fp) {
		free(*map_path);
		*map_path = NULL;
		return NULL;
	}
	*len = 0;
	for (;;) {
		size_t got;
		XGROW(text, cap, *len + 4096);
		got = fread(text + *len, 1, cap - *len, fp);
		*len += got;
		if (got == 0)
			break;
		if (*len > ((size_t)64 << 20)) {
			load_fail(e, HCR_EXIT_DATA, "%s: expected column names, got more than 64 MiB",
			    *map_path);
			*failed = 1;
			break;
		}
	}
	if (!*failed && ferror(fp)) {
		load_fail(e, HCR_EXIT_IO, "%s: read error", *map_path);
		*failed = 1;
	}
	fclose(fp);
	return text;
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
	if (!S_ISDIR(st.st_mode)) {
		char *map_path, *map;
		size_t map_len = 0;
		int failed;
		map = onehot_map(s->path, &map_path, &map_len, e, &failed);
		if (failed) {
			free(map);
			free(map_path);
			return -1;
		}
		if (map) {
			fp = fopen(s->path, "rb");
			if (!fp) {
				free(map);
				free(map_path);
				return load_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", s->path,
				    strerror(errno));
			}
			rc = feature_load_onehot(s, fp, s->path, map, map_len, map_path, items, f, e);
			if (ferror(fp) && rc == 0)
				rc = load_fail(e, HCR_EXIT_IO, "%s: read error", s->path);
			fclose(fp);
			free(map);
			free(map_path);
			if (rc != 0)
				feature_free(f);
			return rc;
		}
	}
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
