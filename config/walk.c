/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema walker (see walk.h) and the parsers of the value types that
 * every schema shares. Input is hostile (the loader is fuzzed): scalars are
 * read by (pointer, length) only, and what goes into a message is bounded
 * and printable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inet.h"
#include "walk.h"

#define KEY_SHOWN 48 /* of an unknown key, in a path */

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

const char *
walk_quote(char buf[WALK_QUOTE_MAX], const yaml_node_t *node)
{
	const char *s = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length, o = 0, i;

	/* Room for both quotes, "..." and the NUL. */
	buf[o++] = '"';
	for (i = 0; i < len && o < WALK_QUOTE_MAX - 6; i++)
		buf[o++] = printable(s[i]) ? s[i] : '?';
	if (i < len)
		for (int k = 0; k < 3; k++)
			buf[o++] = '.';
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
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

static const struct field *
find_field(const struct schema *s, const yaml_node_t *key)
{
	for (unsigned int i = 0; i < s->nb_fields; i++)
		if (key_is(key, s->fields[i].key))
			return &s->fields[i];
	return NULL;
}

static int
unknown_key(struct walk *w, const struct schema *s, const yaml_node_t *key)
{
	char keys[256];
	size_t pos = 0, old;
	int rc;

	keys[0] = '\0';
	for (unsigned int i = 0; i < s->nb_fields && pos < sizeof(keys); i++) {
		int n = snprintf(
			keys + pos, sizeof(keys) - pos, "%s%s", i ? ", " : "", s->fields[i].key);
		pos += n > 0 ? (size_t)n : 0;
	}
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
		rc = f->parse(w, get_node(w, pair->value), f, obj);
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

		if (*count >= s->max) {
			rc = walk_error(w, elem, "too many %s (at most %u)", s->what, s->max);
		} else {
			void *slot = array + (size_t)*count * s->elem_size;

			rc = s->elem->parse(w, elem, s->elem, slot);
			if (rc == 0 && s->check)
				rc = s->check(w, elem, slot);
		}
		path_pop(w, old);
		if (rc < 0)
			return rc;
		(*count)++;
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

static void
store_uint(void *dst, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	/* memcpy: the destination may be an enum or a bool as well as an integer. */
	switch (size) {
	case sizeof(u8):
		memcpy(dst, &u8, size);
		break;
	case sizeof(u16):
		memcpy(dst, &u16, size);
		break;
	case sizeof(u32):
		memcpy(dst, &u32, size);
		break;
	default:
		memcpy(dst, &v, sizeof(v));
		break;
	}
}

int
walk_string(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	const char *s;
	size_t len;
	int rc = walk_scalar(w, node, "a string", &s, &len);

	if (rc < 0)
		return rc;
	if (memchr(s, '\0', len))
		return walk_error(w, node, "contains a NUL character");
	/* The value is not shown: it may be a TCP-MD5 key. */
	if (len >= f->size)
		return walk_error(w, node, "longer than %zu characters", f->size - 1);
	if (len < f->min)
		return walk_error(w, node, "must not be empty");
	memcpy((char *)obj + f->off, s, len);
	((char *)obj)[f->off + len] = '\0';
	return 0;
}

/* Plain decimal: no sign, no 0x, no leading zero (octal to YAML 1.1). */
static int
parse_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (x > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
out_of_range(struct walk *w, const yaml_node_t *node, const struct field *f)
{
	char q[WALK_QUOTE_MAX];
	const char *s = walk_quote(q, node);

	/* The number without its quotes reads better: 70000 is out of range. */
	return walk_error(w, node, "%.*s is out of range (%llu..%llu)", (int)strlen(s) - 2, s + 1,
		(unsigned long long)f->min, (unsigned long long)f->max);
}

int
walk_uint(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	char q[WALK_QUOTE_MAX];
	const char *s;
	uint64_t v;
	size_t len;
	int rc = walk_scalar(w, node, "an integer", &s, &len);

	if (rc < 0)
		return rc;
	rc = parse_u64(s, len, &v);
	if (rc == -EINVAL && len > 1 && s[0] == '-' && parse_u64(s + 1, len - 1, &v) == 0)
		return out_of_range(w, node, f);
	if (rc == -EINVAL)
		return walk_error(
			w, node, "expected a decimal integer, got %s", walk_quote(q, node));
	if (rc < 0 || v < f->min || v > f->max)
		return out_of_range(w, node, f);
	store_uint((char *)obj + f->off, f->size, v);
	return 0;
}

/* asplain (4200000000) or asdot (64086.59904, RFC 5396), as routers print them. */
int
walk_asn(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	char q[WALK_QUOTE_MAX];
	const char *s, *dot;
	uint64_t v, hi, lo;
	size_t len;
	int rc = walk_scalar(w, node, "an AS number", &s, &len);

	if (rc < 0)
		return rc;
	dot = memchr(s, '.', len);
	if (dot) {
		size_t hlen = (size_t)(dot - s);

		if (parse_u64(s, hlen, &hi) < 0 || parse_u64(dot + 1, len - hlen - 1, &lo) < 0 ||
			hi > UINT16_MAX || lo > UINT16_MAX)
			return walk_error(
				w, node, "expected an AS number, got %s", walk_quote(q, node));
		v = hi << 16 | lo;
		rc = 0;
	} else {
		rc = parse_u64(s, len, &v);
	}
	if (rc == -EINVAL && len > 1 && s[0] == '-' && parse_u64(s + 1, len - 1, &v) == 0)
		return out_of_range(w, node, f);
	if (rc == -EINVAL)
		return walk_error(w, node, "expected an AS number, got %s", walk_quote(q, node));
	if (rc < 0 || v < f->min || v > f->max)
		return out_of_range(w, node, f);
	store_uint((char *)obj + f->off, f->size, v);
	return 0;
}

int
walk_bool(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	/* YAML 1.2's booleans, and YAML 1.1's that people still write. */
	static const struct {
		const char *text;
		bool value;
	} words[] = {
		{"true", true},
		{"True", true},
		{"TRUE", true},
		{"yes", true},
		{"on", true},
		{"false", false},
		{"False", false},
		{"FALSE", false},
		{"no", false},
		{"off", false},
	};
	char q[WALK_QUOTE_MAX];
	const char *s;
	size_t len;
	int rc = walk_scalar(w, node, "true or false", &s, &len);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < WALK_ARRAY_SIZE(words); i++)
		if (len == strlen(words[i].text) && memcmp(s, words[i].text, len) == 0) {
			*(bool *)((char *)obj + f->off) = words[i].value;
			return 0;
		}
	return walk_error(w, node, "expected true or false, got %s", walk_quote(q, node));
}

int
walk_enum(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	char q[WALK_QUOTE_MAX], names[128];
	size_t len, pos = 0, nb = 0;
	const char *s;
	int rc = walk_scalar(w, node, "a name", &s, &len);

	if (rc < 0)
		return rc;
	for (size_t i = 0; f->names[i]; i++, nb++)
		if (len == strlen(f->names[i]) && memcmp(s, f->names[i], len) == 0) {
			store_uint((char *)obj + f->off, f->size, i);
			return 0;
		}
	/* "drop or teardown", "a, b or c" */
	names[0] = '\0';
	for (size_t i = 0; i < nb && pos < sizeof(names); i++) {
		int n = snprintf(names + pos, sizeof(names) - pos, "%s%s",
			i == 0	      ? ""
			: i + 1 == nb ? " or "
				      : ", ",
			f->names[i]);

		pos += n > 0 ? (size_t)n : 0;
	}
	return walk_error(w, node, "expected %s, got %s", names, walk_quote(q, node));
}

/* Why a text is not what was expected; printf(value, what). */
static const char *const inet_msgs[] = {
	[INET_SYNTAX] = "%s is not an IPv4 %s",
	[INET_NOT_IPV4] = "IPv4 only: %s is not an IPv4 %s",
	[INET_NO_LEN] = "%s is not an IPv4 %s: it has no /length",
	[INET_LEN_RANGE] = "%s is not an IPv4 %s: its length is over 32",
};

static int
inet_error(struct walk *w, const yaml_node_t *node, enum inet_err e, const char *what)
{
	char q[WALK_QUOTE_MAX];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return walk_error(w, node, inet_msgs[e], walk_quote(q, node), what);
#pragma GCC diagnostic pop
}

int
walk_ipv4(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	const char *s;
	uint32_t addr;
	size_t len;
	enum inet_err e;
	int rc = walk_scalar(w, node, "an IPv4 address", &s, &len);

	if (rc < 0)
		return rc;
	e = inet_parse_ipv4(s, len, &addr);
	if (e != INET_OK)
		return inet_error(w, node, e, "address");
	memcpy((char *)obj + f->off, &addr, sizeof(addr));
	return 0;
}

int
walk_parse_prefix(struct walk *w, const yaml_node_t *node, struct vbr_prefix *prefix)
{
	const char *s;
	size_t len;
	enum inet_err e;
	int rc = walk_scalar(w, node, "an IPv4 prefix", &s, &len);

	if (rc < 0)
		return rc;
	e = inet_parse_prefix(s, len, prefix);
	if (e != INET_OK)
		return inet_error(w, node, e, "prefix");
	return 0;
}

/* A prefix as routes and announcements carry it: host bits zero. */
int
walk_prefix(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	char have[VBR_PREFIX_STRLEN], want[VBR_PREFIX_STRLEN];
	struct vbr_prefix p, net;
	int rc = walk_parse_prefix(w, node, &p);

	if (rc < 0)
		return rc;
	net.addr = p.addr & inet_mask(p.len);
	net.len = p.len;
	if (net.addr != p.addr)
		return walk_error(w, node, "%s has host bits set (did you mean %s?)",
			config_prefix_str(&p, have, sizeof(have)),
			config_prefix_str(&net, want, sizeof(want)));
	memcpy((char *)obj + f->off, &p, sizeof(p));
	return 0;
}

int
walk_mac(struct walk *w, const yaml_node_t *node, const struct field *f, void *obj)
{
	char q[WALK_QUOTE_MAX];
	uint8_t mac[6];
	const char *s;
	size_t len;
	int rc = walk_scalar(w, node, "a MAC address", &s, &len);

	if (rc < 0)
		return rc;
	if (inet_parse_mac(s, len, mac) < 0)
		return walk_error(w, node, "%s is not a MAC address (like 02:00:00:00:00:01)",
			walk_quote(q, node));
	/* A neighbour is one station: not a group address, not all zeros. */
	if ((mac[0] & 1) || memcmp(mac, "\0\0\0\0\0\0", 6) == 0)
		return walk_error(w, node, "%s is not a unicast MAC address", walk_quote(q, node));
	memcpy((char *)obj + f->off, mac, sizeof(mac));
	return 0;
}
