/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD authentication (RFC 5880 §6.7): Keyed MD5, Meticulous Keyed MD5,
 * Keyed SHA1 and Meticulous Keyed SHA1, with their sequence numbers. Pure
 * C (digest.h), no sockets. Simple Password is not offered: it puts the key
 * on the wire.
 *
 * Sending: bfd_auth_prepare() puts the section's fields in the packet
 * (bfd.XmitAuthSeq, advanced on every packet for the meticulous types and
 * on every state change for the others), bfd_ctrl_encode() lays it out,
 * bfd_auth_sign() writes the digest. Receiving: bfd_ctrl_auth_match()
 * first, then bfd_auth_check(): key id, sequence window (§6.7.3, §6.7.4),
 * digest; only a packet that passes them all moves bfd.RcvAuthSeq.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bfd_packet.h"

#define BFD_AUTH_KEY_MAX 20 /* SHA1; MD5 takes 16 */

struct bfd_auth_conf {
	enum bfd_auth_type type; /* BFD_AUTH_NONE: none */
	uint8_t key_id;
	uint8_t key_len;
	uint8_t key[BFD_AUTH_KEY_MAX];
};

/* A session's sequence numbers. */
struct bfd_auth_state {
	uint32_t xmit_seq; /* bfd.XmitAuthSeq */
	uint32_t rcv_seq;  /* bfd.RcvAuthSeq */
	bool rcv_known;	   /* bfd.AuthSeqKnown */
};

/* The longest key a type takes (16, 20), 0 for a type we do not do. */
unsigned bfd_auth_key_max(enum bfd_auth_type type);
bool bfd_auth_meticulous(enum bfd_auth_type type);

/* A new session's state: the first sequence number at random (seed). */
void bfd_auth_init(struct bfd_auth_state *s, uint32_t seed);

/* The authentication fields of p for the next packet (nothing for
 * BFD_AUTH_NONE). state_changed: the packet tells a new state. */
void bfd_auth_prepare(const struct bfd_auth_conf *c, struct bfd_auth_state *s, bool state_changed,
	struct bfd_ctrl *p);

/* The digest of the encoded packet buf (len bytes, digest field zeroed)
 * into it. */
void bfd_auth_sign(const struct bfd_auth_conf *c, uint8_t *buf, size_t len);

/*
 * The received packet p (decoded from buf, len bytes: the UDP payload) of
 * a session with authentication c: its key id, its sequence number against
 * bfd.RcvAuthSeq within 3 x detect_mult (the remote's), its digest. BFD_OK
 * (and bfd.RcvAuthSeq moves), or why it must be discarded.
 */
enum bfd_drop bfd_auth_check(const struct bfd_auth_conf *c, struct bfd_auth_state *s,
	const struct bfd_ctrl *p, const uint8_t *buf, size_t len);

/* §6.7.1: nothing received for twice the detection time. */
void bfd_auth_forget(struct bfd_auth_state *s);
