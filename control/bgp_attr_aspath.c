/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AS paths: AS_PATH / AS4_PATH segments on the wire (RFC 4271 §4.3,
 * RFC 6793), the AS4_PATH merge of RFC 6793 §4.2.3, and what the decision
 * process and loop detection ask of a path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp_attr.h"
#include "bgp_msg.h"

static bool
is_confed(uint8_t type)
{
	return type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET;
}

/* RFC 4271 §9.1.2.2: a set counts one, confederation segments nothing. */
static unsigned
seg_hops(uint8_t type, unsigned count)
{
	if (type == BGP_AS_SEQUENCE)
		return count;
	if (type == BGP_AS_SET)
		return 1;
	return 0;
}

int
bgp_as_path_parse(struct bgp_rbuf b, unsigned asn_size, bool no_confed, struct bgp_as_path *p,
	struct bgp_as_path_count *cnt)
{
	struct bgp_as_path_count c = {0, 0, 0};
	unsigned segs0 = p ? p->n_segs : 0, asns0 = p ? p->n_asns : 0;
	int rc = -EBADMSG;

	while (bgp_rbuf_left(&b)) {
		uint8_t type, count;
		unsigned i;

		if (bgp_rbuf_u8(&b, &type) < 0 || bgp_rbuf_u8(&b, &count) < 0)
			goto fail;
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET || (no_confed && is_confed(type)))
			goto fail;
		if (count == 0 || (size_t)count * asn_size > bgp_rbuf_left(&b))
			goto fail;
		if (p && (p->n_segs >= BGP_PATH_MAX_SEGS ||
				 p->n_asns + (unsigned)count > BGP_PATH_MAX_ASNS)) {
			rc = -ENOSPC;
			goto fail;
		}
		for (i = 0; i < count; i++) {
			uint32_t asn;
			uint16_t asn16;

			if (asn_size == 4) {
				bgp_rbuf_u32(&b, &asn);
			} else {
				bgp_rbuf_u16(&b, &asn16);
				asn = asn16;
			}
			/* RFC 7607 §2: AS 0 makes the path malformed. */
			if (asn == 0)
				goto fail;
			if (p)
				p->asns[p->n_asns + i] = asn;
		}
		if (p) {
			p->segs[p->n_segs].type = type;
			p->segs[p->n_segs].count = count;
			p->segs[p->n_segs].first = (uint16_t)p->n_asns;
			p->n_segs++;
			p->n_asns = (uint16_t)(p->n_asns + count);
		}
		c.segs++;
		c.asns += count;
		c.hops += seg_hops(type, count);
	}
	if (cnt)
		*cnt = c;
	return 0;
fail:
	if (p) {
		p->n_segs = (uint16_t)segs0;
		p->n_asns = (uint16_t)asns0;
	}
	return rc;
}

void
bgp_as_path_keep_leading(struct bgp_as_path *p, unsigned hops)
{
	unsigned need = hops, i;

	for (i = 0; i < p->n_segs; i++) {
		struct bgp_as_seg *s = &p->segs[i];

		/* A confederation segment goes with the kept part when it
		 * leads or follows a kept segment; every segment before this
		 * one was kept, so that is any we reach. */
		if (is_confed(s->type))
			continue;
		if (need == 0)
			break;
		if (s->type == BGP_AS_SET) {
			need--;
		} else if (s->count > need) {
			s->count = (uint8_t)need;
			need = 0;
		} else {
			need -= s->count;
		}
	}
	p->n_segs = (uint16_t)i;
	p->n_asns = i ? (uint16_t)(p->segs[i - 1].first + p->segs[i - 1].count) : 0;
}

/* Segments point inside asns and hold 1..255 ASNs: a path built by hand
 * might not. */
static bool
path_consistent(const struct bgp_as_path *p)
{
	unsigned i;

	if (p->n_segs > BGP_PATH_MAX_SEGS || p->n_asns > BGP_PATH_MAX_ASNS)
		return false;
	for (i = 0; i < p->n_segs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];

		if (s->count == 0 || s->type < BGP_AS_SET || s->type > BGP_AS_CONFED_SET ||
			(unsigned)s->first + s->count > p->n_asns)
			return false;
	}
	return true;
}

size_t
bgp_as_path_wire_size(const struct bgp_as_path *p, unsigned asn_size, bool skip_confed)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < p->n_segs && i < BGP_PATH_MAX_SEGS; i++)
		if (!(skip_confed && is_confed(p->segs[i].type)))
			n += 2 + (size_t)p->segs[i].count * asn_size;
	return n;
}

int
bgp_as_path_put(
	struct bgp_wbuf *w, const struct bgp_as_path *p, unsigned asn_size, bool skip_confed)
{
	unsigned i, j;

	if (!path_consistent(p))
		return -EINVAL;
	for (i = 0; i < p->n_segs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];

		if (skip_confed && is_confed(s->type))
			continue;
		bgp_wbuf_u8(w, s->type);
		bgp_wbuf_u8(w, s->count);
		for (j = 0; j < s->count; j++) {
			uint32_t asn = p->asns[s->first + j];

			if (asn_size == 4)
				bgp_wbuf_u32(w, asn);
			else
				bgp_wbuf_u16(w, asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn);
		}
	}
	return 0;
}

bool
bgp_as_path_needs_as4(const struct bgp_as_path *p)
{
	unsigned i, j;

	if (!path_consistent(p))
		return false;
	for (i = 0; i < p->n_segs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];

		if (is_confed(s->type))
			continue;
		for (j = 0; j < s->count; j++)
			if (p->asns[s->first + j] > 0xffff)
				return true;
	}
	return false;
}

unsigned
bgp_as_path_len(const struct bgp_as_path *p)
{
	unsigned i, n = 0;

	for (i = 0; i < p->n_segs && i < BGP_PATH_MAX_SEGS; i++)
		n += seg_hops(p->segs[i].type, p->segs[i].count);
	return n;
}

bool
bgp_as_path_contains(const struct bgp_as_path *p, uint32_t asn)
{
	unsigned i, j;

	if (!path_consistent(p))
		return false;
	for (i = 0; i < p->n_segs; i++)
		for (j = 0; j < p->segs[i].count; j++)
			if (p->asns[p->segs[i].first + j] == asn)
				return true;
	return false;
}

int
bgp_as_path_first_as(const struct bgp_as_path *p, uint32_t *asn)
{
	if (!path_consistent(p) || p->n_segs == 0 || p->segs[0].type != BGP_AS_SEQUENCE)
		return -ENOENT;
	*asn = p->asns[p->segs[0].first];
	return 0;
}

int
bgp_as_path_prepend(struct bgp_as_path *p, uint32_t asn)
{
	bool new_seg;
	unsigned i;

	if (!path_consistent(p))
		return -EINVAL;
	new_seg = p->n_segs == 0 || p->segs[0].type != BGP_AS_SEQUENCE || p->segs[0].count == 255 ||
		  p->segs[0].first != 0;
	if (p->n_asns >= BGP_PATH_MAX_ASNS || (new_seg && p->n_segs >= BGP_PATH_MAX_SEGS))
		return -ENOSPC;
	memmove(&p->asns[1], &p->asns[0], p->n_asns * sizeof(p->asns[0]));
	p->asns[0] = asn;
	p->n_asns++;
	for (i = 0; i < p->n_segs; i++)
		p->segs[i].first++;
	if (new_seg) {
		memmove(&p->segs[1], &p->segs[0], p->n_segs * sizeof(p->segs[0]));
		p->segs[0].type = BGP_AS_SEQUENCE;
		p->segs[0].count = 1;
		p->segs[0].first = 0;
		p->n_segs++;
	} else {
		p->segs[0].first = 0;
		p->segs[0].count++;
	}
	return 0;
}

int
bgp_as_path_format(char *buf, size_t size, const struct bgp_as_path *p)
{
	static const char open[] = " {([", close[] = " })]";
	size_t n = 0;
	unsigned i, j;

	if (size)
		buf[0] = '\0';
	if (!path_consistent(p))
		return snprintf(buf, size, "(invalid path)");
	for (i = 0; i < p->n_segs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];
		/* AS_SEQUENCE's ASNs stand bare; others are bracketed. */
		unsigned k = s->type == BGP_AS_SEQUENCE ? 0
			     : s->type == BGP_AS_SET	? 1
							: s->type - 1;

		for (j = 0; j < s->count; j++) {
			int r = snprintf(n < size ? buf + n : NULL, n < size ? size - n : 0,
				"%s%s%u%s", n ? " " : "", (j == 0 && k) ? (char[]){open[k], 0} : "",
				p->asns[s->first + j],
				(j + 1 == s->count && k) ? (char[]){close[k], 0} : "");

			if (r < 0)
				return r;
			n += (size_t)r;
		}
	}
	return (int)n;
}
