/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the FIB, shared by fib.c (life cycle, readers, queries),
 * fib_writer.c (batches and grace periods), fib_nexthop.c (interned next
 * hops and the recycling of their ids) and fib_neigh.c (neighbours and
 * their adjacencies). Nothing here is for other modules.
 *
 * The engine is one DIR-24-8 table of our own (dir24.c): every change is
 * visible to readers as soon as it is written, entry by entry, and what a
 * reader may still hold (a tbl8 group, a next-hop id) is reused only after a
 * grace period of rte_rcu_qsbr. An earlier engine kept two rte_fib copies,
 * because rte_fib in DPDK 22.11 reuses tbl8 groups with no RCU; it cost two
 * rte_rib trees sized for max_routes (about 1.1 GiB at 1M routes) and a
 * grace period per batch.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dir24.h"
#include "fib.h"

extern int fib_logtype;
#define FIB_LOG(level, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, fib_logtype, "fib: " fmt "\n", ##__VA_ARGS__)

/* Ops per batch: the answers of a batch go out together, and the ids and
 * groups it frees start one grace period. */
#define FIB_BATCH_MAX 4096

/* Writer-private bits in nexthop.flags, beside the public NH_F_*. */
#define NH_F_CANDIDATE 0x40 /* on the candidate list: may become free at batch end */

/* Kinds of the ops the writer queues for itself (local queue only): a
 * neighbour's adjacency, which the RIB's own routes take precedence over.
 * Ring ops of these kinds are refused. */
#define FIB_OP_ADJ_ADD 0x80
#define FIB_OP_ADJ_DEL 0x81

/* route_op.port is 8 bits: per-port neighbour counts index by it. */
#define FIB_PORTS 256

/* An op on the writer's local queue, with the next-hop hold that keeps its
 * next hop (and the MAC already set on it) alive until it is applied. */
struct fib_local_op {
	struct route_op op;
	uint32_t hold_id; /* 0: none */
};

struct fib_idlist {
	uint32_t *ids;
	uint32_t n;
};

/* The writer's copy of a group's key (its members' addresses, sorted). */
struct fib_group_key {
	uint32_t gw[FIB_GROUP_MAX];
	uint32_t digest; /* route_group_digest() */
	uint32_t nh_id;	 /* the group's next-hop id; 0: slot free */
	uint8_t n;
	uint8_t port;
};

struct fib {
	/* Read by every forwarding lcore: keep first and together. */
	struct fib_reader_view view;

	/* Writer side from here on. */
	struct dir24 *tbl __rte_cache_aligned;
	struct rte_ring *ring;
	struct rte_ring *results;	/* answers to ROUTE_OP_F_RESULT ops */
	struct rte_rcu_qsbr *qsbr;
	struct nexthop *nh; /* == view.nh, writable */
	uint32_t max_nh;
	char name[RTE_RING_NAMESIZE];

	uint64_t stall_cycles;	   /* a grace period this long is a stall */
	uint64_t stall_next_log;   /* while stalled: when to say so again */
	bool stalled;		   /* the current grace period is a stall (counted) */
	uint64_t readers[RTE_MAX_LCORE / 64 + 1]; /* registered reader lcores (bitmap) */
	struct route_op *batch;	   /* [FIB_BATCH_MAX] ops taken */
	uint32_t *batch_hold;	   /* [FIB_BATCH_MAX] their holds (local queue) */
	uint32_t batch_local;	   /* the first batch_local ops came from the local queue */
	struct route_result *res;  /* [FIB_BATCH_MAX] answers of the batch, sent once published */
	uint32_t res_n;

	/* Local FIFO of fib_writer_queue(): growable ring buffer. */
	struct fib_local_op *lq;
	uint32_t lq_cap, lq_head, lq_n;

	/* Next-hop interning: open addressing, linear probing, slot = id. */
	uint32_t *nh_slots;
	uint32_t nh_mask;
	uint32_t *nh_holds; /* holds besides routes: static neighbours, queued adjacencies */
	uint32_t nh_live;   /* ids in the hash */

	/* Id recycling: free <- pend (after pend_token) <- next <- cand. */
	struct fib_idlist free_ids, cand, next, pend;
	uint64_t pend_token;
	uint64_t pend_since; /* when pend's grace period started (timer cycles) */

	/* Next-hop groups: the readers' table, the writer's keys, an index by
	 * digest (open addressing, slot = group index + 1), free groups. A
	 * group's index is reused only when its next-hop id is: after a
	 * grace period. */
	struct fib_group *groups; /* == view.groups, writable */
	struct fib_group_key *gkeys;
	uint32_t *g_slots;
	uint32_t g_mask;
	uint32_t max_groups;
	struct fib_idlist free_groups;

	/* Learned neighbours (NH_F_LEARNED) per port, and their cap. */
	uint32_t neigh_n[FIB_PORTS];
	uint32_t neigh_max[FIB_PORTS];

	struct fib_stats stats;
	/* Refusal log lines: at most FIB_WARN_MAX per FIB_WARN_WINDOW_S,
	 * then one line that says how many more there were. */
	uint64_t warn_window;	/* when the current window started (timer cycles) */
	uint32_t warned;	/* lines in it */
	uint64_t unwarned;	/* refusals past them */
};

/* fib_nexthop.c */
int fib_nh_init(struct fib *f);
void fib_nh_fini(struct fib *f);
int fib_nh_find(const struct fib *f, uint8_t type, uint16_t port, uint32_t addr, uint32_t *id);
int fib_nh_intern(struct fib *f, uint8_t type, uint16_t port, uint32_t addr, uint32_t *id);
int fib_nh_new(struct fib *f, uint8_t type, uint16_t port, uint32_t addr, uint32_t *id);
void fib_nh_ref(struct fib *f, uint32_t id);
void fib_nh_unref(struct fib *f, uint32_t id);
void fib_nh_hold(struct fib *f, uint32_t id);
void fib_nh_unhold(struct fib *f, uint32_t id);
void fib_nh_set_mac(struct nexthop *nh, const uint8_t mac[6]);
void fib_nh_batch_done(struct fib *f);
void fib_nh_recycle(struct fib *f);
uint64_t fib_nh_heap_bytes(const struct fib *f);

/* fib_group.c: next-hop groups. */
int fib_group_init(struct fib *f, uint32_t max_groups);
void fib_group_fini(struct fib *f);
int fib_group_intern(
	struct fib *f, uint16_t port, const uint32_t *gw, unsigned int n, uint32_t *id);
void fib_group_unlink(struct fib *f, uint32_t id);
void fib_group_release(struct fib *f, uint32_t id);
uint32_t fib_group_digest_of(const struct fib *f, uint32_t id, uint8_t *n);
uint64_t fib_group_heap_bytes(const struct fib *f);

/* fib_writer.c */
int fib_writer_init(struct fib *f);
void fib_writer_fini(struct fib *f);
/* fib_writer_queue() with a hold on hold_id (0: none) until it is applied. */
int fib_writer_queue_held(struct fib *f, const struct route_op *op, uint32_t hold_id);
uint64_t fib_writer_heap_bytes(const struct fib *f);
/* How long (timer cycles) freed ids or groups have waited for readers. */
uint64_t fib_grace_wait(const struct fib *f, uint64_t now);

/* fib_neigh.c: neighbours and the origin of their adjacencies. */
int fib_neigh_apply_static(struct fib *f, const struct route_op *op);
int fib_adj_apply(struct fib *f, const struct route_op *op);
bool fib_adj_owns(const struct fib *f, uint32_t id, uint32_t prefix, uint8_t depth);
void fib_adj_disown(struct fib *f, uint32_t id, uint32_t prefix, uint8_t depth);
void fib_adj_restore(struct fib *f, uint32_t prefix, uint8_t depth);
