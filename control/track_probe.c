/* SPDX-License-Identifier: BSD-3-Clause */
/* The health checks' echo requests and replies (track_probe.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "track_probe.h"

static const uint8_t magic[8] = {'v', 'b', 'r', '-', 't', 'r', 'a', 'k'};

static uint16_t
csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void
track_echo_build(uint8_t *buf, uint16_t id, uint16_t seq)
{
	memset(buf, 0, TRACK_ECHO_LEN);
	buf[0] = ICMP_ECHO;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	memcpy(buf + 8, magic, sizeof(magic));
	/* id and seq again: a reply must carry our payload back whole. */
	put16(buf + 16, id);
	put16(buf + 18, seq);
	put16(buf + 2, csum(buf, TRACK_ECHO_LEN));
}

int
track_echo_parse(const uint8_t *pkt, size_t len, uint32_t *from, uint16_t *id, uint16_t *seq)
{
	size_t ihl, tot;
	const uint8_t *icmp;

	if (len < 20 || (pkt[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (ihl < 20 || tot < ihl + TRACK_ECHO_LEN || tot > len || pkt[9] != IPPROTO_ICMP)
		return -EINVAL;
	if ((get16(pkt + 6) & 0x3fff) != 0) /* a fragment: not a reply of ours */
		return -EINVAL;
	icmp = pkt + ihl;
	if (icmp[0] != ICMP_ECHOREPLY || icmp[1] != 0 || csum(icmp, tot - ihl) != 0)
		return -EINVAL;
	if (memcmp(icmp + 8, magic, sizeof(magic)) != 0 || get16(icmp + 16) != get16(icmp + 4) ||
		get16(icmp + 18) != get16(icmp + 6))
		return -EINVAL;
	*from = (uint32_t)pkt[12] << 24 | (uint32_t)pkt[13] << 16 | (uint32_t)pkt[14] << 8 |
		pkt[15];
	*id = get16(icmp + 4);
	*seq = get16(icmp + 6);
	return 0;
}

int
track_probe_open(void)
{
	struct icmp_filter filt = {.data = ~(1u << ICMP_ECHOREPLY)};
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0)
		return -errno;
	/* Which tap a reply came in on: a reply must come from the next
	 * hop's port (the kernel takes our address on any interface). */
	if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt)) != 0 ||
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &(int){1}, sizeof(int)) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int
track_probe_send(int fd, uint32_t addr, uint16_t id, uint16_t seq)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(addr)};
	uint8_t buf[TRACK_ECHO_LEN];

	track_echo_build(buf, id, seq);
	if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int
track_probe_recv(int fd, uint32_t *from, uint16_t *id, uint16_t *seq, int *ifindex)
{
	uint8_t buf[1500];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &ctl,
		.msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if ((size_t)n > sizeof(buf) || (mh.msg_flags & MSG_CTRUNC))
		return -EINVAL;
	*ifindex = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			*ifindex = ((const struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex;
	if (track_echo_parse(buf, (size_t)n, from, id, seq) != 0)
		return -EINVAL;
	return 1;
}
