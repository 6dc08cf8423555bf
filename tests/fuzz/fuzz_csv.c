/*
 * Fuzz target: the CSV reader (and, through it, UTF-8 validation and
 * transparent decompression).  The first byte picks the reader options.
 */
#include <stdint.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "io/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t', '|', 0, ' ', ',', ',' };
	struct csv_opts o;
	struct csv *c;
	struct csv_row *row;
	struct rs_err e;
	char path[64];
	int fd, r, rows = 0;

	if (size < 1)
		return 0;
	csv_opts_default(&o);
	o.delim = delims[data[0] & 7];
	o.quote = (data[0] & 8) ? 0 : '"';
	o.skip_initial_space = (data[0] & 16) != 0;
	o.max_record = (data[0] & 32) ? 1024 : 4096;
	o.max_fields = (data[0] & 64) ? 4 : 100;
	fd = fuzz_memfile(data + 1, size - 1, path);
	if (fd < 0)
		return 0;
	if (csv_open(&c, path, &o, &e) == 0) {
		while ((r = csv_next(c, &row, &e)) == CSV_ROW || r == CSV_BAD) {
			size_t i, total = 0;

			/* Touch every field so the sanitizers see any bad pointer. */
			for (i = 0; r == CSV_ROW && i < row->nfields; i++)
				if (row->fields[i].len)
					total += (unsigned char)row->fields[i].s[row->fields[i].len - 1];
			if (row->raw_len)
				total += (unsigned char)row->raw[row->raw_len - 1];
			(void)total;
			if (++rows > 100000)
				break;
		}
		csv_close(c);
	}
	close(fd);
	return 0;
}
