/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB: every route the control thread knows (connected, local, static,
 * and each BGP peer's Adj-RIB-In), the best one per prefix, and the FIB
 * changes that follow from it, sent as route ops. Pure control-plane code:
 * no sockets, no DPDK calls (route ops leave through a callback).
 *
 * Preference: connected/local > static > BGP; among BGP paths the RFC 4271
 * §9.1.2 decision process (LOCAL_PREF as we assign it, AS_PATH length,
 * ORIGIN, MED among paths from the same neighbouring AS, eBGP over iBGP,
 * lowest BGP Identifier, lowest peer address).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_msg.h"
#include "route_op.h"

#define RIB_MAX_PEERS 64

/* Where a route came from, best first. */
enum rib_source {
	RIB_SRC_CONNECTED = 0, /* a port's subnet, and our own /32s */
	RIB_SRC_STATIC = 1,
	RIB_SRC_BGP = 2,
};

/*
 * The attributes of a BGP path, kept compact and interned: identical sets
 * (from any UPDATE of any peer) are one refcounted copy, as in BIRD and
 * OpenBGPD, so that a peer sending one prefix per UPDATE with the same
 * attributes costs one copy, not one per prefix. Made from a decoded
 * struct bgp_path_attrs by rib_attrs_new(); read-only once made.
 */
struct rib_attrs {
	uint32_t refcnt;
	uint32_t hash;		/* of key[], for the intern table */
	struct rib_attrs *next;	/* in its intern table bucket */
	uint32_t next_hop;
	uint32_t med;
	uint32_t local_pref;	/* what we use: 100 for eBGP paths */
	uint32_t neighbor_as;	/* first AS of the path (0 if none) */
	uint16_t as_path_len;	/* for the decision process */
	uint8_t origin;
	bool has_med;
	uint16_t n_communities;
	uint32_t *communities;	/* in key[] */
	char *as_path;		/* "65001 65002 {65003}", for display; in key[] */
	uint32_t key_len;
	/* What makes two sets equal: next hop, MED, LOCAL_PREF, ORIGIN,
	 * communities, then the path's text (which says all the decision
	 * process and the display use of it). */
	uint8_t key[];
};

/* What the interned attributes cost: for telemetry. */
struct rib_attrs_stats {
	uint64_t sets;	/* distinct attribute sets */
	uint64_t refs;	/* references to them (paths, UPDATEs being handled) */
	uint64_t bytes;	/* their memory, with the intern table's */
};

/* One peer as the RIB sees it. */
struct rib_peer_info {
	uint32_t address;
	uint32_t bgp_id;	/* set when the session comes up */
	uint32_t asn;
	uint32_t max_prefixes;	/* routes accepted into its Adj-RIB-In */
};

struct rib_peer_stats {
	uint64_t accepted;	/* prefixes in its Adj-RIB-In now */
	uint64_t best;		/* of those, how many are the best path */
	uint64_t rejected_limit; /* announcements not accepted: over max_prefixes */
	uint64_t rejected_loop;	/* AS_PATH holding our ASN */
	uint64_t withdrawn;	/* withdrawals applied */
};

/* Route ops go out through this (to a route_sender in vbrd, to a recorder in
 * tests). Returns 0 or a negative errno. It must not call back into the RIB.
 *
 * When it fails, the call that emitted returns its error, but the RIB change
 * itself is kept (a path stays accepted, a withdrawal stays done): the RIB
 * remembers that the FIB lags for that prefix, rib_fib_pending() counts such
 * prefixes and rib_fib_sync() emits what they need. Functions returning void
 * (rib_peer_down, rib_set_bgp_port) leave their failures to rib_fib_sync() as
 * well. */
typedef int (*rib_emit_fn)(const struct route_op *op, void *arg);

struct rib;

struct rib *rib_create(uint32_t local_asn, rib_emit_fn emit, void *emit_arg);
void rib_destroy(struct rib *r);

/* Connected/local and static routes. nh_type/port/gateway as in route_op
 * (nh_type NH_GATEWAY..NH_BLACKHOLE). Adding an existing prefix of the same
 * source replaces it. -EINVAL for another source or a bad prefix (len > 32,
 * bits set past len); rib_local_del: -ENOENT when there is no such route. */
int rib_local_add(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len,
		uint8_t nh_type, uint8_t port, uint32_t gateway);
int rib_local_del(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len);

/* Peers are slots 0..RIB_MAX_PEERS-1; a slot takes announcements once set.
 * Setting it again (each time the session comes up) updates the info: a new
 * bgp_id re-ranks the peer's paths; a lower max_prefixes keeps the routes
 * already held and only refuses new ones; a different address means another
 * router, so the old one's routes leave and the slot's counters restart.
 * Counters otherwise run across sessions. */
int rib_peer_set(struct rib *r, unsigned peer, const struct rib_peer_info *info);

/* Port through which BGP next hops resolve (the IDC port). */
void rib_set_bgp_port(struct rib *r, uint8_t port);

/* The shared attributes of an UPDATE: a new reference to the interned
 * copy (NULL with errno ENOMEM or EINVAL). next_hop is NEXT_HOP's, or
 * MP_REACH_NLRI's when there is no NEXT_HOP. The intern table is the
 * process's: only the control thread (or a test) uses it. */
struct rib_attrs *rib_attrs_new(const struct bgp_path_attrs *a, bool ebgp);
/* One more reference (returns a; NULL-safe). */
struct rib_attrs *rib_attrs_get(struct rib_attrs *a);
/* The last reference frees the set. */
void rib_attrs_put(struct rib_attrs *a);
void rib_attrs_stats(struct rib_attrs_stats *st);

enum rib_update_result {
	RIB_ACCEPTED = 0,	/* in the Adj-RIB-In (new or replaced) */
	RIB_OVER_LIMIT = 1,	/* not accepted: the peer is at max_prefixes */
	RIB_LOOP = 2,		/* not accepted: our ASN in the path */
	RIB_NO_MEMORY = 3,	/* not accepted: no memory to store it (the RIB is as before) */
};

/* An announcement from peer: takes its own reference on attrs. Returns an
 * enum rib_update_result (>= 0) or a negative errno (-EINVAL: bad slot, NULL
 * attrs, len > 32 or bits set past len; -ENOENT: slot never set; or the emit
 * callback's error). A prefix that was in the Adj-RIB-In and comes again
 * with a path we do not accept (loop) is withdrawn (counted in
 * rejected_loop, not in withdrawn). Out of memory is a result, not an
 * errno, so that it is never mistaken for the emit callback's -ENOMEM (the
 * FIB lagging, which the RIB retries itself): the caller must act on it. */
int rib_bgp_announce(struct rib *r, unsigned peer, uint32_t prefix, uint8_t len,
		struct rib_attrs *attrs, bool loop);

/* A withdrawal (a prefix the peer did not announce is no error: 0). */
int rib_bgp_withdraw(struct rib *r, unsigned peer, uint32_t prefix, uint8_t len);

/* The session is down: all of the peer's routes leave. */
void rib_peer_down(struct rib *r, unsigned peer);

void rib_peer_stats(const struct rib *r, unsigned peer, struct rib_peer_stats *st);

/* Every prefix with its best route, for display, in no particular order.
 * best_peer is -1 for a connected or static route (attrs NULL, next_hop the
 * gateway given to rib_local_add). cb returns non-zero to stop: rib_walk
 * then returns that value. cb must not change the RIB. */
typedef int (*rib_walk_fn)(uint32_t prefix, uint8_t len, enum rib_source src, int best_peer,
		const struct rib_attrs *attrs, uint32_t next_hop, void *arg);
int rib_walk(const struct rib *r, rib_walk_fn cb, void *arg);

/* Number of prefixes with at least one route. */
size_t rib_size(const struct rib *r);

/* Bytes the RIB's own tables take (entries, index, path arrays), without
 * the attributes (rib_attrs_stats()). */
size_t rib_memory(const struct rib *r);

/* Prefixes whose FIB state lags their best route after an emit failure. */
size_t rib_fib_pending(const struct rib *r);

/* Emit what those prefixes need: 0, or the first emit error (the rest stay
 * pending for the next call). */
int rib_fib_sync(struct rib *r);
