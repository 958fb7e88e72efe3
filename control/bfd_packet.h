/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD Control packet (RFC 5880 §4.1), both ways, pure: no sockets, no
 * DPDK. Decoding applies every reception check of RFC 5880 §6.8.6 that
 * needs no session (version, lengths against the header and the UDP
 * payload, detect multiplier, multipoint, discriminators); the checks that
 * need one (the authentication present iff configured, its type) are
 * bfd_ctrl_auth_match(). Every packet comes from the network: read with
 * bounds, never trusted.
 *
 * Intervals are in microseconds, as on the wire.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BFD_VERSION 1
#define BFD_CTRL_LEN 24	       /* the mandatory section */
#define BFD_CTRL_MAX_LEN 52    /* with the largest authentication section we know (SHA1) */
#define BFD_PORT 3784	       /* RFC 5881 §4: single hop control packets */
#define BFD_SRC_PORT_MIN 49152 /* RFC 5881 §4: our source ports */
#define BFD_SRC_PORT_MAX 65535
#define BFD_TTL 255 /* RFC 5881 §5: sent with, and required on receipt */

/* RFC 5880 §4.1 */
enum bfd_state {
	BFD_ADMIN_DOWN = 0,
	BFD_DOWN = 1,
	BFD_INIT = 2,
	BFD_UP = 3,
};

/* RFC 5880 §4.1 diagnostics */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_DETECT_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT_DOWN = 8,
};

/* RFC 5880 §4.1 authentication types */
enum bfd_auth_type {
	BFD_AUTH_NONE = 0,
	BFD_AUTH_SIMPLE = 1,
	BFD_AUTH_KEYED_MD5 = 2,
	BFD_AUTH_METICULOUS_MD5 = 3,
	BFD_AUTH_KEYED_SHA1 = 4,
	BFD_AUTH_METICULOUS_SHA1 = 5,
};

#define BFD_AUTH_MD5_LEN 24   /* type, len, key id, reserved, sequence, 16-byte digest */
#define BFD_AUTH_SHA1_LEN 28  /* the same with a 20-byte hash */
#define BFD_AUTH_DIGEST_OFF 8 /* of the digest, from the section's start */

/*
 * Why a received packet was dropped: the named counters of `show bfd`.
 * The first ones are bfd_ctrl_decode()'s, then the per-session checks, then
 * the runtime's (socket, demultiplexing).
 */
#define BFD_DROP_REASONS(X)                                                                        \
	X(SHORT, "short", "shorter than the mandatory section (24 bytes)")                         \
	X(VERSION, "bad_version", "version is not 1")                                              \
	X(LENGTH, "bad_length", "Length below 24 (26 with authentication)")                        \
	X(OVER_PAYLOAD, "length_over_payload", "Length past the UDP payload")                      \
	X(DETECT_MULT, "zero_detect_mult", "Detect Mult is zero")                                  \
	X(MULTIPOINT, "multipoint", "the Multipoint bit is set")                                   \
	X(MY_DISC, "zero_my_disc", "My Discriminator is zero")                                     \
	X(YOUR_DISC, "zero_your_disc", "Your Discriminator zero in state Init or Up")              \
	X(AUTH_LENGTH, "bad_auth_length", "the authentication section's length is wrong")          \
	X(AUTH_MISMATCH, "auth_mismatch",                                                          \
		"authentication present but not configured, or the converse")                      \
	X(AUTH_TYPE, "auth_type", "another authentication type than configured")                   \
	X(AUTH_KEY_ID, "auth_key_id", "another key id than configured")                            \
	X(AUTH_SEQ, "auth_sequence", "sequence number out of the window (replay)")                 \
	X(AUTH_DIGEST, "auth_digest", "wrong digest or hash")                                      \
	X(TTL, "bad_ttl", "TTL is not 255 (RFC 5881 GTSM)")                                        \
	X(NO_SESSION, "no_session", "no session for its discriminator or source address")          \
	X(WRONG_SOURCE, "wrong_source", "its discriminator names another peer's session")          \
	X(ADMIN_DOWN, "admin_down", "received while our session is AdminDown")                     \
	X(INTERFACE, "wrong_interface", "came in on another interface than the IDC port's tap")    \
	X(OFF_SUBNET, "off_subnet", "its source is not in the IDC port's subnet (single hop)")

enum bfd_drop {
	BFD_OK = 0,
#define BFD_DROP_ENUM(n, s, d) BFD_DROP_##n,
	BFD_DROP_REASONS(BFD_DROP_ENUM)
#undef BFD_DROP_ENUM
	BFD_DROP_COUNT
};

/* "bad_version"...; "ok" for BFD_OK. */
const char *bfd_drop_name(enum bfd_drop d);
const char *bfd_state_name(enum bfd_state s); /* "AdminDown", "Down", "Init", "Up" */
const char *bfd_diag_name(enum bfd_diag d);   /* "Control Detection Time Expired"... */

/* A control packet's fields, host order. */
struct bfd_ctrl {
	uint8_t version;
	uint8_t diag;
	uint8_t state; /* enum bfd_state */
	bool poll, final, cpi, auth, demand, multipoint;
	uint8_t detect_mult;
	uint8_t length;
	uint32_t my_disc;
	uint32_t your_disc;
	uint32_t desired_min_tx;       /* us */
	uint32_t required_min_rx;      /* us */
	uint32_t required_min_echo_rx; /* us */
	/* The authentication section, when auth is set. */
	uint8_t auth_type;
	uint8_t auth_len;
	uint8_t auth_key_id;
	uint32_t auth_seq;
};

/*
 * The fields of the packet in buf (len: the whole UDP payload), checked as
 * RFC 5880 §6.8.6 says before a session is looked for. BFD_OK, or why it
 * must be discarded. The authentication section's own length is checked
 * for the types we know (MD5, SHA1); bfd_auth.h checks its contents.
 */
enum bfd_drop bfd_ctrl_decode(const uint8_t *buf, size_t len, struct bfd_ctrl *out);

/*
 * The packet into buf (room for BFD_CTRL_MAX_LEN): the mandatory section,
 * and with p->auth the authentication section's header and sequence
 * number, its digest zeroed (bfd_auth_sign fills it). Length is computed
 * here. Returns the number of bytes, or -EINVAL (no room, or an
 * authentication type we cannot send).
 */
int bfd_ctrl_encode(const struct bfd_ctrl *p, uint8_t *buf, size_t len);

/* RFC 5880 §6.8.6: the A bit set iff the session is configured with
 * authentication (type, BFD_AUTH_NONE for none), of the type configured. */
enum bfd_drop bfd_ctrl_auth_match(const struct bfd_ctrl *p, enum bfd_auth_type type);

/* The authentication section's length for type (24, 28), or 0. */
uint8_t bfd_auth_section_len(enum bfd_auth_type type);
