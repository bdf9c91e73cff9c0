/* fuzz_sections: the section readers on top of the stream (vocab and split in
 * lib/ingest/dataset.c, graph_read, feature_read, ranking_read) as a trainer and
 * evaluate load a stream, then what build-graph and evaluate do with the split they
 * read; everything accepted must be whole (every element touched) and must come back
 * equal through the writers. */
#include <string.h>

#include "fuzz.h"
#include "rank/ranking.h"
#include "roundtrip.h"

/* A ranking read must come back equal through its writer. */
static void ranking_roundtrip(const struct ranking *r, int64_t nu, int64_t ni)
{
	struct hs_out *out;
	struct hs_in *in;
	struct hs_section sec;
	struct ranking b;
	int64_t k;
	fuzz_out_rewind();
	out = hs_out_open(NULL);
	ranking_write(out, r);
	hs_out_close(out);
	fuzz_die_codes = 0;
	in = hs_in_open(fuzz_out_path());
	if (!hs_next_section(in, &sec))
		fuzz_fail("ranking: nothing read back");
	ranking_read(in, &sec, nu, ni, NULL, NULL, &b);
	hs_in_close(in);
	fuzz_die_codes = 1u << HCR_EXIT_DATA;
	if (b.rows != r->rows || strcmp(b.h.label, r->h.label) || b.h.k != r->h.k ||
	    strcmp(b.h.candidates, r->h.candidates))
		fuzz_fail("ranking: the meta differs when read back");
	for (k = 0; k < r->rows; k++)
		if (b.users[k] != r->users[k] || b.off[k + 1] != r->off[k + 1])
			fuzz_fail("ranking: row %lld differs when read back", (long long)k);
	for (k = 0; k < r->off[r->rows]; k++)
		if (b.items[k] != r->items[k] || b.scores[k] != r->scores[k])
			fuzz_fail("ranking: entry %lld differs when read back", (long long)k);
	ranking_free(&b);
}

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
			if (strcmp(sec.name, "ranking") == 0 && d.have_vocab) {
				struct ranking r;
				ranking_read(in, &sec, d.users.n, d.items.n, NULL, NULL, &r);
				ranking_roundtrip(&r, d.users.n, d.items.n);
				ranking_free(&r);
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
			/* what evaluate takes from a (given) split: positives, exposed pairs */
			split_user_items(&d.split, d.users.n, d.items.n, PART_TRAIN, 0, &c);
			for (k = PART_VALID; k <= PART_TEST; k++) {
				struct csr pos;
				struct exposed x;
				split_later_likes(&d.split, &c, k, &pos);
				split_exposed(&d.split, d.users.n, d.items.n, k, &x);
				csr_free(&pos);
				exposed_free(&x);
			}
			csr_free(&c);
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
