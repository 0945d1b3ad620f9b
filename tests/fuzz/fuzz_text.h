/* SPDX-License-Identifier: MIT */
/*
 * A fuzz input as the text of a sidecar file (badblocks_fuzz.c,
 * health_fuzz.c): their parsers read a FILE, so the bytes are copied
 * (fmemopen wants a buffer of its own; an empty one is refused) and
 * opened read-only.
 */
#ifndef PMEMFS_FUZZ_TEXT_H
#define PMEMFS_FUZZ_TEXT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* data as a FILE (*buf: its copy), or NULL for no input or over max bytes */
static inline FILE *fuzz_text_open(const uint8_t *data, size_t size, size_t max, char **buf)
{
	FILE *f;

	if (size == 0 || size > max)
		return NULL;
	*buf = malloc(size);
	if (!*buf)
		return NULL;
	memcpy(*buf, data, size);
	f = fmemopen(*buf, size, "r");
	if (!f)
		free(*buf);
	return f;
}

static inline void fuzz_text_close(FILE *f, char *buf)
{
	fclose(f);
	free(buf);
}

#endif
