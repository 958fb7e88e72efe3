/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbours in the FIB: next hops whose MAC comes from ARP (learned) or
 * from the config (static), and their adjacencies, addr/32 -> the neighbour,
 * which make a host on a connected subnet forwardable like any gateway.
 *
 * An adjacency's origin is the neighbour, not the RIB (NH_F_ADJ on the
 * neighbour's next hop). The RIB's own addr/32 (a static "X/32 via X", a BGP
 * /32) takes its place and outlives the neighbour; when the RIB withdraws
 * it, the neighbour's adjacency comes back. A learned neighbour holds its
 * next-hop id until it is forgotten (failed probes, fib_neigh_forget), and a
 * port keeps at most neigh_max of them, so that a host that invents
 * addresses, or VM churn on a large subnet, cannot fill the next-hop table.
 */
#include <errno.h>
#include <string.h>


#include "fib_internal.h"

static bool
is_neigh(const struct nexthop *nh)
{
	return nh->flags & (NH_F_LEARNED | NH_F_STATIC);
}

/* The port whose connected subnet holds addr, or -1. Nothing more specific
 * may route addr but an addr/32 through a gateway (the RIB's "X/32 via X",
 * or the adjacency itself): our own address, say, is no neighbour. */
static int
subnet_port(struct fib *f, uint32_t addr)
{
	uint32_t prefix, nh;
	uint8_t depth;

	if (dir24_covering(f->tbl, addr, 33, &prefix, &depth, &nh) < 0)
		return -1;
	if (depth == 32) {
		if (f->nh[nh].type != NH_GATEWAY ||
			dir24_covering(f->tbl, addr, 32, &prefix, &depth, &nh) < 0)
			return -1;
	}
	return f->nh[nh].type == NH_CONNECTED ? f->nh[nh].port : -1;
}

static bool
routed32(struct fib *f, uint32_t addr)
{
	uint32_t nh;

	return dir24_get(f->tbl, addr, 32, &nh) == 0;
}

/* addr lies on port's connected subnet and nothing more specific routes it. */
static bool
neigh_on_subnet(struct fib *f, uint16_t port, uint32_t addr)
{
	return !routed32(f, addr) && subnet_port(f, addr) == port;
}

/*
 * Queue addr/32 via itself, so that forwarding to a neighbour on a connected
 * subnet finds its MAC in the next hop like any gateway's; unless addr/32 is
 * routed already (by the RIB, or by this adjacency). id is the neighbour's
 * next hop, MAC already set.
 */
static void
neigh_adjacency(struct fib *f, uint16_t port, uint32_t addr, uint32_t id)
{
	struct route_op op = {
		.kind = FIB_OP_ADJ_ADD,
		.depth = 32,
		.port = (uint8_t)port,
		.nh_type = NH_GATEWAY,
		.prefix = addr,
		.gateway = addr,
	};

	if (!neigh_on_subnet(f, port, addr))
		return;
	/* The hold keeps id (and its MAC) alive until the op is applied. */
	if (fib_writer_queue_held(f, &op, id) < 0)
		FIB_LOG(ERR, "no memory to queue the adjacency of a neighbour");
}

static enum fib_neigh_result
neigh_learn(
	struct fib *f, uint16_t port, uint32_t addr, const struct rte_ether_addr *mac, bool create)
{
	struct nexthop *nh;
	uint32_t id;

	if (addr == 0 || port >= FIB_PORTS)
		return FIB_NEIGH_IGNORED;
	if (fib_nh_find(f, NH_GATEWAY, port, addr, &id) == 0) {
		nh = &f->nh[id];
		if (nh->flags & NH_F_STATIC)
			return FIB_NEIGH_IGNORED;
		fib_nh_set_mac(nh, mac->addr_bytes);
		if (nh->flags & NH_F_LEARNED) {
			neigh_adjacency(f, port, addr, id);
			return FIB_NEIGH_UPDATED;
		}
		/* A next hop of routes only: a neighbour too if on the subnet. */
		if (subnet_port(f, addr) != port)
			return FIB_NEIGH_UPDATED;
		if (f->neigh_n[port] >= f->neigh_max[port])
			return FIB_NEIGH_REFUSED; /* its routes keep the MAC */
	} else {
		if (!create || subnet_port(f, addr) != port)
			return FIB_NEIGH_IGNORED;
		if (f->neigh_n[port] >= f->neigh_max[port])
			return FIB_NEIGH_REFUSED;
		if (fib_nh_intern(f, NH_GATEWAY, port, addr, &id) < 0)
			return FIB_NEIGH_NO_ID;
		nh = &f->nh[id];
		fib_nh_set_mac(nh, mac->addr_bytes);
	}
	nh->flags |= NH_F_LEARNED;
	f->neigh_n[port]++;
	fib_nh_hold(f, id);
	neigh_adjacency(f, port, addr, id);
	return FIB_NEIGH_ADDED;
}

enum fib_neigh_result
fib_neigh_learn(struct fib *f, uint16_t port, uint32_t addr, const struct rte_ether_addr *mac)
{
	return neigh_learn(f, port, addr, mac, true);
}

enum fib_neigh_result
fib_neigh_refresh(struct fib *f, uint16_t port, uint32_t addr, const struct rte_ether_addr *mac)
{
	return neigh_learn(f, port, addr, mac, false);
}

int
fib_neigh_forget(struct fib *f, uint16_t port, uint32_t addr)
{
	struct route_op op = {
		.kind = FIB_OP_ADJ_DEL,
		.depth = 32,
		.port = (uint8_t)port,
		.nh_type = NH_GATEWAY,
		.prefix = addr,
		.gateway = addr,
	};
	struct nexthop *nh;
	uint32_t id;

	if (fib_nh_find(f, NH_GATEWAY, port, addr, &id) < 0)
		return -ENOENT;
	nh = &f->nh[id];
	if (nh->flags & NH_F_STATIC)
		return -ENOENT;
	/* The fast path asks again when traffic needs it. */
	__atomic_store_n(&nh->mac_state, 0, __ATOMIC_RELEASE);
	if (!(nh->flags & NH_F_LEARNED))
		return -ENOENT;
	nh->flags &= ~NH_F_LEARNED;
	f->neigh_n[port]--;
	/* The adjacency goes in order with the ops queued before. */
	if ((nh->flags & NH_F_ADJ) && fib_writer_queue_held(f, &op, 0) < 0)
		FIB_LOG(ERR, "no memory to queue the removal of a neighbour's adjacency");
	fib_nh_unhold(f, id);
	return 0;
}

void
fib_neigh_set_max(struct fib *f, uint16_t port, uint32_t max)
{
	if (port < FIB_PORTS)
		f->neigh_max[port] = max;
}

uint32_t
fib_neigh_count(const struct fib *f, uint16_t port)
{
	return port < FIB_PORTS ? f->neigh_n[port] : 0;
}

/* The neighbour's adjacency into the table, if the RIB does not route its
 * address itself and the address is still on its subnet. */
static int
adj_install(struct fib *f, uint32_t id)
{
	struct nexthop *nh = &f->nh[id];
	uint32_t old;
	int ret;

	if (!is_neigh(nh) || (nh->flags & NH_F_ADJ) ||
		!(__atomic_load_n(&nh->mac_state, __ATOMIC_RELAXED) & NH_MAC_VALID) ||
		routed32(f, nh->addr) || subnet_port(f, nh->addr) != nh->port)
		return 0;
	ret = dir24_add(f->tbl, nh->addr, 32, id, &old);
	if (ret < 0)
		return ret;
	fib_nh_ref(f, id);
	nh->flags |= NH_F_ADJ;
	f->stats.routes++;
	return 0;
}

static int
adj_remove(struct fib *f, uint32_t id)
{
	struct nexthop *nh = &f->nh[id];
	uint32_t old;
	int ret;

	if (!(nh->flags & NH_F_ADJ))
		return 0;
	ret = dir24_del(f->tbl, nh->addr, 32, &old);
	if (ret < 0)
		return ret;
	nh->flags &= ~NH_F_ADJ;
	fib_nh_unref(f, id);
	f->stats.routes--;
	return 0;
}

/* FIB_OP_ADJ_ADD, FIB_OP_ADJ_DEL: the writer's own ops. A neighbour
 * forgotten, or learned again, since the op was queued decides. */
int
fib_adj_apply(struct fib *f, const struct route_op *op)
{
	uint32_t id;

	if (fib_nh_find(f, NH_GATEWAY, op->port, op->gateway, &id) < 0)
		return 0;
	if (op->kind == FIB_OP_ADJ_ADD)
		return adj_install(f, id);
	if (is_neigh(&f->nh[id]))
		return 0;
	return adj_remove(f, id);
}

/* The route at prefix/depth, through next hop id, is a neighbour's
 * adjacency (not the RIB's). */
bool
fib_adj_owns(const struct fib *f, uint32_t id, uint32_t prefix, uint8_t depth)
{
	const struct nexthop *nh = &f->nh[id];

	return depth == 32 && (nh->flags & NH_F_ADJ) && nh->type == NH_GATEWAY &&
	       nh->addr == prefix;
}

/* The RIB's own prefix/depth replaced the route through id. */
void
fib_adj_disown(struct fib *f, uint32_t id, uint32_t prefix, uint8_t depth)
{
	if (fib_adj_owns(f, id, prefix, depth))
		f->nh[id].flags &= ~NH_F_ADJ;
}

/* The RIB's own prefix/depth is gone from the table: a neighbour there gets
 * its adjacency back. */
void
fib_adj_restore(struct fib *f, uint32_t prefix, uint8_t depth)
{
	uint32_t id;
	int port;

	if (depth != 32)
		return;
	port = subnet_port(f, prefix);
	if (port < 0 || fib_nh_find(f, NH_GATEWAY, (uint16_t)port, prefix, &id) < 0)
		return;
	if (adj_install(f, id) < 0)
		FIB_LOG(WARNING, "no room for the adjacency of neighbour %u.%u.%u.%u", prefix >> 24,
			(prefix >> 16) & 0xff, (prefix >> 8) & 0xff, prefix & 0xff);
}

/* ROUTE_OP_NEIGH: a static neighbour; an all-zero MAC removes it. */
int
fib_neigh_apply_static(struct fib *f, const struct route_op *op)
{
	static const uint8_t zero[6];
	struct nexthop *nh;
	uint32_t id;
	int ret;

	ret = fib_nh_intern(f, NH_GATEWAY, op->port, op->gateway, &id);
	if (ret < 0)
		return ret;
	nh = &f->nh[id];
	if (memcmp(op->mac, zero, sizeof(zero)) == 0) {
		if (nh->flags & NH_F_STATIC) {
			nh->flags &= ~NH_F_STATIC;
			__atomic_store_n(&nh->mac_state, 0, __ATOMIC_RELEASE);
			ret = adj_remove(f, id);
			fib_nh_unhold(f, id);
		}
		return ret;
	}
	if (!(nh->flags & NH_F_STATIC)) {
		nh->flags |= NH_F_STATIC;
		fib_nh_hold(f, id);
		/* Configured now: no longer learned, nor counted as such. */
		if (nh->flags & NH_F_LEARNED) {
			nh->flags &= ~NH_F_LEARNED;
			f->neigh_n[nh->port]--;
			fib_nh_unhold(f, id);
		}
	}
	fib_nh_set_mac(nh, op->mac);
	neigh_adjacency(f, op->port, op->gateway, id);
	return 0;
}
