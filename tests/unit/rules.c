/* Unit tests of lib/rules: each rule's keys against a naive double computation,
 * extreme logits included; pruning, threads and chunks change nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "rank/rulekeys.h"
#include "rank/scoring.h"
#include "rank/topk.h"
#include "tap.h"
#include "train/methods/methods.h"

static uint64_t rng = 99;
static double uniform(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static float *random_matrix(int64_t rows, int d, double sd)
{
	float *m = xmalloc((size_t)(rows * d) * sizeof *m);
	int64_t i;
	for (i = 0; i < rows * d; i++)
		m[i] = (float)(sd * sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform()));
	return m;
}

static double dot(const float *a, const float *b, int d)
{
	double s = 0;
	int k;
	for (k = 0; k < d; k++)
		s += (double)a[k] * b[k];
	return s;
}

/* log sigmoid(y), in double, without overflow. */
static double log_sigmoid(double y)
{
	return y < 0 ? y - log1p(exp(y)) : -log1p(exp(-y));
}

static double naive_key(const struct rule *r, int64_t u, int64_t i)
{
	int d = r->d, t;
	double key = 0;
	if (r->kind == RULE_DOT)
		return dot(r->term[0].user + u * d, r->term[0].item + i * d, d);
	if (r->kind == RULE_SIGPROD) {
		for (t = 0; t < r->n_terms; t++)
			key += log_sigmoid(dot(r->term[t].user + u * d, r->term[t].item + i * d, d));
		return key;
	}
	if (r->kind == RULE_DCF)
		return dot(r->term[0].user + u * d, r->term[0].item + i * d, d) +
		    r->gamma[u] * exp(log_sigmoid(dot(r->term[1].user + u * r->d_expo,
		    r->term[1].item + i * r->d_expo, r->d_expo))) + r->intercept;
	/* CR: the mean over all items, straight from its definition. */
	{
		double mean = 0, e;
		int64_t j;
		for (j = 0; j < r->n_items; j++)
			mean += dot(r->term[0].user + u * d, r->term[0].item + j * d, d);
		mean /= (double)r->n_items;
		key = dot(r->term[0].user + u * d, r->term[0].item + i * d, d) - mean;
		if (r->n_terms > 1) {
			e = dot(r->term[1].user + u * d, r->term[1].item + i * d, d);
			key *= exp(log_sigmoid(e));
		}
		return key;
	}
}

/* The largest error of the keys of users 0..nu-1, all items, relative to scale + |key|. */
static double key_error(const struct rule *r, double scale)
{
	struct rank_scorer sc;
	int64_t n = r->n_items, u, i;
	float *out = xmalloc((size_t)(r->n_users * n) * sizeof *out);
	float *floors = xmalloc((size_t)r->n_users * sizeof *floors);
	float *scratch;
	int32_t *users = xmalloc((size_t)r->n_users * sizeof *users);
	double worst = 0;
	rule_scorer(r, &sc);
	scratch = xmalloc((sc.scratch_per_user * r->n_users + sc.scratch_per_pair * r->n_users * n) *
	    sizeof *scratch);
	for (u = 0; u < r->n_users; u++) {
		/* A list out of order makes the scorer gather user rows. */
		users[u] = (int32_t)(r->n_users - 1 - u);
		floors[u] = -INFINITY;
	}
	sc.fill(sc.ctx, users, r->n_users, 0, n, floors, out, scratch);
	for (u = 0; u < r->n_users; u++)
		for (i = 0; i < n; i++) {
			double want = naive_key(r, users[u], i), got = out[u * n + i];
			double e = fabs(got - want) / (scale + fabs(want));
			worst = e > worst ? e : worst;
		}
	free(out);
	free(floors);
	free(scratch);
	free(users);
	return worst;
}

static void extreme_logits(void)
{
	/* d = 2, users (1, 0) and (0, 1): each logit is one item entry, set by hand. */
	enum { NI = 23 };
	static const float logit[NI] = { -200, -120, -104, -88, -87, -50, -20, -17, -5, -1,
		-1e-3f, 0, 1e-6f, 0.5f, 1, 3, 10, 16.5f, 17, 30, 60, 80, 86 };
	float users[4] = { 1, 0, 0, 1 }, items[3][NI * 2];
	struct rule_group g[3] = { { 0 } };
	struct rule r;
	int t, i;
	for (t = 0; t < 3; t++) {
		for (i = 0; i < NI; i++) {
			items[t][2 * i] = logit[(i + 7 * t) % NI];
			items[t][2 * i + 1] = logit[(i * 5 + t) % NI];
		}
		g[t].user = users;
		g[t].item = items[t];
	}
	for (t = 1; t <= 3; t++) {
		rule_sigprod(&r, t, g, 2, 2, NI);
		/* Relative accuracy down to keys near -1e-37 (logits up to 86). */
		OK(key_error(&r, 1e-37) < 4e-7, "%d sigmoid factors, logits -200..86: keys within 4e-7 "
		   "relative of double (%.2g)", t, key_error(&r, 1e-37));
		rule_free(&r);
	}
	rule_sigprod(&r, 3, g, 2, 2, NI);
	{
		/* The product underflows in float far before its log does. */
		struct rank_scorer sc;
		struct rank_opts o = { .k = NI, .threads = 1 };
		struct rank_result res;
		int ordered = 1;
		rule_scorer(&r, &sc);
		rank_range(&sc, 0, 2, &o, &res);
		/* Up to float resolution: keys near -87 are 8e-6 apart. */
		for (i = 1; i < res.count[0]; i++) {
			double a = naive_key(&r, 0, res.items[i - 1]), b = naive_key(&r, 0, res.items[i]);
			ordered &= a >= b - 2e-7 * (1 + fabs(b));
		}
		OK(res.count[0] == NI && ordered, "ranked by the double log-score, where float "
		   "sigmoids underflow");
		NEAR(rule_score(&r, res.keys[0]), exp(naive_key(&r, 0, res.items[0])), 1e-6,
		    "rule_score gives the product of sigmoids back");
		rank_result_free(&res);
	}
	rule_free(&r);
}

/* Ranks all users with r at the given chunk and thread count. */
static void rank_all(const struct rule *r, int k, int threads, int64_t block, int64_t chunk,
    struct rank_result *res)
{
	struct rank_scorer sc;
	struct rank_opts o = { .k = k, .threads = threads, .user_block = block,
		.item_chunk = chunk };
	rule_scorer(r, &sc);
	rank_range(&sc, 0, r->n_users, &o, res);
}

static int same_result(const struct rank_result *a, const struct rank_result *b)
{
	int64_t r;
	for (r = 0; r < a->rows; r++)
		if (a->count[r] != b->count[r] ||
		    memcmp(a->items + r * a->k, b->items + r * a->k, a->count[r] * 4) ||
		    memcmp(a->keys + r * a->k, b->keys + r * a->k, a->count[r] * 4))
			return 0;
	return a->rows == b->rows;
}

/* Each rank position holds an item whose double key equals the naive ranking's. */
static int matches_naive(const struct rule *r, const struct rank_result *res, double tol)
{
	int64_t u, i, n = r->n_items;
	double *key = xmalloc((size_t)n * sizeof *key), *sorted = xmalloc((size_t)n * sizeof *key);
	int bad = 0, j;
	for (u = 0; u < res->rows; u++) {
		for (i = 0; i < n; i++)
			key[i] = naive_key(r, u, i);
		memcpy(sorted, key, (size_t)n * sizeof *key);
		/* Partial selection sort: the k largest, in order. */
		for (j = 0; j < res->k; j++) {
			int64_t best = j, m;
			double x;
			for (m = j + 1; m < n; m++)
				if (sorted[m] > sorted[best])
					best = m;
			x = sorted[j], sorted[j] = sorted[best], sorted[best] = x;
			if (res->count[u] != res->k ||
			    fabs(key[res->items[u * res->k + j]] - sorted[j]) > tol * (1 + fabs(sorted[j])))
				bad++;
		}
	}
	free(key);
	free(sorted);
	return !bad;
}

/* HCR's real rule of that name (train/methods/hcr.c) over a model holding the groups
 * g[tower][z, e, c], as r; the model's arrays stay until the next call. */
static struct repset hcr_set;
static int hcr_rule(struct rule *r, const char *name, struct rule_group g[2][3], int d,
    int64_t nu, int64_t ni)
{
	struct scoring sc;
	int k, j;
	repset_free(&hcr_set);
	memset(&hcr_set, 0, sizeof hcr_set);
	hcr_set.nu = nu;
	hcr_set.ni = ni;
	hcr_set.dim = d;
	hcr_set.towers = 2;
	hcr_set.heads = heads_default;
	for (k = 0; k < 2; k++)
		for (j = 0; j < 3; j++)
			if (g[k][j].user) {
				float *m = xmalloc((size_t)(nu + ni) * (size_t)d * sizeof *m);
				memcpy(m, g[k][j].user, (size_t)(nu * d) * sizeof *m);
				memcpy(m + nu * d, g[k][j].item, (size_t)(ni * d) * sizeof *m);
				hcr_set.rep[k][j] = m;
			}
	if (method_scoring(method_find("hcr"), name, &hcr_set, &sc) != 0)
		return -1;
	*r = sc.rule;
	return 0;
}

/* The user rows of tower k's group j in the model hcr_rule made. */
static const float *set_user(int k, int j)
{
	return hcr_set.rep[k][j];
}

static void rankings(void)
{
	enum { NU = 37, NI = 1531, D = 16, K = 20 };
	float *um[5], *im[5];
	struct rule_group g[2][3] = { { { 0 } } }, none = { NULL, NULL, 0 };
	struct rule r, r2;
	struct rank_result a, b;
	int t, bad, sd_i;
	static const double sds[] = { 0.3, 1, 3 };
	for (sd_i = 0; sd_i < 3; sd_i++) {
		double sd = sds[sd_i];
		for (t = 0; t < 5; t++) {
			um[t] = random_matrix(NU, D, sd);
			im[t] = random_matrix(NI, D, sd);
		}
		for (t = 0; t < 6; t++) {
			g[t / 3][t % 3].user = um[t < 5 ? t : 0];
			g[t / 3][t % 3].item = im[t < 5 ? t : 0];
		}
		/* hcr: click z and e, like z; hcr-t adds like e and c. */
		OK(hcr_rule(&r, "hcr", g, D, NU, NI) == 0 &&
		       r.n_terms == 3 && r.term[2].user == set_user(1, GROUP_Z),
		    "sd %g: hcr is s(Y1z) s(Y1e) s(Y2z)", sd);
		/* A log-score's error is the logits' float error, absolute. */
		OK(key_error(&r, 1) < 1e-5, "sd %g: hcr keys near double (%.2g)", sd,
		    key_error(&r, 1));
		rank_all(&r, K, 1, 0, NI, &a);
		OK(matches_naive(&r, &a, 1e-5), "sd %g: hcr top-%d equals the naive double ranking", sd,
		    K);
		rank_result_free(&a);
		/* Threads and shards: the same bits, sgemm included. */
		bad = 0;
		for (t = 0; t < 3; t++) {
			static const int64_t chunk[] = { 7, 300, 1000 }, block[] = { 1, 5, 16 };
			struct rank_scorer sc;
			struct rank_opts o1 = { .k = K, .threads = 1, .user_block = block[t],
				.item_chunk = chunk[t] };
			struct rank_opts o2 = { .k = K, .threads = 2, .user_block = block[t],
				.item_chunk = chunk[t] };
			struct rank_result sh;
			int64_t row = 0, lo, hi;
			int k;
			rule_scorer(&r, &sc);
			rank_range(&sc, 0, NU, &o1, &a);
			rank_range(&sc, 0, NU, &o2, &b);
			bad += !same_result(&a, &b);
			rank_result_free(&b);
			for (k = 1; k <= 3; k++) {
				rank_shard(NU, k, 3, &lo, &hi);
				rank_range(&sc, lo, hi, &o2, &sh);
				bad += memcmp(sh.keys, a.keys + row * K, sh.rows * K * 4) != 0;
				bad += memcmp(sh.items, a.items + row * K, sh.rows * K * 4) != 0;
				row += sh.rows;
				rank_result_free(&sh);
			}
			rank_result_free(&a);
		}
		OK(!bad, "sd %g: 1 and 2 threads, 3 shards: identical bits (%d differ)", sd, bad);
		rule_free(&r);
		OK(hcr_rule(&r, "hcr-t", g, D, NU, NI) == 0 &&
		       r.n_terms == 5, "sd %g: hcr-t has five factors", sd);
		rank_all(&r, K, 2, 8, 100, &a);
		OK(matches_naive(&r, &a, 1e-5), "sd %g: hcr-t ranking equals naive", sd);
		rank_result_free(&a);
		rule_free(&r);

		OK(hcr_rule(&r, "hcr-s1", g, D, NU, NI) == 0 &&
		       r.n_terms == 2, "sd %g: hcr-s1 has two factors", sd);
		rank_all(&r, K, 2, 8, 100, &a);
		OK(matches_naive(&r, &a, 1e-5), "sd %g: hcr-s1 ranking equals naive", sd);
		rank_result_free(&a);
		rule_free(&r);

		/* hcr-s2 is monotone in Y2z: it ranks as the plain inner product does. */
		hcr_rule(&r, "hcr-s2", g, D, NU, NI);
		rule_dot(&r2, g[1][0], D, NU, NI);
		OK(key_error(&r2, sd * sd * D) < 1e-6, "sd %g: inner product keys", sd);
		rank_all(&r, K, 1, 0, 200, &a);
		rank_all(&r2, K, 2, 0, 0, &b);
		bad = 0;
		for (t = 0; t < NU * K; t++)
			bad += a.items[t] != b.items[t];
		/* Beyond logits of 87 sigmoid factors count as equal: only compare below. */
		OK((sd > 1 || !bad) && matches_naive(&r2, &b, 1e-5),
		    "sd %g: hcr-s2 ranks as Y2z (%d differ)", sd, bad);
		rank_result_free(&a);
		rank_result_free(&b);
		rule_free(&r);
		rule_free(&r2);

		/* A role without modality: its group is the factor 1. */
		g[0][1] = none;
		hcr_rule(&r, "hcr", g, D, NU, NI);
		OK(r.n_terms == 2 && r.term[1].user == set_user(1, GROUP_Z),
		    "sd %g: an absent group is dropped", sd);
		rule_free(&r);
		g[0][1].user = um[1];
		g[0][1].item = im[1];

		/* esmm-like: s(a) s(b). */
		{
			struct rule_group two[2] = { g[0][0], g[1][0] };
			rule_sigprod(&r, 2, two, D, NU, NI);
			rank_all(&r, K, 2, 3, 50, &a);
			OK(matches_naive(&r, &a, 1e-5), "sd %g: s(a) s(b) ranking equals naive", sd);
			rank_result_free(&a);
			rule_free(&r);
		}

		rule_cr(&r, g[0][0], g[0][1], D, NU, NI);
		OK(key_error(&r, sd * sd * 4) < 1e-5, "sd %g: CR keys (%.2g)", sd,
		    key_error(&r, sd * sd * 4));
		rank_all(&r, K, 2, 4, 128, &a);
		OK(matches_naive(&r, &a, 1e-4), "sd %g: CR ranking equals naive", sd);
		rank_result_free(&a);
		rule_free(&r);
		rule_cr(&r, g[0][0], none, D, NU, NI);
		OK(key_error(&r, sd * sd * 4) < 1e-5, "sd %g: CR without an exposure group", sd);
		rule_free(&r);

		/* DCF: exposure factors narrower and wider than z (the scratch's two sizes) */
		for (t = 0; t < 2; t++) {
			static const int dx[2] = { 5, 24 };
			float *tu = random_matrix(NU, dx[t], sd), *si = random_matrix(NI, dx[t], sd);
			float *gamma = random_matrix(NU, 1, 2);
			struct rule_group expo = { tu, si, 0 };
			rule_dcf(&r, g[0][0], expo, dx[t], gamma, -0.25f, D, NU, NI);
			OK(key_error(&r, sd * sd * 4) < 1e-5, "sd %g: DCF keys, %d exposure factors (%.2g)",
			    sd, dx[t], key_error(&r, sd * sd * 4));
			rank_all(&r, K, 2, 4, 128, &a);
			OK(matches_naive(&r, &a, 1e-4), "sd %g: DCF ranking equals naive", sd);
			rank_result_free(&a);
			rule_free(&r);
			free(tu);
			free(si);
			free(gamma);
		}

		OK(hcr_rule(&r, "hcr-x", g, D, NU, NI) == -1,
		    "an unknown rule name is refused");
		for (t = 0; t < 5; t++) {
			free(um[t]);
			free(im[t]);
		}
	}
	repset_free(&hcr_set);
}

/* Multiples of 1/8 or 1/4: every product and sum is exact in float, so sgemm's bits
 * do not depend on the call's shape, and any difference would come from pruning.
 * Small logits test the tangent bounds, large ones (to +-256) the saturated tail. */
static void pruning(int levels, float step)
{
	enum { NU = 29, NI = 997, D = 16, K = 15 };
	float *m[6];
	struct rule_group g[3] = { { 0 } };
	struct rule r;
	struct rank_result a, b;
	int t, i, bad = 0, n;
	for (t = 0; t < 6; t++) {
		int64_t rows = t < 3 ? NU : NI;
		m[t] = xmalloc((size_t)(rows * D) * sizeof *m[t]);
		for (i = 0; i < rows * D; i++)
			m[t][i] = (float)((int)(uniform() * levels) - levels / 2) * step;
	}
	for (t = 0; t < 3; t++) {
		g[t].user = m[t];
		g[t].item = m[t + 3];
	}
	for (n = 1; n <= 3; n++) {
		rule_sigprod(&r, n, g, D, NU, NI);
		/* One chunk: the floor is never used. */
		rank_all(&r, K, 1, NU, NI, &a);
		for (t = 0; t < 4; t++) {
			static const int64_t chunk[] = { 1, 9, 100, 500 }, block[] = { 1, 4, 7, 64 };
			rank_all(&r, K, 1 + t % 2, block[t], chunk[t], &b);
			bad += !same_result(&a, &b);
			rank_result_free(&b);
		}
		OK(!bad, "step %g, %d factors: pruning by the floor changes no bit, ties included",
		    step, n);
		OK(matches_naive(&r, &a, 1e-6), "step %g, %d factors: exact logits rank as naive",
		    step, n);
		rank_result_free(&a);
		rule_free(&r);
	}
	for (t = 0; t < 6; t++)
		free(m[t]);
}

/* DCF's rule by hand: the term gamma_u a(u,i) reorders a user's items. */
static void dcf_by_hand(void)
{
	/* z: users (1, 0) and (0, 1); items (0.3, 0), (0.2, 1), (0.1, -1); one exposure
	 * factor: t = (1, 2), s = (-10, 0, 10); gamma = (1, -1); b0 = 0.5 */
	float zu[4] = { 1, 0, 0, 1 }, zi[6] = { 0.3f, 0, 0.2f, 1, 0.1f, -1 };
	float tu[2] = { 1, 2 }, si[3] = { -10, 0, 10 }, gamma[2] = { 1, -1 }, zero[2] = { 0, 0 };
	struct rule_group z = { zu, zi, 0 }, expo = { tu, si, 0 };
	struct rule r;
	struct rank_result res;
	double s10 = 1 / (1 + exp(-10.0));
	rule_dcf(&r, z, expo, 1, gamma, 0.5f, 2, 2, 3);
	rank_all(&r, 3, 1, 0, 0, &res);
	/* user 0: 0.3 + sig(-10) + 0.5, 0.2 + 0.5 + 0.5, 0.1 + sig(10) + 0.5 */
	OK(res.items[0] == 2 && res.items[1] == 1 && res.items[2] == 0,
	    "DCF by hand: gamma_u a(u,i) puts user 0's items in the order 2, 1, 0");
	NEAR(res.keys[0], 0.1 + s10 + 0.5, 1e-6, "DCF by hand: user 0's key of item 2");
	NEAR(res.keys[2], 0.3 + (1 - s10) + 0.5, 1e-6, "DCF by hand: user 0's key of item 0");
	NEAR(rule_score(&r, res.keys[0]), 1 / (1 + exp(-(0.6 + s10))), 1e-6,
	    "DCF by hand: the score is the sigmoid of the key");
	/* user 1: 0 - sig(-20) + 0.5, 1 - 0.5 + 0.5, -1 - sig(20) + 0.5 */
	OK(res.items[3] == 1 && res.items[4] == 0 && res.items[5] == 2,
	    "DCF by hand: a negative gamma lowers user 1's most exposed item");
	NEAR(res.keys[3], 1.0, 1e-6, "DCF by hand: user 1's key of item 1");
	rank_result_free(&res);
	rule_free(&r);
	rule_dcf(&r, z, expo, 1, zero, 0.5f, 2, 2, 3);
	rank_all(&r, 3, 1, 0, 0, &res);
	OK(res.items[0] == 0 && res.items[1] == 1 && res.items[2] == 2,
	    "DCF by hand: with gamma 0, user 0's items rank by Y^z alone");
	rank_result_free(&res);
	rule_free(&r);
}

/* A NaN logit (a diverged model) past the floor is still seen and counted, though the
 * smallest logit, tested first, would pass over it. */
static void nan_past_floor(void)
{
	enum { NI = 1000 };
	float user[1] = { 1 }, items[3][NI];
	struct rule_group g[3] = { { 0 } };
	struct rule r;
	struct rank_result res;
	int t, i;
	for (t = 0; t < 3; t++) {
		for (i = 0; i < NI; i++)
			items[t][i] = (float)(i % 37) - 18;
		g[t].user = user;
		g[t].item = items[t];
	}
	/* in the first factor, and in the second beside a low third */
	items[0][700] = NAN;
	items[1][900] = NAN;
	items[2][900] = -30;
	rule_sigprod(&r, 3, g, 1, 1, NI);
	rank_all(&r, 5, 1, 1, 100, &res);
	OK(res.nan_keys == 2, "NaN logits in late chunks are counted (%lld)",
	    (long long)res.nan_keys);
	rank_result_free(&res);
	rule_free(&r);
}

/* The keys of the 4-wide kernel and of the widest the CPU runs (8 with AVX2): the same
 * bits above the row's floor, row tails of every width, NaN and saturated logits, with and without a floor, one to four factors, and the mean rule's; keys
 * straight from the scorer, and the same top-k, keys and ties included. */
static void widths(void)
{
	enum { NU = 7, NI = 61, D = 6 };
	float *um[4], *im[4], *floors = xmalloc(NU * sizeof *floors);
	struct rule_group g[4];
	int32_t users[NU];
	int n, t, u, bad = 0, checked = 0;
	double mu[3] = { -1, 0, 0.5 };
	for (t = 0; t < 4; t++) {
		um[t] = random_matrix(NU, D, 1 + 3 * t);
		im[t] = random_matrix(NI, D, 1 + 3 * t);
		g[t].user = um[t];
		g[t].item = im[t];
		g[t].bias = 0;
	}
	im[0][5 * D] = NAN;
	im[1][9 * D] = NAN;
	im[2][13 * D] = 1e30f;
	for (u = 0; u < NU; u++) {
		users[u] = u;
		floors[u] = u == 0 ? -INFINITY : (float)(-0.5 * u);
	}
	for (n = 1; n <= 4; n++)
		for (int mean = 0; mean < 2; mean++)
			for (int64_t ni = NI - 8; ni <= NI; ni++) {
				struct rule r;
				struct rank_scorer sc;
				float *key[2], *scratch;
				if (mean)
					rule_sigprod_mean(&r, n, g, mu, 3, D, NU, NI);
				else
					rule_sigprod(&r, n, g, D, NU, NI);
				for (int w = 0; w < 2; w++) {
					r.lanes = w ? 4 : 0;
					rule_scorer(&r, &sc);
					scratch = xmalloc((sc.scratch_per_user * NU +
					    sc.scratch_per_pair * NU * (size_t)ni) * sizeof *scratch);
					key[w] = xmalloc((size_t)(NU * ni) * sizeof **key);
					sc.fill(sc.ctx, users, NU, 0, ni, floors, key[w], scratch);
					free(scratch);
				}
				/* below its row's floor a key cannot enter, and pruning gives the
				 * floor or a bound there, by groups of the kernel's width */
				for (int64_t q = 0; q < NU * ni; q++)
					bad += memcmp(key[0] + q, key[1] + q, sizeof **key) != 0 &&
					    !(key[0][q] <= floors[q / ni] && key[1][q] <= floors[q / ni]);
				if (!mean) {
					struct rank_result a, b;
					r.lanes = 0;
					rank_all(&r, 5, 1, 3, 16, &a);
					r.lanes = 4;
					rank_all(&r, 5, 1, 3, 16, &b);
					bad += !same_result(&a, &b);
					rank_result_free(&a);
					rank_result_free(&b);
				}
				checked++;
				free(key[0]);
				free(key[1]);
				rule_free(&r);
			}
	OK(!bad, "the 4-wide and the widest kernels: the same keys and top-k (%d bad in %d cases)",
	    bad, checked);
	for (t = 0; t < 4; t++) {
		free(um[t]);
		free(im[t]);
	}
	free(floors);
}

int main(void)
{
	extreme_logits();
	pruning(5, 0.125f);
	pruning(17, 0.25f);
	pruning(17, 0.5f);
	nan_past_floor();
	rankings();
	dcf_by_hand();
	widths();
	return tap_done();
}
