/*
 * gen_out: the generator's output files and fast field formatters.
 *
 * Output goes through one large buffer per file and plain write(2) calls,
 * so writing is limited by the disk, not by stdio.  Each file is written
 * as NAME.tmp and renamed to NAME when complete: a failed or interrupted
 * run never leaves a half-written file under a real name.  The number
 * formatters avoid printf on the hot path (millions of rows).
 */
#include "gen_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/parse.h"

#define GOUT_FLUSH (4u << 20)   /* write out when the buffer holds this much */

int gout_open(gen_t *g, struct gen_out *o, const char *name)
{
	struct sbuf p = SBUF_INIT;

	memset(o, 0, sizeof *o);
	o->fd = -1;
	sbuf_init(&o->b);
	sbuf_addf(&p, "%s/%s", g->outdir, name);
	if (sbuf_failed(&p))
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	o->path = sbuf_detach(&p, NULL);
	sbuf_addf(&p, "%s.tmp", o->path);
	if (sbuf_failed(&p)) {
		mem_free(o->path);
		o->path = NULL;
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	o->tmp = sbuf_detach(&p, NULL);
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0) {
		int e = errno;

		gen_fail(g, e == EACCES || e == EROFS ? RASTRO_READONLY : RASTRO_IO,
			 "cannot create '%s': %s", o->tmp, strerror(e));
		mem_free(o->path);
		mem_free(o->tmp);
		o->path = o->tmp = NULL;
		return g->err.code;
	}
	if (sbuf_grow(&o->b, GOUT_FLUSH + (1u << 20))) {
		gout_abort(o);
		return gen_fail(g, RASTRO_NOMEM, "out of memory");
	}
	return 0;
}

static int write_all(gen_t *g, struct gen_out *o)
{
	const char *p = o->b.buf;
	size_t n = o->b.len;

	if (sbuf_failed(&o->b))
		return gen_fail(g, RASTRO_NOMEM, "out of memory while writing '%s'", o->path);
	while (n) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return gen_fail(g, errno == ENOSPC ? RASTRO_FULL : RASTRO_IO, "cannot write '%s': %s",
					o->tmp, strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	if (g->stats)
		g->stats->bytes += o->b.len;
	sbuf_clear(&o->b);
	return 0;
}

int gout_write(gen_t *g, struct gen_out *o, const char *p, size_t n)
{
	if (o->b.len && write_all(g, o)) {
		o->failed = 1;
		return g->err.code;
	}
	while (n) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->failed = 1;
			return gen_fail(g, errno == ENOSPC ? RASTRO_FULL : RASTRO_IO, "cannot write '%s': %s", o->tmp,
					strerror(errno));
		}
		if (g->stats)
			g->stats->bytes += (uint64_t)w;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int gout_maybe_flush(gen_t *g, struct gen_out *o)
{
	if (o->b.len < GOUT_FLUSH && !sbuf_failed(&o->b))
		return 0;
	if (write_all(g, o)) {
		o->failed = 1;
		return g->err.code;
	}
	return 0;
}

void gout_abort(struct gen_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	mem_free(o->path);
	mem_free(o->tmp);
	sbuf_release(&o->b);
	o->fd = -1;
	o->path = o->tmp = NULL;
}

int gout_close(gen_t *g, struct gen_out *o)
{
	int rc = 0;

	if (o->fd < 0)
		return 0;
	if (o->failed || write_all(g, o))
		rc = g->err.code ? g->err.code : RASTRO_IO;
	if (!rc && close(o->fd) != 0)
		rc = gen_fail(g, RASTRO_IO, "cannot close '%s': %s", o->tmp, strerror(errno));
	else if (rc)
		close(o->fd);
	o->fd = -1;
	if (!rc && rename(o->tmp, o->path) != 0)
		rc = gen_fail(g, RASTRO_IO, "cannot rename '%s' to '%s': %s", o->tmp, o->path, strerror(errno));
	if (rc)
		unlink(o->tmp);
	mem_free(o->path);
	mem_free(o->tmp);
	sbuf_release(&o->b);
	o->path = o->tmp = NULL;
	return rc;
}

/* ---- formatters --------------------------------------------------------- */

void gb_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24];
	int i = 24;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sbuf_add(b, tmp + i, (size_t)(24 - i));
}

void gb_u64w(struct sbuf *b, uint64_t v, int width)
{
	char tmp[24];
	int i = 24;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	while (24 - i < width && i > 0)
		tmp[--i] = '0';
	sbuf_add(b, tmp + i, (size_t)(24 - i));
}

void gb_cents(struct sbuf *b, int64_t cents)
{
	char tmp[4];

	if (cents < 0) {
		sbuf_addc(b, '-');
		cents = -cents;
	}
	gb_u64(b, (uint64_t)cents / 100);
	tmp[0] = '.';
	tmp[1] = (char)('0' + cents % 100 / 10);
	tmp[2] = (char)('0' + cents % 10);
	sbuf_add(b, tmp, 3);
}

void gb_csv(struct sbuf *b, const char *s)
{
	if (s)
		sbuf_add_csv_field(b, s, strlen(s));
}

static void two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void gb_date(struct sbuf *b, int32_t day)
{
	char s[10];
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	two(s, (unsigned)y / 100);
	two(s + 2, (unsigned)y % 100);
	s[4] = '-';
	two(s + 5, m);
	s[7] = '-';
	two(s + 8, d);
	sbuf_add(b, s, 10);
}

void gb_ts(struct sbuf *b, int64_t ts)
{
	int64_t day = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
	unsigned rem = (unsigned)(ts - day * 86400);
	char s[9];

	gb_date(b, (int32_t)day);
	s[0] = 'T';
	two(s + 1, rem / 3600);
	s[3] = ':';
	two(s + 4, rem / 60 % 60);
	s[6] = ':';
	two(s + 7, rem % 60);
	sbuf_add(b, s, 9);
}

void gb_json_str(struct sbuf *b, const char *s)
{
	sbuf_addc(b, '"');
	if (s)
		sbuf_add_json_escaped(b, s, strlen(s));
	sbuf_addc(b, '"');
}
