/*
 * fin_sar: a draft SAR narrative for one account, built only from the
 * stored signals and their evidence — who, what, when, where, why and how —
 * with the FinCEN key terms for SAR field 2 and the narrative
 * ("HUMAN TRAFFICKING FIN-2020-A008", "FIN-2023-HUMANSMUGGLING"), the field
 * 38 boxes (38(h) human trafficking, 38(g) human smuggling) and the list of
 * supporting transactions with their source file and line.
 *
 * What the caller may not see never enters the draft: the account of a
 * potential victim gets no draft at all (RASTRO_DENIED); potential victims
 * and the people a signal lists as affected are never named (counterparties
 * are shown as "[protected]"); records whose dissemination label the caller
 * lacks are left out and counted.
 */
#include "fin.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/u64map.h"
#include "fin_view.h"

struct sar_txn {
	int64_t id, source, line, ts, src, dst;
	double amount;
	char currency[8], channel[16], place[96], memo[96], from[96], to[96], category[32];
};

static void amount_text(char *out, size_t n, double amount, const char *cur)
{
	if (strcmp(cur, "USD") == 0)
		fin_fmt_usd(out, n, amount);
	else
		snprintf(out, n, "%.2f %s", amount, cur);
}

static void sar_header(struct sbuf *o, const char *title)
{
	size_t n = strlen(title), i;

	sbuf_addf(o, "\n%s\n", title);
	for (i = 0; i < n; i++)
		sbuf_addc(o, '-');
	sbuf_addc(o, '\n');
}

/* A counterparty as the draft may show it. */
static void party(const struct fin_view *v, const struct u64map *protect, int64_t ent, const char *key,
		  const char *label, char *out, size_t n)
{
	uint64_t dummy;

	if (!ent)
		snprintf(out, n, "(cash)");
	else if (fin_view_is_victim(v, ent) || u64map_get(protect, (uint64_t)ent, &dummy))
		snprintf(out, n, "[protected]");
	else if (label && *label)
		snprintf(out, n, "%s (%s)", key ? key : "?", label);
	else
		snprintf(out, n, "%s", key ? key : "?");
}

int rastro_sar(rastro_ws *ws, const char *account, const struct rastro_viewer *viewer, char **text)
{
	struct fin_view v;
	struct sbuf o = SBUF_INIT;
	struct u64map protect;
	struct vec ev, txns;
	sqlite3_stmt *st = NULL;
	int64_t ent;
	int rc, typ = 0;
	size_t withheld = 0, nsig = 0, i, naff = 0;
	char key[256] = "", label[256] = "", bank[64] = "", number[128] = "";
	char now[32];
	double risk = 0;
	char parts[1024] = "";
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	double in_usd = 0, out_usd = 0;
	size_t max_list = (size_t)cfg_int(ws->cfg, "finance.sar.max_transactions", 200);

	*text = NULL;
	if (fin_view_find_account(ws, account, &ent))
		return ws->err.code;
	memset(&v, 0, sizeof v);
	u64map_init(&protect);
	vec_init(&ev, sizeof(struct fin_evrec));
	vec_init(&txns, sizeof(struct sar_txn));
	sbuf_init(&o);
	if (fin_view_open(ws, viewer, &v))
		goto fail;
	if (fin_view_is_victim(&v, ent)) {
		ws_error(ws, RASTRO_DENIED, "account '%s' belongs to a potential victim: no SAR draft is produced "
			 "for it (see the victims module for referral)", account);
		goto fail;
	}
	/* the subject */
	if (ws_prepare(ws, "SELECT e.key, e.label, a.bank, a.number FROM entity e LEFT JOIN account a"
			   " ON a.entity_id = e.id WHERE e.id = ?1", &st))
		goto fail;
	sqlite3_bind_int64(st, 1, ent);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(key, sizeof key, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
		snprintf(label, sizeof label, "%s", sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		snprintf(bank, sizeof bank, "%s", sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
		snprintf(number, sizeof number, "%s", sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : key);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "SELECT score, parts FROM fin_risk WHERE entity_id = ?1", &st))
		goto fail;
	sqlite3_bind_int64(st, 1, ent);
	if (sqlite3_step(st) == SQLITE_ROW) {
		struct sbuf pt = SBUF_INIT;
		char top[64];

		sbuf_init(&pt);
		risk = sqlite3_column_double(st, 0);
		fin_parts_text((const char *)sqlite3_column_text(st, 1), &pt, top, sizeof top);
		snprintf(parts, sizeof parts, "%s", pt.buf);
		sbuf_release(&pt);
	}
	sqlite3_finalize(st);
	st = NULL;

	/* signals, their evidence, the people they protect */
	{
		struct sbuf why = SBUF_INIT;
		const char *codes_seen[64];
		size_t ncodes = 0;

		sbuf_init(&why);
		if (ws_prepare(ws, "SELECT id, code, score, explanation, details FROM signal WHERE stage = 'finance'"
				   " AND entity_id = ?1 ORDER BY score DESC, id", &st)) {
			sbuf_release(&why);
			goto fail;
		}
		sqlite3_bind_int64(st, 1, ent);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *code = (const char *)sqlite3_column_text(st, 1);
			int k = fin_detector_find(code);
			size_t before = ev.len, wh = 0, c;
			json_error_t jerr;
			json_t *det = json_loads((const char *)sqlite3_column_text(st, 4), 0, &jerr);
			json_t *aff = json_object_get(det, "affected");

			if (fin_view_evidence(&v, sqlite3_column_int64(st, 0), &ev, &wh)) {
				json_decref(det);
				sbuf_release(&why);
				goto fail;
			}
			withheld += wh;
			if (ev.len == before && wh) {
				json_decref(det);
				continue;
			}
			for (c = 0; c < json_array_size(aff); c++) {
				int created = 0;
				uint64_t *slot = u64map_ref(&protect, (uint64_t)json_integer_value(json_array_get(aff, c)),
							    &created);

				if (slot && created)
					naff++;
			}
			json_decref(det);
			nsig++;
			if (k >= 0)
				typ |= fin_detector_at((size_t)k)->typology;
			sbuf_addf(&why, "  - %s (%s): %s\n", code, k >= 0 ? fin_detector_at((size_t)k)->title : "",
				  (const char *)sqlite3_column_text(st, 3));
			for (c = 0; c < ncodes; c++)
				if (strcmp(codes_seen[c], code) == 0)
					break;
			if (c == ncodes && k >= 0 && ncodes < 64) {
				codes_seen[ncodes++] = fin_detector_at((size_t)k)->code;
			}
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			sbuf_release(&why);
			ws_sqlerr(ws, "reading signals");
			goto fail;
		}
		if (!nsig) {
			sbuf_release(&why);
			ws_error(ws, RASTRO_NOTFOUND, "account '%s' has no finance signals the caller may see: nothing "
				 "to report (run 'rastro detect' first?)", account);
			goto fail;
		}

		/* the transactions behind them */
		if (ws_prepare(ws, "SELECT t.id, t.source_id, t.line, t.ts, coalesce(t.src, 0), coalesce(t.dst, 0),"
				   " t.amount, t.currency, t.channel, t.category, t.city, t.region, t.country, t.memo,"
				   " es.key, es.label, ed.key, ed.label FROM txn t LEFT JOIN entity es ON es.id = t.src"
				   " LEFT JOIN entity ed ON ed.id = t.dst WHERE t.id = ?1", &st)) {
			sbuf_release(&why);
			goto fail;
		}
		{
			const struct fin_evrec *e = ev.data;
			int64_t last = -1;

			/* evidence arrives signal by signal: walk it in record order */
			int64_t *ids = mem_alloc((ev.len + 1) * sizeof *ids);
			size_t nid = 0, a, b2;

			if (!ids) {
				sbuf_release(&why);
				ws_error(ws, RASTRO_NOMEM, "out of memory");
				goto fail;
			}
			for (a = 0; a < ev.len; a++)
				if (e[a].is_txn)
					ids[nid++] = e[a].record;
			/* insertion into order: evidence lists are short */
			for (a = 1; a < nid; a++)
				for (b2 = a; b2 > 0 && ids[b2] < ids[b2 - 1]; b2--) {
					int64_t tmp = ids[b2];

					ids[b2] = ids[b2 - 1];
					ids[b2 - 1] = tmp;
				}
			for (a = 0; a < nid; a++) {
				struct sar_txn tx;
				const char *s;

				if (ids[a] == last)
					continue;
				last = ids[a];
				sqlite3_reset(st);
				sqlite3_bind_int64(st, 1, ids[a]);
				if (sqlite3_step(st) != SQLITE_ROW)
					continue;
				memset(&tx, 0, sizeof tx);
				tx.id = sqlite3_column_int64(st, 0);
				tx.source = sqlite3_column_int64(st, 1);
				tx.line = sqlite3_column_int64(st, 2);
				tx.ts = sqlite3_column_int64(st, 3);
				tx.src = sqlite3_column_int64(st, 4);
				tx.dst = sqlite3_column_int64(st, 5);
				tx.amount = sqlite3_column_double(st, 6);
				snprintf(tx.currency, sizeof tx.currency, "%s", (const char *)sqlite3_column_text(st, 7));
				snprintf(tx.channel, sizeof tx.channel, "%s", (const char *)sqlite3_column_text(st, 8));
				s = (const char *)sqlite3_column_text(st, 9);
				snprintf(tx.category, sizeof tx.category, "%s", s ? s : "");
				snprintf(tx.place, sizeof tx.place, "%s%s%s%s%s",
					 sqlite3_column_text(st, 10) ? (const char *)sqlite3_column_text(st, 10) : "",
					 sqlite3_column_text(st, 10) && sqlite3_column_text(st, 11) ? ", " : "",
					 sqlite3_column_text(st, 11) ? (const char *)sqlite3_column_text(st, 11) : "",
					 sqlite3_column_text(st, 12) ? " " : "",
					 sqlite3_column_text(st, 12) ? (const char *)sqlite3_column_text(st, 12) : "");
				s = (const char *)sqlite3_column_text(st, 13);
				snprintf(tx.memo, sizeof tx.memo, "%s", s ? s : "");
				party(&v, &protect, tx.src, (const char *)sqlite3_column_text(st, 14),
				      (const char *)sqlite3_column_text(st, 15), tx.from, sizeof tx.from);
				party(&v, &protect, tx.dst, (const char *)sqlite3_column_text(st, 16),
				      (const char *)sqlite3_column_text(st, 17), tx.to, sizeof tx.to);
				if (tx.ts < t0)
					t0 = tx.ts;
				if (tx.ts > t1)
					t1 = tx.ts;
				if (tx.dst == ent && tx.src != ent && strcmp(tx.currency, "USD") == 0)
					in_usd += tx.amount;
				if (tx.src == ent && tx.dst != ent && strcmp(tx.currency, "USD") == 0)
					out_usd += tx.amount;
				if (vec_push(&txns, &tx)) {
					mem_free(ids);
					sbuf_release(&why);
					ws_error(ws, RASTRO_NOMEM, "out of memory");
					goto fail;
				}
			}
			mem_free(ids);
		}
		sqlite3_finalize(st);
		st = NULL;

		/* ---- the draft ---- */
		ws_now(now);
		sbuf_addf(&o, "SUSPICIOUS ACTIVITY REPORT — DRAFT NARRATIVE\n"
			      "Prepared by rastro %s on %s from workspace %s.\n"
			      "A draft for the filing institution's review; it is not a filed report. Every statement\n"
			      "below comes from a detector finding whose transactions are listed at the end.\n",
			  rastro_version(), now, ws->path);
		sar_header(&o, "SAR field 2 (Filing Institution Note to FinCEN) and narrative key terms");
		if (typ & TY_HT)
			sbuf_adds(&o, "  HUMAN TRAFFICKING FIN-2020-A008\n");
		if (typ & TY_HS)
			sbuf_adds(&o, "  FIN-2023-HUMANSMUGGLING\n");
		if (!(typ & (TY_HT | TY_HS)))
			sbuf_adds(&o, "  (none: no human-trafficking or human-smuggling indicator fired for this account;\n"
				      "   the activity below is reported under the money-laundering / structuring categories)\n");
		sar_header(&o, "SAR field 38 (Other suspicious activities)");
		sbuf_addf(&o, "  [%c] 38(h) Human trafficking\n", typ & TY_HT ? 'x' : ' ');
		sbuf_addf(&o, "  [%c] 38(g) Human smuggling\n", typ & TY_HS ? 'x' : ' ');
		if (typ & TY_STRUCT)
			sbuf_adds(&o, "  Also consider the form's structuring category (cash kept under the $10,000 CTR threshold).\n");
		if (typ & TY_ML)
			sbuf_adds(&o, "  Also consider the form's money-laundering category (layering patterns below).\n");

		sar_header(&o, "Who (subject)");
		if (bank[0])
			sbuf_addf(&o, "  Account: bank %s, number %s (rastro entity #%lld)\n", bank, number,
				  (long long)ent);
		else
			sbuf_addf(&o, "  Account: number %s (rastro entity #%lld)\n", number, (long long)ent);
		if (label[0])
			sbuf_addf(&o, "  Name on the account: %s\n", label);
		if (ws_prepare(ws, "SELECT name, customer_id, customer_type, occupation, business_type, address,"
				   " city, region, country, opened, source_id, id, line FROM kyc WHERE account = ?1"
				   " ORDER BY id DESC LIMIT 1", &st)) {
			sbuf_release(&why);
			goto fail;
		}
		sqlite3_bind_int64(st, 1, ent);
		if (sqlite3_step(st) == SQLITE_ROW) {
			if (!fin_view_source_ok(&v, sqlite3_column_int64(st, 10))) {
				sbuf_adds(&o, "  Customer record: withheld (dissemination label not held by the caller)\n");
				withheld++;
			} else {
				const char *f[10];
				int c;

				for (c = 0; c < 10; c++)
					f[c] = sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c) : "";
				sbuf_addf(&o, "  Holder: %s%s%s%s\n", f[0], f[1][0] ? " (customer " : "", f[1], f[1][0] ? ")" : "");
				if (f[2][0] || f[3][0] || f[4][0])
					sbuf_addf(&o, "  Profile: %s%s%s%s%s\n", f[2], f[3][0] ? "; occupation " : "", f[3],
						  f[4][0] ? "; business type " : "", f[4]);
				if (f[5][0] || f[6][0])
					sbuf_addf(&o, "  Address: %s%s%s%s%s%s%s\n", f[5], f[5][0] && f[6][0] ? ", " : "", f[6],
						  f[7][0] ? ", " : "", f[7], f[8][0] ? " " : "", f[8]);
				if (f[9][0])
					sbuf_addf(&o, "  Account opened: %s\n", f[9]);
				sbuf_addf(&o, "  (customer record %lld, %s line %lld)\n", (long long)sqlite3_column_int64(st, 11),
					  fin_view_source_path(&v, sqlite3_column_int64(st, 10)),
					  (long long)sqlite3_column_int64(st, 12));
			}
		}
		sqlite3_finalize(st);
		st = NULL;
		sbuf_addf(&o, "  Risk score: %.2f = %s\n", risk, parts[0] ? parts : "(not scored)");

		sar_header(&o, "What, when and where");
		{
			char d0[32] = "?", d1[32] = "?", uin[48], uout[48];
			struct sbuf places = SBUF_INIT;
			size_t k, np = 0;

			sbuf_init(&places);
			if (t0 != INT64_MAX) {
				format_date(t0, d0);
				format_date(t1, d1);
			}
			fin_fmt_usd(uin, sizeof uin, in_usd);
			fin_fmt_usd(uout, sizeof uout, out_usd);
			sbuf_addf(&o, "  Between %s and %s, account %s was the subject of %zu detector finding%s resting on\n"
				      "  %zu transactions (money in: %s; money out: %s; U.S.-dollar amounts only).\n",
				  d0, d1, key, nsig, nsig == 1 ? "" : "s", txns.len, uin, uout);
			for (k = 0; k < txns.len && np < 12; k++) {
				const struct sar_txn *tx = (const struct sar_txn *)txns.data + k;
				char q[100];

				if (!tx->place[0])
					continue;
				snprintf(q, sizeof q, "%s|", tx->place);
				if (strstr(places.buf, q))
					continue;
				sbuf_adds(&places, q);
				np++;
			}
			if (np) {
				char *p2;

				sbuf_adds(&o, "  Places named in the transactions: ");
				for (p2 = places.buf; *p2; p2++) {
					if (*p2 == '|')
						sbuf_adds(&o, p2[1] ? "; " : ".");
					else
						sbuf_addc(&o, *p2);
				}
				sbuf_adds(&o, "\n");
			} else {
				sbuf_adds(&o, "  The transactions name no places.\n");
			}
			sbuf_release(&places);
		}

		sar_header(&o, "Why (indicators, in order of strength)");
		sbuf_add(&o, why.buf, why.len);
		sbuf_release(&why);
		sbuf_adds(&o, "  Indicator sources:\n");
		{
			size_t c;

			for (c = 0; c < ncodes; c++) {
				int k = fin_detector_find(codes_seen[c]);

				if (k >= 0)
					sbuf_addf(&o, "    %s: %s\n", codes_seen[c], fin_detector_at((size_t)k)->source);
			}
		}

		sar_header(&o, "How (channels and counterparties)");
		{
			static const char *const chans[] = { "cash", "wire", "ach", "card", "p2p", "check", "crypto",
							     "prepaid", "reinvestment", "other" };
			size_t c, k;

			for (c = 0; c < sizeof chans / sizeof chans[0]; c++) {
				size_t cnt = 0;
				double sum = 0;

				for (k = 0; k < txns.len; k++) {
					const struct sar_txn *tx = (const struct sar_txn *)txns.data + k;

					if (strcmp(tx->channel, chans[c]) == 0) {
						cnt++;
						if (strcmp(tx->currency, "USD") == 0)
							sum += tx->amount;
					}
				}
				if (cnt) {
					char u[48];

					fin_fmt_usd(u, sizeof u, sum);
					sbuf_addf(&o, "  %-13s %5zu transactions, %s\n", chans[c], cnt, u);
				}
			}
		}
		if (naff)
			sbuf_addf(&o, "  %zu account%s of people who may be exploited (workers, people whose lodging or\n"
				      "  costs are paid, holders sharing identifiers) %s linked to this activity. They are\n"
				      "  not named in this draft; they are referred to the victim-identification process.\n",
				  naff, naff == 1 ? "" : "s", naff == 1 ? "is" : "are");
	}

	sar_header(&o, "Supporting transactions");
	sbuf_adds(&o, "  (record id, source file:line, time, amount, channel, from -> to, place [category])\n");
	for (i = 0; i < txns.len && i < max_list; i++) {
		const struct sar_txn *tx = (const struct sar_txn *)txns.data + i;
		char when[32], amt[64], src[160];

		fin_fmt_time(when, sizeof when, tx->ts);
		amount_text(amt, sizeof amt, tx->amount, tx->currency);
		snprintf(src, sizeof src, "%s:%lld", fin_view_source_path(&v, tx->source), (long long)tx->line);
		sbuf_addf(&o, "  %-8lld %-22s %s  %14s  %-7s %s -> %s%s%s%s%s%s\n", (long long)tx->id, src, when, amt,
			  tx->channel, tx->from, tx->to, tx->place[0] ? "  " : "", tx->place,
			  tx->category[0] ? " [" : "", tx->category, tx->category[0] ? "]" : "");
		if (tx->memo[0])
			sbuf_addf(&o, "           memo: \"%s\"\n", tx->memo);
	}
	if (txns.len > max_list)
		sbuf_addf(&o, "  ... and %zu more transactions (rastro alerts --by-signal lists every record id).\n",
			  txns.len - max_list);
	if (withheld)
		sbuf_addf(&o, "\n  %zu supporting record%s withheld: the caller's dissemination labels do not cover %s.\n",
			  withheld, withheld == 1 ? "" : "s", withheld == 1 ? "it" : "them");
	if (sbuf_failed(&o)) {
		ws_error(ws, RASTRO_NOMEM, "out of memory writing the SAR draft");
		goto fail;
	}
	fin_view_close(&v);
	u64map_release(&protect);
	vec_release(&ev);
	vec_release(&txns);
	*text = sbuf_detach(&o, NULL);
	return 0;
fail:
	sqlite3_finalize(st);
	fin_view_close(&v);
	u64map_release(&protect);
	vec_release(&ev);
	vec_release(&txns);
	sbuf_release(&o);
	return ws->err.code ? ws->err.code : RASTRO_ERROR;
}

void rastro_sar_free(char *text)
{
	mem_free(text);
}
