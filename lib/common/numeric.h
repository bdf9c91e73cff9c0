/* numeric.h: the small numeric functions several stages need, each once: the logistic
 * function and Pearson's correlation. */
#ifndef HCR_NUMERIC_H
#define HCR_NUMERIC_H

#include <math.h>
#include <stdint.h>

/* The logistic function; e^-|x| never overflows, and the two forms keep small values
 * relative-accurate. */
static inline double sigmoid(double x)
{
	double e = exp(-fabs(x));
	return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/* The same in float, for the rules' inner loops. */
static inline float sigmoidf(float x)
{
	float e = expf(-fabsf(x));
	return x >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

/* Pearson's correlation of a[0..n) and b[0..n).  Where a side has no spread (or n < 2)
 * the correlation is undefined, and 0 is returned: no linear association can be shown,
 * and a caller averaging over rows is not pulled either way. */
double pearson(const double *a, const double *b, int64_t n);

#endif
