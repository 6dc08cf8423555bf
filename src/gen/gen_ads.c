/*
 * gen_ads: online ads and posts (ads.jsonl, format ads).
 *
 * Every ad belongs to a template family: one poster's way of writing, made
 * of one sentence per part drawn from data/gen/ad_templates.tsv, with
 * {a|b} alternatives that vary from ad to ad (knob gen.ad_variation) and
 * slots filled per ad (names, cities, prices, phones).  Network families:
 * escort ads posted by a controller for the victims (one set of "work
 * phones" across victims and cities), smuggling "travel" offers and fake
 * job offers with the recruiter's phone.  Benign families: independent
 * adults, real spas, real employers, real travel agencies — the same
 * kinds of ads, gen.benign_ads_ratio of them per network ad.
 *
 * Phones are often obscured (knob gen.obfuscation_share for network ads,
 * a small share for benign ones): spaced or bracketed digits, English
 * words with misspellings ("fivee", "f0ur", "oh"), Spanish number words,
 * emoji keycaps, fullwidth digits, or a mix — the forms listed in
 * docs/ads reference §8, including those no open extractor handles.
 * truth.json records each ad's family and true phone numbers.
 */
#include "gen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

/* ---- sites -------------------------------------------------------------- */

enum { S_ESCORT, S_NIGHT, S_CITYLIST, S_SPAFINDER, S_CLASSIFIEDS, S_JOBS, S_FACEBOOK, S_TIKTOK, S_WHATSAPP, S_N };

static const struct {
	const char *name;      /* the `site` value */
	const char *host;      /* for the URL */
	const char *prefix;    /* of the site's ad ids */
} sites[S_N] = {
	{ "escortsite.example", "escortsite.example", "ES" },
	{ "nightads.example", "nightads.example", "NA-" },
	{ "citylist.example", "citylist.example", "CL" },
	{ "spafinder.example", "spafinder.example", "SF" },
	{ "classifieds.example", "classifieds.example", "C" },
	{ "jobs.example", "jobs.example", "J" },
	{ "facebook", "facebook.example", "1000" },
	{ "tiktok", "tiktok.example", "73" },
	{ "whatsapp", "wa.example", "WA" },
};

static const int kind_sites[AK_N][4] = {
	{ S_ESCORT, S_NIGHT, S_CITYLIST, S_ESCORT },
	{ S_CITYLIST, S_SPAFINDER, S_CLASSIFIEDS, S_CITYLIST },
	{ S_FACEBOOK, S_CLASSIFIEDS, S_JOBS, S_WHATSAPP },
	{ S_FACEBOOK, S_TIKTOK, S_WHATSAPP, S_CLASSIFIEDS },
};

static const char *const kind_name[AK_N] = { "escort", "massage", "job", "travel" };

static const char *const obf_name[] = { "plain", "spaced", "separators", "spelled_en", "spelled_es",
					"emoji_keycap", "fullwidth", "mixed" };
enum { OB_PLAIN, OB_SPACED, OB_SEP, OB_EN, OB_ES, OB_KEYCAP, OB_FULL, OB_MIXED, OB_N };

void gen_ad_id(gen_t *g, uint32_t i, struct sbuf *sb)
{
	const struct gen_ad *a = vec_at(&g->ads, i);
	uint32_t x = gen_scramble(i);

	sbuf_adds(sb, sites[a->site].prefix);
	if (a->site == S_FACEBOOK || a->site == S_TIKTOK)
		gb_u64w(sb, x, 11);   /* long numeric post ids */
	else
		gb_u64w(sb, x, 8);
}

/* ---- families ----------------------------------------------------------- */

static const char *const parts_escort[] = { "title", "open", "desc", "service", "rate", "contact", "close", NULL };
static const char *const parts_other[] = { "title", "open", "desc", "rate", "contact", NULL };

static const char *const *kind_parts(int kind)
{
	return kind == AK_ESCORT ? parts_escort : parts_other;
}

static uint32_t family_new(gen_t *g, struct rng *r, int kind, int lang, const char *cls, uint32_t net,
			   uint32_t poster, uint32_t biz)
{
	struct gen_family *f = vec_grow(&g->families, 1);
	const char *const *parts = kind_parts(kind);
	int p, any_title = 0;
	size_t i;

	if (!f)
		return GEN_NONE;
	f->kind = (uint8_t)kind;
	f->lang = (uint8_t)lang;
	f->illicit = net != GEN_NONE;
	f->net = net;
	f->poster = poster;
	f->biz = biz;
	f->nads = 0;
	f->seed = (uint32_t)rng_next(r);
	f->home_site = (uint8_t)kind_sites[kind][rng_below(r, 4)];
	f->phone[0] = '\0';
	for (p = 0; p < 8; p++)
		f->line[p] = GEN_NONE;
	for (p = 0; parts[p]; p++) {
		uint32_t cand[64], n = 0;
		int l;

		/* Optional parts are left out by some posters. */
		if (p > 1 && strcmp(parts[p], "contact") != 0 && rng_chance(r, 0.2))
			continue;
		for (l = 0; l < 2 && !n; l++) {
			const char *lg = (l == 0) == (lang == 0) ? "en" : "es";

			for (i = 0; i < g->d.nadlines && n < 64; i++) {
				const struct gen_adline *a = &g->d.adlines[i];

				if (strcmp(a->kind, kind_name[kind]) == 0 && strcmp(a->lang, lg) == 0 &&
				    strcmp(a->cls, cls) == 0 && strcmp(a->part, parts[p]) == 0)
					cand[n++] = (uint32_t)i;
			}
			if (l == 0 && !n && p == 0)
				f->lang = (uint8_t)!lang;   /* no title in that language: the other one */
		}
		if (n) {
			f->line[p] = cand[rng_below(r, n)];
			any_title |= p == 0;
		}
	}
	if (!any_title) {
		g->families.len--;
		return GEN_NONE - 1;   /* no sentences for this kind/class: skip */
	}
	return (uint32_t)(g->families.len - 1);
}

static uint32_t ad_new(gen_t *g, struct rng *r, uint32_t fam, uint32_t person, uint16_t place, int day,
		       double hlo, double hhi, const char *phone, double obf_share)
{
	struct gen_family *f = vec_at(&g->families, fam);
	struct gen_ad *a = vec_grow(&g->ads, 1);
	double h;

	if (!a)
		return GEN_NONE;
	if (day < 0)
		day = 0;
	if (day >= g->k.days)
		day = g->k.days - 1;
	h = hlo + rng_uniform(r) * (hhi - hlo);
	a->ts = gen_at(g, day, h >= 24 ? h - 24 : h);
	a->family = fam;
	a->net = f->net;
	a->person = person;
	a->poster = f->poster;
	a->biz = f->biz;
	a->place = place;
	memcpy(a->phone, phone, 16);
	a->obf = rng_chance(r, obf_share) ? (uint8_t)(1 + rng_below(r, OB_N - 1)) : OB_PLAIN;
	a->structured = a->obf == OB_PLAIN && rng_chance(r, 0.4);
	a->site = rng_chance(r, 0.7) ? f->home_site : (uint8_t)kind_sites[f->kind][rng_below(r, 4)];
	f->nads++;
	return (uint32_t)(g->ads.len - 1);
}

static int net_ad(gen_t *g, uint32_t ni, uint32_t ai)
{
	struct gen_net *n = vec_at(&g->nets, ni);

	return vec_push(&n->ads, &ai) ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
}

static int network_ads(gen_t *g, struct rng *r, uint32_t ni, size_t counts[AK_N])
{
	struct gen_net *n = vec_at(&g->nets, ni);
	double obf = g->k.obfuscation_share;
	size_t m;
	int k;

	if (n->kind == NK_SEX) {
		int nf = rng_chance(r, 0.3) ? 2 : 1, lang = rng_chance(r, 0.8) ? 0 : 1;
		uint32_t fams[2], front = GEN_NONE, mfam = GEN_NONE;

		for (k = 0; k < nf; k++) {
			fams[k] = family_new(g, r, AK_ESCORT, k ? !lang : lang, "ht", ni, n->poster, GEN_NONE);
			if (fams[k] == GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			n = vec_at(&g->nets, ni);
			if (vec_push(&n->families, &fams[k]))
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
		}
		for (m = 0; m < n->members.len; m++) {
			const struct gen_member *mb = vec_at(&n->members, m);

			if (mb->is_biz && gen_B(g, mb->idx)->kind == BK_MASSAGE)
				front = mb->idx;
		}
		if (front != GEN_NONE) {
			mfam = family_new(g, r, AK_MASSAGE, 0, "ht", ni, n->poster, front);
			if (mfam == GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			if (mfam != GEN_NONE - 1 && vec_push(&((struct gen_net *)vec_at(&g->nets, ni))->families, &mfam))
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
		}
		n = vec_at(&g->nets, ni);
		for (m = 0; m < n->members.len; m++) {
			struct gen_member mb = *(const struct gen_member *)vec_at(&n->members, m);
			int nads, j;

			if (mb.is_biz || mb.role != R_VICTIM)
				continue;
			nads = 3 + (int)rng_below(r, 8);
			for (j = 0; j < nads; j++) {
				struct gen_net *nn = vec_at(&g->nets, ni);
				uint32_t fam = fams[rng_below(r, (uint64_t)nf)];
				/* Mostly the ring's work phones; sometimes the victim's own
				 * phone, or the poster's personal one, which is also on the
				 * KYC of accounts (FIN-2020-A008 T10). */
				double x = rng_uniform(r);
				const char *ph = x < 0.15 && gen_P(g, mb.idx)->phone[0] ? gen_P(g, mb.idx)->phone
						 : x < 0.35 && nn->poster != GEN_NONE && gen_P(g, nn->poster)->phone[0]
						 ? gen_P(g, nn->poster)->phone : nn->phones[rng_below(r, nn->nphones)];
				uint32_t ai = ad_new(g, r, fam, mb.idx, nn->places[rng_below(r, nn->nplaces)],
						     (int)rng_below(r, (uint64_t)g->k.days), 9, 26, ph, obf);

				if (ai == GEN_NONE || net_ad(g, ni, ai))
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
				counts[AK_ESCORT]++;
			}
		}
		if (front != GEN_NONE && mfam != GEN_NONE - 1) {
			int nads = 3 + (int)rng_below(r, 6), j;

			for (j = 0; j < nads; j++) {
				struct gen_net *nn = vec_at(&g->nets, ni);
				uint32_t ai = ad_new(g, r, mfam, GEN_NONE, nn->hub, (int)rng_below(r, (uint64_t)g->k.days), 9, 23,
						     rng_chance(r, 0.5) ? gen_B(g, front)->phone : nn->phones[0], obf * 0.5);

				if (ai == GEN_NONE || net_ad(g, ni, ai))
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
				counts[AK_MASSAGE]++;
			}
		}
	} else if (n->kind == NK_SMUGGLING || n->kind == NK_LABOR) {
		int kind = n->kind == NK_SMUGGLING ? AK_TRAVEL : AK_JOB;
		uint32_t fam = family_new(g, r, kind, rng_chance(r, 0.85) ? 1 : 0, kind == AK_TRAVEL ? "smug" : "fake", ni,
					  n->poster, GEN_NONE);
		int nads = (kind == AK_TRAVEL ? 6 : 4) + (int)rng_below(r, 12), j;

		if (fam == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		if (fam == GEN_NONE - 1)
			return 0;
		if (vec_push(&((struct gen_net *)vec_at(&g->nets, ni))->families, &fam))
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		for (j = 0; j < nads; j++) {
			struct gen_net *nn = vec_at(&g->nets, ni);
			uint32_t ai = ad_new(g, r, fam, GEN_NONE, nn->places[0], (int)rng_below(r, (uint64_t)g->k.days), 7, 22,
					     nn->phones[rng_below(r, nn->nphones)], obf * 0.6);

			if (ai == GEN_NONE || net_ad(g, ni, ai))
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
			counts[kind]++;
		}
	}
	return 0;
}

/* Benign families of one kind until `target` ads exist. */
static int benign_ads(gen_t *g, struct rng *r, int kind, size_t target)
{
	size_t made = 0, b = 0, guard = 0;
	double obf = g->k.obfuscation_share * 0.15;
	uint32_t i;

	/* Independent adults of the population first, then anonymous posters. */
	if (kind == AK_ESCORT)
		for (i = 0; i < g->nbase && made < target; i++) {
			const struct gen_person *p = gen_P(g, i);
			uint32_t fam;
			int nads, j;

			if (!(p->flags & P_ISW))
				continue;
			fam = family_new(g, r, AK_ESCORT, rng_chance(r, 0.85) ? 0 : 1, "ind", GEN_NONE, i, GEN_NONE);
			if (fam >= GEN_NONE - 1)
				return fam == GEN_NONE ? gen_fail(g, RASTRO_NOMEM, "out of memory") : 0;
			nads = 4 + (int)rng_below(r, 12);
			for (j = 0; j < nads; j++)
				if (ad_new(g, r, fam, i, gen_P(g, i)->trip[rng_below(r, 3)], (int)rng_below(r, (uint64_t)g->k.days),
					   10, 25, gen_P(g, i)->phone, obf) == GEN_NONE)
					return gen_fail(g, RASTRO_NOMEM, "out of memory");
			made += (size_t)nads;
		}
	while (made < target && guard++ < 100000) {
		uint32_t fam, biz = GEN_NONE;
		const char *cls = kind == AK_ESCORT ? "ind" : kind == AK_MASSAGE ? "spa" : "real";
		uint16_t place = (uint16_t)g->d.country_places[C_US][gen_pick_i(&g->d.us_home, r)];
		char phone[16];
		int nads, j, lang = rng_chance(r, kind == AK_TRAVEL ? 0.6 : kind == AK_JOB ? 0.35 : 0.1);

		/* Businesses advertise themselves: spas, employers, agencies. */
		if (kind != AK_ESCORT && g->bizs.len) {
			for (j = 0; j < 20; j++) {
				uint32_t c = (uint32_t)((b + rng_below(r, g->bizs.len)) % g->bizs.len);
				const struct gen_biz *bz = gen_B(g, c);

				if (bz->flags & (B_FRONT | B_NETWORK))
					continue;
				if ((kind == AK_MASSAGE && bz->kind == BK_MASSAGE) ||
				    (kind == AK_TRAVEL && bz->kind == BK_MSB) ||
				    (kind == AK_JOB && bz->kind != BK_MSB && bz->kind != BK_PROPERTY)) {
					biz = c;
					break;
				}
			}
			b++;
		}
		if (biz != GEN_NONE) {
			place = gen_B(g, biz)->place;
			memcpy(phone, gen_B(g, biz)->phone, 16);
		} else {
			gen_phone_new(g, r, place, phone);
		}
		/* Farms hire through H-2A: the lawful look-alike of the fake offers. */
		if (kind == AK_JOB && biz != GEN_NONE && gen_B(g, biz)->kind == BK_FARM)
			cls = "h2a";
		fam = family_new(g, r, kind, lang, cls, GEN_NONE, GEN_NONE, biz);
		if (fam == GEN_NONE)
			return gen_fail(g, RASTRO_NOMEM, "out of memory");
		if (fam == GEN_NONE - 1)
			return 0;
		nads = 1 + (int)rng_below(r, kind == AK_ESCORT ? 10 : 6);
		for (j = 0; j < nads; j++)
			if (ad_new(g, r, fam, GEN_NONE, place, (int)rng_below(r, (uint64_t)g->k.days), 8, 23, phone, obf) ==
			    GEN_NONE)
				return gen_fail(g, RASTRO_NOMEM, "out of memory");
		made += (size_t)nads;
	}
	return 0;
}

static int ad_cmp(const void *x, const void *y)
{
	const int64_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

int gen_ads_build(gen_t *g)
{
	struct rng r;
	size_t counts[AK_N] = { 0 }, i;
	int k, rc = 0;

	rng_seed2(&r, g->k.seed, gen_stream_id(GS_ADS, 0, 0));
	for (i = 0; i < g->nets.len && !rc; i++)
		rc = network_ads(g, &r, (uint32_t)i, counts);
	for (k = 0; k < AK_N && !rc; k++) {
		size_t target = (size_t)(counts[k] * g->k.benign_ads_ratio + 0.5);

		/* Every kind has benign ads, even when no network posts that kind. */
		if (target < 5)
			target = 5;
		rc = benign_ads(g, &r, k, target);
	}
	return rc;
}

/* ---- rendering ---------------------------------------------------------- */

static const char *const words_en[10][3] = {
	{ "zero", "oh", "zer0" }, { "one", "one", "0ne" }, { "two", "to", "tw0" }, { "three", "three", "thre" },
	{ "four", "for", "f0ur" }, { "five", "fivee", "fiv3" }, { "six", "six", "s1x" }, { "seven", "sevn", "seven" },
	{ "eight", "e1ght", "ate" }, { "nine", "nine", "niine" },
};
static const char *const words_es[10][2] = {
	{ "cero", "sero" }, { "uno", "uno" }, { "dos", "dos" }, { "tres", "trez" }, { "cuatro", "kuatro" },
	{ "cinco", "sinco" }, { "seis", "seis" }, { "siete", "siete" }, { "ocho", "ocho" }, { "nueve", "nueve" },
};

/* Writes the phone as the ad shows it. */
static void phone_text(struct rng *r, const char *e164, int obf, struct sbuf *sb)
{
	const char *nat;
	size_t ccn, n, i;

	if (!e164[0])
		return;
	ccn = e164[1] == '1' ? 1 : e164[1] == '5' && e164[2] == '2' ? 2 : 3;
	nat = e164 + 1 + ccn;
	n = strlen(nat);
	if (ccn > 1) {
		/* Foreign numbers keep their country code, as WhatsApp contacts do. */
		sbuf_addf(sb, "+%.*s ", (int)ccn, e164 + 1);
	}
	if (obf == OB_PLAIN) {
		if (n == 10 && ccn == 1) {
			int st = (int)rng_below(r, 3);

			if (st == 0)
				sbuf_addf(sb, "(%.3s) %.3s-%.4s", nat, nat + 3, nat + 6);
			else if (st == 1)
				sbuf_addf(sb, "%.3s-%.3s-%.4s", nat, nat + 3, nat + 6);
			else
				sbuf_adds(sb, nat);
		} else if (n == 10) {
			sbuf_addf(sb, "%.3s %.3s %.4s", nat, nat + 3, nat + 6);
		} else {
			sbuf_addf(sb, "%.4s %.4s", nat, nat + 4);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		int d = nat[i] - '0';
		int group_end = n == 10 ? (i == 2 || i == 5) : i == 3;
		int style = obf == OB_MIXED ? (int)(1 + (i * 7 + (size_t)d) % 6) : obf;

		switch (style) {
		case OB_SPACED:
			sbuf_addc(sb, nat[i]);
			if (i + 1 < n)
				sbuf_addc(sb, ' ');
			break;
		case OB_SEP: {
			static const char seps[] = ".-*~";

			sbuf_addc(sb, nat[i]);
			if (group_end)
				sbuf_addc(sb, seps[rng_below(r, 4)]);
			break;
		}
		case OB_EN:
			if (rng_chance(r, 0.6))
				sbuf_adds(sb, words_en[d][rng_below(r, 3)]);
			else
				sbuf_addc(sb, nat[i]);
			if (group_end)
				sbuf_addc(sb, ' ');
			break;
		case OB_ES:
			sbuf_adds(sb, words_es[d][rng_below(r, 2)]);
			if (i + 1 < n)
				sbuf_addc(sb, group_end ? ',' : ' ');
			if (group_end)
				sbuf_addc(sb, ' ');
			break;
		case OB_KEYCAP:
			/* digit, VARIATION SELECTOR-16, COMBINING ENCLOSING KEYCAP */
			sbuf_addc(sb, nat[i]);
			sbuf_adds(sb, "\xEF\xB8\x8F\xE2\x83\xA3");
			break;
		default: /* fullwidth digit U+FF10 + d */
			sbuf_addc(sb, (char)0xEF);
			sbuf_addc(sb, (char)0xBC);
			sbuf_addc(sb, (char)(0x90 + d));
			if (group_end && obf == OB_MIXED)
				sbuf_addc(sb, ' ');
			break;
		}
		if (obf == OB_MIXED && group_end && style != OB_FULL)
			sbuf_addc(sb, ' ');
	}
}

struct adctx {
	gen_t *g;
	const struct gen_ad *a;
	const struct gen_family *f;
	struct rng *r;
	uint32_t alt;          /* alternation counter within the family's text */
	const char *name;
	int age;
	long price, price2, wage, fee, seats;
	const char *eth, *dest, *border;
	struct sbuf phone;
	struct sbuf email;
};

static void slot(struct adctx *c, const char *s, size_t n, struct sbuf *out)
{
	gen_t *g = c->g;
	const struct gen_place *pl = &g->d.places[c->a->place];

#define IS(x) (n == sizeof(x) - 1 && memcmp(s, x, n) == 0)
	if (IS("name"))
		sbuf_adds(out, c->name);
	else if (IS("city"))
		sbuf_adds(out, pl->city);
	else if (IS("age"))
		gb_u64(out, (uint64_t)c->age);
	else if (IS("price"))
		gb_u64(out, (uint64_t)c->price);
	else if (IS("price2"))
		gb_u64(out, (uint64_t)c->price2);
	else if (IS("phone"))
		sbuf_add(out, c->phone.buf, c->phone.len);
	else if (IS("eth"))
		sbuf_adds(out, c->eth);
	else if (IS("email"))
		sbuf_add(out, c->email.buf, c->email.len);
	else if (IS("business")) {
		if (c->a->biz != GEN_NONE) {
			sbuf_adds(out, gen_B(g, c->a->biz)->name);
		} else {
			/* An advertiser outside the world's business list. */
			const char *w = g->d.words.s[c->f->seed % g->d.words.n];

			if (c->f->kind == AK_TRAVEL)
				sbuf_addf(out, "Viajes %s", w);
			else if (c->f->kind == AK_MASSAGE)
				sbuf_addf(out, "%s Day Spa", w);
			else
				sbuf_addf(out, "%s Services", w);
		}
	}
	else if (IS("address")) {
		if (c->a->biz != GEN_NONE) {
			const struct gen_biz *b = gen_B(g, c->a->biz);

			gb_u64(out, b->house);
			sbuf_addc(out, ' ');
			sbuf_adds(out, g->d.streets[0].s[b->street % g->d.streets[0].n]);
			sbuf_adds(out, ", ");
			sbuf_adds(out, pl->city);
		} else {
			sbuf_adds(out, pl->city);
		}
	} else if (IS("wage"))
		gb_u64(out, (uint64_t)c->wage);
	else if (IS("fee"))
		gb_u64(out, (uint64_t)c->fee);
	else if (IS("dest"))
		sbuf_adds(out, c->dest);
	else if (IS("border"))
		sbuf_adds(out, c->border);
	else if (IS("seats"))
		gb_u64(out, (uint64_t)c->seats);
	else if (IS("word"))
		sbuf_adds(out, gen_pick(&g->d.words, c->r));
	else if (IS("job") || IS("trabajo")) {
		/* What the business would hire for. */
		static const char *const en[BK_N][2] = {
			{ "line cooks", "dishwashers" }, { "cashiers", "stockers" }, { "licensed massage therapists", "front desk staff" },
			{ "nail technicians", "receptionists" }, { "farmworkers", "packing-shed workers" },
			{ "drywall installers", "general laborers" }, { "warehouse associates", "forklift operators" },
			{ "housekeepers", "night auditors" }, { "tellers", "customer service reps" },
			{ "maintenance techs", "leasing agents" }, { "janitors", "housekeepers" }, { "CDL drivers", "dispatchers" },
			{ "mechanics", "tire technicians" },
		};
		static const char *const es[BK_N][2] = {
			{ "ayudante de cocina", "lavaplatos" }, { "cajera", "acomodador" }, { "masajista con licencia", "recepcionista" },
			{ "manicurista", "recepcionista" }, { "trabajadores del campo", "empacadores" }, { "albañil", "ayudante general" },
			{ "personal de almacén", "montacarguista" }, { "camarista", "recepcionista de noche" },
			{ "cajero", "atención a clientes" }, { "personal de mantenimiento", "jardinero" },
			{ "personal de limpieza", "conserje" }, { "chofer con CDL", "despachador" }, { "mecánico", "llantero" },
		};
		int k = c->a->biz != GEN_NONE ? gen_B(g, c->a->biz)->kind : BK_CONSTRUCTION;
		int which = (int)(c->f->seed >> 7 & 1);

		sbuf_adds(out, IS("job") ? en[k][which] : es[k][which]);
	}
	else
		sbuf_add(out, s, n);   /* unknown slot: kept as written */
#undef IS
}

/* Renders one template sentence: {a|b} alternatives and {slot}s. */
static void render(struct adctx *c, const char *t, struct sbuf *out)
{
	const char *p = t;

	while (*p) {
		const char *end;

		if (*p != '{' || !(end = strchr(p, '}'))) {
			sbuf_addc(out, *p++);
			continue;
		}
		if (memchr(p, '|', (size_t)(end - p))) {
			const char *opts[8], *q = p + 1;
			size_t lens[8], k = 0, choice;
			uint32_t h = c->f->seed ^ (c->alt++ * 2654435761u);

			while (k < 8) {
				const char *bar = memchr(q, '|', (size_t)(end - q));

				opts[k] = q;
				lens[k] = bar ? (size_t)(bar - q) : (size_t)(end - q);
				k++;
				if (!bar)
					break;
				q = bar + 1;
			}
			/* The family's own choice, except when this ad varies it. */
			h ^= h >> 15;
			h *= 2246822519u;
			h ^= h >> 13;
			choice = rng_chance(c->r, c->g->k.ad_variation) ? rng_below(c->r, k) : h % k;
			{
				/* An alternative may itself hold a slot ("back in {city}"). */
				const char *o = opts[choice];
				size_t ol = lens[choice], i;

				for (i = 0; i < ol; i++) {
					const char *se;

					if (o[i] == '{' && (se = memchr(o + i, '}', ol - i))) {
						slot(c, o + i + 1, (size_t)(se - o - i - 1), out);
						i = (size_t)(se - o);
					} else {
						sbuf_addc(out, o[i]);
					}
				}
			}
		} else {
			slot(c, p + 1, (size_t)(end - p - 1), out);
		}
		p = end + 1;
	}
}

static void handle(gen_t *g, const struct gen_family *f, uint32_t fam, int site, struct sbuf *sb)
{
	static const char *const stems[] = { "sweet", "vip", "latina", "angel", "dreams", "viajes", "empleos",
					     "trabajo", "spa", "relax", "ofertas", "hiring" };
	uint32_t h = f->seed * 2654435761u;

	sbuf_adds(sb, stems[(h >> 8) % (sizeof stems / sizeof stems[0])]);
	sbuf_adds(sb, f->kind == AK_ESCORT ? "girls" : f->kind == AK_TRAVEL ? "usa" : f->kind == AK_JOB ? "usa" : "");
	/* Some posters use one handle everywhere, others one per site. */
	gb_u64(sb, (h >> 20) % 1000 + ((h & 1) ? 0 : (uint32_t)site * 7));
	(void)g;
	(void)fam;
}

static uint64_t img_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void ad_line(gen_t *g, uint32_t ai, struct sbuf *sb, struct sbuf *tmp)
{
	const struct gen_ad *a = vec_at(&g->ads, ai);
	const struct gen_family *f = vec_at(&g->families, a->family);
	const struct gen_place *pl = &g->d.places[a->place];
	const char *const *parts = kind_parts(f->kind);
	struct adctx c;
	struct rng r;
	char first_name[64];
	int p, first = 1;

	rng_seed2(&r, g->k.seed, gen_stream_id(GS_ADS, 1 + ai, 0));
	memset(&c, 0, sizeof c);
	c.g = g;
	c.a = a;
	c.f = f;
	c.r = &r;
	sbuf_init(&c.phone);
	sbuf_init(&c.email);
	/* Slot values. */
	if (a->person != GEN_NONE) {
		const struct gen_person *p0 = gen_P(g, a->person);
		uint32_t h = gen_scramble(a->person);
		int age = (int)((g->k.start_day - p0->dob) / 365);

		/* A working name per person, sometimes the real first name. */
		c.name = (h % 10) < 4 ? p0->given : g->d.alias.s[h % g->d.alias.n];
		c.age = age < 18 ? 18 + (int)(h % 2) : age;
	} else {
		uint32_t h = f->seed;

		c.name = g->d.alias.s[h % g->d.alias.n];
		c.age = 24 + (int)(h % 16);
	}
	if (strchr(c.name, ' ')) {
		/* "María José" → "María" */
		const char *sp = strchr(c.name, ' ');
		size_t n = (size_t)(sp - c.name) < sizeof first_name - 1 ? (size_t)(sp - c.name) : sizeof first_name - 1;

		memcpy(first_name, c.name, n);
		first_name[n] = '\0';
		c.name = first_name;
	}
	c.eth = g->d.eth.s[f->seed % g->d.eth.n];
	c.dest = g->d.dest.s[rng_below(&r, g->d.dest.n)];
	c.border = "Juárez";
	if (f->net != GEN_NONE) {
		const struct gen_net *n = vec_at(&g->nets, f->net);

		if (n->kind == NK_SMUGGLING && n->nplaces > 1)
			c.border = g->d.places[n->places[1]].city;
	}
	switch (f->kind) {
	case AK_ESCORT:
		c.price = 80 + 20 * (long)rng_below(&r, 7);
		c.price2 = c.price + 60 + 20 * (long)rng_below(&r, 6);
		break;
	case AK_MASSAGE:
		c.price = 40 + 5 * (long)rng_below(&r, 9);
		c.price2 = c.price + 30 + 5 * (long)rng_below(&r, 6);
		break;
	case AK_TRAVEL:
		c.price = f->illicit ? 2300 + 100 * (long)rng_below(&r, 98) : 45 + 5 * (long)rng_below(&r, 80);
		break;
	default:
		c.wage = f->illicit ? 18 + (long)rng_below(&r, 8) : 13 + (long)rng_below(&r, 9);
		c.fee = 1500 + 250 * (long)rng_below(&r, 19);
		break;
	}
	c.seats = 2 + (long)rng_below(&r, 7);
	phone_text(&r, a->phone, a->obf, &c.phone);
	if (f->poster != GEN_NONE)
		gen_person_email(g, gen_P(g, f->poster), &c.email);
	if (!c.email.len) {
		sbuf_adds(&c.email, "contact");
		gb_u64(&c.email, f->seed % 10000);
		sbuf_adds(&c.email, "@mail.example");
	}

	sbuf_adds(sb, "{\"id\":\"");
	gen_ad_id(g, ai, sb);
	sbuf_adds(sb, "\",\"posted_at\":\"");
	gb_ts(sb, a->ts);
	sbuf_adds(sb, "\",\"site\":\"");
	sbuf_adds(sb, sites[a->site].name);
	sbuf_adds(sb, "\",\"url\":\"https://");
	sbuf_adds(sb, sites[a->site].host);
	sbuf_addc(sb, '/');
	gen_fold(pl->city, sb, GF_ASCII | GF_LOWER | GF_ALNUM);
	sbuf_addc(sb, '/');
	gen_ad_id(g, ai, sb);
	sbuf_adds(sb, "\",\"city\":");
	gb_json_str(sb, pl->city);
	sbuf_adds(sb, ",\"region\":");
	gb_json_str(sb, pl->region);
	sbuf_adds(sb, ",\"country\":\"");
	sbuf_adds(sb, gen_country_code[pl->country]);
	sbuf_adds(sb, "\",\"category\":\"");
	sbuf_adds(sb, f->kind == AK_ESCORT ? "escort" : f->kind == AK_MASSAGE ? "massage" : f->kind == AK_JOB ? "job"
													 : "travel");
	sbuf_adds(sb, "\",\"title\":");
	sbuf_clear(tmp);
	if (f->line[0] != GEN_NONE)
		render(&c, g->d.adlines[f->line[0]].text, tmp);
	gb_json_str(sb, tmp->buf);
	sbuf_adds(sb, ",\"body\":");
	sbuf_clear(tmp);
	for (p = 1; parts[p]; p++) {
		if (f->line[p] == GEN_NONE)
			continue;
		if (!first)
			sbuf_adds(tmp, (f->seed & 3) == 0 ? "\n" : " ");
		first = 0;
		render(&c, g->d.adlines[f->line[p]].text, tmp);
	}
	gb_json_str(sb, tmp->buf);
	sbuf_adds(sb, ",\"phones\":[");
	if (a->structured) {
		sbuf_clear(tmp);
		phone_text(&r, a->phone, OB_PLAIN, tmp);
		gb_json_str(sb, tmp->buf);
	}
	sbuf_adds(sb, "],\"emails\":[],\"handles\":[],\"image_hashes\":[");
	{
		/* The same pictures come back in a poster's ads (per person shown). */
		uint64_t base = a->person != GEN_NONE ? a->person : f->seed;
		int k, nimg = 1 + (int)rng_below(&r, 3);

		for (k = 0; k < nimg; k++) {
			sbuf_addf(sb, "%s\"%016llx\"", k ? "," : "",
				  (unsigned long long)img_hash(base * 8 + rng_below(&r, 4) + (uint64_t)g->k.seed * 1000003));
		}
	}
	sbuf_adds(sb, "],\"price\":");
	gb_u64(sb, (uint64_t)(f->kind == AK_JOB ? c.wage : c.price));
	sbuf_adds(sb, ",\"currency\":\"USD\",\"author\":\"");
	handle(g, f, a->family, a->site, sb);
	sbuf_adds(sb, "\"}\n");
	sbuf_release(&c.phone);
	sbuf_release(&c.email);
}

int gen_write_ads(gen_t *g)
{
	struct gen_out o;
	struct sbuf tmp = SBUF_INIT;
	int64_t *order;
	size_t i;
	int rc;

	order = mem_alloc(sizeof(int64_t) * 2 * (g->ads.len + 1));
	if (!order)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	for (i = 0; i < g->ads.len; i++) {
		order[2 * i] = ((const struct gen_ad *)vec_at(&g->ads, i))->ts;
		order[2 * i + 1] = (int64_t)i;
	}
	qsort(order, g->ads.len, 2 * sizeof(int64_t), ad_cmp);
	rc = gout_open(g, &o, "ads.jsonl");
	for (i = 0; i < g->ads.len && !rc; i++) {
		ad_line(g, (uint32_t)order[2 * i + 1], &o.b, &tmp);
		o.rows++;
		rc = gout_maybe_flush(g, &o);
	}
	mem_free(order);
	sbuf_release(&tmp);
	if (rc) {
		gout_abort(&o);
		return rc;
	}
	if (sbuf_failed(&o.b)) {
		gout_abort(&o);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return gout_close(g, &o);
}

/* ---- truth: template families and the phones of each ad ---------------- */

void gen_truth_ads(gen_t *g, struct gen_out *o);
void gen_truth_ads(gen_t *g, struct gen_out *o)
{
	struct sbuf *b = &o->b;
	size_t f, i;
	uint32_t *first, *next;

	/* Ads of each family, in index order, through a linked list. */
	first = mem_alloc(sizeof(uint32_t) * (g->families.len + 1));
	next = mem_alloc(sizeof(uint32_t) * (g->ads.len + 1));
	sbuf_adds(b, ",\n \"ad_templates\": [");
	if (!first || !next) {
		mem_free(first);
		mem_free(next);
		sbuf_adds(b, "]");
		b->failed = 1;
		return;
	}
	for (f = 0; f < g->families.len; f++)
		first[f] = GEN_NONE;
	for (i = g->ads.len; i-- > 0;) {
		const struct gen_ad *a = vec_at(&g->ads, i);

		next[i] = first[a->family];
		first[a->family] = (uint32_t)i;
	}
	for (f = 0; f < g->families.len; f++) {
		const struct gen_family *fm = vec_at(&g->families, f);
		uint32_t a;
		int k = 0;

		sbuf_addf(b, "%s\n  {\"family\":\"F%05zu\",\"kind\":\"%s\",\"lang\":\"%s\",\"illicit\":%s,\"network\":",
			  f ? "," : "", f + 1, kind_name[fm->kind], fm->lang ? "es" : "en", fm->illicit ? "true" : "false");
		if (fm->net != GEN_NONE)
			gb_json_str(b, ((struct gen_net *)vec_at(&g->nets, fm->net))->id);
		else
			sbuf_adds(b, "null");
		sbuf_adds(b, ",\"poster\":");
		if (fm->poster != GEN_NONE)
			sbuf_addf(b, "\"P%08u\"", fm->poster);
		else if (fm->biz != GEN_NONE)
			sbuf_addf(b, "\"B%07u\"", fm->biz);
		else
			sbuf_adds(b, "null");
		sbuf_adds(b, ",\"ads\":[");
		for (a = first[f]; a != GEN_NONE; a = next[a]) {
			const struct gen_ad *ad = vec_at(&g->ads, a);

			sbuf_adds(b, k++ ? ",\n    {\"id\":\"" : "\n    {\"id\":\"");
			gen_ad_id(g, a, b);
			sbuf_adds(b, "\",\"phones\":[");
			gb_json_str(b, ad->phone);
			sbuf_adds(b, "],\"obfuscation\":\"");
			sbuf_adds(b, obf_name[ad->obf]);
			sbuf_adds(b, ad->structured ? "\",\"structured_phone\":true" : "\",\"structured_phone\":false");
			if (ad->person != GEN_NONE)
				sbuf_addf(b, ",\"person\":\"P%08u\"", ad->person);
			sbuf_addc(b, '}');
		}
		sbuf_adds(b, "]}");
		gout_maybe_flush(g, o);
	}
	sbuf_adds(b, "\n ]");
	mem_free(first);
	mem_free(next);
}
