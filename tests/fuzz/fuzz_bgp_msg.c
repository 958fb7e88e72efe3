/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the BGP codec: arbitrary bytes go through the framing
 * and every decoder, with and without 4-octet AS; what decodes cleanly is
 * encoded again and decoded again, and must come back the same.
 *
 * Input: one byte of mode, then
 *   mode bit 2 clear: a TCP byte stream, framed message by message;
 *   mode bit 2 set:   a type byte and a message body, given a good header, so
 *                     that mutations are spent on bodies rather than markers.
 * Mode bit 0: 4-octet AS negotiated; bit 1: iBGP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"

#define MODE_AS4 0x01
#define MODE_IBGP 0x02
#define MODE_BODY 0x04

static struct bgp_update upd, again;
static struct bgp_path_attrs want;
static struct bgp_prefix got_wd[BGP_UPDATE_MAX_PREFIXES], got_ann[BGP_UPDATE_MAX_PREFIXES];
static uint8_t out[BGP_MAX_MSG_LEN];

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: round trip broke: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void
check_open(const uint8_t *msg, size_t len)
{
	struct bgp_open o, d;
	struct bgp_notify err;
	int n;

	if (bgp_open_decode(msg, len, &o, &err) < 0) {
		CHECK(err.code == BGP_ERR_HEADER || err.code == BGP_ERR_OPEN);
		return;
	}
	bgp_open_check_peer_as(&o, 45104, &err);
	bgp_open_has_ipv4_unicast(&o);
	n = bgp_open_encode(out, sizeof(out), &o);
	CHECK(n > 0);
	CHECK(bgp_open_decode(out, (size_t)n, &d, &err) == 0);
	CHECK(d.asn == o.asn && d.hold_time == o.hold_time && d.bgp_id == o.bgp_id);
	CHECK(d.cap_as4 == o.cap_as4 && d.cap_route_refresh == o.cap_route_refresh);
	CHECK(d.n_mp == o.n_mp);
	for (unsigned i = 0; i < o.n_mp; i++)
		CHECK(d.mp[i].afi == o.mp[i].afi && d.mp[i].safi == o.mp[i].safi);
}

static void
check_small(const uint8_t *msg, size_t len, uint8_t type)
{
	struct bgp_notify n, err;
	struct bgp_route_refresh rr;
	char text[300];
	int rc = -1;

	switch (type) {
	case BGP_MSG_NOTIFICATION:
		if (bgp_notification_decode(msg, len, &n, &err) < 0)
			return;
		bgp_notify_shutdown_msg(&n, text, sizeof(text));
		bgp_notify_name(text, sizeof(text), n.code, n.subcode);
		rc = bgp_notification_encode(out, sizeof(out), &n);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		if (bgp_route_refresh_decode(msg, len, &rr, &err) < 0)
			return;
		rc = bgp_route_refresh_encode(out, sizeof(out), &rr);
		break;
	case BGP_MSG_KEEPALIVE:
		if (bgp_keepalive_decode(msg, len, &err) < 0)
			return;
		rc = bgp_keepalive_encode(out, sizeof(out));
		break;
	default:
		return;
	}
	/* These carry nothing we normalise: the bytes come back. */
	CHECK(rc == (int)len && memcmp(out, msg, len) == 0);
}

static bool
is_confed(uint8_t t)
{
	return t == BGP_AS_CONFED_SEQUENCE || t == BGP_AS_CONFED_SET;
}

/* RFC 6793 keeps confederation segments out of AS4_PATH: a path survives a
 * 2-octet peer only if they lead and hold 2-octet ASNs. */
static bool
survives_as2(const struct bgp_as_path *p)
{
	bool leading = true;

	for (unsigned i = 0; i < p->n_segs; i++) {
		if (!is_confed(p->segs[i].type)) {
			leading = false;
			continue;
		}
		if (!leading)
			return false;
		for (unsigned j = 0; j < p->segs[i].count; j++)
			if (p->asns[p->segs[i].first + j] > 0xffff)
				return false;
	}
	return true;
}

static void
prefixes_equal(const struct bgp_prefix *a, const struct bgp_prefix *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CHECK(a[i].addr == b[i].addr && a[i].len == b[i].len);
}

/* Encode u for a peer of ctx, in as many messages as it takes, decode
 * them, and compare with what went in. */
static void
reencode(const struct bgp_update *u, const struct bgp_codec_ctx *ctx)
{
	size_t wi = 0, ai = 0;
	bool plain = false, mp = false;

	want = u->attrs;
	for (unsigned i = 0; i < u->n_announced; i++) {
		plain |= !u->announced[i].mp;
		mp |= u->announced[i].mp;
	}
	/* The encoder writes every prefix in the NLRI field behind NEXT_HOP:
	 * only one next hop can be carried. */
	if (mp) {
		if (plain && u->attrs.next_hop != u->attrs.mp_next_hop)
			return;
		want.next_hop = u->attrs.mp_next_hop;
		want.present |= 1u << BGP_ATTR_NEXT_HOP;
	}
	want.present &= ~(1u << BGP_ATTR_MP_REACH_NLRI | 1u << BGP_ATTR_MP_UNREACH_NLRI);
	want.mp_next_hop = 0;
	if (!ctx->as4 && bgp_attrs_has(&want, BGP_ATTR_AS_PATH) && !survives_as2(&want.as_path))
		return;

	while (wi < u->n_withdrawn || ai < u->n_announced) {
		size_t wd, ad;
		int n = bgp_update_encode(out, sizeof(out), ctx, u->withdrawn + wi,
			u->n_withdrawn - wi, &wd, &want, u->announced + ai, u->n_announced - ai,
			&ad);

		if (n == -EMSGSIZE)
			return; /* AS4_PATH beside AS_PATH may not fit */
		CHECK(n > 0 && n <= BGP_MAX_MSG_LEN && wd + ad > 0);
		CHECK(bgp_update_decode(out, (size_t)n, ctx, &again) == 0);
		CHECK(again.action == BGP_UPDATE_OK);
		CHECK(again.n_withdrawn == wd && again.n_announced == ad);
		if (ad)
			CHECK(bgp_path_attrs_equal(&want, &again.attrs));
		memcpy(got_wd + wi, again.withdrawn, wd * sizeof(got_wd[0]));
		memcpy(got_ann + ai, again.announced, ad * sizeof(got_ann[0]));
		wi += wd;
		ai += ad;
	}
	prefixes_equal(got_wd, u->withdrawn, u->n_withdrawn);
	prefixes_equal(got_ann, u->announced, u->n_announced);
}

static void
check_update(const uint8_t *msg, size_t len, const struct bgp_codec_ctx *ctx)
{
	struct bgp_codec_ctx other = *ctx;
	char text[8192];
	int rc;

	rc = bgp_update_decode(msg, len, ctx, &upd);
	if (rc < 0) {
		CHECK(upd.action == BGP_UPDATE_SESSION_RESET);
		CHECK(upd.err.code == BGP_ERR_HEADER || upd.err.code == BGP_ERR_UPDATE);
		return;
	}
	CHECK(upd.action != BGP_UPDATE_SESSION_RESET);
	CHECK(upd.n_withdrawn <= BGP_UPDATE_MAX_PREFIXES);
	CHECK(upd.n_announced <= BGP_UPDATE_MAX_PREFIXES);
	for (unsigned i = 0; i < upd.n_announced; i++)
		bgp_prefix_format(text, sizeof(text), &upd.announced[i]);
	if (upd.action != BGP_UPDATE_OK || upd.end_of_rib)
		return;
	if (bgp_attrs_has(&upd.attrs, BGP_ATTR_AS_PATH)) {
		uint32_t first;

		bgp_as_path_format(text, sizeof(text), &upd.attrs.as_path);
		bgp_as_path_len(&upd.attrs.as_path);
		bgp_as_path_contains(&upd.attrs.as_path, 45104);
		bgp_as_path_first_as(&upd.attrs.as_path, &first);
	}
	reencode(&upd, ctx);
	/* To a peer of the other kind and back. */
	other.as4 = !ctx->as4;
	reencode(&upd, &other);
}

static void
one_message(const uint8_t *msg, size_t len, uint8_t type, const struct bgp_codec_ctx *ctx)
{
	switch (type) {
	case BGP_MSG_OPEN:
		check_open(msg, len);
		break;
	case BGP_MSG_UPDATE:
		check_update(msg, len, ctx);
		break;
	default:
		check_small(msg, len, type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[BGP_MAX_MSG_LEN];
	struct bgp_codec_ctx ctx;
	struct bgp_notify err;
	struct bgp_frame f;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	ctx.as4 = mode & MODE_AS4;
	ctx.ibgp = mode & MODE_IBGP;

	if (mode & MODE_BODY) {
		size_t body;
		uint8_t type;

		if (size < 1)
			return 0;
		type = (uint8_t)(data[0] % 5 + 1);
		body = size - 1;
		if (body > BGP_MAX_MSG_LEN - BGP_HDR_LEN)
			body = BGP_MAX_MSG_LEN - BGP_HDR_LEN;
		memset(msg, 0xff, BGP_MARKER_LEN);
		msg[16] = (uint8_t)((body + BGP_HDR_LEN) >> 8);
		msg[17] = (uint8_t)(body + BGP_HDR_LEN);
		msg[18] = type;
		memcpy(msg + BGP_HDR_LEN, data + 1, body);
		if (bgp_frame_next(msg, body + BGP_HDR_LEN, &f, &err) == 0) {
			CHECK(f.status == BGP_FRAME_MSG && f.len == body + BGP_HDR_LEN);
			one_message(msg, f.len, type, &ctx);
		}
		return 0;
	}

	/* Decoders on the whole input, whatever its length says. */
	bgp_update_decode(data, size, &ctx, &upd);
	while (size) {
		if (bgp_frame_next(data, size, &f, &err) < 0) {
			CHECK(f.status == BGP_FRAME_ERROR && err.code == BGP_ERR_HEADER);
			break;
		}
		if (f.status == BGP_FRAME_NEED_MORE)
			break;
		CHECK(f.len >= BGP_HDR_LEN && f.len <= size);
		one_message(data, f.len, f.type, &ctx);
		data += f.len;
		size -= f.len;
	}
	return 0;
}
