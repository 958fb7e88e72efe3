/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP message header and the small messages: framing a TCP byte stream into
 * messages (RFC 4271 §4.1, §6.1), KEEPALIVE, NOTIFICATION (with the RFC 9003
 * shutdown communication) and ROUTE-REFRESH (RFC 2918, 7313).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp_codec.h"
#include "bgp_msg.h"

void
bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data, size_t len)
{
	n->code = code;
	n->subcode = subcode;
	if (len > sizeof(n->data))
		len = sizeof(n->data);
	if (len)
		memcpy(n->data, data, len);
	n->data_len = (uint16_t)len;
}

int
bgp_fail(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data, size_t len)
{
	if (n)
		bgp_notify_set(n, code, subcode, data, len);
	return -EBADMSG;
}

/* The length a message of this type must have at least, and at most. */
static void
type_len_bounds(uint8_t type, uint16_t *min, uint16_t *max)
{
	*max = BGP_MAX_MSG_LEN;
	switch (type) {
	case BGP_MSG_OPEN:
		*min = BGP_OPEN_MIN_LEN;
		break;
	case BGP_MSG_UPDATE:
		*min = BGP_UPDATE_MIN_LEN;
		break;
	case BGP_MSG_NOTIFICATION:
		*min = BGP_NOTIFICATION_MIN_LEN;
		break;
	case BGP_MSG_KEEPALIVE:
		*min = *max = BGP_KEEPALIVE_LEN;
		break;
	case BGP_MSG_ROUTE_REFRESH:
	default:
		*min = *max = BGP_ROUTE_REFRESH_LEN;
		break;
	}
}

/* Check the 19 header bytes at h (RFC 4271 §6.1, in its order). */
static int
header_check(const uint8_t *h, uint16_t *len, uint8_t *type, struct bgp_notify *err)
{
	uint16_t min, max;
	unsigned i;

	for (i = 0; i < BGP_MARKER_LEN; i++)
		if (h[i] != 0xff)
			return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_NOT_SYNC, NULL, 0);
	*len = bgp_get_u16(h + BGP_MARKER_LEN);
	*type = h[BGP_MARKER_LEN + 2];
	/* The data of Bad Message Length is the erroneous length field. */
	if (*len < BGP_HDR_LEN || *len > BGP_MAX_MSG_LEN)
		return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, h + BGP_MARKER_LEN, 2);
	if (*type < BGP_MSG_OPEN || *type > BGP_MSG_ROUTE_REFRESH)
		return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_TYPE, type, 1);
	type_len_bounds(*type, &min, &max);
	if (*len < min || *len > max)
		return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, h + BGP_MARKER_LEN, 2);
	return 0;
}

int
bgp_frame_next(const uint8_t *buf, size_t avail, struct bgp_frame *f, struct bgp_notify *err)
{
	size_t i, n = avail < BGP_MARKER_LEN ? avail : BGP_MARKER_LEN;
	uint16_t len;
	uint8_t type;

	f->status = BGP_FRAME_NEED_MORE;
	f->len = 0;
	f->type = 0;
	/* A broken marker is known from its first wrong byte: say so before
	 * the rest of a header that may never come. */
	for (i = 0; i < n; i++)
		if (buf[i] != 0xff) {
			f->status = BGP_FRAME_ERROR;
			return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_NOT_SYNC, NULL, 0);
		}
	if (avail < BGP_HDR_LEN)
		return 0;
	if (header_check(buf, &len, &type, err) < 0) {
		f->status = BGP_FRAME_ERROR;
		return -EBADMSG;
	}
	if (len > avail)
		return 0;
	f->status = BGP_FRAME_MSG;
	f->len = len;
	f->type = type;
	return 0;
}

int
bgp_header_check(const uint8_t *msg, size_t len, struct bgp_notify *err)
{
	uint16_t hlen;
	uint8_t type;
	uint8_t field[2];

	if (len < BGP_HDR_LEN) {
		bgp_put_u16(field, (uint16_t)len);
		return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, field, 2);
	}
	if (header_check(msg, &hlen, &type, err) < 0)
		return -EBADMSG;
	if (hlen != len)
		return bgp_fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, msg + BGP_MARKER_LEN, 2);
	return 0;
}

/* Header check plus "is it the type this decoder reads". */
static int
body_of(const uint8_t *msg, size_t len, uint8_t type, struct bgp_rbuf *body, struct bgp_notify *err)
{
	int rc = bgp_header_check(msg, len, err);

	if (rc < 0)
		return rc;
	if (msg[BGP_MARKER_LEN + 2] != type)
		return -EINVAL;
	bgp_rbuf_init(body, msg + BGP_HDR_LEN, len - BGP_HDR_LEN);
	return 0;
}

void
bgp_msg_begin(struct bgp_wbuf *w, uint8_t type)
{
	uint8_t *p = bgp_wbuf_reserve(w, BGP_HDR_LEN);

	if (!p)
		return;
	memset(p, 0xff, BGP_MARKER_LEN);
	bgp_put_u16(p + BGP_MARKER_LEN, 0);
	p[BGP_MARKER_LEN + 2] = type;
}

int
bgp_msg_end(struct bgp_wbuf *w)
{
	if (!bgp_wbuf_ok(w) || w->len > BGP_MAX_MSG_LEN)
		return -EMSGSIZE;
	bgp_wbuf_patch_u16(w, BGP_MARKER_LEN, (uint16_t)w->len);
	return (int)w->len;
}

int
bgp_keepalive_encode(uint8_t *buf, size_t size)
{
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, size);
	bgp_msg_begin(&w, BGP_MSG_KEEPALIVE);
	return bgp_msg_end(&w);
}

int
bgp_keepalive_decode(const uint8_t *msg, size_t len, struct bgp_notify *err)
{
	struct bgp_rbuf body;

	return body_of(msg, len, BGP_MSG_KEEPALIVE, &body, err);
}

int
bgp_notification_decode(
	const uint8_t *msg, size_t len, struct bgp_notify *n, struct bgp_notify *err)
{
	struct bgp_rbuf body;
	int rc = body_of(msg, len, BGP_MSG_NOTIFICATION, &body, err);

	if (rc < 0)
		return rc;
	if (bgp_rbuf_u8(&body, &n->code) < 0 || bgp_rbuf_u8(&body, &n->subcode) < 0)
		return -EBADMSG; /* unreachable: the header check saw 21 bytes */
	bgp_notify_set(n, n->code, n->subcode, bgp_rbuf_data(&body), bgp_rbuf_left(&body));
	return 0;
}

int
bgp_notification_encode(uint8_t *buf, size_t size, const struct bgp_notify *n)
{
	struct bgp_wbuf w;

	if (n->data_len > sizeof(n->data))
		return -EINVAL;
	bgp_wbuf_init(&w, buf, size);
	bgp_msg_begin(&w, BGP_MSG_NOTIFICATION);
	bgp_wbuf_u8(&w, n->code);
	bgp_wbuf_u8(&w, n->subcode);
	bgp_wbuf_bytes(&w, n->data, n->data_len);
	return bgp_msg_end(&w);
}

static bool
is_shutdown(uint8_t code, uint8_t subcode)
{
	return code == BGP_ERR_CEASE &&
	       (subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN || subcode == BGP_ERR_CEASE_ADMIN_RESET);
}

void
bgp_notify_set_shutdown(struct bgp_notify *n, uint8_t subcode, const char *msg)
{
	size_t len = msg ? strlen(msg) : 0;

	n->code = BGP_ERR_CEASE;
	n->subcode = subcode;
	n->data_len = 0;
	if (!len)
		return;
	if (len > 255) {
		len = 255;
		/* Do not cut a UTF-8 sequence in two: back up to a lead byte. */
		while (len > 0 && ((uint8_t)msg[len] & 0xc0) == 0x80)
			len--;
	}
	n->data[0] = (uint8_t)len;
	memcpy(n->data + 1, msg, len);
	n->data_len = (uint16_t)(len + 1);
}

int
bgp_notify_shutdown_msg(const struct bgp_notify *n, char *buf, size_t size)
{
	size_t i, len;

	if (!is_shutdown(n->code, n->subcode) || n->data_len < 1 || size == 0)
		return -ENOENT;
	len = n->data[0];
	/* RFC 9003 §2: a length past the data makes it malformed; one of 0 is
	 * "no message". */
	if (len == 0 || len + 1 > n->data_len)
		return -ENOENT;
	if (len > size - 1)
		len = size - 1;
	for (i = 0; i < len; i++) {
		char c = (char)n->data[1 + i];

		buf[i] = (n->data[1 + i] < 0x20 || n->data[1 + i] == 0x7f) ? '?' : c;
	}
	buf[len] = '\0';
	return 0;
}

int
bgp_route_refresh_decode(
	const uint8_t *msg, size_t len, struct bgp_route_refresh *rr, struct bgp_notify *err)
{
	struct bgp_rbuf body;
	int rc = body_of(msg, len, BGP_MSG_ROUTE_REFRESH, &body, err);

	if (rc < 0)
		return rc;
	if (bgp_rbuf_u16(&body, &rr->afi) < 0 || bgp_rbuf_u8(&body, &rr->subtype) < 0 ||
		bgp_rbuf_u8(&body, &rr->safi) < 0)
		return -EBADMSG; /* unreachable: the header check saw 23 bytes */
	return 0;
}

int
bgp_route_refresh_encode(uint8_t *buf, size_t size, const struct bgp_route_refresh *rr)
{
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, size);
	bgp_msg_begin(&w, BGP_MSG_ROUTE_REFRESH);
	bgp_wbuf_u16(&w, rr->afi);
	bgp_wbuf_u8(&w, rr->subtype);
	bgp_wbuf_u8(&w, rr->safi);
	return bgp_msg_end(&w);
}
