/*
 * det_ident: account identifiers — a phone, email or address on file for
 * many unrelated customers (FIN-2020-A008 behavioural indicators), and
 * account phones or emails that appear in online ads (FIN-2020-A008:
 * identifiers linked to commercial-sex advertisements).  The second joins
 * KYC with the ads module's `phone` / `email` entities and their `lists`
 * edges; both compare identifiers in the normalised forms of
 * src/normalize (E.164 phones, normalised emails).
 *
 * Victim-centred attribution: accounts that share a controller's phone are
 * often the controlled people's.  When money links show who controls the
 * group (the member that receives from or pays the others most), the signal
 * is that member's and the others are listed as `affected`; when nobody
 * can be singled out, the signal names no account (entity NULL) and every
 * member is `affected`, so no one is scored as a suspect on this alone.
 */
#include "fin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

int fin_idpair_cmp(const void *a, const void *b)
{
	const struct fin_idpair *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->acc < y->acc ? -1 : x->acc > y->acc;
}

/* Name words of 3+ letters, lower-cased, into words[] (at most 8). */
static size_t name_words(const char *s, char words[8][32])
{
	size_t n = 0, k = 0;

	for (;; s++) {
		unsigned char c = (unsigned char)*s;
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;

		if (letter && k < 31) {
			words[n][k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		} else if (!letter) {
			if (k >= 3 && n < 8) {
				words[n][k] = '\0';
				n++;
			}
			k = 0;
			if (!c || n == 8)
				break;
		}
	}
	return n;
}

static int share_word(char a[8][32], size_t na, char b[8][32], size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (strcmp(a[i], b[j]) == 0)
				return 1;
	return 0;
}

/*
 * Unrelated members: a greedy set of members with different customers whose
 * names share no word (family members usually share a surname).
 */
static uint32_t unrelated(const struct fin_data *d, const struct fin_idpair *g, size_t n)
{
	static const size_t cap = 64;
	char (*words)[8][32];
	size_t *nw, i, j, chosen[64], nc = 0;

	if (n > cap)
		n = cap;
	words = mem_alloc(n * sizeof *words);
	nw = mem_alloc(n * sizeof *nw);
	if (!words || !nw) {
		mem_free(words);
		mem_free(nw);
		return 0;
	}
	for (i = 0; i < n; i++)
		nw[i] = name_words(fin_strv(d, d->k_name[g[i].acc] ? d->k_name[g[i].acc] : d->acc_label[g[i].acc]),
				   words[i]);
	for (i = 0; i < n; i++) {
		int ok = 1;

		for (j = 0; j < nc && ok; j++) {
			size_t c = chosen[j];

			/* the same customer, or a shared name word */
			if ((d->k_customer[g[i].acc] && d->k_customer[g[i].acc] == d->k_customer[g[c].acc]) ||
			    share_word(words[i], nw[i], words[c], nw[c]))
				ok = 0;
		}
		if (ok)
			chosen[nc++] = i;
	}
	mem_free(words);
	mem_free(nw);
	return (uint32_t)nc;
}

/*
 * The member the money points to: most transfers received from other
 * members, then most paid to them; FIN_NONE when members never transact
 * with each other.  Linking transfers go to x->tmp32.
 */
static uint32_t controller(const struct fin_data *d, const struct fin_idpair *g, size_t n,
			   struct fin_scratch *x, int *err)
{
	uint32_t st = fin_stamp(x), best = FIN_NONE, best_in = 0, best_out = 0;
	size_t i, k;

	for (i = 0; i < n; i++)
		x->acc_mark[g[i].acc] = st;
	x->tmp32.len = 0;
	for (i = 0; i < n; i++) {
		uint32_t a = g[i].acc, nin = 0, nout = 0;
		const uint32_t *il = d->in_tx + d->in_off[a], *ol = d->out_tx + d->out_off[a];
		size_t ni = d->in_off[a + 1] - d->in_off[a], no = d->out_off[a + 1] - d->out_off[a];

		for (k = 0; k < ni; k++)
			if (fin_is_transfer(d, il[k]) && x->acc_mark[d->src[il[k]]] == st) {
				nin++;
				if (vec_push(&x->tmp32, &il[k]))
					*err = 1;
			}
		for (k = 0; k < no; k++)
			if (fin_is_transfer(d, ol[k]) && x->acc_mark[d->dst[ol[k]]] == st)
				nout++;
		if (nin > best_in || (nin == best_in && nin && nout > best_out)) {
			best = a;
			best_in = nin;
			best_out = nout;
		}
	}
	if (!best_in) {
		/* nobody receives from the others: the one paying them, if any */
		for (i = 0; i < n; i++) {
			uint32_t a = g[i].acc, nout = 0;
			const uint32_t *ol = d->out_tx + d->out_off[a];
			size_t no = d->out_off[a + 1] - d->out_off[a];

			for (k = 0; k < no; k++)
				if (fin_is_transfer(d, ol[k]) && x->acc_mark[d->dst[ol[k]]] == st) {
					nout++;
					if (vec_push(&x->tmp32, &ol[k]))
						*err = 1;
				}
			if (nout > best_out) {
				best = a;
				best_out = nout;
			}
		}
	}
	return best;
}

/* ---- FIN.SHARED_IDENTIFIER ---- */

struct si_p {
	int det;
	uint32_t min_phone, min_email, min_address, max_group;
};

static int si_prepare(struct fin_run *r, void **state)
{
	struct si_p *p = mem_calloc(1, sizeof *p);

	if (!p)
		return RASTRO_NOMEM;
	p->det = fin_detector_find("FIN.SHARED_IDENTIFIER");
	p->min_phone = (uint32_t)fin_param_int(r, p->det, "min_accounts_phone", 3);
	p->min_email = (uint32_t)fin_param_int(r, p->det, "min_accounts_email", 3);
	p->min_address = (uint32_t)fin_param_int(r, p->det, "min_accounts_address", 5);
	p->max_group = (uint32_t)fin_param_int(r, p->det, "max_group", 500);
	*state = p;
	return 0;
}

static int si_global(struct fin_run *r, const void *st, struct fin_scratch *x, struct fin_sink *out)
{
	const struct si_p *p = st;
	const struct fin_data *d = r->d;
	const struct {
		const char *what;
		const uint32_t *col;
		uint32_t min;
	} kinds[] = {
		{ "phone", d->k_phone, p->min_phone },
		{ "email", d->k_email, p->min_email },
		{ "address", d->k_address, p->min_address },
	};
	struct vec pairs;
	size_t kind, i;
	int rc = 0;

	vec_init(&pairs, sizeof(struct fin_idpair));
	for (kind = 0; kind < 3 && !rc; kind++) {
		struct fin_idpair *g;

		pairs.len = 0;
		for (i = 0; i < d->nacc; i++)
			if (kinds[kind].col[i]) {
				struct fin_idpair ip = { kinds[kind].col[i], (uint32_t)i };

				if (vec_push(&pairs, &ip)) {
					rc = RASTRO_NOMEM;
					break;
				}
			}
		if (rc || pairs.len < kinds[kind].min)
			continue;
		if (pairs.len > 1)
			qsort(pairs.data, pairs.len, sizeof(struct fin_idpair), fin_idpair_cmp);
		g = pairs.data;
		for (i = 0; i < pairs.len && !rc;) {
			size_t j = i, k, n;
			uint32_t un, boss;
			int err = 0;
			struct fin_sigb b;

			while (j < pairs.len && g[j].id == g[i].id)
				j++;
			n = j - i;
			if (n < kinds[kind].min || n > p->max_group) {
				i = j;
				continue;
			}
			un = unrelated(d, g + i, n);
			if (un < kinds[kind].min) {
				i = j;
				continue;
			}
			boss = controller(d, g + i, n, x, &err);
			if (err) {
				rc = RASTRO_NOMEM;
				break;
			}
			fin_sig_begin(&b, out, p->det, boss, fin_strength(un, kinds[kind].min, 3.0 * kinds[kind].min));
			for (k = 0; k < x->tmp32.len; k++)
				fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[k]);
			for (k = i; k < j; k++) {
				if (d->k_record[g[k].acc])
					fin_sig_rec(&b, d->k_record[g[k].acc]);
				if (g[k].acc != boss)
					fin_sig_aff(&b, g[k].acc);
			}
			fin_sig_str(&b, "identifier_kind", kinds[kind].what);
			fin_sig_str(&b, "identifier", fin_strv(d, g[i].id));
			fin_sig_int(&b, "accounts", (long long)n);
			fin_sig_int(&b, "unrelated_customers", un);
			fin_sig_int(&b, "min_accounts", kinds[kind].min);
			fin_sig_str(&b, "attribution", boss == FIN_NONE ? "none: no money links between the accounts"
								   : "the account the others' money goes to");
			if (boss != FIN_NONE)
				fin_sig_say(&b, "The %s on file for account %s is also on file for %zu other accounts of %u "
					    "unrelated customers, and money moves from those accounts to this one.",
					    kinds[kind].what, fin_acc_name(d, boss), n - 1, un);
			else
				fin_sig_say(&b, "One %s is on file for %zu accounts of %u unrelated customers (no account "
					    "among them stands out as controlling the others).", kinds[kind].what, n, un);
			fin_sig_end(&b, d, r->max_evidence);
			if (out->failed)
				rc = RASTRO_NOMEM;
			i = j;
		}
	}
	vec_release(&pairs);
	return rc;
}

/* ---- FIN.AD_IDENTIFIER ---- */

struct adref {
	uint32_t id;        /* identifier string id in fin_data */
	int64_t ad;         /* ad entity */
	int64_t record;     /* record that justified the lists edge (0 if none) */
};

struct ai_p {
	int det;
	uint32_t min_ads;
	struct adref *refs; /* sorted by identifier */
	size_t nrefs;
	uint64_t phones_listed, emails_listed;
};

static void ai_release(void *state)
{
	struct ai_p *p = state;

	mem_free(p->refs);
	mem_free(p);
}

static int cmp_adref(const void *a, const void *b)
{
	const struct adref *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->ad != y->ad)
		return x->ad < y->ad ? -1 : 1;
	return x->record < y->record ? -1 : x->record > y->record;
}

static int ai_prepare(struct fin_run *r, void **state)
{
	rastro_ws *ws = r->ws;
	const struct fin_data *d = r->d;
	struct ai_p *p = mem_calloc(1, sizeof *p);
	sqlite3_stmt *st;
	struct vec refs;
	int rc;

	if (!p)
		return RASTRO_NOMEM;
	*state = p;
	p->det = fin_detector_find("FIN.AD_IDENTIFIER");
	p->min_ads = (uint32_t)fin_param_int(r, p->det, "min_ads", 1);
	vec_init(&refs, sizeof(struct adref));
	/* identifiers that ads list (the ads module's entities and edges);
	 * only those also on file in KYC matter, so look each key up in the
	 * interned KYC values */
	if (ws_prepare(ws, "SELECT e.key, l.src, l.record_id FROM edge l JOIN entity e ON e.id = l.dst"
			   " WHERE l.type = 'lists' AND e.kind IN ('phone', 'email')", &st))
		return ws->err.code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		struct adref ar;

		ar.id = key ? strmap_find(&d->strs, key, (size_t)sqlite3_column_bytes(st, 0)) : 0;
		if (!ar.id)
			continue;
		ar.ad = sqlite3_column_int64(st, 1);
		ar.record = sqlite3_column_int64(st, 2);
		if (vec_push(&refs, &ar)) {
			sqlite3_finalize(st);
			vec_release(&refs);
			return RASTRO_NOMEM;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		vec_release(&refs);
		return ws_sqlerr(ws, "reading identifiers listed in ads");
	}
	if (refs.len > 1)
		qsort(refs.data, refs.len, sizeof(struct adref), cmp_adref);
	p->refs = refs.data;
	p->nrefs = refs.len;
	return 0;
}

static size_t ai_lookup(const struct ai_p *p, uint32_t id, size_t *n)
{
	size_t lo = 0, hi = p->nrefs, s;

	*n = 0;
	if (!id)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->refs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	s = lo;
	while (lo < p->nrefs && p->refs[lo].id == id)
		lo++;
	*n = lo - s;
	return s;
}

static int ai_global(struct fin_run *r, const void *st, struct fin_scratch *x, struct fin_sink *out)
{
	const struct ai_p *p = st;
	const struct fin_data *d = r->d;
	struct vec pairs;
	size_t i, kind;
	int rc = 0;

	if (!p->nrefs)
		return 0;
	vec_init(&pairs, sizeof(struct fin_idpair));
	/* accounts grouped by each ad-listed identifier on file for them */
	for (kind = 0; kind < 2; kind++) {
		const uint32_t *col = kind ? d->k_email : d->k_phone;

		for (i = 0; i < d->nacc; i++) {
			size_t n;

			ai_lookup(p, col[i], &n);
			if (n) {
				struct fin_idpair ip = { col[i], (uint32_t)i };

				if (vec_push(&pairs, &ip)) {
					vec_release(&pairs);
					return RASTRO_NOMEM;
				}
			}
		}
	}
	if (pairs.len > 1)
		qsort(pairs.data, pairs.len, sizeof(struct fin_idpair), fin_idpair_cmp);
	{
		const struct fin_idpair *g = pairs.data;

		for (i = 0; i < pairs.len && !rc;) {
			size_t j = i, k, n, s, nads = 0;
			uint32_t subj;
			int err = 0;
			struct fin_sigb b;
			int64_t last_ad = -1;
			const char *key = fin_strv(d, g[i].id);
			int is_email = strchr(key, '@') != NULL;

			while (j < pairs.len && g[j].id == g[i].id)
				j++;
			s = ai_lookup(p, g[i].id, &n);
			for (k = s; k < s + n; k++)
				if (p->refs[k].ad != last_ad) {
					nads++;
					last_ad = p->refs[k].ad;
				}
			if (nads < p->min_ads) {
				i = j;
				continue;
			}
			/* one account: it is the subject; several sharing it:
			 * the controlling one, as for shared identifiers */
			x->tmp32.len = 0;
			subj = j - i == 1 ? g[i].acc : controller(d, g + i, j - i, x, &err);
			if (err) {
				rc = RASTRO_NOMEM;
				break;
			}
			fin_sig_begin(&b, out, p->det, subj, fin_strength((double)nads, p->min_ads, 10.0 * p->min_ads));
			for (k = 0; k < x->tmp32.len; k++)
				fin_sig_ev(&b, ((uint32_t *)x->tmp32.data)[k]);
			for (k = i; k < j; k++) {
				if (d->k_record[g[k].acc])
					fin_sig_rec(&b, d->k_record[g[k].acc]);
				if (g[k].acc != subj)
					fin_sig_aff(&b, g[k].acc);
			}
			for (k = s; k < s + n && k < s + 50; k++)
				if (p->refs[k].record)
					fin_sig_rec(&b, p->refs[k].record);
			fin_sig_str(&b, "identifier_kind", is_email ? "email" : "phone");
			fin_sig_str(&b, "identifier", key);
			fin_sig_int(&b, "ads", (long long)nads);
			fin_sig_int(&b, "accounts", (long long)(j - i));
			if (subj != FIN_NONE)
				fin_sig_say(&b, "The %s on file for account %s (%s) appears in %zu online ad%s%s.",
					    is_email ? "email" : "phone", fin_acc_name(d, subj), key, nads,
					    nads == 1 ? "" : "s",
					    j - i > 1 ? ", and other customers' accounts share it" : "");
			else
				fin_sig_say(&b, "The %s %s, on file for %zu accounts, appears in %zu online ad%s.",
					    is_email ? "email" : "phone", key, j - i, nads, nads == 1 ? "" : "s");
			fin_sig_end(&b, d, r->max_evidence);
			if (out->failed)
				rc = RASTRO_NOMEM;
			i = j;
		}
	}
	vec_release(&pairs);
	return rc;
}

const struct fin_detector fin_det_ident[] = {
	{ "FIN.SHARED_IDENTIFIER", "shared_identifier", TY_HT,
	  "FIN-2020-A008 behavioural indicators (one phone, email or address shared by many unrelated "
	  "customers; a third party in control of others' accounts)",
	  "one phone, email or address on file for many unrelated customers", si_prepare, NULL, si_global, NULL, NULL },
	{ "FIN.AD_IDENTIFIER", "ad_identifier", TY_HT,
	  "FIN-2020-A008 financial indicator (account identifiers such as phone numbers or emails linked "
	  "to online commercial-sex advertisements)",
	  "account phone or email appears in online ads", ai_prepare, NULL, ai_global, ai_release, NULL },
};
const size_t fin_det_ident_n = sizeof fin_det_ident / sizeof fin_det_ident[0];
