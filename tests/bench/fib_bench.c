/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the FIB costs, without a concurrent reader: a 1M-route table with an
 * Internet-like mix of prefix lengths loaded through the route ring, 100k
 * deletes and re-adds, then lookups; next to a single bare rte_fib given
 * the same adds, the floor of the two-copy scheme.
 *
 *   fib_bench [EAL args]    e.g. --no-huge -m 3072 --no-pci -l 0
 *   (--force-max-simd-bitwidth=512 lets rte_fib pick its AVX-512 lookup)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_lcore.h>
#include <rte_random.h>
#include <rte_malloc.h>

#include "fib.h"
#include "route_sender.h"

#define ROUTES 1000000u
#define CHURN 100000u
#define GATEWAYS 256

static uint32_t
mask_of(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

/* Per mille of each length in a full table, roughly. */
static const uint16_t mix[33] = {
	[8] = 1,
	[9] = 1,
	[10] = 1,
	[11] = 1,
	[12] = 2,
	[13] = 3,
	[14] = 5,
	[15] = 5,
	[16] = 25,
	[17] = 15,
	[18] = 20,
	[19] = 30,
	[20] = 40,
	[21] = 50,
	[22] = 90,
	[23] = 80,
	[24] = 622,
	[25] = 2,
	[26] = 2,
	[27] = 1,
	[28] = 1,
	[29] = 1,
	[30] = 1,
	[32] = 1,
};

static uint8_t
depth_draw(void)
{
	uint32_t r = (uint32_t)rte_rand() % 1000, acc = 0;
	uint8_t d;

	for (d = 0; d <= 32; d++) {
		acc += mix[d];
		if (r < acc)
			return d;
	}
	return 24;
}

static uint64_t *seen;
static const uint32_t seen_mask = (1u << 22) - 1;

static int
seen_insert(uint32_t prefix, uint8_t depth)
{
	uint64_t key = ((uint64_t)prefix << 8 | depth) + 1;
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & seen_mask;

	for (; seen[i] != 0; i = (i + 1) & seen_mask)
		if (seen[i] == key)
			return 0;
	seen[i] = key;
	return 1;
}

static double
per(uint64_t cycles, uint64_t n)
{
	return (double)cycles / (double)n;
}

/* Through the ring, the writer polled every 1024 ops; cycles in the
 * writer through *writer. */
static uint64_t
run(struct fib *f, struct route_sender *s, const struct route_op *ops, uint32_t n, uint64_t *writer)
{
	uint64_t t0 = rte_rdtsc(), w = 0, t;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (route_sender_send(s, &ops[i]) < 0)
			abort();
		if ((i & 1023) == 1023) {
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
	if (fib_writer_drain(f, 600000) < 0)
		abort();
	*writer = w + rte_rdtsc() - t;
	return rte_rdtsc() - t0;
}

int
main(int argc, char **argv)
{
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.max_routes = 1100000,
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = 32768},
	};
	struct fib_params p = {
		.name = "bench",
		.max_routes = 1100000,
		.max_tbl8 = 32768,
		.max_nexthops = 4096,
		.ring_size = 65536,
	};
	struct rte_malloc_socket_stats m0, m1;
	struct route_op *ops;
	struct route_sender *s;
	struct fib_stats st;
	struct rte_fib *raw;
	uint32_t *addrs, i, k;
	uint64_t t, c, w, nh[32];
	double hz;
	struct fib *f;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	rte_srand(1); /* the same table on every run */
	hz = (double)rte_get_tsc_hz();
	p.socket_id = (int)rte_socket_id();
	ops = malloc(ROUTES * sizeof(*ops));
	seen = calloc(seen_mask + 1, sizeof(*seen));
	addrs = malloc((1u << 20) * sizeof(*addrs));
	if (ops == NULL || seen == NULL || addrs == NULL)
		return 1;
	for (i = 0; i < ROUTES;) {
		uint8_t d = depth_draw();
		uint32_t prefix = (uint32_t)rte_rand() & mask_of(d), g = (uint32_t)rte_rand() % GATEWAYS;

		if (prefix >> 24 == 0 || prefix >> 24 >= 224 || !seen_insert(prefix, d))
			continue;
		ops[i++] = (struct route_op){.kind = ROUTE_OP_ADD,
			.depth = d,
			.port = (uint8_t)(g & 1),
			.nh_type = NH_GATEWAY,
			.prefix = prefix,
			.gateway = 0x0a000001 + g};
	}
	for (i = 0; i < (1u << 20); i++)
		addrs[i] = (uint32_t)rte_rand();

	/* The floor: one bare rte_fib, same adds, no ring, no refcounts. */
	raw = rte_fib_create("bench_raw", p.socket_id, &conf);
	if (raw == NULL)
		return 1;
	t = rte_rdtsc();
	for (i = 0; i < ROUTES; i++)
		rte_fib_add(raw, ops[i].prefix, ops[i].depth, 1 + (ops[i].gateway & 0xff));
	c = rte_rdtsc() - t;
	printf("bare rte_fib: %u adds, %.0f cycles each\n", ROUTES, per(c, ROUTES));
	t = rte_rdtsc();
	for (i = 0; i < CHURN; i++)
		rte_fib_delete(raw, ops[i].prefix, ops[i].depth);
	printf("bare rte_fib: %u deletes, %.0f cycles each\n", CHURN, per(rte_rdtsc() - t, CHURN));
	rte_fib_free(raw);

	rte_malloc_get_socket_stats(p.socket_id, &m0);
	f = fib_create(&p);
	rte_malloc_get_socket_stats(p.socket_id, &m1);
	if (f == NULL)
		return 1;
	printf("fib: %.1f MiB of DPDK memory (two copies, next hops, ring)\n",
		(double)(m1.heap_allocsz_bytes - m0.heap_allocsz_bytes) / (1 << 20));
	s = route_sender_create(fib_route_ring(f));
	if (s == NULL)
		return 1;

	c = run(f, s, ops, ROUTES, &w);
	fib_get_stats(f, &st);
	printf("fib: %u routes loaded in %.0f ms: %.0f cycles per add end to end, %.0f in "
	       "the writer (both copies), %" PRIu64 " batches\n",
		ROUTES, (double)c * 1000 / hz, per(c, ROUTES), per(w, ROUTES), st.batches);
	for (i = 0; i < CHURN; i++)
		ops[i].kind = ROUTE_OP_DEL;
	c = run(f, s, ops, CHURN, &w);
	printf("fib: %u deletes: %.0f cycles each end to end, %.0f in the writer\n", CHURN,
		per(c, CHURN), per(w, CHURN));
	for (i = 0; i < CHURN; i++)
		ops[i].kind = ROUTE_OP_ADD;
	c = run(f, s, ops, CHURN, &w);
	printf("fib: %u re-adds: %.0f cycles each end to end, %.0f in the writer\n", CHURN,
		per(c, CHURN), per(w, CHURN));

	t = rte_rdtsc();
	for (i = 0; i < (1u << 20); i += 32)
		fib_lookup_bulk(f, &addrs[i], nh, 32);
	printf("fib: lookup %.1f cycles per address (random, bulk of 32)\n",
		per(rte_rdtsc() - t, 1u << 20));
	t = rte_rdtsc();
	for (k = 0; k < 32768; k++)
		fib_lookup_bulk(f, &addrs[(k & 7) * 32], nh, 32);
	printf("fib: lookup %.1f cycles per address (256 addresses in cache, bulk of 32)\n",
		per(rte_rdtsc() - t, 32768 * 32));

	route_sender_destroy(s);
	fib_destroy(f);
	free(addrs);
	free(seen);
	free(ops);
	rte_eal_cleanup();
	return 0;
}
