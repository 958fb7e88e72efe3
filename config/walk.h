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
#include "value.h"

#define WALK_PATH_MAX 256

struct walk;
struct field;

/* A mapping or a sequence; a scalar's text goes to its value type instead. */
typedef int (*walk_parse_fn)(
	struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
/* Rules between values, once an object's keys are all parsed. */
typedef int (*walk_check_fn)(struct walk *w, const yaml_node_t *node, void *obj);

#define WALK_ELEM_MAX 256 /* the largest element of a growing array, or nested map */

struct schema {
	const struct field *fields;
	unsigned int nb_fields;
	size_t size;		 /* of the object */
	void (*init)(void *obj); /* defaults of an object that is a sequence element */
	walk_check_fn check;
	const char *what; /* "a BGP group", as in "unknown key \"x\" for a BGP group" */
	/* An optional sub-map (a group's bfd): is it there? init marks it so
	 * (the loader calls init only for a map the file has); absent, the
	 * object is all zeros. The writer, config_equal, config_set and the
	 * rules then follow it; without present a map field is not theirs. */
	bool (*present)(const void *obj);
};

struct seq {
	const char *what;	  /* "BGP groups", as in "too many BGP groups" */
	const struct field *elem; /* parses one element into its slot (offset 0) */
	size_t elem_size;
	size_t count_off;    /* the unsigned count beside the array */
	unsigned int max;    /* the array's size */
	walk_check_fn check; /* per element, for scalar elements */
	/* A growing array: the element is parsed into a scratch object, checked,
	 * then handed to add (which appends it and counts it); max is unused. */
	int (*add)(struct walk *w, const yaml_node_t *node, void *obj, const void *elem);
};

struct field {
	const char *key;
	const struct value_type *type; /* a scalar, parsed from its text */
	walk_parse_fn parse;	       /* or a mapping, a sequence */
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

/* The value of key in mapping map, or NULL. */
const yaml_node_t *walk_value(struct walk *w, const yaml_node_t *map, const char *key);
/* Extend the key path for messages about a nested object; pop restores it. */
size_t walk_path_push(struct walk *w, const char *key);
void walk_path_pop(struct walk *w, size_t old);

int walk_scalar(
	struct walk *w, const yaml_node_t *node, const char *what, const char **s, size_t *len);
int walk_map(struct walk *w, const yaml_node_t *node, const struct schema *s, void *obj);

/* One value: a scalar through its type's parser, anything else through f->parse. */
int walk_field(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_map_field(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);
int walk_seq(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj);

/* The schema's field named key (len bytes), or NULL. */
const struct field *walk_find_field(const struct schema *s, const char *key, size_t len);
/* "name, peer_asn, key, ...": a schema's keys, for "expected one of". */
void walk_keys(const struct schema *s, char *buf, size_t len);
