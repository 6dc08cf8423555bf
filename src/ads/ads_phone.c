/*
 * ads_phone: phone numbers in ad text, including the obfuscations ads use
 * to defeat search (domain reference ads.md §8, after the DIG/Memex
 * extractor pnmatcher): digits spelled in English or Spanish and mixed with
 * numerals ("2sixseven", "five5five", "cinco cinco cinco"), misspellings
 * with digits for letters ("f0ur", "th0usand"), "oh"/"o" for zero, tens
 * ("twentysix", "treinta y dos"), hundreds and thousands, arbitrary
 * separators and brackets ("*555~*012", "[5][5][5]"), emoji keycaps and
 * fullwidth digits (undone by folding), zero-width characters between
 * digits (removed by folding).
 *
 * How: the folded text is read into "atoms" — runs of ASCII digits, and
 * runs of letters and digits that split completely into number words
 * (dynamic programming over a small dictionary, tolerating digit-for-letter
 * substitutions).  Anything else is a breaker.  Consecutive atoms separated
 * only by short runs of punctuation, spaces or emoji form a sequence.
 * Digits that are prices, heights, weights, ages, times, dates or counts
 * ("$200", "5'6\"", "140 lbs", "19yo", "10:30", "12/25", "24/7", "#3")
 * are decoys: they break sequences and never become phones.  Each sequence
 * is then cut into atom-aligned windows of 7 to 15 digits, longest first
 * from the left, and a window is a phone only if libphonenumber says the
 * number is valid for its region.
 *
 * A phone is flagged obfuscated when any of its digits was spelled, written
 * with non-ASCII digits, or separated by anything but the ordinary
 * " -.()/+", or when three or more of its groups are single digits.
 */
#include "ads/extract.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "normalize/phone.h"

#define RUN_MAX 48         /* longest letter/digit run tried as number words */

struct atom {
	uint32_t a, b;          /* folded span */
	char d[20];             /* digits */
	uint8_t nd;
	uint8_t word;           /* spelled (number words, digit-for-letter) */
	uint8_t weak;           /* a common word that is also a number ("to", "for", "o") */
	uint8_t uni;            /* digits written with non-ASCII characters */
	uint8_t tens;           /* "twenty": 20, or 2 when a unit follows */
	uint8_t brk;            /* not a number: ends the sequence */
	uint8_t decoy;          /* a number that is not part of a phone */
	uint8_t conn;           /* "y" / "and" between tens and unit */
	uint8_t fz;             /* breaker: letters worth a misspelling-tolerant second look */
};

#define NW_WEAK 1u
#define NW_TENS 2u
#define NW_CONN 4u

struct numword {
	const char *w;
	const char *d;
	unsigned flags;
};

/* English and Spanish number words (folded: no accents), homophones and
 * the spellings ads use.  Weak words are ordinary words too; they count
 * only between other digits. */
static const struct numword numwords[] = {
	{ "zero", "0", 0 }, { "oh", "0", NW_WEAK }, { "o", "0", NW_WEAK },
	{ "one", "1", 0 }, { "won", "1", NW_WEAK },
	{ "two", "2", 0 }, { "to", "2", NW_WEAK }, { "too", "2", NW_WEAK },
	{ "three", "3", 0 }, { "four", "4", 0 }, { "for", "4", NW_WEAK },
	{ "five", "5", 0 }, { "six", "6", 0 }, { "seven", "7", 0 },
	{ "eight", "8", 0 }, { "ate", "8", NW_WEAK }, { "nine", "9", 0 },
	{ "ten", "10", 0 }, { "eleven", "11", 0 }, { "twelve", "12", 0 }, { "thirteen", "13", 0 },
	{ "fourteen", "14", 0 }, { "fifteen", "15", 0 }, { "sixteen", "16", 0 }, { "seventeen", "17", 0 },
	{ "eighteen", "18", 0 }, { "nineteen", "19", 0 },
	{ "twenty", "20", NW_TENS }, { "thirty", "30", NW_TENS }, { "forty", "40", NW_TENS },
	{ "fourty", "40", NW_TENS }, { "fifty", "50", NW_TENS }, { "sixty", "60", NW_TENS },
	{ "seventy", "70", NW_TENS }, { "eighty", "80", NW_TENS }, { "ninety", "90", NW_TENS },
	{ "hundred", "00", 0 }, { "thousand", "000", 0 },
	{ "cero", "0", 0 }, { "uno", "1", 0 }, { "una", "1", NW_WEAK }, { "un", "1", NW_WEAK },
	{ "dos", "2", 0 }, { "tres", "3", 0 }, { "cuatro", "4", 0 }, { "cinco", "5", 0 }, { "seis", "6", 0 },
	{ "siete", "7", 0 }, { "ocho", "8", 0 }, { "nueve", "9", 0 }, { "diez", "10", 0 },
	{ "once", "11", NW_WEAK }, { "doce", "12", 0 }, { "trece", "13", 0 }, { "catorce", "14", 0 },
	{ "quince", "15", 0 }, { "dieciseis", "16", 0 }, { "diecisiete", "17", 0 }, { "dieciocho", "18", 0 },
	{ "diecinueve", "19", 0 }, { "veinte", "20", NW_TENS }, { "veinti", "20", NW_TENS },
	{ "treinta", "30", NW_TENS }, { "cuarenta", "40", NW_TENS }, { "cincuenta", "50", NW_TENS },
	{ "sesenta", "60", NW_TENS }, { "setenta", "70", NW_TENS }, { "ochenta", "80", NW_TENS },
	{ "noventa", "90", NW_TENS }, { "cien", "100", NW_WEAK }, { "mil", "000", NW_WEAK },
	{ "y", "", NW_CONN }, { "and", "", NW_CONN },
};
#define NNUMWORDS (sizeof numwords / sizeof numwords[0])
_Static_assert(NNUMWORDS <= 128, "segment keeps the fuzzy candidates in 128 bits");

/* Digits written for letters inside number words: f0ur, e1ght, s1x, 5ix... */
static int leet(char t, char w)
{
	switch (t) {
	case '0': return w == 'o';
	case '1': return w == 'i' || w == 'l';
	case '3': return w == 'e';
	case '4': return w == 'a';
	case '5': return w == 's';
	case '7': return w == 't';
	default: return 0;
	}
}

/*
 * Candidate words by the first character of the text: the words starting
 * with that letter, or with a letter that digit may stand for.  Built once;
 * read-only afterwards, so threads share it.
 */
static uint8_t bucket[128][NNUMWORDS + 1];
static uint8_t prefix2[26][26];    /* two letters that begin a number word */
static uint8_t wlen[NNUMWORDS];    /* strlen of each number word (the fuzzy pass asks at every letter) */
/* Per byte c, the number words of 4+ letters (bit k of two words: k < 128)
 * whose first or second letter is c: the only ones segment's fuzzy step may
 * try where c is the first or second letter of the rest of the run. */
static uint64_t fz_words[256][2];
static pthread_once_t bucket_once = PTHREAD_ONCE_INIT;

static void build_buckets(void)
{
	int c;
	size_t k;

	for (c = 0; c < 128; c++) {
		size_t n = 0;

		for (k = 0; k < NNUMWORDS; k++)
			if (numwords[k].w[0] == c || leet((char)c, numwords[k].w[0]))
				bucket[c][n++] = (uint8_t)(k + 1);
		bucket[c][n] = 0;
	}
	for (k = 0; k < NNUMWORDS; k++) {
		const char *w = numwords[k].w;

		if (w[0] && w[1])
			prefix2[w[0] - 'a'][w[1] - 'a'] = 1;
		wlen[k] = (uint8_t)strlen(w);
		if (wlen[k] >= 4) {
			fz_words[(unsigned char)w[0]][k / 64] |= 1ULL << (k % 64);
			fz_words[(unsigned char)w[1]][k / 64] |= 1ULL << (k % 64);
		}
	}
}

/*
 * A run of letters only can be number words only if it begins like one: most
 * words of an ad are turned away here without running the segmentation.
 */
static int may_be_numbers(const char *r, uint32_t m)
{
	pthread_once(&bucket_once, build_buckets);
	if (m == 1)
		return r[0] == 'o' || r[0] == 'y';
	return prefix2[r[0] - 'a'][r[1] - 'a'] || (m == 2 && (r[0] == 'o' || r[0] == 'y'));
}

/* Length of w when r starts with it (allowing digit-for-letter), else 0. */
static size_t match_word(const char *r, size_t m, const char *w, int *subs)
{
	size_t k, real = 0, n;

	*subs = 0;
	for (k = 0; w[k]; k++) {
		if (k >= m)
			return 0;
		if (r[k] == w[k])
			real++;
		else if (leet(r[k], w[k]))
			(*subs)++;
		else
			return 0;
	}
	n = k;
	if (!n)
		return 0;
	if (*subs && (n < 3 || real < 2 || *subs > (n <= 4 ? 1 : 2)))
		return 0;
	return n;
}

/*
 * Lengths (bit k set: k letters of r) at which r starts with a misspelling of
 * w: one letter changed, added, dropped, or two neighbours swapped ("sinco",
 * "trez", "fivee", "niine", "eigth", "sero").  Words of four or more letters
 * only, letters only.
 */
/* Words one edit away from a number word that are words in their own right. */
static const char *const not_numbers[] = {
	"hour", "your", "pour", "tour", "four", "fire", "hive", "give", "live", "dive", "fine", "nice", "mine", "line",
	"wine", "nine", "none", "there", "these", "threw", "even", "event", "weight", "height", "light", "night",
	"eighty", "hero", "zeros", "echo", "nueva", "nuevo", "cuarto", "siente", "ounce", "once", "sets", "seas",
	"tree", "trees", "free", "three", "sever", "seventh", "eleventh", "twelfth", "fifth", "sixth", "tenth",
	"lone", "tone", "bone", "done", "gone", "zone", "cinta", "cinto", "dies", "diez", "cera", "cerca", "ocio",
	"sies", "sois", "tris", "trece", "dose", "does", "voce", "doce", "onde", "cien", "bien",
};

static int is_not_number(const char *r, size_t k)
{
	size_t i;

	for (i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++)
		if (not_numbers[i][0] == r[0] && strlen(not_numbers[i]) == k && memcmp(not_numbers[i], r, k) == 0)
			return 1;
	return 0;
}

static unsigned fuzzy_lengths(const char *r, size_t m, const char *w, size_t n)
{
	size_t k, j;
	unsigned out = 0, k2;

	if (n < 4)
		return 0;
	for (k = n - 1; k <= n + 1 && k <= m; k++) {
		for (j = 0; j < k; j++)
			if (r[j] < 'a' || r[j] > 'z')
				break;
		if (j < k)
			break;
		if (k == n) {
			size_t diff = 0, first = 0;

			for (j = 0; j < n; j++)
				if (r[j] != w[j] && diff++ == 0)
					first = j;
			if (diff == 1 || (diff == 2 && first + 1 < n && r[first] == w[first + 1] &&
					  r[first + 1] == w[first] && memcmp(r + first + 2, w + first + 2, n - first - 2) == 0))
				out |= 1u << k;
		} else {
			/* one letter more (k = n + 1) or less (k = n - 1) */
			const char *lng = k > n ? r : w, *sht = k > n ? w : r;
			size_t ln = k > n ? k : n;

			for (j = 0; j < ln - 1 && lng[j] == sht[j]; j++)
				;
			if (memcmp(lng + j + 1, sht + j, ln - 1 - j) == 0)
				out |= 1u << k;
		}
	}
	/* a real word is not a misspelled number ("hour" is not "four") */
	for (k2 = 3; out && k2 <= 12; k2++)
		if ((out & (1u << k2)) && is_not_number(r, k2))
			out &= ~(1u << k2);
	return out;
}

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

static struct atom *push_atom(struct vec *v, uint32_t a, uint32_t b)
{
	struct atom *at = vec_grow(v, 1);

	if (at) {
		at->a = a;
		at->b = b;
	}
	return at;
}

static int push_brk(struct vec *v, uint32_t a, uint32_t b)
{
	struct atom *at = push_atom(v, a, b);

	if (!at)
		return -1;
	at->brk = 1;
	return 0;
}

/* 1 when the raw text of folded span [a, b) is not the same ASCII digits. */
static int raw_differs(const struct fold *f, const char *raw, uint32_t a, uint32_t b)
{
	size_t rs, re;

	fold_span(f, a, b, &rs, &re);
	if (re - rs != b - a)
		return 1;
	return memcmp(raw + rs, f->text + a, b - a) != 0;
}

/*
 * Splits an alphanumeric run into number words and digits if it can be
 * split completely; pushes the atoms and returns 1, or 0 when it cannot.
 * With `fuzzy` > 0, misspelled words count too, each at that cost (a
 * correct word costs 2, plus 2 per digit-for-letter and 2 when weak: at 7,
 * the default, a correct spelling always wins).  A weak word ("to", "o") is weak only when it is
 * the whole run: glued to other number words ("fiveeto") it is a digit.
 */
static int segment(struct vec *atoms, const char *t, uint32_t a, uint32_t m, int fuzzy, int *oom)
{
	int cost[RUN_MAX + 1];
	int16_t from[RUN_MAX + 1], via[RUN_MAX + 1];
	uint8_t fz[RUN_MAX + 1];
	int16_t stack[RUN_MAX + 1];
	uint32_t i, n = 0, natoms = 0, h;
	const char *r = t + a;
	size_t first_atom = atoms->len;

	if (m > RUN_MAX)
		return 0;
	pthread_once(&bucket_once, build_buckets);
	for (i = 0; i <= m; i++)
		cost[i] = 1 << 20;
	cost[0] = 0;
	for (i = 0; i < m; i++) {
		const uint8_t *b;
		size_t k;

		if (cost[i] >= 1 << 20)
			continue;
		if (is_digit(r[i]) && cost[i] < cost[i + 1]) {
			cost[i + 1] = cost[i];
			from[i + 1] = (int16_t)i;
			via[i + 1] = -1;
			fz[i + 1] = 0;
		}
		for (b = bucket[(unsigned char)r[i] & 0x7f]; *b; b++) {
			int subs, c;
			size_t len;

			k = (size_t)*b - 1;
			len = match_word(r + i, m - i, numwords[k].w, &subs);
			if (!len)
				continue;
			c = cost[i] + 2 + 2 * subs + ((numwords[k].flags & NW_WEAK) ? 2 : 0);
			if (c < cost[i + len]) {
				cost[i + len] = c;
				from[i + len] = (int16_t)i;
				via[i + len] = (int16_t)k;
				fz[i + len] = 0;
			}
		}
		if (!fuzzy)
			continue;
		/*
		 * One edit of a word of n >= 4 letters leaves its first or second
		 * letter in place, or moves one of them by one (a letter added,
		 * dropped or swapped at the start): only words whose first or
		 * second letter is r[i] or r[i + 1] are tried (fuzzy_lengths would
		 * find nothing in the others; this runs at every letter of a word
		 * next to a number).  They are tried in the order of the list, as
		 * the first of equal costs wins.
		 */
		for (h = 0; h < 2; h++) {
			uint64_t cand = fz_words[(unsigned char)r[i]][h] | fz_words[(unsigned char)r[i + 1]][h];

			for (; cand; cand &= cand - 1) {
				const char *w;
				unsigned lens;
				size_t len;

				k = (size_t)h * 64 + (size_t)__builtin_ctzll(cand);
				w = numwords[k].w;
				if (m - i + 1 < wlen[k] ||
				    !(r[i] == w[0] || r[i + 1] == w[1] || r[i] == w[1] || r[i + 1] == w[0]))
					continue;
				lens = fuzzy_lengths(r + i, m - i, w, wlen[k]);

				for (len = 3; lens && len <= 11; len++) {
					int c = cost[i] + fuzzy;

					if (!(lens & (1u << len)))
						continue;
					if (c < cost[i + len]) {
						cost[i + len] = c;
						from[i + len] = (int16_t)i;
						via[i + len] = (int16_t)k;
						fz[i + len] = 1;
					}
				}
			}
		}
	}
	if (cost[m] >= 1 << 20)
		return 0;
	for (i = m; i > 0; i = (uint32_t)from[i])
		stack[n++] = (int16_t)i;
	/* Digits that are neighbours in the run form one atom. */
	while (n) {
		uint32_t end = (uint32_t)stack[--n], start = (uint32_t)from[end];
		struct atom *at;

		if (via[end] < 0) {
			struct atom *prev = atoms->len > first_atom ? vec_at(atoms, atoms->len - 1) : NULL;

			if (prev && !prev->word && prev->b == a + start && prev->nd < sizeof prev->d - 1) {
				prev->d[prev->nd++] = r[start];
				prev->b = a + end;
				continue;
			}
			at = push_atom(atoms, a + start, a + end);
			if (!at) {
				*oom = 1;
				return 1;
			}
			at->d[0] = r[start];
			at->nd = 1;
		} else {
			const struct numword *w = &numwords[via[end]];

			at = push_atom(atoms, a + start, a + end);
			if (!at) {
				*oom = 1;
				return 1;
			}
			at->word = 1;
			at->weak = (w->flags & NW_WEAK) != 0;
			at->tens = (w->flags & NW_TENS) != 0;
			at->conn = (w->flags & NW_CONN) != 0;
			at->fz = fz[end];
			at->nd = (uint8_t)strlen(w->d);
			memcpy(at->d, w->d, at->nd);
		}
		natoms++;
	}
	if (natoms > 1) {
		for (i = (uint32_t)first_atom; i < atoms->len; i++)
			((struct atom *)vec_at(atoms, i))->weak = 0;
	}
	return 1;
}

/* ---- decoys ---- */

/* Units that make the number before them a decoy, when they follow it
 * after at most one space. */
static const char *const spaced_units[] = {
	"usd", "dlls", "dls", "dll", "dolares", "dollars", "dollar", "bucks", "pesos", "peso", "mxn", "mil",
	"roses", "rosas", "rose", "hr", "hrs", "hour", "hours", "hh", "min", "mins", "minutes", "minutos",
	"hora", "horas", "lbs", "lb", "kg", "kgs", "kilos", "pounds", "libras", "ft", "feet", "cm", "inches",
	"yo", "yrs", "yr", "years", "year", "anos", "ano", "am", "pm", "k", "gb", "pics", "fotos", "photos",
	"videos", "percent", "por ciento", "x", "days", "dias", "nights", "noches", "weeks", "semanas",
};

/* Units glued to the number ("150hr", "19yo", "34dd", "2k"): any of the
 * above or these short ones. */
static const char *const glued_units[] = {
	"h", "d", "dd", "ddd", "c", "b", "a", "in", "st", "nd", "rd", "th", "s", "m", "y", "yo", "k",
};

static int word_at(const char *t, size_t n, size_t i, const char *w)
{
	size_t l;

	if (i >= n || t[i] != w[0])
		return 0;
	l = strlen(w);

	return i + l <= n && memcmp(t + i, w, l) == 0 && (i + l == n || !is_alpha(t[i + l]));
}

static int unit_after(const struct fold *f, uint32_t b)
{
	const char *t = f->text;
	size_t n = f->len, i = b, k;

	if (i < n && (t[i] == '%' || t[i] == '\'' || t[i] == '"'))
		return 1;
	/* "150🌹" and "150 🌹" */
	if (i + 4 <= n && memcmp(t + i, "\xf0\x9f\x8c\xb9", 4) == 0)
		return 1;
	if (i < n && is_alpha(t[i])) {
		for (k = 0; k < sizeof glued_units / sizeof glued_units[0]; k++)
			if (word_at(t, n, i, glued_units[k]))
				return 1;
		for (k = 0; k < sizeof spaced_units / sizeof spaced_units[0]; k++)
			if (word_at(t, n, i, spaced_units[k]))
				return 1;
		return 0;
	}
	if (i < n && t[i] == ' ')
		i++;
	if (i + 4 <= n && memcmp(t + i, "\xf0\x9f\x8c\xb9", 4) == 0)
		return 1;
	if (i < n && (t[i] == '%'))
		return 1;
	for (k = 0; k < sizeof spaced_units / sizeof spaced_units[0]; k++)
		if (word_at(t, n, i, spaced_units[k]))
			return 1;
	return 0;
}

static const char *const before_words[] = {
	"age", "edad", "size", "talla", "height", "weight", "peso", "apt", "suite",
	"room", "rm", "cuarto", "habitacion", "unit", "exit", "hwy", "highway", "route", "interstate", "i",
	"ext", "fl", "floor", "piso",
};

static int decoy_before(const struct fold *f, uint32_t a)
{
	const char *t = f->text;
	size_t i = a, k, e;

	/* "$200", "$ 200", "#3", "US$ 150", "€50" */
	while (i > 0 && t[i - 1] == ' ' && a - i < 1)
		i--;
	if (i > 0 && (t[i - 1] == '$' || t[i - 1] == '#'))
		return 1;
	if (i >= 2 && (unsigned char)t[i - 2] == 0xc2 && ((unsigned char)t[i - 1] == 0xa3))  /* £ */
		return 1;
	if (i >= 3 && memcmp(t + i - 3, "\xe2\x82\xac", 3) == 0)                                  /* € */
		return 1;
	/* a word right before, after at most two non-letters: "age 19", "room #12" */
	i = a;
	k = 0;
	while (i > 0 && !is_alnum(t[i - 1]) && k < 2) {
		i--;
		k++;
	}
	e = i;
	while (i > 0 && is_alpha(t[i - 1]) && e - i < 12)
		i--;
	if (e == i || (i > 0 && is_alpha(t[i - 1])))
		return 0;
	for (k = 0; k < sizeof before_words / sizeof before_words[0]; k++)
		if (strlen(before_words[k]) == e - i && memcmp(t + i, before_words[k], e - i) == 0)
			return 1;
	return 0;
}

/* "150hr", "19yo", "24hrs", "4th": digits then exactly a unit. */
static int glued_unit_run(const char *t, uint32_t i, uint32_t j)
{
	uint32_t k = i;
	size_t u;

	while (k < j && is_digit(t[k]))
		k++;
	if (k == i || k == j)
		return 0;
	for (u = 0; u < sizeof glued_units / sizeof glued_units[0]; u++)
		if (strlen(glued_units[u]) == j - k && memcmp(t + k, glued_units[u], j - k) == 0)
			return 1;
	for (u = 0; u < sizeof spaced_units / sizeof spaced_units[0]; u++)
		if (strlen(spaced_units[u]) == j - k && memcmp(t + k, spaced_units[u], j - k) == 0)
			return 1;
	return 0;
}

/* ---- lexing ---- */

static int is_letter_cp(uint32_t cp)
{
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);

	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT ||
	       c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_LO;
}

/* Reads the folded text into atoms and breakers. */
static int lex(const struct fold *f, const char *raw, struct ads_xwork *w)
{
	const char *t = f->text;
	uint32_t n = (uint32_t)f->len, i = 0;
	int oom = 0;

	vec_clear(&w->atoms);
	while (i < n && !oom) {
		char c = t[i];

		if (is_alnum(c)) {
			uint32_t j = i, letters = 0;

			while (j < n && is_alnum(t[j])) {
				letters += is_alpha(t[j]);
				j++;
			}
			if (ads_claimed(w, i, j)) {
				if (push_brk(&w->atoms, i, j))
					return -1;
			} else if (!letters) {
				struct atom *at = push_atom(&w->atoms, i, j);

				if (!at)
					return -1;
				if (j - i >= sizeof at->d) {
					at->brk = 1;     /* a long digit string: an id, not a phone */
				} else {
					at->nd = (uint8_t)(j - i);
					memcpy(at->d, t + i, j - i);
					at->uni = (uint8_t)raw_differs(f, raw, i, j);
					at->decoy = (uint8_t)(decoy_before(f, i) || unit_after(f, j));
				}
			} else if (glued_unit_run(t, i, j) ||
				   (letters == j - i && !may_be_numbers(t + i, j - i)) ||
				   (!segment(&w->atoms, t, i, j - i, 0, &oom) &&
				    (letters == j - i || !segment(&w->atoms, t, i, j - i, w->miss_cost, &oom)))) {
				/* Not number words: digit parts are numbers, letter parts break. */
				uint32_t k = i;

				while (k < j) {
					uint32_t e = k;

					if (is_digit(t[k])) {
						struct atom *at;

						while (e < j && is_digit(t[e]))
							e++;
						at = push_atom(&w->atoms, k, e);
						if (!at)
							return -1;
						if (e - k >= sizeof at->d || k >= w->url_from) {
							/* too long, or glued to a word in the URL
							 * ("/ES13103796"): an id, not a phone */
							at->brk = 1;
						} else {
							at->nd = (uint8_t)(e - k);
							memcpy(at->d, t + k, e - k);
							at->uni = (uint8_t)raw_differs(f, raw, k, e);
							at->decoy = (uint8_t)((k == i && decoy_before(f, k)) || unit_after(f, e));
						}
					} else {
						while (e < j && is_alpha(t[e]))
							e++;
						if (push_brk(&w->atoms, k, e))
							return -1;
						/* a word alone may be a misspelled number: looked at again next to numbers */
						if (letters == j - i && j - i <= RUN_MAX)
							((struct atom *)vec_at(&w->atoms, w->atoms.len - 1))->fz = 1;
					}
					k = e;
				}
			}
			i = j;
		} else if ((unsigned char)c >= 0x80) {
			uint32_t cp;
			size_t len = utf8_decode(t + i, n - i, &cp);

			if (is_letter_cp(cp) && push_brk(&w->atoms, i, i + (uint32_t)len))
				return -1;
			i += (uint32_t)len;
		} else {
			i++;
		}
	}
	return oom ? -1 : 0;
}

static int gap_ok(const struct fold *f, uint32_t a, uint32_t b);

static int numeric(const struct atom *a)
{
	return !a->brk && a->nd && !a->decoy && !a->conn;
}

/*
 * A second look at words that are not number words but sit next to a
 * number: "nueve uno sinco", "85niinefive", "trez dos": misspellings are
 * read when they touch digits, so "nice" far from any number stays a word.
 * Repeats while words turn into numbers (a chain of misspellings).
 */
static int fuzzy_pass(const struct fold *f, struct ads_xwork *w)
{
	int round;

	for (round = 0; round < 16; round++) {
		struct atom *at = w->atoms.data;
		size_t n = w->atoms.len, i;
		int changed = 0;
		struct vec tmp;

		vec_clear(&w->seq);
		for (i = 0; i < n; i++) {
			if (at[i].brk && at[i].fz &&
			    ((i > 0 && numeric(&at[i - 1]) && gap_ok(f, at[i - 1].b, at[i].a)) ||
			     (i + 1 < n && numeric(&at[i + 1]) && gap_ok(f, at[i].b, at[i + 1].a)))) {
				int oom = 0;

				at[i].fz = 0;   /* one look only */
				if (segment(&w->seq, f->text, at[i].a, at[i].b - at[i].a, w->miss_cost, &oom)) {
					if (oom)
						return -1;
					changed = 1;
					continue;
				}
			}
			if (vec_push(&w->seq, &at[i]))
				return -1;
		}
		tmp = w->atoms;
		w->atoms = w->seq;
		w->seq = tmp;
		if (!changed)
			break;
	}
	return 0;
}

/* Separators allowed between the atoms of one phone. */
static int gap_ok(const struct fold *f, uint32_t a, uint32_t b)
{
	const char *t = f->text;
	uint32_t i, nl = 0;

	if (b - a > 8)
		return 0;
	for (i = a; i < b; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '\n') {
			if (++nl > 1)
				return 0;
		} else if (c < 0x80 && !strchr(" \t-.()[]{}/\\*~_|,@!#+=\"'`^:;<>", c)) {
			return 0;
		}
	}
	return 1;
}

/* 1 when a gap holds only the ordinary phone punctuation " -.()/+". */
static int gap_plain(const struct fold *f, uint32_t a, uint32_t b)
{
	uint32_t i;

	if (b - a > 3)
		return 0;
	for (i = a; i < b; i++)
		if (!strchr(" -.()/+", f->text[i]))
			return 0;
	return 1;
}

/* A phone found in atoms [i, j] of a sequence. */
static int emit(const struct fold *f, const struct atom *s, size_t i, size_t j, const struct phone *p,
		struct vec *out)
{
	struct ads_ident *id = vec_grow(out, 1);
	size_t k, ones = 0, rs, re;
	int obf = 0;

	if (!id)
		return -1;
	for (k = i; k <= j; k++) {
		if (s[k].word || s[k].uni)
			obf = 1;
		if (k > i && !gap_plain(f, s[k - 1].b, s[k].a))
			obf = 1;
		if (s[k].nd == 1 && !(k == i && s[k].d[0] == '1'))
			ones++;
	}
	if (ones >= 3)
		obf = 1;
	id->kind = AK_PHONE;
	id->obfuscated = (uint8_t)obf;
	id->fstart = s[i].a;
	id->fend = s[j].b;
	fold_span(f, s[i].a, s[j].b, &rs, &re);
	id->start = (uint32_t)rs;
	id->end = (uint32_t)re;
	snprintf(id->value, sizeof id->value, "%s", p->e164);
	return 0;
}

/* 1 when the national number has fewer than three distinct digits
 * ("5555555555", "1212121212"): fillers, not phones. */
static int too_uniform(const char *e164)
{
	int seen[10] = { 0 }, distinct = 0;
	const char *s = e164;

	for (; *s; s++)
		if (is_digit(*s) && !seen[*s - '0']++)
			distinct++;
	return distinct < 3;
}

struct budget {
	size_t parses, max_parses;
	size_t phones, max_phones;
};

static int try_parse(struct ads_xwork *w, const char *digits, size_t nd, int plus, const char *region,
		     struct budget *bu, struct phone *p)
{
	char buf[24];

	if (bu->parses >= bu->max_parses || nd + 1 >= sizeof buf)
		return -1;
	bu->parses++;
	if (plus) {
		buf[0] = '+';
		memcpy(buf + 1, digits, nd);
		nd++;
	} else {
		memcpy(buf, digits, nd);
	}
	buf[nd] = '\0';
	return ads_phone_parse_cached(&w->pc, buf, nd, region, p) == 0 && !too_uniform(p->e164) ? 0 : -1;
}

void ads_pcache_init(struct ads_pcache *c, size_t slots)
{
	size_t n = 1;

	while (n * 2 <= slots && n < ((size_t)1 << 30))
		n *= 2;
	c->slot = NULL;
	c->mask = slots ? n - 1 : 0;
	c->shared = NULL;
}

void ads_pcache_release(struct ads_pcache *c)
{
	mem_free(c->slot);
	c->slot = NULL;
}

/*
 * The second level: one direct-mapped table for all threads of a run, each
 * slot guarded by one of PSHARED_LOCKS mutexes (a thread holds one only to
 * copy a slot in or out, never while libphonenumber runs).  The stage splits
 * each chunk of ads between its workers, so a poster's phone is met by
 * every worker; this way only the first one parses it.
 */
#define PSHARED_LOCKS 64

struct ads_pshared {
	struct ads_pcache table;
	pthread_mutex_t lock[PSHARED_LOCKS];
};

struct ads_pshared *ads_pshared_new(size_t slots)
{
	struct ads_pshared *sh;
	size_t i;

	if (slots < 2)
		return NULL;
	sh = mem_calloc(1, sizeof *sh);
	if (!sh)
		return NULL;
	ads_pcache_init(&sh->table, slots);
	sh->table.slot = mem_calloc(sh->table.mask + 1, sizeof *sh->table.slot);
	if (!sh->table.slot) {
		mem_free(sh);
		return NULL;
	}
	for (i = 0; i < PSHARED_LOCKS; i++)
		pthread_mutex_init(&sh->lock[i], NULL);
	return sh;
}

void ads_pshared_free(struct ads_pshared *sh)
{
	size_t i;

	if (!sh)
		return;
	for (i = 0; i < PSHARED_LOCKS; i++)
		pthread_mutex_destroy(&sh->lock[i]);
	ads_pcache_release(&sh->table);
	mem_free(sh);
}

/* Copies the shared slot of key (hash h) into *into when it holds key: 1, else 0. */
static int shared_get(struct ads_pshared *sh, const char *key, uint64_t h, struct ads_pslot *into)
{
	size_t i = (size_t)(h >> 32) & sh->table.mask;
	pthread_mutex_t *m = &sh->lock[i % PSHARED_LOCKS];
	int hit;

	pthread_mutex_lock(m);
	hit = strcmp(sh->table.slot[i].key, key) == 0;
	if (hit)
		*into = sh->table.slot[i];
	pthread_mutex_unlock(m);
	return hit;
}

static void shared_put(struct ads_pshared *sh, const struct ads_pslot *from, uint64_t h)
{
	size_t i = (size_t)(h >> 32) & sh->table.mask;
	pthread_mutex_t *m = &sh->lock[i % PSHARED_LOCKS];

	pthread_mutex_lock(m);
	sh->table.slot[i] = *from;
	pthread_mutex_unlock(m);
}

/*
 * The digits of a phone written with nothing but blanks, brackets, hyphens
 * and dots between them, a '+' kept when it comes first: "(915) 555-0147"
 * gives "9155550147", "+52 55 1234 5678" "+525512345678".  libphonenumber
 * drops that punctuation before it reads the number (no extension is read
 * without a label, '#' or ',', and no second number without a letter; see
 * us_ten_digits in normalize/phone.cc), so both forms get the same answer,
 * and the structured `phones` field's "(915) 555-0147" shares the cache
 * slot, and the parse, of the "9155550147" found in the text (at a million
 * generated ads 45 % of the parses were such repeats).  Checked against
 * libphonenumber on random writings by tests/unit/test_ads.c.  0 when s is
 * not written so (it is then looked up as written) or is digits already.
 */
static size_t plain_digits(const char *s, size_t n, char *out, size_t outn)
{
	size_t i, k = 0, digits = 0;

	if (n >= outn)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			out[k++] = c;
			digits++;
		} else if (c == '+' && i == 0) {
			out[k++] = c;
		} else if (c != ' ' && c != '(' && c != ')' && c != '-' && c != '.') {
			return 0;
		}
	}
	if (k == n || digits < 7)
		return 0;
	out[k] = '\0';
	return k;
}

int ads_phone_parse_cached(struct ads_pcache *c, const char *s, size_t n, const char *region, struct phone *out)
{
	struct ads_pslot *slot = NULL;
	char key[sizeof slot->key], plain[sizeof slot->key];
	size_t rl = strlen(region), pn = plain_digits(s, n, plain, sizeof plain);
	uint64_t h = 0;
	int ok;

	if (pn) {
		s = plain;
		n = pn;
	}
	/* turned away before the cache, so that ids and URL numbers do not
	 * evict the phones that repeat */
	if (!ads_phone_plausible(s, n, region)) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	if (c && c->mask && rl + 1 + n < sizeof key) {
		memcpy(key, region, rl);
		key[rl] = '|';
		memcpy(key + rl + 1, s, n);
		key[rl + 1 + n] = '\0';
		if (!c->slot)
			c->slot = mem_calloc(c->mask + 1, sizeof *c->slot);
		if (c->slot) {
			h = XXH3_64bits(key, rl + 1 + n);
			slot = &c->slot[h & c->mask];
			if (strcmp(slot->key, key) == 0 || (c->shared && shared_get(c->shared, key, h, slot))) {
				memset(out, 0, sizeof *out);
				if (!slot->ok)
					return -1;
				memcpy(out->e164, slot->e164, sizeof out->e164);
				return 0;
			}
		}
	}
	ok = ads_phone_parse(s, n, region, out) == 0;
	if (slot) {
		memset(slot, 0, sizeof *slot);
		memcpy(slot->key, key, rl + 2 + n);
		slot->ok = ok;
		memcpy(slot->e164, ok ? out->e164 : "", ok ? sizeof slot->e164 : 1);
		if (c->shared)
			shared_put(c->shared, slot, h);
	}
	return ok ? 0 : -1;
}

/*
 * Most digit windows the phone scan tries are not phones: 8-digit ad ids,
 * 13- and 15-digit profile numbers of URLs.  Each failed window cost two or
 * three libphonenumber parses (the ad's region, then the U.S., then Mexico),
 * the largest part of the analysis.  ads_phone_plausible turns away, without
 * libphonenumber, windows it cannot find valid.  It decides only digit
 * strings (an optional '+' first) tried in the regions US and MX, and says
 * "plausible" for everything else.  Why it is exact, from libphonenumber
 * 8.12's parsing and its numbering-plan metadata (and checked against the
 * full path on random windows by tests/unit/test_ads.c):
 *
 *  - Without '+', a string starting 1-9 has no international prefix (011 in
 *    the U.S., 00 or 09 in Mexico), so the number gets the parsing region's
 *    calling code, 1 or 52.  Its national number is the string with a
 *    prefix taken off — the calling code when it starts the string, then
 *    national prefixes (1 in the U.S.; 01, 02, 044, 045 or 1 in Mexico; no
 *    other digits are rewritten) — read as an integer (leading zeros
 *    dropped; neither plan keeps them).
 *  - With '+' and a first digit 1 the calling code is 1 (the shortest code
 *    that exists is taken), then the same prefixes as in the U.S.
 *  - A valid national number under +1 has 10 digits, or 7 (Canada's
 *    310-xxxx numbers); under +52, 10 or 11 (the old mobile "1").
 *
 * So every way of taking such a prefix off is tried (a superset of what
 * libphonenumber does) and the window is plausible when one of them leaves
 * a national number of a valid length.
 */
#define CC1_LENGTHS ((1u << 7) | (1u << 10))
#define CC52_LENGTHS ((1u << 10) | (1u << 11))

/* Lengths of the national number left when the first p digits are taken
 * off: with and without its leading zeros, as a bit set. */
static unsigned nsn_lengths(const char *d, size_t nd, size_t p)
{
	size_t z = p;

	while (z < nd && d[z] == '0')
		z++;
	return (1u << (nd - p)) | (1u << (nd - z));
}

/* Lengths left by every run of national prefixes taken off from position
 * p on (and by none), as a bit set; mx: Mexico's prefixes, else the U.S.'s. */
static unsigned after_prefixes(const char *d, size_t nd, size_t p, int mx)
{
	static const char *const mx_np[] = { "01", "02", "044", "045", "1" };
	unsigned lens = nsn_lengths(d, nd, p);
	size_t k;

	if (!mx)
		return d[p] == '1' && p + 1 < nd ? lens | after_prefixes(d, nd, p + 1, 0) : lens;
	for (k = 0; k < sizeof mx_np / sizeof mx_np[0]; k++) {
		size_t l = strlen(mx_np[k]);

		if (p + l < nd && memcmp(d + p, mx_np[k], l) == 0)
			lens |= after_prefixes(d, nd, p + l, 1);
	}
	return lens;
}

int ads_phone_plausible(const char *s, size_t n, const char *region)
{
	int plus = n && s[0] == '+';
	const char *d = s + plus;
	size_t nd = n - (size_t)plus, i;
	unsigned us, mx;

	if (!nd || nd > 20)
		return 1;
	for (i = 0; i < nd; i++)
		if (d[i] < '0' || d[i] > '9')
			return 1;
	if (plus)
		return d[0] != '1' || nd < 2 || (after_prefixes(d, nd, 1, 0) & CC1_LENGTHS) != 0;
	if (d[0] == '0' || (strcmp(region, "US") != 0 && strcmp(region, "MX") != 0))
		return 1;
	/* the U.S.: calling code 1 and national prefix 1 are both leading 1s */
	us = after_prefixes(d, nd, 0, 0);
	/* Mexico: "52" if it starts the string, then national prefixes */
	mx = after_prefixes(d, nd, 0, 1);
	if (nd > 2 && d[0] == '5' && d[1] == '2')
		mx |= after_prefixes(d, nd, 2, 1);
	return (us & CC1_LENGTHS) != 0 || (mx & CC52_LENGTHS) != 0;
}

/*
 * Only the E.164 form is read of an ad's phone, so phone_e164 (valid or not
 * and that form, as phone_parse gives them, at about half its cost) is
 * asked; the other fields of out are zero.
 */
static int e164_in(const char *s, size_t n, const char *region, struct phone *out)
{
	return phone_e164(s, n, region, out->e164);
}

int ads_phone_parse(const char *s, size_t n, const char *region, struct phone *out)
{
	memset(out, 0, sizeof *out);
	if (!ads_phone_plausible(s, n, region))
		return -1;
	if (e164_in(s, n, region, out) == 0)
		return 0;
	if (n && s[0] == '+')
		return -1;
	if (strcmp(region, "US") != 0 && e164_in(s, n, "US", out) == 0)
		return 0;
	if (strcmp(region, "MX") != 0 && e164_in(s, n, "MX", out) == 0)
		return 0;
	return -1;
}

/* Written without '+', a leading country code is read only for the
 * Americas this work is about: 1, 52 (Mexico), 501-507 (Central America). */
static int americas_cc(const char *d)
{
	return d[0] == '1' || (d[0] == '5' && d[1] == '2') || (d[0] == '5' && d[1] == '0' && d[2] >= '1' && d[2] <= '7');
}

/* Finds phones in one sequence of atoms. */
static int scan_sequence(struct ads_xwork *w, const struct fold *f, struct atom *s, size_t n, const char *region,
			 struct budget *bu, struct vec *out)
{
	size_t i, k, m = 0;

	/* Tens: "twenty six" is 26, "twenty" alone 20; "treinta y dos" is 32. */
	for (i = 0; i < n; i++) {
		if (!s[i].tens)
			continue;
		k = i + 1;
		if (k < n && s[k].conn && gap_ok(f, s[i].b, s[k].a))
			k++;
		if (k < n && s[k].nd == 1 && !s[k].tens && gap_ok(f, s[k - 1].b, s[k].a))
			s[i].nd = 1;
	}
	/* Connectors and empty atoms carry no digits. */
	for (i = 0; i < n; i++)
		if (!s[i].conn && s[i].nd)
			s[m++] = s[i];
	n = m;
	/* Weak words count only between other digits. */
	while (n && s[0].weak) {
		memmove(s, s + 1, (n - 1) * sizeof *s);
		n--;
	}
	while (n && s[n - 1].weak)
		n--;
	if (!n)
		return 0;
	/* Dates: 12/25, 12/25/2024, 2024-12-25 (and 24/7). */
	if (n >= 2 && n <= 3) {
		int date = 1;

		for (i = 0; i < n && date; i++) {
			if (s[i].word)
				date = 0;
			if (i && !(s[i].a - s[i - 1].b == 1 &&
				   (f->text[s[i - 1].b] == '/' || (f->text[s[i - 1].b] == '-' && s[0].nd == 4))))
				date = 0;
		}
		if (date && (s[0].nd <= 2 || s[0].nd == 4) && s[1].nd <= 2 && (n == 2 || s[2].nd == 2 || s[2].nd == 4))
			return 0;
	}
	for (i = 0; i < n && bu->phones < bu->max_phones;) {
		char digits[64];
		size_t nd = 0, j, best_j = 0, ends[16], ne = 0;
		int found = 0, plus;
		struct phone p, bestp;

		for (j = i; j < n && nd + s[j].nd <= 15; j++) {
			memcpy(digits + nd, s[j].d, s[j].nd);
			nd += s[j].nd;
			if (nd >= 7 && ne < 16)
				ends[ne++] = j;
		}
		plus = s[i].a > 0 && f->text[s[i].a - 1] == '+';
		/* Longest valid window first. */
		while (ne && !found) {
			size_t e = ends[--ne], len = 0;

			for (k = i; k <= e; k++)
				len += s[k].nd;
			if ((plus && try_parse(w, digits, len, 1, region, bu, &p) == 0) ||
			    try_parse(w, digits, len, 0, region, bu, &p) == 0 ||
			    (!plus && len >= 11 && americas_cc(digits) && try_parse(w, digits, len, 1, region, bu, &p) == 0)) {
				found = 1;
				best_j = e;
				bestp = p;
			}
			if (bu->parses >= bu->max_parses)
				break;
		}
		if (found) {
			if (emit(f, s, i, best_j, &bestp, out))
				return -1;
			bu->phones++;
			i = best_j + 1;
		} else {
			i++;
		}
		if (bu->parses >= bu->max_parses)
			break;
	}
	return 0;
}

int ads_extract_phones(const struct fold *f, const char *raw, const struct ads_xopts *o, struct ads_xwork *w,
		       struct vec *out)
{
	struct budget bu;
	struct atom *at;
	size_t i, start = 0;
	const char *region = o->region && o->region[0] ? o->region : "US";

	bu.parses = 0;
	bu.max_parses = o->max_parses ? o->max_parses : 4000;
	bu.phones = 0;
	bu.max_phones = o->max_phones ? o->max_phones : 100;
	w->miss_cost = o->miss_cost > 0 ? o->miss_cost : 7;
	w->url_from = UINT32_MAX;
	if (o->url_last) {
		/* the text is "title \x1e body \x1e url" (analyze.c) */
		const char *sep = memchr(f->text, '\x1e', f->len);

		sep = sep ? memchr(sep + 1, '\x1e', f->len - (size_t)(sep + 1 - f->text)) : NULL;
		if (sep)
			w->url_from = (uint32_t)(sep + 1 - f->text);
	}
	if (lex(f, raw, w) || fuzzy_pass(f, w))
		return -1;
	at = w->atoms.data;
	/* Sequences: atoms separated by allowed gaps, cut at breakers and decoys.
	 * A price's thousands group ("2,300") stays a decoy with it. */
	for (i = 0; i <= w->atoms.len; i++) {
		int cut;

		/* "y"/"and" join only tens and units ("treinta y dos"); elsewhere they break. */
		if (i < w->atoms.len && at[i].conn && !(i > 0 && at[i - 1].tens))
			at[i].brk = 1;
		cut = i == w->atoms.len || at[i].brk || at[i].decoy || (i > start && !gap_ok(f, at[i - 1].b, at[i].a));

		if (i < w->atoms.len && i > 0 && at[i - 1].decoy && !at[i - 1].word && at[i].nd == 3 &&
		    at[i].a - at[i - 1].b == 1 && (f->text[at[i - 1].b] == ',' || f->text[at[i - 1].b] == '.'))
			at[i].decoy = 1, cut = 1;
		if (!cut)
			continue;
		if (i > start) {
			/* scan_sequence rearranges its slice; copy it to scratch first. */
			size_t len = i - start;
			struct atom *s;

			vec_clear(&w->seq);
			s = vec_grow(&w->seq, len);
			if (!s)
				return -1;
			memcpy(s, at + start, len * sizeof *s);
			if (scan_sequence(w, f, s, len, region, &bu, out))
				return -1;
		}
		start = (i < w->atoms.len && (at[i].brk || at[i].decoy)) ? i + 1 : i;
	}
	return 0;
}

void ads_xwork_init(struct ads_xwork *w, size_t pcache_slots)
{
	vec_init(&w->atoms, sizeof(struct atom));
	vec_init(&w->claimed, sizeof(uint32_t));
	vec_init(&w->seq, sizeof(struct atom));
	ads_pcache_init(&w->pc, pcache_slots);
	memset(w->sites, 0, sizeof w->sites);
	w->nextsite = 0;
}

void ads_xwork_release(struct ads_xwork *w)
{
	vec_release(&w->atoms);
	vec_release(&w->claimed);
	vec_release(&w->seq);
	ads_pcache_release(&w->pc);
}
