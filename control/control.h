/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: owns the runtime objects (BGP groups and peers, CIDR
 * blocks, static routes and neighbours), the RIB and the management
 * sockets, and sends route changes to the FIB writer as route ops. This
 * header is the whole of what the daemon uses of control/.
 */
#pragma once

#include <pthread.h>

#include "config.h"
#include "fib.h"
#include "objects.h"

#define VBR_SOCKET_DEFAULT "/run/vbr/vbrd.sock"
#define VBR_RO_SOCKET_DEFAULT "/run/vbr/vbrd-ro.sock"

struct control;

struct control_params {
	const char *socket_path;    /* read-write management socket (mode 0600) */
	const char *ro_socket_path; /* read-only one: show only (mode 0666) */
	struct control_hooks hooks;
};

/* Start the control thread with cfg as the wanted state (taken over: the
 * thread owns it from now; cfg->path is where changes are written back). It
 * installs the configured routes at once, sends route ops on fib's route
 * ring and reads the writer's answers on its result ring. fib_lock is the
 * lock the FIB writer holds while it works: the FIB == RIB check and the
 * FIB views take it, after the control thread's. NULL on error (logged). */
struct control *control_start(struct vbr_config *cfg, const struct control_params *p,
		struct fib *fib, pthread_mutex_t *fib_lock);

/* Re-read the config file and apply the difference, on the control thread
 * (async-signal-safe: SIGHUP's handler calls it). */
void control_reload(struct control *c);

/* Stop the thread and free everything. */
void control_stop(struct control *c);

/* Route ops not yet on the ring (waiting for room). */
size_t control_backlog(struct control *c);
