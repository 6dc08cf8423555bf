/*
 * cli: shared pieces of the `rastro` command — the subcommand table, output
 * of result tables as text, CSV or JSON, the progress bar, and opening a
 * workspace with the common options.  The CLI uses only the public API in
 * rastro.h; it is the only part of rastro that prints or exits.
 */
#ifndef RASTRO_CLI_H
#define RASTRO_CLI_H

#include <stdio.h>

#include "rastro.h"

struct cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* Output formats for tables. */
enum cli_format { OUT_TABLE, OUT_CSV, OUT_JSON };

/* Parses "table", "csv" or "json"; -1 when unknown. */
int cli_parse_format(const char *s);
/* Prints a table in the chosen format (JSON: an array of objects). */
void cli_print_table(FILE *f, const rastro_table *t, enum cli_format fmt);

/* Progress bar on stderr, only when stderr is a terminal. */
void cli_progress(void *user, const char *stage, uint64_t done, uint64_t total);
void cli_progress_done(void);

/* Options every workspace command takes; filled by cli_common_option. */
struct cli_common {
	const char *config[8];
	size_t nconfig;
	const char *set[32];
	size_t nset;
	int quiet;
};

/* getopt_long ids for the common options. */
enum { OPT_CONFIG = 1000, OPT_SET, OPT_QUIET };
#define CLI_COMMON_LONGOPTS \
	{ "config", required_argument, NULL, OPT_CONFIG }, \
	{ "set", required_argument, NULL, OPT_SET }, \
	{ "quiet", no_argument, NULL, OPT_QUIET }

/* Handles a common option; returns 1 if it was one, 0 if not, -1 on error. */
int cli_common_option(struct cli_common *c, int opt, const char *arg);

/*
 * Opens a workspace, applies --config/--set, installs the progress bar.
 * Prints the error and returns NULL on failure (*code set).
 */
rastro_ws *cli_open(const char *path, int flags, const struct cli_common *c, int *code);

/* Prints "rastro: MESSAGE" and returns code (for `return cli_fail(...)`). */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the workspace's error. */
int cli_ws_fail(rastro_ws *ws, int code);

/* Usage error with a pointer to --help. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 if argv asks for help (-h / --help) anywhere. */
int cli_wants_help(int argc, char **argv);

/* Subcommands (one file each). */
int cmd_init(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_config(int argc, char **argv);

/* gen */
int cmd_gen(int argc, char **argv);

/* finance */
int cmd_detect(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_sar(int argc, char **argv);
int cmd_eval(int argc, char **argv);
/* "A,B" into pointers into s (which it modifies); returns the count. */
int cli_split_labels(char *s, const char **out, size_t max);

/* resolve */
int cmd_resolve(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_link_encoded(int argc, char **argv);

/* ads */
int cmd_ads(int argc, char **argv);

/* network */
int cmd_network(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* victims */
int cmd_victims(int argc, char **argv);
int cmd_refer(int argc, char **argv);

/* report */
int cmd_report(int argc, char **argv);


#endif
