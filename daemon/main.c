/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbrd: the Virtual Border Router daemon.
 *
 *   vbrd [EAL options] -- -c FILE [--socket PATH] [--ro-socket PATH]
 *                          [--idle-sleep US] [--netns NAME] [--check]
 *   vbrd --help | --version
 *
 * The composition root: the config is loaded before EAL starts, so a bad
 * file is refused at once with file:line:column. Worker lcores forward; the
 * main lcore is the FIB writer and runs the exception path; the control
 * thread owns the runtime objects (from a copy of the config, which it
 * writes back on every change) and serves the management sockets. SIGHUP
 * re-reads the file.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pdump.h>

#include "daemon.h"
#include "netlink.h"

#define ROUTE_RING_SIZE 65536
#define HOUSEKEEPING_MS 1000
/* After the control thread said goodbye to the BGP peers, the dataplane
 * keeps running this long so that the NOTIFICATIONs and FINs leave. */
#define GOODBYE_MS 300
/* How long the configured routes may take to reach the FIB before vbrd
 * gives up starting: a config's worth of static routes takes milliseconds. */
#define CONFIG_ROUTES_MS 30000

static struct dataplane dp;
static volatile bool quit;
static struct control *volatile running_ctl;

/* Why a secondary process (dpdk-dumpcap) could not attach: an EAL option
 * that leaves no shared runtime dir, or hugepage files it cannot map; NULL
 * if none was given. Read before rte_eal_init, which may reorder argv. */
static const char *
capture_blocker(int eal_argc, char **argv)
{
	for (int i = 1; i < eal_argc; i++) {
		if (strcmp(argv[i], "--in-memory") == 0 || strcmp(argv[i], "--no-shconf") == 0 ||
				strcmp(argv[i], "--huge-unlink") == 0 ||
				strcmp(argv[i], "--huge-unlink=always") == 0 ||
				strcmp(argv[i], "--huge-unlink=existing") == 0 ||
				strcmp(argv[i], "--no-huge") == 0)
			return argv[i];
	}
	return NULL;
}

/* Tells how to capture vbrd's ports with dpdk-dumpcap: the file prefix it
 * must share with us and the DPDK names of the ports (data ports first,
 * then the exception taps, which carry what is punted to the kernel). -p:
 * dumpcap would otherwise put the port in promiscuous mode, and vbrd would
 * receive (and drop) frames for other hosts while it captures. One port a
 * dumpcap: DPDK 22.11's takes only the last -i. */
static void
capture_log(const char *blocker)
{
	char names[VBR_NB_PORTS * 2][RTE_ETH_NAME_MAX_LEN] = { { 0 } };
	const char *prefix = strrchr(rte_eal_get_runtime_dir(), '/');

	if (blocker != NULL) {
		DP_LOG(NOTICE, "packet capture: dpdk-dumpcap cannot attach (%s)", blocker);
		return;
	}
	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		rte_eth_dev_get_name_by_port(dp.port[i].port_id, names[i]);
		rte_eth_dev_get_name_by_port(dp.port[i].tap_port_id, names[VBR_NB_PORTS + i]);
	}
	DP_LOG(INFO, "packet capture: dpdk-dumpcap --file-prefix %s -p -i %s (idc) | -i %s (vpc) "
			"-w FILE.pcapng; exception taps: %s, %s", prefix ? prefix + 1 : "rte",
			names[VBR_PORT_IDC], names[VBR_PORT_VPC], names[VBR_NB_PORTS + VBR_PORT_IDC],
			names[VBR_NB_PORTS + VBR_PORT_VPC]);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = true;
}

static void
on_hup(int sig)
{
	(void)sig;
	control_reload(running_ctl);
}

/* Every log line starts with its UTC time to the millisecond, so that what
 * happened when can be read from the log alone (and tests measure timers
 * from it). DPDK writes a message with one vfprintf and then flushes, so the
 * stream's buffer hands over whole messages; bol remembers a line cut by the
 * buffer's end. */
static bool log_bol = true;

static ssize_t
log_stamp_write(void *cookie, const char *buf, size_t n)
{
	size_t done = 0;

	(void)cookie;
	while (done < n) {
		const char *nl = memchr(buf + done, '\n', n - done);
		size_t len = nl ? (size_t)(nl - (buf + done)) + 1 : n - done;

		if (log_bol) {
			struct timeval tv;
			struct tm tm;
			char ts[40];

			gettimeofday(&tv, NULL);
			gmtime_r(&tv.tv_sec, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
			fprintf(stderr, "%s.%03ldZ ", ts, (long)tv.tv_usec / 1000);
		}
		fwrite(buf + done, 1, len, stderr);
		log_bol = nl != NULL;
		done += len;
	}
	fflush(stderr);
	return (ssize_t)n;
}

static void
log_stamp_open(void)
{
	static const cookie_io_functions_t fns = { .write = log_stamp_write };
	FILE *f = fopencookie(NULL, "w", fns);

	/* Without it, DPDK's default stream: lines without times. */
	if (f != NULL && setvbuf(f, NULL, _IOFBF, 4096) == 0)
		rte_openlog_stream(f);
}

/* The text help2man makes vbrd(8) of (docs/man/meson.build): "Usage:",
 * "Options:" and two-space-separated option columns are what it reads. */
static void
usage(FILE *f)
{
	fputs("Usage: vbrd [EAL-OPTIONS] -- -c FILE [OPTIONS]\n"
	      "  or:  vbrd --help | --version\n"
	      "The Virtual Border Router daemon: forwards IPv4 between an IDC port and a\n"
	      "VPC port with DPDK, speaks BGP and BFD with the IDC routers, and serves\n"
	      "vbrctl on its management sockets.\n"
	      "\n"
	      "EAL options, before \"--\", are DPDK's: -l 0-3 (the first lcore is the main\n"
	      "one, the FIB writer and exception path; every other one forwards), -a PCI\n"
	      "or --vdev net_tap0,iface=NAME for the two ports, --file-prefix PREFIX.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE   the VBR's YAML config (vbr.yaml(5)); vbrd writes it\n"
	      "                      back, atomically, on every change made with vbrctl\n"
	      "  --socket PATH       the management socket, mode 0600 (default\n"
	      "                      " VBR_SOCKET_DEFAULT ")\n"
	      "  --ro-socket PATH    the read-only one, for show only, mode 0666 (default\n"
	      "                      " VBR_RO_SOCKET_DEFAULT ")\n"
	      "  --idle-sleep US     forwarding lcores sleep US microseconds when a poll\n"
	      "                      finds nothing (0..1000000, default 0: pure polling)\n"
	      "  --netns NAME        run in network namespace NAME (made if missing, as\n"
	      "                      ip netns add does): the exception taps, BGP and the\n"
	      "                      default route through the dataplane live there.\n"
	      "                      Without it, in the host's namespace, vbrd leaves the\n"
	      "                      host's default route alone\n"
	      "  --check             validate the config and exit\n"
	      "  -h, --help          print this text and exit\n"
	      "  --version           print the version and exit\n",
		f);
}

/* A command line vbrd does not understand: why, on stderr. */
static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fputs("vbrd: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	/* The synopsis and where the rest is, not the whole help. */
	fputs("usage: vbrd [EAL-OPTIONS] -- -c FILE [OPTIONS]\n"
	      "Try 'vbrd --help' for the options.\n",
		stderr);
	return -EINVAL;
}

struct app_args {
	const char *config;
	const char *socket;
	const char *ro_socket;
	unsigned idle_sleep_us;
	const char *netns;
	bool check;
	bool help;
	bool version;
};

static int
parse_app_args(int argc, char **argv, struct app_args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "idle-sleep", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'k' },
		{ "netns", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 'S' },
		{ "ro-socket", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'c':
			a->config = optarg;
			break;
		case 's':
			errno = 0;
			a->idle_sleep_us = (unsigned)strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || a->idle_sleep_us > 1000000)
				return usage_error(
					"--idle-sleep needs microseconds (0..1000000), not \"%s\"",
					optarg);
			break;
		case 'k':
			a->check = true;
			break;
		case 'n':
			a->netns = optarg;
			break;
		case 'S':
			a->socket = optarg;
			break;
		case 'R':
			a->ro_socket = optarg;
			break;
		/* As GNU programs do: the first of them wins, whatever follows. */
		case 'h':
			a->help = true;
			return 0;
		case 'V':
			a->version = true;
			return 0;
		default:
			/* getopt said which option, on stderr. */
			return usage_error(NULL);
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (a->config == NULL)
		return usage_error("-c FILE is needed");
	return 0;
}

/* --help and --version before "--" are ours too, not EAL's: "vbrd --help"
 * is what a user types, and help2man runs. */
static void
eal_part_help(int eal_argc, char **argv, struct app_args *a)
{
	for (int i = 1; i < eal_argc && !a->help && !a->version; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			a->help = true;
		else if (strcmp(argv[i], "--version") == 0)
			a->version = true;
	}
}

static int
launch_forwarding(void)
{
	unsigned lcore, q = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct fwd_ctx *ctx = rte_zmalloc_socket("fwd_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE,
				(int)rte_lcore_to_socket_id(lcore));

		if (ctx == NULL)
			return -ENOMEM;
		dp.fwd[q] = ctx;
		fwd_ctx_init(ctx, &dp, lcore, (uint16_t)q);
		if (fib_reader_register(dp.fib, lcore) != 0)
			return -EINVAL;
		q++;
	}
	for (q = 0; q < dp.nb_fwd; q++) {
		int rc = rte_eal_remote_launch(fwd_lcore_main, dp.fwd[q], dp.fwd[q]->lcore_id);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The FIB writer applies what is on the route ring (the ring empty and the
 * last batch visible). 0, or -ETIMEDOUT at end_ms. */
static int
fib_drain_until(uint64_t end_ms)
{
	uint64_t now = rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
	int rc;

	pthread_mutex_lock(&dp.fib_lock);
	rc = fib_writer_drain(dp.fib, now < end_ms ? (unsigned)RTE_MIN(end_ms - now, 100u) : 0);
	pthread_mutex_unlock(&dp.fib_lock);
	return rc;
}

/* Before the ports are polled, the configured static routes and neighbours
 * must be in the FIB, as a router installs its configuration before it
 * enables its interfaces: otherwise the first frames find no route and their
 * senders hear Net Unreachable for destinations the config routes. The
 * control thread queued them at start; what the ring could not take waits in
 * its backlog. 0, or negative errno (logged). */
static int
wait_config_routes(struct control *ctl)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t start_ms = start * 1000 / hz, end_ms = start_ms + CONFIG_ROUTES_MS;

	while (!quit) {
		int rc = fib_drain_until(end_ms);

		/* The backlog empty after a drain: whatever it had is now on
		 * the ring, so one more drain applies the last of it. */
		if (rc == 0 && control_backlog(ctl) == 0 && fib_drain_until(end_ms) == 0) {
			DP_LOG(INFO, "configured routes and neighbours in the FIB after %" PRIu64 " ms",
					(rte_get_timer_cycles() - start) * 1000 / hz);
			return 0;
		}
		if (rte_get_timer_cycles() * 1000 / hz >= end_ms) {
			DP_LOG(ERR, "the configured routes did not reach the FIB within %u s "
					"(%zu route op(s) still wait for the route ring): not forwarding",
					CONFIG_ROUTES_MS / 1000, control_backlog(ctl));
			return -ETIMEDOUT;
		}
	}
	return -EINTR;
}

/* The main lcore: FIB writer, exception path, ARP housekeeping. It naps
 * when there is nothing to do: it is not the fast path. */
static void
main_loop(uint64_t until_tsc)
{
	uint64_t hk_gap = rte_get_tsc_hz() / 1000 * HOUSEKEEPING_MS, next_hk = 0;

	while (until_tsc ? rte_rdtsc() < until_tsc : !quit) {
		uint64_t now = rte_rdtsc();
		unsigned done;

		pthread_mutex_lock(&dp.fib_lock);
		done = fib_writer_poll(dp.fib);
		pthread_mutex_unlock(&dp.fib_lock);
		done += exc_poll(&dp);
		dp_peers_reclaim(&dp);
		if (now >= next_hk) {
			exc_arp_housekeeping(&dp);
			punt_housekeeping(&dp);
			next_hk = now + hk_gap;
		}
		if (done == 0)
			rte_delay_us_sleep(100);
	}
}

int
main(int argc, char **argv)
{
	struct app_args args = { 0 };
	struct fib_params fp = { 0 };
	struct control *ctl = NULL;
	struct vbr_config *cfg;
	char err[1024];
	int app_argc = 1, eal_argc = argc, rc = EXIT_FAILURE, ret;
	char **app_argv;
	const char *no_capture;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			app_argc = argc - i;
			break;
		}
	}
	app_argv = &argv[eal_argc];
	if (app_argc > 1)
		app_argv[0] = argv[0];
	eal_part_help(eal_argc, argv, &args);
	if (!args.help && !args.version) {
		if (eal_argc == argc) {
			usage_error("no \"--\": vbrd's options come after it, EAL's before");
			return EXIT_FAILURE;
		}
		if (parse_app_args(app_argc, app_argv, &args) != 0)
			return EXIT_FAILURE;
	}
	/* Before anything else: no config, EAL, hugepages or root needed. */
	if (args.help) {
		usage(stdout);
		return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (args.version) {
		puts("vbrd " VBR_VERSION);
		return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}

	/* A SIGHUP while vbrd starts would otherwise end it: there is no
	 * config to re-read yet. on_hup takes over once the control thread runs. */
	signal(SIGHUP, SIG_IGN);
	cfg = config_alloc();
	if (cfg == NULL) {
		fprintf(stderr, "vbrd: out of memory\n");
		return EXIT_FAILURE;
	}
	if (config_load(args.config, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "vbrd: %s\n", err);
		config_free(cfg);
		return EXIT_FAILURE;
	}
	if (args.check) {
		printf("%s: OK\n", args.config);
		config_free(cfg);
		return EXIT_SUCCESS;
	}

	log_stamp_open();
	/* Before EAL: its threads, the control thread and the taps all
	 * inherit the namespace. */
	if (args.netns != NULL) {
		bool created;

		ret = nl_netns_enter(args.netns, &created);
		if (ret != 0) {
			fprintf(stderr, "vbrd: cannot enter network namespace %s: %s\n", args.netns,
					strerror(-ret));
			config_free(cfg);
			return EXIT_FAILURE;
		}
		fprintf(stderr, "vbrd: in network namespace %s%s\n", args.netns,
				created ? " (created)" : "");
	} else {
		dp.host_netns = nl_netns_is_host() == 1;
	}

	no_capture = capture_blocker(eal_argc, argv);
	ret = rte_eal_init(eal_argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vbrd: cannot initialise DPDK's EAL: %s\n", rte_strerror(rte_errno));
		config_free(cfg);
		return EXIT_FAILURE;
	}
	/* dpdk-dumpcap, a secondary process, asks over EAL's multi-process
	 * channel for a port's packets: pdump installs its rx/tx callbacks
	 * only then and removes them when it stops, so forwarding pays
	 * nothing while nobody captures. Without it vbrd still forwards. */
	if (no_capture == NULL && rte_pdump_init() != 0)
		no_capture = "rte_pdump_init failed";
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, SIG_IGN); /* until the control thread can reload */

	dp.cfg = cfg;
	dp.idle_sleep_us = args.idle_sleep_us;
	dp.nb_fwd = rte_lcore_count() - 1;
	pthread_mutex_init(&dp.fib_lock, NULL);
	pthread_mutex_init(&dp.peers_lock, NULL);
	for (unsigned i = 0; i < VBR_NB_PORTS; i++)
		dp.port[i].port_id = dp.port[i].tap_port_id = RTE_MAX_ETHPORTS;
	if (dp.nb_fwd == 0 || dp.nb_fwd > VBR_MAX_FWD_LCORES) {
		DP_LOG(ERR, "need 1 to %u worker lcores to forward (EAL -l): have %u",
				VBR_MAX_FWD_LCORES, dp.nb_fwd);
		goto out;
	}

	fp.name = "vbr";
	fp.socket_id = (int)rte_socket_id();
	fp.max_routes = cfg->fib.max_routes;
	fp.max_tbl8 = cfg->fib.max_tbl8;
	fp.max_nexthops = cfg->fib.max_nexthops;
	fp.ring_size = ROUTE_RING_SIZE;
	dp.fib = fib_create(&fp);
	if (dp.fib == NULL)
		goto out;
	if (dp_ports_init(&dp) != 0 || dp_telemetry_init(&dp) != 0)
		goto out;
	{
		/* The control thread owns its copy; the dataplane keeps this
		 * one for the ports, which change only with a restart. */
		struct control_params cp = { .socket_path = args.socket,
			.ro_socket_path = args.ro_socket, .hooks = daemon_hooks(&dp) };
		struct vbr_config *mine = config_clone(cfg);

		if (mine == NULL)
			goto out;
		ctl = control_start(mine, &cp, dp.fib, &dp.fib_lock);
	}
	if (ctl == NULL)
		goto out;
	running_ctl = ctl;
	signal(SIGHUP, on_hup);
	if (wait_config_routes(ctl) != 0)
		goto out;
	if (launch_forwarding() != 0) {
		DP_LOG(ERR, "cannot start the forwarding lcores");
		__atomic_store_n(&dp.stop, true, __ATOMIC_RELAXED);
		goto out;
	}
	pthread_mutex_lock(&dp.fib_lock);
	dp.tel_ready = true;
	pthread_mutex_unlock(&dp.fib_lock);
	capture_log(no_capture);
	DP_LOG(INFO, "%s: forwarding on %u lcore(s), local AS %u", cfg->name, dp.nb_fwd,
			cfg->local_asn);
	main_loop(0);
	DP_LOG(INFO, "stopping");
	/* BGP first, while packets still flow: peers hear Cease and withdraw
	 * our routes now rather than at their hold timer's end. */
	signal(SIGHUP, SIG_IGN);
	running_ctl = NULL;
	control_stop(ctl);
	ctl = NULL;
	main_loop(rte_rdtsc() + rte_get_tsc_hz() / 1000 * GOODBYE_MS);
	rc = EXIT_SUCCESS;
out:
	__atomic_store_n(&dp.stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	signal(SIGHUP, SIG_IGN);
	running_ctl = NULL;
	control_stop(ctl);
	pthread_mutex_lock(&dp.fib_lock);
	dp.tel_ready = false; /* telemetry may still run: it sees nothing now */
	pthread_mutex_unlock(&dp.fib_lock);
	if (dp.nb_fwd > 0 && dp.fwd[dp.nb_fwd - 1] != NULL)
		dp_counters_log(&dp);
	/* No dumpcap may enable a capture on a port being stopped. */
	if (no_capture == NULL)
		rte_pdump_uninit();
	dp_ports_stop(&dp);
	for (unsigned q = 0; q < dp.nb_fwd; q++) {
		if (dp.fwd[q] == NULL)
			continue;
		if (dp.fib)
			fib_reader_unregister(dp.fib, dp.fwd[q]->lcore_id);
		rte_free(dp.fwd[q]);
	}
	dp_peers_free(&dp);
	if (dp.fib)
		fib_destroy(dp.fib);
	rte_mempool_free(dp.pool);
	rte_ring_free(dp.punt_ring);
	for (unsigned i = 0; i < VBR_NB_PORTS; i++)
		rte_ring_free(dp.port[i].kern_ring);
	rte_ring_free(dp.arp_ring);
	rte_ring_free(dp.icmp_ring);
	rte_eal_cleanup();
	config_free(cfg);
	return rc;
}
