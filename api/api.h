/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The management protocol shared by vbrd and vbrctl (libc + jansson only).
 *
 * Over a Unix stream socket the client sends ONE request, a JSON object on
 * one line ended by "\n", at most API_REQUEST_MAX bytes with the newline:
 *
 *	{"op": "bgp-group.create", "args": {"name": "g1", "peer_asn": 65001}}
 *
 * The server answers zero or more record lines, then one status line, each
 * a JSON object ended by "\n", and closes the connection:
 *
 *	{"record": {...}}
 *	{"ok": true}		or	{"ok": false, "error": "message"}
 *
 * The args keys are the YAML keys of the object the op is about; checking
 * their values is the daemon's job (config/), not this file's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A request's bytes at most, its newline included. */
#define API_REQUEST_MAX 65536
/* A reply line at most, as the client reads it: one record (show config
 * with every static route is the largest) or the status. */
#define API_REPLY_LINE_MAX (256u << 20)

enum api_op {
	API_BGP_GROUP_CREATE,
	API_BGP_GROUP_MODIFY,
	API_BGP_GROUP_DELETE,
	API_BGP_PEER_CREATE,
	API_BGP_PEER_DELETE,
	API_BGP_PEER_RESET,
	API_BGP_PEER_DISABLE,
	API_BGP_PEER_ENABLE,
	API_BGP_NETWORK_ADD,
	API_BGP_NETWORK_DELETE,
	API_ROUTE_ADD,
	API_ROUTE_DELETE,
	API_NEIGHBOR_ADD,
	API_NEIGHBOR_DELETE,
	API_RELOAD,
	API_SHOW_PEERS,
	API_SHOW_GROUPS,
	API_SHOW_NETWORKS,
	API_SHOW_ROUTES,
	API_SHOW_FIB,
	API_SHOW_NEIGHBORS,
	API_SHOW_STATS,
	API_SHOW_CONFIG,
	API_SHOW_TRACK,
	API_SHOW_BFD,
	API_OP_COUNT
};

/* "bgp-group.create"...; NULL for a value out of range. */
const char *api_op_name(enum api_op op);
/* Whether the op only reads (the read-only socket serves only these). */
bool api_op_read_only(enum api_op op);
/* The op named name, or -ENOENT. */
int api_op_lookup(const char *name);

/* A decoded request. args is always an object (empty when the request had
 * none); the request owns it. */
struct api_request {
	enum api_op op;
	json_t *args;
};

/*
 * Decodes one request line (buf need not be NUL-terminated; a trailing
 * newline is allowed). The size is checked before anything is read.
 * Returns 0 and fills *req (free it with api_request_free), or -EMSGSIZE /
 * -EINVAL with the user's words in err: "request too large (over 65536
 * bytes)", "malformed request: <jansson's message>", "request is not a JSON
 * object", "request has no \"op\"", "unknown op \"x\"", "\"args\" is not an
 * object".
 */
int api_request_decode(const char *buf, size_t len, struct api_request *req, char *err,
	size_t errlen);
void api_request_free(struct api_request *req);

/* The request line for op with args (borrowed; NULL for none), "\n"
 * included, malloc'd; NULL if out of memory. The caller checks its length
 * against API_REQUEST_MAX. */
char *api_request_encode(enum api_op op, const json_t *args);

/* Reply lines, "\n" included, malloc'd; NULL if out of memory (or rec is
 * not an object). rec is borrowed. */
char *api_record_line(const json_t *rec);
char *api_status_line(bool ok, const char *err);

/* --- typed getters of a request's args, for handlers ---
 * Each returns 1 and sets *out when the key is there with the right type,
 * 0 when it is absent and not required (*out untouched), or -EINVAL with a
 * message ("missing argument \"name\"", "argument \"hold_time\" must be an
 * integer, not a string", "argument \"hold_time\": 70000 is not in
 * 0..65535"). A JSON null counts as absent. */
int api_arg_string(const json_t *args, const char *key, bool required, const char **out,
	char *err, size_t errlen);
int api_arg_uint(const json_t *args, const char *key, bool required, uint64_t min, uint64_t max,
	uint64_t *out, char *err, size_t errlen);
int api_arg_bool(const json_t *args, const char *key, bool required, bool *out, char *err,
	size_t errlen);
/* 0 when every key of args is in keys (NULL-terminated), else -EINVAL with
 * "unknown argument \"x\" for <op>". */
int api_args_only(const json_t *args, enum api_op op, const char *const *keys, char *err,
	size_t errlen);

/* --- the client's side: reading a reply --- */

struct api_reader;

enum api_read {
	API_READ_MORE,	 /* no whole line yet: feed more bytes */
	API_READ_RECORD, /* *rec is a record; the caller owns it */
	API_READ_STATUS, /* the status line: see api_reader_ok/_error */
};

struct api_reader *api_reader_new(void);
void api_reader_free(struct api_reader *r);
/* Adds bytes received; call api_reader_next until API_READ_MORE first,
 * so that only a partial line stays buffered. -ENOMEM, or -EMSGSIZE when a line would pass
 * API_REPLY_LINE_MAX. */
int api_reader_feed(struct api_reader *r, const void *buf, size_t len);
/* The next item of the reply (enum api_read), or -EPROTO with a message for
 * a line that is not what the protocol says. After API_READ_STATUS there is
 * nothing more to read. */
int api_reader_next(struct api_reader *r, json_t **rec, char *err, size_t errlen);
/* Once the status came: whether the request succeeded, and if not, why. */
bool api_reader_ok(const struct api_reader *r);
const char *api_reader_error(const struct api_reader *r);
