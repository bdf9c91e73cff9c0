/* backbone: the whole MMGCN and MF backbones against finite differences (double
 * precision), the batch's 2-hop plan against the full-graph pass, and the history
 * plan (--history) against both.
 *
 * Tolerance as in grad.c: |analytic - central difference| <= 1e-7 + 1e-6 |fd| with
 * step 1e-5; the difference's own error is ~1e-10 for values of order 1, while a
 * wrong term shows as an error of the order of the gradient. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "train/backbone.h"

#define NU 3
#define NI 5

static struct ad_tape tape;
static struct bb_planner planner;
static struct csr graph, bags;
static float dense[NI * 3] = { 0.5f, -1, 2, 1, 0.25f, -0.5f, -2, 1, 0, 0.75f, 0.5f, 1, 0, 0, 0 };
static real bag_w[8] = { 1, 2, 1, 1, 3, 1, 1, 1 };
static struct bb_modality mods[2];
static int use_history;   /* loss_of plans with bb_plan_build_history */

/* pairs (user, item, click, like) */
static const int32_t pu[4] = { 0, 0, 1, 2 }, pi[4] = { 0, 4, 2, 1 };
static const real click[4] = { 1, 0, 1, 0 }, like[4] = { 1, 0, 0, 0 };

static void setup(void)
{
	/* u0-i0, u0-i1, u1-i1, u1-i2, u2-i3; item 4 isolated; nodes: items at 3 + i */
	int32_t r[10] = { 0, 3, 0, 4, 1, 4, 1, 5, 2, 6 }, c[10] = { 3, 0, 4, 0, 4, 1, 5, 1, 6, 2 };
	int32_t br[8] = { 0, 0, 1, 2, 2, 2, 3, 4 }, bc[8] = { 0, 1, 1, 2, 3, 0, 3, 1 };
	csr_build(&graph, NU + NI, NU + NI, 10, r, c, 1);
	csr_build(&bags, NI, 4, 8, br, bc, 0);
	mods[0] = (struct bb_modality){ "visual", ROLE_EXPOSURE, 0, 3, dense, NULL, NULL };
	mods[1] = (struct bb_modality){ "words", ROLE_CONTENT, 1, 4, NULL, &bags, bag_w };
}

static double loss_of(struct backbone *bb, int backward)
{
	int32_t targets[8];
	struct bb_plan plan;
	struct ad_tensor *out[2], *z, *e, *c, *yz, *ye, *yc, *xs[2], *loss;
	int32_t ru[4], ri[4];
	int k;
	for (k = 0; k < 4; k++)
		targets[2 * k] = pu[k], targets[2 * k + 1] = NU + pi[k];
	ad_tape_reset(&tape);
	if (use_history)
		bb_plan_build_history(&plan, &planner, &tape, &graph, bb->cfg.layers, NU,
		    targets, 8);
	else
		bb_plan_build(&plan, &planner, &tape, bb->cfg.kind == BB_MMGCN ? &graph : NULL,
		    bb->cfg.layers, NU, targets, 8);
	for (k = 0; k < 4; k++)
		ru[k] = bb_plan_row(&planner, pu[k]), ri[k] = bb_plan_row(&planner, NU + pi[k]);
	bb_forward(bb, &tape, &plan, out);
	z = bb_group(bb, &tape, &plan, out, GROUP_Z);
	e = bb_group(bb, &tape, &plan, out, GROUP_E);
	c = bb_group(bb, &tape, &plan, out, GROUP_C);
	yz = ad_rowdot(&tape, ad_gather(&tape, z, 4, ru), ad_gather(&tape, z, 4, ri));
	ye = ad_rowdot(&tape, ad_gather(&tape, e, 4, ru), ad_gather(&tape, e, 4, ri));
	yc = ad_rowdot(&tape, ad_gather(&tape, c, 4, ru), ad_gather(&tape, c, 4, ri));
	xs[0] = yz, xs[1] = ye;
	loss = ad_add(&tape, ad_bce_prod_sigmoid(&tape, 2, xs, click, NULL),
	    ad_bce_logits(&tape, ad_mul(&tape, yc, ad_scale(&tape, yz, 1.5)), like, NULL));
	if (backward)
		ad_backward(&tape, loss);
	return loss->val[0];
}

static void fd_check(const char *name, struct backbone *bb, struct ad_params *set)
{
	size_t k;
	double worst = 0, worst_abs = 0, gmax = 0;
	ad_params_zero_grad(set);
	loss_of(bb, 1);
	for (k = 0; k < set->n; k++) {
		struct ad_param *p = set->p[k];
		int64_t j, n = p->t.rows * p->t.cols;
		real *g = malloc((size_t)n * sizeof *g);
		if (p->frozen) {
			free(g);
			continue;
		}
		memcpy(g, p->t.grad, (size_t)n * sizeof *g);
		for (j = 0; j < n; j++) {
			real save = p->t.val[j];
			double fp, fm, fd, err;
			p->t.val[j] = save + 1e-5;
			fp = loss_of(bb, 0);
			p->t.val[j] = save - 1e-5;
			fm = loss_of(bb, 0);
			p->t.val[j] = save;
			fd = (fp - fm) / 2e-5;
			err = fabs(g[j] - fd);
			if (err > worst_abs)
				worst_abs = err;
			if (fabs(fd) > gmax)
				gmax = fabs(fd);
			if (err / (1e-7 + 1e-6 * fabs(fd)) > worst)
				worst = err / (1e-7 + 1e-6 * fabs(fd));
		}
		free(g);
	}
	OK(worst <= 1.0 && gmax > 1e-3, "%s: every parameter's gradient matches finite "
	    "differences (worst %.2g of the tolerance, largest error %.2g, largest gradient %.2g)",
	    name, worst, worst_abs, gmax);
}

/* Every node's vectors of both modalities by a full-graph plan, into full; with
 * mark, the plan says it is full, so that the forward writes the histories. */
static void full_pass(struct backbone *bb, int mark, real full[2][(NU + NI) * 3])
{
	int32_t all[NU + NI];
	struct bb_plan plan;
	for (int k = 0; k < NU + NI; k++)
		all[k] = k;
	ad_tape_reset(&tape);
	bb_plan_build(&plan, &planner, &tape, &graph, bb->cfg.layers, NU, all, NU + NI);
	plan.full = mark;
	for (int m = 0; m < 2; m++)
		memcpy(full[m], bb_forward_modality(bb, &tape, &plan, m)->val, sizeof full[m]);
}

/* The largest difference between the rows plan computes for its 3 targets and the
 * full pass's rows of the same nodes. */
static double apart_from_full(struct backbone *bb, const struct bb_plan *plan,
    real full[2][(NU + NI) * 3])
{
	double worst = 0;
	for (int m = 0; m < 2; m++) {
		struct ad_tensor *x = bb_forward_modality(bb, &tape, plan, m);
		for (int k = 0; k < 3; k++)
			for (int j = 0; j < 3; j++) {
				double d = fabs(x->val[k * 3 + j] -
				    full[m][plan->t[plan->layers][k] * 3 + j]);
				if (d > worst)
					worst = d;
			}
	}
	return worst;
}

/* The rows a batch's plan computes equal those of the full-graph pass. */
static void plan_exact(struct backbone *bb)
{
	int32_t targets[3] = { 4, 0, 6 };
	struct bb_plan plan;
	real full[2][(NU + NI) * 3];
	double worst;
	int ok;
	full_pass(bb, 0, full);
	ad_tape_reset(&tape);
	bb_plan_build(&plan, &planner, &tape, &graph, bb->cfg.layers, NU, targets, 3);
	ok = plan.n[2] == 3 && plan.t[2][0] == 0 && plan.t[2][1] == 4 && plan.t[2][2] == 6;
	/* T1 adds items 0 and 1's users 1, user 2 (of item 3) and item 0 (of user 0);
	 * T0 adds item 2 (of user 1); isolated item 4 (node 7) is never needed */
	ok = ok && plan.n[1] == 6 && plan.n[0] == 7;
	OK(ok, "the plan holds the targets, their neighbours, and theirs (%lld, %lld, %lld nodes)",
	    (long long)plan.n[2], (long long)plan.n[1], (long long)plan.n[0]);
	worst = apart_from_full(bb, &plan, full);
	OK(worst < 1e-12, "a batch's rows equal the full-graph pass's (largest difference %.2g)",
	    worst);
}

/* Histories written by a full pass (as every epoch's validation writes them): a
 * history plan then computes the targets alone, and as their neighbours' histories are
 * the current values, its rows equal the full pass's. */
static void history_exact(struct backbone *bb)
{
	int32_t targets[3] = { 4, 0, 6 };
	struct bb_plan plan;
	real full[2][(NU + NI) * 3];
	double worst;
	int l, ok;
	full_pass(bb, 1, full);
	ad_tape_reset(&tape);
	bb_plan_build_history(&plan, &planner, &tape, &graph, bb->cfg.layers, NU, targets, 3);
	ok = plan.hist == 1;
	for (l = 0; l <= bb->cfg.layers; l++)
		ok = ok && plan.n[l] == 3 && plan.t[l][0] == 0 && plan.t[l][1] == 4 &&
		    plan.t[l][2] == 6;
	/* node 0 (u0): itself, 3 and 4 (i0, i1); node 4 (i1): itself, 0 and 1; node 6
	 * (i3): itself and 2: 3 + 3 + 2 entries, 5 of them targets' rows (0 and 4 are
	 * each other's neighbours), 3 from histories (nodes 3, 1 and 2) */
	ok = ok && plan.agg[1].off[3] == 8 && plan.agg_t[1].off[3] == 5;
	OK(ok, "a history plan computes the targets alone at every layer (%lld nodes, %lld "
	    "entries, %lld of them fresh)", (long long)plan.n[0], (long long)plan.agg[1].off[3],
	    (long long)plan.agg_t[1].off[3]);
	worst = apart_from_full(bb, &plan, full);
	/* the same sums in the same order over the same values: double rounding at most */
	OK(worst < 1e-12, "with histories of the current values, the history plan's rows "
	    "equal the full-graph pass's (largest difference %.2g)", worst);
}

int main(void)
{
	struct ad_params set = { 0 }, set_mf = { 0 }, set_fz = { 0 };
	struct backbone bb, mf, fz;
	struct bb_config cfg = { BB_MMGCN, 3, 4, 2, 0.2, 0, 0 };
	struct rng r;
	setup();
	ad_tape_init(&tape);
	bb_planner_init(&planner, NU + NI);
	rng_init(&r, 7, 1);
	bb_init(&bb, &cfg, NU, NI, 2, mods, &graph, NULL, &set, &r, "t1");
	fd_check("MMGCN, 2 layers, a dense and a bag modality", &bb, &set);
	plan_exact(&bb);

	cfg.kind = BB_MF;
	bb_init(&mf, &cfg, NU, NI, 2, mods, NULL, NULL, &set_mf, &r, "mf");
	fd_check("MF with a dense and a bag modality", &mf, &set_mf);

	cfg.kind = BB_MMGCN;
	cfg.frozen = 1;
	cfg.layers = 1;
	bb_init(&fz, &cfg, NU, NI, 2, mods, &graph, NULL, &set_fz, &r, "fz");
	fd_check("MMGCN, 1 layer, frozen preference and id vectors", &fz, &set_fz);
	{
		int frozen = 0;
		size_t k;
		for (k = 0; k < set_fz.n; k++)
			frozen += set_fz.p[k]->frozen;
		OK(frozen == 3, "the frozen flag freezes id_emb and each modality's preference (%d)",
		    frozen);
	}
	{
		/* --history: the rows against the full pass, and the gradient with the
		 * histories held fixed (the forward writes only the targets' rows, which it
		 * never reads back) */
		struct ad_params set_h = { 0 };
		struct backbone hb;
		cfg.frozen = 0;
		cfg.layers = 2;
		cfg.history = 1;
		bb_init(&hb, &cfg, NU, NI, 2, mods, &graph, NULL, &set_h, &r, "h");
		history_exact(&hb);
		use_history = 1;
		fd_check("MMGCN with histories, 2 layers", &hb, &set_h);
		use_history = 0;
		bb_free(&hb);
		ad_params_free(&set_h);
	}
	ad_params_free(&set);
	ad_params_free(&set_mf);
	ad_params_free(&set_fz);
	ad_tape_free(&tape);
	bb_planner_free(&planner);
	csr_free(&graph);
	csr_free(&bags);
	return tap_done();
}
