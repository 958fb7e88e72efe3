/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB writer: takes route ops in batches, applies a batch to the
 * standby copy, publishes that copy, and replays the batch on the other copy
 * once every reader has passed a quiescent state. Never blocks: the main
 * lcore that runs it also runs the exception path (ARP, BGP's packets).
 *
 *   IDLE --take ops, apply to standby, publish, start grace--> WAIT_GRACE
 *   WAIT_GRACE --grace period over: replay on the old copy--> IDLE
 *
 * Next-hop reference counts change once per op, when the op is applied to
 * the first copy; the second copy only gets the same rte_fib calls
 * (fib_copy.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_rib.h>

#include "fib_internal.h"

#define FIB_LQ_INIT 64
#define FIB_WARN_MAX 16 /* log lines for refused ops, then only ops_failed counts */

static inline uint32_t
depth_mask(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

static inline struct rte_fib *
fib_other(const struct fib *f, const struct rte_fib *c)
{
	return c == f->copy[0] ? f->copy[1] : f->copy[0];
}

int
fib_writer_init(struct fib *f)
{
	f->batch = calloc(FIB_BATCH_MAX, sizeof(*f->batch));
	f->batch_hold = calloc(FIB_BATCH_MAX, sizeof(*f->batch_hold));
	f->replay = calloc(FIB_REPLAY_MAX, sizeof(*f->replay));
	f->lq = calloc(FIB_LQ_INIT, sizeof(*f->lq));
	f->lq_cap = FIB_LQ_INIT;
	f->state = FIB_IDLE;
	f->latest = f->active;
	for (unsigned int i = 0; i < FIB_PORTS; i++)
		f->neigh_max[i] = UINT32_MAX;
	if (f->batch == NULL || f->batch_hold == NULL || f->replay == NULL || f->lq == NULL)
		return -ENOMEM;
	return 0;
}

void
fib_writer_fini(struct fib *f)
{
	free(f->batch);
	free(f->batch_hold);
	free(f->replay);
	free(f->lq);
}

static int
lq_push(struct fib *f, const struct route_op *op, uint32_t hold_id)
{
	if (f->lq_n == f->lq_cap) {
		uint32_t cap = f->lq_cap * 2;
		struct fib_local_op *q = malloc(cap * sizeof(*q));
		uint32_t first;

		if (q == NULL)
			return -ENOMEM;
		/* Unwrap into the new buffer, oldest first. */
		first = f->lq_cap - f->lq_head;
		memcpy(q, &f->lq[f->lq_head], first * sizeof(*q));
		memcpy(&q[first], f->lq, f->lq_head * sizeof(*q));
		free(f->lq);
		f->lq = q;
		f->lq_cap = cap;
		f->lq_head = 0;
	}
	f->lq[(f->lq_head + f->lq_n) % f->lq_cap] = (struct fib_local_op){*op, hold_id};
	f->lq_n++;
	return 0;
}

int
fib_writer_queue(struct fib *f, const struct route_op *op)
{
	return lq_push(f, op, 0);
}

int
fib_writer_queue_held(struct fib *f, const struct route_op *op, uint32_t hold_id)
{
	int ret = lq_push(f, op, hold_id);

	if (ret == 0 && hold_id != 0)
		fib_nh_hold(f, hold_id);
	return ret;
}

static void
op_refused(struct fib *f, const struct route_op *op, int err)
{
	f->stats.ops_failed++;
	if (f->warned < FIB_WARN_MAX) {
		f->warned++;
		FIB_LOG(WARNING, "route op %u for %u.%u.%u.%u/%u refused: %s%s", op->kind,
			op->prefix >> 24, (op->prefix >> 16) & 0xff, (op->prefix >> 8) & 0xff,
			op->prefix & 0xff, op->depth, strerror(-err),
			f->warned == FIB_WARN_MAX ? " (further refusals only counted)" : "");
	}
}

static int
apply_add(struct fib *f, struct rte_fib *c, const struct route_op *op, uint32_t prefix)
{
	struct rte_rib *rib = rte_fib_get_rib(c);
	struct rte_rib_node *node;
	uint64_t old = FIB_NH_NONE, now;
	uint32_t id;
	int ret;

	ret = fib_nh_intern(f, op->nh_type, op->port, op->gateway, &id);
	if (ret < 0)
		return ret;
	node = rte_rib_lookup_exact(rib, prefix, op->depth);
	if (node != NULL) {
		rte_rib_get_nh(node, &old);
		if (old == id) {
			fib_adj_disown(f, id, prefix, op->depth);
			return 0;
		}
	}
	ret = fib_copy_add(f, c, prefix, op->depth, id);
	if (ret == 0 && old != FIB_NH_NONE) {
		/* A replace that ran out of tbl8s returns 0 on some rte_fib
		 * versions: trust the RIB, not the return value. */
		node = rte_rib_lookup_exact(rib, prefix, op->depth);
		if (node != NULL)
			rte_rib_get_nh(node, &now);
		if (node == NULL || now != id)
			ret = -ENOSPC;
	}
	if (ret < 0) {
		/* The copy may hold id in part of the range: never reuse it. */
		fib_nh_pin(f, id);
		return ret;
	}
	fib_nh_ref(f, id);
	if (old != FIB_NH_NONE) {
		fib_adj_disown(f, (uint32_t)old, prefix, op->depth);
		fib_nh_unref(f, (uint32_t)old);
	} else {
		f->stats.routes++;
	}
	return 0;
}

static int
apply_del(struct fib *f, struct rte_fib *c, const struct route_op *op, uint32_t prefix)
{
	struct rte_rib_node *node;
	uint64_t old;
	int ret;

	node = rte_rib_lookup_exact(rte_fib_get_rib(c), prefix, op->depth);
	if (node == NULL)
		return -ENOENT;
	rte_rib_get_nh(node, &old);
	/* A neighbour's adjacency: nothing of the RIB's to delete. */
	if (fib_adj_owns(f, (uint32_t)old, prefix, op->depth))
		return -ENOENT;
	ret = fib_copy_del(f, c, prefix, op->depth);
	if (ret < 0)
		return ret;
	fib_nh_unref(f, (uint32_t)old);
	f->stats.routes--;
	fib_adj_restore(f, c, prefix, op->depth);
	return 0;
}

static int
apply_op(struct fib *f, struct rte_fib *c, const struct route_op *op)
{
	uint32_t prefix;

	if (op->kind == ROUTE_OP_NEIGH)
		return fib_neigh_apply_static(f, c, op);
	if (op->kind == FIB_OP_ADJ_ADD || op->kind == FIB_OP_ADJ_DEL)
		return fib_adj_apply(f, c, op);
	if (op->depth > 32)
		return -EINVAL;
	prefix = op->prefix & depth_mask(op->depth);
	switch (op->kind) {
	case ROUTE_OP_ADD:
		return apply_add(f, c, op, prefix);
	case ROUTE_OP_DEL:
		return apply_del(f, c, op, prefix);
	default:
		return -EINVAL;
	}
}

/* Takes up to FIB_BATCH_MAX ops: the local queue's first, then the ring's. */
static unsigned int
batch_take(struct fib *f)
{
	unsigned int n = 0;

	while (n < FIB_BATCH_MAX && f->lq_n != 0) {
		f->batch[n] = f->lq[f->lq_head].op;
		f->batch_hold[n] = f->lq[f->lq_head].hold_id;
		f->lq_head = (f->lq_head + 1) % f->lq_cap;
		f->lq_n--;
		n++;
	}
	if (n < FIB_BATCH_MAX) {
		unsigned int k = rte_ring_dequeue_burst_elem(
			f->ring, &f->batch[n], sizeof(struct route_op), FIB_BATCH_MAX - n, NULL);

		memset(&f->batch_hold[n], 0, k * sizeof(uint32_t));
		/* The writer's own kinds come from its local queue only. */
		for (; k > 0; k--, n++)
			if (f->batch[n].kind == FIB_OP_ADJ_ADD ||
				f->batch[n].kind == FIB_OP_ADJ_DEL)
				f->batch[n].kind = 0;
	}
	return n;
}

static void
batch_apply_first(struct fib *f, struct rte_fib *c, unsigned int n)
{
	unsigned int i;
	int ret;

	/* Neighbour ops look routes up in the newest state: this copy. */
	f->latest = c;
	for (i = 0; i < n; i++) {
		ret = apply_op(f, c, &f->batch[i]);
		if (ret < 0)
			op_refused(f, &f->batch[i], ret);
		else
			f->stats.ops_applied++;
		if (f->batch_hold[i] != 0)
			fib_nh_unhold(f, f->batch_hold[i]);
	}
}

/* The grace period is over: no reader uses the old copy any more. */
static void
batch_finish(struct fib *f)
{
	fib_copy_replay(f, fib_other(f, f->active));
	f->state = FIB_IDLE;
	fib_nh_batch_done(f);
}

unsigned int
fib_writer_poll(struct fib *f)
{
	struct rte_fib *standby;
	unsigned int n;

	fib_nh_recycle(f);
	if (f->state == FIB_WAIT_GRACE) {
		if (rte_rcu_qsbr_check(f->qsbr, f->token, false) != 1)
			return 0;
		batch_finish(f);
	}
	n = batch_take(f);
	if (n == 0)
		return 0;
	standby = fib_other(f, f->active);
	batch_apply_first(f, standby, n);
	/* Release: the copy's tables and the next hops it points at are
	 * written before a reader can load the pointer (acquire). */
	__atomic_store_n(&f->active, standby, __ATOMIC_RELEASE);
	f->token = rte_rcu_qsbr_start(f->qsbr);
	f->state = FIB_WAIT_GRACE;
	f->stats.batches++;
	/* Without readers online the grace period is already over: finish
	 * now and leave both copies in step. */
	if (rte_rcu_qsbr_check(f->qsbr, f->token, false) == 1)
		batch_finish(f);
	return n;
}

int
fib_writer_drain(struct fib *f, unsigned int timeout_ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * timeout_ms / 1000;

	for (;;) {
		fib_writer_poll(f);
		if (f->state == FIB_IDLE && f->lq_n == 0 && rte_ring_empty(f->ring))
			return 0;
		if (rte_get_timer_cycles() >= end)
			return -ETIMEDOUT;
		rte_pause();
	}
}
