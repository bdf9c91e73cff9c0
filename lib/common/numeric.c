/* numeric.c: Pearson's correlation in two passes (means first), for accuracy when the
 * values share a large offset. */
#include "common/numeric.h"

double pearson(const double *a, const double *b, int64_t n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	if (n < 2)
		return 0;
	for (int64_t i = 0; i < n; i++)
		ma += a[i], mb += b[i];
	ma /= (double)n, mb /= (double)n;
	for (int64_t i = 0; i < n; i++) {
		double x = a[i] - ma, y = b[i] - mb;
		sab += x * y, saa += x * x, sbb += y * y;
	}
	return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}
