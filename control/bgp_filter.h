/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a BGP peer may announce to us: the checks on a prefix alone, built
 * from the config and rebuilt when it changes, pure (no sockets, no DPDK)
 * so that they are unit-tested alone. A refused prefix is treated as withdrawn by the
 * session (bgp.c), counted in the peer's prefixes_filtered and logged.
 *
 * Refused, in this order (the first reason is the one reported):
 * - martians: 0.0.0.0/8 (but 0.0.0.0/0), 127.0.0.0/8, 169.254.0.0/16,
 *   224.0.0.0/4, 240.0.0.0/4, or any prefix inside them;
 * - 0.0.0.0/0 unless the group has accept_default;
 * - prefixes inside (or equal to) a port's connected subnet: a BGP /32
 *   would replace a neighbour's adjacency;
 * - prefixes inside (or equal to) our BGP CIDR blocks (but a block 0/0,
 *   which says nothing about where the VPC is) and static routes toward
 *   the VPC: longest match would pull VPC traffic to the IDC;
 * - prefixes longer than the group's max_prefix_len (default /24).
 * Static routes toward the IDC are no reason: more-specifics of them from
 * the IDC's routers are normal.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum bgp_filter_verdict {
	BGP_FILTER_ACCEPT = 0,
	BGP_FILTER_MARTIAN,
	BGP_FILTER_DEFAULT,
	BGP_FILTER_CONNECTED,
	BGP_FILTER_OUR_BLOCK,
	BGP_FILTER_STATIC_VPC,
	BGP_FILTER_TOO_LONG,
};

struct bgp_filter_range {
	uint32_t addr;
	uint8_t len;
	uint8_t verdict; /* enum bgp_filter_verdict for a prefix inside it */
};

/*
 * The ranges no peer may announce into, the same for every group: sorted by
 * (len, addr), one entry per range (the first reason kept), so that a
 * prefix is checked with one binary search per length in use, not a scan
 * of thousands of static routes. Zero it before its first build; the
 * ranges are on the heap (bgp_filter_free).
 */
struct bgp_filter {
	unsigned n_ranges;
	uint32_t len_start[34]; /* ranges of length l: [len_start[l], len_start[l + 1]) */
	uint64_t lens_used;	/* bit l: some range has length l */
	struct bgp_filter_range *ranges;
};

/* What a filter is made of, besides the martians (each part may be empty). */
struct bgp_filter_src {
	const struct vbr_port_config *ports; /* VBR_NB_PORTS of them, or NULL */
	const struct vbr_prefix *networks;   /* our BGP CIDR blocks */
	unsigned nb_networks;
	const struct vbr_prefix *vpc_routes; /* static routes toward the VPC */
	unsigned nb_vpc_routes;
};

/* Build f from src: 0, or -ENOMEM with f as it was. It replaces what f
 * held: the BGP speaker rebuilds it when its CIDR blocks or the static
 * routes change. */
int bgp_filter_build(struct bgp_filter *f, const struct bgp_filter_src *src);

/* The ranges from cfg: martians, its ports' subnets, its CIDR blocks and
 * static routes toward the VPC (bgp_filter_build over cfg). */
int bgp_filter_init(struct bgp_filter *f, const struct vbr_config *cfg);

void bgp_filter_free(struct bgp_filter *f);

/* The verdict of the ranges alone on prefix addr/len: the first reason of
 * a range holding it, or BGP_FILTER_ACCEPT. */
enum bgp_filter_verdict bgp_filter_match(const struct bgp_filter *f, uint32_t addr, uint8_t len);

/* The verdict on prefix addr/len (host order, bits past len zero) from a
 * peer of group g (accept_default, max_prefix_len). */
enum bgp_filter_verdict bgp_filter_check(
	const struct bgp_filter *f, const struct vbr_bgp_group *g, uint32_t addr, uint8_t len);

/* "martian", "default route", ...: why a prefix was refused, for logs. */
const char *bgp_filter_reason(enum bgp_filter_verdict v);
