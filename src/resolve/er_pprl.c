/*
 * er_pprl: privacy-preserving record linkage.
 *
 * Each agency encodes its own person-like records under a secret the
 * agencies share (never the linkage unit):
 *   - exact identifiers (E.164 phone, normalised email, document number,
 *     date of birth) become keyed BLAKE2b tokens (libsodium
 *     crypto_generichash with a per-purpose key derived from the secret):
 *     equal values give equal tokens, nothing else can be learnt from them
 *     without the key;
 *   - names, date of birth and address go into one cryptographic long-term
 *     key (CLK, Schnell et al. 2011): a Bloom filter of l bits where every
 *     bigram of every field sets k positions drawn from a keyed BLAKE2b of
 *     (field, bigram), so each field has its own key and no double-hashing
 *     pattern (the weakness exploited by Niedermeyer et al. 2014).
 * Hardening (docs/resolution.md): "balance" (default) appends the
 * complement of the filter and permutes all 2l bits with a keyed
 * permutation, so every filter has exactly l bits set — the number of set
 * bits no longer tells how long a name is, and frequent bit patterns of
 * common names are mixed with their complements; "xor" folds the filter in
 * half (Schnell, Borgs, Encarnação 2016).  Both cut the frequency and
 * pattern-mining attacks of Christen et al. (2017/2018) at some cost in
 * accuracy.
 *
 * Linking compares every pair by the Dice coefficient 2|A∧B|/(|A|+|B|),
 * computed with 64-bit popcounts on packed filters, keeps pairs at or above
 * the threshold (a matching document-number or phone token adds a bonus),
 * and assigns them one-to-one, best first.
 */
#include "er.h"

#include <immintrin.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/par.h"
#include "core/rng.h"

#define PPRL_MAX_WORDS 64      /* up to 4096 bits after balancing */
#define TOK_BYTES 16
enum { TK_PHONE, TK_EMAIL, TK_ID, TK_DOB, TK_N };

struct pprl_params {
	int bits;                  /* l, before hardening (power of two, 256..2048) */
	int hardening;             /* 0 none, 1 balance, 2 xor */
	int k_name, k_dob, k_addr, k_place, k_id;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int out_bits(const struct pprl_params *p)
{
	return p->hardening == 1 ? 2 * p->bits : p->hardening == 2 ? p->bits / 2 : p->bits;
}

static void params_from_cfg(const struct cfg *c, struct pprl_params *p)
{
	const char *h = cfg_str(c, "resolve.pprl.hardening", "balance");

	p->bits = (int)cfg_int(c, "resolve.pprl.bits", 1024);
	p->hardening = strcmp(h, "xor") == 0 ? 2 : strcmp(h, "none") == 0 ? 0 : 1;
	p->k_name = (int)cfg_int(c, "resolve.pprl.k_name", 15);
	p->k_dob = (int)cfg_int(c, "resolve.pprl.k_dob", 20);
	p->k_addr = (int)cfg_int(c, "resolve.pprl.k_address", 6);
	p->k_place = (int)cfg_int(c, "resolve.pprl.k_place", 8);
	p->k_id = (int)cfg_int(c, "resolve.pprl.k_id", 12);
}

/* 32-byte key for one purpose ("field:given", "token:phone", "permute"). */
static void derive(const unsigned char master[32], const char *purpose, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)purpose, strlen(purpose), master, 32);
}

static int read_secret(rastro_ws *ws, const char *path, unsigned char master[32])
{
	unsigned char buf[4096];
	size_t n;
	FILE *f;

	if (!path)
		return ws_error(ws, RASTRO_USAGE, "a shared secret file is needed (--secret FILE)");
	f = fopen(path, "rb");
	if (!f)
		return ws_error(ws, RASTRO_IO, "cannot open the secret file '%s'", path);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < 16)
		return ws_error(ws, RASTRO_USAGE, "the secret in '%s' is too short (%zu bytes; at least 16, better 32 random"
				" bytes)", path, n);
	crypto_generichash(master, 32, buf, n, (const unsigned char *)"rastro-pprl-v1-master-key-000000", 32);
	sodium_memzero(buf, sizeof buf);
	return 0;
}

/* Sets k keyed positions for each bigram of s (padded: "_ana_"). */
static void add_bigrams(uint64_t *bf, int bits, const unsigned char key[32], const char *s, int k)
{
	char pad[160];
	size_t n = strlen(s), i;

	if (!n || k <= 0)
		return;
	if (k > 32)
		k = 32;
	snprintf(pad, sizeof pad, "_%s_", s);
	n = strlen(pad);
	for (i = 0; i + 1 < n; i++) {
		unsigned char h[64];
		int j;

		crypto_generichash(h, sizeof h, (const unsigned char *)pad + i, 2, key, 32);
		for (j = 0; j < k; j++) {
			unsigned pos = ((unsigned)h[2 * j] | (unsigned)h[2 * j + 1] << 8) & (unsigned)(bits - 1);

			bf[pos >> 6] |= (uint64_t)1 << (pos & 63);
		}
	}
}

/* One token as a unigram (a date part, a house number). */
static void add_token(uint64_t *bf, int bits, const unsigned char key[32], const char *s, int k)
{
	unsigned char h[64];
	int j;

	if (!*s || k <= 0)
		return;
	if (k > 32)
		k = 32;
	crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), key, 32);
	for (j = 0; j < k; j++) {
		unsigned pos = ((unsigned)h[2 * j] | (unsigned)h[2 * j + 1] << 8) & (unsigned)(bits - 1);

		bf[pos >> 6] |= (uint64_t)1 << (pos & 63);
	}
}

struct keys {
	unsigned char given[32], sur[32], sur2[32], dob[32], stno[32], street[32], addr2[32], city[32],
		postcode[32], region[32], id[32], sex[32], tok[TK_N][32], perm[32], check[32];
};

static void make_keys(const unsigned char master[32], struct keys *k)
{
	static const char *const tn[TK_N] = { "token:phone", "token:email", "token:id", "token:dob" };
	int i;

	derive(master, "field:given", k->given);
	derive(master, "field:surname", k->sur);
	derive(master, "field:surname2", k->sur2);
	derive(master, "field:dob", k->dob);
	derive(master, "field:street_number", k->stno);
	derive(master, "field:street", k->street);
	derive(master, "field:address2", k->addr2);
	derive(master, "field:city", k->city);
	derive(master, "field:postcode", k->postcode);
	derive(master, "field:region", k->region);
	derive(master, "field:id", k->id);
	derive(master, "field:sex", k->sex);
	for (i = 0; i < TK_N; i++)
		derive(master, tn[i], k->tok[i]);
	derive(master, "permute", k->perm);
	derive(master, "check", k->check);
}

/* The CLK of one record, hardened, into out (out_bits(p) bits). */
static void encode_rec(const struct er_data *d, const struct er_rec *r, const struct pprl_params *p,
		       const struct keys *k, const uint32_t *perm, uint64_t *out)
{
	uint64_t bf[PPRL_MAX_WORDS] = { 0 };
	int words = p->bits / 64, ob = out_bits(p), i;
	char t[32];

	add_bigrams(bf, p->bits, k->given, er_str(d, r->given1), p->k_name);
	add_bigrams(bf, p->bits, k->sur, er_str(d, r->sur1), p->k_name);
	add_bigrams(bf, p->bits, k->sur2, er_str(d, r->sur2), p->k_name / 2);
	if (r->y) {
		/* date parts as positional unigrams: a swapped day and month
		 * still share the year */
		snprintf(t, sizeof t, "y%04d", r->y);
		add_token(bf, p->bits, k->dob, t, p->k_dob);
		snprintf(t, sizeof t, "m%02d", r->m);
		add_token(bf, p->bits, k->dob, t, p->k_dob);
		snprintf(t, sizeof t, "d%02d", r->d);
		add_token(bf, p->bits, k->dob, t, p->k_dob);
	}
	if (r->sex) {
		t[0] = r->sex;
		t[1] = '\0';
		add_token(bf, p->bits, k->sex, t, p->k_addr);
	}
	add_bigrams(bf, p->bits, k->stno, er_str(d, r->stno), p->k_addr);
	add_bigrams(bf, p->bits, k->street, er_str(d, r->street), p->k_addr);
	add_bigrams(bf, p->bits, k->addr2, er_str(d, r->addr2), p->k_addr);
	add_bigrams(bf, p->bits, k->city, er_str(d, r->city), p->k_place);
	add_bigrams(bf, p->bits, k->postcode, er_str(d, r->postcode), p->k_place);
	add_bigrams(bf, p->bits, k->region, er_str(d, r->region), p->k_addr / 2);
	add_bigrams(bf, p->bits, k->id, er_str(d, r->idnum), p->k_id);
	memset(out, 0, (size_t)((ob + 63) / 64) * 8);
	if (p->hardening == 1) {
		/* bit i of f||~f goes to perm[i] */
		for (i = 0; i < 2 * p->bits; i++) {
			int src = i < p->bits ? i : i - p->bits;
			int bit = (int)((bf[src >> 6] >> (src & 63)) & 1);

			if (i >= p->bits)
				bit = !bit;
			if (bit)
				out[perm[i] >> 6] |= (uint64_t)1 << (perm[i] & 63);
		}
	} else if (p->hardening == 2) {
		for (i = 0; i < words / 2; i++)
			out[i] = bf[i] ^ bf[i + words / 2];
	} else
		memcpy(out, bf, (size_t)words * 8);
}

static void b64(const unsigned char *in, size_t n, char *out, size_t outn)
{
	sodium_bin2base64(out, outn, in, n, sodium_base64_VARIANT_ORIGINAL);
}

int rastro_encode(rastro_ws *ws, const struct rastro_encode_opts *o, uint64_t *written)
{
	struct er_data d;
	struct pprl_params p;
	struct keys k;
	unsigned char master[32];
	uint32_t *perm = NULL;
	FILE *f = NULL;
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc;

	*written = 0;
	if (sodium_init() < 0)
		return ws_error(ws, RASTRO_ERROR, "libsodium could not start");
	params_from_cfg(ws->cfg, &p);
	if (p.bits < 256 || p.bits > 2048 || (p.bits & (p.bits - 1)))
		return ws_error(ws, RASTRO_USAGE, "resolve.pprl.bits must be a power of two from 256 to 2048 (not %d)", p.bits);
	if (!o->out_path)
		return ws_error(ws, RASTRO_USAGE, "an output file is needed (--out FILE)");
	if ((rc = read_secret(ws, o->secret_path, master)))
		return rc;
	make_keys(master, &k);
	sodium_memzero(master, sizeof master);
	if ((rc = er_data_load(ws, &d, o->source_id, o->source_id))) {
		er_data_release(&d);
		return rc;
	}
	perm = mem_alloc((size_t)(2 * p.bits) * sizeof *perm);
	if (!perm) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	{
		/* keyed permutation: Fisher-Yates driven by a generator seeded
		 * from the permutation key */
		struct rng g;
		uint64_t seed;

		memcpy(&seed, k.perm, sizeof seed);
		rng_seed2(&g, seed, ((uint64_t)k.perm[8] << 32) | k.perm[9]);
		for (i = 0; i < (size_t)(2 * p.bits); i++)
			perm[i] = (uint32_t)i;
		rng_shuffle(&g, perm, (size_t)(2 * p.bits), sizeof *perm);
	}
	f = fopen(o->out_path, "w");
	if (!f) {
		rc = ws_error(ws, RASTRO_IO, "cannot write '%s'", o->out_path);
		goto out;
	}
	{
		char check[17];

		sodium_bin2hex(check, sizeof check, k.check, 8);
		fprintf(f, "# rastro encodings 1 bits=%d hardening=%s key_check=%s\n", out_bits(&p),
			p.hardening == 1 ? "balance" : p.hardening == 2 ? "xor" : "none", check);
		fprintf(f, "record_id\tclk\tphone\temail\tid_number\tdob\n");
	}
	if ((rc = ws_prepare(ws, "SELECT ext_id FROM record WHERE id = ?1", &q)))
		goto out;
	for (i = 0; i < d.recs.len; i++) {
		const struct er_rec *r = vec_at(&d.recs, i);
		uint64_t clk[PPRL_MAX_WORDS];
		char enc[PPRL_MAX_WORDS * 8 * 2], tok[TK_N][TOK_BYTES * 2 + 1];
		const char *ext = NULL;
		uint32_t vals[TK_N] = { r->phone, r->email, r->idnum, 0 };
		char dob[16];
		int t;

		encode_rec(&d, r, &p, &k, perm, clk);
		b64((const unsigned char *)clk, (size_t)out_bits(&p) / 8, enc, sizeof enc);
		snprintf(dob, sizeof dob, "%04d%02d%02d", r->y, r->m, r->d);
		for (t = 0; t < TK_N; t++) {
			const char *v = t == TK_DOB ? (r->y ? dob : "") : er_str(&d, vals[t]);
			unsigned char h[TOK_BYTES];

			tok[t][0] = '\0';
			if (!*v)
				continue;
			crypto_generichash(h, sizeof h, (const unsigned char *)v, strlen(v), k.tok[t], 32);
			sodium_bin2hex(tok[t], sizeof tok[t], h, sizeof h);
		}
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, r->id);
		if (sqlite3_step(q) == SQLITE_ROW)
			ext = (const char *)sqlite3_column_text(q, 0);
		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\n", ext ? ext : "", enc, tok[0], tok[1], tok[2], tok[3]);
		(*written)++;
	}
	if (ferror(f))
		rc = ws_error(ws, RASTRO_IO, "error writing '%s'", o->out_path);
out:
	if (f && fclose(f) && !rc)
		rc = ws_error(ws, RASTRO_IO, "error writing '%s'", o->out_path);
	sqlite3_finalize(q);
	sodium_memzero(&k, sizeof k);
	mem_free(perm);
	er_data_release(&d);
	return rc;
}

/* ---- linking ---- */

struct encfile {
	int bits;
	char hardening[16];
	char check[32];
	size_t n, words;
	uint64_t *clk;             /* n * words */
	uint32_t *pop;             /* set bits per filter */
	char **id;                 /* record ids */
	unsigned char (*tok)[TK_N][TOK_BYTES];
	uint8_t *has_tok;          /* bit t set when token t present */
	struct arena ar;
};

static void encfile_release(struct encfile *e)
{
	mem_free(e->clk);
	mem_free(e->pop);
	mem_free(e->id);
	mem_free(e->tok);
	mem_free(e->has_tok);
	arena_release(&e->ar);
}

static int read_enc(rastro_ws *ws, const char *path, struct encfile *e)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	memset(e, 0, sizeof *e);
	arena_init(&e->ar, 0);
	if (!f)
		return ws_error(ws, RASTRO_IO, "cannot open the encodings file '%s'", path);
	while ((len = getline(&line, &cap, f)) > 0) {
		char *fld[6], *s = line;
		int nf = 0, t;
		unsigned char raw[PPRL_MAX_WORDS * 8];
		size_t rawn;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lineno == 1) {
			/* %6d: at most six digits, so no overflow; the range is checked here */
			if (sscanf(line, "# rastro encodings 1 bits=%6d hardening=%15s key_check=%31s", /* NOLINT(cert-err34-c) */
				   &e->bits, e->hardening, e->check) != 3 || e->bits < 128 || e->bits > PPRL_MAX_WORDS * 64 || e->bits % 64) {
				rc = ws_error(ws, RASTRO_FORMAT, "%s:1: not a rastro encodings file", path);
				break;
			}
			e->words = (size_t)e->bits / 64;
			continue;
		}
		if (lineno == 2)
			continue;
		while (nf < 6) {
			fld[nf++] = s;
			s = strchr(s, '\t');
			if (!s)
				break;
			*s++ = '\0';
		}
		if (nf != 6) {
			rc = ws_error(ws, RASTRO_FORMAT, "%s:%zu: expected 6 tab-separated fields, found %d", path, lineno, nf);
			break;
		}
		if (e->n == alloc) {
			size_t na = alloc ? alloc * 2 : 4096;
			uint64_t *c = mem_realloc(e->clk, na * e->words * 8);
			uint32_t *p = c ? mem_realloc(e->pop, na * sizeof *p) : NULL;
			char **id = p ? mem_realloc(e->id, na * sizeof *id) : NULL;
			void *tk = id ? mem_realloc(e->tok, na * sizeof *e->tok) : NULL;
			uint8_t *ht = tk ? mem_realloc(e->has_tok, na) : NULL;

			if (c)
				e->clk = c;
			if (p)
				e->pop = p;
			if (id)
				e->id = id;
			if (tk)
				e->tok = tk;
			if (!ht) {
				rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading '%s'", path);
				break;
			}
			e->has_tok = ht;
			alloc = na;
		}
		if (sodium_base642bin(raw, sizeof raw, fld[1], strlen(fld[1]), NULL, &rawn, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 || rawn != e->words * 8) {
			rc = ws_error(ws, RASTRO_FORMAT, "%s:%zu:2: the filter is not %d bits of base64", path, lineno, e->bits);
			break;
		}
		memcpy(e->clk + e->n * e->words, raw, rawn);
		{
			uint32_t pc = 0;
			size_t w;

			for (w = 0; w < e->words; w++)
				pc += (uint32_t)__builtin_popcountll(e->clk[e->n * e->words + w]);
			e->pop[e->n] = pc;
		}
		e->id[e->n] = arena_strdup(&e->ar, fld[0]);
		if (!e->id[e->n]) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading '%s'", path);
			break;
		}
		e->has_tok[e->n] = 0;
		for (t = 0; t < TK_N; t++) {
			size_t bn;

			memset(e->tok[e->n][t], 0, TOK_BYTES);
			if (!fld[2 + t][0])
				continue;
			if (sodium_hex2bin(e->tok[e->n][t], TOK_BYTES, fld[2 + t], strlen(fld[2 + t]), NULL, &bn, NULL) != 0 ||
			    bn != TOK_BYTES) {
				rc = ws_error(ws, RASTRO_FORMAT, "%s:%zu:%d: a token is not %d hex bytes", path, lineno, 3 + t,
					      TOK_BYTES);
				break;
			}
			e->has_tok[e->n] |= (uint8_t)(1u << t);
		}
		if (rc)
			break;
		e->n++;
	}
	free(line); /* allocated by getline */
	fclose(f);
	if (!rc && lineno == 0)
		rc = ws_error(ws, RASTRO_FORMAT, "%s: empty encodings file", path);
	return rc;
}

struct cand {
	uint32_t a, b;
	float dice, score;
	uint32_t tokens;
};

struct link_job {
	const struct encfile *A, *B;
	size_t from, to;
	double threshold, bonus;
	struct cand *c;
	size_t n, cap;
	uint64_t comparisons;
	int oom;
};

static uint32_t and_pop_sw(const uint64_t *x, const uint64_t *y, size_t w)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < w; i++)
		s += (uint64_t)__builtin_popcountll(x[i] & y[i]);
	return (uint32_t)s;
}

/* AVX2 popcount with the nibble lookup of Mula, Kurz and Lemire ("Faster
 * population counts using AVX2 instructions", 2018): for filters whose word
 * count is a multiple of 4 and at most 124 words (byte counters must not
 * overflow). */
/* Intersections of one filter x with nb filters of B (tiled by the caller
 * so that B's rows stay in cache). */
__attribute__((target("avx2"))) static void row_avx2(const uint64_t *x, const uint64_t *b, size_t nb, size_t w,
						      uint32_t *inter)
{
	const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3,
					     1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low = _mm256_set1_epi8(0x0f);
	size_t k, i;

	for (k = 0; k < nb; k++) {
		const uint64_t *y = b + k * w;
		__m256i acc = _mm256_setzero_si256(), sum;

		for (i = 0; i < w; i += 4) {
			__m256i v = _mm256_and_si256(_mm256_loadu_si256((const void *)(x + i)),
						     _mm256_loadu_si256((const void *)(y + i)));
			__m256i lo = _mm256_and_si256(v, low), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);

			acc = _mm256_add_epi8(acc, _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi)));
		}
		sum = _mm256_sad_epu8(acc, _mm256_setzero_si256());
		sum = _mm256_add_epi64(sum, _mm256_permute4x64_epi64(sum, 0x4e));
		sum = _mm256_add_epi64(sum, _mm256_shuffle_epi32(sum, 0x4e));
		inter[k] = (uint32_t)_mm256_cvtsi256_si32(sum);
	}
}

__attribute__((target("popcnt"))) static void row_popcnt(const uint64_t *x, const uint64_t *b, size_t nb, size_t w,
							  uint32_t *inter)
{
	size_t k, i;

	for (k = 0; k < nb; k++) {
		const uint64_t *y = b + k * w;
		uint64_t s = 0;

		for (i = 0; i < w; i++)
			s += (uint64_t)__builtin_popcountll(x[i] & y[i]);
		inter[k] = (uint32_t)s;
	}
}

static void row_sw(const uint64_t *x, const uint64_t *b, size_t nb, size_t w, uint32_t *inter)
{
	size_t k;

	for (k = 0; k < nb; k++)
		inter[k] = and_pop_sw(x, b + k * w, w);
}

static int have_popcnt, have_avx2;

#define TILE 256

static int add_cand(struct link_job *j, uint32_t a, uint32_t b, double dice, uint32_t tk)
{
	if (j->n == j->cap) {
		size_t nc = j->cap ? j->cap * 2 : 1024;
		struct cand *c = mem_realloc(j->c, nc * sizeof *c);

		if (!c) {
			j->oom = 1;
			return -1;
		}
		j->c = c;
		j->cap = nc;
	}
	j->c[j->n].a = a;
	j->c[j->n].b = b;
	j->c[j->n].dice = (float)dice;
	j->c[j->n].score = (float)(dice + j->bonus * __builtin_popcount(tk & ~(1u << TK_DOB)));
	j->c[j->n].tokens = tk;
	j->n++;
	return 0;
}

static void *link_thread(void *arg)
{
	struct link_job *j = arg;
	const struct encfile *A = j->A, *B = j->B;
	size_t i, k, t0, w = A->words;
	void (*row)(const uint64_t *, const uint64_t *, size_t, size_t, uint32_t *) =
		have_avx2 && w % 4 == 0 && w <= 124 ? row_avx2 : have_popcnt ? row_popcnt : row_sw;
	uint32_t inter[TILE];
	/* the lowest Dice a pair may have and still reach the threshold with
	 * every token bonus */
	double floor_dice = j->threshold - j->bonus * (TK_N - 1);

	/* B in tiles of TILE filters, each tile compared with every row of A */
	for (t0 = 0; t0 < B->n; t0 += TILE) {
		size_t nb = B->n - t0 < TILE ? B->n - t0 : TILE;

		for (i = j->from; i < j->to; i++) {
			const uint64_t *x = A->clk + i * w;
			uint32_t pa = A->pop[i];

			row(x, B->clk + t0 * w, nb, w, inter);
			for (k = 0; k < nb; k++) {
				uint32_t pb = B->pop[t0 + k], tk = 0;
				double dice;
				int t;

				/* integer test first: 2 inter >= floor (pa + pb) */
				if (2.0 * inter[k] < floor_dice * (double)(pa + pb))
					continue;
				dice = pa + pb ? 2.0 * inter[k] / (double)(pa + pb) : 0;
				for (t = 0; t < TK_N; t++)
					if ((A->has_tok[i] & B->has_tok[t0 + k] & (1u << t)) &&
					    memcmp(A->tok[i][t], B->tok[t0 + k][t], TOK_BYTES) == 0)
						tk |= 1u << t;
				if (dice + j->bonus * __builtin_popcount(tk & ~(1u << TK_DOB)) < j->threshold)
					continue;
				if (add_cand(j, (uint32_t)i, (uint32_t)(t0 + k), dice, tk))
					return NULL;
			}
		}
	}
	j->comparisons = (uint64_t)(j->to - j->from) * B->n;
	return NULL;
}

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

int rastro_link_encoded(rastro_ws *ws, const struct rastro_link_encoded_opts *o, struct rastro_link_encoded_stats *st)
{
	struct encfile A, B;
	struct link_job jobs[8];
	int threads = (int)cfg_int(ws->cfg, "resolve.threads", 2), t, rc;
	double threshold = o->threshold >= 0 ? o->threshold : cfg_double(ws->cfg, "resolve.pprl.threshold", 0.7);
	double bonus = cfg_double(ws->cfg, "resolve.pprl.token_bonus", 0.05), t0;
	struct cand *all = NULL;
	size_t nall = 0, i;
	uint8_t *used_a = NULL, *used_b = NULL;
	FILE *f = NULL;

	memset(st, 0, sizeof *st);
	memset(jobs, 0, sizeof jobs);
	if (sodium_init() < 0)
		return ws_error(ws, RASTRO_ERROR, "libsodium could not start");
	have_popcnt = __builtin_cpu_supports("popcnt");
	have_avx2 = __builtin_cpu_supports("avx2") && cfg_bool(ws->cfg, "resolve.pprl.simd", 1);
	if ((rc = read_enc(ws, o->a_path, &A))) {
		encfile_release(&A);
		return rc;
	}
	if ((rc = read_enc(ws, o->b_path, &B))) {
		encfile_release(&A);
		encfile_release(&B);
		return rc;
	}
	if (A.bits != B.bits || strcmp(A.hardening, B.hardening) != 0 || strcmp(A.check, B.check) != 0) {
		rc = ws_error(ws, RASTRO_FORMAT, "'%s' and '%s' were not encoded with the same secret and settings"
			      " (bits %d/%d, hardening %s/%s, key check %s/%s)", o->a_path, o->b_path, A.bits, B.bits,
			      A.hardening, B.hardening, A.check, B.check);
		goto out;
	}
	if (ws_run_begin(ws, "link-encoded", o->a_path)) {
		rc = ws->err.code;
		goto out;
	}
	if (threads < 1)
		threads = 1;
	if (threads > 8)
		threads = 8;
	t0 = now_s();
	for (t = 0; t < threads; t++) {
		jobs[t].A = &A;
		jobs[t].B = &B;
		jobs[t].from = A.n * (size_t)t / (size_t)threads;
		jobs[t].to = A.n * (size_t)(t + 1) / (size_t)threads;
		jobs[t].threshold = threshold;
		jobs[t].bonus = bonus;
	}
	par_run(jobs, sizeof jobs[0], threads, link_thread);
	st->seconds = now_s() - t0;
	for (t = 0; t < threads; t++) {
		if (jobs[t].oom) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory collecting candidate pairs");
			goto out;
		}
		nall += jobs[t].n;
		st->comparisons += jobs[t].comparisons;
	}
	st->a = A.n;
	st->b = B.n;
	st->comparisons_per_second = st->seconds > 0 ? (double)st->comparisons / st->seconds : 0;
	all = mem_alloc((nall ? nall : 1) * sizeof *all);
	used_a = mem_calloc(A.n ? A.n : 1, 1);
	used_b = mem_calloc(B.n ? B.n : 1, 1);
	if (!all || !used_a || !used_b) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	nall = 0;
	for (t = 0; t < threads; t++) {
		if (jobs[t].n) /* a job with no candidates may hold no array: memcpy(NULL) is undefined */
			memcpy(all + nall, jobs[t].c, jobs[t].n * sizeof *all);
		nall += jobs[t].n;
	}
	qsort(all, nall, sizeof *all, cand_cmp);
	f = fopen(o->out_path, "w");
	if (!f) {
		rc = ws_error(ws, RASTRO_IO, "cannot write '%s'", o->out_path);
		goto out;
	}
	fprintf(f, "a,b,dice,score,tokens\n");
	for (i = 0; i < nall; i++) {
		const struct cand *c = &all[i];
		static const char *const tn[TK_N] = { "phone", "email", "id_number", "dob" };
		char tks[64] = "";
		int k, len = 0;

		/* greedy one-to-one: best pairs first */
		if (used_a[c->a] || used_b[c->b])
			continue;
		used_a[c->a] = used_b[c->b] = 1;
		for (k = 0; k < TK_N; k++)
			if (c->tokens & (1u << k))
				len += snprintf(tks + len, sizeof tks - (size_t)len, "%s%s", len ? ";" : "", tn[k]);
		fprintf(f, "%s,%s,%.4f,%.4f,%s\n", A.id[c->a], B.id[c->b], c->dice, c->score, tks);
		st->links++;
	}
	if (ferror(f))
		rc = ws_error(ws, RASTRO_IO, "error writing '%s'", o->out_path);
	{
		char summary[160];

		snprintf(summary, sizeof summary, "%llu x %llu encodings, %llu links", (unsigned long long)st->a,
			 (unsigned long long)st->b, (unsigned long long)st->links);
		ws_run_end(ws, rc, rc ? ws->err.msg : summary);
	}
out:
	if (f && fclose(f) && !rc)
		rc = ws_error(ws, RASTRO_IO, "error writing '%s'", o->out_path);
	for (t = 0; t < 8; t++)
		mem_free(jobs[t].c);
	mem_free(all);
	mem_free(used_a);
	mem_free(used_b);
	encfile_release(&A);
	encfile_release(&B);
	return rc;
}
