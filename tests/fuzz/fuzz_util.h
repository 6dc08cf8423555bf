/*
 * Helpers for the libFuzzer targets: inputs arrive as bytes, most readers
 * take a path, so the bytes go into an anonymous in-memory file reached
 * through /proc/self/fd.
 */
#ifndef RASTRO_FUZZ_UTIL_H
#define RASTRO_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a fresh memfd; returns the fd (and its path in path). */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", 0);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
