/* graph.c: the training graph, built from the split and carried in `graph` sections. */
#include "ingest/graph.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *const kind_names[GRAPH_KINDS] = { "click", "like" };

const char *graph_kind_name(int kind)
{
	return kind >= 0 && kind < GRAPH_KINDS ? kind_names[kind] : "?";
}

int graph_kind_parse(const char *s, size_t len)
{
	int k;
	for (k = 0; k < GRAPH_KINDS; k++)
		if (strlen(kind_names[k]) == len && memcmp(kind_names[k], s, len) == 0)
			return k;
	return -1;
}

static void set_degrees(struct graph *g)
{
	int64_t v, nodes = g->users + g->items;
	g->degree = xmalloc(((size_t)nodes + 1) * sizeof *g->degree);
	for (v = 0; v < nodes; v++)
		g->degree[v] = (int32_t)csr_len(&g->adj, v);
}

void graph_build(struct graph *g, const struct split *s, int64_t users, int64_t items,
    int kind)
{
	int64_t nodes = users + items, k;
	size_t m = 0;
	int32_t *row, *col;

	if (nodes > INT32_MAX)
		die(HCR_EXIT_DATA, "%lld users and %lld items are more nodes than a graph holds "
		    "(%d)", (long long)users, (long long)items, INT32_MAX);
	memset(g, 0, sizeof *g);
	g->kind = kind;
	g->users = users;
	g->items = items;
	row = xmalloc(((size_t)s->n * 2 + 1) * sizeof *row);
	col = xmalloc(((size_t)s->n * 2 + 1) * sizeof *col);
	for (k = 0; k < s->n; k++) {
		int32_t u = s->user[k], i = (int32_t)(users + s->item[k]);
		if (s->part[k] != PART_TRAIN || (kind == GRAPH_LIKE && !s->like[k]))
			continue;
		row[m] = u, col[m++] = i;
		row[m] = i, col[m++] = u;
	}
	/* csr_build sorts each row and drops repeated pairs: a pair clicked twice is one edge */
	csr_build(&g->adj, nodes, nodes, m, row, col, 1);
	free(row);
	free(col);
	g->edges = g->adj.off[nodes] / 2;
	set_degrees(g);
}

void graph_free(struct graph *g)
{
	csr_free(&g->adj);
	free(g->degree);
	memset(g, 0, sizeof *g);
}

void graph_write(struct hs_out *out, const struct graph *g)
{
	msgpack_packer *pk = hs_begin(out, "graph", 1);
	int64_t nodes = g->users + g->items;
	msgpack_pack_map(pk, 4);
	mp_kv_str(pk, "kind", graph_kind_name(g->kind));
	mp_kv_int(pk, "users", g->users);
	mp_kv_int(pk, "items", g->items);
	mp_kv_int(pk, "edges", g->edges);
	hs_write_block(out, "offsets", HS_I8, nodes + 1, 0, g->adj.off);
	hs_write_block(out, "targets", HS_I4, 2 * g->edges, 0, g->adj.idx);
	hs_write_block(out, "degree", HS_I4, nodes, 0, g->degree);
	hs_end(out);
}

/* The next record, which must be block `name`, into b. */
static void next_block(struct hs_in *in, const char *name, enum hs_dtype dtype,
    int64_t rows, struct hs_block *b)
{
	const msgpack_object *rec = hs_next_record(in);
	if (!rec)
		hs_die(in, "section 'graph' ends before its block '%s'", name);
	hs_expect_block(in, rec, name, dtype, rows, 0, b);
}

void graph_read(struct hs_in *in, const struct hs_section *sec, int64_t users,
    int64_t items, struct graph *g)
{
	struct hs_block b;
	const char *s;
	size_t len;
	int64_t nodes, v, k, user_side = 0;

	memset(g, 0, sizeof *g);
	s = hs_str(in, hs_key(in, sec->meta, "kind"), "'kind' in the header of section 'graph'",
	    &len);
	g->kind = graph_kind_parse(s, len);
	if (g->kind < 0)
		hs_die(in, "graph kind '%.*s', expected 'click' or 'like'", (int)len, s);
	g->users = hs_meta_int(in, sec, "users");
	g->items = hs_meta_int(in, sec, "items");
	g->edges = hs_meta_int(in, sec, "edges");
	if (g->users != users || g->items != items)
		hs_die(in, "the %s graph has %lld users and %lld items, the vocab %lld and %lld",
		    kind_names[g->kind], (long long)g->users, (long long)g->items,
		    (long long)users, (long long)items);
	nodes = users + items;
	if (g->edges < 0 || g->edges > users * items || 2 * g->edges > INT32_MAX)
		hs_die(in, "the %s graph claims %lld edges, more than %lld users and %lld items "
		    "can have", kind_names[g->kind], (long long)g->edges, (long long)users,
		    (long long)items);

	next_block(in, "offsets", HS_I8, nodes + 1, &b);
	g->adj.off = b.data;
	next_block(in, "targets", HS_I4, 2 * g->edges, &b);
	g->adj.idx = b.data;
	next_block(in, "degree", HS_I4, nodes, &b);
	g->degree = b.data;
	g->adj.rows = g->adj.cols = nodes;

	if (g->adj.off[0] != 0 || g->adj.off[nodes] != 2 * g->edges)
		hs_die(in, "the %s graph's offsets run from %lld to %lld, expected 0 to %lld "
		    "(2 x edges)", kind_names[g->kind], (long long)g->adj.off[0],
		    (long long)g->adj.off[nodes], (long long)(2 * g->edges));
	for (v = 0; v < nodes; v++) {
		int64_t b0 = g->adj.off[v], e = g->adj.off[v + 1];
		/* users link to items only and items to users only: a bipartite graph */
		int64_t lo = v < users ? users : 0, hi = v < users ? nodes : users;
		if (e < b0 || e > 2 * g->edges)
			hs_die(in, "the %s graph's offsets decrease or overrun at node %lld (%lld "
			    "then %lld)", kind_names[g->kind], (long long)v, (long long)b0,
			    (long long)e);
		if (g->degree[v] != e - b0)
			hs_die(in, "the %s graph gives node %lld degree %d, its offsets %lld",
			    kind_names[g->kind], (long long)v, g->degree[v], (long long)(e - b0));
		for (k = b0; k < e; k++) {
			int32_t t = g->adj.idx[k];
			if (t < lo || t >= hi)
				hs_die(in, "the %s graph links node %lld to %d, outside the %s nodes "
				    "%lld..%lld", kind_names[g->kind], (long long)v, t,
				    v < users ? "item" : "user", (long long)lo, (long long)hi - 1);
			if (k > b0 && t <= g->adj.idx[k - 1])
				hs_die(in, "the %s graph's neighbours of node %lld are not ascending "
				    "and distinct (%d after %d)", kind_names[g->kind], (long long)v, t,
				    g->adj.idx[k - 1]);
		}
		if (v < users)
			user_side = e;
	}
	/* Each user->item entry has its reverse and both sides hold `edges` entries, so
	 * the reverses are all the item->user entries: the graph is symmetric. */
	if (user_side != g->edges)
		hs_die(in, "the %s graph's users hold %lld edge ends, expected %lld (one per edge)",
		    kind_names[g->kind], (long long)user_side, (long long)g->edges);
	for (v = 0; v < users; v++)
		for (k = g->adj.off[v]; k < g->adj.off[v + 1]; k++)
			if (!csr_has(&g->adj, g->adj.idx[k], (int32_t)v))
				hs_die(in, "the %s graph links user node %lld to item node %d but not "
				    "back", kind_names[g->kind], (long long)v, g->adj.idx[k]);
	/* checked last, so that the messages above name the section and its record */
	if (hs_next_record(in))
		hs_die(in, "section 'graph' has a record after its three blocks");
}

void graph_set_init(struct graph_set *gs)
{
	memset(gs, 0, sizeof *gs);
}

void graph_set_free(struct graph_set *gs)
{
	int k;
	for (k = 0; k < GRAPH_KINDS; k++)
		if (gs->have[k])
			graph_free(&gs->g[k]);
	graph_set_init(gs);
}

int graph_take(struct hs_in *in, const struct hs_section *sec, const struct dataset *d,
    struct graph_set *gs)
{
	struct graph g;
	if (strcmp(sec->name, "graph") != 0)
		return 0;
	if (!d->have_vocab)
		hs_die(in, "a 'graph' section before any 'vocab' section");
	graph_read(in, sec, d->users.n, d->items.n, &g);
	if (gs->have[g.kind])
		graph_free(&gs->g[g.kind]);
	gs->g[g.kind] = g;
	gs->have[g.kind] = 1;
	return 1;
}

const struct graph *graph_require(const struct hs_in *in, const struct graph_set *gs,
    int kind)
{
	if (!gs->have[kind] && !gs->have[!kind])
		hs_missing(in, "graph", "expected the output of build-graph");
	if (!gs->have[kind])
		die(HCR_EXIT_DATA, "%s: no %s graph (the stream holds the %s graph only); "
		    "expected the output of build-graph --kind %s", hs_in_name(in),
		    graph_kind_name(kind), graph_kind_name(!kind), graph_kind_name(kind));
	return &gs->g[kind];
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

void graph_degree_summary(const struct graph *g, int who, int64_t q[5], int64_t *isolated)
{
	int64_t n = who ? g->items : g->users, v, k;
	const int32_t *deg = g->degree + (who ? g->users : 0);
	int32_t *d = xmalloc(((size_t)n + 1) * sizeof *d);
	static const double at[5] = { 0, 0.25, 0.5, 0.75, 1 };
	memcpy(d, deg, (size_t)n * sizeof *d);
	qsort(d, (size_t)n, sizeof *d, cmp_i32);
	*isolated = 0;
	for (v = 0; v < n; v++)
		*isolated += d[v] == 0;
	for (k = 0; k < 5; k++)
		q[k] = n ? d[(int64_t)(at[k] * (double)(n - 1))] : 0;
	free(d);
}
