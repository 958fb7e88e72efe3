/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the forwarding step: arbitrary frames go through
 * fwd_burst() on either port, with the outgoing MTU chosen by the input so
 * that fragmentation is reached too. Then what the main lcore would do with
 * them runs as well: ARP parsing of punted frames, the punt tables' notes
 * on them (as received, and as if our kernel had sent them), ICMP errors
 * for the packets that get one. Checked after every input:
 *   - each frame queued for tx is IPv4 with a right header checksum, our
 *     port's source MAC, a length that matches the frame and fits the MTU;
 *   - each ICMP error built is a valid IPv4 datagram with a right ICMP
 *     checksum;
 *   - no mbuf is left behind (nothing leaks, nothing is freed twice: ASan).
 *
 * Input: one byte of flags (bits 0-2: the VPC port's MTU), then frames, each
 * [in port: 1 byte][length: 2 bytes, little endian][bytes].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dataplane.h"

RTE_LOG_REGISTER(vbr_logtype_dp, vbr.dataplane, INFO);

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MAX_FRAMES 64

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_forward: %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static struct dataplane dp;
static struct rte_ring *port_tx[VBR_NB_PORTS]; /* what the ports sent */
static struct fwd_ctx ctx;
static struct vbr_config *cfg;
static const uint16_t mtus[8] = { 1500, 1400, 576, 68, 9000, 1500, 296, 1280 };

static void
add(struct route_op op)
{
	CHECK(rte_ring_enqueue_elem(fib_route_ring(dp.fib), &op, sizeof(op)) == 0);
	CHECK(fib_writer_drain(dp.fib, 5000) == 0);
}

static void
route(uint32_t prefix, uint8_t depth, uint8_t type, uint8_t port, uint32_t gw)
{
	add((struct route_op){ .kind = ROUTE_OP_ADD, .prefix = prefix, .depth = depth,
		.nh_type = type, .port = port, .gateway = gw });
}

/* The test topology: IDC 10.0.0.1/30 (peer 10.0.0.2), VPC 172.16.0.1/24. */
static void
setup(void)
{
	char prefix[64];
	char *eal[] = { "fuzz_forward", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
		"--log-level", "*:crit", "--file-prefix", prefix, NULL };
	struct fib_params fp = { .name = "ffwd", .socket_id = 0, .max_routes = 1024,
		.max_tbl8 = 64, .max_nexthops = 256, .ring_size = 1024 };
	struct route_op neigh = { .kind = ROUTE_OP_NEIGH, .port = VBR_PORT_VPC,
		.gateway = IP(172, 16, 0, 2), .mac = { 2, 0, 0, 0, 0, 0xbb } };
	struct route_op peer = { .kind = ROUTE_OP_NEIGH, .port = VBR_PORT_IDC,
		.gateway = IP(10, 0, 0, 2), .mac = { 2, 0, 0, 0, 0, 0xaa } };

	snprintf(prefix, sizeof(prefix), "vbr-fuzz-fwd-%d", (int)getpid());
	CHECK(rte_eal_init((int)RTE_DIM(eal) - 1, eal) >= 0);
	cfg = config_alloc();
	dp.cfg = cfg;
	dp.nb_fwd = 1;
	dp_peers_set(&dp, (uint32_t[]){ IP(10, 0, 0, 2) }, 1);
	dp.pool = rte_pktmbuf_pool_create("fpool", 4095, 0, 0, 9600 + 128 + 14, 0);
	dp.punt_ring = rte_ring_create("fpunt", 128, 0, RING_F_SC_DEQ);
	dp.arp_ring = rte_ring_create_elem("farp", sizeof(struct arp_req), 128, 0, RING_F_SC_DEQ);
	dp.icmp_ring = rte_ring_create("ficmp", 128, 0, RING_F_SC_DEQ);
	dp.fib = fib_create(&fp);
	CHECK(dp.pool && dp.punt_ring && dp.arp_ring && dp.icmp_ring && dp.fib);
	/* net_ring ports: a full tx buffer is sent for real, into a ring this
	 * harness reads and checks like the rest. */
	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		struct rte_eth_conf conf = { 0 };
		struct rte_ring *rx;
		char name[32];

		snprintf(name, sizeof(name), "frx%u", i);
		rx = rte_ring_create(name, 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "ftx%u", i);
		port_tx[i] = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		CHECK(rx != NULL && port_tx[i] != NULL);
		snprintf(name, sizeof(name), "fport%u", i);
		CHECK(rte_eth_from_rings(name, &rx, 1, &port_tx[i], 1, 0) == (int)i);
		CHECK(rte_eth_dev_configure((uint16_t)i, 1, 1, &conf) == 0);
		CHECK(rte_eth_rx_queue_setup((uint16_t)i, 0, 64, 0, NULL, dp.pool) == 0);
		CHECK(rte_eth_tx_queue_setup((uint16_t)i, 0, 4096, 0, NULL) == 0);
		CHECK(rte_eth_dev_start((uint16_t)i) == 0);
	}
	dp.port[VBR_PORT_IDC] = (struct dp_port){ .port_id = 0,
		.mac = { { 2, 0, 0, 0, 0, 1 } }, .addr = IP(10, 0, 0, 1), .mask = 0xfffffffc,
		.mtu = 1500, .sw_ip_cksum = true, .punt_rate = 1000000 };
	dp.port[VBR_PORT_VPC] = (struct dp_port){ .port_id = 1,
		.mac = { { 2, 0, 0, 0, 0, 2 } }, .addr = IP(172, 16, 0, 1), .mask = 0xffffff00,
		.mtu = 1500, .sw_ip_cksum = true, .punt_rate = 1000000 };
	route(IP(10, 0, 0, 0), 30, NH_CONNECTED, VBR_PORT_IDC, 0);
	route(IP(10, 0, 0, 1), 32, NH_LOCAL, VBR_PORT_IDC, 0);
	route(IP(172, 16, 0, 0), 24, NH_CONNECTED, VBR_PORT_VPC, 0);
	route(IP(172, 16, 0, 1), 32, NH_LOCAL, VBR_PORT_VPC, 0);
	add(neigh);
	add(peer);
	route(IP(172, 16, 0, 0), 12, NH_GATEWAY, VBR_PORT_VPC, IP(172, 16, 0, 2));
	route(IP(192, 168, 0, 0), 16, NH_GATEWAY, VBR_PORT_IDC, IP(10, 0, 0, 2));
	route(IP(198, 51, 100, 0), 24, NH_BLACKHOLE, VBR_PORT_IDC, 0);
	route(IP(0, 0, 0, 0), 0, NH_GATEWAY, VBR_PORT_IDC, IP(10, 0, 0, 3));
	/* ECMP: the flow hash reads the ports of hostile packets; one member
	 * known, one not (the fallback). */
	add((struct route_op){ .kind = ROUTE_OP_ADD, .prefix = IP(192, 168, 100, 0), .depth = 24,
		.nh_type = NH_GROUP, .port = VBR_PORT_IDC, .n_gateways = 2,
		.gateways = { IP(10, 0, 0, 2), IP(10, 0, 0, 6) } });
	fwd_ctx_init(&ctx, &dp, rte_lcore_id(), 0);
	dp.fwd[0] = &ctx;
}

static void
check_ipv4_frame(const struct rte_mbuf *m, unsigned out)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	unsigned hlen, tlen;

	CHECK(m->nb_segs == 1);
	CHECK(rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip));
	CHECK(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4));
	CHECK(rte_is_same_ether_addr(&eth->src_addr, &dp.port[out].mac));
	hlen = (ip->version_ihl & 0xf) * 4u;
	tlen = rte_be_to_cpu_16(ip->total_length);
	CHECK((ip->version_ihl >> 4) == 4 && hlen >= 20);
	CHECK(tlen == rte_pktmbuf_pkt_len(m) - sizeof(*eth));
	CHECK(tlen <= dp.port[out].mtu);
	CHECK(rte_raw_cksum(ip, hlen) == 0xffff);
}

static void
drain(void)
{
	struct rte_mbuf *m[128];
	struct arp_req req[128];
	unsigned n;

	for (unsigned out = 0; out < VBR_NB_PORTS; out++) {
		for (unsigned i = 0; i < ctx.tx[out].n; i++) {
			check_ipv4_frame(ctx.tx[out].pkts[i], out);
			rte_pktmbuf_free(ctx.tx[out].pkts[i]);
		}
		ctx.tx[out].n = 0;
		while ((n = rte_ring_sc_dequeue_burst(port_tx[out], (void **)m, 128, NULL)) > 0)
			for (unsigned i = 0; i < n; i++) {
				check_ipv4_frame(m[i], out);
				rte_pktmbuf_free(m[i]);
			}
	}
	n = rte_ring_dequeue_burst(dp.punt_ring, (void **)m, 128, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint32_t addr;
		struct rte_ether_addr mac;
		bool for_us;

		arp_sender(m[i], &dp.port[m[i]->port], &addr, &mac, &for_us);
		CHECK(m[i]->hash.usr < PUNT_CLASSES);
		if (m[i]->hash.usr == PUNT_BGP)
			punt_note_rx(&dp, m[i]->port, m[i]);
		/* The same bytes as if our kernel had sent them. */
		punt_note_tx(&dp, m[i]->port, m[i]);
		rte_pktmbuf_free(m[i]);
	}
	n = rte_ring_dequeue_burst(dp.icmp_ring, (void **)m, 128, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint32_t req_ = m[i]->hash.usr;
		const struct dp_port *in = &dp.port[m[i]->port];
		struct rte_mbuf *e = icmp_error_build(dp.pool, in, m[i], (uint8_t)(req_ >> 24),
				(uint8_t)(req_ >> 16), (uint16_t)req_);

		if (e != NULL) {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(e,
					const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
			unsigned hlen = (ip->version_ihl & 0xf) * 4u;
			unsigned tlen = rte_be_to_cpu_16(ip->total_length);

			CHECK(ip->next_proto_id == IPPROTO_ICMP);
			CHECK(rte_raw_cksum(ip, hlen) == 0xffff);
			CHECK(tlen + sizeof(struct rte_ether_hdr) == rte_pktmbuf_pkt_len(e));
			CHECK(rte_raw_cksum((const uint8_t *)ip + hlen, tlen - hlen) == 0xffff);
			rte_pktmbuf_free(e);
		}
		rte_pktmbuf_free(m[i]);
	}
	while (rte_ring_dequeue_burst_elem(dp.arp_ring, req, sizeof(req[0]), 128, NULL) > 0)
		;
}

/* At exit, so that LeakSanitizer, which does not look into DPDK's memory,
 * sees what the FIB allocated given back. */
static void
cleanup(void)
{
	for (uint16_t i = 0; i < VBR_NB_PORTS; i++) {
		rte_eth_dev_stop(i);
		rte_eth_dev_close(i);
	}
	fib_destroy(dp.fib);
	rte_ring_free(dp.punt_ring);
	rte_ring_free(dp.arp_ring);
	rte_ring_free(dp.icmp_ring);
	rte_mempool_free(dp.pool);
	config_free(cfg);
	rte_eal_cleanup();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *burst[MAX_FRAMES];
	unsigned n = 0, burst_port = 0;
	size_t pos = 1;

	if (size < 1)
		return 0;
	dp.port[VBR_PORT_VPC].mtu = mtus[data[0] & 7];
	while (pos + 3 <= size && n < MAX_FRAMES) {
		unsigned port = data[pos] & 1;
		size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
		struct rte_mbuf *m;
		char *p;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len > 9600 + 14)
			len = 9600 + 14;
		/* One burst per run of frames from the same port. */
		if (n > 0 && port != burst_port) {
			fwd_burst(&ctx, burst_port, burst, (uint16_t)n);
			drain();
			n = 0;
		}
		m = rte_pktmbuf_alloc(dp.pool);
		CHECK(m != NULL);
		p = rte_pktmbuf_append(m, (uint16_t)len);
		CHECK(p != NULL || len == 0);
		if (len)
			memcpy(p, data + pos, len);
		m->port = (uint16_t)port;
		burst[n++] = m;
		burst_port = port;
		pos += len;
	}
	if (n > 0)
		fwd_burst(&ctx, burst_port, burst, (uint16_t)n);
	drain();
	CHECK(rte_mempool_in_use_count(dp.pool) == 0);
	return 0;
}
