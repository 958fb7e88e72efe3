/* SPDX-License-Identifier: BSD-3-Clause */
/* What objects.c (the changes) and show.c (the views) share. */
#pragma once

#include <jansson.h>

#include "objects.h"

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
	struct bfd *bfd; /* the BFD sessions of the peers (NULL: no BFD) */
};

/* show.c: the read-only ops. 0, or -errno with the message in out. */
void show_request(struct objects *o, const struct api_request *req, struct mgmt_reply *out);

/* The config as JSON with the YAML's structure; keys are never shown. */
json_t *show_config_json(const struct vbr_config *cfg);
