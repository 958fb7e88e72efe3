/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP peers the exception path polices for (punt.c): a small set the
 * forwarding lcores read on every punted TCP segment, replaced whole when
 * the user creates or deletes a peer. The control thread publishes a new
 * set with one atomic store; the old one is freed by the main lcore once
 * every forwarding lcore has reported a quiescent state since (the FIB's
 * rte_rcu_qsbr: its readers are these lcores), so no reader ever sees a
 * freed set. The main lcore, the other reader, frees only between its own
 * reads.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_rcu_qsbr.h>

#include "dataplane.h"

struct dp_peer_retired {
	struct dp_peer_retired *next;
	struct dp_peer_set *set;
	uint64_t token;
};

int
dp_peers_set(struct dataplane *dp, const uint32_t *addrs, unsigned n)
{
	return dp_punt_sources_set(dp, addrs, n, NULL, 0);
}

int
dp_punt_sources_set(struct dataplane *dp, const uint32_t *addrs, unsigned n,
		const uint32_t *tracked, unsigned m)
{
	struct dp_peer_set *set, *old;
	struct dp_peer_retired *r = NULL;

	if (n > VBR_MAX_PEERS)
		return -E2BIG;
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		set->addr[i] = rte_cpu_to_be_32(addrs[i]);
	set->n = n;
	for (unsigned i = 0; i < m && i < PUNT_TRACK_MAX; i++)
		set->track[set->n_track++] = rte_cpu_to_be_32(tracked[i]);
	pthread_mutex_lock(&dp->peers_lock);
	old = dp->bgp_peers;
	if (old != NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL) {
			pthread_mutex_unlock(&dp->peers_lock);
			free(set);
			return -ENOMEM;
		}
	}
	__atomic_store_n(&dp->bgp_peers, set, __ATOMIC_RELEASE);
	if (r != NULL) {
		r->set = old;
		/* Readers that may still hold old: those that have not
		 * reported since this token. */
		r->token = dp->fib ? rte_rcu_qsbr_start(fib_qsbr(dp->fib)) : 0;
		r->next = dp->peers_retired;
		dp->peers_retired = r;
	}
	pthread_mutex_unlock(&dp->peers_lock);
	return 0;
}

void
dp_peers_reclaim(struct dataplane *dp)
{
	struct dp_peer_retired **pp;

	if (__atomic_load_n(&dp->peers_retired, __ATOMIC_RELAXED) == NULL)
		return;
	pthread_mutex_lock(&dp->peers_lock);
	pp = &dp->peers_retired;
	while (*pp != NULL) {
		struct dp_peer_retired *r = *pp;

		if (dp->fib && rte_rcu_qsbr_check(fib_qsbr(dp->fib), r->token, false) != 1) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		free(r->set);
		free(r);
	}
	pthread_mutex_unlock(&dp->peers_lock);
}

void
dp_peers_free(struct dataplane *dp)
{
	pthread_mutex_lock(&dp->peers_lock);
	while (dp->peers_retired != NULL) {
		struct dp_peer_retired *r = dp->peers_retired;

		dp->peers_retired = r->next;
		free(r->set);
		free(r);
	}
	free(dp->bgp_peers);
	dp->bgp_peers = NULL;
	pthread_mutex_unlock(&dp->peers_lock);
}
