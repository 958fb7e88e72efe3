/* SPDX-License-Identifier: BSD-3-Clause */
/* Routes from the config: the ports' connected subnets, our own addresses,
 * static neighbours and static routes, as route ops. */
#pragma once

#include "config.h"
#include "route_sender.h"

int static_routes_install(const struct vbr_config *cfg, struct route_sender *s);
