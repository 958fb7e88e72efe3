/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the daemon lends the control thread from the dataplane: the BGP
 * peer set the exception path polices for, and the counters of `vbrctl show
 * stats` (the ports' own rx/tx packets and bytes, and every named counter
 * of the forwarding lcores, summed), and the same numbers for the metrics
 * endpoint, read by the same function, with the lcores' busy cycles.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "daemon.h"

static int
peers_changed(void *arg, const uint32_t *addrs, unsigned n, const uint32_t *tracked, unsigned m)
{
	return dp_punt_sources_set(arg, addrs, n, tracked, m);
}

/* A port's NIC counters and the lcores' named ones: the one source of both
 * views. Under fib_lock, with tel_ready. */
static void
port_read(struct dataplane *dp, unsigned port, struct rte_eth_stats *es,
		struct port_counters *sum)
{
	memset(es, 0, sizeof(*es));
	if (dp->port[port].port_id < RTE_MAX_ETHPORTS)
		rte_eth_stats_get(dp->port[port].port_id, es);
	/* The lcores' blocks are read without stopping them: each counter is
	 * a single 64-bit word, read whole. */
	dp_counters_sum(dp, port, sum);
}

static json_t *
port_stats(struct dataplane *dp, unsigned port)
{
	struct rte_eth_stats es;
	struct port_counters sum;
	json_t *j = json_object();

	port_read(dp, port, &es, &sum);
	json_object_set_new(j, "port_rx_packets", json_integer((json_int_t)es.ipackets));
	json_object_set_new(j, "port_rx_bytes", json_integer((json_int_t)es.ibytes));
	json_object_set_new(j, "port_tx_packets", json_integer((json_int_t)es.opackets));
	json_object_set_new(j, "port_tx_bytes", json_integer((json_int_t)es.obytes));
	json_object_set_new(j, "port_rx_missed", json_integer((json_int_t)es.imissed));
	json_object_set_new(j, "port_rx_errors", json_integer((json_int_t)es.ierrors));
	json_object_set_new(j, "port_tx_errors", json_integer((json_int_t)es.oerrors));
	json_object_set_new(j, "port_rx_nombuf", json_integer((json_int_t)es.rx_nombuf));
	for (unsigned c = 0; c < CNT_MAX; c++)
		json_object_set_new(j, vbr_counter_names[c], json_integer((json_int_t)sum.c[c]));
	json_object_set_new(j, "neighbors_learned",
			json_integer((json_int_t)fib_neigh_count(dp->fib, (uint16_t)port)));
	return j;
}

/* An lcore's busy cycles, then all: it writes them in the other order, so
 * busy never exceeds all. */
static void
lcore_cycles(const struct fwd_ctx *ctx, uint64_t *busy, uint64_t *all)
{
	*busy = __atomic_load_n(&ctx->busy_cycles, __ATOMIC_ACQUIRE);
	*all = __atomic_load_n(&ctx->cycles, __ATOMIC_RELAXED);
}

/* The forwarding lcores' cycles, busy and all. Under fib_lock. */
static json_t *
lcores_json(struct dataplane *dp)
{
	json_t *a = json_array();

	for (unsigned l = 0; dp->tel_ready && l < dp->nb_fwd; l++) {
		uint64_t busy, all;

		lcore_cycles(dp->fwd[l], &busy, &all);
		json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "lcore",
				(json_int_t)dp->fwd[l]->lcore_id, "cycles", (json_int_t)all,
				"busy_cycles", (json_int_t)busy));
	}
	return a;
}

static json_t *
stats(void *arg)
{
	struct dataplane *dp = arg;
	json_t *ports = json_object(), *lcores;

	pthread_mutex_lock(&dp->fib_lock);
	if (dp->tel_ready)
		for (unsigned p = 0; p < VBR_NB_PORTS; p++)
			json_object_set_new(ports, config_port_name(p), port_stats(dp, p));
	lcores = lcores_json(dp);
	pthread_mutex_unlock(&dp->fib_lock);
	return json_pack("{s:o, s:I, s:o}", "ports", ports, "forwarding_lcores",
			(json_int_t)dp->nb_fwd, "lcores", lcores);
}

static_assert(CNT_MAX <= METRICS_MAX_COUNTERS, "the metrics snapshot holds every counter");
static_assert(VBR_MAX_FWD_LCORES <= METRICS_MAX_LCORES, "and every forwarding lcore");

static void
metrics(void *arg, struct metrics_dp *out)
{
	struct dataplane *dp = arg;

	out->counter_names = vbr_counter_names;
	out->counter_help = vbr_counter_help;
	out->nb_counters = CNT_MAX;
	out->tsc_hz = rte_get_tsc_hz();
	pthread_mutex_lock(&dp->fib_lock);
	if (dp->tel_ready) {
		for (unsigned p = 0; p < VBR_NB_PORTS; p++) {
			struct metrics_port *mp = &out->port[p];
			struct rte_eth_stats es;
			struct port_counters sum;

			port_read(dp, p, &es, &sum);
			snprintf(mp->name, sizeof(mp->name), "%s", config_port_name(p));
			mp->rx_packets = es.ipackets;
			mp->rx_bytes = es.ibytes;
			mp->tx_packets = es.opackets;
			mp->tx_bytes = es.obytes;
			mp->rx_missed = es.imissed;
			mp->rx_errors = es.ierrors;
			mp->tx_errors = es.oerrors;
			mp->rx_nombuf = es.rx_nombuf;
			memcpy(mp->counter, sum.c, sizeof(sum.c));
		}
		out->nb_ports = VBR_NB_PORTS;
		for (unsigned l = 0; l < dp->nb_fwd; l++) {
			out->lcore[l].lcore_id = dp->fwd[l]->lcore_id;
			lcore_cycles(dp->fwd[l], &out->lcore[l].busy_cycles,
					&out->lcore[l].cycles);
		}
		out->nb_lcores = dp->nb_fwd;
	}
	pthread_mutex_unlock(&dp->fib_lock);
}

struct control_hooks
daemon_hooks(struct dataplane *dp)
{
	return (struct control_hooks){ .peers_changed = peers_changed, .stats = stats,
		.metrics = metrics, .arg = dp };
}
