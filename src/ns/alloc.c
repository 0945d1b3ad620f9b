/* SPDX-License-Identifier: MIT */
/*
 * First-fit allocation in a region's data area. The reserved extents come
 * straight from the labels (any order, may overlap, may reach past the
 * data area or even wrap): they are clipped to [0, data_size), sorted and
 * merged on a private copy, then the gaps between them are the free
 * extents. A free extent's usable part starts at its first aligned byte
 * and is a whole number of alignment units long, since a namespace's size
 * is a multiple of its alignment.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ns/alloc.h"
#include "ns/error.h"
#include "ns/util.h"

static int ns_extent_cmp(const void *a, const void *b)
{
	const struct ns_extent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Walk the aligned free extents in address order; fn returns nonzero to
 * stop. Returns 0, or -ENOMEM when the sorted copy cannot be made.
 */
typedef int (*ns_gap_fn)(uint64_t start, uint64_t len, void *arg);

static int ns_alloc_walk(const struct ns_extent *used, unsigned n,
			 uint64_t data_size, uint64_t align, ns_gap_fn fn,
			 void *arg, bool sorted)
{
	struct ns_extent *v = NULL;
	const struct ns_extent *w;
	unsigned m = 0;
	uint64_t pos = 0;

	if (sorted) {
		/* clipped on the way; order by start is kept */
		w = used;
		m = n;
	} else {
		if (n) {
			v = malloc(sizeof(*v) * n);
			if (!v)
				return ns_err(-ENOMEM, "allocation: out of memory");
		}
		for (unsigned i = 0; i < n; i++) {
			if (!used[i].len || used[i].start >= data_size)
				continue;
			v[m++] = used[i];
		}
		if (m > 1)
			qsort(v, m, sizeof(*v), ns_extent_cmp);
		w = v;
	}

	for (unsigned i = 0; i <= m; i++) {
		uint64_t gap_end, end = 0;

		if (i < m) {
			if (!w[i].len || w[i].start >= data_size)
				continue;
			if (__builtin_add_overflow(w[i].start, w[i].len, &end) ||
			    end > data_size)
				end = data_size;
		}
		gap_end = i < m ? w[i].start : data_size;
		if (gap_end > pos) {
			/* the aligned part of [pos, gap_end), overflow-free */
			uint64_t pad = (align - pos % align) % align;

			if (pad < gap_end - pos && gap_end - pos - pad >= align) {
				uint64_t a = pos + pad;
				uint64_t len = (gap_end - a) / align * align;

				if (fn(a, len, arg))
					break;
			}
		}
		if (i < m && end > pos)
			pos = end;
	}
	free(v);
	return 0;
}

struct ns_find_arg {
	uint64_t size;
	uint64_t start;
	uint64_t largest;
	int found;
};

static int ns_find_gap(uint64_t start, uint64_t len, void *arg)
{
	struct ns_find_arg *f = arg;

	if (len > f->largest)
		f->largest = len;
	if (len >= f->size) {
		f->start = start;
		f->found = 1;
		return 1;
	}
	return 0;
}

static int ns_alloc_find_x(const struct ns_extent *used, unsigned n, uint64_t data_size,
			   uint64_t align, uint64_t size, uint64_t *start, bool sorted)
{
	struct ns_find_arg f = { .size = size };
	char want[32], largest[32];
	int rc;

	if (!ns_is_pow2(align))
		return ns_err(-EINVAL, "alignment %" PRIu64 " is not a power of two",
			      align);
	if (!size)
		return ns_err(-EINVAL, "size 0: nothing to allocate");
	rc = ns_alloc_walk(used, n, data_size, align, ns_find_gap, &f, sorted);
	if (rc)
		return rc;
	if (!f.found) {
		/* the walk stopped only on success, so largest is the true maximum */
		return ns_err(-ENOSPC, "no free extent of %s (largest free extent %s)",
			      ns_format_size(size, want, sizeof(want)),
			      ns_format_size(f.largest, largest, sizeof(largest)));
	}
	*start = f.start;
	return 0;
}

int ns_alloc_find(const struct ns_extent *used, unsigned n, uint64_t data_size,
		  uint64_t align, uint64_t size, uint64_t *start)
{
	return ns_alloc_find_x(used, n, data_size, align, size, start, false);
}

int ns_alloc_find_sorted(const struct ns_extent *used, unsigned n, uint64_t data_size,
			 uint64_t align, uint64_t size, uint64_t *start)
{
	return ns_alloc_find_x(used, n, data_size, align, size, start, true);
}

struct ns_stats_arg {
	uint64_t available;
	uint64_t max_extent;
};

static int ns_stats_gap(uint64_t start, uint64_t len, void *arg)
{
	struct ns_stats_arg *s = arg;

	s->available += len;
	if (len > s->max_extent)
		s->max_extent = len;
	return 0;
}

static void ns_alloc_stats_x(const struct ns_extent *used, unsigned n, uint64_t data_size,
			     uint64_t align, uint64_t *available, uint64_t *max_extent,
			     bool sorted)
{
	struct ns_stats_arg s = { 0 };

	if (ns_is_pow2(align))
		ns_alloc_walk(used, n, data_size, align, ns_stats_gap, &s, sorted);
	if (available)
		*available = s.available;
	if (max_extent)
		*max_extent = s.max_extent;
}

void ns_alloc_stats(const struct ns_extent *used, unsigned n, uint64_t data_size,
		    uint64_t align, uint64_t *available, uint64_t *max_extent)
{
	ns_alloc_stats_x(used, n, data_size, align, available, max_extent, false);
}

void ns_alloc_stats_sorted(const struct ns_extent *used, unsigned n, uint64_t data_size,
			   uint64_t align, uint64_t *available, uint64_t *max_extent)
{
	ns_alloc_stats_x(used, n, data_size, align, available, max_extent, true);
}
