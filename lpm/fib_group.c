/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop groups, the writer's side: one group per distinct (port, member
 * set), interned like next hops, under a next-hop id of type NH_GROUP that
 * routes count. Its members are ordinary gateway next hops (their MACs are
 * learned and probed as any route's), each holding a reference of the
 * group's.
 *
 * A group is written whole (members, bucket table) before the batch that
 * first points a route at it is published. Once no route uses it, its id
 * leaves the index at the end of the batch and takes the usual way of ids
 * (fib_nexthop.c): only after a grace period are the group's index and its
 * member references given back (fib_group_release), so that a reader that
 * loaded the group's id just before its last route changed still finds the
 * group and its members intact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "fib_internal.h"

int
fib_group_init(struct fib *f, uint32_t max_groups)
{
	uint32_t slots = rte_align32pow2(max_groups * 2);

	f->max_groups = max_groups;
	f->gkeys = calloc(max_groups, sizeof(*f->gkeys));
	f->g_slots = calloc(slots, sizeof(*f->g_slots));
	f->free_groups.ids = calloc(max_groups, sizeof(uint32_t));
	if (f->gkeys == NULL || f->g_slots == NULL || f->free_groups.ids == NULL)
		return -ENOMEM;
	f->g_mask = slots - 1;
	/* A stack: group 0 is handed out first. */
	for (uint32_t i = max_groups; i-- > 0;)
		f->free_groups.ids[f->free_groups.n++] = i;
	return 0;
}

void
fib_group_fini(struct fib *f)
{
	free(f->gkeys);
	free(f->g_slots);
	free(f->free_groups.ids);
}

static bool
key_equal(const struct fib_group_key *k, uint8_t port, const uint32_t *gw, unsigned int n)
{
	return k->n == n && k->port == port && memcmp(k->gw, gw, n * sizeof(*gw)) == 0;
}

/* The index slot holding the group (port, gw[0..n)), or the empty slot where
 * it would go. */
static uint32_t
g_probe(const struct fib *f, uint32_t digest, uint8_t port, const uint32_t *gw, unsigned int n)
{
	uint32_t i, cur;

	for (i = digest & f->g_mask; (cur = f->g_slots[i]) != 0; i = (i + 1) & f->g_mask)
		if (f->gkeys[cur - 1].digest == digest &&
			key_equal(&f->gkeys[cur - 1], port, gw, n))
			break;
	return i;
}

/*
 * The group of gw[0..n) on port (sorted, distinct, 2 <= n <= FIB_GROUP_MAX):
 * its next-hop id in *id, made if new. -ENOSPC: no group, or no next-hop id
 * for it or a member, left; -EINVAL: a bad member. Members made here and
 * left unused by a failure go back with the batch's candidates.
 */
int
fib_group_intern(struct fib *f, uint16_t port, const uint32_t *gw, unsigned int n, uint32_t *id)
{
	uint32_t digest, slot, mid[FIB_GROUP_MAX], gid, nh_id;
	struct fib_group_key *k;
	struct fib_group *g;
	int ret;

	if (n < 2 || n > FIB_GROUP_MAX || port >= FIB_PORTS)
		return -EINVAL;
	digest = route_group_digest((uint8_t)port, gw, n);
	slot = g_probe(f, digest, (uint8_t)port, gw, n);
	if (f->g_slots[slot] != 0) {
		*id = f->gkeys[f->g_slots[slot] - 1].nh_id;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		ret = fib_nh_intern(f, NH_GATEWAY, port, gw[i], &mid[i]);
		if (ret < 0)
			return ret;
	}
	if (f->free_groups.n == 0)
		return -ENOSPC;
	gid = f->free_groups.ids[f->free_groups.n - 1];
	if (fib_nh_new(f, NH_GROUP, port, gid, &nh_id) < 0)
		return -ENOSPC;
	f->free_groups.n--;
	/* No reader holds gid: it went through the grace period of its last
	 * group's id, and nothing points at nh_id before the batch is out. */
	g = &f->groups[gid];
	for (unsigned int i = 0; i < n; i++) {
		g->member[i] = mid[i];
		fib_nh_ref(f, mid[i]);
	}
	g->n = (uint8_t)n;
	fib_group_buckets(gw, n, g->bucket);
	k = &f->gkeys[gid];
	memcpy(k->gw, gw, n * sizeof(*gw));
	k->n = (uint8_t)n;
	k->port = (uint8_t)port;
	k->digest = digest;
	k->nh_id = nh_id;
	f->g_slots[slot] = gid + 1;
	f->stats.groups++;
	*id = nh_id;
	return 0;
}

/* The group of next hop id is used by no route: out of the index (the
 * batch's end). It stays whole for readers until fib_group_release(). */
void
fib_group_unlink(struct fib *f, uint32_t id)
{
	uint32_t gid = f->nh[id].addr, i, j, home;
	const struct fib_group_key *k = &f->gkeys[gid];

	/* Out of use now; its index waits for fib_group_release(). */
	f->stats.groups--;
	i = g_probe(f, k->digest, k->port, k->gw, k->n);
	RTE_ASSERT(f->g_slots[i] == gid + 1);
	/* Backward-shift deletion, as the next-hop hash. */
	for (;;) {
		f->g_slots[i] = 0;
		j = i;
		for (;;) {
			j = (j + 1) & f->g_mask;
			if (f->g_slots[j] == 0)
				return;
			home = f->gkeys[f->g_slots[j] - 1].digest & f->g_mask;
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		f->g_slots[i] = f->g_slots[j];
		i = j;
	}
}

/* A grace period has passed since the group of next hop id was unlinked: no
 * reader holds it. Its members lose its references, its index is free. */
void
fib_group_release(struct fib *f, uint32_t id)
{
	uint32_t gid = f->nh[id].addr;
	struct fib_group *g = &f->groups[gid];

	for (unsigned int i = 0; i < g->n; i++)
		fib_nh_unref(f, g->member[i]);
	f->gkeys[gid].nh_id = 0;
	f->free_groups.ids[f->free_groups.n++] = gid;
}

uint32_t
fib_group_digest_of(const struct fib *f, uint32_t id, uint8_t *n)
{
	const struct fib_group_key *k = &f->gkeys[f->nh[id].addr];

	*n = k->n;
	return k->digest;
}

unsigned int
fib_group_members(const struct fib *f, const struct nexthop *nh, uint32_t ids[FIB_GROUP_MAX])
{
	const struct fib_group *g;

	if (nh->type != NH_GROUP || nh->addr >= f->max_groups)
		return 0;
	g = &f->groups[nh->addr];
	memcpy(ids, g->member, g->n * sizeof(ids[0]));
	return g->n;
}

uint64_t
fib_group_heap_bytes(const struct fib *f)
{
	return (uint64_t)f->max_groups * (sizeof(*f->gkeys) + sizeof(uint32_t)) +
	       ((uint64_t)f->g_mask + 1) * sizeof(uint32_t);
}
