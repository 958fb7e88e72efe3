/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks of static next hops: the state of each checked next hop,
 * its probe schedule and the counting of misses (track.h). A probe counts
 * as missed when the next one is due and it has no answer: interval is
 * also each probe's timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"

struct entry {
	struct track_info info;
	uint64_t next_ms;  /* the next probe */
	uint64_t sent_ms;  /* the outstanding probe's */
	uint16_t seq;	   /* the outstanding probe's */
	bool outstanding;  /* a probe waits for its answer */
	uint32_t in_a_row; /* answered in a row */
};

struct track {
	struct track_ops ops;
	uint16_t id;
	uint16_t seq;
	unsigned n;
	struct entry *e; /* sorted by address */
};

struct track *
track_create(const struct track_ops *ops, uint16_t id, uint16_t seq)
{
	struct track *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ops = *ops;
	t->id = id;
	t->seq = seq;
	return t;
}

void
track_destroy(struct track *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t);
}

static long
find(const struct track *t, uint32_t addr)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->e[mid].info.addr == addr)
			return mid;
		if (t->e[mid].info.addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
target_cmp(const void *pa, const void *pb)
{
	const struct track_target *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

#define MIN_NONZERO(a, b) ((a) == 0 ? (b) : (b) == 0 ? (a) : (a) < (b) ? (a) : (b))

int
track_set(struct track *t, const struct track_target *targets, unsigned n, uint64_t now_ms)
{
	struct track_target *s = malloc(((size_t)n + 1) * sizeof(*s));
	struct entry *e = calloc((size_t)n + 1, sizeof(*e));
	unsigned m = 0;

	if (s == NULL || e == NULL) {
		free(s);
		free(e);
		return -ENOMEM;
	}
	if (n)
		memcpy(s, targets, n * sizeof(*s));
	qsort(s, n, sizeof(*s), target_cmp);
	for (unsigned i = 0; i < n; i++) {
		struct vbr_track *p;

		if (m > 0 && e[m - 1].info.addr == s[i].addr) {
			/* The most eager of the routes through it. */
			p = &e[m - 1].info.params;
			p->interval = MIN_NONZERO(p->interval, s[i].params.interval);
			p->misses = MIN_NONZERO(p->misses, s[i].params.misses);
			p->rise = MIN_NONZERO(p->rise, s[i].params.rise);
			continue;
		}
		long k = find(t, s[i].addr);

		if (k >= 0) {
			e[m] = t->e[k];
		} else {
			e[m].info.addr = s[i].addr;
			e[m].info.since_ms = now_ms;
			e[m].next_ms = now_ms;
		}
		e[m].info.port = s[i].port;
		e[m].info.params = s[i].params;
		if (e[m].info.params.interval == 0)
			e[m].info.params.interval = VBR_TRACK_DEFAULT_INTERVAL;
		if (e[m].info.params.misses == 0)
			e[m].info.params.misses = VBR_TRACK_DEFAULT_MISSES;
		if (e[m].info.params.rise == 0)
			e[m].info.params.rise = VBR_TRACK_DEFAULT_RISE;
		m++;
	}
	/* A shorter interval applies from now, not after the old one; after the
	 * merge above, which may have shortened it. */
	for (unsigned i = 0; i < m; i++)
		if (e[i].next_ms > now_ms + e[i].info.params.interval * 1000ull)
			e[i].next_ms = now_ms + e[i].info.params.interval * 1000ull;
	free(s);
	free(t->e);
	t->e = e;
	t->n = m;
	return 0;
}

static void
set_state(struct track *t, struct entry *x, enum track_state s, uint64_t now_ms)
{
	enum track_state was = x->info.state;

	x->info.state = s;
	x->info.since_ms = now_ms;
	if (was == TRACK_UP && s == TRACK_DOWN)
		x->info.flaps++;
	/* From unknown to down too: a route installed before its check
	 * began (keep) must go. */
	t->ops.changed(t->ops.arg, x->info.addr, s == TRACK_UP, was);
}

/* The outstanding probe had its interval: a miss. */
static void
missed(struct track *t, struct entry *x, uint64_t now_ms)
{
	x->outstanding = false;
	x->in_a_row = 0;
	x->info.missed++;
	if (x->info.state != TRACK_DOWN && x->info.missed >= x->info.params.misses)
		set_state(t, x, TRACK_DOWN, now_ms);
}

void
track_poll(struct track *t, uint64_t now_ms)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct entry *x = &t->e[i];
		int rc;

		if (x->next_ms > now_ms)
			continue;
		if (x->outstanding)
			missed(t, x, now_ms);
		x->seq = ++t->seq;
		x->sent_ms = now_ms;
		x->next_ms = now_ms + x->info.params.interval * 1000ull;
		x->info.sent++;
		rc = t->ops.send(t->ops.arg, x->info.addr, t->id, x->seq);
		if (rc != 0)
			x->info.send_errors++;
		/* A probe that could not leave is a miss when its time is up,
		 * like one that got no answer. */
		x->outstanding = true;
	}
}

void
track_answer(
	struct track *t, uint32_t addr, uint8_t port, uint16_t id, uint16_t seq, uint64_t now_us)
{
	long k = id == t->id ? find(t, addr) : -1;
	struct entry *x;
	uint64_t sent_us;

	if (k < 0)
		return;
	x = &t->e[k];
	if (port != x->info.port) {
		x->info.wrong_port++;
		return;
	}
	if (!x->outstanding || seq != x->seq) {
		x->info.late++;
		return;
	}
	x->outstanding = false;
	x->info.answered++;
	x->info.missed = 0;
	x->in_a_row++;
	sent_us = x->sent_ms * 1000;
	x->info.rtt_us = now_us > sent_us ? (uint32_t)(now_us - sent_us) : 0;
	if (x->info.state == TRACK_INIT ||
		(x->info.state == TRACK_DOWN && x->in_a_row >= x->info.params.rise))
		set_state(t, x, TRACK_UP, now_us / 1000);
}

unsigned
track_count(const struct track *t)
{
	return t->n;
}

int
track_get(const struct track *t, unsigned i, struct track_info *out)
{
	if (i >= t->n)
		return -ENOENT;
	*out = t->e[i].info;
	return 0;
}

int
track_find(const struct track *t, uint32_t addr, struct track_info *out)
{
	long k = find(t, addr);

	if (k < 0)
		return -ENOENT;
	*out = t->e[k].info;
	return 0;
}

const char *
track_state_name(enum track_state s)
{
	switch (s) {
	case TRACK_INIT:
		return "init";
	case TRACK_UP:
		return "up";
	case TRACK_DOWN:
		return "down";
	}
	return "?";
}
