/* graph.h: the user-item graph of the training records (the `graph` section). */
#ifndef HCR_GRAPH_H
#define HCR_GRAPH_H

#include <stdint.h>

#include "common/csr.h"
#include "common/stream.h"
#include "ingest/dataset.h"

/* The edge kinds: every training record, or the liked ones (the like-only baseline). */
enum { GRAPH_CLICK = 0, GRAPH_LIKE = 1, GRAPH_KINDS = 2 };

/* An undirected bipartite graph over users+items nodes: users are nodes 0..users-1,
 * item i is node users+i.  Each edge is stored in both directions; a node's
 * neighbours are ascending and distinct. */
struct graph {
	int kind;
	int64_t users, items;
	int64_t edges;       /* distinct user-item pairs: adj holds 2 * edges entries */
	struct csr adj;      /* (users+items) x (users+items) */
	int32_t *degree;     /* users+items: csr_len(&adj, v) */
};

/* "click" or "like"; graph_kind_parse returns -1 for another name. */
const char *graph_kind_name(int kind);
int graph_kind_parse(const char *s, size_t len);

/* Builds the graph of one kind from the training records of s. */
void graph_build(struct graph *g, const struct split *s, int64_t users, int64_t items,
    int kind);
void graph_free(struct graph *g);

/* Appends g as a `graph` section. */
void graph_write(struct hs_out *out, const struct graph *g);
/* Reads the graph section whose header was just read, for a vocab of users and items,
 * checking everything a trainer relies on: sizes, offsets, ranges, order, symmetry,
 * degrees.  Dies with HCR_EXIT_DATA naming the place on any inconsistency. */
void graph_read(struct hs_in *in, const struct hs_section *sec, int64_t users,
    int64_t items, struct graph *g);

/* The graphs a stream holds, one slot per kind; a later section replaces an earlier. */
struct graph_set {
	struct graph g[GRAPH_KINDS];
	int have[GRAPH_KINDS];
};
void graph_set_init(struct graph_set *gs);
void graph_set_free(struct graph_set *gs);
/* If sec is a graph section, reads it (against d's vocab, which must come first) into
 * gs and returns 1; else 0.  Call it in the loop over sections, after dataset_take. */
int graph_take(struct hs_in *in, const struct hs_section *sec, const struct dataset *d,
    struct graph_set *gs);
/* The graph of a kind, or dies (hs_missing) naming what produces it. */
const struct graph *graph_require(const struct hs_in *in, const struct graph_set *gs,
    int kind);

/* Degree quantiles of users (who 0) or items (who 1): min, 25 %, median, 75 %, max,
 * each the lower nearest rank of the sorted degrees; and the count of degree 0. */
void graph_degree_summary(const struct graph *g, int who, int64_t q[5], int64_t *isolated);

#endif
