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
	NH_NONE = 0,	   /* no route: the FIB's default */
	NH_GATEWAY = 1,	   /* forward to gateway on port; needs its MAC */
	NH_CONNECTED = 2,  /* a port's own subnet: resolve the destination itself */
	NH_LOCAL = 3,	   /* one of our addresses: punt to the kernel tap */
	NH_BLACKHOLE = 4,  /* drop silently (counted) */
};

struct route_op {
	uint8_t kind;	 /* enum route_op_kind */
	uint8_t depth;	 /* 0..32 */
	uint8_t port;	 /* enum vbr_port_id for GATEWAY / CONNECTED / NEIGH */
	uint8_t nh_type; /* enum nh_type for ADD */
	uint32_t prefix;
	uint32_t gateway; /* NH_GATEWAY: next-hop address; NEIGH: neighbour address */
	uint8_t mac[6];	  /* NEIGH */
	uint8_t flags;	  /* ROUTE_OP_F_* */
	uint8_t reserved;
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
	uint32_t gateway; /* the next hop the FIB holds now (NH_GATEWAY) */
	uint8_t depth;	  /* the op's */
	uint8_t kind;	  /* the op's */
	uint8_t nh_type;  /* what the FIB holds now; NH_NONE: no route */
	uint8_t port;
	uint8_t status; /* enum route_status */
	uint8_t reserved[3];
};

_Static_assert(sizeof(struct route_result) % 4 == 0, "rte_ring elements are multiples of 4 bytes");
