/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP speaker: one session per configured BGP peer (RFC 4271 FSM,
 * collision detection, TCP-MD5), learned routes into the RIB, our BGP CIDR
 * blocks out to every established peer. Runs on the control thread only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "rib.h"

enum bgp_state {
	BGP_IDLE = 0,
	BGP_CONNECT,
	BGP_ACTIVE,
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
};

const char *bgp_state_name(enum bgp_state s);

/* What a peer's session looks like, for display. */
struct bgp_peer_status {
	uint32_t address;
	uint32_t asn;
	const char *group;
	enum bgp_state state;
	uint32_t remote_id;
	uint16_t hold_time;	/* negotiated */
	bool as4;		/* 4-octet AS negotiated */
	uint64_t uptime_ms;	/* in Established, or 0 */
	uint64_t established_count;
	uint64_t msgs_in, msgs_out, updates_in, updates_out;
	uint64_t prefixes_accepted, prefixes_best, prefixes_rejected_limit,
		prefixes_rejected_loop, prefixes_invalid;
	uint64_t prefixes_filtered;	/* refused by the route filter (bgp_filter.h) */
	uint64_t prefixes_as_path_long;	/* treated as withdrawn: AS_PATH over max_as_path_len */
	uint64_t send_hold_expired;	/* sessions dropped: the peer stopped reading */
	uint64_t gtsm_refused;	/* connections from it whose SYN failed GTSM */
	uint64_t out_of_memory;	/* sessions ended: the RIB had no memory for its routes */
	uint64_t out_queue;	/* bytes waiting to reach it (ours and the kernel's) now */
	uint64_t announced;	/* our CIDR blocks sent to it */
	uint64_t refresh_sent;	/* our ROUTE-REFRESH requests (room again under the limit) */
	char last_error[160];
};

struct bgp;

/* Peers start at once. epfd: the control loop's epoll, for our fds. */
struct bgp *bgp_create(const struct vbr_config *cfg, struct rib *rib, int epfd);

/* Cease / Administrative Shutdown to every session, then close all. */
void bgp_destroy(struct bgp *b);

/* Handle messages left waiting by the per-event limit. True if some are
 * still waiting: call again without sleeping. */
bool bgp_run_pending(struct bgp *b);

/* Timers: call often (every few tens of ms). */
void bgp_tick(struct bgp *b);

unsigned bgp_peer_count(const struct bgp *b);
void bgp_peer_status(const struct bgp *b, unsigned idx, struct bgp_peer_status *st);
