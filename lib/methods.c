/* methods.c: the table of training methods (method.md section 6).  Each entry says
 * which graph its backbones use, how many towers and whether they share the id
 * embedding, what it trains on, its loss, and its scoring rules. */
#include <math.h>
#include <string.h>

#include "train.h"
#include "util.h"

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
static const char *const ipw_rules[] = { "multi-ipw", "multi-ipw-cvr", NULL };
static const char *const dr_rules[] = { "multi-dr", "multi-dr-cvr", NULL };

static const struct method methods[] = {
	{ "hcr", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z | E, Z | E | C, 0 }, hcr_init,
	    hcr_export, hcr_loss, { "click", "like", NULL }, "hcr", hcr_rules },
	{ "hcr-ns", GRAPH_CLICK, 2, 0, SAMPLES_CLICKS, { Z | E, Z | E | C, 0 }, hcr_init,
	    hcr_export, hcr_loss, { "click", "like", NULL }, "hcr", hcr_rules },
	{ "ct", GRAPH_LIKE, 1, 0, SAMPLES_LIKES, { Z, 0, 0 }, NULL, NULL, ct_loss,
	    { "like", NULL, NULL }, "ct", ct_rules },
	{ "esmm", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z, Z, 0 }, NULL, NULL, esmm_loss,
	    { "ctr", "ctcvr", NULL }, "esmm", esmm_rules },
	{ "multi-ipw", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z, Z, 0 }, NULL, NULL, ipw_loss,
	    { "ctr", "cvr", NULL }, "multi-ipw", ipw_rules },
	{ "multi-dr", GRAPH_CLICK, 3, 1, SAMPLES_CLICKS, { Z, Z, Z }, NULL, NULL, dr_loss,
	    { "ctr", "cvr", "imputation" }, "multi-dr", dr_rules },
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
