/* Unit tests of lib/scoring: the baselines' rules by name over a model's arrays, each
 * on a case small enough to compute by hand (method.md section 6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "rank/scoring.h"
#include "tap.h"
#include "train/methods/methods.h"

/* Tower k's group g: one user row and three item rows of two numbers. */
static void set_group(struct repset *rs, int k, int g, const float user[2], const float items[6])
{
	float *m = xmalloc(8 * sizeof *m);
	memcpy(m, user, 2 * sizeof *m);
	memcpy(m + 2, items, 6 * sizeof *m);
	rs->rep[k][g] = m;
}

static void new_set(struct repset *rs, int towers)
{
	memset(rs, 0, sizeof *rs);
	rs->nu = 1;
	rs->ni = 3;
	rs->dim = 2;
	rs->towers = towers;
	rs->heads = heads_default;
}

/* User 0's ranking of the three items under method's rule: items and values. */
static int rank3(const char *method, const char *rule, const struct repset *rs, int32_t items[3],
    double values[3])
{
	const struct method *m = method_find(method);
	struct scoring sc;
	struct rank_opts o = { .k = 3, .threads = 1 };
	struct rank_result res;
	int k;
	if (!m || method_scoring(m, rule, rs, &sc) != 0)
		return -1;
	rank_range(&sc.scorer, 0, 1, &o, &res);
	for (k = 0; k < 3; k++) {
		items[k] = res.items[k];
		values[k] = scoring_value(&sc, res.keys[k]);
	}
	rank_result_free(&res);
	scoring_free(&sc);
	return 0;
}

static double sig(double x)
{
	return 1 / (1 + exp(-x));
}

/* CR: Y^z = 1, 3, 2 and sig(Y^e) = 1/2, 1/2, 4/5, so mean_j Y^z = 2: the
 * counterfactual score (Y^z - 2) sig(Y^e) = -1/2, 1/2, 0 puts item 1 first, where the
 * fused score Y^z sig(Y^e) = 1/2, 3/2, 8/5 puts item 2 first. */
static void cr(void)
{
	static const float zu[2] = { 1, 0 }, zi[6] = { 1, 0, 3, 0, 2, 0 };
	static const float eu[2] = { 0, 1 }, ei[6] = { 0, 0, 0, 0, 0, 1.3862944f };
	struct repset rs;
	int32_t it[3];
	double v[3];
	new_set(&rs, 1);
	set_group(&rs, 0, GROUP_Z, zu, zi);
	set_group(&rs, 0, GROUP_E, eu, ei);
	OK(rank3("cr", "default", &rs, it, v) == 0 && it[0] == 1 && it[1] == 2 && it[2] == 0,
	    "cr: the counterfactual rule subtracts the user's mean Y^z: items 1, 2, 0");
	NEAR(v[0], 0.5, 1e-6, "cr: (3 - 2) sig(0) = 0.5");
	NEAR(v[2], -0.5, 1e-6, "cr: (1 - 2) sig(0) = -0.5");
	OK(rank3("cr", "cr-fused", &rs, it, v) == 0 && it[0] == 2 && it[1] == 1 && it[2] == 0,
	    "cr-fused: the factual score Y^z sig(Y^e) ranks items 2, 1, 0");
	NEAR(v[0], 1.6, 1e-6, "cr-fused: 2 sig(ln 4) = 1.6");
	repset_free(&rs);
	new_set(&rs, 1);
	set_group(&rs, 0, GROUP_Z, zu, zi);
	OK(rank3("cr", "cr", &rs, it, v) == 0 && it[0] == 1 && it[1] == 2 && it[2] == 0 &&
	       fabs(v[0] - 1) < 1e-6 && fabs(v[1]) < 1e-6,
	    "cr without an exposure modality: Y^z - mean_j Y^z (1, 0, -1)");
	repset_free(&rs);
}

/* ESMM and the multi-task CVR estimators: pCTR pCVR = sig(Y1z) sig(Y2z). */
static void ctcvr(void)
{
	static const char *const methods[3] = { "esmm", "multi-ipw", "multi-dr" };
	static const float u[2] = { 1, 0 }, ctr[6] = { 2, 0, 0, 0, -1, 0 };
	static const float cvr[6] = { -2, 0, 3, 0, 4, 0 };
	struct repset rs;
	int32_t it[3];
	double v[3];
	char rule[32];
	int m;
	for (m = 0; m < 3; m++) {
		new_set(&rs, m == 2 ? 3 : 2);
		set_group(&rs, 0, GROUP_Z, u, ctr);
		set_group(&rs, 1, GROUP_Z, u, cvr);
		if (m == 2)
			set_group(&rs, 2, GROUP_Z, u, ctr);
		/* sig(2) sig(-2) = 0.105, sig(0) sig(3) = 0.476, sig(-1) sig(4) = 0.264 */
		OK(rank3(methods[m], "default", &rs, it, v) == 0 && it[0] == 1 && it[1] == 2 &&
		       it[2] == 0, "%s: pCTR pCVR ranks items 1, 2, 0", methods[m]);
		NEAR(v[1], sig(-1) * sig(4), 1e-6, "%s: sig(-1) sig(4)", methods[m]);
		snprintf(rule, sizeof rule, "%s-cvr", methods[m]);
		OK(rank3(methods[m], rule, &rs, it, v) == 0 && it[0] == 2 && it[1] == 1 && it[2] == 0 &&
		       fabs(v[0] - sig(4)) < 1e-6, "%s: pCVR alone ranks items 2, 1, 0", rule);
		OK(rank3(methods[m], "cr", &rs, it, v) == -1, "%s: another method's rule is refused",
		    methods[m]);
		repset_free(&rs);
	}
	new_set(&rs, 1);
	set_group(&rs, 0, GROUP_Z, u, ctr);
	OK(rank3("esmm", "default", &rs, it, v) == -1, "esmm: a model without the CVR tower is "
	    "refused");
	repset_free(&rs);
}

/* DCF: Y^z = 0.3, 0.2, 0.1; a(u,i) = sig(-10), 1/2, sig(10); gamma 1, b0 0.5: the
 * exposure term reverses the order of Y^z. */
static void dcf(void)
{
	static const float zu[2] = { 1, 0 }, zi[6] = { 0.3f, 0, 0.2f, 0, 0.1f, 0 };
	struct repset rs;
	int32_t it[3];
	double v[3];
	float *t = xmalloc(sizeof *t), *s = xmalloc(3 * sizeof *s), *g = xmalloc(sizeof *g);
	float *b0 = xmalloc(sizeof *b0);
	new_set(&rs, 1);
	set_group(&rs, 0, GROUP_Z, zu, zi);
	OK(rank3("dcf", "default", &rs, it, v) == -1, "dcf: a model without its arrays is refused");
	t[0] = 1, s[0] = -10, s[1] = 0, s[2] = 10, g[0] = 1, b0[0] = 0.5f;
	repset_add_extra(&rs, "exposure_user", 1, 1, t);
	repset_add_extra(&rs, "exposure_item", 3, 1, s);
	repset_add_extra(&rs, "gamma", 1, 1, g);
	repset_add_extra(&rs, "intercept", 1, 1, b0);
	OK(rank3("dcf", "default", &rs, it, v) == 0 && it[0] == 2 && it[1] == 1 && it[2] == 0,
	    "dcf: gamma_u a(u,i) reverses the order of Y^z: items 2, 1, 0");
	NEAR(v[0], sig(0.1 + sig(10) + 0.5), 1e-6, "dcf: sig(0.1 + sig(10) + 0.5)");
	NEAR(v[1], sig(0.2 + 0.5 + 0.5), 1e-6, "dcf: sig(0.2 + 1/2 + 0.5)");
	repset_free(&rs);
}

/* ---- HCR's centred split (hcr-c, hcr-cg; train-mtl(1) CENTRED SPLIT) ---- */

enum { HU = 3, HI = 4 };

/* An HCR model of HU users and HI items whose click model is constant (f = 1/4, its
 * groups all zero) and whose h1 = sig(<a_u, b_i>) reads the like tower's z group (d
 * columns): a (HU x d), b (HI x d); the users' training clicks; no h2. */
static void hcr_model(struct repset *rs, int d, const float *a, const float *b,
    const float clicks[HU], int centre)
{
	float *m;
	memset(rs, 0, sizeof *rs);
	rs->nu = HU;
	rs->ni = HI;
	rs->dim = d;
	rs->towers = 2;
	rs->heads = heads_default;
	rs->heads.centre = centre;
	rs->rep[0][GROUP_Z] = xcalloc((HU + HI) * (size_t)d, sizeof(float));
	rs->rep[0][GROUP_E] = xcalloc((HU + HI) * (size_t)d, sizeof(float));
	m = rs->rep[1][GROUP_Z] = xmalloc((HU + HI) * (size_t)d * sizeof *m);
	memcpy(m, a, HU * (size_t)d * sizeof *m);
	memcpy(m + HU * d, b, HI * (size_t)d * sizeof *m);
	m = xmalloc(HU * sizeof *m);
	memcpy(m, clicks, HU * sizeof *m);
	repset_add_extra(rs, "user_clicks", HU, 1, m);
}

/* User u's scores of every item under an HCR rule, by item (not by rank). */
static int hcr_scores(const struct repset *rs, const char *rule, int u, double v[HI])
{
	struct scoring sc;
	struct rank_opts o = { .k = HI, .threads = 1 };
	struct rank_result res;
	int k, n;
	if (method_scoring(method_find("hcr"), rule, rs, &sc) != 0)
		return -1;
	rank_range(&sc.scorer, u, u + 1, &o, &res);
	n = res.count[0];
	for (k = 0; k < n; k++)
		v[res.items[k]] = scoring_value(&sc, res.keys[k]);
	rank_result_free(&res);
	scoring_free(&sc);
	return n == HI ? 0 : -1;
}

/* Rows a_u = (1, 0), (3, 2), (7, 7), the last user without a training click; items
 * b_i = (1, 0), (0, 1), (1, 1), (-1, 2).  Centred over the users with a click, alike:
 * abar = (2, 1), mu_i = <abar, b_i> = 2, 1, 3, 0, mubar = 3/2, and user 0's centred
 * logits <(-1, -1), b_i> + 3/2 = 1/2, 1/2, -1/2, 1/2.  By clicks (2, 1, 0):
 * abar = (5/3, 2/3), mu = 5/3, 2/3, 7/3, -1/3, mubar = 13/12, and user 1's logits
 * <(4/3, 4/3), b_i> + 13/12 = 29/12, 29/12, 45/12, 29/12. */
static void centred(void)
{
	static const float a[HU * 2] = { 1, 0, 3, 2, 7, 7 };
	static const float b[HI * 2] = { 1, 0, 0, 1, 1, 1, -1, 2 };
	static const float clicks[HU] = { 2, 1, 0 };
	static const double by_users[HI] = { 0.5, 0.5, -0.5, 0.5 };
	static const double by_clicks[HI] = { 29 / 12.0, 29 / 12.0, 45 / 12.0, 29 / 12.0 };
	struct repset rs;
	double v[HI], w[HI];
	int i, bad = 0;

	hcr_model(&rs, 2, a, b, clicks, CENTRE_USERS);
	OK(hcr_scores(&rs, "hcr-c", 0, v) == 0, "hcr-c ranks every item");
	/* float keys: a relative error of a few 1e-7 */
	for (i = 0; i < HI; i++)
		bad += fabs(v[i] - sig(by_users[i]) / 4) > 1e-6;
	OK(!bad, "hcr-c, users alike: f sig(<a_u - abar, b_i> + mubar) as by hand");
	OK(hcr_scores(&rs, "hcr", 0, w) == 0 && fabs(w[2] - sig(1) / 4) < 1e-6,
	    "hcr, the paper's, keeps h1's item effect: sig(<(1, 0), (1, 1)>) / 4");
	OK(hcr_scores(&rs, "hcr-c-s2", 0, w) == 0 && fabs(w[0] - sig(0.5)) < 1e-6,
	    "hcr-c-s2 is h1c alone");
	{
		/* the heads' item main effects: f's zero, h1's mu, no h2, h2c = mu - mubar */
		static const double h2c[HI] = { 0.5, -0.5, 1.5, -1.5 };
		struct method_effect e[METHOD_MAX_EFFECTS];
		int n = method_effects(method_find("hcr"), &rs, e), ok = n == 4;
		for (i = 0; ok && i < HI; i++)
			ok = e[0].mu[i] == 0 && fabs(e[1].mu[i] - (double[]){ 2, 1, 3, 0 }[i]) < 1e-12 &&
			    e[2].mu[i] == 0 && fabs(e[3].mu[i] - h2c[i]) < 1e-12;
		OK(ok && !strcmp(e[3].name, "h2c"), "item effects: f 0, h1 (2, 1, 3, 0), h2 0, "
		    "h2c = h2 + h1 - 3/2");
		method_effects_free(e, n);
	}
	repset_free(&rs);
	hcr_model(&rs, 2, a, b, clicks, CENTRE_CLICKS);
	OK(hcr_scores(&rs, "hcr-c", 1, v) == 0, "hcr-c by clicks ranks every item");
	for (i = 0, bad = 0; i < HI; i++)
		bad += fabs(v[i] - sig(by_clicks[i]) / 4) > 1e-6;
	OK(!bad, "hcr-c, by clicks: the weighted mean as by hand");
	repset_free(&rs);
}

/* A per-user constant c_u in h1's logit (a third column: c_u for users, 1 for items)
 * changes no user's ranking under hcr-c; a planted item main effect m_i (c_u = 1,
 * the items' column m_i) leaves hcr-c untouched, all of it going to h2, where hcr
 * keeps it. */
static void centred_moves_item_effects(void)
{
	/* logits within a few units, where a float sigmoid still tells them apart */
	static const float a2[HU * 2] = { 1, 0, 0.5f, -0.5f, -1, 1 };
	static const float b2[HI * 2] = { 1, 0, 0, 1, 1, 1, -1, 2 };
	static const float clicks[HU] = { 1, 1, 1 };
	static const float c[HU] = { 5, -2, 0.5f }, m[HI] = { 3, -1, 0, 2 };
	float a[HU * 3], b[HI * 3];
	struct repset plain, shifted;
	double v[HI], w[HI];
	int u, i, k, same_order = 1, same = 1, moved = 0;

	for (u = 0; u < HU; u++)
		a[3 * u] = a2[2 * u], a[3 * u + 1] = a2[2 * u + 1], a[3 * u + 2] = 0;
	for (i = 0; i < HI; i++)
		b[3 * i] = b2[2 * i], b[3 * i + 1] = b2[2 * i + 1], b[3 * i + 2] = 1;
	hcr_model(&plain, 3, a, b, clicks, CENTRE_USERS);
	for (u = 0; u < HU; u++)
		a[3 * u + 2] = c[u];
	hcr_model(&shifted, 3, a, b, clicks, CENTRE_USERS);
	for (u = 0; u < HU; u++) {
		hcr_scores(&plain, "hcr-c", u, v);
		hcr_scores(&shifted, "hcr-c", u, w);
		for (i = 0; i < HI; i++)
			for (k = 0; k < HI; k++)
				same_order &= (v[i] > v[k]) == (w[i] > w[k]);
	}
	OK(same_order, "hcr-c: a per-user constant in h1's logit changes no user's ranking");
	repset_free(&shifted);

	for (u = 0; u < HU; u++)
		a[3 * u + 2] = 1;
	for (i = 0; i < HI; i++)
		b[3 * i + 2] = m[i];
	hcr_model(&shifted, 3, a, b, clicks, CENTRE_USERS);
	for (u = 0; u < HU; u++) {
		hcr_scores(&plain, "hcr-c", u, v);
		hcr_scores(&shifted, "hcr-c", u, w);
		/* mubar moves by mean m = 1, the one place m enters: sig(x + 1) against sig(x) */
		for (i = 0; i < HI; i++)
			same &= fabs(log(w[i] * 4 / (1 - w[i] * 4)) - log(v[i] * 4 / (1 - v[i] * 4)) - 1) < 1e-5;
		hcr_scores(&plain, "hcr", u, v);
		hcr_scores(&shifted, "hcr", u, w);
		for (i = 0; i < HI; i++)
			moved += fabs(log(w[i] * 4 / (1 - w[i] * 4)) - log(v[i] * 4 / (1 - v[i] * 4)) - m[i]) < 1e-5;
	}
	OK(same, "hcr-c: a planted item main effect m_i leaves h1c but for its mean");
	OK(moved == HU * HI, "hcr, the paper's: h1 carries m_i itself (%d of %d pairs)", moved, HU * HI);
	repset_free(&plain);
	repset_free(&shifted);
}

/* hcr-cg = f G(<a_u - abar, b_i>), G(r) = mean_k sig(r + mu_k): against the sum itself,
 * on rows large enough that G's table is stretched over a wide range. */
static void centred_sum(void)
{
	static const float a[HU * 2] = { 1, 0, 3, 2, 7, -7 };
	static const float b[HI * 2] = { 1, 0, 0, 1, 1, 1, -1, 2 };
	static const float clicks[HU] = { 1, 1, 1 };
	double abar[2] = { 11 / 3.0, -5 / 3.0 }, mu[HI], v[HI];
	struct repset rs;
	int u, i, k, bad = 0;
	for (i = 0; i < HI; i++)
		mu[i] = abar[0] * b[2 * i] + abar[1] * b[2 * i + 1];
	hcr_model(&rs, 2, a, b, clicks, CENTRE_USERS);
	for (u = 0; u < HU; u++) {
		OK(hcr_scores(&rs, "hcr-cg", u, v) == 0, "hcr-cg ranks user %d's items", u);
		for (i = 0; i < HI; i++) {
			double r = (a[2 * u] - abar[0]) * b[2 * i] + (a[2 * u + 1] - abar[1]) * b[2 * i + 1];
			double g = 0;
			for (k = 0; k < HI; k++)
				g += sig(r + mu[k]) / HI;
			/* the table errs by about 1e-8 in log G, the float key by a few 1e-7 */
			bad += fabs(v[i] / (g / 4) - 1) > 2e-6;
		}
	}
	OK(!bad, "hcr-cg: f times the exact front-door sum over items, to the table's tolerance");
	repset_free(&rs);
}

/* A product of sigmoids is ranked by its log, a float key, and written as exp(key): keys
 * within 1e-16 of 0 all give 1.  The engine orders by key (-1e-20 before -2e-20 whatever
 * the items); once written, equal scores must come in item order. */
static void saturated_ties(void)
{
	struct scoring sc;
	struct ranking r;
	struct ranking_head h;
	int32_t users[1] = { 0 }, count[1] = { 4 }, items[4] = { 7, 2, 5, 1 };
	float keys[4] = { -1e-20f, -2e-20f, -3e-20f, -1.0f };
	struct rank_result res = { 1, 4, users, count, items, keys, 0 };
	memset(&sc, 0, sizeof sc);
	memset(&h, 0, sizeof h);
	sc.rule.kind = RULE_SIGPROD;
	h.k = 4;
	ranking_from_result(&r, &h, &res, &sc);
	OK(r.scores[0] == 1 && r.scores[1] == 1 && r.scores[2] == 1 &&
	       fabs(r.scores[3] - exp(-1.0)) < 1e-15,
	    "three keys under 1e-16 give 1, the fourth exp(-1)");
	OK(r.items[0] == 2 && r.items[1] == 5 && r.items[2] == 7 && r.items[3] == 1,
	    "the three tied are listed by item (2 5 7), the last stays last");
	ranking_free(&r);
}

int main(void)
{
	cr();
	ctcvr();
	dcf();
	centred();
	centred_moves_item_effects();
	centred_sum();
	saturated_ties();
	return tap_done();
}
