/*
 * rastro encode / link-encoded — privacy-preserving linkage: each agency
 * encodes its records under a shared secret; a linkage unit links the two
 * encodings files without seeing a name.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void encode_help(void)
{
	printf("usage: rastro encode WORKSPACE --secret FILE --out FILE [--source N] [FILE...]\n\n"
	       "Writes privacy-preserving encodings of the workspace's person-like records:\n"
	       "the record's own id, a hardened CLK Bloom filter of names, date of birth and\n"
	       "address, and keyed BLAKE2b tokens of phone, email, document number and date\n"
	       "of birth, all under the shared secret in FILE (16 bytes or more; the same\n"
	       "secret at every agency).  FILEs given are ingested first (format guessed),\n"
	       "and only their records are encoded.  Settings: [resolve.pprl].\n\n"
	       "options:\n"
	       "  -s, --secret FILE     the shared secret\n"
	       "  -o, --out FILE        the encodings file to write\n"
	       "      --source N        encode only this source's records\n"
	       "  -f, --format NAME     format of FILEs (default: guessed)\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet           no summary\n");
}

int cmd_encode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "secret", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_encode_opts o = { 0 };
	struct cli_common common = { 0 };
	const char *format = NULL;
	uint64_t written = 0;
	rastro_ws *ws;
	int opt, code, rc, i;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:o:f:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("encode", "too many --config or --set options");
		switch (opt) {
		case 's': o.secret_path = optarg; break;
		case 'o': o.out_path = optarg; break;
		case 'f': format = optarg; break;
		case 'S':
			o.source_id = strtoll(optarg, &end, 10);
			if (*end || o.source_id <= 0)
				return cli_usage("encode", "--source takes a source number");
			break;
		case 'q': common.quiet = 1; break;
		case 'h': encode_help(); return 0;
		default: return cli_usage("encode", "unknown option");
		}
	}
	if (argc - optind < 1)
		return cli_usage("encode", "expected a workspace");
	if (!o.secret_path || !o.out_path)
		return cli_usage("encode", "--secret and --out are required");
	ws = cli_open(argv[optind], RASTRO_OPEN_CREATE, &common, &code);
	if (!ws)
		return code;
	for (i = optind + 1; i < argc; i++) {
		struct rastro_ingest_opts io = { 0 };
		struct rastro_ingest_stats is;

		io.format = format;
		rc = rastro_ingest(ws, argv[i], &io, &is);
		if (rc) {
			code = cli_ws_fail(ws, rc);
			rastro_close(ws);
			return code;
		}
		if (argc - optind == 2)
			o.source_id = is.source_id;
		else if (!common.quiet)
			fprintf(stderr, "rastro: note: several files given; encoding every person-like record\n");
	}
	rc = rastro_encode(ws, &o, &written);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (!common.quiet)
		printf("encoded %llu records into %s\n", (unsigned long long)written, o.out_path);
	rastro_close(ws);
	return 0;
}

static void link_help(void)
{
	printf("usage: rastro link-encoded WORKSPACE A.enc B.enc --out FILE [--threshold T]\n\n"
	       "Links two encodings files written by 'rastro encode' with the same secret:\n"
	       "Dice coefficient of the Bloom filters (64-bit popcounts), a bonus for equal\n"
	       "phone, email or document tokens, and a one-to-one assignment, best pairs\n"
	       "first.  Writes a,b,dice,score,tokens.  The workspace gives the settings and\n"
	       "keeps the run in its log; no record content is needed.\n\n"
	       "options:\n"
	       "  -o, --out FILE        the links file to write\n"
	       "  -t, --threshold T     minimum score (default resolve.pprl.threshold)\n"
	       "      --config FILE     extra settings file;  --set KEY=VALUE  one setting\n"
	       "  -q, --quiet           no summary\n");
}

int cmd_link_encoded(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "threshold", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rastro_link_encoded_opts o = { 0 };
	struct rastro_link_encoded_stats st;
	struct cli_common common = { 0 };
	rastro_ws *ws;
	int opt, code, rc;
	char *end;

	o.threshold = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:t:qh", longopts, NULL)) != -1) {
		int r = cli_common_option(&common, opt, optarg);

		if (r > 0)
			continue;
		if (r < 0)
			return cli_usage("link-encoded", "too many --config or --set options");
		switch (opt) {
		case 'o': o.out_path = optarg; break;
		case 't':
			o.threshold = strtod(optarg, &end);
			if (*end || o.threshold < 0 || o.threshold > 1.5)
				return cli_usage("link-encoded", "--threshold takes a number from 0 to 1.5");
			break;
		case 'q': common.quiet = 1; break;
		case 'h': link_help(); return 0;
		default: return cli_usage("link-encoded", "unknown option");
		}
	}
	if (argc - optind != 3)
		return cli_usage("link-encoded", "expected a workspace and two encodings files");
	if (!o.out_path)
		return cli_usage("link-encoded", "--out is required");
	o.a_path = argv[optind + 1];
	o.b_path = argv[optind + 2];
	ws = cli_open(argv[optind], RASTRO_OPEN_CREATE, &common, &code);
	if (!ws)
		return code;
	rc = rastro_link_encoded(ws, &o, &st);
	if (rc) {
		code = cli_ws_fail(ws, rc);
		rastro_close(ws);
		return code;
	}
	if (!common.quiet)
		printf("linked %llu x %llu encodings: %llu comparisons in %.3f s (%.1f million/s), %llu links -> %s\n",
		       (unsigned long long)st.a, (unsigned long long)st.b, (unsigned long long)st.comparisons, st.seconds,
		       st.comparisons_per_second / 1e6, (unsigned long long)st.links, o.out_path);
	rastro_close(ws);
	return 0;
}
