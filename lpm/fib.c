/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB's life cycle, its readers' side and the writer's queries. The
 * engine is two rte_fib (DIR24_8, 4-byte next hops) copies kept identical
 * and swapped under rte_rcu_qsbr: see fib_internal.h for why and
 * fib_writer.c for how.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rib.h>

#include "fib_internal.h"

RTE_LOG_REGISTER(fib_logtype, vbr.fib, INFO);

/* rte_fib names its RIB after the FIB and the RIB's mempool "MP_<name>":
 * a memzone name (31 characters) must hold "MP_MP_<name>.N". */
#define FIB_NAME_MAX 20
/* Far below what 4-byte next hops hold (31 bits; fib_copy.c uses one id
 * past the last), and the interning hash's size stays a 32-bit number. */
#define FIB_NH_LIMIT (1u << 24)

static struct rte_fib *
copy_create(const struct fib_params *p, unsigned int i)
{
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB_NH_NONE,
		.max_routes = (int)p->max_routes,
		.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B,
		.dir24_8.num_tbl8 = p->max_tbl8,
	};
	char name[RTE_RING_NAMESIZE];
	struct rte_fib *c;

	snprintf(name, sizeof(name), "%s.%u", p->name, i);
	c = rte_fib_create(name, p->socket_id, &conf);
	if (c == NULL)
		FIB_LOG(ERR, "cannot create copy %s (%u routes, %u tbl8 groups): %s", name,
			p->max_routes, p->max_tbl8, rte_strerror(rte_errno));
	return c;
}

struct fib *
fib_create(const struct fib_params *p)
{
	char name[RTE_RING_NAMESIZE];
	struct fib *f;
	size_t sz;

	if (p == NULL || p->name == NULL || strlen(p->name) > FIB_NAME_MAX || p->max_routes == 0 ||
		p->max_routes > INT32_MAX / 2 || p->max_tbl8 == 0 || p->max_nexthops < 2 ||
		p->max_nexthops > FIB_NH_LIMIT || !rte_is_power_of_2(p->ring_size)) {
		FIB_LOG(ERR,
			"bad parameters: name of at most %d characters, routes and tbl8 groups, "
			"2 to %u next hops, ring size a power of two",
			FIB_NAME_MAX, FIB_NH_LIMIT);
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

	f->copy[0] = copy_create(p, 0);
	if (f->copy[0] == NULL)
		goto fail;
	f->copy[1] = copy_create(p, 1);
	if (f->copy[1] == NULL)
		goto fail;
	f->active = f->copy[0];

	if (fib_nh_init(f) < 0 || fib_writer_init(f) < 0) {
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
	fib_nh_fini(f);
	rte_fib_free(f->copy[0]);
	rte_fib_free(f->copy[1]);
	rte_ring_free(f->ring);
	rte_ring_free(f->results);
	rte_free(f->qsbr);
	rte_free(f->nh);
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

void
fib_lookup_bulk(struct fib *f, const uint32_t *ips, uint64_t *nh, unsigned int n)
{
	struct rte_fib *c = __atomic_load_n(&f->active, __ATOMIC_ACQUIRE);

	/* rte_fib_lookup_bulk only reads ips; its prototype lacks the const. */
	rte_fib_lookup_bulk(c, (uint32_t *)(uintptr_t)ips, nh, (int)n);
}

int
fib_route_get(struct fib *f, uint32_t prefix, uint8_t depth, uint32_t *nh_id)
{
	struct rte_rib_node *node;
	uint64_t nh;

	if (depth > 32)
		return -EINVAL;
	prefix &= depth == 0 ? 0 : ~0u << (32 - depth);
	node = rte_rib_lookup_exact(rte_fib_get_rib(f->active), prefix, depth);
	if (node == NULL)
		return -ENOENT;
	rte_rib_get_nh(node, &nh);
	*nh_id = (uint32_t)nh;
	return 0;
}

static int
walk_node(struct fib *f, struct rte_rib_node *node, fib_route_cb cb, void *arg)
{
	uint32_t ip;
	uint64_t nh;
	uint8_t depth;

	rte_rib_get_ip(node, &ip);
	rte_rib_get_depth(node, &depth);
	rte_rib_get_nh(node, &nh);
	return cb(ip, depth, &f->nh[nh], (uint32_t)nh, arg);
}

int
fib_route_walk(struct fib *f, fib_route_cb cb, void *arg)
{
	/* The active copy has every published op; the writer never changes it. */
	struct rte_rib *rib = rte_fib_get_rib(f->active);
	struct rte_rib_node *node;
	int ret;

	/* rte_rib_get_nxt() returns strictly more specific routes: the
	 * default route comes on its own. */
	node = rte_rib_lookup_exact(rib, 0, 0);
	if (node != NULL) {
		ret = walk_node(f, node, cb, arg);
		if (ret != 0)
			return ret;
	}
	node = NULL;
	while ((node = rte_rib_get_nxt(rib, 0, 0, node, RTE_RIB_GET_NXT_ALL)) != NULL) {
		ret = walk_node(f, node, cb, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
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
	*st = f->stats;
	st->ring_pending = rte_ring_count(f->ring);
	st->grace_wait_ms = 0;
	if (f->state == FIB_WAIT_GRACE)
		st->grace_wait_ms =
			(rte_get_timer_cycles() - f->grace_start) * 1000 / rte_get_timer_hz();
}
