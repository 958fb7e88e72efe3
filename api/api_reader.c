/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's side of a reply: bytes in as they arrive, records and then
 * the status out, one line at a time, so that a full routing table streams
 * through a bounded buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

struct api_reader {
	char *buf;
	size_t start; /* first byte not yet consumed */
	size_t len;   /* bytes in buf */
	size_t size;
	size_t scanned; /* bytes after start known to hold no newline */
	bool done;
	bool ok;
	char *error;
};

struct api_reader *
api_reader_new(void)
{
	return calloc(1, sizeof(struct api_reader));
}

void
api_reader_free(struct api_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->error);
	free(r);
}

int
api_reader_feed(struct api_reader *r, const void *buf, size_t len)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->len + len > API_REPLY_LINE_MAX)
		return -EMSGSIZE;
	if (r->len + len > r->size) {
		size_t size = r->size ? r->size : 4096;
		char *p;

		while (size < r->len + len)
			size *= 2;
		p = realloc(r->buf, size);
		if (p == NULL)
			return -ENOMEM;
		r->buf = p;
		r->size = size;
	}
	memcpy(r->buf + r->len, buf, len);
	r->len += len;
	return 0;
}

static int
proto_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
proto_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

int
api_reader_next(struct api_reader *r, json_t **rec, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *line, *v;
	char *nl;
	size_t n;

	if (r->done)
		return proto_fail(err, errlen, "data after the reply's status line");
	if (r->len == r->start)
		return API_READ_MORE;
	nl = memchr(r->buf + r->start + r->scanned, '\n', r->len - r->start - r->scanned);
	if (nl == NULL) {
		r->scanned = r->len - r->start;
		return API_READ_MORE;
	}
	n = (size_t)(nl - (r->buf + r->start)) + 1;
	line = json_loadb(r->buf + r->start, n, 0, &jerr);
	r->start += n;
	r->scanned = 0;
	if (line == NULL)
		return proto_fail(err, errlen, "malformed reply: %s", jerr.text);
	if (!json_is_object(line)) {
		json_decref(line);
		return proto_fail(err, errlen, "malformed reply: not a JSON object");
	}
	v = json_object_get(line, "record");
	if (v != NULL) {
		if (!json_is_object(v)) {
			json_decref(line);
			return proto_fail(err, errlen, "malformed reply: a record is not an object");
		}
		*rec = json_incref(v);
		json_decref(line);
		return API_READ_RECORD;
	}
	v = json_object_get(line, "ok");
	if (!json_is_boolean(v)) {
		json_decref(line);
		return proto_fail(err, errlen, "malformed reply: neither a record nor a status");
	}
	r->ok = json_is_true(v);
	if (!r->ok) {
		v = json_object_get(line, "error");
		r->error = strdup(json_is_string(v) ? json_string_value(v) : "error (no message)");
		if (r->error == NULL) {
			json_decref(line);
			return -ENOMEM;
		}
	}
	r->done = true;
	json_decref(line);
	return API_READ_STATUS;
}

bool
api_reader_ok(const struct api_reader *r)
{
	return r->done && r->ok;
}

const char *
api_reader_error(const struct api_reader *r)
{
	if (!r->done)
		return "no status";
	return r->ok ? NULL : r->error;
}
