/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the daemon lends the control thread from the dataplane: the BGP
 * peer set the exception path polices for, and the counters of `vbrctl show
 * stats` (the ports' own rx/tx packets and bytes, and every named counter
 * of the forwarding lcores, summed).
 */
#include <rte_ethdev.h>

#include "daemon.h"

static int
peers_changed(void *arg, const uint32_t *addrs, unsigned n, const uint32_t *tracked, unsigned m)
{
	return dp_punt_sources_set(arg, addrs, n, tracked, m);
}

static json_t *
port_stats(struct dataplane *dp, unsigned port)
{
	struct rte_eth_stats es = { 0 };
	struct port_counters sum;
	json_t *j = json_object();

	if (dp->port[port].port_id < RTE_MAX_ETHPORTS)
		rte_eth_stats_get(dp->port[port].port_id, &es);
	json_object_set_new(j, "port_rx_packets", json_integer((json_int_t)es.ipackets));
	json_object_set_new(j, "port_rx_bytes", json_integer((json_int_t)es.ibytes));
	json_object_set_new(j, "port_tx_packets", json_integer((json_int_t)es.opackets));
	json_object_set_new(j, "port_tx_bytes", json_integer((json_int_t)es.obytes));
	json_object_set_new(j, "port_rx_missed", json_integer((json_int_t)es.imissed));
	json_object_set_new(j, "port_rx_errors", json_integer((json_int_t)es.ierrors));
	json_object_set_new(j, "port_tx_errors", json_integer((json_int_t)es.oerrors));
	json_object_set_new(j, "port_rx_nombuf", json_integer((json_int_t)es.rx_nombuf));
	/* The lcores' blocks are read without stopping them: each counter is
	 * a single 64-bit word, read whole. */
	dp_counters_sum(dp, port, &sum);
	for (unsigned c = 0; c < CNT_MAX; c++)
		json_object_set_new(j, vbr_counter_names[c], json_integer((json_int_t)sum.c[c]));
	json_object_set_new(j, "neighbors_learned",
			json_integer((json_int_t)fib_neigh_count(dp->fib, (uint16_t)port)));
	return j;
}

static json_t *
stats(void *arg)
{
	struct dataplane *dp = arg;
	json_t *ports = json_object();

	pthread_mutex_lock(&dp->fib_lock);
	if (dp->tel_ready)
		for (unsigned p = 0; p < VBR_NB_PORTS; p++)
			json_object_set_new(ports, config_port_name(p), port_stats(dp, p));
	pthread_mutex_unlock(&dp->fib_lock);
	return json_pack("{s:o, s:I}", "ports", ports, "forwarding_lcores", (json_int_t)dp->nb_fwd);
}

struct control_hooks
daemon_hooks(struct dataplane *dp)
{
	return (struct control_hooks){ .peers_changed = peers_changed, .stats = stats, .arg = dp };
}
