/* dataset.c: the vocab and split sections in memory and on the stream. */
#include "ingest/dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void split_init(struct split *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->mode, sizeof s->mode, "global");
	s->train_fraction = 0.7;
}

void split_free(struct split *s)
{
	free(s->user);
	free(s->item);
	free(s->time);
	free(s->like);
	free(s->part);
	free(s->rating);
	free(s->stats);
	split_init(s);
}

void split_grade(struct split *s)
{
	if (!s->rating)
		s->rating = xcalloc(s->cap ? (size_t)s->cap : 1, sizeof *s->rating);
}

void split_add(struct split *s, int32_t user, int32_t item, double time, int like, int part)
{
	if (s->n == s->cap) {
		size_t c = s->cap ? (size_t)s->cap * 2 : 1024;
		s->user = xreallocarray(s->user, c, sizeof *s->user);
		s->item = xreallocarray(s->item, c, sizeof *s->item);
		s->time = xreallocarray(s->time, c, sizeof *s->time);
		s->like = xreallocarray(s->like, c, sizeof *s->like);
		s->part = xreallocarray(s->part, c, sizeof *s->part);
		if (s->rating)
			s->rating = xreallocarray(s->rating, c, sizeof *s->rating);
		s->cap = (int64_t)c;
	}
	if (s->rating)
		s->rating[s->n] = 0;
	s->user[s->n] = user;
	s->item[s->n] = item;
	s->time[s->n] = time;
	s->like[s->n] = (uint8_t)(like != 0);
	s->part[s->n] = (uint8_t)part;
	s->n++;
}

void split_stat(struct split *s, const char *name, int64_t value)
{
	int i;
	for (i = 0; i < s->nstats; i++)
		if (strcmp(s->stats[i].name, name) == 0) {
			s->stats[i].value = value;
			return;
		}
	s->stats = xreallocarray(s->stats, (size_t)s->nstats + 1, sizeof *s->stats);
	snprintf(s->stats[s->nstats].name, sizeof s->stats[0].name, "%s", name);
	s->stats[s->nstats++].value = value;
}

int64_t split_count(const struct split *s, int part)
{
	int64_t k, n = 0;
	for (k = 0; k < s->n; k++)
		n += s->part[k] == part;
	return n;
}

void vocab_write(struct hs_out *out, const struct vocab *users, const struct vocab *items)
{
	msgpack_packer *pk = hs_begin(out, "vocab", 1);
	const char **p;
	msgpack_pack_map(pk, 2);
	mp_kv_int(pk, "users", users->n);
	mp_kv_int(pk, "items", items->n);
	p = vocab_ptrs(users);
	hs_write_block(out, "users", HS_STR, users->n, 0, p);
	free(p);
	p = vocab_ptrs(items);
	hs_write_block(out, "items", HS_STR, items->n, 0, p);
	free(p);
	hs_end(out);
}

static void read_ids(struct hs_in *in, const char *name, int64_t n, struct vocab *v)
{
	const msgpack_object *rec = hs_next_record(in);
	struct hs_block b;
	int64_t i;
	if (!rec)
		hs_die(in, "section 'vocab' ends before its block '%s'", name);
	hs_expect_block(in, rec, name, HS_STR, n, 0, &b);
	vocab_init(v);
	for (i = 0; i < n; i++) {
		const char *s = ((char **)b.data)[i];
		int added;
		vocab_intern(v, s, strlen(s), &added);
		if (!added)
			hs_die(in, "block '%s': id '%s' appears twice (at %lld and before)", name, s,
			    (long long)i);
	}
	hs_block_free(&b);
}

void vocab_read(struct hs_in *in, const struct hs_section *sec, struct vocab *users,
    struct vocab *items)
{
	int64_t nu = hs_meta_int(in, sec, "users"), ni = hs_meta_int(in, sec, "items");
	if (nu < 0 || ni < 0 || nu > INT32_MAX || ni > INT32_MAX)
		hs_die(in, "vocab sizes %lld users and %lld items are out of range", (long long)nu,
		    (long long)ni);
	read_ids(in, "users", nu, users);
	read_ids(in, "items", ni, items);
	if (hs_next_record(in))
		hs_die(in, "section 'vocab' has a record after its two blocks");
}

/* An integral number stays an integer, so Unix seconds, dates and ratings read as
 * written. */
static void pack_number(msgpack_packer *pk, double t)
{
	if (t == floor(t) && fabs(t) < 9.0e15)
		msgpack_pack_int64(pk, (int64_t)t);
	else
		msgpack_pack_double(pk, t);
}

void split_write(struct hs_out *out, const struct split *s, int64_t users, int64_t items)
{
	/* a graded split is version 2 (records of six); an ungraded one stays version 1,
	 * byte for byte what it always was */
	msgpack_packer *pk = hs_begin(out, "split", s->rating ? 2 : 1);
	int64_t k;
	int i;
	msgpack_pack_map(pk, 9 + (s->rating ? 4 : 0) + (size_t)s->nstats);
	mp_kv_int(pk, "users", users);
	mp_kv_int(pk, "items", items);
	mp_kv_int(pk, "clicks", s->n);
	mp_kv_str(pk, "mode", s->mode);
	mp_kv_num(pk, "train_fraction", s->train_fraction);
	mp_kv_str(pk, "format", s->format);
	mp_kv_int(pk, "train", split_count(s, PART_TRAIN));
	mp_kv_int(pk, "valid", split_count(s, PART_VALID));
	mp_kv_int(pk, "test", split_count(s, PART_TEST));
	if (s->rating) {
		mp_kv_bool(pk, "graded", 1);
		mp_key(pk, "exposure");
		msgpack_pack_array(pk, (size_t)((s->exposure & SPLIT_EXPOSED_VALID) != 0) +
		    ((s->exposure & SPLIT_EXPOSED_TEST) != 0));
		if (s->exposure & SPLIT_EXPOSED_VALID)
			mp_str(pk, "valid");
		if (s->exposure & SPLIT_EXPOSED_TEST)
			mp_str(pk, "test");
		mp_kv_str(pk, "like_rule", s->like_rule);
		mp_kv_str(pk, "valid_rule", s->valid_rule);
	}
	for (i = 0; i < s->nstats; i++)
		mp_kv_int(pk, s->stats[i].name, s->stats[i].value);
	for (k = 0; k < s->n; k++) {
		pk = hs_record(out);
		msgpack_pack_array(pk, s->rating ? 6 : 5);
		msgpack_pack_int32(pk, s->user[k]);
		msgpack_pack_int32(pk, s->item[k]);
		pack_number(pk, s->time[k]);
		msgpack_pack_int32(pk, s->like[k]);
		msgpack_pack_int32(pk, s->part[k]);
		if (s->rating)
			pack_number(pk, s->rating[k]);
	}
	hs_end(out);
}

/* split-chrono writes about twenty counters; a hostile header of millions would cost
 * quadratic time in split_stat. */
#define MAX_STATS 64

static const char *const meta_keys[] = { "users", "items", "clicks", "mode", "train_fraction",
	"format", "train", "valid", "test", "graded", "exposure", "like_rule", "valid_rule" };

/* A string of the meta into dst, if it is one that fits (these are for people). */
static void meta_text(const msgpack_object *m, const char *key, char *dst, size_t size)
{
	const msgpack_object *v = hs_get(m, key);
	if (v && v->type == MSGPACK_OBJECT_STR && v->via.str.size < size &&
	    !memchr(v->via.str.ptr, '\0', v->via.str.size))
		snprintf(dst, size, "%.*s", (int)v->via.str.size, v->via.str.ptr);
}

void split_read(struct hs_in *in, const struct hs_section *sec, struct split *s,
    int64_t users, int64_t items)
{
	const msgpack_object *rec, *m = sec->meta;
	int64_t nu = hs_meta_int(in, sec, "users"), ni = hs_meta_int(in, sec, "items");
	int64_t n = hs_meta_int(in, sec, "clicks");
	uint32_t i;

	if (nu != users || ni != items)
		hs_die(in, "section 'split' counts %lld users and %lld items, the vocab %lld and %lld",
		    (long long)nu, (long long)ni, (long long)users, (long long)items);
	split_init(s);
	{
		const msgpack_object *mode = hs_get(m, "mode"), *fmt = hs_get(m, "format");
		const msgpack_object *tf = hs_get(m, "train_fraction");
		if (mode && mode->type == MSGPACK_OBJECT_STR && mode->via.str.size < sizeof s->mode)
			snprintf(s->mode, sizeof s->mode, "%.*s", (int)mode->via.str.size,
			    mode->via.str.ptr);
		if (fmt && fmt->type == MSGPACK_OBJECT_STR && fmt->via.str.size < sizeof s->format)
			snprintf(s->format, sizeof s->format, "%.*s", (int)fmt->via.str.size,
			    fmt->via.str.ptr);
		if (tf)
			s->train_fraction = hs_num(in, tf, "meta.train_fraction");
	}
	if (sec->version >= 2) {
		const msgpack_object *x = hs_key(in, m, "exposure");
		uint32_t j;
		split_grade(s);
		if (x->type != MSGPACK_OBJECT_ARRAY)
			hs_die(in, "meta.exposure of a split: expected an array of part names");
		for (j = 0; j < x->via.array.size; j++) {
			if (hs_str_eq(&x->via.array.ptr[j], "valid"))
				s->exposure |= SPLIT_EXPOSED_VALID;
			else if (hs_str_eq(&x->via.array.ptr[j], "test"))
				s->exposure |= SPLIT_EXPOSED_TEST;
			else
				hs_die(in, "meta.exposure of a split: expected 'valid' or 'test'");
		}
		meta_text(m, "like_rule", s->like_rule, sizeof s->like_rule);
		meta_text(m, "valid_rule", s->valid_rule, sizeof s->valid_rule);
	}
	/* the remaining integer members are split-chrono's counters */
	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key, *v = &m->via.map.ptr[i].val;
		size_t j;
		int known = 0;
		for (j = 0; j < sizeof meta_keys / sizeof meta_keys[0]; j++)
			known |= hs_str_eq(k, meta_keys[j]);
		/* a name with a NUL would be cut short, to a known key's name perhaps */
		if (!known && k->type == MSGPACK_OBJECT_STR && k->via.str.size < 48 &&
		    !memchr(k->via.str.ptr, '\0', k->via.str.size) &&
		    (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
			v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)) {
			char name[48];
			if (s->nstats == MAX_STATS)
				hs_die(in, "section 'split' has more than %d counters in its header",
				    MAX_STATS);
			snprintf(name, sizeof name, "%.*s", (int)k->via.str.size, k->via.str.ptr);
			split_stat(s, name, hs_int(in, v, name));
		}
	}
	while ((rec = hs_next_record(in))) {
		const msgpack_object *f = s->rating ? hs_array(in, rec, "a split record [user, "
		    "item, time, like, part, rating]", 6) : hs_array(in, rec, "a split record "
		    "[user, item, time, like, part]", 5);
		int64_t u = hs_int(in, &f[0], "the user of a split record");
		int64_t it = hs_int(in, &f[1], "the item of a split record");
		double t = hs_num(in, &f[2], "the time of a split record");
		int64_t like = hs_int(in, &f[3], "the like of a split record");
		int64_t part = hs_int(in, &f[4], "the part of a split record");
		if (u < 0 || u >= users)
			hs_die(in, "user index %lld is outside the vocab's %lld users", (long long)u,
			    (long long)users);
		if (it < 0 || it >= items)
			hs_die(in, "item index %lld is outside the vocab's %lld items", (long long)it,
			    (long long)items);
		if (like != 0 && like != 1)
			hs_die(in, "like is %lld, expected 0 or 1", (long long)like);
		if (part < PART_TRAIN || part > PART_TEST)
			hs_die(in, "part is %lld, expected 0 (train), 1 (valid) or 2 (test)",
			    (long long)part);
		split_add(s, (int32_t)u, (int32_t)it, t, (int)like, (int)part);
		if (s->rating) {
			double g = hs_num(in, &f[5], "the rating of a split record");
			if (!isfinite(g))
				hs_die(in, "rating is %g, expected a finite number", g);
			s->rating[s->n - 1] = g;
		}
	}
	if (s->n != n)
		die(HCR_EXIT_DATA, "%s: section 'split' holds %lld records, its header says %lld",
		    hs_in_name(in), (long long)s->n, (long long)n);
}

void dataset_init(struct dataset *d)
{
	memset(d, 0, sizeof *d);
	vocab_init(&d->users);
	vocab_init(&d->items);
	split_init(&d->split);
}

void dataset_free(struct dataset *d)
{
	vocab_free(&d->users);
	vocab_free(&d->items);
	split_free(&d->split);
}

int dataset_take(struct hs_in *in, const struct hs_section *sec, struct dataset *d)
{
	if (strcmp(sec->name, "vocab") == 0) {
		if (d->have_vocab) {
			/* a later vocab replaces an earlier one, with the split it goes with */
			vocab_free(&d->users);
			vocab_free(&d->items);
			split_free(&d->split);
			d->have_split = 0;
		}
		vocab_read(in, sec, &d->users, &d->items);
		d->have_vocab = 1;
		return 1;
	}
	if (strcmp(sec->name, "split") == 0) {
		if (!d->have_vocab)
			hs_die(in, "a 'split' section before any 'vocab' section");
		if (d->have_split)
			split_free(&d->split);
		split_read(in, sec, &d->split, d->users.n, d->items.n);
		d->have_split = 1;
		return 1;
	}
	return 0;
}

void dataset_require(const struct hs_in *in, const struct dataset *d)
{
	if (!d->have_vocab)
		hs_missing(in, "vocab", "expected a stream from split-chrono");
	if (!d->have_split)
		hs_missing(in, "split", "expected a stream from split-chrono");
}

void split_user_items(const struct split *s, int64_t users, int64_t items, int part,
    int like_only, struct csr *out)
{
	int32_t *r = xmalloc(((size_t)s->n + 1) * sizeof *r);
	int32_t *c = xmalloc(((size_t)s->n + 1) * sizeof *c);
	size_t m = 0;
	int64_t k;
	for (k = 0; k < s->n; k++)
		if (s->part[k] == part && (!like_only || s->like[k])) {
			r[m] = s->user[k];
			c[m++] = s->item[k];
		}
	csr_build(out, users, items, m, r, c, 1);
	free(r);
	free(c);
}

int64_t split_later_likes(const struct split *s, const struct csr *train, int part,
    struct csr *out)
{
	int32_t *r = xmalloc(((size_t)s->n + 1) * sizeof *r);
	int32_t *c = xmalloc(((size_t)s->n + 1) * sizeof *c);
	size_t m = 0;
	int64_t k, dropped = 0;
	for (k = 0; k < s->n; k++)
		if (s->part[k] == part && s->like[k]) {
			if (csr_has(train, s->user[k], s->item[k])) {
				dropped++;
				continue;
			}
			r[m] = s->user[k];
			c[m++] = s->item[k];
		}
	csr_build(out, train->rows, train->cols, m, r, c, 1);
	free(r);
	free(c);
	return dropped;
}

void split_exposed(const struct split *s, int64_t users, int64_t items, int part,
    struct exposed *e)
{
	int64_t k, q;
	uint8_t *first;
	int32_t *row = xmalloc(((size_t)s->n + 1) * sizeof *row);
	int32_t *col = xmalloc(((size_t)s->n + 1) * sizeof *col);
	size_t m = 0;

	for (k = 0; k < s->n; k++)
		if (s->part[k] == part) {
			row[m] = s->user[k];
			col[m++] = s->item[k];
		}
	csr_build(&e->x, users, items, m, row, col, 1);
	free(row);
	free(col);
	e->grade = xmalloc(((size_t)e->x.off[users] + 1) * sizeof *e->grade);
	e->like = xmalloc((size_t)e->x.off[users] + 1);
	/* each entry from the first record of its pair: a binary search in its row */
	first = xcalloc((size_t)e->x.off[users] + 1, 1);
	for (k = 0; k < s->n; k++) {
		int64_t lo;
		if (s->part[k] != part)
			continue;
		lo = exposed_find(e, s->user[k], s->item[k]);
		if (first[lo])
			continue;
		first[lo] = 1;
		e->like[lo] = s->like[k];
		e->grade[lo] = s->rating ? s->rating[k] : s->like[k];
	}
	for (q = 0; q < e->x.off[users]; q++)
		if (!first[q])
			die(HCR_EXIT_FAIL, "internal: an exposed pair without its record");
	free(first);
}

int64_t exposed_find(const struct exposed *e, int32_t u, int32_t i)
{
	const int32_t *row = e->x.idx + e->x.off[u];
	int64_t n = csr_len(&e->x, u), p = sorted_first_at_least(row, n, i);
	return p < n && row[p] == i ? e->x.off[u] + p : -1;
}

int exposed_gather(const struct exposed *e, int32_t u, const int32_t *items, int64_t n,
    double *grade, uint8_t *like)
{
	int64_t j;
	for (j = 0; j < n; j++) {
		int64_t at = exposed_find(e, u, items[j]);
		if (at < 0)
			return -1;
		grade[j] = e->grade[at];
		like[j] = e->like[at];
	}
	return 0;
}

void exposed_free(struct exposed *e)
{
	csr_free(&e->x);
	free(e->grade);
	free(e->like);
	memset(e, 0, sizeof *e);
}

/* FNV-1a over the bytes of v, least significant first, so that hosts agree. */
static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	int i;
	for (i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 0x100000001b3ull;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	do
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	while (*s++);
	return h;
}

void dataset_fingerprints(const struct dataset *d, char vocab[17], char split[17])
{
	const struct vocab *v[2] = { &d->users, &d->items };
	uint64_t h = 0xcbf29ce484222325ull;
	int64_t i;
	int k;
	for (k = 0; k < 2; k++) {
		/* the count first, so that ids cannot move from one vocabulary to the other */
		h = fnv_u64(h, (uint64_t)v[k]->n);
		for (i = 0; i < v[k]->n; i++)
			h = fnv_str(h, vocab_id(v[k], i));
	}
	snprintf(vocab, 17, "%016llx", (unsigned long long)h);
	h = 0xcbf29ce484222325ull;
	for (i = 0; i < d->split.n; i++) {
		h = fnv_u64(h, (uint32_t)d->split.user[i]);
		h = fnv_u64(h, (uint64_t)(uint32_t)d->split.item[i] << 3 |
		    (uint64_t)d->split.like[i] << 2 | d->split.part[i]);
	}
	snprintf(split, 17, "%016llx", (unsigned long long)h);
}
