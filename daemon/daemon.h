/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's own glue between the rooms. */
#pragma once

#include "control.h"
#include "dataplane.h"

/* The dataplane's side of what the control thread needs (stats.c). */
struct control_hooks daemon_hooks(struct dataplane *dp);
