/*
 * rastro run — every analysis stage in order after ingest, so a user needs
 * one command: resolve, ads, detect, victims, network (those built in).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void run_help(void)
{
	printf("usage: rastro run WORKSPACE [options]\n\n"
	       "Runs every analysis stage in order on what was ingested: entity resolution,\n"
	       "the ads stage, the financial detectors, the victims stage and the network\n"
	       "stage (those this build has), printing one line per stage.  A stage that\n"
	       "fails stops the run; the stages before it keep their results.\n\n"
	       "options:\n"
	       "      --config FILE       extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet             no progress and no summaries\n");
}

static void step(void *user, const char *stage, int done, const char *summary)
{
	const struct cli_common *c = user;

	cli_progress_done();
	if (c->quiet)
		return;
	if (!done)
		printf("== %s\n", stage);
	else
		printf("%s\n", summary);
	fflush(stdout);
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	rastro_ws *ws;
	int opt, code, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("run", "too many --config or --set options");
		switch (opt) {
		case 'q': common.quiet = 1; break;
		case 'h': run_help(); return 0;
		default: return cli_usage("run", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("run", "expected one workspace");
	ws = cli_open(argv[optind], 0, &common, &code);
	if (!ws)
		return code;
	rc = rastro_run_all(ws, step, &common);
	cli_progress_done();
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	rastro_close(ws);
	return 0;
}
