/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The next-hop table's writer side: one id per distinct (type, port,
 * gateway), counted by the routes that use it, and recycled only when no
 * reader can still hold it. Groups (fib_group.c) take ids from here too,
 * indexed apart.
 *
 * An id whose routes and holds are all gone becomes a candidate. At the end
 * of the batch a candidate still unused leaves the hash; it becomes free
 * again only after one more grace period, started after that point, so a
 * reader that loaded the id from the table just before its last entry
 * changed has reported a quiescent state before the id is rewritten for
 * another next hop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_common.h>

#include "fib_internal.h"

static inline uint64_t
nh_key(uint8_t type, uint16_t port, uint32_t addr)
{
	return (uint64_t)type << 48 | (uint64_t)port << 32 | addr;
}

static inline uint32_t
nh_hash(const struct fib *f, uint64_t key)
{
	/* Fibonacci hashing: gateways differ in their low bits. */
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & f->nh_mask;
}

static inline uint64_t
nh_key_of(const struct nexthop *nh)
{
	return nh_key(nh->type, nh->port, nh->addr);
}

static int
idlist_init(struct fib_idlist *l, uint32_t cap)
{
	l->ids = calloc(cap, sizeof(*l->ids));
	l->n = 0;
	return l->ids == NULL ? -ENOMEM : 0;
}

int
fib_nh_init(struct fib *f)
{
	uint32_t slots = rte_align32pow2(f->max_nh * 2);
	uint32_t i;

	f->nh_slots = calloc(slots, sizeof(*f->nh_slots));
	f->nh_holds = calloc(f->max_nh, sizeof(*f->nh_holds));
	if (f->nh_slots == NULL || f->nh_holds == NULL)
		return -ENOMEM;
	f->nh_mask = slots - 1;
	if (idlist_init(&f->free_ids, f->max_nh) < 0 || idlist_init(&f->cand, f->max_nh) < 0 ||
		idlist_init(&f->next, f->max_nh) < 0 || idlist_init(&f->pend, f->max_nh) < 0)
		return -ENOMEM;
	/* A stack: id 1 is handed out first. */
	for (i = f->max_nh - 1; i >= 1; i--)
		f->free_ids.ids[f->free_ids.n++] = i;
	return 0;
}

void
fib_nh_fini(struct fib *f)
{
	free(f->nh_slots);
	free(f->nh_holds);
	free(f->free_ids.ids);
	free(f->cand.ids);
	free(f->next.ids);
	free(f->pend.ids);
}

static void
nh_hash_del(struct fib *f, uint32_t id)
{
	uint32_t i = nh_hash(f, nh_key_of(&f->nh[id]));
	uint32_t j, home;

	while (f->nh_slots[i] != id)
		i = (i + 1) & f->nh_mask;
	/* Backward-shift deletion: no tombstones, probes stay short. */
	for (;;) {
		f->nh_slots[i] = 0;
		j = i;
		for (;;) {
			j = (j + 1) & f->nh_mask;
			if (f->nh_slots[j] == 0)
				return;
			home = nh_hash(f, nh_key_of(&f->nh[f->nh_slots[j]]));
			/* Move slot j back to i unless its home lies in (i, j]. */
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		f->nh_slots[i] = f->nh_slots[j];
		i = j;
	}
}

/* The key of a next hop: the gateway only matters for NH_GATEWAY. */
static int
nh_key_make(uint8_t type, uint16_t port, uint32_t addr, uint64_t *key)
{
	if (port >= FIB_PORTS)
		return -EINVAL;
	switch (type) {
	case NH_GATEWAY:
		if (addr == 0)
			return -EINVAL;
		break;
	case NH_CONNECTED:
	case NH_LOCAL:
	case NH_BLACKHOLE:
		addr = 0; /* one per (type, port) */
		break;
	default:
		return -EINVAL;
	}
	*key = nh_key(type, port, addr);
	return 0;
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t
nh_probe(const struct fib *f, uint64_t key)
{
	uint32_t i, cur;

	for (i = nh_hash(f, key); (cur = f->nh_slots[i]) != 0; i = (i + 1) & f->nh_mask)
		if (nh_key_of(&f->nh[cur]) == key)
			break;
	return i;
}

int
fib_nh_find(const struct fib *f, uint8_t type, uint16_t port, uint32_t addr, uint32_t *id)
{
	uint64_t key;
	uint32_t cur;

	if (nh_key_make(type, port, addr, &key) < 0)
		return -EINVAL;
	cur = f->nh_slots[nh_probe(f, key)];
	if (cur == 0)
		return -ENOENT;
	*id = cur;
	return 0;
}

int
fib_nh_intern(struct fib *f, uint8_t type, uint16_t port, uint32_t addr, uint32_t *id)
{
	uint64_t key;
	uint32_t i, cur;

	if (nh_key_make(type, port, addr, &key) < 0)
		return -EINVAL;
	i = nh_probe(f, key);
	if (f->nh_slots[i] != 0) {
		*id = f->nh_slots[i];
		return 0;
	}
	if (fib_nh_new(f, type, port, (uint32_t)key, &cur) < 0)
		return -ENOSPC;
	f->nh_slots[i] = cur;
	*id = cur;
	return 0;
}

/* A free id made a next hop of its own, in no index (the caller files it:
 * the hash above, or the groups' index). */
int
fib_nh_new(struct fib *f, uint8_t type, uint16_t port, uint32_t addr, uint32_t *id)
{
	struct nexthop *nh;
	uint32_t cur;

	if (f->free_ids.n == 0)
		return -ENOSPC;
	cur = f->free_ids.ids[--f->free_ids.n];
	nh = &f->nh[cur];
	/* No reader holds cur (it went through a grace period after its last
	 * use), and no copy will point at it before this batch is published. */
	__atomic_store_n(&nh->mac_state, 0, __ATOMIC_RELAXED);
	nh->addr = addr;
	nh->port = (uint8_t)port;
	nh->probes = 0;
	nh->type = type;
	nh->flags = 0;
	nh->refcnt = 0;
	nh->last_request = 0;
	f->nh_holds[cur] = 0;
	f->nh_live++;
	f->stats.nexthops = f->nh_live;
	/* Unused until a route or a hold takes it: collect it if none does. */
	nh->flags |= NH_F_CANDIDATE;
	f->cand.ids[f->cand.n++] = cur;
	*id = cur;
	return 0;
}

static void
nh_maybe_unused(struct fib *f, uint32_t id)
{
	struct nexthop *nh = &f->nh[id];

	if (nh->refcnt != 0 || f->nh_holds[id] != 0 || (nh->flags & NH_F_CANDIDATE))
		return;
	nh->flags |= NH_F_CANDIDATE;
	f->cand.ids[f->cand.n++] = id;
}

void
fib_nh_ref(struct fib *f, uint32_t id)
{
	f->nh[id].refcnt++;
}

void
fib_nh_unref(struct fib *f, uint32_t id)
{
	RTE_ASSERT(f->nh[id].refcnt > 0);
	f->nh[id].refcnt--;
	nh_maybe_unused(f, id);
}

void
fib_nh_hold(struct fib *f, uint32_t id)
{
	f->nh_holds[id]++;
}

void
fib_nh_unhold(struct fib *f, uint32_t id)
{
	RTE_ASSERT(f->nh_holds[id] > 0);
	f->nh_holds[id]--;
	nh_maybe_unused(f, id);
}

void
fib_nh_set_mac(struct nexthop *nh, const uint8_t mac[6])
{
	uint64_t v = 0;

	/* Bytes in memory order, so that readers can store them as they load. */
	memcpy(&v, mac, 6);
	__atomic_store_n(&nh->mac_state, v | NH_MAC_VALID, __ATOMIC_RELEASE);
	nh->probes = 0;
	nh->confirmed_s = (uint32_t)(rte_get_timer_cycles() / rte_get_timer_hz());
}

/* The table holds the batch: no entry references an unused candidate. */
void
fib_nh_batch_done(struct fib *f)
{
	uint32_t k, id;
	struct nexthop *nh;

	for (k = 0; k < f->cand.n; k++) {
		id = f->cand.ids[k];
		nh = &f->nh[id];
		nh->flags &= ~NH_F_CANDIDATE;
		if (nh->refcnt != 0 || f->nh_holds[id] != 0)
			continue;
		if (nh->type == NH_GROUP)
			fib_group_unlink(f, id);
		else
			nh_hash_del(f, id);
		f->nh_live--;
		f->next.ids[f->next.n++] = id;
	}
	f->cand.n = 0;
	f->stats.nexthops = f->nh_live;
	fib_nh_recycle(f);
}

/* Non-blocking: frees what waited a full grace period, starts the next one. */
void
fib_nh_recycle(struct fib *f)
{
	if (f->pend.n != 0) {
		if (rte_rcu_qsbr_check(f->qsbr, f->pend_token, false) != 1)
			return;
		/* A group no reader holds: its members and index go back
		 * (a member unused now waits a grace period of its own). */
		for (uint32_t k = 0; k < f->pend.n; k++)
			if (f->nh[f->pend.ids[k]].type == NH_GROUP)
				fib_group_release(f, f->pend.ids[k]);
		memcpy(&f->free_ids.ids[f->free_ids.n], f->pend.ids, f->pend.n * sizeof(uint32_t));
		f->free_ids.n += f->pend.n;
		f->pend.n = 0;
	}
	if (f->next.n != 0) {
		struct fib_idlist t = f->pend;

		f->pend = f->next;
		f->next = t;
		f->pend_token = rte_rcu_qsbr_start(f->qsbr);
		f->pend_since = rte_get_timer_cycles();
	}
}

uint64_t
fib_nh_heap_bytes(const struct fib *f)
{
	/* Slots, holds and the four id lists. */
	return sizeof(uint32_t) * ((uint64_t)f->nh_mask + 1 + 5 * (uint64_t)f->max_nh);
}
