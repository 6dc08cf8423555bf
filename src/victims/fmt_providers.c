/*
 * fmt_providers: the directory of victim-service providers (CSV), the
 * `providers` format of docs/formats.md.
 *
 * A provider is matched by the services it offers, where it is, the
 * languages it works in, the populations it serves and its open capacity —
 * the keys the National Human Trafficking Hotline's referral directory uses
 * (type of service, area, mission and capacity).  Rows the matcher could not
 * use are quarantined with the reason: no coordinates, a service or
 * population that is not in the vocabulary, more open slots than capacity.
 * Service and population names are stored in their canonical spelling.
 */
#include "ingest/format.h"

#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/sbuf.h"
#include "rastro.h"
#include "victims.h"

enum {
	P_ID, P_NAME, P_SERVICES, P_LANGUAGES, P_POPULATIONS, P_ADDRESS, P_CITY, P_REGION, P_POSTCODE,
	P_COUNTRY, P_LAT, P_LON, P_CAPACITY, P_AVAILABLE, P_HOURS, P_PHONE, P_EMAIL, P_WEBSITE, P_N
};

static const struct fmt_colspec prov_cols[P_N] = {
	[P_ID] = { "provider_id", "provider_id|provider|organization_id|org_id", 1 },
	[P_NAME] = { "name", "name|provider_name|organization|organisation", 1 },
	[P_SERVICES] = { "services", "services|service_types|service", 1 },
	[P_LANGUAGES] = { "languages", "languages|language", 0 },
	[P_POPULATIONS] = { "populations", "populations|populations_served|population", 0 },
	[P_ADDRESS] = { "address", "address|street|address_1", 0 },
	[P_CITY] = { "city", "city|town", 0 },
	[P_REGION] = { "region", "region|state|province", 0 },
	[P_POSTCODE] = { "postcode", "postcode|zip|postal_code|cp", 0 },
	[P_COUNTRY] = { "country", "country|country_code", 0 },
	[P_LAT] = { "lat", "lat|latitude", 1 },
	[P_LON] = { "lon", "lon|lng|long|longitude", 1 },
	[P_CAPACITY] = { "capacity", "capacity|beds|slots", 0 },
	[P_AVAILABLE] = { "available", "available|open|open_slots|available_beds", 0 },
	[P_HOURS] = { "hours", "hours|opening_hours", 0 },
	[P_PHONE] = { "phone", "phone|phone_number|telephone", 0 },
	[P_EMAIL] = { "email", "email|e_mail", 0 },
	[P_WEBSITE] = { "website", "website|url|web", 0 },
};

static const char *const prov_kind_cols[] = {
	"ext_id", "name", "services", "services_mask", "languages", "populations", "populations_mask",
	"address", "city", "region", "postcode", "country", "lat", "lon", "capacity", "available",
	"hours", "phone", "email", "website",
};
const struct rec_kind rk_provider = { "provider", "provider", 1,
	sizeof prov_kind_cols / sizeof prov_kind_cols[0], prov_kind_cols };

static int prov_sniff(const struct csv_row *h)
{
	int s = fmt_score_header(h, prov_cols, P_N);

	return s ? s + 20 : 0;
}

static int prov_bind(struct fmt_run *run, const struct csv_row *h, const char *mapping, struct rs_err *err)
{
	return fmt_bind_columns(run, h, prov_cols, P_N, mapping, "input", err);
}

/* A count of beds or slots: empty (unknown) or a non-negative integer. */
static const char *parse_count(const char *s, size_t n, int64_t *out)
{
	*out = -1;
	if (!n)
		return NULL;
	if (parse_i64(s, n, out) || *out < 0 || *out > 1000000)
		return "not a count (a whole number, 0 or more)";
	return NULL;
}

static int prov_row(struct fmt_run *run, const struct csv_row *row, struct fmt_bad *bad)
{
	const char *s[P_N];
	size_t n[P_N];
	char unknown[48], reason[160], names[256];
	struct sbuf langs = SBUF_INIT;
	uint32_t svc, pop;
	double lat, lon;
	int64_t cap, avail;
	uint64_t first;
	const char *why;
	struct rec *r;
	size_t i;

	for (i = 0; i < P_N; i++)
		s[i] = fmt_field(run, row, (int)i, &n[i]);
	if (!n[P_ID])
		return fmt_reject(run, row, prov_cols, P_ID, bad, "missing");
	if (!n[P_NAME])
		return fmt_reject(run, row, prov_cols, P_NAME, bad, "missing");
	if (vic_services_mask(s[P_SERVICES], n[P_SERVICES], &svc, unknown, sizeof unknown)) {
		snprintf(reason, sizeof reason, "unknown service '%s' (docs/formats.md lists the services)", unknown);
		return fmt_reject(run, row, prov_cols, P_SERVICES, bad, reason);
	}
	if (!svc)
		return fmt_reject(run, row, prov_cols, P_SERVICES, bad, "no service listed");
	if (vic_populations_mask(s[P_POPULATIONS], n[P_POPULATIONS], &pop, unknown, sizeof unknown)) {
		snprintf(reason, sizeof reason, "unknown population '%s' (docs/formats.md lists them)", unknown);
		return fmt_reject(run, row, prov_cols, P_POPULATIONS, bad, reason);
	}
	if (!n[P_LAT])
		return fmt_reject(run, row, prov_cols, P_LAT, bad, "missing (distance matching needs coordinates)");
	if (!n[P_LON])
		return fmt_reject(run, row, prov_cols, P_LON, bad, "missing (distance matching needs coordinates)");
	if (parse_double(s[P_LAT], n[P_LAT], &lat) || lat < -90 || lat > 90)
		return fmt_reject(run, row, prov_cols, P_LAT, bad, "not a latitude (-90 to 90)");
	if (parse_double(s[P_LON], n[P_LON], &lon) || lon < -180 || lon > 180)
		return fmt_reject(run, row, prov_cols, P_LON, bad, "not a longitude (-180 to 180)");
	if ((why = parse_count(s[P_CAPACITY], n[P_CAPACITY], &cap)))
		return fmt_reject(run, row, prov_cols, P_CAPACITY, bad, why);
	if ((why = parse_count(s[P_AVAILABLE], n[P_AVAILABLE], &avail)))
		return fmt_reject(run, row, prov_cols, P_AVAILABLE, bad, why);
	if (cap >= 0 && avail > cap)
		return fmt_reject(run, row, prov_cols, P_AVAILABLE, bad, "more open slots than capacity");

	/* Languages: each normalised; more than the matcher keeps is refused
	 * rather than cut, so that no language silently disappears. */
	sbuf_init(&langs);
	{
		const char *p = s[P_LANGUAGES], *end = p + n[P_LANGUAGES];
		int count = 0;

		while (p < end) {
			const char *q = memchr(p, ';', (size_t)(end - p));
			char code[32];

			if (!q)
				q = end;
			{
				const char *w = p;
				size_t wn = (size_t)(q - p);

				while (wn && (*w == ' ' || *w == '\t')) {
					w++;
					wn--;
				}
				if (wn) {
					if (vic_language_norm(w, wn, code, sizeof code)) {
						sbuf_release(&langs);
						return fmt_reject(run, row, prov_cols, P_LANGUAGES, bad,
								  "not a list of language names or codes");
					}
					if (++count > VIC_LANGS_MAX - 1) {
						sbuf_release(&langs);
						return fmt_reject(run, row, prov_cols, P_LANGUAGES, bad,
								  "more than 7 languages (list the most used)");
					}
					sbuf_addf(&langs, "%s%s", langs.len ? ";" : "", code);
				}
			}
			p = q + 1;
		}
	}
	if (sbuf_failed(&langs)) {
		sbuf_release(&langs);
		return -1;
	}
	if (fctx_seen_id(run->ctx, s[P_ID], n[P_ID], row->line, &first)) {
		sbuf_release(&langs);
		snprintf(reason, sizeof reason, "duplicate provider id (first at line %llu)", (unsigned long long)first);
		return fmt_reject(run, row, prov_cols, P_ID, bad, reason);
	}

	r = fctx_rec(run->ctx, &rk_provider, row->line);
	if (!r) {
		sbuf_release(&langs);
		return -1;
	}
	rec_set_text(run->ctx, r, 0, s[P_ID], n[P_ID]);
	rec_set_text(run->ctx, r, 1, s[P_NAME], n[P_NAME]);
	vic_mask_names(svc, vic_services, SVC_N, names, sizeof names);
	rec_set_text(run->ctx, r, 2, names, strlen(names));
	rec_set_int(r, 3, svc);
	rec_set_opt(run->ctx, r, 4, langs.buf, langs.len);
	vic_mask_names(pop, vic_populations, POP_N, names, sizeof names);
	rec_set_opt(run->ctx, r, 5, names, strlen(names));
	rec_set_int(r, 6, pop);
	for (i = P_ADDRESS; i <= P_COUNTRY; i++)
		rec_set_opt(run->ctx, r, (int)(7 + i - P_ADDRESS), s[i], n[i]);
	rec_set_real(r, 12, lat);
	rec_set_real(r, 13, lon);
	if (cap >= 0)
		rec_set_int(r, 14, cap);
	if (avail >= 0)
		rec_set_int(r, 15, avail);
	for (i = P_HOURS; i <= P_WEBSITE; i++)
		rec_set_opt(run->ctx, r, (int)(16 + i - P_HOURS), s[i], n[i]);
	sbuf_release(&langs);
	return 0;
}

const struct fmt fmt_providers = {
	.name = "providers",
	.kind = &rk_provider,
	.summary = "victim-service providers: provider_id, name, services, languages, populations, "
		   "lat, lon, capacity, available, contact",
	.input = FMT_CSV,
	.entity_kinds = "",
	.sniff_header = prov_sniff,
	.bind = prov_bind,
	.row = prov_row,
};
