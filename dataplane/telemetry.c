/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What vbrd shows: counters per port (summed over lcores), the punt classes,
 * the FIB and the neighbours, as DPDK telemetry commands (/vbr/stats,
 * /vbr/punt, /vbr/fib, /vbr/neigh) on the process's telemetry socket, and in
 * the log at exit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "dataplane.h"

static struct dataplane *tel_dp;

/* Callers hold fib_lock when telemetry may race with start-up or exit. */
void
dp_counters_sum(const struct dataplane *dp, unsigned port, struct port_counters *out)
{
	memcpy(out, &dp->main_cnt[port], sizeof(*out));
	for (unsigned l = 0; l < dp->nb_fwd; l++)
		for (unsigned c = 0; c < CNT_MAX; c++)
			out->c[c] += dp->fwd[l]->cnt[port].c[c];
}

void
dp_counters_log(const struct dataplane *dp)
{
	for (unsigned port = 0; port < VBR_NB_PORTS; port++) {
		struct port_counters sum;
		char line[2048];
		size_t off = 0;

		dp_counters_sum(dp, port, &sum);
		for (unsigned c = 0; c < CNT_MAX && off < sizeof(line); c++)
			if (sum.c[c] != 0)
				off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=%" PRIu64,
						vbr_counter_names[c], sum.c[c]);
		DP_LOG(INFO, "port %s:%s", config_port_name(port), off ? line : " no packets");
	}
}

static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned port = 0; port < VBR_NB_PORTS; port++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct port_counters sum;
		uint32_t neigh = 0;

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		pthread_mutex_lock(&tel_dp->fib_lock);
		if (tel_dp->tel_ready) {
			dp_counters_sum(tel_dp, port, &sum);
			neigh = fib_neigh_count(tel_dp->fib, port);
		} else {
			memset(&sum, 0, sizeof(sum));
		}
		pthread_mutex_unlock(&tel_dp->fib_lock);
		for (unsigned i = 0; i < CNT_MAX; i++)
			rte_tel_data_add_dict_u64(c, vbr_counter_names[i], sum.c[i]);
		/* Gauges: learned neighbours now, and the port's cap. */
		rte_tel_data_add_dict_u64(c, "neighbors", neigh);
		rte_tel_data_add_dict_u64(c, "max_neighbors", tel_dp->cfg->ports[port].max_neighbors);
		rte_tel_data_add_dict_container(d, config_port_name(port), c, 0);
	}
	return 0;
}

/* /vbr/punt: per port, each punt class's rate (packets/s per lcore),
 * frames passed to the kernel, policed and refused for a full ring, and the
 * ARP drops; then the live BGP sessions the bgp class recognises. */
static int
tel_punt(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	static const enum vbr_counter arp_drops[] = { CNT_DROP_ARP_MALFORMED,
		CNT_DROP_ARP_MAC_MISMATCH, CNT_DROP_ARP_PEER_SPOOF, CNT_DROP_ARP_NOT_FOR_US };
	struct rte_tel_data *sess = rte_tel_data_alloc();
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();

	if (sess == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_array(sess, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&tel_dp->fib_lock);
	for (unsigned port = 0; port < VBR_NB_PORTS; port++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct punt_stats st = { 0 };
		struct port_counters sum = { 0 };
		char name[64];

		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		if (tel_dp->tel_ready) {
			dp_counters_sum(tel_dp, port, &sum);
			for (unsigned l = 0; l < tel_dp->nb_fwd; l++)
				for (unsigned k = 0; k < PUNT_CLASSES; k++) {
					st.passed[k] += tel_dp->fwd[l]->pstat[port].passed[k];
					st.policed[k] += tel_dp->fwd[l]->pstat[port].policed[k];
					st.full[k] += tel_dp->fwd[l]->pstat[port].full[k];
				}
		}
		for (unsigned k = 0; k < PUNT_CLASSES; k++) {
			snprintf(name, sizeof(name), "%s_rate", punt_class_names[k]);
			rte_tel_data_add_dict_u64(c, name, punt_class_rate(k,
					tel_dp->port[port].punt_rate, tel_dp->nb_fwd));
			snprintf(name, sizeof(name), "%s_passed", punt_class_names[k]);
			rte_tel_data_add_dict_u64(c, name, st.passed[k]);
			snprintf(name, sizeof(name), "%s_policed", punt_class_names[k]);
			rte_tel_data_add_dict_u64(c, name, st.policed[k]);
			snprintf(name, sizeof(name), "%s_full", punt_class_names[k]);
			rte_tel_data_add_dict_u64(c, name, st.full[k]);
		}
		for (unsigned k = 0; k < RTE_DIM(arp_drops); k++)
			rte_tel_data_add_dict_u64(c, vbr_counter_names[arp_drops[k]],
					sum.c[arp_drops[k]]);
		rte_tel_data_add_dict_u64(c, "bgp_sessions", punt_sessions(tel_dp, port));
		rte_tel_data_add_dict_container(d, config_port_name(port), c, 0);
		for (unsigned i = 0; i < PUNT_SESSIONS; i++) {
			const struct punt_session *ps = &tel_dp->punt[port].sess[i];
			uint64_t key = __atomic_load_n(&ps->key, __ATOMIC_ACQUIRE);
			uint64_t mac = __atomic_load_n(&ps->mac_state, __ATOMIC_ACQUIRE);
			char a[16], m[RTE_ETHER_ADDR_FMT_SIZE] = "unknown", line[RTE_TEL_MAX_STRING_LEN];

			if (key == 0)
				continue;
			if (mac & PUNT_MAC_VALID)
				rte_ether_format_addr(m, sizeof(m), (const struct rte_ether_addr *)&mac);
			snprintf(line, sizeof(line), "%s %s:%u <-> :%u mac %s seen %" PRIu64 " s ago",
					config_port_name(port), config_ip_str((uint32_t)(key >> 32), a, sizeof(a)),
					(unsigned)(key >> 16) & 0xffff, (unsigned)key & 0xffff, m,
					(now - ps->seen_tsc) / hz);
			rte_tel_data_add_array_string(sess, line);
		}
	}
	pthread_mutex_unlock(&tel_dp->fib_lock);
	rte_tel_data_add_dict_container(d, "sessions", sess, 0);
	return 0;
}

static void
format_nh(const struct nexthop *nh, char *buf, size_t len)
{
	char a[16], mac[RTE_ETHER_ADDR_FMT_SIZE] = "incomplete";
	uint64_t st = __atomic_load_n(&nh->mac_state, __ATOMIC_ACQUIRE);

	if (st & NH_MAC_VALID)
		rte_ether_format_addr(mac, sizeof(mac), (const struct rte_ether_addr *)&st);
	switch (nh->type) {
	case NH_GATEWAY:
		snprintf(buf, len, "via %s dev %s lladdr %s", config_ip_str(nh->addr, a, sizeof(a)),
				config_port_name(nh->port), mac);
		break;
	case NH_CONNECTED:
		snprintf(buf, len, "connected dev %s", config_port_name(nh->port));
		break;
	case NH_LOCAL:
		snprintf(buf, len, "local");
		break;
	case NH_BLACKHOLE:
		snprintf(buf, len, "blackhole");
		break;
	case NH_GROUP: {
		/* "group A B ... dev PORT": the members in the group's order
		 * (their MACs in /vbr/neigh). */
		uint32_t ids[FIB_GROUP_MAX];
		unsigned n = fib_group_members(tel_dp->fib, nh, ids);
		size_t off = (size_t)snprintf(buf, len, "group");

		for (unsigned i = 0; i < n && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, " %s",
					config_ip_str(fib_nexthop(tel_dp->fib, ids[i])->addr, a,
						sizeof(a)));
		if (off < len)
			snprintf(buf + off, len - off, " dev %s", config_port_name(nh->port));
		break;
	}
	default:
		snprintf(buf, len, "none");
	}
}

struct walk_arg {
	struct rte_tel_data *d;
	unsigned n;
};

static int
tel_fib_one(uint32_t prefix, uint8_t depth, const struct nexthop *nh, uint32_t nh_id __rte_unused,
		void *arg)
{
	struct walk_arg *w = arg;
	char a[16], val[RTE_TEL_MAX_STRING_LEN - 24], line[RTE_TEL_MAX_STRING_LEN];

	if (w->n == RTE_TEL_MAX_ARRAY_ENTRIES)
		return 1;
	format_nh(nh, val, sizeof(val));
	snprintf(line, sizeof(line), "%s/%u %s", config_ip_str(prefix, a, sizeof(a)), depth, val);
	rte_tel_data_add_array_string(w->d, line);
	w->n++;
	return 0;
}

/* /vbr/fib: the route count and the first 512 routes, one string each
 * (telemetry's dict keys cannot hold dots); /vbr/fib,ADDR: the route a
 * packet to ADDR takes. The lock keeps the writer still meanwhile. */
static int
tel_fib(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct fib_stats st;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel_dp->fib_lock);
	if (!tel_dp->tel_ready) {
		pthread_mutex_unlock(&tel_dp->fib_lock);
		return 0;
	}
	fib_get_stats(tel_dp->fib, &st);
	rte_tel_data_add_dict_u64(d, "routes", st.routes);
	rte_tel_data_add_dict_u64(d, "nexthops", st.nexthops);
	rte_tel_data_add_dict_u64(d, "groups", st.groups);
	rte_tel_data_add_dict_u64(d, "ops_applied", st.ops_applied);
	rte_tel_data_add_dict_u64(d, "ops_failed", st.ops_failed);
	rte_tel_data_add_dict_u64(d, "refused_nexthops", st.refused_nexthops);
	rte_tel_data_add_dict_u64(d, "refused_table", st.refused_table);
	rte_tel_data_add_dict_u64(d, "batches", st.batches);
	rte_tel_data_add_dict_u64(d, "ring_pending", st.ring_pending);
	rte_tel_data_add_dict_u64(d, "grace_stalls", st.grace_stalls);
	rte_tel_data_add_dict_u64(d, "grace_wait_ms", st.grace_wait_ms);
	rte_tel_data_add_dict_u64(d, "tbl8_used", st.tbl8_used);
	rte_tel_data_add_dict_u64(d, "tbl8_retiring", st.tbl8_retiring);
	rte_tel_data_add_dict_u64(d, "hugepage_bytes", st.hugepage_bytes);
	rte_tel_data_add_dict_u64(d, "heap_bytes", st.heap_bytes);
	if (params != NULL && *params != '\0') {
		struct in_addr in;
		uint32_t ip;
		uint64_t nh;
		char val[RTE_TEL_MAX_STRING_LEN];

		if (inet_pton(AF_INET, params, &in) != 1) {
			pthread_mutex_unlock(&tel_dp->fib_lock);
			return -EINVAL;
		}
		ip = rte_be_to_cpu_32(in.s_addr);
		fib_lookup_bulk(tel_dp->fib, &ip, &nh, 1);
		format_nh(fib_nexthop(tel_dp->fib, (uint32_t)nh), val, sizeof(val));
		rte_tel_data_add_dict_string(d, "lookup", val);
	} else {
		struct rte_tel_data *e = rte_tel_data_alloc();
		struct walk_arg w = { .d = e };

		if (e != NULL) {
			rte_tel_data_start_array(e, RTE_TEL_STRING_VAL);
			fib_route_walk(tel_dp->fib, tel_fib_one, &w);
			rte_tel_data_add_dict_container(d, "entries", e, 0);
		}
	}
	pthread_mutex_unlock(&tel_dp->fib_lock);
	return 0;
}

/* /vbr/neigh: next hops and their MACs. */
static int
tel_neigh(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	uint32_t max = fib_nexthop_max(tel_dp->fib);
	unsigned n = 0;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&tel_dp->fib_lock);
	if (!tel_dp->tel_ready)
		max = 0;
	for (uint32_t id = 1; id < max && n < RTE_TEL_MAX_ARRAY_ENTRIES; id++) {
		const struct nexthop *nh = fib_nexthop(tel_dp->fib, id);
		char val[RTE_TEL_MAX_STRING_LEN];

		if (nh->type != NH_GATEWAY ||
				(nh->refcnt == 0 && !(nh->flags & (NH_F_STATIC | NH_F_LEARNED))))
			continue;
		format_nh(nh, val, sizeof(val));
		rte_tel_data_add_array_string(d, val);
		n++;
	}
	pthread_mutex_unlock(&tel_dp->fib_lock);
	return 0;
}

int
dp_telemetry_init(struct dataplane *dp)
{
	tel_dp = dp;
	if (rte_telemetry_register_cmd("/vbr/stats", tel_stats,
			    "Packet counters per port, drops by reason. No parameters") != 0 ||
			rte_telemetry_register_cmd("/vbr/punt", tel_punt,
					"Punt classes per port: rates, passed, policed, ARP drops; live BGP sessions. No parameters") != 0 ||
			rte_telemetry_register_cmd("/vbr/fib", tel_fib,
					"FIB routes; with an address, the route it takes. Parameter: [address]") != 0 ||
			rte_telemetry_register_cmd("/vbr/neigh", tel_neigh,
					"Next hops and their MAC addresses. No parameters") != 0)
		return -EINVAL;
	return 0;
}
