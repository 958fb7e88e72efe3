/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP sessions: peers as runtime objects, their connections over the
 * kernel's TCP (reached through the IDC port's exception tap) with TCP-MD5
 * (RFC 2385) and GTSM (RFC 5082), the messages in and out, and the glue
 * between decoded UPDATEs and the RIB.
 *
 * The FSM is bgp_fsm.c's: every event of a peer (its connections', its
 * messages', its timers', the administrator's) goes through peer_event(),
 * which feeds it to the FSM and carries out the actions the FSM answers
 * with. Nothing here sets a state or a session timer. A peer may have two
 * connections at once, the one we opened (OUT) and the one it opened (IN);
 * collision detection (RFC 4271 §6.8) keeps one.
 * Everything here runs on the single control thread: no locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <rte_common.h>
#include <rte_random.h>

#include "bgp.h"
#include "bgp_filter.h"
#include "bgp_msg.h"
#include "ctl_log.h"
#include "evloop.h"

#define REFRESH_SETTLE_MS 1000		/* room under the limit this long: ask for routes */
#define REFRESH_GAP_MS (10 * 1000ull)	/* between our first ROUTE-REFRESH requests, */
#define REFRESH_GAP_MAX_MS (15 * 60 * 1000ull) /* doubling up to this in one session */
/* What we queue for a peer beyond the kernel's socket buffer, at most: our
 * CIDR blocks take a few KB; a peer that stops reading is dropped by the
 * send hold timer long before, this is the backstop. */
#define WBUF_MAX (1u << 20)
#define SEND_HOLD_MIN_MS (480 * 1000ull) /* draft-ietf-idr-bgp-sendholdtimer's default */
#define RBUF_SIZE (4 * BGP_MAX_MSG_LEN)
#define MSGS_PER_EVENT 64		/* fairness between sessions */

#define TIMER_EVENTS_MAX 8		/* per peer and tick: each makes progress */

#define CONN_OUT BGP_CONN_OUT
#define CONN_IN BGP_CONN_IN

struct bgp_peer;

/* One connection's socket and buffers; its state is the FSM's
 * (peer->fsm.conn[id]). */
struct bgp_conn {
	struct ev_handler ev;
	struct bgp_peer *peer;
	enum bgp_conn_id id;
	int fd;
	bool want_write;
	bool pending;		/* whole messages wait in rbuf */
	bool notified;		/* we sent a NOTIFICATION on it: that is the error */
	bool as4;
	bool route_refresh;
	size_t rlen;
	uint8_t rbuf[RBUF_SIZE];
	uint8_t *wbuf;		/* bytes whead..wlen wait to be sent */
	size_t whead, wlen, wcap;
	/* Send hold timer: bytes handed to the kernel, how many of them the
	 * peer had acknowledged when we last looked, and since when nothing
	 * of ours has been acknowledged while some waited. */
	uint64_t sent_bytes;
	uint64_t acked_seen;
	uint64_t send_progress_at;
	uint64_t send_hold_ms;	/* 0: off */
};

struct bgp_peer {
	struct bgp *bgp;
	unsigned idx;		/* its slot here and in the RIB */
	bool used;
	struct vbr_bgp_peer cfg;	/* copies: nothing points into a config */
	struct vbr_bgp_group grp;
	char shutdown_msg[256];	/* RFC 9003 text of the disable, for refusals */
	char addr_str[VBR_IP_STRLEN];	/* its address, for messages */
	struct bgp_fsm fsm;	/* its states and session timers */
	struct bgp_conn conn[2];
	bool limit_logged;
	bool limit_dropped;	/* routes dropped over the limit since our last ROUTE-REFRESH */
	uint64_t refresh_due;	/* 0, or when to send our ROUTE-REFRESH */
	uint64_t refresh_not_before;
	uint64_t refresh_gap_ms;	/* 0: REFRESH_GAP_MS */
	uint64_t last_warn;	/* rate limit of its warnings */
	uint64_t warn_suppressed;
	/* Prefixes refused in this session by a range that may go away (our
	 * CIDR blocks, static routes toward the VPC): when one does, the peer
	 * is asked for its routes again. */
	uint64_t filtered_by_range;
	struct bgp_peer_status st;
};

struct bgp {
	uint32_t local_asn;
	uint32_t router_id;
	uint32_t idc_addr;	/* our address on the IDC port */
	struct vbr_port_config ports[VBR_NB_PORTS];	/* for the route filter */
	unsigned nb_nets;
	struct vbr_prefix nets[VBR_MAX_NETWORKS];	/* our BGP CIDR blocks */
	unsigned nb_vpc_routes;
	struct vbr_prefix *vpc_routes;	/* static routes toward the VPC (filter) */
	struct rib *rib;
	int epfd;
	int listen_fd;
	struct ev_handler listen_ev;
	unsigned nb_peers;
	/* Slots, not a list: a deleted peer's slot stays valid memory for the
	 * epoll events of its closed fds still in the loop's batch. */
	struct bgp_peer peers[VBR_MAX_PEERS];
	struct bgp_update upd; /* decode space (90 KiB): one message at a time */
	uint8_t msg[BGP_MAX_MSG_LEN];
	uint64_t last_refusal_log;
	uint64_t refusals;
	struct bgp_filter filter; /* what peers may announce */
};

static int filter_rebuild(struct bgp *b);

static int
prefix_cmp(const void *x, const void *y)
{
	const struct vbr_prefix *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (int)a->len - (int)b->len;
}

static int
u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static struct sockaddr_in
sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr) };
	return sin;
}

/* ------------------------------------------------------------- sockets */

static int
set_md5(int fd, uint32_t peer, const char *key)
{
	struct tcp_md5sig md5 = { 0 };
	struct sockaddr_in sin = sin_of(peer, 0);
	size_t len = strlen(key);

	if (len == 0)
		return 0;
	memcpy(&md5.tcpm_addr, &sin, sizeof(sin));
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, key, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5)) == 0 ? 0 : -errno;
}

/* The lowest TTL GTSM (RFC 5082 §3) takes from a peer of g: 255 for a
 * directly connected one, one less per hop that multihop allows. */
static int
gtsm_min_ttl(const struct vbr_bgp_group *g)
{
	return 256 - (g->multihop ? g->multihop : 1);
}

/* eBGP speaks to a directly connected neighbour: TTL 1 unless the group
 * says multihop; with GTSM, TTL 255 out and a minimum TTL in, so that no
 * one further away than the peer can reach the session at all. */
static void
set_sockopts(int fd, const struct vbr_bgp_group *g)
{
	int ttl = g->multihop ? g->multihop : 1, one = 1, tos = IPTOS_PREC_INTERNETCONTROL;

	if (g->gtsm) {
		int min = gtsm_min_ttl(g);

		ttl = 255;
		if (setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min)) != 0)
			BGP_LOG(ERR, "cannot set IP_MINTTL (GTSM): %s", strerror(errno));
	}
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
ev_add(struct bgp *b, int fd, struct ev_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void
ev_mod(struct bgp *b, int fd, struct ev_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	epoll_ctl(b->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/* ------------------------------------------------------------- sending */

static void peer_event(struct bgp_peer *p, const struct bgp_fsm_input *in);

/* The FSM's state of c. */
static enum bgp_state
cstate(const struct bgp_conn *c)
{
	return c->peer->fsm.conn[c->id].state;
}

/* Feed c's FSM a connection or message event. */
static void
conn_event_fsm(struct bgp_conn *c, enum bgp_fsm_event ev, const char *why)
{
	peer_event(c->peer, &(struct bgp_fsm_input){ .ev = ev, .conn = c->id, .why = why });
}

static int
conn_flush(struct bgp_conn *c)
{
	while (c->whead < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->whead, c->wlen - c->whead,
				MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->whead += (size_t)n;
		c->sent_bytes += (uint64_t)n;
	}
	if (c->whead == c->wlen)
		c->whead = c->wlen = 0;
	if ((c->wlen > 0) != c->want_write) {
		c->want_write = c->wlen > 0;
		ev_mod(c->peer->bgp, c->fd, &c->ev, EPOLLIN | (c->want_write ? EPOLLOUT : 0));
	}
	return 0;
}

static int
conn_send(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = c->peer;

	if (c->fd < 0)
		return -ENOTCONN;
	if (c->wlen - c->whead + len > WBUF_MAX) {
		BGP_LOG(WARNING, "peer %s: over %u bytes wait to be sent: it does not read",
				p->addr_str, WBUF_MAX);
		return -ENOBUFS;
	}
	if (c->whead > 0 && c->wlen + len > c->wcap) {
		/* Move what is unsent to the front once, not on every send. */
		memmove(c->wbuf, c->wbuf + c->whead, c->wlen - c->whead);
		c->wlen -= c->whead;
		c->whead = 0;
	}
	if (c->wlen + len > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 65536;
		uint8_t *nb;

		while (cap < c->wlen + len)
			cap *= 2;
		nb = realloc(c->wbuf, cap);
		if (nb == NULL)
			return -ENOMEM;
		c->wbuf = nb;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, msg, len);
	c->wlen += len;
	p->st.msgs_out++;
	if (len > 18 && msg[18] == BGP_MSG_UPDATE)
		p->st.updates_out++;
	return conn_flush(c);
}

static void
send_notification(struct bgp_conn *c, const struct bgp_notify *n)
{
	uint8_t buf[BGP_MAX_MSG_LEN];
	char name[96];
	int len = bgp_notification_encode(buf, sizeof(buf), n);

	if (len > 0 && conn_send(c, buf, (size_t)len) == 0)
		conn_flush(c);
	bgp_notify_name(name, sizeof(name), n->code, n->subcode);
	snprintf(c->peer->st.last_error, sizeof(c->peer->st.last_error), "sent NOTIFICATION %s",
			name);
	c->notified = true;
}

static int
send_open(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_open o;
	uint8_t buf[BGP_MAX_MSG_LEN];
	int len;

	bgp_open_init_local(&o, p->bgp->local_asn, p->grp.hold_time, p->bgp->router_id);
	len = bgp_open_encode(buf, sizeof(buf), &o);
	if (len < 0)
		return len;
	return conn_send(c, buf, (size_t)len);
}

static int
send_keepalive(struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	int len = bgp_keepalive_encode(buf, sizeof(buf));

	if (len < 0)
		return len;
	return conn_send(c, buf, (size_t)len);
}

/* Withdraw wd, announce ad (ORIGIN IGP, AS_PATH our ASN, NEXT_HOP our
 * IDC address), in as many UPDATEs as they take. */
static int
send_prefixes(struct bgp_conn *c, const struct vbr_prefix *wd, unsigned n_wd,
		const struct vbr_prefix *ad, unsigned n_ad)
{
	struct bgp *b = c->peer->bgp;
	struct bgp_codec_ctx ctx = { .as4 = c->as4 };
	static struct bgp_path_attrs attrs;
	static struct bgp_prefix w[VBR_MAX_NETWORKS], a[VBR_MAX_NETWORKS];
	size_t wdone = 0, adone = 0;

	if (n_wd > VBR_MAX_NETWORKS || n_ad > VBR_MAX_NETWORKS)
		return -EINVAL;
	bgp_path_attrs_init_local(&attrs, b->local_asn, b->idc_addr);
	for (unsigned i = 0; i < n_wd; i++)
		w[i] = (struct bgp_prefix){ .addr = wd[i].addr, .len = wd[i].len };
	for (unsigned i = 0; i < n_ad; i++)
		a[i] = (struct bgp_prefix){ .addr = ad[i].addr, .len = ad[i].len };
	while (wdone < n_wd || adone < n_ad) {
		size_t wn = 0, an = 0;
		int len = bgp_update_encode(b->msg, sizeof(b->msg), &ctx, w + wdone, n_wd - wdone,
				&wn, &attrs, a + adone, n_ad - adone, &an);
		int rc;

		if (len < 0)
			return len;
		rc = conn_send(c, b->msg, (size_t)len);
		if (rc != 0)
			return rc;
		wdone += wn;
		adone += an;
	}
	return 0;
}

/* Our BGP CIDR blocks, then End-of-RIB. */
static int
announce_networks(struct bgp_conn *c)
{
	struct bgp *b = c->peer->bgp;
	int rc = send_prefixes(c, NULL, 0, b->nets, b->nb_nets);

	if (rc != 0)
		return rc;
	c->peer->st.announced = b->nb_nets;
	rc = bgp_end_of_rib_encode(b->msg, sizeof(b->msg));
	if (rc < 0)
		return rc;
	return conn_send(c, b->msg, (size_t)rc);
}

/* ------------------------------------------------------- FSM actions */

static void
conn_reset(struct bgp_conn *c)
{
	c->fd = -1;
	c->rlen = 0;
	c->wlen = 0;
	c->want_write = false;
	c->pending = false;
	c->notified = false;
	c->whead = 0;
	c->as4 = false;
	c->route_refresh = false;
	c->sent_bytes = 0;
	c->acked_seen = 0;
	c->send_progress_at = 0;
	c->send_hold_ms = 0;
}

/* The send hold timer runs in Established; with no hold time it is off
 * unless the group sets one. */
static uint64_t
send_hold_for(const struct bgp_peer *p, const struct bgp_conn *c)
{
	uint16_t hold = p->fsm.conn[c->id].hold_time;

	if (p->grp.send_hold_time)
		return p->grp.send_hold_time * 1000ull;
	return hold ? RTE_MAX(SEND_HOLD_MIN_MS, 2000ull * hold) : 0;
}

static void rib_slot_set(struct bgp_peer *p);

/* Established: routes from it go into its RIB slot, ours go out. */
static int
session_up(struct bgp_conn *c, uint64_t now)
{
	struct bgp_peer *p = c->peer;
	const struct bgp_fsm_conn *fc = &p->fsm.conn[c->id];

	c->send_progress_at = now;
	c->send_hold_ms = send_hold_for(p, c);
	p->limit_logged = false;
	p->filtered_by_range = 0;
	p->st.established_count++;
	p->st.remote_id = fc->remote_id;
	p->st.hold_time = fc->hold_time;
	p->st.as4 = c->as4;
	p->st.last_error[0] = '\0';
	rib_slot_set(p);
	BGP_LOG(NOTICE, "peer %s AS %u (%s): Established, hold time %u s, %s AS numbers%s",
			p->addr_str, p->grp.peer_asn, p->grp.name, fc->hold_time,
			c->as4 ? "4-octet" : "2-octet", p->grp.gtsm ? ", GTSM" : "");
	return announce_networks(c);
}

/* The established session ends: the peer's routes leave the RIB. */
static void
session_down(struct bgp_peer *p, const char *why, uint64_t now)
{
	struct bgp *b = p->bgp;
	struct rib_peer_stats rs;

	rib_peer_stats(b->rib, p->idx, &rs);
	BGP_LOG(NOTICE, "peer %s AS %u: session down: %s (was up %" PRIu64 " s, %" PRIu64
			" prefixes)", p->addr_str, p->grp.peer_asn, why,
			(now - p->fsm.established_at) / 1000, rs.accepted);
	rib_peer_down(b->rib, p->idx);
	p->limit_dropped = false;
	p->refresh_due = 0;
	p->refresh_gap_ms = 0;
	p->refresh_not_before = 0;
	p->st.uptime_ms = 0;
}

/* Close c's socket. Unread bytes would make close() send a RST that can
 * overtake our NOTIFICATION: read them, send what is queued, then a FIN
 * (or a RST when asked: what waits for a peer that does not read goes). */
static void
conn_close(struct bgp_conn *c, const struct bgp_fsm_action *a)
{
	struct bgp_peer *p = c->peer;

	if (c->fd >= 0) {
		epoll_ctl(p->bgp->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		for (int i = 0; i < 64 && recv(c->fd, c->rbuf, sizeof(c->rbuf), MSG_DONTWAIT) > 0;
				i++)
			;
		conn_flush(c);
		if (a->reset)
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER,
					&(struct linger){ .l_onoff = 1, .l_linger = 0 },
					sizeof(struct linger));
		shutdown(c->fd, SHUT_WR);
		close(c->fd);
		if (a->state != BGP_ESTABLISHED)
			BGP_LOG(INFO, "peer %s: %s connection closed in %s: %s", p->addr_str,
					c->id == CONN_OUT ? "outgoing" : "incoming",
					bgp_state_name(a->state), a->why);
	}
	free(c->wbuf);
	c->wbuf = NULL;
	c->wcap = 0;
	/* The NOTIFICATION we sent on this connection says it best. */
	if (a->error && !c->notified)
		snprintf(p->st.last_error, sizeof(p->st.last_error), "%s", a->why);
	conn_reset(c);
}

static int peer_connect(struct bgp_peer *p);
static void refuse(int fd, uint8_t subcode, const char *text);

/* What carrying out one event's actions met. */
struct run_ctx {
	int new_fd;		/* TCP_VALID: the socket accepted, until taken or refused */
	bool failed[2];		/* a connection could not send: why[] */
	char why[2][96];
};

static void
conn_failed(struct run_ctx *x, enum bgp_conn_id k, const char *why)
{
	if (x->failed[k])
		return;
	x->failed[k] = true;
	snprintf(x->why[k], sizeof(x->why[k]), "%s", why);
}

static void
conn_take(struct bgp_peer *p, struct run_ctx *x)
{
	struct bgp_conn *c = &p->conn[CONN_IN];
	int fd = x->new_fd;

	x->new_fd = -1;
	set_sockopts(fd, &p->grp);
	conn_reset(c);
	c->fd = fd;
	if (ev_add(p->bgp, fd, &c->ev, EPOLLIN) != 0) {
		close(fd);
		c->fd = -1;
		conn_failed(x, CONN_IN, "cannot watch the connection");
	}
}

static void
send_fsm_notification(struct bgp_conn *c, const struct bgp_fsm_action *a)
{
	struct bgp_notify n;

	if (a->notify != NULL) {
		send_notification(c, a->notify);
		return;
	}
	if (a->code == BGP_ERR_CEASE)
		bgp_notify_set_shutdown(&n, a->subcode, a->text);
	else
		bgp_notify_set(&n, a->code, a->subcode, NULL, 0);
	send_notification(c, &n);
}

static void
do_action(struct bgp_peer *p, const struct bgp_fsm_action *a, struct run_ctx *x, uint64_t now)
{
	struct bgp_conn *c = &p->conn[a->conn];
	char why[96];
	int rc;

	switch (a->type) {
	case BGP_ACT_CONNECT:
		rc = peer_connect(p);
		if (rc != 0) {
			BGP_LOG(DEBUG, "peer %s: connect: %s", p->addr_str, strerror(-rc));
			snprintf(why, sizeof(why), "connect: %s", strerror(-rc));
			conn_failed(x, CONN_OUT, why);
		}
		break;
	case BGP_ACT_ACCEPT:
		if (x->new_fd >= 0)
			conn_take(p, x);
		break;
	case BGP_ACT_REFUSE:
		if (x->new_fd >= 0)
			refuse(x->new_fd, a->subcode, a->text);
		x->new_fd = -1;
		break;
	case BGP_ACT_SEND_OPEN:
		if (!x->failed[a->conn] && send_open(c) != 0)
			conn_failed(x, a->conn, "cannot send OPEN");
		break;
	case BGP_ACT_SEND_KEEPALIVE:
		if (!x->failed[a->conn] && send_keepalive(c) != 0)
			conn_failed(x, a->conn, "cannot send KEEPALIVE");
		break;
	case BGP_ACT_SEND_NOTIFICATION:
		if (c->fd >= 0)
			send_fsm_notification(c, a);
		break;
	case BGP_ACT_SESSION_UP:
		if (session_up(c, now) != 0)
			conn_failed(x, a->conn, "cannot send our announcements");
		break;
	case BGP_ACT_SESSION_DOWN:
		session_down(p, a->why, now);
		break;
	case BGP_ACT_CLOSE:
		conn_close(c, a);
		break;
	}
}

/*
 * The one way into a peer's FSM: the event goes in, its actions are carried
 * out in order, and a connection that could not send what the FSM asked is
 * a TcpConnectionFails of its own. new_fd: the accepted socket of a
 * TcpConnection_Valid, taken or refused here.
 */
static void
peer_event_fd(struct bgp_peer *p, const struct bgp_fsm_input *in, int new_fd)
{
	struct bgp_fsm_actions act;
	struct run_ctx x = { .new_fd = new_fd };
	uint64_t now = ctl_now_ms();

	bgp_fsm_event(&p->fsm, in, now, &act);
	for (unsigned i = 0; i < act.n; i++)
		do_action(p, &act.a[i], &x, now);
	if (x.new_fd >= 0)
		close(x.new_fd);
	p->st.state = p->fsm.state;
	for (int k = 0; k < 2; k++)
		if (x.failed[k] && p->fsm.conn[k].state != BGP_IDLE)
			peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_TCP_FAILS,
					.conn = (enum bgp_conn_id)k, .why = x.why[k] });
}

static void
peer_event(struct bgp_peer *p, const struct bgp_fsm_input *in)
{
	peer_event_fd(p, in, -1);
}

/* ------------------------------------------------------- receiving */

static bool warn_ok(struct bgp_peer *p);

static void
handle_open(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_notify err;
	struct bgp_open o;
	char id[VBR_IP_STRLEN];

	if (cstate(c) != BGP_OPENSENT) {
		conn_event_fsm(c, BGP_EV_OPEN, "OPEN in the wrong state");
		return;
	}
	if (bgp_open_decode(msg, len, &o, &err) != 0 ||
			bgp_open_check_peer_as(&o, p->grp.peer_asn, &err) != 0) {
		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_OPEN_ERR, .conn = c->id,
				.notify = &err, .why = "bad OPEN" });
		return;
	}
	/* RFC 6286 §2.1: only an internal peer may not share our BGP
	 * Identifier; vbr's peers are all external. */
	if (!bgp_open_has_ipv4_unicast(&o)) {
		/* RFC 5492 §3: the data is the capability we need: MP, IPv4
		 * unicast. */
		struct bgp_notify n = { .code = BGP_ERR_OPEN, .subcode = BGP_ERR_OPEN_UNSUP_CAP,
			.data_len = 6, .data = { BGP_CAP_MP, 4, 0, BGP_AFI_IPV4, 0,
				BGP_SAFI_UNICAST } };

		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_OPEN_ERR, .conn = c->id,
				.notify = &n, .why = "peer does not do IPv4 unicast" });
		return;
	}
	if (o.hold_time < p->grp.min_hold_time) {
		/* RFC 4271 §6.2 lets us refuse it; 0 would keep the peer's
		 * routes forever once it vanishes. */
		struct bgp_notify n = { .code = BGP_ERR_OPEN, .subcode = BGP_ERR_OPEN_HOLD_TIME };
		char why[96];

		snprintf(why, sizeof(why), "hold time %u refused: below min_hold_time %u",
				o.hold_time, p->grp.min_hold_time);
		if (warn_ok(p))
			BGP_LOG(WARNING, "peer %s: %s", p->addr_str, why);
		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_OPEN_ERR, .conn = c->id,
				.notify = &n, .why = why });
		return;
	}
	c->as4 = o.cap_as4;
	c->route_refresh = o.cap_route_refresh;
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_OPEN, .conn = c->id,
			.hold_time = o.hold_time, .bgp_id = o.bgp_id });
	if (cstate(c) == BGP_OPENCONFIRM)
		BGP_LOG(INFO, "peer %s: OPEN, AS %u, id %s, hold %u s%s%s", p->addr_str, o.asn,
				config_ip_str(o.bgp_id, id, sizeof(id)), o.hold_time,
				o.cap_as4 ? ", 4-octet AS" : "",
				o.cap_route_refresh ? ", route refresh" : "");
}

/* Semantic checks that need the session (RFC 4271 §5.1.3, §6.3; RFC 7606
 * treats a wrong NEXT_HOP or first AS as a withdrawal). NULL if fine. */
static const char *
path_invalid(const struct bgp_peer *p, const struct bgp_path_attrs *a, uint32_t nh)
{
	const struct vbr_port_config *idc = &p->bgp->ports[VBR_PORT_IDC];
	uint32_t mask = config_prefix_mask(idc->prefix_len);
	uint32_t first;

	if (nh == 0 || nh >> 28 >= 14 || nh >> 24 == 127)
		return "NEXT_HOP is not a unicast address";
	if (nh == idc->address)
		return "NEXT_HOP is our own address";
	if ((nh & mask) != (idc->address & mask))
		return "NEXT_HOP is not on the IDC port's subnet";
	if (bgp_as_path_first_as(&a->as_path, &first) != 0 || first != p->grp.peer_asn)
		return "AS_PATH does not start with the peer's AS";
	return NULL;
}

/* A peer decides how many bad UPDATEs it sends: at most one warning a
 * second each (the log may be a blocking syslog). */
static bool
warn_ok(struct bgp_peer *p)
{
	uint64_t now = ctl_now_ms();

	if (now - p->last_warn < 1000) {
		p->warn_suppressed++;
		return false;
	}
	if (p->warn_suppressed)
		BGP_LOG(WARNING, "peer %s: %" PRIu64 " more warnings suppressed",
				p->addr_str, p->warn_suppressed);
	p->last_warn = now;
	p->warn_suppressed = 0;
	return true;
}

static void
log_limit(struct bgp_peer *p)
{

	if (p->limit_logged)
		return;
	p->limit_logged = true;
	BGP_LOG(WARNING, "peer %s AS %u: maximum of %u prefixes reached: the excess is not installed",
			p->addr_str, p->grp.peer_asn, p->grp.max_prefixes);
}

/* Cease / Maximum Number of Prefixes Reached, with AFI/SAFI and the limit
 * (RFC 4486 §4), and a hold-down before the peer may come back. */
static void
teardown_max_prefixes(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	uint32_t max = p->grp.max_prefixes;
	struct bgp_notify n = { .code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_MAX_PREFIXES,
		.data_len = 7,
		.data = { 0, BGP_AFI_IPV4, BGP_SAFI_UNICAST, max >> 24, (max >> 16) & 0xff,
			(max >> 8) & 0xff, max & 0xff } };

	BGP_LOG(WARNING, "peer %s AS %u: more than %u prefixes: session torn down for %u s",
			p->addr_str, p->grp.peer_asn, max, p->grp.max_prefixes_restart);
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_PREFIX_LIMIT, .conn = c->id,
			.notify = &n, .why = "maximum number of prefixes reached" });
}

/* The RIB could not store a route the peer sent: never a route silently
 * missing. Cease / Out of Resources (RFC 4486) ends the session, so that
 * all its routes leave together and the peer knows we have none of them;
 * it comes back after the error back-off, when memory may be there again. */
static void
rib_out_of_memory(struct bgp_conn *c, unsigned done, unsigned total)
{
	struct bgp_peer *p = c->peer;

	p->st.out_of_memory++;
	BGP_LOG(ERR, "peer %s: out of memory for its routes (prefix %u of an UPDATE's %u): "
			"session closed with Cease / Out of Resources, its routes withdrawn (%"
			PRIu64 " time(s))", p->addr_str, done + 1, total, p->st.out_of_memory);
	conn_event_fsm(c, BGP_EV_OUT_OF_RESOURCES, "out of memory for its routes");
}

static void
handle_update(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp *b = p->bgp;
	struct bgp_update *u = &b->upd;
	struct bgp_codec_ctx ctx = { .as4 = c->as4 };
	struct rib_attrs *ra = NULL, *mra = NULL;
	bool withdraw_all, loop = false, over = false, nomem = false;
	struct bgp_prefix first_filtered = { 0 };
	enum bgp_filter_verdict first_verdict = BGP_FILTER_ACCEPT;
	unsigned n_filtered = 0, n_stored = 0;

	p->st.updates_in++;
	if (cstate(c) != BGP_ESTABLISHED) {
		conn_event_fsm(c, BGP_EV_UPDATE_MSG, "UPDATE before Established");
		return;
	}
	if (bgp_update_decode(msg, len, &ctx, u) != 0 || u->action == BGP_UPDATE_SESSION_RESET) {
		char name[96];

		bgp_notify_name(name, sizeof(name), u->err.code, u->err.subcode);
		BGP_LOG(WARNING, "peer %s: malformed UPDATE: %s", p->addr_str, name);
		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_UPDATE_ERR, .conn = c->id,
				.notify = &u->err, .why = "malformed UPDATE" });
		return;
	}
	conn_event_fsm(c, BGP_EV_UPDATE_MSG, NULL);
	withdraw_all = u->action == BGP_UPDATE_TREAT_AS_WITHDRAW;
	if (!withdraw_all && u->n_announced > 0 &&
			u->attrs.as_path.n_asns > p->grp.max_as_path_len) {
		/* What a path costs us grows with it: a cap, and what is past
		 * it is handled as RFC 7606's treat-as-withdraw. */
		p->st.prefixes_as_path_long += u->n_announced;
		if (warn_ok(p))
			BGP_LOG(WARNING, "peer %s: AS_PATH of %u ASNs, over max_as_path_len %u: "
					"%u prefixes treated as withdrawn", p->addr_str,
					u->attrs.as_path.n_asns, p->grp.max_as_path_len,
					u->n_announced);
		for (unsigned i = 0; i < u->n_announced; i++)
			rib_bgp_withdraw(b->rib, p->idx, u->announced[i].addr,
					u->announced[i].len);
		u->n_announced = 0;
	}
	if ((withdraw_all || u->reason != NULL) && warn_ok(p)) {
		if (withdraw_all)
			BGP_LOG(WARNING, "peer %s: UPDATE treated as withdraw (RFC 7606): %s",
					p->addr_str, u->reason ? u->reason : "error");
		else
			BGP_LOG(INFO, "peer %s: UPDATE attribute discarded (RFC 7606): %s",
					p->addr_str, u->reason);
	}

	for (unsigned i = 0; i < RTE_MIN(u->n_withdrawn, RIB_PREFETCH_AHEAD); i++)
		rib_prefetch(b->rib, u->withdrawn[i].addr, u->withdrawn[i].len);
	for (unsigned i = 0; i < u->n_withdrawn; i++) {
		if (i + RIB_PREFETCH_AHEAD < u->n_withdrawn)
			rib_prefetch(b->rib, u->withdrawn[i + RIB_PREFETCH_AHEAD].addr,
					u->withdrawn[i + RIB_PREFETCH_AHEAD].len);
		rib_bgp_withdraw(b->rib, p->idx, u->withdrawn[i].addr, u->withdrawn[i].len);
	}
	if (u->n_announced == 0)
		return;
	if (!withdraw_all) {
		loop = bgp_as_path_contains(&u->attrs.as_path, b->local_asn);
		ra = rib_attrs_new(&u->attrs, true);
		if (ra == NULL) {
			rib_out_of_memory(c, 0, u->n_announced);
			return;
		}
	}
	for (unsigned i = 0; i < RTE_MIN(u->n_announced, RIB_PREFETCH_AHEAD); i++)
		rib_prefetch(b->rib, u->announced[i].addr, u->announced[i].len);
	for (unsigned i = 0; i < u->n_announced && !nomem; i++) {
		const struct bgp_prefix *pf = &u->announced[i];
		enum bgp_filter_verdict fv = withdraw_all ? BGP_FILTER_ACCEPT :
				bgp_filter_check(&b->filter, &p->grp, pf->addr, pf->len);
		const char *bad;
		int rc;

		if (i + RIB_PREFETCH_AHEAD < u->n_announced)
			rib_prefetch(b->rib, u->announced[i + RIB_PREFETCH_AHEAD].addr,
					u->announced[i + RIB_PREFETCH_AHEAD].len);
		if (fv != BGP_FILTER_ACCEPT) {
			/* Refused by policy: as if withdrawn, so that an earlier
			 * announcement of it leaves too. */
			p->st.prefixes_filtered++;
			if (fv == BGP_FILTER_OUR_BLOCK || fv == BGP_FILTER_STATIC_VPC)
				p->filtered_by_range++;
			if (n_filtered++ == 0) {
				first_filtered = *pf;
				first_verdict = fv;
			}
			rib_bgp_withdraw(b->rib, p->idx, pf->addr, pf->len);
			continue;
		}
		bad = withdraw_all ? "treat-as-withdraw" :
				     path_invalid(p, &u->attrs, bgp_prefix_next_hop(&u->attrs, pf));
		if (bad != NULL) {
			if (!withdraw_all) {
				p->st.prefixes_invalid++;
				if (i == 0 && warn_ok(p))
					BGP_LOG(WARNING, "peer %s: routes ignored: %s",
							p->addr_str, bad);
			}
			rib_bgp_withdraw(b->rib, p->idx, pf->addr, pf->len);
			continue;
		}
		if (pf->mp && ra->next_hop != u->attrs.mp_next_hop) {
			/* MP_REACH's next hop for its own prefixes (rare for
			 * IPv4): attributes of their own, made once. */
			if (mra == NULL) {
				uint32_t keep = u->attrs.next_hop;

				u->attrs.next_hop = u->attrs.mp_next_hop;
				mra = rib_attrs_new(&u->attrs, true);
				u->attrs.next_hop = keep;
			}
			rc = mra == NULL ? RIB_NO_MEMORY :
					   rib_bgp_announce(b->rib, p->idx, pf->addr, pf->len, mra,
							   loop);
		} else {
			rc = rib_bgp_announce(b->rib, p->idx, pf->addr, pf->len, ra, loop);
		}
		if (rc == RIB_OVER_LIMIT)
			over = true;
		if (rc == RIB_NO_MEMORY) {
			nomem = true;
			n_stored = i;
		}
	}
	if (ra != NULL)
		rib_attrs_put(ra);
	if (mra != NULL)
		rib_attrs_put(mra);
	if (nomem) {
		rib_out_of_memory(c, n_stored, u->n_announced);
		return;
	}
	if (n_filtered > 0 && warn_ok(p)) {
		char pfx[VBR_PREFIX_STRLEN];

		bgp_prefix_format(pfx, sizeof(pfx), &first_filtered);
		BGP_LOG(WARNING, "peer %s: %u of %u prefixes refused by the route filter: %s (%s)%s",
				p->addr_str, n_filtered, u->n_announced, pfx,
				bgp_filter_reason(first_verdict), n_filtered > 1 ? ", ..." : "");
	}
	if (over) {
		if (p->grp.max_prefixes_action == VBR_MAXPFX_TEARDOWN) {
			teardown_max_prefixes(c);
		} else {
			log_limit(p);
			p->limit_dropped = true;
		}
	}
}

static struct bgp_conn *
established_conn(struct bgp_peer *p)
{
	int k = bgp_fsm_established(&p->fsm);

	return k >= 0 && p->conn[k].fd >= 0 ? &p->conn[k] : NULL;
}

/*
 * Routes dropped over the limit are not kept: when withdrawals make room
 * again, the peer still believes we have them. Ask it to send its routes
 * again (RFC 2918), so the room fills with what it announces now instead
 * of staying empty until it re-announces. A burst of withdrawals settles
 * first, and requests are REFRESH_GAP_MS apart, twice that after each one
 * (up to REFRESH_GAP_MAX_MS, until the session ends): a peer that keeps
 * flapping a route over a large table does not make us pull the table in
 * a loop.
 */
static void
refresh_after_limit(struct bgp_peer *p, uint64_t now)
{
	struct bgp_conn *c = established_conn(p);
	struct bgp_route_refresh rr = { .afi = BGP_AFI_IPV4, .subtype = 0,
		.safi = BGP_SAFI_UNICAST };
	struct rib_peer_stats rs;
	uint8_t buf[BGP_ROUTE_REFRESH_LEN];
	int len;

	if (!p->limit_dropped || c == NULL || !c->route_refresh)
		return;
	rib_peer_stats(p->bgp->rib, p->idx, &rs);
	if (rs.accepted >= p->grp.max_prefixes) {
		p->refresh_due = 0;
		return;
	}
	if (p->refresh_due == 0)
		p->refresh_due = RTE_MAX(now + REFRESH_SETTLE_MS, p->refresh_not_before);
	if (now < p->refresh_due)
		return;
	len = bgp_route_refresh_encode(buf, sizeof(buf), &rr);
	if (len < 0 || conn_send(c, buf, (size_t)len) != 0) {
		conn_event_fsm(c, BGP_EV_TCP_FAILS, "cannot send ROUTE-REFRESH");
		return;
	}
	p->limit_dropped = false;
	p->refresh_due = 0;
	p->refresh_gap_ms = p->refresh_gap_ms ? RTE_MIN(p->refresh_gap_ms * 2, REFRESH_GAP_MAX_MS) :
						REFRESH_GAP_MS;
	p->refresh_not_before = now + p->refresh_gap_ms;
	p->st.refresh_sent++;
	BGP_LOG(INFO, "peer %s: %" PRIu64 " of %u prefixes after withdrawals: ROUTE-REFRESH sent "
			"for the routes dropped over the limit", p->addr_str, rs.accepted,
			p->grp.max_prefixes);
}

/* A new max_prefixes (or action) on an established session: past it, the
 * action (routes held stay, new ones are refused; or the teardown); under
 * it, the routes dropped before come back by refresh_after_limit(). */
static void
apply_max_prefixes(struct bgp_peer *p, struct bgp_conn *c)
{
	struct rib_peer_stats rs;

	rib_peer_stats(p->bgp->rib, p->idx, &rs);
	p->limit_logged = false;
	if (rs.accepted <= p->grp.max_prefixes) {
		p->refresh_due = 0;
		return;
	}
	if (p->grp.max_prefixes_action == VBR_MAXPFX_TEARDOWN) {
		teardown_max_prefixes(c);
		return;
	}
	BGP_LOG(WARNING, "peer %s AS %u: %" PRIu64 " prefixes held, over the new maximum of %u: "
			"they stay, new ones are not installed", p->addr_str, p->grp.peer_asn,
			rs.accepted, p->grp.max_prefixes);
	p->limit_logged = true;
}

static void
handle_notification(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_notify n, err;
	char name[96], text[300] = "", why[420];

	if (bgp_notification_decode(msg, len, &n, &err) != 0) {
		conn_event_fsm(c, BGP_EV_NOTIF_MSG, "malformed NOTIFICATION");
		return;
	}
	bgp_notify_name(name, sizeof(name), n.code, n.subcode);
	if (bgp_notify_shutdown_msg(&n, text + 3, sizeof(text) - 3) == 0)
		memcpy(text, " (\"", 3), strncat(text, "\")", sizeof(text) - strlen(text) - 1);
	snprintf(why, sizeof(why), "received NOTIFICATION %s%s", name, text);
	memcpy(p->st.last_error, why, sizeof(p->st.last_error) - 1);
	p->st.last_error[sizeof(p->st.last_error) - 1] = '\0';
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_NOTIF_MSG, .conn = c->id,
			.code = n.code, .subcode = n.subcode, .why = why });
}

static void
handle_route_refresh(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_route_refresh rr;
	struct bgp_notify err;

	if (bgp_route_refresh_decode(msg, len, &rr, &err) != 0) {
		peer_event(c->peer, &(struct bgp_fsm_input){ .ev = BGP_EV_MSG_ERR, .conn = c->id,
				.notify = &err, .why = "malformed ROUTE-REFRESH" });
		return;
	}
	conn_event_fsm(c, BGP_EV_ROUTE_REFRESH_MSG, NULL);
	/* RFC 2918 §4: other AFI/SAFIs are ignored. While our previous
	 * announcements are still on their way, they answer it: a peer that
	 * asks without reading must not grow our buffer. */
	if (cstate(c) == BGP_ESTABLISHED && bgp_route_refresh_is_ipv4_unicast(&rr) &&
			rr.subtype == 0 && c->wlen == c->whead && announce_networks(c) != 0)
		conn_event_fsm(c, BGP_EV_TCP_FAILS, "cannot send our announcements");
}

/* One whole, header-checked message. */
static void
handle_msg(struct bgp_conn *c, uint8_t type, const uint8_t *msg, size_t len)
{
	struct bgp_notify err;

	c->peer->st.msgs_in++;
	switch (type) {
	case BGP_MSG_OPEN:
		handle_open(c, msg, len);
		break;
	case BGP_MSG_UPDATE:
		handle_update(c, msg, len);
		break;
	case BGP_MSG_NOTIFICATION:
		handle_notification(c, msg, len);
		break;
	case BGP_MSG_KEEPALIVE:
		if (bgp_keepalive_decode(msg, len, &err) != 0)
			peer_event(c->peer, &(struct bgp_fsm_input){ .ev = BGP_EV_MSG_ERR,
					.conn = c->id, .notify = &err, .why = "malformed KEEPALIVE" });
		else
			conn_event_fsm(c, BGP_EV_KEEPALIVE_MSG, NULL);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		handle_route_refresh(c, msg, len);
		break;
	default:
		bgp_notify_set(&err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_TYPE, NULL, 0);
		peer_event(c->peer, &(struct bgp_fsm_input){ .ev = BGP_EV_HEADER_ERR,
				.conn = c->id, .notify = &err, .why = "bad message type" });
	}
}

/* Handle the whole messages waiting in the receive buffer, at most
 * MSGS_PER_EVENT of them: a peer flooding us must not starve the others.
 * What is left is taken up by bgp_run_pending() on the next loop. */
static void
conn_process(struct bgp_conn *c)
{
	unsigned msgs = 0;

	c->pending = false;
	while (c->fd >= 0) {
		struct bgp_frame f;
		struct bgp_notify err;

		if (bgp_frame_next(c->rbuf, c->rlen, &f, &err) != 0) {
			peer_event(c->peer, &(struct bgp_fsm_input){ .ev = BGP_EV_HEADER_ERR,
					.conn = c->id, .notify = &err, .why = "bad message header" });
			return;
		}
		if (f.status != BGP_FRAME_MSG)
			return;
		if (msgs == MSGS_PER_EVENT) {
			c->pending = true;
			return;
		}
		handle_msg(c, f.type, c->rbuf, f.len);
		if (c->fd < 0)
			return;
		memmove(c->rbuf, c->rbuf + f.len, c->rlen - f.len);
		c->rlen -= f.len;
		msgs++;
	}
}

static void
conn_read(struct bgp_conn *c)
{
	ssize_t n;

	/* A full buffer holds whole messages still to handle: handle them
	 * first (reading 0 bytes would look like the peer closing). */
	if (c->rlen == sizeof(c->rbuf)) {
		conn_process(c);
		if (c->fd < 0 || c->rlen == sizeof(c->rbuf))
			return;
	}
	n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, MSG_DONTWAIT);
	if (n == 0) {
		conn_event_fsm(c, BGP_EV_TCP_FAILS, "connection closed by the peer");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			char why[96];

			snprintf(why, sizeof(why), "read: %s", strerror(errno));
			conn_event_fsm(c, BGP_EV_TCP_FAILS, why);
		}
		return;
	}
	c->rlen += (size_t)n;
	conn_process(c);
}

bool
bgp_run_pending(struct bgp *b)
{
	bool more = false;

	for (unsigned i = 0; i < VBR_MAX_PEERS; i++)
		for (int k = 0; k < 2 && b->peers[i].used; k++) {
			struct bgp_conn *c = &b->peers[i].conn[k];

			if (c->fd >= 0 && c->pending)
				conn_process(c);
			more |= c->fd >= 0 && c->pending;
		}
	return more;
}

static void
conn_connected(struct bgp_conn *c)
{
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		char why[96];

		snprintf(why, sizeof(why), "connect: %s", strerror(err));
		conn_event_fsm(c, BGP_EV_TCP_FAILS, why);
		return;
	}
	/* An event left over for an earlier socket of this slot: this one
	 * is still connecting. */
	if (getpeername(c->fd, (struct sockaddr *)&peer, &plen) != 0)
		return;
	ev_mod(c->peer->bgp, c->fd, &c->ev, EPOLLIN);
	c->want_write = false;
	conn_event_fsm(c, BGP_EV_TCP_CONFIRMED, NULL);
}

static void
conn_event(struct ev_handler *h, uint32_t events)
{
	struct bgp_conn *c = (struct bgp_conn *)h;

	if (c->fd < 0)
		return;
	if (cstate(c) == BGP_CONNECT) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_connected(c);
		return;
	}
	if (events & EPOLLIN)
		conn_read(c);
	else if (events & (EPOLLERR | EPOLLHUP))
		conn_event_fsm(c, BGP_EV_TCP_FAILS, "connection error");
	if (c->fd >= 0 && (events & EPOLLOUT) && conn_flush(c) != 0)
		conn_event_fsm(c, BGP_EV_TCP_FAILS, "write error");
}

/* ---------------------------------------------------- opening sessions */

/* BGP_ACT_CONNECT: our connection, its TCP handshake under way. */
static int
peer_connect(struct bgp_peer *p)
{
	struct bgp *b = p->bgp;
	struct bgp_conn *c = &p->conn[CONN_OUT];
	struct sockaddr_in local = sin_of(b->idc_addr, 0);
	struct sockaddr_in remote = sin_of(p->cfg.address, BGP_PORT);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	set_sockopts(fd, &p->grp);
	rc = set_md5(fd, p->cfg.address, p->grp.key);
	if (rc != 0) {
		BGP_LOG(ERR, "peer %s: cannot set its TCP-MD5 key: %s", p->addr_str,
				strerror(-rc));
		close(fd);
		return rc;
	}
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
			(connect(fd, (struct sockaddr *)&remote, sizeof(remote)) != 0 &&
					errno != EINPROGRESS)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	conn_reset(c);
	c->fd = fd;
	if (ev_add(b, fd, &c->ev, EPOLLIN | EPOLLOUT) != 0) {
		rc = -errno;
		close(fd);
		conn_reset(c);
		return rc;
	}
	return 0;
}

static struct bgp_peer *
peer_by_addr(struct bgp *b, uint32_t addr)
{
	for (unsigned i = 0; i < VBR_MAX_PEERS; i++)
		if (b->peers[i].used && b->peers[i].cfg.address == addr)
			return &b->peers[i];
	return NULL;
}

/* Did the SYN of an accepted connection come with a TTL GTSM takes (the
 * listening socket saves SYNs when a group does GTSM)? */
static bool
gtsm_syn_ok(int fd, const struct vbr_bgp_group *g)
{
	uint8_t syn[512];
	socklen_t len = sizeof(syn);

	if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) != 0 || len < 20 ||
			syn[0] >> 4 != 4)
		return false;
	return syn[8] >= gtsm_min_ttl(g);
}

/* A connection we do not take: Cease with subcode (and the RFC 9003 text
 * of an Administrative Shutdown), then close. */
static void
refuse(int fd, uint8_t subcode, const char *text)
{
	struct bgp_notify n;
	uint8_t buf[BGP_HDR_LEN + 2 + 256];
	int l;

	bgp_notify_set_shutdown(&n, subcode, subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ? text : NULL);
	l = bgp_notification_encode(buf, sizeof(buf), &n);
	if (l > 0 && send(fd, buf, (size_t)l, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* It is going away anyway. */
	}
	shutdown(fd, SHUT_WR);
	close(fd);
}

static void
listen_event(struct ev_handler *h, uint32_t events)
{
	struct bgp *b = container_of(h, struct bgp, listen_ev);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct bgp_peer *p;
	char a[16];
	int fd;

	(void)events;
	fd = accept4(b->listen_fd, (struct sockaddr *)&sin, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	p = peer_by_addr(b, ntohl(sin.sin_addr.s_addr));
	if (p != NULL && p->grp.gtsm && !gtsm_syn_ok(fd, &p->grp)) {
		/* RFC 5082 §3: a packet that fails the check is dropped. The
		 * socket's minimum TTL came only after accept(): the SYN says
		 * how far the sender is, whatever came with it. */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		p->st.gtsm_refused++;
		if (warn_ok(p))
			BGP_LOG(WARNING, "peer %s: connection refused: its SYN's TTL is below "
					"GTSM's %d (%" PRIu64 " refused)", p->addr_str,
					gtsm_min_ttl(&p->grp), p->st.gtsm_refused);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		return;
	}
	if (p == NULL) {
		uint64_t now = ctl_now_ms();

		/* Anyone on the IDC subnet can knock: log at most every 10 s. */
		b->refusals++;
		if (now - b->last_refusal_log >= 10000) {
			BGP_LOG(INFO, "connection from %s refused: not a configured BGP peer (%" PRIu64
					" refused)", config_ip_str(ntohl(sin.sin_addr.s_addr), a, sizeof(a)), b->refusals);
			b->last_refusal_log = now;
		}
		refuse(fd, BGP_ERR_CEASE_CONNECTION_REJECTED, NULL);
		return;
	}
	/* The FSM takes it or refuses it (disabled, a session up, waiting
	 * after an error). */
	peer_event_fd(p, &(struct bgp_fsm_input){ .ev = BGP_EV_TCP_VALID, .conn = CONN_IN,
			.text = p->shutdown_msg }, fd);
}

/*
 * The listening socket's GTSM options follow the peers. The kernel answers a
 * SYN with the listening socket's TTL, before accept() gives the connection
 * its own: a GTSM peer drops a SYN-ACK that is not 255 (any other peer takes
 * it). The SYN is saved so that its TTL can be checked once accepted. When
 * every peer does GTSM, even their SYNs must pass it; otherwise each accepted
 * connection of a GTSM group gets its minimum.
 */
static int
listen_sockopts(struct bgp *b)
{
	int min_ttl = 255, ttl, save_syn, rc = 0;
	bool all_gtsm = b->nb_peers > 0, any_gtsm = false;

	for (unsigned i = 0; i < VBR_MAX_PEERS; i++) {
		const struct bgp_peer *p = &b->peers[i];

		if (!p->used)
			continue;
		if (!p->grp.gtsm)
			all_gtsm = false;
		else
			any_gtsm = true;
		if (p->grp.gtsm && gtsm_min_ttl(&p->grp) < min_ttl)
			min_ttl = gtsm_min_ttl(&p->grp);
	}
	ttl = any_gtsm ? 255 : -1;	/* -1: the system's default */
	save_syn = any_gtsm;
	if (!all_gtsm)
		min_ttl = 0;
	if (setsockopt(b->listen_fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) != 0 ||
			setsockopt(b->listen_fd, IPPROTO_TCP, TCP_SAVE_SYN, &save_syn,
				sizeof(save_syn)) != 0 ||
			setsockopt(b->listen_fd, IPPROTO_IP, IP_MINTTL, &min_ttl, sizeof(min_ttl)) != 0) {
		rc = -errno;
		BGP_LOG(ERR, "cannot set GTSM options on the listening socket: %s", strerror(-rc));
	}
	return rc;
}

/* A peer's TCP-MD5 key on the listening socket (an empty key removes it). */
static int
listen_md5(struct bgp *b, uint32_t addr, const char *key)
{
	struct tcp_md5sig md5 = { 0 };
	struct sockaddr_in sin = sin_of(addr, 0);
	size_t len = strlen(key);

	memcpy(&md5.tcpm_addr, &sin, sizeof(sin));
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, key, len);
	if (setsockopt(b->listen_fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5)) == 0)
		return 0;
	/* Removing a key that is not there is no error. */
	return len == 0 && errno == ENOENT ? 0 : -errno;
}

static int
listen_start(struct bgp *b)
{
	struct sockaddr_in sin = sin_of(b->idc_addr, BGP_PORT);
	int one = 1;

	b->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->listen_fd < 0)
		return -errno;
	setsockopt(b->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The address is on the exception tap; do not depend on the order in
	 * which the kernel sees it come up. */
	setsockopt(b->listen_fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(b->listen_fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
			listen(b->listen_fd, 16) != 0)
		return -errno;
	b->listen_ev.fn = listen_event;
	return ev_add(b, b->listen_fd, &b->listen_ev, EPOLLIN) == 0 ? 0 : -errno;
}

/* ------------------------------------------------------------- timers */

/* Bytes the kernel holds for the peer, sent but not acknowledged or not
 * yet sent (0 when it cannot say). */
static size_t
kernel_outq(const struct bgp_conn *c)
{
	int n = 0;

	if (c->fd < 0 || ioctl(c->fd, SIOCOUTQ, &n) != 0 || n < 0)
		return 0;
	return (size_t)n;
}

/*
 * draft-ietf-idr-bgp-sendholdtimer: a peer that stops reading (a zero
 * window) would keep the session up forever, fed by its KEEPALIVEs, while
 * it no longer hears us. Progress is the peer acknowledging our bytes, not
 * the kernel taking them: its socket buffer would hide a stalled peer for
 * a long time.
 */
static bool
send_stalled(struct bgp_conn *c, uint64_t now)
{
	size_t outq = kernel_outq(c);
	uint64_t acked = c->sent_bytes - outq;

	if ((outq == 0 && c->wlen == c->whead) || acked != c->acked_seen) {
		c->acked_seen = acked;
		c->send_progress_at = now;
		return false;
	}
	return now - c->send_progress_at >= c->send_hold_ms;
}

void
bgp_tick(struct bgp *b)
{
	uint64_t now = ctl_now_ms();

	for (unsigned i = 0; i < VBR_MAX_PEERS; i++) {
		struct bgp_peer *p = &b->peers[i];
		struct bgp_conn *c;
		enum bgp_fsm_event ev;
		enum bgp_conn_id k;

		if (!p->used)
			continue;
		c = established_conn(p);
		if (c != NULL && c->send_hold_ms && send_stalled(c, now)) {
			p->st.send_hold_expired++;
			BGP_LOG(ERR, "peer %s: send hold timer expired: nothing of ours acknowledged "
					"for %" PRIu64 " s, %zu bytes waiting", p->addr_str,
					(now - c->send_progress_at) / 1000,
					kernel_outq(c) + (c->wlen - c->whead));
			conn_event_fsm(c, BGP_EV_SEND_HOLD_EXPIRES, "send hold timer expired");
		}
		for (unsigned n = 0; n < TIMER_EVENTS_MAX; n++) {
			ev = bgp_fsm_timer_due(&p->fsm, now, &k);
			if (ev == BGP_EV_NONE)
				break;
			peer_event(p, &(struct bgp_fsm_input){ .ev = ev, .conn = k });
		}
		if (p->fsm.state == BGP_ESTABLISHED) {
			p->st.uptime_ms = now - p->fsm.established_at;
			refresh_after_limit(p, now);
		}
	}
}

/* ---------------------------------------------------------- lifecycle */

struct bgp *
bgp_create(uint32_t local_asn, uint32_t router_id, const struct vbr_config *ports_cfg,
		struct rib *rib, int epfd)
{
	struct bgp *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		BGP_LOG(ERR, "no memory for the BGP speaker");
		return NULL;
	}
	b->local_asn = local_asn;
	b->router_id = router_id;
	b->idc_addr = ports_cfg->ports[VBR_PORT_IDC].address;
	memcpy(b->ports, ports_cfg->ports, sizeof(b->ports));
	b->rib = rib;
	b->epfd = epfd;
	b->listen_fd = -1;
	for (unsigned i = 0; i < VBR_MAX_PEERS; i++) {
		struct bgp_peer *p = &b->peers[i];

		p->bgp = b;
		p->idx = i;
		for (int k = 0; k < 2; k++) {
			conn_reset(&p->conn[k]);
			p->conn[k].peer = p;
			p->conn[k].id = (enum bgp_conn_id)k;
			p->conn[k].ev.fn = conn_event;
		}
	}
	b->vpc_routes = malloc((ports_cfg->nb_routes + 1) * sizeof(*b->vpc_routes));
	if (b->vpc_routes == NULL) {
		BGP_LOG(ERR, "no memory for the BGP speaker");
		free(b);
		return NULL;
	}
	for (unsigned i = 0; i < ports_cfg->nb_routes; i++)
		if (ports_cfg->routes[i].port == VBR_PORT_VPC)
			b->vpc_routes[b->nb_vpc_routes++] = ports_cfg->routes[i].prefix;
	/* Sorted: bgp_vpc_routes_set() compares the lists in order. */
	qsort(b->vpc_routes, b->nb_vpc_routes, sizeof(*b->vpc_routes), prefix_cmp);
	rc = filter_rebuild(b);
	if (rc == 0)
		rc = listen_start(b);
	if (rc == 0)
		rc = listen_sockopts(b);
	if (rc != 0) {
		BGP_LOG(ERR, "cannot listen on TCP port %u: %s", BGP_PORT, strerror(-rc));
		bgp_destroy(b);
		return NULL;
	}
	BGP_LOG(INFO, "AS %u, router id %u.%u.%u.%u, listening on TCP port %u", local_asn,
			router_id >> 24, (router_id >> 16) & 0xff, (router_id >> 8) & 0xff,
			router_id & 0xff, BGP_PORT);
	return b;
}

void
bgp_destroy(struct bgp *b)
{
	if (b == NULL)
		return;
	for (unsigned i = 0; i < VBR_MAX_PEERS; i++) {
		if (!b->peers[i].used)
			continue;
		peer_event(&b->peers[i], &(struct bgp_fsm_input){ .ev = BGP_EV_MANUAL_STOP,
				.text = "vbrd is stopping", .why = "vbrd is stopping" });
		for (int k = 0; k < 2; k++)
			free(b->peers[i].conn[k].wbuf);
	}
	if (b->listen_fd >= 0)
		close(b->listen_fd);
	bgp_filter_free(&b->filter);
	free(b->vpc_routes);
	free(b);
}

/* ---------------------------------------------------------- peers */

static void
peer_copy_settings(struct bgp_peer *p, const struct vbr_bgp_peer *peer,
		const struct vbr_bgp_group *grp)
{
	struct bgp_fsm_conf fc = {
		.local_asn = p->bgp->local_asn,
		.local_id = p->bgp->router_id,
		.peer_asn = grp->peer_asn,
		.hold_time = grp->hold_time,
		.connect_retry = grp->connect_retry,
		.error_wait_min = grp->error_wait_min,
		.error_wait_max = grp->error_wait_max,
		.max_prefixes_restart = grp->max_prefixes_restart,
		.passive = grp->passive,
	};

	p->cfg = *peer;
	p->grp = *grp;
	snprintf(p->st.group, sizeof(p->st.group), "%s", grp->name);
	snprintf(p->st.description, sizeof(p->st.description), "%s", peer->description);
	p->st.asn = grp->peer_asn;
	bgp_fsm_configure(&p->fsm, &fc);
}

static void
rib_slot_set(struct bgp_peer *p)
{
	int k = bgp_fsm_established(&p->fsm);

	rib_peer_set(p->bgp->rib, p->idx, &(struct rib_peer_info){ .address = p->cfg.address,
			.bgp_id = k >= 0 ? p->fsm.conn[k].remote_id : 0, .asn = p->grp.peer_asn,
			.max_prefixes = p->grp.max_prefixes });
}

int
bgp_peer_add(struct bgp *b, const struct vbr_bgp_peer *peer, const struct vbr_bgp_group *grp,
		bool enabled)
{
	struct bgp_peer *p = NULL;
	int rc;

	if (peer == NULL || grp == NULL || peer->address == 0)
		return -EINVAL;
	if (peer_by_addr(b, peer->address) != NULL)
		return -EEXIST;
	for (unsigned i = 0; i < VBR_MAX_PEERS && i < RIB_MAX_PEERS && p == NULL; i++)
		if (!b->peers[i].used)
			p = &b->peers[i];
	if (p == NULL)
		return -ENOSPC;
	rc = listen_md5(b, peer->address, grp->key);
	if (rc != 0) {
		char a[VBR_IP_STRLEN];

		BGP_LOG(ERR, "peer %s: cannot set its TCP-MD5 key: %s",
				config_ip_str(peer->address, a, sizeof(a)), strerror(-rc));
		return rc;
	}
	memset(&p->st, 0, sizeof(p->st));
	p->used = true;
	p->shutdown_msg[0] = '\0';
	bgp_fsm_init(&p->fsm, &(struct bgp_fsm_conf){ 0 }, rte_rand());
	peer_copy_settings(p, peer, grp);
	config_ip_str(peer->address, p->addr_str, sizeof(p->addr_str));
	p->st.address = peer->address;
	p->limit_logged = false;
	p->limit_dropped = false;
	p->refresh_due = 0;
	p->refresh_not_before = 0;
	p->refresh_gap_ms = 0;
	p->last_warn = 0;
	p->warn_suppressed = 0;
	p->filtered_by_range = 0;
	b->nb_peers++;
	listen_sockopts(b);
	rib_slot_set(p);
	BGP_LOG(INFO, "peer %s AS %u (%s) added%s", p->addr_str, grp->peer_asn, grp->name,
			enabled ? "" : ", disabled");
	p->st.state = p->fsm.state;
	if (enabled)
		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_MANUAL_START });
	return 0;
}

int
bgp_peer_delete(struct bgp *b, uint32_t addr)
{
	struct bgp_peer *p = peer_by_addr(b, addr);

	if (p == NULL)
		return -ENOENT;
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_PEER_DECONFIGURED,
			.why = "peer de-configured" });
	for (int k = 0; k < 2; k++) {
		free(p->conn[k].wbuf);
		p->conn[k].wbuf = NULL;
		p->conn[k].wcap = 0;
	}
	listen_md5(b, addr, "");
	rib_peer_clear(b->rib, p->idx);
	BGP_LOG(INFO, "peer %s AS %u deleted", p->addr_str, p->grp.peer_asn);
	p->used = false;
	b->nb_peers--;
	listen_sockopts(b);
	return 0;
}

int
bgp_peer_reset(struct bgp *b, uint32_t addr, const char *msg)
{
	struct bgp_peer *p = peer_by_addr(b, addr);

	if (p == NULL)
		return -ENOENT;
	if (!p->fsm.enabled)
		return 0;
	BGP_LOG(NOTICE, "peer %s: administrative reset%s%s", p->addr_str, msg && *msg ? ": " : "",
			msg ? msg : "");
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_ADMIN_RESET, .text = msg,
			.why = "administrative reset" });
	snprintf(p->st.last_error, sizeof(p->st.last_error), "administrative reset");
	return 0;
}

int
bgp_peer_set_enabled(struct bgp *b, uint32_t addr, bool enabled, const char *msg)
{
	struct bgp_peer *p = peer_by_addr(b, addr);

	if (p == NULL)
		return -ENOENT;
	if (p->fsm.enabled == enabled)
		return 0;
	if (enabled) {
		BGP_LOG(NOTICE, "peer %s: enabled", p->addr_str);
		p->shutdown_msg[0] = '\0';
		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_MANUAL_START });
		return 0;
	}
	snprintf(p->shutdown_msg, sizeof(p->shutdown_msg), "%s", msg ? msg : "");
	BGP_LOG(NOTICE, "peer %s: disabled%s%s", p->addr_str, msg && *msg ? ": " : "",
			msg ? msg : "");
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_MANUAL_STOP, .text = msg,
			.why = "administratively disabled" });
	snprintf(p->st.last_error, sizeof(p->st.last_error), "administratively disabled");
	return 0;
}

int
bgp_peer_bfd_down(struct bgp *b, uint32_t addr, const char *why)
{
	struct bgp_peer *p = peer_by_addr(b, addr);
	char text[160];

	if (p == NULL)
		return -ENOENT;
	snprintf(text, sizeof(text), "BFD down (%s)", why);
	BGP_LOG(NOTICE, "peer %s: BFD session down (%s): %s", p->addr_str, why,
			p->fsm.state >= BGP_OPENSENT ? "session ends with Cease / BFD Down"
						     : "no session to end");
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_BFD_DOWN, .why = text });
	return 0;
}

/* What makes the session itself different: only a new session takes it. */
static bool
session_changed(const struct bgp_peer *p, const struct vbr_bgp_group *g)
{
	const struct vbr_bgp_group *o = &p->grp;

	if (o->peer_asn != g->peer_asn || strcmp(o->key, g->key) != 0 ||
			o->hold_time != g->hold_time || o->multihop != g->multihop ||
			o->gtsm != g->gtsm)
		return true;
	/* A lower minimum takes the hold time the peer offered; a higher one
	 * only if the peer's offer still passes it. */
	for (int k = 0; k < 2; k++) {
		const struct bgp_fsm_conn *c = &p->fsm.conn[k];

		if (c->state >= BGP_OPENCONFIRM && c->peer_hold_time < g->min_hold_time)
			return true;
	}
	return false;
}

static bool
filter_changed(const struct vbr_bgp_group *o, const struct vbr_bgp_group *g)
{
	return o->accept_default != g->accept_default || o->max_prefix_len != g->max_prefix_len ||
	       o->max_as_path_len != g->max_as_path_len;
}

static int
send_route_refresh(struct bgp_conn *c)
{
	struct bgp_route_refresh rr = { .afi = BGP_AFI_IPV4, .subtype = 0,
		.safi = BGP_SAFI_UNICAST };
	uint8_t buf[BGP_ROUTE_REFRESH_LEN];
	int len = bgp_route_refresh_encode(buf, sizeof(buf), &rr);

	if (len < 0)
		return len;
	c->peer->st.refresh_sent++;
	return conn_send(c, buf, (size_t)len);
}

/* The routes the peer sent must be judged again: ROUTE-REFRESH if it does
 * it, else a new session. */
static void
peer_rejudge(struct bgp_peer *p, const char *why)
{
	struct bgp_conn *c = established_conn(p);

	if (c == NULL)
		return;
	if (c->route_refresh) {
		BGP_LOG(INFO, "peer %s: %s: ROUTE-REFRESH sent", p->addr_str, why);
		p->filtered_by_range = 0;
		if (send_route_refresh(c) != 0)
			conn_event_fsm(c, BGP_EV_TCP_FAILS, "cannot send ROUTE-REFRESH");
		return;
	}
	BGP_LOG(NOTICE, "peer %s: %s, and it does not do ROUTE-REFRESH: session restarted",
			p->addr_str, why);
	peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_CONFIG_CHANGED, .why = why });
}

int
bgp_peer_update(struct bgp *b, const struct vbr_bgp_peer *peer, const struct vbr_bgp_group *grp)
{
	struct bgp_peer *p = peer == NULL ? NULL : peer_by_addr(b, peer->address);
	struct vbr_bgp_group old;
	struct bgp_conn *c;
	int rc;

	if (peer == NULL || grp == NULL)
		return -EINVAL;
	if (p == NULL)
		return -ENOENT;
	old = p->grp;
	if (strcmp(old.key, grp->key) != 0) {
		rc = listen_md5(b, peer->address, grp->key);
		if (rc != 0) {
			BGP_LOG(ERR, "peer %s: cannot set its TCP-MD5 key: %s", p->addr_str,
					strerror(-rc));
			return rc;
		}
	}
	if (session_changed(p, grp)) {
		peer_copy_settings(p, peer, grp);
		listen_sockopts(b);
		rib_slot_set(p);
		if (p->fsm.enabled)
			BGP_LOG(NOTICE, "peer %s: session settings changed: new session",
					p->addr_str);
		peer_event(p, &(struct bgp_fsm_input){ .ev = BGP_EV_CONFIG_CHANGED,
				.why = "configuration changed" });
		return 0;
	}
	/* The rest applies from its next use (passive, timers) or now. */
	peer_copy_settings(p, peer, grp);
	c = established_conn(p);
	if (c != NULL && grp->send_hold_time != old.send_hold_time)
		c->send_hold_ms = send_hold_for(p, c);
	if (grp->max_prefixes != old.max_prefixes ||
			grp->max_prefixes_action != old.max_prefixes_action) {
		rib_slot_set(p);
		if (c != NULL)
			apply_max_prefixes(p, c);
	}
	if (filter_changed(&old, grp))
		peer_rejudge(p, "its route filter changed");
	return 0;
}

/* ---------------------------------------------------------- networks */

static int
filter_rebuild(struct bgp *b)
{
	struct bgp_filter_src src = { .ports = b->ports, .networks = b->nets,
		.nb_networks = b->nb_nets, .vpc_routes = b->vpc_routes,
		.nb_vpc_routes = b->nb_vpc_routes };

	return bgp_filter_build(&b->filter, &src);
}

static bool
prefix_in(const struct vbr_prefix *list, unsigned n, const struct vbr_prefix *x)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i].addr == x->addr && list[i].len == x->len)
			return true;
	return false;
}

/* The peers' routes inside ranges: prefix and peer slot of each. */
struct inside_walk {
	const struct bgp_filter *ranges;
	struct inside_path {
		uint32_t addr;
		uint8_t len;
		uint8_t peer;
	} *found;
	size_t n, cap;
	bool nomem;
};

static int
inside_cb(uint32_t prefix, uint8_t len, const struct rib_path_info *paths, unsigned n, void *arg)
{
	struct inside_walk *w = arg;

	if (bgp_filter_match(w->ranges, prefix, len) == BGP_FILTER_ACCEPT)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (paths[i].src != RIB_SRC_BGP || paths[i].peer < 0)
			continue;
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 256;
			struct inside_path *f = realloc(w->found, cap * sizeof(*f));

			if (f == NULL) {
				w->nomem = true;
				return 1;
			}
			w->found = f;
			w->cap = cap;
		}
		w->found[w->n++] = (struct inside_path){ .addr = prefix, .len = len,
			.peer = (uint8_t)paths[i].peer };
	}
	return 0;
}

/*
 * Ranges were added to the filter (our blocks, static routes toward the
 * VPC): the peers' routes inside them leave, as if they had been refused
 * when they came (counted so). Ranges were removed: peers that had routes
 * refused by one are asked for their routes again.
 */
static int
filter_changed_ranges(struct bgp *b, const struct vbr_prefix *added, unsigned n_added,
		bool removed, const char *what)
{
	struct bgp_filter tmp = { 0 };
	struct bgp_filter_src src = { .networks = added, .nb_networks = n_added };
	struct inside_walk w = { .ranges = &tmp };
	int rc;

	if (n_added > 0) {
		rc = bgp_filter_build(&tmp, &src);
		if (rc != 0)
			return rc;
		rib_walk_paths(b->rib, inside_cb, &w);
		bgp_filter_free(&tmp);
		if (w.nomem) {
			free(w.found);
			return -ENOMEM;
		}
		for (size_t i = 0; i < w.n; i++) {
			struct bgp_peer *p = &b->peers[w.found[i].peer];

			rib_bgp_withdraw(b->rib, w.found[i].peer, w.found[i].addr, w.found[i].len);
			if (p->used) {
				p->filtered_by_range++;
				p->st.prefixes_filtered++;
			}
		}
		if (w.n > 0)
			BGP_LOG(INFO, "%zu route(s) from peers inside the new %s withdrawn", w.n, what);
		free(w.found);
	}
	for (unsigned k = 0; removed && k < VBR_MAX_PEERS; k++) {
		struct bgp_peer *p = &b->peers[k];
		struct bgp_conn *c = p->used ? established_conn(p) : NULL;

		if (c == NULL || p->filtered_by_range == 0 || !c->route_refresh)
			continue;
		BGP_LOG(INFO, "peer %s: routes it sent were refused by a removed %s: ROUTE-REFRESH sent",
				p->addr_str, what);
		p->filtered_by_range = 0;
		if (send_route_refresh(c) != 0)
			conn_event_fsm(c, BGP_EV_TCP_FAILS, "cannot send ROUTE-REFRESH");
	}
	return 0;
}

int
bgp_networks_set(struct bgp *b, const struct vbr_prefix *nets, unsigned n)
{
	struct vbr_prefix old[VBR_MAX_NETWORKS], added[VBR_MAX_NETWORKS], gone[VBR_MAX_NETWORKS];
	unsigned n_old = b->nb_nets, n_added = 0, n_gone = 0;
	int rc;

	if (n > VBR_MAX_NETWORKS || (n > 0 && nets == NULL))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!prefix_in(b->nets, b->nb_nets, &nets[i]) && !prefix_in(added, n_added, &nets[i]))
			added[n_added++] = nets[i];
	for (unsigned i = 0; i < b->nb_nets; i++)
		if (!prefix_in(nets, n, &b->nets[i]))
			gone[n_gone++] = b->nets[i];
	if (n_added == 0 && n_gone == 0)
		return 0;
	memcpy(old, b->nets, sizeof(old[0]) * n_old);
	memcpy(b->nets, nets, sizeof(nets[0]) * n);
	b->nb_nets = n;
	rc = filter_rebuild(b);
	if (rc != 0) {
		memcpy(b->nets, old, sizeof(old[0]) * n_old);
		b->nb_nets = n_old;
		BGP_LOG(ERR, "no memory for the route filter: BGP CIDR blocks unchanged");
		return rc;
	}
	for (unsigned i = 0; i < VBR_MAX_PEERS; i++) {
		struct bgp_peer *p = &b->peers[i];
		struct bgp_conn *c = p->used ? established_conn(p) : NULL;

		if (c == NULL)
			continue;
		if (send_prefixes(c, gone, n_gone, added, n_added) != 0) {
			conn_event_fsm(c, BGP_EV_TCP_FAILS, "cannot send our announcements");
			continue;
		}
		p->st.announced = n;
	}
	BGP_LOG(INFO, "BGP CIDR blocks: %u added, %u withdrawn, %u now", n_added, n_gone, n);
	return filter_changed_ranges(b, added, n_added, n_gone > 0, "BGP CIDR block");
}

int
bgp_vpc_routes_set(struct bgp *b, const struct vbr_prefix *prefixes, unsigned n)
{
	struct vbr_prefix *old = b->vpc_routes, *nv = malloc((n + 1) * sizeof(*nv)), *added;
	unsigned n_old = b->nb_vpc_routes, n_added = 0;
	bool gone = false;
	int rc;

	if (nv == NULL)
		return -ENOMEM;
	added = malloc((n + 1) * sizeof(*added));
	if (added == NULL) {
		free(nv);
		return -ENOMEM;
	}
	if (n > 0)
		memcpy(nv, prefixes, n * sizeof(*nv));
	/* Lists of thousands: compare them sorted. */
	qsort(nv, n, sizeof(*nv), prefix_cmp);
	for (unsigned i = 0, j = 0; i < n || j < n_old;) {
		int d = i == n ? 1 : j == n_old ? -1 : prefix_cmp(&nv[i], &old[j]);

		if (d < 0)
			added[n_added++] = nv[i++];
		else if (d > 0)
			gone = true, j++;
		else
			i++, j++;
	}
	b->vpc_routes = nv;
	b->nb_vpc_routes = n;
	rc = filter_rebuild(b);
	if (rc != 0) {
		b->vpc_routes = old;
		b->nb_vpc_routes = n_old;
		free(nv);
		free(added);
		BGP_LOG(ERR, "no memory for the route filter: static routes toward the VPC unchanged");
		return rc;
	}
	free(old);
	rc = n_added || gone ?
		     filter_changed_ranges(b, added, n_added, gone, "static route toward the VPC") :
		     0;
	free(added);
	return rc;
}

/* ---------------------------------------------------------- status */

unsigned
bgp_peer_count(const struct bgp *b)
{
	return b->nb_peers;
}

unsigned
bgp_peer_addrs(const struct bgp *b, uint32_t *addrs, unsigned max)
{
	uint32_t all[VBR_MAX_PEERS];
	unsigned n = 0;

	for (unsigned i = 0; i < VBR_MAX_PEERS; i++)
		if (b->peers[i].used)
			all[n++] = b->peers[i].cfg.address;
	qsort(all, n, sizeof(all[0]), u32_cmp);
	memcpy(addrs, all, sizeof(all[0]) * RTE_MIN(n, max));
	return n;
}

int
bgp_peer_status(const struct bgp *b, uint32_t addr, struct bgp_peer_status *st)
{
	const struct bgp_peer *p = peer_by_addr((struct bgp *)(uintptr_t)b, addr);
	struct rib_peer_stats rs;

	if (p == NULL)
		return -ENOENT;
	*st = p->st;
	st->state = p->fsm.state;
	st->enabled = p->fsm.enabled;
	st->out_queue = 0;
	for (int k = 0; k < 2; k++)
		if (p->conn[k].fd >= 0)
			st->out_queue += kernel_outq(&p->conn[k]) + (p->conn[k].wlen - p->conn[k].whead);
	rib_peer_stats(b->rib, p->idx, &rs);
	st->prefixes_accepted = rs.accepted;
	st->prefixes_best = rs.best;
	st->prefixes_rejected_limit = rs.rejected_limit;
	st->prefixes_rejected_loop = rs.rejected_loop;
	return 0;
}
