/*
 * csv: buffered RFC 4180 tokenizer.  A record is parsed from the start of
 * the buffer's unread part; when the buffer ends before the record does, the
 * partial record is moved to the front, more input is read and the record is
 * parsed again.  Fields with "" escapes are unescaped into a scratch buffer
 * so the input buffer is never modified (re-parsing stays correct).
 */
#include "csv.h"
#include "core/mem.h"
#include "rastro.h"
#include "core/sbuf.h"
#include "core/utf8.h"
#include "core/vec.h"
#include "zin.h"

#include <string.h>
#include <strings.h>

#define READ_CHUNK (1u << 20)
#define RAW_KEEP 4096

struct csv {
	struct zin *in;
	char *path;
	struct csv_opts o;
	char *buf;
	size_t chunk;           /* bytes asked of zin per read */
	size_t cap, pos, end;
	int eof;
	int first;              /* BOM not yet checked */
	uint64_t line;          /* line number at buf[pos] */
	uint64_t consumed;      /* decompressed bytes before buf[0] */
	struct vec fields;      /* struct csv_field */
	struct vec offs;        /* size_t per field: scratch offset + 1, or 0 */
	struct sbuf scratch;    /* unescaped quoted fields */
	struct csv_row row;
	char keep[RAW_KEEP];    /* start of an over-long record */
};

void csv_opts_default(struct csv_opts *o)
{
	o->delim = ',';
	o->quote = '"';
	o->skip_initial_space = 0;
	o->check_utf8 = 1;
	o->max_record = 64u << 20;
	o->max_fields = 10000;
}

int csv_open(struct csv **out, const char *path, const struct csv_opts *opts,
	     struct rs_err *err)
{
	struct csv *c;
	int rc;

	*out = NULL;
	c = mem_calloc(1, sizeof *c);
	if (!c)
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	if (opts)
		c->o = *opts;
	else
		csv_opts_default(&c->o);
	if (c->o.max_record < 1024)
		c->o.max_record = 1024;
	if (!c->o.max_fields)
		c->o.max_fields = 10000;
	vec_init(&c->fields, sizeof(struct csv_field));
	vec_init(&c->offs, sizeof(size_t));
	sbuf_init(&c->scratch);
	c->path = mem_strdup(path);
	if (!c->path) {
		csv_close(c);
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	}
	rc = zin_open(&c->in, path, err);
	if (rc) {
		csv_close(c);
		return rc;
	}
	/* A plain small file fits a small buffer; anything else starts at two
	 * read chunks and grows with the longest record. */
	c->chunk = zin_codec(c->in) == ZIN_PLAIN && zin_raw_size(c->in) && zin_raw_size(c->in) < READ_CHUNK
			   ? (size_t)zin_raw_size(c->in) + 16 : READ_CHUNK;
	c->cap = c->chunk * 2;
	c->buf = mem_alloc(c->cap);
	if (!c->buf) {
		csv_close(c);
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	}
	c->line = 1;
	c->first = 1;
	*out = c;
	return 0;
}

void csv_close(struct csv *c)
{
	if (!c)
		return;
	zin_close(c->in);
	vec_release(&c->fields);
	vec_release(&c->offs);
	sbuf_release(&c->scratch);
	mem_free(c->buf);
	mem_free(c->path);
	mem_free(c);
}

/* Moves unread data to the front and reads more.  Returns 1 if bytes were
 * added, 0 at end of input, -1 on error. */
static int refill(struct csv *c, struct rs_err *err)
{
	ssize_t got;

	if (c->eof)
		return 0;
	if (c->pos > 0) {
		memmove(c->buf, c->buf + c->pos, c->end - c->pos);
		c->consumed += c->pos;
		c->end -= c->pos;
		c->pos = 0;
	}
	if (c->cap - c->end < c->chunk) {
		size_t ncap = c->cap * 2;
		char *nb = mem_realloc(c->buf, ncap);

		if (!nb) {
			err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", c->path);
			return -1;
		}
		c->buf = nb;
		c->cap = ncap;
	}
	got = zin_read(c->in, c->buf + c->end, c->cap - c->end, err);
	if (got < 0)
		return -1;
	if (got == 0) {
		c->eof = 1;
		return 0;
	}
	c->end += (size_t)got;
	if (c->first && c->end >= 3) {
		c->first = 0;
		if (memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
			c->pos = 3;
	} else if (c->first && c->eof) {
		c->first = 0;
	}
	return 1;
}

enum parse_result { P_DONE, P_MORE, P_BAD };

struct pstate {
	size_t i;
	size_t line_start;
	uint32_t line_off;
	const char *bad;
	size_t bad_at;
	int too_many;
};

static int add_field(struct csv *c, struct pstate *p, const char *s, size_t len,
		     size_t scratch_off1, size_t fstart)
{
	struct csv_field f;

	if (c->fields.len >= c->o.max_fields) {
		p->too_many = 1;
		return 0;
	}
	f.s = s;
	f.len = len;
	f.line_off = p->line_off;
	f.col = (uint32_t)(fstart - p->line_start + 1);
	/* Typed stores rather than vec_push: this runs for every field of
	 * every row, and vec_push copies through a call to memcpy. */
	if ((c->fields.len == c->fields.cap || c->offs.len == c->offs.cap) &&
	    (vec_reserve(&c->fields, c->fields.len + 16) || vec_reserve(&c->offs, c->offs.len + 16)))
		return -1;
	((struct csv_field *)c->fields.data)[c->fields.len++] = f;
	((size_t *)c->offs.data)[c->offs.len++] = scratch_off1;
	return 0;
}

/* Parses one record at c->pos.  On P_DONE, p->i is just past its end. */
static enum parse_result parse_record(struct csv *c, struct pstate *p, int *oom)
{
	const char *b = c->buf;
	size_t end = c->end;
	char delim = c->o.delim, quote = c->o.quote;

	vec_clear(&c->fields);
	vec_clear(&c->offs);
	sbuf_clear(&c->scratch);
	memset(p, 0, sizeof *p);
	p->i = c->pos;
	p->line_start = c->pos;
	for (;;) {
		size_t fstart = p->i;

		if (delim && c->o.skip_initial_space)
			while (p->i < end && b[p->i] == ' ')
				p->i++;
		if (quote && p->i < end && b[p->i] == quote) {
			size_t qstart = p->i, cstart = p->i + 1, k = p->i + 1;
			size_t soff = 0;
			int escaped = 0;

			for (;;) {
				const char *q = memchr(b + k, quote, end - k);
				size_t qi;

				/* Count lines inside the quoted part for positions. */
				{
					size_t stop = q ? (size_t)(q - b) : end, j = k;
					const char *nl;

					while (j < stop && (nl = memchr(b + j, '\n', stop - j))) {
						j = (size_t)(nl - b) + 1;
						p->line_off++;
						p->line_start = j;
					}
				}
				if (!q) {
					if (!c->eof)
						return P_MORE;
					p->bad = "unterminated quoted field at the end of the file (truncated?)";
					p->bad_at = qstart;
					p->i = end;
					return P_BAD;
				}
				qi = (size_t)(q - b);
				if (qi + 1 >= end && !c->eof)
					return P_MORE;
				if (qi + 1 < end && b[qi + 1] == quote) {
					if (!escaped) {
						soff = c->scratch.len + 1;
						escaped = 1;
					}
					sbuf_add(&c->scratch, b + k, qi + 1 - k);
					k = qi + 2;
					continue;
				}
				if (escaped)
					sbuf_add(&c->scratch, b + k, qi - k);
				p->i = qi + 1;
				break;
			}
			if (escaped) {
				if (sbuf_failed(&c->scratch) ||
				    add_field(c, p, NULL, c->scratch.len - (soff - 1), soff, qstart)) {
					*oom = 1;
					return P_BAD;
				}
			} else if (add_field(c, p, b + cstart, p->i - 1 - cstart, 0, qstart)) {
				*oom = 1;
				return P_BAD;
			}
			if (p->i < end && b[p->i] == '\r' && p->i + 1 < end && b[p->i + 1] == '\n')
				p->i++;
			if (p->i >= end) {
				if (!c->eof)
					return P_MORE;
				return P_DONE;
			}
			if (b[p->i] == '\n') {
				p->i++;
				return P_DONE;
			}
			if (b[p->i] == delim) {
				p->i++;
				continue;
			}
			if (b[p->i] == '\r' && p->i + 1 >= end && !c->eof)
				return P_MORE;
			p->bad = "unexpected text after a closing quote";
			p->bad_at = p->i;
			/* Find the end of this line so reading resumes after it. */
			{
				const char *nl = memchr(b + p->i, '\n', end - p->i);

				if (!nl && !c->eof)
					return P_MORE;
				p->i = nl ? (size_t)(nl - b) + 1 : end;
			}
			return P_BAD;
		} else {
			size_t k = p->i, fend;
			int at_nl = 0;

			if (delim) {
				while (k < end && b[k] != delim && b[k] != '\n')
					k++;
			} else {
				const char *nl = memchr(b + k, '\n', end - k);

				k = nl ? (size_t)(nl - b) : end;
			}
			if (k >= end && !c->eof)
				return P_MORE;
			fend = k;
			if (k < end && b[k] == '\n') {
				at_nl = 1;
				if (fend > p->i && b[fend - 1] == '\r')
					fend--;
			}
			if (add_field(c, p, b + p->i, fend - p->i, 0, fstart)) {
				*oom = 1;
				return P_BAD;
			}
			if (k >= end) {
				p->i = end;
				return P_DONE;
			}
			p->i = k + 1;
			if (at_nl)
				return P_DONE;
		}
	}
}

/* Positions of a byte inside the current record, for messages. */
static void locate(const struct csv *c, size_t at, uint64_t *line, uint64_t *col)
{
	size_t j, ls = c->pos;
	uint64_t l = c->line;

	for (j = c->pos; j < at; j++) {
		if (c->buf[j] == '\n') {
			l++;
			ls = j + 1;
		}
	}
	*line = l;
	*col = at - ls + 1;
}

static uint64_t count_lines(const char *s, size_t n)
{
	uint64_t k = 0;
	const char *end = s + n, *nl;

	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s)))) {
		k++;
		s = nl + 1;
	}
	return k;
}

/* Skips an over-long record without buffering it: tracks quote state and
 * stops after the first newline outside quotes. */
static int skip_long_record(struct csv *c, struct csv_row *row, struct rs_err *err)
{
	int inq = 0;
	uint64_t lines = 0, total = 0;

	row->raw_len = c->end - c->pos < RAW_KEEP ? c->end - c->pos : RAW_KEEP;
	memcpy(c->keep, c->buf + c->pos, row->raw_len);
	row->raw = c->keep;
	row->line = c->line;
	row->offset = c->consumed + c->pos;
	for (;;) {
		size_t j;

		for (j = c->pos; j < c->end; j++) {
			char ch = c->buf[j];

			if (c->o.quote && ch == c->o.quote)
				inq = !inq;
			else if (ch == '\n') {
				lines++;
				if (!inq) {
					total += j - c->pos; /* the newline is not part of the record */
					c->pos = j + 1;
					goto done;
				}
			}
		}
		total += c->end - c->pos;
		c->pos = c->end;
		{
			int r = refill(c, err);

			if (r < 0)
				return CSV_FAIL;
			if (r == 0)
				break;
		}
	}
done:
	row->raw_total = total;
	row->bad_line = row->line;
	row->bad_col = 1;
	row->bad_reason = "record longer than the size limit";
	c->line += lines;
	return CSV_BAD;
}

int csv_next(struct csv *c, struct csv_row **out, struct rs_err *err)
{
	struct csv_row *row = &c->row;
	struct pstate p;
	enum parse_result r;
	int oom = 0;

	*out = row;
	memset(row, 0, sizeof *row);
	for (;;) {
		if (c->first || c->pos >= c->end) {
			int f = refill(c, err);

			if (f < 0)
				return CSV_FAIL;
			if (c->pos >= c->end && c->eof)
				return CSV_EOF;
		}
		r = parse_record(c, &p, &oom);
		if (oom)
			return err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", c->path), CSV_FAIL;
		if (r == P_MORE) {
			int f;

			if (c->end - c->pos >= c->o.max_record)
				return skip_long_record(c, row, err);
			f = refill(c, err);
			if (f < 0)
				return CSV_FAIL;
			continue;
		}
		/* A blank line is not a record. */
		if (r == P_DONE && c->fields.len == 1 && ((struct csv_field *)c->fields.data)->len == 0 &&
		    (p.i - c->pos <= 2) && (p.i == c->pos || c->buf[c->pos] == '\n' ||
					    c->buf[c->pos] == '\r')) {
			c->line += count_lines(c->buf + c->pos, p.i - c->pos);
			c->pos = p.i;
			continue;
		}
		break;
	}
	row->line = c->line;
	row->offset = c->consumed + c->pos;
	row->raw = c->buf + c->pos;
	row->raw_len = p.i - c->pos;
	while (row->raw_len && (row->raw[row->raw_len - 1] == '\n' || row->raw[row->raw_len - 1] == '\r'))
		row->raw_len--;
	row->raw_total = row->raw_len;
	if (r == P_DONE && p.i - c->pos > c->o.max_record) {
		/* The whole record fitted in the buffer but is over the limit. */
		row->bad_line = row->line;
		row->bad_col = 1;
		row->bad_reason = "record longer than the size limit";
		if (row->raw_len > RAW_KEEP)
			row->raw_len = RAW_KEEP;
		c->line += count_lines(c->buf + c->pos, p.i - c->pos);
		c->pos = p.i;
		return CSV_BAD;
	}
	if (r == P_BAD) {
		locate(c, p.bad_at, &row->bad_line, &row->bad_col);
		row->bad_reason = p.bad;
	} else if (p.too_many) {
		row->bad_line = row->line;
		row->bad_col = 1;
		row->bad_reason = "too many fields in one record";
	} else {
		size_t bad;

		if (c->o.check_utf8 && !utf8_valid(row->raw, row->raw_len, &bad)) {
			locate(c, c->pos + bad, &row->bad_line, &row->bad_col);
			row->bad_reason = "invalid UTF-8";
			r = P_BAD;
		} else if (memchr(row->raw, '\0', row->raw_len)) {
			const char *z = memchr(row->raw, '\0', row->raw_len);

			locate(c, c->pos + (size_t)(z - row->raw), &row->bad_line, &row->bad_col);
			row->bad_reason = "NUL byte in text (is this a binary file?)";
			r = P_BAD;
		}
	}
	/* Fix up pointers of unescaped fields now that scratch stopped moving. */
	if (r == P_DONE && !p.too_many) {
		size_t i;
		struct csv_field *f = c->fields.data;
		size_t *offs = c->offs.data;

		for (i = 0; i < c->fields.len; i++)
			if (offs[i])
				f[i].s = c->scratch.buf + offs[i] - 1;
		row->fields = f;
		row->nfields = c->fields.len;
	}
	c->line += count_lines(c->buf + c->pos, p.i - c->pos);
	c->pos = p.i;
	return (r == P_BAD || p.too_many) ? CSV_BAD : CSV_ROW;
}

uint64_t csv_bytes(const struct csv *c)
{
	return c->consumed + c->pos;
}

uint64_t csv_raw_pos(const struct csv *c)
{
	return zin_raw_pos(c->in);
}

uint64_t csv_raw_size(const struct csv *c)
{
	return zin_raw_size(c->in);
}

const char *csv_path(const struct csv *c)
{
	return c->path;
}

int csv_find(const struct csv_row *row, const char *name, int nth)
{
	size_t i, n = strlen(name);

	for (i = 0; i < row->nfields; i++) {
		const char *s = row->fields[i].s;
		size_t len = row->fields[i].len;

		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == n && strncasecmp(s, name, n) == 0 && nth-- == 0)
			return (int)i;
	}
	return -1;
}
