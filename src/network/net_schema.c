/*
 * net_schema: the network component of the workspace schema.  Core owns
 * `network` and `network_member`; this component adds the columns the
 * network stage fills (rank, counts, time span, summary, how the group was
 * found; each member's strength inside its network and whether it counts
 * as a suspect), the list of hubs set aside by the hub rule, and the cells
 * each network is made of with the links that joined them, and the
 * merchants its members pay (counterparties, not members).
 */
#include "network/network.h"

static const char *const net_migrations[] = {
	/* 1: ranking columns and hubs */
	"ALTER TABLE network ADD COLUMN rank INTEGER;"         /* 1 = first; NULL = no suspect members */
	"ALTER TABLE network ADD COLUMN suspects INTEGER;"
	"ALTER TABLE network ADD COLUMN victims INTEGER;"
	"ALTER TABLE network ADD COLUMN first_ts INTEGER;"     /* earliest activity of a member */
	"ALTER TABLE network ADD COLUMN last_ts INTEGER;"
	"ALTER TABLE network ADD COLUMN summary TEXT;"         /* one sentence */
	"ALTER TABLE network ADD COLUMN origin TEXT;"          /* component | leiden */
	"ALTER TABLE network_member ADD COLUMN strength REAL;" /* weighted links inside the network */
	"ALTER TABLE network_member ADD COLUMN suspect INTEGER;"
	"CREATE INDEX network_member_entity ON network_member(entity_id);"
	"CREATE INDEX network_rank ON network(rank);"
	"CREATE TABLE net_hub("
	" entity_id INTEGER PRIMARY KEY REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" degree INTEGER NOT NULL,"          /* distinct neighbours */
	" threshold INTEGER NOT NULL,"       /* the degree from which the rule applies */
	" rule TEXT NOT NULL,"               /* degree | identifier */
	" run_id INTEGER);",
	/* 2: enterprises — a network is one or more cells of the partition,
	 * joined by the links listed in net_bridge (docs/network.md) */
	"ALTER TABLE network ADD COLUMN cells INTEGER;"          /* cells joined into the network */
	"ALTER TABLE network_member ADD COLUMN cell INTEGER;"    /* the member's cell within its network (1-based) */
	"CREATE TABLE net_bridge("
	" network_id INTEGER NOT NULL REFERENCES network(id) DEFERRABLE INITIALLY DEFERRED,"
	" cell_a INTEGER NOT NULL,"          /* the cell of src_entity */
	" cell_b INTEGER NOT NULL,"          /* the cell of dst_entity */
	" src_entity INTEGER NOT NULL,"      /* the link that joined them */
	" dst_entity INTEGER NOT NULL,"
	" rule TEXT NOT NULL,"               /* ad_cluster | holds */
	" evidence TEXT NOT NULL,"           /* the signal code that made it suspect */
	" reason TEXT NOT NULL);"
	"CREATE INDEX net_bridge_network ON net_bridge(network_id);",
	/* 3: merchants the members pay, set aside from the members
	 * (docs/network.md "Merchants") */
	"CREATE TABLE net_counterparty("
	" network_id INTEGER NOT NULL REFERENCES network(id) DEFERRABLE INITIALLY DEFERRED,"
	" entity_id INTEGER NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,"
	" payments INTEGER NOT NULL,"        /* payments from the network's members */
	" amount REAL NOT NULL);"            /* their total */
	"CREATE INDEX net_counterparty_network ON net_counterparty(network_id);",
	/* 4: a join by shared evidence names the transaction both signals cite
	 * (rule shared_evidence; evidence then holds both codes, "A,B") */
	"ALTER TABLE net_bridge ADD COLUMN record_id INTEGER;",
};

const struct schema_component net_schema_component = {
	"network",
	net_migrations, sizeof net_migrations / sizeof net_migrations[0],
	NULL, 0,
	NULL, 0,
};
