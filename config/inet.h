/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict text parsers for IPv4 addresses, IPv4 prefixes and MAC addresses.
 * They take (pointer, length) and never look past it: YAML scalars may hold
 * NUL bytes. They refuse what lenient parsers accept by accident (leading
 * zeros that some read as octal, short forms like "10.1", trailing junk), so
 * that what the user wrote is what the router does.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum inet_err {
	INET_OK = 0,
	INET_SYNTAX,	/* neither an IPv4 address nor a prefix */
	INET_NOT_IPV4,	/* looks like IPv6: vbr is IPv4 only */
	INET_NO_LEN,	/* an address where a prefix was expected */
	INET_LEN_RANGE, /* prefix length over 32 */
};

static inline uint32_t
inet_mask(unsigned int len)
{
	return len ? UINT32_MAX << (32 - len) : 0;
}

enum inet_err inet_parse_ipv4(const char *s, size_t len, uint32_t *addr);

/* a.b.c.d/len; host bits are kept, the caller decides whether they matter. */
enum inet_err inet_parse_prefix(const char *s, size_t len, struct vbr_prefix *prefix);

/* xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx; returns 0 or -1. */
int inet_parse_mac(const char *s, size_t len, uint8_t mac[6]);
