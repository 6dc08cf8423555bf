/*
 * Fuzz target: the ad text path — folding (text/fold.h), the identifier
 * extractor (ads/extract.h) and a scan with the shipped ad lexicons, as
 * `rastro ads` runs them on every ad.  Checks that every reported span
 * lies inside the text it was found in and every value is terminated.
 */
#include <stdint.h>
#include <string.h>

#include "ads/extract.h"
#include "core/vec.h"
#include "text/fold.h"
#include "text/lexicon.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lexicon *lx;
static struct lex_scanner *sc;

struct scan_ctx {
	size_t rawlen, foldlen;
};

static int on_match(void *user, const struct lex_match *m)
{
	const struct scan_ctx *c = user;

	if (m->start > m->end || m->end > c->rawlen || m->fstart > m->fend || m->fend > c->foldlen)
		__builtin_trap();
	return 0;
}

/* Compiling the shipped lexicons takes seconds under the sanitizers: done
 * once here, outside the per-input timeout. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const files[] = {
		RASTRO_DATADIR "/lexicons/ads_en.tsv", RASTRO_DATADIR "/lexicons/ads_es.tsv",
		RASTRO_DATADIR "/lexicons/ads_emoji.tsv", RASTRO_DATADIR "/lexicons/ads_jobs.tsv",
		RASTRO_DATADIR "/lexicons/ads_smuggling.tsv",
	};
	struct rs_err e;

	lx = lex_load(files, sizeof files / sizeof files[0], &e);
	if (!lx || !(sc = lex_scanner_new(lx, &e)))
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = { "US", "MX", "GT", "HN" };
	struct ads_xopts o = { 0 };
	struct ads_xwork w;
	struct fold f;
	struct vec out;
	struct scan_ctx c;
	size_t i;

	if (size < 1)
		return 0;
	fold_init(&f);
	ads_xwork_init(&w, ADS_PCACHE_DEFAULT);
	vec_init(&out, sizeof(struct ads_ident));
	if (fold_text(&f, (const char *)data + 1, size - 1))
		goto done;
	if (f.map[f.len] != size - 1)
		__builtin_trap();
	o.region = regions[data[0] & 3];
	o.site = "fuzz.example";
	o.sitelen = strlen(o.site);
	if (ads_extract(&f, (const char *)data + 1, &o, &w, &out) == 0) {
		for (i = 0; i < out.len; i++) {
			const struct ads_ident *id = vec_at(&out, i);

			if (id->kind >= AK_N || id->start > id->end || id->end > size - 1 ||
			    id->fstart > id->fend || id->fend > f.len || !memchr(id->value, '\0', ADS_VALUE_MAX))
				__builtin_trap();
		}
	}
	c.rawlen = size - 1;
	c.foldlen = f.len;
	(void)lex_scan_folded(sc, &f, on_match, &c);
done:
	vec_release(&out);
	ads_xwork_release(&w);
	fold_release(&f);
	return 0;
}
