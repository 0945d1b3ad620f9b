// SPDX-License-Identifier: MIT
/*
 * A main() for the fuzz targets in builds without libFuzzer (gcc, or
 * clang without -Dfuzz=true): runs LLVMFuzzerTestOneInput once on every
 * file given, or every file in every directory given (the seed corpora
 * and the regression inputs, tests/fuzz/regress/<target>/), so that each
 * crash ever found stays a test in every build, sanitizers included.
 *
 *   replay_<target> FILE|DIR...
 *
 * Exit status: 0 when every input ran; a crash aborts as it would under
 * libFuzzer; 1 when a file cannot be read or nothing was given.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* exact size, as libFuzzer hands inputs over */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}


int main(int argc, char **argv)
{
	unsigned long ran = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 1;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: '%s': %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			struct dirent **ents;
			int n = scandir(argv[i], &ents, NULL, alphasort), k;

			if (n < 0) {
				fprintf(stderr, "replay: '%s': %s\n", argv[i], strerror(errno));
				return 1;
			}
			for (k = 0; k < n; k++) {
				char p[4096];

				snprintf(p, sizeof(p), "%s/%s", argv[i], ents[k]->d_name);
				if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
					if (run_file(p))
						return 1;
					ran++;
				}
				free(ents[k]);
			}
			free(ents);
		} else {
			if (run_file(argv[i]))
				return 1;
			ran++;
		}
	}
	printf("replayed %lu inputs\n", ran);
	return ran ? 0 : 1;
}
