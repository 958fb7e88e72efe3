/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore, per-port packet counters. Every drop has a name, so that a user
 * can ask why a packet was dropped. Each forwarding lcore owns its block
 * (no atomics on the fast path); readers sum the blocks.
 */
#pragma once

#include <stdint.h>

#include <rte_common.h>

#define VBR_COUNTERS(X)                                                        \
	X(RX, "rx_packets", "packets received on the port")                    \
	X(FORWARDED, "forwarded", "packets routed and sent out of a port")     \
	X(PUNTED, "punted", "packets to our own addresses and ARP, to the kernel tap") \
	X(TX_FROM_KERNEL, "tx_from_kernel", "packets the kernel tap sent out of the port") \
	X(ARP_REQUESTS, "arp_requests", "ARP requests sent for next hops")     \
	X(ARP_LEARNED, "arp_learned", "neighbour MACs learned from ARP")       \
	X(ARP_PROBES, "arp_probes", "of arp_requests, those housekeeping sent (stale neighbours, next hops that do not answer)") \
	X(ARP_THROTTLED, "arp_throttled", "ARP requests for traffic not sent: over the port's 100/s") \
	X(ARP_PROBES_DEFERRED, "arp_probes_deferred", "housekeeping probes put off: over the port's 100/s for probes") \
	X(NEIGH_ADDED, "neigh_added", "neighbours learned from ARP and kept") \
	X(NEIGH_EXPIRED, "neigh_expired", "learned neighbours forgotten after unanswered probes") \
	X(NEIGH_REFUSED, "neigh_refused", "neighbours not kept: the port has max_neighbors learned ones, or no next-hop id is free") \
	X(ICMP_ERRORS, "icmp_errors", "ICMP errors sent (TTL exceeded, fragmentation needed)") \
	X(FRAGMENTED, "fragmented", "packets over the outgoing MTU sent as fragments (no DF)") \
	X(ECMP_ROUTED, "ecmp_routed", "packets routed through a next-hop group (ECMP), counted on its port") \
	X(ECMP_FALLBACK, "ecmp_fallback", "of ecmp_routed, sent to another member: their own member's MAC was not known") \
	X(DROP_RUNT, "drop_runt", "frame shorter than its headers")            \
	X(DROP_OTHER_HOST, "drop_other_host", "unicast frame to another MAC") \
	X(DROP_L2_MULTICAST, "drop_l2_multicast", "IPv4 to route that came as a link-layer broadcast") \
	X(DROP_ETHERTYPE, "drop_ethertype", "neither IPv4 nor ARP")            \
	X(DROP_ARP_MALFORMED, "drop_arp_malformed", "ARP that is not Ethernet/IPv4 request or reply, or a sender MAC that is no host's") \
	X(DROP_ARP_MAC_MISMATCH, "drop_arp_mac_mismatch", "ARP whose sender MAC is not the frame's Ethernet source") \
	X(DROP_ARP_PEER_SPOOF, "drop_arp_peer_spoof", "ARP claiming our address, or a live BGP peer's with another MAC than the session's") \
	X(DROP_ARP_NOT_FOR_US, "drop_arp_not_for_us", "ARP between other hosts (neither for our address, nor a reply to us, nor gratuitous)") \
	X(DROP_BAD_VERSION, "drop_bad_version", "IP version is not 4")         \
	X(DROP_BAD_IHL, "drop_bad_ihl", "IPv4 header length below 20 or past the frame") \
	X(DROP_BAD_LENGTH, "drop_bad_length", "IPv4 total length inconsistent with the frame") \
	X(DROP_BAD_CHECKSUM, "drop_bad_checksum", "IPv4 header checksum wrong") \
	X(DROP_MARTIAN, "drop_martian", "source or destination that is never routed") \
	X(DROP_BAD_OPTIONS, "drop_bad_options", "IPv4 options that run past the header") \
	X(DROP_SOURCE_ROUTE, "drop_source_route", "loose or strict source route option (RFC 7126)") \
	X(DROP_TTL_EXPIRED, "drop_ttl_expired", "TTL would reach 0")          \
	X(DROP_NO_ROUTE, "drop_no_route", "no route to the destination")      \
	X(DROP_BLACKHOLE, "drop_blackhole", "route to a blackhole")           \
	X(DROP_NEIGH_UNRESOLVED, "drop_neigh_unresolved", "next hop's MAC not known yet") \
	X(DROP_TOO_BIG, "drop_too_big", "larger than the outgoing port's MTU, with DF (or needing over 64 fragments)") \
	X(DROP_FRAG_NOMBUF, "drop_frag_nombuf", "no buffers to fragment a packet") \
	X(DROP_PUNT_POLICED, "drop_punt_policed", "over its punt class's rate (/vbr/punt: per class)") \
	X(DROP_PUNT_FULL, "drop_punt_full", "exception path queue full (or its share of it)")       \
	X(DROP_TX_FULL, "drop_tx_full", "port transmit queue full")           \
	X(DROP_KERNEL_TX, "drop_kernel_tx", "kernel tap packets the port could not send")

enum vbr_counter {
#define X(id, name, help) CNT_##id,
	VBR_COUNTERS(X)
#undef X
	CNT_MAX
};

struct port_counters {
	uint64_t c[CNT_MAX];
} __rte_cache_aligned;

extern const char *const vbr_counter_names[CNT_MAX];
extern const char *const vbr_counter_help[CNT_MAX];
