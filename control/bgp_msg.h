/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP-4 wire codec: framing of a TCP byte stream into messages, and decode /
 * encode of OPEN, UPDATE, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH
 * (RFC 4271, 6793, 4760, 2918, 5492, 7606, 4486, 9072).
 *
 * Pure C with libc only: no sockets, no DPDK, so that it is unit-tested and
 * fuzzed on its own. Every decoder reads through a bounded reader and never
 * allocates: the results live in fixed-size structs sized by what a
 * 4096-byte message can hold. struct bgp_update is about 90 KiB: keep one per
 * session (or static), not on a small stack.
 *
 * Addresses, ASNs and all other integers are in host byte order.
 *
 * Errors: decoders return 0 or -EBADMSG; on -EBADMSG the struct bgp_notify
 * they were given holds the NOTIFICATION to send (code, subcode, data as the
 * RFCs prescribe) before closing the session. UPDATE errors that do not reset
 * the session (RFC 7606 "treat-as-withdraw", "attribute discard") are
 * reported in struct bgp_update instead. A decoder handed a message of
 * another type returns -EINVAL (a caller's mistake: nothing to send).
 * Encoders return the length of the message written (> 0) or a negative
 * errno (-EMSGSIZE when the buffer is too small, -EINVAL on bad input).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_MARKER_LEN 16
#define BGP_HDR_LEN 19
#define BGP_MAX_MSG_LEN 4096
#define BGP_OPEN_MIN_LEN 29
#define BGP_UPDATE_MIN_LEN 23
#define BGP_KEEPALIVE_LEN 19
#define BGP_NOTIFICATION_MIN_LEN 21
#define BGP_ROUTE_REFRESH_LEN 23

#define BGP_VERSION 4
#define BGP_PORT 179
#define BGP_AS_TRANS 23456
/* RFC 4271 §6.2: hold time is 0 or at least 3 seconds. */
#define BGP_HOLD_TIME_MIN 3

#define BGP_AFI_IPV4 1
#define BGP_SAFI_UNICAST 1

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

/* NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313, IANA). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD_TIMER = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,
	BGP_ERR_SEND_HOLD_TIMER = 8, /* draft-ietf-idr-bgp-sendholdtimer */
};

/* Message Header Error subcodes. */
enum bgp_err_header {
	BGP_ERR_HDR_NOT_SYNC = 1,
	BGP_ERR_HDR_BAD_LEN = 2,
	BGP_ERR_HDR_BAD_TYPE = 3,
};

/* OPEN Message Error subcodes. */
enum bgp_err_open {
	BGP_ERR_OPEN_UNSPECIFIC = 0,
	BGP_ERR_OPEN_VERSION = 1,
	BGP_ERR_OPEN_BAD_PEER_AS = 2,
	BGP_ERR_OPEN_BAD_ID = 3,
	BGP_ERR_OPEN_UNSUP_PARAM = 4,
	BGP_ERR_OPEN_HOLD_TIME = 6,
	BGP_ERR_OPEN_UNSUP_CAP = 7,
	BGP_ERR_OPEN_ROLE_MISMATCH = 11,
};

/* UPDATE Message Error subcodes. */
enum bgp_err_update {
	BGP_ERR_UPD_MALFORMED_ATTR_LIST = 1,
	BGP_ERR_UPD_UNRECOGNIZED_WELLKNOWN = 2,
	BGP_ERR_UPD_MISSING_WELLKNOWN = 3,
	BGP_ERR_UPD_ATTR_FLAGS = 4,
	BGP_ERR_UPD_ATTR_LEN = 5,
	BGP_ERR_UPD_INVALID_ORIGIN = 6,
	BGP_ERR_UPD_INVALID_NEXT_HOP = 8,
	BGP_ERR_UPD_OPTIONAL_ATTR = 9,
	BGP_ERR_UPD_INVALID_NETWORK = 10,
	BGP_ERR_UPD_MALFORMED_AS_PATH = 11,
};

/* Finite State Machine Error subcodes (RFC 6608). */
enum bgp_err_fsm {
	BGP_ERR_FSM_UNSPECIFIC = 0,
	BGP_ERR_FSM_UNEXPECTED_OPENSENT = 1,
	BGP_ERR_FSM_UNEXPECTED_OPENCONFIRM = 2,
	BGP_ERR_FSM_UNEXPECTED_ESTABLISHED = 3,
};

/* Cease subcodes (RFC 4486, 8203/9003 for 2 and 4, 9384 for 10). */
enum bgp_err_cease {
	BGP_ERR_CEASE_MAX_PREFIXES = 1,
	BGP_ERR_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_ERR_CEASE_PEER_DECONFIGURED = 3,
	BGP_ERR_CEASE_ADMIN_RESET = 4,
	BGP_ERR_CEASE_CONNECTION_REJECTED = 5,
	BGP_ERR_CEASE_CONFIG_CHANGE = 6,
	BGP_ERR_CEASE_COLLISION = 7,
	BGP_ERR_CEASE_OUT_OF_RESOURCES = 8,
	BGP_ERR_CEASE_HARD_RESET = 9,
	BGP_ERR_CEASE_BFD_DOWN = 10,
};

/* ROUTE-REFRESH Message Error subcodes (RFC 7313). */
enum bgp_err_route_refresh {
	BGP_ERR_RR_INVALID_LEN = 1,
};

/* A NOTIFICATION: one we must send after a decode error, or one received. */
#define BGP_NOTIFY_MAX_DATA (BGP_MAX_MSG_LEN - BGP_NOTIFICATION_MIN_LEN)
struct bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_NOTIFY_MAX_DATA];
};

/* ---------------------------------------------------------------- framing */

enum bgp_frame_status {
	BGP_FRAME_NEED_MORE, /* not yet a whole message in the buffer */
	BGP_FRAME_MSG,	     /* buf[0 .. len) is one whole, header-checked message */
	BGP_FRAME_ERROR,     /* bad header: send the NOTIFICATION and close */
};

struct bgp_frame {
	enum bgp_frame_status status;
	uint16_t len; /* of the message, when BGP_FRAME_MSG */
	uint8_t type; /* enum bgp_msg_type, when BGP_FRAME_MSG */
};

/*
 * Look at the start of a receive buffer that holds what the TCP stream gave
 * so far (avail bytes, possibly several messages, possibly a partial one).
 * The header is checked as soon as its 19 bytes are there, so a bad header
 * is reported without waiting for a length that will never come.
 * Returns 0 (NEED_MORE or MSG) or -EBADMSG (ERROR, err filled).
 */
int bgp_frame_next(const uint8_t *buf, size_t avail, struct bgp_frame *f, struct bgp_notify *err);

/*
 * Check the header of one whole message of len bytes: marker, length field
 * equal to len and within 19..4096, known type and its per-type length.
 * Every decoder below does it first, so they are safe on any bytes.
 */
int bgp_header_check(const uint8_t *msg, size_t len, struct bgp_notify *err);

/* --------------------------------------------------------------------- OPEN */

/* Capability codes (RFC 5492 registry) that we understand. */
enum bgp_cap_code {
	BGP_CAP_MP = 1,
	BGP_CAP_ROUTE_REFRESH = 2,
	BGP_CAP_AS4 = 65,
};

struct bgp_afi_safi {
	uint16_t afi;
	uint8_t safi;
};

#define BGP_OPEN_MAX_MP 64
#define BGP_OPEN_MAX_UNKNOWN_CAPS 64

struct bgp_open {
	uint8_t version;
	uint16_t my_as; /* the 2-octet field as received (AS_TRANS for a big ASN) */
	uint32_t asn;	/* the speaker's ASN: from the 4-octet AS capability if any */
	uint16_t hold_time;
	uint32_t bgp_id;
	bool cap_as4; /* 4-octet AS capability present (value in asn) */
	bool cap_route_refresh;
	bool ext_opt_params; /* RFC 9072 extended optional parameters length was used */
	uint8_t n_mp;	     /* multiprotocol capabilities, in order, duplicates kept once */
	struct bgp_afi_safi mp[BGP_OPEN_MAX_MP];
	/* Capabilities we do not know: ignored (RFC 5492 §3), codes kept for logs. */
	uint8_t n_unknown_caps;
	uint8_t unknown_caps[BGP_OPEN_MAX_UNKNOWN_CAPS];
};

/*
 * Decode an OPEN. Checks version (2/1, data = 2-byte version 4), hold time
 * (2/6), BGP Identifier 0 (2/3), optional parameters (2/4 for a parameter
 * that is not Capabilities, 2/0 for malformed lengths). Does not check the
 * peer's ASN nor an Identifier equal to ours: that is the session's, see
 * bgp_open_check_peer_as().
 */
int bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *o, struct bgp_notify *err);

/*
 * The session's check of the peer's ASN against the configured one
 * (RFC 4271 2/2 Bad Peer AS; RFC 7607: ASN 0 is refused too).
 */
int bgp_open_check_peer_as(const struct bgp_open *o, uint32_t expected_asn, struct bgp_notify *err);

/* Does the peer do IPv4 unicast? True when it sent no MP capability at all
 * (RFC 4760 §8: IPv4 unicast is then implied) or listed AFI 1 SAFI 1. */
bool bgp_open_has_ipv4_unicast(const struct bgp_open *o);

/* Our OPEN: version 4, asn, hold time, id, MP IPv4 unicast, route refresh,
 * 4-octet AS. */
void bgp_open_init_local(struct bgp_open *o, uint32_t asn, uint16_t hold_time, uint32_t bgp_id);

/*
 * Encode an OPEN from o: version 4, My AS = o->asn or AS_TRANS when above
 * 65535, o->hold_time, o->bgp_id, one Capabilities parameter with the MP
 * list, route refresh and 4-octet AS (o->asn) as flagged. Unknown
 * capabilities are not encoded.
 */
int bgp_open_encode(uint8_t *buf, size_t size, const struct bgp_open *o);

/* ------------------------------------------------------------------ UPDATE */

enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_MP_REACH_NLRI = 14,
	BGP_ATTR_MP_UNREACH_NLRI = 15,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
};

/* Attribute flags. */
#define BGP_ATTR_F_OPTIONAL 0x80
#define BGP_ATTR_F_TRANSITIVE 0x40
#define BGP_ATTR_F_PARTIAL 0x20
#define BGP_ATTR_F_EXT_LEN 0x10

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

enum bgp_as_seg_type {
	BGP_AS_SET = 1,
	BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3,
	BGP_AS_CONFED_SET = 4,
};

/* An IPv4 prefix. Bits past len are zero. */
struct bgp_prefix {
	uint32_t addr;
	uint8_t len;
	uint8_t mp; /* came in MP_REACH/MP_UNREACH_NLRI rather than the UPDATE's own fields */
};

/*
 * Sizes from the 4096-byte message: at most 4073 bytes of attributes and
 * prefixes, a prefix takes at least 1 byte, an ASN 2 bytes, a segment with an
 * ASN 4 bytes, a community 4 bytes, an attribute 3 bytes and at most one of
 * each type code is kept.
 */
#define BGP_UPDATE_MAX_PREFIXES 4096
#define BGP_PATH_MAX_SEGS 1024
#define BGP_PATH_MAX_ASNS 2048
#define BGP_MAX_COMMUNITIES 1024
#define BGP_MAX_UNKNOWN_ATTRS 256

struct bgp_as_seg {
	uint8_t type;	/* enum bgp_as_seg_type */
	uint8_t count;	/* ASNs in this segment, 1..255 */
	uint16_t first; /* index of its first ASN in bgp_as_path.asns */
};

/* An AS path in the 4-octet form, after the RFC 6793 AS4_PATH merge. */
struct bgp_as_path {
	uint16_t n_segs;
	uint16_t n_asns;
	struct bgp_as_seg segs[BGP_PATH_MAX_SEGS];
	uint32_t asns[BGP_PATH_MAX_ASNS];
};

/* An optional transitive attribute we do not know, passed on as is (but
 * with the Partial bit set, RFC 4271 §5). Its value is raw[off .. off+len). */
struct bgp_attr_raw {
	uint8_t flags; /* as received, without the Extended Length bit */
	uint8_t type;
	uint16_t len;
	uint16_t off;
};

/* The path attributes of an UPDATE, normalised. */
struct bgp_path_attrs {
	/* Which attributes are there: bit (1u << enum bgp_attr_type) for the
	 * known types < 32; use bgp_attrs_has(). */
	uint32_t present;
	/* Which were received but discarded (RFC 7606 "attribute discard",
	 * AS4_* ignored by the RFC 6793 rules, LOCAL_PREF malformed from an
	 * eBGP peer): for counters and logs. Same bit layout. */
	uint32_t discarded;

	uint8_t origin; /* enum bgp_origin */
	struct bgp_as_path as_path;
	uint32_t next_hop;    /* NEXT_HOP: for the prefixes with mp == 0 */
	uint32_t mp_next_hop; /* MP_REACH_NLRI's: for the prefixes with mp == 1 */
	/* AFI/SAFI of MP_REACH_NLRI / MP_UNREACH_NLRI when present: only
	 * IPv4 unicast is decoded, others are ignored. */
	uint16_t mp_reach_afi;
	uint8_t mp_reach_safi;
	uint16_t mp_unreach_afi;
	uint8_t mp_unreach_safi;
	uint32_t med;
	uint32_t local_pref; /* kept even from eBGP peers: the RIB ignores it there */
	bool atomic_aggregate;
	uint32_t aggregator_as; /* 4-octet, after the AS4_AGGREGATOR rule */
	uint32_t aggregator_addr;

	uint16_t n_communities;
	uint32_t communities[BGP_MAX_COMMUNITIES];

	uint16_t n_unknown; /* in type order, one per type */
	struct bgp_attr_raw unknown[BGP_MAX_UNKNOWN_ATTRS];
	uint16_t raw_len;
	uint8_t raw[BGP_MAX_MSG_LEN];
};

static inline bool
bgp_attrs_has(const struct bgp_path_attrs *a, enum bgp_attr_type t)
{
	return (unsigned)t < 32 && (a->present & (1u << t));
}

static inline bool
bgp_attrs_discarded(const struct bgp_path_attrs *a, enum bgp_attr_type t)
{
	return (unsigned)t < 32 && (a->discarded & (1u << t));
}

/* What the session does with a decoded UPDATE (RFC 7606 §2). */
enum bgp_update_action {
	BGP_UPDATE_OK,
	/* Every prefix in announced[] and withdrawn[] is withdrawn; attrs are
	 * not to be used. */
	BGP_UPDATE_TREAT_AS_WITHDRAW,
	/* Send err as NOTIFICATION and close. */
	BGP_UPDATE_SESSION_RESET,
};

/* What we negotiated with this peer: changes how UPDATEs are read/written. */
struct bgp_codec_ctx {
	bool as4;  /* both sides sent the 4-octet AS capability */
	bool ibgp; /* peer in our AS (vbr does eBGP only: false) */
};

struct bgp_update {
	enum bgp_update_action action;
	struct bgp_notify err; /* when SESSION_RESET */
	/* Why TREAT_AS_WITHDRAW, or the last attribute discarded: for logs.
	 * A static string, or NULL. */
	const char *reason;
	bool end_of_rib; /* RFC 4724 End-of-RIB marker for IPv4 unicast */

	/* Withdrawn Routes field, then MP_UNREACH_NLRI's IPv4 unicast ones. */
	uint16_t n_withdrawn;
	struct bgp_prefix withdrawn[BGP_UPDATE_MAX_PREFIXES];
	/* NLRI field, then MP_REACH_NLRI's IPv4 unicast ones. */
	uint16_t n_announced;
	struct bgp_prefix announced[BGP_UPDATE_MAX_PREFIXES];

	struct bgp_path_attrs attrs;
};

/*
 * Decode an UPDATE with the RFC 7606 error handling. Returns 0 when
 * u->action is OK or TREAT_AS_WITHDRAW, -EBADMSG when SESSION_RESET.
 * Semantic checks that need the session (NEXT_HOP not ours, not 0 or
 * multicast; first AS is the peer's) are left to the caller.
 */
int bgp_update_decode(
	const uint8_t *msg, size_t len, const struct bgp_codec_ctx *ctx, struct bgp_update *u);

/*
 * Encode one UPDATE of at most size bytes (give BGP_MAX_MSG_LEN) with as
 * many of the withdrawn then announced prefixes as fit. *n_withdrawn_done
 * and *n_announced_done say how many were taken: call again with the rest
 * until both lists are consumed. attrs (may be NULL when n_announced is 0)
 * are written only in a message that carries announced prefixes; AS_PATH and
 * AGGREGATOR in 2- or 4-octet form by ctx->as4, with AS4_PATH /
 * AS4_AGGREGATOR for a 2-octet peer when an ASN does not fit. Unknown
 * transitive attributes get the Partial bit. Every prefix goes in the
 * UPDATE's own fields behind attrs->next_hop, whatever its mp mark (we only
 * speak IPv4 unicast); MP_REACH/MP_UNREACH_NLRI are never written. The
 * attributes are written as present, LOCAL_PREF and MED included: leaving
 * out what an eBGP peer must not get is the caller's choice.
 * Returns the message length, -EMSGSIZE if not even the attributes and one
 * prefix fit, -EINVAL for a prefix longer than 32.
 */
int bgp_update_encode(uint8_t *buf, size_t size, const struct bgp_codec_ctx *ctx,
	const struct bgp_prefix *withdrawn, size_t n_withdrawn, size_t *n_withdrawn_done,
	const struct bgp_path_attrs *attrs, const struct bgp_prefix *announced, size_t n_announced,
	size_t *n_announced_done);

/* End-of-RIB for IPv4 unicast: an empty 23-byte UPDATE. */
int bgp_end_of_rib_encode(uint8_t *buf, size_t size);

/* The attributes of our own announcements: ORIGIN IGP, AS_PATH [asn],
 * NEXT_HOP next_hop. */
void bgp_path_attrs_init_local(struct bgp_path_attrs *a, uint32_t asn, uint32_t next_hop);

/* Same attributes (the order of communities matters; Partial does not). */
bool bgp_path_attrs_equal(const struct bgp_path_attrs *a, const struct bgp_path_attrs *b);

/* The prefix's next hop: NEXT_HOP or MP_REACH_NLRI's. */
static inline uint32_t
bgp_prefix_next_hop(const struct bgp_path_attrs *a, const struct bgp_prefix *p)
{
	return p->mp ? a->mp_next_hop : a->next_hop;
}

/* ---------------------------------------------------------------- AS paths */

/* Path length for the decision process (RFC 4271 §9.1.2.2): an AS_SET
 * counts 1, confederation segments 0. */
unsigned bgp_as_path_len(const struct bgp_as_path *p);

/* Does the path hold asn (loop detection, RFC 4271 §9.1.2)? */
bool bgp_as_path_contains(const struct bgp_as_path *p, uint32_t asn);

/* The leftmost ASN when the path starts with an AS_SEQUENCE (the eBGP
 * "first AS is the peer's" check, RFC 4271 §6.3): 0, or -ENOENT. */
int bgp_as_path_first_as(const struct bgp_as_path *p, uint32_t *asn);

/* Put asn in front (a new AS_SEQUENCE if the first segment is not one or is
 * full). -ENOSPC when the path is full. */
int bgp_as_path_prepend(struct bgp_as_path *p, uint32_t asn);

/* "65001 65002 {65003 65004} (65005)": returns the length that would have
 * been written, like snprintf. */
int bgp_as_path_format(char *buf, size_t size, const struct bgp_as_path *p);

/* "192.0.2.0/24", like snprintf. */
int bgp_prefix_format(char *buf, size_t size, const struct bgp_prefix *p);

/* ------------------------------------------- NOTIFICATION, KEEPALIVE, RR */

int bgp_keepalive_encode(uint8_t *buf, size_t size);

/* A KEEPALIVE is only a header: this is bgp_header_check() plus its type. */
int bgp_keepalive_decode(const uint8_t *msg, size_t len, struct bgp_notify *err);

/* Decode a received NOTIFICATION into n (never refused but for its header). */
int bgp_notification_decode(
	const uint8_t *msg, size_t len, struct bgp_notify *n, struct bgp_notify *err);

int bgp_notification_encode(uint8_t *buf, size_t size, const struct bgp_notify *n);

/* Fill n (a NOTIFICATION to send); data beyond what one can carry is cut. */
void bgp_notify_set(
	struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data, size_t len);

/* Fill n for Cease / Administrative Shutdown or Reset with a shutdown
 * communication (RFC 9003: length byte then up to 255 bytes of UTF-8; a
 * longer msg is cut). msg may be NULL or "" for none. */
void bgp_notify_set_shutdown(struct bgp_notify *n, uint8_t subcode, const char *msg);

/* The shutdown communication of a received Cease/2 or Cease/4, as a C string
 * (bytes below 0x20 replaced by '?', for logs). 0, or -ENOENT when there is
 * none or it is malformed. */
int bgp_notify_shutdown_msg(const struct bgp_notify *n, char *buf, size_t size);

struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype; /* RFC 7313: 0 request, 1 BoRR, 2 EoRR */
	uint8_t safi;
};

/* Any AFI/SAFI is decoded; the caller ignores those it does not serve
 * (RFC 2918 §4), see bgp_route_refresh_is_ipv4_unicast(). */
int bgp_route_refresh_decode(
	const uint8_t *msg, size_t len, struct bgp_route_refresh *rr, struct bgp_notify *err);

static inline bool
bgp_route_refresh_is_ipv4_unicast(const struct bgp_route_refresh *rr)
{
	return rr->afi == BGP_AFI_IPV4 && rr->safi == BGP_SAFI_UNICAST;
}

int bgp_route_refresh_encode(uint8_t *buf, size_t size, const struct bgp_route_refresh *rr);

/* ------------------------------------------------------------------ names */

/* "OPEN", "UPDATE", ... or "unknown". */
const char *bgp_msg_type_name(uint8_t type);

/* "UPDATE Message Error / Malformed Attribute List",
 * "Cease / Maximum Number of Prefixes Reached", "Cease / subcode 42".
 * Writes into buf and returns it. */
const char *bgp_notify_name(char *buf, size_t size, uint8_t code, uint8_t subcode);

/* "ORIGIN", "AS_PATH", ... or NULL for a type we do not know. */
const char *bgp_attr_name(uint8_t type);
