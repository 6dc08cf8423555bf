/*
 * rastro init WS — creates a workspace file with the current schema.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

static void help(void)
{
	printf("usage: rastro init WORKSPACE\n\n"
	       "Creates a new workspace: one SQLite file that will hold sources, records\n"
	       "with their provenance, entities, signals, networks and the run log.\n"
	       "Running it on an existing workspace upgrades its schema and changes nothing else.\n");
}

int cmd_init(int argc, char **argv)
{
	struct stat st;
	rastro_ws *ws;
	int code, existed;

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	if (argc != 2)
		return cli_usage("init", "expected one workspace path");
	existed = stat(argv[1], &st) == 0;
	ws = cli_open(argv[1], RASTRO_OPEN_CREATE, NULL, &code);
	if (!ws)
		return code;
	printf("%s workspace %s\n", existed ? "upgraded" : "created", argv[1]);
	rastro_close(ws);
	return 0;
}
