/*
 * gen_int: private structures of the synthetic world generator.
 *
 * The generator builds a world in memory that is small next to its output
 * (people, businesses, accounts, planted networks, agency records, ads),
 * then streams the transactions day by day: each day's events are drawn
 * from per-entity random streams (rng_seed2(seed, entity, day)), sorted by
 * time and written, so memory does not grow with the number of
 * transactions and the bytes do not depend on thread count.
 *
 * Files: gen.c (settings, run, public API), gen_data.c (data tables),
 * gen_world.c (population, businesses, accounts), gen_net.c (planted
 * networks and look-alikes), gen_txn.c (daily simulation and the
 * transaction file), gen_records.c (agency records, encounters,
 * providers), gen_ads.c (ads), gen_truth.c (truth.json), gen_ibm.c (IBM
 * AMLworld-style files), gen_out.c (buffered writers).
 */
#ifndef RASTRO_GEN_INT_H
#define RASTRO_GEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "core/rng.h"
#include "core/sbuf.h"
#include "core/vec.h"
#include "rastro.h"

/* ---- small helpers ------------------------------------------------------ */

#define GEN_NONE UINT32_MAX   /* "no index" */

/* Random streams: each phase of the build draws from its own stream, each
 * (entity, day) of the simulation from its own, so that changing one part
 * of the world never shifts the random numbers of another. */
enum gen_stream {
	GS_PEOPLE = 1, GS_BIZ, GS_ACCT, GS_NET, GS_LOOK, GS_REC, GS_ENC, GS_ADS, GS_PROV,
	GS_IBM, GS_DAY_PERSON = 0x100, GS_DAY_BIZ = 0x200, GS_DAY_IBM = 0x300
};
uint64_t gen_stream_id(uint32_t kind, uint64_t entity, uint32_t day);

/* ---- data tables -------------------------------------------------------- */

/* A weighted list of strings (names, streets, merchants). */
struct gen_list {
	const char **s;
	double *cum;       /* cumulative weights, cum[n-1] = total */
	char *sex;         /* 'M'/'F' per entry, or NULL */
	size_t n;
};
const char *gen_pick(const struct gen_list *l, struct rng *r);
size_t gen_pick_i(const struct gen_list *l, struct rng *r);

enum gen_country { C_US, C_MX, C_GT, C_HN, C_SV, C_N };
extern const char *const gen_country_code[C_N];   /* "US", "MX"... */
extern const char *const gen_currency[C_N];       /* "USD", "MXN", "GTQ", "HNL", "USD" */

struct gen_place {
	const char *city, *region;
	uint8_t country;       /* enum gen_country */
	uint8_t border;
	uint8_t nphone;
	uint8_t phone_len;     /* digits of the national number: 10 (US, MX), 8 (GT, HN, SV) */
	double lat, lon, pop, hisp;
	char phone[4][5];      /* area codes or leading digits */
	uint32_t zip_lo, zip_hi;
	uint8_t zip_width;     /* printed width (leading zeros) */
};

/* Spending categories of the background population. */
struct gen_spend {
	const char *category;
	uint8_t channel;
	double per_month, median, sigma;
	int hour_lo, hour_hi;
	const char **names;    /* merchant names */
	uint32_t merchant0;    /* index of the first of them in g->merchants */
	uint32_t nmerchant;
};

/* Named payee groups (merchants.tsv): phone bills, lodging, ad sites... */
struct gen_payee {
	const char *category;
	uint8_t channel;
	double median, sigma;
	const char **names;
	uint32_t merchant0, nmerchant;
};

enum gen_bizkind {
	BK_RESTAURANT, BK_GROCERY, BK_MASSAGE, BK_NAILS, BK_FARM, BK_CONSTRUCTION, BK_STAFFING,
	BK_HOTEL, BK_MSB, BK_PROPERTY, BK_CLEANING, BK_TRUCKING, BK_AUTO, BK_N
};
struct gen_bizdef {
	const char *kind;      /* "restaurant" (the business_type value) */
	double per_1000;
	int staff_lo, staff_hi;
	double wage, cash_share;
	const char *naics;
	const char **patterns;
	size_t npatterns;
};

struct gen_bank {
	const char *code, *name;
	uint8_t country;
	double share;
};

/* Ad sentence bank (ad_templates.tsv). */
struct gen_adline {
	const char *kind, *lang, *cls, *part, *text;
};

struct gen_provdef {
	const char *kind, *services, *populations, *pattern;
};

struct gen_nick {
	const char *name, *nick;
};

struct gen_data {
	struct gen_list given[3][2];   /* [us, mx, ca][male, female] */
	struct gen_list sur[C_N];      /* us, mx, gt, hn, sv */
	struct gen_place *places;
	size_t nplaces;
	uint8_t *phone_ok;             /* per place and prefix: valid draws in a row (16 = trusted) */
	struct gen_list place_pick[C_N]; /* places of a country weighted by population (s = index as string) */
	uint32_t *country_places[C_N];
	size_t ncountry_places[C_N];
	struct gen_list us_home;       /* U.S. places weighted for residence */
	struct gen_list streets[3];    /* US, MX, CA styles */
	struct gen_bank *banks;
	size_t nbanks;
	struct gen_list bank_pick[C_N];
	struct gen_spend *spend;
	size_t nspend;
	double spend_total;            /* sum of per_month */
	struct gen_payee *payees;
	size_t npayees;
	struct gen_bizdef biz[BK_N];
	struct gen_list words;
	struct vec memos[16];          /* const char * per memo kind */
	struct gen_adline *adlines;
	size_t nadlines;
	struct gen_provdef *provs;
	size_t nprovs;
	struct gen_nick *nicks;        /* hypocorisms of given names (data/nicknames.tsv) */
	size_t nnicks;
	struct gen_list aliases[2];    /* descriptive aliases by sex (data/gen/aliases.tsv) */
	struct gen_list alias, eth, dest;  /* ad slots */
};

enum gen_memo { M_P2P, M_RENT, M_FAMILY, M_SMUGGLING, M_BUYER, M_SWEEP, M_FEE, M_LAYER, M_N };

/* ---- the world ---------------------------------------------------------- */

enum gen_origin { OR_US, OR_USH, OR_MX, OR_GT, OR_HN, OR_SV, OR_N };

/* Person profile bits: behaviours of the background population and of
 * network members.  The look-alike bits are behaviours that resemble a
 * published red flag while being lawful. */
enum {
	P_UNBANKED = 1u << 0,
	P_ABROAD = 1u << 1,        /* lives outside the U.S. (relative, sender) */
	P_REMIT = 1u << 2,         /* sends money to a relative abroad */
	P_PAYS_OTHER = 1u << 3,    /* pays a relative's rent and phone (look-alike of T6) */
	P_FAMILY_PHONES = 1u << 4, /* one bill for many lines (look-alike of T6) */
	P_TRAVELLER = 1u << 5,     /* travels for work: lodging, fuel, many cities (T5) */
	P_NIGHT = 1u << 6,         /* night-shift worker: late rideshare, late meals */
	P_ISW = 1u << 7,           /* independent adult escort: ad sites, hotels, P2P income */
	P_CASH_TIPS = 1u << 8,     /* deposits cash tips */
	P_BORDER = 1u << 9,        /* crosses the border often: cash, spending on both sides */
	P_STUDENT = 1u << 10,
	P_NETWORK = 1u << 11,      /* member of a planted network */
	P_VICTIM = 1u << 12,
	P_NO_PAYROLL = 1u << 13,   /* no ordinary job (victims, some members) */
	P_LOOKALIKE = 1u << 14,    /* given a look-alike behaviour on purpose */
	P_MIGRANT = 1u << 15,      /* arrived recently (phone may still be foreign) */
	P_MINOR = 1u << 16,
	P_POOL = 1u << 17,         /* one of several relatives who all send to one person (fan-in look-alike) */
	P_SMUGGLED = 1u << 18      /* moved across the border by a planted smuggling network */
};

struct gen_person {
	const char *given, *given2, *sur1, *sur2;  /* sur2 = maternal surname or NULL */
	const char *nick;
	char phone[16];            /* E.164, "" when none */
	int32_t dob;               /* days since 1970-01-01 */
	uint32_t flags;
	uint32_t employer;         /* business index or GEN_NONE */
	uint32_t payer;            /* account paying the wages, GEN_NONE = no wages */
	uint32_t acct;             /* first account index or GEN_NONE */
	uint32_t acct2;            /* second account or GEN_NONE */
	uint32_t dep;              /* dependant whose rent and phone this person pays, or GEN_NONE */
	int32_t mark_day;          /* day of a network event about this person (a crossing), -1 = none */
	uint32_t rel;              /* relative (abroad, or the one paid for) or GEN_NONE */
	uint32_t landlord;         /* account receiving the rent, GEN_NONE = owns/none */
	uint32_t net;              /* network index or GEN_NONE */
	uint32_t ctrl;             /* for victims: the controller (person) */
	float wage, rent, activity;
	uint16_t place, street, house, unit;
	uint16_t trip[3];          /* places a traveller goes to */
	uint16_t email_num;
	uint8_t origin, sex, nacct, role;
	uint8_t email_dom, email_style;  /* style 0 = no email */
	uint8_t paygroup;          /* which Friday payroll falls on */
	uint8_t nick_is_alias;     /* nick is a descriptive alias, not a form of the given name */
};

enum { B_FRONT = 1u << 0, B_LOOKALIKE = 1u << 1, B_CASH_HEAVY = 1u << 2, B_NETWORK = 1u << 3,
       B_BRANCHES = 1u << 4 /* outlets in other cities deposit cash into the one account */ };

struct gen_biz {
	const char *name;
	char phone[16];
	uint32_t owner;            /* person index */
	uint32_t acct;
	uint32_t flags;
	uint32_t net;              /* network index or GEN_NONE */
	uint32_t client;           /* staffing agency: business it supplies; GEN_NONE */
	float wage, cash_share, revenue;   /* revenue: typical daily takings in USD */
	uint16_t place, street, house, nstaff;
	uint16_t branch[2];        /* B_BRANCHES: the other outlets' places */
	uint8_t kind;              /* enum gen_bizkind */
	uint8_t role;              /* role in its network */
};

enum gen_holder { H_PERSON, H_BIZ, H_MERCHANT };
enum { A_KYC_CTRL = 1u << 0, A_DORMANT = 1u << 1, A_SHELL = 1u << 2 };

struct gen_account {
	char num[16];              /* account number as written */
	const char *name;          /* holder name as the bank writes it */
	uint32_t holder;           /* person, business or merchant index */
	uint32_t flags;
	uint32_t ctrl;             /* A_KYC_CTRL: person whose phone/address the KYC row carries */
	int32_t opened;            /* days since epoch */
	uint16_t place;
	uint8_t hkind, bank;
	uint8_t role;              /* role in a network, 0 = none */
	uint32_t net;              /* network index or GEN_NONE */
};

struct gen_merchant {
	const char *name;
	const char *category;
	uint32_t acct;
};

enum gen_channel { CH_CASH, CH_WIRE, CH_ACH, CH_CARD, CH_P2P, CH_CHECK, CH_CRYPTO, CH_PREPAID, CH_N };
extern const char *const gen_channel_name[CH_N];

/* One transaction of the simulation, before formatting. */
struct gen_ev {
	int64_t ts;                /* local time, seconds since epoch */
	int64_t cents;             /* in the transaction's currency */
	uint32_t from, to;         /* account index or GEN_NONE (cash) */
	uint32_t owner;            /* entity that drew it (tie-break for sorting) */
	uint32_t seq;              /* draw order within the owner (tie-break) */
	uint32_t net;              /* network index or GEN_NONE */
	uint32_t memo_arg;         /* person named in the memo, or a number */
	uint32_t to_name;          /* person named as payee instead of the holder, or GEN_NONE */
	const char *category;      /* static or data string, NULL = none */
	uint16_t place;
	uint16_t memo;             /* index + 1 into the memo kind, 0 = none */
	uint8_t channel, memo_kind, currency;
	uint8_t pad;
};

/* ---- networks ----------------------------------------------------------- */

enum gen_netkind { NK_SMUGGLING, NK_SEX, NK_LABOR, NK_LAUNDER, NK_N };
enum gen_pattern { PT_FAN_IN, PT_FAN_OUT, PT_CYCLE, PT_SCATTER_GATHER, PT_GATHER_SCATTER,
		   PT_BIPARTITE, PT_STACK, PT_RANDOM, PT_N };
extern const char *const gen_pattern_name[PT_N];    /* "fan_in" */
extern const char *const gen_pattern_ibm[PT_N];     /* "FAN-IN" */

enum gen_role {
	R_NONE, R_ORGANISER, R_CONTROLLER, R_MONEY_MOVER, R_FUNNEL, R_RECRUITER, R_POSTER,
	R_TRANSPORTER, R_DRIVER, R_STASH_HOUSE, R_FACILITATOR, R_BUYER, R_CUSTOMER, R_VICTIM,
	R_N
};
extern const char *const gen_role_name[R_N];

struct gen_member {
	uint32_t idx;              /* person or business index */
	uint8_t is_biz;
	uint8_t role;
};

struct gen_net {
	char id[16];               /* "N0003" */
	uint8_t kind, pattern;
	uint16_t hub;              /* main place */
	uint16_t places[4];        /* where it operates (circuit, border crossing) */
	uint8_t nplaces;
	uint8_t nphones;
	char phones[3][16];        /* work phones advertised in its ads */
	uint32_t poster;           /* person who posts its ads, GEN_NONE = none */
	struct vec members;        /* struct gen_member */
	struct vec txns;           /* uint64_t: day << 32 | index within the day */
	struct vec ads;            /* uint32_t ad indices */
	struct vec families;       /* uint32_t template family indices */
	const char *typology;      /* FinCEN document and red flags it follows */
};

/* ---- records, encounters, ads, providers -------------------------------- */

enum gen_agency { AG_HSI, AG_CBP, AG_TXDPS, AG_ELPASOPD, AG_N };
extern const char *const gen_agency_code[AG_N];

struct gen_rec {
	uint32_t person;
	uint32_t seq;              /* number within the agency */
	uint8_t agency;
	uint8_t status;            /* index into the status names */
	uint8_t dup;               /* 1 = a second record of the person in the same agency */
	uint8_t pad;
	uint32_t net;
};

struct gen_enc {
	uint32_t person;
	uint32_t rec;              /* record index or GEN_NONE */
	uint32_t net;
	int32_t day;
	uint16_t place;
	uint8_t agency, type;
	uint32_t answers;          /* bit pairs: asked, yes */
	int32_t debt;              /* USD, 0 = not stated */
	int8_t age_stated;         /* -1 = not stated */
	uint8_t victim;
};

enum gen_adkind { AK_ESCORT, AK_MASSAGE, AK_JOB, AK_TRAVEL, AK_N };

struct gen_family {
	uint8_t kind;              /* enum gen_adkind */
	uint8_t lang;              /* 0 en, 1 es */
	uint8_t illicit;
	uint8_t home_site;
	uint32_t net;              /* network or GEN_NONE */
	uint32_t poster;           /* person or GEN_NONE */
	uint32_t biz;              /* business or GEN_NONE */
	uint32_t line[8];          /* chosen sentence per part (adline index or GEN_NONE) */
	uint32_t nads;
	uint32_t seed;
	char phone[16];            /* the family's usual phone */
};

struct gen_ad {
	int64_t ts;                /* when posted */
	uint32_t family;
	uint32_t net;
	uint32_t person;           /* the person advertised (a victim), or GEN_NONE */
	uint32_t poster;           /* who posted, or GEN_NONE (anonymous benign poster) */
	uint32_t biz;              /* business advertised, or GEN_NONE */
	uint16_t place;
	char phone[16];            /* E.164 shown in the ad */
	uint8_t obf;               /* obfuscation style, 0 = plain */
	uint8_t structured;        /* phone also in the structured `phones` array */
	uint8_t site;
};

/* ---- settings and the generator ----------------------------------------- */

struct gen_knobs {
	uint64_t seed;
	double scale;
	double people_per_scale;
	int days;
	int64_t start_day;         /* days since epoch */
	const char *difficulty;
	double net_rate[NK_N];     /* networks per 10,000 people */
	int net_count[NK_N];       /* explicit counts (-1 = from the rate) */
	int net_min;
	double lookalike_share, name_noise, missing_share, obfuscation_share, kyc_link_share;
	double stealth, ad_variation, benign_ads_ratio, record_share, dup_share;
	double unbanked_share, remit_share, traveller_share, night_share, isw_share;
	double ctr_threshold;
	double fx[C_N];            /* local currency per USD */
	int labels;
	int threads;
	int ibm;                   /* write the IBM AMLworld-style files instead */
	double ibm_illicit_rate;   /* laundering share of IBM rows */
	double ibm_lone_share;     /* share of laundering rows outside patterns */
	double ibm_accounts_per_scale;
	double ibm_txn_per_account_day;
};

struct rastro_gen {
	struct cfg *base;          /* built-in defaults */
	struct cfg *user;          /* --config files and --set, override presets */
	struct rs_err err;
	rastro_progress_fn progress;
	void *progress_user;
	struct gen_knobs k;
	const char *outdir;

	struct arena arena;        /* data tables and the world's strings */
	struct gen_data d;

	struct vec persons;        /* struct gen_person */
	struct vec bizs;           /* struct gen_biz */
	struct vec accounts;       /* struct gen_account */
	struct vec merchants;      /* struct gen_merchant */
	struct vec nets;           /* struct gen_net */
	struct vec netev;          /* struct gen_ev, planned network transactions */
	struct vec recs;           /* struct gen_rec */
	struct vec encs;           /* struct gen_enc */
	struct vec families;       /* struct gen_family */
	struct vec ads;            /* struct gen_ad */
	uint32_t *place_people;    /* persons of each place, grouped */
	uint32_t *place_people_at; /* start offset per place, nplaces + 1 */
	uint32_t nbase;            /* persons of the base population */
	uint32_t msb_corr[C_N];    /* correspondent account of each country (MSB wires) */
	uint32_t processor_acct;   /* card processor settlement account */

	struct rastro_gen_stats *stats;
};

typedef struct rastro_gen gen_t;

/* gen.c */
int gen_fail(gen_t *g, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
double gen_knob(gen_t *g, const char *key, double def);
const char *gen_knob_str(gen_t *g, const char *key, const char *def);
void gen_progress(gen_t *g, const char *stage, uint64_t done, uint64_t total);

/* gen_data.c */
int gen_data_load(gen_t *g);
void gen_data_release(gen_t *g);

/* gen_world.c */
int gen_world_build(gen_t *g);
uint32_t gen_person_new(gen_t *g, struct rng *r, uint8_t origin, uint16_t place, int sex, int age_lo,
			int age_hi);
uint32_t gen_account_new(gen_t *g, struct rng *r, uint8_t hkind, uint32_t holder, uint16_t place,
			 int country);
void gen_phone_new(gen_t *g, struct rng *r, uint16_t place, char out[16]);
uint16_t gen_place_pick(gen_t *g, struct rng *r, int country);
uint16_t gen_place_border(gen_t *g, struct rng *r, int country);
void gen_person_fullname(gen_t *g, const struct gen_person *p, struct sbuf *sb);
/* Appends s with accents stripped (GF_ASCII) and/or case changed. */
enum { GF_ASCII = 1, GF_UPPER = 2, GF_LOWER = 4, GF_ALNUM = 8 };
void gen_fold(const char *s, struct sbuf *out, int mode);
uint32_t gen_scramble(uint32_t i);
/* Appends the first character (UTF-8 sequence) of s. */
void gen_add_initial(struct sbuf *sb, const char *s);
void gen_person_postcode(gen_t *g, uint16_t place, uint32_t key, struct sbuf *sb);
void gen_phone_style(const char *e164, int style, struct sbuf *sb);
void gen_person_address(gen_t *g, const struct gen_person *p, struct sbuf *sb);
void gen_person_email(gen_t *g, const struct gen_person *p, struct sbuf *sb);
uint32_t gen_person_at(gen_t *g, struct rng *r, uint16_t place);
uint32_t gen_merchant_acct(gen_t *g, struct rng *r, const char *category);
const struct gen_payee *gen_payee(gen_t *g, const char *category);
int gen_write_accounts(gen_t *g);
struct gen_person *gen_P(gen_t *g, uint32_t i);
struct gen_biz *gen_B(gen_t *g, uint32_t i);
struct gen_account *gen_A(gen_t *g, uint32_t i);

uint32_t gen_biz_new(gen_t *g, struct rng *r, int kind, uint16_t place, uint32_t owner);

/* gen_txn.c helpers shared with the network builder */
uint8_t gen_ev_currency(gen_t *g, uint32_t from, uint32_t to);
int64_t gen_cents(gen_t *g, double usd, uint8_t currency);
void gen_ev_memo(gen_t *g, struct gen_ev *e, struct rng *r, int kind, uint32_t arg);

/* gen_net.c */
int gen_net_build(gen_t *g);
int64_t gen_at(gen_t *g, int day, double hour);
/* gen_look.c */
int gen_lookalikes(gen_t *g);
struct gen_ev *gen_netev_add(gen_t *g, uint32_t net, int64_t ts, uint32_t from, uint32_t to, int64_t cents,
			     uint8_t channel, const char *category, uint16_t place);
void gen_net_member(gen_t *g, uint32_t net, uint32_t idx, int is_biz, int role);

/* gen_txn.c */
int gen_txn_run(gen_t *g);
const char *gen_memo_text(gen_t *g, int kind, uint32_t i);

/* gen_records.c */
int gen_records_build(gen_t *g);
int gen_write_records(gen_t *g);
int gen_write_encounters(gen_t *g);
int gen_write_providers(gen_t *g);
extern const char *const gen_enc_answer_name[];
extern const size_t gen_enc_nanswers;
void gen_rec_id(gen_t *g, const struct gen_rec *r, struct sbuf *sb);
void gen_enc_id(gen_t *g, uint32_t i, struct sbuf *sb);

/* gen_ads.c */
int gen_ads_build(gen_t *g);
int gen_write_ads(gen_t *g);
void gen_ad_id(gen_t *g, uint32_t i, struct sbuf *sb);

/* gen_truth.c */
int gen_write_truth(gen_t *g);

/* gen_ibm.c */
int gen_ibm_run(gen_t *g);

/* ---- gen_out.c: buffered output files ----------------------------------- */

struct gen_out {
	int fd;
	char *path;                /* final path (mem) */
	char *tmp;                 /* written here, renamed on close */
	struct sbuf b;
	uint64_t rows;
	int failed;
};

int gout_open(gen_t *g, struct gen_out *o, const char *name);
/* Writes the buffer, then n bytes at p, straight to the file (no copy). */
int gout_write(gen_t *g, struct gen_out *o, const char *p, size_t n);
/* Writes the buffer out when it is fuller than the flush mark. */
int gout_maybe_flush(gen_t *g, struct gen_out *o);
/* Flushes, closes and renames into place; on failure removes the file. */
int gout_close(gen_t *g, struct gen_out *o);
void gout_abort(struct gen_out *o);

/* Appenders on any sbuf (the day buffers use them too). */
void gb_u64(struct sbuf *b, uint64_t v);
void gb_u64w(struct sbuf *b, uint64_t v, int width);   /* zero-padded */
void gb_cents(struct sbuf *b, int64_t cents);           /* "1234.50" */
void gb_csv(struct sbuf *b, const char *s);             /* one CSV field, quoted if needed */
void gb_ts(struct sbuf *b, int64_t ts);                 /* 2024-03-01T22:05:00 */
void gb_date(struct sbuf *b, int32_t day);              /* 2024-03-01 */
void gb_json_str(struct sbuf *b, const char *s);        /* "escaped" */

#endif
