/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console steps on a running VBR. A step is applied to a copy of the live
 * wanted state (the candidate), the candidate is checked whole with the
 * config's rules (the YAML loader's own, same messages), written to the
 * config file (temporary file, fsync, rename, fsync of the directory), and
 * only then is the difference applied: the sessions of the peers concerned,
 * UPDATEs for CIDR blocks, route ops for static routes and neighbours.
 * Nothing is changed before the file says it; nothing is acknowledged
 * before it is applied. A reload is the same with the file as candidate.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>

#include "ctl_log.h"
#include "evloop.h"
#include "inet.h"
#include "objects_internal.h"
#include "rules.h"

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const struct vbr_config *
objects_config(const struct objects *o)
{
	return o->live;
}

/* ------------------------------------------------------------ lookups */

#define group_find config_group_find
#define peer_find config_peer_find
#define network_find config_network_find
#define neighbor_find config_neighbor_find

/* ------------------------------------------------------------ apply */

static bool
group_same(const struct vbr_bgp_group *a, const struct vbr_bgp_group *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bool
peer_same(const struct vbr_bgp_peer *a, const struct vbr_bgp_peer *b)
{
	return a->address == b->address && strcmp(a->description, b->description) == 0;
}

int
objects_publish_sources(struct objects *o, const struct vbr_config *cfg)
{
	uint32_t addrs[VBR_MAX_PEERS], tracked[64];
	unsigned m;

	if (o->hooks.peers_changed == NULL)
		return 0;
	for (unsigned i = 0; i < cfg->nb_peers; i++)
		addrs[i] = cfg->peers[i].address;
	m = objects_track_addrs(o, tracked, RTE_DIM(tracked));
	if (m == RTE_DIM(tracked) && o->track != NULL &&
			track_count(objects_track_table(o, NULL)) > m && !o->track_class_full_logged) {
		CTL_LOG(WARNING, "track: more than %u next hops are checked: the echo replies of "
				 "the others are not in the exception path's track class",
			m);
		o->track_class_full_logged = true;
	}
	return o->hooks.peers_changed(o->hooks.arg, addrs, cfg->nb_peers, tracked, m);
}

static void
apply_peers(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	bool changed = old == NULL || old->nb_peers != new->nb_peers;
	char a[VBR_IP_STRLEN];
	int rc;

	for (unsigned i = 0; old != NULL && i < old->nb_peers; i++) {
		if (peer_find(new, old->peers[i].address) >= 0)
			continue;
		changed = true;
		rc = bgp_peer_delete(o->bgp, old->peers[i].address);
		CTL_LOG(INFO, "bgp peer %s deleted%s%s",
				config_ip_str(old->peers[i].address, a, sizeof(a)), rc ? ": " : "",
				rc ? strerror(-rc) : "");
	}
	for (unsigned i = 0; i < new->nb_peers; i++)
		changed |= old == NULL || peer_find(old, new->peers[i].address) < 0;
	/* The dataplane learns the new set before their first segment. */
	if (changed && objects_publish_sources(o, new) != 0)
		CTL_LOG(ERR, "the dataplane did not take the new BGP peer set");
	for (unsigned i = 0; i < new->nb_peers; i++) {
		const struct vbr_bgp_peer *p = &new->peers[i];
		const struct vbr_bgp_group *g = &new->groups[p->group];
		int k = old ? peer_find(old, p->address) : -1;

		config_ip_str(p->address, a, sizeof(a));
		if (k < 0) {
			rc = bgp_peer_add(o->bgp, p, g, !p->disabled);
			if (rc != 0)
				CTL_LOG(ERR, "bgp peer %s: cannot start: %s", a, strerror(-rc));
			else if (old != NULL)
				CTL_LOG(INFO, "bgp peer %s (group %s) created", a, g->name);
			continue;
		}
		const struct vbr_bgp_peer *q = &old->peers[k];

		if (!peer_same(p, q) || !group_same(g, &old->groups[q->group]) ||
				strcmp(g->name, old->groups[q->group].name) != 0) {
			rc = bgp_peer_update(o->bgp, p, g);
			if (rc != 0)
				CTL_LOG(ERR, "bgp peer %s: cannot update: %s", a, strerror(-rc));
		}
		if (p->disabled != q->disabled) {
			rc = bgp_peer_set_enabled(o->bgp, p->address, !p->disabled,
					o->disable_msg[0] ? o->disable_msg : NULL);
			if (rc != 0)
				CTL_LOG(ERR, "bgp peer %s: cannot %s: %s", a,
						p->disabled ? "disable" : "enable", strerror(-rc));
		}
	}
}

static void
apply_networks(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	bool same = old != NULL && old->nb_networks == new->nb_networks;

	for (unsigned i = 0; same && i < new->nb_networks; i++)
		same = network_find(old, &new->networks[i]) >= 0;
	if (!same) {
		int rc = bgp_networks_set(o->bgp, new->networks, new->nb_networks);

		if (rc != 0)
			CTL_LOG(ERR, "cannot announce the BGP CIDR blocks: %s", strerror(-rc));
	}
}

static int
route_cmp(const void *pa, const void *pb)
{
	const struct vbr_static_route *a = pa, *b = pb;

	if (a->prefix.addr != b->prefix.addr)
		return a->prefix.addr < b->prefix.addr ? -1 : 1;
	return (int)a->prefix.len - (int)b->prefix.len;
}

static struct vbr_static_route *
routes_sorted(const struct vbr_config *cfg)
{
	struct vbr_static_route *r = malloc(((size_t)cfg->nb_routes + 1) * sizeof(*r));

	if (r == NULL)
		return NULL;
	if (cfg->nb_routes)
		memcpy(r, cfg->routes, cfg->nb_routes * sizeof(*r));
	qsort(r, cfg->nb_routes, sizeof(*r), route_cmp);
	return r;
}

static int
route_del(struct objects *o, const struct vbr_static_route *r)
{
	return rib_local_del(o->rib, RIB_SRC_STATIC, r->prefix.addr, r->prefix.len);
}

/* The route's gateways (next_hop, or next_hops) that may carry traffic
 * now: all of them when it is not tracked; else those that answer, and
 * with keep those whose check is new (not yet down). */
static unsigned
route_live_gateways(const struct objects *o, const struct vbr_static_route *r, bool keep,
		uint32_t *out)
{
	const uint32_t *gw = r->nb_next_hops > 1 ? r->next_hops : &r->next_hop;
	unsigned n = r->nb_next_hops > 1 ? RTE_MIN(r->nb_next_hops, (unsigned)VBR_MAX_NEXT_HOPS) : 1;
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		enum track_state s = r->track.interval ? objects_track_state(o, gw[i]) : TRACK_UP;

		if (s == TRACK_UP || (s == TRACK_INIT && keep))
			out[m++] = gw[i];
	}
	return m;
}

int
objects_route_put(struct objects *o, const struct vbr_static_route *r, bool keep, bool was_in)
{
	uint32_t gw[VBR_MAX_NEXT_HOPS];
	unsigned m = route_live_gateways(o, r, keep, gw);
	int rc;

	if (m > 1)
		return rib_local_add_group(o->rib, RIB_SRC_STATIC, r->prefix.addr, r->prefix.len,
				(uint8_t)r->port, gw, m);
	if (m == 1)
		return rib_local_add(o->rib, RIB_SRC_STATIC, r->prefix.addr, r->prefix.len,
				NH_GATEWAY, (uint8_t)r->port, gw[0]);
	rc = was_in ? route_del(o, r) : 0;
	return rc == -ENOENT ? 0 : rc;
}

static bool
same_track(const struct vbr_track *a, const struct vbr_track *b)
{
	return a->interval == b->interval && a->misses == b->misses && a->rise == b->rise;
}

/* The same gateways (next_hop, or next_hops in the same order). */
static bool
route_same_gateways(const struct vbr_static_route *a, const struct vbr_static_route *b)
{
	return a->next_hop == b->next_hop && a->port == b->port &&
			a->nb_next_hops == b->nb_next_hops &&
			memcmp(a->next_hops, b->next_hops,
					RTE_MIN(a->nb_next_hops, (unsigned)VBR_MAX_NEXT_HOPS) *
							sizeof(a->next_hops[0])) == 0;
}

/* The static routes that differ, by a merge of both tables sorted: a
 * change costs O(n log n) whatever the table's size. */
static int
apply_routes(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	struct vbr_static_route *a, *b;
	unsigned i = 0, j = 0, na = old ? old->nb_routes : 0, nb = new->nb_routes;
	int rc = 0;

	static const struct vbr_config empty;

	a = routes_sorted(old ? old : &empty);
	b = routes_sorted(new);
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : route_cmp(&a[i], &b[j]);
		int r = 0;

		if (c < 0) {
			r = route_del(o, &a[i++]);
			if (r == -ENOENT && a[i - 1].track.interval)
				r = 0; /* its next hop was down */
		} else if (c > 0) {
			r = objects_route_put(o, &b[j++], false, false);
		} else {
			/* A check added to an installed route keeps it while
			 * its first probes go. */
			if (!route_same_gateways(&a[i], &b[j]))
				r = objects_route_put(o, &b[j], false, true);
			else if (!same_track(&a[i].track, &b[j].track))
				r = objects_route_put(o, &b[j], !a[i].track.interval, true);
			i++;
			j++;
		}
		if (r != 0 && rc == 0)
			rc = r;
	}
	free(a);
	free(b);
	return rc;
}

static int
neighbor_op(struct objects *o, const struct vbr_neighbor *n, bool del)
{
	struct route_op op = {
		.kind = ROUTE_OP_NEIGH, .port = (uint8_t)n->port, .gateway = n->address,
	};

	if (!del)
		memcpy(op.mac, n->mac, sizeof(op.mac)); /* all-zero: removes it */
	return route_sender_send(o->sender, &op);
}

static int
apply_neighbors(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	int rc = 0;

	for (unsigned i = 0; old != NULL && i < old->nb_neighbors; i++)
		if (neighbor_find(new, old->neighbors[i].address) < 0 && rc == 0)
			rc = neighbor_op(o, &old->neighbors[i], true);
	for (unsigned i = 0; i < new->nb_neighbors && rc == 0; i++) {
		int k = old ? neighbor_find(old, new->neighbors[i].address) : -1;

		if (k >= 0 && memcmp(old->neighbors[k].mac, new->neighbors[i].mac, 6) == 0 &&
				old->neighbors[k].port == new->neighbors[i].port)
			continue;
		rc = neighbor_op(o, &new->neighbors[i], false);
	}
	return rc;
}

/* The route filter refuses BGP routes inside our static routes toward the
 * VPC: it learns them whenever they change. */
static void
apply_vpc_filter(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	struct vbr_prefix *pfx;
	unsigned n = 0;
	int rc;

	if (old != NULL && old->nb_routes == new->nb_routes) {
		bool same = true;

		for (unsigned i = 0; same && i < new->nb_routes; i++) {
			long k = config_route_find(old, &new->routes[i].prefix);

			same = k >= 0 && old->routes[k].port == new->routes[i].port;
		}
		if (same)
			return;
	}
	pfx = malloc(((size_t)new->nb_routes + 1) * sizeof(*pfx));
	if (pfx == NULL) {
		CTL_LOG(ERR, "no memory for the route filter's static routes");
		return;
	}
	for (unsigned i = 0; i < new->nb_routes; i++)
		if (new->routes[i].port == VBR_PORT_VPC)
			pfx[n++] = new->routes[i].prefix;
	rc = bgp_vpc_routes_set(o->bgp, pfx, n);
	if (rc != 0)
		CTL_LOG(ERR, "route filter: %s", strerror(-rc));
	free(pfx);
}

/* A group's bfd as the BFD runtime takes it (us, RFC 5880's types). */
static void
bfd_conf_of(const struct vbr_bfd *c, struct bfd_session_conf *out)
{
	static const enum bfd_auth_type types[] = {
		[VBR_BFD_AUTH_SHA1] = BFD_AUTH_KEYED_SHA1,
		[VBR_BFD_AUTH_METICULOUS_SHA1] = BFD_AUTH_METICULOUS_SHA1,
		[VBR_BFD_AUTH_MD5] = BFD_AUTH_KEYED_MD5,
		[VBR_BFD_AUTH_METICULOUS_MD5] = BFD_AUTH_METICULOUS_MD5,
	};

	memset(out, 0, sizeof(*out));
	out->timers.desired_min_tx = c->min_tx * 1000u;
	out->timers.required_min_rx = c->min_rx * 1000u;
	out->timers.detect_mult = c->multiplier;
	if (!c->auth.enabled || (unsigned)c->auth.type >= RTE_DIM(types))
		return;
	out->auth.type = types[c->auth.type];
	out->auth.key_id = c->auth.key_id;
	out->auth.key_len = (uint8_t)strnlen(c->auth.key, sizeof(out->auth.key));
	memcpy(out->auth.key, c->auth.key, out->auth.key_len);
}

/* A BFD session for each enabled peer of a group with bfd. */
static bool
wants_bfd(const struct vbr_config *cfg, const struct vbr_bgp_peer *p)
{
	return !p->disabled && p->group < cfg->nb_groups && cfg->groups[p->group].bfd.enabled;
}

/* The BFD sessions follow the peers and their groups: a change of
 * intervals or authentication reaches the running session (a Poll
 * Sequence, no flap), BGP untouched. */
static void
apply_bfd(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	char a[VBR_IP_STRLEN];

	for (unsigned i = 0; old != NULL && i < old->nb_peers; i++) {
		const struct vbr_bgp_peer *p = &old->peers[i];
		int k = peer_find(new, p->address);

		if (o->bfd && wants_bfd(old, p) && (k < 0 || !wants_bfd(new, &new->peers[k])))
			bfd_session_delete(o->bfd, p->address);
	}
	for (unsigned i = 0; i < new->nb_peers; i++) {
		const struct vbr_bgp_peer *p = &new->peers[i];
		struct bfd_session_conf c;
		int rc;

		if (!wants_bfd(new, p))
			continue;
		config_ip_str(p->address, a, sizeof(a));
		if (o->bfd == NULL) {
			CTL_LOG(ERR, "bgp peer %s: BFD is not running: the peer goes without it", a);
			continue;
		}
		bfd_conf_of(&new->groups[p->group].bfd, &c);
		rc = bfd_session_set(o->bfd, p->address, &c);
		if (rc != 0)
			CTL_LOG(ERR, "bgp peer %s: no BFD session: %s", a, strerror(-rc));
	}
}

/* The RIB sized for the largest table the configuration admits (the
 * largest per-peer limit, the static routes), within the FIB's: a full
 * table then arrives without the RIB's index growing under it. */
static void
rib_room(struct objects *o, const struct vbr_config *cfg)
{
	uint64_t n = (uint64_t)cfg->nb_routes + cfg->nb_networks + cfg->nb_neighbors + 64;
	uint32_t most = 0;

	for (unsigned int i = 0; i < cfg->nb_groups; i++)
		most = RTE_MAX(most, cfg->groups[i].max_prefixes);
	n = RTE_MIN(n + most, (uint64_t)cfg->fib.max_routes);
	if (rib_reserve(o->rib, (uint32_t)n) != 0)
		CTL_LOG(WARNING, "no memory to make room for %" PRIu64 " prefixes in the RIB "
				 "ahead of time: it grows as they come",
			n);
}

/* old NULL: everything is new (start). Neighbours first, so that routes
 * through them resolve from the start. */
static int
apply(struct objects *o, const struct vbr_config *old, const struct vbr_config *new)
{
	int rc;

	rib_room(o, new);
	rc = objects_track_sync(o, new);
	if (rc != 0)
		CTL_LOG(ERR, "track: the health checks keep their old next hops: %s", strerror(-rc));
	/* bgp.multipath: prefixes with equal paths change their FIB sets. */
	if (old == NULL || old->bgp_multipath != new->bgp_multipath ||
			old->bgp_multipath_relax != new->bgp_multipath_relax)
		rib_set_multipath(o->rib, new->bgp_multipath ? new->bgp_multipath : 1,
				new->bgp_multipath_relax);
	rc = apply_neighbors(o, old, new);

	if (rc == 0)
		rc = apply_routes(o, old, new);
	if (rc != 0)
		CTL_LOG(ERR, "static routes and neighbours: %s", strerror(-rc));
	apply_vpc_filter(o, old, new);
	apply_networks(o, old, new);
	apply_peers(o, old, new);
	apply_bfd(o, old, new);
	return rc;
}

/* ------------------------------------------------------------ changes */

/* What a reload or a step may not change on a running VBR. */
static int
immutable_check(const struct vbr_config *old, const struct vbr_config *new, char *err,
		size_t len)
{
	static const char *const port_names[] = { "idc", "vpc" };

	for (unsigned p = 0; p < VBR_NB_PORTS; p++)
		if (memcmp(&old->ports[p], &new->ports[p], sizeof(old->ports[p])) != 0) {
			snprintf(err, len, "ports.%s: a port's settings change only with a restart "
					"of vbrd; nothing changed", port_names[p]);
			return -EINVAL;
		}
	if (memcmp(&old->fib, &new->fib, sizeof(old->fib)) != 0) {
		snprintf(err, len, "fib: the FIB's sizes change only with a restart of vbrd; "
				"nothing changed");
		return -EINVAL;
	}
	if (old->local_asn != new->local_asn || old->router_id != new->router_id) {
		snprintf(err, len, "vbr.%s: changes only with a restart of vbrd; nothing changed",
				old->local_asn != new->local_asn ? "local_asn" : "router_id");
		return -EINVAL;
	}
	return 0;
}

/* The metrics endpoint moves, starts or stops as cand says; the last
 * thing a reload checks, since it cannot be undone after. */
static int
metrics_follow(struct objects *o, const struct vbr_config *cand, char *err, size_t len)
{
	const struct vbr_metrics_config *m = &cand->metrics;
	char why[256];
	int rc;

	if (memcmp(&o->live->metrics, m, sizeof(*m)) == 0)
		return 0;
	if (o->metrics == NULL) {
		snprintf(err, len, "metrics: the endpoint could not be set up at start: it changes "
				"only with a restart of vbrd; nothing changed");
		return -EINVAL;
	}
	rc = metrics_http_listen(o->metrics, m->listen_addr, m->listen_port, why, sizeof(why));
	if (rc != 0 && o->live->metrics.listen_port != 0 && metrics_http_port(o->metrics) == 0) {
		/* The endpoint is down: the live config says so, and the next
		 * reload, whatever its metrics, tries again. */
		CTL_LOG(ERR, "metrics.listen: %s", why);
		o->live->metrics = (struct vbr_metrics_config){ 0 };
		snprintf(err, len, "metrics.listen: %s; the endpoint is down until a reload "
				"succeeds; nothing else changed", why);
		return rc;
	}
	if (rc != 0) {
		snprintf(err, len, "metrics.listen: %s; nothing changed", why);
		return rc;
	}
	if (m->listen_port == 0)
		CTL_LOG(NOTICE, "metrics endpoint stopped");
	else
		objects_metrics_listening(m);
	return 0;
}

void
objects_metrics_listening(const struct vbr_metrics_config *m)
{
	char a[VBR_IP_STRLEN];

	config_ip_str(m->listen_addr, a, sizeof(a));
	CTL_LOG(NOTICE, "metrics endpoint on http://%s:%u/metrics", a, m->listen_port);
	/* vbrd's namespace has its tap ports: an address beyond 127/8 is
	 * reached from the IDC and VPC networks through the punt path. */
	if (m->listen_addr >> 24 != 127)
		CTL_LOG(WARNING, "metrics endpoint on %s:%u is not a loopback address: it is "
				"reachable from the data ports (IDC and VPC networks, punted to "
				"the kernel); filter it there or listen on 127.0.0.1", a,
				m->listen_port);
}

/* Validate, persist, apply, keep. Takes cand. */
static int
commit(struct objects *o, struct vbr_config *cand, uint64_t t0, char *err, size_t len)
{
	uint64_t dt;
	int rc;

	rc = config_validate(cand, err, len);
	if (rc == 0)
		rc = immutable_check(o->live, cand, err, len);
	if (rc == 0)
		rc = config_write(cand, o->path, err, len);
	if (rc != 0) {
		config_free(cand);
		return rc;
	}
	apply(o, o->live, cand);
	config_free(o->live);
	o->live = cand;
	dt = now_us() - t0;
	o->changes++;
	o->ack_us_last = dt;
	o->ack_us_sum += dt;
	if (dt > o->ack_us_max)
		o->ack_us_max = dt;
	return 0;
}

int
objects_reload(struct objects *o, char *err, size_t errlen)
{
	struct vbr_config *cand = config_alloc();
	uint64_t t0 = now_us();
	int rc;

	if (cand == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = config_load(o->path, cand, err, errlen);
	if (rc == 0)
		rc = immutable_check(o->live, cand, err, errlen);
	if (rc == 0)
		rc = metrics_follow(o, cand, err, errlen);
	if (rc != 0) {
		config_free(cand);
		CTL_LOG(WARNING, "reload of %s refused: %s", o->path, err);
		return rc;
	}
	/* The file already says it: no write back. */
	apply(o, o->live, cand);
	config_free(o->live);
	o->live = cand;
	o->changes++;
	o->ack_us_last = now_us() - t0;
	CTL_LOG(NOTICE, "%s reloaded", o->path);
	return 0;
}

/* An argument's text, as the YAML scalar would hold it. */
static int
arg_text(json_t *v, const char *key, char *buf, size_t len, char *err, size_t errlen)
{
	if (json_is_string(v)) {
		if (json_string_length(v) >= len) {
			snprintf(err, errlen, "%s: too long (at most %zu characters)", key, len - 1);
			return -EINVAL;
		}
		memcpy(buf, json_string_value(v), json_string_length(v) + 1);
		if (strlen(buf) != json_string_length(v)) {
			snprintf(err, errlen, "%s: holds a NUL character", key);
			return -EINVAL;
		}
		return 0;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	}
	if (json_is_boolean(v)) {
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
		return 0;
	}
	snprintf(err, errlen, "%s: expected a string, an integer or a boolean", key);
	return -EINVAL;
}

/* A required (or optional: NULL when missing) argument's text. */
static const char *
arg(const struct api_request *req, const char *key, bool required, char *buf, size_t len,
		char *err, size_t errlen, int *rc)
{
	json_t *v = req->args ? json_object_get(req->args, key) : NULL;

	*rc = 0;
	if (v == NULL) {
		if (required) {
			snprintf(err, errlen, "%s is required", key);
			*rc = -EINVAL;
		}
		return NULL;
	}
	*rc = arg_text(v, key, buf, len, err, errlen);
	return *rc ? NULL : buf;
}

static int
parse_addr(const char *key, const char *s, uint32_t *addr, char *err, size_t len)
{
	if (inet_parse_ipv4(s, strlen(s), addr) != INET_OK) {
		snprintf(err, len, "%s: \"%s\" is not an IPv4 address", key, s);
		return -EINVAL;
	}
	return 0;
}

static int
parse_prefix(const char *key, const char *s, struct vbr_prefix *p, char *err, size_t len)
{
	switch (inet_parse_prefix(s, strlen(s), p)) {
	case INET_OK:
		return 0;
	case INET_NO_LEN:
		snprintf(err, len, "%s: \"%s\" has no prefix length (a.b.c.d/len)", key, s);
		break;
	case INET_LEN_RANGE:
		snprintf(err, len, "%s: \"%s\": the prefix length is over 32", key, s);
		break;
	case INET_NOT_IPV4:
		snprintf(err, len, "%s: \"%s\" is not IPv4: vbr routes IPv4 only", key, s);
		break;
	default:
		snprintf(err, len, "%s: \"%s\" is not an IPv4 prefix (a.b.c.d/len)", key, s);
		break;
	}
	return -EINVAL;
}

/* Every argument but name through the loader's own parser of that key. */
static int
group_set_args(struct vbr_bgp_group *g, const struct api_request *req, char *err, size_t len)
{
	const char *k;
	json_t *v;

	json_object_foreach(req->args, k, v) {
		char text[VBR_DESC_MAX];
		int rc;

		if (strcmp(k, "name") == 0)
			continue;
		rc = arg_text(v, k, text, sizeof(text), err, len);
		if (rc == 0)
			rc = config_group_set(g, k, text, err, len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
do_group(struct objects *o, struct vbr_config *c, enum api_op op, const struct api_request *req,
		char *err, size_t len)
{
	char name[VBR_NAME_MAX], buf[8];
	int rc, k;

	if (arg(req, "name", true, name, sizeof(name), err, len, &rc) == NULL)
		return rc;
	k = group_find(c, name);
	if (op == API_BGP_GROUP_CREATE) {
		struct vbr_bgp_group *g;

		if (k >= 0) {
			snprintf(err, len, "bgp group \"%s\" exists", name);
			return -EEXIST;
		}
		if (arg(req, "peer_asn", true, buf, sizeof(buf), err, len, &rc) == NULL && rc)
			return rc;
		if (c->nb_groups == VBR_MAX_GROUPS) {
			snprintf(err, len, "at most %u bgp groups", VBR_MAX_GROUPS);
			return -ENOSPC;
		}
		g = &c->groups[c->nb_groups++];
		config_group_init(g);
		snprintf(g->name, sizeof(g->name), "%s", name);
		return group_set_args(g, req, err, len);
	}
	if (k < 0) {
		snprintf(err, len, "bgp group \"%s\" does not exist", name);
		return -ENOENT;
	}
	if (op == API_BGP_GROUP_MODIFY)
		return group_set_args(&c->groups[k], req, err, len);
	/* delete */
	for (unsigned i = 0; i < c->nb_peers; i++)
		if (c->peers[i].group == (unsigned)k) {
			char a[VBR_IP_STRLEN];

			snprintf(err, len, "bgp group \"%s\" still has peers (%s...): delete them first",
					name, config_ip_str(c->peers[i].address, a, sizeof(a)));
			return -EBUSY;
		}
	config_group_delete(c, (unsigned)k);
	(void)o;
	return 0;
}

static int
do_peer(struct vbr_config *c, enum api_op op, const struct api_request *req, char *err,
		size_t len)
{
	static const char *const create_keys[] = { "group", "address", "description", NULL };
	static const char *const addr_keys[] = { "address", NULL };
	static const char *const msg_keys[] = { "address", "message", NULL };
	char text[VBR_DESC_MAX], a[VBR_IP_STRLEN];
	uint32_t addr;
	int rc, k;

	rc = api_args_only(req->args, op, op == API_BGP_PEER_CREATE ? create_keys
			: op == API_BGP_PEER_DISABLE ? msg_keys : addr_keys, err, len);
	if (rc == 0 && arg(req, "address", true, text, sizeof(text), err, len, &rc) == NULL)
		return rc;
	if (rc == 0)
		rc = parse_addr("address", text, &addr, err, len);
	if (rc != 0)
		return rc;
	k = peer_find(c, addr);
	config_ip_str(addr, a, sizeof(a));
	if (op == API_BGP_PEER_CREATE) {
		struct vbr_bgp_peer *p;
		int g;

		if (k >= 0) {
			snprintf(err, len, "bgp peer %s exists", a);
			return -EEXIST;
		}
		if (arg(req, "group", true, text, sizeof(text), err, len, &rc) == NULL)
			return rc;
		g = group_find(c, text);
		if (g < 0) {
			snprintf(err, len, "bgp group \"%s\" does not exist", text);
			return -ENOENT;
		}
		if (c->nb_peers == VBR_MAX_PEERS || c->nb_peers >= c->max_peers) {
			snprintf(err, len, "bgp peer %s: this VBR has its %u peers already "
					"(vbr.max_peers)", a, c->nb_peers);
			return -ENOSPC;
		}
		p = &c->peers[c->nb_peers++];
		memset(p, 0, sizeof(*p));
		p->address = addr;
		p->group = (unsigned)g;
		if (arg(req, "description", false, text, sizeof(text), err, len, &rc) != NULL)
			snprintf(p->description, sizeof(p->description), "%s", text);
		return rc;
	}
	if (k < 0) {
		snprintf(err, len, "bgp peer %s does not exist", a);
		return -ENOENT;
	}
	if (op == API_BGP_PEER_DELETE) {
		config_peer_delete(c, (unsigned)k);
	} else {
		c->peers[k].disabled = op == API_BGP_PEER_DISABLE;
	}
	return 0;
}

static int
do_network(struct vbr_config *c, enum api_op op, const struct api_request *req, char *err,
		size_t len)
{
	static const char *const keys[] = { "cidr", NULL };
	char text[64], p[VBR_PREFIX_STRLEN];
	struct vbr_prefix net;
	int rc, k;

	rc = api_args_only(req->args, op, keys, err, len);
	if (rc == 0 && arg(req, "cidr", true, text, sizeof(text), err, len, &rc) == NULL)
		return rc;
	if (rc == 0)
		rc = parse_prefix("cidr", text, &net, err, len);
	if (rc != 0)
		return rc;
	k = network_find(c, &net);
	config_prefix_str(&net, p, sizeof(p));
	if (op == API_BGP_NETWORK_ADD) {
		if (k >= 0) {
			snprintf(err, len, "bgp network %s exists", p);
			return -EEXIST;
		}
		if (c->nb_networks == VBR_MAX_NETWORKS) {
			snprintf(err, len, "at most %u bgp networks", VBR_MAX_NETWORKS);
			return -ENOSPC;
		}
		c->networks[c->nb_networks++] = net;
		return 0;
	}
	if (k < 0) {
		snprintf(err, len, "bgp network %s does not exist", p);
		return -ENOENT;
	}
	config_network_delete(c, (unsigned)k);
	return 0;
}

/* --track-interval, --track-misses, --track-rise: any of them tracks the
 * next hop, the others keep their defaults (the nested key makes the track
 * present, as config_set does for any sub-map). */
static int
route_track_args(const struct vbr_config *c, const struct api_request *req,
		struct vbr_static_route *r, char *err, size_t len)
{
	static const char *const keys[] = { "track_interval", "track_misses", "track_rise" };
	static const char *const fields[] = { "track.interval", "track.misses", "track.rise" };

	for (unsigned i = 0; i < RTE_DIM(keys); i++) {
		json_t *v = json_object_get(req->args, keys[i]);
		char text[32];
		int rc;

		if (v == NULL)
			continue;
		if (!json_is_integer(v)) {
			snprintf(err, len, "%s: expected a number", keys[i]);
			return -EINVAL;
		}
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		rc = config_route_set(c, r, fields[i], text, err, len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
do_route(struct vbr_config *c, enum api_op op, const struct api_request *req, char *err,
		size_t len)
{
	static const char *const add_keys[] = { "prefix", "next_hop", "track_interval",
		"track_misses", "track_rise", NULL };
	static const char *const del_keys[] = { "prefix", NULL };
	struct vbr_static_route r = { 0 };
	char text[192], p[VBR_PREFIX_STRLEN];
	int rc, k;

	rc = api_args_only(req->args, op, op == API_ROUTE_ADD ? add_keys : del_keys, err, len);
	if (rc == 0 && arg(req, "prefix", true, text, sizeof(text), err, len, &rc) == NULL)
		return rc;
	if (rc == 0)
		rc = parse_prefix("prefix", text, &r.prefix, err, len);
	if (rc != 0)
		return rc;
	k = (int)config_route_find(c, &r.prefix);
	config_prefix_str(&r.prefix, p, sizeof(p));
	if (op == API_ROUTE_ADD) {
		int port;

		if (k >= 0) {
			snprintf(err, len, "route %s exists: delete it first", p);
			return -EEXIST;
		}
		if (arg(req, "next_hop", true, text, sizeof(text), err, len, &rc) == NULL)
			return rc;
		/* One address, or several separated by commas (ECMP: the
		 * route's next_hops), as config_set reads them. */
		if (strchr(text, ',') != NULL)
			rc = config_route_set(c, &r, "next_hops", text, err, len);
		else
			rc = parse_addr("next_hop", text, &r.next_hop, err, len);
		if (rc != 0)
			return rc;
		port = config_port_of(c, r.next_hop);
		r.port = port < 0 ? VBR_PORT_IDC : (enum vbr_port_id)port;
		rc = route_track_args(c, req, &r, err, len);
		if (rc != 0)
			return rc;
		rc = config_route_add(c, &r);
		if (rc != 0)
			snprintf(err, len, "route %s: %s", p, strerror(-rc));
		return rc;
	}
	if (k < 0) {
		snprintf(err, len, "route %s does not exist", p);
		return -ENOENT;
	}
	config_route_delete(c, (unsigned)k);
	return 0;
}

static int
do_neighbor(struct vbr_config *c, enum api_op op, const struct api_request *req, char *err,
		size_t len)
{
	static const char *const add_keys[] = { "address", "mac", NULL };
	static const char *const del_keys[] = { "address", NULL };
	struct vbr_neighbor n = { 0 };
	char text[64], a[VBR_IP_STRLEN];
	int rc, k;

	rc = api_args_only(req->args, op, op == API_NEIGHBOR_ADD ? add_keys : del_keys, err, len);
	if (rc == 0 && arg(req, "address", true, text, sizeof(text), err, len, &rc) == NULL)
		return rc;
	if (rc == 0)
		rc = parse_addr("address", text, &n.address, err, len);
	if (rc != 0)
		return rc;
	k = neighbor_find(c, n.address);
	config_ip_str(n.address, a, sizeof(a));
	if (op == API_NEIGHBOR_ADD) {
		int port;

		if (k >= 0) {
			snprintf(err, len, "neighbor %s exists: delete it first", a);
			return -EEXIST;
		}
		if (arg(req, "mac", true, text, sizeof(text), err, len, &rc) == NULL)
			return rc;
		if (inet_parse_mac(text, strlen(text), n.mac) != 0) {
			snprintf(err, len, "mac: \"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)",
					text);
			return -EINVAL;
		}
		if (c->nb_neighbors == VBR_MAX_NEIGHBORS) {
			snprintf(err, len, "at most %u static neighbors", VBR_MAX_NEIGHBORS);
			return -ENOSPC;
		}
		port = config_port_of(c, n.address);
		n.port = port < 0 ? VBR_PORT_IDC : (enum vbr_port_id)port;
		c->neighbors[c->nb_neighbors++] = n;
		return 0;
	}
	if (k < 0) {
		snprintf(err, len, "neighbor %s does not exist", a);
		return -ENOENT;
	}
	config_neighbor_delete(c, (unsigned)k);
	return 0;
}

/* A peer's session, not its configuration: nothing to write. */
static int
do_reset(struct objects *o, const struct api_request *req, char *err, size_t len)
{
	static const char *const keys[] = { "address", "message", NULL };
	char text[VBR_DESC_MAX], msg[VBR_DESC_MAX], a[VBR_IP_STRLEN];
	uint32_t addr;
	int rc;

	rc = api_args_only(req->args, req->op, keys, err, len);
	if (rc == 0 && arg(req, "address", true, text, sizeof(text), err, len, &rc) == NULL)
		return rc;
	if (rc == 0)
		rc = parse_addr("address", text, &addr, err, len);
	if (rc != 0)
		return rc;
	if (peer_find(o->live, addr) < 0) {
		snprintf(err, len, "bgp peer %s does not exist",
				config_ip_str(addr, a, sizeof(a)));
		return -ENOENT;
	}
	if (arg(req, "message", false, msg, sizeof(msg), err, len, &rc) == NULL && rc)
		return rc;
	rc = bgp_peer_reset(o->bgp, addr, json_object_get(req->args, "message") ? msg : NULL);
	if (rc != 0)
		snprintf(err, len, "bgp peer %s: %s", config_ip_str(addr, a, sizeof(a)),
				strerror(-rc));
	return rc;
}

void
objects_request(void *opaque, const struct api_request *req, struct mgmt_reply *out)
{
	struct objects *o = opaque;
	uint64_t t0 = now_us();
	struct vbr_config *cand;
	char err[1024] = "";
	int rc;

	if (api_op_read_only(req->op)) {
		show_request(o, req, out);
		return;
	}
	switch (req->op) {
	case API_RELOAD:
		rc = objects_reload(o, err, sizeof(err));
		goto done;
	case API_BGP_PEER_RESET:
		rc = do_reset(o, req, err, sizeof(err));
		goto done;
	default:
		break;
	}
	cand = config_clone(o->live);
	if (cand == NULL) {
		mgmt_reply_error(out, "out of memory");
		return;
	}
	switch (req->op) {
	case API_BGP_GROUP_CREATE:
	case API_BGP_GROUP_MODIFY:
	case API_BGP_GROUP_DELETE:
		rc = do_group(o, cand, req->op, req, err, sizeof(err));
		break;
	case API_BGP_PEER_CREATE:
	case API_BGP_PEER_DELETE:
	case API_BGP_PEER_DISABLE:
	case API_BGP_PEER_ENABLE:
		rc = do_peer(cand, req->op, req, err, sizeof(err));
		break;
	case API_BGP_NETWORK_ADD:
	case API_BGP_NETWORK_DELETE:
		rc = do_network(cand, req->op, req, err, sizeof(err));
		break;
	case API_ROUTE_ADD:
	case API_ROUTE_DELETE:
		rc = do_route(cand, req->op, req, err, sizeof(err));
		break;
	case API_NEIGHBOR_ADD:
	case API_NEIGHBOR_DELETE:
		rc = do_neighbor(cand, req->op, req, err, sizeof(err));
		break;
	default:
		snprintf(err, sizeof(err), "%s: not a change", api_op_name(req->op));
		rc = -EINVAL;
		break;
	}
	if (rc != 0) {
		config_free(cand);
		goto done;
	}
	/* A peer disabled with a message hears it in its NOTIFICATION. */
	if (req->op == API_BGP_PEER_DISABLE &&
			arg(req, "message", false, o->disable_msg, sizeof(o->disable_msg), err,
				sizeof(err), &rc) == NULL && rc != 0) {
		config_free(cand);
		goto done;
	}
	rc = commit(o, cand, t0, err, sizeof(err));
	o->disable_msg[0] = '\0';
	if (rc == 0)
		CTL_LOG(INFO, "%s: done in %" PRIu64 " us (config file written)",
				api_op_name(req->op), o->ack_us_last);
done:
	if (rc != 0) {
		mgmt_reply_error(out, "%s", err[0] ? err : strerror(-rc));
		CTL_LOG(INFO, "%s refused: %s", api_op_name(req->op), err);
	}
}

/* ------------------------------------------------------------ lifecycle */

struct objects *
objects_create(struct vbr_config *cfg, const struct objects_params *p)
{
	struct objects *o = calloc(1, sizeof(*o));

	if (o == NULL) {
		config_free(cfg);
		return NULL;
	}
	snprintf(o->path, sizeof(o->path), "%s", p->path);
	o->rib = p->rib;
	o->bgp = p->bgp;
	o->sender = p->sender;
	o->fib = p->fib;
	o->metrics = p->metrics;
	o->fib_lock = p->fib_lock;
	o->hooks = p->hooks;
	o->epfd = p->epfd;
	o->bfd = p->bfd;
	o->live = cfg;
	if (apply(o, NULL, cfg) != 0) {
		objects_destroy(o);
		return NULL;
	}
	return o;
}

void
objects_destroy(struct objects *o)
{
	if (o == NULL)
		return;
	objects_track_close(o);
	config_free(o->live);
	free(o);
}
