/*
 * net_cache: the graph snapshot beside the workspace ("WS.graph").
 *
 * Queries (k-hop, paths) must answer in milliseconds on graphs of millions
 * of nodes, faster than the graph can be rebuilt from SQLite.  The network
 * stage therefore writes its arrays to one file, and queries map it
 * read-only: opening costs a header check, not a load.  The file is a
 * derived cache — deleting it loses nothing — and it carries a stamp of the
 * workspace state it was built from (largest transaction, link, entity and
 * network ids); a query that finds a stale or missing cache builds the
 * graph in memory instead.  The file is written to a temporary name and
 * renamed, so a reader never sees half a file.
 */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/mem.h"
#include "core/sbuf.h"

#define CACHE_MAGIC "RSTGRPH1"

struct cache_hdr {
	char magic[8];
	uint64_t stamp;
	uint64_t n, m;
	int64_t max_ts;
	uint64_t txns;
	int32_t nkinds, ntypes, paid_type, pad;
	char kinds[NET_MAXNAMES][NET_NAMELEN];
	char types[NET_MAXNAMES][NET_NAMELEN];
};

/* One array of the file: where it is in the struct and how long it is. */
struct col {
	void **ptr;
	size_t esize;
	uint64_t count;
};

static size_t cols_of(struct net_graph *g, struct col *c)
{
	size_t k = 0;
	uint64_t inc = g->off ? g->off[g->n] : 0;

#define C(f, cnt) do { c[k].ptr = (void **)&g->f; c[k].esize = sizeof *g->f; c[k].count = (cnt); k++; } while (0)
	C(ent, g->n);
	C(off, (uint64_t)g->n + 1);
	C(eamount, g->m);
	C(et0, g->m);
	C(et1, g->m);
	C(erec, g->m);
	C(esrc, g->m);
	C(edst, g->m);
	C(ecount, g->m);
	C(eweight, g->m);
	C(adj, inc);
	C(adje, inc);
	C(ndeg, g->n);
	C(net, g->n);
	C(kind, g->n);
	C(etype, g->m);
	C(hub, g->n);
	C(role, g->n);
#undef C
	return k;
}

char *net_cache_path(const rastro_ws *ws)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_init(&sb);
	sbuf_adds(&sb, ws->path);
	sbuf_adds(&sb, ".graph");
	if (sbuf_failed(&sb)) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

int net_stamp(rastro_ws *ws, uint64_t *stamp)
{
	static const char *const q[] = {
		"SELECT ifnull(max(id), 0) FROM txn", "SELECT ifnull(max(id), 0) FROM edge",
		"SELECT ifnull(max(id), 0) FROM entity", "SELECT ifnull(max(id), 0) FROM network",
		"SELECT ifnull(max(run_id), 0) FROM network",
	};
	int64_t v[sizeof q / sizeof q[0]];
	size_t i;

	for (i = 0; i < sizeof q / sizeof q[0]; i++)
		if (ws_query_i64(ws, q[i], 0, &v[i]))
			return ws->err.code;
	*stamp = XXH3_64bits(v, sizeof v);
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n > (1u << 30) ? (1u << 30) : n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int net_cache_write(struct net_graph *g, const char *path, uint64_t stamp)
{
	struct cache_hdr h;
	struct col c[24];
	size_t nc = cols_of(g, c), i;
	static const char zero[8];
	struct sbuf tmp = SBUF_INIT;
	int fd, rc = 0;

	memset(&h, 0, sizeof h);
	memcpy(h.magic, CACHE_MAGIC, 8);
	h.stamp = stamp;
	h.n = g->n;
	h.m = g->m;
	h.max_ts = g->max_ts;
	h.txns = g->txns;
	h.nkinds = g->kinds.n;
	h.ntypes = g->types.n;
	h.paid_type = g->paid_type;
	memcpy(h.kinds, g->kinds.name, sizeof h.kinds);
	memcpy(h.types, g->types.name, sizeof h.types);
	sbuf_init(&tmp);
	sbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	if (sbuf_failed(&tmp))
		return ws_error(g->ws, RASTRO_NOMEM, "out of memory");
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		rc = ws_error(g->ws, RASTRO_IO, "cannot write the graph cache '%s': %s", tmp.buf, strerror(errno));
		sbuf_release(&tmp);
		return rc;
	}
	if (write_all(fd, &h, sizeof h))
		rc = -1;
	for (i = 0; i < nc && !rc; i++) {
		size_t bytes = (size_t)(c[i].esize * c[i].count);

		if ((bytes && write_all(fd, *c[i].ptr, bytes)) || (bytes % 8 && write_all(fd, zero, 8 - bytes % 8)))
			rc = -1;
	}
	if (!rc && fsync(fd))
		rc = -1;
	if (close(fd))
		rc = -1;
	if (!rc && rename(tmp.buf, path))
		rc = -1;
	if (rc) {
		int e = errno;

		unlink(tmp.buf);
		rc = ws_error(g->ws, e == ENOSPC ? RASTRO_FULL : RASTRO_IO, "cannot write the graph cache '%s': %s",
			      path, strerror(e));
	}
	sbuf_release(&tmp);
	return rc;
}

void net_cache_unmap(struct net_graph *g)
{
	if (g->map)
		munmap(g->map, g->maplen);
	g->map = NULL;
}

int net_cache_open(rastro_ws *ws, const char *path, uint64_t stamp, struct net_graph **out)
{
	struct cache_hdr h;
	struct net_graph *g;
	struct stat sb;
	struct col c[24];
	size_t nc, i, at;
	void *map;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return RASTRO_NOTFOUND;
	if (fstat(fd, &sb) || (size_t)sb.st_size < sizeof h || read(fd, &h, sizeof h) != (ssize_t)sizeof h ||
	    memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.stamp != stamp || h.n >= NET_NONE || h.nkinds > NET_MAXNAMES ||
	    h.ntypes > NET_MAXNAMES || h.nkinds < 0 || h.ntypes < 0) {
		close(fd);
		return RASTRO_NOTFOUND;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return RASTRO_NOTFOUND;
	if (!(g = mem_calloc(1, sizeof *g))) {
		munmap(map, (size_t)sb.st_size);
		return ws_error(ws, RASTRO_NOMEM, "out of memory");
	}
	g->ws = ws;
	g->n = (uint32_t)h.n;
	g->m = h.m;
	g->max_ts = h.max_ts;
	g->txns = h.txns;
	g->paid_type = h.paid_type;
	g->kinds.n = h.nkinds;
	g->types.n = h.ntypes;
	memcpy(g->kinds.name, h.kinds, sizeof h.kinds);
	memcpy(g->types.name, h.types, sizeof h.types);
	g->map = map;
	g->maplen = (size_t)sb.st_size;
	/* the incidence count is off[n]: lay out the leading arrays first */
	at = sizeof h;
	g->off = NULL;
	{
		uint64_t inc;

		if (at + h.n * 8 + (h.n + 1) * 8 > g->maplen)
			goto bad;
		/* the file is page-aligned and every array 8-byte aligned */
		memcpy(&inc, (const char *)map + at + ((h.n * 8 + 7) & ~(uint64_t)7) + h.n * 8, sizeof inc);
		if (inc > 2 * h.m)
			goto bad;
		/* a temporary off so that cols_of sees the incidence count */
		g->off = (uint64_t *)(void *)((char *)map + at + ((h.n * 8 + 7) & ~(uint64_t)7));
		nc = cols_of(g, c);
	}
	for (i = 0; i < nc; i++) {
		size_t bytes = (size_t)(c[i].esize * c[i].count);

		if (at + bytes > g->maplen)
			goto bad;
		*c[i].ptr = (char *)map + at;
		at += (bytes + 7) & ~(size_t)7;
	}
	*out = g;
	return 0;
bad:
	munmap(map, g->maplen);
	mem_free(g);
	return RASTRO_NOTFOUND;
}
