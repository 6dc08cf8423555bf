/*
 * Replays a fuzz target's inputs without libFuzzer: each argument is a file
 * or a folder of files, and each file is passed once to the target's
 * LLVMFuzzerTestOneInput.  Built with gcc into every normal and sanitizer
 * build, so `make test` runs each seed corpus — including every input that
 * once crashed a target — without clang or a fuzzing run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		return 1;
	}
	do {
		uint8_t *nb;

		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	/* libFuzzer hands the target an exactly sized copy, so do the same:
	 * ASan then sees a read past the end. */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact) {
			free(buf);
			return 1;
		}
		memcpy(exact, buf, n);
		free(buf);
		(void)LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int i, bad = 0;
	size_t total = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		char **names = NULL;
		size_t nn = 0, cap = 0, j;

		if (!d && access(argv[i], F_OK) != 0) {
			printf("replay: no seed corpus at '%s'\n", argv[i]);
			continue;
		}
		if (!d) {
			bad += run_file(argv[i]);
			total++;
			continue;
		}
		while ((e = readdir(d))) {
			char **nb;

			if (e->d_name[0] == '.')
				continue;
			if (nn == cap) {
				cap = cap ? 2 * cap : 64;
				nb = realloc(names, cap * sizeof *names);
				if (!nb)
					return 1;
				names = nb;
			}
			if (!(names[nn++] = strdup(e->d_name)))
				return 1;
		}
		closedir(d);
		qsort(names, nn, sizeof *names, cmp_str);   /* same order every run */
		for (j = 0; j < nn; j++) {
			char path[4096];

			snprintf(path, sizeof path, "%s/%s", argv[i], names[j]);
			bad += run_file(path);
			total++;
			free(names[j]);
		}
		free(names);
	}
	printf("replayed %zu input(s), %d unreadable\n", total, bad);
	return bad != 0;
}
