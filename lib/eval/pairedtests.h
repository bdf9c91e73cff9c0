/* pairedtests.h: paired tests of per-user metrics between two runs, computed as R's
 * t.test(x, y, paired = TRUE) and wilcox.test(x, y, paired = TRUE) do by default. */
#ifndef HCR_PAIREDTESTS_H
#define HCR_PAIREDTESTS_H

#include <stdint.h>

struct ttest {
	double mean;  /* mean of x - y */
	double t;
	double df;    /* n - 1 */
	double p;     /* two-sided */
};

/* Where R stops ("not enough observations": n < 2; "data are essentially
 * constant": standard error < 10 eps |mean|) t and p are NaN, and so where R
 * itself gives NaN (all differences zero). */
void ttest_paired(const double *x, const double *y, int64_t n, struct ttest *out);

struct wilcoxon {
	double v;      /* sum of the ranks of the positive differences */
	double p;      /* two-sided */
	int64_t n;     /* pairs left once zero differences are dropped */
	int exact;     /* 1: the exact signed-rank distribution; 0: normal approximation */
};

/* Zero differences dropped, average ranks for ties; the exact p when fewer than 50
 * pairs remain and there were neither ties nor zeros, otherwise the normal
 * approximation with tie and continuity corrections.  p is NaN when no pair is left
 * (R gives NaN too). */
void wilcoxon_paired(const double *x, const double *y, int64_t n, struct wilcoxon *out);

/* 2 P(T > |t|) for Student's t with df degrees of freedom. */
double t_two_sided(double t, double df);
/* The regularized incomplete beta function I_x(a, b). */
double incbeta(double a, double b, double x);

#endif
