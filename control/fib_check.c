/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FIB == RIB, checked. The RIB walks its prefixes and the FIB's routes
 * (rib_fib_check); this file lets it read the FIB's active copy, the one
 * forwarding uses, and tells a neighbour's /32 that the FIB made itself
 * (an adjacency) from a route nobody asked for.
 */
#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "fib_check.h"

/* BGP multipath leaves the FIB's last 64 groups to static routes' next_hops. */
_Static_assert(RIB_GROUPS_DEFAULT == FIB_GROUPS_DEFAULT - 64, "the RIB's limit of groups");

struct view_walk_arg {
	int (*cb)(void *, uint32_t, uint8_t, const struct rib_nexthop *, bool);
	void *cbarg;
	struct fib *fib;
};

static int
view_walk_one(uint32_t prefix, uint8_t depth, const struct nexthop *nh, uint32_t nh_id, void *arg)
{
	struct view_walk_arg *w = arg;
	struct rib_nexthop out = {.gateway = nh->addr, .type = nh->type, .port = (uint8_t)nh->port};
	bool adjacency = depth == 32 && nh->type == NH_GATEWAY && nh->addr == prefix &&
			 (nh->flags & NH_F_ADJ);

	(void)nh_id;
	/* A group by its members' addresses (the FIB keeps them sorted). */
	if (nh->type == NH_GROUP) {
		uint32_t ids[FIB_GROUP_MAX];

		out.gateway = 0;
		out.n_members = (uint8_t)fib_group_members(w->fib, nh, ids);
		for (unsigned int i = 0; i < out.n_members; i++)
			out.members[i] = fib_nexthop(w->fib, ids[i])->addr;
	}
	return w->cb(w->cbarg, prefix, depth, &out, adjacency);
}

static int
view_walk(void *arg, int (*cb)(void *, uint32_t, uint8_t, const struct rib_nexthop *, bool),
	void *cbarg)
{
	struct view_walk_arg w = {cb, cbarg, arg};

	return fib_route_walk(arg, view_walk_one, &w);
}

int
fib_check_run(const struct rib *rib, struct fib *fib, struct rib_check_report *rep)
{
	struct rib_fib_view v = {.walk = view_walk, .arg = fib};

	if (rib == NULL || fib == NULL)
		return -EINVAL;
	return rib_fib_check(rib, &v, rep);
}

static void
nh_str(const struct rib_nexthop *nh, char *buf, size_t len)
{
	static const char *const types[] = {"none", "via", "connected", "local", "blackhole"};
	char a[16];

	if (nh->type == NH_GROUP) {
		size_t off = (size_t)snprintf(buf, len, "group");

		for (unsigned int i = 0; i < nh->n_members && i < ROUTE_OP_MAX_GW && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, " %s",
				config_ip_str(nh->members[i], a, sizeof(a)));
		if (off < len)
			snprintf(buf + off, len - off, " dev %s", config_port_name(nh->port));
	} else if (nh->type == NH_GATEWAY)
		snprintf(buf, len, "via %s dev %s", config_ip_str(nh->gateway, a, sizeof(a)),
			config_port_name(nh->port));
	else if (nh->type == NH_CONNECTED)
		snprintf(buf, len, "connected dev %s", config_port_name(nh->port));
	else
		snprintf(buf, len, "%s", nh->type < RTE_DIM(types) ? types[nh->type] : "?");
}

void
fib_check_tel(const struct rib_check_report *rep, uint64_t fib_pending, uint64_t ms,
	struct rte_tel_data *d)
{
	static const char *const kinds[] = {
		"next hop differs", "missing from the FIB", "in the FIB only"};
	struct rte_tel_data *diffs = rte_tel_data_alloc();

	rte_tel_data_add_dict_u64(d, "complete", 1);
	rte_tel_data_add_dict_u64(d, "checked", rep->checked);
	rte_tel_data_add_dict_u64(d, "differences", rep->differences);
	rte_tel_data_add_dict_u64(d, "in_flight", rep->in_flight);
	rte_tel_data_add_dict_u64(d, "not_in_fib", rep->not_in_fib);
	rte_tel_data_add_dict_u64(d, "fib_pending", fib_pending);
	rte_tel_data_add_dict_u64(d, "adjacencies", rep->adjacencies);
	rte_tel_data_add_dict_u64(d, "degraded", rep->degraded);
	rte_tel_data_add_dict_u64(d, "ms", ms);
	if (diffs == NULL)
		return;
	rte_tel_data_start_array(diffs, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < rep->n_diffs; i++) {
		const struct rib_check_diff *x = &rep->diffs[i];
		char a[16], r[48], f[48], line[RTE_TEL_MAX_STRING_LEN];

		nh_str(&x->rib, r, sizeof(r));
		nh_str(&x->fib, f, sizeof(f));
		snprintf(line, sizeof(line), "%s/%u %s: rib %s, fib %s",
			config_ip_str(x->prefix, a, sizeof(a)), x->len,
			x->kind < RTE_DIM(kinds) ? kinds[x->kind] : "?", r, f);
		rte_tel_data_add_array_string(diffs, line);
	}
	rte_tel_data_add_dict_container(d, "diffs", diffs, 0);
}
