/* SPDX-License-Identifier: BSD-3-Clause */
/* Routes from the config: the ports' connected subnets, our own addresses,
 * static neighbours and static routes, as route ops. */
#include <string.h>

#include "static_route.h"

static uint32_t
mask_of(uint8_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

int
static_routes_install(const struct vbr_config *cfg, struct route_sender *s)
{
	int rc = 0;

	for (unsigned p = 0; p < VBR_NB_PORTS && rc == 0; p++) {
		const struct vbr_port_config *pc = &cfg->ports[p];
		struct route_op subnet = {
			.kind = ROUTE_OP_ADD, .nh_type = NH_CONNECTED, .port = (uint8_t)p,
			.prefix = pc->address & mask_of(pc->prefix_len), .depth = pc->prefix_len,
		};
		struct route_op local = {
			.kind = ROUTE_OP_ADD, .nh_type = NH_LOCAL, .port = (uint8_t)p,
			.prefix = pc->address, .depth = 32,
		};

		rc = route_sender_send(s, &subnet);
		if (rc == 0)
			rc = route_sender_send(s, &local);
	}
	for (unsigned i = 0; i < cfg->nb_neighbors && rc == 0; i++) {
		const struct vbr_neighbor *n = &cfg->neighbors[i];
		struct route_op op = {
			.kind = ROUTE_OP_NEIGH, .port = (uint8_t)n->port, .gateway = n->address,
		};

		memcpy(op.mac, n->mac, sizeof(op.mac));
		rc = route_sender_send(s, &op);
	}
	for (unsigned i = 0; i < cfg->nb_routes && rc == 0; i++) {
		const struct vbr_static_route *r = &cfg->routes[i];
		struct route_op op = {
			.kind = ROUTE_OP_ADD, .nh_type = NH_GATEWAY, .port = (uint8_t)r->port,
			.prefix = r->prefix.addr, .depth = r->prefix.len, .gateway = r->next_hop,
		};

		rc = route_sender_send(s, &op);
	}
	return rc;
}
