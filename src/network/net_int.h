/*
 * net_int: what the network stage knows about each node besides its links
 * (signals, victim flags, KYC business facts, agency records), and the
 * role and scoring steps that read it.  Private to src/network/.
 */
#ifndef RASTRO_NET_INT_H
#define RASTRO_NET_INT_H

#include "core/strmap.h"
#include "core/vec.h"
#include "net.h"

/* Which side of a finding a signal names its node on (the details' "side",
 * "hop" and "transporters" keys): the role rules read a funnel and where
 * its money went differently. */
enum {
	NET_SIDE_OWN = 0,     /* the node is what the detector found (the funnel, the transporter) */
	NET_SIDE_BEN1,        /* "side":"beneficiary", hop 1: where a funnel's money went */
	NET_SIDE_BEN2,        /* a beneficiary one hop further: whom that beneficiary paid */
	NET_SIDE_PAYER        /* pays several accounts the detector found ("transporters": N) */
};

/* One signal on a node. */
struct net_sig {
	uint32_t node;
	uint32_t code;        /* id in attr->codes (1-based) */
	double score;
	int64_t id;           /* signal id */
	uint8_t side;         /* NET_SIDE_* */
};

/* One evidence row of a finance signal: the signal on node cites record
 * (a transaction).  net_attr_load_evidence loads them by record. */
struct net_sev {
	int64_t record;       /* the transaction's record id */
	uint32_t node;        /* the signal's account */
	uint32_t code;        /* its code (attr codes) */
	uint8_t payee;        /* 1 = node is the transaction's payee, 0 = its payer */
	uint8_t alerted;      /* 1 = the finance stage alerted node (fin_risk.alert), 0 = watched */
};

/* An agency's person record about a node (resolved person). */
struct net_rec {
	uint32_t node;
	int64_t agency;       /* agency id */
	int64_t record;       /* person record id */
	int target;           /* status target, subject or arrested */
	int suspicion;        /* status target, subject, arrested or associate: the
			       * agency suspects the person (not a witness, victim
			       * or "other" record) */
};

struct net_attr {
	uint8_t *victim;          /* in victim_flag */
	float *victim_score;
	uint8_t *business;        /* KYC business customer, or an org entity */
	uint32_t *btype;          /* business type id in btypes (0 = none) */
	uint8_t *kyc;             /* the account has a KYC row (a known holder, person or business) */
	uint8_t *merchant;        /* set aside as a merchant by net_join (NULL = none marked) */
	uint8_t *alerted;         /* the finance stage alerted the account (fin_risk.alert = 1) */
	uint32_t *sig_off;        /* signals of node v: sigs[sig_off[v] .. sig_off[v+1]) */
	struct vec sigs;          /* struct net_sig, by node then signal id */
	struct vec recs;          /* struct net_rec, by node */
	uint32_t *rec_off;
	struct strmap codes;      /* signal codes; value = typology id */
	uint8_t *code_ads;        /* per code id: 1 = written by the ads stage */
	uint32_t *code_typ;       /* per code id: typology id (0 = none) */
	struct strmap typologies; /* typology names from finance details */
	struct strmap btypes;     /* KYC business types */
	char **victim_codes;      /* per node: "VIC.X,VIC.Y" for flagged nodes (NULL otherwise) */
	int k_person, k_account, k_org, k_ad;  /* kind ids, -1 when absent */
	int t_holds, t_lists, t_posted_by;     /* type ids, -1 when absent */
	int k_ad_cluster, t_in_cluster;        /* -1 when absent */
	int64_t nsignals;
	struct vec sev;           /* struct net_sev, by record then signal id (empty unless loaded) */
};

int net_attr_load(rastro_ws *ws, const struct net_graph *g, struct net_attr *a);
void net_attr_release(struct net_attr *a, uint32_t n);
/* The evidence rows of finance signals on accounts (a->sev), for the
 * shared-evidence join; after net_attr_load. */
int net_attr_load_evidence(rastro_ws *ws, const struct net_graph *g, struct net_attr *a);

struct net_join_params;
/* The first finance signal code on v that is v's own typology (0 = none):
 * not a graph shape nor an identifier match (p's shape_codes and
 * shared_code_skip), and not a signal naming v only as where a funnel's
 * money went ("side":"beneficiary"), which says v was paid, not what it
 * does (a merchant or a bank's clearing account is named so). */
uint32_t net_attr_own_code(const struct net_attr *a, const struct net_join_params *p, uint32_t v);
/* Per node, 1 for an organisation's own account (docs/network.md "Hub
 * rule"): an account the finance stage alerted, with a KYC row, no
 * potential victim, with a typology of its own (net_attr_own_code).  The
 * hub rule counts only such an account's links to entities that are not
 * hubs.  Caller frees; NULL when out of memory. */
uint8_t *net_attr_members(const struct net_graph *g, const struct net_attr *a, const struct net_join_params *p);

/* 1 for a phone, email, handle, address or image node. */
int net_is_identifier(const struct net_graph *g, uint32_t v);
/* 1 for an ad-like node (kind ad, ad_cluster...). */
int net_is_ad(const struct net_graph *g, const struct net_attr *a, uint32_t v);

/* Role settings (network.roles.*). */
struct net_role_params {
	int64_t organiser_min_victim_links;
	int64_t organiser_min_payers;
	double organiser_min_retained;
	int organiser_funnel_beneficiary;    /* where a funnel's money went (hop 1 of a money code), kept: organiser */
	/* the money's source (paid by no member, cash in, a money code of its
	 * own) pays this many members: organiser (0 = off) */
	int64_t organiser_source_min_payees;
	int64_t money_min_amount;
	int64_t money_min_movers_in;     /* paid by this many members with money codes of their own: a layer (0 = off) */
	double pass_low, pass_high;
	int64_t recruiter_min_ads;
	int64_t recruiter_min_ad_payments;
	int64_t recruiter_fees_first;    /* recruitment fees collected this often: recruiter before organiser (0 = off) */
	int64_t transporter_min_paid, transporter_min_purchases, transporter_min_memos;
	int64_t facilitator_min_payers;
	/* rent or lodging paid this often, at least half of members' payments
	 * in: the landlord, before the organiser (0 = off) */
	int64_t facilitator_rent_first;
	/* payroll payments of an employer whose wages go to potential victims
	 * or payroll funnels (0 = off) */
	int64_t facilitator_min_payroll;
	int64_t buyer_max_links;
	double buyer_max_amount;
	struct strmap organiser_signals, money_signals, recruiter_signals, facilitator_signals, transporter_signals;
	struct strmap front_types;
};

/* A set of names from the list setting `key` (e.g. signal codes), or from
 * def (comma-separated) when the setting is absent; m is initialised here,
 * the caller releases it.  -1 when out of memory. */
int net_load_set(const struct cfg *cfg, const char *key, const char *def, struct strmap *m);
int net_role_params_read(const struct cfg *cfg, struct net_role_params *p);
void net_role_params_release(struct net_role_params *p);

/* Roles of one group's members: role[i] and reason[i] (sbuf per member,
 * initialised by the caller) for members[0..k); held[i] = 1 for an account
 * held by a member person (the person is the subject: counted once). */
int net_roles(const struct net_graph *g, const struct net_attr *a, const struct net_role_params *p,
	      const uint32_t *members, uint32_t k, const uint32_t *group_of, uint32_t group, uint8_t *role,
	      struct sbuf *reason, uint8_t *held);

/* Enterprise settings (network.enterprise.*). */
struct net_join_params {
	int ad_clusters;     /* join cells through a flagged ad cluster */
	int holds;           /* join cells through a holds link between two cells with evidence */
	uint32_t max_size;   /* entities in an enterprise at most */
	int merchants;       /* set merchants aside as counterparties */
	int shared_evidence; /* join cells whose finance signals cite one transaction */
	int shared_alerted;  /* shared evidence counts only between two alerted accounts */
	struct strmap shape_codes; /* graph-shape signal codes: shared evidence needs another code at one end */
	int shared_code;     /* join cells through a payment between two alerted accounts with one typology code */
	double shared_code_min; /* ... of at least this total */
	struct strmap shared_code_skip; /* codes that do not count for it besides the shapes (identifier matches) */
	/* join cells through a payment between two alerted accounts that each
	 * carry a typology of their own (net_attr_own_code) */
	int typology_payment;
	double typology_payment_min; /* ... of at least this total */
};

/* Default of network.enterprise.shape_signals, the graph-shape signal
 * codes (comma-separated), read by the joins and by the score. */
extern const char net_shape_signals_default[];

/* Reads network.enterprise.*; -1 when out of memory.  Release with
 * net_join_params_release. */
int net_join_params_read(const struct cfg *cfg, struct net_join_params *p);
void net_join_params_release(struct net_join_params *p);
/* Sets merchants aside (docs/network.md "Merchants": a->merchant marked,
 * P->cparty listed) and joins P's cells into enterprises ("Enterprises"):
 * P's groups are replaced by the enterprises, P->cell, P->bridges and the
 * join counts are set.  Linear in links and members. */
int net_join(const struct net_graph *g, struct net_attr *a, const struct net_join_params *p, struct net_part *P,
	     struct rs_err *err);

/* The graph inside a query handle (borrowed). */
struct net_graph *net_graph_of(rastro_graph *g);

/* Network row id of a key or "#rank". */
int net_network_id(rastro_ws *ws, const char *ref, int64_t *id);

/* Amount with thousands separators ("12,345"). */
void net_fmt_amount(char *out, size_t n, double v);

#endif
