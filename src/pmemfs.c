// SPDX-License-Identifier: MIT
/*
 * pmemfs: serve the namespaces of region files as fixed-size files that
 * can be mmap'ed, with fsync/msync meaning "durable on the backing medium".
 *
 *   pmemfs [options] REGION_FILE... MOUNTPOINT
 *
 * main: parse options, open (and lock) the regions, mount, daemonise,
 * start the control socket, run the FUSE loop; on SIGTERM/SIGINT/SIGHUP a
 * helper thread writes the mount's dirty pages back (syncfs) while the
 * loop still serves, then the loop stops, the control socket closes,
 * every namespace is persisted and the locks are released.
 *
 * Daemonising: the parent process exits (0) only once the child serves the
 * mount and its control socket, so that `pmemfs r.img /mnt && pmemctl
 * create-namespace ...` works; the child's failure before that is the
 * parent's exit status 1.
 *
 * The parts are in src/daemon/ (docs/architecture.md): options.c,
 * mountpoint.c, regions.c, startup.c, serve.c; this file wires them.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ns/region.h"

#include "fs/bdi.h"
#include "fs/fs.h"
#include "fs/log.h"
#include "fs/loop.h"

#include "daemon/mountpoint.h"
#include "daemon/options.h"
#include "daemon/regions.h"
#include "daemon/serve.h"
#include "daemon/startup.h"

#define PMEMFS_FSTYPE "fuse.pmemfs"

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct pmemfs_opts o = { 0 };
	struct fs_config cfg = { 0 };
	struct fs_bdi_opts bdi;
	struct fs_daemon d;
	struct pmemfs_run run;
	struct fs_loop_plan plan;
	struct ns_region **regions = NULL;
	char mountpoint[PATH_MAX], why[160];
	char *mount_opts = NULL;
	gid_t ctl_group = (gid_t)-1;
	uint64_t label_size = 0;
	unsigned nregions;
	int ret = 1, rc;

	pmemfs_run_init(&run);
	fs_log_init(false, false);
	if (pmemfs_opts_parse(&args, &o) < 0)
		goto out_args;
	if (o.help) {
		pmemfs_usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	if (o.version) {
		printf("pmemfs %s (libfuse %s)\n", PMEMFS_VERSION, fuse_pkgversion());
		ret = 0;
		goto out_args;
	}
	fs_log_init(false, o.debug);
	if (o.npaths < 2) {
		fprintf(stderr, "usage: %s [options] REGION_FILE... MOUNTPOINT "
			"(--help lists the options)\n", argv[0]);
		goto out_args;
	}
	nregions = o.npaths - 1;

	if (pmemfs_opts_check(&o, &cfg, &bdi, &label_size, &ctl_group) < 0 ||
	    pmemfs_mountpoint_check(o.paths[nregions], mountpoint) < 0 ||
	    (o.val[V_LOGFILE] && pmemfs_logfile_open(o.val[V_LOGFILE]) < 0))
		goto out_args;
	/* what can be known before mounting: the kernel's offer comes with INIT */
	if (cfg.passthrough == FS_PT_ON && !fs_pt_privileged(why, sizeof(why))) {
		fs_err("-o passthrough=on: FUSE passthrough is not available: %s", why);
		goto out_args;
	}

	pmemfs_raise_nofile();
	regions = calloc(nregions, sizeof(*regions));
	if (!regions)
		goto out_args;
	if (pmemfs_open_regions(&o, nregions, label_size, regions) < 0)
		goto out_regions;
	/* the receive loop's pipes bound the largest WRITE (INIT reply) */
	fs_loop_plan(cfg.splice, &plan);
	cfg.max_write = plan.max_write;
	rc = fs_daemon_init(&d, &cfg, regions, nregions);	/* owns regions */
	if (rc < 0) {
		fs_err("cannot set up the namespaces: %s", strerror(-rc));
		goto out_regions;
	}
	d.mountpoint = mountpoint;

	if (pmemfs_mount_opts(&o, &mount_opts) < 0)
		goto out_daemon;
	if (fuse_opt_add_arg(&args, "-o") < 0 || fuse_opt_add_arg(&args, mount_opts) < 0)
		goto out_daemon;

	d.se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &d);
	if (!d.se)
		goto out_daemon;
	if (fuse_session_mount(d.se, mountpoint) != 0)
		goto out_session;
	if (fs_pt_install(&d.pt, d.se) < 0)
		goto out_unmount;
	if (!o.foreground) {
		rc = pmemfs_detach(&run.ready);
		if (rc < 0) {
			fs_err("cannot fork into the background: %s", strerror(-rc));
			goto out_unmount;
		}
		fs_daemon_health_moved(&d);	/* the mark names this process */
	}
	/* the device number names the socket and the bdi; never stat the mount */
	if (fs_bdi_find(mountpoint, PMEMFS_FSTYPE, &d.dev_major, &d.dev_minor) == 0)
		__atomic_store_n(&d.dev_known, true, __ATOMIC_RELEASE);

	run.d = &d;
	run.loop_thread = pthread_self();
	run.bdi = bdi;
	run.foreground = o.foreground;
	run.debug = o.debug;
	if (pmemfs_serve_start(&run, &o, ctl_group, &plan) < 0)
		goto out_unmount;
	rc = pmemfs_serve(&run, &o, &plan);
	ret = rc < 0 ? 1 : 0;
	rc = fs_daemon_persist_all(&d);
	if (rc < 0) {
		fs_err("persisting the namespaces at exit failed: %s", strerror(-rc));
		d.unclean = true;	/* a dirty shutdown (health.h) */
		ret = 1;
	}
out_unmount:
	fs_ctl_stop(&d);
	pmemfs_startup_failed(&run);
	fuse_session_unmount(d.se);
out_session:
	fs_pt_detach(&d.pt);	/* the device closes: no BACKING_CLOSE after */
	fuse_session_destroy(d.se);
out_daemon:
	fs_daemon_fini(&d);	/* closes the regions: the locks go */
	fs_info("exiting");
out_regions:
	free(regions);
out_args:
	free(mount_opts);
	pmemfs_opts_free(&o);
	fuse_opt_free_args(&args);
	return ret;
}
