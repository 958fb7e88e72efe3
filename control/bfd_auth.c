/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keyed authentication of BFD Control packets (bfd_auth.h): the digest
 * is MD5 or SHA-1 over the packet with the key, zero-padded, in place of
 * the digest (RFC 5880 §6.7.3, §6.7.4), and the sequence number guards
 * against replay.
 */
#include <string.h>

#include "bfd_auth.h"
#include "digest.h"

static bool
is_md5(enum bfd_auth_type t)
{
	return t == BFD_AUTH_KEYED_MD5 || t == BFD_AUTH_METICULOUS_MD5;
}

unsigned
bfd_auth_key_max(enum bfd_auth_type type)
{
	if (is_md5(type))
		return MD5_DIGEST_LEN;
	if (type == BFD_AUTH_KEYED_SHA1 || type == BFD_AUTH_METICULOUS_SHA1)
		return SHA1_DIGEST_LEN;
	return 0;
}

bool
bfd_auth_meticulous(enum bfd_auth_type type)
{
	return type == BFD_AUTH_METICULOUS_MD5 || type == BFD_AUTH_METICULOUS_SHA1;
}

void
bfd_auth_init(struct bfd_auth_state *s, uint32_t seed)
{
	memset(s, 0, sizeof(*s));
	s->xmit_seq = seed;
}

void
bfd_auth_forget(struct bfd_auth_state *s)
{
	s->rcv_known = false;
}

void
bfd_auth_prepare(const struct bfd_auth_conf *c, struct bfd_auth_state *s, bool state_changed,
	struct bfd_ctrl *p)
{
	if (c->type == BFD_AUTH_NONE || bfd_auth_key_max(c->type) == 0)
		return;
	if (bfd_auth_meticulous(c->type) || state_changed)
		s->xmit_seq++;
	p->auth = true;
	p->auth_type = (uint8_t)c->type;
	p->auth_key_id = c->key_id;
	p->auth_seq = s->xmit_seq;
}

/* The digest of buf (len bytes) with the key in the digest field. */
static void
digest_of(const struct bfd_auth_conf *c, const uint8_t *buf, size_t len, uint8_t *out)
{
	uint8_t copy[BFD_CTRL_MAX_LEN];
	unsigned dlen = bfd_auth_key_max(c->type);

	memcpy(copy, buf, len);
	memset(copy + BFD_CTRL_LEN + BFD_AUTH_DIGEST_OFF, 0, dlen);
	memcpy(copy + BFD_CTRL_LEN + BFD_AUTH_DIGEST_OFF, c->key,
		c->key_len < dlen ? c->key_len : dlen);
	if (is_md5(c->type))
		md5(copy, len, out);
	else
		sha1(copy, len, out);
}

void
bfd_auth_sign(const struct bfd_auth_conf *c, uint8_t *buf, size_t len)
{
	uint8_t d[SHA1_DIGEST_LEN];
	unsigned dlen = bfd_auth_key_max(c->type);

	if (dlen == 0 || len != (size_t)BFD_CTRL_LEN + bfd_auth_section_len(c->type))
		return;
	digest_of(c, buf, len, d);
	memcpy(buf + BFD_CTRL_LEN + BFD_AUTH_DIGEST_OFF, d, dlen);
}

/* §6.7.3: Keyed: seq in [RcvAuthSeq, RcvAuthSeq + 3 x Detect Mult];
 * Meticulous: in (RcvAuthSeq, ...]: each packet a new number. Circular. */
static bool
seq_ok(const struct bfd_auth_conf *c, const struct bfd_auth_state *s, const struct bfd_ctrl *p)
{
	uint32_t ahead = p->auth_seq - s->rcv_seq;

	if (!s->rcv_known)
		return true;
	if (bfd_auth_meticulous(c->type) && ahead == 0)
		return false;
	return ahead <= 3u * p->detect_mult;
}

/* Compares without an early exit: no timing tells how much matched. */
static bool
same(const uint8_t *a, const uint8_t *b, unsigned n)
{
	uint8_t diff = 0;

	for (unsigned i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

enum bfd_drop
bfd_auth_check(const struct bfd_auth_conf *c, struct bfd_auth_state *s, const struct bfd_ctrl *p,
	const uint8_t *buf, size_t len)
{
	uint8_t want[SHA1_DIGEST_LEN];
	unsigned dlen = bfd_auth_key_max(c->type);

	if (dlen == 0 || !p->auth || p->auth_type != c->type)
		return BFD_DROP_AUTH_TYPE;
	if (p->length != BFD_CTRL_LEN + bfd_auth_section_len(c->type) || p->length > len)
		return BFD_DROP_AUTH_LENGTH;
	if (p->auth_key_id != c->key_id)
		return BFD_DROP_AUTH_KEY_ID;
	if (!seq_ok(c, s, p))
		return BFD_DROP_AUTH_SEQ;
	digest_of(c, buf, p->length, want);
	if (!same(want, buf + BFD_CTRL_LEN + BFD_AUTH_DIGEST_OFF, dlen))
		return BFD_DROP_AUTH_DIGEST;
	s->rcv_seq = p->auth_seq;
	s->rcv_known = true;
	return BFD_OK;
}
