/*
 * Fuzz target: every source format end to end — bytes become a file that
 * rastro ingests into an in-memory workspace with the format named by the
 * first byte (or guessed).  Catches crashes in format code, interning and
 * the writer, not just in the readers.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "rastro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rastro_ws *ws;
static const char *formats[64];
static size_t nformats;

static unsigned runs;

/* A fresh in-memory workspace every 256 inputs keeps each run small. */
static void setup(void)
{
	rastro_table *t;
	size_t i;

	rastro_close(ws);
	if (rastro_open(":memory:", RASTRO_OPEN_CREATE, &ws))
		__builtin_trap();
	if (nformats)
		return;
	if (rastro_formats(&t))
		__builtin_trap();
	for (i = 0; i < rastro_table_nrows(t) && nformats < 63; i++)
		formats[nformats++] = strdup(rastro_table_cell(t, i, 0));
	rastro_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rastro_ingest_opts o = { 0 };
	struct rastro_ingest_stats st;
	char path[64];
	int fd;

	if (!ws || ++runs % 256 == 0)
		setup();
	if (size < 1)
		return 0;
	if (data[0] < nformats)
		o.format = formats[data[0]];
	o.force = 1;
	fd = fuzz_memfile(data + 1, size - 1, path);
	if (fd < 0)
		return 0;
	(void)rastro_ingest(ws, path, &o, &st);
	close(fd);
	return 0;
}
