/*
 * fmt_encounter: agency encounters with screening answers (CSV), the
 * `encounter` format of docs/formats.md.
 *
 * One row per encounter (border, traffic stop, raid, hotline call, shelter
 * intake, clinic).  The screening answers follow the topics of the Vera
 * Institute's Trafficking Victim Identification Tool (documents held by
 * someone else, debt, not free to leave, threats, not knowing one's
 * address, a third party answering).  Every value is checked before the row
 * is emitted; a bad answer, date or coordinate quarantines the row with its
 * column.  Encounters are victim data and are stored as confidential.
 *
 * Person entities are not created here: the victims stage links each
 * encounter to a person (provisional until entity resolution does it), so
 * that ingest stays a pure load of records.
 */
#include "ingest/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "rastro.h"
#include "victims.h"

enum {
	E_ID, E_DATE, E_TYPE, E_CITY, E_REGION, E_COUNTRY, E_LAT, E_LON, E_PERSON, E_GIVEN,
	E_SURNAME, E_MATERNAL, E_DOB, E_SEX, E_PHONE, E_NATIONALITY, E_LANGUAGE, E_AGE,
	E_DOCS, E_OWES, E_DEBT_AMOUNT, E_NOT_FREE, E_THREATENED, E_KNOWS_ADDRESS, E_THIRD_PARTY,
	E_PAID_FEE, E_FEE_OWED, E_HOUSING, E_NOTES, E_N
};

static const struct fmt_colspec enc_cols[E_N] = {
	[E_ID] = { "encounter_id", "encounter_id|encounter", 1 },
	[E_DATE] = { "date", "date|encounter_date|datetime|timestamp", 1 },
	[E_TYPE] = { "type", "type|encounter_type", 0 },
	[E_CITY] = { "city", "city|town", 0 },
	[E_REGION] = { "region", "region|state|province", 0 },
	[E_COUNTRY] = { "country", "country|country_code", 0 },
	[E_LAT] = { "lat", "lat|latitude", 0 },
	[E_LON] = { "lon", "lon|lng|long|longitude", 0 },
	[E_PERSON] = { "person_record_id", "person_record_id|person_id", 0 },
	[E_GIVEN] = { "given_name", "given_name|first_name|given_names", 0 },
	[E_SURNAME] = { "surname", "surname|last_name|paternal_surname", 0 },
	[E_MATERNAL] = { "maternal_surname", "maternal_surname|second_surname", 0 },
	[E_DOB] = { "dob", "dob|date_of_birth|birth_date", 0 },
	[E_SEX] = { "sex", "sex|gender", 0 },
	[E_PHONE] = { "phone", "phone|phone_number|telephone|mobile", 0 },
	[E_NATIONALITY] = { "nationality", "nationality|citizenship", 0 },
	[E_LANGUAGE] = { "language", "language|preferred_language", 0 },
	[E_AGE] = { "age_stated", "age_stated|age", 0 },
	[E_DOCS] = { "documents_held_by_other", "documents_held_by_other", 0 },
	[E_OWES] = { "owes_debt", "owes_debt", 0 },
	[E_DEBT_AMOUNT] = { "debt_amount", "debt_amount", 0 },
	[E_NOT_FREE] = { "not_free_to_leave", "not_free_to_leave", 0 },
	[E_THREATENED] = { "threatened", "threatened", 0 },
	[E_KNOWS_ADDRESS] = { "knows_address", "knows_address", 0 },
	[E_THIRD_PARTY] = { "third_party_speaks", "third_party_speaks", 0 },
	[E_PAID_FEE] = { "paid_smuggling_fee", "paid_smuggling_fee", 0 },
	[E_FEE_OWED] = { "smuggling_fee_owed", "smuggling_fee_owed", 0 },
	[E_HOUSING] = { "works_for_housing", "works_for_housing", 0 },
	[E_NOTES] = { "notes", "notes|note|narrative", 0 },
};

/* The record kind: columns in the order the row function fills them. */
static const char *const enc_kind_cols[] = {
	"ext_id", "ts", "type", "city", "region", "country", "lat", "lon", "person_record_id",
	"given_name", "surname", "maternal_surname", "dob", "sex", "phone", "nationality",
	"language", "age_stated", "documents_held_by_other", "owes_debt", "debt_amount",
	"not_free_to_leave", "threatened", "knows_address", "third_party_speaks",
	"paid_smuggling_fee", "smuggling_fee_owed", "works_for_housing", "notes",
};
const struct rec_kind rk_encounter = { "encounter", "encounter", 1,
	sizeof enc_kind_cols / sizeof enc_kind_cols[0], enc_kind_cols };

static const char *const encounter_types[] = {
	"border", "traffic_stop", "raid", "hotline", "shelter_intake", "clinic", "other",
};

static int enc_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, enc_cols, E_N);

	/* The screening columns make this header unmistakable. */
	return s >= 4 ? s + 20 : s;
}

static int enc_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping, struct rs_err *err)
{
	return fmt_bind_columns(run, h, enc_cols, E_N, mapping, "input", err);
}

/* Folds a word to lower case with '_' for spaces and hyphens. */
static size_t fold(const char *s, size_t n, char *out, size_t outn)
{
	size_t i;

	if (n >= outn)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c == ' ' || c == '-' ? '_' : c;
	}
	out[n] = '\0';
	return n;
}

static const char *parse_sex(const char *s, size_t n)
{
	char w[16];

	if (!fold(s, n, w, sizeof w))
		return NULL;
	if (!strcmp(w, "f") || !strcmp(w, "female") || !strcmp(w, "woman") || !strcmp(w, "mujer"))
		return "F";
	if (!strcmp(w, "m") || !strcmp(w, "male") || !strcmp(w, "man") || !strcmp(w, "hombre"))
		return "M";
	if (!strcmp(w, "x") || !strcmp(w, "nonbinary") || !strcmp(w, "non_binary") || !strcmp(w, "other"))
		return "X";
	return NULL;
}

static int enc_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	static const int answers[] = { E_DOCS, E_OWES, E_NOT_FREE, E_THREATENED, E_KNOWS_ADDRESS,
				       E_THIRD_PARTY, E_PAID_FEE, E_FEE_OWED, E_HOUSING };
	const char *s[E_N];
	size_t n[E_N];
	int ans[E_N];
	char type[24] = "", dob[16] = "", lang[32] = "", nat[3] = "";
	const char *sex = NULL, *why;
	double lat = NAN, lon = NAN, debt = -1;
	int64_t ts, age = -1;
	uint64_t first;
	struct rec *r;
	size_t i;

	for (i = 0; i < E_N; i++)
		s[i] = fmt_field(run, row, (int)i, &n[i]);
	if (!n[E_ID])
		return fmt_reject(run, row, enc_cols, E_ID, bad, "missing");
	if (!n[E_DATE])
		return fmt_reject(run, row, enc_cols, E_DATE, bad, "missing");
	why = parse_timestamp(s[E_DATE], n[E_DATE], &ts);
	if (why)
		return fmt_reject(run, row, enc_cols, E_DATE, bad, why);
	if (n[E_TYPE]) {
		int ok = 0;

		if (fold(s[E_TYPE], n[E_TYPE], type, sizeof type))
			for (i = 0; i < sizeof encounter_types / sizeof encounter_types[0]; i++)
				ok |= strcmp(type, encounter_types[i]) == 0;
		if (!ok)
			return fmt_reject(run, row, enc_cols, E_TYPE, bad,
					  "unknown encounter type (border, traffic_stop, raid, hotline, "
					  "shelter_intake, clinic, other)");
	}
	if (n[E_LAT] || n[E_LON]) {
		if (!n[E_LAT] || !n[E_LON])
			return fmt_reject(run, row, enc_cols, n[E_LAT] ? E_LON : E_LAT, bad,
					  "missing (lat and lon go together)");
		if (parse_double(s[E_LAT], n[E_LAT], &lat) || lat < -90 || lat > 90)
			return fmt_reject(run, row, enc_cols, E_LAT, bad, "not a latitude (-90 to 90)");
		if (parse_double(s[E_LON], n[E_LON], &lon) || lon < -180 || lon > 180)
			return fmt_reject(run, row, enc_cols, E_LON, bad, "not a longitude (-180 to 180)");
	}
	if (n[E_DOB]) {
		int64_t t;

		why = parse_timestamp(s[E_DOB], n[E_DOB], &t);
		if (why)
			return fmt_reject(run, row, enc_cols, E_DOB, bad, why);
		if (t > ts)
			return fmt_reject(run, row, enc_cols, E_DOB, bad, "date of birth after the encounter");
		format_date(t, dob);
	}
	if (n[E_SEX] && !(sex = parse_sex(s[E_SEX], n[E_SEX])))
		return fmt_reject(run, row, enc_cols, E_SEX, bad, "not F, M or X");
	if (n[E_NATIONALITY]) {
		if (n[E_NATIONALITY] != 2 ||
		    !((s[E_NATIONALITY][0] | 32) >= 'a' && (s[E_NATIONALITY][0] | 32) <= 'z' &&
		      (s[E_NATIONALITY][1] | 32) >= 'a' && (s[E_NATIONALITY][1] | 32) <= 'z'))
			return fmt_reject(run, row, enc_cols, E_NATIONALITY, bad,
					  "not an ISO 3166 alpha-2 country code");
		nat[0] = (char)(s[E_NATIONALITY][0] & ~32);
		nat[1] = (char)(s[E_NATIONALITY][1] & ~32);
		nat[2] = '\0';
	}
	if (n[E_LANGUAGE] && vic_language_norm(s[E_LANGUAGE], n[E_LANGUAGE], lang, sizeof lang))
		return fmt_reject(run, row, enc_cols, E_LANGUAGE, bad, "not a language name or code");
	if (n[E_AGE] && (parse_i64(s[E_AGE], n[E_AGE], &age) || age < 0 || age > 120))
		return fmt_reject(run, row, enc_cols, E_AGE, bad, "not an age in years (0 to 120)");
	if (n[E_DEBT_AMOUNT] && (parse_double(s[E_DEBT_AMOUNT], n[E_DEBT_AMOUNT], &debt) || debt < 0))
		return fmt_reject(run, row, enc_cols, E_DEBT_AMOUNT, bad, "not a non-negative amount");
	for (i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		int k = answers[i];

		ans[k] = vic_answer(s[k], n[k]);
		if (ans[k] == -2)
			return fmt_reject(run, row, enc_cols, k, bad, "not a screening answer (yes, no or empty)");
	}
	if (fctx_seen_id(run->ctx, s[E_ID], n[E_ID], row->line, &first)) {
		char reason[96];

		snprintf(reason, sizeof reason, "duplicate encounter id (first at line %llu)",
			 (unsigned long long)first);
		return fmt_reject(run, row, enc_cols, E_ID, bad, reason);
	}

	r = fctx_rec(run->ctx, &rk_encounter, row->line);
	if (!r)
		return -1;
	rec_set_text(run->ctx, r, 0, s[E_ID], n[E_ID]);
	rec_set_int(r, 1, ts);
	rec_set_opt(run->ctx, r, 2, type, strlen(type));
	rec_set_opt(run->ctx, r, 3, s[E_CITY], n[E_CITY]);
	rec_set_opt(run->ctx, r, 4, s[E_REGION], n[E_REGION]);
	rec_set_opt(run->ctx, r, 5, s[E_COUNTRY], n[E_COUNTRY]);
	if (!isnan(lat)) {
		rec_set_real(r, 6, lat);
		rec_set_real(r, 7, lon);
	}
	rec_set_opt(run->ctx, r, 8, s[E_PERSON], n[E_PERSON]);
	rec_set_opt(run->ctx, r, 9, s[E_GIVEN], n[E_GIVEN]);
	rec_set_opt(run->ctx, r, 10, s[E_SURNAME], n[E_SURNAME]);
	rec_set_opt(run->ctx, r, 11, s[E_MATERNAL], n[E_MATERNAL]);
	rec_set_opt(run->ctx, r, 12, dob, strlen(dob));
	if (sex)
		rec_set_text(run->ctx, r, 13, sex, 1);
	rec_set_opt(run->ctx, r, 14, s[E_PHONE], n[E_PHONE]);
	rec_set_opt(run->ctx, r, 15, nat, strlen(nat));
	rec_set_opt(run->ctx, r, 16, lang, strlen(lang));
	if (age >= 0)
		rec_set_int(r, 17, age);
	{
		static const int cols[] = { 18, 19, 21, 22, 23, 24, 25, 26, 27 };

		for (i = 0; i < sizeof answers / sizeof answers[0]; i++)
			if (ans[answers[i]] >= 0)
				rec_set_int(r, cols[i], ans[answers[i]]);
	}
	if (debt >= 0)
		rec_set_real(r, 20, debt);
	rec_set_opt(run->ctx, r, 28, s[E_NOTES], n[E_NOTES]);
	return 0;
}

const struct fmt fmt_encounter = {
	.name = "encounter",
	.kind = &rk_encounter,
	.summary = "agency encounters with screening answers (TVIT topics): encounter_id, date, "
		   "type, person, documents_held_by_other, owes_debt, not_free_to_leave...",
	.input = FMT_CSV,
	.entity_kinds = "",
	.sniff_header = enc_sniff,
	.bind = enc_bind,
	.row = enc_row,
};
