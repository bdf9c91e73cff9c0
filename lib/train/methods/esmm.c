/* esmm.c: ESMM and the two debiased CVR estimators built on its towers, Multi-IPW and
 * Multi-DR (method.md 6): pCTR = sig(Y1z) and pCVR = sig(Y2z) with a shared id
 * embedding; ranked by pCTR pCVR, or by pCVR alone (the -cvr rules). */
#include <math.h>

#include "common/numeric.h"
#include "rank/scoring.h"
#include "train/autodiff.h"
#include "train/train.h"

/* The floor of a propensity, so that one rare click's weight stays at most 20. */
#define IPW_EPS 0.05

/* ESMM (Ma et al., SIGIR 2018): over the sampled space D, cross-entropy of pCTR against
 * the click and of pCTCVR = pCTR pCVR against click and like; the CVR tower learns
 * only through the product. */
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

/* pCTR pCVR = sig(Y1z) sig(Y2z); or, variant CVR, pCVR = sig(Y2z) alone, what the CVR
 * estimators debias. */
enum { CTCVR, CVR };
static int rule_cvr(struct scoring *sc, const struct repset *rs, unsigned variant)
{
	struct rule_group f[2] = { scoring_group(rs, 0, GROUP_Z), scoring_group(rs, 1, GROUP_Z) };
	if (!f[0].user || !f[1].user)
		return -1;
	if (variant == CVR)
		rule_sigprod(&sc->rule, 1, f + 1, rs->dim, rs->nu, rs->ni);
	else
		rule_sigprod(&sc->rule, 2, f, rs->dim, rs->nu, rs->ni);
	return 0;
}

/* A method's two rules, NAME and NAME-cvr. */
#define CVR_RULES(NAME)                                                                 \
	{ { NAME, "pCTR pCVR: the probability of a click and a like", rule_cvr, CTCVR },   \
	  { NAME "-cvr", "pCVR: the like given a click, the debiased estimate", rule_cvr,  \
	    CVR },                                                                          \
	  { NULL, NULL, NULL, 0 } }
static const struct method_rule esmm_rules[] = CVR_RULES("esmm");
static const struct method_rule ipw_rules[] = CVR_RULES("multi-ipw");
static const struct method_rule dr_rules[] = CVR_RULES("multi-dr");

/* ESMM's towers: pCTR and pCVR (and Multi-DR's imputation), on the clicks, sharing the
 * id embedding. */
#define Z (1u << GROUP_Z)
#define CVR_METHOD(NAME, ABOUT, TOWERS, LOSS, PART2, PART3, RULES)                     \
	{ .name = NAME, .about = ABOUT, .graph = GRAPH_CLICK, .towers = TOWERS,            \
	  .shared_id = 1, .samples = SAMPLES_CLICKS, .groups = { Z, Z, TOWERS > 2 ? Z : 0 }, \
	  .loss = LOSS, .part_names = { "ctr", PART2, PART3 }, .rules = RULES }

const struct method method_esmm = CVR_METHOD("esmm",
    "ESMM: pCTR and pCTCVR over the entire space", 2, esmm_loss, "ctcvr", NULL, esmm_rules);
const struct method method_multi_ipw = CVR_METHOD("multi-ipw",
    "Multi-IPW: the CVR task weighted by inverse click propensities", 2, ipw_loss, "cvr",
    NULL, ipw_rules);
const struct method method_multi_dr = CVR_METHOD("multi-dr",
    "Multi-DR: the CVR task doubly robust, with an imputation tower", 3, dr_loss, "cvr",
    "imputation", dr_rules);
