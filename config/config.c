/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config loader's entry points: read a file, let libyaml build the
 * document, hand its root to the schema (schema.c), and turn libyaml's own
 * errors into the same "FILE:LINE:COLUMN: message" form. And the config's
 * memory: its growing route table with the prefix index, copies, and the
 * find/add/delete of its objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "rules_impl.h"
#include "schema.h"
#include "walk.h"

/* A config is a few hundred KB at most; refuse to slurp /dev/zero. */
#define CONFIG_FILE_MAX (64u << 20)

/* Where a reader error (bad UTF-8...) is: libyaml gives only a byte offset.
 * Columns count characters, as libyaml's marks do: UTF-8 continuation bytes
 * do not move the column. */
static yaml_mark_t
mark_of_offset(const char *buf, size_t len, size_t offset)
{
	yaml_mark_t mark = {offset, 0, 0};

	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			mark.column++;
		}
	}
	return mark;
}

static int
yaml_error(struct walk *w, const yaml_parser_t *parser, const char *buf, size_t len)
{
	const char *problem = parser->problem ? parser->problem : "unknown error";
	yaml_mark_t mark = parser->problem_mark;

	if (parser->error == YAML_MEMORY_ERROR) {
		walk_error_mark(w, mark, "out of memory");
		return -ENOMEM;
	}
	if (parser->error == YAML_READER_ERROR)
		mark = mark_of_offset(buf, len, parser->problem_offset);
	/* The commonest YAML mistake gets named: libyaml only says "token". */
	if (mark.index < len && buf[mark.index] == '\t')
		return walk_error_mark(
			w, mark, "YAML syntax error: %s (a tab: indent with spaces)", problem);
	if (parser->context)
		return walk_error_mark(w, mark,
			"YAML syntax error: %s (%s at line %zu, column %zu)", problem,
			parser->context, parser->context_mark.line + 1,
			parser->context_mark.column + 1);
	return walk_error_mark(w, mark, "YAML syntax error: %s", problem);
}

/* A second document is refused rather than ignored: the user meant something by it. */
static int
check_single_document(struct walk *w, yaml_parser_t *parser, const char *buf, size_t len)
{
	yaml_document_t next;
	const yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_load(parser, &next))
		return yaml_error(w, parser, buf, len);
	root = yaml_document_get_root_node(&next);
	if (root)
		rc = walk_error(w, root, "a config file holds one YAML document, not several");
	yaml_document_delete(&next);
	return rc;
}

int
config_load_buffer(const char *name, const char *buf, size_t len, struct vbr_config *cfg, char *err,
	size_t errlen)
{
	struct walk w = {
		.cfg = cfg, .file = name ? name : "<buffer>", .err = err, .errlen = errlen};
	yaml_parser_t parser;
	yaml_document_t doc;
	const yaml_node_t *root;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (cfg == NULL)
		return -EINVAL;
	schema_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", w.file);
	if (buf == NULL)
		len = 0;

	if (!yaml_parser_initialize(&parser)) {
		walk_error_mark(&w, (yaml_mark_t){0, 0, 0}, "out of memory");
		return -ENOMEM;
	}
	/* libyaml reads exactly len bytes: buf need not be NUL-terminated. */
	yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = yaml_error(&w, &parser, buf, len);
		yaml_parser_delete(&parser);
		return rc;
	}
	w.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL)
		rc = walk_error_mark(&w, (yaml_mark_t){0, 0, 0},
			"empty configuration: ports.idc and ports.vpc are required");
	else
		rc = check_single_document(&w, &parser, buf, len);
	if (rc == 0)
		rc = schema_walk(&w, root);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

static int
file_error(const char *path, char *err, size_t errlen, const char *what, int errnum)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s: %s", path, what, strerror(errnum));
	return -errnum;
}

int
config_load(const char *path, struct vbr_config *cfg, char *err, size_t errlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (path == NULL || cfg == NULL)
		return -EINVAL;
	f = fopen(path, "rb");
	if (f == NULL)
		return file_error(path, err, errlen, "cannot open", errno);
	errno = 0;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *bigger;

			if (cap >= CONFIG_FILE_MAX) {
				rc = file_error(path, err, errlen, "cannot load", EFBIG);
				goto out;
			}
			cap = cap ? 2 * cap : 64 * 1024;
			bigger = realloc(buf, cap);
			if (bigger == NULL) {
				rc = file_error(path, err, errlen, "cannot load", ENOMEM);
				goto out;
			}
			buf = bigger;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		/* fread sets errno on Linux (EISDIR for a directory); keep a fallback. */
		rc = file_error(path, err, errlen, "cannot read", errno ? errno : EIO);
		goto out;
	}
	rc = config_load_buffer(path, buf, len, cfg, err, errlen);
out:
	free(buf);
	fclose(f);
	return rc;
}

/* --- the route table and its prefix index --- */

#define INDEX_MIN_SLOTS 64u

/* Open addressing, linear probing; a slot holds a route's index + 1 (0:
 * empty), at most half the slots are used. The index knows which array and
 * how many routes it covers, so that one changed behind its back is
 * rebuilt rather than trusted. */
struct config_route_index {
	uint32_t *slots;
	uint32_t mask; /* slots - 1; no table while slots is NULL */
	unsigned nb;   /* routes indexed: routes[0..nb) */
	const struct vbr_static_route *routes;
	bool valid;
};

static uint32_t
hash_prefix(const struct vbr_prefix *p)
{
	uint64_t x = (uint64_t)p->addr << 8 | p->len;

	/* MurmurHash3's finaliser: neighbouring prefixes land far apart. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static bool
same_prefix(const struct vbr_prefix *a, const struct vbr_prefix *b)
{
	return a->addr == b->addr && a->len == b->len;
}

static void
index_put(struct config_route_index *ix, const struct vbr_static_route *routes, unsigned i)
{
	uint32_t h = hash_prefix(&routes[i].prefix) & ix->mask;

	while (ix->slots[h] != 0)
		h = (h + 1) & ix->mask;
	ix->slots[h] = i + 1;
}

/* Every route of the array, in order: of duplicates (a candidate built by
 * hand may hold some), the first is the one found. */
static int
index_build(struct config_route_index *ix, const struct vbr_static_route *routes, unsigned nb)
{
	uint64_t want = INDEX_MIN_SLOTS;

	while (want < 2 * (uint64_t)nb + 2)
		want *= 2;
	if (want > UINT32_MAX)
		return -ENOMEM;
	if (ix->slots == NULL || want != (uint64_t)ix->mask + 1) {
		uint32_t *slots = calloc(want, sizeof(*slots));

		if (slots == NULL) {
			ix->valid = false;
			return -ENOMEM;
		}
		free(ix->slots);
		ix->slots = slots;
		ix->mask = (uint32_t)(want - 1);
	} else {
		memset(ix->slots, 0, want * sizeof(*ix->slots));
	}
	for (unsigned i = 0; i < nb; i++)
		index_put(ix, routes, i);
	ix->nb = nb;
	ix->routes = routes;
	ix->valid = true;
	return 0;
}

int
config_route_index_sync(const struct vbr_config *cfg, bool force)
{
	/* The index is the config's cache, not its value: a const config may
	 * bring it up to date (it is allocated apart, never const). */
	struct config_route_index *ix = cfg->route_index;

	if (ix == NULL)
		return -ENOMEM;
	if (!force && ix->valid && ix->nb == cfg->nb_routes && ix->routes == cfg->routes)
		return 0;
	return index_build(ix, cfg->routes, cfg->nb_routes);
}

long
config_route_find(const struct vbr_config *cfg, const struct vbr_prefix *prefix)
{
	const struct config_route_index *ix = cfg->route_index;

	if (config_route_index_sync(cfg, false) < 0) {
		/* No memory for the index: the slow way still answers. */
		for (unsigned i = 0; i < cfg->nb_routes; i++)
			if (same_prefix(&cfg->routes[i].prefix, prefix))
				return i;
		return -1;
	}
	for (uint32_t h = hash_prefix(prefix) & ix->mask; ix->slots[h] != 0;
		h = (h + 1) & ix->mask) {
		unsigned i = ix->slots[h] - 1;

		if (i < cfg->nb_routes && same_prefix(&cfg->routes[i].prefix, prefix))
			return i;
	}
	return -1;
}

int
config_routes_reserve(struct vbr_config *cfg, unsigned n)
{
	struct vbr_static_route *bigger;
	size_t cap;

	if (n <= cfg->routes_cap)
		return 0;
	cap = cfg->routes_cap ? (size_t)cfg->routes_cap * 2 : 64;
	if (cap < n)
		cap = n;
	if (cap > UINT32_MAX / 4)
		return -ENOMEM;
	bigger = realloc(cfg->routes, cap * sizeof(*bigger));
	if (bigger == NULL)
		return -ENOMEM;
	/* The index holds positions, not pointers: it follows the array. */
	if (cfg->route_index && cfg->route_index->routes == cfg->routes)
		cfg->route_index->routes = bigger;
	cfg->routes = bigger;
	cfg->routes_cap = (unsigned)cap;
	return 0;
}

int
config_route_add(struct vbr_config *cfg, const struct vbr_static_route *r)
{
	struct config_route_index *ix = cfg->route_index;
	unsigned i = cfg->nb_routes;
	int port;
	int rc;

	if (config_route_find(cfg, &r->prefix) >= 0)
		return -EEXIST;
	if (i == UINT32_MAX - 1)
		return -ENOMEM;
	rc = config_routes_reserve(cfg, i + 1);
	if (rc < 0)
		return rc;
	cfg->routes[i] = *r;
	port = config_port_of(cfg, r->next_hop);
	if (port >= 0)
		cfg->routes[i].port = (enum vbr_port_id)port;
	cfg->nb_routes = i + 1;
	/* Up to date before: one more slot, or a bigger table at half full. */
	if (ix && ix->valid && ix->nb == i && ix->routes == cfg->routes &&
		2 * ((uint64_t)i + 2) <= (uint64_t)ix->mask + 1) {
		index_put(ix, cfg->routes, i);
		ix->nb = i + 1;
	} else if (ix) {
		index_build(ix, cfg->routes, cfg->nb_routes); /* no memory: rebuilt later */
	}
	return 0;
}

void
config_route_delete(struct vbr_config *cfg, unsigned i)
{
	if (i >= cfg->nb_routes)
		return;
	memmove(&cfg->routes[i], &cfg->routes[i + 1],
		(cfg->nb_routes - i - 1) * sizeof(cfg->routes[0]));
	cfg->nb_routes--;
	if (cfg->route_index)
		index_build(cfg->route_index, cfg->routes, cfg->nb_routes);
}

int
config_routes_reindex(struct vbr_config *cfg)
{
	return config_route_index_sync(cfg, true);
}

/* --- the config's memory --- */

struct vbr_config *
config_alloc(void)
{
	struct vbr_config *cfg = calloc(1, sizeof(struct vbr_config));

	if (cfg == NULL)
		return NULL;
	cfg->route_index = calloc(1, sizeof(*cfg->route_index));
	if (cfg->route_index == NULL) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void
config_free(struct vbr_config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->route_index)
		free(cfg->route_index->slots);
	free(cfg->route_index);
	free(cfg->routes);
	free(cfg);
}

void
config_reset(struct vbr_config *cfg)
{
	struct vbr_static_route *routes = cfg->routes;
	struct config_route_index *ix = cfg->route_index;
	unsigned cap = cfg->routes_cap;

	memset(cfg, 0, sizeof(*cfg));
	cfg->routes = routes;
	cfg->routes_cap = cap;
	cfg->route_index = ix;
	if (ix)
		ix->valid = false;
}

struct vbr_config *
config_clone(const struct vbr_config *cfg)
{
	struct vbr_config *copy = config_alloc();
	struct config_route_index *ix;

	if (copy == NULL)
		return NULL;
	ix = copy->route_index;
	memcpy(copy, cfg, sizeof(*copy));
	copy->route_index = ix;
	copy->routes = NULL;
	copy->routes_cap = 0;
	copy->nb_routes = 0;
	if (config_routes_reserve(copy, cfg->nb_routes ? cfg->nb_routes : 1) < 0) {
		config_free(copy);
		return NULL;
	}
	if (cfg->nb_routes)
		memcpy(copy->routes, cfg->routes, cfg->nb_routes * sizeof(cfg->routes[0]));
	copy->nb_routes = cfg->nb_routes;
	/* The index is rebuilt on first use: a clone that only changes a group
	 * does not pay for it. */
	return copy;
}

/* --- finding and removing objects --- */

int
config_group_find(const struct vbr_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nb_groups; i++)
		if (strcmp(cfg->groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
config_peer_find(const struct vbr_config *cfg, uint32_t address)
{
	for (unsigned i = 0; i < cfg->nb_peers; i++)
		if (cfg->peers[i].address == address)
			return (int)i;
	return -1;
}

int
config_network_find(const struct vbr_config *cfg, const struct vbr_prefix *prefix)
{
	for (unsigned i = 0; i < cfg->nb_networks; i++)
		if (same_prefix(&cfg->networks[i], prefix))
			return (int)i;
	return -1;
}

int
config_neighbor_find(const struct vbr_config *cfg, uint32_t address)
{
	for (unsigned i = 0; i < cfg->nb_neighbors; i++)
		if (cfg->neighbors[i].address == address)
			return (int)i;
	return -1;
}

#define REMOVE(array, nb, i)                                                                       \
	do {                                                                                       \
		if ((i) < (nb)) {                                                                  \
			memmove(&(array)[i], &(array)[(i) + 1],                                    \
				((nb) - (i) - 1) * sizeof((array)[0]));                            \
			(nb)--;                                                                    \
		}                                                                                  \
	} while (0)

void
config_group_delete(struct vbr_config *cfg, unsigned i)
{
	if (i >= cfg->nb_groups)
		return;
	REMOVE(cfg->groups, cfg->nb_groups, i);
	for (unsigned p = 0; p < cfg->nb_peers; p++)
		if (cfg->peers[p].group > i)
			cfg->peers[p].group--;
}

void
config_peer_delete(struct vbr_config *cfg, unsigned i)
{
	REMOVE(cfg->peers, cfg->nb_peers, i);
}

void
config_network_delete(struct vbr_config *cfg, unsigned i)
{
	REMOVE(cfg->networks, cfg->nb_networks, i);
}

void
config_neighbor_delete(struct vbr_config *cfg, unsigned i)
{
	REMOVE(cfg->neighbors, cfg->nb_neighbors, i);
}

int
config_port_of(const struct vbr_config *cfg, uint32_t addr)
{
	for (int i = 0; i < VBR_NB_PORTS; i++) {
		const struct vbr_port_config *p = &cfg->ports[i];
		uint32_t mask = config_prefix_mask(p->prefix_len);

		/* An unset port (length 0) holds nothing, not everything. */
		if (p->prefix_len > 0 && p->prefix_len <= 32 && ((addr ^ p->address) & mask) == 0)
			return i;
	}
	return -1;
}

const char *
config_port_name(enum vbr_port_id port)
{
	static const char *const names[VBR_NB_PORTS] = {
		[VBR_PORT_IDC] = "idc",
		[VBR_PORT_VPC] = "vpc",
	};

	return (unsigned int)port < VBR_NB_PORTS ? names[port] : "?";
}

const char *
config_ip_str(uint32_t addr, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		addr & 0xff);
	return buf;
}

const char *
config_prefix_str(const struct vbr_prefix *prefix, char *buf, size_t len)
{
	char ip[VBR_IP_STRLEN];

	snprintf(buf, len, "%s/%u", config_ip_str(prefix->addr, ip, sizeof(ip)), prefix->len);
	return buf;
}
