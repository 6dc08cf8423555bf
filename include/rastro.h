/*
 * rastro.h — the public C API of rastro, a counter-trafficking intelligence
 * engine.
 *
 * Everything the `rastro` command does goes through this header.  The API is
 * built around one opaque handle, the workspace (`rastro_ws`), which is a
 * single SQLite file holding sources, records with their provenance,
 * entities, edges, signals, networks, the quarantine of bad rows and the run
 * log.
 *
 * Conventions:
 *   - Every call that can fail returns an int code (RASTRO_OK is 0).  The
 *     workspace keeps a one-line message for the last failure, read with
 *     rastro_errmsg(); it names file:line:column when there is a place.
 *   - Handles are created by *_open / *_new and released by *_close / *_free;
 *     releasing NULL is harmless.
 *   - Strings returned by the API are borrowed unless the comment says the
 *     caller frees them.
 *   - The library never prints and never exits.
 */
#ifndef RASTRO_H
#define RASTRO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

enum rastro_code {
	RASTRO_OK = 0,
	RASTRO_ERROR = 1,     /* internal error (a bug, or SQLite failed) */
	RASTRO_USAGE = 2,     /* bad arguments or options */
	RASTRO_FORMAT = 3,    /* input data not in the expected format */
	RASTRO_IO = 4,        /* a file could not be opened, read or written */
	RASTRO_NOMEM = 5,     /* out of memory */
	RASTRO_NOTFOUND = 6,  /* no such workspace, record, entity or file */
	RASTRO_EXISTS = 7,    /* already there (same file loaded before, workspace exists) */
	RASTRO_CORRUPT = 8,   /* workspace damaged, or written by a newer rastro */
	RASTRO_READONLY = 9,  /* workspace or directory not writable */
	RASTRO_FULL = 10,     /* disk full */
	RASTRO_BUSY = 11,     /* another process holds the workspace */
	RASTRO_DENIED = 12,   /* the caller may not see or do this */
	RASTRO_LIMIT = 13     /* a documented size limit was exceeded */
};

/* A short English description of a code ("input data error"). */
const char *rastro_strerror(int code);

/* "0.1.0" */
const char *rastro_version(void);

/* ---- workspace --------------------------------------------------------- */

typedef struct rastro_ws rastro_ws;

#define RASTRO_OPEN_CREATE   0x1  /* create the file when missing */
#define RASTRO_OPEN_READONLY 0x2  /* never write */

/*
 * Opens (or creates) the workspace at `path` and brings its schema up to
 * date.  *out is set even on failure (unless memory ran out) so that
 * rastro_errmsg(*out) can say why; close it with rastro_close in both cases.
 */
int rastro_open(const char *path, int flags, rastro_ws **out);
void rastro_close(rastro_ws *ws);

/* Last error of the workspace; "" when the last call succeeded. */
const char *rastro_errmsg(const rastro_ws *ws);
int rastro_errcode(const rastro_ws *ws);

/*
 * Progress reporting for long work.  `stage` names the step ("ingest",
 * "resolve"...), `done`/`total` count its units (total 0 when unknown).
 * Called from the thread that does the work, at most a few times a second.
 */
typedef void (*rastro_progress_fn)(void *user, const char *stage, uint64_t done,
				   uint64_t total);
void rastro_set_progress(rastro_ws *ws, rastro_progress_fn fn, void *user);

/*
 * Settings.  At open, the built-in defaults (data/rastro.toml) are read, then
 * `rastro.toml` next to the workspace file if present.  These add a file or
 * one "section.key=value" override for this handle's later calls.
 */
int rastro_config_load(rastro_ws *ws, const char *path);
int rastro_config_set(rastro_ws *ws, const char *assignment);

/* Directory of rastro's data files (lexicons, lists, defaults): the
 * RASTRO_DATA environment variable, else the one chosen at build time. */
const char *rastro_datadir(void);

/* ---- tables: results of queries ---------------------------------------- */

/*
 * A rectangular result (alerts, networks, status...) with named columns.
 * Cells are strings (NULL for a missing value); the column type tells a
 * JSON writer whether a cell is a number.
 */
typedef struct rastro_table rastro_table;

enum rastro_coltype { RASTRO_COL_TEXT = 0, RASTRO_COL_INT = 1, RASTRO_COL_REAL = 2 };

const char *rastro_table_title(const rastro_table *t);
size_t rastro_table_ncols(const rastro_table *t);
size_t rastro_table_nrows(const rastro_table *t);
const char *rastro_table_colname(const rastro_table *t, size_t col);
int rastro_table_coltype(const rastro_table *t, size_t col);
const char *rastro_table_cell(const rastro_table *t, size_t row, size_t col);
void rastro_table_free(rastro_table *t);

/* The effective settings as a table of key and value (TOML syntax). */
int rastro_config_table(rastro_ws *ws, rastro_table **out);

/* ---- ingest ------------------------------------------------------------- */

struct rastro_ingest_opts {
	const char *format;    /* format name; NULL to guess from the header */
	const char *agency;    /* owning agency code; NULL = settings' default */
	const char *label;     /* dissemination label; NULL = settings' default */
	char delimiter;        /* CSV delimiter; 0 = the format's own */
	int force;             /* load even when the same content was loaded before */
	int strict;            /* stop at the first bad row and load nothing */
	int defer_index;       /* leave index building to a later command */
	const char *mapping;   /* "field=Header,field2=Header 2" column mapping */
};

struct rastro_ingest_stats {
	int64_t source_id;         /* the new source, or the earlier one when skipped */
	const char *format;        /* format used (borrowed, static) */
	uint64_t rows_read;        /* data rows seen (header excluded) */
	uint64_t rows_loaded;
	uint64_t rows_quarantined;
	uint64_t entities_added;
	uint64_t bytes;            /* bytes of input after decompression */
	double seconds;
	int skipped_duplicate;     /* 1 when the content was loaded before */
};

/*
 * Loads one file (plain, gzip or zstd) into the workspace.  Rows that fail
 * validation go to the quarantine with file, line, column and reason; the
 * rest is loaded in one transaction, so a crash or an I/O error leaves the
 * workspace as it was.  With opts->strict, the first bad row aborts the
 * whole file.
 */
int rastro_ingest(rastro_ws *ws, const char *path, const struct rastro_ingest_opts *opts,
		  struct rastro_ingest_stats *stats);

/* The formats rastro reads: name, record kind, one-line description. */
int rastro_formats(rastro_table **out);

/* ---- status and housekeeping ------------------------------------------- */

/* Counts per table and the list of sources. */
int rastro_status(rastro_ws *ws, rastro_table **counts, rastro_table **sources);

/* Quarantined rows, optionally of one source (0 = all), at most `limit`. */
int rastro_quarantine(rastro_ws *ws, int64_t source_id, size_t limit, rastro_table **out);

/* Builds any index that ingest deferred. */
int rastro_index(rastro_ws *ws);

/* The run log, newest first. */
int rastro_runlog(rastro_ws *ws, size_t limit, rastro_table **out);

/* ---- generator (rastro gen) -------------------------------------------- */

/*
 * The synthetic world generator: a seeded, deterministic world of people,
 * businesses, accounts, transactions, agency records, encounters, ads and
 * service providers with planted trafficking, smuggling and laundering
 * networks, written in the formats rastro ingests plus truth.json (the
 * ground truth).  No workspace is involved; the handle keeps the settings
 * and the last error.  See docs/generator.md.
 */
typedef struct rastro_gen rastro_gen;

struct rastro_gen_stats {
	uint64_t persons;          /* people of the world (incl. relatives abroad) */
	uint64_t businesses;
	uint64_t accounts;
	uint64_t transactions;
	uint64_t illicit_transactions;
	uint64_t networks;
	uint64_t person_records;
	uint64_t encounters;
	uint64_t ads;
	uint64_t providers;
	uint64_t bytes;            /* bytes written, all files */
	double seconds;
};

/* A generator with the built-in defaults (data/rastro.toml, section [gen]). */
int rastro_gen_new(rastro_gen **out);
void rastro_gen_free(rastro_gen *g);
/* Last error; "" when the last call succeeded. */
const char *rastro_gen_errmsg(const rastro_gen *g);
/* An extra settings file, or one "gen.key=value" override (e.g.
 * "gen.seed=7", "gen.difficulty=hard", "gen.networks.smuggling=3").
 * Explicit settings win over the difficulty preset. */
int rastro_gen_config_load(rastro_gen *g, const char *path);
int rastro_gen_set(rastro_gen *g, const char *assignment);
void rastro_gen_set_progress(rastro_gen *g, rastro_progress_fn fn, void *user);
/*
 * Writes the world into directory `dir` (created when missing; files in it
 * with the generator's names are replaced).  Each file is written under a
 * temporary name and renamed when complete, so a failed run leaves no
 * half-written file behind.  stats may be NULL.
 */
int rastro_gen_run(rastro_gen *g, const char *dir, struct rastro_gen_stats *stats);

/* ---- finance (rastro detect, alerts, sar, eval) ------------------------ */

/*
 * Who is asking, for outputs that must honour need-to-know.  Records whose
 * source carries a dissemination label not in `labels` are withheld from
 * alerts, evidence lists and SAR drafts (NULL labels = every label).
 * Potential victims (table victim_flag) are never shown as suspects and
 * never named in suspect outputs, whoever asks.  The coordination module's
 * access control fills this from the user's roles.
 */
struct rastro_viewer {
	const char *user;              /* for the audit trail; may be NULL */
	const char *const *labels;     /* labels the caller may see, or NULL = all */
	size_t nlabels;
};

struct rastro_detect_opts {
	const char *only;   /* comma-separated detector codes or keys; NULL = every enabled one */
	int threads;        /* 0 = setting finance.threads, then the number of CPUs */
};

struct rastro_detect_stats {
	uint64_t transactions, accounts;
	uint64_t signals, evidence, accounts_flagged;
	/* inputs handled specially (see docs/detectors/README.md) */
	uint64_t unknown_currency, self_transfers, zero_amounts, no_place, out_of_order;
	double load_seconds, detect_seconds, write_seconds;
	int threads;
	/* signals not stored because their subject is an account whose
	 * earnings are swept to a collector (a potential victim, listed as
	 * affected on the collector's FIN.EARNINGS_SWEEP signal instead) */
	uint64_t signals_withheld;
	/* of accounts_flagged (every account with a finding), those that meet
	 * the alert rule; the rest are watched (docs/finance.md) */
	uint64_t accounts_alerted;
};

/*
 * Runs the financial detectors over every transaction of the workspace and
 * replaces the previous finance signals and risk scores.  Same input and
 * settings give the same signals in the same order, whatever the thread
 * count.
 */
int rastro_detect(rastro_ws *ws, const struct rastro_detect_opts *opts,
		  struct rastro_detect_stats *stats);

/* The detectors: code, typology, indicator source, title, enabled. */
int rastro_detectors(rastro_ws *ws, rastro_table **out);
/* Signals and accounts per detector code in the workspace. */
int rastro_detect_summary(rastro_ws *ws, rastro_table **out);

struct rastro_alert_opts {
	size_t limit;                       /* 0 = all */
	const char *code;                   /* only accounts with this detector's signals */
	double min_score;                   /* only alerts scoring at least this */
	int by_signal;                      /* one row per signal instead of per account */
	const struct rastro_viewer *viewer; /* NULL = local analyst, every label */
	int watch;                          /* also accounts with one uncorroborated indicator */
};

/*
 * Ranked alerts: one row per account (its risk score as a sum of named
 * parts, its strongest signal's sentence, evidence record ids and source
 * rows), or one row per signal.  Accounts of potential victims never appear.
 */
int rastro_alerts(rastro_ws *ws, const struct rastro_alert_opts *opts, rastro_table **out);

/*
 * Per-account risk scores with each named part in its own row
 * (account, part, weight, strength, points).  `account` NULL = all.
 */
int rastro_risk(rastro_ws *ws, const char *account, const struct rastro_viewer *viewer,
		rastro_table **out);

/*
 * Drafts a SAR narrative for one account (its key "bank/number", its number
 * alone when unique, or "#entity-id"): who, what, when, where, why and how,
 * the FinCEN key terms for SAR field 2 and the narrative, the field 38
 * boxes, and the supporting transactions.  *text is allocated; free it
 * with rastro_sar_free.  RASTRO_DENIED for an account of a potential victim.
 */
int rastro_sar(rastro_ws *ws, const char *account, const struct rastro_viewer *viewer,
	       char **text);

struct rastro_eval_opts {
	const char *truth;     /* rastro gen truth.json or IBM *_Patterns.txt; NULL = txn.label */
	size_t top_k;          /* precision at the top k alerts (0 = 100) */
	int split;             /* 1 = IBM-style temporal 60/20/20 split by day: threshold
				  chosen on the validation days, figures on the test days */
	int buyers;            /* 1 = count truth role "buyer" (demand side) as a suspect
				  account; default: like "customer", neither suspect nor victim */
};

/* Precision, recall and F1 of the signals against ground truth at
 * transaction, account and network level, per typology, and precision at
 * the top k alerts.  One row per figure. */
int rastro_eval(rastro_ws *ws, const struct rastro_eval_opts *opts, rastro_table **out);

/* Frees a SAR draft's text. */
void rastro_sar_free(char *text);

/* ---- entity resolution (rastro resolve, why, encode, link-encoded) ----- */

/*
 * Entity resolution over every person-like record in the workspace (person
 * records, FEBRL rows, KYC account holders, encounters): blocking,
 * Fellegi–Sunter scoring, clustering into person entities with stable keys,
 * and the identifier entities and edges (uses_phone, uses_email, lives_at,
 * holds, same_as) that the network stage reads.  See docs/resolution.md.
 */
struct rastro_resolve_opts {
	const char *params_in;   /* reuse a saved parameter file instead of training */
	const char *params_out;  /* write the parameters used to this file */
	const char *export_path; /* CSV: record_id,source,file,entity (one row per record) */
	const char *link_a;      /* link mode: two sources (id or file path/name); no */
	const char *link_b;      /*   dedup inside each, one-to-one, workspace unchanged */
	int incremental;         /* match only new records, reuse the saved model and pairs */
};

struct rastro_resolve_stats {
	uint64_t records;        /* person-like records read */
	uint64_t new_records;    /* incremental: records not linked before */
	uint64_t candidate_pairs;/* distinct blocked pairs scored */
	uint64_t accepted_pairs; /* pairs at or above the threshold */
	uint64_t refused_pairs;  /* accepted pairs that clustering kept apart */
	uint64_t entities;       /* person entities (clusters) */
	uint64_t multi_entities; /* of which with two or more records */
	uint64_t capped_blocks;  /* blocks over the size cap, skipped */
	uint64_t warnings;       /* records with empty names, bad dates, bad phones... */
	double lambda, threshold;
	int em_iterations;
	double seconds;
	/* seconds per stage: read + normalise, block, compare, train, cluster, write, export */
	double t_read, t_block, t_compare, t_train, t_cluster, t_write, t_export;
	/* CPU seconds (all threads) of the same stages, in the same order: wall
	 * time on a shared machine says little */
	double cpu[7];
	char warning_text[512];  /* one line per kind of warning */
};

int rastro_resolve(rastro_ws *ws, const struct rastro_resolve_opts *opts,
		   struct rastro_resolve_stats *stats);

/* Pairs per blocking key in the last run: key, blocks, pairs, capped, largest. */
int rastro_resolve_blocks(rastro_ws *ws, rastro_table **out);

/*
 * Why two records did or did not match: one row per field (values as
 * compared, level, weight, term-frequency part) with the saved model.  A and
 * B are record ids or a source's own ids ("rec-1-org"); *summary (caller
 * frees with rastro_free) gives prior, total weight, probability, threshold
 * and whether they share an entity.
 */
int rastro_why(rastro_ws *ws, const char *a, const char *b, rastro_table **out, char **summary);

/* Frees memory the API handed to the caller. */
void rastro_free(void *p);

/*
 * Privacy-preserving encodings.  rastro_encode writes one line per
 * person-like record of the workspace (optionally of one source): the
 * record's own id, keyed HMAC (BLAKE2b) tokens of exact identifiers and a
 * hardened CLK Bloom filter of names, date of birth and address, all under
 * the shared secret in secret_path.  rastro_link_encoded links two such
 * files by Dice coefficient and writes record pairs.
 */
struct rastro_encode_opts {
	const char *secret_path;  /* file holding the shared secret (>= 16 bytes) */
	const char *out_path;
	int64_t source_id;        /* 0 = every person-like record */
};
int rastro_encode(rastro_ws *ws, const struct rastro_encode_opts *opts, uint64_t *written);

struct rastro_link_encoded_opts {
	const char *a_path, *b_path;
	const char *out_path;     /* CSV: a_id,b_id,dice,tokens */
	double threshold;         /* < 0 = the setting resolve.pprl.threshold */
};
struct rastro_link_encoded_stats {
	uint64_t a, b, comparisons, links;
	double seconds, comparisons_per_second;
};
int rastro_link_encoded(rastro_ws *ws, const struct rastro_link_encoded_opts *opts,
			struct rastro_link_encoded_stats *stats);

/* ---- ads (rastro ads) -------------------------------------------------- */

struct rastro_ads_opts {
	int threads;               /* 0 = settings (ads.threads), then one per core */
};

struct rastro_ads_stats {
	uint64_t ads;              /* ads analysed */
	uint64_t identifiers;      /* found in the text (phones, emails, handles, links, prices, ages, names, cities) */
	uint64_t phones, phones_obfuscated, emails, handles;
	uint64_t indicators;       /* indicator rows (one per ad and code) */
	uint64_t edges;            /* `lists` edges to identifiers found in the text */
	uint64_t templates;        /* distinct templates */
	uint64_t templated_ads;    /* ads that follow a template */
	uint64_t clusters;         /* clusters, singletons included */
	uint64_t multi_clusters;   /* clusters of two or more ads */
	uint64_t hub_identifiers;  /* identifiers in too many ads to link by */
	uint64_t links_cut;        /* identifiers whose ads were compared only up to link_max_pairs pairs */
	uint64_t signals;
	uint64_t signals_skipped_victim; /* not written: the entity has a victim flag */
	double seconds, seconds_analyse, seconds_cluster, seconds_write;
	double cpu_analyse, cpu_cluster, cpu_write; /* CPU seconds of the process (all threads) in each part */
};

/*
 * Runs the ads stage over every ad in the workspace: identifiers in the
 * text (with entities and edges), indicators, template clustering, links
 * through shared identifiers, cluster and phone signals.  Replaces the
 * previous run's results in one transaction.
 */
int rastro_ads_run(rastro_ws *ws, const struct rastro_ads_opts *opts, struct rastro_ads_stats *stats);

/* Clusters of two or more ads, highest score first (at most `limit`, 0 = all). */
int rastro_ads_clusters(rastro_ws *ws, size_t limit, rastro_table **out);

/* Writes a CSV file with one row per ad, in load order: ad id as given,
 * cluster id, template id (empty when none), site.  The file is written
 * beside and renamed into place, so a failure leaves no half file.
 * *rows gets the number of ads. */
int rastro_ads_export(rastro_ws *ws, const char *path, uint64_t *rows);

/* What the stage found in one ad (identifiers and indicators), by record
 * id or by "site:id". */
int rastro_ads_show(rastro_ws *ws, const char *ad, rastro_table **idents, rastro_table **indicators);

/* ---- networks (rastro network, path, timeline, export, report, run) ---- */

/*
 * The network stage: builds the link graph of the workspace (entities as
 * nodes; every stage's links plus money flows aggregated per account
 * pair), sets hubs aside, splits it into networks (connected components,
 * Leiden communities inside large ones), gives each member a role with its
 * reason and each network a score made of named parts, and replaces the
 * previous networks.  Network keys stay the same across runs while the
 * membership stays mostly the same.  See docs/network.md.
 */
struct rastro_network_stats {
	uint64_t nodes, edges, money_edges, transactions;
	uint64_t hubs, components, split_components, networks, ranked, members;
	uint64_t keys_kept;        /* networks that kept their key from the previous run */
	uint32_t hub_threshold, hub_identifier_threshold;
	double modularity;         /* Leiden partition of the largest split component */
	double build_seconds, partition_seconds, roles_seconds, write_seconds;
	double build_cpu, partition_cpu, roles_cpu, write_cpu;  /* process CPU time per phase, s */
	uint64_t cells;            /* groups found by the partition, before they are joined into networks */
	uint64_t joins, join_refused; /* cells joined into enterprises; joins refused by the size limit */
	double join_seconds, join_cpu; /* the join phase (signals read, cells joined) */
	uint64_t merchants;        /* accounts set aside as counterparties (paid only for purchases) */
};

int rastro_network_run(rastro_ws *ws, struct rastro_network_stats *stats);

/* Ranked networks: rank, key, kind, score, suspects, victims, size, time
 * span, summary.  limit 0 = all ranked networks. */
int rastro_networks(rastro_ws *ws, size_t limit, rastro_table **out);

/*
 * One network by key (or rank "#3"): its members (role, reason, entity)
 * and its score parts.  Potential victims are listed as protected members
 * without name or key unless `reveal_victims`.
 */
int rastro_network_show(rastro_ws *ws, const char *network, int reveal_victims, rastro_table **members,
			rastro_table **parts);

/* 1 when `role` (NULL = the setting victims.role) is one of the
 * victim-services roles (victims.services_roles) that may see potential
 * victims' names; 0 otherwise. */
int rastro_victim_access(rastro_ws *ws, const char *role);

/* The hubs the last run set aside, by degree. */
int rastro_network_hubs(rastro_ws *ws, size_t limit, rastro_table **out);

/*
 * An entity reference: "#123" or "123" (entity id), "kind:key"
 * ("account:BK1/A-400", "phone:+15551234567"), or a bare key or label found
 * in exactly one entity.  RASTRO_NOTFOUND or RASTRO_USAGE (ambiguous, with
 * the candidates in the message).
 */
int rastro_entity_find(rastro_ws *ws, const char *ref, int64_t *entity);

/*
 * The graph for queries: mapped from the cache the network stage writes
 * beside the workspace ("WS.graph") when it matches the workspace, else
 * built in memory (slower; *stale tells which, may be NULL).
 */
typedef struct rastro_graph rastro_graph;
int rastro_graph_open(rastro_ws *ws, rastro_graph **out, int *built);
void rastro_graph_close(rastro_graph *g);

struct rastro_query_opts {
	int hops;              /* k for neighbourhoods, longest path for paths (0 = setting) */
	int through_hubs;      /* expand through hubs too (they are listed, not expanded, by default) */
	int labels;            /* 1 = look up labels and keys (slower); 0 = ids only */
	int reveal_victims;    /* show potential victims' labels (victim-services roles) */
	size_t limit;          /* rows at most (0 = setting) */
};

/* Entities within k hops: entity, kind, key, label, hops, via (the entity
 * it was reached from), link type, network, role. */
int rastro_neighbourhood(rastro_graph *g, int64_t entity, const struct rastro_query_opts *opts,
			 rastro_table **out);

/* How A is connected to B: the shortest path (all = 0), or every simple
 * path of at most opts->hops links (all = 1, at most opts->limit paths);
 * one row per step: path, step, entity, kind, label, link to the next
 * (type, direction, count, amount, first, last). */
int rastro_paths(rastro_graph *g, int64_t a, int64_t b, int all, const struct rastro_query_opts *opts,
		 rastro_table **out);

/* Entities that share an identifier (phone, email, handle, address,
 * image) with the entity, or that use it when it is one. */
int rastro_shared(rastro_ws *ws, int64_t entity, int reveal_victims, rastro_table **out);

/* An entity's timeline: its transactions (and those of the accounts a
 * person holds), dated links, and signals, oldest first, each with its
 * record and source file:line. */
int rastro_timeline(rastro_ws *ws, int64_t entity, size_t limit, rastro_table **out);

/*
 * Exports for analysts' tools.  Suspect exports (suspects_only) leave out
 * every potential victim; full exports show them as protected nodes
 * without name or key.
 */
enum rastro_export_format {
	RASTRO_EXPORT_GRAPHML, RASTRO_EXPORT_GEXF, RASTRO_EXPORT_CYJS, RASTRO_EXPORT_CSV, RASTRO_EXPORT_I2
};
struct rastro_export_opts {
	int format;               /* enum rastro_export_format */
	const char *path;         /* output file (CSV: PATH-nodes.csv and PATH-edges.csv when PATH ends in .csv) */
	const char *network;      /* one network (key or #rank); NULL = every network member */
	size_t top;               /* the top N ranked networks (0 = all) */
	int suspects_only;
	int whole_graph;          /* every node and link, networks or not */
};
struct rastro_export_stats {
	uint64_t nodes, edges, victims_left_out;
	const char *files[2];     /* written files (borrowed until the next call) */
};
int rastro_export(rastro_ws *ws, const struct rastro_export_opts *opts, struct rastro_export_stats *stats);
/* "graphml", "gexf", "cyjs", "csv", "i2" -> format; -1 when unknown. */
int rastro_export_format(const char *name);

/*
 * The analyst's report: one self-contained HTML file (inline CSS and SVG,
 * no network access): summary, ranked networks, and per network a diagram
 * (Graphviz), money flows, a timeline chart, evidence with provenance,
 * SAR drafts of its accounts and victim referrals (counts unless `role` is
 * a victim-services role).
 */
struct rastro_report_opts {
	const char *path;
	size_t top;               /* networks with a page of their own (0 = setting) */
	const char *role;         /* caller's role for victim data (NULL = victims.role) */
	const char *title;
};
struct rastro_report_stats {
	uint64_t networks, diagrams, bytes;
	double seconds;
};
int rastro_report(rastro_ws *ws, const struct rastro_report_opts *opts, struct rastro_report_stats *stats);

/*
 * Every analysis stage in order (resolve, detect, ads, victims, network):
 * `step` is called before (done = 0) and after (done = 1) each stage with
 * a one-line summary; a failing stage stops the run.
 */
typedef void (*rastro_step_fn)(void *user, const char *stage, int done, const char *summary);
int rastro_run_all(rastro_ws *ws, rastro_step_fn step, void *user);

/* ---- victims (rastro victims, refer) ----------------------------------- */

/*
 * Victim data is confidential.  Every call below takes the caller's role
 * (NULL = the settings' `victims.role`): roles listed in
 * `victims.services_roles` (victim-services staff) see names, contact
 * details, reasons and referrals; every other role sees counts only.  With
 * access control, the role will come from the authenticated user instead.
 */

struct rastro_victims_stats {
	uint64_t encounters;       /* encounter records read */
	uint64_t persons_new;      /* provisional person entities created for encounters */
	uint64_t indicators;       /* indicator findings (one per entity, code and record) */
	uint64_t victims;          /* potential victims (people, after grouping their entities) */
	uint64_t minors;           /* of which potential minors */
	uint64_t entities_flagged; /* rows in victim_flag (a victim and the accounts they hold...) */
	uint64_t records_kept_apart; /* records whose resolved person also holds another person's records */
	uint64_t notes_read;       /* encounter notes scanned with the notes lexicon */
	uint64_t note_indicators;  /* indicators shown by a note and not by the same encounter's answers */
	uint64_t notes_negated;    /* indicators a note mentions only negated ("denies threats") */
	double seconds;
};

/*
 * The victims stage: reads encounters, KYC, transactions and other modules'
 * signals, computes the victim indicators (VIC.* codes, docs/victims.md),
 * groups each person's entities, and rewrites `victim_flag`.  Safe to run
 * again at any time; it replaces its own earlier results.
 */
int rastro_victims_run(rastro_ws *ws, struct rastro_victims_stats *stats);

/*
 * Potential victims, potential minors first, then by score.  For a services
 * role: one row per victim with reasons, each pointing to its record
 * (kind, source file:line, id in the source).  For other roles: a table of
 * counts.  *full is set to 1 when the full list was returned.
 */
int rastro_victims_list(rastro_ws *ws, const char *role, size_t limit, rastro_table **out, int *full);

struct rastro_refer_opts {
	const char *role;          /* NULL = victims.role; must be a services role */
	int top;                   /* providers proposed per victim; 0 = victims.refer.top */
};

struct rastro_refer_stats {
	uint64_t victims;          /* victims considered */
	uint64_t skipped;          /* already served (a referral made or accepted) */
	uint64_t unmatched;        /* no provider could serve them */
	uint64_t proposed;         /* referrals proposed or refreshed */
	uint64_t providers;        /* providers in the directory */
	double seconds;
};

/*
 * Ranks providers for every potential victim (needs, great-circle distance,
 * language, population served, open capacity: a sum of named parts) and
 * records the best as `proposed` referrals.  Referrals already made,
 * accepted or declined are never changed.  RASTRO_DENIED for a role that
 * is not a services role.
 */
int rastro_refer_run(rastro_ws *ws, const struct rastro_refer_opts *opts, struct rastro_refer_stats *stats);

/* Referrals with their explanation and status (services roles), or counts
 * per status (other roles).  victim = 0 lists all. */
int rastro_referrals(rastro_ws *ws, const char *role, int64_t victim, rastro_table **out, int *full);

/*
 * Records a status change of a referral: proposed -> made | declined,
 * made -> accepted | declined.  Each change is kept with its time, role
 * and note.  RASTRO_USAGE for an impossible change, RASTRO_NOTFOUND for an
 * unknown referral, RASTRO_DENIED for a role that may not see referrals.
 */
int rastro_referral_set_status(rastro_ws *ws, const char *role, int64_t referral, const char *status,
			       const char *note);

/* ---- testing ------------------------------------------------------------ */

/*
 * Test hook: after `after` more successful allocations by rastro itself,
 * every allocation fails until called again with -1.  Lets tests prove that
 * each out-of-memory path returns RASTRO_NOMEM cleanly and frees what it
 * took.  (SQLite's own allocations are not affected.)
 */
void rastro_test_fail_alloc(long after);

#ifdef __cplusplus
}
#endif

#endif
