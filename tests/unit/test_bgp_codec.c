/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the BGP wire codec: round trips of every message type,
 * golden bytes of messages real speakers send, a table of malformed messages
 * with the verdict each must get (NOTIFICATION code/subcode/data, RFC 7606
 * treat-as-withdraw or attribute discard), the RFC 6793 AS4 merge, and the
 * cutting of a long announcement into <= 4096-byte UPDATEs.
 *
 * Messages are written in hex, as a capture would show them.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define MARKER "ffffffffffffffffffffffffffffffff"

/* Big: not on the stack. */
static struct bgp_update U;
static uint8_t msg[8192];
static const struct bgp_codec_ctx AS2 = {.as4 = false};
static const struct bgp_codec_ctx AS4 = {.as4 = true};

/* Hex to bytes; spaces are for the reader. */
static size_t
hex(uint8_t *out, size_t cap, const char *s)
{
	size_t n = 0;

	while (*s) {
		unsigned v;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		ck_assert_msg(isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]),
			"bad hex at '%s'", s);
		ck_assert_uint_lt(n, cap);
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* A whole message from its body. */
static size_t
mk_msg(uint8_t *out, uint8_t type, const uint8_t *body, size_t blen)
{
	memset(out, 0xff, 16);
	out[16] = (uint8_t)((blen + 19) >> 8);
	out[17] = (uint8_t)(blen + 19);
	out[18] = type;
	memcpy(out + 19, body, blen);
	return blen + 19;
}

/* An UPDATE from the hex of its three fields. */
static size_t
mk_update(uint8_t *out, const char *withdrawn, const char *attrs, const char *nlri)
{
	uint8_t body[4096];
	size_t n = 0, w, a;

	w = hex(body + 2, sizeof(body) - 2, withdrawn ? withdrawn : "");
	body[0] = (uint8_t)(w >> 8);
	body[1] = (uint8_t)w;
	n = 2 + w;
	a = hex(body + n + 2, sizeof(body) - n - 2, attrs ? attrs : "");
	body[n] = (uint8_t)(a >> 8);
	body[n + 1] = (uint8_t)a;
	n += 2 + a;
	n += hex(body + n, sizeof(body) - n, nlri ? nlri : "");
	return mk_msg(out, BGP_MSG_UPDATE, body, n);
}

static void
assert_prefixes(const struct bgp_prefix *got, const struct bgp_prefix *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(got[i].addr, want[i].addr);
		ck_assert_uint_eq(got[i].len, want[i].len);
		ck_assert_uint_eq(got[i].mp, want[i].mp);
	}
}

static void
assert_data(const struct bgp_notify *n, const char *want_hex)
{
	uint8_t want[4096];
	size_t len = hex(want, sizeof(want), want_hex);

	ck_assert_uint_eq(n->data_len, len);
	ck_assert_mem_eq(n->data, want, len);
}

/* Attributes of a plain announcement: ORIGIN IGP, AS_PATH, NEXT_HOP 10.0.0.1. */
#define ORIGIN "40 01 01 00 "
#define ASPATH2 "40 02 04 02 01 fd e9 "	      /* [65001], 2-octet */
#define ASPATH4 "40 02 06 02 01 00 00 fd e9 " /* [65001], 4-octet */
#define NEXTHOP "40 03 04 0a 00 00 01 "
#define BASE2 ORIGIN ASPATH2 NEXTHOP
#define BASE4 ORIGIN ASPATH4 NEXTHOP
#define NLRI "18 c0 00 02" /* 192.0.2.0/24 */

/* ------------------------------------------------------------ framing */

START_TEST(test_frame_partial_and_two_messages)
{
	struct bgp_notify err;
	struct bgp_frame f;
	uint8_t buf[64];
	int len;

	len = bgp_keepalive_encode(buf, sizeof(buf));
	ck_assert_int_eq(len, 19);
	memcpy(buf + 19, buf, 19);
	for (size_t i = 0; i < 19; i++) {
		ck_assert_int_eq(bgp_frame_next(buf, i, &f, &err), 0);
		ck_assert_int_eq(f.status, BGP_FRAME_NEED_MORE);
	}
	ck_assert_int_eq(bgp_frame_next(buf, 38, &f, &err), 0);
	ck_assert_int_eq(f.status, BGP_FRAME_MSG);
	ck_assert_uint_eq(f.len, 19);
	ck_assert_uint_eq(f.type, BGP_MSG_KEEPALIVE);
	ck_assert_int_eq(bgp_frame_next(buf + 19, 19, &f, &err), 0);
	ck_assert_int_eq(f.status, BGP_FRAME_MSG);

	/* An UPDATE announced as 100 bytes, of which 50 are there. */
	memset(buf, 0xff, 16);
	buf[16] = 0;
	buf[17] = 100;
	buf[18] = BGP_MSG_UPDATE;
	ck_assert_int_eq(bgp_frame_next(buf, 50, &f, &err), 0);
	ck_assert_int_eq(f.status, BGP_FRAME_NEED_MORE);
}
END_TEST

START_TEST(test_wrong_type_or_length)
{
	struct bgp_notify err;
	struct bgp_open o;
	int len = bgp_keepalive_encode(msg, sizeof(msg));

	/* A decoder given another type: the caller's mistake, no NOTIFICATION. */
	ck_assert_int_eq(bgp_open_decode(msg, (size_t)len, &o, &err), -EINVAL);
	ck_assert_int_eq(bgp_update_decode(msg, (size_t)len, &AS2, &U), -EINVAL);
	/* A buffer that is not the length the header says. */
	ck_assert_int_eq(bgp_keepalive_decode(msg, 20, &err), -EBADMSG);
	ck_assert_uint_eq(err.code, BGP_ERR_HEADER);
	ck_assert_uint_eq(err.subcode, BGP_ERR_HDR_BAD_LEN);
	assert_data(&err, "0013");
	ck_assert_int_eq(bgp_header_check(msg, 10, &err), -EBADMSG);
	ck_assert_int_eq(bgp_header_check(msg, 19, &err), 0);
}
END_TEST

START_TEST(test_frame_bad_marker_early)
{
	struct bgp_notify err;
	struct bgp_frame f;
	uint8_t buf[3] = {0xff, 0xff, 0x00};

	ck_assert_int_eq(bgp_frame_next(buf, 3, &f, &err), -EBADMSG);
	ck_assert_int_eq(f.status, BGP_FRAME_ERROR);
	ck_assert_uint_eq(err.code, BGP_ERR_HEADER);
	ck_assert_uint_eq(err.subcode, BGP_ERR_HDR_NOT_SYNC);
	ck_assert_uint_eq(err.data_len, 0);
}
END_TEST

/* ------------------------------------------------ malformed: any message */

struct bad_msg {
	const char *name;
	const char *hex; /* the whole message */
	uint8_t code, subcode;
	const char *data; /* expected NOTIFICATION data */
};

static const struct bad_msg bad_msgs[] = {
	{"marker not all ones", "ffffffffffffffffffffffffffffff00 0013 04", 1, 1, ""},
	{"length 18", MARKER "0012 04", 1, 2, "0012"},
	{"length 4097", MARKER "1001 02", 1, 2, "1001"},
	{"type 0", MARKER "0013 00", 1, 3, "00"},
	{"type 6", MARKER "0013 06", 1, 3, "06"},
	{"KEEPALIVE of 20 bytes", MARKER "0014 04 00", 1, 2, "0014"},
	{"OPEN of 28 bytes", MARKER "001c 01 04fde900b40a000001", 1, 2, "001c"},
	{"UPDATE of 22 bytes", MARKER "0016 02 000000", 1, 2, "0016"},
	{"NOTIFICATION of 20 bytes", MARKER "0014 03 06", 1, 2, "0014"},
	{"ROUTE-REFRESH of 24 bytes", MARKER "0018 05 0001000100", 1, 2, "0018"},
	{"ROUTE-REFRESH of 22 bytes", MARKER "0016 05 000100", 1, 2, "0016"},
	/* OPEN: version 4, AS 65001, hold 180, id 10.0.0.1, then parameters */
	{"OPEN version 3", MARKER "001d 01 03 fde9 00b4 0a000001 00", 2, 1, "0004"},
	{"OPEN hold time 1", MARKER "001d 01 04 fde9 0001 0a000001 00", 2, 6, ""},
	{"OPEN hold time 2", MARKER "001d 01 04 fde9 0002 0a000001 00", 2, 6, ""},
	{"OPEN identifier 0", MARKER "001d 01 04 fde9 00b4 00000000 00", 2, 3, ""},
	{"OPEN authentication parameter", MARKER "0020 01 04 fde9 00b4 0a000001 03 01 01 00", 2, 4,
		""},
	{"OPEN parameters length past the message",
		MARKER "0021 01 04 fde9 00b4 0a000001 08 02 02 02 00", 2, 0, ""},
	{"OPEN parameters length short of the message",
		MARKER "0021 01 04 fde9 00b4 0a000001 03 02 02 02 00", 2, 0, ""},
	{"OPEN parameter length past the parameters",
		MARKER "0021 01 04 fde9 00b4 0a000001 04 02 05 02 00", 2, 0, ""},
	{"OPEN capability length past the parameter",
		MARKER "0021 01 04 fde9 00b4 0a000001 04 02 02 41 04", 2, 0, ""},
	{"OPEN MP capability of 3 bytes",
		MARKER "0024 01 04 fde9 00b4 0a000001 07 02 05 01 03 000101", 2, 0, ""},
	{"OPEN 4-octet AS capability of 2 bytes",
		MARKER "0023 01 04 fde9 00b4 0a000001 06 02 04 41 02 fde9", 2, 0, ""},
	{"OPEN route refresh capability with a value",
		MARKER "0022 01 04 fde9 00b4 0a000001 05 02 03 02 01 00", 2, 0, ""},
	{"OPEN RFC 9072 extended length past the message",
		MARKER "0025 01 04 fde9 00b4 0a000001 ff ff 0010 02 0002 0200", 2, 0, ""},
};

START_TEST(test_bad_msg)
{
	const struct bad_msg *t = &bad_msgs[_i];
	struct bgp_notify err = {0}, n;
	struct bgp_route_refresh rr;
	struct bgp_frame f;
	struct bgp_open o;
	size_t len = hex(msg, sizeof(msg), t->hex);
	int rc;

	/* Header errors are framing errors; the rest are the decoder's. */
	rc = bgp_frame_next(msg, len, &f, &err);
	if (t->code == BGP_ERR_HEADER) {
		ck_assert_msg(rc == -EBADMSG && f.status == BGP_FRAME_ERROR, "%s: framed", t->name);
	} else {
		ck_assert_msg(rc == 0 && f.status == BGP_FRAME_MSG && f.len == len,
			"%s: not framed", t->name);
		switch (f.type) {
		case BGP_MSG_OPEN:
			rc = bgp_open_decode(msg, len, &o, &err);
			break;
		case BGP_MSG_ROUTE_REFRESH:
			rc = bgp_route_refresh_decode(msg, len, &rr, &err);
			break;
		case BGP_MSG_NOTIFICATION:
			rc = bgp_notification_decode(msg, len, &n, &err);
			break;
		default:
			rc = bgp_update_decode(msg, len, &AS2, &U);
			err = U.err;
		}
		ck_assert_msg(rc == -EBADMSG, "%s: accepted", t->name);
	}
	ck_assert_msg(err.code == t->code && err.subcode == t->subcode, "%s: got %u/%u", t->name,
		err.code, err.subcode);
	assert_data(&err, t->data);
}
END_TEST

/* ---------------------------------------------- malformed: UPDATE table */

enum expect {
	OK,	  /* accepted as is */
	WITHDRAW, /* RFC 7606 treat-as-withdraw */
	DISCARD,  /* accepted, the attribute `attr` discarded */
	RESET,	  /* NOTIFICATION 3/subcode with data */
};

struct bad_update {
	const char *name;
	struct bgp_codec_ctx ctx;
	const char *withdrawn, *attrs, *nlri;
	const char *body; /* instead of the three fields, for broken lengths */
	enum expect expect;
	uint8_t subcode;  /* RESET */
	const char *data; /* RESET: expected NOTIFICATION data */
	uint8_t attr;	  /* DISCARD: the attribute that must be gone */
};

static const struct bad_update bad_updates[] = {
	/* Field lengths: RFC 4271 §6.3 */
	{"withdrawn length past the message", .body = "0010 0000", .expect = RESET, .subcode = 1,
		.data = ""},
	{"attribute length past the message", .body = "0000 0010 40010100", .expect = RESET,
		.subcode = 1, .data = ""},
	/* Prefixes: RFC 7606 §5.3, Invalid Network Field */
	{"withdrawn /33", .withdrawn = "21 0a000000 00", .expect = RESET, .subcode = 10,
		.data = ""},
	{"withdrawn prefix past the field", .withdrawn = "18 0a00", .expect = RESET, .subcode = 10,
		.data = ""},
	{"NLRI /33", .attrs = BASE2, .nlri = "21 c0000200 00", .expect = RESET, .subcode = 10,
		.data = ""},
	{"NLRI prefix past the message", .attrs = BASE2, .nlri = "18 c000", .expect = RESET,
		.subcode = 10, .data = ""},
	/* Attribute list: RFC 7606 §4 */
	{"attribute length past the attribute list", .attrs = ORIGIN "40 02 09 02 01 fde9",
		.nlri = NLRI, .expect = WITHDRAW},
	{"2 bytes left after the last attribute", .attrs = BASE2 "40 05", .nlri = NLRI,
		.expect = WITHDRAW},
	{"extended length cut short", .attrs = BASE2 "50 05 00", .nlri = NLRI, .expect = WITHDRAW},
	/* Unknown attributes: RFC 4271 §6.3 */
	{"unrecognized well-known attribute", .attrs = BASE2 "40 63 02 aabb", .nlri = NLRI,
		.expect = RESET, .subcode = 2, .data = "40 63 02 aabb"},
	{"unrecognized well-known, extended length", .attrs = BASE2 "50 63 0001 aa", .nlri = NLRI,
		.expect = RESET, .subcode = 2, .data = "50 63 0001 aa"},
	/* ORIGIN: RFC 7606 §7.1 */
	{"ORIGIN 3", .attrs = "40 01 01 03 " ASPATH2 NEXTHOP, .nlri = NLRI, .expect = WITHDRAW},
	{"ORIGIN of 2 bytes", .attrs = "40 01 02 0000 " ASPATH2 NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	{"ORIGIN flagged optional", .attrs = "c0 01 01 00 " ASPATH2 NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	/* AS_PATH: RFC 7606 §7.2, RFC 7607 */
	{"AS_PATH segment type 5", .attrs = ORIGIN "40 02 04 05 01 fde9 " NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	{"AS_PATH segment of 0 ASNs", .attrs = ORIGIN "40 02 04 02 00 fde9 " NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	{"AS_PATH segment past the attribute", .attrs = ORIGIN "40 02 04 02 02 fde9 " NEXTHOP,
		.nlri = NLRI, .expect = WITHDRAW},
	{"AS_PATH with a trailing byte", .attrs = ORIGIN "40 02 05 02 01 fde9 00 " NEXTHOP,
		.nlri = NLRI, .expect = WITHDRAW},
	{"AS_PATH with AS 0", .attrs = ORIGIN "40 02 06 02 02 fde9 0000 " NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	{"AS_PATH of 2-octet ASNs on a 4-octet session", .ctx = {.as4 = true},
		.attrs = ORIGIN "40 02 06 02 02 fde9 fdea " NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	{"AS_PATH of 4-octet ASNs on a 2-octet session",
		.attrs = ORIGIN "40 02 06 02 01 0000fde9 " NEXTHOP, .nlri = NLRI,
		.expect = WITHDRAW},
	/* NEXT_HOP: RFC 7606 §7.3 */
	{"NEXT_HOP of 3 bytes", .attrs = ORIGIN ASPATH2 "40 03 03 0a0000", .nlri = NLRI,
		.expect = WITHDRAW},
	{"NEXT_HOP flagged optional", .attrs = ORIGIN ASPATH2 "80 03 04 0a000001", .nlri = NLRI,
		.expect = WITHDRAW},
	/* MED: RFC 7606 §7.4 */
	{"MED of 2 bytes", .attrs = BASE2 "80 04 02 0000", .nlri = NLRI, .expect = WITHDRAW},
	{"MED flagged well-known", .attrs = BASE2 "40 04 04 00000000", .nlri = NLRI,
		.expect = WITHDRAW},
	/* LOCAL_PREF: RFC 7606 §7.5 */
	{"LOCAL_PREF of 3 bytes from eBGP", .attrs = BASE2 "40 05 03 000064", .nlri = NLRI,
		.expect = DISCARD, .attr = BGP_ATTR_LOCAL_PREF},
	{"LOCAL_PREF of 3 bytes from iBGP", .ctx = {.ibgp = true}, .attrs = BASE2 "40 05 03 000064",
		.nlri = NLRI, .expect = WITHDRAW},
	/* ATOMIC_AGGREGATE, AGGREGATOR: RFC 7606 §7.6, §7.7 */
	{"ATOMIC_AGGREGATE of 1 byte", .attrs = BASE2 "40 06 01 00", .nlri = NLRI,
		.expect = DISCARD, .attr = BGP_ATTR_ATOMIC_AGGREGATE},
	{"AGGREGATOR of 8 bytes on a 2-octet session", .attrs = BASE2 "c0 07 08 0000fde9 0a000001",
		.nlri = NLRI, .expect = DISCARD, .attr = BGP_ATTR_AGGREGATOR},
	{"AGGREGATOR of 6 bytes on a 4-octet session", .ctx = {.as4 = true},
		.attrs = BASE4 "c0 07 06 fde9 0a000001", .nlri = NLRI, .expect = DISCARD,
		.attr = BGP_ATTR_AGGREGATOR},
	{"AGGREGATOR with AS 0", .attrs = BASE2 "c0 07 06 0000 0a000001", .nlri = NLRI,
		.expect = DISCARD, .attr = BGP_ATTR_AGGREGATOR},
	{"AGGREGATOR flagged non-transitive", .attrs = BASE2 "80 07 06 fde9 0a000001", .nlri = NLRI,
		.expect = DISCARD, .attr = BGP_ATTR_AGGREGATOR},
	/* COMMUNITIES: RFC 7606 §7.8 */
	{"COMMUNITIES of 3 bytes", .attrs = BASE2 "c0 08 03 fde900", .nlri = NLRI,
		.expect = WITHDRAW},
	{"COMMUNITIES of 0 bytes", .attrs = BASE2 "c0 08 00", .nlri = NLRI, .expect = WITHDRAW},
	/* MP_REACH/MP_UNREACH_NLRI: RFC 7606 §7.11, §3.g */
	{"MP_REACH_NLRI next hop of 16 bytes",
		.attrs = ORIGIN ASPATH2
		"80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 c00002",
		.expect = RESET, .subcode = 9,
		.data = "80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 c00002"},
	{"MP_REACH_NLRI next hop past the attribute",
		.attrs = ORIGIN ASPATH2 "80 0e 06 0001 01 08 0a00", .expect = RESET, .subcode = 9,
		.data = "80 0e 06 0001 01 08 0a00"},
	{"MP_REACH_NLRI of 4 bytes", .attrs = ORIGIN ASPATH2 "80 0e 04 0001 01 00", .expect = RESET,
		.subcode = 9, .data = "80 0e 04 0001 01 00"},
	{"MP_REACH_NLRI with a /33",
		.attrs = ORIGIN ASPATH2 "80 0e 0e 0001 01 04 0a000001 00 21 c0000200",
		.expect = RESET, .subcode = 9,
		.data = "80 0e 0e 0001 01 04 0a000001 00 21 c0000200"},
	{"MP_REACH_NLRI flagged transitive",
		.attrs = ORIGIN ASPATH2 "c0 0e 0d 0001 01 04 0a000001 00 18 c00002",
		.expect = RESET, .subcode = 9, .data = "c0 0e 0d 0001 01 04 0a000001 00 18 c00002"},
	{"MP_REACH_NLRI twice",
		.attrs = ORIGIN ASPATH2 "80 0e 0d 0001 01 04 0a000001 00 18 c00002"
					"80 0e 0d 0001 01 04 0a000001 00 18 c00003",
		.expect = RESET, .subcode = 1, .data = ""},
	{"MP_UNREACH_NLRI twice", .attrs = "80 0f 03 0001 01 80 0f 03 0001 01", .expect = RESET,
		.subcode = 1, .data = ""},
	{"MP_UNREACH_NLRI prefix past the attribute", .attrs = "80 0f 05 0001 01 18 c0",
		.expect = RESET, .subcode = 9, .data = "80 0f 05 0001 01 18 c0"},
	/* Repeats: RFC 7606 §3.g, the first one stands */
	{"ORIGIN twice", .attrs = BASE2 "40 01 01 02", .nlri = NLRI, .expect = DISCARD,
		.attr = BGP_ATTR_ORIGIN},
	/* Missing well-known: RFC 7606 §3.d */
	{"no ORIGIN", .attrs = ASPATH2 NEXTHOP, .nlri = NLRI, .expect = WITHDRAW},
	{"no AS_PATH", .attrs = ORIGIN NEXTHOP, .nlri = NLRI, .expect = WITHDRAW},
	{"no NEXT_HOP", .attrs = ORIGIN ASPATH2, .nlri = NLRI, .expect = WITHDRAW},
	{"no attributes at all", .nlri = NLRI, .expect = WITHDRAW},
	{"no NEXT_HOP with MP_REACH_NLRI only",
		.attrs = ORIGIN ASPATH2 "80 0e 0d 0001 01 04 0a000001 00 18 c00002", .expect = OK},
	{"MP_REACH_NLRI of IPv6 unicast is ignored",
		.attrs = ORIGIN ASPATH2
		"80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8",
		.expect = OK},
	/* AS4_*: RFC 6793 §6, §4.1 */
	{"AS4_PATH with a confederation segment", .attrs = BASE2 "c0 11 06 03 01 fa56ea01",
		.nlri = NLRI, .expect = DISCARD, .attr = BGP_ATTR_AS4_PATH},
	{"AS4_PATH with a segment past the attribute", .attrs = BASE2 "c0 11 06 02 02 fa56ea01",
		.nlri = NLRI, .expect = DISCARD, .attr = BGP_ATTR_AS4_PATH},
	{"AS4_PATH flagged non-transitive", .attrs = BASE2 "80 11 06 02 01 fa56ea01", .nlri = NLRI,
		.expect = DISCARD, .attr = BGP_ATTR_AS4_PATH},
	{"AS4_AGGREGATOR of 6 bytes",
		.attrs = BASE2 "c0 07 06 5ba0 0a000001 c0 12 06 fde9 0a000001", .nlri = NLRI,
		.expect = DISCARD, .attr = BGP_ATTR_AS4_AGGREGATOR},
	{"AS4_PATH from a 4-octet speaker", .ctx = {.as4 = true},
		.attrs = BASE4 "c0 11 06 02 01 fa56ea01", .nlri = NLRI, .expect = DISCARD,
		.attr = BGP_ATTR_AS4_PATH},
	/* Fine */
	{"extended length on a short ORIGIN", .attrs = "50 01 0001 00 " ASPATH2 NEXTHOP,
		.nlri = NLRI, .expect = OK},
	{"withdrawals only", .withdrawn = "18 c00002 10 0a00", .expect = OK},
	{"attributes without prefixes", .attrs = BASE2, .expect = OK},
	{"unknown optional non-transitive dropped", .attrs = BASE2 "80 63 01 aa", .nlri = NLRI,
		.expect = OK},
	{"low flag bits ignored", .attrs = "4f 01 01 00 " ASPATH2 NEXTHOP, .nlri = NLRI,
		.expect = OK},
};

START_TEST(test_bad_update)
{
	const struct bad_update *t = &bad_updates[_i];
	size_t len;
	int rc;

	if (t->body) {
		uint8_t body[4096];

		len = mk_msg(msg, BGP_MSG_UPDATE, body, hex(body, sizeof(body), t->body));
	} else {
		len = mk_update(msg, t->withdrawn, t->attrs, t->nlri);
	}
	rc = bgp_update_decode(msg, len, &t->ctx, &U);
	switch (t->expect) {
	case RESET:
		ck_assert_msg(rc == -EBADMSG && U.action == BGP_UPDATE_SESSION_RESET,
			"%s: not reset (action %d)", t->name, U.action);
		ck_assert_msg(U.err.code == BGP_ERR_UPDATE && U.err.subcode == t->subcode,
			"%s: got %u/%u", t->name, U.err.code, U.err.subcode);
		assert_data(&U.err, t->data);
		break;
	case WITHDRAW:
		ck_assert_msg(rc == 0 && U.action == BGP_UPDATE_TREAT_AS_WITHDRAW,
			"%s: action %d (%s)", t->name, U.action, U.reason ? U.reason : "");
		ck_assert_ptr_nonnull(U.reason);
		/* What was announced is still listed, to be withdrawn. */
		if (t->nlri)
			ck_assert_uint_ge(U.n_announced, 1);
		break;
	case DISCARD:
		ck_assert_msg(rc == 0 && U.action == BGP_UPDATE_OK, "%s: action %d (%s)", t->name,
			U.action, U.reason ? U.reason : "");
		ck_assert_msg(bgp_attrs_discarded(&U.attrs, t->attr), "%s: not marked", t->name);
		if (t->attr != BGP_ATTR_ORIGIN && t->attr != BGP_ATTR_AS4_PATH &&
			t->attr != BGP_ATTR_AS4_AGGREGATOR)
			ck_assert_msg(
				!bgp_attrs_has(&U.attrs, t->attr), "%s: still there", t->name);
		ck_assert(bgp_attrs_has(&U.attrs, BGP_ATTR_ORIGIN));
		ck_assert(bgp_attrs_has(&U.attrs, BGP_ATTR_AS_PATH));
		ck_assert(bgp_attrs_has(&U.attrs, BGP_ATTR_NEXT_HOP));
		ck_assert_uint_eq(U.n_announced, 1);
		break;
	case OK:
		ck_assert_msg(rc == 0 && U.action == BGP_UPDATE_OK, "%s: action %d (%s)", t->name,
			U.action, U.reason ? U.reason : "");
		break;
	}
}
END_TEST

START_TEST(test_repeat_keeps_first)
{
	size_t len = mk_update(msg, NULL, BASE2 "40 01 01 02", NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_uint_eq(U.attrs.origin, BGP_ORIGIN_IGP);
}
END_TEST

START_TEST(test_unknown_transitive_kept)
{
	size_t len = mk_update(msg, NULL, BASE2 "c0 63 02 aabb e0 64 01 cc 80 65 01 dd", NLRI);
	const struct bgp_path_attrs *a = &U.attrs;

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	ck_assert_uint_eq(a->n_unknown, 2);
	ck_assert_uint_eq(a->unknown[0].type, 0x63);
	ck_assert_uint_eq(a->unknown[0].flags, 0xc0);
	ck_assert_uint_eq(a->unknown[0].len, 2);
	ck_assert_mem_eq(a->raw + a->unknown[0].off, "\xaa\xbb", 2);
	ck_assert_uint_eq(a->unknown[1].type, 0x64);
	ck_assert_uint_eq(a->unknown[1].flags, 0xe0);
}
END_TEST

START_TEST(test_mp_prefixes_merged)
{
	/* NLRI 192.0.2.0/24 via NEXT_HOP, 198.51.100.0/24 via MP_REACH
	 * (next hop 10.0.0.9); withdrawn 203.0.113.0/24 in MP_UNREACH. */
	size_t len = mk_update(msg, NULL,
		"80 0f 07 0001 01 18 cb0071 80 0e 0d 0001 01 04 0a000009 00 18 c63364 " BASE2,
		NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	ck_assert_uint_eq(U.n_announced, 2);
	ck_assert_uint_eq(U.announced[0].addr, IP(192, 0, 2, 0));
	ck_assert_uint_eq(U.announced[0].mp, 0);
	ck_assert_uint_eq(bgp_prefix_next_hop(&U.attrs, &U.announced[0]), IP(10, 0, 0, 1));
	ck_assert_uint_eq(U.announced[1].addr, IP(198, 51, 100, 0));
	ck_assert_uint_eq(U.announced[1].mp, 1);
	ck_assert_uint_eq(bgp_prefix_next_hop(&U.attrs, &U.announced[1]), IP(10, 0, 0, 9));
	ck_assert_uint_eq(U.n_withdrawn, 1);
	ck_assert_uint_eq(U.withdrawn[0].addr, IP(203, 0, 113, 0));
	ck_assert_uint_eq(U.withdrawn[0].len, 24);
}
END_TEST

START_TEST(test_host_bits_cleared)
{
	/* 10.1.2.3/16 on the wire keeps its stray bytes' bits: we do not. */
	size_t len = mk_update(msg, NULL, BASE2, "10 0a01 1d c0000207");

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_uint_eq(U.announced[0].addr, IP(10, 1, 0, 0));
	ck_assert_uint_eq(U.announced[1].addr, IP(192, 0, 2, 0));
	ck_assert_uint_eq(U.announced[1].len, 29);
}
END_TEST

START_TEST(test_end_of_rib)
{
	size_t len = mk_update(msg, NULL, NULL, NULL);

	ck_assert_uint_eq(len, 23);
	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert(U.end_of_rib);
	ck_assert_int_eq(bgp_end_of_rib_encode(msg + 100, 100), 23);
	ck_assert_mem_eq(msg, msg + 100, 23);

	len = mk_update(msg, NULL, "80 0f 03 0001 01", NULL);
	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert(U.end_of_rib);

	len = mk_update(msg, NULL, "80 0f 03 0002 01", NULL);
	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert(!U.end_of_rib);

	len = mk_update(msg, "18 c00002", NULL, NULL);
	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert(!U.end_of_rib);
}
END_TEST

/* ------------------------------------------------------------- AS4 merge */

static void
assert_path(const struct bgp_as_path *p, const char *want)
{
	char buf[512];

	bgp_as_path_format(buf, sizeof(buf), p);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_as4_trans_replaced)
{
	/* Golden: a 2-octet speaker passing on 4200000001 4200000002 as
	 * AS_TRANS AS_TRANS, with AS4_PATH beside. */
	size_t len = hex(msg, sizeof(msg),
		MARKER "003e 02 0000 0023"
		       "40 01 01 00"
		       "40 02 08 02 03 fde9 5ba0 5ba0"
		       "40 03 04 c0000201"
		       "c0 11 0a 02 02 fa56ea01 fa56ea02"
		       "18 c63364");

	ck_assert_uint_eq(len, 0x3e);
	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	assert_path(&U.attrs.as_path, "65001 4200000001 4200000002");
	ck_assert_uint_eq(U.attrs.as_path.n_segs, 1);
	ck_assert(!bgp_attrs_has(&U.attrs, BGP_ATTR_AS4_PATH));
	ck_assert(!bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_PATH));
	ck_assert_uint_eq(U.attrs.next_hop, IP(192, 0, 2, 1));
	ck_assert_uint_eq(U.n_announced, 1);
	ck_assert_uint_eq(U.announced[0].addr, IP(198, 51, 100, 0));
	ck_assert_uint_eq(bgp_as_path_len(&U.attrs.as_path), 3);
}
END_TEST

START_TEST(test_as4_path_longer_ignored)
{
	size_t len = mk_update(msg, NULL, BASE2 "c0 11 0a 02 02 fa56ea01 fa56ea02", NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	assert_path(&U.attrs.as_path, "65001");
	ck_assert(bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_PATH));
}
END_TEST

START_TEST(test_as4_aggregator_not_trans)
{
	/* AGGREGATOR by 65010 (a 2-octet AS aggregated after the 4-octet
	 * part): AS4_AGGREGATOR and AS4_PATH are stale. */
	size_t len = mk_update(msg, NULL,
		ORIGIN "40 02 06 02 02 fde9 5ba0 " NEXTHOP "c0 07 06 fdf2 0a000002"
		       "c0 11 06 02 01 fa56ea01 c0 12 08 fa56ea09 0a000003",
		NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	assert_path(&U.attrs.as_path, "65001 23456");
	ck_assert_uint_eq(U.attrs.aggregator_as, 65010);
	ck_assert_uint_eq(U.attrs.aggregator_addr, IP(10, 0, 0, 2));
	ck_assert(bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_PATH));
	ck_assert(bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_AGGREGATOR));
}
END_TEST

START_TEST(test_as4_aggregator_trans)
{
	size_t len = mk_update(msg, NULL,
		ORIGIN "40 02 06 02 02 fde9 5ba0 " NEXTHOP "c0 07 06 5ba0 0a000002"
		       "c0 11 06 02 01 fa56ea01 c0 12 08 fa56ea09 0a000003",
		NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	assert_path(&U.attrs.as_path, "65001 4200000001");
	ck_assert_uint_eq(U.attrs.aggregator_as, 4200000009u);
	ck_assert_uint_eq(U.attrs.aggregator_addr, IP(10, 0, 0, 3));
	ck_assert_uint_eq(U.attrs.discarded, 0);
}
END_TEST

START_TEST(test_as4_from_new_speaker_ignored)
{
	size_t len = mk_update(msg, NULL,
		ORIGIN "40 02 0a 02 02 0000fde9 00005ba0 " NEXTHOP "c0 11 06 02 01 fa56ea01"
		       "c0 12 08 fa56ea09 0a000003",
		NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS4, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	assert_path(&U.attrs.as_path, "65001 23456");
	ck_assert(bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_PATH));
	ck_assert(bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_AGGREGATOR));
	ck_assert(!bgp_attrs_has(&U.attrs, BGP_ATTR_AGGREGATOR));
}
END_TEST

START_TEST(test_as4_confed_and_set)
{
	/* (65100) 65001 AS_TRANS {1 2 3} with AS4_PATH 4200000001 {1 2 3}:
	 * the leading confederation segment stays, the set counts one. */
	size_t len = mk_update(msg, NULL,
		ORIGIN "40 02 12 03 01 fe4c 02 02 fde9 5ba0 01 03 0001 0002 0003 " NEXTHOP
		       "c0 11 14 02 01 fa56ea01 01 03 00000001 00000002 00000003",
		NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	ck_assert_int_eq(U.action, BGP_UPDATE_OK);
	assert_path(&U.attrs.as_path, "(65100) 65001 4200000001 {1 2 3}");
	ck_assert_uint_eq(bgp_as_path_len(&U.attrs.as_path), 3);
}
END_TEST

START_TEST(test_as4_alone_aggregator)
{
	/* AS4_AGGREGATOR without AGGREGATOR: dropped, AS4_PATH still used. */
	size_t len = mk_update(msg, NULL,
		ORIGIN "40 02 06 02 02 fde9 5ba0 " NEXTHOP
		       "c0 11 06 02 01 fa56ea01 c0 12 08 fa56ea09 0a000003",
		NLRI);

	ck_assert_int_eq(bgp_update_decode(msg, len, &AS2, &U), 0);
	assert_path(&U.attrs.as_path, "65001 4200000001");
	ck_assert(!bgp_attrs_has(&U.attrs, BGP_ATTR_AGGREGATOR));
	ck_assert(bgp_attrs_discarded(&U.attrs, BGP_ATTR_AS4_AGGREGATOR));
}
END_TEST

START_TEST(test_encode_for_2octet_peer)
{
	static struct bgp_path_attrs a;
	struct bgp_prefix p = {IP(192, 0, 2, 0), 24, 0};
	struct bgp_codec_ctx ctx = {.as4 = false};
	size_t wd, ad;
	uint8_t want[256];
	size_t wlen;
	int len;

	bgp_path_attrs_init_local(&a, 4200000001u, IP(10, 0, 0, 1));
	ck_assert_int_eq(bgp_as_path_prepend(&a.as_path, 45104), 0);
	a.aggregator_as = 4200000001u;
	a.aggregator_addr = IP(10, 0, 0, 1);
	a.present |= 1u << BGP_ATTR_AGGREGATOR;
	len = bgp_update_encode(msg, sizeof(msg), &ctx, NULL, 0, &wd, &a, &p, 1, &ad);
	wlen = hex(want, sizeof(want),
		MARKER "0050 02 0000 0035"
		       "40 01 01 00"
		       "40 02 06 02 02 b030 5ba0"
		       "40 03 04 0a000001"
		       "c0 07 06 5ba0 0a000001"
		       "c0 11 0a 02 02 0000b030 fa56ea01"
		       "c0 12 08 fa56ea01 0a000001"
		       "18 c00002");
	ck_assert_int_eq(len, (int)wlen);
	ck_assert_mem_eq(msg, want, wlen);
	ck_assert_uint_eq(ad, 1);

	ck_assert_int_eq(bgp_update_decode(msg, (size_t)len, &ctx, &U), 0);
	ck_assert(bgp_path_attrs_equal(&a, &U.attrs));
}
END_TEST

/* ------------------------------------------------------------ round trips */

START_TEST(test_open_round_trip)
{
	static const uint32_t asns[] = {45104, 4200000001u};
	struct bgp_notify err;
	struct bgp_open o, d;
	int len;

	for (unsigned i = 0; i < 2; i++) {
		bgp_open_init_local(&o, asns[i], 90, IP(10, 0, 0, 1));
		len = bgp_open_encode(msg, sizeof(msg), &o);
		ck_assert_int_gt(len, 29);
		ck_assert_int_eq(bgp_open_decode(msg, (size_t)len, &d, &err), 0);
		ck_assert_uint_eq(d.version, 4);
		ck_assert_uint_eq(d.asn, asns[i]);
		ck_assert_uint_eq(d.my_as, asns[i] > 0xffff ? BGP_AS_TRANS : asns[i]);
		ck_assert_uint_eq(d.hold_time, 90);
		ck_assert_uint_eq(d.bgp_id, IP(10, 0, 0, 1));
		ck_assert(d.cap_as4 && d.cap_route_refresh && !d.ext_opt_params);
		ck_assert_uint_eq(d.n_mp, 1);
		ck_assert(bgp_open_has_ipv4_unicast(&d));
		ck_assert_int_eq(bgp_open_check_peer_as(&d, asns[i], &err), 0);
		ck_assert_int_eq(bgp_open_check_peer_as(&d, asns[i] + 1, &err), -EBADMSG);
		ck_assert_uint_eq(err.code, 2);
		ck_assert_uint_eq(err.subcode, 2);
	}
}
END_TEST

START_TEST(test_open_extended_params)
{
	struct bgp_notify err;
	struct bgp_open o, d;
	int len;

	/* 60 MP capabilities do not fit 255 bytes: RFC 9072 form. */
	bgp_open_init_local(&o, 65001, 180, IP(10, 0, 0, 1));
	o.n_mp = 60;
	for (unsigned i = 0; i < 60; i++) {
		o.mp[i].afi = (uint16_t)(1 + i);
		o.mp[i].safi = 1;
	}
	len = bgp_open_encode(msg, sizeof(msg), &o);
	ck_assert_int_gt(len, 255 + 29);
	ck_assert_uint_eq(msg[28], 255);
	ck_assert_uint_eq(msg[29], 255);
	ck_assert_int_eq(bgp_open_decode(msg, (size_t)len, &d, &err), 0);
	ck_assert(d.ext_opt_params);
	ck_assert_uint_eq(d.n_mp, 60);
	ck_assert_uint_eq(d.mp[59].afi, 60);
	ck_assert(d.cap_as4 && d.asn == 65001);
}
END_TEST

START_TEST(test_open_bird_golden)
{
	/* An OPEN as BIRD 2 sends it: AS 65000, hold 240, id 10.0.0.2, one
	 * Capabilities parameter with MP IPv4 unicast, route refresh,
	 * graceful restart (120 s), 4-octet AS, enhanced route refresh and
	 * long-lived graceful restart. */
	struct bgp_notify err;
	struct bgp_open d;
	size_t len = hex(msg, sizeof(msg),
		MARKER "0035 01 04 fde8 00f0 0a000002 18"
		       "02 16 01 04 0001 00 01 02 00 40 02 0078 41 04 0000fde8 46 00 47 00");

	ck_assert_uint_eq(len, 0x35);
	ck_assert_int_eq(bgp_open_decode(msg, len, &d, &err), 0);
	ck_assert_uint_eq(d.asn, 65000);
	ck_assert_uint_eq(d.hold_time, 240);
	ck_assert_uint_eq(d.bgp_id, IP(10, 0, 0, 2));
	ck_assert(d.cap_as4 && d.cap_route_refresh);
	ck_assert_uint_eq(d.n_mp, 1);
	ck_assert_uint_eq(d.mp[0].afi, 1);
	ck_assert_uint_eq(d.mp[0].safi, 1);
	ck_assert_uint_eq(d.n_unknown_caps, 3);
	ck_assert_uint_eq(d.unknown_caps[0], 64);
	ck_assert_uint_eq(d.unknown_caps[1], 70);
	ck_assert_uint_eq(d.unknown_caps[2], 71);
}
END_TEST

START_TEST(test_open_ours_golden)
{
	/* What vbr sends with its default ASN: every byte. */
	struct bgp_open o;
	uint8_t want[64];
	size_t wlen = hex(want, sizeof(want),
		MARKER "002d 01 04 b030 005a c0000201 10"
		       "02 0e 01 04 0001 00 01 02 00 41 04 0000b030");

	bgp_open_init_local(&o, 45104, 90, IP(192, 0, 2, 1));
	ck_assert_int_eq(bgp_open_encode(msg, sizeof(msg), &o), (int)wlen);
	ck_assert_mem_eq(msg, want, wlen);
}
END_TEST

START_TEST(test_open_no_caps)
{
	/* An old speaker: no parameters at all. */
	struct bgp_notify err;
	struct bgp_open d;
	size_t len = hex(msg, sizeof(msg), MARKER "001d 01 04 fde9 00b4 0a000001 00");

	ck_assert_int_eq(bgp_open_decode(msg, len, &d, &err), 0);
	ck_assert(!d.cap_as4);
	ck_assert_uint_eq(d.asn, 65001);
	ck_assert(bgp_open_has_ipv4_unicast(&d));
	ck_assert_int_eq(bgp_open_check_peer_as(&d, 65001, &err), 0);
}
END_TEST

START_TEST(test_open_peer_as_zero)
{
	struct bgp_notify err;
	struct bgp_open d;
	size_t len = hex(
		msg, sizeof(msg), MARKER "0025 01 04 5ba0 00b4 0a000001 08 02 06 41 04 00000000");

	ck_assert_int_eq(bgp_open_decode(msg, len, &d, &err), 0);
	ck_assert_int_eq(bgp_open_check_peer_as(&d, 0, &err), -EBADMSG);
	ck_assert_uint_eq(err.subcode, BGP_ERR_OPEN_BAD_PEER_AS);
}
END_TEST

static void
fill_attrs(struct bgp_path_attrs *a)
{
	bgp_path_attrs_init_local(a, 65001, IP(10, 0, 0, 1));
	bgp_as_path_prepend(&a->as_path, 4200000001u);
	/* ... then a set {65010 65011} at the end */
	a->as_path.segs[1] = (struct bgp_as_seg){BGP_AS_SET, 2, 2};
	a->as_path.asns[2] = 65010;
	a->as_path.asns[3] = 65011;
	a->as_path.n_segs = 2;
	a->as_path.n_asns = 4;
	a->origin = BGP_ORIGIN_EGP;
	a->med = 100;
	a->local_pref = 200;
	a->atomic_aggregate = true;
	a->aggregator_as = 65010;
	a->aggregator_addr = IP(10, 0, 0, 7);
	a->n_communities = 2;
	a->communities[0] = 65001u << 16 | 100;
	a->communities[1] = 0xffffff01;
	a->present |= 1u << BGP_ATTR_MED | 1u << BGP_ATTR_LOCAL_PREF |
		      1u << BGP_ATTR_ATOMIC_AGGREGATE | 1u << BGP_ATTR_AGGREGATOR |
		      1u << BGP_ATTR_COMMUNITIES;
	a->n_unknown = 1;
	a->unknown[0] = (struct bgp_attr_raw){0xc0 | BGP_ATTR_F_PARTIAL, 32, 12, 0};
	memcpy(a->raw, "\x00\x00\xfd\xe9\x00\x00\x00\x01\x00\x00\x00\x02", 12);
	a->raw_len = 12;
}

START_TEST(test_update_round_trip)
{
	static struct bgp_path_attrs a;
	struct bgp_prefix ann[3] = {{IP(192, 0, 2, 0), 24, 0}, {IP(10, 0, 0, 0), 8, 0}, {0, 0, 0}};
	struct bgp_prefix wd[2] = {{IP(203, 0, 113, 128), 25, 0}, {IP(198, 51, 100, 7), 32, 0}};
	size_t wdone, adone;
	int len;

	fill_attrs(&a);
	for (int as4 = 0; as4 < 2; as4++) {
		struct bgp_codec_ctx ctx = {.as4 = as4};

		len = bgp_update_encode(msg, sizeof(msg), &ctx, wd, 2, &wdone, &a, ann, 3, &adone);
		ck_assert_int_gt(len, 23);
		ck_assert_uint_eq(wdone, 2);
		ck_assert_uint_eq(adone, 3);
		ck_assert_int_eq(bgp_update_decode(msg, (size_t)len, &ctx, &U), 0);
		ck_assert_int_eq(U.action, BGP_UPDATE_OK);
		ck_assert(bgp_path_attrs_equal(&a, &U.attrs));
		ck_assert_uint_eq(U.n_announced, 3);
		ck_assert_uint_eq(U.n_withdrawn, 2);
		assert_prefixes(U.announced, ann, 3);
		assert_prefixes(U.withdrawn, wd, 2);
		/* The unknown attribute went on with Partial set. */
		ck_assert_uint_eq(U.attrs.unknown[0].flags, 0xe0);
	}
}
END_TEST

START_TEST(test_keepalive_round_trip)
{
	struct bgp_notify err;
	int len = bgp_keepalive_encode(msg, sizeof(msg));

	ck_assert_int_eq(len, 19);
	ck_assert_int_eq(bgp_keepalive_decode(msg, 19, &err), 0);
	ck_assert_int_eq(bgp_keepalive_encode(msg, 18), -EMSGSIZE);
}
END_TEST

START_TEST(test_notification_round_trip)
{
	struct bgp_notify n, d, err;
	char text[300], big[400];
	int len;

	bgp_notify_set_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "maintenance: back at 10:00");
	len = bgp_notification_encode(msg, sizeof(msg), &n);
	ck_assert_int_eq(len, 21 + 1 + 26);
	ck_assert_int_eq(bgp_notification_decode(msg, (size_t)len, &d, &err), 0);
	ck_assert_uint_eq(d.code, 6);
	ck_assert_uint_eq(d.subcode, 2);
	ck_assert_int_eq(bgp_notify_shutdown_msg(&d, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "maintenance: back at 10:00");

	/* 400 bytes are cut to 255. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	bgp_notify_set_shutdown(&n, BGP_ERR_CEASE_ADMIN_RESET, big);
	ck_assert_uint_eq(n.data_len, 256);
	ck_assert_int_eq(bgp_notify_shutdown_msg(&n, text, sizeof(text)), 0);
	ck_assert_uint_eq(strlen(text), 255);

	/* A length byte past the data: malformed, no message. */
	n.data[0] = 200;
	n.data_len = 5;
	ck_assert_int_eq(bgp_notify_shutdown_msg(&n, text, sizeof(text)), -ENOENT);

	/* A max-prefix Cease with its RFC 4486 data. */
	bgp_notify_set(&n, 6, 1, "\x00\x01\x01\x00\x00\x00\x64", 7);
	len = bgp_notification_encode(msg, sizeof(msg), &n);
	ck_assert_int_eq(bgp_notification_decode(msg, (size_t)len, &d, &err), 0);
	ck_assert_uint_eq(d.data_len, 7);
	ck_assert_mem_eq(d.data, n.data, 7);
	ck_assert_int_eq(bgp_notify_shutdown_msg(&d, text, sizeof(text)), -ENOENT);
}
END_TEST

START_TEST(test_route_refresh_round_trip)
{
	struct bgp_route_refresh rr = {BGP_AFI_IPV4, 0, BGP_SAFI_UNICAST}, d;
	struct bgp_notify err;
	int len = bgp_route_refresh_encode(msg, sizeof(msg), &rr);

	ck_assert_int_eq(len, 23);
	ck_assert_int_eq(bgp_route_refresh_decode(msg, 23, &d, &err), 0);
	ck_assert(bgp_route_refresh_is_ipv4_unicast(&d));
	rr.afi = 2;
	bgp_route_refresh_encode(msg, sizeof(msg), &rr);
	ck_assert_int_eq(bgp_route_refresh_decode(msg, 23, &d, &err), 0);
	ck_assert(!bgp_route_refresh_is_ipv4_unicast(&d));
	ck_assert_uint_eq(d.afi, 2);
}
END_TEST

/* --------------------------------------------------------------- splitting */

static struct bgp_prefix many[6000], got_ann[6000], got_wd[6000];

static void
split_and_check(const struct bgp_codec_ctx *ctx, const struct bgp_path_attrs *a, size_t n_wd,
	size_t n_ann, unsigned min_msgs)
{
	size_t wi = 0, ai = 0, gw = 0, ga = 0;
	unsigned msgs = 0;

	while (wi < n_wd || ai < n_ann) {
		size_t wd, ad;
		int len = bgp_update_encode(msg, BGP_MAX_MSG_LEN, ctx, many + wi, n_wd - wi, &wd, a,
			many + 3000 + ai, n_ann - ai, &ad);

		ck_assert_int_gt(len, 0);
		ck_assert_int_le(len, BGP_MAX_MSG_LEN);
		ck_assert_uint_gt(wd + ad, 0);
		ck_assert_int_eq(bgp_update_decode(msg, (size_t)len, ctx, &U), 0);
		ck_assert_int_eq(U.action, BGP_UPDATE_OK);
		ck_assert_uint_eq(U.n_withdrawn, wd);
		ck_assert_uint_eq(U.n_announced, ad);
		if (ad)
			ck_assert(bgp_path_attrs_equal(a, &U.attrs));
		memcpy(got_wd + gw, U.withdrawn, wd * sizeof(U.withdrawn[0]));
		memcpy(got_ann + ga, U.announced, ad * sizeof(U.announced[0]));
		gw += wd;
		ga += ad;
		wi += wd;
		ai += ad;
		msgs++;
	}
	ck_assert_uint_eq(gw, n_wd);
	ck_assert_uint_eq(ga, n_ann);
	assert_prefixes(got_wd, many, n_wd);
	assert_prefixes(got_ann, many + 3000, n_ann);
	ck_assert_uint_ge(msgs, min_msgs);
}

START_TEST(test_split)
{
	static struct bgp_path_attrs a;

	for (unsigned i = 0; i < 6000; i++) {
		many[i].addr = (IP(10, 0, 0, 0) + (i << 8)) & 0xffffff00;
		many[i].len = 24;
		many[i].mp = 0;
	}
	bgp_path_attrs_init_local(&a, 45104, IP(10, 0, 0, 1));
	/* 3000 /24 take 12000 bytes: at least 3 messages. */
	split_and_check(&AS4, &a, 0, 3000, 3);
	split_and_check(&AS2, &a, 3000, 0, 3);
	split_and_check(&AS4, &a, 1500, 2500, 4);
	/* Attributes of ~4000 bytes leave room for a few prefixes each. */
	a.n_communities = 1000;
	for (unsigned i = 0; i < 1000; i++)
		a.communities[i] = i + 1;
	a.present |= 1u << BGP_ATTR_COMMUNITIES;
	split_and_check(&AS4, &a, 10, 100, 9);
}
END_TEST

START_TEST(test_split_too_big)
{
	static struct bgp_path_attrs a;
	struct bgp_prefix p = {IP(192, 0, 2, 0), 24, 0};
	size_t wd, ad;

	bgp_path_attrs_init_local(&a, 45104, IP(10, 0, 0, 1));
	a.n_communities = 1018;
	for (unsigned i = 0; i < a.n_communities; i++)
		a.communities[i] = i + 1;
	a.present |= 1u << BGP_ATTR_COMMUNITIES;
	ck_assert_int_eq(
		bgp_update_encode(msg, BGP_MAX_MSG_LEN, &AS4, NULL, 0, &wd, &a, &p, 1, &ad),
		-EMSGSIZE);
	p.len = 33;
	ck_assert_int_eq(
		bgp_update_encode(msg, BGP_MAX_MSG_LEN, &AS4, &p, 1, &wd, NULL, NULL, 0, &ad),
		-EINVAL);
}
END_TEST

/* ---------------------------------------------------------- path helpers */

START_TEST(test_path_helpers)
{
	static struct bgp_as_path p;
	uint32_t first;
	char buf[64];

	p.n_segs = 0;
	p.n_asns = 0;
	ck_assert_int_eq(bgp_as_path_first_as(&p, &first), -ENOENT);
	ck_assert_int_eq(bgp_as_path_prepend(&p, 65002), 0);
	ck_assert_int_eq(bgp_as_path_prepend(&p, 65001), 0);
	assert_path(&p, "65001 65002");
	ck_assert_uint_eq(p.n_segs, 1);
	/* Append by hand: {1 2} and a confederation sequence (3) */
	p.segs[1] = (struct bgp_as_seg){BGP_AS_SET, 2, 2};
	p.segs[2] = (struct bgp_as_seg){BGP_AS_CONFED_SEQUENCE, 1, 4};
	p.segs[3] = (struct bgp_as_seg){BGP_AS_CONFED_SET, 2, 5};
	p.asns[2] = 1;
	p.asns[3] = 2;
	p.asns[4] = 3;
	p.asns[5] = 4;
	p.asns[6] = 5;
	p.n_segs = 4;
	p.n_asns = 7;
	assert_path(&p, "65001 65002 {1 2} (3) [4 5]");
	ck_assert_uint_eq(bgp_as_path_len(&p), 3);
	ck_assert(bgp_as_path_contains(&p, 2));
	ck_assert(bgp_as_path_contains(&p, 65002));
	ck_assert(!bgp_as_path_contains(&p, 6));
	ck_assert_int_eq(bgp_as_path_first_as(&p, &first), 0);
	ck_assert_uint_eq(first, 65001);

	/* A full first segment makes a new one. */
	p.n_segs = 1;
	p.n_asns = 255;
	p.segs[0] = (struct bgp_as_seg){BGP_AS_SEQUENCE, 255, 0};
	ck_assert_int_eq(bgp_as_path_prepend(&p, 7), 0);
	ck_assert_uint_eq(p.n_segs, 2);
	ck_assert_uint_eq(p.segs[0].count, 1);
	ck_assert_uint_eq(p.segs[1].first, 1);
	ck_assert_uint_eq(bgp_as_path_len(&p), 256);

	/* A path starting with a set has no first AS. */
	p.segs[0].type = BGP_AS_SET;
	ck_assert_int_eq(bgp_as_path_first_as(&p, &first), -ENOENT);

	/* snprintf-like truncation. */
	p.n_segs = 1;
	p.n_asns = 3;
	p.segs[0] = (struct bgp_as_seg){BGP_AS_SEQUENCE, 3, 0};
	p.asns[0] = 111;
	p.asns[1] = 222;
	p.asns[2] = 333;
	ck_assert_int_eq(bgp_as_path_format(buf, 5, &p), 11);
	ck_assert_str_eq(buf, "111 ");

	struct bgp_prefix pf = {IP(198, 51, 100, 0), 22, 0};
	bgp_prefix_format(buf, sizeof(buf), &pf);
	ck_assert_str_eq(buf, "198.51.100.0/22");
}
END_TEST

START_TEST(test_names)
{
	char buf[128];

	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 3, 1),
		"UPDATE Message Error / Malformed Attribute List");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 6, 1),
		"Cease / Maximum Number of Prefixes Reached");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 6, 3), "Cease / Peer De-configured");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 4, 0), "Hold Timer Expired");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 8, 0), "Send Hold Timer Expired");
	ck_assert_str_eq(
		bgp_notify_name(buf, sizeof(buf), 2, 0), "OPEN Message Error / Unspecific");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 1, 2),
		"Message Header Error / Bad Message Length");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 6, 99), "Cease / subcode 99");
	ck_assert_str_eq(bgp_notify_name(buf, sizeof(buf), 99, 1), "code 99 / subcode 1");
	ck_assert_str_eq(bgp_msg_type_name(BGP_MSG_ROUTE_REFRESH), "ROUTE-REFRESH");
	ck_assert_str_eq(bgp_msg_type_name(9), "unknown");
	ck_assert_str_eq(bgp_attr_name(BGP_ATTR_AS4_PATH), "AS4_PATH");
	ck_assert_ptr_null(bgp_attr_name(99));
}
END_TEST

static Suite *
bgp_codec_suite(void)
{
	Suite *s = suite_create("bgp_codec");
	TCase *tc;

	tc = tcase_create("framing");
	tcase_add_test(tc, test_frame_partial_and_two_messages);
	tcase_add_test(tc, test_frame_bad_marker_early);
	tcase_add_test(tc, test_wrong_type_or_length);
	tcase_add_loop_test(tc, test_bad_msg, 0, sizeof(bad_msgs) / sizeof(bad_msgs[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("update_errors");
	tcase_add_loop_test(tc, test_bad_update, 0, sizeof(bad_updates) / sizeof(bad_updates[0]));
	tcase_add_test(tc, test_repeat_keeps_first);
	tcase_add_test(tc, test_unknown_transitive_kept);
	tcase_add_test(tc, test_mp_prefixes_merged);
	tcase_add_test(tc, test_host_bits_cleared);
	tcase_add_test(tc, test_end_of_rib);
	suite_add_tcase(s, tc);

	tc = tcase_create("as4");
	tcase_add_test(tc, test_as4_trans_replaced);
	tcase_add_test(tc, test_as4_path_longer_ignored);
	tcase_add_test(tc, test_as4_aggregator_not_trans);
	tcase_add_test(tc, test_as4_aggregator_trans);
	tcase_add_test(tc, test_as4_from_new_speaker_ignored);
	tcase_add_test(tc, test_as4_confed_and_set);
	tcase_add_test(tc, test_as4_alone_aggregator);
	tcase_add_test(tc, test_encode_for_2octet_peer);
	suite_add_tcase(s, tc);

	tc = tcase_create("round_trips");
	tcase_add_test(tc, test_open_round_trip);
	tcase_add_test(tc, test_open_extended_params);
	tcase_add_test(tc, test_open_bird_golden);
	tcase_add_test(tc, test_open_ours_golden);
	tcase_add_test(tc, test_open_no_caps);
	tcase_add_test(tc, test_open_peer_as_zero);
	tcase_add_test(tc, test_update_round_trip);
	tcase_add_test(tc, test_keepalive_round_trip);
	tcase_add_test(tc, test_notification_round_trip);
	tcase_add_test(tc, test_route_refresh_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_split_too_big);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_path_helpers);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bgp_codec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
