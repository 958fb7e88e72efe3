/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics' text: a snapshot in, Prometheus 0.0.4 or OpenMetrics 1.0.0
 * out. Checks the numbers land where a user looks, the format's rules
 * (HELP and TYPE for every family, vbr_ names, counters in _total, # EOF),
 * label escaping, the Accept header's choice, and that every metric the
 * Grafana dashboard (argv[1]) asks for is one we serve.
 */
#include <check.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const char *dashboard_path;

/* As dataplane/counters.h names them (a few). */
static const char *const names[] = { "rx_packets", "forwarded", "drop_no_route",
	"drop_ttl_expired", "punted" };
static const char *const help[] = { "packets received", "packets routed", "no route",
	"TTL would reach 0", "packets to our own addresses and ARP, to the kernel tap" };

static struct metrics_snapshot *
snapshot(void)
{
	struct metrics_snapshot *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->dp.nb_ports = 2;
	snprintf(s->dp.port[0].name, sizeof(s->dp.port[0].name), "idc");
	snprintf(s->dp.port[1].name, sizeof(s->dp.port[1].name), "vpc");
	s->dp.port[0].rx_packets = 5;
	s->dp.port[0].rx_bytes = 500;
	s->dp.port[1].tx_packets = 4;
	s->dp.port[1].tx_bytes = 18446744073709551615ull; /* printed whole, not as a double */
	s->dp.nb_counters = 5;
	s->dp.counter_names = names;
	s->dp.counter_help = help;
	s->dp.port[0].counter[1] = 3;
	s->dp.port[0].counter[2] = 7;
	s->dp.port[1].counter[3] = 1;
	s->dp.nb_lcores = 1;
	s->dp.lcore[0] = (struct metrics_lcore){ .lcore_id = 1, .busy_cycles = 10, .cycles = 40 };
	s->dp.tsc_hz = 2000000000;
	s->nb_peers = 2;
	s->peer[0] = (struct metrics_peer){ .address = 0x0a000002, .state = 6, .enabled = true,
		.uptime_s = 12, .prefixes_received = 3, .prefixes_installed = 2,
		.prefixes_over_limit = 1, .msgs_in = 9, .msgs_out = 8, .established = 2,
		.flaps = 1 };
	snprintf(s->peer[0].group, sizeof(s->peer[0].group), "idc");
	s->peer[1] = (struct metrics_peer){ .address = 0x0a000003, .state = 1 };
	snprintf(s->peer[1].group, sizeof(s->peer[1].group), "a\"b\\c\nd");
	s->fib_routes = 6;
	s->fib_nexthops = 4;
	s->fib_ops_applied = 11;
	s->fib_ops_refused = 2;
	s->ring_used = 0;
	s->ring_size = 65535;
	s->rib_prefixes = 6;
	return s;
}

static char *
render(const struct metrics_snapshot *s, bool om)
{
	char *text;
	size_t len;

	ck_assert_int_eq(metrics_render(s, om, &text, &len), 0);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

static void
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p += n;
	}
	ck_abort_msg("no line \"%s\" in:\n%s", line, text);
}

START_TEST(values_where_users_look)
{
	struct metrics_snapshot *s = snapshot();
	char *t = render(s, false);

	has_line(t, "vbr_port_rx_packets_total{port=\"idc\"} 5");
	has_line(t, "vbr_port_rx_bytes_total{port=\"idc\"} 500");
	has_line(t, "vbr_port_tx_packets_total{port=\"vpc\"} 4");
	has_line(t, "vbr_port_tx_bytes_total{port=\"vpc\"} 18446744073709551615");
	has_line(t, "vbr_port_drops_total{port=\"idc\",reason=\"no_route\"} 7");
	has_line(t, "vbr_port_drops_total{port=\"vpc\",reason=\"ttl_expired\"} 1");
	has_line(t, "vbr_port_drops_total{port=\"idc\",reason=\"ttl_expired\"} 0");
	has_line(t, "vbr_dp_forwarded_total{port=\"idc\"} 3");
	ck_assert_ptr_null(strstr(t, "vbr_dp_drop_"));
	has_line(t, "vbr_lcore_busy_cycles_total{lcore=\"1\"} 10");
	has_line(t, "vbr_lcore_cycles_total{lcore=\"1\"} 40");
	has_line(t, "vbr_bgp_peer_state{peer=\"10.0.0.2\",group=\"idc\"} 6");
	has_line(t, "vbr_bgp_peer_up{peer=\"10.0.0.2\",group=\"idc\"} 1");
	has_line(t, "vbr_bgp_peer_up{peer=\"10.0.0.3\",group=\"a\\\"b\\\\c\\nd\"} 0");
	has_line(t, "vbr_bgp_peer_uptime_seconds{peer=\"10.0.0.2\",group=\"idc\"} 12");
	has_line(t, "vbr_bgp_peer_prefixes_received{peer=\"10.0.0.2\",group=\"idc\"} 3");
	has_line(t, "vbr_bgp_peer_prefixes_installed{peer=\"10.0.0.2\",group=\"idc\"} 2");
	has_line(t, "vbr_bgp_peer_prefixes_over_limit{peer=\"10.0.0.2\",group=\"idc\"} 1");
	has_line(t, "vbr_bgp_peer_messages_received_total{peer=\"10.0.0.2\",group=\"idc\"} 9");
	has_line(t, "vbr_bgp_peer_messages_sent_total{peer=\"10.0.0.2\",group=\"idc\"} 8");
	has_line(t, "vbr_bgp_peer_flaps_total{peer=\"10.0.0.2\",group=\"idc\"} 1");
	has_line(t, "vbr_fib_routes 6");
	has_line(t, "vbr_fib_nexthops 4");
	has_line(t, "vbr_fib_route_ops_applied_total 11");
	has_line(t, "vbr_fib_route_ops_refused_total 2");
	has_line(t, "vbr_fib_route_ring_used 0");
	has_line(t, "vbr_fib_route_ring_size 65535");
	has_line(t, "vbr_rib_prefixes 6");
	free(t);
	free(s);
}
END_TEST

/* The two formats' differences. */
START_TEST(formats)
{
	struct metrics_snapshot *s = snapshot();
	char *p = render(s, false), *o = render(s, true);
	size_t n = strlen(o);

	has_line(p, "# TYPE vbr_port_rx_packets_total counter");
	has_line(p, "# HELP vbr_port_rx_packets_total Packets the port received (the NIC's count)");
	ck_assert_ptr_null(strstr(p, "# EOF"));
	has_line(o, "# TYPE vbr_port_rx_packets counter");
	has_line(o, "# HELP vbr_port_rx_packets Packets the port received (the NIC's count)");
	has_line(o, "# TYPE vbr_fib_routes gauge");
	has_line(o, "vbr_port_rx_packets_total{port=\"idc\"} 5");
	ck_assert(n > 6 && strcmp(o + n - 6, "# EOF\n") == 0);
	ck_assert_ptr_eq(strstr(o, "# EOF"), o + n - 6);
	free(p);
	free(o);
	free(s);
}
END_TEST

/* Every sample belongs to the family declared just before it, with HELP
 * and TYPE; names are vbr_ and a counter's samples end in _total. */
static void
check_structure(const char *text, bool om)
{
	char family[128] = "", type[16] = "";
	bool helped = false;
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		char name[128];
		size_t n = 0;

		ck_assert_ptr_nonnull(end);
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%127s", family);
			helped = true;
			type[0] = '\0';
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			char f[128];

			ck_assert_int_eq(sscanf(line + 7, "%127s %15s", f, type), 2);
			ck_assert_str_eq(f, family);
			ck_assert(helped);
			ck_assert(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0);
			ck_assert_msg(strncmp(f, "vbr_", 4) == 0, "%s", f);
			if (strcmp(type, "counter") == 0) {
				size_t l = strlen(f);
				bool total = l > 6 && strcmp(f + l - 6, "_total") == 0;

				ck_assert_msg(om ? !total : total, "%s", f);
			}
		} else if (strcmp(line, "# EOF\n") != 0 && line[0] != '\n') {
			char want[140];

			while (line[n] != '{' && line[n] != ' ' && n < sizeof(name) - 1) {
				ck_assert(isalnum((unsigned char)line[n]) || line[n] == '_');
				name[n] = line[n];
				n++;
			}
			name[n] = '\0';
			ck_assert_msg(type[0], "%s: no # TYPE before it", name);
			snprintf(want, sizeof(want), "%s%s", family,
					om && strcmp(type, "counter") == 0 ? "_total" : "");
			ck_assert_str_eq(name, want);
			helped = false;
		}
		line = end + 1;
	}
}

START_TEST(structure)
{
	struct metrics_snapshot *s = snapshot();
	char *p = render(s, false), *o = render(s, true);

	check_structure(p, false);
	check_structure(o, true);
	free(p);
	free(o);
	free(s);
}
END_TEST

/* Nothing to show yet (the dataplane not ready, no peers): still valid. */
START_TEST(empty)
{
	struct metrics_snapshot *s = calloc(1, sizeof(*s));
	char *o;

	o = render(s, true);
	check_structure(o, true);
	has_line(o, "vbr_fib_routes 0");
	free(o);
	free(s);
}
END_TEST

START_TEST(accept_header)
{
	/* What Prometheus 2.x sends. */
	ck_assert(metrics_wants_openmetrics(
			"application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
			"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
	ck_assert(metrics_wants_openmetrics("application/openmetrics-text; version=1.0.0"));
	ck_assert(!metrics_wants_openmetrics(NULL));
	ck_assert(!metrics_wants_openmetrics("*/*"));
	ck_assert(!metrics_wants_openmetrics("text/plain;version=0.0.4"));
	ck_assert(!metrics_wants_openmetrics("application/openmetrics-text;q=0,text/plain"));
}
END_TEST

/* Each vbr_ name in the dashboard's queries is one the endpoint serves. */
START_TEST(dashboard_names)
{
	struct metrics_snapshot *s = snapshot();
	char *t = render(s, false);
	json_error_t je;
	json_t *d = json_load_file(dashboard_path, 0, &je);
	char *dump;
	unsigned found = 0;

	ck_assert_msg(d != NULL, "%s:%d: %s", dashboard_path, je.line, je.text);
	dump = json_dumps(d, 0);
	for (const char *p = dump; (p = strstr(p, "vbr_")) != NULL;) {
		char name[128], sample[132];
		size_t n = 0;

		while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof(name) - 1) {
			name[n] = p[n];
			n++;
		}
		name[n] = '\0';
		p += n;
		/* "vbr_" in a title or uid, not a query. */
		if (strcmp(name, "vbr_") == 0 || strncmp(name, "vbr_dashboard", 13) == 0)
			continue;
		snprintf(sample, sizeof(sample), "\n%s{", name);
		if (strstr(t, sample) == NULL) {
			snprintf(sample, sizeof(sample), "\n%s ", name);
			ck_assert_msg(strstr(t, sample) != NULL, "the dashboard asks for %s", name);
		}
		found++;
	}
	ck_assert_uint_ge(found, 10);
	free(dump);
	json_decref(d);
	free(t);
	free(s);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");
	SRunner *sr;
	int failed;

	dashboard_path = argc > 1 ? argv[1] : "contrib/grafana/vbr-dashboard.json";
	tcase_add_test(tc, values_where_users_look);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, structure);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, accept_header);
	tcase_add_test(tc, dashboard_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
