/* rng.h: the seeded random generator: xoshiro256** in independent streams, so that
 * one seed gives the same numbers on every platform and each purpose (negative
 * sampling, initialisation, a simulator) draws from its own stream. */
#ifndef HCR_RNG_H
#define HCR_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
	double spare;    /* the second normal of a polar pair */
	int has_spare;
};

/* Streams with different (seed, stream) pairs are independent for every practical
 * purpose: both are hashed through splitmix64 into the 256-bit state. */
void rng_init(struct rng *r, uint64_t seed, uint64_t stream);
/* One step of splitmix64, exposed for golden tests and seeding. */
uint64_t rng_splitmix64(uint64_t *state);

uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1): 53 and 24 random bits. */
double rng_uniform(struct rng *r);
float rng_uniformf(struct rng *r);
/* Uniform integer in [0, n), exactly unbiased (rejection); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* 1 with probability p. */
int rng_bernoulli(struct rng *r, double p);
/* Standard normal (Marsaglia's polar method); mean + sd * N(0, 1). */
double rng_normal(struct rng *r);
double rng_normal_ms(struct rng *r, double mean, double sd);
/* Long-tailed draws for simulators: exp(mu + sigma N), Gamma(shape, scale 1)
 * (Marsaglia-Tsang), Beta(a, b), Exponential(1). */
double rng_lognormal(struct rng *r, double mu, double sigma);
double rng_gamma(struct rng *r, double shape);
double rng_beta(struct rng *r, double a, double b);
double rng_exponential(struct rng *r);
/* Fisher-Yates, in place. */
void rng_shuffle_i32(struct rng *r, int32_t *a, size_t n);

/* Identical draws on every platform hold for rng_next, rng_uniform*, rng_below,
 * rng_bernoulli and rng_shuffle_i32 (integer and exact float arithmetic only); the
 * others call libm's log, exp and sqrt, which glibc rounds the same everywhere, but
 * another libm may differ in the last bit. */

#endif
