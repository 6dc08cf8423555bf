/*
 * rastro export — networks for analysts' tools (GraphML, GEXF, Cytoscape.js
 * JSON, CSV node/edge lists, i2 Analyst's Notebook import CSV).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void export_help(void)
{
	printf("usage: rastro export WORKSPACE --format F -o FILE [options]\n\n"
	       "Writes the networks of the last 'rastro network' run for other tools:\n"
	       "  graphml   GraphML (Gephi, Cytoscape, yEd)\n"
	       "  gexf      GEXF 1.2 (Gephi)\n"
	       "  cyjs      Cytoscape.js JSON (Cytoscape desktop and web)\n"
	       "  csv       FILE-nodes.csv and FILE-edges.csv (neo4j-admin import headers)\n"
	       "  i2        one link per row, for i2 Analyst's Notebook's tabular import\n\n"
	       "By default every member of every ranked network.  Potential victims are\n"
	       "protected nodes (no name, no key); with --suspects they are left out.\n\n"
	       "options:\n"
	       "  -f, --format F          graphml, gexf, cyjs, csv or i2\n"
	       "  -o, --output FILE\n"
	       "      --network NETWORK   one network (key or #rank)\n"
	       "      --top N             the top N ranked networks\n"
	       "      --suspects          suspect export: potential victims left out\n"
	       "      --all               the whole graph, networks or not\n"
	       "      --config FILE       extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet             no summary\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "network", required_argument, NULL, 'N' },
		{ "top", required_argument, NULL, 't' },
		{ "suspects", no_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	struct rastro_export_opts o = { 0 };
	struct rastro_export_stats st;
	rastro_ws *ws;
	int opt, code, rc;
	char *end;

	o.format = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("export", "too many --config or --set options");
		switch (opt) {
		case 'f':
			if ((o.format = rastro_export_format(optarg)) < 0)
				return cli_usage("export", "unknown format '%s' (graphml, gexf, cyjs, csv, i2)", optarg);
			break;
		case 'o': o.path = optarg; break;
		case 'N': o.network = optarg; break;
		case 't':
			o.top = (size_t)strtoull(optarg, &end, 10);
			if (*end || optarg[0] == '-')
				return cli_usage("export", "--top takes a number");
			break;
		case 's': o.suspects_only = 1; break;
		case 'a': o.whole_graph = 1; break;
		case 'q': common.quiet = 1; break;
		case 'h': export_help(); return 0;
		default: return cli_usage("export", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("export", "expected one workspace");
	if (o.format < 0 || !o.path)
		return cli_usage("export", "--format and --output are required");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	rc = rastro_export(ws, &o, &st);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (!common.quiet) {
		printf("exported %llu entities and %llu links to %s%s%s", (unsigned long long)st.nodes,
		       (unsigned long long)st.edges, st.files[0], st.files[1] ? " and " : "", st.files[1] ? st.files[1] : "");
		if (st.victims_left_out)
			printf(" (%llu potential victims left out)", (unsigned long long)st.victims_left_out);
		printf("\n");
	}
	rastro_close(ws);
	return 0;
}
