/*
 * det_memo: P2P memos and wire references matching the smuggling lexicon
 * (FIN-2023-Alert001).  Placeholder until the shared lexicon scanner lands.
 */
#include "fin.h"

void fin_memo_free(void *lexicon)
{
	(void)lexicon;
}

const struct fin_detector fin_det_memo[1];
const size_t fin_det_memo_n = 0;
