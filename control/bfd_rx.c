/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BFD's receive path (bfd_internal.h): the socket on our IDC address, port
 * 3784, and what becomes of each datagram: where it came from (the IDC
 * tap, the IDC subnet), RFC 5880 §6.8.6's checks (bfd_packet.c),
 * demultiplexing by Your Discriminator or source address (§6.3), GTSM
 * (RFC 5881 §5: TTL 255), the session's authentication, then its state
 * machine. Every drop is counted: per session once one is found,
 * else in the runtime's own counters. Under b->lock, on the BFD thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bfd_internal.h"

static void
drop_global(struct bfd *b, enum bfd_drop why)
{
	b->st.drop[why]++;
}

/* The session a packet is for (RFC 5880 §6.3): by Your Discriminator, else
 * (0: the remote does not know ours yet) by its source address. */
static struct bfd_sess *
demux(struct bfd *b, const struct bfd_ctrl *p, uint32_t src)
{
	struct bfd_sess *s;

	if (p->your_disc == 0)
		return bfd_sess_by_peer(b, src);
	s = bfd_sess_by_disc(b, p->your_disc);
	if (s != NULL && s->peer != src) {
		s->drop[BFD_DROP_WRONG_SOURCE]++;
		return NULL;
	}
	if (s == NULL)
		drop_global(b, BFD_DROP_NO_SESSION);
	return s;
}

/* The checks that need the session: GTSM, authentication, AdminDown. */
static enum bfd_drop
sess_check(struct bfd_sess *s, const struct bfd_ctrl *p, const uint8_t *buf, size_t len, int ttl)
{
	enum bfd_drop d;

	if (ttl != BFD_TTL)
		return BFD_DROP_TTL;
	d = bfd_ctrl_auth_match(p, s->conf.auth.type);
	if (d == BFD_OK && p->auth)
		d = bfd_auth_check(&s->conf.auth, &s->auth, p, buf, len);
	if (d == BFD_OK && s->fsm.state == BFD_ADMIN_DOWN)
		d = BFD_DROP_ADMIN_DOWN;
	return d;
}

static void
rx_one(struct bfd *b, const uint8_t *buf, size_t len, uint32_t src, int ttl, uint64_t now)
{
	struct bfd_ctrl p;
	struct bfd_sess *s;
	enum bfd_drop d = bfd_ctrl_decode(buf, len, &p);

	b->st.rx_packets++;
	if (d != BFD_OK) {
		drop_global(b, d);
		return;
	}
	s = demux(b, &p, src);
	if (s == NULL) {
		if (p.your_disc == 0)
			drop_global(b, BFD_DROP_NO_SESSION);
		return;
	}
	d = sess_check(s, &p, buf, len, ttl);
	if (d != BFD_OK) {
		s->drop[d]++;
		return;
	}
	s->rx++;
	bfd_sess_event(b, s, &(struct bfd_fsm_input){.ev = BFD_EV_RX, .pkt = &p}, now);
	bfd_sess_log_intervals(s);
}

/* What the kernel says of a packet: its TTL (IP_RECVTTL) and the
 * interface it came in on (IP_PKTINFO); -1 and 0 when it does not. */
struct rx_meta {
	int ttl;
	int ifindex;
};

static struct rx_meta
meta_of(struct msghdr *m)
{
	struct rx_meta r = {.ttl = -1, .ifindex = 0};

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_TTL && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&r.ttl, CMSG_DATA(c), sizeof(r.ttl));
		} else if (c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			r.ifindex = pi.ipi_ifindex;
		}
	}
	return r;
}

/* A packet for BFD came in on the IDC tap, from the IDC subnet: the kernel
 * delivers to our address whatever interface a packet came in on, and a
 * host on the VPC side could otherwise speak for a peer (Your
 * Discriminator 0 demultiplexes by source address alone). */
static enum bfd_drop
origin_check(const struct bfd *b, const struct rx_meta *meta, uint32_t src)
{
	if (meta->ifindex <= 0 || (unsigned)meta->ifindex != b->ifindex)
		return BFD_DROP_INTERFACE;
	if ((src & b->mask) != (b->local & b->mask) || src == b->local)
		return BFD_DROP_OFF_SUBNET;
	return BFD_OK;
}

/* Our socket on local:3784, with each packet's TTL and interface. */
int
bfd_rx_open(uint32_t local)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
		.sin_port = htons(BFD_PORT),
		.sin_addr.s_addr = htonl(local)};
	int fd = bfd_udp_socket(), one = 1;

	if (fd < 0)
		return fd;
	if (setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) != 0 ||
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) != 0 ||
		bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

void
bfd_rx_burst(struct bfd *b)
{
	for (unsigned i = 0; i < RX_BURST; i++) {
		uint8_t buf[512];
		union {
			char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} cmsg;
		struct sockaddr_in from;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr m = {.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cmsg.buf,
			.msg_controllen = sizeof(cmsg.buf)};
		ssize_t n = recvmsg(b->rx_fd, &m, MSG_DONTWAIT);
		struct rx_meta meta;
		enum bfd_drop d;
		uint32_t src;

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				b->st.rx_errors++;
			return;
		}
		if (m.msg_namelen < sizeof(from) || from.sin_family != AF_INET)
			continue;
		meta = meta_of(&m);
		src = ntohl(from.sin_addr.s_addr);
		d = origin_check(b, &meta, src);
		if (d != BFD_OK) {
			b->st.rx_packets++;
			drop_global(b, d);
			continue;
		}
		rx_one(b, buf, (size_t)n, src, meta.ttl, bfd_now_us());
	}
}
