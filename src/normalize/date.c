/*
 * date: lenient parsing of written dates of birth.
 */
#include "date.h"

#include <string.h>
#include <strings.h>

#include "core/parse.h"

/* Month names and common abbreviations, English and Spanish. */
static int month_of(const char *w, size_t n)
{
	static const char *const names[12][4] = {
		{ "jan", "january", "ene", "enero" },      { "feb", "february", "febrero", NULL },
		{ "mar", "march", "marzo", NULL },         { "apr", "april", "abr", "abril" },
		{ "may", "mayo", NULL, NULL },             { "jun", "june", "junio", NULL },
		{ "jul", "july", "julio", NULL },          { "aug", "august", "ago", "agosto" },
		{ "sep", "september", "sept", "septiembre" }, { "oct", "october", "octubre", NULL },
		{ "nov", "november", "noviembre", NULL },  { "dec", "december", "dic", "diciembre" },
	};
	int m, k;

	for (m = 0; m < 12; m++)
		for (k = 0; k < 4; k++)
			if (names[m][k] && strlen(names[m][k]) == n && strncasecmp(names[m][k], w, n) == 0)
				return m + 1;
	if (n == 9 && strncasecmp(w, "setiembre", 9) == 0)
		return 9;
	return 0;
}

/* Splits s into up to 4 parts: runs of digits and runs of letters.
 * Other characters separate.  Returns the count (5 when too many). */
struct part {
	const char *s;
	size_t n;
	int digits;
};

static int split(const char *s, size_t n, struct part *p, char *seps)
{
	size_t i = 0;
	int np = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t st = i;

		if (c >= '0' && c <= '9') {
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			while (i < n && (((unsigned char)s[i] | 0x20) >= 'a' && ((unsigned char)s[i] | 0x20) <= 'z'))
				i++;
			/* Spanish "de" between parts, English "of" */
			if ((i - st == 2 && strncasecmp(s + st, "de", 2) == 0) ||
			    (i - st == 2 && strncasecmp(s + st, "of", 2) == 0) ||
			    (i - st == 2 && (strncasecmp(s + st, "st", 2) == 0 || strncasecmp(s + st, "nd", 2) == 0 ||
					     strncasecmp(s + st, "rd", 2) == 0 || strncasecmp(s + st, "th", 2) == 0)))
				continue;
		} else {
			if (np > 0 && np <= 3 && !seps[np - 1] && strchr("/-.", c))
				seps[np - 1] = (char)c;
			i++;
			continue;
		}
		if (np == 4)
			return 5;
		p[np].s = s + st;
		p[np].n = i - st;
		p[np].digits = c >= '0' && c <= '9';
		np++;
	}
	return np;
}

static int num(const struct part *p)
{
	int v = 0;
	size_t i;

	if (p->n > 4)
		return -1;
	for (i = 0; i < p->n; i++)
		v = v * 10 + (p->s[i] - '0');
	return v;
}

static int fix_year(int y, size_t digits, int pivot)
{
	if (digits <= 2)
		return y <= pivot ? 2000 + y : 1900 + y;
	return y;
}

int date_parse(const char *s, size_t n, enum date_order pref, int pivot, int min_year, int max_year,
	       struct date_val *out, const char **why)
{
	struct part p[4];
	char seps[4] = { 0 };
	int np, y = 0, m = 0, d = 0, amb = 0;

	memset(out, 0, sizeof *out);
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	/* ISO timestamps: keep the date part */
	if (n > 10 && (s[10] == 'T' || s[10] == ' ') && s[4] == '-')
		n = 10;
	np = split(s, n, p, seps);
	*why = "not a date";
	if (np == 1 && p[0].digits && p[0].n == 8) {
		/* YYYYMMDD, or DDMMYYYY when the first four digits cannot be a year */
		int a = (p[0].s[0] - '0') * 1000 + (p[0].s[1] - '0') * 100 + (p[0].s[2] - '0') * 10 + (p[0].s[3] - '0');

		if (a >= 1000) {
			y = a;
			m = (p[0].s[4] - '0') * 10 + (p[0].s[5] - '0');
			d = (p[0].s[6] - '0') * 10 + (p[0].s[7] - '0');
		} else {
			d = (p[0].s[0] - '0') * 10 + (p[0].s[1] - '0');
			m = (p[0].s[2] - '0') * 10 + (p[0].s[3] - '0');
			y = (p[0].s[4] - '0') * 1000 + (p[0].s[5] - '0') * 100 + (p[0].s[6] - '0') * 10 + (p[0].s[7] - '0');
		}
	} else if (np == 3 && p[0].digits && p[1].digits && p[2].digits) {
		int a = num(&p[0]), b = num(&p[1]), c = num(&p[2]);

		if (a < 0 || b < 0 || c < 0)
			return -1;
		if (p[0].n == 4) {          /* Y-M-D */
			y = a;
			m = b;
			d = c;
		} else {                    /* D-M-Y or M-D-Y */
			y = fix_year(c, p[2].n, pivot);
			if (a > 12 && b <= 12) {
				d = a;
				m = b;
			} else if (b > 12 && a <= 12) {
				m = a;
				d = b;
			} else if (pref == DATE_MDY) {
				m = a;
				d = b;
				amb = a != b;
			} else {
				d = a;
				m = b;
				amb = a != b;
			}
		}
	} else if (np == 3) {
		/* one part is a month name: "3 Jul 1990", "July 3, 1990", "1990 jul 3" */
		int i, mi = -1;

		for (i = 0; i < 3; i++)
			if (!p[i].digits) {
				if (mi >= 0)
					return -1;
				mi = i;
			}
		m = month_of(p[mi].s, p[mi].n);
		if (!m) {
			*why = "unknown month name";
			return -1;
		}
		{
			int o[2], k = 0;
			size_t on[2];

			for (i = 0; i < 3; i++)
				if (i != mi) {
					o[k] = num(&p[i]);
					on[k] = p[i].n;
					k++;
				}
			if (o[0] < 0 || o[1] < 0)
				return -1;
			if (on[0] == 4) {
				y = o[0];
				d = o[1];
			} else {
				d = o[0];
				y = fix_year(o[1], on[1], pivot);
			}
		}
	} else {
		return -1;
	}
	if (m < 1 || m > 12) {
		*why = "month out of range";
		return -1;
	}
	if (d < 1 || d > 31) {
		*why = "day out of range";
		return -1;
	}
	if (y < min_year || y > max_year) {
		*why = "year out of range";
		return -1;
	}
	out->y = y;
	out->m = m;
	out->d = d;
	out->ambiguous = amb;
	out->calendar_ok = date_valid(y, m, d);
	*why = NULL;
	return 0;
}
