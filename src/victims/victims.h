/*
 * victims: potential-victim identification and referral to services
 * (module prefix vic_).
 *
 * Place in the flow: after ingest, resolution and the detectors, the victims
 * stage reads encounter screening answers, KYC and transactions, and other
 * modules' signals, and turns them into indicators (VIC.* codes) on
 * entities.  Entities whose indicator weights add up past a threshold are
 * written to the core table `victim_flag`, which every suspect output
 * (alerts, SAR drafts, risk scores, network rankings, exports) leaves out.
 * The referral stage then ranks service providers for each potential victim.
 *
 * Internal header of the module; the public calls are in rastro.h.
 *
 *   vic_vocab.c      controlled vocabularies (services, populations,
 *                    languages, yes/no answers) shared by readers and matcher
 *   vic_schema.c     the module's tables (encounter, provider, referral...)
 *   fmt_encounter.c  the `encounter` format
 *   fmt_providers.c  the `providers` format
 *   vic_indicators.c indicator rules and victim_flag
 *   vic_access.c     the role hook: who sees names and who sees counts
 *   vic_list.c       the potential-victim list and its counts
 *   vic_match.c      provider ranking (spatial grid, scoring), no SQL
 *   vic_refer.c      referrals: proposals, statuses, listing
 */
#ifndef RASTRO_VICTIMS_H
#define RASTRO_VICTIMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "store/schema.h"
#include "store/ws.h"

/* ---- vocabularies ---- */

/* Services a provider offers (bit i = vic_services[i]). */
enum vic_service {
	SVC_SHELTER, SVC_SAFE_HOUSE, SVC_MENTAL_HEALTH, SVC_MEDICAL, SVC_LEGAL, SVC_T_VISA,
	SVC_U_VISA, SVC_EMPLOYMENT, SVC_EDUCATION, SVC_LANGUAGE_ACCESS, SVC_CASE_MANAGEMENT,
	SVC_SUBSTANCE_USE, SVC_CHILDCARE, SVC_N
};

/* Populations a provider serves (bit i = vic_populations[i]). */
enum vic_population {
	POP_ADULTS, POP_MINORS, POP_MEN, POP_WOMEN, POP_LGBTQ, POP_LABOR, POP_SEX_TRAFFICKING,
	POP_SMUGGLED_MIGRANTS, POP_FAMILIES, POP_N
};

extern const char *const vic_services[SVC_N];
extern const char *const vic_populations[POP_N];

/*
 * Parses one service or population name as written in a directory ("Safe
 * House", "t-visa", "LGBTQ+", "labour"): case and separators are folded and
 * a few common spellings accepted.  Returns the index, or -1 when unknown.
 */
int vic_service_parse(const char *s, size_t n);
int vic_population_parse(const char *s, size_t n);

/*
 * Parses a ';'-separated list of services or populations into a bit mask.
 * Returns 0, or -1 with the first unknown item copied into `bad`.
 */
int vic_services_mask(const char *s, size_t n, uint32_t *mask, char *bad, size_t badn);
int vic_populations_mask(const char *s, size_t n, uint32_t *mask, char *bad, size_t badn);

/* Writes the names of the bits of mask, ';'-separated, into out. */
void vic_mask_names(uint32_t mask, const char *const *names, size_t nnames, char *out, size_t outn);

/*
 * Normalises one language as written ("es", "Spanish", "español", "K'iche'")
 * into `out`: an ISO 639-1 code when one is known, else the folded name
 * ("k'iche'", "mam").  Returns 0, or -1 when the value is empty or too long.
 */
int vic_language_norm(const char *s, size_t n, char *out, size_t outn);

/* A screening answer: 1 yes, 0 no, -1 empty (not asked), -2 not an answer. */
int vic_answer(const char *s, size_t n);

/* ---- indicators ---- */

enum vic_code {
	VIC_DOCS_HELD, VIC_DEBT, VIC_NOT_FREE, VIC_THREATS, VIC_NO_ADDRESS,
	VIC_THIRD_PARTY_SPEAKS, VIC_MINOR, VIC_SMUGGLING_DEBT, VIC_WORKS_FOR_HOUSING,
	VIC_WAGES_SWEPT, VIC_EARNINGS_SWEPT, VIC_SHARED_CONTROLLER_ID, VIC_COSTS_PAID_BY_OTHER,
	VIC_AD_MULTICITY, VIC_AD_YOUTH, VIC_AD_THIRD_PERSON, VIC_AGENCY_VICTIM, VIC_PAY_TO_OTHER,
	VIC_CODE_N
};

struct vic_indicator {
	const char *code;        /* "VIC.DOCS_HELD" */
	const char *key;         /* settings key under victims.weight ("docs_held") */
	double weight;           /* built-in default weight */
	const char *source;      /* encounter, finance, ads, records */
	const char *needs;       /* default services it calls for, ';'-separated */
	const char *population;  /* population it implies, or "" */
};

extern const struct vic_indicator vic_indicators[VIC_CODE_N];

/* Index of a "VIC.X" code, or -1. */
int vic_code_find(const char *code);
/* Weight of an indicator from the settings (victims.weight.KEY). */
double vic_weight(const struct cfg *cfg, int code);

/* ---- encounter notes (vic_notes.c) ---- */

/*
 * Officers' free-text notes read with the notes lexicon (victims.notes.*,
 * data/lexicons/vic_notes.tsv): each VIC code a note shows, not negated
 * ("denies threats", "no tiene deuda"), with the raw byte span of its first
 * match and the lexicon line that matched.
 */
struct vic_notes;

struct vic_note_result {
	uint32_t found;             /* bit c: VIC code c shown by the note */
	uint32_t negated;           /* bit c: code c only found negated */
	struct {
		size_t start, end;  /* raw byte span of the first match */
		const char *file;   /* lexicon file of its pattern (owned by the lexicon) */
		uint32_t line;      /* and its line */
	} at[VIC_CODE_N];
};

/* *out NULL (and 0 returned) when victims.notes.enabled is false. */
int vic_notes_open(const struct cfg *cfg, struct vic_notes **out, struct rs_err *err);
void vic_notes_free(struct vic_notes *n);
/* 0, or RASTRO_NOMEM / a scan error.  Not thread-safe (one per thread). */
int vic_notes_scan(struct vic_notes *n, const char *text, size_t len, struct vic_note_result *r);

/* ---- schema and formats ---- */

extern const struct schema_component vic_component;

/* ---- access (the role hook) ---- */

/*
 * What a role may see of victim data.  VIC_VIEW_FULL: names, contact details,
 * reasons with their records, referrals.  VIC_VIEW_COUNTS: aggregate counts
 * only (VAWA 34 U.S.C. 12291(b)(2); aggregate reporting as in NNEDV's
 * guidance).  This is the one function access control replaces: today the
 * role is whatever the caller says (--role or victims.role); with access
 * control it will be the authenticated user's role.
 */
enum vic_view { VIC_VIEW_COUNTS = 0, VIC_VIEW_FULL = 1 };

/* role NULL = the settings' victims.role.  *effective gets the role used. */
enum vic_view vic_view_for(rastro_ws *ws, const char *role, const char **effective);

/* ---- matching (no SQL; used by vic_refer.c and the benchmark) ---- */

#define VIC_LANGS_MAX 8
#define VIC_TOP_MAX 10

struct vic_provider {
	double lat, lon;          /* degrees */
	uint32_t services;        /* enum vic_service bits */
	uint32_t populations;     /* enum vic_population bits */
	uint32_t lang[VIC_LANGS_MAX]; /* language ids (vic_lang_id), 0-terminated */
	int32_t available;        /* open slots now, -1 unknown */
	int32_t capacity;         /* -1 unknown */
};

struct vic_client {
	double lat, lon;          /* NAN when unknown */
	int place_only;           /* lat/lon is the centre of the victim's city */
	uint32_t needs;           /* services needed */
	uint32_t prefer;          /* populations preferred (soft) */
	int minor;                /* hard: provider must serve minors */
	char sex;                 /* 'F', 'M', 'X' or 0 */
	uint32_t lang;            /* language id, 0 unknown */
	const uint32_t *exclude;  /* providers not to propose (declined before) */
	size_t nexclude;
};

/* Weights and limits of the ranking (victims.refer.*). */
struct vic_match_cfg {
	double w_needs, w_distance, w_language, w_language_access, w_population, w_capacity,
	       w_full;
	double radius_km;         /* distance part falls to 0 here; search radius */
	double max_radius_km;     /* widest search when too few are in reach */
	double capacity_scale;    /* open slots that earn the whole capacity part */
	int top;                  /* providers proposed per client */
	int use_grid;             /* 0 = scan every provider (the reference) */
	int complementary;        /* after the first, prefer providers that cover
				   * the needs the ones before did not */
};

void vic_match_cfg_load(struct vic_match_cfg *mc, const struct cfg *cfg);

/* One ranked provider with the named parts of its score. */
struct vic_rank {
	uint32_t provider;        /* index into the provider array */
	double score;
	double km;                /* NAN when the client's place is unknown */
	double p_needs, p_distance, p_language, p_population, p_capacity;
	uint32_t wanted;          /* the needs this rank was scored on (all of them,
				   * or those earlier ranks left open) */
	uint32_t covered;         /* of those, the services the provider offers */
	int open;                 /* open slots when ranked (-1 unknown) */
	int lang_match;           /* 2 speaks it, 1 language access, 0 neither/unknown */
	int widened;              /* 1 when found beyond radius_km */
};

struct vic_matcher;

/*
 * Builds a matcher over n providers (borrowed; must outlive the matcher)
 * with a spatial grid whose cells are radius_km wide.  NULL when memory ran
 * out.  `open` counts are copied so that vic_match_take can use them up.
 */
struct vic_matcher *vic_matcher_new(const struct vic_provider *p, size_t n,
				    const struct vic_match_cfg *mc);
void vic_matcher_free(struct vic_matcher *m);

/*
 * Ranks providers for one client: fills out[0..k) best first and returns k
 * (<= mc->top).  Providers that cannot serve the client (minor/adult or sex
 * restriction, none of the needed services) are left out.  Ties break by
 * distance then provider index, so results are deterministic.  With
 * mc->complementary, rank 2 onwards scores the needs part on the needs
 * earlier ranks left open, so the list together covers more of them.  Not
 * thread-safe: a matcher keeps scratch space.
 */
int vic_match(struct vic_matcher *m, const struct vic_client *c, struct vic_rank *out);

/* Uses one open slot of provider i (a proposal made in this run). */
void vic_match_take(struct vic_matcher *m, uint32_t i);

/* Great-circle distance in km (haversine, mean Earth radius 6371.0088 km). */
double vic_km(double lat1, double lon1, double lat2, double lon2);

/* Interned ids for languages and places, shared by the matcher's inputs. */
struct strmap;
uint32_t vic_intern(struct strmap *m, const char *s, size_t n);

#endif
