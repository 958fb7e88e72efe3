/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbrctl: the console of a running vbrd. Reads the command line against two
 * tables (the options, and the commands with the options each takes),
 * makes the request, and prints the reply (show.c). Values are sent as
 * given: vbrd checks them, with the same messages as its YAML loader.
 *
 * Exit status: 0 on success, 1 when vbrd refused or could not be reached
 * (the message on stderr), 2 for a command line vbrctl does not understand.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vbrctl.h"

#define EXIT_USAGE 2

enum opt_type {
	OPT_STRING,
	OPT_NUMBER, /* a JSON integer when it reads as one, else the string */
	OPT_FLAG,   /* --x: true, --no-x: false */
};

struct opt {
	const char *name; /* on the command line, without "--" */
	const char *key;  /* in the request's args: the YAML key */
	enum opt_type type;
};

/* Every option a command may take. The BGP group's are the keys of the
 * YAML schema's bgp.groups (config/schema.c), in kebab-case. */
static const struct opt opts[] = {
	{"name", "name", OPT_STRING},
	{"peer-asn", "peer_asn", OPT_NUMBER},
	{"key", "key", OPT_STRING},
	{"description", "description", OPT_STRING},
	{"max-prefixes", "max_prefixes", OPT_NUMBER},
	{"max-prefixes-action", "max_prefixes_action", OPT_STRING},
	{"max-prefixes-restart", "max_prefixes_restart", OPT_NUMBER},
	{"hold-time", "hold_time", OPT_NUMBER},
	{"min-hold-time", "min_hold_time", OPT_NUMBER},
	{"send-hold-time", "send_hold_time", OPT_NUMBER},
	{"connect-retry", "connect_retry", OPT_NUMBER},
	{"error-wait-min", "error_wait_min", OPT_NUMBER},
	{"error-wait-max", "error_wait_max", OPT_NUMBER},
	{"multihop", "multihop", OPT_NUMBER},
	{"passive", "passive", OPT_FLAG},
	{"gtsm", "gtsm", OPT_FLAG},
	{"accept-default", "accept_default", OPT_FLAG},
	{"max-prefix-len", "max_prefix_len", OPT_NUMBER},
	{"max-as-path-len", "max_as_path_len", OPT_NUMBER},
	/* The group's bfd map: its keys are "bfd.KEY" in the request. */
	{"bfd", "bfd", OPT_FLAG},
	{"bfd-min-rx", "bfd.min_rx", OPT_NUMBER},
	{"bfd-min-tx", "bfd.min_tx", OPT_NUMBER},
	{"bfd-multiplier", "bfd.multiplier", OPT_NUMBER},
	{"bfd-auth", "bfd.auth", OPT_FLAG},
	{"bfd-auth-type", "bfd.auth.type", OPT_STRING},
	{"bfd-auth-key-id", "bfd.auth.key_id", OPT_NUMBER},
	{"bfd-auth-key", "bfd.auth.key", OPT_STRING},
	{"group", "group", OPT_STRING},
	{"address", "address", OPT_STRING},
	{"message", "message", OPT_STRING},
	{"cidr", "cidr", OPT_STRING},
	{"prefix", "prefix", OPT_STRING},
	{"next-hop", "next_hop", OPT_STRING},
	{"mac", "mac", OPT_STRING},
	{"track-interval", "track_interval", OPT_NUMBER},
	{"track-misses", "track_misses", OPT_NUMBER},
	{"track-rise", "track_rise", OPT_NUMBER},
};

#define NB_OPTS (sizeof(opts) / sizeof(opts[0]))

/* A group's settings, for create and modify. */
#define GROUP_SETTINGS                                                                             \
	"key", "description", "max-prefixes", "max-prefixes-action", "max-prefixes-restart",      \
		"hold-time", "min-hold-time", "send-hold-time", "connect-retry", "error-wait-min", \
		"error-wait-max", "multihop", "passive", "gtsm", "accept-default",                \
		"max-prefix-len", "max-as-path-len", BFD_SETTINGS

/* BFD for the group's peers (RFC 5880/5881). */
#define BFD_SETTINGS                                                                               \
	"bfd", "bfd-min-rx", "bfd-min-tx", "bfd-multiplier", "bfd-auth", "bfd-auth-type",         \
		"bfd-auth-key-id", "bfd-auth-key"

struct command {
	const char *object;
	const char *verb;
	enum api_op op;
	const char *const *required;
	const char *const *optional;
	const char *positional; /* an optional operand: its args key */
};

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

#define CMD(o, v, op_, req, opt, ...)                                                              \
	{.object = o, .verb = v, .op = op_, .required = req, .optional = opt, __VA_ARGS__}

static const struct command commands[] = {
	CMD("bgp-group", "create", API_BGP_GROUP_CREATE, LIST("name", "peer-asn"),
		LIST(GROUP_SETTINGS)),
	CMD("bgp-group", "modify", API_BGP_GROUP_MODIFY, LIST("name"),
		LIST("peer-asn", GROUP_SETTINGS)),
	CMD("bgp-group", "delete", API_BGP_GROUP_DELETE, LIST("name"), NONE),
	CMD("bgp-peer", "create", API_BGP_PEER_CREATE, LIST("group", "address"),
		LIST("description")),
	CMD("bgp-peer", "delete", API_BGP_PEER_DELETE, LIST("address"), NONE),
	CMD("bgp-peer", "reset", API_BGP_PEER_RESET, LIST("address"), LIST("message")),
	CMD("bgp-peer", "disable", API_BGP_PEER_DISABLE, LIST("address"), LIST("message")),
	CMD("bgp-peer", "enable", API_BGP_PEER_ENABLE, LIST("address"), NONE),
	CMD("bgp-network", "add", API_BGP_NETWORK_ADD, LIST("cidr"), NONE),
	CMD("bgp-network", "delete", API_BGP_NETWORK_DELETE, LIST("cidr"), NONE),
	CMD("route", "add", API_ROUTE_ADD, LIST("prefix", "next-hop"),
		LIST("track-interval", "track-misses", "track-rise")),
	CMD("route", "delete", API_ROUTE_DELETE, LIST("prefix"), NONE),
	CMD("neighbor", "add", API_NEIGHBOR_ADD, LIST("address", "mac"), NONE),
	CMD("neighbor", "delete", API_NEIGHBOR_DELETE, LIST("address"), NONE),
	CMD("show", "peers", API_SHOW_PEERS, NONE, NONE),
	CMD("show", "groups", API_SHOW_GROUPS, NONE, NONE),
	CMD("show", "networks", API_SHOW_NETWORKS, NONE, NONE),
	CMD("show", "routes", API_SHOW_ROUTES, NONE, NONE, .positional = "prefix"),
	CMD("show", "fib", API_SHOW_FIB, NONE, NONE, .positional = "address"),
	CMD("show", "neighbors", API_SHOW_NEIGHBORS, NONE, NONE),
	CMD("show", "stats", API_SHOW_STATS, NONE, NONE),
	CMD("show", "config", API_SHOW_CONFIG, NONE, NONE),
	CMD("show", "track", API_SHOW_TRACK, NONE, NONE),
	CMD("show", "bfd", API_SHOW_BFD, NONE, NONE),
	CMD("reload", NULL, API_RELOAD, NONE, NONE),
};

#define NB_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The text help2man makes vbrctl(8) of (docs/man/meson.build): "Usage:",
 * "Options:", "Heading:" lines and two-space-separated columns (or a
 * description on the next line, indented 22) are what it reads. */
static void
usage(FILE *f)
{
	fputs("Usage: vbrctl [-s PATH] [--json] [--timeout S] COMMAND [OPTIONS]\n"
	      "  or:  vbrctl --help | --version\n"
	      "The console of a running vbrd. A change is checked whole with the config\n"
	      "file's rules, written to vbrd's config file and applied at once, touching\n"
	      "nothing else; it is acknowledged only once the file says it.\n"
	      "\n"
	      "BGP groups:\n"
	      "  bgp-group create --name N --peer-asn ASN [GROUP-OPTIONS]\n"
	      "                      a group of peers, which inherit all of it\n"
	      "  bgp-group modify --name N [--peer-asn ASN] [GROUP-OPTIONS]\n"
	      "                      a session parameter (ASN, key, hold time, multihop,\n"
	      "                      GTSM) restarts the group's sessions with Cease; the\n"
	      "                      rest applies without a reset\n"
	      "  bgp-group delete --name N\n"
	      "                      a group that has no peers left\n"
	      "\n"
	      "Group options (bgp-group create and modify):\n"
	      "  --key K             TCP-MD5 key (RFC 2385)\n"
	      "  --description D     free text, shown by show groups\n"
	      "  --max-prefixes N    routes accepted per peer\n"
	      "  --max-prefixes-action drop|teardown\n"
	      "                      past the limit: count and log, or Cease the session\n"
	      "  --max-prefixes-restart S\n"
	      "                      seconds a session stays down after a teardown\n"
	      "  --hold-time S       offered hold time (0: none, needs --min-hold-time 0)\n"
	      "  --min-hold-time S   a peer's smaller hold time is refused\n"
	      "  --send-hold-time S  seconds a peer may leave our bytes unread\n"
	      "  --connect-retry S   seconds between our connection attempts\n"
	      "  --error-wait-min S  back-off after a session error, doubling per error\n"
	      "  --error-wait-max S  the back-off's upper bound\n"
	      "  --multihop TTL      TTL of our BGP packets (1: directly connected)\n"
	      "  --[no-]passive      only accept connections, never open one\n"
	      "  --[no-]gtsm         GTSM (RFC 5082): TTL 255 sent, checked on receipt\n"
	      "  --[no-]accept-default\n"
	      "                      take 0.0.0.0/0 from the peers\n"
	      "  --max-prefix-len LEN\n"
	      "                      longer prefixes from the peers are refused\n"
	      "  --max-as-path-len N\n"
	      "                      a longer AS_PATH makes the UPDATE a withdrawal\n"
	      "  --[no-]bfd          BFD (RFC 5880) with each of the group's peers\n"
	      "  --bfd-min-rx MS     BFD receive interval\n"
	      "  --bfd-min-tx MS     BFD transmit interval\n"
	      "  --bfd-multiplier N  BFD detection multiplier\n"
	      "  --bfd-auth-type sha1|meticulous-sha1|md5|meticulous-md5\n"
	      "                      BFD authentication\n"
	      "  --bfd-auth-key-id N, --bfd-auth-key K\n"
	      "                      its key id and key\n"
	      "  --no-bfd-auth       no BFD authentication\n"
	      "\n"
	      "BGP peers:\n"
	      "  bgp-peer create --group N --address IP [--description D]\n"
	      "                      a peer on the IDC port's subnet; starts its session\n"
	      "  bgp-peer delete --address IP\n"
	      "                      Cease / Peer De-configured, and it is gone\n"
	      "  bgp-peer reset --address IP [--message TEXT]\n"
	      "                      Cease / Administrative Reset, with the message\n"
	      "  bgp-peer disable --address IP [--message TEXT]\n"
	      "                      Cease / Administrative Shutdown; Idle until enabled\n"
	      "  bgp-peer enable --address IP\n"
	      "                      the session starts again\n"
	      "\n"
	      "BGP networks (the CIDR blocks vbr announces):\n"
	      "  bgp-network add --cidr CIDR\n"
	      "                      an UPDATE to every Established peer\n"
	      "  bgp-network delete --cidr CIDR\n"
	      "                      a withdrawal\n"
	      "\n"
	      "Static routes and neighbours:\n"
	      "  route add --prefix P --next-hop NH[,NH...] [TRACK-OPTIONS]\n"
	      "                      a static route; 2 to 8 next hops: ECMP\n"
	      "  route delete --prefix P\n"
	      "                      the static route goes\n"
	      "  neighbor add --address IP --mac MAC\n"
	      "                      a static ARP entry\n"
	      "  neighbor delete --address IP\n"
	      "                      the static ARP entry goes\n"
	      "\n"
	      "Track options (route add; with any, each next hop is pinged):\n"
	      "  --track-interval S  seconds between probes\n"
	      "  --track-misses N    unanswered probes in a row that take the route out\n"
	      "  --track-rise N      answered probes in a row that put it back\n"
	      "\n"
	      "Looking:\n"
	      "  show peers          BGP sessions: state, uptime, prefixes, messages\n"
	      "  show groups         BGP groups and their peers\n"
	      "  show networks       the CIDR blocks vbr announces\n"
	      "  show routes [PREFIX]\n"
	      "                      every path of every prefix (or those covering\n"
	      "                      PREFIX): * the best, = in ECMP beside it\n"
	      "  show fib [ADDR]     the FIB's entries, or its answer for ADDR\n"
	      "  show neighbors      next hops and their MACs\n"
	      "  show stats          every counter, per port; the FIB writer's, the RIB's\n"
	      "  show config         the wanted state, as the file says it\n"
	      "  show track          the health-checked next hops of static routes\n"
	      "  show bfd            BFD sessions: state, intervals, diagnostics\n"
	      "  reload              re-read the config file and apply what changed\n"
	      "\n"
	      "Options:\n"
	      "  -s, --socket PATH   vbrd's socket (default " VBRCTL_SOCKET ";\n"
	      "                      show falls back to " VBRCTL_RO_SOCKET ")\n"
	      "  --json              JSON output: an array of records, one object for\n"
	      "                      show stats and show config, {\"ok\": true} for a change\n"
	      "  --timeout S         wait at most S seconds for vbrd (default 30)\n"
	      "  -h, --help          print this text and exit\n"
	      "  --version           print the version and exit\n",
		f);
}

/* Prints "vbrctl: msg" (and the usage for a command line we do not
 * understand) and gives the exit status. */
static int
fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("vbrctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* The synopsis and where the rest is, not the whole help. */
	if (status == EXIT_USAGE)
		fputs("\nusage: vbrctl [-s PATH] [--json] [--timeout S] COMMAND [OPTIONS]\n"
		      "Try 'vbrctl --help' for the commands and their options.\n",
			stderr);
	return status;
}

struct given {
	const struct opt *opt;
	const char *value; /* NULL for a flag */
	bool negated;	   /* --no-x */
};

struct cmdline {
	const char *socket;
	bool json;
	int timeout_s;
	bool help;
	bool version;
	const char *words[4];
	int nb_words;
	struct given given[NB_OPTS];
	int nb_given;
};

static const struct opt *
find_opt(const char *name, bool *negated)
{
	*negated = false;
	for (size_t i = 0; i < NB_OPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	if (strncmp(name, "no-", 3) == 0)
		for (size_t i = 0; i < NB_OPTS; i++)
			if (opts[i].type == OPT_FLAG && strcmp(opts[i].name, name + 3) == 0) {
				*negated = true;
				return &opts[i];
			}
	return NULL;
}

static int
parse_timeout(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > 86400)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* Reads argv into cl; 0 or an exit status (usage printed). Options may come
 * before or after the command words. */
static int
parse_argv(int argc, char **argv, struct cmdline *cl)
{
	bool operands_only = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		char name[64];

		if (operands_only || a[0] != '-' || a[1] == '\0') {
			if (cl->nb_words == (int)(sizeof(cl->words) / sizeof(cl->words[0])))
				return fail(EXIT_USAGE, "unexpected argument \"%s\"", a);
			cl->words[cl->nb_words++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			operands_only = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cl->help = true;
			continue;
		}
		if (strcmp(a, "--version") == 0) {
			cl->version = true;
			continue;
		}
		if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
			if (i + 1 == argc)
				return fail(EXIT_USAGE, "option %s needs a path", a);
			cl->socket = argv[++i];
			continue;
		}
		if (strncmp(a, "--socket=", 9) == 0) {
			cl->socket = a + 9;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			cl->json = true;
			continue;
		}
		if (a[1] != '-')
			return fail(EXIT_USAGE, "unknown option %s", a);
		/* --name VALUE or --name=VALUE */
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

		if (len >= sizeof(name))
			return fail(EXIT_USAGE, "unknown option %.64s", a);
		memcpy(name, a + 2, len);
		name[len] = '\0';
		if (eq)
			value = eq + 1;
		if (strcmp(name, "timeout") == 0) {
			if (value == NULL && i + 1 < argc)
				value = argv[++i];
			if (value == NULL || parse_timeout(value, &cl->timeout_s) < 0)
				return fail(EXIT_USAGE, "--timeout needs a number of seconds (1..86400)");
			continue;
		}

		bool negated;
		const struct opt *o = find_opt(name, &negated);

		if (o == NULL)
			return fail(EXIT_USAGE, "unknown option --%s", name);
		if (o->type == OPT_FLAG && value != NULL)
			return fail(EXIT_USAGE, "option --%s takes no value (--%s or --no-%s)", name,
				o->name, o->name);
		if (o->type != OPT_FLAG && value == NULL) {
			if (i + 1 == argc)
				return fail(EXIT_USAGE, "option --%s needs a value", name);
			value = argv[++i];
		}
		for (int k = 0; k < cl->nb_given; k++)
			if (cl->given[k].opt == o)
				return fail(EXIT_USAGE, "option --%s given twice", o->name);
		cl->given[cl->nb_given++] = (struct given){o, value, negated};
	}
	return 0;
}

static bool
in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* The command named by the words; NULL after saying why. */
static const struct command *
find_command(const struct cmdline *cl, int *status)
{
	const char *object = cl->words[0], *verb = cl->nb_words > 1 ? cl->words[1] : NULL;
	bool object_known = false;

	*status = EXIT_USAGE;
	for (size_t i = 0; i < NB_COMMANDS; i++) {
		const struct command *c = &commands[i];
		int words = c->verb ? 2 : 1;

		if (strcmp(c->object, object) != 0)
			continue;
		object_known = true;
		if (c->verb != NULL && (verb == NULL || strcmp(c->verb, verb) != 0))
			continue;
		if (cl->nb_words > words + (c->positional != NULL)) {
			fail(EXIT_USAGE, "unexpected argument \"%s\"", cl->words[words]);
			return NULL;
		}
		return c;
	}
	if (!object_known)
		fail(EXIT_USAGE, "unknown command \"%s\"", object);
	else if (verb == NULL)
		fail(EXIT_USAGE, "%s needs a subcommand", object);
	else
		fail(EXIT_USAGE, "unknown command \"%s %s\"", object, verb);
	return NULL;
}

/* An option's value as sent: a number as a JSON integer when it reads as a
 * plain decimal one, else as the string given (vbrd says what is wrong). */
static json_t *
number_value(const char *s)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == 0 && end != s && *end == '\0' && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return json_integer(v);
	return json_string(s);
}

/* The request's args; NULL after saying why. */
static json_t *
build_args(const struct cmdline *cl, const struct command *c, int *status)
{
	json_t *args = json_object();
	int words = c->verb ? 2 : 1;

	*status = EXIT_USAGE;
	if (args == NULL) {
		*status = fail(EXIT_FAILURE, "out of memory");
		return NULL;
	}
	for (int i = 0; i < cl->nb_given; i++) {
		const struct given *g = &cl->given[i];
		json_t *v;

		if (!in_list(c->required, g->opt->name) && !in_list(c->optional, g->opt->name)) {
			fail(EXIT_USAGE, "%s%s%s takes no option --%s%s", c->object, c->verb ? " " : "",
				c->verb ? c->verb : "", g->negated ? "no-" : "", g->opt->name);
			goto err;
		}
		if (g->opt->type == OPT_FLAG)
			v = json_boolean(!g->negated);
		else if (g->opt->type == OPT_NUMBER)
			v = number_value(g->value);
		else
			v = json_string(g->value);
		if (v == NULL) {
			/* Never echo the value: it may be a key. */
			*status = fail(EXIT_FAILURE, "the value of --%s is not valid UTF-8",
				g->opt->name);
			goto err;
		}
		json_object_set_new(args, g->opt->key, v);
	}
	for (const char *const *r = c->required; *r; r++) {
		bool negated;
		const struct opt *o = find_opt(*r, &negated);

		if (json_object_get(args, o->key) == NULL) {
			fail(EXIT_USAGE, "%s%s%s needs --%s", c->object, c->verb ? " " : "",
				c->verb ? c->verb : "", *r);
			goto err;
		}
	}
	if (c->positional && cl->nb_words > words) {
		json_t *v = json_string(cl->words[words]);

		if (v == NULL) {
			*status = fail(EXIT_FAILURE, "\"%s\" is not valid UTF-8", cl->words[words]);
			goto err;
		}
		json_object_set_new(args, c->positional, v);
	}
	return args;
err:
	json_decref(args);
	return NULL;
}

/* Connects: to -s PATH, else the default socket, and for a show the
 * read-only one when the default cannot be had. */
static int
connect_for(const struct cmdline *cl, const struct command *c, const char **path, int *fd,
	char *err, size_t errlen)
{
	char ro_err[512];
	int rc;

	*path = cl->socket ? cl->socket : VBRCTL_SOCKET;
	rc = client_connect(*path, cl->timeout_s, fd, err, errlen);
	if (rc == 0 || cl->socket != NULL || !api_op_read_only(c->op))
		return rc;
	*path = VBRCTL_RO_SOCKET;
	if (client_connect(*path, cl->timeout_s, fd, ro_err, sizeof(ro_err)) == 0)
		return 0;
	/* Neither: the read-write socket's reason, unless it was only that
	 * we may not use it. */
	if (rc == -EACCES || rc == -EPERM)
		snprintf(err, errlen, "%s", ro_err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cmdline cl = {.timeout_s = VBRCTL_TIMEOUT_S};
	const struct command *c;
	struct printer *p;
	const char *path;
	char err[1024];
	char *request;
	json_t *args;
	int status, fd;

	status = parse_argv(argc, argv, &cl);
	if (status != 0)
		return status;
	if (cl.help) {
		usage(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILURE;
	}
	if (cl.version) {
		puts("vbrctl " VBR_VERSION);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILURE;
	}
	if (cl.nb_words == 0)
		return fail(EXIT_USAGE, "no command");
	c = find_command(&cl, &status);
	if (c == NULL)
		return status;
	args = build_args(&cl, c, &status);
	if (args == NULL)
		return status;
	request = api_request_encode(c->op, json_object_size(args) ? args : NULL);
	json_decref(args);
	if (request == NULL)
		return fail(EXIT_FAILURE, "out of memory");
	if (strlen(request) > API_REQUEST_MAX) {
		free(request);
		return fail(EXIT_FAILURE, "the request is too large (over %u bytes)",
			API_REQUEST_MAX);
	}
	p = printer_new(c->op, cl.json, c->op == API_SHOW_FIB && cl.nb_words > 2);
	if (p == NULL) {
		free(request);
		return fail(EXIT_FAILURE, "out of memory");
	}
	status = EXIT_FAILURE;
	if (connect_for(&cl, c, &path, &fd, err, sizeof(err)) == 0 &&
		client_call(fd, path, request, cl.timeout_s, printer_record, p, err, sizeof(err)) ==
			0 &&
		printer_finish(p, err, sizeof(err)) == 0)
		status = 0;
	else
		fail(EXIT_FAILURE, "%s", err);
	/* The request may hold a key: wipe it before it goes back to malloc. */
	explicit_bzero(request, strlen(request));
	free(request);
	printer_free(p);
	return status;
}
