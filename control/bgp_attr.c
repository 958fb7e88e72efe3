/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path attributes of UPDATE messages: one table says, for each attribute we
 * know, its flags, its length bounds, how to decode it and what a malformed
 * one costs (RFC 7606 §7); one loop walks the attribute list and consults it;
 * attr_error() is the one place where an attribute's error becomes "attribute
 * discard", "treat-as-withdraw" or "session reset", and the loop of
 * bgp_attrs_decode() the one place for errors of the list itself (overrun,
 * repeats, unrecognised well-known attributes). Then the AS4_* attributes of a
 * 2-octet speaker are folded into AS_PATH and AGGREGATOR (RFC 6793 §4.2.3),
 * so that the rest of vbr sees 4-octet attributes only.
 */
#include <errno.h>
#include <string.h>

#include "bgp_attr.h"
#include "bgp_codec.h"
#include "bgp_msg.h"

#define F_OPT BGP_ATTR_F_OPTIONAL
#define F_TRANS BGP_ATTR_F_TRANSITIVE
#define F_WELL_KNOWN F_TRANS
/* The low four flag bits are unused and ignored on receipt (RFC 4271 §4.3). */
#define F_USED 0xf0

/* What a malformed attribute costs, weakest first (RFC 7606 §2). */
enum attr_verdict {
	V_DISCARD,
	V_WITHDRAW,
	V_RESET,
};

/* One attribute being decoded. */
struct attr_in {
	uint8_t flags;
	uint8_t type;
	uint16_t len;
	struct bgp_rbuf val;
	/* The whole attribute, header included: a NOTIFICATION's data. */
	const uint8_t *raw;
	size_t raw_len;
};

struct decode_state {
	const struct bgp_codec_ctx *ctx;
	struct bgp_update *u;
	struct bgp_path_attrs *a;
	const char *why; /* set by a decode function to say more than "malformed X" */
	/* AS4_PATH / AS4_AGGREGATOR of a 2-octet speaker, folded in at the end. */
	bool has_as4_path;
	struct bgp_rbuf as4_path;
	struct bgp_as_path_count as4_count;
	bool has_as4_aggregator;
	uint32_t as4_aggregator_as;
	uint32_t as4_aggregator_addr;
};

/* 0, or -EBADMSG when the attribute is malformed (s->why may say why). A
 * decode function writes into the attributes only once it has checked all. */
typedef int (*attr_decode_fn)(struct decode_state *s, struct attr_in *at);

struct attr_desc {
	const char *name;
	const char *malformed; /* reason given for an error */
	uint8_t flags;	       /* expected Optional and Transitive bits */
	uint16_t min_len;
	uint16_t max_len;
	enum attr_verdict on_error;
	uint8_t reset_subcode; /* when on_error is V_RESET */
	attr_decode_fn decode;
};

static void
set_present(struct bgp_path_attrs *a, uint8_t type)
{
	a->present |= 1u << type;
}

static void
set_discarded(struct bgp_path_attrs *a, uint8_t type)
{
	if (type < 32)
		a->discarded |= 1u << type;
}

static int
decode_origin(struct decode_state *s, struct attr_in *at)
{
	uint8_t v;

	bgp_rbuf_u8(&at->val, &v);
	if (v > BGP_ORIGIN_INCOMPLETE) {
		s->why = "invalid ORIGIN value";
		return -EBADMSG;
	}
	s->a->origin = v;
	return 0;
}

static int
decode_as_path(struct decode_state *s, struct attr_in *at)
{
	s->a->as_path.n_segs = 0;
	s->a->as_path.n_asns = 0;
	if (bgp_as_path_parse(at->val, s->ctx->as4 ? 4 : 2, false, &s->a->as_path, NULL) < 0)
		return -EBADMSG;
	return 0;
}

static int
decode_next_hop(struct decode_state *s, struct attr_in *at)
{
	return bgp_rbuf_u32(&at->val, &s->a->next_hop);
}

static int
decode_med(struct decode_state *s, struct attr_in *at)
{
	return bgp_rbuf_u32(&at->val, &s->a->med);
}

static int
decode_local_pref(struct decode_state *s, struct attr_in *at)
{
	return bgp_rbuf_u32(&at->val, &s->a->local_pref);
}

static int
decode_atomic_aggregate(struct decode_state *s, struct attr_in *at)
{
	(void)at;
	s->a->atomic_aggregate = true;
	return 0;
}

static int
decode_aggregator(struct decode_state *s, struct attr_in *at)
{
	uint32_t asn, addr;
	uint16_t asn16;

	if (at->len != (s->ctx->as4 ? 8 : 6))
		return -EBADMSG;
	if (s->ctx->as4) {
		bgp_rbuf_u32(&at->val, &asn);
	} else {
		bgp_rbuf_u16(&at->val, &asn16);
		asn = asn16;
	}
	bgp_rbuf_u32(&at->val, &addr);
	if (asn == 0) { /* RFC 7607 §2 */
		s->why = "AGGREGATOR with AS 0";
		return -EBADMSG;
	}
	s->a->aggregator_as = asn;
	s->a->aggregator_addr = addr;
	return 0;
}

static int
decode_communities(struct decode_state *s, struct attr_in *at)
{
	unsigned i, n = at->len / 4;

	/* RFC 7606 §7.8: a non-zero multiple of 4 (min_len says non-zero). */
	if (at->len % 4 || n > BGP_MAX_COMMUNITIES)
		return -EBADMSG;
	for (i = 0; i < n; i++)
		bgp_rbuf_u32(&at->val, &s->a->communities[i]);
	s->a->n_communities = (uint16_t)n;
	return 0;
}

static bool
is_ipv4_unicast(uint16_t afi, uint8_t safi)
{
	return afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST;
}

static int
decode_mp_reach(struct decode_state *s, struct attr_in *at)
{
	struct bgp_update *u = s->u;
	struct bgp_rbuf nh;
	uint16_t afi, n0 = u->n_announced;
	uint8_t safi, nh_len, reserved;
	uint32_t next_hop;

	bgp_rbuf_u16(&at->val, &afi);
	bgp_rbuf_u8(&at->val, &safi);
	bgp_rbuf_u8(&at->val, &nh_len);
	if (bgp_rbuf_sub(&at->val, nh_len, &nh) < 0 || bgp_rbuf_u8(&at->val, &reserved) < 0)
		return -EBADMSG;
	s->a->mp_reach_afi = afi;
	s->a->mp_reach_safi = safi;
	if (!is_ipv4_unicast(afi, safi))
		return 0;
	/* RFC 7606 §7.11: a next hop of an unexpected length hides where the
	 * NLRI start. Extended next hop (RFC 8950) is not negotiated. */
	if (nh_len != 4) {
		s->why = "MP_REACH_NLRI next hop length is not 4";
		return -EBADMSG;
	}
	bgp_rbuf_u32(&nh, &next_hop);
	if (bgp_nlri_decode(&at->val, u->announced, &u->n_announced, 1) < 0) {
		u->n_announced = n0;
		s->why = "bad prefix in MP_REACH_NLRI";
		return -EBADMSG;
	}
	s->a->mp_next_hop = next_hop;
	return 0;
}

static int
decode_mp_unreach(struct decode_state *s, struct attr_in *at)
{
	struct bgp_update *u = s->u;
	uint16_t afi, n0 = u->n_withdrawn;
	uint8_t safi;

	bgp_rbuf_u16(&at->val, &afi);
	bgp_rbuf_u8(&at->val, &safi);
	s->a->mp_unreach_afi = afi;
	s->a->mp_unreach_safi = safi;
	if (!is_ipv4_unicast(afi, safi))
		return 0;
	if (bgp_nlri_decode(&at->val, u->withdrawn, &u->n_withdrawn, 1) < 0) {
		u->n_withdrawn = n0;
		s->why = "bad prefix in MP_UNREACH_NLRI";
		return -EBADMSG;
	}
	return 0;
}

/* Checked now, merged once AS_PATH and AGGREGATOR are known. */
static int
decode_as4_path(struct decode_state *s, struct attr_in *at)
{
	if (bgp_as_path_parse(at->val, 4, true, NULL, &s->as4_count) < 0)
		return -EBADMSG;
	s->has_as4_path = true;
	s->as4_path = at->val;
	return 0;
}

static int
decode_as4_aggregator(struct decode_state *s, struct attr_in *at)
{
	uint32_t asn, addr;

	bgp_rbuf_u32(&at->val, &asn);
	bgp_rbuf_u32(&at->val, &addr);
	if (asn == 0) { /* RFC 7607 §2 */
		s->why = "AS4_AGGREGATOR with AS 0";
		return -EBADMSG;
	}
	s->has_as4_aggregator = true;
	s->as4_aggregator_as = asn;
	s->as4_aggregator_addr = addr;
	return 0;
}

/*
 * The attributes we know. A flags or length error, or a decode function's
 * refusal, costs on_error (RFC 7606 §3.c, §7). Lengths that depend on the
 * session (AGGREGATOR) are checked by the decode function.
 */
static const struct attr_desc attr_table[256] = {
	[BGP_ATTR_ORIGIN] = {"ORIGIN", "malformed ORIGIN", F_WELL_KNOWN, 1, 1, V_WITHDRAW, 0,
		decode_origin},
	[BGP_ATTR_AS_PATH] = {"AS_PATH", "malformed AS_PATH", F_WELL_KNOWN, 0, 0xffff, V_WITHDRAW,
		0, decode_as_path},
	[BGP_ATTR_NEXT_HOP] = {"NEXT_HOP", "malformed NEXT_HOP", F_WELL_KNOWN, 4, 4, V_WITHDRAW, 0,
		decode_next_hop},
	[BGP_ATTR_MED] = {"MULTI_EXIT_DISC", "malformed MULTI_EXIT_DISC", F_OPT, 4, 4, V_WITHDRAW,
		0, decode_med},
	[BGP_ATTR_LOCAL_PREF] = {"LOCAL_PREF", "malformed LOCAL_PREF", F_WELL_KNOWN, 4, 4,
		V_WITHDRAW, 0, decode_local_pref},
	[BGP_ATTR_ATOMIC_AGGREGATE] = {"ATOMIC_AGGREGATE", "malformed ATOMIC_AGGREGATE",
		F_WELL_KNOWN, 0, 0, V_DISCARD, 0, decode_atomic_aggregate},
	[BGP_ATTR_AGGREGATOR] = {"AGGREGATOR", "malformed AGGREGATOR", F_OPT | F_TRANS, 6, 8,
		V_DISCARD, 0, decode_aggregator},
	[BGP_ATTR_COMMUNITIES] = {"COMMUNITIES", "malformed COMMUNITIES", F_OPT | F_TRANS, 4,
		0xffff, V_WITHDRAW, 0, decode_communities},
	/* RFC 7606 §7.11 allows treat-as-withdraw only when the prefixes can
	 * still be found; we cannot tell, so the session goes. */
	[BGP_ATTR_MP_REACH_NLRI] = {"MP_REACH_NLRI", "malformed MP_REACH_NLRI", F_OPT, 5, 0xffff,
		V_RESET, BGP_ERR_UPD_OPTIONAL_ATTR, decode_mp_reach},
	[BGP_ATTR_MP_UNREACH_NLRI] = {"MP_UNREACH_NLRI", "malformed MP_UNREACH_NLRI", F_OPT, 3,
		0xffff, V_RESET, BGP_ERR_UPD_OPTIONAL_ATTR, decode_mp_unreach},
	/* RFC 6793 §6: a malformed AS4_* is discarded. */
	[BGP_ATTR_AS4_PATH] = {"AS4_PATH", "malformed AS4_PATH", F_OPT | F_TRANS, 0, 0xffff,
		V_DISCARD, 0, decode_as4_path},
	[BGP_ATTR_AS4_AGGREGATOR] = {"AS4_AGGREGATOR", "malformed AS4_AGGREGATOR", F_OPT | F_TRANS,
		8, 8, V_DISCARD, 0, decode_as4_aggregator},
};

const char *
bgp_attr_name(uint8_t type)
{
	return attr_table[type].name;
}

/* The one place where an attribute error gets its consequence. */
static int
attr_error(struct decode_state *s, const struct attr_desc *d, const struct attr_in *at)
{
	enum attr_verdict v = d->on_error;
	const char *why = s->why ? s->why : d->malformed;

	/* RFC 7606 §7.5: LOCAL_PREF from an external peer is discarded. */
	if (at->type == BGP_ATTR_LOCAL_PREF && !s->ctx->ibgp)
		v = V_DISCARD;
	switch (v) {
	case V_DISCARD:
		set_discarded(s->a, at->type);
		if (s->u->action == BGP_UPDATE_OK)
			s->u->reason = why;
		return 0;
	case V_WITHDRAW:
		bgp_update_withdraw(s->u, why);
		return 0;
	case V_RESET:
	default:
		return bgp_update_reset(s->u, d->reset_subcode, at->raw, at->raw_len, why);
	}
}

/* An optional transitive attribute we do not know: passed on as is. */
static void
keep_unknown(struct bgp_path_attrs *a, const struct attr_in *at)
{
	struct bgp_attr_raw *r;
	unsigned i;

	if (a->n_unknown >= BGP_MAX_UNKNOWN_ATTRS || at->len > sizeof(a->raw) - a->raw_len)
		return;
	/* Kept in type order, as they are sent, so that equal attributes
	 * look equal whatever order they came in. */
	for (i = a->n_unknown; i > 0 && a->unknown[i - 1].type > at->type; i--)
		a->unknown[i] = a->unknown[i - 1];
	a->n_unknown++;
	r = &a->unknown[i];
	r->flags = at->flags & (F_OPT | F_TRANS | BGP_ATTR_F_PARTIAL);
	r->type = at->type;
	r->len = at->len;
	r->off = a->raw_len;
	memcpy(a->raw + a->raw_len, bgp_rbuf_data(&at->val), at->len);
	a->raw_len = (uint16_t)(a->raw_len + at->len);
}

/* Read one attribute's header and value. -EBADMSG if its length overruns
 * the attribute list (RFC 7606 §4). */
static int
next_attr(struct bgp_rbuf *b, struct attr_in *at)
{
	const uint8_t *start = bgp_rbuf_data(b);
	size_t left = bgp_rbuf_left(b);
	uint8_t len8;
	int rc;

	if (bgp_rbuf_u8(b, &at->flags) < 0 || bgp_rbuf_u8(b, &at->type) < 0)
		return -EBADMSG;
	if (at->flags & BGP_ATTR_F_EXT_LEN) {
		rc = bgp_rbuf_u16(b, &at->len);
	} else {
		rc = bgp_rbuf_u8(b, &len8);
		at->len = len8;
	}
	if (rc < 0 || bgp_rbuf_sub(b, at->len, &at->val) < 0)
		return -EBADMSG;
	at->flags &= F_USED;
	at->raw = start;
	at->raw_len = left - bgp_rbuf_left(b);
	return 0;
}

/* RFC 6793 §4.2.3, for a 2-octet speaker. */
static void
merge_as4(struct decode_state *s)
{
	struct bgp_path_attrs *a = s->a;
	struct bgp_as_path *p;
	unsigned n2, kept;

	if (s->has_as4_aggregator) {
		if (!bgp_attrs_has(a, BGP_ATTR_AGGREGATOR)) {
			/* The rule is for the pair: alone it has nothing
			 * to stand for. */
			set_discarded(a, BGP_ATTR_AS4_AGGREGATOR);
		} else if (a->aggregator_as != BGP_AS_TRANS) {
			/* Someone between 4-octet speakers aggregated:
			 * the AS4_* attributes are stale. */
			set_discarded(a, BGP_ATTR_AS4_AGGREGATOR);
			if (s->has_as4_path)
				set_discarded(a, BGP_ATTR_AS4_PATH);
			return;
		} else {
			a->aggregator_as = s->as4_aggregator_as;
			a->aggregator_addr = s->as4_aggregator_addr;
		}
	}
	if (!s->has_as4_path)
		return;
	if (!bgp_attrs_has(a, BGP_ATTR_AS_PATH)) {
		set_discarded(a, BGP_ATTR_AS4_PATH);
		return;
	}
	n2 = bgp_as_path_len(&a->as_path);
	if (n2 < s->as4_count.hops) {
		set_discarded(a, BGP_ATTR_AS4_PATH);
		return;
	}
	bgp_as_path_keep_leading(&a->as_path, n2 - s->as4_count.hops);
	kept = a->as_path.n_segs;
	/* Both came out of one 4096-byte message, so they fit together; the
	 * parse checks anyway. */
	if (bgp_as_path_parse(s->as4_path, 4, true, &a->as_path, NULL) < 0) {
		set_discarded(a, BGP_ATTR_AS4_PATH);
		return;
	}
	/* Where a cut AS_SEQUENCE meets AS4_PATH's first one, make them one
	 * segment again, as the path was before a 2-octet speaker split it. */
	p = &a->as_path;
	if (kept > 0 && kept < p->n_segs && p->segs[kept - 1].type == BGP_AS_SEQUENCE &&
		p->segs[kept].type == BGP_AS_SEQUENCE &&
		p->segs[kept - 1].count + p->segs[kept].count <= 255) {
		p->segs[kept - 1].count = (uint8_t)(p->segs[kept - 1].count + p->segs[kept].count);
		memmove(&p->segs[kept], &p->segs[kept + 1],
			(p->n_segs - kept - 1) * sizeof(p->segs[0]));
		p->n_segs--;
	}
}

int
bgp_attrs_decode(struct bgp_rbuf *b, const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	struct decode_state s = {.ctx = ctx, .u = u, .a = &u->attrs};
	uint8_t seen[256 / 8] = {0};
	int rc;

	while (bgp_rbuf_left(b)) {
		const struct attr_desc *d;
		struct attr_in at;

		if (next_attr(b, &at) < 0) {
			/* RFC 7606 §4: the NLRI are still found through the
			 * Total Path Attribute Length, so they are withdrawn. */
			bgp_update_withdraw(u, "attribute length overruns the path attributes");
			break;
		}
		if (seen[at.type / 8] & (1u << (at.type % 8))) {
			/* RFC 7606 §3.g: MP_* twice cannot be made sense
			 * of; any other repeat is dropped. */
			if (at.type == BGP_ATTR_MP_REACH_NLRI ||
				at.type == BGP_ATTR_MP_UNREACH_NLRI)
				return bgp_update_reset(u, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, 0,
					"repeated MP_REACH_NLRI or MP_UNREACH_NLRI");
			set_discarded(&u->attrs, at.type);
			continue;
		}
		seen[at.type / 8] |= (uint8_t)(1u << (at.type % 8));

		d = &attr_table[at.type];
		if (!d->name) {
			if (!(at.flags & F_OPT))
				return bgp_update_reset(u, BGP_ERR_UPD_UNRECOGNIZED_WELLKNOWN,
					at.raw, at.raw_len, "unrecognized well-known attribute");
			if (at.flags & F_TRANS)
				keep_unknown(&u->attrs, &at);
			continue;
		}
		/* RFC 6793 §4.1: between 4-octet speakers AS4_* mean nothing. */
		if (ctx->as4 &&
			(at.type == BGP_ATTR_AS4_PATH || at.type == BGP_ATTR_AS4_AGGREGATOR)) {
			set_discarded(&u->attrs, at.type);
			continue;
		}
		s.why = NULL;
		if (((at.flags ^ d->flags) & (F_OPT | F_TRANS)) || at.len < d->min_len ||
			at.len > d->max_len || d->decode(&s, &at) < 0) {
			rc = attr_error(&s, d, &at);
			if (rc < 0)
				return rc;
			continue;
		}
		if (at.type != BGP_ATTR_AS4_PATH && at.type != BGP_ATTR_AS4_AGGREGATOR)
			set_present(&u->attrs, at.type);
	}
	if (!ctx->as4)
		merge_as4(&s);
	return 0;
}

void
bgp_path_attrs_reset(struct bgp_path_attrs *a)
{
	a->present = 0;
	a->discarded = 0;
	a->origin = 0;
	a->as_path.n_segs = 0;
	a->as_path.n_asns = 0;
	a->next_hop = 0;
	a->mp_next_hop = 0;
	a->mp_reach_afi = 0;
	a->mp_reach_safi = 0;
	a->mp_unreach_afi = 0;
	a->mp_unreach_safi = 0;
	a->med = 0;
	a->local_pref = 0;
	a->atomic_aggregate = false;
	a->aggregator_as = 0;
	a->aggregator_addr = 0;
	a->n_communities = 0;
	a->n_unknown = 0;
	a->raw_len = 0;
}

void
bgp_path_attrs_init_local(struct bgp_path_attrs *a, uint32_t asn, uint32_t next_hop)
{
	bgp_path_attrs_reset(a);
	a->origin = BGP_ORIGIN_IGP;
	a->as_path.n_segs = 1;
	a->as_path.n_asns = 1;
	a->as_path.segs[0].type = BGP_AS_SEQUENCE;
	a->as_path.segs[0].count = 1;
	a->as_path.segs[0].first = 0;
	a->as_path.asns[0] = asn;
	a->next_hop = next_hop;
	a->present = 1u << BGP_ATTR_ORIGIN | 1u << BGP_ATTR_AS_PATH | 1u << BGP_ATTR_NEXT_HOP;
}

static bool
as_path_equal(const struct bgp_as_path *a, const struct bgp_as_path *b)
{
	unsigned i;

	if (a->n_segs != b->n_segs || a->n_asns != b->n_asns)
		return false;
	for (i = 0; i < a->n_segs; i++)
		if (a->segs[i].type != b->segs[i].type || a->segs[i].count != b->segs[i].count ||
			a->segs[i].first != b->segs[i].first)
			return false;
	return memcmp(a->asns, b->asns, a->n_asns * sizeof(a->asns[0])) == 0;
}

bool
bgp_path_attrs_equal(const struct bgp_path_attrs *a, const struct bgp_path_attrs *b)
{
	unsigned i;

	if (a->present != b->present)
		return false;
#define SAME(attr, field) (!bgp_attrs_has(a, attr) || a->field == b->field)
	if (!SAME(BGP_ATTR_ORIGIN, origin) || !SAME(BGP_ATTR_NEXT_HOP, next_hop) ||
		!SAME(BGP_ATTR_MED, med) || !SAME(BGP_ATTR_LOCAL_PREF, local_pref) ||
		!SAME(BGP_ATTR_ATOMIC_AGGREGATE, atomic_aggregate) ||
		!SAME(BGP_ATTR_AGGREGATOR, aggregator_as) ||
		!SAME(BGP_ATTR_AGGREGATOR, aggregator_addr) ||
		!SAME(BGP_ATTR_MP_REACH_NLRI, mp_next_hop))
		return false;
#undef SAME
	if (bgp_attrs_has(a, BGP_ATTR_AS_PATH) && !as_path_equal(&a->as_path, &b->as_path))
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_COMMUNITIES) &&
		(a->n_communities != b->n_communities ||
			memcmp(a->communities, b->communities,
				a->n_communities * sizeof(a->communities[0]))))
		return false;
	if (a->n_unknown != b->n_unknown)
		return false;
	for (i = 0; i < a->n_unknown; i++) {
		const struct bgp_attr_raw *x = &a->unknown[i], *y = &b->unknown[i];

		/* Partial is set by whoever passed it on: not a difference. */
		if (x->type != y->type || x->len != y->len ||
			((x->flags ^ y->flags) & ~BGP_ATTR_F_PARTIAL) ||
			(unsigned)x->off + x->len > sizeof(a->raw) ||
			(unsigned)y->off + y->len > sizeof(b->raw) ||
			memcmp(a->raw + x->off, b->raw + y->off, x->len))
			return false;
	}
	return true;
}

/* Attribute header, with the Extended Length bit when the value needs it. */
static void
put_attr_hdr(struct bgp_wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	flags &= F_OPT | F_TRANS | BGP_ATTR_F_PARTIAL;
	if (len > 255) {
		bgp_wbuf_u8(w, flags | BGP_ATTR_F_EXT_LEN);
		bgp_wbuf_u8(w, type);
		bgp_wbuf_u16(w, (uint16_t)len);
	} else {
		bgp_wbuf_u8(w, flags);
		bgp_wbuf_u8(w, type);
		bgp_wbuf_u8(w, (uint8_t)len);
	}
}

static int
put_as_path(struct bgp_wbuf *w, uint8_t type, const struct bgp_as_path *p, unsigned asn_size,
	bool skip_confed)
{
	size_t len = bgp_as_path_wire_size(p, asn_size, skip_confed);

	if (len > 0xffff)
		return -EINVAL;
	put_attr_hdr(w, attr_table[type].flags, type, len);
	return bgp_as_path_put(w, p, asn_size, skip_confed);
}

static int
put_known(struct bgp_wbuf *w, const struct bgp_codec_ctx *ctx, const struct bgp_path_attrs *a,
	uint8_t type)
{
	const struct attr_desc *d = &attr_table[type];
	bool as4_path, as4_aggr;
	unsigned i;

	/* For a 2-octet speaker, what does not fit 2 octets goes in AS4_*. */
	as4_path = !ctx->as4 && bgp_attrs_has(a, BGP_ATTR_AS_PATH) &&
		   bgp_as_path_needs_as4(&a->as_path);
	as4_aggr = !ctx->as4 && bgp_attrs_has(a, BGP_ATTR_AGGREGATOR) && a->aggregator_as > 0xffff;

	switch (type) {
	case BGP_ATTR_AS4_PATH:
		return as4_path ? put_as_path(w, type, &a->as_path, 4, true) : 0;
	case BGP_ATTR_AS4_AGGREGATOR:
		if (as4_aggr) {
			put_attr_hdr(w, d->flags, type, 8);
			bgp_wbuf_u32(w, a->aggregator_as);
			bgp_wbuf_u32(w, a->aggregator_addr);
		}
		return 0;
	default:
		break;
	}
	if (!bgp_attrs_has(a, type))
		return 0;
	switch (type) {
	case BGP_ATTR_ORIGIN:
		put_attr_hdr(w, d->flags, type, 1);
		bgp_wbuf_u8(w, a->origin);
		break;
	case BGP_ATTR_AS_PATH:
		return put_as_path(w, type, &a->as_path, ctx->as4 ? 4 : 2, false);
	case BGP_ATTR_NEXT_HOP:
		put_attr_hdr(w, d->flags, type, 4);
		bgp_wbuf_u32(w, a->next_hop);
		break;
	case BGP_ATTR_MED:
		put_attr_hdr(w, d->flags, type, 4);
		bgp_wbuf_u32(w, a->med);
		break;
	case BGP_ATTR_LOCAL_PREF:
		put_attr_hdr(w, d->flags, type, 4);
		bgp_wbuf_u32(w, a->local_pref);
		break;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		if (a->atomic_aggregate)
			put_attr_hdr(w, d->flags, type, 0);
		break;
	case BGP_ATTR_AGGREGATOR:
		if (ctx->as4) {
			put_attr_hdr(w, d->flags, type, 8);
			bgp_wbuf_u32(w, a->aggregator_as);
		} else {
			put_attr_hdr(w, d->flags, type, 6);
			bgp_wbuf_u16(w, as4_aggr ? BGP_AS_TRANS : (uint16_t)a->aggregator_as);
		}
		bgp_wbuf_u32(w, a->aggregator_addr);
		break;
	case BGP_ATTR_COMMUNITIES:
		if (a->n_communities == 0 || a->n_communities > BGP_MAX_COMMUNITIES)
			return -EINVAL;
		put_attr_hdr(w, d->flags, type, (size_t)a->n_communities * 4);
		for (i = 0; i < a->n_communities; i++)
			bgp_wbuf_u32(w, a->communities[i]);
		break;
	default:
		/* MP_REACH/MP_UNREACH_NLRI: the prefixes go in the UPDATE's
		 * own fields. */
		break;
	}
	return 0;
}

int
bgp_attrs_encode(
	struct bgp_wbuf *w, const struct bgp_codec_ctx *ctx, const struct bgp_path_attrs *a)
{
	int16_t unknown_of[256];
	unsigned t, i;
	int rc;

	if (a->n_unknown > BGP_MAX_UNKNOWN_ATTRS)
		return -EINVAL;
	memset(unknown_of, 0xff, sizeof(unknown_of));
	for (i = 0; i < a->n_unknown; i++) {
		const struct bgp_attr_raw *r = &a->unknown[i];

		if ((unsigned)r->off + r->len > sizeof(a->raw))
			return -EINVAL;
		/* A type we know is ours to write; a repeat is dropped. */
		if (!attr_table[r->type].name && unknown_of[r->type] < 0)
			unknown_of[r->type] = (int16_t)i;
	}
	/* RFC 4271 §5: in ascending order of type code. */
	for (t = 0; t < 256; t++) {
		if (attr_table[t].name) {
			rc = put_known(w, ctx, a, (uint8_t)t);
			if (rc < 0)
				return rc;
		} else if (unknown_of[t] >= 0) {
			const struct bgp_attr_raw *r = &a->unknown[unknown_of[t]];

			/* RFC 4271 §5: passed on unrecognised, hence Partial. */
			put_attr_hdr(w, (r->flags | F_OPT | F_TRANS | BGP_ATTR_F_PARTIAL), r->type,
				r->len);
			bgp_wbuf_bytes(w, a->raw + r->off, r->len);
		}
	}
	return 0;
}
