/*
 * rng: deterministic pseudo-random numbers (xoshiro256**, seeded through
 * splitmix64).  The same seed gives the same stream on every machine, which
 * is what makes generated worlds, sampled pairs and tie-breaks reproducible.
 */
#ifndef RASTRO_RNG_H
#define RASTRO_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
/* An independent stream derived from (seed, stream): used to give each
 * generated entity or worker its own sequence regardless of order. */
void rng_seed2(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform integer in [lo, hi] inclusive. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* 1 with probability p. */
int rng_chance(struct rng *r, double p);
double rng_normal(struct rng *r, double mean, double sd);
double rng_lognormal(struct rng *r, double mu, double sigma);
double rng_exponential(struct rng *r, double mean);
uint32_t rng_poisson(struct rng *r, double mean);
/* Index drawn with probability proportional to weights[i]. */
size_t rng_weighted(struct rng *r, const double *weights, size_t n);
/* Fisher–Yates shuffle of n elements of `size` bytes. */
void rng_shuffle(struct rng *r, void *base, size_t n, size_t size);

#endif
