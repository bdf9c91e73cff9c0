/* Unit tests of lib/scoring: the baselines' rules by name over a model's arrays, each
 * on a case small enough to compute by hand (method.md section 6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank/scoring.h"
#include "tap.h"
#include "common/util.h"

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
	struct scoring sc;
	struct rank_opts o = { 3, 1, 0, 0, NULL, NULL };
	struct rank_result res;
	int k;
	if (scoring_from_set(&sc, method, rule, rs) != 0)
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

int main(void)
{
	cr();
	ctcvr();
	dcf();
	return tap_done();
}
