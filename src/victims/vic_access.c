/*
 * vic_access: the role hook for victim data.
 *
 * Victim-service providers may not disclose personally identifying
 * information about victims (VAWA, 34 U.S.C. 12291(b)(2)); funders and
 * other parties get aggregate, non-identifying counts.  rastro applies the
 * same rule inside a task force: roles named in `victims.services_roles`
 * see names, contact details, reasons and referrals; every other role sees
 * counts.
 *
 * Today the role is what the caller says (`--role` or `victims.role`), which
 * selects a view but does not authenticate anybody.  When access control
 * lands, vic_view_for() is the one function that changes: it will take the
 * authenticated user's role (and write the audit record) instead.
 */
#include "victims.h"

#include <string.h>

enum vic_view vic_view_for(rastro_ws *ws, const char *role, const char **effective)
{
	size_t i, n;

	if (!role || !*role)
		role = cfg_str(ws->cfg, "victims.role", "analyst");
	if (effective)
		*effective = role;
	n = cfg_array_len(ws->cfg, "victims.services_roles");
	if (!cfg_has(ws->cfg, "victims.services_roles"))
		return strcmp(role, "victim_services") == 0 ? VIC_VIEW_FULL : VIC_VIEW_COUNTS;
	for (i = 0; i < n; i++) {
		const char *r = cfg_array_str(ws->cfg, "victims.services_roles", i);

		if (r && strcmp(r, role) == 0)
			return VIC_VIEW_FULL;
	}
	return VIC_VIEW_COUNTS;
}
