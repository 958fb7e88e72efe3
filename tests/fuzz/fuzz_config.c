/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the config loader: arbitrary bytes as a YAML file.
 * A refused file must get one message that names file:line:column; an
 * accepted one must obey the product's rules (at most max_peers peers, each
 * on the IDC subnet and in a known group, eBGP only, next hops and
 * neighbours on a port's subnet, prefixes with no host bits, IPv4 only),
 * pass config_validate() (the rules the management API applies), and
 * come back equal from the writer's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rules.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_config: %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static int
on_subnet(const struct vbr_port_config *p, uint32_t a)
{
	uint32_t m = config_prefix_mask(p->prefix_len);

	return (a & m) == (p->address & m);
}

/* A group's bfd: the cloud's ranges; a key no longer than its type takes. */
static void
check_bfd(const struct vbr_bfd *b)
{
	if (!b->enabled) {
		CHECK(!b->auth.enabled);
		return;
	}
	CHECK(b->min_rx >= VBR_BFD_INTERVAL_MIN && b->min_rx <= VBR_BFD_INTERVAL_MAX);
	CHECK(b->min_tx >= VBR_BFD_INTERVAL_MIN && b->min_tx <= VBR_BFD_INTERVAL_MAX);
	CHECK(b->multiplier >= VBR_BFD_MULT_MIN && b->multiplier <= VBR_BFD_MULT_MAX);
	if (!b->auth.enabled)
		return;
	CHECK(b->auth.key[0] != '\0' && strlen(b->auth.key) <= VBR_BFD_KEY_MAX);
	CHECK(strlen(b->auth.key) <= 16 || (b->auth.type != VBR_BFD_AUTH_MD5 &&
						    b->auth.type != VBR_BFD_AUTH_METICULOUS_MD5));
}

static void
check_rules(const struct vbr_config *c)
{
	const struct vbr_port_config *idc = &c->ports[VBR_PORT_IDC];

	CHECK(c->max_peers <= VBR_MAX_PEERS);
	CHECK(c->nb_peers <= c->max_peers);
	CHECK(c->local_asn != 0);
	for (unsigned i = 0; i < VBR_NB_PORTS; i++) {
		CHECK(c->ports[i].prefix_len <= 32);
		CHECK(c->ports[i].mtu >= 68 && c->ports[i].mtu <= 9600);
		CHECK(c->ports[i].device[0] != '\0');
	}
	for (unsigned i = 0; i < c->nb_groups; i++) {
		CHECK(c->groups[i].peer_asn != 0 && c->groups[i].peer_asn != c->local_asn);
		CHECK(strlen(c->groups[i].key) <= VBR_KEY_MAX);
		CHECK(c->groups[i].error_wait_min <= c->groups[i].error_wait_max);
		CHECK(c->groups[i].max_prefix_len >= 1 && c->groups[i].max_prefix_len <= 32);
		/* A session negotiates at most our hold time: never below the
		 * minimum, never 0 unless the minimum is. */
		CHECK(c->groups[i].hold_time >= c->groups[i].min_hold_time);
		CHECK(c->groups[i].send_hold_time == 0 ||
			c->groups[i].send_hold_time > c->groups[i].hold_time);
		CHECK(c->groups[i].max_as_path_len >= 1 &&
			c->groups[i].max_as_path_len <= VBR_MAX_AS_PATH_LEN);
		check_bfd(&c->groups[i].bfd);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(c->groups[i].name, c->groups[j].name) != 0);
	}
	for (unsigned i = 0; i < c->nb_peers; i++) {
		CHECK(c->peers[i].group < c->nb_groups);
		CHECK(on_subnet(idc, c->peers[i].address));
		CHECK(c->peers[i].address != idc->address);
		for (unsigned j = 0; j < i; j++)
			CHECK(c->peers[i].address != c->peers[j].address);
	}
	for (unsigned i = 0; i < c->nb_networks; i++) {
		CHECK(c->networks[i].len <= 32);
		CHECK((c->networks[i].addr & ~config_prefix_mask(c->networks[i].len)) == 0);
	}
	for (unsigned i = 0; i < c->nb_routes; i++) {
		const struct vbr_static_route *r = &c->routes[i];

		CHECK(r->prefix.len <= 32);
		CHECK((r->prefix.addr & ~config_prefix_mask(r->prefix.len)) == 0);
		CHECK(r->port < VBR_NB_PORTS && on_subnet(&c->ports[r->port], r->next_hop));
	}
	for (unsigned i = 0; i < c->nb_neighbors; i++)
		CHECK(c->neighbors[i].port < VBR_NB_PORTS &&
				on_subnet(&c->ports[c->neighbors[i].port], c->neighbors[i].address));
}

/* "fuzz.yaml:LINE:COLUMN: what", on one line. */
static void
check_error(const char *err)
{
	const char *p = err;
	unsigned line, col;
	int n = 0;

	CHECK(strncmp(p, "fuzz.yaml:", 10) == 0);
	CHECK(sscanf(p + 10, "%u:%u: %n", &line, &col, &n) == 2 && n > 0);
	CHECK(line >= 1 && col >= 1);
	CHECK(p[10 + n] != '\0');
	CHECK(strchr(err, '\n') == NULL);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vbr_config *cfg = config_alloc();
	char err[512];
	int rc;

	CHECK(cfg != NULL);
	err[0] = '\0';
	rc = config_load_buffer("fuzz.yaml", (const char *)data, size, cfg, err, sizeof(err));
	if (rc == 0) {
		struct vbr_config *back = config_alloc();
		char *text;
		size_t len;

		check_rules(cfg);
		if (config_validate(cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_config: loaded but refused: %s\n", err);
			abort();
		}
		CHECK(back != NULL);
		CHECK(config_emit(cfg, &text, &len, err, sizeof(err)) == 0);
		if (config_load_buffer("back.yaml", text, len, back, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_config: written text refused: %s\n%s", err, text);
			abort();
		}
		CHECK(config_equal(cfg, back));
		free(text);
		config_free(back);
	} else
		check_error(err);
	config_free(cfg);
	return 0;
}
