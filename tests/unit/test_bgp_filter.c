/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the route filter (control/bgp_filter.c): what a peer may
 * announce, by group option, with the config's subnets, CIDR blocks and
 * static routes; and that a table of 4,096 static routes is checked by
 * search, not by scan.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bgp_filter.h"
#include "config.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct vbr_config *cfg;
static struct bgp_filter filt;
static struct vbr_bgp_group grp;

/* The e2e topology: IDC 10.0.0.1/29, VPC 172.16.0.1/30, CIDR blocks
 * 172.20.0.0/16 and 10.200.0.0/16, static routes toward both sides. */
static void
setup(void)
{
	static const char yaml[] = "ports:\n"
				   "  idc: {device: net_tap0, address: 10.0.0.1/29}\n"
				   "  vpc: {device: net_tap1, address: 172.16.0.1/30}\n"
				   "bgp:\n"
				   "  groups: [{name: g, peer_asn: 65001}]\n"
				   "  networks: [172.20.0.0/16, 10.200.0.0/16, 0.0.0.0/0]\n"
				   "routes:\n"
				   "  - {prefix: 172.20.0.0/16, next_hop: 172.16.0.2}\n"
				   "  - {prefix: 172.30.0.0/16, next_hop: 172.16.0.2}\n"
				   "  - {prefix: 0.0.0.0/0, next_hop: 172.16.0.2}\n"
				   "  - {prefix: 192.168.0.0/16, next_hop: 10.0.0.2}\n";
	char err[256];

	cfg = config_alloc();
	ck_assert_ptr_nonnull(cfg);
	ck_assert_msg(config_load_buffer("t.yaml", yaml, strlen(yaml), cfg, err, sizeof(err)) == 0,
		"%s", err);
	grp = cfg->groups[0];
	ck_assert_int_eq(bgp_filter_init(&filt, cfg), 0);
}

static void
teardown(void)
{
	bgp_filter_free(&filt);
	config_free(cfg);
}

static enum bgp_filter_verdict
check(uint32_t addr, uint8_t len)
{
	return bgp_filter_check(&filt, &grp, addr, len);
}

START_TEST(defaults)
{
	ck_assert_uint_eq(grp.max_prefix_len, 24);
	ck_assert(!grp.accept_default);
}
END_TEST

START_TEST(martians)
{
	ck_assert_int_eq(check(IP(0, 0, 0, 0), 8), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(0, 1, 0, 0), 16), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(127, 0, 0, 0), 8), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(127, 0, 0, 1), 32), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(169, 254, 0, 0), 16), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(169, 254, 7, 0), 24), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(224, 0, 0, 0), 4), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(239, 1, 0, 0), 16), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(240, 0, 0, 0), 4), BGP_FILTER_MARTIAN);
	ck_assert_int_eq(check(IP(255, 255, 255, 255), 32), BGP_FILTER_MARTIAN);
	/* Around them, and what an IDC uses. */
	ck_assert_int_eq(check(IP(1, 0, 0, 0), 8), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(126, 0, 0, 0), 8), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(128, 0, 0, 0), 8), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(169, 253, 0, 0), 16), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(223, 255, 255, 0), 24), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(10, 0, 0, 0), 8), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(100, 64, 0, 0), 10), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(192, 168, 1, 0), 24), BGP_FILTER_ACCEPT);
	/* A prefix that covers a martian is not inside one: the dataplane
	 * drops martian destinations itself. */
	ck_assert_int_eq(check(IP(0, 0, 0, 0), 1), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(224, 0, 0, 0), 3), BGP_FILTER_ACCEPT);
}
END_TEST

START_TEST(default_route)
{
	ck_assert_int_eq(check(0, 0), BGP_FILTER_DEFAULT);
	grp.accept_default = true;
	ck_assert_int_eq(check(0, 0), BGP_FILTER_ACCEPT);
	/* 0.0.0.0/8 stays a martian. */
	ck_assert_int_eq(check(0, 8), BGP_FILTER_MARTIAN);
}
END_TEST

START_TEST(connected)
{
	/* The subnets themselves and all inside: a /32 would replace a
	 * neighbour's adjacency. */
	ck_assert_int_eq(check(IP(10, 0, 0, 0), 29), BGP_FILTER_CONNECTED);
	ck_assert_int_eq(check(IP(10, 0, 0, 4), 32), BGP_FILTER_CONNECTED);
	ck_assert_int_eq(check(IP(172, 16, 0, 0), 30), BGP_FILTER_CONNECTED);
	ck_assert_int_eq(check(IP(172, 16, 0, 2), 32), BGP_FILTER_CONNECTED);
	/* Next to them, and covering them: fine (but for the length). */
	ck_assert_int_eq(check(IP(10, 0, 0, 8), 29), BGP_FILTER_TOO_LONG);
	ck_assert_int_eq(check(IP(10, 0, 0, 0), 24), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(172, 16, 0, 0), 12), BGP_FILTER_ACCEPT);
}
END_TEST

START_TEST(cidr_blocks_and_static_routes)
{
	ck_assert_int_eq(check(IP(172, 20, 0, 0), 16), BGP_FILTER_OUR_BLOCK);
	ck_assert_int_eq(check(IP(172, 20, 5, 0), 24), BGP_FILTER_OUR_BLOCK);
	ck_assert_int_eq(check(IP(10, 200, 1, 0), 24), BGP_FILTER_OUR_BLOCK);
	ck_assert_int_eq(check(IP(10, 201, 0, 0), 16), BGP_FILTER_ACCEPT);
	/* A static route toward the VPC; one toward the IDC is no reason. */
	ck_assert_int_eq(check(IP(172, 30, 0, 0), 16), BGP_FILTER_STATIC_VPC);
	ck_assert_int_eq(check(IP(172, 30, 7, 0), 24), BGP_FILTER_STATIC_VPC);
	ck_assert_int_eq(check(IP(192, 168, 0, 0), 16), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(192, 168, 1, 0), 24), BGP_FILTER_ACCEPT);
	/* A block or static route 0/0 would refuse everything: not used. */
	ck_assert_int_eq(check(IP(8, 8, 8, 0), 24), BGP_FILTER_ACCEPT);
	/* Both a block and a static route: the first reason. */
	ck_assert_int_eq(check(IP(172, 20, 0, 0), 17), BGP_FILTER_OUR_BLOCK);
}
END_TEST

START_TEST(max_prefix_len)
{
	ck_assert_int_eq(check(IP(10, 70, 0, 0), 24), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(10, 70, 0, 128), 25), BGP_FILTER_TOO_LONG);
	ck_assert_int_eq(check(IP(10, 70, 0, 1), 32), BGP_FILTER_TOO_LONG);
	ck_assert_int_eq(check(IP(10, 70, 0, 0), 33), BGP_FILTER_TOO_LONG);
	grp.max_prefix_len = 32;
	ck_assert_int_eq(check(IP(10, 70, 0, 1), 32), BGP_FILTER_ACCEPT);
	/* Other reasons still hold. */
	ck_assert_int_eq(check(IP(172, 16, 0, 2), 32), BGP_FILTER_CONNECTED);
	grp.max_prefix_len = 8;
	ck_assert_int_eq(check(IP(10, 0, 0, 0), 8), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(10, 64, 0, 0), 10), BGP_FILTER_TOO_LONG);
}
END_TEST

START_TEST(reasons)
{
	ck_assert_str_eq(bgp_filter_reason(BGP_FILTER_MARTIAN), "martian");
	ck_assert_str_eq(bgp_filter_reason(BGP_FILTER_TOO_LONG), "longer than max_prefix_len");
	ck_assert_str_eq(bgp_filter_reason((enum bgp_filter_verdict)99), "?");
}
END_TEST

/* A full config: 4,096 static routes toward the VPC and 256 CIDR blocks. The
 * check stays a handful of searches: 1M prefixes take well under a second
 * (a linear scan would need about 4 billion comparisons). */
#define N_STATIC 4096u

START_TEST(large_tables)
{
	struct timespec t0, t1;
	unsigned refused = 0;
	double s;

	ck_assert_int_eq(config_routes_reserve(cfg, N_STATIC), 0);
	cfg->nb_routes = N_STATIC;
	for (unsigned i = 0; i < N_STATIC; i++)
		cfg->routes[i] =
			(struct vbr_static_route){.prefix = {IP(20, i >> 4, (i & 15) << 4, 0), 20},
				.next_hop = IP(172, 16, 0, 2),
				.port = VBR_PORT_VPC};
	cfg->nb_networks = VBR_MAX_NETWORKS;
	for (unsigned i = 0; i < VBR_MAX_NETWORKS; i++)
		cfg->networks[i] = (struct vbr_prefix){IP(30, i, 0, 0), 16};
	ck_assert_int_eq(bgp_filter_init(&filt, cfg), 0);
	ck_assert_uint_eq(filt.n_ranges, 5 + 2 + VBR_MAX_NETWORKS + N_STATIC);
	ck_assert_int_eq(check(IP(20, 255, 240, 0), 24), BGP_FILTER_STATIC_VPC);
	ck_assert_int_eq(check(IP(30, 255, 1, 0), 24), BGP_FILTER_OUR_BLOCK);
	ck_assert_int_eq(check(IP(31, 0, 0, 0), 16), BGP_FILTER_ACCEPT);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t i = 0; i < (1u << 20); i++)
		refused += check(IP(16, 0, 0, 0) + (i << 8), 24) != BGP_FILTER_ACCEPT;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("bgp_filter: 1,048,576 checks against %u ranges: %.3f s (%u refused)\n",
		filt.n_ranges, s, refused);
	/* 16.0.0.0/24 .. 31.255.255.0/24: 20/8 and 30.0/8 are refused. */
	ck_assert_uint_eq(refused, 65536 + 256 * 256);
}
END_TEST

/* Rebuilt from parts (the BGP speaker's CIDR blocks and static routes
 * change at run time): the new table replaces the old one. */
START_TEST(rebuild)
{
	struct vbr_prefix nets[] = {{IP(172, 21, 0, 0), 16}};
	struct vbr_prefix vpc[] = {{IP(172, 31, 0, 0), 16}};
	struct bgp_filter_src src = {.ports = cfg->ports,
		.networks = nets,
		.nb_networks = 1,
		.vpc_routes = vpc,
		.nb_vpc_routes = 1};

	ck_assert_int_eq(check(IP(172, 20, 1, 0), 24), BGP_FILTER_OUR_BLOCK);
	ck_assert_int_eq(bgp_filter_build(&filt, &src), 0);
	ck_assert_uint_eq(filt.n_ranges, 5 + 2 + 1 + 1);
	ck_assert_int_eq(check(IP(172, 20, 1, 0), 24), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(172, 30, 1, 0), 24), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(check(IP(172, 21, 1, 0), 24), BGP_FILTER_OUR_BLOCK);
	ck_assert_int_eq(check(IP(172, 31, 1, 0), 24), BGP_FILTER_STATIC_VPC);
	ck_assert_int_eq(check(IP(10, 0, 0, 4), 30), BGP_FILTER_CONNECTED);
	/* The ranges alone: no group's max_prefix_len, no default rule. */
	ck_assert_int_eq(bgp_filter_match(&filt, IP(8, 8, 8, 8), 32), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(bgp_filter_match(&filt, 0, 0), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(bgp_filter_match(&filt, IP(172, 21, 3, 4), 32), BGP_FILTER_OUR_BLOCK);
	/* Without ports: only what was given, and the martians. */
	src.ports = NULL;
	src.nb_vpc_routes = 0;
	ck_assert_int_eq(bgp_filter_build(&filt, &src), 0);
	ck_assert_uint_eq(filt.n_ranges, 5 + 1);
	ck_assert_int_eq(bgp_filter_match(&filt, IP(10, 0, 0, 4), 30), BGP_FILTER_ACCEPT);
	ck_assert_int_eq(bgp_filter_match(&filt, IP(127, 0, 0, 1), 32), BGP_FILTER_MARTIAN);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bgp_filter");
	TCase *tc = tcase_create("filter");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, martians);
	tcase_add_test(tc, default_route);
	tcase_add_test(tc, connected);
	tcase_add_test(tc, cidr_blocks_and_static_routes);
	tcase_add_test(tc, max_prefix_len);
	tcase_add_test(tc, reasons);
	tcase_add_test(tc, large_tables);
	tcase_add_test(tc, rebuild);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
