/* featnpy.c: a dense modality from a folder of .npy files, one per item, named by the
 * item id (Kwai's visual features); files of items outside the vocabulary are counted
 * and not read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/npy.h"
#include "common/util.h"
#include "ingest/featrow.h"

/* A file larger than this is not one item's vector. */
#define NPY_MAX_FILE ((size_t)1 << 30)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads path whole into *buf: 0, or -1 with e filled. */
static int slurp(const char *path, unsigned char **buf, size_t *len, struct load_error *e)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	size_t got;
	if (!fp)
		return load_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) != 0 || (size_t)st.st_size > NPY_MAX_FILE) {
		fclose(fp);
		return load_fail(e, HCR_EXIT_DATA, "%s: byte 0: expected a .npy file of at most %zu "
		    "bytes, got %lld", path, NPY_MAX_FILE, (long long)st.st_size);
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	got = fread(*buf, 1, (size_t)st.st_size, fp);
	if (ferror(fp)) {
		fclose(fp);
		free(*buf);
		return load_fail(e, HCR_EXIT_IO, "%s: read error", path);
	}
	fclose(fp);
	*len = got;
	return 0;
}

int feat_load_npy_dir(struct featrow *r, const char *dir, struct load_error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *path = NULL, *first = NULL;
	size_t n = 0, cap = 0, k, pathcap = 0;
	int rc = 0;

	if (!d)
		return load_fail(e, HCR_EXIT_IO, "%s: cannot open: %s", dir, strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			XGROW(names, cap, n + 1);
			names[n++] = xstrdup(de->d_name);
		}
	closedir(d);
	/* directory order differs between file systems; name order does not */
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);
	fr_start(r, FV_DENSE);
	for (k = 0; k < n && rc == 0; k++) {
		size_t idlen = strlen(names[k]), len = 0, at = 0;
		unsigned char *buf = NULL;
		struct stat st;
		struct npy h;
		char msg[256];
		int64_t item;
		float *v;

		XGROW(path, pathcap, strlen(dir) + idlen + 2);
		snprintf(path, pathcap, "%s/%s", dir, names[k]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (idlen > 4 && strcmp(names[k] + idlen - 4, ".npy") == 0)
			idlen -= 4;
		item = vocab_find(r->items, names[k], idlen);
		if (item < 0 || r->have[item]) {
			r->f->n.rows++;
			if (item < 0)
				r->f->n.unknown++;
			else
				r->f->n.duplicates++;
			continue;
		}
		if ((rc = slurp(path, &buf, &len, e)) != 0)
			break;
		v = NULL;
		if (npy_header(buf, len, &h, &at, msg, sizeof msg) == 0) {
			v = xmalloc(((size_t)h.count + 1) * sizeof *v);
			if (npy_vector(buf, len, &h, v, &at, msg, sizeof msg) != 0) {
				free(v);
				v = NULL;
			}
		}
		free(buf);
		if (!v) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: byte %zu: %s", path, at, msg);
			break;
		}
		fr_clear(r);
		for (at = 0; at < (size_t)h.count; at++)
			fr_value(r, v[at]);
		free(v);
		if (!fr_dense_len_ok(r, (int64_t)k)) {
			if (r->spec->skip_short) {
				r->f->n.rows++;
				r->f->n.shortv++;
				continue;
			}
			rc = load_fail(e, HCR_EXIT_DATA, "%s: expected %lld values (as in %s), got %zu",
			    path, (long long)r->dim, first, r->nv);
			break;
		}
		if (!first && r->nv > 0)
			first = names[k];
		fr_end(r, names[k], idlen);
	}
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
	free(path);
	return rc ? -1 : 0;
}
