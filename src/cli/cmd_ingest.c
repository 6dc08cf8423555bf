/*
 * rastro ingest WS [--format NAME] FILE... — loads source files.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void help(void)
{
	printf("usage: rastro ingest WORKSPACE [options] FILE...\n\n"
	       "Loads each FILE (plain, .gz or .zst) into the workspace.  Rows that fail\n"
	       "validation are kept in the quarantine with file, line, column and reason\n"
	       "(see 'rastro quarantine'); everything else is loaded in one transaction.\n"
	       "A file whose content was loaded before is skipped unless --force.\n\n"
	       "options:\n"
	       "  -f, --format NAME     input format (guessed from the header when omitted;\n"
	       "                        'rastro formats' lists them)\n"
	       "  -a, --agency CODE     owning agency of the records (default: settings)\n"
	       "  -l, --label LABEL     dissemination label of the records (default: settings)\n"
	       "  -d, --delimiter C     CSV delimiter (one character, or 'tab')\n"
	       "  -m, --map F=H,...     read field F from the column headed H\n"
	       "      --strict          stop at the first bad row and load nothing\n"
	       "      --force           load a file again even if its content was loaded before\n"
	       "      --defer-index     do not build indexes now (run 'rastro index' later)\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet           no progress bar and no summary\n");
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "agency", required_argument, NULL, 'a' },
		{ "label", required_argument, NULL, 'l' },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "map", required_argument, NULL, 'm' },
		{ "strict", no_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'F' },
		{ "defer-index", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_ingest_opts o = { 0 };
	struct cli_common common = { 0 };
	rastro_ws *ws;
	int opt, code = 0, i, failed = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:a:l:d:m:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("ingest", "too many --config or --set options");
		switch (opt) {
		case 'f': o.format = optarg; break;
		case 'a': o.agency = optarg; break;
		case 'l': o.label = optarg; break;
		case 'm': o.mapping = optarg; break;
		case 's': o.strict = 1; break;
		case 'F': o.force = 1; break;
		case 'D': o.defer_index = 1; break;
		case 'q': common.quiet = 1; break;
		case 'd':
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0)
				o.delimiter = '\t';
			else if (strlen(optarg) == 1)
				o.delimiter = optarg[0];
			else
				return cli_usage("ingest", "the delimiter must be one character or 'tab'");
			break;
		case 'h': help(); return 0;
		default: return cli_usage("ingest", "unknown option");
		}
	}
	if (argc - optind < 2)
		return cli_usage("ingest", "expected a workspace and at least one file");
	ws = cli_open(argv[optind], RASTRO_OPEN_CREATE, &common, &code);
	if (!ws)
		return code;
	for (i = optind + 1; i < argc; i++) {
		struct rastro_ingest_stats s;
		int rc = rastro_ingest(ws, argv[i], &o, &s);

		cli_progress_done();
		if (rc) {
			cli_ws_fail(ws, rc);
			if (!code)
				code = rc;
			failed++;
			continue;
		}
		if (common.quiet)
			continue;
		if (s.skipped_duplicate) {
			printf("%s: skipped, same content as source %lld (use --force to load it again)\n",
			       argv[i], (long long)s.source_id);
			continue;
		}
		printf("%s: %s, %llu rows read, %llu loaded, %llu quarantined, %llu new entities, "
		       "%.2f s, %.0f rows/s (source %lld)\n",
		       argv[i], s.format, (unsigned long long)s.rows_read, (unsigned long long)s.rows_loaded,
		       (unsigned long long)s.rows_quarantined, (unsigned long long)s.entities_added,
		       s.seconds, s.seconds > 0 ? (double)s.rows_read / s.seconds : 0.0,
		       (long long)s.source_id);
		if (s.rows_quarantined)
			printf("  %llu bad rows kept in quarantine: rastro quarantine %s --source %lld\n",
			       (unsigned long long)s.rows_quarantined, argv[optind], (long long)s.source_id);
	}
	rastro_close(ws);
	if (failed && argc - optind - 1 > 1)
		fprintf(stderr, "rastro: %d of %d files failed; the others were loaded\n", failed, argc - optind - 1);
	return code;
}
