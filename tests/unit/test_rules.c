/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the product's rules as functions (config/rules.h): each
 * rule with a good and a bad object and its exact message; the setters
 * that give the management API the loader's parsers, and that the loader
 * and the setters say the same thing about the same bad value;
 * config_validate on whole candidates; the find / add / delete helpers and
 * config_clone that the API builds its candidates with.
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rules.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* IDC 10.0.0.0/24, VPC 172.16.0.0/24; one of each object. Lines 1 to 12:
 * what a test adds to the groups starts on line 13. */
#define BASE                                                                                       \
	"ports:\n"                                                                                 \
	"  idc: {device: net_tap0, address: 10.0.0.1/24}\n"                                        \
	"  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"                                      \
	"routes:\n"                                                                                \
	"  - {prefix: 192.168.0.0/16, next_hop: 10.0.0.2}\n"                                       \
	"neighbors:\n"                                                                             \
	"  - {address: 172.16.0.2, mac: \"02:00:00:00:00:02\"}\n"                                  \
	"bgp:\n"                                                                                   \
	"  peers: [{group: core, address: 10.0.0.2}]\n"                                            \
	"  networks: [172.16.0.0/12]\n"                                                            \
	"  groups:\n"                                                                              \
	"    - {name: core, peer_asn: 65001}\n"

static struct vbr_config *cfg;
static char msg[1024], err[1024];

static void
load_into(struct vbr_config *c, const char *yaml)
{
	int rc = config_load_buffer("t.yaml", yaml, strlen(yaml), c, err, sizeof(err));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
}

static void
setup(void)
{
	cfg = config_alloc();
	ck_assert_ptr_nonnull(cfg);
	load_into(cfg, BASE);
	memset(msg, 'X', sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
}

static void
teardown(void)
{
	config_free(cfg);
}

/* rc is -EINVAL and msg is exactly expect. */
#define FAILS(rc, expect)                                                                          \
	do {                                                                                       \
		int rc_ = (rc);                                                                    \
		ck_assert_msg(                                                                     \
			rc_ == -EINVAL, "rc %d (%s), expected -EINVAL: %s", rc_, msg, expect);     \
		ck_assert_str_eq(msg, expect);                                                     \
	} while (0)
#define PASSES(rc)                                                                                 \
	do {                                                                                       \
		int rc_ = (rc);                                                                    \
		ck_assert_msg(rc_ == 0, "rc %d: %s", rc_, msg);                                    \
	} while (0)

/* The loader's message for yaml, which must fail. */
static const char *
loader_says(const char *yaml)
{
	struct vbr_config *c = config_alloc();
	int rc;

	ck_assert_ptr_nonnull(c);
	rc = config_load_buffer("t.yaml", yaml, strlen(yaml), c, err, sizeof(err));
	config_free(c);
	ck_assert_msg(rc == -EINVAL, "rc %d, expected the loader to refuse:\n%s", rc, yaml);
	return err;
}

/* The loader's message is "t.yaml:LINE:COL: " + path + the rule's message. */
static void
same_as_loader(const char *yaml, const char *path, const char *rule_msg)
{
	const char *l = loader_says(yaml);
	char tail[1200];
	size_t lt, ll;

	snprintf(tail, sizeof(tail), ": %s%s", path, rule_msg);
	lt = strlen(tail);
	ll = strlen(l);
	ck_assert_msg(strncmp(l, "t.yaml:", 7) == 0, "%s", l);
	ck_assert_msg(ll > lt && strcmp(l + ll - lt, tail) == 0,
		"the loader says\n  %s\nthe rule says\n  %s%s", l, path, rule_msg);
}

/* A new group: the defaults, then key/value pairs through config_group_set. */
static void
make_group(struct vbr_bgp_group *g, ...)
{
	const char *key;
	va_list ap;

	config_group_init(g);
	va_start(ap, g);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		ck_assert_msg(
			config_group_set(g, key, value, msg, sizeof(msg)) == 0, "%s: %s", key, msg);
	}
	va_end(ap);
}

/* --- groups --- */

static const struct group_case {
	const char *keys; /* YAML flow keys after name and peer_asn; the same set one by one */
	const char *k1, *v1, *k2, *v2;
	const char *expect; /* rule_group's message; "" if good */
} group_cases[] = {
	{"hold_time: 0, min_hold_time: 3", "hold_time", "0", "min_hold_time", "3",
		"hold_time: 0 turns the hold timer off, which min_hold_time 3 refuses (set "
		"min_hold_time: 0 to allow it)"},
	{"hold_time: 5, min_hold_time: 10", "hold_time", "5", "min_hold_time", "10",
		"hold_time: 5 is below min_hold_time (10)"},
	{"send_hold_time: 90", "send_hold_time", "90", NULL, NULL,
		"send_hold_time: 90 must be above hold_time (90), or 0 for the default"},
	{"error_wait_min: 10, error_wait_max: 5", "error_wait_min", "10", "error_wait_max", "5",
		"error_wait_max: 5 is below error_wait_min (10)"},
	{"peer_asn: 45104", "peer_asn", "45104", NULL, NULL,
		"peer_asn: 45104 is our own ASN (vbr.local_asn): vbr speaks eBGP only"},
	{"name: core", "name", "core", NULL, NULL,
		"name: duplicate BGP group \"core\" (same as bgp.groups[0])"},
	/* Good ones. */
	{"hold_time: 0, min_hold_time: 0", "hold_time", "0", "min_hold_time", "0", ""},
	{"send_hold_time: 91", "send_hold_time", "91", NULL, NULL, ""},
	{"hold_time: 3", "hold_time", "3", NULL, NULL, ""},
	{"error_wait_min: 7, error_wait_max: 7", "error_wait_min", "7", "error_wait_max", "7", ""},
	{"peer_asn: 4200000000", "peer_asn", "4200000000", NULL, NULL, ""},
};

START_TEST(group_rules)
{
	const struct group_case *t = &group_cases[_i];
	struct vbr_bgp_group g;
	char yaml[1024];

	make_group(&g, "name", "edge", "peer_asn", "65002", t->k1, t->v1, t->k2, t->v2, NULL);
	/* A YAML mapping takes the last of two equal keys as an error: the case's
	 * own name or peer_asn comes after ours only once. */
	snprintf(yaml, sizeof(yaml), BASE "    - {%s%s%s}\n",
		strncmp(t->keys, "name:", 5) == 0 ? "peer_asn: 65002, " : "name: edge, ",
		strncmp(t->keys, "name:", 5) == 0 || strncmp(t->keys, "peer_asn:", 9) == 0
			? ""
			: "peer_asn: 65002, ",
		t->keys);
	if (t->expect[0] == '\0') {
		PASSES(rule_group(cfg, &g, msg, sizeof(msg)));
		ck_assert_str_eq(msg, "");
		load_into(cfg, yaml);
		ck_assert_uint_eq(cfg->nb_groups, 2);
		return;
	}
	FAILS(rule_group(cfg, &g, msg, sizeof(msg)), t->expect);
	same_as_loader(yaml, "bgp.groups[1].", t->expect);
}
END_TEST

/* A group of the config is checked against the others, not against itself. */
START_TEST(group_in_place)
{
	struct vbr_bgp_group g;

	PASSES(rule_group(cfg, &cfg->groups[0], msg, sizeof(msg)));
	make_group(&g, "name", "edge", "peer_asn", "65002", NULL);
	cfg->groups[cfg->nb_groups++] = g;
	PASSES(rule_group(cfg, &cfg->groups[1], msg, sizeof(msg)));
	PASSES(config_group_set(&cfg->groups[1], "name", "core", msg, sizeof(msg)));
	FAILS(rule_group(cfg, &cfg->groups[1], msg, sizeof(msg)),
		"name: duplicate BGP group \"core\" (same as bgp.groups[0])");
	FAILS(rule_group(cfg, &cfg->groups[0], msg, sizeof(msg)),
		"name: duplicate BGP group \"core\" (same as bgp.groups[1])");
	/* A value no setter would give is refused with the parser's words. */
	cfg->groups[1].hold_time = 2;
	FAILS(rule_group(cfg, &cfg->groups[1], msg, sizeof(msg)),
		"hold_time: 2 is neither 0 nor 3..65535");
	cfg->groups[1].hold_time = 90;
	cfg->groups[1].multihop = 0;
	FAILS(rule_group(cfg, &cfg->groups[1], msg, sizeof(msg)),
		"multihop: 0 is out of range (1..255)");
}
END_TEST

/* --- the setters say what the loader says --- */

static const struct set_case {
	const char *key, *value, *expect;
} set_cases[] = {
	{"hold_time", "2", "hold_time: 2 is neither 0 nor 3..65535"},
	{"hold_time", "1", "hold_time: 1 is neither 0 nor 3..65535"},
	{"hold_time", "70000", "hold_time: 70000 is out of range (0..65535)"},
	{"hold_time", "-1", "hold_time: -1 is out of range (0..65535)"},
	{"hold_time", "ninety", "hold_time: expected a decimal integer, got \"ninety\""},
	{"multihop", "010", "multihop: expected a decimal integer, got \"010\""},
	{"multihop", "256", "multihop: 256 is out of range (1..255)"},
	{"connect_retry", "0", "connect_retry: 0 is out of range (1..65535)"},
	{"peer_asn", "abc", "peer_asn: expected an AS number, got \"abc\""},
	{"peer_asn", "0", "peer_asn: 0 is out of range (1..4294967295)"},
	{"peer_asn", "4294967296", "peer_asn: 4294967296 is out of range (1..4294967295)"},
	{"peer_asn", "65536.1", "peer_asn: expected an AS number, got \"65536.1\""},
	{"max_prefixes", "0", "max_prefixes: 0 is out of range (1..4294967295)"},
	{"max_prefixes_action", "kill",
		"max_prefixes_action: expected drop or teardown, got \"kill\""},
	{"passive", "maybe", "passive: expected true or false, got \"maybe\""},
	{"gtsm", "1", "gtsm: expected true or false, got \"1\""},
	{"name", "", "name: must not be empty"},
	{"key", "012345678901234567890123456789012345678901234567890123456789012345678901234567890",
		"key: longer than 80 characters"},
	{"max_prefix_len", "33", "max_prefix_len: 33 is out of range (1..32)"},
	{"max_as_path_len", "2049", "max_as_path_len: 2049 is out of range (1..2048)"},
};

START_TEST(set_same_as_loader)
{
	const struct set_case *t = &set_cases[_i];
	struct vbr_bgp_group g, before;
	char yaml[1024];

	make_group(&g, "name", "edge", "peer_asn", "65002", NULL);
	before = g;
	FAILS(config_group_set(&g, t->key, t->value, msg, sizeof(msg)), t->expect);
	/* Refused: nothing changed. */
	ck_assert_mem_eq(&g, &before, sizeof(g));
	/* The same text in the file (quoted, so that YAML keeps it as it is). */
	snprintf(yaml, sizeof(yaml), BASE "    - {%s%s\"%s\": \"%s\"}\n",
		strcmp(t->key, "name") == 0 ? "" : "name: edge, ",
		strcmp(t->key, "peer_asn") == 0 ? "" : "peer_asn: 65002, ", t->key, t->value);
	same_as_loader(yaml, "bgp.groups[1].", t->expect);
}
END_TEST

START_TEST(set_values)
{
	struct vbr_bgp_group g;
	char keys[512];

	make_group(&g, "name", "edge", "peer_asn", "1.10", "key", "s3cret", "description",
		"the edge", "max_prefixes", "5000", "max_prefixes_action", "teardown", "hold_time",
		"30", "min_hold_time", "0", "passive", "yes", "accept_default", "true",
		"max_prefix_len", "32", NULL);
	ck_assert_str_eq(g.name, "edge");
	ck_assert_uint_eq(g.peer_asn, 65546);
	ck_assert_str_eq(g.key, "s3cret");
	ck_assert_str_eq(g.description, "the edge");
	ck_assert_uint_eq(g.max_prefixes, 5000);
	ck_assert_int_eq(g.max_prefixes_action, VBR_MAXPFX_TEARDOWN);
	ck_assert_uint_eq(g.hold_time, 30);
	ck_assert_uint_eq(g.min_hold_time, 0);
	ck_assert(g.passive);
	ck_assert(g.accept_default);
	ck_assert_uint_eq(g.max_prefix_len, 32);
	/* The untouched keys keep the loader's defaults. */
	ck_assert_uint_eq(g.connect_retry, 30);
	ck_assert_uint_eq(g.error_wait_max, 120);
	ck_assert_uint_eq(g.max_as_path_len, 64);
	PASSES(rule_group(cfg, &g, msg, sizeof(msg)));

	FAILS(config_group_set(&g, "password", "x", msg, sizeof(msg)),
		"unknown key \"password\" for a BGP group; expected one of: name, peer_asn, key, "
		"description, max_prefixes, max_prefixes_action, max_prefixes_restart, hold_time, "
		"min_hold_time, send_hold_time, connect_retry, error_wait_min, error_wait_max, "
		"multihop, passive, gtsm, accept_default, max_prefix_len, max_as_path_len, bfd");
	FAILS(config_group_set(&g, "hold_time", NULL, msg, sizeof(msg)), "hold_time: no value");
	/* A description is any text; it must stay loadable. */
	PASSES(config_group_set(&g, "description", "caf\xc3\xa9 \"quoted\"\n", msg, sizeof(msg)));
	FAILS(config_group_set(&g, "description", "caf\xe9", msg, sizeof(msg)),
		"description: is not valid UTF-8");
	config_keys(CONFIG_ROUTE, keys, sizeof(keys));
	ck_assert_str_eq(keys, "prefix, next_hop, next_hops, track");
	{
		struct vbr_static_route r = {0};

		FAILS(config_route_set(NULL, &r, "track", "2", msg, sizeof(msg)),
			"track: expected true or false, got \"2\"");
		/* A nested key makes the track present with its defaults. */
		PASSES(config_route_set(NULL, &r, "track.misses", "3", msg, sizeof(msg)));
		ck_assert_uint_eq(r.track.misses, 3);
		ck_assert_uint_eq(r.track.interval, VBR_TRACK_DEFAULT_INTERVAL);
		PASSES(config_route_set(NULL, &r, "track", "false", msg, sizeof(msg)));
		ck_assert_uint_eq(r.track.interval, 0);
		PASSES(config_route_set(NULL, &r, "track.misses", "3", msg, sizeof(msg)));
		ck_assert_uint_eq(r.track.misses, 3);
		/* A refused value leaves the route as it was: no track. */
		PASSES(config_route_set(NULL, &r, "track", "false", msg, sizeof(msg)));
		FAILS(config_route_set(NULL, &r, "track.interval", "0", msg, sizeof(msg)),
			"track.interval: 0 is out of range (1..60)");
		ck_assert_uint_eq(r.track.interval, 0);
	}
	config_keys(CONFIG_NETWORK, keys, sizeof(keys));
	ck_assert_str_eq(keys, "cidr");
	config_keys(CONFIG_PEER, keys, sizeof(keys));
	ck_assert_str_eq(keys, "group, address, description, disabled");
	FAILS(config_set(cfg, CONFIG_ROUTE, &cfg->routes[0], "via", "10.0.0.3", msg, sizeof(msg)),
		"unknown key \"via\" for a static route; expected one of: prefix, next_hop, next_hops, "
		"track");
}
END_TEST

/* --- a group's bfd: nested keys ("bfd.min_rx") --- */

START_TEST(bfd_set)
{
	struct vbr_bgp_group g, before;
	char yaml[1024];

	make_group(&g, "name", "edge", "peer_asn", "65002", NULL);
	ck_assert(!g.bfd.enabled);
	/* A refused nested value leaves the group as it was: no bfd. */
	before = g;
	FAILS(config_group_set(&g, "bfd.min_rx", "100", msg, sizeof(msg)),
		"bfd.min_rx: 100 is out of range (200..1000)");
	ck_assert_mem_eq(&g, &before, sizeof(g));
	FAILS(config_group_set(&g, "bfd.foo", "1", msg, sizeof(msg)),
		"unknown key \"bfd.foo\" for BFD; expected one of: min_rx, min_tx, multiplier, auth");
	ck_assert_mem_eq(&g, &before, sizeof(g));
	FAILS(config_group_set(&g, "hold_time.x", "1", msg, sizeof(msg)),
		"unknown key \"hold_time.x\" for a BGP group");
	/* A key of it turns it on, with the defaults for the rest. */
	PASSES(config_group_set(&g, "bfd.min_rx", "200", msg, sizeof(msg)));
	ck_assert(g.bfd.enabled);
	ck_assert_uint_eq(g.bfd.min_rx, 200);
	ck_assert_uint_eq(g.bfd.min_tx, 300);
	ck_assert_uint_eq(g.bfd.multiplier, 3);
	ck_assert(!g.bfd.auth.enabled);
	FAILS(config_group_set(&g, "bfd.multiplier", "11", msg, sizeof(msg)),
		"bfd.multiplier: 11 is out of range (3..10)");
	PASSES(config_group_set(&g, "bfd.multiplier", "10", msg, sizeof(msg)));
	PASSES(rule_group(cfg, &g, msg, sizeof(msg)));
	/* Off, on (defaults). */
	PASSES(config_group_set(&g, "bfd", "false", msg, sizeof(msg)));
	ck_assert(!g.bfd.enabled);
	ck_assert_uint_eq(g.bfd.min_rx, 0);
	PASSES(config_group_set(&g, "bfd", "true", msg, sizeof(msg)));
	ck_assert(g.bfd.enabled);
	ck_assert_uint_eq(g.bfd.min_rx, 300);
	FAILS(config_group_set(&g, "bfd", "maybe", msg, sizeof(msg)),
		"bfd: expected true or false, got \"maybe\"");
	/* Authentication: a key, no longer than its type takes. */
	PASSES(config_group_set(&g, "bfd.auth.type", "md5", msg, sizeof(msg)));
	ck_assert(g.bfd.auth.enabled);
	ck_assert_uint_eq(g.bfd.auth.key_id, 1);
	FAILS(rule_group(cfg, &g, msg, sizeof(msg)), "bfd.auth.key: must not be empty");
	PASSES(config_group_set(&g, "bfd.auth.key", "0123456789abcdefX", msg, sizeof(msg)));
	FAILS(rule_group(cfg, &g, msg, sizeof(msg)),
		"bfd.auth.key: at most 16 characters for md5 (RFC 5880 6.7.3)");
	snprintf(yaml, sizeof(yaml),
		BASE "    - {name: edge, peer_asn: 65002, bfd: {auth: {type: md5, key: "
		     "0123456789abcdefX}}}\n");
	same_as_loader(yaml, "bgp.groups[1].", "bfd.auth.key: at most 16 characters for md5 (RFC 5880 6.7.3)");
	PASSES(config_group_set(&g, "bfd.auth.type", "meticulous-sha1", msg, sizeof(msg)));
	PASSES(rule_group(cfg, &g, msg, sizeof(msg)));
	FAILS(config_group_set(&g, "bfd.auth.type", "sha256", msg, sizeof(msg)),
		"bfd.auth.type: expected sha1, meticulous-sha1, md5 or meticulous-md5, got "
		"\"sha256\"");
	FAILS(config_group_set(&g, "bfd.auth.key_id", "256", msg, sizeof(msg)),
		"bfd.auth.key_id: 256 is out of range (0..255)");
	FAILS(config_group_set(&g, "bfd.auth.key", "012345678901234567890", msg, sizeof(msg)),
		"bfd.auth.key: longer than 20 characters");
	PASSES(config_group_set(&g, "bfd.auth", "false", msg, sizeof(msg)));
	ck_assert(!g.bfd.auth.enabled);
	ck_assert(g.bfd.enabled);
	/* A value out of range written by hand: the rule says it as the
	 * loader would. */
	g.bfd.min_tx = 50;
	FAILS(rule_group(cfg, &g, msg, sizeof(msg)), "bfd.min_tx: 50 is out of range (200..1000)");
	snprintf(yaml, sizeof(yaml), BASE "    - {name: edge, peer_asn: 65002, bfd: {min_tx: 50}}\n");
	same_as_loader(yaml, "bgp.groups[1].", "bfd.min_tx: 50 is out of range (200..1000)");
}
END_TEST

/* --- peers --- */

START_TEST(peer_rules)
{
	struct vbr_bgp_peer p = {0};

	PASSES(config_peer_set(cfg, &p, "group", "core", msg, sizeof(msg)));
	PASSES(config_peer_set(cfg, &p, "address", "10.0.0.3", msg, sizeof(msg)));
	PASSES(config_peer_set(cfg, &p, "description", "core-2", msg, sizeof(msg)));
	ck_assert_uint_eq(p.group, 0);
	ck_assert_uint_eq(p.address, IP(10, 0, 0, 3));
	PASSES(rule_peer(cfg, &p, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "");

	FAILS(config_peer_set(cfg, &p, "group", "nope", msg, sizeof(msg)),
		"group: unknown BGP group \"nope\"");
	FAILS(config_peer_set(cfg, &p, "address", "10.0.0.300", msg, sizeof(msg)),
		"address: \"10.0.0.300\" is not an IPv4 address");
	FAILS(config_peer_set(cfg, &p, "address", "fe80::1", msg, sizeof(msg)),
		"address: IPv4 only: \"fe80::1\" is not an IPv4 address");

	p.address = IP(10, 1, 0, 1);
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)),
		"address: 10.1.0.1 is not on the idc port's subnet 10.0.0.0/24");
	p.address = IP(172, 16, 0, 9);
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)),
		"address: 172.16.0.9 is not on the idc port's subnet 10.0.0.0/24");
	p.address = IP(10, 0, 0, 0);
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)),
		"address: 10.0.0.0 is the network address on the idc port (10.0.0.0/24)");
	p.address = IP(10, 0, 0, 255);
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)),
		"address: 10.0.0.255 is the broadcast address on the idc port (10.0.0.0/24)");
	p.address = IP(10, 0, 0, 1);
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)),
		"address: 10.0.0.1 is our own address on the idc port (10.0.0.0/24)");
	p.address = IP(10, 0, 0, 2);
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)),
		"address: duplicate peer 10.0.0.2 (same as bgp.peers[0])");
	p.address = IP(10, 0, 0, 3);
	p.group = 7;
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)), "group: the peer's BGP group does not exist");
	p.group = 0;

	/* The count: the candidate is one more than the config has. */
	cfg->max_peers = 1;
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)), "more than vbr.max_peers (1) peers");
	PASSES(rule_peer(cfg, &cfg->peers[0], msg, sizeof(msg)));
}
END_TEST

/* Every peer rule through the loader too: the same message after the path. */
static const struct peer_case {
	const char *address, *expect;
} peer_cases[] = {
	{"10.1.0.1", "address: 10.1.0.1 is not on the idc port's subnet 10.0.0.0/24"},
	{"10.0.0.0", "address: 10.0.0.0 is the network address on the idc port (10.0.0.0/24)"},
	{"10.0.0.255", "address: 10.0.0.255 is the broadcast address on the idc port "
		       "(10.0.0.0/24)"},
	{"10.0.0.1", "address: 10.0.0.1 is our own address on the idc port (10.0.0.0/24)"},
	{"10.0.0.2", "address: duplicate peer 10.0.0.2 (same as bgp.peers[0])"},
};

START_TEST(peer_same_as_loader)
{
	const struct peer_case *t = &peer_cases[_i];
	struct vbr_bgp_peer p = {0};
	char yaml[1024];

	PASSES(config_peer_set(cfg, &p, "group", "core", msg, sizeof(msg)));
	PASSES(config_peer_set(cfg, &p, "address", t->address, msg, sizeof(msg)));
	FAILS(rule_peer(cfg, &p, msg, sizeof(msg)), t->expect);
	snprintf(yaml, sizeof(yaml),
		"ports:\n"
		"  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		"  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		"bgp:\n"
		"  groups: [{name: core, peer_asn: 65001}]\n"
		"  peers:\n"
		"    - {group: core, address: 10.0.0.2}\n"
		"    - {group: core, address: %s}\n",
		t->address);
	same_as_loader(yaml, "bgp.peers[1].", t->expect);
}
END_TEST

START_TEST(max_peers_same_as_loader)
{
	struct vbr_config *c = config_clone(cfg);
	char yaml[2048];
	size_t n;

	ck_assert_ptr_nonnull(c);
	n = (size_t)snprintf(yaml, sizeof(yaml),
		"ports:\n"
		"  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		"  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		"bgp:\n"
		"  groups: [{name: core, peer_asn: 65001}]\n"
		"  peers:\n");
	for (unsigned i = 0; i < 9; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
			"    - {group: core, address: 10.0.0.%u}\n", 10 + i);
	/* The API's way: a clone grown one peer at a time, each checked. */
	for (unsigned i = 1; i < 9; i++) {
		struct vbr_bgp_peer p = {.group = 0, .address = IP(10, 0, 0, 10 + i)};

		if (i < 8) {
			PASSES(rule_peer(c, &p, msg, sizeof(msg)));
			c->peers[c->nb_peers++] = p;
		} else {
			FAILS(rule_peer(c, &p, msg, sizeof(msg)),
				"more than vbr.max_peers (8) peers");
			c->peers[c->nb_peers++] = p;
		}
	}
	same_as_loader(yaml, "bgp.peers[8]: ", "more than vbr.max_peers (8) peers");
	FAILS(config_validate(c, msg, sizeof(msg)),
		"bgp.peers[8]: more than vbr.max_peers (8) peers");
	config_free(c);
}
END_TEST

/* --- networks --- */

START_TEST(network_rules)
{
	struct vbr_prefix n = {IP(10, 20, 0, 0), 16};

	PASSES(rule_network(cfg, &n, msg, sizeof(msg)));
	PASSES(config_network_set(&n, "10.30.0.0/16", msg, sizeof(msg)));
	ck_assert_uint_eq(n.addr, IP(10, 30, 0, 0));
	FAILS(config_network_set(&n, "172.16.0.1/12", msg, sizeof(msg)),
		"cidr: 172.16.0.1/12 has host bits set (did you mean 172.16.0.0/12?)");
	FAILS(config_network_set(&n, "172.16.0.0", msg, sizeof(msg)),
		"cidr: \"172.16.0.0\" is not an IPv4 prefix: it has no /length");
	FAILS(config_network_set(&n, "2001:db8::/32", msg, sizeof(msg)),
		"cidr: IPv4 only: \"2001:db8::/32\" is not an IPv4 prefix");
	ck_assert_uint_eq(n.addr, IP(10, 30, 0, 0)); /* unchanged */

	n = (struct vbr_prefix){IP(172, 16, 0, 1), 12};
	FAILS(rule_network(cfg, &n, msg, sizeof(msg)),
		"172.16.0.1/12 has host bits set (did you mean 172.16.0.0/12?)");
	n = (struct vbr_prefix){IP(172, 16, 0, 0), 12};
	FAILS(rule_network(cfg, &n, msg, sizeof(msg)),
		"duplicate network 172.16.0.0/12 (same as bgp.networks[0])");
	PASSES(rule_network(cfg, &cfg->networks[0], msg, sizeof(msg)));
	n.len = 33;
	FAILS(rule_network(cfg, &n, msg, sizeof(msg)), "/33 is not a prefix length (0..32)");
	same_as_loader("ports:\n"
		       "  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		       "  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		       "bgp: {networks: [172.16.0.0/12, 172.16.0.0/12]}\n",
		"bgp.networks[1]: ", "duplicate network 172.16.0.0/12 (same as bgp.networks[0])");
}
END_TEST

/* --- static routes --- */

static const struct route_case {
	const char *prefix, *next_hop, *expect;
} route_cases[] = {
	{"10.9.0.0/16", "8.8.8.8",
		"next_hop: next hop 8.8.8.8 is on neither port's subnet (idc 10.0.0.0/24, vpc "
		"172.16.0.0/24)"},
	{"10.9.0.0/16", "172.16.0.1",
		"next_hop: next hop 172.16.0.1 is our own address on port vpc (172.16.0.0/24)"},
	{"10.9.0.0/16", "172.16.0.0",
		"next_hop: next hop 172.16.0.0 is the network address on port vpc "
		"(172.16.0.0/24)"},
	{"10.9.0.0/16", "10.0.0.255",
		"next_hop: next hop 10.0.0.255 is the broadcast address on port idc "
		"(10.0.0.0/24)"},
	{"192.168.0.0/16", "10.0.0.3",
		"prefix: duplicate static route 192.168.0.0/16 (same as routes[0])"},
	{"10.9.0.0/16", "172.16.0.9", ""},
	{"0.0.0.0/0", "10.0.0.3", ""},
	{"192.168.0.0/17", "10.0.0.3", ""},
};

START_TEST(route_rules)
{
	const struct route_case *t = &route_cases[_i];
	struct vbr_static_route r = {0};
	char yaml[1024];

	PASSES(config_route_set(cfg, &r, "prefix", t->prefix, msg, sizeof(msg)));
	PASSES(config_route_set(cfg, &r, "next_hop", t->next_hop, msg, sizeof(msg)));
	snprintf(yaml, sizeof(yaml),
		"ports:\n"
		"  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		"  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		"routes:\n"
		"  - {prefix: 192.168.0.0/16, next_hop: 10.0.0.2}\n"
		"  - {prefix: %s, next_hop: %s}\n",
		t->prefix, t->next_hop);
	if (t->expect[0] == '\0') {
		PASSES(rule_route(cfg, &r, msg, sizeof(msg)));
		ck_assert_int_eq(config_route_add(cfg, &r), 0);
		ck_assert_int_eq(cfg->routes[1].port, config_port_of(cfg, r.next_hop));
		load_into(cfg, yaml);
		ck_assert_uint_eq(cfg->nb_routes, 2);
		return;
	}
	FAILS(rule_route(cfg, &r, msg, sizeof(msg)), t->expect);
	same_as_loader(yaml, "routes[1].", t->expect);
}
END_TEST

START_TEST(route_values)
{
	struct vbr_static_route r = {0};

	FAILS(config_route_set(cfg, &r, "prefix", "10.0.0.1/8", msg, sizeof(msg)),
		"prefix: 10.0.0.1/8 has host bits set (did you mean 10.0.0.0/8?)");
	same_as_loader("ports:\n"
		       "  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		       "  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		       "routes: [{prefix: 10.0.0.1/8, next_hop: 10.0.0.2}]\n",
		"routes[0].", "prefix: 10.0.0.1/8 has host bits set (did you mean 10.0.0.0/8?)");
	FAILS(config_route_set(cfg, &r, "prefix", "10.1.0.0/33", msg, sizeof(msg)),
		"prefix: \"10.1.0.0/33\" is not an IPv4 prefix: its length is over 32");
	FAILS(config_route_set(cfg, &r, "next_hop", "10.0.0.2/32", msg, sizeof(msg)),
		"next_hop: \"10.0.0.2/32\" is not an IPv4 address");
	/* A route built by hand with host bits. */
	r = (struct vbr_static_route){.prefix = {IP(10, 9, 0, 1), 16}, .next_hop = IP(10, 0, 0, 2)};
	FAILS(rule_route(cfg, &r, msg, sizeof(msg)),
		"prefix: 10.9.0.1/16 has host bits set (did you mean 10.9.0.0/16?)");
	/* The next hop places the route on its port. */
	r = (struct vbr_static_route){0};
	PASSES(config_route_set(cfg, &r, "next_hop", "172.16.0.9", msg, sizeof(msg)));
	ck_assert_int_eq(r.port, VBR_PORT_VPC);
	PASSES(config_route_set(cfg, &r, "next_hop", "10.0.0.9", msg, sizeof(msg)));
	ck_assert_int_eq(r.port, VBR_PORT_IDC);
	/* A route of the config is not its own duplicate. */
	PASSES(rule_route(cfg, &cfg->routes[0], msg, sizeof(msg)));
}
END_TEST

/* ECMP: next_hops through config_set (the API's text form) and the rules,
 * with the loader's messages. */
START_TEST(route_next_hops)
{
	struct vbr_static_route r = {0};

	PASSES(config_route_set(cfg, &r, "prefix", "10.9.0.0/16", msg, sizeof(msg)));
	PASSES(config_route_set(cfg, &r, "next_hops", "172.16.0.9, 172.16.0.8", msg, sizeof(msg)));
	ck_assert_uint_eq(r.nb_next_hops, 2);
	ck_assert_uint_eq(r.next_hop, IP(172, 16, 0, 9));
	ck_assert_int_eq(r.port, VBR_PORT_VPC);
	PASSES(rule_route(cfg, &r, msg, sizeof(msg)));
	/* next_hop replaces the list; a list of one is next_hop. */
	PASSES(config_route_set(cfg, &r, "next_hop", "10.0.0.9", msg, sizeof(msg)));
	ck_assert_uint_eq(r.nb_next_hops, 0);
	ck_assert_int_eq(r.port, VBR_PORT_IDC);
	PASSES(config_route_set(cfg, &r, "next_hops", "172.16.0.7", msg, sizeof(msg)));
	ck_assert_uint_eq(r.nb_next_hops, 0);
	ck_assert_uint_eq(r.next_hop, IP(172, 16, 0, 7));
	FAILS(config_route_set(cfg, &r, "next_hops", "10.0.0.2,x", msg, sizeof(msg)),
		"next_hops: \"x\" is not an IPv4 address");
	ck_assert_uint_eq(r.next_hop, IP(172, 16, 0, 7)); /* unchanged */
	FAILS(config_route_set(cfg, &r, "next_hops",
		      "10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9,"
		      "10.0.0.10",
		      msg, sizeof(msg)),
		"next_hops: too many next hops (at most 8)");
	PASSES(config_route_set(
		cfg, &r, "next_hops", "10.0.0.2,10.0.0.3,10.0.0.2", msg, sizeof(msg)));
	FAILS(rule_route(cfg, &r, msg, sizeof(msg)),
		"next_hops: next hop 10.0.0.2 is listed twice");
	PASSES(config_route_set(cfg, &r, "next_hops", "10.0.0.2,8.8.8.8", msg, sizeof(msg)));
	FAILS(rule_route(cfg, &r, msg, sizeof(msg)),
		"next_hops: next hop 8.8.8.8 is on neither port's subnet (idc 10.0.0.0/24, vpc "
		"172.16.0.0/24)");
	same_as_loader("ports:\n"
		       "  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		       "  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		       "routes: [{prefix: 10.9.0.0/16, next_hops: [10.0.0.2, 8.8.8.8]}]\n",
		"routes[0].",
		"next_hops: next hop 8.8.8.8 is on neither port's subnet (idc 10.0.0.0/24, vpc "
		"172.16.0.0/24)");
	/* Built by hand: one in the list, or next_hop not its first. */
	r = (struct vbr_static_route){.prefix = {IP(10, 9, 0, 0), 16},
		.next_hop = IP(10, 0, 0, 2),
		.nb_next_hops = 1,
		.next_hops = {IP(10, 0, 0, 2)}};
	FAILS(rule_route(cfg, &r, msg, sizeof(msg)),
		"next_hops: 1 next hops: 2 to 8 (one: use next_hop)");
	r.nb_next_hops = 2;
	r.next_hops[1] = IP(10, 0, 0, 3);
	r.next_hop = IP(10, 0, 0, 3);
	FAILS(rule_route(cfg, &r, msg, sizeof(msg)), "next_hop: is not the first of next_hops");
}
END_TEST

/* --- neighbours --- */

START_TEST(neighbor_rules)
{
	struct vbr_neighbor n = {0};

	PASSES(config_neighbor_set(cfg, &n, "address", "10.0.0.7", msg, sizeof(msg)));
	PASSES(config_neighbor_set(cfg, &n, "mac", "02-00-00-00-00-07", msg, sizeof(msg)));
	ck_assert_int_eq(n.port, VBR_PORT_IDC);
	PASSES(rule_neighbor(cfg, &n, msg, sizeof(msg)));
	FAILS(config_neighbor_set(cfg, &n, "mac", "01:00:5e:00:00:01", msg, sizeof(msg)),
		"mac: \"01:00:5e:00:00:01\" is not a unicast MAC address");
	FAILS(config_neighbor_set(cfg, &n, "mac", "02:00:00:00:00", msg, sizeof(msg)),
		"mac: \"02:00:00:00:00\" is not a MAC address (like 02:00:00:00:00:01)");

	n.address = IP(8, 8, 8, 8);
	FAILS(rule_neighbor(cfg, &n, msg, sizeof(msg)),
		"address: neighbor 8.8.8.8 is on neither port's subnet (idc 10.0.0.0/24, vpc "
		"172.16.0.0/24)");
	n.address = IP(172, 16, 0, 255);
	FAILS(rule_neighbor(cfg, &n, msg, sizeof(msg)),
		"address: neighbor 172.16.0.255 is the broadcast address on port vpc "
		"(172.16.0.0/24)");
	n.address = IP(10, 0, 0, 1);
	FAILS(rule_neighbor(cfg, &n, msg, sizeof(msg)),
		"address: neighbor 10.0.0.1 is our own address on port idc (10.0.0.0/24)");
	n.address = IP(172, 16, 0, 2);
	FAILS(rule_neighbor(cfg, &n, msg, sizeof(msg)),
		"address: duplicate neighbor 172.16.0.2 (same as neighbors[0])");
	same_as_loader("ports:\n"
		       "  idc: {device: net_tap0, address: 10.0.0.1/24}\n"
		       "  vpc: {device: net_tap1, address: 172.16.0.1/24}\n"
		       "neighbors:\n"
		       "  - {address: 172.16.0.2, mac: \"02:00:00:00:00:02\"}\n"
		       "  - {address: 172.16.0.2, mac: \"02:00:00:00:00:03\"}\n",
		"neighbors[1].", "address: duplicate neighbor 172.16.0.2 (same as neighbors[0])");
	PASSES(rule_neighbor(cfg, &cfg->neighbors[0], msg, sizeof(msg)));
	/* A MAC no parser would give. */
	n.address = IP(172, 16, 0, 3);
	memcpy(n.mac, "\x01\x00\x5e\x00\x00\x01", 6);
	FAILS(rule_neighbor(cfg, &n, msg, sizeof(msg)),
		"mac: \"01:00:5e:00:00:01\" is not a unicast MAC address");
}
END_TEST

/* --- ports --- */

START_TEST(port_rules)
{
	PASSES(rule_ports(cfg, msg, sizeof(msg)));
	cfg->ports[VBR_PORT_VPC].address = IP(10, 0, 0, 5);
	FAILS(rule_ports(cfg, msg, sizeof(msg)),
		"ports.vpc.address: subnet 10.0.0.0/24 overlaps the idc port's subnet 10.0.0.0/24");
	cfg->ports[VBR_PORT_VPC].address = IP(172, 16, 0, 1);
	PASSES(config_set(cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "device", "net_tap0", msg,
		sizeof(msg)));
	FAILS(rule_ports(cfg, msg, sizeof(msg)),
		"ports.vpc.device: \"net_tap0\" is the idc port's device too");
	FAILS(config_set(cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "device", "net tap1", msg,
		      sizeof(msg)),
		"device: a device name has no spaces or control characters");
	ck_assert_str_eq(cfg->ports[VBR_PORT_VPC].device, "net_tap0"); /* unchanged */
	PASSES(config_set(cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "device", "net_tap1", msg,
		sizeof(msg)));
	PASSES(config_set(
		cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "tap", "vbr-idc", msg, sizeof(msg)));
	FAILS(rule_ports(cfg, msg, sizeof(msg)),
		"ports.vpc.tap: \"vbr-idc\" is the idc port's tap too");
	FAILS(config_set(
		      cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "tap", "a/b", msg, sizeof(msg)),
		"tap: \"a/b\" is not a valid interface name");
	FAILS(config_set(cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "address", "10.0.0.0/24", msg,
		      sizeof(msg)),
		"address: 10.0.0.0 is the network address of its subnet");
	PASSES(config_set(
		cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_VPC], "tap", "vbr-vpc", msg, sizeof(msg)));
	cfg->ports[VBR_PORT_IDC].mtu = 10;
	FAILS(rule_ports(cfg, msg, sizeof(msg)), "ports.idc.mtu: 10 is out of range (68..9600)");
	FAILS(config_set(
		      cfg, CONFIG_PORT, &cfg->ports[VBR_PORT_IDC], "mtu", "10", msg, sizeof(msg)),
		"mtu: 10 is out of range (68..9600)");
}
END_TEST

/* --- whole candidates --- */

START_TEST(validate)
{
	struct vbr_config *c;

	PASSES(config_validate(cfg, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "");

	c = config_clone(cfg);
	ck_assert_ptr_nonnull(c);
	c->groups[0].hold_time = 2;
	FAILS(config_validate(c, msg, sizeof(msg)),
		"bgp.groups[0].hold_time: 2 is neither 0 nor 3..65535");
	c->groups[0].hold_time = 90;
	c->local_asn = 65001;
	FAILS(config_validate(c, msg, sizeof(msg)),
		"bgp.groups[0].peer_asn: 65001 is our own ASN (vbr.local_asn): vbr speaks eBGP "
		"only");
	c->local_asn = VBR_DEFAULT_ASN;
	c->router_id = 0;
	FAILS(config_validate(c, msg, sizeof(msg)),
		"vbr.router_id: 0.0.0.0 is not a BGP identifier");
	c->router_id = IP(10, 0, 0, 1);
	c->fib.max_nexthops = 4;
	FAILS(config_validate(c, msg, sizeof(msg)),
		"fib.max_nexthops: 4 is out of range (8..16777216)");
	c->fib.max_nexthops = 65536;
	c->peers[0].address = IP(172, 16, 0, 7);
	FAILS(config_validate(c, msg, sizeof(msg)),
		"bgp.peers[0].address: 172.16.0.7 is not on the idc port's subnet 10.0.0.0/24");
	c->peers[0].address = IP(10, 0, 0, 2);
	c->networks[c->nb_networks++] = (struct vbr_prefix){IP(172, 16, 0, 0), 12};
	FAILS(config_validate(c, msg, sizeof(msg)),
		"bgp.networks[1]: duplicate network 172.16.0.0/12 (same as bgp.networks[0])");
	config_network_delete(c, 1);
	/* Written into the array directly: the index is stale, validate rebuilds it. */
	ck_assert_int_eq(config_routes_reserve(c, 2), 0);
	c->routes[c->nb_routes++] = c->routes[0];
	FAILS(config_validate(c, msg, sizeof(msg)),
		"routes[1].prefix: duplicate static route 192.168.0.0/16 (same as routes[0])");
	/* Changed in place (the count unchanged): found all the same. */
	c->routes[1].prefix.len = 17;
	PASSES(config_validate(c, msg, sizeof(msg)));
	c->routes[1].prefix.len = 16;
	FAILS(config_validate(c, msg, sizeof(msg)),
		"routes[1].prefix: duplicate static route 192.168.0.0/16 (same as routes[0])");
	config_route_delete(c, 1);
	c->neighbors[0].address = IP(9, 9, 9, 9);
	FAILS(config_validate(c, msg, sizeof(msg)),
		"neighbors[0].address: neighbor 9.9.9.9 is on neither port's subnet (idc "
		"10.0.0.0/24, vpc 172.16.0.0/24)");
	c->neighbors[0].address = IP(172, 16, 0, 2);
	PASSES(config_validate(c, msg, sizeof(msg)));
	ck_assert(config_equal(c, cfg));
	config_free(c);
}
END_TEST

/* --- the API's tools: clone, find, add, delete --- */

START_TEST(clone_and_helpers)
{
	struct vbr_config *c = config_clone(cfg);
	struct vbr_static_route r = {
		.prefix = {IP(10, 50, 0, 0), 16}, .next_hop = IP(172, 16, 0, 9)};
	struct vbr_bgp_group g;

	ck_assert_ptr_nonnull(c);
	ck_assert(config_equal(c, cfg));
	ck_assert_ptr_ne(c->routes, cfg->routes);
	ck_assert_int_eq(config_route_add(c, &r), 0);
	ck_assert_int_eq(c->routes[1].port, VBR_PORT_VPC);
	ck_assert_int_eq(config_route_add(c, &r), -EEXIST);
	ck_assert_uint_eq(cfg->nb_routes, 1); /* the original is untouched */
	ck_assert(!config_equal(c, cfg));
	ck_assert_int_eq(config_route_find(c, &r.prefix), 1);
	ck_assert_int_eq(config_route_find(cfg, &r.prefix), -1);
	config_route_delete(c, 0);
	ck_assert_int_eq(config_route_find(c, &r.prefix), 0);
	ck_assert_int_eq(config_route_find(c, &cfg->routes[0].prefix), -1);

	ck_assert_int_eq(config_group_find(c, "core"), 0);
	ck_assert_int_eq(config_group_find(c, "edge"), -1);
	ck_assert_int_eq(config_peer_find(c, IP(10, 0, 0, 2)), 0);
	ck_assert_int_eq(config_peer_find(c, IP(10, 0, 0, 3)), -1);
	ck_assert_int_eq(config_network_find(c, &cfg->networks[0]), 0);
	ck_assert_int_eq(config_neighbor_find(c, IP(172, 16, 0, 2)), 0);

	/* A group before core deleted: the peer follows its group. */
	make_group(&g, "name", "first", "peer_asn", "65009", NULL);
	memmove(&c->groups[1], &c->groups[0], sizeof(g));
	c->groups[0] = g;
	c->nb_groups = 2;
	c->peers[0].group = 1;
	PASSES(config_validate(c, msg, sizeof(msg)));
	config_group_delete(c, 0);
	ck_assert_uint_eq(c->nb_groups, 1);
	ck_assert_uint_eq(c->peers[0].group, 0);
	ck_assert_str_eq(c->groups[c->peers[0].group].name, "core");
	PASSES(config_validate(c, msg, sizeof(msg)));
	config_peer_delete(c, 0);
	config_group_delete(c, 0);
	config_network_delete(c, 0);
	config_neighbor_delete(c, 0);
	ck_assert_uint_eq(c->nb_groups + c->nb_peers + c->nb_networks + c->nb_neighbors, 0);
	PASSES(config_validate(c, msg, sizeof(msg)));
	config_free(c);
	config_free(NULL);
}
END_TEST

/* Many routes added one by one, the duplicate found through the index. */
START_TEST(many_routes)
{
	struct vbr_config *c = config_clone(cfg);
	struct vbr_static_route r = {.next_hop = IP(172, 16, 0, 9)};

	ck_assert_ptr_nonnull(c);
	for (unsigned i = 0; i < 100000; i++) {
		r.prefix = (struct vbr_prefix){IP(20, 0, 0, 0) + (i << 8), 24};
		ck_assert_int_eq(config_route_add(c, &r), 0);
	}
	ck_assert_uint_eq(c->nb_routes, 100001);
	r.prefix = (struct vbr_prefix){IP(20, 0, 0, 0) + (77777u << 8), 24};
	FAILS(rule_route(c, &r, msg, sizeof(msg)),
		"prefix: duplicate static route 21.47.209.0/24 (same as routes[77778])");
	r.prefix.len = 25;
	PASSES(rule_route(c, &r, msg, sizeof(msg)));
	PASSES(config_validate(c, msg, sizeof(msg)));
	config_free(c);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, group_rules, 0, sizeof(group_cases) / sizeof(group_cases[0]));
	tcase_add_test(tc, group_in_place);
	tcase_add_loop_test(tc, set_same_as_loader, 0, sizeof(set_cases) / sizeof(set_cases[0]));
	tcase_add_test(tc, set_values);
	tcase_add_test(tc, bfd_set);
	tcase_add_test(tc, peer_rules);
	tcase_add_loop_test(tc, peer_same_as_loader, 0, sizeof(peer_cases) / sizeof(peer_cases[0]));
	tcase_add_test(tc, max_peers_same_as_loader);
	tcase_add_test(tc, network_rules);
	tcase_add_loop_test(tc, route_rules, 0, sizeof(route_cases) / sizeof(route_cases[0]));
	tcase_add_test(tc, route_values);
	tcase_add_test(tc, route_next_hops);
	tcase_add_test(tc, neighbor_rules);
	tcase_add_test(tc, port_rules);
	tcase_add_test(tc, validate);
	tcase_add_test(tc, clone_and_helpers);
	tcase_add_test(tc, many_routes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
