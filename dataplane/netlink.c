/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel side of the exception taps: addresses over rtnetlink (libmnl). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

#define NETNS_RUN_DIR "/run/netns"

/* A new network namespace for this thread, pinned by a bind mount at path
 * (what `ip netns add` does), so that `ip netns exec` finds it. */
static int
netns_create(const char *path)
{
	int fd, rc;

	if (mkdir(NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	if (unshare(CLONE_NEWNET) != 0 ||
			mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) != 0) {
		rc = -errno;
		unlink(path);
		return rc;
	}
	return 0;
}

static int
loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		rc = -errno;
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

int
nl_netns_enter(const char *name, bool *created)
{
	char path[sizeof(NETNS_RUN_DIR) + NAME_MAX + 1];
	int fd, rc;

	*created = false;
	/* A name, not a path: it lives in NETNS_RUN_DIR. */
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
			strcmp(name, "..") == 0 || strlen(name) > NAME_MAX)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		rc = setns(fd, CLONE_NEWNET) == 0 ? 0 : -errno;
		close(fd);
	} else if (errno == ENOENT) {
		rc = netns_create(path);
		*created = rc == 0;
	} else {
		rc = -errno;
	}
	if (rc != 0)
		return rc;
	/* The kernel answers for our addresses: local traffic needs lo. */
	return loopback_up();
}

int
nl_netns_is_host(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) != 0 || stat("/proc/1/ns/net", &init) != 0)
		return -errno;
	return self.st_dev == init.st_dev && self.st_ino == init.st_ino;
}
