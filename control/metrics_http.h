/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus endpoint: GET /metrics over HTTP (libmicrohttpd, on a
 * thread of ours, "vbr-metrics"), off unless the config has
 * metrics.listen. The numbers belong to the control thread: a scrape asks
 * it for a snapshot through an eventfd in its epoll loop and waits,
 * bounded, for the answer; the HTTP thread then renders the copy
 * (metrics.h). A snapshot younger than METRICS_HTTP_REUSE_MS answers the
 * scrapes that follow: one fill a second at most, however often it is
 * scraped. Nothing of the control thread's is read from the HTTP thread,
 * and the control thread never waits for it. The socket is made by the
 * thread that calls metrics_http_listen, in vbrd's network namespace.
 */
#pragma once

#include <sched.h>
#include <stdint.h>

#include "evloop.h"
#include "metrics.h"

/* Bounds on what the outside can fill. */
#define METRICS_HTTP_CONN_MAX 32    /* connections at once */
#define METRICS_HTTP_PER_IP_MAX 4   /* of them from one address */
#define METRICS_HTTP_TIMEOUT_S 10   /* an idle connection is closed after */
#define METRICS_HTTP_HEADER_DEADLINE_S 5 /* a request's headers, whole, within */
#define METRICS_HTTP_FULL_DEADLINE_MS 1000 /* the same with every connection taken */
#define METRICS_HTTP_SWEEP_MS 250   /* the deadline's check; stopping takes as long */
#define METRICS_HTTP_MEMORY 16384   /* per connection: request line and headers */
#define METRICS_HTTP_WAIT_MS 3000   /* a scrape waits for the control thread (503 after) */
#define METRICS_HTTP_REUSE_MS 1000  /* a snapshot younger than this answers again */

struct metrics_http;

/* Fills s on the control thread: every field, from the live state. */
typedef void (*metrics_fill_fn)(void *arg, struct metrics_snapshot *s);

/* The server, not listening yet; its eventfd joins epfd (the control
 * loop), whose thread then calls fill. Its HTTP thread runs on cpus (the
 * control threads', never a forwarding or the main lcore), or where the
 * caller of metrics_http_listen runs when NULL. NULL on error (errno). */
struct metrics_http *metrics_http_create(int epfd, metrics_fill_fn fill, void *arg,
		const cpu_set_t *cpus);

/* Listen on addr:port (host order), or nowhere when port is 0. Same
 * address: nothing done. The new socket is bound before the one before
 * stops (the same port on another address excepted: stop, then bind). On
 * an error err says "A:P: why", and the one before is kept or restored;
 * if it cannot be, nothing listens: metrics_http_port is then 0. 0 or
 * -errno. */
int metrics_http_listen(struct metrics_http *m, uint32_t addr, uint16_t port, char *err,
		size_t errlen);

/* The port listened on now, 0 when none. */
uint16_t metrics_http_port(const struct metrics_http *m);

/* Stop listening and free it (NULL: nothing). */
void metrics_http_destroy(struct metrics_http *m);
