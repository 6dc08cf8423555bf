/*
 * er_block: blocking — candidate record pairs from several keys.
 */
#ifndef RASTRO_ER_BLOCK_H
#define RASTRO_ER_BLOCK_H

#include "er.h"

#define ER_NKEYS 11

struct er_block_opts {
	size_t cap;            /* blocks larger than this are skipped with a warning */
	int64_t link_a, link_b;/* link mode: only pairs across these two sources */
	int only_new;          /* incremental: only pairs with a new record */
};

struct er_block_report {
	uint64_t blocks, pairs, capped, largest;
};

const char *er_block_key_name(int k);
/* Appends the distinct candidate pairs (a << 32 | b, a < b, record indexes)
 * to pairs, sorted. */
int er_block(const struct er_data *d, const struct er_block_opts *o, struct vec *pairs,
	     struct er_block_report rep[ER_NKEYS], struct er_warnings *warn);
/* LSD radix sort of n keys of `bits` significant bits (multiple of 16). */
void er_radix_u64(uint64_t *a, uint64_t *tmp, size_t n, int bits);

#endif
