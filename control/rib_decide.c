/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP decision process (RFC 4271 §9.1.2.2) over one prefix's paths.
 * vbr speaks eBGP only, so the eBGP-over-iBGP and IGP-cost steps have
 * nothing to choose between and are left out.
 */
#include <stdbool.h>
#include <stdint.h>

#include "rib_internal.h"

/* Of the candidates in cand (a bit per path), keep those with the lowest
 * key; keyexpr reads the path as p. */
#define KEEP_LOWEST(paths, cand, keyexpr)                                                          \
	do {                                                                                       \
		uint64_t _keep = 0, _best = UINT64_MAX;                                            \
		for (uint64_t _c = (cand); _c != 0; _c &= _c - 1) {                                \
			unsigned _i = (unsigned)__builtin_ctzll(_c);                               \
			const struct rib_path *p = &(paths)[_i];                                   \
			uint64_t _k = (keyexpr);                                                   \
			if (_k < _best) {                                                          \
				_best = _k;                                                        \
				_keep = 0;                                                         \
			}                                                                          \
			if (_k == _best)                                                           \
				_keep |= 1ull << _i;                                               \
		}                                                                                  \
		(cand) = _keep;                                                                    \
	} while (0)

static inline uint32_t
med_of(const struct rib_attrs *a)
{
	/* RFC 4271 §9.1.2.2 c: a missing MED is the lowest value. */
	return a->has_med ? a->med : 0;
}

/*
 * RFC 4271 §9.1.2.2 over paths[0..n) up to the tie-breaks: the paths left
 * equal (a bit each). Each step removes candidates, so that the
 * non-transitive MED rule is applied to the whole set at once and the
 * result does not depend on the order the paths came in.
 */
static uint64_t
decide_equal(const struct rib_path *paths, unsigned n)
{
	uint64_t cand = n >= 64 ? UINT64_MAX : (1ull << n) - 1;
	uint64_t keep;

	/* Degree of preference (§9.1.2.1): our LOCAL_PREF, highest wins. */
	KEEP_LOWEST(paths, cand, ~(uint64_t)p->attrs->local_pref);
	/* a) shortest AS_PATH. */
	KEEP_LOWEST(paths, cand, p->attrs->as_path_len);
	/* b) lowest ORIGIN. */
	KEEP_LOWEST(paths, cand, p->attrs->origin);
	/* c) drop a path when one from the same neighbouring AS has a lower MED. */
	keep = cand;
	for (unsigned i = 0; i < n; i++) {
		if (!(cand >> i & 1))
			continue;
		for (unsigned j = 0; j < n; j++) {
			if (j != i && (cand >> j & 1) &&
				paths[j].attrs->neighbor_as == paths[i].attrs->neighbor_as &&
				med_of(paths[j].attrs) < med_of(paths[i].attrs)) {
				keep &= ~(1ull << i);
				break;
			}
		}
	}
	/* d) eBGP over iBGP, e) IGP cost: vbr speaks eBGP only. */
	return keep;
}

/* f) lowest BGP Identifier, g) lowest peer address; then the slot, so that
 * two peers with equal keys still give one answer: the first of cand. */
static unsigned
tie_break(const struct rib_path *paths, uint64_t cand, const struct rib_peer_info *peers)
{
	KEEP_LOWEST(paths, cand, peers[p->peer].bgp_id);
	KEEP_LOWEST(paths, cand, peers[p->peer].address);
	KEEP_LOWEST(paths, cand, p->peer);
	return (unsigned)__builtin_ctzll(cand);
}

unsigned
rib_decide(const struct rib_path *paths, unsigned n, const struct rib_peer_info *peers)
{
	if (n == 1)
		return 0;
	return tie_break(paths, decide_equal(paths, n), peers);
}

/*
 * BGP multipath, as Juniper's "multipath" and Cisco's "maximum-paths" do
 * it: the best path, then the paths that the decision process could not
 * tell from it before its tie-breaks (LOCAL_PREF, AS_PATH length, ORIGIN,
 * MED as compared above, eBGP), from the same neighbouring AS unless
 * relax, one per next hop, in the order the tie-breaks rank them; at most
 * max. Their indices in out[] (out[0] the best); returns how many.
 */
unsigned
rib_decide_multi(const struct rib_path *paths, unsigned n, const struct rib_peer_info *peers,
	unsigned max, bool relax, unsigned *out)
{
	uint64_t cand = n == 1 ? 1 : decide_equal(paths, n);
	unsigned best = n == 1 ? 0 : tie_break(paths, cand, peers), k = 1;

	out[0] = best;
	cand &= ~(1ull << best);
	if (!relax)
		for (uint64_t c = cand; c != 0; c &= c - 1) {
			unsigned i = (unsigned)__builtin_ctzll(c);

			if (paths[i].attrs->neighbor_as != paths[best].attrs->neighbor_as)
				cand &= ~(1ull << i);
		}
	while (cand != 0 && k < max) {
		unsigned i = tie_break(paths, cand, peers), j;

		cand &= ~(1ull << i);
		for (j = 0; j < k && paths[out[j]].attrs->next_hop != paths[i].attrs->next_hop; j++)
			;
		if (j == k)
			out[k++] = i;
	}
	return k;
}
