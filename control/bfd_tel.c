/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /vbr/bfd: the BFD sessions on DPDK's telemetry socket, one entry per
 * session ("session0"...: telemetry's names cannot hold dots, the peer is a
 * field), and the drops that no session could be blamed for. Read through
 * bfd_sessions() under the BFD mutex: it never waits for the control thread.
 */
#include <pthread.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "bfd.h"

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bfd *tel_bfd;
static bool registered;

static const char *
ip_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

static void
add_drops(struct rte_tel_data *d, const uint64_t *drop)
{
	char name[64];

	for (unsigned k = 1; k < BFD_DROP_COUNT; k++) {
		snprintf(name, sizeof(name), "drop_%s", bfd_drop_name(k));
		rte_tel_data_add_dict_u64(d, name, drop[k]);
	}
}

static struct rte_tel_data *
session_dict(const struct bfd_session_status *s)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	char a[16];

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "peer", ip_str(s->peer, a, sizeof(a)));
	rte_tel_data_add_dict_string(d, "state", bfd_state_name(s->state));
	rte_tel_data_add_dict_string(d, "remote_state", bfd_state_name(s->remote_state));
	rte_tel_data_add_dict_u64(d, "local_discriminator", s->local_disc);
	rte_tel_data_add_dict_u64(d, "remote_discriminator", s->remote_disc);
	rte_tel_data_add_dict_u64(d, "source_port", s->src_port);
	rte_tel_data_add_dict_u64(d, "tx_interval_us", s->tx_interval);
	rte_tel_data_add_dict_u64(d, "rx_interval_us", s->rx_interval);
	rte_tel_data_add_dict_u64(d, "detect_time_us", s->detect_time);
	rte_tel_data_add_dict_u64(d, "multiplier", s->detect_mult);
	rte_tel_data_add_dict_u64(d, "remote_multiplier", s->remote_detect_mult);
	rte_tel_data_add_dict_u64(d, "remote_min_rx_us", s->remote_min_rx);
	rte_tel_data_add_dict_u64(d, "remote_min_tx_us", s->remote_min_tx);
	rte_tel_data_add_dict_string(d, "local_diag", bfd_diag_name(s->local_diag));
	rte_tel_data_add_dict_string(d, "remote_diag", bfd_diag_name(s->remote_diag));
	rte_tel_data_add_dict_u64(d, "authenticated", s->auth != BFD_AUTH_NONE);
	rte_tel_data_add_dict_u64(d, "poll", s->poll);
	rte_tel_data_add_dict_u64(d, "removing", s->lingering);
	rte_tel_data_add_dict_u64(d, "state_ms", s->state_us / 1000);
	rte_tel_data_add_dict_u64(d, "flaps", s->flaps);
	rte_tel_data_add_dict_u64(d, "rx_packets", s->rx_packets);
	rte_tel_data_add_dict_u64(d, "tx_packets", s->tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_errors", s->tx_errors);
	rte_tel_data_add_dict_u64(d, "dropped", s->drops);
	add_drops(d, s->drop);
	return d;
}

static int
tel_bfd_cmd(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	static struct bfd_session_status st[BFD_MAX_SESSIONS];
	struct bfd_global_stats g;
	struct rte_tel_data *gd;
	unsigned n;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel_lock);
	if (tel_bfd == NULL) {
		pthread_mutex_unlock(&tel_lock);
		return 0;
	}
	n = bfd_sessions(tel_bfd, st, RTE_DIM(st));
	bfd_global_stats(tel_bfd, &g);
	for (unsigned i = 0; i < n; i++) {
		struct rte_tel_data *s = session_dict(&st[i]);
		char name[32];

		if (s == NULL)
			break;
		snprintf(name, sizeof(name), "session%u", i);
		rte_tel_data_add_dict_container(d, name, s, 0);
	}
	pthread_mutex_unlock(&tel_lock);
	gd = rte_tel_data_alloc();
	if (gd == NULL)
		return 0;
	rte_tel_data_start_dict(gd);
	rte_tel_data_add_dict_u64(gd, "rx_packets", g.rx_packets);
	rte_tel_data_add_dict_u64(gd, "rx_errors", g.rx_errors);
	add_drops(gd, g.drop);
	rte_tel_data_add_dict_container(d, "unmatched", gd, 0);
	return 0;
}

void
bfd_tel_attach(struct bfd *b)
{
	pthread_mutex_lock(&tel_lock);
	tel_bfd = b;
	if (!registered && b != NULL)
		registered = rte_telemetry_register_cmd("/vbr/bfd", tel_bfd_cmd,
				     "BFD sessions: state, discriminators, negotiated intervals, "
				     "detection time, diagnostics, flaps, packets and drops. No "
				     "parameters") == 0;
	pthread_mutex_unlock(&tel_lock);
}
