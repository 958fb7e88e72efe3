/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB: longest-prefix match from an IPv4 destination to a next-hop id,
 * and the next-hop table those ids index. Forwarding lcores only read it;
 * one writer (the main lcore) changes it, fed by route ops from the route
 * ring. Readers never see a freed or half-written entry: see dir24.h for the
 * engine and how it uses RCU (rte_rcu_qsbr).
 *
 * Reader contract: each forwarding lcore registers its lcore id with
 * fib_reader_register(), calls fib_lookup_bulk() and fib_nexthop() freely
 * inside a loop iteration, and calls fib_reader_quiescent() once per loop,
 * when it holds no pointer or id obtained from the FIB.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include "dir24.h"
#include "fib_group.h"
#include "route_op.h"

#define FIB_NH_NONE 0u /* id returned for "no route" */

/* A grace period (every forwarding lcore passing a quiescent state) takes
 * microseconds; one that lasts this long means a forwarding lcore is stuck.
 * The writer then logs and counts a stall, and goes on waiting: it never
 * frees what a reader may still use. */
#define FIB_GRACE_STALL_MS 1000

/* Next-hop table entry. Written by the FIB writer only. */
struct nexthop {
	/* MAC and state packed for single-copy atomic reads by readers:
	 * bits 0..47 the MAC (rte_ether_addr byte order, as loaded from
	 * memory), bit 63 NH_MAC_VALID. Read with __atomic_load_n(ACQUIRE). */
	uint64_t mac_state;
	uint32_t addr;	 /* gateway (GATEWAY) or 0 */
	uint8_t port;	 /* enum vbr_port_id */
	uint8_t probes;	 /* ARP probes unanswered since its MAC was confirmed (main lcore) */
	uint8_t type;	 /* enum nh_type */
	uint8_t flags;	 /* NH_F_* (writer's bookkeeping) */
	uint32_t refcnt; /* routes using it (writer only) */
	uint32_t confirmed_s;  /* when its MAC was last confirmed (s, timer clock) */
	uint64_t last_request; /* TSC of the last ARP request sent for it (main lcore) */
} __rte_aligned(32);

#define NH_MAC_VALID (1ull << 63)
#define NH_F_STATIC 0x01  /* MAC from config: learning does not override */
/* Its addr/32 in the FIB is the neighbour's adjacency (origin: the
 * neighbour), not a route of the RIB's: forgetting the neighbour removes it,
 * and the RIB's own addr/32 replaces it (and gives it back when withdrawn). */
#define NH_F_ADJ 0x02
/* A neighbour learned from ARP: it holds its id, counts against its port's
 * cap (fib_neigh_set_max) and goes with fib_neigh_forget(). */
#define NH_F_LEARNED 0x04

/*
 * A next-hop group (NH_GROUP; its next hop's addr is the group's index):
 * ECMP over 2..FIB_GROUP_MAX gateways of one port, each an ordinary
 * NH_GATEWAY next hop that the group holds a reference to. Written once,
 * before any route points at it, by the writer only; reused only after a
 * grace period once no route uses it.
 */
struct fib_group {
	uint32_t member[FIB_GROUP_MAX];	   /* next-hop ids, in the order of their addresses */
	uint8_t n;			   /* members */
	uint8_t bucket[FIB_GROUP_BUCKETS]; /* flow hash -> index into member[] */
} __rte_cache_aligned;

struct fib_params {
	const char *name;	/* unique memzone prefix */
	int socket_id;
	uint32_t max_routes;	/* >= 1M for a full table */
	uint32_t max_tbl8;	/* tbl8 groups: /24s holding routes longer than /24 */
	uint32_t max_nexthops;	/* next-hop table size (ids 1..max-1) */
	uint32_t ring_size;	/* route ring, power of two */
	uint32_t grace_stall_ms; /* a longer grace period is a stall (0: FIB_GRACE_STALL_MS) */
	uint32_t max_groups;	 /* next-hop groups (0: FIB_GROUPS_DEFAULT) */
};

/* Distinct member sets of 8 peers' next hops are at most 247; static routes
 * add theirs. */
#define FIB_GROUPS_DEFAULT 1024

struct fib_stats {
	uint64_t routes;	 /* prefixes installed */
	uint64_t nexthops;	 /* next-hop ids in use */
	uint64_t ops_applied;	 /* route ops applied (each once, whatever the engine does) */
	uint64_t ops_failed;	 /* ops the engine refused (table full, ...) */
	uint64_t refused_nexthops; /* of those: adds with no next-hop id left */
	uint64_t refused_table;	   /* of those: adds with no room in the tables */
	uint64_t batches;	 /* batches applied */
	uint64_t ring_pending;	 /* ops waiting on the ring */
	uint64_t grace_stalls;	 /* grace periods that outlasted grace_stall_ms */
	uint64_t grace_wait_ms;	 /* how long freed ids or groups have waited for readers (0: none) */
	uint64_t tbl8_used;	 /* tbl8 groups in use */
	uint64_t tbl8_retiring;	 /* tbl8 groups waiting for a grace period */
	uint64_t hugepage_bytes; /* the tables readers walk and the next-hop table */
	uint64_t heap_bytes;	 /* the writer's own: route hash, next-hop interning, queues */
	uint64_t groups;	 /* next-hop groups in use (their ids count in nexthops too) */
};

struct fib;

struct fib *fib_create(const struct fib_params *p);
void fib_destroy(struct fib *f);

/* The ring producers enqueue struct route_op elements on (multi-producer). */
struct rte_ring *fib_route_ring(struct fib *f);

/* The ring the writer answers ops sent with ROUTE_OP_F_RESULT on (struct
 * route_result elements, single producer, single consumer: the one thread
 * that sends such ops reads it). The writer takes no more ops than it has
 * room for answers: an unread ring holds route changes back, none is lost. */
struct rte_ring *fib_result_ring(struct fib *f);

/* --- readers (forwarding lcores) --- */
int fib_reader_register(struct fib *f, unsigned lcore_id);
void fib_reader_unregister(struct fib *f, unsigned lcore_id);
static inline void fib_reader_quiescent(struct fib *f, unsigned lcore_id);

/* ips in host byte order; nh receives next-hop ids (FIB_NH_NONE: no route). */
static inline void fib_lookup_bulk(struct fib *f, const uint32_t *ips, uint64_t *nh, unsigned n);
static inline const struct nexthop *fib_nexthop(const struct fib *f, uint32_t id);

/* --- the writer (one thread; the main lcore) --- */

/* One step of the writer: takes a batch of ops from the ring (and the local
 * queue) and applies it, answers it, and reclaims what earlier batches
 * freed once readers have passed a grace period. Never blocks, and never
 * waits for readers to change routes. Returns the number of ops whose
 * effect became visible to readers in this call. Call it in a loop. */
unsigned fib_writer_poll(struct fib *f);

/* Poll until the ring and local queue are empty and every op is visible,
 * or timeout_ms passes (-ETIMEDOUT). For start-up, shutdown and tests. */
int fib_writer_drain(struct fib *f, unsigned timeout_ms);

/* Queue an op from the writer's own thread (ARP learning, adjacencies). */
int fib_writer_queue(struct fib *f, const struct route_op *op);

/* What fib_neigh_learn() and fib_neigh_refresh() did. */
enum fib_neigh_result {
	FIB_NEIGH_IGNORED = 0, /* not a neighbour to keep (off the subnet, static...) */
	FIB_NEIGH_UPDATED,     /* a known next hop took the MAC */
	FIB_NEIGH_ADDED,       /* a new learned neighbour (with its adjacency) */
	FIB_NEIGH_REFUSED,     /* the port holds its maximum of learned neighbours */
	FIB_NEIGH_NO_ID,       /* the next-hop table is full */
};

/* A neighbour's MAC learned from ARP on port: updates every next hop with
 * that address on that port (unless static), and, when addr lies on a
 * connected subnet of port, keeps it as a learned neighbour with addr/32 ->
 * itself, unless the port holds fib_neigh_set_max() of them already (a next
 * hop that routes use still takes the MAC then). Writer only. */
enum fib_neigh_result fib_neigh_learn(struct fib *f, uint16_t port, uint32_t addr,
		const struct rte_ether_addr *mac);

/* The same for an ARP that was not for us (RFC 826: merge, do not add): only
 * a next hop that exists already takes the MAC. */
enum fib_neigh_result fib_neigh_refresh(struct fib *f, uint16_t port, uint32_t addr,
		const struct rte_ether_addr *mac);

/* A learned neighbour that stopped answering: its MAC goes, its adjacency
 * (unless the RIB routes addr/32 itself) and, once no route uses it, its
 * next-hop id. 0, or -ENOENT when addr is no learned neighbour of port (a
 * next hop of routes only loses its MAC). Writer only. */
int fib_neigh_forget(struct fib *f, uint16_t port, uint32_t addr);

/* The most learned neighbours port keeps (default: no limit); learned
 * neighbours of port now. */
void fib_neigh_set_max(struct fib *f, uint16_t port, uint32_t max);
uint32_t fib_neigh_count(const struct fib *f, uint16_t port);

/* The members of a group next hop (NH_GROUP): their ids in ids[], in the
 * order of their addresses; returns how many (0 for another type). Writer
 * thread, or under the lock that keeps the writer still. */
unsigned int fib_group_members(
	const struct fib *f, const struct nexthop *nh, uint32_t ids[FIB_GROUP_MAX]);

/* Writer-side exact lookup: the route for prefix/depth, or -ENOENT. */
int fib_route_get(struct fib *f, uint32_t prefix, uint8_t depth, uint32_t *nh_id);

/* Walk every installed route (writer thread only, or when readers do not
 * write). Stops when cb returns non-zero. */
typedef int (*fib_route_cb)(uint32_t prefix, uint8_t depth, const struct nexthop *nh,
		uint32_t nh_id, void *arg);
int fib_route_walk(struct fib *f, fib_route_cb cb, void *arg);

/* Next-hop table for the writer's housekeeping (ARP requests). */
uint32_t fib_nexthop_max(const struct fib *f);
struct nexthop *fib_nexthop_mut(struct fib *f, uint32_t id);

void fib_get_stats(struct fib *f, struct fib_stats *st);

/* ---- inline reader helpers ---- */
struct fib_reader_view {
	struct dir24_tables tables;
	struct rte_rcu_qsbr *qsbr;
	const struct nexthop *nh;
	const struct fib_group *groups;
};
/* The first member of struct fib is this view: the fast path needs no call. */

/* The forwarding lcores' RCU: what else they read may be retired under it
 * (rte_rcu_qsbr_start, then rte_rcu_qsbr_check before freeing). */
static inline struct rte_rcu_qsbr *
fib_qsbr(struct fib *f)
{
	return ((struct fib_reader_view *)f)->qsbr;
}

static inline void
fib_reader_quiescent(struct fib *f, unsigned lcore_id)
{
	rte_rcu_qsbr_quiescent(((struct fib_reader_view *)f)->qsbr, lcore_id);
}

/* A reader about to sleep goes offline, so that grace periods do not wait
 * for its nap; it comes back online before its next lookup. */
static inline void
fib_reader_offline(struct fib *f, unsigned lcore_id)
{
	rte_rcu_qsbr_thread_offline(((struct fib_reader_view *)f)->qsbr, lcore_id);
}

static inline void
fib_reader_online(struct fib *f, unsigned lcore_id)
{
	rte_rcu_qsbr_thread_online(((struct fib_reader_view *)f)->qsbr, lcore_id);
}

static inline const struct nexthop *
fib_nexthop(const struct fib *f, uint32_t id)
{
	return &((const struct fib_reader_view *)f)->nh[id];
}

static inline bool
fib_nh_resolved(const struct nexthop *nh)
{
	return __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE) & NH_MAC_VALID;
}

/*
 * The member of group next hop nh (NH_GROUP) that carries the flow whose
 * fib_flow_hash() is hash: its bucket's member (*want), or, when that
 * one's MAC is not known, the next member in the group's order that has
 * one, so that the flows of the other members stay where they are. When no
 * member's MAC is known: *want itself.
 */
static inline const struct nexthop *
fib_group_pick(
	const struct fib *f, const struct nexthop *nh, uint32_t hash, const struct nexthop **want)
{
	const struct fib_reader_view *v = (const struct fib_reader_view *)f;
	const struct fib_group *g = &v->groups[nh->addr];
	unsigned int n = g->n, i = g->bucket[hash & (FIB_GROUP_BUCKETS - 1)];
	const struct nexthop *m = &v->nh[g->member[i]];

	*want = m;
	if (likely(fib_nh_resolved(m)))
		return m;
	for (unsigned int k = 1; k < n; k++) {
		unsigned int j = i + k < n ? i + k : i + k - n;
		const struct nexthop *o = &v->nh[g->member[j]];

		if (fib_nh_resolved(o))
			return o;
	}
	return m;
}

/* A reader about to look ip up soon (the same loop iteration): its table
 * line starts on its way while the reader does other work. */
static inline void
fib_prefetch(struct fib *f, uint32_t ip)
{
	dir24_prefetch_ip(&((const struct fib_reader_view *)f)->tables, ip);
}

static inline void
fib_lookup_bulk(struct fib *f, const uint32_t *ips, uint64_t *nh, unsigned int n)
{
	dir24_lookup_bulk(&((const struct fib_reader_view *)f)->tables, ips, nh, n);
}
