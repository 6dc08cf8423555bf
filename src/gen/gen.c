/*
 * gen: the generator's settings, the order of its phases and the public
 * rastro_gen_* API.
 *
 * Settings come from data/rastro.toml ([gen] and its sub-tables) and from
 * the user (--config files, --set).  A knob is looked up in this order:
 * the user's gen.KEY, the difficulty preset gen.<difficulty>.KEY (user's,
 * then built-in), the built-in gen.KEY.  So a preset moves many knobs at
 * once and any single knob can still be set by hand.
 */
#include "gen_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/mem.h"
#include "core/parse.h"

const char *const gen_country_code[C_N] = { "US", "MX", "GT", "HN", "SV" };
const char *const gen_currency[C_N] = { "USD", "MXN", "GTQ", "HNL", "USD" };
const char *const gen_channel_name[CH_N] = { "cash", "wire", "ach", "card", "p2p", "check", "crypto",
					     "prepaid" };
const char *const gen_pattern_name[PT_N] = { "fan_in", "fan_out", "cycle", "scatter_gather",
					     "gather_scatter", "bipartite", "stack", "random" };
const char *const gen_pattern_ibm[PT_N] = { "FAN-IN", "FAN-OUT", "CYCLE", "SCATTER-GATHER",
					    "GATHER-SCATTER", "BIPARTITE", "STACK", "RANDOM" };
const char *const gen_role_name[R_N] = {
	"none", "organiser", "controller", "money_mover", "funnel", "recruiter", "poster",
	"transporter", "driver", "stash_house", "facilitator", "buyer", "customer", "victim",
};
const char *const gen_agency_code[AG_N] = { "hsi", "cbp", "txdps", "elpasopd" };

uint64_t gen_stream_id(uint32_t kind, uint64_t entity, uint32_t day)
{
	return ((uint64_t)kind << 52) ^ (entity << 20) ^ day;
}

int gen_fail(gen_t *g, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(&g->err, code, fmt, ap);
	va_end(ap);
	return code;
}

void gen_progress(gen_t *g, const char *stage, uint64_t done, uint64_t total)
{
	if (g->progress)
		g->progress(g->progress_user, stage, done, total);
}

/* ---- settings ----------------------------------------------------------- */

/* Every key the generator reads, so that a misspelt --set is an error
 * instead of a silently ignored wish.  't' = text, 'n' = number, 'b' = bool. */
static const struct {
	const char *key;
	char type;
} known_keys[] = {
	{ "seed", 'n' }, { "scale", 'n' }, { "people", 'n' }, { "days", 'n' }, { "start", 't' },
	{ "difficulty", 't' }, { "labels", 'b' }, { "threads", 'n' }, { "ctr_threshold", 'n' },
	{ "ibm_mode", 'b' }, { "fx.mxn", 'n' }, { "fx.gtq", 'n' }, { "fx.hnl", 'n' },
	{ "networks.smuggling", 'n' }, { "networks.sex_trafficking", 'n' },
	{ "networks.labor_trafficking", 'n' }, { "networks.laundering", 'n' }, { "networks.min", 'n' },
	{ "count.smuggling", 'n' }, { "count.sex_trafficking", 'n' }, { "count.labor_trafficking", 'n' },
	{ "count.laundering", 'n' },
	{ "lookalike_share", 'n' }, { "name_noise", 'n' }, { "missing_share", 'n' },
	{ "obfuscation_share", 'n' }, { "kyc_link_share", 'n' }, { "stealth", 'n' },
	{ "ad_variation", 'n' }, { "benign_ads_ratio", 'n' },
	{ "population.unbanked_share", 'n' }, { "population.remit_share", 'n' },
	{ "population.traveller_share", 'n' }, { "population.night_share", 'n' },
	{ "population.isw_share", 'n' },
	{ "records.record_share", 'n' }, { "records.dup_share", 'n' },
	{ "ibm.illicit_rate", 'n' }, { "ibm.lone_share", 'n' }, { "ibm.accounts", 'n' },
	{ "ibm.txn_per_account_day", 'n' },
};

static const char *const difficulties[] = { "easy", "default", "hard" };

static int key_known(const char *k, char *type)
{
	size_t i, d;

	for (i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++) {
		if (strcmp(k, known_keys[i].key) == 0) {
			*type = known_keys[i].type;
			return 1;
		}
		/* gen.<difficulty>.KEY */
		for (d = 0; d < 3; d++) {
			size_t n = strlen(difficulties[d]);

			if (strncmp(k, difficulties[d], n) == 0 && k[n] == '.' &&
			    strcmp(k + n + 1, known_keys[i].key) == 0) {
				*type = known_keys[i].type;
				return 1;
			}
		}
	}
	return 0;
}

/* Checks the user's gen.* settings: known keys, values of the right type. */
static int check_user_keys(gen_t *g)
{
	const char *k;
	size_t i;

	for (i = 0; (k = cfg_key(g->user, i)); i++) {
		char type;
		const char *raw;

		if (strncmp(k, "gen.", 4) != 0)
			continue;
		if (!key_known(k + 4, &type))
			return gen_fail(g, RASTRO_USAGE, "unknown generator setting '%s' (docs/generator.md lists them)", k);
		raw = cfg_raw(g->user, k);
		if (type == 'n') {
			double v;
			const char *s = raw;
			size_t n = strlen(s);

			if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
				s++;
				n -= 2;
			}
			if (parse_double(s, n, &v))
				return gen_fail(g, RASTRO_USAGE, "setting '%s' must be a number, not %s", k, raw);
		}
	}
	return 0;
}

static const char *difficulty(gen_t *g)
{
	if (cfg_has(g->user, "gen.difficulty"))
		return cfg_str(g->user, "gen.difficulty", "default");
	return cfg_str(g->base, "gen.difficulty", "default");
}

/* Finds the first layer holding KEY; returns it and the full key in buf. */
static const struct cfg *knob_layer(gen_t *g, const char *key, char *buf, size_t n)
{
	const char *d = difficulty(g);

	snprintf(buf, n, "gen.%s", key);
	if (cfg_has(g->user, buf))
		return g->user;
	snprintf(buf, n, "gen.%s.%s", d, key);
	if (cfg_has(g->user, buf))
		return g->user;
	if (cfg_has(g->base, buf))
		return g->base;
	snprintf(buf, n, "gen.%s", key);
	if (cfg_has(g->base, buf))
		return g->base;
	return NULL;
}

double gen_knob(gen_t *g, const char *key, double def)
{
	char k[160];
	const struct cfg *c = knob_layer(g, key, k, sizeof k);

	if (!c)
		return def;
	if (strcmp(cfg_raw(c, k), "true") == 0)
		return 1;
	if (strcmp(cfg_raw(c, k), "false") == 0)
		return 0;
	return cfg_double(c, k, def);
}

const char *gen_knob_str(gen_t *g, const char *key, const char *def)
{
	char k[160];
	const struct cfg *c = knob_layer(g, key, k, sizeof k);

	return c ? cfg_str(c, k, def) : def;
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static int resolve_knobs(gen_t *g)
{
	struct gen_knobs *k = &g->k;
	static const char *const kinds[NK_N] = { "smuggling", "sex_trafficking", "labor_trafficking",
						 "laundering" };
	const char *start, *d = difficulty(g);
	int64_t ts;
	double v;
	size_t i;
	int ok = 0;

	memset(k, 0, sizeof *k);
	if (check_user_keys(g))
		return g->err.code;
	for (i = 0; i < 3; i++)
		ok |= strcmp(d, difficulties[i]) == 0;
	if (!ok)
		return gen_fail(g, RASTRO_USAGE, "unknown difficulty '%s' (easy, default or hard)", d);
	k->difficulty = d;
	v = gen_knob(g, "seed", 1);
	if (v < 0 || v > 9007199254740992.0 || v != (double)(uint64_t)v)
		return gen_fail(g, RASTRO_USAGE, "the seed must be a whole number from 0 to 2^53");
	k->seed = (uint64_t)v;
	k->scale = gen_knob(g, "scale", 1);
	if (!(k->scale > 0 && k->scale <= 100000))
		return gen_fail(g, RASTRO_USAGE, "the scale must be above 0 and at most 100000");
	k->people_per_scale = gen_knob(g, "people", 1000);
	if (k->people_per_scale < 1)
		return gen_fail(g, RASTRO_USAGE, "gen.people must be at least 1");
	v = gen_knob(g, "days", 90);
	if (!(v >= 1 && v <= 3660))
		return gen_fail(g, RASTRO_USAGE, "the number of days must be from 1 to 3660");
	k->days = (int)v;
	start = gen_knob_str(g, "start", "2024-01-01");
	if (parse_timestamp(start, strlen(start), &ts))
		return gen_fail(g, RASTRO_USAGE, "the start date '%s' is not a date (YYYY-MM-DD)", start);
	k->start_day = ts / 86400;
	k->labels = gen_knob(g, "labels", 1) != 0;
	v = gen_knob(g, "threads", 2);
	k->threads = v < 1 ? 1 : v > 64 ? 64 : (int)v;
	k->ctr_threshold = gen_knob(g, "ctr_threshold", 10000);
	k->ibm = gen_knob(g, "ibm_mode", 0) != 0;
	k->fx[C_US] = k->fx[C_SV] = 1;   /* El Salvador uses the U.S. dollar */
	k->fx[C_MX] = gen_knob(g, "fx.mxn", 17.0);
	k->fx[C_GT] = gen_knob(g, "fx.gtq", 7.8);
	k->fx[C_HN] = gen_knob(g, "fx.hnl", 24.7);
	for (i = 0; i < C_N; i++)
		if (!(k->fx[i] > 0))
			return gen_fail(g, RASTRO_USAGE, "exchange rates (gen.fx.*) must be positive");
	for (i = 0; i < NK_N; i++) {
		char key[64];

		snprintf(key, sizeof key, "networks.%s", kinds[i]);
		k->net_rate[i] = gen_knob(g, key, 3);
		snprintf(key, sizeof key, "count.%s", kinds[i]);
		v = gen_knob(g, key, -1);
		k->net_count[i] = v < 0 ? -1 : v > 100000 ? 100000 : (int)v;
	}
	k->net_min = (int)gen_knob(g, "networks.min", 1);
	k->lookalike_share = clamp01(gen_knob(g, "lookalike_share", 0.15));
	k->name_noise = clamp01(gen_knob(g, "name_noise", 0.3));
	k->missing_share = clamp01(gen_knob(g, "missing_share", 0.15));
	k->obfuscation_share = clamp01(gen_knob(g, "obfuscation_share", 0.5));
	k->kyc_link_share = clamp01(gen_knob(g, "kyc_link_share", 0.7));
	k->stealth = clamp01(gen_knob(g, "stealth", 0.3));
	k->ad_variation = clamp01(gen_knob(g, "ad_variation", 0.3));
	k->benign_ads_ratio = gen_knob(g, "benign_ads_ratio", 3);
	if (k->benign_ads_ratio < 0)
		k->benign_ads_ratio = 0;
	k->record_share = clamp01(gen_knob(g, "records.record_share", 0.04));
	k->dup_share = clamp01(gen_knob(g, "records.dup_share", 0.05));
	k->unbanked_share = clamp01(gen_knob(g, "population.unbanked_share", 0.06));
	k->remit_share = clamp01(gen_knob(g, "population.remit_share", 0.35));
	k->traveller_share = clamp01(gen_knob(g, "population.traveller_share", 0.03));
	k->night_share = clamp01(gen_knob(g, "population.night_share", 0.08));
	k->isw_share = clamp01(gen_knob(g, "population.isw_share", 0.005));
	k->ibm_illicit_rate = clamp01(gen_knob(g, "ibm.illicit_rate", 0.00102));
	k->ibm_lone_share = clamp01(gen_knob(g, "ibm.lone_share", 0.38));
	k->ibm_accounts_per_scale = gen_knob(g, "ibm.accounts", 5000);
	k->ibm_txn_per_account_day = gen_knob(g, "ibm.txn_per_account_day", 1.0);
	if (k->ibm_accounts_per_scale < 10 || k->ibm_txn_per_account_day <= 0)
		return gen_fail(g, RASTRO_USAGE, "gen.ibm.accounts must be >= 10 and gen.ibm.txn_per_account_day > 0");
	return 0;
}

/* ---- public API --------------------------------------------------------- */

int rastro_gen_new(rastro_gen **out)
{
	gen_t *g = mem_calloc(1, sizeof *g);
	struct sbuf p = SBUF_INIT;
	int rc = 0;

	*out = g;
	if (!g)
		return RASTRO_NOMEM;
	g->base = cfg_new();
	g->user = cfg_new();
	if (!g->base || !g->user)
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	sbuf_addf(&p, "%s/rastro.toml", rastro_datadir());
	if (sbuf_failed(&p))
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	else if (cfg_load_file(g->base, p.buf, &g->err))
		rc = g->err.code;
	sbuf_release(&p);
	return rc;
}

void rastro_gen_free(rastro_gen *g)
{
	if (!g)
		return;
	cfg_free(g->base);
	cfg_free(g->user);
	mem_free(g);
}

const char *rastro_gen_errmsg(const rastro_gen *g)
{
	return g ? g->err.msg : "out of memory";
}

int rastro_gen_config_load(rastro_gen *g, const char *path)
{
	err_clear(&g->err);
	return cfg_load_file(g->user, path, &g->err);
}

int rastro_gen_set(rastro_gen *g, const char *assignment)
{
	err_clear(&g->err);
	return cfg_set(g->user, assignment, &g->err);
}

void rastro_gen_set_progress(rastro_gen *g, rastro_progress_fn fn, void *user)
{
	g->progress = fn;
	g->progress_user = user;
}

static int make_dir(gen_t *g, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return gen_fail(g, RASTRO_IO, "'%s' exists and is not a directory", dir);
		return 0;
	}
	if (mkdir(dir, 0777) != 0)
		return gen_fail(g, errno == EACCES || errno == EROFS ? RASTRO_READONLY : RASTRO_IO,
				"cannot create directory '%s': %s", dir, strerror(errno));
	return 0;
}

static void world_release(gen_t *g)
{
	size_t i;

	for (i = 0; i < g->nets.len; i++) {
		struct gen_net *n = vec_at(&g->nets, i);

		vec_release(&n->members);
		vec_release(&n->txns);
		vec_release(&n->ads);
		vec_release(&n->families);
	}
	vec_release(&g->persons);
	vec_release(&g->bizs);
	vec_release(&g->accounts);
	vec_release(&g->merchants);
	vec_release(&g->nets);
	vec_release(&g->netev);
	vec_release(&g->recs);
	vec_release(&g->encs);
	vec_release(&g->families);
	vec_release(&g->ads);
	mem_free(g->place_people);
	mem_free(g->place_people_at);
	g->place_people = g->place_people_at = NULL;
	gen_data_release(g);
	arena_release(&g->arena);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int rastro_gen_run(rastro_gen *g, const char *dir, struct rastro_gen_stats *stats)
{
	struct rastro_gen_stats local;
	double t0 = now_seconds();
	int rc;

	err_clear(&g->err);
	memset(&local, 0, sizeof local);
	g->stats = &local;
	g->outdir = dir;
	vec_init(&g->persons, sizeof(struct gen_person));
	vec_init(&g->bizs, sizeof(struct gen_biz));
	vec_init(&g->accounts, sizeof(struct gen_account));
	vec_init(&g->merchants, sizeof(struct gen_merchant));
	vec_init(&g->nets, sizeof(struct gen_net));
	vec_init(&g->netev, sizeof(struct gen_ev));
	vec_init(&g->recs, sizeof(struct gen_rec));
	vec_init(&g->encs, sizeof(struct gen_enc));
	vec_init(&g->families, sizeof(struct gen_family));
	vec_init(&g->ads, sizeof(struct gen_ad));
	arena_init(&g->arena, 1 << 20);

	rc = resolve_knobs(g);
	if (!rc)
		rc = make_dir(g, dir);
	if (!rc && g->k.ibm) {
		rc = gen_ibm_run(g);
	} else if (!rc) {
		rc = gen_data_load(g);
		if (!rc)
			rc = gen_world_build(g);
		if (!rc)
			rc = gen_net_build(g);
		if (!rc)
			rc = gen_lookalikes(g);
		if (!rc)
			rc = gen_records_build(g);
		if (!rc)
			rc = gen_ads_build(g);
		if (!rc)
			rc = gen_write_accounts(g);
		if (!rc)
			rc = gen_write_records(g);
		if (!rc)
			rc = gen_write_encounters(g);
		if (!rc)
			rc = gen_write_ads(g);
		if (!rc)
			rc = gen_write_providers(g);
		if (!rc)
			rc = gen_txn_run(g);
		if (!rc)
			rc = gen_write_truth(g);
	}
	local.seconds = now_seconds() - t0;
	if (!rc && !g->k.ibm) {
		local.persons = g->persons.len;
		local.businesses = g->bizs.len;
		local.accounts = local.accounts ? local.accounts : g->accounts.len;
		local.networks = g->nets.len;
		local.person_records = g->recs.len;
		local.encounters = g->encs.len;
		local.ads = g->ads.len;
	}
	world_release(g);
	if (stats)
		*stats = local;
	g->stats = NULL;
	return rc;
}
