/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data ports (IDC, VPC) and their kernel exception taps. A data port has
 * one rx and one tx queue per forwarding lcore, plus one tx queue for the main
 * lcore's exception path. We ask a device only for the offloads it reports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dataplane.h"
#include "netlink.h"

RTE_LOG_REGISTER(vbr_logtype_dp, vbr.dataplane, INFO);

/* The kernel's default gateway on the IDC tap: a link-local address that
 * stands for the data plane (its MAC is the port's own). */
#define KERNEL_GW 0xa9fe0001u /* 169.254.0.1 */

#define NB_RXD 1024
#define NB_TXD 1024
#define TAP_RXD 512
#define TAP_TXD 512

static int
port_setup(struct dataplane *dp, unsigned idx, uint16_t nb_q)
{
	struct dp_port *p = &dp->port[idx];
	const struct vbr_port_config *pc = &dp->cfg->ports[idx];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint64_t rss_hf;
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return rc;
	if (info.max_rx_queues < nb_q || info.max_tx_queues < nb_q) {
		DP_LOG(ERR, "port %s (%s): %u forwarding lcores need %u rx and tx queues, it has %u and %u",
				config_port_name(idx), pc->device, nb_q, nb_q, info.max_rx_queues,
				info.max_tx_queues);
		return -EINVAL;
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	p->sw_ip_cksum = !(conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* Spread by addresses, and by ports where the NIC hashes TCP and UDP
	 * as flow types of their own: some (Intel 700 series) hash a TCP or
	 * UDP packet only under those, so that with the IP types alone every
	 * such packet would land on queue 0 and one lcore would do all. A
	 * flow's packets still share a queue; only a datagram's fragments
	 * (hashed by addresses) may take another one than its unfragmented
	 * siblings. */
	rss_hf = info.flow_type_rss_offloads &
		 (RTE_ETH_RSS_IP | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP);
	if (nb_q > 1 && rss_hf != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
	}
	conf.rxmode.mtu = pc->mtu;

	rc = rte_eth_dev_configure(p->port_id, nb_q, nb_q, &conf);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	for (uint16_t q = 0; q < nb_q; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;

		rxc.offloads = conf.rxmode.offloads;
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, rte_eth_dev_socket_id(p->port_id),
				&rxc, dp->pool);
		if (rc != 0)
			return rc;
	}
	for (uint16_t q = 0; q < nb_q; q++) {
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, rte_eth_dev_socket_id(p->port_id),
				&txc);
		if (rc != 0)
			return rc;
	}
	return rte_eth_macaddr_get(p->port_id, &p->mac);
}

/* The port's exception tap: a net_tap in our own network namespace with the
 * data port's MAC and address, so the kernel answers ARP and ping for us and
 * runs BGP's TCP. */
static int
tap_setup(struct dataplane *dp, unsigned idx)
{
	struct dp_port *p = &dp->port[idx];
	const struct vbr_port_config *pc = &dp->cfg->ports[idx];
	struct rte_eth_conf conf = { 0 };
	char name[64], devargs[320], mac[RTE_ETHER_ADDR_FMT_SIZE];
	int rc;

	snprintf(name, sizeof(name), "net_tap_vbr_%s", config_port_name(idx));
	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	snprintf(devargs, sizeof(devargs), "%s,iface=%s,mac=%s", name, pc->tap, mac);
	rc = rte_dev_probe(devargs);
	if (rc != 0) {
		DP_LOG(ERR, "cannot create the exception tap %s (%s): %s", pc->tap, name,
				rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_get_port_by_name(name, &p->tap_port_id);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_configure(p->tap_port_id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(p->tap_port_id, 0, TAP_RXD,
				rte_eth_dev_socket_id(p->tap_port_id), NULL, dp->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(p->tap_port_id, 0, TAP_TXD,
				rte_eth_dev_socket_id(p->tap_port_id), NULL);
	if (rc == 0)
		rc = rte_eth_dev_set_mtu(p->tap_port_id, pc->mtu);
	if (rc != 0) {
		DP_LOG(ERR, "exception tap %s: %s", pc->tap, rte_strerror(-rc));
		return rc;
	}
	nl_tap_sysctls(pc->tap);
	return 0;
}

static int
find_port(const char *device, uint16_t *port_id)
{
	if (rte_eth_dev_get_port_by_name(device, port_id) == 0)
		return 0;
	return -ENODEV;
}

int
dp_ports_init(struct dataplane *dp)
{
	unsigned nb_mbufs, room;
	int rc;

	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		const struct vbr_port_config *pc = &dp->cfg->ports[i];
		struct dp_port *p = &dp->port[i];

		if (find_port(pc->device, &p->port_id) != 0) {
			DP_LOG(ERR, "%s: port %s: no DPDK device \"%s\" (give it to EAL: --vdev or -a)",
					dp->cfg->path, config_port_name(i), pc->device);
			return -ENODEV;
		}
		p->addr = pc->address;
		p->mask = config_prefix_mask(pc->prefix_len);
		p->mtu = pc->mtu;
		p->punt_rate = pc->punt_rate;
		p->reachable_s = pc->reachable_time;
		fib_neigh_set_max(dp->fib, (uint16_t)i, pc->max_neighbors);
	}
	if (dp->port[0].port_id == dp->port[1].port_id) {
		DP_LOG(ERR, "%s: the IDC and VPC ports are the same device", dp->cfg->path);
		return -EINVAL;
	}

	nb_mbufs = VBR_NB_PORTS * ((NB_RXD + NB_TXD) * (dp->nb_fwd + 1) + TAP_RXD + TAP_TXD) +
		   4096 + rte_lcore_count() * 512;
	/* One segment holds a whole frame of the larger MTU: the fast path
	 * reads headers from the first segment and sends what it received. */
	room = (unsigned)RTE_PKTMBUF_HEADROOM +
	       RTE_MAX(dp->cfg->ports[0].mtu, dp->cfg->ports[1].mtu) + RTE_ETHER_HDR_LEN +
	       RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN;
	if (room < RTE_MBUF_DEFAULT_BUF_SIZE)
		room = RTE_MBUF_DEFAULT_BUF_SIZE;
	dp->pool = rte_pktmbuf_pool_create("vbr_mbufs", nb_mbufs, 256, 0, (uint16_t)room,
			rte_socket_id());
	if (dp->pool == NULL) {
		DP_LOG(ERR, "cannot create the mbuf pool of %u: %s", nb_mbufs, rte_strerror(rte_errno));
		return -rte_errno;
	}
	dp->punt_ring = rte_ring_create("vbr_punt", 1024, rte_socket_id(), RING_F_SC_DEQ);
	dp->arp_ring = rte_ring_create_elem("vbr_arp", sizeof(struct arp_req), 256, rte_socket_id(),
			RING_F_SC_DEQ);
	dp->icmp_ring = rte_ring_create("vbr_icmp", 256, rte_socket_id(), RING_F_SC_DEQ);
	if (dp->punt_ring == NULL || dp->arp_ring == NULL || dp->icmp_ring == NULL)
		return -rte_errno;
	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "vbr_kern_%s", config_port_name(i));
		dp->port[i].kern_ring = rte_ring_create(name, 1024, rte_socket_id(), RING_F_SC_DEQ);
		if (dp->port[i].kern_ring == NULL)
			return -rte_errno;
	}

	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		rc = port_setup(dp, i, (uint16_t)dp->nb_fwd);
		if (rc != 0) {
			DP_LOG(ERR, "port %s (%s): %s", config_port_name(i),
					dp->cfg->ports[i].device, rte_strerror(-rc));
			return rc;
		}
		rc = tap_setup(dp, i);
		if (rc != 0)
			return rc;
	}
	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		struct dp_port *p = &dp->port[i];
		const struct vbr_port_config *pc = &dp->cfg->ports[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		rc = rte_eth_dev_start(p->port_id);
		if (rc == 0)
			rc = rte_eth_dev_start(p->tap_port_id);
		if (rc != 0) {
			DP_LOG(ERR, "port %s: cannot start: %s", config_port_name(i), rte_strerror(-rc));
			return rc;
		}
		rc = nl_addr_add(pc->tap, pc->address, pc->prefix_len);
		if (rc != 0) {
			DP_LOG(ERR, "exception tap %s: cannot add its address: %s", pc->tap,
					strerror(-rc));
			return rc;
		}
		if (i == VBR_PORT_IDC && dp->host_netns) {
			DP_LOG(WARNING, "exception tap %s: vbrd runs in the host's network "
					"namespace: the host's default route is left alone, so our "
					"addresses answer only neighbours, and host services "
					"listening on 0.0.0.0 are reachable from the ports; run "
					"vbrd with --netns NAME to keep them apart", pc->tap);
		} else if (i == VBR_PORT_IDC) {
			rc = nl_default_via_dataplane(pc->tap, KERNEL_GW, p->mac.addr_bytes);
			if (rc != 0)
				DP_LOG(WARNING, "exception tap %s: no default route through the "
						"dataplane (%s): our addresses answer only "
						"neighbours", pc->tap, strerror(-rc));
		}
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		DP_LOG(INFO, "port %s: %s (DPDK port %u) mac %s, tap %s (DPDK port %u), %u queue(s)%s",
				config_port_name(i), pc->device, p->port_id, mac, pc->tap, p->tap_port_id,
				dp->nb_fwd,
				p->sw_ip_cksum ? ", IPv4 checksum in software" : "");
	}
	return 0;
}

void
dp_ports_stop(struct dataplane *dp)
{
	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		struct dp_port *p = &dp->port[i];

		if (!rte_eth_dev_is_valid_port(p->port_id))
			continue;
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
		if (rte_eth_dev_is_valid_port(p->tap_port_id)) {
			/* Closing a net_tap removes its kernel interface. */
			rte_eth_dev_stop(p->tap_port_id);
			rte_eth_dev_close(p->tap_port_id);
		}
	}
}
