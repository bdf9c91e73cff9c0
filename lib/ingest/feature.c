/* feature.c: item modalities in memory and in `feature` sections. */
#include "ingest/feature.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *const role_names[] = { "exposure", "content" };
static const char *const kind_names[] = { "dense", "bag" };

const char *feat_role_name(int role)
{
	return role == FEAT_EXPOSURE || role == FEAT_CONTENT ? role_names[role] : "?";
}

const char *feat_kind_name(int kind)
{
	return kind == FEAT_DENSE || kind == FEAT_BAG ? kind_names[kind] : "?";
}

static int name_index(const char *const *names, int n, const char *s, size_t len)
{
	int k;
	for (k = 0; k < n; k++)
		if (strlen(names[k]) == len && memcmp(names[k], s, len) == 0)
			return k;
	return -1;
}

int feat_role_parse(const char *s, size_t len)
{
	return name_index(role_names, 2, s, len);
}

int feat_name_ok(const char *s, size_t len)
{
	size_t i;
	if (len == 0 || len > FEAT_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

void feature_init(struct feature *f)
{
	memset(f, 0, sizeof *f);
}

void feature_free(struct feature *f)
{
	int64_t k;
	free(f->x);
	free(f->mean);
	free(f->std);
	csr_free(&f->bag);
	free(f->weights);
	if (f->tokens)
		for (k = 0; k < f->vocab; k++)
			free(f->tokens[k]);
	free(f->tokens);
	free(f->source);
	free(f->format);
	free(f->column);
	free(f->values);
	feature_init(f);
}

void feature_standardize(struct feature *f, const uint8_t *have)
{
	int64_t i, j, d = f->dim, rows = 0;
	double *sum = xcalloc((size_t)d + 1, sizeof *sum), *sq = xcalloc((size_t)d + 1, sizeof *sq);
	f->mean = xmalloc(((size_t)d + 1) * sizeof *f->mean);
	f->std = xmalloc(((size_t)d + 1) * sizeof *f->std);
	for (i = 0; i < f->items; i++) {
		if (!have[i])
			continue;
		rows++;
		for (j = 0; j < d; j++)
			sum[j] += f->x[i * d + j];
	}
	for (j = 0; j < d; j++)
		sum[j] = rows ? sum[j] / (double)rows : 0.0;
	/* a second pass over the deviations, which keeps the variance accurate */
	for (i = 0; i < f->items; i++)
		if (have[i])
			for (j = 0; j < d; j++) {
				double e = f->x[i * d + j] - sum[j];
				sq[j] += e * e;
			}
	for (j = 0; j < d; j++) {
		double sd = rows ? sqrt(sq[j] / (double)rows) : 0.0;
		f->mean[j] = (float)sum[j];
		/* a constant column becomes 0, not a division by zero */
		f->std[j] = sd > 0 && (float)sd > 0 ? (float)sd : 1.0f;
	}
	for (i = 0; i < f->items; i++)
		if (have[i])
			for (j = 0; j < d; j++)
				f->x[i * d + j] = (float)((f->x[i * d + j] - sum[j]) / f->std[j]);
	f->standardized = 1;
	free(sum);
	free(sq);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void feature_write(struct hs_out *out, const struct feature *f)
{
	msgpack_packer *pk = hs_begin(out, "feature", 1);
	msgpack_pack_map(pk, 16);
	mp_kv_str(pk, "name", f->name);
	mp_kv_str(pk, "role", feat_role_name(f->role));
	mp_kv_str(pk, "kind", feat_kind_name(f->kind));
	mp_kv_int(pk, "items", f->items);
	if (f->kind == FEAT_DENSE)
		mp_kv_int(pk, "dim", f->dim);
	else
		mp_kv_int(pk, "vocab", f->vocab);
	mp_kv_str(pk, "source", or_empty(f->source));
	mp_kv_str(pk, "format", or_empty(f->format));
	mp_kv_str(pk, "column", or_empty(f->column));
	mp_kv_str(pk, "values", or_empty(f->values));
	mp_kv_int(pk, "rows", f->n.rows);
	mp_kv_int(pk, "empty", f->n.empty);
	mp_kv_int(pk, "short", f->n.shortv);
	mp_kv_int(pk, "unknown", f->n.unknown);
	mp_kv_int(pk, "duplicates", f->n.duplicates);
	mp_kv_int(pk, "missing", f->n.missing);
	mp_kv_bool(pk, "standardized", f->kind == FEAT_DENSE && f->standardized);
	if (f->kind == FEAT_DENSE) {
		hs_write_block(out, "x", HS_F4, f->items, f->dim, f->x);
		if (f->standardized) {
			hs_write_block(out, "mean", HS_F4, f->dim, 0, f->mean);
			hs_write_block(out, "std", HS_F4, f->dim, 0, f->std);
		}
	} else {
		hs_write_block(out, "offsets", HS_I8, f->items + 1, 0, f->bag.off);
		hs_write_block(out, "ids", HS_I4, f->bag.off[f->items], 0, f->bag.idx);
		hs_write_block(out, "weights", HS_F4, f->bag.off[f->items], 0, f->weights);
		if (f->tokens)
			hs_write_block(out, "tokens", HS_STR, f->vocab, 0, f->tokens);
	}
	hs_end(out);
}

/* An optional string of the meta, copied ("" when absent or not a string). */
static char *meta_str(const struct hs_section *sec, const char *key)
{
	const msgpack_object *v = hs_get(sec->meta, key);
	if (!v || v->type != MSGPACK_OBJECT_STR || memchr(v->via.str.ptr, 0, v->via.str.size))
		return xstrdup("");
	return xstrndup(v->via.str.ptr, v->via.str.size);
}

static void next_block(struct hs_in *in, const struct feature *f, const char *name,
    enum hs_dtype dtype, int64_t rows, int64_t cols, struct hs_block *b)
{
	const msgpack_object *rec = hs_next_record(in);
	if (!rec)
		hs_die(in, "feature '%s' ends before its block '%s'", f->name, name);
	hs_expect_block(in, rec, name, dtype, rows, cols, b);
}

static void check_finite(struct hs_in *in, const struct feature *f, const char *block,
    const float *v, int64_t n, int64_t width)
{
	int64_t k;
	for (k = 0; k < n; k++)
		if (!isfinite(v[k]))
			hs_die(in, "feature '%s': block '%s' holds %g at row %lld, expected a finite "
			    "number", f->name, block, v[k], (long long)(k / width));
}

static void read_dense(struct hs_in *in, const struct hs_section *sec, struct feature *f)
{
	struct hs_block b;
	const msgpack_object *st = hs_get(sec->meta, "standardized");
	int64_t j;
	f->dim = hs_meta_int(in, sec, "dim");
	if (f->dim < 1 || f->dim > ((int64_t)1 << 24))
		hs_die(in, "feature '%s' has dim %lld, expected 1 to %d", f->name,
		    (long long)f->dim, 1 << 24);
	/* the meta lives only until the first block is read */
	f->standardized = st && st->type == MSGPACK_OBJECT_BOOLEAN && st->via.boolean;
	next_block(in, f, "x", HS_F4, f->items, f->dim, &b);
	f->x = b.data;
	check_finite(in, f, "x", f->x, f->items * f->dim, f->dim);
	if (!f->standardized)
		return;
	next_block(in, f, "mean", HS_F4, f->dim, 0, &b);
	f->mean = b.data;
	check_finite(in, f, "mean", f->mean, f->dim, 1);
	next_block(in, f, "std", HS_F4, f->dim, 0, &b);
	f->std = b.data;
	check_finite(in, f, "std", f->std, f->dim, 1);
	for (j = 0; j < f->dim; j++)
		if (!(f->std[j] > 0))
			hs_die(in, "feature '%s': std[%lld] is %g, expected a positive number",
			    f->name, (long long)j, f->std[j]);
}

/* Returns 1 if the section's trailer was read (no tokens block). */
static int read_bag(struct hs_in *in, const struct hs_section *sec, struct feature *f)
{
	struct hs_block b;
	const msgpack_object *rec;
	int64_t i, k, n;
	f->vocab = hs_meta_int(in, sec, "vocab");
	if (f->vocab < 0 || f->vocab > INT32_MAX)
		hs_die(in, "feature '%s' has vocab %lld, expected 0 to %d", f->name,
		    (long long)f->vocab, INT32_MAX);
	next_block(in, f, "offsets", HS_I8, f->items + 1, 0, &b);
	f->bag.off = b.data;
	f->bag.rows = f->items;
	f->bag.cols = f->vocab;
	if (f->bag.off[0] != 0)
		hs_die(in, "feature '%s': offsets start at %lld, expected 0", f->name,
		    (long long)f->bag.off[0]);
	for (i = 0; i < f->items; i++)
		if (f->bag.off[i + 1] < f->bag.off[i])
			hs_die(in, "feature '%s': offsets decrease at item %lld (%lld then %lld)",
			    f->name, (long long)i, (long long)f->bag.off[i],
			    (long long)f->bag.off[i + 1]);
	n = f->bag.off[f->items];
	next_block(in, f, "ids", HS_I4, n, 0, &b);
	f->bag.idx = b.data;
	next_block(in, f, "weights", HS_F4, n, 0, &b);
	f->weights = b.data;
	for (i = 0; i < f->items; i++)
		for (k = f->bag.off[i]; k < f->bag.off[i + 1]; k++) {
			int32_t id = f->bag.idx[k];
			if (id < 0 || id >= f->vocab)
				hs_die(in, "feature '%s': item %lld holds id %d, outside its vocab of %lld",
				    f->name, (long long)i, id, (long long)f->vocab);
			if (k > f->bag.off[i] && id <= f->bag.idx[k - 1])
				hs_die(in, "feature '%s': the ids of item %lld are not ascending and "
				    "distinct (%d after %d)", f->name, (long long)i, id,
				    f->bag.idx[k - 1]);
			if (!(isfinite(f->weights[k]) && f->weights[k] > 0))
				hs_die(in, "feature '%s': item %lld has weight %g for id %d, expected a "
				    "finite positive number", f->name, (long long)i, f->weights[k], id);
		}
	/* the tokens are optional: the trailer may come instead */
	rec = hs_next_record(in);
	if (!rec)
		return 1;
	hs_expect_block(in, rec, "tokens", HS_STR, f->vocab, 0, &b);
	f->tokens = b.data;
	return 0;
}

void feature_read(struct hs_in *in, const struct hs_section *sec, int64_t items,
    struct feature *f)
{
	const char *s;
	size_t len;
	int k;

	feature_init(f);
	s = hs_str(in, hs_key(in, sec->meta, "name"), "'name' in the header of section "
	    "'feature'", &len);
	if (!feat_name_ok(s, len))
		hs_die(in, "feature name '%.*s' is not 1 to %d of A-Z a-z 0-9 _ . -",
		    (int)(len > 64 ? 64 : len), s, FEAT_NAME_MAX);
	memcpy(f->name, s, len);
	s = hs_str(in, hs_key(in, sec->meta, "role"), "'role' of a feature", &len);
	f->role = feat_role_parse(s, len);
	if (f->role < 0)
		hs_die(in, "feature '%s' has role '%.*s', expected 'exposure' or 'content'",
		    f->name, (int)(len > 64 ? 64 : len), s);
	s = hs_str(in, hs_key(in, sec->meta, "kind"), "'kind' of a feature", &len);
	k = name_index(kind_names, 2, s, len);
	if (k < 0)
		hs_die(in, "feature '%s' has kind '%.*s', expected 'dense' or 'bag'", f->name,
		    (int)(len > 64 ? 64 : len), s);
	f->kind = k;
	f->items = hs_meta_int(in, sec, "items");
	if (f->items != items)
		hs_die(in, "feature '%s' has %lld items, the vocab %lld", f->name,
		    (long long)f->items, (long long)items);
	f->source = meta_str(sec, "source");
	f->format = meta_str(sec, "format");
	f->column = meta_str(sec, "column");
	f->values = meta_str(sec, "values");
	f->n.rows = hs_meta_int_or(sec, "rows", 0);
	f->n.empty = hs_meta_int_or(sec, "empty", 0);
	f->n.shortv = hs_meta_int_or(sec, "short", 0);
	f->n.unknown = hs_meta_int_or(sec, "unknown", 0);
	f->n.duplicates = hs_meta_int_or(sec, "duplicates", 0);
	f->n.missing = hs_meta_int_or(sec, "missing", 0);
	if (f->kind == FEAT_DENSE)
		read_dense(in, sec, f);
	else if (read_bag(in, sec, f))
		return;
	if (hs_next_record(in))
		hs_die(in, "feature '%s' has a record after its blocks", f->name);
}

void feature_set_init(struct feature_set *fs)
{
	memset(fs, 0, sizeof *fs);
}

void feature_set_free(struct feature_set *fs)
{
	int k;
	for (k = 0; k < fs->n; k++)
		feature_free(&fs->f[k]);
	free(fs->f);
	feature_set_init(fs);
}

int feature_take(struct hs_in *in, const struct hs_section *sec, const struct dataset *d,
    struct feature_set *fs)
{
	struct feature f;
	int k;
	if (strcmp(sec->name, "feature") != 0)
		return 0;
	if (!d->have_vocab)
		hs_die(in, "a 'feature' section before any 'vocab' section");
	feature_read(in, sec, d->items.n, &f);
	for (k = 0; k < fs->n; k++)
		if (strcmp(fs->f[k].name, f.name) == 0) {
			feature_free(&fs->f[k]);
			fs->f[k] = f;
			return 1;
		}
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 4;
		fs->f = xreallocarray(fs->f, (size_t)fs->cap, sizeof *fs->f);
	}
	fs->f[fs->n++] = f;
	return 1;
}

const struct feature *feature_find(const struct feature_set *fs, const char *name)
{
	int k;
	for (k = 0; k < fs->n; k++)
		if (strcmp(fs->f[k].name, name) == 0)
			return &fs->f[k];
	return NULL;
}
