/*
 * format: the interface between ingest and one source format.
 *
 * A format turns parsed input (a CSV row or a JSON object, seen through
 * io/jdoc.h) into records.
 * It first binds the header (finding its columns by name, or by position
 * for formats such as IBM's whose header repeats a name), then converts each
 * row.  A row that fails validation is rejected with the index of the
 * offending field and a reason; ingest turns that into a quarantine entry
 * with file, line and column.  A format validates a whole row before it
 * emits anything, so a rejected row leaves no partial records behind.
 *
 * Formats reach the workspace only through the ingest context (fctx_*):
 * they create records, intern entities (accounts, phones...) and edges.
 */
#ifndef RASTRO_FORMAT_H
#define RASTRO_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/csv.h"
#include "io/jdoc.h"
#include "record.h"

struct fctx;                   /* ingest context, opaque to formats */
struct arena;
struct cfg;

enum fmt_input { FMT_CSV, FMT_JSONL };

/* Why a row was rejected. */
struct fmt_bad {
	int field;                 /* CSV field index (-1 = the row as a whole) */
	const char *key;           /* JSONL key at fault, or NULL */
	char reason[256];
};

/* Per-file state of a format: its column bindings and private data. */
#define FMT_MAXCOLS 64
struct fmt_run {
	const struct fmt *fmt;
	struct fctx *ctx;
	int col[FMT_MAXCOLS];      /* field index of each spec, -1 when absent */
	size_t nfields;            /* fields in the header */
	void *state;               /* format-private, freed by fmt->finish */
};

struct fmt {
	const char *name;
	const struct rec_kind *kind;   /* the records it produces */
	const char *summary;
	enum fmt_input input;
	char delim;                    /* CSV delimiter (0 = ',') */
	int skip_initial_space;
	const char *entity_kinds;      /* entity kinds it interns, "account,phone" */
	/* CSV: how well a header matches (0 = not this format); used to guess. */
	int (*sniff_header)(const struct csv_row *header);
	/* JSONL: how well the first object matches. */
	int (*sniff_object)(const struct jdoc *obj);
	/* CSV: binds the header; 0 or an error naming the missing columns. */
	int (*bind)(struct fmt_run *run, const struct csv_row *header, const char *mapping,
		    struct rs_err *err);
	/* CSV, optional: called for each row of a block before `row` runs on
	 * any of them, to prefetch what `row` will look up (fctx_prefetch_*). */
	void (*prefetch)(struct fmt_run *run, const struct csv_row *row);
	/* CSV: one data row; 0 = emitted, 1 = rejected (bad filled), <0 = fatal. */
	int (*row)(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad);
	/*
	 * JSONL: one object, in two halves.  `prep` does what depends on the
	 * object alone (reading its values, validation, normalisation); it may
	 * run on a thread of its own, ahead of `emit`, so it touches no ingest
	 * context: its state is *pstate (NULL at first, freed by prep_finish)
	 * and its result goes to *out, allocated from `a`, which lives until
	 * emit has run.  `emit` runs on the loading thread in file order and
	 * does what depends on the rows before (duplicates, interning,
	 * records).  Both return 0 = done, 1 = rejected (bad filled), <0 =
	 * fatal; emit is called only after prep returned 0.
	 */
	int (*prep)(void **pstate, const struct cfg *cfg, const struct jdoc *obj, struct arena *a,
		    void **out, struct fmt_bad *bad);
	int (*emit)(struct fmt_run *run, void *prepared, uint64_t line, struct fmt_bad *bad);
	void (*prep_finish)(void *pstate);
	void (*finish)(struct fmt_run *run);
};

/* ---- column binding helpers for CSV formats ---- */

/* A field a format reads: its name in docs and --map, the header names it
 * accepts ("a|b|c", case-insensitive), and whether it must be present. */
struct fmt_colspec {
	const char *field;
	const char *aliases;
	int required;
};

/* Binds specs[i] to run->col[i] using `mapping` ("field=Header,...") first,
 * then the aliases.  Error lists every missing required column. */
int fmt_bind_columns(struct fmt_run *run, const struct csv_row *header,
		     const struct fmt_colspec *specs, size_t nspecs, const char *mapping,
		     const char *path, struct rs_err *err);
/* Header score helper: number of specs whose aliases appear, 0 when a
 * required one is missing. */
int fmt_score_header(const struct csv_row *header, const struct fmt_colspec *specs,
		     size_t nspecs);

/* Field i of a row, trimmed of surrounding spaces; empty when absent. */
const char *fmt_field(const struct fmt_run *run, const struct csv_row *row, int spec,
		      size_t *len);
/* Fills bad with "column 'NAME': reason ('value')" for spec. */
int fmt_reject(struct fmt_run *run, const struct csv_row *row, const struct fmt_colspec *specs,
	       int spec, struct fmt_bad *bad, const char *reason);

/* ---- the ingest context, as seen by formats ---- */

/* A new record of kind k (values NULL); NULL when memory ran out. */
struct rec *fctx_rec(struct fctx *ctx, const struct rec_kind *k, uint64_t line);
void rec_set_text(struct fctx *ctx, struct rec *r, int col, const char *s, size_t n);
void rec_set_int(struct rec *r, int col, int64_t v);
void rec_set_real(struct rec *r, int col, double v);
/* Text that outlives the load (a literal, a canonical code): not copied. */
void rec_set_static(struct rec *r, int col, const char *s, size_t n);
/* Sets text only when non-empty (empty stays NULL). */
void rec_set_opt(struct fctx *ctx, struct rec *r, int col, const char *s, size_t n);

/* Entity id for (kind, key), created with `label` and first_record when new;
 * 0 on allocation failure. */
int64_t fctx_entity(struct fctx *ctx, const char *kind, const char *key, size_t keylen,
		    const char *label, size_t labellen, int64_t record_id);
/* Account entity keyed "bank/number" (or "number" without a bank); `label`
 * (the holder's or merchant's name, may be NULL) names it when it is new. */
int64_t fctx_account(struct fctx *ctx, const char *bank, size_t banklen, const char *number,
		     size_t numlen, const char *label, size_t labellen, int64_t record_id);
/* Cache hints for the lookups fctx_entity / fctx_account will make. */
void fctx_prefetch_entity(struct fctx *ctx, const char *kind, const char *key, size_t keylen);
void fctx_prefetch_account(struct fctx *ctx, const char *bank, size_t banklen, const char *number,
			   size_t numlen);
/* An edge between entities, justified by a record. */
int fctx_edge(struct fctx *ctx, int64_t src, int64_t dst, const char *type, int64_t ts,
	      double weight, int64_t record_id);
/* 1 when this external id was already seen in this file (duplicate). */
int fctx_seen_id(struct fctx *ctx, const char *s, size_t n, uint64_t line, uint64_t *first_line);
/* Settings, for formats with options (default region for phones...). */
const struct cfg *fctx_cfg(const struct fctx *ctx);

/* ---- the registry ---- */

const struct fmt *fmt_find(const char *name);
/* All formats, NULL-terminated. */
const struct fmt *const *fmt_all(void);

#endif
