/*
 * rep_svg: the report's hand-drawn pictures — a timeline chart and the
 * score-parts bar — written as SVG text so the report needs no script and
 * no external file.
 */
#include "rep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

const char *rep_role_colour(const char *role)
{
	static const struct {
		const char *role, *colour;
	} map[] = {
		{ "organiser", "#d62728" }, { "money_mover", "#ff7f0e" }, { "recruiter", "#9467bd" },
		{ "transporter", "#8c564b" }, { "facilitator", "#17becf" }, { "buyer", "#bcbd22" },
		{ "associate", "#8d99a6" }, { "potential_victim", "#2ca02c" }, { "identifier", "#d9dde3" },
		{ "ad", "#e377c2" }, { "hub", "#444444" },
	};
	size_t i;

	for (i = 0; role && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(role, map[i].role) == 0)
			return map[i].colour;
	return "#cccccc";
}

/* One colour per score part, whatever the order of parts. */
static const char *part_colour(const char *name)
{
	static const struct {
		const char *part, *colour;
	} map[] = {
		{ "finance", "#1f77b4" }, { "ads", "#e377c2" }, { "records", "#8c564b" }, { "victims", "#2ca02c" },
		{ "diversity", "#9467bd" }, { "size", "#aab4bf" }, { "recency", "#bcbd22" }, { "agency_target", "#d62728" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(name, map[i].part) == 0)
			return map[i].colour;
	return "#17becf";
}

void rep_parts_legend(struct sbuf *sb)
{
	static const char *const parts[] = { "finance", "ads", "records", "victims", "diversity", "size", "recency",
					     "agency_target" };
	size_t i;

	sbuf_adds(sb, "<div class=\"legend\">score parts: ");
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
		sbuf_addf(sb, "<span><i style=\"background:%s\"></i>%s</span>", part_colour(parts[i]), parts[i]);
	sbuf_adds(sb, "</div>");
}

void rep_parts_svg(struct sbuf *sb, const char *const *names, const double *points, size_t n, double max_total)
{
	double x = 0, w = 220;
	size_t i;

	if (!(max_total > 0))
		return;
	sbuf_addf(sb, "<svg class=\"bar\" width=\"%.0f\" height=\"14\" viewBox=\"0 0 %.0f 14\" role=\"img\">", w, w);
	for (i = 0; i < n; i++) {
		double pw = w * points[i] / max_total;

		if (pw <= 0)
			continue;
		sbuf_addf(sb, "<rect x=\"%.1f\" y=\"1\" width=\"%.1f\" height=\"12\" fill=\"%s\"><title>", x, pw,
			  part_colour(names[i]));
		sbuf_add_xml_escaped(sb, names[i], strlen(names[i]));
		sbuf_addf(sb, " %.2f</title></rect>", points[i]);
		x += pw;
	}
	sbuf_adds(sb, "</svg>");
}

static int cmp_ev(const void *a, const void *b)
{
	const struct rep_event *x = a, *y = b;

	if (x->lane != y->lane)
		return x->lane < y->lane ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

void rep_timeline_svg(struct sbuf *sb, const struct rep_event *ev0, size_t n, const char *const *lanes,
		      int nlanes, const int *money_lane)
{
	const double left = 150, right = 20, width = 900, lane_h = 34, top = 14;
	struct rep_event *ev;
	int64_t d0, d1, span, d;
	double plot = width - left - right, maxv[16] = { 0 };
	size_t i, j;
	int l, y;
	unsigned mo;
	double height;

	if (!n || nlanes > 16)
		return;
	if (!(ev = mem_alloc(n * sizeof *ev)))
		return;
	memcpy(ev, ev0, n * sizeof *ev);
	/* per day per lane */
	for (i = 0; i < n; i++)
		ev[i].ts = ev[i].ts >= 0 ? ev[i].ts / 86400 : (ev[i].ts - 86399) / 86400;
	qsort(ev, n, sizeof *ev, cmp_ev);
	d0 = d1 = ev[0].ts;
	for (i = 0; i < n; i++) {
		if (ev[i].ts < d0)
			d0 = ev[i].ts;
		if (ev[i].ts > d1)
			d1 = ev[i].ts;
	}
	/* merge same lane and day */
	for (i = 0, j = 0; i < n; i++) {
		if (j && ev[j - 1].lane == ev[i].lane && ev[j - 1].ts == ev[i].ts)
			ev[j - 1].value += ev[i].value;
		else
			ev[j++] = ev[i];
	}
	n = j;
	for (i = 0; i < n; i++)
		if (ev[i].value > maxv[ev[i].lane])
			maxv[ev[i].lane] = ev[i].value;
	d0 -= 1;
	d1 += 1;
	span = d1 - d0;
	height = top + lane_h * nlanes + 30;
	sbuf_addf(sb, "<svg class=\"timeline\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		      "xmlns=\"http://www.w3.org/2000/svg\"><title>timeline</title>", width, height, width, height);
	for (l = 0; l < nlanes; l++) {
		double yl = top + lane_h * l + lane_h / 2;

		sbuf_addf(sb, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"/>", left, top + lane_h * l,
			  plot, lane_h, l % 2 ? "#ffffff" : "#f4f6f8");
		sbuf_addf(sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" class=\"lane\">", left - 8, yl + 4);
		sbuf_add_xml_escaped(sb, lanes[l], strlen(lanes[l]));
		sbuf_adds(sb, "</text>");
	}
	/* month ticks (or day ticks for short spans) */
	for (d = d0; d <= d1; d++) {
		int64_t t = d * 86400;
		unsigned dd;
		char lab[16];
		double x = left + plot * (double)(d - d0) / (double)span;

		civil_from_days(d, &y, &mo, &dd);
		if (span > 62 ? dd != 1 : span > 14 ? (dd != 1 && dd != 15) : 0)
			continue;
		format_date(t, lab);
		sbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" class=\"tick\"/>", x, top, x,
			  top + lane_h * nlanes);
		if (span > 62)
			lab[7] = '\0';
		sbuf_addf(sb, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" class=\"axis\">%s</text>", x,
			  top + lane_h * nlanes + 16, span > 62 ? lab : lab + 5);
	}
	for (i = 0; i < n; i++) {
		double x = left + plot * (double)(ev[i].ts - d0) / (double)span;
		double yl = top + lane_h * ev[i].lane + lane_h / 2;
		double r = 2.5 + 11.0 * sqrt(ev[i].value / maxv[ev[i].lane]);
		int money = money_lane && money_lane[ev[i].lane];
		char date[16];

		format_date(ev[i].ts * 86400, date);
		sbuf_addf(sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" class=\"%s\"><title>%s: ", x, yl, r,
			  money ? "ev-money" : "ev", date);
		if (money)
			sbuf_addf(sb, "%.2f", ev[i].value);
		else
			sbuf_addf(sb, "%.0f", ev[i].value);
		sbuf_adds(sb, "</title></circle>");
	}
	sbuf_adds(sb, "</svg>");
	mem_free(ev);
}
