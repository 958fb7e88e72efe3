/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: owns the routes (connected, static, and later BGP's)
 * and sends their changes to the FIB writer as route ops. This header is the
 * whole of what dataplane/ may use of control/.
 */
#pragma once

#include <rte_ring.h>

#include "config.h"

struct control;

/* Start the control thread. It installs the configured routes at once.
 * NULL on error (logged). */
struct control *control_start(const struct vbr_config *cfg, struct rte_ring *route_ring);

/* Stop the thread and free everything. */
void control_stop(struct control *c);

/* Route ops not yet on the ring (waiting for room). */
size_t control_backlog(struct control *c);
