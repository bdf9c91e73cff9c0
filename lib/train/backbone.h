/* backbone.h: the representation models of method.md section 4, MMGCN and MF.
 *
 * A backbone gives every node (users 0..nu-1, then items nu..nu+ni-1) one vector per
 * item modality; a group of modalities (z all, e exposure, c content) is the mean of
 * its members' vectors, and a score is the inner product of a user's and an item's
 * group vectors.
 *
 * MMGCN computes, per mini-batch, only what its loss needs: the batch's nodes (T_L),
 * their neighbourhood T_{L-1} = T_L and its neighbours, and so on down to T_0 for L
 * layers.  A node's output depends on nothing else, so the gradients are those of
 * the full-graph pass of the reference code, for far less work.
 */
#ifndef HCR_BACKBONE_H
#define HCR_BACKBONE_H

#include <stdint.h>

#include "common/csr.h"
#include "rank/repset.h"
#include "train/autodiff.h"

enum bb_kind { BB_MMGCN, BB_MF };
enum bb_role { ROLE_EXPOSURE, ROLE_CONTENT };
#define BB_MAX_LAYERS 3
#define BB_MAX_MODALITIES 16

/* An item modality as the backbone reads it: dense rows, or bags of ids. */
struct bb_modality {
	const char *name;
	enum bb_role role;
	int is_bag;
	int64_t dim;            /* dense: columns of x; bag: number of distinct ids */
	const float *x;         /* dense: ni x dim */
	const struct csr *bag;  /* bag: ni rows of ids < dim */
	const real *weights;    /* bag: one per id occurrence, or NULL */
};

struct bb_config {
	enum bb_kind kind;
	int dim;          /* output size d (64) */
	int latent;       /* MMGCN: preference and MLP size d_m (128) */
	int layers;       /* MMGCN: graph layers L (2) */
	double slope;     /* LeakyReLU slope (0.01) */
	int frozen;       /* preference and id vectors kept at their initial values */
	int history;      /* MMGCN: out-of-batch neighbours from historical embeddings
	                   * (GNNAutoScale), train-mtl --history */
};

/* The parameters of one modality's branch. */
struct bb_branch {
	struct ad_param *pref;                 /* MMGCN: nu x latent user preferences */
	struct ad_param *word;                 /* bag: ids x latent (MF: ids x dim) */
	struct ad_param *mlp_w, *mlp_b;        /* MMGCN: (dim or latent) x latent; MF dense: dim x d */
	struct ad_param *conv_w[BB_MAX_LAYERS], *conv_b[BB_MAX_LAYERS];
	struct ad_param *lin_w[BB_MAX_LAYERS], *lin_b[BB_MAX_LAYERS];
	struct ad_param *g_w[BB_MAX_LAYERS], *g_b[BB_MAX_LAYERS];
};

struct backbone {
	struct bb_config cfg;
	int64_t nu, ni;
	int nmod;
	const struct bb_modality *mods;
	const struct csr *graph;       /* MMGCN: (nu+ni) x (nu+ni), both directions */
	struct ad_param *id_emb;       /* (nu+ni) x dim, possibly another backbone's */
	struct ad_param *user;         /* MF: nu x dim */
	struct bb_branch br[BB_MAX_MODALITIES];
	/* --history: hist[m][l], layer l's input of modality m for every node
	 * ((nu+ni) x latent for l = 0, x dim after), as last computed */
	real *hist[BB_MAX_MODALITIES][BB_MAX_LAYERS];
};

/* Creates the parameters in set (named prefix/...), initialised from r as the
 * reference code does.  id_emb NULL: a table of its own; else shared. */
void bb_init(struct backbone *bb, const struct bb_config *cfg, int64_t nu, int64_t ni,
    int nmod, const struct bb_modality *mods, const struct csr *graph,
    struct ad_param *id_emb, struct ad_params *set, struct rng *r, const char *prefix);

/* Frees what bb_init allocated outside the parameter set (the histories). */
void bb_free(struct backbone *bb);

/* The nodes a batch needs, hop by hop, and the mean-aggregation matrices between
 * them.  Built in the tape's scratch memory: valid until its next reset.
 *
 * A history plan (bb_plan_build_history) computes every layer for the targets alone:
 * t[l] is the targets for every l, up[l] and in1[l] the identity, and agg[l] (the same
 * for every l) has a column c < n[0] for a target's row and n[0] + v for node v's
 * historical row; agg_t[l] holds the targets' columns only. */
struct bb_plan {
	int layers;
	int hist;                              /* a history plan */
	int full;                              /* every node, t[l][k] = k: histories are
	                                        * written whole (bb_full) */
	int64_t n[BB_MAX_LAYERS + 1];          /* n[l]: nodes of T_l, T_layers the targets */
	int32_t *t[BB_MAX_LAYERS + 1];         /* sorted node ids */
	int32_t *up[BB_MAX_LAYERS + 1];        /* up[l][j]: position of t[l][j] in t[l-1] */
	struct csr agg[BB_MAX_LAYERS + 1];     /* agg[l]: n[l] x n[l-1], self and neighbours */
	real *agg_w[BB_MAX_LAYERS + 1];        /* 1 / (degree + 1) */
	struct csr agg_t[BB_MAX_LAYERS + 1];   /* their transposes, for the backward pass */
	real *agg_tw[BB_MAX_LAYERS + 1];
	int32_t *in1[BB_MAX_LAYERS + 1];       /* in1[l][j]: position of t[l][j] in t[1] (l >= 2) */
	int64_t n0_users;                      /* users among t[0] (they come first) */
};

/* A reusable marker over the nodes, so plans cost what they touch, not the graph. */
struct bb_planner {
	int64_t nodes;
	int32_t *mark;     /* node -> stamp */
	int32_t *pos;      /* node -> position in the last set built */
	int32_t stamp;
};
void bb_planner_init(struct bb_planner *p, int64_t nodes);
void bb_planner_free(struct bb_planner *p);
/* Plans targets (node ids, any order, repeats allowed) for a backbone of cfg over
 * graph (NULL for MF: no hops).  pos_of() then gives a target's row. */
void bb_plan_build(struct bb_plan *plan, struct bb_planner *p, struct ad_tape *tape,
    const struct csr *graph, int layers, int64_t nu, const int32_t *targets, int64_t n);
/* The plan of --history (GNNAutoScale: Fey et al., ICML 2021): each layer is computed
 * for the targets only, their other neighbours' inputs read from the histories. */
void bb_plan_build_history(struct bb_plan *plan, struct bb_planner *p, struct ad_tape *tape,
    const struct csr *graph, int layers, int64_t nu, const int32_t *targets, int64_t n);
/* The row of node in the plan's target list (after bb_plan_build, before the next). */
static inline int32_t bb_plan_row(const struct bb_planner *p, int32_t node)
{
	return p->pos[node];
}

/* The parameters of MMGCN modality m's branch alone (its preference table, MLP and
 * layers; not the id table) into out (room for BB_BRANCH_PARAMS): their count; 0 for
 * MF. */
#define BB_BRANCH_PARAMS (4 + 6 * BB_MAX_LAYERS)
int bb_branch_params(const struct backbone *bb, int m, struct ad_param **out);

/* Modality m's vectors of the plan's targets: n[layers] x dim (MF: MF's vectors). */
struct ad_tensor *bb_forward_modality(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, int m);
/* The same with the id vectors of T_1's nodes (plan->t[1]) read from id1, a tensor
 * of the same tape: a gather from bb->id_emb, or a leaf (ad_leaf) over rows shared
 * with other tapes, which then collects this modality's gradient for them.  MMGCN
 * modalities share no other parameter, so each can run on a tape and a thread of its
 * own. */
struct ad_tensor *bb_forward_modality_on(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, int m, struct ad_tensor *id1);
/* Every modality's vectors, out[m]; and the group means: NULL when the group has no
 * member (its factor is 1).  MF without modalities has z = [user; id vectors]. */
void bb_forward(struct backbone *bb, struct ad_tape *tape, const struct bb_plan *plan,
    struct ad_tensor **out);
struct ad_tensor *bb_group(struct backbone *bb, struct ad_tape *tape,
    const struct bb_plan *plan, struct ad_tensor **out, enum rep_group g);
/* Which modalities a group holds (bit m). */
unsigned bb_group_mask(const struct backbone *bb, enum rep_group g);

/* A rough relative cost of modality m's branch (m < 0: MF without modalities), to
 * start the costliest on threads first. */
double bb_modality_cost(const struct backbone *bb, int m);

/* Every node's group vectors after training, for n backbones of one graph and
 * configuration (a method's towers): rep[k][g] receives (nu+ni) x dim floats for
 * backbone k, or is left NULL for an empty group.  Each modality runs on a tape of its
 * own, tapes[j] for the j-th (backbone, modality) in order (bb_full_tasks of them;
 * they are reset before and after), on the pool's threads; the plan is built in
 * plan_tape.  The group means are summed in modality order after, so the result does
 * not depend on the number of threads. */
struct pool;
int bb_full_tasks(struct backbone *const *bbs, int n);
void bb_full(struct backbone *const *bbs, int n, struct ad_tape *tapes, struct pool *pool,
    struct ad_tape *plan_tape, struct bb_planner *p, float *rep[][GROUP_COUNT]);

#endif
