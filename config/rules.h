/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The product's rules on a config, as functions of the in-memory config:
 * the YAML loader and the management API apply the same ones and give the
 * same messages. A message is one line in the user's words, without a
 * location: "hold_time: 2 is neither 0 nor 3..65535". The loader puts
 * "FILE:LINE:COLUMN: " and the object's path before it ("t.yaml:7:18:
 * bgp.groups[0].hold_time: 2 is neither 0 nor 3..65535"); the API sends it
 * as it is. When a rule blames one key, the message starts with "KEY: ".
 *
 * Libc only, like the rest of config/.
 */
#pragma once

#include <stddef.h>

#include "config.h"

/*
 * One object against the config it is, or is to be, part of. The object
 * may be an element of cfg's array (it is then compared with the others)
 * or a candidate outside it (compared with all of them, and counted as
 * one more: a peer past vbr.max_peers is refused). Each checks the
 * object's own values too (bounds, as the loader's parsers do), so that a
 * candidate built by hand cannot hold what a file could not. Return 0, or
 * -EINVAL with the message in msg (always NUL-terminated).
 *
 * group: hold_time 0 or 3..65535, hold_time vs min_hold_time,
 *   send_hold_time above hold_time, error_wait_max >= error_wait_min,
 *   peer_asn != vbr.local_asn (eBGP only), a unique name.
 * peer: its group exists; its address is on the idc port's subnet and is
 *   not the subnet's network or broadcast address nor ours; no other peer
 *   has it; at most vbr.max_peers peers.
 * network: no host bits; not a duplicate.
 * route: no host bits; the next hop on a port's subnet and not our
 *   address there (nor the network or broadcast address); not a duplicate
 *   (found through the config's prefix index: O(1)).
 * neighbor: on a port's subnet, not ours; not a duplicate.
 * ports: separate subnets, devices and taps.
 */
int rule_group(const struct vbr_config *cfg, const struct vbr_bgp_group *g, char *msg, size_t len);
int rule_peer(const struct vbr_config *cfg, const struct vbr_bgp_peer *p, char *msg, size_t len);
int rule_network(const struct vbr_config *cfg, const struct vbr_prefix *n, char *msg, size_t len);
int rule_route(
	const struct vbr_config *cfg, const struct vbr_static_route *r, char *msg, size_t len);
int rule_neighbor(
	const struct vbr_config *cfg, const struct vbr_neighbor *n, char *msg, size_t len);
int rule_ports(const struct vbr_config *cfg, char *msg, size_t len);

/*
 * Every rule on a complete candidate (the API's clone of the live config
 * with a change applied), in the loader's order: the first problem, with
 * the path of the object, as the loader would give it without its
 * "FILE:LINE:COLUMN: ": "bgp.peers[8]: more than vbr.max_peers (8) peers".
 * O(n) in the number of static routes.
 */
int config_validate(const struct vbr_config *cfg, char *msg, size_t len);

/* The kinds of objects whose keys can be set one by one. */
enum config_kind {
	CONFIG_VBR,	 /* struct vbr_config: the vbr section's keys */
	CONFIG_PORT,	 /* struct vbr_port_config */
	CONFIG_FIB,	 /* struct vbr_fib_config */
	CONFIG_GROUP,	 /* struct vbr_bgp_group */
	CONFIG_PEER,	 /* struct vbr_bgp_peer */
	CONFIG_NETWORK,	 /* struct vbr_prefix; the key is "cidr" */
	CONFIG_ROUTE,	 /* struct vbr_static_route */
	CONFIG_NEIGHBOR, /* struct vbr_neighbor */
};

/*
 * Set one key of obj from its text form with the YAML loader's own table
 * row: the same parser, bounds and message ("hold_time: 70000 is out of
 * range (0..65535)"; an unknown key: "unknown key \"x\" for a BGP group;
 * expected one of: name, peer_asn, ..."). A rule about the one value is
 * applied (hold_time 2); rules between values are not (hold_time below
 * min_hold_time may be what the next key fixes): apply rule_xxx or
 * config_validate once every key is set. cfg is where a peer's group is
 * looked up by name, and the ports a route's next hop or a neighbour is
 * placed on (their port member); it may be NULL for the other kinds. On
 * error obj is unchanged.
 */
int config_set(const struct vbr_config *cfg, enum config_kind kind, void *obj, const char *key,
	const char *value, char *msg, size_t len);
int config_group_set(
	struct vbr_bgp_group *g, const char *key, const char *value, char *msg, size_t len);
int config_peer_set(const struct vbr_config *cfg, struct vbr_bgp_peer *p, const char *key,
	const char *value, char *msg, size_t len);
int config_route_set(const struct vbr_config *cfg, struct vbr_static_route *r, const char *key,
	const char *value, char *msg, size_t len);
int config_neighbor_set(const struct vbr_config *cfg, struct vbr_neighbor *n, const char *key,
	const char *value, char *msg, size_t len);
int config_network_set(struct vbr_prefix *n, const char *value, char *msg, size_t len);

/* A new object's defaults, as the loader gives an element that states
 * only its required keys. */
void config_group_init(struct vbr_bgp_group *g);


/* The keys of a kind, in the file's order ("name, peer_asn, key, ..."). */
void config_keys(enum config_kind kind, char *buf, size_t len);
