/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP speaker: one session per BGP peer, peers created, changed and
 * deleted at run time (the RFC 4271 FSM is bgp_fsm.h's; collision
 * detection, TCP-MD5, GTSM), learned routes into the RIB through the route
 * filter (bgp_filter.h), our BGP CIDR blocks out to every established peer.
 * Runs on the control thread only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bgp_fsm.h"
#include "config.h"
#include "rib.h"

/* What a peer's session looks like, for display. */
struct bgp_peer_status {
	uint32_t address;
	uint32_t asn;
	char group[VBR_NAME_MAX];
	char description[VBR_DESC_MAX];
	bool enabled;		/* false: administratively down (bgp_peer_set_enabled) */
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
	uint64_t refresh_sent;	/* our ROUTE-REFRESH requests (room again under the limit, new filter) */
	char last_error[160];
};

/* What a user calls the prefixes received: those accepted and those over
 * the limit (show peers and the metrics both say it so). */
static inline uint64_t
bgp_prefixes_received(const struct bgp_peer_status *st)
{
	return st->prefixes_accepted + st->prefixes_rejected_limit;
}

struct bgp;

/*
 * The speaker, with no peer yet: it listens on TCP port 179 of the IDC
 * port's address at once. ports_cfg: its ports (our IDC address, the
 * connected subnets) and its static routes toward the VPC, for the route
 * filter; nothing else of it is read, nor kept. epfd: the control loop's
 * epoll, for our fds. NULL on error (logged).
 */
struct bgp *bgp_create(uint32_t local_asn, uint32_t router_id, const struct vbr_config *ports_cfg,
		struct rib *rib, int epfd);

/* Cease / Administrative Shutdown to every session, then close all. */
void bgp_destroy(struct bgp *b);

/*
 * Peers are runtime objects, created and changed at any time on the control
 * thread, each with its own copy of its settings and of its group's (nothing
 * points into a config). Each returns 0 or a negative errno: -ENOENT (no peer
 * of that address), -EEXIST, -ENOSPC (VBR_MAX_PEERS peers already), -EINVAL,
 * or a socket's error (-errno).
 */

/* A new peer of group grp, its session started at once if enabled. Its RIB
 * slot is free when it comes. */
int bgp_peer_add(struct bgp *b, const struct vbr_bgp_peer *peer, const struct vbr_bgp_group *grp,
		bool enabled);

/* Cease / Peer De-configured (RFC 4486) to a session in OpenSent or later,
 * the connections closed, its routes out of the RIB, its slot freed. */
int bgp_peer_delete(struct bgp *b, uint32_t addr);

/* Cease / Administrative Reset with msg as its RFC 9003 shutdown
 * communication (NULL or "": none), then the session starts again. Nothing
 * for a disabled peer. */
int bgp_peer_reset(struct bgp *b, uint32_t addr, const char *msg);

/* Disable: Cease / Administrative Shutdown (with msg), the peer stays Idle
 * and refuses its connections (with the same Cease) until enabled again.
 * Enable: the session starts. The same state again: nothing. */
int bgp_peer_set_enabled(struct bgp *b, uint32_t addr, bool enabled, const char *msg);

/*
 * New settings for a peer (matched by peer->address), as the group's or the
 * peer's change. A session parameter (peer_asn, key, hold_time, multihop,
 * gtsm; min_hold_time when the session's hold time is below the new one)
 * restarts the session with Cease / Other Configuration Change. The rest
 * applies at once: max_prefixes and its action to the routes held (past the
 * limit: its action; room again: ROUTE-REFRESH), the filter's settings
 * (accept_default, max_prefix_len, max_as_path_len) to new UPDATEs and by a
 * ROUTE-REFRESH (a peer without it restarts: its routes must be judged
 * again), timers and passive from their next use, description and group
 * name at once.
 */
int bgp_peer_update(struct bgp *b, const struct vbr_bgp_peer *peer, const struct vbr_bgp_group *grp);

/* The peer's BFD session went from Up to Down (not by the peer's AdminDown):
 * its session ends at once with Cease / BFD Down (RFC 9384), its routes
 * leave, and it goes through Idle with its error wait. why: the BFD
 * diagnostic, for the log. 0 or -ENOENT. */
int bgp_peer_bfd_down(struct bgp *b, uint32_t addr, const char *why);

/* Our BGP CIDR blocks, the whole list: each Established peer gets an UPDATE
 * for the added ones and a withdrawal for the removed ones (no reset). The
 * route filter follows: routes inside an added block leave the RIB; the
 * peers that had routes refused inside a removed one are asked for them
 * again (ROUTE-REFRESH). */
int bgp_networks_set(struct bgp *b, const struct vbr_prefix *nets, unsigned n);

/* The prefixes of the static routes toward the VPC, the whole list, for the
 * route filter (as bgp_networks_set does with it). */
int bgp_vpc_routes_set(struct bgp *b, const struct vbr_prefix *prefixes, unsigned n);

/* Handle messages left waiting by the per-event limit. True if some are
 * still waiting: call again without sleeping. */
bool bgp_run_pending(struct bgp *b);

/* Timers: call often (every few tens of ms). */
void bgp_tick(struct bgp *b);

unsigned bgp_peer_count(const struct bgp *b);

/* The peers' addresses, ascending: how many there are (up to max written). */
unsigned bgp_peer_addrs(const struct bgp *b, uint32_t *addrs, unsigned max);

/* 0 or -ENOENT. */
int bgp_peer_status(const struct bgp *b, uint32_t addr, struct bgp_peer_status *st);
