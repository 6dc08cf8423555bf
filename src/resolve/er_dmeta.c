/*
 * er_dmeta: Double Metaphone (Philips 2000), from the published rule
 * description.  The word is upper-cased into a small buffer and scanned
 * left to right; each rule looks at the letters around the current one,
 * appends to the primary and the alternate code, and says how many letters
 * it consumed.  Rules are checked in the order the description gives them:
 * the first that applies wins.
 */
#include "er_dmeta.h"

#include <string.h>

#define WORD_MAX 64

struct scan {
	char w[WORD_MAX + 8];    /* the word, upper case, padded with NULs */
	long len, last;
	int slavo_germanic;      /* W, K, CZ or WITZ: no Spanish/Italian readings */
	char p[ER_DMETA_LEN + 1], a[ER_DMETA_LEN + 1];
	size_t pn, an;
};

/* Letter at i, or 0 outside the word. */
static char ch(const struct scan *s, long i)
{
	return i >= 0 && i < s->len ? s->w[i] : 0;
}

static int vowel_at(const struct scan *s, long i)
{
	char c = ch(s, i);

	return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
}

/* 1 when one of the options ("ACH" or "A|O|U|E") starts at position pos. */
static int at(const struct scan *s, long pos, const char *opts)
{
	const char *o = opts;

	if (pos < 0)
		return 0;
	for (;;) {
		const char *bar = strchr(o, '|');
		size_t n = bar ? (size_t)(bar - o) : strlen(o);

		if (pos + (long)n <= s->len && memcmp(s->w + pos, o, n) == 0)
			return 1;
		if (!bar)
			return 0;
		o = bar + 1;
	}
}

static void put(char *code, size_t *n, const char *x)
{
	for (; *x && *n < ER_DMETA_LEN; x++)
		code[(*n)++] = *x;
	code[*n] = '\0';
}

/* Appends to the primary code and (alt, or the same) to the alternate. */
static void add2(struct scan *s, const char *pri, const char *alt)
{
	put(s->p, &s->pn, pri);
	put(s->a, &s->an, alt);
}

static void add(struct scan *s, const char *both)
{
	add2(s, both, both);
}

static long rule_c(struct scan *s, long i)
{
	/* Germanic "-ach-" (Bacher, Macher) */
	if (i > 1 && !vowel_at(s, i - 2) && at(s, i - 1, "ACH") && ch(s, i + 2) != 'I' &&
	    (ch(s, i + 2) != 'E' || at(s, i - 2, "BACHER|MACHER"))) {
		add(s, "K");
		return 2;
	}
	if (i == 0 && at(s, i, "CAESAR")) {
		add(s, "S");
		return 2;
	}
	if (at(s, i, "CHIA")) {          /* Italian "Chianti" */
		add(s, "K");
		return 2;
	}
	if (at(s, i, "CH")) {
		if (i > 0 && at(s, i, "CHAE")) {   /* "Michael" */
			add2(s, "K", "X");
			return 2;
		}
		if (i == 0 && (at(s, i + 1, "HARAC|HARIS") || at(s, i + 1, "HOR|HYM|HIA|HEM")) &&
		    !at(s, 0, "CHORE")) {  /* Greek roots */
			add(s, "K");
			return 2;
		}
		if (at(s, 0, "VAN |VON ") || at(s, 0, "SCH") ||
		    at(s, i - 2, "ORCHES|ARCHIT|ORCHID") || at(s, i + 2, "T|S") ||
		    ((at(s, i - 1, "A|O|U|E") || i == 0) &&
		     at(s, i + 2, "L|R|N|M|B|H|F|V|W| ")))
			add(s, "K");
		else if (i > 0)
			add2(s, at(s, 0, "MC") ? "K" : "X", "K");
		else
			add(s, "X");
		return 2;
	}
	if (at(s, i, "CZ") && !at(s, i - 2, "WICZ")) {   /* "Czerny" */
		add2(s, "S", "X");
		return 2;
	}
	if (at(s, i + 1, "CIA")) {      /* "Focaccia" */
		add(s, "X");
		return 3;
	}
	if (at(s, i, "CC") && !(i == 1 && ch(s, 0) == 'M')) {
		if (at(s, i + 2, "I|E|H") && !at(s, i + 2, "HU")) {
			/* "Accident", "Succeed" read KS; "Bacci" reads X */
			if ((i == 1 && ch(s, i - 1) == 'A') || at(s, i - 1, "UCCEE|UCCES"))
				add(s, "KS");
			else
				add(s, "X");
			return 3;
		}
		add(s, "K");
		return 2;
	}
	if (at(s, i, "CK|CG|CQ")) {
		add(s, "K");
		return 2;
	}
	if (at(s, i, "CI|CE|CY")) {
		if (at(s, i, "CIO|CIE|CIA"))   /* Italian */
			add2(s, "S", "X");
		else
			add(s, "S");
		return 2;
	}
	add(s, "K");
	if (at(s, i + 1, " C| Q| G"))   /* "Mac Caffrey" */
		return 3;
	if (at(s, i + 1, "C|K|Q") && !at(s, i + 1, "CE|CI"))
		return 2;
	return 1;
}

static long rule_g(struct scan *s, long i)
{
	if (ch(s, i + 1) == 'H') {
		if (i > 0 && !vowel_at(s, i - 1)) {
			add(s, "K");
			return 2;
		}
		if (i == 0) {                       /* "Ghislane", "Ghiradelli" */
			add(s, ch(s, i + 2) == 'I' ? "J" : "K");
			return 2;
		}
		/* "Hugh", "bough", "broughton": silent */
		if ((i > 1 && at(s, i - 2, "B|H|D")) || (i > 2 && at(s, i - 3, "B|H|D")) ||
		    (i > 3 && at(s, i - 4, "B|H")))
			return 2;
		if (i > 2 && ch(s, i - 1) == 'U' && at(s, i - 3, "C|G|L|R|T"))
			add(s, "F");                /* "laugh", "tough" */
		else if (i > 0 && ch(s, i - 1) != 'I')
			add(s, "K");
		return 2;
	}
	if (ch(s, i + 1) == 'N') {
		if (i == 1 && vowel_at(s, 0) && !s->slavo_germanic)
			add2(s, "KN", "N");
		else if (!at(s, i + 2, "EY") && ch(s, i + 1) != 'Y' && !s->slavo_germanic)
			add2(s, "N", "KN");
		else
			add(s, "KN");
		return 2;
	}
	if (at(s, i + 1, "LI") && !s->slavo_germanic) {   /* "Tagliaro" */
		add2(s, "KL", "L");
		return 2;
	}
	if (i == 0 && (ch(s, i + 1) == 'Y' ||
		       at(s, i + 1, "ES|EP|EB|EL|EY|IB|IL|IN|IE|EI|ER"))) {
		add2(s, "K", "J");
		return 2;
	}
	if ((at(s, i + 1, "ER") || ch(s, i + 1) == 'Y') && !at(s, 0, "DANGER|RANGER|MANGER") &&
	    !at(s, i - 1, "E|I") && !at(s, i - 1, "RGY|OGY")) {
		add2(s, "K", "J");
		return 2;
	}
	if (at(s, i + 1, "E|I|Y") || at(s, i - 1, "AGGI|OGGI")) {
		if (at(s, 0, "VAN |VON ") || at(s, 0, "SCH") || at(s, i + 1, "ET"))
			add(s, "K");
		else if (at(s, i + 1, "IER ") || (at(s, i + 1, "IER") && i + 4 >= s->len))
			add(s, "J");
		else
			add2(s, "J", "K");
		return 2;
	}
	add(s, "K");
	return ch(s, i + 1) == 'G' ? 2 : 1;
}

static long rule_j(struct scan *s, long i)
{
	if (at(s, i, "JOSE") || at(s, 0, "SAN ")) {   /* Spanish "Jose", "San Jacinto" */
		if ((i == 0 && (ch(s, i + 4) == ' ' || i + 4 >= s->len)) || at(s, 0, "SAN "))
			add(s, "H");
		else
			add2(s, "J", "H");
		return 1;
	}
	if (i == 0 && !at(s, i, "JOSE"))
		add2(s, "J", "A");                  /* "Jankelowicz" / "Yankelovich" */
	else if (vowel_at(s, i - 1) && !s->slavo_germanic && (ch(s, i + 1) == 'A' || ch(s, i + 1) == 'O'))
		add2(s, "J", "H");                  /* Spanish "bajador" */
	else if (i == s->last)
		add2(s, "J", "");
	else if (!at(s, i + 1, "L|T|K|S|N|M|B|Z") && !at(s, i - 1, "S|K|L"))
		add(s, "J");
	return ch(s, i + 1) == 'J' ? 2 : 1;
}

static long rule_l(struct scan *s, long i)
{
	if (ch(s, i + 1) == 'L') {
		/* Spanish "Cabrillo", "Gallegos": the LL may be a Y */
		if ((i == s->len - 3 && at(s, i - 1, "ILLO|ILLA|ALLE")) ||
		    ((at(s, s->last - 1, "AS|OS") || at(s, s->last, "A|O")) && at(s, i - 1, "ALLE"))) {
			add2(s, "L", "");
			return 2;
		}
		add(s, "L");
		return 2;
	}
	add(s, "L");
	return 1;
}

static long rule_s(struct scan *s, long i)
{
	if (at(s, i - 1, "ISL|YSL"))        /* "island", "carlisle": silent */
		return 1;
	if (i == 0 && at(s, i, "SUGAR")) {
		add2(s, "X", "S");
		return 1;
	}
	if (at(s, i, "SH")) {
		add(s, at(s, i + 1, "HEIM|HOEK|HOLM|HOLZ") ? "S" : "X");   /* Germanic */
		return 2;
	}
	if (at(s, i, "SIO|SIA") || at(s, i, "SIAN")) {   /* Italian and Armenian */
		if (s->slavo_germanic)
			add(s, "S");
		else
			add2(s, "S", "X");
		return 3;
	}
	if ((i == 0 && at(s, i + 1, "M|N|L|W")) || at(s, i + 1, "Z")) {
		/* German and anglicised "Schmidt"/"Smith", "Snider"/"Schneider" */
		add2(s, "S", "X");
		return at(s, i + 1, "Z") ? 2 : 1;
	}
	if (at(s, i, "SC")) {
		if (ch(s, i + 2) == 'H') {
			if (at(s, i + 3, "OO|ER|EN|UY|ED|EM")) {   /* Dutch "school", "schenker" */
				if (at(s, i + 3, "ER|EN"))
					add2(s, "X", "SK");
				else
					add(s, "SK");
				return 3;
			}
			if (i == 0 && !vowel_at(s, 3) && ch(s, 3) != 'W')
				add2(s, "X", "S");
			else
				add(s, "X");
			return 3;
		}
		if (at(s, i + 2, "I|E|Y")) {
			add(s, "S");
			return 3;
		}
		add(s, "SK");
		return 3;
	}
	if (i == s->last && at(s, i - 2, "AI|OI"))   /* French "Artois" */
		add2(s, "", "S");
	else
		add(s, "S");
	return at(s, i + 1, "S|Z") ? 2 : 1;
}

static long rule_t(struct scan *s, long i)
{
	if (at(s, i, "TION") || at(s, i, "TIA|TCH")) {
		add(s, "X");
		return 3;
	}
	if (at(s, i, "TH") || at(s, i, "TTH")) {
		/* "Thomas", "Thames", Germanic: T */
		if (at(s, i + 2, "OM|AM") || at(s, 0, "VAN |VON ") || at(s, 0, "SCH"))
			add(s, "T");
		else
			add2(s, "0", "T");
		return 2;
	}
	add(s, "T");
	return at(s, i + 1, "T|D") ? 2 : 1;
}

static long rule_w(struct scan *s, long i)
{
	if (at(s, i, "WR")) {
		add(s, "R");
		return 2;
	}
	if (i == 0 && (vowel_at(s, i + 1) || at(s, i, "WH"))) {
		/* "Wasserman" may read Vasserman */
		if (vowel_at(s, i + 1))
			add2(s, "A", "F");
		else
			add(s, "A");
	}
	/* Polish "Filipowicz", Germanic "Arnow" */
	if ((i == s->last && vowel_at(s, i - 1)) || at(s, i - 1, "EWSKI|EWSKY|OWSKI|OWSKY") ||
	    at(s, 0, "SCH")) {
		add2(s, "", "F");
		return 1;
	}
	if (at(s, i, "WICZ|WITZ")) {
		add2(s, "TS", "FX");
		return 4;
	}
	return 1;
}

/* One letter at i: appends codes, returns the letters consumed. */
static long step(struct scan *s, long i)
{
	char c = s->w[i], nx = ch(s, i + 1);

	switch (c) {
	case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
		if (i == 0)
			add(s, "A");              /* a vowel counts only at the start */
		return 1;
	case 'B':
		add(s, "P");
		return nx == 'B' ? 2 : 1;
	case 'C':
		return rule_c(s, i);
	case 'D':
		if (at(s, i, "DG")) {
			if (at(s, i + 2, "I|E|Y")) {   /* "edge" */
				add(s, "J");
				return 3;
			}
			add(s, "TK");                          /* "Edgar" */
			return 2;
		}
		add(s, "T");
		return at(s, i, "DT|DD") ? 2 : 1;
	case 'F':
		add(s, "F");
		return nx == 'F' ? 2 : 1;
	case 'G':
		return rule_g(s, i);
	case 'H':
		/* only between vowels or at the start before one */
		if ((i == 0 || vowel_at(s, i - 1)) && vowel_at(s, i + 1)) {
			add(s, "H");
			return 2;
		}
		return 1;
	case 'J':
		return rule_j(s, i);
	case 'K':
		add(s, "K");
		return nx == 'K' ? 2 : 1;
	case 'L':
		return rule_l(s, i);
	case 'M':
		add(s, "M");
		/* "dumb", "thumb": the B is silent */
		return (at(s, i - 1, "UMB") && (i + 1 == s->last || at(s, i + 2, "ER"))) || nx == 'M' ? 2 : 1;
	case 'N':
		add(s, "N");
		return nx == 'N' ? 2 : 1;
	case 'P':
		if (nx == 'H') {
			add(s, "F");
			return 2;
		}
		add(s, "P");
		return at(s, i + 1, "P|B") ? 2 : 1;   /* "Campbell" */
	case 'Q':
		add(s, "K");
		return nx == 'Q' ? 2 : 1;
	case 'R':
		/* French "Rogier": final R silent in the primary reading */
		if (i == s->last && !s->slavo_germanic && at(s, i - 2, "IE") && !at(s, i - 4, "ME|MA"))
			add2(s, "", "R");
		else
			add(s, "R");
		return nx == 'R' ? 2 : 1;
	case 'S':
		return rule_s(s, i);
	case 'T':
		return rule_t(s, i);
	case 'V':
		add(s, "F");
		return nx == 'V' ? 2 : 1;
	case 'W':
		return rule_w(s, i);
	case 'X':
		/* French "Breaux": final X silent */
		if (!(i == s->last && (at(s, i - 3, "IAU|EAU") || at(s, i - 2, "AU|OU"))))
			add(s, "KS");
		return at(s, i + 1, "C|X") ? 2 : 1;
	case 'Z':
		if (nx == 'H') {              /* Chinese "Zhao" */
			add(s, "J");
			return 2;
		}
		if (at(s, i + 1, "ZO|ZI|ZA") || (s->slavo_germanic && i > 0 && ch(s, i - 1) != 'T'))
			add2(s, "S", "TS");
		else
			add(s, "S");
		return nx == 'Z' ? 2 : 1;
	default:
		return 1;                     /* spaces */
	}
}

void er_dmeta(const char *in, struct er_dmeta *out)
{
	struct scan s;
	long i = 0;

	memset(&s, 0, sizeof s);
	for (; *in && s.len < WORD_MAX; in++) {
		char c = *in;

		if (c >= 'a' && c <= 'z')
			s.w[s.len++] = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			s.w[s.len++] = c;
		else if (c == ' ' && s.len && s.w[s.len - 1] != ' ')
			s.w[s.len++] = ' ';
	}
	while (s.len && s.w[s.len - 1] == ' ')
		s.w[--s.len] = '\0';
	s.last = s.len - 1;
	s.slavo_germanic = strchr(s.w, 'W') || strchr(s.w, 'K') || strstr(s.w, "CZ") || strstr(s.w, "WITZ");
	if (s.len) {
		/* silent first letters; an initial X reads S ("Xavier") */
		if (at(&s, 0, "GN|KN|PN|WR|PS"))
			i = 1;
		else if (s.w[0] == 'X') {
			add(&s, "S");
			i = 1;
		}
	}
	while (i < s.len && (s.pn < ER_DMETA_LEN || s.an < ER_DMETA_LEN))
		i += step(&s, i);
	memcpy(out->primary, s.p, sizeof out->primary);
	memcpy(out->alternate, s.a, sizeof out->alternate);
}

int er_dmeta_match(const struct er_dmeta *a, const struct er_dmeta *b)
{
	if (!a->primary[0] || !b->primary[0])
		return 0;
	return strcmp(a->primary, b->primary) == 0 || strcmp(a->primary, b->alternate) == 0 ||
	       strcmp(a->alternate, b->primary) == 0 ||
	       (a->alternate[0] && strcmp(a->alternate, b->alternate) == 0);
}
