/*
 * err: an error code plus a one-line human message, held by whatever context
 * owns the operation (a workspace, a reader, a parser).
 *
 * Messages follow one rule: lowercase start, say what failed and where
 * (file:line:column when there is a place), quote the subject, one line.
 */
#ifndef RASTRO_ERR_H
#define RASTRO_ERR_H

#include <stdarg.h>

#define ERR_MSG_MAX 1024

struct rs_err {
	int code;               /* a rastro_code; 0 when no error */
	char msg[ERR_MSG_MAX];  /* NUL-terminated, may be truncated */
};

/* Sets code and message; returns `code` so callers can `return err_set(...)`. */
int err_set(struct rs_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_setv(struct rs_err *e, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prefixes the current message with "prefix: " (used to add a file name). */
void err_prefix(struct rs_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copies src into dst (both code and message); returns the code. */
int err_copy(struct rs_err *dst, const struct rs_err *src);

void err_clear(struct rs_err *e);

#endif
