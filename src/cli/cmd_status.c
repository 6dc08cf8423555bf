/*
 * Small read-only commands: status, quarantine, formats, index, log, config.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses the options shared by the listing commands. */
struct list_opts {
	int format;
	long long source;
	long long limit;
	struct cli_common common;
};

static int parse_list(const char *cmd, int argc, char **argv, struct list_opts *o, void (*help)(void))
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "source", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	char *end;

	memset(o, 0, sizeof *o);
	o->limit = 100;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:s:n:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&o->common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage(cmd, "too many --config or --set options");
		switch (opt) {
		case 'f':
			o->format = cli_parse_format(optarg);
			if (o->format < 0)
				return cli_usage(cmd, "--format takes table, csv or json");
			break;
		case 's':
			o->source = strtoll(optarg, &end, 10);
			if (*end || o->source < 0)
				return cli_usage(cmd, "--source takes a source number");
			break;
		case 'n':
			o->limit = strtoll(optarg, &end, 10);
			if (*end || o->limit < 0)
				return cli_usage(cmd, "--limit takes a number (0 = all)");
			break;
		case 'q':
			o->common.quiet = 1;
			break;
		case 'h':
			help();
			return -1;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	return 0;
}

static void status_help(void)
{
	printf("usage: rastro status WORKSPACE [--format table|csv|json]\n\n"
	       "Shows row counts per table and the loaded sources with their figures.\n");
}

int cmd_status(int argc, char **argv)
{
	struct list_opts o;
	rastro_table *counts, *sources;
	rastro_ws *ws;
	int rc, code;

	rc = parse_list("status", argc, argv, &o, status_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (argc - optind != 1)
		return cli_usage("status", "expected one workspace");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &o.common, &code);
	if (!ws)
		return code;
	rc = rastro_status(ws, &counts, &sources);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (o.format == OUT_TABLE)
		printf("workspace %s\n\n", argv[optind]);
	cli_print_table(stdout, counts, o.format);
	if (o.format == OUT_TABLE)
		printf("\n");
	cli_print_table(stdout, sources, o.format);
	rastro_table_free(counts);
	rastro_table_free(sources);
	rastro_close(ws);
	return 0;
}

static void quarantine_help(void)
{
	printf("usage: rastro quarantine WORKSPACE [--source N] [--limit N] [--format table|csv|json]\n\n"
	       "Lists rows that failed validation: source, file, line, column, reason and\n"
	       "the start of the row as read.  Nothing is ever dropped silently.\n");
}

int cmd_quarantine(int argc, char **argv)
{
	struct list_opts o;
	rastro_table *t;
	rastro_ws *ws;
	int rc, code;

	rc = parse_list("quarantine", argc, argv, &o, quarantine_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (argc - optind != 1)
		return cli_usage("quarantine", "expected one workspace");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &o.common, &code);
	if (!ws)
		return code;
	rc = rastro_quarantine(ws, o.source, (size_t)o.limit, &t);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	cli_print_table(stdout, t, o.format);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}

static void formats_help(void)
{
	printf("usage: rastro formats [--format table|csv|json]\n\nLists the input formats.\n");
}

int cmd_formats(int argc, char **argv)
{
	struct list_opts o;
	rastro_table *t;
	int rc;

	rc = parse_list("formats", argc, argv, &o, formats_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = rastro_formats(&t);
	if (rc)
		return cli_fail(rc, "out of memory");
	cli_print_table(stdout, t, o.format);
	rastro_table_free(t);
	return 0;
}

static void index_help(void)
{
	printf("usage: rastro index WORKSPACE\n\nBuilds the indexes that 'ingest --defer-index' left out.\n");
}

int cmd_index(int argc, char **argv)
{
	struct list_opts o;
	rastro_ws *ws;
	int rc, code;

	rc = parse_list("index", argc, argv, &o, index_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (argc - optind != 1)
		return cli_usage("index", "expected one workspace");
	ws = cli_open(argv[optind], 0, &o.common, &code);
	if (!ws)
		return code;
	rc = rastro_index(ws);
	cli_progress_done();
	if (rc)
		code = cli_ws_fail(ws, rc);
	else
		code = 0;
	rastro_close(ws);
	return code;
}

static void log_help(void)
{
	printf("usage: rastro log WORKSPACE [--limit N] [--format table|csv|json]\n\n"
	       "Shows the run log: every command that changed the workspace, newest first.\n");
}

int cmd_log(int argc, char **argv)
{
	struct list_opts o;
	rastro_table *t;
	rastro_ws *ws;
	int rc, code;

	rc = parse_list("log", argc, argv, &o, log_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (argc - optind != 1)
		return cli_usage("log", "expected one workspace");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &o.common, &code);
	if (!ws)
		return code;
	rc = rastro_runlog(ws, (size_t)o.limit, &t);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	cli_print_table(stdout, t, o.format);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}

static void config_help(void)
{
	printf("usage: rastro config WORKSPACE [--config FILE] [--set KEY=VALUE] [--format ...]\n\n"
	       "Shows the effective settings: built-in defaults (%s/rastro.toml),\n"
	       "then rastro.toml beside the workspace, then --config files, then --set.\n",
	       rastro_datadir());
}

int cmd_config(int argc, char **argv)
{
	struct list_opts o;
	rastro_table *t;
	rastro_ws *ws;
	int rc, code;

	rc = parse_list("config", argc, argv, &o, config_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (argc - optind != 1)
		return cli_usage("config", "expected one workspace");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &o.common, &code);
	if (!ws)
		return code;
	rc = rastro_config_table(ws, &t);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	cli_print_table(stdout, t, o.format);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}
