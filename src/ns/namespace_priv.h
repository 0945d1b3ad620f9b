/* SPDX-License-Identifier: MIT */
/*
 * Private to the namespace files: what name.c, index.c, classify.c,
 * namespace.c and ns_change.c share. Calls go one way:
 * ns_change.c -> namespace.c -> classify.c -> index.c, name.c (and each
 * file may call any file to the right of it). Nothing outside these five
 * files includes this.
 */
#ifndef PMEMFS_NS_NAMESPACE_PRIV_H
#define PMEMFS_NS_NAMESPACE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ns/internal.h"

/* ---- name.c ---- */

/* "namespace" digits "." digits */
bool ns_is_devname_form(const char *s);

/* 0, or -EINVAL with the rule broken in why */
int ns_name_check(const char *name, char *why, size_t len);

/* the id N of "namespaceR.N" when spec is exactly r's device name form */
bool ns_parse_devname(const struct ns_region *r, const char *spec, unsigned *id);

/* ---- index.c: hash chains, the slot table, the reserved extents ---- */

uint64_t ns_get_u64(const uint8_t *p);
uint64_t ns_name_hash(const char *s);	/* FNV-1a */
uint32_t ns_h_uuid(const uint8_t *u);	/* bucket hash of a uuid */
void ns_index_add(struct ns_region *r, struct ns_namespace *ns);
void ns_index_del(struct ns_region *r, struct ns_namespace *ns);
void ns_index_free(struct ns_region *r);
/* 1 + the largest id of a live or dead namespace */
unsigned ns_region_new_id(const struct ns_region *r);
/* (re)index r->ns after it was rebuilt */
void ns_index_rebuild(struct ns_region *r);
struct ns_namespace *ns_find_id(struct ns_region *r, unsigned id);
/* the first live namespace other than self whose uuid is u */
struct ns_namespace *ns_find_uuid(struct ns_region *r, const uint8_t *u,
				  const struct ns_namespace *self);
/* the first decodable live label other than self named name */
struct ns_namespace *ns_find_label_name(struct ns_region *r, const char *name,
					const struct ns_namespace *self);
/* an id no longer used by anyone: next_id shrinks back as far as it can */
void ns_id_gone(struct ns_region *r, unsigned id);
/* the sorted reserved extents follow a label added or gone */
void ns_resv_insert(struct ns_region *r, uint64_t start, uint64_t len);
void ns_resv_remove(struct ns_region *r, uint64_t start, uint64_t len);

/* ---- classify.c ---- */

/* after adding ns to a classified region: ns alone, or the full pass */
void ns_region_classify_added(struct ns_region *r, struct ns_namespace *ns);
/* whether removing ns's label can change another label's outcome */
bool ns_removal_affects_others(const struct ns_namespace *ns);

/* ---- namespace.c: the objects and the slot-ordered list ---- */

/* a new object for the label in slot (not on any list, no id) */
struct ns_namespace *ns_alloc_ns(struct ns_region *r, uint32_t slot);
void ns_set_id(struct ns_namespace *ns, unsigned id);
/* insert into r->ns keeping slot order, and into the indexes */
void ns_list_insert(struct ns_region *r, struct ns_namespace *ns);
void ns_list_remove(struct ns_region *r, struct ns_namespace *ns);
/* a destroyed namespace's label is gone: dead while held, else freed */
void ns_bury(struct ns_region *r, struct ns_namespace *ns);

#endif
