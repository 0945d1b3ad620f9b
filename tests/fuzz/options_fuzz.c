// SPDX-License-Identifier: MIT
/*
 * Fuzz pmemfs's command line and mount option parsing: the daemon's own
 * fuse_opt table (pmemfs_opt_spec), its callback (pmemfs_opt_proc, which
 * collects the region files and mount point) and its label_size= parser,
 * exactly as src/pmemfs.c has them. They are static in pmemfs.c and the
 * checks that follow (backing=, strict_limit=, dirty_ratio=) sit inline in
 * main(), so this file includes pmemfs.c with its main renamed; splitting
 * the parsing into a function of its own would let the checks be fuzzed
 * too.
 *
 * Input: argv words separated by NUL bytes (at most 64), after "pmemfs".
 * Every word is an exact-size heap string. What is parsed is freed as
 * main() frees it, so LeakSanitizer reports what main would leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int pmemfs_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define main pmemfs_main
#include "../../src/pmemfs.c"
#undef main

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
	struct pmemfs_opts o = { .uid = (unsigned)-1, .gid = (unsigned)-1,
				 .mode = (unsigned)-1 };
	struct fuse_args args;
	uint64_t ls = 0;
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
	if (fuse_opt_parse(&args, &o, pmemfs_opt_spec, pmemfs_opt_proc) == 0) {
		if (o.label_size)
			(void)parse_size(o.label_size, &ls);
		/* what main hands to libfuse and the daemon must be strings */
		for (k = 0; k < o.npaths; k++)
			if (!o.paths[k] || strlen(o.paths[k]) > size)
				abort();
		for (i = 0; i < args.argc; i++)
			if (!args.argv[i])
				abort();
	}
	/* main's unwinding */
	for (k = 0; k < o.npaths; k++)
		free(o.paths[k]);
	free(o.paths);
	free(o.ctl);
	free(o.ctl_group);
	free(o.label_size);
	free(o.backing);
	fuse_opt_free_args(&args);
	for (i = 0; i < argc; i++)
		free(words[i]);
	return 0;
}
