/*
 * rastro eval WS — precision, recall and F1 of the finance signals against
 * ground truth.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void help(void)
{
	printf("usage: rastro eval WORKSPACE [options]\n\n"
	       "Compares the finance signals with ground truth and prints precision, recall\n"
	       "and F1 at transaction, account and network level, per typology and per\n"
	       "detector, and the precision among the top-k alerts.  Without --truth the\n"
	       "truth is the label column of the transactions (IBM 'Is Laundering', AMLSim\n"
	       "is_sar; label groups form the networks).\n\n"
	       "options:\n"
	       "  -t, --truth FILE      rastro gen truth.json, or an IBM AMLworld *_Patterns.txt\n"
	       "                        (pattern kinds become typologies)\n"
	       "      --split           IBM protocol: days cut 60/20/20, threshold chosen on\n"
	       "                        the validation days, figures on the test days\n"
	       "      --buyers          count truth role 'buyer' (the demand side) as suspect\n"
	       "                        accounts; by default, like 'customer', they are not\n"
	       "  -k, --top-k N         precision among the N highest-scored accounts (100)\n"
	       "  -f, --format F        table (default), csv or json\n");
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "truth", required_argument, NULL, 't' },
		{ "split", no_argument, NULL, 's' },
		{ "buyers", no_argument, NULL, 'B' },
		{ "top-k", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_eval_opts o = { 0 };
	struct cli_common common = { 0 };
	rastro_table *t;
	rastro_ws *ws;
	int opt, code, rc, format = OUT_TABLE;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:k:f:h", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("eval", "too many --config or --set options");
		switch (opt) {
		case 't': o.truth = optarg; break;
		case 's': o.split = 1; break;
		case 'B': o.buyers = 1; break;
		case 'k': {
			long long v = strtoll(optarg, &end, 10);

			if (*end || v < 1)
				return cli_usage("eval", "--top-k takes a positive number");
			o.top_k = (size_t)v;
			break;
		}
		case 'f':
			format = cli_parse_format(optarg);
			if (format < 0)
				return cli_usage("eval", "--format takes table, csv or json");
			break;
		case 'h': help(); return 0;
		default: return cli_usage("eval", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("eval", "expected one workspace");
	common.quiet = 1;
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	rc = rastro_eval(ws, &o, &t);
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
