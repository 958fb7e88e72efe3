/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the FIB costs, measured the way vbrd uses it: route ops through the
 * route ring with ROUTE_OP_F_RESULT (as the RIB sends them), the writer
 * polled on the main lcore, the answers read from the result ring, while a
 * forwarding-like reader on a second lcore looks addresses up in bulk and
 * passes a quiescent state after each bulk (dataplane/forward.c).
 *
 * The reader only looks up addresses inside a set of stable prefixes that no
 * op ever changes, and checks every answer against the stable prefix's next
 * hop: "wrong" is an answer with another next hop (a misrouted packet),
 * "lost" one with no route (a dropped packet). Around those prefixes a pool
 * of churn prefixes is changed all the time: more specifics inside each
 * stable prefix (never over the addresses looked up: those stay the stable
 * prefix's by longest match), siblings beside it in the same /24, and
 * covering prefixes above it. In DIR-24-8 terms: tbl8 groups appear and go
 * in the /24s looked up, and tbl24 ranges around them are rewritten.
 *
 * Phases, the reader running through all but the first:
 *   setup    the stable prefixes and the churn pool (not timed)
 *   load     N routes of an Internet-like length mix (tests/bench/pktgen/
 *            gen_table.py's), all answered: ops/s
 *   quiet    one second of lookups without writes: the reader's rate alone
 *   churn    D seconds of adds, replaces and deletes at full speed, three in
 *            four on the table, one in four on the churn pool: ops/s,
 *            lookups/s
 *   restore  the table whole again, the pool gone (not timed)
 *   delete   the N routes deleted, all answered: ops/s
 * Memory: the DPDK heap (hugepages) and the C heap, before fib_create,
 * after it, with the table loaded, after the churn and after the delete.
 *
 *   fib_bench [EAL args] -- [-n ROUTES] [-s STABLE] [-d SECONDS] [-t PCT] [-F] [-X]
 *                           [-o FILE]
 *   e.g. fib_bench -l 0,1 --in-memory --no-pci -- -n 1000000 -d 10 -o out.txt
 *
 *   -n  table routes (1000000)        -s  stable prefixes (1024)
 *   -d  churn seconds (10)            -F  also time a bare rte_fib (the floor)
 *   -o  write the figures as "name value" lines to FILE
 *   -t  tbl8 groups for the stable prefixes and only PCT % of the /24s of the
 *       table and the pool that need one: the writer runs short, refuses
 *       some adds, and unhooks idle groups and reuses them under the reader
 *       (the default: vbrd's 65536 groups, never short here)
 *   -X  check the checker: churn prefixes may cover looked-up addresses, so
 *       wrong answers must be counted
 * Needs two lcores: the main one (writer) and one reader.
 */
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "fib.h"

#define BURST 32	      /* the reader's lookups per bulk (VBR_BURST) */
#define PROBES (1u << 16)     /* addresses the reader cycles through */
#define SAMPLES 8	      /* wrong answers kept for the report */
#define POOL_PER_STABLE 8     /* churn prefixes around each stable one */
#define TABLE_GWS 256	      /* next hops of the table: 10.0.0.1 + i */
#define POOL_GWS 2048	      /* of the pool: 10.2.0.1 + i, so that ids free and recycle */
#define STABLE_GW 0x0a010001u /* stable prefix i: 10.1.0.1 + i, one next hop each */
#define TABLE_GW 0x0a000001u
#define POOL_GW 0x0a020001u
/* The stable prefixes and their pool live in 100.0.0.0/8; the table keeps
 * out of it, but for prefixes that cover all of it. */
#define BLOCK 0x64000000u
#define BLOCK_DEPTH 8
#define DRAIN_MS 600000

static uint32_t
mask_of(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

/* xorshift64*: cheap enough to draw churn ops at full speed, and the same
 * sequence on every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t)((rnd() >> 32) * n >> 32);
}

/* Per mille of each length, as tests/bench/pktgen/gen_table.py (MIX). */
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
	uint32_t r = rnd_below(1000), acc = 0;

	for (uint8_t d = 0; d <= 32; d++) {
		acc += mix[d];
		if (r < acc)
			return d;
	}
	return 24;
}

/* Every prefix drawn (table, stable, pool) once: open addressing. */
static uint64_t *seen;
static uint32_t seen_mask;

static int
seen_insert(uint32_t prefix, uint8_t depth)
{
	uint64_t key = ((uint64_t)prefix << 8 | depth) + 1;
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & seen_mask;

	for (; seen[i] != 0; i = (i + 1) & seen_mask)
		if (seen[i] == key)
			return 0;
	seen[i] = key;
	return 1;
}

/* ---- the stable prefixes ---- */

/* Which addresses of a stable prefix the reader looks up; churn prefixes
 * inside it keep off them. */
enum probe_mode {
	PROBE_HALF,  /* its lower half: more specifics of any length in the upper */
	PROBE_LOW24, /* the lower half of each of its /24s: /25 to /32 in the others */
};

struct stable {
	uint32_t prefix;
	uint8_t depth;
	uint8_t mode;
	uint32_t gw;
};

static struct stable *stables; /* sorted by prefix, disjoint */
static uint32_t n_stable;

/* Lengths of the stable prefixes, drawn evenly. */
static const uint8_t stable_depths[] = {16, 18, 20, 22, 23, 24, 24, 24, 25, 26, 27, 28, 29, 30, 32};

static int
stable_cmp(const void *a, const void *b)
{
	const struct stable *x = a, *y = b;

	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

static uint64_t
range_size(uint8_t depth)
{
	return 1ull << (32 - depth);
}

/* The stable prefix whose range holds addr, or NULL. */
static const struct stable *
stable_at(uint32_t addr)
{
	uint32_t lo = 0, hi = n_stable;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (stables[mid].prefix <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct stable *s = &stables[lo - 1];
	return (uint64_t)addr - s->prefix < range_size(s->depth) ? s : NULL;
}

/* Whether prefix/depth may change without changing the longest match of any
 * address the reader looks up. Prefixes are nested or disjoint: one that
 * starts outside every stable prefix, or covers the one it starts in, holds
 * no looked-up address that it would win. */
static bool unsafe; /* -X: let the churn over looked-up addresses */

static bool
churn_allowed(uint32_t prefix, uint8_t depth)
{
	const struct stable *s = stable_at(prefix);

	if (s == NULL || depth < s->depth)
		return true;
	if (depth == s->depth)
		return false; /* the stable prefix itself */
	if (unsafe)
		return true;
	if (s->mode == PROBE_LOW24)
		return depth > 24 && (prefix & 0x80);
	return prefix - s->prefix >= (uint32_t)(range_size(s->depth) / 2);
}

static void
stables_make(uint32_t n)
{
	uint32_t i = 0, tries = 0;

	stables = calloc(n, sizeof(*stables));
	if (stables == NULL)
		abort();
	while (i < n) {
		uint8_t d = stable_depths[rnd_below(RTE_DIM(stable_depths))];
		uint32_t p = (BLOCK | (uint32_t)(rnd() >> 40)) & mask_of(d);
		bool clash = false;

		if (++tries > 100 * n) {
			fprintf(stderr, "fib_bench: no room for %u stable prefixes\n", n);
			exit(1);
		}
		for (uint32_t k = 0; k < i && !clash; k++) {
			uint32_t m = mask_of(RTE_MIN(d, stables[k].depth));

			clash = (p & m) == (stables[k].prefix & m);
		}
		if (clash)
			continue;
		stables[i] = (struct stable){
			.prefix = p,
			.depth = d,
			.mode = d <= 24 && (rnd() & 1) ? PROBE_LOW24 : PROBE_HALF,
		};
		i++;
	}
	qsort(stables, n, sizeof(*stables), stable_cmp);
	for (i = 0; i < n; i++) {
		stables[i].gw = STABLE_GW + i;
		seen_insert(stables[i].prefix, stables[i].depth);
	}
	n_stable = n;
}

/* An address the reader may look up in s. */
static uint32_t
probe_draw(const struct stable *s)
{
	uint64_t size = range_size(s->depth);

	if (s->mode == PROBE_LOW24)
		return (s->prefix + (uint32_t)(rnd() % size)) & ~0x80u;
	return s->prefix + (uint32_t)(rnd() % (size > 1 ? size / 2 : 1));
}

/* ---- route sets and the churn drawn from them ---- */

struct route_set {
	const char *name;
	struct route_op *r; /* gateway: the one sent last */
	uint8_t *present;
	uint32_t n;
	uint32_t *gone; /* FIFO of the deleted, re-added oldest first */
	uint32_t gone_cap, gone_head, gone_n;
	uint32_t gw_base, gw_n;
	uint64_t adds, replaces, dels;
};

static void
set_init(struct route_set *s, const char *name, uint32_t n, uint32_t gw_base, uint32_t gw_n)
{
	*s = (struct route_set){.name = name, .n = n, .gw_base = gw_base, .gw_n = gw_n};
	s->r = calloc(n ? n : 1, sizeof(*s->r));
	s->present = calloc(n ? n : 1, 1);
	s->gone_cap = RTE_MAX(1u, RTE_MIN(n / 8, 65536u));
	s->gone = calloc(s->gone_cap, sizeof(*s->gone));
	if (s->r == NULL || s->present == NULL || s->gone == NULL)
		abort();
}

static void
set_route(struct route_set *s, uint32_t i, uint32_t prefix, uint8_t depth)
{
	uint32_t g = rnd_below(s->gw_n);

	s->r[i] = (struct route_op){
		.kind = ROUTE_OP_ADD,
		.depth = depth,
		.port = (uint8_t)(g & 1),
		.nh_type = NH_GATEWAY,
		.prefix = prefix,
		.gateway = s->gw_base + g,
		.flags = ROUTE_OP_F_RESULT,
	};
}

/* The table: n distinct prefixes of the mix, first octets 1 to 223 but 127,
 * none inside the stable block. */
static void
table_make(struct route_set *s)
{
	for (uint32_t i = 0; i < s->n;) {
		uint8_t d = depth_draw();
		uint32_t p = (uint32_t)(rnd() >> 32) & mask_of(d), o = p >> 24;

		if (o == 0 || o == 127 || o >= 224)
			continue;
		if (d > BLOCK_DEPTH && (p & mask_of(BLOCK_DEPTH)) == BLOCK)
			continue;
		if (!seen_insert(p, d))
			continue;
		set_route(s, i++, p, d);
	}
}

/* The pool: around random stable prefixes, lengths from a few bits above
 * them (not above /12: a /8 rewrites 65536 tbl24 entries per op, and the
 * table's own churn has its share of those) down to /32. */
static void
pool_make(struct route_set *s)
{
	for (uint32_t i = 0; i < s->n;) {
		const struct stable *st = &stables[rnd_below(n_stable)];
		uint8_t lo = (uint8_t)RTE_MAX(12, st->depth - 6);
		uint8_t d = (uint8_t)(lo + rnd_below(33 - lo));
		uint32_t a;

		if (st->depth >= 24)
			a = (st->prefix & mask_of(24)) | rnd_below(256);
		else
			a = st->prefix + (uint32_t)(rnd() % range_size(st->depth));
		a &= mask_of(d);
		if (!churn_allowed(a, d) || !seen_insert(a, d))
			continue;
		set_route(s, i++, a, d);
	}
}

/* The next churn op on s: half replace a present route's next hop, a
 * quarter delete one, a quarter re-add the oldest deleted. Re-adds wait
 * until half the FIFO is full: a withdrawn prefix stays away for a while,
 * and the set stays near full, as a table under BGP churn does. */
static void
set_churn(struct route_set *s, struct route_op *op)
{
	uint32_t kind = (uint32_t)(rnd() >> 62), i;

	if (kind == 3 && s->gone_n < s->gone_cap / 2)
		kind = 2;
	if (kind == 2 && s->gone_n == s->gone_cap)
		kind = 3;
	if (kind == 3) {
		i = s->gone[s->gone_head];
		s->gone_head = (s->gone_head + 1) % s->gone_cap;
		s->gone_n--;
		s->present[i] = 1;
		*op = s->r[i];
		op->kind = ROUTE_OP_ADD;
		s->adds++;
		return;
	}
	do
		i = rnd_below(s->n);
	while (!s->present[i]);
	if (kind == 2) {
		s->present[i] = 0;
		s->gone[(s->gone_head + s->gone_n) % s->gone_cap] = i;
		s->gone_n++;
		*op = s->r[i];
		op->kind = ROUTE_OP_DEL;
		s->dels++;
		return;
	}
	uint32_t g = s->r[i].gateway - s->gw_base;
	g = (g + 1 + rnd_below(s->gw_n - 1)) % s->gw_n;
	s->r[i].gateway = s->gw_base + g;
	s->r[i].port = (uint8_t)(g & 1);
	*op = s->r[i];
	op->kind = ROUTE_OP_ADD;
	s->replaces++;
}

/* ---- tbl8 groups ---- */

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The /24s that hold routes of s longer than /24: the tbl8 groups they
 * need in DIR-24-8. */
static uint32_t
set_groups(const struct route_set *s)
{
	uint32_t *k = malloc((s->n ? s->n : 1) * sizeof(*k)), n = 0, g = 0;

	if (k == NULL)
		abort();
	for (uint32_t i = 0; i < s->n; i++)
		if (s->r[i].depth > 24)
			k[n++] = s->r[i].prefix >> 8;
	qsort(k, n, sizeof(*k), u32_cmp);
	for (uint32_t i = 0; i < n; i++)
		g += i == 0 || k[i] != k[i - 1];
	free(k);
	return g;
}

static uint32_t
stable_groups(void)
{
	uint32_t g = 0, last = UINT32_MAX;

	/* Sorted and disjoint: the /24s of the long ones come in order. */
	for (uint32_t i = 0; i < n_stable; i++)
		if (stables[i].depth > 24 && stables[i].prefix >> 8 != last) {
			last = stables[i].prefix >> 8;
			g++;
		}
	return g;
}

/* ---- the reader ---- */

struct sample {
	uint32_t addr, want_gw, got_id, got_gw;
	uint8_t phase;
};

struct reader {
	struct fib *f;
	uint32_t *ips;	/* [PROBES] */
	uint32_t *want; /* [PROBES] the stable next hop's gateway */
	volatile int stop;
	volatile int ready;
	volatile uint8_t phase;
	/* Written by the reader only, read by the main lcore. */
	uint64_t lookups __rte_cache_aligned;
	uint64_t wrong, lost;
	struct sample samples[SAMPLES];
	uint32_t n_samples;
};

static int
reader_main(void *arg)
{
	struct reader *rd = arg;
	unsigned int lcore = rte_lcore_id();
	uint64_t nh[BURST], lookups = 0, wrong = 0, lost = 0;
	uint32_t i = 0;

	if (fib_reader_register(rd->f, lcore) < 0) {
		rd->ready = -1;
		return -1;
	}
	rd->ready = 1;
	while (!rd->stop) {
		fib_lookup_bulk(rd->f, &rd->ips[i], nh, BURST);
		for (unsigned int j = 0; j < BURST; j++) {
			const struct nexthop *h;
			uint32_t gw = 0;

			if (nh[j] == FIB_NH_NONE) {
				lost++;
			} else {
				h = fib_nexthop(rd->f, (uint32_t)nh[j]);
				if (h->type == NH_GATEWAY && h->addr == rd->want[i + j])
					continue;
				gw = h->addr;
				wrong++;
			}
			if (rd->n_samples < SAMPLES)
				rd->samples[rd->n_samples++] = (struct sample){rd->ips[i + j],
					rd->want[i + j], (uint32_t)nh[j], gw, rd->phase};
		}
		fib_reader_quiescent(rd->f, lcore);
		lookups += BURST;
		i = (i + BURST) & (PROBES - 1);
		__atomic_store_n(&rd->lookups, lookups, __ATOMIC_RELAXED);
		__atomic_store_n(&rd->wrong, wrong, __ATOMIC_RELAXED);
		__atomic_store_n(&rd->lost, lost, __ATOMIC_RELAXED);
	}
	fib_reader_unregister(rd->f, lcore);
	return 0;
}

struct reader_count {
	uint64_t lookups, wrong, lost;
};

static struct reader_count
reader_now(struct reader *rd)
{
	return (struct reader_count){
		__atomic_load_n(&rd->lookups, __ATOMIC_RELAXED),
		__atomic_load_n(&rd->wrong, __ATOMIC_RELAXED),
		__atomic_load_n(&rd->lost, __ATOMIC_RELAXED),
	};
}

/* ---- the writer side: the ring in, the writer, the answers out ---- */

struct pump {
	struct fib *f;
	struct rte_ring *ring, *res;
	uint64_t sent, answered, refused, writer_cycles;
};

static void
pump_poll(struct pump *p)
{
	struct route_result r[1024];
	uint64_t t = rte_rdtsc();
	unsigned int n;

	fib_writer_poll(p->f);
	p->writer_cycles += rte_rdtsc() - t;
	do {
		n = rte_ring_sc_dequeue_burst_elem(p->res, r, sizeof(r[0]), RTE_DIM(r), NULL);
		for (unsigned int i = 0; i < n; i++)
			if (r[i].status != ROUTE_OK)
				p->refused++;
		p->answered += n;
	} while (n == RTE_DIM(r));
}

static unsigned int
pump_send(struct pump *p, const struct route_op *ops, unsigned int n)
{
	unsigned int k = rte_ring_enqueue_burst_elem(p->ring, ops, sizeof(*ops), n, NULL);

	p->sent += k;
	return k;
}

/* Sends ops[0..n) and polls until every op sent so far is answered. */
static void
pump_all(struct pump *p, const struct route_op *ops, uint32_t n)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000 * DRAIN_MS;
	uint32_t i = 0;

	while (i < n || p->answered < p->sent) {
		if (i < n)
			i += pump_send(p, &ops[i], RTE_MIN(n - i, 4096u));
		pump_poll(p);
		if (rte_rdtsc() > end) {
			fprintf(stderr, "fib_bench: %" PRIu64 " answers missing after %u s\n",
				p->sent - p->answered, DRAIN_MS / 1000);
			exit(1);
		}
	}
}

/* A phase's figures: what the pump and the reader counted from its start. */
struct phase {
	const char *name;
	uint64_t t0, w0, a0, f0;
	struct reader_count r0;
	uint64_t ops, cycles, writer_cycles, refused;
	struct reader_count rc;
};

static FILE *out;
static double hz;

static void
put(const char *name, double v)
{
	if (out != NULL)
		fprintf(out, "%s %.6g\n", name, v);
}

static void
phase_report(const struct phase *ph)
{
	double s = (double)ph->cycles / hz, ops = (double)ph->ops;
	struct {
		const char *field;
		double v;
	} figs[] = {
		{"ops", ops},
		{"s", s},
		{"ops_per_s", ops / s},
		{"cycles_per_op", ops ? ph->cycles / ops : 0},
		{"writer_cycles_per_op", ops ? ph->writer_cycles / ops : 0},
		{"lookups", (double)ph->rc.lookups},
		{"lookups_per_s", ph->rc.lookups / s},
		{"wrong", (double)ph->rc.wrong},
		{"lost", (double)ph->rc.lost},
		{"refused", (double)ph->refused},
	};
	char key[64];

	printf("%-8s %9" PRIu64 " ops in %7.3f s: %10.0f ops/s, %6.0f cycles/op (%.0f in "
	       "fib_writer_poll); reader %.1f M lookups/s, %" PRIu64 " wrong, %" PRIu64
	       " lost; %" PRIu64 " ops refused\n",
		ph->name, ph->ops, s, figs[2].v, figs[3].v, figs[4].v, figs[6].v / 1e6,
		ph->rc.wrong, ph->rc.lost, ph->refused);
	for (unsigned int i = 0; i < RTE_DIM(figs); i++) {
		snprintf(key, sizeof(key), "%s_%s", ph->name, figs[i].field);
		put(key, figs[i].v);
	}
}

static void
phase_begin(struct phase *ph, const char *name, uint8_t id, struct pump *p, struct reader *rd)
{
	*ph = (struct phase){.name = name};
	rd->phase = id;
	ph->r0 = reader_now(rd);
	ph->w0 = p->writer_cycles;
	ph->a0 = p->answered;
	ph->f0 = p->refused;
	ph->t0 = rte_rdtsc();
}

static void
phase_end(struct phase *ph, struct pump *p, struct reader *rd)
{
	struct reader_count r1 = reader_now(rd);

	ph->cycles = rte_rdtsc() - ph->t0;
	ph->writer_cycles = p->writer_cycles - ph->w0;
	ph->ops = p->answered - ph->a0;
	ph->refused = p->refused - ph->f0;
	ph->rc = (struct reader_count){
		r1.lookups - ph->r0.lookups, r1.wrong - ph->r0.wrong, r1.lost - ph->r0.lost};
	phase_report(ph);
}

/* ---- memory ---- */

struct mem {
	uint64_t huge, heap;
};

static struct mem
mem_now(int socket)
{
	struct rte_malloc_socket_stats ms;
	struct mallinfo2 mi = mallinfo2();

	rte_malloc_get_socket_stats(socket, &ms);
	/* glibc serves large blocks with mmap: hblkhd, not uordblks. */
	return (struct mem){ms.heap_allocsz_bytes, mi.uordblks + mi.hblkhd};
}

/* ---- the floor: one bare rte_fib, no ring, no second copy ---- */

static void
floor_run(const struct route_set *tab, const struct fib_params *p)
{
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.max_routes = (int)p->max_routes,
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = p->max_tbl8},
	};
	struct rte_fib *raw = rte_fib_create("bench_raw", p->socket_id, &conf);
	uint64_t t, add, del;

	if (raw == NULL) {
		fprintf(stderr, "fib_bench: no bare rte_fib (memory?): floor skipped\n");
		return;
	}
	t = rte_rdtsc();
	for (uint32_t i = 0; i < tab->n; i++)
		rte_fib_add(raw, tab->r[i].prefix, tab->r[i].depth, 1 + (tab->r[i].gateway & 0xff));
	add = rte_rdtsc() - t;
	t = rte_rdtsc();
	for (uint32_t i = 0; i < tab->n; i++)
		rte_fib_delete(raw, tab->r[i].prefix, tab->r[i].depth);
	del = rte_rdtsc() - t;
	rte_fib_free(raw);
	printf("floor    bare rte_fib, one copy, no ring: %.0f cycles/add (%.0f adds/s), %.0f "
	       "cycles/delete (%.0f deletes/s)\n",
		(double)add / tab->n, tab->n * hz / add, (double)del / tab->n, tab->n * hz / del);
	put("floor_add_ops_per_s", tab->n * hz / add);
	put("floor_del_ops_per_s", tab->n * hz / del);
	put("floor_add_cycles_per_op", (double)add / tab->n);
	put("floor_del_cycles_per_op", (double)del / tab->n);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fib_bench [EAL args] -- [-n ROUTES] [-s STABLE] [-d SECONDS] "
			"[-t PCT] [-F] [-X] [-o FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	uint32_t n_routes = 1000000, n_stab = 1024, churn_s = 10, tight = 0;
	struct fib_params fp = {
		.name = "bench",
		.max_routes = 1048576, /* vbrd's defaults (config/schema.c) */
		.max_tbl8 = 65536,
		.max_nexthops = 65536,
		.ring_size = 65536, /* vbrd's ROUTE_RING_SIZE */
	};
	struct route_set table, pool;
	struct reader rd = {0};
	struct pump pump = {0};
	struct phase ph;
	struct mem m0, m1, m2, mc, m3;
	struct fib_stats st;
	struct route_op *buf;
	uint64_t end;
	unsigned int reader_lcore;
	bool floor = false;
	int ret, opt;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	argc -= ret;
	argv += ret;
	while ((opt = getopt(argc, argv, "n:s:d:t:FXo:")) != -1) {
		switch (opt) {
		case 'n':
			n_routes = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			n_stab = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			churn_s = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			tight = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'F':
			floor = true;
			break;
		case 'X':
			unsafe = true;
			break;
		case 'o':
			out = fopen(optarg, "w");
			if (out == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		default:
			usage();
		}
	}
	if (n_routes < 1 || n_stab < 1 || n_stab > 4096 || churn_s < 1 || tight > 100)
		usage();
	reader_lcore = rte_get_next_lcore(-1, 1, 0);
	if (reader_lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "fib_bench: needs two lcores (EAL -l 0,1): the writer and a "
				"reader\n");
		return 1;
	}
	hz = (double)rte_get_tsc_hz();
	fp.socket_id = (int)rte_socket_id();
	fp.max_routes = RTE_MAX(fp.max_routes, n_routes + n_stab * (1 + POOL_PER_STABLE) + 4096);

	/* Everything of the benchmark's own is allocated before the first
	 * memory reading. */
	seen_mask = rte_align32pow2(2 * (n_routes + n_stab * (1 + POOL_PER_STABLE))) - 1;
	seen = calloc((size_t)seen_mask + 1, sizeof(*seen));
	buf = calloc(4096, sizeof(*buf));
	rd.ips = malloc(PROBES * sizeof(*rd.ips));
	rd.want = malloc(PROBES * sizeof(*rd.want));
	if (seen == NULL || buf == NULL || rd.ips == NULL || rd.want == NULL)
		return 1;
	stables_make(n_stab);
	set_init(&table, "table", n_routes, TABLE_GW, TABLE_GWS);
	set_init(&pool, "pool", n_stab * POOL_PER_STABLE, POOL_GW, POOL_GWS);
	table_make(&table);
	pool_make(&pool);
	for (uint32_t i = 0; i < PROBES; i++) {
		const struct stable *s = &stables[rnd_below(n_stable)];

		rd.ips[i] = probe_draw(s);
		rd.want[i] = s->gw;
	}
	free(seen);
	seen = NULL;
	{
		uint32_t hist[33] = {0};

		for (uint32_t i = 0; i < table.n; i++)
			hist[table.r[i].depth]++;
		printf("fib_bench: %u table routes (", table.n);
		for (int d = 0, first = 1; d <= 32; d++)
			if (hist[d]) {
				printf("%s/%d %u", first ? "" : ", ", d, hist[d]);
				first = 0;
			}
		printf("), %u stable prefixes in 100.0.0.0/8 with %u churn prefixes around "
		       "them, %u probe addresses; lcore %u writes, lcore %u reads\n",
			n_stable, pool.n, PROBES, rte_lcore_id(), reader_lcore);
	}
	put("routes", n_routes);
	put("stable", n_stable);
	put("pool", pool.n);
	put("churn_seconds", churn_s);
	{
		uint32_t gs = stable_groups(), gt = set_groups(&table), gp = set_groups(&pool);

		if (tight != 0)
			fp.max_tbl8 =
				RTE_MAX(1u, gs + (uint32_t)((uint64_t)(gt + gp) * tight / 100));
		printf("fib_bench: %u tbl8 groups for the /24s that hold longer routes: %u of the "
		       "stable prefixes, %u of the table, %u of the pool%s\n",
			fp.max_tbl8, gs, gt, gp, tight ? " (short on purpose: -t)" : "");
		put("tbl8_groups", fp.max_tbl8);
		put("tbl8_wanted", gs + gt + gp);
	}

	if (floor)
		floor_run(&table, &fp);

	m0 = mem_now(fp.socket_id);
	pump.f = fib_create(&fp);
	if (pump.f == NULL)
		return 1;
	m1 = mem_now(fp.socket_id);
	pump.ring = fib_route_ring(pump.f);
	pump.res = fib_result_ring(pump.f);
	rd.f = pump.f;

	/* setup: the stable prefixes and the pool, before the reader. */
	for (uint32_t i = 0; i < n_stable; i++) {
		struct route_op op = {
			.kind = ROUTE_OP_ADD,
			.depth = stables[i].depth,
			.nh_type = NH_GATEWAY,
			.prefix = stables[i].prefix,
			.gateway = stables[i].gw,
			.flags = ROUTE_OP_F_RESULT,
		};
		pump_all(&pump, &op, 1);
	}
	pump_all(&pump, pool.r, pool.n);
	memset(pool.present, 1, pool.n);
	if (pump.refused != 0 && tight == 0) {
		fprintf(stderr, "fib_bench: the FIB refused %" PRIu64 " setup routes\n",
			pump.refused);
		return 1;
	}

	if (rte_eal_remote_launch(reader_main, &rd, reader_lcore) != 0)
		return 1;
	while (!rd.ready)
		rte_pause();
	if (rd.ready < 0)
		return 1;

	phase_begin(&ph, "load", 1, &pump, &rd);
	pump_all(&pump, table.r, table.n);
	phase_end(&ph, &pump, &rd);
	memset(table.present, 1, table.n);
	m2 = mem_now(fp.socket_id);
	fib_get_stats(pump.f, &st);

	phase_begin(&ph, "quiet", 2, &pump, &rd);
	rte_delay_ms(1000);
	phase_end(&ph, &pump, &rd);

	/* churn: ops drawn as the ring takes them, one in four on the pool. */
	phase_begin(&ph, "churn", 3, &pump, &rd);
	end = ph.t0 + (uint64_t)(churn_s * hz);
	{
		uint32_t have = 0, next = 0;

		while (rte_rdtsc() < end) {
			if (next == have) {
				for (have = 0; have < 1024; have++)
					set_churn((have & 3) == 0 ? &pool : &table, &buf[have]);
				next = 0;
			}
			next += pump_send(&pump, &buf[next], have - next);
			pump_poll(&pump);
		}
		phase_end(&ph, &pump, &rd);
		/* The ops drawn are in the sets' state: send them too. */
		pump_all(&pump, &buf[next], have - next);
	}
	mc = mem_now(fp.socket_id);
	printf("churn ops: table %" PRIu64 " adds, %" PRIu64 " replaces, %" PRIu64
	       " deletes; pool %" PRIu64 " adds, %" PRIu64 " replaces, %" PRIu64 " deletes\n",
		table.adds, table.replaces, table.dels, pool.adds, pool.replaces, pool.dels);

	/* restore: the table whole, the pool gone (the reader still checks). */
	phase_begin(&ph, "restore", 4, &pump, &rd);
	{
		uint32_t k = 0;

		for (uint32_t i = 0; i < table.n; i++) {
			if (table.present[i])
				continue;
			buf[k] = table.r[i];
			buf[k++].kind = ROUTE_OP_ADD;
			if (k == 4096 || i == table.n - 1) {
				pump_all(&pump, buf, k);
				k = 0;
			}
		}
		pump_all(&pump, buf, k);
	}
	{
		uint32_t k = 0;

		for (uint32_t i = 0; i < pool.n; i++)
			if (pool.present[i]) {
				pool.r[k] = pool.r[i];
				pool.r[k++].kind = ROUTE_OP_DEL;
			}
		pump_all(&pump, pool.r, k);
	}
	phase_end(&ph, &pump, &rd);

	for (uint32_t i = 0; i < table.n; i++)
		table.r[i].kind = ROUTE_OP_DEL;
	phase_begin(&ph, "delete", 5, &pump, &rd);
	pump_all(&pump, table.r, table.n);
	phase_end(&ph, &pump, &rd);
	m3 = mem_now(fp.socket_id);

	rd.stop = 1;
	rte_eal_wait_lcore(reader_lcore);

	{
		uint64_t routes = st.routes;
		double mib = 1 << 20;
		struct fib_stats end_st;

		fib_get_stats(pump.f, &end_st);
		printf("memory   DPDK heap (hugepages): %.1f MiB at fib_create, %.1f MiB with "
		       "%" PRIu64 " routes (%.0f bytes/route), %.1f MiB after the churn, %.1f "
		       "MiB after the delete\n",
			(m1.huge - m0.huge) / mib, (m2.huge - m0.huge) / mib, routes,
			(double)(m2.huge - m0.huge) / routes, (mc.huge - m0.huge) / mib,
			(m3.huge - m0.huge) / mib);
		printf("memory   C heap (mallinfo2): %.1f MiB at fib_create, %.1f MiB with %" PRIu64
		       " routes (%.0f bytes/route), %.1f MiB after the churn, %.1f MiB after the "
		       "delete\n",
			((double)m1.heap - m0.heap) / mib, ((double)m2.heap - m0.heap) / mib,
			routes, ((double)m2.heap - m0.heap) / routes,
			((double)mc.heap - m0.heap) / mib, ((double)m3.heap - m0.heap) / mib);
		printf("fib      %" PRIu64 " routes left (the stable ones: %u), %" PRIu64
		       " batches, %" PRIu64 " ops refused, %" PRIu64 " grace stalls\n",
			end_st.routes, n_stable, end_st.batches, end_st.ops_failed,
			end_st.grace_stalls);
		put("fib_routes_loaded", (double)routes);
		put("huge_create_bytes", (double)(m1.huge - m0.huge));
		put("huge_loaded_bytes", (double)(m2.huge - m0.huge));
		put("huge_churned_bytes", (double)(mc.huge - m0.huge));
		put("huge_deleted_bytes", (double)(m3.huge - m0.huge));
		put("heap_create_bytes", (double)m1.heap - m0.heap);
		put("heap_loaded_bytes", (double)m2.heap - m0.heap);
		put("heap_churned_bytes", (double)mc.heap - m0.heap);
		put("heap_deleted_bytes", (double)m3.heap - m0.heap);
		put("routes_left", (double)end_st.routes);
		put("ops_failed", (double)end_st.ops_failed);
		put("grace_stalls", (double)end_st.grace_stalls);
		put("batches", (double)end_st.batches);
		put("refused", (double)pump.refused);
	}
	{
		struct reader_count all = reader_now(&rd);

		printf("reader   %" PRIu64 " lookups in all, %" PRIu64 " wrong, %" PRIu64 " lost\n",
			all.lookups, all.wrong, all.lost);
		for (uint32_t i = 0; i < rd.n_samples; i++) {
			const struct sample *s = &rd.samples[i];

			static const char *const names[] = {
				"setup", "load", "quiet", "churn", "restore", "delete"};

			printf("  %s: %u.%u.%u.%u got id %u (gateway %08x), want gateway "
			       "%08x\n",
				names[s->phase < RTE_DIM(names) ? s->phase : 0], s->addr >> 24,
				s->addr >> 16 & 255, s->addr >> 8 & 255, s->addr & 255, s->got_id,
				s->got_gw, s->want_gw);
		}
		put("total_lookups", (double)all.lookups);
		put("total_wrong", (double)all.wrong);
		put("total_lost", (double)all.lost);
	}
	if (out != NULL)
		fclose(out);
	fib_destroy(pump.f);
	rte_eal_cleanup();
	return 0;
}
