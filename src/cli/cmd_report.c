/*
 * rastro report — the analyst's report: one self-contained HTML file.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_help(void)
{
	printf("usage: rastro report WORKSPACE -o FILE.html [options]\n\n"
	       "Writes the analyst's report as one self-contained HTML file (inline CSS and\n"
	       "SVG; it opens without network access): what was ingested and found, the\n"
	       "ranked networks, and for each of the top networks a Graphviz diagram (roles\n"
	       "as colours and shapes, money as weighted arrows), its money flows, a\n"
	       "timeline chart, the evidence with source file and line, the SAR drafts of\n"
	       "its accounts and victim referrals (counts unless the role may see them).\n"
	       "Run 'rastro network' (or 'rastro run') first.  See docs/report.md.\n\n"
	       "options:\n"
	       "  -o, --output FILE       the HTML file to write\n"
	       "      --top N             networks with a page of their own (default 20)\n"
	       "      --role ROLE         the reader's role (victim-services roles see\n"
	       "                          victims' details and referrals)\n"
	       "      --title TEXT        report title\n"
	       "      --config FILE       extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet             no summary\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, 't' },
		{ "role", required_argument, NULL, 'r' },
		{ "title", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	struct rastro_report_opts o = { 0 };
	struct rastro_report_stats st;
	rastro_ws *ws;
	int opt, code, rc;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("report", "too many --config or --set options");
		switch (opt) {
		case 'o': o.path = optarg; break;
		case 't':
			o.top = (size_t)strtoull(optarg, &end, 10);
			if (*end || optarg[0] == '-')
				return cli_usage("report", "--top takes a number");
			break;
		case 'r': o.role = optarg; break;
		case 'T': o.title = optarg; break;
		case 'q': common.quiet = 1; break;
		case 'h': report_help(); return 0;
		default: return cli_usage("report", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("report", "expected one workspace");
	if (!o.path)
		return cli_usage("report", "-o FILE.html is required");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	rc = rastro_report(ws, &o, &st);
	cli_progress_done();
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (!common.quiet)
		printf("report: %llu networks, %llu diagrams, %llu bytes, %.2f s: %s\n", (unsigned long long)st.networks,
		       (unsigned long long)st.diagrams, (unsigned long long)st.bytes, st.seconds, o.path);
	rastro_close(ws);
	return 0;
}
