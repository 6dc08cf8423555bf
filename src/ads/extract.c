/*
 * extract: the non-phone identifiers of ad text — WhatsApp and Telegram
 * links, emails (plain and spelled with "at"/"dot", "arroba"/"punto"),
 * social handles (keyword forms "ig: name", profile URLs, bare @name),
 * prices with their units (dollars, pesos, "mil", roses, donation, per
 * hour), stated ages ("19yo", "19 años", "edad: 19") and names given with a
 * cue ("my name is Rosa", "soy Valentina") — and the order that lets each
 * step leave what it took to the next (see extract.h).
 */
#include "ads/extract.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "ads/ads.h"
#include "core/utf8.h"
#include "normalize/email.h"
#include "normalize/phone.h"

#define MAX_CLAIMS 4096

static const char *const kind_names[AK_N] = {
	"phone", "email", "handle", "link", "price", "age", "name", "city", "image",
};

const char *ads_kind_name(int kind)
{
	return kind >= 0 && kind < AK_N ? kind_names[kind] : "?";
}

/* ---- claims ---- */

int ads_claimed(const struct ads_xwork *w, uint32_t a, uint32_t b)
{
	const uint32_t *c = w->claimed.data;
	size_t i;

	for (i = 0; i + 1 < w->claimed.len; i += 2)
		if (a < c[i + 1] && c[i] < b)
			return 1;
	return 0;
}

int ads_claim(struct ads_xwork *w, uint32_t a, uint32_t b)
{
	if (w->claimed.len >= 2 * MAX_CLAIMS)
		return 0;   /* hostile text: later spans are simply not reserved */
	if (vec_push(&w->claimed, &a) || vec_push(&w->claimed, &b))
		return -1;
	return 0;
}

/* ---- small helpers over folded text ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

/* 1 when t[i..] starts with s. */
static int starts(const char *t, size_t n, size_t i, const char *s)
{
	size_t l;

	if (i >= n || t[i] != s[0])
		return 0;   /* most calls end here, without measuring s */
	l = strlen(s);

	return i + l <= n && memcmp(t + i, s, l) == 0;
}

/* 1 when t[i..] is the word s (not followed by a letter or digit). */
static int word_at(const char *t, size_t n, size_t i, const char *s)
{
	size_t l;

	if (i >= n || t[i] != s[0])
		return 0;
	l = strlen(s);

	return starts(t, n, i, s) && (i + l == n || !is_alnum(t[i + l]));
}

static int word_start(const char *t, size_t i)
{
	return i == 0 || !is_alnum(t[i - 1]);
}

static struct ads_ident *add(struct vec *out, int kind, const struct fold *f, uint32_t a, uint32_t b)
{
	struct ads_ident *id = vec_grow(out, 1);
	size_t rs, re;

	if (!id)
		return NULL;
	id->kind = (uint8_t)kind;
	id->fstart = a;
	id->fend = b;
	fold_span(f, a, b, &rs, &re);
	id->start = (uint32_t)rs;
	id->end = (uint32_t)re;
	return id;
}

/* ---- handles ---- */

struct alias {
	const char *word;
	const char *platform;
};

static const struct alias platforms[] = {
	{ "instagram", "instagram" }, { "insta", "instagram" }, { "ig", "instagram" },
	{ "snapchat", "snapchat" }, { "snap", "snapchat" }, { "sc", "snapchat" },
	{ "telegram", "telegram" }, { "tg", "telegram" }, { "kik", "kik" },
	{ "twitter", "twitter" }, { "tw", "twitter" }, { "tiktok", "tiktok" }, { "tt", "tiktok" },
	{ "onlyfans", "onlyfans" }, { "of", "onlyfans" }, { "facebook", "facebook" }, { "fb", "facebook" },
	{ "signal", "signal" }, { "wickr", "wickr" }, { "wechat", "wechat" }, { "skype", "skype" },
	{ "whatsapp", "whatsapp" }, { "wa", "whatsapp" }, { "line", "line" },
};

static const struct alias profile_urls[] = {
	{ "instagram.com/", "instagram" }, { "snapchat.com/add/", "snapchat" }, { "twitter.com/", "twitter" },
	{ "x.com/", "twitter" }, { "tiktok.com/@", "tiktok" }, { "onlyfans.com/", "onlyfans" },
	{ "facebook.com/", "facebook" }, { "fb.com/", "facebook" }, { "t.me/", "telegram" },
	{ "telegram.me/", "telegram" }, { "kik.me/", "kik" },
};

static const char *platform_of(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 12)
		return NULL;
	for (i = 0; i < sizeof platforms / sizeof platforms[0]; i++)
		if ((s[0] | 0x20) == platforms[i].word[0] && strlen(platforms[i].word) == n &&
		    strncasecmp(platforms[i].word, s, n) == 0)
			return platforms[i].platform;
	return NULL;
}

static int handle_char(char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

/* Writes "platform:name" in lower case; 0 when name is not a handle. */
static size_t make_key(const char *platform, size_t pl, const char *name, size_t nl, char *out, size_t outn)
{
	size_t i, k = 0, letters = 0;

	while (nl && (name[nl - 1] == '.' || name[nl - 1] == '-'))
		nl--;   /* "@rosa." at the end of a sentence */
	if (!nl || nl > 64 || !pl || pl + nl + 2 > outn)
		return 0;
	for (i = 0; i < pl; i++) {
		char c = platform[i];

		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[k++] = ':';
	for (i = 0; i < nl; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (!handle_char(c))
			return 0;
		letters += is_alpha(c);
		out[k++] = c;
	}
	if (!letters)
		return 0;
	out[k] = '\0';
	return k;
}

/* The platform a site stands for ("facebook.com" -> "facebook"). */
static void site_platform(const char *site, size_t n, char *out, size_t outn)
{
	static const char *const known[] = { "facebook", "instagram", "twitter", "tiktok", "telegram",
					     "whatsapp", "snapchat", "onlyfans", "kik" };
	size_t i, k = 0;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		size_t l = strlen(known[i]), j;

		for (j = 0; j + l <= n; j++)
			if (strncasecmp(site + j, known[i], l) == 0) {
				snprintf(out, outn, "%s", known[i]);
				return;
			}
	}
	if (n >= 4 && strncasecmp(site, "www.", 4) == 0) {
		site += 4;
		n -= 4;
	}
	for (i = 0; i < n && k + 1 < outn; i++)
		out[k++] = (char)(site[i] >= 'A' && site[i] <= 'Z' ? site[i] + 32 : site[i]);
	out[k] = '\0';
}

size_t ads_handle_key(const char *s, size_t n, const char *site, size_t sitelen, char *out, size_t outn)
{
	char plat[64];
	size_t i;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '/'))
		n--;
	/* profile URL */
	for (i = 0; i < sizeof profile_urls / sizeof profile_urls[0]; i++) {
		size_t l = strlen(profile_urls[i].word), j;

		for (j = 0; j + l <= n; j++)
			if (strncasecmp(s + j, profile_urls[i].word, l) == 0) {
				const char *p = profile_urls[i].platform;

				return make_key(p, strlen(p), s + j + l, n - j - l, out, outn);
			}
	}
	/* platform:name */
	{
		const char *colon = memchr(s, ':', n);

		if (colon) {
			const char *p = platform_of(s, (size_t)(colon - s));
			const char *name = colon + 1;
			size_t nl = n - (size_t)(colon - s) - 1;

			while (nl && (*name == ' ' || *name == '@')) {
				name++;
				nl--;
			}
			if (p)
				return make_key(p, strlen(p), name, nl, out, outn);
			/* an unknown platform word is kept as written */
			return make_key(s, (size_t)(colon - s), name, nl, out, outn);
		}
	}
	if (n && *s == '@') {
		s++;
		n--;
	}
	site_platform(site, sitelen, plat, sizeof plat);
	if (!plat[0])
		snprintf(plat, sizeof plat, "unknown");
	return make_key(plat, strlen(plat), s, n, out, outn);
}

/* ---- links ---- */

static int find_links(const struct fold *f, const struct ads_xopts *o, struct ads_xwork *w, struct vec *out)
{
	const char *t = f->text;
	size_t n = f->len, i;

	for (i = 0; i < n; i++) {
		size_t a = i, p = 0, e;
		int kind = 0;   /* 1 wa.me number, 2 whatsapp group, 3 telegram */

		if (t[i] != 'w' && t[i] != 'a' && t[i] != 'c' && t[i] != 't')
			continue;
		if (!(i == 0 || !is_alnum(t[i - 1]) || t[i - 1] == '.'))
			continue;
		if (starts(t, n, i, "wa.me/")) {
			p = i + 6;
			kind = 1;
		} else if (starts(t, n, i, "api.whatsapp.com/send?phone=")) {
			p = i + 28;
			kind = 1;
		} else if (starts(t, n, i, "whatsapp.com/send?phone=")) {
			p = i + 24;
			kind = 1;
		} else if (starts(t, n, i, "chat.whatsapp.com/")) {
			p = i + 18;
			kind = 2;
		} else if (starts(t, n, i, "t.me/")) {
			p = i + 5;
			kind = 3;
		} else if (starts(t, n, i, "telegram.me/")) {
			p = i + 12;
			kind = 3;
		} else {
			continue;
		}
		e = p;
		if (kind == 1) {
			struct phone ph;
			char buf[24];

			if (e < n && t[e] == '+')
				e++;
			while (e < n && is_digit(t[e]) && e - p < 18)
				e++;
			if (e - p < 8)
				continue;
			buf[0] = '+';
			memcpy(buf + 1, t + p + (t[p] == '+'), e - p - (t[p] == '+'));
			buf[1 + e - p - (t[p] == '+')] = '\0';
			if (phone_parse(buf, strlen(buf), o->region, &ph) == 0) {
				struct ads_ident *id = add(out, AK_PHONE, f, (uint32_t)a, (uint32_t)e);

				if (!id)
					return -1;
				id->obfuscated = 0;
				snprintf(id->value, sizeof id->value, "%s", ph.e164);
				id = add(out, AK_LINK, f, (uint32_t)a, (uint32_t)e);
				if (!id)
					return -1;
				snprintf(id->value, sizeof id->value, "whatsapp:%s", ph.e164);
			}
		} else {
			struct ads_ident *id;
			char key[ADS_VALUE_MAX];
			size_t kl;

			while (e < n && handle_char(t[e]) && e - p < 64)
				e++;
			if (e == p)
				continue;
			kl = make_key(kind == 2 ? "whatsapp-group" : "telegram", kind == 2 ? 14 : 8, t + p, e - p, key,
				      sizeof key);
			if (!kl)
				continue;
			id = add(out, AK_LINK, f, (uint32_t)a, (uint32_t)e);
			if (!id)
				return -1;
			snprintf(id->value, sizeof id->value, "%s", key);
			id = add(out, AK_HANDLE, f, (uint32_t)a, (uint32_t)e);
			if (!id)
				return -1;
			snprintf(id->value, sizeof id->value, "%s", key);
		}
		if (ads_claim(w, (uint32_t)a, (uint32_t)e))
			return -1;
		i = e;
	}
	return 0;
}

/* ---- emails ---- */

static int local_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Email providers and top-level domains accepted in spelled-out forms,
 * where "write me at home dot com" must not become an address. */
static const char *const spelled_tlds[] = {
	"com", "net", "org", "mx", "edu", "gov", "io", "co", "us", "info", "biz", "me", "es", "ca", "gt", "hn",
	"sv", "ni", "cr", "pa",
};

static const char *const local_stop[] = {
	"me", "us", "him", "her", "them", "you", "it", "mi", "nos", "me.", "contact", "contactame", "escribeme",
	"write", "email", "mail", "text", "call", "here", "aqui", "info",
};

/* Parses a domain from i: labels joined by ".", " dot ", "(dot)", "[.]",
 * " punto "...  Returns the end, fills dom with "label.label", sets
 * *spelled when a spelled separator was used; 0 when no domain. */
static size_t parse_domain(const char *t, size_t n, size_t i, char *dom, size_t domn, int *spelled, int *labels)
{
	static const char *const seps[] = {
		" dot ", " (dot) ", "(dot)", " [dot] ", "[dot]", "{dot}", " punto ", " (punto) ", "(punto)",
		"[punto]", "[.]", "(.)", " . ", ".",
	};
	size_t k = 0, end = 0;

	*labels = 0;
	for (;;) {
		size_t s = i, q;
		int found = 0;

		while (i < n && (is_alnum(t[i]) || t[i] == '-') && i - s < 63)
			i++;
		if (i == s || k + (i - s) + 2 >= domn)
			break;
		if (k)
			dom[k++] = '.';
		memcpy(dom + k, t + s, i - s);
		k += i - s;
		(*labels)++;
		end = i;
		for (q = 0; q < sizeof seps / sizeof seps[0] && !found; q++) {
			if (starts(t, n, i, seps[q])) {
				if (q + 1 < sizeof seps / sizeof seps[0])
					*spelled = 1;
				i += strlen(seps[q]);
				found = 1;
			}
		}
		if (!found || i >= n || !is_alnum(t[i]))
			break;
	}
	dom[k] = '\0';
	return *labels >= 2 ? end : 0;
}

static int tld_ok(const char *dom, int spelled)
{
	const char *dot = strrchr(dom, '.');
	size_t l, i;

	if (!dot)
		return 0;
	dot++;
	l = strlen(dot);
	if (l < 2 || l > 10)
		return 0;
	for (i = 0; i < l; i++)
		if (!is_alpha(dot[i]))
			return 0;
	if (!spelled)
		return 1;
	for (i = 0; i < sizeof spelled_tlds / sizeof spelled_tlds[0]; i++)
		if (strcmp(dot, spelled_tlds[i]) == 0)
			return 1;
	return 0;
}

static int find_emails(const struct fold *f, struct ads_xwork *w, struct vec *out)
{
	const char *t = f->text;
	size_t n = f->len, i;

	for (i = 0; i < n; i++) {
		size_t at_end = 0, ls, le, de;
		int spelled = 0, labels = 0;
		char dom[160], addr[EMAIL_MAX + 8], norm[EMAIL_MAX];

		if (t[i] == '@') {
			at_end = i + 1;
			le = i;
			if (le > 0 && t[le - 1] == ' ') {
				le--;
				spelled = 1;
			}
			if (at_end < n && t[at_end] == ' ') {
				at_end++;
				spelled = 1;
			}
		} else if (word_start(t, i) && (t[i] == 'a' || t[i] == '(' || t[i] == '[' || t[i] == '{')) {
			static const char *const ats[] = { "at ", "(at)", "[at]", "{at}", "arroba ", "(arroba)", "[arroba]" };
			size_t q;

			if (i == 0 || t[i - 1] != ' ')
				if (!(t[i] == '(' || t[i] == '[' || t[i] == '{'))
					continue;
			for (q = 0; q < sizeof ats / sizeof ats[0] && !at_end; q++)
				if (starts(t, n, i, ats[q]))
					at_end = i + strlen(ats[q]);
			if (!at_end)
				continue;
			while (at_end < n && t[at_end] == ' ' && at_end - i < 12)
				at_end++;
			spelled = 1;
			le = i;
			while (le > 0 && t[le - 1] == ' ' && i - le < 2)
				le--;
		} else {
			continue;
		}
		ls = le;
		while (ls > 0 && local_char(t[ls - 1]) && le - ls < 64)
			ls--;
		while (ls < le && (t[ls] == '.' || t[ls] == '-'))
			ls++;
		if (ls == le || ads_claimed(w, (uint32_t)ls, (uint32_t)le))
			continue;
		de = parse_domain(t, n, at_end, dom, sizeof dom, &spelled, &labels);
		if (!de || !tld_ok(dom, spelled))
			continue;
		if (spelled) {
			size_t q;
			int stop = 0;

			for (q = 0; q < sizeof local_stop / sizeof local_stop[0]; q++)
				if (strlen(local_stop[q]) == le - ls && memcmp(t + ls, local_stop[q], le - ls) == 0)
					stop = 1;
			if (stop)
				continue;
		}
		if ((le - ls) + strlen(dom) + 2 >= sizeof addr)
			continue;
		memcpy(addr, t + ls, le - ls);
		addr[le - ls] = '@';
		/* parenthesised: addr + le alone points past the array (UB, found by fuzzing) */
		memcpy(addr + (le - ls) + 1, dom, strlen(dom) + 1);
		if (email_normalize(addr, strlen(addr), norm))
			continue;
		{
			struct ads_ident *id = add(out, AK_EMAIL, f, (uint32_t)ls, (uint32_t)de);

			if (!id)
				return -1;
			id->obfuscated = (uint8_t)spelled;
			snprintf(id->value, sizeof id->value, "%s", norm);
		}
		if (ads_claim(w, (uint32_t)ls, (uint32_t)de))
			return -1;
		i = de;
	}
	return 0;
}

/* ---- handles in text ---- */

static int emit_handle(const struct fold *f, struct ads_xwork *w, struct vec *out, const char *plat, size_t a,
		       size_t np, size_t ne)
{
	char key[ADS_VALUE_MAX];
	size_t kl = make_key(plat, strlen(plat), f->text + np, ne - np, key, sizeof key);
	struct ads_ident *id;

	if (!kl || ads_claimed(w, (uint32_t)a, (uint32_t)ne))
		return 0;
	id = add(out, AK_HANDLE, f, (uint32_t)a, (uint32_t)ne);
	if (!id)
		return -1;
	snprintf(id->value, sizeof id->value, "%s", key);
	return ads_claim(w, (uint32_t)a, (uint32_t)ne);
}

/* The platform of bare @handles in ads of the site o->site: an entry of the
 * sites met before, or written to buf (64 bytes) for a site too long to keep. */
static const char *site_platform_of(const struct ads_xopts *o, struct ads_xwork *w, char *buf)
{
	const size_t nsites = sizeof w->sites / sizeof w->sites[0];
	const char *site = o->site ? o->site : "";
	size_t n = o->site ? o->sitelen : 0, i;
	struct ads_siteplat *sp = NULL;

	if (n < sizeof sp->site && !memchr(site, '\0', n)) {
		for (i = 0; i < nsites; i++)
			if (w->sites[i].plat[0] && strlen(w->sites[i].site) == n && memcmp(w->sites[i].site, site, n) == 0)
				return w->sites[i].plat;
		sp = &w->sites[w->nextsite++ % nsites];
		memcpy(sp->site, site, n);
		sp->site[n] = '\0';
		buf = sp->plat;
	}
	site_platform(site, n, buf, 64);
	if (!buf[0])
		snprintf(buf, 64, "unknown");
	return buf;
}

/* First letters (bit c - 'a') of the platform words and profile URLs; and
 * in bylen[l], those of the platform words of l letters (l <= 12). */
static uint32_t handle_letters(uint32_t bylen[13])
{
	uint32_t m = 0;
	size_t q;

	memset(bylen, 0, 13 * sizeof *bylen);
	for (q = 0; q < sizeof platforms / sizeof platforms[0]; q++) {
		m |= 1u << (platforms[q].word[0] - 'a');
		bylen[strlen(platforms[q].word)] |= 1u << (platforms[q].word[0] - 'a');
	}
	for (q = 0; q < sizeof profile_urls / sizeof profile_urls[0]; q++)
		m |= 1u << (profile_urls[q].word[0] - 'a');
	return m;
}

static int find_handles(const struct fold *f, const struct ads_xopts *o, struct ads_xwork *w, struct vec *out)
{
	const char *t = f->text;
	size_t n = f->len, i, q;
	char buf[64];
	const char *siteplat = site_platform_of(o, w, buf);
	uint32_t bylen[13], firsts = handle_letters(bylen);

	for (i = 0; i < n; i++) {
		if (!is_alpha(t[i]) && t[i] != '@')
			continue;
		if (t[i] == '@') {
			/* bare @name (an email's @ has a local part before it) */
			size_t e = i + 1;

			if (i > 0 && (local_char(t[i - 1])))
				continue;
			while (e < n && handle_char(t[e]) && e - i < 40)
				e++;
			if (e - i < 3)
				continue;
			if (emit_handle(f, w, out, siteplat, i, i + 1, e))
				return -1;
			i = e;
			continue;
		}
		if (!word_start(t, i))
			continue;
		if (!((firsts >> (t[i] - 'a')) & 1)) {
			/* neither a profile URL nor a platform word: its letters are
			 * skipped as below (this runs at every word) */
			size_t e = i;

			while (e < n && is_alpha(t[e]) && e - i < 12)
				e++;
			i = e;
			continue;
		}
		/* profile URLs */
		for (q = 0; q < sizeof profile_urls / sizeof profile_urls[0]; q++) {
			if (starts(t, n, i, profile_urls[q].word)) {
				size_t p = i + strlen(profile_urls[q].word), e = p;

				while (e < n && handle_char(t[e]) && e - p < 40)
					e++;
				if (e > p && emit_handle(f, w, out, profile_urls[q].platform, i, p, e))
					return -1;
				i = e;
				break;
			}
		}
		if (q < sizeof profile_urls / sizeof profile_urls[0])
			continue;
		/* "ig: name", "snap - name", "kik=name", "telegram @name" */
		{
			size_t e = i, p;
			const char *plat;

			while (e < n && is_alpha(t[e]) && e - i < 12)
				e++;
			plat = (bylen[e - i] >> (t[i] - 'a')) & 1 ? platform_of(t + i, e - i) : NULL;
			if (!plat || (e < n && is_digit(t[e]))) {
				i = e;
				continue;
			}
			p = e;
			while (p < n && t[p] == ' ' && p - e < 2)
				p++;
			if (p < n && (t[p] == ':' || t[p] == '-' || t[p] == '=' || t[p] == '@')) {
				int sawat = t[p] == '@';

				p++;
				while (p < n && (t[p] == ' ' || (t[p] == '@' && !sawat)) && p - e < 5)
					p++;
				{
					size_t s = p, k = p, letters = 0;

					while (k < n && handle_char(t[k]) && k - s < 40)
						letters += is_alpha(t[k++]);
					/* a number after "whatsapp:" is a phone, left to the phone step */
					if (k - s >= 2 && letters && emit_handle(f, w, out, plat, i, s, k))
						return -1;
					i = k;
				}
			} else {
				i = e;
			}
		}
	}
	return 0;
}

/* ---- prices ---- */

struct unit {
	const char *word;
	const char *cur;   /* currency or unit it implies */
};

static const struct unit currencies_after[] = {
	{ "usd", "USD" }, { "us", "USD" }, { "dlls", "USD" }, { "dls", "USD" }, { "dll", "USD" },
	{ "dolares", "USD" }, { "dollars", "USD" }, { "dollar", "USD" }, { "bucks", "USD" },
	{ "pesos", "MXN" }, { "peso", "MXN" }, { "mxn", "MXN" }, { "roses", "roses" }, { "rosas", "roses" },
	{ "rose", "roses" }, { "\xf0\x9f\x8c\xb9", "roses" }, { "quetzales", "GTQ" }, { "lempiras", "HNL" },
};

/* Reads an amount at i ("2,300", "1.500", "2.5", "25 mil 500", "3k");
 * returns its end (0 when no number). */
static size_t parse_amount(const char *t, size_t n, size_t i, double *amount)
{
	double v = 0;
	size_t e = i;

	if (e >= n || !is_digit(t[e]))
		return 0;
	while (e < n && is_digit(t[e]) && e - i < 9)
		v = v * 10 + (t[e++] - '0');
	for (;;) {
		/* thousands groups: ",300" / ".500" followed by a non-digit */
		if (e + 3 < n + 0 && (t[e] == ',' || t[e] == '.') && is_digit(t[e + 1]) && e + 4 <= n &&
		    is_digit(t[e + 2]) && is_digit(t[e + 3]) && (e + 4 == n || !is_digit(t[e + 4]))) {
			v = v * 1000 + (t[e + 1] - '0') * 100 + (t[e + 2] - '0') * 10 + (t[e + 3] - '0');
			e += 4;
			continue;
		}
		break;
	}
	if (e + 1 < n && t[e] == '.' && is_digit(t[e + 1]) && !(e + 2 < n && is_digit(t[e + 2]) && e + 3 < n &&
								 is_digit(t[e + 3]))) {
		double scale = 0.1;

		e++;
		while (e < n && is_digit(t[e])) {
			v += (t[e++] - '0') * scale;
			scale /= 10;
		}
	}
	if (e < n && t[e] == 'k' && (e + 1 == n || !is_alnum(t[e + 1]))) {
		v *= 1000;
		e++;
	} else {
		size_t m = e;

		if (m < n && t[m] == ' ')
			m++;
		if (word_at(t, n, m, "mil")) {
			v *= 1000;
			e = m + 3;
			/* "25 mil 500" */
			if (e + 1 < n && t[e] == ' ' && is_digit(t[e + 1])) {
				size_t k = e + 1;
				double w = 0;

				while (k < n && is_digit(t[k]) && k - e <= 3)
					w = w * 10 + (t[k++] - '0');
				if (k - e - 1 == 3 && (k == n || !is_digit(t[k]))) {
					v += w;
					e = k;
				}
			}
		}
	}
	*amount = v;
	return e;
}

static int find_prices(const struct fold *f, const struct ads_xopts *o, struct ads_xwork *w, struct vec *out)
{
	const char *t = f->text;
	size_t n = f->len, i;
	const char *dollar = o->region && strcmp(o->region, "MX") == 0 ? "MXN" : "USD";

	for (i = 0; i < n; i++) {
		size_t a = i, s, e, m;
		double amt = 0;
		const char *cur = NULL;
		int rate = 0, donation = 0;

		if (!is_digit(t[i]) || (i > 0 && is_alnum(t[i - 1])))
			continue;
		s = i;
		/* "$150", "$ 150", "us$150" */
		m = i;
		if (m > 0 && t[m - 1] == ' ')
			m--;
		if (m > 0 && t[m - 1] == '$') {
			a = m - 1;
			cur = dollar;
			if (a >= 2 && starts(t, n, a - 2, "us")) {
				a -= 2;
				cur = "USD";
			}
		}
		if (a >= 4 && starts(t, n, a - 4, "\xf0\x9f\x8c\xb9")) {   /* "🌹150" */
			a -= 4;
			cur = "roses";
		}
		e = parse_amount(t, n, s, &amt);
		if (!e || amt <= 0)
			continue;
		m = e;
		if (m < n && t[m] == ' ')
			m++;
		{
			size_t q;

			for (q = 0; q < sizeof currencies_after / sizeof currencies_after[0]; q++) {
				const char *wd = currencies_after[q].word;

				if ((is_alpha(wd[0]) && word_at(t, n, m, wd)) || (!is_alpha(wd[0]) && starts(t, n, m, wd))) {
					if (!cur || strcmp(cur, dollar) == 0)
						cur = currencies_after[q].cur;
					e = m + strlen(wd);
					/* "150 🌹🌹🌹" is still 150 */
					while (strcmp(currencies_after[q].cur, "roses") == 0 && starts(t, n, e, "\xf0\x9f\x8c\xb9"))
						e += 4;
					break;
				}
			}
		}
		if (!cur)
			continue;
		/* rate units: "/hr", "per hour", "la hora", "hh" (half hour) */
		{
			static const char *const hour[] = { "/hr", "/h", "/hour", " hr", "hr", " per hour", " an hour",
							     " la hora", " por hora", " x hora", " /hr", "/hora" };
			static const char *const half[] = { "/hh", " hh", "hh", " half hour", " 1/2 hr", " media hora" };
			size_t q;

			for (q = 0; q < sizeof hour / sizeof hour[0] && !rate; q++)
				if (starts(t, n, e, hour[q]) && (e + strlen(hour[q]) == n || !is_alpha(t[e + strlen(hour[q])]))) {
					e += strlen(hour[q]);
					rate = 1;
				}
			for (q = 0; q < sizeof half / sizeof half[0] && !rate; q++)
				if (starts(t, n, e, half[q]) && (e + strlen(half[q]) == n || !is_alpha(t[e + strlen(half[q])]))) {
					e += strlen(half[q]);
					rate = 2;
				}
		}
		/* "donation 200" / "200 donation" / "donativo" */
		{
			size_t b = a;

			while (b > 0 && !is_alnum(t[b - 1]) && a - b < 3)
				b--;
			if ((b >= 8 && starts(t, n, b - 8, "donation")) || (b >= 8 && starts(t, n, b - 8, "donativo")) ||
			    starts(t, n, e, " donation") || starts(t, n, e, " donativo"))
				donation = 1;
		}
		if (ads_claimed(w, (uint32_t)a, (uint32_t)e))
			continue;
		{
			struct ads_ident *id = add(out, AK_PRICE, f, (uint32_t)a, (uint32_t)e);

			if (!id)
				return -1;
			id->amount = amt;
			id->num = (uint16_t)rate;
			snprintf(id->value, sizeof id->value, "%.15g %s%s%s", amt, cur,
				 rate == 1 ? "/hr" : rate == 2 ? "/half-hr" : "", donation ? " donation" : "");
		}
		if (ads_claim(w, (uint32_t)a, (uint32_t)e))
			return -1;
		i = e;
	}
	return 0;
}

/* ---- ages ---- */

static int find_ages(const struct fold *f, struct ads_xwork *w, struct vec *out)
{
	static const char *const after[] = {
		"yo", "y/o", "y.o.", "y.o", "yrs old", "yrs", "yr old", "years old", "year old", "years", "anos",
		"ano", "añitos", "anitos",
	};
	static const char *const before[] = { "age ", "age: ", "age:", "aged ", "edad ", "edad: ", "edad:", "tengo " };
	const char *t = f->text;
	size_t n = f->len, i, q;

	for (i = 0; i + 1 < n; i++) {
		size_t a = i, e, m;
		int age, found = 0;

		if (!is_digit(t[i]) || !is_digit(t[i + 1]) || (i > 0 && is_alnum(t[i - 1])) ||
		    (i + 2 < n && is_digit(t[i + 2])))
			continue;
		age = (t[i] - '0') * 10 + (t[i + 1] - '0');
		e = i + 2;
		m = e;
		if (m < n && t[m] == ' ')
			m++;
		for (q = 0; q < sizeof after / sizeof after[0] && !found; q++)
			if (starts(t, n, m, after[q]) && (m + strlen(after[q]) == n || !is_alpha(t[m + strlen(after[q])]))) {
				e = m + strlen(after[q]);
				found = 1;
			}
		for (q = 0; q < sizeof before / sizeof before[0] && !found; q++) {
			size_t l = strlen(before[q]);

			if (i >= l && memcmp(t + i - l, before[q], l) == 0 && word_start(t, i - l)) {
				a = i - l;
				found = 1;
			}
		}
		if (!found || age < 10 || ads_claimed(w, (uint32_t)a, (uint32_t)e))
			continue;
		{
			struct ads_ident *id = add(out, AK_AGE, f, (uint32_t)a, (uint32_t)e);

			if (!id)
				return -1;
			id->num = (uint16_t)age;
			snprintf(id->value, sizeof id->value, "%d", age);
		}
		if (ads_claim(w, (uint32_t)a, (uint32_t)e))
			return -1;
		i = e;
	}
	return 0;
}

/* ---- names ---- */

static const char *const name_cues[] = {
	"my name is ", "my name's ", "name is ", "i'm ", "i am ", "im ", "this is ", "ask for ", "ask ", "call me ",
	"meet ", "named ", "me llamo ", "mi nombre es ", "soy ", "pregunta por ", "preguntar por ", "preguntame por ",
	"pregunten por ", "hablar con ", "its ", "it's ",
};

static const char *const name_stop[] = {
	"new", "here", "back", "available", "a", "an", "the", "your", "very", "sweet", "ready", "in", "from",
	"not", "so", "just", "now", "today", "tonight", "anytime", "baby", "daddy", "papi", "asap", "open",
	"la", "una", "un", "el", "nueva", "nuevo", "muy", "tu", "ahora", "hoy", "ya", "real", "young", "only",
	"visiting", "ur", "at", "on", "for", "with", "and", "or", "to", "fun", "hot", "sexy", "latina", "single",
	"free", "waiting", "looking", "de", "del", "tan", "una", "bien", "aqui", "disponible", "nena", "chica",
	"independent", "independiente", "petite", "discreet", "discreta", "blonde", "brunette", "ebony",
	"asian", "mexicana", "colombiana", "venezolana", "cubana", "guapa", "bonita", "linda", "hermosa",
	"totally", "always", "still", "also", "all", "100", "girl", "busty", "mature", "classy", "upscale",
	"safe", "clean", "good", "best", "that", "this", "what", "who", "how", "sure", "happy", "so", "too",
	"tired", "going", "gonna", "leaving", "staying", "located", "currently", "offering", "me", "you",
	"everything", "something", "nothing", "someone", "una", "tu", "su", "mis", "tus", "yo", "usted",
	"mama", "mami", "amor", "reina", "princesa", "bebe", "nina", "morena", "guera", "rubia", "flaca",
	"travesti", "trans", "transexual", "estudiante", "universitaria", "casada", "soltera", "chef", "pollero",
	"coyote", "guia", "trabajador", "trabajadora", "agencia",
};

/* 1 when the raw text of folded span [s, e) starts with a capital and is not all capitals. */
static int capitalised(const struct fold *f, const char *raw, size_t s, size_t e)
{
	size_t rs, re, l;
	uint32_t cp, cp2;

	fold_span(f, s, e, &rs, &re);
	l = utf8_decode(raw + rs, re - rs, &cp);
	if (utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_LU)
		return 0;
	if (re - rs > l) {
		utf8_decode(raw + rs + l, re - rs - l, &cp2);
		if (utf8proc_category((utf8proc_int32_t)cp2) == UTF8PROC_CATEGORY_LU)
			return 0;   /* "AMY", "NEW": shouting, not a name */
	}
	return 1;
}

/* 1 when the raw character of folded offset s is an ASCII byte other than a
 * capital: a word starting there is not capitalised (capitalised() would say
 * so after a longer look; this runs at every word of every ad). */
static int raw_not_capital(const struct fold *f, const char *raw, size_t s)
{
	unsigned char c = (unsigned char)raw[f->map[s]];

	return c < 0x80 && !(c >= 'A' && c <= 'Z');
}

static int add_name(const struct fold *f, struct ads_xwork *w, struct vec *out, size_t s, size_t e)
{
	struct ads_ident *id = add(out, AK_NAME, f, (uint32_t)s, (uint32_t)e);

	if (!id)
		return -1;
	snprintf(id->value, sizeof id->value, "%.*s", (int)(e - s), f->text + s);
	return ads_claim(w, (uint32_t)s, (uint32_t)e);
}

static int find_names(const struct fold *f, const char *raw, const struct ads_xopts *o, struct ads_xwork *w,
		      struct vec *out)
{
	const char *t = f->text;
	size_t n = f->len, i, q;
	uint32_t cue_letters = 0;

	/* the first letters of the cues: a word starting otherwise is no cue
	 * (this runs at every word of every ad) */
	for (q = 0; q < sizeof name_cues / sizeof name_cues[0]; q++)
		cue_letters |= 1u << (name_cues[q][0] - 'a');
	for (i = 0; i < n; i++) {
		if (!is_alpha(t[i]) || !(cue_letters & (1u << (t[i] - 'a'))) || !word_start(t, i))
			continue;
		for (q = 0; q < sizeof name_cues / sizeof name_cues[0]; q++) {
			size_t l, s, e, k;
			int stop = 0;

			if (name_cues[q][0] != t[i] || !starts(t, n, i, name_cues[q]))
				continue;
			l = strlen(name_cues[q]);
			s = e = i + l;
			while (e < n && is_alpha(t[e]) && e - s < 21)
				e++;
			if (e - s < 2 || e - s > 20 || (e < n && (is_digit(t[e]) || t[e] == '@' || t[e] == '_')))
				break;
			for (k = 0; k < sizeof name_stop / sizeof name_stop[0] && !stop; k++)
				if (name_stop[k][0] == t[s] && strlen(name_stop[k]) == e - s && memcmp(t + s, name_stop[k], e - s) == 0)
					stop = 1;
			if (stop || ads_claimed(w, (uint32_t)s, (uint32_t)e) || !capitalised(f, raw, s, e))
				break;
			if (add_name(f, w, out, s, e))
				return -1;
			i = e;
			break;
		}
	}
	/* given names written with a capital, anywhere */
	if (o->names && strmap_count(o->names)) {
		for (i = 0; i < n; i++) {
			size_t e = i;

			if (!is_alpha(t[i]) || !word_start(t, i))
				continue;
			while (e < n && is_alpha(t[e]))
				e++;
			if (e - i >= 2 && e - i <= 20 && (e == n || !is_digit(t[e])) && !raw_not_capital(f, raw, i) &&
			    strmap_find(o->names, t + i, e - i) && !ads_claimed(w, (uint32_t)i, (uint32_t)e) &&
			    capitalised(f, raw, i, e) && add_name(f, w, out, i, e))
				return -1;
			i = e;
		}
	}
	return 0;
}

/* ---- all of it ---- */

int ads_extract(const struct fold *f, const char *raw, const struct ads_xopts *o, struct ads_xwork *w,
		struct vec *out)
{
	vec_clear(&w->claimed);
	if (find_links(f, o, w, out) || find_emails(f, w, out) || find_handles(f, o, w, out) ||
	    find_prices(f, o, w, out) || find_ages(f, w, out))
		return -1;
	/* phones may not reuse a link's digits, but the link already gave its phone */
	if (ads_extract_phones(f, raw, o, w, out))
		return -1;
	{
		size_t i;

		for (i = 0; i < out->len; i++) {
			const struct ads_ident *id = vec_at(out, i);

			if (id->kind == AK_PHONE && ads_claim(w, id->fstart, id->fend))
				return -1;
		}
	}
	return find_names(f, raw, o, w, out);
}
