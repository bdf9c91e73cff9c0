/* roundtrip.c: write, read back, compare (see roundtrip.h). */
#include "roundtrip.h"

#include <math.h>
#include <string.h>

#include "fuzz.h"

static volatile unsigned sink;

/* Reads every byte of n elements of size at p. */
static void touch(const void *p, size_t n, size_t size)
{
	const unsigned char *b = p;
	size_t k;
	unsigned s = 0;
	if (n && !p)
		fuzz_fail("NULL data of %zu elements", n);
	for (k = 0; k < n * size; k++)
		s += b[k];
	sink += s;
}

void rt_vocab_eq(const char *what, const struct vocab *a, const struct vocab *b)
{
	int64_t i;
	if (a->n != b->n)
		fuzz_fail("%s: %lld ids written, %lld read back", what, (long long)a->n,
		    (long long)b->n);
	for (i = 0; i < a->n; i++)
		if (strcmp(vocab_id(a, i), vocab_id(b, i)) != 0)
			fuzz_fail("%s: id %lld differs when read back", what, (long long)i);
}

void rt_check_split(const struct split *s, int64_t users, int64_t items)
{
	int64_t k;
	for (k = 0; k < s->n; k++)
		if (s->user[k] < 0 || s->user[k] >= users || s->item[k] < 0 ||
		    s->item[k] >= items || s->like[k] > 1 || s->part[k] > PART_TEST ||
		    !isfinite(s->time[k]) || (s->rating && !isfinite(s->rating[k])))
			fuzz_fail("split record %lld out of range", (long long)k);
}

int rt_log_refused(int rc, const struct load_error *err, struct clicklog *log)
{
	int64_t k;
	if (rc != 0) {
		if (err->code != HCR_EXIT_DATA && err->code != HCR_EXIT_USAGE)
			fuzz_fail("log_read failed with exit code %d: %s", err->code, err->msg);
		fuzz_check_error("log_read", err->msg, "mem");
		clicklog_free(log);
		fuzz_end();
		return 1;
	}
	for (k = 0; k < log->n; k++)
		if (log->user[k] < 0 || log->user[k] >= log->users.n || log->item[k] < 0 ||
		    log->item[k] >= log->items.n)
			fuzz_fail("click %lld names an id outside the vocabulary", (long long)k);
	return 0;
}

void rt_log_split(struct split *s, struct clicklog *log)
{
	struct dataset d;
	rt_check_split(s, log->users.n, log->items.n);
	dataset_init(&d);
	d.split = *s;
	d.users = log->users;
	d.items = log->items;
	d.have_vocab = d.have_split = 1;
	rt_stream(&d, NULL, NULL);
	split_free(s);
	clicklog_free(log);
	fuzz_end();
}

void rt_split_eq(const struct split *a, const struct split *b)
{
	int64_t k;
	int i;
	if (a->n != b->n)
		fuzz_fail("split: %lld records written, %lld read back", (long long)a->n,
		    (long long)b->n);
	if (!a->rating != !b->rating)
		fuzz_fail("split: graded %d written, %d read back", a->rating != NULL, b->rating != NULL);
	for (k = 0; k < a->n; k++)
		if (a->user[k] != b->user[k] || a->item[k] != b->item[k] ||
		    a->time[k] != b->time[k] || a->like[k] != b->like[k] || a->part[k] != b->part[k] ||
		    (a->rating && a->rating[k] != b->rating[k]))
			fuzz_fail("split: record %lld differs when read back", (long long)k);
	if (strcmp(a->mode, b->mode) || strcmp(a->format, b->format) ||
	    a->train_fraction != b->train_fraction ||
	    (a->rating && (a->exposure != b->exposure || strcmp(a->like_rule, b->like_rule) ||
		strcmp(a->valid_rule, b->valid_rule))))
		fuzz_fail("split: the meta differs when read back");
	if (a->nstats != b->nstats)
		fuzz_fail("split: %d counters written, %d read back", a->nstats, b->nstats);
	for (i = 0; i < a->nstats; i++)
		if (strcmp(a->stats[i].name, b->stats[i].name) || a->stats[i].value != b->stats[i].value)
			fuzz_fail("split: counter %d differs when read back", i);
}

void rt_check_graph(const struct graph *g)
{
	int64_t nodes = g->users + g->items, v, k;
	touch(g->adj.off, (size_t)nodes + 1, sizeof *g->adj.off);
	touch(g->adj.idx, (size_t)(2 * g->edges), sizeof *g->adj.idx);
	touch(g->degree, (size_t)nodes, sizeof *g->degree);
	if (g->adj.off[nodes] != 2 * g->edges)
		fuzz_fail("graph: offsets end at %lld, edges %lld", (long long)g->adj.off[nodes],
		    (long long)g->edges);
	for (v = 0; v < nodes; v++)
		for (k = g->adj.off[v]; k < g->adj.off[v + 1]; k++)
			if (!csr_has(&g->adj, g->adj.idx[k], (int32_t)v))
				fuzz_fail("graph: edge %lld-%d without its reverse", (long long)v,
				    g->adj.idx[k]);
}

void rt_graph_eq(const struct graph *a, const struct graph *b)
{
	int64_t nodes = a->users + a->items;
	if (a->kind != b->kind || a->users != b->users || a->items != b->items ||
	    a->edges != b->edges)
		fuzz_fail("graph: sizes differ when read back");
	if (memcmp(a->adj.off, b->adj.off, ((size_t)nodes + 1) * sizeof *a->adj.off) ||
	    memcmp(a->adj.idx, b->adj.idx, (size_t)(2 * a->edges) * sizeof *a->adj.idx) ||
	    memcmp(a->degree, b->degree, (size_t)nodes * sizeof *a->degree))
		fuzz_fail("graph: arrays differ when read back");
}

void rt_check_feature(const struct feature *f)
{
	int64_t i, k;
	if (f->kind == FEAT_DENSE) {
		touch(f->x, (size_t)(f->items * f->dim), sizeof *f->x);
		for (k = 0; k < f->items * f->dim; k++)
			if (!isfinite(f->x[k]))
				fuzz_fail("feature '%s': x[%lld] is not finite", f->name, (long long)k);
		if (f->standardized) {
			touch(f->mean, (size_t)f->dim, sizeof *f->mean);
			touch(f->std, (size_t)f->dim, sizeof *f->std);
		}
		return;
	}
	touch(f->bag.off, (size_t)f->items + 1, sizeof *f->bag.off);
	touch(f->bag.idx, (size_t)f->bag.off[f->items], sizeof *f->bag.idx);
	touch(f->weights, (size_t)f->bag.off[f->items], sizeof *f->weights);
	for (i = 0; i < f->items; i++)
		for (k = f->bag.off[i]; k < f->bag.off[i + 1]; k++)
			if (f->bag.idx[k] < 0 || f->bag.idx[k] >= f->vocab ||
			    (k > f->bag.off[i] && f->bag.idx[k] <= f->bag.idx[k - 1]))
				fuzz_fail("feature '%s': item %lld has a bad id", f->name, (long long)i);
	if (f->tokens)
		for (k = 0; k < f->vocab; k++)
			touch(f->tokens[k], strlen(f->tokens[k]) + 1, 1);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void rt_feature_eq(const struct feature *a, const struct feature *b)
{
	int64_t k, n;
	if (strcmp(a->name, b->name) || a->role != b->role || a->kind != b->kind ||
	    a->items != b->items)
		fuzz_fail("feature '%s': name, role, kind or items differ when read back", a->name);
	if (strcmp(or_empty(a->source), or_empty(b->source)) ||
	    strcmp(or_empty(a->format), or_empty(b->format)) ||
	    strcmp(or_empty(a->column), or_empty(b->column)) ||
	    strcmp(or_empty(a->values), or_empty(b->values)) ||
	    memcmp(&a->n, &b->n, sizeof a->n))
		fuzz_fail("feature '%s': provenance or counts differ when read back", a->name);
	if (a->kind == FEAT_DENSE) {
		if (a->dim != b->dim || !a->standardized != !b->standardized ||
		    memcmp(a->x, b->x, (size_t)(a->items * a->dim) * sizeof *a->x))
			fuzz_fail("feature '%s': dense data differs when read back", a->name);
		if (a->standardized && (memcmp(a->mean, b->mean, (size_t)a->dim * sizeof *a->mean) ||
		    memcmp(a->std, b->std, (size_t)a->dim * sizeof *a->std)))
			fuzz_fail("feature '%s': mean or std differs when read back", a->name);
		return;
	}
	n = a->bag.off[a->items];
	if (a->vocab != b->vocab ||
	    memcmp(a->bag.off, b->bag.off, ((size_t)a->items + 1) * sizeof *a->bag.off) ||
	    memcmp(a->bag.idx, b->bag.idx, (size_t)n * sizeof *a->bag.idx) ||
	    memcmp(a->weights, b->weights, (size_t)n * sizeof *a->weights) ||
	    !a->tokens != !b->tokens)
		fuzz_fail("feature '%s': bag data differs when read back", a->name);
	if (a->tokens)
		for (k = 0; k < a->vocab; k++)
			if (strcmp(a->tokens[k], b->tokens[k]))
				fuzz_fail("feature '%s': token %lld differs when read back", a->name,
				    (long long)k);
}

/* Opens standard output, emptied, for writing the stream to read back. */
static struct hs_out *rt_out(void)
{
	fuzz_out_rewind();
	return hs_out_open(NULL);
}

void rt_stream(const struct dataset *d, const struct graph_set *gs,
    const struct feature_set *fs)
{
	struct hs_out *out = rt_out();
	struct hs_in *in;
	struct hs_section sec;
	struct dataset d2;
	struct graph_set gs2;
	struct feature_set fs2;
	int k;

	if (d && d->have_vocab)
		vocab_write(out, &d->users, &d->items);
	if (d && d->have_vocab && d->have_split)
		split_write(out, &d->split, d->users.n, d->items.n);
	for (k = 0; gs && k < GRAPH_KINDS; k++)
		if (gs->have[k])
			graph_write(out, &gs->g[k]);
	for (k = 0; fs && k < fs->n; k++)
		feature_write(out, &fs->f[k]);
	hs_out_close(out);

	fuzz_die_codes = 0;
	in = hs_in_open(fuzz_out_path());
	dataset_init(&d2);
	graph_set_init(&gs2);
	feature_set_init(&fs2);
	while (hs_next_section(in, &sec))
		if (!dataset_take(in, &sec, &d2) && !graph_take(in, &sec, &d2, &gs2) &&
		    !feature_take(in, &sec, &d2, &fs2))
			fuzz_fail("read back: an unexpected section '%s'", sec.name);
	hs_in_close(in);
	if (d && d->have_vocab) {
		rt_vocab_eq("users", &d->users, &d2.users);
		rt_vocab_eq("items", &d->items, &d2.items);
	}
	if (d && d->have_vocab && d->have_split)
		rt_split_eq(&d->split, &d2.split);
	for (k = 0; gs && k < GRAPH_KINDS; k++)
		if (gs->have[k])
			rt_graph_eq(&gs->g[k], &gs2.g[k]);
	if (fs && fs->n != fs2.n)
		fuzz_fail("%d features written, %d read back", fs->n, fs2.n);
	for (k = 0; fs && k < fs->n; k++)
		rt_feature_eq(&fs->f[k], &fs2.f[k]);
	feature_set_free(&fs2);
	graph_set_free(&gs2);
	dataset_free(&d2);
	fuzz_die_codes = 1u << HCR_EXIT_DATA;
}

void rt_feature(const struct feature *f)
{
	struct hs_out *out = rt_out();
	struct hs_in *in;
	struct hs_section sec;
	struct feature g;

	feature_write(out, f);
	hs_out_close(out);
	fuzz_die_codes = 0;
	in = hs_in_open(fuzz_out_path());
	if (!hs_next_section(in, &sec) || strcmp(sec.name, "feature") != 0)
		fuzz_fail("read back: no feature section");
	feature_read(in, &sec, f->items, &g);
	if (hs_next_section(in, &sec))
		fuzz_fail("read back: a section after the feature");
	hs_in_close(in);
	rt_feature_eq(f, &g);
	feature_free(&g);
	fuzz_die_codes = 1u << HCR_EXIT_DATA;
}
