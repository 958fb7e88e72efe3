/* SPDX-License-Identifier: BSD-3-Clause */
/* MD5 and SHA-1 (digest.h), from GNU Nettle: a well-kept library rather
 * than block functions of our own. */
#include <nettle/md5.h>
#include <nettle/sha1.h>

#include "digest.h"

_Static_assert(MD5_DIGEST_LEN == MD5_DIGEST_SIZE, "MD5 digest size");
_Static_assert(SHA1_DIGEST_LEN == SHA1_DIGEST_SIZE, "SHA-1 digest size");

void
md5(const uint8_t *data, size_t len, uint8_t out[MD5_DIGEST_LEN])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, len, data);
	md5_digest(&c, MD5_DIGEST_LEN, out);
}

void
sha1(const uint8_t *data, size_t len, uint8_t out[SHA1_DIGEST_LEN])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, len, data);
	sha1_digest(&c, SHA1_DIGEST_LEN, out);
}
