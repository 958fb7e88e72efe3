/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The management socket server (protocol: api/api.h), run by the control
 * thread's epoll loop: a read-write Unix socket (mode 0600) and an optional
 * read-only one (mode 0666) that serves only the read-only ops.
 *
 * A client sends one request; the handler runs synchronously on the control
 * thread and fills a reply, which is buffered and written out non-blocking,
 * then the connection is closed. Local clients may be hostile too, so
 * everything is bounded: a request at most API_REQUEST_MAX bytes, at most
 * MGMT_MAX_CLIENTS clients per socket at once (the next gets "busy"), on
 * the read-only socket (any local user's) MGMT_MAX_CLIENTS_PER_UID per user, a
 * complete request within MGMT_REQUEST_TIMEOUT_MS of connecting, a reply's
 * writing making progress at least every MGMT_WRITE_TIMEOUT_MS. No fd ever
 * blocks the loop.
 *
 * libc + jansson + api/ only: the unit tests run it in their own loop.
 */
#pragma once

#include <stdint.h>

#include "api.h"
#include "evloop.h"

#define MGMT_MAX_CLIENTS 16
/* On the read-only socket (any local user may connect), per user. */
#define MGMT_MAX_CLIENTS_PER_UID 4
#define MGMT_REQUEST_TIMEOUT_MS 10000
#define MGMT_WRITE_TIMEOUT_MS 30000

struct mgmt;
struct mgmt_reply;

/* Runs on the control thread for each request the socket may serve; fills
 * out with records (mgmt_reply_record) or an error (mgmt_reply_error).
 * Nothing added means {"ok": true}. */
typedef void (*mgmt_handler_fn)(void *arg, const struct api_request *req, struct mgmt_reply *out);

/*
 * Listens on rw_path and, unless NULL, ro_path: creates their directory
 * (mkdir -p, 0755), replaces a stale socket file (refuses a path another
 * process serves, or one that is not a socket), and adds the listening fds
 * to epfd (level-triggered, EPOLLIN, data.ptr = a struct ev_handler). NULL
 * on error, with the message in err.
 */
struct mgmt *mgmt_create(int epfd, const char *rw_path, const char *ro_path, mgmt_handler_fn fn,
	void *arg, char *err, size_t errlen);

/* Closes the clients past their timeouts. now_ms: CLOCK_MONOTONIC in ms
 * (ctl_now_ms()). Call it from the loop's tick handler, at most once per
 * epoll_wait round: a client it closes is freed at the next call, so that
 * an event of the same round never finds it freed. */
void mgmt_tick(struct mgmt *m, uint64_t now_ms);

/* Closes every client and both sockets, and removes the socket files. */
void mgmt_destroy(struct mgmt *m);

/* Appends a record to the reply; steals rec. 0, or -ENOMEM (the reply is
 * then the error "out of memory"). Ignored once the reply is an error. */
int mgmt_reply_record(struct mgmt_reply *out, json_t *rec);
/* Makes the reply the error message (the records so far are dropped: an
 * error is one line). The first error wins. */
void mgmt_reply_error(struct mgmt_reply *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What the server refused or dropped since it started. */
struct mgmt_stats {
	uint64_t requests;  /* handed to the handler */
	uint64_t refused;   /* malformed, or a mutation on the read-only socket */
	uint64_t too_large; /* over API_REQUEST_MAX */
	uint64_t busy;	    /* over MGMT_MAX_CLIENTS */
	uint64_t idle;	    /* no request within MGMT_REQUEST_TIMEOUT_MS */
	uint64_t stalled;   /* reply not read for MGMT_WRITE_TIMEOUT_MS */
	uint64_t accept_failed;
};
void mgmt_get_stats(const struct mgmt *m, struct mgmt_stats *st);
