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

/* Room for n prefixes made now, and kept: a full table arrives without the
 * index growing (each doubling rehashes it whole, hundreds of ms at 1M).
 * Memory is touched only as prefixes come. 0 or -ENOMEM. */
int rib_reserve(struct rib *r, uint32_t n);

/* Connected/local and static routes. nh_type/port/gateway as in route_op
 * (nh_type NH_GATEWAY..NH_BLACKHOLE). Adding an existing prefix of the same
 * source replaces it. -EINVAL for another source or a bad prefix (len > 32,
 * bits set past len); rib_local_del: -ENOENT when there is no such route. */
int rib_local_add(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len,
		uint8_t nh_type, uint8_t port, uint32_t gateway);
/* The same through several gateways on port (a static route's next_hops:
 * ECMP): gw[0..n), 1 <= n <= ROUTE_OP_MAX_GW, distinct and not 0 (else
 * -EINVAL); n == 1 is rib_local_add(NH_GATEWAY). -ENOMEM, or the emit
 * callback's error. */
int rib_local_add_group(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len,
	uint8_t port, const uint32_t *gw, unsigned n);
int rib_local_del(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len);

/* Peers are slots 0..RIB_MAX_PEERS-1; a slot takes announcements once set.
 * Setting it again (each time the session comes up) updates the info: a new
 * bgp_id re-ranks the peer's paths; a lower max_prefixes keeps the routes
 * already held and only refuses new ones; a different address means another
 * router, so the old one's routes leave and the slot's counters restart.
 * Counters otherwise run across sessions. */
int rib_peer_set(struct rib *r, unsigned peer, const struct rib_peer_info *info);

/* The address a slot was last set with (0: never set), for display. */
uint32_t rib_peer_address(const struct rib *r, unsigned peer);

/* The peer is gone (deleted): its routes leave, its counters restart and
 * the slot takes no announcement until it is set again. */
void rib_peer_clear(struct rib *r, unsigned peer);

/* Port through which BGP next hops resolve (the IDC port). */
void rib_set_bgp_port(struct rib *r, uint8_t port);

/*
 * BGP multipath (ECMP): each prefix's FIB entry is its best path and up to
 * n - 1 more (1 <= n <= ROUTE_OP_MAX_GW; 1, the default: the best alone)
 * that the RFC 4271 §9.1.2.2 steps before the tie-breaks do not tell from
 * it (LOCAL_PREF, AS_PATH length, ORIGIN, MED as compared there), from the
 * same neighbouring AS unless relax, with distinct next hops, ranked by the
 * tie-breaks. A set of two or more goes to the FIB as a next-hop group.
 * -EINVAL for n out of range.
 */
int rib_set_multipath(struct rib *r, unsigned n, bool relax);

/*
 * Next-hop groups the FIB cannot hold. When the FIB refuses a prefix's group
 * (no group or next-hop id left), the prefix goes to the FIB at once by the
 * first of its set alone (its best path; a static route's first next hop),
 * "degraded", and its group is sent again with the refused prefixes
 * (rib_fib_retry). A group the FIB keeps stands for the prefix only while
 * it is the set the prefix wants: a member that lost its path (peer down,
 * BFD, a static next hop's track) never keeps flows.
 *
 * The RIB asks for at most a limit of distinct groups (sets in use by any
 * prefix, static or BGP): a prefix whose BGP multipath set is new while
 * that many are in use is degraded without asking the FIB. Sets already in
 * use are shared at no cost; static routes' next_hops are never held back,
 * so they find the FIB's last groups free. The default leaves 64 of the
 * FIB's FIB_GROUPS_DEFAULT (1024) to them.
 */
#define RIB_GROUPS_DEFAULT 960

/* The limit (0: no BGP group at all); a lower one keeps the groups in use,
 * a higher one lets degraded prefixes in at the next retry. -EINVAL: r NULL. */
int rib_set_group_limit(struct rib *r, uint32_t n);

/* The gateways the FIB is to hold for prefix/len when its best route is a
 * group (the multipath set, best first, or a static route's next_hops);
 * how many (0: not a group, or no such prefix). */
unsigned rib_best_gateways(
	const struct rib *r, uint32_t prefix, uint8_t len, uint32_t gw[ROUTE_OP_MAX_GW]);

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

/* Brings prefix/len's index slot into the cache: called a few prefixes
 * ahead of the change, it overlaps the cache misses of a full table's
 * UPDATEs (one per prefix otherwise, the control thread's largest cost). */
void rib_prefetch(const struct rib *r, uint32_t prefix, uint8_t len);
#define RIB_PREFETCH_AHEAD 8u

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

/* Every prefix with all its routes (connected, static, one per BGP peer),
 * the best one marked, for `show routes`. Paths of a prefix are given in
 * one call; cb returns non-zero to stop (rib_walk_paths returns it). */
struct rib_path_info {
	enum rib_source src;
	int peer;			/* BGP: the peer's slot; else -1 */
	uint32_t next_hop;		/* BGP: attrs' NEXT_HOP; static: the gateway (the first) */
	const struct rib_attrs *attrs;	/* BGP; else NULL */
	bool best;
	/* BGP: one of the multipath set in the FIB besides the best. */
	bool multipath;
	/* Static: its next_hops (ECMP), in the config's order; 0: next_hop alone. */
	uint8_t n_gateways;
	uint32_t gateways[ROUTE_OP_MAX_GW];
};
typedef int (*rib_paths_fn)(uint32_t prefix, uint8_t len, const struct rib_path_info *paths,
		unsigned n, void *arg);
int rib_walk_paths(const struct rib *r, rib_paths_fn cb, void *arg);

/* Number of prefixes with at least one route. */
size_t rib_size(const struct rib *r);

/* The longest probe sequence of the prefix index: how many slots past its
 * home slot the farthest prefix sits. A measure of the hash's quality
 * against chosen prefixes (tests, benchmarks); linear in the table's size. */
uint32_t rib_hash_max_probe(const struct rib *r);

/* Bytes the RIB's own tables take (entries, index, path arrays), without
 * the attributes (rib_attrs_stats()). */
size_t rib_memory(const struct rib *r);

/* Prefixes whose FIB state lags their best route after an emit failure. */
size_t rib_fib_pending(const struct rib *r);

/* Emit what those prefixes need: 0, or the first emit error (the rest stay
 * pending for the next call). */
int rib_fib_sync(struct rib *r);

/*
 * The FIB's answers. Once rib_fib_track() is called (before any route), every
 * op the RIB emits asks the FIB writer for its outcome (ROUTE_OP_F_RESULT),
 * and each answer must come back through rib_fib_result(), in the order the
 * writer gives them. A prefix then has at most one op on its way: a change
 * meanwhile waits for the answer, then goes as one op (flaps coalesce).
 *
 * A prefix whose best route the FIB refused (no next-hop id, no table room)
 * stays in the RIB as best, is counted as not in the FIB, and is sent again
 * by rib_fib_retry(): 1 s after the refusal, then at intervals doubling to
 * 60 s, and at once whenever room may have freed (a route left the FIB) or a
 * retry got routes in. If the FIB keeps an older next hop the prefix no
 * longer has, the RIB takes the prefix out of the FIB meanwhile.
 */
int rib_fib_track(struct rib *r);

/* One answer of the FIB writer; now_ms: a monotonic clock in ms. */
void rib_fib_result(struct rib *r, const struct route_result *res, uint64_t now_ms);

/* Sends refused prefixes again when it is time (call it every tick): the
 * number of ops sent, or the first emit error. */
int rib_fib_retry(struct rib *r, uint64_t now_ms);

#define RIB_RETRY_MIN_MS 1000
#define RIB_RETRY_MAX_MS 60000

struct rib_fib_stats {
	uint64_t in_flight;	   /* prefixes with an op on its way, answer awaited */
	uint64_t refused;	   /* prefixes whose best route the FIB refused, now */
	uint64_t not_in_fib;	   /* best routes the FIB lacks now: refused, or not sent (backlog full) */
	uint64_t answers;	   /* answers received */
	uint64_t refused_nexthops; /* answers: refused, no next-hop id left */
	uint64_t refused_table;	   /* answers: refused, no table room */
	uint64_t refused_invalid;  /* answers: refused, malformed (a bug) */
	uint64_t retries;	   /* ops sent again for refused prefixes */
	uint64_t recovered;	   /* refused prefixes that got into the FIB later */
	uint64_t retry_in_ms;	   /* until the next timed retry (0: none due) */
	uint64_t retry_interval_ms; /* the current interval between timed retries */
	uint64_t groups;	    /* distinct next-hop groups the FIB holds or is asked for */
	uint64_t groups_limit;	    /* rib_set_group_limit() */
	uint64_t groups_degraded;   /* prefixes by one path instead of their group, now */
};

void rib_fib_stats(const struct rib *r, uint64_t now_ms, struct rib_fib_stats *st);

/* Prefixes with an op on its way (the caller polls for answers meanwhile). */
size_t rib_fib_in_flight(const struct rib *r);

/*
 * FIB == RIB, checked. The RIB compares every prefix's best route with what
 * the FIB holds, and every FIB route with the RIB; a prefix with an op on its
 * way counts as in flight, one the FIB refused (or that waits for room on the
 * route ring) as not in the FIB, one whose group waits while the first of
 * its set carries it as degraded, a neighbour's /32 that the FIB made itself
 * as an adjacency; anything else is a difference (a bug).
 */
struct rib_nexthop {
	uint32_t gateway; /* NH_GATEWAY only */
	uint8_t type;	  /* enum nh_type; NH_NONE: no route */
	uint8_t port;
	uint8_t n_members; /* NH_GROUP: members[0..n), sorted */
	uint32_t members[ROUTE_OP_MAX_GW];
};

/* The FIB as the check reads it (the caller keeps it still meanwhile). */
struct rib_fib_view {
	/* Calls cb for every FIB route, once, adjacency true for a
	 * neighbour's /32 the FIB made itself; stops when cb returns non-zero. */
	int (*walk)(void *arg,
		int (*cb)(void *cbarg, uint32_t prefix, uint8_t len, const struct rib_nexthop *nh,
			bool adjacency),
		void *cbarg);
	void *arg;
};

enum rib_diff_kind {
	RIB_DIFF_NEXT_HOP = 0, /* the FIB routes the prefix elsewhere */
	RIB_DIFF_MISSING = 1,  /* the RIB has a best route, the FIB nothing */
	RIB_DIFF_EXTRA = 2,    /* the FIB has a route the RIB does not */
};

#define RIB_CHECK_DIFFS 8

struct rib_check_diff {
	uint32_t prefix;
	uint8_t len;
	uint8_t kind; /* enum rib_diff_kind */
	struct rib_nexthop rib, fib;
};

struct rib_check_report {
	uint64_t checked;     /* prefixes compared (RIB's and FIB-only ones) */
	uint64_t differences; /* unexplained: a bug */
	uint64_t in_flight;   /* prefixes with an op on its way */
	uint64_t not_in_fib;  /* refused or unsent, as the RIB knows */
	uint64_t adjacencies; /* neighbours' /32s the FIB made */
	uint64_t degraded;    /* by the first of their set while the group waits */
	unsigned n_diffs;     /* the first differences, in diffs[] */
	struct rib_check_diff diffs[RIB_CHECK_DIFFS];
};

int rib_fib_check(
	const struct rib *r, const struct rib_fib_view *fib, struct rib_check_report *rep);
