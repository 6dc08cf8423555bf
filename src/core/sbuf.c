/*
 * sbuf: growable NUL-terminated byte buffer with sticky allocation failure.
 */
#include "sbuf.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

static char sbuf_empty[1];

void sbuf_init(struct sbuf *sb)
{
	sb->buf = sbuf_empty;
	sb->len = 0;
	sb->cap = 0;
	sb->failed = 0;
}

void sbuf_release(struct sbuf *sb)
{
	if (sb->cap)
		mem_free(sb->buf);
	sbuf_init(sb);
}

void sbuf_clear(struct sbuf *sb)
{
	sb->len = 0;
	sb->failed = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

int sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (!sb->buf)
		sbuf_init(sb);
	if (sb->failed)
		return -1;
	need = sb->len + extra + 1;
	if (need < sb->len) { /* overflow */
		sb->failed = 1;
		return -1;
	}
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	p = mem_realloc(sb->cap ? sb->buf : NULL, cap);
	if (!p) {
		sb->failed = 1;
		return -1;
	}
	if (!sb->cap)
		p[0] = '\0';
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

void sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
	if (sbuf_grow(sb, n))
		return;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_addc(struct sbuf *sb, char c)
{
	if (sbuf_grow(sb, 1))
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (sbuf_grow(sb, 64))
		return;
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->failed = 1;
		return;
	}
	if ((size_t)n >= sb->cap - sb->len) {
		if (sbuf_grow(sb, (size_t)n))
			return;
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sbuf_add_json_escaped(struct sbuf *sb, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		char hex[8];

		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(hex, sizeof hex, "\\u%04x", c);
				rep = hex;
			}
		}
		if (rep) {
			sbuf_add(sb, s + run, i - run);
			sbuf_adds(sb, rep);
			run = i + 1;
		}
	}
	sbuf_add(sb, s + run, n - run);
}

void sbuf_add_xml_escaped(struct sbuf *sb, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			/* XML 1.0 forbids most C0 controls even escaped: drop them. */
			if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
				rep = "";
		}
		if (rep) {
			sbuf_add(sb, s + run, i - run);
			sbuf_adds(sb, rep);
			run = i + 1;
		}
	}
	sbuf_add(sb, s + run, n - run);
}

void sbuf_add_csv_field(struct sbuf *sb, const char *s, size_t n)
{
	size_t i;
	int quote = 0;

	for (i = 0; i < n && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (!quote) {
		sbuf_add(sb, s, n);
		return;
	}
	sbuf_addc(sb, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			sbuf_addc(sb, '"');
		sbuf_addc(sb, s[i]);
	}
	sbuf_addc(sb, '"');
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (len > sb->len || !sb->cap)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

int sbuf_failed(const struct sbuf *sb)
{
	return sb->failed;
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	if (sb->failed) {
		sbuf_release(sb);
		return NULL;
	}
	if (!sb->cap) {
		p = mem_strdup("");
	} else {
		p = sb->buf;
	}
	if (len)
		*len = sb->len;
	sbuf_init(sb);
	return p;
}
