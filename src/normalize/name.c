/*
 * name: folding, parsing and nickname lookup of person names.
 */
#include "name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/utf8.h"
#include "rastro.h"

#define FOLD_MAX_CP 512

static int is_alnum_ascii(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* put_cp's "space" state once the output is full */
#define FOLD_FULL 2

/* Appends one code point of folded text, turning separators into one space. */
static void put_cp(uint32_t cp, char *out, size_t outn, size_t *k, int *space, int *non_latin)
{
	char enc[4];
	size_t l;

	if (*space == FOLD_FULL)
		return;
	if (cp >= 'A' && cp <= 'Z')
		cp += 32;
	if (cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == '`') /* O'Brien -> obrien */
		return;
	if (cp < 0x80 && !is_alnum_ascii((unsigned char)cp)) {
		*space = 1;
		return;
	}
	if (cp >= 0x80) {
		utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);

		if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME)
			return;
		if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_ND) {
			/* punctuation, symbols, spaces */
			*space = 1;
			return;
		}
		if (cp != 0xDF) /* sharp s folds to "ss" already; anything else left is not Latin */
			*non_latin = 1;
	}
	l = utf8_encode(cp, enc);
	/* The first character that does not fit (with its separating space)
	 * ends the output: writing on after a skipped character would leave
	 * two spaces in a row, and folding the result again would differ
	 * (found by fuzzing). */
	if (*k + (*space && *k ? 1 : 0) + l >= outn) {
		*space = FOLD_FULL;
		return;
	}
	if (*space && *k)
		out[(*k)++] = ' ';
	*space = 0;
	memcpy(out + *k, enc, l);
	*k += l;
}

size_t name_fold(const char *s, size_t n, int enye_ny, char *out, size_t outn, int *non_latin)
{
	size_t i, k = 0;
	int space = 0, nl = 0, ascii = 1;

	if (!outn)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80) {
			ascii = 0;
			break;
		}
	if (ascii) {
		for (i = 0; i < n; i++)
			put_cp((unsigned char)s[i], out, outn, &k, &space, &nl);
	} else {
		utf8proc_int32_t cps[FOLD_MAX_CP];
		size_t pos = 0;

		/* Ñ must be seen before decomposition turns it into n + tilde. */
		while (pos < n) {
			uint32_t cp;
			size_t l = utf8_decode(s + pos, n - pos, &cp);
			utf8proc_ssize_t m, j;
			char one[4];
			size_t ol;

			pos += l;
			if (enye_ny && (cp == 0xF1 || cp == 0xD1)) {
				put_cp('n', out, outn, &k, &space, &nl);
				put_cp('y', out, outn, &k, &space, &nl);
				continue;
			}
			ol = utf8_encode(cp, one);
			m = utf8proc_decompose((const utf8proc_uint8_t *)one, (utf8proc_ssize_t)ol, cps, FOLD_MAX_CP,
					       UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
						       UTF8PROC_STRIPMARK);
			if (m < 0) {
				space = 1;
				continue;
			}
			for (j = 0; j < m && j < FOLD_MAX_CP; j++)
				put_cp((uint32_t)cps[j], out, outn, &k, &space, &nl);
		}
	}
	/* A name cut at outn may end on the space before a word that did not
	 * fit; the contract is no trailing space (found by fuzzing). */
	while (k && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	if (non_latin)
		*non_latin = nl;
	return k;
}

int name_is_particle(const char *w, size_t n)
{
	static const char *const p[] = { "de", "del", "la", "las", "los", "y", "e", "da", "das", "do",
					 "dos", "di", "van", "von", "der", "den", "du", "le", "el", "i" };
	size_t i;

	for (i = 0; i < sizeof p / sizeof p[0]; i++)
		if (strlen(p[i]) == n && memcmp(p[i], w, n) == 0)
			return 1;
	return 0;
}

/* A token of folded text. */
struct tok {
	const char *s;
	size_t n;
};

static size_t tokens(const char *s, struct tok *t, size_t max)
{
	size_t nt = 0;

	while (*s && nt < max) {
		const char *e = strchr(s, ' ');
		size_t l = e ? (size_t)(e - s) : strlen(s);

		t[nt].s = s;
		t[nt].n = l;
		nt++;
		if (!e)
			break;
		s = e + 1;
	}
	return nt;
}

/* Copies the tokens [from, to) without particles into out, joined by
 * spaces; returns 1 when at least one particle-free token was there. */
static int join_unit(const struct tok *t, size_t from, size_t to, char *out)
{
	size_t i, k = 0;
	int any = 0;

	out[0] = '\0';
	for (i = from; i < to; i++) {
		if (name_is_particle(t[i].s, t[i].n))
			continue;
		if (k && k + 1 < NAME_LEN)
			out[k++] = ' ';
		if (k + t[i].n < NAME_LEN) {
			memcpy(out + k, t[i].s, t[i].n);
			k += t[i].n;
		}
		any = 1;
	}
	out[k] = '\0';
	return any;
}

/* "ma" and "m" followed by a name are María in Spanish records ("José Ma."). */
static void add_given(struct name_parts *p, const struct tok *t)
{
	const char *s = t->s;
	size_t n = t->n;

	if (p->ngiven >= NAME_MAX_GIVEN)
		return;
	if ((n == 2 && memcmp(s, "ma", 2) == 0) || (n == 3 && memcmp(s, "mza", 3) == 0)) {
		s = "maria";
		n = 5;
	}
	if (n >= NAME_LEN)
		n = NAME_LEN - 1;
	memcpy(p->given[p->ngiven], s, n);
	p->given[p->ngiven][n] = '\0';
	p->ngiven++;
}

/* Groups surname tokens into units: particles attach to the next word
 * ("de la cruz" is one unit).  Returns the number of units; starts[i] is
 * the first token of unit i, ends[i] one past its last. */
static size_t surname_units(const struct tok *t, size_t nt, size_t *starts, size_t *ends, size_t max)
{
	size_t i = 0, nu = 0;

	while (i < nt && nu < max) {
		size_t st = i;

		while (i < nt && name_is_particle(t[i].s, t[i].n))
			i++;
		if (i < nt)
			i++;
		/* "san"/"santa" bind to the next word too: San Martín */
		else if (st == i)
			break;
		if (i < nt && i - st == 1 && ((t[i - 1].n == 3 && memcmp(t[i - 1].s, "san", 3) == 0) ||
					      (t[i - 1].n == 5 && memcmp(t[i - 1].s, "santa", 5) == 0)))
			i++;
		starts[nu] = st;
		ends[nu] = i;
		nu++;
	}
	return nu;
}

static void fold_into(const char *s, size_t n, char *buf, size_t bn, struct name_parts *out, int ny)
{
	int nl = 0;

	name_fold(s, n, ny, buf, bn, &nl);
	if (nl)
		out->non_latin = 1;
}

static int has_enye(const char *s, size_t n)
{
	return s && n && (memmem(s, n, "\xc3\xb1", 2) || memmem(s, n, "\xc3\x91", 2));
}

void name_parse(const char *given, size_t gn, const char *sur, size_t sn, const char *mat, size_t mn,
		const char *full, size_t fn, struct name_parts *out)
{
	char gbuf[256], sbuf_[256], mbuf[256];
	struct tok gt[16], st[16], mt[16];
	size_t ng, ns, nm, i;
	size_t us[8], ue[8], nu;
	int had_text = 0;

	memset(out, 0, sizeof *out);
	out->had_enye = has_enye(sur, sn) || has_enye(full, fn) || has_enye(mat, mn);
	if (!gn && !sn && fn && memchr(full, ',', fn)) {
		/* "SURNAME MATERNAL, GIVEN" (many U.S. agency systems) */
		const char *comma = memchr(full, ',', fn);

		name_parse(comma + 1, fn - (size_t)(comma - full) - 1, full, (size_t)(comma - full), NULL, 0, NULL, 0, out);
		return;
	}
	if (!gn && !sn && fn) {
		/* A full name: the last two units are the surnames when there are
		 * three or more, the last one when there are two. */
		struct tok ft[16];
		size_t nf, fu_s[12], fu_e[12], nfu, first_sur;

		fold_into(full, fn, gbuf, sizeof gbuf, out, 0);
		nf = tokens(gbuf, ft, 16);
		had_text = nf > 0;
		nfu = surname_units(ft, nf, fu_s, fu_e, 12);
		if (nfu >= 3)
			first_sur = nfu - 2;
		else if (nfu == 2)
			first_sur = 1;
		else
			first_sur = nfu; /* one word: a given name only */
		for (i = 0; i < nfu && i < first_sur; i++) {
			size_t j;

			for (j = fu_s[i]; j < fu_e[i]; j++)
				if (!name_is_particle(ft[j].s, ft[j].n))
					add_given(out, &ft[j]);
		}
		if (first_sur < nfu)
			join_unit(ft, fu_s[first_sur], fu_e[first_sur], out->sur1);
		if (first_sur + 1 < nfu)
			join_unit(ft, fu_s[first_sur + 1], fu_e[nfu - 1], out->sur2);
		if (out->had_enye && first_sur < nfu) {
			fold_into(full, fn, gbuf, sizeof gbuf, out, 1);
			nf = tokens(gbuf, ft, 16);
			nfu = surname_units(ft, nf, fu_s, fu_e, 12);
			if (first_sur < nfu)
				join_unit(ft, fu_s[first_sur], fu_e[first_sur], out->sur1_ny);
		}
		goto done;
	}
	fold_into(given, gn, gbuf, sizeof gbuf, out, 0);
	ng = tokens(gbuf, gt, 16);
	for (i = 0; i < ng; i++) {
		had_text = 1;
		if (!name_is_particle(gt[i].s, gt[i].n))
			add_given(out, &gt[i]);
	}
	fold_into(sur, sn, sbuf_, sizeof sbuf_, out, 0);
	ns = tokens(sbuf_, st, 16);
	fold_into(mat, mn, mbuf, sizeof mbuf, out, 0);
	nm = tokens(mbuf, mt, 16);
	had_text |= ns > 0 || nm > 0;
	nu = surname_units(st, ns, us, ue, 8);
	if (nu)
		join_unit(st, us[0], ue[0], out->sur1);
	if (nm)
		join_unit(mt, 0, nm, out->sur2);
	else if (nu >= 2)
		join_unit(st, us[1], ue[nu - 1], out->sur2);
	if (out->had_enye) {
		fold_into(sur, sn, sbuf_, sizeof sbuf_, out, 1);
		ns = tokens(sbuf_, st, 16);
		nu = surname_units(st, ns, us, ue, 8);
		if (nu)
			join_unit(st, us[0], ue[0], out->sur1_ny);
	}
done:
	if (!out->sur1_ny[0])
		memcpy(out->sur1_ny, out->sur1, sizeof out->sur1);
	if (had_text && !out->ngiven && !out->sur1[0] && !out->sur2[0])
		out->only_particles = 1;
	/* a maternal surname without a paternal one moves up */
	if (!out->sur1[0] && out->sur2[0]) {
		memcpy(out->sur1, out->sur2, NAME_LEN);
		memcpy(out->sur1_ny, out->sur2, NAME_LEN);
		out->sur2[0] = '\0';
	}
}

/* ---- nicknames ---- */

static int pair_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int add_pair(struct name_nicks *t, const char *nick, const char *formal)
{
	uint32_t p[2];

	p[0] = strmap_intern(&t->names, nick, strlen(nick), NULL);
	p[1] = strmap_intern(&t->names, formal, strlen(formal), NULL);
	if (!p[0] || !p[1])
		return -1;
	return vec_push(&t->pairs, p);
}

int name_nicks_load(struct name_nicks *t, const char *path, struct rs_err *err)
{
	FILE *f;
	char line[512];
	unsigned long lineno = 0;

	strmap_init(&t->names);
	vec_init(&t->pairs, 2 * sizeof(uint32_t));
	f = fopen(path, "r");
	if (!f)
		return err_set(err, RASTRO_IO, "cannot open the nickname table '%s'", path);
	while (fgets(line, sizeof line, f)) {
		char *tab1, *tab2, nick[NAME_LEN], formal[NAME_LEN];

		lineno++;
		if (line[0] == '#' || line[0] == '\n' || strncmp(line, "nickname\t", 9) == 0)
			continue;
		tab1 = strchr(line, '\t');
		tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab1 || !tab2) {
			fclose(f);
			return err_set(err, RASTRO_FORMAT, "%s:%lu: expected nickname<TAB>formal<TAB>lang<TAB>source",
				       path, lineno);
		}
		name_fold(line, (size_t)(tab1 - line), 0, nick, sizeof nick, NULL);
		name_fold(tab1 + 1, (size_t)(tab2 - tab1 - 1), 0, formal, sizeof formal, NULL);
		if (!nick[0] || !formal[0] || strcmp(nick, formal) == 0)
			continue;
		if (add_pair(t, nick, formal)) {
			fclose(f);
			return err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", path);
		}
	}
	fclose(f);
	if (t->pairs.len)
		qsort(t->pairs.data, t->pairs.len, t->pairs.esize, pair_cmp);
	return 0;
}

void name_nicks_release(struct name_nicks *t)
{
	strmap_release(&t->names);
	vec_release(&t->pairs);
}

/* Index of the first pair whose nickname is id, or pairs.len. */
static size_t first_pair(const struct name_nicks *t, uint32_t id)
{
	size_t lo = 0, hi = t->pairs.len;
	const uint32_t *p = t->pairs.data;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (p[2 * mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int is_formal_of(const struct name_nicks *t, uint32_t nick, uint32_t formal)
{
	const uint32_t *p = t->pairs.data;
	size_t i;

	for (i = first_pair(t, nick); i < t->pairs.len && p[2 * i] == nick; i++)
		if (p[2 * i + 1] == formal)
			return 1;
	return 0;
}

uint32_t name_nicks_id(const struct name_nicks *t, const char *a, size_t n)
{
	return t->pairs.len ? strmap_find(&t->names, a, n) : 0;
}

int name_nicks_match(const struct name_nicks *t, const char *a, const char *b)
{
	if (!t->pairs.len)
		return 0;
	return name_nicks_match_ids(t, strmap_find(&t->names, a, strlen(a)), strmap_find(&t->names, b, strlen(b)));
}

int name_nicks_match_ids(const struct name_nicks *t, uint32_t ia, uint32_t ib)
{
	const uint32_t *p = t->pairs.data;
	size_t i, j;

	if (!ia || !ib || ia == ib)
		return 0;
	if (is_formal_of(t, ia, ib) || is_formal_of(t, ib, ia))
		return 1;
	for (i = first_pair(t, ia); i < t->pairs.len && p[2 * i] == ia; i++)
		for (j = first_pair(t, ib); j < t->pairs.len && p[2 * j] == ib; j++)
			if (p[2 * i + 1] == p[2 * j + 1])
				return 1;
	return 0;
}

const char *name_nicks_formal(const struct name_nicks *t, const char *a)
{
	uint32_t ia;
	size_t i;

	if (!t->pairs.len)
		return NULL;
	ia = strmap_find(&t->names, a, strlen(a));
	if (!ia)
		return NULL;
	i = first_pair(t, ia);
	if (i < t->pairs.len && ((const uint32_t *)t->pairs.data)[2 * i] == ia)
		return strmap_key(&t->names, ((const uint32_t *)t->pairs.data)[2 * i + 1], NULL);
	return NULL;
}
