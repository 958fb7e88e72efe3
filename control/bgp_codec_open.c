/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OPEN message (RFC 4271 §4.2, §6.2) with its Capabilities optional
 * parameter (RFC 5492: multiprotocol RFC 4760, route refresh RFC 2918,
 * 4-octet AS RFC 6793) and the extended optional parameters length of
 * RFC 9072.
 */
#include <errno.h>
#include <string.h>

#include "bgp_codec.h"
#include "bgp_msg.h"

#define OPT_PARAM_CAPABILITIES 2
/* RFC 9072: a Non-Ext OP Type of 255 says the extended format follows. */
#define OPT_PARAM_EXTENDED 255

static int
malformed(struct bgp_notify *err)
{
	/* RFC 4271 §6.2: a recognised but malformed optional parameter is
	 * "Unspecific"; we treat every length inconsistency the same way. */
	return bgp_fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC, NULL, 0);
}

static void
add_mp(struct bgp_open *o, uint16_t afi, uint8_t safi)
{
	unsigned i;

	for (i = 0; i < o->n_mp; i++)
		if (o->mp[i].afi == afi && o->mp[i].safi == safi)
			return;
	if (o->n_mp < BGP_OPEN_MAX_MP) {
		o->mp[o->n_mp].afi = afi;
		o->mp[o->n_mp].safi = safi;
		o->n_mp++;
	}
}

/* One Capabilities parameter: a list of (code, length, value). */
static int
parse_capabilities(struct bgp_rbuf *b, struct bgp_open *o, struct bgp_notify *err)
{
	while (bgp_rbuf_left(b)) {
		struct bgp_rbuf v;
		uint8_t code, len, res, safi;
		uint16_t afi;

		if (bgp_rbuf_u8(b, &code) < 0 || bgp_rbuf_u8(b, &len) < 0 ||
			bgp_rbuf_sub(b, len, &v) < 0)
			return malformed(err);
		switch (code) {
		case BGP_CAP_MP:
			if (len != 4)
				return malformed(err);
			bgp_rbuf_u16(&v, &afi);
			bgp_rbuf_u8(&v, &res);
			bgp_rbuf_u8(&v, &safi);
			add_mp(o, afi, safi);
			break;
		case BGP_CAP_ROUTE_REFRESH:
			if (len != 0)
				return malformed(err);
			o->cap_route_refresh = true;
			break;
		case BGP_CAP_AS4:
			if (len != 4)
				return malformed(err);
			bgp_rbuf_u32(&v, &o->asn);
			o->cap_as4 = true;
			break;
		default:
			/* RFC 5492 §3: ignore what we do not understand. */
			if (o->n_unknown_caps < BGP_OPEN_MAX_UNKNOWN_CAPS)
				o->unknown_caps[o->n_unknown_caps++] = code;
			break;
		}
	}
	return 0;
}

static int
parse_opt_params(struct bgp_rbuf *b, bool ext, struct bgp_open *o, struct bgp_notify *err)
{
	while (bgp_rbuf_left(b)) {
		struct bgp_rbuf v;
		uint8_t type, len8;
		uint16_t len;
		int rc;

		if (bgp_rbuf_u8(b, &type) < 0)
			return malformed(err);
		if (ext) {
			rc = bgp_rbuf_u16(b, &len);
		} else {
			rc = bgp_rbuf_u8(b, &len8);
			len = len8;
		}
		if (rc < 0 || bgp_rbuf_sub(b, len, &v) < 0)
			return malformed(err);
		if (type != OPT_PARAM_CAPABILITIES)
			return bgp_fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUP_PARAM, NULL, 0);
		rc = parse_capabilities(&v, o, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *o, struct bgp_notify *err)
{
	static const uint8_t version_data[2] = {0, BGP_VERSION};
	struct bgp_rbuf body, params;
	uint8_t opt_len;
	bool ext = false;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = bgp_header_check(msg, len, err);
	if (rc < 0)
		return rc;
	if (msg[BGP_MARKER_LEN + 2] != BGP_MSG_OPEN)
		return -EINVAL;
	bgp_rbuf_init(&body, msg + BGP_HDR_LEN, len - BGP_HDR_LEN);
	/* The header check guaranteed the 10 fixed bytes. */
	bgp_rbuf_u8(&body, &o->version);
	bgp_rbuf_u16(&body, &o->my_as);
	bgp_rbuf_u16(&body, &o->hold_time);
	bgp_rbuf_u32(&body, &o->bgp_id);
	bgp_rbuf_u8(&body, &opt_len);

	if (o->version != BGP_VERSION)
		return bgp_fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, version_data, 2);
	if (o->hold_time != 0 && o->hold_time < BGP_HOLD_TIME_MIN)
		return bgp_fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME, NULL, 0);
	if (o->bgp_id == 0)
		return bgp_fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_ID, NULL, 0);

	if (opt_len == 255 && bgp_rbuf_left(&body) >= 1 &&
		bgp_rbuf_data(&body)[0] == OPT_PARAM_EXTENDED) {
		uint16_t ext_len;
		uint8_t t;

		bgp_rbuf_u8(&body, &t);
		if (bgp_rbuf_u16(&body, &ext_len) < 0)
			return malformed(err);
		ext = true;
		o->ext_opt_params = true;
		if (ext_len != bgp_rbuf_left(&body))
			return malformed(err);
		bgp_rbuf_sub(&body, ext_len, &params);
	} else {
		if (opt_len != bgp_rbuf_left(&body))
			return malformed(err);
		bgp_rbuf_sub(&body, opt_len, &params);
	}
	rc = parse_opt_params(&params, ext, o, err);
	if (rc < 0)
		return rc;
	if (!o->cap_as4)
		o->asn = o->my_as;
	return 0;
}

int
bgp_open_check_peer_as(const struct bgp_open *o, uint32_t expected_asn, struct bgp_notify *err)
{
	/* RFC 7607 §3: AS 0 in My AS or the 4-octet AS capability. */
	if (o->asn == 0 || o->my_as == 0 || o->asn != expected_asn)
		return bgp_fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS, NULL, 0);
	return 0;
}

bool
bgp_open_has_ipv4_unicast(const struct bgp_open *o)
{
	unsigned i;

	if (o->n_mp == 0)
		return true;
	for (i = 0; i < o->n_mp; i++)
		if (o->mp[i].afi == BGP_AFI_IPV4 && o->mp[i].safi == BGP_SAFI_UNICAST)
			return true;
	return false;
}

void
bgp_open_init_local(struct bgp_open *o, uint32_t asn, uint16_t hold_time, uint32_t bgp_id)
{
	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	o->asn = asn;
	o->my_as = asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn;
	o->hold_time = hold_time;
	o->bgp_id = bgp_id;
	o->cap_as4 = true;
	o->cap_route_refresh = true;
	o->n_mp = 1;
	o->mp[0].afi = BGP_AFI_IPV4;
	o->mp[0].safi = BGP_SAFI_UNICAST;
}

int
bgp_open_encode(uint8_t *buf, size_t size, const struct bgp_open *o)
{
	uint8_t caps[BGP_OPEN_MAX_MP * 6 + 2 + 6];
	struct bgp_wbuf c, w;
	unsigned i;

	if (o->n_mp > BGP_OPEN_MAX_MP)
		return -EINVAL;
	bgp_wbuf_init(&c, caps, sizeof(caps));
	for (i = 0; i < o->n_mp; i++) {
		bgp_wbuf_u8(&c, BGP_CAP_MP);
		bgp_wbuf_u8(&c, 4);
		bgp_wbuf_u16(&c, o->mp[i].afi);
		bgp_wbuf_u8(&c, 0);
		bgp_wbuf_u8(&c, o->mp[i].safi);
	}
	if (o->cap_route_refresh) {
		bgp_wbuf_u8(&c, BGP_CAP_ROUTE_REFRESH);
		bgp_wbuf_u8(&c, 0);
	}
	if (o->cap_as4) {
		bgp_wbuf_u8(&c, BGP_CAP_AS4);
		bgp_wbuf_u8(&c, 4);
		bgp_wbuf_u32(&c, o->asn);
	}

	bgp_wbuf_init(&w, buf, size);
	bgp_msg_begin(&w, BGP_MSG_OPEN);
	bgp_wbuf_u8(&w, BGP_VERSION);
	bgp_wbuf_u16(&w, o->asn > 0xffff ? BGP_AS_TRANS : (uint16_t)o->asn);
	bgp_wbuf_u16(&w, o->hold_time);
	bgp_wbuf_u32(&w, o->bgp_id);
	if (c.len == 0) {
		bgp_wbuf_u8(&w, 0);
	} else if (c.len + 2 <= 255) {
		bgp_wbuf_u8(&w, (uint8_t)(c.len + 2));
		bgp_wbuf_u8(&w, OPT_PARAM_CAPABILITIES);
		bgp_wbuf_u8(&w, (uint8_t)c.len);
		bgp_wbuf_bytes(&w, caps, c.len);
	} else {
		/* RFC 9072 §2: only when the parameters do not fit 255 bytes. */
		bgp_wbuf_u8(&w, 255);
		bgp_wbuf_u8(&w, OPT_PARAM_EXTENDED);
		bgp_wbuf_u16(&w, (uint16_t)(c.len + 3));
		bgp_wbuf_u8(&w, OPT_PARAM_CAPABILITIES);
		bgp_wbuf_u16(&w, (uint16_t)c.len);
		bgp_wbuf_bytes(&w, caps, c.len);
	}
	return bgp_msg_end(&w);
}
