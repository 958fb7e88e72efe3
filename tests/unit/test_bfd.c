/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of BFD's pure parts: the control packet codec and every
 * reception check of RFC 5880 §6.8.6 (control/bfd_packet.c), MD5 and SHA-1
 * against their standards' vectors (control/digest.c), the keyed
 * authentications and their sequence numbers (control/bfd_auth.c), and the
 * session state machine (control/bfd_fsm.c) driven through §6.8.6 by its
 * one entry point: Down/Init/Up/AdminDown, the detection time and its
 * expiry (diag 1), the Poll Sequence of an interval change (§6.8.3), the
 * transmit interval and its jitter (§6.8.7), the slow rate while not Up.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "bfd_auth.h"
#include "bfd_fsm.h"
#include "bfd_packet.h"
#include "digest.h"

#define MS 1000u
#define T0 1000000000ull /* the tests' clock starts here (us) */

/* ------------------------------------------------------------- digests */

static void
hex(const uint8_t *d, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static const char *
md5_hex(const char *s)
{
	static char out[33];
	uint8_t d[MD5_DIGEST_LEN];

	md5((const uint8_t *)s, strlen(s), d);
	hex(d, sizeof(d), out);
	return out;
}

static const char *
sha1_hex(const char *s)
{
	static char out[41];
	uint8_t d[SHA1_DIGEST_LEN];

	sha1((const uint8_t *)s, strlen(s), d);
	hex(d, sizeof(d), out);
	return out;
}

START_TEST(md5_vectors)
{
	/* RFC 1321 A.5 */
	ck_assert_str_eq(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
	ck_assert_str_eq(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
	ck_assert_str_eq(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
	ck_assert_str_eq(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
		"d174ab98d277d9f5a5611c2c9f419d9f");
	ck_assert_str_eq(md5_hex("1234567890123456789012345678901234567890123456789012345678901234"
				 "5678901234567890"),
		"57edf4a22be3c955ac49da2e2107b67a");
}
END_TEST

START_TEST(sha1_vectors)
{
	/* FIPS 180 examples; 56 bytes needs a second padding block. */
	ck_assert_str_eq(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	ck_assert_str_eq(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
	ck_assert_str_eq(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
		"84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	ck_assert_str_eq(sha1_hex("The quick brown fox jumps over the lazy dog"),
		"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}
END_TEST

/* -------------------------------------------------------------- packets */

static struct bfd_ctrl
sample(void)
{
	struct bfd_ctrl p = {
		.version = 1,
		.diag = BFD_DIAG_DETECT_EXPIRED,
		.state = BFD_UP,
		.poll = true,
		.detect_mult = 3,
		.my_disc = 0x11223344,
		.your_disc = 0x55667788,
		.desired_min_tx = 300000,
		.required_min_rx = 200000,
	};
	return p;
}

START_TEST(packet_round_trip)
{
	struct bfd_ctrl p = sample(), q;
	uint8_t buf[BFD_CTRL_MAX_LEN];
	int n = bfd_ctrl_encode(&p, buf, sizeof(buf));

	ck_assert_int_eq(n, 24);
	/* The wire, as RFC 5880 §4.1 draws it. */
	ck_assert_uint_eq(buf[0], 0x21);	/* version 1, diag 1 */
	ck_assert_uint_eq(buf[1], 0xc0 | 0x20); /* Up, Poll */
	ck_assert_uint_eq(buf[2], 3);
	ck_assert_uint_eq(buf[3], 24);
	ck_assert_uint_eq(buf[4], 0x11);
	ck_assert_uint_eq(buf[15], 0xe0); /* 300000 = 0x000493e0 */
	ck_assert_int_eq(bfd_ctrl_decode(buf, (size_t)n, &q), BFD_OK);
	ck_assert_uint_eq(q.state, BFD_UP);
	ck_assert(q.poll && !q.final && !q.auth && !q.demand && !q.multipoint);
	ck_assert_uint_eq(q.diag, 1);
	ck_assert_uint_eq(q.my_disc, p.my_disc);
	ck_assert_uint_eq(q.your_disc, p.your_disc);
	ck_assert_uint_eq(q.desired_min_tx, 300000);
	ck_assert_uint_eq(q.required_min_rx, 200000);
	ck_assert_uint_eq(q.required_min_echo_rx, 0);
	/* No room: refused. */
	ck_assert_int_lt(bfd_ctrl_encode(&p, buf, 23), 0);
}
END_TEST

/* A valid packet's bytes with one change, decoded. */
static enum bfd_drop
mutated(size_t len, void (*fn)(uint8_t *b))
{
	struct bfd_ctrl p = sample(), q;
	uint8_t buf[64] = {0};

	p.poll = false;
	bfd_ctrl_encode(&p, buf, sizeof(buf));
	if (fn)
		fn(buf);
	return bfd_ctrl_decode(buf, len, &q);
}

static void
version0(uint8_t *b)
{
	b[0] = (uint8_t)(b[0] & 0x1f);
}
static void
version2(uint8_t *b)
{
	b[0] = (uint8_t)(2 << 5 | (b[0] & 0x1f));
}
static void
len23(uint8_t *b)
{
	b[3] = 23;
}
static void
len25_auth(uint8_t *b)
{
	b[1] |= 0x04;
	b[3] = 25;
}
static void
len40(uint8_t *b)
{
	b[3] = 40;
}
static void
mult0(uint8_t *b)
{
	b[2] = 0;
}
static void
multipoint(uint8_t *b)
{
	b[1] |= 0x01;
}
static void
mydisc0(uint8_t *b)
{
	memset(b + 4, 0, 4);
}
static void
yourdisc0(uint8_t *b)
{
	memset(b + 8, 0, 4);
}
static void
yourdisc0_init(uint8_t *b)
{
	memset(b + 8, 0, 4);
	b[1] = (uint8_t)(BFD_INIT << 6);
}
static void
yourdisc0_down(uint8_t *b)
{
	memset(b + 8, 0, 4);
	b[1] = (uint8_t)(BFD_DOWN << 6);
}
static void
yourdisc0_admin(uint8_t *b)
{
	memset(b + 8, 0, 4);
	b[1] = 0;
}

START_TEST(packet_malformed)
{
	ck_assert_int_eq(mutated(24, NULL), BFD_OK);
	ck_assert_int_eq(mutated(0, NULL), BFD_DROP_SHORT);
	ck_assert_int_eq(mutated(23, NULL), BFD_DROP_SHORT);
	ck_assert_int_eq(bfd_ctrl_decode(NULL, 24, &(struct bfd_ctrl){0}), BFD_DROP_SHORT);
	ck_assert_int_eq(mutated(24, version0), BFD_DROP_VERSION);
	ck_assert_int_eq(mutated(24, version2), BFD_DROP_VERSION);
	ck_assert_int_eq(mutated(24, len23), BFD_DROP_LENGTH);
	ck_assert_int_eq(mutated(40, len25_auth), BFD_DROP_LENGTH);
	ck_assert_int_eq(mutated(24, len40), BFD_DROP_OVER_PAYLOAD);
	ck_assert_int_eq(mutated(39, len40), BFD_DROP_OVER_PAYLOAD);
	/* A longer payload than Length is fine (§6.8.6 checks Length only
	 * against the payload). */
	ck_assert_int_eq(mutated(40, NULL), BFD_OK);
	ck_assert_int_eq(mutated(24, mult0), BFD_DROP_DETECT_MULT);
	ck_assert_int_eq(mutated(24, multipoint), BFD_DROP_MULTIPOINT);
	ck_assert_int_eq(mutated(24, mydisc0), BFD_DROP_MY_DISC);
	/* Your Discriminator zero: only in Down or AdminDown. */
	ck_assert_int_eq(mutated(24, yourdisc0), BFD_DROP_YOUR_DISC);
	ck_assert_int_eq(mutated(24, yourdisc0_init), BFD_DROP_YOUR_DISC);
	ck_assert_int_eq(mutated(24, yourdisc0_down), BFD_OK);
	ck_assert_int_eq(mutated(24, yourdisc0_admin), BFD_OK);
}
END_TEST

/* An authenticated packet of type t with section length alen. */
static enum bfd_drop
auth_len_case(uint8_t t, uint8_t alen, uint8_t length, size_t payload)
{
	struct bfd_ctrl p = sample(), q;
	uint8_t buf[64] = {0};

	bfd_ctrl_encode(&p, buf, sizeof(buf));
	buf[1] |= 0x04;
	buf[3] = length;
	buf[24] = t;
	buf[25] = alen;
	return bfd_ctrl_decode(buf, payload, &q);
}

START_TEST(packet_auth_section)
{
	ck_assert_int_eq(auth_len_case(BFD_AUTH_KEYED_SHA1, 28, 52, 52), BFD_OK);
	ck_assert_int_eq(auth_len_case(BFD_AUTH_KEYED_MD5, 24, 48, 48), BFD_OK);
	/* MD5's section is 24 bytes, SHA1's 28 (§4.3, §4.4). */
	ck_assert_int_eq(auth_len_case(BFD_AUTH_KEYED_MD5, 28, 52, 52), BFD_DROP_AUTH_LENGTH);
	ck_assert_int_eq(auth_len_case(BFD_AUTH_METICULOUS_SHA1, 24, 48, 48), BFD_DROP_AUTH_LENGTH);
	/* The section must end where the packet does. */
	ck_assert_int_eq(auth_len_case(BFD_AUTH_KEYED_SHA1, 28, 50, 52), BFD_DROP_AUTH_LENGTH);
	ck_assert_int_eq(auth_len_case(BFD_AUTH_KEYED_SHA1, 1, 25 + 1, 52), BFD_DROP_AUTH_LENGTH);
	/* Past the payload. */
	ck_assert_int_eq(auth_len_case(BFD_AUTH_KEYED_SHA1, 28, 52, 40), BFD_DROP_OVER_PAYLOAD);
	/* A type we do not know decodes; the session refuses it. */
	ck_assert_int_eq(auth_len_case(BFD_AUTH_SIMPLE, 6, 30, 30), BFD_OK);
}
END_TEST

START_TEST(packet_auth_match)
{
	struct bfd_ctrl p = sample();

	ck_assert_int_eq(bfd_ctrl_auth_match(&p, BFD_AUTH_NONE), BFD_OK);
	/* Configured, but the packet has none. */
	ck_assert_int_eq(bfd_ctrl_auth_match(&p, BFD_AUTH_KEYED_SHA1), BFD_DROP_AUTH_MISMATCH);
	p.auth = true;
	p.auth_type = BFD_AUTH_KEYED_SHA1;
	/* Present, but not configured. */
	ck_assert_int_eq(bfd_ctrl_auth_match(&p, BFD_AUTH_NONE), BFD_DROP_AUTH_MISMATCH);
	ck_assert_int_eq(bfd_ctrl_auth_match(&p, BFD_AUTH_KEYED_SHA1), BFD_OK);
	ck_assert_int_eq(bfd_ctrl_auth_match(&p, BFD_AUTH_METICULOUS_SHA1), BFD_DROP_AUTH_TYPE);
	ck_assert_int_eq(bfd_ctrl_auth_match(&p, BFD_AUTH_KEYED_MD5), BFD_DROP_AUTH_TYPE);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(bfd_state_name(BFD_ADMIN_DOWN), "AdminDown");
	ck_assert_str_eq(bfd_state_name(BFD_UP), "Up");
	ck_assert_str_eq(bfd_diag_name(BFD_DIAG_DETECT_EXPIRED), "Control Detection Time Expired");
	ck_assert_str_eq(bfd_diag_name(BFD_DIAG_NEIGHBOR_DOWN), "Neighbor Signaled Session Down");
	ck_assert_str_eq(bfd_diag_name(31), "Reserved");
	ck_assert_str_eq(bfd_drop_name(BFD_OK), "ok");
	ck_assert_str_eq(bfd_drop_name(BFD_DROP_TTL), "bad_ttl");
	ck_assert_str_eq(bfd_drop_name(BFD_DROP_INTERFACE), "wrong_interface");
	ck_assert_str_eq(bfd_drop_name(BFD_DROP_OFF_SUBNET), "off_subnet");
	ck_assert_str_eq(bfd_drop_name(BFD_DROP_COUNT), "?");
	for (int d = 0; d < BFD_DROP_COUNT; d++)
		ck_assert_ptr_nonnull(bfd_drop_name(d));
	ck_assert_str_eq(bfd_fsm_event_name(BFD_EV_DETECT_EXPIRED), "detection time expired");
}
END_TEST

/* ------------------------------------------------------- authentication */

static struct bfd_auth_conf
auth_conf(enum bfd_auth_type t, const char *key)
{
	struct bfd_auth_conf c = {.type = t, .key_id = 7, .key_len = (uint8_t)strlen(key)};

	memcpy(c.key, key, c.key_len);
	return c;
}

/* A signed packet from a sender with state tx into buf; its length. */
static int
signed_packet(const struct bfd_auth_conf *c, struct bfd_auth_state *tx, uint8_t *buf)
{
	struct bfd_ctrl p = sample();
	int n;

	bfd_auth_prepare(c, tx, false, &p);
	n = bfd_ctrl_encode(&p, buf, BFD_CTRL_MAX_LEN);
	ck_assert_int_gt(n, 0);
	bfd_auth_sign(c, buf, (size_t)n);
	return n;
}

static enum bfd_drop
receive(const struct bfd_auth_conf *c, struct bfd_auth_state *rx, const uint8_t *buf, int n)
{
	struct bfd_ctrl q;
	enum bfd_drop d = bfd_ctrl_decode(buf, (size_t)n, &q);

	if (d == BFD_OK)
		d = bfd_ctrl_auth_match(&q, c->type);
	if (d == BFD_OK)
		d = bfd_auth_check(c, rx, &q, buf, (size_t)n);
	return d;
}

static void
auth_type_case(enum bfd_auth_type t, int len)
{
	struct bfd_auth_conf c = auth_conf(t, "secret"), wrong = auth_conf(t, "Secret");
	struct bfd_auth_state tx, rx;
	uint8_t buf[BFD_CTRL_MAX_LEN], copy[BFD_CTRL_MAX_LEN];
	int n;

	bfd_auth_init(&tx, 1000);
	bfd_auth_init(&rx, 0);
	n = signed_packet(&c, &tx, buf);
	ck_assert_int_eq(n, len);
	ck_assert_uint_eq(buf[24], t);
	ck_assert_uint_eq(buf[26], 7);
	memcpy(copy, buf, sizeof(copy));
	/* Another key: the digest is wrong. */
	ck_assert_int_eq(receive(&wrong, &rx, buf, n), BFD_DROP_AUTH_DIGEST);
	ck_assert(!rx.rcv_known);
	/* One bit of the packet changed: the digest is wrong. */
	copy[16] ^= 1;
	ck_assert_int_eq(receive(&c, &rx, copy, n), BFD_DROP_AUTH_DIGEST);
	ck_assert(!rx.rcv_known);
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_OK);
	ck_assert(rx.rcv_known);
	/* The same packet again: a replay for the meticulous types. */
	ck_assert_int_eq(
		receive(&c, &rx, buf, n), bfd_auth_meticulous(t) ? BFD_DROP_AUTH_SEQ : BFD_OK);
	/* Another key id. */
	c.key_id = 8;
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_DROP_AUTH_KEY_ID);
}

START_TEST(auth_types)
{
	auth_type_case(BFD_AUTH_KEYED_MD5, 48);
	auth_type_case(BFD_AUTH_METICULOUS_MD5, 48);
	auth_type_case(BFD_AUTH_KEYED_SHA1, 52);
	auth_type_case(BFD_AUTH_METICULOUS_SHA1, 52);
}
END_TEST

START_TEST(auth_sequence_window)
{
	struct bfd_auth_conf c = auth_conf(BFD_AUTH_METICULOUS_SHA1, "k");
	struct bfd_auth_state tx, rx;
	uint8_t buf[BFD_CTRL_MAX_LEN];
	int n;

	/* Across the wrap of 32 bits. */
	bfd_auth_init(&tx, 0xfffffffe);
	bfd_auth_init(&rx, 0);
	n = signed_packet(&c, &tx, buf);
	ck_assert_uint_eq(tx.xmit_seq, 0xffffffff);
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_OK);
	n = signed_packet(&c, &tx, buf);
	ck_assert_uint_eq(tx.xmit_seq, 0);
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_OK);
	/* 3 x Detect Mult (3) ahead is the most taken: 9 packets lost. */
	for (int i = 0; i < 8; i++)
		signed_packet(&c, &tx, buf);
	n = signed_packet(&c, &tx, buf);
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_OK);
	for (int i = 0; i < 9; i++)
		signed_packet(&c, &tx, buf);
	n = signed_packet(&c, &tx, buf);
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_DROP_AUTH_SEQ);
	/* After twice the detection time of silence anything goes again. */
	bfd_auth_forget(&rx);
	ck_assert_int_eq(receive(&c, &rx, buf, n), BFD_OK);

	/* Keyed: the number moves on state changes only. */
	c = auth_conf(BFD_AUTH_KEYED_MD5, "k");
	bfd_auth_init(&tx, 5);
	n = signed_packet(&c, &tx, buf);
	ck_assert_uint_eq(tx.xmit_seq, 5);
	bfd_auth_prepare(&c, &tx, true, &(struct bfd_ctrl){0});
	ck_assert_uint_eq(tx.xmit_seq, 6);
	/* None: nothing is added. */
	struct bfd_ctrl p = sample();

	c.type = BFD_AUTH_NONE;
	bfd_auth_prepare(&c, &tx, true, &p);
	ck_assert(!p.auth);
}
END_TEST

/* ------------------------------------------------------------------ FSM */

static const struct bfd_fsm_conf conf300 = {
	.desired_min_tx = 300 * MS,
	.required_min_rx = 300 * MS,
	.detect_mult = 3,
};

static struct bfd_fsm f;
static struct bfd_fsm_actions act;

static void
setup(void)
{
	bfd_fsm_init(&f, &conf300, 0xabc, 42, T0);
	memset(&act, 0, sizeof(act));
}

static enum bfd_state
ev(enum bfd_fsm_event e, uint64_t now)
{
	return bfd_fsm_event(&f, &(struct bfd_fsm_input){.ev = e}, now, &act);
}

/* A packet from the remote: its state, poll/final, intervals 300 ms x 3. */
static struct bfd_ctrl
remote(enum bfd_state st, bool poll, bool final)
{
	struct bfd_ctrl p = {
		.version = 1,
		.state = (uint8_t)st,
		.poll = poll,
		.final = final,
		.detect_mult = 3,
		.my_disc = 0x777,
		.your_disc = st == BFD_DOWN || st == BFD_ADMIN_DOWN ? 0 : 0xabc,
		.desired_min_tx = 300 * MS,
		.required_min_rx = 300 * MS,
	};
	return p;
}

static enum bfd_state
rx_pkt(const struct bfd_ctrl *p, uint64_t now)
{
	return bfd_fsm_event(&f, &(struct bfd_fsm_input){.ev = BFD_EV_RX, .pkt = p}, now, &act);
}

static enum bfd_state
rx_state(enum bfd_state st, uint64_t now)
{
	struct bfd_ctrl p = remote(st, false, false);

	return rx_pkt(&p, now);
}

/* The action i is a state change from -> to with diag. */
static void
expect_state(unsigned i, enum bfd_state from, enum bfd_state to, uint8_t diag)
{
	ck_assert_uint_gt(act.n, i);
	ck_assert_int_eq(act.a[i].type, BFD_ACT_STATE);
	ck_assert_int_eq(act.a[i].from, from);
	ck_assert_int_eq(act.a[i].to, to);
	ck_assert_uint_eq(act.a[i].diag, diag);
}

static void
expect_send(unsigned i, bool final)
{
	ck_assert_uint_gt(act.n, i);
	ck_assert_int_eq(act.a[i].type, BFD_ACT_SEND);
	ck_assert_int_eq(act.a[i].final, final);
}

/* Down -> Init -> Up, as two systems starting together see it. */
static void
bring_up(uint64_t now)
{
	ck_assert_int_eq(rx_state(BFD_DOWN, now), BFD_INIT);
	ck_assert_int_eq(rx_state(BFD_UP, now + 1), BFD_UP);
}

START_TEST(fsm_initial)
{
	struct bfd_ctrl p;

	ck_assert_int_eq(f.state, BFD_DOWN);
	/* The first packet is due at once, and says Down at 1 s (§6.8.3). */
	ck_assert_int_eq(bfd_fsm_timer_due(&f, T0), BFD_EV_TX_DUE);
	ev(BFD_EV_TX_DUE, T0);
	ck_assert_uint_eq(act.n, 1);
	expect_send(0, false);
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_uint_eq(p.state, BFD_DOWN);
	ck_assert_uint_eq(p.my_disc, 0xabc);
	ck_assert_uint_eq(p.your_disc, 0);
	ck_assert_uint_eq(p.detect_mult, 3);
	ck_assert_uint_eq(p.desired_min_tx, BFD_SLOW_TX_US);
	ck_assert_uint_eq(p.required_min_rx, 300 * MS);
	ck_assert_uint_eq(p.required_min_echo_rx, 0);
	ck_assert(!p.poll && !p.final && !p.auth && !p.demand);
	/* No remote yet: no detection, the next packet about a second on. */
	ck_assert_uint_eq(f.detect_at, 0);
	ck_assert_uint_ge(f.tx_at, T0 + 750 * MS);
	ck_assert_uint_le(f.tx_at, T0 + 1000 * MS);
	ck_assert_uint_eq(bfd_fsm_next_deadline(&f), f.tx_at);
	ck_assert_int_eq(bfd_fsm_timer_due(&f, T0 + 1), BFD_EV_NONE);
}
END_TEST

START_TEST(fsm_down_init_up)
{
	struct bfd_ctrl p;

	/* Down + remote Down -> Init; a packet goes at once. */
	ck_assert_int_eq(rx_state(BFD_DOWN, T0), BFD_INIT);
	ck_assert_uint_eq(act.n, 2);
	expect_state(0, BFD_DOWN, BFD_INIT, BFD_DIAG_NONE);
	expect_send(1, false);
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.state, BFD_INIT);
	ck_assert_uint_eq(p.your_disc, 0x777);
	/* Init + remote Up -> Up (Init + remote Init would do too). */
	ck_assert_int_eq(rx_state(BFD_UP, T0 + 10), BFD_UP);
	expect_state(0, BFD_INIT, BFD_UP, BFD_DIAG_NONE);
	expect_send(1, false);
	/* Up: the configured 300 ms instead of 1 s, announced by a Poll. */
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.state, BFD_UP);
	ck_assert(p.poll);
	ck_assert_uint_eq(p.desired_min_tx, 300 * MS);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 300 * MS);
	/* Detection: the remote's 3 x max(our 300 ms, its 300 ms). */
	ck_assert_uint_eq(bfd_fsm_detect_time(&f), 900 * MS);
	ck_assert_uint_eq(f.detect_at, T0 + 10 + 900 * MS);
	/* The remote's Final ends the Poll Sequence. */
	struct bfd_ctrl fin = remote(BFD_UP, false, true);

	ck_assert_int_eq(rx_pkt(&fin, T0 + 20), BFD_UP);
	ck_assert_uint_eq(act.n, 0);
	ck_assert(!f.poll);
	bfd_fsm_packet(&f, false, &p);
	ck_assert(!p.poll);
}
END_TEST

START_TEST(fsm_down_to_up_on_init)
{
	ck_assert_int_eq(rx_state(BFD_INIT, T0), BFD_UP);
	expect_state(0, BFD_DOWN, BFD_UP, BFD_DIAG_NONE);
	/* Up stays Up on Init and Up; Down stays Down on Up. */
	ck_assert_int_eq(rx_state(BFD_INIT, T0 + 1), BFD_UP);
	ck_assert_int_eq(rx_state(BFD_UP, T0 + 2), BFD_UP);
	setup();
	ck_assert_int_eq(rx_state(BFD_UP, T0), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
	/* Init stays Init on Down. */
	ck_assert_int_eq(rx_state(BFD_DOWN, T0), BFD_INIT);
	ck_assert_int_eq(rx_state(BFD_DOWN, T0 + 1), BFD_INIT);
	ck_assert_uint_eq(act.n, 0);
}
END_TEST

START_TEST(fsm_remote_admin_down)
{
	bring_up(T0);
	/* §6.8.6: AdminDown received -> Down, diag 3; not a failure (RFC
	 * 5882 §3.2). */
	ck_assert_int_eq(rx_state(BFD_ADMIN_DOWN, T0 + 100), BFD_DOWN);
	expect_state(0, BFD_UP, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	ck_assert(act.a[0].remote_admin_down);
	ck_assert_uint_eq(f.last_local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	/* Down again: back to the slow rate, no Poll. */
	ck_assert_uint_eq(f.desired_min_tx, BFD_SLOW_TX_US);
	ck_assert(!f.poll);
	/* AdminDown again while Down: nothing. */
	ck_assert_int_eq(rx_state(BFD_ADMIN_DOWN, T0 + 200), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
	/* From Init too. */
	ck_assert_int_eq(rx_state(BFD_DOWN, T0 + 300), BFD_INIT);
	ck_assert_int_eq(rx_state(BFD_ADMIN_DOWN, T0 + 400), BFD_DOWN);
	expect_state(0, BFD_INIT, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
}
END_TEST

START_TEST(fsm_remote_down)
{
	bring_up(T0);
	ck_assert_int_eq(rx_state(BFD_DOWN, T0 + 100), BFD_DOWN);
	expect_state(0, BFD_UP, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	ck_assert(!act.a[0].remote_admin_down);
}
END_TEST

START_TEST(fsm_detection_timeout)
{
	struct bfd_ctrl p;
	uint64_t at;

	bring_up(T0);
	at = f.detect_at;
	ck_assert_uint_eq(at, T0 + 1 + 900 * MS);
	/* Each packet restarts it. */
	rx_state(BFD_UP, T0 + 500 * MS);
	ck_assert_uint_eq(f.detect_at, T0 + 500 * MS + 900 * MS);
	at = f.detect_at;
	ck_assert_int_eq(bfd_fsm_timer_due(&f, at - 1) == BFD_EV_DETECT_EXPIRED, 0);
	ck_assert_int_eq(bfd_fsm_timer_due(&f, at), BFD_EV_DETECT_EXPIRED);
	/* Early: nothing. */
	ck_assert_int_eq(ev(BFD_EV_DETECT_EXPIRED, at - 1), BFD_UP);
	ck_assert_uint_eq(act.n, 0);
	/* Up -> Down, diag 1, and the remote forgotten. */
	ck_assert_int_eq(ev(BFD_EV_DETECT_EXPIRED, at), BFD_DOWN);
	expect_state(0, BFD_UP, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED);
	ck_assert(!act.a[0].remote_admin_down);
	expect_send(1, false);
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.diag, BFD_DIAG_DETECT_EXPIRED);
	ck_assert_uint_eq(p.state, BFD_DOWN);
	ck_assert_uint_eq(p.your_disc, 0);
	ck_assert_uint_eq(p.desired_min_tx, BFD_SLOW_TX_US);
	ck_assert_uint_eq(f.detect_at, 0);
	ck_assert_uint_eq(f.last_local_diag, BFD_DIAG_DETECT_EXPIRED);
	/* Up again: the diagnostic sent goes back to 0, the last one stays
	 * for display. */
	bring_up(at + 10);
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.diag, BFD_DIAG_NONE);
	ck_assert_uint_eq(f.last_local_diag, BFD_DIAG_DETECT_EXPIRED);
}
END_TEST

START_TEST(fsm_detection_uses_slower_side)
{
	struct bfd_ctrl p = remote(BFD_DOWN, false, false);

	/* The remote sends every 1 s (not Up) with multiplier 5. */
	p.desired_min_tx = 1000 * MS;
	p.detect_mult = 5;
	rx_pkt(&p, T0);
	ck_assert_uint_eq(bfd_fsm_rx_interval(&f), 1000 * MS);
	ck_assert_uint_eq(bfd_fsm_detect_time(&f), 5000 * MS);
	/* Init expires too: Down, diag 1. */
	ck_assert_int_eq(f.state, BFD_INIT);
	ck_assert_int_eq(ev(BFD_EV_DETECT_EXPIRED, T0 + 5000 * MS), BFD_DOWN);
	expect_state(0, BFD_INIT, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED);
	/* In Down it only forgets the remote. */
	setup();
	rx_state(BFD_UP, T0); /* stays Down, but the remote is known */
	ck_assert_uint_eq(f.remote_disc, 0x777);
	ck_assert_int_eq(ev(BFD_EV_DETECT_EXPIRED, f.detect_at), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
	ck_assert_uint_eq(f.remote_disc, 0);
}
END_TEST

/* The remote's packet p, signed by a sender with state tx, into buf; its
 * length. */
static int
sign_remote(
	const struct bfd_auth_conf *c, struct bfd_auth_state *tx, struct bfd_ctrl *p, uint8_t *buf)
{
	int n;

	bfd_auth_prepare(c, tx, false, p);
	n = bfd_ctrl_encode(p, buf, BFD_CTRL_MAX_LEN);
	ck_assert_int_gt(n, 0);
	bfd_auth_sign(c, buf, (size_t)n);
	return n;
}

/* The runtime's receive path for the fixture's session: authentication,
 * then the packet's event. */
static enum bfd_drop
auth_rx(const struct bfd_auth_conf *c, struct bfd_auth_state *rx, const uint8_t *buf, int n,
	uint64_t now)
{
	enum bfd_drop d = receive(c, rx, buf, n);
	struct bfd_ctrl q;

	if (d == BFD_OK) {
		ck_assert_int_eq(bfd_ctrl_decode(buf, (size_t)n, &q), BFD_OK);
		rx_pkt(&q, now);
	}
	return d;
}

/* The runtime's timer turn: bfd.AuthSeqKnown forgotten after a silence. */
static void
auth_timer(struct bfd_auth_state *rx, uint64_t now)
{
	if (rx->rcv_known && bfd_fsm_silent(&f, now))
		bfd_auth_forget(rx);
}

/* §6.7.1, §6.7.3: bfd.AuthSeqKnown holds from a session's first packet (after
 * its creation, after a detection timeout) for twice the detection time
 * that packet set, not for nothing (no detection time before it): a packet
 * captured earlier and replayed one transmit interval later is refused. */
START_TEST(fsm_auth_seq_kept_after_first_packet)
{
	struct bfd_auth_conf c = auth_conf(BFD_AUTH_METICULOUS_SHA1, "k");
	struct bfd_auth_state tx, rx;
	uint8_t old[BFD_CTRL_MAX_LEN], buf[BFD_CTRL_MAX_LEN];
	struct bfd_ctrl p;
	uint64_t now = T0 + 10;
	int n_old, n;

	ck_assert(bfd_fsm_silent(&f, T0));
	bfd_auth_init(&tx, 100);
	bfd_auth_init(&rx, 0);
	p = remote(BFD_DOWN, false, false);
	n_old = sign_remote(&c, &tx, &p, old); /* captured */
	p = remote(BFD_DOWN, false, false);
	n = sign_remote(&c, &tx, &p, buf);
	/* The first packet after creation: Down -> Init; detection 900 ms. */
	ck_assert_int_eq(auth_rx(&c, &rx, buf, n, now), BFD_OK);
	ck_assert_int_eq(f.state, BFD_INIT);
	ck_assert_uint_eq(bfd_fsm_detect_time(&f), 900 * MS);
	/* One transmit interval (1 s while not Up) later: still known, the
	 * old packet is a replay. */
	auth_timer(&rx, now + BFD_SLOW_TX_US);
	ck_assert(rx.rcv_known);
	ck_assert_int_eq(auth_rx(&c, &rx, old, n_old, now + BFD_SLOW_TX_US), BFD_DROP_AUTH_SEQ);
	ck_assert_int_eq(f.state, BFD_INIT);
	/* Twice the detection time of silence: forgotten (§6.7.1). */
	auth_timer(&rx, now + 1800 * MS);
	ck_assert(rx.rcv_known);
	auth_timer(&rx, now + 1800 * MS + 1);
	ck_assert(!rx.rcv_known);

	/* Up, then the detection time expires: the remote is forgotten, its
	 * sequence number not yet. */
	setup();
	bfd_auth_init(&rx, 0);
	p = remote(BFD_DOWN, false, false);
	n = sign_remote(&c, &tx, &p, buf);
	ck_assert_int_eq(auth_rx(&c, &rx, buf, n, now), BFD_OK);
	p = remote(BFD_UP, false, false);
	n = sign_remote(&c, &tx, &p, buf);
	ck_assert_int_eq(auth_rx(&c, &rx, buf, n, now + 1), BFD_OK);
	ck_assert_int_eq(f.state, BFD_UP);
	now = f.detect_at;
	ck_assert_int_eq(ev(BFD_EV_DETECT_EXPIRED, now), BFD_DOWN);
	ck_assert_uint_eq(bfd_fsm_detect_time(&f), 0);
	auth_timer(&rx, now);
	ck_assert(rx.rcv_known);
	/* The first packet after it, then a replay one interval later. */
	p = remote(BFD_DOWN, false, false);
	n_old = sign_remote(&c, &tx, &p, old);
	p = remote(BFD_DOWN, false, false);
	n = sign_remote(&c, &tx, &p, buf);
	ck_assert_int_eq(auth_rx(&c, &rx, buf, n, now + 100 * MS), BFD_OK);
	auth_timer(&rx, now + 100 * MS + BFD_SLOW_TX_US);
	ck_assert(rx.rcv_known);
	ck_assert_int_eq(
		auth_rx(&c, &rx, old, n_old, now + 100 * MS + BFD_SLOW_TX_US), BFD_DROP_AUTH_SEQ);
}
END_TEST

START_TEST(fsm_poll_answered_with_final)
{
	struct bfd_ctrl p = remote(BFD_DOWN, true, false), out;

	rx_pkt(&p, T0);
	/* State change, its packet, then the Final. */
	ck_assert_uint_eq(act.n, 3);
	expect_send(2, true);
	bfd_fsm_packet(&f, true, &out);
	ck_assert(out.final && !out.poll);
	/* Up with our own Poll running: the Final has no Poll. */
	p = remote(BFD_UP, false, false);
	rx_pkt(&p, T0 + 1);
	ck_assert(f.poll);
	p = remote(BFD_UP, true, false);
	rx_pkt(&p, T0 + 2);
	ck_assert_uint_eq(act.n, 1);
	expect_send(0, true);
	bfd_fsm_packet(&f, true, &out);
	ck_assert(out.final && !out.poll);
	bfd_fsm_packet(&f, false, &out);
	ck_assert(!out.final && out.poll);
}
END_TEST

START_TEST(fsm_admin_down)
{
	struct bfd_ctrl p;

	bring_up(T0);
	ck_assert_int_eq(ev(BFD_EV_STOP, T0 + 10), BFD_ADMIN_DOWN);
	expect_state(0, BFD_UP, BFD_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN);
	expect_send(1, false);
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.state, BFD_ADMIN_DOWN);
	ck_assert_uint_eq(p.diag, BFD_DIAG_ADMIN_DOWN);
	ck_assert_uint_eq(f.detect_at, 0);
	/* §6.8.6: packets are discarded while AdminDown. */
	ck_assert_int_eq(rx_state(BFD_UP, T0 + 20), BFD_ADMIN_DOWN);
	ck_assert_int_eq(rx_state(BFD_DOWN, T0 + 30), BFD_ADMIN_DOWN);
	ck_assert_uint_eq(act.n, 0);
	/* It keeps telling the remote, slowly. */
	ck_assert_uint_gt(f.tx_at, 0);
	ck_assert_uint_ge(bfd_fsm_tx_interval(&f), BFD_SLOW_TX_US);
	/* Started again: Down. */
	ck_assert_int_eq(ev(BFD_EV_START, T0 + 40), BFD_DOWN);
	expect_state(0, BFD_ADMIN_DOWN, BFD_DOWN, BFD_DIAG_NONE);
	ck_assert_int_eq(rx_state(BFD_DOWN, T0 + 50), BFD_INIT);
	/* START while running: nothing. */
	ck_assert_int_eq(ev(BFD_EV_START, T0 + 60), BFD_INIT);
	ck_assert_uint_eq(act.n, 0);
}
END_TEST

/* The gaps between periodic packets over many rounds: within lo..hi % of
 * the interval. */
static void
check_jitter(uint32_t interval, unsigned lo, unsigned hi)
{
	uint64_t now = f.tx_at, min = UINT64_MAX, max = 0;

	for (int i = 0; i < 2000; i++) {
		uint64_t gap;

		ev(BFD_EV_TX_DUE, now);
		ck_assert_uint_eq(act.n, 1);
		gap = f.tx_at - now;
		min = gap < min ? gap : min;
		max = gap > max ? gap : max;
		now = f.tx_at;
		/* Keep the detection timer out of the way. */
		f.detect_at = 0;
	}
	ck_assert_uint_ge(min, (uint64_t)interval * lo / 100);
	ck_assert_uint_le(max, (uint64_t)interval * hi / 100);
	/* And it does spread. */
	ck_assert_uint_lt(min, (uint64_t)interval * (lo + 3) / 100);
	ck_assert_uint_gt(max, (uint64_t)interval * (hi - 3) / 100);
}

START_TEST(fsm_jitter)
{
	/* Not Up: 1 s, whatever the remote would take. */
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), BFD_SLOW_TX_US);
	check_jitter(BFD_SLOW_TX_US, 75, 100);
	/* Up: max(our 300 ms, its 300 ms). */
	bring_up(f.tx_at);
	check_jitter(300 * MS, 75, 100);
	/* The remote wants 500 ms: that is the interval. */
	struct bfd_ctrl p = remote(BFD_UP, false, false);

	p.required_min_rx = 500 * MS;
	rx_pkt(&p, f.tx_at);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 500 * MS);
	check_jitter(500 * MS, 75, 100);
	/* A detect multiplier of 1: 75-90 %. */
	struct bfd_fsm_conf one = conf300;

	one.detect_mult = 1;
	bfd_fsm_init(&f, &one, 1, 7, T0);
	check_jitter(BFD_SLOW_TX_US, 75, 90);
}
END_TEST

START_TEST(fsm_no_periodic_tx)
{
	struct bfd_ctrl p = remote(BFD_DOWN, false, false);

	/* Required Min RX 0: the remote wants no packets (§6.8.7). */
	p.required_min_rx = 0;
	rx_pkt(&p, T0);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 0);
	ck_assert_uint_eq(f.tx_at, 0);
	ck_assert_uint_eq(bfd_fsm_next_deadline(&f), f.detect_at);
	/* Demand mode on both sides Up, our Poll of coming Up ended by its
	 * Final: none either. */
	setup();
	bring_up(T0);
	p = remote(BFD_UP, false, true);
	p.demand = true;
	rx_pkt(&p, T0 + 5);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 0);
	/* A Poll is still answered. */
	p.final = false;
	p.poll = true;
	rx_pkt(&p, T0 + 6);
	expect_send(0, true);
}
END_TEST

/* §6.8.7: a remote in Demand mode gets no periodic packets, except while
 * our Poll Sequence runs: those go until its Final, else it never ends. */
START_TEST(fsm_demand_poll_sent)
{
	struct bfd_fsm_conf c = conf300;
	struct bfd_ctrl p = remote(BFD_UP, false, true), out;
	uint64_t now = T0;

	bring_up(now);
	p.demand = true;
	rx_pkt(&p, now + 2);
	ck_assert(!f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 0);
	ck_assert_uint_eq(f.tx_at, 0);
	/* New intervals: a Poll, sent periodically though the remote is in
	 * Demand mode. */
	c.desired_min_tx = 500 * MS;
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 10, &act);
	ck_assert(f.poll);
	ck_assert_uint_gt(bfd_fsm_tx_interval(&f), 0);
	ck_assert_uint_gt(f.tx_at, 0);
	now = f.tx_at;
	ck_assert_int_eq(bfd_fsm_timer_due(&f, now), BFD_EV_TX_DUE);
	ev(BFD_EV_TX_DUE, now);
	expect_send(0, false);
	bfd_fsm_packet(&f, false, &out);
	ck_assert(out.poll);
	ck_assert_uint_gt(f.tx_at, now);
	/* A packet of the remote without Final: still polling. */
	p.final = false;
	rx_pkt(&p, now + 1);
	ck_assert(f.poll);
	ck_assert_uint_gt(f.tx_at, 0);
	/* The Final: the Poll is over, and so is periodic sending. */
	p.final = true;
	rx_pkt(&p, now + 2);
	ck_assert(!f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 0);
	ck_assert_uint_eq(f.tx_at, 0);
}
END_TEST

START_TEST(fsm_faster_remote_sooner)
{
	struct bfd_ctrl p;

	/* Coming Up moves the next packet from ~1 s to within 300 ms. */
	bring_up(T0);
	ck_assert_uint_le(f.tx_at, T0 + 1 + 300 * MS);
	/* The Final: the configured intervals in effect. */
	p = remote(BFD_UP, false, true);
	rx_pkt(&p, T0 + 2);
	ck_assert_uint_eq(f.tx_base, 300 * MS);
	ck_assert_uint_eq(f.rx_base, 300 * MS);
}
END_TEST

START_TEST(fsm_reconfigure_poll)
{
	struct bfd_fsm_conf c = conf300;
	struct bfd_ctrl p, fin = remote(BFD_UP, false, true);
	uint64_t now = T0;

	bring_up(now);
	rx_pkt(&fin, now + 2);
	ck_assert(!f.poll);
	/* Slower transmission (600 ms), faster reception (200 ms): both
	 * wait for the Final (§6.8.3). */
	c.desired_min_tx = 600 * MS;
	c.required_min_rx = 200 * MS;
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 10, &act);
	ck_assert_uint_eq(act.n, 0);
	ck_assert(f.poll);
	bfd_fsm_packet(&f, false, &p);
	ck_assert(p.poll);
	ck_assert_uint_eq(p.desired_min_tx, 600 * MS);
	ck_assert_uint_eq(p.required_min_rx, 200 * MS);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 300 * MS);
	ck_assert_uint_eq(f.rx_base, 300 * MS);
	/* Packets keep the Poll until the Final. */
	now = f.tx_at;
	ev(BFD_EV_TX_DUE, now);
	bfd_fsm_packet(&f, false, &p);
	ck_assert(p.poll);
	rx_pkt(&fin, now + 20);
	ck_assert(!f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 600 * MS);
	ck_assert_uint_eq(f.rx_base, 200 * MS);
	ck_assert_uint_eq(bfd_fsm_rx_interval(&f), 300 * MS); /* the remote's 300 */

	/* Faster transmission, slower reception: at once (still a Poll). */
	c.desired_min_tx = 200 * MS;
	c.required_min_rx = 1000 * MS;
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 30, &act);
	ck_assert(f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 300 * MS); /* the remote's min rx */
	ck_assert_uint_eq(f.tx_base, 200 * MS);
	ck_assert_uint_eq(f.rx_base, 1000 * MS);
	ck_assert_uint_le(f.tx_at, now + 30 + 300 * MS);
	/* The same settings again: no new Poll. */
	rx_pkt(&fin, now + 40);
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 50, &act);
	ck_assert(!f.poll);
	/* A new multiplier is in the next packet. */
	c.detect_mult = 5;
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 60, &act);
	bfd_fsm_packet(&f, false, &p);
	ck_assert_uint_eq(p.detect_mult, 5);
}
END_TEST

/* §6.5, §6.8.3: new values while our Poll runs. The first Final may answer
 * a packet that advertised the earlier ones: the latest take effect only
 * after the Final of a new Poll Sequence. */
START_TEST(fsm_reconfigure_during_poll)
{
	struct bfd_fsm_conf c = conf300;
	struct bfd_ctrl p, fin = remote(BFD_UP, false, true);
	uint64_t now = T0;

	/* The remote takes packets every 200 ms: our own interval shows. */
	fin.required_min_rx = 200 * MS;
	c.desired_min_tx = 200 * MS;
	bfd_fsm_init(&f, &c, 0xabc, 42, now);
	bring_up(now);
	rx_pkt(&fin, now + 2);
	ck_assert(!f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 200 * MS);
	/* 200 -> 500: a Poll; the slower interval waits for its Final. */
	c.desired_min_tx = 500 * MS;
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 10, &act);
	ck_assert(f.poll);
	bfd_fsm_packet(&f, false, &p);
	ck_assert(p.poll);
	ck_assert_uint_eq(p.desired_min_tx, 500 * MS);
	/* 500 -> 1000 before any Final. */
	c.desired_min_tx = 1000 * MS;
	bfd_fsm_event(
		&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, now + 20, &act);
	ck_assert(f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 200 * MS);
	/* The first Final: maybe the answer to a packet that said 500. Not
	 * 1000 yet: a new Poll Sequence, its packets with P and 1000. */
	rx_pkt(&fin, now + 30);
	ck_assert(f.poll);
	ck_assert_uint_ne(bfd_fsm_tx_interval(&f), 1000 * MS);
	ck_assert_uint_le(bfd_fsm_tx_interval(&f), 500 * MS);
	bfd_fsm_packet(&f, false, &p);
	ck_assert(p.poll && !p.final);
	ck_assert_uint_eq(p.desired_min_tx, 1000 * MS);
	/* Its Final: 1000 ms in effect, the Poll over. */
	rx_pkt(&fin, now + 40);
	ck_assert(!f.poll);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&f), 1000 * MS);
	bfd_fsm_packet(&f, false, &p);
	ck_assert(!p.poll);
}
END_TEST

START_TEST(fsm_reconfigure_down)
{
	struct bfd_fsm_conf c = conf300;

	/* Not Up: no Poll; the receive interval at once. */
	c.required_min_rx = 200 * MS;
	bfd_fsm_event(&f, &(struct bfd_fsm_input){.ev = BFD_EV_CONFIGURE, .conf = &c}, T0, &act);
	ck_assert(!f.poll);
	ck_assert_uint_eq(f.rx_base, 200 * MS);
	ck_assert_uint_eq(f.desired_min_tx, BFD_SLOW_TX_US);
}
END_TEST

START_TEST(fsm_stale_events)
{
	/* A timer fed early, a packet-less RX, an unknown event: nothing. */
	ck_assert_int_eq(ev(BFD_EV_TX_DUE, T0 - 1), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
	ck_assert_int_eq(ev(BFD_EV_RX, T0), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
	ck_assert_int_eq(ev(BFD_EV_DETECT_EXPIRED, T0), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
	ck_assert_int_eq(ev(BFD_EV_COUNT, T0), BFD_DOWN);
	ck_assert_int_eq(ev(BFD_EV_CONFIGURE, T0), BFD_DOWN);
	ck_assert_uint_eq(act.n, 0);
}
END_TEST

static Suite *
bfd_suite(void)
{
	Suite *s = suite_create("bfd");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, md5_vectors);
	tcase_add_test(tc, sha1_vectors);
	tcase_add_test(tc, packet_round_trip);
	tcase_add_test(tc, packet_malformed);
	tcase_add_test(tc, packet_auth_section);
	tcase_add_test(tc, packet_auth_match);
	tcase_add_test(tc, names);
	tcase_add_test(tc, auth_types);
	tcase_add_test(tc, auth_sequence_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("fsm");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, fsm_initial);
	tcase_add_test(tc, fsm_down_init_up);
	tcase_add_test(tc, fsm_down_to_up_on_init);
	tcase_add_test(tc, fsm_remote_admin_down);
	tcase_add_test(tc, fsm_remote_down);
	tcase_add_test(tc, fsm_detection_timeout);
	tcase_add_test(tc, fsm_detection_uses_slower_side);
	tcase_add_test(tc, fsm_poll_answered_with_final);
	tcase_add_test(tc, fsm_admin_down);
	tcase_add_test(tc, fsm_jitter);
	tcase_add_test(tc, fsm_no_periodic_tx);
	tcase_add_test(tc, fsm_demand_poll_sent);
	tcase_add_test(tc, fsm_faster_remote_sooner);
	tcase_add_test(tc, fsm_reconfigure_poll);
	tcase_add_test(tc, fsm_reconfigure_down);
	tcase_add_test(tc, fsm_reconfigure_during_poll);
	tcase_add_test(tc, fsm_stale_events);
	tcase_add_test(tc, fsm_auth_seq_kept_after_first_packet);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bfd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
