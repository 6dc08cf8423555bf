/*
 * rastro victims WS — potential victims with their reasons (never mixed
 * with suspects), and rastro refer WS — referrals to service providers.
 *
 * Both show names and contact details only to victim-services roles
 * (--role, or the setting victims.role); everyone else sees counts.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void victims_help(void)
{
	printf("usage: rastro victims WORKSPACE [options]\n\n"
	       "Finds potential victims of trafficking and smuggling from encounter screening\n"
	       "answers, accounts and transactions, and other detectors' signals, and lists\n"
	       "them with the reasons for each (potential minors first).  Each reason points\n"
	       "to its record.  Potential victims are kept out of every suspect output.\n"
	       "Victim data is confidential: only victim-services roles see names, contact\n"
	       "details and reasons; every other role sees counts (docs/victims.md).\n\n"
	       "options:\n"
	       "  -r, --role ROLE       the caller's role (default: setting victims.role)\n"
	       "      --no-run          list what the last run found, do not run the stage\n"
	       "  -n, --limit N         show at most N victims (0 = all, the default)\n"
	       "  -f, --format F        table (default), csv or json\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet           no progress bar\n");
}

static void refer_help(void)
{
	printf("usage: rastro refer WORKSPACE [options]\n"
	       "       rastro refer WORKSPACE --set-status REFERRAL STATUS [--note TEXT]\n\n"
	       "Ranks the providers directory (format 'providers') for every potential victim\n"
	       "by the services their indicators call for, great-circle distance, language,\n"
	       "populations served and open capacity; each ranking is a sum of named parts.\n"
	       "The best are recorded as 'proposed' referrals; victim-services staff then\n"
	       "record what happened: proposed -> made -> accepted or declined (or proposed\n"
	       "-> declined), each change with its time, role and note.\n\n"
	       "options:\n"
	       "  -r, --role ROLE       the caller's role (default: setting victims.role);\n"
	       "                        only victim-services roles may refer or see referrals\n"
	       "  -t, --top N           providers proposed per victim (default: victims.refer.top)\n"
	       "      --list            list referrals only, do not rank again\n"
	       "      --victim ID       only this victim's referrals\n"
	       "      --set-status REFERRAL STATUS\n"
	       "                        record a status change (made, accepted, declined)\n"
	       "      --note TEXT       note kept with the status change\n"
	       "  -f, --format F        table (default), csv or json\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet           no progress bar\n");
}

static const char *cell(const rastro_table *t, size_t r, size_t c)
{
	const char *s = rastro_table_cell(t, r, c);

	return s ? s : "";
}

static int col(const rastro_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < rastro_table_ncols(t); i++)
		if (strcmp(rastro_table_colname(t, i), name) == 0)
			return (int)i;
	return -1;
}

/* One block per victim: who, score, indicators, then a line per reason. */
static void print_victims(const rastro_table *t)
{
	size_t r, n = rastro_table_nrows(t), minors = 0;
	int c_id = col(t, "victim"), c_minor = col(t, "minor"), c_score = col(t, "score"), c_name = col(t, "name");
	int c_age = col(t, "age"), c_sex = col(t, "sex"), c_lang = col(t, "language"), c_phone = col(t, "phone");
	int c_place = col(t, "place"), c_codes = col(t, "indicators"), c_reasons = col(t, "reasons");
	int c_ent = col(t, "entities"), c_ref = col(t, "referral");

	for (r = 0; r < n; r++)
		minors += cell(t, r, (size_t)c_minor)[0] != '\0';
	printf("potential victims: %zu (%zu potential minor%s) — confidential, for victim services only\n",
	       n, minors, minors == 1 ? "" : "s");
	for (r = 0; r < n; r++) {
		const char *reasons = cell(t, r, (size_t)c_reasons);

		printf("\nvictim %s%s  score %s  %s", cell(t, r, (size_t)c_id),
		       cell(t, r, (size_t)c_minor)[0] ? "  POTENTIAL MINOR" : "", cell(t, r, (size_t)c_score),
		       cell(t, r, (size_t)c_name)[0] ? cell(t, r, (size_t)c_name) : "(no name)");
		if (cell(t, r, (size_t)c_age)[0])
			printf(", %s", cell(t, r, (size_t)c_age));
		if (cell(t, r, (size_t)c_sex)[0])
			printf(", %s", cell(t, r, (size_t)c_sex));
		if (cell(t, r, (size_t)c_lang)[0])
			printf(", speaks %s", cell(t, r, (size_t)c_lang));
		if (cell(t, r, (size_t)c_place)[0])
			printf(", %s", cell(t, r, (size_t)c_place));
		if (cell(t, r, (size_t)c_phone)[0])
			printf(", phone %s", cell(t, r, (size_t)c_phone));
		printf("\n  indicators: %s\n", cell(t, r, (size_t)c_codes));
		while (*reasons) {
			const char *nl = strchr(reasons, '\n');
			int len = nl ? (int)(nl - reasons) : (int)strlen(reasons);

			printf("  - %.*s\n", len, reasons);
			reasons += len + (nl != NULL);
		}
		printf("  entities: %s\n  referrals: %s\n", cell(t, r, (size_t)c_ent), cell(t, r, (size_t)c_ref));
	}
}

static void print_referrals(const rastro_table *t)
{
	size_t r, n = rastro_table_nrows(t);
	int c_id = col(t, "referral"), c_vic = col(t, "victim"), c_minor = col(t, "minor"), c_rank = col(t, "rank");
	int c_status = col(t, "status"), c_prov = col(t, "provider"), c_name = col(t, "provider_name");
	int c_svc = col(t, "services"), c_km = col(t, "km"), c_score = col(t, "score");
	int c_expl = col(t, "explanation"), c_phone = col(t, "phone"), c_upd = col(t, "updated_at");
	const char *last = "";

	printf("referrals: %zu — confidential, for victim services only\n", n);
	for (r = 0; r < n; r++) {
		if (strcmp(last, cell(t, r, (size_t)c_vic)) != 0) {
			last = cell(t, r, (size_t)c_vic);
			printf("\nvictim %s%s\n", last, cell(t, r, (size_t)c_minor)[0] ? "  POTENTIAL MINOR" : "");
		}
		printf("  #%s  referral %s  %-8s  %s %s [%s]  %s km  score %s  phone %s  (%s)\n",
		       cell(t, r, (size_t)c_rank), cell(t, r, (size_t)c_id), cell(t, r, (size_t)c_status),
		       cell(t, r, (size_t)c_prov), cell(t, r, (size_t)c_name), cell(t, r, (size_t)c_svc),
		       cell(t, r, (size_t)c_km)[0] ? cell(t, r, (size_t)c_km) : "?", cell(t, r, (size_t)c_score),
		       cell(t, r, (size_t)c_phone)[0] ? cell(t, r, (size_t)c_phone) : "-", cell(t, r, (size_t)c_upd));
		printf("      %s\n", cell(t, r, (size_t)c_expl));
	}
}

int cmd_victims(int argc, char **argv)
{
	enum { OPT_NORUN = 2000 };
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "no-run", no_argument, NULL, OPT_NORUN },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	const char *role = NULL;
	int opt, fmt = OUT_TABLE, norun = 0, code, rc, full;
	long long limit = 0;
	rastro_table *t;
	rastro_ws *ws;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "r:n:f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("victims", "too many --config or --set options");
		switch (opt) {
		case 'r': role = optarg; break;
		case OPT_NORUN: norun = 1; break;
		case 'q': common.quiet = 1; break;
		case 'n':
			limit = strtoll(optarg, &end, 10);
			if (*end || limit < 0)
				return cli_usage("victims", "--limit takes a number (0 = all)");
			break;
		case 'f':
			fmt = cli_parse_format(optarg);
			if (fmt < 0)
				return cli_usage("victims", "--format takes table, csv or json");
			break;
		case 'h': victims_help(); return 0;
		default: return cli_usage("victims", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("victims", "expected one workspace");
	ws = cli_open(argv[optind], norun ? RASTRO_OPEN_READONLY : 0, &common, &code);
	if (!ws)
		return code;
	if (!norun) {
		struct rastro_victims_stats s;

		rc = rastro_victims_run(ws, &s);
		cli_progress_done();
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (!common.quiet)
			fprintf(stderr, "victims: %llu encounters screened, %llu indicators, %llu potential victims "
				"(%llu minor(s)), %llu entities kept out of suspect outputs, %.2f s\n",
				(unsigned long long)s.encounters, (unsigned long long)s.indicators,
				(unsigned long long)s.victims, (unsigned long long)s.minors,
				(unsigned long long)s.entities_flagged, s.seconds);
		if (!common.quiet && s.notes_read)
			fprintf(stderr, "victims: %llu encounter notes read, %llu indicators from notes beyond the answers, "
				"%llu only negated\n", (unsigned long long)s.notes_read,
				(unsigned long long)s.note_indicators, (unsigned long long)s.notes_negated);
		if (!common.quiet && s.records_kept_apart)
			fprintf(stderr, "victims: %llu record(s) kept on their own person: the person resolution "
				"gave them also holds records in another name\n",
				(unsigned long long)s.records_kept_apart);
	}
	rc = rastro_victims_list(ws, role, (size_t)limit, &t, &full);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (full && fmt == OUT_TABLE)
		print_victims(t);
	else
		cli_print_table(stdout, t, fmt);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}

int cmd_refer(int argc, char **argv)
{
	enum { OPT_LIST = 2000, OPT_VICTIM, OPT_SETSTATUS, OPT_NOTE };
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "victim", required_argument, NULL, OPT_VICTIM },
		{ "set-status", required_argument, NULL, OPT_SETSTATUS },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common common = { 0 };
	struct rastro_refer_opts ro = { 0 };
	const char *set_id = NULL, *note = NULL;
	long long victim = 0, top = 0, ref = 0;
	int opt, fmt = OUT_TABLE, list = 0, code, rc, full, nargs;
	rastro_table *t;
	rastro_ws *ws;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "r:t:f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("refer", "too many --config or --set options");
		switch (opt) {
		case 'r': ro.role = optarg; break;
		case OPT_LIST: list = 1; break;
		case OPT_NOTE: note = optarg; break;
		case OPT_SETSTATUS: set_id = optarg; break;
		case 'q': common.quiet = 1; break;
		case 't':
			top = strtoll(optarg, &end, 10);
			if (*end || top < 1 || top > 10)
				return cli_usage("refer", "--top takes a number from 1 to 10");
			ro.top = (int)top;
			break;
		case OPT_VICTIM:
			victim = strtoll(optarg, &end, 10);
			if (*end || victim < 1)
				return cli_usage("refer", "--victim takes a victim number");
			break;
		case 'f':
			fmt = cli_parse_format(optarg);
			if (fmt < 0)
				return cli_usage("refer", "--format takes table, csv or json");
			break;
		case 'h': refer_help(); return 0;
		default: return cli_usage("refer", "unknown option");
		}
	}
	nargs = argc - optind;
	if (set_id) {
		/* --set-status REFERRAL STATUS: the status is the next operand. */
		ref = strtoll(set_id, &end, 10);
		if (*end || ref < 1)
			return cli_usage("refer", "--set-status takes a referral number and a status");
		if (nargs != 2)
			return cli_usage("refer", "expected: rastro refer WORKSPACE --set-status REFERRAL STATUS");
	} else if (nargs != 1) {
		return cli_usage("refer", "expected one workspace");
	}
	ws = cli_open(argv[optind], list ? RASTRO_OPEN_READONLY : 0, &common, &code);
	if (!ws)
		return code;
	if (set_id) {
		rc = rastro_referral_set_status(ws, ro.role, ref, argv[optind + 1], note);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (!common.quiet)
			printf("referral %lld is now %s\n", ref, argv[optind + 1]);
		rastro_close(ws);
		return 0;
	}
	if (!list) {
		struct rastro_refer_stats s;

		rc = rastro_refer_run(ws, &ro, &s);
		cli_progress_done();
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (!common.quiet)
			fprintf(stderr, "refer: %llu potential victims, %llu already served, %llu referrals proposed, "
				"%llu with no provider that can serve them, %llu providers, %.2f s\n",
				(unsigned long long)s.victims, (unsigned long long)s.skipped,
				(unsigned long long)s.proposed, (unsigned long long)s.unmatched,
				(unsigned long long)s.providers, s.seconds);
	}
	rc = rastro_referrals(ws, ro.role, victim, &t, &full);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (full && fmt == OUT_TABLE)
		print_referrals(t);
	else
		cli_print_table(stdout, t, fmt);
	rastro_table_free(t);
	rastro_close(ws);
	return 0;
}
