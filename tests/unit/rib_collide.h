/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefixes chosen to collide in the RIB's prefix index, as an attacker who
 * reads the source would choose them: against the hash the RIB used before
 * it was keyed (a fixed multiply-xorshift mix of prefix and length). With a
 * keyed hash these are ordinary prefixes. Shared by tests/unit/test_rib.c
 * and tests/bench/rib_hash_bench.c.
 */
#pragma once

#include <stdint.h>

/* The RIB's prefix hash before it was keyed. */
static inline uint32_t
rib_unkeyed_hash(uint32_t prefix, uint8_t len)
{
	uint64_t k = ((uint64_t)prefix << 8 | len) * 0x9e3779b97f4a7c15ull;

	k ^= k >> 32;
	k *= 0xd6e8feb86659fd93ull;
	k ^= k >> 32;
	return (uint32_t)k;
}

/*
 * Fills out[0..n) with distinct /32 prefixes (from 11.0.0.0 up) whose
 * unkeyed hash falls in the first 64 slots of the index the RIB grows to
 * for n prefixes (at most half full), hence of every smaller one: linear
 * probing then piles all of them into one cluster, and each insert, lookup
 * or delete walks it. Costs about n * slots / 64 hash evaluations.
 */
static inline void
rib_collide_prefixes(uint32_t *out, uint32_t n)
{
	uint32_t slots = 64, ip = 11u << 24, k = 0;

	while (slots < 2 * n)
		slots *= 2;
	while (k < n) {
		if ((rib_unkeyed_hash(ip, 32) & (slots - 1)) < 64)
			out[k++] = ip;
		ip++;
	}
}
