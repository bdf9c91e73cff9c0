/* cr.c: CR, "Clicks can be cheating" (Wang et al., SIGIR 2021; method.md 6): one
 * backbone on the clicks, BPR of the fused score Y^z sig(Y^e) and of the exposure
 * branch; ranked by the counterfactual score, which takes out what the exposure
 * features alone promise. */
#include <string.h>

#include "common/util.h"
#include "rank/scoring.h"
#include "train/autodiff.h"
#include "train/train.h"

/* CR's weight of the exposure branch's BPR (the reference code's default). */
#define CR_ALPHA 1.0

/* CR (Wang et al., SIGIR 2021, as its code): BPR of the fused score Y^z sig(Y^e)
 * of each click against each of its sampled items, plus alpha times BPR of Y^e
 * alone.  Without an exposure modality the fused score is Y^z. */
static struct ad_tensor *cr_loss(struct step *s, double parts[3])
{
	struct ad_tensor *yz = s->y[0][GROUP_Z], *ye = s->y[0][GROUP_E], *l1, *l2;
	l1 = step_bpr(s, ye ? ad_mul(s->tape, yz, ad_sigmoid(s->tape, ye)) : yz);
	parts[0] = l1->val[0];
	parts[1] = parts[2] = 0;
	if (!ye)
		return l1;
	l2 = step_bpr(s, ye);
	parts[1] = l2->val[0];
	return ad_add(s->tape, l1, ad_scale(s->tape, l2, CR_ALPHA));
}

/* (Y^z(u,i) - mean_j Y^z(u,j)) sig(Y^e(u,i)); or, variant FACTUAL, Y^z sig(Y^e). */
enum { COUNTERFACTUAL, FACTUAL };
static int cr_rule(struct scoring *sc, const struct repset *rs, unsigned variant)
{
	struct rule_group z = scoring_group(rs, 0, GROUP_Z);
	if (!z.user)
		return -1;
	rule_cr(&sc->rule, z, scoring_group(rs, 0, GROUP_E), rs->dim, rs->nu, rs->ni);
	if (variant == FACTUAL)
		memset(sc->rule.item_mean, 0, (size_t)rs->dim * sizeof *sc->rule.item_mean);
	return 0;
}

static const struct method_rule cr_rules[] = {
	{ "cr", "(Y^z - mean_j Y^z) sig(Y^e): the counterfactual score", cr_rule, COUNTERFACTUAL },
	{ "cr-fused", "Y^z sig(Y^e): the factual fused score", cr_rule, FACTUAL },
	{ NULL, NULL, NULL, 0 },
};

const struct method method_cr = {
	.name = "cr", .about = "CR: fused and exposure BPR on the clicks, counterfactual scoring",
	.graph = GRAPH_CLICK, .towers = 1, .samples = SAMPLES_CLICKS,
	.groups = { (1u << GROUP_Z) | (1u << GROUP_E) }, .pairwise = 1, .loss = cr_loss,
	.part_names = { "fused", "exposure", NULL }, .rules = cr_rules,
};
