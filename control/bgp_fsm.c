/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP FSM's transitions (see bgp_fsm.h): per event, what changes in the
 * peer's and its connections' states and timers, and the actions the caller
 * carries out. No I/O here.
 */
#include <string.h>

#include "bgp_fsm.h"

static const char *const state_names[] = {
	[BGP_IDLE] = "Idle",
	[BGP_CONNECT] = "Connect",
	[BGP_ACTIVE] = "Active",
	[BGP_OPENSENT] = "OpenSent",
	[BGP_OPENCONFIRM] = "OpenConfirm",
	[BGP_ESTABLISHED] = "Established",
};

const char *
bgp_state_name(enum bgp_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static const char *const event_names[BGP_EV_COUNT] = {
	[BGP_EV_NONE] = "none",
	[BGP_EV_MANUAL_START] = "ManualStart",
	[BGP_EV_MANUAL_STOP] = "ManualStop",
	[BGP_EV_AUTOMATIC_START] = "AutomaticStart",
	[BGP_EV_PEER_DECONFIGURED] = "peer de-configured",
	[BGP_EV_ADMIN_RESET] = "administrative reset",
	[BGP_EV_CONFIG_CHANGED] = "configuration changed",
	[BGP_EV_CONNECT_RETRY_EXPIRES] = "ConnectRetryTimer_Expires",
	[BGP_EV_HOLD_EXPIRES] = "hold timer expired",
	[BGP_EV_KEEPALIVE_EXPIRES] = "KeepaliveTimer_Expires",
	[BGP_EV_IDLE_HOLD_EXPIRES] = "IdleHoldTimer_Expires",
	[BGP_EV_SEND_HOLD_EXPIRES] = "send hold timer expired",
	[BGP_EV_TCP_VALID] = "TcpConnection_Valid",
	[BGP_EV_TCP_CONFIRMED] = "TcpConnectionConfirmed",
	[BGP_EV_TCP_FAILS] = "TcpConnectionFails",
	[BGP_EV_OPEN] = "BGPOpen",
	[BGP_EV_HEADER_ERR] = "bad message header",
	[BGP_EV_OPEN_ERR] = "bad OPEN",
	[BGP_EV_NOTIF_MSG] = "NOTIFICATION received",
	[BGP_EV_KEEPALIVE_MSG] = "KeepAliveMsg",
	[BGP_EV_UPDATE_MSG] = "UpdateMsg",
	[BGP_EV_UPDATE_ERR] = "malformed UPDATE",
	[BGP_EV_ROUTE_REFRESH_MSG] = "ROUTE-REFRESH",
	[BGP_EV_MSG_ERR] = "malformed message",
	[BGP_EV_OPEN_COLLISION_DUMP] = "connection collision",
	[BGP_EV_PREFIX_LIMIT] = "maximum number of prefixes reached",
	[BGP_EV_OUT_OF_RESOURCES] = "out of resources",
	[BGP_EV_BFD_DOWN] = "BFD down",
};

const char *
bgp_fsm_event_name(enum bgp_fsm_event ev)
{
	return (unsigned)ev < BGP_EV_COUNT && event_names[ev] ? event_names[ev] : "?";
}

/* ---------------------------------------------------------------- helpers */

/* xorshift64*: the jitter needs no more. */
static uint64_t
rnd(struct bgp_fsm *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

/* RFC 4271 §10: ConnectRetry and Keepalive are jittered to 0.75..1 of their
 * value, so that speakers started together do not act in step. */
static uint64_t
jittered_ms(struct bgp_fsm *f, uint64_t ms)
{
	return ms * (750 + rnd(f) % 251) / 1000;
}

static struct bgp_fsm_action *
push(struct bgp_fsm_actions *act, enum bgp_fsm_action_type type, enum bgp_conn_id k,
	enum bgp_state st)
{
	/* BGP_FSM_MAX_ACTIONS is above what any one event asks: overflowing
	 * it is a bug, and the last slot is reused rather than overrun. */
	struct bgp_fsm_action *a =
		&act->a[act->n < BGP_FSM_MAX_ACTIONS ? act->n++ : BGP_FSM_MAX_ACTIONS - 1];

	memset(a, 0, sizeof(*a));
	a->type = type;
	a->conn = k;
	a->state = st;
	return a;
}

static enum bgp_conn_id
other_of(enum bgp_conn_id k)
{
	return k == BGP_CONN_OUT ? BGP_CONN_IN : BGP_CONN_OUT;
}

static void
update_state(struct bgp_fsm *f)
{
	enum bgp_state s = BGP_IDLE;

	for (int k = 0; k < 2; k++)
		if (f->conn[k].state > s)
			s = f->conn[k].state;
	if (s == BGP_IDLE && f->enabled && f->idle_until == 0)
		s = BGP_ACTIVE;
	f->state = s;
}

/* An error: the peer waits before its next session, longer for each error
 * in a row, up to error_wait_max. */
static void
back_off(struct bgp_fsm *f, uint64_t now)
{
	uint64_t max = f->conf.error_wait_max * 1000ull;

	f->idle_hold_ms = f->idle_hold_ms ? f->idle_hold_ms * 2 : f->conf.error_wait_min * 1000ull;
	if (f->idle_hold_ms > max)
		f->idle_hold_ms = max;
	if (f->idle_until < now + f->idle_hold_ms)
		f->idle_until = now + f->idle_hold_ms;
	if (f->connect_at < f->idle_until)
		f->connect_at = f->idle_until;
}

static void
notify(struct bgp_fsm_actions *act, struct bgp_fsm *f, enum bgp_conn_id k, uint8_t code,
	uint8_t subcode, const struct bgp_notify *n, const char *text)
{
	struct bgp_fsm_action *a;

	/* A connection still in its TCP handshake has no BGP to tell. */
	if (f->conn[k].state < BGP_OPENSENT)
		return;
	a = push(act, BGP_ACT_SEND_NOTIFICATION, k, f->conn[k].state);
	a->code = n ? n->code : code;
	a->subcode = n ? n->subcode : subcode;
	a->notify = n;
	a->text = text;
}

/* The connection closes: its session ends (routes out) if it was the
 * established one; error: the peer backs off. */
static void
conn_down(struct bgp_fsm *f, enum bgp_conn_id k, bool error, bool reset, const char *why,
	uint64_t now, struct bgp_fsm_actions *act)
{
	struct bgp_fsm_conn *c = &f->conn[k];
	struct bgp_fsm_action *a;

	if (c->state == BGP_IDLE)
		return;
	if (c->state == BGP_ESTABLISHED) {
		push(act, BGP_ACT_SESSION_DOWN, k, c->state)->why = why;
		if (now - f->established_at >= BGP_FSM_STABLE_MS)
			f->idle_hold_ms = 0;
	}
	a = push(act, BGP_ACT_CLOSE, k, c->state);
	a->error = error;
	a->reset = reset;
	a->why = why;
	memset(c, 0, sizeof(*c));
	if (error)
		back_off(f, now);
}

/* NOTIFICATION code/subcode (or n), then close as an error. */
static void
fail(struct bgp_fsm *f, enum bgp_conn_id k, uint8_t code, uint8_t subcode,
	const struct bgp_notify *n, const char *why, uint64_t now, struct bgp_fsm_actions *act)
{
	notify(act, f, k, code, subcode, n, NULL);
	conn_down(f, k, true, false, why, now, act);
}

/* RFC 6608: an unexpected message, by the state it came in. */
static void
unexpected(struct bgp_fsm *f, enum bgp_conn_id k, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	static const uint8_t sub[] = {
		[BGP_OPENSENT] = BGP_ERR_FSM_UNEXPECTED_OPENSENT,
		[BGP_OPENCONFIRM] = BGP_ERR_FSM_UNEXPECTED_OPENCONFIRM,
		[BGP_ESTABLISHED] = BGP_ERR_FSM_UNEXPECTED_ESTABLISHED,
	};
	enum bgp_state s = f->conn[k].state;

	fail(f, k, BGP_ERR_FSM, s < BGP_OPENSENT ? BGP_ERR_FSM_UNSPECIFIC : sub[s], NULL, why, now,
		act);
}

/* RFC 4486 §4: Cease / Connection Collision Resolution, no error. */
static void
dump(struct bgp_fsm *f, enum bgp_conn_id k, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	notify(act, f, k, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, NULL, NULL);
	conn_down(f, k, false, false, why, now, act);
}

/* Cease / subcode (with text) on each connection, then close them: no error. */
static void
cease_all(struct bgp_fsm *f, uint8_t subcode, const char *text, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	for (int k = 0; k < 2; k++) {
		notify(act, f, (enum bgp_conn_id)k, BGP_ERR_CEASE, subcode, NULL, text);
		conn_down(f, (enum bgp_conn_id)k, false, false, why, now, act);
	}
}

static bool
can_connect(const struct bgp_fsm *f, uint64_t now)
{
	return f->enabled && !f->conf.passive && f->conn[BGP_CONN_OUT].state == BGP_IDLE &&
	       f->conn[BGP_CONN_IN].state < BGP_OPENSENT && now >= f->idle_until;
}

static void
try_connect(struct bgp_fsm *f, uint64_t now, struct bgp_fsm_actions *act)
{
	if (!can_connect(f, now) || now < f->connect_at)
		return;
	f->conn[BGP_CONN_OUT].state = BGP_CONNECT;
	f->connect_at = now + jittered_ms(f, f->conf.connect_retry * 1000ull);
	push(act, BGP_ACT_CONNECT, BGP_CONN_OUT, BGP_IDLE);
}

/* A new session: at once, or after delay_ms (the peer handles the
 * NOTIFICATION that ended the last one first); the back-off forgotten. */
static void
start(struct bgp_fsm *f, uint64_t delay_ms, uint64_t now, struct bgp_fsm_actions *act)
{
	f->idle_until = 0;
	f->idle_hold_ms = 0;
	f->connect_at = now + delay_ms;
	try_connect(f, now, act);
}

static void
restart_hold(struct bgp_fsm_conn *c, uint64_t now)
{
	if (c->state >= BGP_OPENCONFIRM && c->hold_time)
		c->hold_at = now + c->hold_time * 1000ull;
}

static void
send_keepalive(struct bgp_fsm *f, enum bgp_conn_id k, uint64_t now, struct bgp_fsm_actions *act)
{
	struct bgp_fsm_conn *c = &f->conn[k];

	push(act, BGP_ACT_SEND_KEEPALIVE, k, c->state);
	c->keepalive_at = c->hold_time ? now + jittered_ms(f, c->hold_time * 1000ull / 3) : 0;
}

/* ------------------------------------------------------------ transitions */

static void
tcp_valid(struct bgp_fsm *f, const struct bgp_fsm_input *in, uint64_t now,
	struct bgp_fsm_actions *act)
{
	struct bgp_fsm_conn *c = &f->conn[BGP_CONN_IN];
	struct bgp_fsm_action *a = NULL;

	if (!f->enabled) {
		a = push(act, BGP_ACT_REFUSE, BGP_CONN_IN, c->state);
		a->subcode = BGP_ERR_CEASE_ADMIN_SHUTDOWN;
		a->text = in->text;
		a->why = "administratively disabled";
	} else if (bgp_fsm_established(f) >= 0) {
		/* A session is up: the newcomer loses the collision (§6.8). */
		a = push(act, BGP_ACT_REFUSE, BGP_CONN_IN, c->state);
		a->subcode = BGP_ERR_CEASE_COLLISION;
		a->why = "a session is established";
	} else if (now < f->idle_until) {
		a = push(act, BGP_ACT_REFUSE, BGP_CONN_IN, c->state);
		a->subcode = BGP_ERR_CEASE_CONNECTION_REJECTED;
		a->why = "waiting after an error";
	}
	if (a != NULL) {
		a->code = BGP_ERR_CEASE;
		return;
	}
	conn_down(f, BGP_CONN_IN, false, false, "replaced by a new incoming connection", now, act);
	push(act, BGP_ACT_ACCEPT, BGP_CONN_IN, BGP_IDLE);
	c->state = BGP_OPENSENT;
	c->hold_at = now + BGP_FSM_OPEN_HOLD_MS;
	push(act, BGP_ACT_SEND_OPEN, BGP_CONN_IN, BGP_OPENSENT);
}

/*
 * RFC 4271 §6.8: of two connections to one peer, keep the one opened by the
 * speaker with the higher BGP Identifier. k just got the peer's OPEN, so its
 * Identifier is known: the other connection is judged as soon as it is past
 * the TCP handshake (OpenSent, allowed by §6.8 when the Identifier is
 * known), so that both sides pick the same survivor before either goes
 * Established. Returns true if k survives.
 */
static bool
collision(struct bgp_fsm *f, enum bgp_conn_id k, uint64_t now, struct bgp_fsm_actions *act)
{
	struct bgp_fsm_conn *o = &f->conn[other_of(k)];
	uint32_t remote_id = f->conn[k].remote_id;
	enum bgp_conn_id loser;

	if (o->state < BGP_OPENSENT)
		return true;
	if (o->state == BGP_ESTABLISHED) {
		dump(f, k, "connection collision with an established session", now, act);
		return false;
	}
	/* Local id lower: close the connection we opened. Equal ids (allowed
	 * for eBGP): the speaker with the larger AS keeps its own (RFC 6286
	 * §2.3). */
	if (f->conf.local_id != remote_id)
		loser = f->conf.local_id < remote_id ? BGP_CONN_OUT : BGP_CONN_IN;
	else
		loser = f->conf.local_asn < f->conf.peer_asn ? BGP_CONN_OUT : BGP_CONN_IN;
	dump(f, loser, "connection collision", now, act);
	return loser != k;
}

static void
bgp_open(struct bgp_fsm *f, const struct bgp_fsm_input *in, uint64_t now,
	struct bgp_fsm_actions *act)
{
	enum bgp_conn_id k = in->conn;
	struct bgp_fsm_conn *c = &f->conn[k];

	if (c->state != BGP_OPENSENT) {
		unexpected(f, k, "OPEN in the wrong state", now, act);
		return;
	}
	c->remote_id = in->bgp_id;
	c->peer_hold_time = in->hold_time;
	/* RFC 4271 §4.2: the smaller of the two hold times. */
	c->hold_time = in->hold_time < f->conf.hold_time ? in->hold_time : f->conf.hold_time;
	c->state = BGP_OPENCONFIRM;
	if (!collision(f, k, now, act))
		return;
	c->hold_at = c->hold_time ? now + c->hold_time * 1000ull : 0;
	send_keepalive(f, k, now, act);
}

static void
keepalive_msg(struct bgp_fsm *f, enum bgp_conn_id k, uint64_t now, struct bgp_fsm_actions *act)
{
	struct bgp_fsm_conn *c = &f->conn[k];
	enum bgp_conn_id ok = other_of(k);

	if (c->state == BGP_OPENSENT) {
		unexpected(f, k, "KEEPALIVE in OpenSent", now, act);
		return;
	}
	restart_hold(c, now);
	if (c->state != BGP_OPENCONFIRM)
		return;
	/* A connection still in its TCP handshake is only dropped; one past
	 * it loses the collision (RFC 4271 §6.8). */
	if (f->conn[ok].state == BGP_CONNECT)
		conn_down(f, ok, false, false, "the other connection is established", now, act);
	else
		dump(f, ok, "connection collision: the other connection is established", now, act);
	c->state = BGP_ESTABLISHED;
	f->established_at = now;
	push(act, BGP_ACT_SESSION_UP, k, BGP_OPENCONFIRM);
}

/* UPDATE and ROUTE-REFRESH: only in Established (RFC 6608 for the rest). */
static void
established_msg(struct bgp_fsm *f, const struct bgp_fsm_input *in, uint64_t now,
	struct bgp_fsm_actions *act)
{
	struct bgp_fsm_conn *c = &f->conn[in->conn];

	if (c->state != BGP_ESTABLISHED) {
		unexpected(f, in->conn,
			in->ev == BGP_EV_UPDATE_MSG ? "UPDATE before Established"
						    : "ROUTE-REFRESH before Established",
			now, act);
		return;
	}
	restart_hold(c, now);
}

static void
notif_msg(struct bgp_fsm *f, const struct bgp_fsm_input *in, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	/* The peer resolving a collision against this connection is no error
	 * while the other one lives on. */
	bool error = !(in->code == BGP_ERR_CEASE && in->subcode == BGP_ERR_CEASE_COLLISION &&
		       f->conn[other_of(in->conn)].state != BGP_IDLE);

	conn_down(f, in->conn, error, false, why, now, act);
}

static void
timer_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	enum bgp_conn_id k = in->conn;
	struct bgp_fsm_conn *c = &f->conn[k];

	switch (in->ev) {
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		if (now < f->connect_at)
			break;
		/* An outgoing attempt still pending is given up. */
		if (f->conn[BGP_CONN_OUT].state == BGP_CONNECT)
			conn_down(f, BGP_CONN_OUT, false, false, "no answer before ConnectRetry",
				now, act);
		try_connect(f, now, act);
		break;
	case BGP_EV_IDLE_HOLD_EXPIRES:
		if (f->idle_until == 0 || now < f->idle_until)
			break;
		f->idle_until = 0;
		try_connect(f, now, act);
		break;
	case BGP_EV_HOLD_EXPIRES:
		if (c->state == BGP_CONNECT)
			conn_down(f, k, false, false, "connect timed out", now, act);
		else
			fail(f, k, BGP_ERR_HOLD_TIMER, 0, NULL, why, now, act);
		break;
	case BGP_EV_KEEPALIVE_EXPIRES:
		if (c->state >= BGP_OPENCONFIRM && c->hold_time)
			send_keepalive(f, k, now, act);
		break;
	case BGP_EV_SEND_HOLD_EXPIRES:
		/* Queued, as the draft asks, though the peer will hardly read
		 * it; then a reset, so that what waits for it is dropped at
		 * once instead of probing a zero window. */
		notify(act, f, k, BGP_ERR_SEND_HOLD_TIMER, 0, NULL, NULL);
		conn_down(f, k, true, true, why, now, act);
		break;
	default:
		break;
	}
}

static void
admin_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	uint64_t restart_ms = f->conf.error_wait_min * 1000ull;

	switch (in->ev) {
	case BGP_EV_MANUAL_START:
		if (f->enabled)
			break;
		f->enabled = true;
		start(f, 0, now, act);
		break;
	case BGP_EV_AUTOMATIC_START:
		if (f->enabled)
			start(f, 0, now, act);
		break;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_PEER_DECONFIGURED:
		cease_all(f,
			in->ev == BGP_EV_MANUAL_STOP ? BGP_ERR_CEASE_ADMIN_SHUTDOWN
						     : BGP_ERR_CEASE_PEER_DECONFIGURED,
			in->ev == BGP_EV_MANUAL_STOP ? in->text : NULL, why, now, act);
		f->enabled = false;
		f->idle_until = 0;
		f->idle_hold_ms = 0;
		f->connect_at = 0;
		break;
	case BGP_EV_ADMIN_RESET:
	case BGP_EV_CONFIG_CHANGED:
		if (!f->enabled)
			break;
		cease_all(f,
			in->ev == BGP_EV_ADMIN_RESET ? BGP_ERR_CEASE_ADMIN_RESET
						     : BGP_ERR_CEASE_CONFIG_CHANGE,
			in->ev == BGP_EV_ADMIN_RESET ? in->text : NULL, why, now, act);
		start(f, restart_ms, now, act);
		break;
	default:
		break;
	}
}

/* RFC 9384: the path is gone. A session (or one on its way) ends with
 * Cease / BFD Down, as an error: the peer goes through Idle and its error
 * wait; an attempt still in its TCP handshake is given up. */
static void
bfd_down(struct bgp_fsm *f, const char *why, uint64_t now, struct bgp_fsm_actions *act)
{
	for (int k = 0; k < 2; k++) {
		enum bgp_conn_id id = (enum bgp_conn_id)k;

		if (f->conn[k].state >= BGP_OPENSENT)
			fail(f, id, BGP_ERR_CEASE, BGP_ERR_CEASE_BFD_DOWN, NULL, why, now, act);
		else if (f->conn[k].state == BGP_CONNECT)
			conn_down(f, id, false, false, why, now, act);
	}
}

static void
conn_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, const char *why, uint64_t now,
	struct bgp_fsm_actions *act)
{
	enum bgp_conn_id k = in->conn;
	struct bgp_fsm_conn *c = &f->conn[k];

	if (in->ev == BGP_EV_TCP_VALID) {
		tcp_valid(f, in, now, act);
		return;
	}
	if (c->state == BGP_IDLE)
		return; /* closed meanwhile */
	switch (in->ev) {
	case BGP_EV_TCP_CONFIRMED:
		if (k != BGP_CONN_OUT || c->state != BGP_CONNECT)
			break;
		c->state = BGP_OPENSENT;
		c->hold_at = now + BGP_FSM_OPEN_HOLD_MS;
		push(act, BGP_ACT_SEND_OPEN, k, BGP_OPENSENT);
		break;
	case BGP_EV_TCP_FAILS:
		conn_down(f, k, c->state >= BGP_OPENSENT, false, why, now, act);
		break;
	case BGP_EV_OPEN:
		bgp_open(f, in, now, act);
		break;
	case BGP_EV_KEEPALIVE_MSG:
		keepalive_msg(f, k, now, act);
		break;
	case BGP_EV_UPDATE_MSG:
	case BGP_EV_ROUTE_REFRESH_MSG:
		established_msg(f, in, now, act);
		break;
	case BGP_EV_NOTIF_MSG:
		notif_msg(f, in, why, now, act);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_MSG_ERR:
		fail(f, k, BGP_ERR_HEADER, 0, in->notify, why, now, act);
		break;
	case BGP_EV_OPEN_ERR:
		fail(f, k, BGP_ERR_OPEN, 0, in->notify, why, now, act);
		break;
	case BGP_EV_UPDATE_ERR:
		fail(f, k, BGP_ERR_UPDATE, 0, in->notify, why, now, act);
		break;
	case BGP_EV_OUT_OF_RESOURCES:
		fail(f, k, BGP_ERR_CEASE, BGP_ERR_CEASE_OUT_OF_RESOURCES, in->notify, why, now,
			act);
		break;
	case BGP_EV_OPEN_COLLISION_DUMP:
		dump(f, k, why, now, act);
		break;
	case BGP_EV_PREFIX_LIMIT:
		fail(f, k, BGP_ERR_CEASE, BGP_ERR_CEASE_MAX_PREFIXES, in->notify, why, now, act);
		/* The hold-down before the peer may come back. */
		if (f->idle_until < now + f->conf.max_prefixes_restart * 1000ull)
			f->idle_until = now + f->conf.max_prefixes_restart * 1000ull;
		f->connect_at = f->idle_until;
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- API */

void
bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_conf *conf, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->conf = *conf;
	f->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	update_state(f);
}

void
bgp_fsm_configure(struct bgp_fsm *f, const struct bgp_fsm_conf *conf)
{
	f->conf = *conf;
}

enum bgp_state
bgp_fsm_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, uint64_t now_ms,
	struct bgp_fsm_actions *act)
{
	const char *why = in->why ? in->why : bgp_fsm_event_name(in->ev);

	act->n = 0;
	switch (in->ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_PEER_DECONFIGURED:
	case BGP_EV_ADMIN_RESET:
	case BGP_EV_CONFIG_CHANGED:
		admin_event(f, in, why, now_ms, act);
		break;
	case BGP_EV_CONNECT_RETRY_EXPIRES:
	case BGP_EV_IDLE_HOLD_EXPIRES:
		timer_event(f, in, why, now_ms, act);
		break;
	case BGP_EV_HOLD_EXPIRES:
	case BGP_EV_KEEPALIVE_EXPIRES:
	case BGP_EV_SEND_HOLD_EXPIRES:
		if ((unsigned)in->conn < 2 && f->conn[in->conn].state != BGP_IDLE)
			timer_event(f, in, why, now_ms, act);
		break;
	case BGP_EV_BFD_DOWN:
		bfd_down(f, why, now_ms, act);
		break;
	default:
		if ((unsigned)in->conn < 2 && in->ev > BGP_EV_NONE && in->ev < BGP_EV_COUNT)
			conn_event(f, in, why, now_ms, act);
		break;
	}
	update_state(f);
	return f->state;
}

enum bgp_fsm_event
bgp_fsm_timer_due(const struct bgp_fsm *f, uint64_t now, enum bgp_conn_id *conn)
{
	for (int k = 0; k < 2; k++) {
		const struct bgp_fsm_conn *c = &f->conn[k];

		*conn = (enum bgp_conn_id)k;
		if (c->state >= BGP_OPENSENT && c->hold_at && now >= c->hold_at)
			return BGP_EV_HOLD_EXPIRES;
		if (c->state >= BGP_OPENCONFIRM && c->keepalive_at && now >= c->keepalive_at)
			return BGP_EV_KEEPALIVE_EXPIRES;
	}
	*conn = BGP_CONN_OUT;
	if (f->idle_until && now >= f->idle_until)
		return BGP_EV_IDLE_HOLD_EXPIRES;
	if (now >= f->connect_at &&
		(f->conn[BGP_CONN_OUT].state == BGP_CONNECT || can_connect(f, now)))
		return BGP_EV_CONNECT_RETRY_EXPIRES;
	return BGP_EV_NONE;
}

int
bgp_fsm_established(const struct bgp_fsm *f)
{
	for (int k = 0; k < 2; k++)
		if (f->conn[k].state == BGP_ESTABLISHED)
			return k;
	return -1;
}
