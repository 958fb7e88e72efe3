/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD Control packets in and out (bfd_packet.h): the wire layout of RFC
 * 5880 §4.1 and the reception checks of §6.8.6 that come before a session
 * is chosen. Reads are bounded by the payload's length, never by a length
 * the packet claims.
 */
#include <errno.h>
#include <string.h>

#include "bfd_packet.h"

static const char *const drop_names[BFD_DROP_COUNT] = {[BFD_OK] = "ok",
#define BFD_DROP_NAME(n, s, d) [BFD_DROP_##n] = s,
	BFD_DROP_REASONS(BFD_DROP_NAME)
#undef BFD_DROP_NAME
};

const char *
bfd_drop_name(enum bfd_drop d)
{
	return (unsigned)d < BFD_DROP_COUNT ? drop_names[d] : "?";
}

const char *
bfd_state_name(enum bfd_state s)
{
	static const char *const names[] = {
		[BFD_ADMIN_DOWN] = "AdminDown",
		[BFD_DOWN] = "Down",
		[BFD_INIT] = "Init",
		[BFD_UP] = "Up",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *
bfd_diag_name(enum bfd_diag d)
{
	static const char *const names[] = {
		[BFD_DIAG_NONE] = "No Diagnostic",
		[BFD_DIAG_DETECT_EXPIRED] = "Control Detection Time Expired",
		[BFD_DIAG_ECHO_FAILED] = "Echo Function Failed",
		[BFD_DIAG_NEIGHBOR_DOWN] = "Neighbor Signaled Session Down",
		[BFD_DIAG_FWD_RESET] = "Forwarding Plane Reset",
		[BFD_DIAG_PATH_DOWN] = "Path Down",
		[BFD_DIAG_CONCAT_DOWN] = "Concatenated Path Down",
		[BFD_DIAG_ADMIN_DOWN] = "Administratively Down",
		[BFD_DIAG_REV_CONCAT_DOWN] = "Reverse Concatenated Path Down",
	};

	return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] : "Reserved";
}

uint8_t
bfd_auth_section_len(enum bfd_auth_type type)
{
	switch (type) {
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_METICULOUS_MD5:
		return BFD_AUTH_MD5_LEN;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_METICULOUS_SHA1:
		return BFD_AUTH_SHA1_LEN;
	default:
		return 0;
	}
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The authentication section's header (RFC 5880 §4.2-4.4): its length fits
 * the packet's Length, and is the one its type has when we know the type. */
static enum bfd_drop
decode_auth(const uint8_t *buf, struct bfd_ctrl *p)
{
	const uint8_t *a = buf + BFD_CTRL_LEN;
	uint8_t want;

	p->auth_type = a[0];
	p->auth_len = a[1];
	if (p->auth_len < 2 || BFD_CTRL_LEN + p->auth_len != p->length)
		return BFD_DROP_AUTH_LENGTH;
	want = bfd_auth_section_len(p->auth_type);
	if (want != 0) {
		if (p->auth_len != want)
			return BFD_DROP_AUTH_LENGTH;
		p->auth_key_id = a[2];
		p->auth_seq = get32(a + 4);
	} else if (p->auth_len >= 3) {
		p->auth_key_id = a[2];
	}
	return BFD_OK;
}

enum bfd_drop
bfd_ctrl_decode(const uint8_t *buf, size_t len, struct bfd_ctrl *p)
{
	memset(p, 0, sizeof(*p));
	if (buf == NULL || len < BFD_CTRL_LEN)
		return BFD_DROP_SHORT;
	p->version = buf[0] >> 5;
	p->diag = buf[0] & 0x1f;
	p->state = buf[1] >> 6;
	p->poll = buf[1] & 0x20;
	p->final = buf[1] & 0x10;
	p->cpi = buf[1] & 0x08;
	p->auth = buf[1] & 0x04;
	p->demand = buf[1] & 0x02;
	p->multipoint = buf[1] & 0x01;
	p->detect_mult = buf[2];
	p->length = buf[3];
	p->my_disc = get32(buf + 4);
	p->your_disc = get32(buf + 8);
	p->desired_min_tx = get32(buf + 12);
	p->required_min_rx = get32(buf + 16);
	p->required_min_echo_rx = get32(buf + 20);

	/* RFC 5880 §6.8.6, in its order. */
	if (p->version != BFD_VERSION)
		return BFD_DROP_VERSION;
	if (p->length < (p->auth ? BFD_CTRL_LEN + 2 : BFD_CTRL_LEN))
		return BFD_DROP_LENGTH;
	if (p->length > len)
		return BFD_DROP_OVER_PAYLOAD;
	if (p->detect_mult == 0)
		return BFD_DROP_DETECT_MULT;
	if (p->multipoint)
		return BFD_DROP_MULTIPOINT;
	if (p->my_disc == 0)
		return BFD_DROP_MY_DISC;
	if (p->your_disc == 0 && p->state != BFD_DOWN && p->state != BFD_ADMIN_DOWN)
		return BFD_DROP_YOUR_DISC;
	return p->auth ? decode_auth(buf, p) : BFD_OK;
}

int
bfd_ctrl_encode(const struct bfd_ctrl *p, uint8_t *buf, size_t len)
{
	uint8_t auth_len = p->auth ? bfd_auth_section_len(p->auth_type) : 0;
	size_t total = BFD_CTRL_LEN + auth_len;

	if ((p->auth && auth_len == 0) || len < total)
		return -EINVAL;
	memset(buf, 0, total);
	buf[0] = (uint8_t)(BFD_VERSION << 5 | (p->diag & 0x1f));
	buf[1] = (uint8_t)((p->state & 3) << 6 | (p->poll ? 0x20 : 0) | (p->final ? 0x10 : 0) |
			   (p->cpi ? 0x08 : 0) | (p->auth ? 0x04 : 0) | (p->demand ? 0x02 : 0));
	buf[2] = p->detect_mult;
	buf[3] = (uint8_t)total;
	put32(buf + 4, p->my_disc);
	put32(buf + 8, p->your_disc);
	put32(buf + 12, p->desired_min_tx);
	put32(buf + 16, p->required_min_rx);
	put32(buf + 20, p->required_min_echo_rx);
	if (p->auth) {
		uint8_t *a = buf + BFD_CTRL_LEN;

		a[0] = p->auth_type;
		a[1] = auth_len;
		a[2] = p->auth_key_id;
		put32(a + 4, p->auth_seq);
	}
	return (int)total;
}

enum bfd_drop
bfd_ctrl_auth_match(const struct bfd_ctrl *p, enum bfd_auth_type type)
{
	if (p->auth != (type != BFD_AUTH_NONE))
		return BFD_DROP_AUTH_MISMATCH;
	if (p->auth && p->auth_type != type)
		return BFD_DROP_AUTH_TYPE;
	return BFD_OK;
}
