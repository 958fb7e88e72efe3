/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rules (rules.h) as the loader needs them: the key a rule blames
 * apart from its text, so that the loader can point at that key's line and
 * column, and the range of earlier objects a duplicate is looked for in.
 * Internal to config/.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "config.h"
#include "value.h"

#define RULE_NO_SKIP UINT_MAX

struct rule_err {
	const char *key; /* the key blamed, or NULL: the object as a whole */
	int port;	 /* rules_ports: the port blamed */
	char text[VALUE_MSG_MAX];
	char key_buf[64]; /* a nested key ("bfd.min_rx"), when key points here */
};

int rule_fail(struct rule_err *e, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Duplicates are looked for among the first n objects of cfg's array but
 * the one at skip (RULE_NO_SKIP: none); a peer counts as peer number n + 1
 * (n if skip is one of them) against vbr.max_peers.
 */
int rules_hold_time(unsigned int v, struct rule_err *e);
/* A group's BFD authentication: a key, no longer than its type takes. */
int rules_bfd_auth(const struct vbr_bfd_auth *a, struct rule_err *e);
int rules_group(const struct vbr_config *cfg, const struct vbr_bgp_group *g, unsigned int n,
	unsigned int skip, struct rule_err *e);
int rules_peer(const struct vbr_config *cfg, const struct vbr_bgp_peer *p, unsigned int n,
	unsigned int skip, struct rule_err *e);
int rules_network(const struct vbr_config *cfg, const struct vbr_prefix *net, unsigned int n,
	unsigned int skip, struct rule_err *e);
/* same: the index of another route with r's prefix, or -1. */
int rules_route(const struct vbr_config *cfg, const struct vbr_static_route *r, long same,
	struct rule_err *e);
int rules_neighbor(const struct vbr_config *cfg, const struct vbr_neighbor *nb, unsigned int n,
	unsigned int skip, struct rule_err *e);
int rules_ports(const struct vbr_config *cfg, struct rule_err *e);
/* A port's own address (the host bits are ours): unicast, not /0, not the
 * network or broadcast address of its subnet. */
int rules_port_address(const struct vbr_prefix *p, struct rule_err *e);

/* Bring cfg's prefix index up to date (rebuilt if stale, or always with
 * force: routes[] may have been written in place). 0 or -ENOMEM. */
int config_route_index_sync(const struct vbr_config *cfg, bool force);
