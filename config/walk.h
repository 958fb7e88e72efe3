/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A table-driven walker over a libyaml document. A schema lists the keys a
 * mapping may hold; each key names the function that parses its value into
 * an object at an offset, so adding a key is adding a table row. The walker
 * rejects unknown and duplicate keys, reports missing required ones, and
 * keeps the key path (bgp.peers[2].group) so that every error reads
 * "FILE:LINE:COLUMN: PATH: problem".
 *
 * Values are parsed in the schema's order, not the file's: a peer's group
 * is looked up once all groups are known, wherever the user put them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config.h"

#define WALK_PATH_MAX 256
#define WALK_QUOTE_MAX 64 /* a value quoted in a message, with its quotes */

struct walk;
struct field;

typedef int (*walk_parse_fn)(
	struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
/* Rules between values, once an object's keys are all parsed. */
typedef int (*walk_check_fn)(struct walk *w, const yaml_node_t *node, void *obj);

struct schema {
	const struct field *fields;
	unsigned int nb_fields;
	void (*init)(void *obj); /* defaults of an object that is a sequence element */
	walk_check_fn check;
};

struct seq {
	const char *what;	  /* "BGP groups", as in "too many BGP groups" */
	const struct field *elem; /* parses one element into its slot (offset 0) */
	size_t elem_size;
	size_t count_off;    /* the unsigned count beside the array */
	unsigned int max;    /* the array's size */
	walk_check_fn check; /* per element, for scalar elements */
};

struct field {
	const char *key;
	walk_parse_fn parse;
	size_t off;	   /* of the value in the object */
	size_t size;	   /* of the value: integer width, string buffer size */
	uint64_t min, max; /* integer bounds; a string's minimum length */
	bool required;
	const char *const *names; /* walk_enum: names by value, NULL-terminated */
	const struct schema *map; /* walk_map_field */
	const struct seq *seq;	  /* walk_seq */
};

struct walk {
	yaml_document_t *doc;
	struct vbr_config *cfg;
	const char *file;
	char *err;
	size_t errlen;
	size_t pathlen;
	char path[WALK_PATH_MAX];
};

#define WALK_MEMBER(type, m) .off = offsetof(type, m), .size = sizeof(((type *)0)->m)
#define WALK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WALK_SCHEMA(f, ...)                                                                        \
	{                                                                                          \
		.fields = f, .nb_fields = WALK_ARRAY_SIZE(f), __VA_ARGS__                          \
	}

/* Errors: write the message, return -EINVAL. Marks are libyaml's (0-based). */
int walk_error(struct walk *w, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int walk_error_mark(struct walk *w, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* About the value of key in mapping map (or map itself if key is absent). */
int walk_error_key(struct walk *w, const yaml_node_t *map, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A scalar's text quoted for a message: bounded, printable, one line. */
const char *walk_quote(char buf[WALK_QUOTE_MAX], const yaml_node_t *node);

/* The value of key in mapping map, or NULL. */
const yaml_node_t *walk_value(struct walk *w, const yaml_node_t *map, const char *key);
/* Extend the key path for messages about a nested object; pop restores it. */
size_t walk_path_push(struct walk *w, const char *key);
void walk_path_pop(struct walk *w, size_t old);

int walk_scalar(
	struct walk *w, const yaml_node_t *node, const char *what, const char **s, size_t *len);
int walk_map(struct walk *w, const yaml_node_t *node, const struct schema *s, void *obj);

/* Parsers of the value types every schema shares. */
int walk_map_field(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_seq(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_string(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_uint(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_asn(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_bool(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_enum(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_ipv4(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_prefix(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_mac(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);

/* An IPv4 prefix, host bits allowed (a port's address/len). */
int walk_parse_prefix(struct walk *w, const yaml_node_t *node, struct vbr_prefix *prefix);
