/*
 * mkgraph: writes a generic-format transaction file whose account graph has
 * community structure, for the network benchmarks: ACCOUNTS accounts in
 * groups of about GROUP (sizes vary), most payments inside a group, a share
 * between random accounts, and a few hundred "merchants" that many accounts
 * pay (the hubs the hub rule must set aside).  Payments are drawn at random,
 * so repeated pairs merge into one link; the network stage reports the
 * number of distinct links it built.
 *
 *   mkgraph ROWS ACCOUNTS GROUP SEED > file.csv
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/parse.h"
#include "core/rng.h"

int main(int argc, char **argv)
{
	struct rng r;
	char *end;
	uint64_t rows, accounts, group, i, merchants;
	int64_t start = days_from_civil(2024, 1, 1) * 86400;
	static char buf[1 << 16];

	if (argc != 5) {
		fprintf(stderr, "usage: mkgraph ROWS ACCOUNTS GROUP SEED\n");
		return 2;
	}
	rows = strtoull(argv[1], &end, 10);
	accounts = strtoull(argv[2], &end, 10);
	group = strtoull(argv[3], &end, 10);
	if (!rows || accounts < 1000 || group < 2)
		return 2;
	rng_seed(&r, strtoull(argv[4], &end, 10));
	merchants = accounts / 5000 + 10;
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	fputs("txn_id,timestamp,from_account,to_account,amount,channel\n", stdout);
	for (i = 0; i < rows; i++) {
		uint64_t a = merchants + rng_below(&r, accounts - merchants), b;
		double u = rng_uniform(&r);
		int64_t t = start + (int64_t)rng_below(&r, 90 * 86400);
		char ts[32];

		if (u < 0.80) {
			/* inside a's group: groups are consecutive ranges, sized GROUP/2..3*GROUP/2 */
			uint64_t base = a / group * group, size = group / 2 + (a / group * 2654435761u) % (group + 1);

			b = base + rng_below(&r, size);
			if (b < merchants || b >= accounts)
				b = a;
		} else if (u < 0.95) {
			b = merchants + rng_below(&r, accounts - merchants);
		} else {
			b = rng_below(&r, merchants);
		}
		if (b == a)
			b = merchants + (a + 1 - merchants) % (accounts - merchants);
		format_timestamp(t, ts);
		printf("t%" PRIu64 ",%s,A%" PRIu64 ",A%" PRIu64 ",%.2f,p2p\n", i, ts, a, b, rng_lognormal(&r, 4.0, 1.2));
	}
	return 0;
}
