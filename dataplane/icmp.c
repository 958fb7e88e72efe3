/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors for what the fast path could not forward: Time Exceeded (so
 * that traceroute shows the VBR) and Fragmentation Needed (so that Path MTU
 * Discovery works across ports of different MTUs). Built on the main lcore
 * and sent back to the neighbour the packet came from.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane.h"

/* RFC 1812 4.3.2.7: no error about an ICMP error, a non-initial fragment,
 * or a packet whose source is not one host. */
static bool
icmp_due(const struct rte_ipv4_hdr *ip, uint32_t room)
{
	uint32_t hlen = (ip->version_ihl & 0xf) * 4u, src = rte_be_to_cpu_32(ip->src_addr);

	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (src == 0 || src >> 24 == 127 || src >> 28 >= 14)
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *icmp;

		if (room < hlen + sizeof(*icmp))
			return false;
		icmp = (const struct rte_icmp_hdr *)((const uint8_t *)ip + hlen);
		/* Only queries (echo and the like) get errors. */
		return icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
		       icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY || icmp->icmp_type == 13 ||
		       icmp->icmp_type == 14;
	}
	return true;
}

struct rte_mbuf *
icmp_error_build(struct rte_mempool *pool, const struct dp_port *in, const struct rte_mbuf *orig,
		uint8_t type, uint8_t code, uint16_t mtu)
{
	const struct rte_ether_hdr *oeth = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)(oeth + 1);
	uint32_t room = rte_pktmbuf_data_len(orig) - sizeof(*oeth);
	/* As much of the packet as fits in 576 bytes (RFC 1812 4.3.2.3). */
	uint32_t quote = 576 - sizeof(struct rte_ipv4_hdr) - sizeof(struct rte_icmp_hdr);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;

	if (rte_pktmbuf_data_len(orig) < sizeof(*oeth) + sizeof(*oip) || !icmp_due(oip, room))
		return NULL;
	if (quote > room)
		quote = room;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*ip) + sizeof(*icmp) + quote);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_ether_addr_copy(&oeth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&in->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0; /* internetwork control */
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*icmp) + quote);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(in->addr);
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	/* Fragmentation Needed carries the next hop's MTU (RFC 1191). */
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, oip, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	return m;
}
