/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path, on the main lcore: punted packets go to the port's
 * kernel tap (learning neighbours from the ARP among them), what the kernel
 * sends on a tap leaves by its data port, and ARP requests go out for the
 * next hops the forwarding lcores could not resolve.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <rte_ip.h>

#include "dataplane.h"

#define ARP_RETRY_MS 1000
#define ARP_RECENT 256
/* ARP requests we send per port and second, at most: a scan of a connected
 * subnet must not turn into a broadcast storm, nor crowd BGP's segments
 * out of the port's queue to the fast path. */
#define ARP_PER_S 100
/* Neighbour reachability (RFC 1122 2.3.2.1): a MAC not confirmed for the
 * port's reachable_time is probed every PROBE_S; after PROBES unanswered,
 * the neighbour is forgotten (its /32 and next-hop id go). */
#define PROBE_S 5
#define PROBES 3
/* Housekeeping's requests (probes, next hops of routes that do not answer)
 * have a budget of their own: dead neighbours, however many, must not eat
 * the one the fast path resolves new next hops with. */
#define PROBE_PER_S 100
/* A next hop of routes that does not answer is asked at ARP_RETRY_MS,
 * doubled each time up to 2^UNRESOLVED_BACKOFF times. */
#define UNRESOLVED_BACKOFF 5

struct arp_budget {
	uint64_t next_tsc; /* start of the current second's budget */
	unsigned used;
};

static struct arp_budget arp_budget[VBR_NB_PORTS];   /* the fast path's */
static struct arp_budget probe_budget[VBR_NB_PORTS]; /* housekeeping's */

static bool
budget_take(struct arp_budget *b, unsigned per_s, uint64_t now)
{
	if (now >= b->next_tsc) {
		b->next_tsc = now + rte_get_tsc_hz();
		b->used = 0;
	}
	if (b->used >= per_s)
		return false;
	b->used++;
	return true;
}

/* Addresses asked for lately (the main lcore's dedup of the fast path's
 * requests, which come from every lcore). */
static struct {
	uint32_t addr;
	uint16_t port;
	uint64_t tsc;
} arp_recent[ARP_RECENT];

static int
port_index(const struct dataplane *dp, uint16_t port_id)
{
	for (unsigned i = 0; i < VBR_NB_PORTS; i++)
		if (dp->port[i].port_id == port_id)
			return (int)i;
	return -1;
}

/* An ARP request for addr out of port: broadcast, or to dst (a probe of a
 * known neighbour, RFC 1122 2.3.2.1: unicast, not a broadcast per host). */
static bool
arp_send(struct dataplane *dp, unsigned port, uint32_t addr, const struct rte_ether_addr *dst)
{
	struct dp_port *p = &dp->port[port];
	struct rte_mbuf *m;

	m = arp_build_request(dp->pool, p, addr);
	if (m == NULL)
		return false;
	if (dst != NULL)
		rte_ether_addr_copy(dst, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	/* Its reply, to a broadcast or a probe alike, is solicited (punt.h):
	 * it reaches learning in the arp class. */
	punt_note_tx(dp, port, m);
	if (rte_ring_mp_enqueue(p->kern_ring, m) != 0) {
		dp->main_cnt[port].c[CNT_DROP_KERNEL_TX]++;
		rte_pktmbuf_free(m);
		return false;
	}
	dp->main_cnt[port].c[CNT_ARP_REQUESTS]++;
	return true;
}

/* A request for a next hop traffic needs, from the fast path's budget. */
static void
send_arp_request(struct dataplane *dp, unsigned port, uint32_t addr)
{
	if (!budget_take(&arp_budget[port], ARP_PER_S, rte_rdtsc())) {
		dp->main_cnt[port].c[CNT_ARP_THROTTLED]++;
		return;
	}
	arp_send(dp, port, addr, NULL);
}

static bool
arp_asked_lately(unsigned port, uint32_t addr, uint64_t now)
{
	unsigned slot = (addr * 2654435761u) % ARP_RECENT;
	uint64_t gap = rte_get_tsc_hz() / 1000 * ARP_RETRY_MS;

	if (arp_recent[slot].addr == addr && arp_recent[slot].port == port &&
			now - arp_recent[slot].tsc < gap)
		return true;
	arp_recent[slot].addr = addr;
	arp_recent[slot].port = port;
	arp_recent[slot].tsc = now;
	return false;
}

/* Neighbours are learned from the punted ARP that concerns us only: a
 * request for our address or a reply to ours (the arp class) may make a
 * new neighbour (RFC 826); a gratuitous ARP or an unsolicited reply (the
 * garp class) only refreshes one we have, so that no host fills the table
 * with them. Spoofs never get here (punt_classify drops them). */
void
exc_learn(struct dataplane *dp, unsigned port, const struct rte_mbuf *m)
{
	struct rte_ether_addr mac;
	enum fib_neigh_result res;
	uint32_t addr;
	bool for_us;
	uint32_t cls = m->hash.usr;

	if ((cls != PUNT_ARP && cls != PUNT_GARP) ||
			!arp_sender(m, &dp->port[port], &addr, &mac, &for_us))
		return;
	pthread_mutex_lock(&dp->fib_lock);
	if (cls == PUNT_ARP)
		res = fib_neigh_learn(dp->fib, port, addr, &mac);
	else
		res = fib_neigh_refresh(dp->fib, port, addr, &mac);
	pthread_mutex_unlock(&dp->fib_lock);
	dp->main_cnt[port].c[CNT_ARP_LEARNED]++;
	if (res == FIB_NEIGH_ADDED)
		dp->main_cnt[port].c[CNT_NEIGH_ADDED]++;
	else if (res == FIB_NEIGH_REFUSED || res == FIB_NEIGH_NO_ID)
		dp->main_cnt[port].c[CNT_NEIGH_REFUSED]++;
}

static unsigned
to_kernel(struct dataplane *dp)
{
	struct rte_mbuf *pkts[VBR_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(dp->punt_ring, (void **)pkts, VBR_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int port = port_index(dp, m->port);

		if (port < 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		if (m->hash.usr == PUNT_BGP)
			punt_note_rx(dp, (unsigned)port, m);
		exc_learn(dp, (unsigned)port, m);
		if (rte_eth_tx_burst(dp->port[port].tap_port_id, 0, &m, 1) != 1) {
			dp->main_cnt[port].c[CNT_DROP_PUNT_FULL]++;
			rte_pktmbuf_free(m);
		}
	}
	return n;
}

static void
to_port(struct dataplane *dp, unsigned port, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(dp->port[port].kern_ring, m) != 0) {
		dp->main_cnt[port].c[CNT_DROP_KERNEL_TX]++;
		rte_pktmbuf_free(m);
	}
}

/* The kernel sends what is not for its own subnets to its default gateway,
 * whose MAC is the port's own (see nl_default_via_dataplane): such frames
 * are routed here by the FIB, like any router's own traffic, so that the
 * VBR's addresses answer hosts beyond its neighbours. Runs on the main
 * lcore, the FIB's writer: its lookups need no lock. */
static void
route_from_kernel(struct dataplane *dp, unsigned in, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	const struct nexthop *nh;
	uint64_t nh_id, mac;
	uint32_t dst;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip)) {
		dp->main_cnt[in].c[CNT_DROP_KERNEL_TX]++;
		rte_pktmbuf_free(m);
		return;
	}
	dst = rte_be_to_cpu_32(ip->dst_addr);
	fib_lookup_bulk(dp->fib, &dst, &nh_id, 1);
	nh = fib_nexthop(dp->fib, (uint32_t)nh_id);
	if (nh->type == NH_GROUP) {
		/* As the forwarding lcores choose: the flow's member. */
		const struct nexthop *want;

		nh = fib_group_pick(dp->fib, nh, dp_flow_hash(m, ip), &want);
	}
	mac = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);
	if (nh->type != NH_GATEWAY || !(mac & NH_MAC_VALID)) {
		enum vbr_counter why = CNT_DROP_NEIGH_UNRESOLVED;
		uint32_t ask = nh->type == NH_CONNECTED ? dst : nh->addr;

		if (nh->type == NH_CONNECTED || nh->type == NH_GATEWAY) {
			if (!arp_asked_lately(nh->port, ask, rte_rdtsc()))
				send_arp_request(dp, nh->port, ask);
		} else {
			why = nh->type == NH_BLACKHOLE ? CNT_DROP_BLACKHOLE : CNT_DROP_NO_ROUTE;
		}
		dp->main_cnt[in].c[why]++;
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(&eth->dst_addr, &mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->port[nh->port].mac, &eth->src_addr);
	to_port(dp, nh->port, m);
}

static unsigned
from_kernel(struct dataplane *dp)
{
	struct rte_mbuf *pkts[VBR_BURST];
	unsigned total = 0;

	for (unsigned port = 0; port < VBR_NB_PORTS; port++) {
		struct dp_port *p = &dp->port[port];
		uint16_t n = rte_eth_rx_burst(p->tap_port_id, 0, pkts, VBR_BURST);

		total += n;
		for (uint16_t i = 0; i < n; i++) {
			const struct rte_ether_hdr *eth =
					rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

			punt_note_tx(dp, port, pkts[i]);

			if (rte_pktmbuf_data_len(pkts[i]) >= sizeof(*eth) &&
					rte_is_same_ether_addr(&eth->dst_addr, &p->mac) &&
					eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
				route_from_kernel(dp, port, pkts[i]);
			else
				to_port(dp, port, pkts[i]);
		}
	}
	return total;
}

static void
icmp_errors(struct dataplane *dp)
{
	struct rte_mbuf *pkts[VBR_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(dp->icmp_ring, (void **)pkts, VBR_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		int port = port_index(dp, pkts[i]->port);
		uint32_t req = pkts[i]->hash.usr;
		struct rte_mbuf *e = NULL;

		if (port >= 0)
			e = icmp_error_build(dp->pool, &dp->port[port], pkts[i], req >> 24,
					(req >> 16) & 0xff, req & 0xffff);
		rte_pktmbuf_free(pkts[i]);
		if (e != NULL) {
			dp->main_cnt[port].c[CNT_ICMP_ERRORS]++;
			to_port(dp, (unsigned)port, e);
		}
	}
}

static void
arp_requests(struct dataplane *dp)
{
	struct arp_req req[VBR_BURST];
	unsigned n = rte_ring_sc_dequeue_burst_elem(dp->arp_ring, req, sizeof(req[0]), VBR_BURST,
			NULL);
	uint64_t now = rte_rdtsc();

	for (unsigned i = 0; i < n; i++) {
		if (req[i].port >= VBR_NB_PORTS || arp_asked_lately(req[i].port, req[i].addr, now))
			continue;
		send_arp_request(dp, req[i].port, req[i].addr);
	}
}

unsigned
exc_poll(struct dataplane *dp)
{
	unsigned n = to_kernel(dp);

	n += from_kernel(dp);
	icmp_errors(dp);
	arp_requests(dp);
	return n;
}

/* Housekeeping's request for nh, from its own budget. */
static bool
probe(struct dataplane *dp, struct nexthop *nh, uint64_t now)
{
	uint64_t st = __atomic_load_n(&nh->mac_state, __ATOMIC_RELAXED);

	if (!budget_take(&probe_budget[nh->port], PROBE_PER_S, now)) {
		dp->main_cnt[nh->port].c[CNT_ARP_PROBES_DEFERRED]++;
		return false;
	}
	nh->last_request = now;
	if (nh->probes < UINT8_MAX)
		nh->probes++;
	/* The MAC sits in st's first bytes, in memory order (fib.h). */
	if (arp_send(dp, nh->port, nh->addr,
			    (st & NH_MAC_VALID) ? (const struct rte_ether_addr *)&st : NULL))
		dp->main_cnt[nh->port].c[CNT_ARP_PROBES]++;
	return true;
}

/* Whether nh, a live next hop, is due a probe; a learned neighbour whose
 * probes went unanswered is forgotten instead. */
static bool
probe_due(struct dataplane *dp, struct nexthop *nh, uint64_t now, uint32_t now_s)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned shift;

	if (nh->mac_state & NH_MAC_VALID) {
		if (now_s - nh->confirmed_s < dp->port[nh->port].reachable_s)
			return false;
		if (nh->probes != 0 && now - nh->last_request < hz * PROBE_S)
			return false;
		if (nh->probes < PROBES)
			return true;
		/* Gone: the fast path asks again when it needs it. */
		if (fib_neigh_forget(dp->fib, nh->port, nh->addr) == 0)
			dp->main_cnt[nh->port].c[CNT_NEIGH_EXPIRED]++;
		return false;
	}
	shift = RTE_MIN(nh->probes, UNRESOLVED_BACKOFF);
	return nh->last_request == 0 ||
			now - nh->last_request >= (hz / 1000 * ARP_RETRY_MS) << shift;
}

/* Resolve the next hops routes use before traffic needs them, keep asking
 * (less and less often) for those that do not answer, re-confirm the known
 * ones and forget those that stopped answering: a router replaced without
 * a gratuitous ARP, or a VPC address given to another VM, must not
 * blackhole its traffic for good, and departed hosts must not keep their
 * next-hop ids. Known neighbours go first, next hops nobody answers for
 * after them; when the probe budget runs out, the next round starts where
 * this one stopped, so that every one gets its turn. */
void
exc_arp_housekeeping(struct dataplane *dp)
{
	static uint32_t start[2] = { 1, 1 }; /* per pass */
	uint64_t now = rte_rdtsc();
	uint32_t now_s = (uint32_t)(rte_get_timer_cycles() / rte_get_timer_hz());
	uint32_t max = fib_nexthop_max(dp->fib);

	pthread_mutex_lock(&dp->fib_lock);
	for (unsigned pass = 0; pass < 2; pass++) {
		uint32_t first = start[pass] < max ? start[pass] : 1, starved = 0;

		for (uint32_t k = 0; k + 1 < max; k++) {
			uint32_t id = first + k < max ? first + k : first + k - (max - 1);
			struct nexthop *nh = fib_nexthop_mut(dp->fib, id);

			/* Unused ids keep their last type: refcnt and
			 * NH_F_LEARNED (a hold) say whether it lives. */
			if (nh->type != NH_GATEWAY || nh->port >= VBR_NB_PORTS ||
					(nh->flags & NH_F_STATIC) ||
					(nh->refcnt == 0 && !(nh->flags & NH_F_LEARNED)))
				continue;
			/* Pass 0: known MACs; pass 1: unresolved. */
			if (((nh->mac_state & NH_MAC_VALID) == 0) != (pass == 1))
				continue;
			if (probe_due(dp, nh, now, now_s) && !probe(dp, nh, now) && starved == 0)
				starved = id;
		}
		start[pass] = starved != 0 ? starved : first;
	}
	pthread_mutex_unlock(&dp->fib_lock);
}
