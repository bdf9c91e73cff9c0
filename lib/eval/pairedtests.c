/* pairedtests.c: the paired t-test and the Wilcoxon signed-rank test, as R computes them. */
#include "eval/pairedtests.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "common/util.h"

/* Stirling's series of lgamma(x) - ((x - 1/2) ln x - x + ln sqrt(2 pi)), x >= 10. */
static double stirling_tail(double x)
{
	double x2 = 1 / (x * x);
	return (1.0 / 12 - x2 * (1.0 / 360 - x2 * (1.0 / 1260 - x2 / 1680))) / x;
}

/* ln B(a, b).  For a large, lgamma(a) - lgamma(a + b) cancels (1e-11 of p at
 * df = 1e5): its Stirling form -b ln a - (a + b - 1/2) log1p(b / a) + b does not. */
static double log_beta(double a, double b)
{
	if (a < b) {
		double t = a;
		a = b;
		b = t;
	}
	if (a < 10)
		return lgamma(a) + lgamma(b) - lgamma(a + b);
	return lgamma(b) - b * log(a) - (a + b - 0.5) * log1p(b / a) + b + stirling_tail(a) -
	    stirling_tail(a + b);
}

/* The continued fraction of I_x(a, b) by the modified Lentz method; y = 1 - x is
 * passed separately so that it keeps its precision when x is near 1. */
static double incbeta_cf(double a, double b, double x, double y)
{
	const double tiny = 1e-300;
	double f, c, d, front;
	int m;
	/* ln x from 1 - x where x is near 1, and the other way round. */
	double lx = x > 0.5 ? log1p(-y) : log(x), ly = y > 0.5 ? log1p(-x) : log(y);
	front = exp(a * lx + b * ly - log_beta(a, b)) / a;
	/* I = front / (1 + d1 / (1 + d2 / (1 + ...))) with the beta function's d_j. */
	f = 1;
	c = 1;
	d = 0;
	for (m = 0; m < 10000; m++) {
		int j;
		for (j = 0; j < 2; j++) {
			double num, delta;
			if (j == 0 && m == 0)
				num = -(a + b) * x / (a + 1);
			else if (j == 0)
				num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
			else
				num = (m + 1) * (b - m - 1) * x / ((a + 2 * m + 1) * (a + 2 * m + 2));
			d = 1 + num * d;
			d = fabs(d) < tiny ? tiny : d;
			c = 1 + num / c;
			c = fabs(c) < tiny ? tiny : c;
			d = 1 / d;
			delta = c * d;
			f *= delta;
			if (fabs(delta - 1) < 1e-16)
				return front / f;
		}
	}
	return front / f;
}

static double incbeta_xy(double a, double b, double x, double y)
{
	if (x <= 0)
		return 0;
	if (y <= 0)
		return 1;
	/* The fraction converges fast below the mean; above it, use I_x(a,b) = 1 - I_y(b,a). */
	if (x < (a + 1) / (a + b + 2))
		return incbeta_cf(a, b, x, y);
	return 1 - incbeta_cf(b, a, y, x);
}

double incbeta(double a, double b, double x)
{
	return incbeta_xy(a, b, x, 1 - x);
}

double t_two_sided(double t, double df)
{
	double t2;
	if (isnan(t) || isnan(df) || df <= 0)
		return NAN;
	if (isinf(t))
		return 0;
	t2 = t * t;
	/* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2), with 1 - x = t^2 / (df + t^2). */
	return incbeta_xy(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

void ttest_paired(const double *x, const double *y, int64_t n, struct ttest *out)
{
	long double sum = 0, ss = 0, mean;
	double se;
	int64_t i;
	out->mean = out->t = out->p = NAN;
	out->df = n >= 1 ? (double)(n - 1) : NAN;
	if (n < 1)
		return;
	for (i = 0; i < n; i++)
		sum += (long double)x[i] - y[i];
	mean = sum / n;
	out->mean = (double)mean;
	if (n < 2)
		return;
	/* Two passes, as R's var: no cancellation between sum of squares and mean. */
	for (i = 0; i < n; i++) {
		long double dev = ((long double)x[i] - y[i]) - mean;
		ss += dev * dev;
	}
	se = sqrt((double)(ss / (n - 1)) / (double)n);
	if (se < 10 * DBL_EPSILON * fabs(out->mean))
		return;
	out->t = out->mean / se;
	out->p = t_two_sided(out->t, out->df);
}

struct diff {
	double abs;
	int positive;
};

static int by_abs(const void *a, const void *b)
{
	double x = ((const struct diff *)a)->abs, y = ((const struct diff *)b)->abs;
	return (x > y) - (x < y);
}

/* P(V <= v) for the signed-rank statistic of n untied pairs: the number of subsets
 * of {1..n} with sum s, counted by a knapsack over s, over 2^n (exact for n < 50). */
static double signrank_cdf(double v, int64_t n)
{
	int64_t top = n * (n + 1) / 2, i, s;
	double *count, sum = 0;
	if (v < 0)
		return 0;
	if (v >= (double)top)
		return 1;
	count = xcalloc((size_t)top + 1, sizeof *count);
	count[0] = 1;
	for (i = 1; i <= n; i++)
		for (s = top; s >= i; s--)
			count[s] += count[s - i];
	for (s = 0; s <= (int64_t)floor(v + 1e-7); s++)
		sum += count[s];
	free(count);
	return ldexp(sum, -(int)n);
}

void wilcoxon_paired(const double *x, const double *y, int64_t n, struct wilcoxon *out)
{
	struct diff *d = xmalloc((size_t)(n ? n : 1) * sizeof *d);
	int64_t m = 0, i, j;
	int zeros = 0, ties = 0;
	double v = 0, tie_sum = 0, nn, z, sigma;
	out->v = out->p = NAN;
	out->n = 0;
	out->exact = 0;
	if (n < 1) {
		free(d);
		return;
	}
	for (i = 0; i < n; i++) {
		double di = x[i] - y[i];
		if (di == 0) {
			zeros = 1;
			continue;
		}
		d[m].abs = fabs(di);
		d[m].positive = di > 0;
		m++;
	}
	qsort(d, (size_t)m, sizeof *d, by_abs);
	/* Average ranks over runs of equal |d|: positions i..j-1 share rank (i + 1 + j) / 2. */
	for (i = 0; i < m; i = j) {
		double t, rank;
		int64_t k;
		for (j = i + 1; j < m && d[j].abs == d[i].abs; j++)
			;
		t = (double)(j - i);
		rank = (double)(i + 1 + j) / 2;
		if (j - i > 1) {
			ties = 1;
			tie_sum += t * t * t - t;
		}
		for (k = i; k < j; k++)
			if (d[k].positive)
				v += rank;
	}
	free(d);
	out->v = v;
	out->n = m;
	out->exact = m < 50 && !ties && !zeros;
	nn = (double)m;
	if (out->exact) {
		/* Upper tail P(V >= v) = P(V <= top - v) by symmetry: no cancellation. */
		double p = v > nn * (nn + 1) / 4 ? signrank_cdf(nn * (nn + 1) / 2 - v, m)
						  : signrank_cdf(v, m);
		out->p = 2 * p < 1 ? 2 * p : 1;
		return;
	}
	z = v - nn * (nn + 1) / 4;
	sigma = sqrt(nn * (nn + 1) * (2 * nn + 1) / 24 - tie_sum / 48);
	/* Continuity correction towards zero; 2 min(Phi(z), 1 - Phi(z)) = erfc(|z| / sqrt 2). */
	z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0)) / sigma;
	out->p = erfc(fabs(z) / sqrt(2.0));
}
