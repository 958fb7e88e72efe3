/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the BGP FSM (control/bgp_fsm.c) through its one entry
 * point, without sockets: every state reached by its events, the actions
 * each transition asks for (connections, OPEN, KEEPALIVE, NOTIFICATION code
 * and subcode, session up and down), the timers, the back-off after errors,
 * the administrative events (RFC 4486 Cease subcodes, RFC 9003 text),
 * collision detection (RFC 4271 §6.8) and unexpected messages (RFC 6608).
 */
#include <check.h>
#include <stdarg.h>
#include <string.h>

#include "bgp_fsm.h"

#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#define OUT BGP_CONN_OUT
#define IN BGP_CONN_IN
#define T0 1000000ull /* the tests' clock starts here (ms) */

static const struct bgp_fsm_conf conf = {
	.local_asn = 45104,
	.local_id = IP(10, 0, 0, 1),
	.peer_asn = 65001,
	.hold_time = 90,
	.connect_retry = 30,
	.error_wait_min = 1,
	.error_wait_max = 120,
	.max_prefixes_restart = 60,
};

static struct bgp_fsm f;
static struct bgp_fsm_actions act;

static void
setup(void)
{
	bgp_fsm_init(&f, &conf, 42);
	memset(&act, 0, sizeof(act));
}

static enum bgp_state
ev(enum bgp_fsm_event e, enum bgp_conn_id k, uint64_t now)
{
	struct bgp_fsm_input in = {.ev = e, .conn = k};

	return bgp_fsm_event(&f, &in, now, &act);
}

static enum bgp_state
ev_text(enum bgp_fsm_event e, const char *text, uint64_t now)
{
	struct bgp_fsm_input in = {.ev = e, .text = text};

	return bgp_fsm_event(&f, &in, now, &act);
}

/* The peer's OPEN on k: BGP Identifier id, hold time hold. */
static enum bgp_state
open_msg(enum bgp_conn_id k, uint32_t id, uint16_t hold, uint64_t now)
{
	struct bgp_fsm_input in = {.ev = BGP_EV_OPEN, .conn = k, .bgp_id = id, .hold_time = hold};

	return bgp_fsm_event(&f, &in, now, &act);
}

static enum bgp_state
notif_msg(enum bgp_conn_id k, uint8_t code, uint8_t subcode, uint64_t now)
{
	struct bgp_fsm_input in = {
		.ev = BGP_EV_NOTIF_MSG, .conn = k, .code = code, .subcode = subcode};

	return bgp_fsm_event(&f, &in, now, &act);
}

/* The actions, exactly: pairs of (type, conn), ended by 0. */
static void
expect(int type, ...)
{
	va_list ap;
	unsigned i = 0;

	va_start(ap, type);
	for (; type != 0; type = va_arg(ap, int), i++) {
		int conn = va_arg(ap, int);

		ck_assert_msg(i < act.n, "action %u missing (%u actions)", i, act.n);
		ck_assert_msg((int)act.a[i].type == type && (int)act.a[i].conn == conn,
			"action %u: type %d conn %d, expected type %d conn %d", i, act.a[i].type,
			act.a[i].conn, type, conn);
	}
	va_end(ap);
	ck_assert_msg(i == act.n, "%u actions, expected %u", act.n, i);
}

static const struct bgp_fsm_action *
find(enum bgp_fsm_action_type t, enum bgp_conn_id k)
{
	for (unsigned i = 0; i < act.n; i++)
		if (act.a[i].type == t && act.a[i].conn == k)
			return &act.a[i];
	return NULL;
}

static void
assert_notify(enum bgp_conn_id k, uint8_t code, uint8_t subcode)
{
	const struct bgp_fsm_action *a = find(BGP_ACT_SEND_NOTIFICATION, k);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->code, code);
	ck_assert_uint_eq(a->subcode, subcode);
}

static const struct bgp_fsm_action *
close_of(enum bgp_conn_id k)
{
	const struct bgp_fsm_action *a = find(BGP_ACT_CLOSE, k);

	ck_assert_ptr_nonnull(a);
	return a;
}

/* Our connection up to the state s, at T0. */
static void
reach(enum bgp_state s)
{
	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0), BGP_CONNECT);
	if (s == BGP_CONNECT)
		return;
	ck_assert_int_eq(ev(BGP_EV_TCP_CONFIRMED, OUT, T0), BGP_OPENSENT);
	if (s == BGP_OPENSENT)
		return;
	ck_assert_int_eq(open_msg(OUT, IP(10, 0, 0, 2), 90, T0), BGP_OPENCONFIRM);
	if (s == BGP_OPENCONFIRM)
		return;
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, OUT, T0), BGP_ESTABLISHED);
}

/* ------------------------------------------------------------------ tests */

START_TEST(idle_to_established)
{
	const struct bgp_fsm_conn *c = &f.conn[OUT];

	ck_assert_int_eq(f.state, BGP_IDLE);
	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0), BGP_CONNECT);
	expect(BGP_ACT_CONNECT, OUT, 0);
	ck_assert(f.enabled);
	/* ConnectRetry jittered to 0.75..1 of 30 s. */
	ck_assert_uint_ge(f.connect_at, T0 + 22500);
	ck_assert_uint_le(f.connect_at, T0 + 30000);

	ck_assert_int_eq(ev(BGP_EV_TCP_CONFIRMED, OUT, T0 + 10), BGP_OPENSENT);
	expect(BGP_ACT_SEND_OPEN, OUT, 0);
	ck_assert_uint_eq(c->hold_at, T0 + 10 + BGP_FSM_OPEN_HOLD_MS);

	/* The smaller hold time wins; keepalives every third of it. */
	ck_assert_int_eq(open_msg(OUT, IP(10, 0, 0, 2), 30, T0 + 20), BGP_OPENCONFIRM);
	expect(BGP_ACT_SEND_KEEPALIVE, OUT, 0);
	ck_assert_uint_eq(c->hold_time, 30);
	ck_assert_uint_eq(c->peer_hold_time, 30);
	ck_assert_uint_eq(c->remote_id, IP(10, 0, 0, 2));
	ck_assert_uint_eq(c->hold_at, T0 + 20 + 30000);
	ck_assert_uint_ge(c->keepalive_at, T0 + 20 + 7500);
	ck_assert_uint_le(c->keepalive_at, T0 + 20 + 10000);

	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, OUT, T0 + 30), BGP_ESTABLISHED);
	expect(BGP_ACT_SESSION_UP, OUT, 0);
	ck_assert_uint_eq(f.established_at, T0 + 30);
	ck_assert_uint_eq(c->hold_at, T0 + 30 + 30000);
	ck_assert_int_eq(bgp_fsm_established(&f), OUT);

	/* UPDATE and KEEPALIVE restart the hold timer, nothing else. */
	ck_assert_int_eq(ev(BGP_EV_UPDATE_MSG, OUT, T0 + 5000), BGP_ESTABLISHED);
	expect(0);
	ck_assert_uint_eq(c->hold_at, T0 + 5000 + 30000);
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, OUT, T0 + 6000), BGP_ESTABLISHED);
	expect(0);
	ck_assert_uint_eq(c->hold_at, T0 + 6000 + 30000);
	ck_assert_int_eq(ev(BGP_EV_ROUTE_REFRESH_MSG, OUT, T0 + 7000), BGP_ESTABLISHED);
	expect(0);
}
END_TEST

START_TEST(passive_waits_for_the_peer)
{
	struct bgp_fsm_conf c = conf;

	c.passive = true;
	bgp_fsm_init(&f, &c, 1);
	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0), BGP_ACTIVE);
	expect(0);
	ck_assert_int_eq(
		bgp_fsm_timer_due(&f, T0 + 3600000, &(enum bgp_conn_id){OUT}), BGP_EV_NONE);
	ck_assert_int_eq(ev(BGP_EV_TCP_VALID, IN, T0 + 5), BGP_OPENSENT);
	expect(BGP_ACT_ACCEPT, IN, BGP_ACT_SEND_OPEN, IN, 0);
	ck_assert_int_eq(open_msg(IN, IP(10, 0, 0, 2), 90, T0 + 6), BGP_OPENCONFIRM);
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, IN, T0 + 7), BGP_ESTABLISHED);
	expect(BGP_ACT_SESSION_UP, IN, 0);
}
END_TEST

/* Hold timer expiry in OpenSent, OpenConfirm and Established: NOTIFICATION
 * Hold Timer Expired, the connection closed as an error, Idle. */
START_TEST(hold_timer_expires)
{
	static const enum bgp_state states[] = {BGP_OPENSENT, BGP_OPENCONFIRM, BGP_ESTABLISHED};
	enum bgp_state s = states[_i];
	enum bgp_conn_id k;
	uint64_t due;

	reach(s);
	due = f.conn[OUT].hold_at;
	ck_assert_uint_eq(due, T0 + (s == BGP_OPENSENT ? BGP_FSM_OPEN_HOLD_MS : 90000));
	ck_assert_int_ne(bgp_fsm_timer_due(&f, due - 1, &k), BGP_EV_HOLD_EXPIRES);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, due, &k), BGP_EV_HOLD_EXPIRES);
	ck_assert_int_eq(k, OUT);
	ck_assert_int_eq(ev(BGP_EV_HOLD_EXPIRES, OUT, due), BGP_IDLE);
	if (s == BGP_ESTABLISHED)
		expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE,
			OUT, 0);
	else
		expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_HOLD_TIMER, 0);
	ck_assert(close_of(OUT)->error);
	ck_assert_int_eq(close_of(OUT)->state, s);
	ck_assert_uint_eq(f.idle_until, due + 1000);
	ck_assert_int_eq(f.conn[OUT].state, BGP_IDLE);
}
END_TEST

START_TEST(keepalive_timer)
{
	uint64_t t;
	enum bgp_conn_id k;

	reach(BGP_ESTABLISHED);
	t = f.conn[OUT].keepalive_at;
	ck_assert_uint_ge(t, T0 + 22500);
	ck_assert_uint_le(t, T0 + 30000);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, t, &k), BGP_EV_KEEPALIVE_EXPIRES);
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_EXPIRES, k, t), BGP_ESTABLISHED);
	expect(BGP_ACT_SEND_KEEPALIVE, OUT, 0);
	ck_assert_uint_gt(f.conn[OUT].keepalive_at, t);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, t, &k), BGP_EV_NONE);
}
END_TEST

/* Hold time 0 (a peer allowed it): no hold timer, no keepalives. */
START_TEST(hold_time_zero)
{
	enum bgp_conn_id k;

	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0), BGP_CONNECT);
	ev(BGP_EV_TCP_CONFIRMED, OUT, T0);
	ck_assert_int_eq(open_msg(OUT, IP(10, 0, 0, 2), 0, T0), BGP_OPENCONFIRM);
	expect(BGP_ACT_SEND_KEEPALIVE, OUT, 0);
	ev(BGP_EV_KEEPALIVE_MSG, OUT, T0);
	ck_assert_uint_eq(f.conn[OUT].hold_at, 0);
	ck_assert_uint_eq(f.conn[OUT].keepalive_at, 0);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, T0 + 86400000ull, &k), BGP_EV_NONE);
}
END_TEST

START_TEST(manual_stop)
{
	const struct bgp_fsm_action *a;
	enum bgp_conn_id k;

	reach(BGP_ESTABLISHED);
	ck_assert_int_eq(ev_text(BGP_EV_MANUAL_STOP, "maintenance", T0 + 100), BGP_IDLE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	ck_assert_str_eq(find(BGP_ACT_SEND_NOTIFICATION, OUT)->text, "maintenance");
	ck_assert(!close_of(OUT)->error);
	ck_assert(!f.enabled);
	/* No restart, ever; the peer's connections are refused, with the text. */
	ck_assert_int_eq(bgp_fsm_timer_due(&f, T0 + 86400000ull, &k), BGP_EV_NONE);
	ck_assert_int_eq(ev_text(BGP_EV_TCP_VALID, "maintenance", T0 + 200), BGP_IDLE);
	expect(BGP_ACT_REFUSE, IN, 0);
	a = find(BGP_ACT_REFUSE, IN);
	ck_assert_uint_eq(a->code, BGP_ERR_CEASE);
	ck_assert_uint_eq(a->subcode, BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	ck_assert_str_eq(a->text, "maintenance");
	/* Stopped again: nothing. Started: a connection at once. */
	ck_assert_int_eq(ev(BGP_EV_MANUAL_STOP, OUT, T0 + 300), BGP_IDLE);
	expect(0);
	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0 + 400), BGP_CONNECT);
	expect(BGP_ACT_CONNECT, OUT, 0);
	/* Started again: ignored. */
	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0 + 500), BGP_CONNECT);
	expect(0);
}
END_TEST

/* A connection still in its TCP handshake has no BGP: closed, no Cease. */
START_TEST(stop_in_connect)
{
	reach(BGP_CONNECT);
	ck_assert_int_eq(ev(BGP_EV_MANUAL_STOP, OUT, T0 + 1), BGP_IDLE);
	expect(BGP_ACT_CLOSE, OUT, 0);
	ck_assert_int_eq(close_of(OUT)->state, BGP_CONNECT);
}
END_TEST

START_TEST(peer_deconfigured)
{
	reach(BGP_ESTABLISHED);
	/* Both connections: the established one and a newcomer (refused). */
	ck_assert_int_eq(ev_text(BGP_EV_PEER_DECONFIGURED, "ignored", T0 + 1), BGP_IDLE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_PEER_DECONFIGURED);
	/* RFC 9003's text goes with subcodes 2 and 4 only. */
	ck_assert_ptr_null(find(BGP_ACT_SEND_NOTIFICATION, OUT)->text);
	ck_assert(!f.enabled);
}
END_TEST

START_TEST(admin_reset)
{
	enum bgp_conn_id k;

	reach(BGP_ESTABLISHED);
	ck_assert_int_eq(ev_text(BGP_EV_ADMIN_RESET, "new key", T0 + 100), BGP_ACTIVE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET);
	ck_assert_str_eq(find(BGP_ACT_SEND_NOTIFICATION, OUT)->text, "new key");
	ck_assert(!close_of(OUT)->error);
	ck_assert(f.enabled);
	/* It connects again once the peer has had error_wait_min to handle our
	 * NOTIFICATION; its own connection is taken meanwhile. */
	ck_assert_int_eq(bgp_fsm_timer_due(&f, T0 + 1099, &k), BGP_EV_NONE);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, T0 + 1100, &k), BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_int_eq(ev(BGP_EV_CONNECT_RETRY_EXPIRES, OUT, T0 + 1100), BGP_CONNECT);
	expect(BGP_ACT_CONNECT, OUT, 0);
	ck_assert_int_eq(ev(BGP_EV_TCP_VALID, IN, T0 + 1200), BGP_OPENSENT);
	expect(BGP_ACT_ACCEPT, IN, BGP_ACT_SEND_OPEN, IN, 0);
}
END_TEST

START_TEST(admin_reset_disabled)
{
	ck_assert_int_eq(ev(BGP_EV_ADMIN_RESET, OUT, T0), BGP_IDLE);
	expect(0);
	ck_assert(!f.enabled);
}
END_TEST

START_TEST(config_changed)
{
	reach(BGP_OPENCONFIRM);
	ck_assert_int_eq(ev(BGP_EV_CONFIG_CHANGED, OUT, T0 + 1), BGP_ACTIVE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_CONFIG_CHANGE);
	ck_assert(!close_of(OUT)->error);
	ck_assert_uint_eq(f.connect_at, T0 + 1 + 1000);
}
END_TEST

/* Errors in a row wait longer: error_wait_min doubled up to error_wait_max;
 * a session up for a minute starts the back-off over. (Each error comes
 * after the ConnectRetry timer's expiry: a next attempt waits for both.) */
START_TEST(error_back_off)
{
	static const uint64_t waits[] = {1, 2, 4, 8, 16, 32, 64, 120, 120};
	uint64_t now = T0;
	enum bgp_conn_id k;

	reach(BGP_OPENSENT);
	for (unsigned i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		now = f.connect_at;
		ck_assert_int_eq(ev(BGP_EV_TCP_FAILS, OUT, now), BGP_IDLE);
		expect(BGP_ACT_CLOSE, OUT, 0);
		ck_assert(close_of(OUT)->error);
		ck_assert_uint_eq(f.idle_until, now + waits[i] * 1000);
		/* Meanwhile the peer's connections are refused. */
		ev(BGP_EV_TCP_VALID, IN, now + 1);
		expect(BGP_ACT_REFUSE, IN, 0);
		ck_assert_uint_eq(
			find(BGP_ACT_REFUSE, IN)->subcode, BGP_ERR_CEASE_CONNECTION_REJECTED);
		ck_assert_int_eq(bgp_fsm_timer_due(&f, f.idle_until - 1, &k), BGP_EV_NONE);
		now = f.idle_until;
		ck_assert_int_eq(bgp_fsm_timer_due(&f, now, &k), BGP_EV_IDLE_HOLD_EXPIRES);
		ck_assert_int_eq(ev(BGP_EV_IDLE_HOLD_EXPIRES, OUT, now), BGP_CONNECT);
		expect(BGP_ACT_CONNECT, OUT, 0);
		ck_assert_int_eq(ev(BGP_EV_TCP_CONFIRMED, OUT, now), BGP_OPENSENT);
	}
	/* The ConnectRetry timer runs on its own: an error soon after an
	 * attempt waits for it. */
	ck_assert_int_eq(ev(BGP_EV_TCP_FAILS, OUT, now + 10), BGP_IDLE);
	ck_assert_uint_eq(f.idle_until, now + 10 + 120000);
	ck_assert_uint_eq(f.connect_at, f.idle_until);
	now = f.idle_until;
	ev(BGP_EV_IDLE_HOLD_EXPIRES, OUT, now);
	expect(BGP_ACT_CONNECT, OUT, 0);
	ev(BGP_EV_TCP_CONFIRMED, OUT, now);
	/* Up for a minute, then down: back to error_wait_min. */
	open_msg(OUT, IP(10, 0, 0, 2), 90, now);
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, OUT, now), BGP_ESTABLISHED);
	now += BGP_FSM_STABLE_MS;
	ck_assert_int_eq(notif_msg(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET, now), BGP_IDLE);
	expect(BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	ck_assert_uint_eq(f.idle_until, now + 1000);
}
END_TEST

/* A connection that fails in its handshake is no session error: Active,
 * the next attempt on the ConnectRetry timer, which also gives up an
 * attempt that gets no answer. */
START_TEST(connect_retry)
{
	enum bgp_conn_id k;
	uint64_t next;

	reach(BGP_CONNECT);
	next = f.connect_at;
	ck_assert_int_eq(ev(BGP_EV_TCP_FAILS, OUT, T0 + 5), BGP_ACTIVE);
	expect(BGP_ACT_CLOSE, OUT, 0);
	ck_assert(!close_of(OUT)->error);
	ck_assert_uint_eq(f.idle_until, 0);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, next - 1, &k), BGP_EV_NONE);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, next, &k), BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_int_eq(ev(BGP_EV_CONNECT_RETRY_EXPIRES, OUT, next), BGP_CONNECT);
	expect(BGP_ACT_CONNECT, OUT, 0);
	/* No answer before the next expiry: given up and tried again. */
	next = f.connect_at;
	ck_assert_int_eq(bgp_fsm_timer_due(&f, next, &k), BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_int_eq(ev(BGP_EV_CONNECT_RETRY_EXPIRES, OUT, next), BGP_CONNECT);
	expect(BGP_ACT_CLOSE, OUT, BGP_ACT_CONNECT, OUT, 0);
	ck_assert(!close_of(OUT)->error);
	ck_assert_uint_gt(f.connect_at, next);
}
END_TEST

/* Timers over an hour of a peer that never answers: each call of the
 * timer loop ends, and attempts are ConnectRetry apart. */
START_TEST(timer_loop_ends)
{
	uint64_t last = 0;
	unsigned attempts = 0;

	ev(BGP_EV_MANUAL_START, OUT, T0);
	for (uint64_t now = T0; now < T0 + 3600000; now += 50) {
		enum bgp_conn_id k;
		enum bgp_fsm_event e;
		unsigned n = 0;

		while ((e = bgp_fsm_timer_due(&f, now, &k)) != BGP_EV_NONE) {
			ck_assert_uint_lt(++n, 4);
			ev(e, k, now);
			if (find(BGP_ACT_CONNECT, OUT) != NULL) {
				ck_assert(last == 0 || now - last >= 22500);
				last = now;
				attempts++;
			}
		}
	}
	ck_assert_uint_ge(attempts, 3600 / 30);
	ck_assert_uint_le(attempts, 3600 * 4 / 90 + 1);
}
END_TEST

/* RFC 6608: an unexpected message, by the state it came in. */
START_TEST(unexpected_messages)
{
	static const struct {
		enum bgp_state state;
		enum bgp_fsm_event ev;
		uint8_t subcode;
	} cases[] = {
		{BGP_OPENSENT, BGP_EV_KEEPALIVE_MSG, BGP_ERR_FSM_UNEXPECTED_OPENSENT},
		{BGP_OPENSENT, BGP_EV_UPDATE_MSG, BGP_ERR_FSM_UNEXPECTED_OPENSENT},
		{BGP_OPENSENT, BGP_EV_ROUTE_REFRESH_MSG, BGP_ERR_FSM_UNEXPECTED_OPENSENT},
		{BGP_OPENCONFIRM, BGP_EV_OPEN, BGP_ERR_FSM_UNEXPECTED_OPENCONFIRM},
		{BGP_OPENCONFIRM, BGP_EV_UPDATE_MSG, BGP_ERR_FSM_UNEXPECTED_OPENCONFIRM},
		{BGP_OPENCONFIRM, BGP_EV_ROUTE_REFRESH_MSG, BGP_ERR_FSM_UNEXPECTED_OPENCONFIRM},
		{BGP_ESTABLISHED, BGP_EV_OPEN, BGP_ERR_FSM_UNEXPECTED_ESTABLISHED},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup();
		reach(cases[i].state);
		ck_assert_int_eq(ev(cases[i].ev, OUT, T0 + 1), BGP_IDLE);
		assert_notify(OUT, BGP_ERR_FSM, cases[i].subcode);
		ck_assert(close_of(OUT)->error);
		ck_assert_int_eq(
			find(BGP_ACT_SESSION_DOWN, OUT) != NULL, cases[i].state == BGP_ESTABLISHED);
		ck_assert_uint_eq(f.idle_until, T0 + 1 + 1000);
	}
}
END_TEST

/* Message errors: the caller's NOTIFICATION goes out as it is. */
START_TEST(message_errors)
{
	static const enum bgp_fsm_event evs[] = {BGP_EV_HEADER_ERR, BGP_EV_OPEN_ERR,
		BGP_EV_UPDATE_ERR, BGP_EV_MSG_ERR, BGP_EV_OUT_OF_RESOURCES};
	struct bgp_notify n = {.code = BGP_ERR_UPDATE, .subcode = BGP_ERR_UPD_ATTR_LEN};

	for (unsigned i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		struct bgp_fsm_input in = {.ev = evs[i], .conn = OUT, .notify = &n, .why = "bad"};

		setup();
		reach(evs[i] == BGP_EV_OPEN_ERR ? BGP_OPENSENT : BGP_ESTABLISHED);
		ck_assert_int_eq(bgp_fsm_event(&f, &in, T0 + 1, &act), BGP_IDLE);
		ck_assert_ptr_eq(find(BGP_ACT_SEND_NOTIFICATION, OUT)->notify, &n);
		assert_notify(OUT, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LEN);
		ck_assert(close_of(OUT)->error);
		ck_assert_str_eq(close_of(OUT)->why, "bad");
	}
	/* Without one: the event's code. */
	setup();
	reach(BGP_ESTABLISHED);
	ev(BGP_EV_OUT_OF_RESOURCES, OUT, T0 + 1);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_OUT_OF_RESOURCES);
}
END_TEST

START_TEST(prefix_limit)
{
	struct bgp_notify n = {
		.code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_MAX_PREFIXES, .data_len = 7};
	struct bgp_fsm_input in = {.ev = BGP_EV_PREFIX_LIMIT, .conn = OUT, .notify = &n};
	enum bgp_conn_id k;

	reach(BGP_ESTABLISHED);
	ck_assert_int_eq(bgp_fsm_event(&f, &in, T0 + 10, &act), BGP_IDLE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	ck_assert_ptr_eq(find(BGP_ACT_SEND_NOTIFICATION, OUT)->notify, &n);
	ck_assert(close_of(OUT)->error);
	/* Down for max_prefixes_restart, then back. */
	ck_assert_uint_eq(f.idle_until, T0 + 10 + 60000);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, T0 + 10 + 59999, &k), BGP_EV_NONE);
	ck_assert_int_eq(ev(BGP_EV_IDLE_HOLD_EXPIRES, OUT, T0 + 10 + 60000), BGP_CONNECT);
}
END_TEST

START_TEST(send_hold_expires)
{
	reach(BGP_ESTABLISHED);
	ck_assert_int_eq(ev(BGP_EV_SEND_HOLD_EXPIRES, OUT, T0 + 10), BGP_IDLE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_SEND_HOLD_TIMER, 0);
	ck_assert(close_of(OUT)->error);
	ck_assert(close_of(OUT)->reset);
}
END_TEST

/* RFC 9384: BFD saw the path fail: Cease / BFD Down, the routes out, and
 * the peer through Idle with its error wait. */
START_TEST(bfd_down)
{
	enum bgp_conn_id k;

	reach(BGP_ESTABLISHED);
	ck_assert_int_eq(ev(BGP_EV_BFD_DOWN, OUT, T0 + 70000), BGP_IDLE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_SESSION_DOWN, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_BFD_DOWN);
	ck_assert(close_of(OUT)->error);
	ck_assert_ptr_eq(find(BGP_ACT_SEND_NOTIFICATION, OUT)->notify, NULL);
	/* error_wait_min (1 s), then a new session. */
	ck_assert_uint_eq(f.idle_until, T0 + 70000 + 1000);
	ck_assert_int_eq(bgp_fsm_timer_due(&f, T0 + 70999, &k), BGP_EV_NONE);
	ck_assert_int_eq(ev(BGP_EV_IDLE_HOLD_EXPIRES, OUT, T0 + 71000), BGP_CONNECT);
	/* On the way up (OpenSent) too; a connection still in its handshake
	 * is only dropped. */
	ck_assert_int_eq(ev(BGP_EV_TCP_CONFIRMED, OUT, T0 + 71001), BGP_OPENSENT);
	ck_assert_int_eq(ev(BGP_EV_TCP_VALID, IN, T0 + 71002), BGP_OPENSENT);
	ck_assert_int_eq(ev(BGP_EV_BFD_DOWN, OUT, T0 + 71003), BGP_IDLE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_CLOSE, OUT, BGP_ACT_SEND_NOTIFICATION, IN,
		BGP_ACT_CLOSE, IN, 0);
	assert_notify(IN, BGP_ERR_CEASE, BGP_ERR_CEASE_BFD_DOWN);
	setup();
	reach(BGP_CONNECT);
	ck_assert_int_eq(ev(BGP_EV_BFD_DOWN, OUT, T0 + 1), BGP_ACTIVE);
	expect(BGP_ACT_CLOSE, OUT, 0);
	ck_assert(!close_of(OUT)->error);
	/* Nothing to end: nothing. */
	ck_assert_int_eq(ev(BGP_EV_BFD_DOWN, OUT, T0 + 2), BGP_ACTIVE);
	expect(0);
}
END_TEST

/* RFC 4271 §6.8 with both connections past OPEN: the higher BGP Identifier
 * keeps the connection it opened. */
START_TEST(collision_higher_remote_id)
{
	reach(BGP_OPENSENT);
	ck_assert_int_eq(ev(BGP_EV_TCP_VALID, IN, T0 + 1), BGP_OPENSENT);
	expect(BGP_ACT_ACCEPT, IN, BGP_ACT_SEND_OPEN, IN, 0);
	/* The peer's id is higher than ours: its connection (IN) stays. */
	ck_assert_int_eq(open_msg(IN, IP(10, 0, 0, 2), 90, T0 + 2), BGP_OPENCONFIRM);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_CLOSE, OUT, BGP_ACT_SEND_KEEPALIVE, IN, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
	ck_assert(!close_of(OUT)->error);
	ck_assert_uint_eq(f.idle_until, 0);
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, IN, T0 + 3), BGP_ESTABLISHED);
	expect(BGP_ACT_SESSION_UP, IN, 0);
	/* A session is up: a newcomer loses at once. */
	ev(BGP_EV_TCP_VALID, IN, T0 + 4);
	expect(BGP_ACT_REFUSE, IN, 0);
	ck_assert_uint_eq(find(BGP_ACT_REFUSE, IN)->subcode, BGP_ERR_CEASE_COLLISION);
	ck_assert_int_eq(f.state, BGP_ESTABLISHED);
}
END_TEST

START_TEST(collision_lower_remote_id)
{
	reach(BGP_OPENSENT);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	/* The peer's id is lower: the connection we opened stays, the OPEN's
	 * own connection goes. */
	ck_assert_int_eq(open_msg(IN, IP(9, 0, 0, 1), 90, T0 + 2), BGP_OPENSENT);
	expect(BGP_ACT_SEND_NOTIFICATION, IN, BGP_ACT_CLOSE, IN, 0);
	assert_notify(IN, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
	ck_assert_int_eq(f.conn[OUT].state, BGP_OPENSENT);
	ck_assert_int_eq(f.conn[IN].state, BGP_IDLE);
}
END_TEST

/* Equal ids (eBGP may): the larger AS keeps its own connection. */
START_TEST(collision_equal_ids)
{
	reach(BGP_OPENSENT);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	ck_assert_int_eq(open_msg(IN, conf.local_id, 90, T0 + 2), BGP_OPENCONFIRM);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION); /* 45104 < 65001 */
	ck_assert_int_eq(f.conn[IN].state, BGP_OPENCONFIRM);
}
END_TEST

/* Established while the other connection is in its TCP handshake (dropped
 * quietly) or in OpenSent (Cease / Connection Collision Resolution). */
START_TEST(collision_on_established)
{
	ck_assert_int_eq(ev(BGP_EV_MANUAL_START, OUT, T0), BGP_CONNECT);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	/* OUT is only connecting: no collision yet. */
	ck_assert_int_eq(open_msg(IN, IP(10, 0, 0, 2), 90, T0 + 2), BGP_OPENCONFIRM);
	expect(BGP_ACT_SEND_KEEPALIVE, IN, 0);
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, IN, T0 + 3), BGP_ESTABLISHED);
	expect(BGP_ACT_CLOSE, OUT, BGP_ACT_SESSION_UP, IN, 0);
	ck_assert(!close_of(OUT)->error);
	ck_assert_ptr_null(find(BGP_ACT_SEND_NOTIFICATION, OUT));
	/* No new attempt of ours while a session is up. */
	ck_assert_int_eq(ev(BGP_EV_CONNECT_RETRY_EXPIRES, OUT, f.connect_at), BGP_ESTABLISHED);
	expect(0);

	setup();
	ev(BGP_EV_MANUAL_START, OUT, T0);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	open_msg(IN, IP(10, 0, 0, 2), 90, T0 + 2);
	/* OUT's handshake ends after IN's OPEN: it sends its OPEN... */
	ck_assert_int_eq(ev(BGP_EV_TCP_CONFIRMED, OUT, T0 + 3), BGP_OPENCONFIRM);
	expect(BGP_ACT_SEND_OPEN, OUT, 0);
	/* ...and loses when IN goes Established. */
	ck_assert_int_eq(ev(BGP_EV_KEEPALIVE_MSG, IN, T0 + 4), BGP_ESTABLISHED);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_CLOSE, OUT, BGP_ACT_SESSION_UP, IN, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
	ck_assert(!close_of(OUT)->error);
	/* OPEN on the other one once IN is Established: dumped. */
	setup();
	reach(BGP_ESTABLISHED);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	expect(BGP_ACT_REFUSE, IN, 0);
}
END_TEST

/* An incoming connection replaces an earlier incoming one (no error). */
START_TEST(incoming_replaced)
{
	ev(BGP_EV_MANUAL_START, OUT, T0);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	ck_assert_int_eq(ev(BGP_EV_TCP_VALID, IN, T0 + 2), BGP_OPENSENT);
	expect(BGP_ACT_CLOSE, IN, BGP_ACT_ACCEPT, IN, BGP_ACT_SEND_OPEN, IN, 0);
	ck_assert(!close_of(IN)->error);
}
END_TEST

/* The peer's NOTIFICATION: an error, but Cease / Connection Collision
 * Resolution on one connection while the other lives. */
START_TEST(notification_received)
{
	reach(BGP_OPENSENT);
	ev(BGP_EV_TCP_VALID, IN, T0 + 1);
	ck_assert_int_eq(
		notif_msg(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, T0 + 2), BGP_OPENSENT);
	expect(BGP_ACT_CLOSE, OUT, 0);
	ck_assert(!close_of(OUT)->error);
	ck_assert_uint_eq(f.idle_until, 0);
	/* Alone: an error like any other. */
	ck_assert_int_eq(notif_msg(IN, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, T0 + 3), BGP_IDLE);
	ck_assert(close_of(IN)->error);
	ck_assert_uint_eq(f.idle_until, T0 + 3 + 1000);
	/* Never a NOTIFICATION in answer to one. */
	ck_assert_ptr_null(find(BGP_ACT_SEND_NOTIFICATION, IN));
}
END_TEST

/* Events about a connection that is gone do nothing. */
START_TEST(stale_events)
{
	static const enum bgp_fsm_event evs[] = {BGP_EV_TCP_CONFIRMED, BGP_EV_TCP_FAILS,
		BGP_EV_OPEN, BGP_EV_KEEPALIVE_MSG, BGP_EV_UPDATE_MSG, BGP_EV_NOTIF_MSG,
		BGP_EV_HOLD_EXPIRES, BGP_EV_KEEPALIVE_EXPIRES, BGP_EV_SEND_HOLD_EXPIRES,
		BGP_EV_UPDATE_ERR, BGP_EV_OPEN_COLLISION_DUMP, BGP_EV_PREFIX_LIMIT};

	ev(BGP_EV_MANUAL_START, OUT, T0);
	for (unsigned i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		ck_assert_int_eq(ev(evs[i], IN, T0 + 1), BGP_CONNECT);
		expect(0);
	}
	/* Nor do unknown events. */
	ck_assert_int_eq(ev(BGP_EV_COUNT, OUT, T0 + 1), BGP_CONNECT);
	expect(0);
	ck_assert_int_eq(ev(BGP_EV_NONE, OUT, T0 + 1), BGP_CONNECT);
	expect(0);
}
END_TEST

START_TEST(open_collision_dump)
{
	reach(BGP_OPENCONFIRM);
	ck_assert_int_eq(ev(BGP_EV_OPEN_COLLISION_DUMP, OUT, T0 + 1), BGP_ACTIVE);
	expect(BGP_ACT_SEND_NOTIFICATION, OUT, BGP_ACT_CLOSE, OUT, 0);
	assert_notify(OUT, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
	ck_assert(!close_of(OUT)->error);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(bgp_state_name(BGP_OPENCONFIRM), "OpenConfirm");
	ck_assert_str_eq(bgp_state_name((enum bgp_state)42), "?");
	ck_assert_str_eq(bgp_fsm_event_name(BGP_EV_MANUAL_START), "ManualStart");
	for (int e = 0; e < BGP_EV_COUNT; e++)
		ck_assert_str_ne(bgp_fsm_event_name((enum bgp_fsm_event)e), "?");
	ck_assert_str_eq(bgp_fsm_event_name(BGP_EV_COUNT), "?");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bgp_fsm");
	TCase *tc = tcase_create("fsm");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, idle_to_established);
	tcase_add_test(tc, passive_waits_for_the_peer);
	tcase_add_loop_test(tc, hold_timer_expires, 0, 3);
	tcase_add_test(tc, keepalive_timer);
	tcase_add_test(tc, hold_time_zero);
	tcase_add_test(tc, manual_stop);
	tcase_add_test(tc, stop_in_connect);
	tcase_add_test(tc, peer_deconfigured);
	tcase_add_test(tc, admin_reset);
	tcase_add_test(tc, admin_reset_disabled);
	tcase_add_test(tc, config_changed);
	tcase_add_test(tc, error_back_off);
	tcase_add_test(tc, connect_retry);
	tcase_add_test(tc, timer_loop_ends);
	tcase_add_test(tc, unexpected_messages);
	tcase_add_test(tc, message_errors);
	tcase_add_test(tc, prefix_limit);
	tcase_add_test(tc, send_hold_expires);
	tcase_add_test(tc, bfd_down);
	tcase_add_test(tc, collision_higher_remote_id);
	tcase_add_test(tc, collision_lower_remote_id);
	tcase_add_test(tc, collision_equal_ids);
	tcase_add_test(tc, collision_on_established);
	tcase_add_test(tc, incoming_replaced);
	tcase_add_test(tc, notification_received);
	tcase_add_test(tc, stale_events);
	tcase_add_test(tc, open_collision_dump);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
