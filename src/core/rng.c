/*
 * rng: xoshiro256** generator and the few distributions rastro needs.
 * Only integer arithmetic and libm functions with exact IEEE results on
 * every x86-64/aarch64 glibc are used, so streams are portable.
 */
#include "rng.h"

#include <math.h>
#include <string.h>

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

void rng_seed2(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL);

	rng_seed(r, splitmix(&x));
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* Lemire's multiply-shift with rejection: unbiased and division-free. */
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t threshold = -n % n;

		while (low < threshold) {
			m = (unsigned __int128)rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

int rng_chance(struct rng *r, double p)
{
	return rng_uniform(r) < p;
}

double rng_normal(struct rng *r, double mean, double sd)
{
	/* Box–Muller; one value per call keeps the stream easy to reason about. */
	double u1 = rng_uniform(r), u2 = rng_uniform(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return mean + sd * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double rng_lognormal(struct rng *r, double mu, double sigma)
{
	return exp(rng_normal(r, mu, sigma));
}

double rng_exponential(struct rng *r, double mean)
{
	double u = rng_uniform(r);

	return -mean * log(1.0 - u);
}

uint32_t rng_poisson(struct rng *r, double mean)
{
	if (mean <= 0)
		return 0;
	if (mean > 60) {
		double x = rng_normal(r, mean, sqrt(mean));
		return x < 0 ? 0 : (uint32_t)(x + 0.5);
	}
	{
		double l = exp(-mean), p = 1.0;
		uint32_t k = 0;

		do {
			k++;
			p *= rng_uniform(r);
		} while (p > l);
		return k - 1;
	}
}

size_t rng_weighted(struct rng *r, const double *weights, size_t n)
{
	double total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += weights[i];
	if (n == 0 || total <= 0)
		return 0;
	x = rng_uniform(r) * total;
	for (i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

void rng_shuffle(struct rng *r, void *base, size_t n, size_t size)
{
	unsigned char *a = base, tmp[256];
	size_t i;

	if (size > sizeof tmp)
		return;
	for (i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(r, i);

		memcpy(tmp, a + (i - 1) * size, size);
		memcpy(a + (i - 1) * size, a + j * size, size);
		memcpy(a + j * size, tmp, size);
	}
}
