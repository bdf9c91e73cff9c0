/* fuzz_sections: the section readers on top of the stream (vocab and split in
 * lib/ingest/dataset.c, graph_read, feature_read) as a trainer loads a stream, then what
 * build-graph does with the split it read; everything accepted must be whole (every
 * element touched) and must come back equal through the writers. */
#include "fuzz.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_in *volatile in = NULL;
	struct hs_section sec;
	struct dataset d;
	struct graph_set gs;
	struct feature_set fs;
	int k;

	if (FUZZ_TRY()) {
		dataset_init(&d);
		graph_set_init(&gs);
		feature_set_init(&fs);
		in = hs_in_open(fuzz_path(data, size));
		while (hs_next_section(in, &sec)) {
			if (dataset_take(in, &sec, &d)) {
				/* graphs and features of an earlier vocab do not fit the new one */
				if (sec.name[0] == 'v') {
					graph_set_free(&gs);
					feature_set_free(&fs);
				}
				continue;
			}
			if (!graph_take(in, &sec, &d, &gs))
				feature_take(in, &sec, &d, &fs);
		}
		hs_in_close(in);
		in = NULL;

		for (k = 0; k < GRAPH_KINDS; k++)
			if (gs.have[k]) {
				int64_t q[5], iso;
				rt_check_graph(&gs.g[k]);
				graph_degree_summary(&gs.g[k], 0, q, &iso);
				graph_degree_summary(&gs.g[k], 1, q, &iso);
			}
		for (k = 0; k < fs.n; k++)
			rt_check_feature(&fs.f[k]);
		if (d.have_split) {
			struct csr c;
			rt_check_split(&d.split, d.users.n, d.items.n);
			for (k = 0; k < GRAPH_KINDS; k++) {
				struct graph g;
				graph_build(&g, &d.split, d.users.n, d.items.n, k);
				rt_check_graph(&g);
				graph_free(&g);
			}
			for (k = PART_TRAIN; k <= PART_TEST; k++) {
				split_user_items(&d.split, d.users.n, d.items.n, k, k != PART_TRAIN, &c);
				csr_free(&c);
			}
		}
		rt_stream(&d, &gs, &fs);
		feature_set_free(&fs);
		graph_set_free(&gs);
		dataset_free(&d);
		fuzz_end();
	} else {
		fuzz_release_in(in);
	}
	return 0;
}
