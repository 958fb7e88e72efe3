/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config written back as YAML, with libyaml's emitter: the sections and
 * keys the loader reads, each value in the text form its parser takes
 * (value.h), a key only when it is required or its value is not the
 * default. The file is the management API's state: it is replaced
 * atomically and durably (a temporary file, fsync, rename, fsync of the
 * directory), so that a crash at any moment leaves the old file or the new
 * one. Also config_equal(), the test that a load gives back what was
 * written.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"
#include "schema.h"

#define HEADER                                                                                     \
	"# vbr configuration, written by vbr: a change made through the management\n"              \
	"# API (vbrctl) rewrites this file. Comments and key order are not kept.\n"

struct out {
	FILE *f;
	int err; /* the first write error, as an errno */
};

static int
write_handler(void *data, unsigned char *buf, size_t size)
{
	struct out *o = data;

	if (size && fwrite(buf, 1, size, o->f) != size) {
		if (o->err == 0)
			o->err = errno ? errno : EIO;
		return 0;
	}
	return 1;
}

/* --- events --- */

struct emit {
	yaml_emitter_t em;
	const struct vbr_config *cfg;
	const struct vbr_config *defaults;
	bool failed;
};

/* ok: the event was initialised. The emitter owns an event it was handed
 * (even one it failed on); one made after a failure is deleted here. */
static void
emit(struct emit *e, yaml_event_t *ev, int ok)
{
	if (!ok) {
		e->failed = true;
		return;
	}
	if (e->failed) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&e->em, ev))
		e->failed = true;
}

static void
scalar(struct emit *e, const char *text, bool quoted)
{
	yaml_event_t ev;

	emit(e, &ev,
		yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
			(int)strlen(text), 1, 1,
			quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE));
}

static void
map_start(struct emit *e, bool flow)
{
	yaml_event_t ev;

	emit(e, &ev,
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

static void
map_end(struct emit *e)
{
	yaml_event_t ev;

	emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void
seq_start(struct emit *e)
{
	yaml_event_t ev;

	emit(e, &ev,
		yaml_sequence_start_event_initialize(
			&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static void
seq_end(struct emit *e)
{
	yaml_event_t ev;

	emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Does obj state anything past its defaults (a section worth writing)? */
static bool
differs(const struct schema *s, const void *obj, const void *def, const struct vbr_config *cfg,
	const char *skip)
{
	char a[VALUE_TEXT_MAX], b[VALUE_TEXT_MAX];

	for (unsigned int i = 0; i < s->nb_fields; i++) {
		const struct field *f = &s->fields[i];

		if (f->type == NULL || (skip && strcmp(f->key, skip) == 0))
			continue;
		f->type->format(f, obj, cfg, a, sizeof(a));
		f->type->format(f, def, cfg, b, sizeof(b));
		if (strcmp(a, b) != 0)
			return true;
	}
	return false;
}

static void object(struct emit *e, const struct schema *s, const void *obj, const void *def,
	bool flow, const char *skip);

/* An optional sub-map that is there (a group's bfd), in flow style, its
 * keys compared with the defaults it gets when it appears. */
static void
sub_object(struct emit *e, const struct field *f, const void *obj)
{
	const void *sub = (const char *)obj + f->off;
	_Alignas(max_align_t) char def[256];

	if (f->map == NULL || f->map->present == NULL || !f->map->present(sub))
		return;
	if (f->map->size > sizeof(def) || f->map->init == NULL) {
		e->failed = true;
		return;
	}
	f->map->init(def);
	scalar(e, f->key, false);
	object(e, f->map, sub, def, true, NULL);
}

/* The keys of obj that are required or not at their default (def); skip
 * is a key left out (the router id when it is the default's value). */
static void
object(struct emit *e, const struct schema *s, const void *obj, const void *def, bool flow,
	const char *skip)
{
	char text[VALUE_TEXT_MAX], dtext[VALUE_TEXT_MAX];

	map_start(e, flow);
	for (unsigned int i = 0; i < s->nb_fields; i++) {
		const struct field *f = &s->fields[i];

		if (f->type == NULL && f->map && f->map->present) {
			sub_object(e, f, obj);
			continue;
		}
		if (f->type == NULL || (skip && strcmp(f->key, skip) == 0))
			continue;
		f->type->format(f, obj, e->cfg, text, sizeof(text));
		if (!f->required && def) {
			f->type->format(f, def, e->cfg, dtext, sizeof(dtext));
			if (strcmp(text, dtext) == 0)
				continue;
		}
		scalar(e, f->key, false);
		scalar(e, text, f->type->quoted);
	}
	map_end(e);
}

static void
section_vbr(struct emit *e)
{
	const struct vbr_config *cfg = e->cfg;
	/* The router id defaults to the idc port's address, whatever it is. */
	const char *skip = cfg->router_id == cfg->ports[VBR_PORT_IDC].address ? "router_id" : NULL;

	if (differs(&schema_vbr, cfg, e->defaults, cfg, skip)) {
		scalar(e, "vbr", false);
		object(e, &schema_vbr, cfg, e->defaults, false, skip);
	}
}

static void
section_ports(struct emit *e)
{
	scalar(e, "ports", false);
	map_start(e, false);
	for (int i = 0; i < VBR_NB_PORTS; i++) {
		scalar(e, config_port_name(i), false);
		object(e, &schema_port, &e->cfg->ports[i], &e->defaults->ports[i], false, NULL);
	}
	map_end(e);
}

static void
section_fib(struct emit *e)
{
	if (!differs(&schema_fib, &e->cfg->fib, &e->defaults->fib, e->cfg, NULL))
		return;
	scalar(e, "fib", false);
	object(e, &schema_fib, &e->cfg->fib, &e->defaults->fib, false, NULL);
}

static void
section_metrics(struct emit *e)
{
	if (e->cfg->metrics.listen_port == 0)
		return;
	scalar(e, "metrics", false);
	object(e, &schema_metrics, &e->cfg->metrics, &e->defaults->metrics, false, NULL);
}

/* The bgp section's own keys (multipath...) that are not at their default. */
static void
bgp_keys(struct emit *e)
{
	char text[VALUE_TEXT_MAX], dtext[VALUE_TEXT_MAX];

	for (unsigned int i = 0; i < schema_bgp.nb_fields; i++) {
		const struct field *f = &schema_bgp.fields[i];

		if (f->type == NULL)
			continue;
		f->type->format(f, e->cfg, e->cfg, text, sizeof(text));
		f->type->format(f, e->defaults, e->cfg, dtext, sizeof(dtext));
		if (strcmp(text, dtext) == 0)
			continue;
		scalar(e, f->key, false);
		scalar(e, text, f->type->quoted);
	}
}

static void
section_bgp(struct emit *e)
{
	const struct vbr_config *cfg = e->cfg;
	struct vbr_bgp_group def;
	char text[VBR_PREFIX_STRLEN];

	if (cfg->nb_groups + cfg->nb_peers + cfg->nb_networks == 0 &&
		!differs(&schema_bgp, cfg, e->defaults, cfg, NULL))
		return;
	schema_group_defaults(&def);
	scalar(e, "bgp", false);
	map_start(e, false);
	if (cfg->nb_groups) {
		scalar(e, "groups", false);
		seq_start(e);
		for (unsigned int i = 0; i < cfg->nb_groups; i++)
			object(e, &schema_group, &cfg->groups[i], &def, false, NULL);
		seq_end(e);
	}
	if (cfg->nb_peers) {
		struct vbr_bgp_peer none = {0};

		scalar(e, "peers", false);
		seq_start(e);
		for (unsigned int i = 0; i < cfg->nb_peers; i++)
			object(e, &schema_peer, &cfg->peers[i], &none, true, NULL);
		seq_end(e);
	}
	if (cfg->nb_networks) {
		scalar(e, "networks", false);
		seq_start(e);
		for (unsigned int i = 0; i < cfg->nb_networks; i++)
			scalar(e, config_prefix_str(&cfg->networks[i], text, sizeof(text)), false);
		seq_end(e);
	}
	bgp_keys(e);
	map_end(e);
}

/* { prefix: P, next_hop: A } or { prefix: P, next_hops: [A, B] }. */
static void
route_object(struct emit *e, const struct vbr_static_route *r)
{
	char text[VBR_PREFIX_STRLEN];
	yaml_event_t ev;

	if (r->nb_next_hops == 0) {
		object(e, &schema_route, r, NULL, true, "next_hops");
		return;
	}
	map_start(e, true);
	scalar(e, "prefix", false);
	scalar(e, config_prefix_str(&r->prefix, text, sizeof(text)), false);
	scalar(e, "next_hops", false);
	emit(e, &ev,
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE));
	for (unsigned int i = 0; i < r->nb_next_hops && i < VBR_MAX_NEXT_HOPS; i++)
		scalar(e, config_ip_str(r->next_hops[i], text, sizeof(text)), false);
	seq_end(e);
	map_end(e);
}

static void
section_routes(struct emit *e)
{
	const struct vbr_config *cfg = e->cfg;

	if (cfg->nb_routes == 0)
		return;
	scalar(e, "routes", false);
	seq_start(e);
	for (unsigned int i = 0; i < cfg->nb_routes && !e->failed; i++)
		route_object(e, &cfg->routes[i]);
	seq_end(e);
}

static void
section_neighbors(struct emit *e)
{
	const struct vbr_config *cfg = e->cfg;

	if (cfg->nb_neighbors == 0)
		return;
	scalar(e, "neighbors", false);
	seq_start(e);
	for (unsigned int i = 0; i < cfg->nb_neighbors; i++)
		object(e, &schema_neighbor, &cfg->neighbors[i], NULL, true, NULL);
	seq_end(e);
}

/* The YAML text into f. 0, or a negative errno with err "what: why" (no path). */
static int
emit_config(const struct vbr_config *cfg, FILE *f, char *err, size_t errlen)
{
	struct out o = {.f = f};
	struct emit e = {.cfg = cfg};
	struct vbr_config *defaults = config_alloc();
	yaml_event_t ev;
	int rc = 0;

	if (defaults == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	schema_defaults(defaults);
	e.defaults = defaults;
	if (!yaml_emitter_initialize(&e.em)) {
		config_free(defaults);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	yaml_emitter_set_output(&e.em, write_handler, &o);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_width(&e.em, -1); /* never fold a long description */
	yaml_emitter_set_indent(&e.em, 2);
	if (fputs(HEADER, f) == EOF)
		o.err = errno ? errno : EIO;

	emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	map_start(&e, false);
	section_vbr(&e);
	section_ports(&e);
	section_fib(&e);
	section_metrics(&e);
	section_bgp(&e);
	section_routes(&e);
	section_neighbors(&e);
	map_end(&e);
	emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
	if (!e.failed && !yaml_emitter_flush(&e.em))
		e.failed = true;

	if (o.err) {
		rc = -o.err;
		snprintf(err, errlen, "cannot write: %s", strerror(o.err));
	} else if (e.failed) {
		rc = e.em.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
		snprintf(err, errlen, "cannot write: %s",
			e.em.problem ? e.em.problem : "YAML emitter error");
	}
	yaml_emitter_delete(&e.em);
	config_free(defaults);
	return rc;
}

int
config_emit(const struct vbr_config *cfg, char **text, size_t *len, char *err, size_t errlen)
{
	char dummy[1];
	FILE *f;
	int rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	*text = NULL;
	*len = 0;
	f = open_memstream(text, len);
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = emit_config(cfg, f, err, errlen);
	if (fclose(f) != 0 && rc == 0) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
	}
	if (rc < 0) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return rc;
}

/* --- the file --- */

static int
file_error(char *err, size_t errlen, const char *path, const char *what, int errnum)
{
	snprintf(err, errlen, "%s: %s: %s", path, what, strerror(errnum));
	return -errnum;
}

/* The directory's entry made durable: the rename is in it. Some file
 * systems cannot sync a directory (EINVAL): nothing more can be done there. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

int
config_write(const struct vbr_config *cfg, const char *path, char *err, size_t errlen)
{
	char dummy[1], why[256], real[PATH_MAX], *tmp = NULL;
	const char *target = path;
	struct stat st;
	FILE *f = NULL;
	size_t n;
	int fd = -1, rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (cfg == NULL || path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "no file to write the config to");
		return -EINVAL;
	}
	/* Write where a symbolic link points: renaming over the link would
	 * replace it with a file. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (realpath(path, real) == NULL)
			return file_error(err, errlen, path, "cannot follow the link", errno);
		target = real;
	}
	n = strlen(target) + 32;
	tmp = malloc(n);
	if (tmp == NULL)
		return file_error(err, errlen, path, "cannot write", ENOMEM);
	snprintf(tmp, n, "%s.tmp.%ld", target, (long)getpid());

	/* 0600 whatever the umask: the file holds the TCP-MD5 keys. A stale
	 * temporary file of an earlier process with our pid is overwritten. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = file_error(err, errlen, path, "cannot create a temporary file", errno);
		free(tmp);
		return rc;
	}
	if (fchmod(fd, 0600) < 0) {
		rc = file_error(err, errlen, path, "cannot write", errno);
		goto fail;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = file_error(err, errlen, path, "cannot write", errno);
		goto fail;
	}
	fd = -1;
	rc = emit_config(cfg, f, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = file_error(err, errlen, path, "cannot write", errno);
		goto fail;
	}
	rc = fclose(f);
	f = NULL;
	if (rc != 0) {
		rc = file_error(err, errlen, path, "cannot write", errno);
		goto fail;
	}
	if (rename(tmp, target) < 0) {
		rc = file_error(err, errlen, path, "cannot replace", errno);
		goto fail;
	}
	free(tmp);
	/* The new file is in place; only its durability is in doubt now. */
	rc = sync_dir(target);
	if (rc < 0)
		return file_error(err, errlen, path, "cannot sync its directory", -rc);
	return 0;

fail:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

/* --- equality --- */

#define NB_NH(n) ((n) < VBR_MAX_NEXT_HOPS ? (n) : VBR_MAX_NEXT_HOPS)

static bool
same_object(const struct schema *s, const void *a, const void *b, const struct vbr_config *ca,
	const struct vbr_config *cb)
{
	char ta[VALUE_TEXT_MAX], tb[VALUE_TEXT_MAX];

	for (unsigned int i = 0; i < s->nb_fields; i++) {
		const struct field *f = &s->fields[i];

		if (f->type == NULL && f->map && f->map->present) {
			const void *sa = (const char *)a + f->off, *sb = (const char *)b + f->off;

			if (f->map->present(sa) != f->map->present(sb) ||
				(f->map->present(sa) && !same_object(f->map, sa, sb, ca, cb)))
				return false;
			continue;
		}
		if (f->type == NULL)
			continue;
		f->type->format(f, a, ca, ta, sizeof(ta));
		f->type->format(f, b, cb, tb, sizeof(tb));
		if (strcmp(ta, tb) != 0)
			return false;
	}
	return true;
}

bool
config_equal(const struct vbr_config *a, const struct vbr_config *b)
{
	if (a == b)
		return true;
	if (a == NULL || b == NULL)
		return false;
	if (!same_object(&schema_vbr, a, b, a, b) ||
		!same_object(&schema_fib, &a->fib, &b->fib, a, b) ||
		!same_object(&schema_metrics, &a->metrics, &b->metrics, a, b) ||
		!same_object(&schema_bgp, a, b, a, b))
		return false;
	for (int i = 0; i < VBR_NB_PORTS; i++)
		if (!same_object(&schema_port, &a->ports[i], &b->ports[i], a, b))
			return false;
	if (a->nb_groups != b->nb_groups || a->nb_peers != b->nb_peers ||
		a->nb_networks != b->nb_networks || a->nb_routes != b->nb_routes ||
		a->nb_neighbors != b->nb_neighbors)
		return false;
	for (unsigned int i = 0; i < a->nb_groups && i < VBR_MAX_GROUPS; i++)
		if (!same_object(&schema_group, &a->groups[i], &b->groups[i], a, b))
			return false;
	/* A peer's group by name (and by place: the groups are the same). */
	for (unsigned int i = 0; i < a->nb_peers && i < VBR_MAX_PEERS; i++)
		if (a->peers[i].group != b->peers[i].group ||
			!same_object(&schema_peer, &a->peers[i], &b->peers[i], a, b))
			return false;
	for (unsigned int i = 0; i < a->nb_networks && i < VBR_MAX_NETWORKS; i++)
		if (a->networks[i].addr != b->networks[i].addr ||
			a->networks[i].len != b->networks[i].len)
			return false;
	for (unsigned int i = 0; i < a->nb_routes; i++) {
		const struct vbr_static_route *x = &a->routes[i], *y = &b->routes[i];

		if (x->prefix.addr != y->prefix.addr || x->prefix.len != y->prefix.len ||
			x->next_hop != y->next_hop || x->port != y->port ||
			!same_object(&schema_track, &x->track, &y->track, a, b) ||
			x->nb_next_hops != y->nb_next_hops ||
			memcmp(x->next_hops, y->next_hops,
				NB_NH(x->nb_next_hops) * sizeof(x->next_hops[0])) != 0)
			return false;
	}
	for (unsigned int i = 0; i < a->nb_neighbors && i < VBR_MAX_NEIGHBORS; i++) {
		const struct vbr_neighbor *x = &a->neighbors[i], *y = &b->neighbors[i];

		if (x->address != y->address || memcmp(x->mac, y->mac, 6) != 0 ||
			x->port != y->port)
			return false;
	}
	return true;
}
