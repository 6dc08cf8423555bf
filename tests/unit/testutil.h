/*
 * Helpers shared by unit tests: temporary files and directories.
 */
#ifndef RASTRO_TESTUTIL_H
#define RASTRO_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh temporary directory (removed by tu_cleanup). */
static inline const char *tu_dir(void)
{
	static char dir[64];

	if (!dir[0]) {
		/* Memory-backed when possible: workspaces fsync on commit, and
		 * tests create hundreds of them. */
		snprintf(dir, sizeof dir, "%s/rastro-test-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

/* Path of `name` inside the temporary directory (static buffer rotation). */
static inline const char *tu_path(const char *name)
{
	static char bufs[8][256];
	static int k;
	char *p = bufs[k++ % 8];

	snprintf(p, 256, "%s/%s", tu_dir(), name);
	return p;
}

static inline const char *tu_write(const char *name, const void *data, size_t n)
{
	const char *p = tu_path(name);
	FILE *f = fopen(p, "wb");

	if (!f || fwrite(data, 1, n, f) != n)
		abort();
	fclose(f);
	return p;
}

static inline const char *tu_writes(const char *name, const char *text)
{
	return tu_write(name, text, strlen(text));
}

static inline void tu_cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", tu_dir());
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tu_dir());
}

#endif
