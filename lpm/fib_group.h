/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP's arithmetic, pure (no DPDK): the flow hash that picks a bucket, and
 * the bucket table of a next-hop group that maps each bucket to a member.
 *
 * The flow hash is ours, with a fixed seed, not the NIC's RSS: net_tap has
 * none, NICs differ in their keys, and every lcore (and every restart) must
 * send a flow to the same member.
 *
 * The bucket table is a function of the member set alone: bucket b goes to
 * the member whose weight for (b, its gateway address) is highest
 * (rendezvous, or highest-random-weight, hashing: Thaler and Ravishankar,
 * 1998; RFC 2992 discusses why plain modulo-N moves most flows when N
 * changes). Removing a member moves only its own buckets, each to the
 * member with its next-highest weight; adding one takes only the buckets it
 * now wins. Two groups built apart from the same set are identical.
 */
#pragma once

#include <stdint.h>

#include "route_op.h"

#define FIB_GROUP_MAX ROUTE_OP_MAX_GW
/* Buckets per group: with 8 members, each holds 32 on average; a power of
 * two, so that a hash picks one with a mask. */
#define FIB_GROUP_BUCKETS 256

/* MurmurHash3's 64-bit finalizer: every input bit reaches every output bit. */
static inline uint64_t
fib_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

#define FIB_FLOW_SEED 0x5bd1e9955bd1e995ull

/*
 * A flow's hash: source and destination addresses, protocol, and ports
 * (TCP/UDP source port << 16 | destination port, host order; 0 for other
 * protocols and for every fragment, so that all fragments of a datagram
 * take one path). Host byte order throughout.
 */
static inline uint32_t
fib_flow_hash(uint32_t src, uint32_t dst, uint8_t proto, uint32_t ports)
{
	uint64_t h = fib_mix64(((uint64_t)src << 32 | dst) ^ FIB_FLOW_SEED);

	h = fib_mix64(h ^ ((uint64_t)proto << 32 | ports));
	return (uint32_t)(h ^ h >> 32);
}

/* Member gw's weight for bucket b. */
static inline uint64_t
fib_group_weight(uint32_t gw, unsigned int b)
{
	return fib_mix64(((uint64_t)gw << 32 | b) ^ 0x9e3779b97f4a7c15ull);
}

/*
 * Fills bucket[FIB_GROUP_BUCKETS] with indices into gw[0..n) (1 <= n <=
 * FIB_GROUP_MAX, distinct addresses): each bucket's highest-weight member.
 * Equal weights (never seen; 64-bit) go to the lower address, so the table
 * depends on the set, not on gw's order.
 */
static inline void
fib_group_buckets(const uint32_t *gw, unsigned int n, uint8_t *bucket)
{
	for (unsigned int b = 0; b < FIB_GROUP_BUCKETS; b++) {
		unsigned int best = 0;
		uint64_t bw = fib_group_weight(gw[0], b);

		for (unsigned int i = 1; i < n; i++) {
			uint64_t w = fib_group_weight(gw[i], b);

			if (w > bw || (w == bw && gw[i] < gw[best])) {
				bw = w;
				best = i;
			}
		}
		bucket[b] = (uint8_t)best;
	}
}
