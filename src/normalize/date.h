/*
 * date: dates of birth as agencies write them, to year, month and day.
 *
 * Accepted: ISO (1990-07-03, 1990/07/03), compact (19900703), day-first or
 * month-first with / - or . (03/07/1990, 7-3-90), and month names in English
 * and Spanish ("3 Jul 1990", "July 3, 1990", "3 de julio de 1990").  When a
 * numeric date could be read either way (03/07/1990) it is read by the
 * preference (day first by default: most of rastro's sources are Latin
 * American) and marked ambiguous; resolution also compares the swapped
 * reading as its own level.  Two-digit years pivot on `pivot` (e.g. 30: 29
 * is 2029, 31 is 1931).
 */
#ifndef RASTRO_DATE_H
#define RASTRO_DATE_H

#include <stddef.h>

struct date_val {
	int y, m, d;      /* 0 when unknown */
	int ambiguous;    /* day and month could be swapped (both <= 12, different) */
	int calendar_ok;  /* a real calendar date (29 February only in leap years...) */
};

enum date_order { DATE_DMY = 0, DATE_MDY = 1 };

/*
 * 0 and out filled; -1 with *why set (static text) when s is not a date or
 * is absurd: month 13, day 32, a year before min_year or after max_year.
 * A day that does not exist in its month (31 April) is accepted with
 * calendar_ok = 0, since typing errors in real records produce them and the
 * fields still compare.
 */
int date_parse(const char *s, size_t n, enum date_order pref, int pivot, int min_year, int max_year,
	       struct date_val *out, const char **why);

#endif
