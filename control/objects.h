/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running router's objects, owned by the control thread: BGP groups (by
 * name), BGP peers (by address), BGP CIDR blocks, static routes and static
 * neighbours. Their wanted state is a struct vbr_config, the live one; every
 * console step (and a reload of the file) makes a candidate from it, checks
 * it with the config's rules, writes it to the config file (atomically,
 * durably), and only then applies the difference to the sessions, the RIB
 * and the FIB, touching nothing else. A refused step changes nothing.
 */
#pragma once

#include <pthread.h>
#include <stdint.h>

#include "api.h"
#include "bfd.h"
#include "bgp.h"
#include "config.h"
#include "fib.h"
#include "metrics.h"
#include "metrics_http.h"
#include "mgmt.h"
#include "rib.h"
#include "route_sender.h"

/* What the daemon lends the control thread: the dataplane lives in a room
 * that control/ does not include. */
struct control_hooks {
	/* The BGP peers' addresses and the tracked next hops (whose echo
	 * replies the exception path protects), after every change of either
	 * (and once at start). */
	int (*peers_changed)(void *arg, const uint32_t *addrs, unsigned n, const uint32_t *tracked,
			unsigned m);
	/* The dataplane's counters for `show stats`: a new JSON object. */
	json_t *(*stats)(void *arg);
	/* The same counters for the metrics endpoint, and the forwarding
	 * lcores' busy cycles. NULL: none. */
	void (*metrics)(void *arg, struct metrics_dp *out);
	void *arg;
};

struct objects;

struct objects_params {
	const char *path; /* the config file: written back on every change */
	struct rib *rib;
	struct bgp *bgp;
	struct route_sender *sender;
	struct fib *fib;
	pthread_mutex_t *fib_lock;
	struct control_hooks hooks;
	int epfd; /* the control thread's epoll (the health checks' socket); -1: none */
	struct bfd *bfd; /* NULL: no BFD (it could not start) */
	struct metrics_http *metrics; /* follows metrics.listen on reload; NULL: never */
};

/* Takes cfg (freed by objects_destroy) and makes its objects: sessions,
 * CIDR blocks, static routes and neighbours. NULL on error (logged). */
struct objects *objects_create(struct vbr_config *cfg, const struct objects_params *p);
void objects_destroy(struct objects *o);

/* The management server's handler (mgmt_handler_fn). */
void objects_request(void *arg, const struct api_request *req, struct mgmt_reply *out);

/* Re-read the config file and apply what differs (SIGHUP, `vbrctl
 * reload`). 0, or -errno with the reason in err. */
int objects_reload(struct objects *o, char *err, size_t errlen);

/* What `show stats`, `show peers` and `show fib` show, for the metrics
 * endpoint (metrics_fill_fn; show.c). */
void objects_metrics(void *arg, struct metrics_snapshot *s);

/* Logs where the metrics endpoint listens now, and a WARNING when that
 * is not a loopback address (reachable from the data ports). */
void objects_metrics_listening(const struct vbr_metrics_config *m);

/* The static routes' health checks: probes due, misses counted (each tick). */
void objects_track_tick(struct objects *o, uint64_t now_ms);

/* Routes, neighbours and peers as configured now (read-only). */
const struct vbr_config *objects_config(const struct objects *o);
