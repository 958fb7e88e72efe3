/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD sessions (bfd_internal.h): their sockets, lookup, lifecycle, and the
 * one way into each one's state machine, bfd_sess_event(), which feeds the
 * FSM (bfd_fsm.c) and carries out its actions: a packet out (with its
 * authentication), a state change logged, counted and reported to the
 * control thread. Under b->lock, on whichever thread holds it.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_random.h>

#include "bfd_internal.h"

#define BFD_TOS 0xc0 /* CS6, network control, as BIRD and FRR */

/* ------------------------------------------------------------ sockets */

static struct sockaddr_in
sin_of(uint32_t addr, uint16_t port)
{
	return (struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
}

/* RFC 5881 §4-5: TTL 255 out, network control precedence. */
int
bfd_udp_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int ttl = BFD_TTL, tos = BFD_TOS;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) != 0 ||
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* A session's socket, bound to a source port of its own in 49152..65535
 * (RFC 5881 §4), the first free one from a place that depends on the peer. */
static int
open_tx(uint32_t local, uint32_t peer, uint16_t *port)
{
	unsigned span = BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1;
	unsigned start = (peer * 2654435761u) % span;
	int fd = bfd_udp_socket();

	if (fd < 0)
		return fd;
	for (unsigned i = 0; i < span; i++) {
		uint16_t p = (uint16_t)(BFD_SRC_PORT_MIN + (start + i) % span);
		struct sockaddr_in sin = sin_of(local, p);

		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			*port = p;
			return fd;
		}
		if (errno != EADDRINUSE)
			break;
	}
	close(fd);
	return -EADDRINUSE;
}

/* ------------------------------------------------------------ lookup and lifecycle */

struct bfd_sess *
bfd_sess_by_peer(struct bfd *b, uint32_t peer)
{
	/* A live session first; else one lingering. */
	struct bfd_sess *lingering = NULL;

	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++) {
		struct bfd_sess *s = &b->sess[i];

		if (!s->used || s->peer != peer)
			continue;
		if (!s->lingering)
			return s;
		lingering = s;
	}
	return lingering;
}

struct bfd_sess *
bfd_sess_by_disc(struct bfd *b, uint32_t disc)
{
	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++)
		if (b->sess[i].used && b->sess[i].fsm.local_disc == disc)
			return &b->sess[i];
	return NULL;
}

/* A non-zero discriminator no session has: random, so that a restarted
 * vbrd does not reuse the last one's (the remote would take our old
 * session's packets for this one). */
static uint32_t
new_disc(struct bfd *b)
{
	uint32_t d;

	do
		d = (uint32_t)rte_rand();
	while (d == 0 || bfd_sess_by_disc(b, d) != NULL);
	return d;
}

void
bfd_queue_remove(struct bfd *b, unsigned slot)
{
	unsigned j = 0;

	for (unsigned i = 0; i < b->q_len; i++)
		if (b->queue[i] != slot)
			b->queue[j++] = b->queue[i];
	b->q_len = j;
}

void
bfd_sess_free(struct bfd *b, struct bfd_sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	bfd_queue_remove(b, (unsigned)(s - b->sess));
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* The control thread hears of s at its next read. */
static void
report(struct bfd *b, struct bfd_sess *s)
{
	if (s->queued)
		return;
	s->queued = true;
	b->queue[b->q_len++] = (unsigned)(s - b->sess);
	bfd_kick(b->notify_fd);
}

/* ------------------------------------------------------------ events and actions */

static void
send_packet(struct bfd *b, struct bfd_sess *s, bool final, bool state_changed)
{
	struct sockaddr_in to = sin_of(s->peer, BFD_PORT);
	uint8_t buf[BFD_CTRL_MAX_LEN];
	struct bfd_ctrl p;
	int n;

	bfd_fsm_packet(&s->fsm, final, &p);
	bfd_auth_prepare(&s->conf.auth, &s->auth, state_changed, &p);
	n = bfd_ctrl_encode(&p, buf, sizeof(buf));
	if (n < 0) {
		s->tx_errors++;
		return;
	}
	bfd_auth_sign(&s->conf.auth, buf, (size_t)n);
	if (sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) != n) {
		s->tx_errors++;
		return;
	}
	s->tx++;
	(void)b;
}

/* tx ms << 32 | rx ms: what the log last said is negotiated. */
static uint64_t
intervals_of(const struct bfd_fsm *f)
{
	return (uint64_t)(bfd_fsm_tx_interval(f) / 1000) << 32 | bfd_fsm_rx_interval(f) / 1000;
}

/* While Up, each new pair of intervals (a Poll Sequence of either side
 * ended) is said once. */
void
bfd_sess_log_intervals(struct bfd_sess *s)
{
	const struct bfd_fsm *f = &s->fsm;
	uint64_t now = intervals_of(f);

	if (f->state != BFD_UP || now == s->logged_intervals)
		return;
	s->logged_intervals = now;
	BFD_LOG(INFO,
		"peer %s: now tx %" PRIu32 " ms, rx %" PRIu32 " ms, detect %" PRIu64
		" ms (%u x %" PRIu32 " ms)",
		s->addr, bfd_fsm_tx_interval(f) / 1000, bfd_fsm_rx_interval(f) / 1000,
		bfd_fsm_detect_time(f) / 1000, f->remote_detect_mult,
		bfd_fsm_rx_interval(f) / 1000);
}

static void
log_up(struct bfd_sess *s)
{
	const struct bfd_fsm *f = &s->fsm;

	s->logged_intervals = intervals_of(f);
	BFD_LOG(NOTICE,
		"peer %s: session Up (tx %" PRIu32 " ms, rx %" PRIu32 " ms, detect %" PRIu64
		" ms = %u x %" PRIu32 " ms, remote discriminator %" PRIu32 ")",
		s->addr, bfd_fsm_tx_interval(f) / 1000, bfd_fsm_rx_interval(f) / 1000,
		bfd_fsm_detect_time(f) / 1000, f->remote_detect_mult, bfd_fsm_rx_interval(f) / 1000,
		f->remote_disc);
}

/* A state change: counted, logged, and reported when it matters to BGP. */
static void
on_state(struct bfd *b, struct bfd_sess *s, const struct bfd_fsm_action *a, uint64_t now)
{
	double was = (double)(now - s->since_us) / 1e6;

	s->since_us = now;
	if (a->to == BFD_UP) {
		s->ever_up = true;
		log_up(s);
	} else if (a->from == BFD_UP && a->to == BFD_DOWN && a->remote_admin_down) {
		s->flaps++;
		BFD_LOG(NOTICE,
			"peer %s: session Down: the peer turned BFD off (AdminDown), not a "
			"failure: BGP stays up (was Up %.1f s)",
			s->addr, was);
	} else if (a->from == BFD_UP && a->to == BFD_DOWN) {
		s->flaps++;
		s->went_down = true;
		s->down_diag = a->diag;
		BFD_LOG(WARNING, "peer %s: session Down: %s (was Up %.1f s, flap %" PRIu64 ")",
			s->addr, bfd_diag_name(a->diag), was, s->flaps);
	} else {
		BFD_LOG(INFO, "peer %s: %s -> %s%s%s", s->addr, bfd_state_name(a->from),
			bfd_state_name(a->to), a->diag ? ": " : "",
			a->diag ? bfd_diag_name(a->diag) : "");
	}
	if (a->from == BFD_UP || a->to == BFD_UP)
		report(b, s);
}

/* The one way into a session's FSM: the event goes in, its actions are
 * carried out in order. */
void
bfd_sess_event(struct bfd *b, struct bfd_sess *s, const struct bfd_fsm_input *in, uint64_t now)
{
	struct bfd_fsm_actions act;
	bool changed = false;

	bfd_fsm_event(&s->fsm, in, now, &act);
	for (unsigned i = 0; i < act.n; i++) {
		const struct bfd_fsm_action *a = &act.a[i];

		if (a->type == BFD_ACT_STATE) {
			on_state(b, s, a, now);
			changed = true;
		} else {
			send_packet(b, s, a->final, changed);
			changed = false;
		}
	}
}

/* ------------------------------------------------------------ timers */

/* A session that never came Up does not hold BGP down (the peer may not
 * run BFD): say it once, so that nobody wonders. */
static void
quiet_check(struct bfd_sess *s, uint64_t now)
{
	if (s->ever_up || s->quiet_logged || s->lingering || now - s->created_us < QUIET_LOG_US)
		return;
	s->quiet_logged = true;
	BFD_LOG(NOTICE,
		"peer %s: BFD not Up after %llu s (%s, %" PRIu64 " packets received): the "
		"peer may not run BFD; its BGP session is not held down by BFD",
		s->addr, QUIET_LOG_US / 1000000, bfd_state_name(s->fsm.state), s->rx);
}

/* The session's due timers; its next deadline (0: none). */
uint64_t
bfd_sess_timers(struct bfd *b, struct bfd_sess *s, uint64_t now)
{
	for (unsigned n = 0; n < TIMER_EVENTS_MAX; n++) {
		enum bfd_fsm_event ev = bfd_fsm_timer_due(&s->fsm, now);

		if (ev == BFD_EV_NONE)
			break;
		bfd_sess_event(b, s, &(struct bfd_fsm_input){.ev = ev}, now);
	}
	/* §6.7.1: a silence of twice the detection time forgets the
	 * remote's sequence number. */
	if (s->auth.rcv_known && bfd_fsm_silent(&s->fsm, now))
		bfd_auth_forget(&s->auth);
	quiet_check(s, now);
	return bfd_fsm_next_deadline(&s->fsm);
}

/* ------------------------------------------------------------ settings and status */

static bool
timers_same(const struct bfd_fsm_conf *a, const struct bfd_fsm_conf *c)
{
	return a->desired_min_tx == c->desired_min_tx && a->required_min_rx == c->required_min_rx &&
	       a->detect_mult == c->detect_mult;
}

static bool
auth_same(const struct bfd_auth_conf *a, const struct bfd_auth_conf *c)
{
	return a->type == c->type && a->key_id == c->key_id && a->key_len == c->key_len &&
	       memcmp(a->key, c->key, a->key_len) == 0;
}

void
bfd_sess_configure(
	struct bfd *b, struct bfd_sess *s, const struct bfd_session_conf *conf, uint64_t now)
{
	if (!auth_same(&s->conf.auth, &conf->auth)) {
		if (s->conf.auth.type != conf->auth.type)
			bfd_auth_forget(&s->auth);
		s->conf.auth = conf->auth;
		BFD_LOG(INFO, "peer %s: authentication %s", s->addr,
			conf->auth.type ? "changed" : "off");
	}
	if (!timers_same(&s->conf.timers, &conf->timers)) {
		s->conf.timers = conf->timers;
		bfd_sess_event(b, s,
			&(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &conf->timers},
			now);
		BFD_LOG(INFO, "peer %s: min tx %" PRIu32 " ms, min rx %" PRIu32 " ms, x %u%s",
			s->addr, conf->timers.desired_min_tx / 1000,
			conf->timers.required_min_rx / 1000, conf->timers.detect_mult,
			s->fsm.poll ? ": Poll Sequence" : "");
	}
}

int
bfd_sess_add(struct bfd *b, uint32_t peer, const struct bfd_session_conf *conf, uint64_t now)
{
	struct bfd_sess *s = NULL;
	int fd;

	for (unsigned i = 0; i < BFD_MAX_SESSIONS && s == NULL; i++)
		if (!b->sess[i].used)
			s = &b->sess[i];
	if (s == NULL)
		return -ENOSPC;
	fd = open_tx(b->local, peer, &s->src_port);
	if (fd < 0)
		return fd;
	s->used = true;
	s->fd = fd;
	s->peer = peer;
	snprintf(s->addr, sizeof(s->addr), "%u.%u.%u.%u", peer >> 24, (peer >> 16) & 0xff,
		(peer >> 8) & 0xff, peer & 0xff);
	s->conf = *conf;
	s->created_us = s->since_us = now;
	bfd_fsm_init(&s->fsm, &conf->timers, new_disc(b), rte_rand(), now);
	bfd_auth_init(&s->auth, (uint32_t)rte_rand());
	BFD_LOG(INFO,
		"peer %s: session added (min tx %" PRIu32 " ms, min rx %" PRIu32
		" ms, x %u, %s, discriminator %" PRIu32 ", source port %u)",
		s->addr, conf->timers.desired_min_tx / 1000, conf->timers.required_min_rx / 1000,
		conf->timers.detect_mult, conf->auth.type ? "authenticated" : "no authentication",
		s->fsm.local_disc, s->src_port);
	return 0;
}

void
bfd_sess_status(const struct bfd_sess *s, uint64_t now, struct bfd_session_status *st)
{
	const struct bfd_fsm *f = &s->fsm;

	memset(st, 0, sizeof(*st));
	st->peer = s->peer;
	st->src_port = s->src_port;
	st->state = f->state;
	st->remote_state = f->remote_state;
	st->local_disc = f->local_disc;
	st->remote_disc = f->remote_disc;
	st->tx_interval = bfd_fsm_tx_interval(f);
	st->rx_interval = bfd_fsm_rx_interval(f);
	st->detect_time = bfd_fsm_detect_time(f);
	st->detect_mult = f->conf.detect_mult;
	st->remote_detect_mult = f->remote_detect_mult;
	st->remote_min_rx = f->remote_min_rx;
	st->remote_min_tx = f->remote_min_tx;
	st->local_diag = f->last_local_diag;
	st->remote_diag = f->last_remote_diag;
	st->auth = s->conf.auth.type;
	st->poll = f->poll;
	st->lingering = s->lingering;
	st->state_us = now - s->since_us;
	st->flaps = s->flaps;
	st->rx_packets = s->rx;
	st->tx_packets = s->tx;
	st->tx_errors = s->tx_errors;
	for (unsigned d = 0; d < BFD_DROP_COUNT; d++) {
		st->drop[d] = s->drop[d];
		st->drops += s->drop[d];
	}
}
