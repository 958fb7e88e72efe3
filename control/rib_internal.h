/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the RIB's files: what rib.c stores per BGP path, and the
 * decision process it runs over a prefix's paths (rib_decide.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "rib.h"

/* One peer's path to a prefix (its Adj-RIB-In entry). */
struct rib_path {
	struct rib_attrs *attrs;
	uint8_t peer; /* slot, 0..RIB_MAX_PEERS-1 */
};

/*
 * RFC 4271 §9.1.2.2 over paths[0..n) (1 <= n <= 64): the index of the best
 * one. peers[] is indexed by slot (BGP Identifier and address break ties).
 */
unsigned rib_decide(const struct rib_path *paths, unsigned n, const struct rib_peer_info *peers);

/* Multipath (ECMP): the best path and up to max - 1 equal to it (rib_decide.c
 * says which), one per next hop, their indices in out[] best first; returns
 * how many (1..max). */
unsigned rib_decide_multi(const struct rib_path *paths, unsigned n,
	const struct rib_peer_info *peers, unsigned max, bool relax, unsigned *out);
