/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changes to one rte_fib copy, recorded so that the other copy gets exactly
 * the same calls after the grace period (same calls from the same state:
 * same tables).
 *
 * It also steps around a bug of rte_fib's DIR24_8 in DPDK 22.11: when a
 * prefix P that ends at 255.255.255.255 (0/0, 128/1, 255.0.0.0/8, ...) is
 * added, replaced or deleted, modify_fib() walks P's first-level
 * sub-prefixes; if the last of them, S, also ends at 255.255.255.255 and
 * starts right where the previous one ends, its cursor wraps to 0 on the
 * "nothing to fill in between" path and the final fill becomes
 * install_to_fib(0, 0): P's next hop over the whole tbl24, every route
 * lost. Found by tests/unit/test_fib.c (e.g. 96/3 and 128/1, then 0/0).
 * Taking out, for the time of the change, every route inside P that holds
 * the address just below S leaves a gap there, so the walk reaches S on
 * the filling path, whose wrap stops correctly; they go back right after,
 * longest first out, shortest first in. The copy is standby: nobody sees
 * the intermediate state.
 *
 * And around a second one: rte_fib_add() of a new route longer than /24
 * with the same next hop as its parent returns before counting the tbl8
 * group it reserves, while its delete uncounts it; the count (unsigned)
 * wraps below zero and from then on every new route longer than /24 in a
 * fresh /24 fails with -ENOSPC. Such a route goes in first with a scratch
 * next hop no route has, then gets its own.
 */
#include <errno.h>

#include <rte_rib.h>

#include "fib_internal.h"

static void
record(struct fib *f, uint8_t kind, uint32_t prefix, uint8_t depth, uint32_t nh)
{
	RTE_ASSERT(f->replay_n < FIB_REPLAY_MAX);
	f->replay[f->replay_n++] = (struct fib_replay){prefix, nh, depth, kind};
}

static int
call(struct fib *f, struct rte_fib *c, uint8_t kind, uint32_t prefix, uint8_t depth, uint32_t nh)
{
	record(f, kind, prefix, depth, nh);
	if (kind == ROUTE_OP_ADD)
		return rte_fib_add(c, prefix, depth, nh);
	return rte_fib_delete(c, prefix, depth);
}

/* The next hop of the closest route holding prefix/depth, if any. */
static bool
parent_nh(struct rte_rib *rib, uint32_t prefix, uint8_t depth, uint64_t *nh)
{
	struct rte_rib_node *node;
	uint8_t d;

	for (node = rte_rib_lookup(rib, prefix); node != NULL; node = rte_rib_lookup_parent(node)) {
		rte_rib_get_depth(node, &d);
		if (d < depth) {
			rte_rib_get_nh(node, nh);
			return true;
		}
	}
	return false;
}

static int
add(struct fib *f, struct rte_fib *c, uint32_t prefix, uint8_t depth, uint32_t nh)
{
	struct rte_rib *rib = rte_fib_get_rib(c);
	struct rte_rib_node *node;
	uint64_t pnh, now = 0;
	int ret;

	if (depth <= 24 || rte_rib_lookup_exact(rib, prefix, depth) != NULL ||
		!parent_nh(rib, prefix, depth, &pnh) || pnh != nh)
		return call(f, c, ROUTE_OP_ADD, prefix, depth, nh);
	/* f->max_nh: an id no route and no parent ever has. */
	ret = call(f, c, ROUTE_OP_ADD, prefix, depth, f->max_nh);
	if (ret < 0)
		return ret;
	/* Same range, same tbl8 group: this cannot fail, but the scratch id
	 * must never reach a reader (it indexes past the next-hop table). */
	ret = call(f, c, ROUTE_OP_ADD, prefix, depth, nh);
	node = rte_rib_lookup_exact(rib, prefix, depth);
	if (node != NULL)
		rte_rib_get_nh(node, &now);
	if (ret < 0 || now != nh) {
		call(f, c, ROUTE_OP_DEL, prefix, depth, 0);
		return ret < 0 ? ret : -ENOSPC;
	}
	return 0;
}

struct lifted {
	uint32_t ip;
	uint64_t nh;
	uint8_t depth;
};

/* Fills out[] with the routes to take out around a change of prefix/depth
 * (see above), most specific first; returns how many. */
static unsigned int
top_guard(struct rte_fib *c, uint32_t prefix, uint8_t depth, struct lifted out[32])
{
	struct rte_rib *rib = rte_fib_get_rib(c);
	struct rte_rib_node *node, *last = NULL;
	unsigned int n = 0;
	uint32_t start;
	uint8_t d;

	if (depth == 32 || (prefix | ~(depth == 0 ? 0 : ~0u << (32 - depth))) != UINT32_MAX)
		return 0;
	/* S: the shortest route inside P holding the top address. */
	for (node = rte_rib_lookup(rib, UINT32_MAX); node != NULL;
		node = rte_rib_lookup_parent(node)) {
		rte_rib_get_depth(node, &d);
		if (d <= depth)
			break;
		last = node;
	}
	if (last == NULL)
		return 0;
	rte_rib_get_ip(last, &start);
	/* Every route inside P holding start - 1 ends there: all of them. */
	for (node = rte_rib_lookup(rib, start - 1); node != NULL;
		node = rte_rib_lookup_parent(node)) {
		rte_rib_get_depth(node, &d);
		if (d <= depth)
			break;
		out[n].depth = d;
		rte_rib_get_ip(node, &out[n].ip);
		rte_rib_get_nh(node, &out[n].nh);
		n++;
	}
	return n;
}

static int
copy_call(
	struct fib *f, struct rte_fib *c, uint8_t kind, uint32_t prefix, uint8_t depth, uint32_t nh)
{
	struct lifted lift[32];
	unsigned int n = top_guard(c, prefix, depth, lift), i;
	int ret;

	for (i = 0; i < n; i++) {
		/* In the RIB, and a delete allocates no tbl8: cannot fail. */
		if (call(f, c, ROUTE_OP_DEL, lift[i].ip, lift[i].depth, 0) < 0)
			FIB_LOG(ERR, "cannot take out %08x/%u", lift[i].ip, lift[i].depth);
	}
	if (kind == ROUTE_OP_ADD)
		ret = add(f, c, prefix, depth, nh);
	else
		ret = call(f, c, ROUTE_OP_DEL, prefix, depth, 0);
	while (n-- > 0) {
		/* Back where they were a moment ago: only a tbl8 table
		 * filled to the last group by the change can refuse. */
		if (add(f, c, lift[n].ip, lift[n].depth, (uint32_t)lift[n].nh) < 0)
			FIB_LOG(ERR, "cannot put back %08x/%u", lift[n].ip, lift[n].depth);
	}
	return ret;
}

int
fib_copy_add(struct fib *f, struct rte_fib *c, uint32_t prefix, uint8_t depth, uint32_t nh)
{
	return copy_call(f, c, ROUTE_OP_ADD, prefix, depth, nh);
}

int
fib_copy_del(struct fib *f, struct rte_fib *c, uint32_t prefix, uint8_t depth)
{
	return copy_call(f, c, ROUTE_OP_DEL, prefix, depth, 0);
}

void
fib_copy_replay(struct fib *f, struct rte_fib *c)
{
	const struct fib_replay *r;
	uint32_t i;

	for (i = 0; i < f->replay_n; i++) {
		r = &f->replay[i];
		/* Failures were counted on the first copy; the same calls fail
		 * the same way here and leave the same tables. */
		if (r->kind == ROUTE_OP_ADD)
			rte_fib_add(c, r->prefix, r->depth, r->nh_id);
		else
			rte_fib_delete(c, r->prefix, r->depth);
	}
	f->replay_n = 0;
}
