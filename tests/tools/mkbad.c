/* mkbad: writes a vocab of 2 users and 3 items, then one graph or feature section with
 * the defect CASE, so that the tests can see each reader's check fire.
 *   mkbad graph CASE     CASE: ok kind users order range sym degree offsets extra
 *   mkbad feature CASE   CASE: ok dense-nan dense-rows std bag-range bag-order weight
 *                        offsets role
 */
#include <math.h>
#include <string.h>

#include "ingest/dataset.h"
#include "ingest/feature.h"
#include "ingest/graph.h"

static void vocab(struct hs_out *out)
{
	struct vocab u, i;
	int added;
	vocab_init(&u);
	vocab_init(&i);
	vocab_intern(&u, "u1", 2, &added);
	vocab_intern(&u, "u2", 2, &added);
	vocab_intern(&i, "a", 1, &added);
	vocab_intern(&i, "b", 1, &added);
	vocab_intern(&i, "c", 1, &added);
	vocab_write(out, &u, &i);
	vocab_free(&u);
	vocab_free(&i);
}

/* The five-node click graph u1-a, u1-b, u2-b, with one defect. */
static void graph(struct hs_out *out, const char *c)
{
	int64_t off[6] = { 0, 2, 3, 4, 6, 6 };
	int32_t tgt[6] = { 2, 3, 3, 0, 0, 1 }, deg[5] = { 2, 1, 1, 2, 0 };
	int64_t users = 2, edges = 3;
	msgpack_packer *pk;
	if (!strcmp(c, "users"))
		users = 3;
	if (!strcmp(c, "order"))
		tgt[0] = 3, tgt[1] = 2;            /* u1's neighbours descending */
	if (!strcmp(c, "range"))
		tgt[2] = 0;                        /* u2 linked to a user */
	if (!strcmp(c, "sym"))
		tgt[2] = 4, deg[4] = 0;            /* u2-c without c-u2 */
	if (!strcmp(c, "degree"))
		deg[1] = 5;
	if (!strcmp(c, "offsets"))
		off[2] = 1, off[3] = 4;            /* decreasing */
	pk = hs_begin(out, "graph", 1);
	msgpack_pack_map(pk, 4);
	mp_kv_str(pk, "kind", !strcmp(c, "kind") ? "view" : "click");
	mp_kv_int(pk, "users", users);
	mp_kv_int(pk, "items", 3);
	mp_kv_int(pk, "edges", edges);
	hs_write_block(out, "offsets", HS_I8, 6, 0, off);
	hs_write_block(out, "targets", HS_I4, 6, 0, tgt);
	hs_write_block(out, "degree", HS_I4, 5, 0, deg);
	if (!strcmp(c, "extra"))
		msgpack_pack_nil(hs_record(out));
	hs_end(out);
}

static void feature(struct hs_out *out, const char *c)
{
	struct feature f;
	float x[6] = { 1, 2, 3, 4, 5, 6 }, mean[2] = { 0, 0 }, sd[2] = { 1, 1 };
	int64_t off[4] = { 0, 2, 2, 3 };
	int32_t ids[3] = { 0, 1, 1 };
	float w[3] = { 1, 2, 1 };
	char *tok[2] = { "x", "y" };
	feature_init(&f);
	snprintf(f.name, sizeof f.name, "m");
	f.role = !strcmp(c, "role") ? 7 : FEAT_CONTENT;
	f.items = 3;
	f.kind = !strncmp(c, "dense", 5) || !strcmp(c, "std") || !strcmp(c, "role") ? FEAT_DENSE
	    : FEAT_BAG;
	f.dim = 2;
	f.x = x;
	if (!strcmp(c, "dense-nan"))
		x[3] = NAN;
	if (!strcmp(c, "dense-rows"))
		f.items = 2;
	if (!strcmp(c, "std")) {
		f.standardized = 1;
		f.mean = mean;
		f.std = sd;
		sd[1] = 0;
	}
	f.vocab = 2;
	f.bag.off = off;
	f.bag.idx = ids;
	f.weights = w;
	f.tokens = tok;
	if (!strcmp(c, "bag-range"))
		ids[2] = 2;
	if (!strcmp(c, "bag-order"))
		ids[0] = 1, ids[1] = 0;
	if (!strcmp(c, "weight"))
		w[1] = 0;
	if (!strcmp(c, "offsets"))
		off[2] = 1;
	f.source = "mkbad";
	/* feature_write names the role by number; an unknown one is written as "?" */
	feature_write(out, &f);
}

int main(int argc, char **argv)
{
	struct hs_out *out;
	tool_init("mkbad", argc, argv);
	if (argc != 3)
		die(HCR_EXIT_USAGE, "usage: mkbad graph|feature CASE");
	out = hs_out_open("-");
	vocab(out);
	if (!strcmp(argv[1], "graph"))
		graph(out, argv[2]);
	else
		feature(out, argv[2]);
	hs_out_close(out);
	return 0;
}
