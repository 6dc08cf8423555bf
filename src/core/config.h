/*
 * config: rastro's settings, read from TOML files (a documented subset:
 * [section] and [section.sub] tables, key = value with strings, integers,
 * floats, booleans and one-line arrays, # comments).
 *
 * Values are kept as flat "section.key" entries in load order; a later
 * value for the same key overrides an earlier one.  That is how layering
 * works: built-in defaults file, then the workspace's or user's file, then
 * per-run overrides (`--set key=value`).  Detectors read their parameters
 * through cfg_get_* with the default they would use if the key were absent.
 */
#ifndef RASTRO_CONFIG_H
#define RASTRO_CONFIG_H

#include <stddef.h>

#include "err.h"

struct cfg;

struct cfg *cfg_new(void);
void cfg_free(struct cfg *c);

/* Parses TOML text; on error returns a code with "NAME:LINE:COL: reason". */
int cfg_load_string(struct cfg *c, const char *name, const char *text, size_t n,
		    struct rs_err *err);
int cfg_load_file(struct cfg *c, const char *path, struct rs_err *err);
/* One override "section.key=value" (value in TOML syntax, or a bare word
 * taken as a string). */
int cfg_set(struct cfg *c, const char *assignment, struct rs_err *err);

/* The same, refusing a key that no loaded file names and that matches none
 * of the shell patterns in the array setting `patterns_key` (keys made per
 * detector or code, e.g. "finance.*.enabled"): a misspelt override must not
 * be ignored in silence.  The message suggests the nearest known key. */
int cfg_set_known(struct cfg *c, const char *assignment, const char *patterns_key, struct rs_err *err);

/* Lookups; return `def` when the key is absent or has another type.  A
 * string value that spells a number is accepted by the numeric getters. */
double cfg_double(const struct cfg *c, const char *key, double def);
long long cfg_int(const struct cfg *c, const char *key, long long def);
int cfg_bool(const struct cfg *c, const char *key, int def);
/* Borrowed string, valid until cfg_free. */
const char *cfg_str(const struct cfg *c, const char *key, const char *def);
/* Array length (0 if absent) and element i as a borrowed string. */
size_t cfg_array_len(const struct cfg *c, const char *key);
const char *cfg_array_str(const struct cfg *c, const char *key, size_t i);

/* 1 when the key is present. */
int cfg_has(const struct cfg *c, const char *key);
/* Iteration over distinct keys in first-load order: key i or NULL. */
const char *cfg_key(const struct cfg *c, size_t i);
/* Value of key i rendered as TOML text (borrowed). */
const char *cfg_raw(const struct cfg *c, const char *key);

#endif
