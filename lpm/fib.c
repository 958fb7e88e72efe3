/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB's life cycle, its readers' side and the writer's queries. The
 * engine is one DIR-24-8 table (dir24.c) whose freed parts wait for
 * rte_rcu_qsbr grace periods; fib_writer.c feeds it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "fib_internal.h"

RTE_LOG_REGISTER(fib_logtype, vbr.fib, INFO);

/* Memzone names (31 characters) must hold "<name>_tbl24" and "<name>.ring". */
#define FIB_NAME_MAX 20
/* The engine's entries hold 24-bit ids. */
#define FIB_NH_LIMIT DIR24_NH_MAX

struct fib *
fib_create(const struct fib_params *p)
{
	char name[RTE_RING_NAMESIZE];
	uint32_t max_groups;
	struct fib *f;
	size_t sz;

	if (p == NULL || p->name == NULL || strlen(p->name) > FIB_NAME_MAX || p->max_routes == 0 ||
		p->max_routes > INT32_MAX / 2 || p->max_tbl8 == 0 || p->max_tbl8 > DIR24_NH_MAX ||
		p->max_nexthops < 2 || p->max_nexthops > FIB_NH_LIMIT ||
		!rte_is_power_of_2(p->ring_size) || p->max_groups > FIB_NH_LIMIT) {
		FIB_LOG(ERR,
			"bad parameters: name of at most %d characters, routes, 1 to %u tbl8 "
			"groups, 2 to %u next hops, ring size a power of two",
			FIB_NAME_MAX, DIR24_NH_MAX, FIB_NH_LIMIT);
		rte_errno = EINVAL;
		return NULL;
	}
	f = rte_zmalloc_socket("fib", sizeof(*f), RTE_CACHE_LINE_SIZE, p->socket_id);
	if (f == NULL) {
		FIB_LOG(ERR, "no memory for %s", p->name);
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(f->name, sizeof(f->name), "%s", p->name);
	f->max_nh = p->max_nexthops;
	f->stall_cycles = rte_get_timer_hz() / 1000 *
			  (p->grace_stall_ms != 0 ? p->grace_stall_ms : FIB_GRACE_STALL_MS);

	/* Readers index the next-hop table with ids from the FIB: hugepage
	 * memory on the readers' socket, never moved or freed while running. */
	f->nh = rte_zmalloc_socket("fib_nexthops", sizeof(struct nexthop) * p->max_nexthops,
		RTE_CACHE_LINE_SIZE, p->socket_id);
	if (f->nh == NULL) {
		FIB_LOG(ERR, "no memory for %u next hops", p->max_nexthops);
		rte_errno = ENOMEM;
		goto fail;
	}
	f->view.nh = f->nh;

	sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	f->qsbr = rte_zmalloc_socket("fib_qsbr", sz, RTE_CACHE_LINE_SIZE, p->socket_id);
	if (f->qsbr == NULL || rte_rcu_qsbr_init(f->qsbr, RTE_MAX_LCORE) != 0) {
		FIB_LOG(ERR, "cannot set up RCU for %s", p->name);
		rte_errno = ENOMEM;
		goto fail;
	}
	f->view.qsbr = f->qsbr;

	snprintf(name, sizeof(name), "%s.ring", p->name);
	f->ring = rte_ring_create_elem(
		name, sizeof(struct route_op), p->ring_size, p->socket_id, RING_F_SC_DEQ);
	if (f->ring == NULL) {
		FIB_LOG(ERR, "cannot create route ring %s of %u: %s", name, p->ring_size,
			rte_strerror(rte_errno));
		goto fail;
	}

	snprintf(name, sizeof(name), "%s.res", p->name);
	f->results = rte_ring_create_elem(name, sizeof(struct route_result), p->ring_size,
		p->socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (f->results == NULL) {
		FIB_LOG(ERR, "cannot create result ring %s of %u: %s", name, p->ring_size,
			rte_strerror(rte_errno));
		goto fail;
	}

	f->tbl = dir24_create(p->name, p->socket_id, p->max_routes, p->max_tbl8, f->qsbr);
	if (f->tbl == NULL) {
		FIB_LOG(ERR, "no memory for the tables of %s (%u routes, %u tbl8 groups)", p->name,
			p->max_routes, p->max_tbl8);
		rte_errno = ENOMEM;
		goto fail;
	}
	f->view.tables = *dir24_tables(f->tbl);

	/* Readers index groups from a next hop: hugepage memory as the
	 * next-hop table. */
	max_groups = p->max_groups != 0 ? p->max_groups : FIB_GROUPS_DEFAULT;
	f->groups = rte_zmalloc_socket("fib_groups", sizeof(struct fib_group) * max_groups,
		RTE_CACHE_LINE_SIZE, p->socket_id);
	if (f->groups == NULL) {
		FIB_LOG(ERR, "no memory for %u next-hop groups", max_groups);
		rte_errno = ENOMEM;
		goto fail;
	}
	f->view.groups = f->groups;

	if (fib_nh_init(f) < 0 || fib_group_init(f, max_groups) < 0 || fib_writer_init(f) < 0) {
		FIB_LOG(ERR, "no memory for the writer of %s", p->name);
		rte_errno = ENOMEM;
		goto fail;
	}
	return f;
fail:
	fib_destroy(f);
	return NULL;
}

void
fib_destroy(struct fib *f)
{
	if (f == NULL)
		return;
	fib_writer_fini(f);
	fib_group_fini(f);
	fib_nh_fini(f);
	dir24_free(f->tbl);
	rte_ring_free(f->ring);
	rte_ring_free(f->results);
	rte_free(f->qsbr);
	rte_free(f->nh);
	rte_free(f->groups);
	rte_free(f);
}

struct rte_ring *
fib_route_ring(struct fib *f)
{
	return f->ring;
}

struct rte_ring *
fib_result_ring(struct fib *f)
{
	return f->results;
}

int
fib_reader_register(struct fib *f, unsigned int lcore_id)
{
	int ret;

	if (lcore_id >= RTE_MAX_LCORE)
		return -EINVAL;
	ret = rte_rcu_qsbr_thread_register(f->qsbr, lcore_id);
	if (ret != 0)
		return -rte_errno;
	/* For the writer's watchdog: which lcores to name when one stalls. */
	__atomic_fetch_or(&f->readers[lcore_id / 64], 1ull << (lcore_id % 64), __ATOMIC_RELEASE);
	rte_rcu_qsbr_thread_online(f->qsbr, lcore_id);
	return 0;
}

void
fib_reader_unregister(struct fib *f, unsigned int lcore_id)
{
	if (lcore_id >= RTE_MAX_LCORE)
		return;
	rte_rcu_qsbr_thread_offline(f->qsbr, lcore_id);
	rte_rcu_qsbr_thread_unregister(f->qsbr, lcore_id);
	__atomic_fetch_and(
		&f->readers[lcore_id / 64], ~(1ull << (lcore_id % 64)), __ATOMIC_RELEASE);
}

int
fib_route_get(struct fib *f, uint32_t prefix, uint8_t depth, uint32_t *nh_id)
{
	return dir24_get(f->tbl, prefix, depth, nh_id);
}

struct walk_arg {
	struct fib *f;
	fib_route_cb cb;
	void *arg;
};

static int
walk_one(uint32_t prefix, uint8_t depth, uint32_t nh, void *arg)
{
	struct walk_arg *w = arg;

	return w->cb(prefix, depth, &w->f->nh[nh], nh, w->arg);
}

int
fib_route_walk(struct fib *f, fib_route_cb cb, void *arg)
{
	struct walk_arg w = {f, cb, arg};

	return dir24_walk(f->tbl, walk_one, &w);
}

uint32_t
fib_nexthop_max(const struct fib *f)
{
	return f->max_nh;
}

struct nexthop *
fib_nexthop_mut(struct fib *f, uint32_t id)
{
	if (id == FIB_NH_NONE || id >= f->max_nh)
		return NULL;
	return &f->nh[id];
}

void
fib_get_stats(struct fib *f, struct fib_stats *st)
{
	struct dir24_stats ds;

	dir24_get_stats(f->tbl, &ds);
	*st = f->stats;
	st->ring_pending = rte_ring_count(f->ring);
	st->grace_wait_ms = fib_grace_wait(f, rte_get_timer_cycles()) * 1000 / rte_get_timer_hz();
	st->tbl8_used = ds.tbl8_used;
	st->tbl8_retiring = ds.tbl8_retiring;
	st->hugepage_bytes = ds.hugepage_bytes + sizeof(struct nexthop) * (uint64_t)f->max_nh +
			     sizeof(struct fib_group) * (uint64_t)f->max_groups;
	st->heap_bytes = ds.heap_bytes + fib_nh_heap_bytes(f) + fib_group_heap_bytes(f) +
			 fib_writer_heap_bytes(f);
}
