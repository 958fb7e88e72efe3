/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of BFD's receive path, as the BFD thread runs it on a
 * UDP payload: the decoder's RFC 5880 6.8.6 checks, the session's
 * authentication checks (the first byte picks none or one of the four
 * keyed types; the rest is the packet), then the state machine. What is
 * accepted must be a packet the checks allow, must encode back to the same
 * fields, and must leave the session in a sane state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd_auth.h"
#include "bfd_fsm.h"
#include "bfd_packet.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_bfd: %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const enum bfd_auth_type types[] = { BFD_AUTH_NONE, BFD_AUTH_KEYED_MD5,
	BFD_AUTH_METICULOUS_MD5, BFD_AUTH_KEYED_SHA1, BFD_AUTH_METICULOUS_SHA1 };

/* The decoded fields come back from the encoder as they were. */
static void
round_trip(const struct bfd_ctrl *p)
{
	uint8_t buf[BFD_CTRL_MAX_LEN];
	struct bfd_ctrl q;
	int n;

	if (p->auth && bfd_auth_section_len(p->auth_type) == 0)
		return;
	n = bfd_ctrl_encode(p, buf, sizeof(buf));
	CHECK(n == (p->auth ? p->length : BFD_CTRL_LEN));
	CHECK(bfd_ctrl_decode(buf, (size_t)n, &q) == BFD_OK);
	CHECK(q.state == p->state && q.diag == p->diag && q.my_disc == p->my_disc &&
		q.your_disc == p->your_disc && q.detect_mult == p->detect_mult &&
		q.poll == p->poll && q.final == p->final && q.demand == p->demand &&
		q.desired_min_tx == p->desired_min_tx && q.required_min_rx == p->required_min_rx &&
		q.auth == p->auth && q.auth_seq == p->auth_seq && q.auth_key_id == p->auth_key_id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bfd_fsm_conf conf = { 300000, 300000, 3 };
	struct bfd_auth_conf ac = { .key_id = 1, .key_len = 6, .key = "secret" };
	struct bfd_auth_state as;
	struct bfd_fsm_actions act;
	struct bfd_fsm f;
	struct bfd_ctrl p;
	enum bfd_drop d;
	uint64_t now = 1000000;

	if (size < 1)
		return 0;
	ac.type = types[data[0] % 5];
	data++;
	size--;
	bfd_fsm_init(&f, &conf, 0x1234, 1, now);
	bfd_auth_init(&as, 7);
	d = bfd_ctrl_decode(data, size, &p);
	if (d != BFD_OK)
		return 0;
	CHECK(size >= BFD_CTRL_LEN && p.length <= size && p.length >= BFD_CTRL_LEN);
	CHECK(p.version == 1 && p.detect_mult != 0 && p.my_disc != 0 && !p.multipoint);
	CHECK(p.your_disc != 0 || p.state == BFD_DOWN || p.state == BFD_ADMIN_DOWN);
	round_trip(&p);
	d = bfd_ctrl_auth_match(&p, ac.type);
	if (d == BFD_OK && p.auth)
		d = bfd_auth_check(&ac, &as, &p, data, size);
	if (d != BFD_OK)
		return 0;
	CHECK(!p.auth || as.rcv_known);
	bfd_fsm_event(&f, &(struct bfd_fsm_input){ .ev = BFD_EV_RX, .pkt = &p }, now, &act);
	CHECK(act.n <= BFD_FSM_MAX_ACTIONS);
	CHECK(f.state <= BFD_UP);
	CHECK(f.detect_at > now && f.remote_disc == p.my_disc);
	/* Time runs on: every timer makes progress, and ends. */
	for (int i = 0; i < 64; i++) {
		uint64_t next = bfd_fsm_next_deadline(&f);
		enum bfd_fsm_event ev;

		if (next == 0)
			break;
		CHECK(next >= now);
		now = next;
		ev = bfd_fsm_timer_due(&f, now);
		CHECK(ev != BFD_EV_NONE);
		bfd_fsm_event(&f, &(struct bfd_fsm_input){ .ev = ev }, now, &act);
	}
	CHECK(f.state <= BFD_UP);
	return 0;
}
