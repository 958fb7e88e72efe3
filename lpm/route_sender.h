/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The producer side of the route ring. The ring is bounded; a route op is
 * never dropped: what does not fit waits here, in order, and is retried.
 * One sender per producing thread (not thread-safe).
 */
#pragma once

#include <stddef.h>

#include <rte_ring.h>

#include "route_op.h"

struct route_sender;

struct route_sender *route_sender_create(struct rte_ring *ring);
void route_sender_destroy(struct route_sender *s);

/* Enqueue op, after whatever already waits. 0, or -ENOMEM (nothing queued). */
int route_sender_send(struct route_sender *s, const struct route_op *op);

/* Move what waits onto the ring, as far as it fits. Returns what still waits. */
size_t route_sender_flush(struct route_sender *s);

size_t route_sender_backlog(const struct route_sender *s);
