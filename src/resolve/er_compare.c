/*
 * er_compare: Jaro-Winkler, Damerau-Levenshtein, phonetic keys.
 */
#include "er_compare.h"

#include <stdint.h>
#include <string.h>

#define JW_MAX 64

/*
 * Jaro-Winkler with 64-bit match masks: for each character of a, the
 * unmatched positions of the same character of b inside the match window
 * are one AND away, and the first of them is the lowest set bit — the same
 * greedy choice as the textbook double loop, in time linear in the length
 * rather than length times window (which made 64-character names cost
 * 60 times a normal one).
 */
double er_jaro_winkler(const char *a, size_t an, const char *b, size_t bn)
{
	uint64_t pos[256], inb[4] = { 0, 0, 0, 0 }, bm = 0, am = 0, ba, bb;
	size_t i, range, m = 0, t = 0, l = 0;
	double jaro;

	if (!an && !bn)
		return 1.0;
	if (!an || !bn)
		return 0.0;
	if (an > JW_MAX)
		an = JW_MAX;
	if (bn > JW_MAX)
		bn = JW_MAX;
	range = (an > bn ? an : bn) / 2;
	range = range ? range - 1 : 0;
	/* pos[c]: where c occurs in b; only the characters of b (inb) are set */
	for (i = 0; i < bn; i++) {
		unsigned char c = (unsigned char)b[i];

		if (!(inb[c >> 6] >> (c & 63) & 1)) {
			inb[c >> 6] |= (uint64_t)1 << (c & 63);
			pos[c] = 0;
		}
		pos[c] |= (uint64_t)1 << i;
	}
	for (i = 0; i < an; i++) {
		size_t lo = i > range ? i - range : 0, hi = i + range + 1 < bn ? i + range + 1 : bn;
		unsigned char c = (unsigned char)a[i];
		uint64_t win, cand;

		if (lo >= hi || !(inb[c >> 6] >> (c & 63) & 1))
			continue;
		win = (hi - lo >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << (hi - lo)) - 1)) << lo;
		cand = pos[c] & win & ~bm;
		if (!cand)
			continue;
		bm |= cand & -cand;
		am |= (uint64_t)1 << i;
		m++;
	}
	if (!m)
		return 0.0;
	/* transpositions: matched characters of a and b, in order */
	for (ba = am, bb = bm; ba; ba &= ba - 1, bb &= bb - 1)
		t += a[__builtin_ctzll(ba)] != b[__builtin_ctzll(bb)];
	jaro = ((double)m / (double)an + (double)m / (double)bn + ((double)m - (double)t / 2.0) / (double)m) / 3.0;
	while (l < 4 && l < an && l < bn && a[l] == b[l])
		l++;
	return jaro + (double)l * 0.1 * (1.0 - jaro);
}

int er_damerau(const char *a, size_t an, const char *b, size_t bn, int max)
{
	int rows[3][JW_MAX + 1];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	size_t i, j;

	if (an > JW_MAX)
		an = JW_MAX;
	if (bn > JW_MAX)
		bn = JW_MAX;
	if ((an > bn ? an - bn : bn - an) > (size_t)max)
		return max + 1;
	for (j = 0; j <= bn; j++)
		prev[j] = (int)j;
	for (i = 1; i <= an; i++) {
		int best = (int)i;

		cur[0] = (int)i;
		for (j = 1; j <= bn; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > max)
			return max + 1;
		{
			int *tmp = prev2;

			prev2 = prev;
			prev = cur;
			cur = tmp;
		}
	}
	return prev[bn] > max ? max + 1 : prev[bn];
}

int er_within1(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0;

	if (an > bn) {
		const char *t = a;
		size_t tn = an;

		a = b;
		an = bn;
		b = t;
		bn = tn;
	}
	if (bn - an > 1)
		return 0;
	while (i < an && a[i] == b[i])
		i++;
	if (i == an)
		return 1;                              /* equal, or b has one more at the end */
	if (an == bn) {
		/* one substitution, or one adjacent transposition */
		if (memcmp(a + i + 1, b + i + 1, an - i - 1) == 0)
			return 1;
		return i + 1 < an && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       memcmp(a + i + 2, b + i + 2, an - i - 2) == 0;
	}
	return memcmp(a + i, b + i + 1, an - i) == 0; /* one insertion in b */
}

size_t er_phonetic_es(const char *s, char *out, size_t outn)
{
	size_t k = 0;
	char last = 0;

	for (; *s && k + 1 < outn; s++) {
		char c = *s, code;

		if (c == 'l' && s[1] == 'l')
			s++;
		switch (c) {
		case 'b': case 'v': code = '1'; break;
		case 'f': case 'h': code = '2'; break;
		case 'd': case 't': code = '3'; break;
		case 'c': case 's': case 'x': case 'z': code = '4'; break;
		case 'l': case 'y': code = '5'; break;
		case 'm': case 'n': code = '6'; break;
		case 'k': case 'q': code = '7'; break;
		case 'g': case 'j': code = '8'; break;
		case 'r': code = '9'; break;
		case 'p': code = '0'; break;
		case ' ': last = 0; continue;
		default: continue; /* vowels, w, digits */
		}
		if (code == last)
			continue;
		out[k++] = code;
		last = code;
	}
	out[k] = '\0';
	return k;
}
