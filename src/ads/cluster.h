/*
 * cluster: template clustering of ads, in two steps after InfoShield
 * (Lee et al., ICDE 2021 / TKDD 2023; domain reference ads.md §2).
 *
 * Coarse: MinHash signatures (computed per ad by analyze.c over word
 * shingles, identifiers already replaced by placeholders) are banded for
 * locality-sensitive hashing; ads that share a band bucket and whose
 * signatures agree on at least `min_jaccard` of their values are joined
 * (union-find).  This replaces InfoShield's tf-idf phrase graph: it finds
 * the same near-duplicates in time linear in the number of ads.
 *
 * Fine: inside each coarse group, a template is proposed from a seed ad
 * (the one closest to the group's most common MinHash values): every other
 * ad is aligned to the seed word by word (Myers' O(ND) difference
 * algorithm); seed words matched by at least k ads form the template, and a
 * gap between template words becomes a slot when declaring it shortens the
 * description.  A template is kept only if it shortens the total
 * description length of its ads (minimum description length, with
 * InfoShield's costs: a word costs max(ceil(log2 V), 8) bits, an integer
 * log*(x) = 2 ceil(log2 x) + 1 bits); k is chosen among a few support
 * levels to minimise the total.  Ads the template does not shorten are
 * tried again with the next seed.
 *
 * The results depend only on the input arrays (not on the number of
 * threads): groups are processed independently and merged in order.
 */
#ifndef RASTRO_ADS_CLUSTER_H
#define RASTRO_ADS_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "ads/analyze.h"
#include "core/err.h"
#include "core/vec.h"

struct ads_ccfg {
	int bands, rows;           /* bands * rows <= ADS_K */
	double min_jaccard;        /* coarse: share of equal MinHash values to join */
	double max_diff;           /* fine: alignments needing more edits than this share of words are not kept */
	double split_ratio;        /* fine: docs costing more than this share of their raw length seed new templates (0 = never) */
	size_t bucket_max;         /* fine: a band bucket of more ads is a generic phrase, not looked into */
	uint32_t merge_max;        /* fine: templates of a group each template is tried to merge into (0 = no merging) */
	size_t help_min;           /* fine: groups of at least this many ads get a helper thread (speed only) */
	int threads;
};

/* The ads to cluster, as flat arrays. */
struct ads_corpus {
	size_t n;
	const uint32_t *sig;       /* n * ADS_K values */
	const uint8_t *has_sig;    /* 0: no words, never joined by text */
	const uint16_t *tok;       /* word ids (hashes folded to 16 bits), all ads concatenated */
	const uint64_t *tok_off;   /* n + 1 offsets into tok */
	unsigned word_bits;        /* bits per word: max(ceil(log2 V), 8) */
};

struct ads_tmpl {
	uint32_t seed;             /* the ad whose words it keeps */
	uint32_t nads;
	uint32_t npos;             /* template words */
	uint32_t nslots;
	uint64_t pos_off;          /* into positions: the seed's word indices kept, ascending */
	uint64_t slot_off;         /* into slots: gaps (0..npos) that are slots, ascending */
	double bits_raw;           /* its ads written out */
	double bits_tmpl;          /* template plus its ads encoded with it */
};

struct ads_templates {
	struct vec t;              /* struct ads_tmpl */
	struct vec pos;            /* uint32_t */
	struct vec slots;          /* uint32_t */
	uint32_t *of;              /* per ad: template index, or UINT32_MAX */
};

/* Coarse groups: group[i] is the smallest ad index of i's group. */
int ads_coarse(const struct ads_corpus *c, const struct ads_ccfg *cfg, uint32_t *group, struct rs_err *err);

/* Templates inside the coarse groups. */
int ads_fine(const struct ads_corpus *c, const uint32_t *group, const struct ads_ccfg *cfg,
	     struct ads_templates *out, struct rs_err *err);
void ads_templates_release(struct ads_templates *t);

/* Bits of an integer in InfoShield's universal code. */
double ads_logstar(double x);

#endif
