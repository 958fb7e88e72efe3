/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path attributes, private to the codec: the UPDATE code hands the attribute
 * field to bgp_attrs_decode() and gets the normalised attributes, the MP
 * prefixes and the RFC 7606 verdict back.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bgp_codec_buf.h"
#include "bgp_msg.h"

/* Empty attributes (without clearing the big arrays: counts say what is valid). */
void bgp_path_attrs_reset(struct bgp_path_attrs *a);

/*
 * Decode the Path Attributes field into u->attrs, append the IPv4 unicast
 * prefixes of MP_REACH/MP_UNREACH_NLRI to u->announced / u->withdrawn and
 * record the verdict in u->action (never lowering one already there).
 * Returns 0, or -EBADMSG when the session is to be reset (u->err set).
 */
int bgp_attrs_decode(struct bgp_rbuf *b, const struct bgp_codec_ctx *ctx, struct bgp_update *u);

/* Encode the attributes for a peer (ctx->as4 picks the AS_PATH form). The
 * writer's overflow flag says whether it fit. -EINVAL for a bad AS path. */
int bgp_attrs_encode(
	struct bgp_wbuf *w, const struct bgp_codec_ctx *ctx, const struct bgp_path_attrs *a);

/* Worst verdict wins (RFC 7606 §3.h). */
void bgp_update_withdraw(struct bgp_update *u, const char *reason);
int bgp_update_reset(
	struct bgp_update *u, uint8_t subcode, const void *data, size_t len, const char *reason);

/* AS paths on the wire (bgp_attr_aspath.c). */

/* What a wire AS path holds: for capacity checks and the RFC 6793 count. */
struct bgp_as_path_count {
	unsigned hops; /* path length, RFC 4271 §9.1.2.2 */
	unsigned segs;
	unsigned asns;
};

/* Parse AS_PATH / AS4_PATH segments of asn_size (2 or 4) bytes per ASN and
 * append them to p (or only check them when p is NULL). -EBADMSG when
 * malformed (RFC 7606 §7.2: bad segment type, zero or overrunning segment
 * length; RFC 7607: ASN 0; with no_confed a confederation segment, as in
 * AS4_PATH); -ENOSPC when p is full. On error p is left as it was. */
int bgp_as_path_parse(struct bgp_rbuf b, unsigned asn_size, bool no_confed, struct bgp_as_path *p,
	struct bgp_as_path_count *cnt);

/* RFC 6793 §4.2.3: cut p to its leading part of `hops` path length, with
 * the confederation segments that lead or follow a kept segment, so that
 * AS4_PATH can be appended after it. */
void bgp_as_path_keep_leading(struct bgp_as_path *p, unsigned hops);

/* Write segments with 2-byte ASNs (AS_TRANS for those that do not fit) or
 * 4-byte ones; skip_confed for AS4_PATH. -EINVAL on an inconsistent path. */
int bgp_as_path_put(
	struct bgp_wbuf *w, const struct bgp_as_path *p, unsigned asn_size, bool skip_confed);

/* Bytes the segments take on the wire. */
size_t bgp_as_path_wire_size(const struct bgp_as_path *p, unsigned asn_size, bool skip_confed);

/* An ASN above 65535 somewhere (outside confederation segments)? */
bool bgp_as_path_needs_as4(const struct bgp_as_path *p);
