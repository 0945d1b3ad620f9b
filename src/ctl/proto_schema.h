/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's attributes, each declared once (as the kernel
 * declares a netlink family in one spec). From these lists come the enums
 * and the record structs (proto.h), the libnl policies and our own
 * validation tables (proto_schema.c) and the field tables that put and get
 * the records (proto_record.c). Included by proto.h; see proto.h for the
 * wire format.
 *
 * A list is a macro taking a generator X and a context (forwarded to X as
 * its first arguments). One line an attribute, in wire-number order:
 *
 *   top level:   X(ctx, NAME, "name", KIND, ARG, WHAT)
 *   nested sets: X(ctx, NAME, "name", KIND, ARG, PRESENCE, member)
 *
 *   NAME      the enum constant's suffix (CTL_NS_A_ + NAME)
 *   "name"    what messages and pmemctl call it
 *   KIND      BOOL (u8 0/1, a bool in the record), U32, U64, UUID (16
 *             bytes), STR (NUL-terminated, at most CTL_LEN_<ARG> bytes with
 *             the NUL), NEST (attributes of the set ctl_<ARG>_set)
 *   ARG       STR: the length limit; NEST: the nested set; else 0
 *   WHAT      a string a user gives: how to name it to the user
 *             (ctl_proto_string_check), else NULL
 *   PRESENCE  REQ: a record without it is refused; OPT
 *   member    the field of struct ctl_<set>_info that put and get copy,
 *             declared from here in list order (CTL_MEMBER, proto.h; a
 *             NEST's an array of u64, CTL_MEMBER_NEST_<ARG>); NEST
 *             attributes are put and got by hand
 *
 * The number of an attribute is its place in its list: append only, never
 * insert, remove or reorder (an old pmemctl must talk to a new daemon;
 * proto_schema.c asserts the last numbers of 2026-12, unit/ctl_proto_bytes
 * compares the encoding byte for byte). The record sets a reply of an
 * existing command carries are frozen (unit/ctl_proto test_records_frozen;
 * control-protocol.md): new information travels in new commands.
 */
#ifndef PMEMFS_CTL_PROTO_SCHEMA_H
#define PMEMFS_CTL_PROTO_SCHEMA_H

/* string limits, the NUL included */
#define CTL_LEN_NAME 64		/* a namespace name: 63 bytes, as a label holds it */
#define CTL_LEN_DEV 32		/* "namespace4294967295.4294967295" */
#define CTL_LEN_PATH 4096
#define CTL_LEN_ERRMSG 1024
#define CTL_LEN_VERSION 64
#define CTL_LEN_STATE 32
#define CTL_LEN_REASON 256
#define CTL_LEN_PROBLEMS 4096

/*
 * Top-level attributes of requests and replies (enum ctl_attr). "spec" in
 * enum ctl_proto_cmd is at most (for STATS) or exactly
 * (DESTROY/ENABLE/DISABLE/RENAME) one of NS_NAME, NS_UUID, NS_DEV naming
 * an existing namespace; in CREATE_NS, NS_NAME and NS_UUID are the new
 * namespace's.
 */
#define CTL_ATTRS(X, ...)                                                                  \
	X(__VA_ARGS__, ERRNO, "errno", U32, 0, NULL) /* positive errno of a failed request */ \
	X(__VA_ARGS__, ERRMSG, "errmsg", STR, ERRMSG, NULL) /* what failed and why */        \
	X(__VA_ARGS__, PROTO_VERSION, "proto_version", U32, 0, NULL) /* the daemon's */        \
	X(__VA_ARGS__, DAEMON_VERSION, "daemon_version", STR, VERSION, NULL) /* package */     \
	X(__VA_ARGS__, MOUNT, "mount", STR, PATH, "mount point") /* the mount point */         \
	/* region selector: "region0", "0" or "all" */                                         \
	X(__VA_ARGS__, REGION, "region", STR, DEV, "region")                                   \
	X(__VA_ARGS__, NS_NAME, "name", STR, NAME, "name") /* namespace name */                \
	X(__VA_ARGS__, NS_UUID, "uuid", UUID, 0, NULL) /* namespace UUID, binary */            \
	X(__VA_ARGS__, NS_DEV, "dev", STR, DEV, "device name") /* "namespace0.1" */            \
	X(__VA_ARGS__, SIZE, "size", U64, 0, NULL) /* bytes */                                 \
	X(__VA_ARGS__, ALIGN, "align", U64, 0, NULL) /* bytes, a power of two */               \
	X(__VA_ARGS__, FLAGS, "flags", U32, 0, NULL) /* CTL_F_*, only the command's */         \
	X(__VA_ARGS__, NEW_NAME, "new_name", STR, NAME, "new name") /* RENAME_NS's */          \
	/* label area minor version 1 or 2; 0: keep */                                         \
	X(__VA_ARGS__, LABEL_VERSION, "label_version", U32, 0, NULL)                           \
	X(__VA_ARGS__, COUNT, "count", U32, 0, NULL) /* how many (namespaces destroyed) */     \
	X(__VA_ARGS__, REGION_INFO, "region_info", NEST, region, NULL)                         \
	X(__VA_ARGS__, NS_INFO, "ns_info", NEST, ns, NULL)                                     \
	X(__VA_ARGS__, STATS, "stats", NEST, stats, NULL)                                      \
	X(__VA_ARGS__, INDEX, "index", NEST, index, NULL) /* a namespace index block */        \
	X(__VA_ARGS__, LABEL, "label", NEST, label, NULL) /* a label slot */                   \
	X(__VA_ARGS__, CHECK, "check", NEST, check, NULL) /* check-labels of a region */       \
	/* bytes into the namespace (INJECT_ERROR) */                                          \
	X(__VA_ARGS__, OFFSET, "offset", U64, 0, NULL)                                         \
	X(__VA_ARGS__, LENGTH, "length", U64, 0, NULL) /* bytes (INJECT_ERROR) */              \
	/* parts per million of unflushed pages kept (POWER_FAIL) */                           \
	X(__VA_ARGS__, SURVIVE, "survive", U32, 0, NULL)                                       \
	X(__VA_ARGS__, SEED, "seed", U64, 0, NULL) /* of the survival choice (POWER_FAIL) */   \
	X(__VA_ARGS__, WAIT_MS, "wait_ms", U32, 0, NULL) /* wait for holders to let go */      \
	/* crash at the K-th FSYNC from now (1..); 0 disarms */                                \
	X(__VA_ARGS__, AT_FSYNC, "at_fsync", U32, 0, NULL)                                     \
	X(__VA_ARGS__, CRASH, "crash", NEST, crash, NULL) /* crash-test state and result */    \
	X(__VA_ARGS__, BADBLOCK, "badblock", NEST, bb, NULL) /* one media error range */       \
	X(__VA_ARGS__, DAEMON, "daemon", NEST, daemon, NULL) /* the daemon (STATUS part) */    \
	/* a namespace's status (STATUS part) */                                               \
	X(__VA_ARGS__, NS_STATUS, "ns_status", NEST, nsst, NULL)                               \
	/* QEMU nvdimm slot, 0 to 255 (MOVE_REGION) */                                         \
	X(__VA_ARGS__, NVDIMM_SLOT, "nvdimm_slot", U32, 0, NULL)                             \
	/* CRASH_STATE: the state to apply (0..); reply: the same */                            \
	X(__VA_ARGS__, STATE, "state", U64, 0, NULL)                                           \
	/* CRASH_STATE: enumerate every state up to this many image pages */                   \
	X(__VA_ARGS__, MAX_SUBSET, "max_subset", U32, 0, NULL)                                 \
	/* CRASH_STATE: parts per million of the image's pages torn (sampled) */               \
	X(__VA_ARGS__, TORN, "torn", U32, 0, NULL)                                             \
	/* CRASH_STATE reply: pages in the crash image */                                      \
	X(__VA_ARGS__, IMAGE_PAGES, "image_pages", U64, 0, NULL)                               \
	/* CRASH_STATE reply: states of the image, 0: sampled (too many) */                    \
	X(__VA_ARGS__, STATES, "states", U64, 0, NULL)                                         \
	/* CRASH_STATE reply: pages of the applied state that are new, torn */                 \
	X(__VA_ARGS__, PAGES_NEW, "pages_new", U64, 0, NULL)                                   \
	X(__VA_ARGS__, PAGES_TORN, "pages_torn", U64, 0, NULL)                                 \
	/* CRASH_STATE reply: the applied state's identity (the same id: the same content) */ \
	X(__VA_ARGS__, STATE_ID, "state_id", U64, 0, NULL) \
	X(__VA_ARGS__, HEALTH, "health", NEST, health, NULL) /* a region's (HEALTH part) */ \
	/* BASELINE: at most this many bytes of pages kept; reply: the bound */               \
	X(__VA_ARGS__, BASELINE_MAX, "baseline_max", U64, 0, NULL)                             \
	/* BASELINE reply: pages in the baseline */                                            \
	X(__VA_ARGS__, BASELINE_PAGES, "baseline_pages", U64, 0, NULL)                         \
	/* BASELINE reply: 1: a change was refused at the bound (since the last restore) */    \
	X(__VA_ARGS__, BASELINE_FULL, "baseline_full", U32, 0, NULL)                           \
	/* BASELINE reply: pages the restore put back, its time */                             \
	X(__VA_ARGS__, PAGES_RESTORED, "pages_restored", U64, 0, NULL)                         \
	X(__VA_ARGS__, RESTORE_NS, "restore_ns", U64, 0, NULL)

/*
 * CTL_A_FLAGS bits (enum ctl_flag, CTL_F_ + NAME): X(ctx, NAME, bit,
 * "name"), in bit order; "name" is what messages call it ("flag 'kill'
 * is not valid for create-namespace"). A bit's number is the wire format:
 * never reuse or renumber one.
 */
#define CTL_FLAGS(X, ...)                                                                  \
	X(__VA_ARGS__, READONLY, 0, "read-only") /* create: label flag ROLABEL */            \
	X(__VA_ARGS__, SPARSE, 1, "sparse") /* create: do not preallocate */                 \
	/* create/destroy/disable/init-labels/power-fail */                                    \
	X(__VA_ARGS__, FORCE, 2, "force")                                                      \
	X(__VA_ARGS__, CRASH_TEST, 3, "crash-test") /* create: enable crash testing at once */ \
	X(__VA_ARGS__, KILL, 4, "kill") /* power-fail: SIGKILL the holders first */          \
	X(__VA_ARGS__, ENABLE, 5, "enable") /* power-fail: enable crash testing */           \
	X(__VA_ARGS__, DISABLE, 6, "disable") /* power-fail: disable it (drops the log) */   \
	X(__VA_ARGS__, STATUS, 7, "status") /* power-fail: only report the state */          \
	/* bit 8 is left unused */                                                             \
	X(__VA_ARGS__, UNINJECT, 9, "uninject") /* inject-error: clear the range instead */  \
	X(__VA_ARGS__, CLEAR, 10, "clear") /* inject-error: clear every media error */       \
	/*                                                                                     \
	 * destroy: refuse a served (enabled) namespace even with FORCE (FORCE then           \
	 * overrides only open handles). Without FORCE a daemon refuses a served              \
	 * namespace anyway; pmemctl sends this bit whenever it sends no FORCE so             \
	 * that a daemon older than the rule, which refuses unknown flag bits,                \
	 * never destroys a served namespace for it.                                          \
	 */                                                                                    \
	X(__VA_ARGS__, KEEP_SERVED, 11, "keep-served")                                         \
	/* power-fail: keep a crash image of the pages it reverts (CRASH_STATE) */             \
	X(__VA_ARGS__, IMAGE, 12, "image")                                                     \
	/*                                                                                     \
	 * power-fail with at-fsync: the crash point belongs to the requesting process        \
	 * (crash-test) and lapses once it has exited, so that a crash-test killed by         \
	 * SIGKILL leaves no crash point to kill the next process that FSYNCs                 \
	 */                                                                                    \
	X(__VA_ARGS__, OWNED, 13, "owned")

/* CTL_A_NS_INFO: a namespace (LIST part, CREATE/ENABLE/... reply); ctl_ns_info */
#define CTL_NS_ATTRS(X, ...)                                                                \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region) /* "region0" */              \
	X(__VA_ARGS__, DEV, "dev", STR, DEV, REQ, dev) /* "namespace0.1" */                  \
	X(__VA_ARGS__, NAME, "name", STR, NAME, OPT, name) /* shown name */                  \
	X(__VA_ARGS__, UUID, "uuid", UUID, 0, REQ, uuid)                                     \
	X(__VA_ARGS__, SIZE, "size", U64, 0, REQ, size)                                      \
	X(__VA_ARGS__, DPA, "dpa", U64, 0, OPT, dpa) /* offset in the region's data area */  \
	X(__VA_ARGS__, ALIGN, "align", U64, 0, OPT, align)                                   \
	X(__VA_ARGS__, READONLY, "readonly", BOOL, 0, OPT, readonly)                         \
	/* "active", "disabled", "interleaved", ... */                                       \
	X(__VA_ARGS__, STATE, "state", STR, STATE, OPT, state)                               \
	X(__VA_ARGS__, REASON, "reason", STR, REASON, OPT, reason) /* why not served */      \
	X(__VA_ARGS__, PATH, "path", STR, PATH, OPT, path) /* the file in the mount */       \
	/* crash testing is enabled (served namespaces) */                                   \
	X(__VA_ARGS__, CRASH_TEST, "crash_test", BOOL, 0, OPT, crash_test)                   \
	/* bytes of media errors in its range */                                             \
	X(__VA_ARGS__, BADBLOCKS, "badblocks", U64, 0, OPT, badblocks)

/* CTL_A_REGION_INFO: a region (LIST part, INIT_LABELS reply); ctl_region_info */
#define CTL_REGION_ATTRS(X, ...)                                                            \
	X(__VA_ARGS__, DEV, "dev", STR, DEV, REQ, dev) /* "region0" */                       \
	X(__VA_ARGS__, PATH, "path", STR, PATH, OPT, path) /* the region file */             \
	X(__VA_ARGS__, SIZE, "size", U64, 0, OPT, size) /* data area (dpa space) */          \
	X(__VA_ARGS__, FILE_SIZE, "file_size", U64, 0, OPT, file_size) /* the whole file */  \
	X(__VA_ARGS__, LABEL_SIZE, "label_size", U64, 0, OPT, label_size) /* label area */   \
	/* minor (1 or 2), 0 without labels */                                               \
	X(__VA_ARGS__, LABEL_VERSION, "label_version", U32, 0, OPT, label_version)           \
	X(__VA_ARGS__, AVAILABLE, "available_size", U64, 0, OPT, available)                  \
	X(__VA_ARGS__, MAX_EXTENT, "max_available_extent", U64, 0, OPT, max_extent)          \
	X(__VA_ARGS__, ISET_ID, "iset_id", U64, 0, OPT, iset_id) /* interleave-set cookie */

/* FUSE request types counted per namespace (CTL_STATS_A_REQUESTS): X(ctx, NAME, "name") */
#define CTL_STAT_REQS(X, ...)                    \
	X(__VA_ARGS__, LOOKUP, "lookup")         \
	X(__VA_ARGS__, GETATTR, "getattr")       \
	X(__VA_ARGS__, SETATTR, "setattr")       \
	X(__VA_ARGS__, OPEN, "open")             \
	X(__VA_ARGS__, READ, "read")             \
	X(__VA_ARGS__, WRITE, "write")           \
	X(__VA_ARGS__, FLUSH, "flush")           \
	X(__VA_ARGS__, FSYNC, "fsync")           \
	X(__VA_ARGS__, FALLOCATE, "fallocate")   \
	X(__VA_ARGS__, RELEASE, "release")       \
	X(__VA_ARGS__, OTHER, "other")

/* CTL_A_STATS: one namespace's counters (STATS part); ctl_stats_info */
#define CTL_STATS_ATTRS(X, ...)                                                             \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region)                              \
	X(__VA_ARGS__, DEV, "dev", STR, DEV, REQ, dev)                                       \
	X(__VA_ARGS__, NAME, "name", STR, NAME, OPT, name)                                   \
	X(__VA_ARGS__, REQUESTS, "requests", NEST, req, OPT, requests) /* CTL_REQ_* -> u64 */ \
	X(__VA_ARGS__, BYTES_READ, "bytes_read", U64, 0, OPT, bytes_read)                    \
	X(__VA_ARGS__, BYTES_WRITTEN, "bytes_written", U64, 0, OPT, bytes_written)           \
	X(__VA_ARGS__, BYTES_PERSISTED, "bytes_persisted", U64, 0, OPT, bytes_persisted)     \
	X(__VA_ARGS__, FSYNCS, "fsyncs", U64, 0, OPT, fsyncs)                                \
	X(__VA_ARGS__, ERRORS, "errors", U64, 0, OPT, errors)                                \
	/* bucket + 1 -> u64 (CTL_HIST_BUCKETS) */                                           \
	X(__VA_ARGS__, FLUSH_HIST, "flush_hist", NEST, hist, OPT, flush_hist)

/* CTL_A_INDEX: one namespace index block as read (READ_LABELS part); ctl_index_info */
#define CTL_INDEX_ATTRS(X, ...)                                                             \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region)                              \
	X(__VA_ARGS__, NUM, "num", U32, 0, REQ, num) /* 0 or 1 */                            \
	X(__VA_ARGS__, VALID, "valid", BOOL, 0, REQ, valid)                                  \
	X(__VA_ARGS__, CURRENT, "current", BOOL, 0, OPT, current) /* the current index */    \
	X(__VA_ARGS__, REASON, "reason", STR, REASON, OPT, reason) /* why it is invalid */   \
	X(__VA_ARGS__, SEQ, "seq", U32, 0, OPT, seq)                                         \
	X(__VA_ARGS__, MYOFF, "myoff", U64, 0, OPT, myoff)                                   \
	X(__VA_ARGS__, MYSIZE, "mysize", U64, 0, OPT, mysize)                                \
	X(__VA_ARGS__, OTHEROFF, "otheroff", U64, 0, OPT, otheroff)                          \
	X(__VA_ARGS__, LABELOFF, "labeloff", U64, 0, OPT, labeloff)                          \
	X(__VA_ARGS__, NSLOT, "nslot", U32, 0, OPT, nslot)                                   \
	X(__VA_ARGS__, MAJOR, "major", U32, 0, OPT, major)                                   \
	X(__VA_ARGS__, MINOR, "minor", U32, 0, OPT, minor)                                   \
	X(__VA_ARGS__, LABEL_SIZE, "labelsize", U32, 0, OPT, label_size) /* per label */     \
	X(__VA_ARGS__, CHECKSUM, "checksum", U64, 0, OPT, checksum)                          \
	X(__VA_ARGS__, FREE, "free", U32, 0, OPT, free) /* free slots */

/* CTL_A_LABEL: one used label slot of the current index (READ_LABELS part) */
#define CTL_LABEL_ATTRS(X, ...)                                                             \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region)                              \
	X(__VA_ARGS__, SLOT, "slot", U32, 0, REQ, slot)                                      \
	X(__VA_ARGS__, VALID, "valid", BOOL, 0, REQ, valid)                                  \
	X(__VA_ARGS__, REASON, "reason", STR, REASON, OPT, reason) /* why it is invalid */   \
	X(__VA_ARGS__, UUID, "uuid", UUID, 0, OPT, uuid)                                     \
	X(__VA_ARGS__, NAME, "name", STR, NAME, OPT, name) /* as on media */                 \
	X(__VA_ARGS__, FLAGS, "flags", U32, 0, OPT, flags)                                   \
	X(__VA_ARGS__, NLABEL, "nlabel", U32, 0, OPT, nlabel)                                \
	X(__VA_ARGS__, POSITION, "position", U32, 0, OPT, position)                          \
	X(__VA_ARGS__, ISETCOOKIE, "isetcookie", U64, 0, OPT, isetcookie)                    \
	X(__VA_ARGS__, LBASIZE, "lbasize", U64, 0, OPT, lbasize)                             \
	X(__VA_ARGS__, DPA, "dpa", U64, 0, OPT, dpa)                                         \
	X(__VA_ARGS__, RAWSIZE, "rawsize", U64, 0, OPT, rawsize)                             \
	X(__VA_ARGS__, TYPE_GUID, "type_guid", UUID, 0, OPT, type_guid) /* v1.2 */           \
	/* v1.2 */                                                                           \
	X(__VA_ARGS__, ABSTRACTION_GUID, "abstraction_guid", UUID, 0, OPT, abstraction_guid) \
	X(__VA_ARGS__, CHECKSUM, "checksum", U64, 0, OPT, checksum) /* v1.2 */

/* CTL_A_CHECK: check-labels result of one region (CHECK_LABELS part) */
#define CTL_CHECK_ATTRS(X, ...)                                                             \
	X(__VA_ARGS__, REGION, "region", STR, DEV, REQ, region)                              \
	X(__VA_ARGS__, OK, "ok", BOOL, 0, REQ, ok)                                           \
	X(__VA_ARGS__, LABELS, "labels", U32, 0, OPT, labels) /* labels verified */          \
	/* one problem a line */                                                             \
	X(__VA_ARGS__, PROBLEMS, "problems", STR, PROBLEMS, OPT, problems)                   \
	/* bytes of injected media errors */                                                 \
	X(__VA_ARGS__, BADBLOCKS, "badblocks", U64, 0, OPT, badblocks)

/* CTL_A_CRASH: a namespace's crash-test state (POWER_FAIL reply) */
#define CTL_CRASH_ATTRS(X, ...)                                                             \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region)                              \
	X(__VA_ARGS__, DEV, "dev", STR, DEV, REQ, dev)                                       \
	X(__VA_ARGS__, NAME, "name", STR, NAME, OPT, name)                                   \
	X(__VA_ARGS__, ENABLED, "enabled", BOOL, 0, REQ, enabled)                            \
	/* "reverted", "armed", "enabled", ... */                                            \
	X(__VA_ARGS__, ACTION, "action", STR, STATE, OPT, action)                            \
	/* pages in the undo log now */                                                      \
	X(__VA_ARGS__, PAGES_LOGGED, "pages_logged", U64, 0, OPT, pages_logged)              \
	/* of this revert */                                                                 \
	X(__VA_ARGS__, PAGES_REVERTED, "pages_reverted", U64, 0, OPT, pages_reverted)        \
	/* of this revert (survivors) */                                                     \
	X(__VA_ARGS__, PAGES_KEPT, "pages_kept", U64, 0, OPT, pages_kept)                    \
	/* FSYNCs completed since enabling */                                                \
	X(__VA_ARGS__, FSYNCS, "fsyncs", U64, 0, OPT, fsyncs)                                \
	/* power failures since enabling */                                                  \
	X(__VA_ARGS__, REVERTS, "reverts", U64, 0, OPT, reverts)                             \
	X(__VA_ARGS__, TIME_NS, "time_ns", U64, 0, OPT, time_ns) /* this revert took */      \
	/* armed: crash at the K-th FSYNC from now */                                        \
	X(__VA_ARGS__, AT_FSYNC, "at_fsync", U32, 0, OPT, at_fsync)                          \
	X(__VA_ARGS__, KILLED, "killed", U32, 0, OPT, killed) /* processes killed (--kill) */ \
	/*                                                                                   \
	 * a power failure is being reverted now (WRITEs are discarded until it is          \
	 * done; reverts counts it once done). Not whether the namespace crashed:           \
	 * pmemctl shows that as "crashed" (reverts > 0).                                    \
	 */                                                                                  \
	X(__VA_ARGS__, REVERTING, "reverting", BOOL, 0, OPT, reverting)

/* CTL_A_BADBLOCK: one media error range (INJECT_ERROR and LIST parts) */
#define CTL_BB_ATTRS(X, ...)                                                                \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region)                              \
	/* the namespace (INJECT_ERROR); absent in LIST */                                   \
	X(__VA_ARGS__, DEV, "dev", STR, DEV, OPT, dev)                                       \
	/* bytes into the namespace, or in LIST into the region's data area */               \
	X(__VA_ARGS__, OFFSET, "offset", U64, 0, REQ, offset)                                \
	X(__VA_ARGS__, LENGTH, "length", U64, 0, REQ, length) /* whole 512-byte blocks */

/* CTL_A_DAEMON: the daemon of the mount (STATUS part) */
#define CTL_DAEMON_ATTRS(X, ...)                                                            \
	X(__VA_ARGS__, PID, "pid", U32, 0, REQ, pid)                                         \
	/* since the process started */                                                      \
	X(__VA_ARGS__, UPTIME_MS, "uptime_ms", U64, 0, OPT, uptime_ms)                       \
	X(__VA_ARGS__, MOUNT, "mount", STR, PATH, OPT, mount) /* the mount point */          \
	/* cachestat(2) works (Linux >= 6.5) */                                              \
	X(__VA_ARGS__, CACHESTAT, "cachestat", BOOL, 0, OPT, cachestat)

/* CTL_A_NS_STATUS: a served namespace's status (STATUS part) */
#define CTL_NSST_ATTRS(X, ...)                                                              \
	X(__VA_ARGS__, REGION, "region", STR, DEV, OPT, region)                              \
	X(__VA_ARGS__, DEV, "dev", STR, DEV, REQ, dev)                                       \
	X(__VA_ARGS__, NAME, "name", STR, NAME, OPT, name)                                   \
	/* pids, space separated ("" none) */                                                \
	X(__VA_ARGS__, HOLDERS, "holders", STR, ERRMSG, OPT, holders)                        \
	/* the mount's device is known */                                                    \
	X(__VA_ARGS__, HOLDERS_KNOWN, "holders_known", BOOL, 0, OPT, holders_known)          \
	/* open handles (OPEN minus RELEASE) */                                              \
	X(__VA_ARGS__, HANDLES, "handles", U32, 0, OPT, handles)                             \
	/* bytes written since the last persist */                                           \
	X(__VA_ARGS__, UNPERSISTED, "unpersisted", U64, 0, OPT, unpersisted)                 \
	/* dirty + writeback bytes (cachestat) */                                            \
	X(__VA_ARGS__, CACHE_DIRTY, "cache_dirty", U64, 0, OPT, cache_dirty)                 \
	/* CACHE_DIRTY was measured */                                                       \
	X(__VA_ARGS__, CACHE_KNOWN, "cache_known", BOOL, 0, OPT, cache_known)                \
	X(__VA_ARGS__, ERROR, "error", U32, 0, OPT, error) /* sticky errno, 0 = fine */      \
	X(__VA_ARGS__, CRASH_ENABLED, "crash_enabled", BOOL, 0, OPT, crash_enabled)          \
	/* armed crash, 0 = none */                                                          \
	X(__VA_ARGS__, CRASH_AT_FSYNC, "crash_at_fsync", U32, 0, OPT, crash_at_fsync)        \
	/* pages in the undo log */                                                          \
	X(__VA_ARGS__, CRASH_LOGGED, "crash_logged", U64, 0, OPT, crash_logged)              \
	/* a power failure since crash testing was enabled */                                \
	X(__VA_ARGS__, CRASHED, "crashed", BOOL, 0, OPT, crashed)                            \
	X(__VA_ARGS__, BADBLOCKS, "badblocks", U64, 0, OPT, badblocks) /* media errors */    \
	/* "direct" or "buffered" */                                                         \
	X(__VA_ARGS__, BACKING, "backing", STR, STATE, OPT, backing)                         \
	/* dirty bytes of the holders' mappings */                                           \
	X(__VA_ARGS__, MAPPED_DIRTY, "mapped_dirty", U64, 0, OPT, mapped_dirty)

/* CTL_A_HEALTH: a region's health, ndctl's DIMM health (HEALTH part; ns/health.h) */
#define CTL_HEALTH_ATTRS(X, ...)                                                            \
	X(__VA_ARGS__, REGION, "region", STR, DEV, REQ, region)                              \
	/* shutdown_count is known ("unknown": its file could not be read) */                \
	X(__VA_ARGS__, COUNT_KNOWN, "count_known", BOOL, 0, OPT, count_known)                \
	/* simulated power failures and unclean ends of the daemon */                        \
	X(__VA_ARGS__, SHUTDOWN_COUNT, "shutdown_count", U64, 0, OPT, shutdown_count)        \
	/* the last shutdown's state is known */                                             \
	X(__VA_ARGS__, STATE_KNOWN, "state_known", BOOL, 0, OPT, state_known)                \
	X(__VA_ARGS__, DIRTY, "dirty", BOOL, 0, OPT, dirty) /* the last shutdown was */      \
	/* read-only: counts nothing */                                                      \
	X(__VA_ARGS__, READONLY, "readonly", BOOL, 0, OPT, readonly)                         \
	/* why the count is unknown */                                                       \
	X(__VA_ARGS__, NOTE, "note", STR, REASON, OPT, note)

/* the enum constant of one list line: CTL_NS_ATTRS(CTL_SCHEMA_ENUM, CTL_NS_A_) */
#define CTL_SCHEMA_ENUM(prefix, NAME, ...) prefix##NAME,

#endif
