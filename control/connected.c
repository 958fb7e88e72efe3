/* SPDX-License-Identifier: BSD-3-Clause */
/* The ports' connected subnets and our own /32s: fixed for vbrd's life (a
 * port's address changes only with a restart). */
#include "connected.h"

int
connected_routes_install(const struct vbr_config *cfg, struct rib *rib)
{
	int rc = 0;

	for (unsigned p = 0; p < VBR_NB_PORTS && rc == 0; p++) {
		const struct vbr_port_config *pc = &cfg->ports[p];

		rc = rib_local_add(rib, RIB_SRC_CONNECTED, pc->address & config_prefix_mask(pc->prefix_len),
				pc->prefix_len, NH_CONNECTED, (uint8_t)p, 0);
		if (rc == 0)
			rc = rib_local_add(rib, RIB_SRC_CONNECTED, pc->address, 32, NH_LOCAL,
					(uint8_t)p, 0);
	}
	return rc;
}
