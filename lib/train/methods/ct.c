/* ct.c: CT, the like-only baseline (method.md 6): one backbone on the like graph, clean
 * training on the likes; ranked by Y^z. */
#include "rank/scoring.h"
#include "train/autodiff.h"
#include "train/train.h"

/* Cross-entropy of sig(Y^z) over the training likes and, per like, sampled items the
 * user did not click. */
static struct ad_tensor *ct_loss(struct step *s, double parts[3])
{
	struct ad_tensor *l = ad_bce_logits(s->tape, s->y[0][GROUP_Z], s->click, NULL);
	parts[0] = l->val[0];
	parts[1] = parts[2] = 0;
	return l;
}

static const struct method_rule ct_rules[] = {
	{ "ct", "Y^z: the like model's score", scoring_dot_z, 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct method method_ct = {
	.name = "ct", .about = "CT: one backbone trained on the likes alone",
	.graph = GRAPH_LIKE, .towers = 1, .samples = SAMPLES_LIKES, .groups = { 1u << GROUP_Z },
	.loss = ct_loss, .part_names = { "like", NULL, NULL }, .rules = ct_rules,
};
