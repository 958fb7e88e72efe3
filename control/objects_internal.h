/* SPDX-License-Identifier: BSD-3-Clause */
/* What objects.c (the changes) and show.c (the views) share. */
#pragma once

#include <jansson.h>

#include "objects.h"
#include "track.h"

struct objects {
	struct vbr_config *live; /* the state last acknowledged */
	char path[4096];
	struct rib *rib;
	struct bgp *bgp;
	struct route_sender *sender;
	struct fib *fib;
	pthread_mutex_t *fib_lock;
	struct control_hooks hooks;
	char disable_msg[256]; /* the step's shutdown text, while it is applied */
	/* How long acknowledged changes took (request in -> file durable and
	 * applied), for `show stats`. */
	uint64_t changes;
	uint64_t ack_us_last, ack_us_max, ack_us_sum;
	int epfd; /* the control thread's loop: the health checks' socket joins it */
	struct objects_track *track; /* NULL until a route is tracked */
	bool track_class_full_logged;
	struct bfd *bfd; /* the BFD sessions of the peers (NULL: no BFD) */
	struct metrics_http *metrics; /* the endpoint (NULL: none) */
};

/* Whether addr is a gateway of r (its next_hop, or one of its next_hops). */
static inline bool
objects_route_via(const struct vbr_static_route *r, uint32_t addr)
{
	if (r->nb_next_hops <= 1)
		return r->next_hop == addr;
	for (unsigned i = 0; i < r->nb_next_hops && i < VBR_MAX_NEXT_HOPS; i++)
		if (r->next_hops[i] == addr)
			return true;
	return false;
}

/* A static route into the RIB through the gateways that may carry traffic
 * (objects.c; all of them unless it is tracked, see track.h), or out of it
 * when none may (was_in: it may be there). keep: a gateway whose check is
 * new counts as live (the route was installed before it was tracked). */
int objects_route_put(struct objects *o, const struct vbr_static_route *r, bool keep, bool was_in);

/* objects_track.c: the static routes' health checks. */
/* The checked next hops follow cfg's tracked routes (before its routes are
 * applied). 0 or -errno. */
int objects_track_sync(struct objects *o, const struct vbr_config *cfg);
/* The state of a tracked route's next hop; TRACK_INIT when nothing checks
 * it (no socket, no memory): a tracked route fails closed. */
enum track_state objects_track_state(const struct objects *o, uint32_t next_hop);
/* The table for the views (NULL: nothing tracked), and replies refused. */
const struct track *objects_track_table(const struct objects *o, uint64_t *recv_bad);
void objects_track_close(struct objects *o);
/* The checked next hops' addresses (at most max), for the punt class. */
unsigned objects_track_addrs(const struct objects *o, uint32_t *out, unsigned max);
/* The BGP peers and the tracked next hops to the exception path's policer
 * (objects.c). 0 or -errno. */
int objects_publish_sources(struct objects *o, const struct vbr_config *cfg);

/* show.c: the read-only ops. 0, or -errno with the message in out. */
void show_request(struct objects *o, const struct api_request *req, struct mgmt_reply *out);

/* The config as JSON with the YAML's structure; keys are never shown. */
json_t *show_config_json(const struct vbr_config *cfg);
