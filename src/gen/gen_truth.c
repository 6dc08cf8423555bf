/*
 * gen_truth: truth.json, the ground truth of a generated world.
 *
 * For every planted network: its kind, the typology it follows, its
 * members (every identifier as written in the generated files, with the
 * member's role), its transactions and its ads; then which records are the
 * same real person, the victims with their indicators, the ad template
 * families with the true phones of each ad, and the benign look-alikes.
 * The schema is documented in docs/generator.md.  The file is written as a
 * stream through the same buffered writer as the data files.
 */
#include "gen_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

/* Sorted (key, value) pairs for "all X of person P" lookups. */
struct index {
	uint64_t *v;    /* key << 32 | value */
	size_t n;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int index_build(struct index *ix, size_t cap)
{
	ix->v = mem_alloc(sizeof(uint64_t) * (cap + 1));
	ix->n = 0;
	return ix->v ? 0 : -1;
}

static void index_add(struct index *ix, uint32_t key, uint32_t val)
{
	ix->v[ix->n++] = (uint64_t)key << 32 | val;
}

static void index_sort(struct index *ix)
{
	qsort(ix->v, ix->n, sizeof(uint64_t), u64_cmp);
}

/* First position of key, and the count in *n. */
static size_t index_find(const struct index *ix, uint32_t key, size_t *n)
{
	size_t lo = 0, hi = ix->n, start;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if ((ix->v[mid] >> 32) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	start = lo;
	while (lo < ix->n && (ix->v[lo] >> 32) == key)
		lo++;
	*n = lo - start;
	return start;
}

struct truth {
	gen_t *g;
	struct gen_out o;
	struct index acct;   /* person -> account */
	struct index rec;    /* person -> record */
	struct index enc;    /* person -> encounter */
	struct index adp;    /* person -> ad (posted or advertised) */
	struct sbuf tmp;
};

static struct sbuf *B(struct truth *t)
{
	return &t->o.b;
}

static void key(struct truth *t, const char *k)
{
	gb_json_str(B(t), k);
	sbuf_addc(B(t), ':');
}

static void person_id(struct sbuf *sb, uint32_t p)
{
	sbuf_addc(sb, 'P');
	gb_u64w(sb, p, 8);
}

static void txn_id(gen_t *g, uint64_t v, struct sbuf *sb)
{
	int y;
	unsigned m, d;
	uint32_t day = (uint32_t)(v >> 32);

	civil_from_days(g->k.start_day + day, &y, &m, &d);
	sbuf_addf(sb, "\"T%04d%02u%02u-", y, m, d);
	gb_u64w(sb, v & 0xffffffffu, 6);
	sbuf_addc(sb, '"');
}

static void str_of_rec(struct truth *t, uint32_t r)
{
	sbuf_clear(&t->tmp);
	gen_rec_id(t->g, vec_at(&t->g->recs, r), &t->tmp);
	gb_json_str(B(t), t->tmp.buf);
}

static void str_of_enc(struct truth *t, uint32_t e)
{
	sbuf_clear(&t->tmp);
	gen_enc_id(t->g, e, &t->tmp);
	gb_json_str(B(t), t->tmp.buf);
}

static void str_of_ad(struct truth *t, uint32_t a)
{
	sbuf_clear(&t->tmp);
	gen_ad_id(t->g, a, &t->tmp);
	gb_json_str(B(t), t->tmp.buf);
}

/* One member entry: {"id":..., "type":..., "role":..., "person"/"business":...}. */
static void member_entry(struct truth *t, int *first, const char *type, int role, int is_biz, uint32_t who,
			 void (*idfn)(struct truth *, uint32_t), uint32_t arg, const char *id_str, const char *bank)
{
	struct sbuf *b = B(t);

	sbuf_adds(b, *first ? "\n    {" : ",\n    {");
	*first = 0;
	key(t, "id");
	if (idfn)
		idfn(t, arg);
	else
		gb_json_str(b, id_str);
	sbuf_addc(b, ',');
	key(t, "type");
	gb_json_str(b, type);
	if (bank) {
		sbuf_addc(b, ',');
		key(t, "bank");
		gb_json_str(b, bank);
	}
	sbuf_addc(b, ',');
	key(t, "role");
	gb_json_str(b, gen_role_name[role]);
	sbuf_addc(b, ',');
	if (is_biz) {
		key(t, "business");
		sbuf_addf(b, "\"B%07u\"", who);
	} else {
		key(t, "person");
		sbuf_addc(b, '"');
		person_id(b, who);
		sbuf_addc(b, '"');
	}
	sbuf_addc(b, '}');
}

static void person_members(struct truth *t, int *first, uint32_t p, int role)
{
	gen_t *g = t->g;
	const struct gen_person *pp = gen_P(g, p);
	size_t n, s, i;

	s = index_find(&t->acct, p, &n);
	for (i = 0; i < n; i++) {
		const struct gen_account *a = gen_A(g, (uint32_t)t->acct.v[s + i]);

		member_entry(t, first, "account", role, 0, p, NULL, 0, a->num, g->d.banks[a->bank].code);
	}
	s = index_find(&t->rec, p, &n);
	for (i = 0; i < n; i++)
		member_entry(t, first, "person_record", role, 0, p, str_of_rec, (uint32_t)t->rec.v[s + i], NULL, NULL);
	s = index_find(&t->enc, p, &n);
	for (i = 0; i < n; i++)
		member_entry(t, first, "encounter", role, 0, p, str_of_enc, (uint32_t)t->enc.v[s + i], NULL, NULL);
	s = index_find(&t->adp, p, &n);
	for (i = 0; i < n; i++)
		member_entry(t, first, "ad", role, 0, p, str_of_ad, (uint32_t)t->adp.v[s + i], NULL, NULL);
	if (pp->phone[0])
		member_entry(t, first, "phone", role, 0, p, NULL, 0, pp->phone, NULL);
}

static const char *const kind_name[NK_N] = { "smuggling", "sex_trafficking", "labor_trafficking", "laundering" };

static void write_net(struct truth *t, uint32_t ni)
{
	gen_t *g = t->g;
	const struct gen_net *n = vec_at(&g->nets, ni);
	const struct gen_place *hub = &g->d.places[n->hub];
	struct sbuf *b = B(t);
	int first = 1;
	size_t i;

	sbuf_adds(b, ni ? ",\n  {" : "\n  {");
	key(t, "id");
	gb_json_str(b, n->id);
	sbuf_addc(b, ',');
	key(t, "kind");
	if (n->kind == NK_LAUNDER) {
		sbuf_adds(b, "\"laundering_");
		sbuf_adds(b, gen_pattern_name[n->pattern]);
		sbuf_addc(b, '"');
	} else {
		gb_json_str(b, kind_name[n->kind]);
	}
	sbuf_addc(b, ',');
	key(t, "typology");
	gb_json_str(b, n->typology);
	sbuf_addc(b, ',');
	key(t, "hub");
	sbuf_addf(b, "{\"city\":");
	gb_json_str(b, hub->city);
	sbuf_adds(b, ",\"region\":");
	gb_json_str(b, hub->region);
	sbuf_adds(b, ",\"country\":");
	gb_json_str(b, gen_country_code[hub->country]);
	sbuf_adds(b, "},\n   \"people\": [");
	for (i = 0; i < n->members.len; i++) {
		const struct gen_member *m = vec_at(&n->members, i);

		sbuf_adds(b, i ? ",\n    {" : "\n    {");
		if (m->is_biz) {
			const struct gen_biz *bz = gen_B(g, m->idx);

			sbuf_addf(b, "\"business\":\"B%07u\",\"name\":", m->idx);
			gb_json_str(b, bz->name);
			sbuf_adds(b, ",\"business_type\":");
			gb_json_str(b, g->d.biz[bz->kind].kind);
		} else {
			const struct gen_person *p = gen_P(g, m->idx);

			sbuf_adds(b, "\"person\":\"");
			person_id(b, m->idx);
			sbuf_adds(b, "\",\"name\":");
			sbuf_clear(&t->tmp);
			gen_person_fullname(g, p, &t->tmp);
			gb_json_str(b, t->tmp.buf);
			if (p->flags & P_MINOR)
				sbuf_adds(b, ",\"minor\":true");
		}
		sbuf_adds(b, ",\"role\":");
		gb_json_str(b, gen_role_name[m->role]);
		sbuf_addc(b, '}');
	}
	sbuf_adds(b, "],\n   \"members\": [");
	for (i = 0; i < n->members.len; i++) {
		const struct gen_member *m = vec_at(&n->members, i);

		if (m->is_biz) {
			const struct gen_biz *bz = gen_B(g, m->idx);

			if (bz->acct != GEN_NONE)
				member_entry(t, &first, "account", m->role, 1, m->idx, NULL, 0, gen_A(g, bz->acct)->num,
					     g->d.banks[gen_A(g, bz->acct)->bank].code);
			if (bz->phone[0])
				member_entry(t, &first, "phone", m->role, 1, m->idx, NULL, 0, bz->phone, NULL);
		} else {
			person_members(t, &first, m->idx, m->role);
		}
	}
	sbuf_adds(b, "],\n   \"smuggled\": [");
	if (n->kind == NK_SMUGGLING) {
		int f2 = 1;

		/* Migrants moved by the network (not members: the smuggled are
		 * neither perpetrators nor, unless held in debt, victims). */
		for (i = 0; i < g->persons.len; i++) {
			const struct gen_person *p = gen_P(g, (uint32_t)i);
			size_t s, k, cnt;

			if (p->net != ni || !(p->flags & P_SMUGGLED) || (p->flags & P_VICTIM))
				continue;
			sbuf_adds(b, f2 ? "{\"person\":\"" : ",{\"person\":\"");
			f2 = 0;
			person_id(b, (uint32_t)i);
			sbuf_adds(b, "\",\"records\":[");
			s = index_find(&t->rec, (uint32_t)i, &cnt);
			for (k = 0; k < cnt; k++) {
				if (k)
					sbuf_addc(b, ',');
				str_of_rec(t, (uint32_t)t->rec.v[s + k]);
			}
			sbuf_adds(b, "],\"encounters\":[");
			s = index_find(&t->enc, (uint32_t)i, &cnt);
			for (k = 0; k < cnt; k++) {
				if (k)
					sbuf_addc(b, ',');
				str_of_enc(t, (uint32_t)t->enc.v[s + k]);
			}
			sbuf_adds(b, "]}");
		}
	}
	sbuf_adds(b, "],\n   \"ads\": [");
	for (i = 0; i < n->ads.len; i++) {
		if (i)
			sbuf_addc(b, ',');
		str_of_ad(t, ((uint32_t *)n->ads.data)[i]);
	}
	sbuf_adds(b, "],\n   \"transactions\": [");
	for (i = 0; i < n->txns.len; i++) {
		if (i)
			sbuf_adds(b, i % 8 ? "," : ",\n    ");
		txn_id(g, ((uint64_t *)n->txns.data)[i], b);
		if (!(i % 4096))
			gout_maybe_flush(g, &t->o);
	}
	sbuf_adds(b, "]}");
}

static void id_list(struct truth *t, const struct index *ix, uint32_t p, void (*fn)(struct truth *, uint32_t))
{
	size_t n, s = index_find(ix, p, &n), i;

	sbuf_addc(B(t), '[');
	for (i = 0; i < n; i++) {
		if (i)
			sbuf_addc(B(t), ',');
		fn(t, (uint32_t)ix->v[s + i]);
	}
	sbuf_addc(B(t), ']');
}

static void acct_str(struct truth *t, uint32_t a)
{
	gb_json_str(B(t), gen_A(t->g, a)->num);
}

static void write_same_person(struct truth *t)
{
	gen_t *g = t->g;
	struct sbuf *b = B(t);
	size_t i;
	int first = 1;

	sbuf_adds(b, "\n ],\n \"same_person\": [");
	for (i = 0; i < g->persons.len; i++) {
		size_t na, nr, ne;
		const struct gen_person *p = gen_P(g, (uint32_t)i);

		index_find(&t->acct, (uint32_t)i, &na);
		index_find(&t->rec, (uint32_t)i, &nr);
		index_find(&t->enc, (uint32_t)i, &ne);
		/* Only KYC accounts count (the consortium's banks). */
		if (na) {
			size_t s = index_find(&t->acct, (uint32_t)i, &na), k, kyc = 0;

			for (k = 0; k < na; k++)
				kyc += g->d.banks[gen_A(g, (uint32_t)t->acct.v[s + k])->bank].country == C_US;
			if (!kyc)
				na = 0;
		}
		if (na + nr + ne < 2 || (nr + ne == 0 && na < 2))
			continue;
		sbuf_adds(b, first ? "\n  {\"person\":\"" : ",\n  {\"person\":\"");
		first = 0;
		person_id(b, (uint32_t)i);
		sbuf_adds(b, "\",\"name\":");
		sbuf_clear(&t->tmp);
		gen_person_fullname(g, p, &t->tmp);
		gb_json_str(b, t->tmp.buf);
		sbuf_adds(b, ",\"dob\":\"");
		gb_date(b, p->dob);
		sbuf_adds(b, "\",\"accounts\":");
		id_list(t, &t->acct, (uint32_t)i, acct_str);
		sbuf_adds(b, ",\"records\":");
		id_list(t, &t->rec, (uint32_t)i, str_of_rec);
		sbuf_adds(b, ",\"encounters\":");
		id_list(t, &t->enc, (uint32_t)i, str_of_enc);
		sbuf_addc(b, '}');
		if (!(i % 1024))
			gout_maybe_flush(g, &t->o);
	}
	sbuf_adds(b, "\n ]");
}

static void write_victims(struct truth *t)
{
	gen_t *g = t->g;
	struct sbuf *b = B(t);
	size_t i, q;
	int first = 1;

	sbuf_adds(b, ",\n \"victims\": [");
	for (i = 0; i < g->persons.len; i++) {
		const struct gen_person *p = gen_P(g, (uint32_t)i);
		uint32_t yes = 0;
		size_t n, s, k;
		int fi = 1;

		if (!(p->flags & P_VICTIM))
			continue;
		sbuf_adds(b, first ? "\n  {\"person\":\"" : ",\n  {\"person\":\"");
		first = 0;
		person_id(b, (uint32_t)i);
		sbuf_adds(b, "\",\"network\":");
		gb_json_str(b, p->net != GEN_NONE ? ((struct gen_net *)vec_at(&g->nets, p->net))->id : "");
		sbuf_adds(b, ",\"kind\":");
		gb_json_str(b, p->net != GEN_NONE ? kind_name[((struct gen_net *)vec_at(&g->nets, p->net))->kind] : "");
		sbuf_adds(b, p->flags & P_MINOR ? ",\"minor\":true" : ",\"minor\":false");
		sbuf_adds(b, ",\"age\":");
		gb_u64(b, (uint64_t)((g->k.start_day - p->dob) / 365));
		sbuf_adds(b, ",\"accounts\":");
		id_list(t, &t->acct, (uint32_t)i, acct_str);
		sbuf_adds(b, ",\"records\":");
		id_list(t, &t->rec, (uint32_t)i, str_of_rec);
		sbuf_adds(b, ",\"encounters\":");
		id_list(t, &t->enc, (uint32_t)i, str_of_enc);
		sbuf_adds(b, ",\"ads\":");
		id_list(t, &t->adp, (uint32_t)i, str_of_ad);
		/* Indicators: the screening answers that point to trafficking, and
		 * the account links the controller left. */
		s = index_find(&t->enc, (uint32_t)i, &n);
		for (k = 0; k < n; k++) {
			const struct gen_enc *e = vec_at(&g->encs, (uint32_t)t->enc.v[s + k]);

			for (q = 0; q < gen_enc_nanswers; q++) {
				int asked = (e->answers >> (2 * q)) & 1, y = (e->answers >> (2 * q + 1)) & 1;

				/* knows_address counts when the answer is "no". */
				if (asked && (strcmp(gen_enc_answer_name[q], "knows_address") == 0 ? !y : y))
					yes |= 1u << q;
			}
		}
		sbuf_adds(b, ",\"indicators\":[");
		for (q = 0; q < gen_enc_nanswers; q++) {
			if (!(yes & (1u << q)))
				continue;
			if (!fi)
				sbuf_addc(b, ',');
			fi = 0;
			if (strcmp(gen_enc_answer_name[q], "knows_address") == 0)
				gb_json_str(b, "does_not_know_address");
			else
				gb_json_str(b, gen_enc_answer_name[q]);
		}
		s = index_find(&t->acct, (uint32_t)i, &n);
		for (k = 0; k < n; k++) {
			if (gen_A(g, (uint32_t)t->acct.v[s + k])->flags & A_KYC_CTRL) {
				if (!fi)
					sbuf_addc(b, ',');
				fi = 0;
				gb_json_str(b, "account_kyc_shows_controller_phone_address");
				break;
			}
		}
		if (p->flags & P_MINOR) { /* the last item: fi is not needed after it */
			if (!fi)
				sbuf_addc(b, ',');
			gb_json_str(b, "minor");
		}
		sbuf_adds(b, "]}");
	}
	sbuf_adds(b, "\n ]");
}

static void write_lookalikes(struct truth *t)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} beh[] = {
		{ P_TRAVELLER, "frequent_traveller" }, { P_NIGHT, "night_worker" },
		{ P_ISW, "independent_adult_escort" }, { P_PAYS_OTHER, "pays_relatives_rent_and_phone" },
		{ P_FAMILY_PHONES, "family_phone_plan" }, { P_BORDER, "border_commuter" },
		{ P_POOL, "family_remittance_pool" },
	};
	gen_t *g = t->g;
	struct sbuf *b = B(t);
	size_t i, k;
	int first = 1;

	sbuf_adds(b, ",\n \"lookalikes\": [");
	for (i = 0; i < g->persons.len; i++) {
		const struct gen_person *p = gen_P(g, (uint32_t)i);
		int fb = 1;

		if (!(p->flags & P_LOOKALIKE) || (p->flags & P_ABROAD))
			continue;
		sbuf_adds(b, first ? "\n  {\"person\":\"" : ",\n  {\"person\":\"");
		first = 0;
		person_id(b, (uint32_t)i);
		sbuf_adds(b, "\",\"behaviours\":[");
		for (k = 0; k < sizeof beh / sizeof beh[0]; k++) {
			if (!(p->flags & beh[k].bit))
				continue;
			if (!fb)
				sbuf_addc(b, ',');
			fb = 0;
			gb_json_str(b, beh[k].name);
		}
		sbuf_adds(b, "],\"accounts\":");
		id_list(t, &t->acct, (uint32_t)i, acct_str);
		sbuf_addc(b, '}');
	}
	for (i = 0; i < g->bizs.len; i++) {
		const struct gen_biz *bz = gen_B(g, (uint32_t)i);
		const char *what = NULL;

		if (bz->flags & B_NETWORK)
			continue;
		if (bz->kind == BK_MSB)
			what = "licensed_money_transmitter";
		else if ((bz->flags & B_LOOKALIKE) && bz->kind == BK_FARM)
			what = "h2a_employer_pays_visa_fees";
		else if (bz->flags & B_CASH_HEAVY)
			what = "cash_intensive_business";
		if (!what || bz->acct == GEN_NONE)
			continue;
		sbuf_adds(b, first ? "\n  {\"business\":" : ",\n  {\"business\":");
		first = 0;
		sbuf_addf(b, "\"B%07u\",\"name\":", (unsigned)i);
		gb_json_str(b, bz->name);
		sbuf_adds(b, ",\"behaviours\":[");
		gb_json_str(b, what);
		sbuf_adds(b, "],\"accounts\":[");
		gb_json_str(b, gen_A(g, bz->acct)->num);
		sbuf_adds(b, "]}");
	}
	sbuf_adds(b, "\n ]");
}

void gen_truth_ads(gen_t *g, struct gen_out *o);

int gen_write_truth(gen_t *g)
{
	struct truth t;
	size_t i;
	int rc;
	char start[16];

	memset(&t, 0, sizeof t);
	t.g = g;
	sbuf_init(&t.tmp);
	if (index_build(&t.acct, g->accounts.len) || index_build(&t.rec, g->recs.len) ||
	    index_build(&t.enc, g->encs.len) || index_build(&t.adp, g->ads.len * 2)) {
		rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < g->accounts.len; i++)
		if (gen_A(g, (uint32_t)i)->hkind == H_PERSON)
			index_add(&t.acct, gen_A(g, (uint32_t)i)->holder, (uint32_t)i);
	for (i = 0; i < g->recs.len; i++)
		index_add(&t.rec, ((struct gen_rec *)vec_at(&g->recs, i))->person, (uint32_t)i);
	for (i = 0; i < g->encs.len; i++)
		index_add(&t.enc, ((struct gen_enc *)vec_at(&g->encs, i))->person, (uint32_t)i);
	for (i = 0; i < g->ads.len; i++) {
		const struct gen_ad *a = vec_at(&g->ads, i);

		if (a->poster != GEN_NONE)
			index_add(&t.adp, a->poster, (uint32_t)i);
		if (a->person != GEN_NONE && a->person != a->poster)
			index_add(&t.adp, a->person, (uint32_t)i);
	}
	index_sort(&t.acct);
	index_sort(&t.rec);
	index_sort(&t.enc);
	index_sort(&t.adp);
	rc = gout_open(g, &t.o, "truth.json");
	if (rc)
		goto out;
	format_date(g->k.start_day * 86400, start);
	sbuf_adds(B(&t), "{\n \"format\": \"rastro-truth\",\n \"version\": 1,\n \"generator\": {");
	sbuf_addf(B(&t), "\"seed\":%llu,\"scale\":%g,\"people\":%u,\"days\":%d,\"start\":\"%s\",\"difficulty\":",
		  (unsigned long long)g->k.seed, g->k.scale, g->nbase, g->k.days, start);
	gb_json_str(B(&t), g->k.difficulty);
	sbuf_addf(B(&t), ",\"knobs\":{\"lookalike_share\":%g,\"name_noise\":%g,\"missing_share\":%g,"
			 "\"obfuscation_share\":%g,\"kyc_link_share\":%g,\"stealth\":%g,\"ad_variation\":%g,"
			 "\"benign_ads_ratio\":%g,\"record_share\":%g,\"dup_share\":%g,\"ctr_threshold\":%g}},\n",
		  g->k.lookalike_share, g->k.name_noise, g->k.missing_share, g->k.obfuscation_share,
		  g->k.kyc_link_share, g->k.stealth, g->k.ad_variation, g->k.benign_ads_ratio, g->k.record_share,
		  g->k.dup_share, g->k.ctr_threshold);
	sbuf_adds(B(&t), " \"files\": {\"transactions\":\"transactions.csv\",\"accounts\":\"accounts.csv\","
			 "\"persons\":{");
	for (i = 0; i < AG_N; i++)
		sbuf_addf(B(&t), "%s\"%s\":\"persons_%s.csv\"", i ? "," : "", gen_agency_code[i], gen_agency_code[i]);
	sbuf_adds(B(&t), "},\"encounters\":\"encounters.csv\",\"ads\":\"ads.jsonl\",\"providers\":\"providers.csv\"},\n");
	sbuf_addf(B(&t), " \"counts\": {\"persons\":%zu,\"businesses\":%zu,\"accounts\":%zu,\"transactions\":%llu,"
			 "\"illicit_transactions\":%llu,\"networks\":%zu,\"person_records\":%zu,\"encounters\":%zu,"
			 "\"ads\":%zu},\n",
		  g->persons.len, g->bizs.len, g->accounts.len, (unsigned long long)g->stats->transactions,
		  (unsigned long long)g->stats->illicit_transactions, g->nets.len, g->recs.len, g->encs.len, g->ads.len);
	sbuf_adds(B(&t), " \"networks\": [");
	for (i = 0; i < g->nets.len && !rc; i++) {
		write_net(&t, (uint32_t)i);
		rc = gout_maybe_flush(g, &t.o);
	}
	if (!rc) {
		write_same_person(&t);
		rc = gout_maybe_flush(g, &t.o);
	}
	if (!rc) {
		write_victims(&t);
		gen_truth_ads(g, &t.o);
		write_lookalikes(&t);
		sbuf_adds(B(&t), "\n}\n");
	}
	if (rc || sbuf_failed(B(&t))) {
		gout_abort(&t.o);
		if (!rc)
			rc = gen_fail(g, RASTRO_NOMEM, "out of memory");
	} else {
		rc = gout_close(g, &t.o);
	}
out:
	mem_free(t.acct.v);
	mem_free(t.rec.v);
	mem_free(t.enc.v);
	mem_free(t.adp.v);
	sbuf_release(&t.tmp);
	return rc;
}
