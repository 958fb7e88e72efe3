/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A route op: one FIB change, as it travels on the route ring from the
 * control side (static routes, BGP best paths, neighbours) to the single FIB
 * writer on the main lcore. Fixed-size ring elements: no allocation per op.
 * Addresses are in host byte order.
 */
#pragma once

#include <stdint.h>

enum route_op_kind {
	ROUTE_OP_ADD = 1, /* prefix/depth -> next hop (replaces an existing one) */
	ROUTE_OP_DEL = 2, /* remove prefix/depth */
	ROUTE_OP_NEIGH = 3, /* static neighbour: port, gateway = its IP, mac */
};

enum nh_type {
	NH_NONE = 0,	  /* no route: the FIB's default */
	NH_GATEWAY = 1,	  /* forward to gateway on port; needs its MAC */
	NH_CONNECTED = 2, /* a port's own subnet: resolve the destination itself */
	NH_LOCAL = 3,	  /* one of our addresses: punt to the kernel tap */
	NH_BLACKHOLE = 4, /* drop silently (counted) */
	NH_GROUP = 5,	  /* ECMP: one of 2..ROUTE_OP_MAX_GW gateways on port, per flow */
};

/* The most gateways of one route (a next-hop group). */
#define ROUTE_OP_MAX_GW 8

struct route_op {
	uint8_t kind;	 /* enum route_op_kind */
	uint8_t depth;	 /* 0..32 */
	uint8_t port;	 /* enum vbr_port_id for GATEWAY / CONNECTED / NEIGH */
	uint8_t nh_type; /* enum nh_type for ADD */
	uint32_t prefix;
	uint32_t gateway; /* NH_GATEWAY: next-hop address; NEIGH: neighbour address */
	uint8_t mac[6];	  /* NEIGH */
	uint8_t flags;	  /* ROUTE_OP_F_* */
	uint8_t n_gateways; /* NH_GROUP: how many of gateways[] (2..ROUTE_OP_MAX_GW); else 0 */
	/* NH_GROUP: the members, all on port, distinct, in any order (the FIB
	 * keys a group by its set); gateway is unused. */
	uint32_t gateways[ROUTE_OP_MAX_GW];
};

_Static_assert(sizeof(struct route_op) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

/* The writer answers the op on the result ring (struct route_result). */
#define ROUTE_OP_F_RESULT 0x01

/* How an op went. */
enum route_status {
	ROUTE_OK = 0,		    /* applied */
	ROUTE_REFUSED_NEXTHOPS = 1, /* no next-hop id left (fib.max_nexthops) */
	ROUTE_REFUSED_TABLE = 2,    /* no room in the engine: fib.max_routes, or a tbl8
				       group (fib.max_tbl8) for a prefix longer than /24 */
	ROUTE_REFUSED_INVALID = 3,  /* a malformed op */
};

/*
 * The answer to an op sent with ROUTE_OP_F_RESULT, from the FIB writer back to
 * the op's sender, in the order the ops were taken, once the op's effect is
 * visible to readers. It says what the FIB holds for the prefix now: after a
 * refused replacement that is the old next hop, after a refused add nothing.
 */
struct route_result {
	uint32_t prefix;  /* the op's */
	uint32_t gateway; /* the next hop the FIB holds now (NH_GATEWAY); NH_GROUP: its
			     members' route_group_digest() */
	uint8_t depth;	  /* the op's */
	uint8_t kind;	  /* the op's */
	uint8_t nh_type;  /* what the FIB holds now; NH_NONE: no route */
	uint8_t port;
	uint8_t status; /* enum route_status */
	uint8_t n_members; /* NH_GROUP: its members */
	uint8_t reserved[2];
};

_Static_assert(sizeof(struct route_result) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

/* Sorts a group's gateways and drops repeats: the set a group is keyed by.
 * Returns how many are left. */
static inline unsigned int
route_group_sort(uint32_t *gw, unsigned int n)
{
	unsigned int i, j, k = 0;

	for (i = 1; i < n; i++) {
		uint32_t v = gw[i];

		for (j = i; j > 0 && gw[j - 1] > v; j--)
			gw[j] = gw[j - 1];
		gw[j] = v;
	}
	for (i = 0; i < n; i++)
		if (k == 0 || gw[k - 1] != gw[i])
			gw[k++] = gw[i];
	return k;
}

/*
 * What the FIB answers for a group and the RIB compares (route_result): a
 * 32-bit digest of the sorted member set and its port. Fixed, so that both
 * sides compute the same; a collision could only hide a difference between
 * two groups of the same prefix from the RIB's bookkeeping (fib_check
 * compares the members themselves).
 */
static inline uint32_t
route_group_digest(uint8_t port, const uint32_t *sorted_gw, unsigned int n)
{
	uint64_t h = 0x6a09e667f3bcc909ull ^ ((uint64_t)port << 8 | n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		h ^= sorted_gw[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	/* Never 0: the RIB's "no gateway". */
	return (uint32_t)(h >> 32) | 1u;
}
