/*
 * err: error code and message holder shared by every module.
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

int err_setv(struct rs_err *e, int code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return code;
}

int err_set(struct rs_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(e, code, fmt, ap);
	va_end(ap);
	return code;
}

void err_prefix(struct rs_err *e, const char *fmt, ...)
{
	char head[ERR_MSG_MAX];
	char old[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	snprintf(e->msg, sizeof e->msg, "%s: %s", head, old);
}

int err_copy(struct rs_err *dst, const struct rs_err *src)
{
	if (dst != src)
		memcpy(dst, src, sizeof *dst);
	return dst->code;
}

void err_clear(struct rs_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}
