/* rng.c: xoshiro256** (Blackman and Vigna) seeded through splitmix64. */
#include "common/rng.h"

#include <math.h>

uint64_t rng_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t a = seed, b = stream;
	/* Hashing seed and stream apart first keeps nearby pairs such as (1, 0) and
	 * (0, 1) from starting on related splitmix64 sequences. */
	uint64_t x = rng_splitmix64(&a) ^ (rng_splitmix64(&b) * 0xd1342543de82ef95u);
	for (int k = 0; k < 4; k++)
		r->s[k] = rng_splitmix64(&x);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1; /* the one state xoshiro cannot leave */
	r->has_spare = 0;
	r->spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

float rng_uniformf(struct rng *r)
{
	return (float)(rng_next(r) >> 40) * 0x1.0p-24f;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* Values below 2^64 mod n would be drawn once more often than the rest. */
	uint64_t threshold = (0 - n) % n;
	uint64_t x;
	do
		x = rng_next(r);
	while (x < threshold);
	return x % n;
}

int rng_bernoulli(struct rng *r, double p)
{
	return rng_uniform(r) < p;
}

double rng_normal(struct rng *r)
{
	double u, v, s, f;
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	do {
		u = 2 * rng_uniform(r) - 1;
		v = 2 * rng_uniform(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	f = sqrt(-2 * log(s) / s);
	r->spare = v * f;
	r->has_spare = 1;
	return u * f;
}

double rng_normal_ms(struct rng *r, double mean, double sd)
{
	return mean + sd * rng_normal(r);
}

double rng_lognormal(struct rng *r, double mu, double sigma)
{
	return exp(mu + sigma * rng_normal(r));
}

double rng_exponential(struct rng *r)
{
	return -log1p(-rng_uniform(r));
}

double rng_gamma(struct rng *r, double shape)
{
	double d, c, x, v, u;
	if (shape < 1) {
		/* Gamma(a) = Gamma(a + 1) U^(1/a) (Marsaglia and Tsang, section 6). */
		double g = rng_gamma(r, shape + 1);
		return g * pow(rng_uniform(r), 1 / shape);
	}
	d = shape - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		do {
			x = rng_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = rng_uniform(r);
		if (u < 1 - 0.0331 * (x * x) * (x * x))
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

double rng_beta(struct rng *r, double a, double b)
{
	double x = rng_gamma(r, a), y = rng_gamma(r, b);
	return x / (x + y);
}

void rng_shuffle_i32(struct rng *r, int32_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(r, i);
		int32_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}
