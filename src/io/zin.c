/*
 * zin: transparent gzip/zstd/plain input.
 */
#include "zin.h"
#include "core/mem.h"
#include "rastro.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CHUNK (1u << 20)

struct zin {
	int fd;
	char *path;
	enum zin_codec codec;
	unsigned char *raw;     /* compressed input buffer */
	size_t raw_cap, raw_len, raw_pos;
	int raw_eof;
	uint64_t raw_total;     /* bytes read from fd */
	uint64_t raw_size;
	z_stream gz;
	int gz_init;
	int gz_member_done;     /* last inflate call ended a gzip member */
	ZSTD_DCtx *zd;
	size_t zstd_last;       /* last ZSTD_decompressStream hint (0 = frame done) */
};

static int io_code(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return RASTRO_NOTFOUND;
	if (e == ENOMEM)
		return RASTRO_NOMEM;
	return RASTRO_IO;
}

static ssize_t read_fd(struct zin *z, void *buf, size_t n, struct rs_err *err)
{
	for (;;) {
		ssize_t got = read(z->fd, buf, n);

		if (got >= 0) {
			z->raw_total += (uint64_t)got;
			return got;
		}
		if (errno == EINTR)
			continue;
		err_set(err, io_code(errno), "cannot read '%s': %s", z->path, strerror(errno));
		return -1;
	}
}

/* Refills the raw buffer when it is empty; -1 on error. */
static int fill_raw(struct zin *z, struct rs_err *err)
{
	ssize_t got;

	if (z->raw_pos < z->raw_len || z->raw_eof)
		return 0;
	got = read_fd(z, z->raw, z->raw_cap, err);
	if (got < 0)
		return -1;
	z->raw_len = (size_t)got;
	z->raw_pos = 0;
	if (got == 0)
		z->raw_eof = 1;
	return 0;
}

int zin_open(struct zin **out, const char *path, struct rs_err *err)
{
	struct zin *z;
	struct stat st;

	*out = NULL;
	z = mem_calloc(1, sizeof *z);
	if (!z)
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	z->path = mem_strdup(path);
	if (!z->path) {
		zin_close(z);
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	}
	if (strcmp(path, "-") == 0) {
		z->fd = 0;
	} else {
		z->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (z->fd < 0) {
			int e = errno;

			z->fd = -1;
			zin_close(z);
			return err_set(err, io_code(e), "cannot open '%s': %s", path, strerror(e));
		}
	}
	if (fstat(z->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			zin_close(z);
			return err_set(err, RASTRO_IO, "cannot read '%s': it is a directory", path);
		}
		if (S_ISREG(st.st_mode))
			z->raw_size = (uint64_t)st.st_size;
	}
	/* Small files get a small buffer: thousands of them are opened by
	 * tests and fuzzers. */
	z->raw_cap = z->raw_size && z->raw_size < RAW_CHUNK ? (size_t)z->raw_size + 1 : RAW_CHUNK;
	z->raw = mem_alloc(z->raw_cap);
	if (!z->raw) {
		zin_close(z);
		return err_set(err, RASTRO_NOMEM, "out of memory opening '%s'", path);
	}
	if (fill_raw(z, err)) {
		zin_close(z);
		return err->code;
	}
	if (z->raw_len >= 2 && z->raw[0] == 0x1f && z->raw[1] == 0x8b) {
		z->codec = ZIN_GZIP;
		if (inflateInit2(&z->gz, 15 + 16) != Z_OK) {
			zin_close(z);
			return err_set(err, RASTRO_NOMEM, "cannot start gzip decoder for '%s'", path);
		}
		z->gz_init = 1;
	} else if (z->raw_len >= 4 && z->raw[0] == 0x28 && z->raw[1] == 0xb5 &&
		   z->raw[2] == 0x2f && z->raw[3] == 0xfd) {
		z->codec = ZIN_ZSTD;
		z->zd = ZSTD_createDCtx();
		if (!z->zd) {
			zin_close(z);
			return err_set(err, RASTRO_NOMEM, "cannot start zstd decoder for '%s'", path);
		}
	}
	*out = z;
	return 0;
}

static ssize_t read_plain(struct zin *z, void *buf, size_t n, struct rs_err *err)
{
	size_t avail;

	if (z->raw_pos < z->raw_len) {
		avail = z->raw_len - z->raw_pos;
		if (avail > n)
			avail = n;
		memcpy(buf, z->raw + z->raw_pos, avail);
		z->raw_pos += avail;
		return (ssize_t)avail;
	}
	if (z->raw_eof)
		return 0;
	return read_fd(z, buf, n, err);
}

static ssize_t read_gzip(struct zin *z, void *buf, size_t n, struct rs_err *err)
{
	z->gz.next_out = buf;
	z->gz.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	while (z->gz.avail_out > 0) {
		int rc;

		if (fill_raw(z, err))
			return -1;
		if (z->raw_pos >= z->raw_len) {
			/* End of file: fine only between members. */
			if (!z->gz_member_done && z->raw_total > 0)
				return err_set(err, RASTRO_FORMAT,
					       "'%s': gzip stream is truncated (the file ends inside compressed data)",
					       z->path), -1;
			break;
		}
		if (z->gz_member_done) {
			/* Another member follows (concatenated gzip). */
			inflateReset(&z->gz);
			z->gz_member_done = 0;
		}
		z->gz.next_in = z->raw + z->raw_pos;
		z->gz.avail_in = (uInt)(z->raw_len - z->raw_pos);
		rc = inflate(&z->gz, Z_NO_FLUSH);
		z->raw_pos = z->raw_len - z->gz.avail_in;
		if (rc == Z_STREAM_END) {
			z->gz_member_done = 1;
			continue;
		}
		if (rc == Z_BUF_ERROR)
			continue;
		if (rc != Z_OK)
			return err_set(err, RASTRO_FORMAT, "'%s': damaged gzip data (%s)", z->path,
				       z->gz.msg ? z->gz.msg : "inflate failed"), -1;
	}
	return (ssize_t)((unsigned char *)z->gz.next_out - (unsigned char *)buf);
}

static ssize_t read_zstd(struct zin *z, void *buf, size_t n, struct rs_err *err)
{
	ZSTD_outBuffer ob = { buf, n, 0 };

	while (ob.pos < ob.size) {
		ZSTD_inBuffer ib;
		size_t rc;

		if (fill_raw(z, err))
			return -1;
		if (z->raw_pos >= z->raw_len) {
			if (z->zstd_last != 0)
				return err_set(err, RASTRO_FORMAT,
					       "'%s': zstd stream is truncated (the file ends inside a frame)",
					       z->path), -1;
			break;
		}
		ib.src = z->raw + z->raw_pos;
		ib.size = z->raw_len - z->raw_pos;
		ib.pos = 0;
		rc = ZSTD_decompressStream(z->zd, &ob, &ib);
		z->raw_pos += ib.pos;
		if (ZSTD_isError(rc))
			return err_set(err, RASTRO_FORMAT, "'%s': damaged zstd data (%s)", z->path,
				       ZSTD_getErrorName(rc)), -1;
		z->zstd_last = rc;
	}
	return (ssize_t)ob.pos;
}

ssize_t zin_read(struct zin *z, void *buf, size_t n, struct rs_err *err)
{
	switch (z->codec) {
	case ZIN_GZIP:
		return read_gzip(z, buf, n, err);
	case ZIN_ZSTD:
		return read_zstd(z, buf, n, err);
	default:
		return read_plain(z, buf, n, err);
	}
}

void zin_close(struct zin *z)
{
	if (!z)
		return;
	if (z->gz_init)
		inflateEnd(&z->gz);
	if (z->zd)
		ZSTD_freeDCtx(z->zd);
	if (z->fd > 0)
		close(z->fd);
	mem_free(z->raw);
	mem_free(z->path);
	mem_free(z);
}

enum zin_codec zin_codec(const struct zin *z)
{
	return z->codec;
}

uint64_t zin_raw_pos(const struct zin *z)
{
	return z->raw_total - (z->raw_len - z->raw_pos);
}

uint64_t zin_raw_size(const struct zin *z)
{
	return z->raw_size;
}

int zin_hash_file(const char *path, char out[33], uint64_t *size, struct rs_err *err)
{
	XXH3_state_t *st;
	unsigned char *buf;
	XXH128_hash_t h;
	uint64_t total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, io_code(errno), "cannot open '%s': %s", path, strerror(errno));
	buf = mem_alloc(RAW_CHUNK);
	st = XXH3_createState();
	if (!buf || !st) {
		mem_free(buf);
		XXH3_freeState(st);
		close(fd);
		return err_set(err, RASTRO_NOMEM, "out of memory hashing '%s'", path);
	}
	XXH3_128bits_reset(st);
	for (;;) {
		ssize_t got = read(fd, buf, RAW_CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			mem_free(buf);
			XXH3_freeState(st);
			close(fd);
			return err_set(err, io_code(e), "cannot read '%s': %s", path, strerror(e));
		}
		if (got == 0)
			break;
		XXH3_128bits_update(st, buf, (size_t)got);
		total += (uint64_t)got;
	}
	h = XXH3_128bits_digest(st);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
	if (size)
		*size = total;
	mem_free(buf);
	XXH3_freeState(st);
	close(fd);
	return 0;
}
