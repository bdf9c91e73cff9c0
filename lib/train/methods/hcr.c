/* hcr.c: HCR and HCR-NS (method.md 5): a click model f and a like model h = h1 h2 on two
 * towers, trained as two tasks; ranked by the front-door effect f h1.  The heads' inputs
 * are settings (the open point of method.md 5), recorded in the model. */
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
	if (cfg->heads.h2_item) {
		float *b = xmalloc((size_t)data->ni * sizeof *b);
		int64_t k;
		for (k = 0; k < data->ni; k++)
			b[k] = (float)ms->p[0]->t.val[k];
		repset_add_extra(rs, "item_bias", data->ni, 1, b);
	}
}

/* What a rule of HCR's takes: f, h1, h2. */
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

static const struct method_rule hcr_rules[] = {
	{ "hcr", "f h1: the front-door causal effect P(like | u, do(i)) (Eq. 11)", heads_rule,
	    USE_F | USE_H1 },
	{ "hcr-t", "f h1 h2: the correlational P(click, like | u, i), no intervention",
	    heads_rule, USE_F | USE_H1 | USE_H2 },
	{ "hcr-s1", "f: the click model alone", heads_rule, USE_F },
	{ "hcr-s2", "h1: the mediator-to-like effect alone", heads_rule, USE_H1 },
	{ NULL, NULL, NULL, 0 },
};

/* HCR and HCR-NS differ only in sharing the id embedding. */
#define HCR_METHOD(NAME, ABOUT, SHARED)                                                 \
	{ .name = NAME, .about = ABOUT, .graph = GRAPH_CLICK, .towers = 2,                 \
	  .shared_id = SHARED, .samples = SAMPLES_CLICKS, .tower_groups = hcr_tower_groups, \
	  .positives_towers = 1u << 1, /* h1 and h2 take the like tower on the clicks */  \
	  .init = hcr_init, .export = hcr_export, .loss = hcr_loss,                        \
	  .part_names = { "click", "like", NULL }, .rules = hcr_rules }

const struct method method_hcr = HCR_METHOD("hcr",
    "HCR: click and like tasks with a shared id embedding, front-door scoring", 1);
const struct method method_hcr_ns = HCR_METHOD("hcr-ns",
    "HCR-NS: HCR with an id embedding of each tower's own", 0);
