/*
 * er_data: person-like records from every adapter, normalised for
 * comparison.
 *
 * Adding a person-bearing table to resolution means adding one adapter
 * below: an SQL query that returns the common columns (see er.h).  Nothing
 * else in resolution knows which table a record came from.
 */
#include "er.h"

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

static uint32_t intern(struct er_data *d, const char *s, size_t n, int *oom)
{
	uint32_t id;

	if (!n)
		return 0;
	id = strmap_intern(&d->strs, s, n, NULL);
	if (!id)
		*oom = 1;
	return id;
}

static uint32_t interns(struct er_data *d, const char *s, int *oom)
{
	return intern(d, s, strlen(s), oom);
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
	/* "region\x1fraw number" -> interned E.164 id + 1 (1 = not valid):
	 * the same numbers recur across a person's records and parsing one
	 * through libphonenumber's regular expressions costs microseconds */
	struct strmap phones;
};

/* Interned E.164 form of a raw phone (0 when not valid), parsed once per
 * distinct (region, text). */
static uint32_t phone_id(struct er_data *d, struct norm_ctx *nc, const char *region, const char *s, size_t n,
			 int *oom)
{
	char key[96];
	int64_t *slot;
	int is_new;
	struct phone ph;
	uint32_t id = 0;
	size_t rl = strnlen(region, 16);

	if (n > 64) {
		d->warn.bad_phone++;   /* phone_parse refuses these too */
		return 0;
	}
	memcpy(key, region, rl);
	key[rl] = '\x1f';
	memcpy(key + rl + 1, s, n);
	slot = strmap_intern_value(&nc->phones, key, rl + 1 + n, &is_new);
	if (!slot) {
		*oom = 1;
		return 0;
	}
	if (!is_new) {
		if (*slot == 1)
			d->warn.bad_phone++;
		return (uint32_t)(*slot - 1);
	}
	if (phone_parse(s, n, region, &ph) == 0)
		id = interns(d, ph.e164, oom);   /* another map: the slot stays valid */
	else
		d->warn.bad_phone++;
	*slot = (int64_t)id + 1;
	return id;
}

/* Normalises one adapter row into r. */
static int normalise(struct er_data *d, struct norm_ctx *nc, sqlite3_stmt *st, struct er_rec *r)
{
	const char *s[ER_C_N];
	size_t n[ER_C_N];
	struct name_parts np;
	struct er_dmeta dm;
	char buf[256];
	int oom = 0, i;

	for (i = 0; i < ER_C_N; i++)
		s[i] = col(st, i, &n[i]);
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, ER_C_ID);
	r->source_id = sqlite3_column_int64(st, ER_C_SOURCE);
	r->account = sqlite3_column_int64(st, ER_C_ACCOUNT);

	name_parse(s[ER_C_GIVEN], n[ER_C_GIVEN], s[ER_C_SURNAME], n[ER_C_SURNAME], s[ER_C_MATERNAL],
		   n[ER_C_MATERNAL], s[ER_C_FULL], n[ER_C_FULL], &np);
	if (np.only_particles)
		d->warn.only_particles++;
	else if (!np.ngiven && !np.sur1[0])
		d->warn.empty_name++;
	if (np.non_latin)
		d->warn.non_latin++;
	if (np.ngiven) {
		size_t k = 0;

		for (i = 0; i < np.ngiven; i++)
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? " " : "", np.given[i]);
		r->given = intern(d, buf, k < sizeof buf ? k : sizeof buf - 1, &oom);
		r->given1 = interns(d, np.given[0], &oom);
		r->nk_given1 = name_nicks_id(&d->nicks, np.given[0], strlen(np.given[0]));
		r->nk_given = np.ngiven > 1 ? name_nicks_id(&d->nicks, buf, strlen(buf)) : r->nk_given1;
		if (!np.non_latin) {
			er_phonetic_es(np.given[0], buf, 24);
			r->ph_given1 = interns(d, buf, &oom);
			er_dmeta(np.given[0], &dm);
			r->mp_given1 = interns(d, dm.primary, &oom);
			if (strcmp(dm.alternate, dm.primary))
				r->mp2_given1 = interns(d, dm.alternate, &oom);
		}
	}
	if (n[ER_C_NICK]) {
		name_fold(s[ER_C_NICK], n[ER_C_NICK], 0, buf, sizeof buf, NULL);
		r->nick = interns(d, buf, &oom);
	}
	r->sur1 = interns(d, np.sur1, &oom);
	r->sur1ny = interns(d, np.sur1_ny, &oom);
	r->sur2 = interns(d, np.sur2, &oom);
	if (np.sur1[0] && !np.non_latin) {
		er_phonetic_es(np.sur1, buf, 24);
		r->ph_sur1 = interns(d, buf, &oom);
		er_dmeta(np.sur1, &dm);
		r->mp_sur1 = interns(d, dm.primary, &oom);
		if (strcmp(dm.alternate, dm.primary))
			r->mp2_sur1 = interns(d, dm.alternate, &oom);
		if (np.sur2[0]) {
			er_dmeta(np.sur2, &dm);
			r->mp_sur2 = interns(d, dm.primary, &oom);
		}
	}
	if (n[ER_C_DOB]) {
		struct date_val dv;
		const char *why;

		if (date_parse(s[ER_C_DOB], n[ER_C_DOB], nc->order, nc->max_year % 100, 1900, nc->max_year, &dv,
			       &why) == 0) {
			r->y = (uint16_t)dv.y;
			r->m = (uint8_t)dv.m;
			r->d = (uint8_t)dv.d;
			r->dob_amb = (uint8_t)dv.ambiguous;
		} else
			d->warn.bad_dob++;
	}
	if (n[ER_C_SEX])
		r->sex = s[ER_C_SEX][0];
	if (n[ER_C_PHONE]) {
		/* numbers written without a country code belong to the record's country */
		char reg[3] = { 0 };
		const char *region = nc->region;

		if (n[ER_C_COUNTRY] == 2) {
			reg[0] = (char)(s[ER_C_COUNTRY][0] & ~0x20);
			reg[1] = (char)(s[ER_C_COUNTRY][1] & ~0x20);
			region = reg;
		}
		r->phone = phone_id(d, nc, region, s[ER_C_PHONE], n[ER_C_PHONE], &oom);
	}
	if (n[ER_C_EMAIL]) {
		char e[EMAIL_MAX];

		if (email_normalize(s[ER_C_EMAIL], n[ER_C_EMAIL], e) == 0)
			r->email = interns(d, e, &oom);
		else
			d->warn.bad_email++;
	}
	if (n[ER_C_ADDRESS] || n[ER_C_STREETNO]) {
		struct addr a;
		char line[320];
		int ln = snprintf(line, sizeof line, "%.*s %.*s", (int)n[ER_C_STREETNO], s[ER_C_STREETNO],
				  (int)n[ER_C_ADDRESS], s[ER_C_ADDRESS]);

		addr_normalize(line, ln < 0 ? 0 : (size_t)ln >= sizeof line ? sizeof line - 1 : (size_t)ln, &a);
		r->street = interns(d, a.street, &oom);
		r->stno = interns(d, a.number, &oom);
	}
	if (n[ER_C_ADDRESS2]) {
		name_fold(s[ER_C_ADDRESS2], n[ER_C_ADDRESS2], 0, buf, sizeof buf, NULL);
		r->addr2 = interns(d, buf, &oom);
	}
	if (n[ER_C_CITY]) {
		name_fold(s[ER_C_CITY], n[ER_C_CITY], 0, buf, sizeof buf, NULL);
		r->city = interns(d, buf, &oom);
	}
	if (n[ER_C_REGION]) {
		name_fold(s[ER_C_REGION], n[ER_C_REGION], 0, buf, sizeof buf, NULL);
		r->region = interns(d, buf, &oom);
	}
	if (n[ER_C_POSTCODE]) {
		addr_postcode(s[ER_C_POSTCODE], n[ER_C_POSTCODE], buf, 16);
		r->postcode = interns(d, buf, &oom);
	}
	if (n[ER_C_IDNUM]) {
		addr_postcode(s[ER_C_IDNUM], n[ER_C_IDNUM], buf, 64); /* alphanumerics, upper case */
		r->idnum = interns(d, buf, &oom);
	}
	if (r->street) {
		/* address entity key: number street [unit] | postcode or city */
		int k = snprintf(buf, sizeof buf, "%s%s%s|%s", er_str(d, r->stno), r->stno ? " " : "",
				 er_str(d, r->street), r->postcode ? er_str(d, r->postcode) : er_str(d, r->city));

		r->addrkey = intern(d, buf, k < 0 ? 0 : (size_t)k >= sizeof buf ? sizeof buf - 1 : (size_t)k, &oom);
	}
	return oom ? -1 : 0;
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
	int rc = 0;

	memset(d, 0, sizeof *d);
	vec_init(&d->recs, sizeof(struct er_rec));
	strmap_init(&d->strs);
	gmtime_r(&now, &tm);
	nc.region = cfg_str(ws->cfg, "resolve.default_region", "US");
	nc.order = strcmp(cfg_str(ws->cfg, "resolve.dob_order", "dmy"), "mdy") == 0 ? DATE_MDY : DATE_DMY;
	nc.max_year = tm.tm_year + 1900;
	strmap_init(&nc.phones);
	snprintf(path, sizeof path, "%s/nicknames.tsv", rastro_datadir());
	err_clear(&e);
	if (name_nicks_load(&d->nicks, path, &e)) {
		strmap_release(&nc.phones);
		return ws_error(ws, e.code, "%s", e.msg);
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
			return ws_error(ws, RASTRO_NOMEM, "out of memory reading person records");
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
			struct er_rec *r = vec_grow(&d->recs, 1);

			if (!r || normalise(d, &nc, st, r)) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory normalising person records");
				break;
			}
			if ((d->recs.len & 0xFFFF) == 0)
				ws_progress(ws, "resolve: read", d->recs.len, 0);
		}
		if (!rc && step != SQLITE_DONE)
			rc = ws_sqlerr(ws, "reading person records");
		sqlite3_finalize(st);
	}
	strmap_release(&nc.phones);
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
