/* table.c: the table of training methods (method.md section 6).  Each entry says
 * which graph its backbones use, how many towers and whether they share the id
 * embedding, what it trains on, its loss, and its scoring rules. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/adam.h"
#include "train/train.h"
#include "common/util.h"

#define Z (1u << GROUP_Z)
#define E (1u << GROUP_E)
#define C (1u << GROUP_C)

static struct ad_tensor *hcr_loss(struct step *s, double parts[3]);
#define hcr_loss_fn hcr_loss

/* The present groups' scores of tower k, for n rows (or the first b). */
static int factors(struct step *s, int k, unsigned groups, int positives_only,
    struct ad_tensor **xs)
{
	int g, n = 0;
	for (g = 0; g < GROUP_COUNT; g++)
		if ((groups & (1u << g)) && s->y[k][g])
			xs[n++] = positives_only ? ad_gather(s->tape, s->y[k][g], s->b, s->first)
			                         : s->y[k][g];
	return n;
}

unsigned method_groups(const struct train_config *cfg, int k)
{
	const struct method *m = cfg->method;
	if (m->loss == hcr_loss_fn) {
		const struct heads *h = &cfg->heads;
		if (k == 0)
			return Z | E | (h->h1_tower == 1 ? h->h1 : 0);
		return h->h2 | (h->h1_tower == 2 ? h->h1 : 0);
	}
	return k < m->towers ? m->groups[k] : 0;
}

/* HCR (method.md 5): the click model f = sig(Y1z) sig(Y1e) by cross-entropy over the
 * batch's clicks and sampled items; the like model h = h1 h2, by default sig(Y2z)
 * times sig(Y2e) sig(Y2c), by cross-entropy against the like label over the batch's
 * clicks.  The heads' inputs are settings (the open point of method.md 5). */
static struct ad_tensor *hcr_loss(struct step *s, double parts[3])
{
	const struct heads *h = &s->cfg->heads;
	struct ad_tensor *xs[2 * GROUP_COUNT + 1], *rm, *rl;
	int n;
	n = factors(s, 0, Z | E, 0, xs);
	rm = ad_bce_prod_sigmoid(s->tape, n, xs, s->click, NULL);
	n = factors(s, h->h1_tower - 1, h->h1, 1, xs);
	n += factors(s, 1, h->h2, 1, xs + n);
	if (h->h2_item)
		/* sig(b_i): a per-item factor the confounded item effect can settle in */
		xs[n++] = ad_gather(s->tape, &s->ms->p[0]->t, s->b, s->pair_i);
	rl = ad_bce_prod_sigmoid(s->tape, n, xs, s->like, NULL);
	parts[0] = rm->val[0];
	parts[1] = rl->val[0];
	parts[2] = 0;
	return ad_add(s->tape, rm, ad_scale(s->tape, rl, s->cfg->beta));
}

/* CT: one backbone on the like graph, cross-entropy of sig(Y^z) over the training
 * likes and, per like, sampled items the user did not click. */
static struct ad_tensor *ct_loss(struct step *s, double parts[3])
{
	struct ad_tensor *l = ad_bce_logits(s->tape, s->y[0][GROUP_Z], s->click, NULL);
	parts[0] = l->val[0];
	parts[1] = parts[2] = 0;
	return l;
}

/* The floor of a propensity, so that one rare click's weight stays at most 20. */
#define IPW_EPS 0.05
/* CR's weight of the exposure branch's BPR (the reference code's default). */
#define CR_ALPHA 1.0

static double sigmoid(double x)
{
	return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

/* c / max(sg(pCTR), eps) for each row of D: a click's inverse propensity, 0 off the
 * clicks.  Plain numbers, so no gradient reaches pCTR through them. */
static real *ipw_weights(struct step *s, const struct ad_tensor *x_ctr)
{
	real *w = ad_scratch(s->tape, (size_t)s->n * sizeof *w);
	int64_t j;
	for (j = 0; j < s->n; j++)
		w[j] = s->click[j] != 0 ? (real)(s->click[j] / fmax(sigmoid(x_ctr->val[j]), IPW_EPS))
		                        : 0;
	return w;
}

/* ESMM (Ma et al., SIGIR 2018): pCTR = sig(Y1z), pCVR = sig(Y2z) over the sampled
 * space D, cross-entropy of pCTR against the click and of pCTCVR = pCTR pCVR against
 * click and like; the CVR tower learns only through the product. */
static struct ad_tensor *esmm_loss(struct step *s, double parts[3])
{
	struct ad_tensor *xs[2] = { s->y[0][GROUP_Z], s->y[1][GROUP_Z] }, *ctr, *ctcvr;
	ctr = ad_bce_logits(s->tape, xs[0], s->click, NULL);
	ctcvr = ad_bce_prod_sigmoid(s->tape, 2, xs, s->like, NULL);
	parts[0] = ctr->val[0];
	parts[1] = ctcvr->val[0];
	parts[2] = 0;
	return ad_add(s->tape, ctr, ctcvr);
}

/* Multi-IPW (Zhang et al., WWW 2020): the CTR task as ESMM's; the CVR task's
 * cross-entropy on the clicks, each weighted by its inverse propensity
 * 1 / max(sg(pCTR), eps), averaged over all of D. */
static struct ad_tensor *ipw_loss(struct step *s, double parts[3])
{
	struct ad_tensor *x_ctr = s->y[0][GROUP_Z], *ctr, *cvr;
	ctr = ad_bce_logits(s->tape, x_ctr, s->click, NULL);
	cvr = ad_bce_logits(s->tape, s->y[1][GROUP_Z], s->like, ipw_weights(s, x_ctr));
	parts[0] = ctr->val[0];
	parts[1] = cvr->val[0];
	parts[2] = 0;
	return ad_add(s->tape, ctr, cvr);
}

/* Multi-DR (Zhang et al., WWW 2020), with method.md 6's imputation: a third tower
 * imputes a like label r = sig(Y3z); over D the CVR loss is
 * e_hat + w (e - e_hat), e = BCE(pCVR, l), e_hat = BCE(pCVR, sg(r)), w the inverse
 * propensity, written as the sum of two weighted cross-entropies, (1 - w) e_hat + w e
 * (negative weights are fine); r learns by w (r - l)^2. */
static struct ad_tensor *dr_loss(struct step *s, double parts[3])
{
	struct ad_tensor *x_ctr = s->y[0][GROUP_Z], *x_cvr = s->y[1][GROUP_Z];
	struct ad_tensor *x_imp = s->y[2][GROUP_Z], *ctr, *cvr, *imp;
	real *w = ipw_weights(s, x_ctr);
	real *r = ad_scratch(s->tape, (size_t)s->n * sizeof *r);
	real *w_hat = ad_scratch(s->tape, (size_t)s->n * sizeof *w_hat);
	int64_t j;
	for (j = 0; j < s->n; j++) {
		r[j] = (real)sigmoid(x_imp->val[j]);
		w_hat[j] = 1 - w[j];
	}
	ctr = ad_bce_logits(s->tape, x_ctr, s->click, NULL);
	cvr = ad_add(s->tape, ad_bce_logits(s->tape, x_cvr, r, w_hat),
	    ad_bce_logits(s->tape, x_cvr, s->like, w));
	imp = ad_sq_error(s->tape, ad_sigmoid(s->tape, x_imp), s->like, w);
	parts[0] = ctr->val[0];
	parts[1] = cvr->val[0];
	parts[2] = imp->val[0];
	return ad_add(s->tape, ad_add(s->tape, ctr, cvr), imp);
}

/* CR (Wang et al., SIGIR 2021, as its code): BPR of the fused score Y^z sig(Y^e)
 * of each click against each of its sampled items, plus alpha times BPR of Y^e
 * alone.  Without an exposure modality the fused score is Y^z. */
static struct ad_tensor *cr_loss(struct step *s, double parts[3])
{
	struct ad_tensor *yz = s->y[0][GROUP_Z], *ye = s->y[0][GROUP_E], *fused, *l1, *l2 = NULL;
	int64_t m = s->n - s->b, j;
	int32_t *pos = ad_scratch(s->tape, (size_t)(m + 1) * sizeof *pos);
	int32_t *neg = ad_scratch(s->tape, (size_t)(m + 1) * sizeof *neg);
	/* sampled item b + j belongs to the click j mod b (train.c's layout) */
	for (j = 0; j < m; j++) {
		pos[j] = (int32_t)(j % s->b);
		neg[j] = (int32_t)(s->b + j);
	}
	fused = ye ? ad_mul(s->tape, yz, ad_sigmoid(s->tape, ye)) : yz;
	l1 = ad_bpr(s->tape, ad_gather(s->tape, fused, m, pos), ad_gather(s->tape, fused, m, neg));
	parts[0] = l1->val[0];
	parts[1] = parts[2] = 0;
	if (!ye)
		return l1;
	l2 = ad_bpr(s->tape, ad_gather(s->tape, ye, m, pos), ad_gather(s->tape, ye, m, neg));
	parts[1] = l2->val[0];
	return ad_add(s->tape, l1, ad_scale(s->tape, l2, CR_ALPHA));
}

static void cr_init(struct method_state *ms, const struct train_config *cfg,
    const struct train_data *data, struct ad_params *set, struct rng *r)
{
	(void)ms, (void)data, (void)set, (void)r;
	if (cfg->negatives < 1)
		die(HCR_EXIT_USAGE, "--method cr ranks each click above its sampled items: it "
		    "needs --negatives 1 or more");
}

/* DCF (Wang, Liang, Charlin, Blei, RecSys 2020) with the clicks as its exposures and
 * the likes as its ratings.  Stage 1, in dcf_init: a logistic factor model of the
 * clicks, P(click) = sig(<t_u, s_i>), whose fit a(u,i) is the substitute confounder.
 * Stage 2, the loop's: the like model of dcf_loss. */
#define DCF_K 16
#define DCF_LR 0.003         /* stage 1's Adam rate; held-out clicks, not decay, stop it */
#define DCF_INIT_SD 0.1      /* stage 1's initial factors */
#define DCF_HELD_OUT 10      /* one training click in this many measures stage 1 */
enum { DCF_STREAM = 4 };     /* stage 1's random stream (train.c's are 1 to 3) */

struct dcf_state {
	real *t, *s;              /* nu x DCF_K, ni x DCF_K: the exposure factors */
	real buf[];
};

static double dcf_exposure(const struct dcf_state *d, int32_t u, int32_t i)
{
	double dot = 0;
	int k;
	for (k = 0; k < DCF_K; k++)
		dot += (double)d->t[(size_t)u * DCF_K + k] * d->s[(size_t)i * DCF_K + k];
	return sigmoid(dot);
}

/* Mean log loss of the exposure model over the pairs (u[j], i[j]) labelled y[j]. */
static struct ad_tensor *dcf_click_loss(struct ad_tape *tape, struct ad_param *t,
    struct ad_param *sv, int64_t n, const int32_t *u, const int32_t *i, const real *y)
{
	return ad_bce_logits(tape, ad_rowdot(tape, ad_gather(tape, &t->t, n, u),
	    ad_gather(tape, &sv->t, n, i)), y, NULL);
}

/* Stage 1: fits t and s by Adam to the training clicks (label 1) against, per click,
 * max(1, --negatives) items the user did not click (label 0, redrawn every epoch).
 * One click in DCF_HELD_OUT, with one sampled item each drawn once, is held out, and
 * the epoch of the best held-out log loss is kept; at most --epochs epochs, stopping
 * after --patience without a gain.  The factors go to d->t and d->s. */
static void dcf_fit_exposure(struct dcf_state *d, const struct train_config *cfg,
    const struct train_data *data, struct rng *r)
{
	const int64_t nu = data->nu, ni = data->ni;
	const int per = 1 + (cfg->negatives > 0 ? cfg->negatives : 1);
	const struct split *sp = data->split;
	struct ad_params own = { 0 };
	struct ad_param *t = ad_param_new(&own, "dcf/t", nu, DCF_K);
	struct ad_param *sv = ad_param_new(&own, "dcf/s", ni, DCF_K);
	struct ad_tape tape;
	struct adam opt;
	struct rng rs;
	struct csr clicked;
	int32_t *rec = xmalloc(((size_t)sp->n + 1) * sizeof *rec), *bu, *bi, *hu, *hi;
	real *by, *hy;
	double best = INFINITY;
	int64_t n = 0, n_fit, n_held, k, start;
	int epoch, best_epoch = 0, since_best = 0;

	ad_init_normal(&t->t, r, DCF_INIT_SD);
	ad_init_normal(&sv->t, r, DCF_INIT_SD);
	rng_init(&rs, cfg->seed, DCF_STREAM);
	split_user_items(sp, nu, ni, PART_TRAIN, 0, &clicked);
	for (k = 0; k < sp->n; k++)
		if (sp->part[k] == PART_TRAIN)
			rec[n++] = (int32_t)k;
	rng_shuffle_i32(&rs, rec, (size_t)n);
	n_held = n / DCF_HELD_OUT;
	n_fit = n - n_held;
	hu = xmalloc((size_t)(2 * n_held + 1) * sizeof *hu);
	hi = xmalloc((size_t)(2 * n_held + 1) * sizeof *hi);
	hy = xmalloc((size_t)(2 * n_held + 1) * sizeof *hy);
	for (k = 0; k < n_held; k++) {
		int32_t j = rec[n_fit + k];
		hu[k] = hu[n_held + k] = sp->user[j];
		hi[k] = sp->item[j];
		hi[n_held + k] = train_negative(&rs, &clicked, sp->user[j], ni);
		hy[k] = 1;
		hy[n_held + k] = 0;
	}
	bu = xmalloc((size_t)cfg->batch * per * sizeof *bu);
	bi = xmalloc((size_t)cfg->batch * per * sizeof *bi);
	by = xmalloc((size_t)cfg->batch * per * sizeof *by);
	ad_tape_init(&tape);
	adam_init(&opt, DCF_LR, 0);
	ad_params_save(&own, d->buf);
	for (epoch = 1; epoch <= cfg->epochs && since_best < cfg->patience; epoch++) {
		double loss, fit = 0;
		rng_shuffle_i32(&rs, rec, (size_t)n_fit);
		for (start = 0; start < n_fit; start += cfg->batch) {
			int64_t b = n_fit - start < cfg->batch ? n_fit - start : cfg->batch, j;
			struct ad_tensor *l;
			for (j = 0; j < b * per; j++) {
				int32_t rj = rec[start + j % b];
				bu[j] = sp->user[rj];
				bi[j] = j < b ? sp->item[rj] : train_negative(&rs, &clicked, bu[j], ni);
				by[j] = j < b;
			}
			ad_tape_reset(&tape);
			l = dcf_click_loss(&tape, t, sv, b * per, bu, bi, by);
			fit += l->val[0] * (double)b / (double)n_fit;
			ad_backward(&tape, l);
			adam_step(&opt, &own);
		}
		ad_tape_reset(&tape);
		/* a log of fewer than DCF_HELD_OUT clicks holds none out: the fit decides */
		loss = n_held ? dcf_click_loss(&tape, t, sv, 2 * n_held, hu, hi, hy)->val[0] : fit;
		if (!isfinite(loss))
			die(HCR_EXIT_NUMERIC, "dcf: the exposure model diverged in epoch %d; no model "
			    "written", epoch);
		if (loss < best) {
			best = loss;
			best_epoch = epoch;
			ad_params_save(&own, d->buf);
			since_best = 0;
		} else {
			since_best++;
		}
	}
	verbose("dcf: exposure model of %d factors: held-out log loss %.4f at epoch %d of %d",
	    DCF_K, best, best_epoch, epoch - 1);
	ad_tape_free(&tape);
	ad_params_free(&own);
	csr_free(&clicked);
	free(rec);
	free(hu);
	free(hi);
	free(hy);
	free(bu);
	free(bi);
	free(by);
}

/* gamma_u (0) and b0 (the log-odds of a like over D, since Adam moves one number by
 * about lr a batch, too slowly to find it on a small log); then stage 1. */
static void dcf_init(struct method_state *ms, const struct train_config *cfg,
    const struct train_data *data, struct ad_params *set, struct rng *r)
{
	const struct split *sp = data->split;
	struct dcf_state *d = xmalloc(sizeof *d + (size_t)(data->nu + data->ni) * DCF_K *
	    sizeof(real));
	int64_t k, clicks = 0, likes = 0;
	double p;
	for (k = 0; k < sp->n; k++)
		if (sp->part[k] == PART_TRAIN) {
			clicks++;
			likes += sp->like[k] != 0;
		}
	p = (likes + 0.5) / ((double)clicks * (1 + cfg->negatives) + 1);
	ms->p[0] = ad_param_new(set, "dcf/gamma", data->nu, 1);
	ad_init_const(&ms->p[0]->t, 0);
	ms->p[1] = ad_param_new(set, "dcf/b0", 1, 1);
	ad_init_const(&ms->p[1]->t, (real)log(p / (1 - p)));
	d->t = d->buf;
	d->s = d->buf + (size_t)data->nu * DCF_K;
	ms->data = d;
	dcf_fit_exposure(d, cfg, data, r);
}

/* Stage 2, the outcome model as DCF's code fits it, over every pair of D: the logit
 * c Y^z + gamma_u a(u,i) + b0 against the like label (0 off the clicks), so that
 * Y^z learns from the clicks and gamma_u and b0 from all of D; a(u,i) is a fixed
 * number.  The rule sets the click to 1: Y^z + gamma_u a(u,i) + b0. */
static struct ad_tensor *dcf_loss(struct step *s, double parts[3])
{
	const struct dcf_state *d = s->ms->data;
	real *a = ad_scratch(s->tape, (size_t)s->n * sizeof *a);
	real *c = ad_scratch(s->tape, (size_t)s->n * sizeof *c);
	struct ad_tensor *yz, *ga, *l;
	int64_t j;
	for (j = 0; j < s->n; j++) {
		a[j] = (real)dcf_exposure(d, s->pair_u[j], s->pair_i[j]);
		c[j] = s->click[j];
	}
	yz = ad_mul(s->tape, s->y[0][GROUP_Z], ad_wrap(s->tape, s->n, 1, c));
	ga = ad_mul(s->tape, ad_gather(s->tape, &s->ms->p[0]->t, s->n, s->pair_u),
	    ad_wrap(s->tape, s->n, 1, a));
	l = ad_bce_logits(s->tape, ad_add_row(s->tape, ad_add(s->tape, yz, ga),
	    &s->ms->p[1]->t), s->like, NULL);
	parts[0] = l->val[0];
	parts[1] = parts[2] = 0;
	return l;
}

/* The exposure factors, gamma and the intercept, for the rule. */
static void dcf_export(const struct method_state *ms, const struct train_config *cfg,
    const struct train_data *data, struct repset *rs)
{
	const struct dcf_state *d = ms->data;
	float *t = xmalloc((size_t)data->nu * DCF_K * sizeof *t);
	float *sv = xmalloc((size_t)data->ni * DCF_K * sizeof *sv);
	float *g = xmalloc((size_t)data->nu * sizeof *g), *b0;
	int64_t k;
	(void)cfg;
	for (k = 0; k < data->nu * DCF_K; k++)
		t[k] = (float)d->t[k];
	for (k = 0; k < data->ni * DCF_K; k++)
		sv[k] = (float)d->s[k];
	for (k = 0; k < data->nu; k++)
		g[k] = (float)ms->p[0]->t.val[k];
	repset_add_extra(rs, "exposure_user", data->nu, DCF_K, t);
	repset_add_extra(rs, "exposure_item", data->ni, DCF_K, sv);
	repset_add_extra(rs, "gamma", data->nu, 1, g);
	b0 = xmalloc(sizeof *b0);
	b0[0] = (float)ms->p[1]->t.val[0];
	repset_add_extra(rs, "intercept", 1, 1, b0);
}

static void hcr_init(struct method_state *ms, const struct train_config *cfg,
    const struct train_data *data, struct ad_params *set, struct rng *r)
{
	(void)r;
	if (cfg->heads.h2_item) {
		ms->p[0] = ad_param_new(set, "hcr/item_bias", data->ni, 1);
		ad_init_const(&ms->p[0]->t, 0);
	}
}

static void hcr_export(const struct method_state *ms, const struct train_config *cfg,
    const struct train_data *data, struct repset *rs)
{
	if (cfg->heads.h2_item) {
		float *b = xmalloc((size_t)data->ni * sizeof *b);
		int64_t k;
		for (k = 0; k < data->ni; k++)
			b[k] = (float)ms->p[0]->t.val[k];
		repset_add_extra(rs, "item_bias", data->ni, 1, b);
	}
}

static const char *const hcr_rules[] = { "hcr", "hcr-t", "hcr-s1", "hcr-s2", NULL };
static const char *const ct_rules[] = { "ct", NULL };
static const char *const esmm_rules[] = { "esmm", "esmm-cvr", NULL };
static const char *const cr_rules[] = { "cr", "cr-fused", NULL };
static const char *const ipw_rules[] = { "multi-ipw", "multi-ipw-cvr", NULL };
static const char *const dr_rules[] = { "multi-dr", "multi-dr-cvr", NULL };
static const char *const dcf_rules[] = { "dcf", NULL };

static const struct method methods[] = {
	{ "hcr", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z | E, Z | E | C, 0 }, hcr_init,
	    hcr_export, hcr_loss, { "click", "like", NULL }, "hcr", hcr_rules },
	{ "hcr-ns", GRAPH_CLICK, 2, 0, SAMPLES_CLICKS, { Z | E, Z | E | C, 0 }, hcr_init,
	    hcr_export, hcr_loss, { "click", "like", NULL }, "hcr", hcr_rules },
	{ "ct", GRAPH_LIKE, 1, 0, SAMPLES_LIKES, { Z, 0, 0 }, NULL, NULL, ct_loss,
	    { "like", NULL, NULL }, "ct", ct_rules },
	{ "esmm", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z, Z, 0 }, NULL, NULL, esmm_loss,
	    { "ctr", "ctcvr", NULL }, "esmm", esmm_rules },
	{ "cr", GRAPH_CLICK, 1, 0, SAMPLES_CLICKS, { Z | E, 0, 0 }, cr_init, NULL, cr_loss,
	    { "fused", "exposure", NULL }, "cr", cr_rules },
	{ "multi-ipw", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z, Z, 0 }, NULL, NULL, ipw_loss,
	    { "ctr", "cvr", NULL }, "multi-ipw", ipw_rules },
	{ "multi-dr", GRAPH_CLICK, 3, 1, SAMPLES_CLICKS, { Z, Z, Z }, NULL, NULL, dr_loss,
	    { "ctr", "cvr", "imputation" }, "multi-dr", dr_rules },
	{ "dcf", GRAPH_CLICK, 1, 0, SAMPLES_CLICKS, { Z, 0, 0 }, dcf_init, dcf_export, dcf_loss,
	    { "like", NULL, NULL }, "dcf", dcf_rules },
};

const struct method *method_find(const char *name)
{
	size_t k;
	for (k = 0; k < sizeof methods / sizeof methods[0]; k++)
		if (strcmp(methods[k].name, name) == 0)
			return &methods[k];
	return NULL;
}

const char *method_names(void)
{
	static char buf[256];
	size_t k;
	if (buf[0])
		return buf;
	for (k = 0; k < sizeof methods / sizeof methods[0]; k++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", k ? ", " : "",
		    methods[k].name);
	return buf;
}
