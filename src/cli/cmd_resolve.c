/*
 * rastro resolve / why — entity resolution of person-like records and the
 * explanation of one pair.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void resolve_help(void)
{
	printf("usage: rastro resolve WORKSPACE [options]\n\n"
	       "Resolves every person-like record (person records, FEBRL rows, KYC account\n"
	       "holders, encounters) into person entities: blocking, Fellegi-Sunter scoring\n"
	       "(u from random pairs, m by EM, term-frequency adjustment), clustering that\n"
	       "resists chaining, then phone, email and address entities with uses_phone,\n"
	       "uses_email, lives_at, holds and same_as edges.  See docs/resolution.md.\n\n"
	       "options:\n"
	       "      --incremental       match only records not resolved before, with the\n"
	       "                          saved model; entity ids are kept\n"
	       "      --params FILE       use these parameters instead of training\n"
	       "      --save-params FILE  write the parameters used to FILE\n"
	       "      --export FILE.csv   one row per record: record_id,source,file,entity\n"
	       "      --link A B          link source A with source B (ids or file names):\n"
	       "                          no deduplication inside each, one-to-one; the\n"
	       "                          workspace is not changed (use with --export)\n"
	       "      --blocks            print the pairs each blocking key produced\n"
	       "      --config FILE       extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet             no progress bar and no summary\n");
}

int cmd_resolve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "incremental", no_argument, NULL, 'i' },
		{ "params", required_argument, NULL, 'p' },
		{ "save-params", required_argument, NULL, 'P' },
		{ "export", required_argument, NULL, 'e' },
		{ "link", required_argument, NULL, 'l' },
		{ "blocks", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_resolve_opts o = { 0 };
	struct rastro_resolve_stats st;
	struct cli_common common = { 0 };
	rastro_ws *ws;
	int opt, code, blocks = 0, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("resolve", "too many --config or --set options");
		switch (opt) {
		case 'i': o.incremental = 1; break;
		case 'p': o.params_in = optarg; break;
		case 'P': o.params_out = optarg; break;
		case 'e': o.export_path = optarg; break;
		case 'b': blocks = 1; break;
		case 'l':
			o.link_a = optarg;
			if (optind >= argc || argv[optind][0] == '-')
				return cli_usage("resolve", "--link takes two sources");
			o.link_b = argv[optind++];
			break;
		case 'q': common.quiet = 1; break;
		case 'h': resolve_help(); return 0;
		default: return cli_usage("resolve", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("resolve", "expected one workspace");
	ws = cli_open(argv[optind], 0, &common, &code);
	if (!ws)
		return code;
	rc = rastro_resolve(ws, &o, &st);
	cli_progress_done();
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (st.warning_text[0]) {
		char *line = st.warning_text, *nl;

		while ((nl = strchr(line, '\n'))) {
			fprintf(stderr, "rastro: warning: %.*s\n", (int)(nl - line), line);
			line = nl + 1;
		}
	}
	if (!common.quiet) {
		printf("%s: %llu records (%llu new), %llu candidate pairs, %llu accepted, %llu refused by clustering,\n"
		       "%llu person entities (%llu with two or more records); lambda %.3g, threshold %+.2f, "
		       "EM %d iterations; %.2f s\n",
		       o.link_a ? "link" : o.incremental ? "incremental" : "resolve", (unsigned long long)st.records,
		       (unsigned long long)st.new_records, (unsigned long long)st.candidate_pairs,
		       (unsigned long long)st.accepted_pairs, (unsigned long long)st.refused_pairs,
		       (unsigned long long)st.entities, (unsigned long long)st.multi_entities, st.lambda, st.threshold,
		       st.em_iterations, st.seconds);
		if (o.export_path)
			printf("exported to %s\n", o.export_path);
		if (blocks) {
			printf("seconds: read %.2f, block %.2f, compare %.2f, train %.2f, cluster %.2f, write %.2f,"
			       " export %.2f\n", st.t_read, st.t_block, st.t_compare, st.t_train, st.t_cluster, st.t_write,
			       st.t_export);
			printf("cpu seconds: read %.2f, block %.2f, compare %.2f, train %.2f, cluster %.2f, write %.2f,"
			       " export %.2f\n", st.cpu[0], st.cpu[1], st.cpu[2], st.cpu[3], st.cpu[4], st.cpu[5],
			       st.cpu[6]);
		}
	}
	if (blocks && !o.link_a) {
		rastro_table *t;

		if (rastro_resolve_blocks(ws, &t) == 0) {
			cli_print_table(stdout, t, OUT_TABLE);
			rastro_table_free(t);
		}
	}
	rastro_close(ws);
	return 0;
}

static void why_help(void)
{
	printf("usage: rastro why WORKSPACE A B [--format table|csv|json]\n\n"
	       "Explains why records A and B (record ids, or the sources' own ids such as\n"
	       "rec-1-org) match or not: the value each field was compared on, its\n"
	       "comparison level and its weight (log2 Bayes factor) under the saved model,\n"
	       "the term-frequency part, the prior, the total and the decision.\n");
}

int cmd_why(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	rastro_table *t;
	char *summary;
	rastro_ws *ws;
	int opt, code, fmt = OUT_TABLE, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("why", "too many --config or --set options");
		switch (opt) {
		case 'f':
			fmt = cli_parse_format(optarg);
			if (fmt < 0)
				return cli_usage("why", "--format takes table, csv or json");
			break;
		case 'h': why_help(); return 0;
		default: return cli_usage("why", "unknown option");
		}
	}
	if (argc - optind != 3)
		return cli_usage("why", "expected a workspace and two records");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	rc = rastro_why(ws, argv[optind + 1], argv[optind + 2], &t, &summary);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	cli_print_table(stdout, t, (enum cli_format)fmt);
	if (fmt == OUT_TABLE)
		printf("\n%s", summary);
	rastro_table_free(t);
	rastro_free(summary);
	rastro_close(ws);
	return 0;
}
