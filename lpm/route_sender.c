/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The producer side of the route ring: what the ring cannot take now waits
 * in a backlog, in order, and goes first on the next send or flush. The
 * backlog is a ring buffer that doubles when full and shrinks back once
 * drained, so a burst (a full table from a new BGP peer) costs no
 * allocation per op and a quiet sender keeps little memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "route_sender.h"

#define SENDER_CAP_MIN 256u
/* Keep a grown backlog this big once drained: the next burst comes soon. */
#define SENDER_CAP_KEEP (64u * 1024)

struct route_sender {
	struct rte_ring *ring;
	struct route_op *ops;
	size_t cap, head, n;
};

struct route_sender *
route_sender_create(struct rte_ring *ring)
{
	struct route_sender *s;

	if (ring == NULL)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->ops = malloc(SENDER_CAP_MIN * sizeof(*s->ops));
	if (s->ops == NULL) {
		free(s);
		return NULL;
	}
	s->ring = ring;
	s->cap = SENDER_CAP_MIN;
	return s;
}

void
route_sender_destroy(struct route_sender *s)
{
	if (s == NULL)
		return;
	free(s->ops);
	free(s);
}

static int
backlog_grow(struct route_sender *s)
{
	size_t cap = s->cap * 2, first = s->cap - s->head;
	struct route_op *ops = malloc(cap * sizeof(*ops));

	if (ops == NULL)
		return -ENOMEM;
	/* Unwrap, oldest first. */
	memcpy(ops, &s->ops[s->head], first * sizeof(*ops));
	memcpy(&ops[first], s->ops, s->head * sizeof(*ops));
	free(s->ops);
	s->ops = ops;
	s->cap = cap;
	s->head = 0;
	return 0;
}

static void
backlog_shrink(struct route_sender *s)
{
	struct route_op *ops;

	if (s->cap <= SENDER_CAP_KEEP)
		return;
	ops = realloc(s->ops, SENDER_CAP_KEEP * sizeof(*ops));
	if (ops == NULL)
		return; /* keeping the big one is fine */
	s->ops = ops;
	s->cap = SENDER_CAP_KEEP;
}

int
route_sender_send(struct route_sender *s, const struct route_op *op)
{
	/* Straight onto the ring when nothing waits ahead of op. */
	if (s->n == 0 && rte_ring_mp_enqueue_elem(s->ring, (void *)(uintptr_t)op, sizeof(*op)) == 0)
		return 0;
	if (s->n == s->cap && backlog_grow(s) < 0)
		return -ENOMEM;
	s->ops[(s->head + s->n) % s->cap] = *op;
	s->n++;
	return 0;
}

size_t
route_sender_flush(struct route_sender *s)
{
	unsigned int want, done;

	while (s->n != 0) {
		/* The contiguous part from head. */
		want = (unsigned int)RTE_MIN(s->n, s->cap - s->head);
		done = rte_ring_mp_enqueue_burst_elem(
			s->ring, &s->ops[s->head], sizeof(*s->ops), want, NULL);
		s->head = (s->head + done) % s->cap;
		s->n -= done;
		if (done < want)
			break;
	}
	if (s->n == 0) {
		s->head = 0;
		backlog_shrink(s);
	}
	return s->n;
}

size_t
route_sender_backlog(const struct route_sender *s)
{
	return s->n;
}
