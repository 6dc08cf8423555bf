/*
 * gen_ibm: IBM AMLworld-style files (*_Trans.csv, *_Patterns.txt,
 * *_accounts.csv) for the financial-detector benchmark.
 */
#include "gen_int.h"

int gen_ibm_run(gen_t *g)
{
	return gen_fail(g, RASTRO_USAGE, "the IBM AMLworld mode is not built yet");
}
