/*
 * vic_refer: referrals of potential victims to service providers
 * (`rastro refer`).
 *
 * For each potential victim (minors first, then by score) the victim's
 * needs, place, language and populations are read from their indicators and
 * records; the matcher ranks the directory (vic_match.c) and the best
 * providers are recorded as `proposed` referrals with the named parts of
 * their score.  A proposal takes one open slot of the provider ranked first,
 * so that ten victims near one shelter with two beds are not all sent to it.
 *
 * Statuses follow the hotline's practice of referral and follow-up:
 * proposed -> made (the provider was contacted) -> accepted | declined;
 * a proposal can also be declined directly.  Every change is kept in
 * referral_event with its time, role and note.  Proposals nobody acted on
 * are refreshed on each run; referrals made, accepted or declined are never
 * changed by a run, and a provider that declined a victim is not proposed
 * to them again.
 */
#include "victims.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/sbuf.h"
#include "core/strmap.h"
#include "core/table.h"
#include "core/vec.h"

struct directory {
	struct vec prov;           /* struct vic_provider */
	struct vec rec;            /* int64_t provider record id */
	struct vec ext;            /* char * provider_id (arena) */
	struct vec centre;         /* struct centre per place id - 1 */
	struct strmap langs, places, ids;
	struct arena mem;
};

/* Where a city's providers are, on average: the place of a victim known
 * only by city. */
struct centre {
	double lat, lon;
	uint32_t n;
};

static void dir_release(struct directory *d)
{
	vec_release(&d->prov);
	vec_release(&d->rec);
	vec_release(&d->ext);
	vec_release(&d->centre);
	strmap_release(&d->langs);
	strmap_release(&d->places);
	strmap_release(&d->ids);
	arena_release(&d->mem);
}

/* "city|region" folded to lower case, or 0 when no city. */
static uint32_t place_id(struct strmap *m, const char *city, const char *region, int add)
{
	char key[160];
	size_t i, n;

	if (!city || !*city)
		return 0;
	n = (size_t)snprintf(key, sizeof key, "%s|%s", city, region ? region : "");
	if (n >= sizeof key)
		n = sizeof key - 1;
	for (i = 0; i < n; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] + 32);
	return add ? strmap_intern(m, key, n, NULL) : strmap_find(m, key, n);
}

/*
 * The directory as the matcher sees it: the newest row of each provider_id
 * (a reloaded directory supersedes the old one), with the open slots less
 * the referrals made or accepted since that directory was loaded.
 */
static int load_directory(rastro_ws *ws, struct directory *d)
{
	sqlite3_stmt *st;
	int rc;

	if (ws_prepare(ws, "SELECT p.id, p.ext_id, p.services_mask, p.populations_mask, p.languages, p.lat, p.lon,"
			   " p.capacity, p.available, p.city, p.region,"
			   " (SELECT count(*) FROM referral r WHERE r.provider = p.ext_id"
			   "  AND r.status IN ('made', 'accepted') AND r.updated_at >= s.loaded_at)"
			   " FROM provider p JOIN source s ON s.id = p.source_id"
			   " WHERE p.id IN (SELECT max(id) FROM provider GROUP BY ext_id) ORDER BY p.id", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vic_provider *p = vec_grow(&d->prov, 1);
		int64_t id = sqlite3_column_int64(st, 0);
		const char *ext = (const char *)sqlite3_column_text(st, 1);
		const char *langs = (const char *)sqlite3_column_text(st, 4);
		char *copy = arena_strdup(&d->mem, ext ? ext : "");
		int nl = 0;

		if (!p || !copy || vec_push(&d->rec, &id) || vec_push(&d->ext, &copy))
			goto oom;
		p->services = (uint32_t)sqlite3_column_int64(st, 2);
		p->populations = (uint32_t)sqlite3_column_int64(st, 3);
		p->lat = sqlite3_column_double(st, 5);
		p->lon = sqlite3_column_double(st, 6);
		p->capacity = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7);
		p->available = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 8);
		if (p->available > 0) {
			p->available -= sqlite3_column_int(st, 11);
			if (p->available < 0)
				p->available = 0;
		}
		{
			uint32_t pl = place_id(&d->places, (const char *)sqlite3_column_text(st, 9),
					       (const char *)sqlite3_column_text(st, 10), 1);
			struct centre *c;

			if (pl && d->centre.len < pl && !vec_grow(&d->centre, pl - d->centre.len))
				goto oom;
			if (pl) {
				c = vec_at(&d->centre, pl - 1);
				c->lat += p->lat;
				c->lon += p->lon;
				c->n++;
			}
		}
		while (langs && *langs && nl < VIC_LANGS_MAX - 1) {
			const char *semi = strchr(langs, ';');
			size_t n = semi ? (size_t)(semi - langs) : strlen(langs);

			if (n && !(p->lang[nl++] = strmap_intern(&d->langs, langs, n, NULL)))
				goto oom;
			langs = semi ? semi + 1 : NULL;
		}
		if (!strmap_intern(&d->ids, copy, strlen(copy), NULL))
			goto oom;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading the providers directory");
	return 0;
oom:
	sqlite3_finalize(st);
	return ws_error(ws, RASTRO_NOMEM, "out of memory reading the providers directory");
}

/* Services an indicator calls for: victims.needs.KEY, else the built-in list. */
static uint32_t needs_of(const struct cfg *cfg, int code)
{
	char key[96];
	uint32_t mask = 0;
	char bad[48];
	size_t i, n;

	snprintf(key, sizeof key, "victims.needs.%s", vic_indicators[code].key);
	if (!cfg_has(cfg, key)) {
		const char *s = vic_indicators[code].needs;

		vic_services_mask(s, strlen(s), &mask, bad, sizeof bad);
		return mask;
	}
	n = cfg_array_len(cfg, key);
	for (i = 0; i < n; i++) {
		const char *s = cfg_array_str(cfg, key, i);
		int v = s ? vic_service_parse(s, strlen(s)) : -1;

		if (v >= 0)
			mask |= 1u << v;
	}
	return mask;
}

static uint32_t needs_always(const struct cfg *cfg)
{
	static const char *const def = "case_management;mental_health";
	uint32_t mask = 0;
	char bad[48];
	size_t i, n;

	if (!cfg_has(cfg, "victims.needs.always")) {
		vic_services_mask(def, strlen(def), &mask, bad, sizeof bad);
		return mask;
	}
	n = cfg_array_len(cfg, "victims.needs.always");
	for (i = 0; i < n; i++) {
		const char *s = cfg_array_str(cfg, "victims.needs.always", i);
		int v = s ? vic_service_parse(s, strlen(s)) : -1;

		if (v >= 0)
			mask |= 1u << v;
	}
	return mask;
}

struct client_row {
	int64_t victim;
	int minor;
	struct vic_client c;
	uint32_t excl[16];
	size_t nexcl;
};

/* Statements used to build one victim's profile. */
struct profile_q {
	sqlite3_stmt *codes, *enc, *kyc, *ad, *pay, *served, *declined;
};

static void profile_release(struct profile_q *q)
{
	sqlite3_finalize(q->codes);
	sqlite3_finalize(q->enc);
	sqlite3_finalize(q->kyc);
	sqlite3_finalize(q->ad);
	sqlite3_finalize(q->pay);
	sqlite3_finalize(q->served);
	sqlite3_finalize(q->declined);
}

static int profile_prepare(rastro_ws *ws, struct profile_q *q)
{
	int64_t ads = 0;

	memset(q, 0, sizeof *q);
	if (ws_query_i64(ws, "SELECT count(*) FROM sqlite_master WHERE name = 'ad_ident'", 0, &ads))
		return ws->err.code;
	/* A person known from ads is where their latest ad was posted. */
	if (ads && ws_prepare(ws, "SELECT a.city, a.region FROM ad_ident d JOIN vic_group g ON g.entity_id = d.entity_id"
				  " JOIN ad a ON a.id = d.ad_id WHERE g.victim = ?1 AND d.kind = 'image'"
				  " AND a.city IS NOT NULL ORDER BY a.posted_at DESC, a.id DESC LIMIT 1", &q->ad))
		return ws->err.code;
	if (ws_prepare(ws, "SELECT DISTINCT h.code FROM vic_hit h JOIN vic_group g ON g.entity_id = h.entity_id"
			   " WHERE g.victim = ?1", &q->codes) ||
	    ws_prepare(ws, "SELECT e.lat, e.lon, e.city, e.region, e.sex, e.language FROM encounter e"
			   " JOIN vic_person p ON p.record_id = e.id JOIN vic_group g ON g.entity_id = p.entity_id"
			   " WHERE g.victim = ?1 ORDER BY e.lat IS NULL, e.ts DESC, e.id DESC LIMIT 1", &q->enc) ||
	    ws_prepare(ws, "SELECT k.city, k.region FROM kyc k JOIN vic_group g ON g.entity_id = k.account"
			   " WHERE g.victim = ?1 AND k.city IS NOT NULL ORDER BY k.id DESC LIMIT 1", &q->kyc) ||
	    /* A worker known only from payroll credits in their name
	     * (VIC.PAY_TO_OTHER) is where their pay was credited. */
	    ws_prepare(ws, "SELECT t.city, t.region FROM vic_hit h JOIN vic_group g ON g.entity_id = h.entity_id"
			   " JOIN txn t ON t.id = h.record_id WHERE g.victim = ?1 AND h.code = 'VIC.PAY_TO_OTHER'"
			   " AND t.city IS NOT NULL ORDER BY t.ts DESC, t.id DESC LIMIT 1", &q->pay) ||
	    ws_prepare(ws, "SELECT 1 FROM referral r JOIN vic_group g ON g.entity_id = r.victim"
			   " WHERE g.victim = ?1 AND r.status IN ('made', 'accepted')", &q->served) ||
	    ws_prepare(ws, "SELECT r.provider FROM referral r JOIN vic_group g ON g.entity_id = r.victim"
			   " WHERE g.victim = ?1 AND r.status = 'declined'", &q->declined)) {
		profile_release(q);
		return ws->err.code;
	}
	return 0;
}

/* Returns 1 when the victim is already served (skip), 0 when profiled. */
static int profile(rastro_ws *ws, struct profile_q *q, struct directory *d, struct client_row *cr)
{
	const struct cfg *cfg = ws->cfg;
	struct vic_client *c = &cr->c;
	uint32_t city = 0;
	int served;

	sqlite3_bind_int64(q->served, 1, cr->victim);
	served = sqlite3_step(q->served) == SQLITE_ROW;
	sqlite3_reset(q->served);
	if (served)
		return 1;
	c->lat = c->lon = NAN;
	c->needs = needs_always(cfg);
	c->minor = cr->minor;
	sqlite3_bind_int64(q->codes, 1, cr->victim);
	while (sqlite3_step(q->codes) == SQLITE_ROW) {
		int code = vic_code_find((const char *)sqlite3_column_text(q->codes, 0));
		const char *pop;
		int v;

		if (code < 0)
			continue;
		c->needs |= needs_of(cfg, code);
		pop = vic_indicators[code].population;
		if (*pop && (v = vic_population_parse(pop, strlen(pop))) >= 0 && v != POP_MINORS)
			c->prefer |= 1u << v;
	}
	sqlite3_reset(q->codes);
	sqlite3_bind_int64(q->enc, 1, cr->victim);
	if (sqlite3_step(q->enc) == SQLITE_ROW) {
		const char *sex = (const char *)sqlite3_column_text(q->enc, 4);
		const char *lang = (const char *)sqlite3_column_text(q->enc, 5);

		if (sqlite3_column_type(q->enc, 0) != SQLITE_NULL) {
			c->lat = sqlite3_column_double(q->enc, 0);
			c->lon = sqlite3_column_double(q->enc, 1);
		}
		city = place_id(&d->places, (const char *)sqlite3_column_text(q->enc, 2),
				(const char *)sqlite3_column_text(q->enc, 3), 0);
		c->sex = sex ? sex[0] : 0;
		if (lang)
			c->lang = strmap_find(&d->langs, lang, strlen(lang));
		/* A language no provider lists still counts as known: it earns
		 * only the language-access part. */
		if (lang && !c->lang)
			c->lang = UINT32_MAX;
	}
	sqlite3_reset(q->enc);
	if (isnan(c->lat) && !city) {
		sqlite3_bind_int64(q->kyc, 1, cr->victim);
		if (sqlite3_step(q->kyc) == SQLITE_ROW)
			city = place_id(&d->places, (const char *)sqlite3_column_text(q->kyc, 0),
					(const char *)sqlite3_column_text(q->kyc, 1), 0);
		sqlite3_reset(q->kyc);
	}
	if (isnan(c->lat) && !city) {
		sqlite3_bind_int64(q->pay, 1, cr->victim);
		if (sqlite3_step(q->pay) == SQLITE_ROW)
			city = place_id(&d->places, (const char *)sqlite3_column_text(q->pay, 0),
					(const char *)sqlite3_column_text(q->pay, 1), 0);
		sqlite3_reset(q->pay);
	}
	if (isnan(c->lat) && !city && q->ad) {
		sqlite3_bind_int64(q->ad, 1, cr->victim);
		if (sqlite3_step(q->ad) == SQLITE_ROW)
			city = place_id(&d->places, (const char *)sqlite3_column_text(q->ad, 0),
					(const char *)sqlite3_column_text(q->ad, 1), 0);
		sqlite3_reset(q->ad);
	}
	if (isnan(c->lat) && city && city <= d->centre.len) {
		const struct centre *ce = vec_at(&d->centre, city - 1);

		c->lat = ce->lat / ce->n;
		c->lon = ce->lon / ce->n;
		c->place_only = 1;
	}
	if (c->sex == 'X')
		c->prefer |= 1u << POP_LGBTQ;
	cr->nexcl = 0;
	sqlite3_bind_int64(q->declined, 1, cr->victim);
	while (sqlite3_step(q->declined) == SQLITE_ROW && cr->nexcl < 16) {
		const char *pid = (const char *)sqlite3_column_text(q->declined, 0);
		uint32_t id = pid ? strmap_find(&d->ids, pid, strlen(pid)) : 0;

		if (id)
			cr->excl[cr->nexcl++] = id - 1;
	}
	sqlite3_reset(q->declined);
	c->exclude = cr->excl;
	c->nexclude = cr->nexcl;
	return 0;
}

/* The named parts as JSON and as a sentence. */
static void explain(const struct directory *d, const struct vic_client *c, const struct vic_rank *r,
		    struct sbuf *parts, struct sbuf *text)
{
	const struct vic_provider *p = vec_at(&d->prov, r->provider);
	char have[256], miss[256];
	size_t k;

	sbuf_clear(parts);
	sbuf_clear(text);
	sbuf_addf(parts, "{\"needs\":%.4f,\"distance\":%.4f,\"language\":%.4f,\"population\":%.4f,"
			 "\"capacity\":%.4f,\"total\":%.4f}", r->p_needs, r->p_distance, r->p_language,
		  r->p_population, r->p_capacity, r->score);
	vic_mask_names(r->covered, vic_services, SVC_N, have, sizeof have);
	vic_mask_names(r->wanted & ~r->covered, vic_services, SVC_N, miss, sizeof miss);
	sbuf_addf(text, "needs %d/%d%s +%.2f (%s%s%s)", __builtin_popcount(r->covered), __builtin_popcount(r->wanted),
		  r->wanted != c->needs ? " not covered above" : "", r->p_needs, have[0] ? have : "none",
		  miss[0] ? "; lacks " : "", miss);
	if (isnan(r->km))
		sbuf_addf(text, " + distance unknown +0.00");
	else
		sbuf_addf(text, " + %s%.1f km%s%s +%.2f", c->place_only ? "about " : "", r->km,
			  c->place_only ? " (place known by city only)" : "",
			  r->widened ? " (beyond the usual radius)" : "", r->p_distance);
	if (r->lang_match == 2) {
		const char *lang = NULL;

		for (k = 0; k < VIC_LANGS_MAX && p->lang[k]; k++)
			if (p->lang[k] == c->lang)
				lang = strmap_key(&d->langs, p->lang[k], NULL);
		sbuf_addf(text, " + speaks %s +%.2f", lang ? lang : "their language", r->p_language);
	} else if (r->lang_match == 1) {
		sbuf_addf(text, " + language access +%.2f", r->p_language);
	} else {
		sbuf_addf(text, " + language %s +0.00", c->lang ? "not offered" : "unknown");
	}
	if (c->prefer) {
		char pops[200];

		vic_mask_names(p->populations & c->prefer, vic_populations, POP_N, pops, sizeof pops);
		sbuf_addf(text, " + serves %s +%.2f", pops[0] ? pops : "none of their populations", r->p_population);
	}
	if (r->open < 0)
		sbuf_addf(text, " + capacity unknown +0.00");
	else if (r->open == 0)
		sbuf_addf(text, " + no open slot %.2f", r->p_capacity);
	else
		sbuf_addf(text, " + %d open +%.2f", r->open, r->p_capacity);
	sbuf_addf(text, " = %.2f", r->score);
}

static int deny(rastro_ws *ws, const char *role, const char *what)
{
	return ws_error(ws, RASTRO_DENIED, "role '%s' may not %s: victim data is for victim-services roles "
			"(settings victims.services_roles); other roles see counts", role, what);
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The statements that record one victim's proposals, prepared once a run. */
struct writer {
	sqlite3_stmt *up, *ins, *ev, *del;
	struct sbuf parts, text, keep;
};

static void writer_release(struct writer *w)
{
	sqlite3_finalize(w->up);
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->ev);
	sqlite3_finalize(w->del);
	sbuf_release(&w->parts);
	sbuf_release(&w->text);
	sbuf_release(&w->keep);
}

static int writer_prepare(rastro_ws *ws, struct writer *w)
{
	memset(w, 0, sizeof *w);
	sbuf_init(&w->parts);
	sbuf_init(&w->text);
	sbuf_init(&w->keep);
	if (ws_prepare(ws, "UPDATE referral SET rank = ?3, score = ?4, parts = ?5, explanation = ?6, needs = ?7,"
			   " km = ?8, provider_record = ?9, updated_at = ?10, run_id = ?11"
			   " WHERE victim = ?1 AND provider = ?2 AND status = 'proposed'", &w->up) ||
	    ws_prepare(ws, "INSERT INTO referral(victim, provider, provider_record, rank, score, parts, explanation,"
			   " needs, km, status, created_at, updated_at, run_id)"
			   " VALUES(?1, ?2, ?9, ?3, ?4, ?5, ?6, ?7, ?8, 'proposed', ?10, ?10, ?11)"
			   " ON CONFLICT(victim, provider) DO NOTHING", &w->ins) ||
	    ws_prepare(ws, "INSERT INTO referral_event(referral_id, status, at, role, note, run_id)"
			   " VALUES(?1, 'proposed', ?2, ?3, 'ranked by rastro refer', ?4)", &w->ev) ||
	    /* Proposals nobody acted on, for this person under any of their
	     * entity ids, that are not in the new ranking (?2: JSON list). */
	    ws_prepare(ws, "DELETE FROM referral WHERE status = 'proposed' AND victim IN"
			   " (SELECT entity_id FROM vic_group WHERE victim = ?1)"
			   " AND NOT (victim = ?1 AND provider IN (SELECT value FROM json_each(?2)))", &w->del)) {
		writer_release(w);
		return ws->err.code;
	}
	return 0;
}

static int write_referrals(rastro_ws *ws, struct writer *w, const struct directory *d, const struct client_row *cr,
			   const struct vic_rank *ranks, int k, const char *role, const char *now,
			   struct rastro_refer_stats *stats)
{
	char needs[256];
	int i;

	vic_mask_names(cr->c.needs, vic_services, SVC_N, needs, sizeof needs);
	sbuf_clear(&w->keep);
	sbuf_addc(&w->keep, '[');
	for (i = 0; i < k; i++) {
		const struct vic_rank *r = &ranks[i];
		const char *ext = *(char **)vec_at(&d->ext, r->provider);
		sqlite3_stmt *st;

		explain(d, &cr->c, r, &w->parts, &w->text);
		sbuf_adds(&w->keep, i ? ",\"" : "\"");
		sbuf_add_json_escaped(&w->keep, ext, strlen(ext));
		sbuf_addc(&w->keep, '"');
		if (sbuf_failed(&w->parts) || sbuf_failed(&w->text))
			return ws_error(ws, RASTRO_NOMEM, "out of memory");
		for (st = w->up; st; st = st == w->up ? w->ins : NULL) {
			sqlite3_bind_int64(st, 1, cr->victim);
			sqlite3_bind_text(st, 2, ext, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 3, i + 1);
			sqlite3_bind_double(st, 4, r->score);
			sqlite3_bind_text(st, 5, w->parts.buf, (int)w->parts.len, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, w->text.buf, (int)w->text.len, SQLITE_STATIC);
			sqlite3_bind_text(st, 7, needs, -1, SQLITE_STATIC);
			if (isnan(r->km))
				sqlite3_bind_null(st, 8);
			else
				sqlite3_bind_double(st, 8, r->km);
			sqlite3_bind_int64(st, 9, *(int64_t *)vec_at(&d->rec, r->provider));
			sqlite3_bind_text(st, 10, now, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 11, ws->run_id);
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_reset(st);
				return ws_sqlerr(ws, "recording a referral");
			}
			sqlite3_reset(st);
			if (!sqlite3_changes(ws->db))
				continue;
			stats->proposed++;
			if (st == w->ins) {
				sqlite3_bind_int64(w->ev, 1, sqlite3_last_insert_rowid(ws->db));
				sqlite3_bind_text(w->ev, 2, now, -1, SQLITE_STATIC);
				sqlite3_bind_text(w->ev, 3, role, -1, SQLITE_STATIC);
				sqlite3_bind_int64(w->ev, 4, ws->run_id);
				if (sqlite3_step(w->ev) != SQLITE_DONE) {
					sqlite3_reset(w->ev);
					return ws_sqlerr(ws, "recording a referral event");
				}
				sqlite3_reset(w->ev);
			}
			break;   /* updated, no insert needed */
		}
	}
	sbuf_addc(&w->keep, ']');
	if (sbuf_failed(&w->keep))
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	sqlite3_bind_int64(w->del, 1, cr->victim);
	sqlite3_bind_text(w->del, 2, w->keep.buf, (int)w->keep.len, SQLITE_STATIC);
	if (sqlite3_step(w->del) != SQLITE_DONE) {
		sqlite3_reset(w->del);
		return ws_sqlerr(ws, "refreshing proposals");
	}
	sqlite3_reset(w->del);
	return 0;
}

int rastro_refer_run(rastro_ws *ws, const struct rastro_refer_opts *opts, struct rastro_refer_stats *stats)
{
	struct rastro_refer_stats local;
	struct vic_match_cfg mc;
	struct directory d;
	struct profile_q q;
	struct writer w;
	struct vic_matcher *m = NULL;
	struct vec clients;
	const char *role;
	sqlite3_stmt *sel = NULL;
	char now[32], summary[160];
	double t0 = now_seconds();
	size_t i;
	int rc, q_ready = 0, w_ready = 0;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	err_clear(&ws->err);
	if (vic_view_for(ws, opts ? opts->role : NULL, &role) != VIC_VIEW_FULL)
		return deny(ws, role, "make referrals");
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' is open read-only", ws->path);
	vic_match_cfg_load(&mc, ws->cfg);
	if (opts && opts->top > 0)
		mc.top = opts->top > VIC_TOP_MAX ? VIC_TOP_MAX : opts->top;
	memset(&d, 0, sizeof d);
	vec_init(&d.prov, sizeof(struct vic_provider));
	vec_init(&d.rec, sizeof(int64_t));
	vec_init(&d.ext, sizeof(char *));
	vec_init(&d.centre, sizeof(struct centre));
	strmap_init(&d.langs);
	strmap_init(&d.places);
	strmap_init(&d.ids);
	arena_init(&d.mem, 0);
	vec_init(&clients, sizeof(struct client_row));
	ws_now(now);
	if (ws_run_begin(ws, "refer", role)) {
		rc = ws->err.code;
		goto out;
	}
	if (ws_begin(ws)) {
		rc = ws->err.code;
		goto end;
	}
	if ((rc = load_directory(ws, &d)))
		goto rollback;
	stats->providers = d.prov.len;
	if ((rc = profile_prepare(ws, &q)))
		goto rollback;
	q_ready = 1;
	if (ws_prepare(ws, "SELECT f.entity_id, f.minor FROM victim_flag f JOIN vic_group g"
			   " ON g.entity_id = f.entity_id AND g.victim = f.entity_id"
			   " ORDER BY f.minor DESC, f.score DESC, f.entity_id", &sel)) {
		rc = ws->err.code;
		goto rollback;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		struct client_row *cr = vec_grow(&clients, 1);

		if (!cr) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto rollback;
		}
		cr->victim = sqlite3_column_int64(sel, 0);
		cr->minor = sqlite3_column_int(sel, 1);
		stats->victims++;
		if (profile(ws, &q, &d, cr)) {
			stats->skipped++;
			clients.len--;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "reading potential victims");
		goto rollback;
	}
	if ((rc = writer_prepare(ws, &w)))
		goto rollback;
	w_ready = 1;
	m = vic_matcher_new(d.prov.data, d.prov.len, &mc);
	if (!m) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory building the provider index");
		goto rollback;
	}
	for (i = 0; i < clients.len; i++) {
		struct client_row *cr = vec_at(&clients, i);
		struct vic_rank ranks[VIC_TOP_MAX];
		int k = vic_match(m, &cr->c, ranks);

		if (!k)
			stats->unmatched++;
		else
			vic_match_take(m, ranks[0].provider);
		if ((rc = write_referrals(ws, &w, &d, cr, ranks, k, role, now, stats)))
			goto rollback;
		if ((i & 255) == 0)
			ws_progress(ws, "refer", i, clients.len);
	}
	if ((rc = ws_commit(ws)))
		goto end;
	stats->seconds = now_seconds() - t0;
	snprintf(summary, sizeof summary, "%llu victims, %llu referrals proposed, %llu unmatched, %llu providers",
		 (unsigned long long)stats->victims, (unsigned long long)stats->proposed,
		 (unsigned long long)stats->unmatched, (unsigned long long)stats->providers);
	ws_run_end(ws, 0, summary);
	rc = 0;
	goto out;
rollback:
	{
		char msg[ERR_MSG_MAX];

		snprintf(msg, sizeof msg, "%s", ws->err.msg);
		ws_rollback(ws);
		err_set(&ws->err, rc, "%s", msg);
	}
end:
	ws_run_end(ws, rc, ws->err.msg);
out:
	sqlite3_finalize(sel);
	if (q_ready)
		profile_release(&q);
	if (w_ready)
		writer_release(&w);
	vic_matcher_free(m);
	vec_release(&clients);
	dir_release(&d);
	return rc;
}

/* ---- listing and status changes ---- */

int rastro_referrals(rastro_ws *ws, const char *role, int64_t victim, rastro_table **out, int *full)
{
	static const char *const cols[] = {
		"referral:int", "victim:int", "minor", "rank:int", "status", "provider", "provider_name", "services",
		"km:real", "score:real", "explanation", "phone", "updated_at",
	};
	static const char *const ccols[] = { "status", "referrals:int", "victims:int" };
	const char *eff;
	rastro_table *t;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (full)
		*full = 0;
	err_clear(&ws->err);
	if (vic_view_for(ws, role, &eff) != VIC_VIEW_FULL) {
		t = tbl_new("referrals (counts only)", ccols, 3);
		if (!t)
			return ws_error(ws, RASTRO_NOMEM, "out of memory");
		if (ws_prepare(ws, "SELECT s.status, count(r.id), count(DISTINCT r.victim) FROM"
				   " (SELECT 'proposed' AS status, 1 AS o UNION ALL SELECT 'made', 2 UNION ALL"
				   "  SELECT 'accepted', 3 UNION ALL SELECT 'declined', 4) s"
				   " LEFT JOIN referral r ON r.status = s.status GROUP BY s.status ORDER BY s.o", &st)) {
			rastro_table_free(t);
			return ws->err.code;
		}
	} else {
		if (full)
			*full = 1;
		t = tbl_new("referrals", cols, sizeof cols / sizeof cols[0]);
		if (!t)
			return ws_error(ws, RASTRO_NOMEM, "out of memory");
		if (ws_prepare(ws, "SELECT r.id, r.victim, CASE WHEN f.minor THEN 'yes' ELSE '' END, r.rank, r.status,"
				   " r.provider, p.name, p.services, printf('%.1f', r.km), printf('%.2f', r.score), r.explanation,"
				   " p.phone, r.updated_at FROM referral r"
				   " LEFT JOIN provider p ON p.id = r.provider_record"
				   " LEFT JOIN victim_flag f ON f.entity_id = r.victim"
				   " WHERE ?1 = 0 OR r.victim = ?1"
				   " ORDER BY coalesce(f.minor, 0) DESC, coalesce(f.score, 0) DESC, r.victim, r.rank, r.id",
				   &st)) {
			rastro_table_free(t);
			return ws->err.code;
		}
		sqlite3_bind_int64(st, 1, victim);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i, n = sqlite3_column_count(st);

		tbl_row(t);
		for (i = 0; i < n; i++)
			if (sqlite3_column_type(st, i) != SQLITE_NULL)
				tbl_setn(t, (size_t)i, (const char *)sqlite3_column_text(st, i),
					 (size_t)sqlite3_column_bytes(st, i));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rastro_table_free(t);
		return ws_sqlerr(ws, "listing referrals");
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

static int allowed(const char *from, const char *to)
{
	if (strcmp(from, "proposed") == 0)
		return strcmp(to, "made") == 0 || strcmp(to, "declined") == 0;
	if (strcmp(from, "made") == 0)
		return strcmp(to, "accepted") == 0 || strcmp(to, "declined") == 0;
	return 0;
}

int rastro_referral_set_status(rastro_ws *ws, const char *role, int64_t referral, const char *status,
			       const char *note)
{
	static const char *const known[] = { "proposed", "made", "accepted", "declined" };
	sqlite3_stmt *st = NULL;
	char from[16] = "", now[32], args[96];
	const char *eff;
	size_t i;
	int rc, ok = 0;

	err_clear(&ws->err);
	if (vic_view_for(ws, role, &eff) != VIC_VIEW_FULL)
		return deny(ws, eff, "change referrals");
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' is open read-only", ws->path);
	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		ok |= status && strcmp(status, known[i]) == 0;
	if (!ok)
		return ws_error(ws, RASTRO_USAGE, "unknown referral status '%s' (proposed, made, accepted, declined)",
				status ? status : "");
	snprintf(args, sizeof args, "referral %lld -> %s", (long long)referral, status);
	if (ws_run_begin(ws, "refer --set-status", args))
		return ws->err.code;
	if (ws_begin(ws)) {
		rc = ws->err.code;
		ws_run_end(ws, rc, ws->err.msg);
		return rc;
	}
	if (ws_prepare(ws, "SELECT status FROM referral WHERE id = ?1", &st)) {
		rc = ws->err.code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, referral);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(from, sizeof from, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? ws_error(ws, RASTRO_NOTFOUND, "no referral %lld (rastro refer lists them)",
						  (long long)referral)
				       : ws_sqlerr(ws, "reading a referral");
		goto fail;
	}
	if (!allowed(from, status)) {
		rc = ws_error(ws, RASTRO_USAGE, "referral %lld is '%s'; it cannot become '%s' (proposed -> made or "
			      "declined; made -> accepted or declined)", (long long)referral, from, status);
		goto fail;
	}
	ws_now(now);
	if (ws_prepare(ws, "UPDATE referral SET status = ?2, updated_at = ?3 WHERE id = ?1", &st)) {
		rc = ws->err.code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, referral);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "changing a referral's status");
		goto fail;
	}
	if (ws_prepare(ws, "INSERT INTO referral_event(referral_id, status, at, role, note, run_id)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &st)) {
		rc = ws->err.code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, referral);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, eff, -1, SQLITE_STATIC);
	if (note)
		sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, ws->run_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "recording a referral event");
		goto fail;
	}
	if ((rc = ws_commit(ws)))
		goto fail;
	ws_run_end(ws, 0, args);
	return 0;
fail:
	{
		char msg[ERR_MSG_MAX];

		snprintf(msg, sizeof msg, "%s", ws->err.msg);
		sqlite3_finalize(st);
		ws_rollback(ws);
		ws_run_end(ws, rc, msg);
		err_set(&ws->err, rc, "%s", msg);
	}
	return rc;
}
