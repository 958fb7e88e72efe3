/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB: a hash table of prefixes, each with its connected/static routes,
 * the paths of the BGP peers that announced it, the best route and what the
 * FIB was last told. Every change to a prefix ends in entry_update(), which
 * re-runs the decision and emits at most one route op, only when the FIB's
 * next hop for the prefix changes.
 *
 * Memory for a full table: entries live in one dense array (48 bytes each,
 * the first BGP path inline) indexed by an open-addressing table of 8-byte
 * slots kept at most half full. The dense array also makes peer down and
 * the walk a linear scan of what exists, not of the table's capacity.
 *
 * Prefixes come from peers, so the index's hash is keyed (SipHash-1-3, a
 * random key per RIB): nobody can choose prefixes that pile up in one probe
 * sequence and make every announcement cost a walk of all the others.
 *
 * The decision process is in rib_decide.c, the attributes in rib_attrs.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "heap_advise.h"
#include "rib.h"
#include "rib_internal.h"
#include "siphash.h"

#define SRC_NONE 0xff /* best_src of an entry with no route */

#define MIN_SLOTS 64u
#define MIN_ENTRIES 32u

/* Entry flags. */
#define E_CONNECTED (1u << RIB_SRC_CONNECTED)
#define E_STATIC (1u << RIB_SRC_STATIC)
#define E_LOCAL_MASK (E_CONNECTED | E_STATIC)
#define E_CHANGED 0x04	/* the best route changed while an op was on its way */
#define E_INFLIGHT 0x08 /* an op is on its way to the FIB, its answer awaited */
#define E_DIRTY 0x10	/* the FIB lags the best route: an emit failed */
#define E_ZOMBIE 0x20	/* no route left, but its DEL could not be emitted (or is on its way) */
#define E_REFUSED 0x40	/* the FIB refused the best route: fib_* is what it kept */
#define E_RETRIED 0x80	/* refused, and sent again: the answer is awaited */

/* A next hop as a route op carries it; type NH_NONE: no route. For
 * NH_GROUP, gateway is the member set's route_group_digest() (what the FIB
 * answers), except in an entry's local[], where it is the index of its
 * group in the RIB's table of static groups (struct rib_lgroup). */
struct rib_nh {
	uint32_t gateway;
	uint8_t type;
	uint8_t port;
};

/* A static route's gateways (next_hops): interned, refcounted by the
 * entries whose local[] points at it. Few: one per distinct set. */
struct rib_lgroup {
	uint32_t refcnt; /* 0: a free slot */
	uint32_t digest; /* of the sorted set, on port */
	uint8_t n;
	uint8_t port;
	uint32_t gw[ROUTE_OP_MAX_GW]; /* in the order given */
};

struct rib_entry {
	uint32_t prefix;
	uint8_t len;
	uint8_t flags;
	uint8_t n_paths;
	uint8_t cap_paths; /* 1: the only path is inline in paths.one */
	uint8_t best_src;  /* enum rib_source or SRC_NONE */
	uint8_t best_peer : 6; /* when best_src is RIB_SRC_BGP */
	/* A group wanted, the first of its set alone in the FIB meanwhile
	 * (refused, or past the RIB's limit): retried as refusals are. */
	uint8_t degraded : 1;
	uint8_t unused : 1;
	uint8_t fib_type;  /* what the FIB holds (NH_NONE: nothing) */
	uint8_t fib_port;
	uint32_t fib_gw;
	struct rib_nh local[2]; /* [RIB_SRC_CONNECTED], [RIB_SRC_STATIC] */
	union {
		struct rib_path one;
		struct rib_path *many;
	} paths;
};

_Static_assert(sizeof(struct rib_entry) == 48, "a full table's size depends on it");
_Static_assert(RIB_MAX_PEERS <= 64, "best_peer has 6 bits");

/* A group some prefix holds in the FIB or asks for, by its port and digest
 * (key 0: a free slot; a digest is never 0). Two sets of one digest would
 * count once: a collision lets the RIB ask for one group more. */
struct rib_gref {
	uint64_t key;
	uint32_t refs;
};

#define GREF_MIN_SLOTS 256u

/* One slot of the index: idx is entry index + 1 (0: empty); hash is kept
 * so that probing and rehashing rarely touch the entries. */
struct rib_slot {
	uint32_t hash;
	uint32_t idx;
};

struct rib_peer {
	struct rib_peer_stats st;
	bool configured;
};

struct rib {
	rib_emit_fn emit;
	void *emit_arg;
	uint32_t local_asn;
	uint8_t bgp_port;
	uint64_t hash_key[2]; /* the index's SipHash key, random per RIB */

	struct rib_entry *entries;
	uint32_t n_entries;
	uint32_t cap_entries;
	struct rib_slot *slots;
	uint32_t slot_mask;
	uint32_t reserved, reserved_slots; /* rib_reserve(): never shrunk below */

	uint32_t n_zombie;
	uint32_t n_dirty;

	/* Answers from the FIB (rib_fib_track), and the retry of refusals. */
	bool track;
	uint32_t n_inflight;
	uint32_t n_refused;
	uint32_t n_retried;
	struct rib_key *retry; /* refused prefixes (some stale: checked when met) */
	uint32_t n_retry, cap_retry, retry_cursor;
	uint64_t retry_at_ms;	 /* next timed retry (0: none) */
	uint64_t retry_gap_ms;	 /* interval, doubling to RIB_RETRY_MAX_MS */
	uint32_t retry_chunk;	 /* prefixes per retry, doubling while they get in */
	bool room_freed;	 /* a route left the FIB since the last retry */
	uint64_t recovered_seen; /* fst.recovered at the last retry */
	struct rib_fib_stats fst;

	struct rib_peer peers[RIB_MAX_PEERS];
	/* Apart, as the decision process reads them by slot. */
	struct rib_peer_info peer_info[RIB_MAX_PEERS];

	/* ECMP: BGP paths per prefix in the FIB (1: the best alone), and
	 * whether different neighbouring ASes may share a prefix's set. */
	uint8_t multipath;
	bool multipath_relax;
	struct rib_lgroup *lgroups;
	uint32_t n_lgroups, cap_lgroups;

	/* Groups in use (held or asked for), counted against group_limit. */
	struct rib_gref *grefs;
	uint32_t gref_mask; /* slots - 1; 0: none allocated */
	uint32_t n_groups;
	uint32_t group_limit;
	uint32_t n_degraded;
	/* Ops sent, and answers to them: a group given back at op n is out
	 * of the FIB (room) once n ops are answered. */
	uint64_t n_emitted, n_answered, group_freed_at;
};

#define NO_ENTRY UINT32_MAX

/* A prefix, as the retry list keeps it (entries move in the dense array). */
struct rib_key {
	uint32_t prefix;
	uint8_t len;
};

#define RETRY_CHUNK_MIN 256u
#define RETRY_CHUNK_MAX 65536u

static inline uint32_t
mask_of(uint8_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

static inline uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline bool
prefix_ok(uint32_t prefix, uint8_t len)
{
	return len <= 32 && (prefix & ~mask_of(len)) == 0;
}

static inline uint32_t
prefix_hash(const struct rib *r, uint32_t prefix, uint8_t len)
{
	return (uint32_t)siphash13_u64(r->hash_key, (uint64_t)prefix << 8 | len);
}

/* A key nobody outside the process knows: the kernel's random bytes, or
 * (no getrandom, no /dev/urandom) what varies between runs and processes. */
static void
hash_key_init(uint64_t key[2])
{
	struct timespec ts;
	ssize_t n = getrandom(key, 2 * sizeof(key[0]), GRND_NONBLOCK);
	int fd;

	if (n == (ssize_t)(2 * sizeof(key[0])))
		return;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, key, 2 * sizeof(key[0]));
		close(fd);
		if (n == (ssize_t)(2 * sizeof(key[0])))
			return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	key[0] = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)key;
	key[1] = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&ts ^ 0x9e3779b97f4a7c15ull;
	key[1] = siphash13_u64(key, key[1]);
}

static inline struct rib_path *
paths_of(struct rib_entry *e)
{
	return e->cap_paths > 1 ? e->paths.many : &e->paths.one;
}

static inline const struct rib_path *
cpaths_of(const struct rib_entry *e)
{
	return e->cap_paths > 1 ? e->paths.many : &e->paths.one;
}

static void
flag_set(struct rib_entry *e, uint8_t flag, bool on, uint32_t *count)
{
	if (on && !(e->flags & flag)) {
		e->flags |= flag;
		(*count)++;
	} else if (!on && (e->flags & flag)) {
		e->flags &= (uint8_t)~flag;
		(*count)--;
	}
}

static void
degraded_set(struct rib *r, struct rib_entry *e, bool on)
{
	if (on == (bool)e->degraded)
		return;
	e->degraded = on;
	if (on)
		r->n_degraded++;
	else
		r->n_degraded--;
}

/* --------------------------------------------------------- groups in use */

static inline uint64_t
gref_key(uint8_t port, uint32_t digest)
{
	return (uint64_t)port << 32 | digest;
}

static inline uint32_t
gref_home(const struct rib *r, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & r->gref_mask;
}

/* The slot holding key, or the empty one where it would go. */
static uint32_t
gref_probe(const struct rib *r, uint64_t key)
{
	uint32_t i = gref_home(r, key);

	while (r->grefs[i].key != 0 && r->grefs[i].key != key)
		i = (i + 1) & r->gref_mask;
	return i;
}

/* How many prefixes hold or ask for the group (port, digest). */
static uint32_t
gref_refs(const struct rib *r, uint8_t port, uint32_t digest)
{
	return r->gref_mask ? r->grefs[gref_probe(r, gref_key(port, digest))].refs : 0;
}

static int
gref_grow(struct rib *r)
{
	uint32_t old_cap = r->gref_mask ? r->gref_mask + 1 : 0;
	uint32_t cap = old_cap ? old_cap * 2 : GREF_MIN_SLOTS;
	struct rib_gref *old = r->grefs, *ng;

	if (cap == 0 || (ng = calloc(cap, sizeof(*ng))) == NULL)
		return -ENOMEM;
	r->grefs = ng;
	r->gref_mask = cap - 1;
	for (uint32_t i = 0; i < old_cap; i++)
		if (old[i].key != 0)
			ng[gref_probe(r, old[i].key)] = old[i];
	free(old);
	return 0;
}

/* One prefix more holds or asks for the group. Without memory it goes
 * uncounted: the limit may then let one set more in. */
static void
gref_get(struct rib *r, uint8_t port, uint32_t digest)
{
	uint64_t key = gref_key(port, digest);
	struct rib_gref *g;

	if ((r->gref_mask == 0 || (uint64_t)(r->n_groups + 1) * 2 > (uint64_t)r->gref_mask + 1) &&
		gref_grow(r) < 0 && (r->gref_mask == 0 || r->n_groups + 1 >= r->gref_mask))
		return;
	g = &r->grefs[gref_probe(r, key)];
	if (g->key == 0) {
		g->key = key;
		g->refs = 0;
		r->n_groups++;
	}
	g->refs++;
}

/* One prefix less. The last one gives the group back: when an op does
 * (by_op), the FIB has room for another group once it is applied. */
static void
gref_put(struct rib *r, uint8_t port, uint32_t digest, bool by_op)
{
	uint32_t i, mask = r->gref_mask;

	if (mask == 0)
		return;
	i = gref_probe(r, gref_key(port, digest));
	if (r->grefs[i].key == 0 || --r->grefs[i].refs > 0)
		return;
	r->n_groups--;
	/* Backward-shift deletion, as the prefix index. */
	for (uint32_t j = (i + 1) & mask; r->grefs[j].key != 0; j = (j + 1) & mask) {
		uint32_t home = gref_home(r, r->grefs[j].key);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			r->grefs[i] = r->grefs[j];
			i = j;
		}
	}
	r->grefs[i] = (struct rib_gref){0, 0};
	if (by_op) {
		if (r->track)
			r->group_freed_at = r->n_emitted;
		else
			r->room_freed = true;
	}
}

/* e's FIB state (what it asked for, or what the FIB answered it holds),
 * with the groups in use counted. */
static void
fib_set(struct rib *r, struct rib_entry *e, uint8_t type, uint8_t port, uint32_t gw, bool by_op)
{
	if (type == NH_GROUP)
		gref_get(r, port, gw);
	if (e->fib_type == NH_GROUP)
		gref_put(r, e->fib_port, e->fib_gw, by_op);
	e->fib_type = type;
	e->fib_port = port;
	e->fib_gw = gw;
}

/* ----------------------------------------------------------------- index */

static int
slots_resize(struct rib *r, uint32_t cap)
{
	struct rib_slot *ns = calloc(cap, sizeof(*ns));
	uint32_t old_cap = r->slot_mask + 1, mask = cap - 1;

	if (ns == NULL)
		return -ENOMEM;
	heap_advise_huge(ns, (size_t)cap * sizeof(*ns));
	for (uint32_t i = 0; i < old_cap; i++) {
		const struct rib_slot *s = &r->slots[i];
		uint32_t pos;

		if (s->idx == 0)
			continue;
		for (pos = s->hash & mask; ns[pos].idx != 0; pos = (pos + 1) & mask)
			;
		ns[pos] = *s;
	}
	free(r->slots);
	r->slots = ns;
	r->slot_mask = mask;
	return 0;
}

static uint32_t
entry_find(const struct rib *r, uint32_t prefix, uint8_t len)
{
	uint32_t h = prefix_hash(r, prefix, len);

	for (uint32_t pos = h & r->slot_mask;; pos = (pos + 1) & r->slot_mask) {
		const struct rib_slot *s = &r->slots[pos];

		if (s->idx == 0)
			return NO_ENTRY;
		if (s->hash == h) {
			const struct rib_entry *e = &r->entries[s->idx - 1];

			if (e->prefix == prefix && e->len == len)
				return s->idx - 1;
		}
	}
}

/* The slot that points at entry idx. */
static uint32_t
slot_of(const struct rib *r, uint32_t idx)
{
	const struct rib_entry *e = &r->entries[idx];
	uint32_t pos = prefix_hash(r, e->prefix, e->len) & r->slot_mask;

	while (r->slots[pos].idx != idx + 1)
		pos = (pos + 1) & r->slot_mask;
	return pos;
}

/* Backward-shift deletion: linear probing without tombstones, so that
 * churn never degrades lookups. */
static void
slot_delete(struct rib *r, uint32_t hole)
{
	uint32_t mask = r->slot_mask;

	for (uint32_t j = (hole + 1) & mask; r->slots[j].idx != 0; j = (j + 1) & mask) {
		uint32_t home = r->slots[j].hash & mask;

		/* j may fill the hole if the hole lies between its home and j. */
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			r->slots[hole] = r->slots[j];
			hole = j;
		}
	}
	r->slots[hole].idx = 0;
	r->slots[hole].hash = 0;
}

void
rib_prefetch(const struct rib *r, uint32_t prefix, uint8_t len)
{
	__builtin_prefetch(&r->slots[prefix_hash(r, prefix, len) & r->slot_mask]);
}

static int
entry_insert(struct rib *r, uint32_t prefix, uint8_t len, uint32_t *idx)
{
	uint32_t h = prefix_hash(r, prefix, len), pos;
	struct rib_entry *e;

	if ((uint64_t)(r->n_entries + 1) * 2 > (uint64_t)r->slot_mask + 1) {
		if (r->slot_mask + 1 > UINT32_MAX / 2 || slots_resize(r, (r->slot_mask + 1) * 2))
			return -ENOMEM;
	}
	if (r->n_entries == r->cap_entries) {
		struct rib_entry *ne;

		if (r->cap_entries > UINT32_MAX / 4)
			return -ENOMEM;
		ne = realloc(r->entries, (size_t)r->cap_entries * 2 * sizeof(*ne));
		if (ne == NULL)
			return -ENOMEM;
		heap_advise_huge(ne, (size_t)r->cap_entries * 2 * sizeof(*ne));
		r->entries = ne;
		r->cap_entries *= 2;
	}
	*idx = r->n_entries++;
	e = &r->entries[*idx];
	memset(e, 0, sizeof(*e));
	e->prefix = prefix;
	e->len = len;
	e->cap_paths = 1;
	e->best_src = SRC_NONE;
	e->fib_type = NH_NONE;
	for (pos = h & r->slot_mask; r->slots[pos].idx != 0; pos = (pos + 1) & r->slot_mask)
		;
	r->slots[pos].hash = h;
	r->slots[pos].idx = *idx + 1;
	return 0;
}

int
rib_reserve(struct rib *r, uint32_t n)
{
	uint64_t slots = MIN_SLOTS;

	while (slots < (uint64_t)n * 2)
		slots *= 2;

	if (slots > UINT32_MAX / 2 + 1)
		return -ENOMEM;
	if (slots > (uint64_t)r->slot_mask + 1 && slots_resize(r, (uint32_t)slots) != 0)
		return -ENOMEM;
	r->reserved = n;
	r->reserved_slots = (uint32_t)slots;
	if (n > r->cap_entries) {
		struct rib_entry *ne = realloc(r->entries, (size_t)n * sizeof(*ne));

		if (ne == NULL)
			return -ENOMEM;
		heap_advise_huge(ne, (size_t)n * sizeof(*ne));
		r->entries = ne;
		r->cap_entries = n;
	}
	return 0;
}

/* Give memory back after a full table left (failures only keep it). */
static void
maybe_shrink(struct rib *r)
{
	uint32_t cap = r->slot_mask + 1;

	if (cap > MIN_SLOTS && cap > r->reserved_slots && (uint64_t)r->n_entries * 8 < cap)
		slots_resize(r, cap / 2);
	if (r->cap_entries > MIN_ENTRIES && r->cap_entries > r->reserved &&
		(uint64_t)r->n_entries * 4 < r->cap_entries) {
		struct rib_entry *ne = realloc(r->entries, r->cap_entries / 2 * sizeof(*ne));

		if (ne != NULL) {
			r->entries = ne;
			r->cap_entries /= 2;
		}
	}
}

/* Remove entry idx; the last entry moves into its place. */
static void
entry_remove(struct rib *r, uint32_t idx)
{
	struct rib_entry *e = &r->entries[idx];
	uint32_t last = r->n_entries - 1;

	flag_set(e, E_DIRTY, false, &r->n_dirty);
	flag_set(e, E_ZOMBIE, false, &r->n_zombie);
	flag_set(e, E_INFLIGHT, false, &r->n_inflight);
	flag_set(e, E_REFUSED, false, &r->n_refused);
	flag_set(e, E_RETRIED, false, &r->n_retried);
	degraded_set(r, e, false);
	if (e->fib_type == NH_GROUP)
		gref_put(r, e->fib_port, e->fib_gw, false);
	if (e->cap_paths > 1)
		free(e->paths.many);
	slot_delete(r, slot_of(r, idx));
	if (idx != last) {
		r->slots[slot_of(r, last)].idx = idx + 1;
		r->entries[idx] = r->entries[last];
	}
	r->n_entries--;
	maybe_shrink(r);
}

/* ----------------------------------------------------------------- paths */

static int
path_find(const struct rib_entry *e, unsigned peer)
{
	const struct rib_path *p = cpaths_of(e);

	for (unsigned i = 0; i < e->n_paths; i++)
		if (p[i].peer == peer)
			return (int)i;
	return -1;
}

static int
path_add(struct rib_entry *e, unsigned peer, struct rib_attrs *attrs)
{
	if (e->n_paths == e->cap_paths) {
		unsigned cap = e->cap_paths * 2u;
		struct rib_path *np;

		if (cap > RIB_MAX_PEERS)
			cap = RIB_MAX_PEERS;
		if (e->cap_paths == 1) {
			np = malloc(cap * sizeof(*np));
			if (np == NULL)
				return -ENOMEM;
			np[0] = e->paths.one;
		} else {
			np = realloc(e->paths.many, cap * sizeof(*np));
			if (np == NULL)
				return -ENOMEM;
		}
		e->paths.many = np;
		e->cap_paths = (uint8_t)cap;
	}
	paths_of(e)[e->n_paths].attrs = rib_attrs_get(attrs);
	paths_of(e)[e->n_paths].peer = (uint8_t)peer;
	e->n_paths++;
	return 0;
}

static void
path_remove(struct rib_entry *e, unsigned i)
{
	struct rib_path *p = paths_of(e);

	rib_attrs_put(p[i].attrs);
	p[i] = p[--e->n_paths];
	/* Back inline: most prefixes come from one peer. */
	if (e->cap_paths > 1 && e->n_paths <= 1) {
		struct rib_path keep = p[0];

		free(p);
		e->cap_paths = 1;
		e->paths.one = e->n_paths ? keep : (struct rib_path){NULL, 0};
	}
}

/* The best route of e: its source and, for BGP, its path. */
static uint8_t
best_of(const struct rib *r, const struct rib_entry *e, const struct rib_path **bp)
{
	*bp = NULL;
	if (e->flags & E_CONNECTED)
		return RIB_SRC_CONNECTED;
	if (e->flags & E_STATIC)
		return RIB_SRC_STATIC;
	if (e->n_paths == 0)
		return SRC_NONE;
	*bp = &cpaths_of(e)[rib_decide(cpaths_of(e), e->n_paths, r->peer_info)];
	return RIB_SRC_BGP;
}

/* The gateways the FIB should hold for e when they are more than one: the
 * static group's, or the BGP multipath set (best first). How many, or 0
 * when the best route is not a group. */
static unsigned
wanted_group(const struct rib *r, const struct rib_entry *e, uint32_t *gw, uint8_t *port)
{
	if (e->best_src == RIB_SRC_CONNECTED || e->best_src == RIB_SRC_STATIC) {
		const struct rib_nh *l = &e->local[e->best_src];
		const struct rib_lgroup *g;

		if (l->type != NH_GROUP)
			return 0;
		g = &r->lgroups[l->gateway];
		memcpy(gw, g->gw, g->n * sizeof(gw[0]));
		*port = g->port;
		return g->n;
	}
	if (e->best_src == RIB_SRC_BGP && r->multipath > 1 && e->n_paths > 1) {
		const struct rib_path *p = cpaths_of(e);
		unsigned idx[ROUTE_OP_MAX_GW], k;

		k = rib_decide_multi(
			p, e->n_paths, r->peer_info, r->multipath, r->multipath_relax, idx);
		for (unsigned i = 0; i < k; i++)
			gw[i] = p[idx[i]].attrs->next_hop;
		*port = r->bgp_port;
		return k > 1 ? k : 0;
	}
	return 0;
}

static uint32_t
group_digest(uint8_t port, const uint32_t *gw, unsigned n)
{
	uint32_t sorted[ROUTE_OP_MAX_GW];

	memcpy(sorted, gw, n * sizeof(gw[0]));
	n = route_group_sort(sorted, n);
	return route_group_digest(port, sorted, n);
}

/* What carries e while its group is not in the FIB: the first of its set
 * alone (the best path; a static route's first next hop). False when e
 * wants no group. */
static bool
group_first(const struct rib *r, const struct rib_entry *e, struct rib_nh *one)
{
	uint32_t gw[ROUTE_OP_MAX_GW];
	uint8_t port;

	if (wanted_group(r, e, gw, &port) < 2)
		return false;
	*one = (struct rib_nh){gw[0], NH_GATEWAY, port};
	return true;
}

/* What the FIB should hold for e, from its recorded best. */
static struct rib_nh
wanted_nh(const struct rib *r, const struct rib_entry *e)
{
	struct rib_nh nh = {0, NH_NONE, 0};
	uint32_t gw[ROUTE_OP_MAX_GW];
	unsigned n = wanted_group(r, e, gw, &nh.port);

	if (n > 1) {
		nh.type = NH_GROUP;
		nh.gateway = group_digest(nh.port, gw, n);
	} else if (e->best_src == RIB_SRC_CONNECTED || e->best_src == RIB_SRC_STATIC) {
		nh = e->local[e->best_src];
	} else if (e->best_src == RIB_SRC_BGP) {
		const struct rib_path *p = cpaths_of(e);
		unsigned i = 0;

		while (p[i].peer != e->best_peer)
			i++;
		nh.type = NH_GATEWAY;
		nh.port = r->bgp_port;
		nh.gateway = p[i].attrs->next_hop;
	}
	return nh;
}

/* The same next hop, as the FIB keys them: the gateway only for gateways,
 * the member set's digest for groups. */
static inline bool
nh_same(uint8_t type, uint8_t port, uint32_t gw, uint8_t type2, uint8_t port2, uint32_t gw2)
{
	return type == type2 &&
	       (type == NH_NONE ||
		       (port == port2 && ((type != NH_GATEWAY && type != NH_GROUP) || gw == gw2)));
}

static inline bool
fib_holds(const struct rib_entry *e, const struct rib_nh *nh)
{
	return nh_same(nh->type, nh->port, nh->gateway, e->fib_type, e->fib_port, e->fib_gw);
}

/* Send the op that makes the FIB hold nh for e (NH_NONE: no route). */
static int
fib_emit(struct rib *r, struct rib_entry *e, const struct rib_nh *nh)
{
	struct route_op op = {.depth = e->len, .prefix = e->prefix};
	int rc;

	if (nh->type == NH_NONE) {
		op.kind = ROUTE_OP_DEL;
	} else {
		op.kind = ROUTE_OP_ADD;
		op.nh_type = nh->type;
		op.port = nh->port;
		op.gateway = nh->gateway;
		/* A group: its members, in the decision's (or the config's)
		 * order; the FIB keys it by the set. */
		if (nh->type == NH_GROUP) {
			op.gateway = 0;
			op.n_gateways = (uint8_t)wanted_group(r, e, op.gateways, &op.port);
		}
	}
	if (r->track)
		op.flags = ROUTE_OP_F_RESULT;
	rc = r->emit(&op, r->emit_arg);
	if (rc < 0) {
		/* The FIB keeps what it had: remembered, rib_fib_sync() retries
		 * (a lag, no more a degraded group). */
		flag_set(e, E_DIRTY, true, &r->n_dirty);
		degraded_set(r, e, false);
		return rc;
	}
	r->n_emitted++;
	fib_set(r, e, nh->type, nh->port, nh->gateway, true);
	flag_set(e, E_DIRTY, false, &r->n_dirty);
	/* Sent again: refused or not, its answer says; until then it still
	 * counts as not in the FIB. */
	if (e->flags & E_REFUSED)
		flag_set(e, E_RETRIED, true, &r->n_retried);
	flag_set(e, E_REFUSED, false, &r->n_refused);
	if (r->track) {
		flag_set(e, E_INFLIGHT, true, &r->n_inflight);
		e->flags &= (uint8_t)~E_CHANGED;
	}
	return 0;
}

static void retry_push(struct rib *r, const struct rib_entry *e);

/* e goes by the first of its set while its group waits: counted, and sent
 * again with the refused prefixes. now_ms NULL: the next rib_fib_retry()
 * starts the clock. */
static void
mark_degraded(struct rib *r, struct rib_entry *e, const uint64_t *now_ms)
{
	degraded_set(r, e, true);
	flag_set(e, E_REFUSED, false, &r->n_refused);
	retry_push(r, e);
	if (r->retry_at_ms == 0 && now_ms != NULL)
		r->retry_at_ms = *now_ms + r->retry_gap_ms;
}

/* A new BGP set while the RIB asks for its limit of groups. A group e
 * alone holds goes back as e takes the new one: no more in use then. */
static bool
group_over_limit(const struct rib *r, const struct rib_entry *e, const struct rib_nh *nh)
{
	uint32_t in_use = r->n_groups;

	if (e->best_src != RIB_SRC_BGP || gref_refs(r, nh->port, nh->gateway) != 0)
		return false;
	if (e->fib_type == NH_GROUP && gref_refs(r, e->fib_port, e->fib_gw) == 1)
		in_use--;
	return in_use >= r->group_limit;
}

/* Send nh, what e wants; a group past the limit waits, the first of its
 * set alone in its place. */
static int
fib_send(struct rib *r, struct rib_entry *e, const struct rib_nh *nh)
{
	struct rib_nh one;

	if (nh->type != NH_GROUP) {
		degraded_set(r, e, false);
		return fib_emit(r, e, nh);
	}
	if (!group_over_limit(r, e, nh) || !group_first(r, e, &one))
		return fib_emit(r, e, nh);
	mark_degraded(r, e, NULL);
	if (fib_holds(e, &one)) {
		flag_set(e, E_DIRTY, false, &r->n_dirty);
		return 0;
	}
	return fib_emit(r, e, &one);
}

/* Bring the FIB in line with e's best: at most one op, none if equal, none
 * while one is on its way (its answer brings e up again). */
static int
fib_sync_entry(struct rib *r, struct rib_entry *e)
{
	struct rib_nh nh = wanted_nh(r, e);

	if (fib_holds(e, &nh)) {
		flag_set(e, E_DIRTY, false, &r->n_dirty);
		flag_set(e, E_REFUSED, false, &r->n_refused);
		degraded_set(r, e, false);
		return 0;
	}
	if (e->flags & E_INFLIGHT) {
		e->flags |= E_CHANGED;
		flag_set(e, E_DIRTY, false, &r->n_dirty);
		return 0;
	}
	return fib_send(r, e, &nh);
}

/*
 * After any change to entry idx: decide, count, tell the FIB, and free the
 * entry when nothing is left (it may then be replaced by the last entry).
 */
static int
entry_update(struct rib *r, uint32_t idx)
{
	struct rib_entry *e = &r->entries[idx];
	const struct rib_path *bp;
	uint8_t src = best_of(r, e, &bp);
	uint8_t peer = bp ? bp->peer : 0;
	int rc;

	if (src != e->best_src || (src == RIB_SRC_BGP && peer != e->best_peer)) {
		if (e->best_src == RIB_SRC_BGP)
			r->peers[e->best_peer].st.best--;
		if (src == RIB_SRC_BGP)
			r->peers[peer].st.best++;
		e->best_src = src;
		e->best_peer = peer;
	}
	rc = fib_sync_entry(r, e);
	/* Kept while an op is on its way: its answer finds it. */
	if (src == SRC_NONE && e->fib_type == NH_NONE && !(e->flags & E_INFLIGHT))
		entry_remove(r, idx);
	else
		flag_set(e, E_ZOMBIE, src == SRC_NONE, &r->n_zombie);
	return rc;
}

/* ------------------------------------------------------------------- API */

struct rib *
rib_create(uint32_t local_asn, rib_emit_fn emit, void *emit_arg)
{
	struct rib *r;

	if (emit == NULL) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->emit = emit;
	r->emit_arg = emit_arg;
	r->local_asn = local_asn;
	hash_key_init(r->hash_key);
	r->slots = calloc(MIN_SLOTS, sizeof(*r->slots));
	r->entries = malloc(MIN_ENTRIES * sizeof(*r->entries));
	if (r->slots == NULL || r->entries == NULL) {
		free(r->slots);
		free(r->entries);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->slot_mask = MIN_SLOTS - 1;
	r->cap_entries = MIN_ENTRIES;
	r->retry_gap_ms = RIB_RETRY_MIN_MS;
	r->retry_chunk = RETRY_CHUNK_MIN;
	r->multipath = 1;
	r->group_limit = RIB_GROUPS_DEFAULT;
	return r;
}

void
rib_destroy(struct rib *r)
{
	if (r == NULL)
		return;
	for (uint32_t i = 0; i < r->n_entries; i++) {
		struct rib_entry *e = &r->entries[i];
		struct rib_path *p = paths_of(e);

		for (unsigned j = 0; j < e->n_paths; j++)
			rib_attrs_put(p[j].attrs);
		if (e->cap_paths > 1)
			free(e->paths.many);
	}
	free(r->entries);
	free(r->slots);
	free(r->retry);
	free(r->lgroups);
	free(r->grefs);
	free(r);
}

/* ---------------------------------------------------- static groups */

/* The static group of gw[0..n) on port, one reference more: its index, or
 * -ENOMEM. */
static long
lgroup_get(struct rib *r, uint8_t port, const uint32_t *gw, unsigned n)
{
	uint32_t digest = group_digest(port, gw, n), free_slot = UINT32_MAX;
	struct rib_lgroup *g;

	for (uint32_t i = 0; i < r->n_lgroups; i++) {
		g = &r->lgroups[i];
		if (g->refcnt == 0) {
			if (free_slot == UINT32_MAX)
				free_slot = i;
			continue;
		}
		if (g->digest == digest && g->port == port && g->n == n &&
			memcmp(g->gw, gw, n * sizeof(gw[0])) == 0) {
			g->refcnt++;
			return (long)i;
		}
	}
	if (free_slot == UINT32_MAX) {
		if (r->n_lgroups == r->cap_lgroups) {
			uint32_t cap = r->cap_lgroups ? r->cap_lgroups * 2 : 8;
			struct rib_lgroup *ng = realloc(r->lgroups, cap * sizeof(*ng));

			if (ng == NULL)
				return -ENOMEM;
			r->lgroups = ng;
			r->cap_lgroups = cap;
		}
		free_slot = r->n_lgroups++;
	}
	g = &r->lgroups[free_slot];
	*g = (struct rib_lgroup){.refcnt = 1, .digest = digest, .n = (uint8_t)n, .port = port};
	memcpy(g->gw, gw, n * sizeof(gw[0]));
	return (long)free_slot;
}

/* local[src] of e lets go of its static group, if it has one. */
static void
lgroup_put(struct rib *r, const struct rib_nh *l)
{
	if (l->type == NH_GROUP && l->gateway < r->n_lgroups && r->lgroups[l->gateway].refcnt > 0)
		r->lgroups[l->gateway].refcnt--;
}

static int
local_set(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len, const struct rib_nh *nh)
{
	uint32_t idx;
	struct rib_entry *e;
	int rc;

	idx = entry_find(r, prefix, len);
	if (idx == NO_ENTRY) {
		rc = entry_insert(r, prefix, len, &idx);
		if (rc < 0) {
			lgroup_put(r, nh);
			return rc;
		}
	}
	e = &r->entries[idx];
	if (e->flags & (1u << src))
		lgroup_put(r, &e->local[src]);
	e->flags |= (uint8_t)(1u << src);
	e->local[src] = *nh;
	return entry_update(r, idx);
}

int
rib_local_add(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len, uint8_t nh_type,
	uint8_t port, uint32_t gateway)
{
	if (r == NULL || (src != RIB_SRC_CONNECTED && src != RIB_SRC_STATIC) ||
		!prefix_ok(prefix, len) || nh_type == NH_NONE || nh_type > NH_BLACKHOLE)
		return -EINVAL;
	return local_set(r, src, prefix, len,
		&(struct rib_nh){.gateway = gateway, .type = nh_type, .port = port});
}

int
rib_local_add_group(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len, uint8_t port,
	const uint32_t *gw, unsigned n)
{
	uint32_t sorted[ROUTE_OP_MAX_GW];
	long g;

	if (r == NULL || (src != RIB_SRC_CONNECTED && src != RIB_SRC_STATIC) ||
		!prefix_ok(prefix, len) || gw == NULL || n < 1 || n > ROUTE_OP_MAX_GW)
		return -EINVAL;
	memcpy(sorted, gw, n * sizeof(gw[0]));
	if (route_group_sort(sorted, n) != n || sorted[0] == 0)
		return -EINVAL; /* repeats, or 0.0.0.0 */
	if (n == 1)
		return rib_local_add(r, src, prefix, len, NH_GATEWAY, port, gw[0]);
	g = lgroup_get(r, port, gw, n);
	if (g < 0)
		return (int)g;
	return local_set(r, src, prefix, len,
		&(struct rib_nh){.gateway = (uint32_t)g, .type = NH_GROUP, .port = port});
}

int
rib_local_del(struct rib *r, enum rib_source src, uint32_t prefix, uint8_t len)
{
	uint32_t idx;
	struct rib_entry *e;

	if (r == NULL || (src != RIB_SRC_CONNECTED && src != RIB_SRC_STATIC) ||
		!prefix_ok(prefix, len))
		return -EINVAL;
	idx = entry_find(r, prefix, len);
	if (idx == NO_ENTRY || !(r->entries[idx].flags & (1u << src)))
		return -ENOENT;
	e = &r->entries[idx];
	e->flags &= (uint8_t) ~(1u << src);
	lgroup_put(r, &e->local[src]);
	memset(&e->local[src], 0, sizeof(e->local[src]));
	return entry_update(r, idx);
}

int
rib_set_group_limit(struct rib *r, uint32_t n)
{
	if (r == NULL)
		return -EINVAL;
	if (n > r->group_limit)
		r->room_freed = true;
	r->group_limit = n;
	return 0;
}

int
rib_set_multipath(struct rib *r, unsigned n, bool relax)
{
	if (r == NULL || n < 1 || n > ROUTE_OP_MAX_GW)
		return -EINVAL;
	if (r->multipath == n && r->multipath_relax == relax)
		return 0;
	r->multipath = (uint8_t)n;
	r->multipath_relax = relax;
	/* Prefixes with a choice may want another set now; failures leave
	 * the entries dirty for rib_fib_sync(). */
	for (uint32_t i = 0; i < r->n_entries; i++)
		if (r->entries[i].best_src == RIB_SRC_BGP && r->entries[i].n_paths > 1)
			fib_sync_entry(r, &r->entries[i]);
	return 0;
}

/* Re-decide every prefix where peer has a path among others: its
 * tie-breaking keys changed. */
static int
peer_rerank(struct rib *r, unsigned peer)
{
	int rc = 0;

	for (uint32_t i = r->n_entries; i-- > 0;) {
		struct rib_entry *e = &r->entries[i];
		int err;

		if (e->n_paths < 2 || path_find(e, peer) < 0)
			continue;
		err = entry_update(r, i);
		if (err < 0 && rc == 0)
			rc = err;
	}
	return rc;
}

int
rib_peer_set(struct rib *r, unsigned peer, const struct rib_peer_info *info)
{
	struct rib_peer *pp;
	bool rerank;

	if (r == NULL || peer >= RIB_MAX_PEERS || info == NULL)
		return -EINVAL;
	pp = &r->peers[peer];
	if (pp->configured && r->peer_info[peer].address != info->address) {
		/* Another router in this slot: nothing of the old one stays. */
		rib_peer_down(r, peer);
		memset(&pp->st, 0, sizeof(pp->st));
	}
	rerank = pp->st.accepted > 0 && r->peer_info[peer].bgp_id != info->bgp_id;
	r->peer_info[peer] = *info;
	pp->configured = true;
	return rerank ? peer_rerank(r, peer) : 0;
}

void
rib_peer_clear(struct rib *r, unsigned peer)
{
	if (r == NULL || peer >= RIB_MAX_PEERS)
		return;
	rib_peer_down(r, peer);
	memset(&r->peers[peer], 0, sizeof(r->peers[peer]));
	memset(&r->peer_info[peer], 0, sizeof(r->peer_info[peer]));
}

void
rib_set_bgp_port(struct rib *r, uint8_t port)
{
	if (r == NULL || r->bgp_port == port)
		return;
	r->bgp_port = port;
	/* Failures leave the entries dirty for rib_fib_sync(). */
	for (uint32_t i = 0; i < r->n_entries; i++)
		if (r->entries[i].best_src == RIB_SRC_BGP)
			fib_sync_entry(r, &r->entries[i]);
}

int
rib_bgp_announce(struct rib *r, unsigned peer, uint32_t prefix, uint8_t len,
	struct rib_attrs *attrs, bool loop)
{
	struct rib_peer *pp;
	struct rib_entry *e = NULL;
	uint32_t idx;
	int pi = -1, rc;

	if (r == NULL || peer >= RIB_MAX_PEERS || attrs == NULL || !prefix_ok(prefix, len))
		return -EINVAL;
	pp = &r->peers[peer];
	if (!pp->configured)
		return -ENOENT;
	idx = entry_find(r, prefix, len);
	if (idx != NO_ENTRY) {
		e = &r->entries[idx];
		pi = path_find(e, peer);
	}
	if (loop) {
		pp->st.rejected_loop++;
		if (pi < 0)
			return RIB_LOOP;
		path_remove(e, (unsigned)pi);
		pp->st.accepted--;
		rc = entry_update(r, idx);
		return rc < 0 ? rc : RIB_LOOP;
	}
	if (pi >= 0) {
		/* A replacement: take the new reference before dropping the old
		 * one, which may be the same attributes. */
		struct rib_path *p = &paths_of(e)[pi];
		struct rib_attrs *old = p->attrs;

		p->attrs = rib_attrs_get(attrs);
		rib_attrs_put(old);
	} else {
		if (pp->st.accepted >= r->peer_info[peer].max_prefixes) {
			pp->st.rejected_limit++;
			return RIB_OVER_LIMIT;
		}
		if (idx == NO_ENTRY) {
			rc = entry_insert(r, prefix, len, &idx);
			if (rc < 0)
				return RIB_NO_MEMORY;
		}
		e = &r->entries[idx];
		rc = path_add(e, peer, attrs);
		if (rc < 0) {
			if (e->n_paths == 0 && !(e->flags & (E_LOCAL_MASK | E_INFLIGHT)) &&
				e->fib_type == NH_NONE)
				entry_remove(r, idx);
			return RIB_NO_MEMORY;
		}
		pp->st.accepted++;
	}
	rc = entry_update(r, idx);
	return rc < 0 ? rc : RIB_ACCEPTED;
}

int
rib_bgp_withdraw(struct rib *r, unsigned peer, uint32_t prefix, uint8_t len)
{
	uint32_t idx;
	int pi;

	if (r == NULL || peer >= RIB_MAX_PEERS || !prefix_ok(prefix, len))
		return -EINVAL;
	idx = entry_find(r, prefix, len);
	if (idx == NO_ENTRY)
		return 0;
	pi = path_find(&r->entries[idx], peer);
	if (pi < 0)
		return 0;
	path_remove(&r->entries[idx], (unsigned)pi);
	r->peers[peer].st.accepted--;
	r->peers[peer].st.withdrawn++;
	return entry_update(r, idx);
}

void
rib_peer_down(struct rib *r, unsigned peer)
{
	struct rib_peer *pp;

	if (r == NULL || peer >= RIB_MAX_PEERS)
		return;
	pp = &r->peers[peer];
	/* Backwards: a freed entry is replaced by the last one, already seen. */
	for (uint32_t i = r->n_entries; i-- > 0 && pp->st.accepted > 0;) {
		int pi = path_find(&r->entries[i], peer);

		if (pi < 0)
			continue;
		path_remove(&r->entries[i], (unsigned)pi);
		pp->st.accepted--;
		/* An emit failure leaves the entry dirty for rib_fib_sync(). */
		entry_update(r, i);
	}
}

int
rib_fib_sync(struct rib *r)
{
	if (r == NULL)
		return -EINVAL;
	for (uint32_t i = r->n_entries; i-- > 0 && r->n_dirty > 0;) {
		int rc;

		if (!(r->entries[i].flags & E_DIRTY))
			continue;
		rc = entry_update(r, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

size_t
rib_fib_pending(const struct rib *r)
{
	return r ? r->n_dirty : 0;
}

/* ------------------------------------------------- the FIB's answers */

int
rib_fib_track(struct rib *r)
{
	if (r == NULL)
		return -EINVAL;
	r->track = true;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct rib_key *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* The retry list keeps a key per refusal; a prefix refused again after a
 * change (not through the list) leaves its old key there. Before the list
 * grows, drop those and the stale ones. */
static void
retry_compact(struct rib *r)
{
	uint32_t n = 0;

	qsort(r->retry, r->n_retry, sizeof(*r->retry), key_cmp);
	for (uint32_t i = 0; i < r->n_retry; i++) {
		uint32_t idx;

		if (n > 0 && key_cmp(&r->retry[n - 1], &r->retry[i]) == 0)
			continue;
		idx = entry_find(r, r->retry[i].prefix, r->retry[i].len);
		if (idx == NO_ENTRY || !((r->entries[idx].flags & (E_REFUSED | E_RETRIED)) ||
					       r->entries[idx].degraded))
			continue;
		r->retry[n++] = r->retry[i];
	}
	r->n_retry = n;
	r->retry_cursor = 0;
}

static void
retry_push(struct rib *r, const struct rib_entry *e)
{
	if (r->n_retry == r->cap_retry &&
		r->n_retry > 2 * (r->n_refused + r->n_retried + r->n_degraded) + 64)
		retry_compact(r);
	if (r->n_retry == r->cap_retry) {
		uint32_t cap = r->cap_retry ? r->cap_retry * 2 : 64;
		struct rib_key *k = realloc(r->retry, cap * sizeof(*k));

		/* Without memory the prefix stays refused and counted; the
		 * next change to it sends it again. */
		if (k == NULL)
			return;
		r->retry = k;
		r->cap_retry = cap;
	}
	r->retry[r->n_retry++] = (struct rib_key){e->prefix, e->len};
}

/* The FIB refused e's best route: counted, retried later. */
static void
mark_refused(struct rib *r, struct rib_entry *e, uint64_t now_ms)
{
	degraded_set(r, e, false);
	if (e->flags & E_REFUSED)
		return;
	flag_set(e, E_REFUSED, true, &r->n_refused);
	retry_push(r, e);
	if (r->retry_at_ms == 0)
		r->retry_at_ms = now_ms + r->retry_gap_ms;
}

/* The next hop the FIB kept is still one of e's routes (a path not best,
 * a member of the set it wants). Not a group the FIB kept: the RIB knows
 * its members by their digest only, and one of them may have lost its
 * path (a peer down, BFD, a track): its flows would go to a dead router.
 * It stands only as the set e wants, which fib_holds() tells. */
static bool
held_valid(const struct rib *r, const struct rib_entry *e)
{
	const struct rib_path *p = cpaths_of(e);
	uint32_t gw[ROUTE_OP_MAX_GW];
	uint8_t port;
	unsigned n;

	if (e->fib_type == NH_GROUP)
		return false;
	n = wanted_group(r, e, gw, &port);
	for (unsigned i = 0; i < n; i++)
		if (nh_same(NH_GATEWAY, port, gw[i], e->fib_type, e->fib_port, e->fib_gw))
			return true;
	for (unsigned src = RIB_SRC_CONNECTED; src <= RIB_SRC_STATIC; src++)
		if ((e->flags & (1u << src)) && e->local[src].type != NH_GROUP &&
			fib_holds(e, &e->local[src]))
			return true;
	for (unsigned i = 0; i < e->n_paths; i++)
		if (nh_same(NH_GATEWAY, r->bgp_port, p[i].attrs->next_hop, e->fib_type, e->fib_port,
			    e->fib_gw))
			return true;
	return false;
}

/* The answer to e's op did not bring what e wants, which has not changed
 * since: the op was refused, or was a stand-in (the first of a set, or no
 * route). */
static void
fib_lags(struct rib *r, struct rib_entry *e, const struct rib_nh *want, const struct rib_nh *asked,
	uint8_t status, uint64_t now_ms)
{
	const struct rib_nh none = {0, NH_NONE, 0};
	struct rib_nh one;
	bool group = want->type == NH_GROUP && group_first(r, e, &one);

	if (group && fib_holds(e, &one)) {
		/* The first of the set carries the prefix; the group waits. */
		mark_degraded(r, e, &now_ms);
		return;
	}
	if (group && asked->type == NH_GROUP && status == ROUTE_REFUSED_NEXTHOPS) {
		/* No group (or id) for the set: its first alone, at once, in
		 * place of nothing or of a group with a member e lost. */
		mark_degraded(r, e, &now_ms);
		fib_emit(r, e, &one);
		return;
	}
	/* Retried later. But a next hop the prefix no longer has must not
	 * stay meanwhile: counted as retried meanwhile; its answer marks it
	 * refused again, for the retry proper. */
	mark_refused(r, e, now_ms);
	if (e->fib_type != NH_NONE && !held_valid(r, e))
		fib_emit(r, e, &none);
}

void
rib_fib_result(struct rib *r, const struct route_result *res, uint64_t now_ms)
{
	struct rib_entry *e;
	struct rib_nh nh, asked;
	uint32_t idx;
	bool changed, retried;

	if (r == NULL || res == NULL)
		return;
	r->fst.answers++;
	if (res->status == ROUTE_REFUSED_NEXTHOPS)
		r->fst.refused_nexthops++;
	else if (res->status == ROUTE_REFUSED_TABLE)
		r->fst.refused_table++;
	else if (res->status != ROUTE_OK)
		r->fst.refused_invalid++;
	else if (res->kind == ROUTE_OP_DEL)
		r->room_freed = true; /* a next-hop id or a tbl8 group may be free */
	if (res->depth > 32)
		return;
	idx = entry_find(r, res->prefix, res->depth);
	if (idx == NO_ENTRY || !(r->entries[idx].flags & E_INFLIGHT))
		return; /* not ours: the RIB sent none */
	e = &r->entries[idx];
	flag_set(e, E_INFLIGHT, false, &r->n_inflight);
	/* Answers come in the order of the ops: a group given back by an
	 * op answered now is out of the FIB, its index free for another. */
	r->n_answered++;
	if (r->group_freed_at != 0 && r->n_answered >= r->group_freed_at) {
		r->room_freed = true;
		r->group_freed_at = 0;
	}
	changed = e->flags & E_CHANGED;
	e->flags &= (uint8_t)~E_CHANGED;
	retried = e->flags & E_RETRIED;
	flag_set(e, E_RETRIED, false, &r->n_retried);
	asked = (struct rib_nh){e->fib_gw, e->fib_type, e->fib_port};
	/* From now on fib_* is what the FIB holds, not what was asked. */
	fib_set(r, e, res->nh_type, res->nh_type == NH_NONE ? 0 : res->port,
		res->nh_type == NH_GATEWAY || res->nh_type == NH_GROUP ? res->gateway : 0, false);
	nh = wanted_nh(r, e);
	if (fib_holds(e, &nh)) {
		if (retried || (e->flags & E_REFUSED) || e->degraded)
			r->fst.recovered++;
		flag_set(e, E_REFUSED, false, &r->n_refused);
		flag_set(e, E_DIRTY, false, &r->n_dirty);
		degraded_set(r, e, false);
	} else if (!changed && (res->status != ROUTE_OK || retried ||
				       !nh_same(asked.type, asked.port, asked.gateway, nh.type,
					       nh.port, nh.gateway))) {
		fib_lags(r, e, &nh, &asked, res->status, now_ms);
	} else {
		/* It changed meanwhile: what it wants now goes. */
		fib_sync_entry(r, e);
	}
	if (e->best_src == SRC_NONE && e->fib_type == NH_NONE && !(e->flags & E_INFLIGHT))
		entry_remove(r, idx);
}

int
rib_fib_retry(struct rib *r, uint64_t now_ms)
{
	bool progress, timed;
	uint32_t sent = 0, seen = 0, tried = 0, n0;
	struct rib_nh nh;
	int rc = 0;

	if (r == NULL)
		return -EINVAL;
	if (r->n_refused == 0 && r->n_retried == 0 && r->n_degraded == 0) {
		r->n_retry = 0;
		r->retry_cursor = 0;
		r->retry_at_ms = 0;
		r->retry_gap_ms = RIB_RETRY_MIN_MS;
		r->retry_chunk = RETRY_CHUNK_MIN;
		r->room_freed = false;
		r->recovered_seen = r->fst.recovered;
		return 0;
	}
	if (r->retry_at_ms == 0)
		r->retry_at_ms = now_ms + r->retry_gap_ms;
	/* Refused prefixes that got in since the last retry: there is room. */
	progress = r->fst.recovered != r->recovered_seen;
	timed = now_ms >= r->retry_at_ms;
	if (!timed && !progress && !r->room_freed)
		return 0;
	if (progress) {
		r->retry_chunk = min_u32(r->retry_chunk * 2, RETRY_CHUNK_MAX);
		r->retry_gap_ms = RIB_RETRY_MIN_MS;
	} else {
		r->retry_chunk = RETRY_CHUNK_MIN;
		if (timed)
			r->retry_gap_ms = min_u64(r->retry_gap_ms * 2, RIB_RETRY_MAX_MS);
	}
	r->retry_at_ms = now_ms + r->retry_gap_ms;
	r->room_freed = false;
	r->recovered_seen = r->fst.recovered;

	/* From where the last retry stopped, dropping stale keys. */
	n0 = r->n_retry;
	while (tried < r->retry_chunk && seen < n0 && r->n_retry > 0) {
		uint32_t i = r->retry_cursor < r->n_retry ? r->retry_cursor : 0, idx;
		struct rib_entry *e;
		uint64_t emitted;

		seen++;
		idx = entry_find(r, r->retry[i].prefix, r->retry[i].len);
		e = idx == NO_ENTRY ? NULL : &r->entries[idx];
		if (e != NULL && (e->flags & E_INFLIGHT)) {
			r->retry_cursor = i + 1;
			continue;
		}
		/* Sent or stale: out of the list (an answer refusing it
		 * again puts it back). */
		r->retry[i] = r->retry[--r->n_retry];
		r->retry_cursor = i;
		if (e == NULL || (!(e->flags & E_REFUSED) && !e->degraded))
			continue;
		nh = wanted_nh(r, e);
		if (fib_holds(e, &nh)) {
			flag_set(e, E_REFUSED, false, &r->n_refused);
			degraded_set(r, e, false);
			continue;
		}
		/* A group still past the limit sends nothing (and is back
		 * in the list); the work is bounded all the same. */
		tried++;
		emitted = r->n_emitted;
		rc = fib_send(r, e, &nh);
		if (rc < 0) {
			/* No room on the way to the FIB: still refused (and
			 * dirty, for rib_fib_sync()); next time. */
			retry_push(r, e);
			break;
		}
		if (r->n_emitted != emitted) {
			sent++;
			r->fst.retries++;
		}
	}
	return rc < 0 ? rc : (int)sent;
}

void
rib_fib_stats(const struct rib *r, uint64_t now_ms, struct rib_fib_stats *st)
{
	if (r == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = r->fst;
	st->in_flight = r->n_inflight;
	st->refused = r->n_refused + r->n_retried;
	st->not_in_fib = st->refused + r->n_dirty;
	st->groups = r->n_groups;
	st->groups_limit = r->group_limit;
	st->groups_degraded = r->n_degraded;
	st->retry_in_ms = 0;
	if ((st->refused != 0 || r->n_degraded != 0) && r->retry_at_ms != 0)
		st->retry_in_ms = r->retry_at_ms > now_ms ? r->retry_at_ms - now_ms : 0;
	st->retry_interval_ms = r->retry_gap_ms;
}

size_t
rib_fib_in_flight(const struct rib *r)
{
	return r ? r->n_inflight : 0;
}

/* ---------------------------------------------------- FIB == RIB, checked */

struct check_ctx {
	const struct rib *r;
	struct rib_check_report *rep;
	uint64_t *seen; /* a bit per entry: the FIB has a route for it */
};

/* What e wants (nh = wanted_nh()), as the check compares it: a group by its
 * members, sorted. */
static struct rib_nexthop
pub_nh(const struct rib *r, const struct rib_entry *e, const struct rib_nh *nh)
{
	struct rib_nexthop out = {
		.gateway = nh->type == NH_GATEWAY ? nh->gateway : 0,
		.type = nh->type,
		.port = nh->type == NH_NONE ? 0 : nh->port,
	};

	if (nh->type == NH_GROUP) {
		uint8_t port;
		unsigned n = wanted_group(r, e, out.members, &port);

		out.n_members = (uint8_t)route_group_sort(out.members, n);
	}
	return out;
}

static bool
pub_same(const struct rib_nexthop *a, const struct rib_nexthop *b)
{
	if (!nh_same(a->type, a->port, a->gateway, b->type, b->port, b->gateway))
		return false;
	return a->type != NH_GROUP ||
	       (a->n_members == b->n_members && a->n_members <= ROUTE_OP_MAX_GW &&
		       memcmp(a->members, b->members, a->n_members * sizeof(a->members[0])) == 0);
}

/* The FIB's next hop as the RIB records it (a group: its digest). */
static uint32_t
view_gw(const struct rib_nexthop *f)
{
	if (f->type == NH_GROUP && f->n_members <= ROUTE_OP_MAX_GW)
		return route_group_digest(f->port, f->members, f->n_members);
	return f->gateway;
}

static void
check_diff(struct rib_check_report *rep, uint32_t prefix, uint8_t len, uint8_t kind,
	const struct rib_nexthop *rib, const struct rib_nexthop *fib)
{
	rep->differences++;
	if (rep->n_diffs < RIB_CHECK_DIFFS)
		rep->diffs[rep->n_diffs++] = (struct rib_check_diff){
			.prefix = prefix, .len = len, .kind = kind, .rib = *rib, .fib = *fib};
}

/* One RIB prefix against what the FIB holds for it (f; NH_NONE: nothing). */
static void
check_entry(const struct rib *r, const struct rib_entry *e, const struct rib_nexthop *f,
	struct rib_check_report *rep)
{
	struct rib_nh want = wanted_nh(r, e), one;
	struct rib_nexthop w = pub_nh(r, e, &want);

	rep->checked++;
	if (pub_same(&w, f))
		return;
	if (e->flags & E_INFLIGHT) {
		rep->in_flight++;
		return;
	}
	/* The first of its set carries it while its group waits. */
	if (e->degraded && group_first(r, e, &one) && fib_holds(e, &one) &&
		nh_same(e->fib_type, e->fib_port, e->fib_gw, f->type, f->port, view_gw(f))) {
		rep->degraded++;
		return;
	}
	/* A lag the RIB knows of: the FIB holds what the RIB says it does. */
	if ((e->flags & (E_REFUSED | E_DIRTY)) &&
		nh_same(e->fib_type, e->fib_port, e->fib_gw, f->type, f->port, view_gw(f))) {
		rep->not_in_fib++;
		return;
	}
	check_diff(rep, e->prefix, e->len,
		f->type == NH_NONE ? RIB_DIFF_MISSING : RIB_DIFF_NEXT_HOP, &w, f);
}

/* A FIB route: against its RIB prefix, or an adjacency, or extra. */
static int
check_fib_route(
	void *arg, uint32_t prefix, uint8_t len, const struct rib_nexthop *nh, bool adjacency)
{
	struct check_ctx *c = arg;
	const struct rib_nexthop none = {.type = NH_NONE};
	uint32_t idx = entry_find(c->r, prefix, len);

	if (idx != NO_ENTRY) {
		c->seen[idx / 64] |= 1ull << (idx % 64);
		check_entry(c->r, &c->r->entries[idx], nh, c->rep);
		return 0;
	}
	c->rep->checked++;
	if (adjacency)
		c->rep->adjacencies++;
	else
		check_diff(c->rep, prefix, len, RIB_DIFF_EXTRA, &none, nh);
	return 0;
}

/* One walk of the FIB, a hash lookup per route, then the RIB prefixes it
 * did not meet: exact lookups in the FIB's trie would cost ten times more. */
int
rib_fib_check(const struct rib *r, const struct rib_fib_view *fib, struct rib_check_report *rep)
{
	const struct rib_nexthop none = {.type = NH_NONE};
	struct check_ctx c = {.r = r, .rep = rep};
	int rc;

	if (r == NULL || fib == NULL || fib->walk == NULL || rep == NULL)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	c.seen = calloc(r->n_entries / 64 + 1, sizeof(*c.seen));
	if (c.seen == NULL)
		return -ENOMEM;
	rc = fib->walk(fib->arg, check_fib_route, &c);
	for (uint32_t i = 0; rc >= 0 && i < r->n_entries; i++)
		if (!(c.seen[i / 64] >> (i % 64) & 1))
			check_entry(r, &r->entries[i], &none, rep);
	free(c.seen);
	return rc < 0 ? -EIO : 0;
}

void
rib_peer_stats(const struct rib *r, unsigned peer, struct rib_peer_stats *st)
{
	if (r == NULL || peer >= RIB_MAX_PEERS) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = r->peers[peer].st;
}

int
rib_walk(const struct rib *r, rib_walk_fn cb, void *arg)
{
	if (r == NULL || cb == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < r->n_entries; i++) {
		const struct rib_entry *e = &r->entries[i];
		const struct rib_attrs *attrs = NULL;
		uint32_t next_hop;
		int best_peer = -1, rc;

		if (e->best_src == SRC_NONE)
			continue;
		if (e->best_src == RIB_SRC_BGP) {
			const struct rib_path *p = cpaths_of(e);
			unsigned j = 0;

			while (p[j].peer != e->best_peer)
				j++;
			attrs = p[j].attrs;
			best_peer = e->best_peer;
			next_hop = attrs->next_hop;
		} else if (e->local[e->best_src].type == NH_GROUP) {
			next_hop = r->lgroups[e->local[e->best_src].gateway].gw[0];
		} else {
			next_hop = e->local[e->best_src].gateway;
		}
		rc = cb(e->prefix, e->len, (enum rib_source)e->best_src, best_peer, attrs, next_hop,
			arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

unsigned
rib_best_gateways(const struct rib *r, uint32_t prefix, uint8_t len, uint32_t gw[ROUTE_OP_MAX_GW])
{
	uint32_t idx;
	uint8_t port;

	if (r == NULL || !prefix_ok(prefix, len))
		return 0;
	idx = entry_find(r, prefix, len);
	if (idx == NO_ENTRY)
		return 0;
	return wanted_group(r, &r->entries[idx], gw, &port);
}

uint32_t
rib_peer_address(const struct rib *r, unsigned peer)
{
	return r != NULL && peer < RIB_MAX_PEERS ? r->peer_info[peer].address : 0;
}

int
rib_walk_paths(const struct rib *r, rib_paths_fn cb, void *arg)
{
	struct rib_path_info info[2 + UINT8_MAX];

	if (r == NULL || cb == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < r->n_entries; i++) {
		const struct rib_entry *e = &r->entries[i];
		const struct rib_path *p = cpaths_of(e);
		unsigned n = 0;
		int rc;

		if (e->best_src == SRC_NONE)
			continue;
		uint64_t multi = 0;

		for (unsigned src = RIB_SRC_CONNECTED; src <= RIB_SRC_STATIC; src++) {
			const struct rib_nh *l = &e->local[src];

			if (!(e->flags & (1u << src)))
				continue;
			info[n] = (struct rib_path_info){.src = (enum rib_source)src,
				.peer = -1,
				.next_hop = l->gateway,
				.best = e->best_src == src};
			if (l->type == NH_GROUP) {
				const struct rib_lgroup *g = &r->lgroups[l->gateway];

				info[n].next_hop = g->gw[0];
				info[n].n_gateways = g->n;
				memcpy(info[n].gateways, g->gw, g->n * sizeof(g->gw[0]));
			}
			n++;
		}
		/* The multipath set besides the best (degraded: the best alone). */
		if (e->best_src == RIB_SRC_BGP && r->multipath > 1 && e->n_paths > 1 &&
			!e->degraded) {
			unsigned idx[ROUTE_OP_MAX_GW];
			unsigned k = rib_decide_multi(
				p, e->n_paths, r->peer_info, r->multipath, r->multipath_relax, idx);

			for (unsigned j = 1; j < k; j++)
				multi |= 1ull << idx[j];
		}
		for (unsigned j = 0; j < e->n_paths; j++)
			info[n++] = (struct rib_path_info){.src = RIB_SRC_BGP,
				.peer = p[j].peer,
				.next_hop = p[j].attrs->next_hop,
				.attrs = p[j].attrs,
				.best = e->best_src == RIB_SRC_BGP && e->best_peer == p[j].peer,
				.multipath = (multi >> j) & 1};
		rc = cb(e->prefix, e->len, info, n, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

uint32_t
rib_hash_max_probe(const struct rib *r)
{
	uint32_t max = 0;

	if (r == NULL)
		return 0;
	for (uint32_t pos = 0; pos <= r->slot_mask; pos++) {
		const struct rib_slot *s = &r->slots[pos];
		uint32_t d;

		if (s->idx == 0)
			continue;
		d = (pos - (s->hash & r->slot_mask)) & r->slot_mask;
		if (d > max)
			max = d;
	}
	return max;
}

size_t
rib_size(const struct rib *r)
{
	return r ? r->n_entries - r->n_zombie : 0;
}

size_t
rib_memory(const struct rib *r)
{
	size_t n;

	if (r == NULL)
		return 0;
	n = sizeof(*r) + (size_t)r->cap_entries * sizeof(struct rib_entry) +
		((size_t)r->slot_mask + 1) * sizeof(struct rib_slot);
	for (uint32_t i = 0; i < r->n_entries; i++)
		if (r->entries[i].cap_paths > 1)
			n += r->entries[i].cap_paths * sizeof(struct rib_path);
	return n;
}
