/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr's configuration: the in-memory form of the YAML file, its loader and
 * its writer. Pure libc + libyaml (no DPDK, no sockets) so that it can be
 * unit-tested and fuzzed on its own. Every error the loader reports names
 * file:line:column. The product's rules, shared with the management API,
 * are in rules.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBR_NAME_MAX 64
#define VBR_DEVICE_MAX 256
#define VBR_IFNAME_MAX 16 /* IFNAMSIZ */
#define VBR_KEY_MAX 80	  /* TCP_MD5SIG_MAXKEYLEN */
#define VBR_DESC_MAX 256

#define VBR_DEFAULT_ASN 45104u
#define VBR_DEFAULT_MAX_PEERS 8u
#define VBR_DEFAULT_MAX_PREFIXES 100u
/* A port's learned neighbours: together at most half the default next-hop
 * table (fib.max_nexthops, 65,536), so that routes' next hops find ids. */
#define VBR_DEFAULT_MAX_NEIGHBORS 16384u
#define VBR_MAX_NEIGHBORS_LIMIT 65535u
#define VBR_DEFAULT_REACHABLE_TIME 60u /* s, RFC 4861's REACHABLE_TIME, as Linux */
#define VBR_DEFAULT_MAX_PREFIX_LEN 24u
#define VBR_DEFAULT_MIN_HOLD_TIME 3u
#define VBR_DEFAULT_MAX_AS_PATH_LEN 64u
#define VBR_MAX_AS_PATH_LEN 2048u /* what one UPDATE can carry */

/* Hard bounds of the arrays below; the product's rules (max_peers...) are
 * checked against the configured values, which default to the rules. */
#define VBR_MAX_GROUPS 64
#define VBR_MAX_PEERS 64
#define VBR_MAX_NETWORKS 256
#define VBR_MAX_NEIGHBORS 1024
/* Static routes have no bound but memory: see routes in struct vbr_config. */

enum vbr_port_id { VBR_PORT_IDC = 0, VBR_PORT_VPC = 1, VBR_NB_PORTS = 2 };

/* IPv4 addresses and prefixes are kept in host byte order. */
struct vbr_prefix {
	uint32_t addr;
	uint8_t len;
};

struct vbr_port_config {
	char device[VBR_DEVICE_MAX]; /* PCI address or vdev name */
	uint32_t address;	     /* our address on the port */
	uint8_t prefix_len;	     /* its subnet */
	char tap[VBR_IFNAME_MAX];    /* exception-path tap; default vbr-idc / vbr-vpc */
	uint16_t mtu;		     /* default 1500 */
	/* packets/s to the kernel tap for live BGP sessions and for the rest
	 * (pings, ...); ARP for us gets 1/10 of it, new BGP sessions 1/50,
	 * gratuitous ARP 1/100 (dataplane/punt.h); default 10000 */
	uint32_t punt_rate;
	uint32_t max_neighbors;	     /* ARP-learned neighbours kept; default 16384 */
	uint16_t reachable_time;     /* s a learned MAC is trusted before it is probed; default 60 */
};

enum vbr_max_prefix_action { VBR_MAXPFX_DROP = 0, VBR_MAXPFX_TEARDOWN };

/* BFD (RFC 5880/5881) on a group's peers: the cloud's ranges. */
#define VBR_BFD_INTERVAL_MIN 200u /* ms */
#define VBR_BFD_INTERVAL_MAX 1000u
#define VBR_BFD_INTERVAL_DEFAULT 300u
#define VBR_BFD_MULT_MIN 3u
#define VBR_BFD_MULT_MAX 10u
#define VBR_BFD_MULT_DEFAULT 3u
#define VBR_BFD_KEY_MAX 20 /* SHA1's; MD5 takes 16 */

/* RFC 5880 6.7: keyed SHA1 and MD5, each plain or meticulous. */
enum vbr_bfd_auth_type {
	VBR_BFD_AUTH_SHA1 = 0,
	VBR_BFD_AUTH_METICULOUS_SHA1,
	VBR_BFD_AUTH_MD5,
	VBR_BFD_AUTH_METICULOUS_MD5,
};

struct vbr_bfd_auth {
	bool enabled;		   /* the auth map is there */
	enum vbr_bfd_auth_type type; /* required */
	uint8_t key_id;		   /* default 1 */
	char key[VBR_BFD_KEY_MAX + 1]; /* required; at most 16 characters for MD5 */
};

struct vbr_bfd {
	bool enabled;	    /* the bfd map is there: BFD on each peer of the group */
	uint16_t min_rx;    /* ms we ask the peer to send at, at least; default 300 */
	uint16_t min_tx;    /* ms we would send at, at least; default 300 */
	uint8_t multiplier; /* packets missed before Down; default 3 */
	struct vbr_bfd_auth auth;
};

struct vbr_bgp_group {
	char name[VBR_NAME_MAX];
	uint32_t peer_asn;
	char key[VBR_KEY_MAX + 1]; /* TCP-MD5 key; empty = none */
	char description[VBR_DESC_MAX];
	uint32_t max_prefixes;		       /* default 100 */
	enum vbr_max_prefix_action max_prefixes_action; /* default drop */
	uint32_t max_prefixes_restart;	       /* s a torn-down peer stays down; default 60 */
	uint16_t hold_time;		       /* s; 0 or 3..65535; default 90 */
	/* A peer's OPEN with a hold time below it (0 included) is refused
	 * (OPEN Message Error / Unacceptable Hold Time); default 3; 0 lets a
	 * peer turn the hold timer off. */
	uint16_t min_hold_time;
	/* s without any of our bytes acknowledged while some wait, before the
	 * session is dropped (draft-ietf-idr-bgp-sendholdtimer); 0: the
	 * greater of 480 and twice the negotiated hold time. */
	uint16_t send_hold_time;
	uint16_t connect_retry;		       /* s; default 30 */
	/* After a session error the peer waits error_wait_min s, doubled at
	 * each error in a row up to error_wait_max (as BIRD's "error wait
	 * time"); defaults 1 and 120. */
	uint16_t error_wait_min;
	uint16_t error_wait_max;
	uint8_t multihop;		       /* TTL; 1 = directly connected eBGP (default) */
	bool passive;			       /* never open the connection ourselves */
	/* GTSM (RFC 5082): send with TTL 255, take only segments that came at
	 * most multihop hops (TTL >= 256 - multihop); the peers must do the
	 * same. Default false. */
	bool gtsm;
	/* What its peers may announce (control/bgp_filter.h). */
	bool accept_default;		       /* take 0.0.0.0/0; default false */
	uint8_t max_prefix_len;		       /* longer prefixes are refused; default 24 */
	/* ASNs an AS_PATH may hold (each of an AS_SET counts): past it the
	 * UPDATE is treated as withdraw; default 64. */
	uint16_t max_as_path_len;
	/* BFD for its peers; absent (enabled false) by default. A change
	 * applies to the running sessions (a Poll Sequence), BGP untouched. */
	struct vbr_bfd bfd;
};

struct vbr_bgp_peer {
	uint32_t address;
	unsigned group; /* index into vbr_config.groups */
	char description[VBR_DESC_MAX];
	bool disabled; /* administratively down (vbrctl bgp-peer disable) */
	int line; /* where it was defined, for messages at run time */
};

/* A health check of a static route's next hop, as the cloud's: an ICMP echo
 * every interval s from our address on the next hop's port; misses
 * unanswered in a row take the route out of the RIB (another route, BGP's
 * or a shorter prefix's, takes over), rise answered in a row put it back.
 * interval 0: not tracked (the key absent). */
#define VBR_TRACK_DEFAULT_INTERVAL 2u
#define VBR_TRACK_DEFAULT_MISSES 8u
#define VBR_TRACK_DEFAULT_RISE 2u
struct vbr_track {
	uint16_t interval; /* s, 1..60 */
	uint16_t misses;   /* 2..100 */
	uint16_t rise;	   /* 1..100 */
};
/* The most next hops of one static route (ECMP), as the FIB's groups. */
#define VBR_MAX_NEXT_HOPS 8

/* port is derived from next_hop (and a neighbour's from its address) by
 * whoever places it: the loader, config_route_add, config_route_set... */
struct vbr_static_route {
	struct vbr_prefix prefix;
	uint32_t next_hop;     /* with next_hops: the first of them */
	enum vbr_port_id port; /* the port whose subnet holds next_hop */
	struct vbr_track track;
	/* ECMP: next_hops: [a, b, ...], 2..VBR_MAX_NEXT_HOPS distinct gateways
	 * on one port's subnet, in the file's order; 0: next_hop alone. */
	unsigned nb_next_hops;
	uint32_t next_hops[VBR_MAX_NEXT_HOPS];
};

struct vbr_neighbor {
	uint32_t address;
	uint8_t mac[6];
	enum vbr_port_id port; /* the port whose subnet holds address */
};

struct config_route_index; /* config.c: open addressing on the prefix */

struct vbr_fib_config {
	uint32_t max_routes; /* default 1048576 */
	uint32_t max_tbl8;   /* default 65536: groups of /25../32 under one /24 */
	uint32_t max_nexthops; /* default 65536: distinct next hops (gateways, neighbours) */
};

/* metrics: { listen: A.B.C.D:PORT }: the Prometheus endpoint (control/
 * metrics_http.c), in vbrd's network namespace; port 0: none (the default). */
struct vbr_metrics_config {
	uint32_t listen_addr;
	uint16_t listen_port;
};

struct vbr_config {
	char path[4096]; /* the file it came from */
	char name[VBR_NAME_MAX];
	uint32_t local_asn;	/* default 45104 */
	uint32_t router_id;	/* default: the IDC port address */
	uint32_t max_peers;	/* default 8 */
	struct vbr_port_config ports[VBR_NB_PORTS];
	struct vbr_fib_config fib;
	struct vbr_metrics_config metrics;

	unsigned nb_groups;
	struct vbr_bgp_group groups[VBR_MAX_GROUPS];
	unsigned nb_peers;
	struct vbr_bgp_peer peers[VBR_MAX_PEERS];
	unsigned nb_networks;
	struct vbr_prefix networks[VBR_MAX_NETWORKS];
	/* A growing array (config_route_add), indexed by prefix for the
	 * duplicate check. Code that writes routes[] or nb_routes directly
	 * makes the index stale: it is rebuilt when nb_routes or the array
	 * moved, otherwise call config_routes_reindex(). */
	struct vbr_static_route *routes;
	unsigned nb_routes, routes_cap;
	struct config_route_index *route_index;
	unsigned nb_neighbors;
	struct vbr_neighbor neighbors[VBR_MAX_NEIGHBORS];

	/* bgp.multipath: best paths the FIB takes per prefix (ECMP), 1..8;
	 * default 1, no multipath. bgp.multipath_relax: paths through
	 * different neighbouring ASes count as equal; default false. */
	uint8_t bgp_multipath;
	bool bgp_multipath_relax;
};

/*
 * Load and validate a config file. On success returns 0 and fills *cfg.
 * On error returns a negative errno and writes one line
 * "FILE:LINE:COLUMN: what is wrong" into err (always NUL-terminated).
 * cfg is heap-sized and owns its route table: allocate it with
 * config_alloc() (never copy one by assignment: config_clone()).
 */
int config_load(const char *path, struct vbr_config *cfg, char *err, size_t errlen);

/* The same, from a buffer; name is used as FILE in messages (fuzzing, tests). */
int config_load_buffer(const char *name, const char *buf, size_t len, struct vbr_config *cfg,
		char *err, size_t errlen);

/*
 * Write cfg as a canonical YAML file that config_load() reads back equal
 * (config_equal): the sections and keys the loader reads, a key only when
 * its value is not the default. Comments and the order of a hand-written
 * file are not kept. The group keys (TCP-MD5) are written: the file is
 * created mode 0600. Atomic and durable: PATH.tmp.<pid> in the same
 * directory, fsync, rename over PATH, fsync of the directory; on any
 * error the temporary file is removed, PATH is as it was, and err says
 * "PATH: what: why". A symbolic link at PATH is followed, not replaced.
 * Returns 0 or a negative errno.
 */
int config_write(const struct vbr_config *cfg, const char *path, char *err, size_t errlen);

/* The same YAML text into a malloc'd, NUL-terminated buffer (*len bytes),
 * for tests and fuzzing. */
int config_emit(const struct vbr_config *cfg, char **text, size_t *len, char *err, size_t errlen);

/* Same values, in the same order; path and the peers' line are ignored. */
bool config_equal(const struct vbr_config *a, const struct vbr_config *b);

struct vbr_config *config_alloc(void);
void config_free(struct vbr_config *cfg);
/* A deep copy (its own route table), or NULL when out of memory. */
struct vbr_config *config_clone(const struct vbr_config *cfg);
/* Back to all zeros, keeping the route table's memory. */
void config_reset(struct vbr_config *cfg);

/* --- finding, adding and removing objects --- */

/* Indexes into cfg's arrays, or -1. */
int config_group_find(const struct vbr_config *cfg, const char *name);
int config_peer_find(const struct vbr_config *cfg, uint32_t address);
int config_network_find(const struct vbr_config *cfg, const struct vbr_prefix *prefix);
/* O(1) through the prefix index. A stale index is rebuilt here, const cfg
 * or not: one config is not for lookups from two threads at once. */
long config_route_find(const struct vbr_config *cfg, const struct vbr_prefix *prefix);
int config_neighbor_find(const struct vbr_config *cfg, uint32_t address);

/* Room for n routes in all. 0 or -ENOMEM. */
int config_routes_reserve(struct vbr_config *cfg, unsigned n);
/* Append r (its port set from next_hop), indexed. Checks nothing but the
 * prefix: -EEXIST if a route has it (rule_route says it in words), or
 * -ENOMEM. */
int config_route_add(struct vbr_config *cfg, const struct vbr_static_route *r);
/* Remove routes[i], keeping the others' order. O(n). */
void config_route_delete(struct vbr_config *cfg, unsigned i);
/* Rebuild the prefix index after routes[] was written directly. 0 or -ENOMEM. */
int config_routes_reindex(struct vbr_config *cfg);

/* Remove groups[i] and renumber the peers' group indexes above it; the
 * caller has refused to delete a group that still has peers. */
void config_group_delete(struct vbr_config *cfg, unsigned i);
/* Remove element i of the array, keeping the order. */
void config_peer_delete(struct vbr_config *cfg, unsigned i);
void config_network_delete(struct vbr_config *cfg, unsigned i);
void config_neighbor_delete(struct vbr_config *cfg, unsigned i);

/* The netmask of a prefix length (0..32), host order. */
static inline uint32_t
config_prefix_mask(uint8_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* The port (IDC or VPC) whose subnet holds addr, or -1. */
int config_port_of(const struct vbr_config *cfg, uint32_t addr);

const char *config_port_name(enum vbr_port_id port); /* "idc" / "vpc" */

/* Formatting helpers shared by the daemon's messages. */
#define VBR_IP_STRLEN 16     /* "255.255.255.255" */
#define VBR_PREFIX_STRLEN 19 /* "255.255.255.255/32" */
const char *config_ip_str(uint32_t addr, char *buf, size_t len);
const char *config_prefix_str(const struct vbr_prefix *prefix, char *buf, size_t len);
