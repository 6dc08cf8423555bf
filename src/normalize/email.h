/*
 * email: email addresses to one comparable form.
 *
 * Case is folded, surrounding spaces and a "mailto:" prefix dropped, a
 * "+tag" removed from the local part, and dots removed where the provider
 * ignores them (gmail.com, googlemail.com), so "Rosa.Tz+ads@GMail.com" and
 * "rosatz@gmail.com" are the same email entity.
 */
#ifndef RASTRO_EMAIL_H
#define RASTRO_EMAIL_H

#include <stddef.h>

#define EMAIL_MAX 256

/* 0 and the normalised address in out (EMAIL_MAX bytes), or -1 when s does
 * not look like local@domain.tld. */
int email_normalize(const char *s, size_t n, char out[EMAIL_MAX]);

#endif
