/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The read-only views of `vbrctl show`: one JSON record per peer, group,
 * CIDR block, prefix, FIB entry or neighbour (the shapes api/ documents),
 * built on the control thread from the live objects. Every prefix is
 * shown: nothing is capped. A BGP group's key is never shown.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ring.h>

#include "ctl_log.h"
#include "evloop.h"
#include "inet.h"
#include "objects_internal.h"

static const char *const source_names[] = {
	[RIB_SRC_CONNECTED] = "connected",
	[RIB_SRC_STATIC] = "static",
	[RIB_SRC_BGP] = "bgp",
};

static const char *const nh_type_names[] = {
	[NH_NONE] = "none",
	[NH_GATEWAY] = "gateway",
	[NH_CONNECTED] = "connected",
	[NH_LOCAL] = "local",
	[NH_BLACKHOLE] = "blackhole",
	[NH_GROUP] = "group",
};

static json_t *
ip_json(uint32_t addr)
{
	char a[VBR_IP_STRLEN];

	return json_string(config_ip_str(addr, a, sizeof(a)));
}

static json_t *
ips_json(const uint32_t *addrs, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, ip_json(addrs[i]));
	return a;
}

static json_t *
prefix_json(uint32_t addr, uint8_t len)
{
	struct vbr_prefix p = { .addr = addr, .len = len };
	char s[VBR_PREFIX_STRLEN];

	return json_string(config_prefix_str(&p, s, sizeof(s)));
}

static json_t *
mac_json(const uint8_t *m)
{
	char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return json_string(s);
}

/* ------------------------------------------------------------ config */

static const char *const maxpfx_names[] = {
	[VBR_MAXPFX_DROP] = "drop",
	[VBR_MAXPFX_TEARDOWN] = "teardown",
};

static json_t *group_json_base(const struct vbr_bgp_group *g);

static const char *const bfd_auth_names[] = {
	[VBR_BFD_AUTH_SHA1] = "sha1",
	[VBR_BFD_AUTH_METICULOUS_SHA1] = "meticulous-sha1",
	[VBR_BFD_AUTH_MD5] = "md5",
	[VBR_BFD_AUTH_METICULOUS_MD5] = "meticulous-md5",
};

/* A group's bfd (the group has the key only when it has BFD, as in the
 * file); its authentication key is never shown. */
static json_t *
bfd_json(const struct vbr_bfd *b)
{
	json_t *j = json_pack("{s:I, s:I, s:I}", "min_rx", (json_int_t)b->min_rx, "min_tx",
			(json_int_t)b->min_tx, "multiplier", (json_int_t)b->multiplier);
	if (j != NULL && b->auth.enabled && (unsigned)b->auth.type < RTE_DIM(bfd_auth_names))
		json_object_set_new(j, "auth", json_pack("{s:s, s:I, s:b}", "type",
				bfd_auth_names[b->auth.type], "key_id", (json_int_t)b->auth.key_id,
				"key_set", b->auth.key[0] != '\0'));
	return j;
}

static json_t *
group_json(const struct vbr_bgp_group *g)
{
	json_t *j = group_json_base(g);

	if (j != NULL && g->bfd.enabled)
		json_object_set_new(j, "bfd", bfd_json(&g->bfd));
	return j;
}

static json_t *
group_json_base(const struct vbr_bgp_group *g)
{
	return json_pack("{s:s, s:I, s:s, s:b, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:b, s:b, s:b, s:I, s:I}",
			"name", g->name, "peer_asn", (json_int_t)g->peer_asn,
			"description", g->description, "key_set", g->key[0] != '\0',
			"max_prefixes", (json_int_t)g->max_prefixes,
			"max_prefixes_action", maxpfx_names[g->max_prefixes_action],
			"max_prefixes_restart", (json_int_t)g->max_prefixes_restart,
			"hold_time", (json_int_t)g->hold_time,
			"min_hold_time", (json_int_t)g->min_hold_time,
			"send_hold_time", (json_int_t)g->send_hold_time,
			"connect_retry", (json_int_t)g->connect_retry,
			"error_wait_min", (json_int_t)g->error_wait_min,
			"error_wait_max", (json_int_t)g->error_wait_max,
			"multihop", (json_int_t)g->multihop,
			"passive", g->passive, "gtsm", g->gtsm, "accept_default", g->accept_default,
			"max_prefix_len", (json_int_t)g->max_prefix_len,
			"max_as_path_len", (json_int_t)g->max_as_path_len);
}

static json_t *
port_json(const struct vbr_port_config *p)
{
	return json_pack("{s:s, s:o, s:s, s:I, s:I, s:I, s:I}", "device", p->device,
			"address", prefix_json(p->address, p->prefix_len), "tap", p->tap,
			"mtu", (json_int_t)p->mtu, "punt_rate", (json_int_t)p->punt_rate,
			"max_neighbors", (json_int_t)p->max_neighbors,
			"reachable_time", (json_int_t)p->reachable_time);
}

/* metrics: the endpoint's address, when there is one. */
static json_t *
show_config_metrics(const struct vbr_config *cfg, json_t *j)
{
	char a[VBR_IP_STRLEN], listen[VBR_IP_STRLEN + 6];

	if (j != NULL && cfg->metrics.listen_port != 0) {
		snprintf(listen, sizeof(listen), "%s:%u",
				config_ip_str(cfg->metrics.listen_addr, a, sizeof(a)),
				cfg->metrics.listen_port);
		json_object_set_new(j, "metrics", json_pack("{s:s}", "listen", listen));
	}
	return j;
}

json_t *
show_config_json(const struct vbr_config *cfg)
{
	json_t *groups = json_array(), *peers = json_array(), *nets = json_array();
	json_t *routes = json_array(), *neighs = json_array();

	for (unsigned i = 0; i < cfg->nb_groups; i++)
		json_array_append_new(groups, group_json(&cfg->groups[i]));
	for (unsigned i = 0; i < cfg->nb_peers; i++) {
		const struct vbr_bgp_peer *p = &cfg->peers[i];

		json_array_append_new(peers, json_pack("{s:s, s:o, s:s, s:b}", "group",
				cfg->groups[p->group].name, "address", ip_json(p->address),
				"description", p->description, "disabled", p->disabled));
	}
	for (unsigned i = 0; i < cfg->nb_networks; i++)
		json_array_append_new(nets, prefix_json(cfg->networks[i].addr, cfg->networks[i].len));
	for (unsigned i = 0; i < cfg->nb_routes; i++) {
		const struct vbr_static_route *r = &cfg->routes[i];
		json_t *j = json_pack("{s:o}", "prefix", prefix_json(r->prefix.addr, r->prefix.len));

		if (r->nb_next_hops > 1)
			json_object_set_new(j, "next_hops", ips_json(r->next_hops, r->nb_next_hops));
		else
			json_object_set_new(j, "next_hop", ip_json(r->next_hop));
		if (r->track.interval)
			json_object_set_new(j, "track", json_pack("{s:i, s:i, s:i}", "interval",
					r->track.interval, "misses", r->track.misses, "rise",
					r->track.rise));
		json_array_append_new(routes, j);
	}
	for (unsigned i = 0; i < cfg->nb_neighbors; i++)
		json_array_append_new(neighs, json_pack("{s:o, s:o}", "address",
				ip_json(cfg->neighbors[i].address), "mac",
				mac_json(cfg->neighbors[i].mac)));
	return show_config_metrics(cfg, json_pack("{s:{s:s, s:I, s:o, s:I}, s:{s:o, s:o}, s:{s:I, s:I, s:I}, "
			 "s:{s:o, s:o, s:o, s:I, s:b}, s:o, s:o}",
			"vbr", "name", cfg->name, "local_asn", (json_int_t)cfg->local_asn,
			"router_id", ip_json(cfg->router_id), "max_peers", (json_int_t)cfg->max_peers,
			"ports", "idc", port_json(&cfg->ports[VBR_PORT_IDC]), "vpc",
			port_json(&cfg->ports[VBR_PORT_VPC]),
			"fib", "max_routes", (json_int_t)cfg->fib.max_routes, "max_tbl8",
			(json_int_t)cfg->fib.max_tbl8, "max_nexthops",
			(json_int_t)cfg->fib.max_nexthops,
			"bgp", "groups", groups, "peers", peers, "networks", nets,
			"multipath", (json_int_t)cfg->bgp_multipath, "multipath_relax",
			cfg->bgp_multipath_relax,
			"routes", routes, "neighbors", neighs));
}

/* ------------------------------------------------------------ views */

static void
show_peers(struct objects *o, struct mgmt_reply *out)
{
	const struct vbr_config *c = o->live;

	for (unsigned i = 0; i < c->nb_peers; i++) {
		const struct vbr_bgp_peer *p = &c->peers[i];
		struct bgp_peer_status st;

		if (bgp_peer_status(o->bgp, p->address, &st) != 0)
			continue;
		mgmt_reply_record(out, json_pack("{s:o, s:s, s:I, s:s, s:s, s:b, s:I, s:s, s:I, "
						 "s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I}",
				"address", ip_json(p->address), "group", c->groups[p->group].name,
				"peer_asn", (json_int_t)st.asn, "description", p->description,
				"state", bgp_state_name(st.state), "enabled", !p->disabled,
				"uptime_s", (json_int_t)(st.uptime_ms / 1000),
				"last_error", st.last_error,
				"prefixes_received", (json_int_t)bgp_prefixes_received(&st),
				"prefixes_installed", (json_int_t)st.prefixes_best,
				"prefixes_over_limit", (json_int_t)st.prefixes_rejected_limit,
				"msgs_in", (json_int_t)st.msgs_in, "msgs_out", (json_int_t)st.msgs_out,
				"updates_in", (json_int_t)st.updates_in,
				"updates_out", (json_int_t)st.updates_out,
				"hold_time", (json_int_t)st.hold_time,
				"remote_id", ip_json(st.remote_id),
				"established_count", (json_int_t)st.established_count,
				"prefixes_filtered", (json_int_t)st.prefixes_filtered));
	}
}

static void
show_groups(struct objects *o, struct mgmt_reply *out)
{
	const struct vbr_config *c = o->live;

	for (unsigned g = 0; g < c->nb_groups; g++) {
		json_t *rec = group_json(&c->groups[g]), *peers = json_array();

		for (unsigned i = 0; i < c->nb_peers; i++)
			if (c->peers[i].group == g)
				json_array_append_new(peers, ip_json(c->peers[i].address));
		json_object_set_new(rec, "peers", peers);
		mgmt_reply_record(out, rec);
	}
}

static void
show_networks(struct objects *o, struct mgmt_reply *out)
{
	const struct vbr_config *c = o->live;

	for (unsigned i = 0; i < c->nb_networks; i++)
		mgmt_reply_record(out, json_pack("{s:o}", "cidr",
				prefix_json(c->networks[i].addr, c->networks[i].len)));
}

struct routes_walk {
	struct objects *o;
	struct mgmt_reply *out;
	bool filter, exact;
	struct vbr_prefix want;
};

static int
route_one(uint32_t prefix, uint8_t len, const struct rib_path_info *paths, unsigned n, void *arg)
{
	struct routes_walk *w = arg;
	json_t *ps;

	if (w->filter) {
		if (w->exact ? prefix != w->want.addr || len != w->want.len
			     : (w->want.addr & config_prefix_mask(len)) != prefix)
			return 0;
	}
	ps = json_array();
	for (unsigned i = 0; i < n; i++) {
		const struct rib_path_info *p = &paths[i];
		json_t *j = json_pack("{s:s, s:b}", "source", source_names[p->src], "best", p->best);

		if (p->src != RIB_SRC_CONNECTED)
			json_object_set_new(j, "next_hop", ip_json(p->next_hop));
		/* ECMP: a static route's next hops; a BGP path in the FIB's set. */
		if (p->n_gateways > 1)
			json_object_set_new(j, "next_hops", ips_json(p->gateways, p->n_gateways));
		if (p->multipath)
			json_object_set_new(j, "multipath", json_true());
		if (p->src == RIB_SRC_BGP) {
			json_object_set_new(j, "peer",
					ip_json(rib_peer_address(w->o->rib, (unsigned)p->peer)));
			json_object_set_new(j, "as_path",
					json_string(p->attrs->as_path ? p->attrs->as_path : ""));
			json_object_set_new(j, "origin", json_integer(p->attrs->origin));
			if (p->attrs->has_med)
				json_object_set_new(j, "med", json_integer(p->attrs->med));
		}
		json_array_append_new(ps, j);
	}
	return mgmt_reply_record(w->out, json_pack("{s:o, s:o}", "prefix", prefix_json(prefix, len),
			"paths", ps));
}

static int
filter_arg(const struct api_request *req, const char *key, struct vbr_prefix *p, bool *exact,
		struct mgmt_reply *out)
{
	json_t *v = req->args ? json_object_get(req->args, key) : NULL;
	const char *s;

	if (v == NULL)
		return 0;
	s = json_string_value(v);
	if (s == NULL) {
		mgmt_reply_error(out, "%s: expected a string", key);
		return -EINVAL;
	}
	if (inet_parse_prefix(s, strlen(s), p) == INET_OK) {
		if (p->addr & ~config_prefix_mask(p->len)) {
			mgmt_reply_error(out, "%s: %s has host bits set", key, s);
			return -EINVAL;
		}
		*exact = true;
		return 1;
	}
	if (inet_parse_ipv4(s, strlen(s), &p->addr) == INET_OK) {
		p->len = 32;
		*exact = false;
		return 1;
	}
	mgmt_reply_error(out, "%s: \"%s\" is neither an IPv4 address nor a prefix", key, s);
	return -EINVAL;
}

static void
show_routes(struct objects *o, const struct api_request *req, struct mgmt_reply *out)
{
	struct routes_walk w = { .o = o, .out = out };
	int rc = filter_arg(req, "prefix", &w.want, &w.exact, out);

	if (rc < 0)
		return;
	w.filter = rc == 1;
	if (rib_walk_paths(o->rib, route_one, &w) < 0)
		mgmt_reply_error(out, "out of memory");
}

/* A group's members: [{"next_hop", "mac"}...], in the group's order. */
static json_t *
group_members_json(const struct fib *f, const struct nexthop *nh)
{
	uint32_t ids[FIB_GROUP_MAX];
	unsigned int n = fib_group_members(f, nh, ids);
	json_t *a = json_array();

	for (unsigned int i = 0; i < n; i++) {
		const struct nexthop *m = fib_nexthop(f, ids[i]);
		uint64_t ms = __atomic_load_n(&m->mac_state, __ATOMIC_ACQUIRE);

		json_array_append_new(a, json_pack("{s:o, s:o}", "next_hop", ip_json(m->addr), "mac",
				ms & NH_MAC_VALID ? mac_json((const uint8_t *)&ms) : json_null()));
	}
	return a;
}

static json_t *
fib_entry_json(const struct fib *f, uint32_t prefix, uint8_t depth, const struct nexthop *nh)
{
	json_t *j = json_pack("{s:o, s:s, s:s}", "prefix", prefix_json(prefix, depth), "type",
			nh->type < RTE_DIM(nh_type_names) ? nh_type_names[nh->type] : "?", "port",
			config_port_name((enum vbr_port_id)nh->port));

	if (nh->type == NH_GATEWAY) {
		uint64_t ms = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);

		json_object_set_new(j, "next_hop", ip_json(nh->addr));
		if (ms & NH_MAC_VALID)
			json_object_set_new(j, "mac", mac_json((const uint8_t *)&ms));
	} else if (nh->type == NH_GROUP) {
		json_object_set_new(j, "next_hops", group_members_json(f, nh));
	}
	return j;
}

struct fib_walk {
	const struct fib *f;
	struct mgmt_reply *out;
};

static int
fib_one(uint32_t prefix, uint8_t depth, const struct nexthop *nh, uint32_t nh_id, void *arg)
{
	struct fib_walk *w = arg;

	(void)nh_id;
	return mgmt_reply_record(w->out, fib_entry_json(w->f, prefix, depth, nh));
}

static void
show_fib(struct objects *o, const struct api_request *req, struct mgmt_reply *out)
{
	struct vbr_prefix want;
	bool exact = false;
	int rc = filter_arg(req, "address", &want, &exact, out);

	if (rc < 0)
		return;
	pthread_mutex_lock(o->fib_lock);
	if (rc == 0) {
		struct fib_walk w = {o->fib, out};

		fib_route_walk(o->fib, fib_one, &w);
	} else {
		/* The longest prefix the FIB holds for the address. */
		for (int len = exact ? want.len : 32; len >= 0; len--) {
			uint32_t id;

			if (fib_route_get(o->fib, want.addr & config_prefix_mask((uint8_t)len),
					    (uint8_t)len, &id) != 0)
				continue;
			json_t *j = fib_entry_json(o->fib, want.addr & config_prefix_mask((uint8_t)len),
					(uint8_t)len, fib_nexthop(o->fib, id));

			json_object_set_new(j, "address", ip_json(want.addr));
			mgmt_reply_record(out, j);
			break;
		}
	}
	pthread_mutex_unlock(o->fib_lock);
}

static void
show_neighbors(struct objects *o, struct mgmt_reply *out)
{
	pthread_mutex_lock(o->fib_lock);
	for (uint32_t id = 1; id < fib_nexthop_max(o->fib); id++) {
		const struct nexthop *nh = fib_nexthop(o->fib, id);
		uint64_t ms;

		if (nh->type != NH_GATEWAY || !(nh->flags & (NH_F_STATIC | NH_F_LEARNED)))
			continue;
		ms = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);
		json_t *j = json_pack("{s:o, s:s, s:b}", "address", ip_json(nh->addr), "port",
				config_port_name((enum vbr_port_id)nh->port), "static",
				(nh->flags & NH_F_STATIC) != 0);

		json_object_set_new(j, "mac", ms & NH_MAC_VALID ? mac_json((const uint8_t *)&ms)
								 : json_null());
		mgmt_reply_record(out, j);
	}
	pthread_mutex_unlock(o->fib_lock);
}

/* ECMP groups: in use, the RIB's limit, prefixes by one path meanwhile. */
static void
show_stats_groups(json_t *rib, const struct rib_fib_stats *rs)
{
	json_object_set_new(rib, "groups", json_integer((json_int_t)rs->groups));
	json_object_set_new(rib, "groups_limit", json_integer((json_int_t)rs->groups_limit));
	json_object_set_new(rib, "groups_degraded", json_integer((json_int_t)rs->groups_degraded));
}

static void
show_stats(struct objects *o, struct mgmt_reply *out)
{
	json_t *rec = o->hooks.stats ? o->hooks.stats(o->hooks.arg) : json_object();
	struct rib_fib_stats rs;
	struct fib_stats fs;

	if (rec == NULL)
		rec = json_object();
	pthread_mutex_lock(o->fib_lock);
	fib_get_stats(o->fib, &fs);
	pthread_mutex_unlock(o->fib_lock);
	json_object_set_new(rec, "fib", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
						  "s:I, s:I, s:I, s:I}",
			"routes", (json_int_t)fs.routes, "nexthops", (json_int_t)fs.nexthops,
			"ops_applied", (json_int_t)fs.ops_applied, "ops_failed",
			(json_int_t)fs.ops_failed, "refused_nexthops", (json_int_t)fs.refused_nexthops,
			"refused_table", (json_int_t)fs.refused_table, "batches",
			(json_int_t)fs.batches, "ring_pending", (json_int_t)fs.ring_pending,
			"ring_size", (json_int_t)rte_ring_get_size(fib_route_ring(o->fib)),
			"grace_stalls", (json_int_t)fs.grace_stalls, "tbl8_used",
			(json_int_t)fs.tbl8_used, "hugepage_bytes", (json_int_t)fs.hugepage_bytes,
			"heap_bytes", (json_int_t)fs.heap_bytes));
	json_object_set_new(json_object_get(rec, "fib"), "groups", json_integer((json_int_t)fs.groups));
	rib_fib_stats(o->rib, ctl_now_ms(), &rs);
	json_object_set_new(rec, "rib", json_pack("{s:I, s:I, s:I, s:I}", "prefixes",
			(json_int_t)rib_size(o->rib), "fib_pending", (json_int_t)rs.in_flight,
			"not_in_fib", (json_int_t)rs.not_in_fib, "fib_refused", (json_int_t)rs.refused));
	show_stats_groups(json_object_get(rec, "rib"), &rs);
	json_object_set_new(rec, "config", json_pack("{s:I, s:I, s:I, s:I}", "changes",
			(json_int_t)o->changes, "ack_us_last", (json_int_t)o->ack_us_last,
			"ack_us_max", (json_int_t)o->ack_us_max, "ack_us_mean",
			(json_int_t)(o->changes ? o->ack_us_sum / o->changes : 0)));
	mgmt_reply_record(out, rec);
}

/* The metrics endpoint's snapshot: show_stats' and show_peers' sources. */
void
objects_metrics(void *arg, struct metrics_snapshot *s)
{
	struct objects *o = arg;
	const struct vbr_config *c = o->live;
	struct rib_fib_stats rs;
	struct fib_stats fs;

	if (o->hooks.metrics)
		o->hooks.metrics(o->hooks.arg, &s->dp);
	for (unsigned i = 0; i < c->nb_peers && s->nb_peers < METRICS_MAX_PEERS; i++) {
		const struct vbr_bgp_peer *p = &c->peers[i];
		struct metrics_peer *mp = &s->peer[s->nb_peers];
		struct bgp_peer_status st;

		if (bgp_peer_status(o->bgp, p->address, &st) != 0)
			continue;
		s->nb_peers++;
		mp->address = p->address;
		snprintf(mp->group, sizeof(mp->group), "%s", c->groups[p->group].name);
		mp->state = (unsigned)st.state + 1;
		mp->enabled = !p->disabled;
		mp->uptime_s = st.uptime_ms / 1000;
		mp->prefixes_received = bgp_prefixes_received(&st);
		mp->prefixes_installed = st.prefixes_best;
		mp->prefixes_over_limit = st.prefixes_rejected_limit;
		mp->msgs_in = st.msgs_in;
		mp->msgs_out = st.msgs_out;
		mp->updates_in = st.updates_in;
		mp->updates_out = st.updates_out;
		mp->established = st.established_count;
		mp->flaps = st.established_count - (st.state == BGP_ESTABLISHED ? 1 : 0);
	}
	pthread_mutex_lock(o->fib_lock);
	fib_get_stats(o->fib, &fs);
	pthread_mutex_unlock(o->fib_lock);
	s->fib_routes = fs.routes;
	s->fib_nexthops = fs.nexthops;
	s->fib_groups = fs.groups;
	s->fib_ops_applied = fs.ops_applied;
	s->fib_ops_refused = fs.ops_failed;
	s->ring_used = fs.ring_pending;
	s->ring_size = rte_ring_get_size(fib_route_ring(o->fib));
	rib_fib_stats(o->rib, ctl_now_ms(), &rs);
	s->rib_prefixes = rib_size(o->rib);
	s->rib_not_in_fib = rs.not_in_fib;
	s->rib_fib_pending = rs.in_flight;
	s->route_backlog = route_sender_backlog(o->sender);
}

/* The health-checked next hops, and how many static routes each carries. */
static void
show_track(struct objects *o, struct mgmt_reply *out)
{
	const struct track *t = objects_track_table(o, NULL);
	const struct vbr_config *c = o->live;
	uint64_t now = ctl_now_ms();
	struct track_info ti;

	for (unsigned i = 0; t != NULL && track_get(t, i, &ti) == 0; i++) {
		unsigned routes = 0;

		for (unsigned k = 0; k < c->nb_routes; k++)
			routes += c->routes[k].track.interval && objects_route_via(&c->routes[k], ti.addr);
		mgmt_reply_record(out, json_pack("{s:o, s:s, s:s, s:I, s:i, s:i, s:i, s:i, s:I, s:I,"
						 " s:I, s:I, s:I, s:I, s:i, s:i}",
				"next_hop", ip_json(ti.addr), "port",
				config_port_name((enum vbr_port_id)ti.port), "state",
				track_state_name(ti.state), "since_s",
				(json_int_t)((now - RTE_MIN(now, ti.since_ms)) / 1000), "interval",
				ti.params.interval, "misses", ti.params.misses, "rise", ti.params.rise,
				"missed", ti.missed, "sent", (json_int_t)ti.sent, "answered",
				(json_int_t)ti.answered, "late", (json_int_t)ti.late, "wrong_port",
				(json_int_t)ti.wrong_port, "send_errors",
				(json_int_t)ti.send_errors, "flaps", (json_int_t)ti.flaps, "rtt_us",
				ti.rtt_us, "routes", routes));
	}
}

/* ------------------------------------------------------------ bfd */

static const char *const auth_type_names[] = {
	[BFD_AUTH_NONE] = "none",
	[BFD_AUTH_SIMPLE] = "simple",
	[BFD_AUTH_KEYED_MD5] = "md5",
	[BFD_AUTH_METICULOUS_MD5] = "meticulous-md5",
	[BFD_AUTH_KEYED_SHA1] = "sha1",
	[BFD_AUTH_METICULOUS_SHA1] = "meticulous-sha1",
};

/* The drops by reason, the non-zero ones. */
static json_t *
bfd_drops_json(const uint64_t *drop)
{
	json_t *j = json_object();

	for (unsigned d = 1; d < BFD_DROP_COUNT; d++)
		if (drop[d])
			json_object_set_new(j, bfd_drop_name(d), json_integer((json_int_t)drop[d]));
	return j;
}

static json_t *
bfd_session_json(const struct vbr_config *c, const struct bfd_session_status *s)
{
	int k = config_peer_find(c, s->peer);

	return json_pack("{s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:s, s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			"peer", ip_json(s->peer),
			"group", k >= 0 ? c->groups[c->peers[k].group].name : "",
			"state", bfd_state_name(s->state),
			"remote_state", bfd_state_name(s->remote_state),
			"local_discriminator", (json_int_t)s->local_disc,
			"remote_discriminator", (json_int_t)s->remote_disc,
			"source_port", (json_int_t)s->src_port,
			"tx_interval_ms", (json_int_t)(s->tx_interval / 1000),
			"rx_interval_ms", (json_int_t)(s->rx_interval / 1000),
			"detect_time_ms", (json_int_t)(s->detect_time / 1000),
			"multiplier", (json_int_t)s->detect_mult,
			"remote_multiplier", (json_int_t)s->remote_detect_mult,
			"remote_min_rx_ms", (json_int_t)(s->remote_min_rx / 1000),
			"remote_min_tx_ms", (json_int_t)(s->remote_min_tx / 1000),
			"local_diag", bfd_diag_name(s->local_diag),
			"remote_diag", bfd_diag_name(s->remote_diag),
			"authentication", (unsigned)s->auth < RTE_DIM(auth_type_names)
					? auth_type_names[s->auth] : "?",
			"poll", s->poll, "removing", s->lingering,
			"state_ms", (json_int_t)(s->state_us / 1000),
			"flaps", (json_int_t)s->flaps,
			"rx_packets", (json_int_t)s->rx_packets,
			"tx_packets", (json_int_t)s->tx_packets,
			"tx_errors", (json_int_t)s->tx_errors,
			"dropped", (json_int_t)s->drops,
			"drops", bfd_drops_json(s->drop));
}

static void
show_bfd(struct objects *o, struct mgmt_reply *out)
{
	static struct bfd_session_status st[BFD_MAX_SESSIONS];
	unsigned n = bfd_sessions(o->bfd, st, RTE_DIM(st));

	for (unsigned i = 0; i < n; i++)
		mgmt_reply_record(out, bfd_session_json(o->live, &st[i]));
}

void
show_request(struct objects *o, const struct api_request *req, struct mgmt_reply *out)
{
	switch (req->op) {
	case API_SHOW_PEERS:
		show_peers(o, out);
		break;
	case API_SHOW_GROUPS:
		show_groups(o, out);
		break;
	case API_SHOW_NETWORKS:
		show_networks(o, out);
		break;
	case API_SHOW_ROUTES:
		show_routes(o, req, out);
		break;
	case API_SHOW_FIB:
		show_fib(o, req, out);
		break;
	case API_SHOW_NEIGHBORS:
		show_neighbors(o, out);
		break;
	case API_SHOW_STATS:
		show_stats(o, out);
		break;
	case API_SHOW_CONFIG:
		mgmt_reply_record(out, show_config_json(o->live));
		break;
	case API_SHOW_TRACK:
		show_track(o, out);
		break;
	case API_SHOW_BFD:
		show_bfd(o, out);
		break;
	default:
		mgmt_reply_error(out, "%s: not a view", api_op_name(req->op));
		break;
	}
}
