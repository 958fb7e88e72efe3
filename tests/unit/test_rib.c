/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB (control/rib.c): preference between sources, each step of the
 * RFC 4271 decision process, MED's non-transitivity, max_prefixes, loops,
 * peer down, emit failures, a randomized differential test against a
 * brute-force best-path computation, and a 1M-prefix table.
 *
 * Every test routes the RIB's ops into a recorder that applies them to its
 * own FIB map and fails on a redundant op (an ADD equal to what the prefix
 * has, a DEL of nothing), and checks that map against rib_walk().
 *
 * VBR_TEST_SEED=<n> replays the randomized test (the seed is printed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* tdestroy */
#endif
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rib.h"
#include "rib_collide.h"
#include "siphash.h"

#define LOCAL_ASN 45104

/* Check's ck_assert* record every passing assertion (a write to a pipe in
 * fork mode, microseconds each): hot loops test plainly instead. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #cond);              \
	} while (0)
#define CHECK_MSG(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* ------------------------------------------------------------- recorder */

struct rec_route {
	uint32_t prefix;
	uint8_t len;
	uint8_t type;
	uint8_t port;
	uint32_t gw;	/* NH_GROUP: the members' route_group_digest(), as the FIB answers */
	bool adjacency; /* put there behind the RIB's back, as the FIB does for neighbours */
	uint8_t n_members; /* NH_GROUP: members[], sorted */
	uint32_t members[ROUTE_OP_MAX_GW];
};

/* The recorder's next hops, counted by the routes using them. */
#define REC_NH_MAX 256

struct rec_nh {
	uint8_t type, port;
	uint32_t gw;
	uint32_t refs;
};

struct rec {
	void *root; /* tsearch tree of struct rec_route */
	size_t count;
	bool count_only; /* scale test: no map */
	uint64_t n_add, n_del, n_ops;
	uint64_t redundant;
	unsigned fail_next; /* make the next n emits fail with -ENOMEM */
	uint8_t bgp_port;   /* the port BGP routes must carry */
	/* Playing the FIB writer (rib_fib_track): every op is answered, the
	 * answers queued until the test hands them over (deliver()). */
	bool answer;
	uint32_t cap_routes; /* routes at most (0: no limit): ROUTE_REFUSED_TABLE */
	uint32_t cap_nh;     /* distinct next hops at most (0: no limit): _NEXTHOPS */
	uint32_t cap_groups; /* distinct groups at most (0: no limit): _NEXTHOPS */
	struct rec_nh nh[REC_NH_MAX];
	struct route_result *ans;
	size_t n_ans, cap_ans;
	uint64_t refused;
	uint64_t n_group_ops; /* adds of groups */
};

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec_route *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static const struct rec_route *
rec_find(const struct rec *rc, uint32_t prefix, uint8_t len)
{
	struct rec_route key = {.prefix = prefix, .len = len};
	void *n = tfind(&key, &rc->root, rec_cmp);

	return n ? *(struct rec_route **)n : NULL;
}

static struct rec_nh *
rec_nh_find(struct rec *rc, uint8_t type, uint8_t port, uint32_t gw, bool create)
{
	struct rec_nh *free_slot = NULL;

	for (unsigned i = 0; i < REC_NH_MAX; i++) {
		struct rec_nh *h = &rc->nh[i];

		if (h->refs == 0) {
			if (free_slot == NULL)
				free_slot = h;
			continue;
		}
		if (h->type == type && h->port == port && h->gw == gw)
			return h;
	}
	CHECK(!create || free_slot != NULL);
	if (create)
		*free_slot = (struct rec_nh){type, port, gw, 0};
	return create ? free_slot : NULL;
}

static unsigned
rec_nh_count(const struct rec *rc)
{
	unsigned n = 0;

	for (unsigned i = 0; i < REC_NH_MAX; i++)
		n += rc->nh[i].refs != 0;
	return n;
}

static unsigned
rec_group_count(const struct rec *rc)
{
	unsigned n = 0;

	for (unsigned i = 0; i < REC_NH_MAX; i++)
		n += rc->nh[i].refs != 0 && rc->nh[i].type == NH_GROUP;
	return n;
}

static void
rec_answer(struct rec *rc, const struct route_op *op, uint8_t status, const struct rec_route *now)
{
	struct route_result *r;

	if (rc->n_ans == rc->cap_ans) {
		rc->cap_ans = rc->cap_ans ? rc->cap_ans * 2 : 64;
		rc->ans = realloc(rc->ans, rc->cap_ans * sizeof(*rc->ans));
		CHECK(rc->ans != NULL);
	}
	r = &rc->ans[rc->n_ans++];
	*r = (struct route_result){.prefix = op->prefix,
		.depth = op->depth,
		.kind = op->kind,
		.status = status,
		.nh_type = NH_NONE};
	if (now != NULL) {
		r->nh_type = now->type;
		r->port = now->port;
		r->gateway = now->gw;
		r->n_members = now->n_members;
	}
}

/* The gateway an op's next hop is keyed by: a group's digest. Checks the
 * group as the FIB would take it. */
static uint32_t
op_gw(const struct route_op *op, uint32_t *members, uint8_t *n)
{
	uint32_t m[ROUTE_OP_MAX_GW];

	*n = 0;
	if (op->nh_type != NH_GROUP)
		return op->gateway;
	CHECK(op->n_gateways >= 2 && op->n_gateways <= ROUTE_OP_MAX_GW);
	memcpy(m, op->gateways, op->n_gateways * sizeof(m[0]));
	/* The RIB sends distinct members. */
	CHECK(route_group_sort(m, op->n_gateways) == op->n_gateways);
	if (members != NULL)
		memcpy(members, m, sizeof(m));
	*n = op->n_gateways;
	return route_group_digest(op->port, m, op->n_gateways);
}

/* What a FIB with limits would refuse of op, given what it holds (cur). */
static uint8_t
rec_refusal(struct rec *rc, const struct route_op *op, const struct rec_route *cur)
{
	uint8_t n;

	if (op->kind != ROUTE_OP_ADD)
		return ROUTE_OK;
	if (rc->cap_nh != 0 &&
		rec_nh_find(rc, op->nh_type, op->port, op_gw(op, NULL, &n), false) == NULL &&
		rec_nh_count(rc) >= rc->cap_nh)
		return ROUTE_REFUSED_NEXTHOPS;
	/* As the FIB: the new group is made before the old one is let go. */
	if (rc->cap_groups != 0 && op->nh_type == NH_GROUP &&
		rec_nh_find(rc, NH_GROUP, op->port, op_gw(op, NULL, &n), false) == NULL &&
		rec_group_count(rc) >= rc->cap_groups)
		return ROUTE_REFUSED_NEXTHOPS;
	if (rc->cap_routes != 0 && cur == NULL && rc->count >= rc->cap_routes)
		return ROUTE_REFUSED_TABLE;
	return ROUTE_OK;
}

static int
rec_emit(const struct route_op *op, void *arg)
{
	struct rec *rc = arg;
	struct rec_route key = {.prefix = op->prefix, .len = op->depth};
	uint32_t members[ROUTE_OP_MAX_GW] = {0}, gw;
	struct rec_route *cur;
	uint8_t status, n_members;
	void *n;

	if (rc->fail_next > 0) {
		rc->fail_next--;
		return -ENOMEM;
	}
	if (rc->answer) {
		CHECK(op->flags & ROUTE_OP_F_RESULT);
		n = tfind(&key, &rc->root, rec_cmp);
		cur = n ? *(struct rec_route **)n : NULL;
		status = rec_refusal(rc, op, cur);
		if (status != ROUTE_OK) {
			rc->n_ops++;
			rc->refused++;
			rec_answer(rc, op, status, cur);
			return 0;
		}
	}
	rc->n_ops++;
	CHECK(op->kind == ROUTE_OP_ADD || op->kind == ROUTE_OP_DEL);
	CHECK(op->depth <= 32);
	CHECK((op->prefix & ~(op->depth ? ~0u << (32 - op->depth) : 0)) == 0);
	if (op->kind == ROUTE_OP_ADD)
		rc->n_add++;
	else
		rc->n_del++;
	if (rc->count_only)
		return 0;
	n = tfind(&key, &rc->root, rec_cmp);
	cur = n ? *(struct rec_route **)n : NULL;
	if (op->kind == ROUTE_OP_DEL) {
		if (cur == NULL) {
			rc->redundant++;
			if (rc->answer)
				rec_answer(rc, op, ROUTE_OK, NULL);
			return 0;
		}
		tdelete(&key, &rc->root, rec_cmp);
		if (!cur->adjacency)
			rec_nh_find(rc, cur->type, cur->port, cur->gw, false)->refs--;
		free(cur);
		rc->count--;
		if (rc->answer)
			rec_answer(rc, op, ROUTE_OK, NULL);
		return 0;
	}
	CHECK(op->nh_type >= NH_GATEWAY && op->nh_type <= NH_GROUP);
	gw = op_gw(op, members, &n_members);
	if (cur != NULL) {
		if (cur->type == op->nh_type && cur->port == op->port && cur->gw == gw)
			rc->redundant++;
		if (!cur->adjacency)
			rec_nh_find(rc, cur->type, cur->port, cur->gw, false)->refs--;
		cur->adjacency = false;
	} else {
		cur = calloc(1, sizeof(*cur));
		CHECK(cur != NULL);
		*cur = key;
		CHECK(tsearch(cur, &rc->root, rec_cmp) != NULL);
		rc->count++;
	}
	cur->type = op->nh_type;
	cur->port = op->port;
	cur->gw = gw;
	cur->n_members = n_members;
	memcpy(cur->members, members, sizeof(members));
	rc->n_group_ops += op->nh_type == NH_GROUP;
	rec_nh_find(rc, cur->type, cur->port, cur->gw, true)->refs++;
	if (rc->answer)
		rec_answer(rc, op, ROUTE_OK, cur);
	return 0;
}

static void
rec_free(struct rec *rc)
{
	tdestroy(rc->root, free);
	rc->root = NULL;
	rc->count = 0;
	free(rc->ans);
	rc->ans = NULL;
	rc->n_ans = rc->cap_ans = 0;
}

struct walk_check {
	const struct rec *rc;
	size_t n;
};

static int
walk_check_cb(uint32_t prefix, uint8_t len, enum rib_source src, int best_peer,
	const struct rib_attrs *attrs, uint32_t next_hop, void *arg)
{
	struct walk_check *w = arg;
	const struct rec_route *fr = rec_find(w->rc, prefix, len);

	w->n++;
	CHECK_MSG(fr != NULL, "best route %08x/%u not in the FIB", prefix, len);
	if (fr->type == NH_GROUP) {
		/* ECMP: the best path's next hop is one of the group's. */
		unsigned i = 0;

		while (i < fr->n_members && fr->members[i] != next_hop)
			i++;
		CHECK(i < fr->n_members);
	} else {
		CHECK(fr->gw == next_hop);
	}
	if (src == RIB_SRC_BGP) {
		CHECK(best_peer >= 0);
		CHECK(attrs != NULL);
		CHECK(attrs->next_hop == next_hop);
		CHECK(fr->type == NH_GATEWAY || fr->type == NH_GROUP);
		CHECK(fr->port == w->rc->bgp_port);
	} else {
		CHECK(src == RIB_SRC_CONNECTED || src == RIB_SRC_STATIC);
		CHECK(best_peer == -1);
		CHECK(attrs == NULL);
	}
	return 0;
}

/* The recorder's FIB is exactly what the RIB says is best. */
static void
check_fib(const struct rib *r, const struct rec *rc)
{
	struct walk_check w = {.rc = rc};

	ck_assert_int_eq(rib_walk(r, walk_check_cb, &w), 0);
	ck_assert_uint_eq(w.n, rc->count);
	ck_assert_uint_eq(rib_size(r), rc->count);
	ck_assert_uint_eq(rc->redundant, 0);
	ck_assert_uint_eq(rib_fib_pending(r), 0);
}

/* ------------------------------------------------------------- fixtures */

static struct bgp_path_attrs *pa_buf;

/* Attributes as the codec would hand them over: AS_SEQUENCE first_as then
 * path_len - 1 filler ASNs; med < 0: no MED; lp < 0: no LOCAL_PREF. */
struct pa {
	uint32_t nh;
	uint8_t origin;
	int64_t med;
	int64_t lp;
	unsigned path_len;
	uint32_t first_as;
	bool ibgp;
};

static struct rib_attrs *
mk(const struct pa *p)
{
	struct bgp_path_attrs *a = pa_buf;
	struct rib_attrs *ra;

	if (a == NULL) {
		a = pa_buf = malloc(sizeof(*pa_buf));
		ck_assert_ptr_nonnull(a);
	}
	memset(a, 0, sizeof(*a));
	a->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH | 1u << BGP_ATTR_NEXT_HOP;
	a->origin = p->origin;
	a->next_hop = p->nh;
	if (p->med >= 0) {
		a->present |= 1u << BGP_ATTR_MED;
		a->med = (uint32_t)p->med;
	}
	if (p->lp >= 0) {
		a->present |= 1u << BGP_ATTR_LOCAL_PREF;
		a->local_pref = (uint32_t)p->lp;
	}
	if (p->path_len > 0) {
		a->as_path.n_segs = 1;
		a->as_path.segs[0] = (struct bgp_as_seg){BGP_AS_SEQUENCE, (uint8_t)p->path_len, 0};
		a->as_path.n_asns = (uint16_t)p->path_len;
		a->as_path.asns[0] = p->first_as;
		for (unsigned i = 1; i < p->path_len; i++)
			a->as_path.asns[i] = 64600 + i;
	}
	ra = rib_attrs_new(a, !p->ibgp);
	ck_assert_ptr_nonnull(ra);
	return ra;
}

/* Simple eBGP attributes: next hop, path [first_as], IGP, no MED. */
static struct rib_attrs *
mk_nh(uint32_t nh, uint32_t first_as)
{
	struct pa p = {.nh = nh, .med = -1, .lp = -1, .path_len = 1, .first_as = first_as};

	return mk(&p);
}

static void
peer(struct rib *r, unsigned idx, uint32_t addr, uint32_t id, uint32_t max)
{
	struct rib_peer_info in = {
		.address = addr, .bgp_id = id, .asn = 65000 + idx, .max_prefixes = max};

	ck_assert_int_eq(rib_peer_set(r, idx, &in), 0);
}

static int
announce(struct rib *r, unsigned p, uint32_t prefix, uint8_t len, struct rib_attrs *a)
{
	int rc = rib_bgp_announce(r, p, prefix, len, a, false);

	rib_attrs_put(a);
	return rc;
}

static struct rec rc;
static struct rib *rib;

static void
setup(void)
{
	memset(&rc, 0, sizeof(rc));
	rib = rib_create(LOCAL_ASN, rec_emit, &rc);
	ck_assert_ptr_nonnull(rib);
}

static void
teardown(void)
{
	rib_destroy(rib);
	rib = NULL;
	rec_free(&rc);
	free(pa_buf);
	pa_buf = NULL;
}

static const struct rec_route *
fib(uint32_t prefix, uint8_t len)
{
	return rec_find(&rc, prefix, len);
}

static void
assert_fib_gw(uint32_t prefix, uint8_t len, uint8_t type, uint8_t port, uint32_t gw)
{
	const struct rec_route *f = fib(prefix, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->type, type);
	ck_assert_uint_eq(f->port, port);
	ck_assert_uint_eq(f->gw, gw);
}

/* ------------------------------------------------------------ the tests */

START_TEST(attrs_new)
{
	struct bgp_path_attrs *a = calloc(1, sizeof(*a));
	struct rib_attrs *ra;

	ck_assert_ptr_nonnull(a);
	a->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH | 1u << BGP_ATTR_NEXT_HOP |
		     1u << BGP_ATTR_MED | 1u << BGP_ATTR_LOCAL_PREF | 1u << BGP_ATTR_COMMUNITIES;
	a->origin = BGP_ORIGIN_EGP;
	a->next_hop = IP(192, 0, 2, 1);
	a->med = 42;
	a->local_pref = 300;
	a->as_path.n_segs = 2;
	a->as_path.segs[0] = (struct bgp_as_seg){BGP_AS_SEQUENCE, 2, 0};
	a->as_path.segs[1] = (struct bgp_as_seg){BGP_AS_SET, 2, 2};
	a->as_path.n_asns = 4;
	a->as_path.asns[0] = 65001;
	a->as_path.asns[1] = 4200000000u;
	a->as_path.asns[2] = 65003;
	a->as_path.asns[3] = 65004;
	a->n_communities = 2;
	a->communities[0] = 65001u << 16 | 1;
	a->communities[1] = 0xffffff01u;

	ra = rib_attrs_new(a, true);
	ck_assert_ptr_nonnull(ra);
	ck_assert_uint_eq(ra->refcnt, 1);
	ck_assert_uint_eq(ra->next_hop, IP(192, 0, 2, 1));
	ck_assert(ra->has_med);
	ck_assert_uint_eq(ra->med, 42);
	ck_assert_uint_eq(ra->local_pref, 100); /* eBGP: the received one is ignored */
	ck_assert_uint_eq(ra->origin, BGP_ORIGIN_EGP);
	ck_assert_uint_eq(ra->neighbor_as, 65001);
	ck_assert_uint_eq(ra->as_path_len, 3); /* the set counts one */
	ck_assert_str_eq(ra->as_path, "65001 4200000000 {65003 65004}");
	ck_assert_uint_eq(ra->n_communities, 2);
	ck_assert_uint_eq(ra->communities[1], 0xffffff01u);
	ck_assert_ptr_ne(ra->communities, a->communities);
	ck_assert_ptr_eq(rib_attrs_get(ra), ra);
	ck_assert_uint_eq(ra->refcnt, 2);
	rib_attrs_put(ra);
	rib_attrs_put(ra);

	/* iBGP keeps LOCAL_PREF; no MED; a path starting with a set has no
	 * neighbour AS; only MP_REACH_NLRI: its next hop. */
	a->present &= ~(1u << BGP_ATTR_MED | 1u << BGP_ATTR_NEXT_HOP | 1u << BGP_ATTR_COMMUNITIES);
	a->present |= 1u << BGP_ATTR_MP_REACH_NLRI;
	a->mp_next_hop = IP(192, 0, 2, 9);
	a->n_communities = 0;
	a->as_path.segs[0].type = BGP_AS_SET;
	ra = rib_attrs_new(a, false);
	ck_assert_ptr_nonnull(ra);
	ck_assert(!ra->has_med);
	ck_assert_uint_eq(ra->med, 0);
	ck_assert_uint_eq(ra->local_pref, 300);
	ck_assert_uint_eq(ra->neighbor_as, 0);
	ck_assert_uint_eq(ra->next_hop, IP(192, 0, 2, 9));
	ck_assert_uint_eq(ra->n_communities, 0);
	ck_assert_ptr_null(ra->communities);
	rib_attrs_put(ra);

	/* An empty path (iBGP-originated): length 0, "" */
	a->as_path.n_segs = 0;
	a->as_path.n_asns = 0;
	a->present &= ~(1u << BGP_ATTR_LOCAL_PREF);
	ra = rib_attrs_new(a, false);
	ck_assert_ptr_nonnull(ra);
	ck_assert_uint_eq(ra->as_path_len, 0);
	ck_assert_str_eq(ra->as_path, "");
	ck_assert_uint_eq(ra->local_pref, 100);
	rib_attrs_put(ra);
	free(a);
}
END_TEST

START_TEST(bad_args)
{
	struct rib_attrs *a = mk_nh(IP(10, 0, 0, 1), 65001);

	ck_assert_ptr_null(rib_create(LOCAL_ASN, NULL, NULL));
	ck_assert_int_eq(rib_bgp_announce(rib, 0, IP(10, 0, 0, 0), 8, a, false), -ENOENT);
	peer(rib, 0, IP(10, 0, 0, 2), 1, 100);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, IP(10, 0, 0, 1), 8, a, false), -EINVAL);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, IP(10, 0, 0, 0), 33, a, false), -EINVAL);
	ck_assert_int_eq(
		rib_bgp_announce(rib, RIB_MAX_PEERS, IP(10, 0, 0, 0), 8, a, false), -EINVAL);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, IP(10, 0, 0, 0), 8, NULL, false), -EINVAL);
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, IP(10, 0, 0, 0), 8), 0);
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, IP(10, 1, 0, 0), 8), -EINVAL);
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_BGP, IP(10, 0, 0, 0), 8, NH_GATEWAY, 0, 1), -EINVAL);
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_STATIC, IP(10, 0, 0, 0), 8, NH_NONE, 0, 1), -EINVAL);
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_STATIC, IP(10, 0, 0, 1), 31, NH_GATEWAY, 0, 1), -EINVAL);
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_STATIC, IP(10, 0, 0, 0), 8), -ENOENT);
	ck_assert_int_eq(rib_peer_set(rib, RIB_MAX_PEERS, &(struct rib_peer_info){0}), -EINVAL);
	/* The default route and host routes are prefixes like the others. */
	ck_assert_int_eq(rib_bgp_announce(rib, 0, 0, 0, a, false), RIB_ACCEPTED);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, IP(10, 9, 8, 7), 32, a, false), RIB_ACCEPTED);
	ck_assert_uint_eq(rib_size(rib), 2);
	ck_assert_uint_eq(rc.n_ops, 2);
	check_fib(rib, &rc);
	rib_attrs_put(a);
}
END_TEST

START_TEST(static_beats_bgp)
{
	uint32_t p = IP(10, 1, 0, 0), bgp_nh = IP(192, 0, 2, 1), st_nh = IP(172, 16, 0, 1);
	struct rib_peer_stats st;

	rib_set_bgp_port(rib, 0);
	peer(rib, 0, bgp_nh, 1, 100);
	ck_assert_int_eq(announce(rib, 0, p, 16, mk_nh(bgp_nh, 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_add, 1);
	assert_fib_gw(p, 16, NH_GATEWAY, 0, bgp_nh);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.best, 1);

	ck_assert_int_eq(rib_local_add(rib, RIB_SRC_STATIC, p, 16, NH_GATEWAY, 1, st_nh), 0);
	ck_assert_uint_eq(rc.n_add, 2);
	assert_fib_gw(p, 16, NH_GATEWAY, 1, st_nh);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.best, 0);
	check_fib(rib, &rc);

	/* A BGP change under the static route does not reach the FIB. */
	ck_assert_int_eq(announce(rib, 0, p, 16, mk_nh(IP(192, 0, 2, 7), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 2);
	ck_assert_int_eq(announce(rib, 0, p, 16, mk_nh(bgp_nh, 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 2);

	/* Static gone: BGP back with one ADD, no DEL in between. */
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_STATIC, p, 16), 0);
	ck_assert_uint_eq(rc.n_add, 3);
	ck_assert_uint_eq(rc.n_del, 0);
	assert_fib_gw(p, 16, NH_GATEWAY, 0, bgp_nh);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.best, 1);
	check_fib(rib, &rc);

	/* BGP gone: DEL. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, p, 16), 0);
	ck_assert_uint_eq(rc.n_del, 1);
	ck_assert_uint_eq(rib_size(rib), 0);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.best, 0);
	ck_assert_uint_eq(st.withdrawn, 1);
	check_fib(rib, &rc);
}
END_TEST

START_TEST(connected_beats_static)
{
	uint32_t p = IP(192, 168, 1, 0), me = IP(192, 168, 1, 1);

	peer(rib, 0, IP(192, 168, 1, 2), 1, 100);
	ck_assert_int_eq(rib_local_add(rib, RIB_SRC_STATIC, p, 24, NH_BLACKHOLE, 0, 0), 0);
	assert_fib_gw(p, 24, NH_BLACKHOLE, 0, 0);
	ck_assert_int_eq(rib_local_add(rib, RIB_SRC_CONNECTED, p, 24, NH_CONNECTED, 0, 0), 0);
	assert_fib_gw(p, 24, NH_CONNECTED, 0, 0);
	ck_assert_int_eq(announce(rib, 0, p, 24, mk_nh(IP(192, 168, 1, 2), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(rib_local_add(rib, RIB_SRC_CONNECTED, me, 32, NH_LOCAL, 0, 0), 0);
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_STATIC, me, 32, NH_GATEWAY, 1, IP(1, 1, 1, 1)), 0);
	assert_fib_gw(me, 32, NH_LOCAL, 0, 0);
	ck_assert_uint_eq(rc.n_ops, 3);
	check_fib(rib, &rc);

	/* Replacing the connected route's next hop. */
	ck_assert_int_eq(rib_local_add(rib, RIB_SRC_CONNECTED, p, 24, NH_CONNECTED, 1, 0), 0);
	assert_fib_gw(p, 24, NH_CONNECTED, 1, 0);
	/* Same again: nothing to tell the FIB. */
	ck_assert_int_eq(rib_local_add(rib, RIB_SRC_CONNECTED, p, 24, NH_CONNECTED, 1, 0), 0);
	ck_assert_uint_eq(rc.n_ops, 4);

	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_CONNECTED, p, 24), 0);
	assert_fib_gw(p, 24, NH_BLACKHOLE, 0, 0);
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_STATIC, p, 24), 0);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(192, 168, 1, 2));
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_CONNECTED, me, 32), 0);
	assert_fib_gw(me, 32, NH_GATEWAY, 1, IP(1, 1, 1, 1));
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_CONNECTED, me, 32), -ENOENT);
	ck_assert_uint_eq(rc.n_ops, 7);
	ck_assert_uint_eq(rc.n_del, 0);
	check_fib(rib, &rc);
}
END_TEST

/*
 * Decision cases: each path from its own peer with its own next hop; the
 * winner must be the same whatever order the paths arrive in.
 */
struct dcase {
	uint32_t addr;
	uint32_t id;
	struct pa pa;
};

static bool
next_perm(unsigned *a, unsigned n)
{
	int i = (int)n - 2, j;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	for (j = (int)n - 1; a[j] <= a[i]; j--)
		;
	unsigned t = a[i];
	a[i] = a[j];
	a[j] = t;
	for (unsigned l = (unsigned)i + 1, r = n - 1; l < r; l++, r--) {
		t = a[l];
		a[l] = a[r];
		a[r] = t;
	}
	return true;
}

static void
check_decision(const struct dcase *c, unsigned n, unsigned winner)
{
	unsigned order[8];
	uint32_t p = IP(203, 0, 113, 0);

	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	do {
		struct rec r2 = {0};
		struct rib *r = rib_create(LOCAL_ASN, rec_emit, &r2);
		struct rib_peer_stats st;

		ck_assert_ptr_nonnull(r);
		for (unsigned i = 0; i < n; i++)
			peer(r, i, c[i].addr, c[i].id, 10);
		for (unsigned k = 0; k < n; k++) {
			unsigned i = order[k];
			struct dcase ci = c[i];

			ci.pa.nh = IP(10, 0, 0, 1 + i);
			ck_assert_int_eq(announce(r, i, p, 24, mk(&ci.pa)), RIB_ACCEPTED);
		}
		ck_assert_uint_eq(r2.redundant, 0);
		ck_assert_ptr_nonnull(rec_find(&r2, p, 24));
		ck_assert_msg(rec_find(&r2, p, 24)->gw == IP(10, 0, 0, 1 + winner),
			"expected path %u, got next hop %08x", winner, rec_find(&r2, p, 24)->gw);
		rib_peer_stats(r, winner, &st);
		ck_assert_uint_eq(st.best, 1);
		check_fib(r, &r2);
		rib_destroy(r);
		rec_free(&r2);
	} while (next_perm(order, n));
}

#define EBGP(nh_, origin_, med_, len_, as_)                                                        \
	{                                                                                          \
		.nh = (nh_), .origin = (origin_), .med = (med_), .lp = -1, .path_len = (len_),     \
		.first_as = (as_)                                                                  \
	}

START_TEST(decide_local_pref)
{
	/* iBGP-style attributes: LOCAL_PREF 200 beats a shorter path. */
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 1,
			{.med = -1, .lp = 100, .path_len = 1, .first_as = 1, .ibgp = true}},
		{IP(10, 0, 0, 2), 2,
			{.med = -1, .lp = 200, .path_len = 3, .first_as = 1, .ibgp = true}},
		{IP(10, 0, 0, 3), 3,
			{.med = -1, .lp = -1, .path_len = 1, .first_as = 1, .ibgp = true}},
	};

	check_decision(c, 3, 1);
}
END_TEST

START_TEST(decide_as_path_len)
{
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 1, EBGP(0, BGP_ORIGIN_IGP, -1, 3, 65001)},
		{IP(10, 0, 0, 2), 2, EBGP(0, BGP_ORIGIN_INCOMPLETE, 50, 2, 65002)},
		{IP(10, 0, 0, 3), 3, EBGP(0, BGP_ORIGIN_IGP, -1, 4, 65003)},
	};

	/* The shorter path wins over a better origin, MED and identifier. */
	check_decision(c, 3, 1);
}
END_TEST

START_TEST(decide_origin)
{
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 1, EBGP(0, BGP_ORIGIN_INCOMPLETE, -1, 2, 65001)},
		{IP(10, 0, 0, 2), 2, EBGP(0, BGP_ORIGIN_EGP, 10, 2, 65001)},
		{IP(10, 0, 0, 3), 3, EBGP(0, BGP_ORIGIN_IGP, 20, 2, 65001)},
	};

	/* IGP wins though its MED is the highest of the same AS. */
	check_decision(c, 3, 2);
}
END_TEST

START_TEST(decide_med_same_as)
{
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 1, EBGP(0, BGP_ORIGIN_IGP, 10, 2, 65001)},
		{IP(10, 0, 0, 2), 2, EBGP(0, BGP_ORIGIN_IGP, 5, 2, 65001)},
	};
	/* A missing MED is 0, the best. */
	struct dcase m[] = {
		{IP(10, 0, 0, 1), 1, EBGP(0, BGP_ORIGIN_IGP, 1, 2, 65001)},
		{IP(10, 0, 0, 2), 2, EBGP(0, BGP_ORIGIN_IGP, -1, 2, 65001)},
	};

	check_decision(c, 2, 1);
	check_decision(m, 2, 1);
}
END_TEST

START_TEST(decide_med_other_as)
{
	/* MEDs from different neighbour ASes are not compared: router id. */
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 1, EBGP(0, BGP_ORIGIN_IGP, 10, 2, 65001)},
		{IP(10, 0, 0, 2), 2, EBGP(0, BGP_ORIGIN_IGP, 5, 2, 65002)},
	};

	check_decision(c, 2, 0);
}
END_TEST

START_TEST(decide_router_id)
{
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 30, EBGP(0, BGP_ORIGIN_IGP, 7, 2, 65001)},
		{IP(10, 0, 0, 2), 10, EBGP(0, BGP_ORIGIN_IGP, 7, 2, 65002)},
		{IP(10, 0, 0, 3), 20, EBGP(0, BGP_ORIGIN_IGP, 7, 2, 65003)},
	};

	check_decision(c, 3, 1);
}
END_TEST

START_TEST(decide_peer_address)
{
	struct dcase c[] = {
		{IP(10, 0, 0, 9), 7, EBGP(0, BGP_ORIGIN_IGP, -1, 2, 65001)},
		{IP(10, 0, 0, 3), 7, EBGP(0, BGP_ORIGIN_IGP, -1, 2, 65002)},
		{IP(10, 0, 0, 5), 7, EBGP(0, BGP_ORIGIN_IGP, -1, 2, 65003)},
	};

	check_decision(c, 3, 1);
}
END_TEST

/*
 * MED is not transitive. A: AS 100, MED 200, id 1; B: AS 200, MED 100,
 * id 2; C: AS 100, MED 100, id 3. Compared pairwise in arrival order
 * A, B, C: A beats B (id), C beats A (MED): C. In order B, C, A: B beats C
 * (id), A beats B (id): A. The RFC removes A first (C is cheaper in AS 100),
 * then B beats C on the id: B, whatever the order.
 */
START_TEST(med_not_transitive)
{
	struct dcase c[] = {
		{IP(10, 0, 0, 1), 1, EBGP(0, BGP_ORIGIN_IGP, 200, 2, 100)},
		{IP(10, 0, 0, 2), 2, EBGP(0, BGP_ORIGIN_IGP, 100, 2, 200)},
		{IP(10, 0, 0, 3), 3, EBGP(0, BGP_ORIGIN_IGP, 100, 2, 100)},
	};
	uint32_t p = IP(203, 0, 113, 0);
	uint64_t ops;

	check_decision(c, 3, 1);

	/* Without C, A is back in the race and wins on the id: one ADD. */
	for (unsigned i = 0; i < 3; i++) {
		struct dcase ci = c[i];

		ci.pa.nh = IP(10, 0, 0, 1 + i);
		peer(rib, i, c[i].addr, c[i].id, 10);
		ck_assert_int_eq(announce(rib, i, p, 24, mk(&ci.pa)), RIB_ACCEPTED);
	}
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 2));
	ops = rc.n_ops;
	ck_assert_int_eq(rib_bgp_withdraw(rib, 2, p, 24), 0);
	ck_assert_uint_eq(rc.n_ops, ops + 1);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 1));
	check_fib(rib, &rc);
}
END_TEST

START_TEST(same_next_hop_no_op)
{
	uint32_t p = IP(198, 51, 100, 0), nh = IP(10, 0, 0, 1);
	struct rib_peer_stats st;

	peer(rib, 0, IP(10, 0, 0, 2), 2, 10);
	peer(rib, 1, IP(10, 0, 0, 3), 1, 10);
	ck_assert_int_eq(announce(rib, 0, p, 24, mk_nh(nh, 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 1);
	/* Peer 1 becomes best (lower id) with the same next hop: no op. */
	ck_assert_int_eq(announce(rib, 1, p, 24, mk_nh(nh, 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 1);
	rib_peer_stats(rib, 1, &st);
	ck_assert_uint_eq(st.best, 1);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.best, 0);
	/* A new next hop from the best peer: one ADD. */
	ck_assert_int_eq(announce(rib, 1, p, 24, mk_nh(IP(10, 0, 0, 9), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 2);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 9));
	check_fib(rib, &rc);
}
END_TEST

START_TEST(max_prefixes)
{
	struct rib_peer_stats st;
	unsigned accepted = 0, over = 0;

	peer(rib, 0, IP(10, 0, 0, 2), 1, 100);
	for (unsigned i = 0; i < 150; i++) {
		int r = announce(rib, 0, IP(20, 0, i, 0), 24, mk_nh(IP(10, 0, 0, 2), 65001));

		ck_assert(r == RIB_ACCEPTED || r == RIB_OVER_LIMIT);
		accepted += r == RIB_ACCEPTED;
		over += r == RIB_OVER_LIMIT;
	}
	ck_assert_uint_eq(accepted, 100);
	ck_assert_uint_eq(over, 50);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 100);
	ck_assert_uint_eq(st.best, 100);
	ck_assert_uint_eq(st.rejected_limit, 50);
	ck_assert_uint_eq(rc.count, 100);
	ck_assert_uint_eq(rib_size(rib), 100);
	ck_assert_ptr_nonnull(fib(IP(20, 0, 99, 0), 24));
	ck_assert_ptr_null(fib(IP(20, 0, 100, 0), 24));

	/* Re-announcing a held prefix is a replacement. */
	ck_assert_int_eq(
		announce(rib, 0, IP(20, 0, 7, 0), 24, mk_nh(IP(10, 0, 0, 3), 65001)), RIB_ACCEPTED);
	assert_fib_gw(IP(20, 0, 7, 0), 24, NH_GATEWAY, 0, IP(10, 0, 0, 3));
	/* A new one is still refused... */
	ck_assert_int_eq(announce(rib, 0, IP(20, 0, 120, 0), 24, mk_nh(IP(10, 0, 0, 3), 65001)),
		RIB_OVER_LIMIT);
	/* ...until one leaves. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, IP(20, 0, 8, 0), 24), 0);
	ck_assert_int_eq(announce(rib, 0, IP(20, 0, 120, 0), 24, mk_nh(IP(10, 0, 0, 3), 65001)),
		RIB_ACCEPTED);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 100);
	ck_assert_uint_eq(st.rejected_limit, 51);
	ck_assert_uint_eq(st.withdrawn, 1);
	ck_assert_uint_eq(rc.count, 100);

	/* The limit is per peer: another peer's copy of a prefix counts for it. */
	peer(rib, 1, IP(10, 0, 0, 4), 2, 1);
	ck_assert_int_eq(
		announce(rib, 1, IP(20, 0, 9, 0), 24, mk_nh(IP(10, 0, 0, 4), 65002)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, IP(20, 0, 10, 0), 24, mk_nh(IP(10, 0, 0, 4), 65002)),
		RIB_OVER_LIMIT);
	check_fib(rib, &rc);
}
END_TEST

START_TEST(loop_rejected)
{
	uint32_t p = IP(198, 51, 100, 0);
	struct rib_attrs *a = mk_nh(IP(10, 0, 0, 2), 65001);
	struct rib_peer_stats st;

	peer(rib, 0, IP(10, 0, 0, 2), 1, 100);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p, 24, a, true), RIB_LOOP);
	ck_assert_uint_eq(rc.n_ops, 0);
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p, 24, a, false), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_add, 1);
	/* Held, then looped: withdrawn. */
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p, 24, a, true), RIB_LOOP);
	ck_assert_uint_eq(rc.n_del, 1);
	ck_assert_uint_eq(rib_size(rib), 0);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.rejected_loop, 2);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.best, 0);
	ck_assert_uint_eq(a->refcnt, 1);
	rib_attrs_put(a);
	check_fib(rib, &rc);
}
END_TEST

START_TEST(peer_down)
{
	struct rib_peer_stats st;
	struct rib_attrs *a0 = mk_nh(IP(10, 0, 0, 1), 65001);
	struct rib_attrs *a1 = mk_nh(IP(10, 0, 0, 2), 65002);
	struct rib_attrs *same = mk_nh(IP(10, 0, 0, 1), 65002);

	peer(rib, 0, IP(10, 0, 0, 1), 1, 1000);
	peer(rib, 1, IP(10, 0, 0, 2), 2, 1000);
	/* 0..49 from peer 0 (the best where shared); 0..29 also from peer 1 with
	 * its own next hop, 30..39 from peer 1 with peer 0's next hop;
	 * 50..59 from peer 1 only; a static over 45. */
	for (unsigned i = 0; i < 50; i++)
		ck_assert_int_eq(
			rib_bgp_announce(rib, 0, IP(30, i, 0, 0), 16, a0, false), RIB_ACCEPTED);
	for (unsigned i = 0; i < 60; i++) {
		if (i >= 40 && i < 50)
			continue;
		ck_assert_int_eq(rib_bgp_announce(rib, 1, IP(30, i, 0, 0), 16,
					 i >= 30 && i < 40 ? same : a1, false),
			RIB_ACCEPTED);
	}
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_STATIC, IP(30, 45, 0, 0), 16, NH_BLACKHOLE, 0, 0), 0);
	ck_assert_uint_eq(a0->refcnt, 51);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.best, 49);
	check_fib(rib, &rc);

	rc.n_add = rc.n_del = rc.n_ops = 0;
	rib_peer_down(rib, 0);
	/* 30 ADDs to peer 1's next hop, 9 DELs (40..49 but the static), nothing
	 * for 30..39 (same next hop), 45 and 50..59. */
	ck_assert_uint_eq(rc.n_add, 30);
	ck_assert_uint_eq(rc.n_del, 9);
	ck_assert_uint_eq(rc.n_ops, 39);
	for (unsigned i = 0; i < 40; i++)
		assert_fib_gw(IP(30, i, 0, 0), 16, NH_GATEWAY, 0,
			i < 30 ? IP(10, 0, 0, 2) : IP(10, 0, 0, 1));
	assert_fib_gw(IP(30, 45, 0, 0), 16, NH_BLACKHOLE, 0, 0);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.best, 0);
	rib_peer_stats(rib, 1, &st);
	ck_assert_uint_eq(st.accepted, 50);
	ck_assert_uint_eq(st.best, 50);
	ck_assert_uint_eq(a0->refcnt, 1);
	ck_assert_uint_eq(rib_size(rib), 51);
	check_fib(rib, &rc);

	/* Down again: nothing. */
	rib_peer_down(rib, 0);
	ck_assert_uint_eq(rc.n_ops, 39);
	rib_peer_down(rib, 1);
	ck_assert_uint_eq(rc.count, 1);
	ck_assert_uint_eq(rib_size(rib), 1);
	check_fib(rib, &rc);
	rib_attrs_put(a0);
	rib_attrs_put(a1);
	rib_attrs_put(same);
}
END_TEST

START_TEST(peer_reset)
{
	uint32_t p = IP(198, 51, 100, 0);
	struct rib_peer_stats st;

	peer(rib, 0, IP(10, 0, 0, 1), 1, 10);
	peer(rib, 1, IP(10, 0, 0, 2), 2, 10);
	ck_assert_int_eq(announce(rib, 0, p, 24, mk_nh(IP(10, 0, 0, 1), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, p, 24, mk_nh(IP(10, 0, 0, 2), 65002)), RIB_ACCEPTED);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 1));
	/* A new BGP Identifier re-ranks. */
	peer(rib, 0, IP(10, 0, 0, 1), 3, 10);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 2));
	ck_assert_uint_eq(rc.n_ops, 2);
	/* Same address: counters kept. */
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 1);
	/* Another router in slot 1: its routes leave, counters restart. */
	peer(rib, 1, IP(10, 0, 0, 7), 2, 10);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 1));
	rib_peer_stats(rib, 1, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.best, 0);
	/* The BGP port moves: BGP routes follow, the static does not. */
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_STATIC, IP(9, 0, 0, 0), 8, NH_GATEWAY, 0, 5), 0);
	rc.n_ops = 0;
	rib_set_bgp_port(rib, 1);
	rc.bgp_port = 1;
	ck_assert_uint_eq(rc.n_ops, 1);
	assert_fib_gw(p, 24, NH_GATEWAY, 1, IP(10, 0, 0, 1));
	assert_fib_gw(IP(9, 0, 0, 0), 8, NH_GATEWAY, 0, 5);
	check_fib(rib, &rc);
}
END_TEST

/* A deleted peer's slot: routes out, counters zero, no announcement taken
 * until the slot is set again (for another peer, or the same one). */
START_TEST(peer_clear)
{
	uint32_t p = IP(198, 51, 100, 0);
	struct rib_peer_stats st;
	struct rib_attrs *a = mk_nh(IP(10, 0, 0, 1), 65001);

	peer(rib, 0, IP(10, 0, 0, 1), 1, 10);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p, 24, a, false), RIB_ACCEPTED);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p + 256, 24, a, false), RIB_ACCEPTED);
	assert_fib_gw(p, 24, NH_GATEWAY, 0, IP(10, 0, 0, 1));
	rib_peer_clear(rib, 0);
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_uint_eq(rib_fib_pending(rib), 0);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.withdrawn, 0);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p, 24, a, false), -ENOENT);
	peer(rib, 0, IP(10, 0, 0, 1), 1, 10);
	ck_assert_int_eq(rib_bgp_announce(rib, 0, p, 24, a, false), RIB_ACCEPTED);
	ck_assert_uint_eq(rib_size(rib), 1);
	rib_peer_clear(rib, RIB_MAX_PEERS); /* out of range: nothing */
	check_fib(rib, &rc);
	rib_attrs_put(a);
}
END_TEST

START_TEST(emit_failure)
{
	uint32_t p = IP(198, 51, 100, 0);
	struct rib_peer_stats st;

	peer(rib, 0, IP(10, 0, 0, 1), 1, 10);
	rc.fail_next = 1;
	ck_assert_int_eq(announce(rib, 0, p, 24, mk_nh(IP(10, 0, 0, 1), 65001)), -ENOMEM);
	/* Accepted all the same; the FIB lags. */
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(rib_fib_pending(rib), 1);
	ck_assert_ptr_null(fib(p, 24));
	rc.fail_next = 1;
	ck_assert_int_eq(rib_fib_sync(rib), -ENOMEM);
	ck_assert_uint_eq(rib_fib_pending(rib), 1);
	ck_assert_int_eq(rib_fib_sync(rib), 0);
	ck_assert_uint_eq(rib_fib_pending(rib), 0);
	check_fib(rib, &rc);

	/* A failed DEL: the prefix has no route, but the FIB still does. */
	rc.fail_next = 1;
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, p, 24), -ENOMEM);
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_uint_eq(rib_fib_pending(rib), 1);
	ck_assert_ptr_nonnull(fib(p, 24));
	/* The same route comes back: the FIB has it already, nothing to send. */
	ck_assert_int_eq(announce(rib, 0, p, 24, mk_nh(IP(10, 0, 0, 1), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rib_fib_pending(rib), 0);
	check_fib(rib, &rc);

	rc.fail_next = 1;
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, p, 24), -ENOMEM);
	ck_assert_int_eq(rib_fib_sync(rib), 0);
	ck_assert_ptr_null(fib(p, 24));
	ck_assert_uint_eq(rib_fib_pending(rib), 0);

	/* Peer down through failures: everything leaves the RIB, sync finishes. */
	for (unsigned i = 0; i < 10; i++)
		ck_assert_int_eq(
			announce(rib, 0, IP(40, i, 0, 0), 16, mk_nh(IP(10, 0, 0, 1), 65001)),
			RIB_ACCEPTED);
	rc.fail_next = 4;
	rib_peer_down(rib, 0);
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_uint_eq(rib_fib_pending(rib), 4);
	ck_assert_uint_eq(rc.count, 4);
	ck_assert_int_eq(rib_fib_sync(rib), 0);
	check_fib(rib, &rc);
	ck_assert_uint_eq(rc.count, 0);
}
END_TEST

/* --------------------------------------------- randomized differential */

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned
rnd_below(unsigned n)
{
	return (unsigned)((rnd() >> 32) % n);
}

#define R_PEERS 8
#define R_PREFIXES 300
#define R_POOL 24
#define R_STEPS 6000

struct m_path {
	bool on;
	uint32_t nh, med, lp, nas;
	uint16_t plen;
	uint8_t origin;
};

struct m_nh {
	uint8_t type, port;
	uint32_t gw;
};

struct m_prefix {
	uint32_t addr;
	uint8_t len;
	bool conn, stat;
	struct m_nh conn_nh, stat_nh;
	struct m_path path[R_PEERS];
};

struct m_peer {
	struct rib_peer_info info;
	struct rib_peer_stats st;
};

struct model {
	struct m_prefix pfx[R_PREFIXES];
	struct m_peer peer[R_PEERS];
	struct rib_attrs *pool[R_POOL];
	uint8_t bgp_port;
};

/* The decision written out plainly, path by path, for the brute force. */
static int
m_bgp_best(const struct model *m, const struct m_prefix *p)
{
	bool in[R_PEERS];
	int best = -1;

	for (unsigned i = 0; i < R_PEERS; i++)
		in[i] = p->path[i].on;
	/* Every path that loses any of the elimination rules to another
	 * candidate is out; the rules are applied one after another. */
	for (unsigned rule = 0; rule < 4; rule++) {
		bool out[R_PEERS] = {false};

		for (unsigned i = 0; i < R_PEERS; i++) {
			for (unsigned j = 0; j < R_PEERS && in[i]; j++) {
				const struct m_path *a = &p->path[i], *b = &p->path[j];

				if (!in[j] || i == j)
					continue;
				if ((rule == 0 && b->lp > a->lp) ||
					(rule == 1 && b->plen < a->plen) ||
					(rule == 2 && b->origin < a->origin) ||
					(rule == 3 && b->nas == a->nas && b->med < a->med))
					out[i] = true;
			}
		}
		for (unsigned i = 0; i < R_PEERS; i++)
			in[i] = in[i] && !out[i];
	}
	for (unsigned i = 0; i < R_PEERS; i++) {
		const struct rib_peer_info *x, *y;

		if (!in[i])
			continue;
		if (best < 0) {
			best = (int)i;
			continue;
		}
		x = &m->peer[i].info;
		y = &m->peer[best].info;
		if (x->bgp_id < y->bgp_id || (x->bgp_id == y->bgp_id && x->address < y->address))
			best = (int)i;
	}
	return best;
}

/* Expected FIB entry of p (type NH_NONE: none); *src and *bp the best. */
static struct m_nh
m_expect(const struct model *m, const struct m_prefix *p, int *src, int *bp)
{
	*bp = -1;
	if (p->conn) {
		*src = RIB_SRC_CONNECTED;
		return p->conn_nh;
	}
	if (p->stat) {
		*src = RIB_SRC_STATIC;
		return p->stat_nh;
	}
	*bp = m_bgp_best(m, p);
	if (*bp < 0) {
		*src = -1;
		return (struct m_nh){NH_NONE, 0, 0};
	}
	*src = RIB_SRC_BGP;
	return (struct m_nh){NH_GATEWAY, m->bgp_port, p->path[*bp].nh};
}

static struct m_path
m_path_of(const struct rib_attrs *a)
{
	return (struct m_path){.on = true,
		.nh = a->next_hop,
		.med = a->has_med ? a->med : 0,
		.lp = a->local_pref,
		.nas = a->neighbor_as,
		.plen = a->as_path_len,
		.origin = a->origin};
}

static struct rib_attrs *
rnd_attrs(void)
{
	struct pa p = {
		.nh = IP(10, 0, 0, 1 + rnd_below(4)),
		.origin = (uint8_t)rnd_below(3),
		.med = rnd_below(10) < 3 ? -1 : (int64_t)rnd_below(3) * 5,
		.lp = -1,
		.path_len = 1 + rnd_below(3),
		.first_as = 65001 + rnd_below(3),
	};

	if (rnd_below(4) == 0) {
		p.ibgp = true;
		p.lp = rnd_below(4) == 0 ? -1 : (int64_t)(50 + 50 * rnd_below(3));
	}
	return mk(&p);
}

struct walk_model {
	const struct model *m;
	unsigned n;
};

static int
walk_model_cb(uint32_t prefix, uint8_t len, enum rib_source src, int best_peer,
	const struct rib_attrs *attrs, uint32_t next_hop, void *arg)
{
	struct walk_model *w = arg;
	const struct m_prefix *p = NULL;
	int esrc, ebp;

	(void)attrs;
	(void)next_hop;
	for (unsigned i = 0; i < R_PREFIXES; i++)
		if (w->m->pfx[i].addr == prefix && w->m->pfx[i].len == len)
			p = &w->m->pfx[i];
	CHECK(p != NULL);
	m_expect(w->m, p, &esrc, &ebp);
	CHECK((int)src == esrc);
	CHECK(best_peer == ebp);
	w->n++;
	return 0;
}

START_TEST(randomized)
{
	struct model *m = calloc(1, sizeof(*m));
	struct m_nh *before = calloc(R_PREFIXES, sizeof(*before));
	const char *env = getenv("VBR_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	uint32_t ids[R_PEERS] = {5, 3, 3, 9, 1, 7, 5, 2}; /* equal ids: address decides */
	unsigned stat_ops[16] = {0};

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(before);
	printf("rib randomized: VBR_TEST_SEED=%" PRIu64 "\n", seed);
	rng_state = seed | 1;

	for (unsigned i = 0; i < R_PREFIXES; i++) {
		static const uint8_t lens[] = {8, 16, 20, 24, 24, 24, 28, 32};
		struct m_prefix *p = &m->pfx[i];
		bool dup;

		do {
			p->len = i == 0 ? 0 : lens[rnd_below(sizeof(lens))];
			p->addr = (uint32_t)(rnd() >> 32) & (p->len ? ~0u << (32 - p->len) : 0);
			dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= m->pfx[j].addr == p->addr && m->pfx[j].len == p->len;
		} while (dup);
	}
	for (unsigned i = 0; i < R_PEERS; i++) {
		m->peer[i].info = (struct rib_peer_info){.address = IP(10, 0, 1, 200 - i * 7),
			.bgp_id = ids[i],
			.asn = 65001 + i,
			.max_prefixes = i < 2 ? 40 : 1000};
		ck_assert_int_eq(rib_peer_set(rib, i, &m->peer[i].info), 0);
	}
	for (unsigned i = 0; i < R_POOL; i++)
		m->pool[i] = rnd_attrs();

	for (unsigned step = 0; step < R_STEPS; step++) {
		unsigned op = rnd_below(1000), pi = rnd_below(R_PREFIXES),
			 peer_i = rnd_below(R_PEERS);
		struct m_prefix *p = &m->pfx[pi];
		struct m_peer *mp = &m->peer[peer_i];
		unsigned changed = 0, kind;
		uint64_t best[R_PEERS] = {0};
		int rv = 0, want = 0, src, bp;
		bool armed = false;
		uint64_t ops0 = rc.n_ops;

		for (unsigned i = 0; i < R_PREFIXES; i++)
			before[i] = m_expect(m, &m->pfx[i], &src, &bp);
		/* Now and then the emit fails: the change stays, sync repairs. */
		if (rnd_below(40) == 0) {
			rc.fail_next = 1;
			armed = true;
		}

		if (op < 480) { /* announce from the pool */
			unsigned k = rnd_below(R_POOL);

			kind = 0;
			if (rnd_below(8) == 0) {
				rib_attrs_put(m->pool[k]);
				m->pool[k] = rnd_attrs();
			}
			if (p->path[peer_i].on || mp->st.accepted < mp->info.max_prefixes) {
				if (!p->path[peer_i].on)
					mp->st.accepted++;
				p->path[peer_i] = m_path_of(m->pool[k]);
				want = RIB_ACCEPTED;
			} else {
				mp->st.rejected_limit++;
				want = RIB_OVER_LIMIT;
			}
			rv = rib_bgp_announce(rib, peer_i, p->addr, p->len, m->pool[k], false);
		} else if (op < 720) { /* withdraw */
			kind = 1;
			if (p->path[peer_i].on) {
				p->path[peer_i].on = false;
				mp->st.accepted--;
				mp->st.withdrawn++;
			}
			rv = rib_bgp_withdraw(rib, peer_i, p->addr, p->len);
		} else if (op < 750) { /* an announcement with our ASN in it */
			kind = 2;
			mp->st.rejected_loop++;
			if (p->path[peer_i].on) {
				p->path[peer_i].on = false;
				mp->st.accepted--;
			}
			want = RIB_LOOP;
			rv = rib_bgp_announce(rib, peer_i, p->addr, p->len, m->pool[0], true);
		} else if (op < 830) { /* static add or replace */
			kind = 3;
			p->stat = true;
			p->stat_nh = rnd_below(4) == 0
					     ? (struct m_nh){NH_BLACKHOLE, 0, 0}
					     : (struct m_nh){NH_GATEWAY, (uint8_t)rnd_below(2),
						       IP(10, 0, 0, 1 + rnd_below(4))};
			rv = rib_local_add(rib, RIB_SRC_STATIC, p->addr, p->len, p->stat_nh.type,
				p->stat_nh.port, p->stat_nh.gw);
		} else if (op < 900) { /* static del */
			kind = 4;
			want = p->stat ? 0 : -ENOENT;
			p->stat = false;
			rv = rib_local_del(rib, RIB_SRC_STATIC, p->addr, p->len);
		} else if (op < 930) { /* connected add */
			kind = 5;
			p->conn = true;
			p->conn_nh = (struct m_nh){
				rnd_below(2) ? NH_CONNECTED : NH_LOCAL, (uint8_t)rnd_below(2), 0};
			rv = rib_local_add(rib, RIB_SRC_CONNECTED, p->addr, p->len, p->conn_nh.type,
				p->conn_nh.port, 0);
		} else if (op < 970) { /* connected del */
			kind = 6;
			want = p->conn ? 0 : -ENOENT;
			p->conn = false;
			rv = rib_local_del(rib, RIB_SRC_CONNECTED, p->addr, p->len);
		} else if (op < 985) { /* session down */
			kind = 7;
			for (unsigned i = 0; i < R_PREFIXES; i++)
				m->pfx[i].path[peer_i].on = false;
			mp->st.accepted = 0;
			rib_peer_down(rib, peer_i);
		} else if (op < 995) { /* session up with another BGP Identifier */
			kind = 8;
			mp->info.bgp_id = 1 + rnd_below(9);
			rv = rib_peer_set(rib, peer_i, &mp->info);
		} else { /* the BGP port moves */
			kind = 9;
			m->bgp_port ^= 1;
			rc.bgp_port = m->bgp_port;
			rib_set_bgp_port(rib, m->bgp_port);
		}
		stat_ops[kind]++;

		if (armed && rc.fail_next == 0) {
			/* The failure happened: the call reports it (void ones
			 * cannot), and the RIB kept the change. */
			if (kind != 7 && kind != 9)
				ck_assert_int_eq(rv, -ENOMEM);
			ck_assert_uint_gt(rib_fib_pending(rib), 0);
			ck_assert_int_eq(rib_fib_sync(rib), 0);
		} else {
			CHECK_MSG(rv == want, "step %u kind %u: got %d want %d", step, kind, rv,
				want);
		}
		rc.fail_next = 0;

		/* The recorder's FIB is the brute-force FIB, reached with one op
		 * per changed prefix and none redundant. */
		for (unsigned i = 0; i < R_PREFIXES; i++) {
			struct m_nh e = m_expect(m, &m->pfx[i], &src, &bp);
			const struct rec_route *f = rec_find(&rc, m->pfx[i].addr, m->pfx[i].len);

			if (src == RIB_SRC_BGP)
				best[bp]++;
			if (e.type != before[i].type || e.port != before[i].port ||
				e.gw != before[i].gw)
				changed++;
			if (e.type == NH_NONE) {
				CHECK_MSG(f == NULL, "step %u: %08x/%u should be gone", step,
					m->pfx[i].addr, m->pfx[i].len);
				continue;
			}
			CHECK_MSG(f != NULL, "step %u: %08x/%u missing", step, m->pfx[i].addr,
				m->pfx[i].len);
			CHECK_MSG(f->type == e.type && f->port == e.port && f->gw == e.gw,
				"step %u kind %u: %08x/%u has %u/%u/%08x, want %u/%u/%08x", step,
				kind, m->pfx[i].addr, m->pfx[i].len, f->type, f->port, f->gw,
				e.type, e.port, e.gw);
		}
		CHECK(rc.redundant == 0);
		CHECK_MSG(rc.n_ops - ops0 == changed,
			"step %u kind %u: %" PRIu64 " ops for %u changes", step, kind,
			rc.n_ops - ops0, changed);

		for (unsigned i = 0; i < R_PEERS; i++) {
			struct rib_peer_stats st;

			rib_peer_stats(rib, i, &st);
			CHECK_MSG(st.accepted == m->peer[i].st.accepted && st.best == best[i] &&
					  st.rejected_limit == m->peer[i].st.rejected_limit &&
					  st.rejected_loop == m->peer[i].st.rejected_loop &&
					  st.withdrawn == m->peer[i].st.withdrawn,
				"step %u: peer %u stats differ", step, i);
		}
		if (step % 20 == 0) {
			struct walk_model w = {.m = m};

			ck_assert_int_eq(rib_walk(rib, walk_model_cb, &w), 0);
			ck_assert_uint_eq(w.n, rc.count);
			check_fib(rib, &rc);
		}
	}
	printf("rib randomized: %u steps (announce %u, withdraw %u, loop %u, static %u/%u, "
	       "connected %u/%u, down %u, new id %u, port %u), %" PRIu64 " ops, %zu in FIB\n",
		R_STEPS, stat_ops[0], stat_ops[1], stat_ops[2], stat_ops[3], stat_ops[4],
		stat_ops[5], stat_ops[6], stat_ops[7], stat_ops[8], stat_ops[9], rc.n_ops,
		rc.count);
	check_fib(rib, &rc);
	for (unsigned i = 0; i < R_POOL; i++)
		rib_attrs_put(m->pool[i]);
	free(before);
	free(m);
}
END_TEST

/* ------------------------------------------------ the FIB's answers */

/* Hands the queued answers to the RIB (and those its answers cause), at
 * now_ms; returns how many. */
static unsigned
deliver(uint64_t now_ms)
{
	unsigned n = 0;

	while (rc.n_ans > 0) {
		struct route_result *q = rc.ans;
		size_t k = rc.n_ans;

		/* rib_fib_result() may emit: new answers go to a fresh queue. */
		rc.ans = NULL;
		rc.n_ans = rc.cap_ans = 0;
		for (size_t i = 0; i < k; i++)
			rib_fib_result(rib, &q[i], now_ms);
		free(q);
		n += (unsigned)k;
	}
	return n;
}

/* Answers only the first n queued (the rest stay on their way). */
static void
deliver_some(size_t n, uint64_t now_ms)
{
	struct route_result *q = rc.ans;
	size_t k = rc.n_ans;

	CHECK(n <= k);
	rc.ans = NULL;
	rc.n_ans = rc.cap_ans = 0;
	for (size_t i = 0; i < n; i++)
		rib_fib_result(rib, &q[i], now_ms);
	/* The rest go back in front of what was emitted meanwhile. */
	for (size_t i = n; i < k; i++) {
		struct route_result *r;

		if (rc.n_ans == rc.cap_ans) {
			rc.cap_ans = rc.cap_ans ? rc.cap_ans * 2 : 64;
			rc.ans = realloc(rc.ans, rc.cap_ans * sizeof(*rc.ans));
			CHECK(rc.ans != NULL);
		}
		r = &rc.ans[rc.n_ans++];
		*r = q[i];
	}
	free(q);
}

static int (*view_cb)(void *, uint32_t, uint8_t, const struct rib_nexthop *, bool);
static void *view_cbarg;

static void
view_walk_one(const void *node, VISIT which, int depth)
{
	const struct rec_route *f = *(struct rec_route *const *)node;
	struct rib_nexthop nh = {.gateway = f->type == NH_GATEWAY ? f->gw : 0,
		.type = f->type,
		.port = f->port,
		.n_members = f->n_members};

	memcpy(nh.members, f->members, sizeof(nh.members));

	(void)depth;
	if (which == postorder || which == leaf)
		view_cb(view_cbarg, f->prefix, f->len, &nh, f->adjacency);
}

static int
view_walk(void *arg, int (*cb)(void *, uint32_t, uint8_t, const struct rib_nexthop *, bool),
	void *cbarg)
{
	const struct rec *r = arg;

	view_cb = cb;
	view_cbarg = cbarg;
	twalk(r->root, view_walk_one);
	return 0;
}

static struct rib_check_report
check_now(void)
{
	struct rib_fib_view v = {.walk = view_walk, .arg = &rc};
	struct rib_check_report rep;

	ck_assert_int_eq(rib_fib_check(rib, &v, &rep), 0);
	return rep;
}

static void
track(uint32_t cap_routes, uint32_t cap_nh)
{
	ck_assert_int_eq(rib_fib_track(rib), 0);
	rc.answer = true;
	rc.cap_routes = cap_routes;
	rc.cap_nh = cap_nh;
}

static struct rib_fib_stats
fstats(uint64_t now_ms)
{
	struct rib_fib_stats st;

	rib_fib_stats(rib, now_ms, &st);
	return st;
}

/*
 * The FIB refuses routes for want of room (rte_fib's tbl8 groups, say): the
 * RIB keeps them best, counts them, retries 1 s later, then at intervals
 * doubling, and at once when a route leaves the FIB; they get in then.
 */
START_TEST(fib_refused_table)
{
	struct rib_fib_stats st;
	struct rib_check_report rep;
	struct rib_attrs *a;

	track(62, 0);
	peer(rib, 0, IP(10, 0, 0, 1), 1, 1000);
	a = mk_nh(IP(10, 0, 0, 1), 65001);
	for (unsigned i = 0; i < 70; i++)
		ck_assert_int_eq(
			rib_bgp_announce(rib, 0, IP(20, 0, i, 0), 24, a, false), RIB_ACCEPTED);
	st = fstats(0);
	ck_assert_uint_eq(st.in_flight, 70);
	rep = check_now();
	ck_assert_uint_eq(rep.in_flight, 8); /* the refused ones, their answers unread */
	ck_assert_uint_eq(rep.differences, 0);
	ck_assert_uint_eq(deliver(0), 70);
	st = fstats(0);
	ck_assert_uint_eq(st.in_flight, 0);
	ck_assert_uint_eq(st.refused, 8);
	ck_assert_uint_eq(st.not_in_fib, 8);
	ck_assert_uint_eq(st.refused_table, 8);
	ck_assert_uint_eq(st.retry_in_ms, 1000);
	ck_assert_uint_eq(rc.count, 62);
	ck_assert_uint_eq(rib_size(rib), 70);
	rep = check_now();
	ck_assert_uint_eq(rep.checked, 70);
	ck_assert_uint_eq(rep.not_in_fib, 8);
	ck_assert_uint_eq(rep.differences, 0);

	/* Not before 1 s; then 2 s, 4 s apart while nothing gets in. */
	ck_assert_int_eq(rib_fib_retry(rib, 999), 0);
	ck_assert_int_eq(rib_fib_retry(rib, 1000), 8);
	deliver(1000);
	ck_assert_uint_eq(fstats(1000).refused, 8);
	ck_assert_uint_eq(fstats(1000).retry_interval_ms, 2000);
	ck_assert_int_eq(rib_fib_retry(rib, 2999), 0);
	ck_assert_int_eq(rib_fib_retry(rib, 3000), 8);
	deliver(3000);
	ck_assert_uint_eq(fstats(3000).retry_in_ms, 4000);
	ck_assert_uint_eq(fstats(3000).retries, 16);

	/* 20 withdrawn: room. The next tick sends the 8 again, and in. */
	for (unsigned i = 0; i < 20; i++)
		ck_assert_int_eq(rib_bgp_withdraw(rib, 0, IP(20, 0, i, 0), 24), 0);
	deliver(3050);
	ck_assert_uint_eq(rc.count, 42);
	ck_assert_int_eq(rib_fib_retry(rib, 3100), 8);
	deliver(3100);
	st = fstats(3100);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_eq(st.not_in_fib, 0);
	ck_assert_uint_eq(st.recovered, 8);
	ck_assert_uint_eq(rc.count, 50);
	ck_assert_int_eq(rib_fib_retry(rib, 3150), 0);
	ck_assert_uint_eq(fstats(3150).retry_in_ms, 0);
	rep = check_now();
	ck_assert_uint_eq(rep.not_in_fib + rep.differences + rep.in_flight, 0);

	/* A later refusal starts the clock again: 1 s, nothing sooner. */
	rc.cap_routes = 50;
	ck_assert_int_eq(rib_bgp_announce(rib, 0, IP(20, 0, 100, 0), 24, a, false), RIB_ACCEPTED);
	deliver(3200);
	ck_assert_uint_eq(fstats(3200).refused, 1);
	ck_assert_int_eq(rib_fib_retry(rib, 3250), 0);
	ck_assert_int_eq(rib_fib_retry(rib, 4199), 0);
	ck_assert_int_eq(rib_fib_retry(rib, 4200), 1);
	deliver(4200);
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, IP(20, 0, 100, 0), 24), 0);
	ck_assert_uint_eq(fstats(4200).refused, 0);
	rc.answer = false; /* check_fib's recorder rules */
	check_fib(rib, &rc);
	rib_attrs_put(a);
}
END_TEST

/*
 * The next-hop table is full: a better path is refused and the FIB keeps
 * the old one while it is still a path of the prefix; once the old path is
 * withdrawn the FIB must not go on forwarding to it: the prefix leaves the
 * FIB, which frees the old next hop, and the better path gets in.
 */
START_TEST(fib_refused_nexthop)
{
	const uint32_t p1 = IP(30, 1, 0, 0), p2 = IP(30, 2, 0, 0);
	const uint32_t nha = IP(10, 0, 0, 1), nhb = IP(10, 0, 0, 2), nhc = IP(10, 0, 0, 3);
	struct rib_check_report rep;
	struct pa longer = {.nh = nha, .med = -1, .lp = -1, .path_len = 3, .first_as = 65001};

	track(0, 2);
	peer(rib, 0, nha, 1, 100);
	peer(rib, 1, nhc, 2, 100);
	ck_assert_int_eq(announce(rib, 0, p1, 16, mk(&longer)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 0, p2, 16, mk_nh(nhb, 65001)), RIB_ACCEPTED);
	deliver(0);
	assert_fib_gw(p1, 16, NH_GATEWAY, 0, nha);
	/* Peer 1's path is better (shorter): no id for its next hop. */
	ck_assert_int_eq(announce(rib, 1, p1, 16, mk_nh(nhc, 65002)), RIB_ACCEPTED);
	deliver(0);
	assert_fib_gw(p1, 16, NH_GATEWAY, 0, nha);
	ck_assert_uint_eq(fstats(0).refused, 1);
	ck_assert_uint_eq(fstats(0).refused_nexthops, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.not_in_fib, 1);
	ck_assert_uint_eq(rep.differences, 0);

	/* Peer 0 withdraws: nha may not stay. Out, then in via nhc. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, p1, 16), 0);
	deliver(100);
	ck_assert_ptr_null(fib(p1, 16));
	ck_assert_uint_eq(fstats(100).refused, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.not_in_fib, 1);
	ck_assert_uint_eq(rep.differences, 0);
	ck_assert_int_eq(rib_fib_retry(rib, 150), 1);
	deliver(150);
	assert_fib_gw(p1, 16, NH_GATEWAY, 0, nhc);
	ck_assert_uint_eq(fstats(150).refused, 0);
	ck_assert_uint_eq(fstats(150).recovered, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.not_in_fib + rep.differences + rep.in_flight, 0);
}
END_TEST

/*
 * One op per prefix on its way: changes meanwhile wait for its answer and go
 * as one (a flap costs the FIB nothing); a prefix that lost its last route
 * stays until its delete is answered, so a new announcement finds it.
 */
START_TEST(fib_one_op_in_flight)
{
	const uint32_t p = IP(40, 0, 0, 0);
	struct rib_check_report rep;

	track(0, 0);
	peer(rib, 0, IP(10, 0, 0, 1), 1, 100);
	ck_assert_int_eq(announce(rib, 0, p, 8, mk_nh(IP(10, 0, 0, 1), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 0, p, 8, mk_nh(IP(10, 0, 0, 2), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 0, p, 8, mk_nh(IP(10, 0, 0, 3), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.in_flight, 1);
	ck_assert_uint_eq(rep.differences, 0);
	deliver(0);
	ck_assert_uint_eq(rc.n_ops, 2);
	assert_fib_gw(p, 8, NH_GATEWAY, 0, IP(10, 0, 0, 3));
	ck_assert_uint_eq(rib_fib_in_flight(rib), 0);

	/* Withdrawn, and back before the delete is answered. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, p, 8), 0);
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_int_eq(announce(rib, 0, p, 8, mk_nh(IP(10, 0, 0, 4), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rib_size(rib), 1);
	ck_assert_uint_eq(rc.n_ops, 3);
	deliver(0);
	ck_assert_uint_eq(rc.n_ops, 4);
	assert_fib_gw(p, 8, NH_GATEWAY, 0, IP(10, 0, 0, 4));

	/* Withdrawn for good: gone once answered. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 0, p, 8), 0);
	deliver(0);
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_ptr_null(fib(p, 8));
	rep = check_now();
	ck_assert_uint_eq(rep.checked, 0);
}
END_TEST

/* The check tells what the RIB knows (in flight, refused) from a FIB that
 * disagrees behind its back. */
START_TEST(fib_check_differences)
{
	struct rib_check_report rep;
	struct rec_route *x;
	struct rib_attrs *a;

	track(0, 0);
	peer(rib, 0, IP(10, 0, 0, 1), 1, 100);
	a = mk_nh(IP(10, 0, 0, 1), 65001);
	for (unsigned i = 0; i < 10; i++)
		ck_assert_int_eq(
			rib_bgp_announce(rib, 0, IP(50, i, 0, 0), 16, a, false), RIB_ACCEPTED);
	rib_attrs_put(a);
	ck_assert_int_eq(
		rib_local_add(rib, RIB_SRC_STATIC, IP(60, 0, 0, 0), 8, NH_BLACKHOLE, 0, 0), 0);
	deliver(0);
	rep = check_now();
	ck_assert_uint_eq(rep.checked, 11);
	ck_assert_uint_eq(rep.differences, 0);

	/* A neighbour's /32 the FIB made itself: an adjacency, no difference. */
	x = calloc(1, sizeof(*x));
	*x = (struct rec_route){.prefix = IP(10, 0, 0, 9),
		.len = 32,
		.type = NH_GATEWAY,
		.gw = IP(10, 0, 0, 9),
		.adjacency = true};
	CHECK(tsearch(x, &rc.root, rec_cmp) != NULL);
	rc.count++;
	rep = check_now();
	ck_assert_uint_eq(rep.adjacencies, 1);
	ck_assert_uint_eq(rep.differences, 0);

	/* Behind the RIB's back: a route gone, one moved, one extra. */
	x = (struct rec_route *)rec_find(&rc, IP(50, 3, 0, 0), 16);
	tdelete(x, &rc.root, rec_cmp);
	free(x);
	rc.count--;
	x = (struct rec_route *)rec_find(&rc, IP(50, 4, 0, 0), 16);
	x->gw = IP(10, 0, 0, 7);
	x = calloc(1, sizeof(*x));
	*x = (struct rec_route){
		.prefix = IP(70, 0, 0, 0), .len = 8, .type = NH_GATEWAY, .gw = IP(10, 0, 0, 1)};
	CHECK(tsearch(x, &rc.root, rec_cmp) != NULL);
	rc.count++;
	rep = check_now();
	ck_assert_uint_eq(rep.checked, 13);
	ck_assert_uint_eq(rep.differences, 3);
	ck_assert_uint_eq(rep.n_diffs, 3);
	ck_assert_uint_eq(rep.adjacencies, 1);
	for (unsigned i = 0; i < rep.n_diffs; i++) {
		const struct rib_check_diff *d = &rep.diffs[i];

		if (d->prefix == IP(50, 3, 0, 0)) {
			ck_assert_uint_eq(d->kind, RIB_DIFF_MISSING);
			ck_assert_uint_eq(d->rib.gateway, IP(10, 0, 0, 1));
		} else if (d->prefix == IP(50, 4, 0, 0)) {
			ck_assert_uint_eq(d->kind, RIB_DIFF_NEXT_HOP);
			ck_assert_uint_eq(d->fib.gateway, IP(10, 0, 0, 7));
		} else {
			ck_assert_uint_eq(d->prefix, IP(70, 0, 0, 0));
			ck_assert_uint_eq(d->kind, RIB_DIFF_EXTRA);
			ck_assert_uint_eq(d->rib.type, NH_NONE);
		}
	}
}
END_TEST

/*
 * Random changes against a FIB with little room that answers late, in
 * random bunches, and now and then a full ring: at every step the check
 * finds no difference and every op in flight has one answer on its way;
 * once room is made and the retries have run, the FIB holds exactly every
 * best route.
 */
#define T_PREFIXES 120
#define T_STEPS 4000

START_TEST(randomized_tracked)
{
	const char *env = getenv("VBR_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2654435761u + 1;
	struct rib_attrs *pool[16];
	uint32_t pfx[T_PREFIXES];
	uint8_t len[T_PREFIXES];
	uint64_t now = 0;
	unsigned retried = 0, failed = 0;

	printf("rib randomized_tracked: VBR_TEST_SEED=%" PRIu64 "\n", seed);
	rng_state = seed | 1;
	track(40 + rnd_below(60), 3 + rnd_below(5));
	for (unsigned i = 0; i < T_PREFIXES; i++) {
		len[i] = (uint8_t)(8 + rnd_below(25));
		pfx[i] = (uint32_t)(rnd() >> 32) & ~0u << (32 - len[i]);
		for (unsigned j = 0; j < i; j++)
			if (pfx[j] == pfx[i] && len[j] == len[i])
				pfx[i] ^= 1u << (32 - len[i]);
	}
	for (unsigned i = 0; i < 4; i++)
		peer(rib, i, IP(10, 0, 1, 10 + i), 1 + i, 1000);
	for (unsigned i = 0; i < 16; i++)
		pool[i] = rnd_attrs();

	for (unsigned step = 0; step < T_STEPS; step++) {
		unsigned op = rnd_below(1000), i = rnd_below(T_PREFIXES), pe = rnd_below(4);
		struct rib_check_report rep;
		bool armed = rnd_below(50) == 0;

		if (armed)
			rc.fail_next = 1;
		if (op < 450)
			rib_bgp_announce(rib, pe, pfx[i], len[i], pool[rnd_below(16)], false);
		else if (op < 700)
			rib_bgp_withdraw(rib, pe, pfx[i], len[i]);
		else if (op < 760)
			rib_local_add(rib, RIB_SRC_STATIC, pfx[i], len[i], NH_GATEWAY, 1,
				IP(10, 0, 2, 1 + rnd_below(6)));
		else if (op < 820)
			rib_local_del(rib, RIB_SRC_STATIC, pfx[i], len[i]);
		else if (op < 830)
			rib_peer_down(rib, pe);
		else if (op < 900)
			deliver_some(rc.n_ans ? rnd_below((unsigned)rc.n_ans + 1) : 0, now);
		else if (op < 950) {
			now += rnd_below(3000);
			retried += rib_fib_retry(rib, now) > 0;
		} else {
			deliver(now);
		}
		if (armed && rc.fail_next == 0) {
			failed++;
			rib_fib_sync(rib);
		}
		rc.fail_next = 0;
		CHECK_MSG(rc.n_ans == rib_fib_in_flight(rib),
			"step %u: %zu answers for %zu in flight", step, rc.n_ans,
			rib_fib_in_flight(rib));
		rep = check_now();
		CHECK_MSG(rep.differences == 0,
			"step %u: %" PRIu64
			" differences, first %08x/%u kind %u rib %u/%08x fib %u/%08x",
			step, rep.differences, rep.diffs[0].prefix, rep.diffs[0].len,
			rep.diffs[0].kind, rep.diffs[0].rib.type, rep.diffs[0].rib.gateway,
			rep.diffs[0].fib.type, rep.diffs[0].fib.gateway);
		CHECK(rc.redundant == 0);
	}

	/* Room for all: every best route gets in, by retries alone. */
	rc.cap_routes = 0;
	rc.cap_nh = 0;
	deliver(now);
	rib_fib_sync(rib);
	deliver(now);
	for (unsigned k = 0; k < 10 && fstats(now).refused > 0; k++) {
		now += RIB_RETRY_MAX_MS;
		rib_fib_retry(rib, now);
		deliver(now);
	}
	printf("rib randomized_tracked: %u steps, %" PRIu64 " ops, %" PRIu64
	       " refused, %u timely retries, %u emit failures, %zu in FIB\n",
		T_STEPS, rc.n_ops, rc.refused, retried, failed, rc.count);
	ck_assert_uint_eq(fstats(now).refused, 0);
	rc.answer = false;
	check_fib(rib, &rc);
	for (unsigned i = 0; i < 16; i++)
		rib_attrs_put(pool[i]);
}
END_TEST

/* ------------------------------------------------------- hash flooding */

/* SipHash's reference vector (key 00..0f, message 00..07, SipHash-2-4)
 * checks the rounds that SipHash-1-3 repeats fewer times. */
/* ------------------------------------------------------------ multipath */

/* The group the recorder's FIB holds for prefix/len is exactly gw[0..n)
 * (any order), on port 0. */
static void
assert_fib_group(uint32_t prefix, uint8_t len, const uint32_t *gw, unsigned n)
{
	const struct rec_route *f = fib(prefix, len);
	uint32_t want[ROUTE_OP_MAX_GW];

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->type, NH_GROUP);
	ck_assert_uint_eq(f->port, 0);
	memcpy(want, gw, n * sizeof(gw[0]));
	ck_assert_uint_eq(route_group_sort(want, n), n);
	ck_assert_uint_eq(f->n_members, n);
	ck_assert_mem_eq(f->members, want, n * sizeof(want[0]));
}

static struct rib_attrs *
mk_path(uint32_t nh, uint32_t first_as, unsigned path_len, int64_t med)
{
	struct pa p = {.nh = nh, .med = med, .lp = -1, .path_len = path_len, .first_as = first_as};

	return mk(&p);
}

#define MP_P IP(192, 168, 100, 0)
#define GW(i) IP(10, 0, 0, 2 + (i))

/* Peers 0..n-1 at 10.0.0.2.., their BGP identifiers descending: the
 * tie-breaks rank peer n-1 first. */
static void
mp_peers(unsigned n)
{
	rib_set_bgp_port(rib, 0);
	for (unsigned i = 0; i < n; i++)
		peer(rib, i, GW(i), 100 - i, 100);
}

/* Equal paths from the same neighbouring AS: with multipath 1 (the default)
 * the best alone, as ever; with N, the best N as one group, in one op per
 * change of the set; a withdrawal or a session down shrinks it, down to a
 * plain next hop. */
START_TEST(multipath_equal_paths)
{
	mp_peers(4);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_nh(GW(0), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_nh(GW(1), 65001)), RIB_ACCEPTED);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(1)); /* the lower identifier */
	ck_assert_uint_eq(rc.n_ops, 2);
	ck_assert_uint_eq(rib_best_gateways(rib, MP_P, 24, (uint32_t[8]){0}), 0);

	ck_assert_int_eq(rib_set_multipath(rib, 2, false), 0);
	ck_assert_uint_eq(rc.n_ops, 3);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	check_fib(rib, &rc);
	/* The same again: nothing to send. */
	ck_assert_int_eq(rib_set_multipath(rib, 2, false), 0);
	ck_assert_uint_eq(rc.n_ops, 3);

	/* A third equal path, better ranked: the limit keeps the best two. */
	ck_assert_int_eq(announce(rib, 2, MP_P, 24, mk_nh(GW(2), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 4);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(1), GW(2)}, 2);
	{
		uint32_t gw[ROUTE_OP_MAX_GW];

		/* Best first, then the tie-breaks' order. */
		ck_assert_uint_eq(rib_best_gateways(rib, MP_P, 24, gw), 2);
		ck_assert_uint_eq(gw[0], GW(2));
		ck_assert_uint_eq(gw[1], GW(1));
	}
	ck_assert_int_eq(rib_set_multipath(rib, 8, false), 0);
	ck_assert_int_eq(announce(rib, 3, MP_P, 24, mk_nh(GW(3), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 6);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1), GW(2), GW(3)}, 4);

	/* Shrinking: one op each. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 1, MP_P, 24), 0);
	ck_assert_uint_eq(rc.n_ops, 7);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(2), GW(3)}, 3);
	rib_peer_down(rib, 3);
	ck_assert_uint_eq(rc.n_ops, 8);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(2)}, 2);
	rib_peer_down(rib, 2);
	ck_assert_uint_eq(rc.n_ops, 9);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(0));
	/* Back to 1 with two paths: the best alone. */
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_nh(GW(1), 65001)), RIB_ACCEPTED);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	ck_assert_int_eq(rib_set_multipath(rib, 1, false), 0);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(1));
	ck_assert_int_eq(rib_set_multipath(rib, 0, false), -EINVAL);
	ck_assert_int_eq(rib_set_multipath(rib, 9, false), -EINVAL);
	check_fib(rib, &rc);
}
END_TEST

/* Paths that the decision process tells apart before its tie-breaks are
 * not multipath: a longer AS_PATH, a worse ORIGIN, a higher MED from the
 * same neighbouring AS. */
START_TEST(multipath_unequal_paths)
{
	struct pa worse_origin = {.nh = GW(1),
		.origin = BGP_ORIGIN_EGP,
		.med = -1,
		.lp = -1,
		.path_len = 1,
		.first_as = 65001};

	mp_peers(2);
	ck_assert_int_eq(rib_set_multipath(rib, 8, false), 0);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_path(GW(0), 65001, 1, -1)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_path(GW(1), 65001, 2, -1)), RIB_ACCEPTED);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(0));
	/* Equal length now: ECMP. */
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_path(GW(1), 65001, 1, -1)), RIB_ACCEPTED);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk(&worse_origin)), RIB_ACCEPTED);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(0));
	/* MED: from the same AS, the lower alone; equal MEDs share. */
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_path(GW(0), 65001, 1, 20)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_path(GW(1), 65001, 1, 10)), RIB_ACCEPTED);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(1));
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_path(GW(0), 65001, 1, 10)), RIB_ACCEPTED);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	check_fib(rib, &rc);
}
END_TEST

/* Different neighbouring ASes: not multipath, unless multipath_relax; then
 * MED, compared only within an AS, does not split them. */
START_TEST(multipath_neighbor_as)
{
	mp_peers(3);
	ck_assert_int_eq(rib_set_multipath(rib, 4, false), 0);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_path(GW(0), 65001, 2, 5)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_path(GW(1), 65002, 2, 50)), RIB_ACCEPTED);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(1)); /* tie-break: the lower identifier */
	ck_assert_int_eq(rib_set_multipath(rib, 4, true), 0);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	/* Within the best's AS as ever, and the relaxed ones beside. */
	ck_assert_int_eq(announce(rib, 2, MP_P, 24, mk_path(GW(2), 65002, 2, 40)), RIB_ACCEPTED);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(2)}, 2);
	ck_assert_int_eq(rib_set_multipath(rib, 4, false), 0);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(2));
	check_fib(rib, &rc);
}
END_TEST

/* One member per next hop: two sessions announcing the same third-party
 * next hop are one member. */
START_TEST(multipath_distinct_next_hops)
{
	mp_peers(3);
	ck_assert_int_eq(rib_set_multipath(rib, 8, false), 0);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_nh(GW(5), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_nh(GW(5), 65001)), RIB_ACCEPTED);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(5));
	ck_assert_int_eq(announce(rib, 2, MP_P, 24, mk_nh(GW(2), 65001)), RIB_ACCEPTED);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(5), GW(2)}, 2);
	check_fib(rib, &rc);
}
END_TEST

/* A static route through several next hops: one group, beating BGP's; the
 * same set on two prefixes is one group of the RIB's; repeats refused. */
START_TEST(static_next_hops)
{
	const uint32_t two[2] = {IP(172, 16, 0, 3), IP(172, 16, 0, 2)};
	uint32_t gw[ROUTE_OP_MAX_GW];

	mp_peers(2);
	ck_assert_int_eq(rib_set_multipath(rib, 2, false), 0);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_nh(GW(0), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_nh(GW(1), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(rib_local_add_group(rib, RIB_SRC_STATIC, MP_P, 24, 0, two, 2), 0);
	assert_fib_group(MP_P, 24, two, 2);
	ck_assert_uint_eq(rib_best_gateways(rib, MP_P, 24, gw), 2);
	ck_assert_uint_eq(gw[0], two[0]); /* the config's order */
	ck_assert_int_eq(
		rib_local_add_group(rib, RIB_SRC_STATIC, IP(10, 9, 0, 0), 16, 0, two, 2), 0);
	assert_fib_group(IP(10, 9, 0, 0), 16, two, 2);
	check_fib(rib, &rc);
	/* Replaced by one gateway, then gone: BGP's group is back. */
	ck_assert_int_eq(
		rib_local_add_group(rib, RIB_SRC_STATIC, MP_P, 24, 0, (uint32_t[]){GW(7)}, 1), 0);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(7));
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_STATIC, MP_P, 24), 0);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_STATIC, IP(10, 9, 0, 0), 16), 0);
	ck_assert_ptr_null(fib(IP(10, 9, 0, 0), 16));
	ck_assert_int_eq(rib_local_add_group(
				 rib, RIB_SRC_STATIC, MP_P, 24, 0, (uint32_t[]){GW(1), GW(1)}, 2),
		-EINVAL);
	ck_assert_int_eq(rib_local_add_group(rib, RIB_SRC_STATIC, MP_P, 24, 0, two, 9), -EINVAL);
	check_fib(rib, &rc);
}
END_TEST

/* With the FIB's answers: a group is answered by its digest, the check
 * compares members, and a change while one op is on its way coalesces. */
START_TEST(multipath_tracked)
{
	struct rib_check_report rep;

	track(0, 0);
	mp_peers(3);
	ck_assert_int_eq(rib_set_multipath(rib, 3, false), 0);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_nh(GW(0), 65001)), RIB_ACCEPTED);
	deliver(0);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_nh(GW(1), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 2, MP_P, 24, mk_nh(GW(2), 65001)), RIB_ACCEPTED);
	ck_assert_uint_eq(rc.n_ops, 2); /* one on its way */
	rep = check_now();
	ck_assert_uint_eq(rep.in_flight, 1);
	deliver(0);
	ck_assert_uint_eq(rc.n_ops, 3);
	deliver(0);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1), GW(2)}, 3);
	rep = check_now();
	ck_assert_uint_eq(rep.differences, 0);
	ck_assert_uint_eq(rep.in_flight, 0);
	ck_assert_uint_eq(fstats(0).not_in_fib, 0);

	/* The check sees a FIB group that differs from the RIB's. */
	{
		struct rec_route *x = (struct rec_route *)fib(MP_P, 24);

		x->members[2] = GW(6);
		rep = check_now();
		ck_assert_uint_eq(rep.differences, 1);
		ck_assert_uint_eq(rep.diffs[0].kind, RIB_DIFF_NEXT_HOP);
		ck_assert_uint_eq(rep.diffs[0].rib.n_members, 3);
		ck_assert_uint_eq(rep.diffs[0].fib.members[2], GW(6));
		x->members[2] = GW(2);
	}
	rib_peer_down(rib, 1);
	deliver(0);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(2)}, 2);
	ck_assert_uint_eq(check_now().differences, 0);
}
END_TEST

/* ------------------------------------------- groups the FIB cannot hold */

/*
 * The FIB has no group left for a prefix's set: the prefix goes in at once
 * by its best path alone, counted as degraded (neither refused nor a
 * difference); its group is tried again on the refusals' schedule, and
 * gets in as soon as a group frees.
 */
START_TEST(group_refused_best_alone)
{
	const uint32_t p2 = IP(192, 168, 101, 0);
	struct rib_check_report rep;
	struct rib_fib_stats st;
	uint64_t ops;

	track(0, 0);
	rc.cap_groups = 1;
	mp_peers(3);
	ck_assert_int_eq(rib_set_multipath(rib, 3, false), 0);
	ck_assert_int_eq(announce(rib, 0, MP_P, 24, mk_nh(GW(0), 65001)), RIB_ACCEPTED);
	ck_assert_int_eq(announce(rib, 1, MP_P, 24, mk_nh(GW(1), 65001)), RIB_ACCEPTED);
	deliver(0);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	ck_assert_uint_eq(fstats(0).groups, 1);

	/* A new prefix whose first op is its group {GW0, GW2} (the ring was
	 * full meanwhile): refused, and GW2, its best, alone at once. */
	rc.fail_next = 2;
	ck_assert_int_eq(announce(rib, 0, p2, 24, mk_nh(GW(0), 65001)), -ENOMEM);
	ck_assert_int_eq(announce(rib, 2, p2, 24, mk_nh(GW(2), 65001)), -ENOMEM);
	ck_assert_int_eq(rib_fib_sync(rib), 0);
	ck_assert_uint_eq(rc.n_ans, 1);
	deliver(0);
	assert_fib_gw(p2, 24, NH_GATEWAY, 0, GW(2));
	st = fstats(0);
	ck_assert_uint_eq(st.groups_degraded, 1);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_eq(st.not_in_fib, 0);
	ck_assert_uint_eq(st.refused_nexthops, 1);
	ck_assert_uint_eq(st.retry_in_ms, 1000);
	rep = check_now();
	ck_assert_uint_eq(rep.degraded, 1);
	ck_assert_uint_eq(rep.differences + rep.not_in_fib + rep.in_flight, 0);

	/* Tried again at 1 s: refused again; GW2 stays, no other op. */
	ops = rc.n_ops;
	ck_assert_int_eq(rib_fib_retry(rib, 999), 0);
	ck_assert_int_eq(rib_fib_retry(rib, 1000), 1);
	deliver(1000);
	ck_assert_uint_eq(rc.n_ops, ops + 1);
	assert_fib_gw(p2, 24, NH_GATEWAY, 0, GW(2));
	ck_assert_uint_eq(fstats(1000).groups_degraded, 1);
	ck_assert_uint_eq(fstats(1000).retry_interval_ms, 2000);

	/* MP_P's group goes (peer 1 withdraws): the next tick, not the
	 * timer, brings p2's group in. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 1, MP_P, 24), 0);
	deliver(1100);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(0));
	ck_assert_int_eq(rib_fib_retry(rib, 1150), 1);
	deliver(1150);
	assert_fib_group(p2, 24, (uint32_t[]){GW(0), GW(2)}, 2);
	st = fstats(1150);
	ck_assert_uint_eq(st.groups_degraded, 0);
	ck_assert_uint_eq(st.groups, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.degraded + rep.differences + rep.not_in_fib + rep.in_flight, 0);
	rc.answer = false;
	check_fib(rib, &rc);
}
END_TEST

/*
 * A member of a prefix's group loses its path (its peer went down: BFD,
 * hold timer) and the FIB has no group for the smaller set: the old group
 * must not stay, or the lost member's flows go to a dead router until its
 * ARP entry expires. The best path alone replaces it at once; the smaller
 * group follows once it fits.
 */
START_TEST(group_member_lost_refused)
{
	struct rib_check_report rep;
	struct rib_fib_stats st;

	track(0, 0);
	rc.cap_groups = 1;
	mp_peers(3);
	ck_assert_int_eq(rib_set_multipath(rib, 3, false), 0);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(announce(rib, i, MP_P, 24, mk_nh(GW(i), 65001)), RIB_ACCEPTED);
	deliver(0);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(1), GW(2)}, 3);

	rib_peer_down(rib, 1);
	ck_assert_uint_eq(rc.n_ans, 1); /* {GW0, GW2}, on its way */
	deliver(100);
	assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, GW(2));
	st = fstats(100);
	ck_assert_uint_eq(st.groups_degraded, 1);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_eq(st.refused_nexthops, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.degraded, 1);
	ck_assert_uint_eq(rep.differences + rep.not_in_fib + rep.in_flight, 0);

	/* The old group left the FIB: room, at the next tick. */
	ck_assert_int_eq(rib_fib_retry(rib, 150), 1);
	deliver(150);
	assert_fib_group(MP_P, 24, (uint32_t[]){GW(0), GW(2)}, 2);
	ck_assert_uint_eq(fstats(150).groups_degraded, 0);
	ck_assert_uint_eq(fstats(150).recovered, 1);
	rep = check_now();
	ck_assert_uint_eq(rep.degraded + rep.differences + rep.not_in_fib + rep.in_flight, 0);
}
END_TEST

/* The same for a static route's next_hops when a member's track goes down:
 * the first of the remaining next hops (the config's order) carries it. */
START_TEST(static_group_member_lost_refused)
{
	const uint32_t x = IP(172, 16, 0, 3), y = IP(172, 16, 0, 2), z = IP(172, 16, 0, 4);
	const uint32_t p = IP(10, 9, 0, 0);

	track(0, 0);
	rc.cap_groups = 1;
	ck_assert_int_eq(
		rib_local_add_group(rib, RIB_SRC_STATIC, p, 16, 0, (uint32_t[]){x, y, z}, 3), 0);
	deliver(0);
	assert_fib_group(p, 16, (uint32_t[]){x, y, z}, 3);
	ck_assert_int_eq(
		rib_local_add_group(rib, RIB_SRC_STATIC, p, 16, 0, (uint32_t[]){z, x}, 2), 0);
	deliver(10);
	assert_fib_gw(p, 16, NH_GATEWAY, 0, z);
	ck_assert_uint_eq(fstats(10).groups_degraded, 1);
	ck_assert_uint_eq(check_now().degraded, 1);
	ck_assert_uint_eq(check_now().differences, 0);
	ck_assert_int_eq(rib_fib_retry(rib, 20), 1);
	deliver(20);
	assert_fib_group(p, 16, (uint32_t[]){x, z}, 2);
	ck_assert_uint_eq(fstats(20).groups_degraded, 0);
}
END_TEST

static void
announce_set(uint32_t p, const unsigned *peers, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(
			announce(rib, peers[i], p, 24, mk_nh(GW(peers[i]), 65001)), RIB_ACCEPTED);
	deliver(0);
}

/*
 * The RIB asks the FIB for at most its limit of distinct groups: a prefix
 * with a new BGP set past it goes to the FIB by its best path alone,
 * counted as degraded, and the FIB is not even asked; sets in use are
 * shared at no cost; a static route's next_hops are never held back; once
 * sets free, the degraded prefixes get their groups at the next retry.
 */
START_TEST(group_limit)
{
	const uint32_t pa = IP(192, 168, 1, 0), pb = IP(192, 168, 2, 0), pc = IP(192, 168, 3, 0);
	const uint32_t pd = IP(192, 168, 4, 0), ps = IP(172, 20, 0, 0);
	struct rib_check_report rep;
	struct rib_fib_stats st;

	track(0, 0);
	mp_peers(4);
	ck_assert_uint_eq(fstats(0).groups_limit, RIB_GROUPS_DEFAULT);
	ck_assert_int_eq(rib_set_multipath(rib, 4, false), 0);
	ck_assert_int_eq(rib_set_group_limit(rib, 2), 0);
	ck_assert_uint_eq(fstats(0).groups_limit, 2);
	announce_set(pa, (unsigned[]){0, 1}, 2);
	announce_set(pb, (unsigned[]){0, 2}, 2);
	announce_set(pc, (unsigned[]){0, 3}, 2);
	announce_set(pd, (unsigned[]){1, 0}, 2);
	assert_fib_group(pa, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	assert_fib_group(pb, 24, (uint32_t[]){GW(0), GW(2)}, 2);
	assert_fib_gw(pc, 24, NH_GATEWAY, 0, GW(3)); /* its best */
	assert_fib_group(pd, 24, (uint32_t[]){GW(0), GW(1)}, 2);
	ck_assert_uint_eq(rc.refused, 0); /* the FIB was not asked */
	st = fstats(0);
	ck_assert_uint_eq(st.groups, 2);
	ck_assert_uint_eq(st.groups_degraded, 1);
	ck_assert_uint_eq(st.refused + st.not_in_fib, 0);
	rep = check_now();
	ck_assert_uint_eq(rep.degraded, 1);
	ck_assert_uint_eq(rep.differences, 0);

	/* Static next_hops: never held back by BGP's limit. */
	ck_assert_int_eq(rib_local_add_group(rib, RIB_SRC_STATIC, ps, 16, 0,
				 (uint32_t[]){IP(172, 16, 0, 2), IP(172, 16, 0, 3)}, 2),
		0);
	deliver(0);
	assert_fib_group(ps, 16, (uint32_t[]){IP(172, 16, 0, 2), IP(172, 16, 0, 3)}, 2);
	ck_assert_uint_eq(fstats(0).groups, 3);

	/* pb's set goes, but with the static one the RIB is at its limit. */
	ck_assert_int_eq(rib_bgp_withdraw(rib, 2, pb, 24), 0);
	deliver(10);
	ck_assert_uint_eq(fstats(10).groups, 2);
	ck_assert_int_eq(rib_fib_retry(rib, 20), 0);
	assert_fib_gw(pc, 24, NH_GATEWAY, 0, GW(3));
	ck_assert_uint_eq(fstats(20).groups_degraded, 1);

	/* The static route goes: room for pc's set, at the next tick. */
	ck_assert_int_eq(rib_local_del(rib, RIB_SRC_STATIC, ps, 16), 0);
	deliver(30);
	ck_assert_int_eq(rib_fib_retry(rib, 40), 1);
	deliver(40);
	assert_fib_group(pc, 24, (uint32_t[]){GW(0), GW(3)}, 2);
	st = fstats(40);
	ck_assert_uint_eq(st.groups, 2);
	ck_assert_uint_eq(st.groups_degraded, 0);
	rep = check_now();
	ck_assert_uint_eq(rep.degraded + rep.differences + rep.not_in_fib + rep.in_flight, 0);

	/* A set a prefix holds alone may change within the limit: it gives
	 * its own group back. */
	ck_assert_int_eq(announce(rib, 2, pc, 24, mk_nh(GW(2), 65001)), RIB_ACCEPTED);
	deliver(50);
	assert_fib_group(pc, 24, (uint32_t[]){GW(0), GW(2), GW(3)}, 3);
	ck_assert_uint_eq(fstats(50).groups_degraded, 0);
	ck_assert_int_eq(rib_set_group_limit(rib, RIB_GROUPS_DEFAULT), 0);
	rc.answer = false;
	check_fib(rib, &rc);
}
END_TEST

/*
 * Random changes of multipath sets, with a FIB of few groups that answers
 * late and a RIB limit of few groups: at every step no difference and one
 * answer per op in flight; whenever nothing is on its way, every group in
 * the FIB is exactly the set its prefix wants (none keeps a member the
 * RIB lost); once room is made, every prefix gets its group back.
 */
#define G_PREFIXES 40
#define G_STEPS 4000

static void
assert_groups_exact(const uint32_t *pfx, unsigned step)
{
	for (unsigned i = 0; i < G_PREFIXES; i++) {
		const struct rec_route *f = fib(pfx[i], 24);
		uint32_t gw[ROUTE_OP_MAX_GW];
		unsigned n;

		if (f == NULL || f->type != NH_GROUP)
			continue;
		n = rib_best_gateways(rib, pfx[i], 24, gw);
		n = route_group_sort(gw, n);
		CHECK_MSG(n == f->n_members && memcmp(gw, f->members, n * sizeof(gw[0])) == 0,
			"step %u: %08x/24 holds a group of %u, wants %u", step, pfx[i],
			f->n_members, n);
	}
}

START_TEST(randomized_groups)
{
	const char *env = getenv("VBR_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2654435761u + 7;
	struct rib_attrs *pool[10];
	uint32_t pfx[G_PREFIXES];
	uint64_t now = 0;
	unsigned settled = 0, degraded_seen = 0;

	printf("rib randomized_groups: VBR_TEST_SEED=%" PRIu64 "\n", seed);
	rng_state = seed | 1;
	track(0, 0);
	rc.cap_groups = 1 + rnd_below(4);
	ck_assert_int_eq(rib_set_group_limit(rib, 1 + rnd_below(5)), 0);
	ck_assert_int_eq(rib_set_multipath(rib, 2 + rnd_below(3), rnd_below(2)), 0);
	mp_peers(5);
	for (unsigned i = 0; i < G_PREFIXES; i++)
		pfx[i] = IP(192, 168, i, 0);
	for (unsigned i = 0; i < 10; i++)
		pool[i] = mk_path(
			GW(rnd_below(5)), 65001 + rnd_below(2), 1 + (rnd_below(4) == 0), -1);

	for (unsigned step = 0; step < G_STEPS; step++) {
		unsigned op = rnd_below(1000), i = rnd_below(G_PREFIXES), pe = rnd_below(5);
		struct rib_check_report rep;

		if (op < 420) {
			rib_bgp_announce(rib, pe, pfx[i], 24, pool[rnd_below(10)], false);
		} else if (op < 620) {
			rib_bgp_withdraw(rib, pe, pfx[i], 24);
		} else if (op < 660) {
			uint32_t gw[3] = {IP(172, 16, 0, 2), GW(rnd_below(5)), IP(172, 16, 0, 3)};
			unsigned n = 2 + rnd_below(2);

			if (rnd_below(2))
				gw[0] = GW(rnd_below(5));
			if (route_group_sort((uint32_t[]){gw[0], gw[1], gw[2]}, n) == n)
				rib_local_add_group(rib, RIB_SRC_STATIC, pfx[i], 24, 0, gw, n);
		} else if (op < 700) {
			rib_local_del(rib, RIB_SRC_STATIC, pfx[i], 24);
		} else if (op < 715) {
			rib_peer_down(rib, pe);
		} else if (op < 850) {
			deliver_some(rc.n_ans ? rnd_below((unsigned)rc.n_ans + 1) : 0, now);
		} else if (op < 920) {
			now += rnd_below(3000);
			rib_fib_retry(rib, now);
		} else {
			deliver(now);
		}
		CHECK_MSG(rc.n_ans == rib_fib_in_flight(rib),
			"step %u: %zu answers for %zu in flight", step, rc.n_ans,
			rib_fib_in_flight(rib));
		rep = check_now();
		CHECK_MSG(rep.differences == 0,
			"step %u: %" PRIu64 " differences, first %08x/%u kind %u rib %u/%08x "
			"(%u members) fib %u/%08x (%u members)",
			step, rep.differences, rep.diffs[0].prefix, rep.diffs[0].len,
			rep.diffs[0].kind, rep.diffs[0].rib.type, rep.diffs[0].rib.gateway,
			rep.diffs[0].rib.n_members, rep.diffs[0].fib.type, rep.diffs[0].fib.gateway,
			rep.diffs[0].fib.n_members);
		CHECK(rc.redundant == 0);
		if (rc.n_ans == 0) {
			CHECK_MSG(rep.degraded == fstats(now).groups_degraded,
				"step %u: the check finds %" PRIu64
				" degraded, the RIB counts %" PRIu64,
				step, rep.degraded, fstats(now).groups_degraded);
			settled++;
			degraded_seen += rep.degraded > 0;
			assert_groups_exact(pfx, step);
		}
	}

	/* Room for all: every prefix gets its group, by retries alone. */
	rc.cap_groups = 0;
	ck_assert_int_eq(rib_set_group_limit(rib, RIB_GROUPS_DEFAULT), 0);
	deliver(now);
	for (unsigned k = 0; k < 10 && (fstats(now).groups_degraded > 0 || fstats(now).refused > 0);
		k++) {
		now += RIB_RETRY_MAX_MS;
		rib_fib_retry(rib, now);
		deliver(now);
	}
	printf("rib randomized_groups: %u steps, %" PRIu64 " ops, %" PRIu64
	       " refused, %u settled, %u of them with degraded prefixes, %zu in FIB\n",
		G_STEPS, rc.n_ops, rc.refused, settled, degraded_seen, rc.count);
	ck_assert_uint_eq(fstats(now).groups_degraded, 0);
	ck_assert_uint_eq(fstats(now).refused, 0);
	assert_groups_exact(pfx, G_STEPS);
	for (unsigned i = 0; i < G_PREFIXES; i++) {
		uint32_t gw[ROUTE_OP_MAX_GW];
		const struct rec_route *f = fib(pfx[i], 24);

		if (rib_best_gateways(rib, pfx[i], 24, gw) > 1)
			CHECK(f != NULL && f->type == NH_GROUP);
	}
	rc.answer = false;
	check_fib(rib, &rc);
	for (unsigned i = 0; i < 10; i++)
		rib_attrs_put(pool[i]);
}
END_TEST

/* Multipath against its definition, on random paths: the set is the
 * paths of the best LOCAL_PREF, then shortest AS_PATH, then lowest ORIGIN,
 * less those with a higher MED than another from their neighbouring AS;
 * the best first (lowest identifier, address, slot), then those of the
 * best's AS (any AS with relax) in that order, one per next hop, at most
 * N. Written apart from rib_decide.c: sorting, not bit masks. */
#define MPR_PEERS 6

struct mpr_path {
	bool on;
	uint32_t nh, nas, med;
	bool has_med;
	unsigned len, origin;
};

static int
mpr_rank_cmp(const void *a, const void *b)
{
	const unsigned *x = a, *y = b;

	/* Identifiers 50 - slot: the higher slot ranks first. */
	return (int)*y - (int)*x;
}

static unsigned
mpr_expect(const struct mpr_path *ps, unsigned n_max, bool relax, uint32_t *gw)
{
	unsigned cand[MPR_PEERS], nc = 0, minlen = ~0u, minorig = ~0u, k = 0, best;
	unsigned keep[MPR_PEERS], nk = 0;

	for (unsigned i = 0; i < MPR_PEERS; i++)
		if (ps[i].on && ps[i].len < minlen)
			minlen = ps[i].len;
	for (unsigned i = 0; i < MPR_PEERS; i++)
		if (ps[i].on && ps[i].len == minlen && ps[i].origin < minorig)
			minorig = ps[i].origin;
	for (unsigned i = 0; i < MPR_PEERS; i++)
		if (ps[i].on && ps[i].len == minlen && ps[i].origin == minorig)
			cand[nc++] = i;
	for (unsigned a = 0; a < nc; a++) {
		bool beaten = false;

		for (unsigned b = 0; b < nc; b++)
			beaten |= ps[cand[b]].nas == ps[cand[a]].nas &&
				  (ps[cand[b]].has_med ? ps[cand[b]].med : 0) <
					  (ps[cand[a]].has_med ? ps[cand[a]].med : 0);
		if (!beaten)
			keep[nk++] = cand[a];
	}
	if (nk == 0)
		return 0;
	qsort(keep, nk, sizeof(keep[0]), mpr_rank_cmp);
	best = keep[0];
	for (unsigned a = 0; a < nk && k < n_max; a++) {
		const struct mpr_path *q = &ps[keep[a]];
		bool dup = false;

		if (!relax && q->nas != ps[best].nas)
			continue;
		for (unsigned j = 0; j < k; j++)
			dup |= gw[j] == q->nh;
		if (!dup)
			gw[k++] = q->nh;
	}
	return k;
}

START_TEST(multipath_randomized)
{
	struct mpr_path ps[MPR_PEERS] = {0};
	unsigned steps = 3000, groups = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	rib_set_bgp_port(rib, 0);
	for (unsigned i = 0; i < MPR_PEERS; i++)
		peer(rib, i, GW(i), 50 - i, 100);
	for (unsigned step = 0; step < steps; step++) {
		unsigned i = rnd_below(MPR_PEERS), n_max = 1 + rnd_below(4);
		bool relax = rnd_below(2);
		uint32_t want[ROUTE_OP_MAX_GW], got[ROUTE_OP_MAX_GW];
		unsigned nw, ng;

		if (rnd_below(4) == 0) {
			ps[i].on = false;
			ck_assert_int_eq(rib_bgp_withdraw(rib, i, MP_P, 24), 0);
		} else {
			struct pa a = {.nh = GW(rnd_below(4)),
				.origin = (uint8_t)rnd_below(2),
				.med = rnd_below(3) == 0 ? -1 : 10 * (int64_t)rnd_below(2),
				.lp = -1,
				.path_len = 1 + rnd_below(2),
				.first_as = 65001 + rnd_below(2)};

			ps[i] = (struct mpr_path){.on = true,
				.nh = a.nh,
				.nas = a.first_as,
				.med = a.med < 0 ? 0 : (uint32_t)a.med,
				.has_med = a.med >= 0,
				.len = a.path_len,
				.origin = a.origin};
			ck_assert_int_eq(announce(rib, i, MP_P, 24, mk(&a)), RIB_ACCEPTED);
		}
		ck_assert_int_eq(rib_set_multipath(rib, n_max, relax), 0);
		nw = mpr_expect(ps, n_max, relax, want);
		ng = rib_best_gateways(rib, MP_P, 24, got);
		if (nw > 1) {
			ck_assert_msg(ng == nw, "step %u: %u gateways, want %u", step, ng, nw);
			ck_assert_mem_eq(got, want, nw * sizeof(want[0]));
			assert_fib_group(MP_P, 24, want, nw);
			groups++;
		} else {
			ck_assert_uint_eq(ng, 0);
			if (nw == 1)
				assert_fib_gw(MP_P, 24, NH_GATEWAY, 0, want[0]);
			else
				ck_assert_ptr_null(fib(MP_P, 24));
		}
	}
	printf("rib multipath randomized: %u steps, %u with a group\n", steps, groups);
	ck_assert_uint_gt(groups, steps / 10);
	check_fib(rib, &rc);
}
END_TEST

START_TEST(siphash_vector)
{
	const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

	ck_assert_uint_eq(siphash_u64(key, 0x0706050403020100ull, 2, 4), 0x93f5f5799a932462ull);
	ck_assert_uint_ne(siphash13_u64(key, 0x0706050403020100ull), 0x93f5f5799a932462ull);
}
END_TEST

/*
 * A peer that knows the index's hash announces prefixes that all land in one
 * cluster: with an unkeyed hash every insert, lookup and delete walks it
 * (quadratic in the number of prefixes, while the control thread sends no
 * keepalives). Keyed per process, their probes stay as short as anyone's.
 */
#define COLLIDE_N 4000
#define COLLIDE_MAX_PROBE 200

START_TEST(hash_collisions)
{
	uint32_t *p = malloc(COLLIDE_N * sizeof(*p)), probe;
	struct rib_attrs *a;

	ck_assert_ptr_nonnull(p);
	rib_collide_prefixes(p, COLLIDE_N);
	rc.count_only = true;
	peer(rib, 0, IP(10, 0, 0, 1), 1, COLLIDE_N);
	a = mk_nh(IP(10, 0, 0, 1), 65001);
	for (unsigned i = 0; i < COLLIDE_N; i++)
		CHECK(rib_bgp_announce(rib, 0, p[i], 32, a, false) == RIB_ACCEPTED);
	rib_attrs_put(a);
	ck_assert_uint_eq(rib_size(rib), COLLIDE_N);
	probe = rib_hash_max_probe(rib);
	ck_assert_msg(probe <= COLLIDE_MAX_PROBE,
		"%u prefixes chosen against the unkeyed hash: the longest probe is %u slots "
		"(at most %u expected)",
		COLLIDE_N, probe, COLLIDE_MAX_PROBE);
	for (unsigned i = 0; i < COLLIDE_N; i++)
		CHECK(rib_bgp_withdraw(rib, 0, p[i], 32) == 0);
	ck_assert_uint_eq(rib_size(rib), 0);
	free(p);
}
END_TEST

/* ---------------------------------------------------------------- scale */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(scale_1m)
{
	const unsigned n = 1000000, per_update = 500;
	struct rib_attrs *a = NULL;
	struct rib_peer_stats st;
	struct rusage ru;
	double t0, t1, t2, t3;

	rc.count_only = true;
	peer(rib, 0, IP(10, 0, 0, 1), 1, 2000000);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		if (i % per_update == 0) {
			rib_attrs_put(a);
			a = mk_nh(IP(10, 0, 0, 1 + (i / per_update) % 4), 65001);
		}
		/* /24s from 1.0.0.0 upwards. */
		CHECK(rib_bgp_announce(rib, 0, (1u << 24) + (i << 8), 24, a, false) ==
			RIB_ACCEPTED);
	}
	rib_attrs_put(a);
	t1 = now_s();
	ck_assert_uint_eq(rib_size(rib), n);
	ck_assert_uint_eq(rc.n_add, n);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, n);
	ck_assert_uint_eq(st.best, n);

	/* Lookups of what is there. */
	a = mk_nh(IP(10, 0, 0, 9), 65001);
	for (unsigned i = 0; i < n; i += 1000)
		CHECK(rib_bgp_announce(rib, 0, (1u << 24) + (i << 8), 24, a, false) ==
			RIB_ACCEPTED);
	rib_attrs_put(a);
	t2 = now_s();
	getrusage(RUSAGE_SELF, &ru);

	rib_peer_down(rib, 0);
	t3 = now_s();
	ck_assert_uint_eq(rib_size(rib), 0);
	ck_assert_uint_eq(rc.n_del, n);
	rib_peer_stats(rib, 0, &st);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.best, 0);
	printf("rib scale: %u prefixes announced in %.3f s (%.0f ns each), "
	       "peer down in %.3f s (%.0f ns each), max RSS %ld MiB\n",
		n, t1 - t0, (t1 - t0) * 1e9 / n, t3 - t2, (t3 - t2) * 1e9 / n, ru.ru_maxrss / 1024);
}
END_TEST

static Suite *
rib_suite(void)
{
	Suite *s = suite_create("rib");
	TCase *tc = tcase_create("core");
	TCase *tr = tcase_create("randomized");
	TCase *ts = tcase_create("scale");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, attrs_new);
	tcase_add_test(tc, bad_args);
	tcase_add_test(tc, static_beats_bgp);
	tcase_add_test(tc, connected_beats_static);
	tcase_add_test(tc, decide_local_pref);
	tcase_add_test(tc, decide_as_path_len);
	tcase_add_test(tc, decide_origin);
	tcase_add_test(tc, decide_med_same_as);
	tcase_add_test(tc, decide_med_other_as);
	tcase_add_test(tc, decide_router_id);
	tcase_add_test(tc, decide_peer_address);
	tcase_add_test(tc, med_not_transitive);
	tcase_add_test(tc, same_next_hop_no_op);
	tcase_add_test(tc, max_prefixes);
	tcase_add_test(tc, loop_rejected);
	tcase_add_test(tc, peer_down);
	tcase_add_test(tc, peer_reset);
	tcase_add_test(tc, peer_clear);
	tcase_add_test(tc, emit_failure);
	tcase_add_test(tc, fib_refused_table);
	tcase_add_test(tc, fib_refused_nexthop);
	tcase_add_test(tc, fib_one_op_in_flight);
	tcase_add_test(tc, fib_check_differences);
	tcase_add_test(tc, multipath_equal_paths);
	tcase_add_test(tc, multipath_unequal_paths);
	tcase_add_test(tc, multipath_neighbor_as);
	tcase_add_test(tc, multipath_distinct_next_hops);
	tcase_add_test(tc, static_next_hops);
	tcase_add_test(tc, multipath_tracked);
	tcase_add_test(tc, group_refused_best_alone);
	tcase_add_test(tc, group_member_lost_refused);
	tcase_add_test(tc, static_group_member_lost_refused);
	tcase_add_test(tc, group_limit);
	tcase_add_test(tc, multipath_randomized);
	tcase_add_test(tc, siphash_vector);
	tcase_add_test(tc, hash_collisions);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_set_timeout(tr, 600);
	tcase_add_test(tr, randomized);
	tcase_add_test(tr, randomized_tracked);
	tcase_add_test(tr, randomized_groups);
	suite_add_tcase(s, tr);

	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_set_timeout(ts, 600);
	tcase_add_test(ts, scale_1m);
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
