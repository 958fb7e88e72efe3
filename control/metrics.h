/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus metrics of vbrd: a snapshot of what `vbrctl show stats`,
 * `show peers` and `show fib` read (the same sources, so the numbers
 * agree), and its text in the Prometheus exposition format 0.0.4 or in
 * OpenMetrics 1.0.0. The snapshot holds copies only (no pointer into the
 * control thread's objects): the control thread fills it on its own loop,
 * the HTTP server's thread renders it. Rendering is pure libc.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_PEERS 64
#define METRICS_MAX_PORTS 2
#define METRICS_MAX_COUNTERS 64
#define METRICS_MAX_LCORES 64
#define METRICS_NAME_MAX 64

/* One port: the NIC's own counters (rte_eth_stats) and the dataplane's
 * named counters, summed over the lcores (dataplane/counters.h). */
struct metrics_port {
	char name[16]; /* idc, vpc */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_missed, rx_errors, tx_errors, rx_nombuf;
	uint64_t counter[METRICS_MAX_COUNTERS]; /* by index into the dataplane's names */
};

/* One forwarding lcore's TSC cycles: busy (a loop that moved packets) and
 * all of them since it started. */
struct metrics_lcore {
	unsigned lcore_id;
	uint64_t busy_cycles, cycles;
};

/* What the daemon lends: the dataplane's side. */
struct metrics_dp {
	unsigned nb_ports;
	struct metrics_port port[METRICS_MAX_PORTS];
	/* The dataplane's counter names and help texts (static strings):
	 * "drop_*" ones become vbr_port_drops_total{reason="*"}, the others
	 * vbr_dp_NAME_total. */
	unsigned nb_counters;
	const char *const *counter_names;
	const char *const *counter_help;
	unsigned nb_lcores;
	struct metrics_lcore lcore[METRICS_MAX_LCORES];
	uint64_t tsc_hz;
};

struct metrics_peer {
	uint32_t address; /* host order */
	char group[METRICS_NAME_MAX];
	unsigned state; /* RFC 4271's FSM: 1 Idle ... 6 Established */
	bool enabled;
	uint64_t uptime_s;
	uint64_t prefixes_received, prefixes_installed, prefixes_over_limit;
	uint64_t msgs_in, msgs_out, updates_in, updates_out;
	uint64_t established;	/* times it reached Established */
	uint64_t flaps;		/* times it left Established */
};

struct metrics_snapshot {
	struct metrics_dp dp;
	unsigned nb_peers;
	struct metrics_peer peer[METRICS_MAX_PEERS];
	/* The FIB (show stats' fib) and the RIB (its rib). */
	uint64_t fib_routes, fib_nexthops, fib_groups;
	uint64_t fib_ops_applied, fib_ops_refused;
	uint64_t ring_used, ring_size;
	uint64_t rib_prefixes, rib_not_in_fib, rib_fib_pending, route_backlog;
};

/* BGP's FSM state names by the number of the snapshot (1..6). */
const char *metrics_bgp_state_name(unsigned state);

/* s as text into a malloc'd buffer (*text, *len bytes, NUL-terminated):
 * OpenMetrics 1.0.0 (ending "# EOF") if openmetrics, else the Prometheus
 * text format 0.0.4. 0 or -ENOMEM. */
int metrics_render(const struct metrics_snapshot *s, bool openmetrics, char **text, size_t *len);

/* The Content-Type of each. */
#define METRICS_CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define METRICS_CT_PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

/* Whether an Accept header asks for OpenMetrics (NULL: no). */
bool metrics_wants_openmetrics(const char *accept);
