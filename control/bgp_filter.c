/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a BGP peer may announce to us (see bgp_filter.h for the rules and
 * why): a sorted table of ranges built from the config, and the check
 * of one prefix against it and against its group's options.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_filter.h"

/* Never a unicast destination (RFC 6890's not-forwardable blocks that no
 * IDC uses; private and shared address space are the IDC's to use). */
static const struct bgp_filter_range martians[] = {
	{0x00000000, 8, BGP_FILTER_MARTIAN},  /* "this network" */
	{0x7f000000, 8, BGP_FILTER_MARTIAN},  /* loopback */
	{0xa9fe0000, 16, BGP_FILTER_MARTIAN}, /* link local */
	{0xe0000000, 4, BGP_FILTER_MARTIAN},  /* multicast */
	{0xf0000000, 4, BGP_FILTER_MARTIAN},  /* reserved, limited broadcast */
};

/* Ranges being gathered: grown on the heap. */
struct range_buf {
	struct bgp_filter_range *r;
	unsigned n, cap;
	bool nomem;
};

static void
add_range(struct range_buf *b, uint32_t addr, uint8_t len, enum bgp_filter_verdict v)
{
	/* A range of length 0 would refuse every prefix: a CIDR block or a
	 * static route 0/0 says nothing about where the VPC is. */
	if (len == 0 || len > 32 || b->nomem)
		return;
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 64;
		struct bgp_filter_range *r = realloc(b->r, cap * sizeof(*r));

		if (r == NULL) {
			b->nomem = true;
			return;
		}
		b->r = r;
		b->cap = cap;
	}
	b->r[b->n++] = (struct bgp_filter_range){
		.addr = addr & config_prefix_mask(len), .len = len, .verdict = (uint8_t)v};
}

static int
range_cmp(const void *a, const void *b)
{
	const struct bgp_filter_range *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* The first reason in the verdict order wins among duplicates. */
	return (int)x->verdict - (int)y->verdict;
}

int
bgp_filter_build(struct bgp_filter *f, const struct bgp_filter_src *src)
{
	struct range_buf b = {0};
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(martians) / sizeof(martians[0]); i++)
		add_range(&b, martians[i].addr, martians[i].len, martians[i].verdict);
	for (unsigned p = 0; src->ports != NULL && p < VBR_NB_PORTS; p++)
		add_range(
			&b, src->ports[p].address, src->ports[p].prefix_len, BGP_FILTER_CONNECTED);
	for (unsigned i = 0; i < src->nb_networks; i++)
		add_range(&b, src->networks[i].addr, src->networks[i].len, BGP_FILTER_OUR_BLOCK);
	for (unsigned i = 0; i < src->nb_vpc_routes; i++)
		add_range(
			&b, src->vpc_routes[i].addr, src->vpc_routes[i].len, BGP_FILTER_STATIC_VPC);
	if (b.nomem) {
		free(b.r);
		return -ENOMEM;
	}
	qsort(b.r, b.n, sizeof(b.r[0]), range_cmp);
	/* One entry per range: the first, which has the first reason. */
	for (unsigned i = 0; i < b.n; i++)
		if (n == 0 || b.r[i].len != b.r[n - 1].len || b.r[i].addr != b.r[n - 1].addr)
			b.r[n++] = b.r[i];
	free(f->ranges);
	memset(f, 0, sizeof(*f));
	f->ranges = b.r;
	f->n_ranges = n;
	for (unsigned l = 0, i = 0; l <= 33; l++) {
		while (i < n && f->ranges[i].len < l)
			i++;
		f->len_start[l] = i;
	}
	for (unsigned i = 0; i < n; i++)
		f->lens_used |= 1ull << f->ranges[i].len;
	return 0;
}

int
bgp_filter_init(struct bgp_filter *f, const struct vbr_config *cfg)
{
	struct bgp_filter_src src = {
		.ports = cfg->ports, .networks = cfg->networks, .nb_networks = cfg->nb_networks};
	struct vbr_prefix *vpc = malloc((cfg->nb_routes + 1) * sizeof(*vpc));
	int rc;

	if (vpc == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < cfg->nb_routes; i++)
		if (cfg->routes[i].port == VBR_PORT_VPC)
			vpc[src.nb_vpc_routes++] = cfg->routes[i].prefix;
	src.vpc_routes = vpc;
	rc = bgp_filter_build(f, &src);
	free(vpc);
	return rc;
}

void
bgp_filter_free(struct bgp_filter *f)
{
	free(f->ranges);
	memset(f, 0, sizeof(*f));
}

/* The range of length l that holds addr, or NULL. */
static const struct bgp_filter_range *
find(const struct bgp_filter *f, uint8_t l, uint32_t addr)
{
	unsigned lo = f->len_start[l], hi = f->len_start[l + 1];

	addr &= config_prefix_mask(l);
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (f->ranges[mid].addr == addr)
			return &f->ranges[mid];
		if (f->ranges[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

enum bgp_filter_verdict
bgp_filter_match(const struct bgp_filter *f, uint32_t addr, uint8_t len)
{
	enum bgp_filter_verdict v = BGP_FILTER_ACCEPT;

	if (len > 32)
		return BGP_FILTER_TOO_LONG;
	/* Every range that holds the prefix: lengths up to its own. */
	for (uint64_t m = f->lens_used & ((2ull << len) - 1); m != 0; m &= m - 1) {
		const struct bgp_filter_range *r = find(f, (uint8_t)__builtin_ctzll(m), addr);

		if (r != NULL && (v == BGP_FILTER_ACCEPT || r->verdict < v))
			v = r->verdict;
	}
	return v;
}

enum bgp_filter_verdict
bgp_filter_check(
	const struct bgp_filter *f, const struct vbr_bgp_group *g, uint32_t addr, uint8_t len)
{
	enum bgp_filter_verdict v;

	if (len > 32)
		return BGP_FILTER_TOO_LONG;
	if (len == 0)
		return g->accept_default ? BGP_FILTER_ACCEPT : BGP_FILTER_DEFAULT;
	v = bgp_filter_match(f, addr, len);
	if (v == BGP_FILTER_ACCEPT && len > g->max_prefix_len)
		v = BGP_FILTER_TOO_LONG;
	return v;
}

const char *
bgp_filter_reason(enum bgp_filter_verdict v)
{
	static const char *const names[] = {
		[BGP_FILTER_ACCEPT] = "accepted",
		[BGP_FILTER_MARTIAN] = "martian",
		[BGP_FILTER_DEFAULT] = "default route (accept_default is off)",
		[BGP_FILTER_CONNECTED] = "inside a connected subnet",
		[BGP_FILTER_OUR_BLOCK] = "inside one of our BGP CIDR blocks",
		[BGP_FILTER_STATIC_VPC] = "inside a static route toward the VPC",
		[BGP_FILTER_TOO_LONG] = "longer than max_prefix_len",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
