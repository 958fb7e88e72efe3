/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop groups in the FIB (lpm/fib_group.c): a route op with several
 * gateways becomes one group per member set, whatever their order; groups
 * are replaced, shrunk to one gateway and deleted; the FIB answers what it
 * holds; a group's id, its index and its members' ids are reused only after
 * a grace period; and a reader that looks up and picks members all along,
 * while the writer churns groups through a small pool, never meets a freed
 * or half-made group. EAL runs once, without hugepages.
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

#include "fib.h"
#include "route_sender.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define PORT_IDC 0
#define READER_ID 5

static uint64_t rng_state;

static uint32_t
rnd32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static struct fib *
mkfib(const char *name, uint32_t nhs, uint32_t groups)
{
	struct fib_params p = {
		.name = name,
		.socket_id = (int)rte_socket_id(),
		.max_routes = 4096,
		.max_tbl8 = 64,
		.max_nexthops = nhs,
		.ring_size = 1024,
		.max_groups = groups,
	};
	struct fib *f = fib_create(&p);

	ck_assert_msg(f != NULL, "fib_create(%s) failed", name);
	return f;
}

static struct route_op
op_group(uint32_t prefix, uint8_t depth, const uint32_t *gw, unsigned int n)
{
	struct route_op op = {
		.kind = ROUTE_OP_ADD,
		.depth = depth,
		.port = PORT_IDC,
		.nh_type = NH_GROUP,
		.prefix = prefix,
		.n_gateways = (uint8_t)n,
		.flags = ROUTE_OP_F_RESULT,
	};

	memcpy(op.gateways, gw, n * sizeof(*gw));
	return op;
}

static struct route_op
op_gw(uint32_t prefix, uint8_t depth, uint32_t gw)
{
	return (struct route_op){.kind = ROUTE_OP_ADD,
		.depth = depth,
		.port = PORT_IDC,
		.nh_type = NH_GATEWAY,
		.prefix = prefix,
		.gateway = gw,
		.flags = ROUTE_OP_F_RESULT};
}

static struct route_op
op_del(uint32_t prefix, uint8_t depth)
{
	return (struct route_op){
		.kind = ROUTE_OP_DEL, .depth = depth, .prefix = prefix, .flags = ROUTE_OP_F_RESULT};
}

/* Sends op, lets the writer apply it, and returns its answer. */
static struct route_result
apply(struct fib *f, struct route_sender *s, struct route_op op)
{
	struct route_result r;

	ck_assert_int_eq(route_sender_send(s, &op), 0);
	ck_assert_int_eq(route_sender_flush(s), 0);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	ck_assert_uint_eq(rte_ring_sc_dequeue_elem(fib_result_ring(f), &r, sizeof(r)), 0);
	return r;
}

static const struct nexthop *
lookup(struct fib *f, uint32_t addr, uint32_t *id)
{
	uint64_t nh;

	fib_lookup_bulk(f, &addr, &nh, 1);
	*id = (uint32_t)nh;
	return fib_nexthop(f, (uint32_t)nh);
}

/* The group at addr holds exactly gw[0..n) (sorted), on the IDC port. */
static void
assert_group(struct fib *f, uint32_t addr, const uint32_t *sorted, unsigned int n)
{
	uint32_t id, ids[FIB_GROUP_MAX];
	const struct nexthop *nh = lookup(f, addr, &id);

	ck_assert_uint_eq(nh->type, NH_GROUP);
	ck_assert_uint_eq(nh->port, PORT_IDC);
	ck_assert_uint_eq(fib_group_members(f, nh, ids), n);
	for (unsigned int i = 0; i < n; i++) {
		const struct nexthop *m = fib_nexthop(f, ids[i]);

		ck_assert_uint_eq(m->type, NH_GATEWAY);
		ck_assert_uint_eq(m->addr, sorted[i]);
		ck_assert_uint_gt(m->refcnt, 0);
	}
}

static void
quiesce(struct fib *f)
{
	/* Two rounds: a grace period for the group's id, then one for its
	 * members that it left unused. */
	for (int i = 0; i < 3; i++) {
		fib_reader_quiescent(f, READER_ID);
		fib_writer_poll(f);
	}
}

START_TEST(test_group_life)
{
	struct fib *f = mkfib("g1", 64, 8);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const uint32_t A = IP(10, 0, 0, 2), B = IP(10, 0, 0, 3), C = IP(10, 0, 0, 4);
	const uint32_t abc[3] = {A, B, C}, cab[3] = {C, A, B}, ab[2] = {A, B}, bab[3] = {B, A, B};
	const uint32_t p1 = IP(192, 168, 100, 0), p2 = IP(192, 168, 101, 0);
	struct route_result r;
	struct fib_stats st;
	uint32_t id1, id2;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fib_reader_register(f, READER_ID), 0);

	/* Add: one group of three, members in the order of their addresses. */
	r = apply(f, s, op_group(p1, 24, cab, 3));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	ck_assert_uint_eq(r.nh_type, NH_GROUP);
	ck_assert_uint_eq(r.n_members, 3);
	ck_assert_uint_eq(r.gateway, route_group_digest(PORT_IDC, abc, 3));
	assert_group(f, p1 | 1, abc, 3);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 1);
	ck_assert_uint_eq(st.nexthops, 4);

	/* The same set in another order: the same group. */
	r = apply(f, s, op_group(p2, 24, abc, 3));
	ck_assert_uint_eq(r.gateway, route_group_digest(PORT_IDC, abc, 3));
	lookup(f, p1 | 1, &id1);
	lookup(f, p2 | 1, &id2);
	ck_assert_uint_eq(id1, id2);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 1);

	/* Replace p1's by a smaller set (repeats dropped): a second group. */
	r = apply(f, s, op_group(p1, 24, bab, 3));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	ck_assert_uint_eq(r.n_members, 2);
	ck_assert_uint_eq(r.gateway, route_group_digest(PORT_IDC, ab, 2));
	assert_group(f, p1 | 1, ab, 2);
	assert_group(f, p2 | 1, abc, 3);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 2);

	/* p2 to the smaller set too: the first group is out of use, but its
	 * id and C's wait for the reader. */
	r = apply(f, s, op_group(p2, 24, ab, 2));
	lookup(f, p2 | 1, &id2);
	lookup(f, p1 | 1, &id1);
	ck_assert_uint_eq(id1, id2);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 1);
	ck_assert_uint_eq(st.nexthops, 4); /* A, B, {A,B}, and C for {A,B,C}, retiring */
	quiesce(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.nexthops, 3);

	/* Shrink p1 to one gateway: a plain next hop; the group stays for p2. */
	r = apply(f, s, op_gw(p1, 24, B));
	ck_assert_uint_eq(r.nh_type, NH_GATEWAY);
	ck_assert_uint_eq(r.gateway, B);
	ck_assert_uint_eq(lookup(f, p1 | 1, &id1)->type, NH_GATEWAY);
	assert_group(f, p2 | 1, ab, 2);

	/* Delete: nothing left but B's route. */
	r = apply(f, s, op_del(p2, 24));
	ck_assert_uint_eq(r.nh_type, NH_NONE);
	quiesce(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 0);
	ck_assert_uint_eq(st.nexthops, 1);
	ck_assert_uint_eq(st.routes, 1);
	ck_assert_uint_eq(st.ops_failed, 0);

	/* Malformed groups are refused. */
	{
		struct route_op bad = op_group(p2, 24, abc, 3);

		bad.n_gateways = 9;
		ck_assert_uint_eq(apply(f, s, bad).status, ROUTE_REFUSED_INVALID);
		bad.n_gateways = 0;
		ck_assert_uint_eq(apply(f, s, bad).status, ROUTE_REFUSED_INVALID);
		bad = op_group(p2, 24, (const uint32_t[]){0, A}, 2);
		ck_assert_uint_eq(apply(f, s, bad).status, ROUTE_REFUSED_INVALID);
	}

	fib_reader_unregister(f, READER_ID);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* One group index: the next set is refused while a silent reader may
 * still read the old group, and taken once it reports. A group refused for
 * want of ids leaves no member behind. */
START_TEST(test_group_grace)
{
	struct fib *f = mkfib("g2", 64, 1);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const uint32_t A = IP(10, 0, 0, 2), B = IP(10, 0, 0, 3), C = IP(10, 0, 0, 4);
	const uint32_t ab[2] = {A, B}, ac[2] = {A, C};
	const uint32_t p = IP(192, 168, 100, 0);
	struct route_result r;
	struct fib_stats st;
	uint32_t id;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fib_reader_register(f, READER_ID), 0);
	r = apply(f, s, op_group(p, 24, ab, 2));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	/* The reader, silent from here, may hold {A,B}. */
	r = apply(f, s, op_group(p, 24, ac, 2));
	ck_assert_uint_eq(r.status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert_uint_eq(r.nh_type, NH_GROUP); /* the FIB kept {A,B} */
	assert_group(f, p | 1, ab, 2);
	r = apply(f, s, op_gw(p, 24, A));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	/* {A,B} is out of the table; its index waits for the reader. */
	r = apply(f, s, op_group(p, 24, ac, 2));
	ck_assert_uint_eq(r.status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert_uint_eq(lookup(f, p | 1, &id)->addr, A);
	quiesce(f);
	r = apply(f, s, op_group(p, 24, ac, 2));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	assert_group(f, p | 1, ac, 2);
	quiesce(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 1);
	ck_assert_uint_eq(st.nexthops, 3); /* A, C, {A,C}: B went */
	fib_reader_unregister(f, READER_ID);
	route_sender_destroy(s);
	fib_destroy(f);

	/* Ids 1..4: a group of four members cannot be made; its members
	 * made meanwhile do not stay. */
	f = mkfib("g2b", 5, 4);
	s = route_sender_create(fib_route_ring(f));
	ck_assert_ptr_nonnull(s);
	r = apply(f, s, op_group(p, 24, (const uint32_t[]){A, B, C, IP(10, 0, 0, 5)}, 4));
	ck_assert_uint_eq(r.status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert_uint_eq(r.nh_type, NH_NONE);
	fib_writer_poll(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.nexthops, 0);
	ck_assert_uint_eq(st.groups, 0);
	r = apply(f, s, op_group(p, 24, (const uint32_t[]){A, B, C}, 3));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* Every group index in use: the next set is refused and answered with what
 * the prefix keeps (nothing for a new prefix, its group for a replacement),
 * the members made for it do not stay, the first of the set alone gets in
 * (what the RIB sends then), and the set gets in once a group frees. When
 * every route goes, every group and next-hop id is back: nothing leaks. */
#define EX_GROUPS 8

START_TEST(test_group_exhausted)
{
	struct fib *f = mkfib("g4", 256, EX_GROUPS);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	const uint32_t pnew = IP(192, 168, 200, 0), p0 = IP(192, 168, 100, 0);
	const uint32_t n1 = IP(10, 0, 2, 1), n2 = IP(10, 0, 2, 2);
	uint32_t set0[2] = {IP(10, 0, 1, 1), IP(10, 0, 1, 2)};
	struct route_result r;
	struct fib_stats st;
	uint32_t id;

	ck_assert_ptr_nonnull(s);
	for (unsigned int i = 0; i < EX_GROUPS; i++) {
		const uint32_t set[2] = {IP(10, 0, 1, 2 * i + 1), IP(10, 0, 1, 2 * i + 2)};

		r = apply(f, s, op_group(IP(192, 168, 100 + i, 0), 24, set, 2));
		ck_assert_uint_eq(r.status, ROUTE_OK);
		ck_assert_uint_eq(r.nh_type, NH_GROUP);
	}
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, EX_GROUPS);
	ck_assert_uint_eq(st.nexthops, 3 * EX_GROUPS);

	/* A new prefix, a new set of new members: refused, nothing held. */
	r = apply(f, s, op_group(pnew, 24, (const uint32_t[]){n1, n2}, 2));
	ck_assert_uint_eq(r.status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert_uint_eq(r.nh_type, NH_NONE);
	ck_assert_uint_eq(lookup(f, pnew | 1, &id)->type, NH_NONE);
	fib_writer_poll(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.nexthops, 3 * EX_GROUPS); /* n1, n2 did not stay */
	ck_assert_uint_eq(st.groups, EX_GROUPS);
	ck_assert_uint_eq(st.routes, EX_GROUPS);
	ck_assert_uint_eq(st.refused_nexthops, 1);

	/* A replacement (a member lost, another come): refused; the answer
	 * says the old group is held, by its digest. */
	r = apply(f, s, op_group(p0, 24, (const uint32_t[]){set0[0], n1}, 2));
	ck_assert_uint_eq(r.status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert_uint_eq(r.nh_type, NH_GROUP);
	ck_assert_uint_eq(r.n_members, 2);
	ck_assert_uint_eq(r.gateway, route_group_digest(PORT_IDC, set0, 2));
	assert_group(f, p0 | 1, set0, 2);

	/* The first of each set alone: taken (ids are there). */
	r = apply(f, s, op_gw(p0, 24, set0[0]));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	ck_assert_uint_eq(r.nh_type, NH_GATEWAY);
	ck_assert_uint_eq(r.gateway, set0[0]);
	r = apply(f, s, op_gw(pnew, 24, n1));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	ck_assert_uint_eq(lookup(f, pnew | 1, &id)->addr, n1);

	/* p0's group left the FIB: once the grace period is past (no reader
	 * registered: at once), the refused set takes its index. */
	fib_writer_poll(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, EX_GROUPS - 1);
	r = apply(f, s, op_group(pnew, 24, (const uint32_t[]){n2, n1}, 2));
	ck_assert_uint_eq(r.status, ROUTE_OK);
	assert_group(f, pnew | 1, (const uint32_t[]){n1, n2}, 2);
	r = apply(f, s, op_group(p0, 24, (const uint32_t[]){set0[0], n1}, 2));
	ck_assert_uint_eq(r.status, ROUTE_REFUSED_NEXTHOPS);
	ck_assert_uint_eq(r.nh_type, NH_GATEWAY); /* the first alone, kept */

	/* Everything deleted: every group, member and id is back. */
	for (unsigned int i = 0; i < EX_GROUPS; i++)
		ck_assert_uint_eq(
			apply(f, s, op_del(IP(192, 168, 100 + i, 0), 24)).status, ROUTE_OK);
	ck_assert_uint_eq(apply(f, s, op_del(pnew, 24)).status, ROUTE_OK);
	for (int i = 0; i < 4; i++)
		fib_writer_poll(f);
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 0);
	ck_assert_uint_eq(st.nexthops, 0);
	ck_assert_uint_eq(st.routes, 0);
	ck_assert_uint_eq(st.refused_nexthops, 3);
	/* And the groups are all usable again. */
	for (unsigned int i = 0; i < EX_GROUPS; i++) {
		const uint32_t set[2] = {IP(10, 0, 3, 2 * i + 1), IP(10, 0, 3, 2 * i + 2)};

		ck_assert_uint_eq(
			apply(f, s, op_group(IP(192, 168, 100 + i, 0), 24, set, 2)).status,
			ROUTE_OK);
	}
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

/* --- a reader all along while groups churn --- */

#define CR_SETS 12
#define CR_PREFIXES 16

static uint32_t cr_sets[CR_SETS][FIB_GROUP_MAX];
static unsigned int cr_n[CR_SETS];

struct cr_reader {
	struct fib *f;
	int stop, ready;
	uint64_t lookups, groups, wrong;
	char why[128];
};

/* A member is one of the gateways the test uses (10.0.0.2..10.0.0.13). */
static bool
cr_member_ok(const struct nexthop *m)
{
	return m->type == NH_GATEWAY && m->port == PORT_IDC && m->addr >= IP(10, 0, 0, 2) &&
	       m->addr <= IP(10, 0, 0, 13);
}

static void *
cr_reader_main(void *arg)
{
	struct cr_reader *r = arg;
	uint32_t addrs[32];
	uint64_t ids[32];

	if (fib_reader_register(r->f, READER_ID) != 0) {
		__atomic_store_n(&r->ready, -1, __ATOMIC_RELEASE);
		return NULL;
	}
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		for (unsigned int k = 0; k < 32; k++)
			addrs[k] = IP(192, 168, 100 + k % CR_PREFIXES, k);
		fib_lookup_bulk(r->f, addrs, ids, 32);
		for (unsigned int k = 0; k < 32; k++) {
			const struct nexthop *nh = fib_nexthop(r->f, (uint32_t)ids[k]), *want, *m;
			uint32_t mids[FIB_GROUP_MAX];

			r->lookups++;
			if (ids[k] == FIB_NH_NONE)
				continue; /* deleted for a while */
			if (nh->type == NH_GATEWAY && cr_member_ok(nh))
				continue;
			if (nh->type != NH_GROUP) {
				if (r->wrong++ == 0)
					snprintf(r->why, sizeof(r->why), "id %" PRIu64 ": type %u",
						ids[k], nh->type);
				continue;
			}
			r->groups++;
			m = fib_group_pick(r->f, nh, (uint32_t)(r->lookups * 0x9e3779b9u), &want);
			/* The members as a reader sees them, read unlocked. */
			{
				const struct fib_group *g =
					&((const struct fib_reader_view *)r->f)->groups[nh->addr];
				unsigned int n = g->n;

				memcpy(mids, g->member, sizeof(mids));
				if (n < 2 || n > FIB_GROUP_MAX || !cr_member_ok(m) ||
					!cr_member_ok(want)) {
					if (r->wrong++ == 0)
						snprintf(r->why, sizeof(r->why),
							"group %u: %u members, picked %08x",
							nh->addr, n, m->addr);
					continue;
				}
				for (unsigned int i = 0; i < n; i++)
					if (!cr_member_ok(fib_nexthop(r->f, mids[i])) &&
						r->wrong++ == 0)
						snprintf(r->why, sizeof(r->why),
							"group %u member %u: id %u type %u",
							nh->addr, i, mids[i],
							fib_nexthop(r->f, mids[i])->type);
			}
		}
		fib_reader_quiescent(r->f, READER_ID);
	}
	fib_reader_unregister(r->f, READER_ID);
	return NULL;
}

START_TEST(test_group_concurrent_reader)
{
	/* Few groups and ids: both are recycled all the time. */
	struct fib *f = mkfib("g3", 40, 16);
	struct route_sender *s = route_sender_create(fib_route_ring(f));
	struct cr_reader rd = {.f = f};
	uint64_t t0, rounds = 0, ops = 0;
	struct fib_stats st;
	pthread_t th;

	ck_assert_ptr_nonnull(s);
	for (unsigned int i = 0; i < CR_SETS; i++) {
		cr_n[i] = 2 + i % (FIB_GROUP_MAX - 1);
		for (unsigned int k = 0; k < cr_n[i]; k++)
			cr_sets[i][k] = IP(10, 0, 0, 2 + (i + 3 * k) % 12);
		cr_n[i] = route_group_sort(cr_sets[i], cr_n[i]);
	}
	ck_assert_int_eq(pthread_create(&th, NULL, cr_reader_main, &rd), 0);
	while (__atomic_load_n(&rd.ready, __ATOMIC_ACQUIRE) == 0)
		usleep(100);
	ck_assert_int_eq(rd.ready, 1);

	t0 = rte_get_timer_cycles();
	while (rte_get_timer_cycles() - t0 < 2 * rte_get_timer_hz()) {
		for (unsigned int p = 0; p < CR_PREFIXES; p++) {
			uint32_t prefix = IP(192, 168, 100 + p, 0), x = rnd32() % (CR_SETS + 2);
			struct route_op op;

			if (x == CR_SETS)
				op = op_gw(prefix, 24, IP(10, 0, 0, 2 + rnd32() % 12));
			else if (x == CR_SETS + 1)
				op = op_del(prefix, 24);
			else
				op = op_group(prefix, 24, cr_sets[x], cr_n[x]);
			op.flags = 0;
			ck_assert_int_eq(route_sender_send(s, &op), 0);
			ops++;
		}
		route_sender_flush(s);
		fib_writer_poll(f);
		rounds++;
	}
	ck_assert_int_eq(fib_writer_drain(f, 10000), 0);
	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	fib_get_stats(f, &st);
	printf("groups under a reader: %" PRIu64 " ops in %" PRIu64 " rounds (%" PRIu64
	       " refused for want of ids or groups); reader: %" PRIu64 " lookups, %" PRIu64
	       " through groups, %" PRIu64 " wrong\n",
		ops, rounds, st.refused_nexthops, rd.lookups, rd.groups, rd.wrong);
	ck_assert_msg(
		rd.wrong == 0, "reader saw %" PRIu64 " wrong answers, first: %s", rd.wrong, rd.why);
	ck_assert_uint_gt(rd.groups, 0);
	ck_assert_uint_eq(st.refused_table, 0);

	/* Everything deleted: every group, member and id comes back. */
	for (unsigned int p = 0; p < CR_PREFIXES; p++) {
		struct route_op op = op_del(IP(192, 168, 100 + p, 0), 24);

		op.flags = 0;
		route_sender_send(s, &op);
	}
	route_sender_flush(s);
	ck_assert_int_eq(fib_writer_drain(f, 1000), 0);
	for (int i = 0; i < 4; i++)
		fib_writer_poll(f); /* no reader registered: grace periods are immediate */
	fib_get_stats(f, &st);
	ck_assert_uint_eq(st.groups, 0);
	ck_assert_uint_eq(st.nexthops, 0);
	ck_assert_uint_eq(st.routes, 0);
	route_sender_destroy(s);
	fib_destroy(f);
}
END_TEST

static Suite *
group_suite(void)
{
	Suite *su = suite_create("fib_group");
	TCase *tc = tcase_create("groups");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_group_life);
	tcase_add_test(tc, test_group_grace);
	tcase_add_test(tc, test_group_exhausted);
	tcase_add_test(tc, test_group_concurrent_reader);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	char prefix[64];
	char *eal_args[] = {"test_fib_group", "--no-huge", "-m", "512", "--no-pci",
		"--no-telemetry", "-l", "0", "--file-prefix", prefix, "--log-level",
		"lib.eal:error", NULL};
	const char *env = getenv("VBR_TEST_SEED");
	uint64_t seed;
	SRunner *sr;
	int failed;

	snprintf(prefix, sizeof(prefix), "vbr-test-fibg-%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	seed = env != NULL ? strtoull(env, NULL, 0) : (uint64_t)rte_rdtsc();
	rng_state = seed != 0 ? seed : 1;
	printf("test_fib_group: seed %" PRIu64 " (VBR_TEST_SEED to replay)\n", seed);
	sr = srunner_create(group_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_eal_cleanup();
	return failed == 0 ? 0 : 1;
}
