/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding step, run to completion on each forwarding lcore: check the
 * Ethernet and IPv4 headers, look the destinations up in bulk, decrement TTL
 * with an incremental checksum, rewrite Ethernet, queue for tx. ARP and
 * packets to our own addresses are punted to the main lcore (classified
 * and policed per class, punt.c).
 * No locks, no allocation, no syscalls; every drop has a counter.
 */
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "dataplane.h"

#define PREFETCH_OFFSET 4
#define PUNT_SCALE 32 /* tokens are fixed point: 1 pps must not round to 0 */
#define ARP_REASK_MS 200

static inline void
drop(struct fwd_ctx *ctx, unsigned port, enum vbr_counter why, struct rte_mbuf *m)
{
	ctx->cnt[port].c[why]++;
	rte_pktmbuf_free(m);
}

/* Token bucket per lcore and port: a flood toward our addresses must not
 * starve the exception path (and BGP behind it). */
static inline bool
punt_allowed(struct punt_bucket *b)
{
	uint64_t now = rte_rdtsc();
	uint64_t idle = now - b->last_tsc, t;

	/* A long idle only fills the bucket; cap it before it can overflow. */
	if (idle > b->max_idle)
		idle = b->max_idle;
	t = b->tokens + idle * b->rate_per_tsc;
	b->last_tsc = now;
	if (t > b->burst)
		t = b->burst;
	if (t < (1ull << PUNT_SCALE)) {
		b->tokens = t;
		return false;
	}
	b->tokens = t - (1ull << PUNT_SCALE);
	return true;
}

/* A frame for the exception path: classified (punt.h), policed by its
 * class's bucket, and queued; the bgp and bfd classes alone may use the
 * last quarter of the punt ring, so that floods of the others cannot fill
 * it. The main lcore reads the class from hash.usr. */
static inline void
punt(struct fwd_ctx *ctx, unsigned port, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	struct rte_ring *r = ctx->dp->punt_ring;
	unsigned why = 0;
	enum punt_class c = punt_classify(ctx->dp, port, m, ip, &why);

	if (c == PUNT_DROP) {
		drop(ctx, port, (enum vbr_counter)why, m);
		return;
	}
	if (!punt_allowed(&ctx->punt[port][c])) {
		ctx->pstat[port].policed[c]++;
		drop(ctx, port, CNT_DROP_PUNT_POLICED, m);
		return;
	}
	m->hash.usr = c;
	if ((c != PUNT_BGP && c != PUNT_BFD && c != PUNT_TRACK &&
			    rte_ring_count(r) >= rte_ring_get_capacity(r) / 4 * 3) ||
			rte_ring_mp_enqueue(r, m) != 0) {
		ctx->pstat[port].full[c]++;
		drop(ctx, port, CNT_DROP_PUNT_FULL, m);
		return;
	}
	ctx->pstat[port].passed[c]++;
	ctx->cnt[port].c[CNT_PUNTED]++;
}

/* Drop a packet we cannot forward, and have the main lcore tell its source
 * (ICMP), within the port's punt budget. */
static inline void
drop_icmp(struct fwd_ctx *ctx, unsigned port, enum vbr_counter why, struct rte_mbuf *m,
		uint32_t req)
{
	ctx->cnt[port].c[why]++;
	if (!punt_allowed(&ctx->punt[port][PUNT_OTHER])) {
		rte_pktmbuf_free(m);
		return;
	}
	m->hash.usr = req;
	if (rte_ring_mp_enqueue(ctx->dp->icmp_ring, m) != 0)
		rte_pktmbuf_free(m);
}

/* Ask the main lcore to ARP for addr, at most every ARP_REASK_MS per address
 * from this lcore: a stream to an unresolved next hop is one request. */
static inline void
ask_arp(struct fwd_ctx *ctx, unsigned port, uint32_t addr)
{
	unsigned slot = (addr ^ (addr >> 6) ^ (addr >> 12)) & 63;
	uint64_t now = rte_rdtsc();
	struct arp_req req = { .addr = addr, .port = port };

	if (ctx->arp_recent[slot] == addr &&
			now - ctx->arp_recent_tsc[slot] < rte_get_tsc_hz() / 1000 * ARP_REASK_MS)
		return;
	ctx->arp_recent[slot] = addr;
	ctx->arp_recent_tsc[slot] = now;
	rte_ring_mp_enqueue_elem(ctx->dp->arp_ring, &req, sizeof(req));
}

static inline bool
martian(uint32_t src, uint32_t dst)
{
	/* 0/8, 127/8 and class D/E are never routed (RFC 1812 5.3.7); the
	 * limited broadcast is in class E's range. */
	uint8_t s = src >> 24, d = dst >> 24;

	return s == 0 || s == 127 || s >= 224 || d == 0 || d == 127 || d >= 224;
}

/* The header's one's complement sum is all ones. The usual 20-byte header
 * is summed as five 32-bit words (RFC 1071: any word size folds to the same
 * 16-bit sum), which costs a few cycles where the generic loop costs tens. */
static inline bool
ipv4_cksum_ok(const struct rte_ipv4_hdr *ip, uint32_t hlen)
{
	if (likely(hlen == sizeof(*ip))) {
		uint32_t w[5];
		uint64_t sum;

		memcpy(w, ip, sizeof(w));
		sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
		sum = (sum & 0xffffffff) + (sum >> 32);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		return sum == 0xffff;
	}
	return rte_raw_cksum(ip, hlen) == 0xffff;
}

/* Checks of RFC 1812 5.2.2 (and the frame around the header). Returns 0 or the
 * counter of the reason to drop. */
static inline enum vbr_counter
ipv4_check(const struct dp_port *p, struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	uint32_t room = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	uint32_t hlen, tlen;

	if (unlikely(room < sizeof(*ip)))
		return CNT_DROP_RUNT;
	if (unlikely((ip->version_ihl >> 4) != 4))
		return CNT_DROP_BAD_VERSION;
	hlen = (ip->version_ihl & 0xf) * 4u;
	if (unlikely(hlen < sizeof(*ip) || hlen > room))
		return CNT_DROP_BAD_IHL;
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tlen < hlen || tlen > rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr)))
		return CNT_DROP_BAD_LENGTH;
	if (p->sw_ip_cksum) {
		if (unlikely(!ipv4_cksum_ok(ip, hlen)))
			return CNT_DROP_BAD_CHECKSUM;
	} else {
		uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

		if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD))
			return CNT_DROP_BAD_CHECKSUM;
		/* Not looked at by the NIC (options, odd cases): ours to check. */
		if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN) && !ipv4_cksum_ok(ip, hlen))
			return CNT_DROP_BAD_CHECKSUM;
	}
	if (unlikely(hlen > sizeof(*ip))) {
		enum vbr_counter why = ipv4_options_check((const uint8_t *)(ip + 1),
				hlen - (uint32_t)sizeof(*ip));

		if (why != 0)
			return why;
	}
	/* Ethernet pads short frames: what follows the datagram is not ours
	 * to forward. */
	if (unlikely(tlen < rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr)))
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr) - tlen);
	return 0;
}

static inline void
tx_queue(struct fwd_ctx *ctx, unsigned out, struct rte_mbuf *m)
{
	struct tx_buf *b = &ctx->tx[out];

	b->pkts[b->n++] = m;
	if (unlikely(b->n == VBR_BURST)) {
		const struct dp_port *p = &ctx->dp->port[out];
		uint16_t sent = rte_eth_tx_burst(p->port_id, ctx->queue, b->pkts, b->n);

		ctx->cnt[out].c[CNT_FORWARDED] += sent;
		for (uint16_t i = sent; i < b->n; i++)
			drop(ctx, out, CNT_DROP_TX_FULL, b->pkts[i]);
		b->n = 0;
	}
}

void
fwd_flush(struct fwd_ctx *ctx)
{
	for (unsigned out = 0; out < VBR_NB_PORTS; out++) {
		struct tx_buf *b = &ctx->tx[out];
		uint16_t sent;

		if (b->n == 0)
			continue;
		sent = rte_eth_tx_burst(ctx->dp->port[out].port_id, ctx->queue, b->pkts, b->n);
		ctx->cnt[out].c[CNT_FORWARDED] += sent;
		for (uint16_t i = sent; i < b->n; i++)
			drop(ctx, out, CNT_DROP_TX_FULL, b->pkts[i]);
		b->n = 0;
	}
}

/* Without DF, a packet over the outgoing MTU leaves in fragments (RFC 1812
 * 5.2.6); it is rare, so it is done here, by copy, off the fast path's way. */
static __rte_noinline void
fragment(struct fwd_ctx *ctx, unsigned in, unsigned out, struct rte_mbuf *m)
{
	struct rte_mbuf *frags[VBR_MAX_FRAGS];
	int n = ipv4_fragment(m, ctx->dp->port[out].mtu, ctx->dp->pool, frags, VBR_MAX_FRAGS);

	if (n < 0) {
		drop(ctx, in, n == -ENOBUFS ? CNT_DROP_FRAG_NOMBUF : CNT_DROP_TOO_BIG, m);
		return;
	}
	rte_pktmbuf_free(m);
	ctx->cnt[out].c[CNT_FRAGMENTED]++;
	for (int i = 0; i < n; i++)
		tx_queue(ctx, out, frags[i]);
}

/* ECMP: the member of group nh that carries m's flow. When the flow's own
 * member has no known MAC, the next one that has takes the flow meanwhile,
 * and ARP is asked for the missing one. */
static inline const struct nexthop *
group_member(struct fwd_ctx *ctx, const struct nexthop *nh, const struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip)
{
	const struct nexthop *want, *pick;

	pick = fib_group_pick(ctx->fib, nh, dp_flow_hash(m, ip), &want);
	ctx->cnt[nh->port].c[CNT_ECMP_ROUTED]++;
	if (unlikely(pick != want)) {
		ctx->cnt[nh->port].c[CNT_ECMP_FALLBACK]++;
		ask_arp(ctx, want->port, want->addr);
	}
	return pick;
}

/* Route one checked IPv4 packet to the next hop the lookup gave. */
static inline void
route(struct fwd_ctx *ctx, unsigned in, struct rte_mbuf *m, uint64_t nh_id, bool l2_multicast)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	const struct nexthop *nh = fib_nexthop(ctx->fib, (uint32_t)nh_id);
	const struct dp_port *out;
	uint64_t mac;
	uint32_t sum;

	if (unlikely(l2_multicast) && nh->type != NH_LOCAL) {
		/* RFC 1812 5.3.4: not routed when it came as a link-layer
		 * broadcast or multicast. */
		drop(ctx, in, CNT_DROP_L2_MULTICAST, m);
		return;
	}
	switch (nh->type) {
	case NH_GATEWAY:
		break;
	case NH_LOCAL:
		punt(ctx, in, m, ip);
		return;
	case NH_CONNECTED: {
		const struct dp_port *op = &ctx->dp->port[nh->port];
		uint32_t dst = rte_be_to_cpu_32(ip->dst_addr), host = ~op->mask;

		/* The subnet's own network and broadcast addresses are not
		 * hosts: no directed broadcast (RFC 2644). */
		if (host > 1 && ((dst & host) == host || (dst & host) == 0)) {
			drop(ctx, in, CNT_DROP_MARTIAN, m);
			return;
		}
		/* A resolved neighbour has its own /32: this one is not. */
		if (ip->time_to_live <= 1) {
			drop_icmp(ctx, in, CNT_DROP_TTL_EXPIRED, m,
					ICMP_REQ(VBR_ICMP_TIME_EXCEEDED, 0, 0));
			return;
		}
		ask_arp(ctx, nh->port, dst);
		drop(ctx, in, CNT_DROP_NEIGH_UNRESOLVED, m);
		return;
	}
	case NH_BLACKHOLE:
		drop(ctx, in, CNT_DROP_BLACKHOLE, m);
		return;
	default:
		/* ECMP here, not as a case of its own: the switch over the
		 * other types stays the compare chain it was (a sixth case
		 * makes it a jump table), and only packets to groups pay for
		 * the flow hash. */
		if (nh->type == NH_GROUP) {
			nh = group_member(ctx, nh, m, ip);
			break;
		}
		/* RFC 1812 5.2.7.1: Network Unreachable. */
		drop_icmp(ctx, in, CNT_DROP_NO_ROUTE, m, ICMP_REQ(VBR_ICMP_DEST_UNREACH, 0, 0));
		return;
	}
	if (unlikely(ip->time_to_live <= 1)) {
		drop_icmp(ctx, in, CNT_DROP_TTL_EXPIRED, m, ICMP_REQ(VBR_ICMP_TIME_EXCEEDED, 0, 0));
		return;
	}
	mac = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);
	if (unlikely(!(mac & NH_MAC_VALID))) {
		ask_arp(ctx, nh->port, nh->addr);
		drop(ctx, in, CNT_DROP_NEIGH_UNRESOLVED, m);
		return;
	}
	out = &ctx->dp->port[nh->port];
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > out->mtu) &&
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))) {
		/* With DF, Path MTU Discovery learns the MTU from us (RFC 1191). */
		drop_icmp(ctx, in, CNT_DROP_TOO_BIG, m,
				ICMP_REQ(VBR_ICMP_DEST_UNREACH, 4, out->mtu));
		return;
	}
	/* RFC 1624: TTL is the high byte of its 16-bit word; one less there is
	 * 0x0100 more in the one's complement checksum. */
	ip->time_to_live--;
	sum = (uint32_t)ip->hdr_checksum + rte_cpu_to_be_16(0x0100);
	ip->hdr_checksum = (uint16_t)((sum & 0xffff) + (sum >> 16));
	memcpy(&eth->dst_addr, &mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&out->mac, &eth->src_addr);
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > out->mtu)) {
		fragment(ctx, in, nh->port, m);
		return;
	}
	tx_queue(ctx, nh->port, m);
}

static void
fwd_chunk(struct fwd_ctx *ctx, unsigned in, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port *p = &ctx->dp->port[in];
	struct rte_mbuf *ok[VBR_BURST];
	uint32_t dst[VBR_BURST];
	uint64_t nh[VBR_BURST];
	uint32_t l2_multicast = 0; /* bit i: ok[i] came to a group address */
	unsigned nok = 0;

	ctx->cnt[in].c[CNT_RX] += n;
	for (uint16_t i = 0; i < n && i < PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eth;
		struct rte_ipv4_hdr *ip;
		enum vbr_counter why;

		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
			drop(ctx, in, CNT_DROP_RUNT, m);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &p->mac) &&
				    !rte_is_multicast_ether_addr(&eth->dst_addr))) {
			drop(ctx, in, CNT_DROP_OTHER_HOST, m);
			continue;
		}
		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			punt(ctx, in, m, NULL);
			continue;
		}
		if (unlikely(eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
			drop(ctx, in, CNT_DROP_ETHERTYPE, m);
			continue;
		}
		ip = (struct rte_ipv4_hdr *)(eth + 1);
		why = ipv4_check(p, m, ip);
		if (unlikely(why != 0)) {
			drop(ctx, in, why, m);
			continue;
		}
		dst[nok] = rte_be_to_cpu_32(ip->dst_addr);
		/* Its table line's miss overlaps the next packets' checks. */
		fib_prefetch(ctx->fib, dst[nok]);
		if (unlikely(martian(rte_be_to_cpu_32(ip->src_addr), dst[nok]))) {
			drop(ctx, in, CNT_DROP_MARTIAN, m);
			continue;
		}
		if (unlikely(rte_is_multicast_ether_addr(&eth->dst_addr)))
			l2_multicast |= 1u << nok;
		ok[nok++] = m;
	}
	if (nok == 0)
		return;
	fib_lookup_bulk(ctx->fib, dst, nh, nok);
	for (unsigned i = 0; i < nok; i++)
		route(ctx, in, ok[i], nh[i], l2_multicast & (1u << i));
}

void
fwd_burst(struct fwd_ctx *ctx, unsigned in, struct rte_mbuf **pkts, uint16_t n)
{
	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)VBR_BURST);

		fwd_chunk(ctx, in, pkts, k);
		pkts += k;
		n -= k;
	}
}

void
fwd_ctx_init(struct fwd_ctx *ctx, struct dataplane *dp, unsigned lcore_id, uint16_t queue)
{
	uint64_t hz = rte_get_tsc_hz();

	memset(ctx, 0, sizeof(*ctx));
	ctx->dp = dp;
	ctx->fib = dp->fib;
	ctx->lcore_id = lcore_id;
	ctx->queue = queue;
	for (unsigned i = 0; i < VBR_NB_PORTS * PUNT_CLASSES; i++) {
		struct punt_bucket *b = &ctx->punt[i / PUNT_CLASSES][i % PUNT_CLASSES];
		uint64_t rate = punt_class_rate(i % PUNT_CLASSES,
				dp->port[i / PUNT_CLASSES].punt_rate, dp->nb_fwd);

		b->rate_per_tsc = (rate << PUNT_SCALE) / hz;
		if (b->rate_per_tsc == 0)
			b->rate_per_tsc = 1;
		/* A tenth of a second's worth, and never less than a burst. */
		b->burst = RTE_MAX(rate / 10, (uint64_t)VBR_BURST) << PUNT_SCALE;
		b->tokens = b->burst;
		b->max_idle = hz;
		b->last_tsc = rte_rdtsc();
	}
}

/* Send what the main lcore left for this port (kernel tap traffic, ARP
 * requests) on this lcore's queue. */
static inline unsigned
fwd_from_kernel(struct fwd_ctx *ctx, unsigned port)
{
	const struct dp_port *p = &ctx->dp->port[port];
	struct rte_mbuf *pkts[VBR_BURST];
	unsigned n;
	uint16_t sent;

	if (likely(rte_ring_empty(p->kern_ring)))
		return 0;
	n = rte_ring_sc_dequeue_burst(p->kern_ring, (void **)pkts, VBR_BURST, NULL);
	sent = rte_eth_tx_burst(p->port_id, ctx->queue, pkts, (uint16_t)n);
	ctx->cnt[port].c[CNT_TX_FROM_KERNEL] += sent;
	for (unsigned i = sent; i < n; i++)
		drop(ctx, port, CNT_DROP_KERNEL_TX, pkts[i]);
	return n;
}

int
fwd_lcore_main(void *arg)
{
	struct fwd_ctx *ctx = arg;
	struct dataplane *dp = ctx->dp;
	struct rte_mbuf *pkts[VBR_BURST];
	uint64_t last = rte_rdtsc(), now;

	DP_LOG(INFO, "lcore %u forwarding on queue %u", ctx->lcore_id, ctx->queue);
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		unsigned got = 0;

		for (unsigned in = 0; in < VBR_NB_PORTS; in++) {
			uint16_t n = rte_eth_rx_burst(dp->port[in].port_id, ctx->queue, pkts,
					VBR_BURST);

			if (n == 0)
				continue;
			got += n;
			fwd_burst(ctx, in, pkts, n);
		}
		/* One lcore sends the kernel's frames: one queue keeps
		 * BGP's TCP segments in order. */
		if (ctx->queue == 0)
			for (unsigned out = 0; out < VBR_NB_PORTS; out++)
				got += fwd_from_kernel(ctx, out);
		fwd_flush(ctx);
		fib_reader_quiescent(ctx->fib, ctx->lcore_id);
		/* Busy or idle: one TSC read per loop, the lcore's own words. */
		now = rte_rdtsc();
		/* cycles first, busy_cycles after (release: a plain store on
		 * x86): a reader that reads busy_cycles first (acquire) then
		 * cycles never sees busy > cycles. */
		__atomic_store_n(&ctx->cycles, ctx->cycles + (now - last), __ATOMIC_RELAXED);
		if (got != 0)
			__atomic_store_n(&ctx->busy_cycles, ctx->busy_cycles + (now - last),
					__ATOMIC_RELEASE);
		last = now;
		if (got == 0 && dp->idle_sleep_us) {
			/* Offline while asleep: no grace period waits for us. */
			fib_reader_offline(ctx->fib, ctx->lcore_id);
			rte_delay_us_sleep(dp->idle_sleep_us);
			fib_reader_online(ctx->fib, ctx->lcore_id);
			now = rte_rdtsc();
			ctx->cycles += now - last;
			last = now;
		}
	}
	return 0;
}
