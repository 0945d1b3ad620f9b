// SPDX-License-Identifier: MIT
/*
 * Fuzz pmemfs's command line and mount option parsing: the daemon's own
 * fuse_opt table (pmemfs_opt_spec), its callback (pmemfs_opt_proc, which
 * collects the option values, region files and mount point) and the
 * checks of every value (pmemfs_opts_check: numbers, sizes, backing=, ctl=,
 * ctl_group=), exactly as pmemfs's main calls them: src/daemon/options.c,
 * linked as it is (pmemfs_opts_parse, pmemfs_opts_check).
 *
 * Input: argv words separated by NUL bytes (at most 64), after "pmemfs".
 * Every word is an exact-size heap string. What is parsed is freed as
 * main() frees it, so LeakSanitizer reports what main would leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void quiet(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuse_set_log_func(quiet);
	return 0;
}

#define MAXWORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[MAXWORDS + 2];
	int argc = 0, i;
	size_t pos = 0;
	struct pmemfs_opts o = { 0 };
	struct fs_config cfg;
	struct fs_bdi_opts bdi;
	struct fuse_args args;
	uint64_t ls = 0;
	gid_t group;
	unsigned k;

	if (size > 8192)
		return 0;
	words[argc++] = strdup("pmemfs");
	while (pos < size && argc <= MAXWORDS) {
		const uint8_t *end = memchr(data + pos, 0, size - pos);
		size_t n = end ? (size_t)(end - (data + pos)) : size - pos;
		char *w = malloc(n + 1);

		if (!w)
			break;
		memcpy(w, data + pos, n);
		w[n] = '\0';
		words[argc++] = w;
		pos += n + 1;
	}
	words[argc] = NULL;

	args = (struct fuse_args)FUSE_ARGS_INIT(argc, words);
	if (pmemfs_opts_parse(&args, &o) == 0) {
		if (pmemfs_opts_check(&o, &cfg, &bdi, &ls, &group) == 0 &&
		    (cfg.mode > 07777 || cfg.flush_threads < 1 || cfg.flush_threads > 64 ||
		     bdi.max_ratio < 1 || bdi.max_ratio > 100 || bdi.readahead_kb < 0 ||
		     bdi.strict_limit < 0 || bdi.strict_limit > 1))
			abort();	/* a value out of its documented range */
		/* what main hands to libfuse and the daemon must be strings */
		for (k = 0; k < o.npaths; k++)
			if (!o.paths[k] || strlen(o.paths[k]) > size)
				abort();
		for (i = 0; i < args.argc; i++)
			if (!args.argv[i])
				abort();
	}
	/* main's unwinding */
	pmemfs_opts_free(&o);
	fuse_opt_free_args(&args);
	for (i = 0; i < argc; i++)
		free(words[i]);
	return 0;
}
