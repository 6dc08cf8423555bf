/*
 * analyze: the per-ad pass of `rastro ads` (see analyze.h): fold once,
 * extract identifiers, scan lexicons and gazetteer once, score, tokenise
 * with identifiers replaced by placeholders, MinHash.
 */
#include "ads/analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/sbuf.h"
#include "core/vec.h"
#include "normalize/phone.h"
#include "rastro.h"

const char *const ads_derived_codes[ADS_D_N] = {
	"AD.OBSCURED_PHONE", "AD.STATED_MINOR", "AD.STATED_UNDER_23",
};

const char *const ads_derived_sources[ADS_D_N] = {
	("JRSA/NIJ, J. Human Trafficking 2024, doi 10.1080/23322705.2024.2349447: an obscured phone number is a "
	 "significant predictor of sex trafficking"),
	"a stated age under 18: the person advertised may be a minor (JRSA/NIJ: youth is a significant predictor)",
	"JRSA/NIJ 2024: a stated age under 23 was tested and not significant (reported, weight 0 by default)",
};

static const double derived_defaults[ADS_D_N] = { 1.0, 3.0, 0.0 };

const char *const ads_field_names[3] = { "title", "body", "url" };

static const char *const default_lexicons[] = {
	"lexicons/ads_en.tsv", "lexicons/ads_es.tsv", "lexicons/ads_emoji.tsv", "lexicons/ads_jobs.tsv",
	"lexicons/ads_smuggling.tsv",
};

/* Placeholder words, by identifier kind. */
static const char *const placeholders[AK_N] = {
	"<phone>", "<email>", "<handle>", "<link>", "<price>", "<age>", "<name>", "<city>", "<image>",
};

uint64_t ads_word_hash(const char *w, size_t n)
{
	return XXH3_64bits(w, n);
}

/* ---- model ---- */

static void data_path(struct sbuf *p, const char *datadir, const char *rel)
{
	sbuf_clear(p);
	if (rel[0] != '/')
		sbuf_addf(p, "%s/", datadir);
	sbuf_adds(p, rel);
}

/* Reads the gazetteer and adds one lexicon line per city name. */
static int load_cities(struct ads_model *m, const char *path, struct rs_err *err)
{
	FILE *f = fopen(path, "rb");
	struct sbuf lines = SBUF_INIT, row = SBUF_INIT;
	char buf[1024];
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!f)
		return err_set(err, RASTRO_IO, "cannot open the city list '%s'", path);
	sbuf_init(&lines);
	while (!rc && fgets(buf, sizeof buf, f)) {
		char *fld[4] = { NULL, NULL, NULL, NULL };
		char *s = buf, *nl;
		int k = 0;
		struct ads_city *c;

		lineno++;
		nl = strpbrk(buf, "\r\n");
		if (nl)
			*nl = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		while (k < 4) {
			fld[k++] = s;
			s = strchr(s, '\t');
			if (!s)
				break;
			*s++ = '\0';
		}
		if (k < 3 || !fld[0][0] || !fld[2][0] || strlen(fld[1]) >= sizeof c->region || strlen(fld[2]) != 2) {
			rc = err_set(err, RASTRO_FORMAT, "%s:%u: expected name, region, country (2 letters) and aliases",
				     path, lineno);
			break;
		}
		if (m->ncities == cap) {
			size_t nc = cap ? cap * 2 : 128;
			struct ads_city *n = mem_realloc(m->cities, nc * sizeof *n);

			if (!n) {
				rc = err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", path);
				break;
			}
			m->cities = n;
			cap = nc;
		}
		c = &m->cities[m->ncities];
		memset(c, 0, sizeof *c);
		c->name = mem_strdup(fld[0]);
		if (!c->name) {
			rc = err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", path);
			break;
		}
		snprintf(c->region, sizeof c->region, "%s", fld[1]);
		snprintf(c->country, sizeof c->country, "%s", fld[2]);
		m->ncities++;
		/* the name and each alias become literal whole-word patterns */
		sbuf_addf(&lines, "CITY.%zu\t0\t%s\twl\tany\t%s line %u\n", m->ncities - 1, fld[0], path, lineno);
		if (k == 4 && fld[3][0]) {
			char *a = fld[3], *semi;

			do {
				semi = strchr(a, ';');
				if (semi)
					*semi = '\0';
				if (*a)
					sbuf_addf(&lines, "CITY.%zu\t0\t%s\twl\tany\t%s line %u\n", m->ncities - 1, a, path,
						  lineno);
				a = semi ? semi + 1 : NULL;
			} while (a);
		}
	}
	fclose(f);
	if (!rc && sbuf_failed(&lines))
		rc = err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", path);
	if (!rc)
		rc = lex_add_text(m->lx, path, lines.buf, lines.len, err);
	sbuf_release(&lines);
	sbuf_release(&row);
	return rc;
}

/* One folded name per line; '#' comments. */
static int load_names(struct ads_model *m, const char *path, struct rs_err *err)
{
	FILE *f = fopen(path, "rb");
	char line[256], key[256];
	unsigned lineno = 0;

	if (!f)
		return err_set(err, RASTRO_IO, "cannot open the name list '%s'", path);
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\r\n");
		long k;

		lineno++;
		line[n] = '\0';
		if (!n || line[0] == '#')
			continue;
		k = fold_copy(line, n, key, sizeof key);
		if (k == FOLD_NOMEM) {
			fclose(f);
			return err_set(err, RASTRO_NOMEM, "out of memory reading the name list '%s'", path);
		}
		if (k <= 0) {
			fclose(f);
			return err_set(err, RASTRO_FORMAT, "%s:%u: not a name ('%s')", path, lineno, line);
		}
		if (!strmap_intern(&m->names, key, (size_t)k, NULL)) {
			fclose(f);
			return err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", path);
		}
	}
	fclose(f);
	return 0;
}

int ads_model_init(struct ads_model *m, const struct cfg *cfg, const char *datadir, struct rs_err *err)
{
	struct sbuf p = SBUF_INIT;
	size_t i, nlex = cfg_array_len(cfg, "ads.lexicons");
	int rc = 0;

	memset(m, 0, sizeof *m);
	strmap_init(&m->names);
	sbuf_init(&p);
	snprintf(m->region, sizeof m->region, "%s", cfg_str(cfg, "ads.default_region", "US"));
	m->max_tokens = (size_t)cfg_int(cfg, "ads.max_words", 256);
	m->shingle = (int)cfg_int(cfg, "ads.cluster.shingle", 3);
	m->max_phones = (size_t)cfg_int(cfg, "ads.max_phones_per_ad", 100);
	m->miss_cost = cfg_int(cfg, "ads.misspelling_cost", 7);
	m->phone_cache = cfg_int(cfg, "ads.phone_cache", ADS_PCACHE_DEFAULT);
	if (m->miss_cost < 1 || m->miss_cost > 1000)
		return err_set(err, RASTRO_USAGE, "setting ads.misspelling_cost must be 1 to 1000 (is %lld)", m->miss_cost);
	if (m->phone_cache < 0 || m->phone_cache > (1LL << 26))
		return err_set(err, RASTRO_USAGE, "setting ads.phone_cache must be 0 to 67108864 (is %lld)", m->phone_cache);
	if (m->max_tokens < 8)
		m->max_tokens = 8;
	if (m->shingle < 1 || m->shingle > 8)
		return err_set(err, RASTRO_USAGE, "setting ads.cluster.shingle must be 1 to 8 (is %d)", m->shingle);
	m->lx = lex_new();
	if (!m->lx)
		return err_set(err, RASTRO_NOMEM, "out of memory loading the ads lexicons");
	if (!cfg_has(cfg, "ads.lexicons"))
		nlex = sizeof default_lexicons / sizeof default_lexicons[0];
	for (i = 0; i < nlex && !rc; i++) {
		data_path(&p, datadir, cfg_has(cfg, "ads.lexicons") ? cfg_array_str(cfg, "ads.lexicons", i) : default_lexicons[i]);
		rc = lex_add_file(m->lx, p.buf, err);
	}
	if (!rc) {
		data_path(&p, datadir, cfg_str(cfg, "ads.cities", "ads/cities.tsv"));
		rc = load_cities(m, p.buf, err);
	}
	if (!rc && cfg_str(cfg, "ads.names", "ads/given_names.txt")[0]) {
		data_path(&p, datadir, cfg_str(cfg, "ads.names", "ads/given_names.txt"));
		rc = load_names(m, p.buf, err);
	}
	if (!rc && m->phone_cache >= 2)
		m->pshared = ads_pshared_new((size_t)m->phone_cache * 4);   /* NULL: each thread caches alone */
	if (!rc)
		rc = lex_compile(m->lx, err);
	if (!rc) {
		size_t nc = lex_ncodes(m->lx);

		m->code_city = mem_calloc(nc ? nc : 1, sizeof *m->code_city);
		m->weight = mem_calloc(nc ? nc : 1, sizeof *m->weight);
		if (!m->code_city || !m->weight)
			rc = err_set(err, RASTRO_NOMEM, "out of memory loading the ads lexicons");
		for (i = 0; m->code_city && m->weight && i < nc; i++) {
			const struct lex_code *c = lex_code(m->lx, i);
			char key[160];

			m->code_city[i] = -1;
			if (strncmp(c->name, "CITY.", 5) == 0) {
				int64_t v;

				if (!parse_i64(c->name + 5, strlen(c->name + 5), &v) && v >= 0 && (size_t)v < m->ncities)
					m->code_city[i] = (int32_t)v;
				continue;
			}
			snprintf(key, sizeof key, "ads.weights.%s", c->name);
			m->weight[i] = cfg_double(cfg, key, c->weight);
		}
		for (i = 0; i < ADS_D_N; i++) {
			char key[160];

			snprintf(key, sizeof key, "ads.weights.%s", ads_derived_codes[i]);
			m->derived_weight[i] = cfg_double(cfg, key, derived_defaults[i]);
		}
	}
	sbuf_release(&p);
	if (rc)
		ads_model_release(m);
	return rc;
}

void ads_model_release(struct ads_model *m)
{
	size_t i;

	lex_free(m->lx);
	for (i = 0; i < m->ncities; i++)
		mem_free(m->cities[i].name);
	mem_free(m->cities);
	mem_free(m->code_city);
	mem_free(m->weight);
	strmap_release(&m->names);
	ads_pshared_free(m->pshared);
	memset(m, 0, sizeof *m);
}

/* ---- analyzer ---- */

struct span {
	uint32_t a, b;             /* folded span */
	int kind;                  /* identifier kind it stands for */
};

struct word {
	uint32_t a;                /* folded start, or the kind for a placeholder */
	uint16_t len;              /* 0 for a placeholder */
};

/* Words of at most four letters: tokenize asks only for words that short. */
static const char *const en_stop[] = { "the", "and", "you", "my", "me", "for", "with", "is", "are", "your",
				       "am", "call", "text", "i", "to", "in", "of", "we", "it", "this" };
static const char *const es_stop[] = { "el", "la", "de", "que", "los", "las", "por", "con", "para", "una",
				       "es", "soy", "mi", "te", "tu", "muy", "del", "al", "se", "lo" };

#define NSTOP (sizeof en_stop / sizeof en_stop[0])
_Static_assert(sizeof es_stop / sizeof es_stop[0] == NSTOP, "the stop lists are packed side by side");

/* A word of at most four letters as one number (its bytes, zero-padded):
 * the stop lists are compared a word at a time (this runs for every short
 * word of every ad). */
static uint32_t pack4(const char *w, size_t len)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < len && i < 4; i++)
		v |= (uint32_t)(unsigned char)w[i] << (8 * i);
	return v;
}

static int in_packed(const uint32_t *list, uint32_t w)
{
	size_t i;
	int found = 0;

	for (i = 0; i < NSTOP; i++)
		found |= list[i] == w;
	return found;
}

struct ads_analyzer {
	const struct ads_model *m;
	struct lex_scanner *sc;
	struct fold f;
	struct ads_xwork xw;
	struct sbuf text;
	struct vec ids;            /* struct ads_ident */
	struct vec matches;        /* struct lex_match */
	struct vec hits;           /* struct ads_hit */
	struct vec spans;          /* struct span: masked for clustering */
	struct vec tok;            /* uint64_t */
	struct vec words;          /* struct word */
	uint32_t en_stop[NSTOP];   /* the stop words, pack4'ed */
	uint32_t es_stop[NSTOP];
	uint32_t *code_seen;       /* per code: stamp of the last ad that fired it */
	uint32_t stamp;
	const char *country;       /* of the ad being analysed */
	size_t ncountry;
};

struct ads_analyzer *ads_analyzer_new(const struct ads_model *m, struct rs_err *err)
{
	struct ads_analyzer *a = mem_calloc(1, sizeof *a);
	size_t nc = lex_ncodes(m->lx), i;

	if (!a) {
		err_set(err, RASTRO_NOMEM, "out of memory");
		return NULL;
	}
	a->m = m;
	fold_init(&a->f);
	ads_xwork_init(&a->xw, (size_t)m->phone_cache);
	a->xw.pc.shared = m->pshared;
	sbuf_init(&a->text);
	vec_init(&a->ids, sizeof(struct ads_ident));
	vec_init(&a->matches, sizeof(struct lex_match));
	vec_init(&a->hits, sizeof(struct ads_hit));
	vec_init(&a->spans, sizeof(struct span));
	vec_init(&a->tok, sizeof(uint64_t));
	vec_init(&a->words, sizeof(struct word));
	for (i = 0; i < NSTOP; i++) {
		a->en_stop[i] = pack4(en_stop[i], strlen(en_stop[i]));
		a->es_stop[i] = pack4(es_stop[i], strlen(es_stop[i]));
	}
	a->code_seen = mem_calloc(nc ? nc : 1, sizeof *a->code_seen);
	a->sc = lex_scanner_new(m->lx, err);
	if (!a->code_seen || !a->sc) {
		if (!a->code_seen)
			err_set(err, RASTRO_NOMEM, "out of memory");
		ads_analyzer_free(a);
		return NULL;
	}
	return a;
}

void ads_analyzer_free(struct ads_analyzer *a)
{
	if (!a)
		return;
	lex_scanner_free(a->sc);
	fold_release(&a->f);
	ads_xwork_release(&a->xw);
	sbuf_release(&a->text);
	vec_release(&a->ids);
	vec_release(&a->matches);
	vec_release(&a->hits);
	vec_release(&a->spans);
	vec_release(&a->tok);
	vec_release(&a->words);
	mem_free(a->code_seen);
	mem_free(a);
}

static int collect(void *user, const struct lex_match *m)
{
	struct ads_analyzer *a = user;

	return vec_push(&a->matches, m) ? RASTRO_NOMEM : 0;
}

static int add_hit(struct ads_analyzer *a, int32_t code, uint32_t entry, uint32_t s, uint32_t e, double *score,
		   double w)
{
	struct ads_hit h;

	h.code = code;
	h.entry = entry;
	h.start = s;
	h.end = e;
	*score += w;
	return vec_push(&a->hits, &h);
}

/* Indicators (first occurrence per code) and city mentions (longest at a
 * place, not inside a longer one). */
/*
 * A given name inside a city of several words ("Antonio" of "San Antonio")
 * is the city's: when every identifier taken inside [fs, fe) is such a
 * name, the names are removed and 1 is returned (the city is recorded).
 */
static int names_yield(struct ads_analyzer *a, uint32_t fs, uint32_t fe)
{
	const uint32_t *cl = a->xw.claimed.data;
	struct ads_ident *ids = a->ids.data;
	size_t i, j, m = 0;

	for (i = 0; i + 1 < a->xw.claimed.len; i += 2) {
		if (cl[i + 1] <= fs || cl[i] >= fe)
			continue;
		for (j = 0; j < a->ids.len; j++)
			if (ids[j].kind == AK_NAME && ids[j].fstart == cl[i] && ids[j].fend == cl[i + 1])
				break;
		if (j == a->ids.len || cl[i] <= fs || cl[i + 1] > fe)
			return 0;
	}
	for (i = 0; i < a->ids.len; i++)
		if (!(ids[i].kind == AK_NAME && ids[i].fstart > fs && ids[i].fend <= fe))
			ids[m++] = ids[i];
	a->ids.len = m;
	return 1;
}

static int sort_matches(struct ads_analyzer *a, struct ads_analysis *out)
{
	const struct ads_model *m = a->m;
	struct lex_match *ms = a->matches.data;
	size_t n = a->matches.len, i;
	uint32_t city_end = 0;

	for (i = 0; i < n; i++) {
		int32_t c = m->code_city[ms[i].code];

		if (c < 0) {
			if (a->code_seen[ms[i].code] != a->stamp) {
				a->code_seen[ms[i].code] = a->stamp;
				if (add_hit(a, (int32_t)ms[i].code, ms[i].entry, (uint32_t)ms[i].start, (uint32_t)ms[i].end,
					    &out->score, m->weight[ms[i].code]))
					return -1;
			}
			continue;
		}
		if (ms[i].fend <= city_end)
			continue;
		{
			/* matches at the same start: longest wins, then the ad's country */
			size_t j = i, best = i, k;
			int32_t city = -1;
			struct ads_ident *id;

			while (j < n && ms[j].fstart == ms[i].fstart) {
				if (m->code_city[ms[j].code] >= 0 && ms[j].fend > ms[best].fend)
					best = j;
				j++;
			}
			for (k = i; k < j; k++) {
				int32_t cc = m->code_city[ms[k].code];

				if (cc < 0 || ms[k].fend != ms[best].fend)
					continue;
				if (city < 0)
					city = cc;
				if (a->ncountry == 2 && strncasecmp(m->cities[cc].country, a->country, 2) == 0) {
					city = cc;
					break;
				}
			}
			if (city < 0 || (ads_claimed(&a->xw, (uint32_t)ms[best].fstart, (uint32_t)ms[best].fend) &&
					 !names_yield(a, (uint32_t)ms[best].fstart, (uint32_t)ms[best].fend)))
				continue;
			id = vec_grow(&a->ids, 1);
			if (!id)
				return -1;
			id->kind = AK_CITY;
			id->start = (uint32_t)ms[best].start;
			id->end = (uint32_t)ms[best].end;
			id->fstart = (uint32_t)ms[best].fstart;
			id->fend = (uint32_t)ms[best].fend;
			snprintf(id->value, sizeof id->value, "%s, %s, %s", m->cities[city].name, m->cities[city].region,
				 m->cities[city].country);
			city_end = (uint32_t)ms[best].fend;
		}
	}
	return 0;
}

static int by_start(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b > q->b ? -1 : p->b < q->b;
}

/* Words of the folded text with identifier spans replaced by placeholders. */
static int tokenize(struct ads_analyzer *a, struct ads_analysis *out)
{
	const char *t = a->f.text;
	size_t n = a->f.len, i = 0, si = 0, max = a->m->max_tokens, en = 0, es = 0;
	struct span *sp;
	size_t nsp;

	vec_clear(&a->spans);
	for (i = 0; i < a->ids.len; i++) {
		const struct ads_ident *id = vec_at(&a->ids, i);
		struct span s;

		s.a = id->fstart;
		s.b = id->fend;
		s.kind = id->kind;
		if (s.b > s.a && vec_push(&a->spans, &s))
			return -1;
	}
	sp = a->spans.data;
	nsp = a->spans.len;
	if (nsp > 1)
		qsort(sp, nsp, sizeof *sp, by_start);
	vec_clear(&a->tok);
	vec_clear(&a->words);
	/* words of the title and body only: the URL is the site's, not the author's */
	{
		const char *sep = memchr(t, '\x1e', n);

		sep = sep ? memchr(sep + 1, '\x1e', n - (size_t)(sep + 1 - t)) : NULL;
		if (sep)
			n = (size_t)(sep - t);
	}
	i = 0;
	while (i < n && a->tok.len < max) {
		struct word w;
		uint64_t h;

		while (si < nsp && sp[si].b <= i)
			si++;
		if (si < nsp && sp[si].a <= i) {
			/* an identifier: one placeholder, then skip it (and spans inside it) */
			size_t end = sp[si].b;

			w.a = (uint32_t)sp[si].kind;
			w.len = 0;
			h = ads_word_hash(placeholders[sp[si].kind], strlen(placeholders[sp[si].kind]));
			if (vec_push(&a->words, &w) || vec_push(&a->tok, &h))
				return -1;
			while (si < nsp && sp[si].a < end) {
				if (sp[si].b > end)
					end = sp[si].b;
				si++;
			}
			i = end;
			continue;
		}
		/* HTML markup is not text: tags and entities are skipped, as InfoShield does */
		if (t[i] == '<' && i + 1 < n && ((t[i + 1] >= 'a' && t[i + 1] <= 'z') || t[i + 1] == '/' || t[i + 1] == '!')) {
			const char *gt = memchr(t + i, '>', n - i < 256 ? n - i : 256);

			if (gt && !memchr(t + i + 1, '<', (size_t)(gt - t) - i - 1)) {
				i = (size_t)(gt - t) + 1;
				continue;
			}
		}
		if (t[i] == '&' && i + 2 < n) {
			size_t e = i + 1;

			while (e < n && e - i < 10 && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= '0' && t[e] <= '9') || t[e] == '#'))
				e++;
			if (e < n && t[e] == ';' && e > i + 1) {
				i = e + 1;
				continue;
			}
		}
		if (t[i] >= 'a' && t[i] <= 'z') {
			size_t s = i;

			while (i < n && t[i] >= 'a' && t[i] <= 'z' && (si >= nsp || i < sp[si].a))
				i++;
			if (i - s > 40)
				continue;   /* not a word: a base64 blob, a run of letters */
			w.a = (uint32_t)s;
			w.len = (uint16_t)(i - s);
			h = ads_word_hash(t + s, i - s);
			if (vec_push(&a->words, &w) || vec_push(&a->tok, &h))
				return -1;
			/* no stop word is longer than four letters: most words end here */
			if (i - s <= 4) {
				uint32_t p = pack4(t + s, i - s);

				en += (size_t)in_packed(a->en_stop, p);
				es += (size_t)in_packed(a->es_stop, p);
			}
			continue;
		}
		i++;
	}
	out->lang = en + es < 2 ? NULL : en > es ? "en" : es > en ? "es" : NULL;
	out->tok = a->tok.data;
	out->ntok = a->tok.len;
	return 0;
}

static uint64_t mix(uint64_t s)
{
	s ^= s >> 29;
	s *= 0xBF58476D1CE4E5B9ULL;
	s ^= s >> 32;
	return s;
}

/* One-permutation MinHash with rotation densification over word shingles. */
static void signature(const struct ads_model *m, struct ads_analysis *out)
{
	size_t n = out->ntok, k = (size_t)m->shingle, i, j;
	uint32_t *sig = out->sig;
	int any = 0;

	for (i = 0; i < ADS_K; i++)
		sig[i] = UINT32_MAX;
	out->has_sig = 0;
	if (!n)
		return;
	if (n < k)
		k = n;
	for (i = 0; i + k <= n; i++) {
		uint64_t s = out->tok[i];
		uint32_t bin, v;

		for (j = 1; j < k; j++)
			s = ((s << 21) | (s >> 43)) ^ (out->tok[i + j] * 0x9E3779B97F4A7C15ULL);
		s = mix(s * 0x94D049BB133111EBULL);
		bin = (uint32_t)(s >> 58);
		v = (uint32_t)s;
		if (v < sig[bin])
			sig[bin] = v;
		any = 1;
	}
	if (!any)
		return;
	{
		/* each empty bin borrows from the next non-empty one to its right, shifted
		 * by the distance (rotation densification) */
		uint32_t orig[ADS_K];

		memcpy(orig, sig, sizeof orig);
		for (i = 0; i < ADS_K; i++) {
			if (orig[i] != UINT32_MAX)
				continue;
			for (j = 1; j < ADS_K; j++) {
				uint32_t src = orig[(i + j) % ADS_K];

				if (src != UINT32_MAX) {
					sig[i] = src + (uint32_t)j * 0x61C88647u;
					if (sig[i] == UINT32_MAX)
						sig[i]--;
					break;
				}
			}
		}
	}
	out->has_sig = 1;
}

int ads_analyze(struct ads_analyzer *a, const struct ads_input *in, const char *region, struct ads_analysis *out)
{
	const struct ads_model *m = a->m;
	struct ads_xopts xo;
	size_t i;
	int minor = 0, under23 = 0, obscured = 0;

	memset(out, 0, sizeof *out);
	a->stamp++;
	if (a->stamp == 0) {
		memset(a->code_seen, 0, lex_ncodes(m->lx) * sizeof *a->code_seen);
		a->stamp = 1;
	}
	a->country = in->country;
	a->ncountry = in->ncountry;
	sbuf_clear(&a->text);
	sbuf_add(&a->text, in->title, in->ntitle);
	sbuf_addc(&a->text, '\x1e');
	sbuf_add(&a->text, in->body, in->nbody);
	sbuf_addc(&a->text, '\x1e');
	sbuf_add(&a->text, in->url, in->nurl);
	if (sbuf_failed(&a->text))
		return -1;
	out->text = a->text.buf;
	out->ntext = a->text.len;
	out->field_start[ADS_F_TITLE] = 0;
	out->field_end[ADS_F_TITLE] = in->ntitle;
	out->field_start[ADS_F_BODY] = in->ntitle + 1;
	out->field_end[ADS_F_BODY] = in->ntitle + 1 + in->nbody;
	out->field_start[ADS_F_URL] = in->ntitle + in->nbody + 2;
	out->field_end[ADS_F_URL] = a->text.len;
	if (fold_text(&a->f, a->text.buf, a->text.len))
		return -1;
	memset(&xo, 0, sizeof xo);
	xo.region = region && region[0] ? region : m->region;
	xo.site = in->site;
	xo.sitelen = in->nsite;
	xo.max_phones = m->max_phones;
	xo.miss_cost = (int)m->miss_cost;
	xo.url_last = 1;
	xo.names = &m->names;
	vec_clear(&a->ids);
	vec_clear(&a->matches);
	vec_clear(&a->hits);
	if (ads_extract(&a->f, a->text.buf, &xo, &a->xw, &a->ids))
		return -1;
	if (lex_scan_folded(a->sc, &a->f, collect, a) || sort_matches(a, out))
		return -1;
	for (i = 0; i < a->ids.len; i++) {
		const struct ads_ident *id = vec_at(&a->ids, i);

		if (id->kind == AK_PHONE && id->obfuscated)
			obscured = 1;
		if (id->kind == AK_AGE && id->num < 18)
			minor = 1;
		if (id->kind == AK_AGE && id->num >= 18 && id->num < 23)
			under23 = 1;
	}
	if ((obscured && add_hit(a, -1 - ADS_D_OBSCURED, 0, 0, 0, &out->score, m->derived_weight[ADS_D_OBSCURED])) ||
	    (minor && add_hit(a, -1 - ADS_D_MINOR, 0, 0, 0, &out->score, m->derived_weight[ADS_D_MINOR])) ||
	    (under23 && add_hit(a, -1 - ADS_D_UNDER23, 0, 0, 0, &out->score, m->derived_weight[ADS_D_UNDER23])))
		return -1;
	if (tokenize(a, out))
		return -1;
	signature(m, out);
	out->ids = a->ids.data;
	out->nids = a->ids.len;
	out->hits = a->hits.data;
	out->nhits = a->hits.len;
	return 0;
}

int ads_analyzer_phone(struct ads_analyzer *a, const char *s, size_t n, const char *region, char e164[24])
{
	struct phone p;

	if (ads_phone_parse_cached(&a->xw.pc, s, n, region, &p)) {
		e164[0] = '\0';
		return -1;
	}
	memcpy(e164, p.e164, sizeof p.e164);
	return 0;
}

size_t ads_analyzer_nwords(const struct ads_analyzer *a)
{
	return a->words.len;
}

const char *ads_analyzer_word(const struct ads_analyzer *a, size_t i, size_t *len)
{
	const struct word *w = vec_at(&a->words, i);

	if (!w->len) {
		*len = strlen(placeholders[w->a]);
		return placeholders[w->a];
	}
	*len = w->len;
	return a->f.text + w->a;
}

int ads_field_of(const struct ads_analysis *an, uint32_t start, uint32_t end, uint32_t *fs, uint32_t *fe)
{
	int f;

	for (f = ADS_F_TITLE; f <= ADS_F_URL; f++) {
		if (start >= an->field_start[f] && end <= an->field_end[f]) {
			*fs = start - (uint32_t)an->field_start[f];
			*fe = end - (uint32_t)an->field_start[f];
			return f;
		}
	}
	/* spans the separator (cannot happen for identifiers; be safe) */
	*fs = start;
	*fe = end;
	return ADS_F_BODY;
}
