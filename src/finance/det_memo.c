/*
 * det_memo: P2P memos and wire references that match the smuggling lexicon
 * (FIN-2023-Alert001: smuggling fees paid by P2P and wire; the memo is
 * often the only place a payer says what the money is for).
 *
 * Every memo is scanned once, at prepare time, with the shared Vectorscan
 * lexicon (src/text/lexicon.h): the summed weight of the codes it matches
 * and those codes are kept per transaction.  The per-account pass then
 * looks at both sides: an account that receives matching memos from several
 * payers (fees collected) or sends them to several payees (guides and
 * drivers paid).  The payers of fees are often the smuggled people's
 * families: they are not made subjects.
 */
#include "fin.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "text/lexicon.h"

#define MAX_CODES 32

struct memo_p {
	int det;
	uint32_t min_matches, min_counterparties;
	double min_weight;
	struct lexicon *lx;
	float *w;           /* per transaction: weight of the codes its memo matched */
	uint32_t *codes;    /* per transaction: bit i = lexicon code i matched */
	uint64_t scanned, matched;
};

static void memo_release(void *state)
{
	struct memo_p *p = state;

	mem_free(p->w);
	mem_free(p->codes);
	lex_free(p->lx);
	mem_free(p);
}

struct scan_ctx {
	const struct lexicon *lx;
	uint32_t seen;
	double w;
};

static int on_match(void *user, const struct lex_match *m)
{
	struct scan_ctx *c = user;

	if (m->code < MAX_CODES && !(c->seen & (1u << m->code))) {
		c->seen |= 1u << m->code;
		c->w += lex_code(c->lx, m->code)->weight;
	}
	return 0;
}

static int memo_prepare(struct fin_run *r, void **state)
{
	const struct fin_data *d = r->d;
	struct memo_p *p = mem_calloc(1, sizeof *p);
	struct lex_scanner *sc;
	struct rs_err err;
	char key[96], path[1024];
	const char *lex;
	size_t i;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.SMUGGLING_MEMO");
	p->min_matches = (uint32_t)fin_param_int(r, p->det, "min_matches", 2);
	p->min_counterparties = (uint32_t)fin_param_int(r, p->det, "min_counterparties", 2);
	p->min_weight = fin_param(r, p->det, "min_weight", 1.0);
	if (!d->memos.len)
		return 0;  /* no memos in the data: nothing to scan */
	snprintf(key, sizeof key, "finance.%s.lexicon", fin_detector_at((size_t)p->det)->key);
	lex = cfg_str(r->cfg, key, "lexicons/fin_memo_smuggling.tsv");
	if (ws_data_path(path, sizeof path, lex))
		return ws_error(r->ws, RASTRO_USAGE, "%s: path too long", key);
	err_clear(&err);
	{
		const char *paths[1] = { path };

		p->lx = lex_load(paths, 1, &err);
	}
	if (!p->lx)
		return ws_error(r->ws, err.code ? err.code : RASTRO_ERROR, "%s", err.msg);
	if (lex_ncodes(p->lx) > MAX_CODES)
		return ws_error(r->ws, RASTRO_LIMIT, "%s: more than %d codes", path, MAX_CODES);
	p->w = mem_calloc(d->ntx + 1, sizeof *p->w);
	p->codes = mem_calloc(d->ntx + 1, sizeof *p->codes);
	sc = lex_scanner_new(p->lx, &err);
	if (!p->w || !p->codes || !sc) {
		lex_scanner_free(sc);
		return ws_error(r->ws, RASTRO_NOMEM, "out of memory scanning memos");
	}
	for (i = 0; i < d->ntx; i++) {
		struct scan_ctx c = { p->lx, 0, 0 };
		const char *m;
		int rc;

		if (!d->memo[i])
			continue;
		m = d->memos.buf + d->memo[i] - 1;
		rc = lex_scan(sc, m, strlen(m), on_match, &c);
		if (rc) {
			lex_scanner_free(sc);
			return ws_error(r->ws, rc, "scanning memos failed");
		}
		p->scanned++;
		if (c.seen) {
			p->w[i] = (float)c.w;
			p->codes[i] = c.seen;
			p->matched++;
		}
	}
	lex_scanner_free(sc);
	return 0;
}

/* Codes matched by a set of transactions, as "MEMO.FEE, MEMO.CROSSING". */
static void code_list(const struct memo_p *p, uint32_t bits, struct sbuf *sb)
{
	size_t k;
	int first = 1;

	for (k = 0; k < lex_ncodes(p->lx) && k < MAX_CODES; k++)
		if (bits & (1u << k)) {
			sbuf_addf(sb, "%s%s", first ? "" : ", ", lex_code(p->lx, k)->name);
			first = 0;
		}
}

static int memo_account(struct fin_run *r, const void *st, uint32_t a, struct fin_scratch *x,
			struct fin_sink *out)
{
	const struct memo_p *p = st;
	const struct fin_data *d = r->d;
	int side;

	if (!p->w)
		return 0;
	for (side = 0; side < 2; side++) {
		const uint32_t *l = side ? d->out_tx + d->out_off[a] : d->in_tx + d->in_off[a];
		size_t n = side ? d->out_off[a + 1] - d->out_off[a] : d->in_off[a + 1] - d->in_off[a], i;
		uint32_t matches = 0, parties = 0, bits = 0, st2 = fin_stamp(x);
		struct fin_sigb b;
		const char *example = NULL;
		char usd[48];

		x->tmp32.len = 0;
		for (i = 0; i < n; i++) {
			uint32_t t = l[i], cp = side ? d->dst[t] : d->src[t];

			if (p->w[t] < p->min_weight || cp == a)
				continue;
			matches++;
			bits |= p->codes[t];
			if (!example)
				example = d->memos.buf + d->memo[t] - 1;
			if (cp != FIN_NONE && x->acc_mark[cp] != st2) {
				x->acc_mark[cp] = st2;
				parties++;
			}
			if (vec_push(&x->tmp32, &t))
				return RASTRO_NOMEM;
		}
		if (matches < p->min_matches || parties < p->min_counterparties)
			continue;
		fin_sig_begin(&b, out, p->det, a, fin_strength(parties, p->min_counterparties, 4.0 * p->min_counterparties));
		for (i = 0; i < x->tmp32.len; i++)
			fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[i]);
		sbuf_clear(&x->sb);
		code_list(p, bits, &x->sb);
		fin_fmt_usd(usd, sizeof usd, fin_sum_usd(d, x->tmp32.data, x->tmp32.len, NULL));
		fin_sig_int(&b, "matching_memos", matches);
		fin_sig_int(&b, side ? "payees" : "payers", parties);
		fin_sig_str(&b, "codes", x->sb.buf);
		fin_sig_str(&b, "direction", side ? "sent" : "received");
		fin_sig_str(&b, "example_memo", example ? example : "");
		if (side)
			fin_sig_say(&b, "Account %s sent %u payments to %u different accounts whose memos use smuggling "
				    "terms (%s; e.g. \"%.80s\"), %s in total.", fin_acc_name(d, a), matches, parties,
				    x->sb.buf, example ? example : "", usd);
		else
			fin_sig_say(&b, "Account %s received %u payments from %u different payers whose memos use "
				    "smuggling terms (%s; e.g. \"%.80s\"), %s in total.", fin_acc_name(d, a), matches,
				    parties, x->sb.buf, example ? example : "", usd);
		fin_sig_end(&b, d, r->max_evidence);
	}
	return 0;
}

const struct fin_detector fin_det_memo[] = {
	{ "FIN.SMUGGLING_MEMO", "smuggling_memo", TY_HS,
	  "FIN-2023-Alert001 (smuggling fees paid by wire and P2P; payouts to guides, drivers and "
	  "stash houses), read from P2P memos and wire references with the smuggling lexicon",
	  "payment memos that use smuggling terms", memo_prepare, memo_account, NULL, memo_release, NULL },
};
const size_t fin_det_memo_n = sizeof fin_det_memo / sizeof fin_det_memo[0];
