/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A metrics snapshot as Prometheus text 0.0.4 or OpenMetrics 1.0.0. The two
 * differ in little: OpenMetrics names a counter's family without "_total"
 * in # TYPE and # HELP (its samples keep it), escapes '"' in help texts,
 * and ends with "# EOF". Every family has # HELP and # TYPE; every name
 * starts with vbr_; counters end in _total.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

enum family_type { GAUGE, COUNTER };

struct out {
	FILE *f;
	bool om;
};

static const char *const state_names[] = { "", "Idle", "Connect", "Active", "OpenSent",
	"OpenConfirm", "Established" };

const char *
metrics_bgp_state_name(unsigned state)
{
	return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state] : "";
}

/* A help text: backslash and newline escaped (and '"' in OpenMetrics). */
static void
put_help(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", o->f);
		else if (*s == '\n')
			fputs("\\n", o->f);
		else if (*s == '"' && o->om)
			fputs("\\\"", o->f);
		else
			fputc(*s, o->f);
	}
}

/* A label value: backslash, '"' and newline escaped in both formats. */
static void
put_label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

/* # HELP and # TYPE of a family; name without "_total". */
static void
family(struct out *o, const char *name, enum family_type t, const char *help)
{
	const char *suffix = t == COUNTER && !o->om ? "_total" : "";

	fprintf(o->f, "# HELP %s%s ", name, suffix);
	put_help(o, help);
	fprintf(o->f, "\n# TYPE %s%s %s\n", name, suffix, t == COUNTER ? "counter" : "gauge");
}

/* One sample; labels: NULL-terminated name, value pairs. */
static void
sample(struct out *o, const char *name, enum family_type t, const char *const *labels,
		uint64_t v)
{
	fprintf(o->f, "%s%s", name, t == COUNTER ? "_total" : "");
	if (labels != NULL && labels[0] != NULL) {
		fputc('{', o->f);
		for (unsigned i = 0; labels[i] != NULL; i += 2) {
			fprintf(o->f, "%s%s=\"", i ? "," : "", labels[i]);
			put_label_value(o->f, labels[i + 1]);
			fputc('"', o->f);
		}
		fputc('}', o->f);
	}
	fprintf(o->f, " %" PRIu64 "\n", v);
}

/* ------------------------------------------------------------ ports */

#define PORT_FIELD(m) offsetof(struct metrics_port, m)

static const struct {
	const char *name;
	size_t off;
	const char *help;
} port_families[] = {
	{ "vbr_port_rx_packets", PORT_FIELD(rx_packets), "Packets the port received (the NIC's count)" },
	{ "vbr_port_rx_bytes", PORT_FIELD(rx_bytes), "Bytes the port received (the NIC's count)" },
	{ "vbr_port_tx_packets", PORT_FIELD(tx_packets), "Packets the port sent (the NIC's count)" },
	{ "vbr_port_tx_bytes", PORT_FIELD(tx_bytes), "Bytes the port sent (the NIC's count)" },
	{ "vbr_port_rx_missed", PORT_FIELD(rx_missed),
		"Packets the NIC dropped: its receive queue was full" },
	{ "vbr_port_rx_errors", PORT_FIELD(rx_errors), "Erroneous packets the NIC received" },
	{ "vbr_port_tx_errors", PORT_FIELD(tx_errors), "Packets the NIC failed to send" },
	{ "vbr_port_rx_nombuf", PORT_FIELD(rx_nombuf),
		"Packets the NIC dropped: no receive buffers" },
};

static bool
is_drop(const char *name)
{
	return strncmp(name, "drop_", 5) == 0;
}

static void
render_ports(struct out *o, const struct metrics_dp *dp)
{
	char name[128];

	for (size_t k = 0; k < sizeof(port_families) / sizeof(port_families[0]); k++) {
		family(o, port_families[k].name, COUNTER, port_families[k].help);
		for (unsigned p = 0; p < dp->nb_ports; p++) {
			const char *l[] = { "port", dp->port[p].name, NULL };
			uint64_t v;

			memcpy(&v, (const char *)&dp->port[p] + port_families[k].off, sizeof(v));
			sample(o, port_families[k].name, COUNTER, l, v);
		}
	}
	/* Every drop counter, by reason: one family, so that a dashboard sums
	 * them or splits them without knowing their names. */
	family(o, "vbr_port_drops", COUNTER,
			"Packets the dataplane dropped, by port and reason (vbrctl show stats: drop_*)");
	for (unsigned p = 0; p < dp->nb_ports; p++)
		for (unsigned c = 0; c < dp->nb_counters && c < METRICS_MAX_COUNTERS; c++) {
			if (!is_drop(dp->counter_names[c]))
				continue;
			const char *l[] = { "port", dp->port[p].name, "reason",
				dp->counter_names[c] + 5, NULL };
			sample(o, "vbr_port_drops", COUNTER, l, dp->port[p].counter[c]);
		}
	for (unsigned c = 0; c < dp->nb_counters && c < METRICS_MAX_COUNTERS; c++) {
		if (is_drop(dp->counter_names[c]))
			continue;
		snprintf(name, sizeof(name), "vbr_dp_%s", dp->counter_names[c]);
		family(o, name, COUNTER, dp->counter_help[c]);
		for (unsigned p = 0; p < dp->nb_ports; p++) {
			const char *l[] = { "port", dp->port[p].name, NULL };

			sample(o, name, COUNTER, l, dp->port[p].counter[c]);
		}
	}
}

static void
render_lcores(struct out *o, const struct metrics_dp *dp)
{
	char id[12];

	family(o, "vbr_lcore_busy_cycles", COUNTER,
			"TSC cycles of a forwarding lcore spent in loops that moved packets; "
			"busy ratio = rate(vbr_lcore_busy_cycles_total) / rate(vbr_lcore_cycles_total)");
	for (unsigned i = 0; i < dp->nb_lcores && i < METRICS_MAX_LCORES; i++) {
		const char *l[] = { "lcore", id, NULL };

		snprintf(id, sizeof(id), "%u", dp->lcore[i].lcore_id);
		sample(o, "vbr_lcore_busy_cycles", COUNTER, l, dp->lcore[i].busy_cycles);
	}
	family(o, "vbr_lcore_cycles", COUNTER,
			"TSC cycles of a forwarding lcore's loop, busy or idle");
	for (unsigned i = 0; i < dp->nb_lcores && i < METRICS_MAX_LCORES; i++) {
		const char *l[] = { "lcore", id, NULL };

		snprintf(id, sizeof(id), "%u", dp->lcore[i].lcore_id);
		sample(o, "vbr_lcore_cycles", COUNTER, l, dp->lcore[i].cycles);
	}
	family(o, "vbr_tsc_hz", GAUGE, "TSC cycles per second");
	sample(o, "vbr_tsc_hz", GAUGE, NULL, dp->tsc_hz);
}

/* ------------------------------------------------------------ BGP */

#define PEER_FIELD(m) offsetof(struct metrics_peer, m)

static const struct {
	const char *name;
	enum family_type type;
	size_t off;
	const char *help;
} peer_families[] = {
	{ "vbr_bgp_peer_uptime_seconds", GAUGE, PEER_FIELD(uptime_s),
		"Seconds the session has been Established (0 when it is not)" },
	{ "vbr_bgp_peer_prefixes_received", GAUGE, PEER_FIELD(prefixes_received),
		"Prefixes the peer announces now, over the limit included" },
	{ "vbr_bgp_peer_prefixes_installed", GAUGE, PEER_FIELD(prefixes_installed),
		"Of the peer's prefixes, those that are the best route" },
	{ "vbr_bgp_peer_prefixes_over_limit", GAUGE, PEER_FIELD(prefixes_over_limit),
		"Prefixes not installed: past the group's max_prefixes" },
	{ "vbr_bgp_peer_messages_received", COUNTER, PEER_FIELD(msgs_in),
		"BGP messages received from the peer" },
	{ "vbr_bgp_peer_messages_sent", COUNTER, PEER_FIELD(msgs_out),
		"BGP messages sent to the peer" },
	{ "vbr_bgp_peer_updates_received", COUNTER, PEER_FIELD(updates_in),
		"UPDATE messages received from the peer" },
	{ "vbr_bgp_peer_updates_sent", COUNTER, PEER_FIELD(updates_out),
		"UPDATE messages sent to the peer" },
	{ "vbr_bgp_peer_established", COUNTER, PEER_FIELD(established),
		"Times the session reached Established" },
	{ "vbr_bgp_peer_flaps", COUNTER, PEER_FIELD(flaps),
		"Times the session left Established" },
};

static void
peer_labels(const struct metrics_peer *p, char addr[16], const char *l[5])
{
	snprintf(addr, 16, "%u.%u.%u.%u", p->address >> 24, p->address >> 16 & 0xff,
			p->address >> 8 & 0xff, p->address & 0xff);
	l[0] = "peer";
	l[1] = addr;
	l[2] = "group";
	l[3] = p->group;
	l[4] = NULL;
}

static void
render_peers(struct out *o, const struct metrics_snapshot *s)
{
	char addr[16];
	const char *l[5];

	family(o, "vbr_bgp_peer_state", GAUGE,
			"BGP FSM state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, "
			"6 Established (as BGP4-MIB's bgpPeerState)");
	for (unsigned i = 0; i < s->nb_peers; i++) {
		peer_labels(&s->peer[i], addr, l);
		sample(o, "vbr_bgp_peer_state", GAUGE, l, s->peer[i].state);
	}
	family(o, "vbr_bgp_peer_up", GAUGE, "1 when the session is Established, else 0");
	for (unsigned i = 0; i < s->nb_peers; i++) {
		peer_labels(&s->peer[i], addr, l);
		sample(o, "vbr_bgp_peer_up", GAUGE, l, s->peer[i].state == 6);
	}
	family(o, "vbr_bgp_peer_enabled", GAUGE, "0 when the peer is administratively down");
	for (unsigned i = 0; i < s->nb_peers; i++) {
		peer_labels(&s->peer[i], addr, l);
		sample(o, "vbr_bgp_peer_enabled", GAUGE, l, s->peer[i].enabled);
	}
	for (size_t k = 0; k < sizeof(peer_families) / sizeof(peer_families[0]); k++) {
		family(o, peer_families[k].name, peer_families[k].type, peer_families[k].help);
		for (unsigned i = 0; i < s->nb_peers; i++) {
			uint64_t v;

			memcpy(&v, (const char *)&s->peer[i] + peer_families[k].off, sizeof(v));
			peer_labels(&s->peer[i], addr, l);
			sample(o, peer_families[k].name, peer_families[k].type, l, v);
		}
	}
}

/* ------------------------------------------------------------ FIB, RIB */

#define SNAP_FIELD(m) offsetof(struct metrics_snapshot, m)

static const struct {
	const char *name;
	enum family_type type;
	size_t off;
	const char *help;
} table_families[] = {
	{ "vbr_fib_routes", GAUGE, SNAP_FIELD(fib_routes), "Routes in the FIB" },
	{ "vbr_fib_nexthops", GAUGE, SNAP_FIELD(fib_nexthops), "Next hops in the FIB's table" },
	{ "vbr_fib_groups", GAUGE, SNAP_FIELD(fib_groups), "ECMP next-hop groups in the FIB" },
	{ "vbr_fib_route_ops_applied", COUNTER, SNAP_FIELD(fib_ops_applied),
		"Route ops the FIB writer applied" },
	{ "vbr_fib_route_ops_refused", COUNTER, SNAP_FIELD(fib_ops_refused),
		"Route ops the FIB writer refused (no next-hop id or table room; retried)" },
	{ "vbr_fib_route_ring_used", GAUGE, SNAP_FIELD(ring_used),
		"Route ops waiting on the route ring for the FIB writer" },
	{ "vbr_fib_route_ring_size", GAUGE, SNAP_FIELD(ring_size), "Route ops the ring can hold" },
	{ "vbr_rib_prefixes", GAUGE, SNAP_FIELD(rib_prefixes), "Prefixes in the RIB" },
	{ "vbr_rib_not_in_fib", GAUGE, SNAP_FIELD(rib_not_in_fib),
		"Best routes the FIB refused, waiting for a retry" },
	{ "vbr_rib_fib_pending", GAUGE, SNAP_FIELD(rib_fib_pending),
		"Route ops sent that the FIB writer has not answered yet" },
	{ "vbr_rib_route_backlog", GAUGE, SNAP_FIELD(route_backlog),
		"Route ops waiting for room on the route ring" },
};

static void
render_tables(struct out *o, const struct metrics_snapshot *s)
{
	for (size_t k = 0; k < sizeof(table_families) / sizeof(table_families[0]); k++) {
		uint64_t v;

		memcpy(&v, (const char *)s + table_families[k].off, sizeof(v));
		family(o, table_families[k].name, table_families[k].type, table_families[k].help);
		sample(o, table_families[k].name, table_families[k].type, NULL, v);
	}
}

/* ------------------------------------------------------------ all */

int
metrics_render(const struct metrics_snapshot *s, bool openmetrics, char **text, size_t *len)
{
	struct out o = { .om = openmetrics };
	int rc = 0;

	*text = NULL;
	*len = 0;
	o.f = open_memstream(text, len);
	if (o.f == NULL)
		return -ENOMEM;
	render_ports(&o, &s->dp);
	render_lcores(&o, &s->dp);
	render_peers(&o, s);
	render_tables(&o, s);
	if (openmetrics)
		fputs("# EOF\n", o.f);
	if (ferror(o.f))
		rc = -ENOMEM;
	if (fclose(o.f) != 0)
		rc = -ENOMEM;
	if (rc != 0) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return rc;
}

/* "application/openmetrics-text" among the media ranges, with a q above 0
 * (Prometheus sends it first, with text/plain as a fallback). */
bool
metrics_wants_openmetrics(const char *accept)
{
	static const char want[] = "application/openmetrics-text";
	const char *p = accept;

	while (p != NULL && (p = strstr(p, want)) != NULL) {
		const char *end = strchr(p, ',');
		const char *q = strstr(p, "q=");

		if (q == NULL || (end != NULL && q > end) || strtod(q + 2, NULL) > 0)
			return true;
		p = end;
	}
	return false;
}
