/* dcf.c: DCF, the deconfounded recommender (Wang, Liang, Charlin, Blei, RecSys 2020;
 * method.md 6): a factor model of the clicks gives a substitute confounder a(u,i), and
 * the like model conditions on it. */
#include <math.h>
#include <stdlib.h>

#include "common/numeric.h"
#include "common/util.h"
#include "rank/scoring.h"
#include "train/adam.h"
#include "train/autodiff.h"
#include "train/train.h"

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

/* Y^z + gamma_u sig(<t_u, s_i>) + b0 from the exposure factors of the model's own
 * width. */
static int rule_dcf_outcome(struct scoring *sc, const struct repset *rs, unsigned variant)
{
	struct rule_group z = scoring_group(rs, 0, GROUP_Z);
	int k = repset_extra_cols(rs, "exposure_user");
	struct rule_group expo = { repset_extra(rs, "exposure_user", rs->nu, k),
		repset_extra(rs, "exposure_item", rs->ni, k), 0 };
	const float *g = repset_extra(rs, "gamma", rs->nu, 1);
	const float *b0 = repset_extra(rs, "intercept", 1, 1);
	(void)variant;
	if (!z.user || !expo.user || !expo.item || !g || !b0)
		return -1;
	rule_dcf(&sc->rule, z, expo, k, g, b0[0], rs->dim, rs->nu, rs->ni);
	return 0;
}

static const struct method_rule dcf_rules[] = {
	{ "dcf", "sig(Y^z + gamma_u a(u,i) + b0): the like given the substitute confounder",
	    rule_dcf_outcome, 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct method method_dcf = {
	.name = "dcf",
	.about = "DCF: a click factor model as substitute confounder, then the like model",
	.graph = GRAPH_CLICK, .towers = 1, .samples = SAMPLES_CLICKS, .groups = { 1u << GROUP_Z },
	.init = dcf_init, .export = dcf_export, .loss = dcf_loss,
	.part_names = { "like", NULL, NULL }, .rules = dcf_rules,
};
