/*
 * test_gen: the synthetic world generator — determinism (same seed, same
 * bytes, whatever the thread count), a truth file consistent with the data
 * files, valid phones, statistical sanity of a small world, and settings
 * errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "core/strmap.h"
#include "io/csv.h"
#include "normalize/phone.h"
#include "rastro.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* Generates a world into tu_path(dir) with "gen.k=v" settings (NULL-ended). */
static void gen_world(const char *dir, ...)
{
	rastro_gen *g;
	va_list ap;
	const char *s;
	int rc = rastro_gen_new(&g);

	assert_int_equal(rc, 0);
	va_start(ap, dir);
	while ((s = va_arg(ap, const char *))) {
		rc = rastro_gen_set(g, s);
		if (rc)
			fprintf(stderr, "set %s: %s\n", s, rastro_gen_errmsg(g));
		assert_int_equal(rc, 0);
	}
	va_end(ap);
	rc = rastro_gen_run(g, tu_path(dir), NULL);
	if (rc)
		fprintf(stderr, "gen: %s\n", rastro_gen_errmsg(g));
	assert_int_equal(rc, 0);
	rastro_gen_free(g);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	*n = fread(buf, 1, (size_t)size, f);
	buf[*n] = 0;
	fclose(f);
	return buf;
}

static int same_file(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	char *x = slurp(a, &na), *y = slurp(b, &nb);
	int same = (!x && !y) || (x && y && na == nb && memcmp(x, y, na) == 0);

	free(x);
	free(y);
	return same;
}

static const char *const files[] = {
	"transactions.csv", "accounts.csv", "persons_hsi.csv", "persons_cbp.csv", "persons_txdps.csv",
	"persons_elpasopd.csv", "encounters.csv", "ads.jsonl", "providers.csv", "truth.json",
};

static const char *file_in(const char *dir, const char *name)
{
	static char buf[4][512];
	static int k;
	char *p = buf[k++ % 4];

	snprintf(p, 512, "%s/%s", tu_path(dir), name);
	return p;
}

/* Calls fn for each data row of a CSV with the header row. */
typedef void (*row_fn)(const struct csv_row *h, const struct csv_row *r, void *ctx);

static size_t csv_each(const char *path, row_fn fn, void *ctx)
{
	struct csv_opts o;
	struct csv *c;
	struct csv_row *row, *hdr = NULL;
	struct rs_err err;
	size_t n = 0;
	int rc;
	/* The header's fields are copied: the reader reuses its buffer. */
	static char hbuf[8192];
	static struct csv_field hf[64];
	static struct csv_row h;

	csv_opts_default(&o);
	memset(&err, 0, sizeof err);
	assert_int_equal(csv_open(&c, path, &o, &err), 0);
	while ((rc = csv_next(c, &row, &err)) == CSV_ROW || rc == CSV_BAD) {
		assert_int_equal(rc, CSV_ROW);
		if (!hdr) {
			size_t i, off = 0;

			assert_true(row->nfields <= 64);
			for (i = 0; i < row->nfields; i++) {
				memcpy(hbuf + off, row->fields[i].s, row->fields[i].len);
				hf[i].s = hbuf + off;
				hf[i].len = row->fields[i].len;
				off += row->fields[i].len;
			}
			h.fields = hf;
			h.nfields = row->nfields;
			hdr = &h;
			continue;
		}
		assert_int_equal(row->nfields, hdr->nfields);
		fn(hdr, row, ctx);
		n++;
	}
	assert_int_equal(rc, CSV_EOF);
	csv_close(c);
	return n;
}

static int col(const struct csv_row *h, const char *name)
{
	int i = csv_find(h, name, 0);

	assert_true(i >= 0);
	return i;
}

static int field_is(const struct csv_row *r, int i, const char *s)
{
	return r->fields[i].len == strlen(s) && memcmp(r->fields[i].s, s, r->fields[i].len) == 0;
}

/* ---- determinism -------------------------------------------------------- */

static void test_determinism(void **state)
{
	size_t i;

	(void)state;
	gen_world("d1", "gen.seed=7", "gen.scale=0.4", "gen.days=30", "gen.threads=1", NULL);
	gen_world("d2", "gen.seed=7", "gen.scale=0.4", "gen.days=30", "gen.threads=3", NULL);
	gen_world("d3", "gen.seed=8", "gen.scale=0.4", "gen.days=30", "gen.threads=1", NULL);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (!same_file(file_in("d1", files[i]), file_in("d2", files[i])))
			fail_msg("%s differs between runs with the same seed", files[i]);
	}
	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		assert_true(access(file_in("d1", files[i]), R_OK) == 0);
	assert_false(same_file(file_in("d1", "transactions.csv"), file_in("d3", "transactions.csv")));
	assert_false(same_file(file_in("d1", "truth.json"), file_in("d3", "truth.json")));
}

/* ---- truth consistent with the files ------------------------------------ */

struct ids {
	struct strmap m;
};

struct txn_scan {
	struct strmap ids;           /* txn id -> id */
	struct strmap group;         /* label group per txn id (by id index) */
	uint32_t *grp;               /* group id of txn i (0 = none) */
	size_t cap, n, labelled;
	int64_t t_min, t_max;
};

static void txn_row(const struct csv_row *h, const struct csv_row *r, void *ctx)
{
	struct txn_scan *s = ctx;
	int ci = col(h, "txn_id"), cl = col(h, "label"), cg = col(h, "label_group"), ct = col(h, "timestamp");
	int is_new = 0;
	uint32_t id = strmap_intern(&s->ids, r->fields[ci].s, r->fields[ci].len, &is_new);
	int64_t ts;

	assert_true(is_new);   /* ids are unique */
	if (id >= s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->grp = realloc(s->grp, s->cap * sizeof(uint32_t));
		assert_non_null(s->grp);
	}
	assert_null(parse_timestamp(r->fields[ct].s, r->fields[ct].len, &ts));
	if (!s->n || ts < s->t_min)
		s->t_min = ts;
	if (!s->n || ts > s->t_max)
		s->t_max = ts;
	s->n++;
	if (field_is(r, cl, "1")) {
		assert_true(r->fields[cg].len > 0);
		s->grp[id] = strmap_intern(&s->group, r->fields[cg].s, r->fields[cg].len, NULL);
		s->labelled++;
	} else {
		assert_true(field_is(r, cl, "0"));
		assert_int_equal(r->fields[cg].len, 0);
		s->grp[id] = 0;
	}
}

struct col_scan {
	struct strmap *m;
	const char *col;
};

static void col_row(const struct csv_row *h, const struct csv_row *r, void *ctx)
{
	struct col_scan *c = ctx;
	int i = col(h, c->col);

	if (r->fields[i].len)
		strmap_intern(c->m, r->fields[i].s, r->fields[i].len, NULL);
}

static void collect(const char *path, const char *colname, struct strmap *m)
{
	struct col_scan c = { m, colname };

	csv_each(path, col_row, &c);
}

static void test_truth_consistent(void **state)
{
	struct txn_scan ts;
	struct strmap accounts, records, encounters, txn_accounts;
	json_error_t jerr;
	json_t *truth, *nets, *net;
	size_t i, listed = 0, kinds_seen = 0;
	const char *kinds[] = { "smuggling", "sex_trafficking", "labor_trafficking" };

	(void)state;
	gen_world("t1", "gen.seed=11", "gen.scale=0.5", "gen.days=45", NULL);
	memset(&ts, 0, sizeof ts);
	strmap_init(&ts.ids);
	strmap_init(&ts.group);
	strmap_init(&accounts);
	strmap_init(&records);
	strmap_init(&encounters);
	strmap_init(&txn_accounts);
	csv_each(file_in("t1", "transactions.csv"), txn_row, &ts);
	collect(file_in("t1", "accounts.csv"), "account_id", &accounts);
	collect(file_in("t1", "transactions.csv"), "from_account", &txn_accounts);
	collect(file_in("t1", "transactions.csv"), "to_account", &txn_accounts);
	collect(file_in("t1", "persons_hsi.csv"), "record_id", &records);
	collect(file_in("t1", "persons_cbp.csv"), "record_id", &records);
	collect(file_in("t1", "persons_txdps.csv"), "record_id", &records);
	collect(file_in("t1", "persons_elpasopd.csv"), "record_id", &records);
	collect(file_in("t1", "encounters.csv"), "encounter_id", &encounters);
	assert_true(ts.n > 1000);
	/* Every timestamp inside the simulated period. */
	{
		int64_t start;

		assert_null(parse_timestamp("2024-01-01", 10, &start));
		assert_true(ts.t_min >= start && ts.t_max < start + 45 * 86400);
	}

	truth = json_load_file(file_in("t1", "truth.json"), 0, &jerr);
	if (!truth)
		fail_msg("truth.json: %s line %d", jerr.text, jerr.line);
	nets = json_object_get(truth, "networks");
	assert_true(json_is_array(nets) && json_array_size(nets) >= 4);
	json_array_foreach(nets, i, net) {
		const char *id = json_string_value(json_object_get(net, "id"));
		const char *kind = json_string_value(json_object_get(net, "kind"));
		json_t *members = json_object_get(net, "members"), *m, *txns = json_object_get(net, "transactions"), *t;
		json_t *people = json_object_get(net, "people"), *p;
		uint32_t gid = strmap_find(&ts.group, id, strlen(id));
		size_t k, j, nacct = 0;

		assert_non_null(id);
		assert_non_null(kind);
		for (k = 0; k < 3; k++)
			if (strcmp(kind, kinds[k]) == 0)
				kinds_seen |= 1u << k;
		if (strncmp(kind, "laundering_", 11) == 0)
			kinds_seen |= 8;
		assert_true(json_array_size(members) > 0);
		assert_true(json_array_size(txns) > 0);
		json_array_foreach(members, k, m) {
			const char *mid = json_string_value(json_object_get(m, "id"));
			const char *type = json_string_value(json_object_get(m, "type"));

			assert_non_null(mid);
			if (strcmp(type, "account") == 0) {
				/* Accounts at the consortium's banks are in the KYC file; all
				 * network accounts that moved money are in the transactions. */
				if (!strmap_find(&accounts, mid, strlen(mid)) && !strmap_find(&txn_accounts, mid, strlen(mid)))
					fail_msg("network %s: account %s is in neither file", id, mid);
				nacct++;
			} else if (strcmp(type, "person_record") == 0) {
				if (!strmap_find(&records, mid, strlen(mid)))
					fail_msg("network %s: record %s not in any persons file", id, mid);
			} else if (strcmp(type, "encounter") == 0) {
				if (!strmap_find(&encounters, mid, strlen(mid)))
					fail_msg("network %s: encounter %s not in encounters.csv", id, mid);
			} else if (strcmp(type, "phone") == 0) {
				struct phone ph;

				assert_int_equal(phone_parse(mid, strlen(mid), "US", &ph), 0);
			}
		}
		assert_true(nacct > 0);
		json_array_foreach(txns, k, t) {
			const char *tid = json_string_value(t);
			uint32_t x = strmap_find(&ts.ids, tid, strlen(tid));

			if (!x)
				fail_msg("network %s: transaction %s not in transactions.csv", id, tid);
			assert_int_equal(ts.grp[x], gid);
			listed++;
		}
		/* A victim is never also a perpetrator. */
		json_array_foreach(people, k, p) {
			json_t *q;
			const char *pid = json_string_value(json_object_get(p, "person"));
			const char *role = json_string_value(json_object_get(p, "role"));

			if (!pid || strcmp(role, "victim"))
				continue;
			json_array_foreach(people, j, q) {
				const char *qid = json_string_value(json_object_get(q, "person"));

				if (qid && strcmp(qid, pid) == 0)
					assert_string_equal(json_string_value(json_object_get(q, "role")), "victim");
			}
		}
	}
	assert_int_equal(kinds_seen, 15);
	/* Every labelled row belongs to exactly the network that lists it. */
	assert_int_equal(listed, ts.labelled);
	/* Victims and same-person groups refer to real records. */
	{
		json_t *v, *sp = json_object_get(truth, "same_person"), *vic = json_object_get(truth, "victims");

		assert_true(json_array_size(sp) > 10);
		assert_true(json_array_size(vic) > 0);
		json_array_foreach(sp, i, v) {
			json_t *r;
			size_t k;

			json_array_foreach(json_object_get(v, "records"), k, r)
				assert_true(strmap_find(&records, json_string_value(r), strlen(json_string_value(r))) != 0);
			json_array_foreach(json_object_get(v, "encounters"), k, r)
				assert_true(strmap_find(&encounters, json_string_value(r), strlen(json_string_value(r))) != 0);
		}
	}
	/* Ads: every ad of the truth is in ads.jsonl; a plain ad shows its
	 * phone's digits, one in Spanish words or fullwidth digits does not. */
	{
		size_t n = 0, ads = 0, plain = 0, hidden = 0, k, j;
		char *text = slurp(file_in("t1", "ads.jsonl"), &n), *line, *next;
		struct strmap body;   /* ad id -> index; bodies kept in order */
		char **bodies = NULL;
		json_t *fams = json_object_get(truth, "ad_templates"), *f, *a;

		assert_non_null(text);
		strmap_init(&body);
		for (line = text; *line; line = next) {
			json_t *o;
			char *nl = strchr(line, '\n');
			const char *id;

			assert_non_null(nl);
			*nl = 0;
			next = nl + 1;
			o = json_loads(line, 0, &jerr);
			if (!o)
				fail_msg("ads.jsonl: %s", jerr.text);
			id = json_string_value(json_object_get(o, "id"));
			assert_non_null(id);
			assert_non_null(json_string_value(json_object_get(o, "posted_at")));
			assert_non_null(json_string_value(json_object_get(o, "site")));
			bodies = realloc(bodies, (ads + 1) * sizeof *bodies);
			assert_non_null(bodies);
			{
				/* title + body, digits only, for the phone check */
				const char *t = json_string_value(json_object_get(o, "title")), *b = json_string_value(json_object_get(o, "body"));
				size_t ln = strlen(t) + strlen(b) + 2, q, w = 0;
				char *d = malloc(ln);

				assert_non_null(d);
				for (q = 0; t[q]; q++)
					if (t[q] >= '0' && t[q] <= '9')
						d[w++] = t[q];
				d[w++] = ' ';
				for (q = 0; b[q]; q++)
					if (b[q] >= '0' && b[q] <= '9')
						d[w++] = b[q];
				d[w] = 0;
				bodies[ads] = d;
			}
			assert_int_equal(strmap_intern(&body, id, strlen(id), NULL), ads + 1);
			ads++;
			json_decref(o);
		}
		assert_true(ads > 20);
		json_array_foreach(fams, k, f) {
			json_array_foreach(json_object_get(f, "ads"), j, a) {
				const char *id = json_string_value(json_object_get(a, "id"));
				const char *ph = json_string_value(json_array_get(json_object_get(a, "phones"), 0));
				const char *ob = json_string_value(json_object_get(a, "obfuscation"));
				uint32_t x = strmap_find(&body, id, strlen(id));
				struct phone pp;
				const char *nat;

				if (!x)
					fail_msg("ad %s of the truth is not in ads.jsonl", id);
				assert_int_equal(phone_parse(ph, strlen(ph), "US", &pp), 0);
				/* national number: after +1, +52 or +50x */
				nat = ph[1] == '1' ? ph + 2 : ph[1] == '5' && ph[2] == '2' ? ph + 3 : ph + 4;
				if (strcmp(ob, "plain") == 0) {
					plain++;
					if (!strstr(bodies[x - 1], nat))
						fail_msg("plain ad %s does not show %s", id, ph);
				} else if (strcmp(ob, "spelled_es") == 0 || strcmp(ob, "fullwidth") == 0) {
					/* (spaced, separators and emoji keycaps keep ASCII digits:
					 * a keycap is the digit plus two combining marks) */
					hidden++;
					if (strstr(bodies[x - 1], nat))
						fail_msg("obfuscated ad %s (%s) shows %s in digits", id, ob, ph);
				}
			}
		}
		assert_true(plain > 0 && hidden > 0);
		{
			json_t *na;

			json_array_foreach(nets, k, net) {
				json_array_foreach(json_object_get(net, "ads"), j, na) {
					const char *id = json_string_value(na);

					assert_true(strmap_find(&body, id, strlen(id)) != 0);
				}
			}
		}
		for (k = 0; k < ads; k++)
			free(bodies[k]);
		free(bodies);
		free(text);
		strmap_release(&body);
	}
	json_decref(truth);
	strmap_release(&ts.ids);
	strmap_release(&ts.group);
	strmap_release(&accounts);
	strmap_release(&records);
	strmap_release(&encounters);
	strmap_release(&txn_accounts);
	free(ts.grp);
}

/* ---- phones ------------------------------------------------------------- */

static void phone_row(const struct csv_row *h, const struct csv_row *r, void *ctx)
{
	int i = col(h, "phone");
	size_t *bad = ctx;
	struct phone ph;

	if (r->fields[i].len && phone_parse(r->fields[i].s, r->fields[i].len, "US", &ph) != 0) {
		fprintf(stderr, "invalid phone '%.*s'\n", (int)r->fields[i].len, r->fields[i].s);
		(*bad)++;
	}
}

static void test_phones_valid(void **state)
{
	const char *const with_phone[] = { "accounts.csv", "persons_hsi.csv", "persons_cbp.csv", "persons_txdps.csv",
					   "persons_elpasopd.csv", "encounters.csv", "providers.csv" };
	size_t i, bad = 0, rows = 0;

	(void)state;
	gen_world("p1", "gen.seed=3", "gen.scale=0.5", "gen.days=10", NULL);
	for (i = 0; i < sizeof with_phone / sizeof with_phone[0]; i++)
		rows += csv_each(file_in("p1", with_phone[i]), phone_row, &bad);
	assert_true(rows > 500);
	assert_int_equal(bad, 0);
}

/* ---- statistical sanity ------------------------------------------------- */

struct stats {
	size_t n, cash, card, payroll, remittance, lodging_benign, labelled, p2p_memo;
	double *card_amounts;
	size_t ncard;
	size_t hours[24];
};

static void stat_row(const struct csv_row *h, const struct csv_row *r, void *ctx)
{
	struct stats *s = ctx;
	int ch = col(h, "channel"), cat = col(h, "category"), am = col(h, "amount"), lb = col(h, "label");
	int ts = col(h, "timestamp"), memo = col(h, "memo");
	double a;
	int64_t t;

	s->n++;
	assert_null(parse_double(r->fields[am].s, r->fields[am].len, &a));
	assert_true(a > 0);
	assert_null(parse_timestamp(r->fields[ts].s, r->fields[ts].len, &t));
	s->hours[ts_hour(t)]++;
	if (field_is(r, ch, "cash"))
		s->cash++;
	if (field_is(r, ch, "card")) {
		s->card++;
		if (s->ncard < 200000)
			s->card_amounts[s->ncard++] = a;
	}
	if (field_is(r, ch, "p2p") && r->fields[memo].len)
		s->p2p_memo++;
	if (field_is(r, cat, "payroll"))
		s->payroll++;
	if (field_is(r, cat, "remittance"))
		s->remittance++;
	if (field_is(r, cat, "lodging") && field_is(r, lb, "0"))
		s->lodging_benign++;
	if (field_is(r, lb, "1"))
		s->labelled++;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_statistics(void **state)
{
	struct stats s;
	json_t *truth;
	json_error_t jerr;
	double people, median, per_day;
	size_t h, busiest = 0;

	(void)state;
	memset(&s, 0, sizeof s);
	s.card_amounts = malloc(200000 * sizeof(double));
	assert_non_null(s.card_amounts);
	gen_world("s1", "gen.seed=5", "gen.scale=1", "gen.days=60", NULL);
	csv_each(file_in("s1", "transactions.csv"), stat_row, &s);
	truth = json_load_file(file_in("s1", "truth.json"), 0, &jerr);
	assert_non_null(truth);
	people = (double)json_integer_value(json_object_get(json_object_get(truth, "generator"), "people"));
	assert_true(people == 1000);
	/* Background volume: about one transaction per person per day
	 * (Diary of Consumer Payment Choice: ~1.3 payments a day, fewer recorded
	 * by banks). */
	per_day = (double)s.n / people / 60;
	assert_true(per_day > 0.7 && per_day < 2.0);
	/* Card is the main channel, cash a minority, both present. */
	assert_true((double)s.card / s.n > 0.5);
	assert_true((double)s.cash / s.n > 0.02 && (double)s.cash / s.n < 0.2);
	/* Typical card payment: tens of dollars. */
	qsort(s.card_amounts, s.ncard, sizeof(double), dbl_cmp);
	median = s.card_amounts[s.ncard / 2];
	assert_true(median > 15 && median < 60);
	assert_true(s.payroll > people * 60 / 14 * 0.4);   /* most workers paid every week or two */
	assert_true(s.remittance > 50);
	assert_true(s.lodging_benign > 0);                /* travellers' hotels: not only the rings' */
	assert_true(s.p2p_memo > 50);
	/* Planted activity is a small minority. */
	assert_true(s.labelled > 0 && (double)s.labelled / s.n < 0.05);
	/* Activity follows the day: the busiest hour is in daytime, nights are quiet. */
	for (h = 0; h < 24; h++)
		if (s.hours[h] > s.hours[busiest])
			busiest = h;
	assert_true(busiest >= 7 && busiest <= 21);
	assert_true(s.hours[4] < s.hours[busiest] / 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(truth, "counts"), "transactions")),
			 (json_int_t)s.n);
	json_decref(truth);
	free(s.card_amounts);
}

/* ---- settings ----------------------------------------------------------- */

static void expect_usage(const char *set, const char *needle)
{
	rastro_gen *g;

	assert_int_equal(rastro_gen_new(&g), 0);
	assert_int_equal(rastro_gen_set(g, set), 0);
	assert_int_equal(rastro_gen_run(g, tu_path("never"), NULL), RASTRO_USAGE);
	if (!strstr(rastro_gen_errmsg(g), needle))
		fail_msg("message '%s' lacks '%s'", rastro_gen_errmsg(g), needle);
	rastro_gen_free(g);
}

static void test_settings_errors(void **state)
{
	(void)state;
	expect_usage("gen.sede=3", "unknown generator setting 'gen.sede'");
	expect_usage("gen.difficulty=impossible", "unknown difficulty 'impossible'");
	expect_usage("gen.days=0", "number of days");
	expect_usage("gen.scale=-1", "scale");
	expect_usage("gen.seed=1.5", "seed");
	expect_usage("gen.name_noise=lots", "must be a number");
	expect_usage("gen.start=\"yesterday\"", "start date");
}

static void test_difficulty(void **state)
{
	json_t *a, *b;
	json_error_t jerr;

	(void)state;
	gen_world("e1", "gen.seed=2", "gen.scale=0.2", "gen.days=5", "gen.difficulty=easy", NULL);
	gen_world("h1", "gen.seed=2", "gen.scale=0.2", "gen.days=5", "gen.difficulty=hard", "gen.name_noise=0.42", NULL);
	a = json_load_file(file_in("e1", "truth.json"), 0, &jerr);
	b = json_load_file(file_in("h1", "truth.json"), 0, &jerr);
	assert_non_null(a);
	assert_non_null(b);
	/* The preset moves the knobs; an explicit setting wins over the preset. */
	assert_true(json_real_value(json_object_get(json_object_get(json_object_get(a, "generator"), "knobs"),
						    "lookalike_share")) <
		    json_real_value(json_object_get(json_object_get(json_object_get(b, "generator"), "knobs"),
						    "lookalike_share")));
	assert_true(json_real_value(json_object_get(json_object_get(json_object_get(b, "generator"), "knobs"),
						    "name_noise")) == 0.42);
	json_decref(a);
	json_decref(b);
}

/* ---- IBM AMLworld mode --------------------------------------------------- */

/* The CR of the CRLF ending the line at p, or NULL (a plain scan: the
 * sanitizers' strstr measures the whole haystack on every call). */
static char *crlf(char *p)
{
	for (; *p; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

static void test_ibm(void **state)
{
	size_t n = 0, np = 0, i, rows = 0, labelled = 0, pattern_rows = 0, found = 0;
	char *trans, *pat, *line, *next;
	json_t *truth, *pats, *p;
	json_error_t jerr;
	struct strmap lines;

	(void)state;
	gen_world("i1", "gen.ibm_mode=true", "gen.seed=9", "gen.scale=4", NULL);
	gen_world("i2", "gen.ibm_mode=true", "gen.seed=9", "gen.scale=4", "gen.threads=1", NULL);
	assert_true(same_file(file_in("i1", "gen_Trans.csv"), file_in("i2", "gen_Trans.csv")));
	assert_true(same_file(file_in("i1", "gen_Patterns.txt"), file_in("i2", "gen_Patterns.txt")));
	trans = slurp(file_in("i1", "gen_Trans.csv"), &n);
	pat = slurp(file_in("i1", "gen_Patterns.txt"), &np);
	assert_non_null(trans);
	assert_non_null(pat);
	/* IBM's header, two "Account" columns, CRLF line ends. */
	{
		const char *hdr = "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
				  "Amount Paid,Payment Currency,Payment Format,Is Laundering\r\n";

		assert_memory_equal(trans, hdr, strlen(hdr));
	}
	strmap_init(&lines);
	for (line = trans; line && *line; line = next) {
		char *end = crlf(line);

		assert_non_null(end);   /* every line ends with CRLF */
		next = end + 2;
		if (line == trans)
			continue;
		rows++;
		assert_true(end[-1] == '0' || end[-1] == '1');
		if (end[-1] == '1') {
			labelled++;
			strmap_intern(&lines, line, (size_t)(end - line), NULL);
		}
		/* YYYY/MM/DD HH:MM */
		assert_true(line[4] == '/' && line[7] == '/' && line[10] == ' ' && line[13] == ':' && line[16] == ',');
	}
	/* HI-Small's rate, 1 in 981, within sampling noise. */
	assert_true(rows > 150000);
	assert_true((double)labelled / rows > 0.0006 && (double)labelled / rows < 0.0016);
	/* Pattern blocks repeat laundering rows of the transaction file
	 * exactly, with zero-padded bank ids. */
	for (line = pat; line && *line; line = next) {
		char *end = crlf(line), buf[512], *f[11];
		int k = 0;
		char *q;

		assert_non_null(end);
		next = end + 2;
		if (end == line || strncmp(line, "BEGIN LAUNDERING ATTEMPT - ", 27) == 0 ||
		    strncmp(line, "END LAUNDERING ATTEMPT - ", 25) == 0)
			continue;
		pattern_rows++;
		assert_true((size_t)(end - line) < sizeof buf);
		memcpy(buf, line, (size_t)(end - line));
		buf[end - line] = 0;
		for (q = buf; k < 11 && q; k++) {
			f[k] = q;
			q = strchr(q, ',');
			if (q)
				*q++ = 0;
		}
		assert_int_equal(k, 11);
		assert_int_equal(strlen(f[1]), 6);
		{
			char unpadded[512];
			int len = snprintf(unpadded, sizeof unpadded, "%s,%ld,%s,%ld,%s,%s,%s,%s,%s,%s,%s", f[0],
					   strtol(f[1], NULL, 10), f[2], strtol(f[3], NULL, 10), f[4], f[5], f[6], f[7], f[8],
					   f[9], f[10]);

			found += strmap_find(&lines, unpadded, (size_t)len) != 0;
		}
	}
	assert_true(pattern_rows > 0);
	assert_int_equal(found, pattern_rows);
	/* Lone laundering rows exist besides the patterns (38 % in HI-Small). */
	assert_true(pattern_rows < labelled);
	truth = json_load_file(file_in("i1", "truth.json"), 0, &jerr);
	assert_non_null(truth);
	pats = json_object_get(truth, "patterns");
	{
		size_t kinds = 0;

		json_array_foreach(pats, i, p) {
			const char *k = json_string_value(json_object_get(p, "ibm_kind"));

			assert_non_null(strstr(pat, k));
			if (strcmp(k, "FAN-OUT") == 0)
				kinds |= 1;
			if (strcmp(k, "CYCLE") == 0)
				kinds |= 2;
		}
		assert_int_equal(kinds, 3); /* fan-outs and cycles are both planted */
	}
	assert_true(json_array_size(pats) > 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(truth, "counts"), "laundering_rows")),
			 (json_int_t)labelled);
	json_decref(truth);
	strmap_release(&lines);
	free(trans);
	free(pat);
}

static int teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_truth_consistent),
		cmocka_unit_test(test_phones_valid),
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_settings_errors),
		cmocka_unit_test(test_difficulty),
		cmocka_unit_test(test_ibm),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
