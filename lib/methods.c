/* methods.c: the table of training methods (method.md section 6).  Each entry says
 * which graph its backbones use, how many towers and whether they share the id
 * embedding, what it trains on, its loss, and its scoring rules. */
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

static const struct method methods[] = {
	{ "hcr", GRAPH_CLICK, 2, 1, SAMPLES_CLICKS, { Z | E, Z | E | C, 0 }, hcr_init,
	    hcr_export, hcr_loss, { "click", "like", NULL }, "hcr", hcr_rules },
	{ "hcr-ns", GRAPH_CLICK, 2, 0, SAMPLES_CLICKS, { Z | E, Z | E | C, 0 }, hcr_init,
	    hcr_export, hcr_loss, { "click", "like", NULL }, "hcr", hcr_rules },
	{ "ct", GRAPH_LIKE, 1, 0, SAMPLES_LIKES, { Z, 0, 0 }, NULL, NULL, ct_loss,
	    { "like", NULL, NULL }, "ct", ct_rules },
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
