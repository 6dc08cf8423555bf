/*
 * Fuzz target: the person-name normaliser — folding, parsing a name given
 * in up to four fields (the bytes split at 0x1f: given, surname, maternal,
 * full name) and the nickname table loader on the same bytes.  Checks the
 * fixed-size outputs stay NUL-terminated and folding is stable.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "normalize/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *f[4] = { "", "", "", "" };
	size_t n[4] = { 0, 0, 0, 0 }, i, start = 0, k = 0;
	char out[NAME_LEN * 4], again[NAME_LEN * 4];
	struct name_parts p;
	struct name_nicks t;
	struct rs_err e;
	char path[64];
	int nl, nl2, fd;
	size_t len, len2;

	/* Folding: bounded output, and folding folded text changes nothing. */
	len = name_fold(s, size, size && (data[0] & 1), out, sizeof out, &nl);
	if (len >= sizeof out || strlen(out) != len)
		__builtin_trap();
	len2 = name_fold(out, len, 0, again, sizeof again, &nl2);
	if (len2 != len || memcmp(out, again, len) != 0)
		__builtin_trap();
	(void)name_is_particle(s, size);

	for (i = 0; i <= size && k < 4; i++) {
		if (i == size || data[i] == 0x1f) {
			f[k] = s + start;
			n[k++] = i - start;
			start = i + 1;
		}
	}
	name_parse(f[0], n[0], f[1], n[1], f[2], n[2], f[3], n[3], &p);
	if (p.ngiven < 0 || p.ngiven > NAME_MAX_GIVEN)
		__builtin_trap();
	for (i = 0; i < (size_t)p.ngiven; i++)
		check_str(p.given[i], NAME_LEN);
	check_str(p.sur1, NAME_LEN);
	check_str(p.sur2, NAME_LEN);
	check_str(p.sur1_ny, NAME_LEN);

	/* The nickname table reader on the bytes as a file. */
	fd = fuzz_memfile(data, size, path);
	if (fd < 0)
		return 0;
	memset(&t, 0, sizeof t);
	if (name_nicks_load(&t, path, &e) == 0) {
		uint32_t a = name_nicks_id(&t, "jose", 4), b = name_nicks_id(&t, out, len);

		(void)name_nicks_match_ids(&t, a, b);
		(void)name_nicks_match(&t, out, "pepe");
		(void)name_nicks_formal(&t, out);
	}
	name_nicks_release(&t);
	close(fd);
	return 0;
}
