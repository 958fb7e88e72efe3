/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DIR-24-8 engine's writer side: the route hash, the changes to tbl24
 * and tbl8 groups, and the deferred reuse of groups (see dir24.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "dir24.h"
#include "heap_advise.h"
#include "siphash.h"

#define TBL24_SIZE (1u << 24)
#define TBL8_GROUP 256u
#define HASH_MIN 4096u
#define NOT_IDLE UINT32_MAX
/* Idle groups unhooked per call of dir24_reclaim, at most. */
#define UNHOOK_BATCH 1024u

/* A route in the hash: prefix in the high word; used, depth and id below. */
#define SLOT_USED 0x80000000u
#define SLOT_PREFIX(s) ((uint32_t)((s) >> 32))
#define SLOT_DEPTH(s) ((uint8_t)(((s) >> DIR24_DEPTH_SHIFT) & 0x3f))
#define SLOT_NH(s) ((uint32_t)(s) & DIR24_NH_MASK)

#define ENTRY(nh, depth) ((nh) | (uint32_t)(depth) << DIR24_DEPTH_SHIFT)
#define ENTRY_DEPTH(e) (((e) >> DIR24_DEPTH_SHIFT) & 0x3f)

struct idlist {
	uint32_t *ids;
	uint32_t n;
};

struct dir24 {
	struct dir24_tables tables; /* first: readers come in through it */
	uint32_t *tbl24;
	uint32_t *tbl8;
	uint16_t *tbl8_long;	    /* per group: its routes longer than /24 */
	uint32_t *tbl8_owner;	    /* per group: the tbl24 index it is hooked at */
	uint32_t *idle_pos;	    /* per group: its place in idle, or NOT_IDLE */
	uint32_t max_tbl8;
	uint32_t tbl8_used;
	uint32_t low_water;	    /* fewer free groups than this: idle ones unhook */
	struct idlist free_groups;  /* a stack */
	struct idlist idle;	    /* hooked, but without routes longer than /24 */
	struct idlist retired;	    /* unhooked since the last grace period started */
	struct idlist pending;	    /* waiting for the grace period of token */
	uint64_t token;
	uint64_t pending_since;	    /* timer cycles */
	struct rte_rcu_qsbr *qsbr;

	uint64_t *slots; /* open addressing, linear probing, backward-shift delete */
	uint32_t mask;
	uint32_t routes;
	uint32_t max_routes;
	/* Routes per length, so that a search for the routes covering an
	 * address probes only lengths that may hold one: lengths below 8
	 * counted for the whole table, 8..15 per /8, 16..32 per /16. */
	uint32_t per_depth[33];
	uint32_t (*per8)[8];   /* [256][depth - 8] */
	uint32_t (*per16)[17]; /* [65536][depth - 16] */
	uint64_t key[2];
};

static inline uint32_t
depth_mask(uint8_t depth)
{
	return depth == 0 ? 0 : ~0u << (32 - depth);
}

static inline void
entry_set(uint32_t *e, uint32_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

/* ---- the route hash ---- */

static inline uint32_t
slot_of(const struct dir24 *t, uint32_t prefix, uint8_t depth)
{
	return (uint32_t)siphash13_u64(t->key, (uint64_t)prefix << 8 | depth) & t->mask;
}

static inline bool
slot_is(uint64_t s, uint32_t prefix, uint8_t depth)
{
	return (s & SLOT_USED) && SLOT_PREFIX(s) == prefix && SLOT_DEPTH(s) == depth;
}

/* The slot of prefix/depth, or -1. */
static int64_t
hash_find(const struct dir24 *t, uint32_t prefix, uint8_t depth)
{
	uint32_t i = slot_of(t, prefix, depth);

	for (;;) {
		uint64_t s = t->slots[i];

		if (!(s & SLOT_USED))
			return -1;
		if (slot_is(s, prefix, depth))
			return i;
		i = (i + 1) & t->mask;
	}
}

static void
hash_put(uint64_t *slots, uint32_t mask, uint32_t i, uint64_t s)
{
	while (slots[i] & SLOT_USED)
		i = (i + 1) & mask;
	slots[i] = s;
}

static inline uint64_t
slot_make(uint32_t prefix, uint8_t depth, uint32_t nh)
{
	return (uint64_t)prefix << 32 | SLOT_USED | ENTRY(nh, depth);
}

/* Room for one more route: the hash stays at most half full. */
static int
hash_reserve(struct dir24 *t)
{
	uint32_t size = t->mask + 1, nsize, i;
	uint64_t *ns;

	if (t->routes >= t->max_routes)
		return -ENOSPC;
	if ((t->routes + 1) * 2 <= size)
		return 0;
	nsize = size * 2;
	ns = calloc(nsize, sizeof(*ns));
	if (ns == NULL)
		return -ENOSPC;
	heap_advise_huge(ns, (size_t)nsize * sizeof(*ns));
	t->mask = nsize - 1;
	for (i = 0; i < size; i++) {
		uint64_t s = t->slots[i];

		if (s & SLOT_USED)
			hash_put(ns, t->mask, slot_of(t, SLOT_PREFIX(s), SLOT_DEPTH(s)), s);
	}
	free(t->slots);
	t->slots = ns;
	return 0;
}

/* Linear probing's delete: later entries of the cluster that may no longer
 * be reachable past the hole move back into it. */
static void
hash_remove(struct dir24 *t, uint32_t hole)
{
	uint32_t i = hole;

	for (;;) {
		uint64_t s;
		uint32_t home;

		i = (i + 1) & t->mask;
		s = t->slots[i];
		if (!(s & SLOT_USED))
			break;
		home = slot_of(t, SLOT_PREFIX(s), SLOT_DEPTH(s));
		/* s stays if its home lies cyclically in (hole, i]. */
		if (((i - home) & t->mask) < ((i - hole) & t->mask))
			continue;
		t->slots[hole] = s;
		hole = i;
	}
	t->slots[hole] = 0;
}

/* ---- life cycle ---- */

static int
idlist_init(struct idlist *l, uint32_t cap)
{
	l->ids = calloc(cap, sizeof(*l->ids));
	l->n = 0;
	return l->ids == NULL ? -ENOMEM : 0;
}

static void
hash_key_init(uint64_t key[2])
{
	if (getrandom(key, 2 * sizeof(key[0]), GRND_NONBLOCK) == 2 * sizeof(key[0]))
		return;
	/* Early boot without entropy: what varies between runs. */
	key[0] = rte_rdtsc() ^ (uint64_t)(uintptr_t)key;
	key[1] = siphash13_u64(key, rte_get_timer_cycles());
}

struct dir24 *
dir24_create(const char *name, int socket_id, uint32_t max_routes, uint32_t max_tbl8,
	struct rte_rcu_qsbr *qsbr)
{
	char mz[64];
	struct dir24 *t;
	uint32_t i;

	if (max_routes == 0 || max_tbl8 == 0 || max_tbl8 > DIR24_NH_MAX || qsbr == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->qsbr = qsbr;
	t->max_tbl8 = max_tbl8;
	t->max_routes = max_routes;
	snprintf(mz, sizeof(mz), "%s_tbl24", name);
	t->tbl24 = rte_zmalloc_socket(mz, sizeof(uint32_t) * TBL24_SIZE, RTE_CACHE_LINE_SIZE,
		socket_id);
	snprintf(mz, sizeof(mz), "%s_tbl8", name);
	t->tbl8 = rte_zmalloc_socket(mz, sizeof(uint32_t) * TBL8_GROUP * (size_t)max_tbl8,
		RTE_CACHE_LINE_SIZE, socket_id);
	t->tbl8_long = calloc(max_tbl8, sizeof(*t->tbl8_long));
	t->per8 = calloc(256, sizeof(*t->per8));
	t->per16 = calloc(65536, sizeof(*t->per16));
	t->tbl8_owner = calloc(max_tbl8, sizeof(*t->tbl8_owner));
	t->idle_pos = malloc(max_tbl8 * sizeof(*t->idle_pos));
	t->slots = calloc(HASH_MIN, sizeof(*t->slots));
	t->mask = HASH_MIN - 1;
	if (t->tbl24 == NULL || t->tbl8 == NULL || t->tbl8_long == NULL || t->slots == NULL ||
		t->tbl8_owner == NULL || t->idle_pos == NULL || t->per8 == NULL || t->per16 == NULL || idlist_init(&t->idle, max_tbl8) < 0 ||
		idlist_init(&t->free_groups, max_tbl8) < 0 ||
		idlist_init(&t->retired, max_tbl8) < 0 || idlist_init(&t->pending, max_tbl8) < 0) {
		dir24_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Popped from the top: group 0 first. */
	for (i = 0; i < max_tbl8; i++) {
		t->free_groups.ids[i] = max_tbl8 - 1 - i;
		t->idle_pos[i] = NOT_IDLE;
	}
	t->low_water = RTE_MAX(max_tbl8 / 8, 1u);
	t->free_groups.n = max_tbl8;
	hash_key_init(t->key);
	t->tables.tbl24 = t->tbl24;
	t->tables.tbl8 = t->tbl8;
	return t;
}

void
dir24_free(struct dir24 *t)
{
	if (t == NULL)
		return;
	rte_free(t->tbl24);
	rte_free(t->tbl8);
	free(t->tbl8_long);
	free(t->per8);
	free(t->per16);
	free(t->tbl8_owner);
	free(t->idle_pos);
	free(t->idle.ids);
	free(t->free_groups.ids);
	free(t->retired.ids);
	free(t->pending.ids);
	free(t->slots);
	free(t);
}

/* ---- tbl8 groups ---- */

/* The pending groups' grace period is over: they are free. */
static bool
pending_free(struct dir24 *t)
{
	if (rte_rcu_qsbr_check(t->qsbr, t->token, false) != 1)
		return false;
	memcpy(&t->free_groups.ids[t->free_groups.n], t->pending.ids,
		t->pending.n * sizeof(uint32_t));
	t->free_groups.n += t->pending.n;
	t->pending.n = 0;
	return true;
}

static void
idle_add(struct dir24 *t, uint32_t g)
{
	t->idle_pos[g] = t->idle.n;
	t->idle.ids[t->idle.n++] = g;
}

static void
idle_remove(struct dir24 *t, uint32_t g)
{
	uint32_t at = t->idle_pos[g], last = t->idle.ids[--t->idle.n];

	t->idle.ids[at] = last;
	t->idle_pos[last] = at;
	t->idle_pos[g] = NOT_IDLE;
}

/*
 * A group whose last route longer than /24 went stays hooked, idle: all its
 * entries hold the /24's route, so lookups through it are right, and a long
 * route coming back to that /24 (a flap) takes it again at no cost. Idle
 * groups are unhooked only when free ones run short: tbl24 takes the /24's
 * route, and the group waits for the readers still in it.
 */
static void
idle_unhook(struct dir24 *t, uint32_t max)
{
	while (max-- > 0 && t->idle.n != 0) {
		uint32_t g = t->idle.ids[t->idle.n - 1];

		idle_remove(t, g);
		entry_set(&t->tbl24[t->tbl8_owner[g]], t->tbl8[(size_t)g * TBL8_GROUP]);
		t->retired.ids[t->retired.n++] = g;
		t->tbl8_used--;
	}
}

uint32_t
dir24_reclaim(struct dir24 *t)
{
	if (t->free_groups.n < t->low_water)
		idle_unhook(t, UNHOOK_BATCH);
	if (t->pending.n != 0 && !pending_free(t))
		return t->pending.n + t->retired.n;
	if (t->retired.n != 0) {
		struct idlist l = t->pending;

		t->pending = t->retired;
		t->retired = l;
		/* After the unhooking stores: a reader that reports a
		 * quiescent state later no longer holds the old entries.
		 * Without readers online it is over at once. */
		t->token = rte_rcu_qsbr_start(t->qsbr);
		t->pending_since = rte_get_timer_cycles();
		pending_free(t);
	}
	return t->pending.n + t->retired.n;
}

uint64_t
dir24_retire_wait(const struct dir24 *t, uint64_t now, uint64_t *token)
{
	if (t->pending.n == 0)
		return 0;
	*token = t->token;
	return now - t->pending_since;
}

/* A group filled with fill, or -ENOSPC. */
static int
group_get(struct dir24 *t, uint32_t idx, uint32_t fill, uint32_t *g)
{
	uint32_t *e;
	unsigned int i;

	if (t->free_groups.n == 0)
		dir24_reclaim(t);
	if (t->free_groups.n == 0)
		return -ENOSPC;
	*g = t->free_groups.ids[--t->free_groups.n];
	t->tbl8_owner[*g] = idx;
	e = &t->tbl8[(size_t)*g * TBL8_GROUP];
	for (i = 0; i < TBL8_GROUP; i++)
		e[i] = fill;
	t->tbl8_used++;
	return 0;
}

/* ---- changes ---- */

/*
 * A change of prefix/depth writes only the entries it owns: those whose
 * route's depth lies in [from, depth]. An add owns from 0 (the shorter
 * routes it covers, and its own old entries); a delete owns only its own
 * (from = depth), which go back to its parent.
 */
static inline bool
owned(uint32_t e, uint8_t from, uint8_t depth)
{
	return (uint32_t)ENTRY_DEPTH(e) - from <= (uint32_t)(depth - from);
}

/* Entries [lo, hi) of group g owned by the change take v. */
static void
group_set(struct dir24 *t, uint32_t g, uint32_t lo, uint32_t hi, uint8_t from, uint8_t depth,
	uint32_t v)
{
	uint32_t *e = &t->tbl8[(size_t)g * TBL8_GROUP];

	for (uint32_t i = lo; i < hi; i++)
		if (owned(e[i], from, depth))
			entry_set(&e[i], v);
}

/* The same over the tbl24 range of prefix/depth (depth <= 24), into the
 * tbl8 groups it holds. */
static void
range24_set(struct dir24 *t, uint32_t prefix, uint8_t from, uint8_t depth, uint32_t v)
{
	uint32_t first = prefix >> 8, n = 1u << (24 - depth);

	for (uint32_t i = first; i < first + n; i++) {
		uint32_t e = t->tbl24[i];

		if (e & DIR24_EXT)
			group_set(t, e & DIR24_NH_MASK, 0, TBL8_GROUP, from, depth, v);
		else if (owned(e, from, depth))
			entry_set(&t->tbl24[i], v);
	}
}

static void
depth_count(struct dir24 *t, uint32_t prefix, uint8_t depth, int delta)
{
	t->per_depth[depth] += (uint32_t)delta;
	if (depth >= 16)
		t->per16[prefix >> 16][depth - 16] += (uint32_t)delta;
	else if (depth >= 8)
		t->per8[prefix >> 24][depth - 8] += (uint32_t)delta;
}

/* Routes of length depth may hold addr. */
static inline bool
depth_may_hold(const struct dir24 *t, uint32_t addr, int depth)
{
	if (depth >= 16)
		return t->per16[addr >> 16][depth - 16] != 0;
	if (depth >= 8)
		return t->per8[addr >> 24][depth - 8] != 0;
	return t->per_depth[depth] != 0;
}

int
dir24_add(struct dir24 *t, uint32_t prefix, uint8_t depth, uint32_t nh, uint32_t *old)
{
	uint32_t v = ENTRY(nh, depth), idx, g;
	int64_t s;
	int ret;

	if (depth > 32 || nh == 0 || nh >= DIR24_NH_MAX)
		return -EINVAL;
	prefix &= depth_mask(depth);
	s = hash_find(t, prefix, depth);
	*old = s >= 0 ? SLOT_NH(t->slots[s]) : 0;
	if (*old == nh)
		return 0;
	if (s < 0) {
		ret = hash_reserve(t);
		if (ret < 0)
			return ret;
	}
	if (depth <= 24) {
		range24_set(t, prefix, 0, depth, v);
	} else {
		bool hook = false;

		idx = prefix >> 8;
		if (t->tbl24[idx] & DIR24_EXT) {
			g = t->tbl24[idx] & DIR24_NH_MASK;
		} else {
			if (group_get(t, idx, t->tbl24[idx], &g) < 0)
				return -ENOSPC;
			hook = true;
		}
		group_set(t, g, prefix & 0xff, (prefix & 0xff) + (1u << (32 - depth)), 0, depth, v);
		/* A new group's entries are written before tbl24 points at it. */
		if (hook)
			entry_set(&t->tbl24[idx], DIR24_EXT | g);
		if (s < 0 && t->tbl8_long[g]++ == 0 && !hook)
			idle_remove(t, g);
	}
	if (s >= 0) {
		t->slots[s] = slot_make(prefix, depth, nh);
	} else {
		hash_put(t->slots, t->mask, slot_of(t, prefix, depth), slot_make(prefix, depth, nh));
		t->routes++;
		depth_count(t, prefix, depth, 1);
	}
	return 0;
}

int
dir24_del(struct dir24 *t, uint32_t prefix, uint8_t depth, uint32_t *old)
{
	uint32_t pprefix, pnh = 0, v, idx, g;
	uint8_t pdepth = 0;
	int64_t s;

	if (depth > 32)
		return -EINVAL;
	prefix &= depth_mask(depth);
	s = hash_find(t, prefix, depth);
	if (s < 0)
		return -ENOENT;
	*old = SLOT_NH(t->slots[s]);
	/* Its entries go back to its parent, or to no route. */
	v = 0;
	if (dir24_covering(t, prefix, depth, &pprefix, &pdepth, &pnh) == 0)
		v = ENTRY(pnh, pdepth);
	if (depth <= 24) {
		range24_set(t, prefix, depth, depth, v);
	} else {
		idx = prefix >> 8;
		g = t->tbl24[idx] & DIR24_NH_MASK;
		RTE_ASSERT(t->tbl24[idx] & DIR24_EXT);
		group_set(t, g, prefix & 0xff, (prefix & 0xff) + (1u << (32 - depth)), depth, depth,
			v);
		if (--t->tbl8_long[g] == 0)
			idle_add(t, g);
	}
	hash_remove(t, (uint32_t)s);
	t->routes--;
	depth_count(t, prefix, depth, -1);
	return 0;
}

int
dir24_get(const struct dir24 *t, uint32_t prefix, uint8_t depth, uint32_t *nh)
{
	int64_t s;

	if (depth > 32)
		return -EINVAL;
	s = hash_find(t, prefix & depth_mask(depth), depth);
	if (s < 0)
		return -ENOENT;
	*nh = SLOT_NH(t->slots[s]);
	return 0;
}

int
dir24_covering(const struct dir24 *t, uint32_t addr, uint8_t below, uint32_t *prefix,
	uint8_t *depth, uint32_t *nh)
{
	uint32_t home[33];
	int d, top = RTE_MIN(below, 33) - 1;

	/* The candidates' home slots first, all of them: their cache misses
	 * overlap instead of following one another. */
	for (d = top; d >= 0; d--) {
		if (!depth_may_hold(t, addr, d))
			continue;
		home[d] = slot_of(t, addr & depth_mask((uint8_t)d), (uint8_t)d);
		rte_prefetch0(&t->slots[home[d]]);
	}
	for (d = top; d >= 0; d--) {
		uint32_t p = addr & depth_mask((uint8_t)d), i;

		if (!depth_may_hold(t, addr, d))
			continue;
		for (i = home[d]; t->slots[i] & SLOT_USED; i = (i + 1) & t->mask) {
			if (slot_is(t->slots[i], p, (uint8_t)d)) {
				*prefix = p;
				*depth = (uint8_t)d;
				*nh = SLOT_NH(t->slots[i]);
				return 0;
			}
		}
	}
	return -ENOENT;
}

void
dir24_prefetch(const struct dir24 *t, uint32_t prefix, uint8_t depth)
{
	if (depth > 32)
		return;
	prefix &= depth_mask(depth);
	rte_prefetch0(&t->slots[slot_of(t, prefix, depth)]);
	rte_prefetch0(&t->tbl24[prefix >> 8]);
}

static int
slot_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	uint64_t kx = (x >> 32) << 8 | SLOT_DEPTH(x), ky = (y >> 32) << 8 | SLOT_DEPTH(y);

	return kx < ky ? -1 : kx > ky;
}

int
dir24_walk(const struct dir24 *t, dir24_walk_cb cb, void *arg)
{
	uint64_t *all = malloc(((size_t)t->routes + 1) * sizeof(*all));
	uint32_t n = 0, i;
	int ret = 0;

	if (all == NULL)
		return -ENOMEM;
	for (i = 0; i <= t->mask; i++)
		if (t->slots[i] & SLOT_USED)
			all[n++] = t->slots[i];
	qsort(all, n, sizeof(*all), slot_cmp);
	for (i = 0; i < n && ret == 0; i++)
		ret = cb(SLOT_PREFIX(all[i]), SLOT_DEPTH(all[i]), SLOT_NH(all[i]), arg);
	free(all);
	return ret;
}

void
dir24_get_stats(const struct dir24 *t, struct dir24_stats *st)
{
	*st = (struct dir24_stats){
		.routes = t->routes,
		.tbl8_used = t->tbl8_used,
		.tbl8_idle = t->idle.n,
		.tbl8_retiring = t->retired.n + t->pending.n,
		.tbl8_max = t->max_tbl8,
		.hugepage_bytes = sizeof(uint32_t) * ((uint64_t)TBL24_SIZE +
							 (uint64_t)TBL8_GROUP * t->max_tbl8),
		.heap_bytes = sizeof(uint64_t) * ((uint64_t)t->mask + 1) +
			      (sizeof(uint16_t) + 6 * sizeof(uint32_t)) * (uint64_t)t->max_tbl8 +
			      sizeof(uint32_t) * (256 * 8 + 65536 * 17),
	};
}
