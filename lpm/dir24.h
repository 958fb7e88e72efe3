/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB's longest-prefix-match engine: DIR-24-8 (Gupta, Lin, McKeown,
 * 1998) with one writer and lock-free readers in a single table.
 *
 * tbl24 has an entry per /24; a /24 that holds routes longer than /24 points
 * at a tbl8 group of 256 entries instead. Every entry is one 32-bit word,
 * stored whole, so a reader sees each entry either before or after a change,
 * never half of it:
 *
 *   bits 0..23   next-hop id (tbl8 group index when DIR24_EXT is set)
 *   bits 24..29  depth of the route the entry comes from (0: none, or 0/0)
 *   bit 31       DIR24_EXT (tbl24 only): the entry points at a tbl8 group
 *
 * The depth in each entry is what lets a change touch only the entries it
 * owns: an add of P/d writes the entries of P's range whose depth is <= d
 * (the more specific routes inside P keep theirs), a delete gives the
 * entries of depth d back to P's parent route.
 *
 * Readers never see a freed group: a group whose last route longer than /24
 * went stays hooked, idle, until free groups run short (a flapping /25 takes
 * it again at no cost); then it is unhooked from tbl24 (its entries all hold
 * the /24's route, so a reader still inside it gets the right answer), and
 * goes back on the free list only after a grace period of the readers'
 * rte_rcu_qsbr.
 * A new group is filled before tbl24 points at it (store-release).
 *
 * The routes themselves (prefix, depth, next hop) are kept once, in a hash
 * of the writer's (heap memory, SipHash with a per-table random key so that
 * no peer can choose colliding prefixes): exact lookups, the parent of a
 * deleted route, and the walk. Nothing here allocates on the readers' path.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#define DIR24_EXT 0x80000000u
#define DIR24_NH_MASK 0x00ffffffu
#define DIR24_DEPTH_SHIFT 24
/* Next-hop ids and tbl8 group indices are 24-bit. */
#define DIR24_NH_MAX (1u << 24)

/* What readers need: first in struct dir24, read through the FIB's view. */
struct dir24_tables {
	const uint32_t *tbl24; /* [1 << 24] */
	const uint32_t *tbl8;  /* [groups * 256] */
};

struct dir24_stats {
	uint32_t routes;	   /* prefixes held */
	uint32_t tbl8_used;	   /* groups hooked into tbl24 */
	uint32_t tbl8_idle;	   /* of those: without routes longer than /24 (kept for reuse) */
	uint32_t tbl8_retiring;	   /* groups waiting for a grace period */
	uint32_t tbl8_max;
	uint64_t hugepage_bytes;   /* tbl24 + tbl8 */
	uint64_t heap_bytes;	   /* the route hash and free lists */
};

struct dir24;

/* max_routes: the most prefixes it takes (-ENOSPC past them); max_tbl8:
 * tbl8 groups (/24s holding routes longer than /24, at most DIR24_NH_MAX).
 * qsbr: the readers' RCU, for the reuse of groups. NULL and rte_errno set on
 * failure. */
struct dir24 *dir24_create(const char *name, int socket_id, uint32_t max_routes,
		uint32_t max_tbl8, struct rte_rcu_qsbr *qsbr);
void dir24_free(struct dir24 *t);

static inline const struct dir24_tables *
dir24_tables(const struct dir24 *t)
{
	return (const struct dir24_tables *)t;
}

/* prefix/depth -> nh (1..DIR24_NH_MAX-1), replacing what it had (*old: the
 * replaced id, or 0 for a new route; == nh: nothing to do). -ENOSPC: no room for another prefix
 * or tbl8 group; nothing changed then. -EINVAL: bad depth or id. */
int dir24_add(struct dir24 *t, uint32_t prefix, uint8_t depth, uint32_t nh, uint32_t *old);

/* Removes prefix/depth (*old: its id). -ENOENT: no such route. */
int dir24_del(struct dir24 *t, uint32_t prefix, uint8_t depth, uint32_t *old);

/* The id of prefix/depth exactly, or -ENOENT. */
int dir24_get(const struct dir24 *t, uint32_t prefix, uint8_t depth, uint32_t *nh);

/* The longest route holding addr that is shorter than below (33: any):
 * 0 and its prefix, depth and id, or -ENOENT. */
int dir24_covering(const struct dir24 *t, uint32_t addr, uint8_t below, uint32_t *prefix,
		uint8_t *depth, uint32_t *nh);

/* Brings what a change of prefix/depth reads into the cache: called a few
 * ops ahead of the change, it overlaps the misses of a batch. */
void dir24_prefetch(const struct dir24 *t, uint32_t prefix, uint8_t depth);

/* Every route, in address order then shortest first. Stops when cb returns
 * non-zero and returns that; -ENOMEM if it cannot sort. */
typedef int (*dir24_walk_cb)(uint32_t prefix, uint8_t depth, uint32_t nh, void *arg);
int dir24_walk(const struct dir24 *t, dir24_walk_cb cb, void *arg);

/* The writer's housekeeping: retired groups whose grace period is over go
 * back on the free list; the groups retired since the last call start
 * theirs. Never blocks. Returns the groups still waiting. */
uint32_t dir24_reclaim(struct dir24 *t);

/* How long (timer cycles) retired groups have waited for the grace period
 * of *token; 0: none waits. */
uint64_t dir24_retire_wait(const struct dir24 *t, uint64_t now, uint64_t *token);

void dir24_get_stats(const struct dir24 *t, struct dir24_stats *st);

/* --- readers --- */

static inline uint32_t
dir24_lookup(const struct dir24_tables *t, uint32_t ip)
{
	uint32_t e = __atomic_load_n(&t->tbl24[ip >> 8], __ATOMIC_RELAXED);

	if (unlikely(e & DIR24_EXT))
		e = __atomic_load_n(
			&t->tbl8[(size_t)(e & DIR24_NH_MASK) << 8 | (ip & 0xff)], __ATOMIC_RELAXED);
	return e & DIR24_NH_MASK;
}

/* Brings ip's tbl24 entry into the cache ahead of its lookup. */
static inline void
dir24_prefetch_ip(const struct dir24_tables *t, uint32_t ip)
{
	rte_prefetch0(&t->tbl24[ip >> 8]);
}

/*
 * n lookups: every tbl24 entry is prefetched before the first is read, so
 * that the cache misses of a large table overlap instead of following one
 * another; the few that lead into a tbl8 group get a second pass.
 */
static inline void
dir24_lookup_bulk(const struct dir24_tables *t, const uint32_t *ips, uint64_t *nh, unsigned int n)
{
	const uint32_t *tbl24 = t->tbl24;
	uint32_t ext = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_prefetch0(&tbl24[ips[i] >> 8]);
	for (i = 0; i < n; i++) {
		uint32_t e = __atomic_load_n(&tbl24[ips[i] >> 8], __ATOMIC_RELAXED);

		nh[i] = e;
		ext |= e & DIR24_EXT;
	}
	if (likely(ext == 0)) {
		for (i = 0; i < n; i++)
			nh[i] &= DIR24_NH_MASK;
		return;
	}
	for (i = 0; i < n; i++) {
		if (nh[i] & DIR24_EXT)
			nh[i] = __atomic_load_n(&t->tbl8[(size_t)(nh[i] & DIR24_NH_MASK) << 8 |
							 (ips[i] & 0xff)],
				__ATOMIC_RELAXED);
		nh[i] &= DIR24_NH_MASK;
	}
}
