/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragmentation (RFC 791 section 3.2, RFC 1812 5.2.6): a datagram
 * without DF that is larger than the outgoing MTU leaves as fragments. Each
 * fragment is one plain mbuf from the port's pool, Ethernet header included,
 * not a chain of indirect segments as rte_ipv4_fragment_packet() makes: so
 * ports keep MBUF_FAST_FREE and need no multi-segment transmit. Options are
 * all in the first fragment and only the "copied" ones in the others.
 */
#include <errno.h>
#include <netinet/ip.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane.h"

/* The options of the fragments after the first: those with the copied flag,
 * padded with EOL to a 4-byte boundary. Returns their length, or -EINVAL
 * for malformed options. */
static int
copied_options(const uint8_t *opt, unsigned len, uint8_t *out)
{
	unsigned pos = 0, n = 0, olen;
	int rc;

	while ((rc = ipv4_opt_next(opt, len, &pos, &olen)) > 0) {
		const uint8_t *o = opt + pos - olen;

		if (olen > 1 && IPOPT_COPIED(o[0])) {
			memcpy(out + n, o, olen);
			n += olen;
		}
	}
	if (rc < 0)
		return rc;
	while (n % 4)
		out[n++] = IPOPT_EOL;
	return (int)n;
}

int
ipv4_fragment(const struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *pool,
		struct rte_mbuf **out, unsigned max)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const uint8_t *data;
	uint8_t later_opts[RTE_IPV4_HDR_OPT_MAX_LEN];
	unsigned hlen = (ip->version_ihl & 0xf) * 4u, later_hlen, tlen, pos = 0, n = 0;
	unsigned first, later;
	uint16_t flags_off = rte_be_to_cpu_16(ip->fragment_offset);
	int olen;

	tlen = rte_be_to_cpu_16(ip->total_length);
	if (m->nb_segs != 1 || rte_pktmbuf_data_len(m) < sizeof(*eth) + tlen || tlen <= hlen ||
			(flags_off & RTE_IPV4_HDR_DF_FLAG))
		return -EINVAL;
	olen = copied_options((const uint8_t *)(ip + 1), hlen - sizeof(*ip), later_opts);
	if (olen < 0)
		return olen;
	later_hlen = sizeof(*ip) + (unsigned)olen;
	/* Each fragment's data but the last is a multiple of 8 bytes. */
	if (mtu < hlen + 8)
		return -EINVAL;
	data = (const uint8_t *)ip + hlen;
	tlen -= hlen;
	/* A piece that would end past 65535 bytes has no offset to say so:
	 * the datagram was never valid. */
	if ((flags_off & RTE_IPV4_HDR_OFFSET_MASK) * 8u + tlen > UINT16_MAX)
		return -EINVAL;
	/* Count before allocating: a tiny MTU must not cost max copies. */
	first = (mtu - hlen) & ~7u;
	later = (mtu - later_hlen) & ~7u;
	if (tlen > first && 1 + (tlen - first + later - 1) / later > max)
		return -E2BIG;

	while (pos < tlen) {
		unsigned h = n == 0 ? hlen : later_hlen;
		unsigned len = RTE_MIN((unsigned)((mtu - h) & ~7u), tlen - pos);
		bool last = pos + len == tlen;
		struct rte_mbuf *f;
		struct rte_ether_hdr *feth;
		struct rte_ipv4_hdr *fip;
		uint16_t fo;

		f = rte_pktmbuf_alloc(pool);
		feth = f ? (struct rte_ether_hdr *)rte_pktmbuf_append(f, sizeof(*feth) + h + len) :
			   NULL;
		if (feth == NULL) {
			rte_pktmbuf_free(f);
			rte_pktmbuf_free_bulk(out, n);
			return -ENOBUFS;
		}
		fip = (struct rte_ipv4_hdr *)(feth + 1);
		memcpy(feth, eth, sizeof(*feth));
		memcpy(fip, ip, sizeof(*ip));
		if (n == 0)
			memcpy(fip + 1, ip + 1, hlen - sizeof(*ip));
		else
			memcpy(fip + 1, later_opts, (size_t)olen);
		memcpy((uint8_t *)fip + h, data + pos, len);
		fip->version_ihl = (uint8_t)(0x40 | h / 4);
		fip->total_length = rte_cpu_to_be_16((uint16_t)(h + len));
		/* Offsets add to the datagram's own (it may be a fragment
		 * already); MF stays as it was on the last piece. */
		fo = (uint16_t)((flags_off & RTE_IPV4_HDR_OFFSET_MASK) + pos / 8);
		if (!last || (flags_off & RTE_IPV4_HDR_MF_FLAG))
			fo |= RTE_IPV4_HDR_MF_FLAG;
		fip->fragment_offset = rte_cpu_to_be_16(fo);
		fip->hdr_checksum = 0;
		fip->hdr_checksum = rte_ipv4_cksum(fip);
		f->port = m->port;
		out[n++] = f;
		pos += len;
	}
	return (int)n;
}
