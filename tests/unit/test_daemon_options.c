/* SPDX-License-Identifier: MIT */
/*
 * pmemfs's options (src/daemon/options.c, linked alone): what each
 * command line parses into, the defaults, the last value winning, each
 * bad value refused with its message (stderr, as in the foreground), what
 * stays for libfuse, and the mount options added.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/log.h"
#include "daemon/options.h"

#define MAXARGS 16

struct parsed {
	struct fuse_args args;
	struct pmemfs_opts o;
	struct fs_config cfg;
	struct fs_bdi_opts bdi;
	uint64_t label_size;
	gid_t group;
	int parse_rc, check_rc;
	char err[1024];		/* what was logged */
};

static FILE *errf;		/* stderr, captured while parsing */
static int saved_err = -1;	/* the real stderr, for cmocka's messages */

static int setup(void **state)
{
	(void)state;
	fs_log_init(false, false);
	errf = tmpfile();
	saved_err = dup(STDERR_FILENO);
	return errf && saved_err >= 0 ? 0 : -1;
}

/* parse and check "pmemfs" + the NULL-terminated words */
static void parse(struct parsed *p, ...)
{
	char *argv[MAXARGS + 2];
	const char *w;
	va_list ap;
	int argc = 0;
	size_t n;

	memset(p, 0, sizeof(*p));
	argv[argc++] = (char *)"pmemfs";
	va_start(ap, p);
	while ((w = va_arg(ap, const char *)) != NULL && argc <= MAXARGS)
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	assert_int_equal(ftruncate(fileno(errf), 0), 0);
	rewind(errf);
	fflush(stderr);
	assert_true(dup2(fileno(errf), STDERR_FILENO) >= 0);
	p->args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	p->parse_rc = pmemfs_opts_parse(&p->args, &p->o);
	p->check_rc = p->parse_rc < 0 ? -1 :
		pmemfs_opts_check(&p->o, &p->cfg, &p->bdi, &p->label_size, &p->group);
	fflush(stderr);
	assert_true(dup2(saved_err, STDERR_FILENO) >= 0);
	rewind(errf);
	n = fread(p->err, 1, sizeof(p->err) - 1, errf);
	p->err[n] = '\0';
}

static void done(struct parsed *p)
{
	pmemfs_opts_free(&p->o);
	fuse_opt_free_args(&p->args);
}

/* refused with exactly this message */
static void refused(const char *opt, const char *msg)
{
	struct parsed p;
	char want[512];

	parse(&p, "-o", opt, "r.img", "/mnt", NULL);
	assert_int_equal(p.parse_rc, 0);
	assert_int_equal(p.check_rc, -EINVAL);
	snprintf(want, sizeof(want), "pmemfs: %s\n", msg);
	assert_string_equal(p.err, want);
	done(&p);
}

static void test_options_defaults(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "r0.img", "r1.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_string_equal(p.err, "");
	assert_int_equal(p.o.npaths, 3);
	assert_string_equal(p.o.paths[0], "r0.img");
	assert_string_equal(p.o.paths[2], "/mnt");
	assert_int_equal(p.cfg.uid, getuid());
	assert_int_equal(p.cfg.gid, getgid());
	assert_int_equal(p.cfg.mode, 0600);
	assert_int_equal(p.cfg.flush_threads, 4);
	assert_int_equal(p.cfg.backing, FS_BACKING_AUTO);
	assert_true(p.cfg.splice);
	assert_int_equal(p.cfg.passthrough, FS_PT_AUTO);
	assert_false(p.cfg.allow_other);
	assert_true(p.cfg.timeout == 1.0);
	assert_int_equal(p.bdi.max_ratio, 50);
	assert_int_equal(p.bdi.readahead_kb, 1024);
	assert_int_equal(p.bdi.strict_limit, 0);
	assert_int_equal(p.label_size, 0);
	assert_int_equal(p.group, (gid_t)-1);
	assert_false(p.o.foreground || p.o.debug || p.o.single || p.o.help || p.o.version);
	assert_int_equal(p.args.argc, 1);	/* nothing left for libfuse */
	done(&p);
}

static void test_options_values(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "-o", "uid=4321,gid=8765,mode=0660,label_size=128K", "-o",
	      "dirty_ratio=40,readahead_kb=0,strict_limit=1,flush_threads=64",
	      "-o", "backing=buffered,splice=off,ctl=/run/x.sock,ctl_group=0",
	      "-o", "logfile=/tmp/x.log", "-f", "-s", "r.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_int_equal(p.cfg.uid, 4321);
	assert_int_equal(p.cfg.gid, 8765);
	assert_int_equal(p.cfg.mode, 0660);
	assert_int_equal(p.label_size, 128 << 10);
	assert_int_equal(p.bdi.max_ratio, 40);
	assert_int_equal(p.bdi.readahead_kb, 0);
	assert_int_equal(p.bdi.strict_limit, 1);
	assert_int_equal(p.cfg.flush_threads, 64);
	assert_int_equal(p.cfg.backing, FS_BACKING_BUFFERED);
	assert_false(p.cfg.splice);
	assert_string_equal(p.o.val[V_CTL], "/run/x.sock");
	assert_int_equal(p.group, 0);
	assert_string_equal(p.o.val[V_LOGFILE], "/tmp/x.log");
	assert_true(p.o.foreground && p.o.single);
	assert_int_equal(p.o.npaths, 2);
	done(&p);
	/* the largest ids, octal 7777, a numeric group */
	parse(&p, "-o", "uid=4294967294,gid=0,mode=7777,ctl_group=54321,backing=direct",
	      "r.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_int_equal(p.cfg.uid, 4294967294u);
	assert_int_equal(p.cfg.mode, 07777);
	assert_int_equal(p.group, 54321);
	assert_int_equal(p.cfg.backing, FS_BACKING_DIRECT);
	done(&p);
	/* passthrough: the last one wins */
	parse(&p, "-o", "passthrough=off,passthrough=on", "r.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_int_equal(p.cfg.passthrough, FS_PT_ON);
	done(&p);
	parse(&p, "-o", "passthrough=off", "r.img", "/mnt", NULL);
	assert_int_equal(p.cfg.passthrough, FS_PT_OFF);
	done(&p);
	parse(&p, "-o", "passthrough=auto", "r.img", "/mnt", NULL);
	assert_int_equal(p.cfg.passthrough, FS_PT_AUTO);
	done(&p);
}

/* a repeated option: the last one wins (fuse_opt's %s kept the first) */
static void test_options_last_wins(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "-o", "mode=0644", "-o", "mode=0640,ctl=/a", "-o", "ctl=/b", "r.img",
	      "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_int_equal(p.cfg.mode, 0640);
	assert_string_equal(p.o.val[V_CTL], "/b");
	done(&p);
}

/* what libfuse takes stays in args: -d (and -f), allow_other, mount options */
static void test_options_passed_on(void **state)
{
	struct parsed p;
	int i;
	bool dev = false, allow = false, debug = false;

	(void)state;
	parse(&p, "-d", "-o", "allow_other,dev,suid", "r.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_true(p.o.debug && p.o.foreground && p.o.allow_other);
	assert_true(p.cfg.allow_other);
	for (i = 1; i < p.args.argc; i++) {
		debug |= strcmp(p.args.argv[i], "-d") == 0;
		if (strstr(p.args.argv[i], "allow_other"))
			allow = true;
		if (strstr(p.args.argv[i], "dev,suid"))
			dev = true;
	}
	assert_true(debug && allow && dev);
	done(&p);
	parse(&p, "--help", NULL);
	assert_true(p.o.help);
	done(&p);
	parse(&p, "-V", NULL);
	assert_true(p.o.version);
	done(&p);
}

static void test_options_refused(void **state)
{
	(void)state;
	refused("uid=12abc", "uid='12abc': not a decimal number (expected a user id 0..4294967294)");
	refused("uid=-1", "uid='-1': negative (expected a user id 0..4294967294)");
	refused("gid=4294967295", "gid='4294967295': out of range (expected a group id 0..4294967294)");
	refused("uid= 1", "uid=' 1': not a decimal number (expected a user id 0..4294967294)");
	refused("mode=0800", "mode='0800': not an octal number (expected octal 0..7777)");
	refused("mode=17777", "mode='17777': out of range (expected octal 0..7777)");
	refused("flush_threads=0", "flush_threads='0': out of range (expected 1..64)");
	refused("flush_threads=65", "flush_threads='65': out of range (expected 1..64)");
	refused("dirty_ratio=101", "dirty_ratio='101': out of range (expected a percentage 1..100)");
	refused("readahead_kb=1048577",
		"readahead_kb='1048577': out of range (expected 0..1048576 KiB)");
	refused("strict_limit=2", "strict_limit='2': out of range (expected 0 or 1)");
	refused("backing=mmap", "backing='mmap': expected auto, direct or buffered");
	refused("splice=yes", "splice='yes': expected on or off");
	refused("passthrough=bogus", "passthrough='bogus': expected auto, on or off");
	refused("passthrough=", "passthrough='': expected auto, on or off");
	refused("ctl_group=no-such-group-pmemfs",
		"ctl_group='no-such-group-pmemfs': no such group");
	refused("ctl=run/x.sock",
		"ctl='run/x.sock': the control socket path must be absolute");
	refused("logfile=x.log", "logfile='x.log': the log file path must be absolute");
}

static void test_options_label_size(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "-o", "label_size=1M", "r.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, 0);
	assert_int_equal(p.label_size, 1 << 20);
	done(&p);
	parse(&p, "-o", "label_size=lots", "r.img", "/mnt", NULL);
	assert_int_equal(p.check_rc, -EINVAL);
	assert_non_null(strstr(p.err, "label_size='lots': "));
	done(&p);
}

static void test_options_mount_opts(void **state)
{
	struct parsed p;
	char *mo = NULL;

	(void)state;
	parse(&p, "/no/such/dir/r,1.img", "/mnt", NULL);
	assert_int_equal(pmemfs_mount_opts(&p.o, &mo), 0);
	assert_string_equal(mo, "subtype=pmemfs,fsname=/no/such/dir/r\\,1.img");
	free(mo);
	done(&p);
	mo = NULL;
	parse(&p, "-o", "allow_other", "/no/such/r.img", "/mnt", NULL);
	assert_int_equal(pmemfs_mount_opts(&p.o, &mo), 0);
	assert_string_equal(mo, "subtype=pmemfs,fsname=/no/such/r.img,default_permissions");
	free(mo);
	done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_defaults),
		cmocka_unit_test(test_options_values),
		cmocka_unit_test(test_options_last_wins),
		cmocka_unit_test(test_options_passed_on),
		cmocka_unit_test(test_options_refused),
		cmocka_unit_test(test_options_label_size),
		cmocka_unit_test(test_options_mount_opts),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
