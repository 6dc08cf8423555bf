/*
 * net_graph: builds the link graph of a workspace into compact arrays.
 *
 * Nodes are the workspace's entities in ascending id.  Edges are the rows
 * of `edge` (every stage: resolution's holds/uses_phone/same_as..., the ads
 * module's lists/posted_by...), parallel rows of one (source, target, type)
 * merged with a count, plus one `paid` edge per ordered account pair of
 * `txn` carrying the number of payments, their total and the first and last
 * time, and how many of those payments' memos name a ride, fuel or a toll
 * (the transport lexicon, for the transporter rule).  Cash in and out (no
 * counterparty) feed per-node figures only.  Transactions are stepped by a
 * reader thread into a ring of batches and aggregated here in the order
 * read; everything is read in rowid order, so the same workspace gives the
 * same arrays.
 */
#include "net.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/strmap.h"
#include "core/u64map.h"
#include "text/lexicon.h"

const char *const net_role_name[NR_N] = {
	"", "potential_victim", "organiser", "money_mover", "recruiter", "transporter",
	"facilitator", "buyer", "associate", "identifier", "ad",
};

int net_role_of(const char *name)
{
	int i;

	for (i = 1; i < NR_N; i++)
		if (strcmp(name, net_role_name[i]) == 0)
			return i;
	return NR_NONE;
}

int net_role_suspect(int role)
{
	return role >= NR_ORGANISER && role <= NR_ASSOCIATE;
}

int net_name_find(const struct net_names *t, const char *s)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (strncmp(t->name[i], s, NET_NAMELEN - 1) == 0 && strlen(s) < NET_NAMELEN)
			return i;
	return -1;
}

int net_name_intern(struct net_names *t, const char *s)
{
	int i = net_name_find(t, s);

	if (i >= 0)
		return i;
	if (t->n >= NET_MAXNAMES || strlen(s) >= NET_NAMELEN)
		return -1;
	snprintf(t->name[t->n], NET_NAMELEN, "%s", s);
	return t->n++;
}

static int edges_reserve(struct net_graph *g, uint64_t need)
{
	uint64_t cap = g->ecap ? g->ecap : 1024;

	if (need <= g->ecap)
		return 0;
	while (cap < need)
		cap *= 2;
#define GROW(f) do { void *p_ = mem_realloc(g->f, cap * sizeof *g->f); if (!p_) return -1; g->f = p_; } while (0)
	GROW(esrc);
	GROW(edst);
	GROW(etype);
	GROW(ecount);
	GROW(eamount);
	GROW(et0);
	GROW(et1);
	GROW(eweight);
	GROW(erec);
	GROW(eride);
#undef GROW
	g->ecap = cap;
	return 0;
}

struct net_graph *net_graph_new(uint32_t n, const int64_t *ent)
{
	struct net_graph *g = mem_calloc(1, sizeof *g);

	if (!g)
		return NULL;
	g->n = n;
	g->paid_type = -1;
	g->max_ts = NET_NOTIME;
	g->ent = mem_alloc((n ? n : 1) * sizeof *g->ent);
	g->kind = mem_calloc(n ? n : 1, 1);
	if (!g->ent || !g->kind) {
		net_graph_free(g);
		return NULL;
	}
	if (ent)
		memcpy(g->ent, ent, n * sizeof *g->ent);
	return g;
}

static uint64_t add_edge_raw(struct net_graph *g, uint32_t s, uint32_t d, int type, uint32_t count, double amount,
			     int64_t t0, int64_t t1, int64_t rec)
{
	uint64_t e = g->m;

	if (edges_reserve(g, g->m + 1))
		return UINT64_MAX;
	g->esrc[e] = s;
	g->edst[e] = d;
	g->etype[e] = (uint8_t)type;
	g->ecount[e] = count;
	g->eamount[e] = amount;
	g->et0[e] = t0;
	g->et1[e] = t1;
	g->eweight[e] = 1.0f;
	g->erec[e] = rec;
	g->eride[e] = 0;
	g->m++;
	return e;
}

int net_graph_add_edge(struct net_graph *g, uint32_t s, uint32_t d, const char *type, uint32_t count,
		       double amount, int64_t t0, int64_t t1, int64_t rec)
{
	int t = net_name_intern(&g->types, type);

	if (t < 0 || s >= g->n || d >= g->n)
		return -1;
	if (strcmp(type, "paid") == 0)
		g->paid_type = t;
	return add_edge_raw(g, s, d, t, count, amount, t0, t1, rec) == UINT64_MAX ? -1 : 0;
}

void net_graph_free(struct net_graph *g)
{
	if (!g)
		return;
	if (g->map) {
		net_cache_unmap(g);
		mem_free(g);
		return;
	}
	mem_free(g->ent);
	mem_free(g->kind);
	mem_free(g->esrc);
	mem_free(g->edst);
	mem_free(g->etype);
	mem_free(g->ecount);
	mem_free(g->eamount);
	mem_free(g->et0);
	mem_free(g->et1);
	mem_free(g->eweight);
	mem_free(g->erec);
	mem_free(g->eride);
	mem_free(g->off);
	mem_free(g->adj);
	mem_free(g->adje);
	mem_free(g->ndeg);
	mem_free(g->hub);
	mem_free(g->net);
	mem_free(g->role);
	mem_free(g->st);
	mem_free(g);
}

uint32_t net_node_of(const struct net_graph *g, int64_t entity)
{
	uint32_t lo = 0, hi = g->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (g->ent[mid] < entity)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n && g->ent[lo] == entity ? lo : NET_NONE;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void sort_u64(uint64_t *a, size_t n)
{
	size_t i, j;

	if (n > 24) {
		qsort(a, n, sizeof *a, cmp_u64);
		return;
	}
	for (i = 1; i < n; i++) {
		uint64_t v = a[i];

		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

int net_graph_finish(struct net_graph *g)
{
	uint64_t *pos = NULL, *tmp = NULL, e, total;
	uint32_t i;
	size_t maxdeg = 0;

	g->off = mem_calloc((size_t)g->n + 1, sizeof *g->off);
	g->ndeg = mem_calloc(g->n ? g->n : 1, sizeof *g->ndeg);
	g->hub = mem_calloc(g->n ? g->n : 1, 1);
	g->net = mem_calloc(g->n ? g->n : 1, sizeof *g->net);
	g->role = mem_calloc(g->n ? g->n : 1, 1);
	if (!g->off || !g->ndeg || !g->hub || !g->net || !g->role)
		return -1;
	for (e = 0; e < g->m; e++) {
		if (g->esrc[e] == g->edst[e])
			continue;
		g->off[g->esrc[e] + 1]++;
		g->off[g->edst[e] + 1]++;
	}
	for (i = 0; i < g->n; i++) {
		if (g->off[i + 1] > maxdeg)
			maxdeg = g->off[i + 1];
		g->off[i + 1] += g->off[i];
	}
	total = g->off[g->n];
	g->adj = mem_alloc((total ? total : 1) * sizeof *g->adj);
	g->adje = mem_alloc((total ? total : 1) * sizeof *g->adje);
	pos = mem_alloc(((size_t)g->n + 1) * sizeof *pos);
	tmp = mem_alloc((maxdeg ? maxdeg : 1) * sizeof *tmp);
	if (!g->adj || !g->adje || !pos || !tmp) {
		mem_free(pos);
		mem_free(tmp);
		return -1;
	}
	memcpy(pos, g->off, ((size_t)g->n + 1) * sizeof *pos);
	for (e = 0; e < g->m; e++) {
		uint32_t s = g->esrc[e], d = g->edst[e];

		if (s == d)
			continue;
		g->adj[pos[s]] = d;
		g->adje[pos[s]++] = (uint32_t)e;
		g->adj[pos[d]] = s;
		g->adje[pos[d]++] = (uint32_t)e;
	}
	/* Incidences sorted by (neighbour, edge): deterministic traversal and
	 * distinct neighbours counted in one sweep. */
	for (i = 0; i < g->n; i++) {
		uint64_t a = g->off[i], b = g->off[i + 1], k;
		uint32_t distinct = 0;

		if (b - a > 1) {
			for (k = a; k < b; k++)
				tmp[k - a] = (uint64_t)g->adj[k] << 32 | g->adje[k];
			sort_u64(tmp, b - a);
			for (k = a; k < b; k++) {
				g->adj[k] = (uint32_t)(tmp[k - a] >> 32);
				g->adje[k] = (uint32_t)tmp[k - a];
			}
		}
		for (k = a; k < b; k++)
			distinct += k == a || g->adj[k] != g->adj[k - 1];
		g->ndeg[i] = distinct;
	}
	mem_free(pos);
	mem_free(tmp);
	return 0;
}

/* Transaction categories the role rules count, grouped (settings
 * network.categories.GROUP). */
static const char *const catg_key[CG_N] = {
	"network.categories.travel", "network.categories.lodging", "network.categories.rent",
	"network.categories.ads", "network.categories.recruitment", "network.categories.payroll",
};
static const char *const catg_default[CG_N] = {
	"rideshare,airline,bus,taxi,car_rental,travel,transport",
	"lodging,hotel,motel",
	"rent",
	"escort_ads,classifieds,advertising",
	"recruitment_fee,visa_fee",
	"payroll",
};

static int load_categories(rastro_ws *ws, struct strmap *m, int8_t *group_of, size_t ngroup_of)
{
	int gi;

	for (gi = 0; gi < CG_N; gi++) {
		size_t n = cfg_array_len(ws->cfg, catg_key[gi]), i;

		if (n) {
			for (i = 0; i < n; i++) {
				const char *s = cfg_array_str(ws->cfg, catg_key[gi], i);
				int64_t *v;

				if (!s)
					continue;
				if (!(v = strmap_intern_value(m, s, strlen(s), NULL)))
					return -1;
				*v = gi + 1;
			}
		} else {
			const char *p = catg_default[gi];

			while (*p) {
				const char *c = strchr(p, ',');
				size_t len = c ? (size_t)(c - p) : strlen(p);
				int64_t *v = strmap_intern_value(m, p, len, NULL);

				if (!v)
					return -1;
				*v = gi + 1;
				p += len + (c != NULL);
			}
		}
	}
	{
		size_t id;

		for (id = 1; id <= strmap_count(m) && id < ngroup_of; id++) {
			size_t len;
			const char *k = strmap_key(m, (uint32_t)id, &len);
			int64_t *v = strmap_intern_value(m, k, len, NULL);

			group_of[id] = v ? (int8_t)(*v - 1) : -1;
		}
	}
	return 0;
}

/* The transport lexicon (network.roles.transport_lexicon; "" = none): memos
 * of payments for rides, fuel and tolls, counted per money link for the
 * transporter rule. */
static int load_transport_lexicon(rastro_ws *ws, struct lexicon **lx, struct lex_scanner **sc)
{
	const char *lex = cfg_str(ws->cfg, "network.roles.transport_lexicon", "lexicons/net_memo_transport.tsv");
	char path[1024];
	struct rs_err err;

	*lx = NULL;
	*sc = NULL;
	if (!lex[0])
		return 0;
	if (ws_data_path(path, sizeof path, lex))
		return ws_error(ws, RASTRO_USAGE, "network.roles.transport_lexicon: path too long");
	err_clear(&err);
	{
		const char *paths[1] = { path };

		*lx = lex_load(paths, 1, &err);
	}
	if (!*lx)
		return ws_error(ws, err.code ? err.code : RASTRO_ERROR, "%s", err.msg);
	if (!(*sc = lex_scanner_new(*lx, &err))) {
		lex_free(*lx);
		*lx = NULL;
		return ws_error(ws, err.code ? err.code : RASTRO_NOMEM, "%s", err.msg);
	}
	return 0;
}

#define SCAN_STOP 1000   /* not a rastro error code */

static int any_match(void *user, const struct lex_match *m)
{
	(void)m;
	*(int *)user = 1;
	return SCAN_STOP;   /* one match is enough */
}

static void see_time(struct net_graph *g, struct net_nstat *s, int64_t t)
{
	if (t == NET_NOTIME)
		return;
	if (s->t0 == NET_NOTIME || t < s->t0)
		s->t0 = t;
	if (s->t1 == NET_NOTIME || t > s->t1)
		s->t1 = t;
	if (g->max_ts == NET_NOTIME || t > g->max_ts)
		g->max_ts = t;
}

/* Chains of edges per node pair, for merging parallel rows of one type. */
struct pairs {
	struct u64map head;   /* (s << 32 | d) -> first edge + 1 */
	uint32_t *next;       /* next edge of the same pair + 1 (0 = end) */
	uint64_t cap;
};

static uint64_t pair_find(struct net_graph *g, struct pairs *P, uint32_t s, uint32_t d, int type, int *is_new)
{
	uint64_t key = (uint64_t)s << 32 | d, *ref, e;
	int created;

	ref = u64map_ref(&P->head, key, &created);
	if (!ref)
		return UINT64_MAX;
	for (e = *ref; e; e = P->next[e - 1])
		if (g->etype[e - 1] == type) {
			*is_new = 0;
			return e - 1;
		}
	*is_new = 1;
	e = add_edge_raw(g, s, d, type, 0, 0, NET_NOTIME, NET_NOTIME, 0);
	if (e == UINT64_MAX)
		return e;
	if (g->m > P->cap) {
		uint64_t cap = P->cap ? P->cap * 2 : 1024;
		uint32_t *nn;

		while (cap < g->m)
			cap *= 2;
		if (!(nn = mem_realloc(P->next, cap * sizeof *nn)))
			return UINT64_MAX;
		P->next = nn;
		P->cap = cap;
	}
	P->next[e] = (uint32_t)*ref;
	*ref = e + 1;
	return e;
}

static void merge_time(struct net_graph *g, uint64_t e, int64_t t)
{
	if (t == NET_NOTIME)
		return;
	if (g->et0[e] == NET_NOTIME || t < g->et0[e])
		g->et0[e] = t;
	if (g->et1[e] == NET_NOTIME || t > g->et1[e])
		g->et1[e] = t;
}

/* One transaction as read, before its ends are looked up. */
struct txrow {
	int64_t src, dst;   /* entity ids; 0 = none (cash) */
	int64_t ts, id;
	double amt;
	int8_t cg;          /* category group, -1 = none */
	uint8_t catd;       /* carries a category, grouped or not */
	uint8_t ride;       /* memo names a ride, fuel or a toll */
};

#define TX_BATCH 256

/*
 * Per-node figures and money links of a batch of transactions, in row
 * order.  The accounts of consecutive payments are scattered over the node
 * arrays, so a row-at-a-time loop waits on a cache miss per lookup; reading
 * a batch first lets the lookups of the whole batch be in flight at once
 * (prefetch the node numbers, then the nodes' figures, then update).
 */
static int add_money(struct net_graph *g, struct pairs *P, const uint32_t *node_of, struct txrow *b, size_t n,
		     int paid)
{
	uint32_t sn[TX_BATCH], dn[TX_BATCH];
	size_t i;

	for (i = 0; i < n; i++) {
		__builtin_prefetch(&node_of[b[i].src]);
		__builtin_prefetch(&node_of[b[i].dst]);
	}
	for (i = 0; i < n; i++) {
		sn[i] = b[i].src ? node_of[b[i].src] : NET_NONE;
		dn[i] = b[i].dst ? node_of[b[i].dst] : NET_NONE;
		if (sn[i] != NET_NONE)
			__builtin_prefetch(&g->st[sn[i]], 1);
		if (dn[i] != NET_NONE)
			__builtin_prefetch(&g->st[dn[i]], 1);
	}
	for (i = 0; i < n; i++) {
		const struct txrow *r = &b[i];
		uint32_t s = sn[i], d = dn[i];

		if (s != NET_NONE) {
			struct net_nstat *st = &g->st[s];

			st->out_n++;
			st->out_amt += r->amt;
			st->cash_out += d == NET_NONE;
			if (r->cg >= 0)
				st->cat_out[r->cg]++;
			see_time(g, st, r->ts);
		}
		if (d != NET_NONE) {
			struct net_nstat *st = &g->st[d];

			st->in_n++;
			st->in_amt += r->amt;
			st->cash_in += s == NET_NONE;
			if (r->cg >= 0)
				st->cat_in[r->cg]++;
			st->in_catd += r->catd;
			see_time(g, st, r->ts);
		}
		if (s != NET_NONE && d != NET_NONE && s != d) {
			int is_new;
			uint64_t e = pair_find(g, P, s, d, paid, &is_new);

			if (e == UINT64_MAX)
				return -1;
			if (is_new)
				g->erec[e] = r->id;
			g->ecount[e]++;
			g->eamount[e] += r->amt;
			g->eride[e] += r->ride;
			merge_time(g, e, r->ts);
		}
	}
	return 0;
}

/*
 * Reading and aggregating overlap: a second thread steps the SQLite
 * statement (and scans memos) into a ring of batches while this one adds
 * them to the graph, in the order read.  The statement and the connection
 * belong to the reader until it finishes; nothing else touches them.
 */
#define TX_RING 8

struct txfeed {
	sqlite3_stmt *q;
	const struct strmap *cats;
	const int8_t *catg_of;
	size_t ncatg;
	struct lex_scanner *sc;
	int64_t maxid;
	struct txrow (*buf)[TX_BATCH];
	size_t n[TX_RING];
	unsigned head, tail;   /* batches filled / consumed */
	int done, stop;        /* reader finished / asked to stop */
	int rc;                /* reader's last sqlite3_step code */
	int scan_err;          /* a memo scan failed with this code */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static size_t read_batch(struct txfeed *f, struct txrow *batch)
{
	sqlite3_stmt *q = f->q;
	size_t nb = 0;

	while (nb < TX_BATCH && (f->rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct txrow *r = &batch[nb++];

		r->src = sqlite3_column_type(q, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 0);
		r->dst = sqlite3_column_type(q, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 1);
		if (r->src < 0 || r->src > f->maxid)
			r->src = 0;
		if (r->dst < 0 || r->dst > f->maxid)
			r->dst = 0;
		r->ts = sqlite3_column_int64(q, 2);
		r->amt = sqlite3_column_double(q, 3);
		r->id = sqlite3_column_int64(q, 5);
		r->cg = -1;
		r->ride = 0;
		r->catd = sqlite3_column_type(q, 4) != SQLITE_NULL && sqlite3_column_bytes(q, 4) > 0;
		if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
			const char *c = (const char *)sqlite3_column_text(q, 4);
			uint32_t id = c ? strmap_find(f->cats, c, (size_t)sqlite3_column_bytes(q, 4)) : 0;

			if (id && id < f->ncatg)
				r->cg = f->catg_of[id]; /* NOLINT(bugprone-signed-char-misuse,cert-str34-c): int8_t, -1 = no category */
		}
		/* memos are scanned only on payments between two accounts */
		if (f->sc && r->src && r->dst && sqlite3_column_type(q, 6) == SQLITE_TEXT) {
			const char *memo = (const char *)sqlite3_column_text(q, 6);
			int hit = 0, sr;

			sr = lex_scan(f->sc, memo, (size_t)sqlite3_column_bytes(q, 6), any_match, &hit);
			if (sr != 0 && sr != SCAN_STOP) {
				f->scan_err = sr;
				return nb;
			}
			r->ride = (uint8_t)hit;
		}
	}
	return nb;
}

static void *reader(void *arg)
{
	struct txfeed *f = arg;

	for (;;) {
		size_t nb;
		unsigned slot;

		pthread_mutex_lock(&f->mu);
		while (f->head - f->tail == TX_RING && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		slot = f->head % TX_RING;
		if (f->stop) {
			f->done = 1;
			pthread_cond_broadcast(&f->cv);
			pthread_mutex_unlock(&f->mu);
			return NULL;
		}
		pthread_mutex_unlock(&f->mu);
		nb = read_batch(f, f->buf[slot]);   /* the slot is the reader's until published */
		pthread_mutex_lock(&f->mu);
		f->n[slot] = nb;
		f->head++;
		if (f->rc != SQLITE_ROW || f->scan_err)
			f->done = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (f->done)
			return NULL;
	}
}

/* Reads every transaction into the graph (per-node figures and money
 * links); *rows counts them.  0, or a rastro error code set on ws. */
static int read_money(rastro_ws *ws, struct net_graph *g, struct pairs *P, const uint32_t *node_of,
		      struct txfeed *f, int paid, uint64_t *rows)
{
	pthread_t th;
	int rc = 0, nomem = 0;

	if (!(f->buf = mem_alloc(TX_RING * sizeof *f->buf)))
		return ws_error(ws, RASTRO_NOMEM, "out of memory reading transactions");
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&th, NULL, reader, f) != 0) {
		mem_free(f->buf);
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		return ws_error(ws, RASTRO_ERROR, "cannot start a thread to read transactions");
	}
	for (;;) {
		unsigned slot;
		size_t nb;

		pthread_mutex_lock(&f->mu);
		while (f->tail == f->head && !f->done)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->tail == f->head) {
			pthread_mutex_unlock(&f->mu);
			break;
		}
		slot = f->tail % TX_RING;
		nb = f->n[slot];
		pthread_mutex_unlock(&f->mu);
		if (!nomem && nb && add_money(g, P, node_of, f->buf[slot], nb, paid))
			nomem = 1;
		if ((*rows + nb) / 0x100000 != *rows / 0x100000)
			ws_progress(ws, "network: transactions", *rows + nb, 0);
		*rows += nb;
		pthread_mutex_lock(&f->mu);
		f->tail++;
		if (nomem)
			f->stop = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
	}
	pthread_join(th, NULL);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	mem_free(f->buf);
	f->buf = NULL;
	if (nomem)
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory aggregating money flows");
	else if (f->scan_err)
		rc = ws_error(ws, f->scan_err, "scanning payment memos for the transport lexicon");
	else if (f->rc != SQLITE_DONE)
		rc = ws_sqlerr(ws, "reading transactions");
	return rc;
}

int net_graph_build(rastro_ws *ws, struct net_graph **out)
{
	struct net_graph *g = NULL;
	struct strmap cats;
	int8_t catg_of[256];
	struct pairs P;
	struct lexicon *lx = NULL;
	struct lex_scanner *sc = NULL;
	sqlite3_stmt *q = NULL;
	uint32_t *node_of = NULL;
	int64_t maxid = 0, count = 0;
	uint64_t rows = 0;
	uint32_t i;
	int rc = 0, paid;

	*out = NULL;
	strmap_init(&cats);
	memset(&P, 0, sizeof P);
	u64map_init(&P.head);
	if (ws_query_i64(ws, "SELECT ifnull(max(id), 0) FROM entity", 0, &maxid) ||
	    ws_query_i64(ws, "SELECT count(*) FROM entity", 0, &count))
		return ws->err.code;
	if (maxid > (int64_t)1 << 31 || count >= (int64_t)NET_NONE)
		return ws_error(ws, RASTRO_LIMIT, "entity ids up to %lld: the graph holds at most 2^31",
				(long long)maxid);
	if (!(g = net_graph_new((uint32_t)count, NULL)) ||
	    !(node_of = mem_alloc(((size_t)maxid + 1) * sizeof *node_of)) ||
	    !(g->st = mem_calloc(count ? (size_t)count : 1, sizeof *g->st)) || load_categories(ws, &cats, catg_of, sizeof catg_of)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory building the graph of %lld entities", (long long)count);
		goto out;
	}
	g->ws = ws;
	memset(node_of, 0xff, ((size_t)maxid + 1) * sizeof *node_of);

	/* nodes */
	if ((rc = ws_prepare(ws, "SELECT id, kind FROM entity ORDER BY id", &q)))
		goto out;
	i = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && i < g->n) {
		int64_t id = sqlite3_column_int64(q, 0);
		const char *k = (const char *)sqlite3_column_text(q, 1);
		int ki = net_name_intern(&g->kinds, k ? k : "");

		if (ki < 0)
			ki = net_name_intern(&g->kinds, "other");
		g->ent[i] = id;
		g->kind[i] = (uint8_t)(ki < 0 ? 0 : ki);
		g->st[i].t0 = g->st[i].t1 = NET_NOTIME;
		node_of[id] = i++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = ws_sqlerr(ws, "reading entities");
		goto out;
	}
	g->n = i;
	sqlite3_finalize(q);
	q = NULL;
	ws_progress(ws, "network: graph", 1, 3);

	/* money: one edge per ordered account pair */
	paid = net_name_intern(&g->types, "paid");
	g->paid_type = paid;
	if ((rc = load_transport_lexicon(ws, &lx, &sc)))
		goto out;
	if ((rc = ws_prepare(ws, "SELECT src, dst, ts, amount, category, id, memo FROM txn", &q)))
		goto out;
	{
		struct txfeed f;

		memset(&f, 0, sizeof f);
		f.q = q;
		f.cats = &cats;
		f.catg_of = catg_of;
		f.ncatg = sizeof catg_of;
		f.sc = sc;
		f.maxid = maxid;
		if ((rc = read_money(ws, g, &P, node_of, &f, paid, &rows)))
			goto out;
	}
	g->txns = rows;
	sqlite3_finalize(q);
	q = NULL;
	ws_progress(ws, "network: graph", 2, 3);

	/* links written by the stages */
	if ((rc = ws_prepare(ws, "SELECT src, dst, type, ts, weight, record_id FROM edge ORDER BY id", &q)))
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t src = sqlite3_column_int64(q, 0), dst = sqlite3_column_int64(q, 1);
		const char *type = (const char *)sqlite3_column_text(q, 2);
		uint32_t s = src > 0 && src <= maxid ? node_of[src] : NET_NONE;
		uint32_t d = dst > 0 && dst <= maxid ? node_of[dst] : NET_NONE;
		int t, is_new;
		uint64_t e;

		if (s == NET_NONE || d == NET_NONE || s == d)
			continue;
		t = net_name_intern(&g->types, type ? type : "link");
		if (t < 0)
			t = net_name_intern(&g->types, "other");
		if (t < 0) {
			rc = ws_error(ws, RASTRO_LIMIT, "more than %d edge types", NET_MAXNAMES);
			goto out;
		}
		e = pair_find(g, &P, s, d, t, &is_new);
		if (e == UINT64_MAX) {
			rc = ws_error(ws, RASTRO_NOMEM, "out of memory reading links");
			goto out;
		}
		if (is_new && sqlite3_column_type(q, 5) != SQLITE_NULL)
			g->erec[e] = sqlite3_column_int64(q, 5);
		g->ecount[e]++;
		if (sqlite3_column_type(q, 3) != SQLITE_NULL) {
			int64_t ts = sqlite3_column_int64(q, 3);

			merge_time(g, e, ts);
			see_time(g, &g->st[s], ts);
			see_time(g, &g->st[d], ts);
		}
		if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
			double w = sqlite3_column_double(q, 4);

			/* the strongest of merged rows; the amount column holds it */
			if (is_new || w > g->eamount[e])
				g->eamount[e] = w;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ws_sqlerr(ws, "reading links");
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (net_graph_finish(g)) {
		rc = ws_error(ws, RASTRO_NOMEM, "out of memory building the adjacency of %llu edges",
			      (unsigned long long)g->m);
		goto out;
	}
	ws_progress(ws, "network: graph", 3, 3);
	rc = 0;
	*out = g;
	g = NULL;
out:
	sqlite3_finalize(q);
	net_graph_free(g);
	mem_free(node_of);
	mem_free(P.next);
	u64map_release(&P.head);
	strmap_release(&cats);
	lex_scanner_free(sc);
	lex_free(lx);
	return rc;
}

int net_graph_load_membership(struct net_graph *g)
{
	rastro_ws *ws = g->ws;
	sqlite3_stmt *q;
	int rc;

	if (ws_prepare(ws, "SELECT m.entity_id, m.network_id, m.role FROM network_member m", &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t v = net_node_of(g, sqlite3_column_int64(q, 0));
		const char *r = (const char *)sqlite3_column_text(q, 2);

		if (v == NET_NONE)
			continue;
		g->net[v] = (uint32_t)sqlite3_column_int64(q, 1);
		g->role[v] = (uint8_t)(r ? net_role_of(r) : NR_NONE);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, "reading network members");
	return net_mark_nodes(ws, g, "SELECT entity_id FROM net_hub", g->hub, "reading hubs");
}

int net_mark_nodes(rastro_ws *ws, const struct net_graph *g, const char *sql, uint8_t *mark, const char *what)
{
	sqlite3_stmt *q;
	int rc;

	if (ws_prepare(ws, sql, &q))
		return ws->err.code;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint32_t v = net_node_of(g, sqlite3_column_int64(q, 0));

		if (v != NET_NONE)
			mark[v] = 1;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return ws_sqlerr(ws, what);
	return 0;
}
