/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: one epoll loop over the BGP sockets, the management
 * sockets, a tick timer, a reload event (SIGHUP) and a stop event. It owns
 * the runtime objects (objects.c), the RIB and the route sender: route ops that do not
 * fit on the ring wait, in order, and are retried on every tick. The FIB
 * writer answers every op on its result ring: the RIB learns there what the
 * FIB refused, and sends it again when there may be room (rib_fib_retry).
 * What it shows (/vbr/bgp, /vbr/rib, /vbr/fib_check telemetry) is read
 * under its lock, which the thread holds whenever it is not waiting in epoll.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_telemetry.h>
#include <rte_thread.h>

#include "bfd.h"
#include "bgp.h"
#include "control.h"
#include "ctl_log.h"
#include "evloop.h"
#include "fib_check.h"
#include "rib.h"
#include "route_sender.h"
#include "connected.h"
#include "metrics_http.h"
#include "mgmt.h"
#include "objects.h"

RTE_LOG_REGISTER(vbr_logtype_ctl, vbr.control, INFO);

#define TICK_MS 50
/* Route ops waiting for room on the ring, at most: past it the RIB keeps
 * the prefixes marked and sends one op each when there is room again, so a
 * flapping peer costs memory by prefix, not by flap. */
#define BACKLOG_MAX (1u << 20)
/* While route ops wait for the FIB writer's answer, the loop looks for them
 * this often (they come in microseconds; nothing wakes the loop for them). */
#define ANSWER_POLL_MS 2
/* At most one line about prefixes the FIB refused per this long. */
#define REFUSED_LOG_MS 10000

struct control {
	struct fib *fib;
	pthread_mutex_t *fib_lock;
	struct rte_ring *results; /* the FIB writer's answers */
	struct route_sender *sender;
	struct rib *rib;
	struct bgp *bgp;
	struct objects *objs;
	struct mgmt *mgmt;
	pthread_t thread;
	int epfd;
	struct ev_handler stop_ev, tick_ev, reload_ev;
	int stopfd;
	int tickfd;
	int reloadfd;
	bool running;
	size_t backlog;
	uint64_t refused_logged;    /* prefixes refused at the last log line */
	uint64_t refused_log_ms;    /* when it was written */
	struct bfd *bfd;	    /* its own thread; NULL if it could not start */
	struct ev_handler bfd_ev;   /* its reports */
	uint64_t degraded_logged;   /* prefixes degraded at the last log line */
	uint64_t degraded_log_ms;
	struct metrics_http *metrics; /* the Prometheus endpoint (listening or not) */
};

/* The control thread's state, and what the telemetry callbacks show: one
 * control thread per process. */
static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct control *tel_ctl;

uint64_t
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
emit_route_op(const struct route_op *op, void *arg)
{
	if (route_sender_backlog(arg) >= BACKLOG_MAX)
		return -ENOBUFS;
	return route_sender_send(arg, op);
}

static void
drain_fd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		CTL_LOG(WARNING, "read: %s", strerror(errno));
}

static void
on_stop(struct ev_handler *h, uint32_t events)
{
	struct control *c = container_of(h, struct control, stop_ev);

	(void)events;
	drain_fd(c->stopfd);
	c->running = false;
}

static void
on_reload(struct ev_handler *h, uint32_t events)
{
	struct control *c = container_of(h, struct control, reload_ev);
	char err[1024];

	(void)events;
	drain_fd(c->reloadfd);
	if (objects_reload(c->objs, err, sizeof(err)) != 0)
		CTL_LOG(ERR, "SIGHUP: the config file was not applied: %s", err);
}

/* The BFD thread's reports: a peer whose BFD session failed (Up -> Down,
 * not the peer's AdminDown) loses its BGP session at once. */
static void
on_bfd(struct ev_handler *h, uint32_t events)
{
	struct control *c = container_of(h, struct control, bfd_ev);
	struct bfd_report r[16];
	unsigned n;

	(void)events;
	do {
		n = bfd_reports(c->bfd, r, RTE_DIM(r));
		for (unsigned i = 0; i < n; i++)
			if (r[i].went_down && c->bgp != NULL)
				bgp_peer_bfd_down(c->bgp, r[i].peer, bfd_diag_name(r[i].down_diag));
	} while (n == RTE_DIM(r));
}

static int add_fd(int epfd, int fd, struct ev_handler *h);

/* BFD's thread, listening on the IDC address for packets that came in on
 * the IDC tap; without it (logged) BGP runs on its hold timers alone. */
static void
bfd_start(struct control *c, const struct vbr_port_config *idc)
{
	c->bfd_ev.fn = on_bfd;
	c->bfd = bfd_create(idc->address, idc->prefix_len, idc->tap);
	if (c->bfd == NULL) {
		CTL_LOG(ERR, "BFD could not start: BGP peers go without it");
		return;
	}
	if (add_fd(c->epfd, bfd_notify_fd(c->bfd), &c->bfd_ev) != 0)
		CTL_LOG(ERR, "cannot watch BFD's reports: %s", strerror(errno));
	bfd_tel_attach(c->bfd);
}

/* The FIB writer's answers to the RIB's route ops, in order. */
static void
fib_answers(struct control *c)
{
	struct route_result res[256];
	uint64_t now = ctl_now_ms();
	unsigned int n;

	do {
		n = rte_ring_sc_dequeue_burst_elem(c->results, res, sizeof(res[0]), RTE_DIM(res), NULL);
		for (unsigned int i = 0; i < RTE_MIN(n, RIB_PREFETCH_AHEAD); i++)
			rib_prefetch(c->rib, res[i].prefix, res[i].depth);
		for (unsigned int i = 0; i < n; i++) {
			if (i + RIB_PREFETCH_AHEAD < n)
				rib_prefetch(c->rib, res[i + RIB_PREFETCH_AHEAD].prefix,
						res[i + RIB_PREFETCH_AHEAD].depth);
			rib_fib_result(c->rib, &res[i], now);
		}
	} while (n == RTE_DIM(res));
}

/* Says what the FIB refused, when that changes, at most every
 * REFUSED_LOG_MS, and once all of it got in. */
static void
refused_log(struct control *c, uint64_t now)
{
	struct rib_fib_stats st;

	rib_fib_stats(c->rib, now, &st);
	if (st.refused == c->refused_logged)
		return;
	if (st.refused == 0) {
		CTL_LOG(NOTICE, "every prefix the FIB refused is in it now (%" PRIu64
				" so far got in on a later try)",
			st.recovered);
	} else if (now - c->refused_log_ms >= REFUSED_LOG_MS || c->refused_logged == 0) {
		CTL_LOG(WARNING,
			"%" PRIu64 " prefix(es) not in the FIB: refused (refusals so far: %" PRIu64
			" for want of next-hop ids, %" PRIu64 " of table room); "
			"tried again in %" PRIu64 " ms, then every %" PRIu64 " ms or when room frees",
			st.refused, st.refused_nexthops, st.refused_table, st.retry_in_ms,
			st.retry_interval_ms);
	} else {
		return;
	}
	c->refused_logged = st.refused;
	c->refused_log_ms = now;
}

/* Says, as refused_log() does, which prefixes go by one path instead of
 * their ECMP group, and why it may be. */
static void
degraded_log(struct control *c, uint64_t now)
{
	struct rib_fib_stats st;

	rib_fib_stats(c->rib, now, &st);
	if (st.groups_degraded == c->degraded_logged)
		return;
	if (st.groups_degraded == 0) {
		CTL_LOG(NOTICE, "every ECMP prefix has its next-hop group in the FIB again");
	} else if (now - c->degraded_log_ms >= REFUSED_LOG_MS || c->degraded_logged == 0) {
		CTL_LOG(WARNING,
			"%" PRIu64 " ECMP prefix(es) forward by their best path alone: no next-hop "
			"group for their set (%" PRIu64 " groups in use, BGP may ask for %" PRIu64
			"; FIB refusals so far: %" PRIu64 " for want of ids or groups); "
			"tried again with the refused prefixes",
			st.groups_degraded, st.groups, st.groups_limit, st.refused_nexthops);
	} else {
		return;
	}
	c->degraded_logged = st.groups_degraded;
	c->degraded_log_ms = now;
}

static void
on_tick(struct ev_handler *h, uint32_t events)
{
	struct control *c = container_of(h, struct control, tick_ev);
	uint64_t now;

	(void)events;
	drain_fd(c->tickfd);
	if (c->bgp)
		bgp_tick(c->bgp);
	if (c->mgmt)
		mgmt_tick(c->mgmt, ctl_now_ms());
	if (c->objs)
		objects_track_tick(c->objs, ctl_now_ms());
	fib_answers(c);
	if (rib_fib_pending(c->rib) > 0 && route_sender_flush(c->sender) < BACKLOG_MAX / 2)
		rib_fib_sync(c->rib);
	now = ctl_now_ms();
	rib_fib_retry(c->rib, now);
	refused_log(c, now);
	degraded_log(c, now);
}

static void *
control_main(void *arg)
{
	struct control *c = arg;

	pthread_mutex_lock(&ctl_lock);
	while (c->running) {
		struct epoll_event ev[16];
		int n;

		bool busy = c->bgp != NULL && bgp_run_pending(c->bgp);
		int timeout = busy ? 0 : rib_fib_in_flight(c->rib) > 0 ? ANSWER_POLL_MS : -1;

		pthread_mutex_unlock(&ctl_lock);
		n = epoll_wait(c->epfd, ev, RTE_DIM(ev), timeout);
		pthread_mutex_lock(&ctl_lock);
		if (n < 0) {
			/* Never silently stop: the sessions depend on it. */
			if (errno != EINTR)
				CTL_LOG(ERR, "epoll_wait: %s", strerror(errno));
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct ev_handler *h = ev[i].data.ptr;

			h->fn(h, ev[i].events);
		}
		fib_answers(c);
		c->backlog = route_sender_flush(c->sender);
	}
	pthread_mutex_unlock(&ctl_lock);
	return NULL;
}

static int
add_fd(int epfd, int fd, struct ev_handler *h)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = h };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* ------------------------------------------------------------ telemetry */

/* /vbr/bgp: one entry per BGP peer, "peerN" (telemetry's names cannot hold
 * dots: the address is a field). */
static int
tel_bgp(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct control *c;
	uint32_t addrs[VBR_MAX_PEERS];
	unsigned n;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&ctl_lock);
	c = tel_ctl;
	if (c == NULL || c->bgp == NULL || c->objs == NULL) {
		pthread_mutex_unlock(&ctl_lock);
		return 0;
	}
	n = bgp_peer_addrs(c->bgp, addrs, VBR_MAX_PEERS);

	for (unsigned i = 0; i < n && i < VBR_MAX_PEERS; i++) {
		struct rte_tel_data *p;
		struct bgp_peer_status st;
		char a[16];

		if (bgp_peer_status(c->bgp, addrs[i], &st) != 0)
			continue;
		p = rte_tel_data_alloc();
		if (p == NULL)
			break;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_string(p, "address", config_ip_str(st.address, a, sizeof(a)));
		rte_tel_data_add_dict_string(p, "group", st.group);
		rte_tel_data_add_dict_u64(p, "peer_asn", st.asn);
		rte_tel_data_add_dict_string(p, "state", bgp_state_name(st.state));
		rte_tel_data_add_dict_string(p, "remote_id", config_ip_str(st.remote_id, a, sizeof(a)));
		rte_tel_data_add_dict_u64(p, "hold_time", st.hold_time);
		rte_tel_data_add_dict_u64(p, "as4", st.as4);
		rte_tel_data_add_dict_u64(p, "uptime_ms", st.uptime_ms);
		rte_tel_data_add_dict_u64(p, "established_count", st.established_count);
		rte_tel_data_add_dict_u64(p, "msgs_in", st.msgs_in);
		rte_tel_data_add_dict_u64(p, "msgs_out", st.msgs_out);
		rte_tel_data_add_dict_u64(p, "updates_in", st.updates_in);
		rte_tel_data_add_dict_u64(p, "updates_out", st.updates_out);
		rte_tel_data_add_dict_u64(p, "prefixes_accepted", st.prefixes_accepted);
		rte_tel_data_add_dict_u64(p, "prefixes_best", st.prefixes_best);
		rte_tel_data_add_dict_u64(p, "prefixes_rejected_limit", st.prefixes_rejected_limit);
		rte_tel_data_add_dict_u64(p, "prefixes_rejected_loop", st.prefixes_rejected_loop);
		rte_tel_data_add_dict_u64(p, "prefixes_invalid", st.prefixes_invalid);
		rte_tel_data_add_dict_u64(p, "prefixes_filtered", st.prefixes_filtered);
		rte_tel_data_add_dict_u64(p, "prefixes_as_path_long", st.prefixes_as_path_long);
		rte_tel_data_add_dict_u64(p, "send_hold_expired", st.send_hold_expired);
		rte_tel_data_add_dict_u64(p, "gtsm_refused", st.gtsm_refused);
		rte_tel_data_add_dict_u64(p, "out_of_memory", st.out_of_memory);
		rte_tel_data_add_dict_u64(p, "out_queue", st.out_queue);
		rte_tel_data_add_dict_u64(p, "announced", st.announced);
		rte_tel_data_add_dict_u64(p, "refresh_sent", st.refresh_sent);
		rte_tel_data_add_dict_string(p, "last_error", st.last_error);
		snprintf(a, sizeof(a), "peer%u", i);
		rte_tel_data_add_dict_container(d, a, p, 0);
	}
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

struct rib_walk_arg {
	struct rte_tel_data *d;
	unsigned n;
	const struct rib *rib;
};

static int
tel_rib_one(uint32_t prefix, uint8_t len, enum rib_source src, int best_peer,
		const struct rib_attrs *attrs, uint32_t next_hop, void *arg)
{
	static const char *const src_names[] = { "connected", "static", "bgp" };
	struct rib_walk_arg *w = arg;
	char a[16], nh[16], val[RTE_TEL_MAX_STRING_LEN];

	if (w->n == RTE_TEL_MAX_ARRAY_ENTRIES)
		return 1;
	if (src == RIB_SRC_BGP && attrs != NULL)
		snprintf(val, sizeof(val), "%s/%u bgp via %s peer %d as_path %s",
				config_ip_str(prefix, a, sizeof(a)), len, config_ip_str(next_hop, nh, sizeof(nh)),
				best_peer, attrs->as_path ? attrs->as_path : "");
	else
		snprintf(val, sizeof(val), "%s/%u %s%s%s", config_ip_str(prefix, a, sizeof(a)), len,
				src_names[src], next_hop ? " via " : "",
				next_hop ? config_ip_str(next_hop, nh, sizeof(nh)) : "");
	{
		/* ECMP: " ecmp A B ...", the FIB's set, best first. */
		uint32_t gw[ROUTE_OP_MAX_GW];
		unsigned n = rib_best_gateways(w->rib, prefix, len, gw);
		size_t off = strlen(val);

		for (unsigned i = 0; i < n && off < sizeof(val); i++)
			off += (size_t)snprintf(val + off, sizeof(val) - off, "%s%s",
					i ? " " : " ecmp ", config_ip_str(gw[i], nh, sizeof(nh)));
	}
	rte_tel_data_add_array_string(w->d, val);
	w->n++;
	return 0;
}

/* /vbr/rib: the best route of every prefix (the first 255). */
static int
tel_rib(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct control *c;
	struct rte_tel_data *e = rte_tel_data_alloc();
	struct rib_walk_arg w = { .d = e };
	struct rib_attrs_stats as;
	struct rib_fib_stats fst;

	rte_tel_data_start_dict(d);
	if (e == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(e, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&ctl_lock);
	c = tel_ctl;
	if (c == NULL) {
		pthread_mutex_unlock(&ctl_lock);
		rte_tel_data_free(e);
		return 0;
	}
	rib_fib_stats(c->rib, ctl_now_ms(), &fst);
	rte_tel_data_add_dict_u64(d, "prefixes", rib_size(c->rib));
	rte_tel_data_add_dict_u64(d, "fib_backlog", c->backlog);
	rib_attrs_stats(&as);
	rte_tel_data_add_dict_u64(d, "rib_bytes", rib_memory(c->rib));
	rte_tel_data_add_dict_u64(d, "attr_sets", as.sets);
	rte_tel_data_add_dict_u64(d, "attr_refs", as.refs);
	rte_tel_data_add_dict_u64(d, "attr_bytes", as.bytes);
	rte_tel_data_add_dict_u64(d, "fib_pending", fst.in_flight);
	rte_tel_data_add_dict_u64(d, "not_in_fib", fst.not_in_fib);
	rte_tel_data_add_dict_u64(d, "fib_refused", fst.refused);
	rte_tel_data_add_dict_u64(d, "fib_refused_nexthops", fst.refused_nexthops);
	rte_tel_data_add_dict_u64(d, "fib_refused_table", fst.refused_table);
	rte_tel_data_add_dict_u64(d, "fib_retries", fst.retries);
	rte_tel_data_add_dict_u64(d, "fib_recovered", fst.recovered);
	rte_tel_data_add_dict_u64(d, "fib_retry_in_ms", fst.retry_in_ms);
	rte_tel_data_add_dict_u64(d, "groups", fst.groups);
	rte_tel_data_add_dict_u64(d, "groups_limit", fst.groups_limit);
	rte_tel_data_add_dict_u64(d, "groups_degraded", fst.groups_degraded);
	w.rib = c->rib;
	rib_walk(c->rib, tel_rib_one, &w);
	pthread_mutex_unlock(&ctl_lock);
	rte_tel_data_add_dict_container(d, "routes", e, 0);
	return 0;
}

/* /vbr/fib_check: FIB == RIB, checked now. Both the RIB and the FIB's writer
 * stand still meanwhile (about 0.5 us per route: a full table holds the
 * control thread and the FIB writer for some 0.5 s). */
static int
tel_fib_check(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct rib_check_report rep;
	struct control *c;
	uint64_t t0, t1;
	int rc;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&ctl_lock);
	c = tel_ctl;
	if (c == NULL) {
		pthread_mutex_unlock(&ctl_lock);
		rte_tel_data_add_dict_u64(d, "complete", 0);
		return 0;
	}
	/* Answers already given are the RIB's before it is compared. */
	fib_answers(c);
	t0 = ctl_now_ms();
	pthread_mutex_lock(c->fib_lock);
	rc = fib_check_run(c->rib, c->fib, &rep);
	pthread_mutex_unlock(c->fib_lock);
	t1 = ctl_now_ms();
	if (rc == 0)
		fib_check_tel(&rep, rib_fib_in_flight(c->rib), t1 - t0, d);
	else
		rte_tel_data_add_dict_u64(d, "complete", 0);
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

/* ------------------------------------------------------------ lifecycle */

/* A scrape's snapshot, on the control thread (metrics_fill_fn). */
static void
control_metrics(void *arg, struct metrics_snapshot *s)
{
	struct control *c = arg;

	if (c->objs != NULL)
		objects_metrics(c->objs, s);
}

static void *
ctrl_cpus_main(void *arg)
{
	return (void *)(intptr_t)pthread_getaffinity_np(pthread_self(), sizeof(cpu_set_t), arg);
}

/* The CPUs EAL gives its control threads (not the lcores'): those of a
 * control thread started for the purpose. 0 or -errno. */
static int
ctrl_cpus(cpu_set_t *cpus)
{
	pthread_t t;
	void *rc;
	int e;

	e = rte_ctrl_thread_create(&t, "vbr-cpus", NULL, ctrl_cpus_main, cpus);
	if (e != 0)
		return -e;
	pthread_join(t, &rc);
	return -(int)(intptr_t)rc;
}

static void
control_free(struct control *c)
{
	/* First: a scrape in flight gives up before what it reads goes. */
	metrics_http_destroy(c->metrics);
	bfd_tel_attach(NULL);
	bfd_destroy(c->bfd);
	mgmt_destroy(c->mgmt);
	objects_destroy(c->objs);
	bgp_destroy(c->bgp);
	if (c->rib)
		rib_destroy(c->rib);
	if (c->sender)
		route_sender_destroy(c->sender);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->stopfd >= 0)
		close(c->stopfd);
	if (c->tickfd >= 0)
		close(c->tickfd);
	if (c->reloadfd >= 0)
		close(c->reloadfd);
	free(c);
}

struct control *
control_start(struct vbr_config *cfg, const struct control_params *p, struct fib *fib,
		pthread_mutex_t *fib_lock)
{
	struct itimerspec its = {
		.it_interval = { .tv_nsec = TICK_MS * 1000000L },
		.it_value = { .tv_nsec = TICK_MS * 1000000L },
	};
	struct control *c = calloc(1, sizeof(*c));
	struct objects_params op;
	cpu_set_t cpus;
	char err[512];
	int rc;

	if (c == NULL) {
		config_free(cfg);
		return NULL;
	}
	c->fib = fib;
	c->fib_lock = fib_lock;
	c->results = fib_result_ring(fib);
	c->running = true;
	c->stop_ev.fn = on_stop;
	c->tick_ev.fn = on_tick;
	c->reload_ev.fn = on_reload;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->reloadfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	c->sender = route_sender_create(fib_route_ring(fib));
	c->rib = c->sender ? rib_create(cfg->local_asn, emit_route_op, c->sender) : NULL;
	if (c->epfd < 0 || c->stopfd < 0 || c->tickfd < 0 || c->reloadfd < 0 || c->rib == NULL ||
			rib_fib_track(c->rib) != 0 ||
			timerfd_settime(c->tickfd, 0, &its, NULL) != 0 ||
			add_fd(c->epfd, c->stopfd, &c->stop_ev) != 0 ||
			add_fd(c->epfd, c->reloadfd, &c->reload_ev) != 0 ||
			add_fd(c->epfd, c->tickfd, &c->tick_ev) != 0) {
		CTL_LOG(ERR, "cannot set up the control loop: %s", strerror(errno));
		config_free(cfg);
		goto fail;
	}
	rib_set_bgp_port(c->rib, VBR_PORT_IDC);
	rc = connected_routes_install(cfg, c->rib);
	if (rc != 0) {
		CTL_LOG(ERR, "cannot queue the connected routes: %s", strerror(-rc));
		config_free(cfg);
		goto fail;
	}
	c->bgp = bgp_create(cfg->local_asn, cfg->router_id, cfg, c->rib, c->epfd);
	if (c->bgp == NULL) {
		config_free(cfg);
		goto fail;
	}
	bfd_start(c, &cfg->ports[VBR_PORT_IDC]);
	rc = ctrl_cpus(&cpus);
	if (rc != 0) {
		CTL_LOG(ERR, "cannot read the control threads' CPUs: %s", strerror(-rc));
		config_free(cfg);
		goto fail;
	}
	c->metrics = metrics_http_create(c->epfd, control_metrics, c, &cpus);
	if (c->metrics == NULL) {
		CTL_LOG(ERR, "cannot set up the metrics endpoint: %s", strerror(errno));
		config_free(cfg);
		goto fail;
	}
	op = (struct objects_params){ .path = cfg->path, .rib = c->rib, .bgp = c->bgp,
		.sender = c->sender, .fib = fib, .fib_lock = fib_lock, .hooks = p->hooks,
		.epfd = c->epfd, .bfd = c->bfd, .metrics = c->metrics };
	CTL_LOG(INFO, "%u static route(s), %u static neighbour(s), %u BGP peer(s), %u BGP CIDR "
			"block(s) from %s", cfg->nb_routes, cfg->nb_neighbors, cfg->nb_peers,
			cfg->nb_networks, cfg->path);
	c->objs = objects_create(cfg, &op); /* takes cfg */
	if (c->objs == NULL)
		goto fail;
	c->backlog = route_sender_flush(c->sender);
	{
		const struct vbr_metrics_config *m = &objects_config(c->objs)->metrics;

		/* Scrapes wait for the loop, which starts below. */
		if (metrics_http_listen(c->metrics, m->listen_addr, m->listen_port, err,
				    sizeof(err)) != 0) {
			CTL_LOG(ERR, "metrics.listen: %s", err);
			goto fail;
		}
		if (m->listen_port != 0)
			objects_metrics_listening(m);
	}
	c->mgmt = mgmt_create(c->epfd, p->socket_path ? p->socket_path : VBR_SOCKET_DEFAULT,
			p->ro_socket_path ? p->ro_socket_path : VBR_RO_SOCKET_DEFAULT,
			objects_request, c->objs, err, sizeof(err));
	if (c->mgmt == NULL) {
		CTL_LOG(ERR, "management socket: %s", err);
		goto fail;
	}
	pthread_mutex_lock(&ctl_lock);
	tel_ctl = c;
	pthread_mutex_unlock(&ctl_lock);
	rte_telemetry_register_cmd("/vbr/bgp", tel_bgp,
			"BGP peers: state, timers, message and prefix counts. No parameters");
	rte_telemetry_register_cmd("/vbr/rib", tel_rib,
			"RIB: best route per prefix (the first 512), and what the FIB lacks. No parameters");
	rte_telemetry_register_cmd("/vbr/fib_check", tel_fib_check,
			"FIB == RIB, checked now: differences, in flight, not in the FIB. No parameters");
	rc = rte_ctrl_thread_create(&c->thread, "vbr-ctrl", NULL, control_main, c);
	if (rc != 0) {
		CTL_LOG(ERR, "cannot start the control thread: %s", strerror(rc));
		pthread_mutex_lock(&ctl_lock);
		tel_ctl = NULL;
		pthread_mutex_unlock(&ctl_lock);
		goto fail;
	}
	return c;
fail:
	control_free(c);
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
	pthread_mutex_lock(&ctl_lock);
	tel_ctl = NULL;
	pthread_mutex_unlock(&ctl_lock);
	control_free(c);
}

void
control_reload(struct control *c)
{
	uint64_t one = 1;

	/* A signal handler's call: write(2) is async-signal-safe. */
	if (c != NULL && write(c->reloadfd, &one, sizeof(one)) < 0)
		return;
}

size_t
control_backlog(struct control *c)
{
	size_t n;

	pthread_mutex_lock(&ctl_lock);
	n = c->backlog;
	pthread_mutex_unlock(&ctl_lock);
	return n;
}
