/* train: training gives the same bits whatever the thread count (-j), for every
 * method (HCR's two towers share their id table, HCR-NS's do not, Multi-DR has three,
 * DCF parameters of its own), on MMGCN and MF: the representations and arrays kept,
 * the validation NDCG and the loss of every epoch.
 *
 * A random data set small enough to run in a moment: 30 users, 50 items, 600 clicks
 * (about half liked; the last 20 % of records kept for validation), a dense
 * exposure modality and two bag modalities (one with more ids than items), batches
 * of 64 so that an epoch has several steps. */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "ingest/dataset.h"
#include "ingest/graph.h"
#include "tap.h"
#include "train/methods/methods.h"
#include "train/train.h"

#define NU 30
#define NI 50
#define CLICKS 600
#define DENSE 6

static struct split sp;
static struct graph graphs[GRAPH_KINDS];
static float dense[NI * DENSE];
static struct csr bags[2];
static struct bb_modality mods[3];

static void setup(void)
{
	struct rng r;
	int32_t br[2][NI * 4], bc[2][NI * 4];
	size_t nb[2] = { 0, 0 };
	rng_init(&r, 11, 0);
	split_init(&sp);
	for (int k = 0; k < CLICKS; k++) {
		int32_t u = k < NU ? k : (int32_t)rng_below(&r, NU);
		int32_t i = k < NI ? k : (int32_t)rng_below(&r, NI);
		int like = rng_uniform(&r) < 0.5;
		int part = k < CLICKS * 8 / 10 ? PART_TRAIN : like ? PART_VALID : PART_TRAIN;
		split_add(&sp, u, i, k, like, part);
	}
	for (int g = 0; g < GRAPH_KINDS; g++)
		graph_build(&graphs[g], &sp, NU, NI, g);
	for (int k = 0; k < NI * DENSE; k++)
		dense[k] = (float)(2 * rng_uniform(&r) - 1);
	for (int i = 0; i < NI; i++) {
		/* bag 0: 1-3 of 80 words; bag 1: 1-2 of 7 categories */
		int n0 = 1 + (int)rng_below(&r, 3), n1 = 1 + (int)rng_below(&r, 2);
		for (int k = 0; k < n0; k++)
			br[0][nb[0]] = i, bc[0][nb[0]++] = (int32_t)rng_below(&r, 80);
		for (int k = 0; k < n1; k++)
			br[1][nb[1]] = i, bc[1][nb[1]++] = (int32_t)rng_below(&r, 7);
	}
	csr_build(&bags[0], NI, 80, nb[0], br[0], bc[0], 1);
	csr_build(&bags[1], NI, 7, nb[1], br[1], bc[1], 1);
	mods[0] = (struct bb_modality){ "dense", ROLE_EXPOSURE, 0, DENSE, dense, NULL, NULL };
	mods[1] = (struct bb_modality){ "words", ROLE_EXPOSURE, 1, 80, NULL, &bags[0], NULL };
	mods[2] = (struct bb_modality){ "genres", ROLE_CONTENT, 1, 7, NULL, &bags[1], NULL };
}

static int history;   /* run() trains with --history */

static void run(const char *method, enum bb_kind kind, int threads, struct train_result *res)
{
	struct train_config cfg;
	struct train_data data;
	/* train-mtl's defaults, small and quick */
	train_config_defaults(&cfg);
	cfg.method = method_find(method);
	cfg.bb.kind = kind;
	cfg.bb.dim = 8;
	cfg.bb.latent = 12;
	cfg.lr = 1e-2;
	cfg.batch = 64;
	cfg.epochs = 3;
	cfg.k_valid = 10;
	cfg.seed = 5;
	cfg.threads = threads;
	cfg.bb.history = history;
	memset(&data, 0, sizeof data);
	data.nu = NU;
	data.ni = NI;
	data.split = &sp;
	data.graph[GRAPH_CLICK] = &graphs[GRAPH_CLICK].adj;
	data.graph[GRAPH_LIKE] = &graphs[GRAPH_LIKE].adj;
	data.nmod = 3;
	data.mods = mods;
	train_run(&cfg, &data, res);
}

/* 1 when both runs kept the same bits. */
static int same(const struct train_result *a, const struct train_result *b)
{
	size_t n = (size_t)(a->rs.nu + a->rs.ni) * (size_t)a->rs.dim;
	if (a->epochs != b->epochs || a->best_epoch != b->best_epoch ||
	    a->best_valid != b->best_valid)
		return 0;
	for (int e = 0; e < a->epochs; e++)
		if (a->log[e].loss != b->log[e].loss || a->log[e].valid != b->log[e].valid)
			return 0;
	for (int t = 0; t < TRAIN_MAX_TOWERS; t++)
		for (int g = 0; g < GROUP_COUNT; g++) {
			if (!a->rs.rep[t][g] != !b->rs.rep[t][g])
				return 0;
			if (a->rs.rep[t][g] && memcmp(a->rs.rep[t][g], b->rs.rep[t][g], n * sizeof(float)))
				return 0;
		}
	if (a->rs.nextra != b->rs.nextra)
		return 0;
	for (int k = 0; k < a->rs.nextra; k++)
		if (memcmp(a->rs.extra[k].data, b->rs.extra[k].data, (size_t)(a->rs.extra[k].rows *
		    a->rs.extra[k].cols) * sizeof(float)))
			return 0;
	return 1;
}

int main(void)
{
	static const char *methods[] = { "hcr", "hcr-ns", "ct", "esmm", "cr", "multi-ipw",
		"multi-dr", "dcf" };
	setup();
	for (int mi = 0; mi < (int)(sizeof methods / sizeof *methods); mi++)
		for (int kind = BB_MMGCN; kind <= BB_MF; kind++) {
			struct train_result one, more;
			int ok = 1, finite = 1;
			run(methods[mi], (enum bb_kind)kind, 1, &one);
			for (int e = 0; e < one.epochs; e++)
				finite &= isfinite(one.log[e].loss) && one.log[e].loss > 0;
			for (int threads = 2; threads <= 3; threads++) {
				run(methods[mi], (enum bb_kind)kind, threads, &more);
				ok &= same(&one, &more);
				train_result_free(&more);
			}
			OK(finite && ok, "%s, %s: 2 and 3 threads train the same bits as 1 (%d epochs, "
			    "loss %.4f, valid ndcg %.4f)", methods[mi], kind == BB_MMGCN ? "mmgcn" : "mf",
			    one.epochs, one.epochs ? one.log[one.epochs - 1].loss : 0, one.best_valid);
			train_result_free(&one);
		}
	/* --history: as deterministic, and not the exact training */
	for (int mi = 0; mi < 3; mi++) {
		struct train_result exact, one, more;
		int ok = 1;
		history = 0;
		run(methods[mi], BB_MMGCN, 1, &exact);
		history = 1;
		run(methods[mi], BB_MMGCN, 1, &one);
		for (int threads = 2; threads <= 3; threads++) {
			run(methods[mi], BB_MMGCN, threads, &more);
			ok &= same(&one, &more);
			train_result_free(&more);
		}
		OK(ok && !same(&exact, &one), "%s, mmgcn, --history: 2 and 3 threads train the same "
		    "bits as 1, other than the exact training's (valid ndcg %.4f, exact %.4f)",
		    methods[mi], one.best_valid, exact.best_valid);
		train_result_free(&exact);
		train_result_free(&one);
	}
	history = 0;
	for (int g = 0; g < GRAPH_KINDS; g++)
		graph_free(&graphs[g]);
	csr_free(&bags[0]);
	csr_free(&bags[1]);
	split_free(&sp);
	return tap_done();
}
