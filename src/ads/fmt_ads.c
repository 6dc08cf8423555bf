/*
 * fmt_ads: online ads and posts as JSON Lines (`ads`) and CSV (`ads-csv`),
 * as specified in docs/formats.md.
 *
 * Each ad becomes a record of the `ad` table and an `ad` entity keyed
 * "site:id".  The identifiers the site gives in structured form become
 * entities at once — phones (E.164 through libphonenumber, with the ad's
 * country as the default region), emails, handles ("platform:name") and
 * image hashes — joined to the ad entity by `lists` edges that name the ad
 * record, so the finance and network modules see them as soon as the file
 * is loaded.  Identifiers in the free text are found later by `rastro ads`.
 *
 * A row is refused (quarantined) only when it cannot be an ad: no id, no
 * site, a missing or impossible posted_at, a value of the wrong JSON type,
 * or an id already seen in the same file.  A structured phone or email that
 * does not validate is kept as written in the record but makes no entity
 * (docs/ads.md says so).
 */
#include "ads/ads.h"
#include "ads/extract.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/sbuf.h"
#include "core/vec.h"
#include "normalize/email.h"
#include "normalize/phone.h"
#include "rastro.h"

static const char *const ad_cols[] = {
	"ext_id", "site", "url", "posted_at", "city", "region", "country", "category", "title", "body",
	"price", "currency", "author", "phones", "emails", "handles", "image_hashes", "entity",
};
const struct rec_kind rk_ad = { "ad", "ad", 1, sizeof ad_cols / sizeof ad_cols[0], ad_cols };

/* Input fields, in the order of ad_cols (F_ENTITY is not an input). */
enum {
	F_ID, F_SITE, F_URL, F_POSTED, F_CITY, F_REGION, F_COUNTRY, F_CATEGORY, F_TITLE, F_BODY,
	F_PRICE, F_CURRENCY, F_AUTHOR, F_PHONES, F_EMAILS, F_HANDLES, F_IMAGES, F_N
};

static const struct fmt_colspec ad_specs[F_N] = {
	[F_ID] = { "id", "id|ad_id|post_id", 1 },
	[F_SITE] = { "site", "site|platform|website", 1 },
	[F_URL] = { "url", "url|link", 0 },
	[F_POSTED] = { "posted_at", "posted_at|posted|post_date|created_at|timestamp|date", 1 },
	[F_CITY] = { "city", "city|location|ciudad", 0 },
	[F_REGION] = { "region", "region|state|province|estado", 0 },
	[F_COUNTRY] = { "country", "country|country_code|pais", 0 },
	[F_CATEGORY] = { "category", "category|section|categoria", 0 },
	[F_TITLE] = { "title", "title|subject|headline|titulo", 0 },
	[F_BODY] = { "body", "body|text|description|content|message", 0 },
	[F_PRICE] = { "price", "price|rate|precio", 0 },
	[F_CURRENCY] = { "currency", "currency|ccy|moneda", 0 },
	[F_AUTHOR] = { "author", "author|user|username|poster|account", 0 },
	[F_PHONES] = { "phones", "phones|phone|phone_numbers|telefono", 0 },
	[F_EMAILS] = { "emails", "emails|email|correo", 0 },
	[F_HANDLES] = { "handles", "handles|handle|social", 0 },
	[F_IMAGES] = { "image_hashes", "image_hashes|images|image_hash|photos", 0 },
};

/* One ad as read, before validation: borrowed strings. */
struct ad_in {
	const char *s[F_N];
	size_t n[F_N];
	int64_t posted;            /* set when posted_at was a JSON integer */
	int posted_is_int;
};

/* Per-file state of one thread: buffers for joined JSON arrays and numbers
 * as text, the phone cache, the identifiers of the ad being prepared. */
struct ad_state {
	struct sbuf arr[F_N];
	char num[F_N][40];
	struct ads_pcache pc;      /* phones of the structured field repeat across a poster's ads */
	struct vec refs;           /* struct ad_ref */
	struct arena scratch;      /* CSV: the prepared ad, cleared per row */
	const char *def_region;    /* ads.default_region */
};

/* ---- shared helpers ---- */

struct country_name {
	const char *name;
	const char *iso;
};

static const struct country_name countries[] = {
	{ "us", "US" }, { "usa", "US" }, { "united states", "US" }, { "united states of america", "US" },
	{ "estados unidos", "US" }, { "eeuu", "US" }, { "ee.uu.", "US" },
	{ "mx", "MX" }, { "mexico", "MX" }, { "méxico", "MX" }, { "mex", "MX" },
	{ "gt", "GT" }, { "guatemala", "GT" }, { "hn", "HN" }, { "honduras", "HN" },
	{ "sv", "SV" }, { "el salvador", "SV" }, { "ni", "NI" }, { "nicaragua", "NI" },
	{ "cr", "CR" }, { "costa rica", "CR" }, { "pa", "PA" }, { "panama", "PA" }, { "panamá", "PA" },
	{ "bz", "BZ" }, { "belize", "BZ" }, { "ca", "CA" }, { "canada", "CA" },
	{ "co", "CO" }, { "colombia", "CO" }, { "ve", "VE" }, { "venezuela", "VE" },
	{ "cu", "CU" }, { "cuba", "CU" }, { "do", "DO" }, { "dominican republic", "DO" },
	{ "república dominicana", "DO" }, { "ec", "EC" }, { "ecuador", "EC" }, { "pe", "PE" }, { "peru", "PE" },
	{ "perú", "PE" }, { "br", "BR" }, { "brazil", "BR" }, { "brasil", "BR" },
};

const char *ads_region_of(const char *country, size_t n, const char *def)
{
	size_t i;

	while (n && (*country == ' ' || *country == '\t')) {
		country++;
		n--;
	}
	while (n && (country[n - 1] == ' ' || country[n - 1] == '\t'))
		n--;
	if (!n)
		return def;
	for (i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (strlen(countries[i].name) == n && strncasecmp(countries[i].name, country, n) == 0)
			return countries[i].iso;
	return def;
}

/* Calls fn for each ';'-separated, trimmed, non-empty item of s. */
static int each_item(const char *s, size_t n, int (*fn)(void *, const char *, size_t), void *user)
{
	size_t i = 0;

	while (i < n) {
		const char *semi = memchr(s + i, ';', n - i);
		size_t end = semi ? (size_t)(semi - s) : n, a = i, b = end;

		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		if (b > a) {
			int rc = fn(user, s + a, b - a);

			if (rc)
				return rc;
		}
		i = end + 1;
	}
	return 0;
}

/* One structured identifier of an ad, normalised: an entity to link. */
struct ad_ref {
	const char *kind;          /* static: "phone", "email", "handle", "image" */
	const char *key, *label;   /* label may be NULL */
	size_t kl, ll;
};

/*
 * An ad validated and normalised, waiting for ad_emit: everything that
 * depends on the ad alone, so it can be done on another thread ahead of
 * the emit.  Its strings live as long as the arena ad_prepare was given
 * (or the CSV row, for in).
 */
struct ad_prep {
	struct ad_in in;
	int64_t ts;
	const char *key;           /* "site:id" */
	size_t kl;
	struct ad_ref *refs;       /* in the order the fields list them */
	size_t nref;
};

/* What the identifier callbacks of ad_prepare share. */
struct collect {
	struct ad_state *st;
	struct arena *a;
	const char *region;
	const struct ad_in *in;
};

static int add_ref(struct collect *c, const char *kind, const char *key, size_t kl, const char *label,
		   size_t ll)
{
	struct ad_ref *r;
	char *k = arena_strndup(c->a, key, kl);

	if (!k || vec_reserve(&c->st->refs, c->st->refs.len + 1))
		return -1;
	r = (struct ad_ref *)c->st->refs.data + c->st->refs.len++;
	r->kind = kind;
	r->key = k;
	r->kl = kl;
	r->label = label;
	r->ll = ll;
	return 0;
}

static int prep_phone(void *user, const char *s, size_t n)
{
	struct collect *c = user;
	struct phone p;

	if (ads_phone_parse_cached(&c->st->pc, s, n, c->region, &p))
		return 0;
	return add_ref(c, "phone", p.e164, strlen(p.e164), s, n);
}

static int prep_email(void *user, const char *s, size_t n)
{
	struct collect *c = user;
	char norm[EMAIL_MAX];

	if (email_normalize(s, n, norm))
		return 0;
	return add_ref(c, "email", norm, strlen(norm), s, n);
}

static int prep_handle(void *user, const char *s, size_t n)
{
	struct collect *c = user;
	char key[160];
	size_t kl = ads_handle_key(s, n, c->in->s[F_SITE], c->in->n[F_SITE], key, sizeof key);

	if (!kl)
		return 0;
	return add_ref(c, "handle", key, kl, s, n);
}

static int prep_image(void *user, const char *s, size_t n)
{
	struct collect *c = user;
	char key[160];
	size_t i;

	if (n >= sizeof key)
		return 0;
	for (i = 0; i < n; i++)
		key[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	return add_ref(c, "image", key, n, NULL, 0);
}

/* Length of the longest prefix of s (at most max bytes) that ends on a
 * UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

typedef int (*reject_fn)(struct fmt_run *, const void *, int, struct fmt_bad *, const char *);

/*
 * Validates one ad and normalises its identifiers into p (strings of `in`
 * are borrowed; the rest goes to arena a).  `reject` reports a bad field:
 * it returns 1 after filling bad.  Everything but the duplicate test, which
 * needs the rows before, is decided here.
 */
static int ad_prepare(struct ad_state *st, struct fmt_run *run, const struct ad_in *in, struct arena *a,
		      struct ad_prep *p, struct fmt_bad *bad, reject_fn reject, const void *rowref)
{
	char *key;
	const char *why;
	struct collect c;

	if (!in->n[F_ID])
		return reject(run, rowref, F_ID, bad, "missing");
	if (!in->n[F_SITE])
		return reject(run, rowref, F_SITE, bad, "missing");
	if (in->n[F_ID] > 256)
		return reject(run, rowref, F_ID, bad, "longer than 256 bytes");
	if (in->n[F_SITE] > 256)
		return reject(run, rowref, F_SITE, bad, "longer than 256 bytes");
	if (in->posted_is_int) {
		p->ts = in->posted;
	} else {
		if (!in->n[F_POSTED])
			return reject(run, rowref, F_POSTED, bad, "missing");
		why = parse_timestamp(in->s[F_POSTED], in->n[F_POSTED], &p->ts);
		if (why)
			return reject(run, rowref, F_POSTED, bad, why);
	}
	/* "site:id"; both are at most 256 bytes (checked above) */
	p->kl = in->n[F_SITE] + 1 + in->n[F_ID];
	key = arena_alloc(a, p->kl + 1);
	if (!key)
		return -1;
	memcpy(key, in->s[F_SITE], in->n[F_SITE]);
	key[in->n[F_SITE]] = ':';
	memcpy(key + in->n[F_SITE] + 1, in->s[F_ID], in->n[F_ID]);
	key[p->kl] = '\0';
	p->key = key;
	p->in = *in;
	vec_clear(&st->refs);
	c.st = st;
	c.a = a;
	c.in = in;
	c.region = ads_region_of(in->s[F_COUNTRY], in->n[F_COUNTRY], st->def_region);
	if (each_item(in->s[F_PHONES], in->n[F_PHONES], prep_phone, &c) ||
	    each_item(in->s[F_EMAILS], in->n[F_EMAILS], prep_email, &c) ||
	    each_item(in->s[F_HANDLES], in->n[F_HANDLES], prep_handle, &c) ||
	    each_item(in->s[F_IMAGES], in->n[F_IMAGES], prep_image, &c))
		return -1;
	p->nref = st->refs.len;
	p->refs = NULL;
	if (p->nref) {
		p->refs = arena_alloc(a, p->nref * sizeof *p->refs);
		if (!p->refs)
			return -1;
		memcpy(p->refs, st->refs.data, p->nref * sizeof *p->refs);
	}
	return 0;
}

/*
 * Emits a prepared ad in file order: refused when its id was seen before in
 * this file, else its record, its entity and one `lists` edge per
 * identifier (entities are created in this order, which fixes their ids).
 */
static int ad_emit(struct fmt_run *run, uint64_t line, const struct ad_prep *p, struct fmt_bad *bad,
		   reject_fn reject, const void *rowref)
{
	const struct ad_in *in = &p->in;
	uint64_t first;
	struct rec *r;
	int64_t ad_entity;
	size_t k;
	int i;

	if (fctx_seen_id(run->ctx, p->key, p->kl, line, &first)) {
		char reason[96];

		snprintf(reason, sizeof reason, "duplicate ad id for this site (first at line %llu)",
			 (unsigned long long)first);
		return reject(run, rowref, F_ID, bad, reason);
	}
	r = fctx_rec(run->ctx, &rk_ad, line);
	if (!r)
		return -1;
	{
		const char *label = in->n[F_TITLE] ? in->s[F_TITLE] : p->key;
		size_t ll = in->n[F_TITLE] ? utf8_cut(in->s[F_TITLE], in->n[F_TITLE], 80) : p->kl;

		ad_entity = fctx_entity(run->ctx, "ad", p->key, p->kl, label, ll, r->id);
	}
	if (!ad_entity)
		return -1;
	for (i = 0; i < F_N; i++) {
		if (i == F_POSTED)
			rec_set_int(r, i, p->ts);
		else if (i == F_ID || i == F_SITE)
			rec_set_text(run->ctx, r, i, in->s[i], in->n[i]);
		else
			rec_set_opt(run->ctx, r, i, in->s[i], in->n[i]);
	}
	rec_set_int(r, F_N, ad_entity);
	for (k = 0; k < p->nref; k++) {
		const struct ad_ref *ref = &p->refs[k];
		int64_t id = fctx_entity(run->ctx, ref->kind, ref->key, ref->kl, ref->label, ref->ll, r->id);

		if (!id || fctx_edge(run->ctx, ad_entity, id, "lists", p->ts, 1.0, r->id))
			return -1;
	}
	return 0;
}

/* ---- JSON Lines ---- */

static const char *const json_keys[F_N] = {
	"id", "site", "url", "posted_at", "city", "region", "country", "category", "title", "body",
	"price", "currency", "author", "phones", "emails", "handles", "image_hashes",
};
static const size_t json_key_len[F_N] = { 2, 4, 3, 9, 4, 6, 7, 8, 5, 4, 5, 8, 6, 6, 6, 7, 12 };

static int ads_sniff_object(const struct jdoc *obj)
{
	if (!jdoc_get(obj, "id") || !jdoc_get(obj, "posted_at") || !jdoc_get(obj, "site"))
		return 0;
	return 10 + (jdoc_get(obj, "body") ? 5 : 0) + (jdoc_get(obj, "title") ? 2 : 0);
}

/* The value of each input field in obj (NULL when absent): one pass over
 * the members, each key compared with the field names of its length. */
static void find_fields(const struct jdoc *obj, const struct jdoc_val *v[F_N])
{
	size_t m, nm = jdoc_nmembers(obj);
	int i;

	for (i = 0; i < F_N; i++)
		v[i] = NULL;
	for (m = 0; m < nm; m++) {
		const struct jdoc_member *mb = jdoc_member_at(obj, m);

		for (i = 0; i < F_N; i++) {
			if (json_key_len[i] == mb->keylen && memcmp(json_keys[i], mb->key, mb->keylen) == 0) {
				v[i] = &mb->v;
				break;
			}
		}
	}
}

static int json_reject(struct fmt_run *run, const void *rowref, int field, struct fmt_bad *bad,
		       const char *reason)
{
	const struct ad_in *in = rowref;

	(void)run;
	bad->field = -1;
	bad->key = json_keys[field];
	if (in->n[field])
		snprintf(bad->reason, sizeof bad->reason, "key '%s': %s ('%.*s')", json_keys[field], reason,
			 (int)(in->n[field] > 60 ? 60 : in->n[field]), in->s[field]);
	else
		snprintf(bad->reason, sizeof bad->reason, "key '%s': %s", json_keys[field], reason);
	return 1;
}

static struct ad_state *state_new(const struct cfg *cfg)
{
	struct ad_state *st = mem_calloc(1, sizeof *st);
	int i;

	if (!st)
		return NULL;
	for (i = 0; i < F_N; i++)
		sbuf_init(&st->arr[i]);
	ads_pcache_init(&st->pc, ADS_PCACHE_DEFAULT);
	vec_init(&st->refs, sizeof(struct ad_ref));
	arena_init(&st->scratch, 0);
	st->def_region = cfg_str(cfg, "ads.default_region", "US");
	return st;
}

static void state_free(struct ad_state *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < F_N; i++)
		sbuf_release(&st->arr[i]);
	ads_pcache_release(&st->pc);
	vec_release(&st->refs);
	arena_release(&st->scratch);
	mem_free(st);
}

static void ads_finish(struct fmt_run *run)
{
	state_free(run->state);
	run->state = NULL;
}

static void ads_prep_finish(void *pstate)
{
	state_free(pstate);
}

/* Reads the fields of obj into in (borrowed from obj and st); 0, or 1 after
 * filling bad. */
static int read_object(struct ad_state *st, const struct jdoc *obj, struct ad_in *in, struct fmt_bad *bad)
{
	const struct jdoc_val *vals[F_N];
	int i;

	find_fields(obj, vals);
	memset(in, 0, sizeof *in);
	for (i = 0; i < F_N; i++) {
		const struct jdoc_val *v = vals[i];

		in->s[i] = "";
		if (!v || v->type == JDOC_NULL)
			continue;
		if (v->type == JDOC_STRING) {
			in->s[i] = v->s;
			in->n[i] = v->n;
			/* trim surrounding spaces of short fields; text is kept as posted */
			if (i != F_TITLE && i != F_BODY) {
				while (in->n[i] && (*in->s[i] == ' ' || *in->s[i] == '\t')) {
					in->s[i]++;
					in->n[i]--;
				}
				while (in->n[i] && (in->s[i][in->n[i] - 1] == ' ' || in->s[i][in->n[i] - 1] == '\t'))
					in->n[i]--;
			}
		} else if (v->type == JDOC_INT && (i == F_ID || i == F_PRICE || i == F_POSTED)) {
			if (i == F_POSTED) {
				in->posted = v->i;
				in->posted_is_int = 1;
				continue;
			}
			snprintf(st->num[i], sizeof st->num[i], "%lld", (long long)v->i);
			in->s[i] = st->num[i];
			in->n[i] = strlen(st->num[i]);
		} else if (v->type == JDOC_REAL && i == F_PRICE) {
			snprintf(st->num[i], sizeof st->num[i], "%.15g", v->d);
			in->s[i] = st->num[i];
			in->n[i] = strlen(st->num[i]);
		} else if (v->type == JDOC_ARRAY && i >= F_PHONES) {
			size_t k;

			sbuf_clear(&st->arr[i]);
			for (k = 0; k < v->count; k++) {
				const struct jdoc_val *item = jdoc_item(obj, v, k);

				if (item->type != JDOC_STRING) {
					char reason[64];

					snprintf(reason, sizeof reason, "item %zu is not a string", k + 1);
					return json_reject(NULL, in, i, bad, reason);
				}
				if (st->arr[i].len)
					sbuf_addc(&st->arr[i], ';');
				sbuf_add(&st->arr[i], item->s, item->n);
			}
			if (sbuf_failed(&st->arr[i]))
				return -1;
			in->s[i] = st->arr[i].buf ? st->arr[i].buf : "";
			in->n[i] = st->arr[i].len;
		} else {
			return json_reject(NULL, in, i, bad,
					   i >= F_PHONES ? "expected an array of strings" :
					   i == F_PRICE ? "expected a number or a string" : "expected a string");
		}
	}
	return 0;
}

/* The JSON object's half that depends on it alone (format.h: prep). */
static int ads_prep(void **pstate, const struct cfg *cfg, const struct jdoc *obj, struct arena *a, void **out,
		    struct fmt_bad *bad)
{
	struct ad_state *st = *pstate;
	struct ad_prep *p;
	struct ad_in in;
	int i, rc;

	if (!st && !(st = *pstate = state_new(cfg)))
		return -1;
	rc = read_object(st, obj, &in, bad);
	if (rc)
		return rc;
	/* the strings outlive the parser's buffers: the emit comes later */
	for (i = 0; i < F_N; i++) {
		if (in.n[i] && !(in.s[i] = arena_strndup(a, in.s[i], in.n[i])))
			return -1;
	}
	p = arena_alloc(a, sizeof *p);
	if (!p)
		return -1;
	*out = p;
	return ad_prepare(st, NULL, &in, a, p, bad, json_reject, &in);
}

static int ads_emit(struct fmt_run *run, void *prepared, uint64_t line, struct fmt_bad *bad)
{
	const struct ad_prep *p = prepared;

	return ad_emit(run, line, p, bad, json_reject, &p->in);
}

const struct fmt fmt_ads = {
	.name = "ads",
	.kind = &rk_ad,
	.summary = "online ads and posts, JSON Lines: id, posted_at, site, url, city, title, body, phones, emails, handles...",
	.input = FMT_JSONL,
	.entity_kinds = "ad,phone,email,handle,image",
	.sniff_object = ads_sniff_object,
	.prep = ads_prep,
	.emit = ads_emit,
	.prep_finish = ads_prep_finish,
	.finish = ads_finish,
};

/* ---- CSV ---- */

static int ads_csv_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, ad_specs, F_N);

	/* An ad file has text: a header without body or title is not one. */
	if (s && csv_find(h, "body", 0) < 0 && csv_find(h, "title", 0) < 0 && csv_find(h, "text", 0) < 0 &&
	    csv_find(h, "description", 0) < 0)
		return 0;
	return s;
}

static int ads_csv_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping, struct rs_err *err)
{
	return fmt_bind_columns(run, h, ad_specs, F_N, mapping, "input", err);
}

static int csv_reject(struct fmt_run *run, const void *rowref, int field, struct fmt_bad *bad, const char *reason)
{
	return fmt_reject(run, rowref, ad_specs, field, bad, reason);
}

static int ads_csv_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	struct ad_state *st = run->state;
	struct ad_prep p;
	struct ad_in in;
	int i, rc;

	if (!st && !(st = run->state = state_new(fctx_cfg(run->ctx))))
		return -1;
	memset(&in, 0, sizeof in);
	for (i = 0; i < F_N; i++) {
		in.s[i] = fmt_field(run, row, i, &in.n[i]);
		if (memchr(in.s[i], '\0', in.n[i]))
			return fmt_reject(run, row, ad_specs, i, bad, "contains a NUL character");
	}
	arena_clear(&st->scratch);
	rc = ad_prepare(st, run, &in, &st->scratch, &p, bad, csv_reject, row);
	if (rc)
		return rc;
	return ad_emit(run, row->line, &p, bad, csv_reject, row);
}

const struct fmt fmt_ads_csv = {
	.name = "ads-csv",
	.kind = &rk_ad,
	.summary = "online ads and posts, CSV: the ads fields as columns, lists ';'-separated",
	.input = FMT_CSV,
	.entity_kinds = "ad,phone,email,handle,image",
	.sniff_header = ads_csv_sniff,
	.bind = ads_csv_bind,
	.row = ads_csv_row,
	.finish = ads_finish,
};
