/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UPDATE message (RFC 4271 §4.3): its three fields, Withdrawn Routes, Path
 * Attributes and NLRI, with the RFC 7606 verdict on errors; and the encoder
 * that cuts a long list of prefixes into messages of at most 4096 bytes.
 * The attributes themselves are bgp_attr.c's.
 */
#include <errno.h>
#include <string.h>

#include "bgp_attr.h"
#include "bgp_codec.h"
#include "bgp_msg.h"

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

int
bgp_nlri_decode(struct bgp_rbuf *b, struct bgp_prefix *out, uint16_t *n, uint8_t mp)
{
	while (bgp_rbuf_left(b)) {
		uint8_t len, bytes[4] = {0};
		size_t nbytes;

		bgp_rbuf_u8(b, &len);
		if (len > 32)
			return -EBADMSG;
		nbytes = ((size_t)len + 7) / 8;
		if (bgp_rbuf_bytes(b, bytes, nbytes) < 0)
			return -EBADMSG;
		if (*n >= BGP_UPDATE_MAX_PREFIXES)
			return -ENOSPC;
		out[*n].addr = ((uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
				       (uint32_t)bytes[2] << 8 | bytes[3]) &
			       prefix_mask(len);
		out[*n].len = len;
		out[*n].mp = mp;
		(*n)++;
	}
	return 0;
}

void
bgp_nlri_put(struct bgp_wbuf *w, const struct bgp_prefix *p)
{
	uint8_t b[5];
	size_t n = bgp_nlri_size(p);

	b[0] = p->len;
	bgp_put_u32(b + 1, p->addr);
	bgp_wbuf_bytes(w, b, n);
}

void
bgp_update_withdraw(struct bgp_update *u, const char *reason)
{
	if (u->action == BGP_UPDATE_OK) {
		u->action = BGP_UPDATE_TREAT_AS_WITHDRAW;
		u->reason = reason;
	}
}

int
bgp_update_reset(
	struct bgp_update *u, uint8_t subcode, const void *data, size_t len, const char *reason)
{
	if (u->action != BGP_UPDATE_SESSION_RESET) {
		u->action = BGP_UPDATE_SESSION_RESET;
		u->reason = reason;
		bgp_notify_set(&u->err, BGP_ERR_UPDATE, subcode, data, len);
	}
	return -EBADMSG;
}

static void
update_reset_fields(struct bgp_update *u)
{
	u->action = BGP_UPDATE_OK;
	u->err.code = 0;
	u->err.subcode = 0;
	u->err.data_len = 0;
	u->reason = NULL;
	u->end_of_rib = false;
	u->n_withdrawn = 0;
	u->n_announced = 0;
	bgp_path_attrs_reset(&u->attrs);
}

/* RFC 7606 §3.d: well-known mandatory attributes are needed when there is
 * something to announce; NEXT_HOP only for the NLRI field (RFC 4760 §3). */
static void
check_mandatory(struct bgp_update *u)
{
	const struct bgp_path_attrs *a = &u->attrs;
	bool plain_nlri = false;
	unsigned i;

	if (u->n_announced == 0)
		return;
	for (i = 0; i < u->n_announced; i++)
		plain_nlri |= !u->announced[i].mp;
	if (!bgp_attrs_has(a, BGP_ATTR_ORIGIN))
		bgp_update_withdraw(u, "missing well-known attribute ORIGIN");
	else if (!bgp_attrs_has(a, BGP_ATTR_AS_PATH))
		bgp_update_withdraw(u, "missing well-known attribute AS_PATH");
	else if (plain_nlri && !bgp_attrs_has(a, BGP_ATTR_NEXT_HOP))
		bgp_update_withdraw(u, "missing well-known attribute NEXT_HOP");
}

int
bgp_update_decode(
	const uint8_t *msg, size_t len, const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	struct bgp_rbuf body, withdrawn, attrs;
	uint16_t wlen, alen;
	int rc;

	update_reset_fields(u);
	rc = bgp_header_check(msg, len, &u->err);
	if (rc < 0) {
		u->action = BGP_UPDATE_SESSION_RESET;
		u->reason = "bad message header";
		return rc;
	}
	if (msg[BGP_MARKER_LEN + 2] != BGP_MSG_UPDATE)
		return -EINVAL;
	bgp_rbuf_init(&body, msg + BGP_HDR_LEN, len - BGP_HDR_LEN);

	/* Field lengths past the message: nothing can be located, RFC 4271
	 * §6.3 Malformed Attribute List. */
	bgp_rbuf_u16(&body, &wlen);
	if (bgp_rbuf_sub(&body, wlen, &withdrawn) < 0 || bgp_rbuf_u16(&body, &alen) < 0)
		return bgp_update_reset(u, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, 0,
			"withdrawn routes length overruns the message");
	if (bgp_rbuf_sub(&body, alen, &attrs) < 0)
		return bgp_update_reset(u, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, 0,
			"total path attribute length overruns the message");

	/* RFC 7606 §5.3: a prefix that cannot be parsed leaves no way to
	 * know what to withdraw. */
	if (bgp_nlri_decode(&withdrawn, u->withdrawn, &u->n_withdrawn, 0) < 0)
		return bgp_update_reset(
			u, BGP_ERR_UPD_INVALID_NETWORK, NULL, 0, "bad prefix in withdrawn routes");
	if (bgp_nlri_decode(&body, u->announced, &u->n_announced, 0) < 0)
		return bgp_update_reset(
			u, BGP_ERR_UPD_INVALID_NETWORK, NULL, 0, "bad prefix in NLRI");

	if (wlen == 0 && alen == 0 && u->n_announced == 0) {
		u->end_of_rib = true;
		return 0;
	}
	rc = bgp_attrs_decode(&attrs, ctx, u);
	if (rc < 0)
		return rc;
	check_mandatory(u);

	/* RFC 4724 §2: for other than IPv4 unicast, End-of-RIB is an UPDATE
	 * with only an empty MP_UNREACH_NLRI; we report ours. */
	if (u->action == BGP_UPDATE_OK && u->n_withdrawn == 0 && u->n_announced == 0 &&
		u->attrs.present == (1u << BGP_ATTR_MP_UNREACH_NLRI) &&
		u->attrs.mp_unreach_afi == BGP_AFI_IPV4 &&
		u->attrs.mp_unreach_safi == BGP_SAFI_UNICAST)
		u->end_of_rib = true;
	return 0;
}

int
bgp_end_of_rib_encode(uint8_t *buf, size_t size)
{
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, size);
	bgp_msg_begin(&w, BGP_MSG_UPDATE);
	bgp_wbuf_u16(&w, 0);
	bgp_wbuf_u16(&w, 0);
	return bgp_msg_end(&w);
}

int
bgp_update_encode(uint8_t *buf, size_t size, const struct bgp_codec_ctx *ctx,
	const struct bgp_prefix *withdrawn, size_t n_withdrawn, size_t *n_withdrawn_done,
	const struct bgp_path_attrs *attrs, const struct bgp_prefix *announced, size_t n_announced,
	size_t *n_announced_done)
{
	size_t cap = size < BGP_MAX_MSG_LEN ? size : BGP_MAX_MSG_LEN;
	size_t wlen_off, alen_off, attrs_start, i, j = 0;
	struct bgp_wbuf w;
	int rc;

	*n_withdrawn_done = 0;
	*n_announced_done = 0;
	for (i = 0; i < n_withdrawn; i++)
		if (withdrawn[i].len > 32)
			return -EINVAL;
	for (i = 0; i < n_announced; i++)
		if (announced[i].len > 32)
			return -EINVAL;
	if (n_announced && !attrs)
		return -EINVAL;

	bgp_wbuf_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wlen_off = w.len;
	bgp_wbuf_u16(&w, 0);
	if (!bgp_wbuf_ok(&w))
		return -EMSGSIZE;
	/* Keep 2 bytes for the Total Path Attribute Length after them. */
	for (i = 0; i < n_withdrawn; i++) {
		if (bgp_wbuf_room(&w) < bgp_nlri_size(&withdrawn[i]) + 2)
			break;
		bgp_nlri_put(&w, &withdrawn[i]);
	}
	bgp_wbuf_patch_u16(&w, wlen_off, (uint16_t)(w.len - wlen_off - 2));
	alen_off = w.len;
	bgp_wbuf_u16(&w, 0);
	if (!bgp_wbuf_ok(&w))
		return -EMSGSIZE;

	if (i == n_withdrawn && n_announced) {
		struct bgp_wbuf save = w;

		attrs_start = w.len;
		rc = bgp_attrs_encode(&w, ctx, attrs);
		if (rc < 0)
			return rc;
		if (bgp_wbuf_ok(&w)) {
			bgp_wbuf_patch_u16(&w, alen_off, (uint16_t)(w.len - attrs_start));
			for (j = 0; j < n_announced; j++) {
				if (bgp_wbuf_room(&w) < bgp_nlri_size(&announced[j]))
					break;
				bgp_nlri_put(&w, &announced[j]);
			}
		}
		if (j == 0) {
			/* No prefix fits beside the attributes: leave them for
			 * a message of their own. */
			w = save;
			bgp_wbuf_patch_u16(&w, alen_off, 0);
			if (i == 0)
				return -EMSGSIZE;
		}
	}
	*n_withdrawn_done = i;
	*n_announced_done = j;
	return bgp_msg_end(&w);
}
