/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A config value's text form, both ways: the parsers that turn the text of
 * one key (a YAML scalar, or a value the management API was sent) into its
 * C form with the schema's bounds, and the formatters that give it back for
 * the writer. A parser's message has no location: the YAML walker puts
 * "FILE:LINE:COLUMN: PATH: " before it, the API "KEY: ".
 *
 * Input is hostile (the loader is fuzzed): text is read by (pointer,
 * length) only, and what goes into a message is bounded and printable.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define VALUE_QUOTE_MAX 64 /* a value quoted in a message, with its quotes */
#define VALUE_TEXT_MAX 320 /* the longest text form: a description, quoted */
#define VALUE_MSG_MAX 512  /* a message about one value */

struct field;

/* Where a parser writes why the text is refused, and the config the value
 * will belong to (a peer's group is looked up in it by name). */
struct value_ctx {
	const struct vbr_config *cfg;
	char *msg;
	size_t len;
};

struct value_type {
	const char *what; /* "an integer", as in "expected an integer, got a mapping" */
	/* The text into obj's member at f->off; 0 or -EINVAL with a message. */
	int (*parse)(const struct field *f, const char *s, size_t len, void *obj,
		const struct value_ctx *c);
	/* The member's text form, which parse takes back to the same value. */
	void (*format)(const struct field *f, const void *obj, const struct vbr_config *cfg,
		char *buf, size_t len);
	bool quoted; /* written as a quoted string: a name, not a number */
};

int value_error(const struct value_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Text quoted for a message: bounded, printable, one line. */
const char *value_quote(char buf[VALUE_QUOTE_MAX], const char *s, size_t len);

/* The types every schema shares. */
extern const struct value_type value_string; /* f->size buffer; f->min: least length */
extern const struct value_type value_uint;   /* f->min..f->max, f->size bytes */
extern const struct value_type value_asn;    /* asplain or asdot */
extern const struct value_type value_bool;
extern const struct value_type value_enum; /* f->names */
extern const struct value_type value_ipv4;
extern const struct value_type value_prefix; /* no host bits: a route's, a network's */
extern const struct value_type value_mac;    /* unicast */

/* Pieces for the schema's own types. */
int value_parse_uint(
	const struct field *f, const char *s, size_t len, uint64_t *v, const struct value_ctx *c);
uint64_t value_load_uint(const struct field *f, const void *obj);
void value_store_uint(const struct field *f, void *obj, uint64_t v);
/* An IPv4 prefix, host bits allowed (a port's address/len). */
int value_parse_any_prefix(
	const char *s, size_t len, struct vbr_prefix *p, const struct value_ctx *c);
void value_format_uint(const struct field *f, const void *obj, const struct vbr_config *cfg,
	char *buf, size_t len);
void value_format_string(const struct field *f, const void *obj, const struct vbr_config *cfg,
	char *buf, size_t len);
void value_format_ipv4(const struct field *f, const void *obj, const struct vbr_config *cfg,
	char *buf, size_t len);
