/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The management protocol's ops, and its lines: a request decoded (size
 * first, then JSON, then shape) and encoded, a reply's record and status
 * lines built.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

static const struct {
	const char *name;
	bool read_only;
} ops[API_OP_COUNT] = {
	[API_BGP_GROUP_CREATE] = {"bgp-group.create", false},
	[API_BGP_GROUP_MODIFY] = {"bgp-group.modify", false},
	[API_BGP_GROUP_DELETE] = {"bgp-group.delete", false},
	[API_BGP_PEER_CREATE] = {"bgp-peer.create", false},
	[API_BGP_PEER_DELETE] = {"bgp-peer.delete", false},
	[API_BGP_PEER_RESET] = {"bgp-peer.reset", false},
	[API_BGP_PEER_DISABLE] = {"bgp-peer.disable", false},
	[API_BGP_PEER_ENABLE] = {"bgp-peer.enable", false},
	[API_BGP_NETWORK_ADD] = {"bgp-network.add", false},
	[API_BGP_NETWORK_DELETE] = {"bgp-network.delete", false},
	[API_ROUTE_ADD] = {"route.add", false},
	[API_ROUTE_DELETE] = {"route.delete", false},
	[API_NEIGHBOR_ADD] = {"neighbor.add", false},
	[API_NEIGHBOR_DELETE] = {"neighbor.delete", false},
	[API_RELOAD] = {"reload", false},
	[API_SHOW_PEERS] = {"show.peers", true},
	[API_SHOW_GROUPS] = {"show.groups", true},
	[API_SHOW_NETWORKS] = {"show.networks", true},
	[API_SHOW_ROUTES] = {"show.routes", true},
	[API_SHOW_FIB] = {"show.fib", true},
	[API_SHOW_NEIGHBORS] = {"show.neighbors", true},
	[API_SHOW_STATS] = {"show.stats", true},
	[API_SHOW_CONFIG] = {"show.config", true},
	[API_SHOW_TRACK] = {"show.track", true},
	[API_SHOW_BFD] = {"show.bfd", true},
};

const char *
api_op_name(enum api_op op)
{
	return (unsigned int)op < API_OP_COUNT ? ops[op].name : NULL;
}

bool
api_op_read_only(enum api_op op)
{
	return (unsigned int)op < API_OP_COUNT && ops[op].read_only;
}

int
api_op_lookup(const char *name)
{
	for (int i = 0; i < API_OP_COUNT; i++)
		if (strcmp(ops[i].name, name) == 0)
			return i;
	return -ENOENT;
}

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int
api_request_decode(const char *buf, size_t len, struct api_request *req, char *err,
	size_t errlen)
{
	json_error_t jerr;
	json_t *root, *op, *args;
	int i;

	req->args = NULL;
	if (len > API_REQUEST_MAX)
		return fail(err, errlen, -EMSGSIZE, "request too large (over %u bytes)",
			API_REQUEST_MAX);
	/* Duplicate keys would make "which one counts" a guess. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL)
		return fail(err, errlen, -EINVAL, "malformed request: %s", jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(err, errlen, -EINVAL, "request is not a JSON object");
	}
	op = json_object_get(root, "op");
	if (op == NULL) {
		json_decref(root);
		return fail(err, errlen, -EINVAL, "request has no \"op\"");
	}
	if (!json_is_string(op)) {
		json_decref(root);
		return fail(err, errlen, -EINVAL, "\"op\" is not a string");
	}
	i = api_op_lookup(json_string_value(op));
	if (i < 0) {
		/* The op comes from the client: bound what we echo back. */
		fail(err, errlen, -EINVAL, "unknown op \"%.64s\"", json_string_value(op));
		json_decref(root);
		return -EINVAL;
	}
	args = json_object_get(root, "args");
	if (args == NULL || json_is_null(args)) {
		args = json_object();
		if (args == NULL) {
			json_decref(root);
			return fail(err, errlen, -ENOMEM, "out of memory");
		}
	} else if (!json_is_object(args)) {
		json_decref(root);
		return fail(err, errlen, -EINVAL, "\"args\" is not an object");
	} else {
		json_incref(args);
	}
	json_decref(root);
	req->op = (enum api_op)i;
	req->args = args;
	return 0;
}

void
api_request_free(struct api_request *req)
{
	json_decref(req->args);
	req->args = NULL;
}

/* obj's compact JSON with "\n" after it, malloc'd. */
static char *
line_of(const json_t *obj)
{
	size_t n = json_dumpb(obj, NULL, 0, JSON_COMPACT);
	char *s;

	if (n == 0)
		return NULL;
	s = malloc(n + 2);
	if (s == NULL)
		return NULL;
	if (json_dumpb(obj, s, n, JSON_COMPACT) != n) {
		free(s);
		return NULL;
	}
	s[n] = '\n';
	s[n + 1] = '\0';
	return s;
}

char *
api_request_encode(enum api_op op, const json_t *args)
{
	json_t *req;
	char *s;

	if (api_op_name(op) == NULL || (args != NULL && !json_is_object(args)))
		return NULL;
	req = json_pack("{s:s}", "op", api_op_name(op));
	if (req == NULL)
		return NULL;
	/* json_object_set takes a reference: args stays the caller's. */
	if (args != NULL && json_object_set(req, "args", (json_t *)args) != 0) {
		json_decref(req);
		return NULL;
	}
	s = line_of(req);
	json_decref(req);
	return s;
}

char *
api_record_line(const json_t *rec)
{
	json_t *line;
	char *s;

	if (!json_is_object(rec))
		return NULL;
	line = json_object();
	if (line == NULL || json_object_set(line, "record", (json_t *)rec) != 0) {
		json_decref(line);
		return NULL;
	}
	s = line_of(line);
	json_decref(line);
	return s;
}

char *
api_status_line(bool ok, const char *err)
{
	json_t *line;
	char *s;

	if (ok)
		line = json_pack("{s:b}", "ok", 1);
	else
		line = json_pack("{s:b,s:s}", "ok", 0, "error", err ? err : "error");
	/* jansson refuses a string that is not UTF-8: say so, not nothing. */
	if (line == NULL && !ok)
		line = json_pack("{s:b,s:s}", "ok", 0, "error",
			"error (its message is not valid UTF-8)");
	if (line == NULL)
		return NULL;
	s = line_of(line);
	json_decref(line);
	return s;
}
