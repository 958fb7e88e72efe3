/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr's YAML schema. Each section is a table of keys (see walk.h); what
 * cannot be said in a table row, the rules between values, is in the check
 * functions: a BGP peer lies on the IDC port's subnet, a static route's next
 * hop on a port's subnet, no more peers than vbr.max_peers...
 *
 * The root's table order is the order of dependence: ports are known when
 * peers and routes are checked, groups when peers name them.
 */
#include <stdio.h>
#include <string.h>

#include "inet.h"
#include "schema.h"

#define ASN_MAX UINT32_MAX

void
schema_defaults(struct vbr_config *cfg)
{
	static const char *const taps[VBR_NB_PORTS] = {"vbr-idc", "vbr-vpc"};

	memset(cfg, 0, sizeof(*cfg));
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
	/* router_id stays 0 until the IDC address is known: see check_root(). */
}

/* --- addresses on the ports' subnets --- */

static uint32_t
port_net(const struct vbr_port_config *p)
{
	return p->address & inet_mask(p->prefix_len);
}

static uint32_t
port_bcast(const struct vbr_port_config *p)
{
	return port_net(p) | ~inet_mask(p->prefix_len);
}

static const char *
port_subnet_str(const struct vbr_port_config *p, char *buf, size_t len)
{
	struct vbr_prefix net = {port_net(p), p->prefix_len};

	return config_prefix_str(&net, buf, len);
}

/* Why addr, on port p's subnet, cannot be another station there; or NULL.
 * A /31 has no network or broadcast address (RFC 3021), a /32 no room. */
static const char *
not_a_station(const struct vbr_port_config *p, uint32_t addr)
{
	if (addr == p->address)
		return "our own address";
	if (p->prefix_len <= 30 && addr == port_net(p))
		return "the network address";
	if (p->prefix_len <= 30 && addr == port_bcast(p))
		return "the broadcast address";
	return NULL;
}

/* An address on one of the ports' subnets that is another station there:
 * a next hop or a static neighbour. Returns the port or a negative errno. */
static int
check_station(
	struct walk *w, const yaml_node_t *map, const char *key, uint32_t addr, const char *what)
{
	const struct vbr_config *cfg = w->cfg;
	char a[VBR_IP_STRLEN], idc[VBR_PREFIX_STRLEN], vpc[VBR_PREFIX_STRLEN];
	int port = config_port_of(cfg, addr);
	const char *why;

	config_ip_str(addr, a, sizeof(a));
	if (port < 0)
		return walk_error_key(w, map, key,
			"%s %s is on neither port's subnet (idc %s, vpc %s)", what, a,
			port_subnet_str(&cfg->ports[VBR_PORT_IDC], idc, sizeof(idc)),
			port_subnet_str(&cfg->ports[VBR_PORT_VPC], vpc, sizeof(vpc)));
	why = not_a_station(&cfg->ports[port], addr);
	if (why)
		return walk_error_key(w, map, key, "%s %s is %s on port %s (%s)", what, a, why,
			config_port_name(port),
			port_subnet_str(&cfg->ports[port], idc, sizeof(idc)));
	return port;
}

/* --- vbr --- */

static int
parse_router_id(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	int rc = walk_ipv4(w, node, f, obj);

	/* 0 means "not set" in vbr_config, and RFC 6286 forbids it anyway. */
	if (rc == 0 && ((struct vbr_config *)obj)->router_id == 0)
		return walk_error(w, node, "0.0.0.0 is not a BGP identifier");
	return rc;
}

#define VBR(m) WALK_MEMBER(struct vbr_config, m)
/* clang-format off */
static const struct field vbr_fields[] = {
	{.key = "name", .parse = walk_string, VBR(name)},
	{.key = "local_asn", .parse = walk_asn, VBR(local_asn), .min = 1, .max = ASN_MAX},
	{.key = "router_id", .parse = parse_router_id, VBR(router_id)},
	{.key = "max_peers", .parse = walk_uint, VBR(max_peers), .min = 1, .max = VBR_MAX_PEERS},
};
/* clang-format on */
static const struct schema vbr_schema = WALK_SCHEMA(vbr_fields);

/* --- ports --- */

/* Our address/len: the host bits are our address, so they may be set. */
static int
parse_port_address(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	struct vbr_port_config *port = obj;
	char a[VBR_IP_STRLEN];
	struct vbr_prefix p;
	uint8_t top;
	int rc = walk_parse_prefix(w, node, &p);

	(void)f;
	if (rc < 0)
		return rc;
	if (p.len == 0)
		return walk_error(w, node, "a port's subnet cannot be /0");
	/* 0/8, loopback, multicast, reserved and broadcast are nobody's address. */
	top = (uint8_t)(p.addr >> 24);
	if (top == 0 || top == 127 || top >= 224)
		return walk_error(w, node, "%s is not a unicast address",
			config_ip_str(p.addr, a, sizeof(a)));
	port->address = p.addr;
	port->prefix_len = p.len;
	if (p.len <= 30 && (p.addr == port_net(port) || p.addr == port_bcast(port)))
		return walk_error(w, node, "%s is the %s address of its subnet",
			config_ip_str(p.addr, a, sizeof(a)),
			p.addr == port_net(port) ? "network" : "broadcast");
	return 0;
}

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
parse_device(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	int rc = walk_string(w, node, f, obj);

	if (rc == 0 && has_space((char *)obj + f->off))
		return walk_error(w, node, "a device name has no spaces or control characters");
	return rc;
}

/* A Linux interface name: at most IFNAMSIZ - 1, no '/', no space, not . or .. */
static int
parse_ifname(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	char q[WALK_QUOTE_MAX];
	const char *name = (char *)obj + f->off;
	int rc = walk_string(w, node, f, obj);

	if (rc < 0)
		return rc;
	if (has_space(name) || strchr(name, '/') || strchr(name, ':') || strcmp(name, ".") == 0 ||
		strcmp(name, "..") == 0)
		return walk_error(w, node, "%s is not a valid interface name", walk_quote(q, node));
	return 0;
}

#define PORT(m) WALK_MEMBER(struct vbr_port_config, m)
/* clang-format off */
static const struct field port_fields[] = {
	{.key = "device", .parse = parse_device, PORT(device), .min = 1, .required = true},
	{.key = "address", .parse = parse_port_address, .required = true},
	{.key = "tap", .parse = parse_ifname, PORT(tap), .min = 1},
	{.key = "mtu", .parse = walk_uint, PORT(mtu), .min = 68, .max = 9600},
	{.key = "punt_rate", .parse = walk_uint, PORT(punt_rate), .min = 1, .max = UINT32_MAX},
	{.key = "max_neighbors", .parse = walk_uint, PORT(max_neighbors), .min = 0,
	 .max = VBR_MAX_NEIGHBORS_LIMIT},
	{.key = "reachable_time", .parse = walk_uint, PORT(reachable_time), .min = 1, .max = 3600},
};
/* clang-format on */
static const struct schema port_schema = WALK_SCHEMA(port_fields);

static int
check_ports(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = obj;
	const struct vbr_port_config *idc = &cfg->ports[VBR_PORT_IDC];
	const struct vbr_port_config *vpc = &cfg->ports[VBR_PORT_VPC];
	const yaml_node_t *idc_node = walk_value(w, node, "idc");
	const yaml_node_t *vpc_node = walk_value(w, node, "vpc");
	unsigned int len = idc->prefix_len < vpc->prefix_len ? idc->prefix_len : vpc->prefix_len;
	char a[VBR_PREFIX_STRLEN], b[VBR_PREFIX_STRLEN];
	size_t old;
	int rc = 0;

	/* Separate networks, so that an address names one port; separate devices
	 * and taps. The vpc port, second, is blamed, unless the clash is a tap
	 * name that only the idc port states (the other is a default). */
	if (strcmp(idc->tap, vpc->tap) == 0 && walk_value(w, vpc_node, "tap") == NULL) {
		old = walk_path_push(w, "idc");
		rc = walk_error_key(
			w, idc_node, "tap", "\"%s\" is the vpc port's tap too", idc->tap);
		walk_path_pop(w, old);
		return rc;
	}
	old = walk_path_push(w, "vpc");
	if (((idc->address ^ vpc->address) & inet_mask(len)) == 0)
		rc = walk_error_key(w, vpc_node, "address",
			"subnet %s overlaps the idc port's subnet %s",
			port_subnet_str(vpc, a, sizeof(a)), port_subnet_str(idc, b, sizeof(b)));
	else if (strcmp(idc->device, vpc->device) == 0)
		rc = walk_error_key(
			w, vpc_node, "device", "\"%s\" is the idc port's device too", vpc->device);
	else if (strcmp(idc->tap, vpc->tap) == 0)
		rc = walk_error_key(
			w, vpc_node, "tap", "\"%s\" is the idc port's tap too", vpc->tap);
	walk_path_pop(w, old);
	return rc;
}

#define CFG_PORT(i) .off = offsetof(struct vbr_config, ports[i])
/* clang-format off */
static const struct field ports_fields[] = {
	{.key = "idc", .parse = walk_map_field, CFG_PORT(VBR_PORT_IDC), .map = &port_schema,
		.required = true},
	{.key = "vpc", .parse = walk_map_field, CFG_PORT(VBR_PORT_VPC), .map = &port_schema,
		.required = true},
};
/* clang-format on */
static const struct schema ports_schema = WALK_SCHEMA(ports_fields, .check = check_ports);

/* --- fib --- */

#define FIB(m) WALK_MEMBER(struct vbr_fib_config, m)
/* clang-format off */
static const struct field fib_fields[] = {
	/* rte_fib takes an int; tbl8 groups cost 256 entries each. */
	{.key = "max_routes", .parse = walk_uint, FIB(max_routes), .min = 1, .max = INT32_MAX},
	{.key = "max_tbl8", .parse = walk_uint, FIB(max_tbl8), .min = 1, .max = 1u << 24},
	/* Connected and local next hops of both ports take 4 ids. */
	{.key = "max_nexthops", .parse = walk_uint, FIB(max_nexthops), .min = 8, .max = 1u << 24},
};
/* clang-format on */
static const struct schema fib_schema = WALK_SCHEMA(fib_fields);

/* --- bgp.groups --- */

static const char *const maxpfx_actions[] = {
	[VBR_MAXPFX_DROP] = "drop",
	[VBR_MAXPFX_TEARDOWN] = "teardown",
	NULL,
};

static void
group_defaults(void *obj)
{
	struct vbr_bgp_group *g = obj;

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

static int
check_group(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = w->cfg;
	const struct vbr_bgp_group *g = obj;

	/* RFC 4271 4.2: zero (no keepalives) or at least three seconds. */
	if (g->hold_time == 1 || g->hold_time == 2)
		return walk_error_key(
			w, node, "hold_time", "%u is neither 0 nor 3..65535", g->hold_time);
	/* Our offer is what the session may negotiate at most: it must pass
	 * the minimum we ask of the peer. */
	if (g->hold_time == 0 && g->min_hold_time > 0)
		return walk_error_key(w, node, "hold_time",
			"0 turns the hold timer off, which min_hold_time %u refuses (set "
			"min_hold_time: 0 to allow it)",
			g->min_hold_time);
	if (g->hold_time != 0 && g->hold_time < g->min_hold_time)
		return walk_error_key(w, node, "hold_time", "%u is below min_hold_time (%u)",
			g->hold_time, g->min_hold_time);
	if (g->send_hold_time != 0 && g->send_hold_time <= g->hold_time)
		return walk_error_key(w, node, "send_hold_time",
			"%u must be above hold_time (%u), or 0 for the default", g->send_hold_time,
			g->hold_time);
	if (g->error_wait_max < g->error_wait_min)
		return walk_error_key(w, node, "error_wait_max", "%u is below error_wait_min (%u)",
			g->error_wait_max, g->error_wait_min);
	if (g->peer_asn == cfg->local_asn)
		return walk_error_key(w, node, "peer_asn",
			"%u is our own ASN (vbr.local_asn): vbr speaks eBGP only", g->peer_asn);
	for (unsigned int i = 0; i < cfg->nb_groups; i++)
		if (strcmp(cfg->groups[i].name, g->name) == 0)
			return walk_error_key(w, node, "name",
				"duplicate BGP group \"%s\" (same as bgp.groups[%u])", g->name, i);
	return 0;
}

#define GROUP(m) WALK_MEMBER(struct vbr_bgp_group, m)
/* clang-format off */
static const struct field group_fields[] = {
	{.key = "name", .parse = walk_string, GROUP(name), .min = 1, .required = true},
	{.key = "peer_asn", .parse = walk_asn, GROUP(peer_asn), .min = 1, .max = ASN_MAX,
		.required = true},
	{.key = "key", .parse = walk_string, GROUP(key)},
	{.key = "description", .parse = walk_string, GROUP(description)},
	{.key = "max_prefixes", .parse = walk_uint, GROUP(max_prefixes), .min = 1,
		.max = UINT32_MAX},
	{.key = "max_prefixes_action", .parse = walk_enum, GROUP(max_prefixes_action),
		.names = maxpfx_actions},
	{.key = "max_prefixes_restart", .parse = walk_uint, GROUP(max_prefixes_restart), .min = 1,
		.max = UINT32_MAX},
	{.key = "hold_time", .parse = walk_uint, GROUP(hold_time), .min = 0, .max = UINT16_MAX},
	{.key = "min_hold_time", .parse = walk_uint, GROUP(min_hold_time), .min = 0,
		.max = UINT16_MAX},
	{.key = "send_hold_time", .parse = walk_uint, GROUP(send_hold_time), .min = 0,
		.max = UINT16_MAX},
	{.key = "connect_retry", .parse = walk_uint, GROUP(connect_retry), .min = 1,
		.max = UINT16_MAX},
	{.key = "error_wait_min", .parse = walk_uint, GROUP(error_wait_min), .min = 1,
		.max = UINT16_MAX},
	{.key = "error_wait_max", .parse = walk_uint, GROUP(error_wait_max), .min = 1,
		.max = UINT16_MAX},
	{.key = "multihop", .parse = walk_uint, GROUP(multihop), .min = 1, .max = 255},
	{.key = "passive", .parse = walk_bool, GROUP(passive)},
	{.key = "gtsm", .parse = walk_bool, GROUP(gtsm)},
	{.key = "accept_default", .parse = walk_bool, GROUP(accept_default)},
	{.key = "max_prefix_len", .parse = walk_uint, GROUP(max_prefix_len), .min = 1, .max = 32},
	{.key = "max_as_path_len", .parse = walk_uint, GROUP(max_as_path_len), .min = 1,
		.max = VBR_MAX_AS_PATH_LEN},
};
/* clang-format on */
static const struct schema group_schema =
	WALK_SCHEMA(group_fields, .init = group_defaults, .check = check_group);
static const struct field group_elem = {.parse = walk_map_field, .map = &group_schema};

/* --- bgp.peers --- */

/* By name, among the groups already parsed: bgp.groups comes first in bgp_fields. */
static int
parse_peer_group(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	const struct vbr_config *cfg = w->cfg;
	struct vbr_bgp_peer *peer = obj;
	char q[WALK_QUOTE_MAX];
	const char *s;
	size_t len;
	int rc = walk_scalar(w, node, "a BGP group name", &s, &len);

	(void)f;
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < cfg->nb_groups; i++)
		if (strlen(cfg->groups[i].name) == len &&
			memcmp(cfg->groups[i].name, s, len) == 0) {
			peer->group = i;
			return 0;
		}
	return walk_error(w, node, "unknown BGP group %s%s", walk_quote(q, node),
		cfg->nb_groups ? "" : " (bgp.groups defines none)");
}

static int
check_peer(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = w->cfg;
	const struct vbr_port_config *idc = &cfg->ports[VBR_PORT_IDC];
	struct vbr_bgp_peer *peer = obj;
	char a[VBR_IP_STRLEN], net[VBR_PREFIX_STRLEN];
	const char *why;

	peer->line = (int)node->start_mark.line + 1;
	/* The product's rule, checked at the first peer too many. */
	if (cfg->nb_peers >= cfg->max_peers)
		return walk_error(w, node, "more than vbr.max_peers (%u) peers", cfg->max_peers);
	config_ip_str(peer->address, a, sizeof(a));
	port_subnet_str(idc, net, sizeof(net));
	/* eBGP with the IDC's routers: directly connected on the IDC port. */
	if (config_port_of(cfg, peer->address) != VBR_PORT_IDC)
		return walk_error_key(
			w, node, "address", "%s is not on the idc port's subnet %s", a, net);
	why = not_a_station(idc, peer->address);
	if (why)
		return walk_error_key(
			w, node, "address", "%s is %s on the idc port (%s)", a, why, net);
	for (unsigned int i = 0; i < cfg->nb_peers; i++)
		if (cfg->peers[i].address == peer->address)
			return walk_error_key(w, node, "address",
				"duplicate peer %s (same as bgp.peers[%u])", a, i);
	return 0;
}

#define PEER(m) WALK_MEMBER(struct vbr_bgp_peer, m)
/* clang-format off */
static const struct field peer_fields[] = {
	{.key = "group", .parse = parse_peer_group, .required = true},
	{.key = "address", .parse = walk_ipv4, PEER(address), .required = true},
	{.key = "description", .parse = walk_string, PEER(description)},
};
/* clang-format on */
static const struct schema peer_schema = WALK_SCHEMA(peer_fields, .check = check_peer);
static const struct field peer_elem = {.parse = walk_map_field, .map = &peer_schema};

/* --- bgp.networks --- */

static int
check_network(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = w->cfg;
	const struct vbr_prefix *p = obj;
	char s[VBR_PREFIX_STRLEN];

	for (unsigned int i = 0; i < cfg->nb_networks; i++)
		if (cfg->networks[i].addr == p->addr && cfg->networks[i].len == p->len)
			return walk_error(w, node,
				"duplicate network %s (same as bgp.networks[%u])",
				config_prefix_str(p, s, sizeof(s)), i);
	return 0;
}

static const struct field network_elem = {.parse = walk_prefix, .size = sizeof(struct vbr_prefix)};

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
	.elem = &network_elem,
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
};
/* clang-format on */
static const struct schema bgp_schema = WALK_SCHEMA(bgp_fields);

/* --- routes --- */

static int
check_route(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = w->cfg;
	struct vbr_static_route *r = obj;
	char s[VBR_PREFIX_STRLEN];
	int port;

	for (unsigned int i = 0; i < cfg->nb_routes; i++)
		if (cfg->routes[i].prefix.addr == r->prefix.addr &&
			cfg->routes[i].prefix.len == r->prefix.len)
			return walk_error_key(w, node, "prefix",
				"duplicate static route %s (same as routes[%u])",
				config_prefix_str(&r->prefix, s, sizeof(s)), i);
	port = check_station(w, node, "next_hop", r->next_hop, "next hop");
	if (port < 0)
		return port;
	r->port = (enum vbr_port_id)port;
	return 0;
}

#define ROUTE(m) WALK_MEMBER(struct vbr_static_route, m)
/* clang-format off */
static const struct field route_fields[] = {
	{.key = "prefix", .parse = walk_prefix, ROUTE(prefix), .required = true},
	{.key = "next_hop", .parse = walk_ipv4, ROUTE(next_hop), .required = true},
};
/* clang-format on */
static const struct schema route_schema = WALK_SCHEMA(route_fields, .check = check_route);
static const struct field route_elem = {.parse = walk_map_field, .map = &route_schema};

static const struct seq routes_seq = {
	.what = "static routes",
	.elem = &route_elem,
	.elem_size = sizeof(struct vbr_static_route),
	.count_off = offsetof(struct vbr_config, nb_routes),
	.max = VBR_MAX_STATIC_ROUTES,
};

/* --- neighbors --- */

static int
check_neighbor(struct walk *w, const yaml_node_t *node, void *obj)
{
	const struct vbr_config *cfg = w->cfg;
	struct vbr_neighbor *n = obj;
	char a[VBR_IP_STRLEN];
	int port;

	for (unsigned int i = 0; i < cfg->nb_neighbors; i++)
		if (cfg->neighbors[i].address == n->address)
			return walk_error_key(w, node, "address",
				"duplicate neighbor %s (same as neighbors[%u])",
				config_ip_str(n->address, a, sizeof(a)), i);
	port = check_station(w, node, "address", n->address, "neighbor");
	if (port < 0)
		return port;
	n->port = (enum vbr_port_id)port;
	return 0;
}

#define NEIGH(m) WALK_MEMBER(struct vbr_neighbor, m)
/* clang-format off */
static const struct field neighbor_fields[] = {
	{.key = "address", .parse = walk_ipv4, NEIGH(address), .required = true},
	{.key = "mac", .parse = walk_mac, NEIGH(mac), .required = true},
};
/* clang-format on */
static const struct schema neighbor_schema = WALK_SCHEMA(neighbor_fields, .check = check_neighbor);
static const struct field neighbor_elem = {.parse = walk_map_field, .map = &neighbor_schema};

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
	{.key = "vbr", .parse = walk_map_field, .map = &vbr_schema},
	{.key = "ports", .parse = walk_map_field, .map = &ports_schema, .required = true},
	{.key = "fib", .parse = walk_map_field, VBR(fib), .map = &fib_schema},
	{.key = "bgp", .parse = walk_map_field, .map = &bgp_schema},
	{.key = "routes", .parse = walk_seq, VBR(routes), .seq = &routes_seq},
	{.key = "neighbors", .parse = walk_seq, VBR(neighbors), .seq = &neighbors_seq},
};
/* clang-format on */
static const struct schema root_schema = WALK_SCHEMA(root_fields, .check = check_root);

int
schema_walk(struct walk *w, const yaml_node_t *root)
{
	return walk_map(w, root, &root_schema, w->cfg);
}
