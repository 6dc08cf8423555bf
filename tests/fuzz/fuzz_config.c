/*
 * Fuzz target: the settings reader (TOML subset) and its getters.
 */
#include <stdint.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *c = cfg_new();
	struct rs_err e;
	const char *k;
	size_t i;

	if (!c)
		return 0;
	(void)cfg_load_string(c, "fuzz.toml", (const char *)data, size, &e);
	for (i = 0; (k = cfg_key(c, i)); i++) {
		size_t j, n = cfg_array_len(c, k);

		(void)cfg_double(c, k, 0);
		(void)cfg_int(c, k, 0);
		(void)cfg_bool(c, k, 0);
		(void)strlen(cfg_str(c, k, ""));
		for (j = 0; j < n; j++)
			(void)strlen(cfg_array_str(c, k, j));
	}
	cfg_free(c);
	return 0;
}
