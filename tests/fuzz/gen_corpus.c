/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_bgp_msg into the directory given: valid
 * messages of every type made by the codec's own encoders, plus a few
 * hand-written ones other speakers send, each behind the harness's mode byte.
 * tests/fuzz/corpus/ holds its output; run it again after changing it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"

#define MODE_AS4 0x01
#define MODE_BODY 0x04
#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const char *dir;
static struct bgp_path_attrs attrs;

static void
write_seed(const char *name, uint8_t mode, const uint8_t *msg, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 || fwrite(msg, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* The same message in stream form and in body form. */
static void
seed(const char *name, uint8_t mode, const uint8_t *msg, int len)
{
	uint8_t body[BGP_MAX_MSG_LEN];
	char bname[256];

	if (len < BGP_HDR_LEN) {
		fprintf(stderr, "%s: encode failed (%d)\n", name, len);
		exit(1);
	}
	write_seed(name, mode, msg, (size_t)len);
	/* type byte (selector % 5 + 1), then the body */
	body[0] = (uint8_t)(msg[18] - 1);
	memcpy(body + 1, msg + BGP_HDR_LEN, (size_t)len - BGP_HDR_LEN);
	snprintf(bname, sizeof(bname), "%s-body", name);
	write_seed(bname, mode | MODE_BODY, body, (size_t)len - BGP_HDR_LEN + 1);
}

static int
hex(uint8_t *out, const char *s)
{
	int n = 0;
	unsigned v;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
		s++;
	}
	return n;
}

/* A message from the hex of its body: the header is computed. */
static int
hexmsg(uint8_t *out, uint8_t type, const char *body)
{
	int n = hex(out + BGP_HDR_LEN, body) + BGP_HDR_LEN;

	memset(out, 0xff, BGP_MARKER_LEN);
	out[16] = (uint8_t)(n >> 8);
	out[17] = (uint8_t)n;
	out[18] = type;
	return n;
}

/* An UPDATE with no withdrawals, from the hex of its attributes and NLRI. */
static int
hexupdate(uint8_t *out, const char *attrs, const char *nlri)
{
	uint8_t *b = out + BGP_HDR_LEN;
	int a = hex(b + 4, attrs), n;

	b[0] = b[1] = 0;
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
	n = BGP_HDR_LEN + 4 + a + hex(b + 4 + a, nlri);
	memset(out, 0xff, BGP_MARKER_LEN);
	out[16] = (uint8_t)(n >> 8);
	out[17] = (uint8_t)n;
	out[18] = BGP_MSG_UPDATE;
	return n;
}

int
main(int argc, char **argv)
{
	static uint8_t msg[BGP_MAX_MSG_LEN], stream[4 * BGP_MAX_MSG_LEN];
	struct bgp_prefix pfx[64];
	struct bgp_route_refresh rr = {BGP_AFI_IPV4, 0, BGP_SAFI_UNICAST};
	struct bgp_codec_ctx as2 = {.as4 = false}, as4 = {.as4 = true};
	struct bgp_notify n;
	struct bgp_open o;
	size_t wd, ad, slen = 0;
	int len;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	for (unsigned i = 0; i < 64; i++)
		pfx[i] = (struct bgp_prefix){IP(10, i, 0, 0), (uint8_t)(8 + i % 25), 0};
	for (unsigned i = 0; i < 64; i++)
		pfx[i].addr &= pfx[i].len ? ~(uint32_t)0 << (32 - pfx[i].len) : 0;

	bgp_open_init_local(&o, 45104, 90, IP(192, 0, 2, 1));
	seed("open-ours", MODE_AS4, msg, len = bgp_open_encode(msg, sizeof(msg), &o));
	memcpy(stream + slen, msg, (size_t)len);
	slen += (size_t)len;
	bgp_open_init_local(&o, 4200000001u, 180, IP(192, 0, 2, 2));
	seed("open-as4", MODE_AS4, msg, bgp_open_encode(msg, sizeof(msg), &o));
	seed("open-bird", MODE_AS4, msg,
		hexmsg(msg, BGP_MSG_OPEN,
			"04 fde8 00f0 0a000002 18"
			"02 16 01 04 0001 00 01 02 00 40 02 0078 41 04 0000fde8 46 00 47 00"));
	seed("open-ext", 0, msg,
		hexmsg(msg, BGP_MSG_OPEN, "04 fde9 00b4 0a000001 ff ff 0005 02 0002 0200"));

	seed("keepalive", 0, msg, len = bgp_keepalive_encode(msg, sizeof(msg)));
	memcpy(stream + slen, msg, (size_t)len);
	slen += (size_t)len;
	bgp_notify_set_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "maintenance");
	seed("notification-shutdown", 0, msg, bgp_notification_encode(msg, sizeof(msg), &n));
	bgp_notify_set(&n, BGP_ERR_UPDATE, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, 0);
	seed("notification-update", 0, msg, bgp_notification_encode(msg, sizeof(msg), &n));
	seed("route-refresh", 0, msg, bgp_route_refresh_encode(msg, sizeof(msg), &rr));
	seed("end-of-rib", 0, msg, bgp_end_of_rib_encode(msg, sizeof(msg)));

	bgp_path_attrs_init_local(&attrs, 45104, IP(192, 0, 2, 1));
	seed("update-local-as4", MODE_AS4, msg,
		len = bgp_update_encode(msg, sizeof(msg), &as4, NULL, 0, &wd, &attrs, pfx, 8, &ad));
	memcpy(stream + slen, msg, (size_t)len);
	slen += (size_t)len;
	seed("stream", MODE_AS4, stream, (int)slen);

	/* Everything we know, on both kinds of session. */
	bgp_as_path_prepend(&attrs.as_path, 4200000001u);
	bgp_as_path_prepend(&attrs.as_path, 65001);
	attrs.med = 10;
	attrs.local_pref = 100;
	attrs.atomic_aggregate = true;
	attrs.aggregator_as = 4200000002u;
	attrs.aggregator_addr = IP(10, 0, 0, 1);
	attrs.n_communities = 3;
	attrs.communities[0] = 0xfde90064;
	attrs.communities[1] = 0xffffff01;
	attrs.communities[2] = 0xffffff02;
	attrs.present |= 1u << BGP_ATTR_MED | 1u << BGP_ATTR_LOCAL_PREF |
			 1u << BGP_ATTR_ATOMIC_AGGREGATE | 1u << BGP_ATTR_AGGREGATOR |
			 1u << BGP_ATTR_COMMUNITIES;
	attrs.n_unknown = 1;
	attrs.unknown[0] = (struct bgp_attr_raw){0xc0, 32, 12, 0};
	memcpy(attrs.raw, "\x00\x00\xfd\xe9\x00\x00\x00\x01\x00\x00\x00\x02", 12);
	attrs.raw_len = 12;
	seed("update-full-as4", MODE_AS4, msg,
		bgp_update_encode(msg, sizeof(msg), &as4, pfx, 4, &wd, &attrs, pfx + 4, 16, &ad));
	seed("update-full-as2", 0, msg,
		bgp_update_encode(msg, sizeof(msg), &as2, pfx, 4, &wd, &attrs, pfx + 4, 16, &ad));
	seed("update-withdraw", 0, msg,
		bgp_update_encode(msg, sizeof(msg), &as2, pfx, 64, &wd, NULL, NULL, 0, &ad));

	/* Attributes past 255 bytes (Extended Length), prefixes past one
	 * message when an AS4_PATH is added. */
	for (unsigned i = 0; i < 120; i++)
		bgp_as_path_prepend(&attrs.as_path, i % 3 ? 65000 + i : 4200000000u + i);
	attrs.n_communities = 300;
	for (unsigned i = 0; i < 300; i++)
		attrs.communities[i] = 0xfde90000 + i;
	for (unsigned i = 0; i < 64; i++)
		pfx[i].len = 32;
	seed("update-big-as4", MODE_AS4, msg,
		bgp_update_encode(msg, sizeof(msg), &as4, NULL, 0, &wd, &attrs, pfx, 64, &ad));
	seed("update-big-as2", 0, msg,
		bgp_update_encode(msg, sizeof(msg), &as2, NULL, 0, &wd, &attrs, pfx, 64, &ad));
	seed("end-of-rib-mp", 0, msg, hexupdate(msg, "80 0f 03 0001 01", ""));

	/* MP_REACH/MP_UNREACH for IPv4 and IPv6, a confederation path. */
	seed("update-mp", 0, msg,
		hexupdate(msg,
			"80 0f 07 0001 01 18 cb0071"
			"80 0e 0d 0001 01 04 0a000009 00 18 c63364"
			"40 01 01 00 40 02 0c 03 01 fe4c 02 03 fde9 5ba0 5ba0"
			"c0 11 0a 02 02 fa56ea01 fa56ea02",
			""));
	seed("update-mp6", 0, msg,
		hexupdate(msg,
			"80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8"
			"40 01 01 00 40 02 04 02 01 fde9",
			""));
	seed("update-as4-merge", 0, msg,
		hexupdate(msg,
			"40 01 01 00 40 02 08 02 03 fde9 5ba0 5ba0 40 03 04 c0000201"
			"c0 07 06 5ba0 0a000002 c0 11 0a 02 02 fa56ea01 fa56ea02"
			"c0 12 08 fa56ea09 0a000003",
			"18 c63364 10 0a01"));
	return 0;
}
