/*
 * er: entity resolution — the module's internal interface.
 *
 * Person-like records from every table that bears people (person records,
 * FEBRL rows, KYC account holders, encounters...) are read through one
 * adapter per table (er_data.c), normalised into interned columns, blocked,
 * compared field by field into comparison levels, scored with a
 * Fellegi–Sunter model (er_model.c), clustered into person entities that
 * resist chaining (er_cluster.c) and written back with their reasons
 * (er_resolve.c).  Privacy-preserving encodings live in er_pprl.c.
 */
#ifndef RASTRO_ER_H
#define RASTRO_ER_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/vec.h"
#include "ingest/format.h"
#include "normalize/name.h"
#include "store/ws.h"

struct schema_component;
extern const struct schema_component er_component;

/* The person record kind (table `person`), filled by fmt_person and fmt_febrl. */
extern const struct rec_kind rk_person;

/* ---- adapters: how a record table contributes person-like rows ---- */

/*
 * One adapter per person-bearing table.  `sql` selects, in this order:
 *   id, source_id, given_name, surname, maternal_surname, full_name,
 *   nickname, dob, sex, street_number, address, address2, city, region,
 *   postcode, country, phone, email, id_number, account
 * (NULL for what the table lacks; account is an account entity id).  A table
 * that does not exist in the workspace is skipped.
 */
struct er_adapter {
	const char *table;
	const char *sql;
};
enum {
	ER_C_ID, ER_C_SOURCE, ER_C_GIVEN, ER_C_SURNAME, ER_C_MATERNAL, ER_C_FULL, ER_C_NICK, ER_C_DOB,
	ER_C_SEX, ER_C_STREETNO, ER_C_ADDRESS, ER_C_ADDRESS2, ER_C_CITY, ER_C_REGION, ER_C_POSTCODE,
	ER_C_COUNTRY, ER_C_PHONE, ER_C_EMAIL, ER_C_IDNUM, ER_C_ACCOUNT, ER_C_N
};
const struct er_adapter *const *er_adapters(void);

/* ---- normalised records ---- */

/* Comparison fields, in the order of the model. */
enum er_field {
	EF_GIVEN, EF_SUR, EF_SUR2, EF_DOB, EF_SEX, EF_PHONE, EF_EMAIL, EF_STNO, EF_STREET, EF_ADDR2,
	EF_CITY, EF_POSTCODE, EF_REGION, EF_IDNUM, EF_N
};
#define ER_MAXLEV 8   /* levels per field, 0 = null; fits 3 bits */

/* One person-like record, every string interned in er_data.strs (0 = none). */
struct er_rec {
	int64_t id;
	int64_t source_id;
	int64_t account;           /* account entity (KYC holders), 0 when none */
	uint32_t given;            /* all given names, "jose maria" */
	uint32_t given1;           /* first given name */
	uint32_t nick;             /* stated nickname, folded */
	uint32_t nk_given, nk_given1;  /* ids in the nickname table (0 = not there) */
	uint32_t sur1, sur1ny, sur2;
	/* phonetic keys: Spanish (ph_), Double Metaphone primary (mp_) and
	 * alternate (mp2_, 0 when the name has one reading) */
	uint32_t ph_sur1, mp_sur1, ph_given1, mp_given1;
	uint32_t mp2_sur1, mp2_given1;
	uint32_t mp_sur2;          /* Double Metaphone primary of the maternal surname */
	uint32_t bk_given1;        /* for blocking: Double Metaphone of the formal name a nickname
				    * stands for ("mike" -> michael), else mp_given1 */
	uint32_t phone, email, stno, street, addr2, city, postcode, region, idnum;
	uint32_t addrkey;          /* key of the address entity ("12 main st|79902") */
	uint16_t y;
	uint8_t m, d;
	uint8_t dob_amb;           /* day/month order was ambiguous */
	char sex;                  /* 'F', 'M', 'X' or 0 */
	uint8_t is_new;            /* incremental: not linked by an earlier run */
	uint8_t pad;
};

struct er_warnings {
	uint64_t empty_name, only_particles, non_latin, bad_dob, bad_phone, bad_email;
	uint64_t capped_blocks, capped_records;
	char first_capped[160];    /* the first capped block, for the message */
	char adapters_skipped[256];
};

struct er_data {
	struct vec recs;           /* struct er_rec */
	struct strmap strs;        /* every normalised string */
	const char **sp;           /* string of each id (sp[0] = ""), built after loading */
	uint32_t *sl;              /* its length */
	struct name_nicks nicks;
	struct er_warnings warn;
};

/* Loads every adapter's rows (only those of sources `only_a`/`only_b` when
 * non-zero) and normalises them. */
int er_data_load(rastro_ws *ws, struct er_data *d, int64_t only_a, int64_t only_b);
/* Loads the records with the given ids only (for `why`). */
int er_data_load_ids(rastro_ws *ws, struct er_data *d, const int64_t *ids, size_t nids);
void er_data_release(struct er_data *d);
/* Borrowed interned string ("" for 0). */
const char *er_str(const struct er_data *d, uint32_t id);
/* The direct string table (sp, sl) for the hot comparison loop. */
int er_data_index(struct er_data *d);

/* ---- the model ---- */

struct er_tf {
	uint32_t *count;           /* by interned id; NULL when the field has no TF */
	size_t n;                  /* ids covered */
	uint64_t total;            /* non-null values counted */
};

struct er_model {
	double m[EF_N][ER_MAXLEV];
	double u[EF_N][ER_MAXLEV];
	int nlev[EF_N];            /* levels in use, 1..nlev-1 (0 = null) */
	double lambda;             /* prior probability that two records match */
	double threshold;          /* accept a pair at or above this match weight */
	double tf_weight;          /* 0..1: how much TF replaces the level's u */
	double tf_min_u;           /* rarest value's u is capped here */
	double identity_min;       /* identity fields' weight below which a pair is refused */
	struct er_tf tf[EF_N];     /* term frequencies (given, surname, city) */
	/* TF loaded from a parameter file: value -> count, resolved to this
	 * run's interned ids by er_model_bind_tf */
	struct strmap tf_names[EF_N];
	struct vec tf_counts[EF_N];
	int em_iterations;
	double em_p;               /* share of matches among blocked pairs (EM) */
	int trained;
};

/* Per-field explanation of one compared pair. */
struct er_expl {
	int lev[EF_N];
	double w[EF_N];            /* level weight incl. TF */
	double tfw[EF_N];          /* the TF part of w */
	double prior, total;
	double identity;           /* the identity fields' part of total (er_identity_field) */
};

/* Name of a field ("given_name") and of its levels ("exact", "jw>=0.92"...). */
const char *er_field_name(int f);
const char *er_level_name(int f, int lev);

/* Comparison vector of two records (levels per field, 0 = null). */
uint64_t er_compare(const struct er_data *d, const struct er_rec *a, const struct er_rec *b, int lev[EF_N]);
/* Match weight of a pair with its levels; fills e when given. */
double er_weight(const struct er_model *mo, const struct er_data *d, const struct er_rec *a,
		 const struct er_rec *b, const int lev[EF_N], struct er_expl *e);
/* 1 for the fields that say who a person is (given name, surname, date of
 * birth, sex, id number); the others (phone, email, address) say how to
 * reach them. */
int er_identity_field(int f);
/*
 * The decision on a pair: its weight reaches the threshold AND its identity
 * fields do not, on balance, speak against it (their weight is at least
 * identity_min).  Shared contact details alone never link two records whose
 * names and birth dates disagree: a controller's phone and address on his
 * victims' bank records must not make them one person.  *w receives the
 * weight when w is given.
 */
int er_accept(const struct er_model *mo, const struct er_data *d, const struct er_rec *a, const struct er_rec *b,
	      const int lev[EF_N], double *w);
/* The level weights log2(m/u) of a model, taken once for deciding many
 * pairs with er_accept_lw (the same numbers er_accept computes each call);
 * valid until the model's m or u change. */
struct er_lw {
	double w[EF_N][ER_MAXLEV];
};
void er_lw_init(struct er_lw *lw, const struct er_model *mo);
int er_accept_lw(const struct er_model *mo, const struct er_lw *lw, const struct er_rec *a, const int lev[EF_N],
		 double *w);

void er_model_init(struct er_model *mo, const struct cfg *cfg);
void er_model_release(struct er_model *mo);
/* u from random pairs (in link mode, pairs across the two sources). */
int er_model_estimate_u(struct er_model *mo, const struct er_data *d, uint64_t npairs, uint64_t seed,
			int64_t link_a, int64_t link_b, int threads);
/* m by EM over the blocked pairs' comparison patterns; u stays fixed.
 * p_fixed > 0 holds the share of matches among them (from the
 * deterministic rules); 0 lets EM estimate it. */
int er_model_em(struct er_model *mo, const uint64_t *patterns, const uint64_t *counts, size_t npat,
		int max_iter, double tol, double p_fixed);
/* lambda from deterministic-rule pairs and a recall guess. */
void er_model_set_lambda(struct er_model *mo, uint64_t rule_pairs, double recall, double total_pairs);
/* Term frequencies of the current data. */
int er_model_count_tf(struct er_model *mo, const struct er_data *d);
/* Parameter file: write / read (TF values as text so another run binds them). */
int er_model_save(const struct er_model *mo, const struct er_data *d, struct sbuf *out);
int er_model_load(struct er_model *mo, const char *text, size_t n, struct rs_err *err);
/* Resolves loaded TF values to the interned ids of d. */
int er_model_bind_tf(struct er_model *mo, const struct er_data *d);
/* Does the pair satisfy a deterministic rule (for lambda)? */
int er_rule_match(const int lev[EF_N]);

/* ---- clustering ---- */

struct er_pairw {
	uint32_t a, b;             /* record indexes, a < b */
	float w;
	uint32_t pad;
	uint64_t pattern;          /* levels, 3 bits per field */
};

/*
 * Clusters accepted pairs (sorted by weight desc, ties by a, b) into
 * entities: two clusters merge only when the accepted links between them
 * are at least `density` of all their cross pairs (one link suffices for
 * two single records), so one weak link cannot chain two groups together.
 * When |A|·|B| <= exhaustive_max and `accept` is given, every cross pair
 * is judged (accepted pairs by their list, the others by `accept`).
 * `one_to_one` (linkage of two deduplicated sources) accepts a link only
 * when neither record is linked yet.  root[i] receives each record's
 * cluster representative (the smallest record index in it); merged[k] is 1
 * for pairs that ended inside one cluster.
 */
/* Scores a pair that blocking did not produce: 1 when its weight reaches
 * the threshold.  Clustering asks it about the cross pairs of two small
 * clusters, so that a pair never compared counts as evidence, not as a
 * missing link. */
typedef int (*er_accept_fn)(void *ctx, uint32_t a, uint32_t b);

int er_cluster(const struct er_pairw *pairs, size_t npairs, size_t nrec, double density, int one_to_one,
	       er_accept_fn accept, void *ctx, size_t exhaustive_max, uint32_t *root, uint8_t *merged);

#endif
