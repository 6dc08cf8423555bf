/*
 * fin_view: the caller's view of finance findings — victims left out,
 * records withheld by dissemination label, record ids resolved to file and
 * line.  Used by every output (fin_alerts.c, fin_sar.c); see fin_view.c.
 */
#ifndef RASTRO_FIN_VIEW_H
#define RASTRO_FIN_VIEW_H

#include <stdint.h>

#include "core/sbuf.h"
#include "core/u64map.h"
#include "core/vec.h"
#include "store/ws.h"

struct fin_view {
	rastro_ws *ws;
	const struct rastro_viewer *viewer;
	size_t nsrc;
	uint8_t *allowed;     /* per source id: the caller may see its records */
	char **path;          /* per source id: file path */
	struct u64map victims;
	sqlite3_stmt *ev_stmt, *rec_stmt;
	struct fin_view_pre *pre;  /* every finance signal's evidence, when preloaded */
};

/* One piece of evidence as the caller may see it. */
struct fin_evrec {
	int64_t record;
	int64_t source, line;
	int64_t ts;           /* transactions only */
	int is_txn;
	char role[16];
	char kind[16];
};

int fin_view_open(rastro_ws *ws, const struct rastro_viewer *viewer, struct fin_view *v);
void fin_view_close(struct fin_view *v);
int fin_view_is_victim(const struct fin_view *v, int64_t entity);
int fin_view_source_ok(const struct fin_view *v, int64_t source_id);
const char *fin_view_source_path(const struct fin_view *v, int64_t source_id);
/* Reads the evidence of every finance signal at once, each record resolved
 * to its file, line and time once, in record id order (what the alert
 * lists need: one scan instead of a query and a random lookup per record).
 * fin_view_evidence then answers from memory. */
int fin_view_preload(struct fin_view *v);
/* Appends the visible evidence of a signal (struct fin_evrec) to out and
 * counts the withheld records. */
int fin_view_evidence(struct fin_view *v, int64_t signal_id, struct vec *out, size_t *withheld);
/* A risk score's parts (fin_risk.parts JSON) as "FIN.FUNNEL 2.40 + ...",
 * biggest first; `top` gets the biggest part's code. */
int fin_parts_text(const char *json, struct sbuf *out, char *top, size_t topn);
/* Account entity from "BANK/NUMBER", "NUMBER" (when unique) or "#ID". */
int fin_view_find_account(rastro_ws *ws, const char *spec, int64_t *entity);

#endif
