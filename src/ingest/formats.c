/*
 * formats: the registry of source formats and the column-binding helpers
 * that CSV formats share.
 */
#include "format.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/sbuf.h"
#include "core/table.h"
#include "store/ws.h"

extern const struct fmt fmt_generic, fmt_ibm_aml, fmt_amlsim, fmt_kyc, fmt_ibm_accounts;

/* gen */

/* finance */

/* resolve */
extern const struct fmt fmt_person, fmt_febrl;

/* ads */
extern const struct fmt fmt_ads, fmt_ads_csv;

/* network */

/* victims */
extern const struct fmt fmt_encounter, fmt_providers;

/* report */


/* Modules add their formats here. */
static const struct fmt *const formats[] = {
	&fmt_generic,
	&fmt_ibm_aml,
	&fmt_amlsim,
	&fmt_kyc,
	&fmt_ibm_accounts,

	/* gen */

	/* finance */

	/* resolve */
	&fmt_person,
	&fmt_febrl,

	/* ads */
	&fmt_ads,
	&fmt_ads_csv,

	/* network */

	/* victims */
	&fmt_encounter,
	&fmt_providers,

	/* report */

	NULL,
};

const struct fmt *const *fmt_all(void)
{
	return formats;
}

const struct fmt *fmt_find(const char *name)
{
	const struct fmt *const *f;

	for (f = formats; *f; f++)
		if (strcmp((*f)->name, name) == 0)
			return *f;
	return NULL;
}

int rastro_formats(rastro_table **out)
{
	static const char *const cols[] = { "format", "records", "input", "description" };
	const struct fmt *const *f;
	rastro_table *t = tbl_new("formats", cols, 4);

	*out = NULL;
	if (!t)
		return RASTRO_NOMEM;
	for (f = formats; *f; f++) {
		tbl_row(t);
		tbl_set(t, 0, (*f)->name);
		tbl_set(t, 1, (*f)->kind->name);
		tbl_set(t, 2, (*f)->input == FMT_JSONL ? "JSON Lines" : "CSV");
		tbl_set(t, 3, (*f)->summary);
	}
	if (tbl_failed(t)) {
		rastro_table_free(t);
		return RASTRO_NOMEM;
	}
	*out = t;
	return 0;
}

/* Looks `field` up in a "field=Header,field2=Header 2" mapping. */
static int mapped_header(const char *mapping, const char *field, char *out, size_t outn)
{
	size_t fl = strlen(field);

	while (mapping && *mapping) {
		const char *comma = strchr(mapping, ',');
		const char *eq = strchr(mapping, '=');
		size_t n = comma ? (size_t)(comma - mapping) : strlen(mapping);

		if (eq && (size_t)(eq - mapping) == fl && eq < mapping + n &&
		    strncmp(mapping, field, fl) == 0) {
			size_t vl = n - fl - 1;

			if (vl >= outn)
				vl = outn - 1;
			memcpy(out, eq + 1, vl);
			out[vl] = '\0';
			return 1;
		}
		mapping = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int find_alias(const struct csv_row *header, const char *aliases)
{
	while (aliases && *aliases) {
		const char *bar = strchr(aliases, '|');
		size_t n = bar ? (size_t)(bar - aliases) : strlen(aliases);
		char name[96];
		int idx;

		if (n < sizeof name) {
			memcpy(name, aliases, n);
			name[n] = '\0';
			idx = csv_find(header, name, 0);
			if (idx >= 0)
				return idx;
		}
		aliases = bar ? bar + 1 : NULL;
	}
	return -1;
}

int fmt_bind_columns(struct fmt_run *run, const struct csv_row *header,
		     const struct fmt_colspec *specs, size_t nspecs, const char *mapping,
		     const char *path, struct rs_err *err)
{
	struct sbuf missing = SBUF_INIT;
	size_t i;
	int rc = 0;

	sbuf_init(&missing);
	for (i = 0; i < nspecs && i < FMT_MAXCOLS; i++) {
		char name[128];

		if (mapped_header(mapping, specs[i].field, name, sizeof name))
			run->col[i] = csv_find(header, name, 0);
		else
			run->col[i] = find_alias(header, specs[i].aliases);
		if (run->col[i] < 0 && specs[i].required)
			sbuf_addf(&missing, "%s'%s'", missing.len ? ", " : "", specs[i].field);
	}
	if (missing.len)
		rc = err_set(err, RASTRO_FORMAT, "%s:1: the header lacks the column(s) %s that the '%s' format needs"
			     " (map other names with --map field=Header)", path, missing.buf, run->fmt->name);
	sbuf_release(&missing);
	return rc;
}

int fmt_score_header(const struct csv_row *header, const struct fmt_colspec *specs, size_t nspecs)
{
	size_t i;
	int score = 0;

	for (i = 0; i < nspecs; i++) {
		if (find_alias(header, specs[i].aliases) >= 0)
			score++;
		else if (specs[i].required)
			return 0;
	}
	return score;
}

const char *fmt_field(const struct fmt_run *run, const struct csv_row *row, int spec, size_t *len)
{
	int idx = run->col[spec];
	const char *s;
	size_t n;

	if (idx < 0 || (size_t)idx >= row->nfields) {
		*len = 0;
		return "";
	}
	s = row->fields[idx].s;
	n = row->fields[idx].len;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

int fmt_reject(struct fmt_run *run, const struct csv_row *row, const struct fmt_colspec *specs,
	       int spec, struct fmt_bad *bad, const char *reason)
{
	size_t n;
	const char *v = fmt_field(run, row, spec, &n);

	bad->field = run->col[spec];
	if (n)
		snprintf(bad->reason, sizeof bad->reason, "column '%s': %s ('%.*s')", specs[spec].field, reason,
			 (int)(n > 60 ? 60 : n), v);
	else
		snprintf(bad->reason, sizeof bad->reason, "column '%s': %s", specs[spec].field, reason);
	return 1;
}
