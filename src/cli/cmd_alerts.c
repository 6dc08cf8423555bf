/*
 * rastro alerts WS — ranked alerts from the finance signals, with their
 * explanation and evidence; --risk shows each account's score part by part.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("usage: rastro alerts WORKSPACE [options]\n\n"
	       "Lists accounts by risk score (a sum of named parts, one per detector that\n"
	       "fired), each with its strongest finding in one sentence and the evidence:\n"
	       "record ids and their line numbers in the source file.  Potential victims\n"
	       "never appear.  CSV carries the account key as the source wrote it (bank and\n"
	       "account columns), so alerts can be scored against any label file.\n\n"
	       "options:\n"
	       "  -f, --format F        table (default), csv or json\n"
	       "  -n, --limit N         at most N alerts (default 100; 0 = all)\n"
	       "  -c, --code CODE       only accounts with this detector's signals\n"
	       "      --min-score X     only alerts scoring at least X\n"
	       "      --by-signal       one row per signal instead of one per account\n"
	       "      --watch           also list, after the alerts, accounts with only one\n"
	       "                        uncorroborated indicator (status 'watch')\n"
	       "      --risk [ACCOUNT]  the risk score of each account part by part\n"
	       "      --labels L1,L2    show only records with these dissemination labels\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n");
}

int cli_split_labels(char *s, const char **out, size_t max)
{
	size_t n = 0;

	while (s && *s && n < max) {
		char *c = strchr(s, ',');

		if (c)
			*c = '\0';
		if (*s)
			out[n++] = s;
		s = c ? c + 1 : NULL;
	}
	return (int)n;
}

/* The table view is read by a person: a large alert's evidence can name
 * hundreds of transactions, so it shows the first few and says how many more
 * there are; --format csv and json keep every id. */
#define EVIDENCE_SHOWN 12

static void print_list_head(const char *list, int *more)
{
	const char *p = list ? list : "";
	int n = 0;

	while (*p && n < EVIDENCE_SHOWN) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		printf("%s%.*s", n ? ";" : "", (int)len, p);
		n++;
		p = e ? e + 1 : p + len;
	}
	*more = 0;
	while (*p) {
		const char *e = strchr(p, ';');

		(*more)++;
		p = e ? e + 1 : p + strlen(p);
	}
}

static void print_evidence(const char *ids, const char *file, const char *lines)
{
	int more_ids, more_lines;

	printf("    evidence: ");
	print_list_head(ids, &more_ids);
	printf("  (%s lines ", file && *file ? file : "file");
	print_list_head(lines, &more_lines);
	printf(")");
	if (more_ids)
		printf(" and %d more (--format csv lists them all)", more_ids);
	printf("\n");
}

static void print_compact(const rastro_table *t, int by_signal)
{
	size_t r, nr = rastro_table_nrows(t);

	if (!nr) {
		printf("no alerts (run 'rastro detect' first, or relax --code / --min-score)\n");
		return;
	}
	for (r = 0; r < nr; r++) {
		const char *c;

		if (by_signal) {
			const char *acc = rastro_table_cell(t, r, 7), *name = rastro_table_cell(t, r, 8);

			printf("#%s  %s  %s  score %s  %s\n", rastro_table_cell(t, r, 0), rastro_table_cell(t, r, 2),
			       acc ? acc : "(no account)", rastro_table_cell(t, r, 4), name ? name : "");
			printf("    %s\n", rastro_table_cell(t, r, 9));
			print_evidence(rastro_table_cell(t, r, 12), rastro_table_cell(t, r, 13),
				       rastro_table_cell(t, r, 14));
		} else {
			const char *bank = rastro_table_cell(t, r, 2);

			printf("#%s  %s%s%s  score %s = %s\n", rastro_table_cell(t, r, 0), bank ? bank : "",
			       bank ? "/" : "", rastro_table_cell(t, r, 3), rastro_table_cell(t, r, 5),
			       rastro_table_cell(t, r, 6));
			if ((c = rastro_table_cell(t, r, 4)) && *c)
				printf("    holder: %s\n", c);
			printf("    %s\n", rastro_table_cell(t, r, 12));
			print_evidence(rastro_table_cell(t, r, 13), rastro_table_cell(t, r, 14),
				       rastro_table_cell(t, r, 15));
		}
	}
}

int cmd_alerts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'n' },
		{ "code", required_argument, NULL, 'c' },
		{ "min-score", required_argument, NULL, 'm' },
		{ "by-signal", no_argument, NULL, 'S' },
		{ "watch", no_argument, NULL, 'W' },
		{ "risk", no_argument, NULL, 'R' },
		{ "labels", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_alert_opts o = { 0 };
	struct rastro_viewer viewer = { 0 };
	const char *labels[32];
	struct cli_common common = { 0 };
	rastro_table *t;
	rastro_ws *ws;
	int opt, code, rc, format = OUT_TABLE, risk = 0;
	char *end;

	o.limit = 100;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:n:c:h", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("alerts", "too many --config or --set options");
		switch (opt) {
		case 'f':
			format = cli_parse_format(optarg);
			if (format < 0)
				return cli_usage("alerts", "--format takes table, csv or json");
			break;
		case 'n': {
			long long v = strtoll(optarg, &end, 10);

			if (*end || v < 0)
				return cli_usage("alerts", "--limit takes a number (0 = all)");
			o.limit = (size_t)v;
			break;
		}
		case 'c': o.code = optarg; break;
		case 'm':
			o.min_score = strtod(optarg, &end);
			if (*end)
				return cli_usage("alerts", "--min-score takes a number");
			break;
		case 'S': o.by_signal = 1; break;
		case 'W': o.watch = 1; break;
		case 'R': risk = 1; break;
		case 'l':
			viewer.labels = labels;
			viewer.nlabels = (size_t)cli_split_labels(optarg, labels, 32);
			o.viewer = &viewer;
			break;
		case 'h': help(); return 0;
		default: return cli_usage("alerts", "unknown option");
		}
	}
	if (argc - optind != 1 && !(risk && argc - optind == 2))
		return cli_usage("alerts", "expected one workspace");
	common.quiet = 1;
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	if (risk)
		rc = rastro_risk(ws, argc - optind == 2 ? argv[optind + 1] : NULL, o.viewer, &t);
	else
		rc = rastro_alerts(ws, &o, &t);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (format == OUT_TABLE && !risk)
		print_compact(t, o.by_signal);
	else
		cli_print_table(stdout, t, (enum cli_format)format);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}
