/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks of static routes' next hops (a route's `track:`), as the
 * cloud's VBR does them: an ICMP echo to the next hop every interval from
 * our address on its port. misses probes unanswered in a row make the next
 * hop down, and the routes through it leave the RIB, so that another route
 * (BGP's, or a shorter prefix) carries the traffic instead of a dead
 * router; rise answered in a row bring it back. A next hop starts unknown
 * and its routes stay out until its first answer: a route is never
 * installed toward a next hop not yet seen alive.
 *
 * Pure logic, no sockets and no clock: the caller sends the probes
 * (track_icmp.c) and feeds the answers and the time in milliseconds.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum track_state {
	TRACK_INIT = 0, /* no answer yet: its routes are not installed */
	TRACK_UP = 1,
	TRACK_DOWN = 2,
};

/* A next hop to check and how. Several routes through one next hop make
 * one check, the most eager of theirs (shortest interval, fewest misses,
 * least rise). */
struct track_target {
	uint32_t addr;
	uint8_t port;
	struct vbr_track params;
};

struct track_info {
	uint32_t addr;
	uint8_t port;
	struct vbr_track params;
	enum track_state state;
	uint64_t since_ms;    /* in this state since */
	uint64_t sent;	      /* probes sent */
	uint64_t answered;    /* answers matched to a probe in time */
	uint64_t late;	      /* answers to an older probe, or repeated */
	uint64_t wrong_port;  /* answers that came in on another port */
	uint64_t send_errors; /* probes the socket refused */
	uint64_t flaps;	      /* up -> down */
	uint32_t missed;      /* unanswered in a row now */
	uint32_t rtt_us;      /* of the last answer */
};

struct track_ops {
	/* Send probe seq to addr; 0 or -errno (counted, and a miss). */
	int (*send)(void *arg, uint32_t addr, uint16_t id, uint16_t seq);
	/* The next hop's routes go (up false) or come back (up true); from:
	 * its state before (TRACK_INIT: it never answered). */
	void (*changed)(void *arg, uint32_t addr, bool up, enum track_state from);
	void *arg;
};

struct track;

/* id: the ICMP identifier of this process's probes; seq: the sequence
 * number before the first (random, so that a forged answer must guess
 * both). */
struct track *track_create(const struct track_ops *ops, uint16_t id, uint16_t seq);
void track_destroy(struct track *t);

/* The next hops to check from now on: new ones start unknown (probed at
 * once), kept ones keep their state and take the new parameters, the others
 * are forgotten. Calls no callback. 0 or -ENOMEM (nothing changed). */
int track_set(struct track *t, const struct track_target *targets, unsigned n, uint64_t now_ms);

/* Sends what is due and counts the probes that went unanswered since; calls
 * changed() for every next hop that went down or came back. */
void track_poll(struct track *t, uint64_t now_ms);

/* An echo reply from addr, received on port, with identifier id and
 * sequence seq, at now_us (microseconds, same clock). Replies not ours are
 * ignored; one from another port than the next hop's is counted and
 * ignored; a change of state calls changed(). */
void track_answer(
	struct track *t, uint32_t addr, uint8_t port, uint16_t id, uint16_t seq, uint64_t now_us);

unsigned track_count(const struct track *t);
/* The i-th checked next hop (0 <= i < track_count()), sorted by address. */
int track_get(const struct track *t, unsigned i, struct track_info *out);
/* The one for addr, or -ENOENT. */
int track_find(const struct track *t, uint32_t addr, struct track_info *out);

const char *track_state_name(enum track_state s);
