/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounded reader and writer for BGP messages, private to the codec.
 *
 * Bytes from the network are hostile: every read goes through a reader that
 * knows how many bytes are left and fails (-EBADMSG) instead of reading past
 * them, and a length found in a message is only ever used to carve a
 * sub-reader out of the current one (bgp_rbuf_sub), never to move a raw
 * pointer. The writer is sticky: after an overflow every further write is
 * dropped and bgp_wbuf_ok() says false, so an encoder checks once at the end.
 * A failed read stores 0, so no caller ever sees an uninitialised value.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bgp_rbuf {
	const uint8_t *p;
	size_t left;
};

static inline void
bgp_rbuf_init(struct bgp_rbuf *b, const uint8_t *p, size_t len)
{
	b->p = p;
	b->left = len;
}

static inline size_t
bgp_rbuf_left(const struct bgp_rbuf *b)
{
	return b->left;
}

/* The unread bytes, for copying a value whose size was checked. */
static inline const uint8_t *
bgp_rbuf_data(const struct bgp_rbuf *b)
{
	return b->p;
}

static inline int
bgp_rbuf_skip(struct bgp_rbuf *b, size_t n)
{
	if (n > b->left)
		return -EBADMSG;
	b->p += n;
	b->left -= n;
	return 0;
}

/* Take the next n bytes as a reader of their own. */
static inline int
bgp_rbuf_sub(struct bgp_rbuf *b, size_t n, struct bgp_rbuf *sub)
{
	if (n > b->left)
		return -EBADMSG;
	bgp_rbuf_init(sub, b->p, n);
	b->p += n;
	b->left -= n;
	return 0;
}

static inline int
bgp_rbuf_u8(struct bgp_rbuf *b, uint8_t *v)
{
	if (b->left < 1) {
		*v = 0;
		return -EBADMSG;
	}
	*v = b->p[0];
	b->p += 1;
	b->left -= 1;
	return 0;
}

static inline int
bgp_rbuf_u16(struct bgp_rbuf *b, uint16_t *v)
{
	if (b->left < 2) {
		*v = 0;
		return -EBADMSG;
	}
	*v = (uint16_t)(b->p[0] << 8 | b->p[1]);
	b->p += 2;
	b->left -= 2;
	return 0;
}

static inline int
bgp_rbuf_u32(struct bgp_rbuf *b, uint32_t *v)
{
	if (b->left < 4) {
		*v = 0;
		return -EBADMSG;
	}
	*v = (uint32_t)b->p[0] << 24 | (uint32_t)b->p[1] << 16 | (uint32_t)b->p[2] << 8 |
	     (uint32_t)b->p[3];
	b->p += 4;
	b->left -= 4;
	return 0;
}

static inline int
bgp_rbuf_bytes(struct bgp_rbuf *b, void *dst, size_t n)
{
	if (n > b->left)
		return -EBADMSG;
	memcpy(dst, b->p, n);
	b->p += n;
	b->left -= n;
	return 0;
}

struct bgp_wbuf {
	uint8_t *p;
	size_t size;
	size_t len;
	bool overflow;
};

static inline void
bgp_wbuf_init(struct bgp_wbuf *w, uint8_t *p, size_t size)
{
	w->p = p;
	w->size = size;
	w->len = 0;
	w->overflow = false;
}

static inline bool
bgp_wbuf_ok(const struct bgp_wbuf *w)
{
	return !w->overflow;
}

static inline size_t
bgp_wbuf_room(const struct bgp_wbuf *w)
{
	return w->overflow ? 0 : w->size - w->len;
}

/* Room for n bytes at the end, or mark the overflow. */
static inline uint8_t *
bgp_wbuf_reserve(struct bgp_wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || n > w->size - w->len) {
		w->overflow = true;
		return NULL;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

static inline void
bgp_wbuf_u8(struct bgp_wbuf *w, uint8_t v)
{
	uint8_t *p = bgp_wbuf_reserve(w, 1);

	if (p)
		p[0] = v;
}

static inline void
bgp_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
bgp_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t
bgp_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
bgp_wbuf_u16(struct bgp_wbuf *w, uint16_t v)
{
	uint8_t *p = bgp_wbuf_reserve(w, 2);

	if (p)
		bgp_put_u16(p, v);
}

static inline void
bgp_wbuf_u32(struct bgp_wbuf *w, uint32_t v)
{
	uint8_t *p = bgp_wbuf_reserve(w, 4);

	if (p)
		bgp_put_u32(p, v);
}

static inline void
bgp_wbuf_bytes(struct bgp_wbuf *w, const void *src, size_t n)
{
	uint8_t *p = bgp_wbuf_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

/* Write a 2-byte value at an offset reserved earlier (a length field). */
static inline void
bgp_wbuf_patch_u16(struct bgp_wbuf *w, size_t off, uint16_t v)
{
	if (!w->overflow && off + 2 <= w->len)
		bgp_put_u16(w->p + off, v);
}
