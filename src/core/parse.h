/*
 * parse: strict parsing of the scalar values found in source files —
 * integers, decimal amounts, timestamps and calendar dates.
 *
 * "Strict" means the whole field must be the value: no trailing junk, no
 * silent wrap-around, no locale.  Each parser returns NULL on success or a
 * short static reason ("not a number", "month 13 out of range") that callers
 * put into quarantine messages.
 */
#ifndef RASTRO_PARSE_H
#define RASTRO_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Leading/trailing ASCII spaces and tabs are ignored by every parser here. */
const char *parse_i64(const char *s, size_t n, int64_t *out);
/* A plain decimal: [-]digits[.digits][e[-]digits]; no inf/nan/hex. */
const char *parse_double(const char *s, size_t n, double *out);

/*
 * Timestamps, returned as seconds since 1970-01-01 00:00:00.  Accepted:
 *   YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH[:]MM]   (ISO 8601)
 *   YYYY/MM/DD HH:MM[:SS]                                    (IBM AMLworld)
 *   YYYYMMDD                                                  (compact date)
 * A time with an offset is converted to UTC; a time without one is kept as
 * written ("floating" local time, which is what hour-of-day rules need).
 */
const char *parse_timestamp(const char *s, size_t n, int64_t *out);

/* Days since 1970-01-01 of a proleptic Gregorian date; no validation. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse of days_from_civil. */
void civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);
/* 1 when y-m-d is a real calendar date. */
int date_valid(int y, int m, int d);

/* Writes "YYYY-MM-DDTHH:MM:SS" (20 bytes with NUL) into out. */
void format_timestamp(int64_t t, char out[32]);
/* Writes "YYYY-MM-DD" into out. */
void format_date(int64_t t, char out[16]);

/* Hour of day 0..23 and day of week 0 = Monday of a timestamp. */
int ts_hour(int64_t t);
int ts_weekday(int64_t t);

#endif
