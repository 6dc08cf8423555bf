/*
 * mkibm: writes an IBM AMLworld-format transaction file of N rows for the
 * ingest benchmark — same header, CRLF line ends, `YYYY/MM/DD HH:MM`
 * timestamps, bank + hex account ids, spelled-out currencies, about one
 * account per ten transactions as in HI-Small (515k accounts, 5.08M rows).
 *
 *   mkibm ROWS SEED > file.csv
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/parse.h"
#include "core/rng.h"

static const char *const currencies[] = { "US Dollar", "US Dollar", "US Dollar", "US Dollar", "Euro",
					  "Yuan", "Rupee", "Yen", "UK Pound", "Ruble", "Canadian Dollar" };
static const char *const formats[] = { "ACH", "Cheque", "Credit Card", "Cash", "Reinvestment", "Wire",
				       "Bitcoin" };
static const double format_weights[] = { 0.30, 0.25, 0.20, 0.12, 0.07, 0.05, 0.01 };

int main(int argc, char **argv)
{
	struct rng r;
	char *end;
	uint64_t rows, accounts, i;
	int64_t start = days_from_civil(2022, 9, 1) * 86400;
	static char buf[1 << 16];

	if (argc != 3) {
		fprintf(stderr, "usage: mkibm ROWS SEED\n");
		return 2;
	}
	rows = strtoull(argv[1], &end, 10);
	if (*end || !rows)
		return 2;
	rng_seed(&r, strtoull(argv[2], &end, 10));
	accounts = rows / 10 + 100;
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	fputs("Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
	      "Amount Paid,Payment Currency,Payment Format,Is Laundering\r\n", stdout);
	for (i = 0; i < rows; i++) {
		uint64_t a = rng_below(&r, accounts), b = rng_below(&r, accounts);
		int64_t t = start + (int64_t)rng_below(&r, 10 * 86400);
		size_t fmt = rng_weighted(&r, format_weights, 7);
		const char *cur = currencies[rng_below(&r, sizeof currencies / sizeof currencies[0])];
		double amount = rng_lognormal(&r, 6.0, 2.0);
		char ts[32];

		if (fmt == 4)
			b = a; /* reinvestment is a self-transfer */
		format_timestamp(t, ts);
		/* "2022-09-01T00:20:00" -> "2022/09/01 00:20" */
		ts[4] = ts[7] = '/';
		ts[10] = ' ';
		ts[16] = '\0';
		printf("%s,%03" PRIu64 ",%09" PRIX64 ",%03" PRIu64 ",%09" PRIX64 ",%.2f,%s,%.2f,%s,%s,%d\r\n", ts,
		       a % 3000 + 1, (uint64_t)0x800000000 + a * 16, b % 3000 + 1, (uint64_t)0x800000000 + b * 16, amount, cur,
		       amount, cur, formats[fmt], rng_chance(&r, 0.001));
	}
	return fflush(stdout) ? 1 : 0;
}
