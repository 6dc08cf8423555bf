/*
 * er_compare: Jaro-Winkler, Damerau-Levenshtein, phonetic keys.
 */
#include "er_compare.h"

#include <string.h>

#define JW_MAX 64

double er_jaro_winkler(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned char am[JW_MAX], bm[JW_MAX];
	size_t i, j, k, range, m = 0, t = 0, l = 0;
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
	memset(am, 0, an);
	memset(bm, 0, bn);
	for (i = 0; i < an; i++) {
		size_t lo = i > range ? i - range : 0, hi = i + range + 1 < bn ? i + range + 1 : bn;

		for (j = lo; j < hi; j++)
			if (!bm[j] && a[i] == b[j]) {
				am[i] = bm[j] = 1;
				m++;
				break;
			}
	}
	if (!m)
		return 0.0;
	for (i = 0, k = 0; i < an; i++) {
		if (!am[i])
			continue;
		while (!bm[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
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

static int vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

size_t er_metaphone(const char *s, char *out, size_t outn)
{
	char w[64];
	size_t n = 0, i, k = 0;

	for (; *s && n + 1 < sizeof w; s++)
		if (*s >= 'a' && *s <= 'z')
			w[n++] = *s;
	w[n] = '\0';
	if (!n || outn < 2) {
		if (outn)
			out[0] = '\0';
		return 0;
	}
	i = 0;
	/* initial exceptions */
	if ((w[0] == 'k' || w[0] == 'g' || w[0] == 'p') && w[1] == 'n')
		i = 1; /* NOLINT(bugprone-branch-clone): one Metaphone rule per branch */
	else if (w[0] == 'a' && w[1] == 'e')
		i = 1;
	else if (w[0] == 'w' && w[1] == 'r')
		i = 1;
	else if (w[0] == 'x') {
		out[k++] = 's';
		i = 1;
	} else if (w[0] == 'w' && w[1] == 'h') {
		out[k++] = 'w';
		i = 2;
	}
	for (; i < n && k + 1 < outn; i++) {
		char c = w[i], p = i ? w[i - 1] : 0, nx = i + 1 < n ? w[i + 1] : 0, nn = i + 2 < n ? w[i + 2] : 0;
		const char *add = "";

		if (c == p && c != 'c')
			continue;
		switch (c) {
		case 'a': case 'e': case 'i': case 'o': case 'u':
			if (i == 0)
				add = "a";
			break;
		case 'b':
			if (!(p == 'm' && i + 1 == n))
				add = "b";
			break;
		case 'c':
			if (nx == 'i' && nn == 'a')
				add = "x";
			else if (nx == 'h')
				add = p == 's' ? "k" : "x";
			else if (nx == 'i' || nx == 'e' || nx == 'y')
				add = p == 's' ? "" : "s";
			else
				add = "k";
			break;
		case 'd':
			add = (nx == 'g' && (nn == 'e' || nn == 'i' || nn == 'y')) ? "j" : "t";
			break;
		case 'g':
			if (nx == 'h' && !(i + 2 < n && !vowel(nn)))
				add = i + 2 >= n ? "" : "k";
			else if (nx == 'n' && (i + 2 == n || (nn == 'e' && i + 4 == n && w[i + 3] == 'd')))
				add = "";
			else if ((nx == 'i' || nx == 'e' || nx == 'y') && p != 'g')
				add = "j";
			else
				add = "k";
			break;
		case 'h':
			if (vowel(nx) && !(p && strchr("csptg", p)))
				add = "h";
			break;
		case 'k':
			if (p != 'c')
				add = "k";
			break;
		case 'p':
			add = nx == 'h' ? "f" : "p";
			break;
		case 'q': add = "k"; break;
		case 's':
			if (nx == 'h')
				add = "x"; /* NOLINT(bugprone-branch-clone): one Metaphone rule per branch */
			else if (nx == 'i' && (nn == 'o' || nn == 'a'))
				add = "x";
			else
				add = "s";
			break;
		case 't':
			if (nx == 'i' && (nn == 'o' || nn == 'a'))
				add = "x";
			else if (nx == 'h')
				add = "0";
			else if (!(nx == 'c' && nn == 'h'))
				add = "t";
			break;
		case 'v': add = "f"; break;
		case 'w': case 'y':
			if (vowel(nx))
				add = c == 'w' ? "w" : "y";
			break;
		case 'x': add = "ks"; break;
		case 'z': add = "s"; break;
		default:
			out[k++] = c; /* f j l m n r */
			continue;
		}
		while (*add && k + 1 < outn)
			out[k++] = *add++;
	}
	out[k] = '\0';
	return k;
}
