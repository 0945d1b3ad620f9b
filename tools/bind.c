/* SPDX-License-Identifier: MIT */
/*
 * Options bound to the fields of a command's struct (options.h): the
 * parser of options.c gives the option met, this file stores its value
 * where the table says, checking it as it goes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/command.h"
#include "tools/msg.h"
#include "tools/options.h"

/* an unsigned number, decimal, octal or hex as strtoull reads it */
static bool pc_bind_number(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

const struct pc_choice pc_label_versions[] = {
	{ "1.1", 1 }, { "1.2", 2 }, { NULL, 0 },
};

static int pc_bind_bad(const struct pc_parser *p, const char *hint)
{
	if (hint)
		pc_fail_msg(-EINVAL, "bad value for --%s '%s': %s", p->optname, p->arg, hint);
	else
		pc_fail_msg(-EINVAL, "bad value for --%s '%s'", p->optname, p->arg);
	return -EINVAL;
}

/* store the value of option o into obj; 0 or a negative errno (reported) */
static int pc_bind_one(const struct pc_parser *p, const struct pc_opt *o, void *obj)
{
	void *f = (char *)obj + o->off;
	uint64_t v;

	switch (o->type) {
	case PC_OPT_KEY:
		return 0;
	case PC_OPT_BOOL:
		*(bool *)f = true;
		return 0;
	case PC_OPT_COUNTER:
		(*(unsigned *)f)++;
		return 0;
	case PC_OPT_BIT:
		*(uint32_t *)f |= (uint32_t)o->val;
		return 0;
	case PC_OPT_STRING:
		*(const char **)f = p->arg;
		return 0;
	case PC_OPT_SIZE:
		return pc_opt_size(p, f);
	case PC_OPT_U32:
	case PC_OPT_U64:
		if (!pc_bind_number(p->arg, &v) || v < o->min || v > o->max)
			return pc_bind_bad(p, o->hint);
		if (o->type == PC_OPT_U32)
			*(uint32_t *)f = (uint32_t)v;
		else
			*(uint64_t *)f = v;
		return 0;
	case PC_OPT_CHOICE:
		for (const struct pc_choice *c = o->choices; c->name; c++)
			if (!strcmp(p->arg, c->name)) {
				*(unsigned *)f = c->val;
				return 0;
			}
		return pc_bind_bad(p, o->hint);
	case PC_OPT_CALLBACK:
		return o->cb(p, o, f);
	}
	return 0;
}

int pc_opts_parse(struct pc_parser *p, int argc, char **argv, void *obj)
{
	int key, rc;

	while ((key = pc_parser_next(p, argc, argv)) != PC_OPTS_DONE) {
		const struct pc_opt *o;
		unsigned i;

		if (key == PC_OPTS_HELP)
			return 0;
		if (key == PC_OPTS_ERROR)
			return PC_EXIT_USAGE;
		for (i = 0, o = p->opts; o->name && o->key != key; i++, o++)
			;
		if (!o->name)
			continue;
		if (i < 64)
			p->seen |= UINT64_C(1) << i;
		rc = pc_bind_one(p, o, obj);
		if (rc < 0)
			return pc_exit_code(rc);
	}
	return PC_OPTS_DONE;
}

bool pc_opt_given(const struct pc_parser *p, int key)
{
	unsigned i = 0;

	for (const struct pc_opt *o = p->opts; o->name && i < 64; o++, i++)
		if (o->key == key && (p->seen & (UINT64_C(1) << i)))
			return true;
	return false;
}

int pc_args_none(void *o, const struct pc_args *a)
{
	(void)o;
	if (a->argc)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[0]);
	return 0;
}
