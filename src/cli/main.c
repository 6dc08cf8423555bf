/*
 * main: the `rastro` command — dispatches to one function per subcommand.
 *
 *   rastro COMMAND WORKSPACE [options] [FILE...]
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd commands[] = {
	{ "init", "create a new workspace", cmd_init },
	{ "ingest", "load source files (transactions, accounts, records, ads...)", cmd_ingest },
	{ "status", "what a workspace holds", cmd_status },
	{ "quarantine", "list rows that failed validation, with file, line and reason", cmd_quarantine },
	{ "formats", "list the input formats rastro reads", cmd_formats },
	{ "index", "build indexes that a bulk load deferred", cmd_index },
	{ "log", "show the run log", cmd_log },
	{ "config", "show the effective settings", cmd_config },

	/* gen */
	{ "gen", "generate a synthetic world with ground truth (tests, demos, benchmarks)", cmd_gen },

	/* finance */
	{ "detect", "run the financial detectors (FinCEN indicators, structuring, AML graph patterns)", cmd_detect },
	{ "alerts", "ranked alerts with explanation, evidence and risk score parts", cmd_alerts },
	{ "sar", "draft a SAR narrative for one account", cmd_sar },
	{ "eval", "precision, recall and F1 of the signals against ground truth", cmd_eval },

	/* resolve */
	{ "resolve", "resolve person-like records into person entities", cmd_resolve },
	{ "why", "explain why two records match or not", cmd_why },
	{ "encode", "privacy-preserving encodings of person records (shared secret)", cmd_encode },
	{ "link-encoded", "link two encodings files by Dice coefficient", cmd_link_encoded },

	/* ads */
	{ "ads", "analyse ads and posts: identifiers, indicators, template clusters, signals", cmd_ads },

	/* network */
	{ "network", "find, rank and explain networks; neighbourhoods, shared identifiers", cmd_network },
	{ "path", "how two entities are connected (shortest or all paths)", cmd_path },
	{ "timeline", "an entity's transactions, links and signals in time", cmd_timeline },
	{ "export", "networks for Gephi, Cytoscape, i2 Analyst's Notebook, Neo4j", cmd_export },
	{ "run", "every analysis stage in order, after ingest", cmd_run },

	/* victims */
	{ "victims", "potential victims with their reasons (confidential)", cmd_victims },
	{ "refer", "refer potential victims to service providers; record referral status", cmd_refer },

	/* report */
	{ "report", "the analyst's report: one self-contained HTML file", cmd_report },

};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "rastro %s — counter-trafficking intelligence engine\n\n"
		   "usage: rastro COMMAND WORKSPACE [options] [FILE...]\n\n"
		   "commands:\n", rastro_version());
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'rastro COMMAND --help' for a command's options.\n"
		   "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input data, 4 I/O error,\n"
		   "5 out of memory, 6 not found, 7 already exists, 8 damaged workspace, 9 read-only,\n"
		   "10 disk full, 11 busy, 12 access denied, 13 size limit exceeded.\n");
}

int main(int argc, char **argv)
{
	const char *fail_alloc = getenv("RASTRO_TEST_FAIL_ALLOC");
	size_t i;

	opterr = 0; /* the commands print their own usage errors */
	/* Test hook (tests/e2e/faults.sh): make the Nth allocation fail.  Read
	 * once: a second getenv need not return the same pointer. */
	if (fail_alloc) {
		char *end;
		long n = strtol(fail_alloc, &end, 10);

		if (!*end && n >= 0)
			rastro_test_fail_alloc(n);
	}
	if (argc < 2) {
		usage(stderr);
		return RASTRO_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("rastro %s\n", rastro_version());
		return 0;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "rastro: unknown command '%s' (rastro --help lists them)\n", argv[1]);
	return RASTRO_USAGE;
}
