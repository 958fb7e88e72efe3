/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the exception path takes from a port, and in which class: a host on
 * the segment must not be able to starve BGP, nor fill or poison the
 * neighbour table. Each class has its own token bucket per port and lcore:
 *
 *   bgp      segments of a live BGP session (its 4-tuple, learned from the
 *            segments our kernel sends, and the peer's MAC)   punt_rate
 *   bgp_new  TCP to or from port 179 of a configured peer's
 *            address that is no live session (new sessions)   punt_rate/50
 *   arp      ARP that concerns us: a request for our address,
 *            or a reply to a request we sent in the last 3 s  punt_rate/10
 *   garp     gratuitous ARP (sender == target) and unsolicited
 *            replies: they may refresh a neighbour, never
 *            create one                                        punt_rate/100
 *   other    everything else to our addresses (pings, ...)     punt_rate
 *   bfd      UDP to port 3784 (BFD control, RFC 5881) from a
 *            configured peer's address (and while its BGP
 *            session is live, from the MAC it pinned)         punt_rate/10,
 *                                                              at least 200
 *   track    ICMP echo replies to our address from a next hop
 *            that static routes track (their health checks)    punt_rate/100,
 *                                                              at least 100
 *
 * ARP for others is not punted at all. The last quarter of the punt ring is
 * kept for the bgp, bfd and track classes, so that floods of the others
 * cannot fill it: a BFD session that misses three packets takes BGP down
 * with it, and a next hop whose echo replies are lost takes its routes out.
 *
 * The tables below are written by the main lcore only (it sees every frame
 * the kernel sends and every frame punted to it) and read by the
 * forwarding lcores without locks.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

enum punt_class {
	PUNT_BGP,
	PUNT_BGP_NEW,
	PUNT_ARP,
	PUNT_GARP,
	PUNT_OTHER,
	PUNT_BFD,
	PUNT_TRACK,
	PUNT_CLASSES,
	PUNT_DROP = PUNT_CLASSES, /* not punted: *why says why */
};

extern const char *const punt_class_names[PUNT_CLASSES];

/* BFD's floor: 8 peers at 200 ms are 40 packets/s, their Polls and Finals
 * a few more; ample room whatever punt_rate says. */
#define PUNT_BFD_MIN_RATE 200
/* The health checks' floor: a probe per second or two per tracked next
 * hop (at most PUNT_TRACK_MAX of them protected). */
#define PUNT_TRACK_MIN_RATE 100
#define PUNT_TRACK_MAX 64

/* Live BGP sessions per port: a peer's 8 sessions and a collision's second
 * connection each. */
#define PUNT_SESSIONS 16
/* Addresses we sent ARP requests for lately (hashed, per port). */
#define PUNT_ASKED 1024
#define PUNT_ASKED_MS 3000
/* A session whose segments stopped without FIN or RST is forgotten (and its
 * peer's MAC unpinned) after this long. */
#define PUNT_SESSION_IDLE_S 300

/* Sessions closed lately, whose 4-tuple stays dead (main lcore only). */
#define PUNT_CLOSED 16

#define PUNT_MAC_VALID (1ull << 63)

struct punt_session {
	/* peer address << 32 | peer port << 16 | our port (host order);
	 * 0: free. Read by the forwarding lcores. */
	uint64_t key;
	/* The peer's MAC as our kernel addresses it (bits 0..47, memory
	 * order) | PUNT_MAC_VALID. Read by the forwarding lcores. */
	uint64_t mac_state;
	uint64_t seen_tsc; /* main lcore only */
};

struct punt_table {
	struct punt_session sess[PUNT_SESSIONS];
	/* address << 32 | the ms (32 bits, wrapping) it was asked for */
	uint64_t asked[PUNT_ASKED];
	struct {
		uint64_t key;
		uint64_t tsc;
	} closed[PUNT_CLOSED];
	unsigned closed_next;
};

/* Per lcore and port, summed on read. */
struct punt_stats {
	uint64_t passed[PUNT_CLASSES];
	uint64_t policed[PUNT_CLASSES];
	uint64_t full[PUNT_CLASSES]; /* the punt ring (or its share) was full */
};

struct dataplane;
struct dp_port;

/* The class of a frame received on port for the exception path (ip: its
 * IPv4 header, NULL for ARP), or PUNT_DROP with the drop counter in *why.
 * Forwarding lcores. */
enum punt_class punt_classify(const struct dataplane *dp, unsigned port,
		const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, unsigned *why);

/* A frame the kernel (or the main lcore itself) sends out of port: our side
 * of a BGP session makes it live (an ACK without SYN) or ends it (FIN,
 * RST); our ARP requests are remembered. Main lcore. */
void punt_note_tx(struct dataplane *dp, unsigned port, const struct rte_mbuf *m);

/* A frame of the bgp class on its way to the kernel: the peer's FIN or RST
 * ends the session. Main lcore. */
void punt_note_rx(struct dataplane *dp, unsigned port, const struct rte_mbuf *m);

/* Forget sessions idle for PUNT_SESSION_IDLE_S. Main lcore. */
void punt_housekeeping(struct dataplane *dp);

/* Packets per second of class c on a port whose punt rate is rate, per
 * lcore when nb_fwd lcores share the port. */
uint64_t punt_class_rate(enum punt_class c, uint64_t rate, unsigned nb_fwd);

/* Number of live sessions on port (telemetry). */
unsigned punt_sessions(const struct dataplane *dp, unsigned port);
