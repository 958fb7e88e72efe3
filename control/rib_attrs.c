/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB's copy of a BGP path's attributes: what the decision process and
 * the display need from a decoded UPDATE, shared by all its prefixes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"

struct rib_attrs *
rib_attrs_new(const struct bgp_path_attrs *a, bool ebgp)
{
	struct rib_attrs *ra;
	unsigned path_len;
	uint32_t first;
	int n;

	if (a == NULL) {
		errno = EINVAL;
		return NULL;
	}
	ra = calloc(1, sizeof(*ra));
	if (ra == NULL)
		return NULL;
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

	n = bgp_as_path_format(NULL, 0, &a->as_path);
	if (n < 0)
		n = 0;
	ra->as_path = malloc((size_t)n + 1);
	if (ra->as_path == NULL)
		goto fail;
	ra->as_path[0] = '\0';
	bgp_as_path_format(ra->as_path, (size_t)n + 1, &a->as_path);

	if (a->n_communities > 0) {
		uint16_t nc = a->n_communities < BGP_MAX_COMMUNITIES ? a->n_communities
								     : BGP_MAX_COMMUNITIES;

		ra->communities = malloc(nc * sizeof(ra->communities[0]));
		if (ra->communities == NULL)
			goto fail;
		memcpy(ra->communities, a->communities, nc * sizeof(ra->communities[0]));
		ra->n_communities = nc;
	}
	return ra;
fail:
	free(ra->as_path);
	free(ra);
	errno = ENOMEM;
	return NULL;
}

struct rib_attrs *
rib_attrs_get(struct rib_attrs *a)
{
	if (a != NULL)
		a->refcnt++;
	return a;
}

void
rib_attrs_put(struct rib_attrs *a)
{
	if (a == NULL || --a->refcnt > 0)
		return;
	free(a->as_path);
	free(a->communities);
	free(a);
}
