/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel side of the exception taps: addresses over rtnetlink (libmnl). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Add addr/plen (host order) to ifname. 0 or a negative errno. */
int nl_addr_add(const char *ifname, uint32_t addr, uint8_t plen);

/* The tap's kernel settings (best effort): no IPv6 (vbr routes IPv4, and
 * the kernel would send router solicitations and MLD out of the port), and
 * a loose reverse-path filter. */
void nl_tap_sysctls(const char *ifname);

/* Make the kernel send what is not on its own subnets through the data plane:
 * a permanent neighbour gw with the port's MAC mac, and a default route
 * via gw onlink on ifname. gw is a link-local address nobody else uses. */
int nl_default_via_dataplane(const char *ifname, uint32_t gw, const uint8_t mac[6]);

/* Enter the network namespace name (as `ip netns` names them, under
 * /run/netns), creating it when missing, and bring its loopback up. Call
 * before any thread starts: threads made later inherit it. 0 or a negative
 * errno; *created tells whether it was made here. */
int nl_netns_enter(const char *name, bool *created);

/* 1 when this process is in the network namespace of PID 1 (the host's),
 * 0 when not, a negative errno when it cannot tell. */
int nl_netns_is_host(void);
