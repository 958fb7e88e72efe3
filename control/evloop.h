/* SPDX-License-Identifier: BSD-3-Clause */
/* What the control thread's epoll loop calls for a ready fd: every fd it
 * watches has one of these as its epoll data. */
#pragma once

#include <stdint.h>

struct ev_handler {
	void (*fn)(struct ev_handler *h, uint32_t events);
};

/* Milliseconds on the monotonic clock: the control thread's timers. */
uint64_t ctl_now_ms(void);
