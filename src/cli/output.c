/*
 * output: tables printed for people (aligned columns), for spreadsheets
 * (RFC 4180 CSV) or for programs (JSON), plus the progress bar and the
 * error-printing helpers.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CELL_MAX 60  /* characters shown per cell in table output */

int cli_parse_format(const char *s)
{
	if (strcmp(s, "table") == 0)
		return OUT_TABLE;
	if (strcmp(s, "csv") == 0)
		return OUT_CSV;
	if (strcmp(s, "json") == 0)
		return OUT_JSON;
	return -1;
}

/* Display width in characters (UTF-8 lead bytes), newlines shown as one. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Prints at most `max` characters of s, padded to `pad`; cuts with "…". */
static void put_cell(FILE *f, const char *s, size_t pad, size_t max, int right)
{
	size_t w = width(s), shown = w > max ? max - 1 : w, i = 0, chars = 0;

	if (right)
		for (; w < pad && chars < pad - w; chars++)
			fputc(' ', f);
	chars = 0;
	while (s[i] && chars < shown) {
		unsigned char c = (unsigned char)s[i];

		fputc(c == '\n' || c == '\r' || c == '\t' ? ' ' : c, f);
		i++;
		while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80)
			fputc(s[i++], f);
		chars++;
	}
	if (w > max) {
		fputs("…", f);
		chars++;
	}
	if (!right)
		for (; chars < pad; chars++)
			fputc(' ', f);
}

static void print_text(FILE *f, const rastro_table *t)
{
	size_t nc = rastro_table_ncols(t), nr = rastro_table_nrows(t), c, r;
	size_t *w = calloc(nc ? nc : 1, sizeof *w);

	if (!w)
		return;
	for (c = 0; c < nc; c++) {
		w[c] = width(rastro_table_colname(t, c));
		for (r = 0; r < nr; r++) {
			const char *s = rastro_table_cell(t, r, c);
			size_t cw = s ? width(s) : 0;

			if (cw > w[c])
				w[c] = cw;
		}
		if (w[c] > CELL_MAX)
			w[c] = CELL_MAX;
	}
	for (c = 0; c < nc; c++) {
		put_cell(f, rastro_table_colname(t, c), c + 1 < nc ? w[c] : 0, CELL_MAX, 0);
		fputs(c + 1 < nc ? "  " : "\n", f);
	}
	for (c = 0; c < nc; c++) {
		size_t k;

		for (k = 0; k < w[c]; k++)
			fputc('-', f);
		fputs(c + 1 < nc ? "  " : "\n", f);
	}
	for (r = 0; r < nr; r++) {
		for (c = 0; c < nc; c++) {
			const char *s = rastro_table_cell(t, r, c);
			int right = rastro_table_coltype(t, c) != RASTRO_COL_TEXT;

			put_cell(f, s ? s : "", c + 1 < nc || right ? w[c] : 0, CELL_MAX, right);
			fputs(c + 1 < nc ? "  " : "\n", f);
		}
	}
	free(w);
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void cli_print_table(FILE *f, const rastro_table *t, enum cli_format fmt)
{
	size_t nc = rastro_table_ncols(t), nr = rastro_table_nrows(t), c, r;

	if (fmt == OUT_TABLE) {
		print_text(f, t);
		return;
	}
	if (fmt == OUT_CSV) {
		for (c = 0; c < nc; c++) {
			csv_field(f, rastro_table_colname(t, c));
			fputc(c + 1 < nc ? ',' : '\n', f);
		}
		for (r = 0; r < nr; r++)
			for (c = 0; c < nc; c++) {
				const char *s = rastro_table_cell(t, r, c);

				csv_field(f, s ? s : "");
				fputc(c + 1 < nc ? ',' : '\n', f);
			}
		return;
	}
	fputs("[", f);
	for (r = 0; r < nr; r++) {
		fputs(r ? ",\n {" : "\n {", f);
		for (c = 0; c < nc; c++) {
			const char *s = rastro_table_cell(t, r, c);

			if (c)
				fputs(", ", f);
			json_string(f, rastro_table_colname(t, c));
			fputs(": ", f);
			if (!s)
				fputs("null", f);
			else if (rastro_table_coltype(t, c) != RASTRO_COL_TEXT && *s)
				fputs(s, f);
			else
				json_string(f, s);
		}
		fputs("}", f);
	}
	fputs(nr ? "\n]\n" : "]\n", f);
}

/* ---- progress ---- */

static int progress_shown;
static double progress_last;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
	double t = now_s();

	(void)user;
	if (!isatty(2))
		return;
	if (t - progress_last < 0.2 && done < total)
		return;
	progress_last = t;
	if (total) {
		int pct = (int)(done * 100 / total), bars = pct * 30 / 100, i;

		fprintf(stderr, "\r%-10s [", stage);
		for (i = 0; i < 30; i++)
			fputc(i < bars ? '#' : ' ', stderr);
		fprintf(stderr, "] %3d%%", pct);
	} else {
		fprintf(stderr, "\r%-10s %llu", stage, (unsigned long long)done);
	}
	progress_shown = 1;
}

void cli_progress_done(void)
{
	if (progress_shown && isatty(2))
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

/* ---- errors and workspace opening ---- */

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	cli_progress_done();
	fputs("rastro: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code ? code : RASTRO_ERROR;
}

int cli_ws_fail(rastro_ws *ws, int code)
{
	return cli_fail(code, "%s", rastro_errmsg(ws));
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rastro %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'rastro %s --help')\n", cmd);
	return RASTRO_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int cli_common_option(struct cli_common *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_CONFIG:
		if (c->nconfig == sizeof c->config / sizeof c->config[0])
			return -1;
		c->config[c->nconfig++] = arg;
		return 1;
	case OPT_SET:
		if (c->nset == sizeof c->set / sizeof c->set[0])
			return -1;
		c->set[c->nset++] = arg;
		return 1;
	case OPT_QUIET:
		c->quiet = 1;
		return 1;
	default:
		return 0;
	}
}

rastro_ws *cli_open(const char *path, int flags, const struct cli_common *c, int *code)
{
	rastro_ws *ws;
	size_t i;

	*code = rastro_open(path, flags, &ws);
	if (*code) {
		cli_ws_fail(ws, *code);
		rastro_close(ws);
		return NULL;
	}
	for (i = 0; c && i < c->nconfig; i++) {
		*code = rastro_config_load(ws, c->config[i]);
		if (*code) {
			cli_ws_fail(ws, *code);
			rastro_close(ws);
			return NULL;
		}
	}
	for (i = 0; c && i < c->nset; i++) {
		*code = rastro_config_set(ws, c->set[i]);
		if (*code) {
			cli_ws_fail(ws, *code);
			rastro_close(ws);
			return NULL;
		}
	}
	if (!c || !c->quiet)
		rastro_set_progress(ws, cli_progress, NULL);
	return ws;
}
