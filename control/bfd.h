/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD for the BGP peers (RFC 5880 asynchronous mode, single hop per RFC
 * 5881, no echo): a thread of its own, "vbr-bfd", so that its timers (a
 * few hundred ms, microsecond clock) never wait for the control thread's
 * 50 ms tick nor for a full table being processed. One epoll over:
 *
 * - one UDP socket bound to our IDC address, port 3784, in vbrd's network
 *   namespace: BFD packets punted to the IDC tap reach the kernel and this
 *   socket; the TTL of each is read (IP_RECVTTL) and must be 255 (GTSM,
 *   RFC 5881 §5). The kernel takes a packet to our IDC address on any
 *   interface (and the taps' rp_filter is loose): only those that came in
 *   on the IDC tap (IP_PKTINFO) from the IDC subnet are BFD's, so that a
 *   host on the VPC side cannot speak for a peer;
 * - a timerfd armed for the earliest deadline of every session (transmit,
 *   detection), CLOCK_MONOTONIC;
 * - an eventfd the control thread writes after changing the sessions.
 *
 * Each session sends from a UDP socket of its own, with TTL 255, from a
 * source port in 49152..65535 that it keeps for its life (RFC 5881 §4).
 * Packets are demultiplexed by Your Discriminator, or by the source address
 * when it is 0 (RFC 5880 §6.3).
 *
 * The control thread owns which sessions exist (one per BGP peer of a group
 * with bfd): it adds, changes and removes them through the calls below,
 * under the BFD mutex. The BFD thread reports state changes back through a
 * bounded queue (a session sits in it at most once, so it cannot overflow)
 * and an eventfd the control thread watches in its epoll loop; the report
 * latches an Up -> Down until it is read.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bfd_auth.h"
#include "bfd_fsm.h"
#include "bfd_packet.h"

/* Sessions at most: one per BGP peer, and as many lingering in AdminDown
 * after their removal (they tell the remote for a few seconds). */
#define BFD_MAX_SESSIONS 128

struct bfd;

struct bfd_session_conf {
	struct bfd_fsm_conf timers;
	struct bfd_auth_conf auth;
};

/* The runtime, its thread started, listening on local:3784 (host order)
 * for packets that come in on the interface ifname (the IDC port's
 * exception tap) from local's subnet (prefix_len). NULL on error (logged). */
struct bfd *bfd_create(uint32_t local, uint8_t prefix_len, const char *ifname);

/* Every session told AdminDown (one packet each), the thread stopped, all
 * freed. */
void bfd_destroy(struct bfd *b);

/* Readable when reports wait (the control thread's epoll). */
int bfd_notify_fd(const struct bfd *b);

/* Add the session with peer, or change its settings (a Poll Sequence when
 * Up, no flap; a new authentication applies to the next packet). The same
 * settings again: nothing. 0, -ENOSPC, or a socket's -errno. */
int bfd_session_set(struct bfd *b, uint32_t peer, const struct bfd_session_conf *conf);

/* The session goes AdminDown (diag 7): the remote is told for a few
 * seconds (RFC 5880 §6.8.16), then it is freed. 0 or -ENOENT. */
int bfd_session_delete(struct bfd *b, uint32_t peer);

/* What the BFD thread reports of a session that changed. */
struct bfd_report {
	uint32_t peer;
	enum bfd_state state; /* now */
	/* It went from Up to Down since the last report, not because the
	 * remote turned BFD off (RFC 5882 §3.2): the path failed. */
	bool went_down;
	uint8_t down_diag; /* our diag for that Down */
};

/* The reports waiting, up to max (the control thread, once the notify fd
 * is readable; it is drained here). Returns how many. */
unsigned bfd_reports(struct bfd *b, struct bfd_report *out, unsigned max);

/* A session, for `vbrctl show bfd` and /vbr/bfd. Intervals in us. */
struct bfd_session_status {
	uint32_t peer;
	uint16_t src_port;
	enum bfd_state state, remote_state;
	uint32_t local_disc, remote_disc;
	uint32_t tx_interval; /* negotiated: what we send at (0: nothing) */
	uint32_t rx_interval; /* what we expect from the remote */
	uint64_t detect_time; /* 0: nothing heard yet */
	uint8_t detect_mult;  /* ours */
	uint8_t remote_detect_mult;
	uint32_t remote_min_rx, remote_min_tx;
	uint8_t local_diag;  /* why it last went Down (0: never) */
	uint8_t remote_diag; /* the last non-zero one the remote sent */
	enum bfd_auth_type auth;
	bool poll;	   /* a Poll Sequence of ours is on */
	bool lingering;	   /* removed: telling the remote AdminDown */
	uint64_t state_us; /* time in this state */
	uint64_t flaps;	   /* Up -> Down (the remote's AdminDown too) */
	uint64_t rx_packets, tx_packets, tx_errors;
	uint64_t drops; /* sum of the next */
	uint64_t drop[BFD_DROP_COUNT];
};

/* The sessions, by peer address ascending (lingering ones after the
 * others of the same peer): how many, up to max. */
unsigned bfd_sessions(struct bfd *b, struct bfd_session_status *out, unsigned max);

/* Packets dropped before a session was found (malformed, no session): per
 * reason; and the receive socket's totals. */
struct bfd_global_stats {
	uint64_t rx_packets;
	uint64_t drop[BFD_DROP_COUNT];
	uint64_t rx_errors;
};
void bfd_global_stats(struct bfd *b, struct bfd_global_stats *st);

/* /vbr/bfd on DPDK's telemetry socket shows b's sessions (bfd_tel.c);
 * NULL: nothing to show. */
void bfd_tel_attach(struct bfd *b);
