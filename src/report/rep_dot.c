/*
 * rep_dot: a network's diagram, laid out and drawn by Graphviz (cgraph +
 * gvc) as SVG for inline use.  Roles are fill colours, entity kinds are
 * shapes (people ellipses, accounts boxes, businesses houses, identifiers
 * notes, addresses tabs, ads components); money flows are red arrows whose
 * width grows with the amount and whose label gives total and count; other
 * links are grey dashes.  Potential victims appear as "potential victim"
 * without a name unless the reader may see it.
 */
#include "rep.h"

#include <cgraph.h>
#include <gvc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "network/net_int.h"

static int quiet_errors(char *msg)
{
	(void)msg;
	return 0;
}

static char *S(const char *s)
{
	return (char *)s;   /* cgraph 2.42 takes char * for strings it does not change */
}

static const char *shape_of(const char *kind)
{
	if (strcmp(kind, "person") == 0)
		return "ellipse";
	if (strcmp(kind, "account") == 0)
		return "box";
	if (strcmp(kind, "org") == 0)
		return "house";
	if (strcmp(kind, "address") == 0)
		return "tab";
	if (strcmp(kind, "ad") == 0 || strncmp(kind, "ad_", 3) == 0)
		return "component";
	if (strcmp(kind, "phone") == 0 || strcmp(kind, "email") == 0 || strcmp(kind, "handle") == 0 ||
	    strcmp(kind, "image") == 0)
		return "note";
	return "octagon";
}

static void short_label(char *out, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len < n - 1 && len <= 26) {
		snprintf(out, n, "%s", s);
		return;
	}
	/* cut on a UTF-8 boundary */
	len = 24;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	snprintf(out, n, "%.*s…", (int)len, s);
}

int rep_diagram(rastro_ws *ws, void *gvcp, int64_t network_id, int reveal, size_t max_nodes, struct sbuf *out)
{
	GVC_t *gvc = gvcp;
	Agraph_t *g;
	sqlite3_stmt *q = NULL;
	char name[32], lab[160], sl[96], num[64], tip[256];
	char *data = NULL;
	unsigned int len = 0;
	int rc = 0, nn = 0;
	const char *svg;

	agseterrf(quiet_errors);
	agseterr(AGMAX);
	g = agopen(S("network"), Agdirected, NULL);
	if (!g)
		return ws_error(ws, RASTRO_NOMEM, "graphviz could not open a graph");
	agattr(g, AGRAPH, S("overlap"), S("false"));
	/* Straight lines: Graphviz 2.42's curved router (makeStraightEdges) crashes
	 * or runs for minutes on pairs joined by more than one edge — money both
	 * ways, or money beside a holds link — which enterprises have often. */
	agattr(g, AGRAPH, S("splines"), S("line"));
	agattr(g, AGRAPH, S("sep"), S("+10"));
	agattr(g, AGRAPH, S("bgcolor"), S("transparent"));
	agattr(g, AGRAPH, S("pad"), S("0.2"));
	agattr(g, AGRAPH, S("fontname"), S("Helvetica"));
	agattr(g, AGNODE, S("fontname"), S("Helvetica"));
	agattr(g, AGNODE, S("fontsize"), S("10"));
	agattr(g, AGNODE, S("style"), S("filled"));
	agattr(g, AGNODE, S("shape"), S("ellipse"));
	agattr(g, AGNODE, S("fillcolor"), S("#cccccc"));
	agattr(g, AGNODE, S("fontcolor"), S("#111111"));
	agattr(g, AGNODE, S("color"), S("#ffffff"));
	agattr(g, AGNODE, S("penwidth"), S("1"));
	agattr(g, AGNODE, S("label"), S(""));
	agattr(g, AGNODE, S("tooltip"), S(""));
	agattr(g, AGNODE, S("margin"), S("0.08,0.04"));
	agattr(g, AGEDGE, S("fontname"), S("Helvetica"));
	agattr(g, AGEDGE, S("fontsize"), S("8"));
	agattr(g, AGEDGE, S("color"), S("#9aa5b1"));
	agattr(g, AGEDGE, S("fontcolor"), S("#7a1c1c"));
	agattr(g, AGEDGE, S("style"), S("dashed"));
	agattr(g, AGEDGE, S("penwidth"), S("1"));
	agattr(g, AGEDGE, S("arrowhead"), S("none"));
	agattr(g, AGEDGE, S("arrowsize"), S("0.7"));
	agattr(g, AGEDGE, S("label"), S(""));
	agattr(g, AGEDGE, S("tooltip"), S(""));
	agattr(g, AGEDGE, S("len"), S("1.3"));

	/* members, strongest first, at most max_nodes */
	if ((rc = ws_prepare(ws, "SELECT m.entity_id, e.kind, ifnull(e.label, e.key), m.role FROM network_member m"
				 " JOIN entity e ON e.id = m.entity_id WHERE m.network_id = ?1"
				 " ORDER BY m.strength DESC, m.entity_id LIMIT ?2", &q)))
		goto out;
	sqlite3_bind_int64(q, 1, network_id);
	sqlite3_bind_int64(q, 2, (int64_t)max_nodes);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 1);
		const char *label = (const char *)sqlite3_column_text(q, 2);
		const char *role = (const char *)sqlite3_column_text(q, 3);
		int victim = role && strcmp(role, "potential_victim") == 0;
		const char *fill = rep_role_colour(role);
		Agnode_t *n;

		snprintf(name, sizeof name, "n%lld", (long long)sqlite3_column_int64(q, 0));
		if (!(n = agnode(g, name, 1)))
			continue;
		nn++;
		if (victim && !reveal)
			snprintf(lab, sizeof lab, "potential victim\n(protected)");
		else {
			short_label(sl, sizeof sl, label ? label : "");
			snprintf(lab, sizeof lab, "%s\n%s", sl, role ? role : "");
		}
		agsafeset(n, S("label"), lab, S(""));
		snprintf(tip, sizeof tip, "#%lld %s %s", (long long)sqlite3_column_int64(q, 0), kind,
			 victim && !reveal ? "(protected)" : label ? label : "");
		agsafeset(n, S("tooltip"), tip, S(""));
		agsafeset(n, S("shape"), S(shape_of(kind)), S(""));
		agsafeset(n, S("fillcolor"), S(fill), S(""));
		if (role && (strcmp(role, "organiser") == 0 || strcmp(role, "money_mover") == 0 ||
			     strcmp(role, "recruiter") == 0 || strcmp(role, "transporter") == 0 ||
			     strcmp(role, "potential_victim") == 0 || strcmp(role, "hub") == 0))
			agsafeset(n, S("fontcolor"), S("#ffffff"), S(""));
		if (victim)
			agsafeset(n, S("penwidth"), S("2"), S(""));
	}
	sqlite3_finalize(q);
	q = NULL;

	/* money between members */
	if ((rc = ws_prepare(ws, "WITH m(id) AS (SELECT entity_id FROM network_member WHERE network_id = ?1)"
				 " SELECT src, dst, count(*), sum(amount) FROM txn WHERE src IN m AND dst IN m AND src <> dst"
				 " GROUP BY src, dst ORDER BY src, dst", &q)))
		goto out;
	sqlite3_bind_int64(q, 1, network_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		Agnode_t *a, *b;
		Agedge_t *e;
		double amt = sqlite3_column_double(q, 3), pw;
		char pws[16];

		snprintf(name, sizeof name, "n%lld", (long long)sqlite3_column_int64(q, 0));
		a = agnode(g, name, 0);
		snprintf(name, sizeof name, "n%lld", (long long)sqlite3_column_int64(q, 1));
		b = agnode(g, name, 0);
		if (!a || !b || !(e = agedge(g, a, b, NULL, 1)))
			continue;
		pw = 1.0 + 2.2 * log10(1.0 + amt / 500.0);
		if (pw > 8)
			pw = 8;
		snprintf(pws, sizeof pws, "%.2f", pw);
		net_fmt_amount(num, sizeof num, amt);
		snprintf(lab, sizeof lab, "%s (%d)", num, sqlite3_column_int(q, 2));
		agsafeset(e, S("label"), lab, S(""));
		agsafeset(e, S("tooltip"), lab, S(""));
		agsafeset(e, S("color"), S("#b22222"), S(""));
		agsafeset(e, S("style"), S("solid"), S(""));
		agsafeset(e, S("penwidth"), pws, S(""));
		agsafeset(e, S("arrowhead"), S("normal"), S(""));
	}
	sqlite3_finalize(q);
	q = NULL;

	/* other links between members */
	if ((rc = ws_prepare(ws, "WITH m(id) AS (SELECT entity_id FROM network_member WHERE network_id = ?1)"
				 " SELECT src, dst, type, count(*) FROM edge WHERE src IN m AND dst IN m AND src <> dst"
				 " GROUP BY src, dst, type ORDER BY src, dst, type", &q)))
		goto out;
	sqlite3_bind_int64(q, 1, network_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		Agnode_t *a, *b;
		Agedge_t *e;
		const char *type = (const char *)sqlite3_column_text(q, 2);

		snprintf(name, sizeof name, "n%lld", (long long)sqlite3_column_int64(q, 0));
		a = agnode(g, name, 0);
		snprintf(name, sizeof name, "n%lld", (long long)sqlite3_column_int64(q, 1));
		b = agnode(g, name, 0);
		if (!a || !b || !(e = agedge(g, a, b, NULL, 1)))
			continue;
		agsafeset(e, S("tooltip"), S(type), S(""));
		if (strcmp(type, "holds") == 0) {
			agsafeset(e, S("style"), S("solid"), S(""));
			agsafeset(e, S("color"), S("#555555"), S(""));
			agsafeset(e, S("len"), S("0.8"), S(""));
		} else if (strcmp(type, "same_as") == 0) {
			agsafeset(e, S("style"), S("dotted"), S(""));
			agsafeset(e, S("label"), S("may be same"), S(""));
		}
	}
	sqlite3_finalize(q);
	q = NULL;
	if (!nn)
		goto out;
	if (gvLayout(gvc, g, nn > 40 ? "sfdp" : "neato") != 0) {
		rc = ws_error(ws, RASTRO_ERROR, "graphviz could not lay out network %lld", (long long)network_id);
		goto out;
	}
	if (gvRenderData(gvc, g, "svg", &data, &len) != 0 || !data) {
		gvFreeLayout(gvc, g);
		rc = ws_error(ws, RASTRO_ERROR, "graphviz could not draw network %lld", (long long)network_id);
		goto out;
	}
	/* inline: drop the XML declaration, doctype and generator comment */
	svg = strstr(data, "<svg");
	if (svg) {
		const char *end = data + len;

		sbuf_adds(out, "<div class=\"diagram\"><svg");
		sbuf_add(out, svg + 4, (size_t)(end - svg - 4));
		sbuf_adds(out, "</div>");
	}
	gvFreeRenderData(data);
	gvFreeLayout(gvc, g);
out:
	sqlite3_finalize(q);
	agclose(g);
	return rc;
}
