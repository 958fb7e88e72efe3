/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB out of memory (issue 6, finding 10): every allocation an
 * announcement makes is failed in turn (the link wraps malloc, calloc and
 * realloc); each time the RIB says RIB_NO_MEMORY for what it could not
 * store, never an errno the caller could take for the FIB lagging, and
 * stays whole: what it holds, its counters and what it told the FIB agree,
 * and nothing leaks (ASan).
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define N_PFX 100

/* ------------------------------------------------------ failing allocator */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static bool armed;
static long fail_at, n_allocs;

static bool
fail_now(void)
{
	return armed && n_allocs++ == fail_at;
}

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

/* ---------------------------------------------------------- FIB recorder */

/* What the FIB was told per test prefix (index i: 20.0.i.0/24). */
static uint32_t fib_gw[N_PFX];

static int
record(const struct route_op *op, void *arg)
{
	unsigned i = (op->prefix >> 8) & 0xff;

	(void)arg;
	if (op->depth == 24 && (op->prefix >> 16) == (20u << 8) && i < N_PFX)
		fib_gw[i] = op->kind == ROUTE_OP_ADD ? op->gateway : 0;
	return 0;
}

static uint32_t rib_gw[N_PFX];

static int
walk_one(uint32_t prefix, uint8_t len, enum rib_source src, int best_peer,
	const struct rib_attrs *attrs, uint32_t next_hop, void *arg)
{
	unsigned i = (prefix >> 8) & 0xff;

	(void)src, (void)best_peer, (void)attrs, (void)arg;
	if (len == 24 && (prefix >> 16) == (20u << 8) && i < N_PFX)
		rib_gw[i] = next_hop;
	return 0;
}

/* An eBGP path [asn] via nh; with fail, its own allocation fails. */
static struct rib_attrs *
attrs_of(uint32_t nh, uint32_t asn, bool fail)
{
	struct bgp_path_attrs *a = calloc(1, sizeof(*a));
	struct rib_attrs *ra;

	ck_assert_ptr_nonnull(a);
	a->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH | 1u << BGP_ATTR_NEXT_HOP;
	a->next_hop = nh;
	a->as_path.n_segs = 1;
	a->as_path.segs[0] = (struct bgp_as_seg){BGP_AS_SEQUENCE, 1, 0};
	a->as_path.n_asns = 1;
	a->as_path.asns[0] = asn;
	armed = fail;
	fail_at = 0;
	n_allocs = 0;
	ra = rib_attrs_new(a, true);
	armed = false;
	free(a);
	return ra;
}

/*
 * Peer 1 holds 20.0.0..39.0/24; peer 0 then announces 20.0.0..99.0/24: the
 * first 40 need a second path (an array of paths), the others new entries
 * (the entry array and the index grow). Allocation k fails, for every k
 * until the announcements need no more.
 */
START_TEST(every_allocation_fails_in_turn)
{
	struct rib_peer_info p0 = {
		.address = IP(10, 0, 0, 2), .bgp_id = 2, .asn = 65001, .max_prefixes = 100000};
	struct rib_peer_info p1 = {
		.address = IP(10, 0, 0, 3), .bgp_id = 3, .asn = 65002, .max_prefixes = 100000};
	unsigned runs = 0, no_memory_runs = 0;

	for (long k = 0;; k++) {
		struct rib *r = rib_create(45104, record, NULL);
		struct rib_attrs *a0, *a1;
		struct rib_peer_stats st;
		unsigned accepted = 0, no_mem = 0;
		bool held[N_PFX] = {false};
		int rc, res[N_PFX];

		ck_assert_ptr_nonnull(r);
		memset(fib_gw, 0, sizeof(fib_gw));
		ck_assert_int_eq(rib_peer_set(r, 0, &p0), 0);
		ck_assert_int_eq(rib_peer_set(r, 1, &p1), 0);
		a0 = attrs_of(IP(10, 0, 0, 2), 65001, false);
		a1 = attrs_of(IP(10, 0, 0, 3), 65002, false);
		ck_assert_ptr_nonnull(a0);
		ck_assert_ptr_nonnull(a1);
		for (unsigned i = 0; i < 40; i++)
			ck_assert_int_eq(rib_bgp_announce(r, 1, IP(20, 0, i, 0), 24, a1, false),
				RIB_ACCEPTED);

		/* Nothing but the RIB while armed: Check allocates too. */
		armed = true;
		fail_at = k;
		n_allocs = 0;
		for (unsigned i = 0; i < N_PFX; i++)
			res[i] = rib_bgp_announce(r, 0, IP(20, 0, i, 0), 24, a0, false);
		armed = false;
		for (unsigned i = 0; i < N_PFX; i++) {
			rc = res[i];
			ck_assert_msg(rc == RIB_ACCEPTED || rc == RIB_NO_MEMORY,
				"allocation %ld failed: announce %u returned %d", k, i, rc);
			held[i] = rc == RIB_ACCEPTED;
			accepted += rc == RIB_ACCEPTED;
			no_mem += rc == RIB_NO_MEMORY;
		}
		runs++;
		if (n_allocs <= k) {
			/* Allocation k was never made: every one has failed once. */
			ck_assert_uint_eq(no_mem, 0);
			rib_attrs_put(a0);
			rib_attrs_put(a1);
			rib_destroy(r);
			break;
		}
		ck_assert_uint_eq(no_mem, 1);
		no_memory_runs++;

		/* The RIB is whole: counters, best routes, what the FIB holds. */
		rib_peer_stats(r, 0, &st);
		ck_assert_uint_eq(st.accepted, accepted);
		memset(rib_gw, 0, sizeof(rib_gw));
		ck_assert_int_eq(rib_walk(r, walk_one, NULL), 0);
		for (unsigned i = 0; i < N_PFX; i++) {
			/* Peer 0 (lower BGP Identifier) wins where it holds a path. */
			uint32_t want = held[i] ? IP(10, 0, 0, 2) : i < 40 ? IP(10, 0, 0, 3) : 0;

			ck_assert_msg(rib_gw[i] == want, "k %ld: prefix %u best %08x, want %08x", k,
				i, rib_gw[i], want);
			ck_assert_msg(fib_gw[i] == want, "k %ld: prefix %u FIB %08x, want %08x", k,
				i, fib_gw[i], want);
		}
		ck_assert_uint_eq(rib_fib_pending(r), 0);
		/* What failed can be announced again once there is memory. */
		for (unsigned i = 0; i < N_PFX; i++)
			ck_assert_int_eq(rib_bgp_announce(r, 0, IP(20, 0, i, 0), 24, a0, false),
				RIB_ACCEPTED);
		rib_peer_stats(r, 0, &st);
		ck_assert_uint_eq(st.accepted, N_PFX);
		rib_peer_down(r, 0);
		rib_peer_down(r, 1);
		ck_assert_uint_eq(rib_size(r), 0);
		rib_attrs_put(a0);
		rib_attrs_put(a1);
		rib_destroy(r);
	}
	printf("rib_nomem: %u runs, %u with an allocation failed, every one RIB_NO_MEMORY\n", runs,
		no_memory_runs);
	ck_assert_uint_gt(no_memory_runs, 5);
}
END_TEST

START_TEST(attrs_out_of_memory)
{
	struct rib_attrs_stats st;

	errno = 0;
	ck_assert_ptr_null(attrs_of(IP(10, 0, 0, 2), 65001, true));
	ck_assert_int_eq(errno, ENOMEM);
	rib_attrs_stats(&st);
	ck_assert_uint_eq(st.sets, 0);
	ck_assert_uint_eq(st.refs, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rib_nomem");
	TCase *tc = tcase_create("nomem");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_allocation_fails_in_turn);
	tcase_add_test(tc, attrs_out_of_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
