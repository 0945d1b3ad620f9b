/* SPDX-License-Identifier: MIT */
/*
 * A region directory's namespace-file descriptors on demand
 * (src/fs/region_dir_fd.c, reached through fs_region_dir_ops as the
 * daemon reaches it) on real files in a temporary directory: none open
 * while a namespace is only served; opened at its first get and kept
 * while pinned; unpinned, at most 64 namespaces (RDIR_IDLE_MAX) keep
 * theirs, the least recently used closed first, a pinned one never; what
 * was written through a descriptor is fdatasynced before it is closed
 * (a failure there is the namespace's sticky error); a file replaced
 * behind the daemon is never served (EIO for good), whether its
 * descriptors were closed or still open, and its neighbours go on; at
 * the open-file limit a get fails with ENFILE (logged once), not the
 * namespace, and an idle namespace's descriptors are closed to make room;
 * one going idle while the get waits at the limit is taken.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/nsfile.h"
#include "fs/region_dir.h"
#include "fs/region_ops.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
/* region_dir_fd.c's RDIR_IDLE_MAX: idle namespaces that keep descriptors */
#define IDLE_MAX 64
#define NNS (IDLE_MAX + 6)
#define NS_SIZE (64 * KiB)

static char tmpdir[256];
static char rdir[512];
static struct ns_region *region;
static struct ns_namespace *core[NNS];
static struct fs_rio *rio;
static struct fs_ns ns[NNS];

/* ---- what the code under test logs and syncs (-Wl,--wrap) ---- */

static char logged[16384];

void __wrap_fs_log(int prio, const char *fmt, ...);
void __wrap_fs_log(int prio, const char *fmt, ...)
{
	size_t n = strlen(logged);
	va_list ap;

	(void)prio;
	if (n + 2 >= sizeof(logged))
		return;
	va_start(ap, fmt);
	vsnprintf(logged + n, sizeof(logged) - n - 1, fmt, ap);
	va_end(ap);
	strcat(logged, "\n");
}

/* the inodes of the descriptors fdatasync was called on (open ones only) */
static ino_t synced[1024];
static unsigned nsynced;
static ino_t sync_fail_ino;	/* its fdatasync fails with EIO */

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_fdatasync(int fd)
{
	struct stat st;

	/* a descriptor already closed is not counted: the sync must come first */
	if (fstat(fd, &st) == 0) {
		if (nsynced < sizeof(synced) / sizeof(synced[0]))
			synced[nsynced++] = st.st_ino;
		if (sync_fail_ino && st.st_ino == sync_fail_ino) {
			errno = EIO;
			return -1;
		}
	}
	return __real_fdatasync(fd);
}

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

/* ---- the namespaces' files ---- */

static const char *file_path(int i)
{
	static char buf[4][600];
	static int k;
	char name[64];

	k = (k + 1) % 4;
	ns_region_ns_file_name(core[i], name, sizeof(name));
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", rdir, name);
	return buf[k];
}

static ino_t file_ino(int i)
{
	struct stat st;

	assert_int_equal(stat(file_path(i), &st), 0);
	return st.st_ino;
}

/* descriptors of this process open on inode ino of the region directory's fs */
static int fds_on(ino_t ino)
{
	struct stat dst;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_int_equal(stat(rdir, &dst), 0);
	assert_non_null(d);
	while ((e = readdir(d))) {
		char p[300];
		struct stat st;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		if (stat(p, &st) == 0 && st.st_dev == dst.st_dev && st.st_ino == ino)
			n++;
	}
	closedir(d);
	return n;
}

static int fds_of(int i)
{
	return fds_on(file_ino(i));
}

static unsigned synced_on(ino_t ino)
{
	unsigned i, n = 0;

	for (i = 0; i < nsynced; i++)
		n += synced[i] == ino;
	return n;
}

/* the daemon's view: i's descriptors are open */
static bool is_open(int i)
{
	return ((struct rdir_ns *)ns[i].rns)->fd >= 0;
}

static unsigned open_count(void)
{
	unsigned n = 0;

	for (int i = 0; i < NNS; i++)
		n += is_open(i);
	return n;
}

static int get(int i)
{
	return fs_ns_io_get(&ns[i]);
}

static void put(int i)
{
	fs_ns_io_put(&ns[i]);
}

static void use(int i)
{
	assert_int_equal(get(i), 0);
	put(i);
}

/* i's file replaced behind the daemon: another file of its size and name */
static ino_t replace(int i)
{
	char tmp[600];
	struct stat st;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/replacement", rdir);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(posix_fallocate(fd, 0, NS_SIZE), 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	assert_int_equal(rename(tmp, file_path(i)), 0);
	return st.st_ino;
}

/* ---- fixture: one region directory for all; served anew for each test ---- */

static int group_setup(void **state)
{
	const char *t = getenv("TMPDIR");
	struct ns_region_create_opts c = { .size = 8 * MiB, .dir = true };

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/pmemfs-test-rdirfd-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(rdir, sizeof(rdir), "%s/rdir", tmpdir);
	if (ns_region_create(rdir, &c, NULL, &region) < 0) {
		print_error("region: %s\n", ns_errormsg());
		return -1;
	}
	for (int i = 0; i < NNS; i++) {
		char name[16];
		struct ns_namespace_create_opts o = {
			.size = NS_SIZE, .align = 4 * KiB, .name = name,
		};

		snprintf(name, sizeof(name), "ns%d", i);
		if (ns_namespace_create(region, &o, &core[i]) < 0) {
			print_error("namespace %d: %s\n", i, ns_errormsg());
			return -1;
		}
	}
	return fs_region_dir_ops.open(region, FS_BACKING_AUTO, &rio);
}

static int group_teardown(void **state)
{
	char cmd[600];

	(void)state;
	fs_region_dir_ops.close(rio);
	ns_region_close(&region);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	logged[0] = '\0';
	nsynced = 0;
	sync_fail_ino = 0;
	for (int i = 0; i < NNS; i++)
		if (fs_ns_init(&ns[i], core[i], &fs_region_dir_ops, rio) < 0)
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NNS; i++)
		fs_ns_fini(&ns[i]);
	/* every descriptor of a namespace file closed with it */
	for (int i = 0; i < NNS; i++)
		if (fds_of(i) != 0)
			return -1;
	return 0;
}

/* ---- tests ---- */

/* served: no descriptor; the first get opens, pins keep, put leaves them idle */
static void test_on_demand(void **state)
{
	int n;

	(void)state;
	for (int i = 0; i < NNS; i++) {
		assert_false(is_open(i));
		assert_int_equal(fds_of(i), 0);
	}
	assert_int_equal(get(0), 0);
	assert_true(is_open(0));
	/* buffered, and O_DIRECT where the file system has it */
	n = fds_of(0);
	assert_true(n == 1 || n == 2);
	/* a second pin: the same descriptors */
	assert_int_equal(get(0), 0);
	assert_int_equal(fds_of(0), n);
	put(0);
	put(0);
	/* unpinned: idle, still open (the next open costs no syscall) */
	assert_true(is_open(0));
	assert_int_equal(fds_of(0), n);
	for (int i = 1; i < NNS; i++)
		assert_int_equal(fds_of(i), 0);
	assert_int_equal(nsynced, 0);
}

/* at most IDLE_MAX idle namespaces keep descriptors, least recently used closed */
static void test_lru(void **state)
{
	int i;

	(void)state;
	for (i = 0; i <= IDLE_MAX; i++)
		use(i);
	/* 65 used, 64 kept: the first, the least recently used, closed */
	assert_false(is_open(0));
	assert_int_equal(fds_of(0), 0);
	for (i = 1; i <= IDLE_MAX; i++)
		assert_true(is_open(i));
	/* 1 used again: 2 is now the least recently used */
	use(1);
	use(IDLE_MAX + 1);
	assert_true(is_open(1));
	assert_false(is_open(2));
	assert_int_equal(fds_of(2), 0);
	assert_true(is_open(IDLE_MAX + 1));
	assert_int_equal(open_count(), IDLE_MAX);
	/* pinned, never closed, however many others come and go */
	assert_int_equal(get(3), 0);
	for (i = 4; i < NNS; i++)
		use(i);
	for (i = 0; i < 3; i++)
		use(i);
	assert_true(is_open(3));
	assert_int_equal(open_count(), IDLE_MAX + 1);
	put(3);
	assert_int_equal(open_count(), IDLE_MAX);
	assert_true(is_open(3));
	/* nothing was written: nothing to sync at close */
	assert_int_equal(nsynced, 0);
}

/* written through: fdatasynced before it is closed; its failure is sticky */
static void test_sync_before_close(void **state)
{
	char buf[4096], back[4096];
	ino_t w = file_ino(0), r = file_ino(1), bad = file_ino(NNS - 1);
	int fd, i;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(get(0), 0);
	assert_int_equal(ns[0].rops->write(&ns[0], buf, sizeof(buf), 8192, true), 0);
	put(0);
	use(1);
	assert_int_equal(synced_on(w), 0);	/* idle: not yet */
	for (i = 2; i < 2 + IDLE_MAX; i++)
		use(i);
	assert_false(is_open(0));
	assert_false(is_open(1));
	/* once, on a descriptor still open; none where nothing was written */
	assert_int_equal(synced_on(w), 1);
	assert_int_equal(synced_on(r), 0);
	assert_int_equal(fs_ns_error(&ns[0]), 0);
	fd = open(file_path(0), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, back, sizeof(back), 8192), (ssize_t)sizeof(back));
	close(fd);
	assert_memory_equal(back, buf, sizeof(buf));

	/* the fdatasync at close fails: the namespace's sticky error, logged */
	sync_fail_ino = bad;
	assert_int_equal(get(NNS - 1), 0);
	assert_int_equal(ns[NNS - 1].rops->write(&ns[NNS - 1], buf, sizeof(buf), 0, true), 0);
	put(NNS - 1);
	for (i = 0; i < IDLE_MAX; i++)
		use(i);
	assert_false(is_open(NNS - 1));
	assert_int_equal(synced_on(bad), 1);
	assert_int_equal(fs_ns_error(&ns[NNS - 1]), EIO);
	assert_non_null(strstr(logged, "fdatasync of the namespace file before closing it"));
	for (i = 0; i < NNS - 1; i++)
		assert_int_equal(fs_ns_error(&ns[i]), 0);
}

/* a file replaced behind the daemon: never served, closed or open */
static void test_identity(void **state)
{
	ino_t other;

	(void)state;
	/* closed since ns_open (which recorded the file): its first get */
	other = replace(5);
	assert_int_equal(get(5), -EIO);
	assert_false(is_open(5));
	assert_int_equal(fds_on(other), 0);
	assert_int_equal(fs_ns_error(&ns[5]), EIO);
	assert_int_equal(count(logged, "not the one it served"), 1);
	/* for good: not opened again, not logged again */
	assert_int_equal(get(5), -EIO);
	assert_int_equal(fds_on(other), 0);
	assert_int_equal(count(logged, "not the one it served"), 1);

	/* idle, its descriptors still open: the next get checks the name */
	use(6);
	assert_true(is_open(6));
	other = replace(6);
	assert_int_equal(get(6), -EIO);
	assert_int_equal(fds_on(other), 0);
	assert_int_equal(fs_ns_error(&ns[6]), EIO);
	assert_int_equal(get(6), -EIO);

	/* the neighbours go on */
	use(4);
	use(7);
	assert_int_equal(fs_ns_error(&ns[4]), 0);
	assert_int_equal(fs_ns_error(&ns[7]), 0);
}

/*
 * The open-file limit lowered to the descriptors open now plus 8, the
 * table then filled but for 5 (its holes too): false when the limit
 * cannot be lowered (valgrind keeps it for itself: EPERM).
 */
static bool limit_fill(struct rlimit *old, int *fill, int *nfill)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct rlimit rl;
	int maxfd = 0, i;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) > maxfd)
			maxfd = atoi(e->d_name);
	closedir(d);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, old), 0);
	rl = *old;
	rl.rlim_cur = (rlim_t)maxfd + 8;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		print_message("note: cannot lower the open-file limit (%s): skipped\n",
			      strerror(errno));
		return false;
	}
	*nfill = 0;
	while (*nfill < 1024 && (fill[*nfill] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		(*nfill)++;
	assert_int_equal(errno, EMFILE);
	assert_true(*nfill >= 5);
	for (i = 0; i < 5; i++)
		close(fill[--*nfill]);
	return true;
}

static void limit_restore(const struct rlimit *old, int *fill, int nfill)
{
	assert_int_equal(setrlimit(RLIMIT_NOFILE, old), 0);
	while (nfill > 0)
		close(fill[--nfill]);
}

/* namespaces pinned from 0 on until one meets the limit: how many */
static int pin_to_limit(void)
{
	int pinned = 0, rc = 0, i;

	for (i = 0; i < NNS; i++) {
		rc = get(i);
		if (rc)
			break;
		pinned++;
	}
	assert_int_equal(rc, -ENFILE);
	assert_true(pinned >= 1 && pinned + 1 < NNS);
	return pinned;
}

/* the open-file limit: ENFILE, logged once; an idle namespace makes room */
static void test_enfile(void **state)
{
	struct rlimit old;
	int pinned, i, fill[1024], nfill;

	(void)state;
	if (!limit_fill(&old, fill, &nfill))
		skip();
	pinned = pin_to_limit();
	assert_false(is_open(pinned));
	/* the daemon's limit, not the namespace's failure */
	assert_int_equal(fs_ns_error(&ns[pinned]), 0);
	assert_int_equal(get(pinned + 1), -ENFILE);
	assert_int_equal(count(logged, "cannot open its namespace file"), 1);
	assert_non_null(strstr(logged, "open-file limit is"));
	/* one unpinned: its descriptors are closed for the next open */
	put(0);
	assert_int_equal(get(pinned), 0);
	assert_false(is_open(0));
	assert_true(is_open(pinned));
	assert_non_null(strstr(logged, "namespace files open again (2 opens were refused"));
	limit_restore(&old, fill, nfill);
	for (i = 1; i <= pinned; i++)
		put(i);
	for (i = 0; i < NNS; i++)
		assert_int_equal(fs_ns_error(&ns[i]), 0);
}

static void *put_soon(void *arg)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	put(*(int *)arg);
	return NULL;
}

/*
 * At the limit with nothing idle, while namespaces are still being
 * closed (the kernel's RELEASEs come in the background, behind later
 * OPENs): the open waits for the next one and takes its descriptors,
 * instead of failing with ENFILE a moment too soon.
 */
static void test_enfile_wait(void **state)
{
	struct rlimit old;
	int pinned, i, rc, zero = 0, fill[1024], nfill;
	pthread_t t;

	(void)state;
	if (!limit_fill(&old, fill, &nfill))
		skip();
	pinned = pin_to_limit();
	/* namespaces are going idle again (this one is taken back at once) */
	put(1);
	assert_int_equal(get(1), 0);
	/* the next goes idle 2 ms into the open, which finds none idle */
	assert_int_equal(pthread_create(&t, NULL, put_soon, &zero), 0);
	rc = get(pinned);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(rc, 0);
	assert_false(is_open(0));
	assert_true(is_open(pinned));
	limit_restore(&old, fill, nfill);
	for (i = 1; i <= pinned; i++)
		put(i);
	for (i = 0; i < NNS; i++)
		assert_int_equal(fs_ns_error(&ns[i]), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_on_demand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lru, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_before_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enfile_wait, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
