/*
 * er_block: blocking — candidate record pairs from several keys.
 */
#ifndef RASTRO_ER_BLOCK_H
#define RASTRO_ER_BLOCK_H

#include "er.h"

#define ER_NKEYS 12
#define ER_KEYMASK ((1u << ER_NKEYS) - 1)

struct er_block_opts {
	size_t cap;            /* blocks larger than this are skipped with a warning */
	size_t split;          /* blocks larger than this are split by a second value (0 = never) */
	int64_t link_a, link_b;/* link mode: only pairs across these two sources */
	int only_new;          /* incremental: only pairs with a new record */
};

struct er_block_report {
	uint64_t blocks, pairs, capped, largest;
	uint64_t split;        /* blocks split by the key's second value */
};

const char *er_block_key_name(int k);
/* Appends the distinct candidate pairs (a << 32 | b, a < b, record indexes)
 * to pairs, sorted, and to masks (uint16) the keys that produced each.
 * -1 out of memory, -2 more records than one run handles (2^26). */
int er_block(const struct er_data *d, const struct er_block_opts *o, struct vec *pairs, struct vec *masks,
	     struct er_block_report rep[ER_NKEYS], struct er_warnings *warn);
/* The blocking keys that force agreement on a comparison field: a pair
 * found only by such keys says nothing about the field's m. */
uint16_t er_block_keys_of_field(int f);
/* LSD radix sort of n keys of `bits` significant bits (multiple of 16). */
void er_radix_u64(uint64_t *a, uint64_t *tmp, size_t n, int bits);

#endif
