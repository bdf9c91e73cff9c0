/* bpr.c: BPR (Rendle et al., UAI 2009), the plain pairwise baseline: one backbone on
 * the clicks, each click ranked above its sampled items; scored by Y^z, the
 * correlation that HCR's front-door rule is meant to correct. */
#include "rank/scoring.h"
#include "train/autodiff.h"
#include "train/train.h"

static struct ad_tensor *bpr_loss(struct step *s, double parts[3])
{
	struct ad_tensor *l = step_bpr(s, s->y[0][GROUP_Z]);
	parts[0] = l->val[0];
	parts[1] = parts[2] = 0;
	return l;
}

static const struct method_rule bpr_rules[] = {
	{ "bpr", "Y^z: the click model's score", scoring_dot_z, 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct method method_bpr = {
	.name = "bpr", .about = "BPR: clicks ranked above sampled items, no like task",
	.graph = GRAPH_CLICK, .towers = 1, .samples = SAMPLES_CLICKS, .pairwise = 1,
	.groups = { 1u << GROUP_Z }, .loss = bpr_loss, .part_names = { "bpr", NULL, NULL },
	.rules = bpr_rules,
};
