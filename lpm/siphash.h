/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash (Aumasson and Bernstein, 2012) of one 64-bit word: a keyed hash
 * whose outputs an attacker who does not know the key cannot predict, so
 * that nobody can choose keys that collide in a hash table (hash flooding).
 * The RIB and the FIB index prefixes with SipHash-1-3, the variant Rust's HashMap and
 * Python use for the same reason. m is the message's 8 bytes read as a
 * little-endian word.
 */
#pragma once

#include <stdint.h>

static inline uint64_t
sip_rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

#define SIP_ROUND(v0, v1, v2, v3)                                                                  \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = sip_rotl(v1, 13);                                                             \
		v1 ^= v0;                                                                          \
		v0 = sip_rotl(v0, 32);                                                             \
		v2 += v3;                                                                          \
		v3 = sip_rotl(v3, 16);                                                             \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = sip_rotl(v3, 21);                                                             \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = sip_rotl(v1, 17);                                                             \
		v1 ^= v2;                                                                          \
		v2 = sip_rotl(v2, 32);                                                             \
	} while (0)

/* SipHash-c-d of an 8-byte message. */
static inline uint64_t
siphash_u64(const uint64_t key[2], uint64_t m, unsigned c, unsigned d)
{
	uint64_t v0 = key[0] ^ 0x736f6d6570736575ull;
	uint64_t v1 = key[1] ^ 0x646f72616e646f6dull;
	uint64_t v2 = key[0] ^ 0x6c7967656e657261ull;
	uint64_t v3 = key[1] ^ 0x7465646279746573ull;
	const uint64_t last = 8ull << 56; /* the length byte; no bytes left */
	unsigned i;

	v3 ^= m;
	for (i = 0; i < c; i++)
		SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v3 ^= last;
	for (i = 0; i < c; i++)
		SIP_ROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	for (i = 0; i < d; i++)
		SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static inline uint64_t
siphash13_u64(const uint64_t key[2], uint64_t m)
{
	return siphash_u64(key, m, 1, 3);
}
