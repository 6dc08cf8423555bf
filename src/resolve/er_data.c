/*
 * er_data: person-like records from every adapter, normalised for
 * comparison.
 *
 * Adding a person-bearing table to resolution means adding one adapter
 * below: an SQL query that returns the common columns (see er.h).  Nothing
 * else in resolution knows which table a record came from.
 */
#include "er.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "er_compare.h"
#include "er_dmeta.h"
#include "normalize/address.h"
#include "normalize/date.h"
#include "normalize/email.h"
#include "normalize/phone.h"

static const struct er_adapter ad_person = {
	"person",
	"SELECT id, source_id, given_name, surname, maternal_surname, full_name, nickname, dob, sex,"
	" street_number, address, address2, city, region, postcode, country, phone, email, id_number, NULL"
	" FROM person",
};

/* KYC account holders: people only (businesses are resolved as orgs). */
static const struct er_adapter ad_kyc = {
	"kyc",
	"SELECT id, source_id, NULL, NULL, NULL, name, NULL, dob, NULL, NULL, address, NULL, city, region,"
	" postcode, country, phone, email, NULL, account FROM kyc"
	" WHERE coalesce(lower(customer_type), 'person') IN ('person', 'individual')",
};

/* Encounters (victims module): the person as stated at the encounter. */
static const struct er_adapter ad_encounter = {
	"encounter",
	"SELECT id, source_id, given_name, surname, maternal_surname, NULL, NULL, dob, sex, NULL, NULL,"
	" NULL, city, region, NULL, country, phone, NULL, NULL, NULL FROM encounter",
};

static const struct er_adapter *const adapters[] = { &ad_person, &ad_kyc, &ad_encounter, NULL };

const struct er_adapter *const *er_adapters(void)
{
	return adapters;
}

const char *er_str(const struct er_data *d, uint32_t id)
{
	if (d->sp)
		return d->sp[id];
	return id ? strmap_key(&d->strs, id, NULL) : "";
}

int er_data_index(struct er_data *d)
{
	size_t n = strmap_count(&d->strs) + 1, i;

	mem_free(d->sp);
	mem_free(d->sl);
	d->sp = mem_alloc(n * sizeof *d->sp);
	d->sl = mem_alloc(n * sizeof *d->sl);
	if (!d->sp || !d->sl)
		return -1;
	d->sp[0] = "";
	d->sl[0] = 0;
	for (i = 1; i < n; i++) {
		size_t l;

		d->sp[i] = strmap_key(&d->strs, (uint32_t)i, &l);
		d->sl[i] = (uint32_t)l;
	}
	return 0;
}

/* Id of s (n bytes, hash h as strmap_hash gives it), added when new; the
 * slot's value holds the id, so a hit costs no second lookup. */
static uint32_t intern(struct er_data *d, const char *s, size_t n, uint64_t h, int *oom)
{
	int is_new;
	int64_t *v;

	if (!n)
		return 0;
	v = strmap_intern_value_hashed(&d->strs, s, n, h, &is_new);
	if (!v) {
		*oom = 1;
		return 0;
	}
	if (is_new)
		*v = (int64_t)strmap_count(&d->strs);
	return (uint32_t)*v;
}

static const char *col(sqlite3_stmt *st, int c, size_t *n)
{
	const unsigned char *s = sqlite3_column_text(st, c);

	*n = s ? (size_t)sqlite3_column_bytes(st, c) : 0;
	return s ? (const char *)s : "";
}

struct norm_ctx {
	const char *region;
	enum date_order order;
	int max_year;
	const struct name_nicks *nicks;
};

/*
 * Reading is split in three so that two cores can share the costly middle:
 * the main thread copies a batch of rows out of SQLite (raw_batch), the
 * rows are normalised into plain strings by every thread (norm_out, a pure
 * function of the row), and the main thread interns them in row order —
 * so ids, and everything after, do not depend on the thread count.
 */
#define BATCH_ROWS 2048
#define NORM_THREADS_MAX 8
#define PREFETCH_ROWS 4           /* rows whose table slots are loaded ahead */

struct raw_batch {
	size_t n;
	int64_t id[BATCH_ROWS], source_id[BATCH_ROWS], account[BATCH_ROWS];
	uint32_t off[BATCH_ROWS][ER_C_N], len[BATCH_ROWS][ER_C_N];
	struct sbuf text;          /* every column's bytes, NUL after each */
};

/*
 * The strings of a normalised row, in the order the main thread interns
 * them: ids are given in first-seen order, so this order is part of the
 * result.  Their lengths and hashes are taken on the normalising threads,
 * which leaves the main thread the table lookups alone (prefetched ahead).
 */
enum {
	NS_GIVEN, NS_GIVEN1, NS_PH_GIVEN1, NS_MP_GIVEN1, NS_MP2_GIVEN1, NS_BK_GIVEN1, NS_NICK, NS_SUR1, NS_SUR1NY,
	NS_SUR2, NS_PH_SUR1, NS_MP_SUR1, NS_MP2_SUR1, NS_MP_SUR2, NS_PHONE, NS_EMAIL, NS_STREET, NS_STNO, NS_ADDR2,
	NS_CITY, NS_REGION, NS_POSTCODE, NS_IDNUM, NS_ADDRKEY, NS_N
};

enum { NW_ONLY_PARTICLES = 1, NW_EMPTY = 2, NW_NON_LATIN = 4, NW_BAD_DOB = 8, NW_BAD_EMAIL = 32 };

/* One row normalised, strings not yet interned ("" = none). */
struct norm_out {
	char given[256], given1[NAME_LEN], nick[256];
	char sur1[NAME_LEN], sur1ny[NAME_LEN], sur2[NAME_LEN];
	char ph_given1[24], ph_sur1[24];
	struct er_dmeta dm_given1, dm_sur1, dm_sur2, dm_formal;
	char email[EMAIL_MAX];
	char stno[16], street[ADDR_LEN], addr2[256], city[256], region[256], postcode[16], idnum[64];
	char addrkey[256];
	uint32_t nk_given, nk_given1;
	uint16_t y;
	uint8_t m, d, dob_amb, warn;
	char sex;
	/* From here on each part is written by one job: the phone job (below)
	 * may run beside the job that fills the rest of the row, so the rest
	 * clears and fills only what lies before slen, and slen/shash entry by
	 * entry, leaving NS_PHONE's to the phone job. */
	uint32_t slen[NS_N];       /* each string's length (0: not interned) */
	uint64_t shash[NS_N];      /* and its hash, both taken on the normalising thread */
	struct {
		char e164[24];
		uint8_t bad;
	} ph;
};

/* Where each string of a normalised row lies, in interning order. */
static const size_t ns_off[NS_N] = {
	offsetof(struct norm_out, given), offsetof(struct norm_out, given1), offsetof(struct norm_out, ph_given1),
	offsetof(struct norm_out, dm_given1.primary), offsetof(struct norm_out, dm_given1.alternate),
	offsetof(struct norm_out, dm_formal.primary), offsetof(struct norm_out, nick), offsetof(struct norm_out, sur1),
	offsetof(struct norm_out, sur1ny), offsetof(struct norm_out, sur2), offsetof(struct norm_out, ph_sur1),
	offsetof(struct norm_out, dm_sur1.primary), offsetof(struct norm_out, dm_sur1.alternate),
	offsetof(struct norm_out, dm_sur2.primary), offsetof(struct norm_out, ph.e164), offsetof(struct norm_out, email),
	offsetof(struct norm_out, street), offsetof(struct norm_out, stno), offsetof(struct norm_out, addr2),
	offsetof(struct norm_out, city), offsetof(struct norm_out, region), offsetof(struct norm_out, postcode),
	offsetof(struct norm_out, idnum), offsetof(struct norm_out, addrkey),
};

static const char *ns_str(const struct norm_out *o, int k)
{
	return (const char *)o + ns_off[k];
}


/* Per-thread cache of parsed phones: "region\x1fraw" -> E.164 ("" = not
 * valid).  The same numbers recur across a person's records, and parsing one
 * through libphonenumber's regular expressions costs microseconds. */
struct phone_cache {
	struct strmap keys;        /* value: id in vals + 1, or 0 for not valid */
	struct strmap vals;
	int oom;
};

static void phone_norm(struct phone_cache *pc, const char *region, const char *s, size_t n, char out[24])
{
	char key[96];
	int64_t *slot;
	int is_new;
	size_t rl = strnlen(region, 16);

	out[0] = '\0';
	if (n > 64)
		return;                /* phone_parse refuses these too */
	memcpy(key, region, rl);
	key[rl] = '\x1f';
	memcpy(key + rl + 1, s, n);
	slot = pc->oom ? NULL : strmap_intern_value(&pc->keys, key, rl + 1 + n, &is_new);
	if (slot && !is_new) {
		if (*slot)
			snprintf(out, 24, "%s", strmap_key(&pc->vals, (uint32_t)(*slot - 1), NULL));
		return;
	}
	if (phone_e164(s, n, region, out) != 0)
		out[0] = '\0';
	if (!slot) {
		pc->oom = 1;           /* no cache: still correct, only slower */
		return;
	}
	*slot = 0;
	if (out[0]) {
		/* vals is another map: interning there leaves the slot valid */
		uint32_t v = strmap_intern(&pc->vals, out, strlen(out), NULL);

		if (v)
			*slot = (int64_t)v + 1;
		else
			pc->oom = 1;
	}
}

/* Normalises row i of b into o, all but the phone (norm_phone); touches
 * nothing shared. */
static void norm_row(const struct norm_ctx *nc, const struct raw_batch *b, size_t i, struct norm_out *o)
{
	const char *s[ER_C_N];
	size_t n[ER_C_N];
	struct name_parts np;
	int c;

	for (c = 0; c < ER_C_N; c++) {
		s[c] = b->text.buf + b->off[i][c];
		n[c] = b->len[i][c];
	}
	memset(o, 0, offsetof(struct norm_out, slen));
	name_parse(s[ER_C_GIVEN], n[ER_C_GIVEN], s[ER_C_SURNAME], n[ER_C_SURNAME], s[ER_C_MATERNAL],
		   n[ER_C_MATERNAL], s[ER_C_FULL], n[ER_C_FULL], &np);
	if (np.only_particles)
		o->warn |= NW_ONLY_PARTICLES;
	else if (!np.ngiven && !np.sur1[0])
		o->warn |= NW_EMPTY;
	if (np.non_latin)
		o->warn |= NW_NON_LATIN;
	if (np.ngiven) {
		size_t k = 0;

		for (c = 0; c < np.ngiven && k < sizeof o->given; c++)
			k += (size_t)snprintf(o->given + k, sizeof o->given - k, "%s%s", c ? " " : "", np.given[c]);
		snprintf(o->given1, sizeof o->given1, "%s", np.given[0]);
		o->nk_given1 = name_nicks_id(nc->nicks, np.given[0], strlen(np.given[0]));
		o->nk_given = np.ngiven > 1 ? name_nicks_id(nc->nicks, o->given, strlen(o->given)) : o->nk_given1;
		if (!np.non_latin) {
			const char *formal = name_nicks_formal(nc->nicks, np.given[0]);

			er_phonetic_es(np.given[0], o->ph_given1, sizeof o->ph_given1);
			er_dmeta(np.given[0], &o->dm_given1);
			o->dm_formal = o->dm_given1;
			if (formal) {
				/* its first word: "chema" stands for "jose maria" */
				char w[NAME_LEN];

				snprintf(w, sizeof w, "%.*s", (int)strcspn(formal, " "), formal);
				er_dmeta(w, &o->dm_formal);
			}
		}
	}
	if (n[ER_C_NICK])
		name_fold(s[ER_C_NICK], n[ER_C_NICK], 0, o->nick, sizeof o->nick, NULL);
	memcpy(o->sur1, np.sur1, sizeof o->sur1);
	memcpy(o->sur1ny, np.sur1_ny, sizeof o->sur1ny);
	memcpy(o->sur2, np.sur2, sizeof o->sur2);
	if (np.sur1[0] && !np.non_latin) {
		er_phonetic_es(np.sur1, o->ph_sur1, sizeof o->ph_sur1);
		er_dmeta(np.sur1, &o->dm_sur1);
		if (np.sur2[0])
			er_dmeta(np.sur2, &o->dm_sur2);
	}
	if (n[ER_C_DOB]) {
		struct date_val dv;
		const char *why;

		if (date_parse(s[ER_C_DOB], n[ER_C_DOB], nc->order, nc->max_year % 100, 1900, nc->max_year, &dv,
			       &why) == 0) {
			o->y = (uint16_t)dv.y;
			o->m = (uint8_t)dv.m;
			o->d = (uint8_t)dv.d;
			o->dob_amb = (uint8_t)dv.ambiguous;
		} else
			o->warn |= NW_BAD_DOB;
	}
	if (n[ER_C_SEX])
		o->sex = s[ER_C_SEX][0];
	if (n[ER_C_EMAIL] && email_normalize(s[ER_C_EMAIL], n[ER_C_EMAIL], o->email) != 0) {
		o->email[0] = '\0';
		o->warn |= NW_BAD_EMAIL;
	}
	if (n[ER_C_ADDRESS] || n[ER_C_STREETNO]) {
		struct addr a;
		char line[320];
		int ln = snprintf(line, sizeof line, "%.*s %.*s", (int)n[ER_C_STREETNO], s[ER_C_STREETNO],
				  (int)n[ER_C_ADDRESS], s[ER_C_ADDRESS]);

		addr_normalize(line, ln < 0 ? 0 : (size_t)ln >= sizeof line ? sizeof line - 1 : (size_t)ln, &a);
		memcpy(o->street, a.street, sizeof o->street);
		memcpy(o->stno, a.number, sizeof o->stno);
	}
	if (n[ER_C_ADDRESS2])
		name_fold(s[ER_C_ADDRESS2], n[ER_C_ADDRESS2], 0, o->addr2, sizeof o->addr2, NULL);
	if (n[ER_C_CITY])
		name_fold(s[ER_C_CITY], n[ER_C_CITY], 0, o->city, sizeof o->city, NULL);
	if (n[ER_C_REGION])
		name_fold(s[ER_C_REGION], n[ER_C_REGION], 0, o->region, sizeof o->region, NULL);
	if (n[ER_C_POSTCODE])
		addr_postcode(s[ER_C_POSTCODE], n[ER_C_POSTCODE], o->postcode, sizeof o->postcode);
	if (n[ER_C_IDNUM])
		addr_postcode(s[ER_C_IDNUM], n[ER_C_IDNUM], o->idnum, sizeof o->idnum); /* alphanumerics, upper case */
	if (o->street[0])
		/* address entity key: number street [unit] | postcode or city */
		snprintf(o->addrkey, sizeof o->addrkey, "%s%s%s|%s", o->stno, o->stno[0] ? " " : "", o->street,
			 o->postcode[0] ? o->postcode : o->city);
}

/*
 * The phone of row i into o->ph.  libphonenumber serialises its callers
 * (every regular expression is looked up in one cache under one lock), so
 * one job parses the phones of a whole batch while the others normalise
 * the rest of its rows: two threads parsing phones spent most of their
 * time waiting for each other.
 */
static void norm_phone(const struct norm_ctx *nc, const struct raw_batch *b, size_t i, struct phone_cache *pc,
		       struct norm_out *o)
{
	const char *ph = b->text.buf + b->off[i][ER_C_PHONE];
	size_t n = b->len[i][ER_C_PHONE], len;

	memset(&o->ph, 0, sizeof o->ph);
	if (n) {
		/* numbers written without a country code belong to the record's country */
		char reg[3] = { 0 };
		const char *region = nc->region;

		if (b->len[i][ER_C_COUNTRY] == 2) {
			const char *cc = b->text.buf + b->off[i][ER_C_COUNTRY];

			reg[0] = (char)(cc[0] & ~0x20);
			reg[1] = (char)(cc[1] & ~0x20);
			region = reg;
		}
		phone_norm(pc, region, ph, n, o->ph.e164);
		o->ph.bad = !o->ph.e164[0];
	}
	len = strlen(o->ph.e164);
	o->slen[NS_PHONE] = (uint32_t)len;
	o->shash[NS_PHONE] = len ? strmap_hash(o->ph.e164, len) : 0;
}

/* Lengths and hashes of the row's strings (normalising thread); a string
 * the row does not intern has length 0. */
static void norm_hash(struct norm_out *o)
{
	int k;

	for (k = 0; k < NS_N; k++) {
		const char *s;
		size_t n;

		if (k == NS_PHONE)
			continue;          /* norm_phone's */
		s = ns_str(o, k);
		n = strlen(s);

		if ((k <= NS_BK_GIVEN1 && !o->given[0]) ||
		    (k == NS_MP2_GIVEN1 && strcmp(o->dm_given1.alternate, o->dm_given1.primary) == 0) ||
		    (k == NS_MP2_SUR1 && strcmp(o->dm_sur1.alternate, o->dm_sur1.primary) == 0))
			n = 0;
		o->slen[k] = (uint32_t)n;
		o->shash[k] = n ? strmap_hash(s, n) : 0;
	}
}

/* Starts loading the table slots row o will touch. */
static void norm_prefetch(const struct er_data *d, const struct norm_out *o)
{
	int k;

	for (k = 0; k < NS_N; k++)
		if (o->slen[k])
			strmap_prefetch_hashed(&d->strs, o->shash[k]);
}

/* Interns a normalised row into r (main thread, row order). */
static int norm_intern(struct er_data *d, const struct raw_batch *b, size_t i, const struct norm_out *o,
		       struct er_rec *r)
{
	uint32_t id[NS_N];
	int k, oom = 0;

	memset(r, 0, sizeof *r);
	r->id = b->id[i];
	r->source_id = b->source_id[i];
	r->account = b->account[i];
	d->warn.only_particles += (o->warn & NW_ONLY_PARTICLES) != 0;
	d->warn.empty_name += (o->warn & NW_EMPTY) != 0;
	d->warn.non_latin += (o->warn & NW_NON_LATIN) != 0;
	d->warn.bad_dob += (o->warn & NW_BAD_DOB) != 0;
	d->warn.bad_phone += o->ph.bad;
	d->warn.bad_email += (o->warn & NW_BAD_EMAIL) != 0;
	for (k = 0; k < NS_N; k++)
		id[k] = intern(d, ns_str(o, k), o->slen[k], o->shash[k], &oom);
	if (o->given[0]) {
		r->nk_given1 = o->nk_given1;
		r->nk_given = o->nk_given;
	}
	r->given = id[NS_GIVEN];
	r->given1 = id[NS_GIVEN1];
	r->ph_given1 = id[NS_PH_GIVEN1];
	r->mp_given1 = id[NS_MP_GIVEN1];
	r->mp2_given1 = id[NS_MP2_GIVEN1];
	r->bk_given1 = id[NS_BK_GIVEN1];
	r->nick = id[NS_NICK];
	r->sur1 = id[NS_SUR1];
	r->sur1ny = id[NS_SUR1NY];
	r->sur2 = id[NS_SUR2];
	r->ph_sur1 = id[NS_PH_SUR1];
	r->mp_sur1 = id[NS_MP_SUR1];
	r->mp2_sur1 = id[NS_MP2_SUR1];
	r->mp_sur2 = id[NS_MP_SUR2];
	r->y = o->y;
	r->m = o->m;
	r->d = o->d;
	r->dob_amb = o->dob_amb;
	r->sex = o->sex;
	r->phone = id[NS_PHONE];
	r->email = id[NS_EMAIL];
	r->street = id[NS_STREET];
	r->stno = id[NS_STNO];
	r->addr2 = id[NS_ADDR2];
	r->city = id[NS_CITY];
	r->region = id[NS_REGION];
	r->postcode = id[NS_POSTCODE];
	r->idnum = id[NS_IDNUM];
	r->addrkey = id[NS_ADDRKEY];
	return oom ? -1 : 0;
}

/* Copies the current row of st into the batch. */
static int batch_add(struct raw_batch *b, sqlite3_stmt *st)
{
	size_t i = b->n;
	int c;

	b->id[i] = sqlite3_column_int64(st, ER_C_ID);
	b->source_id[i] = sqlite3_column_int64(st, ER_C_SOURCE);
	b->account[i] = sqlite3_column_int64(st, ER_C_ACCOUNT);
	for (c = 0; c < ER_C_N; c++) {
		size_t n;
		const char *v = col(st, c, &n);

		if (b->text.len + n + 1 > UINT32_MAX)
			return -1;
		b->off[i][c] = (uint32_t)b->text.len;
		b->len[i][c] = (uint32_t)n;
		sbuf_add(&b->text, v, n);
		sbuf_addc(&b->text, '\0');
	}
	if (sbuf_failed(&b->text))
		return -1;             /* the row is not counted: its offsets point nowhere */
	b->n++;
	return 0;
}

enum { JOB_FIELDS = 1, JOB_PHONES = 2 };

struct norm_job {
	const struct norm_ctx *nc;
	const struct raw_batch *b;
	struct norm_out *out;
	struct phone_cache *pc;
	size_t from, to;
	int what;                  /* JOB_FIELDS, JOB_PHONES or both */
};

static void *norm_thread(void *arg)
{
	struct norm_job *j = arg;
	size_t i;

	for (i = j->from; i < j->to; i++) {
		if (j->what & JOB_FIELDS) {
			norm_row(j->nc, j->b, i, &j->out[i]);
			norm_hash(&j->out[i]);
		}
		if (j->what & JOB_PHONES)
			norm_phone(j->nc, j->b, i, j->pc, &j->out[i]);
	}
	return NULL;
}

/*
 * Two batches take turns: while the normalising threads work on one, the
 * main thread interns the batch before it and copies the next rows out of
 * SQLite into the other, so the serial part of reading overlaps the
 * parallel one.  With one thread the main thread normalises itself.
 */
struct norm_pipe {
	const struct norm_ctx *nc;
	struct phone_cache *pc;    /* the phone job's */
	int threads;
	struct raw_batch *b[2];
	struct norm_out *out[2];
	int fill;                  /* the batch being filled */
	int busy;                  /* the other batch is being normalised */
	struct norm_job jobs[NORM_THREADS_MAX + 1];
	pthread_t th[NORM_THREADS_MAX + 1];
	int started[NORM_THREADS_MAX + 1];
	int nthreads;              /* jobs of the busy batch */
};

/* Starts normalising batch k: with several threads, one job per thread
 * over a range of rows for all but the phones, and one more job for the
 * phones of every row; with one, a single job on the calling thread. */
static void pipe_start(struct norm_pipe *p, int k)
{
	const struct raw_batch *b = p->b[k];
	int t, threads = b->n < 64 ? 1 : p->threads;
	int jobs = threads > 1 ? threads + 1 : 1;

	for (t = 0; t < jobs; t++) {
		struct norm_job *j = &p->jobs[t];

		j->nc = p->nc;
		j->b = b;
		j->out = p->out[k];
		j->pc = p->pc;
		if (jobs == 1 || t < threads) {
			j->from = b->n * (size_t)t / (size_t)threads;
			j->to = b->n * (size_t)(t + 1) / (size_t)threads;
			j->what = jobs == 1 ? JOB_FIELDS | JOB_PHONES : JOB_FIELDS;
		} else {
			j->from = 0;
			j->to = b->n;
			j->what = JOB_PHONES;
		}
		p->started[t] = p->threads > 1 && pthread_create(&p->th[t], NULL, norm_thread, j) == 0;
	}
	p->nthreads = jobs;
}

/* Waits for the batch pipe_start began; a thread that did not start has
 * its rows normalised here. */
static void pipe_wait(struct norm_pipe *p)
{
	int t;

	for (t = 0; t < p->nthreads; t++) {
		if (p->started[t])
			pthread_join(p->th[t], NULL);
		else
			norm_thread(&p->jobs[t]);
		p->started[t] = 0;
	}
	p->nthreads = 0;
}

/* Interns normalised batch k in row order and empties it. */
static int pipe_intern(struct er_data *d, struct norm_pipe *p, int k)
{
	struct raw_batch *b = p->b[k];
	struct er_rec *r;
	size_t i;

	if (!b->n)
		return 0;
	r = vec_grow(&d->recs, b->n);
	if (!r)
		return -1;
	for (i = 0; i < b->n; i++) {
		if (i + PREFETCH_ROWS < b->n)
			norm_prefetch(d, &p->out[k][i + PREFETCH_ROWS]);
		if (norm_intern(d, b, i, &p->out[k][i], &r[i]))
			return -1;
	}
	b->n = 0;
	sbuf_clear(&b->text);
	return 0;
}

/* The filled batch is full (or the rows ended): hand it to the threads,
 * intern the one before it, fill that one next. */
static int pipe_flush(struct er_data *d, struct norm_pipe *p)
{
	int k = p->fill, prev = !k, rc = 0;

	if (p->busy)
		pipe_wait(p);
	if (p->b[k]->n)
		pipe_start(p, k);
	if (p->busy)
		rc = pipe_intern(d, p, prev);
	p->busy = p->b[k]->n != 0;
	p->fill = prev;
	return rc;
}

/* Normalises and interns whatever is left. */
static int pipe_drain(struct er_data *d, struct norm_pipe *p)
{
	int rc = pipe_flush(d, p);

	if (p->busy) {
		pipe_wait(p);
		if (!rc)
			rc = pipe_intern(d, p, !p->fill);
		p->busy = 0;
	}
	return rc;
}

/* The error path: waits for the threads and drops both batches unread (the
 * one being filled may hold a row whose copy failed). */
static void pipe_stop(struct norm_pipe *p)
{
	int k;

	if (p->busy)
		pipe_wait(p);
	p->busy = 0;
	for (k = 0; k < 2; k++) {
		p->b[k]->n = 0;
		sbuf_clear(&p->b[k]->text);
	}
}

static int table_exists(rastro_ws *ws, const char *table, int *yes)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1", &st))
		return ws->err.code;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "looking for a record table");
}

static int rec_cmp(const void *a, const void *b)
{
	const struct er_rec *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int load(rastro_ws *ws, struct er_data *d, int64_t only_a, int64_t only_b, const int64_t *ids,
		size_t nids)
{
	const struct er_adapter *const *ad;
	struct norm_ctx nc;
	struct rs_err e;
	char path[1024];
	time_t now = time(NULL);
	struct tm tm;
	struct phone_cache pc;
	struct norm_pipe p;
	int rc = 0, threads, bi;

	memset(d, 0, sizeof *d);
	vec_init(&d->recs, sizeof(struct er_rec));
	strmap_init(&d->strs);
	gmtime_r(&now, &tm);
	nc.region = cfg_str(ws->cfg, "resolve.default_region", "US");
	nc.order = strcmp(cfg_str(ws->cfg, "resolve.dob_order", "dmy"), "mdy") == 0 ? DATE_MDY : DATE_DMY;
	nc.max_year = tm.tm_year + 1900;
	nc.nicks = &d->nicks;
	threads = (int)cfg_int(ws->cfg, "resolve.threads", 2);
	threads = threads < 1 ? 1 : threads > NORM_THREADS_MAX ? NORM_THREADS_MAX : threads;
	snprintf(path, sizeof path, "%s/nicknames.tsv", rastro_datadir());
	err_clear(&e);
	if (name_nicks_load(&d->nicks, path, &e))
		return ws_error(ws, e.code, "%s", e.msg);
	strmap_init(&pc.keys);
	strmap_init(&pc.vals);
	pc.oom = 0;
	memset(&p, 0, sizeof p);
	p.nc = &nc;
	p.pc = &pc;
	p.threads = threads;
	for (bi = 0; bi < 2; bi++) {
		p.b[bi] = mem_alloc(sizeof *p.b[bi]);
		p.out[bi] = mem_alloc(BATCH_ROWS * sizeof *p.out[bi]);
		if (p.b[bi]) {
			p.b[bi]->n = 0;
			sbuf_init(&p.b[bi]->text);
		}
		if (!p.b[bi] || !p.out[bi])
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading person records");
	}
	for (ad = adapters; *ad && !rc; ad++) {
		struct sbuf sql = SBUF_INIT;
		sqlite3_stmt *st;
		int yes = 0, step;
		size_t i;

		if ((rc = table_exists(ws, (*ad)->table, &yes)))
			break;
		if (!yes)
			continue;
		sbuf_init(&sql);
		sbuf_addf(&sql, "SELECT * FROM (%s)", (*ad)->sql);
		if (only_a || only_b)
			sbuf_addf(&sql, " WHERE source_id IN (%lld, %lld)", (long long)only_a, (long long)only_b);
		else if (ids) {
			sbuf_adds(&sql, " WHERE id IN (");
			for (i = 0; i < nids; i++)
				sbuf_addf(&sql, "%s%lld", i ? "," : "", (long long)ids[i]);
			sbuf_adds(&sql, ")");
		}
		if (sbuf_failed(&sql)) {
			sbuf_release(&sql);
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading person records");
			break;
		}
		if (sqlite3_prepare_v2(ws->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
			/* a table whose columns differ from its adapter: say so, go on */
			size_t k = strlen(d->warn.adapters_skipped);

			snprintf(d->warn.adapters_skipped + k, sizeof d->warn.adapters_skipped - k, "%s%s (%s)",
				 k ? ", " : "", (*ad)->table, sqlite3_errmsg(ws->db));
			sbuf_release(&sql);
			continue;
		}
		sbuf_release(&sql);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct raw_batch *b = p.b[p.fill];

			if (batch_add(b, st) || (b->n == BATCH_ROWS && pipe_flush(d, &p))) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory normalising person records");
				break;
			}
			if ((d->recs.len & 0xFFFF) == 0 && p.b[p.fill]->n == 0)
				ws_progress(ws, "resolve: read", d->recs.len, 0);
		}
		if (!rc && step != SQLITE_DONE)
			rc = ws_sqlerr(ws, "reading person records");
		/* no thread may outlive the batches */
		if (rc)
			pipe_stop(&p);
		else if (pipe_drain(d, &p))
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory normalising person records");
		sqlite3_finalize(st);
	}
	strmap_release(&pc.keys);
	strmap_release(&pc.vals);
	for (bi = 0; bi < 2; bi++) {
		if (p.b[bi])
			sbuf_release(&p.b[bi]->text);
		mem_free(p.b[bi]);
		mem_free(p.out[bi]);
	}
	if (!rc && d->recs.len)
		qsort(d->recs.data, d->recs.len, sizeof(struct er_rec), rec_cmp);
	if (!rc && er_data_index(d))
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory indexing person records");
	return rc;
}

int er_data_load(rastro_ws *ws, struct er_data *d, int64_t only_a, int64_t only_b)
{
	return load(ws, d, only_a, only_b, NULL, 0);
}

int er_data_load_ids(rastro_ws *ws, struct er_data *d, const int64_t *ids, size_t nids)
{
	return load(ws, d, 0, 0, ids, nids);
}

void er_data_release(struct er_data *d)
{
	mem_free(d->sp);
	mem_free(d->sl);
	d->sp = NULL;
	d->sl = NULL;
	vec_release(&d->recs);
	strmap_release(&d->strs);
	name_nicks_release(&d->nicks);
}
