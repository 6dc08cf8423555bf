/*
 * zin: reads a file as plain bytes whatever its compression.  gzip (also
 * multi-member) and zstd are recognised by their magic bytes, so callers
 * never care whether an export arrived as .csv, .csv.gz or .csv.zst.
 *
 * A truncated or damaged compressed stream is an error, never a silent
 * short read: nothing downstream may mistake half a file for a whole one.
 */
#ifndef RASTRO_ZIN_H
#define RASTRO_ZIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

struct zin;

enum zin_codec { ZIN_PLAIN, ZIN_GZIP, ZIN_ZSTD };

/* Opens path ("-" for standard input).  Errors name the file. */
int zin_open(struct zin **out, const char *path, struct rs_err *err);
/* Reads up to n decompressed bytes: count, 0 at the end, -1 on error. */
ssize_t zin_read(struct zin *z, void *buf, size_t n, struct rs_err *err);
void zin_close(struct zin *z);

enum zin_codec zin_codec(const struct zin *z);
/* Raw (compressed) bytes consumed so far and the file size (0 if unknown):
 * what a progress bar can measure. */
uint64_t zin_raw_pos(const struct zin *z);
uint64_t zin_raw_size(const struct zin *z);

/* XXH3-128 of the file's raw bytes as 32 hex digits: the content identity
 * used to notice that a file was loaded before. */
int zin_hash_file(const char *path, char out[33], uint64_t *size, struct rs_err *err);

#endif
