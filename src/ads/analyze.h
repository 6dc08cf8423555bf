/*
 * analyze: everything `rastro ads` learns from one ad on its own, in one
 * pass over its text — identifiers (extract.h), indicator and city matches
 * (one Vectorscan scan of the lexicons and the city gazetteer), the ad's
 * indicator score, its language, and the words and MinHash signature that
 * template clustering uses, computed after the identifiers are taken out
 * (each becomes a placeholder word such as <phone>, since clustering would
 * lose digits and emoji otherwise and names, cities and numbers are what
 * differ between the ads of one template).
 *
 * The model (lexicons, gazetteer, weights, settings) is read once and shared
 * read-only; each thread has its own analyzer.
 */
#ifndef RASTRO_ADS_ANALYZE_H
#define RASTRO_ADS_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "ads/extract.h"
#include "core/config.h"
#include "core/err.h"
#include "core/strmap.h"
#include "text/lexicon.h"

#define ADS_K 64               /* MinHash values per ad */

struct ads_city {
	char *name;                /* "El Paso" */
	char region[8];            /* "TX" */
	char country[3];           /* "US" */
};

/* Indicators that come from extraction rather than from a lexicon. */
enum { ADS_D_OBSCURED, ADS_D_MINOR, ADS_D_UNDER23, ADS_D_N };
extern const char *const ads_derived_codes[ADS_D_N];
extern const char *const ads_derived_sources[ADS_D_N];

struct ads_model {
	struct lexicon *lx;        /* indicator lexicons and city names: one database */
	struct ads_city *cities;
	size_t ncities;
	int32_t *code_city;        /* per lexicon code: city index, or -1 for an indicator */
	double *weight;            /* per lexicon code: effective weight (file, then settings) */
	double derived_weight[ADS_D_N];
	char region[8];            /* default phone region */
	size_t max_tokens;         /* words per ad kept for clustering */
	int shingle;               /* words per shingle */
	size_t max_phones;
	long long miss_cost;       /* ads.misspelling_cost */
	long long phone_cache;     /* ads.phone_cache: slots per thread */
	struct ads_pshared *pshared; /* phone answers shared by the analyzers (4 x phone_cache slots; may be NULL) */
	struct strmap names;       /* folded given names (data/ads/given_names.txt) */
};

/* Reads the lexicons and the gazetteer named by the settings (paths
 * relative to the data directory) and the weights. */
int ads_model_init(struct ads_model *m, const struct cfg *cfg, const char *datadir, struct rs_err *err);
void ads_model_release(struct ads_model *m);

/* One ad as the stage reads it (borrowed strings). */
struct ads_input {
	const char *title, *body, *url, *site, *country;
	size_t ntitle, nbody, nurl, nsite, ncountry;
};

/* One indicator that fired in an ad: its first occurrence. */
struct ads_hit {
	int32_t code;              /* lexicon code, or -1 - ADS_D_* for a derived one */
	uint32_t entry;            /* lexicon entry of the first match */
	uint32_t start, end;       /* raw span in the analysed text (0, 0 for derived) */
};

enum { ADS_F_TITLE, ADS_F_BODY, ADS_F_URL };

/* What one ad yields; points into the analyzer, valid until its next call. */
struct ads_analysis {
	const char *text;          /* title \x1e body \x1e url */
	size_t ntext;
	size_t field_start[3], field_end[3];
	const struct ads_ident *ids;
	size_t nids;
	const struct ads_hit *hits;
	size_t nhits;
	const uint64_t *tok;       /* word hashes, at most max_tokens */
	size_t ntok;
	uint32_t sig[ADS_K];
	int has_sig;               /* 0 when the ad has no words */
	double score;              /* sum of the weights of its distinct indicators */
	const char *lang;          /* "en", "es" or NULL */
};

struct ads_analyzer;

struct ads_analyzer *ads_analyzer_new(const struct ads_model *m, struct rs_err *err);
void ads_analyzer_free(struct ads_analyzer *a);

/* Analyses one ad; `region` is its phone region.  0, or -1 when memory ran out. */
int ads_analyze(struct ads_analyzer *a, const struct ads_input *in, const char *region, struct ads_analysis *out);

/* A phone as written in a structured field (ads_phone_parse through this
 * analyzer's phone cache): 0 and its E.164 form in e164, or -1 (e164 ""). */
int ads_analyzer_phone(struct ads_analyzer *a, const char *s, size_t n, const char *region, char e164[24]);

/* The words of the last analysed ad, in order (placeholders as "<phone>"...). */
size_t ads_analyzer_nwords(const struct ads_analyzer *a);
const char *ads_analyzer_word(const struct ads_analyzer *a, size_t i, size_t *len);

/* Field of a raw span of the analysed text and the span within that field. */
int ads_field_of(const struct ads_analysis *an, uint32_t start, uint32_t end, uint32_t *fs, uint32_t *fe);
extern const char *const ads_field_names[3];

/* The word hash used for tokens (exposed for tests). */
uint64_t ads_word_hash(const char *w, size_t n);

#endif
