// SPDX-License-Identifier: MIT
/*
 * Crash states beyond one draw (fault.h struct fs_crash_image): a power
 * failure asked for an image keeps, for each page it reverts, the old
 * content (at the last completed FSYNC) and the new one (at the crash).
 * Any mix is a state the medium could hold after the crash; state i of
 * the image is put on the namespace on request (pmemctl crash-test
 * --states), the checker judges it, the next state follows.
 *
 * The order of states: crash_order.c.
 *
 * Applying a state (a control thread, f->revert_lock, like a power
 * failure): wait for the holders to go (or forced); mark the namespace
 * crashed (WRITEs arriving meanwhile are discarded, FSYNCs in flight
 * fail); put back what was changed since the last state (the pin log:
 * the checker's work); write each image page old, new or torn; fdatasync;
 * drop the undo log (the state is the new baseline, as a completed
 * FSYNC); invalidate the kernel's cache; clear the mark.
 *
 * WRITEs that arrive while the crash is reverted (the kernel writes back
 * pages a killed application or another thread dirtied after the last
 * FSYNC's write-back, when the file is closed or at step 3's
 * invalidation) are lost as in a plain power failure, or kept by
 * --survive; either way they may have reached a real medium, so they
 * join the image (fs_crash_image_late): a page not in it with old = its
 * content now (unchanged since the last FSYNC), new = that plus the
 * WRITE's bytes; a logged page's new gets the bytes too. From the
 * capture (step 2) to the close (step 4, sorted) the image is open; a
 * WRITE before step 2 makes its page join early, and the capture then
 * gives it the log's old content.
 *
 * Memory: two pages (old and new) per image page, in the daemon's heap.
 * An image of more than fs_crash_image_max() pages (256 MiB of image by
 * default, never more than an eighth of the machine's memory: a baseline
 * may take half) is dropped, at the capture or when a WRITE while
 * crashed would make it grow beyond, logged once; the power failure
 * completes as a plain one, and a crash-state request for that crash
 * point says so (crash-test counts the point with its plain revert).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ns/error.h"

#include "fs/crash_order.h"
#include "fs/fault.h"
#include "fs/fs.h"
#include "fs/log.h"


/* ---- the image ---- */

/* the default bound: 256 MiB of image (old and new: 8 KiB a page) */
#define FS_IMAGE_DEFAULT ((size_t)(256u << 20) / (2 * FS_PAGE))

static size_t image_max;
static pthread_once_t image_max_once = PTHREAD_ONCE_INIT;

static void image_max_init(void)
{
	uint64_t share = fs_mem_share(8, 2 * FS_PAGE);

	image_max = share < FS_IMAGE_DEFAULT ? (size_t)share : FS_IMAGE_DEFAULT;
	image_max = fs_test_lower_bound("PMEMFS_TEST_CRASH_IMAGE_PAGES", image_max,
					"crash images");
}

size_t fs_crash_image_max(void)
{
	pthread_once(&image_max_once, image_max_init);
	return image_max;
}

/* n pages, page-aligned (O_DIRECT reads and writes of the region), or NULL */
static uint8_t *pages_alloc(size_t n)
{
	void *p;

	return posix_memalign(&p, FS_PAGE, (n ? n : 1) * FS_PAGE) ? NULL : p;
}

/*
 * The image while it is taken (crashed): slot[] finds a page's index
 * (open addressing, nslot a power of two, twice cap).
 */
static size_t slot_of(const struct fs_crash_image *img, uint64_t p)
{
	size_t m = img->nslot - 1, i = (size_t)fs_crash_mix(p) & m;

	while (img->slot[i] && img->page[img->slot[i] - 1] != p)
		i = (i + 1) & m;
	return i;
}

/* room for want pages: 0 or -ENOMEM (the image unchanged) */
static int image_reserve(struct fs_crash_image *img, size_t want)
{
	size_t cap = img->cap ? img->cap : 64, k, *sl;
	uint8_t *o, *nw;
	uint64_t *pg;

	if (want <= img->cap && img->slot)
		return 0;
	if (want > fs_crash_image_max())
		return -E2BIG;
	while (cap < want)
		cap *= 2;
	if (cap > fs_crash_image_max())
		cap = fs_crash_image_max();
	pg = realloc(img->page, cap * sizeof(*pg));
	if (!pg)
		return -ENOMEM;
	img->page = pg;
	o = pages_alloc(cap);
	nw = pages_alloc(cap);
	sl = calloc(2 * cap, sizeof(*sl));
	if (!o || !nw || !sl) {
		free(o);
		free(nw);
		free(sl);
		return -ENOMEM;
	}
	if (img->n) {
		memcpy(o, img->old, img->n * FS_PAGE);
		memcpy(nw, img->new, img->n * FS_PAGE);
	}
	free(img->old);
	free(img->new);
	free(img->slot);
	img->old = o;
	img->new = nw;
	img->slot = sl;
	img->nslot = 2 * cap;
	img->cap = cap;
	for (k = 0; k < img->n; k++)
		img->slot[slot_of(img, img->page[k])] = k + 1;
	return 0;
}

/*
 * The index of page p in the image (img->lock held, or f->rw exclusive);
 * a page not in it yet joins with old = new = its content in the region
 * now. 0 or -errno.
 */
static int image_page(struct fs_crash_image *img, struct fs_ns *n, uint64_t p, size_t *k)
{
	size_t i;
	int rc;

	if (img->dropped)
		return -E2BIG;
	if (img->slot && img->slot[i = slot_of(img, p)]) {
		*k = img->slot[i] - 1;
		return 0;
	}
	if ((rc = image_reserve(img, img->n + 1)) != 0)
		return rc;
	*k = img->n;
	rc = n->rops->read_page(n, img->old + *k * FS_PAGE, p);
	if (rc)
		return rc;
	memcpy(img->new + *k * FS_PAGE, img->old + *k * FS_PAGE, FS_PAGE);
	img->page[*k] = p;
	img->slot[slot_of(img, p)] = *k + 1;
	img->n++;
	return 0;
}

struct capture {
	struct fs_crash_image *img;
	struct fs_ns *n;
	int rc;
};

/*
 * A logged page: old = the log's copy; new = the region's content now
 * (at the crash, read by image_page), or, when WRITEs that arrived
 * crashed before step 2 made it join already, what they left
 */
static void capture_one(void *arg, uint64_t p, const void *buf)
{
	struct capture *c = arg;
	size_t k;

	if (c->rc == 0 && (c->rc = image_page(c->img, c->n, p, &k)) == 0)
		memcpy(c->img->old + k * FS_PAGE, buf, FS_PAGE);
}

/* sort the image by page number (insertion into index order) */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void image_sort(struct fs_crash_image *img)
{
	uint64_t *key = malloc(img->n * 2 * sizeof(*key));
	uint8_t *o2, *n2;
	size_t k;

	if (img->n < 2 || !key) {
		free(key);
		return;
	}
	for (k = 0; k < img->n; k++) {
		key[2 * k] = img->page[k];
		key[2 * k + 1] = k;
	}
	qsort(key, img->n, 2 * sizeof(*key), cmp_u64);
	o2 = pages_alloc(img->n);
	n2 = pages_alloc(img->n);
	if (o2 && n2) {
		for (k = 0; k < img->n; k++) {
			size_t from = (size_t)key[2 * k + 1];

			img->page[k] = key[2 * k];
			memcpy(o2 + k * FS_PAGE, img->old + from * FS_PAGE, FS_PAGE);
			memcpy(n2 + k * FS_PAGE, img->new + from * FS_PAGE, FS_PAGE);
		}
		free(img->old);
		free(img->new);
		img->old = o2;
		img->new = n2;
		img->cap = img->n;
	} else {
		free(o2);
		free(n2);
	}
	free(key);
}

/* the image's pages freed (what it holds, not the pin log) */
static void image_free(struct fs_crash_image *img)
{
	free(img->page);
	free(img->old);
	free(img->new);
	free(img->slot);
	img->page = NULL;
	img->old = img->new = NULL;
	img->slot = NULL;
	img->n = img->cap = img->nslot = 0;
}

/* over the bound with need pages: freed, said once (the power failure goes on plain) */
static void image_drop(struct fs_crash_image *img, struct fs_ns *n, size_t need)
{
	image_free(img);
	img->dropped = true;
	img->need = need;
	fs_warn("%s: its crash image needs more than %zu pages (%zu KiB of memory), its "
		"bound: dropped; this crash point is checked with its plain revert only",
		n->devname, fs_crash_image_max(), fs_crash_image_max() * 2 * FS_PAGE >> 10);
}

void fs_crash_image_release(struct fs_fault *f)
{
	struct fs_crash_image *img = &f->img;

	img->dropped = false;
	img->need = 0;
	if (img->held)
		fs_undo_stop(&img->pin);
	image_free(img);
	img->nlate = 0;
	img->held = img->open = false;
}

void fs_crash_image_capture(struct fs_fault *f, struct fs_ns *n)
{
	struct fs_crash_image *img = &f->img;
	size_t cnt = fs_undo_count(&f->undo);
	struct capture c = { img, n, 0 };

	if (img->held)
		fs_crash_image_release(f);	/* (step 1 or the arming dropped it) */
	if (img->dropped)
		return;		/* WRITEs that arrived crashed took it over its bound */
	/* img->n: pages WRITEs that arrived crashed made join already */
	if (img->n + cnt > fs_crash_image_max()) {
		image_drop(img, n, img->n + cnt);
		return;
	}
	if (image_reserve(img, img->n + cnt) < 0 ||
	    fs_undo_start(&img->pin, n->size / FS_PAGE) < 0) {
		fs_err("%s: out of memory for a crash image of %zu pages", n->devname,
		       img->n + cnt);
		fs_crash_image_release(f);
		return;
	}
	img->held = true;	/* the pin log started */
	fs_undo_each(&f->undo, capture_one, &c);
	if (c.rc) {
		fs_err("%s: cannot read a page for the crash image: %s", n->devname,
		       strerror(-c.rc));
		fs_crash_image_release(f);
		return;
	}
	img->open = true;	/* WRITEs arriving crashed join until step 4 */
}

void fs_crash_image_close(struct fs_fault *f, struct fs_ns *n)
{
	struct fs_crash_image *img = &f->img;

	if (!img->open) {
		if (!img->held)
			image_free(img);	/* pages of a capture that never came */
		return;
	}
	img->open = false;
	if (img->dropped) {	/* WRITEs while crashed took it over its bound */
		fs_undo_stop(&img->pin);
		img->held = false;
		image_free(img);
		return;
	}
	free(img->slot);
	img->slot = NULL;
	img->nslot = 0;
	image_sort(img);
	fs_info("%s: crash image of %zu page%s kept (%zu written while crashed)", n->devname,
		img->n, img->n == 1 ? "" : "s", img->nlate);
}

void fs_crash_image_late(struct fs_fault *f, struct fs_ns *n, const void *buf, size_t len,
			 uint64_t off)
{
	struct fs_crash_image *img = &f->img;
	const uint8_t *b = buf;
	uint64_t end = off + len;

	pthread_mutex_lock(&img->lock);
	while (off < end) {
		uint64_t p = off / FS_PAGE, e = (p + 1) * FS_PAGE;
		size_t k, had = img->n;
		int rc;

		if (e > end)
			e = end;
		rc = image_page(img, n, p, &k);
		if (rc == -E2BIG && !img->dropped)
			image_drop(img, n, img->n + 1);
		if (rc == -E2BIG)
			break;	/* dropped: nothing more joins it */
		if (rc)
			fs_warn("%s: page %" PRIu64 ", written while crashed, is not in the "
				"crash image: %s", n->devname, p, strerror(-rc));
		else
			memcpy(img->new + k * FS_PAGE + off % FS_PAGE, b, (size_t)(e - off));
		img->nlate += img->n > had;
		b += e - off;
		off = e;
	}
	pthread_mutex_unlock(&img->lock);
}

/* ---- applying a state ---- */

static int put_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;

	return fs_baseline_put_page(fs_ns_fault(n), n, buf, p);
}

/* (its own clock: fault.c calls this file, never the other way) */
static bool handles_gone(struct fs_ns *n, unsigned ms)
{
	struct timespec ts = { 0, 2000000 };
	unsigned waited = 0;

	while (fs_ns_handles(n) > 0) {
		if (waited >= ms)
			return false;
		nanosleep(&ts, NULL);
		waited += 2;
	}
	return true;
}

/* f->rw exclusive, the files held: the pages of the state; 0 or -errno */
static int write_state(struct fs_fault *f, struct fs_ns *n, const struct fs_state_opts *o,
		       bool enumerated, struct fs_state_result *res)
{
	struct fs_crash_image *img = &f->img;
	uint64_t mask = enumerated ? fs_crash_state_mask((unsigned)img->n, o->state) : 0;
	uint64_t reverted, kept, id = enumerated ? mask : fs_crash_mix(o->seed);
	uint8_t *buf = NULL;
	int rc, w;
	size_t k;

	/* what the checker changed since the last state */
	rc = fs_undo_revert(&img->pin, 0, 0, put_page, n, &reverted, &kept);
	fs_undo_drop(&img->pin);
	if (!enumerated && posix_memalign((void **)&buf, FS_PAGE, FS_PAGE))
		return -ENOMEM;
	for (k = 0; k < img->n; k++) {
		unsigned sectors = 0, s;
		int how = enumerated ? ((mask >> k) & 1 ? FS_PICK_NEW : FS_PICK_OLD) :
			  fs_crash_pick(o->seed, o->state, o->torn_ppm, k, &sectors);
		const uint8_t *src = img->old + k * FS_PAGE;

		if (how == FS_PICK_NEW) {
			src = img->new + k * FS_PAGE;
			res->pages_new++;
		} else if (how == FS_PICK_TORN) {
			memcpy(buf, src, FS_PAGE);
			for (s = 0; s < FS_PAGE / FS_SECTOR; s++)
				if (sectors & (1u << s))
					memcpy(buf + s * FS_SECTOR,
					       img->new + k * FS_PAGE + s * FS_SECTOR, FS_SECTOR);
			src = buf;
			res->pages_torn++;
		}
		if (!enumerated && how != FS_PICK_OLD)
			id = fs_crash_mix(id ^ (img->page[k] * 1024 + (uint64_t)how * 256 + sectors));
		w = put_page(n, (void *)src, img->page[k]);
		if (w < 0 && rc == 0)
			rc = w;
	}
	free(buf);
	w = n->rops->sync(n, NULL, NULL);
	if (w && rc == 0)
		rc = w;
	fs_undo_drop(&f->undo);	/* the state is the new baseline */
	res->state_id = id;
	return rc;
}

int fs_crash_state_apply(struct fs_daemon *d, struct fs_inode *file,
			 const struct fs_state_opts *o, struct fs_state_result *res)
{
	struct fs_ns *n = file->ns;
	struct fs_fault *f = fs_ns_fault(n);
	bool enumerated;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!f)
		return ns_err(-EOPNOTSUPP, "crash testing is not enabled on '%s'", file->name);
	pthread_mutex_lock(&f->revert_lock);
	pthread_rwlock_wrlock(&f->rw);
	if (f->enabled && !f->img.held && f->img.dropped && !o->release) {
		size_t m = fs_crash_image_max();

		rc = ns_err(-E2BIG, "the crash image of '%s' exceeded its bound (%zu pages of "
			    "at most %zu, %zu KiB of memory): only the plain revert was checked "
			    "at this crash point", file->name, f->img.need, m,
			    m * 2 * FS_PAGE >> 10);
	} else if (!f->enabled || !f->img.held) {
		if (o->release && f->enabled)
			f->img.dropped = false;
		rc = ns_err(f->enabled ? -ENOENT : -EOPNOTSUPP,
			    f->enabled ? "'%s' holds no crash image: a power failure with "
			    "--image (or crash-test --states) keeps one" :
			    "crash testing is not enabled on '%s'", file->name);
		if (o->release && f->enabled)
			rc = 0;	/* nothing to drop */
	} else if (o->release) {
		fs_crash_image_release(f);
		fs_info("%s: crash image dropped", n->devname);
	}
	res->image_pages = f->img.n;
	enumerated = (res->states = fs_crash_states(f->img.n, o->max_subset, o->torn_ppm)) != 0;
	if (!rc && !o->release && enumerated && o->state >= res->states)
		rc = ns_err(-EINVAL, "state %" PRIu64 " of '%s' does not exist: its crash image "
			    "of %zu page%s has %" PRIu64 " states (0 to %" PRIu64 ")", o->state,
			    file->name, f->img.n, f->img.n == 1 ? "" : "s", res->states,
			    res->states - 1);
	pthread_rwlock_unlock(&f->rw);
	if (rc || o->release)
		goto out;
	if (!o->force && !handles_gone(n, o->wait_ms ? o->wait_ms : 1000)) {
		unsigned h = fs_ns_handles(n);

		rc = ns_err(-EBUSY, "'%s' is still open (%u handle%s or mapping%s, e.g. a "
			    "process the checker left running): a crash state is put on a "
			    "namespace nobody holds", file->name, h, h == 1 ? "" : "s",
			    h == 1 ? "" : "s");
		goto out;
	}
	if ((rc = fs_ns_io_get(n)) != 0) {
		rc = ns_err(-EIO, "'%s': its namespace file changed behind pmemfs", file->name);
		goto out;
	}
	pthread_rwlock_wrlock(&f->rw);
	fs_crash_mark_locked(f, 0, f->seed);
	rc = write_state(f, n, o, enumerated, res);
	pthread_rwlock_unlock(&f->rw);
	if (rc)
		fs_ns_set_error(n, -rc, "writing a crash state");
	fs_crash_forget(d, file, "a crash state");
	pthread_rwlock_wrlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	fs_crash_clear_locked(f);
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
	fs_ns_io_put(n);
	if (rc)
		rc = ns_err(-EIO, "'%s': writing crash state %" PRIu64 " failed: %s",
			    file->name, o->state, strerror(-rc));
	else
		fs_debug("%s: crash state %" PRIu64 ": %" PRIu64 " new, %" PRIu64 " torn of %"
			 PRIu64, n->devname, o->state, res->pages_new, res->pages_torn,
			 res->image_pages);
out:
	pthread_mutex_unlock(&f->revert_lock);
	return rc;
}
