/* Unit tests of lib/stats against values computed once with R 4.2.2.  Each case
 * names the R command; `show` is
 *   show <- function(x, y) { w <- wilcox.test(x, y, paired = TRUE)
 *     t <- t.test(x, y, paired = TRUE)   # unless it stops
 *     c(w$statistic, w$p.value, t$statistic, t$parameter, t$p.value, t$estimate) }
 * printed with sprintf("%.17g"). */
#include <math.h>

#include "eval/pairedtests.h"
#include "tap.h"

#define N(a) ((int64_t)(sizeof(a) / sizeof *(a)))

/* Relative closeness, for p-values that span many magnitudes. */
#define REL(got, want, rel, ...) NEAR((got), (want), (rel) * fabs(want), __VA_ARGS__)

struct expect {
	const char *name;
	double v, wp;
	int exact;
	double t, df, tp, mean;
};

static void check(const struct expect *e, const double *x, const double *y, int64_t n)
{
	struct wilcoxon w;
	struct ttest t;
	wilcoxon_paired(x, y, n, &w);
	ttest_paired(x, y, n, &t);
	NEAR(w.v, e->v, 0, "%s: Wilcoxon V", e->name);
	REL(w.p, e->wp, 1e-10, "%s: Wilcoxon p", e->name);
	OK(w.exact == e->exact, "%s: %s p, as R", e->name, e->exact ? "exact" : "normal");
	if (isnan(e->t)) {
		OK(isnan(t.t) && isnan(t.p), "%s: t-test gives NaN where R stops", e->name);
		return;
	}
	REL(t.t, e->t, 1e-12, "%s: t", e->name);
	NEAR(t.df, e->df, 0, "%s: df", e->name);
	REL(t.p, e->tp, 1e-10, "%s: t-test p", e->name);
	REL(t.mean, e->mean, 1e-14, "%s: mean difference", e->name);
}

static void r_cases(void)
{
	/* x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
	 * y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29); show(x, y)
	 * (R's own example: exact, no ties) */
	static const double ax[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 };
	static const double ay[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 };
	static const struct expect a = { "A exact", 40, 0.0390625, 1, 3.0353754156485913, 8,
		0.016176627434908095, 0.43188888888888888 };
	/* show(y, x): the lower tail; wilcox V = 5, p = 0.0390625 */
	static const struct expect a2 = { "A swapped", 5, 0.0390625, 1, -3.0353754156485913, 8,
		0.016176627434908095, -0.43188888888888888 };
	/* show(c(1,2,3,4,5,6,7,8), c(0,0,1,1,2,9,4,4)): ties, normal approximation */
	static const double bx[] = { 1, 2, 3, 4, 5, 6, 7, 8 }, by[] = { 0, 0, 1, 1, 2, 9, 4, 4 };
	static const struct expect b = { "B ties", 30.5, 0.088482717171743677, 0,
		2.4471602227671028, 7, 0.044291332640461797, 1.875 };
	/* show(c(1,2,3,4,5,6), c(1,2,1,1,1,1)): zeros dropped, then normal (R's rule) */
	static const double cx[] = { 1, 2, 3, 4, 5, 6 }, cy[] = { 1, 2, 1, 1, 1, 1 };
	static const struct expect c = { "C zeros", 10, 0.10034824646229079, 0,
		2.7669929526473322, 5, 0.039505809675341348, 2.3333333333333335 };
	/* show(c(10.1,10.3,9.9,10.2,10.0,10.4,9.8,10.1), rep(0, 8)): large t, tiny p */
	static const double fx[] = { 10.1, 10.3, 9.9, 10.2, 10.0, 10.4, 9.8, 10.1 },
			    fy[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	static const struct expect f = { "F large t", 36, 0.014147403886021537, 0,
		142.83556979968264, 7, 2.1749891632892127e-13, 10.1 };
	/* show(c(0.5, 0.25), c(0.125, 0.5)): n = 2 */
	static const double ix[] = { 0.5, 0.25 }, iy[] = { 0.125, 0.5 };
	static const struct expect i2 = { "I n=2", 2, 1, 1, 0.20000000000000001, 1,
		0.87433408362199772, 0.0625 };
	/* show(c(2,3,4), c(1,2,3)): t.test stops, "data are essentially constant" */
	static const double hx[] = { 2, 3, 4 }, hy[] = { 1, 2, 3 };
	static const struct expect h = { "H constant", 6, 0.14891467317876567, 0, NAN, 0, 0, 0 };
	double x[60], y[60];
	int i;
	check(&a, ax, ay, N(ax));
	check(&a2, ay, ax, N(ax));
	check(&b, bx, by, N(bx));
	check(&c, cx, cy, N(cx));
	check(&f, fx, fy, N(fx));
	check(&i2, ix, iy, N(ix));
	check(&h, hx, hy, N(hx));

	/* i <- 1:49; show(((i * 29) %% 97) / 7, ((i * 31) %% 89) / 11): exact at n = 49 */
	{
		static const struct expect k = { "K exact n=49", 992, 8.6799641124457607e-05, 1,
			4.575937922935319, 48, 3.3598562780245846e-05, 3.226080042406573 };
		for (i = 1; i <= 49; i++) {
			x[i - 1] = ((i * 29) % 97) / 7.0;
			y[i - 1] = ((i * 31) % 89) / 11.0;
		}
		check(&k, x, y, 49);
	}
	/* i <- 1:30; show(((i * 29) %% 97) / 7 + 1, ((i * 31) %% 89) / 11) */
	{
		static const struct expect l = { "L exact n=30", 419, 3.4531578421592753e-05, 1,
			4.9114419076054787, 29, 3.2445347102265772e-05, 4.6333333333333337 };
		for (i = 1; i <= 30; i++) {
			x[i - 1] = ((i * 29) % 97) / 7.0 + 1;
			y[i - 1] = ((i * 31) % 89) / 11.0;
		}
		check(&l, x, y, 30);
	}
	/* i <- 1:60; show(((i * 29) %% 97) / 7, ((i * 31) %% 89) / 11): n >= 50, no ties */
	{
		static const struct expect m = { "M n=60", 1482, 3.0413471944529513e-05, 0,
			5.0241203446756977, 59, 4.9902526410318035e-06, 3.2190476190476192 };
		for (i = 1; i <= 60; i++) {
			x[i - 1] = ((i * 29) % 97) / 7.0;
			y[i - 1] = ((i * 31) % 89) / 11.0;
		}
		check(&m, x, y, 60);
	}
	/* i <- 1:60; show(((i * 37) %% 101) / 10, ((i * 53) %% 103) / 10): n >= 50, ties */
	{
		static const struct expect d = { "D n=60 ties", 975, 0.6613590024297229, 0,
			0.36141022974738513, 59, 0.71908384479833831, 0.19833333333333339 };
		for (i = 1; i <= 60; i++) {
			x[i - 1] = ((i * 37) % 101) / 10.0;
			y[i - 1] = ((i * 53) % 103) / 10.0;
		}
		check(&d, x, y, 60);
	}
	/* show(c(1,2,3), c(1,2,3)): every difference zero: R gives NaN for both */
	{
		static const double gx[] = { 1, 2, 3 };
		struct wilcoxon w;
		struct ttest t;
		wilcoxon_paired(gx, gx, 3, &w);
		ttest_paired(gx, gx, 3, &t);
		OK(isnan(w.p) && w.n == 0 && w.v == 0, "G all zero: Wilcoxon p NaN, no pair left");
		OK(isnan(t.p) && t.mean == 0, "G all zero: t-test p NaN, mean 0");
		wilcoxon_paired(gx, gx, 1, &w);
		ttest_paired(gx, gx + 1, 1, &t);
		OK(isnan(t.p) && isnan(t.t) && t.mean == -1, "n = 1: t-test NaN (R: not enough 'x')");
		wilcoxon_paired(gx, gx, 0, &w);
		OK(isnan(w.p), "n = 0: Wilcoxon NaN (R: not enough 'x')");
	}
}

static void t_distribution(void)
{
	/* 2 * pt(-abs(t), df) */
	static const double cases[][3] = {
		{ 0.5, 3, 0.65144796484815104 },
		{ 2.5, 1000, 0.012578567801090797 },
		{ 40, 5, 1.8411962171772952e-07 },
		{ 1e-8, 10, 0.99999999221783231 },
		{ 6, 100000, 1.9799294556017631e-09 },
		{ 3, 2.5, 0.072576095549031841 },
	};
	int i;
	for (i = 0; i < (int)N(cases); i++)
		REL(t_two_sided(cases[i][0], cases[i][1]), cases[i][2], 1e-10,
		    "2 * pt(-%g, %g)", cases[i][0], cases[i][1]);
	/* pbeta(0.3, 2.5, 4); pbeta(0.9, 30, 2) */
	REL(incbeta(2.5, 4, 0.3), 0.35219758590676714, 1e-12, "pbeta(0.3, 2.5, 4)");
	REL(incbeta(30, 2, 0.9), 0.169564633100865, 1e-12, "pbeta(0.9, 30, 2)");
	OK(t_two_sided(INFINITY, 3) == 0 && isnan(t_two_sided(NAN, 3)), "t = inf, NaN");
}

int main(void)
{
	r_cases();
	t_distribution();
	return tap_done();
}
