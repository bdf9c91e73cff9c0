/* readstream: loads a stream as train-mtl will (vocab, split, graphs, features, each
 * through its validating reader) and prints one JSON line per graph and feature. */
#include <stdio.h>
#include <string.h>

#include "ingest/dataset.h"
#include "ingest/feature.h"
#include "ingest/graph.h"

int main(int argc, char **argv)
{
	struct hs_in *in;
	struct hs_section sec;
	struct dataset d;
	struct graph_set gs;
	struct feature_set fs;
	int k;

	tool_init("readstream", argc, argv);
	in = hs_in_open(argc > 1 ? argv[1] : "-");
	dataset_init(&d);
	graph_set_init(&gs);
	feature_set_init(&fs);
	while (hs_next_section(in, &sec))
		if (!dataset_take(in, &sec, &d) && !graph_take(in, &sec, &d, &gs))
			feature_take(in, &sec, &d, &fs);
	for (k = 0; k < GRAPH_KINDS; k++)
		if (gs.have[k])
			printf("{\"graph\":\"%s\",\"nodes\":%lld,\"edges\":%lld}\n",
			    graph_kind_name(k), (long long)(gs.g[k].users + gs.g[k].items),
			    (long long)gs.g[k].edges);
	for (k = 0; k < fs.n; k++) {
		const struct feature *f = &fs.f[k];
		printf("{\"feature\":\"%s\",\"role\":\"%s\",\"kind\":\"%s\",\"items\":%lld,", f->name,
		    feat_role_name(f->role), feat_kind_name(f->kind), (long long)f->items);
		if (f->kind == FEAT_DENSE)
			printf("\"dim\":%lld}\n", (long long)f->dim);
		else
			printf("\"vocab\":%lld,\"ids\":%lld}\n", (long long)f->vocab,
			    (long long)f->bag.off[f->items]);
	}
	if (argc > 2)
		graph_require(in, &gs, graph_kind_parse(argv[2], strlen(argv[2])));
	hs_in_close(in);
	graph_set_free(&gs);
	feature_set_free(&fs);
	dataset_free(&d);
	return 0;
}
