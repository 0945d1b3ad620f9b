/* SPDX-License-Identifier: MIT */
/*
 * Names: the check of a label name (ns_name_validate) and the device name
 * form "namespaceR.N". Calls nothing else of the namespace files.
 */
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "ns/error.h"
#include "ns/namespace_priv.h"

/* ---- names ---- */

bool ns_is_devname_form(const char *s)
{
	const char *p;

	if (strncmp(s, "namespace", 9) != 0)
		return false;
	p = s + 9;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != '.')
		return false;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/* 0, or -EINVAL with the rule broken in why */
int ns_name_check(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);
	uuid_t u;

	if (n == 0) {
		snprintf(why, len, "empty");
		return -EINVAL;
	}
	if (n > NS_LABEL_NAME_LEN - 1) {
		snprintf(why, len, "longer than %u bytes", NS_LABEL_NAME_LEN - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c > 0x7e) {
			snprintf(why, len, "byte %zu (0x%02x) is not printable ASCII",
				 i, c);
			return -EINVAL;
		}
		if (c == '/') {
			snprintf(why, len, "contains '/'");
			return -EINVAL;
		}
	}
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "all")) {
		snprintf(why, len, "reserved");
		return -EINVAL;
	}
	if (ns_is_devname_form(name)) {
		snprintf(why, len, "has the form of a device name (namespaceX.Y)");
		return -EINVAL;
	}
	if (uuid_parse(name, u) == 0) {
		snprintf(why, len, "has the form of a uuid");
		return -EINVAL;
	}
	return 0;
}

int ns_name_validate(const char *name)
{
	char why[96];

	if (!name)
		return ns_err(-EINVAL, "invalid name: none given");
	if (strlen(name) > NS_LABEL_NAME_LEN - 1) {
		/* the user's count, as the control protocol says it too */
		char shown[36];
		size_t i;

		for (i = 0; i < 32; i++)
			shown[i] = ((unsigned char)name[i] < 0x20 ||
				    (unsigned char)name[i] > 0x7e) ? '?' : name[i];
		memcpy(shown + i, "...", 4);
		return ns_err(-EINVAL, "name '%s' is %zu bytes, at most %u", shown,
			      strlen(name), NS_LABEL_NAME_LEN - 1);
	}
	if (ns_name_check(name, why, sizeof(why))) {
		/* print only what is printable, and not too much of it */
		char shown[NS_LABEL_NAME_LEN + 4];
		size_t i;

		for (i = 0; name[i] && i < NS_LABEL_NAME_LEN - 1; i++)
			shown[i] = ((unsigned char)name[i] < 0x20 ||
				    (unsigned char)name[i] > 0x7e) ? '?' : name[i];
		if (name[i])
			memcpy(shown + i, "...", 4);
		else
			shown[i] = '\0';
		return ns_err(-EINVAL, "invalid name '%s': %s", shown, why);
	}
	return 0;
}

/* the id N of "namespaceR.N" when spec is exactly r's device name form */
bool ns_parse_devname(const struct ns_region *r, const char *spec, unsigned *id)
{
	char canon[32];
	unsigned rid, n;

	if (!ns_is_devname_form(spec) || sscanf(spec, "namespace%u.%u", &rid, &n) != 2 ||
	    rid != r->id)
		return false;
	snprintf(canon, sizeof(canon), "namespace%u.%u", rid, n);
	if (strcmp(canon, spec))
		return false;	/* leading zeros, overflow: no device has that name */
	*id = n;
	return true;
}
