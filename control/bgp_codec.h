/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the codec's files share and nobody else needs: NOTIFICATION filling,
 * message header writing, and the IPv4 NLRI encoding used by both the UPDATE
 * fields and MP_REACH/MP_UNREACH_NLRI.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bgp_codec_buf.h"
#include "bgp_msg.h"

/* Set n and return -EBADMSG, for decoders' "return bgp_fail(...)". */
int bgp_fail(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data, size_t len);

/* Start a message: marker, length to be patched, type. */
void bgp_msg_begin(struct bgp_wbuf *w, uint8_t type);

/* Patch the length; the message length, or -EMSGSIZE if it overflowed the
 * buffer or 4096 bytes. */
int bgp_msg_end(struct bgp_wbuf *w);

/* Bytes a prefix takes in an NLRI field. */
static inline size_t
bgp_nlri_size(const struct bgp_prefix *p)
{
	return 1 + ((size_t)p->len + 7) / 8;
}

/* Read prefixes until b is empty, appending them to out[*n] with the given
 * mp mark. -EBADMSG when a length is above 32 or overruns b; -ENOSPC past
 * BGP_UPDATE_MAX_PREFIXES (cannot happen within 4096 bytes). */
int bgp_nlri_decode(struct bgp_rbuf *b, struct bgp_prefix *out, uint16_t *n, uint8_t mp);

/* Write one prefix (len <= 32, checked by the caller). */
void bgp_nlri_put(struct bgp_wbuf *w, const struct bgp_prefix *p);
