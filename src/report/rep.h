/*
 * rep: the analyst's report — private pieces shared by the HTML writer,
 * the timeline chart and the Graphviz diagram.
 */
#ifndef RASTRO_REP_H
#define RASTRO_REP_H

#include <stdint.h>

#include "core/sbuf.h"
#include "store/ws.h"

/* Role colours (fill) used by the diagram, badges and legend. */
const char *rep_role_colour(const char *role);

/* One event for the timeline chart. */
struct rep_event {
	int64_t ts;        /* seconds */
	int lane;          /* index into the lane names */
	double value;      /* amount for money lanes, 1 otherwise */
};

/* Appends an inline SVG timeline (one row per lane, one mark per day,
 * area by value) to sb; nothing when there are no events. */
void rep_timeline_svg(struct sbuf *sb, const struct rep_event *ev, size_t n, const char *const *lanes,
		      int nlanes, const int *money_lane);

/* Appends a horizontal stacked bar of score parts (names, points). */
void rep_parts_svg(struct sbuf *sb, const char *const *names, const double *points, size_t n, double max_total);

/* Legend of the score-part colours. */
void rep_parts_legend(struct sbuf *sb);

/* The network's diagram as inline SVG (Graphviz); 0 or a rastro code.
 * gvc is a GVC_t*, shared across diagrams of one report. */
int rep_diagram(rastro_ws *ws, void *gvc, int64_t network_id, int reveal, size_t max_nodes, struct sbuf *out);

#endif
