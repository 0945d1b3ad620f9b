/* SPDX-License-Identifier: MIT */
/*
 * pmemobj_list: a libpmemobj program on a pmemfs namespace file. It keeps
 * a persistent singly linked list of objects, each holding its index and
 * a payload derived from a seed, so that a reader can tell every byte it
 * finds from what was written.
 *
 *   pmemobj_list FILE add N SEED [--hold]
 *       open the pool (a file made with `pmempool create obj
 *       --layout=pmemfs-list FILE`), push N objects and print
 *       "persisted N objects (total T)" once the last pmemobj_persist()
 *       returned. With --hold it keeps the pool open and waits to be
 *       killed (the kill -9 test kills the daemon while the pool is open).
 *   pmemobj_list FILE check SEED
 *       walk the list; print "T objects, payloads ok" or name the first
 *       object whose bytes differ, and exit 1.
 *
 * On pmemfs libpmemobj sees a file without MAP_SYNC: pmemobj_persist() ends
 * in msync(MS_SYNC), which the daemon answers once the bytes are on the
 * backing medium.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpmemobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAYOUT "pmemfs-list"
#define PAYLOAD 1000

struct list_root {
	uint64_t count;		/* objects on the list */
	PMEMoid head;		/* newest first */
};

struct list_obj {
	PMEMoid next;
	uint64_t index;		/* 0 for the first object pushed */
	uint8_t payload[PAYLOAD];
};

struct push_arg {
	PMEMoid next;
	uint64_t index;
	uint64_t seed;
};

static uint8_t payload_byte(uint64_t seed, uint64_t index, unsigned i)
{
	uint64_t z = (seed + 1) * 0x9e3779b97f4a7c15ull + index * 1000003u + i;

	z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull;
	return (uint8_t)(z >> 56);
}

/* runs inside pmemobj_alloc(): fill and persist before the object is linked */
static int obj_construct(PMEMobjpool *pop, void *ptr, void *arg)
{
	struct list_obj *o = ptr;
	const struct push_arg *a = arg;
	unsigned i;

	o->next = a->next;
	o->index = a->index;
	for (i = 0; i < PAYLOAD; i++)
		o->payload[i] = payload_byte(a->seed, a->index, i);
	pmemobj_persist(pop, o, sizeof(*o));
	return 0;
}

static int list_add(PMEMobjpool *pop, struct list_root *root, uint64_t n,
		    uint64_t seed)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		struct push_arg a = { root->head, root->count, seed };

		/* the allocation and the new head are one atomic action */
		if (pmemobj_alloc(pop, &root->head, sizeof(struct list_obj), 1,
				  obj_construct, &a)) {
			fprintf(stderr, "pmemobj_list: alloc of object %" PRIu64 ": %s\n",
				a.index, pmemobj_errormsg());
			return 1;
		}
		root->count = a.index + 1;
		pmemobj_persist(pop, &root->count, sizeof(root->count));
	}
	printf("persisted %" PRIu64 " objects (total %" PRIu64 ")\n", n, root->count);
	fflush(stdout);
	return 0;
}

static int list_check(struct list_root *root, uint64_t seed)
{
	PMEMoid oid = root->head;
	uint64_t want = root->count, seen = 0;
	unsigned i;

	while (!OID_IS_NULL(oid)) {
		const struct list_obj *o = pmemobj_direct(oid);

		if (!o || seen >= want) {
			fprintf(stderr, "pmemobj_list: more objects than the count %" PRIu64 "\n",
				want);
			return 1;
		}
		if (o->index != want - 1 - seen) {
			fprintf(stderr, "pmemobj_list: object %" PRIu64 " has index %" PRIu64 "\n",
				want - 1 - seen, o->index);
			return 1;
		}
		for (i = 0; i < PAYLOAD; i++) {
			if (o->payload[i] != payload_byte(seed, o->index, i)) {
				fprintf(stderr, "pmemobj_list: object %" PRIu64 ": payload byte %u differs\n",
					o->index, i);
				return 1;
			}
		}
		seen++;
		oid = o->next;
	}
	if (seen != want) {
		fprintf(stderr, "pmemobj_list: %" PRIu64 " objects on the list, count says %" PRIu64 "\n",
			seen, want);
		return 1;
	}
	printf("%" PRIu64 " objects, payloads ok\n", seen);
	return 0;
}

int main(int argc, char **argv)
{
	PMEMobjpool *pop;
	PMEMoid root_oid;
	struct list_root *root;
	int add, ret;

	if (argc < 4 || (strcmp(argv[2], "add") && strcmp(argv[2], "check")) ||
	    (!strcmp(argv[2], "add") && argc < 5)) {
		fprintf(stderr, "usage: %s FILE add N SEED [--hold] | FILE check SEED\n",
			argv[0]);
		return 2;
	}
	add = !strcmp(argv[2], "add");
	pop = pmemobj_open(argv[1], LAYOUT);
	if (!pop) {
		fprintf(stderr, "pmemobj_list: '%s': %s\n", argv[1], pmemobj_errormsg());
		return 1;
	}
	root_oid = pmemobj_root(pop, sizeof(struct list_root));
	root = pmemobj_direct(root_oid);
	if (!root) {
		fprintf(stderr, "pmemobj_list: root object: %s\n", pmemobj_errormsg());
		pmemobj_close(pop);
		return 1;
	}
	if (add) {
		ret = list_add(pop, root, strtoull(argv[3], NULL, 0),
			       strtoull(argv[4], NULL, 0));
		if (ret == 0 && argc > 5 && !strcmp(argv[5], "--hold")) {
			/* the pool stays open: the caller kills us */
			for (;;)
				pause();
		}
	} else {
		ret = list_check(root, strtoull(argv[3], NULL, 0));
	}
	pmemobj_close(pop);
	return ret;
}
