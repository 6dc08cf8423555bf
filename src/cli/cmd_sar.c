/*
 * rastro sar WS ACCOUNT — drafts a SAR narrative for one account.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void help(void)
{
	printf("usage: rastro sar WORKSPACE ACCOUNT [options]\n\n"
	       "Drafts the narrative of a Suspicious Activity Report for ACCOUNT (BANK/NUMBER,\n"
	       "the number alone when unique, or #ENTITY-ID) from its finance signals: who,\n"
	       "what, when, where, why and how, the FinCEN key terms for SAR field 2 and the\n"
	       "narrative (HUMAN TRAFFICKING FIN-2020-A008, FIN-2023-HUMANSMUGGLING), the\n"
	       "field 38 boxes to tick (38(h) human trafficking, 38(g) human smuggling) and\n"
	       "the supporting transactions with their source file and line.  Potential\n"
	       "victims are never named; an account of a potential victim gets no draft.\n\n"
	       "options:\n"
	       "  -o, --output FILE     write the draft to FILE instead of standard output\n"
	       "      --labels L1,L2    use only records with these dissemination labels\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n");
}

int cmd_sar(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "labels", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_viewer viewer = { 0 };
	const char *labels[32];
	struct cli_common common = { 0 };
	const char *output = NULL;
	rastro_ws *ws;
	char *text;
	int opt, code, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("sar", "too many --config or --set options");
		switch (opt) {
		case 'o': output = optarg; break;
		case 'l':
			viewer.labels = labels;
			viewer.nlabels = (size_t)cli_split_labels(optarg, labels, 32);
			break;
		case 'h': help(); return 0;
		default: return cli_usage("sar", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage("sar", "expected a workspace and an account");
	common.quiet = 1;
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	rc = rastro_sar(ws, argv[optind + 1], &viewer, &text);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	rastro_close(ws);
	if (output) {
		FILE *f = fopen(output, "w");

		if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
			int e = errno;

			rastro_sar_free(text);
			return cli_fail(RASTRO_IO, "cannot write '%s': %s", output, strerror(e));
		}
	} else {
		fputs(text, stdout);
	}
	rastro_sar_free(text);
	return 0;
}
