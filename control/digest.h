/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MD5 (RFC 1321) and SHA-1 (FIPS 180-4) of a short buffer, for BFD's keyed
 * authentication (RFC 5880 §6.7.3, §6.7.4), from GNU Nettle, one call per
 * packet. Neither is a safe hash any more; RFC 5880 uses them as keyed
 * digests over a packet of at most 52 bytes, which is all they do here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MD5_DIGEST_LEN 16
#define SHA1_DIGEST_LEN 20

void md5(const uint8_t *data, size_t len, uint8_t out[MD5_DIGEST_LEN]);
void sha1(const uint8_t *data, size_t len, uint8_t out[SHA1_DIGEST_LEN]);
