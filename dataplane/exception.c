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

static void
send_arp_request(struct dataplane *dp, unsigned port, uint32_t addr)
{
	struct dp_port *p = &dp->port[port];
	struct rte_mbuf *m = arp_build_request(dp->pool, p, addr);

	if (m == NULL)
		return;
	if (rte_ring_mp_enqueue(p->kern_ring, m) != 0) {
		dp->main_cnt[port].c[CNT_DROP_KERNEL_TX]++;
		rte_pktmbuf_free(m);
		return;
	}
	dp->main_cnt[port].c[CNT_ARP_REQUESTS]++;
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

static void
learn(struct dataplane *dp, unsigned port, const struct rte_mbuf *m)
{
	struct rte_ether_addr mac;
	uint32_t addr;

	if (!arp_sender(m, &dp->port[port], &addr, &mac))
		return;
	pthread_mutex_lock(&dp->fib_lock);
	fib_neigh_learn(dp->fib, port, addr, &mac);
	pthread_mutex_unlock(&dp->fib_lock);
	dp->main_cnt[port].c[CNT_ARP_LEARNED]++;
}

static void
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
		learn(dp, (unsigned)port, m);
		if (rte_eth_tx_burst(dp->port[port].tap_port_id, 0, &m, 1) != 1) {
			dp->main_cnt[port].c[CNT_DROP_PUNT_FULL]++;
			rte_pktmbuf_free(m);
		}
	}
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
	mac = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);
	if (nh->type == NH_CONNECTED)
		send_arp_request(dp, nh->port, dst);
	if (nh->type != NH_GATEWAY || !(mac & NH_MAC_VALID)) {
		if (nh->type == NH_GATEWAY)
			send_arp_request(dp, nh->port, nh->addr);
		dp->main_cnt[in].c[nh->type == NH_NONE ? CNT_DROP_NO_ROUTE :
							  CNT_DROP_NEIGH_UNRESOLVED]++;
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(&eth->dst_addr, &mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->port[nh->port].mac, &eth->src_addr);
	to_port(dp, nh->port, m);
}

static void
from_kernel(struct dataplane *dp)
{
	struct rte_mbuf *pkts[VBR_BURST];

	for (unsigned port = 0; port < VBR_NB_PORTS; port++) {
		struct dp_port *p = &dp->port[port];
		uint16_t n = rte_eth_rx_burst(p->tap_port_id, 0, pkts, VBR_BURST);

		for (uint16_t i = 0; i < n; i++) {
			const struct rte_ether_hdr *eth =
					rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

			if (rte_pktmbuf_data_len(pkts[i]) >= sizeof(*eth) &&
					rte_is_same_ether_addr(&eth->dst_addr, &p->mac) &&
					eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
				route_from_kernel(dp, port, pkts[i]);
			else
				to_port(dp, port, pkts[i]);
		}
	}
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

void
exc_poll(struct dataplane *dp)
{
	to_kernel(dp);
	from_kernel(dp);
	icmp_errors(dp);
	arp_requests(dp);
}

/* Resolve the next hops routes use before traffic needs them, and keep
 * asking for those that do not answer. */
void
exc_arp_housekeeping(struct dataplane *dp)
{
	uint64_t now = rte_rdtsc();
	uint64_t gap = rte_get_tsc_hz() / 1000 * ARP_RETRY_MS;
	uint32_t max = fib_nexthop_max(dp->fib);

	pthread_mutex_lock(&dp->fib_lock);
	for (uint32_t id = 1; id < max; id++) {
		struct nexthop *nh = fib_nexthop_mut(dp->fib, id);

		if (nh->type != NH_GATEWAY || nh->refcnt == 0 || nh->port >= VBR_NB_PORTS ||
				(nh->mac_state & NH_MAC_VALID))
			continue;
		if (nh->last_request != 0 && now - nh->last_request < gap)
			continue;
		nh->last_request = now;
		send_arp_request(dp, nh->port, nh->addr);
	}
	pthread_mutex_unlock(&dp->fib_lock);
}
