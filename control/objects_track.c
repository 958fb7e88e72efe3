/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The static routes' health checks (a route's `track:`): which next hops
 * are checked, their probes on the control thread's loop, and the routes
 * that leave the RIB while their next hop is down and come back with it.
 * The socket is opened with the first tracked route.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net/if.h>
#include <sys/epoll.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_random.h>

#include "ctl_log.h"
#include "inet.h"
#include "objects_internal.h"
#include "track_probe.h"

struct objects_track {
	struct objects *o;
	struct track *t;
	struct ev_handler ev;
	int fd;
	uint64_t recv_bad; /* datagrams that were not replies of ours */
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int
probe_send(void *arg, uint32_t addr, uint16_t id, uint16_t seq)
{
	struct objects_track *ot = arg;

	return ot->fd < 0 ? -EBADF : track_probe_send(ot->fd, addr, id, seq);
}

/* Every tracked route through addr follows it: out of the RIB when none of
 * its gateways is up, else through those that are (an ECMP route loses or
 * takes back one member, and only that member's flows move). */
static void
next_hop_changed(void *arg, uint32_t addr, bool up, enum track_state from)
{
	struct objects_track *ot = arg;
	struct objects *o = ot->o;
	const struct vbr_config *cfg = o->live;
	char a[VBR_IP_STRLEN];
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->nb_routes; i++) {
		const struct vbr_static_route *r = &cfg->routes[i];
		int rc;

		if (r->track.interval == 0 || !objects_route_via(r, addr))
			continue;
		rc = objects_route_put(o, r, false, true);
		if (rc != 0)
			CTL_LOG(ERR, "static route through %s: %s",
				config_ip_str(addr, a, sizeof(a)), strerror(-rc));
		n++;
	}
	CTL_LOG(NOTICE, "track: next hop %s is %s%s: %u static route(s) %s",
		config_ip_str(addr, a, sizeof(a)), up ? "up" : "down",
		from == TRACK_INIT && !up ? " (it never answered)" : "", n,
		up ? "in the RIB" : "out of the RIB");
}

/* The port whose exception tap has ifindex, or -1. */
static int
port_of_ifindex(const struct objects *o, int ifindex)
{
	for (int p = 0; ifindex > 0 && p < VBR_NB_PORTS; p++)
		if ((int)if_nametoindex(o->live->ports[p].tap) == ifindex)
			return p;
	return -1;
}

static void
on_reply(struct ev_handler *h, uint32_t events)
{
	struct objects_track *ot = container_of(h, struct objects_track, ev);

	(void)events;
	/* Bounded: a flood of replies cannot hold the control thread. */
	for (int i = 0; i < 256; i++) {
		uint32_t from;
		uint16_t id, seq;
		int ifindex, port;
		int rc = track_probe_recv(ot->fd, &from, &id, &seq, &ifindex);

		if (rc == 0)
			break;
		port = rc > 0 ? port_of_ifindex(ot->o, ifindex) : -1;
		if (port < 0) {
			ot->recv_bad++;
			continue;
		}
		track_answer(ot->t, from, (uint8_t)port, id, seq, now_us());
	}
}

static struct objects_track *
track_get_or_open(struct objects *o)
{
	struct objects_track *ot = o->track;
	struct track_ops ops = {.send = probe_send, .changed = next_hop_changed};
	struct epoll_event ev = {.events = EPOLLIN};

	if (ot != NULL)
		return ot;
	ot = calloc(1, sizeof(*ot));
	if (ot == NULL)
		return NULL;
	ot->o = o;
	ot->fd = -1;
	ops.arg = ot;
	ot->t = track_create(&ops, (uint16_t)rte_rand(), (uint16_t)rte_rand());
	ot->ev.fn = on_reply;
	ot->fd = track_probe_open();
	if (ot->t == NULL || ot->fd < 0) {
		CTL_LOG(ERR, "track: cannot open the ICMP socket of the health checks: %s",
			ot->fd < 0 ? strerror(-ot->fd) : "out of memory");
		goto fail;
	}
	ev.data.ptr = &ot->ev;
	if (o->epfd >= 0 && epoll_ctl(o->epfd, EPOLL_CTL_ADD, ot->fd, &ev) != 0) {
		CTL_LOG(ERR, "track: epoll: %s", strerror(errno));
		goto fail;
	}
	o->track = ot;
	return ot;
fail:
	if (ot->fd >= 0)
		close(ot->fd);
	track_destroy(ot->t);
	free(ot);
	return NULL;
}

int
objects_track_sync(struct objects *o, const struct vbr_config *cfg)
{
	struct track_target *tg;
	struct objects_track *ot;
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < cfg->nb_routes; i++)
		if (cfg->routes[i].track.interval != 0)
			n += cfg->routes[i].nb_next_hops > 1 ? cfg->routes[i].nb_next_hops : 1;
	if (n == 0 && o->track == NULL)
		return 0;
	ot = track_get_or_open(o);
	if (ot == NULL)
		return -ENOMEM;
	tg = malloc(((size_t)n + 1) * sizeof(*tg));
	if (tg == NULL)
		return -ENOMEM;
	n = 0;
	for (unsigned i = 0; i < cfg->nb_routes; i++) {
		const struct vbr_static_route *r = &cfg->routes[i];
		const uint32_t *gw = r->nb_next_hops > 1 ? r->next_hops : &r->next_hop;
		unsigned k = r->nb_next_hops > 1 ? r->nb_next_hops : 1;

		for (unsigned g = 0; r->track.interval != 0 && g < k && g < VBR_MAX_NEXT_HOPS; g++)
			tg[n++] = (struct track_target){
				.addr = gw[g], .port = (uint8_t)r->port, .params = r->track};
	}
	rc = track_set(ot->t, tg, n, ctl_now_ms());
	free(tg);
	/* Their echo replies get the exception path's track class. */
	if (rc == 0 && objects_publish_sources(o, cfg) != 0)
		CTL_LOG(WARNING, "track: the exception path does not protect the health checks' "
				 "replies");
	return rc;
}

unsigned
objects_track_addrs(const struct objects *o, uint32_t *out, unsigned max)
{
	struct track_info ti;
	unsigned n = 0;

	for (unsigned i = 0; o->track != NULL && n < max && track_get(o->track->t, i, &ti) == 0;
		i++)
		out[n++] = ti.addr;
	return n;
}

enum track_state
objects_track_state(const struct objects *o, uint32_t next_hop)
{
	struct track_info ti;

	/* Fail closed: a tracked next hop nobody checks (no socket, no
	 * memory) is not seen alive. */
	if (o->track == NULL || track_find(o->track->t, next_hop, &ti) != 0)
		return TRACK_INIT;
	return ti.state;
}

void
objects_track_tick(struct objects *o, uint64_t now_ms)
{
	if (o->track == NULL)
		return;
	/* Replies that wait are answers in time: read them before counting
	 * misses, however late this tick runs. */
	on_reply(&o->track->ev, EPOLLIN);
	track_poll(o->track->t, now_ms);
}

const struct track *
objects_track_table(const struct objects *o, uint64_t *recv_bad)
{
	if (recv_bad)
		*recv_bad = o->track ? o->track->recv_bad : 0;
	return o->track ? o->track->t : NULL;
}

void
objects_track_close(struct objects *o)
{
	struct objects_track *ot = o->track;

	if (ot == NULL)
		return;
	if (ot->fd >= 0)
		close(ot->fd);
	track_destroy(ot->t);
	free(ot);
	o->track = NULL;
}
