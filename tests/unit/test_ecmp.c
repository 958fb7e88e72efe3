/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP's arithmetic (lpm/fib_group.h, route_op.h), without EAL: the bucket
 * table of a next-hop group is a function of its member set alone; taking a
 * member out moves exactly that member's buckets, adding one takes buckets
 * only from the others; a flow keeps its member across calls and across
 * groups built apart; flows spread over members within a sane bound; and
 * the flow hash and the group digest behave as the FIB and RIB need.
 * Fixed seeds: the tables are deterministic, so are these checks.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fib_group.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rnd32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Member address of each bucket of the set gw[0..n). */
static void
table_addrs(const uint32_t *gw, unsigned int n, uint32_t out[FIB_GROUP_BUCKETS])
{
	uint8_t b[FIB_GROUP_BUCKETS];

	fib_group_buckets(gw, n, b);
	for (unsigned int i = 0; i < FIB_GROUP_BUCKETS; i++) {
		ck_assert_uint_lt(b[i], n);
		out[i] = gw[b[i]];
	}
}

/* n distinct random addresses of a /24 (as IDC routers would be). */
static void
random_set(uint32_t *gw, unsigned int n)
{
	uint32_t base = IP(10, rnd32() & 0xff, rnd32() & 0xff, 0);

	for (unsigned int i = 0; i < n; i++) {
		bool dup;

		do {
			gw[i] = base | (1 + rnd32() % 254);
			dup = false;
			for (unsigned int j = 0; j < i; j++)
				dup |= gw[j] == gw[i];
		} while (dup);
	}
}

START_TEST(test_remove_moves_only_its_buckets)
{
	uint32_t gw[FIB_GROUP_MAX], rest[FIB_GROUP_MAX], full[FIB_GROUP_BUCKETS],
		less[FIB_GROUP_BUCKETS];

	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int n = 2 + round % (FIB_GROUP_MAX - 1), gone = rnd32() % n, k = 0,
			     moved = 0, owned = 0;

		random_set(gw, n);
		for (unsigned int i = 0; i < n; i++)
			if (i != gone)
				rest[k++] = gw[i];
		table_addrs(gw, n, full);
		table_addrs(rest, n - 1, less);
		for (unsigned int b = 0; b < FIB_GROUP_BUCKETS; b++) {
			if (full[b] == gw[gone]) {
				owned++;
				ck_assert_uint_ne(less[b], gw[gone]);
			} else {
				ck_assert_msg(less[b] == full[b],
					"bucket %u moved from %08x to %08x though %08x left", b,
					full[b], less[b], gw[gone]);
			}
			moved += less[b] != full[b];
		}
		/* Exactly the removed member's buckets, all of them. */
		ck_assert_uint_eq(moved, owned);
	}
}
END_TEST

START_TEST(test_add_takes_only_for_itself)
{
	uint32_t gw[FIB_GROUP_MAX], before[FIB_GROUP_BUCKETS], after[FIB_GROUP_BUCKETS];

	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int n = 1 + round % (FIB_GROUP_MAX - 1), won = 0;

		random_set(gw, n + 1);
		table_addrs(gw, n, before);
		table_addrs(gw, n + 1, after);
		for (unsigned int b = 0; b < FIB_GROUP_BUCKETS; b++) {
			if (after[b] == gw[n])
				won++;
			else
				ck_assert_uint_eq(after[b], before[b]);
		}
		ck_assert_uint_gt(won, 0);
	}
}
END_TEST

/* The table of a set does not depend on the order its members come in,
 * nor on which call (or lcore, or process) computes it. */
START_TEST(test_same_set_same_table)
{
	uint32_t a[FIB_GROUP_MAX], b[FIB_GROUP_MAX], ta[FIB_GROUP_BUCKETS], tb[FIB_GROUP_BUCKETS],
		tc[FIB_GROUP_BUCKETS];

	for (unsigned int round = 0; round < 500; round++) {
		unsigned int n = 2 + round % (FIB_GROUP_MAX - 1);

		random_set(a, n);
		memcpy(b, a, sizeof(a));
		for (unsigned int i = n - 1; i > 0; i--) {
			unsigned int j = rnd32() % (i + 1);
			uint32_t t = b[i];

			b[i] = b[j];
			b[j] = t;
		}
		table_addrs(a, n, ta);
		table_addrs(b, n, tb);
		table_addrs(a, n, tc);
		ck_assert_mem_eq(ta, tb, sizeof(ta));
		ck_assert_mem_eq(ta, tc, sizeof(ta));
		/* Sorted for the FIB, the same too. */
		ck_assert_uint_eq(route_group_sort(b, n), n);
		table_addrs(b, n, tb);
		ck_assert_mem_eq(ta, tb, sizeof(ta));
	}
	/* And a value pinned: a change of the hash would move every flow of
	 * every deployed VBR at upgrade; it must be on purpose. */
	{
		const uint32_t two[2] = {IP(10, 0, 0, 2), IP(10, 0, 0, 3)};
		uint8_t t[FIB_GROUP_BUCKETS];
		unsigned int first = 0;

		fib_group_buckets(two, 2, t);
		for (unsigned int i = 0; i < FIB_GROUP_BUCKETS; i++)
			first += t[i];
		printf("ecmp: {10.0.0.2, 10.0.0.3}: %u of %u buckets to 10.0.0.3; flow hash of "
		       "172.20.0.10:20000 -> 192.168.100.1:5001/udp: %08x\n",
			first, FIB_GROUP_BUCKETS,
			fib_flow_hash(
				IP(172, 20, 0, 10), IP(192, 168, 100, 1), 17, 20000u << 16 | 5001));
	}
}
END_TEST

/* Flows over the members of sets of 2..8: each member carries between half
 * and one and a half times its fair share (256 buckets: the spread of a
 * binomial, plus the flows'), and a flow's member is the same on every
 * call. */
START_TEST(test_balance)
{
	uint32_t gw[FIB_GROUP_MAX];
	uint8_t t[FIB_GROUP_BUCKETS];
	const unsigned int flows = 200000;

	for (unsigned int n = 2; n <= FIB_GROUP_MAX; n++) {
		unsigned int count[FIB_GROUP_MAX] = {0}, lo = flows, hi = 0;

		for (unsigned int i = 0; i < n; i++)
			gw[i] = IP(10, 0, 0, 2 + i);
		fib_group_buckets(gw, n, t);
		for (unsigned int k = 0; k < flows; k++) {
			uint32_t src = IP(172, 20, rnd32() & 0xff, rnd32() & 0xff);
			uint32_t dst = IP(192, 168, rnd32() & 0xff, rnd32() & 0xff);
			uint32_t ports = rnd32();
			uint32_t h = fib_flow_hash(src, dst, 6, ports);

			ck_assert_uint_eq(h, fib_flow_hash(src, dst, 6, ports));
			count[t[h & (FIB_GROUP_BUCKETS - 1)]]++;
		}
		for (unsigned int i = 0; i < n; i++) {
			lo = count[i] < lo ? count[i] : lo;
			hi = count[i] > hi ? count[i] : hi;
		}
		printf("ecmp: %u members 10.0.0.2..: flows per member %u..%u of %u (fair %u)\n", n,
			lo, hi, flows, flows / n);
		ck_assert_uint_ge(lo, flows / n / 2);
		ck_assert_uint_le(hi, flows / n * 3 / 2);
	}
}
END_TEST

/* What the e2e test sends: 16 UDP flows, consecutive source ports, one
 * destination. They must not all land on one of two members. */
START_TEST(test_consecutive_ports_spread)
{
	const uint32_t gw[2] = {IP(10, 0, 0, 2), IP(10, 0, 0, 3)};
	uint8_t t[FIB_GROUP_BUCKETS];
	unsigned int on[2] = {0};

	fib_group_buckets(gw, 2, t);
	for (unsigned int p = 20000; p < 20016; p++)
		on[t[fib_flow_hash(IP(172, 20, 0, 10), IP(192, 168, 100, 1), 17, p << 16 | 5001) &
			(FIB_GROUP_BUCKETS - 1)]]++;
	printf("ecmp: 16 flows 20000..20015 -> 5001: %u on 10.0.0.2, %u on 10.0.0.3\n", on[0],
		on[1]);
	ck_assert_uint_ge(on[0], 3);
	ck_assert_uint_ge(on[1], 3);
}
END_TEST

/* Every input takes part in the hash: one bit flipped anywhere changes
 * about half of the output bits, on average. */
START_TEST(test_flow_hash_mixes)
{
	uint64_t flipped = 0, tries = 0;

	for (unsigned int k = 0; k < 2000; k++) {
		uint32_t s = rnd32(), d = rnd32(), p = rnd32();
		uint8_t pr = (uint8_t)rnd32();
		uint32_t h = fib_flow_hash(s, d, pr, p);

		for (unsigned int bit = 0; bit < 32; bit++) {
			flipped += (unsigned int)__builtin_popcount(
				h ^ fib_flow_hash(s ^ 1u << bit, d, pr, p));
			flipped += (unsigned int)__builtin_popcount(
				h ^ fib_flow_hash(s, d ^ 1u << bit, pr, p));
			flipped += (unsigned int)__builtin_popcount(
				h ^ fib_flow_hash(s, d, pr, p ^ 1u << bit));
			tries += 3;
		}
		for (unsigned int bit = 0; bit < 8; bit++) {
			flipped += (unsigned int)__builtin_popcount(
				h ^ fib_flow_hash(s, d, (uint8_t)(pr ^ 1u << bit), p));
			tries++;
		}
	}
	ck_assert_msg(flipped > tries * 15 && flipped < tries * 17,
		"%.2f output bits change per input bit", (double)flipped / (double)tries);
}
END_TEST

/* The set a group is keyed by, and its digest: order and repeats do not
 * matter, members and port do. */
START_TEST(test_sort_digest)
{
	uint32_t a[4] = {IP(10, 0, 0, 9), IP(10, 0, 0, 2), IP(10, 0, 0, 9), IP(10, 0, 0, 5)};
	uint32_t b[3] = {IP(10, 0, 0, 5), IP(10, 0, 0, 9), IP(10, 0, 0, 2)};
	uint32_t c[3] = {IP(10, 0, 0, 2), IP(10, 0, 0, 5), IP(10, 0, 0, 8)};

	ck_assert_uint_eq(route_group_sort(a, 4), 3);
	ck_assert_uint_eq(a[0], IP(10, 0, 0, 2));
	ck_assert_uint_eq(a[1], IP(10, 0, 0, 5));
	ck_assert_uint_eq(a[2], IP(10, 0, 0, 9));
	ck_assert_uint_eq(route_group_sort(b, 3), 3);
	ck_assert_uint_eq(route_group_digest(0, a, 3), route_group_digest(0, b, 3));
	ck_assert_uint_ne(route_group_digest(0, a, 3), route_group_digest(1, a, 3));
	ck_assert_uint_ne(route_group_digest(0, a, 3), route_group_digest(0, c, 3));
	ck_assert_uint_ne(route_group_digest(0, a, 3), route_group_digest(0, a, 2));
	ck_assert_uint_ne(route_group_digest(0, a, 3), 0);
}
END_TEST

static Suite *
ecmp_suite(void)
{
	Suite *s = suite_create("ecmp");
	TCase *tc = tcase_create("ecmp");

	tcase_add_test(tc, test_remove_moves_only_its_buckets);
	tcase_add_test(tc, test_add_takes_only_for_itself);
	tcase_add_test(tc, test_same_set_same_table);
	tcase_add_test(tc, test_balance);
	tcase_add_test(tc, test_consecutive_ports_spread);
	tcase_add_test(tc, test_flow_hash_mixes);
	tcase_add_test(tc, test_sort_digest);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ecmp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
