/*
 * fmt_person: person-record formats — rastro's generic agency person CSV
 * (`person`) and the FEBRL benchmark files (`febrl`).  Both fill the
 * `person` record table.  Values are stored as written (trimmed): names,
 * dates, phones and addresses are normalised at resolution time, where the
 * normalisers can keep alternatives (Ñ as N and NY, day/month order) that a
 * single stored form would lose.  A row is refused only for what cannot be
 * right whatever the reading: no record id, a duplicate id in the file, an
 * unknown sex or status code.
 */
#include "resolve/er.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const person_cols[] = {
	"ext_id", "given_name", "surname", "maternal_surname", "full_name", "nickname", "dob", "sex",
	"street_number", "address", "address2", "city", "region", "postcode", "country", "phone",
	"email", "id_number", "nationality", "case_id", "status",
};
const struct rec_kind rk_person = { "person", "person", 1, sizeof person_cols / sizeof person_cols[0],
				    person_cols };

enum {
	P_ID, P_GIVEN, P_SURNAME, P_MATERNAL, P_FULL, P_NICK, P_DOB, P_SEX, P_STREETNO, P_ADDRESS,
	P_ADDRESS2, P_CITY, P_REGION, P_POSTCODE, P_COUNTRY, P_PHONE, P_EMAIL, P_IDNUM, P_NATION,
	P_CASE, P_STATUS, P_N
};

/* Field i of person_cols is spec i (P_ID is ext_id). */
static const struct fmt_colspec pcols[P_N] = {
	[P_ID] = { "record_id", "record_id|person_id|id|rec_id", 1 },
	[P_GIVEN] = { "given_name", "given_name|given_names|first_name|forename|nombre|nombres", 0 },
	[P_SURNAME] = { "surname", "surname|last_name|family_name|apellido|apellido_paterno|paternal_surname", 0 },
	[P_MATERNAL] = { "maternal_surname", "maternal_surname|second_surname|apellido_materno", 0 },
	[P_FULL] = { "full_name", "full_name|name|nombre_completo", 0 },
	[P_NICK] = { "nickname", "nickname|alias|aka|apodo", 0 },
	[P_DOB] = { "dob", "dob|date_of_birth|birth_date|fecha_nacimiento", 0 },
	[P_SEX] = { "sex", "sex|gender|sexo", 0 },
	[P_STREETNO] = { "street_number", "street_number|house_number", 0 },
	[P_ADDRESS] = { "address", "address|street|address_1|domicilio", 0 },
	[P_ADDRESS2] = { "address2", "address2|address_2|unit", 0 },
	[P_CITY] = { "city", "city|town|suburb|ciudad|municipio", 0 },
	[P_REGION] = { "region", "region|state|province|estado", 0 },
	[P_POSTCODE] = { "postcode", "postcode|zip|postal_code|cp", 0 },
	[P_COUNTRY] = { "country", "country|country_code|pais", 0 },
	[P_PHONE] = { "phone", "phone|phone_number|telephone|mobile|telefono", 0 },
	[P_EMAIL] = { "email", "email|e_mail|email_address|correo", 0 },
	[P_IDNUM] = { "id_number", "id_number|document_number|passport|ssn|soc_sec_id", 0 },
	[P_NATION] = { "nationality", "nationality|citizenship|nacionalidad", 0 },
	[P_CASE] = { "case_id", "case_id|case_number|case", 0 },
	[P_STATUS] = { "status", "status|role|relation", 0 },
};

static int person_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, pcols, P_N);

	/* A person file must name people: a bare "id" column is not enough. */
	if (s && csv_find(h, "given_name", 0) < 0 && csv_find(h, "full_name", 0) < 0 &&
	    csv_find(h, "first_name", 0) < 0)
		return 0;
	return s;
}

static int person_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
		       struct rs_err *err)
{
	int rc = fmt_bind_columns(run, h, pcols, P_N, mapping, "input", err);

	if (rc)
		return rc;
	if (run->col[P_GIVEN] < 0 && run->col[P_FULL] < 0)
		return err_set(err, RASTRO_FORMAT, "input:1: the header has neither 'given_name' nor 'full_name'"
			       " (the 'person' format needs one; map it with --map given_name=Header)");
	return 0;
}

/* "F", "M", "X" from the common spellings; NULL when unknown. */
static const char *sex_code(const char *s, size_t n)
{
	static const struct { const char *in; const char *out; } map[] = {
		{ "f", "F" }, { "female", "F" }, { "woman", "F" }, { "mujer", "F" }, { "femenino", "F" },
		{ "m", "M" }, { "male", "M" }, { "man", "M" }, { "h", "M" }, { "hombre", "M" },
		{ "masculino", "M" }, { "x", "X" }, { "other", "X" }, { "nonbinary", "X" }, { "u", "" },
		{ "unknown", "" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strlen(map[i].in) == n && strncasecmp(map[i].in, s, n) == 0)
			return map[i].out;
	return NULL;
}

static int status_ok(const char *s, size_t n)
{
	static const char *const ok[] = { "subject", "target", "arrested", "associate", "witness", "victim",
					  "other" };
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strlen(ok[i]) == n && strncasecmp(ok[i], s, n) == 0)
			return 1;
	return 0;
}

static int dup_id(struct fmt_run *run, const struct csv_row *row, const struct fmt_colspec *specs,
		  int spec, const char *s, size_t n, struct fmt_bad *bad)
{
	uint64_t first;

	if (fctx_seen_id(run->ctx, s, n, row->line, &first)) {
		char reason[96];

		snprintf(reason, sizeof reason, "duplicate record id (first used at line %llu)",
			 (unsigned long long)first);
		return fmt_reject(run, row, specs, spec, bad, reason);
	}
	return 0;
}

static int person_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[P_N];
	size_t n[P_N];
	const char *sex = NULL;
	struct rec *r;
	int i;

	for (i = 0; i < P_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	if (!n[P_ID])
		return fmt_reject(run, row, pcols, P_ID, bad, "missing");
	if (n[P_SEX]) {
		sex = sex_code(s[P_SEX], n[P_SEX]);
		if (!sex)
			return fmt_reject(run, row, pcols, P_SEX, bad, "not F, M, X or empty");
	}
	if (n[P_STATUS] && !status_ok(s[P_STATUS], n[P_STATUS]))
		return fmt_reject(run, row, pcols, P_STATUS, bad,
				  "not subject, target, arrested, associate, witness, victim or other");
	if (dup_id(run, row, pcols, P_ID, s[P_ID], n[P_ID], bad))
		return 1;
	r = fctx_rec(run->ctx, &rk_person, row->line);
	if (!r)
		return -1;
	for (i = 0; i < P_N; i++) {
		if (i == P_SEX)
			rec_set_opt(run->ctx, r, i, sex ? sex : "", sex ? strlen(sex) : 0);
		else if (i == P_STATUS) {
			char low[16];
			size_t k;

			for (k = 0; k < n[i] && k < sizeof low - 1; k++)
				low[k] = (char)(s[i][k] | 0x20);
			rec_set_opt(run->ctx, r, i, low, k);
		} else
			rec_set_opt(run->ctx, r, i, s[i], n[i]);
	}
	return 0;
}

const struct fmt fmt_person = {
	.name = "person",
	.kind = &rk_person,
	.summary = "agency person records: record_id, given_name, surname, maternal_surname, dob, sex, address, phone...",
	.input = FMT_CSV,
	.sniff_header = person_sniff,
	.bind = person_bind,
	.row = person_row,
};

/* ---- FEBRL ---- */

enum { F_ID, F_GIVEN, F_SURNAME, F_STREETNO, F_ADDR1, F_ADDR2, F_SUBURB, F_POSTCODE, F_STATE, F_DOB,
       F_SSN, F_N };

static const struct fmt_colspec fcols[F_N] = {
	[F_ID] = { "rec_id", "rec_id", 1 },
	[F_GIVEN] = { "given_name", "given_name", 1 },
	[F_SURNAME] = { "surname", "surname", 1 },
	[F_STREETNO] = { "street_number", "street_number", 1 },
	[F_ADDR1] = { "address_1", "address_1", 1 },
	[F_ADDR2] = { "address_2", "address_2", 1 },
	[F_SUBURB] = { "suburb", "suburb", 1 },
	[F_POSTCODE] = { "postcode", "postcode", 1 },
	[F_STATE] = { "state", "state", 1 },
	[F_DOB] = { "date_of_birth", "date_of_birth", 1 },
	[F_SSN] = { "soc_sec_id", "soc_sec_id", 1 },
};

/* Where each FEBRL field goes in the person table. */
static const int febrl_to_person[F_N] = {
	[F_ID] = P_ID, [F_GIVEN] = P_GIVEN, [F_SURNAME] = P_SURNAME, [F_STREETNO] = P_STREETNO,
	[F_ADDR1] = P_ADDRESS, [F_ADDR2] = P_ADDRESS2, [F_SUBURB] = P_CITY, [F_POSTCODE] = P_POSTCODE,
	[F_STATE] = P_REGION, [F_DOB] = P_DOB, [F_SSN] = P_IDNUM,
};

static int febrl_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, fcols, F_N);

	return s ? s + 50 : 0;   /* all eleven FEBRL names: surely FEBRL, not a generic person file */
}

static int febrl_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping,
		      struct rs_err *err)
{
	return fmt_bind_columns(run, h, fcols, F_N, mapping, "input", err);
}

static int febrl_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[F_N];
	size_t n[F_N];
	struct rec *r;
	int i;

	for (i = 0; i < F_N; i++)
		s[i] = fmt_field(run, row, i, &n[i]);
	if (!n[F_ID])
		return fmt_reject(run, row, fcols, F_ID, bad, "missing");
	if (dup_id(run, row, fcols, F_ID, s[F_ID], n[F_ID], bad))
		return 1;
	r = fctx_rec(run->ctx, &rk_person, row->line);
	if (!r)
		return -1;
	for (i = 0; i < F_N; i++)
		rec_set_opt(run->ctx, r, febrl_to_person[i], s[i], n[i]);
	rec_set_opt(run->ctx, r, P_COUNTRY, "AU", 2);
	return 0;
}

const struct fmt fmt_febrl = {
	.name = "febrl",
	.kind = &rk_person,
	.summary = "FEBRL benchmark person records (rec_id, given_name, surname, ..., soc_sec_id; ', ' separated)",
	.input = FMT_CSV,
	.delim = ',',
	.skip_initial_space = 1,
	.sniff_header = febrl_sniff,
	.bind = febrl_bind,
	.row = febrl_row,
};
