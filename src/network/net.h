/*
 * net: the network stage's private header — the link graph of a workspace
 * in compact arrays, the partition into networks, roles, scores, queries
 * and exports.  See docs/network.md for the model and every rule.
 *
 * The graph is built from the workspace (entities as nodes; the `edge`
 * table plus money flows aggregated per ordered account pair from `txn`)
 * into struct-of-arrays edge columns and a CSR adjacency with integer node
 * ids.  Node i is the i-th entity in ascending entity id, so node order and
 * everything derived from it is deterministic.
 */
#ifndef RASTRO_NET_H
#define RASTRO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "store/ws.h"

#define NET_NONE UINT32_MAX     /* no node */
#define NET_NOTIME INT64_MIN    /* time unknown */
#define NET_MAXNAMES 64         /* distinct entity kinds / edge types held */
#define NET_NAMELEN 24

/* Category groups of transactions that role rules read (settings
 * network.categories.*). */
enum net_catg { CG_TRAVEL, CG_LODGING, CG_RENT, CG_ADS, CG_RECRUIT, CG_PAYROLL, CG_N };

/* Per-node money figures from the transaction pass. */
struct net_nstat {
	double in_amt, out_amt;          /* paid in / out (amounts as recorded) */
	uint32_t in_n, out_n;            /* transactions in / out, cash included */
	uint32_t cash_in, cash_out;      /* cash deposits / withdrawals (no counterparty) */
	uint32_t cat_in[CG_N], cat_out[CG_N];
	uint32_t in_catd;                /* payments in that carry a category (any, grouped or not) */
	int64_t t0, t1;                  /* first and last activity */
};

struct net_names {
	char name[NET_MAXNAMES][NET_NAMELEN];
	int n;
};

struct net_graph {
	rastro_ws *ws;          /* borrowed; may be NULL for a hand-built graph */
	uint32_t n;             /* nodes */
	int64_t *ent;           /* entity id of node i, ascending */
	uint8_t *kind;          /* index into kinds */
	uint64_t m;             /* edges */
	uint64_t ecap;          /* edge columns allocated (heap graphs) */
	uint32_t *esrc, *edst;
	uint8_t *etype;         /* index into types */
	uint32_t *ecount;       /* parallel links merged into this edge */
	double *eamount;        /* money total (0 for non-money edges) */
	int64_t *et0, *et1;     /* first and last time, NET_NOTIME when unknown */
	float *eweight;         /* weight used by community detection */
	int64_t *erec;          /* first record that justifies the edge (0 = none) */
	uint32_t *eride;        /* per edge: payments whose memo names a ride, fuel or a toll (data/lexicons/net_memo_transport.tsv); NULL in the cache */
	uint64_t *off;          /* CSR: incidences of node i are off[i]..off[i+1] */
	uint32_t *adj;          /* neighbour of each incidence (self loops left out) */
	uint32_t *adje;         /* edge of each incidence */
	uint32_t *ndeg;         /* distinct neighbours */
	uint8_t *hub;           /* 1 = set aside by the hub rule */
	uint32_t *net;          /* network row id of the node (0 = none) */
	uint8_t *role;          /* enum net_role of the node in its network */
	struct net_nstat *st;   /* per-node money figures; NULL when loaded from the cache */
	struct net_names kinds, types;
	int paid_type;          /* type index of money edges, -1 when none */
	/* storage: either owned heap arrays, or one mapping of the cache file */
	void *map;
	size_t maplen;
	int64_t max_ts;         /* latest time seen in the data (recency reference) */
	uint64_t txns;          /* transactions read */
};

/* Roles, in the order of precedence their rules are tried. */
enum net_role {
	NR_NONE = 0,
	NR_VICTIM,        /* potential_victim: never a suspect */
	NR_ORGANISER,     /* organiser / controller */
	NR_MONEY_MOVER,   /* funnel, pass-through, structurer */
	NR_RECRUITER,     /* recruiter / poster (ads) */
	NR_TRANSPORTER,
	NR_FACILITATOR,   /* landlord, hotel, front business */
	NR_BUYER,         /* demand side */
	NR_ASSOCIATE,     /* a member with no specific role */
	NR_IDENTIFIER,    /* a phone, email, handle, address or image the members share */
	NR_AD,            /* an ad or ad cluster */
	NR_N
};
extern const char *const net_role_name[NR_N];
/* Role of a name ("money_mover"); NR_NONE when unknown. */
int net_role_of(const char *name);
/* 1 for roles that make a member a suspect (ranked, exported as suspect). */
int net_role_suspect(int role);

/* Index of a name in a name table, added when absent (-1 when full). */
int net_name_intern(struct net_names *t, const char *s);
int net_name_find(const struct net_names *t, const char *s);

/* ---- graph (net_graph.c) ---- */

/* Builds the graph of the workspace (with per-node money figures). */
int net_graph_build(rastro_ws *ws, struct net_graph **out);
void net_graph_free(struct net_graph *g);
/* Node of an entity id (binary search); NET_NONE when absent. */
uint32_t net_node_of(const struct net_graph *g, int64_t entity);
/* Builds the CSR adjacency, distinct degrees and arrays every graph needs,
 * from the edge columns (used by the builder and by tests that make graphs
 * by hand with net_graph_new / net_graph_add_edge). */
int net_graph_finish(struct net_graph *g);
/* A graph of n nodes with entity ids ent[] (ascending) and no edges. */
struct net_graph *net_graph_new(uint32_t n, const int64_t *ent);
int net_graph_add_edge(struct net_graph *g, uint32_t s, uint32_t d, const char *type, uint32_t count,
		       double amount, int64_t t0, int64_t t1, int64_t rec);
/* Reads network membership and roles of the nodes from the workspace. */
int net_graph_load_membership(struct net_graph *g);
/* Sets mark[v] = 1 for the node of each entity id the query's first column
 * returns (ids not in the graph are skipped); what names the read in the
 * error message. */
int net_mark_nodes(rastro_ws *ws, const struct net_graph *g, const char *sql, uint8_t *mark, const char *what);

/* The cache file beside the workspace ("WS.graph"): written after each
 * network run, mapped by queries when its stamp matches the workspace. */
int net_cache_write(struct net_graph *g, const char *path, uint64_t stamp);
/* 0 and *out set when a fresh cache exists; RASTRO_NOTFOUND when missing or
 * stale (the caller builds instead). */
int net_cache_open(rastro_ws *ws, const char *path, uint64_t stamp, struct net_graph **out);
/* The workspace state the cache must match. */
int net_stamp(rastro_ws *ws, uint64_t *stamp);
/* Releases the mapping of a graph opened by net_cache_open. */
void net_cache_unmap(struct net_graph *g);
/* "WS.graph" for a workspace path (caller frees). */
char *net_cache_path(const rastro_ws *ws);

/* ---- partition (net_comm.c) ---- */

struct net_group {
	uint32_t first, n;     /* members are part->members[first .. first+n) */
	uint32_t component;    /* connected component it came from */
	int origin;            /* 0 = a whole component, 1 = a Leiden community, 2 = an enterprise of cells */
	uint32_t ncells;       /* cells joined into it (net_join.c); 0 before the join */
};

/* How two cells were joined into one enterprise (net_join.c). */
/* EVIDENCE_MOVE is no join: an account moved into the payer's cell (cell_a = cell_b). */
enum {
	NET_BRIDGE_AD_CLUSTER = 1,
	NET_BRIDGE_HOLDS = 2,
	NET_BRIDGE_SHARED_EVIDENCE = 3,
	NET_BRIDGE_EVIDENCE_MOVE = 4,
	NET_BRIDGE_SHARED_CODE = 5,
	NET_BRIDGE_TYPOLOGY_PAYMENT = 6
};

struct net_bridge {
	uint32_t group;        /* enterprise (group index) */
	uint32_t cell_a, cell_b; /* cell numbers within it (1-based); cell_a holds the link's source */
	uint64_t edge;         /* the link that joined them (ad cluster, holds) */
	uint32_t src, dst;     /* its ends; for shared evidence, the two signals' accounts */
	uint32_t code;         /* signal code that made it suspect evidence (net_attr codes) */
	uint32_t code_b;       /* shared evidence, typology payment: the code of dst's signal */
	int64_t record;        /* shared evidence: the transaction both signals cite */
	uint8_t rule;          /* NET_BRIDGE_* */
	uint8_t alerted;       /* shared evidence: both accounts alerted by the finance stage */
};

/* A merchant a network's members pay, set aside from its members
 * (docs/network.md "Merchants"). */
struct net_cparty {
	uint32_t group;        /* the network (group index) */
	uint32_t node;         /* the merchant */
	uint32_t payments;     /* payments from the network's members */
	double amount;         /* their total */
};

struct net_part {
	uint32_t *members;     /* node ids, grouped, ascending inside a group */
	struct net_group *groups;
	size_t ngroups;
	uint32_t *group_of;    /* per node: group index or NET_NONE */
	uint32_t *comp_of;     /* per node: component index or NET_NONE (hubs) */
	uint32_t *hub_links;   /* per node: for a hub, its distinct links to entities that are not hubs */
	uint32_t ncomp, nlarge;/* components, of which split by Leiden */
	uint32_t nhubs, hub_threshold, hub_id_threshold;
	uint32_t hub_kept;     /* candidates that params->hub_keep kept out of the hub set */
	double modularity;     /* of the Leiden partition of the largest split component */
	uint32_t *cell;        /* per member position: its cell within the group (1-based); NULL before the join */
	size_t ncells;         /* cells before the join */
	struct net_bridge *bridges; /* the joins made, by enterprise order of link */
	size_t nbridges;
	uint64_t joins, join_refused; /* joins made; refused by network.enterprise.max_size */
	uint64_t moves;        /* accounts moved into a payer's cell by shared evidence (net_join.c) */
	uint64_t merchants;    /* accounts set aside as counterparties (net_join.c) */
	struct net_cparty *cparty; /* by group, then node */
	size_t ncparty;
	uint64_t leiden_edges; /* edges handed to Leiden */
};

struct net_params {
	uint32_t min_size, max_size;
	uint32_t hub_min_degree, hub_id_degree;
	int hub_peel;                 /* hub rule: count only links to entities that are not hubs */
	/* per node, 1 = an organisation's own account (net_attr_members): the
	 * hub rule counts only its links to entities that are not hubs, as
	 * with hub_peel (NULL = none; borrowed, the caller frees it) */
	const uint8_t *hub_keep;
	int hub_members;              /* network.hub.members: the stage fills hub_keep */
	double hub_percentile;
	double resolution, beta;
	int leiden_iterations, leiden_depth;
	uint64_t seed;
	double amount_unit;           /* money weight: x (1 + log10(1 + amount / unit)) */
	double w_type[NET_MAXNAMES];   /* per edge type base weight */
};

void net_params_read(const struct cfg *cfg, const struct net_graph *g, struct net_params *p);
/* Applies the type weights to g->eweight. */
void net_weights(struct net_graph *g, const struct net_params *p);
/* Hub rule, components, Leiden inside large components. */
int net_partition(struct net_graph *g, const struct net_params *p, struct net_part *out, struct rs_err *err);
void net_part_release(struct net_part *p);

/* ---- one run of the stage (net_run.c) ---- */

struct net_stats_int {
	double build_s, partition_s, roles_s, write_s;
};

#endif
