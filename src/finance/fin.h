/*
 * fin: the financial-intelligence module's internal interface.
 *
 * `rastro detect` loads every transaction of the workspace once into
 * columnar in-memory arrays (struct fin_data: one array per column, integer
 * ids for accounts and for every categorical string, CSR adjacency lists by
 * payer and by payee in time order), then runs the detectors over those
 * arrays.  Each detector implements one published indicator (FinCEN
 * FIN-2014-A008, FIN-2020-A008, FIN-2023-Alert001, the AML graph patterns of
 * IBM AMLworld / GFP) and writes its findings as signals into a sink: a
 * score, an explanation sentence, JSON details with the measured values and
 * the parameters, the evidence transactions and, for indicators that
 * describe victims, the affected accounts.  Signals are then written to the
 * workspace (`signal`, `signal_evidence`) together with a per-account risk
 * score made of named parts (`fin_risk`).
 *
 * Detectors never read txn.label or txn.label_group: fin_data does not even
 * load them.  Ground truth is read only by the evaluation (fin_eval.c).
 *
 * Determinism: work is cut into tasks whose boundaries do not depend on the
 * thread count, each task writes its own sink, and sinks are merged in task
 * order, so the output is the same with 1 or 16 threads.
 */
#ifndef RASTRO_FIN_H
#define RASTRO_FIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/vec.h"
#include "store/ws.h"

#define FIN_NONE UINT32_MAX  /* no account (cash in / cash out) */

/* Payment channels, from txn.channel (ingest maps the synonyms). */
enum fin_chan {
	CH_OTHER = 0, CH_CASH, CH_WIRE, CH_ACH, CH_CARD, CH_P2P, CH_CHECK, CH_CRYPTO,
	CH_PREPAID, CH_REINVEST, CH_N
};
const char *fin_chan_name(int ch);

/* Customer types from KYC. */
enum fin_ctype { CT_UNKNOWN = 0, CT_PERSON, CT_BUSINESS };

/*
 * The transactions and accounts in memory.  Transactions are sorted by
 * (timestamp, record id): index i is the i-th transaction in time.
 * Categorical strings (currency, category, places, KYC fields, account
 * labels) are interned in `strs` (id 0 = absent).
 */
struct fin_data {
	size_t ntx;
	int64_t *id;          /* record id (txn.id) */
	int64_t *ts;          /* seconds; local time when the source gives no offset */
	uint32_t *src, *dst;  /* account index or FIN_NONE */
	double *amt;          /* amount as received, in `cur` */
	double *usd;          /* amount in U.S. dollars; NaN when the currency is unknown */
	uint32_t *cur;        /* currency string id */
	uint8_t *chan;        /* enum fin_chan */
	uint32_t *cat;        /* category string id */
	uint32_t *city, *region, *country; /* where it happened, string ids */
	uint32_t *place;      /* "city|region|country" string id: one place */
	uint64_t *memo;       /* offset+1 into memos, 0 = no memo */
	struct sbuf memos;    /* NUL-separated memo texts */

	size_t nacc;
	int64_t *acc_entity;  /* entity id of account i */
	uint32_t *acc_label;  /* entity label (holder or merchant name) */
	uint32_t *acc_key;    /* entity key ("bank/number") */
	/* KYC (0 when the account has no KYC row) */
	uint32_t *k_customer, *k_name, *k_occupation, *k_btype, *k_city, *k_region, *k_country;
	uint32_t *k_phone, *k_email, *k_address; /* normalised: E.164, email_normalize, lower-case */
	uint8_t *k_ctype;     /* enum fin_ctype */
	int64_t *k_record;    /* kyc record id, 0 when none */

	/* CSR adjacency: out_tx[out_off[a] .. out_off[a+1]) are the transactions
	 * paid by account a, in time order; in_* the ones it received. */
	uint32_t *out_off, *out_tx;
	uint32_t *in_off, *in_tx;
	/* distinct counterparties of each account over all its transfers: an
	 * account paid by (or paying) many is a hub — a merchant, an employer,
	 * a utility — and is not counted as a counterparty by the patterns.
	 * out_cp leaves out payees that are receiving hubs (shops paid by card
	 * do not make a shopper a hub payer). */
	uint32_t *in_cp, *out_cp;
	uint32_t hub_degree;   /* finance.hub_degree */
	/* Swept earners: an account that receives from many payers and passes
	 * most of it to one collector who does the same with other such
	 * accounts (settings finance.earnings_sweep.*).  sweep_to[a] is the
	 * collector, FIN_NONE when a is not swept.  Victim-centred: such
	 * accounts are never made subjects by the patterns; the collector is
	 * (FIN.EARNINGS_SWEEP) and lists them as affected. */
	uint32_t *sweep_to;

	int64_t tmin, tmax;
	uint64_t n_unknown_currency, n_self, n_zero, n_no_place, n_reordered;
	struct strmap strs;
};

/* Loads the workspace's transactions, accounts and KYC into d.  One pass
 * over each table, no per-row allocation. */
struct fin_lists;
/* `threads` read parts of the table side by side (the result does not
 * depend on it). */
int fin_data_load(rastro_ws *ws, struct fin_data *d, const struct fin_lists *lists, int threads);
void fin_data_release(struct fin_data *d);
/* String id of s in d->strs (0 when it does not occur in the data). */
uint32_t fin_str(const struct fin_data *d, const char *s);
const char *fin_strv(const struct fin_data *d, uint32_t id);  /* "" for 0 */

/* ---- lists from data/ (merchant sites, corridors, border zone, rates) ---- */

struct fin_lists {
	struct strmap adsite;      /* lower-case merchant names and domains of escort / classified-ad sites */
	struct strmap corridor;    /* ISO country codes and names of high-migration corridors */
	struct strmap border;      /* "city|region" and region codes of the southwest border zone */
	struct strmap border_city; /* lower-case city names in the border zone */
	struct strmap currency;    /* currency code -> index into usd_per_unit */
	double *usd_per_unit;
	size_t ncurrency;
};

int fin_lists_load(rastro_ws *ws, struct fin_lists *l);
void fin_lists_release(struct fin_lists *l);
/* 1 when the lower-cased text matches an entry (exact or as a whole word). */
int fin_list_has(const struct strmap *m, const char *s);

/* ---- signals ---- */

struct fin_sig {
	uint16_t det;          /* index in the detector registry */
	uint32_t acc;          /* subject account (the suspect: never a victim) */
	double score;          /* 0..1 strength of the finding */
	int64_t t0, t1;        /* time span of the evidence */
	size_t ev_off, ev_n;   /* evidence: transaction indexes in sink->ev */
	size_t aff_off, aff_n; /* affected accounts (possible victims) in sink->aff */
	size_t rec_off, rec_n; /* other evidence records (KYC rows, ads) in sink->rec */
	size_t text_off;       /* explanation sentence in sink->text */
	size_t det_off;        /* JSON details object in sink->text */
};

struct fin_sink {
	struct vec sigs;   /* struct fin_sig */
	struct vec ev;     /* uint32_t transaction indexes */
	struct vec aff;    /* uint32_t account indexes */
	struct vec rec;    /* int64_t record ids that are not transactions */
	struct sbuf text;  /* NUL-separated strings */
	int failed;
};

void fin_sink_init(struct fin_sink *s);
void fin_sink_release(struct fin_sink *s);

/*
 * Building one signal: fin_sig_begin, then evidence / affected / details /
 * sentence, then fin_sig_end.  Evidence is sorted and de-duplicated at the
 * end and cut to `max_evidence` (details say how many there were).
 */
struct fin_sigb {
	struct fin_sink *s;
	struct fin_sig sig;
	struct sbuf details;   /* JSON members without braces */
	size_t ev_start, aff_start, rec_start;
};
void fin_sig_begin(struct fin_sigb *b, struct fin_sink *s, int det, uint32_t acc, double score);
void fin_sig_ev(struct fin_sigb *b, uint32_t tx);
void fin_sig_aff(struct fin_sigb *b, uint32_t acc);
/* Evidence that is not a transaction: a KYC row, an ad (record id). */
void fin_sig_rec(struct fin_sigb *b, int64_t record_id);
/* Adds a JSON member: "key": number */
void fin_sig_num(struct fin_sigb *b, const char *key, double v);
void fin_sig_int(struct fin_sigb *b, const char *key, long long v);
void fin_sig_str(struct fin_sigb *b, const char *key, const char *v);
/* Raw JSON value (an array or object built by the caller). */
void fin_sig_raw(struct fin_sigb *b, const char *key, const char *json);
/* The explanation sentence. */
void fin_sig_say(struct fin_sigb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fin_sig_end(struct fin_sigb *b, const struct fin_data *d, size_t max_evidence);

/* Strength of a measured value against its threshold: 0.5 at the threshold,
 * rising linearly to 1 at `full` (values at or past it). */
double fin_strength(double value, double threshold, double full);

/* ---- detectors ---- */

struct fin_run;

/* Per-thread scratch space: arrays the size of the account and string
 * spaces for counting distinct values without hashing. */
struct fin_scratch {
	uint32_t *acc_mark;   /* nacc; stamp-marked */
	uint32_t *acc_cnt;    /* nacc; counters, kept at zero between uses */
	uint32_t *acc_cnt2;   /* nacc; a second set of counters, kept at zero */
	uint8_t *acc_flag;    /* nacc; on-path flags and small distances, kept at zero */
	uint32_t *str_mark;   /* strmap count + 1 */
	uint32_t *str_cnt;
	uint32_t *str_cnt2;
	uint32_t stamp;
	size_t nacc, nstr;    /* sizes of the acc_* and str_* arrays */
	struct vec tmp32;     /* uint32 scratch */
	struct vec tmp32b;
	struct vec tmp64;     /* uint64 scratch */
	struct vec tmp64b;
	struct vec quad;      /* 16-byte records (struct fin_quad) */
	struct sbuf sb;
};
struct fin_quad {
	uint32_t a, b, c, d;
};

/* A fresh stamp for the mark arrays (wraps safely). */
uint32_t fin_stamp(struct fin_scratch *x);

enum fin_typology { TY_HT = 1, TY_HS = 2, TY_ML = 4, TY_STRUCT = 8 };

struct fin_detector {
	const char *code;      /* stable code, "FIN.FUNNEL" */
	const char *key;       /* settings section under [finance.], "funnel" */
	int typology;          /* enum fin_typology bits */
	const char *source;    /* the published indicator it implements */
	const char *title;     /* short name for listings */
	/* Reads settings and computes what every account needs (peer groups...).
	 * May be NULL.  `state` is freed with mem_free by the runner. */
	int (*prepare)(struct fin_run *r, void **state);
	/* Per-account detectors: one account.  NULL for global detectors. */
	int (*account)(struct fin_run *r, const void *state, uint32_t acc, struct fin_scratch *x,
		       struct fin_sink *out);
	/* Global detectors: the whole data set at once. */
	int (*global)(struct fin_run *r, const void *state, struct fin_scratch *x, struct fin_sink *out);
	/* Frees the state of prepare; NULL means mem_free. */
	void (*release)(void *state);
	/* For a code found by another detector's search (FIN.STACK by
	 * FIN.BIPARTITE): that detector's code; it runs when this one is on. */
	const char *computed_by;
};

const struct fin_detector *fin_detector_at(size_t i);
size_t fin_detector_count(void);
/* "trafficking", "smuggling", "structuring", "laundering" for typology bits. */
const char *fin_typology_name(int typology);
/* Index of a code ("FIN.FUNNEL") or a settings key ("funnel"); -1 if none. */
int fin_detector_find(const char *name);

struct fin_run {
	rastro_ws *ws;
	const struct cfg *cfg;
	const struct fin_data *d;
	const struct fin_lists *lists;
	size_t max_evidence;
	const int *enabled;    /* per detector: are its signals wanted */
	struct rs_err err;     /* set by a detector that fails (first error wins) */
	/* Per-transaction part flags shared by the graph rules that use them
	 * (det_graph.c), and the payroll flags they were made with; freed by
	 * the runner. */
	uint8_t *parts, *parts_payroll;
};

/* Settings of detector `det`: finance.<key>.<name>. */
double fin_param(const struct fin_run *r, int det, const char *name, double def);
long long fin_param_int(const struct fin_run *r, int det, const char *name, long long def);

/* Detector families (det_*.c). */
extern const struct fin_detector fin_det_graph[];
extern const size_t fin_det_graph_n;
extern const struct fin_detector fin_det_cash[];
extern const size_t fin_det_cash_n;
extern const struct fin_detector fin_det_profile[];
extern const size_t fin_det_profile_n;
extern const struct fin_detector fin_det_ident[];
extern const size_t fin_det_ident_n;
extern const struct fin_detector fin_det_memo[];
extern const size_t fin_det_memo_n;

/* ---- helpers shared by detectors ---- */

/* 1 when transaction i moves money between two different accounts with a
 * positive amount (what graph patterns look at). */
static inline int fin_is_transfer(const struct fin_data *d, size_t i)
{
	return d->src[i] != FIN_NONE && d->dst[i] != FIN_NONE && d->src[i] != d->dst[i] &&
	       d->amt[i] > 0;
}

/* 1 when account a is a hub on its receiving (payers >= hub_degree) or
 * paying side (payees that are not receiving hubs >= hub_degree). */
static inline int fin_hub_in(const struct fin_data *d, uint32_t a)
{
	return d->hub_degree && d->in_cp[a] >= d->hub_degree;
}

static inline int fin_hub_out(const struct fin_data *d, uint32_t a)
{
	return d->hub_degree && d->out_cp[a] >= d->hub_degree;
}

static inline int fin_swept(const struct fin_data *d, uint32_t a)
{
	return d->sweep_to && a < d->nacc && d->sweep_to[a] != FIN_NONE;
}

/* Account key for messages ("10/8000EBD30"). */
const char *fin_acc_name(const struct fin_data *d, uint32_t acc);

/* Index of the first element of the time-ordered list tx[0..n) that is a
 * transaction after index `after` (tx[k] > after). */
size_t fin_after(const uint32_t *tx, size_t n, uint32_t after);
/* Index of the first element whose time is >= t. */
size_t fin_at_time(const struct fin_data *d, const uint32_t *tx, size_t n, int64_t t);
/* Sum of dollar amounts of transactions (unknown currencies skipped);
 * *unknown counts them. */
double fin_sum_usd(const struct fin_data *d, const uint32_t *tx, size_t n, size_t *unknown);
/* "12,345 USD" into out. */
void fin_fmt_usd(char *out, size_t n, double usd);
/* "2022-09-01 10:20" */
void fin_fmt_time(char *out, size_t n, int64_t t);

/* Per-string-id flags (value) for the category names in the array setting
 * finance.<det key>.<name>, or `def` (NULL-terminated) when it is absent. */
uint8_t *fin_cat_flags(const struct fin_run *r, int det, const char *name, const char *const *def,
		       uint8_t value);
/* A wage credit: a payroll-category credit (flags from fin_cat_flags), or
 * ACH from a business to a non-business account. */
int fin_is_wage(const struct fin_data *d, uint32_t t, const uint8_t *payroll);

/* Names the beneficiaries of a funnel account found by detector `det`:
 * accounts (not hubs, not swept earners) paid at least
 * finance.<det>.beneficiary_share of its transfers out, in two payments or
 * more; each gets a signal of `det` with that money as evidence.  `who`
 * says what the funnel is in their sentences ("a funnel account"). */
int fin_funnel_beneficiaries(struct fin_run *r, int det, const char *who, uint32_t funnel, double score,
			     struct fin_scratch *x, struct fin_sink *out);

/* An identifier (a KYC phone, email or address string id) and an account
 * that has it on file; sorted by fin_idpair_cmp (identifier, then account),
 * the accounts sharing one identifier are adjacent. */
struct fin_idpair {
	uint32_t id;
	uint32_t acc;
};
int fin_idpair_cmp(const void *a, const void *b);

/* Formats seconds as "36 h" / "3 d" / "20 min". */
void fin_fmt_span(char *out, size_t n, int64_t secs);

#endif
