/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD runtime (bfd.h): the "vbr-bfd" thread (one epoll over the receive
 * socket, the timerfd and the wake eventfd), the calls the control thread
 * makes, and the runtime's lifecycle. The sessions are bfd_session.c's, the
 * receive path bfd_rx.c's. Everything runs under b->lock, taken by the BFD
 * thread whenever it is not waiting in epoll and by the control thread's
 * calls; neither holds it for more than a few packets' work.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
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

#include "bfd_internal.h"

RTE_LOG_REGISTER(vbr_logtype_bfd, vbr.bfd, INFO);

enum { EV_RX = 1, EV_TIMER, EV_WAKE };

uint64_t
bfd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
bfd_kick(int fd)
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

/* ------------------------------------------------------------ timers and the thread */

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
			bfd_sess_free(b, s);
			continue;
		}
		d = bfd_sess_timers(b, s, now);
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

		arm(b, run_timers(b, bfd_now_us()));
		pthread_mutex_unlock(&b->lock);
		n = epoll_wait(b->epfd, ev, RTE_DIM(ev), -1);
		pthread_mutex_lock(&b->lock);
		if (n < 0 && errno != EINTR)
			BFD_LOG(ERR, "epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == EV_RX)
				bfd_rx_burst(b);
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

int
bfd_session_set(struct bfd *b, uint32_t peer, const struct bfd_session_conf *conf)
{
	uint64_t now = bfd_now_us();
	struct bfd_sess *s;
	int rc = 0;

	if (b == NULL || conf == NULL)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	s = bfd_sess_by_peer(b, peer);
	if (s == NULL) {
		rc = bfd_sess_add(b, peer, conf, now);
	} else {
		if (s->lingering) {
			/* Back before it was gone: the same session again. */
			s->lingering = false;
			s->created_us = now;
			s->quiet_logged = s->ever_up = false;
			bfd_sess_event(b, s, &(struct bfd_fsm_input){.ev = BFD_EV_START}, now);
		}
		bfd_sess_configure(b, s, conf, now);
	}
	pthread_mutex_unlock(&b->lock);
	bfd_kick(b->wake_fd);
	return rc;
}

int
bfd_session_delete(struct bfd *b, uint32_t peer)
{
	uint64_t now = bfd_now_us(), linger;
	struct bfd_sess *s;

	if (b == NULL)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	s = bfd_sess_by_peer(b, peer);
	if (s == NULL || s->lingering) {
		pthread_mutex_unlock(&b->lock);
		return -ENOENT;
	}
	bfd_sess_event(b, s, &(struct bfd_fsm_input){.ev = BFD_EV_STOP}, now);
	/* Long enough for the remote to hear it after a lost packet or two. */
	linger = (uint64_t)s->fsm.conf.detect_mult * bfd_fsm_tx_interval(&s->fsm);
	s->lingering = true;
	s->linger_until = now + RTE_MAX(linger, LINGER_MIN_US);
	BFD_LOG(INFO, "peer %s: session going: AdminDown", s->addr);
	pthread_mutex_unlock(&b->lock);
	bfd_kick(b->wake_fd);
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

		bfd_queue_remove(b, b->queue[0]);
		s->queued = false;
		out[n++] = (struct bfd_report){.peer = s->peer,
			.state = s->fsm.state,
			.went_down = s->went_down,
			.down_diag = s->down_diag};
		s->went_down = false;
	}
	/* More than max: the fd stays readable. */
	if (b->q_len > 0)
		bfd_kick(b->notify_fd);
	pthread_mutex_unlock(&b->lock);
	return n;
}

int
bfd_notify_fd(const struct bfd *b)
{
	return b->notify_fd;
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
	uint64_t now = bfd_now_us();
	unsigned n = 0;

	if (b == NULL)
		return 0;
	pthread_mutex_lock(&b->lock);
	for (unsigned i = 0; i < BFD_MAX_SESSIONS && n < max; i++)
		if (b->sess[i].used)
			bfd_sess_status(&b->sess[i], now, &out[n++]);
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
			bfd_sess_free(b, &b->sess[i]);
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
	b->rx_fd = bfd_rx_open(b->local);
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
bfd_create(uint32_t local, uint8_t prefix_len, const char *ifname)
{
	struct bfd *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		BFD_LOG(ERR, "no memory for BFD");
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->local = local;
	b->mask = prefix_len == 0 ? 0 : ~0u << (32 - RTE_MIN(prefix_len, 32));
	b->ifindex = if_nametoindex(ifname);
	b->epfd = b->rx_fd = b->timer_fd = b->wake_fd = b->notify_fd = -1;
	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++)
		b->sess[i].fd = -1;
	if (b->ifindex == 0) {
		BFD_LOG(ERR, "no interface %s to take BFD packets from: %s", ifname,
			strerror(errno));
		bfd_free(b);
		return NULL;
	}
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
	BFD_LOG(INFO, "listening on UDP port %u, on %s only (thread vbr-bfd)", BFD_PORT, ifname);
	return b;
}

void
bfd_destroy(struct bfd *b)
{
	uint64_t now = bfd_now_us();

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	/* The peers hear AdminDown: their clients stay up (RFC 5882 §3.2)
	 * until BGP itself says goodbye. */
	for (unsigned i = 0; i < BFD_MAX_SESSIONS; i++)
		if (b->sess[i].used && !b->sess[i].lingering)
			bfd_sess_event(
				b, &b->sess[i], &(struct bfd_fsm_input){.ev = BFD_EV_STOP}, now);
	b->running = false;
	pthread_mutex_unlock(&b->lock);
	bfd_kick(b->wake_fd);
	if (b->started)
		pthread_join(b->thread, NULL);
	bfd_free(b);
}
