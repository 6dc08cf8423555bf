/*
 * rastro init WS — creates a workspace file with the current schema.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void help(void)
{
	printf("usage: rastro init WORKSPACE [-q]\n\n"
	       "Creates a new workspace: one SQLite file that will hold sources, records\n"
	       "with their provenance, entities, signals, networks and the run log.\n"
	       "Running it on an existing workspace upgrades its schema and changes nothing else.\n\n"
	       "options:\n"
	       "  -q, --quiet   no summary line\n");
}

int cmd_init(int argc, char **argv)
{
	struct stat st;
	rastro_ws *ws;
	int code, existed, quiet = 0;
	const char *path = NULL;

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	/* The same -q as every other command, so scripts can pass it everywhere. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage("init", "unknown option '%s'", argv[i]);
		else if (path)
			return cli_usage("init", "expected one workspace path");
		else
			path = argv[i];
	}
	if (!path)
		return cli_usage("init", "expected one workspace path");
	existed = stat(path, &st) == 0;
	ws = cli_open(path, RASTRO_OPEN_CREATE, NULL, &code);
	if (!ws)
		return code;
	if (!quiet)
		printf("%s workspace %s\n", existed ? "upgraded" : "created", path);
	rastro_close(ws);
	return 0;
}
