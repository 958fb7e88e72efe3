/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the BFD runtime's files share (bfd.c: the thread and the API,
 * bfd_session.c: the sessions, bfd_rx.c: the receive path): the runtime's
 * state, each session's, and the calls between them. Everything here is
 * used under b->lock.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include "bfd.h"

extern int vbr_logtype_bfd;
#define BFD_LOG(level, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, vbr_logtype_bfd, "bfd: " fmt "\n", ##__VA_ARGS__)

#define RX_BURST 64		       /* packets per wake-up, then the timers */
#define TIMER_EVENTS_MAX 8	       /* per session and turn: each makes progress */
#define QUIET_LOG_US (10 * 1000000ull) /* not Up this long after creation: say so */
#define LINGER_MIN_US (2 * 1000000ull) /* AdminDown told at least this long */

struct bfd_sess {
	bool used;
	bool lingering; /* removed: AdminDown until linger_until */
	uint32_t peer;
	char addr[16];
	int fd; /* sends from src_port */
	uint16_t src_port;
	struct bfd_session_conf conf;
	struct bfd_fsm fsm;
	struct bfd_auth_state auth;
	uint64_t created_us, since_us, linger_until;
	bool ever_up, quiet_logged;
	uint64_t logged_intervals; /* tx, rx (ms) last logged while Up */
	/* The report latch: in the queue at most once. */
	bool queued, went_down;
	uint8_t down_diag;
	uint64_t flaps, rx, tx, tx_errors, drop[BFD_DROP_COUNT];
};

struct bfd {
	pthread_mutex_t lock;
	pthread_t thread;
	bool running, started;
	uint32_t local;
	int epfd, rx_fd, timer_fd, wake_fd, notify_fd;
	struct bfd_sess sess[BFD_MAX_SESSIONS];
	unsigned queue[BFD_MAX_SESSIONS]; /* slots with a report, in order */
	unsigned q_len;
	struct bfd_global_stats st;
	uint32_t mask;	  /* the IDC subnet's: single hop, peers are in it */
	unsigned ifindex; /* the IDC tap's: packets from elsewhere are not BFD's */
};

/* bfd.c */
uint64_t bfd_now_us(void); /* CLOCK_MONOTONIC */
void bfd_kick(int fd);	   /* an eventfd written */

/* bfd_session.c */
int bfd_udp_socket(void); /* TTL 255, CS6, non-blocking; or -errno */
/* A live session with peer first, else one lingering; or NULL. */
struct bfd_sess *bfd_sess_by_peer(struct bfd *b, uint32_t peer);
struct bfd_sess *bfd_sess_by_disc(struct bfd *b, uint32_t disc);
int bfd_sess_add(struct bfd *b, uint32_t peer, const struct bfd_session_conf *conf, uint64_t now);
void bfd_sess_configure(
	struct bfd *b, struct bfd_sess *s, const struct bfd_session_conf *conf, uint64_t now);
void bfd_sess_event(
	struct bfd *b, struct bfd_sess *s, const struct bfd_fsm_input *in, uint64_t now);
void bfd_sess_log_intervals(struct bfd_sess *s);
/* Its due timers run; its next deadline (0: none). */
uint64_t bfd_sess_timers(struct bfd *b, struct bfd_sess *s, uint64_t now);
void bfd_sess_free(struct bfd *b, struct bfd_sess *s);
void bfd_sess_status(const struct bfd_sess *s, uint64_t now, struct bfd_session_status *st);
void bfd_queue_remove(struct bfd *b, unsigned slot);

/* bfd_rx.c */
int bfd_rx_open(uint32_t local);  /* our socket on local:3784, or -errno */
void bfd_rx_burst(struct bfd *b); /* up to RX_BURST datagrams */
