/* SPDX-License-Identifier: BSD-3-Clause */
/* Health checks of static next hops: the states, the counting of misses and
 * the echo codec, without sockets and with a clock of the test's. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"
#include "track_probe.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define ID 0x4242

static struct {
	unsigned sent;
	uint32_t last_addr;
	uint16_t last_seq;
	int fail; /* send's answer */
	unsigned ups, downs;
	uint32_t changed_addr;
	enum track_state from;
} rec;

static int
fake_send(void *arg, uint32_t addr, uint16_t id, uint16_t seq)
{
	(void)arg;
	ck_assert_uint_eq(id, ID);
	rec.sent++;
	rec.last_addr = addr;
	rec.last_seq = seq;
	return rec.fail;
}

static void
fake_changed(void *arg, uint32_t addr, bool up, enum track_state from)
{
	(void)arg;
	rec.from = from;
	rec.changed_addr = addr;
	if (up)
		rec.ups++;
	else
		rec.downs++;
}

static struct track *
make(uint16_t interval, uint16_t misses, uint16_t rise, uint32_t addr)
{
	struct track_ops ops = {.send = fake_send, .changed = fake_changed};
	struct track *t = track_create(&ops, ID, 0xfff0);
	struct track_target tg = {.addr = addr, .params = {interval, misses, rise}};

	memset(&rec, 0, sizeof(rec));
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(track_set(t, &tg, 1, 0), 0);
	return t;
}

static enum track_state
state(const struct track *t, uint32_t addr)
{
	struct track_info ti;

	ck_assert_int_eq(track_find(t, addr, &ti), 0);
	return ti.state;
}

/* Probe at each interval, answer it (or not) before the next. */
static void
step(struct track *t, uint64_t *now_ms, bool answer)
{
	track_poll(t, *now_ms);
	if (answer)
		track_answer(t, rec.last_addr, 0, ID, rec.last_seq, *now_ms * 1000 + 300);
	*now_ms += 1000;
}

START_TEST(starts_unknown_up_on_first_answer)
{
	uint32_t nh = IP(10, 0, 0, 2);
	struct track *t = make(1, 3, 2, nh);
	struct track_info ti;
	uint64_t now = 0;

	ck_assert_int_eq(state(t, nh), TRACK_INIT);
	ck_assert_int_eq(track_find(t, IP(10, 0, 0, 3), &ti), -ENOENT); /* not checked */
	step(t, &now, true);
	ck_assert_uint_eq(rec.sent, 1);
	ck_assert_int_eq(state(t, nh), TRACK_UP);
	ck_assert_uint_eq(rec.ups, 1);
	track_destroy(t);
}
END_TEST

START_TEST(down_after_misses_back_after_rise)
{
	uint32_t nh = IP(10, 0, 0, 2);
	struct track *t = make(1, 3, 2, nh);
	struct track_info ti;
	uint64_t now = 0;

	step(t, &now, true);
	/* Two misses: still up. */
	step(t, &now, false);
	step(t, &now, false);
	track_poll(t, now); /* counts the second miss */
	ck_assert_int_eq(state(t, nh), TRACK_UP);
	track_answer(t, nh, 0, ID, rec.last_seq, now * 1000);
	now += 1000;
	/* An answer resets the count: three more misses are needed. */
	step(t, &now, false);
	step(t, &now, false);
	step(t, &now, false);
	ck_assert_int_eq(state(t, nh), TRACK_UP);
	track_poll(t, now); /* the third miss */
	ck_assert_int_eq(state(t, nh), TRACK_DOWN);
	ck_assert_uint_eq(rec.downs, 1);
	/* rise 2: one answer is not enough. */
	track_answer(t, nh, 0, ID, rec.last_seq, now * 1000);
	now += 1000;
	ck_assert_int_eq(state(t, nh), TRACK_DOWN);
	step(t, &now, true);
	ck_assert_int_eq(state(t, nh), TRACK_UP);
	ck_assert_uint_eq(rec.ups, 2);
	ck_assert_int_eq(track_find(t, nh, &ti), 0);
	ck_assert_uint_eq(ti.flaps, 1);
	ck_assert_uint_eq(ti.rtt_us, 300);
	track_destroy(t);
}
END_TEST

/* Never answered: from unknown to down, told as such (a route installed
 * before its check began must go). */
START_TEST(init_to_down)
{
	uint32_t nh = IP(10, 0, 0, 2);
	struct track *t = make(2, 2, 1, nh);
	uint64_t now = 0;

	track_poll(t, now);
	track_poll(t, now + 1999); /* not yet due */
	ck_assert_uint_eq(rec.sent, 1);
	track_poll(t, now + 2000);
	track_poll(t, now + 4000);
	ck_assert_int_eq(state(t, nh), TRACK_DOWN);
	ck_assert_uint_eq(rec.downs, 1);
	ck_assert_uint_eq(rec.ups, 0);
	ck_assert_int_eq(rec.from, TRACK_INIT);
	track_destroy(t);
}
END_TEST

/* Replies not ours, late or repeated change nothing. */
START_TEST(foreign_and_late_replies)
{
	uint32_t nh = IP(10, 0, 0, 2);
	struct track *t = make(1, 2, 1, nh);
	struct track_info ti;
	uint16_t old;

	track_poll(t, 0);
	old = rec.last_seq;
	track_answer(t, nh, 0, ID + 1, old, 100);	      /* another id */
	track_answer(t, IP(10, 0, 0, 9), 0, ID, old, 100);    /* another host */
	track_answer(t, nh, 0, ID, (uint16_t)(old + 7), 100); /* another probe */
	track_answer(t, nh, 1, ID, old, 100);		      /* in on another port */
	ck_assert_int_eq(state(t, nh), TRACK_INIT);
	track_answer(t, nh, 0, ID, old, 100);
	ck_assert_int_eq(state(t, nh), TRACK_UP);
	track_answer(t, nh, 0, ID, old, 200); /* again */
	track_poll(t, 1000);
	track_answer(t, nh, 0, ID, old, 1000100); /* the older probe's */
	ck_assert_int_eq(track_find(t, nh, &ti), 0);
	ck_assert_uint_eq(ti.answered, 1);
	ck_assert_uint_eq(ti.late, 3);
	ck_assert_uint_eq(ti.wrong_port, 1);
	track_destroy(t);
}
END_TEST

/* A probe the socket refuses is a miss in its time. */
START_TEST(send_error_is_a_miss)
{
	uint32_t nh = IP(10, 0, 0, 2);
	struct track *t = make(1, 2, 1, nh);
	struct track_info ti;
	uint64_t now = 0;

	step(t, &now, true);
	rec.fail = -ENETUNREACH;
	step(t, &now, false);
	step(t, &now, false);
	track_poll(t, now);
	ck_assert_int_eq(state(t, nh), TRACK_DOWN);
	ck_assert_int_eq(track_find(t, nh, &ti), 0);
	ck_assert_uint_eq(ti.send_errors, 3);
	track_destroy(t);
}
END_TEST

/* A new set keeps the states of the next hops it keeps; routes through one
 * next hop make one check, the most eager. */
START_TEST(set_keeps_state)
{
	uint32_t a = IP(10, 0, 0, 2), b = IP(10, 0, 0, 6);
	struct track *t = make(5, 8, 2, a);
	struct track_target tg[3] = {
		{.addr = b, .params = {10, 8, 2}},
		{.addr = a, .params = {5, 8, 2}},
		{.addr = a, .params = {3, 4, 3}},
	};
	struct track_info ti;

	track_poll(t, 0);
	track_answer(t, a, 0, ID, rec.last_seq, 10);
	ck_assert_int_eq(state(t, a), TRACK_UP);
	ck_assert_int_eq(track_set(t, tg, 3, 100), 0);
	ck_assert_uint_eq(track_count(t), 2);
	ck_assert_int_eq(state(t, a), TRACK_UP);
	ck_assert_int_eq(state(t, b), TRACK_INIT);
	ck_assert_int_eq(track_find(t, a, &ti), 0);
	ck_assert_uint_eq(ti.params.interval, 3);
	ck_assert_uint_eq(ti.params.misses, 4);
	ck_assert_uint_eq(ti.params.rise, 2);
	ck_assert_int_eq(track_get(t, 0, &ti), 0);
	ck_assert_uint_eq(ti.addr, a);
	/* The new next hop is probed at once; the kept one's shorter interval
	 * counts from now (3 s, not the 5 s it had). */
	rec.sent = 0;
	track_poll(t, 100);
	ck_assert_uint_eq(rec.sent, 1);
	ck_assert_uint_eq(rec.last_addr, b);
	track_poll(t, 3099);
	ck_assert_uint_eq(rec.sent, 1);
	track_poll(t, 3100);
	ck_assert_uint_eq(rec.sent, 2);
	ck_assert_uint_eq(rec.last_addr, a);
	ck_assert_int_eq(track_set(t, NULL, 0, 3200), 0);
	ck_assert_uint_eq(track_count(t), 0);
	ck_assert_int_eq(track_find(t, a, &ti), -ENOENT);
	track_poll(t, 100000);
	ck_assert_uint_eq(rec.sent, 2);
	track_destroy(t);
}
END_TEST

/* An echo reply as the raw socket gives it: an IPv4 header, then ours. */
static size_t
reply_of(uint8_t *pkt, uint16_t id, uint16_t seq)
{
	uint8_t *icmp = pkt + 20;
	uint32_t s = 0;

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[3] = 20 + TRACK_ECHO_LEN;
	pkt[8] = 64;
	pkt[9] = 1;
	memcpy(pkt + 12, (uint8_t[]){10, 0, 0, 2}, 4);
	track_echo_build(icmp, id, seq);
	icmp[0] = 0; /* echo reply: the checksum again */
	icmp[2] = icmp[3] = 0;
	for (int i = 0; i < TRACK_ECHO_LEN; i += 2)
		s += (uint32_t)icmp[i] << 8 | icmp[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	icmp[2] = (uint8_t)(~s >> 8);
	icmp[3] = (uint8_t)~s;
	return 20 + TRACK_ECHO_LEN;
}

START_TEST(echo_codec)
{
	uint8_t pkt[64];
	size_t len = reply_of(pkt, 0x1234, 77);
	uint32_t from;
	uint16_t id, seq;

	ck_assert_int_eq(track_echo_parse(pkt, len, &from, &id, &seq), 0);
	ck_assert_uint_eq(from, IP(10, 0, 0, 2));
	ck_assert_uint_eq(id, 0x1234);
	ck_assert_uint_eq(seq, 77);
	/* Every shorter length fails, without reading past it (ASan). */
	for (size_t l = 0; l < len; l++) {
		uint8_t *copy = malloc(l ? l : 1);

		memcpy(copy, pkt, l);
		ck_assert_int_eq(track_echo_parse(copy, l, &from, &id, &seq), -EINVAL);
		free(copy);
	}
	/* Any flipped bit of the ICMP part breaks the checksum or the payload. */
	for (size_t i = 20; i < len; i++) {
		pkt[i] ^= 0x10;
		ck_assert_int_eq(track_echo_parse(pkt, len, &from, &id, &seq), -EINVAL);
		pkt[i] ^= 0x10;
	}
	pkt[6] = 0x20; /* more fragments */
	ck_assert_int_eq(track_echo_parse(pkt, len, &from, &id, &seq), -EINVAL);
	pkt[6] = 0;
	pkt[0] = 0x4f; /* a header longer than the datagram */
	ck_assert_int_eq(track_echo_parse(pkt, len, &from, &id, &seq), -EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("track");
	TCase *tc = tcase_create("track");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, starts_unknown_up_on_first_answer);
	tcase_add_test(tc, down_after_misses_back_after_rise);
	tcase_add_test(tc, init_to_down);
	tcase_add_test(tc, foreign_and_late_replies);
	tcase_add_test(tc, send_error_is_a_miss);
	tcase_add_test(tc, set_keeps_state);
	tcase_add_test(tc, echo_codec);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
