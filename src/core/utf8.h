/*
 * utf8: validation and small helpers for UTF-8 text.
 */
#ifndef RASTRO_UTF8_H
#define RASTRO_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF);
 * otherwise 0 and *bad set to the byte offset of the first invalid sequence. */
int utf8_valid(const char *s, size_t n, size_t *bad);

/* Decodes one code point at s (n bytes available); returns its length in
 * bytes (>= 1) and sets *cp, or returns 1 with *cp = 0xFFFD on bad input. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Encodes cp into out (4 bytes room); returns its length. */
size_t utf8_encode(uint32_t cp, char *out);

/* Number of code points in s[0..n) (invalid bytes count one each). */
size_t utf8_chars(const char *s, size_t n);

#endif
