/* The loaders as a fuzzing harness will call them: from memory, errors returned with
 * their place and the process going on; and graph_build on a split in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/npy.h"
#include "ingest/featload.h"
#include "ingest/graph.h"
#include "tap.h"

static struct vocab items;

static int load(const char *text, const char *spec, struct feature *f, struct load_error *e)
{
	struct feat_spec s;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;
	memset(&s, 0, sizeof s);
	if (feat_spec_parse(spec, &s, e) != 0)
		return -2;
	s.separator = '|';
	s.na = "NA";
	rc = feature_load_file(&s, fp, "mem", &items, f, e);
	fclose(fp);
	feat_spec_free(&s);
	return rc;
}

int main(void)
{
	struct feature f;
	struct load_error e;
	struct npy h;
	struct split s;
	struct graph g;
	size_t at;
	char msg[256];
	int added;

	tool_init("featload", 0, NULL);
	vocab_init(&items);
	vocab_intern(&items, "a", 1, &added);
	vocab_intern(&items, "b", 1, &added);

	OK(load("b,1,2\na,3,4\n", "m:content=x", &f, &e) == 0, "a dense CSV from memory");
	OK(f.kind == FEAT_DENSE && f.dim == 2 && f.x[0] == 3 && f.x[3] == 2,
	    "rows aligned to the vocabulary");
	feature_free(&f);
	OK(load("{\"item_id\": \"a\", \"v\": [1, NaN]}\n", "m:content=x", &f, &e) == -1,
	    "bad JSON is returned, not fatal");
	OK(e.code == HCR_EXIT_DATA, "with the data exit code");
	OK(!strcmp(e.msg, "mem: line 1, column 27: expected valid JSON (invalid token), got 'NaN'"),
	    "and its place: %s", e.msg);
	OK(f.x == NULL && f.tokens == NULL, "leaving the feature empty");
	OK(load("a,x\n", "m:content:words@1=x", &f, &e) == 0 && f.vocab == 1, "words of a column");
	OK(!strcmp(f.tokens[0], "a") && f.bag.off[2] == 1, "the item id column read as words");
	feature_free(&f);
	OK(load("", "m:sideways=x", &f, &e) == -2 && e.code == HCR_EXIT_USAGE, "a bad -m is a "
	    "usage error: %s", e.msg);

	OK(npy_header((const unsigned char *)"\x93NUMPX\1\0\0\0", 10, &h, &at, msg, sizeof msg)
	    == -1 && at == 0, "a bad .npy magic at byte 0: %s", msg);

	split_init(&s);
	split_add(&s, 0, 0, 1, 0, PART_TRAIN);
	split_add(&s, 0, 1, 2, 1, PART_TRAIN);
	split_add(&s, 1, 1, 3, 1, PART_TRAIN);
	split_add(&s, 0, 0, 4, 0, PART_TRAIN);
	split_add(&s, 1, 2, 5, 1, PART_TEST);
	graph_build(&g, &s, 2, 3, GRAPH_CLICK);
	{
		static const int64_t off[6] = { 0, 2, 3, 4, 6, 6 };
		static const int32_t tgt[6] = { 2, 3, 3, 0, 0, 1 }, deg[5] = { 2, 1, 1, 2, 0 };
		OK(g.edges == 3 && !memcmp(g.adj.off, off, sizeof off) &&
		    !memcmp(g.adj.idx, tgt, sizeof tgt) && !memcmp(g.degree, deg, sizeof deg),
		    "the five-node click graph in memory");
	}
	graph_free(&g);
	graph_build(&g, &s, 2, 3, GRAPH_LIKE);
	OK(g.edges == 2 && g.degree[2] == 0 && g.degree[3] == 2, "its like graph");
	graph_free(&g);
	split_free(&s);
	vocab_free(&items);
	return tap_done();
}
