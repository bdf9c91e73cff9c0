/* build-graph: appends the click and like graphs of the training records. */
#include <string.h>

#include "common/cli.h"
#include "common/stream.h"
#include "ingest/dataset.h"
#include "ingest/graph.h"

static const char usage[] = "build-graph [-v] [-k click|like] [-o FILE] [FILE]\n";

/* Drops the graph sections this run writes anew, so a rerun replaces them. */
static int keep_section(const struct hs_section *sec, void *arg)
{
	const int *want = arg;
	const msgpack_object *kind;
	int k;
	if (strcmp(sec->name, "graph") != 0)
		return 1;
	kind = hs_get(sec->meta, "kind");
	if (!kind || kind->type != MSGPACK_OBJECT_STR)
		return 1;
	k = graph_kind_parse(kind->via.str.ptr, kind->via.str.size);
	return k < 0 || !want[k];
}

static void report(const struct graph *g)
{
	int64_t q[2][5], iso[2];
	int who;
	for (who = 0; who < 2; who++)
		graph_degree_summary(g, who, q[who], &iso[who]);
	verbose("%s graph: %lld nodes (%lld users, %lld items), %lld edges; isolated: "
	    "users %lld, items %lld", graph_kind_name(g->kind), (long long)(g->users + g->items),
	    (long long)g->users, (long long)g->items, (long long)g->edges, (long long)iso[0],
	    (long long)iso[1]);
	for (who = 0; who < 2; who++)
		verbose("%s graph: %s degree min %lld, 25%% %lld, median %lld, 75%% %lld, "
		    "max %lld", graph_kind_name(g->kind), who ? "item" : "user",
		    (long long)q[who][0], (long long)q[who][1], (long long)q[who][2],
		    (long long)q[who][3], (long long)q[who][4]);
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'k', "kind", "click|like", "only this graph; given twice, both (the default)" },
	CLI_OPTION_OUTPUT,
	{ 'v', "verbose", NULL, "each graph's nodes, edges and degrees on stderr" },
	{ 'j', "threads", "N", "accepted; a graph is built on one thread" },
	CLI_OPTION_NO_PROGRESS,
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	int want[GRAPH_KINDS] = { 0 }, chosen = 0, c, k;
	const char *output = NULL, *input = "-";
	struct hs_in *in;
	struct hs_out *out;
	struct hs_section sec;
	struct dataset d;

	tool_init("build-graph", argc, argv);
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'k':
			k = graph_kind_parse(optarg, strlen(optarg));
			if (k < 0)
				cli_usage_error(usage, "-k: expected 'click' or 'like', got '%s'", optarg);
			want[k] = chosen = 1;
			break;
		case 'o': output = optarg; break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error(usage, "one input stream at most, got %d", argc - optind);
	if (optind < argc)
		input = argv[optind];
	if (!chosen)
		want[GRAPH_CLICK] = want[GRAPH_LIKE] = 1;

	in = hs_in_open(input);
	out = hs_out_open(output);
	hs_in_tee(in, out, keep_section, want);
	dataset_init(&d);
	while (hs_next_section(in, &sec))
		dataset_take(in, &sec, &d);
	dataset_require(in, &d);
	for (k = 0; k < GRAPH_KINDS; k++) {
		struct graph g;
		if (!want[k])
			continue;
		graph_build(&g, &d.split, d.users.n, d.items.n, k);
		report(&g);
		graph_write(out, &g);
		graph_free(&g);
	}
	hs_in_close(in);
	hs_out_close(out);
	dataset_free(&d);
	return HCR_EXIT_OK;
}
