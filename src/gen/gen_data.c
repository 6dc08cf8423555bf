/*
 * gen_data: the generator's data tables, read from text files under the
 * data directory (names, places, streets, banks, spending, merchants,
 * businesses, memos, ad sentences, provider patterns, nicknames).  Each
 * file names its public source in its header comment; this code only
 * parses them.  Everything lives in the generator's arena.
 */
#include "gen_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

/* ---- TSV reading -------------------------------------------------------- */

typedef int (*row_fn)(gen_t *g, char **f, int nf, const char *where, void *ctx);

#define TSV_MAXF 16

/* Reads DATADIR/rel, calls fn for each non-comment line split on tabs. */
static int tsv_each(gen_t *g, const char *rel, int mincols, row_fn fn, void *ctx)
{
	struct sbuf path = SBUF_INIT;
	FILE *f;
	char *text;
	long size;
	size_t got;
	char *line, *next;
	int lineno = 0, rc = 0;

	sbuf_addf(&path, "%s/%s", rastro_datadir(), rel);
	if (sbuf_failed(&path))
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	f = fopen(path.buf, "rb");
	if (!f) {
		rc = gen_fail(g, errno == ENOENT ? RASTRO_NOTFOUND : RASTRO_IO,
			      "cannot read data file '%s': %s", path.buf, strerror(errno));
		sbuf_release(&path);
		return rc;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		rc = gen_fail(g, RASTRO_IO, "cannot read data file '%s'", path.buf);
		sbuf_release(&path);
		return rc;
	}
	text = arena_alloc(&g->arena, (size_t)size + 1);
	if (!text) {
		fclose(f);
		sbuf_release(&path);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	got = fread(text, 1, (size_t)size, f);
	fclose(f);
	text[got] = '\0';
	for (line = text; line && *line && !rc; line = next) {
		char *fields[TSV_MAXF], *p, *end;
		int nf = 0;
		char where[512];

		lineno++;
		next = strchr(line, '\n');
		end = next ? next : line + strlen(line);
		if (next)
			*next++ = '\0';
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (p = line; nf < TSV_MAXF;) {
			char *tab = strchr(p, '\t');

			fields[nf++] = p;
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		snprintf(where, sizeof where, "%s:%d", path.buf, lineno);
		if (nf < mincols) {
			rc = gen_fail(g, RASTRO_FORMAT, "%s: expected %d tab-separated columns, found %d", where,
				      mincols, nf);
			break;
		}
		rc = fn(g, fields, nf, where, ctx);
	}
	sbuf_release(&path);
	return rc;
}

static int num(gen_t *g, const char *s, double *out, const char *where)
{
	if (parse_double(s, strlen(s), out))
		return gen_fail(g, RASTRO_FORMAT, "%s: '%s' is not a number", where, s);
	return 0;
}

/* ---- weighted lists ----------------------------------------------------- */

struct list_build {
	struct vec s, w, sex;
};

static void lb_init(struct list_build *b)
{
	vec_init(&b->s, sizeof(const char *));
	vec_init(&b->w, sizeof(double));
	vec_init(&b->sex, 1);
}

static void lb_release(struct list_build *b)
{
	vec_release(&b->s);
	vec_release(&b->w);
	vec_release(&b->sex);
}

static int lb_add(gen_t *g, struct list_build *b, const char *s, double w, char sex)
{
	if (vec_push(&b->s, &s) || vec_push(&b->w, &w) || vec_push(&b->sex, &sex))
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	return 0;
}

/* Moves a build into the arena as a list (with sexes when want_sex). */
static int lb_finish(gen_t *g, struct list_build *b, struct gen_list *l, int want_sex)
{
	size_t i;
	double acc = 0;

	l->n = b->s.len;
	l->s = arena_alloc(&g->arena, sizeof(char *) * (l->n ? l->n : 1));
	l->cum = arena_alloc(&g->arena, sizeof(double) * (l->n ? l->n : 1));
	l->sex = want_sex ? arena_alloc(&g->arena, l->n ? l->n : 1) : NULL;
	if (!l->s || !l->cum || (want_sex && !l->sex))
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < l->n; i++) {
		l->s[i] = ((const char **)b->s.data)[i];
		acc += ((double *)b->w.data)[i];
		l->cum[i] = acc;
		if (l->sex)
			l->sex[i] = ((char *)b->sex.data)[i];
	}
	return 0;
}

size_t gen_pick_i(const struct gen_list *l, struct rng *r)
{
	double x;
	size_t lo = 0, hi;

	if (!l->n)
		return 0;
	x = rng_uniform(r) * l->cum[l->n - 1];
	hi = l->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

const char *gen_pick(const struct gen_list *l, struct rng *r)
{
	return l->n ? l->s[gen_pick_i(l, r)] : "";
}

/* ---- the files ---------------------------------------------------------- */

struct given_ctx {
	struct list_build b[2];
};

static int given_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct given_ctx *c = ctx;
	double w;

	if (num(g, f[2], &w, where))
		return g->err.code;
	if (strcmp(f[1], "M") != 0 && strcmp(f[1], "F") != 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: sex must be M or F", where);
	return lb_add(g, &c->b[f[1][0] == 'F'], f[0], w, f[1][0]);
}

static int load_given(gen_t *g, const char *rel, int group)
{
	struct given_ctx c;
	int rc, s;

	lb_init(&c.b[0]);
	lb_init(&c.b[1]);
	rc = tsv_each(g, rel, 3, given_row, &c);
	for (s = 0; s < 2 && !rc; s++)
		rc = lb_finish(g, &c.b[s], &g->d.given[group][s], 0);
	lb_release(&c.b[0]);
	lb_release(&c.b[1]);
	return rc;
}

struct sur_ctx {
	struct list_build b[C_N];
	int ca;                /* the file has a country column */
};

static int sur_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct sur_ctx *c = ctx;
	double w;
	int i, rc = 0;

	if (num(g, f[1], &w, where))
		return g->err.code;
	if (!c->ca)
		return lb_add(g, &c->b[0], f[0], w, 0);
	if (nf < 3)
		return gen_fail(g, RASTRO_FORMAT, "%s: missing country column", where);
	for (i = C_GT; i <= C_SV && !rc; i++)
		if (strcmp(f[2], "*") == 0 || strcmp(f[2], gen_country_code[i]) == 0)
			rc = lb_add(g, &c->b[i], f[0], w, 0);
	return rc;
}

static int load_surnames(gen_t *g)
{
	struct sur_ctx c;
	int rc, i;

	for (i = 0; i < C_N; i++)
		lb_init(&c.b[i]);
	c.ca = 0;
	rc = tsv_each(g, "names/surnames_us.tsv", 2, sur_row, &c);
	if (!rc)
		rc = lb_finish(g, &c.b[0], &g->d.sur[C_US], 0);
	vec_clear(&c.b[0].s);
	vec_clear(&c.b[0].w);
	vec_clear(&c.b[0].sex);
	if (!rc)
		rc = tsv_each(g, "names/surnames_mx.tsv", 2, sur_row, &c);
	if (!rc)
		rc = lb_finish(g, &c.b[0], &g->d.sur[C_MX], 0);
	c.ca = 1;
	if (!rc)
		rc = tsv_each(g, "names/surnames_ca.tsv", 3, sur_row, &c);
	for (i = C_GT; i <= C_SV && !rc; i++)
		rc = lb_finish(g, &c.b[i], &g->d.sur[i], 0);
	for (i = 0; i < C_N; i++)
		lb_release(&c.b[i]);
	return rc;
}

static int country_of(const char *s)
{
	int i;

	for (i = 0; i < C_N; i++)
		if (strcmp(s, gen_country_code[i]) == 0)
			return i;
	return -1;
}

static int place_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct vec *v = ctx;
	struct gen_place p;
	double lo, hi, border;
	char *codes, *tok;
	int c = country_of(f[2]);

	memset(&p, 0, sizeof p);
	if (c < 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: unknown country '%s'", where, f[2]);
	p.city = f[0];
	p.region = f[1];
	p.country = (uint8_t)c;
	if (num(g, f[3], &p.lat, where) || num(g, f[4], &p.lon, where) || num(g, f[5], &p.pop, where) ||
	    num(g, f[6], &border, where) || num(g, f[7], &p.hisp, where) || num(g, f[9], &lo, where) ||
	    num(g, f[10], &hi, where))
		return g->err.code;
	p.border = border != 0;
	p.zip_lo = (uint32_t)lo;
	p.zip_hi = (uint32_t)(hi < lo ? lo : hi);
	p.zip_width = (uint8_t)strlen(f[9]);
	p.phone_len = c == C_US || c == C_MX ? 10 : 8;
	codes = f[8];
	for (tok = codes; tok && *tok && p.nphone < 4;) {
		char *comma = strchr(tok, ',');
		size_t n = comma ? (size_t)(comma - tok) : strlen(tok);

		if (n == 0 || n > 4)
			return gen_fail(g, RASTRO_FORMAT, "%s: bad phone prefix list '%s'", where, codes);
		memcpy(p.phone[p.nphone], tok, n);
		p.phone[p.nphone][n] = '\0';
		p.nphone++;
		tok = comma ? comma + 1 : NULL;
	}
	if (!p.nphone)
		return gen_fail(g, RASTRO_FORMAT, "%s: no phone prefix", where);
	if (vec_push(v, &p))
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	return 0;
}

static int load_places(gen_t *g)
{
	struct vec v;
	int rc, c;
	size_t i;

	vec_init(&v, sizeof(struct gen_place));
	rc = tsv_each(g, "places.tsv", 11, place_row, &v);
	if (!rc && v.len > 60000)
		rc = gen_fail(g, RASTRO_LIMIT, "places.tsv: at most 60000 places");
	if (!rc) {
		g->d.places = arena_alloc(&g->arena, sizeof(struct gen_place) * (v.len ? v.len : 1));
		if (!g->d.places)
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
		else if (v.len)
			memcpy(g->d.places, v.data, sizeof(struct gen_place) * v.len);
		g->d.nplaces = v.len;
		g->d.phone_ok = arena_calloc(&g->arena, v.len * 4 + 4);
		if (!g->d.phone_ok)
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	vec_release(&v);
	for (c = 0; c < C_N && !rc; c++) {
		struct list_build b;
		size_t k = 0;

		lb_init(&b);
		g->d.country_places[c] = arena_alloc(&g->arena, sizeof(uint32_t) * (g->d.nplaces + 1));
		if (!g->d.country_places[c])
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
		for (i = 0; i < g->d.nplaces && !rc; i++) {
			if (g->d.places[i].country != c)
				continue;
			g->d.country_places[c][k++] = (uint32_t)i;
			/* The list's string is unused; the index is recovered from the position. */
			rc = lb_add(g, &b, g->d.places[i].city, g->d.places[i].pop, 0);
		}
		g->d.ncountry_places[c] = k;
		if (!rc && !k)
			rc = gen_fail(g, RASTRO_FORMAT, "places.tsv: no place in country %s", gen_country_code[c]);
		if (!rc)
			rc = lb_finish(g, &b, &g->d.place_pick[c], 0);
		lb_release(&b);
	}
	return rc;
}

static int street_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct list_build *b = ctx;
	int style = strcmp(f[1], "US") == 0 ? 0 : strcmp(f[1], "MX") == 0 ? 1 : strcmp(f[1], "CA") == 0 ? 2 : -1;

	if (style < 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: style must be US, MX or CA", where);
	return lb_add(g, &b[style], f[0], 1, 0);
}

static int load_streets(gen_t *g)
{
	struct list_build b[3];
	int rc, i;

	for (i = 0; i < 3; i++)
		lb_init(&b[i]);
	rc = tsv_each(g, "gen/streets.tsv", 2, street_row, b);
	for (i = 0; i < 3 && !rc; i++) {
		if (!b[i].s.len)
			rc = gen_fail(g, RASTRO_FORMAT, "gen/streets.tsv: each style needs at least one street");
		else
			rc = lb_finish(g, &b[i], &g->d.streets[i], 0);
	}
	for (i = 0; i < 3; i++)
		lb_release(&b[i]);
	return rc;
}

static int bank_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct vec *v = ctx;
	struct gen_bank b;
	int c = country_of(f[2]);

	if (c < 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: unknown country '%s'", where, f[2]);
	b.code = f[0];
	b.name = f[1];
	b.country = (uint8_t)c;
	if (num(g, f[3], &b.share, where))
		return g->err.code;
	return vec_push(v, &b) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static int load_banks(gen_t *g)
{
	struct vec v;
	int rc, c;
	size_t i;

	vec_init(&v, sizeof(struct gen_bank));
	rc = tsv_each(g, "gen/banks.tsv", 4, bank_row, &v);
	if (!rc && (v.len == 0 || v.len > 250))
		rc = gen_fail(g, RASTRO_FORMAT, "gen/banks.tsv: between 1 and 250 banks");
	if (!rc) {
		g->d.banks = arena_alloc(&g->arena, sizeof(struct gen_bank) * v.len);
		if (!g->d.banks)
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
		else
			memcpy(g->d.banks, v.data, sizeof(struct gen_bank) * v.len);
		g->d.nbanks = v.len;
	}
	vec_release(&v);
	for (c = 0; c < C_N && !rc; c++) {
		struct list_build b;

		lb_init(&b);
		for (i = 0; i < g->d.nbanks && !rc; i++)
			/* Weight 0 for other countries keeps the list index = bank index. */
			rc = lb_add(g, &b, g->d.banks[i].code,
				    g->d.banks[i].country == c ? g->d.banks[i].share : 0, 0);
		if (!rc)
			rc = lb_finish(g, &b, &g->d.bank_pick[c], 0);
		if (!rc && g->d.bank_pick[c].cum[g->d.nbanks - 1] <= 0)
			rc = gen_fail(g, RASTRO_FORMAT, "gen/banks.tsv: no bank in country %s", gen_country_code[c]);
		lb_release(&b);
	}
	return rc;
}

static int channel_of(const char *s)
{
	int i;

	for (i = 0; i < CH_N; i++)
		if (strcmp(s, gen_channel_name[i]) == 0)
			return i;
	return -1;
}

/* Splits a ;-list in place into an arena array. */
static const char **split_list(gen_t *g, char *s, uint32_t *n)
{
	uint32_t k = 1, i = 0;
	char *p;
	const char **a;

	for (p = s; *p; p++)
		k += *p == ';';
	a = arena_alloc(&g->arena, sizeof(char *) * k);
	if (!a)
		return NULL;
	for (p = s;;) {
		char *semi = strchr(p, ';');

		a[i++] = p;
		if (!semi)
			break;
		*semi = '\0';
		p = semi + 1;
	}
	*n = i;
	return a;
}

static int spend_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct vec *v = ctx;
	struct gen_spend s;
	double lo, hi;
	int ch = channel_of(f[1]);

	memset(&s, 0, sizeof s);
	if (ch < 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: unknown channel '%s'", where, f[1]);
	s.category = f[0];
	s.channel = (uint8_t)ch;
	if (num(g, f[2], &s.per_month, where) || num(g, f[3], &s.median, where) ||
	    num(g, f[4], &s.sigma, where) || num(g, f[5], &lo, where) || num(g, f[6], &hi, where))
		return g->err.code;
	s.hour_lo = (int)lo;
	s.hour_hi = (int)hi;
	if (s.hour_lo < 0 || s.hour_hi > 23 || s.hour_lo > s.hour_hi)
		return gen_fail(g, RASTRO_FORMAT, "%s: hours must be 0-23, low <= high", where);
	s.names = split_list(g, f[7], &s.nmerchant);
	if (!s.names)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	return vec_push(v, &s) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static int payee_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct vec *v = ctx;
	struct gen_payee p;
	int ch = channel_of(f[1]);

	memset(&p, 0, sizeof p);
	if (ch < 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: unknown channel '%s'", where, f[1]);
	p.category = f[0];
	p.channel = (uint8_t)ch;
	if (num(g, f[2], &p.median, where) || num(g, f[3], &p.sigma, where))
		return g->err.code;
	p.names = split_list(g, f[4], &p.nmerchant);
	if (!p.names)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	return vec_push(v, &p) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static void *vec_to_arena(gen_t *g, struct vec *v, size_t *n)
{
	void *p = arena_alloc(&g->arena, v->esize * (v->len ? v->len : 1));

	if (p && v->len)
		memcpy(p, v->data, v->esize * v->len);
	*n = v->len;
	return p;
}

static int load_spending(gen_t *g)
{
	struct vec v;
	int rc;
	size_t i;

	vec_init(&v, sizeof(struct gen_spend));
	rc = tsv_each(g, "gen/spending.tsv", 8, spend_row, &v);
	if (!rc && !(g->d.spend = vec_to_arena(g, &v, &g->d.nspend)))
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	vec_release(&v);
	for (i = 0; !rc && i < g->d.nspend; i++)
		g->d.spend_total += g->d.spend[i].per_month;
	vec_init(&v, sizeof(struct gen_payee));
	if (!rc)
		rc = tsv_each(g, "gen/merchants.tsv", 5, payee_row, &v);
	if (!rc && !(g->d.payees = vec_to_arena(g, &v, &g->d.npayees)))
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	vec_release(&v);
	return rc;
}

static const char *const bizkind_names[BK_N] = {
	"restaurant", "grocery", "massage_parlor", "nail_salon", "farm", "construction", "staffing_agency",
	"hotel", "money_transmitter", "property_management", "cleaning", "trucking", "auto_repair",
};

static int biz_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct gen_bizdef *d = NULL;
	double lo, hi;
	uint32_t n;
	int i;

	for (i = 0; i < BK_N; i++)
		if (strcmp(f[0], bizkind_names[i]) == 0)
			d = &g->d.biz[i];
	if (!d)
		return gen_fail(g, RASTRO_FORMAT, "%s: unknown business kind '%s'", where, f[0]);
	d->kind = bizkind_names[d - g->d.biz];
	if (num(g, f[1], &d->per_1000, where) || num(g, f[2], &lo, where) || num(g, f[3], &hi, where) ||
	    num(g, f[4], &d->wage, where) || num(g, f[5], &d->cash_share, where))
		return g->err.code;
	d->staff_lo = (int)lo;
	d->staff_hi = (int)(hi < lo ? lo : hi);
	d->naics = f[6];
	d->patterns = split_list(g, f[7], &n);
	if (!d->patterns)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	d->npatterns = n;
	return 0;
}

static int words_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	return lb_add(g, ctx, f[1], 1, 0);
}

static const char *const memo_kinds[M_N] = { "p2p", "rent", "family", "smuggling", "buyer", "sweep",
					      "fee", "layer" };

static int memo_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	int i;
	const char *s = f[1];

	for (i = 0; i < M_N; i++)
		if (strcmp(f[0], memo_kinds[i]) == 0)
			return vec_push(&g->d.memos[i], &s) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
	return gen_fail(g, RASTRO_FORMAT, "%s: unknown memo kind '%s'", where, f[0]);
}

static int adline_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct gen_adline a = { f[0], f[1], f[2], f[3], f[4] };

	return vec_push(ctx, &a) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static int prov_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct gen_provdef p = { f[0], f[1], f[2], f[3] };

	return vec_push(ctx, &p) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static int slot_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct list_build *b = ctx;
	int k = strcmp(f[0], "alias") == 0 ? 0 : strcmp(f[0], "eth") == 0 ? 1 : strcmp(f[0], "dest") == 0 ? 2 : -1;

	if (k < 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: unknown slot '%s'", where, f[0]);
	return lb_add(g, &b[k], f[1], 1, 0);
}

/* data/nicknames.tsv (shared with resolution): nickname, formal, lang, source. */
static int nick_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct gen_nick n = { f[1], f[0] };

	if (strcmp(f[0], "nickname") == 0 && strcmp(f[1], "formal") == 0)
		return 0;   /* the header row */
	return vec_push(ctx, &n) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static int alias_row(gen_t *g, char **f, int nf, const char *where, void *ctx)
{
	struct list_build *b = ctx;
	int rc = 0;

	if (strcmp(f[1], "M") != 0 && strcmp(f[1], "F") != 0 && strcmp(f[1], "*") != 0)
		return gen_fail(g, RASTRO_FORMAT, "%s: sex must be M, F or *", where);
	if (f[1][0] != 'F')
		rc = lb_add(g, &b[0], f[0], 1, 0);
	if (!rc && f[1][0] != 'M')
		rc = lb_add(g, &b[1], f[0], 1, 0);
	return rc;
}

int gen_data_load(gen_t *g)
{
	struct list_build wb;
	struct vec v;
	int rc, i;

	memset(&g->d, 0, sizeof g->d);
	for (i = 0; i < M_N; i++)
		vec_init(&g->d.memos[i], sizeof(const char *));
	rc = load_given(g, "names/given_us.tsv", 0);
	if (!rc)
		rc = load_given(g, "names/given_mx.tsv", 1);
	if (!rc)
		rc = load_given(g, "names/given_ca.tsv", 2);
	if (!rc)
		rc = load_surnames(g);
	if (!rc)
		rc = load_places(g);
	if (!rc)
		rc = load_streets(g);
	if (!rc)
		rc = load_banks(g);
	if (!rc)
		rc = load_spending(g);
	if (!rc)
		rc = tsv_each(g, "gen/businesses.tsv", 8, biz_row, NULL);
	for (i = 0; i < BK_N && !rc; i++)
		if (!g->d.biz[i].kind)
			rc = gen_fail(g, RASTRO_FORMAT, "gen/businesses.tsv: no row for '%s'", bizkind_names[i]);
	lb_init(&wb);
	if (!rc)
		rc = tsv_each(g, "gen/words.tsv", 2, words_row, &wb);
	if (!rc)
		rc = lb_finish(g, &wb, &g->d.words, 0);
	lb_release(&wb);
	if (!rc)
		rc = tsv_each(g, "gen/memos.tsv", 2, memo_row, NULL);
	for (i = 0; i < M_N && !rc; i++)
		if (!g->d.memos[i].len)
			rc = gen_fail(g, RASTRO_FORMAT, "gen/memos.tsv: no memo of kind '%s'", memo_kinds[i]);
	vec_init(&v, sizeof(struct gen_adline));
	if (!rc)
		rc = tsv_each(g, "gen/ad_templates.tsv", 5, adline_row, &v);
	if (!rc && !(g->d.adlines = vec_to_arena(g, &v, &g->d.nadlines)))
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	vec_release(&v);
	vec_init(&v, sizeof(struct gen_provdef));
	if (!rc)
		rc = tsv_each(g, "gen/providers.tsv", 4, prov_row, &v);
	if (!rc && !(g->d.provs = vec_to_arena(g, &v, &g->d.nprovs)))
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	vec_release(&v);
	vec_init(&v, sizeof(struct gen_nick));
	if (!rc)
		rc = tsv_each(g, "nicknames.tsv", 2, nick_row, &v);
	if (!rc && !(g->d.nicks = vec_to_arena(g, &v, &g->d.nnicks)))
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	vec_release(&v);
	{
		struct list_build ab[2];

		lb_init(&ab[0]);
		lb_init(&ab[1]);
		if (!rc)
			rc = tsv_each(g, "gen/aliases.tsv", 2, alias_row, ab);
		for (i = 0; i < 2 && !rc; i++)
			rc = lb_finish(g, &ab[i], &g->d.aliases[i], 0);
		lb_release(&ab[0]);
		lb_release(&ab[1]);
	}
	{
		struct list_build sb[3];
		struct gen_list *dst[3] = { &g->d.alias, &g->d.eth, &g->d.dest };

		for (i = 0; i < 3; i++)
			lb_init(&sb[i]);
		if (!rc)
			rc = tsv_each(g, "gen/ad_slots.tsv", 2, slot_row, sb);
		for (i = 0; i < 3 && !rc; i++) {
			if (!sb[i].s.len)
				rc = gen_fail(g, RASTRO_FORMAT, "gen/ad_slots.tsv: every slot needs a value");
			else
				rc = lb_finish(g, &sb[i], dst[i], 0);
		}
		for (i = 0; i < 3; i++)
			lb_release(&sb[i]);
	}
	return rc;
}

void gen_data_release(gen_t *g)
{
	int i;

	for (i = 0; i < M_N; i++)
		vec_release(&g->d.memos[i]);
	memset(&g->d, 0, sizeof g->d);
}
