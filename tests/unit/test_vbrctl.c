/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbrctl end to end against the management server (control/mgmt.c) with a
 * canned handler: the human output of every show, exactly (what the README
 * shows), the JSON output, the request each command makes, the exit status
 * and the message of each kind of failure, and that a key is never printed.
 * meson passes the vbrctl program as the first argument.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mgmt.h"

extern char **environ;

static const char *vbrctl;
static char dir[64], rw_path[96], ro_path[96];
static int epfd;
static struct mgmt *m;
static json_t *last_args; /* of the last request the handler saw */
static enum api_op last_op;
static char out[1 << 16], errout[1 << 14];

/* --- what the canned vbrd answers --- */

static const char *const peers_json =
	"[{\"address\":\"10.0.0.2\",\"group\":\"idc\",\"peer_asn\":65001,\"description\":"
	"\"core-1\",\"state\":\"Established\",\"enabled\":true,\"uptime_s\":93784,"
	"\"last_error\":\"\",\"prefixes_received\":120,\"prefixes_installed\":118,"
	"\"prefixes_over_limit\":2,\"msgs_in\":3456,\"msgs_out\":3460,\"updates_in\":10,"
	"\"updates_out\":3,\"hold_time\":90,\"remote_id\":\"10.0.0.2\"},"
	"{\"address\":\"10.0.0.3\",\"group\":\"idc\",\"peer_asn\":65001,\"description\":\"\","
	"\"state\":\"Active\",\"enabled\":true,\"uptime_s\":0,\"last_error\":\"Connection "
	"refused\",\"prefixes_received\":0,\"prefixes_installed\":0,\"prefixes_over_limit\":0,"
	"\"msgs_in\":0,\"msgs_out\":0,\"updates_in\":0,\"updates_out\":0,\"hold_time\":0,"
	"\"remote_id\":\"\"},"
	"{\"address\":\"10.0.0.4\",\"group\":\"backup\",\"peer_asn\":65002,\"description\":"
	"\"standby\",\"state\":\"Idle\",\"enabled\":false,\"uptime_s\":0,\"last_error\":\"\","
	"\"prefixes_received\":0,\"prefixes_installed\":0,\"prefixes_over_limit\":0,"
	"\"msgs_in\":12,\"msgs_out\":12,\"updates_in\":0,\"updates_out\":0,\"hold_time\":0,"
	"\"remote_id\":\"\"}]";
/* The second group carries a key, as a buggy vbrd might: never printed. */
static const char *const groups_json =
	"[{\"name\":\"idc\",\"peer_asn\":65001,\"description\":\"IDC routers\",\"key_set\":true,"
	"\"max_prefixes\":100,\"max_prefixes_action\":\"drop\",\"hold_time\":90,"
	"\"peers\":[\"10.0.0.2\",\"10.0.0.3\"]},"
	"{\"name\":\"backup\",\"peer_asn\":65002,\"description\":\"\",\"key_set\":true,"
	"\"key\":\"S3CRET\",\"max_prefixes\":1000,\"max_prefixes_action\":\"teardown\","
	"\"hold_time\":30,\"peers\":[\"10.0.0.4\"]}]";
static const char *const networks_json = "[{\"cidr\":\"203.0.113.0/24\"},{\"cidr\":"
					 "\"198.51.100.0/24\"}]";
static const char *const routes_json =
	"[{\"prefix\":\"0.0.0.0/0\",\"paths\":[{\"source\":\"bgp\",\"next_hop\":\"10.0.0.2\","
	"\"peer\":\"10.0.0.2\",\"as_path\":[65001,65010],\"best\":true},{\"source\":\"static\","
	"\"next_hop\":\"10.0.0.9\",\"best\":false}]},"
	"{\"prefix\":\"10.0.0.0/24\",\"paths\":[{\"source\":\"connected\",\"next_hop\":"
	"\"0.0.0.0\",\"best\":true}]},"
	"{\"prefix\":\"198.51.100.0/24\",\"paths\":[{\"source\":\"bgp\",\"next_hop\":"
	"\"10.0.0.2\",\"peer\":\"10.0.0.2\",\"as_path\":[65001,[64512,64513]],\"best\":true}]}]";
static const char *const fib_json =
	"[{\"prefix\":\"0.0.0.0/0\",\"next_hop\":\"10.0.0.2\",\"port\":\"idc\",\"type\":\"gateway\"},"
	"{\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\",\"port\":\"idc\",\"type\":"
	"\"connected\"},"
	"{\"prefix\":\"172.16.0.0/16\",\"next_hop\":\"172.16.0.1\",\"port\":\"vpc\",\"type\":"
	"\"gateway\"}]";
static const char *const lookup_json =
	"[{\"address\":\"198.51.100.7\",\"prefix\":\"198.51.100.0/24\",\"next_hop\":\"10.0.0.2\","
	"\"port\":\"idc\",\"type\":\"forward\"}]";
static const char *const neighbors_json =
	"[{\"address\":\"10.0.0.2\",\"mac\":\"02:00:00:00:00:02\",\"port\":\"idc\",\"static\":"
	"false},{\"address\":\"172.16.0.1\",\"mac\":\"02:00:00:00:01:01\",\"port\":\"vpc\","
	"\"static\":true}]";
static const char *const stats_json =
	"[{\"ports\":{\"idc\":{\"rx_packets\":123456,\"rx_bytes\":98765432,\"tx_packets\":120000,"
	"\"tx_bytes\":9000000,\"drop_no_route\":3},\"vpc\":{\"rx_packets\":5,\"rx_bytes\":500,"
	"\"tx_packets\":7,\"tx_bytes\":700,\"drop_no_route\":0}},\"fib\":{\"ops\":4567,"
	"\"ring_used\":0}}]";
static const char *const config_json =
	"[{\"vbr\":{\"local_asn\":45104,\"max_peers\":8},\"ports\":{\"idc\":{\"device\":"
	"\"net_tap0\",\"address\":\"10.0.0.1/24\"}},\"bgp\":{\"groups\":[{\"name\":\"idc\","
	"\"peer_asn\":65001,\"key_set\":true,\"key\":\"S3CRET\",\"description\":\"IDC routers: "
	"core\",\"passive\":false}],\"peers\":[{\"group\":\"idc\",\"address\":\"10.0.0.2\"}],"
	"\"networks\":[\"203.0.113.0/24\"]},\"routes\":[],\"neighbors\":[{\"address\":"
	"\"172.16.0.1\",\"mac\":\"02:00:00:00:01:01\"}]}]";

static void
canned(struct mgmt_reply *reply, const char *records)
{
	json_error_t jerr;
	json_t *a = json_loads(records, 0, &jerr), *rec;
	size_t i;

	ck_assert_msg(a != NULL, "%s", jerr.text);
	json_array_foreach(a, i, rec) mgmt_reply_record(reply, json_incref(rec));
	json_decref(a);
}

static void
handler(void *arg, const struct api_request *req, struct mgmt_reply *reply)
{
	(void)arg;
	json_decref(last_args);
	last_args = json_incref(req->args);
	last_op = req->op;
	switch (req->op) {
	case API_SHOW_PEERS:
		canned(reply, peers_json);
		break;
	case API_SHOW_GROUPS:
		canned(reply, groups_json);
		break;
	case API_SHOW_NETWORKS:
		canned(reply, networks_json);
		break;
	case API_SHOW_ROUTES:
		canned(reply, routes_json);
		break;
	case API_SHOW_FIB:
		canned(reply, json_object_get(req->args, "address") ? lookup_json : fib_json);
		break;
	case API_SHOW_NEIGHBORS:
		canned(reply, neighbors_json);
		break;
	case API_SHOW_STATS:
		canned(reply, stats_json);
		break;
	case API_SHOW_CONFIG:
		canned(reply, config_json);
		break;
	case API_BGP_GROUP_DELETE:
		mgmt_reply_error(reply, "bgp group \"%s\" does not exist",
			json_string_value(json_object_get(req->args, "name")));
		break;
	default:
		break;
	}
}

/* --- running vbrctl while the server runs --- */

static void
pump(int timeout_ms)
{
	struct epoll_event ev[16];
	int n = epoll_wait(epfd, ev, 16, timeout_ms);

	for (int i = 0; i < n; i++) {
		struct ev_handler *h = ev[i].data.ptr;

		h->fn(h, ev[i].events);
	}
}

static void
drain(int *fd, char *buf, size_t size, size_t *len)
{
	ssize_t n;

	if (*fd < 0)
		return;
	while ((n = read(*fd, buf + *len, size - 1 - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
	if (n == 0 || *len == size - 1) {
		close(*fd);
		*fd = -1;
	}
}

/* Runs vbrctl with the arguments (NULL-terminated); its exit status, its
 * output in out and errout. */
static int
run(const char *first, ...)
{
	const char *argv[32] = {vbrctl, first};
	int po[2], pe[2], status = -1, argc = 2;
	posix_spawn_file_actions_t fa;
	size_t olen = 0, elen = 0;
	bool exited = false;
	va_list ap;
	pid_t pid;

	va_start(ap, first);
	while (first != NULL && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	ck_assert_int_eq(pipe2(po, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(pe, O_CLOEXEC | O_NONBLOCK), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	ck_assert_int_eq(posix_spawn(&pid, vbrctl, &fa, NULL, (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	for (int rounds = 0; !exited || po[0] >= 0 || pe[0] >= 0; rounds++) {
		ck_assert_int_lt(rounds, 6000); /* 60 s */
		pump(10);
		drain(&po[0], out, sizeof(out), &olen);
		drain(&pe[0], errout, sizeof(errout), &elen);
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
	}
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
setup(void)
{
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/vbr-test-vbrctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rw_path, sizeof(rw_path), "%s/vbrd.sock", dir);
	snprintf(ro_path, sizeof(ro_path), "%s/vbrd-ro.sock", dir);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	m = mgmt_create(epfd, rw_path, ro_path, handler, NULL, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	last_args = NULL;
	last_op = API_OP_COUNT;
}

static void
teardown(void)
{
	char cmd[128];

	mgmt_destroy(m);
	close(epfd);
	json_decref(last_args);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
show_is(const char *what, const char *arg, const char *want)
{
	ck_assert_int_eq(run("-s", rw_path, "show", what, arg, NULL), 0);
	ck_assert_str_eq(errout, "");
	ck_assert_str_eq(out, want);
}

/* --- the shows, human --- */

START_TEST(show_peers)
{
	show_is("peers", NULL,
		"Address   Group   ASN    State        Uptime      Received  Installed  Over-limit"
		"  Msgs-in  Msgs-out  Info\n"
		"10.0.0.2  idc     65001  Established  1d02:03:04       120        118           2"
		"     3456      3460  core-1\n"
		"10.0.0.3  idc     65001  Active                -         0          0           0"
		"        0         0  Connection refused\n"
		"10.0.0.4  backup  65002  Idle                  -         0          0           0"
		"       12        12  disabled\n");
	ck_assert_int_eq(last_op, API_SHOW_PEERS);
}
END_TEST

START_TEST(show_groups)
{
	show_is("groups", NULL,
		"Name    ASN    Key  Max-prefixes  Action    Hold-time  Peers              "
		"Description\n"
		"idc     65001  set           100  drop             90  10.0.0.2,10.0.0.3  "
		"IDC routers\n"
		"backup  65002  set          1000  teardown         30  10.0.0.4           -\n");
	ck_assert_ptr_null(strstr(out, "S3CRET"));
}
END_TEST

START_TEST(show_networks)
{
	show_is("networks", NULL, "CIDR\n203.0.113.0/24\n198.51.100.0/24\n");
}
END_TEST

START_TEST(show_routes)
{
	show_is("routes", NULL,
		"Prefix                 Source     Next-hop         Peer             AS-path\n"
		"0.0.0.0/0           *  bgp        10.0.0.2         10.0.0.2         65001 65010\n"
		"                       static     10.0.0.9         -                -\n"
		"10.0.0.0/24         *  connected  0.0.0.0          -                -\n"
		"198.51.100.0/24     *  bgp        10.0.0.2         10.0.0.2         65001 {64512 "
		"64513}\n");
	ck_assert_uint_eq(json_object_size(last_args), 0);
	ck_assert_int_eq(run("-s", rw_path, "show", "routes", "10.0.0.0/24", NULL), 0);
	ck_assert_str_eq(json_string_value(json_object_get(last_args, "prefix")), "10.0.0.0/24");
}
END_TEST

START_TEST(show_fib)
{
	show_is("fib", NULL,
		"Prefix              Next-hop         Port    Type\n"
		"0.0.0.0/0           10.0.0.2         idc     gateway\n"
		"10.0.0.0/24         0.0.0.0          idc     connected\n"
		"172.16.0.0/16       172.16.0.1       vpc     gateway\n");
	show_is("fib", "198.51.100.7",
		"Address       Prefix           Next-hop  Port  Type\n"
		"198.51.100.7  198.51.100.0/24  10.0.0.2  idc   forward\n");
	ck_assert_str_eq(json_string_value(json_object_get(last_args, "address")), "198.51.100.7");
}
END_TEST

START_TEST(show_neighbors)
{
	show_is("neighbors", NULL,
		"Address     MAC                Port  Static\n"
		"10.0.0.2    02:00:00:00:00:02  idc   no\n"
		"172.16.0.1  02:00:00:00:01:01  vpc   yes\n");
}
END_TEST

START_TEST(show_stats)
{
	show_is("stats", NULL,
		"idc  rx_packets       123456\n"
		"idc  rx_bytes       98765432\n"
		"idc  tx_packets       120000\n"
		"idc  tx_bytes        9000000\n"
		"idc  drop_no_route         3\n"
		"vpc  rx_packets            5\n"
		"vpc  rx_bytes            500\n"
		"vpc  tx_packets            7\n"
		"vpc  tx_bytes            700\n"
		"vpc  drop_no_route         0\n"
		"fib  ops                4567\n"
		"fib  ring_used             0\n");
}
END_TEST

START_TEST(show_config)
{
	show_is("config", NULL,
		"vbr:\n"
		"  local_asn: 45104\n"
		"  max_peers: 8\n"
		"ports:\n"
		"  idc:\n"
		"    device: net_tap0\n"
		"    address: 10.0.0.1/24\n"
		"bgp:\n"
		"  groups:\n"
		"    - name: idc\n"
		"      peer_asn: 65001\n"
		"      key_set: true\n"
		"      description: \"IDC routers: core\"\n"
		"      passive: false\n"
		"  peers:\n"
		"    - group: idc\n"
		"      address: 10.0.0.2\n"
		"  networks:\n"
		"    - 203.0.113.0/24\n"
		"routes: []\n"
		"neighbors:\n"
		"  - address: 172.16.0.1\n"
		"    mac: \"02:00:00:00:01:01\"\n");
}
END_TEST

/* --- --json --- */

static void
json_is(const char *what, const char *records, bool single)
{
	json_t *want = json_loads(records, 0, NULL), *got;
	json_error_t jerr;

	ck_assert_int_eq(run("-s", rw_path, "--json", "show", what, NULL), 0);
	got = json_loads(out, 0, &jerr);
	ck_assert_msg(got != NULL, "%s: %s", jerr.text, out);
	if (single)
		ck_assert(json_equal(got, json_array_get(want, 0)));
	else
		ck_assert(json_equal(got, want));
	json_decref(want);
	json_decref(got);
}

START_TEST(json_output)
{
	json_t *got;

	json_is("peers", peers_json, false);
	json_is("networks", networks_json, false);
	json_is("routes", routes_json, false);
	json_is("fib", fib_json, false);
	json_is("neighbors", neighbors_json, false);
	json_is("stats", stats_json, true);
	/* The key is dropped, not printed. */
	ck_assert_int_eq(run("-s", rw_path, "--json", "show", "groups", NULL), 0);
	ck_assert_ptr_null(strstr(out, "S3CRET"));
	got = json_loads(out, 0, NULL);
	ck_assert_uint_eq(json_array_size(got), 2);
	ck_assert(json_is_true(json_object_get(json_array_get(got, 1), "key_set")));
	json_decref(got);
	ck_assert_int_eq(run("-s", rw_path, "show", "config", "--json", NULL), 0);
	ck_assert_ptr_null(strstr(out, "S3CRET"));
	ck_assert_ptr_nonnull(strstr(out, "\"key_set\": true"));
	/* A mutation. */
	ck_assert_int_eq(run("-s", rw_path, "--json", "reload", NULL), 0);
	ck_assert_str_eq(out, "{\"ok\": true}\n");
	ck_assert_int_eq(last_op, API_RELOAD);
}
END_TEST

/* --- the requests made --- */

static void
args_are(const char *want_json)
{
	json_t *want = json_loads(want_json, 0, NULL);
	char *got = json_dumps(last_args, JSON_COMPACT);

	ck_assert_ptr_nonnull(want);
	ck_assert_msg(json_equal(last_args, want), "got %s", got);
	free(got);
	json_decref(want);
}

START_TEST(mutations)
{
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", "create", "--name", "g1", "--peer-asn",
				 "65001", "--key", "k\"ey", "--description=two words", "--passive",
				 "--no-gtsm", "--hold-time", "abc", "--max-prefixes", "-5",
				 "--max-prefixes-action", "teardown", "--multihop=2", NULL),
		0);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(errout, "");
	ck_assert_int_eq(last_op, API_BGP_GROUP_CREATE);
	/* Numbers as integers when they read as one; vbrd judges the rest. */
	args_are("{\"name\":\"g1\",\"peer_asn\":65001,\"key\":\"k\\\"ey\",\"description\":"
		 "\"two words\",\"passive\":true,\"gtsm\":false,\"hold_time\":\"abc\","
		 "\"max_prefixes\":-5,\"max_prefixes_action\":\"teardown\",\"multihop\":2}");
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", "modify", "--name", "g1", "--min-hold-time",
				 "0", "--accept-default", "--error-wait-min", "1",
				 "--error-wait-max", "60", "--send-hold-time", "300",
				 "--connect-retry", "5", "--max-prefixes-restart", "30",
				 "--max-prefix-len", "24", "--max-as-path-len", "64", NULL),
		0);
	ck_assert_int_eq(last_op, API_BGP_GROUP_MODIFY);
	args_are("{\"name\":\"g1\",\"min_hold_time\":0,\"accept_default\":true,"
		 "\"error_wait_min\":1,\"error_wait_max\":60,\"send_hold_time\":300,"
		 "\"connect_retry\":5,\"max_prefixes_restart\":30,\"max_prefix_len\":24,"
		 "\"max_as_path_len\":64}");
	ck_assert_int_eq(run("-s", rw_path, "bgp-peer", "create", "--group", "g1", "--address",
				 "10.0.0.2", "--description", "core-1", NULL),
		0);
	args_are("{\"group\":\"g1\",\"address\":\"10.0.0.2\",\"description\":\"core-1\"}");
	ck_assert_int_eq(run("-s", rw_path, "bgp-peer", "reset", "--address", "10.0.0.2",
				 "--message", "maintenance", NULL),
		0);
	ck_assert_int_eq(last_op, API_BGP_PEER_RESET);
	args_are("{\"address\":\"10.0.0.2\",\"message\":\"maintenance\"}");
	ck_assert_int_eq(run("-s", rw_path, "bgp-peer", "disable", "--address", "10.0.0.2", NULL), 0);
	ck_assert_int_eq(last_op, API_BGP_PEER_DISABLE);
	ck_assert_int_eq(run("-s", rw_path, "bgp-peer", "enable", "--address", "10.0.0.2", NULL), 0);
	ck_assert_int_eq(last_op, API_BGP_PEER_ENABLE);
	ck_assert_int_eq(run("-s", rw_path, "bgp-peer", "delete", "--address", "10.0.0.2", NULL), 0);
	ck_assert_int_eq(last_op, API_BGP_PEER_DELETE);
	ck_assert_int_eq(run("bgp-network", "add", "--cidr", "203.0.113.0/24", "-s", rw_path, NULL),
		0);
	ck_assert_int_eq(last_op, API_BGP_NETWORK_ADD);
	args_are("{\"cidr\":\"203.0.113.0/24\"}");
	ck_assert_int_eq(run("-s", rw_path, "bgp-network", "delete", "--cidr", "x", NULL), 0);
	ck_assert_int_eq(last_op, API_BGP_NETWORK_DELETE);
	ck_assert_int_eq(run("-s", rw_path, "route", "add", "--prefix", "172.17.0.0/16",
				 "--next-hop", "172.16.0.1", NULL),
		0);
	ck_assert_int_eq(last_op, API_ROUTE_ADD);
	args_are("{\"prefix\":\"172.17.0.0/16\",\"next_hop\":\"172.16.0.1\"}");
	ck_assert_int_eq(run("-s", rw_path, "route", "delete", "--prefix", "172.17.0.0/16", NULL), 0);
	ck_assert_int_eq(last_op, API_ROUTE_DELETE);
	ck_assert_int_eq(run("-s", rw_path, "neighbor", "add", "--address", "172.16.0.1", "--mac",
				 "02:00:00:00:01:01", NULL),
		0);
	ck_assert_int_eq(last_op, API_NEIGHBOR_ADD);
	args_are("{\"address\":\"172.16.0.1\",\"mac\":\"02:00:00:00:01:01\"}");
	ck_assert_int_eq(run("-s", rw_path, "neighbor", "delete", "--address", "172.16.0.1", NULL),
		0);
	ck_assert_int_eq(last_op, API_NEIGHBOR_DELETE);
	ck_assert_int_eq(run("-s", rw_path, "reload", NULL), 0);
	ck_assert_int_eq(last_op, API_RELOAD);
	ck_assert_str_eq(out, "");
}
END_TEST

/* --- failures --- */

START_TEST(failures)
{
	char want[256];

	/* vbrd's refusal */
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", "delete", "--name", "g9", NULL), 1);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(errout, "vbrctl: bgp group \"g9\" does not exist\n");
	/* the read-only socket */
	ck_assert_int_eq(run("-s", ro_path, "reload", NULL), 1);
	snprintf(want, sizeof(want), "vbrctl: this socket is read-only: reload needs %s\n", rw_path);
	ck_assert_str_eq(errout, want);
	ck_assert_int_eq(run("-s", ro_path, "show", "networks", NULL), 0);
	/* no vbrd */
	snprintf(want, sizeof(want), "%s/none.sock", dir);
	ck_assert_int_eq(run("-s", want, "show", "peers", NULL), 1);
	ck_assert_str_eq(out, "");
	snprintf(want, sizeof(want),
		"vbrctl: cannot connect to %s/none.sock: No such file or directory (is vbrd "
		"running?)\n",
		dir);
	ck_assert_str_eq(errout, want);
}
END_TEST

static void
usage_error(const char *msg)
{
	ck_assert_msg(strncmp(errout, msg, strlen(msg)) == 0, "%s", errout);
	ck_assert_msg(strstr(errout, "\nusage: vbrctl ") != NULL, "%s", errout);
	ck_assert_str_eq(out, "");
}

START_TEST(usage_errors)
{
	ck_assert_int_eq(run("-s", rw_path, "frob", NULL), 2);
	usage_error("vbrctl: unknown command \"frob\"\n");
	ck_assert_int_eq(run("-s", rw_path, "show", "everything", NULL), 2);
	usage_error("vbrctl: unknown command \"show everything\"\n");
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", NULL), 2);
	usage_error("vbrctl: bgp-group needs a subcommand\n");
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", "create", "--name", "g1", NULL), 2);
	usage_error("vbrctl: bgp-group create needs --peer-asn\n");
	ck_assert_int_eq(run("-s", rw_path, "route", "delete", "--prefix", "p", "--mac", "m", NULL), 2);
	usage_error("vbrctl: route delete takes no option --mac\n");
	ck_assert_int_eq(run("-s", rw_path, "show", "peers", "10.0.0.2", NULL), 2);
	usage_error("vbrctl: unexpected argument \"10.0.0.2\"\n");
	ck_assert_int_eq(run("-s", rw_path, "--frob", "show", "peers", NULL), 2);
	usage_error("vbrctl: unknown option --frob\n");
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", "delete", "--name", NULL), 2);
	usage_error("vbrctl: option --name needs a value\n");
	ck_assert_int_eq(run("-s", rw_path, "bgp-group", "modify", "--name", "a", "--passive=no",
				 NULL),
		2);
	usage_error("vbrctl: option --passive takes no value (--passive or --no-passive)\n");
	ck_assert_int_eq(run(NULL), 2);
	usage_error("vbrctl: no command\n");
	/* Nothing reached vbrd. */
	ck_assert_int_eq(last_op, API_OP_COUNT);
	ck_assert_int_eq(run("--help", NULL), 0);
	ck_assert_msg(strncmp(out, "Usage: vbrctl ", 14) == 0, "%s", out);
}
END_TEST

/* A vbrd that takes the connection and never answers. */
START_TEST(timeout)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[96], want[256];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(path, sizeof(path), "%s/mute.sock", dir);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(run("-s", path, "--timeout", "1", "show", "peers", NULL), 1);
	snprintf(want, sizeof(want), "vbrctl: no reply from %s within 1 s\n", path);
	ck_assert_str_eq(errout, want);
	close(fd);
}
END_TEST

static Suite *
vbrctl_suite(void)
{
	Suite *s = suite_create("vbrctl");
	TCase *tc = tcase_create("vbrctl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, show_peers);
	tcase_add_test(tc, show_groups);
	tcase_add_test(tc, show_networks);
	tcase_add_test(tc, show_routes);
	tcase_add_test(tc, show_fib);
	tcase_add_test(tc, show_neighbors);
	tcase_add_test(tc, show_stats);
	tcase_add_test(tc, show_config);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, mutations);
	tcase_add_test(tc, failures);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, timeout);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s VBRCTL\n", argv[0]);
		return EXIT_FAILURE;
	}
	vbrctl = argv[1];
	sr = srunner_create(vbrctl_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
