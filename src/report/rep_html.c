#include "store/ws.h"
int rastro_report(rastro_ws *ws, const struct rastro_report_opts *opts, struct rastro_report_stats *stats)
{
	(void)opts; (void)stats;
	return ws_error(ws, RASTRO_ERROR, "not yet");
}
