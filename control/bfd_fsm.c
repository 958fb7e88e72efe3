/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BFD session's transitions (see bfd_fsm.h): per event, the states,
 * intervals and timers that change, and the packets to send. No I/O here.
 */
#include <string.h>

#include "bfd_fsm.h"

static const char *const event_names[BFD_EV_COUNT] = {
	[BFD_EV_NONE] = "none",
	[BFD_EV_START] = "start",
	[BFD_EV_STOP] = "stop",
	[BFD_EV_RX] = "packet received",
	[BFD_EV_TX_DUE] = "transmit timer",
	[BFD_EV_DETECT_EXPIRED] = "detection time expired",
	[BFD_EV_CONFIGURE] = "configure",
};

const char *
bfd_fsm_event_name(enum bfd_fsm_event ev)
{
	return (unsigned)ev < BFD_EV_COUNT && event_names[ev] ? event_names[ev] : "?";
}

/* ---------------------------------------------------------------- helpers */

static uint32_t
max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* xorshift64*: the jitter needs no more. */
static uint64_t
rnd(struct bfd_fsm *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static struct bfd_fsm_action *
push(struct bfd_fsm_actions *act, enum bfd_fsm_action_type type)
{
	/* No event asks for more than BFD_FSM_MAX_ACTIONS: past it is a bug,
	 * and the last slot is reused rather than overrun. */
	struct bfd_fsm_action *a =
		&act->a[act->n < BFD_FSM_MAX_ACTIONS ? act->n++ : BFD_FSM_MAX_ACTIONS - 1];

	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

static void
send_now(struct bfd_fsm_actions *act, bool final)
{
	push(act, BFD_ACT_SEND)->final = final;
}

uint32_t
bfd_fsm_tx_interval(const struct bfd_fsm *f)
{
	/* §6.8.7: none at all when the remote asks for none, or runs Demand
	 * mode on an Up session and no Poll Sequence of ours is being sent
	 * (its packets go until the Final, else it never ends). */
	if (f->remote_min_rx == 0 ||
		(f->remote_demand && f->state == BFD_UP && f->remote_state == BFD_UP && !f->poll))
		return 0;
	return max32(f->tx_base, f->remote_min_rx);
}

uint32_t
bfd_fsm_rx_interval(const struct bfd_fsm *f)
{
	return max32(f->rx_base, f->remote_min_tx);
}

uint64_t
bfd_fsm_detect_time(const struct bfd_fsm *f)
{
	return (uint64_t)f->remote_detect_mult * bfd_fsm_rx_interval(f);
}

bool
bfd_fsm_silent(const struct bfd_fsm *f, uint64_t now)
{
	uint64_t d = bfd_fsm_detect_time(f);

	if (f->heard_at == 0)
		return true;
	if (f->heard_detect > d)
		d = f->heard_detect;
	return now - f->heard_at > 2 * d;
}

/* §6.8.7: the interval less 0-25 % at random, 10-25 % with a detect
 * multiplier of 1 (so that one late packet does not end the session). */
static uint64_t
jittered(struct bfd_fsm *f, uint32_t interval)
{
	unsigned pct = f->conf.detect_mult == 1 ? 75 + (unsigned)(rnd(f) % 16)
						: 75 + (unsigned)(rnd(f) % 26);

	return (uint64_t)interval * pct / 100;
}

/* The next periodic packet, counted from now. */
static void
schedule_tx(struct bfd_fsm *f, uint64_t now)
{
	uint32_t i = bfd_fsm_tx_interval(f);

	f->tx_at = i ? now + jittered(f, i) : 0;
}

/* A shorter interval than the one the next packet was timed with: it must
 * not wait for the old one (the remote's detection time shrinks now). */
static void
tx_sooner(struct bfd_fsm *f, uint64_t now)
{
	uint32_t i = bfd_fsm_tx_interval(f);

	if (i == 0) {
		f->tx_at = 0;
		return;
	}
	if (f->tx_at == 0 || f->tx_at > now + i)
		schedule_tx(f, now);
}

/*
 * New values to advertise (§6.8.3). A faster transmission or a slower
 * expectation is safe at once; the other way waits for the remote's Final
 * while Up, where a Poll Sequence tells the remote. Not Up: everything at
 * once, no Poll.
 */
static void
set_intervals(struct bfd_fsm *f, uint32_t tx, uint32_t rx, uint64_t now)
{
	bool changed = tx != f->desired_min_tx || rx != f->required_min_rx;

	f->desired_min_tx = tx;
	f->required_min_rx = rx;
	if (f->state != BFD_UP) {
		f->tx_base = tx;
		f->rx_base = rx;
		f->poll = f->poll_again = false;
	} else {
		if (tx < f->tx_base)
			f->tx_base = tx;
		if (rx > f->rx_base)
			f->rx_base = rx;
		if (changed && f->poll)
			f->poll_again = true;
		if (changed)
			f->poll = true;
	}
	tx_sooner(f, now);
}

/* §6.8.3: at least 1 s while not Up. */
static void
update_intervals(struct bfd_fsm *f, uint64_t now)
{
	uint32_t tx = f->conf.desired_min_tx;

	if (f->state != BFD_UP)
		tx = max32(tx, BFD_SLOW_TX_US);
	set_intervals(f, tx, f->conf.required_min_rx, now);
}

/* Our Poll's Final came (§6.5). If the values changed while it ran, it may
 * answer a packet that advertised older ones: the remote is not known to
 * have the latest, which get a Poll Sequence of their own (the Poll bit
 * stays on) before they take effect. */
static void
poll_done(struct bfd_fsm *f, uint64_t now)
{
	if (f->poll_again) {
		f->poll_again = false;
		return;
	}
	f->poll = false;
	f->tx_base = f->desired_min_tx;
	f->rx_base = f->required_min_rx;
	tx_sooner(f, now);
}

/* The remote is gone (detection time): forget what it told us, as
 * bfd.RemoteDiscr must be (§6.8.1). */
static void
forget_remote(struct bfd_fsm *f)
{
	f->remote_disc = 0;
	f->remote_state = BFD_DOWN;
	f->remote_min_rx = 1;
	f->remote_min_tx = 0;
	f->remote_detect_mult = 0;
	f->remote_demand = false;
	f->detect_at = 0;
}

static void
change_state(struct bfd_fsm *f, enum bfd_state to, uint8_t diag, bool remote_admin_down,
	uint64_t now, struct bfd_fsm_actions *act)
{
	struct bfd_fsm_action *a;

	if (to == f->state)
		return;
	a = push(act, BFD_ACT_STATE);
	a->from = f->state;
	a->to = to;
	a->diag = diag;
	a->remote_admin_down = remote_admin_down;
	f->state = to;
	f->local_diag = diag;
	if (to != BFD_UP && diag != BFD_DIAG_NONE)
		f->last_local_diag = diag;
	update_intervals(f, now);
	/* The remote hears of it at once, not a second later. */
	send_now(act, false);
	schedule_tx(f, now);
}

/* ------------------------------------------------------------ transitions */

/* §6.8.6, the state machine proper (the packet passed every check). */
static void
rx_state(struct bfd_fsm *f, const struct bfd_ctrl *p, uint64_t now, struct bfd_fsm_actions *act)
{
	if (p->state == BFD_ADMIN_DOWN) {
		if (f->state != BFD_DOWN)
			change_state(f, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, true, now, act);
		return;
	}
	switch (f->state) {
	case BFD_DOWN:
		if (p->state == BFD_DOWN)
			change_state(f, BFD_INIT, BFD_DIAG_NONE, false, now, act);
		else if (p->state == BFD_INIT)
			change_state(f, BFD_UP, BFD_DIAG_NONE, false, now, act);
		break;
	case BFD_INIT:
		if (p->state == BFD_INIT || p->state == BFD_UP)
			change_state(f, BFD_UP, BFD_DIAG_NONE, false, now, act);
		break;
	case BFD_UP:
		if (p->state == BFD_DOWN)
			change_state(f, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, false, now, act);
		break;
	default:
		break;
	}
}

static void
rx(struct bfd_fsm *f, const struct bfd_ctrl *p, uint64_t now, struct bfd_fsm_actions *act)
{
	if (p == NULL || f->state == BFD_ADMIN_DOWN)
		return;
	f->remote_disc = p->my_disc;
	f->remote_state = (enum bfd_state)p->state;
	f->remote_demand = p->demand;
	f->remote_min_rx = p->required_min_rx;
	f->remote_min_tx = p->desired_min_tx;
	f->remote_detect_mult = p->detect_mult;
	if (p->diag != BFD_DIAG_NONE)
		f->last_remote_diag = p->diag;
	if (f->poll && p->final)
		poll_done(f, now);
	rx_state(f, p, now, act);
	/* §6.8.7: the Final goes at once, whatever the timer says. */
	if (p->poll)
		send_now(act, true);
	/* A remote that wants packets faster now gets them faster now (or
	 * none, in Demand mode). */
	tx_sooner(f, now);
	/* After the packet's own values: before the first one (or after a
	 * detection timeout) the detection time is 0, and a window of 0
	 * would forget bfd.AuthSeqKnown at once (§6.7.1). */
	f->heard_at = now;
	f->heard_detect = bfd_fsm_detect_time(f);
	f->detect_at = now + f->heard_detect;
}

static void
detect_expired(struct bfd_fsm *f, uint64_t now, struct bfd_fsm_actions *act)
{
	if (f->detect_at == 0 || now < f->detect_at)
		return;
	forget_remote(f);
	if (f->state == BFD_INIT || f->state == BFD_UP)
		change_state(f, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED, false, now, act);
	else
		tx_sooner(f, now);
}

static void
tx_due(struct bfd_fsm *f, uint64_t now, struct bfd_fsm_actions *act)
{
	if (f->tx_at == 0 || now < f->tx_at)
		return;
	send_now(act, false);
	schedule_tx(f, now);
}

static void
configure(struct bfd_fsm *f, const struct bfd_fsm_conf *conf, uint64_t now)
{
	if (conf == NULL)
		return;
	f->conf = *conf;
	update_intervals(f, now);
}

/* ---------------------------------------------------------------- API */

void
bfd_fsm_init(struct bfd_fsm *f, const struct bfd_fsm_conf *conf, uint32_t local_disc, uint64_t seed,
	uint64_t now_us)
{
	memset(f, 0, sizeof(*f));
	f->conf = *conf;
	f->state = BFD_DOWN;
	f->local_disc = local_disc;
	f->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	forget_remote(f);
	update_intervals(f, now_us);
	f->tx_at = now_us;
}

enum bfd_state
bfd_fsm_event(struct bfd_fsm *f, const struct bfd_fsm_input *in, uint64_t now,
	struct bfd_fsm_actions *act)
{
	act->n = 0;
	switch (in->ev) {
	case BFD_EV_START:
		if (f->state == BFD_ADMIN_DOWN) {
			forget_remote(f);
			change_state(f, BFD_DOWN, BFD_DIAG_NONE, false, now, act);
		}
		break;
	case BFD_EV_STOP:
		change_state(f, BFD_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, false, now, act);
		f->detect_at = 0;
		break;
	case BFD_EV_RX:
		rx(f, in->pkt, now, act);
		break;
	case BFD_EV_TX_DUE:
		tx_due(f, now, act);
		break;
	case BFD_EV_DETECT_EXPIRED:
		detect_expired(f, now, act);
		break;
	case BFD_EV_CONFIGURE:
		configure(f, in->conf, now);
		break;
	default:
		break;
	}
	return f->state;
}

enum bfd_fsm_event
bfd_fsm_timer_due(const struct bfd_fsm *f, uint64_t now)
{
	if (f->detect_at && now >= f->detect_at)
		return BFD_EV_DETECT_EXPIRED;
	if (f->tx_at && now >= f->tx_at)
		return BFD_EV_TX_DUE;
	return BFD_EV_NONE;
}

uint64_t
bfd_fsm_next_deadline(const struct bfd_fsm *f)
{
	if (f->detect_at == 0)
		return f->tx_at;
	if (f->tx_at == 0)
		return f->detect_at;
	return f->detect_at < f->tx_at ? f->detect_at : f->tx_at;
}

void
bfd_fsm_packet(const struct bfd_fsm *f, bool final, struct bfd_ctrl *out)
{
	memset(out, 0, sizeof(*out));
	out->version = BFD_VERSION;
	out->diag = f->local_diag;
	out->state = (uint8_t)f->state;
	/* §6.5: never Poll and Final together; the Poll goes on the next. */
	out->poll = f->poll && !final;
	out->final = final;
	out->detect_mult = f->conf.detect_mult;
	out->my_disc = f->local_disc;
	out->your_disc = f->remote_disc;
	out->desired_min_tx = f->desired_min_tx;
	out->required_min_rx = f->required_min_rx;
	out->required_min_echo_rx = 0; /* no echo */
}
