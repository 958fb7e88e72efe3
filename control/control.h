/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: owns the routes (connected, static, and later BGP's)
 * and sends their changes to the FIB writer as route ops. This header is the
 * whole of what dataplane/ may use of control/.
 */
#pragma once

#include <pthread.h>

#include "config.h"
#include "fib.h"

struct control;

/* Start the control thread. It installs the configured routes at once, sends
 * route ops on fib's route ring and reads the writer's answers on its result
 * ring. fib_lock is the lock the FIB writer holds while it works: the
 * FIB == RIB check (/vbr/fib_check) takes it, after the control thread's.
 * NULL on error (logged). */
struct control *control_start(
	const struct vbr_config *cfg, struct fib *fib, pthread_mutex_t *fib_lock);

/* Stop the thread and free everything. */
void control_stop(struct control *c);

/* Route ops not yet on the ring (waiting for room). */
size_t control_backlog(struct control *c);
