/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the config loader and writer: the example files load with
 * the values they say, defaults fill the rest, and every kind of mistake is
 * refused with the exact FILE:LINE:COLUMN and message a user would see;
 * static routes have no bound, their duplicates are found through the
 * prefix index; what the writer writes loads back equal, and a write that
 * fails leaves the old file as it was. meson runs this in tests/, hence the
 * ../config/examples paths.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#define EXAMPLES "../config/examples/"
#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct vbr_config *cfg;
static char err[1024];

static void
setup(void)
{
	cfg = config_alloc();
	ck_assert_ptr_nonnull(cfg);
	memset(err, 'X', sizeof(err));
}

static void
teardown(void)
{
	config_free(cfg);
}

/* From a heap copy without a NUL, so that ASan catches a read past len. */
static int
load_n(const char *yaml, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, yaml, len);
	rc = config_load_buffer("t.yaml", copy, len, cfg, err, sizeof(err));
	free(copy);
	return rc;
}

static int
load(const char *yaml)
{
	return load_n(yaml, strlen(yaml));
}

static void
load_ok(const char *yaml)
{
	int rc = load(yaml);

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_str_eq(err, "");
}

static void
load_fails(const char *yaml, const char *expect)
{
	int rc = load(yaml);

	ck_assert_msg(rc == -EINVAL, "rc %d, expected -EINVAL for:\n%s", rc, yaml);
	ck_assert_msg(strstr(err, expect) != NULL, "error\n  %s\ndoes not contain\n  %s\nfor:\n%s",
		err, expect, yaml);
	ck_assert_msg(strchr(err, '\n') == NULL, "error spans lines: %s", err);
}

/* Three lines, so that what a test adds starts on line 4. */
#define PORTS                                                                                      \
	"ports:\n"                                                                                 \
	"  idc: {device: net_tap0, address: 10.0.0.1/30}\n"                                        \
	"  vpc: {device: net_tap1, address: 172.16.0.1/30}\n"
/* Lines 4 to 6; peers follow on 7 and 8. */
#define GROUP                                                                                      \
	"bgp:\n"                                                                                   \
	"  groups:\n"                                                                              \
	"    - {name: core, peer_asn: 65001}\n"
#define PEER(addr) "  peers:\n    - {group: core, address: " addr "}\n"
#define ROUTE(pfx, nh) "routes:\n  - {prefix: " pfx ", next_hop: " nh "}\n"

/* --- the examples --- */

START_TEST(example_demo)
{
	const struct vbr_port_config *idc = &cfg->ports[VBR_PORT_IDC];
	const struct vbr_port_config *vpc = &cfg->ports[VBR_PORT_VPC];
	const struct vbr_bgp_group *g = &cfg->groups[0];
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
	int rc = config_load(EXAMPLES "vbr-demo.yaml", cfg, err, sizeof(err));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_str_eq(cfg->path, EXAMPLES "vbr-demo.yaml");
	ck_assert_str_eq(cfg->name, "vbr-demo");
	ck_assert_uint_eq(cfg->local_asn, 45104);
	ck_assert_uint_eq(cfg->router_id, IP(10, 0, 0, 1));
	ck_assert_uint_eq(cfg->max_peers, 8);

	ck_assert_str_eq(idc->device, "net_tap0");
	ck_assert_uint_eq(idc->address, IP(10, 0, 0, 1));
	ck_assert_uint_eq(idc->prefix_len, 30);
	ck_assert_str_eq(idc->tap, "vbr-idc");
	ck_assert_uint_eq(idc->mtu, 1500);
	ck_assert_uint_eq(idc->punt_rate, 10000);
	ck_assert_str_eq(vpc->device, "net_tap1");
	ck_assert_uint_eq(vpc->address, IP(172, 16, 0, 1));
	ck_assert_uint_eq(vpc->prefix_len, 30);
	ck_assert_str_eq(vpc->tap, "vbr-vpc");
	ck_assert_uint_eq(vpc->mtu, 1500);
	ck_assert_uint_eq(vpc->punt_rate, 10000);
	ck_assert_uint_eq(cfg->fib.max_routes, 1048576);
	ck_assert_uint_eq(cfg->fib.max_tbl8, 65536);
	ck_assert_uint_eq(cfg->fib.max_nexthops, 65536);

	ck_assert_uint_eq(cfg->nb_groups, 1);
	ck_assert_str_eq(g->name, "idc-core");
	ck_assert_uint_eq(g->peer_asn, 65001);
	ck_assert_str_eq(g->key, "s3cret");
	ck_assert_str_eq(g->description, "IDC core routers");
	ck_assert_uint_eq(g->max_prefixes, 100);
	ck_assert_int_eq(g->max_prefixes_action, VBR_MAXPFX_DROP);
	ck_assert_uint_eq(g->max_prefixes_restart, 60);
	ck_assert_uint_eq(g->hold_time, 90);
	ck_assert_uint_eq(g->connect_retry, 30);
	ck_assert_uint_eq(g->multihop, 1);
	ck_assert(!g->passive);
	ck_assert(!g->accept_default);
	ck_assert(!g->gtsm);
	ck_assert_uint_eq(g->max_prefix_len, 24);
	ck_assert_uint_eq(g->max_as_path_len, 64);
	ck_assert_uint_eq(g->min_hold_time, 3);
	ck_assert_uint_eq(g->send_hold_time, 0);

	ck_assert_uint_eq(cfg->nb_peers, 1);
	ck_assert_uint_eq(cfg->peers[0].address, IP(10, 0, 0, 2));
	ck_assert_uint_eq(cfg->peers[0].group, 0);
	ck_assert_str_eq(cfg->peers[0].description, "core-1");
	ck_assert_int_gt(cfg->peers[0].line, 1);

	ck_assert_uint_eq(cfg->nb_networks, 1);
	ck_assert_uint_eq(cfg->networks[0].addr, IP(172, 16, 0, 0));
	ck_assert_uint_eq(cfg->networks[0].len, 12);

	ck_assert_uint_eq(cfg->nb_routes, 2);
	ck_assert_uint_eq(cfg->routes[0].prefix.addr, IP(172, 16, 0, 0));
	ck_assert_uint_eq(cfg->routes[0].prefix.len, 12);
	ck_assert_uint_eq(cfg->routes[0].next_hop, IP(172, 16, 0, 2));
	ck_assert_int_eq(cfg->routes[0].port, VBR_PORT_VPC);
	ck_assert_uint_eq(cfg->routes[1].prefix.addr, IP(192, 168, 0, 0));
	ck_assert_uint_eq(cfg->routes[1].prefix.len, 16);
	ck_assert_uint_eq(cfg->routes[1].next_hop, IP(10, 0, 0, 2));
	ck_assert_int_eq(cfg->routes[1].port, VBR_PORT_IDC);

	ck_assert_uint_eq(cfg->nb_neighbors, 1);
	ck_assert_uint_eq(cfg->neighbors[0].address, IP(172, 16, 0, 2));
	ck_assert_mem_eq(cfg->neighbors[0].mac, mac, 6);
	ck_assert_int_eq(cfg->neighbors[0].port, VBR_PORT_VPC);
}
END_TEST

START_TEST(example_static_only)
{
	int rc = config_load(EXAMPLES "static-only.yaml", cfg, err, sizeof(err));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_str_eq(cfg->name, "vbr-static");
	ck_assert_uint_eq(cfg->local_asn, VBR_DEFAULT_ASN);
	ck_assert_uint_eq(cfg->router_id, IP(10, 0, 0, 1));
	ck_assert_uint_eq(cfg->nb_groups, 0);
	ck_assert_uint_eq(cfg->nb_peers, 0);
	ck_assert_uint_eq(cfg->nb_networks, 0);
	ck_assert_uint_eq(cfg->nb_neighbors, 0);
	ck_assert_uint_eq(cfg->nb_routes, 3);
	ck_assert_uint_eq(cfg->routes[2].prefix.addr, 0);
	ck_assert_uint_eq(cfg->routes[2].prefix.len, 0);
	ck_assert_int_eq(cfg->routes[2].port, VBR_PORT_IDC);
}
END_TEST

START_TEST(example_real_nic)
{
	int rc = config_load(EXAMPLES "real-nic.yaml", cfg, err, sizeof(err));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_str_eq(cfg->ports[VBR_PORT_IDC].device, "0000:3b:00.0");
	ck_assert_str_eq(cfg->ports[VBR_PORT_VPC].device, "0000:3b:00.1");
	ck_assert_uint_eq(cfg->ports[VBR_PORT_IDC].mtu, 9000);
	ck_assert_uint_eq(cfg->ports[VBR_PORT_IDC].prefix_len, 29);
	ck_assert_uint_eq(cfg->router_id, IP(198, 51, 100, 1));
	ck_assert_uint_eq(cfg->fib.max_routes, 2097152);
	ck_assert_uint_eq(cfg->nb_groups, 2);
	ck_assert_uint_eq(cfg->groups[0].peer_asn, 4200000001u);
	ck_assert_int_eq(cfg->groups[0].max_prefixes_action, VBR_MAXPFX_TEARDOWN);
	ck_assert_uint_eq(cfg->groups[0].hold_time, 30);
	/* The second group states little: the rest are the defaults. */
	ck_assert_uint_eq(cfg->groups[1].peer_asn, 64512);
	ck_assert(cfg->groups[1].passive);
	ck_assert_str_eq(cfg->groups[1].key, "");
	ck_assert_uint_eq(cfg->groups[1].max_prefixes, 100);
	ck_assert_uint_eq(cfg->groups[1].hold_time, 90);
	ck_assert_uint_eq(cfg->groups[1].connect_retry, 30);
	ck_assert_uint_eq(cfg->nb_peers, 3);
	ck_assert_uint_eq(cfg->peers[2].group, 1);
	ck_assert_uint_eq(cfg->peers[2].address, IP(198, 51, 100, 6));
	ck_assert_uint_eq(cfg->nb_networks, 2);
}
END_TEST

/* --- valid buffers --- */

START_TEST(defaults)
{
	load_ok(PORTS);
	ck_assert_str_eq(cfg->path, "t.yaml");
	ck_assert_str_eq(cfg->name, "");
	ck_assert_uint_eq(cfg->local_asn, 45104);
	ck_assert_uint_eq(cfg->router_id, IP(10, 0, 0, 1));
	ck_assert_uint_eq(cfg->max_peers, 8);
	ck_assert_str_eq(cfg->ports[VBR_PORT_IDC].tap, "vbr-idc");
	ck_assert_str_eq(cfg->ports[VBR_PORT_VPC].tap, "vbr-vpc");
	for (int i = 0; i < VBR_NB_PORTS; i++) {
		ck_assert_uint_eq(cfg->ports[i].mtu, 1500);
		ck_assert_uint_eq(cfg->ports[i].punt_rate, 10000);
		ck_assert_uint_eq(cfg->ports[i].max_neighbors, 16384);
		ck_assert_uint_eq(cfg->ports[i].reachable_time, 60);
	}
	ck_assert_uint_eq(cfg->fib.max_routes, 1048576);
	ck_assert_uint_eq(cfg->fib.max_tbl8, 65536);
	ck_assert_uint_eq(cfg->fib.max_nexthops, 65536);
	ck_assert_uint_eq(cfg->nb_groups + cfg->nb_peers + cfg->nb_networks + cfg->nb_routes +
				  cfg->nb_neighbors,
		0);

	load_ok(PORTS GROUP);
	ck_assert_uint_eq(cfg->groups[0].max_prefixes, 100);
	ck_assert_int_eq(cfg->groups[0].max_prefixes_action, VBR_MAXPFX_DROP);
	ck_assert_uint_eq(cfg->groups[0].max_prefixes_restart, 60);
	ck_assert_uint_eq(cfg->groups[0].hold_time, 90);
	ck_assert_uint_eq(cfg->groups[0].connect_retry, 30);
	ck_assert_uint_eq(cfg->groups[0].multihop, 1);
	ck_assert(!cfg->groups[0].passive);
	ck_assert_str_eq(cfg->groups[0].key, "");
}
END_TEST

START_TEST(every_key)
{
	load_ok("vbr:\n"
		"  name: edge\n"
		"  local_asn: 1.10\n" /* asdot: 65546 */
		"  router_id: 192.0.2.1\n"
		"  max_peers: 64\n"
		"ports:\n"
		"  idc: {device: \"net_tap0,iface=x\", address: 10.0.0.0/31, tap: i0, mtu: 9000,\n"
		"        punt_rate: 1}\n"
		"  vpc: {device: 0000:3b:00.1, address: 172.16.0.1/24, tap: v0, mtu: 68,\n"
		"        max_neighbors: 0, reachable_time: 3600}\n"
		"fib: {max_routes: 1024, max_tbl8: 16, max_nexthops: 100}\n"
		"bgp:\n"
		"  groups:\n"
		"    - name: g\n"
		"      peer_asn: 4294967295\n"
		"      key: "
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789\n"
		"      description: d\n"
		"      max_prefixes: 5000\n"
		"      max_prefixes_action: teardown\n"
		"      max_prefixes_restart: 1\n"
		"      hold_time: 0\n"
		"      min_hold_time: 0\n"
		"      send_hold_time: 600\n"
		"      connect_retry: \"5\"\n"
		"      multihop: 255\n"
		"      passive: yes\n"
		"      accept_default: true\n"
		"      gtsm: true\n"
		"      max_prefix_len: 32\n"
		"      max_as_path_len: 2048\n"
		"  peers:\n"
		"    - {group: g, address: 10.0.0.1, description: p}\n"
		"  networks: [172.16.0.0/12, 10.0.0.0/8, 0.0.0.0/0]\n"
		"routes:\n"
		"  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.1}\n"
		"  - {prefix: 10.9.0.0/17, next_hop: 172.16.0.254}\n"
		"  - {prefix: 10.9.0.7/32, next_hop: 172.16.0.2}\n"
		"neighbors:\n"
		"  - {address: 10.0.0.1, mac: 0A-0b-0C-0d-0E-0f}\n");
	ck_assert_str_eq(cfg->name, "edge");
	ck_assert_uint_eq(cfg->local_asn, 65546);
	ck_assert_uint_eq(cfg->router_id, IP(192, 0, 2, 1));
	ck_assert_uint_eq(cfg->max_peers, 64);
	/* A /31 has no network address: 10.0.0.0 is ours, 10.0.0.1 the peer. */
	ck_assert_str_eq(cfg->ports[VBR_PORT_IDC].device, "net_tap0,iface=x");
	ck_assert_uint_eq(cfg->ports[VBR_PORT_IDC].address, IP(10, 0, 0, 0));
	ck_assert_uint_eq(cfg->ports[VBR_PORT_IDC].prefix_len, 31);
	ck_assert_str_eq(cfg->ports[VBR_PORT_IDC].tap, "i0");
	ck_assert_uint_eq(cfg->ports[VBR_PORT_IDC].mtu, 9000);
	ck_assert_uint_eq(cfg->ports[VBR_PORT_IDC].punt_rate, 1);
	ck_assert_str_eq(cfg->ports[VBR_PORT_VPC].device, "0000:3b:00.1");
	ck_assert_uint_eq(cfg->ports[VBR_PORT_VPC].mtu, 68);
	ck_assert_uint_eq(cfg->ports[VBR_PORT_VPC].max_neighbors, 0);
	ck_assert_uint_eq(cfg->ports[VBR_PORT_VPC].reachable_time, 3600);
	ck_assert_uint_eq(cfg->fib.max_routes, 1024);
	ck_assert_uint_eq(cfg->fib.max_tbl8, 16);
	ck_assert_uint_eq(cfg->fib.max_nexthops, 100);
	ck_assert_uint_eq(cfg->groups[0].peer_asn, 4294967295u);
	ck_assert_uint_eq(strlen(cfg->groups[0].key), VBR_KEY_MAX);
	ck_assert_uint_eq(cfg->groups[0].max_prefixes, 5000);
	ck_assert_int_eq(cfg->groups[0].max_prefixes_action, VBR_MAXPFX_TEARDOWN);
	ck_assert_uint_eq(cfg->groups[0].max_prefixes_restart, 1);
	ck_assert_uint_eq(cfg->groups[0].hold_time, 0);
	ck_assert_uint_eq(cfg->groups[0].min_hold_time, 0);
	ck_assert_uint_eq(cfg->groups[0].send_hold_time, 600);
	ck_assert_uint_eq(cfg->groups[0].connect_retry, 5);
	ck_assert_uint_eq(cfg->groups[0].multihop, 255);
	ck_assert(cfg->groups[0].passive);
	ck_assert(cfg->groups[0].accept_default);
	ck_assert(cfg->groups[0].gtsm);
	ck_assert_uint_eq(cfg->groups[0].max_prefix_len, 32);
	ck_assert_uint_eq(cfg->groups[0].max_as_path_len, 2048);
	ck_assert_uint_eq(cfg->peers[0].address, IP(10, 0, 0, 1));
	/* One line more for each side's keys: vpc's max_neighbors (h6-neigh),
	 * the group's filter, hold-time and gtsm keys (main). */
	ck_assert_int_eq(cfg->peers[0].line, 32);
	ck_assert_uint_eq(cfg->nb_networks, 3);
	ck_assert_uint_eq(cfg->networks[2].len, 0);
	ck_assert_int_eq(cfg->routes[0].port, VBR_PORT_IDC);
	ck_assert_int_eq(cfg->routes[1].port, VBR_PORT_VPC);
	ck_assert_int_eq(cfg->neighbors[0].port, VBR_PORT_IDC);
}
END_TEST

START_TEST(order_does_not_matter)
{
	/* Peers before groups, bgp before ports: checked in dependency order. */
	load_ok("bgp:\n"
		"  peers: [{address: 10.0.0.2, group: core}]\n"
		"  groups: [{peer_asn: 65001, name: core}]\n"
		"routes: [{next_hop: 172.16.0.2, prefix: 10.8.0.0/16}]\n" PORTS);
	ck_assert_uint_eq(cfg->nb_peers, 1);
	ck_assert_uint_eq(cfg->nb_routes, 1);
	ck_assert_int_eq(cfg->routes[0].port, VBR_PORT_VPC);
}
END_TEST

START_TEST(empty_sections)
{
	load_ok(PORTS "vbr:\nfib:\nbgp:\nroutes: []\nneighbors: ~\n");
	load_ok(PORTS "bgp: {groups: [], peers: null, networks: []}\n");
	load_ok("---\n" PORTS "...\n");
}
END_TEST

/* A second load starts from the defaults, not from the first file. */
START_TEST(reload)
{
	int rc = config_load(EXAMPLES "vbr-demo.yaml", cfg, err, sizeof(err));

	ck_assert_msg(rc == 0, "%s", err);
	rc = config_load(EXAMPLES "static-only.yaml", cfg, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_groups, 0);
	ck_assert_uint_eq(cfg->nb_peers, 0);
	ck_assert_uint_eq(cfg->nb_routes, 3);
	ck_assert_str_eq(cfg->path, EXAMPLES "static-only.yaml");
}
END_TEST

/* --- invalid configs: each with its exact location and message --- */

static const struct bad {
	const char *yaml;
	const char *expect;
} bad[] = {
	/* Unknown keys, at every level. */
	{PORTS "vbr2: {}\n",
		"t.yaml:4:1: vbr2: unknown key; expected one of: vbr, ports, fib, metrics, bgp, "
		"routes, neighbors"},
	{"vbr: {nmae: x}\n" PORTS, "t.yaml:1:7: vbr.nmae: unknown key; expected one of: name, "},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, speed: 10}\n",
		"t.yaml:2:49: ports.idc.speed: unknown key"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, password: x}\n",
		"t.yaml:6:37: bgp.groups[0].password: unknown key"},
	{PORTS GROUP PEER("10.0.0.2, asn: 1"), "t.yaml:8:40: bgp.peers[0].asn: unknown key"},
	{PORTS ROUTE("10.1.0.0/16", "10.0.0.2, via: x"), "t.yaml:5:47: routes[0].via: unknown key"},
	{PORTS "neighbors: [{address: 172.16.0.2, mac: 02:00:00:00:00:02, port: vpc}]\n",
		"t.yaml:4:59: neighbors[0].port: unknown key"},
	{PORTS "fib: {max_route: 5}\n", "t.yaml:4:7: fib.max_route: unknown key"},
	/* metrics.listen: ADDRESS:PORT, IPv4. */
	{PORTS "metrics: {listen: 127.0.0.1}\n",
		"t.yaml:4:19: metrics.listen: expected ADDRESS:PORT (an IPv4 address and a port), "
		"got \"127.0.0.1\""},
	{PORTS "metrics: {listen: 127.0.0.1:0}\n",
		"t.yaml:4:19: metrics.listen: \"127.0.0.1:0\": the port is not a number from 1 to "
		"65535"},
	{PORTS "metrics: {listen: 127.0.0.1:65536}\n", "the port is not a number from 1 to 65535"},
	{PORTS "metrics: {listen: 127.0.0.1:9x}\n", "the port is not a number from 1 to 65535"},
	{PORTS "metrics: {listen: localhost:9111}\n",
		"t.yaml:4:19: metrics.listen: \"localhost:9111\": the address is not an IPv4 address"},
	{PORTS "metrics: {listen: \"[::1]:9111\"}\n", "the address is not an IPv4 address"},
	{PORTS "metrics: {}\n", "metrics: missing required key \"listen\""},
	{PORTS "metrics: {listen: 127.0.0.1:9111, port: 1}\n", "metrics.port: unknown key"},
	{PORTS "bgp:\n  <<: {}\n", "t.yaml:5:3: bgp.<<: YAML merge keys are not supported"},
	{"? [a]\n: b\n", "t.yaml:1:3: expected a key, got a sequence"},

	/* A group's bfd. */
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: {min_rx: 100}}\n",
		"t.yaml:6:51: bgp.groups[0].bfd.min_rx: 100 is out of range (200..1000)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: {min_tx: 1001}}\n",
		"t.yaml:6:51: bgp.groups[0].bfd.min_tx: 1001 is out of range (200..1000)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: {multiplier: 2}}\n",
		"t.yaml:6:55: bgp.groups[0].bfd.multiplier: 2 is out of range (3..10)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: {echo: 1}}\n",
		"t.yaml:6:43: bgp.groups[0].bfd.echo: unknown key; expected one of: min_rx, min_tx, "
		"multiplier, auth"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: 300}\n",
		"t.yaml:6:42: bgp.groups[0].bfd: expected a mapping, got a scalar"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: {auth: {key: x}}}\n",
		"t.yaml:6:49: bgp.groups[0].bfd.auth: missing required key \"type\""},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, bfd: {auth: {type: sha1}}}\n",
		"t.yaml:6:49: bgp.groups[0].bfd.auth: missing required key \"key\""},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001,\n"
	       "       bfd: {auth: {type: simple, key: x}}}\n",
		"t.yaml:7:27: bgp.groups[0].bfd.auth.type: expected sha1, meticulous-sha1, md5 or "
		"meticulous-md5, got \"simple\""},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001,\n"
	       "       bfd: {auth: {type: meticulous-md5, key: 0123456789abcdefg}}}\n",
		"t.yaml:7:48: bgp.groups[0].bfd.auth.key: at most 16 characters for meticulous-md5 "
		"(RFC 5880 6.7.3)"},

	/* Wrong types. */
	{"vbr: {local_asn: abc}\n" PORTS,
		"t.yaml:1:18: vbr.local_asn: expected an AS number, got \"abc\""},
	{PORTS "fib: {max_routes: lots}\n",
		"t.yaml:4:19: fib.max_routes: expected a decimal integer, got \"lots\""},
	{PORTS "fib: {max_routes: 010}\n",
		"t.yaml:4:19: fib.max_routes: expected a decimal integer, got \"010\""},
	{PORTS "fib: {max_routes: 0x10}\n", "expected a decimal integer, got \"0x10\""},
	{PORTS "fib: {max_routes: [1]}\n",
		"t.yaml:4:19: fib.max_routes: expected an integer, got a sequence"},
	{PORTS "routes: {prefix: 10.1.0.0/16}\n",
		"t.yaml:4:9: routes: expected a sequence, got a mapping"},
	{PORTS "routes: 10.1.0.0/16\n", "t.yaml:4:9: routes: expected a sequence, got a scalar"},
	{"ports: [a, b]\n", "t.yaml:1:8: ports: expected a mapping, got a sequence"},
	{"ports:\n  idc: {device: {a: b}, address: 10.0.0.1/30}\n",
		"t.yaml:2:17: ports.idc.device: expected a string, got a mapping"},
	{PORTS "bgp:\n  groups: [core]\n",
		"t.yaml:5:12: bgp.groups[0]: expected a mapping, got a scalar"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, passive: maybe}\n",
		"t.yaml:6:46: bgp.groups[0].passive: expected true or false, got \"maybe\""},
	{"- a\n- b\n", "t.yaml:1:1: expected a mapping, got a sequence"},
	{"hello\n", "t.yaml:1:1: expected a mapping, got a scalar"},
	{PORTS "vbr: {name: \"a\\0b\"}\n", "t.yaml:4:13: vbr.name: contains a NUL character"},

	/* Bad prefixes and addresses. */
	{PORTS ROUTE("10.1.0.256/16", "10.0.0.2"),
		"t.yaml:5:14: routes[0].prefix: \"10.1.0.256/16\" is not an IPv4 prefix"},
	{PORTS ROUTE("10.1.0.0/33", "10.0.0.2"),
		"t.yaml:5:14: routes[0].prefix: \"10.1.0.0/33\" is not an IPv4 prefix: its length "
		"is over 32"},
	{PORTS ROUTE("10.1.0.0/4294967296", "10.0.0.2"), "its length is over 32"},
	{PORTS ROUTE("10.1.0.0", "10.0.0.2"),
		"routes[0].prefix: \"10.1.0.0\" is not an IPv4 prefix: it has no /length"},
	{PORTS ROUTE("10.0.0.1/8", "10.0.0.2"),
		"t.yaml:5:14: routes[0].prefix: 10.0.0.1/8 has host bits set (did you mean "
		"10.0.0.0/8?)"},
	{PORTS ROUTE("010.0.0.0/8", "10.0.0.2"), "\"010.0.0.0/8\" is not an IPv4 prefix"},
	{PORTS ROUTE("10.1/16", "10.0.0.2"), "\"10.1/16\" is not an IPv4 prefix"},
	{PORTS ROUTE("10.1.0.0/016", "10.0.0.2"), "\"10.1.0.0/016\" is not an IPv4 prefix"},
	{PORTS ROUTE("10.1.0.0/16 ", "10.0.0.2x"),
		"routes[0].next_hop: \"10.0.0.2x\" is not an IPv4 address"},
	{PORTS "bgp:\n  networks: [172.16.0.1/12]\n",
		"t.yaml:5:14: bgp.networks[0]: 172.16.0.1/12 has host bits set"},
	{PORTS "bgp:\n  networks: [172.16.0.0/12, 10.0.0.0/8, 172.16.0.0/12]\n",
		"t.yaml:5:41: bgp.networks[2]: duplicate network 172.16.0.0/12 (same as "
		"bgp.networks[0])"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1}\n",
		"t.yaml:2:36: ports.idc.address: \"10.0.0.1\" is not an IPv4 prefix: it has no "
		"/length"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.0/30}\n",
		"t.yaml:2:36: ports.idc.address: 10.0.0.0 is the network address of its subnet"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.3/30}\n",
		"ports.idc.address: 10.0.0.3 is the broadcast address of its subnet"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/0}\n",
		"ports.idc.address: a port's subnet cannot be /0"},
	{"ports:\n  idc: {device: net_tap0, address: 224.0.0.1/24}\n",
		"ports.idc.address: 224.0.0.1 is not a unicast address"},
	{"ports:\n  idc: {device: net_tap0, address: 127.0.0.1/8}\n",
		"127.0.0.1 is not a unicast address"},
	{"vbr: {router_id: 0.0.0.0}\n" PORTS,
		"t.yaml:1:18: vbr.router_id: 0.0.0.0 is not a BGP identifier"},
	{"vbr: {router_id: 10.0.0.1/32}\n" PORTS,
		"vbr.router_id: \"10.0.0.1/32\" is not an IPv4 address"},

	/* IPv6, anywhere. */
	{PORTS "bgp:\n  networks:\n    - 2001:db8::/32\n",
		"t.yaml:6:7: bgp.networks[0]: IPv4 only: \"2001:db8::/32\" is not an IPv4 prefix"},
	{PORTS "routes:\n  - prefix: 2001:db8::/32\n    next_hop: 10.0.0.2\n",
		"t.yaml:5:13: routes[0].prefix: IPv4 only: \"2001:db8::/32\" is not an IPv4 "
		"prefix"},
	{PORTS "routes:\n  - prefix: ::/0\n    next_hop: 10.0.0.2\n",
		"IPv4 only: \"::/0\" is not an IPv4 prefix"},
	{PORTS "routes:\n  - prefix: 10.1.0.0/16\n    next_hop: fe80::1\n",
		"t.yaml:6:15: routes[0].next_hop: IPv4 only: \"fe80::1\" is not an IPv4 address"},
	{PORTS GROUP "  peers:\n    - group: core\n      address: 2001:db8::2\n",
		"t.yaml:9:16: bgp.peers[0].address: IPv4 only: \"2001:db8::2\" is not an IPv4 "
		"address"},
	{"ports:\n  idc: {device: net_tap0, address: \"2001:db8::1/64\"}\n",
		"ports.idc.address: IPv4 only: \"2001:db8::1/64\" is not an IPv4 prefix"},
	{"vbr: {router_id: \"::1\"}\n" PORTS, "IPv4 only: \"::1\" is not an IPv4 address"},

	/* Static routes. */
	{PORTS ROUTE("10.1.0.0/16", "192.168.1.1"),
		"t.yaml:5:37: routes[0].next_hop: next hop 192.168.1.1 is on neither port's "
		"subnet (idc 10.0.0.0/30, vpc 172.16.0.0/30)"},
	{PORTS ROUTE("10.1.0.0/16", "10.0.0.1"),
		"t.yaml:5:37: routes[0].next_hop: next hop 10.0.0.1 is our own address on port idc "
		"(10.0.0.0/30)"},
	{PORTS ROUTE("10.1.0.0/16", "172.16.0.1"),
		"next hop 172.16.0.1 is our own address on port vpc (172.16.0.0/30)"},
	{PORTS ROUTE("10.1.0.0/16", "10.0.0.3"),
		"next hop 10.0.0.3 is the broadcast address on port idc"},
	{PORTS ROUTE("10.1.0.0/16", "172.16.0.0"),
		"next hop 172.16.0.0 is the network address on port vpc"},
	{PORTS "routes:\n  - {prefix: 10.1.0.0/16, next_hop: 10.0.0.2}\n"
	       "  - {prefix: 10.1.0.0/16, next_hop: 172.16.0.2}\n",
		"t.yaml:6:14: routes[1].prefix: duplicate static route 10.1.0.0/16 (same as "
		"routes[0])"},
	{PORTS "routes:\n  - {prefix: 10.1.0.0/16}\n",
		"t.yaml:5:5: routes[0]: missing required key \"next_hop\""},
	{PORTS "routes:\n  - {next_hop: 10.0.0.2}\n",
		"t.yaml:5:5: routes[0]: missing required key \"prefix\""},

	/* BGP groups. */
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001}\n"
	       "    - {name: core, peer_asn: 65002}\n",
		"t.yaml:7:14: bgp.groups[1].name: duplicate BGP group \"core\" (same as "
		"bgp.groups[0])"},
	{PORTS "bgp:\n  groups:\n    - {peer_asn: 65001}\n",
		"t.yaml:6:7: bgp.groups[0]: missing required key \"name\""},
	{PORTS "bgp:\n  groups:\n    - {name: core}\n",
		"t.yaml:6:7: bgp.groups[0]: missing required key \"peer_asn\""},
	{PORTS "bgp:\n  groups:\n    - {name: \"\", peer_asn: 65001}\n",
		"t.yaml:6:14: bgp.groups[0].name: must not be empty"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 0}\n",
		"t.yaml:6:30: bgp.groups[0].peer_asn: 0 is out of range (1..4294967295)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: -1}\n",
		"bgp.groups[0].peer_asn: -1 is out of range (1..4294967295)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001x}\n",
		"bgp.groups[0].peer_asn: expected an AS number, got \"65001x\""},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 1.65536}\n",
		"bgp.groups[0].peer_asn: expected an AS number, got \"1.65536\""},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 45104}\n",
		"bgp.groups[0].peer_asn: 45104 is our own ASN (vbr.local_asn): vbr speaks eBGP "
		"only"},
	{"vbr: {local_asn: 4294967296}\n" PORTS,
		"t.yaml:1:18: vbr.local_asn: 4294967296 is out of range (1..4294967295)"},
	{"vbr: {local_asn: 0}\n" PORTS, "vbr.local_asn: 0 is out of range (1..4294967295)"},
	{"vbr: {local_asn: 99999999999999999999999}\n" PORTS,
		"vbr.local_asn: 99999999999999999999999 is out of range (1..4294967295)"},
	{PORTS "bgp:\n  groups:\n    - name: core\n      peer_asn: 65001\n"
	       "      key: 012345678901234567890123456789012345678901234567890123456789"
	       "012345678901234567890\n",
		"t.yaml:8:12: bgp.groups[0].key: longer than 80 characters"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, max_prefixes_action: kill}\n",
		"t.yaml:6:58: bgp.groups[0].max_prefixes_action: expected drop or teardown, got "
		"\"kill\""},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, hold_time: 2}\n",
		"t.yaml:6:48: bgp.groups[0].hold_time: 2 is neither 0 nor 3..65535"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, hold_time: 0}\n",
		"t.yaml:6:48: bgp.groups[0].hold_time: 0 turns the hold timer off, which "
		"min_hold_time 3 refuses (set min_hold_time: 0 to allow it)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, hold_time: 9, min_hold_time: 10}\n",
		"t.yaml:6:48: bgp.groups[0].hold_time: 9 is below min_hold_time (10)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, send_hold_time: 90}\n",
		"t.yaml:6:53: bgp.groups[0].send_hold_time: 90 must be above hold_time (90), or 0 for "
		"the default"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, min_hold_time: 65536}\n",
		"bgp.groups[0].min_hold_time: 65536 is out of range (0..65535)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, hold_time: 65536}\n",
		"bgp.groups[0].hold_time: 65536 is out of range (0..65535)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, max_prefix_len: 33}\n",
		"t.yaml:6:53: bgp.groups[0].max_prefix_len: 33 is out of range (1..32)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, max_prefix_len: 0}\n",
		"bgp.groups[0].max_prefix_len: 0 is out of range (1..32)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, max_as_path_len: 2049}\n",
		"bgp.groups[0].max_as_path_len: 2049 is out of range (1..2048)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, max_as_path_len: 0}\n",
		"bgp.groups[0].max_as_path_len: 0 is out of range (1..2048)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, accept_default: maybe}\n",
		"bgp.groups[0].accept_default: expected"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, multihop: 0}\n",
		"bgp.groups[0].multihop: 0 is out of range (1..255)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, multihop: 256}\n",
		"bgp.groups[0].multihop: 256 is out of range (1..255)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, max_prefixes: 0}\n",
		"bgp.groups[0].max_prefixes: 0 is out of range (1..4294967295)"},
	{PORTS "bgp:\n  groups:\n    - {name: core, peer_asn: 65001, connect_retry: 0}\n",
		"bgp.groups[0].connect_retry: 0 is out of range (1..65535)"},

	/* BGP peers. */
	{PORTS GROUP PEER("172.16.0.2"),
		"t.yaml:8:30: bgp.peers[0].address: 172.16.0.2 is not on the idc port's subnet "
		"10.0.0.0/30"},
	{PORTS GROUP PEER("8.8.8.8"), "8.8.8.8 is not on the idc port's subnet 10.0.0.0/30"},
	{PORTS GROUP PEER("10.0.0.1"),
		"t.yaml:8:30: bgp.peers[0].address: 10.0.0.1 is our own address on the idc port "
		"(10.0.0.0/30)"},
	{PORTS GROUP PEER("10.0.0.0"),
		"10.0.0.0 is the network address on the idc port (10.0.0.0/30)"},
	{PORTS GROUP PEER("10.0.0.3"),
		"10.0.0.3 is the broadcast address on the idc port (10.0.0.0/30)"},
	{PORTS GROUP "  peers:\n    - {group: core, address: 10.0.0.2}\n"
		     "    - {group: core, address: 10.0.0.2}\n",
		"t.yaml:9:30: bgp.peers[1].address: duplicate peer 10.0.0.2 (same as "
		"bgp.peers[0])"},
	{PORTS GROUP "  peers:\n    - {group: idc-cor, address: 10.0.0.2}\n",
		"t.yaml:8:15: bgp.peers[0].group: unknown BGP group \"idc-cor\""},
	{PORTS "bgp:\n  peers:\n    - {group: core, address: 10.0.0.2}\n",
		"bgp.peers[0].group: unknown BGP group \"core\" (bgp.groups defines none)"},
	{PORTS GROUP "  peers:\n    - {address: 10.0.0.2}\n",
		"t.yaml:8:7: bgp.peers[0]: missing required key \"group\""},
	{PORTS GROUP "  peers:\n    - {group: core}\n",
		"t.yaml:8:7: bgp.peers[0]: missing required key \"address\""},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/32}\n"
	 "  vpc: {device: net_tap1, address: 172.16.0.1/30}\n" GROUP PEER("10.0.0.2"),
		"10.0.0.2 is not on the idc port's subnet 10.0.0.1/32"},
	{"vbr: {max_peers: 65}\n" PORTS, "t.yaml:1:18: vbr.max_peers: 65 is out of range (1..64)"},
	{"vbr: {max_peers: 0}\n" PORTS, "vbr.max_peers: 0 is out of range (1..64)"},

	/* Ports. */
	{"vbr: {name: x}\n", "t.yaml:1:1: missing required key \"ports\""},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30}\n",
		"t.yaml:2:3: ports: missing required key \"vpc\""},
	{"ports:\n  vpc: {device: net_tap1, address: 172.16.0.1/30}\n",
		"t.yaml:2:3: ports: missing required key \"idc\""},
	{"ports:\n", "t.yaml:1:7: ports: missing required key \"idc\""},
	{"ports:\n  idc: {address: 10.0.0.1/30}\n",
		"t.yaml:2:8: ports.idc: missing required key \"device\""},
	{"ports:\n  idc: {device: net_tap0}\n",
		"t.yaml:2:8: ports.idc: missing required key \"address\""},
	{"ports:\n  idc:\n  vpc: {device: net_tap1, address: 172.16.0.1/30}\n",
		"ports.idc: missing required key \"device\""},
	{"ports:\n  idc: {device: \"\", address: 10.0.0.1/30}\n",
		"ports.idc.device: must not be empty"},
	{"ports:\n  idc: {device: \"net tap0\", address: 10.0.0.1/30}\n",
		"ports.idc.device: a device name has no spaces or control characters"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30}\n"
	 "  vpc: {device: net_tap1, address: 10.0.0.2/24}\n",
		"t.yaml:3:36: ports.vpc.address: subnet 10.0.0.0/24 overlaps the idc port's subnet "
		"10.0.0.0/30"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30}\n"
	 "  vpc: {device: net_tap0, address: 172.16.0.1/30}\n",
		"t.yaml:3:17: ports.vpc.device: \"net_tap0\" is the idc port's device too"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, tap: vbr-vpc}\n"
	 "  vpc: {device: net_tap1, address: 172.16.0.1/30}\n",
		"t.yaml:2:54: ports.idc.tap: \"vbr-vpc\" is the vpc port's tap too"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, tap: x}\n"
	 "  vpc: {device: net_tap1, address: 172.16.0.1/30, tap: x}\n",
		"t.yaml:3:56: ports.vpc.tap: \"x\" is the idc port's tap too"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, tap: 0123456789abcdef}\n",
		"t.yaml:2:54: ports.idc.tap: longer than 15 characters"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, tap: a/b}\n",
		"ports.idc.tap: \"a/b\" is not a valid interface name"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, mtu: 10}\n",
		"t.yaml:2:54: ports.idc.mtu: 10 is out of range (68..9600)"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, punt_rate: 0}\n",
		"ports.idc.punt_rate: 0 is out of range (1..4294967295)"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, max_neighbors: 65536}\n",
		"t.yaml:2:64: ports.idc.max_neighbors: 65536 is out of range (0..65535)"},
	{"ports:\n  idc: {device: net_tap0, address: 10.0.0.1/30, reachable_time: 0}\n",
		"t.yaml:2:65: ports.idc.reachable_time: 0 is out of range (1..3600)"},
	{PORTS "fib: {max_tbl8: 0}\n", "fib.max_tbl8: 0 is out of range (1..16777216)"},
	{PORTS "fib: {max_nexthops: 4}\n", "fib.max_nexthops: 4 is out of range (8..16777216)"},

	/* Static neighbours. */
	{PORTS "neighbors:\n  - {address: 172.16.0.2, mac: \"02:00:00:00:00\"}\n",
		"t.yaml:5:32: neighbors[0].mac: \"02:00:00:00:00\" is not a MAC address"},
	{PORTS "neighbors:\n  - {address: 172.16.0.2, mac: \"02:00:00:00:00:0g\"}\n",
		"\"02:00:00:00:00:0g\" is not a MAC address"},
	{PORTS "neighbors:\n  - {address: 172.16.0.2, mac: \"02:00-00:00:00:01\"}\n",
		"is not a MAC address"},
	{PORTS "neighbors:\n  - {address: 172.16.0.2, mac: \"01:00:5e:00:00:01\"}\n",
		"neighbors[0].mac: \"01:00:5e:00:00:01\" is not a unicast MAC address"},
	{PORTS "neighbors:\n  - {address: 172.16.0.2, mac: \"00:00:00:00:00:00\"}\n",
		"is not a unicast MAC address"},
	{PORTS "neighbors:\n  - {address: 192.168.0.1, mac: \"02:00:00:00:00:02\"}\n",
		"t.yaml:5:15: neighbors[0].address: neighbor 192.168.0.1 is on neither port's "
		"subnet"},
	{PORTS "neighbors:\n  - {address: 10.0.0.1, mac: \"02:00:00:00:00:02\"}\n",
		"neighbor 10.0.0.1 is our own address on port idc"},
	{PORTS "neighbors:\n  - {address: 172.16.0.2, mac: \"02:00:00:00:00:02\"}\n"
	       "  - {address: 172.16.0.2, mac: \"02:00:00:00:00:03\"}\n",
		"t.yaml:6:15: neighbors[1].address: duplicate neighbor 172.16.0.2 (same as "
		"neighbors[0])"},
	{PORTS "neighbors:\n  - {address: 172.16.0.2}\n",
		"t.yaml:5:5: neighbors[0]: missing required key \"mac\""},

	/* The file as a whole. */
	{PORTS "ports: {}\n", "t.yaml:4:1: ports: duplicate key (first at line 1)"},
	{"ports:\n  idc: {device: a, device: b}\n",
		"t.yaml:2:20: ports.idc.device: duplicate key (first at line 2)"},
	{"", "t.yaml:1:1: empty configuration"},
	{"# nothing but a comment\n", "t.yaml:1:1: empty configuration"},
	{"ports:\n  idc: {device: net_tap0\n",
		"t.yaml:3:1: YAML syntax error: did not find expected ',' or '}' (while parsing a "
		"flow mapping at line 2, column 8)"},
	{"ports:\n\tidc: {}\n",
		"t.yaml:2:1: YAML syntax error: found character that cannot start any token (a "
		"tab: indent with spaces)"},
	{"ports: *nowhere\n", "t.yaml:1:8: YAML syntax error: found undefined alias"},
	{PORTS "vbr: {name: \"\xc3\x28\"}\n", "t.yaml:4:15: YAML syntax error: invalid trailing "
					      "UTF-8 octet"},
	{PORTS "---\n" PORTS, "t.yaml:5:1: a config file holds one YAML document, not several"},
	{PORTS "---\n[\n", "t.yaml:6:1: YAML syntax error: did not find expected node content"},
};

START_TEST(invalid)
{
	load_fails(bad[_i].yaml, bad[_i].expect);
}
END_TEST

/* --- bounds --- */

/* Builds a YAML text line by line. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
	t->len += (size_t)n;
}

/* IDC 10.0.0.1/20 and VPC 172.16.0.1/20: room for 4093 stations each. */
static void
wide_ports(struct text *t, unsigned int max_peers)
{
	add(t, "vbr: {max_peers: %u}\n", max_peers);
	add(t, "ports:\n  idc: {device: a, address: 10.0.0.1/20}\n"
	       "  vpc: {device: b, address: 172.16.0.1/20}\n");
}

static int
load_text(struct text *t)
{
	int rc = load_n(t->s, t->len);

	free(t->s);
	memset(t, 0, sizeof(*t));
	return rc;
}

static void
peers(struct text *t, unsigned int max_peers, unsigned int n)
{
	wide_ports(t, max_peers);
	add(t, "bgp:\n  groups: [{name: g, peer_asn: 65001}]\n  peers:\n");
	for (unsigned int i = 0; i < n; i++)
		add(t, "    - {group: g, address: 10.0.0.%u}\n", i + 2);
}

START_TEST(max_peers)
{
	struct text t = {0};
	int rc;

	peers(&t, 8, 8);
	rc = load_text(&t);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_peers, 8);

	/* The ninth peer breaks the product's rule, on its own line. */
	peers(&t, 8, 9);
	ck_assert_int_eq(load_text(&t), -EINVAL);
	ck_assert_str_eq(err, "t.yaml:16:7: bgp.peers[8]: more than vbr.max_peers (8) peers");

	/* The rule is configurable up to the array's bound. */
	peers(&t, VBR_MAX_PEERS, VBR_MAX_PEERS);
	rc = load_text(&t);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_peers, VBR_MAX_PEERS);

	peers(&t, 2, 3);
	ck_assert_int_eq(load_text(&t), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bgp.peers[2]: more than vbr.max_peers (2) peers"));
}
END_TEST

START_TEST(array_bounds)
{
	struct text t = {0};
	char expect[128];
	int rc;

	wide_ports(&t, 8);
	add(&t, "bgp:\n  groups:\n");
	for (unsigned int i = 0; i <= VBR_MAX_GROUPS; i++)
		add(&t, "    - {name: g%u, peer_asn: %u}\n", i, 65001 + i);
	ck_assert_int_eq(load_text(&t), -EINVAL);
	snprintf(expect, sizeof(expect), "bgp.groups[%u]: too many BGP groups (at most %u)",
		VBR_MAX_GROUPS, VBR_MAX_GROUPS);
	ck_assert_msg(strstr(err, expect), "%s", err);

	wide_ports(&t, 8);
	add(&t, "bgp:\n  networks:\n");
	for (unsigned int i = 0; i <= VBR_MAX_NETWORKS; i++)
		add(&t, "    - 10.%u.%u.0/24\n", 100 + i / 256, i % 256);
	ck_assert_int_eq(load_text(&t), -EINVAL);
	snprintf(expect, sizeof(expect), "bgp.networks[%u]: too many BGP networks (at most %u)",
		VBR_MAX_NETWORKS, VBR_MAX_NETWORKS);
	ck_assert_msg(strstr(err, expect), "%s", err);

	/* Static routes have no bound but memory: more than the old 4096. */
	wide_ports(&t, 8);
	add(&t, "routes:\n");
	for (unsigned int i = 0; i < 5000; i++)
		add(&t, "  - {prefix: 11.%u.%u.0/24, next_hop: 172.16.0.2}\n", i / 256, i % 256);
	rc = load_text(&t);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_routes, 5000);

	wide_ports(&t, 8);
	add(&t, "neighbors:\n");
	for (unsigned int i = 0; i <= VBR_MAX_NEIGHBORS; i++)
		add(&t, "  - {address: 172.16.%u.%u, mac: \"02:00:00:00:%02x:%02x\"}\n",
			(i + 2) / 256, (i + 2) % 256, i / 256, i % 256);
	ck_assert_int_eq(load_text(&t), -EINVAL);
	snprintf(expect, sizeof(expect), "neighbors[%u]: too many neighbors (at most %u)",
		VBR_MAX_NEIGHBORS, VBR_MAX_NEIGHBORS);
	ck_assert_msg(strstr(err, expect), "%s", err);
}
END_TEST

/* Routes: a wide VPC (172.16.0.0/12) as next hop for n /24s from 11.0.0.0. */
static void
many_routes(struct text *t, unsigned int n)
{
	add(t, "ports:\n  idc: {device: a, address: 10.0.0.1/24}\n"
	       "  vpc: {device: b, address: 172.16.0.1/12}\n");
	add(t, "routes:\n");
	for (unsigned int i = 0; i < n; i++)
		add(t, "  - {prefix: %u.%u.%u.0/24, next_hop: 172.%u.%u.%u}\n", 11 + (i >> 16),
			(i >> 8) & 255, i & 255, 16 + (i % 16), (i >> 8) % 256, 2 + i % 250);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The old bound was 4096: 200,000 load, in linear time (a figure printed,
 * not asserted: the machine is shared). */
START_TEST(routes_unbounded)
{
	struct text t = {0};
	struct timespec t0;
	double s;
	int rc;

	many_routes(&t, 200000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = load_text(&t);
	s = seconds_since(&t0);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_routes, 200000);
	ck_assert_uint_eq(cfg->routes[199999].prefix.addr, IP(14, 13, 63, 0));
	ck_assert_int_eq(cfg->routes[199999].port, VBR_PORT_VPC);
	fprintf(stderr, "config: 200000 static routes loaded in %.3f s\n", s);
}
END_TEST

/* A duplicate among many is found, and named with its first place. */
START_TEST(routes_duplicate)
{
	struct text t = {0};

	many_routes(&t, 20000);
	add(&t, "  - {prefix: 11.0.7.0/24, next_hop: 10.0.0.2}\n");
	ck_assert_int_eq(load_text(&t), -EINVAL);
	ck_assert_str_eq(err, "t.yaml:20005:14: routes[20000].prefix: duplicate static route "
			      "11.0.7.0/24 (same as routes[7])");

	/* The same prefix with another length is another route. */
	many_routes(&t, 20000);
	add(&t, "  - {prefix: 11.0.7.0/25, next_hop: 10.0.0.2}\n");
	ck_assert_msg(load_text(&t) == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_routes, 20001);

	/* A reload starts again from no routes. */
	many_routes(&t, 3);
	ck_assert_msg(load_text(&t) == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_routes, 3);
	ck_assert_int_eq(config_route_find(cfg, &(struct vbr_prefix){IP(11, 0, 7, 0), 24}), -1);
	ck_assert_int_eq(config_route_find(cfg, &(struct vbr_prefix){IP(11, 0, 2, 0), 24}), 2);
}
END_TEST

/* --- the writer --- */

static char dir[64];
/* The last round trip's file, for a look at its text (freed at the next one). */
static char *last_text;

static void
dir_setup(void)
{
	setup();
	snprintf(dir, sizeof(dir), "/tmp/test_config_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
dir_teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	teardown();
	free(last_text);
	last_text = NULL;
	if (d == NULL)
		return;
	chmod(dir, 0700);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (remove(path) != 0) {
			/* A directory standing where a temporary file goes. */
			rmdir(path);
		}
	}
	closedir(d);
	rmdir(dir);
}

/* The files in dir, for "no temporary file left". */
static unsigned int
files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char *
slurp_free(void)
{
	return last_text;
}

/* Write cfg to dir/name, load it back, compare; the text is canonical: a
 * second write of what was loaded gives the same bytes. */
static void
round_trip(const char *name)
{
	struct vbr_config *back = config_alloc();
	char path[256];
	char *first, *second;
	size_t l1, l2;
	struct stat st;
	int rc;

	ck_assert_ptr_nonnull(back);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = config_write(cfg, path, err, sizeof(err));
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	rc = config_load(path, back, err, sizeof(err));
	first = slurp(path, &l1);
	ck_assert_msg(rc == 0, "the written file does not load: %s\n%s", err, first);
	ck_assert_msg(config_equal(cfg, back), "loads back different:\n%s", first);
	ck_assert(config_equal(back, cfg));
	ck_assert_int_eq(config_write(back, path, err, sizeof(err)), 0);
	second = slurp(path, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(first, second, l1);
	free(last_text);
	last_text = first;
	free(second);
	config_free(back);
}

START_TEST(write_examples)
{
	static const char *const examples[] = {"vbr-demo.yaml", "static-only.yaml",
		"real-nic.yaml"};

	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		char path[256];
		int rc;

		snprintf(path, sizeof(path), EXAMPLES "%s", examples[i]);
		rc = config_load(path, cfg, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s", err);
		round_trip(examples[i]);
	}
	ck_assert_uint_eq(files_in_dir(), 3);
}
END_TEST

/* Every key off its default, and values that need quoting. */
START_TEST(write_every_key)
{
	load_ok("vbr: {name: \"yes\", local_asn: 1.10, router_id: 192.0.2.1, max_peers: 64}\n"
		"ports:\n"
		"  idc: {device: \"net_tap0,iface=x\", address: 10.0.0.0/31, tap: i0, mtu: 9000,\n"
		"        punt_rate: 1}\n"
		"  vpc: {device: 0000:3b:00.1, address: 172.16.0.1/24, tap: v0, mtu: 68,\n"
		"        max_neighbors: 0, reachable_time: 3600}\n"
		"fib: {max_routes: 1024, max_tbl8: 16, max_nexthops: 100}\n"
		"metrics: {listen: 10.0.0.0:9111}\n"
		"bgp:\n"
		"  groups:\n"
		"    - name: \"g: #1\"\n"
		"      peer_asn: 4294967295\n"
		"      key: \"k'\\\"\\\\ x\"\n"
		"      description: \"caf\xc3\xa9\\ttab\\nline, \\u2713\"\n"
		"      max_prefixes: 5000\n"
		"      max_prefixes_action: teardown\n"
		"      max_prefixes_restart: 1\n"
		"      hold_time: 0\n"
		"      min_hold_time: 0\n"
		"      send_hold_time: 600\n"
		"      connect_retry: 5\n"
		"      error_wait_min: 2\n"
		"      error_wait_max: 3\n"
		"      multihop: 255\n"
		"      passive: yes\n"
		"      accept_default: true\n"
		"      gtsm: true\n"
		"      max_prefix_len: 32\n"
		"      max_as_path_len: 2048\n"
		"    - {name: \"010\", peer_asn: 7, description: \"  \"}\n"
		"  peers:\n"
		"    - {group: \"g: #1\", address: 10.0.0.1, description: \"null\"}\n"
		"  networks: [172.16.0.0/12, 10.0.0.0/8, 0.0.0.0/0]\n"
		"routes:\n"
		"  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.1}\n"
		"  - {prefix: 10.9.0.7/32, next_hop: 172.16.0.2}\n"
		"neighbors:\n"
		"  - {address: 10.0.0.1, mac: 0A-0b-0C-0d-0E-0f}\n");
	ck_assert_str_eq(cfg->groups[0].name, "g: #1");
	ck_assert_str_eq(cfg->groups[0].key, "k'\"\\ x");
	ck_assert_str_eq(cfg->groups[0].description, "caf\xc3\xa9\ttab\nline, \xe2\x9c\x93");
	ck_assert_uint_eq(cfg->metrics.listen_addr, 0x0a000000);
	ck_assert_uint_eq(cfg->metrics.listen_port, 9111);
	round_trip("every.yaml");
	ck_assert_ptr_nonnull(strstr(slurp_free(), "listen: 10.0.0.0:9111"));

	/* The router id follows the idc address when it is not set apart. */
	load_ok(PORTS);
	round_trip("defaults.yaml");
	ck_assert_ptr_null(strstr(slurp_free(), "metrics"));
	ck_assert_ptr_null(strstr(slurp_free(), "router_id"));
}
END_TEST

/* A static route's track: defaults when stated empty, bounds, the writer's
 * flow mapping, and equality. */
START_TEST(write_track)
{
	load_ok(PORTS "routes:\n"
		      "  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.2, track: {interval: 1, misses: 3}}\n"
		      "  - {prefix: 10.8.0.0/16, next_hop: 10.0.0.2, track: {}}\n"
		      "  - {prefix: 10.7.0.0/16, next_hop: 10.0.0.2}\n");
	ck_assert_uint_eq(cfg->routes[0].track.interval, 1);
	ck_assert_uint_eq(cfg->routes[0].track.misses, 3);
	ck_assert_uint_eq(cfg->routes[0].track.rise, VBR_TRACK_DEFAULT_RISE);
	ck_assert_uint_eq(cfg->routes[1].track.interval, VBR_TRACK_DEFAULT_INTERVAL);
	ck_assert_uint_eq(cfg->routes[1].track.misses, VBR_TRACK_DEFAULT_MISSES);
	ck_assert_uint_eq(cfg->routes[2].track.interval, 0);
	round_trip("track.yaml");
	ck_assert_ptr_nonnull(strstr(last_text, "track: {interval: 1, misses: 3}"));
	ck_assert_ptr_nonnull(strstr(last_text, "track: {}"));

	load_fails(PORTS "routes:\n  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.2, track: {misses: 1}}\n",
		"t.yaml:5:63: routes[0].track.misses: 1 is out of range (2..100)");
	load_fails(PORTS "routes:\n  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.2, track: {interval: 61}}\n",
		"routes[0].track.interval: 61 is out of range (1..60)");
	load_fails(PORTS "routes:\n  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.2, track: {every: 2}}\n",
		"routes[0].track.every: unknown key; expected one of: interval, misses, rise");
	load_fails(PORTS "routes:\n  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.2, track: 2}\n",
		"routes[0].track: expected a mapping");
}
END_TEST

/* A group's bfd: absent, present with its defaults, every key; each
 * written back in flow style and loaded back equal. */
START_TEST(write_bfd)
{
	load_ok(PORTS "bgp:\n  groups:\n"
		      "    - {name: a, peer_asn: 65001}\n"
		      "    - {name: b, peer_asn: 65001, bfd: {}}\n"
		      "    - name: c\n"
		      "      peer_asn: 65001\n"
		      "      bfd:\n"
		      "        min_rx: 200\n"
		      "        min_tx: 1000\n"
		      "        multiplier: 10\n"
		      "        auth: {type: meticulous-sha1, key_id: 0, key: \"s3cret: #1\"}\n"
		      "    - {name: d, peer_asn: 65001, bfd: {auth: {type: md5, key: k}}}\n");
	ck_assert(!cfg->groups[0].bfd.enabled);
	ck_assert(cfg->groups[1].bfd.enabled);
	ck_assert_uint_eq(cfg->groups[1].bfd.min_rx, 300);
	ck_assert_uint_eq(cfg->groups[1].bfd.min_tx, 300);
	ck_assert_uint_eq(cfg->groups[1].bfd.multiplier, 3);
	ck_assert(!cfg->groups[1].bfd.auth.enabled);
	ck_assert_uint_eq(cfg->groups[2].bfd.min_rx, 200);
	ck_assert_uint_eq(cfg->groups[2].bfd.min_tx, 1000);
	ck_assert_uint_eq(cfg->groups[2].bfd.multiplier, 10);
	ck_assert(cfg->groups[2].bfd.auth.enabled);
	ck_assert_int_eq(cfg->groups[2].bfd.auth.type, VBR_BFD_AUTH_METICULOUS_SHA1);
	ck_assert_uint_eq(cfg->groups[2].bfd.auth.key_id, 0);
	ck_assert_str_eq(cfg->groups[2].bfd.auth.key, "s3cret: #1");
	ck_assert_uint_eq(cfg->groups[3].bfd.auth.key_id, 1);
	round_trip("bfd.yaml");
	ck_assert_ptr_nonnull(strstr(slurp_free(), "bfd: {}"));
	ck_assert_ptr_nonnull(strstr(slurp_free(),
		"bfd: {min_rx: 200, min_tx: 1000, multiplier: 10, auth: {type: meticulous-sha1, "
		"key_id: 0, key: \"s3cret: #1\"}}"));
	ck_assert_ptr_nonnull(strstr(slurp_free(), "bfd: {auth: {type: md5, key: \"k\"}}"));
	/* Equality sees each of them. */
	struct vbr_config *other = config_clone(cfg);

	ck_assert_ptr_nonnull(other);
	ck_assert(config_equal(cfg, other));
	other->groups[2].bfd.auth.key[0] = 'S';
	ck_assert(!config_equal(cfg, other));
	other->groups[2].bfd.auth.key[0] = 's';
	other->groups[1].bfd.multiplier = 4;
	ck_assert(!config_equal(cfg, other));
	other->groups[1].bfd.multiplier = 3;
	other->groups[0].bfd.enabled = true;
	ck_assert(!config_equal(cfg, other));
	config_free(other);
}
END_TEST

/* 10,000 routes and the rest of a full config. */
START_TEST(write_many_routes)
{
	struct text t = {0};
	struct timespec t0;
	int rc;

	many_routes(&t, 10000);
	add(&t, "bgp:\n  groups: [{name: g, peer_asn: 65001, key: k}]\n"
		"  peers: [{group: g, address: 10.0.0.2}]\n  networks: [172.16.0.0/12]\n");
	rc = load_text(&t);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->nb_routes, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	round_trip("many.yaml");
	fprintf(stderr, "config: 10000 routes written, loaded, compared, written in %.3f s\n",
		seconds_since(&t0));
}
END_TEST

/* What the file holds is what was acknowledged: a failed write changes nothing. */
START_TEST(write_fails_cleanly)
{
	char path[256], tmp[300], *before, *after;
	size_t l1, l2;
	int rc;

	load_ok(PORTS GROUP PEER("10.0.0.2"));
	snprintf(path, sizeof(path), "%s/vbr.yaml", dir);
	ck_assert_int_eq(config_write(cfg, path, err, sizeof(err)), 0);
	before = slurp(path, &l1);
	cfg->groups[0].peer_asn = 65009;

	/* In a directory that does not exist. */
	rc = config_write(cfg, "/nonexistent-dir/vbr.yaml", err, sizeof(err));
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_msg(strncmp(err, "/nonexistent-dir/vbr.yaml: cannot create a temporary file: ",
			      59) == 0,
		"%s", err);

	/* The temporary file cannot be made (a directory is in its place). */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	rc = config_write(cfg, path, err, sizeof(err));
	ck_assert_int_eq(rc, -EISDIR);
	ck_assert_int_eq(rmdir(tmp), 0);
	after = slurp(path, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(before, after, l1);
	free(after);

	/* The emitter refuses a value half way: the temporary file goes, the
	 * old file stays. */
	snprintf(cfg->groups[0].description, sizeof(cfg->groups[0].description), "bad \xff utf-8");
	rc = config_write(cfg, path, err, sizeof(err));
	ck_assert_int_lt(rc, 0);
	ck_assert_msg(strstr(err, "vbr.yaml: cannot write: ") != NULL, "%s", err);
	ck_assert_uint_eq(files_in_dir(), 1);
	after = slurp(path, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(before, after, l1);
	free(after);

	/* A directory we may not write to (root may: then this is moot). */
	cfg->groups[0].description[0] = '\0';
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(dir, 0500), 0);
		rc = config_write(cfg, path, err, sizeof(err));
		ck_assert_int_eq(rc, -EACCES);
		ck_assert_int_eq(chmod(dir, 0700), 0);
		after = slurp(path, &l2);
		ck_assert_mem_eq(before, after, l1);
		free(after);
	}
	ck_assert_uint_eq(files_in_dir(), 1);

	/* And a good write replaces it. */
	ck_assert_int_eq(config_write(cfg, path, err, sizeof(err)), 0);
	after = slurp(path, &l2);
	ck_assert_ptr_nonnull(strstr(after, "peer_asn: 65009"));
	free(after);
	free(before);
	ck_assert_uint_eq(files_in_dir(), 1);
}
END_TEST

/* A config file reached through a symbolic link stays a link. */
START_TEST(write_through_link)
{
	char path[256], link[256], *text;
	struct stat st;
	size_t len;

	load_ok(PORTS);
	snprintf(path, sizeof(path), "%s/real.yaml", dir);
	snprintf(link, sizeof(link), "%s/link.yaml", dir);
	ck_assert_int_eq(config_write(cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(symlink("real.yaml", link), 0);
	cfg->max_peers = 3;
	ck_assert_int_eq(config_write(cfg, link, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	text = slurp(path, &len);
	ck_assert_ptr_nonnull(strstr(text, "max_peers: 3"));
	free(text);
	ck_assert_uint_eq(files_in_dir(), 2);
}
END_TEST

/* --- files and the error buffer --- */

START_TEST(file_not_found)
{
	char expect[256];
	int rc = config_load("no-such-dir/vbr.yaml", cfg, err, sizeof(err));

	ck_assert_int_eq(rc, -ENOENT);
	snprintf(expect, sizeof(expect), "no-such-dir/vbr.yaml: cannot open: %s", strerror(ENOENT));
	ck_assert_str_eq(err, expect);
}
END_TEST

START_TEST(file_is_a_directory)
{
	int rc = config_load("../config/examples", cfg, err, sizeof(err));

	ck_assert_int_eq(rc, -EISDIR);
	ck_assert_ptr_nonnull(strstr(err, "../config/examples: cannot read: "));
}
END_TEST

START_TEST(file_error_has_location)
{
	static const char text[] = PORTS "vbr: {local_asn: 0}\n";
	char path[] = "/tmp/test_config_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char expect[128];

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	fclose(f);
	ck_assert_int_eq(config_load(path, cfg, err, sizeof(err)), -EINVAL);
	unlink(path);
	snprintf(expect, sizeof(expect), "%s:4:18: vbr.local_asn: 0 is out of range", path);
	ck_assert_msg(strncmp(err, expect, strlen(expect)) == 0, "%s", err);
}
END_TEST

START_TEST(small_error_buffer)
{
	static const char text[] = "vbr: {local_asn: 0}\n" PORTS;
	char small[12];

	memset(small, 'X', sizeof(small));
	ck_assert_int_eq(
		config_load_buffer("t.yaml", text, strlen(text), cfg, small, sizeof(small)),
		-EINVAL);
	ck_assert_str_eq(small, "t.yaml:1:18");
	ck_assert_int_eq(config_load_buffer("t.yaml", text, strlen(text), cfg, NULL, 0), -EINVAL);
	ck_assert_int_eq(config_load_buffer(NULL, NULL, 0, cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "<buffer>:1:1: empty configuration: ports.idc and ports.vpc are "
			      "required");
	ck_assert_int_eq(config_load_buffer("t.yaml", PORTS, strlen(PORTS), NULL, err, sizeof(err)),
		-EINVAL);
}
END_TEST

/* Every truncation and many corruptions of the demo config either load or
 * fail with a located message: a small, deterministic fuzz. */
START_TEST(corrupted_demo)
{
	static const char junk[] = {':', '[', '{', '-', '\0', '\xff', ' ', '\n', '*', '&', '9'};
	FILE *f = fopen(EXAMPLES "vbr-demo.yaml", "rb");
	char text[8192], *copy;
	size_t len;

	ck_assert_ptr_nonnull(f);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_lt(len, sizeof(text));

	for (size_t n = 0; n <= len; n++) {
		int rc = load_n(text, n);

		ck_assert_msg(rc == 0 || (rc == -EINVAL && strncmp(err, "t.yaml:", 7) == 0),
			"prefix %zu: rc %d: %s", n, rc, err);
	}
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	for (size_t i = 0; i < len; i++)
		for (size_t j = 0; j < sizeof(junk); j++) {
			int rc;

			memcpy(copy, text, len);
			copy[i] = junk[j];
			rc = config_load_buffer("t.yaml", copy, len, cfg, err, sizeof(err));
			ck_assert_msg(rc == 0 || (rc == -EINVAL && strncmp(err, "t.yaml:", 7) == 0),
				"byte %zu = %d: rc %d: %s", i, junk[j], rc, err);
		}
	free(copy);
}
END_TEST

/* --- helpers --- */

START_TEST(helpers)
{
	struct vbr_prefix p = {IP(192, 168, 0, 0), 16};
	char buf[VBR_PREFIX_STRLEN];

	load_ok(PORTS);
	ck_assert_int_eq(config_port_of(cfg, IP(10, 0, 0, 2)), VBR_PORT_IDC);
	ck_assert_int_eq(config_port_of(cfg, IP(10, 0, 0, 0)), VBR_PORT_IDC);
	ck_assert_int_eq(config_port_of(cfg, IP(172, 16, 0, 3)), VBR_PORT_VPC);
	ck_assert_int_eq(config_port_of(cfg, IP(10, 0, 0, 4)), -1);
	ck_assert_int_eq(config_port_of(cfg, IP(8, 8, 8, 8)), -1);
	ck_assert_str_eq(config_port_name(VBR_PORT_IDC), "idc");
	ck_assert_str_eq(config_port_name(VBR_PORT_VPC), "vpc");
	ck_assert_str_eq(config_port_name(VBR_NB_PORTS), "?");
	ck_assert_str_eq(
		config_ip_str(IP(255, 255, 255, 255), buf, VBR_IP_STRLEN), "255.255.255.255");
	ck_assert_str_eq(config_ip_str(0, buf, sizeof(buf)), "0.0.0.0");
	ck_assert_str_eq(config_prefix_str(&p, buf, sizeof(buf)), "192.168.0.0/16");
	p.addr = UINT32_MAX;
	p.len = 32;
	ck_assert_str_eq(config_prefix_str(&p, buf, VBR_PREFIX_STRLEN), "255.255.255.255/32");
}
END_TEST

/* --- ECMP: bgp.multipath, a static route's next_hops --- */

#define WIDE                                                                                       \
	"ports:\n"                                                                                 \
	"  idc: {device: net_tap0, address: 10.0.0.1/29}\n"                                        \
	"  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"

START_TEST(write_ecmp)
{
	load_ok(WIDE "bgp:\n  multipath: 4\n  multipath_relax: true\n"
		     "routes:\n"
		     "  - {prefix: 10.9.0.0/16, next_hops: [10.0.0.3, 10.0.0.2, 10.0.0.6]}\n"
		     "  - {prefix: 10.8.0.0/16, next_hops: [172.16.0.9]}\n"
		     "  - prefix: 10.7.0.0/16\n"
		     "    next_hops:\n"
		     "      - 172.16.0.2\n"
		     "      - 172.16.0.3\n");
	ck_assert_uint_eq(cfg->bgp_multipath, 4);
	ck_assert(cfg->bgp_multipath_relax);
	ck_assert_uint_eq(cfg->routes[0].nb_next_hops, 3);
	/* The file's order; next_hop is the first. */
	ck_assert_uint_eq(cfg->routes[0].next_hops[0], IP(10, 0, 0, 3));
	ck_assert_uint_eq(cfg->routes[0].next_hops[2], IP(10, 0, 0, 6));
	ck_assert_uint_eq(cfg->routes[0].next_hop, IP(10, 0, 0, 3));
	ck_assert_int_eq(cfg->routes[0].port, VBR_PORT_IDC);
	/* A list of one is next_hop. */
	ck_assert_uint_eq(cfg->routes[1].nb_next_hops, 0);
	ck_assert_uint_eq(cfg->routes[1].next_hop, IP(172, 16, 0, 9));
	ck_assert_int_eq(cfg->routes[2].port, VBR_PORT_VPC);
	round_trip("ecmp.yaml");
	ck_assert_ptr_nonnull(strstr(
		slurp_free(), "{prefix: 10.9.0.0/16, next_hops: [10.0.0.3, 10.0.0.2, 10.0.0.6]}"));
	ck_assert_ptr_nonnull(strstr(slurp_free(), "{prefix: 10.8.0.0/16, next_hop: 172.16.0.9}"));
	ck_assert_ptr_nonnull(strstr(slurp_free(), "  multipath: 4\n  multipath_relax: true\n"));

	/* Defaults are not written; another value is not equal. */
	load_ok(WIDE "bgp: {multipath: 1, multipath_relax: false}\n");
	ck_assert_uint_eq(cfg->bgp_multipath, 1);
	round_trip("ecmp-default.yaml");
	ck_assert_ptr_null(strstr(slurp_free(), "multipath"));
	ck_assert_ptr_null(strstr(slurp_free(), "bgp"));
	{
		struct vbr_config *other = config_clone(cfg);

		ck_assert_ptr_nonnull(other);
		other->bgp_multipath = 2;
		ck_assert(!config_equal(cfg, other));
		config_free(other);
	}
}
END_TEST

START_TEST(ecmp_errors)
{
	load_fails(WIDE "bgp: {multipath: 9}\n",
		"t.yaml:4:18: bgp.multipath: 9 is out of range (1..8)");
	load_fails(WIDE "bgp: {multipath: 0}\n", "bgp.multipath: 0 is out of range (1..8)");
	load_fails(WIDE "bgp: {multipath_relax: maybe}\n", "t.yaml:4:24: bgp.multipath_relax:");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hop: 10.0.0.2, next_hops: "
			"[10.0.0.3, 10.0.0.4]}\n",
		"t.yaml:5:58: routes[0].next_hops: next_hop and next_hops: give one of them");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16}\n",
		"t.yaml:5:5: routes[0]: missing required key \"next_hop\" (or \"next_hops\")");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: []}\n",
		"routes[0]: missing required key \"next_hop\"");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: [10.0.0.2, 10.0.0.x]}\n",
		"t.yaml:5:49: routes[0].next_hops[1]: \"10.0.0.x\" is not an IPv4 address");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: [10.0.0.2, 10.0.0.3, "
			"10.0.0.4, 10.0.0.5, 10.0.0.6, 172.16.0.2, 172.16.0.3, 172.16.0.4, "
			"172.16.0.5]}\n",
		"routes[0].next_hops[8]: too many next hops (at most 8)");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: [10.0.0.2, 10.0.0.2]}\n",
		"t.yaml:5:38: routes[0].next_hops: next hop 10.0.0.2 is listed twice");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: [10.0.0.2, 172.16.0.2]}\n",
		"routes[0].next_hops: next hop 172.16.0.2 is on port vpc, the first on port idc: "
		"one port's");
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: [10.0.0.2, 10.0.0.1]}\n",
		"routes[0].next_hops: next hop 10.0.0.1 is ");
	/* A scalar is the API's text form: addresses separated by commas. */
	load_ok(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: \"10.0.0.2, 10.0.0.3\"}\n");
	ck_assert_uint_eq(cfg->routes[0].nb_next_hops, 2);
	load_fails(WIDE "routes:\n  - {prefix: 10.9.0.0/16, next_hops: \"10.0.0.2,\"}\n",
		"routes[0].next_hops: \"\" is not an IPv4 address");
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, example_demo);
	tcase_add_test(tc, example_static_only);
	tcase_add_test(tc, example_real_nic);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, order_does_not_matter);
	tcase_add_test(tc, empty_sections);
	tcase_add_test(tc, reload);
	tcase_add_test(tc, helpers);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, invalid, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, max_peers);
	tcase_add_test(tc, array_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("routes");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* 200,000 routes: seconds under ASan. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, routes_unbounded);
	tcase_add_test(tc, routes_duplicate);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, write_examples);
	tcase_add_test(tc, write_every_key);
	tcase_add_test(tc, write_track);
	tcase_add_test(tc, write_bfd);
	tcase_add_test(tc, write_many_routes);
	tcase_add_test(tc, write_fails_cleanly);
	tcase_add_test(tc, write_through_link);
	tcase_add_test(tc, write_ecmp);
	tcase_add_test(tc, ecmp_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* corrupted_demo makes ~20000 loads: seconds under ASan, over Check's 4 s default. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, file_not_found);
	tcase_add_test(tc, file_is_a_directory);
	tcase_add_test(tc, file_error_has_location);
	tcase_add_test(tc, small_error_buffer);
	tcase_add_test(tc, corrupted_demo);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
