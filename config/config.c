/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config loader's entry points: read a file, let libyaml build the
 * document, hand its root to the schema (schema.c), and turn libyaml's own
 * errors into the same "FILE:LINE:COLUMN: message" form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
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

struct vbr_config *
config_alloc(void)
{
	return calloc(1, sizeof(struct vbr_config));
}

void
config_free(struct vbr_config *cfg)
{
	free(cfg);
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
