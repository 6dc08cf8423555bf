/*
 * rastro detect WS — runs the financial detectors over the workspace's
 * transactions and stores their signals and the per-account risk scores.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("usage: rastro detect WORKSPACE [options]\n\n"
	       "Runs the financial detectors (FinCEN human-trafficking and human-smuggling\n"
	       "indicators, structuring, AML graph patterns) over every transaction and KYC\n"
	       "row of the workspace.  The previous finance signals are replaced.  Each\n"
	       "signal has a stable code, a score, a sentence and its evidence records;\n"
	       "each account gets a risk score made of named parts (see 'rastro alerts').\n\n"
	       "options:\n"
	       "      --only CODES      run only these detectors (comma-separated codes or\n"
	       "                        settings keys: FIN.FUNNEL,structuring)\n"
	       "  -j, --threads N       worker threads (default: setting finance.threads,\n"
	       "                        else one per CPU); results never depend on it\n"
	       "      --list            list the detectors and exit\n"
	       "  -f, --format F        table, csv or json for the summary and --list\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "                        (e.g. --set finance.funnel.min_deposit_places=4)\n"
	       "  -q, --quiet           no progress bar and no summary\n");
}

int cmd_detect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "threads", required_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'L' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_detect_opts o = { 0 };
	struct rastro_detect_stats s;
	struct cli_common common = { 0 };
	rastro_table *t;
	rastro_ws *ws;
	int opt, code, rc, list = 0, format = OUT_TABLE;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "j:f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("detect", "too many --config or --set options");
		switch (opt) {
		case 'o': o.only = optarg; break;
		case 'L': list = 1; break;
		case 'q': common.quiet = 1; break;
		case 'j':
			o.threads = (int)strtol(optarg, &end, 10);
			if (*end || o.threads < 1 || o.threads > 64)
				return cli_usage("detect", "--threads takes a number from 1 to 64");
			break;
		case 'f':
			format = cli_parse_format(optarg);
			if (format < 0)
				return cli_usage("detect", "--format takes table, csv or json");
			break;
		case 'h': help(); return 0;
		default: return cli_usage("detect", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("detect", "expected one workspace");
	ws = cli_open(argv[optind], list ? RASTRO_OPEN_READONLY : 0, &common, &code);
	if (!ws)
		return code;
	if (list) {
		rc = rastro_detectors(ws, &t);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		cli_print_table(stdout, t, (enum cli_format)format);
		rastro_table_free(t);
		rastro_close(ws);
		return 0;
	}
	rc = rastro_detect(ws, &o, &s);
	cli_progress_done();
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (!common.quiet) {
		if (format == OUT_TABLE)
			printf("%llu transactions, %llu accounts: %llu signals (%llu evidence records), %llu accounts "
			       "alerted, %llu watched\nload %.2f s, detect %.2f s on %d thread%s, write %.2f s\n",
			       (unsigned long long)s.transactions, (unsigned long long)s.accounts,
			       (unsigned long long)s.signals, (unsigned long long)s.evidence,
			       (unsigned long long)s.accounts_alerted,
			       (unsigned long long)(s.accounts_flagged - s.accounts_alerted), s.load_seconds,
			       s.detect_seconds, s.threads,
			       s.threads == 1 ? "" : "s", s.write_seconds);
		if (format == OUT_TABLE &&
		    (s.unknown_currency || s.self_transfers || s.zero_amounts || s.out_of_order || s.no_place))
			printf("inputs handled specially: %llu with an unknown currency (no dollar amount), %llu "
			       "self-transfers and %llu zero amounts (not graph edges), %llu out of time order "
			       "(sorted), %llu without a place\n",
			       (unsigned long long)s.unknown_currency, (unsigned long long)s.self_transfers,
			       (unsigned long long)s.zero_amounts, (unsigned long long)s.out_of_order,
			       (unsigned long long)s.no_place);
		if (format == OUT_TABLE && s.signals_withheld)
			printf("%llu signals withheld: their subject's earnings are swept to a collector (a potential "
			       "victim, named as affected on the collector's FIN.EARNINGS_SWEEP signal)\n",
			       (unsigned long long)s.signals_withheld);
		rc = rastro_detect_summary(ws, &t);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (format == OUT_TABLE)
			printf("\n");
		cli_print_table(stdout, t, (enum cli_format)format);
		rastro_table_free(t);
	}
	rastro_close(ws);
	return 0;
}
