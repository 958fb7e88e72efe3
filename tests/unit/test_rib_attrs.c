/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the interned path attributes (control/rib_attrs.c): equal
 * sets are one copy, whatever UPDATE or peer they come from; different
 * ones are not; the table grows and shrinks; and what a peer sending one
 * prefix per UPDATE with a long path costs, measured on the heap.
 */
#include <check.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
/* From the ASan runtime (sanitizer/allocator_interface.h, not always
 * installed with gcc). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "rib.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct bgp_path_attrs *pa;

/* Bytes in use on the heap (ASan's allocator has its own count). */
static size_t
heap_used(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

static int
no_emit(const struct route_op *op, void *arg)
{
	(void)op;
	(void)arg;
	return 0;
}

/* eBGP attributes: next hop, MED, a path of n ASNs starting with 65001
 * (AS_SEQUENCE segments of up to 255). */
static void
set_attrs(uint32_t nh, int64_t med, unsigned n)
{
	memset(pa, 0, sizeof(*pa));
	pa->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH | 1u << BGP_ATTR_NEXT_HOP;
	pa->next_hop = nh;
	if (med >= 0) {
		pa->present |= 1u << BGP_ATTR_MED;
		pa->med = (uint32_t)med;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i % 255 == 0)
			pa->as_path.segs[pa->as_path.n_segs++] =
				(struct bgp_as_seg){BGP_AS_SEQUENCE, 0, (uint16_t)i};
		pa->as_path.segs[pa->as_path.n_segs - 1].count++;
		pa->as_path.asns[i] = i == 0 ? 65001 : 4200000000u + i;
	}
	pa->as_path.n_asns = (uint16_t)n;
}

static void
setup(void)
{
	pa = calloc(1, sizeof(*pa));
	ck_assert_ptr_nonnull(pa);
}

static void
teardown(void)
{
	free(pa);
}

START_TEST(equal_sets_shared)
{
	struct rib_attrs *a, *b, *c, *d;
	struct rib_attrs_stats st;

	set_attrs(IP(10, 0, 0, 2), 5, 3);
	a = rib_attrs_new(pa, true);
	b = rib_attrs_new(pa, true);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(a->refcnt, 2);
	/* LOCAL_PREF from an eBGP peer is ignored: still the same set. */
	pa->present |= 1u << BGP_ATTR_LOCAL_PREF;
	pa->local_pref = 500;
	c = rib_attrs_new(pa, true);
	ck_assert_ptr_eq(a, c);
	/* From an iBGP peer it counts. */
	d = rib_attrs_new(pa, false);
	ck_assert_ptr_ne(a, d);
	ck_assert_uint_eq(d->local_pref, 500);
	rib_attrs_stats(&st);
	ck_assert_uint_eq(st.sets, 2);
	ck_assert_uint_eq(st.refs, 4);
	rib_attrs_put(a);
	rib_attrs_put(b);
	rib_attrs_put(c);
	rib_attrs_put(d);
	rib_attrs_stats(&st);
	ck_assert_uint_eq(st.sets, 0);
	ck_assert_uint_eq(st.refs, 0);
}
END_TEST

START_TEST(different_sets_apart)
{
	struct rib_attrs *base, *x;

	set_attrs(IP(10, 0, 0, 2), 5, 3);
	base = rib_attrs_new(pa, true);
	/* Each difference makes another set. */
	set_attrs(IP(10, 0, 0, 3), 5, 3);
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	rib_attrs_put(x);
	set_attrs(IP(10, 0, 0, 2), 6, 3);
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	rib_attrs_put(x);
	set_attrs(IP(10, 0, 0, 2), -1, 3); /* no MED is not MED 0 */
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	rib_attrs_put(x);
	set_attrs(IP(10, 0, 0, 2), 5, 4);
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	ck_assert_str_ne(base->as_path, x->as_path);
	rib_attrs_put(x);
	set_attrs(IP(10, 0, 0, 2), 5, 3);
	pa->origin = BGP_ORIGIN_INCOMPLETE;
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	rib_attrs_put(x);
	/* Communities: their order is kept, so it counts. */
	set_attrs(IP(10, 0, 0, 2), 5, 3);
	pa->n_communities = 2;
	pa->communities[0] = 1;
	pa->communities[1] = 2;
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	ck_assert_uint_eq(x->n_communities, 2);
	ck_assert_uint_eq(x->communities[1], 2);
	pa->communities[0] = 2;
	pa->communities[1] = 1;
	{
		struct rib_attrs *y = rib_attrs_new(pa, true);

		ck_assert_ptr_ne(x, y);
		rib_attrs_put(y);
	}
	rib_attrs_put(x);
	/* A set in braces is not the same sequence. */
	set_attrs(IP(10, 0, 0, 2), 5, 3);
	pa->as_path.segs[0].type = BGP_AS_SET;
	x = rib_attrs_new(pa, true);
	ck_assert_ptr_ne(base, x);
	ck_assert_uint_eq(x->as_path_len, 1);
	rib_attrs_put(x);
	rib_attrs_put(base);
}
END_TEST

/* 20,000 sets: the table grows, every set is found again, then it shrinks
 * back as they go. */
START_TEST(table_grows_and_shrinks)
{
	enum { N = 20000 };
	static struct rib_attrs *sets[N];
	struct rib_attrs_stats st, empty;

	rib_attrs_stats(&empty);
	for (unsigned i = 0; i < N; i++) {
		set_attrs(IP(10, 0, 0, 2), i, 2);
		sets[i] = rib_attrs_new(pa, true);
		ck_assert_ptr_nonnull(sets[i]);
	}
	rib_attrs_stats(&st);
	ck_assert_uint_eq(st.sets, N);
	for (unsigned i = 0; i < N; i++) {
		set_attrs(IP(10, 0, 0, 2), i, 2);
		struct rib_attrs *again = rib_attrs_new(pa, true);

		ck_assert_ptr_eq(again, sets[i]);
		rib_attrs_put(again);
	}
	for (unsigned i = 0; i < N; i++)
		rib_attrs_put(sets[i]);
	rib_attrs_stats(&st);
	ck_assert_uint_eq(st.sets, 0);
	ck_assert_uint_eq(st.refs, 0);
	/* Only the smallest bucket array is left. */
	ck_assert_uint_le(st.bytes, 64 * sizeof(void *));
}
END_TEST

/*
 * Finding 9 of issue 6: a peer sends 1,000 UPDATEs of one prefix each, all
 * with the same AS_PATH of 2,048 ASNs (what one message can carry). The
 * attributes are one copy, not 1,000.
 */
START_TEST(one_prefix_per_update)
{
	struct rib_peer_info info = {
		.address = IP(10, 0, 0, 2), .bgp_id = 1, .asn = 65001, .max_prefixes = 100000};
	struct rib_attrs_stats st;
	struct rib *r;
	size_t before, after;

	set_attrs(IP(10, 0, 0, 2), -1, 2048);
	before = heap_used();
	r = rib_create(45104, no_emit, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rib_peer_set(r, 0, &info), 0);
	for (unsigned i = 0; i < 1000; i++) {
		/* As bgp.c does per UPDATE: new, announce its prefixes, put. */
		struct rib_attrs *a = rib_attrs_new(pa, true);

		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(rib_bgp_announce(r, 0, IP(20, i >> 8, i & 255, 0), 24, a, false),
			RIB_ACCEPTED);
		rib_attrs_put(a);
	}
	after = heap_used();
	rib_attrs_stats(&st);
	printf("rib_attrs: 1,000 UPDATEs with one 2,048-ASN path: heap +%zu B (RIB %zu B, "
	       "attributes %llu B in %llu set(s), %llu references)\n",
		after - before, rib_memory(r), (unsigned long long)st.bytes,
		(unsigned long long)st.sets, (unsigned long long)st.refs);
	ck_assert_uint_eq(st.sets, 1);
	ck_assert_uint_eq(st.refs, 1000);
	/* One path's text is about 22 KB: one copy, not 1,000 (22 MB). */
	ck_assert_uint_lt(after - before, 256 * 1024);
	rib_destroy(r);
	rib_attrs_stats(&st);
	ck_assert_uint_eq(st.sets, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rib_attrs");
	TCase *tc = tcase_create("intern");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, equal_sets_shared);
	tcase_add_test(tc, different_sets_apart);
	tcase_add_test(tc, table_grows_and_shrinks);
	tcase_add_test(tc, one_prefix_per_update);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
