/* SPDX-License-Identifier: BSD-3-Clause */
/* Routes from the config: the ports' connected subnets and our own addresses,
 * static routes (into the RIB), and static neighbours (straight to the FIB). */
#include <string.h>

#include "static_route.h"

int
static_routes_install(const struct vbr_config *cfg, struct rib *rib, struct route_sender *s)
{
	int rc = 0;

	/* Neighbours first: routes through them are resolved from the start. */
	for (unsigned i = 0; i < cfg->nb_neighbors && rc == 0; i++) {
		const struct vbr_neighbor *n = &cfg->neighbors[i];
		struct route_op op = {
			.kind = ROUTE_OP_NEIGH, .port = (uint8_t)n->port, .gateway = n->address,
		};

		memcpy(op.mac, n->mac, sizeof(op.mac));
		rc = route_sender_send(s, &op);
	}
	for (unsigned p = 0; p < VBR_NB_PORTS && rc == 0; p++) {
		const struct vbr_port_config *pc = &cfg->ports[p];

		rc = rib_local_add(rib, RIB_SRC_CONNECTED, pc->address & config_prefix_mask(pc->prefix_len),
				pc->prefix_len, NH_CONNECTED, (uint8_t)p, 0);
		if (rc == 0)
			rc = rib_local_add(rib, RIB_SRC_CONNECTED, pc->address, 32, NH_LOCAL,
					(uint8_t)p, 0);
	}
	for (unsigned i = 0; i < cfg->nb_routes && rc == 0; i++) {
		const struct vbr_static_route *r = &cfg->routes[i];

		rc = rib_local_add(rib, RIB_SRC_STATIC, r->prefix.addr, r->prefix.len, NH_GATEWAY,
				(uint8_t)r->port, r->next_hop);
	}
	return rc;
}
