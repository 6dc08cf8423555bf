/*
 * rastro ads WS — runs the ads stage and lists ad clusters, exports each
 * ad's cluster and template, or shows what was found in one ad.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("usage: rastro ads WORKSPACE [options]\n\n"
	       "Analyses every ad and post in the workspace: phones (also obfuscated ones),\n"
	       "emails, handles, links, prices, ages, names and cities in the text; the\n"
	       "indicator lexicons (English and Spanish); template clustering with links\n"
	       "through shared identifiers; cluster and phone signals with evidence.\n"
	       "Replaces the previous run's results, then lists the clusters.\n\n"
	       "options:\n"
	       "  -e, --export FILE     write one CSV row per ad: ad_id, cluster_id, template_id, site\n"
	       "  -s, --show AD         what was found in one ad (record id or site:id)\n"
	       "      --no-run          use the results of the last run (export, list, show)\n"
	       "  -n, --limit N         clusters to list (default 20, 0 = all)\n"
	       "  -f, --format F        table, csv or json\n"
	       "  -t, --threads N       threads (default: settings, then one per core)\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet           no progress bar and no summary\n");
}

int cmd_ads(int argc, char **argv)
{
	enum { OPT_NORUN = 1 };
	static const struct option longopts[] = {
		{ "export", required_argument, NULL, 'e' },
		{ "show", required_argument, NULL, 's' },
		{ "no-run", no_argument, NULL, OPT_NORUN },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	struct rastro_ads_opts o = { 0 };
	const char *export = NULL, *show = NULL;
	long long limit = 20;
	int format = OUT_TABLE, norun = 0, opt, rc, code;
	rastro_ws *ws;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "e:s:n:f:t:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("ads", "too many --config or --set options");
		switch (opt) {
		case 'e': export = optarg; break;
		case 's': show = optarg; break;
		case OPT_NORUN: norun = 1; break;
		case 'n':
			limit = strtoll(optarg, &end, 10);
			if (*end || limit < 0)
				return cli_usage("ads", "--limit takes a number (0 = all)");
			break;
		case 'f':
			format = cli_parse_format(optarg);
			if (format < 0)
				return cli_usage("ads", "--format takes table, csv or json");
			break;
		case 't':
			o.threads = (int)strtol(optarg, &end, 10);
			if (*end || o.threads < 1 || o.threads > 64)
				return cli_usage("ads", "--threads takes a number from 1 to 64");
			break;
		case 'q': common.quiet = 1; break;
		case 'h': help(); return 0;
		default: return cli_usage("ads", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("ads", "expected one workspace");
	ws = cli_open(argv[optind], norun ? RASTRO_OPEN_READONLY : 0, &common, &code);
	if (!ws)
		return code;
	if (!norun) {
		struct rastro_ads_stats st;

		rc = rastro_ads_run(ws, &o, &st);
		cli_progress_done();
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (!common.quiet)
			fprintf(stderr,
				"ads: %llu ads; %llu identifiers in the text (%llu phones, %llu obfuscated; %llu emails; %llu handles);"
				" %llu indicators\n"
				"ads: %llu templates cover %llu ads; %llu clusters of 2+ ads; %llu signals%s (%.1f s: analyse %.1f,"
				" cluster %.1f, write %.1f; CPU s: analyse %.1f, cluster %.1f, write %.1f)\n",
				(unsigned long long)st.ads, (unsigned long long)st.identifiers, (unsigned long long)st.phones,
				(unsigned long long)st.phones_obfuscated, (unsigned long long)st.emails,
				(unsigned long long)st.handles, (unsigned long long)st.indicators,
				(unsigned long long)st.templates, (unsigned long long)st.templated_ads,
				(unsigned long long)st.multi_clusters, (unsigned long long)st.signals,
				st.signals_skipped_victim ? " (some withheld: victim flags)" : "", st.seconds,
				st.seconds_analyse, st.seconds_cluster, st.seconds_write, st.cpu_analyse, st.cpu_cluster,
				st.cpu_write);
		if (st.links_cut)
			fprintf(stderr, "ads: %llu identifiers shared by many ads were compared only up to"
				" ads.cluster.link_max_pairs pairs\n", (unsigned long long)st.links_cut);
	}
	if (export) {
		uint64_t rows;

		rc = rastro_ads_export(ws, export, &rows);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (!common.quiet)
			fprintf(stderr, "ads: wrote %llu rows to %s\n", (unsigned long long)rows, export);
	} else if (show) {
		rastro_table *a, *b;

		rc = rastro_ads_show(ws, show, &a, &b);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		cli_print_table(stdout, a, format);
		if (format == OUT_TABLE)
			printf("\n");
		cli_print_table(stdout, b, format);
		rastro_table_free(a);
		rastro_table_free(b);
	} else {
		rastro_table *t;

		rc = rastro_ads_clusters(ws, (size_t)limit, &t);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		cli_print_table(stdout, t, format);
		rastro_table_free(t);
	}
	rastro_close(ws);
	return 0;
}
