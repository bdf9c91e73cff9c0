/* hcr.c: HCR and HCR-NS (method.md 5): a click model f and a like model h = h1 h2 on two
 * towers, trained as two tasks; ranked by the front-door effect f h1, with h1 centred
 * so that the split of h into h1 and h2 is identified.  The heads' inputs are settings
 * (the open point of method.md 5), recorded in the model. */
#include <stdlib.h>
#include <string.h>

#include "rank/scoring.h"
#include "train/autodiff.h"
#include "train/train.h"

#define Z (1u << GROUP_Z)
#define E (1u << GROUP_E)

/* The click tower scores z and e for f, and h1's groups when h1 reads it; the like
 * tower h2's groups, and h1's when h1 reads it. */
static unsigned hcr_tower_groups(const struct train_config *cfg, int k)
{
	const struct heads *h = &cfg->heads;
	if (k == 0)
		return Z | E | (h->h1_tower == 1 ? h->h1 : 0);
	return k == 1 ? h->h2 | (h->h1_tower == 2 ? h->h1 : 0) : 0;
}

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

/* The click model f = sig(Y1z) sig(Y1e) by cross-entropy over the batch's clicks and
 * sampled items; the like model h = h1 h2, by default sig(Y2z) times sig(Y2e)
 * sig(Y2c), by cross-entropy against the like label over the batch's clicks. */
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
	/* each user's training clicks: who h1's centring counts, and with what weight */
	float *clicks = xcalloc((size_t)data->nu + 1, sizeof *clicks);
	int64_t k;
	for (k = 0; k < data->split->n; k++)
		if (data->split->part[k] == PART_TRAIN)
			clicks[data->split->user[k]]++;
	repset_add_extra(rs, "user_clicks", data->nu, 1, clicks);
	if (cfg->heads.h2_item) {
		float *b = xmalloc((size_t)data->ni * sizeof *b);
		for (k = 0; k < data->ni; k++)
			b[k] = (float)ms->p[0]->t.val[k];
		repset_add_extra(rs, "item_bias", data->ni, 1, b);
	}
}

/* What a rule of HCR's takes: f, h1, h2; the centred rules' variants add to these. */
enum { USE_F = 1, USE_H1 = 2, USE_H2 = 4 };

/* A product of sigmoids of f's, h1's and h2's factors as the model's heads say, those
 * of `use` taken. */
static int heads_rule(struct scoring *sc, const struct repset *rs, unsigned use)
{
	const struct heads *h = &rs->heads;
	struct rule_group f[RULE_MAX_TERMS + 4];
	int n = 0;
	if (!scoring_group(rs, 0, GROUP_Z).user || rs->towers < 2)
		return -1;
	if (use & USE_F)
		scoring_add_groups(rs, 0, Z | E, f, &n);
	if (use & USE_H1)
		scoring_add_groups(rs, h->h1_tower - 1, h->h1, f, &n);
	if (use & USE_H2) {
		scoring_add_groups(rs, 1, h->h2, f, &n);
		if (h->h2_item) {
			const float *b = repset_extra(rs, "item_bias", rs->ni, 1);
			if (!b)
				return -1;
			f[n++] = scoring_item_factor(sc, rs, b);
		}
	}
	if (n == 0 || n > RULE_MAX_TERMS)
		return -1;
	rule_sigprod(&sc->rule, n, f, rs->dim, rs->nu, rs->ni);
	return 0;
}

/* ---- the centred split (method.md 5, train-mtl(1) CENTRED SPLIT) ----
 * Only h = h1 h2 is supervised, and both heads can hold any item main effect, so the
 * split is chosen at scoring time: h1 keeps the user-item interaction, h2 every item
 * main effect.  For h1's factor sigmoid(<a_u, b_i>), abar is the users' mean row,
 * mu_i = <abar, b_i> the item main effect of its logit, mubar their mean over items;
 * the centred factor is sigmoid(<a_u - abar, b_i> + mubar). */

/* g centred: user rows a_u - abar (sc's own array) and the logit's offset mubar (0
 * when keep_mean is 0); the item main effects mu_i into mu. */
static struct rule_group centred_group(struct scoring *sc, const struct repset *rs,
    struct rule_group g, int keep_mean, double *mu)
{
	double *w = repset_user_weights(rs, rs->heads.centre);
	double *abar = scoring_users_mean(rs, g, w), mubar = scoring_item_effects(rs, g, abar, mu);
	float *user = scoring_own(sc, (size_t)rs->nu * (size_t)rs->dim);
	size_t k, n = (size_t)rs->nu * (size_t)rs->dim;
	for (k = 0; k < n; k++)
		user[k] = (float)(g.user[k] - abar[k % (size_t)rs->dim]);
	free(abar);
	free(w);
	return (struct rule_group){ user, g.item, keep_mean ? (float)mubar : 0.0f };
}

/* hcr-c: f (if asked) times h1 centred, every factor of it; hcr-cg: f times the exact
 * front-door sum over items of h1's one factor, G(<a_u - abar, b_i>) with
 * G(r) = mean_i' sigmoid(r + mu_i'). */
enum { CENTRED = 8, SUMMED = 16 };
static int centred_rule(struct scoring *sc, const struct repset *rs, unsigned variant)
{
	const struct heads *h = &rs->heads;
	struct rule_group f[RULE_MAX_TERMS], h1[GROUP_COUNT];
	double *mu;
	int n = 0, n1 = 0, k;
	if (!scoring_group(rs, 0, GROUP_Z).user || rs->towers < 2)
		return -1;
	if (variant & USE_F)
		scoring_add_groups(rs, 0, Z | E, f, &n);
	scoring_add_groups(rs, h->h1_tower - 1, h->h1, h1, &n1);
	if (n1 == 0 || n + n1 > RULE_MAX_TERMS || ((variant & SUMMED) && n1 != 1))
		return -1;
	mu = xmalloc(((size_t)rs->ni + 1) * sizeof *mu);
	for (k = 0; k < n1; k++)
		f[n++] = centred_group(sc, rs, h1[k], !(variant & SUMMED), mu);
	if (variant & SUMMED)
		rule_sigprod_mean(&sc->rule, n, f, mu, rs->ni, rs->dim, rs->nu, rs->ni);
	else
		rule_sigprod(&sc->rule, n, f, rs->dim, rs->nu, rs->ni);
	free(mu);
	return 0;
}

static const struct method_rule hcr_rules[] = {
	{ "hcr-c", "f h1c: the front-door effect with h1 centred, its item main effect in h2",
	    centred_rule, USE_F | CENTRED },
	{ "hcr", "f h1: the front-door causal effect as the paper writes it (Eq. 11)",
	    heads_rule, USE_F | USE_H1 },
	{ "hcr-t", "f h1 h2: the correlational P(click, like | u, i), no intervention",
	    heads_rule, USE_F | USE_H1 | USE_H2 },
	{ "hcr-s1", "f: the click model alone", heads_rule, USE_F },
	{ "hcr-s2", "h1: the mediator-to-like effect alone", heads_rule, USE_H1 },
	{ "hcr-cg", "f G: Eq. 4's sum over items of the centred h1, G tabulated",
	    centred_rule, USE_F | SUMMED },
	{ "hcr-c-s2", "h1c: the centred mediator-to-like effect alone", centred_rule, CENTRED },
	{ NULL, NULL, NULL, 0 },
};

/* The heads' item main effects: f, h1, h2 (with its per-item factor's b_i), and h2c,
 * what the centred split leaves to the back door: h2's and h1's, less h1's mean. */
static int hcr_effects(const struct repset *rs, struct method_effect *out)
{
	const struct heads *h = &rs->heads;
	const float *b = repset_extra(rs, "item_bias", rs->ni, 1);
	double mean = 0;
	int n = 0;
	int64_t i;
	method_effect_new(out, &n, "f");
	method_effect_add(&out[0], rs, 0, Z | E, h->centre);
	method_effect_new(out, &n, "h1");
	method_effect_add(&out[1], rs, h->h1_tower - 1, h->h1, h->centre);
	method_effect_new(out, &n, "h2");
	method_effect_add(&out[2], rs, 1, h->h2, h->centre);
	for (i = 0; b && h->h2_item && i < rs->ni; i++)
		out[2].mu[i] += b[i];
	method_effect_new(out, &n, "h2c");
	out[3].mu = xmalloc(((size_t)rs->ni + 1) * sizeof *out[3].mu);
	for (i = 0; i < rs->ni; i++)
		mean += out[1].mu[i] / (double)rs->ni;
	for (i = 0; i < rs->ni; i++)
		out[3].mu[i] = out[2].mu[i] + out[1].mu[i] - mean;
	return n;
}

/* HCR and HCR-NS differ only in sharing the id embedding. */
#define HCR_METHOD(NAME, ABOUT, SHARED)                                                 \
	{ .name = NAME, .about = ABOUT, .graph = GRAPH_CLICK, .towers = 2,                 \
	  .shared_id = SHARED, .samples = SAMPLES_CLICKS, .tower_groups = hcr_tower_groups, \
	  .positives_towers = 1u << 1, /* h1 and h2 take the like tower on the clicks */  \
	  .init = hcr_init, .export = hcr_export, .loss = hcr_loss,                        \
	  .part_names = { "click", "like", NULL }, .like_part = 2, .rules = hcr_rules,           \
	  .effects = hcr_effects }

const struct method method_hcr = HCR_METHOD("hcr",
    "HCR: click and like tasks with a shared id embedding, front-door scoring", 1);
const struct method method_hcr_ns = HCR_METHOD("hcr-ns",
    "HCR-NS: HCR with an id embedding of each tower's own", 0);
