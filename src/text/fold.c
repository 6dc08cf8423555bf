/*
 * fold: NFKD + case fold + mark stripping with a raw-offset map, one code
 * point at a time through utf8proc_decompose_char (so the map is exact),
 * with an ASCII fast path because most ad and memo text is ASCII.
 */
#include "fold.h"

#include <string.h>
#include <utf8proc.h>

#include "core/mem.h"
#include "core/utf8.h"

#define FOLD_OPTS (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | \
		   UTF8PROC_LUMP | UTF8PROC_IGNORE)

/* The longest compatibility decomposition in Unicode is 18 code points. */
#define DECOMP_MAX 32

void fold_init(struct fold *f)
{
	memset(f, 0, sizeof *f);
}

void fold_release(struct fold *f)
{
	mem_free(f->text);
	mem_free(f->map);
	fold_init(f);
}

static int reserve(struct fold *f, size_t need)
{
	size_t cap;
	char *t;
	uint32_t *m;

	if (need <= f->cap)
		return 0;
	cap = f->cap ? f->cap : 256;
	while (cap < need)
		cap *= 2;
	t = mem_realloc(f->text, cap + 1);
	if (!t)
		return -1;
	f->text = t;
	m = mem_realloc(f->map, (cap + 1) * sizeof *m);
	if (!m)
		return -1;
	f->map = m;
	f->cap = cap;
	return 0;
}

/*
 * Folds one non-ASCII code point into out (room for DECOMP_MAX*4 bytes);
 * returns the bytes written (0 when the character folds to nothing).
 */
static size_t fold_cp(uint32_t cp, char *out)
{
	utf8proc_int32_t dst[DECOMP_MAX];
	int boundclass = 0;
	utf8proc_ssize_t k, i;
	size_t w = 0;

	k = utf8proc_decompose_char((utf8proc_int32_t)cp, dst, DECOMP_MAX, FOLD_OPTS, &boundclass);
	if (k < 0 || k > DECOMP_MAX) {
		out[0] = ' ';
		return 1;
	}
	for (i = 0; i < k; i++) {
		uint32_t c = (uint32_t)dst[i];

		if (c == 0)
			out[w++] = ' ';
		else if (c < 0x80)
			out[w++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		else
			w += utf8_encode(c, out + w);
	}
	return w;
}

int fold_text(struct fold *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	f->len = 0;
	if (n > FOLD_MAX || reserve(f, n + 16)) {
		if (f->text)
			f->text[0] = '\0';
		return -1;
	}
	while (i < n) {
		unsigned char c = u[i];

		if (c < 0x80) {
			/* Most text: one byte in, one byte out. */
			if (f->len + 1 > f->cap && reserve(f, f->len + 1 + (n - i)))
				goto oom;
			f->text[f->len] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c ? c : ' ');
			f->map[f->len++] = (uint32_t)i;
			i++;
		} else {
			char buf[DECOMP_MAX * 4];
			size_t len, w, j;
			uint32_t cp;

			len = utf8_decode(s + i, n - i, &cp);
			if (len == 1) {
				/* Not valid UTF-8 (utf8_decode is strict): one space per byte. */
				buf[0] = ' ';
				w = 1;
			} else {
				w = fold_cp(cp, buf);
			}
			if (f->len + w > f->cap && reserve(f, f->len + w + (n - i)))
				goto oom;
			for (j = 0; j < w; j++) {
				f->text[f->len] = buf[j];
				f->map[f->len++] = (uint32_t)i;
			}
			i += len;
		}
	}
	f->text[f->len] = '\0';
	f->map[f->len] = (uint32_t)n;
	return 0;
oom:
	f->len = 0;
	f->text[0] = '\0';
	return -1;
}

void fold_span(const struct fold *f, size_t a, size_t b, size_t *rs, size_t *re)
{
	size_t end;

	if (a > f->len)
		a = f->len;
	if (b > f->len)
		b = f->len;
	*rs = f->map[a];
	/* The raw end is where the character after the last folded byte starts:
	 * skip folded bytes that came from the same raw character. */
	end = b;
	if (end > a && end < f->len && f->map[end] == f->map[end - 1]) {
		while (end < f->len && f->map[end] == f->map[b - 1])
			end++;
	}
	*re = f->map[end];
	if (*re < *rs)
		*re = *rs;
}

long fold_copy(const char *s, size_t n, char *out, size_t outn)
{
	struct fold f;
	long r = -1;

	fold_init(&f);
	if (fold_text(&f, s, n) != 0)
		r = FOLD_NOMEM;
	else if (f.len < outn) {
		memcpy(out, f.text, f.len + 1);
		r = (long)f.len;
	}
	fold_release(&f);
	return r;
}
