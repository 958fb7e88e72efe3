/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP as the dataplane needs it: requests for next hops it does not know,
 * and the sender of any ARP that crosses the exception path, to learn from.
 * Answering requests for our addresses is the kernel tap's job.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane.h"

struct rte_mbuf *
arp_build_request(struct rte_mempool *pool, const struct dp_port *p, uint32_t target)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&p->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(p->addr);
	memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(target);
	return m;
}

bool
arp_sender(const struct rte_mbuf *m, const struct dp_port *p, uint32_t *addr,
		struct rte_ether_addr *mac, bool *for_us)
{
	const struct rte_ether_hdr *eth;
	const struct rte_arp_hdr *arp;
	uint32_t sip;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp))
		return false;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
		return false;
	arp = (const struct rte_arp_hdr *)(eth + 1);
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return false;
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
			arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY))
		return false;
	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	/* Only neighbours on the port's subnet, never ourselves, never a
	 * multicast or zero MAC (a spoof must not blackhole a next hop). */
	if (sip == p->addr || (sip & p->mask) != (p->addr & p->mask))
		return false;
	if (~p->mask > 1 && ((sip & ~p->mask) == ~p->mask || (sip & ~p->mask) == 0))
		return false;
	if (!rte_is_valid_assigned_ether_addr(&arp->arp_data.arp_sha))
		return false;
	*addr = sip;
	rte_ether_addr_copy(&arp->arp_data.arp_sha, mac);
	*for_us = rte_be_to_cpu_32(arp->arp_data.arp_tip) == p->addr;
	return true;
}
