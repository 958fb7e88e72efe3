/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD runtime (bfd.h): the sessions, their sockets, and the "vbr-bfd"
 * thread that receives, times and sends. Each session's transitions are
 * bfd_fsm.c's: every event of a session goes through sess_event(), which
 * feeds the FSM and carries out its actions (packets out, state changes
 * logged and reported). Everything here runs under b->lock, taken by the
 * BFD thread whenever it is not waiting in epoll and by the control
 * thread's calls; neither holds it for more than a few packets' work.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_random.h>

#include "bfd.h"

RTE_LOG_REGISTER(vbr_logtype_bfd, vbr.bfd, INFO);
#define BFD_LOG(level, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, vbr_logtype_bfd, "bfd: " fmt "\n", ##__VA_ARGS__)

#define RX_BURST 64		       /* packets per wake-up, then the timers */
#define TIMER_EVENTS_MAX 8	       /* per session and turn: each makes progress */
#define QUIET_LOG_US (10 * 1000000ull) /* not Up this long after creation: say so */
#define LINGER_MIN_US (2 * 1000000ull) /* AdminDown told at least this long */
#define BFD_TOS 0xc0		       /* CS6, network control, as BIRD and FRR */

enum { EV_RX = 1, EV_TIMER, EV_WAKE };

struct bfd_sess {
	bool used;
	bool lingering; /* removed: AdminDown until linger_until */
	uint32_t peer;
	char addr[16];
	int fd; /* sends from src_port */
	uint16_t src_port;
	struct bfd_session_conf conf;
	struct bfd_fsm fsm;
	struct bfd_auth_state auth;
	uint64_t created_us, since_us, last_rx_us, linger_until;
	bool ever_up, quiet_logged;
	uint64_t logged_intervals; /* tx, rx (ms) last logged while Up */
	/* The report latch: in the queue at most once. */
	bool queued, went_down;
	uint8_t down_diag;
	uint64_t flaps, rx, tx, tx_errors, drop[BFD_DROP_COUNT];
};

struct bfd {
	pthread_mutex_t lock;
	pthread_t thread;
	bool running, started;
	uint32_t local;
	int epfd, rx_fd, timer_fd, wake_fd, notify_fd;
	struct bfd_sess sess[BFD_MAX_SESSIONS];
	unsigned queue[BFD_MAX_SESSIONS]; /* slots with a report, in order */
	unsigned q_len;
	struct bfd_global_stats st;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		BFD_LOG(WARNING, "eventfd: %s", strerror(errno));
}

static void
drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		BFD_LOG(WARNING, "read: %s", strerror(errno));
}

/* ------------------------------------------------------------ sockets */

static struct sockaddr_in
sin_of(uint32_t addr, uint16_t port)
{
	return (struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
}

/* RFC 5881 §4-5: TTL 255 out, network control precedence. */
static int
udp_socket(void)
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

/* Our socket on local:3784, with each packet's TTL. */
static int
open_rx(uint32_t local)
{
	struct sockaddr_in sin = sin_of(local, BFD_PORT);
	int fd = udp_socket(), one = 1;

	if (fd < 0)
		return fd;
	if (setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) != 0 ||
		bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
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
	int fd = udp_socket();

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

/* ------------------------------------------------------------ sessions */

static struct bfd_sess *
find_peer(struct bfd *b, uint32_t peer)
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

static struct bfd_sess *
find_disc(struct bfd *b, uint32_t disc)
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
	while (d == 0 || find_disc(b, d) != NULL);
	return d;
}

static void
queue_remove(struct bfd *b, unsigned slot)
{
	unsigned j = 0;

	for (unsigned i = 0; i < b->q_len; i++)
		if (b->queue[i] != slot)
			b->queue[j++] = b->queue[i];
	b->q_len = j;
}

static void
sess_free(struct bfd *b, struct bfd_sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	queue_remove(b, (unsigned)(s - b->sess));
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
	kick(b->notify_fd);
}

/* ------------------------------------------------------------ actions */

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
static void
log_intervals(struct bfd_sess *s)
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
static void
sess_event(struct bfd *b, struct bfd_sess *s, const struct bfd_fsm_input *in, uint64_t now)
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

/* ------------------------------------------------------------ receiving */

static void
drop_global(struct bfd *b, enum bfd_drop why)
{
	b->st.drop[why]++;
}

/* The session a packet is for (RFC 5880 §6.3): by Your Discriminator, else
 * (0: the remote does not know ours yet) by its source address. */
static struct bfd_sess *
demux(struct bfd *b, const struct bfd_ctrl *p, uint32_t src)
{
	struct bfd_sess *s;

	if (p->your_disc == 0)
		return find_peer(b, src);
	s = find_disc(b, p->your_disc);
	if (s != NULL && s->peer != src) {
		s->drop[BFD_DROP_WRONG_SOURCE]++;
		return NULL;
	}
	if (s == NULL)
		drop_global(b, BFD_DROP_NO_SESSION);
	return s;
}

/* The checks that need the session: GTSM, authentication, AdminDown. */
static enum bfd_drop
sess_check(struct bfd_sess *s, const struct bfd_ctrl *p, const uint8_t *buf, size_t len, int ttl)
{
	enum bfd_drop d;

	if (ttl != BFD_TTL)
		return BFD_DROP_TTL;
	d = bfd_ctrl_auth_match(p, s->conf.auth.type);
	if (d == BFD_OK && p->auth)
		d = bfd_auth_check(&s->conf.auth, &s->auth, p, buf, len);
	if (d == BFD_OK && s->fsm.state == BFD_ADMIN_DOWN)
		d = BFD_DROP_ADMIN_DOWN;
	return d;
}

static void
rx_one(struct bfd *b, const uint8_t *buf, size_t len, uint32_t src, int ttl, uint64_t now)
{
	struct bfd_ctrl p;
	struct bfd_sess *s;
	enum bfd_drop d = bfd_ctrl_decode(buf, len, &p);

	b->st.rx_packets++;
	if (d != BFD_OK) {
		drop_global(b, d);
		return;
	}
	s = demux(b, &p, src);
	if (s == NULL) {
		if (p.your_disc == 0)
			drop_global(b, BFD_DROP_NO_SESSION);
		return;
	}
	d = sess_check(s, &p, buf, len, ttl);
	if (d != BFD_OK) {
		s->drop[d]++;
		return;
	}
	s->rx++;
	s->last_rx_us = now;
	sess_event(b, s, &(struct bfd_fsm_input){.ev = BFD_EV_RX, .pkt = &p}, now);
	log_intervals(s);
}

/* The TTL the packet came with (IP_RECVTTL), or -1. */
static int
ttl_of(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL &&
			c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int ttl;

			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			return ttl;
		}
	return -1;
}

static void
rx_burst(struct bfd *b)
{
	for (unsigned i = 0; i < RX_BURST; i++) {
		uint8_t buf[512];
		char cbuf[CMSG_SPACE(sizeof(int)) * 2];
		struct sockaddr_in from;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr m = {.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(b->rx_fd, &m, MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				b->st.rx_errors++;
			return;
		}
		if (m.msg_namelen < sizeof(from) || from.sin_family != AF_INET)
			continue;
		rx_one(b, buf, (size_t)n, ntohl(from.sin_addr.s_addr), ttl_of(&m), now_us());
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
static uint64_t
sess_timers(struct bfd *b, struct bfd_sess *s, uint64_t now)
{
	uint64_t detect = bfd_fsm_detect_time(&s->fsm);

	for (unsigned n = 0; n < TIMER_EVENTS_MAX; n++) {
		enum bfd_fsm_event ev = bfd_fsm_timer_due(&s->fsm, now);

		if (ev == BFD_EV_NONE)
			break;
		sess_event(b, s, &(struct bfd_fsm_input){.ev = ev}, now);
	}
	/* §6.7.1: a silence of twice the detection time forgets the
	 * remote's sequence number. */
	if (s->auth.rcv_known && detect && now - s->last_rx_us > 2 * detect)
		bfd_auth_forget(&s->auth);
	quiet_check(s, now);
	return bfd_fsm_next_deadline(&s->fsm);
}

static uint64_t
run_timers(struct bfd *b, uint64_t now)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++) {
		struct bfd_sess *s = &b->sess[i];
		uint64_t d;

		if (!s->used)
			continue;
		if (s->lingering && now >= s->linger_until) {
			BFD_LOG(INFO, "peer %s: session removed", s->addr);
			sess_free(b, s);
			continue;
		}
		d = sess_timers(b, s, now);
		if (s->lingering && (d == 0 || s->linger_until < d))
			d = s->linger_until;
		if (d && (next == 0 || d < next))
			next = d;
	}
	return next;
}

static void
arm(struct bfd *b, uint64_t at)
{
	struct itimerspec its = {0};

	/* Absolute on CLOCK_MONOTONIC; 0 would disarm it. */
	if (at) {
		its.it_value.tv_sec = (time_t)(at / 1000000);
		its.it_value.tv_nsec = (long)(at % 1000000) * 1000;
	}
	if (timerfd_settime(b->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		BFD_LOG(ERR, "timerfd: %s", strerror(errno));
}

static void *
bfd_main(void *arg)
{
	struct bfd *b = arg;

	pthread_mutex_lock(&b->lock);
	while (b->running) {
		struct epoll_event ev[4];
		int n;

		arm(b, run_timers(b, now_us()));
		pthread_mutex_unlock(&b->lock);
		n = epoll_wait(b->epfd, ev, RTE_DIM(ev), -1);
		pthread_mutex_lock(&b->lock);
		if (n < 0 && errno != EINTR)
			BFD_LOG(ERR, "epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == EV_RX)
				rx_burst(b);
			else if (ev[i].data.u32 == EV_TIMER)
				drain(b->timer_fd);
			else
				drain(b->wake_fd);
		}
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* ------------------------------------------------------------ the API */

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

static void
sess_configure(struct bfd *b, struct bfd_sess *s, const struct bfd_session_conf *conf, uint64_t now)
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
		sess_event(b, s,
			&(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &conf->timers},
			now);
		BFD_LOG(INFO, "peer %s: min tx %" PRIu32 " ms, min rx %" PRIu32 " ms, x %u%s",
			s->addr, conf->timers.desired_min_tx / 1000,
			conf->timers.required_min_rx / 1000, conf->timers.detect_mult,
			s->fsm.poll ? ": Poll Sequence" : "");
	}
}

static int
sess_add(struct bfd *b, uint32_t peer, const struct bfd_session_conf *conf, uint64_t now)
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

int
bfd_session_set(struct bfd *b, uint32_t peer, const struct bfd_session_conf *conf)
{
	uint64_t now = now_us();
	struct bfd_sess *s;
	int rc = 0;

	if (b == NULL || conf == NULL)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	s = find_peer(b, peer);
	if (s == NULL) {
		rc = sess_add(b, peer, conf, now);
	} else {
		if (s->lingering) {
			/* Back before it was gone: the same session again. */
			s->lingering = false;
			s->created_us = now;
			s->quiet_logged = s->ever_up = false;
			sess_event(b, s, &(struct bfd_fsm_input){.ev = BFD_EV_START}, now);
		}
		sess_configure(b, s, conf, now);
	}
	pthread_mutex_unlock(&b->lock);
	kick(b->wake_fd);
	return rc;
}

int
bfd_session_delete(struct bfd *b, uint32_t peer)
{
	uint64_t now = now_us(), linger;
	struct bfd_sess *s;

	if (b == NULL)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	s = find_peer(b, peer);
	if (s == NULL || s->lingering) {
		pthread_mutex_unlock(&b->lock);
		return -ENOENT;
	}
	sess_event(b, s, &(struct bfd_fsm_input){.ev = BFD_EV_STOP}, now);
	/* Long enough for the remote to hear it after a lost packet or two. */
	linger = (uint64_t)s->fsm.conf.detect_mult * bfd_fsm_tx_interval(&s->fsm);
	s->lingering = true;
	s->linger_until = now + RTE_MAX(linger, LINGER_MIN_US);
	BFD_LOG(INFO, "peer %s: session going: AdminDown", s->addr);
	pthread_mutex_unlock(&b->lock);
	kick(b->wake_fd);
	return 0;
}

unsigned
bfd_reports(struct bfd *b, struct bfd_report *out, unsigned max)
{
	unsigned n = 0;

	pthread_mutex_lock(&b->lock);
	drain(b->notify_fd);
	while (n < max && b->q_len > 0) {
		struct bfd_sess *s = &b->sess[b->queue[0]];

		queue_remove(b, b->queue[0]);
		s->queued = false;
		out[n++] = (struct bfd_report){.peer = s->peer,
			.state = s->fsm.state,
			.went_down = s->went_down,
			.down_diag = s->down_diag};
		s->went_down = false;
	}
	/* More than max: the fd stays readable. */
	if (b->q_len > 0)
		kick(b->notify_fd);
	pthread_mutex_unlock(&b->lock);
	return n;
}

int
bfd_notify_fd(const struct bfd *b)
{
	return b->notify_fd;
}

static void
status_of(const struct bfd_sess *s, uint64_t now, struct bfd_session_status *st)
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

static int
status_cmp(const void *x, const void *y)
{
	const struct bfd_session_status *a = x, *c = y;

	if (a->peer != c->peer)
		return a->peer < c->peer ? -1 : 1;
	return (int)a->lingering - (int)c->lingering;
}

unsigned
bfd_sessions(struct bfd *b, struct bfd_session_status *out, unsigned max)
{
	uint64_t now = now_us();
	unsigned n = 0;

	if (b == NULL)
		return 0;
	pthread_mutex_lock(&b->lock);
	for (unsigned i = 0; i < BFD_MAX_SESSIONS && n < max; i++)
		if (b->sess[i].used)
			status_of(&b->sess[i], now, &out[n++]);
	pthread_mutex_unlock(&b->lock);
	qsort(out, n, sizeof(*out), status_cmp);
	return n;
}

void
bfd_global_stats(struct bfd *b, struct bfd_global_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	*st = b->st;
	pthread_mutex_unlock(&b->lock);
}

/* ------------------------------------------------------------ lifecycle */

static int
watch(int epfd, int fd, uint32_t what)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = what};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static void
bfd_free(struct bfd *b)
{
	int fds[] = {b->epfd, b->rx_fd, b->timer_fd, b->wake_fd, b->notify_fd};

	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++)
		if (b->sess[i].used)
			sess_free(b, &b->sess[i]);
	for (unsigned i = 0; i < RTE_DIM(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static int
bfd_open(struct bfd *b)
{
	int rc;

	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	b->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->epfd < 0 || b->timer_fd < 0 || b->wake_fd < 0 || b->notify_fd < 0)
		return -errno;
	b->rx_fd = open_rx(b->local);
	if (b->rx_fd < 0)
		return b->rx_fd;
	rc = watch(b->epfd, b->rx_fd, EV_RX);
	if (rc == 0)
		rc = watch(b->epfd, b->timer_fd, EV_TIMER);
	if (rc == 0)
		rc = watch(b->epfd, b->wake_fd, EV_WAKE);
	return rc;
}

struct bfd *
bfd_create(uint32_t local)
{
	struct bfd *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		BFD_LOG(ERR, "no memory for BFD");
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->local = local;
	b->epfd = b->rx_fd = b->timer_fd = b->wake_fd = b->notify_fd = -1;
	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++)
		b->sess[i].fd = -1;
	rc = bfd_open(b);
	if (rc != 0) {
		BFD_LOG(ERR, "cannot listen on UDP port %u: %s", BFD_PORT, strerror(-rc));
		bfd_free(b);
		return NULL;
	}
	b->running = true;
	rc = rte_ctrl_thread_create(&b->thread, "vbr-bfd", NULL, bfd_main, b);
	if (rc != 0) {
		BFD_LOG(ERR, "cannot start the BFD thread: %s", strerror(rc));
		bfd_free(b);
		return NULL;
	}
	b->started = true;
	BFD_LOG(INFO, "listening on UDP port %u (thread vbr-bfd)", BFD_PORT);
	return b;
}

void
bfd_destroy(struct bfd *b)
{
	uint64_t now = now_us();

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	/* The peers hear AdminDown: their clients stay up (RFC 5882 §3.2)
	 * until BGP itself says goodbye. */
	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++)
		if (b->sess[i].used && !b->sess[i].lingering)
			sess_event(b, &b->sess[i], &(struct bfd_fsm_input){.ev = BFD_EV_STOP}, now);
	b->running = false;
	pthread_mutex_unlock(&b->lock);
	kick(b->wake_fd);
	if (b->started)
		pthread_join(b->thread, NULL);
	bfd_free(b);
}
