/*
 * Fuzz target: the JSON Lines reader.
 */
#include <stdint.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "io/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonl *j;
	struct jsonl_item *it;
	struct rs_err e;
	char path[64];
	int fd, r, n = 0;

	fd = fuzz_memfile(data, size, path);
	if (fd < 0)
		return 0;
	if (jsonl_open(&j, path, 4096, &e) == 0) {
		while ((r = jsonl_next(j, &it, &e)) == JSONL_OBJ || r == JSONL_BAD)
			if (++n > 100000)
				break;
		jsonl_close(j);
	}
	close(fd);
	return 0;
}
