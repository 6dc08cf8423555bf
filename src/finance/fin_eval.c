/*
 * fin_eval: `rastro eval` — compares the stored finance signals with ground
 * truth and reports precision, recall and F1 at three levels:
 *
 *   transaction  a transaction is flagged when it is evidence of a signal;
 *                truth is txn.label = 1 (IBM "Is Laundering", AMLSim
 *                is_sar) or membership in a truth network;
 *   account      an account is flagged when it has a risk score (it is the
 *                subject of a signal and not a potential victim); truth is
 *                every non-victim member of a truth network, or for label-
 *                only data every account that paid or received a labelled
 *                transaction;
 *   network      a truth network is found when at least one of its accounts
 *                is flagged; a flagged group (accounts joined by shared
 *                evidence) is correct when it holds a truth member;
 *
 * per typology (IBM pattern kind, generator network kind, or "all"), per
 * detector code, and as precision among the top-k alerts.  With --split the
 * IBM protocol is followed: whole days cut 60/20/20 by transaction count,
 * the score threshold chosen on the validation days, figures reported on
 * the test days only (minority-class F1, comparable with the published
 * AMLworld table).
 *
 * This is the only finance code that reads txn.label and txn.label_group.
 */
#include "fin.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/table.h"
#include "core/u64map.h"
#include "fin_view.h"

#define DAY 86400

struct ev_data {
	size_t n;
	int64_t *id, *ts, *src, *dst;   /* entity ids, 0 for none */
	uint8_t *truth;                 /* 1 = illicit */
	uint32_t *net;                  /* truth network index + 1, 0 = none */
	double *score;                  /* strongest signal score naming it as evidence, -1 = none */
	int64_t min_id, max_id;
	uint32_t *by_id;                /* record id - min_id -> index + 1 */
	/* truth networks */
	size_t nnet;
	char **net_kind;
	struct u64map acc_net;          /* truth account entity -> network index + 1 */
	struct u64map victims;          /* entity ids in victim_flag or truth role victim */
	struct u64map alerted;          /* alerted account entity -> rank */
	struct u64map ranked;           /* alerted, then watched, account -> rank (top-k) */
	struct u64map neutral;          /* buyers: neither suspect nor false alarm (account level) */
	struct strmap kinds;            /* typology names */
	struct strmap roles;            /* member roles from a truth file */
	struct u64map acc_role;         /* truth account entity -> role id */
};

static void ev_release(struct ev_data *e)
{
	size_t i;

	mem_free(e->id);
	mem_free(e->ts);
	mem_free(e->src);
	mem_free(e->dst);
	mem_free(e->truth);
	mem_free(e->net);
	mem_free(e->score);
	mem_free(e->by_id);
	for (i = 0; i < e->nnet; i++)
		mem_free(e->net_kind[i]);
	mem_free(e->net_kind);
	u64map_release(&e->acc_net);
	u64map_release(&e->victims);
	u64map_release(&e->alerted);
	u64map_release(&e->ranked);
	u64map_release(&e->neutral);
	u64map_release(&e->acc_role);
	strmap_release(&e->kinds);
	strmap_release(&e->roles);
}

static int add_net(rastro_ws *ws, struct ev_data *e, const char *kind)
{
	char **p = mem_realloc(e->net_kind, (e->nnet + 1) * sizeof *p);

	if (!p)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	e->net_kind = p;
	p[e->nnet] = mem_strdup(kind ? kind : "all");
	if (!p[e->nnet] || !strmap_intern(&e->kinds, p[e->nnet], strlen(p[e->nnet]), NULL))
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	e->nnet++;
	return 0;
}

static int64_t tx_index(const struct ev_data *e, int64_t id)
{
	if (id < e->min_id || id > e->max_id)
		return -1;
	return (int64_t)e->by_id[id - e->min_id] - 1;
}

/* Transactions with their labels; label groups become networks. */
static int load_txns(rastro_ws *ws, struct ev_data *e, int use_groups)
{
	sqlite3_stmt *st;
	int64_t n;
	size_t i = 0;
	int rc;
	struct strmap groups;

	if (ws_query_i64(ws, "SELECT count(*) FROM txn", 0, &n) ||
	    ws_query_i64(ws, "SELECT coalesce(min(id), 0) FROM txn", 0, &e->min_id) ||
	    ws_query_i64(ws, "SELECT coalesce(max(id), 0) FROM txn", 0, &e->max_id))
		return ws->err.code;
	e->n = (size_t)n;
	e->id = mem_alloc((e->n + 1) * sizeof *e->id);
	e->ts = mem_alloc((e->n + 1) * sizeof *e->ts);
	e->src = mem_alloc((e->n + 1) * sizeof *e->src);
	e->dst = mem_alloc((e->n + 1) * sizeof *e->dst);
	e->truth = mem_calloc(e->n + 1, 1);
	e->net = mem_calloc(e->n + 1, sizeof *e->net);
	e->score = mem_alloc((e->n + 1) * sizeof *e->score);
	e->by_id = mem_calloc((size_t)(e->max_id - e->min_id + 1), sizeof *e->by_id);
	if (!e->id || !e->ts || !e->src || !e->dst || !e->truth || !e->net || !e->score || !e->by_id)
		return ws_error(ws, RASTRO_NOMEM, "out of memory loading %zu transactions", e->n);
	strmap_init(&groups);
	if (ws_prepare(ws, "SELECT id, ts, coalesce(src, 0), coalesce(dst, 0), coalesce(label, 0), label_group"
			   " FROM txn", &st)) {
		strmap_release(&groups);
		return ws->err.code;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < e->n) {
		e->id[i] = sqlite3_column_int64(st, 0);
		e->ts[i] = sqlite3_column_int64(st, 1);
		e->src[i] = sqlite3_column_int64(st, 2);
		e->dst[i] = sqlite3_column_int64(st, 3);
		e->truth[i] = sqlite3_column_int64(st, 4) != 0;
		e->score[i] = -1;
		e->by_id[e->id[i] - e->min_id] = (uint32_t)i + 1;
		if (use_groups && e->truth[i] && sqlite3_column_type(st, 5) != SQLITE_NULL) {
			int isnew = 0;
			uint32_t g = strmap_intern(&groups, (const char *)sqlite3_column_text(st, 5),
						   (size_t)sqlite3_column_bytes(st, 5), &isnew);

			if (!g) {
				rc = SQLITE_NOMEM;
				break;
			}
			if (isnew && add_net(ws, e, "all")) {
				sqlite3_finalize(st);
				strmap_release(&groups);
				return ws->err.code;
			}
			e->net[i] = g;
		}
		i++;
	}
	sqlite3_finalize(st);
	strmap_release(&groups);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_NOMEM ? ws_error(ws, RASTRO_NOMEM, "out of memory") : ws_sqlerr(ws, "reading transactions");
	e->n = i;
	return 0;
}

/* ---- truth files ---- */

static int64_t account_entity(rastro_ws *ws, sqlite3_stmt *st, const char *bank, size_t bn,
			      const char *num, size_t nn)
{
	char key[256];
	int64_t id = 0;

	while (bn > 1 && *bank == '0') {
		bank++;
		bn--;
	}
	if (bn)
		snprintf(key, sizeof key, "%.*s/%.*s", (int)bn, bank, (int)nn, num);
	else
		snprintf(key, sizeof key, "%.*s", (int)nn, num);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	(void)ws;
	return id;
}

/* Splits a CSV line without quotes into at most 16 fields. */
static int split_plain(char *s, char **f, size_t *fl, int max)
{
	int n = 0;

	while (n < max) {
		char *c = strchr(s, ',');

		f[n] = s;
		fl[n] = c ? (size_t)(c - s) : strlen(s);
		n++;
		if (!c)
			break;
		s = c + 1;
	}
	return n;
}

/* IBM AMLworld *_Patterns.txt: blocks of laundering attempts. */
static int load_ibm_patterns(rastro_ws *ws, struct ev_data *e, const char *path)
{
	FILE *f = fopen(path, "rb");
	char line[1024];
	int lineno = 0, in_block = 0;
	sqlite3_stmt *acc = NULL, *tx = NULL;
	size_t matched = 0, missed = 0;
	char kind[64] = "";

	if (!f)
		return ws_error(ws, RASTRO_NOTFOUND, "cannot open truth file '%s': %s", path, strerror(errno));
	if (ws_prepare(ws, "SELECT id FROM entity WHERE kind = 'account' AND key = ?1", &acc) ||
	    ws_prepare(ws, "SELECT id, amount FROM txn WHERE src = ?1 AND ts = ?2 AND dst = ?3", &tx)) {
		fclose(f);
		sqlite3_finalize(acc);
		return ws->err.code;
	}
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		char *fld[16];
		size_t fl[16];
		int nf;

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		if (strncmp(line, "BEGIN LAUNDERING ATTEMPT", 24) == 0) {
			const char *dash = strchr(line, '-');
			const char *colon = dash ? strchr(dash, ':') : NULL;
			size_t k = 0;

			if (dash) {
				dash++;
				while (*dash == ' ')
					dash++;
				for (; dash < (colon ? colon : line + n) && k + 1 < sizeof kind; dash++)
					kind[k++] = *dash;
			}
			while (k && kind[k - 1] == ' ')
				k--;
			kind[k] = '\0';
			if (add_net(ws, e, kind[0] ? kind : "UNKNOWN"))
				goto fail;
			in_block = 1;
			continue;
		}
		if (strncmp(line, "END LAUNDERING ATTEMPT", 22) == 0) {
			in_block = 0;
			continue;
		}
		if (!in_block)
			continue;
		nf = split_plain(line, fld, fl, 16);
		if (nf < 10) {
			ws_error(ws, RASTRO_FORMAT, "%s:%d: expected 11 comma-separated fields in a pattern row", path, lineno);
			goto fail;
		}
		{
			int64_t ts, s, d, found = -1;
			double amt;
			const char *why = parse_timestamp(fld[0], fl[0], &ts);

			if (!why)
				why = parse_double(fld[5], fl[5], &amt);
			if (why) {
				ws_error(ws, RASTRO_FORMAT, "%s:%d: %s", path, lineno, why);
				goto fail;
			}
			s = account_entity(ws, acc, fld[1], fl[1], fld[2], fl[2]);
			d = account_entity(ws, acc, fld[3], fl[3], fld[4], fl[4]);
			if (s && d) {
				sqlite3_reset(tx);
				sqlite3_bind_int64(tx, 1, s);
				sqlite3_bind_int64(tx, 2, ts);
				sqlite3_bind_int64(tx, 3, d);
				while (sqlite3_step(tx) == SQLITE_ROW)
					if (fabs(sqlite3_column_double(tx, 1) - amt) < 0.005 + 1e-9 * amt) {
						found = tx_index(e, sqlite3_column_int64(tx, 0));
						break;
					}
			}
			if (found >= 0) {
				e->truth[found] = 1;
				e->net[found] = (uint32_t)e->nnet;
				matched++;
			} else {
				missed++;
			}
		}
	}
	fclose(f);
	sqlite3_finalize(acc);
	sqlite3_finalize(tx);
	if (!e->nnet)
		return ws_error(ws, RASTRO_FORMAT, "'%s' is neither an IBM AMLworld patterns file (no 'BEGIN LAUNDERING "
				"ATTEMPT' blocks) nor a rastro gen truth file (*.json)", path);
	if (!matched && missed)
		return ws_error(ws, RASTRO_FORMAT, "'%s': none of its %zu pattern rows matches a transaction of the "
				"workspace (wrong file?)", path, missed);
	return 0;
fail:
	fclose(f);
	sqlite3_finalize(acc);
	sqlite3_finalize(tx);
	return ws->err.code;
}

/*
 * A rastro gen truth file (docs/generator.md): {"format": "rastro-truth",
 * "networks": [{"id", "kind", "members": [{"id", "type", "role", "bank"?}],
 * "transactions": [txn ids]}]}.  Members of type "account" are account
 * numbers with their bank (the account key is bank/number).  Role "victim"
 * marks victims (never suspects); role "customer" (families paying fees,
 * outside the organisation) is neither truth nor victim: alerting one is a
 * false positive.  Role "buyer" (the demand side of a sex-trafficking
 * network: people paying for sex, outside the organisation that exploits)
 * is not a suspect account unless `buyers` asks to count them; an alerted
 * buyer is not a false alarm either (she paid a trafficking victim: a lead
 * into the network), so account precision leaves buyers out.
 */
static int load_truth_json(rastro_ws *ws, struct ev_data *e, const char *path, int buyers)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *nets;
	sqlite3_stmt *acc = NULL, *tx = NULL;
	size_t i;
	int rc = 0;

	if (!root)
		return ws_error(ws, RASTRO_FORMAT, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	nets = json_object_get(root, "networks");
	if (!json_is_array(nets)) {
		json_decref(root);
		return ws_error(ws, RASTRO_FORMAT, "%s: no \"networks\" array (not a rastro gen truth file)", path);
	}
	if (ws_prepare(ws, "SELECT id FROM entity WHERE kind = 'account' AND key = ?1", &acc) ||
	    ws_prepare(ws, "SELECT id FROM txn WHERE ext_id = ?1", &tx)) {
		rc = ws->err.code;
		goto out;
	}
	for (i = 0; i < json_array_size(nets); i++) {
		json_t *n = json_array_get(nets, i), *m = json_object_get(n, "members"),
		       *t = json_object_get(n, "transactions");
		const char *kind = json_string_value(json_object_get(n, "kind"));
		size_t k;

		if ((rc = add_net(ws, e, kind ? kind : "unknown")))
			goto out;
		for (k = 0; k < json_array_size(m); k++) {
			json_t *mm = json_array_get(m, k);
			const char *type = json_string_value(json_object_get(mm, "type"));
			const char *id = json_string_value(json_object_get(mm, "id"));
			const char *bank = json_string_value(json_object_get(mm, "bank"));
			const char *role = json_string_value(json_object_get(mm, "role"));
			int64_t ent;

			if (!id || (type && strcmp(type, "account") != 0))
				continue;
			ent = account_entity(ws, acc, bank ? bank : "", bank ? strlen(bank) : 0, id, strlen(id));
			if (!ent)
				continue;
			if (role && strcmp(role, "customer") == 0)
				continue;
			if (role && !buyers && strcmp(role, "buyer") == 0) {
				if (u64map_put(&e->neutral, (uint64_t)ent, 1)) {
					rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
					goto out;
				}
				continue;
			}
			if (role && strcmp(role, "victim") == 0) {
				if (u64map_put(&e->victims, (uint64_t)ent, 1)) {
					rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
					goto out;
				}
			} else {
				uint32_t rid = strmap_intern(&e->roles, role ? role : "member", strlen(role ? role : "member"),
							     NULL);

				if (!rid || u64map_put(&e->acc_net, (uint64_t)ent, e->nnet) ||
				    u64map_put(&e->acc_role, (uint64_t)ent, rid)) {
					rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
					goto out;
				}
			}
		}
		for (k = 0; k < json_array_size(t); k++) {
			json_t *tt = json_array_get(t, k);
			char buf[64];
			const char *tid = json_string_value(tt);
			int64_t ix = -1;

			if (!tid && json_is_integer(tt)) {
				snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(tt));
				tid = buf;
			}
			if (!tid)
				continue;
			sqlite3_reset(tx);
			sqlite3_bind_text(tx, 1, tid, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(tx) == SQLITE_ROW)
				ix = tx_index(e, sqlite3_column_int64(tx, 0));
			if (ix >= 0) {
				e->truth[ix] = 1;
				e->net[ix] = (uint32_t)e->nnet;
			}
		}
	}
	/* a victim named in one network and a member of another stays a victim */
	{
		size_t sl;

		for (sl = 0; sl < e->victims.nslots; sl++) {
			uint64_t v;

			if (e->victims.keys[sl] != UINT64_MAX && u64map_get(&e->acc_net, e->victims.keys[sl], &v))
				u64map_put(&e->acc_net, e->victims.keys[sl], 0);
		}
	}
out:
	sqlite3_finalize(acc);
	sqlite3_finalize(tx);
	json_decref(root);
	return rc;
}

/* ---- predictions ---- */

static int load_predictions(rastro_ws *ws, struct ev_data *e, struct fin_view *v)
{
	sqlite3_stmt *st;
	int rc;
	uint64_t rank = 0;

	/* a transaction's score: the weighted strongest signal of each
	 * detector that cites it, added up like an account's risk parts */
	if (ws_prepare(ws, "SELECT se.record_id, s.code, max(s.score) FROM signal_evidence se JOIN signal s"
			   " ON s.id = se.signal_id WHERE s.stage = 'finance' AND (s.entity_id IS NULL OR s.entity_id"
			   " NOT IN (SELECT entity_id FROM victim_flag)) GROUP BY se.record_id, s.code", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ix = tx_index(e, sqlite3_column_int64(st, 0));
		int k = fin_detector_find((const char *)sqlite3_column_text(st, 1));
		double w = 1.0;

		if (ix < 0)
			continue;
		if (k >= 0) {
			char key[96];

			snprintf(key, sizeof key, "finance.%s.weight", fin_detector_at((size_t)k)->key);
			w = cfg_double(ws->cfg, key, 1.0);
		}
		if (e->score[ix] < 0)
			e->score[ix] = 0;
		e->score[ix] += w * sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading signal evidence");
	/* predicted = alerted accounts, ranked as `rastro alerts --watch` lists them */
	if (ws_prepare(ws, "SELECT entity_id, alert FROM fin_risk ORDER BY alert DESC, score DESC, entity_id", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ent = sqlite3_column_int64(st, 0);

		if (fin_view_is_victim(v, ent))
			continue;
		++rank;
		if (u64map_put(&e->ranked, (uint64_t)ent, rank) ||
		    (sqlite3_column_int(st, 1) && u64map_put(&e->alerted, (uint64_t)ent, rank))) {
			sqlite3_finalize(st);
			return ws_error(ws, RASTRO_NOMEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading risk scores");
	return 0;
}

/* ---- figures ---- */

struct prf {
	uint64_t tp, fp, fn;
};

static void add_row_pr(rastro_table *t, const char *level, const char *group, const char *subset,
		       long long k, const struct prf *c, double precision, const char *note);

enum { BOTH = 0, RECALL_ONLY = 1, PRECISION_ONLY = 2 };

/* One row; figures that the row's units do not define are left empty
 * (recall of a detector's own findings, precision of a truth typology). */
static void add_row_m(rastro_table *t, const char *level, const char *group, const char *subset, long long k,
		      const struct prf *c, const char *note, int mode)
{
	double p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0;
	double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0;
	double f = p + r > 0 ? 2 * p * r / (p + r) : 0;

	tbl_row(t);
	tbl_set(t, 0, level);
	tbl_set(t, 1, group);
	tbl_set(t, 2, subset);
	if (k)
		tbl_set_i64(t, 3, k);
	tbl_set_i64(t, 4, (long long)c->tp);
	if (mode != RECALL_ONLY)
		tbl_set_i64(t, 5, (long long)c->fp);
	if (mode != PRECISION_ONLY)
		tbl_set_i64(t, 6, (long long)c->fn);
	if (mode != RECALL_ONLY && c->tp + c->fp)
		tbl_set_real(t, 7, p, 4);
	if (mode != PRECISION_ONLY && c->tp + c->fn)
		tbl_set_real(t, 8, r, 4);
	if (mode == BOTH)
		tbl_set_real(t, 9, f, 4);
	tbl_set(t, 10, note);
}

static void add_row(rastro_table *t, const char *level, const char *group, const char *subset, long long k,
		    const struct prf *c, const char *note)
{
	add_row_m(t, level, group, subset, k, c, note, BOTH);
}

/* A truth (suspect) account: in a truth network, not a victim. */
static int is_truth_acc(const struct ev_data *e, uint64_t ent)
{
	uint64_t v;

	return u64map_get(&e->acc_net, ent, &v) && v != 0;
}

/* Counted neither way at account level (buyers, see load_truth_json);
 * a member of a network with another role stays a suspect. */
static int is_neutral_acc(const struct ev_data *e, uint64_t ent)
{
	uint64_t v;

	return !is_truth_acc(e, ent) && u64map_get(&e->neutral, ent, &v);
}

/* A row whose precision is measured on other units than its recall
 * (networks: recall over truth networks, precision over flagged groups). */
static void add_row_pr(rastro_table *t, const char *level, const char *group, const char *subset,
		       long long k, const struct prf *c, double p, const char *note)
{
	double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0;
	double f = p + r > 0 ? 2 * p * r / (p + r) : 0;

	tbl_row(t);
	tbl_set(t, 0, level);
	tbl_set(t, 1, group);
	tbl_set(t, 2, subset);
	if (k)
		tbl_set_i64(t, 3, k);
	tbl_set_i64(t, 4, (long long)c->tp);
	tbl_set_i64(t, 5, (long long)c->fp);
	tbl_set_i64(t, 6, (long long)c->fn);
	tbl_set_real(t, 7, p, 4);
	if (c->tp + c->fn)
		tbl_set_real(t, 8, r, 4);
	tbl_set_real(t, 9, f, 4);
	tbl_set(t, 10, note);
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

/*
 * Flagged groups: alerted accounts joined when one is the subject of a
 * signal whose evidence moves money to or from the other.  A group is
 * correct when it holds at least one truth account.
 */
static int flagged_groups(rastro_ws *ws, const struct ev_data *e, uint64_t *groups, uint64_t *good)
{
	size_t n = e->alerted.count, s, k = 0;
	uint32_t *parent = mem_alloc((n + 1) * sizeof *parent);
	uint8_t *ok = mem_calloc(n + 1, 1), *seen = mem_calloc(n + 1, 1);
	struct u64map idx;
	sqlite3_stmt *st;
	int rc;

	*groups = *good = 0;
	u64map_init(&idx);
	if (!parent || !ok || !seen) {
		mem_free(parent);
		mem_free(ok);
		mem_free(seen);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	for (s = 0; s < e->alerted.nslots; s++)
		if (e->alerted.keys[s] != UINT64_MAX) {
			if (u64map_put(&idx, e->alerted.keys[s], k))
				break;
			parent[k] = (uint32_t)k;
			k++;
		}
	if (ws_prepare(ws, "SELECT s.entity_id, t.src, t.dst FROM signal s JOIN signal_evidence se ON se.signal_id = s.id"
			   " JOIN txn t ON t.id = se.record_id WHERE s.stage = 'finance' AND s.entity_id IS NOT NULL", &st)) {
		mem_free(parent);
		mem_free(ok);
		mem_free(seen);
		u64map_release(&idx);
		return ws->err.code;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t a, b;
		int c;

		if (!u64map_get(&idx, (uint64_t)sqlite3_column_int64(st, 0), &a))
			continue;
		for (c = 1; c <= 2; c++)
			if (sqlite3_column_type(st, c) != SQLITE_NULL &&
			    u64map_get(&idx, (uint64_t)sqlite3_column_int64(st, c), &b)) {
				uint32_t ra = uf_find(parent, (uint32_t)a), rb = uf_find(parent, (uint32_t)b);

				if (ra != rb)
					parent[ra > rb ? ra : rb] = ra < rb ? ra : rb;
			}
	}
	sqlite3_finalize(st);
	for (s = 0; s < e->alerted.nslots; s++) {
		uint64_t a;

		if (e->alerted.keys[s] == UINT64_MAX || !u64map_get(&idx, e->alerted.keys[s], &a))
			continue;
		if (is_truth_acc(e, e->alerted.keys[s]))
			ok[uf_find(parent, (uint32_t)a)] = 1;
		seen[uf_find(parent, (uint32_t)a)] = 1;
	}
	for (s = 0; s < k; s++) {
		*groups += seen[s];
		*good += seen[s] && ok[s];
	}
	mem_free(parent);
	mem_free(ok);
	mem_free(seen);
	u64map_release(&idx);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading signal evidence");
	return 0;
}

/* Day cut points for the 60/20/20 split (whole days, minimising the
 * largest relative error against the target shares). */
static void split_days(const struct ev_data *e, int64_t d0, size_t ndays, const uint64_t *per_day,
		       size_t usable, int64_t *c1, int64_t *c2)
{
	uint64_t total = 0, best_err = UINT64_MAX;
	size_t a, b;
	uint64_t *cum = mem_calloc(ndays + 1, sizeof *cum);

	(void)e;
	if (!cum) {
		*c1 = d0 + (int64_t)(usable * 6 / 10);
		*c2 = d0 + (int64_t)(usable * 8 / 10);
		return;
	}
	for (a = 0; a < usable; a++) {
		cum[a + 1] = cum[a] + per_day[a];
		total += per_day[a];
	}
	*c1 = d0 + (int64_t)(usable * 6 / 10);
	*c2 = d0 + (int64_t)(usable * 8 / 10);
	for (a = 1; a + 1 < usable; a++)
		for (b = a + 1; b < usable; b++) {
			double s1 = (double)cum[a] / total, s2 = (double)(cum[b] - cum[a]) / total,
			       s3 = (double)(total - cum[b]) / total;
			double err = fmax(fabs(s1 - 0.6) / 0.6, fmax(fabs(s2 - 0.2) / 0.2, fabs(s3 - 0.2) / 0.2));
			uint64_t ierr = (uint64_t)(err * 1e9);

			if (ierr < best_err) {
				best_err = ierr;
				*c1 = d0 + (int64_t)a;
				*c2 = d0 + (int64_t)b;
			}
		}
	mem_free(cum);
}

static int64_t dayn(int64_t t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Best threshold on a subset: maximises transaction F1 (ties: the higher
 * threshold); candidates are quantiles of the flagged transactions' scores. */
static double pick_threshold(const struct ev_data *e, const uint8_t *in)
{
	double *v, best_t = 0, best_f = -1;
	size_t nv = 0, i, c;

	v = mem_alloc((e->n + 1) * sizeof *v);
	if (!v)
		return 0;
	for (i = 0; i < e->n; i++)
		if (in[i] && e->score[i] >= 0)
			v[nv++] = e->score[i];
	if (nv > 1)
		qsort(v, nv, sizeof *v, cmp_dbl);
	for (c = 0; c <= 200 && nv; c++) {
		double thr = v[(nv - 1) * c / 200];
		struct prf k = { 0, 0, 0 };
		double p, r, f;

		if (c && thr == v[(nv - 1) * (c - 1) / 200])
			continue;
		for (i = 0; i < e->n; i++) {
			int pred, tru;

			if (!in[i])
				continue;
			pred = e->score[i] >= 0 && e->score[i] >= thr;
			tru = e->truth[i];
			k.tp += pred && tru;
			k.fp += pred && !tru;
			k.fn += !pred && tru;
		}
		p = k.tp + k.fp ? (double)k.tp / (double)(k.tp + k.fp) : 0;
		r = k.tp + k.fn ? (double)k.tp / (double)(k.tp + k.fn) : 0;
		f = p + r > 0 ? 2 * p * r / (p + r) : 0;
		if (f > best_f || (f == best_f && thr > best_t)) {
			best_f = f;
			best_t = thr;
		}
	}
	mem_free(v);
	return best_t;
}

static void txn_prf(const struct ev_data *e, const uint8_t *in, double thr, uint32_t kind, struct prf *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < e->n; i++) {
		int pred, tru;

		if (in && !in[i])
			continue;
		tru = e->truth[i];
		if (kind) {
			/* per typology: recall over that kind's transactions */
			uint32_t k2 = e->net[i] ? strmap_find(&e->kinds, e->net_kind[e->net[i] - 1],
							      strlen(e->net_kind[e->net[i] - 1]))
						: 0;

			if (k2 != kind)
				continue;
		}
		pred = e->score[i] >= thr && e->score[i] >= 0;
		c->tp += pred && tru;
		c->fp += pred && !tru;
		c->fn += !pred && tru;
	}
}

int rastro_eval(rastro_ws *ws, const struct rastro_eval_opts *o, rastro_table **out)
{
	static const char *const cols[] = { "level", "group", "subset", "k:int", "tp:int", "fp:int", "fn:int",
					    "precision:real", "recall:real", "f1:real", "note" };
	struct ev_data e;
	struct fin_view v;
	rastro_table *t = NULL;
	uint8_t *in_test = NULL, *in_val = NULL;
	size_t i, k;
	int rc = 0, label_truth = !o || !o->truth;
	size_t topk = o && o->top_k ? o->top_k : 100;
	struct u64map truth_acc;
	char note[256];
	int members_given = 0;

	*out = NULL;
	memset(&e, 0, sizeof e);
	u64map_init(&e.acc_net);
	u64map_init(&e.victims);
	u64map_init(&e.alerted);
	u64map_init(&e.ranked);
	u64map_init(&e.neutral);
	u64map_init(&e.acc_role);
	u64map_init(&truth_acc);
	strmap_init(&e.kinds);
	strmap_init(&e.roles);
	memset(&v, 0, sizeof v);
	t = tbl_new("evaluation", cols, sizeof cols / sizeof cols[0]);
	if (!t) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = fin_view_open(ws, NULL, &v)) || (rc = load_txns(ws, &e, label_truth)))
		goto done;
	if (!label_truth) {
		const char *p = o->truth;
		size_t pl = strlen(p);

		/* which kind of truth file: JSON, else IBM patterns */
		if (pl > 5 && strcmp(p + pl - 5, ".json") == 0) {
			rc = load_truth_json(ws, &e, p, o && o->buyers);
			members_given = 1;
		}
		else {
			/* patterns mark their rows; labels outside patterns stay as
			 * "lone" laundering (IBM's own Is Laundering column) */
			rc = load_ibm_patterns(ws, &e, p);
		}
		if (rc)
			goto done;
	}
	if ((rc = load_predictions(ws, &e, &v)))
		goto done;
	/* truth accounts: the members a truth file names, else the endpoints
	 * of labelled transactions (IBM and AMLSim mark transactions only) */
	for (i = 0; i < e.n && !members_given; i++) {
		uint64_t val;

		if (!e.truth[i])
			continue;
		if (e.src[i] && !u64map_get(&e.victims, (uint64_t)e.src[i], &val) &&
		    !fin_view_is_victim(&v, e.src[i]) && !u64map_get(&e.acc_net, (uint64_t)e.src[i], &val) &&
		    u64map_put(&e.acc_net, (uint64_t)e.src[i], e.net[i] ? e.net[i] : UINT32_MAX))
			goto nomem;
		if (e.dst[i] && !u64map_get(&e.victims, (uint64_t)e.dst[i], &val) &&
		    !fin_view_is_victim(&v, e.dst[i]) && !u64map_get(&e.acc_net, (uint64_t)e.dst[i], &val) &&
		    u64map_put(&e.acc_net, (uint64_t)e.dst[i], e.net[i] ? e.net[i] : UINT32_MAX))
			goto nomem;
	}

	/* ---- transaction level ---- */
	{
		struct prf c;
		uint64_t nt = 0;

		for (i = 0; i < e.n; i++)
			nt += e.truth[i];
		txn_prf(&e, NULL, 0, 0, &c);
		snprintf(note, sizeof note, "%llu of %zu transactions are illicit in the truth",
			 (unsigned long long)nt, e.n);
		add_row(t, "transaction", "all", "all days", 0, &c, note);
		for (k = 1; k <= strmap_count(&e.kinds); k++) {
			txn_prf(&e, NULL, 0, (uint32_t)k, &c);
			add_row_m(t, "transaction", strmap_key(&e.kinds, (uint32_t)k, NULL), "all days", 0, &c,
				  "recall of this typology's transactions", RECALL_ONLY);
		}
	}
	/* ---- temporal split (IBM protocol) ---- */
	if (o && o->split && e.n) {
		int64_t d0 = INT64_MAX, d1 = INT64_MIN, c1, c2;
		size_t ndays, usable, day;
		uint64_t *per_day, med;
		double thr;
		struct prf c;

		for (i = 0; i < e.n; i++) {
			int64_t dd = dayn(e.ts[i]);

			if (dd < d0)
				d0 = dd;
			if (dd > d1)
				d1 = dd;
		}
		ndays = (size_t)(d1 - d0 + 1);
		per_day = mem_calloc(ndays + 1, sizeof *per_day);
		in_test = mem_calloc(e.n + 1, 1);
		in_val = mem_calloc(e.n + 1, 1);
		if (!per_day || !in_test || !in_val) {
			mem_free(per_day);
			goto nomem;
		}
		for (i = 0; i < e.n; i++)
			per_day[dayn(e.ts[i]) - d0]++;
		/* leave out a thin tail after the main period (in AMLworld every
		 * transaction there is laundering) */
		{
			uint64_t *cp = mem_alloc(ndays * sizeof *cp);
			size_t a, b2;

			if (!cp) {
				mem_free(per_day);
				goto nomem;
			}
			memcpy(cp, per_day, ndays * sizeof *cp);
			for (a = 1; a < ndays; a++)
				for (b2 = a; b2 > 0 && cp[b2] < cp[b2 - 1]; b2--) {
					uint64_t tmp = cp[b2];

					cp[b2] = cp[b2 - 1];
					cp[b2 - 1] = tmp;
				}
			med = cp[ndays / 2];
			mem_free(cp);
		}
		usable = ndays;
		while (usable > 3 && per_day[usable - 1] * 10 < med)
			usable--;
		if (usable < 3) {
			mem_free(per_day);
			rc = ws_error(ws, RASTRO_USAGE, "--split needs at least 3 days of transactions");
			goto done;
		}
		split_days(&e, d0, ndays, per_day, usable, &c1, &c2);
		for (i = 0; i < e.n; i++) {
			int64_t dd = dayn(e.ts[i]);

			in_val[i] = dd >= c1 && dd < c2;
			in_test[i] = dd >= c2 && dd < d0 + (int64_t)usable;
		}
		thr = pick_threshold(&e, in_val);
		txn_prf(&e, in_val, thr, 0, &c);
		snprintf(note, sizeof note, "threshold %.3f chosen here (days %lld-%lld of %zu)", thr,
			 (long long)(c1 - d0 + 1), (long long)(c2 - d0), ndays);
		add_row(t, "transaction", "all", "validation", 0, &c, note);
		txn_prf(&e, in_test, thr, 0, &c);
		snprintf(note, sizeof note, "minority-class F1 at threshold %.3f (days %lld-%zu%s)", thr,
			 (long long)(c2 - d0 + 1), usable, usable < ndays ? "; thin tail days left out" : "");
		add_row(t, "transaction", "all", "test", 0, &c, note);
		txn_prf(&e, in_test, 0, 0, &c);
		add_row(t, "transaction", "all", "test", 0, &c, "every evidence transaction flagged (no threshold)");
		for (k = 1; k <= strmap_count(&e.kinds); k++) {
			txn_prf(&e, in_test, thr, (uint32_t)k, &c);
			add_row_m(t, "transaction", strmap_key(&e.kinds, (uint32_t)k, NULL), "test", 0, &c,
				  "recall of this typology's test transactions", RECALL_ONLY);
		}
		(void)day;
		mem_free(per_day);
	}

	/* ---- account level ---- */
	{
		struct prf c = { 0, 0, 0 };
		size_t s, nbuyers = 0;

		for (s = 0; s < e.alerted.nslots; s++) {

			if (e.alerted.keys[s] == UINT64_MAX)
				continue;
			if (is_neutral_acc(&e, e.alerted.keys[s])) {
				nbuyers++;
				continue;
			}
			if (is_truth_acc(&e, e.alerted.keys[s]))
				c.tp++;
			else
				c.fp++;
		}
		{
			size_t ntruth = 0;

			for (s = 0; s < e.acc_net.nslots; s++)
				ntruth += e.acc_net.keys[s] != UINT64_MAX && e.acc_net.vals[s] != 0;
			c.fn = ntruth >= c.tp ? ntruth - c.tp : 0;
			if (nbuyers)
				snprintf(note, sizeof note, "%zu truth accounts (victims excluded), %zu alerted, of which "
					 "%zu buyers (not counted; --buyers counts them)", ntruth, e.alerted.count, nbuyers);
			else
				snprintf(note, sizeof note, "%zu truth accounts (victims excluded), %zu alerted", ntruth,
					 e.alerted.count);
		}
		add_row(t, "account", "all", "all days", 0, &c, note);
		/* per typology: recall among that kind's accounts */
		for (k = 1; k <= strmap_count(&e.kinds); k++) {
			struct prf ck = { 0, 0, 0 };

			for (s = 0; s < e.acc_net.nslots; s++) {
				uint64_t net = e.acc_net.vals[s], val;
				const char *kn;

				if (e.acc_net.keys[s] == UINT64_MAX || net == UINT32_MAX || !net)
					continue;
				kn = e.net_kind[net - 1];
				if (strmap_find(&e.kinds, kn, strlen(kn)) != k)
					continue;
				if (u64map_get(&e.alerted, e.acc_net.keys[s], &val))
					ck.tp++;
				else
					ck.fn++;
			}
			add_row_m(t, "account", strmap_key(&e.kinds, (uint32_t)k, NULL), "all days", 0, &ck,
				  "recall of this typology's accounts", RECALL_ONLY);
		}
		/* per role (truth files that give roles) */
		for (k = 1; k <= strmap_count(&e.roles); k++) {
			struct prf ck = { 0, 0, 0 };
			char grp[64];

			for (s = 0; s < e.acc_role.nslots; s++) {
				uint64_t val;

				if (e.acc_role.keys[s] == UINT64_MAX || e.acc_role.vals[s] != k ||
				    !is_truth_acc(&e, e.acc_role.keys[s]))
					continue;
				if (u64map_get(&e.alerted, e.acc_role.keys[s], &val))
					ck.tp++;
				else
					ck.fn++;
			}
			snprintf(grp, sizeof grp, "role:%s", strmap_key(&e.roles, (uint32_t)k, NULL));
			add_row_m(t, "account", grp, "all days", 0, &ck, "recall of the accounts with this role",
				  RECALL_ONLY);
		}
		/* precision at the top k alerts */
		{
			size_t ks[3] = { 10, 100, topk }, q;

			for (q = 0; q < 3; q++) {
				struct prf ct = { 0, 0, 0 };

				if (q == 2 && (topk == 10 || topk == 100))
					continue;
				for (s = 0; s < e.ranked.nslots; s++) {

					if (e.ranked.keys[s] == UINT64_MAX || e.ranked.vals[s] > ks[q] ||
					    is_neutral_acc(&e, e.ranked.keys[s]))
						continue;
					if (is_truth_acc(&e, e.ranked.keys[s]))
						ct.tp++;
					else
						ct.fp++;
				}
				add_row_m(t, "account", "all", "top-k alerts", (long long)ks[q], &ct,
					  "precision among the k highest-scored accounts", PRECISION_ONLY);
			}
		}
	}
	/* ---- per detector code: precision of its subjects and evidence ---- */
	{
		sqlite3_stmt *st;
		int src;

		if ((rc = ws_prepare(ws, "SELECT s.code, s.entity_id, se.record_id FROM signal s LEFT JOIN signal_evidence se"
					 " ON se.signal_id = s.id WHERE s.stage = 'finance' ORDER BY s.code, s.id", &st)))
			goto done;
		{
			char cur[64] = "";
			struct prf ca = { 0, 0, 0 }, ct = { 0, 0, 0 };
			struct u64map seen_acc, seen_tx;

			u64map_init(&seen_acc);
			u64map_init(&seen_tx);
			for (;;) {
				const char *code;
				int64_t ent, rec, ix;
				uint64_t val;

				src = sqlite3_step(st);
				code = src == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
				if (src != SQLITE_ROW || strcmp(code, cur) != 0) {
					if (cur[0]) {
						add_row_m(t, "account", cur, "per detector", 0, &ca,
							  "precision of the accounts this detector names", PRECISION_ONLY);
						add_row_m(t, "transaction", cur, "per detector", 0, &ct,
							  "precision of the transactions it cites", PRECISION_ONLY);
					}
					if (src != SQLITE_ROW)
						break;
					snprintf(cur, sizeof cur, "%s", code);
					memset(&ca, 0, sizeof ca);
					memset(&ct, 0, sizeof ct);
					u64map_release(&seen_acc);
					u64map_release(&seen_tx);
					u64map_init(&seen_acc);
					u64map_init(&seen_tx);
				}
				ent = sqlite3_column_int64(st, 1);
				rec = sqlite3_column_int64(st, 2);
				if (ent && !fin_view_is_victim(&v, ent) && !u64map_get(&seen_acc, (uint64_t)ent, &val)) {
					if (u64map_put(&seen_acc, (uint64_t)ent, 1))
						break;
					if (is_truth_acc(&e, (uint64_t)ent))
						ca.tp++;
					else
						ca.fp++;
				}
				ix = tx_index(&e, rec);
				if (ix >= 0 && !u64map_get(&seen_tx, (uint64_t)ix, &val)) {
					if (u64map_put(&seen_tx, (uint64_t)ix, 1))
						break;
					if (e.truth[ix])
						ct.tp++;
					else
						ct.fp++;
				}
			}
			u64map_release(&seen_acc);
			u64map_release(&seen_tx);
		}
		sqlite3_finalize(st);
		if (src != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "reading signals");
			goto done;
		}
	}
	/* ---- network level ---- */
	{
		size_t nnets = e.nnet, s;
		uint8_t *found = mem_calloc(nnets + 1, 1), *found_top = mem_calloc(nnets + 1, 1);
		uint8_t *has = mem_calloc(nnets + 1, 1);
		struct prf c = { 0, 0, 0 }, ct = { 0, 0, 0 };

		if (!found || !found_top || !has) {
			mem_free(found);
			mem_free(found_top);
			mem_free(has);
			goto nomem;
		}
		for (s = 0; s < e.acc_net.nslots; s++) {
			uint64_t net = e.acc_net.vals[s], rank;

			if (e.acc_net.keys[s] == UINT64_MAX || !net || net == UINT32_MAX)
				continue;
			has[net - 1] = 1;
			if (u64map_get(&e.alerted, e.acc_net.keys[s], &rank))
				found[net - 1] = 1;
			if (u64map_get(&e.ranked, e.acc_net.keys[s], &rank) && rank <= topk)
				found_top[net - 1] = 1;
		}
		for (s = 0; s < nnets; s++) {
			if (!has[s])
				continue;
			c.tp += found[s];
			c.fn += !found[s];
			ct.tp += found_top[s];
			ct.fn += !found_top[s];
		}
		if (nnets) {
			uint64_t groups = 0, good = 0;

			if ((rc = flagged_groups(ws, &e, &groups, &good))) {
				mem_free(found);
				mem_free(found_top);
				mem_free(has);
				goto done;
			}
			c.fp = groups - good;
			snprintf(note, sizeof note, "%zu truth networks, found = a member alerted; precision: %llu of "
				 "%llu flagged groups hold a truth account", nnets, (unsigned long long)good,
				 (unsigned long long)groups);
			add_row_pr(t, "network", "all", "all days", 0, &c,
				   groups ? (double)good / (double)groups : 0, note);
			add_row_m(t, "network", "all", "top-k alerts", (long long)topk, &ct,
				  "networks with a member among the k highest-scored accounts", RECALL_ONLY);
			for (k = 1; k <= strmap_count(&e.kinds); k++) {
				struct prf ck = { 0, 0, 0 };

				for (s = 0; s < nnets; s++) {
					if (!has[s] || strmap_find(&e.kinds, e.net_kind[s], strlen(e.net_kind[s])) != k)
						continue;
					ck.tp += found[s];
					ck.fn += !found[s];
				}
				add_row_m(t, "network", strmap_key(&e.kinds, (uint32_t)k, NULL), "all days", 0, &ck,
					  "recall of this typology's networks", RECALL_ONLY);
			}
		} else {
			add_row(t, "network", "all", "all days", 0, &c,
				"no truth networks (no label groups or truth file)");
		}
		mem_free(found);
		mem_free(found_top);
		mem_free(has);
	}
	if (tbl_failed(t))
		goto nomem;
	goto done;
nomem:
	rc = ws_error(ws, RASTRO_NOMEM, "out of memory evaluating");
done:
	fin_view_close(&v);
	ev_release(&e);
	u64map_release(&truth_acc);
	mem_free(in_test);
	mem_free(in_val);
	if (rc) {
		rastro_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
