/*
 * ads: online ads and posts — the module's internal interface.
 *
 * Flow: the `ads` and `ads-csv` formats (fmt_ads.c) load each ad as a
 * record of the `ad` table, with the ad, the phones, emails, handles and
 * image hashes the site gives in structured form as entities joined by
 * `lists` edges.  `rastro ads` (stage.c) then reads the ads back and, per
 * ad, extracts identifiers from the free text (extract.c, phone_words.c),
 * scans the indicator lexicons (text/lexicon.h), and builds a clustering
 * document with the identifiers taken out; then it groups ads by template
 * (cluster.c: MinHash + LSH, then a minimum-description-length template
 * step), links clusters through shared identifiers, and writes cluster
 * signals (signals.c).
 */
#ifndef RASTRO_ADS_H
#define RASTRO_ADS_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/format.h"
#include "store/ws.h"

struct schema_component;
extern const struct schema_component ads_component;

/* Builds the indexes of one of the ads component's tables (those missing). */
int ads_index_table(rastro_ws *ws, const char *table);

/* The ad record kind (table `ad`), filled by fmt_ads and fmt_ads_csv. */
extern const struct rec_kind rk_ad;

/* ISO 3166 alpha-2 region for phones written without a country code, from
 * an ad's country field ("MX", "Mexico", "México", "US"...); `def` when
 * the field is empty or unknown. */
const char *ads_region_of(const char *country, size_t n, const char *def);

/* Handle entity key "platform:name" (lower case) of a handle as given
 * ("instagram:Rosa_x", "@rosa_x", "rosa_x"); `site` names the platform of
 * a bare handle.  Returns the key length, 0 when it is not a handle. */
size_t ads_handle_key(const char *s, size_t n, const char *site, size_t sitelen, char *out, size_t outn);

#endif
