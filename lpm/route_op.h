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
	uint16_t reserved;
};

_Static_assert(sizeof(struct route_op) % 4 == 0, "rte_ring elements are multiples of 4 bytes");
