/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema walker (see walk.h) and the parsers of the value types that
 * every schema shares. Input is hostile (the loader is fuzzed): scalars are
 * read by (pointer, length) only, and what goes into a message is bounded
 * and printable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "walk.h"

#define KEY_SHOWN 48	   /* of an unknown key, in a path */

static const char *const node_kinds[] = {
	[YAML_NO_NODE] = "nothing",
	[YAML_SCALAR_NODE] = "a scalar",
	[YAML_SEQUENCE_NODE] = "a sequence",
	[YAML_MAPPING_NODE] = "a mapping",
};

static const char *
node_kind(const yaml_node_t *node)
{
	if (node == NULL || (size_t)node->type >= WALK_ARRAY_SIZE(node_kinds))
		return node_kinds[YAML_NO_NODE];
	return node_kinds[node->type];
}

static const yaml_node_t *
get_node(struct walk *w, int id)
{
	return yaml_document_get_node(w->doc, id);
}

static bool
printable(char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* --- messages --- */

static void
err_vappend(struct walk *w, size_t *pos, const char *fmt, va_list ap)
{
	int n;

	if (*pos >= w->errlen)
		return;
	n = vsnprintf(w->err + *pos, w->errlen - *pos, fmt, ap);
	if (n > 0)
		*pos += (size_t)n;
}

static void
err_append(struct walk *w, size_t *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vappend(w, pos, fmt, ap);
	va_end(ap);
}

static int
verror(struct walk *w, yaml_mark_t mark, const char *fmt, va_list ap)
{
	size_t pos = 0;

	if (w->err == NULL || w->errlen == 0)
		return -EINVAL;
	/* libyaml counts from 0, editors from 1. */
	err_append(w, &pos, "%s:%zu:%zu: ", w->file, mark.line + 1, mark.column + 1);
	if (w->pathlen > 0)
		err_append(w, &pos, "%s: ", w->path);
	err_vappend(w, &pos, fmt, ap);
	return -EINVAL;
}

static yaml_mark_t
node_mark(const yaml_node_t *node)
{
	yaml_mark_t none = {0, 0, 0};

	return node ? node->start_mark : none;
}

int
walk_error_mark(struct walk *w, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(w, mark, fmt, ap);
	va_end(ap);
	return rc;
}

int
walk_error(struct walk *w, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(w, node_mark(node), fmt, ap);
	va_end(ap);
	return rc;
}

/* --- the key path --- */

static void
path_putc(struct walk *w, char c)
{
	if (w->pathlen + 1 < sizeof(w->path)) {
		w->path[w->pathlen++] = c;
		w->path[w->pathlen] = '\0';
	}
}

static void
path_puts(struct walk *w, const char *s)
{
	while (*s)
		path_putc(w, *s++);
}

static size_t
path_push_key(struct walk *w, const char *key, size_t len)
{
	size_t old = w->pathlen;

	if (old > 0)
		path_putc(w, '.');
	for (size_t i = 0; i < len && i < KEY_SHOWN; i++)
		path_putc(w, printable(key[i]) ? key[i] : '?');
	if (len > KEY_SHOWN)
		path_puts(w, "...");
	return old;
}

static size_t
path_push_index(struct walk *w, size_t i)
{
	size_t old = w->pathlen;
	char buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", i);
	path_puts(w, buf);
	return old;
}

static void
path_pop(struct walk *w, size_t old)
{
	w->pathlen = old;
	w->path[old] = '\0';
}

static bool
key_is(const yaml_node_t *key, const char *name)
{
	size_t len = strlen(name);

	return key && key->type == YAML_SCALAR_NODE && key->data.scalar.length == len &&
	       memcmp(key->data.scalar.value, name, len) == 0;
}

size_t
walk_path_push(struct walk *w, const char *key)
{
	return path_push_key(w, key, strlen(key));
}

void
walk_path_pop(struct walk *w, size_t old)
{
	path_pop(w, old);
}

const yaml_node_t *
walk_value(struct walk *w, const yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
		p < map->data.mapping.pairs.top; p++)
		if (key_is(get_node(w, p->key), key))
			return get_node(w, p->value);
	return NULL;
}

int
walk_error_key(struct walk *w, const yaml_node_t *map, const char *key, const char *fmt, ...)
{
	const yaml_node_t *value = walk_value(w, map, key);
	size_t old = path_push_key(w, key, strlen(key));
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(w, node_mark(value ? value : map), fmt, ap);
	va_end(ap);
	path_pop(w, old);
	return rc;
}

/* --- mappings and sequences --- */

/* An empty value or ~ stands for an empty section: "routes:" with nothing under it. */
static bool
is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

	if (node == NULL || node->type != YAML_SCALAR_NODE ||
		node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < WALK_ARRAY_SIZE(nulls); i++)
		if (node->data.scalar.length == strlen(nulls[i]) &&
			memcmp(node->data.scalar.value, nulls[i], strlen(nulls[i])) == 0)
			return true;
	return false;
}

static bool
same_key(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) == 0;
}

const struct field *
walk_find_field(const struct schema *s, const char *key, size_t len)
{
	for (unsigned int i = 0; i < s->nb_fields; i++)
		if (strlen(s->fields[i].key) == len && memcmp(s->fields[i].key, key, len) == 0)
			return &s->fields[i];
	return NULL;
}

static const struct field *
find_field(const struct schema *s, const yaml_node_t *key)
{
	return walk_find_field(s, (const char *)key->data.scalar.value, key->data.scalar.length);
}

void
walk_keys(const struct schema *s, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < s->nb_fields && pos < len; i++) {
		int n = snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", s->fields[i].key);

		pos += n > 0 ? (size_t)n : 0;
	}
}

static int
unknown_key(struct walk *w, const struct schema *s, const yaml_node_t *key)
{
	char keys[512];
	size_t old;
	int rc;

	walk_keys(s, keys, sizeof(keys));
	old = path_push_key(w, (const char *)key->data.scalar.value, key->data.scalar.length);
	if (key_is(key, "<<"))
		rc = walk_error(
			w, key, "YAML merge keys are not supported; expected one of: %s", keys);
	else
		rc = walk_error(w, key, "unknown key; expected one of: %s", keys);
	path_pop(w, old);
	return rc;
}

/* Every key known, none twice. A key's place is checked against the ones
 * before it only: the first bad key stops the walk, so at most nb_fields
 * keys are ever compared. */
static int
check_keys(struct walk *w, const struct schema *s, const yaml_node_pair_t *pairs, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const yaml_node_t *key = get_node(w, pairs[k].key);

		if (key == NULL || key->type != YAML_SCALAR_NODE)
			return walk_error(w, key, "expected a key, got %s", node_kind(key));
		if (find_field(s, key) == NULL)
			return unknown_key(w, s, key);
		for (size_t j = 0; j < k; j++) {
			const yaml_node_t *prev = get_node(w, pairs[j].key);

			if (same_key(prev, key)) {
				size_t old = path_push_key(w, (const char *)key->data.scalar.value,
					key->data.scalar.length);
				int rc = walk_error(w, key, "duplicate key (first at line %zu)",
					prev->start_mark.line + 1);

				path_pop(w, old);
				return rc;
			}
		}
	}
	return 0;
}

int
walk_map(struct walk *w, const yaml_node_t *node, const struct schema *s, void *obj)
{
	const yaml_node_pair_t *pairs = NULL;
	size_t n = 0;
	int rc;

	if (s->init)
		s->init(obj);
	if (node && node->type == YAML_MAPPING_NODE) {
		pairs = node->data.mapping.pairs.start;
		n = (size_t)(node->data.mapping.pairs.top - pairs);
	} else if (!is_null(node)) {
		return walk_error(w, node, "expected a mapping, got %s", node_kind(node));
	}
	rc = check_keys(w, s, pairs, n);
	if (rc < 0)
		return rc;

	for (unsigned int i = 0; i < s->nb_fields; i++) {
		const struct field *f = &s->fields[i];
		const yaml_node_pair_t *pair = NULL;
		size_t old;

		for (size_t k = 0; k < n && pair == NULL; k++)
			if (key_is(get_node(w, pairs[k].key), f->key))
				pair = &pairs[k];
		if (pair == NULL) {
			if (f->required)
				return walk_error(w, node, "missing required key \"%s\"", f->key);
			continue;
		}
		old = path_push_key(w, f->key, strlen(f->key));
		rc = walk_field(w, get_node(w, pair->value), f, obj);
		path_pop(w, old);
		if (rc < 0)
			return rc;
	}
	return s->check ? s->check(w, node, obj) : 0;
}

int
walk_map_field(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	return walk_map(w, node, f->map, (char *)obj + f->off);
}

/* An element of a growing array: parsed and checked aside, then appended. */
static int
add_elem(struct walk *w, const yaml_node_t *node, const struct seq *s, void *obj)
{
	_Alignas(max_align_t) char elem[WALK_ELEM_MAX];
	int rc;

	if (s->elem_size > sizeof(elem))
		return walk_error(w, node, "internal error: element too large");
	memset(elem, 0, s->elem_size);
	rc = walk_field(w, node, s->elem, elem);
	if (rc == 0 && s->check)
		rc = s->check(w, node, elem);
	if (rc == 0)
		rc = s->add(w, node, obj, elem);
	return rc;
}

int
walk_seq(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	const struct seq *s = f->seq;
	unsigned int *count = (unsigned int *)((char *)obj + s->count_off);
	char *array = (char *)obj + f->off;

	if (is_null(node))
		return 0;
	if (node == NULL || node->type != YAML_SEQUENCE_NODE)
		return walk_error(w, node, "expected a sequence, got %s", node_kind(node));

	for (const yaml_node_item_t *item = node->data.sequence.items.start;
		item < node->data.sequence.items.top; item++) {
		const yaml_node_t *elem = get_node(w, *item);
		size_t old = path_push_index(w, (size_t)(item - node->data.sequence.items.start));
		int rc;

		if (s->add) {
			rc = add_elem(w, elem, s, obj);
		} else if (*count >= s->max) {
			rc = walk_error(w, elem, "too many %s (at most %u)", s->what, s->max);
		} else {
			void *slot = array + (size_t)*count * s->elem_size;

			rc = walk_field(w, elem, s->elem, slot);
			if (rc == 0 && s->check)
				rc = s->check(w, elem, slot);
			if (rc == 0)
				(*count)++;
		}
		path_pop(w, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --- scalars --- */

int
walk_scalar(struct walk *w, const yaml_node_t *node, const char *what, const char **s, size_t *len)
{
	if (node == NULL || node->type != YAML_SCALAR_NODE)
		return walk_error(w, node, "expected %s, got %s", what, node_kind(node));
	*s = (const char *)node->data.scalar.value;
	*len = node->data.scalar.length;
	return 0;
}

int
walk_field(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	struct value_ctx c = {.cfg = w->cfg};
	char msg[VALUE_MSG_MAX];
	const char *s;
	size_t len;
	int rc;

	/* A key with both takes a scalar through its type and a sequence or
	 * mapping through parse (a route's next_hops: a YAML list in a
	 * file, one text in the API). */
	if (f->type == NULL || (f->parse != NULL && node != NULL && node->type != YAML_SCALAR_NODE))
		return f->parse(w, node, f, obj);
	rc = walk_scalar(w, node, f->type->what, &s, &len);
	if (rc < 0)
		return rc;
	c.msg = msg;
	c.len = sizeof(msg);
	msg[0] = '\0';
	rc = f->type->parse(f, s, len, obj, &c);
	if (rc < 0)
		return walk_error(w, node, "%s", msg);
	return 0;
}
