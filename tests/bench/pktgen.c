/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small traffic generator and sink for forwarding benchmarks on virtual
 * devices (net_memif): it sends IPv4/UDP frames as fast as it can on one port
 * toward the device under test, with destinations drawn from a file so that
 * lookups spread over the whole route table, and counts what the DUT
 * forwards back on a second port. tests/bench/l3fwd_compare.sh runs it
 * against vbrd and DPDK's l3fwd under the same route table.
 *
 *   pktgen [EAL args] -- --dst-file FILE --dst-mac MAC [options]
 *
 * FILE: one destination per line: "a.b.c.d", or a prefix "a.b.c.d/len" (one
 * random address inside it is drawn, or --per-prefix N), optionally after l3fwd's leading "R"
 * and followed by anything (l3fwd's rule files work as they are). '#' starts
 * a comment line.
 *
 * Port 0 (first --vdev) sends, port 1 receives. Frames are sent from a pool
 * of prebuilt templates (reference counted, or copied into fresh mbufs with
 * --copy), in a shuffled order. What the tx ring does not take is sent again
 * on the next pass: the offered load is what the DUT accepts, so the figure
 * of merit is the forwarded rate; the loss is what the DUT took and did not
 * forward.
 *
 * With --forward it is instead a null DUT: whatever arrives on one port
 * leaves unchanged by the other, to measure the generator's own ceiling, or
 * the cost of a harness (net_pcap replay in, net_null out). With --queues N
 * it forwards queue i of each port to queue i of the other on the i-th of
 * its N lcores (-l), as testpmd's io forwarding does.
 *
 * The last line is machine-readable:
 *   RESULT tx_pps=N rx_pps=N loss_pct=F tx=N rx=N rx_other=N rx_bad=N secs=F size=N dsts=N
 *          wait_pct=F
 * (tx, rx and loss over the whole run, rates over the measured time; wait_pct:
 * the share of the measured time another task held the generator's CPU.)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#define BURST 32
#define NB_RXD 1024
#define NB_TXD 1024
#define POOL_SIZE 16383
/* --forward: room for a net_pcap replay ring (infinite_rx keeps its frames
 * in mbufs of the rx queue's pool). */
#define FWD_POOL_SIZE 65535
#define MAX_QUEUES 16
#define POOL_CACHE 512
#define UDP_SPORT 5001
#define UDP_DPORT 5002
#define DEFAULT_MAX_TEMPLATES 65536
#define DRAIN_MS 200

struct options {
	const char *dst_file;
	struct rte_ether_addr dst_mac;
	bool have_dst_mac;
	uint32_t src_ip;    /* host order */
	unsigned size;	    /* frame size with the 4-byte FCS, as on the wire */
	double warmup;	    /* seconds */
	double duration;    /* seconds */
	unsigned link_wait; /* seconds */
	unsigned max_templates;
	unsigned per_prefix; /* addresses drawn in each prefix of the file */
	uint64_t seed;
	bool copy;
	bool forward;
	unsigned queues; /* --forward: queues per port, one lcore each */
	bool no_check;
	bool quiet;
};

struct counters {
	uint64_t tx;	   /* taken by the tx ring */
	uint64_t rx;	   /* ours, forwarded by the DUT */
	uint64_t rx_other; /* anything else (ARP, IPv6 from the DUT's kernel side) */
	uint64_t rx_bad;   /* of rx, not routed: TTL or destination MAC not rewritten */
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL args] -- --dst-file FILE --dst-mac MAC [--size BYTES]\n"
		"          [--warmup S] [--duration S] [--link-wait S] [--src-ip A.B.C.D]\n"
		"          [--per-prefix N] [--templates N] [--seed N] [--copy] [--no-check]\n"
		"          [--quiet]\n"
		"       %s [EAL args] -- --forward [--queues N] [--duration S (0: forever)]\n"
		"          [--link-wait S]\n"
		"  port 0 sends toward the DUT, port 1 receives what it forwards\n"
		"  --size: frame size on the wire with FCS, 64..1518 (default 64)\n"
		"  --per-prefix: random addresses drawn in each prefix of FILE (default 1)\n"
		"  --templates: at most this many distinct frames (default 65536)\n"
		"  --copy: copy templates into fresh mbufs instead of sharing them\n"
		"  --forward: be a null DUT (port 0 <-> port 1, unchanged)\n"
		"  --queues: with --forward, N queues per port, queue i on the i-th lcore\n",
		prog, prog);
}

static int
parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return (errno != 0 || *end != '\0' || *out < 0) ? -1 : 0;
}

static int
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno != 0 || *end != '\0' || *s == '-' || *out > max) ? -1 : 0;
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"dst-file", required_argument, NULL, 'f'},
		{"dst-mac", required_argument, NULL, 'm'},
		{"src-ip", required_argument, NULL, 'i'},
		{"size", required_argument, NULL, 's'},
		{"warmup", required_argument, NULL, 'w'},
		{"duration", required_argument, NULL, 'd'},
		{"link-wait", required_argument, NULL, 'l'},
		{"templates", required_argument, NULL, 't'},
		{"per-prefix", required_argument, NULL, 'p'},
		{"seed", required_argument, NULL, 'r'},
		{"copy", no_argument, NULL, 'c'},
		{"forward", no_argument, NULL, 'F'},
		{"queues", required_argument, NULL, 'Q'},
		{"no-check", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long v;
	struct in_addr a;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->dst_file = optarg;
			break;
		case 'm':
			if (rte_ether_unformat_addr(optarg, &o->dst_mac) != 0)
				return -1;
			o->have_dst_mac = true;
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return -1;
			o->src_ip = ntohl(a.s_addr);
			break;
		case 's':
			if (parse_uint(optarg, 1518, &v) != 0 || v < 64)
				return -1;
			o->size = (unsigned)v;
			break;
		case 'w':
			if (parse_double(optarg, &o->warmup) != 0)
				return -1;
			break;
		case 'd':
			if (parse_double(optarg, &o->duration) != 0)
				return -1;
			break;
		case 'l':
			if (parse_uint(optarg, 3600, &v) != 0)
				return -1;
			o->link_wait = (unsigned)v;
			break;
		case 't':
			if (parse_uint(optarg, 1u << 24, &v) != 0 || v == 0)
				return -1;
			o->max_templates = (unsigned)v;
			break;
		case 'p':
			if (parse_uint(optarg, 4096, &v) != 0 || v == 0)
				return -1;
			o->per_prefix = (unsigned)v;
			break;
		case 'r':
			if (parse_uint(optarg, UINT64_MAX, &v) != 0)
				return -1;
			o->seed = v;
			break;
		case 'c':
			o->copy = true;
			break;
		case 'F':
			o->forward = true;
			break;
		case 'Q':
			if (parse_uint(optarg, MAX_QUEUES, &v) != 0 || v == 0)
				return -1;
			o->queues = (unsigned)v;
			break;
		case 'n':
			o->no_check = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (!o->forward && (o->dst_file == NULL || !o->have_dst_mac || o->duration == 0))
		return -1;
	return 0;
}

/* Destinations from FILE, host order, in *out (malloc'd). */
static int
read_destinations(const char *path, unsigned per_prefix, uint32_t **out, unsigned *nb)
{
	unsigned cap = 1024, n = 0, lineno = 0;
	uint32_t *d = malloc(cap * sizeof(*d));
	char line[512];
	FILE *f;

	if (d == NULL)
		return -ENOMEM;
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "pktgen: %s: %s\n", path, strerror(errno));
		free(d);
		return -errno;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *tok, *slash;
		unsigned long len = 32;
		struct in_addr a;
		uint32_t addr, host;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (*p == 'R')
			p++;
		tok = strtok(p, " \t\r\n");
		if (tok == NULL)
			continue;
		slash = strchr(tok, '/');
		if (slash != NULL) {
			*slash = '\0';
			len = strtoul(slash + 1, NULL, 10);
		}
		if (inet_pton(AF_INET, tok, &a) != 1 || len > 32) {
			fprintf(stderr, "pktgen: %s:%u: not an IPv4 address or prefix\n", path,
				lineno);
			fclose(f);
			free(d);
			return -EINVAL;
		}
		addr = ntohl(a.s_addr);
		host = len == 32 ? 0 : ~0u >> len;
		for (unsigned k = 0; k < (slash != NULL ? per_prefix : 1); k++) {
			if (n == cap) {
				uint32_t *nd = realloc(d, 2 * cap * sizeof(*d));

				if (nd == NULL) {
					fclose(f);
					free(d);
					return -ENOMEM;
				}
				d = nd;
				cap *= 2;
			}
			d[n++] = (addr & ~host) | ((uint32_t)rte_rand() & host);
		}
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "pktgen: %s: no destination\n", path);
		free(d);
		return -EINVAL;
	}
	/* Fisher-Yates: consecutive packets go to unrelated routes. */
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (uint32_t)rte_rand() % (i + 1);
		uint32_t t = d[i];

		d[i] = d[j];
		d[j] = t;
	}
	*out = d;
	*nb = n;
	return 0;
}

/* One frame of len bytes (no FCS) to dst into buf. */
static void
build_frame(uint8_t *buf, unsigned len, const struct rte_ether_addr *src_mac,
	const struct rte_ether_addr *dst_mac, uint32_t src_ip, uint32_t dst_ip)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	unsigned ip_len = len - sizeof(*eth);

	memset(buf, 0, len);
	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(UDP_SPORT);
	udp->dst_port = rte_cpu_to_be_16(UDP_DPORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0; /* none: allowed over IPv4 */
}

static int
port_init(uint16_t port, struct rte_mempool *pool, uint16_t nb_q)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD;
	int rc;

	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	rc = rte_eth_dev_configure(port, nb_q, nb_q, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	for (uint16_t q = 0; rc == 0 && q < nb_q; q++) {
		rc = rte_eth_rx_queue_setup(
			port, q, nb_rxd, rte_eth_dev_socket_id(port), NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(
				port, q, nb_txd, rte_eth_dev_socket_id(port), NULL);
	}
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

static bool
links_up(unsigned wait_s)
{
	uint64_t end = rte_get_tsc_cycles() + wait_s * rte_get_tsc_hz();

	do {
		struct rte_eth_link l0, l1;

		if (rte_eth_link_get_nowait(0, &l0) == 0 && rte_eth_link_get_nowait(1, &l1) == 0 &&
			l0.link_status == RTE_ETH_LINK_UP && l1.link_status == RTE_ETH_LINK_UP)
			return true;
		rte_delay_us_sleep(10000);
	} while (!quit && rte_get_tsc_cycles() < end);
	return false;
}

/* Count what came back; a router has decremented TTL and rewritten the
 * destination MAC to ours. */
static inline void
sink(struct rte_mbuf **pkts, uint16_t n, const struct rte_ether_addr *mac, bool check,
	struct counters *c)
{
	if (!check) {
		c->rx += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);

		if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			rte_pktmbuf_data_len(pkts[i]) < sizeof(*eth) + sizeof(*ip) + sizeof(*udp) ||
			ip->next_proto_id != IPPROTO_UDP || ip->version_ihl != RTE_IPV4_VHL_DEF ||
			udp->dst_port != RTE_BE16(UDP_DPORT)) {
			c->rx_other++;
		} else {
			c->rx++;
			if (ip->time_to_live != 63 || !rte_is_same_ether_addr(&eth->dst_addr, mac))
				c->rx_bad++;
		}
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Nanoseconds this thread has waited on a run queue (runnable, not running):
 * another task had our CPU. 0 when the kernel does not say. */
static uint64_t
runq_wait_ns(void)
{
	unsigned long long run, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

static double
secs(uint64_t cycles)
{
	return (double)cycles / (double)rte_get_tsc_hz();
}

static void
progress(const struct options *o, uint64_t *last_tsc, struct counters *last,
	const struct counters *now_c)
{
	uint64_t now = rte_get_tsc_cycles();
	double dt = secs(now - *last_tsc);

	if (dt < 1.0)
		return;
	if (!o->quiet)
		printf("tx %.3f Mpps  rx %.3f Mpps\n", (double)(now_c->tx - last->tx) / dt / 1e6,
			(double)(now_c->rx - last->rx) / dt / 1e6);
	fflush(stdout);
	*last = *now_c;
	*last_tsc = now;
}

/* One lcore of the null DUT: queue q of port 0 <-> queue q of port 1,
 * unchanged. */
struct fwd_lcore {
	const struct options *o;
	uint16_t q;
	uint64_t end; /* TSC, 0: until stopped */
	struct counters c;
};

static int
forward_lcore(void *arg)
{
	struct fwd_lcore *f = arg;
	struct counters last = {0};
	uint64_t last_tsc = rte_get_tsc_cycles();
	struct rte_mbuf *pkts[BURST];

	while (!quit && (f->end == 0 || rte_get_tsc_cycles() < f->end)) {
		for (uint16_t in = 0; in < 2; in++) {
			uint16_t n = rte_eth_rx_burst(in, f->q, pkts, BURST), sent;

			if (n == 0)
				continue;
			f->c.rx += n;
			sent = rte_eth_tx_burst(in ^ 1, f->q, pkts, n);
			f->c.tx += sent;
			if (sent < n)
				rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		}
		if (f->q == 0)
			progress(f->o, &last_tsc, &last, &f->c);
	}
	return 0;
}

/* The null DUT: queue i on the i-th lcore, the main one queue 0. */
static int
forward_loop(const struct options *o)
{
	struct fwd_lcore f[MAX_QUEUES] = {0};
	uint64_t t0 = rte_get_tsc_cycles(), tx = 0, rx = 0;
	uint64_t end = o->duration > 0 ? t0 + (uint64_t)(o->duration * rte_get_tsc_hz()) : 0;
	unsigned lcore, q = 1;

	for (unsigned i = 0; i < o->queues; i++)
		f[i] = (struct fwd_lcore){.o = o, .q = (uint16_t)i, .end = end};
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (q == o->queues)
			break;
		if (rte_eal_remote_launch(forward_lcore, &f[q], lcore) != 0) {
			fprintf(stderr, "pktgen: cannot launch lcore %u\n", lcore);
			quit = 1;
			break;
		}
		q++;
	}
	forward_lcore(&f[0]);
	rte_eal_mp_wait_lcore();
	for (unsigned i = 0; i < o->queues; i++) {
		tx += f[i].c.tx;
		rx += f[i].c.rx;
	}
	printf("RESULT forwarded=%" PRIu64 " received=%" PRIu64 " secs=%.3f\n", tx, rx,
		secs(rte_get_tsc_cycles() - t0));
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o = {
		.src_ip = RTE_IPV4(10, 0, 0, 2),
		.size = 64,
		.warmup = 2,
		.duration = 10,
		.link_wait = 30,
		.max_templates = DEFAULT_MAX_TEMPLATES,
		.per_prefix = 1,
		.seed = 1,
		.queues = 1,
	};
	struct rte_ether_addr mac[2];
	struct rte_mempool *pool, *tpool = NULL;
	struct rte_mbuf **tmpl = NULL, *txb[BURST], *rxb[BURST];
	struct counters c = {0}, w0 = {0}, w1 = {0}, last = {0};
	uint64_t hz, t_start, t_w0 = 0, t_w1 = 0, t_end, last_tsc, wait0 = 0, wait1 = 0;
	unsigned nb_dst = 0, nb_tmpl, len, next = 0, pending = 0, off = 0;
	uint32_t *dst = NULL;
	uint8_t *frames = NULL;
	enum { WARMUP, MEASURE, DRAIN } phase = WARMUP;
	double tx_pps, rx_pps, loss;
	int rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "pktgen: cannot initialise EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	argv[0] = "pktgen";
	if (parse_args(argc, argv, &o) != 0) {
		usage("pktgen");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rte_srand(o.seed);
	hz = rte_get_tsc_hz();

	if (o.forward && o.queues > rte_lcore_count()) {
		fprintf(stderr, "pktgen: --queues %u needs as many lcores (-l), have %u\n",
			o.queues, rte_lcore_count());
		return 1;
	}
	if (rte_eth_dev_count_avail() != 2) {
		fprintf(stderr, "pktgen: need exactly 2 ports (--vdev), have %u\n",
			rte_eth_dev_count_avail());
		return 1;
	}
	pool = rte_pktmbuf_pool_create("pktgen_mbufs", o.forward ? FWD_POOL_SIZE : POOL_SIZE,
		POOL_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "pktgen: mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	for (uint16_t p = 0; p < 2; p++) {
		char buf[RTE_ETHER_ADDR_FMT_SIZE];

		rc = port_init(p, pool, o.forward ? (uint16_t)o.queues : 1);
		if (rc == 0)
			rc = rte_eth_macaddr_get(p, &mac[p]);
		if (rc != 0) {
			fprintf(stderr, "pktgen: port %u: %s\n", p, rte_strerror(-rc));
			return 1;
		}
		rte_ether_format_addr(buf, sizeof(buf), &mac[p]);
		printf("pktgen: port %u mac %s\n", p, buf);
	}
	if (!links_up(o.link_wait)) {
		fprintf(stderr, "pktgen: ports not up within %u s\n", o.link_wait);
		return 2;
	}
	printf("pktgen: links up\n");
	fflush(stdout);
	if (o.forward) {
		forward_loop(&o);
		goto out;
	}

	rc = read_destinations(o.dst_file, o.per_prefix, &dst, &nb_dst);
	if (rc != 0)
		return 1;
	len = o.size - RTE_ETHER_CRC_LEN;
	nb_tmpl = RTE_MIN(nb_dst, o.max_templates);
	/* Frames back to back: --copy reads them from here. */
	frames = rte_malloc("pktgen_frames", (size_t)nb_tmpl * len, RTE_CACHE_LINE_SIZE);
	if (frames == NULL) {
		fprintf(stderr, "pktgen: no memory for %u frames\n", nb_tmpl);
		return 1;
	}
	for (unsigned i = 0; i < nb_tmpl; i++)
		build_frame(frames + (size_t)i * len, len, &mac[0], &o.dst_mac, o.src_ip, dst[i]);
	if (!o.copy) {
		/* One mbuf per template, each sent with one more reference. */
		tpool = rte_pktmbuf_pool_create("pktgen_tmpl", nb_tmpl, 0, 0,
			(uint16_t)(RTE_PKTMBUF_HEADROOM + len), rte_socket_id());
		tmpl = calloc(nb_tmpl, sizeof(*tmpl));
		if (tpool == NULL || tmpl == NULL ||
			rte_pktmbuf_alloc_bulk(tpool, tmpl, nb_tmpl) != 0) {
			fprintf(stderr, "pktgen: no memory for %u templates\n", nb_tmpl);
			return 1;
		}
		for (unsigned i = 0; i < nb_tmpl; i++)
			rte_memcpy(rte_pktmbuf_append(tmpl[i], (uint16_t)len),
				frames + (size_t)i * len, len);
	}
	printf("pktgen: %u destinations, %u templates (%s), %u-byte frames, warm-up %.1f s, "
	       "%.1f s measured\n",
		nb_dst, nb_tmpl, o.copy ? "copied" : "shared", o.size, o.warmup, o.duration);
	fflush(stdout);

	t_start = last_tsc = rte_get_tsc_cycles();
	t_end = t_start + (uint64_t)(o.warmup * hz);
	while (!quit) {
		uint64_t now = rte_get_tsc_cycles();
		uint16_t n;

		n = rte_eth_rx_burst(1, 0, rxb, BURST);
		if (n > 0)
			sink(rxb, n, &mac[1], !o.no_check, &c);

		if (now >= t_end) {
			if (phase == WARMUP) {
				w0 = c;
				wait0 = runq_wait_ns();
				t_w0 = now;
				t_end = now + (uint64_t)(o.duration * hz);
				phase = MEASURE;
			} else if (phase == MEASURE) {
				w1 = c;
				wait1 = runq_wait_ns();
				t_w1 = now;
				t_end = now + hz / 1000 * DRAIN_MS;
				phase = DRAIN;
			} else {
				break;
			}
		}
		if (phase == DRAIN)
			continue;

		if (pending == 0) {
			if (o.copy) {
				if (rte_pktmbuf_alloc_bulk(pool, txb, BURST) != 0)
					goto skip_tx;
				for (unsigned i = 0; i < BURST; i++) {
					struct rte_mbuf *m = txb[i];

					rte_memcpy(rte_pktmbuf_mtod(m, void *),
						frames + (size_t)next * len, len);
					m->data_len = (uint16_t)len;
					m->pkt_len = len;
					if (++next == nb_tmpl)
						next = 0;
				}
			} else {
				for (unsigned i = 0; i < BURST; i++) {
					txb[i] = tmpl[next];
					rte_mbuf_refcnt_update(txb[i], 1);
					if (++next == nb_tmpl)
						next = 0;
				}
			}
			pending = BURST;
			off = 0;
		}
		n = rte_eth_tx_burst(0, 0, &txb[off], (uint16_t)pending);
		c.tx += n;
		off += n;
		pending -= n;
	skip_tx:
		progress(&o, &last_tsc, &last, &c);
	}
	if (pending > 0)
		rte_pktmbuf_free_bulk(&txb[off], pending);

	if (phase != DRAIN) {
		fprintf(stderr, "pktgen: interrupted before the end of the measurement\n");
		return 1;
	}
	tx_pps = (double)(w1.tx - w0.tx) / secs(t_w1 - t_w0);
	rx_pps = (double)(w1.rx - w0.rx) / secs(t_w1 - t_w0);
	/* Over the whole run, after the drain: packets in flight are not lost. */
	loss = c.tx ? 100.0 * (double)(c.tx - RTE_MIN(c.tx, c.rx)) / (double)c.tx : 0;
	printf("RESULT tx_pps=%.0f rx_pps=%.0f loss_pct=%.4f tx=%" PRIu64 " rx=%" PRIu64
	       " rx_other=%" PRIu64 " rx_bad=%" PRIu64 " secs=%.3f size=%u dsts=%u wait_pct=%.1f\n",
		tx_pps, rx_pps, loss, c.tx, c.rx, c.rx_other, c.rx_bad, secs(t_w1 - t_w0), o.size,
		nb_dst, (double)(wait1 - wait0) / 1e7 / secs(t_w1 - t_w0));
out:
	for (uint16_t p = 0; p < 2; p++) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	if (tmpl != NULL) {
		rte_pktmbuf_free_bulk(tmpl, nb_tmpl);
		free(tmpl);
	}
	rte_mempool_free(tpool);
	rte_free(frames);
	free(dst);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
