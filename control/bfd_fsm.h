/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One BFD session's state machine (RFC 5880 §6.8, asynchronous mode, no
 * echo), pure as bgp_fsm.h: no sockets, no DPDK, no clock (the caller
 * gives the time, in microseconds). Every event goes in through
 * bfd_fsm_event(), which alone sets the states, the timers and the
 * intervals, and answers with actions: send a control packet now (its
 * fields from bfd_fsm_packet()), or the session's state changed.
 *
 * What it keeps of RFC 5880 §6.8.1's variables, and how it uses them:
 * - our transmit interval is max(bfd.DesiredMinTxInterval,
 *   bfd.RemoteMinRxInterval), jittered to 75-100 % (75-90 % with a detect
 *   multiplier of 1), none while the remote asks for 0 or runs Demand mode
 *   with no Poll Sequence of ours running (§6.8.7); while the session is
 *   not Up we ask to send at most once a second (§6.8.3);
 * - the detection time is the remote's detect multiplier times
 *   max(bfd.RequiredMinRxInterval, the remote's Desired Min TX) (§6.8.4);
 * - a change of either interval of ours while Up starts a Poll Sequence
 *   (§6.5, §6.8.3): an increase of our transmit interval, or a decrease of
 *   our receive interval, takes effect only once the remote's Final came;
 *   the other way round at once. Coming Up (1 s to the configured
 *   interval) is such a change. A change while our Poll runs waits for a
 *   Poll Sequence of its own: the first Final may answer a packet that
 *   advertised the earlier values;
 * - a packet with Poll is answered with Final at once (§6.8.7), and a
 *   packet goes out at once on every state change, as BIRD and FRR do.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bfd_packet.h"

#define BFD_SLOW_TX_US 1000000u /* §6.8.3: at least this while not Up */

/* The session's settings (the group's, in microseconds). */
struct bfd_fsm_conf {
	uint32_t desired_min_tx;  /* us */
	uint32_t required_min_rx; /* us */
	uint8_t detect_mult;
};

enum bfd_fsm_event {
	BFD_EV_NONE = 0,
	BFD_EV_START,	       /* AdminDown -> Down: the session runs */
	BFD_EV_STOP,	       /* -> AdminDown (diag 7): the peer hears it; nothing else */
	BFD_EV_RX,	       /* a received packet, decoded, demultiplexed and authenticated */
	BFD_EV_TX_DUE,	       /* the periodic transmission is due */
	BFD_EV_DETECT_EXPIRED, /* nothing received for the detection time */
	BFD_EV_CONFIGURE,      /* new settings (a Poll Sequence while Up) */
	BFD_EV_COUNT
};

const char *bfd_fsm_event_name(enum bfd_fsm_event ev);

struct bfd_fsm_input {
	enum bfd_fsm_event ev;
	const struct bfd_ctrl *pkt;	 /* RX */
	const struct bfd_fsm_conf *conf; /* CONFIGURE */
};

enum bfd_fsm_action_type {
	BFD_ACT_SEND = 1, /* a control packet now (bfd_fsm_packet(fsm, final)) */
	BFD_ACT_STATE,	  /* the session went from -> to, with our diag */
};

struct bfd_fsm_action {
	enum bfd_fsm_action_type type;
	bool final;		 /* SEND: the answer to the remote's Poll */
	enum bfd_state from, to; /* STATE */
	uint8_t diag;		 /* STATE: our diagnostic (enum bfd_diag) */
	/* STATE to Down: because the remote said AdminDown. RFC 5882 §3.2:
	 * the remote turned BFD off, the path may well be fine, so clients
	 * (BGP) must not take this as a failure. */
	bool remote_admin_down;
};

#define BFD_FSM_MAX_ACTIONS 4

struct bfd_fsm_actions {
	unsigned n;
	struct bfd_fsm_action a[BFD_FSM_MAX_ACTIONS];
};

struct bfd_fsm {
	struct bfd_fsm_conf conf;
	enum bfd_state state;	     /* bfd.SessionState */
	enum bfd_state remote_state; /* bfd.RemoteSessionState */
	uint32_t local_disc, remote_disc;
	uint8_t local_diag;	  /* bfd.LocalDiag: in our packets (0 once Up again) */
	uint8_t last_local_diag;  /* why the session last went Down (for display) */
	uint8_t last_remote_diag; /* the last non-zero diagnostic the remote sent */
	/* What we advertise (bfd.DesiredMinTxInterval, bfd.RequiredMinRxInterval)
	 * and what is in effect while a Poll Sequence runs (§6.8.3). */
	uint32_t desired_min_tx, required_min_rx;
	uint32_t tx_base, rx_base;
	uint32_t remote_min_rx;	    /* bfd.RemoteMinRxInterval */
	uint32_t remote_min_tx;	    /* the remote's last Desired Min TX */
	uint8_t remote_detect_mult; /* 0: nothing received (no detection) */
	bool remote_demand;	    /* bfd.RemoteDemandMode */
	bool poll;		    /* a Poll Sequence of ours runs */
	uint64_t tx_at;		    /* next periodic packet (0: none) */
	uint64_t detect_at;	    /* detection timer (0: off) */
	uint64_t rng;		    /* jitter */
	uint64_t heard_at;	    /* the last packet received (0: none yet) */
	uint64_t heard_detect;	    /* the detection time it set (kept past its expiry) */
	bool poll_again;	    /* values changed while the Poll ran: another after it */
};

/* A session in Down, its first packet due at now_us. local_disc: unique
 * and non-zero (the runtime's choice); seed: the jitter's. */
void bfd_fsm_init(struct bfd_fsm *f, const struct bfd_fsm_conf *conf, uint32_t local_disc,
	uint64_t seed, uint64_t now_us);

/* The one entry point: act is filled with what to do, in order. Returns
 * the session's state after the event. A packet while AdminDown is
 * ignored (the caller counts it). */
enum bfd_state bfd_fsm_event(struct bfd_fsm *f, const struct bfd_fsm_input *in, uint64_t now_us,
	struct bfd_fsm_actions *act);

/* The timer event due at now_us, or BFD_EV_NONE. Detection first. */
enum bfd_fsm_event bfd_fsm_timer_due(const struct bfd_fsm *f, uint64_t now_us);

/* The earliest timer (tx, detection), or 0 for none. */
uint64_t bfd_fsm_next_deadline(const struct bfd_fsm *f);

/* The packet to send now (final: the answer to a Poll, P clear). */
void bfd_fsm_packet(const struct bfd_fsm *f, bool final, struct bfd_ctrl *out);

/* What is negotiated now, in us: our transmit interval (before jitter; 0:
 * we send nothing periodically), the remote's (what we expect to receive),
 * and the detection time (0: no packet from the remote yet). */
uint32_t bfd_fsm_tx_interval(const struct bfd_fsm *f);
uint32_t bfd_fsm_rx_interval(const struct bfd_fsm *f);
uint64_t bfd_fsm_detect_time(const struct bfd_fsm *f);

/* §6.7.1: the remote has said nothing for twice the detection time its
 * last packet set (or the one in force now, if longer): bfd.AuthSeqKnown
 * is to be forgotten. True before any packet. */
bool bfd_fsm_silent(const struct bfd_fsm *f, uint64_t now_us);
