/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB writer: takes route ops in batches and applies each to the table,
 * where readers see it at once; answers the batch; and hands what the batch
 * freed (next-hop ids, tbl8 groups) to a grace period before reuse. Never
 * blocks, and never waits for readers to change a route: the main lcore
 * that runs it also runs the exception path (ARP, BGP's packets).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "fib_internal.h"

#define FIB_LQ_INIT 64
/* Ops whose table lines are fetched ahead of the one being applied. */
#define FIB_PREFETCH_AHEAD 8u
/* Refused ops: a log line each, at most FIB_WARN_MAX per window, then one
 * that counts the rest. A full table refuses thousands at once; the log
 * must say so without drowning, and say it again later if it persists. */
#define FIB_WARN_MAX 8
#define FIB_WARN_WINDOW_S 10

static inline uint32_t
depth_mask(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

int
fib_writer_init(struct fib *f)
{
	f->batch = calloc(FIB_BATCH_MAX, sizeof(*f->batch));
	f->batch_hold = calloc(FIB_BATCH_MAX, sizeof(*f->batch_hold));
	f->res = calloc(FIB_BATCH_MAX, sizeof(*f->res));
	f->lq = calloc(FIB_LQ_INIT, sizeof(*f->lq));
	f->lq_cap = FIB_LQ_INIT;
	for (unsigned int i = 0; i < FIB_PORTS; i++)
		f->neigh_max[i] = UINT32_MAX;
	if (f->batch == NULL || f->batch_hold == NULL || f->res == NULL ||
		f->lq == NULL)
		return -ENOMEM;
	return 0;
}

void
fib_writer_fini(struct fib *f)
{
	free(f->batch);
	free(f->batch_hold);
	free(f->res);
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

/* Closes the refusal log's window once it is over: says how many went
 * unlogged in it. */
static void
warn_window_close(struct fib *f, uint64_t now)
{
	if (now - f->warn_window < FIB_WARN_WINDOW_S * rte_get_timer_hz())
		return;
	if (f->unwarned != 0)
		FIB_LOG(WARNING,
			"%" PRIu64 " more route op(s) refused in the last %u s (%" PRIu64
			" refused in all: %" PRIu64 " for want of next-hop ids, %" PRIu64
			" of table room)",
			f->unwarned, FIB_WARN_WINDOW_S,
			f->stats.refused_nexthops + f->stats.refused_table,
			f->stats.refused_nexthops, f->stats.refused_table);
	f->warn_window = now;
	f->warned = 0;
	f->unwarned = 0;
}

static const char *
status_text(uint8_t status)
{
	switch (status) {
	case ROUTE_REFUSED_NEXTHOPS:
		return "next-hop table full (fib.max_nexthops)";
	case ROUTE_REFUSED_TABLE:
		return "no room in the FIB (fib.max_routes, or fib.max_tbl8 past /24)";
	default:
		return "invalid op";
	}
}

static void
op_refused(struct fib *f, const struct route_op *op, uint8_t status)
{
	uint64_t now = rte_get_timer_cycles();
	const char *what = "op on";
	uint32_t gw = op->gateway;
	const char *why = status_text(status);
	char more[24] = "";

	if (op->kind == ROUTE_OP_ADD)
		what = "route";
	else if (op->kind == FIB_OP_ADJ_ADD && status != ROUTE_REFUSED_INVALID)
		what = "neighbour adjacency"; /* the writer's own (from the ring: invalid) */
	f->stats.ops_failed++;
	if (status == ROUTE_REFUSED_NEXTHOPS)
		f->stats.refused_nexthops++;
	else if (status == ROUTE_REFUSED_TABLE)
		f->stats.refused_table++;
	warn_window_close(f, now);
	if (f->warned == FIB_WARN_MAX) {
		f->unwarned++;
		return;
	}
	f->warned++;
	if (op->kind == ROUTE_OP_ADD && op->nh_type == NH_GROUP) {
		gw = op->n_gateways != 0 ? op->gateways[0] : 0;
		snprintf(more, sizeof(more), " (a group of %u)", op->n_gateways);
		if (status == ROUTE_REFUSED_NEXTHOPS && f->free_groups.n == 0)
			why = "no next-hop group left (in use, or waiting for readers)";
	}
	FIB_LOG(WARNING, "%s %u.%u.%u.%u/%u via %u.%u.%u.%u%s refused: %s%s", what,
		op->prefix >> 24, (op->prefix >> 16) & 0xff, (op->prefix >> 8) & 0xff,
		op->prefix & 0xff, op->depth, gw >> 24, (gw >> 16) & 0xff, (gw >> 8) & 0xff,
		gw & 0xff, more, why,
		f->warned == FIB_WARN_MAX ? " (more in this window only counted)" : "");
}

/* The next-hop id an add points its prefix at: interned, or a group's. */
static int
add_nexthop(struct fib *f, const struct route_op *op, uint32_t *id)
{
	uint32_t gw[ROUTE_OP_MAX_GW];
	unsigned int n;

	if (op->nh_type != NH_GROUP)
		return fib_nh_intern(f, op->nh_type, op->port, op->gateway, id);
	if (op->n_gateways < 1 || op->n_gateways > ROUTE_OP_MAX_GW)
		return -EINVAL;
	memcpy(gw, op->gateways, op->n_gateways * sizeof(gw[0]));
	n = route_group_sort(gw, op->n_gateways);
	/* One gateway left (a repeated one): an ordinary next hop. */
	if (n == 1)
		return fib_nh_intern(f, NH_GATEWAY, op->port, gw[0], id);
	if (gw[0] == 0)
		return -EINVAL;
	return fib_group_intern(f, op->port, gw, n, id);
}

static int
apply_add(struct fib *f, const struct route_op *op, uint32_t prefix, uint8_t *status)
{
	uint32_t id, old = FIB_NH_NONE;
	int ret;

	ret = add_nexthop(f, op, &id);
	if (ret < 0) {
		*status = ret == -ENOSPC ? ROUTE_REFUSED_NEXTHOPS : ROUTE_REFUSED_INVALID;
		return ret;
	}
	/* Refused before anything is written: an unused new id goes back
	 * with the batch's candidates. */
	ret = dir24_add(f->tbl, prefix, op->depth, id, &old);
	if (ret < 0) {
		*status = ret == -ENOSPC ? ROUTE_REFUSED_TABLE : ROUTE_REFUSED_INVALID;
		return ret;
	}
	if (old == id) {
		fib_adj_disown(f, id, prefix, op->depth);
		return 0;
	}
	fib_nh_ref(f, id);
	if (old != FIB_NH_NONE) {
		fib_adj_disown(f, old, prefix, op->depth);
		fib_nh_unref(f, old);
	} else {
		f->stats.routes++;
	}
	return 0;
}

static int
apply_del(struct fib *f, const struct route_op *op, uint32_t prefix)
{
	uint32_t old;
	int ret;

	if (dir24_get(f->tbl, prefix, op->depth, &old) < 0)
		return -ENOENT;
	/* A neighbour's adjacency: nothing of the RIB's to delete. */
	if (fib_adj_owns(f, old, prefix, op->depth))
		return -ENOENT;
	ret = dir24_del(f->tbl, prefix, op->depth, &old);
	if (ret < 0)
		return ret;
	fib_nh_unref(f, old);
	f->stats.routes--;
	fib_adj_restore(f, prefix, op->depth);
	return 0;
}

/* Applies op; *status says how it went (a delete of a route the
 * FIB does not have fails, yet leaves what was asked for: ROUTE_OK; so does
 * a delete of an addr/32 that is a neighbour's adjacency, not the RIB's).
 * local: op comes from the writer's own queue, the only place its own
 * kinds (FIB_OP_ADJ_*) may come from. */
static int
apply_op(struct fib *f, const struct route_op *op, bool local, uint8_t *status)
{
	uint32_t prefix;
	int ret;

	*status = ROUTE_OK;
	if (op->kind == ROUTE_OP_NEIGH) {
		ret = fib_neigh_apply_static(f, op);
		if (ret < 0)
			*status = ret == -ENOSPC ? ROUTE_REFUSED_NEXTHOPS : ROUTE_REFUSED_INVALID;
		return ret;
	}
	if (local && (op->kind == FIB_OP_ADJ_ADD || op->kind == FIB_OP_ADJ_DEL)) {
		ret = fib_adj_apply(f, op);
		if (ret < 0)
			*status = ret == -ENOSPC ? ROUTE_REFUSED_TABLE : ROUTE_REFUSED_INVALID;
		return ret;
	}
	if (op->depth > 32) {
		*status = ROUTE_REFUSED_INVALID;
		return -EINVAL;
	}
	prefix = op->prefix & depth_mask(op->depth);
	switch (op->kind) {
	case ROUTE_OP_ADD:
		return apply_add(f, op, prefix, status);
	case ROUTE_OP_DEL:
		/* -ENOENT: nothing of the RIB's there (nothing, or a
		 * neighbour's adjacency): the delete is done all the same. */
		ret = apply_del(f, op, prefix);
		if (ret < 0 && ret != -ENOENT)
			*status = ROUTE_REFUSED_INVALID;
		return ret;
	default:
		/* Unknown kinds, and the writer's own from the ring. */
		*status = ROUTE_REFUSED_INVALID;
		return -EINVAL;
	}
}

/* The answer to op: what the table holds for its prefix now. */
static void
result_add(struct fib *f, const struct route_op *op, uint8_t status)
{
	struct route_result *r = &f->res[f->res_n++];
	uint32_t prefix = op->prefix & depth_mask(op->depth), id;
	bool held = false;

	*r = (struct route_result){
		.prefix = op->prefix,
		.depth = op->depth,
		.kind = op->kind,
		.nh_type = NH_NONE,
		.status = status,
	};
	if (op->kind != ROUTE_OP_NEIGH && op->depth <= 32)
		/* A neighbour's adjacency is none of the RIB's routes: for
		 * the RIB, the FIB holds no route there. */
		held = dir24_get(f->tbl, prefix, op->depth, &id) == 0 &&
		       !fib_adj_owns(f, id, prefix, op->depth);
	if (held) {
		r->nh_type = f->nh[id].type;
		r->port = (uint8_t)f->nh[id].port;
		r->gateway = f->nh[id].addr;
		if (r->nh_type == NH_GROUP)
			r->gateway = fib_group_digest_of(f, id, &r->n_members);
	}
}

/* Takes up to FIB_BATCH_MAX ops: the local queue's first, then the ring's,
 * no more of those than the result ring has room to answer. */
static unsigned int
batch_take(struct fib *f)
{
	unsigned int n = 0, room = rte_ring_free_count(f->results);

	while (n < FIB_BATCH_MAX && f->lq_n != 0) {
		f->batch[n] = f->lq[f->lq_head].op;
		f->batch_hold[n] = f->lq[f->lq_head].hold_id;
		f->lq_head = (f->lq_head + 1) % f->lq_cap;
		f->lq_n--;
		n++;
	}
	f->batch_local = n;
	if (n < FIB_BATCH_MAX) {
		unsigned int k = rte_ring_dequeue_burst_elem(f->ring, &f->batch[n],
			sizeof(struct route_op), RTE_MIN(FIB_BATCH_MAX - n, room), NULL);

		memset(&f->batch_hold[n], 0, k * sizeof(uint32_t));
		n += k;
	}
	return n;
}

static void
batch_apply(struct fib *f, unsigned int n)
{
	unsigned int i;
	uint8_t status;
	int ret;

	f->res_n = 0;
	for (i = 0; i < RTE_MIN(n, FIB_PREFETCH_AHEAD); i++)
		dir24_prefetch(f->tbl, f->batch[i].prefix, f->batch[i].depth);
	for (i = 0; i < n; i++) {
		const struct route_op *op = &f->batch[i];
		bool local = i < f->batch_local;

		if (i + FIB_PREFETCH_AHEAD < n)
			dir24_prefetch(f->tbl, f->batch[i + FIB_PREFETCH_AHEAD].prefix,
				f->batch[i + FIB_PREFETCH_AHEAD].depth);

		ret = apply_op(f, op, local, &status);
		if (status != ROUTE_OK)
			op_refused(f, op, status);
		else if (ret < 0)
			f->stats.ops_failed++; /* a delete of nothing */
		else
			f->stats.ops_applied++;
		/* Only the ring's ops are answered: the local queue's (the
		 * writer's adjacencies, ARP learning) are none of the RIB's. */
		if (!local && (op->flags & ROUTE_OP_F_RESULT))
			result_add(f, op, status);
		if (f->batch_hold[i] != 0)
			fib_nh_unhold(f, f->batch_hold[i]);
	}
}

/* The batch is visible: its answers go. batch_take() left them room. */
static void
results_send(struct fib *f)
{
	unsigned int sent;

	if (f->res_n == 0)
		return;
	sent = rte_ring_sp_enqueue_burst_elem(f->results, f->res, sizeof(*f->res), f->res_n, NULL);
	if (sent != f->res_n)
		FIB_LOG(ERR, "result ring full: %u answer(s) lost", f->res_n - sent);
	f->res_n = 0;
}

/* The oldest grace period that freed ids or groups wait for: its token and
 * how long (timer cycles) it has lasted; 0 when nothing waits. */
static uint64_t
grace_oldest(const struct fib *f, uint64_t now, uint64_t *token)
{
	uint64_t tw = dir24_retire_wait(f->tbl, now, token), nw = 0;

	if (f->pend.n != 0)
		nw = now - f->pend_since;
	if (nw > tw) {
		*token = f->pend_token;
		return nw;
	}
	return tw;
}

uint64_t
fib_grace_wait(const struct fib *f, uint64_t now)
{
	uint64_t token;

	return grace_oldest(f, now, &token);
}

/* The lcores that hold a grace period back: online readers whose last
 * quiescent state is older than its token. */
static void
grace_laggards(const struct fib *f, uint64_t token, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int id = 0; id < RTE_MAX_LCORE && off < len; id++) {
		uint64_t cnt;

		if (!(__atomic_load_n(&f->readers[id / 64], __ATOMIC_ACQUIRE) >> (id % 64) & 1))
			continue;
		cnt = __atomic_load_n(&f->qsbr->qsbr_cnt[id].cnt, __ATOMIC_ACQUIRE);
		if (cnt != __RTE_QSBR_CNT_THR_OFFLINE && cnt < token)
			off += (size_t)snprintf(
				buf + off, len - off, "%slcore %u", off ? ", " : "", id);
	}
}

/*
 * The watchdog: freed next-hop ids or tbl8 groups still wait for a
 * forwarding lcore. Past stall_cycles that lcore is stuck (a grace period
 * takes microseconds): say which, count it once, repeat the line at growing
 * intervals while it lasts. Routes keep changing meanwhile; nothing a reader
 * may use is reused, so a long stall can exhaust ids or groups.
 */
static void
grace_watch(struct fib *f)
{
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz(), token = 0;
	uint64_t waited = grace_oldest(f, now, &token);
	char who[256];

	if (waited < f->stall_cycles) {
		if (f->stalled) {
			f->stalled = false;
			FIB_LOG(NOTICE,
				"forwarding lcores quiescent again: freed next-hop ids and tbl8 "
				"groups resumed their way back to use");
		}
		return;
	}
	if (f->stalled && now < f->stall_next_log)
		return;
	grace_laggards(f, token, who, sizeof(who));
	if (!f->stalled) {
		f->stalled = true;
		f->stats.grace_stalls++;
		f->stall_next_log = now + 10 * hz;
	} else {
		/* 10 s, 20 s, 40 s, ... then every 5 minutes. */
		f->stall_next_log = now + RTE_MIN(2 * waited, 300 * hz);
	}
	FIB_LOG(WARNING,
		"%s has not passed a quiescent state for %" PRIu64 " ms: freed next-hop ids and "
		"tbl8 groups are not reused meanwhile (%" PRIu64 " ids, %u groups waiting; "
		"stall %" PRIu64 ")",
		who[0] ? who : "a forwarding lcore", waited * 1000 / hz,
		(uint64_t)f->pend.n + f->next.n, dir24_reclaim(f->tbl), f->stats.grace_stalls);
}

unsigned int
fib_writer_poll(struct fib *f)
{
	unsigned int n;

	fib_nh_recycle(f);
	dir24_reclaim(f->tbl);
	if (f->unwarned != 0)
		warn_window_close(f, rte_get_timer_cycles());
	n = batch_take(f);
	if (n != 0) {
		batch_apply(f, n);
		/* Each entry was stored whole (release): the batch is visible. */
		results_send(f);
		f->stats.batches++;
		fib_nh_batch_done(f);
		dir24_reclaim(f->tbl);
	} else if (f->cand.n != 0) {
		/* Members a released group left unused, or ids a refused
		 * neighbour took: collected without waiting for a batch. */
		fib_nh_batch_done(f);
	}
	grace_watch(f);
	return n;
}

int
fib_writer_drain(struct fib *f, unsigned int timeout_ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * timeout_ms / 1000;

	for (;;) {
		fib_writer_poll(f);
		if (f->lq_n == 0 && rte_ring_empty(f->ring))
			return 0;
		if (rte_get_timer_cycles() >= end)
			return -ETIMEDOUT;
		rte_pause();
	}
}

uint64_t
fib_writer_heap_bytes(const struct fib *f)
{
	return FIB_BATCH_MAX * (sizeof(*f->batch) + sizeof(*f->batch_hold) + sizeof(*f->res)) +
	       (uint64_t)f->lq_cap * sizeof(*f->lq);
}
