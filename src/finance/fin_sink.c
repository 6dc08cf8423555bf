/*
 * fin_sink: where detectors put their findings.  A sink holds signals in
 * flat arrays (evidence and affected accounts as index ranges, sentences and
 * JSON details in one text buffer), so a detector emits thousands of
 * signals without one allocation each.  Failure is sticky: after an
 * allocation failure the sink ignores further input and says so once.
 */
#include "fin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"

void fin_sink_init(struct fin_sink *s)
{
	memset(s, 0, sizeof *s);
	vec_init(&s->sigs, sizeof(struct fin_sig));
	vec_init(&s->ev, sizeof(uint32_t));
	vec_init(&s->aff, sizeof(uint32_t));
	vec_init(&s->rec, sizeof(int64_t));
	sbuf_init(&s->text);
}

void fin_sink_release(struct fin_sink *s)
{
	vec_release(&s->sigs);
	vec_release(&s->ev);
	vec_release(&s->aff);
	vec_release(&s->rec);
	sbuf_release(&s->text);
	memset(s, 0, sizeof *s);
}

double fin_strength(double value, double threshold, double full)
{
	double x;

	if (!(full > threshold))
		return value >= threshold ? 1.0 : 0.5;
	x = (value - threshold) / (full - threshold);
	if (x < 0)
		x = 0;
	if (x > 1)
		x = 1;
	return 0.5 + 0.5 * x;
}

void fin_sig_begin(struct fin_sigb *b, struct fin_sink *s, int det, uint32_t acc, double score)
{
	memset(b, 0, sizeof *b);
	b->s = s;
	b->sig.det = (uint16_t)det;
	b->sig.acc = acc;
	b->sig.score = score;
	b->sig.text_off = SIZE_MAX;
	b->ev_start = s->ev.len;
	b->aff_start = s->aff.len;
	b->rec_start = s->rec.len;
	sbuf_init(&b->details);
}

void fin_sig_ev(struct fin_sigb *b, uint32_t tx)
{
	if (vec_push(&b->s->ev, &tx))
		b->s->failed = 1;
}

void fin_sig_aff(struct fin_sigb *b, uint32_t acc)
{
	if (acc != FIN_NONE && vec_push(&b->s->aff, &acc))
		b->s->failed = 1;
}

void fin_sig_rec(struct fin_sigb *b, int64_t record_id)
{
	if (vec_push(&b->s->rec, &record_id))
		b->s->failed = 1;
}

static void member(struct fin_sigb *b, const char *key)
{
	if (b->details.len)
		sbuf_addc(&b->details, ',');
	sbuf_addc(&b->details, '"');
	sbuf_adds(&b->details, key);
	sbuf_adds(&b->details, "\":");
}

void fin_sig_num(struct fin_sigb *b, const char *key, double v)
{
	member(b, key);
	if (isfinite(v))
		sbuf_addf(&b->details, "%.6g", v);
	else
		sbuf_adds(&b->details, "null");
}

void fin_sig_int(struct fin_sigb *b, const char *key, long long v)
{
	member(b, key);
	sbuf_addf(&b->details, "%lld", v);
}

void fin_sig_str(struct fin_sigb *b, const char *key, const char *v)
{
	member(b, key);
	sbuf_addc(&b->details, '"');
	sbuf_add_json_escaped(&b->details, v, strlen(v));
	sbuf_addc(&b->details, '"');
}

void fin_sig_raw(struct fin_sigb *b, const char *key, const char *json)
{
	member(b, key);
	sbuf_adds(&b->details, json);
}

void fin_sig_say(struct fin_sigb *b, const char *fmt, ...)
{
	va_list ap;

	b->sig.text_off = b->s->text.len;
	va_start(ap, fmt);
	sbuf_vaddf(&b->s->text, fmt, ap);
	va_end(ap);
	sbuf_addc(&b->s->text, '\0');
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts and de-duplicates v[start..len); returns the new count. */
static size_t uniq_tail(struct vec *v, size_t start)
{
	uint32_t *a = (uint32_t *)v->data + start;
	size_t n = v->len - start, i, k = 0;

	if (!n)
		return 0;
	if (n > 1)
		qsort(a, n, sizeof *a, cmp_u32);
	for (i = 0; i < n; i++)
		if (!k || a[i] != a[k - 1])
			a[k++] = a[i];
	v->len = start + k;
	return k;
}

void fin_sig_end(struct fin_sigb *b, const struct fin_data *d, size_t max_evidence)
{
	struct fin_sink *s = b->s;
	size_t nev, naff;

	nev = uniq_tail(&s->ev, b->ev_start);
	naff = uniq_tail(&s->aff, b->aff_start);
	b->sig.ev_off = b->ev_start;
	b->sig.aff_off = b->aff_start;
	b->sig.aff_n = naff;
	b->sig.rec_off = b->rec_start;
	b->sig.rec_n = s->rec.len - b->rec_start;
	if (nev) {
		const uint32_t *e = (const uint32_t *)s->ev.data + b->ev_start;

		b->sig.t0 = d->ts[e[0]];
		b->sig.t1 = d->ts[e[nev - 1]];
	}
	/* Details always say how much evidence there was, even when the
	 * stored list is cut to the first max_evidence in time. */
	fin_sig_int(b, "evidence_count", (long long)nev);
	if (max_evidence && nev > max_evidence) {
		s->ev.len = b->ev_start + max_evidence;
		nev = max_evidence;
		fin_sig_int(b, "evidence_stored", (long long)nev);
	}
	b->sig.ev_n = nev;
	b->sig.det_off = s->text.len;
	sbuf_addc(&s->text, '{');
	sbuf_add(&s->text, b->details.buf, b->details.len);
	sbuf_addc(&s->text, '}');
	sbuf_addc(&s->text, '\0');
	if (b->sig.text_off == SIZE_MAX) {
		b->sig.text_off = s->text.len;
		sbuf_addc(&s->text, '\0');
	}
	if (sbuf_failed(&b->details) || sbuf_failed(&s->text))
		s->failed = 1;
	if (vec_push(&s->sigs, &b->sig))
		s->failed = 1;
	sbuf_release(&b->details);
}

/* ---- small helpers shared by detectors ---- */

size_t fin_after(const uint32_t *tx, size_t n, uint32_t after)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tx[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t fin_at_time(const struct fin_data *d, const uint32_t *tx, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->ts[tx[mid]] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double fin_sum_usd(const struct fin_data *d, const uint32_t *tx, size_t n, size_t *unknown)
{
	double s = 0;
	size_t i, u = 0;

	for (i = 0; i < n; i++) {
		if (isnan(d->usd[tx[i]]))
			u++;
		else
			s += d->usd[tx[i]];
	}
	if (unknown)
		*unknown = u;
	return s;
}

void fin_fmt_usd(char *out, size_t n, double usd)
{
	char digits[64], grouped[96];
	int len, i, k = 0, lead;

	if (!isfinite(usd)) {
		snprintf(out, n, "an unknown amount");
		return;
	}
	len = snprintf(digits, sizeof digits, "%.0f", usd < 0 ? -usd : usd);
	lead = len % 3 ? len % 3 : 3;
	for (i = 0; i < len && k < (int)sizeof grouped - 2; i++) {
		if (i && (i - lead) % 3 == 0 && i >= lead)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	snprintf(out, n, "%s%s USD", usd < 0 ? "-" : "", grouped);
}

void fin_fmt_time(char *out, size_t n, int64_t t)
{
	char buf[32];

	format_timestamp(t, buf);
	/* "YYYY-MM-DDTHH:MM:SS" -> "YYYY-MM-DD HH:MM" */
	buf[10] = ' ';
	buf[16] = '\0';
	snprintf(out, n, "%s", buf);
}

/* Per-string-id flags for a list of category names from settings. */
uint8_t *fin_cat_flags(const struct fin_run *r, int det, const char *name, const char *const *def,
			  uint8_t value)
{
	size_t n = strmap_count(&r->d->strs) + 1, i, k;
	uint8_t *f = mem_calloc(n, 1);
	char key[128];

	if (!f)
		return NULL;
	snprintf(key, sizeof key, "finance.%s.%s", fin_detector_at((size_t)det)->key, name);
	k = cfg_array_len(r->cfg, key);
	if (k) {
		for (i = 0; i < k; i++) {
			uint32_t id = fin_str(r->d, cfg_array_str(r->cfg, key, i));

			if (id)
				f[id] = value;
		}
	} else {
		for (i = 0; def[i]; i++) {
			uint32_t id = fin_str(r->d, def[i]);

			if (id)
				f[id] = value;
		}
	}
	return f;
}

int fin_is_wage(const struct fin_data *d, uint32_t t, const uint8_t *payroll)
{
	if (d->amt[t] <= 0 || d->dst[t] == FIN_NONE || d->src[t] == d->dst[t])
		return 0;
	if (payroll && payroll[d->cat[t]])
		return 1;
	return d->chan[t] == CH_ACH && d->src[t] != FIN_NONE && d->k_ctype[d->src[t]] == CT_BUSINESS &&
	       d->k_ctype[d->dst[t]] != CT_BUSINESS;
}
