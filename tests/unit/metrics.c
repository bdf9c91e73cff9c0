/* Unit tests of lib/metrics: Recall and NDCG by hand, graded NDCG, Kendall's tau-b
 * against a naive O(n^2) count. */
#include <math.h>
#include <stdlib.h>

#include "common/csr.h"
#include "common/util.h"
#include "eval/metrics.h"
#include "rank/topk.h"
#include "tap.h"

static void one_user(void)
{
	/* Positives {2, 7, 8}; the list hits item 2 at rank 1 and item 7 at rank 3. */
	static const int32_t ranked[] = { 5, 2, 9, 7, 1 }, pos[] = { 2, 7, 8 };
	static const int ks[] = { 1, 3, 5, 4 };
	double rec[4], nd[4];
	double idcg3 = 1 + 1 / log2(3) + 1 / log2(4);
	OK(metrics_user(ranked, 5, pos, 3, 4, ks, rec, nd) == 1, "a user with positives counts");
	NEAR(rec[0], 0, 0, "Recall@1: no hit");
	NEAR(nd[0], 0, 0, "NDCG@1: no hit");
	NEAR(rec[1], 1.0 / 3, 1e-15, "Recall@3: one of three");
	NEAR(nd[1], (1 / log2(3)) / idcg3, 1e-15, "NDCG@3: hit at rank 1 over IDCG of 3 ranks");
	NEAR(rec[3], 2.0 / 3, 1e-15, "Recall@4: two of three");
	NEAR(nd[3], (1 / log2(3) + 1 / log2(5)) / idcg3, 1e-15, "NDCG@4: hits at ranks 1 and 3");
	NEAR(nd[2], nd[3], 0, "NDCG@5 = NDCG@4: fewer positives than K, IDCG over |P| ranks");

	/* A list shorter than K (few unmasked items): the missing ranks are misses. */
	{
		static const int32_t short_list[] = { 8, 2 };
		static const int k5[] = { 5 };
		metrics_user(short_list, 2, pos, 3, 1, k5, rec, nd);
		NEAR(rec[0], 2.0 / 3, 1e-15, "short list: Recall@5");
		NEAR(nd[0], (1 + 1 / log2(3)) / idcg3, 1e-15, "short list: NDCG@5");
	}
	/* More positives than K: IDCG over K ranks, and a perfect list scores 1. */
	{
		static const int32_t many[] = { 1, 2, 3, 4, 5, 6 }, top[] = { 4, 1 };
		static const int k2[] = { 2 };
		metrics_user(top, 2, many, 6, 1, k2, rec, nd);
		NEAR(nd[0], 1, 1e-15, "all K hits among more positives: NDCG 1");
		NEAR(rec[0], 2.0 / 6, 1e-15, "all K hits among more positives: Recall K/|P|");
	}
	OK(metrics_user(ranked, 5, pos, 0, 4, ks, rec, nd) == 0 && isnan(rec[0]) && isnan(nd[3]),
	    "no positive: not counted, NaN");
}

static void a_ranking(void)
{
	/* Rows: users 2, 0, 1; user 0 has no positive. */
	static int32_t users[] = { 2, 0, 1 }, count[] = { 3, 3, 2 };
	static int32_t items[] = { 4, 0, 3, 1, 2, 3, 0, 4, -1 };
	static float keys[9];
	static const int32_t pr[] = { 2, 2, 1, 1 }, pc[] = { 4, 3, 0, 2 };
	static const int ks[] = { 1, 3 };
	struct rank_result rk = { 3, 3, users, count, items, keys, 0 };
	struct csr positives;
	struct metrics m;
	double nd2 = (1 + 1 / log2(4)) / (1 + 1 / log2(3)), nd1 = 1 / (1 + 1 / log2(3));
	csr_build(&positives, 3, 5, 4, pr, pc, 1);
	metrics_eval(&rk, &positives, 2, ks, &m);
	OK(m.rows == 3 && m.users == 2, "means over the two users with a positive");
	NEAR(m.user_recall[0 * 2 + 1], 1, 1e-15, "user 2: Recall@3 = 1");
	NEAR(m.user_ndcg[0 * 2 + 1], nd2, 1e-15, "user 2: NDCG@3, hits at ranks 0 and 2");
	NEAR(m.user_ndcg[0 * 2 + 0], 1, 1e-15, "user 2: NDCG@1 = 1");
	OK(isnan(m.user_recall[1 * 2]) && isnan(m.user_ndcg[1 * 2 + 1]), "user 0: NaN, no positive");
	NEAR(m.user_recall[2 * 2 + 1], 0.5, 1e-15, "user 1: one of two in a list of two");
	NEAR(m.user_ndcg[2 * 2 + 1], nd1, 1e-15, "user 1: NDCG@3, hit at rank 0, IDCG over 2 ranks");
	NEAR(m.recall[0], (1 + 0) / 2.0, 1e-15, "mean Recall@1");
	NEAR(m.recall[1], (1 + 0.5) / 2.0, 1e-15, "mean Recall@3");
	NEAR(m.ndcg[1], (nd2 + nd1) / 2, 1e-15, "mean NDCG@3");
	metrics_free(&m);
	csr_free(&positives);
}

static void graded(void)
{
	static const float rel[] = { 0.875f, 0.125f, 0.5f, 0.0f, 0.75f, 0.25f };
	static const int32_t ranked[] = { 4, 2, 5 }, excluded[] = { 0 };
	/* Item 0 (the most relevant) is a training item: the ideal is 4, 2, 5. */
	NEAR(ndcg_graded(ranked, 3, rel, 6, excluded, 1, 3), 1, 1e-15,
	    "graded NDCG: the ideal order among non-excluded items is 1");
	{
		static const int32_t worse[] = { 5, 2, 4 };
		double dcg = 0.25 + 0.5 / log2(3) + 0.75 / 2, idcg = 0.75 + 0.5 / log2(3) + 0.25 / 2;
		NEAR(ndcg_graded(worse, 3, rel, 6, excluded, 1, 3), dcg / idcg, 1e-15,
		    "graded NDCG by hand");
		idcg = 0.875 + 0.75 / log2(3);
		NEAR(ndcg_graded(worse, 3, rel, 6, NULL, 0, 2), (0.25 + 0.5 / log2(3)) / idcg, 1e-15,
		    "graded NDCG@2 with nothing excluded");
	}
	{
		static const float zero[] = { 0, 0, 0 };
		static const int32_t r[] = { 0, 1 };
		OK(isnan(ndcg_graded(r, 2, zero, 3, NULL, 0, 2)), "graded NDCG: NaN when IDCG is 0");
	}
}

static double naive_tau(const double *x, const double *y, int64_t n)
{
	int64_t i, j;
	double c = 0, d = 0, tx = 0, ty = 0;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			double s = (x[i] - x[j]) * (y[i] - y[j]);
			if (s > 0)
				c++;
			else if (s < 0)
				d++;
			if (x[i] == x[j])
				tx++;
			if (y[i] == y[j])
				ty++;
		}
	return (c - d) / sqrt(((double)n * (n - 1) / 2 - tx) * ((double)n * (n - 1) / 2 - ty));
}

static void kendall(void)
{
	/* cor(c(1,2,2,3,4,4,5), c(2,1,3,3,5,4,4), method = "kendall") in R: tau-b */
	static const double x[] = { 1, 2, 2, 3, 4, 4, 5 }, y[] = { 2, 1, 3, 3, 5, 4, 4 };
	static const double up[] = { 1, 2, 3, 4 }, down[] = { 4, 3, 2, 1 }, flat[] = { 1, 1, 1, 1 };
	double a[300], b[300];
	int trial, bad = 0;
	uint64_t s = 7;
	NEAR(kendall_tau_b(x, y, 7), 0.6842105263157896, 1e-15, "tau-b with ties, as R's cor()");
	NEAR(kendall_tau_b(up, up, 4), 1, 1e-15, "same order: 1");
	NEAR(kendall_tau_b(up, down, 4), -1, 1e-15, "reversed: -1");
	OK(isnan(kendall_tau_b(up, flat, 4)) && isnan(kendall_tau_b(up, up, 1)),
	    "a constant list or n < 2: NaN");
	for (trial = 0; trial < 50; trial++) {
		int n = 2 + trial * 6, i, levels = 2 + trial % 7;
		for (i = 0; i < n; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			a[i] = (double)((s >> 33) % (uint64_t)levels);
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b[i] = trial % 3 ? (double)((s >> 33) % (uint64_t)levels) + a[i] * 0.5
					 : (double)(s >> 40);
		}
		if (isnan(naive_tau(a, b, n)) != isnan(kendall_tau_b(a, b, n)) ||
		    fabs(naive_tau(a, b, n) - kendall_tau_b(a, b, n)) > 1e-12)
			bad++;
	}
	OK(!bad, "50 random lists with ties, n = 2..296: O(n log n) equals the naive count");
}

static void spearman(void)
{
	/* cor(c(1,2,2,3,4,4,5), c(2,1,3,3,5,4,4), method = "spearman") in R: mid-ranks */
	static const double x[] = { 1, 2, 2, 3, 4, 4, 5 }, y[] = { 2, 1, 3, 3, 5, 4, 4 };
	static const double up[] = { 1, 2, 3, 4 }, down[] = { 4, 3, 2, 1 }, flat[] = { 1, 1, 1, 1 };
	double a[200], b[200];
	int trial, bad = 0;
	uint64_t s = 11;
	NEAR(spearman_rho(x, y, 7), 0.83333333333333348, 1e-15, "rho with ties, as R's cor()");
	NEAR(spearman_rho(up, down, 4), -1, 1e-15, "reversed: -1");
	OK(isnan(spearman_rho(up, flat, 4)) && isnan(spearman_rho(up, up, 1)),
	    "a constant list or n < 2: NaN");
	/* without ties rho = 1 - 6 sum d^2 / (n (n^2 - 1)), d the rank differences */
	for (trial = 0; trial < 30; trial++) {
		int n = 2 + trial * 6, i;
		double d2 = 0;
		for (i = 0; i < n; i++) {
			a[i] = i;
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b[i] = (double)(s >> 40) + i * (double)(trial % 4) * 1e5;
		}
		for (i = 0; i < n; i++) {
			int below = 0;
			for (int j = 0; j < n; j++)
				below += b[j] < b[i];
			d2 += (double)(i - below) * (i - below);
		}
		if (fabs(spearman_rho(a, b, n) - (1 - 6 * d2 / ((double)n * ((double)n * n - 1)))) > 1e-12)
			bad++;
	}
	OK(!bad, "30 random lists without ties, n = 2..176: the rank-difference formula");
}

int main(void)
{
	one_user();
	a_ranking();
	graded();
	kendall();
	spearman();
	return tap_done();
}
