/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: one epoll loop over its timers (and, with BGP, its
 * sockets). It owns the route sender: route ops that do not fit on the ring
 * wait, in order, and are retried on every tick.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_thread.h>

#include "control.h"
#include "route_sender.h"
#include "static_route.h"

RTE_LOG_REGISTER(vbr_logtype_ctl, vbr.control, INFO);
#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vbr_logtype_ctl, "control: " fmt "\n", ##__VA_ARGS__)

#define TICK_MS 50

struct control {
	const struct vbr_config *cfg;
	struct route_sender *sender;
	pthread_t thread;
	int epfd;
	int stopfd;
	int tickfd;
	volatile size_t backlog;
};

static int
add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void *
control_main(void *arg)
{
	struct control *c = arg;
	bool running = true;

	while (running) {
		struct epoll_event ev[16];
		int n = epoll_wait(c->epfd, ev, RTE_DIM(ev), -1);

		if (n < 0 && errno != EINTR) {
			CTL_LOG(ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t v;

			if (read(ev[i].data.fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				CTL_LOG(WARNING, "read: %s", strerror(errno));
			if (ev[i].data.fd == c->stopfd)
				running = false;
		}
		c->backlog = route_sender_flush(c->sender);
	}
	return NULL;
}

struct control *
control_start(const struct vbr_config *cfg, struct rte_ring *route_ring)
{
	struct itimerspec its = {
		.it_interval = { .tv_nsec = TICK_MS * 1000000L },
		.it_value = { .tv_nsec = TICK_MS * 1000000L },
	};
	struct control *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return NULL;
	c->cfg = cfg;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	c->sender = route_sender_create(route_ring);
	if (c->epfd < 0 || c->stopfd < 0 || c->tickfd < 0 || c->sender == NULL ||
			timerfd_settime(c->tickfd, 0, &its, NULL) != 0 || add_fd(c->epfd, c->stopfd) != 0 ||
			add_fd(c->epfd, c->tickfd) != 0) {
		CTL_LOG(ERR, "cannot set up the control loop: %s", strerror(errno));
		goto fail;
	}
	rc = static_routes_install(cfg, c->sender);
	if (rc != 0) {
		CTL_LOG(ERR, "cannot queue the static routes: %s", strerror(-rc));
		goto fail;
	}
	c->backlog = route_sender_flush(c->sender);
	CTL_LOG(INFO, "%u static route(s), %u static neighbour(s) queued for the FIB", cfg->nb_routes,
			cfg->nb_neighbors);
	rc = rte_ctrl_thread_create(&c->thread, "vbr-ctrl", NULL, control_main, c);
	if (rc != 0) {
		CTL_LOG(ERR, "cannot start the control thread: %s", strerror(rc));
		goto fail;
	}
	return c;
fail:
	if (c->sender)
		route_sender_destroy(c->sender);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->stopfd >= 0)
		close(c->stopfd);
	if (c->tickfd >= 0)
		close(c->tickfd);
	free(c);
	return NULL;
}

void
control_stop(struct control *c)
{
	uint64_t one = 1;

	if (c == NULL)
		return;
	if (write(c->stopfd, &one, sizeof(one)) != sizeof(one))
		CTL_LOG(WARNING, "cannot signal the control thread: %s", strerror(errno));
	pthread_join(c->thread, NULL);
	route_sender_destroy(c->sender);
	close(c->epfd);
	close(c->stopfd);
	close(c->tickfd);
	free(c);
}

size_t
control_backlog(struct control *c)
{
	return c->backlog;
}
