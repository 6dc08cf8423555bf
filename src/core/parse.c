/*
 * parse: strict scalar parsers and calendar arithmetic (Howard Hinnant's
 * days-from-civil algorithm, public domain description), independent of the
 * process time zone and locale.
 */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

const char *parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0, limit;
	int neg = 0;
	size_t i = 0;

	trim(&s, &n);
	if (!n)
		return "empty";
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return "not a number";
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (!is_digit(s[i]))
			return "not a number";
		if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
			return "number out of range";
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return NULL;
}

/* Plain decimals with at most 15 significant digits ("3697.34"), the bulk
 * of amounts: digits over a power of ten, both exact doubles, so the one
 * division is correctly rounded — the same result strtod gives, faster.
 * Returns 0 to fall back to strtod. */
static int fast_decimal(const char *s, size_t n, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
					1e11, 1e12, 1e13, 1e14, 1e15 };
	uint64_t mant = 0;
	size_t i = 0, digits = 0, frac = 0;
	int neg = 0, seen_dot = 0;

	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < n; i++) {
		if (s[i] == '.') {
			if (seen_dot)
				return 0;
			seen_dot = 1;
			continue;
		}
		if (!is_digit(s[i]))
			return 0;
		if (mant == 0 && s[i] == '0' && !seen_dot)
			continue; /* leading zeros do not count */
		mant = mant * 10 + (uint64_t)(s[i] - '0');
		digits++;
		if (seen_dot)
			frac++;
		if (digits > 15)
			return 0;
	}
	*out = (double)mant / pow10[frac];
	if (neg)
		*out = -*out;
	return 1;
}

const char *parse_double(const char *s, size_t n, double *out)
{
	char buf[64], *end;
	size_t i = 0, digits = 0;
	double v;

	trim(&s, &n);
	if (!n)
		return "empty";
	if (n >= sizeof buf)
		return "number too long";
	/* Check the shape ourselves: strtod would accept "inf", "0x1p3", "1e". */
	if (s[i] == '-' || s[i] == '+')
		i++;
	while (i < n && is_digit(s[i])) {
		i++;
		digits++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i])) {
			i++;
			digits++;
		}
	}
	if (!digits)
		return "not a number";
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && is_digit(s[i])) {
			i++;
			exp_digits++;
		}
		if (!exp_digits)
			return "not a number";
	}
	if (i != n)
		return "not a number";
	if (fast_decimal(s, n, out))
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (errno == ERANGE || !isfinite(v))
		return "number out of range";
	*out = v;
	return NULL;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

int date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap, max;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

/* Reads exactly `width` digits at s[*i]; -1 when they are not all digits. */
static int fixed_digits(const char *s, size_t n, size_t *i, int width)
{
	int v = 0, k;

	if (*i + (size_t)width > n)
		return -1;
	for (k = 0; k < width; k++) {
		char c = s[*i + (size_t)k];

		if (!is_digit(c))
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)width;
	return v;
}

const char *parse_timestamp(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	char sep;

	trim(&s, &n);
	if (!n)
		return "empty timestamp";
	y = fixed_digits(s, n, &i, 4);
	if (y < 0)
		return "timestamp does not start with a 4-digit year";
	if (i < n && (s[i] == '-' || s[i] == '/')) {
		sep = s[i++];
		mo = fixed_digits(s, n, &i, 2);
		if (mo < 0 || i >= n || s[i] != sep)
			return "bad month in timestamp";
		i++;
		d = fixed_digits(s, n, &i, 2);
		if (d < 0)
			return "bad day in timestamp";
	} else {
		mo = fixed_digits(s, n, &i, 2);
		d = mo < 0 ? -1 : fixed_digits(s, n, &i, 2);
		if (mo < 0 || d < 0)
			return "bad date in timestamp";
	}
	if (mo < 1 || mo > 12)
		return "month out of range";
	if (!date_valid(y, mo, d))
		return "day out of range for its month";
	if (i < n) {
		if (s[i] != 'T' && s[i] != ' ')
			return "unexpected text after the date";
		i++;
		h = fixed_digits(s, n, &i, 2);
		if (h < 0 || i >= n || s[i] != ':')
			return "bad hour in timestamp";
		i++;
		mi = fixed_digits(s, n, &i, 2);
		if (mi < 0)
			return "bad minute in timestamp";
		if (i < n && s[i] == ':') {
			i++;
			sec = fixed_digits(s, n, &i, 2);
			if (sec < 0)
				return "bad second in timestamp";
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				i++;
				if (i >= n || !is_digit(s[i]))
					return "bad fraction of a second";
				while (i < n && is_digit(s[i]))
					i++;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return "time of day out of range";
		if (i < n) {
			if (s[i] == 'Z' && i + 1 == n) {
				i++;
			} else if (s[i] == '+' || s[i] == '-') {
				int sign = s[i] == '-' ? -1 : 1, oh, om = 0;

				i++;
				oh = fixed_digits(s, n, &i, 2);
				if (oh < 0)
					return "bad UTC offset";
				if (i < n && s[i] == ':')
					i++;
				if (i < n) {
					om = fixed_digits(s, n, &i, 2);
					if (om < 0)
						return "bad UTC offset";
				}
				if (oh > 14 || om > 59)
					return "UTC offset out of range";
				off = sign * (oh * 3600 + om * 60);
			} else {
				return "unexpected text after the time";
			}
		}
		if (i != n)
			return "unexpected text after the time";
	}
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + (sec > 59 ? 59 : sec) - off;
	return NULL;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void format_timestamp(int64_t t, char out[32])
{
	int64_t days = floor_div(t, 86400), rem = t - days * 86400;
	int y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

void format_date(int64_t t, char out[16])
{
	int y;
	unsigned m, d;

	civil_from_days(floor_div(t, 86400), &y, &m, &d);
	snprintf(out, 16, "%04d-%02u-%02u", y % 10000, m, d);
}

int ts_hour(int64_t t)
{
	int64_t days = floor_div(t, 86400);

	return (int)((t - days * 86400) / 3600);
}

int ts_weekday(int64_t t)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t days = floor_div(t, 86400);
	int64_t w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}
