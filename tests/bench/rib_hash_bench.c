/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB's prefix index against hash flooding: N prefixes chosen to
 * collide under the unkeyed hash the RIB once had (tests/unit/rib_collide.h)
 * and N random ones, each announced by one peer and withdrawn again; prints
 * the time each takes and the longest probe sequence of the index.
 *
 *   build/tests/rib_hash_bench [N]      (default 64000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rib.h"
#include "rib_collide.h"

static uint64_t n_ops;

static int
count_op(const struct route_op *op, void *arg)
{
	(void)op;
	(void)arg;
	n_ops++;
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
run(const char *what, const uint32_t *p, uint32_t n)
{
	struct rib_peer_info info = {
		.address = 0x0a000002, .bgp_id = 1, .asn = 65001, .max_prefixes = n};
	struct bgp_path_attrs *pa = calloc(1, sizeof(*pa));
	struct rib *r = rib_create(45104, count_op, NULL);
	struct rib_attrs *a;
	double t0, t1, t2;
	uint32_t probe;

	if (pa == NULL || r == NULL || rib_peer_set(r, 0, &info) != 0)
		return -1;
	pa->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH | 1u << BGP_ATTR_NEXT_HOP;
	pa->next_hop = 0x0a000002;
	a = rib_attrs_new(pa, true);
	free(pa);
	if (a == NULL)
		return -1;
	t0 = now_s();
	for (uint32_t i = 0; i < n; i++)
		if (rib_bgp_announce(r, 0, p[i], 32, a, false) != RIB_ACCEPTED)
			return -1;
	t1 = now_s();
	probe = rib_hash_max_probe(r);
	for (uint32_t i = 0; i < n; i++)
		if (rib_bgp_withdraw(r, 0, p[i], 32) != 0)
			return -1;
	t2 = now_s();
	printf("%-10s %u prefixes: announced in %.3f s, withdrawn in %.3f s, total %.3f s; "
	       "longest probe %u slots\n",
		what, n, t1 - t0, t2 - t1, t2 - t0, probe);
	rib_attrs_put(a);
	rib_destroy(r);
	return 0;
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 64000;
	uint32_t *p = malloc((size_t)n * sizeof(*p));
	uint64_t x;

	if (n == 0 || p == NULL) {
		fprintf(stderr, "usage: %s [N > 0]\n", argv[0]);
		return 1;
	}
	rib_collide_prefixes(p, n);
	if (run("colliding", p, n) != 0)
		return 1;
	/* Distinct random /32s: a 32-bit odd multiplier is a bijection. */
	x = (uint64_t)time(NULL) | 1;
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint32_t)((i + 1) * (x | 1) * 2654435761u);
	if (run("random", p, n) != 0)
		return 1;
	free(p);
	return 0;
}
