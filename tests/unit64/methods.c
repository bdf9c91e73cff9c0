/* methods: every method's whole loss (lib/train/methods/table.c) against its formula written out
 * here from method.md section 6, by value, and its gradient against central
 * differences of that formula, in double precision.  The stop-gradient quantities
 * (the propensity sg(pCTR), Multi-DR's imputed label sg(r)) are held at their values
 * while differencing, as the method's gradient must treat them.  Each method is
 * checked twice: on logits set by hand (a propensity below the floor among them) and
 * through the MMGCN backbone with its towers as train.c builds them.
 *
 * Tolerance as in grad.c: |analytic - central difference| <= 1e-7 + 1e-6 |fd|, step
 * 1e-5.  DCF's formula reads a(u,i) from the model's float arrays, the loss from its
 * double ones: the two differ by about 1e-8, so its values match to 1e-7. */
#include <stdlib.h>
#include <string.h>

#include "ingest/dataset.h"
#include "tap.h"
#include "train/backbone.h"
#include "train/branches.h"
#include "train/methods/methods.h"
#include "train/train.h"

#define NU 3
#define NI 5
/* b clicks, each with two sampled items, laid out as train.c does: the clicks first,
 * then sampled item b + j of click j mod b */
enum { B = 2, NEG = 2, N = B * (1 + NEG) };
#define EPS 0.05

static const int32_t pu[N] = { 0, 2, 0, 2, 0, 2 }, pi[N] = { 1, 3, 4, 0, 2, 4 };
static const real click[N] = { 1, 1, 0, 0, 0, 0 }, like[N] = { 1, 0, 0, 0, 0, 0 };
static const int32_t first[B] = { 0, 1 };

static struct ad_tape tape;
static struct bb_planner planner[2];
static struct ad_tape plan_tape[2];  /* a step's two plans' */
static struct csr graph, bags;
static float dense[NI * 3] = { 0.5f, -1, 2, 1, 0.25f, -0.5f, -2, 1, 0, 0.75f, 0.5f, 1, 0, 0, 0 };
static real bag_w[8] = { 1, 2, 1, 1, 3, 1, 1, 1 };
static struct bb_modality mods[2];
static struct split split;

/* A method set up to train: its towers (or hand-set logits), its own state. */
struct setup {
	const struct method *m;
	struct train_config cfg;
	struct train_data data;
	struct ad_params set;
	struct method_state ms;
	struct backbone towers[TRAIN_MAX_TOWERS];
	int direct;                                      /* logits as parameters */
	struct ad_param *yp[TRAIN_MAX_TOWERS][GROUP_COUNT];
	struct repset rs;                                /* DCF's exported arrays */
	double pctr[N], r[N];                            /* the frozen sg quantities */
};

static void setup_data(void)
{
	/* u0-i0, u0-i1, u1-i1, u1-i2, u2-i3; item 4 isolated; nodes: items at 3 + i */
	int32_t r[10] = { 0, 3, 0, 4, 1, 4, 1, 5, 2, 6 }, c[10] = { 3, 0, 4, 0, 4, 1, 5, 1, 6, 2 };
	int32_t br[8] = { 0, 0, 1, 2, 2, 2, 3, 4 }, bc[8] = { 0, 1, 1, 2, 3, 0, 3, 1 };
	static const int32_t su[5] = { 0, 0, 1, 1, 2 }, si[5] = { 0, 1, 1, 2, 3 };
	static const int sl[5] = { 1, 0, 1, 0, 1 };
	int k;
	csr_build(&graph, NU + NI, NU + NI, 10, r, c, 1);
	csr_build(&bags, NI, 4, 8, br, bc, 0);
	mods[0] = (struct bb_modality){ "cover", ROLE_EXPOSURE, 0, 3, dense, NULL, NULL };
	mods[1] = (struct bb_modality){ "words", ROLE_CONTENT, 1, 4, NULL, &bags, bag_w };
	split_init(&split);
	for (k = 0; k < 5; k++)
		split_add(&split, su[k], si[k], k, sl[k], PART_TRAIN);
}

static double sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

/* Binary cross-entropy of a probability p with a (soft) label y. */
static double bce(double p, double y)
{
	return -(y * log(p) + (1 - y) * log(1 - p));
}

static int all_pairs;   /* scores() plans every tower over every pair */

/* The pairs' scores y[k][g] (NULL where a tower lacks the group), the towers planned as
 * train.c plans them (branches.h: step_plans). */
static void scores(struct setup *S, struct ad_tensor *y[TRAIN_MAX_TOWERS][GROUP_COUNT])
{
	/* the tape keeps index lists and the plan's matrices by reference until the
	 * backward pass */
	static int32_t targets[2 * N];
	static struct step_plans sp;
	struct ad_tensor *out[2];
	int k, g, j;
	memset(y, 0, sizeof(struct ad_tensor *) * TRAIN_MAX_TOWERS * GROUP_COUNT);
	if (S->direct) {
		for (k = 0; k < S->m->towers; k++)
			for (g = 0; g < GROUP_COUNT; g++)
				if (S->yp[k][g])
					y[k][g] = &S->yp[k][g]->t;
		return;
	}
	for (j = 0; j < N; j++)
		targets[2 * j] = pu[j], targets[2 * j + 1] = NU + pi[j];
	step_plans_build(&sp, planner, plan_tape, NULL, &graph, &S->cfg.bb, NU, S->m->towers,
	    all_pairs ? 0 : S->m->positives_towers, targets, N, B);
	for (k = 0; k < S->m->towers; k++) {
		unsigned groups = method_groups(&S->cfg, k);
		bb_forward(&S->towers[k], &tape, sp.of[k], out);
		for (g = 0; g < GROUP_COUNT; g++) {
			struct ad_tensor *rep;
			if (!(groups & (1u << g)))
				continue;
			rep = bb_group(&S->towers[k], &tape, sp.of[k], out, (enum rep_group)g);
			if (rep)
				y[k][g] = ad_rowdot(&tape, ad_gather(&tape, rep, N, sp.ru[k]),
				    ad_gather(&tape, rep, N, sp.ri[k]));
		}
	}
}

/* The method's own loss, as train.c calls it. */
static double method_loss(struct setup *S, int backward)
{
	struct step s;
	struct ad_tensor *l;
	double parts[3];
	memset(&s, 0, sizeof s);
	ad_tape_reset(&tape);
	scores(S, s.y);
	s.tape = &tape;
	s.cfg = &S->cfg;
	s.b = B;
	s.n = N;
	s.click = click;
	s.like = like;
	s.first = first;
	s.pair_u = pu;
	s.pair_i = pi;
	s.ms = &S->ms;
	l = S->m->loss(&s, parts);
	if (backward)
		ad_backward(&tape, l);
	return l->val[0];
}

static double val(struct ad_tensor *y[TRAIN_MAX_TOWERS][GROUP_COUNT], int k, int g, int j)
{
	return y[k][g] ? y[k][g]->val[j] : 0;
}

/* a(u, i) = sig(<t_u, s_i>) from the model's arrays. */
static double exposure(const struct repset *rs, int32_t u, int32_t i)
{
	const float *t = repset_extra(rs, "exposure_user", NU, 16);
	const float *s = repset_extra(rs, "exposure_item", NI, 16);
	double dot = 0;
	int k;
	for (k = 0; k < 16; k++)
		dot += (double)t[u * 16 + k] * s[i * 16 + k];
	return sigmoid(dot);
}

/* The loss written out from method.md section 6, the sg quantities frozen in S. */
static double formula(struct setup *S)
{
	struct ad_tensor *y[TRAIN_MAX_TOWERS][GROUP_COUNT];
	const char *name = S->m->name;
	double sum = 0, sum2 = 0, sum3 = 0;
	int j;
	ad_tape_reset(&tape);
	scores(S, y);
	if (!strcmp(name, "hcr") || !strcmp(name, "hcr-ns")) {
		/* R_M over D, beta R_L over the clicks */
		for (j = 0; j < N; j++)
			sum += bce(sigmoid(val(y, 0, GROUP_Z, j)) * sigmoid(val(y, 0, GROUP_E, j)), click[j]);
		for (j = 0; j < B; j++)
			sum2 += bce(sigmoid(val(y, 1, GROUP_Z, j)) * sigmoid(val(y, 1, GROUP_E, j)) *
			    sigmoid(val(y, 1, GROUP_C, j)), like[j]);
		return sum / N + S->cfg.beta * sum2 / B;
	}
	if (!strcmp(name, "ct")) {
		for (j = 0; j < N; j++)
			sum += bce(sigmoid(val(y, 0, GROUP_Z, j)), click[j]);
		return sum / N;
	}
	if (!strcmp(name, "esmm")) {
		/* mean over D of BCE(pCTR, c) + BCE(pCTR pCVR, c and l) */
		for (j = 0; j < N; j++) {
			double ctr = sigmoid(val(y, 0, GROUP_Z, j)), cvr = sigmoid(val(y, 1, GROUP_Z, j));
			sum += bce(ctr, click[j]) + bce(ctr * cvr, click[j] * like[j]);
		}
		return sum / N;
	}
	if (!strcmp(name, "multi-ipw")) {
		/* mean over D of BCE(pCTR, c) + c BCE(pCVR, l) / max(sg(pCTR), eps) */
		for (j = 0; j < N; j++) {
			double ctr = sigmoid(val(y, 0, GROUP_Z, j)), cvr = sigmoid(val(y, 1, GROUP_Z, j));
			sum += bce(ctr, click[j]) + click[j] * bce(cvr, like[j]) / fmax(S->pctr[j], EPS);
		}
		return sum / N;
	}
	if (!strcmp(name, "multi-dr")) {
		/* CTR as IPW; CVR: e_hat + c (e - e_hat) / max(sg(pCTR), eps); imputation:
		 * c (r - l)^2 / max(sg(pCTR), eps) */
		for (j = 0; j < N; j++) {
			double ctr = sigmoid(val(y, 0, GROUP_Z, j)), cvr = sigmoid(val(y, 1, GROUP_Z, j));
			double r = sigmoid(val(y, 2, GROUP_Z, j)), e = bce(cvr, like[j]);
			double e_hat = bce(cvr, S->r[j]), prop = fmax(S->pctr[j], EPS);
			sum += bce(ctr, click[j]);
			sum2 += e_hat + click[j] * (e - e_hat) / prop;
			sum3 += click[j] * (r - like[j]) * (r - like[j]) / prop;
		}
		return (sum + sum2 + sum3) / N;
	}
	if (!strcmp(name, "cr")) {
		/* BPR of Y^z sig(Y^e), each click against its sampled items, + BPR of Y^e */
		for (j = 0; j < N - B; j++) {
			int p = j % B, q = B + j;
			double fp = val(y, 0, GROUP_Z, p) * sigmoid(val(y, 0, GROUP_E, p));
			double fq = val(y, 0, GROUP_Z, q) * sigmoid(val(y, 0, GROUP_E, q));
			sum -= log(sigmoid(fp - fq));
			sum2 -= log(sigmoid(val(y, 0, GROUP_E, p) - val(y, 0, GROUP_E, q)));
		}
		return (sum + 1.0 * sum2) / (N - B);
	}
	if (!strcmp(name, "dcf")) {
		/* over D: BCE of sig(c Y^z + gamma_u a(u,i) + b0) against l */
		for (j = 0; j < N; j++) {
			double logit = click[j] * val(y, 0, GROUP_Z, j) +
			    S->ms.p[0]->t.val[pu[j]] * exposure(&S->rs, pu[j], pi[j]) + S->ms.p[1]->t.val[0];
			sum += bce(sigmoid(logit), like[j]);
		}
		return sum / N;
	}
	fprintf(stderr, "no formula for %s\n", name);
	abort();
}

/* The settings and data of a method. */
static void configure(struct setup *S, const char *name)
{
	memset(S, 0, sizeof *S);
	S->m = method_find(name);
	S->cfg.method = S->m;
	S->cfg.bb = (struct bb_config){ BB_MMGCN, 3, 4, 2, 0.2, 0, 0 };
	S->cfg.beta = 1.5;
	S->cfg.batch = 4;
	S->cfg.negatives = NEG;
	S->cfg.epochs = 20;
	S->cfg.patience = 5;
	S->cfg.seed = 3;
	S->cfg.heads = heads_default;
	S->data.nu = NU;
	S->data.ni = NI;
	S->data.split = &split;
	S->data.graph[0] = S->data.graph[1] = &graph;
	S->data.nmod = 2;
	S->data.mods = mods;
}

/* The method's towers, logits or backbones, and its own parameters. */
static void setup_method(struct setup *S, const char *name, int direct)
{
	/* logits by hand; click 0's pCTR is sig(-4) = 0.018, below the floor */
	static const real logit[N] = { -4, 1.2, -0.3, 2.5, -1.7, 0.4 };
	struct rng r;
	int k, g, j;
	configure(S, name);
	S->direct = direct;
	rng_init(&r, 11, 1);
	for (k = 0; k < S->m->towers; k++) {
		char prefix[24];
		snprintf(prefix, sizeof prefix, "tower%d", k + 1);
		if (direct) {
			unsigned groups = method_groups(&S->cfg, k);
			for (g = 0; g < GROUP_COUNT; g++)
				if (groups & (1u << g)) {
					S->yp[k][g] = ad_param_new(&S->set, prefix, N, 1);
					for (j = 0; j < N; j++)
						S->yp[k][g]->t.val[j] = k == 0 && g == GROUP_Z ? logit[j]
						    : (real)rng_normal_ms(&r, 0, 1.5);
				}
		} else {
			bb_init(&S->towers[k], &S->cfg.bb, NU, NI, 2, mods, &graph,
			    (k > 0 && S->m->shared_id) ? S->towers[0].id_emb : NULL, &S->set, &r, prefix);
		}
	}
	if (S->m->init)
		S->m->init(&S->ms, &S->cfg, &S->data, &S->set, &r);
	/* the method's own parameters away from their initial zeros */
	for (k = 0; k < 4; k++)
		if (S->ms.p[k])
			for (j = 0; j < S->ms.p[k]->t.rows; j++)
				S->ms.p[k]->t.val[j] += (real)rng_normal_ms(&r, 0, 0.5);
	if (S->m->export)
		S->m->export(&S->ms, &S->cfg, &S->data, &S->rs);
	{
		/* the frozen quantities, at this point */
		struct ad_tensor *y[TRAIN_MAX_TOWERS][GROUP_COUNT];
		ad_tape_reset(&tape);
		scores(S, y);
		for (j = 0; j < N; j++) {
			S->pctr[j] = sigmoid(val(y, 0, GROUP_Z, j));
			S->r[j] = sigmoid(val(y, 2, GROUP_Z, j));
		}
	}
}

static void setup_free(struct setup *S)
{
	ad_params_free(&S->set);
	repset_free(&S->rs);
	free(S->ms.data);
}

static void check_method(const char *name, int direct)
{
	struct setup S;
	double loss, want, worst = 0, worst_abs = 0, gmax = 0;
	size_t k;
	int floor_active = 0, j;
	setup_method(&S, name, direct);
	ad_params_zero_grad(&S.set);
	loss = method_loss(&S, 1);
	want = formula(&S);
	NEAR(loss, want, (strcmp(name, "dcf") ? 1e-12 : 1e-7) * (1 + fabs(want)),
	    "%s, %s: the loss is its formula (%.6f)", name, direct ? "logits by hand" : "MMGCN",
	    want);
	for (k = 0; k < S.set.n; k++) {
		struct ad_param *p = S.set.p[k];
		int64_t n = p->t.rows * p->t.cols, i;
		real *g;
		if (p->frozen)
			continue;
		g = malloc((size_t)n * sizeof *g);
		memcpy(g, p->t.grad, (size_t)n * sizeof *g);
		for (i = 0; i < n; i++) {
			real save = p->t.val[i];
			double fp, fm, fd, err;
			p->t.val[i] = save + 1e-5;
			fp = formula(&S);
			p->t.val[i] = save - 1e-5;
			fm = formula(&S);
			p->t.val[i] = save;
			fd = (fp - fm) / 2e-5;
			err = fabs(g[i] - fd);
			worst_abs = err > worst_abs ? err : worst_abs;
			gmax = fabs(fd) > gmax ? fabs(fd) : gmax;
			if (err / (1e-7 + 1e-6 * fabs(fd)) > worst)
				worst = err / (1e-7 + 1e-6 * fabs(fd));
		}
		free(g);
	}
	OK(worst <= 1 && gmax > 1e-3, "%s, %s: every parameter's gradient matches the formula's "
	    "differences (worst %.2g of the tolerance, largest error %.2g, largest gradient "
	    "%.2g)", name, direct ? "logits by hand" : "MMGCN", worst, worst_abs, gmax);
	for (j = 0; j < N; j++)
		floor_active |= click[j] && S.pctr[j] < EPS;
	if (direct && (!strcmp(name, "multi-ipw") || !strcmp(name, "multi-dr")))
		OK(floor_active, "%s: a click's propensity is below the floor 0.05", name);
	setup_free(&S);
}

/* A tower read on the positives alone (HCR's like tower) is planned over their nodes
 * only: the loss and every gradient are those of the plan over every pair, to the
 * rounding of sums over fewer rows (double precision: 1e-12, about 1e4 ulps of values
 * of order 1; a row left out wrongly changes them at order 1e-2). */
static void check_positives_plan(const char *name)
{
	struct setup S;
	size_t n, k, at = 0;
	real *g;
	double l_pos, l_all, worst = 0;
	int fewer;
	setup_method(&S, name, 0);
	n = ad_params_count(&S.set);
	g = malloc(n * sizeof *g);
	ad_params_zero_grad(&S.set);
	l_pos = method_loss(&S, 1);
	for (k = 0; k < S.set.n; k++) {
		int64_t c = S.set.p[k]->t.rows * S.set.p[k]->t.cols;
		memcpy(g + at, S.set.p[k]->t.grad, (size_t)c * sizeof *g);
		at += (size_t)c;
	}
	{
		/* the like tower's plan holds fewer nodes than the click tower's */
		static int32_t targets[2 * N];
		struct step_plans sp;
		for (int j = 0; j < N; j++)
			targets[2 * j] = pu[j], targets[2 * j + 1] = NU + pi[j];
		ad_tape_reset(&tape);
		step_plans_build(&sp, planner, plan_tape, NULL, &graph, &S.cfg.bb, NU, 2,
		    S.m->positives_towers, targets, N, B);
		fewer = sp.of[1]->n[0] < sp.of[0]->n[0] && sp.of[1]->n[2] < sp.of[0]->n[2];
	}
	all_pairs = 1;
	ad_params_zero_grad(&S.set);
	l_all = method_loss(&S, 1);
	all_pairs = 0;
	for (k = 0, at = 0; k < S.set.n; k++) {
		int64_t c = S.set.p[k]->t.rows * S.set.p[k]->t.cols;
		for (int64_t i = 0; i < c; i++)
			if (fabs(g[at + (size_t)i] - S.set.p[k]->t.grad[i]) > worst)
				worst = fabs(g[at + (size_t)i] - S.set.p[k]->t.grad[i]);
		at += (size_t)c;
	}
	OK(fewer && fabs(l_pos - l_all) <= 1e-12 && worst <= 1e-12, "%s, MMGCN: the like tower "
	    "planned over the positives gives the loss and gradients of every pair's plan "
	    "(loss %.2g apart, gradients %.2g)", name, fabs(l_pos - l_all), worst);
	free(g);
	setup_free(&S);
}

/* Stage 1 of DCF learns the clicks: a(u,i) is higher on them than off them. */
static void dcf_exposure_fit(void)
{
	struct setup S;
	struct rng r;
	double on = 0, off = 0;
	int n_on = 0, n_off = 0, u, i;
	struct csr clicked;
	configure(&S, "dcf");
	S.cfg.epochs = S.cfg.patience = 400;
	rng_init(&r, 11, 1);
	S.m->init(&S.ms, &S.cfg, &S.data, &S.set, &r);
	S.m->export(&S.ms, &S.cfg, &S.data, &S.rs);
	split_user_items(&split, NU, NI, PART_TRAIN, 0, &clicked);
	for (u = 0; u < NU; u++)
		for (i = 0; i < NI; i++) {
			if (csr_has(&clicked, u, i))
				on += exposure(&S.rs, u, i), n_on++;
			else
				off += exposure(&S.rs, u, i), n_off++;
		}
	OK(on / n_on > 0.7 && off / n_off < 0.5, "dcf: the exposure model of stage 1 fits the "
	    "clicks (mean a(u,i) %.3f on them, %.3f off them)", on / n_on, off / n_off);
	OK(repset_extra(&S.rs, "gamma", NU, 1) && repset_extra(&S.rs, "intercept", 1, 1),
	    "dcf: the model keeps gamma and the intercept");
	csr_free(&clicked);
	setup_free(&S);
}

int main(void)
{
	static const char *const names[] = { "hcr", "hcr-ns", "ct", "esmm", "cr", "multi-ipw",
		"multi-dr", "dcf" };
	size_t k;
	setup_data();
	ad_tape_init(&tape);
	for (int k = 0; k < 2; k++) {
		bb_planner_init(&planner[k], NU + NI);
		ad_tape_init(&plan_tape[k]);
	}
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		check_method(names[k], 1);
		check_method(names[k], 0);
	}
	check_positives_plan("hcr");
	check_positives_plan("hcr-ns");
	dcf_exposure_fit();
	ad_tape_free(&tape);
	for (int k = 0; k < 2; k++) {
		bb_planner_free(&planner[k]);
		ad_tape_free(&plan_tape[k]);
	}
	csr_free(&graph);
	csr_free(&bags);
	split_free(&split);
	return tap_done();
}
