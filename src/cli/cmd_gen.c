/*
 * rastro gen -o DIR — writes a synthetic world with ground truth.
 *
 * Every option maps to a generator setting ("gen.KEY=VALUE"), so the same
 * knobs can live in a settings file; see docs/generator.md.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void help(void)
{
	printf("usage: rastro gen -o DIR [options]\n\n"
	       "Writes a synthetic world into DIR: transactions.csv (generic), accounts.csv (kyc),\n"
	       "persons_<agency>.csv (person), encounters.csv (encounter), ads.jsonl (ads),\n"
	       "providers.csv (providers) and truth.json, the ground truth: every planted network\n"
	       "with its members and roles, its transactions and ads, which records are the same\n"
	       "person, the victims and the benign look-alikes.  The same seed and settings give\n"
	       "byte-identical files, whatever the number of threads.\n\n"
	       "options:\n"
	       "  -o, --out DIR            output directory (created when missing)\n"
	       "  -s, --seed N             random seed (default 1)\n"
	       "  -S, --scale X            world size; 1 = 1,000 people and about 75,000\n"
	       "                           transactions over 90 days (default 1)\n"
	       "      --days N             simulated days (default 90)\n"
	       "      --start DATE         first simulated day (default 2024-01-01)\n"
	       "  -d, --difficulty LEVEL   easy, default or hard: presets for the knobs below\n"
	       "      --networks N         planted networks of each kind\n"
	       "      --smuggling N        ... or per kind: --sex-trafficking N, --labor-trafficking N,\n"
	       "                           --laundering N (laundering cycles through the 8 patterns)\n"
	       "      --lookalikes X       benign look-alike behaviours, relative share (0-1)\n"
	       "      --name-noise X       noise in agency records' names and dates (0-1)\n"
	       "      --obfuscation X      share of network ads with obfuscated phones (0-1)\n"
	       "      --stealth X          share of network money moves that hide (0-1)\n"
	       "      --no-labels          leave label/label_group out of transactions.csv\n"
	       "      --ibm                write IBM AMLworld-style files (gen_Trans.csv,\n"
	       "                           gen_Patterns.txt, gen_accounts.csv) instead\n"
	       "      --threads N          worker threads (default 2; output does not depend on it)\n"
	       "      --config FILE        extra settings file;  --set gen.KEY=VALUE  one setting\n"
	       "  -q, --quiet              no progress and no summary\n");
}

enum {
	O_DAYS = 2000, O_START, O_NETWORKS, O_SMUG, O_SEX, O_LABOR, O_LAUNDER, O_LOOK, O_NOISE, O_OBF,
	O_STEALTH, O_NOLABELS, O_IBM, O_THREADS
};

int cmd_gen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'S' },
		{ "difficulty", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, O_DAYS },
		{ "start", required_argument, NULL, O_START },
		{ "networks", required_argument, NULL, O_NETWORKS },
		{ "smuggling", required_argument, NULL, O_SMUG },
		{ "sex-trafficking", required_argument, NULL, O_SEX },
		{ "labor-trafficking", required_argument, NULL, O_LABOR },
		{ "laundering", required_argument, NULL, O_LAUNDER },
		{ "lookalikes", required_argument, NULL, O_LOOK },
		{ "name-noise", required_argument, NULL, O_NOISE },
		{ "obfuscation", required_argument, NULL, O_OBF },
		{ "stealth", required_argument, NULL, O_STEALTH },
		{ "no-labels", no_argument, NULL, O_NOLABELS },
		{ "ibm", no_argument, NULL, O_IBM },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	struct rastro_gen_stats st;
	const char *out = NULL;
	const char *sets[64];
	char bufs[64][128];
	size_t nsets = 0, i;
	rastro_gen *g;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:s:S:d:qh", longopts, NULL)) != -1) {
		const char *key = NULL;
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("gen", "too many --config or --set options");
		switch (opt) {
		case 'o': out = optarg; continue;
		case 'q': common.quiet = 1; continue;
		case 'h': help(); return 0;
		case 's': key = "gen.seed"; break;
		case 'S': key = "gen.scale"; break;
		case 'd': key = "gen.difficulty"; break;
		case O_DAYS: key = "gen.days"; break;
		case O_START: key = "gen.start"; break;
		case O_SMUG: key = "gen.count.smuggling"; break;
		case O_SEX: key = "gen.count.sex_trafficking"; break;
		case O_LABOR: key = "gen.count.labor_trafficking"; break;
		case O_LAUNDER: key = "gen.count.laundering"; break;
		case O_LOOK: key = "gen.lookalike_share"; break;
		case O_NOISE: key = "gen.name_noise"; break;
		case O_OBF: key = "gen.obfuscation_share"; break;
		case O_STEALTH: key = "gen.stealth"; break;
		case O_THREADS: key = "gen.threads"; break;
		case O_NOLABELS: key = "gen.labels"; optarg = "false"; break;
		case O_IBM: key = "gen.ibm_mode"; optarg = "true"; break;
		case O_NETWORKS: {
			static const char *const kinds[] = { "smuggling", "sex_trafficking", "labor_trafficking",
							     "laundering" };
			size_t k;

			for (k = 0; k < 4 && nsets < 64; k++) {
				snprintf(bufs[nsets], sizeof bufs[nsets], "gen.count.%s=%s", kinds[k], optarg);
				sets[nsets] = bufs[nsets];
				nsets++;
			}
			continue;
		}
		default: return cli_usage("gen", "unknown option");
		}
		if (nsets >= 64)
			return cli_usage("gen", "too many options");
		/* Text values are quoted for the settings parser. */
		if (opt == 'd' || opt == O_START)
			snprintf(bufs[nsets], sizeof bufs[nsets], "%s=\"%s\"", key, optarg);
		else
			snprintf(bufs[nsets], sizeof bufs[nsets], "%s=%s", key, optarg);
		sets[nsets] = bufs[nsets];
		nsets++;
	}
	if (optind != argc)
		return cli_usage("gen", "unexpected argument '%s' (the output directory goes after -o)", argv[optind]);
	if (!out)
		return cli_usage("gen", "the output directory is required (-o DIR)");
	rc = rastro_gen_new(&g);
	if (rc) {
		cli_fail(rc, "%s", rastro_gen_errmsg(g));
		rastro_gen_free(g);
		return rc;
	}
	for (i = 0; i < common.nconfig && !rc; i++)
		rc = rastro_gen_config_load(g, common.config[i]);
	/* --set first, then the options: an option on the command line wins. */
	for (i = 0; i < common.nset && !rc; i++)
		rc = rastro_gen_set(g, common.set[i]);
	for (i = 0; i < nsets && !rc; i++)
		rc = rastro_gen_set(g, sets[i]);
	if (rc) {
		cli_fail(rc, "%s", rastro_gen_errmsg(g));
		rastro_gen_free(g);
		return rc;
	}
	if (!common.quiet)
		rastro_gen_set_progress(g, cli_progress, NULL);
	rc = rastro_gen_run(g, out, &st);
	cli_progress_done();
	if (rc) {
		cli_fail(rc, "%s", rastro_gen_errmsg(g));
		rastro_gen_free(g);
		return rc;
	}
	rastro_gen_free(g);
	if (!common.quiet && st.persons == 0) {
		printf("wrote %s: %llu transactions (%llu laundering) in IBM AMLworld format, %llu accounts,\n"
		       "  %llu laundering patterns; %.1f MB in %.2f s\n",
		       out, (unsigned long long)st.transactions, (unsigned long long)st.illicit_transactions,
		       (unsigned long long)st.accounts, (unsigned long long)st.networks, st.bytes / 1e6, st.seconds);
	} else if (!common.quiet) {
		printf("wrote %s: %llu transactions (%llu in planted networks), %llu accounts, %llu people,\n"
		       "  %llu businesses, %llu networks, %llu person records, %llu encounters, %llu ads,\n"
		       "  %llu providers; %.1f MB in %.2f s\n",
		       out, (unsigned long long)st.transactions, (unsigned long long)st.illicit_transactions,
		       (unsigned long long)st.accounts, (unsigned long long)st.persons,
		       (unsigned long long)st.businesses, (unsigned long long)st.networks,
		       (unsigned long long)st.person_records, (unsigned long long)st.encounters,
		       (unsigned long long)st.ads, (unsigned long long)st.providers, st.bytes / 1e6, st.seconds);
	}
	return 0;
}
