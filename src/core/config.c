/*
 * config: a small, strict TOML-subset reader.  Every value is stored as its
 * TOML source text plus a decoded form, so `rastro config` can print the
 * effective settings exactly as a user would write them.
 */
#include "config.h"
#include "mem.h"
#include "parse.h"
#include "rastro.h"
#include "sbuf.h"
#include "vec.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

enum cv_type { CV_STR, CV_INT, CV_FLOAT, CV_BOOL, CV_ARRAY };

struct cv {
	char *key;        /* "section.key" */
	char *raw;        /* TOML text of the value */
	enum cv_type type;
	char *str;        /* decoded string (CV_STR) */
	long long i;
	double d;
	size_t nitems;    /* CV_ARRAY: decoded element strings */
	char **items;
};

struct cfg {
	struct vec vals;  /* struct cv, one per distinct key */
};

struct cfg *cfg_new(void)
{
	struct cfg *c = mem_calloc(1, sizeof *c);

	if (c)
		vec_init(&c->vals, sizeof(struct cv));
	return c;
}

static void cv_release(struct cv *v)
{
	size_t i;

	mem_free(v->key);
	mem_free(v->raw);
	mem_free(v->str);
	for (i = 0; i < v->nitems; i++)
		mem_free(v->items[i]);
	mem_free(v->items);
}

void cfg_free(struct cfg *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->vals.len; i++)
		cv_release(vec_at(&c->vals, i));
	vec_release(&c->vals);
	mem_free(c);
}

static struct cv *find(const struct cfg *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->vals.len; i++) {
		struct cv *v = vec_at(&c->vals, i);

		if (strcmp(v->key, key) == 0)
			return v;
	}
	return NULL;
}

/* Parser state over one text; positions are for messages. */
struct pstate {
	const char *name;
	const char *s;
	size_t n, i;
	size_t line, line_start;
	struct rs_err *err;
};

static int perr(struct pstate *p, const char *reason)
{
	return err_set(p->err, RASTRO_FORMAT, "%s:%zu:%zu: %s", p->name, p->line,
		       p->i - p->line_start + 1, reason);
}

static void skip_blank(struct pstate *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

static int is_bare(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Reads a dotted key (bare or "quoted" parts) into out. */
static int read_key(struct pstate *p, struct sbuf *out)
{
	for (;;) {
		skip_blank(p);
		if (p->i < p->n && p->s[p->i] == '"') {
			p->i++;
			while (p->i < p->n && p->s[p->i] != '"' && p->s[p->i] != '\n')
				sbuf_addc(out, p->s[p->i++]);
			if (p->i >= p->n || p->s[p->i] != '"')
				return perr(p, "unterminated quoted key");
			p->i++;
		} else {
			size_t start = p->i;

			while (p->i < p->n && is_bare(p->s[p->i]))
				p->i++;
			if (p->i == start)
				return perr(p, "expected a key");
			sbuf_add(out, p->s + start, p->i - start);
		}
		skip_blank(p);
		if (p->i < p->n && p->s[p->i] == '.') {
			sbuf_addc(out, '.');
			p->i++;
			continue;
		}
		if (sbuf_failed(out))
			return err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
		return 0;
	}
}

/* Reads a basic "string" with escapes or a 'literal' string. */
static int read_string(struct pstate *p, struct sbuf *out)
{
	char q = p->s[p->i++];

	while (p->i < p->n && p->s[p->i] != q) {
		char c = p->s[p->i];

		if (c == '\n')
			return perr(p, "newline inside a string");
		if (c == '\\' && q == '"') {
			p->i++;
			if (p->i >= p->n)
				break;
			switch (p->s[p->i]) {
			case 'n': sbuf_addc(out, '\n'); break;
			case 't': sbuf_addc(out, '\t'); break;
			case '"': sbuf_addc(out, '"'); break;
			case '\\': sbuf_addc(out, '\\'); break;
			default: return perr(p, "unknown escape in string");
			}
			p->i++;
			continue;
		}
		sbuf_addc(out, c);
		p->i++;
	}
	if (p->i >= p->n)
		return perr(p, "unterminated string");
	p->i++;
	return 0;
}

/* Reads one scalar token (number, boolean, bare word) up to a delimiter. */
static void read_token(struct pstate *p, struct sbuf *out)
{
	while (p->i < p->n && p->s[p->i] != ',' && p->s[p->i] != ']' &&
	       p->s[p->i] != '#' && p->s[p->i] != '\n' && p->s[p->i] != '\r' &&
	       p->s[p->i] != ' ' && p->s[p->i] != '\t')
		sbuf_addc(out, p->s[p->i++]);
}

static int decode_scalar(struct cv *v, const char *tok, int quoted)
{
	int64_t iv;
	double dv;
	size_t n = strlen(tok);

	if (quoted) {
		v->type = CV_STR;
		v->str = mem_strdup(tok);
		return v->str ? 0 : -1;
	}
	if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0) {
		v->type = CV_BOOL;
		v->i = tok[0] == 't';
		v->d = (double)v->i;
		return 0;
	}
	if (!parse_i64(tok, n, &iv)) {
		v->type = CV_INT;
		v->i = iv;
		v->d = (double)iv;
		return 0;
	}
	if (!parse_double(tok, n, &dv)) {
		v->type = CV_FLOAT;
		v->d = dv;
		/* Converting an out-of-range double is undefined: clamp first. */
		v->i = dv >= 9.2e18 ? LLONG_MAX : dv <= -9.2e18 ? LLONG_MIN : (long long)dv;
		return 0;
	}
	return 1; /* not a TOML scalar */
}

static int push_item(struct cv *v, const char *s)
{
	char **items = mem_realloc(v->items, (v->nitems + 1) * sizeof *items);

	if (!items)
		return -1;
	v->items = items;
	v->items[v->nitems] = mem_strdup(s);
	if (!v->items[v->nitems])
		return -1;
	v->nitems++;
	return 0;
}

/* Parses the value at p->i into v (type, decoded parts); raw text is taken
 * by the caller from the consumed span. */
static int read_value(struct pstate *p, struct cv *v)
{
	struct sbuf tok = SBUF_INIT;
	int rc = 0;

	sbuf_init(&tok);
	skip_blank(p);
	if (p->i >= p->n || p->s[p->i] == '\n' || p->s[p->i] == '#')
		return perr(p, "missing value");
	if (p->s[p->i] == '[') {
		v->type = CV_ARRAY;
		p->i++;
		for (;;) {
			struct cv item = { 0 };

			while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
					       p->s[p->i] == '\n' || p->s[p->i] == '\r')) {
				if (p->s[p->i] == '\n') {
					p->line++;
					p->line_start = p->i + 1;
				}
				p->i++;
			}
			if (p->i < p->n && p->s[p->i] == ']') {
				p->i++;
				break;
			}
			sbuf_clear(&tok);
			if (p->i < p->n && (p->s[p->i] == '"' || p->s[p->i] == '\'')) {
				rc = read_string(p, &tok);
				if (!rc && sbuf_failed(&tok))
					rc = err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
			} else {
				read_token(p, &tok);
				if (sbuf_failed(&tok))
					rc = err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
				else if (!tok.len || decode_scalar(&item, tok.buf, 0) != 0)
					rc = perr(p, "bad array element");
			}
			if (rc)
				break;
			if (push_item(v, tok.buf)) {
				rc = err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
				break;
			}
			while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
					       p->s[p->i] == '\n' || p->s[p->i] == '\r')) {
				if (p->s[p->i] == '\n') {
					p->line++;
					p->line_start = p->i + 1;
				}
				p->i++;
			}
			if (p->i < p->n && p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->i < p->n && p->s[p->i] == ']') {
				p->i++;
				break;
			}
			rc = perr(p, "expected ',' or ']' in array");
			break;
		}
	} else if (p->s[p->i] == '"' || p->s[p->i] == '\'') {
		rc = read_string(p, &tok);
		if (!rc && (sbuf_failed(&tok) || decode_scalar(v, tok.buf, 1)))
			rc = err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
	} else {
		read_token(p, &tok);
		if (sbuf_failed(&tok))
			rc = err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
		else if (decode_scalar(v, tok.buf, 0) != 0)
			rc = perr(p, "value is not a string, number, boolean or array (quote strings)");
	}
	if (!rc && sbuf_failed(&tok))
		rc = err_set(p->err, RASTRO_NOMEM, "out of memory reading settings");
	sbuf_release(&tok);
	return rc;
}

/* Stores v under key, replacing an earlier value; takes ownership of v's parts. */
static int store(struct cfg *c, const char *key, struct cv *v, const char *raw, size_t rawn)
{
	struct cv *old = find(c, key);

	v->raw = mem_strndup(raw, rawn);
	if (!v->raw) {
		cv_release(v);
		return -1;
	}
	if (old) {
		char *k = old->key;

		old->key = NULL;
		cv_release(old);
		*old = *v;
		old->key = k;
		return 0;
	}
	v->key = mem_strdup(key);
	if (!v->key || vec_push(&c->vals, v)) {
		cv_release(v);
		return -1;
	}
	return 0;
}

static void end_line(struct pstate *p)
{
	while (p->i < p->n && p->s[p->i] != '\n')
		p->i++;
	if (p->i < p->n) {
		p->i++;
		p->line++;
		p->line_start = p->i;
	}
}

int cfg_load_string(struct cfg *c, const char *name, const char *text, size_t n,
		    struct rs_err *err)
{
	struct pstate p = { name, text, n, 0, 1, 0, err };
	struct sbuf section = SBUF_INIT, key = SBUF_INIT;
	int rc = 0;

	sbuf_init(&section);
	sbuf_init(&key);
	if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.i = p.line_start = 3;
	while (p.i < p.n && !rc) {
		skip_blank(&p);
		if (p.i >= p.n)
			break;
		if (p.s[p.i] == '#' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
			end_line(&p);
			continue;
		}
		if (p.s[p.i] == '[') {
			p.i++;
			sbuf_clear(&section);
			rc = read_key(&p, &section);
			if (rc)
				break;
			if (p.i >= p.n || p.s[p.i] != ']') {
				rc = perr(&p, "expected ']' after table name");
				break;
			}
			p.i++;
		} else {
			struct cv v = { 0 };
			size_t vstart;

			sbuf_clear(&key);
			if (section.len) {
				sbuf_add(&key, section.buf, section.len);
				sbuf_addc(&key, '.');
			}
			rc = read_key(&p, &key);
			if (rc)
				break;
			if (p.i >= p.n || p.s[p.i] != '=') {
				rc = perr(&p, "expected '=' after key");
				break;
			}
			p.i++;
			skip_blank(&p);
			vstart = p.i;
			rc = read_value(&p, &v);
			if (rc) {
				cv_release(&v);
				break;
			}
			if (sbuf_failed(&key) || store(c, key.buf, &v, p.s + vstart, p.i - vstart)) {
				rc = err_set(err, RASTRO_NOMEM, "out of memory reading settings");
				break;
			}
		}
		skip_blank(&p);
		if (p.i < p.n && p.s[p.i] == '\r')
			p.i++;
		if (p.i < p.n && p.s[p.i] != '\n' && p.s[p.i] != '#') {
			rc = perr(&p, "unexpected text after the value");
			break;
		}
		end_line(&p);
	}
	sbuf_release(&section);
	sbuf_release(&key);
	return rc;
}

int cfg_load_file(struct cfg *c, const char *path, struct rs_err *err)
{
	FILE *f = fopen(path, "rb");
	struct sbuf text = SBUF_INIT;
	char chunk[8192];
	size_t got;
	int rc;

	sbuf_init(&text);
	if (!f)
		return err_set(err, RASTRO_IO, "cannot open settings file '%s': %s", path,
			       strerror(errno));
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		sbuf_add(&text, chunk, got);
		if (text.len > 16 * 1024 * 1024) {
			fclose(f);
			sbuf_release(&text);
			return err_set(err, RASTRO_FORMAT, "settings file '%s' is larger than 16 MiB", path);
		}
	}
	if (ferror(f)) {
		fclose(f);
		sbuf_release(&text);
		return err_set(err, RASTRO_IO, "cannot read settings file '%s'", path);
	}
	fclose(f);
	if (sbuf_failed(&text)) {
		/* what grew before the failed allocation is still held */
		sbuf_release(&text);
		return err_set(err, RASTRO_NOMEM, "out of memory reading '%s'", path);
	}
	rc = cfg_load_string(c, path, text.buf, text.len, err);
	sbuf_release(&text);
	return rc;
}

int cfg_set(struct cfg *c, const char *assignment, struct rs_err *err)
{
	const char *eq = strchr(assignment, '=');
	struct sbuf line = SBUF_INIT;
	int rc;

	sbuf_init(&line);
	if (!eq || eq == assignment)
		return err_set(err, RASTRO_USAGE, "setting '%s' is not of the form key=value", assignment);
	sbuf_add(&line, assignment, (size_t)(eq - assignment));
	sbuf_adds(&line, " = ");
	{
		struct cv probe = { 0 };
		const char *val = eq + 1;
		int bare = *val && *val != '"' && *val != '\'' && *val != '[' &&
			   decode_scalar(&probe, val, 0) != 0;

		cv_release(&probe);
		if (bare) { /* a bare word: take it as a string */
			sbuf_addc(&line, '"');
			for (; *val; val++) {
				if (*val == '"' || *val == '\\')
					sbuf_addc(&line, '\\');
				sbuf_addc(&line, *val);
			}
			sbuf_addc(&line, '"');
		} else {
			sbuf_adds(&line, val);
		}
	}
	sbuf_addc(&line, '\n');
	if (sbuf_failed(&line)) {
		sbuf_release(&line);
		return err_set(err, RASTRO_NOMEM, "out of memory");
	}
	rc = cfg_load_string(c, "--set", line.buf, line.len, err);
	sbuf_release(&line);
	return rc;
}

double cfg_double(const struct cfg *c, const char *key, double def)
{
	const struct cv *v = c ? find(c, key) : NULL;
	double d;

	if (!v)
		return def;
	if (v->type == CV_INT || v->type == CV_FLOAT)
		return v->d;
	if (v->type == CV_STR && !parse_double(v->str, strlen(v->str), &d))
		return d;
	return def;
}

long long cfg_int(const struct cfg *c, const char *key, long long def)
{
	const struct cv *v = c ? find(c, key) : NULL;
	int64_t i;

	if (!v)
		return def;
	if (v->type == CV_INT || v->type == CV_FLOAT || v->type == CV_BOOL)
		return v->i;
	if (v->type == CV_STR && !parse_i64(v->str, strlen(v->str), &i))
		return i;
	return def;
}

int cfg_bool(const struct cfg *c, const char *key, int def)
{
	const struct cv *v = c ? find(c, key) : NULL;

	if (!v)
		return def;
	if (v->type == CV_BOOL || v->type == CV_INT)
		return v->i != 0;
	if (v->type == CV_STR)
		return strcmp(v->str, "true") == 0 || strcmp(v->str, "yes") == 0 ||
		       strcmp(v->str, "1") == 0;
	return def;
}

const char *cfg_str(const struct cfg *c, const char *key, const char *def)
{
	const struct cv *v = c ? find(c, key) : NULL;

	if (!v)
		return def;
	if (v->type == CV_STR)
		return v->str;
	return v->raw;
}

size_t cfg_array_len(const struct cfg *c, const char *key)
{
	const struct cv *v = c ? find(c, key) : NULL;

	return v && v->type == CV_ARRAY ? v->nitems : 0;
}

const char *cfg_array_str(const struct cfg *c, const char *key, size_t i)
{
	const struct cv *v = c ? find(c, key) : NULL;

	if (!v || v->type != CV_ARRAY || i >= v->nitems)
		return NULL;
	return v->items[i];
}

int cfg_has(const struct cfg *c, const char *key)
{
	return c && find(c, key) != NULL;
}

const char *cfg_key(const struct cfg *c, size_t i)
{
	if (!c || i >= c->vals.len)
		return NULL;
	return ((struct cv *)vec_at(&c->vals, i))->key;
}

const char *cfg_raw(const struct cfg *c, const char *key)
{
	const struct cv *v = c ? find(c, key) : NULL;

	return v ? v->raw : NULL;
}

/* The key of "key=value" with blanks around it dropped, or 0 when there is
 * none or it does not fit. */
static int assignment_key(const char *assignment, char *out, size_t n)
{
	const char *eq = strchr(assignment, '=');
	size_t a = 0, b;

	if (!eq)
		return 0;
	b = (size_t)(eq - assignment);
	while (a < b && (assignment[a] == ' ' || assignment[a] == '\t'))
		a++;
	while (b > a && (assignment[b - 1] == ' ' || assignment[b - 1] == '\t'))
		b--;
	if (a == b || b - a >= n)
		return 0;
	memcpy(out, assignment + a, b - a);
	out[b - a] = '\0';
	return 1;
}

/* 1 when the key is set or matches one of the patterns. */
static int cfg_known(const struct cfg *c, const char *key, const char *patterns_key)
{
	size_t i, n;

	if (cfg_has(c, key))
		return 1;
	n = cfg_array_len(c, patterns_key);
	for (i = 0; i < n; i++)
		if (fnmatch(cfg_array_str(c, patterns_key, i), key, 0) == 0)
			return 1;
	return 0;
}

/* Edit distance (insert, delete, substitute), for keys of up to 127 bytes. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[128];

	if (la > 127 || lb > 127)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The set key nearest to `key` within max_edits edits, or NULL. */
static const char *cfg_nearest(const struct cfg *c, const char *key, size_t max_edits)
{
	const char *best = NULL, *k;
	size_t i, bd = max_edits + 1;

	for (i = 0; (k = cfg_key(c, i)); i++) {
		size_t d = edit_distance(key, k);

		if (d < bd) {
			bd = d;
			best = k;
		}
	}
	return best;
}

int cfg_set_known(struct cfg *c, const char *assignment, const char *patterns_key, struct rs_err *err)
{
	char key[256];
	const char *near;

	if (!assignment_key(assignment, key, sizeof key))
		return cfg_set(c, assignment, err);   /* cfg_set says what is wrong */
	if (cfg_known(c, key, patterns_key))
		return cfg_set(c, assignment, err);
	near = cfg_nearest(c, key, 3);
	if (near)
		return err_set(err, RASTRO_USAGE, "unknown setting '%s' (did you mean '%s'?)", key, near);
	return err_set(err, RASTRO_USAGE, "unknown setting '%s' (not named by the settings files)", key);
}
