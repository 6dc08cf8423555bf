/*
 * er_block: candidate pairs from several blocking keys, taken as a union.
 *
 * Each key maps a record to a 64-bit hash of some of its normalised values
 * (or to nothing when a value is missing).  Records sharing a hash form a
 * block; every pair inside a block is a candidate.  A block larger than the
 * cap (10,000 records sharing one phone, say) is skipped with a warning
 * rather than producing a quadratic number of pairs: the other keys still
 * reach those records.  Pairs are packed as (a << 32 | b), sorted with a
 * radix sort and made unique.
 */
#include "er_block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/mem.h"

static const char *const key_names[ER_NKEYS] = {
	"surname phonetic + birth year", "surname + given metaphone", "phone", "email",
	"street + number + postcode", "given initial + date of birth", "id number",
	"given and surname phonetic, either order", "date of birth + postcode", "given metaphone + birth year + sex",
	"surname phonetic + postcode", "given + last surname metaphone",
};

const char *er_block_key_name(int k)
{
	return k >= 0 && k < ER_NKEYS ? key_names[k] : "?";
}

static uint64_t h4(int k, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t v[4] = { (uint64_t)k, a, b, c };

	return XXH3_64bits(v, sizeof v);
}

/* The key of record r for key k, or 0 when it has none. */
static uint64_t key_of(const struct er_data *d, const struct er_rec *r, int k)
{
	const char *g;

	switch (k) {
	case 0:
		return r->ph_sur1 && r->y ? h4(k, r->ph_sur1, r->y, 0) : 0;
	case 1:
		return r->mp_sur1 && r->bk_given1 ? h4(k, r->mp_sur1, r->bk_given1, 0) : 0;
	case 2:
		return r->phone ? h4(k, r->phone, 0, 0) : 0;
	case 3:
		return r->email ? h4(k, r->email, 0, 0) : 0;
	case 4:
		return r->street && r->postcode ? h4(k, r->street, r->stno, r->postcode) : 0;
	case 5:
		if (!r->given1 || !r->y)
			return 0;
		g = er_str(d, r->given1);
		/* day and month in either order: swapped dates stay in one block */
		return h4(k, (unsigned char)g[0], r->y, r->m < r->d ? (uint64_t)r->m << 8 | r->d : (uint64_t)r->d << 8 | r->m);
	case 6:
		return r->idnum ? h4(k, r->idnum, 0, 0) : 0;
	case 7:
		/* either order: a given name and surname swapped between
		 * agencies stay in one block */
		if (!r->ph_given1 || !r->ph_sur1)
			return 0;
		return r->ph_given1 < r->ph_sur1 ? h4(k, r->ph_given1, r->ph_sur1, 0) : h4(k, r->ph_sur1, r->ph_given1, 0);
	case 8:
		return r->y && r->postcode ? h4(k, r->postcode, (uint64_t)r->y << 16 | (uint64_t)r->m << 8 | r->d, 0) : 0;
	case 9:
		return r->bk_given1 && r->y && r->m ? h4(k, r->bk_given1, (uint64_t)r->y << 8 | r->m, (uint64_t)(unsigned char)r->sex) : 0;
	case 10:
		return r->ph_sur1 && r->postcode ? h4(k, r->ph_sur1, r->postcode, 0) : 0;
	case 11:
		/* the last surname: "Timothy Steven Baker", read in Spanish
		 * order as paternal Steven and maternal Baker, meets "Timothy
		 * Baker" (only such cross pairs are kept, below) */
		if (!r->bk_given1 || !r->mp_sur1)
			return 0;
		return h4(k, r->bk_given1, r->mp_sur2 ? r->mp_sur2 : r->mp_sur1, 0);
	}
	return 0;
}

/*
 * A key's second value, for splitting a block that grew too large: common
 * surnames and given names make blocks that grow with the data, and their
 * pairs with its square.  Splitting such a block by a value the key does not
 * use (birth day and month, birth year) keeps the pairs per record bounded;
 * 0 = the key has none (identifiers: a huge block of one phone is capped).
 */
static uint32_t split_of(const struct er_rec *r, int k)
{
	switch (k) {
	case 0:
		/* surname spelling variants with the same birth date, either order */
		return r->m < r->d ? (uint32_t)r->m << 8 | r->d : (uint32_t)r->d << 8 | r->m;
	case 1: case 7: case 10: case 11:
		return r->y;
	case 9:
		return r->d;
	case 5:
		/* the given name as the nickname table reads it (Pepe with
		 * José): the key is for surname changes, the given name stays */
		return r->bk_given1;
	}
	return 0;
}

static int has_split(int k)
{
	return k == 0 || k == 1 || k == 5 || k == 7 || k == 9 || k == 10 || k == 11;
}

struct kv {
	uint64_t key;
	uint32_t idx;
	uint32_t sub;          /* split_of, for blocks that are split */
};

static int kv_sub_cmp(const void *x, const void *y)
{
	const struct kv *a = x, *b = y;

	if (a->sub != b->sub)
		return a->sub < b->sub ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void radix_kv(struct kv *a, struct kv *tmp, size_t n)
{
	int shift;

	for (shift = 0; shift < 64; shift += 16) {
		size_t cnt[65537] = { 0 }, i;

		for (i = 0; i < n; i++)
			cnt[((a[i].key >> shift) & 0xFFFF) + 1]++;
		for (i = 0; i < 65536; i++)
			cnt[i + 1] += cnt[i];
		for (i = 0; i < n; i++)
			tmp[cnt[(a[i].key >> shift) & 0xFFFF]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
}

void er_radix_u64(uint64_t *a, uint64_t *tmp, size_t n, int bits)
{
	int shift;

	for (shift = 0; shift < bits; shift += 16) {
		size_t cnt[65537];
		size_t i;

		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[((a[i] >> shift) & 0xFFFF) + 1]++;
		for (i = 0; i < 65536; i++)
			cnt[i + 1] += cnt[i];
		for (i = 0; i < n; i++)
			tmp[cnt[(a[i] >> shift) & 0xFFFF]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
}

uint16_t er_block_keys_of_field(int f)
{
	/* the keys whose blocks force agreement on field f */
	switch (f) {
	case EF_GIVEN: return 1u << 1 | 1u << 5 | 1u << 7 | 1u << 9 | 1u << 11;
	case EF_SUR: return 1u << 0 | 1u << 1 | 1u << 7 | 1u << 10;
	case EF_DOB: return 1u << 0 | 1u << 5 | 1u << 8 | 1u << 9;
	case EF_SEX: return 1u << 9;
	case EF_PHONE: return 1u << 2;
	case EF_EMAIL: return 1u << 3;
	case EF_STNO: case EF_STREET: return 1u << 4;
	case EF_POSTCODE: return 1u << 4 | 1u << 8 | 1u << 10;
	case EF_IDNUM: return 1u << 6;
	}
	return 0;
}

/* Pairs of the block kv[s, e) (two records or more) found by key k; a block
 * over the cap is skipped with a warning.  -1 out of memory. */
static int block_pairs(const struct er_data *d, const struct er_block_opts *o, const struct kv *kv, size_t s,
		       size_t e, int k, struct vec *pairs, struct er_block_report rep[ER_NKEYS], struct er_warnings *warn)
{
	const struct er_rec *r = d->recs.data;
	size_t x, y, sz = e - s;

	rep[k].blocks++;
	if (sz > rep[k].largest)
		rep[k].largest = sz;
	if (sz > o->cap) {
		rep[k].capped++;
		warn->capped_blocks++;
		warn->capped_records += sz;
		if (!warn->first_capped[0])
			snprintf(warn->first_capped, sizeof warn->first_capped,
				 "%zu records share one '%s' key (record %lld among them)", sz, key_names[k],
				 (long long)r[kv[s].idx].id);
		return 0;
	}
	for (x = s; x < e; x++)
		for (y = x + 1; y < e; y++) {
			uint32_t a = kv[x].idx, b = kv[y].idx;
			uint64_t p;

			if (a > b) {
				uint32_t t = a;

				a = b;
				b = t;
			}
			if (o->link_a && r[a].source_id == r[b].source_id)
				continue;
			if (o->only_new && !r[a].is_new && !r[b].is_new)
				continue;
			/* the either-order key is for swaps: two records with
			 * the names in the same order are the other keys' work */
			if (k == 7 && r[a].ph_given1 == r[b].ph_given1 && r[a].ph_given1 != r[a].ph_sur1)
				continue;
			if (k == 11 && !r[a].mp_sur2 == !r[b].mp_sur2)
				continue;   /* both or neither with two surnames: key 1's pairs */
			/* a (26 bits) | b (26 bits) | the key that found it (ER_NKEYS bits) */
			p = (uint64_t)a << (26 + ER_NKEYS) | (uint64_t)b << ER_NKEYS | (uint64_t)1 << k;
			if (vec_push(pairs, &p))
				return -1;
			rep[k].pairs++;
		}
	return 0;
}

int er_block(const struct er_data *d, const struct er_block_opts *o, struct vec *pairs, struct vec *masks,
	     struct er_block_report rep[ER_NKEYS], struct er_warnings *warn)
{
	const struct er_rec *r = d->recs.data;
	size_t n = d->recs.len, i;
	struct kv *kv = mem_alloc((n ? n : 1) * sizeof *kv), *tmp = mem_alloc((n ? n : 1) * sizeof *tmp);
	int k, bits = 0;
	uint64_t *pp, *ptmp;

	if (!kv || !tmp) {
		mem_free(kv);
		mem_free(tmp);
		return -1;
	}
	memset(rep, 0, sizeof(struct er_block_report) * ER_NKEYS);
	if (n >= ((size_t)1 << 26)) {
		mem_free(kv);
		mem_free(tmp);
		return -2;
	}
	while (((uint64_t)1 << bits) < (uint64_t)n + 1)
		bits++;
	for (k = 0; k < ER_NKEYS; k++) {
		size_t m = 0, s, e;

		for (i = 0; i < n; i++) {
			uint64_t key = key_of(d, &r[i], k);

			if (!key)
				continue;
			if (o->link_a && r[i].source_id != o->link_a && r[i].source_id != o->link_b)
				continue;
			kv[m].key = key;
			kv[m].idx = (uint32_t)i;
			kv[m].sub = 0;
			m++;
		}
		radix_kv(kv, tmp, m);
		for (s = 0; s < m; s = e) {
			size_t sz;

			for (e = s + 1; e < m && kv[e].key == kv[s].key; e++)
				;
			sz = e - s;
			if (sz < 2)
				continue;
			if (o->split && sz > o->split && has_split(k)) {
				/* too large to pair whole: pair inside its parts */
				size_t x, ps, pe;

				rep[k].split++;
				for (x = s; x < e; x++)
					kv[x].sub = split_of(&r[kv[x].idx], k);
				qsort(kv + s, sz, sizeof *kv, kv_sub_cmp);
				for (ps = s; ps < e; ps = pe) {
					for (pe = ps + 1; pe < e && kv[pe].sub == kv[ps].sub; pe++)
						;
					if (pe - ps >= 2 && block_pairs(d, o, kv, ps, pe, k, pairs, rep, warn)) {
						mem_free(kv);
						mem_free(tmp);
						return -1;
					}
				}
				continue;
			}
			if (block_pairs(d, o, kv, s, e, k, pairs, rep, warn)) {
				mem_free(kv);
				mem_free(tmp);
				return -1;
			}
		}
	}
	mem_free(kv);
	mem_free(tmp);
	/* sort and make unique */
	if (!pairs->len)
		return 0;
	ptmp = mem_alloc(pairs->len * sizeof *ptmp);
	if (!ptmp)
		return -1;
	pp = pairs->data;
	er_radix_u64(pp, ptmp, pairs->len, 64);
	mem_free(ptmp);
	{
		/* one entry per pair, the keys that found it OR-ed together */
		size_t w = 1;
		uint16_t *mk;

		for (i = 1; i < pairs->len; i++) {
			if (pp[i] >> ER_NKEYS == pp[w - 1] >> ER_NKEYS)
				pp[w - 1] |= pp[i] & ER_KEYMASK;
			else
				pp[w++] = pp[i];
		}
		pairs->len = w;
		if (vec_reserve(masks, w))
			return -1;
		mk = masks->data;
		for (i = 0; i < w; i++) {
			mk[i] = (uint16_t)(pp[i] & ER_KEYMASK);
			pp[i] = (pp[i] >> (26 + ER_NKEYS)) << 32 | ((pp[i] >> ER_NKEYS) & 0x3FFFFFF);
		}
		masks->len = w;
	}
	return 0;
}
