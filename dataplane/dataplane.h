/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's shared state: the two data ports, their exception taps,
 * the forwarding lcores' contexts and the rings between them and the main
 * lcore. Built once at start-up; read-only for the forwarding lcores after.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config.h"
#include "counters.h"
#include "fib.h"
#include "punt.h"

#define VBR_BURST 32
#define VBR_MAX_FWD_LCORES 64

extern int vbr_logtype_dp;
#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vbr_logtype_dp, "vbrd: " fmt "\n", ##__VA_ARGS__)

/* A data port as the fast path sees it. */
struct dp_port {
	uint16_t port_id;	/* DPDK port of the data device */
	uint16_t tap_port_id;	/* DPDK port of the kernel exception tap */
	struct rte_ether_addr mac;
	uint32_t addr;		/* our address, host order */
	uint32_t mask;		/* its subnet mask, host order */
	uint16_t mtu;
	bool sw_ip_cksum;	/* the device does not check IPv4 checksums */
	/* Frames from the main lcore (the kernel tap's, our ARP requests) for
	 * the forwarding lcores to send: they own every tx queue (net_tap wants
	 * as many tx queues as rx queues, and the fast path takes no lock). */
	struct rte_ring *kern_ring;
	uint32_t punt_rate;	/* packets/s, all lcores together */
	uint32_t reachable_s;	/* a learned MAC is probed once this old */
};

/* An ARP request the fast path asks the main lcore to send. */
struct arp_req {
	uint32_t addr;
	uint16_t port;
	uint16_t pad;
};

struct tx_buf {
	uint16_t n;
	struct rte_mbuf *pkts[VBR_BURST];
};

struct punt_bucket {
	uint64_t tokens;	/* scaled by 2^PUNT_SCALE */
	uint64_t last_tsc;
	uint64_t rate_per_tsc;	/* tokens per TSC tick, scaled */
	uint64_t burst;		/* bucket depth, scaled */
	uint64_t max_idle;	/* TSC ticks that fill the bucket at most */
};

/* peer_set.c: the BGP peers' addresses, as the lcores see them. */
struct dp_peer_set {
	unsigned n;
	rte_be32_t addr[VBR_MAX_PEERS];
	/* Next hops that static routes track: their echo replies are the
	 * track class (the first PUNT_TRACK_MAX; the rest are other). */
	unsigned n_track;
	rte_be32_t track[PUNT_TRACK_MAX];
};

/* Per-lcore forwarding context: owned by one lcore, read by telemetry. */
struct fwd_ctx {
	struct dataplane *dp;
	struct fib *fib;
	unsigned lcore_id;
	uint16_t queue;		/* rx and tx queue index on both ports */
	struct tx_buf tx[VBR_NB_PORTS];
	struct punt_bucket punt[VBR_NB_PORTS][PUNT_CLASSES];
	struct punt_stats pstat[VBR_NB_PORTS];
	uint32_t arp_recent[64]; /* addresses asked for recently (tiny cache) */
	uint64_t arp_recent_tsc[64];
	struct port_counters cnt[VBR_NB_PORTS];
	/* TSC cycles of the loop since it started, and of the loops that
	 * moved packets: the busy ratio is their quotient. Written by the
	 * lcore alone (plain stores), read whole by the metrics. */
	uint64_t cycles, busy_cycles;
} __rte_cache_aligned;

struct dataplane {
	const struct vbr_config *cfg;
	struct fib *fib;
	struct rte_mempool *pool;
	struct dp_port port[VBR_NB_PORTS];
	struct rte_ring *punt_ring;	/* mbufs to the kernel taps (MP/SC) */
	struct rte_ring *arp_ring;	/* struct arp_req (MP/SC) */
	/* Packets that get an ICMP error (TTL exceeded, fragmentation needed)
	 * from the main lcore; the type and code ride in hash.usr. */
	struct rte_ring *icmp_ring;
	/* The BGP peers (network order): their TCP to or from port 179 is
	 * punted in the bgp or bgp_new class (punt.h). Replaced whole under
	 * RCU when peers come and go (peer_set.c); read it with
	 * dp_peers_get(). */
	struct dp_peer_set *bgp_peers;
	struct dp_peer_retired *peers_retired; /* sets readers may still hold */
	pthread_mutex_t peers_lock;	/* publishers and the reclaimer */
	/* Live BGP sessions and our ARP requests, per port: written by the
	 * main lcore, read by the forwarding lcores' punt_classify(). */
	struct punt_table punt[VBR_NB_PORTS] __rte_cache_aligned;
	unsigned nb_fwd;
	struct fwd_ctx *fwd[VBR_MAX_FWD_LCORES];
	struct port_counters main_cnt[VBR_NB_PORTS]; /* the main lcore's own */
	/* The FIB writer (main lcore) and the telemetry thread's route walks. */
	pthread_mutex_t fib_lock;
	unsigned idle_sleep_us;	/* forwarding lcores nap when idle (0: pure polling) */
	/* Read by every forwarding lcore on every loop: a line of its own,
	 * away from fib_lock. */
	volatile bool stop __rte_cache_aligned;
	/* Telemetry may run until the process ends: it reads the lcores'
	 * counters and the FIB only while this is set (under fib_lock). */
	bool tel_ready;
	/* vbrd runs in the host's own network namespace (no --netns): the
	 * kernel's default route is the host's, not ours to replace. */
	bool host_netns;
};

static inline const struct dp_peer_set *
dp_peers_get(const struct dataplane *dp)
{
	return __atomic_load_n(&dp->bgp_peers, __ATOMIC_ACQUIRE);
}

/* Any thread: the new set (host order); the old one is freed by
 * dp_peers_reclaim() once no lcore can hold it. 0 or -ENOMEM / -E2BIG. */
int dp_peers_set(struct dataplane *dp, const uint32_t *addrs, unsigned n);
/* The same with the tracked next hops (m of them; past PUNT_TRACK_MAX they
 * are left out). */
int dp_punt_sources_set(struct dataplane *dp, const uint32_t *addrs, unsigned n,
		const uint32_t *tracked, unsigned m);
/* The main lcore, between its reads: free the sets no reader holds. */
void dp_peers_reclaim(struct dataplane *dp);
/* At exit, every reader stopped. */
void dp_peers_free(struct dataplane *dp);

/*
 * ECMP's flow hash of an IPv4 packet (fib_flow_hash): addresses, protocol,
 * and TCP/UDP ports when the packet is no fragment (a first fragment too:
 * all of a datagram's fragments take one path) and holds them. The same on
 * every lcore and every run: a flow keeps its group member.
 */
static inline uint32_t
dp_flow_hash(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (ip->version_ihl & 0xf) * 4u, ports = 0;

	if ((ip->next_proto_id == IPPROTO_TCP || ip->next_proto_id == IPPROTO_UDP) &&
			!(ip->fragment_offset &
					RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) &&
			rte_be_to_cpu_16(ip->total_length) >= hlen + 4 &&
			rte_pktmbuf_data_len(m) >= sizeof(struct rte_ether_hdr) + hlen + 4) {
		uint32_t w;

		memcpy(&w, (const uint8_t *)ip + hlen, sizeof(w));
		ports = rte_be_to_cpu_32(w);
	}
	return fib_flow_hash(rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_32(ip->dst_addr),
			ip->next_proto_id, ports);
}

/* forward.c: the forwarding step. Classifies n packets received on in_port:
 * routed ones go to ctx->tx[out], punted ones to the punt ring, the rest are
 * freed and counted. fwd_flush() sends what the tx buffers hold. */
void fwd_burst(struct fwd_ctx *ctx, unsigned in_port, struct rte_mbuf **pkts, uint16_t n);
void fwd_flush(struct fwd_ctx *ctx);
void fwd_ctx_init(struct fwd_ctx *ctx, struct dataplane *dp, unsigned lcore_id, uint16_t queue);
int fwd_lcore_main(void *arg);

/* exception.c: the main lcore's work besides the FIB writer. */
unsigned exc_poll(struct dataplane *dp); /* packets handled */
/* Learn the sender of a punted ARP frame (its class in hash.usr). */
void exc_learn(struct dataplane *dp, unsigned port, const struct rte_mbuf *m);
void exc_arp_housekeeping(struct dataplane *dp);

/* ip_options.c: the next option of the len bytes at opt from *pos (moved
 * past it): 1 and its length in *olen (NOP: 1), 0 at the end (EOL or the
 * header's end), -EINVAL for an option that runs past the header. */
int ipv4_opt_next(const uint8_t *opt, unsigned len, unsigned *pos, unsigned *olen);
/* 0, or the counter to drop a packet with these options under. */
enum vbr_counter ipv4_options_check(const uint8_t *opt, unsigned len);

/* ip_frag.c: the fragments of m (an Ethernet frame holding an IPv4 datagram
 * without DF) that fit mtu, each a whole frame with m's Ethernet header, in
 * out[0..max-1]. Returns their number, -ENOBUFS when the pool ran dry, or
 * -EINVAL / -E2BIG when it cannot be fragmented. m is left as it was. */
int ipv4_fragment(const struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *pool,
		struct rte_mbuf **out, unsigned max);
#define VBR_MAX_FRAGS 64

/* icmp.c: the ICMP error for a packet that could not be forwarded, toward
 * the neighbour it came from; NULL when none is due (RFC 1812 4.3.2.7). */
struct rte_mbuf *icmp_error_build(struct rte_mempool *pool, const struct dp_port *in,
		const struct rte_mbuf *orig, uint8_t type, uint8_t code, uint16_t mtu);
#define VBR_ICMP_DEST_UNREACH 3
#define VBR_ICMP_TIME_EXCEEDED 11
#define ICMP_REQ(type, code, mtu) ((uint32_t)(type) << 24 | (uint32_t)(code) << 16 | (mtu))

/* arp.c */
struct rte_mbuf *arp_build_request(struct rte_mempool *pool, const struct dp_port *p,
		uint32_t target);
/* If m is an ARP packet whose sender lies on port's subnet, fill addr/mac,
 * and for_us: whether we are its target (RFC 826: only then is the sender
 * worth a new entry; otherwise it only refreshes one we have). */
bool arp_sender(const struct rte_mbuf *m, const struct dp_port *p, uint32_t *addr,
		struct rte_ether_addr *mac, bool *for_us);

/* port.c */
int dp_ports_init(struct dataplane *dp);
void dp_ports_stop(struct dataplane *dp);

/* telemetry.c */
int dp_telemetry_init(struct dataplane *dp);
void dp_counters_sum(const struct dataplane *dp, unsigned port, struct port_counters *out);
void dp_counters_log(const struct dataplane *dp);
