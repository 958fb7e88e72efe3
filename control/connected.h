/* SPDX-License-Identifier: BSD-3-Clause */
/* The ports' connected subnets and our own addresses, into the RIB. Static
 * routes and neighbours are runtime objects (objects.c). */
#pragma once

#include "config.h"
#include "rib.h"

int connected_routes_install(const struct vbr_config *cfg, struct rib *rib);
