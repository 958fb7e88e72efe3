/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel side of the exception taps: addresses over rtnetlink (libmnl). */
#pragma once

#include <stdint.h>

/* Add addr/plen (host order) to ifname. 0 or a negative errno. */
int nl_addr_add(const char *ifname, uint32_t addr, uint8_t plen);

/* Turn IPv6 off on ifname (best effort). */
void nl_disable_ipv6(const char *ifname);
