/*
 * sbuf: the one growable byte buffer / string builder.
 *
 * The contents are always NUL-terminated (buf[len] == 0) so they can be
 * handed to C string functions.  A failed allocation makes the buffer
 * "sticky failed": later appends are no-ops and sbuf_failed() says so, so a
 * caller can build a whole string and check once at the end.
 */
#ifndef RASTRO_SBUF_H
#define RASTRO_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *buf;     /* owned; never NULL after init (points at "" until grown) */
	size_t len;
	size_t cap;    /* 0 while buf points at the shared empty string */
	int failed;    /* an allocation failed since the last clear */
};

#define SBUF_INIT { NULL, 0, 0, 0 }

void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);   /* frees the storage, leaves an empty buffer */
void sbuf_clear(struct sbuf *sb);     /* empties, keeps the storage */

/* Ensures room for `extra` more bytes; returns 0 or -1 (and sets failed). */
int sbuf_grow(struct sbuf *sb, size_t extra);

void sbuf_add(struct sbuf *sb, const void *data, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends s with JSON string escaping (no surrounding quotes). */
void sbuf_add_json_escaped(struct sbuf *sb, const char *s, size_t n);
/* Appends s with XML/HTML text escaping (& < > " '). */
void sbuf_add_xml_escaped(struct sbuf *sb, const char *s, size_t n);
/* Appends s as one RFC 4180 CSV field (quoted only when needed). */
void sbuf_add_csv_field(struct sbuf *sb, const char *s, size_t n);

void sbuf_setlen(struct sbuf *sb, size_t len); /* len <= sb->len */
int sbuf_failed(const struct sbuf *sb);

/* Hands the storage to the caller (free with mem_free); the buffer is reset. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
