/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB (lpm/): differential test against a plain binary trie, a full
 * Internet-sized table loaded and churned under a concurrent reader,
 * neighbour learning, the route ring's backlog, and the grace periods that
 * guard the copies and next-hop ids. EAL runs once, without hugepages, so
 * that the tests also run under AddressSanitizer; Check does not fork.
 *
 * VBR_TEST_SEED=<n> replays a run (the seed is printed).
 */
#include <check.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "fib.h"
#include "route_sender.h"

#define PORT_IDC 0
#define PORT_VPC 1

static uint64_t seed;
static uint64_t rng_state;

/* xorshift64*: reproducible from the printed seed. */
static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t
rnd32(void)
{
	return (uint32_t)(rnd() >> 32);
}

static inline uint32_t
mask_of(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

static struct fib *
mkfib(const char *name, uint32_t routes, uint32_t tbl8, uint32_t nhs, uint32_t ring)
{
	struct fib_params p = {
		.name = name,
		.socket_id = (int)rte_socket_id(),
		.max_routes = routes,
		.max_tbl8 = tbl8,
		.max_nexthops = nhs,
		.ring_size = ring,
	};
	struct fib *f = fib_create(&p);

	ck_assert_msg(f != NULL, "fib_create(%s) failed", name);
	return f;
}

/* Everything sent reaches the ring, and everything on it is visible. */
static void
pump(struct fib *f, struct route_sender *s)
{
	while (route_sender_flush(s) != 0)
		fib_writer_poll(f);
	ck_assert_int_eq(fib_writer_drain(f, 120000), 0);
}

static void
send_op(struct fib *f, struct route_sender *s, const struct route_op *op)
{
	ck_assert_int_eq(route_sender_send(s, op), 0);
	/* A producer that also writes: keep the backlog short. */
	if (route_sender_backlog(s) >= 1024) {
		route_sender_flush(s);
		fib_writer_poll(f);
	}
}

/* --- next hops as the tests name them --- */

struct spec {
	uint8_t type;
	uint16_t port;
	uint32_t addr;
};

static struct route_op
op_add(uint32_t prefix, uint8_t depth, const struct spec *sp)
{
	return (struct route_op){
		.kind = ROUTE_OP_ADD,
		.depth = depth,
		.port = (uint8_t)sp->port,
		.nh_type = sp->type,
		.prefix = prefix,
		.gateway = sp->addr,
	};
}

static struct route_op
op_del(uint32_t prefix, uint8_t depth)
{
	return (struct route_op){.kind = ROUTE_OP_DEL, .depth = depth, .prefix = prefix};
}

static struct route_op
op_neigh(uint16_t port, uint32_t addr, const uint8_t mac[6])
{
	struct route_op op = {.kind = ROUTE_OP_NEIGH, .port = (uint8_t)port, .gateway = addr};

	memcpy(op.mac, mac, 6);
	return op;
}

static bool
nh_is(const struct nexthop *nh, const struct spec *sp)
{
	return nh->type == sp->type && nh->port == sp->port &&
	       nh->addr == (sp->type == NH_GATEWAY ? sp->addr : 0);
}

static bool
mac_is(const struct nexthop *nh, const uint8_t mac[6])
{
	uint64_t v = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);

	return (v & NH_MAC_VALID) && memcmp(&v, mac, 6) == 0;
}

/* --- the reference: a binary trie, one node per bit --- */

struct rnode {
	uint32_t child[2]; /* 0: none (the root is never a child) */
	int32_t spec;	   /* -1: no route here */
	int32_t pos;	   /* index in ref_routes */
};

struct rroute {
	uint32_t prefix;
	uint8_t depth;
};

static struct rnode *rn;
static uint32_t rn_n, rn_cap;
static struct rroute *ref_routes;
static uint32_t ref_n, ref_cap;

static void
ref_reset(void)
{
	free(rn);
	free(ref_routes);
	rn_cap = 1 << 16;
	rn = malloc(rn_cap * sizeof(*rn));
	ck_assert_ptr_nonnull(rn);
	rn[0] = (struct rnode){{0, 0}, -1, -1};
	rn_n = 1;
	ref_cap = 1 << 16;
	ref_routes = malloc(ref_cap * sizeof(*ref_routes));
	ck_assert_ptr_nonnull(ref_routes);
	ref_n = 0;
}

static uint32_t
ref_node(uint32_t prefix, uint8_t depth, bool create)
{
	uint32_t cur = 0, b;
	uint8_t d;

	for (d = 0; d < depth; d++) {
		b = (prefix >> (31 - d)) & 1;
		if (rn[cur].child[b] == 0) {
			if (!create)
				return UINT32_MAX;
			if (rn_n == rn_cap) {
				rn_cap *= 2;
				rn = realloc(rn, rn_cap * sizeof(*rn));
				ck_assert_ptr_nonnull(rn);
			}
			rn[rn_n] = (struct rnode){{0, 0}, -1, -1};
			rn[cur].child[b] = rn_n++;
		}
		cur = rn[cur].child[b];
	}
	return cur;
}

static void
ref_add(uint32_t prefix, uint8_t depth, int32_t spec)
{
	uint32_t n;

	prefix &= mask_of(depth);
	n = ref_node(prefix, depth, true);
	if (rn[n].spec < 0) {
		if (ref_n == ref_cap) {
			ref_cap *= 2;
			ref_routes = realloc(ref_routes, ref_cap * sizeof(*ref_routes));
			ck_assert_ptr_nonnull(ref_routes);
		}
		ref_routes[ref_n] = (struct rroute){prefix, depth};
		rn[n].pos = (int32_t)ref_n++;
	}
	rn[n].spec = spec;
}

static bool
ref_del(uint32_t prefix, uint8_t depth)
{
	uint32_t n, moved;
	int32_t pos;

	prefix &= mask_of(depth);
	n = ref_node(prefix, depth, false);
	if (n == UINT32_MAX || rn[n].spec < 0)
		return false;
	pos = rn[n].pos;
	rn[n].spec = -1;
	rn[n].pos = -1;
	ref_routes[pos] = ref_routes[--ref_n];
	if ((uint32_t)pos != ref_n) {
		moved = ref_node(ref_routes[pos].prefix, ref_routes[pos].depth, false);
		rn[moved].pos = pos;
	}
	return true;
}

static int32_t
ref_get(uint32_t prefix, uint8_t depth)
{
	uint32_t n = ref_node(prefix & mask_of(depth), depth, false);

	return n == UINT32_MAX ? -1 : rn[n].spec;
}

static int32_t
ref_lookup(uint32_t addr)
{
	uint32_t cur = 0, d;
	int32_t best = rn[0].spec;

	for (d = 0; d < 32; d++) {
		cur = rn[cur].child[(addr >> (31 - d)) & 1];
		if (cur == 0)
			break;
		if (rn[cur].spec >= 0)
			best = rn[cur].spec;
	}
	return best;
}

/* --- comparing the FIB with the reference --- */

static struct spec *specs;

struct walk_ctx {
	uint32_t *count; /* routes per next-hop id */
	uint32_t routes;
	uint32_t bad;
};

static int
walk_cb(uint32_t prefix, uint8_t depth, const struct nexthop *nh, uint32_t id, void *arg)
{
	struct walk_ctx *w = arg;
	int32_t sp = ref_get(prefix, depth);

	w->routes++;
	w->count[id]++;
	if (sp < 0 || !nh_is(nh, &specs[sp])) {
		if (w->bad++ < 5)
			fprintf(stderr, "walk: %08x/%u -> id %u not as expected (%d)\n", prefix,
				depth, id, sp);
	}
	return 0;
}

static void
report_diff(struct fib *f, const char *stage, uint32_t addr, uint64_t id, int32_t sp)
{
	static const struct nexthop bogus = {.type = 0xff};
	const struct nexthop *got = id < fib_nexthop_max(f) ? fib_nexthop(f, (uint32_t)id) : &bogus;
	const struct spec none = {0}, *want = sp < 0 ? &none : &specs[sp];
	uint32_t cur = 0, d, depth = 0;

	/* The length of the reference's match, for the reader of the log. */
	for (d = 0; d < 32; d++) {
		cur = rn[cur].child[(addr >> (31 - d)) & 1];
		if (cur == 0)
			break;
		if (rn[cur].spec >= 0)
			depth = d + 1;
	}
	fprintf(stderr,
		"%s: %08x -> id %" PRIu64 " (type %u port %u %08x), expected type %u port %u "
		"%08x from a /%u\n",
		stage, addr, id, got->type, got->port, got->addr, want->type, want->port,
		want->addr, depth);
}

static void
check_addrs(struct fib *f, const uint32_t *addrs, uint32_t n, const char *stage)
{
	uint64_t ids[64];
	uint32_t i, k, m, bad = 0;
	int32_t sp;

	for (i = 0; i < n; i += m) {
		m = RTE_MIN(64u, n - i);
		fib_lookup_bulk(f, &addrs[i], ids, m);
		for (k = 0; k < m; k++) {
			sp = ref_lookup(addrs[i + k]);
			if (sp < 0 ? ids[k] == FIB_NH_NONE
				   : (ids[k] != FIB_NH_NONE &&
					     nh_is(fib_nexthop(f, (uint32_t)ids[k]), &specs[sp])))
				continue;
			if (bad++ < 10)
				report_diff(f, stage, addrs[i + k], ids[k], sp);
		}
	}
	ck_assert_msg(bad == 0, "%s: %u of %u lookups differ from the reference", stage, bad, n);
}

static uint64_t verify_sent; /* ops verify() sent */

static void
verify(struct fib *f, struct route_sender *s, const char *stage, uint32_t n_random)
{
	uint32_t max = fib_nexthop_max(f), i, n = 0, id;
	struct walk_ctx w = {.count = calloc(max, sizeof(uint32_t))};
	uint32_t *addrs = malloc((n_random + 4 * ref_n) * sizeof(uint32_t));
	struct fib_stats st;
	uint32_t first, last;

	ck_assert_ptr_nonnull(w.count);
	ck_assert_ptr_nonnull(addrs);
	fib_get_stats(f, &st);
	ck_assert_msg(st.routes == ref_n,
		"%s: %" PRIu64 " routes, expected %u (%" PRIu64 " ops failed)", stage, st.routes,
		ref_n, st.ops_failed);

	for (i = 0; i < n_random; i++)
		addrs[n++] = rnd32();
	/* Every prefix's edges and their neighbours. */
	for (i = 0; i < ref_n; i++) {
		first = ref_routes[i].prefix;
		last = first | ~mask_of(ref_routes[i].depth);
		addrs[n++] = first;
		addrs[n++] = last;
		addrs[n++] = first - 1;
		addrs[n++] = last + 1;
	}
	check_addrs(f, addrs, n, stage);
	/* The same on the other copy: a batch of one op that changes
	 * nothing swaps them. */
	if (ref_n != 0) {
		struct route_op op = op_add(ref_routes[0].prefix, ref_routes[0].depth,
			&specs[ref_get(ref_routes[0].prefix, ref_routes[0].depth)]);
		uint64_t batches = st.batches;

		send_op(f, s, &op);
		pump(f, s);
		verify_sent++;
		fib_get_stats(f, &st);
		ck_assert_uint_eq(st.batches, batches + 1);
		check_addrs(f, addrs, n, stage);
	}

	for (i = 0; i < ref_n; i++) {
		int32_t sp = ref_get(ref_routes[i].prefix, ref_routes[i].depth);

		ck_assert_int_eq(
			fib_route_get(f, ref_routes[i].prefix, ref_routes[i].depth, &id), 0);
		ck_assert_msg(nh_is(fib_nexthop(f, id), &specs[sp]), "%s: route_get %08x/%u", stage,
			ref_routes[i].prefix, ref_routes[i].depth);
	}

	ck_assert_int_eq(fib_route_walk(f, walk_cb, &w), 0);
	ck_assert_uint_eq(w.bad, 0);
	ck_assert_uint_eq(w.routes, ref_n);
	/* Each id is counted by exactly the routes that use it. */
	for (id = 1; id < max; id++)
		ck_assert_msg(fib_nexthop_mut(f, id)->refcnt == w.count[id],
			"%s: id %u refcnt %u, used by %u routes", stage, id,
			fib_nexthop_mut(f, id)->refcnt, w.count[id]);
	free(addrs);
	free(w.count);
}

/* --- 1. differential test --- */

#define T1_GW 300
#define T1_SPECIAL 5
#define T1_SPECS (2 * T1_GW + T1_SPECIAL)
#define T1_STATIC 5

static void
t1_specs(void)
{
	uint32_t i;

	specs = calloc(T1_SPECS, sizeof(*specs));
	ck_assert_ptr_nonnull(specs);
	/* Two sets of gateways: the second reuses ids the first freed. */
	for (i = 0; i < 2 * T1_GW; i++)
		specs[i] = (struct spec){NH_GATEWAY, (uint16_t)(i % 2),
			(i % 2 ? 0xc0a80000u : 0x0a000000u) + (i / 2) * 7 + 1};
	specs[2 * T1_GW + 0] = (struct spec){NH_CONNECTED, PORT_IDC, 0};
	specs[2 * T1_GW + 1] = (struct spec){NH_CONNECTED, PORT_VPC, 0};
	specs[2 * T1_GW + 2] = (struct spec){NH_LOCAL, PORT_IDC, 0};
	specs[2 * T1_GW + 3] = (struct spec){NH_LOCAL, PORT_VPC, 0};
	specs[2 * T1_GW + 4] = (struct spec){NH_BLACKHOLE, PORT_IDC, 0};
}

static uint8_t
t1_depth(void)
{
	uint32_t r = rnd32() % 1000;

	if (r < 3)
		return 0;
	if (r < 30)
		return (uint8_t)(1 + rnd32() % 7);
	if (r < 200)
		return (uint8_t)(8 + rnd32() % 9);
	if (r < 800)
		return (uint8_t)(17 + rnd32() % 8);
	return (uint8_t)(25 + rnd32() % 8);
}

static int32_t
t1_spec(uint32_t gw_set)
{
	if (rnd32() % 100 < 5)
		return (int32_t)(2 * T1_GW + rnd32() % T1_SPECIAL);
	return (int32_t)(gw_set * T1_GW + rnd32() % T1_GW);
}

static void
t1_add(struct fib *f, struct route_sender *s, uint32_t gw_set)
{
	uint8_t depth = t1_depth();
	uint32_t prefix = rnd32() & mask_of(depth);
	int32_t sp = t1_spec(gw_set);
	struct route_op op = op_add(prefix, depth, &specs[sp]);

	ref_add(prefix, depth, sp);
	send_op(f, s, &op);
}

/* Random deletes (present and missing), replaces and adds, in order. */
static uint64_t
t1_churn(struct fib *f, struct route_sender *s, uint32_t n, uint32_t gw_set)
{
	uint64_t missing = 0;
	uint32_t i, r;
	struct route_op op;

	for (i = 0; i < n; i++) {
		r = rnd32() % 100;
		if (r < 40 && ref_n != 0) {
			struct rroute rt = ref_routes[rnd32() % ref_n];

			ck_assert(ref_del(rt.prefix, rt.depth));
			op = op_del(rt.prefix, rt.depth);
			send_op(f, s, &op);
		} else if (r < 50) {
			uint8_t depth = t1_depth();
			uint32_t prefix = rnd32() & mask_of(depth);

			if (!ref_del(prefix, depth))
				missing++;
			op = op_del(prefix, depth);
			send_op(f, s, &op);
		} else if (r < 75 && ref_n != 0) {
			struct rroute rt = ref_routes[rnd32() % ref_n];
			int32_t sp = t1_spec(gw_set);

			ref_add(rt.prefix, rt.depth, sp);
			op = op_add(rt.prefix, rt.depth, &specs[sp]);
			send_op(f, s, &op);
		} else {
			t1_add(f, s, gw_set);
		}
	}
	return missing;
}

START_TEST(test_differential)
{
	struct fib *f = mkfib("t1", 200000, 32768, 400, 4096);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0};
	uint64_t missing = 0, sent = 0;
	struct fib_stats st;
	struct route_op op;
	uint32_t i, id, n;

	ck_assert_ptr_nonnull(s);
	ref_reset();
	t1_specs();

	/* Static neighbours before any connected route: no adjacencies, and
	 * their next hops stay held through everything below. */
	for (i = 0; i < T1_STATIC; i++) {
		mac[5] = (uint8_t)i;
		op = op_neigh(specs[i].port, specs[i].addr, mac);
		send_op(f, s, &op);
	}
	sent += T1_STATIC;
	pump(f, s);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.nexthops, T1_STATIC);

	/* The default route first: depth 0 must work. */
	op = op_add(0, 0, &specs[7]);
	ref_add(0, 0, 7);
	send_op(f, s, &op);
	sent++;
	for (i = 0; i < 60000; i++)
		t1_add(f, s, 0);
	sent += 60000;
	pump(f, s);
	verify(f, s, "load", 200000);

	missing += t1_churn(f, s, 40000, 0);
	sent += 40000;
	pump(f, s);
	verify(f, s, "churn", 200000);

	/* Replace and delete the default route explicitly. */
	op = op_add(0, 0, &specs[9]);
	ref_add(0, 0, 9);
	send_op(f, s, &op);
	op = op_del(0, 0);
	ref_del(0, 0);
	send_op(f, s, &op);
	sent += 2;
	pump(f, s);
	verify(f, s, "default", 50000);

	/* Resolve every gateway in use, as ARP would: ids freed below must
	 * come back unresolved for their next owner. */
	for (id = 1; id < fib_nexthop_max(f); id++) {
		struct nexthop *nh = fib_nexthop_mut(f, id);

		if (nh->type == NH_GATEWAY && nh->refcnt != 0 && !(nh->flags & NH_F_STATIC))
			__atomic_store_n(
				&nh->mac_state, NH_MAC_VALID | 0x0200000000aaull, __ATOMIC_RELEASE);
	}

	/* Everything out: the ids left in use are the static neighbours'. */
	n = ref_n;
	while (ref_n != 0) {
		struct rroute rt = ref_routes[ref_n - 1];

		ref_del(rt.prefix, rt.depth);
		op = op_del(rt.prefix, rt.depth);
		send_op(f, s, &op);
	}
	sent += n;
	pump(f, s);
	verify(f, s, "empty", 50000);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.routes, 0);
	ck_assert_uint_eq(st.nexthops, T1_STATIC);

	/* A second set of gateways needs the ids the first one freed. */
	fib_writer_poll(f); /* release what waited its grace period */
	for (i = 0; i < 30000; i++)
		t1_add(f, s, 1);
	sent += 30000;
	missing += t1_churn(f, s, 20000, 1);
	sent += 20000;
	pump(f, s);
	verify(f, s, "reuse", 200000);
	/* Reused entries start unresolved; the static ones keep their MAC. */
	for (id = 1; id < fib_nexthop_max(f); id++) {
		const struct nexthop *nh = fib_nexthop(f, id);

		if (nh->type != NH_GATEWAY || nh->refcnt == 0)
			continue;
		if (nh->flags & NH_F_STATIC)
			continue;
		ck_assert_uint_eq(nh->mac_state, 0);
	}
	for (i = 0; i < T1_STATIC; i++) {
		mac[5] = (uint8_t)i;
		for (id = 1; id < fib_nexthop_max(f); id++)
			if (nh_is(fib_nexthop(f, id), &specs[i]))
				break;
		ck_assert_uint_lt(id, fib_nexthop_max(f));
		ck_assert(mac_is(fib_nexthop(f, id), mac));
		ck_assert(fib_nexthop(f, id)->flags & NH_F_STATIC);
	}

	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, missing);
	ck_assert_uint_eq(st.ops_applied + st.ops_failed, sent + verify_sent);
	ck_assert_uint_eq(st.ring_pending, 0);
	printf("differential: %" PRIu64 " ops in %" PRIu64 " batches, %" PRIu64
	       " deletes of missing routes refused, %u routes, %" PRIu64 " next hops\n",
		sent, st.batches, missing, ref_n, st.nexthops);

	route_sender_destroy(s);
	fib_destroy(f);
	free(specs);
	specs = NULL;
}
END_TEST

/*
 * What rte_fib 22.11 gets wrong on its own (see lpm/fib_copy.c). Prefixes
 * that end at 255.255.255.255, whose last sub-prefixes tile the end of the
 * space: it overwrites its whole table. Each case against the reference,
 * from empty. Then its tbl8 reservation count, which a route longer than /24
 * with its parent's next hop makes wrap.
 */
START_TEST(test_rte_fib_quirks)
{
	static const struct {
		unsigned int n;
		struct {
			uint32_t prefix;
			uint8_t depth;
			bool del;
		} op[5];
	} seq[] = {
		{3, {{0x00000000, 1, false}, {0x80000000, 1, false}, {0, 0, false}}},
		{4, {{0x00000000, 1, false}, {0x80000000, 1, false}, {0, 0, false}, {0, 0, true}}},
		{4, {{0, 0, false}, {0x00000000, 1, false}, {0x80000000, 1, false}, {0, 0, true}}},
		{4, {{0, 0, false}, {0x00000000, 1, false}, {0x80000000, 1, false}, {0, 0, false}}},
		{3, {{0x80000000, 2, false}, {0xc0000000, 2, false}, {0x80000000, 1, false}}},
		{4, {{0xfe000000, 8, false}, {0xff000000, 8, false}, {0xfe000000, 7, false},
			    {0xfe000000, 7, true}}},
		{4, {{0xfffffffe, 32, false}, {0xffffffff, 32, false}, {0xffffff00, 24, false},
			    {0, 0, false}}},
		{5, {{0x12000000, 8, false}, {0xfffffffe, 31, false}, {0xfffffffc, 31, false},
			    {0xffffff00, 24, false}, {0xffffff00, 24, true}}},
		{5, {{0xffffff80, 25, false}, {0xfffffe00, 24, false}, {0xffffff00, 25, false},
			    {0xfffffe00, 23, false}, {0, 0, false}}},
	};
	struct fib *f = mkfib("t7", 1024, 256, 64, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	struct spec sp[6];
	uint32_t addrs[4096], i, k, n, c;
	struct fib_stats st;
	struct route_op op;

	ck_assert_ptr_nonnull(s);
	specs = sp;
	for (i = 0; i < RTE_DIM(sp); i++)
		sp[i] = (struct spec){NH_GATEWAY, 0, 0x0a000001 + i};
	for (c = 0; c < RTE_DIM(seq); c++) {
		ref_reset();
		for (k = 0; k < seq[c].n; k++) {
			uint32_t prefix = seq[c].op[k].prefix;
			uint8_t depth = seq[c].op[k].depth;

			if (seq[c].op[k].del) {
				ck_assert(ref_del(prefix, depth));
				op = op_del(prefix, depth);
			} else {
				ref_add(prefix, depth, (int32_t)(k + 1));
				op = op_add(prefix, depth, &sp[k + 1]);
			}
			send_op(f, s, &op);
			pump(f, s);
			n = 0;
			for (i = 0; i < 1024; i++)
				addrs[n++] = rnd32();
			for (i = 0; i < 1024; i++)
				addrs[n++] = UINT32_MAX - i;
			for (i = 0; i < 32; i++)
				addrs[n++] = 1u << i;
			check_addrs(f, addrs, n, "top of space");
		}
		/* Empty the table for the next case. */
		while (ref_n != 0) {
			struct rroute rt = ref_routes[ref_n - 1];

			ref_del(rt.prefix, rt.depth);
			op = op_del(rt.prefix, rt.depth);
			send_op(f, s, &op);
		}
		pump(f, s);
	}

	/* 10/24 via 1, 10.0.0.0/26 via 1 too, out again: then a /26 in a
	 * fresh /24 still finds a tbl8 group. */
	op = op_add(0x0a000000, 24, &sp[1]);
	send_op(f, s, &op);
	op = op_add(0x0a000000, 26, &sp[1]);
	send_op(f, s, &op);
	op = op_del(0x0a000000, 26);
	send_op(f, s, &op);
	op = op_add(0x0a010100, 26, &sp[2]);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a010100, 26, &c), 0);
	ck_assert(nh_is(fib_nexthop(f, c), &sp[2]));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, 0);

	specs = NULL;
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 2. a full table under a concurrent reader --- */

#define T2_ROUTES 1000000u
#define T2_GW 256
#define T2_READER_ID 1
#define T2_STABLE 2048 /* probe addresses whose answer never changes */
#define T2_FLAP 64     /* prefixes flapping between gateways A and B, per kind */

struct t2_probe {
	uint32_t addr;
	uint32_t want_a; /* gateway address expected */
	uint32_t want_b; /* or this one (flapping), or the same */
};

struct t2_reader {
	struct fib *f;
	const struct t2_probe *probes;
	uint32_t n;
	volatile int stop;
	volatile int ready;
	uint64_t loops, lookups, wrong;
	struct t2_probe bad;
	uint64_t bad_got;
};

static void *
t2_reader_main(void *arg)
{
	struct t2_reader *r = arg;
	uint32_t ips[32];
	uint64_t ids[32];
	uint32_t i = 0, k;
	cpu_set_t cpus;

	/* The test's thread is pinned to lcore 0, and a new thread inherits
	 * that: run on the other cores, as a forwarding lcore would. */
	CPU_ZERO(&cpus);
	for (k = 0; k < CPU_SETSIZE && k < (uint32_t)sysconf(_SC_NPROCESSORS_ONLN); k++)
		if ((int)k != rte_lcore_to_cpu_id((int)rte_get_main_lcore()))
			CPU_SET(k, &cpus);
	if (CPU_COUNT(&cpus) != 0)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);

	/* No Check assertion off the test's thread: report through ready. */
	if (fib_reader_register(r->f, T2_READER_ID) != 0) {
		__atomic_store_n(&r->ready, -1, __ATOMIC_RELEASE);
		return NULL;
	}
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		for (k = 0; k < 32; k++)
			ips[k] = r->probes[(i + k) % r->n].addr;
		fib_lookup_bulk(r->f, ips, ids, 32);
		for (k = 0; k < 32; k++) {
			const struct t2_probe *p = &r->probes[(i + k) % r->n];
			const struct nexthop *nh;

			if (ids[k] != FIB_NH_NONE && ids[k] < fib_nexthop_max(r->f)) {
				nh = fib_nexthop(r->f, (uint32_t)ids[k]);
				if (nh->type == NH_GATEWAY &&
					(nh->addr == p->want_a || nh->addr == p->want_b))
					continue;
			}
			if (r->wrong++ == 0) {
				r->bad = *p;
				r->bad_got = ids[k];
			}
		}
		i = (i + 32) % r->n;
		r->lookups += 32;
		r->loops++;
		fib_reader_quiescent(r->f, T2_READER_ID);
	}
	fib_reader_unregister(r->f, T2_READER_ID);
	return NULL;
}

/* Open-addressing set of (prefix, depth): the load has no duplicates. */
static uint64_t *pset;
static uint32_t pset_mask;

static bool
pset_insert(uint32_t prefix, uint8_t depth)
{
	uint64_t key = ((uint64_t)prefix << 8 | depth) + 1;
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & pset_mask;

	for (; pset[i] != 0; i = (i + 1) & pset_mask)
		if (pset[i] == key)
			return false;
	pset[i] = key;
	return true;
}

/* An Internet-like mix of prefix lengths, per mille. */
static const struct {
	uint8_t depth;
	uint16_t permille;
} t2_mix[] = {
	{8, 1},
	{9, 1},
	{10, 1},
	{11, 1},
	{12, 2},
	{13, 3},
	{14, 5},
	{15, 5},
	{16, 25},
	{17, 15},
	{18, 20},
	{19, 30},
	{20, 40},
	{21, 50},
	{22, 90},
	{23, 80},
	{24, 622},
	{25, 2},
	{26, 2},
	{27, 1},
	{28, 1},
	{29, 1},
	{30, 1},
	{32, 1},
};

static uint8_t
t2_depth(void)
{
	uint32_t r = rnd32() % 1000, i, acc = 0;

	for (i = 0; i < RTE_DIM(t2_mix); i++) {
		acc += t2_mix[i].permille;
		if (r < acc)
			return t2_mix[i].depth;
	}
	return 24;
}

/* First octets the load leaves alone: probes (100), flaps (198), tbl8 churn (199). */
static bool
t2_reserved(uint32_t prefix, uint8_t depth)
{
	uint32_t o = prefix >> 24;

	if (depth < 8)
		return true;
	return o == 0 || o >= 224 || o == 100 || o == 198 || o == 199;
}

static struct spec t2_gw[T2_GW];
static uint32_t t2_flap_round;
static uint64_t t2_extra; /* ops t2_between() sent */

static double
t2_ms(uint64_t cycles)
{
	return (double)cycles * 1000.0 / (double)rte_get_tsc_hz();
}

/* Sends ops[0..n) with the writer polled in between, and calls between()
 * every 8192 ops. Returns the cycles from the first send to all visible;
 * *writer gets those spent in the writer, *total the ops sent. */
static uint64_t
t2_send(struct fib *f, struct route_sender *s, const struct route_op *ops, uint32_t n,
	uint64_t *writer, uint64_t *total,
	void (*between)(struct fib *, struct route_sender *, uint32_t))
{
	uint64_t t0 = rte_rdtsc(), w = 0, t, extra0 = t2_extra;
	uint32_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(route_sender_send(s, &ops[i]), 0);
		if ((i & 1023) == 1023) {
			if (between != NULL && (i & 8191) == 8191)
				between(f, s, i);
			route_sender_flush(s);
			t = rte_rdtsc();
			fib_writer_poll(f);
			w += rte_rdtsc() - t;
		}
	}
	while (route_sender_flush(s) != 0) {
		t = rte_rdtsc();
		fib_writer_poll(f);
		w += rte_rdtsc() - t;
	}
	t = rte_rdtsc();
	ck_assert_int_eq(fib_writer_drain(f, 120000), 0);
	w += rte_rdtsc() - t;
	*writer = w;
	*total = n + t2_extra - extra0;
	return rte_rdtsc() - t0;
}

/* Between bursts of the load: flap the 198/8 prefixes between A and B, and
 * add then delete host-ish routes in 199/8 so that tbl8 groups are freed
 * and reused all the time. */
static void
t2_between(struct fib *f, struct route_sender *s, uint32_t i)
{
	const struct spec *to = &t2_gw[(t2_flap_round & 1) ? 1 : 0];
	struct route_op op;
	uint32_t k, p;

	RTE_SET_USED(i);
	for (k = 0; k < T2_FLAP; k++) {
		op = op_add(0xc6120000u | k << 8, 24, to);
		send_op(f, s, &op);
		op = op_add(0xc6130010u | k << 8, 28, to);
		send_op(f, s, &op);
	}
	for (k = 0; k < 16; k++) {
		/* One /16 each: no two ops of a round on the same prefix. */
		p = 0xc7000000u | k << 16 | (rnd32() & 0xffff);
		op = op_add(p & mask_of(26), 26, &t2_gw[2 + k]);
		send_op(f, s, &op);
		op = op_add(p & mask_of(30), 30, &t2_gw[3 + k]);
		send_op(f, s, &op);
		op = op_del(p & mask_of(26), 26);
		send_op(f, s, &op);
		op = op_del(p & mask_of(30), 30);
		send_op(f, s, &op);
	}
	t2_extra += 2 * T2_FLAP + 4 * 16;
	t2_flap_round++;
}

START_TEST(test_full_table)
{
	struct rte_malloc_socket_stats m0, m1;
	struct route_op *ops, op;
	struct t2_probe *probes;
	struct t2_reader rd = {0};
	struct route_sender *s;
	uint32_t *addrs, i, k, n, id, stable_routes = 0;
	uint64_t t, w, c, nops, ids[32];
	struct fib_stats st;
	pthread_t th;
	struct fib *f;

	rte_malloc_get_socket_stats((int)rte_socket_id(), &m0);
	f = mkfib("t2", 1100000, 32768, 4096, 65536);
	rte_malloc_get_socket_stats((int)rte_socket_id(), &m1);
	printf("full table: fib_create took %.1f MiB of DPDK memory for two copies (%.1f MiB "
	       "each, of which tbl24 64 MiB, tbl8 %.1f MiB, RIB nodes the rest)\n",
		(double)(m1.heap_allocsz_bytes - m0.heap_allocsz_bytes) / (1 << 20),
		(double)(m1.heap_allocsz_bytes - m0.heap_allocsz_bytes) / 2 / (1 << 20),
		32768.0 * 1024 / (1 << 20));
	s = route_sender_create(fib_route_ring(f));
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < T2_GW; i++)
		t2_gw[i] = (struct spec){
			NH_GATEWAY, (uint16_t)(i % 2), (i % 2 ? 0xc0a80000u : 0x0a000000u) + i + 1};

	/* Stable routes in 100/8, every length from /16 to /32 in nested
	 * sets so that some need tbl8 groups; and the flapping ones at A. */
	probes = calloc(T2_STABLE + 3 * T2_FLAP * 4, sizeof(*probes));
	ck_assert_ptr_nonnull(probes);
	ref_reset();
	for (i = 0; i < 64; i++) {
		uint32_t base = 0x64000000u | i << 16;
		uint8_t depth = (uint8_t)(17 + i % 16);
		uint32_t g = i % T2_GW;

		ref_add(base, 16, (int32_t)g);
		op = op_add(base, 16, &t2_gw[g]);
		send_op(f, s, &op);
		ref_add(base | 0x2a00, depth, (int32_t)((g + 1) % T2_GW));
		op = op_add(base | 0x2a00, depth, &t2_gw[(g + 1) % T2_GW]);
		send_op(f, s, &op);
		ref_add(base | 0x2a40, 26, (int32_t)((g + 2) % T2_GW));
		op = op_add(base | 0x2a40, 26, &t2_gw[(g + 2) % T2_GW]);
		send_op(f, s, &op);
		stable_routes += 3;
	}
	for (k = 0; k < T2_FLAP; k++) {
		op = op_add(0xc6120000u | k << 8, 24, &t2_gw[0]);
		send_op(f, s, &op);
		op = op_add(0xc6130010u | k << 8, 28, &t2_gw[0]);
		send_op(f, s, &op);
		op = op_add(0xc6140000u | k << 8, 24, &t2_gw[0]);
		send_op(f, s, &op);
	}
	pump(f, s);
	specs = t2_gw;
	for (i = 0; i < T2_STABLE; i++) {
		uint32_t a = 0x64000000u | (i % 64) << 16;

		/* Half anywhere in the /16, half in the nested part. */
		a |= (i & 1) ? (0x2a00 | (rnd32() & 0xff)) : (rnd32() & 0xffff);
		probes[i].addr = a;
		probes[i].want_a = probes[i].want_b = t2_gw[ref_lookup(a)].addr;
	}
	n = T2_STABLE;
	for (k = 0; k < T2_FLAP; k++) {
		for (i = 0; i < 4; i++) {
			probes[n++] = (struct t2_probe){0xc6120000u | k << 8 | (rnd32() & 0xff),
				t2_gw[0].addr, t2_gw[1].addr};
			probes[n++] = (struct t2_probe){0xc6130010u | k << 8 | (rnd32() & 0xf),
				t2_gw[0].addr, t2_gw[1].addr};
		}
		/* 198.20.k.0/24 stays via A; its .64/26 comes and goes via B. */
		for (i = 0; i < 2; i++) {
			probes[n++] = (struct t2_probe){0xc6140040u | k << 8 | (rnd32() & 0x3f),
				t2_gw[0].addr, t2_gw[1].addr};
			probes[n++] = (struct t2_probe){0xc6140080u | k << 8 | (rnd32() & 0x7f),
				t2_gw[0].addr, t2_gw[0].addr};
		}
	}

	rd.f = f;
	rd.probes = probes;
	rd.n = n;
	ck_assert_int_eq(pthread_create(&th, NULL, t2_reader_main, &rd), 0);
	while (!__atomic_load_n(&rd.ready, __ATOMIC_ACQUIRE))
		usleep(100);
	ck_assert_int_eq(rd.ready, 1);

	/* The load: 1M distinct prefixes. */
	ops = malloc(T2_ROUTES * sizeof(*ops));
	ck_assert_ptr_nonnull(ops);
	pset_mask = (1u << 22) - 1;
	pset = calloc(pset_mask + 1, sizeof(*pset));
	ck_assert_ptr_nonnull(pset);
	for (i = 0; i < T2_ROUTES;) {
		uint8_t depth = t2_depth();
		uint32_t prefix = rnd32() & mask_of(depth);

		if (t2_reserved(prefix, depth) || !pset_insert(prefix, depth))
			continue;
		ops[i++] = op_add(prefix, depth, &t2_gw[rnd32() % T2_GW]);
	}
	c = t2_send(f, s, ops, T2_ROUTES, &w, &nops, t2_between);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.routes, T2_ROUTES + stable_routes + 3 * T2_FLAP);
	printf("full table: loaded %u routes in %.0f ms through the ring, with %" PRIu64
	       " flap and tbl8-churn ops mixed in: %.0f cycles per op end to end, %.0f in the "
	       "writer (both copies), %" PRIu64 " batches\n",
		T2_ROUTES, t2_ms(c), nops - T2_ROUTES, (double)c / nops, (double)w / nops,
		st.batches);

	/* Spot checks of the load. */
	for (i = 0; i < 20000; i++) {
		const struct route_op *o = &ops[rnd32() % T2_ROUTES];

		ck_assert_int_eq(fib_route_get(f, o->prefix, o->depth, &id), 0);
		ck_assert_uint_eq(fib_nexthop(f, id)->addr, o->gateway);
	}

	/* Churn: 100k deletes, then the same routes back. */
	for (i = 0; i < 100000; i++) {
		uint32_t j = i + rnd32() % (T2_ROUTES - i);
		struct route_op tmp = ops[i];

		ops[i] = ops[j];
		ops[j] = tmp;
	}
	for (i = 0; i < 100000; i++)
		ops[i].kind = ROUTE_OP_DEL;
	c = t2_send(f, s, ops, 100000, &w, &nops, t2_between);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.routes, T2_ROUTES - 100000 + stable_routes + 3 * T2_FLAP);
	printf("full table: 100000 deletes in %.0f ms (%.0f cycles per op end to end, "
	       "%.0f in the writer)\n",
		t2_ms(c), (double)c / nops, (double)w / nops);
	for (i = 0; i < 100000; i++)
		ops[i].kind = ROUTE_OP_ADD;
	c = t2_send(f, s, ops, 100000, &w, &nops, t2_between);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.routes, T2_ROUTES + stable_routes + 3 * T2_FLAP);
	printf("full table: 100000 re-adds in %.0f ms (%.0f cycles per op end to end, "
	       "%.0f in the writer)\n",
		t2_ms(c), (double)c / nops, (double)w / nops);

	/* tbl8 groups freed and taken again under the reader's feet: the
	 * /26s come and go in the /24s it probes, 64 per batch, for a while.
	 * (Applied in place, without the second copy, this finds rte_fib
	 * zeroing a group a reader is about to read.) */
	t = rte_rdtsc();
	for (i = 0; rte_rdtsc() - t < rte_get_tsc_hz() * 2 || (i & 1); i++) {
		for (k = 0; k < T2_FLAP; k++) {
			op = (i & 1) ? op_del(0xc6140040u | k << 8, 26)
				     : op_add(0xc6140040u | k << 8, 26, &t2_gw[1]);
			send_op(f, s, &op);
		}
		pump(f, s);
	}
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.routes, T2_ROUTES + stable_routes + 3 * T2_FLAP);
	printf("full table: %u rounds of 64 /26 adds or deletes in 2 s under the reader; "
	       "%" PRIu64 " tbl8 groups used, %" PRIu64 " waiting for readers, %" PRIu64
	       " ops failed\n",
		i, st.tbl8_used, st.tbl8_retiring, st.ops_failed);

	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	printf("full table: reader did %" PRIu64 " lookups in %" PRIu64 " loops, %" PRIu64
	       " wrong\n",
		rd.lookups, rd.loops, rd.wrong);
	ck_assert_msg(rd.wrong == 0, "reader: %" PRIu64 " wrong answers, first %08x -> id %" PRIu64,
		rd.wrong, rd.bad.addr, rd.bad_got);
	ck_assert_uint_gt(rd.loops, 0);
	ck_assert_uint_eq(st.ops_failed, 0);

	/* Lookup cost: cold (random addresses over a 1M table) and hot. */
	addrs = malloc((1u << 20) * sizeof(*addrs));
	ck_assert_ptr_nonnull(addrs);
	for (i = 0; i < (1u << 20); i++)
		addrs[i] = rnd32();
	t = rte_rdtsc();
	for (i = 0; i < (1u << 20); i += 32)
		fib_lookup_bulk(f, &addrs[i], ids, 32);
	c = rte_rdtsc() - t;
	printf("full table: lookup %.1f cycles per address (random addresses, bulk of 32)\n",
		(double)c / (1u << 20));
	t = rte_rdtsc();
	for (k = 0; k < 32768; k++)
		fib_lookup_bulk(f, &addrs[(k & 7) * 32], ids, 32);
	c = rte_rdtsc() - t;
	printf("full table: lookup %.1f cycles per address (256 addresses in cache, bulk of 32)\n",
		(double)c / (32768 * 32));

	free(addrs);
	free(pset);
	free(ops);
	free(probes);
	specs = NULL;
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 3. neighbour learning --- */

static uint32_t
t3_lookup(struct fib *f, uint32_t addr)
{
	uint64_t id;

	fib_lookup_bulk(f, &addr, &id, 1);
	return (uint32_t)id;
}

START_TEST(test_neigh)
{
	struct fib *f = mkfib("t3", 1024, 64, 64, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec conn0 = {NH_CONNECTED, PORT_IDC, 0};
	const struct spec local0 = {NH_LOCAL, PORT_IDC, 0};
	const struct spec gw254 = {NH_GATEWAY, PORT_IDC, 0x0a0000fe};
	const struct spec gw253 = {NH_GATEWAY, PORT_IDC, 0x0a0000fd};
	const struct spec n5 = {NH_GATEWAY, PORT_IDC, 0x0a000005};
	const struct rte_ether_addr ma = {{0x02, 0xaa, 0, 0, 0, 0x05}};
	const struct rte_ether_addr mb = {{0x02, 0xbb, 0, 0, 0, 0xfe}};
	const struct rte_ether_addr mx = {{0x02, 0xcc, 0, 0, 0, 0x07}};
	const uint8_t ms[6] = {0x02, 0x5e, 0, 0, 0, 0x07};
	const uint8_t ms3[6] = {0x02, 0x5e, 0, 0, 0, 0xfd};
	const uint8_t zero[6] = {0};
	struct fib_stats st, st2;
	struct route_op op;
	uint32_t id, id2;

	ck_assert_ptr_nonnull(s);
	op = op_add(0x0a000000, 24, &conn0); /* 10.0.0.0/24 on the IDC port */
	route_sender_send(s, &op);
	op = op_add(0x0a000001, 32, &local0); /* 10.0.0.1: us */
	route_sender_send(s, &op);
	op = op_add(0xac100000, 16, &gw254); /* 172.16/16 via 10.0.0.254 */
	route_sender_send(s, &op);
	pump(f, s);

	id = t3_lookup(f, 0xac100101);
	ck_assert(nh_is(fib_nexthop(f, id), &gw254));
	ck_assert_uint_eq(fib_nexthop(f, id)->mac_state & NH_MAC_VALID, 0);

	/* A neighbour on the subnet: adjacency with its MAC at once. */
	fib_neigh_learn(f, PORT_IDC, 0x0a000005, &ma);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0x0a000005, 32, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &n5));
	ck_assert(mac_is(fib_nexthop(f, id), ma.addr_bytes));
	ck_assert(fib_nexthop(f, id)->flags & NH_F_ADJ);
	ck_assert_uint_eq(fib_nexthop(f, id)->refcnt, 1);
	ck_assert_uint_eq(t3_lookup(f, 0x0a000005), id);
	/* Its MAC changes: the same next hop follows. */
	fib_neigh_learn(f, PORT_IDC, 0x0a000005, &mb);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0x0a000005, 32, &id2), 0);
	ck_assert_uint_eq(id2, id);
	ck_assert(mac_is(fib_nexthop(f, id), mb.addr_bytes));
	ck_assert_uint_eq(fib_nexthop(f, id)->refcnt, 1);

	/* Wrong port, off the subnet, or our own address: nothing. */
	fib_get_stats(f, &st);
	fib_neigh_learn(f, PORT_VPC, 0x0a000006, &ma);
	fib_neigh_learn(f, PORT_IDC, 0xc0000201, &ma);
	fib_neigh_learn(f, PORT_IDC, 0x0a000001, &ma);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0x0a000006, 32, &id2), -ENOENT);
	ck_assert_int_eq(fib_route_get(f, 0xc0000201, 32, &id2), -ENOENT);
	ck_assert_int_eq(fib_route_get(f, 0x0a000001, 32, &id2), 0);
	ck_assert_uint_eq(fib_nexthop(f, id2)->type, NH_LOCAL);
	fib_get_stats(f, &st2);
	ck_assert_uint_eq(st2.routes, st.routes);
	ck_assert_uint_eq(st2.nexthops, st.nexthops);

	/* The gateway of 172.16/16 answers later: the route resolves, and
	 * it gets its adjacency too, on the same next hop. */
	fib_neigh_learn(f, PORT_IDC, 0x0a0000fe, &mb);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	id = t3_lookup(f, 0xac100101);
	ck_assert(mac_is(fib_nexthop(f, id), mb.addr_bytes));
	ck_assert_int_eq(fib_route_get(f, 0x0a0000fe, 32, &id2), 0);
	ck_assert_uint_eq(id2, id);
	ck_assert_uint_eq(fib_nexthop(f, id)->refcnt, 2);

	/* A static neighbour: adjacency, and learning does not override it. */
	op = op_neigh(PORT_IDC, 0x0a000007, ms);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000007, 32, &id), 0);
	ck_assert(mac_is(fib_nexthop(f, id), ms));
	ck_assert(fib_nexthop(f, id)->flags & NH_F_STATIC);
	fib_neigh_learn(f, PORT_IDC, 0x0a000007, &mx);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert(mac_is(fib_nexthop(f, id), ms));
	ck_assert_uint_eq(t3_lookup(f, 0x0a000007), id);

	/* A static neighbour before the route that uses it: resolved at once. */
	op = op_neigh(PORT_IDC, 0x0a0000fd, ms3);
	route_sender_send(s, &op);
	op = op_add(0xac110000, 16, &gw253);
	route_sender_send(s, &op);
	pump(f, s);
	id = t3_lookup(f, 0xac110203);
	ck_assert(nh_is(fib_nexthop(f, id), &gw253));
	ck_assert(mac_is(fib_nexthop(f, id), ms3));

	/* An all-zero MAC withdraws the static neighbour and its adjacency:
	 * learning works again. */
	op = op_neigh(PORT_IDC, 0x0a000007, zero);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000007, 32, &id), -ENOENT);
	ck_assert_uint_eq(fib_neigh_learn(f, PORT_IDC, 0x0a000007, &mx), FIB_NEIGH_ADDED);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0x0a000007, 32, &id), 0);
	ck_assert_uint_eq(fib_nexthop(f, id)->flags & NH_F_STATIC, 0);
	ck_assert(mac_is(fib_nexthop(f, id), mx.addr_bytes));

	/* The MAC's layout: bytes in memory order in bits 0..47. */
	ck_assert_uint_eq(fib_nexthop(f, id)->mac_state, NH_MAC_VALID | 0x07000000cc02ull);

	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, 0);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 3b. a neighbour's life: forgotten, capped, and its adjacency's origin --- */

static void
t3b_learn_ok(struct fib *f, uint16_t port, uint32_t addr, enum fib_neigh_result want)
{
	const struct rte_ether_addr m = {{0x02, 0xa7, addr >> 24, (addr >> 16) & 0xff,
		(addr >> 8) & 0xff, addr & 0xff}};

	ck_assert_uint_eq(fib_neigh_learn(f, port, addr, &m), want);
}

/* Every id a forgotten neighbour had is free again (after the grace
 * periods a drain and two polls go through). */
static void
t3b_settle(struct fib *f)
{
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	fib_writer_poll(f);
	fib_writer_poll(f);
}

START_TEST(test_neigh_life)
{
	/* 15 ids: small enough to fill. */
	struct fib *f = mkfib("t3b", 1024, 64, 16, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec conn0 = {NH_CONNECTED, PORT_IDC, 0};
	const struct spec conn1 = {NH_CONNECTED, PORT_VPC, 0};
	const struct spec x = {NH_GATEWAY, PORT_IDC, 0x0a000009};
	const struct spec y = {NH_GATEWAY, PORT_IDC, 0x0a00000a};
	const struct spec far = {NH_GATEWAY, PORT_IDC, 0x0a000063};
	const uint8_t ms[6] = {0x02, 0x5e, 0, 0, 0, 0x09};
	struct fib_stats st0, st;
	struct route_op op;
	uint32_t id, i, added, base;

	ck_assert_ptr_nonnull(s);
	op = op_add(0x0a000000, 24, &conn0); /* 10.0.0.0/24 on the IDC port */
	route_sender_send(s, &op);
	op = op_add(0xac100000, 16, &conn1); /* 172.16/16 on the VPC port */
	route_sender_send(s, &op);
	pump(f, s);
	fib_get_stats(f, &st0);

	/* Learned, then forgotten: the /32 and the id go. */
	t3b_learn_ok(f, PORT_IDC, 0x0a000005, FIB_NEIGH_ADDED);
	t3b_learn_ok(f, PORT_IDC, 0x0a000005, FIB_NEIGH_UPDATED);
	ck_assert_uint_eq(fib_neigh_count(f, PORT_IDC), 1);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0x0a000005, 32, &id), 0);
	ck_assert(fib_nexthop(f, id)->flags & NH_F_LEARNED);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000005), 0);
	ck_assert_uint_eq(fib_nexthop(f, id)->mac_state & NH_MAC_VALID, 0);
	ck_assert_uint_eq(fib_neigh_count(f, PORT_IDC), 0);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000005, 32, &id), -ENOENT);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.routes, st0.routes);
	ck_assert_uint_eq(st.nexthops, st0.nexthops);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000005), -ENOENT);

	/* Forgotten and heard again before the removal is applied: it stays. */
	t3b_learn_ok(f, PORT_IDC, 0x0a000006, FIB_NEIGH_ADDED);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000006), 0);
	t3b_learn_ok(f, PORT_IDC, 0x0a000006, FIB_NEIGH_ADDED);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000006, 32, &id), 0);
	ck_assert(fib_nexthop(f, id)->flags & NH_F_ADJ);
	ck_assert(fib_nexthop(f, id)->mac_state & NH_MAC_VALID);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000006), 0);
	t3b_settle(f);

	/* A static X/32 via X outlives the learned neighbour X. */
	op = op_add(0x0a000009, 32, &x);
	route_sender_send(s, &op);
	pump(f, s);
	t3b_learn_ok(f, PORT_IDC, 0x0a000009, FIB_NEIGH_ADDED);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &x));
	ck_assert_uint_eq(fib_nexthop(f, id)->flags & NH_F_ADJ, 0);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000009), 0);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &x));
	ck_assert_uint_eq(fib_nexthop(f, id)->refcnt, 1);
	op = op_del(0x0a000009, 32);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), -ENOENT);

	/* The RIB's X/32 takes over the adjacency of X, and gives it back. */
	t3b_learn_ok(f, PORT_IDC, 0x0a000009, FIB_NEIGH_ADDED);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	op = op_add(0x0a000009, 32, &x); /* the same next hop: now the RIB's */
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert_uint_eq(fib_nexthop(f, id)->flags & NH_F_ADJ, 0);
	op = op_add(0x0a000009, 32, &y); /* a better path elsewhere */
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &y));
	op = op_del(0x0a000009, 32); /* withdrawn: the neighbour's again */
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &x));
	ck_assert(fib_nexthop(f, id)->flags & NH_F_ADJ);
	/* A delete from the RIB does not take the neighbour's adjacency. */
	op = op_del(0x0a000009, 32);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, 1);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000009), 0);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), -ENOENT);

	/* A configured neighbour is not forgotten, nor counted as learned. */
	t3b_learn_ok(f, PORT_IDC, 0x0a000009, FIB_NEIGH_ADDED);
	op = op_neigh(PORT_IDC, 0x0a000009, ms);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_uint_eq(fib_neigh_count(f, PORT_IDC), 0);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000009), -ENOENT);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(mac_is(fib_nexthop(f, id), ms));

	/* The writer's own kinds are refused from the ring. */
	op = op_add(0x0a000011, 32, &x);
	op.kind = 0x80;
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0x0a000011, 32, &id), -ENOENT);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, 2);

	/* A cap of 3 on the VPC port; the IDC port's is its own. */
	fib_neigh_set_max(f, PORT_VPC, 3);
	for (i = 1, added = 0; i <= 5; i++)
		added += fib_neigh_learn(f, PORT_VPC, 0xac100000 + i,
				&(struct rte_ether_addr){{0x02, 0, 0, 0, 0, (uint8_t)i}}) ==
			FIB_NEIGH_ADDED;
	ck_assert_uint_eq(added, 3);
	ck_assert_uint_eq(fib_neigh_count(f, PORT_VPC), 3);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_int_eq(fib_route_get(f, 0xac100004, 32, &id), -ENOENT);
	t3b_learn_ok(f, PORT_IDC, 0x0a000020, FIB_NEIGH_ADDED);
	/* One goes: room for another. */
	ck_assert_int_eq(fib_neigh_forget(f, PORT_VPC, 0xac100001), 0);
	t3b_learn_ok(f, PORT_VPC, 0xac100004, FIB_NEIGH_ADDED);
	t3b_learn_ok(f, PORT_VPC, 0xac100005, FIB_NEIGH_REFUSED);
	/* At the cap, a next hop that routes use still takes the MAC. */
	op = op_add(0xc0a80000, 16, &(struct spec){NH_GATEWAY, PORT_VPC, 0xac100063});
	route_sender_send(s, &op);
	pump(f, s);
	t3b_learn_ok(f, PORT_VPC, 0xac100063, FIB_NEIGH_REFUSED);
	id = t3_lookup(f, 0xc0a80101);
	ck_assert(fib_nexthop(f, id)->mac_state & NH_MAC_VALID);
	ck_assert_int_eq(fib_route_get(f, 0xac100063, 32, &id), -ENOENT);
	for (i = 2; i <= 4; i++)
		ck_assert_int_eq(fib_neigh_forget(f, PORT_VPC, 0xac100000 + i), 0);
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000020), 0);
	op = op_del(0xc0a80000, 16);
	route_sender_send(s, &op);
	pump(f, s);
	t3b_settle(f);

	/* The next-hop table fills with learned neighbours; once they are
	 * forgotten, a new route gets a next hop. */
	fib_neigh_set_max(f, PORT_VPC, UINT32_MAX);
	fib_get_stats(f, &st);
	base = (uint32_t)st.nexthops;
	for (i = 1; i < 64; i++)
		if (fib_neigh_learn(f, PORT_VPC, 0xac100100 + i,
				    &(struct rte_ether_addr){{0x02, 0, 0, 0, 1, (uint8_t)i}}) ==
			FIB_NEIGH_NO_ID)
			break;
	ck_assert_uint_eq(i - 1, 15 - base);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	op = op_add(0xc6336400, 24, &far);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0xc6336400, 24, &id), -ENOENT);
	for (i = 1; i <= 15 - base; i++)
		ck_assert_int_eq(fib_neigh_forget(f, PORT_VPC, 0xac100100 + i), 0);
	t3b_settle(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.nexthops, base);
	route_sender_send(s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_route_get(f, 0xc6336400, 24, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &far));

	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 4. a full ring loses nothing --- */

START_TEST(test_ring_full)
{
	struct fib *f = mkfib("t4", 4096, 64, 16, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec g[3] = {{NH_GATEWAY, 0, 0x0a000001}, {NH_GATEWAY, 0, 0x0a000002},
		{NH_GATEWAY, 1, 0x0a000003}};
	struct fib_stats st;
	struct route_op op;
	uint32_t i, p, id;

	ck_assert_ptr_nonnull(s);
	/* 2,500 prefixes, each: add via 0, replace via 1, delete, add via 2,
	 * the four rounds one after the other: only order gives via 2. */
	for (i = 0; i < 10000; i++) {
		p = 0x14000000u | (i % 2500) << 8;
		switch (i / 2500) {
		case 0:
			op = op_add(p, 24, &g[0]);
			break;
		case 1:
			op = op_add(p, 24, &g[1]);
			break;
		case 2:
			op = op_del(p, 24);
			break;
		default:
			op = op_add(p, 24, &g[2]);
			break;
		}
		ck_assert_int_eq(route_sender_send(s, &op), 0);
	}
	fib_get_stats(f, &st);
	/* A ring of 64 holds 63. */
	ck_assert_uint_eq(st.ring_pending, 63);
	ck_assert_uint_eq(route_sender_backlog(s), 10000 - 63);
	ck_assert_uint_eq(route_sender_flush(s), 10000 - 63);

	while (route_sender_flush(s) != 0)
		fib_writer_poll(f);
	ck_assert_int_eq(fib_writer_drain(f, 10000), 0);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_applied, 10000);
	ck_assert_uint_eq(st.ops_failed, 0);
	ck_assert_uint_eq(st.routes, 2500);
	ck_assert_uint_eq(st.nexthops, 1);
	for (i = 0; i < 2500; i++) {
		ck_assert_int_eq(fib_route_get(f, 0x14000000u | i << 8, 24, &id), 0);
		ck_assert(nh_is(fib_nexthop(f, id), &g[2]));
	}
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 5. routes change without waiting for readers; what they may hold waits --- */

#define T5_READER 3

START_TEST(test_grace)
{
	/* Ids 1 and 2 only: a third gateway needs a recycled id. */
	struct fib *f = mkfib("t5", 64, 64, 3, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec g1 = {NH_GATEWAY, 0, 0x0a000001};
	const struct spec g2 = {NH_GATEWAY, 0, 0x0a000002};
	const struct spec g3 = {NH_GATEWAY, 0, 0x0a000003};
	const uint32_t a1 = 0x14000001, a3 = 0x16000001;
	struct fib_stats st;
	struct route_op op;
	uint32_t id1;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fib_reader_register(f, T5_READER), 0);

	op = op_add(0x14000000, 8, &g1);
	route_sender_send(s, &op);
	op = op_add(0x15000000, 8, &g2);
	route_sender_send(s, &op);
	route_sender_flush(s);
	ck_assert_uint_eq(fib_writer_poll(f), 2);
	id1 = t3_lookup(f, a1);
	ck_assert(nh_is(fib_nexthop(f, id1), &g1));

	/* The reader has not reported: the delete is visible all the same. */
	op = op_del(0x14000000, 8);
	route_sender_send(s, &op);
	route_sender_flush(s);
	ck_assert_uint_eq(fib_writer_poll(f), 1);
	ck_assert_uint_eq(t3_lookup(f, a1), FIB_NH_NONE);
	ck_assert_int_eq(fib_writer_drain(f, 50), 0);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.batches, 2);
	ck_assert_uint_eq(st.nexthops, 1);

	/* g1's id is out of the table but the reader may still hold it: a
	 * third gateway finds no id while the reader is silent... */
	op = op_add(0x16000000, 8, &g3);
	route_sender_send(s, &op);
	route_sender_flush(s);
	ck_assert_uint_eq(fib_writer_poll(f), 1);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, 1);
	ck_assert_uint_eq(st.refused_nexthops, 1);
	ck_assert_uint_eq(t3_lookup(f, a3), FIB_NH_NONE);
	ck_assert(nh_is(fib_nexthop(f, id1), &g1)); /* untouched */

	/* ...and once it has reported, the same op takes the recycled id. */
	fib_reader_quiescent(f, T5_READER);
	fib_writer_poll(f);
	route_sender_send(s, &op);
	route_sender_flush(s);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_uint_eq(t3_lookup(f, a3), id1);
	ck_assert(nh_is(fib_nexthop(f, id1), &g3));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, 1);
	ck_assert_uint_eq(st.routes, 2);

	fib_reader_unregister(f, T5_READER);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* A tbl8 group a silent reader may still walk is not reused. With two
 * groups: a /24 whose long routes go keeps its group, idle, for them to
 * come back; when free groups run out the idle one is unhooked, and a /26
 * in a third /24 is refused until the reader reports. Lookups are right
 * throughout. */
START_TEST(test_grace_tbl8)
{
	struct fib *f = mkfib("t5b", 64, 2, 8, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec g1 = {NH_GATEWAY, 0, 0x0a000001};
	const struct spec g2 = {NH_GATEWAY, 0, 0x0a000002};
	struct fib_stats st;
	struct route_op op;
	uint32_t id;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fib_reader_register(f, T5_READER), 0);
	op = op_add(0x14000000, 8, &g1);
	send_op(f, s, &op);
	op = op_add(0x14010100, 25, &g2);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010101)), &g2));
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010181)), &g1));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.tbl8_used, 1);

	/* Its /25 goes, and comes back: the same group, nothing retired. */
	op = op_del(0x14010100, 25);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010101)), &g1));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.tbl8_used, 1);
	ck_assert_uint_eq(st.tbl8_retiring, 0);
	op = op_add(0x14010180, 25, &g2);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010181)), &g2));
	op = op_del(0x14010180, 25);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010181)), &g1));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.tbl8_used, 1);
	ck_assert_uint_eq(st.refused_table, 0);

	/* A second /24 takes the last free group: the idle one is unhooked
	 * and waits for the reader, so a third /24 is refused meanwhile. */
	op = op_add(0x14020200, 26, &g2);
	send_op(f, s, &op);
	pump(f, s);
	op = op_add(0x14030300, 26, &g2);
	send_op(f, s, &op);
	pump(f, s);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.refused_table, 1);
	ck_assert_uint_eq(st.tbl8_used, 1);
	ck_assert_uint_eq(st.tbl8_retiring, 1);
	ck_assert_int_eq(fib_route_get(f, 0x14030300, 26, &id), -ENOENT);
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14030301)), &g1));
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14020201)), &g2));
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010101)), &g1));

	fib_reader_quiescent(f, T5_READER);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14030301)), &g2));
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14030341)), &g1));
	ck_assert(nh_is(fib_nexthop(f, t3_lookup(f, 0x14010101)), &g1));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.tbl8_used, 2);
	ck_assert_uint_eq(st.tbl8_retiring, 0);

	fib_reader_unregister(f, T5_READER);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/*
 * The engine with few tbl8 groups: random adds and deletes of /18 to /32
 * inside 10.0.0.0/20 (16 /24s) with 6 groups, so that groups go idle, are
 * unhooked, reused and run out. After every op the FIB holds what it
 * says it holds, and every 64 ops each of the 4,096 addresses is looked up
 * and compared with a reference trie fed with the ops that took effect.
 */
START_TEST(test_small_pool)
{
	struct fib *f = mkfib("t5c", 4096, 6, 8, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec g[4] = {{NH_GATEWAY, 0, 0x0a100001}, {NH_GATEWAY, 0, 0x0a100002},
		{NH_GATEWAY, 1, 0x0a100003}, {NH_GATEWAY, 1, 0x0a100004}};
	uint32_t addrs[32], i, k, id, refused = 0, checked = 0;
	struct fib_stats st;
	struct route_op op;
	uint64_t ids[32];

	ck_assert_ptr_nonnull(s);
	ref_reset();
	for (i = 0; i < 20000; i++) {
		uint8_t depth = (uint8_t)(18 + rnd32() % 15);
		uint32_t prefix = (0x0a000000u | (rnd32() & 0xfff)) & mask_of(depth);
		int32_t sp = (int32_t)(rnd32() % 4), had = ref_get(prefix, depth);

		if (rnd32() % 5 < 3) {
			op = op_add(prefix, depth, &g[sp]);
			send_op(f, s, &op);
			pump(f, s);
			if (fib_route_get(f, prefix, depth, &id) == 0 &&
				nh_is(fib_nexthop(f, id), &g[sp])) {
				ref_add(prefix, depth, sp);
			} else {
				/* Refused: what it had stays. */
				refused++;
				ck_assert(had < 0 ? fib_route_get(f, prefix, depth, &id) == -ENOENT
						  : nh_is(fib_nexthop(f, id), &g[had]));
			}
		} else {
			op = op_del(prefix, depth);
			send_op(f, s, &op);
			pump(f, s);
			ck_assert_int_eq(fib_route_get(f, prefix, depth, &id), -ENOENT);
			if (had >= 0)
				ref_del(prefix, depth);
		}
		if (i % 64 != 63)
			continue;
		for (k = 0; k < 4096; k += 32) {
			for (uint32_t j = 0; j < 32; j++)
				addrs[j] = 0x0a000000u | (k + j);
			fib_lookup_bulk(f, addrs, ids, 32);
			for (uint32_t j = 0; j < 32; j++) {
				int32_t want = ref_lookup(addrs[j]);

				ck_assert_msg(want < 0 ? ids[j] == FIB_NH_NONE
						       : nh_is(fib_nexthop(f, (uint32_t)ids[j]),
								 &g[want]),
					"op %u: %08x -> id %" PRIu64 ", want spec %d", i, addrs[j],
					ids[j], want);
				checked++;
			}
		}
	}
	fib_get_stats(f, &st);
	printf("small pool: 20000 ops, %u refused for want of tbl8 groups, %u lookups checked, "
	       "%" PRIu64 " groups in use at the end\n",
		refused, checked, st.tbl8_used);
	ck_assert_uint_gt(refused, 0);
	ck_assert_uint_eq(st.refused_table, refused);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 6. every op's outcome goes back on the result ring --- */

/* Takes what the result ring holds into res[] (at most max). */
static unsigned int
t9_results(struct fib *f, struct route_result *res, unsigned int max)
{
	return rte_ring_sc_dequeue_burst_elem(fib_result_ring(f), res, sizeof(*res), max, NULL);
}

/* pump() that also takes the answers as they come: res[] gets them all. */
static unsigned int
t9_pump(struct fib *f, struct route_sender *s, struct route_result *res, unsigned int max)
{
	unsigned int n = 0;
	uint64_t end = rte_get_timer_cycles() + 120 * rte_get_timer_hz();

	for (;;) {
		route_sender_flush(s);
		fib_writer_poll(f);
		n += t9_results(f, &res[n], max - n);
		if (route_sender_backlog(s) == 0 && fib_writer_drain(f, 0) == 0)
			break;
		ck_assert_msg(rte_get_timer_cycles() < end, "the writer does not drain");
	}
	return n + t9_results(f, &res[n], max - n);
}

static struct route_op
t9_flag(struct route_op op)
{
	op.flags |= ROUTE_OP_F_RESULT;
	return op;
}

static bool
t9_holds(const struct route_result *r, const struct spec *sp)
{
	if (sp == NULL)
		return r->nh_type == NH_NONE;
	return r->nh_type == sp->type && r->port == sp->port &&
	       r->gateway == (sp->type == NH_GATEWAY ? sp->addr : 0);
}

START_TEST(test_results)
{
	/* 64 tbl8 groups, ids 1..3. */
	struct fib *f = mkfib("t9", 4096, 64, 4, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec g[6] = {{NH_GATEWAY, 0, 0x0a000001}, {NH_GATEWAY, 0, 0x0a000002},
		{NH_GATEWAY, 0, 0x0a000003}, {NH_GATEWAY, 0, 0x0a000004},
		{NH_GATEWAY, 0, 0x0a000005}, {NH_GATEWAY, 1, 0x0a000006}};
	struct route_result res[128];
	unsigned int i, n, fit = 0;
	struct fib_stats st;
	struct route_op op;
	uint32_t id;

	ck_assert_ptr_nonnull(s);
	/* 70 /25s in 70 /24s: each needs a tbl8 group of its own. Each gets
	 * its answer, in order: in, or refused for want of room. */
	for (i = 0; i < 70; i++) {
		op = t9_flag(op_add(0x0a000000u | i << 16, 25, &g[0]));
		send_op(f, s, &op);
	}
	n = t9_pump(f, s, res, RTE_DIM(res));
	ck_assert_uint_eq(n, 70);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(res[i].prefix, 0x0a000000u | i << 16);
		ck_assert_uint_eq(res[i].depth, 25);
		ck_assert_uint_eq(res[i].kind, ROUTE_OP_ADD);
		if (res[i].status == ROUTE_OK) {
			ck_assert_uint_eq(i, fit); /* all in, then all refused */
			ck_assert(t9_holds(&res[i], &g[0]));
			fit++;
		} else {
			ck_assert_uint_eq(res[i].status, ROUTE_REFUSED_TABLE);
			ck_assert(t9_holds(&res[i], NULL));
		}
	}
	ck_assert_uint_ge(fit, 32);
	ck_assert_uint_lt(fit, 70);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.refused_table, 70 - fit);
	ck_assert_uint_eq(st.routes, fit);

	/* A refused /25 via a gateway of its own: its id was interned for
	 * nothing and goes back (it used to stay pinned, for ever). */
	op = t9_flag(op_add(0x0b000000, 25, &g[1]));
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 1);
	ck_assert_uint_eq(res[0].status, ROUTE_REFUSED_TABLE);
	fib_writer_poll(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.nexthops, 1);

	/* So two more gateways fit beside g0 (ids 1..3). */
	op = t9_flag(op_add(0x0c000000, 8, &g[2]));
	send_op(f, s, &op);
	op = t9_flag(op_add(0x0d000000, 8, &g[3]));
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 2);
	ck_assert_uint_eq(res[0].status, ROUTE_OK);
	ck_assert_uint_eq(res[1].status, ROUTE_OK);
	ck_assert(t9_holds(&res[1], &g[3]));

	/* The next-hop table is full: a new route, and a better path for one
	 * the FIB has, are refused; the FIB keeps the old path and says so. */
	op = t9_flag(op_add(0x0e000000, 8, &g[4]));
	send_op(f, s, &op);
	op = t9_flag(op_add(0x0c000000, 8, &g[5]));
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 2);
	ck_assert_uint_eq(res[0].status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert(t9_holds(&res[0], NULL));
	ck_assert_uint_eq(res[1].status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert(t9_holds(&res[1], &g[2]));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.refused_nexthops, 2);

	/* Room again: a delete frees a tbl8 group, and the first refused /25
	 * gets it. A delete of nothing holds what it asked for: nothing. */
	op = t9_flag(op_del(0x0a000000, 25));
	send_op(f, s, &op);
	op = t9_flag(op_add(0x0a000000u | fit << 16, 25, &g[0]));
	send_op(f, s, &op);
	op = t9_flag(op_del(0x0f000000, 8));
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 3);
	ck_assert_uint_eq(res[0].status, ROUTE_OK);
	ck_assert(t9_holds(&res[0], NULL));
	ck_assert_uint_eq(res[1].status, ROUTE_OK);
	ck_assert(t9_holds(&res[1], &g[0]));
	ck_assert(t9_holds(&res[2], NULL));
	ck_assert_int_eq(fib_route_get(f, 0x0a000000u | fit << 16, 25, &id), 0);

	/* Ops without the flag get no answer. */
	op = op_del(0x0d000000, 8);
	send_op(f, s, &op);
	pump(f, s);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 0);

	/* Nobody reads the answers: the writer takes no more ops than the
	 * result ring (64: 63 answers) can take, and loses none. */
	for (i = 0; i < 100; i++) {
		op = t9_flag(op_add(0x0d000000, 8, &g[i & 1 ? 3 : 0]));
		ck_assert_int_eq(route_sender_send(s, &op), 0);
	}
	for (i = 0; i < 200; i++) {
		route_sender_flush(s);
		fib_writer_poll(f);
	}
	ck_assert_uint_eq(rte_ring_count(fib_result_ring(f)), 63);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ring_pending + route_sender_backlog(s), 100 - 63);
	n = t9_results(f, res, RTE_DIM(res));
	ck_assert_uint_eq(n, 63);
	n = t9_pump(f, s, res, RTE_DIM(res));
	ck_assert_uint_eq(n, 100 - 63);
	ck_assert(t9_holds(&res[n - 1], &g[3]));

	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* Neighbours and the result ring: the writer's own adjacency ops are
 * answered to nobody, and a delete from the RIB of an addr/32 that is a
 * neighbour's adjacency is done (the RIB's route is not there), not refused. */
START_TEST(test_neigh_results)
{
	struct fib *f = mkfib("t9b", 1024, 64, 16, 64);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const struct spec conn0 = {NH_CONNECTED, PORT_IDC, 0};
	const struct spec x = {NH_GATEWAY, PORT_IDC, 0x0a000009};
	const struct spec y = {NH_GATEWAY, PORT_IDC, 0x0a00000a};
	struct route_result res[16];
	struct fib_stats st0, st;
	struct route_op op;
	uint32_t id;

	ck_assert_ptr_nonnull(s);
	op = t9_flag(op_add(0x0a000000, 24, &conn0));
	send_op(f, s, &op);
	ck_assert_uint_eq(t9_pump(f, s, res, RTE_DIM(res)), 1);
	ck_assert_uint_eq(res[0].status, ROUTE_OK);

	/* Learned, and its adjacency in: no answer for the adjacency. */
	t3b_learn_ok(f, PORT_IDC, 0x0a000009, FIB_NEIGH_ADDED);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(fib_nexthop(f, id)->flags & NH_F_ADJ);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 0);

	/* The RIB deletes X/32 (say, its refused X/32 via Y): done, and the
	 * FIB holds no route of the RIB's there; the adjacency stays. */
	fib_get_stats(f, &st0);
	op = t9_flag(op_del(0x0a000009, 32));
	send_op(f, s, &op);
	ck_assert_uint_eq(t9_pump(f, s, res, RTE_DIM(res)), 1);
	ck_assert_uint_eq(res[0].kind, ROUTE_OP_DEL);
	ck_assert_uint_eq(res[0].status, ROUTE_OK);
	ck_assert(t9_holds(&res[0], NULL));
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(fib_nexthop(f, id)->flags & NH_F_ADJ);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.refused_nexthops + st.refused_table,
		st0.refused_nexthops + st0.refused_table);

	/* The RIB's X/32 via Y replaces the adjacency; its withdrawal gives
	 * it back, and the answer still says: no route of the RIB's. */
	op = t9_flag(op_add(0x0a000009, 32, &y));
	send_op(f, s, &op);
	ck_assert_uint_eq(t9_pump(f, s, res, RTE_DIM(res)), 1);
	ck_assert_uint_eq(res[0].status, ROUTE_OK);
	ck_assert(t9_holds(&res[0], &y));
	op = t9_flag(op_del(0x0a000009, 32));
	send_op(f, s, &op);
	ck_assert_uint_eq(t9_pump(f, s, res, RTE_DIM(res)), 1);
	ck_assert_uint_eq(res[0].status, ROUTE_OK);
	ck_assert(t9_holds(&res[0], NULL));
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), 0);
	ck_assert(nh_is(fib_nexthop(f, id), &x));
	ck_assert(fib_nexthop(f, id)->flags & NH_F_ADJ);

	/* Forgotten: the adjacency's removal is answered to nobody either. */
	ck_assert_int_eq(fib_neigh_forget(f, PORT_IDC, 0x0a000009), 0);
	t3b_settle(f);
	ck_assert_int_eq(fib_route_get(f, 0x0a000009, 32, &id), -ENOENT);
	ck_assert_uint_eq(t9_results(f, res, RTE_DIM(res)), 0);

	/* The writer's own kind from the ring: refused, and answered as such,
	 * under its own kind. */
	fib_get_stats(f, &st0);
	op = t9_flag(op_add(0x0a000011, 32, &x));
	op.kind = 0x80;
	send_op(f, s, &op);
	ck_assert_uint_eq(t9_pump(f, s, res, RTE_DIM(res)), 1);
	ck_assert_uint_eq(res[0].kind, 0x80);
	ck_assert_uint_eq(res[0].status, ROUTE_REFUSED_INVALID);
	ck_assert(t9_holds(&res[0], NULL));
	ck_assert_int_eq(fib_route_get(f, 0x0a000011, 32, &id), -ENOENT);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.ops_failed, st0.ops_failed + 1);

	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- 7. a reader that stops reporting: the writer says so, and reuses nothing --- */

#define T8_READER 4

/* What rte_log writes meanwhile, in memory. */
static char *t8_log;
static size_t t8_log_len;

START_TEST(test_grace_stall)
{
	struct fib_params p = {
		.name = "t8",
		.socket_id = (int)rte_socket_id(),
		.max_routes = 64,
		.max_tbl8 = 64,
		.max_nexthops = 8,
		.ring_size = 64,
		.grace_stall_ms = 200,
	};
	struct fib *f = fib_create(&p);
	struct route_sender *s;
	const struct spec g1 = {NH_GATEWAY, 0, 0x0a000001};
	struct fib_stats st;
	struct route_op op;
	FILE *mem;
	uint64_t end;
	uint32_t id;

	ck_assert_ptr_nonnull(f);
	s = route_sender_create(fib_route_ring(f));
	ck_assert_ptr_nonnull(s);
	mem = open_memstream(&t8_log, &t8_log_len);
	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(rte_openlog_stream(mem), 0);

	/* A forwarding lcore that went online and then hangs. */
	ck_assert_int_eq(fib_reader_register(f, T8_READER), 0);
	op = op_add(0x14000000, 8, &g1);
	route_sender_send(s, &op);
	route_sender_flush(s);
	ck_assert_uint_eq(fib_writer_poll(f), 1);
	op = op_del(0x14000000, 8);
	route_sender_send(s, &op);
	route_sender_flush(s);
	ck_assert_uint_eq(fib_writer_poll(f), 1);
	ck_assert_int_eq(fib_route_get(f, 0x14000000, 8, &id), -ENOENT);

	/* Five times the stall limit: routes went on changing, g1's id waits
	 * for the reader; logged once, counted once. */
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (rte_get_timer_cycles() < end)
		fib_writer_poll(f);
	fflush(mem);
	ck_assert_msg(t8_log_len > 0 && strstr(t8_log, "quiescent") != NULL &&
			      strstr(t8_log, "lcore 4") != NULL,
		"no log line names the silent lcore: \"%s\"", t8_log_len ? t8_log : "");
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.grace_stalls, 1);
	ck_assert_uint_ge(st.grace_wait_ms, 1000);
	ck_assert_uint_eq(st.batches, 2);
	ck_assert_uint_eq(st.ring_pending, 0);

	/* It reports again: the id is free, and the writer says so. */
	fib_reader_quiescent(f, T8_READER);
	fib_writer_poll(f);
	fflush(mem);
	ck_assert_ptr_nonnull(strstr(t8_log, "resumed"));
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.grace_stalls, 1);
	ck_assert_uint_eq(st.grace_wait_ms, 0);

	rte_openlog_stream(NULL);
	fclose(mem);
	free(t8_log);
	t8_log = NULL;
	fib_reader_unregister(f, T8_READER);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* fib_create refuses what rte_fib cannot hold, with a log line, no leak. */
START_TEST(test_create_errors)
{
	struct fib *f;
	struct fib_params p = {
		.name = "this-name-is-far-too-long-for-memzones",
		.socket_id = (int)rte_socket_id(),
		.max_routes = 16,
		.max_tbl8 = 16,
		.max_nexthops = 16,
		.ring_size = 64,
	};

	ck_assert_ptr_null(fib_create(&p));
	p.name = "t6";
	p.ring_size = 100;
	ck_assert_ptr_null(fib_create(&p));
	p.ring_size = 64;
	p.max_tbl8 = 1u << 30; /* 1 TiB of tbl8 groups */
	ck_assert_ptr_null(fib_create(&p));
	p.max_tbl8 = 16;
	f = fib_create(&p);
	ck_assert_ptr_nonnull(f);
	fib_destroy(f);
}
END_TEST

static Suite *
fib_suite(void)
{
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{"create_errors", test_create_errors},
		{"ring_full", test_ring_full},
		{"grace", test_grace},
		{"grace_tbl8", test_grace_tbl8},
		{"small_pool", test_small_pool},
		{"grace_stall", test_grace_stall},
		{"results", test_results},
		{"neigh_results", test_neigh_results},
		{"neigh", test_neigh},
		{"neigh_life", test_neigh_life},
		{"rte_fib_quirks", test_rte_fib_quirks},
		{"differential", test_differential},
		{"full_table", test_full_table},
	};
	Suite *su = suite_create("fib");
	unsigned int i;

	/* One case each: CK_RUN_CASE=<name> runs one. */
	for (i = 0; i < RTE_DIM(cases); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_set_timeout(tc, 1200);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(su, tc);
	}
	return su;
}

int
main(void)
{
	char prefix[64];
	char *eal_args[] = {"test_fib", "--no-huge", "-m", "3072", "--no-pci", "--no-telemetry",
		"-l", "0", "--file-prefix", prefix, "--log-level", "lib.eal:error", NULL};
	const char *env = getenv("VBR_TEST_SEED");
	SRunner *sr;
	int failed;

	snprintf(prefix, sizeof(prefix), "vbr-test-fib-%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	seed = env != NULL ? strtoull(env, NULL, 0) : (uint64_t)rte_rdtsc();
	if (seed == 0)
		seed = 1;
	rng_state = seed;
	printf("test_fib: seed %" PRIu64 " (VBR_TEST_SEED to replay)\n", seed);

	sr = srunner_create(fib_suite());
	/* One process: EAL cannot be initialised again in a forked child. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(rn);
	free(ref_routes);
	rte_eal_cleanup();
	return failed == 0 ? 0 : 1;
}
