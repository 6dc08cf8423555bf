/*
 * net_pipeline: `rastro run` — every analysis stage in order, through each
 * module's public function, so that one command after ingest gives the
 * networks.  The order follows the data flow (docs/architecture.md):
 * resolution makes the people and their identifier links; the ads stage
 * its ad entities, the identifiers it reads out of ad text, and its
 * signals; the detectors then write theirs (FIN.AD_IDENTIFIER reads the
 * ads stage's identifiers, so before it ran ads would count only the
 * phones given in the ad's own fields, and a second `rastro run` would
 * find more); the victims stage reads those signals and flags potential
 * victims; the network stage reads everything and must come last.
 */
#include "net_int.h"

#include <stdio.h>
#include <string.h>

static int say(rastro_ws *ws, rastro_step_fn step, void *user, const char *stage, int rc, const char *summary)
{
	if (step)
		step(user, stage, 1, rc ? ws->err.msg : summary);
	return rc;
}

int rastro_run_all(rastro_ws *ws, rastro_step_fn step, void *user)
{
	char line[512];
	int rc;

	/* resolve */
	{
		struct rastro_resolve_opts o;
		struct rastro_resolve_stats st;

		memset(&o, 0, sizeof o);
		if (step)
			step(user, "resolve", 0, NULL);
		rc = rastro_resolve(ws, &o, &st);
		snprintf(line, sizeof line, "resolve: %llu records, %llu person entities (%llu with two or more records), %.2f s",
			 (unsigned long long)st.records, (unsigned long long)st.entities,
			 (unsigned long long)st.multi_entities, st.seconds);
		if (say(ws, step, user, "resolve", rc, line))
			return rc;
	}

	/* ads */
	{
		struct rastro_ads_opts o;
		struct rastro_ads_stats st;

		memset(&o, 0, sizeof o);
		if (step)
			step(user, "ads", 0, NULL);
		rc = rastro_ads_run(ws, &o, &st);
		snprintf(line, sizeof line, "ads: %llu ads, %llu identifiers, %llu clusters of two or more, %llu signals, %.2f s",
			 (unsigned long long)st.ads, (unsigned long long)st.identifiers,
			 (unsigned long long)st.multi_clusters, (unsigned long long)st.signals, st.seconds);
		if (say(ws, step, user, "ads", rc, line))
			return rc;
	}

	/* finance */
	{
		struct rastro_detect_opts o;
		struct rastro_detect_stats st;

		memset(&o, 0, sizeof o);
		memset(&st, 0, sizeof st);
		if (step)
			step(user, "detect", 0, NULL);
		rc = rastro_detect(ws, &o, &st);
		snprintf(line, sizeof line,
			 "detect: %llu transactions, %llu signals on %llu accounts, %llu alerted (%llu withheld: swept "
			 "earners), %.2f s",
			 (unsigned long long)st.transactions, (unsigned long long)st.signals,
			 (unsigned long long)st.accounts_flagged, (unsigned long long)st.accounts_alerted,
			 (unsigned long long)st.signals_withheld,
			 st.load_seconds + st.detect_seconds + st.write_seconds);
		if (say(ws, step, user, "detect", rc, line))
			return rc;
	}

	/* victims */
	{
		struct rastro_victims_stats st;

		if (step)
			step(user, "victims", 0, NULL);
		rc = rastro_victims_run(ws, &st);
		snprintf(line, sizeof line, "victims: %llu encounters, %llu indicators, %llu potential victims (%llu minors), %.2f s",
			 (unsigned long long)st.encounters, (unsigned long long)st.indicators,
			 (unsigned long long)st.victims, (unsigned long long)st.minors, st.seconds);
		if (say(ws, step, user, "victims", rc, line))
			return rc;
	}

	/* network */
	{
		struct rastro_network_stats st;

		if (step)
			step(user, "network", 0, NULL);
		rc = rastro_network_run(ws, &st);
		snprintf(line, sizeof line,
			 "network: %llu nodes, %llu edges, %llu hubs set aside, %llu networks (%llu ranked), %.2f s",
			 (unsigned long long)st.nodes, (unsigned long long)st.edges, (unsigned long long)st.hubs,
			 (unsigned long long)st.networks, (unsigned long long)st.ranked,
			 st.build_seconds + st.partition_seconds + st.roles_seconds + st.write_seconds);
		if (say(ws, step, user, "network", rc, line))
			return rc;
	}
	return 0;
}
