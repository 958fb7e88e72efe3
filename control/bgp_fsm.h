/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP finite state machine of one peer (RFC 4271 §8), pure: no sockets,
 * no DPDK, no clock (the caller gives the time). Every event goes in through
 * bgp_fsm_event(), which alone sets the states and the timers, and answers
 * with the actions the caller must carry out, in order: open or take a
 * connection, send OPEN / KEEPALIVE / NOTIFICATION, close, session up
 * (routes in, ours out) or down (routes out). The sockets, the codec and the
 * RIB stay with the caller (bgp.c).
 *
 * A peer may have two connections at once (RFC 4271 §6.8): the one we open
 * (OUT) and the one it opens (IN). Each runs its own state from Connect (OUT
 * only: TCP in progress) or OpenSent on; collision detection keeps one. The
 * peer's state is that of its most advanced connection; with none, Idle
 * (disabled, or waiting out an error's back-off) or Active (waiting for a
 * connection, ours on the ConnectRetry timer or the peer's).
 *
 * Departures from RFC 4271's letter, all kept from vbr's speaker before it
 * had this file: a connection that fails or is closed by the peer in
 * OpenSent or later is a session error (back-off, as BIRD's error wait time);
 * hold and keepalive timers restart on any message; the peer's own
 * NOTIFICATION Cease / Connection Collision Resolution on a connection while
 * the other one lives is no error. RFC 6608's FSM Error subcodes are sent for
 * an unexpected message in OpenSent, OpenConfirm and Established.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bgp_msg.h"

enum bgp_state {
	BGP_IDLE = 0,
	BGP_CONNECT,
	BGP_ACTIVE,
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
};

const char *bgp_state_name(enum bgp_state s);

enum bgp_conn_id { BGP_CONN_OUT = 0, BGP_CONN_IN = 1 };

#define BGP_FSM_OPEN_HOLD_MS (240 * 1000) /* RFC 4271 §8: a large hold time in OpenSent */
#define BGP_FSM_STABLE_MS (60 * 1000)	  /* up this long: the back-off starts over */

/* RFC 4271 §8.1's events, and the administrative and local ones vbr adds.
 * "conn": the event is about one connection (bgp_fsm_input.conn). */
enum bgp_fsm_event {
	BGP_EV_NONE = 0,
	/* Administrative */
	BGP_EV_MANUAL_START,	  /* enable */
	BGP_EV_MANUAL_STOP,	  /* disable: Cease/2 with text; stays Idle */
	BGP_EV_AUTOMATIC_START,	  /* start again now, the back-off forgotten */
	BGP_EV_PEER_DECONFIGURED, /* delete: Cease/3 (RFC 4486); stays Idle */
	BGP_EV_ADMIN_RESET,	  /* Cease/4 with text, then a new session */
	BGP_EV_CONFIG_CHANGED,	  /* Cease/6, then a new session */
	/* Timers */
	BGP_EV_CONNECT_RETRY_EXPIRES,
	BGP_EV_HOLD_EXPIRES,	  /* conn */
	BGP_EV_KEEPALIVE_EXPIRES, /* conn */
	BGP_EV_IDLE_HOLD_EXPIRES, /* the back-off is over */
	BGP_EV_SEND_HOLD_EXPIRES, /* conn: the peer stopped reading
				     (draft-ietf-idr-bgp-sendholdtimer) */
	/* TCP */
	BGP_EV_TCP_VALID,     /* IN: the peer connected to us */
	BGP_EV_TCP_CONFIRMED, /* OUT: our connection is up */
	BGP_EV_TCP_FAILS,     /* conn: failed, closed by the peer, or cannot send */
	/* Messages (the caller decodes and checks them) */
	BGP_EV_OPEN,		    /* conn: a valid OPEN (hold_time, bgp_id) */
	BGP_EV_HEADER_ERR,	    /* conn: notify to send */
	BGP_EV_OPEN_ERR,	    /* conn: notify to send */
	BGP_EV_NOTIF_MSG,	    /* conn: code/subcode received (0/0: malformed) */
	BGP_EV_KEEPALIVE_MSG,	    /* conn */
	BGP_EV_UPDATE_MSG,	    /* conn: a valid UPDATE (or one not decoded: wrong state) */
	BGP_EV_UPDATE_ERR,	    /* conn: notify to send */
	BGP_EV_ROUTE_REFRESH_MSG,   /* conn */
	BGP_EV_MSG_ERR,		    /* conn: another malformed message; notify to send */
	BGP_EV_OPEN_COLLISION_DUMP, /* conn: it lost the collision: Cease/7 */
	/* Local decisions about an established session */
	BGP_EV_PREFIX_LIMIT,	 /* conn: Cease/1 (notify), then the hold-down */
	BGP_EV_OUT_OF_RESOURCES, /* conn: Cease/8 (notify) */
	/* BFD saw the path to the peer fail (Up -> Down): every connection
	 * past its handshake ends with Cease/10 (RFC 9384), as an error. */
	BGP_EV_BFD_DOWN,
	BGP_EV_COUNT
};

const char *bgp_fsm_event_name(enum bgp_fsm_event ev);

/* One event and what comes with it. */
struct bgp_fsm_input {
	enum bgp_fsm_event ev;
	enum bgp_conn_id conn;
	const char *why;		 /* for logs and last_error; NULL: the event's name */
	const char *text;		 /* RFC 9003 text: MANUAL_STOP, ADMIN_RESET; TCP_VALID
					    refused while disabled */
	const struct bgp_notify *notify; /* *_ERR, PREFIX_LIMIT, OUT_OF_RESOURCES (NULL:
					    the code and subcode alone) */
	uint16_t hold_time;		 /* OPEN: the peer's */
	uint32_t bgp_id;		 /* OPEN: the peer's */
	uint8_t code, subcode;		 /* NOTIF_MSG */
};

enum bgp_fsm_action_type {
	BGP_ACT_CONNECT = 1, /* open our connection (OUT) */
	BGP_ACT_ACCEPT,	     /* take the incoming connection as IN */
	BGP_ACT_REFUSE,	     /* refuse it: Cease / subcode (text) */
	BGP_ACT_SEND_OPEN,
	BGP_ACT_SEND_KEEPALIVE,
	BGP_ACT_SEND_NOTIFICATION, /* notify, or code / subcode (and text for Cease/2, 4) */
	BGP_ACT_SESSION_UP,	   /* conn is Established: its routes come in, ours go out */
	BGP_ACT_SESSION_DOWN,	   /* conn was Established: its routes leave */
	BGP_ACT_CLOSE,		   /* close conn, after what is queued on it */
};

struct bgp_fsm_action {
	enum bgp_fsm_action_type type;
	enum bgp_conn_id conn;
	enum bgp_state state;		 /* the connection's before the event */
	uint8_t code, subcode;		 /* SEND_NOTIFICATION, REFUSE */
	bool error;			 /* CLOSE: a session error (the peer backs off) */
	bool reset;			 /* CLOSE: drop what waits, send a RST */
	const struct bgp_notify *notify; /* SEND_NOTIFICATION: the input's, or NULL */
	const char *text;		 /* SEND_NOTIFICATION, REFUSE: RFC 9003 text or NULL */
	const char *why;		 /* SESSION_DOWN, CLOSE, REFUSE: for logs */
};

#define BGP_FSM_MAX_ACTIONS 12

struct bgp_fsm_actions {
	unsigned n;
	struct bgp_fsm_action a[BGP_FSM_MAX_ACTIONS];
};

/* The settings the FSM uses, from the peer's group and the speaker. */
struct bgp_fsm_conf {
	uint32_t local_asn, local_id; /* collision: who keeps which connection */
	uint32_t peer_asn;
	uint16_t hold_time;	       /* ours, s (0: none) */
	uint16_t connect_retry;	       /* s */
	uint16_t error_wait_min;       /* s: the first back-off, doubled at each error */
	uint16_t error_wait_max;       /* s */
	uint32_t max_prefixes_restart; /* s down after PREFIX_LIMIT */
	bool passive;		       /* never open the connection ourselves */
};

struct bgp_fsm_conn {
	enum bgp_state state;	 /* IDLE: no connection; CONNECT (OUT), OPENSENT.. */
	uint16_t hold_time;	 /* negotiated (OpenConfirm on) */
	uint16_t peer_hold_time; /* the peer's OPEN's */
	uint32_t remote_id;
	uint64_t hold_at;      /* HoldTimer (0: off) */
	uint64_t keepalive_at; /* KeepaliveTimer (0: off) */
};

struct bgp_fsm {
	struct bgp_fsm_conf conf;
	enum bgp_state state;  /* the peer's */
	bool enabled;	       /* ManualStart .. ManualStop */
	uint64_t idle_until;   /* IdleHoldTimer: no connection before (0: off) */
	uint64_t idle_hold_ms; /* the current back-off */
	uint64_t connect_at;   /* ConnectRetryTimer */
	uint64_t established_at;
	uint64_t rng; /* jitter (RFC 4271 §10) */
	struct bgp_fsm_conn conn[2];
};

/* A peer in Idle, disabled until MANUAL_START. seed: for the jitter. */
void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_conf *conf, uint64_t seed);

/* New settings, used from their next use (the caller decides which ones
 * need a new session: CONFIG_CHANGED). */
void bgp_fsm_configure(struct bgp_fsm *f, const struct bgp_fsm_conf *conf);

/* The one entry point: act is filled with what to do, in order. Returns the
 * peer's state after the event. An event about a connection that is not
 * there (closed meanwhile) does nothing. */
enum bgp_state bgp_fsm_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, uint64_t now_ms,
	struct bgp_fsm_actions *act);

/* The timer event due at now_ms (its connection in *conn), or BGP_EV_NONE.
 * Feeding it makes progress: call until BGP_EV_NONE. */
enum bgp_fsm_event bgp_fsm_timer_due(
	const struct bgp_fsm *f, uint64_t now_ms, enum bgp_conn_id *conn);

/* Is a connection Established (conn set), or none (-1)? */
int bgp_fsm_established(const struct bgp_fsm *f);
