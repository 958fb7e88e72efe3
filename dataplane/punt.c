/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Punt classes (see punt.h): which frames to our addresses reach the kernel
 * tap, in which class, and which are dropped before they cost anything.
 * The forwarding lcores classify; the main lcore keeps the tables they read
 * (live BGP sessions, ARP requests we sent) from the frames that cross it.
 */
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane.h"

#define BGP_PORT 179
#define BFD_PORT 3784 /* RFC 5881 4: single-hop BFD control */
/* A closed session's 4-tuple is not made live again by the ACKs that follow
 * its FIN (TCP's TIME-WAIT lasts 2 MSL). */
#define CLOSED_S 120

const char *const punt_class_names[PUNT_CLASSES] = {
	[PUNT_BGP] = "bgp",
	[PUNT_BGP_NEW] = "bgp_new",
	[PUNT_ARP] = "arp",
	[PUNT_GARP] = "garp",
	[PUNT_OTHER] = "other",
	[PUNT_BFD] = "bfd",
	[PUNT_TRACK] = "track",
};

uint64_t
punt_class_rate(enum punt_class c, uint64_t rate, unsigned nb_fwd)
{
	uint64_t r;

	if (nb_fwd == 0)
		nb_fwd = 1;
	/* RSS puts a BGP session, and all ARP, on one queue: those classes
	 * get their whole rate on every lcore; the rest is shared. */
	switch (c) {
	case PUNT_BGP:
		r = rate;
		break;
	case PUNT_BGP_NEW:
		r = RTE_MAX(rate / 50 / nb_fwd, (uint64_t)10);
		break;
	case PUNT_ARP:
		r = RTE_MAX(rate / 10, (uint64_t)10);
		break;
	case PUNT_GARP:
		r = rate / 100;
		break;
	case PUNT_BFD:
		/* A session's packets keep one source port: one queue. */
		r = RTE_MAX(rate / 10, (uint64_t)PUNT_BFD_MIN_RATE);
		break;
	case PUNT_TRACK:
		r = RTE_MAX(rate / 100, (uint64_t)PUNT_TRACK_MIN_RATE);
		break;
	default:
		r = rate / nb_fwd;
	}
	return r ? r : 1;
}

static inline uint32_t
now_ms(void)
{
	return (uint32_t)(rte_rdtsc() / (rte_get_tsc_hz() / 1000));
}

static inline unsigned
asked_slot(uint32_t addr)
{
	return (addr * 2654435761u) >> (32 - 10);
}
_Static_assert(PUNT_ASKED == 1 << 10, "asked_slot takes 10 bits");

static inline uint64_t
mac_bits(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac, RTE_ETHER_ADDR_LEN);
	return v;
}

static bool
is_bgp_peer(const struct dataplane *dp, uint32_t addr)
{
	const struct dp_peer_set *set = dp_peers_get(dp);
	rte_be32_t a = rte_cpu_to_be_32(addr);

	for (unsigned i = 0; set != NULL && i < set->n; i++)
		if (set->addr[i] == a)
			return true;
	return false;
}

/* The live session whose key is key: its index, or -1. */
static int
session_find(const struct punt_table *t, uint64_t key)
{
	for (unsigned i = 0; i < PUNT_SESSIONS; i++)
		if (__atomic_load_n(&t->sess[i].key, __ATOMIC_ACQUIRE) == key)
			return (int)i;
	return -1;
}

/* An ARP claiming a live BGP peer's address with another MAC than the one
 * our kernel talks to it with: a spoof, which would take the session (and
 * the routes through the peer) away. */
static bool
peer_mac_conflict(const struct punt_table *t, uint32_t sip, const struct rte_ether_addr *sha)
{
	uint64_t want = mac_bits(sha);

	for (unsigned i = 0; i < PUNT_SESSIONS; i++) {
		uint64_t key = __atomic_load_n(&t->sess[i].key, __ATOMIC_ACQUIRE), mac;

		if (key == 0 || (uint32_t)(key >> 32) != sip)
			continue;
		mac = __atomic_load_n(&t->sess[i].mac_state, __ATOMIC_ACQUIRE);
		if ((mac & PUNT_MAC_VALID) && (mac & ~PUNT_MAC_VALID) != want)
			return true;
	}
	return false;
}

static bool
asked_lately(const struct punt_table *t, uint32_t addr)
{
	uint64_t v = __atomic_load_n(&t->asked[asked_slot(addr)], __ATOMIC_RELAXED);

	return v != 0 && (uint32_t)(v >> 32) == addr &&
	       (uint32_t)(now_ms() - (uint32_t)v) < PUNT_ASKED_MS;
}

static enum punt_class
classify_arp(const struct dataplane *dp, unsigned port, const struct rte_mbuf *m, unsigned *why)
{
	const struct dp_port *p = &dp->port[port];
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);
	uint32_t sip, tip;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
			arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
			(arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
					arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY)) ||
			!rte_is_valid_assigned_ether_addr(&arp->arp_data.arp_sha)) {
		*why = CNT_DROP_ARP_MALFORMED;
		return PUNT_DROP;
	}
	/* A sender that is not the frame's source speaks for someone else. */
	if (!rte_is_same_ether_addr(&eth->src_addr, &arp->arp_data.arp_sha)) {
		*why = CNT_DROP_ARP_MAC_MISMATCH;
		return PUNT_DROP;
	}
	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	if (sip == p->addr || peer_mac_conflict(&dp->punt[port], sip, &arp->arp_data.arp_sha)) {
		*why = CNT_DROP_ARP_PEER_SPOOF;
		return PUNT_DROP;
	}
	if (sip == tip && sip != 0)
		return PUNT_GARP;
	if (tip != p->addr) {
		*why = CNT_DROP_ARP_NOT_FOR_US;
		return PUNT_DROP;
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST))
		return PUNT_ARP;
	/* A reply nobody asked for is as good as a gratuitous ARP. */
	return asked_lately(&dp->punt[port], sip) ? PUNT_ARP : PUNT_GARP;
}

/* The TCP header of an IPv4 packet to or from us, if the frame holds it. */
static const struct rte_tcp_hdr *
tcp_of(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (ip->version_ihl & 0xf) * 4u;

	if (ip->next_proto_id != IPPROTO_TCP || hlen < sizeof(*ip) ||
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
			rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + hlen +
							  sizeof(struct rte_tcp_hdr))
		return NULL;
	return (const struct rte_tcp_hdr *)((const uint8_t *)ip + hlen);
}

/* BFD control from a configured peer: on the IDC port (the BGP peers' and
 * BFD's only one) to its address, UDP to port 3784, not a fragment, its
 * header in the frame, and while the peer's BGP session is live, from the
 * MAC it pinned (a flood from the peer's address and another MAC must not
 * spend the class's budget). The VPC port pins no peer MAC: a host there
 * forging the peer's address must not reach BFD through this class. */
static bool
is_bfd(const struct dataplane *dp, unsigned port, const struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t hlen = (ip->version_ihl & 0xf) * 4u, src = rte_be_to_cpu_32(ip->src_addr);
	const struct rte_udp_hdr *udp;

	if (port != VBR_PORT_IDC || rte_be_to_cpu_32(ip->dst_addr) != dp->port[port].addr ||
			ip->next_proto_id != IPPROTO_UDP || hlen < sizeof(*ip) ||
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK |
							 RTE_IPV4_HDR_MF_FLAG)) != 0 ||
			rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + hlen + sizeof(*udp))
		return false;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + hlen);
	return udp->dst_port == RTE_BE16(BFD_PORT) && is_bgp_peer(dp, src) &&
	       !peer_mac_conflict(&dp->punt[port], src, &eth->src_addr);
}

/* An echo reply to our address from a tracked next hop: the answer to a
 * health check, which a ping flood of the other class must not starve.
 * Whole ICMP header in the frame, not a fragment. */
static bool
is_track_reply(const struct dataplane *dp, unsigned port, const struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip)
{
	const struct dp_peer_set *set = dp_peers_get(dp);
	uint32_t hlen = (ip->version_ihl & 0xf) * 4u;
	const struct rte_icmp_hdr *icmp;

	if (set == NULL || set->n_track == 0 || ip->next_proto_id != IPPROTO_ICMP ||
			hlen < sizeof(*ip) ||
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK |
							 RTE_IPV4_HDR_MF_FLAG)) != 0 ||
			rte_be_to_cpu_32(ip->dst_addr) != dp->port[port].addr ||
			rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + hlen + sizeof(*icmp))
		return false;
	icmp = (const struct rte_icmp_hdr *)((const uint8_t *)ip + hlen);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REPLY || icmp->icmp_code != 0)
		return false;
	for (unsigned i = 0; i < set->n_track; i++)
		if (set->track[i] == ip->src_addr)
			return true;
	return false;
}

static inline uint64_t
session_key(uint32_t peer, uint16_t peer_port, uint16_t our_port)
{
	return (uint64_t)peer << 32 | (uint64_t)peer_port << 16 | our_port;
}

enum punt_class
punt_classify(const struct dataplane *dp, unsigned port, const struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip, unsigned *why)
{
	const struct punt_table *t = &dp->punt[port];
	const struct rte_tcp_hdr *tcp;
	uint32_t src;
	uint16_t sport, dport;
	int i;

	if (ip == NULL)
		return classify_arp(dp, port, m, why);
	if (is_bfd(dp, port, m, ip))
		return PUNT_BFD;
	if (is_track_reply(dp, port, m, ip))
		return PUNT_TRACK;
	tcp = tcp_of(m, ip);
	if (tcp == NULL)
		return PUNT_OTHER;
	src = rte_be_to_cpu_32(ip->src_addr);
	if (!is_bgp_peer(dp, src))
		return PUNT_OTHER;
	sport = rte_be_to_cpu_16(tcp->src_port);
	dport = rte_be_to_cpu_16(tcp->dst_port);
	if (sport != BGP_PORT && dport != BGP_PORT)
		return PUNT_OTHER;
	if (rte_be_to_cpu_32(ip->dst_addr) == dp->port[port].addr &&
			(i = session_find(t, session_key(src, sport, dport))) >= 0) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		uint64_t mac = __atomic_load_n(&t->sess[i].mac_state, __ATOMIC_ACQUIRE);

		if (!(mac & PUNT_MAC_VALID) || (mac & ~PUNT_MAC_VALID) == mac_bits(&eth->src_addr))
			return PUNT_BGP;
	}
	return PUNT_BGP_NEW;
}

static void
session_log(uint64_t key, const char *what)
{
	DP_LOG(DEBUG, "punt: BGP session %u.%u.%u.%u:%u <-> :%u %s", (unsigned)(key >> 56),
			(unsigned)(key >> 48) & 0xff, (unsigned)(key >> 40) & 0xff,
			(unsigned)(key >> 32) & 0xff, (unsigned)(key >> 16) & 0xffff,
			(unsigned)key & 0xffff, what);
}

static void
session_close(struct punt_table *t, uint64_t key, uint64_t now)
{
	int i = session_find(t, key);

	t->closed[t->closed_next].key = key;
	t->closed[t->closed_next].tsc = now;
	t->closed_next = (t->closed_next + 1) % PUNT_CLOSED;
	if (i < 0)
		return;
	/* Key first: no reader matches the slot once it may change. */
	__atomic_store_n(&t->sess[i].key, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&t->sess[i].mac_state, 0, __ATOMIC_RELEASE);
	session_log(key, "closed");
}

static bool
closed_lately(const struct punt_table *t, uint64_t key, uint64_t now)
{
	for (unsigned i = 0; i < PUNT_CLOSED; i++)
		if (t->closed[i].key == key && now - t->closed[i].tsc < rte_get_tsc_hz() * CLOSED_S)
			return true;
	return false;
}

static void
session_live(struct punt_table *t, uint64_t key, uint64_t mac, uint64_t now)
{
	int i = session_find(t, key);
	unsigned oldest = 0;

	if (i >= 0) {
		t->sess[i].seen_tsc = now;
		if (mac && __atomic_load_n(&t->sess[i].mac_state, __ATOMIC_RELAXED) != mac)
			__atomic_store_n(&t->sess[i].mac_state, mac, __ATOMIC_RELEASE);
		return;
	}
	if (closed_lately(t, key, now))
		return;
	for (unsigned j = 0; j < PUNT_SESSIONS; j++) {
		if (t->sess[j].key == 0) {
			oldest = j;
			break;
		}
		if (t->sess[j].seen_tsc < t->sess[oldest].seen_tsc)
			oldest = j;
	}
	/* Free the slot (or the stalest session) before it takes the new key. */
	__atomic_store_n(&t->sess[oldest].key, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&t->sess[oldest].mac_state, mac, __ATOMIC_RELEASE);
	t->sess[oldest].seen_tsc = now;
	__atomic_store_n(&t->sess[oldest].key, key, __ATOMIC_RELEASE);
	session_log(key, "live");
}

void
punt_note_tx(struct dataplane *dp, unsigned port, const struct rte_mbuf *m)
{
	const struct dp_port *p = &dp->port[port];
	struct punt_table *t = &dp->punt[port];
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *tcp;
	uint16_t sport, dport;
	uint32_t dst;
	uint64_t mac = 0;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return;
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);
		uint32_t tip;

		if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
				arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
				rte_be_to_cpu_32(arp->arp_data.arp_sip) != p->addr)
			return;
		tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
		__atomic_store_n(&t->asked[asked_slot(tip)], (uint64_t)tip << 32 | now_ms(),
				__ATOMIC_RELAXED);
		return;
	}
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip))
		return;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	tcp = tcp_of(m, ip);
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if (tcp == NULL || rte_be_to_cpu_32(ip->src_addr) != p->addr || !is_bgp_peer(dp, dst))
		return;
	sport = rte_be_to_cpu_16(tcp->src_port);
	dport = rte_be_to_cpu_16(tcp->dst_port);
	if (sport != BGP_PORT && dport != BGP_PORT)
		return;
	if (tcp->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)) {
		session_close(t, session_key(dst, dport, sport), rte_rdtsc());
		return;
	}
	/* An ACK without SYN: the handshake is over, from our side. */
	if ((tcp->tcp_flags & (RTE_TCP_ACK_FLAG | RTE_TCP_SYN_FLAG)) != RTE_TCP_ACK_FLAG)
		return;
	/* The MAC our kernel sends to is the peer's (not ours: a frame the
	 * FIB routes on). */
	if (rte_is_valid_assigned_ether_addr(&eth->dst_addr) &&
			!rte_is_same_ether_addr(&eth->dst_addr, &p->mac))
		mac = mac_bits(&eth->dst_addr) | PUNT_MAC_VALID;
	session_live(t, session_key(dst, dport, sport), mac, rte_rdtsc());
}

void
punt_note_rx(struct dataplane *dp, unsigned port, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_tcp_hdr *tcp;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip) ||
			eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return;
	tcp = tcp_of(m, ip);
	if (tcp == NULL || !(tcp->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)))
		return;
	session_close(&dp->punt[port],
			session_key(rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_16(tcp->src_port),
					rte_be_to_cpu_16(tcp->dst_port)),
			rte_rdtsc());
}

void
punt_housekeeping(struct dataplane *dp)
{
	uint64_t now = rte_rdtsc(), idle = rte_get_tsc_hz() * PUNT_SESSION_IDLE_S;

	for (unsigned port = 0; port < VBR_NB_PORTS; port++) {
		struct punt_table *t = &dp->punt[port];

		for (unsigned i = 0; i < PUNT_SESSIONS; i++)
			if (t->sess[i].key != 0 && now - t->sess[i].seen_tsc > idle)
				session_close(t, t->sess[i].key, now);
	}
}

unsigned
punt_sessions(const struct dataplane *dp, unsigned port)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PUNT_SESSIONS; i++)
		if (__atomic_load_n(&dp->punt[port].sess[i].key, __ATOMIC_RELAXED) != 0)
			n++;
	return n;
}
