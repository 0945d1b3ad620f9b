/* SPDX-License-Identifier: MIT */
/*
 * What the daemon and pmemctl's offline mode share from the core: the
 * object → record conversion (src/ctl/record.c), whose records go on the
 * wire unchanged (put, get back, compare), and check-labels' walk and its
 * lines (src/ns/label_check.c), on the kernel's interleaved label area, a
 * QEMU guest's area too large for the region, a label that does not decode
 * and an area with no valid index block, as check-labels reports them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netlink/genl/genl.h>

#include "ns/error.h"
#include "ns/io.h"
#include "ns/label_check.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "ctl/proto.h"
#include "ctl/record.h"
#include "ns/region.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define LSA (128 * KiB)

/* a region in memory of size bytes whose label area is the file name's bytes, or new */
static struct ns_region *mem_region(uint64_t size, const char *data)
{
	struct ns_region_opts o = { .label_size = LSA };
	struct ns_region *r = NULL;
	struct ns_io *io = NULL;

	assert_int_equal(ns_io_mem_new(size, &io), 0);
	if (data) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", getenv("PMEMFS_TESTDATA"), data);
		f = fopen(path, "rb");
		if (!f)
			fail_msg("%s: %s", path, strerror(errno));
		assert_int_equal(fread(ns_io_mem_buffer(io) + size - LSA, 1, LSA, f), LSA);
		fclose(f);
	} else {
		assert_int_equal(ns_lsa_init(io, size - LSA, LSA, 2, NULL), 0);
	}
	if (ns_region_open_io(io, "mem", &o, &r))
		fail_msg("open: %s", ns_errormsg());
	return r;
}

/* the attributes of m's first nest of type t */
static struct nlattr *nest_of(struct nl_msg *m, int t)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	return nla_find(genlmsg_attrdata(nlmsg_data(h), 0), genlmsg_attrlen(nlmsg_data(h), 0), t);
}

static void test_records(void **state)
{
	struct ns_namespace_create_opts co = { .size = 4 * MiB, .name = "db", .readonly = true };
	struct ns_region *r = mem_region(64 * MiB, NULL);
	struct ctl_region_info ri, rb;
	struct ctl_ns_info ni, nb;
	struct ns_namespace *ns = NULL;
	struct nl_msg *m;
	uint64_t avail, extent;

	(void)state;
	if (ns_namespace_create(r, &co, &ns))
		fail_msg("create: %s", ns_errormsg());

	ctl_region_info_of(r, &ri);
	assert_string_equal(ri.dev, ns_region_devname(r));
	assert_int_equal(ri.size, ns_region_data_size(r));
	assert_int_equal(ri.file_size, 64 * MiB);
	assert_int_equal(ri.label_size, LSA);
	assert_int_equal(ri.label_version, 2);
	assert_int_equal(ri.iset_id, ns_region_isetcookie(r));
	ns_region_space(r, NS_DEFAULT_ALIGN, &avail, &extent);
	assert_int_equal(ri.available, avail);
	assert_int_equal(ri.max_extent, extent);
	assert_true(ri.available < ns_region_data_size(r) - 4 * MiB + 1);

	ctl_ns_info_of(ns, &ni);
	assert_string_equal(ni.region, ns_region_devname(r));
	assert_string_equal(ni.dev, ns_namespace_devname(ns));
	assert_string_equal(ni.name, "db");
	assert_memory_equal(ni.uuid, ns_namespace_uuid(ns), 16);
	assert_int_equal(ni.size, 4 * MiB);
	assert_int_equal(ni.dpa, ns_namespace_dpa(ns));
	assert_int_equal(ni.align, ns_namespace_align(ns));
	assert_true(ni.readonly);
	assert_string_equal(ni.state, "active");
	assert_null(ni.path);
	assert_false(ni.crash_test);

	/* both records go on the wire and come back whole */
	m = ctl_proto_msg_new(CTL_CMD_LIST, 0, 0);
	assert_non_null(m);
	assert_int_equal(ctl_region_info_put(m, &ri), 0);
	assert_int_equal(ctl_region_info_get(nest_of(m, CTL_A_REGION_INFO), &rb), 0);
	assert_string_equal(rb.dev, ri.dev);
	assert_string_equal(rb.path, ri.path);
	assert_int_equal(rb.size, ri.size);
	assert_int_equal(rb.max_extent, ri.max_extent);
	assert_int_equal(rb.iset_id, ri.iset_id);
	nlmsg_free(m);
	m = ctl_proto_msg_new(CTL_CMD_LIST, 0, 0);
	assert_non_null(m);
	assert_int_equal(ctl_ns_info_put(m, &ni), 0);
	assert_int_equal(ctl_ns_info_get(nest_of(m, CTL_A_NS_INFO), &nb), 0);
	assert_string_equal(nb.dev, ni.dev);
	assert_string_equal(nb.name, ni.name);
	assert_memory_equal(nb.uuid, ni.uuid, 16);
	assert_int_equal(nb.size, ni.size);
	assert_int_equal(nb.dpa, ni.dpa);
	assert_true(nb.readonly);
	assert_string_equal(nb.state, "active");
	nlmsg_free(m);
	ns_region_close(&r);
}

/* the one not-served namespace of region r, in slot slot */
static struct ns_namespace *unserved(struct ns_region *r, uint32_t slot)
{
	struct ns_namespace *ns, *found = NULL;

	ns_region_foreach_namespace(r, ns) {
		if (ns_namespace_state(ns) == NS_STATE_ACTIVE)
			continue;
		assert_null(found);
		found = ns;
	}
	assert_non_null(found);
	assert_int_equal(ns_namespace_slot(found), slot);
	return found;
}

static void test_not_served(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, "nmem1.bin");
	struct ns_namespace *ns = unserved(r, 0);
	char line[NS_NOT_SERVED_LEN], want[NS_NOT_SERVED_LEN];

	(void)state;
	/* the kernel's interleaved area: what cli/check_labels expects offline */
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INTERLEAVED);
	assert_ptr_equal(ns_namespace_not_served(ns, line, sizeof(line)), line);
	snprintf(want, sizeof(want), "label in slot 0 (namespace0.0): not served: interleaved: %s",
		 ns_namespace_reason(ns));
	assert_string_equal(line, want);
	assert_true(strlen(ns_namespace_reason(ns)) > 0);
	ns_region_close(&r);

	/* a label past the data area: invalid, in the same words online and offline */
	r = mem_region(64 * MiB, "qemu-guest-v1.1-fsdax.lsa");
	ns = unserved(r, 1);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	ns_namespace_not_served(ns, line, sizeof(line));
	snprintf(want, sizeof(want), "label in slot 1 (namespace0.0): not served: invalid: %s",
		 ns_namespace_reason(ns));
	assert_string_equal(line, want);
	assert_non_null(strstr(line, "past the data area"));
	/* a short buffer gets a cut line, never more */
	ns_namespace_not_served(ns, line, 20);
	assert_int_equal(strlen(line), 19);
	ns_region_close(&r);
}

/* check-labels' findings of one walk, as lines */
struct findings {
	unsigned n;
	char line[4][NS_FINDING_LEN];
};

static void collect(void *arg, const char *line)
{
	struct findings *f = arg;

	assert_true(f->n < 4);
	snprintf(f->line[f->n++], NS_FINDING_LEN, "%s", line);
}

static void walk(struct ns_region *r, struct findings *f, struct ns_check_counts *n)
{
	struct ns_check_area a = {
		.io = ns_region_io(r), .off = 64 * MiB - LSA, .size = LSA,
		.lsa = ns_region_lsa(r), .r = r,
	};

	memset(f, 0, sizeof(*f));
	ns_check_labels(&a, collect, f, n);
	assert_int_equal(n->problems, f->n);
}

static void test_check_walk(void **state)
{
	struct ns_namespace_create_opts co = { .size = 4 * MiB, .name = "db" };
	struct ns_region *r = mem_region(64 * MiB, "nmem1.bin");
	char want[NS_FINDING_LEN], nsline[NS_FINDING_LEN];
	struct ns_namespace *ns;
	struct ns_check_counts n;
	struct findings f;
	struct ns_index idx;
	struct ns_io *io;
	uint32_t slot;

	(void)state;
	/* the kernel's interleaved area: index 0 (seq 0) and the label */
	walk(r, &f, &n);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.line[0], "index block 0 at offset 0 of the label area: "
			    "sequence number 0 invalid");
	assert_string_equal(f.line[1], ns_namespace_not_served(unserved(r, 0), nsline,
								sizeof(nsline)));
	assert_int_equal(n.valid_index, 1);
	assert_int_equal(n.labels, 1);
	assert_int_equal(n.served, 0);
	ns_region_close(&r);

	/* a healthy area: nothing; then a label that does not decode, said once */
	r = mem_region(64 * MiB, NULL);
	if (ns_namespace_create(r, &co, &ns))
		fail_msg("create: %s", ns_errormsg());
	walk(r, &f, &n);
	assert_int_equal(f.n, 0);
	assert_int_equal(n.valid_index, 2);
	assert_int_equal(n.labels, 1);
	assert_int_equal(n.served, 1);
	slot = ns_namespace_slot(ns);
	io = ns_region_io(r);
	assert_true(ns_lsa_index(ns_region_lsa(r), ns_lsa_current(ns_region_lsa(r)), &idx, NULL));
	ns_io_mem_buffer(io)[64 * MiB - LSA + idx.labeloff + slot * 256 + 20] ^= 0x5a;
	assert_int_equal(ns_region_reload(r), 0);
	walk(r, &f, &n);
	assert_int_equal(f.n, 1);
	snprintf(want, sizeof(want), "label in slot %u: ", slot);
	assert_true(strncmp(f.line[0], want, strlen(want)) == 0);
	assert_int_equal(n.labels, 1);
	assert_int_equal(n.served, 0);
	ns_region_close(&r);

	/* no valid index block: the area's bytes say where each block is */
	assert_int_equal(ns_io_mem_new(64 * MiB, &io), 0);
	{
		struct ns_check_area a = { .io = io, .off = 64 * MiB - LSA, .size = LSA };

		memset(&f, 0, sizeof(f));
		ns_check_labels(&a, collect, &f, &n);
	}
	assert_int_equal(f.n, 2);
	assert_string_equal(f.line[0], "index block 0 at offset 0 of the label area: "
			    "signature invalid");
	assert_string_equal(f.line[1], "index block 1 at offset 256 of the label area: "
			    "signature invalid");
	assert_int_equal(n.valid_index, 0);
	assert_int_equal(n.labels, 0);
	ns_io_destroy(&io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_not_served),
		cmocka_unit_test(test_check_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
