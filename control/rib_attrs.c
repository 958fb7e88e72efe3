/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB's copy of a BGP path's attributes: what the decision process and
 * the display need from a decoded UPDATE, interned so that identical sets
 * are stored once (BIRD's and OpenBGPD's attribute caches do the same).
 *
 * One table for the process, as the control thread is its only user: a
 * set is shared by every prefix and every peer that has it. The table is a
 * chained hash keyed with SipHash-2-4 and a per-process random key, since
 * its content comes from the peers: a peer must not be able to choose sets
 * that fall into one chain.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rib.h"

#define MIN_BUCKETS 64u
#define KEY_FIXED 16 /* next hop, MED, LOCAL_PREF, ORIGIN, has MED, communities count */

_Static_assert(offsetof(struct rib_attrs, key) % 4 == 0, "communities are read in place");

static struct {
	struct rib_attrs **buckets;
	uint32_t mask; /* buckets - 1; no buckets yet when buckets is NULL */
	uint64_t sets, refs, bytes;
	uint64_t seed[2];
	bool seeded;
} tab;

/* ------------------------------------------------------------- SipHash */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ROTL(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = ROTL(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = ROTL(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ROTL(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ROTL(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = ROTL(v2, 32);                                                                 \
	} while (0)

/* SipHash-2-4 (Aumasson and Bernstein), 64-bit output. */
static uint64_t
siphash24(const uint8_t *in, size_t len, const uint64_t k[2])
{
	uint64_t v0 = 0x736f6d6570736575ull ^ k[0], v1 = 0x646f72616e646f6dull ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ull ^ k[0], v3 = 0x7465646279746573ull ^ k[1];
	uint64_t b = (uint64_t)len << 56, m;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, in + i, 8);
		m = le64toh(m);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (unsigned s = 0; i < len; i++, s += 8)
		b |= (uint64_t)in[i] << s;
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void
seed_once(void)
{
	if (tab.seeded)
		return;
	if (getrandom(tab.seed, sizeof(tab.seed), GRND_NONBLOCK) != (ssize_t)sizeof(tab.seed)) {
		/* No entropy yet (early boot): still differs per process. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		tab.seed[0] = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^ (uint64_t)getpid();
		tab.seed[1] = (uint64_t)(uintptr_t)&ts ^ 0x9e3779b97f4a7c15ull;
	}
	tab.seeded = true;
}

/* --------------------------------------------------------- intern table */

static size_t
set_size(const struct rib_attrs *a)
{
	return sizeof(*a) + a->key_len;
}

/* Rehash into n buckets; on failure the table keeps its size (chains only
 * get longer). */
static void
table_resize(uint32_t n)
{
	struct rib_attrs **nb = calloc(n, sizeof(*nb));

	if (nb == NULL)
		return;
	for (uint32_t i = 0; tab.buckets != NULL && i <= tab.mask; i++) {
		struct rib_attrs *a = tab.buckets[i], *next;

		for (; a != NULL; a = next) {
			next = a->next;
			a->next = nb[a->hash & (n - 1)];
			nb[a->hash & (n - 1)] = a;
		}
	}
	if (tab.buckets != NULL)
		tab.bytes -= (uint64_t)(tab.mask + 1) * sizeof(*nb);
	free(tab.buckets);
	tab.buckets = nb;
	tab.mask = n - 1;
	tab.bytes += (uint64_t)n * sizeof(*nb);
}

static struct rib_attrs *
table_find(const struct rib_attrs *k)
{
	struct rib_attrs *a;

	if (tab.buckets == NULL)
		return NULL;
	for (a = tab.buckets[k->hash & tab.mask]; a != NULL; a = a->next)
		if (a->hash == k->hash && a->key_len == k->key_len &&
			memcmp(a->key, k->key, k->key_len) == 0)
			return a;
	return NULL;
}

static void
table_insert(struct rib_attrs *a)
{
	if (tab.buckets == NULL || tab.sets + 1 > (uint64_t)tab.mask + 1)
		table_resize(tab.buckets == NULL ? MIN_BUCKETS : (tab.mask + 1) * 2);
	if (tab.buckets == NULL) {
		/* Not even the first buckets: the set lives unshared. */
		a->next = a;
		return;
	}
	a->next = tab.buckets[a->hash & tab.mask];
	tab.buckets[a->hash & tab.mask] = a;
}

static void
table_remove(struct rib_attrs *a)
{
	struct rib_attrs **pp;

	if (a->next == a)
		return;
	for (pp = &tab.buckets[a->hash & tab.mask]; *pp != a; pp = &(*pp)->next)
		;
	*pp = a->next;
	if (tab.mask + 1 > MIN_BUCKETS && tab.sets * 8 < (uint64_t)tab.mask + 1)
		table_resize((tab.mask + 1) / 2);
}

/* ----------------------------------------------------------------- API */

struct rib_attrs *
rib_attrs_new(const struct bgp_path_attrs *a, bool ebgp)
{
	struct rib_attrs *ra, *found;
	uint32_t first, nc = 0, path_len;
	size_t key_len;
	uint8_t *k;
	int n;

	if (a == NULL) {
		errno = EINVAL;
		return NULL;
	}
	n = bgp_as_path_format(NULL, 0, &a->as_path);
	if (n < 0)
		n = 0;
	if (a->n_communities > 0)
		nc = a->n_communities < BGP_MAX_COMMUNITIES ? a->n_communities
							    : BGP_MAX_COMMUNITIES;
	key_len = KEY_FIXED + nc * sizeof(uint32_t) + (size_t)n + 1;
	/* Made whole, then looked up: one allocation, freed again when the
	 * set is already there. */
	ra = malloc(sizeof(*ra) + key_len);
	if (ra == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(ra, 0, sizeof(*ra));
	ra->refcnt = 1;
	/* An UPDATE with only MP_REACH_NLRI has its next hop there. */
	ra->next_hop = bgp_attrs_has(a, BGP_ATTR_NEXT_HOP) ? a->next_hop : a->mp_next_hop;
	ra->has_med = bgp_attrs_has(a, BGP_ATTR_MED);
	ra->med = ra->has_med ? a->med : 0;
	/* RFC 4271 §5.1.5: LOCAL_PREF from an external peer is ignored. */
	ra->local_pref = !ebgp && bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF) ? a->local_pref : 100;
	ra->origin = a->origin;
	ra->neighbor_as = bgp_as_path_first_as(&a->as_path, &first) == 0 ? first : 0;
	path_len = bgp_as_path_len(&a->as_path);
	ra->as_path_len = path_len > UINT16_MAX ? UINT16_MAX : (uint16_t)path_len;
	ra->n_communities = (uint16_t)nc;

	k = ra->key;
	memcpy(k, &ra->next_hop, 4);
	memcpy(k + 4, &ra->med, 4);
	memcpy(k + 8, &ra->local_pref, 4);
	k[12] = ra->origin;
	k[13] = ra->has_med;
	memcpy(k + 14, &ra->n_communities, 2);
	if (nc > 0) {
		ra->communities = (uint32_t *)(void *)(k + KEY_FIXED);
		memcpy(ra->communities, a->communities, nc * sizeof(uint32_t));
	}
	ra->as_path = (char *)(k + KEY_FIXED + nc * sizeof(uint32_t));
	ra->as_path[0] = '\0';
	bgp_as_path_format(ra->as_path, (size_t)n + 1, &a->as_path);
	ra->key_len = (uint32_t)key_len;

	seed_once();
	ra->hash = (uint32_t)siphash24(ra->key, key_len, tab.seed);
	tab.refs++;
	found = table_find(ra);
	if (found != NULL) {
		free(ra);
		found->refcnt++;
		return found;
	}
	tab.sets++;
	tab.bytes += set_size(ra);
	table_insert(ra);
	return ra;
}

struct rib_attrs *
rib_attrs_get(struct rib_attrs *a)
{
	if (a != NULL) {
		a->refcnt++;
		tab.refs++;
	}
	return a;
}

void
rib_attrs_put(struct rib_attrs *a)
{
	if (a == NULL)
		return;
	tab.refs--;
	if (--a->refcnt > 0)
		return;
	tab.sets--;
	tab.bytes -= set_size(a);
	table_remove(a);
	free(a);
}

void
rib_attrs_stats(struct rib_attrs_stats *st)
{
	st->sets = tab.sets;
	st->refs = tab.refs;
	st->bytes = tab.bytes;
}
