/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr's YAML schema: the sections, their keys, their defaults, and where
 * the loader applies the product's rules (rules.h). The tables are shared
 * by the loader, the management API's setters (rules.c) and the writer.
 */
#pragma once

#include <yaml.h>

#include "config.h"
#include "rules_impl.h"
#include "walk.h"

extern const struct schema schema_root;	    /* the document: vbr, ports, fib, ... */
extern const struct schema schema_vbr;	    /* on struct vbr_config */
extern const struct schema schema_port;	    /* on struct vbr_port_config */
extern const struct schema schema_fib;	    /* on struct vbr_fib_config */
extern const struct schema schema_metrics;  /* on struct vbr_metrics_config */
extern const struct schema schema_group;    /* on struct vbr_bgp_group */
extern const struct schema schema_peer;	    /* on struct vbr_bgp_peer */
extern const struct schema schema_route;    /* on struct vbr_static_route */
extern const struct schema schema_neighbor; /* on struct vbr_neighbor */
extern const struct schema schema_track;    /* on struct vbr_track */
extern const struct schema schema_bgp;	    /* on struct vbr_config: the bgp section */
extern const struct field schema_network;   /* a bgp.networks element: a scalar */

/* Clear cfg (its route table emptied, not freed) and set every default
 * that does not depend on other values. */
void schema_defaults(struct vbr_config *cfg);
void schema_group_defaults(struct vbr_bgp_group *g);
/* A route's next_hops as read: a list of one becomes next_hop, next_hop is
 * the list's first. */
void schema_route_next_hops_done(struct vbr_static_route *r);

/* Parse and check a document's root into w->cfg (set to its defaults). */
int schema_walk(struct walk *w, const yaml_node_t *root);

/* Each of obj's scalar values through its text form and back into a
 * scratch copy: the loader's parsers, bounds and one-value rules applied to
 * an object built some other way. e->key names the first key refused. */
int schema_recheck(
	const struct schema *s, const void *obj, const struct vbr_config *cfg, struct rule_err *e);
