// SPDX-License-Identifier: MIT
/*
 * Media errors of a region (media.h): the list, its sidecar, and the
 * data path's questions about it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/region.h"

#include "fs/log.h"
#include "fs/media.h"

void fs_media_init(struct fs_media *m, const struct ns_region *r)
{
	const char *region_path = ns_region_file_path(r);	/* DIR/region too */
	int rc;

	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->save_lock, NULL);
	m->region_path = region_path;
	ns_bb_id_of_region(r, &m->id);
	rc = ns_bb_load(region_path, &m->id, &m->bb);
	if (rc < 0)
		fs_warn("ignoring media errors: %s", ns_errormsg());
	else if (rc == NS_BB_STALE)
		fs_warn("'%s': %s (stale: replaced at the next change)", region_path,
			ns_errormsg());
	m->bytes = ns_bb_bytes(&m->bb, 0, UINT64_MAX);
	if (m->bytes)
		fs_info("'%s': %zu media error range%s (%" PRIu64 " bytes)", region_path,
			m->bb.n, m->bb.n == 1 ? "" : "s", m->bytes);
}

void fs_media_fini(struct fs_media *m)
{
	ns_bb_free(&m->bb);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->save_lock);
}

static bool none(struct fs_media *m)
{
	return !m || __atomic_load_n(&m->bytes, __ATOMIC_ACQUIRE) == 0;
}

uint64_t fs_media_bytes(struct fs_media *m, uint64_t dpa, uint64_t len)
{
	uint64_t b;

	if (none(m))
		return 0;
	pthread_mutex_lock(&m->lock);
	b = ns_bb_bytes(&m->bb, dpa, len);
	pthread_mutex_unlock(&m->lock);
	return b;
}

int fs_media_change(struct fs_media *m, uint64_t dpa, uint64_t size, const char *what,
		    uint64_t off, uint64_t len, bool uninject, bool clear_all)
{
	int64_t cl;
	int rc = 0;

	if (!clear_all && (off >= size || len > size - off || len == 0))
		return ns_err(-EINVAL, "range %" PRIu64 "+%" PRIu64 " is not inside %s "
			      "(%" PRIu64 " bytes)", off, len, what, size);
	pthread_mutex_lock(&m->save_lock);	/* before m->lock (media.h) */
	pthread_mutex_lock(&m->lock);
	if (clear_all) {
		cl = ns_bb_clear(&m->bb, dpa, size);
	} else if (uninject) {
		uint64_t s = off - off % NS_BB_BLOCK, e = off + len;

		e = (e + NS_BB_BLOCK - 1) / NS_BB_BLOCK * NS_BB_BLOCK;
		if (e > size)
			e = size;
		cl = ns_bb_clear(&m->bb, dpa + s, e - s);
	} else {
		cl = ns_bb_add(&m->bb, dpa + off, len);
	}
	if (cl < 0)
		rc = (int)cl;
	else
		rc = ns_bb_save(m->region_path, &m->id, &m->bb);
	if (rc < 0)
		ns_bb_load(m->region_path, &m->id, &m->bb);	/* as saved before */
	/* the list is the sidecar's: an older copy is not saved over it */
	m->saved_gen = ++m->gen;
	__atomic_store_n(&m->bytes, ns_bb_bytes(&m->bb, 0, UINT64_MAX), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->save_lock);
	return rc;
}

int fs_media_clip(struct fs_media *m, uint64_t dpa, uint64_t size,
		  struct ns_bb_range **out, size_t *nout)
{
	struct ns_bb_range *v;
	size_t n;

	pthread_mutex_lock(&m->lock);
	n = ns_bb_clip(&m->bb, dpa, size, NULL, 0);
	v = calloc(n ? n : 1, sizeof(*v));
	if (v)
		ns_bb_clip(&m->bb, dpa, size, v, n);
	pthread_mutex_unlock(&m->lock);
	*out = v;
	*nout = v ? n : 0;
	return v ? 0 : -ENOMEM;
}

bool fs_media_hit(struct fs_media *m, uint64_t dpa, uint64_t len)
{
	bool bad;

	if (none(m))
		return false;
	pthread_mutex_lock(&m->lock);
	bad = ns_bb_overlaps(&m->bb, dpa, len);
	pthread_mutex_unlock(&m->lock);
	return bad;
}

/*
 * A write that covers only part of a poisoned 512-byte block cannot clear
 * it: EIO before anything is written, as a block device's read-modify-write
 * of that block would give (write(2) reaches the daemon unaligned, not as a
 * page read first).
 */
bool fs_media_partial(struct fs_media *m, uint64_t s, uint64_t len)
{
	uint64_t e = s + len;
	uint64_t outer_s = s & ~511ull, outer_e = (e + 511) & ~511ull;
	uint64_t inner_s = (s + 511) & ~511ull, inner_e = e & ~511ull;
	uint64_t inner = 0;

	if (none(m) || (outer_s == s && outer_e == e))
		return false;
	if (inner_e > inner_s)
		inner = fs_media_bytes(m, inner_s, inner_e - inner_s);
	return fs_media_bytes(m, outer_s, outer_e - outer_s) > inner;
}

void fs_media_written(struct fs_media *m, const char *devname, uint64_t dpa, uint64_t off,
		      uint64_t len)
{
	struct ns_badblocks copy = { 0 };
	bool copied = false;
	int64_t cleared;
	uint64_t gen = 0;

	if (none(m))
		return;
	pthread_mutex_lock(&m->lock);
	cleared = ns_bb_clear(&m->bb, dpa + off, len);
	if (cleared > 0) {
		__atomic_store_n(&m->bytes, ns_bb_bytes(&m->bb, 0, UINT64_MAX),
				 __ATOMIC_RELEASE);
		gen = ++m->gen;
		copy.v = m->bb.n ? malloc(m->bb.n * sizeof(*copy.v)) : NULL;
		if (copy.v || !m->bb.n) {
			if (m->bb.n)
				memcpy(copy.v, m->bb.v, m->bb.n * sizeof(*copy.v));
			copy.n = copy.cap = m->bb.n;
			copied = true;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (cleared <= 0)
		return;
	fs_info("%s: a write of %zu bytes at %" PRIu64 " cleared %" PRId64
		" bytes of media errors", devname, (size_t)len, off, cleared);
	/* the save (realpath, two fsyncs) outside m->lock: READs take it */
	pthread_mutex_lock(&m->save_lock);
	if (!copied)
		fs_warn("%s: out of memory: the cleared media errors stay in the "
			"sidecar until its next save", devname);
	else if (gen > m->saved_gen) {	/* else a newer list is saved already */
		if (ns_bb_save(m->region_path, &m->id, &copy) < 0)
			fs_warn("%s: %s", devname, ns_errormsg());
		else
			m->saved_gen = gen;
	}
	pthread_mutex_unlock(&m->save_lock);
	free(copy.v);
}
