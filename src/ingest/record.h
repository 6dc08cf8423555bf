/*
 * record: the rows that ingest writes — typed values grouped by "record
 * kind" (one kind per workspace table).  Formats build records; the ingest
 * writer binds them to a prepared INSERT generated from the kind, so adding
 * a source format never means writing SQL by hand.
 *
 * Record kinds with `is_record` set are source records: ingest gives each a
 * workspace-wide record id and fills id, source_id and line itself; the
 * format fills the kind's own columns.  Other kinds (entity, account, edge,
 * quarantine) are plain rows written alongside.
 */
#ifndef RASTRO_RECORD_H
#define RASTRO_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct rec_kind {
	const char *name;          /* "txn", "kyc"... (also the kind in the record view) */
	const char *table;
	int is_record;             /* has id, source_id, line columns filled by ingest */
	size_t ncols;
	const char *const *cols;   /* the columns a format fills, in bind order */
};

enum val_type { VAL_NULL = 0, VAL_INT, VAL_REAL, VAL_TEXT };

/* 16 bytes: the writer thread reads every value the reader thread wrote,
 * so a record spans as few cache lines as possible. */
struct val {
	union {
		int64_t i;
		double d;
		const char *s;         /* text: owned by the batch arena, or static */
	} u;
	uint32_t n;                /* text length (records are far below 4 GiB) */
	uint8_t type;              /* enum val_type */
};

struct rec {
	const struct rec_kind *kind;
	int64_t id;                /* record id (record kinds), else 0 */
	uint64_t line;
	struct val v[];            /* kind->ncols values, VAL_NULL by default */
};

/* Core record kinds. */
extern const struct rec_kind rk_txn;
extern const struct rec_kind rk_kyc;
extern const struct rec_kind rk_entity;
extern const struct rec_kind rk_account;
extern const struct rec_kind rk_edge;
extern const struct rec_kind rk_quarantine;

/* Column index of `name` in a kind, or -1. */
int rec_col(const struct rec_kind *k, const char *name);

#endif
