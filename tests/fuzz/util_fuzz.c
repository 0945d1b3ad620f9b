// SPDX-License-Identifier: MIT
/*
 * Fuzz the string parsers of the core that take what a user types or a
 * control request carries: ns_parse_size (every SIZE of pmemctl, the
 * daemon's label_size=) and ns_name_validate (namespace names from the
 * CLI, the control socket and labels written by guests).
 *
 * The input is copied into an exact-size heap string (its bytes and a
 * NUL), so a read past the terminator is an ASan report. Checked on top
 * of "no crash": a size that parses comes back from its own decimal
 * spelling and from ns_format_size's spelling without the space, and a
 * valid name is at most 63 printable bytes without '/'.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what, const char *s)
{
	if (!cond) {
		fprintf(stderr, "util_fuzz: %s (input '%s', message '%s')\n", what, s,
			ns_errormsg());
		abort();
	}
}

static void sizes(const char *s)
{
	char fmt[64], again[64];
	uint64_t v = 0, w = 0;
	size_t i, j;
	int rc;

	ns_err_clear();
	rc = ns_parse_size(s, &v);
	if (rc) {
		check(rc == -EINVAL || rc == -ERANGE, "size rejection is EINVAL or ERANGE", s);
		check(ns_errormsg()[0] != '\0', "size rejection without a message", s);
		return;
	}
	snprintf(fmt, sizeof(fmt), "%" PRIu64, v);
	check(ns_parse_size(fmt, &w) == 0 && w == v, "decimal spelling parses back", s);

	/* "4 GiB" -> "4GiB"; "5 bytes" -> "5" */
	ns_format_size(v, fmt, sizeof(fmt));
	for (i = j = 0; fmt[i] && fmt[i] != ' '; i++)
		again[j++] = fmt[i];
	if (fmt[i] == ' ' && strncmp(fmt + i + 1, "byte", 4) != 0)
		for (i++; fmt[i]; i++)
			again[j++] = fmt[i];
	again[j] = '\0';
	check(ns_parse_size(again, &w) == 0 && w == v, "formatted size parses back", fmt);
}

static void names(const char *s)
{
	size_t i, n = strlen(s);

	ns_err_clear();
	if (ns_name_validate(s) != 0) {
		check(ns_errormsg()[0] != '\0', "name rejection without a message", s);
		return;
	}
	check(n > 0 && n <= 63, "valid name has 1..63 bytes", s);
	check(strcmp(s, ".") && strcmp(s, "..") && strcmp(s, "all"), "reserved name", s);
	for (i = 0; i < n; i++)
		check(s[i] > 0x20 - 1 && s[i] < 0x7f && s[i] != '/',
		      "valid name is printable without '/'", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	sizes(s);
	names(s);
	free(s);
	return 0;
}
