/*
 * rastro network / path / timeline — the network stage and the questions
 * analysts ask of the link graph.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const rastro_table *t, int fmt)
{
	if (fmt == OUT_TABLE)
		printf("== %s\n", rastro_table_title(t));
	cli_print_table(stdout, t, fmt);
}

static int parse_count(const char *cmd, const char *opt, const char *arg, long long *out)
{
	char *end;

	*out = strtoll(arg, &end, 10);
	if (*end || *out < 0)
		return cli_usage(cmd, "%s takes a number", opt);
	return 0;
}

static void network_help(void)
{
	printf("usage: rastro network WORKSPACE [options]\n\n"
	       "Builds the link graph (entities; every stage's links; money flows per\n"
	       "account pair), sets hubs aside, finds networks (connected components,\n"
	       "Leiden communities inside large ones), gives members roles with reasons\n"
	       "and ranks networks by a score of named parts.  Then lists the top networks.\n"
	       "See docs/network.md.\n\n"
	       "options:\n"
	       "      --no-run            list the networks of the last run without running\n"
	       "  -n, --top N             networks listed (default 20, 0 = all)\n"
	       "      --show NETWORK      one network (key or #rank): members, roles, reasons,\n"
	       "                          score parts\n"
	       "      --hubs              the hubs the last run set aside\n"
	       "      --around ENTITY     entities within --hops (default 2) links of ENTITY\n"
	       "                          (#id, kind:key, a key or a label)\n"
	       "      --hops K            neighbourhood depth\n"
	       "      --through-hubs      expand hubs too (listed, not expanded, by default)\n"
	       "      --shared ENTITY     entities that share a phone, email, handle, address\n"
	       "                          or image with ENTITY\n"
	       "      --role ROLE         the caller's role; victim-services roles see\n"
	       "                          potential victims' names\n"
	       "  -f, --format F          table, csv or json\n"
	       "      --config FILE       extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet             no progress bar and no summary\n");
}

int cmd_network(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-run", no_argument, NULL, 'N' },
		{ "top", required_argument, NULL, 'n' },
		{ "show", required_argument, NULL, 's' },
		{ "hubs", no_argument, NULL, 'H' },
		{ "around", required_argument, NULL, 'a' },
		{ "hops", required_argument, NULL, 'k' },
		{ "through-hubs", no_argument, NULL, 'T' },
		{ "shared", required_argument, NULL, 'S' },
		{ "role", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	const char *show_net = NULL, *around = NULL, *shared = NULL, *role = NULL;
	long long top = 20, hops = 0;
	int opt, code, fmt = OUT_TABLE, norun = 0, hubs = 0, through = 0, rc = 0, reveal;
	rastro_ws *ws;
	rastro_table *t = NULL, *p = NULL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("network", "too many --config or --set options");
		switch (opt) {
		case 'N': norun = 1; break;
		case 'n': if (parse_count("network", "--top", optarg, &top)) return RASTRO_USAGE; break;
		case 's': show_net = optarg; break;
		case 'H': hubs = 1; break;
		case 'a': around = optarg; break;
		case 'k': if (parse_count("network", "--hops", optarg, &hops)) return RASTRO_USAGE; break;
		case 'T': through = 1; break;
		case 'S': shared = optarg; break;
		case 'r': role = optarg; break;
		case 'f':
			if ((fmt = cli_parse_format(optarg)) < 0)
				return cli_usage("network", "--format takes table, csv or json");
			break;
		case 'q': common.quiet = 1; break;
		case 'h': network_help(); return 0;
		default: return cli_usage("network", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("network", "expected one workspace");
	if (show_net || around || shared || hubs)
		norun = 1;
	ws = cli_open(argv[optind], norun ? RASTRO_OPEN_READONLY : 0, &common, &code);
	if (!ws)
		return code;
	reveal = rastro_victim_access(ws, role);
	if (!norun) {
		struct rastro_network_stats st;

		rc = rastro_network_run(ws, &st);
		cli_progress_done();
		if (rc)
			goto fail;
		if (!common.quiet)
			printf("network: %llu nodes, %llu edges (%llu money flows from %llu transactions); %llu hubs set aside"
			       " (degree >= %u, identifiers >= %u);\n%llu components (%llu split by Leiden, modularity %.3f);"
			       " %llu networks, %llu ranked, %llu members (%llu cells, %llu joins, %llu refused by the"
			       " size limit; %llu merchants set aside as counterparties); %llu keys kept from the last run;\n"
			       "build %.2f s, partition %.2f s, join %.2f s, roles %.2f s, write %.2f s"
			       " (CPU %.2f, %.2f, %.2f, %.2f, %.2f s)\n\n",
			       (unsigned long long)st.nodes, (unsigned long long)st.edges, (unsigned long long)st.money_edges,
			       (unsigned long long)st.transactions, (unsigned long long)st.hubs, st.hub_threshold,
			       st.hub_identifier_threshold, (unsigned long long)st.components,
			       (unsigned long long)st.split_components, st.modularity, (unsigned long long)st.networks,
			       (unsigned long long)st.ranked, (unsigned long long)st.members, (unsigned long long)st.cells,
			       (unsigned long long)st.joins, (unsigned long long)st.join_refused, (unsigned long long)st.merchants,
			       (unsigned long long)st.keys_kept, st.build_seconds,
			       st.partition_seconds, st.join_seconds, st.roles_seconds, st.write_seconds, st.build_cpu,
			       st.partition_cpu, st.join_cpu, st.roles_cpu, st.write_cpu);
	}
	if (show_net) {
		if ((rc = rastro_network_show(ws, show_net, reveal, &t, &p)))
			goto fail;
		show(t, fmt);
		if (fmt == OUT_TABLE)
			printf("\n");
		show(p, fmt);
	} else if (around) {
		rastro_graph *g;
		int64_t id;
		int built;
		struct rastro_query_opts q = { 0 };

		q.hops = (int)hops;
		q.through_hubs = through;
		q.labels = 1;
		q.reveal_victims = reveal;
		if ((rc = rastro_entity_find(ws, around, &id)) || (rc = rastro_graph_open(ws, &g, &built)))
			goto fail;
		if (built && !common.quiet)
			fprintf(stderr, "rastro: note: no current graph cache (run 'rastro network'); graph built in memory\n");
		rc = rastro_neighbourhood(g, id, &q, &t);
		rastro_graph_close(g);
		if (rc)
			goto fail;
		show(t, fmt);
	} else if (shared) {
		int64_t id;

		if ((rc = rastro_entity_find(ws, shared, &id)) || (rc = rastro_shared(ws, id, reveal, &t)))
			goto fail;
		show(t, fmt);
	} else if (hubs) {
		if ((rc = rastro_network_hubs(ws, (size_t)top, &t)))
			goto fail;
		show(t, fmt);
	} else if (!common.quiet || norun) {
		if ((rc = rastro_networks(ws, (size_t)top, &t)))
			goto fail;
		show(t, fmt);
	}
	rastro_table_free(t);
	rastro_table_free(p);
	rastro_close(ws);
	return 0;
fail:
	code = cli_ws_fail(ws, rc);
	rastro_table_free(t);
	rastro_table_free(p);
	rastro_close(ws);
	return code;
}

static void path_help(void)
{
	printf("usage: rastro path WORKSPACE A B [options]\n\n"
	       "How entity A is connected to entity B (each given as #id, kind:key, a key or\n"
	       "a label): the shortest path, or with --all every path of at most --hops\n"
	       "links.  Each step shows the link type, direction, count, amount and dates.\n\n"
	       "options:\n"
	       "      --all               every path up to --hops links (at most --limit)\n"
	       "      --hops K            longest path (default 6)\n"
	       "      --limit N           most paths listed with --all (default 100)\n"
	       "      --through-hubs      allow paths through hubs\n"
	       "      --role ROLE         the caller's role (victim-services roles see names)\n"
	       "  -f, --format F          table, csv or json\n");
}

int cmd_path(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "hops", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'n' },
		{ "through-hubs", no_argument, NULL, 'T' },
		{ "role", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	struct rastro_query_opts q = { 0 };
	long long hops = 0, limit = 0;
	int opt, code, fmt = OUT_TABLE, all = 0, rc, built;
	const char *role = NULL;
	rastro_ws *ws;
	rastro_graph *g = NULL;
	rastro_table *t = NULL;
	int64_t a, b;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("path", "too many --config or --set options");
		switch (opt) {
		case 'A': all = 1; break;
		case 'k': if (parse_count("path", "--hops", optarg, &hops)) return RASTRO_USAGE; break;
		case 'n': if (parse_count("path", "--limit", optarg, &limit)) return RASTRO_USAGE; break;
		case 'T': q.through_hubs = 1; break;
		case 'r': role = optarg; break;
		case 'f':
			if ((fmt = cli_parse_format(optarg)) < 0)
				return cli_usage("path", "--format takes table, csv or json");
			break;
		case 'q': common.quiet = 1; break;
		case 'h': path_help(); return 0;
		default: return cli_usage("path", "unknown option");
		}
	}
	if (argc - optind != 3)
		return cli_usage("path", "expected a workspace and two entities");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	q.hops = (int)hops;
	q.limit = (size_t)limit;
	q.labels = 1;
	q.reveal_victims = rastro_victim_access(ws, role);
	if ((rc = rastro_entity_find(ws, argv[optind + 1], &a)) || (rc = rastro_entity_find(ws, argv[optind + 2], &b)) ||
	    (rc = rastro_graph_open(ws, &g, &built)))
		goto fail;
	if (built && !common.quiet)
		fprintf(stderr, "rastro: note: no current graph cache (run 'rastro network'); graph built in memory\n");
	if ((rc = rastro_paths(g, a, b, all, &q, &t)))
		goto fail;
	show(t, fmt);
	rastro_table_free(t);
	rastro_graph_close(g);
	rastro_close(ws);
	return 0;
fail:
	code = cli_ws_fail(ws, rc);
	rastro_graph_close(g);
	rastro_close(ws);
	return code;
}

static void timeline_help(void)
{
	printf("usage: rastro timeline WORKSPACE ENTITY [--limit N] [--format F]\n\n"
	       "An entity's events, oldest first: its transactions (a person's include the\n"
	       "accounts they hold), dated links from every stage and detector signals, each\n"
	       "with its record id and source file:line.\n");
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	long long limit = 0;
	int opt, code, fmt = OUT_TABLE, rc;
	rastro_ws *ws;
	rastro_table *t = NULL;
	int64_t id;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("timeline", "too many --config or --set options");
		switch (opt) {
		case 'n': if (parse_count("timeline", "--limit", optarg, &limit)) return RASTRO_USAGE; break;
		case 'f':
			if ((fmt = cli_parse_format(optarg)) < 0)
				return cli_usage("timeline", "--format takes table, csv or json");
			break;
		case 'q': common.quiet = 1; break;
		case 'h': timeline_help(); return 0;
		default: return cli_usage("timeline", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage("timeline", "expected a workspace and an entity");
	ws = cli_open(argv[optind], RASTRO_OPEN_READONLY, &common, &code);
	if (!ws)
		return code;
	if ((rc = rastro_entity_find(ws, argv[optind + 1], &id)) || (rc = rastro_timeline(ws, id, (size_t)limit, &t))) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	show(t, fmt);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}
