/* SPDX-License-Identifier: BSD-3-Clause */
/* Routes from the config: the ports' connected subnets and our own addresses,
 * static routes (into the RIB), and static neighbours (straight to the FIB). */
#pragma once

#include "config.h"
#include "rib.h"
#include "route_sender.h"

int static_routes_install(const struct vbr_config *cfg, struct rib *rib, struct route_sender *s);
