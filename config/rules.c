/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The product's rules on a config (rules.h): what the YAML loader checks
 * once a value or an object is parsed, and what the management API checks
 * on a candidate, with the same words. Also the setters that give the API
 * the loader's own parsers, one key at a time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "rules.h"
#include "rules_impl.h"
#include "schema.h"

int
rule_fail(struct rule_err *e, const char *key, const char *fmt, ...)
{
	va_list ap;

	e->key = key;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -EINVAL;
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
 * a next hop or a static neighbour. Returns the port or -EINVAL. */
static int
check_station(const struct vbr_config *cfg, const char *key, uint32_t addr, const char *what,
	struct rule_err *e)
{
	char a[VBR_IP_STRLEN], idc[VBR_PREFIX_STRLEN], vpc[VBR_PREFIX_STRLEN];
	int port = config_port_of(cfg, addr);
	const char *why;

	config_ip_str(addr, a, sizeof(a));
	if (port < 0)
		return rule_fail(e, key, "%s %s is on neither port's subnet (idc %s, vpc %s)", what,
			a, port_subnet_str(&cfg->ports[VBR_PORT_IDC], idc, sizeof(idc)),
			port_subnet_str(&cfg->ports[VBR_PORT_VPC], vpc, sizeof(vpc)));
	why = not_a_station(&cfg->ports[port], addr);
	if (why)
		return rule_fail(e, key, "%s %s is %s on port %s (%s)", what, a, why,
			config_port_name(port),
			port_subnet_str(&cfg->ports[port], idc, sizeof(idc)));
	return port;
}

/* A prefix as routes and announcements carry it: host bits zero. */
static int
check_prefix(const struct vbr_prefix *p, const char *key, struct rule_err *e)
{
	char have[VBR_PREFIX_STRLEN], want[VBR_PREFIX_STRLEN];
	struct vbr_prefix net;

	if (p->len > 32)
		return rule_fail(e, key, "/%u is not a prefix length (0..32)", p->len);
	net.addr = p->addr & inet_mask(p->len);
	net.len = p->len;
	if (net.addr != p->addr)
		return rule_fail(e, key, "%s has host bits set (did you mean %s?)",
			config_prefix_str(p, have, sizeof(have)),
			config_prefix_str(&net, want, sizeof(want)));
	return 0;
}

/* --- ports --- */

int
rules_port_address(const struct vbr_prefix *p, struct rule_err *e)
{
	struct vbr_port_config port = {.address = p->addr, .prefix_len = p->len};
	char a[VBR_IP_STRLEN];
	uint8_t top;

	if (p->len == 0)
		return rule_fail(e, "address", "a port's subnet cannot be /0");
	if (p->len > 32)
		return rule_fail(e, "address", "/%u is not a prefix length (1..32)", p->len);
	/* 0/8, loopback, multicast, reserved and broadcast are nobody's address. */
	top = (uint8_t)(p->addr >> 24);
	if (top == 0 || top == 127 || top >= 224)
		return rule_fail(e, "address", "%s is not a unicast address",
			config_ip_str(p->addr, a, sizeof(a)));
	if (p->len <= 30 && (p->addr == port_net(&port) || p->addr == port_bcast(&port)))
		return rule_fail(e, "address", "%s is the %s address of its subnet",
			config_ip_str(p->addr, a, sizeof(a)),
			p->addr == port_net(&port) ? "network" : "broadcast");
	return 0;
}

/* Separate networks, so that an address names one port; separate devices
 * and taps. The vpc port, second, is blamed. */
int
rules_ports(const struct vbr_config *cfg, struct rule_err *e)
{
	const struct vbr_port_config *idc = &cfg->ports[VBR_PORT_IDC];
	const struct vbr_port_config *vpc = &cfg->ports[VBR_PORT_VPC];
	unsigned int len = idc->prefix_len < vpc->prefix_len ? idc->prefix_len : vpc->prefix_len;
	char a[VBR_PREFIX_STRLEN], b[VBR_PREFIX_STRLEN];

	e->port = VBR_PORT_VPC;
	if (((idc->address ^ vpc->address) & inet_mask(len)) == 0)
		return rule_fail(e, "address", "subnet %s overlaps the idc port's subnet %s",
			port_subnet_str(vpc, a, sizeof(a)), port_subnet_str(idc, b, sizeof(b)));
	if (strcmp(idc->device, vpc->device) == 0)
		return rule_fail(e, "device", "\"%s\" is the idc port's device too", vpc->device);
	if (strcmp(idc->tap, vpc->tap) == 0)
		return rule_fail(e, "tap", "\"%s\" is the idc port's tap too", vpc->tap);
	return 0;
}

/* --- bgp.groups --- */

/* RFC 4271 4.2: zero (no keepalives) or at least three seconds. */
int
rules_hold_time(unsigned int v, struct rule_err *e)
{
	if (v == 1 || v == 2)
		return rule_fail(e, "hold_time", "%u is neither 0 nor 3..65535", v);
	return 0;
}

/* RFC 5880 6.7.3: an MD5 key is at most 16 bytes; SHA1's 20 (the field). */
int
rules_bfd_auth(const struct vbr_bfd_auth *a, struct rule_err *e)
{
	size_t len = strnlen(a->key, sizeof(a->key));
	bool md5 = a->type == VBR_BFD_AUTH_MD5 || a->type == VBR_BFD_AUTH_METICULOUS_MD5;

	if (len == 0)
		return rule_fail(e, "key", "BFD authentication needs a key");
	if (md5 && len > 16)
		return rule_fail(e, "key", "at most 16 characters for %s (RFC 5880 6.7.3)",
			a->type == VBR_BFD_AUTH_MD5 ? "md5" : "meticulous-md5");
	return 0;
}

/* The group's bfd.auth rule, its key named from the group ("bfd.auth.key"). */
static int
rules_group_bfd(const struct vbr_bgp_group *g, struct rule_err *e)
{
	if (!g->bfd.enabled || !g->bfd.auth.enabled || rules_bfd_auth(&g->bfd.auth, e) == 0)
		return 0;
	snprintf(e->key_buf, sizeof(e->key_buf), "bfd.auth.%s", e->key ? e->key : "");
	e->key = e->key_buf;
	return -EINVAL;
}

int
rules_group(const struct vbr_config *cfg, const struct vbr_bgp_group *g, unsigned int n,
	unsigned int skip, struct rule_err *e)
{
	if (rules_hold_time(g->hold_time, e) < 0)
		return -EINVAL;
	/* Our offer is what the session may negotiate at most: it must pass
	 * the minimum we ask of the peer. */
	if (g->hold_time == 0 && g->min_hold_time > 0)
		return rule_fail(e, "hold_time",
			"0 turns the hold timer off, which min_hold_time %u refuses (set "
			"min_hold_time: 0 to allow it)",
			g->min_hold_time);
	if (g->hold_time != 0 && g->hold_time < g->min_hold_time)
		return rule_fail(e, "hold_time", "%u is below min_hold_time (%u)", g->hold_time,
			g->min_hold_time);
	if (g->send_hold_time != 0 && g->send_hold_time <= g->hold_time)
		return rule_fail(e, "send_hold_time",
			"%u must be above hold_time (%u), or 0 for the default", g->send_hold_time,
			g->hold_time);
	if (g->error_wait_max < g->error_wait_min)
		return rule_fail(e, "error_wait_max", "%u is below error_wait_min (%u)",
			g->error_wait_max, g->error_wait_min);
	if (rules_group_bfd(g, e) < 0)
		return -EINVAL;
	if (g->peer_asn == cfg->local_asn)
		return rule_fail(e, "peer_asn",
			"%u is our own ASN (vbr.local_asn): vbr speaks eBGP only", g->peer_asn);
	for (unsigned int i = 0; i < n && i < VBR_MAX_GROUPS; i++)
		if (i != skip && strcmp(cfg->groups[i].name, g->name) == 0)
			return rule_fail(e, "name",
				"duplicate BGP group \"%s\" (same as bgp.groups[%u])", g->name, i);
	return 0;
}

/* --- bgp.peers --- */

int
rules_peer(const struct vbr_config *cfg, const struct vbr_bgp_peer *p, unsigned int n,
	unsigned int skip, struct rule_err *e)
{
	const struct vbr_port_config *idc = &cfg->ports[VBR_PORT_IDC];
	unsigned int position = skip != RULE_NO_SKIP ? n : n + 1;
	char a[VBR_IP_STRLEN], net[VBR_PREFIX_STRLEN];
	const char *why;

	/* The product's rule, checked at the first peer too many. */
	if (position > cfg->max_peers)
		return rule_fail(e, NULL, "more than vbr.max_peers (%u) peers", cfg->max_peers);
	if (p->group >= cfg->nb_groups)
		return rule_fail(e, "group", "the peer's BGP group does not exist");
	config_ip_str(p->address, a, sizeof(a));
	port_subnet_str(idc, net, sizeof(net));
	/* eBGP with the IDC's routers: directly connected on the IDC port. */
	if (config_port_of(cfg, p->address) != VBR_PORT_IDC)
		return rule_fail(e, "address", "%s is not on the idc port's subnet %s", a, net);
	why = not_a_station(idc, p->address);
	if (why)
		return rule_fail(e, "address", "%s is %s on the idc port (%s)", a, why, net);
	for (unsigned int i = 0; i < n && i < VBR_MAX_PEERS; i++)
		if (i != skip && cfg->peers[i].address == p->address)
			return rule_fail(
				e, "address", "duplicate peer %s (same as bgp.peers[%u])", a, i);
	return 0;
}

/* --- bgp.networks --- */

int
rules_network(const struct vbr_config *cfg, const struct vbr_prefix *net, unsigned int n,
	unsigned int skip, struct rule_err *e)
{
	char s[VBR_PREFIX_STRLEN];

	if (check_prefix(net, NULL, e) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < n && i < VBR_MAX_NETWORKS; i++)
		if (i != skip && cfg->networks[i].addr == net->addr &&
			cfg->networks[i].len == net->len)
			return rule_fail(e, NULL, "duplicate network %s (same as bgp.networks[%u])",
				config_prefix_str(net, s, sizeof(s)), i);
	return 0;
}

/* --- routes --- */

static int rules_route_next_hops(
	const struct vbr_config *cfg, const struct vbr_static_route *r, struct rule_err *e);

int
rules_route(const struct vbr_config *cfg, const struct vbr_static_route *r, long same,
	struct rule_err *e)
{
	char s[VBR_PREFIX_STRLEN];
	int port;

	if (check_prefix(&r->prefix, "prefix", e) < 0)
		return -EINVAL;
	if (same >= 0)
		return rule_fail(e, "prefix", "duplicate static route %s (same as routes[%ld])",
			config_prefix_str(&r->prefix, s, sizeof(s)), same);
	if (r->nb_next_hops != 0)
		return rules_route_next_hops(cfg, r, e);
	port = check_station(cfg, "next_hop", r->next_hop, "next hop", e);
	return port < 0 ? port : 0;
}

/* ECMP: 2..VBR_MAX_NEXT_HOPS distinct next hops, each a station of the
 * same port's subnet (one group in the FIB: one port). */
static int
rules_route_next_hops(
	const struct vbr_config *cfg, const struct vbr_static_route *r, struct rule_err *e)
{
	char a[VBR_IP_STRLEN];
	int port = -1;

	if (r->nb_next_hops < 2 || r->nb_next_hops > VBR_MAX_NEXT_HOPS)
		return rule_fail(e, "next_hops", "%u next hops: 2 to %u (one: use next_hop)",
			r->nb_next_hops, VBR_MAX_NEXT_HOPS);
	if (r->next_hop != r->next_hops[0])
		return rule_fail(e, "next_hop", "is not the first of next_hops");
	for (unsigned int i = 0; i < r->nb_next_hops; i++) {
		int p = check_station(cfg, "next_hops", r->next_hops[i], "next hop", e);

		if (p < 0)
			return p;
		if (port >= 0 && p != port)
			return rule_fail(e, "next_hops",
				"next hop %s is on port %s, the first on port %s: one port's",
				config_ip_str(r->next_hops[i], a, sizeof(a)),
				config_port_name((enum vbr_port_id)p),
				config_port_name((enum vbr_port_id)port));
		port = p;
		for (unsigned int j = 0; j < i; j++)
			if (r->next_hops[j] == r->next_hops[i])
				return rule_fail(e, "next_hops", "next hop %s is listed twice",
					config_ip_str(r->next_hops[i], a, sizeof(a)));
	}
	return 0;
}

/* --- neighbors --- */

int
rules_neighbor(const struct vbr_config *cfg, const struct vbr_neighbor *nb, unsigned int n,
	unsigned int skip, struct rule_err *e)
{
	char a[VBR_IP_STRLEN];
	int port;

	for (unsigned int i = 0; i < n && i < VBR_MAX_NEIGHBORS; i++)
		if (i != skip && cfg->neighbors[i].address == nb->address)
			return rule_fail(e, "address",
				"duplicate neighbor %s (same as neighbors[%u])",
				config_ip_str(nb->address, a, sizeof(a)), i);
	port = check_station(cfg, "address", nb->address, "neighbor", e);
	return port < 0 ? port : 0;
}

/* --- the public rules: one object --- */

/* "KEY: text", or the text alone for the object as a whole. */
static int
message(const struct rule_err *e, const char *path, char *msg, size_t len)
{
	if (msg == NULL || len == 0)
		return -EINVAL;
	if (path && e->key)
		snprintf(msg, len, "%s.%s: %s", path, e->key, e->text);
	else if (path)
		snprintf(msg, len, "%s: %s", path, e->text);
	else if (e->key)
		snprintf(msg, len, "%s: %s", e->key, e->text);
	else
		snprintf(msg, len, "%s", e->text);
	return -EINVAL;
}

static void
clear(char *msg, size_t len)
{
	if (msg && len)
		msg[0] = '\0';
}

/* Where obj sits in an array of nb elements of size size: its index, or
 * RULE_NO_SKIP for a candidate outside it. */
static unsigned int
index_in(const void *array, unsigned int nb, size_t size, const void *obj)
{
	const char *a = array, *o = obj;

	if (o >= a && o < a + (size_t)nb * size && (size_t)(o - a) % size == 0)
		return (unsigned int)((size_t)(o - a) / size);
	return RULE_NO_SKIP;
}

int
rule_group(const struct vbr_config *cfg, const struct vbr_bgp_group *g, char *msg, size_t len)
{
	unsigned int nb = cfg->nb_groups < VBR_MAX_GROUPS ? cfg->nb_groups : VBR_MAX_GROUPS;
	struct rule_err e;

	clear(msg, len);
	if (schema_recheck(&schema_group, g, cfg, &e) < 0 ||
		rules_group(cfg, g, nb, index_in(cfg->groups, nb, sizeof(*g), g), &e) < 0)
		return message(&e, NULL, msg, len);
	return 0;
}

int
rule_peer(const struct vbr_config *cfg, const struct vbr_bgp_peer *p, char *msg, size_t len)
{
	unsigned int nb = cfg->nb_peers < VBR_MAX_PEERS ? cfg->nb_peers : VBR_MAX_PEERS;
	struct rule_err e;

	clear(msg, len);
	if (p->group < cfg->nb_groups && schema_recheck(&schema_peer, p, cfg, &e) < 0)
		return message(&e, NULL, msg, len);
	if (rules_peer(cfg, p, nb, index_in(cfg->peers, nb, sizeof(*p), p), &e) < 0)
		return message(&e, NULL, msg, len);
	return 0;
}

int
rule_network(const struct vbr_config *cfg, const struct vbr_prefix *n, char *msg, size_t len)
{
	unsigned int nb = cfg->nb_networks < VBR_MAX_NETWORKS ? cfg->nb_networks : VBR_MAX_NETWORKS;
	struct rule_err e;

	clear(msg, len);
	if (rules_network(cfg, n, nb, index_in(cfg->networks, nb, sizeof(*n), n), &e) < 0)
		return message(&e, NULL, msg, len);
	return 0;
}

int
rule_route(const struct vbr_config *cfg, const struct vbr_static_route *r, char *msg, size_t len)
{
	unsigned int self = index_in(cfg->routes, cfg->nb_routes, sizeof(*r), r);
	long same = config_route_find(cfg, &r->prefix);
	struct rule_err e;

	clear(msg, len);
	if (same >= 0 && (unsigned long)same == self)
		same = -1;
	if (rules_route(cfg, r, same, &e) < 0)
		return message(&e, NULL, msg, len);
	return 0;
}

int
rule_neighbor(const struct vbr_config *cfg, const struct vbr_neighbor *n, char *msg, size_t len)
{
	unsigned int nb =
		cfg->nb_neighbors < VBR_MAX_NEIGHBORS ? cfg->nb_neighbors : VBR_MAX_NEIGHBORS;
	struct rule_err e;

	clear(msg, len);
	if (schema_recheck(&schema_neighbor, n, cfg, &e) < 0 ||
		rules_neighbor(cfg, n, nb, index_in(cfg->neighbors, nb, sizeof(*n), n), &e) < 0)
		return message(&e, NULL, msg, len);
	return 0;
}

int
rule_ports(const struct vbr_config *cfg, char *msg, size_t len)
{
	char path[16];
	struct rule_err e;

	clear(msg, len);
	for (int i = 0; i < VBR_NB_PORTS; i++)
		if (schema_recheck(&schema_port, &cfg->ports[i], cfg, &e) < 0) {
			snprintf(path, sizeof(path), "ports.%s", config_port_name(i));
			return message(&e, path, msg, len);
		}
	if (rules_ports(cfg, &e) < 0) {
		snprintf(path, sizeof(path), "ports.%s", config_port_name(e.port));
		return message(&e, path, msg, len);
	}
	return 0;
}

/* --- the whole config --- */

static int
too_many(unsigned int nb, unsigned int max, const char *path, const char *what, char *msg,
	size_t len)
{
	if (nb <= max)
		return 0;
	snprintf(msg, len, "%s[%u]: too many %s (at most %u)", path, max, what, max);
	return -EINVAL;
}

int
config_validate(const struct vbr_config *cfg, char *msg, size_t len)
{
	char path[64];
	struct rule_err e;
	int rc;

	clear(msg, len);
	if (msg == NULL || len == 0)
		return -EINVAL;
	if (schema_recheck(&schema_vbr, cfg, cfg, &e) < 0)
		return message(&e, "vbr", msg, len);
	rc = rule_ports(cfg, msg, len);
	if (rc < 0)
		return rc;
	if (schema_recheck(&schema_fib, &cfg->fib, cfg, &e) < 0)
		return message(&e, "fib", msg, len);

	if (too_many(cfg->nb_groups, VBR_MAX_GROUPS, "bgp.groups", "BGP groups", msg, len) ||
		too_many(cfg->nb_peers, VBR_MAX_PEERS, "bgp.peers", "BGP peers", msg, len) ||
		too_many(cfg->nb_networks, VBR_MAX_NETWORKS, "bgp.networks", "BGP networks", msg,
			len) ||
		too_many(cfg->nb_neighbors, VBR_MAX_NEIGHBORS, "neighbors", "neighbors", msg, len))
		return -EINVAL;
	/* Each object against the ones before it, as the loader meets them. */
	for (unsigned int i = 0; i < cfg->nb_groups; i++) {
		snprintf(path, sizeof(path), "bgp.groups[%u]", i);
		if (schema_recheck(&schema_group, &cfg->groups[i], cfg, &e) < 0 ||
			rules_group(cfg, &cfg->groups[i], i, RULE_NO_SKIP, &e) < 0)
			return message(&e, path, msg, len);
	}
	for (unsigned int i = 0; i < cfg->nb_peers; i++) {
		const struct vbr_bgp_peer *p = &cfg->peers[i];

		snprintf(path, sizeof(path), "bgp.peers[%u]", i);
		if ((p->group < cfg->nb_groups && schema_recheck(&schema_peer, p, cfg, &e) < 0) ||
			rules_peer(cfg, p, i, RULE_NO_SKIP, &e) < 0)
			return message(&e, path, msg, len);
	}
	for (unsigned int i = 0; i < cfg->nb_networks; i++) {
		snprintf(path, sizeof(path), "bgp.networks[%u]", i);
		if (rules_network(cfg, &cfg->networks[i], i, RULE_NO_SKIP, &e) < 0)
			return message(&e, path, msg, len);
	}
	/* Rebuilt whatever its state: routes[] may have been changed in place.
	 * Of duplicates the index finds the first, as the loader did. */
	if (config_route_index_sync(cfg, true) < 0) {
		snprintf(msg, len, "routes: out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cfg->nb_routes; i++) {
		long same = config_route_find(cfg, &cfg->routes[i].prefix);

		snprintf(path, sizeof(path), "routes[%u]", i);
		if (rules_route(cfg, &cfg->routes[i], same == (long)i ? -1 : same, &e) < 0)
			return message(&e, path, msg, len);
	}
	for (unsigned int i = 0; i < cfg->nb_neighbors; i++) {
		snprintf(path, sizeof(path), "neighbors[%u]", i);
		if (schema_recheck(&schema_neighbor, &cfg->neighbors[i], cfg, &e) < 0 ||
			rules_neighbor(cfg, &cfg->neighbors[i], i, RULE_NO_SKIP, &e) < 0)
			return message(&e, path, msg, len);
	}
	return 0;
}

/* --- one key at a time --- */

static const struct {
	const struct schema *schema;
	const char *what;
} kinds[] = {
	[CONFIG_VBR] = {&schema_vbr, "the vbr section"},
	[CONFIG_PORT] = {&schema_port, "a port"},
	[CONFIG_FIB] = {&schema_fib, "the fib section"},
	[CONFIG_GROUP] = {&schema_group, "a BGP group"},
	[CONFIG_PEER] = {&schema_peer, "a BGP peer"},
	[CONFIG_NETWORK] = {NULL, "a BGP network"},
	[CONFIG_ROUTE] = {&schema_route, "a static route"},
	[CONFIG_NEIGHBOR] = {&schema_neighbor, "a neighbor"},
};

void
config_keys(enum config_kind kind, char *buf, size_t len)
{
	if (len == 0)
		return;
	if ((size_t)kind >= sizeof(kinds) / sizeof(kinds[0]))
		buf[0] = '\0';
	else if (kinds[kind].schema == NULL)
		snprintf(buf, len, "%s", schema_network.key);
	else
		walk_keys(kinds[kind].schema, buf, len);
}

/* A sub-map's key ("bfd.min_rx"): down to the schema and the object that
 * hold its last part, each map on the way made present (with its defaults)
 * if it was not. NULL (with msg) if a part names no map. */
static const char *
descend(const struct schema **s, void **obj, const char *key, const char *what, char *msg,
	size_t len)
{
	const char *dot;

	while ((dot = strchr(key, '.')) != NULL) {
		const struct field *f = walk_find_field(*s, key, (size_t)(dot - key));
		char q[VALUE_QUOTE_MAX];

		if (f == NULL || f->map == NULL || f->map->present == NULL) {
			if (msg && len)
				snprintf(msg, len, "unknown key %s for %s",
					value_quote(q, key, strlen(key)), what);
			return NULL;
		}
		*obj = (char *)*obj + f->off;
		if (!f->map->present(*obj))
			f->map->init(*obj);
		*s = f->map;
		key = dot + 1;
	}
	return key;
}

/* A sub-map itself ("bfd"): true makes it present (its defaults), false
 * takes it away. */
static int
set_presence(const struct field *f, void *obj, const char *key, const char *value, char *msg,
	size_t len)
{
	const struct field b = {.key = key, .type = &value_bool, .off = 0, .size = sizeof(bool)};
	char text[VALUE_MSG_MAX];
	struct value_ctx c = {.msg = text, .len = sizeof(text)};
	void *sub = (char *)obj + f->off;
	bool on;

	if (value_bool.parse(&b, value, strlen(value), &on, &c) < 0) {
		if (msg && len)
			snprintf(msg, len, "%s: %s", key, text);
		return -EINVAL;
	}
	if (!on)
		memset(sub, 0, f->map->size);
	else if (!f->map->present(sub))
		f->map->init(sub);
	return 0;
}

/* Where a next hop or a neighbour lies picks its port. */
static void
place(const struct vbr_config *cfg, enum config_kind kind, void *obj, const char *key)
{
	/* A route has next_hop or next_hops: setting one replaces the other. */
	if (kind == CONFIG_ROUTE && strcmp(key, "next_hop") == 0)
		((struct vbr_static_route *)obj)->nb_next_hops = 0;
	if (kind == CONFIG_ROUTE && strcmp(key, "next_hops") == 0)
		schema_route_next_hops_done(obj);
	if (cfg && kind == CONFIG_ROUTE &&
		(strcmp(key, "next_hop") == 0 || strcmp(key, "next_hops") == 0)) {
		struct vbr_static_route *r = obj;
		int port = config_port_of(cfg, r->next_hop);

		if (port >= 0)
			r->port = (enum vbr_port_id)port;
	} else if (cfg && kind == CONFIG_NEIGHBOR && strcmp(key, "address") == 0) {
		struct vbr_neighbor *n = obj;
		int port = config_port_of(cfg, n->address);

		if (port >= 0)
			n->port = (enum vbr_port_id)port;
	}
}

/* One key of obj (of schema s, or a network) from its text. */
static int
set_key(const struct vbr_config *cfg, enum config_kind kind, void *obj, const char *key,
	const char *value, char *msg, size_t len)
{
	char text[VALUE_MSG_MAX], keys[512], q[VALUE_QUOTE_MAX];
	struct value_ctx c = {.cfg = cfg, .msg = text, .len = sizeof(text)};
	const struct schema *s = kinds[kind].schema;
	const char *last = key, *what = kinds[kind].what;
	const struct field *f = NULL;
	void *at = obj;
	int rc;

	if (s) {
		last = descend(&s, &at, key, what, msg, len);
		if (last == NULL)
			return -EINVAL;
		if (last != key)
			what = s->what;
		f = walk_find_field(s, last, strlen(last));
	} else if (strcmp(key, schema_network.key) == 0) {
		f = &schema_network;
	}
	if (f && f->type == NULL && f->map && f->map->present && value)
		return set_presence(f, at, key, value, msg, len);
	if (f == NULL || f->type == NULL) {
		if (s)
			walk_keys(s, keys, sizeof(keys));
		else
			config_keys(kind, keys, sizeof(keys));
		if (msg && len)
			snprintf(msg, len, "unknown key %s for %s; expected one of: %s",
				value_quote(q, key, strlen(key)), what, keys);
		return -EINVAL;
	}
	if (value == NULL) {
		if (msg && len)
			snprintf(msg, len, "%s: no value", key);
		return -EINVAL;
	}
	text[0] = '\0';
	rc = f->type->parse(f, value, strlen(value), at, &c);
	if (rc < 0) {
		if (msg && len)
			snprintf(msg, len, "%s: %s", key, text);
		return rc;
	}
	place(cfg, kind, obj, key);
	return 0;
}

int
config_set(const struct vbr_config *cfg, enum config_kind kind, void *obj, const char *key,
	const char *value, char *msg, size_t len)
{
	const struct schema *s;
	void *saved = NULL;
	int rc;

	clear(msg, len);
	if ((size_t)kind >= sizeof(kinds) / sizeof(kinds[0]) || obj == NULL || key == NULL) {
		if (msg && len)
			snprintf(msg, len, "no such object");
		return -EINVAL;
	}
	/* A nested key may make its maps present on the way: all undone if
	 * the value is refused. */
	s = kinds[kind].schema;
	if (s && strchr(key, '.')) {
		saved = malloc(s->size);
		if (saved == NULL) {
			if (msg && len)
				snprintf(msg, len, "out of memory");
			return -ENOMEM;
		}
		memcpy(saved, obj, s->size);
	}
	rc = set_key(cfg, kind, obj, key, value, msg, len);
	if (rc < 0 && saved)
		memcpy(obj, saved, s->size);
	free(saved);
	return rc;
}

int
config_group_set(struct vbr_bgp_group *g, const char *key, const char *value, char *msg, size_t len)
{
	return config_set(NULL, CONFIG_GROUP, g, key, value, msg, len);
}

int
config_peer_set(const struct vbr_config *cfg, struct vbr_bgp_peer *p, const char *key,
	const char *value, char *msg, size_t len)
{
	return config_set(cfg, CONFIG_PEER, p, key, value, msg, len);
}

int
config_route_set(const struct vbr_config *cfg, struct vbr_static_route *r, const char *key,
	const char *value, char *msg, size_t len)
{
	return config_set(cfg, CONFIG_ROUTE, r, key, value, msg, len);
}

int
config_neighbor_set(const struct vbr_config *cfg, struct vbr_neighbor *n, const char *key,
	const char *value, char *msg, size_t len)
{
	return config_set(cfg, CONFIG_NEIGHBOR, n, key, value, msg, len);
}

int
config_network_set(struct vbr_prefix *n, const char *value, char *msg, size_t len)
{
	return config_set(NULL, CONFIG_NETWORK, n, schema_network.key, value, msg, len);
}

void
config_group_init(struct vbr_bgp_group *g)
{
	schema_group_defaults(g);
}
