/*
 * net_run: one run of the network stage — graph, partition, roles, score,
 * stable keys, then the workspace tables and the graph cache.
 *
 * Network score: a sum of named parts (docs/network.md "Score"), each with
 * a sentence saying what it counted:
 *   finance   signals of the finance stage on suspect members; graph
 *             shapes alone (fan-in, stack, bipartite...) count as one code;
 *             a code that only one subject carries counts at a fraction
 *   ads       signals of the ads stage on suspect members
 *   records   suspect members that agency records name as a target,
 *             subject, arrested person or associate, and whom the network's
 *             own evidence names too (or any, beside victims or ads signals)
 *   victims   potential victims in the network (a reason to act first)
 *   diversity independent kinds of evidence (finance, ads, records,
 *             victims, shared identifiers) beyond the first
 *   size      suspect members, with diminishing returns
 *   recency   halves every network.score.half_life_days before the
 *             latest time in the data
 *   agency_target  agencies that already hold a member as a target (the
 *             same members as records)
 *
 * Stable keys: a network keeps the key of the previous run's network it
 * overlaps most when their Jaccard similarity is at least
 * network.key_jaccard (bigger networks choose first).  A new network's key
 * comes from its three anchor members — the most stable kinds first
 * (accounts, businesses, phones, emails, handles, addresses...; people last
 * since re-resolution may change their keys), then by the hash of
 * kind:key — so it does not depend on entity ids or run order.
 */
#include "net_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/u64map.h"
#include "network/network.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of the whole process: the phases' own work, whatever the load
 * of a shared machine does to wall-clock time. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct score_params {
	double w_finance, w_ads, w_records, w_victims, w_diversity, w_size, w_recency, w_target;
	double half_life_days, size_cap, key_jaccard;
	int shapes_as_one;         /* finance evidence of graph shapes only counts as one code */
	int records_suspicion;     /* records count only suspicion statuses */
	int records_evidence;      /* records and targets count only members the evidence names */
	double single_subject;     /* weight of a finance code only one subject carries */
	struct strmap shape_codes; /* network.enterprise.shape_signals */
	uint8_t *code_shape;       /* per signal code id (0..ncodes): 1 = a graph shape */
	size_t ncodes;
};

/* Reads network.score.*; -1 when out of memory.  The per-code table is
 * made by score_params_codes once the signal codes are loaded. */
static int score_params_read(const struct cfg *c, struct score_params *p)
{
	memset(p, 0, sizeof *p);
	p->w_finance = cfg_double(c, "network.score.finance", 2.0);
	p->w_ads = cfg_double(c, "network.score.ads", 2.0);
	p->w_records = cfg_double(c, "network.score.records", 1.0);
	p->w_victims = cfg_double(c, "network.score.victims", 1.5);
	p->w_diversity = cfg_double(c, "network.score.diversity", 1.5);
	p->w_size = cfg_double(c, "network.score.size", 0.5);
	p->size_cap = cfg_double(c, "network.score.size_cap", 50);
	p->w_recency = cfg_double(c, "network.score.recency", 1.0);
	p->half_life_days = cfg_double(c, "network.score.half_life_days", 90);
	p->w_target = cfg_double(c, "network.score.agency_target", 2.0);
	p->key_jaccard = cfg_double(c, "network.key_jaccard", 0.5);
	p->shapes_as_one = cfg_bool(c, "network.score.shapes_as_one", 1);
	p->records_suspicion = cfg_bool(c, "network.score.records_suspicion_only", 1);
	p->records_evidence = cfg_bool(c, "network.score.records_need_evidence", 1);
	p->single_subject = cfg_double(c, "network.score.single_subject", 0.5);
	return net_load_set(c, "network.enterprise.shape_signals", net_shape_signals_default, &p->shape_codes);
}

/* Marks the graph-shape codes among the workspace's signal codes. */
static int score_params_codes(struct score_params *p, const struct net_attr *a)
{
	size_t i;

	p->ncodes = strmap_count(&a->codes);
	p->code_shape = mem_calloc(p->ncodes + 1, 1);
	if (!p->code_shape)
		return -1;
	for (i = 1; i <= p->ncodes; i++) {
		size_t len;
		const char *name = strmap_key(&a->codes, (uint32_t)i, &len);

		p->code_shape[i] = strmap_find(&p->shape_codes, name, len) != 0;
	}
	return 0;
}

static void score_params_release(struct score_params *p)
{
	strmap_release(&p->shape_codes);
	mem_free(p->code_shape);
	p->code_shape = NULL;
}

static int is_shape_code(const struct score_params *p, uint32_t code)
{
	return p->shapes_as_one && code <= p->ncodes && p->code_shape[code];
}

/* One network being written. */
struct netw {
	uint32_t group;
	double score;
	uint32_t suspects, victims;
	int64_t t0, t1;
	char key[32];
	char kind[32];
	char *parts;        /* JSON, owned */
	char *summary;      /* owned */
	int64_t rank;       /* 0 = unranked */
	int ad_evidence;    /* signals on its ads or ad clusters: ranked even before a poster is known */
	int64_t id;
	uint64_t anchor[3]; /* (class << 56 | hash) of the three anchor members */
	int kept;
};

static int stability_class(const char *kind)
{
	static const char *const order[] = { "account", "org", "phone", "email", "handle", "address", "image", "ad" };
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (strcmp(kind, order[i]) == 0)
			return (int)i;
	return strcmp(kind, "person") == 0 ? 9 : 8;
}

struct part {
	const char *name;
	double points;
	struct sbuf detail;
};

static void part_add(struct sbuf *js, int *first, const char *name, double points, const char *detail)
{
	sbuf_adds(js, *first ? "[" : ",");
	*first = 0;
	sbuf_addf(js, "{\"part\":\"%s\",\"points\":%.4f,\"detail\":\"", name, points);
	sbuf_add_json_escaped(js, detail, strlen(detail));
	sbuf_adds(js, "\"}");
}

struct code_max {
	uint32_t code;
	double max;
	uint32_t subj;   /* the first subject (member index) seen with the code */
	int spread;      /* a second subject carries it too */
};

static int cmp_code_max(const void *x, const void *y)
{
	const struct code_max *a = x, *b = y;

	if (a->max != b->max)
		return a->max > b->max ? -1 : 1;
	return a->code < b->code ? -1 : a->code > b->code;
}

/* Index of node u among the sorted members mem[0..k), or k. */
static uint32_t member_index(const uint32_t *mem, uint32_t k, uint32_t u)
{
	uint32_t lo = 0, hi = k;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (mem[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < k && mem[lo] == u ? lo : k;
}

/* Adds agency ag to the list a[0..*n) of at most 8. */
static void agency_add(int64_t *list, size_t *n, int64_t ag)
{
	size_t j;

	for (j = 0; j < *n && list[j] != ag; j++)
		;
	if (j == *n && *n < 8)
		list[(*n)++] = ag;
}

/* Appends the agencies' codes, comma-separated, to d. */
static void agency_names(struct sbuf *d, const int64_t *list, size_t n, struct u64map *agency_code_of,
			 struct strmap *agency_codes)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t cid;
		size_t len;

		sbuf_addf(d, "%s%s", i ? ", " : "",
			  u64map_get(agency_code_of, (uint64_t)list[i], &cid) ? strmap_key(agency_codes, (uint32_t)cid, &len) : "?");
	}
}

/* Score, kind and summary of one network from its members' roles.  subj
 * and ev are scratch arrays of k entries: each member's subject (a held
 * account is its holder's) and whether a signal names that subject. */
static int score_network(const struct net_graph *g, const struct net_attr *a, const struct score_params *sp,
			 const uint32_t *mem, uint32_t k, const uint8_t *role, const uint8_t *held, struct u64map *agency_code_of,
			 struct strmap *agency_codes, uint32_t *subj, uint8_t *ev, struct netw *w)
{
	struct sbuf js = SBUF_INIT, d = SBUF_INIT, sum = SBUF_INIT;
	struct code_max cm_fin[64], cm_ads[64];
	size_t nfin = 0, nads = 0, i;
	uint32_t nroles[NR_N] = { 0 }, rec_members = 0, rec_off = 0, ids_shared = 0, nads_nodes = 0, nsingle = 0;
	int64_t agencies[8], agencies_off[8];
	size_t nag = 0, nag_off = 0;
	double typ_ht = 0, typ_hs = 0, typ_ml = 0, sfin = 0, sads = 0, pts;
	int first = 1, kinds = 0, nshape = 0, all_records;
	char t0[16], t1[16];

	sbuf_init(&js);
	sbuf_init(&d);
	sbuf_init(&sum);
	w->t0 = w->t1 = NET_NOTIME;
	w->suspects = w->victims = 0;
	/* subjects, as the role rules count them: an account held by a member
	 * person is that person */
	for (i = 0; i < k; i++) {
		uint32_t v = mem[i];
		uint64_t x;

		subj[i] = (uint32_t)i;
		ev[i] = 0;
		if (!held[i] || a->t_holds < 0)
			continue;
		for (x = g->off[v]; x < g->off[v + 1]; x++) {
			uint32_t e = g->adje[x], j;

			if ((int)g->etype[e] == a->t_holds && g->edst[e] == v &&
			    (j = member_index(mem, k, g->adj[x])) < k && !held[j]) {
				subj[i] = j;
				break;
			}
		}
	}
	for (i = 0; i < k; i++) {
		uint32_t v = mem[i];
		uint64_t x;

		if (!held[i])
			nroles[role[i]]++;
		if (g->st && g->st[v].t0 != NET_NOTIME) {
			if (w->t0 == NET_NOTIME || g->st[v].t0 < w->t0)
				w->t0 = g->st[v].t0;
			if (w->t1 == NET_NOTIME || g->st[v].t1 > w->t1)
				w->t1 = g->st[v].t1;
		}
		if (role[i] == NR_VICTIM) {
			w->victims += !held[i];
			continue;
		}
		if (role[i] == NR_AD)
			nads_nodes++;   /* its signals (the ads stage's cluster signals) count below */
		if (role[i] == NR_IDENTIFIER) {
			/* shared by two or more members: independent identity evidence */
			uint32_t users = 0;
			uint64_t y;

			for (y = g->off[v]; y < g->off[v + 1] && users < 2; y++) {
				uint32_t j = member_index(mem, k, g->adj[y]);

				users += j < k && net_role_suspect(role[j]);
			}
			ids_shared += users >= 2;
			continue;
		}
		if (!net_role_suspect(role[i]) && role[i] != NR_AD)
			continue;
		if (role[i] != NR_AD)
			w->suspects += !held[i];
		if (a->sig_off[v] < a->sig_off[v + 1])
			ev[subj[i]] = 1;
		for (x = a->sig_off[v]; x < a->sig_off[v + 1]; x++) {
			const struct net_sig *s = (const struct net_sig *)a->sigs.data + x;
			struct code_max *arr = a->code_ads && a->code_ads[s->code] ? cm_ads : cm_fin;
			size_t *na = arr == cm_ads ? &nads : &nfin, j;
			double sc = s->score > 1 ? 1 : s->score < 0 ? 0 : s->score;
			size_t len;
			uint32_t ty;

			for (j = 0; j < *na && arr[j].code != s->code; j++)
				;
			if (j == *na && *na < 64) {
				arr[j].code = s->code;
				arr[j].max = sc;
				arr[j].subj = subj[i];
				arr[j].spread = 0;
				(*na)++;
			} else if (j < *na) {
				if (sc > arr[j].max)
					arr[j].max = sc;
				if (arr[j].subj != subj[i])
					arr[j].spread = 1;
			}
			/* typology tally */
			ty = a->code_typ ? a->code_typ[s->code] : 0;
			if (ty) {
				const char *tn = strmap_key(&a->typologies, ty, &len);

				if (strstr(tn, "trafficking"))
					typ_ht += strstr(tn, "smuggling") ? 0.5 : 1;
				if (strstr(tn, "smuggling"))
					typ_hs += strstr(tn, "trafficking") ? 0.5 : 1;
				if (!strstr(tn, "trafficking") && !strstr(tn, "smuggling"))
					typ_ml += 1;
			} else if (a->code_ads && a->code_ads[s->code]) {
				typ_ht += 0.5;
			}
		}
	}
	/* Agency records.  An agency's record corroborates the network when
	 * the network's own evidence names the person too (a signal on them or
	 * on an account they hold): an ordinary person with an old arrest who
	 * shares a cell with someone else's flagged account is no evidence of a
	 * scheme.  Where the network holds potential victims or flagged ads,
	 * the evidence sits on the victims and the ads, not on the controller,
	 * so there every member's record counts. */
	all_records = !sp->records_evidence || w->victims || nads;
	for (i = 0; i < k; i++) {
		uint32_t v = mem[i];
		uint64_t x;
		int counted = 0, named = all_records || ev[subj[i]];

		if (!net_role_suspect(role[i]) || a->rec_off[v] == a->rec_off[v + 1])
			continue;
		/* a witness, victim or "other" record ties the person to a case
		 * but says nothing against them */
		for (x = a->rec_off[v]; x < a->rec_off[v + 1] && !counted; x++)
			counted = !sp->records_suspicion || ((const struct net_rec *)a->recs.data)[x].suspicion;
		if (named)
			rec_members += counted;
		else
			rec_off += counted;
		for (x = a->rec_off[v]; x < a->rec_off[v + 1]; x++) {
			const struct net_rec *r = (const struct net_rec *)a->recs.data + x;

			if (r->target)
				agency_add(named ? agencies : agencies_off, named ? &nag : &nag_off, r->agency);
		}
	}
	/* finance */
	qsort(cm_fin, nfin, sizeof cm_fin[0], cmp_code_max);
	qsort(cm_ads, nads, sizeof cm_ads[0], cmp_code_max);
	/* One motif names all the accounts in it and everyday money forms them
	 * too: when who paid whom is all the finance evidence there is, its
	 * shapes are one finding, not one per code.  Beside a typology signal
	 * (a payroll funnel, a trip payout) they corroborate it and count in
	 * full.  The codes are sorted strongest first: the first is kept. */
	for (i = 0; i < nfin; i++)
		nshape += is_shape_code(sp, cm_fin[i].code);
	/* A code that one subject alone carries is one account's behaviour; a
	 * code two or more subjects carry is the scheme seen at several
	 * members.  The first counts at network.score.single_subject, and the
	 * sum is never less than the strongest code: a network is not scored
	 * below its best finding. */
	for (i = 0; i < nfin; i++)
		if (i == 0 || (size_t)nshape < nfin) {
			int single = !cm_fin[i].spread && sp->single_subject < 1;

			sfin += cm_fin[i].max * (single ? sp->single_subject : 1);
			nsingle += single;
		}
	if (nfin && sfin < cm_fin[0].max)
		sfin = cm_fin[0].max;
	for (i = 0; i < nads; i++)
		sads += cm_ads[i].max;
	w->score = 0;
	w->ad_evidence = nads > 0;
	if (nfin) {
		pts = sp->w_finance * log2(1 + sfin);
		sbuf_clear(&d);
		sbuf_addf(&d, "%zu finance signal codes on suspect members (", nfin);
		for (i = 0; i < nfin; i++) {
			size_t len;

			sbuf_addf(&d, "%s%s %.2f%s", i ? ", " : "", strmap_key(&a->codes, cm_fin[i].code, &len), cm_fin[i].max,
				  !cm_fin[i].spread && sp->single_subject < 1 ? " (one subject)" : "");
		}
		sbuf_adds(&d, ")");
		if (nfin > 1 && (size_t)nshape == nfin)
			sbuf_adds(&d, "; graph shapes only, counted as one (the strongest)");
		else if (nsingle)
			sbuf_addf(&d, "; a code on one subject only counts %.2f of its score, the sum at least the strongest",
				  sp->single_subject);
		sbuf_addf(&d, ": %.2f x log2(1 + %.2f)", sp->w_finance, sfin);
		part_add(&js, &first, "finance", pts, d.buf);
		w->score += pts;
		kinds++;
	}
	if (nads || nads_nodes) {
		pts = nads ? sp->w_ads * log2(1 + sads) : 0;
		sbuf_clear(&d);
		if (nads) {
			sbuf_addf(&d, "%zu ads signal codes (", nads);
			for (i = 0; i < nads; i++) {
				size_t len;

				sbuf_addf(&d, "%s%s %.2f", i ? ", " : "", strmap_key(&a->codes, cm_ads[i].code, &len), cm_ads[i].max);
			}
			sbuf_addf(&d, "): %.2f x log2(1 + %.2f)", sp->w_ads, sads);
		} else {
			sbuf_addf(&d, "%u ads in the network, no ads signal", nads_nodes);
		}
		part_add(&js, &first, "ads", pts, d.buf);
		w->score += pts;
		kinds++;
	}
	if (rec_members || rec_off) {
		pts = rec_members ? sp->w_records * log2(1 + rec_members) : 0;
		sbuf_clear(&d);
		sbuf_addf(&d, "%u suspect members %s", rec_members,
			  sp->records_suspicion ? "named in agency records as target, subject, arrested or associate"
						: "in agency records");
		if (rec_off)
			sbuf_addf(&d, " (not counted: %u more whom no signal in the network names)", rec_off);
		sbuf_addf(&d, ": %.2f x log2(1 + %u)", sp->w_records, rec_members);
		part_add(&js, &first, "records", pts, d.buf);
		w->score += pts;
		kinds += rec_members > 0;
	}
	if (w->victims) {
		pts = sp->w_victims * log2(1 + w->victims);
		sbuf_clear(&d);
		sbuf_addf(&d, "%u potential victims (people; never scored as suspects): %.2f x log2(1 + %u)", w->victims,
			  sp->w_victims, w->victims);
		part_add(&js, &first, "victims", pts, d.buf);
		w->score += pts;
		kinds++;
	}
	if (ids_shared)
		kinds++;
	if (kinds >= 2) {
		pts = sp->w_diversity * (kinds - 1);
		sbuf_clear(&d);
		sbuf_addf(&d, "%d independent kinds of evidence (finance %s, ads %s, records %s, victims %s, shared identifiers %s):"
			      " %.2f x %d", kinds, nfin ? "yes" : "no", nads || nads_nodes ? "yes" : "no",
			  rec_members ? "yes" : "no", w->victims ? "yes" : "no", ids_shared ? "yes" : "no", sp->w_diversity,
			  kinds - 1);
		part_add(&js, &first, "diversity", pts, d.buf);
		w->score += pts;
	}
	if (w->suspects) {
		double s = w->suspects > sp->size_cap ? sp->size_cap : w->suspects;

		pts = sp->w_size * log2(1 + s);
		sbuf_clear(&d);
		sbuf_addf(&d, "%u suspect members: %.2f x log2(1 + %.0f)", w->suspects, sp->w_size, s);
		part_add(&js, &first, "size", pts, d.buf);
		w->score += pts;
	}
	if (w->t1 != NET_NOTIME && g->max_ts != NET_NOTIME && sp->half_life_days > 0) {
		double age = (double)(g->max_ts - w->t1) / 86400.0;

		if (age < 0)
			age = 0;
		pts = sp->w_recency * pow(0.5, age / sp->half_life_days);
		sbuf_clear(&d);
		format_date(w->t1, t1);
		sbuf_addf(&d, "last activity %s, %.0f days before the latest data: %.2f x 0.5^(%.0f/%.0f)", t1, age,
			  sp->w_recency, age, sp->half_life_days);
		part_add(&js, &first, "recency", pts, d.buf);
		w->score += pts;
	}
	if (nag || nag_off) {
		/* shown even when not counted: deconfliction needs it either way */
		pts = sp->w_target * (double)(nag > 3 ? 3 : nag);
		sbuf_clear(&d);
		if (nag) {
			sbuf_adds(&d, "held as a target or subject by ");
			agency_names(&d, agencies, nag, agency_code_of, agency_codes);
		}
		if (nag_off) {
			size_t j, m = 0;

			/* an agency already counted is not named again */
			for (i = 0; i < nag_off; i++) {
				for (j = 0; j < nag && agencies[j] != agencies_off[i]; j++)
					;
				if (j == nag)
					agencies_off[m++] = agencies_off[i];
			}
			nag_off = m;
		}
		if (nag_off) {
			sbuf_addf(&d, "%sa member whom no signal in the network names is held by ", nag ? "; " : "");
			agency_names(&d, agencies_off, nag_off, agency_code_of, agency_codes);
			sbuf_adds(&d, " (not counted)");
		}
		sbuf_addf(&d, " (coordinate before acting): %.2f x %zu", sp->w_target, nag > 3 ? (size_t)3 : nag);
		part_add(&js, &first, "agency_target", pts, d.buf);
		w->score += pts;
	}
	if (first)
		sbuf_adds(&js, "[");
	sbuf_adds(&js, "]");
	/* kind */
	if (typ_ht == 0 && typ_hs == 0 && typ_ml == 0)
		snprintf(w->kind, sizeof w->kind, "%s", w->victims ? "trafficking" : "unknown");
	else if (typ_hs > typ_ht && typ_hs >= typ_ml)
		snprintf(w->kind, sizeof w->kind, "smuggling");
	else if (typ_ht >= typ_ml)
		snprintf(w->kind, sizeof w->kind, "trafficking");
	else
		snprintf(w->kind, sizeof w->kind, "laundering");
	/* summary */
	sbuf_addf(&sum, "%u suspect%s", w->suspects, w->suspects == 1 ? "" : "s");
	{
		static const int show[] = { NR_ORGANISER, NR_MONEY_MOVER, NR_RECRUITER, NR_TRANSPORTER, NR_FACILITATOR,
					    NR_BUYER, NR_ASSOCIATE };
		int any = 0;

		for (i = 0; i < sizeof show / sizeof show[0]; i++)
			if (nroles[show[i]]) {
				sbuf_addf(&sum, "%s%u %s", any ? ", " : " (", nroles[show[i]], net_role_name[show[i]]);
				any = 1;
			}
		if (any)
			sbuf_addc(&sum, ')');
	}
	if (w->victims)
		sbuf_addf(&sum, ", %u potential victims", w->victims);
	if (nroles[NR_IDENTIFIER] || nroles[NR_AD])
		sbuf_addf(&sum, ", %u identifier%s and %u ad%s", nroles[NR_IDENTIFIER], nroles[NR_IDENTIFIER] == 1 ? "" : "s",
			  nroles[NR_AD], nroles[NR_AD] == 1 ? "" : "s");
	if (w->t0 != NET_NOTIME) {
		format_date(w->t0, t0);
		format_date(w->t1, t1);
		sbuf_addf(&sum, "; active %s to %s", t0, t1);
	}
	if (sbuf_failed(&js) || sbuf_failed(&sum) || sbuf_failed(&d)) {
		sbuf_release(&js);
		sbuf_release(&sum);
		sbuf_release(&d);
		return -1;
	}
	w->parts = sbuf_detach(&js, NULL);
	w->summary = sbuf_detach(&sum, NULL);
	sbuf_release(&d);
	return 0;
}

static int cmp_by_size(const void *x, const void *y, void *ctx)
{
	const struct net_part *p = ctx;
	const struct net_group *a = &p->groups[*(const uint32_t *)x], *b = &p->groups[*(const uint32_t *)y];

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return p->members[a->first] < p->members[b->first] ? -1 : p->members[a->first] > p->members[b->first];
}

static int cmp_rank(const void *x, const void *y)
{
	const struct netw *a = x, *b = y;

	int ra = a->suspects > 0 || a->ad_evidence, rb = b->suspects > 0 || b->ad_evidence;

	if (ra != rb)
		return ra ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* Keys: inherited from the previous run by overlap, else from anchors. */
static int assign_keys(rastro_ws *ws, const struct net_graph *g, const struct net_part *P, struct netw *nw,
		       const struct score_params *sp, uint64_t *kept)
{
	struct u64map old_of;      /* entity -> old network index + 1 */
	struct vec old_keys;       /* char[32] */
	struct vec old_size;       /* uint32_t */
	uint32_t *cnt = NULL, *touched = NULL, *order = NULL;
	uint8_t *taken = NULL;
	struct strmap used;
	sqlite3_stmt *q = NULL;
	size_t i, nold;
	int rc = 0;

	u64map_init(&old_of);
	vec_init(&old_keys, 32);
	vec_init(&old_size, sizeof(uint32_t));
	strmap_init(&used);
	if (ws_prepare(ws, "SELECT n.key, m.entity_id FROM network n JOIN network_member m ON m.network_id = n.id"
			   " WHERE n.key IS NOT NULL ORDER BY n.key, m.entity_id", &q)) {
		rc = ws->err.code;
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(q, 0);
		char kb[32];

		if (!old_keys.len || strcmp((char *)vec_at(&old_keys, old_keys.len - 1), key) != 0) {
			uint32_t z = 0;

			memset(kb, 0, sizeof kb);
			snprintf(kb, sizeof kb, "%s", key);
			if (vec_push(&old_keys, kb) || vec_push(&old_size, &z))
				goto nomem;
		}
		((uint32_t *)old_size.data)[old_size.len - 1]++;
		if (u64map_put(&old_of, (uint64_t)sqlite3_column_int64(q, 1), old_keys.len))
			goto nomem;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "reading the previous networks");
		goto out;
	}
	nold = old_keys.len;
	cnt = mem_calloc(nold + 1, sizeof *cnt);
	touched = mem_alloc((nold + 1) * sizeof *touched);
	taken = mem_calloc(nold + 1, 1);
	order = mem_alloc((P->ngroups + 1) * sizeof *order);
	if (!cnt || !touched || !taken || !order)
		goto nomem;
	for (i = 0; i < P->ngroups; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, P->ngroups, sizeof *order, cmp_by_size, (void *)P);
	for (i = 0; i < P->ngroups && nold; i++) {
		const struct net_group *gr = &P->groups[order[i]];
		uint32_t j, nt = 0, best = 0, bestc = 0;

		for (j = 0; j < gr->n; j++) {
			uint64_t o;

			if (u64map_get(&old_of, (uint64_t)g->ent[P->members[gr->first + j]], &o)) {
				if (!cnt[o]++)
					touched[nt++] = (uint32_t)o;
			}
		}
		for (j = 0; j < nt; j++) {
			uint32_t o = touched[j];

			if (!taken[o] && (cnt[o] > bestc || (cnt[o] == bestc && o < best))) {
				best = o;
				bestc = cnt[o];
			}
		}
		if (bestc) {
			double jac = (double)bestc / (gr->n + ((uint32_t *)old_size.data)[best - 1] - bestc);

			if (jac >= sp->key_jaccard) {
				taken[best] = 1;
				snprintf(nw[order[i]].key, sizeof nw[order[i]].key, "%s", (char *)vec_at(&old_keys, best - 1));
				nw[order[i]].kept = 1;
				(*kept)++;
				if (!strmap_intern(&used, nw[order[i]].key, strlen(nw[order[i]].key), NULL))
					goto nomem;
			}
		}
		for (j = 0; j < nt; j++)
			cnt[touched[j]] = 0;
	}
	/* anchors of the networks still without a key: one pass over entities */
	for (i = 0; i < P->ngroups; i++)
		nw[i].anchor[0] = nw[i].anchor[1] = nw[i].anchor[2] = UINT64_MAX;
	if (ws_prepare(ws, "SELECT id, kind, key FROM entity ORDER BY id", &q)) {
		rc = ws->err.code;
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t v = net_node_of(g, sqlite3_column_int64(q, 0)), gi;
		const char *kind = (const char *)sqlite3_column_text(q, 1);
		const char *key = (const char *)sqlite3_column_text(q, 2);
		XXH3_state_t st;
		uint64_t h, *an;

		if (v == NET_NONE || (gi = P->group_of[v]) == NET_NONE || nw[gi].kept)
			continue;
		XXH3_64bits_reset(&st);
		XXH3_64bits_update(&st, kind, strlen(kind));
		XXH3_64bits_update(&st, ":", 1);
		XXH3_64bits_update(&st, key, strlen(key));
		h = (uint64_t)stability_class(kind) << 56 | (XXH3_64bits_digest(&st) >> 8);
		an = nw[gi].anchor;
		if (h < an[2]) {
			an[2] = h;
			if (an[2] < an[1]) {
				uint64_t t = an[1];

				an[1] = an[2];
				an[2] = t;
			}
			if (an[1] < an[0]) {
				uint64_t t = an[0];

				an[0] = an[1];
				an[1] = t;
			}
		}
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "reading entity keys");
		goto out;
	}
	rc = 0;
	for (i = 0; i < P->ngroups; i++) {
		uint32_t gi = order[i];
		uint64_t h;
		int suffix = 1;

		if (nw[gi].kept)
			continue;
		h = XXH3_64bits(nw[gi].anchor, sizeof nw[gi].anchor);
		snprintf(nw[gi].key, sizeof nw[gi].key, "N%012llX", (unsigned long long)(h >> 16));
		while (strmap_find(&used, nw[gi].key, strlen(nw[gi].key)))
			snprintf(nw[gi].key, sizeof nw[gi].key, "N%012llX-%d", (unsigned long long)(h >> 16), ++suffix);
		if (!strmap_intern(&used, nw[gi].key, strlen(nw[gi].key), NULL))
			goto nomem;
	}
	goto out;
nomem:
	rc = ws_error(ws, RASTRO_NOMEM, "out of memory assigning network keys");
out:
	sqlite3_finalize(q);
	u64map_release(&old_of);
	vec_release(&old_keys);
	vec_release(&old_size);
	strmap_release(&used);
	mem_free(cnt);
	mem_free(touched);
	mem_free(taken);
	mem_free(order);
	return rc;
}

static int load_agencies(rastro_ws *ws, struct u64map *code_of, struct strmap *codes)
{
	sqlite3_stmt *q;
	int rc;

	if (ws_prepare(ws, "SELECT id, code FROM agency ORDER BY id", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(q, 1);
		uint32_t id = strmap_intern(codes, c, strlen(c), NULL);

		if (!id || u64map_put(code_of, (uint64_t)sqlite3_column_int64(q, 0), id)) {
			sqlite3_finalize(q);
			return ws_error(ws, RASTRO_NOMEM, "out of memory");
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : ws_sqlerr(ws, "reading agencies");
}

/* The links that joined cells into enterprises, each with its sentence. */
static int write_bridges(rastro_ws *ws, const struct net_graph *g, const struct net_part *P, const int64_t *net_of_group,
			 const struct net_attr *a)
{
	sqlite3_stmt *ib = NULL;
	struct sbuf r = SBUF_INIT;
	size_t i, len;
	int rc;

	if (!P->nbridges)
		return 0;
	static const char *const rule_name[] = { "?", "ad_cluster", "holds", "shared_evidence", "evidence_move", "shared_code",
						       "typology_payment" };
	struct sbuf ev = SBUF_INIT;

	if ((rc = ws_prepare(ws, "INSERT INTO net_bridge(network_id, cell_a, cell_b, src_entity, dst_entity, rule, evidence, reason,"
				 " record_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", &ib)))
		return rc;
	sbuf_init(&r);
	sbuf_init(&ev);
	for (i = 0; i < P->nbridges; i++) {
		const struct net_bridge *b = &P->bridges[i];
		uint32_t s = b->src, d = b->dst;
		const char *code = strmap_key(&a->codes, b->code, &len);

		sbuf_clear(&r);
		sbuf_clear(&ev);
		if (b->rule == NET_BRIDGE_AD_CLUSTER)
			sbuf_addf(&r, "cell %u joins cell %u: %s #%lld is in ad cluster #%lld, which the ads stage flagged %s",
				  b->cell_a, b->cell_b, g->kinds.name[g->kind[s]], (long long)g->ent[s], (long long)g->ent[d], code);
		else if (b->rule == NET_BRIDGE_HOLDS)
			sbuf_addf(&r, "cell %u joins cell %u: %s #%lld holds %s #%lld; both cells hold suspect evidence (%s in cell %u)",
				  b->cell_a, b->cell_b, g->kinds.name[g->kind[s]], (long long)g->ent[s], g->kinds.name[g->kind[d]],
				  (long long)g->ent[d], code, b->cell_b);
		else if (b->rule == NET_BRIDGE_SHARED_CODE)
			sbuf_addf(&r, "cell %u joins cell %u: %s #%lld paid %s #%lld %.2f in all; both accounts alerted by the finance"
				  " stage and both carry %s",
				  b->cell_a, b->cell_b, g->kinds.name[g->kind[s]], (long long)g->ent[s], g->kinds.name[g->kind[d]],
				  (long long)g->ent[d], g->eamount[b->edge], code);
		else if (b->rule == NET_BRIDGE_TYPOLOGY_PAYMENT) {
			const char *code_b = strmap_key(&a->codes, b->code_b, &len);

			sbuf_addf(&r, "cell %u joins cell %u: %s #%lld paid %s #%lld %.2f in all; both accounts alerted by the finance"
				  " stage, the payer for %s, the payee for %s",
				  b->cell_a, b->cell_b, g->kinds.name[g->kind[s]], (long long)g->ent[s], g->kinds.name[g->kind[d]],
				  (long long)g->ent[d], g->eamount[b->edge], code, code_b);
			sbuf_addf(&ev, "%s,%s", code, code_b);
		} else if (b->rule == NET_BRIDGE_EVIDENCE_MOVE) {
			const char *code_b = strmap_key(&a->codes, b->code_b, &len);

			sbuf_addf(&r, "%s #%lld moves into cell %u: transaction record #%lld is evidence of %s on"
				  " the payer, %s #%lld, and of %s on it",
				  g->kinds.name[g->kind[d]], (long long)g->ent[d], b->cell_a, (long long)b->record, code,
				  g->kinds.name[g->kind[s]], (long long)g->ent[s], code_b);
			sbuf_addf(&ev, "%s,%s", code, code_b);
			if (b->alerted)
				sbuf_adds(&r, "; both accounts alerted by the finance stage");
		} else {
			const char *code_b = strmap_key(&a->codes, b->code_b, &len);

			sbuf_addf(&r, "cell %u joins cell %u: transaction record #%lld is evidence of %s on %s #%lld and of %s on %s #%lld",
				  b->cell_a, b->cell_b, (long long)b->record, code, g->kinds.name[g->kind[s]], (long long)g->ent[s],
				  code_b, g->kinds.name[g->kind[d]], (long long)g->ent[d]);
			sbuf_addf(&ev, "%s,%s", code, code_b);
			if (b->alerted)
				sbuf_adds(&r, "; both accounts alerted by the finance stage");
		}
		if (sbuf_failed(&r) || sbuf_failed(&ev)) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			break;
		}
		sqlite3_bind_int64(ib, 1, net_of_group[b->group]);
		sqlite3_bind_int64(ib, 2, b->cell_a);
		sqlite3_bind_int64(ib, 3, b->cell_b);
		sqlite3_bind_int64(ib, 4, g->ent[s]);
		sqlite3_bind_int64(ib, 5, g->ent[d]);
		sqlite3_bind_text(ib, 6, rule_name[b->rule <= NET_BRIDGE_TYPOLOGY_PAYMENT ? b->rule : 0], -1, SQLITE_STATIC);
		sqlite3_bind_text(ib, 7, b->rule == NET_BRIDGE_SHARED_EVIDENCE || b->rule == NET_BRIDGE_EVIDENCE_MOVE || b->rule == NET_BRIDGE_TYPOLOGY_PAYMENT ? ev.buf : code, -1, SQLITE_STATIC);
		if (b->record)
			sqlite3_bind_int64(ib, 9, b->record);
		else
			sqlite3_bind_null(ib, 9);
		sqlite3_bind_text(ib, 8, r.buf, -1, SQLITE_STATIC);
		if (sqlite3_step(ib) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "writing a network bridge");
			break;
		}
		sqlite3_reset(ib);
	}
	sbuf_release(&r);
	sbuf_release(&ev);
	sqlite3_finalize(ib);
	return rc;
}

/* The merchants each network's members pay (counterparties, not members). */
static int write_counterparties(rastro_ws *ws, const struct net_graph *g, const struct net_part *P,
				const int64_t *net_of_group)
{
	sqlite3_stmt *ic = NULL;
	size_t i;
	int rc;

	if (!P->ncparty)
		return 0;
	if ((rc = ws_prepare(ws, "INSERT INTO net_counterparty(network_id, entity_id, payments, amount) VALUES(?1,?2,?3,?4)",
			     &ic)))
		return rc;
	for (i = 0; i < P->ncparty; i++) {
		const struct net_cparty *c = &P->cparty[i];

		sqlite3_bind_int64(ic, 1, net_of_group[c->group]);
		sqlite3_bind_int64(ic, 2, g->ent[c->node]);
		sqlite3_bind_int64(ic, 3, c->payments);
		sqlite3_bind_double(ic, 4, round(c->amount * 100) / 100);
		if (sqlite3_step(ic) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "writing a network counterparty");
			break;
		}
		sqlite3_reset(ic);
	}
	sqlite3_finalize(ic);
	return rc;
}

static int write_all(rastro_ws *ws, struct net_graph *g, const struct net_part *P, struct netw *nw,
		     const uint8_t *role, char **reason, const float *strength, const struct net_attr *a,
		     struct rastro_network_stats *st)
{
	int64_t *net_of_group = mem_alloc((P->ngroups ? P->ngroups : 1) * sizeof *net_of_group);
	sqlite3_stmt *in = NULL, *im = NULL, *ih = NULL;
	size_t i;
	uint32_t v;
	int rc;

	if (!net_of_group)
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	if ((rc = ws_exec(ws, "DELETE FROM net_counterparty; DELETE FROM net_bridge; DELETE FROM network_member; DELETE FROM network; DELETE FROM net_hub;",
			  "removing the previous networks")))
		goto out;
	if ((rc = ws_prepare(ws, "INSERT INTO network(id, key, kind, score, parts, size, run_id, rank, suspects, victims,"
				 " first_ts, last_ts, summary, origin, cells) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
			     &in)) ||
	    (rc = ws_prepare(ws, "INSERT INTO network_member(network_id, entity_id, role, reason, strength, suspect, cell)"
				 " VALUES(?1,?2,?3,?4,?5,?6,?7)", &im)) ||
	    (rc = ws_prepare(ws, "INSERT INTO net_hub(entity_id, degree, threshold, rule, run_id) VALUES(?1,?2,?3,?4,?5)",
			     &ih)))
		goto out;
	for (i = 0; i < P->ngroups; i++) {
		const struct netw *w = &nw[i];
		const struct net_group *gr = &P->groups[w->group];
		uint32_t j;

		net_of_group[w->group] = w->id;
		sqlite3_bind_int64(in, 1, w->id);
		sqlite3_bind_text(in, 2, w->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(in, 3, w->kind, -1, SQLITE_STATIC);
		sqlite3_bind_double(in, 4, round(w->score * 1e4) / 1e4);
		sqlite3_bind_text(in, 5, w->parts, -1, SQLITE_STATIC);
		sqlite3_bind_int64(in, 6, gr->n);
		sqlite3_bind_int64(in, 7, ws->run_id);
		if (w->rank)
			sqlite3_bind_int64(in, 8, w->rank);
		else
			sqlite3_bind_null(in, 8);
		sqlite3_bind_int64(in, 9, w->suspects);
		sqlite3_bind_int64(in, 10, w->victims);
		if (w->t0 != NET_NOTIME) {
			sqlite3_bind_int64(in, 11, w->t0);
			sqlite3_bind_int64(in, 12, w->t1);
		} else {
			sqlite3_bind_null(in, 11);
			sqlite3_bind_null(in, 12);
		}
		sqlite3_bind_text(in, 13, w->summary, -1, SQLITE_STATIC);
		sqlite3_bind_text(in, 14, gr->origin == 2 ? "enterprise" : gr->origin ? "leiden" : "component", -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(in, 15, gr->ncells ? gr->ncells : 1);
		if (sqlite3_step(in) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "writing a network");
			goto out;
		}
		sqlite3_reset(in);
		for (j = 0; j < gr->n; j++) {
			uint32_t m = gr->first + j;

			v = P->members[m];
			sqlite3_bind_int64(im, 1, w->id);
			sqlite3_bind_int64(im, 2, g->ent[v]);
			sqlite3_bind_text(im, 3, net_role_name[role[m]], -1, SQLITE_STATIC);
			sqlite3_bind_text(im, 4, reason[m], -1, SQLITE_STATIC);
			sqlite3_bind_double(im, 5, round(strength[m] * 1e4) / 1e4);
			sqlite3_bind_int(im, 6, net_role_suspect(role[m]));
			sqlite3_bind_int64(im, 7, P->cell ? P->cell[m] : 1);
			if (sqlite3_step(im) != SQLITE_DONE) {
				rc = ws_sqlerr(ws, "writing a network member");
				goto out;
			}
			sqlite3_reset(im);
			g->net[v] = (uint32_t)w->id;
			g->role[v] = role[m];
		}
		st->members += gr->n;
	}
	for (v = 0; v < g->n; v++) {
		if (!g->hub[v])
			continue;
		sqlite3_bind_int64(ih, 1, g->ent[v]);
		sqlite3_bind_int64(ih, 2, P->hub_links[v]);
		if (P->hub_links[v] >= P->hub_threshold) {
			sqlite3_bind_int64(ih, 3, P->hub_threshold);
			sqlite3_bind_text(ih, 4, "degree", -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_int64(ih, 3, P->hub_id_threshold);
			sqlite3_bind_text(ih, 4, "identifier", -1, SQLITE_STATIC);
		}
		sqlite3_bind_int64(ih, 5, ws->run_id);
		if (sqlite3_step(ih) != SQLITE_DONE) {
			rc = ws_sqlerr(ws, "writing a hub");
			goto out;
		}
		sqlite3_reset(ih);
	}
	if (!(rc = write_bridges(ws, g, P, net_of_group, a)))
		rc = write_counterparties(ws, g, P, net_of_group);
out:
	mem_free(net_of_group);
	sqlite3_finalize(in);
	sqlite3_finalize(im);
	sqlite3_finalize(ih);
	return rc;
}

int rastro_network_run(rastro_ws *ws, struct rastro_network_stats *st)
{
	struct net_graph *g = NULL;
	struct net_part P;
	struct net_params np;
	struct net_role_params rp;
	struct net_join_params jp;
	struct score_params sp;
	struct net_attr A;
	struct netw *nw = NULL;
	uint8_t *role = NULL;
	char **reason = NULL;
	float *strength = NULL;
	uint8_t *held = NULL;
	uint32_t *subj = NULL;  /* score scratch: subject of each member */
	uint8_t *ev = NULL;     /* score scratch: a signal names the subject */
	struct u64map agency_code_of;
	struct strmap agency_codes;
	struct rastro_network_stats dummy;
	char *cache = NULL, summary[256];
	uint64_t stamp;
	int64_t mmap_old = -1;
	double t, c;
	size_t i, total = 0;
	uint8_t *hub_keep = NULL; /* per node: an organisation's own account (hub rule) */
	int rc, have_attr = 0, have_jp = 0, have_rp = 0, have_sp = 0;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	memset(&P, 0, sizeof P);
	u64map_init(&agency_code_of);
	strmap_init(&agency_codes);
	if (ws->readonly)
		return ws_error(ws, RASTRO_READONLY, "workspace '%s' is open read-only", ws->path);
	if ((rc = ws_run_begin(ws, "network", NULL)))
		return rc;
	/* The stage reads whole tables (txn, edge, entity, the previous
	 * members): memory-mapped reads skip a copy per page (pread); the
	 * previous setting is restored at the end. */
	if (ws_query_i64(ws, "PRAGMA mmap_size", 0, &mmap_old) == 0)
		ws_exec(ws, "PRAGMA mmap_size = 4294967296", "mapping the workspace");
	else
		mmap_old = -1;
	t = now_s();
	c = cpu_s();
	if ((rc = net_graph_build(ws, &g)))
		goto out;
	st->nodes = g->n;
	st->edges = g->m;
	st->transactions = g->txns;
	for (i = 0; i < g->m; i++)
		st->money_edges += (int)g->etype[i] == g->paid_type;
	st->build_seconds = now_s() - t;
	st->build_cpu = cpu_s() - c;

	/* signals, alerts and victim flags: the hub rule reads which accounts
	 * are an organisation's own, the joins read the rest */
	t = now_s();
	c = cpu_s();
	have_attr = 1; /* released at out: also after a failed load (it zeroes A first) */
	if ((rc = net_attr_load(ws, g, &A)))
		goto out;
	have_jp = 1; /* the read leaves jp releasable even when it fails */
	if (net_join_params_read(ws->cfg, &jp)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	st->join_seconds = now_s() - t;
	st->join_cpu = cpu_s() - c;

	t = now_s();
	c = cpu_s();
	net_params_read(ws->cfg, g, &np);
	net_weights(g, &np);
	if (np.hub_members && !(hub_keep = net_attr_members(g, &A, &jp))) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	np.hub_keep = hub_keep;
	if ((rc = net_partition(g, &np, &P, &ws->err)))
		goto out;
	st->hubs = P.nhubs;
	st->components = P.ncomp;
	st->split_components = P.nlarge;
	st->networks = P.ngroups;
	st->hub_threshold = P.hub_threshold;
	st->hub_identifier_threshold = P.hub_id_threshold;
	st->modularity = P.modularity;
	st->partition_seconds = now_s() - t;
	st->partition_cpu = cpu_s() - c;

	/* cells into enterprises: reads the signals and victim flags */
	t = now_s() - st->join_seconds;
	c = cpu_s() - st->join_cpu;
	rc = jp.shared_evidence ? net_attr_load_evidence(ws, g, &A) : 0;
	if (!rc)
		rc = net_join(g, &A, &jp, &P, &ws->err);
	if (rc)
		goto out;
	st->cells = P.ncells;
	st->networks = P.ngroups;
	st->joins = P.joins;
	st->join_refused = P.join_refused;
	st->merchants = P.merchants;
	st->join_seconds = now_s() - t;
	st->join_cpu = cpu_s() - c;

	t = now_s();
	c = cpu_s();
	if (net_role_params_read(ws->cfg, &rp)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	have_rp = 1;
	have_sp = 1; /* the read leaves sp releasable even when it fails */
	if (score_params_read(ws->cfg, &sp) || score_params_codes(&sp, &A)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading the score settings");
		goto out;
	}
	if ((rc = load_agencies(ws, &agency_code_of, &agency_codes)))
		goto out;
	for (i = 0; i < P.ngroups; i++)
		total += P.groups[i].n;
	nw = mem_calloc(P.ngroups ? P.ngroups : 1, sizeof *nw);
	role = mem_calloc(total ? total : 1, 1);
	reason = mem_calloc(total ? total : 1, sizeof *reason);
	strength = mem_calloc(total ? total : 1, sizeof *strength);
	held = mem_calloc(total ? total : 1, 1);
	subj = mem_calloc(total ? total : 1, sizeof *subj);
	ev = mem_calloc(total ? total : 1, 1);
	if (!nw || !role || !reason || !strength || !held || !subj || !ev) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory for %zu networks", P.ngroups);
		goto out;
	}
	for (i = 0; i < P.ngroups; i++) {
		const struct net_group *gr = &P.groups[i];
		struct sbuf *rb = mem_calloc(gr->n, sizeof *rb);
		uint32_t j;

		if (!rb) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory");
			goto out;
		}
		for (j = 0; j < gr->n; j++)
			sbuf_init(&rb[j]);
		rc = net_roles(g, &A, &rp, P.members + gr->first, gr->n, P.group_of, (uint32_t)i, role + gr->first, rb,
			      held + gr->first);
		for (j = 0; j < gr->n; j++) {
			uint32_t v = P.members[gr->first + j];
			uint64_t x;
			float s = 0;

			if (!rc && !(reason[gr->first + j] = sbuf_detach(&rb[j], NULL)))
				rc = -1;
			sbuf_release(&rb[j]);
			for (x = g->off[v]; x < g->off[v + 1]; x++)
				if (P.group_of[g->adj[x]] == i)
					s += g->eweight[g->adje[x]];
			strength[gr->first + j] = s;
		}
		mem_free(rb);
		nw[i].group = (uint32_t)i;
		if (rc || score_network(g, &A, &sp, P.members + gr->first, gr->n, role + gr->first, held + gr->first, &agency_code_of,
					&agency_codes, subj + gr->first, ev + gr->first, &nw[i])) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory giving roles");
			goto out;
		}
		if ((i & 0x3FFF) == 0)
			ws_progress(ws, "network: roles", i, P.ngroups);
	}
	if ((rc = assign_keys(ws, g, &P, nw, &sp, &st->keys_kept)))
		goto out;
	/* rank: by score, suspects first; ids follow the rank */
	qsort(nw, P.ngroups, sizeof *nw, cmp_rank);
	for (i = 0; i < P.ngroups; i++) {
		nw[i].id = (int64_t)i + 1;
		if (nw[i].suspects || nw[i].ad_evidence) {
			nw[i].rank = (int64_t)i + 1;
			st->ranked++;
		}
	}
	st->roles_seconds = now_s() - t;
	st->roles_cpu = cpu_s() - c;

	t = now_s();
	c = cpu_s();
	if ((rc = ws_begin(ws)))
		goto out;
	if ((rc = write_all(ws, g, &P, nw, role, reason, strength, &A, st))) {
		ws_rollback(ws);
		goto out;
	}
	if ((rc = ws_commit(ws)))
		goto out;
	/* The networks are saved.  The graph cache is derived and stamped: when
	 * it cannot be written (memory, disk) the queries rebuild the graph, so
	 * that is no reason to report the committed run as failed. */
	if (net_stamp(ws, &stamp) || !(cache = net_cache_path(ws)) || net_cache_write(g, cache, stamp))
		err_clear(&ws->err);
	st->write_seconds = now_s() - t;
	st->write_cpu = cpu_s() - c;
out:
	snprintf(summary, sizeof summary, "%llu nodes, %llu edges, %llu hubs, %llu networks (%llu ranked, %llu keys kept)",
		 (unsigned long long)st->nodes, (unsigned long long)st->edges, (unsigned long long)st->hubs,
		 (unsigned long long)st->networks, (unsigned long long)st->ranked, (unsigned long long)st->keys_kept);
	ws_run_end(ws, rc, rc ? ws->err.msg : summary);
	if (mmap_old >= 0) {
		char pragma[64];
		struct rs_err keep = ws->err;

		snprintf(pragma, sizeof pragma, "PRAGMA mmap_size = %lld", (long long)mmap_old);
		ws_exec(ws, pragma, "unmapping the workspace");
		ws->err = keep;   /* the stage's own error, if any, is the one to report */
	}
	if (nw)
		for (i = 0; i < P.ngroups; i++) {
			mem_free(nw[i].parts);
			mem_free(nw[i].summary);
		}
	if (reason)
		for (i = 0; i < total; i++)
			mem_free(reason[i]);
	mem_free(reason);
	mem_free(nw);
	mem_free(role);
	mem_free(strength);
	mem_free(held);
	mem_free(subj);
	mem_free(ev);
	mem_free(cache);
	mem_free(hub_keep);
	if (have_attr)
		net_attr_release(&A, g->n);
	if (have_jp)
		net_join_params_release(&jp);
	if (have_rp)
		net_role_params_release(&rp);
	if (have_sp)
		score_params_release(&sp);
	u64map_release(&agency_code_of);
	strmap_release(&agency_codes);
	net_part_release(&P);
	net_graph_free(g);
	return rc;
}
