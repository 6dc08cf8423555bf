/*
 * jdoc: the C++ side of the JSON line parser (jdoc.h).  simdjson's DOM
 * parser reads the line; a walk of the whole document then refuses anything
 * jansson (the reference, with JSON_REJECT_DUPLICATES) would treat
 * differently, and such lines are parsed again by jansson.  Exceptions never
 * cross into C: an allocation failure is JDOC_NOMEM.
 */
#include "jdoc.h"

#include <jansson.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <string_view>
#include <vector>

using simdjson::dom::element;
using simdjson::dom::element_type;

struct jdoc {
	simdjson::dom::parser parser;
	std::vector<jdoc_member> members;
	std::vector<jdoc_val> items;
	std::vector<std::string_view> keys;   /* scratch of the duplicate test */
	json_t *root = nullptr;               /* the jansson tree when the slow path read the line */
	bool fast = true;
	bool slow = false;
};

/* 1 when no two keys are equal.  Objects of a line have few keys (an ad
 * has 17): up to 32 are compared pair by pair, length and first byte
 * first, which is cheaper than sorting them; larger objects are sorted. */
static bool keys_unique(std::vector<std::string_view> &k)
{
	size_t n = k.size();

	if (n <= 32) {
		for (size_t a = 1; a < n; a++) {
			size_t len = k[a].size();
			char c0 = len ? k[a][0] : 0;

			for (size_t b = 0; b < a; b++)
				if (k[b].size() == len && (!len || (k[b][0] == c0 &&
				    std::memcmp(k[b].data(), k[a].data(), len) == 0)))
					return false;
		}
		return true;
	}
	std::sort(k.begin(), k.end());
	return std::adjacent_find(k.begin(), k.end()) == k.end();
}

static bool has_nul(std::string_view s)
{
	return std::memchr(s.data(), '\0', s.size()) != nullptr;
}

/*
 * 1 when jansson would read the value as simdjson did: no NUL in a string
 * or key (jansson refuses them without JSON_ALLOW_NUL), no duplicate key, no
 * integer beyond int64 ("too big integer" in jansson), at any depth.
 */
static bool agrees(element e)
{
	switch (e.type()) {
	case element_type::STRING: {
		std::string_view s;

		return !e.get(s) && !has_nul(s);
	}
	case element_type::UINT64:
		return false;
	case element_type::ARRAY: {
		simdjson::dom::array a;

		if (e.get(a))
			return false;
		for (element x : a)
			if (!agrees(x))
				return false;
		return true;
	}
	case element_type::OBJECT: {
		std::vector<std::string_view> k;   /* nested objects: rare in a line */
		simdjson::dom::object o;

		if (e.get(o))
			return false;
		for (auto kv : o) {
			if (has_nul(kv.key) || !agrees(kv.value))
				return false;
			k.push_back(kv.key);
		}
		return keys_unique(k);
	}
	default:
		return true;
	}
}

/* The view of a scalar, or the type of a container. */
static jdoc_val val_of(element e)
{
	jdoc_val v{};

	switch (e.type()) {
	case element_type::STRING: {
		std::string_view s;

		if (e.get(s))     /* cannot fail: the type was checked */
			break;
		v.type = JDOC_STRING;
		v.s = s.data();   /* simdjson ends each string with a NUL */
		v.n = s.size();
		break;
	}
	case element_type::INT64:
		v.type = JDOC_INT;
		if (e.get(v.i))
			v.i = 0;
		break;
	case element_type::DOUBLE:
		v.type = JDOC_REAL;
		if (e.get(v.d))
			v.d = 0;
		break;
	case element_type::BOOL: {
		bool b = false;

		if (e.get(b))
			b = false;
		v.type = JDOC_BOOL;
		v.i = b ? 1 : 0;
		break;
	}
	case element_type::ARRAY:
		v.type = JDOC_ARRAY;
		break;
	case element_type::OBJECT:
		v.type = JDOC_OBJECT;
		break;
	default:
		v.type = JDOC_NULL;
	}
	return v;
}

/* Fills the view from simdjson's object; false when jansson must decide. */
static bool fill_fast(jdoc *d, simdjson::dom::object obj)
{
	d->keys.clear();
	for (auto kv : obj) {
		jdoc_member m{};

		if (has_nul(kv.key) || !agrees(kv.value))
			return false;
		m.key = kv.key.data();
		m.keylen = kv.key.size();
		m.v = val_of(kv.value);
		if (m.v.type == JDOC_ARRAY) {
			simdjson::dom::array a;

			if (kv.value.get(a))
				return false;
			m.v.first = d->items.size();
			for (element x : a)
				d->items.push_back(val_of(x));
			m.v.count = d->items.size() - m.v.first;
		}
		d->members.push_back(m);
		d->keys.push_back(kv.key);
	}
	return keys_unique(d->keys);
}

static jdoc_val val_of_jansson(json_t *j)
{
	jdoc_val v{};

	switch (json_typeof(j)) {
	case JSON_STRING:
		v.type = JDOC_STRING;
		v.s = json_string_value(j);
		v.n = json_string_length(j);
		break;
	case JSON_INTEGER:
		v.type = JDOC_INT;
		v.i = (int64_t)json_integer_value(j);
		break;
	case JSON_REAL:
		v.type = JDOC_REAL;
		v.d = json_real_value(j);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		v.type = JDOC_BOOL;
		v.i = json_is_true(j) ? 1 : 0;
		break;
	case JSON_ARRAY:
		v.type = JDOC_ARRAY;
		break;
	case JSON_OBJECT:
		v.type = JDOC_OBJECT;
		break;
	default:
		v.type = JDOC_NULL;
	}
	return v;
}

/* The reference path: jansson with the flags ingest has always used. */
static int parse_slow(jdoc *d, const char *s, size_t n, uint64_t *col, char *reason, size_t reasonn)
{
	json_error_t je;
	const char *key;
	json_t *v;

	d->slow = true;
	d->root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
	if (!d->root) {
		*col = je.column > 0 ? (uint64_t)je.column : 1;
		std::snprintf(reason, reasonn, "not valid JSON: %s", je.text);
		return JDOC_BAD;
	}
	if (!json_is_object(d->root)) {
		*col = 1;
		return JDOC_NOT_OBJECT;
	}
	json_object_foreach(d->root, key, v) {
		jdoc_member m{};

		m.key = key;
		m.keylen = std::strlen(key);
		m.v = val_of_jansson(v);
		if (m.v.type == JDOC_ARRAY) {
			size_t k;
			json_t *item;

			m.v.first = d->items.size();
			json_array_foreach(v, k, item)
				d->items.push_back(val_of_jansson(item));
			m.v.count = d->items.size() - m.v.first;
		}
		d->members.push_back(m);
	}
	return JDOC_OK;
}

static int parse(jdoc *d, const char *s, size_t n, uint64_t *col, char *reason, size_t reasonn)
{
	d->members.clear();
	d->items.clear();
	d->slow = false;
	if (d->root) {
		json_decref(d->root);
		d->root = nullptr;
	}
	if (d->fast) {
		simdjson::dom::object root;

		/* realloc_if_needed: the line is copied into the parser's padded
		 * buffer.  A root that is not an object goes to jansson, whose
		 * message ingest has always given. */
		if (!d->parser.parse(s, n, true).get(root) && fill_fast(d, root))
			return JDOC_OK;
		d->members.clear();
		d->items.clear();
	}
	return parse_slow(d, s, n, col, reason, reasonn);
}

extern "C" {

struct jdoc *jdoc_new(void)
{
	return new (std::nothrow) jdoc();
}

void jdoc_free(struct jdoc *d)
{
	if (!d)
		return;
	json_decref(d->root);
	delete d;
}

void jdoc_set_fast(struct jdoc *d, int on)
{
	d->fast = on != 0;
}

int jdoc_parse(struct jdoc *d, const char *s, size_t n, uint64_t *col, char *reason, size_t reasonn)
{
	*col = 0;
	if (reasonn)
		reason[0] = '\0';
	try {
		return parse(d, s, n, col, reason, reasonn);
	} catch (...) {
		d->members.clear();
		d->items.clear();
		return JDOC_NOMEM;
	}
}

size_t jdoc_nmembers(const struct jdoc *d)
{
	return d->members.size();
}

const struct jdoc_member *jdoc_member_at(const struct jdoc *d, size_t i)
{
	return &d->members[i];
}

const struct jdoc_val *jdoc_get(const struct jdoc *d, const char *key)
{
	size_t n = std::strlen(key);

	for (const jdoc_member &m : d->members)
		if (m.keylen == n && std::memcmp(m.key, key, n) == 0)
			return &m.v;
	return nullptr;
}

const struct jdoc_val *jdoc_item(const struct jdoc *d, const struct jdoc_val *array, size_t k)
{
	return &d->items[array->first + k];
}

int jdoc_slow(const struct jdoc *d)
{
	return d->slow ? 1 : 0;
}

}
