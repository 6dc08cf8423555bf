/*
 * gen_world: the population of the synthetic world — people with names,
 * birth dates, addresses, phones and emails; local businesses with staff;
 * national merchants; bank accounts; jobs, rent and relatives abroad — and
 * the KYC file (accounts.csv) that describes the account holders.
 *
 * Proportions come from the data files and the [gen.population] settings
 * (unbanked share after the FDIC 2021 National Survey of Unbanked and
 * Underbanked Households; remittance share after Pew Research Center's
 * surveys of Hispanic adults; see docs/generator.md).
 */
#include "gen_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "normalize/phone.h"

struct gen_person *gen_P(gen_t *g, uint32_t i)
{
	return (struct gen_person *)g->persons.data + i;
}

struct gen_biz *gen_B(gen_t *g, uint32_t i)
{
	return (struct gen_biz *)g->bizs.data + i;
}

struct gen_account *gen_A(gen_t *g, uint32_t i)
{
	return (struct gen_account *)g->accounts.data + i;
}

/* A bijection of 0..10^8-1 (odd multiplier, not divisible by 5): turns
 * creation order into ids that reveal nothing about it. */
uint32_t gen_scramble(uint32_t i)
{
	return (uint32_t)(((uint64_t)i * 2654435761ULL + 40503ULL) % 100000000ULL);
}

/* ---- text helpers ------------------------------------------------------- */

/* Latin-1 supplement letters (U+00C0..U+00FF) without their marks. */
static const char latin1_plain[64] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

void gen_fold(const char *s, struct sbuf *out, int mode)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char c = *p;

		if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF && (mode & GF_ASCII)) {
			/* U+00C0..U+00FF are the bytes C3 80..C3 BF. */
			char a = latin1_plain[p[1] - 0x80];

			if (mode & GF_UPPER && a >= 'a' && a <= 'z')
				a = (char)(a - 32);
			if (mode & GF_LOWER && a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (!(mode & GF_ALNUM) || (a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z'))
				sbuf_addc(out, a);
			p += 2;
			continue;
		}
		if (c < 0x80) {
			char a = (char)c;

			if (mode & GF_UPPER && a >= 'a' && a <= 'z')
				a = (char)(a - 32);
			if (mode & GF_LOWER && a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (!(mode & GF_ALNUM) || (a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z') ||
			    (a >= '0' && a <= '9'))
				sbuf_addc(out, a);
			p++;
			continue;
		}
		/* Other UTF-8 sequences: copied whole (upper-casing of accented
		 * letters maps the Latin-1 lower-case row to the upper-case one). */
		if (c == 0xC3 && p[1] >= 0xA0 && p[1] <= 0xBE && p[1] != 0xB7 && (mode & GF_UPPER)) {
			sbuf_addc(out, (char)0xC3);
			sbuf_addc(out, (char)(p[1] - 0x20));
			p += 2;
			continue;
		}
		if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97 && (mode & GF_LOWER)) {
			sbuf_addc(out, (char)0xC3);
			sbuf_addc(out, (char)(p[1] + 0x20));
			p += 2;
			continue;
		}
		{
			size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1, i;

			for (i = 0; i < n && p[i]; i++)
				if (!(mode & GF_ALNUM))
					sbuf_addc(out, (char)p[i]);
			p += i ? i : 1;
		}
	}
}

void gen_add_initial(struct sbuf *sb, const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1, i;

	for (i = 0; i < n && s[i]; i++)
		sbuf_addc(sb, s[i]);
}

void gen_person_fullname(gen_t *g, const struct gen_person *p, struct sbuf *sb)
{
	sbuf_adds(sb, p->given);
	if (p->given2) {
		sbuf_addc(sb, ' ');
		sbuf_adds(sb, p->given2);
	}
	sbuf_addc(sb, ' ');
	sbuf_adds(sb, p->sur1);
	if (p->sur2) {
		sbuf_addc(sb, ' ');
		sbuf_adds(sb, p->sur2);
	}
}

static int place_style(const struct gen_place *pl)
{
	return pl->country == C_US ? 0 : pl->country == C_MX ? 1 : 2;
}

void gen_person_postcode(gen_t *g, uint16_t place, uint32_t key, struct sbuf *sb)
{
	const struct gen_place *pl = &g->d.places[place];
	uint32_t span = pl->zip_hi - pl->zip_lo + 1;

	gb_u64w(sb, pl->zip_lo + (key * 2654435761u >> 7) % span, pl->zip_width);
}

static void address(gen_t *g, uint16_t place, uint16_t street, uint16_t house, uint16_t unit,
		    struct sbuf *sb)
{
	const struct gen_place *pl = &g->d.places[place];
	int style = place_style(pl);
	const struct gen_list *l = &g->d.streets[style];
	const char *st = l->s[street % l->n];

	if (style == 0) {
		gb_u64(sb, house);
		sbuf_addc(sb, ' ');
		sbuf_adds(sb, st);
		if (unit) {
			sbuf_adds(sb, " Apt ");
			gb_u64(sb, unit);
		}
	} else if (style == 1) {
		sbuf_adds(sb, st);
		sbuf_addc(sb, ' ');
		gb_u64(sb, house);
		if (unit) {
			sbuf_adds(sb, " Int. ");
			gb_u64(sb, unit);
		}
	} else {
		sbuf_adds(sb, st);
		sbuf_addc(sb, ' ');
		gb_u64(sb, house % 30 + 1);
		sbuf_addc(sb, '-');
		gb_u64w(sb, house % 97 + 1, 2);
		sbuf_adds(sb, ", Zona ");
		gb_u64(sb, house % 18 + 1);
	}
}

void gen_person_address(gen_t *g, const struct gen_person *p, struct sbuf *sb)
{
	address(g, p->place, p->street, p->house, p->unit, sb);
}

static const char *const email_domains[] = { "gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
					     "icloud.com", "aol.com", "yahoo.com.mx", "prodigy.net.mx" };

void gen_person_email(gen_t *g, const struct gen_person *p, struct sbuf *sb)
{
	size_t start = sb->len;
	int y;
	unsigned m, d;

	if (!p->email_style)
		return;
	civil_from_days(p->dob, &y, &m, &d);
	switch (p->email_style) {
	case 1:
		gen_fold(p->given, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
		sbuf_addc(sb, '.');
		gen_fold(p->sur1, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
		gb_u64(sb, p->email_num);
		break;
	case 2:
		sbuf_addc(sb, p->given[0] >= 'A' && p->given[0] <= 'Z' ? (char)(p->given[0] + 32) : 'x');
		gen_fold(p->sur1, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
		gb_u64(sb, (unsigned)y % 100);
		break;
	case 3:
		gen_fold(p->sur1, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
		sbuf_addc(sb, '_');
		gen_fold(p->given, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
		break;
	default:
		gen_fold(p->nick ? p->nick : p->given, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
		gb_u64(sb, p->email_num + 100);
		break;
	}
	if (sb->len == start)
		sbuf_adds(sb, "user");
	sbuf_addc(sb, '@');
	sbuf_adds(sb, email_domains[p->email_dom % (sizeof email_domains / sizeof email_domains[0])]);
}

/* ---- phones ------------------------------------------------------------- */

static const int country_cc[C_N] = { 1, 52, 502, 504, 503 };

static void phone_draw(gen_t *g, struct rng *r, uint16_t place, char out[16], int *pi)
{
	const struct gen_place *pl = &g->d.places[place];
	const char *prefix;

	*pi = (int)rng_below(r, pl->nphone);
	prefix = pl->phone[*pi];
	char nat[16];
	size_t n = strlen(prefix), i;

	memcpy(nat, prefix, n);
	for (i = n; i < pl->phone_len; i++) {
		int dgt = (int)rng_below(r, 10);

		/* U.S. exchange codes and Mexican local numbers start with 2-9;
		 * 555 and N11 exchanges are avoided (fictional / service codes). */
		if (i == n && dgt < 2)
			dgt += 2;
		nat[i] = (char)('0' + dgt);
	}
	nat[pl->phone_len] = '\0';
	if (pl->country == C_US && ((nat[3] == '5' && nat[4] == '5' && nat[5] == '5') ||
				    (nat[4] == '1' && nat[5] == '1')))
		nat[5] = '7';
	snprintf(out, 16, "+%d%s", country_cc[pl->country], nat);
}

void gen_phone_new(gen_t *g, struct rng *r, uint16_t place, char out[16])
{
	struct phone ph;
	int tries;

	/* Drawn from the numbering plan's prefixes, then checked with
	 * libphonenumber; an invalid draw (unassigned ranges) is redrawn.  A
	 * prefix whose first 16 draws were all valid is trusted from then on:
	 * validation costs more than the rest of a person (the tests still
	 * check every phone written). */
	for (tries = 0; tries < 40; tries++) {
		int pi;
		uint8_t *ok;

		phone_draw(g, r, place, out, &pi);
		ok = &g->d.phone_ok[place * 4 + pi];
		if (*ok >= 16)
			return;
		if (phone_parse(out, strlen(out), "US", &ph) == 0 && strcmp(ph.e164, out) == 0) {
			(*ok)++;
			return;
		}
		*ok = 0;
	}
	out[0] = '\0';
}

void gen_phone_style(const char *e164, int style, struct sbuf *sb)
{
	const char *nat;
	size_t ccn, n;

	if (!e164[0])
		return;
	ccn = e164[1] == '1' ? 1 : e164[1] == '5' && e164[2] == '2' ? 2 : 3;
	nat = e164 + 1 + ccn;
	n = strlen(nat);
	if (style == 0 || n < 8) {
		sbuf_adds(sb, e164);
		return;
	}
	if (n == 10 && ccn == 1) {
		switch (style) {
		case 1: sbuf_addf(sb, "(%.3s) %.3s-%.4s", nat, nat + 3, nat + 6); return;
		case 2: sbuf_addf(sb, "%.3s-%.3s-%.4s", nat, nat + 3, nat + 6); return;
		case 3: sbuf_addf(sb, "%.3s.%.3s.%.4s", nat, nat + 3, nat + 6); return;
		default: sbuf_adds(sb, nat); return;
		}
	}
	if (n == 10) {
		/* Mexican numbers as a U.S. agency writes them: always with the
		 * country code, sometimes with the U.S. international prefix. */
		switch (style) {
		case 1: sbuf_addf(sb, "+52 %.3s %.3s %.4s", nat, nat + 3, nat + 6); return;
		case 2: sbuf_addf(sb, "011 52 %.3s %.3s %.4s", nat, nat + 3, nat + 6); return;
		case 3: sbuf_addf(sb, "+52 (%.3s) %.3s-%.4s", nat, nat + 3, nat + 6); return;
		default: sbuf_addf(sb, "+52%s", nat); return;
		}
	}
	/* 8-digit Central American numbers: written with the country code, since
	 * an agency in the U.S. would not know them without it. */
	sbuf_addf(sb, "+%.*s %.4s-%.4s", (int)ccn, e164 + 1, nat, nat + 4);
}

/* ---- places ------------------------------------------------------------- */

uint16_t gen_place_pick(gen_t *g, struct rng *r, int country)
{
	size_t i = gen_pick_i(&g->d.place_pick[country], r);

	return (uint16_t)g->d.country_places[country][i];
}

uint16_t gen_place_border(gen_t *g, struct rng *r, int country)
{
	int tries;

	for (tries = 0; tries < 200; tries++) {
		size_t i = rng_below(r, g->d.ncountry_places[country]);
		uint32_t p = g->d.country_places[country][i];

		if (g->d.places[p].border)
			return (uint16_t)p;
	}
	return gen_place_pick(g, r, country);
}

static int build_home_list(gen_t *g)
{
	size_t i, n = g->d.ncountry_places[C_US];
	struct gen_list *l = &g->d.us_home;
	double acc = 0;

	l->n = n;
	l->s = arena_alloc(&g->arena, sizeof(char *) * n);
	l->cum = arena_alloc(&g->arena, sizeof(double) * n);
	if (!l->s || !l->cum)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct gen_place *pl = &g->d.places[g->d.country_places[C_US][i]];

		/* Flattened by population and tilted toward the border, where the
		 * corridors the world is about run. */
		acc += pow(pl->pop, 0.6) * (pl->border ? 3.0 : 1.0);
		l->s[i] = pl->city;
		l->cum[i] = acc;
	}
	return 0;
}

/* ---- people ------------------------------------------------------------- */

static int origin_country(int origin)
{
	switch (origin) {
	case OR_MX: return C_MX;
	case OR_GT: return C_GT;
	case OR_HN: return C_HN;
	case OR_SV: return C_SV;
	default: return C_US;
	}
}

static void pick_names(gen_t *g, struct rng *r, struct gen_person *p)
{
	int group = p->origin == OR_US ? 0 : p->origin == OR_USH ? (rng_chance(r, 0.45) ? 0 : 1)
				     : p->origin == OR_MX ? 1 : 2;
	const struct gen_list *gl = &g->d.given[group][p->sex];
	int c = origin_country(p->origin);

	p->given = gen_pick(gl, r);
	p->given2 = NULL;
	if (!strchr(p->given, ' ') && rng_chance(r, group == 0 ? 0.35 : 0.18)) {
		const char *x = gen_pick(gl, r);

		if (strcmp(x, p->given) != 0 && !strchr(x, ' '))
			p->given2 = x;
	}
	if (p->origin == OR_US) {
		p->sur1 = gen_pick(&g->d.sur[C_US], r);
		p->sur2 = NULL;
	} else if (p->origin == OR_USH) {
		p->sur1 = gen_pick(&g->d.sur[C_MX], r);
		p->sur2 = rng_chance(r, 0.5) ? gen_pick(&g->d.sur[C_MX], r) : NULL;
	} else {
		p->sur1 = gen_pick(&g->d.sur[c], r);
		p->sur2 = gen_pick(&g->d.sur[c], r);
	}
}

uint32_t gen_person_new(gen_t *g, struct rng *r, uint8_t origin, uint16_t place, int sex, int age_lo,
			int age_hi)
{
	struct gen_person *p = vec_grow(&g->persons, 1);
	const struct gen_place *pl = &g->d.places[place];
	int age;

	if (!p)
		return GEN_NONE;
	p->origin = origin;
	p->sex = (uint8_t)(sex < 0 ? rng_below(r, 2) : (uint64_t)sex);
	pick_names(g, r, p);
	p->nick = NULL;
	p->nick_is_alias = 0;
	if (age_hi < age_lo)
		age_hi = age_lo;
	age = (int)rng_range(r, age_lo, age_hi);
	/* Ages bunch toward the middle of the range (working-age adults). */
	if (age_hi - age_lo > 20 && rng_chance(r, 0.5))
		age = (age + (int)rng_range(r, age_lo, age_hi)) / 2;
	p->dob = (int32_t)(g->k.start_day - (int64_t)age * 365 - (int64_t)rng_below(r, 365));
	p->place = place;
	p->street = (uint16_t)rng_below(r, g->d.streets[place_style(pl)].n);
	p->house = (uint16_t)(pl->country == C_US ? rng_range(r, 100, 9899) : rng_range(r, 1, 2999));
	p->unit = (uint16_t)(rng_chance(r, pl->country == C_US ? 0.3 : 0.1) ? rng_range(r, 1, 48) : 0);
	gen_phone_new(g, r, place, p->phone);
	p->email_style = (uint8_t)(rng_chance(r, pl->country == C_US ? 0.8 : 0.55) ? rng_range(r, 1, 4) : 0);
	p->email_dom = (uint8_t)(pl->country == C_MX ? (rng_chance(r, 0.6) ? rng_range(r, 0, 2) : rng_range(r, 6, 7))
						  : rng_range(r, 0, 5));
	p->email_num = (uint16_t)rng_below(r, 100);
	p->flags = 0;
	p->employer = p->payer = p->acct = p->rel = p->landlord = p->net = p->ctrl = GEN_NONE;
	p->acct2 = p->dep = GEN_NONE;
	p->mark_day = -1;
	p->wage = p->rent = 0;
	p->activity = (float)rng_lognormal(r, 0, 0.35);
	p->nacct = 0;
	p->role = R_NONE;
	p->paygroup = (uint8_t)rng_below(r, 2);
	p->trip[0] = p->trip[1] = p->trip[2] = place;
	return (uint32_t)(g->persons.len - 1);
}

/* ---- accounts ----------------------------------------------------------- */

/* Bank styles of writing a holder's name: as given, upper-case without
 * accents, and upper-case without the maternal surname (as many U.S. core
 * systems truncate it). */
static const char *holder_name(gen_t *g, const struct gen_person *p, int style)
{
	struct sbuf sb = SBUF_INIT;
	struct sbuf tmp = SBUF_INIT;
	const char *out;

	switch (style) {
	case 0:
		gen_person_fullname(g, p, &sb);
		break;
	case 1:
		gen_person_fullname(g, p, &tmp);
		gen_fold(tmp.buf, &sb, GF_ASCII | GF_UPPER);
		break;
	default:
		sbuf_adds(&tmp, p->given);
		if (p->given2) {
			sbuf_addc(&tmp, ' ');
			gen_add_initial(&tmp, p->given2);
		}
		sbuf_addc(&tmp, ' ');
		sbuf_adds(&tmp, p->sur1);
		gen_fold(tmp.buf, &sb, GF_ASCII | GF_UPPER);
		break;
	}
	out = sbuf_failed(&sb) ? NULL : arena_strndup(&g->arena, sb.buf, sb.len);
	sbuf_release(&sb);
	sbuf_release(&tmp);
	return out;
}

uint32_t gen_account_new(gen_t *g, struct rng *r, uint8_t hkind, uint32_t holder, uint16_t place,
			 int country)
{
	struct gen_account *a = vec_grow(&g->accounts, 1);
	uint32_t idx = (uint32_t)(g->accounts.len - 1);
	uint64_t x;

	if (!a)
		return GEN_NONE;
	a->hkind = hkind;
	a->holder = holder;
	a->place = place;
	a->bank = (uint8_t)gen_pick_i(&g->d.bank_pick[country], r);
	a->flags = 0;
	a->ctrl = GEN_NONE;
	a->net = GEN_NONE;
	a->role = 0;
	a->opened = (int32_t)(g->k.start_day - 30 - (int64_t)rng_below(r, 365 * 12));
	/* A bijection of the index (odd multiplier mod 10^10): numbers look
	 * random but never collide. */
	x = ((uint64_t)idx * 7919ULL * 104729ULL + 3141592653ULL) % 10000000000ULL;
	if (country == C_US)
		snprintf(a->num, sizeof a->num, "%010llu", (unsigned long long)x);
	else if (country == C_MX)
		snprintf(a->num, sizeof a->num, "%03u%010llu", 100u + a->bank, (unsigned long long)x);
	else
		snprintf(a->num, sizeof a->num, "%02u%010llu", 10u + a->bank, (unsigned long long)x);
	if (hkind == H_PERSON) {
		struct gen_person *p = gen_P(g, holder);
		int32_t adult = p->dob + 18 * 365;

		if (a->opened < adult)
			a->opened = adult + (int32_t)rng_below(r, 300);
		/* Recent arrivals opened their accounts recently (a lawful
		 * look-alike of the new accounts networks use). */
		if (p->flags & P_MIGRANT)
			a->opened = (int32_t)(g->k.start_day - 1 - (int64_t)rng_below(r, 365));
		if (a->opened > g->k.start_day - 1)
			a->opened = (int32_t)g->k.start_day - 1;
		a->name = holder_name(g, p, a->bank % 3);
		if (p->acct == GEN_NONE)
			p->acct = idx;
		else if (p->acct2 == GEN_NONE)
			p->acct2 = idx;
		p->nacct++;
	} else if (hkind == H_BIZ) {
		a->name = gen_B(g, holder)->name;
		if (gen_B(g, holder)->acct == GEN_NONE)
			gen_B(g, holder)->acct = idx;
	} else {
		a->name = ((struct gen_merchant *)g->merchants.data)[holder].name;
	}
	if (!a->name)
		return GEN_NONE;
	return idx;
}

/* Merchant accounts of a category (spending or payee table), one drawn. */
uint32_t gen_merchant_acct(gen_t *g, struct rng *r, const char *category)
{
	size_t i;

	for (i = 0; i < g->d.nspend; i++)
		if (strcmp(g->d.spend[i].category, category) == 0)
			return ((struct gen_merchant *)g->merchants.data)[g->d.spend[i].merchant0 +
									     rng_below(r, g->d.spend[i].nmerchant)].acct;
	for (i = 0; i < g->d.npayees; i++)
		if (strcmp(g->d.payees[i].category, category) == 0)
			return ((struct gen_merchant *)g->merchants.data)[g->d.payees[i].merchant0 +
									     rng_below(r, g->d.payees[i].nmerchant)].acct;
	return GEN_NONE;
}

const struct gen_payee *gen_payee(gen_t *g, const char *category)
{
	size_t i;

	for (i = 0; i < g->d.npayees; i++)
		if (strcmp(g->d.payees[i].category, category) == 0)
			return &g->d.payees[i];
	return NULL;
}

static int add_merchants(gen_t *g, struct rng *r, const char *category, const char **names, uint32_t n,
			 uint32_t *first)
{
	uint32_t i;

	*first = (uint32_t)g->merchants.len;
	for (i = 0; i < n; i++) {
		struct gen_merchant *m = vec_grow(&g->merchants, 1);

		if (!m)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		m->name = names[i];
		m->category = category;
		m->acct = gen_account_new(g, r, H_MERCHANT, (uint32_t)(g->merchants.len - 1),
					  gen_place_pick(g, r, C_US), C_US);
		if (m->acct == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return 0;
}

uint32_t gen_person_at(gen_t *g, struct rng *r, uint16_t place)
{
	uint32_t lo = g->place_people_at[place], hi = g->place_people_at[place + 1];

	if (hi > lo)
		return g->place_people[lo + rng_below(r, hi - lo)];
	return (uint32_t)rng_below(r, g->nbase);
}

static int index_places(gen_t *g)
{
	size_t np = g->d.nplaces, i;
	uint32_t *count;

	g->place_people_at = mem_calloc(np + 1, sizeof(uint32_t));
	g->place_people = mem_alloc(sizeof(uint32_t) * (g->nbase ? g->nbase : 1));
	count = mem_calloc(np + 1, sizeof(uint32_t));
	if (!g->place_people_at || !g->place_people || !count) {
		mem_free(count);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < g->nbase; i++)
		g->place_people_at[gen_P(g, (uint32_t)i)->place + 1]++;
	for (i = 0; i < np; i++)
		g->place_people_at[i + 1] += g->place_people_at[i];
	for (i = 0; i < g->nbase; i++) {
		uint16_t pl = gen_P(g, (uint32_t)i)->place;

		g->place_people[g->place_people_at[pl] + count[pl]++] = (uint32_t)i;
	}
	mem_free(count);
	return 0;
}

/* ---- businesses --------------------------------------------------------- */

static const char *biz_name(gen_t *g, struct rng *r, int kind, const struct gen_person *owner, uint16_t place)
{
	const struct gen_bizdef *d = &g->d.biz[kind];
	const char *pat = d->patterns[rng_below(r, d->npatterns)], *p;
	struct sbuf sb = SBUF_INIT;
	const char *out;

	for (p = pat; *p; p++) {
		if (*p == '{') {
			const char *end = strchr(p, '}');

			if (end) {
				size_t n = (size_t)(end - p - 1);

				if (n == 3 && strncmp(p + 1, "sur", 3) == 0)
					sbuf_adds(&sb, owner->sur1);
				else if (n == 5 && strncmp(p + 1, "given", 5) == 0)
					sbuf_adds(&sb, owner->given);
				else if (n == 4 && strncmp(p + 1, "city", 4) == 0)
					sbuf_adds(&sb, g->d.places[place].city);
				else if (n == 4 && strncmp(p + 1, "word", 4) == 0)
					sbuf_adds(&sb, gen_pick(&g->d.words, r));
				p = end;
				continue;
			}
		}
		sbuf_addc(&sb, *p);
	}
	out = sbuf_failed(&sb) ? NULL : arena_strndup(&g->arena, sb.buf, sb.len);
	sbuf_release(&sb);
	return out;
}

static uint32_t biz_new(gen_t *g, struct rng *r, int kind, uint16_t place, uint32_t owner)
{
	struct gen_biz *b = vec_grow(&g->bizs, 1);
	const struct gen_bizdef *d = &g->d.biz[kind];
	uint32_t idx = (uint32_t)(g->bizs.len - 1);

	if (!b)
		return GEN_NONE;
	b->kind = (uint8_t)kind;
	b->place = place;
	b->owner = owner;
	b->name = biz_name(g, r, kind, gen_P(g, owner), place);
	if (!b->name)
		return GEN_NONE;
	b->street = (uint16_t)rng_below(r, g->d.streets[place_style(&g->d.places[place])].n);
	b->house = (uint16_t)rng_range(r, 100, 9899);
	b->nstaff = (uint16_t)rng_range(r, d->staff_lo, d->staff_hi);
	b->wage = (float)(d->wage * rng_lognormal(r, 0, 0.08));
	b->cash_share = (float)d->cash_share;
	/* Daily takings: staff cost is ~30% of revenue in small service firms. */
	b->revenue = (float)(b->nstaff * b->wage * 8 / 0.3 * rng_lognormal(r, 0, 0.2));
	b->flags = 0;
	b->net = GEN_NONE;
	b->client = GEN_NONE;
	b->acct = GEN_NONE;
	b->role = 0;
	b->branch[0] = b->branch[1] = place;
	gen_phone_new(g, r, place, b->phone);
	if (gen_account_new(g, r, H_BIZ, idx, place, C_US) == GEN_NONE)
		return GEN_NONE;
	return idx;
}

/* Public wrapper used by the network builder for front businesses. */
uint32_t gen_biz_new(gen_t *g, struct rng *r, int kind, uint16_t place, uint32_t owner);
uint32_t gen_biz_new(gen_t *g, struct rng *r, int kind, uint16_t place, uint32_t owner)
{
	return biz_new(g, r, kind, place, owner);
}

static int build_businesses(gen_t *g, struct rng *r)
{
	size_t c, i;
	int k;

	for (c = 0; c < g->d.ncountry_places[C_US]; c++) {
		uint16_t pl = (uint16_t)g->d.country_places[C_US][c];
		uint32_t residents = g->place_people_at[pl + 1] - g->place_people_at[pl];

		if (!residents)
			continue;
		for (k = 0; k < BK_N; k++) {
			uint32_t n = rng_poisson(r, residents * g->d.biz[k].per_1000 / 1000.0);

			/* Every place with people has somewhere to rent from. */
			if (k == BK_PROPERTY && !n)
				n = 1;
			for (i = 0; i < n; i++) {
				uint32_t owner = gen_person_at(g, r, pl);

				if (biz_new(g, r, k, pl, owner) == GEN_NONE)
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
			}
		}
	}
	/* Staffing agencies supply a business of their place. */
	for (i = 0; i < g->bizs.len; i++) {
		struct gen_biz *b = gen_B(g, (uint32_t)i);
		size_t j;

		if (b->kind != BK_STAFFING)
			continue;
		for (j = 0; j < g->bizs.len; j++) {
			struct gen_biz *o = gen_B(g, (uint32_t)((i + 1 + j) % g->bizs.len));

			if (o->place == b->place && (o->kind == BK_CONSTRUCTION || o->kind == BK_FARM ||
						     o->kind == BK_HOTEL || o->kind == BK_CLEANING)) {
				b->client = (uint32_t)(o - gen_B(g, 0));
				break;
			}
		}
	}
	return 0;
}

/* ---- jobs, homes, relatives --------------------------------------------- */

static uint32_t *biz_by_place(gen_t *g, uint32_t **at_out)
{
	size_t np = g->d.nplaces, i;
	uint32_t *at = mem_calloc(np + 1, sizeof(uint32_t)), *list, *fill;

	list = mem_alloc(sizeof(uint32_t) * (g->bizs.len + 1));
	fill = mem_calloc(np + 1, sizeof(uint32_t));
	if (!at || !list || !fill) {
		mem_free(at);
		mem_free(list);
		mem_free(fill);
		return NULL;
	}
	for (i = 0; i < g->bizs.len; i++)
		at[gen_B(g, (uint32_t)i)->place + 1]++;
	for (i = 0; i < np; i++)
		at[i + 1] += at[i];
	for (i = 0; i < g->bizs.len; i++) {
		uint16_t pl = gen_B(g, (uint32_t)i)->place;

		list[at[pl] + fill[pl]++] = (uint32_t)i;
	}
	mem_free(fill);
	*at_out = at;
	return list;
}

static int assign_jobs_homes(gen_t *g, struct rng *r)
{
	uint32_t *at = NULL, *list = biz_by_place(g, &at), *filled;
	const struct gen_payee *payroll = gen_payee(g, "payroll");
	const struct gen_payee *mortgage = gen_payee(g, "mortgage");
	size_t i;

	if (!list)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	filled = mem_calloc(g->bizs.len + 1, sizeof(uint32_t));
	if (!filled) {
		mem_free(list);
		mem_free(at);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	for (i = 0; i < g->nbase; i++) {
		struct gen_person *p = gen_P(g, (uint32_t)i);
		const struct gen_place *pl = &g->d.places[p->place];
		int age = (int)((g->k.start_day - p->dob) / 365);
		double pe = age > 67 ? 0.15 : p->flags & P_STUDENT ? 0.4 : 0.74;

		if (rng_chance(r, pe)) {
			uint32_t lo = at[p->place], hi = at[p->place + 1], b = GEN_NONE;
			int t;

			for (t = 0; t < 4 && hi > lo; t++) {
				uint32_t cand = list[lo + rng_below(r, hi - lo)];

				if (filled[cand] < gen_B(g, cand)->nstaff) {
					b = cand;
					break;
				}
			}
			if (b != GEN_NONE) {
				struct gen_biz *bz = gen_B(g, b);

				filled[b]++;
				p->employer = b;
				p->payer = bz->acct;
				p->wage = (float)(bz->wage * rng_lognormal(r, 0, 0.1));
				/* Farm and construction crews are paid weekly. */
				if (bz->kind == BK_FARM || bz->kind == BK_CONSTRUCTION)
					p->paygroup = 2;
				/* Staffing-agency workers are paid by the agency. */
			} else if (payroll) {
				p->payer = ((struct gen_merchant *)g->merchants.data)[payroll->merchant0 +
										rng_below(r, payroll->nmerchant)].acct;
				p->wage = (float)rng_lognormal(r, log(21.0), 0.35);
			}
		}
		/* Housing: renters pay a landlord (a property firm, or a neighbour
		 * who owns a second home); owners over 30 pay a mortgage. */
		{
			double base = pl->border ? 950 : 1250;

			if (age < 24 && rng_chance(r, 0.5)) {
				/* lives with family */
			} else if (age > 30 && rng_chance(r, 0.42) && mortgage) {
				p->landlord = ((struct gen_merchant *)g->merchants.data)[mortgage->merchant0 +
										 rng_below(r, mortgage->nmerchant)].acct;
				p->rent = (float)(base * 1.2 * rng_lognormal(r, 0, 0.25));
			} else {
				uint32_t lo = at[p->place], hi = at[p->place + 1], t;

				p->rent = (float)(base * rng_lognormal(r, 0, 0.25));
				for (t = 0; t < 8 && hi > lo; t++) {
					uint32_t cand = list[lo + rng_below(r, hi - lo)];

					if (gen_B(g, cand)->kind == BK_PROPERTY) {
						p->landlord = gen_B(g, cand)->acct;
						break;
					}
				}
				if (p->landlord == GEN_NONE || rng_chance(r, 0.25)) {
					uint32_t o = gen_person_at(g, r, p->place);

					if (o != i && gen_P(g, o)->acct != GEN_NONE)
						p->landlord = gen_P(g, o)->acct;
				}
			}
		}
	}
	mem_free(filled);
	mem_free(list);
	mem_free(at);
	return 0;
}

static int add_relatives(gen_t *g, struct rng *r)
{
	size_t i;

	for (i = 0; i < g->nbase; i++) {
		struct gen_person *p = gen_P(g, (uint32_t)i);
		int foreign = p->origin >= OR_MX;
		double share = foreign ? g->k.remit_share * 2 : p->origin == OR_USH ? g->k.remit_share * 0.3 : 0;
		int c;
		uint32_t rel, acct;
		uint16_t pl;

		if (!rng_chance(r, share > 1 ? 1 : share))
			continue;
		c = origin_country(p->origin == OR_USH ? OR_MX : p->origin);
		pl = gen_place_pick(g, r, c);
		rel = gen_person_new(g, r, p->origin == OR_USH ? OR_MX : p->origin, pl, -1, 20, 80);
		if (rel == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		p = gen_P(g, (uint32_t)i);   /* the vector may have moved */
		/* Often a parent: shares the migrant's paternal surname. */
		if (rng_chance(r, 0.6))
			gen_P(g, rel)->sur1 = p->sur1;
		gen_P(g, rel)->flags |= P_ABROAD;
		acct = gen_account_new(g, r, H_PERSON, rel, pl, c);
		if (acct == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		p = gen_P(g, (uint32_t)i);
		p->rel = rel;
		p->flags |= P_REMIT;
	}
	return 0;
}

int gen_world_build(gen_t *g)
{
	struct rng r;
	uint32_t n, i;
	double people = g->k.people_per_scale * g->k.scale;
	size_t s;
	int rc;

	if (people > 50e6)
		return gen_fail(g, RASTRO_LIMIT, "at most 50 million people (scale %.0f is too large)", g->k.scale);
	n = (uint32_t)(people + 0.5);
	if (n < 50)
		n = 50;
	rc = build_home_list(g);
	if (rc)
		return rc;
	if (vec_reserve(&g->persons, (size_t)n * 3 / 2 + 64))
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_PEOPLE, 0, 0));
	for (i = 0; i < n; i++) {
		uint16_t pl = (uint16_t)g->d.country_places[C_US][gen_pick_i(&g->d.us_home, &r)];
		const struct gen_place *place = &g->d.places[pl];
		uint8_t origin = OR_US;
		struct gen_person *p;
		uint32_t idx;

		if (rng_chance(&r, place->hisp)) {
			double x = rng_uniform(&r);

			/* Hispanic residents: about 55% U.S.-born, 30% born in Mexico,
			 * the rest in Guatemala, Honduras and El Salvador (Pew 2021). */
			origin = x < 0.55 ? OR_USH : x < 0.85 ? OR_MX : x < 0.90 ? OR_GT : x < 0.95 ? OR_HN : OR_SV;
		}
		idx = gen_person_new(g, &r, origin, pl, -1, 18, 80);
		if (idx == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		p = gen_P(g, idx);
		if ((g->k.start_day - p->dob) / 365 < 24 && rng_chance(&r, 0.35))
			p->flags |= P_STUDENT;
		if (origin >= OR_MX && rng_chance(&r, 0.3)) {
			/* Recent arrivals: some still use the phone from home. */
			p->flags |= P_MIGRANT;
			if (rng_chance(&r, 0.5))
				gen_phone_new(g, &r, gen_place_pick(g, &r, origin_country(origin)), p->phone);
		}
		if (rng_chance(&r, g->k.unbanked_share * (origin >= OR_MX ? 2.5 : 1)))
			p->flags |= P_UNBANKED;
	}
	g->nbase = n;
	rc = index_places(g);
	if (rc)
		return rc;
	/* Merchant accounts first, so that their numbers do not depend on the
	 * size of the population. */
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_ACCT, 0, 0));
	for (s = 0; s < g->d.nspend && !rc; s++)
		rc = add_merchants(g, &r, g->d.spend[s].category, g->d.spend[s].names, g->d.spend[s].nmerchant,
				   &g->d.spend[s].merchant0);
	for (s = 0; s < g->d.npayees && !rc; s++)
		rc = add_merchants(g, &r, g->d.payees[s].category, g->d.payees[s].names, g->d.payees[s].nmerchant,
				   &g->d.payees[s].merchant0);
	if (rc)
		return rc;
	g->processor_acct = gen_merchant_acct(g, &r, "card_processor");
	for (i = 0; i < n; i++) {
		struct gen_person *p = gen_P(g, i);

		if (p->flags & P_UNBANKED)
			continue;
		if (gen_account_new(g, &r, H_PERSON, i, p->place, C_US) == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		if (rng_chance(&r, 0.22) && gen_account_new(g, &r, H_PERSON, i, p->place, C_US) == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	/* Correspondent accounts of money transmitters abroad, which receive
	 * the transmitters' settlement wires. */
	for (s = 1; s < C_N; s++) {
		uint32_t m = (uint32_t)g->merchants.len;
		struct gen_merchant *mc = vec_grow(&g->merchants, 1);
		static const char *const corr[C_N] = { "", "Pagos Transfronterizos SA de CV",
							"Remesas Express Guatemala", "Remesas Honduras SA",
							"Envíos Cuscatlán SA de CV" };

		if (!mc)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		mc->name = corr[s];
		mc->category = "remittance";
		mc->acct = gen_account_new(g, &r, H_MERCHANT, m, gen_place_pick(g, &r, (int)s), (int)s);
		g->msb_corr[s] = mc->acct;
	}
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_BIZ, 0, 0));
	rc = build_businesses(g, &r);
	if (!rc)
		rc = assign_jobs_homes(g, &r);
	if (!rc)
		rc = add_relatives(g, &r);
	gen_progress(g, "world", g->persons.len, g->persons.len);
	return rc;
}

/* ---- accounts.csv (format kyc) ------------------------------------------ */

static const char *occupation(gen_t *g, const struct gen_person *p)
{
	static const char *const by_kind[BK_N] = {
		"cook", "cashier", "massage therapist", "nail technician", "farmworker", "construction laborer",
		"warehouse associate", "housekeeper", "teller", "property manager", "janitor", "truck driver",
		"mechanic",
	};
	int age = (int)((g->k.start_day - p->dob) / 365);

	if (p->flags & P_ISW)
		return "self-employed";
	if (p->flags & P_TRAVELLER)
		return "sales representative";
	if (p->employer != GEN_NONE)
		return by_kind[gen_B(g, p->employer)->kind];
	if (p->payer != GEN_NONE)
		return p->flags & P_NIGHT ? "nurse" : "retail associate";
	if (p->flags & P_STUDENT)
		return "student";
	if (age > 64)
		return "retired";
	return "";
}

int gen_write_accounts(gen_t *g)
{
	struct gen_out o;
	struct sbuf tmp = SBUF_INIT;
	struct rng r;
	size_t i;
	uint32_t *order;
	int rc;

	/* Rows in a shuffled order: accounts created for the planted networks
	 * come last in memory and must not come last in the file. */
	order = mem_alloc(sizeof(uint32_t) * (g->accounts.len ? g->accounts.len : 1));
	if (!order)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < g->accounts.len; i++)
		order[i] = (uint32_t)i;
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_ACCT, 2, 0));
	rng_shuffle(&r, order, g->accounts.len, sizeof(uint32_t));
	rc = gout_open(g, &o, "accounts.csv");
	if (rc) {
		mem_free(order);
		return rc;
	}
	rng_seed2(&r, g->k.seed, gen_stream_id(GS_ACCT, 1, 0));
	sbuf_adds(&o.b, "account_id,bank,customer_id,name,dob,address,city,region,postcode,country,phone,"
			"email,opened,occupation,customer_type,business_type\n");
	for (i = 0; i < g->accounts.len && !rc; i++) {
		const struct gen_account *a = gen_A(g, order[i]);
		const struct gen_bank *bk = &g->d.banks[a->bank];
		const struct gen_place *pl;
		int phone_style = (int)(a->bank % 5);

		/* Only the consortium's own (U.S.) banks have KYC files; merchants
		 * bank elsewhere. */
		if (a->hkind == H_MERCHANT || bk->country != C_US)
			continue;
		gb_csv(&o.b, a->num);
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, bk->code);
		sbuf_addc(&o.b, ',');
		sbuf_adds(&o.b, bk->code);
		sbuf_addc(&o.b, '-');
		if (a->hkind == H_PERSON) {
			const struct gen_person *p = gen_P(g, a->holder);
			/* Accounts a controller opened for someone else carry the
			 * controller's phone and address (FIN-2020-A008). */
			const struct gen_person *c = (a->flags & A_KYC_CTRL) && a->ctrl != GEN_NONE ? gen_P(g, a->ctrl) : p;

			gb_u64w(&o.b, gen_scramble(a->holder), 8);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, a->name);
			sbuf_addc(&o.b, ',');
			if (!rng_chance(&r, 0.02))
				gb_date(&o.b, p->dob);
			sbuf_addc(&o.b, ',');
			sbuf_clear(&tmp);
			gen_person_address(g, c, &tmp);
			gb_csv(&o.b, tmp.buf);
			pl = &g->d.places[c->place];
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->city);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->region);
			sbuf_addc(&o.b, ',');
			gen_person_postcode(g, c->place, (uint32_t)c->street * 10007u + c->house, &o.b);
			sbuf_addc(&o.b, ',');
			sbuf_adds(&o.b, gen_country_code[pl->country]);
			sbuf_addc(&o.b, ',');
			if (!rng_chance(&r, 0.03)) {
				sbuf_clear(&tmp);
				gen_phone_style(c->phone, phone_style, &tmp);
				gb_csv(&o.b, tmp.buf);
			}
			sbuf_addc(&o.b, ',');
			sbuf_clear(&tmp);
			gen_person_email(g, (a->flags & A_KYC_CTRL) && rng_chance(&r, 0.5) ? c : p, &tmp);
			gb_csv(&o.b, tmp.buf);
			sbuf_addc(&o.b, ',');
			gb_date(&o.b, a->opened);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, occupation(g, p));
			sbuf_adds(&o.b, ",person,\n");
		} else {
			const struct gen_biz *b = gen_B(g, a->holder);

			sbuf_addc(&o.b, 'B');
			gb_u64w(&o.b, gen_scramble(a->holder), 8);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, a->name);
			sbuf_addc(&o.b, ',');
			sbuf_addc(&o.b, ',');
			sbuf_clear(&tmp);
			address(g, b->place, b->street, b->house, 0, &tmp);
			gb_csv(&o.b, tmp.buf);
			pl = &g->d.places[b->place];
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->city);
			sbuf_addc(&o.b, ',');
			gb_csv(&o.b, pl->region);
			sbuf_addc(&o.b, ',');
			gen_person_postcode(g, b->place, (uint32_t)b->street * 10007u + b->house, &o.b);
			sbuf_addc(&o.b, ',');
			sbuf_adds(&o.b, gen_country_code[pl->country]);
			sbuf_addc(&o.b, ',');
			sbuf_clear(&tmp);
			gen_phone_style(b->phone, phone_style, &tmp);
			gb_csv(&o.b, tmp.buf);
			sbuf_adds(&o.b, ",,");
			gb_date(&o.b, a->opened);
			sbuf_addc(&o.b, ',');
			sbuf_addc(&o.b, ',');
			sbuf_adds(&o.b, "business,");
			sbuf_adds(&o.b, g->d.biz[b->kind].kind);
			sbuf_addc(&o.b, '\n');
		}
		o.rows++;
		rc = gout_maybe_flush(g, &o);
	}
	sbuf_release(&tmp);
	mem_free(order);
	if (rc || sbuf_failed(&o.b)) {
		gout_abort(&o);
		return rc ? rc : gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return gout_close(g, &o);
}
