/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr's YAML schema. Each section is a table of keys (see walk.h), each key
 * with the value type that parses its text (value.h); what cannot be said
 * in a table row, the rules between values, is in rules.c, which the check
 * functions here call with the config loaded so far: a BGP peer lies on
 * the IDC port's subnet, a static route's next hop on a port's subnet, no
 * more peers than vbr.max_peers...
 *
 * The root's table order is the order of dependence: ports are known when
 * peers and routes are checked, groups when peers name them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "schema.h"

#define ASN_MAX UINT32_MAX

void
schema_defaults(struct vbr_config *cfg)
{
	static const char *const taps[VBR_NB_PORTS] = {"vbr-idc", "vbr-vpc"};

	config_reset(cfg);
	cfg->local_asn = VBR_DEFAULT_ASN;
	cfg->max_peers = VBR_DEFAULT_MAX_PEERS;
	for (int i = 0; i < VBR_NB_PORTS; i++) {
		struct vbr_port_config *p = &cfg->ports[i];

		snprintf(p->tap, sizeof(p->tap), "%s", taps[i]);
		p->mtu = 1500;
		p->punt_rate = 10000;
		p->max_neighbors = VBR_DEFAULT_MAX_NEIGHBORS;
		p->reachable_time = VBR_DEFAULT_REACHABLE_TIME;
	}
	cfg->fib.max_routes = 1048576; /* a full Internet table and room to grow */
	cfg->fib.max_tbl8 = 65536;
	cfg->fib.max_nexthops = 65536;
	cfg->bgp_multipath = 1;
	/* router_id stays 0 until the IDC address is known: see check_root(). */
}

/* A rule's message at the key it blames, or at the object. */
static int
rule_error(struct walk *w, const yaml_node_t *node, const struct rule_err *e)
{
	if (e->key)
		return walk_error_key(w, node, e->key, "%s", e->text);
	return walk_error(w, node, "%s", e->text);
}

/* --- vbr --- */

static int
parse_router_id(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	int rc = value_ipv4.parse(f, s, len, obj, c);

	/* 0 means "not set" in vbr_config, and RFC 6286 forbids it anyway. */
	if (rc == 0 && ((struct vbr_config *)obj)->router_id == 0)
		return value_error(c, "0.0.0.0 is not a BGP identifier");
	return rc;
}

static const struct value_type value_router_id = {
	.what = "an IPv4 address",
	.parse = parse_router_id,
	.format = value_format_ipv4,
};

#define VBR(m) WALK_MEMBER(struct vbr_config, m)
/* clang-format off */
static const struct field vbr_fields[] = {
	{.key = "name", .type = &value_string, VBR(name)},
	{.key = "local_asn", .type = &value_asn, VBR(local_asn), .min = 1, .max = ASN_MAX},
	{.key = "router_id", .type = &value_router_id, VBR(router_id)},
	{.key = "max_peers", .type = &value_uint, VBR(max_peers), .min = 1, .max = VBR_MAX_PEERS},
};
/* clang-format on */
const struct schema schema_vbr = WALK_SCHEMA(vbr_fields, .size = sizeof(struct vbr_config));

/* --- ports --- */

/* Our address/len: the host bits are our address, so they may be set. */
static int
parse_port_address(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	struct vbr_port_config *port = obj;
	struct rule_err e;
	struct vbr_prefix p;
	int rc = value_parse_any_prefix(s, len, &p, c);

	(void)f;
	if (rc < 0)
		return rc;
	if (rules_port_address(&p, &e) < 0)
		return value_error(c, "%s", e.text);
	port->address = p.addr;
	port->prefix_len = p.len;
	return 0;
}

static void
format_port_address(const struct field *f, const void *obj, const struct vbr_config *cfg,
	char *buf, size_t len)
{
	const struct vbr_port_config *port = obj;
	struct vbr_prefix p = {port->address, port->prefix_len};

	(void)f;
	(void)cfg;
	config_prefix_str(&p, buf, len);
}

static const struct value_type value_port_address = {
	.what = "an IPv4 prefix",
	.parse = parse_port_address,
	.format = format_port_address,
};

static bool
has_space(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return true;
	return false;
}

/* A PCI address (0000:3b:00.0) or a vdev with its arguments (net_tap0,iface=x):
 * handed to EAL as is, so only what would break its argument list is refused. */
static int
parse_device(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	char old[VBR_DEVICE_MAX];
	char *dst = (char *)obj + f->off;
	int rc;

	memcpy(old, dst, sizeof(old));
	rc = value_string.parse(f, s, len, obj, c);
	if (rc == 0 && has_space(dst)) {
		memcpy(dst, old, sizeof(old));
		return value_error(c, "a device name has no spaces or control characters");
	}
	return rc;
}

static const struct value_type value_device = {
	.what = "a string",
	.parse = parse_device,
	.format = value_format_string,
	.quoted = true,
};

/* A Linux interface name: at most IFNAMSIZ - 1, no '/', no space, not . or .. */
static int
parse_ifname(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX], old[VBR_IFNAME_MAX];
	char *name = (char *)obj + f->off;
	int rc;

	memcpy(old, name, sizeof(old));
	rc = value_string.parse(f, s, len, obj, c);
	if (rc < 0)
		return rc;
	if (has_space(name) || strchr(name, '/') || strchr(name, ':') || strcmp(name, ".") == 0 ||
		strcmp(name, "..") == 0) {
		memcpy(name, old, sizeof(old));
		return value_error(c, "%s is not a valid interface name", value_quote(q, s, len));
	}
	return 0;
}

static const struct value_type value_ifname = {
	.what = "a string",
	.parse = parse_ifname,
	.format = value_format_string,
	.quoted = true,
};

#define PORT(m) WALK_MEMBER(struct vbr_port_config, m)
/* clang-format off */
static const struct field port_fields[] = {
	{.key = "device", .type = &value_device, PORT(device), .min = 1, .required = true},
	{.key = "address", .type = &value_port_address, .required = true},
	{.key = "tap", .type = &value_ifname, PORT(tap), .min = 1},
	{.key = "mtu", .type = &value_uint, PORT(mtu), .min = 68, .max = 9600},
	{.key = "punt_rate", .type = &value_uint, PORT(punt_rate), .min = 1, .max = UINT32_MAX},
	{.key = "max_neighbors", .type = &value_uint, PORT(max_neighbors), .min = 0,
	 .max = VBR_MAX_NEIGHBORS_LIMIT},
	{.key = "reachable_time", .type = &value_uint, PORT(reachable_time), .min = 1,
	 .max = 3600},
};
/* clang-format on */
const struct schema schema_port =
	WALK_SCHEMA(port_fields, .size = sizeof(struct vbr_port_config), .what = "a port");

static int
check_ports(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = obj;
	const struct vbr_port_config *idc = &cfg->ports[VBR_PORT_IDC];
	const struct vbr_port_config *vpc = &cfg->ports[VBR_PORT_VPC];
	const yaml_node_t *vpc_node = walk_value(w, node, "vpc");
	struct rule_err e;
	size_t old;
	int rc;

	/* The vpc port, second, is blamed for a clash, unless it is a tap name
	 * that only the idc port states (the other is a default). */
	if (strcmp(idc->tap, vpc->tap) == 0 && walk_value(w, vpc_node, "tap") == NULL) {
		old = walk_path_push(w, "idc");
		rc = walk_error_key(w, walk_value(w, node, "idc"), "tap",
			"\"%s\" is the vpc port's tap too", idc->tap);
		walk_path_pop(w, old);
		return rc;
	}
	if (rules_ports(cfg, &e) == 0)
		return 0;
	old = walk_path_push(w, config_port_name(e.port));
	rc = rule_error(w, walk_value(w, node, config_port_name(e.port)), &e);
	walk_path_pop(w, old);
	return rc;
}

#define CFG_PORT(i) .off = offsetof(struct vbr_config, ports[i])
/* clang-format off */
static const struct field ports_fields[] = {
	{.key = "idc", .parse = walk_map_field, CFG_PORT(VBR_PORT_IDC), .map = &schema_port,
		.required = true},
	{.key = "vpc", .parse = walk_map_field, CFG_PORT(VBR_PORT_VPC), .map = &schema_port,
		.required = true},
};
/* clang-format on */
static const struct schema ports_schema = WALK_SCHEMA(ports_fields, .check = check_ports);

/* --- fib --- */

#define FIB(m) WALK_MEMBER(struct vbr_fib_config, m)
/* clang-format off */
static const struct field fib_fields[] = {
	/* rte_fib takes an int; tbl8 groups cost 256 entries each. */
	{.key = "max_routes", .type = &value_uint, FIB(max_routes), .min = 1, .max = INT32_MAX},
	{.key = "max_tbl8", .type = &value_uint, FIB(max_tbl8), .min = 1, .max = 1u << 24},
	/* Connected and local next hops of both ports take 4 ids. */
	{.key = "max_nexthops", .type = &value_uint, FIB(max_nexthops), .min = 8, .max = 1u << 24},
};
/* clang-format on */
const struct schema schema_fib = WALK_SCHEMA(fib_fields, .size = sizeof(struct vbr_fib_config));

/* --- metrics --- */

/* A.B.C.D:PORT, the one text for both members, so that a file's error
 * points at the value as written. IPv4 only, as the rest of vbr. */
static int
parse_listen(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	struct vbr_metrics_config *m = obj;
	char q[VALUE_QUOTE_MAX];
	const char *colon = NULL;
	uint64_t port = 0;
	uint32_t addr;
	size_t i;

	(void)f;
	/* The last colon (memrchr is GNU's; the fuzz harness builds as C11). */
	for (i = len; i > 0 && colon == NULL; i--)
		if (s[i - 1] == ':')
			colon = s + i - 1;
	if (colon == NULL || colon == s || colon + 1 == s + len)
		return value_error(c, "expected ADDRESS:PORT (an IPv4 address and a port), got %s",
			value_quote(q, s, len));
	if (inet_parse_ipv4(s, (size_t)(colon - s), &addr) != INET_OK)
		return value_error(c, "%s: the address is not an IPv4 address (IPv4 only)",
			value_quote(q, s, len));
	for (i = (size_t)(colon - s) + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || port > 65535)
			break;
		port = port * 10 + (uint64_t)(s[i] - '0');
	}
	if (i != len || port == 0 || port > 65535)
		return value_error(c, "%s: the port is not a number from 1 to 65535",
			value_quote(q, s, len));
	m->listen_addr = addr;
	m->listen_port = (uint16_t)port;
	return 0;
}

static void
format_listen(const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf,
	size_t len)
{
	const struct vbr_metrics_config *m = obj;
	char a[VBR_IP_STRLEN];

	(void)f;
	(void)cfg;
	if (m->listen_port == 0)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s:%u", config_ip_str(m->listen_addr, a, sizeof(a)),
			m->listen_port);
}

static const struct value_type value_listen = {
	.what = "ADDRESS:PORT",
	.parse = parse_listen,
	.format = format_listen,
};

/* clang-format off */
static const struct field metrics_fields[] = {
	{.key = "listen", .type = &value_listen, .required = true},
};
/* clang-format on */
const struct schema schema_metrics =
	WALK_SCHEMA(metrics_fields, .size = sizeof(struct vbr_metrics_config));

/* --- bgp.groups --- */

static const char *const maxpfx_actions[] = {
	[VBR_MAXPFX_DROP] = "drop",
	[VBR_MAXPFX_TEARDOWN] = "teardown",
	NULL,
};

void
schema_group_defaults(struct vbr_bgp_group *g)
{
	memset(g, 0, sizeof(*g));
	g->max_prefixes = VBR_DEFAULT_MAX_PREFIXES;
	g->max_prefixes_action = VBR_MAXPFX_DROP;
	g->max_prefixes_restart = 60;
	g->hold_time = 90;
	g->min_hold_time = VBR_DEFAULT_MIN_HOLD_TIME;
	g->connect_retry = 30;
	g->error_wait_min = 1;
	g->error_wait_max = 120;
	g->multihop = 1;
	g->max_prefix_len = VBR_DEFAULT_MAX_PREFIX_LEN;
	g->max_as_path_len = VBR_DEFAULT_MAX_AS_PATH_LEN;
}

static void
group_defaults(void *obj)
{
	schema_group_defaults(obj);
}

/* RFC 4271 4.2: zero (no keepalives) or at least three seconds. */
static int
parse_hold_time(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	struct rule_err e;
	uint64_t v;
	int rc = value_parse_uint(f, s, len, &v, c);

	if (rc < 0)
		return rc;
	if (rules_hold_time((unsigned int)v, &e) < 0)
		return value_error(c, "%s", e.text);
	value_store_uint(f, obj, v);
	return 0;
}

static const struct value_type value_hold_time = {
	.what = "an integer",
	.parse = parse_hold_time,
	.format = value_format_uint,
};

static int
check_group(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct rule_err e;

	if (rules_group(w->cfg, obj, w->cfg->nb_groups, RULE_NO_SKIP, &e) < 0)
		return rule_error(w, node, &e);
	return 0;
}

/* --- bgp.groups[].bfd --- */

static const char *const bfd_auth_types[] = {
	[VBR_BFD_AUTH_SHA1] = "sha1",
	[VBR_BFD_AUTH_METICULOUS_SHA1] = "meticulous-sha1",
	[VBR_BFD_AUTH_MD5] = "md5",
	[VBR_BFD_AUTH_METICULOUS_MD5] = "meticulous-md5",
	NULL,
};

/* The loader calls init only for a map the file has: that is its presence. */
static void
bfd_auth_init(void *obj)
{
	struct vbr_bfd_auth *a = obj;

	memset(a, 0, sizeof(*a));
	a->enabled = true;
	a->key_id = 1;
}

static bool
bfd_auth_present(const void *obj)
{
	return ((const struct vbr_bfd_auth *)obj)->enabled;
}

static int
check_bfd_auth(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct rule_err e;

	if (rules_bfd_auth(obj, &e) < 0)
		return rule_error(w, node, &e);
	return 0;
}

#define BFD_AUTH(m) WALK_MEMBER(struct vbr_bfd_auth, m)
/* clang-format off */
static const struct field bfd_auth_fields[] = {
	{.key = "type", .type = &value_enum, BFD_AUTH(type), .names = bfd_auth_types,
		.required = true},
	{.key = "key_id", .type = &value_uint, BFD_AUTH(key_id), .min = 0, .max = 255},
	{.key = "key", .type = &value_string, BFD_AUTH(key), .min = 1, .required = true},
};
/* clang-format on */
static const struct schema schema_bfd_auth = WALK_SCHEMA(bfd_auth_fields, .init = bfd_auth_init,
	.check = check_bfd_auth, .size = sizeof(struct vbr_bfd_auth), .present = bfd_auth_present,
	.what = "BFD authentication");

static void
bfd_init(void *obj)
{
	struct vbr_bfd *b = obj;

	memset(b, 0, sizeof(*b));
	b->enabled = true;
	b->min_rx = VBR_BFD_INTERVAL_DEFAULT;
	b->min_tx = VBR_BFD_INTERVAL_DEFAULT;
	b->multiplier = VBR_BFD_MULT_DEFAULT;
}

static bool
bfd_present(const void *obj)
{
	return ((const struct vbr_bfd *)obj)->enabled;
}

#define BFD(m) WALK_MEMBER(struct vbr_bfd, m)
/* clang-format off */
static const struct field bfd_fields[] = {
	{.key = "min_rx", .type = &value_uint, BFD(min_rx), .min = VBR_BFD_INTERVAL_MIN,
		.max = VBR_BFD_INTERVAL_MAX},
	{.key = "min_tx", .type = &value_uint, BFD(min_tx), .min = VBR_BFD_INTERVAL_MIN,
		.max = VBR_BFD_INTERVAL_MAX},
	{.key = "multiplier", .type = &value_uint, BFD(multiplier), .min = VBR_BFD_MULT_MIN,
		.max = VBR_BFD_MULT_MAX},
	{.key = "auth", .parse = walk_map_field, BFD(auth), .map = &schema_bfd_auth},
};
/* clang-format on */
static const struct schema schema_bfd = WALK_SCHEMA(bfd_fields, .init = bfd_init,
	.size = sizeof(struct vbr_bfd), .present = bfd_present, .what = "BFD");

#define GROUP(m) WALK_MEMBER(struct vbr_bgp_group, m)
/* clang-format off */
static const struct field group_fields[] = {
	{.key = "name", .type = &value_string, GROUP(name), .min = 1, .required = true},
	{.key = "peer_asn", .type = &value_asn, GROUP(peer_asn), .min = 1, .max = ASN_MAX,
		.required = true},
	{.key = "key", .type = &value_string, GROUP(key)},
	{.key = "description", .type = &value_string, GROUP(description)},
	{.key = "max_prefixes", .type = &value_uint, GROUP(max_prefixes), .min = 1,
		.max = UINT32_MAX},
	{.key = "max_prefixes_action", .type = &value_enum, GROUP(max_prefixes_action),
		.names = maxpfx_actions},
	{.key = "max_prefixes_restart", .type = &value_uint, GROUP(max_prefixes_restart),
		.min = 1, .max = UINT32_MAX},
	{.key = "hold_time", .type = &value_hold_time, GROUP(hold_time), .min = 0,
		.max = UINT16_MAX},
	{.key = "min_hold_time", .type = &value_uint, GROUP(min_hold_time), .min = 0,
		.max = UINT16_MAX},
	{.key = "send_hold_time", .type = &value_uint, GROUP(send_hold_time), .min = 0,
		.max = UINT16_MAX},
	{.key = "connect_retry", .type = &value_uint, GROUP(connect_retry), .min = 1,
		.max = UINT16_MAX},
	{.key = "error_wait_min", .type = &value_uint, GROUP(error_wait_min), .min = 1,
		.max = UINT16_MAX},
	{.key = "error_wait_max", .type = &value_uint, GROUP(error_wait_max), .min = 1,
		.max = UINT16_MAX},
	{.key = "multihop", .type = &value_uint, GROUP(multihop), .min = 1, .max = 255},
	{.key = "passive", .type = &value_bool, GROUP(passive)},
	{.key = "gtsm", .type = &value_bool, GROUP(gtsm)},
	{.key = "accept_default", .type = &value_bool, GROUP(accept_default)},
	{.key = "max_prefix_len", .type = &value_uint, GROUP(max_prefix_len), .min = 1,
		.max = 32},
	{.key = "max_as_path_len", .type = &value_uint, GROUP(max_as_path_len), .min = 1,
		.max = VBR_MAX_AS_PATH_LEN},
	{.key = "bfd", .parse = walk_map_field, GROUP(bfd), .map = &schema_bfd},
};
/* clang-format on */
const struct schema schema_group = WALK_SCHEMA(group_fields, .init = group_defaults,
	.check = check_group, .size = sizeof(struct vbr_bgp_group), .what = "a BGP group");
static const struct field group_elem = {.parse = walk_map_field, .map = &schema_group};

/* --- bgp.peers --- */

/* By name, among the groups already parsed: bgp.groups comes first in bgp_fields. */
static int
parse_peer_group(const struct field *f, const char *s, size_t len, void *obj,
	const struct value_ctx *c)
{
	const struct vbr_config *cfg = c->cfg;
	struct vbr_bgp_peer *peer = obj;
	char q[VALUE_QUOTE_MAX];

	(void)f;
	for (unsigned int i = 0; cfg && i < cfg->nb_groups; i++)
		if (strlen(cfg->groups[i].name) == len &&
			memcmp(cfg->groups[i].name, s, len) == 0) {
			peer->group = i;
			return 0;
		}
	return value_error(c, "unknown BGP group %s%s", value_quote(q, s, len),
		cfg && cfg->nb_groups ? "" : " (bgp.groups defines none)");
}

static void
format_peer_group(const struct field *f, const void *obj, const struct vbr_config *cfg,
	char *buf, size_t len)
{
	const struct vbr_bgp_peer *peer = obj;

	(void)f;
	if (cfg && peer->group < cfg->nb_groups)
		snprintf(buf, len, "%s", cfg->groups[peer->group].name);
	else
		snprintf(buf, len, "%s", "");
}

static const struct value_type value_peer_group = {
	.what = "a BGP group name",
	.parse = parse_peer_group,
	.format = format_peer_group,
	.quoted = true,
};

static int
check_peer(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct vbr_bgp_peer *peer = obj;
	struct rule_err e;

	peer->line = (int)node->start_mark.line + 1;
	if (rules_peer(w->cfg, peer, w->cfg->nb_peers, RULE_NO_SKIP, &e) < 0)
		return rule_error(w, node, &e);
	return 0;
}

#define PEER(m) WALK_MEMBER(struct vbr_bgp_peer, m)
/* clang-format off */
static const struct field peer_fields[] = {
	{.key = "group", .type = &value_peer_group, PEER(group), .required = true},
	{.key = "address", .type = &value_ipv4, PEER(address), .required = true},
	{.key = "description", .type = &value_string, PEER(description)},
	{.key = "disabled", .type = &value_bool, PEER(disabled)},
};
/* clang-format on */
const struct schema schema_peer = WALK_SCHEMA(peer_fields, .check = check_peer,
	.size = sizeof(struct vbr_bgp_peer), .what = "a BGP peer");
static const struct field peer_elem = {.parse = walk_map_field, .map = &schema_peer};

/* --- bgp.networks --- */

static int
check_network(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct rule_err e;

	if (rules_network(w->cfg, obj, w->cfg->nb_networks, RULE_NO_SKIP, &e) < 0)
		return rule_error(w, node, &e);
	return 0;
}

const struct field schema_network = {
	.key = "cidr", .type = &value_prefix, .size = sizeof(struct vbr_prefix)};

/* --- bgp --- */

static const struct seq groups_seq = {
	.what = "BGP groups",
	.elem = &group_elem,
	.elem_size = sizeof(struct vbr_bgp_group),
	.count_off = offsetof(struct vbr_config, nb_groups),
	.max = VBR_MAX_GROUPS,
};
static const struct seq peers_seq = {
	.what = "BGP peers",
	.elem = &peer_elem,
	.elem_size = sizeof(struct vbr_bgp_peer),
	.count_off = offsetof(struct vbr_config, nb_peers),
	.max = VBR_MAX_PEERS,
};
static const struct seq networks_seq = {
	.what = "BGP networks",
	.elem = &schema_network,
	.elem_size = sizeof(struct vbr_prefix),
	.count_off = offsetof(struct vbr_config, nb_networks),
	.max = VBR_MAX_NETWORKS,
	.check = check_network,
};

/* clang-format off */
static const struct field bgp_fields[] = {
	{.key = "groups", .parse = walk_seq, VBR(groups), .seq = &groups_seq},
	{.key = "peers", .parse = walk_seq, VBR(peers), .seq = &peers_seq},
	{.key = "networks", .parse = walk_seq, VBR(networks), .seq = &networks_seq},
	/* ECMP over equal BGP paths; 1: the best path alone. */
	{.key = "multipath", .type = &value_uint, VBR(bgp_multipath), .min = 1,
		.max = VBR_MAX_NEXT_HOPS},
	{.key = "multipath_relax", .type = &value_bool, VBR(bgp_multipath_relax)},
};
/* clang-format on */
const struct schema schema_bgp = WALK_SCHEMA(bgp_fields);

/* --- routes --- */

static int
check_route(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct vbr_static_route *r = obj;
	struct rule_err e;

	/* One of next_hop and next_hops (the walker read both if given). */
	if (r->nb_next_hops != 0 && r->next_hop != 0)
		return walk_error_key(
			w, node, "next_hops", "next_hop and next_hops: give one of them");
	if (r->nb_next_hops == 0 && r->next_hop == 0)
		return walk_error(w, node, "missing required key \"next_hop\" (or \"next_hops\")");
	schema_route_next_hops_done(r);
	if (rules_route(w->cfg, r, config_route_find(w->cfg, &r->prefix), &e) < 0)
		return rule_error(w, node, &e);
	return 0;
}

/* next_hops as one text, for config_set and the writer's comparisons:
 * "10.0.0.2,10.0.0.3" (blanks allowed after commas); "" for none. */
static int
parse_next_hops(
	const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	struct vbr_static_route *r = obj;
	uint32_t gw[VBR_MAX_NEXT_HOPS];
	unsigned int n = 0;
	char q[VALUE_QUOTE_MAX];

	(void)f;
	for (size_t i = 0; len != 0;) {
		size_t j, k;

		while (i < len && s[i] == ' ')
			i++;
		for (j = i; j < len && s[j] != ','; j++)
			;
		for (k = j; k > i && s[k - 1] == ' '; k--)
			;
		if (n == VBR_MAX_NEXT_HOPS)
			return value_error(c, "too many next hops (at most %u)", VBR_MAX_NEXT_HOPS);
		if (inet_parse_ipv4(s + i, k - i, &gw[n]) != INET_OK)
			return value_error(
				c, "%s is not an IPv4 address", value_quote(q, s + i, k - i));
		n++;
		if (j == len)
			break;
		i = j + 1;
	}
	memcpy(r->next_hops, gw, n * sizeof(gw[0]));
	r->nb_next_hops = n;
	return 0;
}

static void
format_next_hops(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	const struct vbr_static_route *r = obj;
	size_t off = 0;

	(void)f;
	(void)cfg;
	buf[0] = '\0';
	for (unsigned int i = 0; i < r->nb_next_hops && i < VBR_MAX_NEXT_HOPS && off < len; i++) {
		char a[VBR_IP_STRLEN];

		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
			config_ip_str(r->next_hops[i], a, sizeof(a)));
	}
}

static const struct value_type value_next_hops = {
	.what = "a list of IPv4 addresses",
	.parse = parse_next_hops,
	.format = format_next_hops,
};

static const struct field next_hop_elem = {
	.key = "next_hop", .type = &value_ipv4, .size = sizeof(uint32_t)};
static const struct seq next_hops_seq = {
	.what = "next hops",
	.elem = &next_hop_elem,
	.elem_size = sizeof(uint32_t),
	.count_off = offsetof(struct vbr_static_route, nb_next_hops),
	.max = VBR_MAX_NEXT_HOPS,
};

void
schema_route_next_hops_done(struct vbr_static_route *r)
{
	/* A list of one is next_hop; next_hop is the list's first. */
	if (r->nb_next_hops == 1) {
		r->next_hop = r->next_hops[0];
		r->nb_next_hops = 0;
	}
	if (r->nb_next_hops > 1)
		r->next_hop = r->next_hops[0];
	if (r->nb_next_hops == 0)
		memset(r->next_hops, 0, sizeof(r->next_hops));
}

/* No bound but memory: the prefix index keeps the duplicate check O(1). */
static int
add_route(struct walk *w, const yaml_node_t *node, void *obj, const void *elem)
{
	int rc = config_route_add(obj, elem);

	if (rc == -ENOMEM)
		return walk_error(w, node, "out of memory");
	if (rc < 0)
		return walk_error(w, node, "%s", strerror(-rc));
	return 0;
}

static void
track_defaults(void *obj)
{
	struct vbr_track *t = obj;

	t->interval = VBR_TRACK_DEFAULT_INTERVAL;
	t->misses = VBR_TRACK_DEFAULT_MISSES;
	t->rise = VBR_TRACK_DEFAULT_RISE;
}

#define TRACK(m) WALK_MEMBER(struct vbr_track, m)
/* clang-format off */
static const struct field track_fields[] = {
	{.key = "interval", .type = &value_uint, TRACK(interval), .min = 1, .max = 60},
	{.key = "misses", .type = &value_uint, TRACK(misses), .min = 2, .max = 100},
	{.key = "rise", .type = &value_uint, TRACK(rise), .min = 1, .max = 100},
};
/* clang-format on */
static bool
track_present(const void *obj)
{
	return ((const struct vbr_track *)obj)->interval != 0;
}

const struct schema schema_track = WALK_SCHEMA(track_fields, .init = track_defaults,
	.present = track_present, .size = sizeof(struct vbr_track),
	.what = "a next hop's track");

#define ROUTE(m) WALK_MEMBER(struct vbr_static_route, m)
/* clang-format off */
static const struct field route_fields[] = {
	{.key = "prefix", .type = &value_prefix, ROUTE(prefix), .required = true},
	/* One of the two (check_route). */
	{.key = "next_hop", .type = &value_ipv4, ROUTE(next_hop)},
	/* A YAML sequence in a file, a comma-separated text in config_set. */
	{.key = "next_hops", .type = &value_next_hops, .parse = walk_seq, ROUTE(next_hops),
		.seq = &next_hops_seq},
	{.key = "track", .parse = walk_map_field, ROUTE(track), .map = &schema_track},
};
/* clang-format on */
const struct schema schema_route = WALK_SCHEMA(route_fields, .check = check_route,
	.size = sizeof(struct vbr_static_route), .what = "a static route");
static const struct field route_elem = {.parse = walk_map_field, .map = &schema_route};

static const struct seq routes_seq = {
	.what = "static routes",
	.elem = &route_elem,
	.elem_size = sizeof(struct vbr_static_route),
	.count_off = offsetof(struct vbr_config, nb_routes),
	.add = add_route,
};

/* --- neighbors --- */

static int
check_neighbor(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct vbr_neighbor *n = obj;
	struct rule_err e;

	if (rules_neighbor(w->cfg, n, w->cfg->nb_neighbors, RULE_NO_SKIP, &e) < 0)
		return rule_error(w, node, &e);
	n->port = (enum vbr_port_id)config_port_of(w->cfg, n->address);
	return 0;
}

#define NEIGH(m) WALK_MEMBER(struct vbr_neighbor, m)
/* clang-format off */
static const struct field neighbor_fields[] = {
	{.key = "address", .type = &value_ipv4, NEIGH(address), .required = true},
	{.key = "mac", .type = &value_mac, NEIGH(mac), .required = true},
};
/* clang-format on */
const struct schema schema_neighbor = WALK_SCHEMA(neighbor_fields, .check = check_neighbor,
	.size = sizeof(struct vbr_neighbor), .what = "a neighbor");
static const struct field neighbor_elem = {.parse = walk_map_field, .map = &schema_neighbor};

static const struct seq neighbors_seq = {
	.what = "neighbors",
	.elem = &neighbor_elem,
	.elem_size = sizeof(struct vbr_neighbor),
	.count_off = offsetof(struct vbr_config, nb_neighbors),
	.max = VBR_MAX_NEIGHBORS,
};

/* --- the root --- */

static int
check_root(struct walk *w, const yaml_node_t *node, void *obj)
{
	struct vbr_config *cfg = obj;

	(void)w;
	(void)node;
	if (cfg->router_id == 0)
		cfg->router_id = cfg->ports[VBR_PORT_IDC].address;
	return 0;
}

/* clang-format off */
static const struct field root_fields[] = {
	{.key = "vbr", .parse = walk_map_field, .map = &schema_vbr},
	{.key = "ports", .parse = walk_map_field, .map = &ports_schema, .required = true},
	{.key = "fib", .parse = walk_map_field, VBR(fib), .map = &schema_fib},
	{.key = "metrics", .parse = walk_map_field, VBR(metrics), .map = &schema_metrics},
	{.key = "bgp", .parse = walk_map_field, .map = &schema_bgp},
	{.key = "routes", .parse = walk_seq, .seq = &routes_seq},
	{.key = "neighbors", .parse = walk_seq, VBR(neighbors), .seq = &neighbors_seq},
};
/* clang-format on */
const struct schema schema_root = WALK_SCHEMA(root_fields, .check = check_root);

int
schema_walk(struct walk *w, const yaml_node_t *root)
{
	return walk_map(w, root, &schema_root, w->cfg);
}

/* e's key under f's: "bfd" and "min_rx" make "bfd.min_rx". */
static void
key_under(const struct field *f, struct rule_err *e)
{
	char key[sizeof(e->key_buf)];

	snprintf(key, sizeof(key), "%s%s%s", f->key, e->key ? "." : "", e->key ? e->key : "");
	memcpy(e->key_buf, key, sizeof(key));
	e->key = e->key_buf;
}

/* An optional sub-map that is there, checked as its own object. */
static int
recheck_sub(const struct field *f, const void *obj, const struct vbr_config *cfg,
	struct rule_err *e)
{
	const void *sub = (const char *)obj + f->off;
	int rc;

	if (f->map == NULL || f->map->present == NULL || !f->map->present(sub))
		return 0;
	rc = schema_recheck(f->map, sub, cfg, e);
	if (rc < 0)
		key_under(f, e);
	return rc;
}

int
schema_recheck(
	const struct schema *s, const void *obj, const struct vbr_config *cfg, struct rule_err *e)
{
	struct value_ctx c = {.cfg = cfg, .msg = e->text, .len = sizeof(e->text)};
	char text[VALUE_TEXT_MAX];
	void *scratch = malloc(s->size);
	int rc = 0;

	e->key = NULL;
	e->text[0] = '\0';
	if (scratch == NULL)
		return rule_fail(e, NULL, "out of memory");
	memcpy(scratch, obj, s->size);
	for (unsigned int i = 0; i < s->nb_fields && rc == 0; i++) {
		const struct field *f = &s->fields[i];

		if (f->type == NULL) {
			rc = recheck_sub(f, obj, cfg, e);
			continue;
		}
		f->type->format(f, obj, cfg, text, sizeof(text));
		rc = f->type->parse(f, text, strlen(text), scratch, &c);
		if (rc < 0)
			e->key = f->key;
	}
	free(scratch);
	return rc;
}
