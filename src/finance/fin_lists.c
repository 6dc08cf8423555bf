/*
 * fin_lists: the reference lists finance detectors read from data/finance/
 * — escort and classified-ad sites, high-migration corridor countries, the
 * southwest border zone, and the dollar rates of currencies.  Each is a
 * tab-separated text file with `#` comments and its sources in the header;
 * the file names are settings (finance.lists.*) so an institution can use
 * its own lists.
 */
#include "fin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

/* Lower-cases ASCII in place. */
static void lower_ascii(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
}

/* Reads a whole file into sb. */
static int slurp(rastro_ws *ws, const char *path, struct sbuf *sb)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f)
		return ws_error(ws, RASTRO_NOTFOUND, "cannot open list '%s': %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(sb, buf, n);
	if (ferror(f)) {
		fclose(f);
		return ws_error(ws, RASTRO_IO, "cannot read list '%s'", path);
	}
	fclose(f);
	if (sbuf_failed(sb))
		return ws_error(ws, RASTRO_NOMEM, "out of memory reading '%s'", path);
	return 0;
}

/* Path of a list: the setting finance.lists.NAME, relative to the data
 * directory unless absolute. */
static void list_path(rastro_ws *ws, const char *name, const char *def, struct sbuf *out)
{
	char key[96];
	const char *v;

	snprintf(key, sizeof key, "finance.lists.%s", name);
	v = cfg_str(ws->cfg, key, def);
	if (v[0] == '/')
		sbuf_adds(out, v);
	else
		sbuf_addf(out, "%s/%s", rastro_datadir(), v);
}

/*
 * Calls fn for every data line's tab-separated fields (up to 8).  Lines
 * starting with '#' and blank lines are skipped.
 */
typedef int (*line_fn)(rastro_ws *ws, void *ctx, char **f, size_t *fn, int nf, const char *path,
		       int line);

static int each_line(rastro_ws *ws, const char *name, const char *def, line_fn fn, void *ctx)
{
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	char *p, *end;
	int line = 0, rc = 0;

	sbuf_init(&path);
	sbuf_init(&text);
	list_path(ws, name, def, &path);
	if (sbuf_failed(&path)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	rc = slurp(ws, path.buf, &text);
	if (rc)
		goto out;
	p = text.buf;
	end = text.buf + text.len;
	while (p < end && !rc) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		char *f[8];
		size_t fl[8];
		int nf = 0;
		char *q = p;

		line++;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p || *p == '#') {
			p = nl ? nl + 1 : end;
			continue;
		}
		while (nf < 8) {
			char *tab = memchr(q, '\t', (size_t)(le - q));
			char *fe = tab ? tab : le;

			while (q < fe && (*q == ' '))
				q++;
			while (fe > q && fe[-1] == ' ')
				fe--;
			f[nf] = q;
			fl[nf] = (size_t)(fe - q);
			nf++;
			if (!tab)
				break;
			q = tab + 1;
		}
		rc = fn(ws, ctx, f, fl, nf, path.buf, line);
		p = nl ? nl + 1 : end;
	}
out:
	sbuf_release(&path);
	sbuf_release(&text);
	return rc;
}

static int add_lower(rastro_ws *ws, struct strmap *m, const char *s, size_t n)
{
	char buf[256];

	if (!n)
		return 0;
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	lower_ascii(buf, n);
	if (!strmap_intern(m, buf, n, NULL))
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading lists");
	return 0;
}

/* adsites.tsv: name, domain, kind, source */
static int adsite_line(rastro_ws *ws, void *ctx, char **f, size_t *fn, int nf, const char *path,
		       int line)
{
	struct fin_lists *l = ctx;

	(void)path;
	(void)line;
	if (add_lower(ws, &l->adsite, f[0], fn[0]))
		return ws->err.code;
	/* "-" = no domain: a general site whose domain alone says nothing */
	if (nf > 1 && !(fn[1] == 1 && f[1][0] == '-') && add_lower(ws, &l->adsite, f[1], fn[1]))
		return ws->err.code;
	return 0;
}

/* corridors.tsv: iso2, name, source */
static int corridor_line(rastro_ws *ws, void *ctx, char **f, size_t *fn, int nf, const char *path,
			 int line)
{
	struct fin_lists *l = ctx;

	(void)path;
	(void)line;
	if (add_lower(ws, &l->corridor, f[0], fn[0]))
		return ws->err.code;
	if (nf > 1 && add_lower(ws, &l->corridor, f[1], fn[1]))
		return ws->err.code;
	return 0;
}

/* border_zone.tsv: city, region, country, sector, source */
static int border_line(rastro_ws *ws, void *ctx, char **f, size_t *fn, int nf, const char *path,
		       int line)
{
	struct fin_lists *l = ctx;
	char key[256];
	int n;

	(void)path;
	(void)line;
	if (add_lower(ws, &l->border_city, f[0], fn[0]))
		return ws->err.code;
	if (nf > 1) {
		n = snprintf(key, sizeof key, "%.*s|%.*s", (int)fn[0], f[0], (int)fn[1], f[1]);
		if (n > 0 && add_lower(ws, &l->border, key, (size_t)n < sizeof key ? (size_t)n : sizeof key - 1))
			return ws->err.code;
	}
	return 0;
}

/* currency_usd.tsv: code, usd per unit, name, source */
static int currency_line(rastro_ws *ws, void *ctx, char **f, size_t *fn, int nf, const char *path,
			 int line)
{
	struct fin_lists *l = ctx;
	double r;
	const char *why;
	uint32_t id;
	char code[16];
	size_t i, n = fn[0] < sizeof code - 1 ? fn[0] : sizeof code - 1;

	if (nf < 2)
		return ws_error(ws, RASTRO_FORMAT, "%s:%d: expected 'CODE<TAB>USD-per-unit'", path, line);
	why = parse_double(f[1], fn[1], &r);
	if (why || r <= 0)
		return ws_error(ws, RASTRO_FORMAT, "%s:%d:2: bad rate '%.*s'%s%s", path, line, (int)fn[1],
				f[1], why ? ": " : "", why ? why : "");
	for (i = 0; i < n; i++)
		code[i] = (char)(f[0][i] >= 'a' && f[0][i] <= 'z' ? f[0][i] - 32 : f[0][i]);
	id = strmap_intern(&l->currency, code, n, NULL);
	if (!id)
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading rates");
	if (id >= l->ncurrency) {
		size_t nn = l->ncurrency ? l->ncurrency * 2 : 64;
		double *p;

		while (nn <= id)
			nn *= 2;
		p = mem_realloc(l->usd_per_unit, nn * sizeof *p);
		if (!p)
			return ws_error(ws, RASTRO_NOMEM, "out of memory loading rates");
		for (i = l->ncurrency; i < nn; i++)
			p[i] = 0;
		l->usd_per_unit = p;
		l->ncurrency = nn;
	}
	l->usd_per_unit[id] = r;
	return 0;
}

int fin_lists_load(rastro_ws *ws, struct fin_lists *l)
{
	memset(l, 0, sizeof *l);
	strmap_init(&l->adsite);
	strmap_init(&l->corridor);
	strmap_init(&l->border);
	strmap_init(&l->border_city);
	strmap_init(&l->currency);
	if (each_line(ws, "adsites", "finance/adsites.tsv", adsite_line, l) ||
	    each_line(ws, "corridors", "finance/corridors.tsv", corridor_line, l) ||
	    each_line(ws, "border_zone", "finance/border_zone.tsv", border_line, l) ||
	    each_line(ws, "currency_rates", "finance/currency_usd.tsv", currency_line, l)) {
		fin_lists_release(l);
		return ws->err.code;
	}
	return 0;
}

void fin_lists_release(struct fin_lists *l)
{
	strmap_release(&l->adsite);
	strmap_release(&l->corridor);
	strmap_release(&l->border);
	strmap_release(&l->border_city);
	strmap_release(&l->currency);
	mem_free(l->usd_per_unit);
	memset(l, 0, sizeof *l);
}

/* Exact match of the lower-cased text, or of one of its words / dotted
 * domain parts ("SkipTheGames.com LLC" matches "skipthegames.com"). */
int fin_list_has(const struct strmap *m, const char *s)
{
	char buf[256];
	size_t n, i, start;

	if (!s || !*s || !strmap_count(m))
		return 0;
	n = strlen(s);
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	lower_ascii(buf, n);
	if (strmap_find(m, buf, n))
		return 1;
	/* "Skip The Games" against "skipthegames": letters and digits only */
	{
		char sq[256];
		size_t k = 0;

		for (i = 0; i < n; i++)
			if ((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= '0' && buf[i] <= '9'))
				sq[k++] = buf[i];
		if (k && k != n && strmap_find(m, sq, k))
			return 1;
	}
	/* words: split on anything that is not a letter, digit, '.' or '-' */
	for (i = 0, start = 0; i <= n; i++) {
		char c = i < n ? buf[i] : ' ';
		int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			   (unsigned char)c >= 0x80;

		if (!word) {
			if (i > start) {
				size_t wn = i - start;

				if (strmap_find(m, buf + start, wn))
					return 1;
				/* "www.site.com/path" or "site.com": try without "www." */
				if (wn > 4 && memcmp(buf + start, "www.", 4) == 0 &&
				    strmap_find(m, buf + start + 4, wn - 4))
					return 1;
			}
			start = i + 1;
		}
	}
	return 0;
}
