/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel side of the exception taps: addresses over rtnetlink (libmnl). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

/* Send one request and wait for its acknowledgement. */
static int
nl_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	uint32_t portid;
	int rc;

	if (nl == NULL)
		return -errno;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	rc = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (rc < 0) {
		rc = -errno;
		goto out;
	}
	rc = mnl_cb_run(buf, (size_t)rc, nlh->nlmsg_seq, portid, NULL, NULL);
	rc = rc < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int
nl_addr_add(const char *ifname, uint32_t addr, uint8_t plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned ifindex = if_nametoindex(ifname);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint32_t be = htonl(addr);

	if (ifindex == 0)
		return -errno;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, be);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, be);
	if (plen < 31) {
		uint32_t bcast = htonl(addr | (plen ? ~0u >> plen : ~0u));

		mnl_attr_put_u32(nlh, IFA_BROADCAST, bcast);
	}
	return nl_talk(nlh);
}

int
nl_default_via_dataplane(const char *ifname, uint32_t gw, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned ifindex = if_nametoindex(ifname);
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	struct rtmsg *rtm;
	uint32_t be = htonl(gw);
	int rc;

	if (ifindex == 0)
		return -errno;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = (int)ifindex;
	nd->ndm_state = NUD_PERMANENT;
	mnl_attr_put_u32(nlh, NDA_DST, be);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	rc = nl_talk(nlh);
	if (rc != 0)
		return rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = RTNH_F_ONLINK;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, be);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return nl_talk(nlh);
}

static void
sysctl_set(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0) {
		/* Best effort: the caller's feature degrades, nothing breaks. */
	}
	close(fd);
}

void
nl_tap_sysctls(const char *ifname)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	sysctl_set(path, "1");
	/* Loose reverse-path check: a host beyond the VPC port pinging us is
	 * answered through the dataplane's default route on the IDC tap. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", ifname);
	sysctl_set(path, "2");
}
