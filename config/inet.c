/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of IPv4 addresses, prefixes and MAC addresses (see inet.h).
 * Own parsers rather than inet_pton: they work on (pointer, length), and
 * they tell an IPv6 address from garbage so the user learns why.
 */
#include <stdbool.h>
#include <string.h>

#include "inet.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal number at s[*pos] of 1..max_digits digits, no leading zero
 * (some parsers read "010" as octal 8), no more than max. */
static int
parse_dec(const char *s, size_t len, size_t *pos, size_t max_digits, uint32_t max, uint32_t *out)
{
	size_t start = *pos, i = start;
	uint64_t v = 0; /* 10 digits fit: no wrap-around before the max test */

	while (i < len && is_digit(s[i]) && i - start < max_digits)
		v = v * 10 + (uint64_t)(s[i++] - '0');
	if (i == start || (i < len && is_digit(s[i])))
		return -1;
	if (s[start] == '0' && i - start > 1)
		return -1;
	if (v > max)
		return -1;
	*pos = i;
	*out = (uint32_t)v;
	return 0;
}

/* Whatever failed to parse, a colon means the user wrote IPv6. */
static enum inet_err
syntax_or_ipv6(const char *s, size_t len)
{
	return memchr(s, ':', len) ? INET_NOT_IPV4 : INET_SYNTAX;
}

enum inet_err
inet_parse_ipv4(const char *s, size_t len, uint32_t *addr)
{
	size_t pos = 0;
	uint32_t a = 0, octet;

	for (int i = 0; i < 4; i++) {
		if (i > 0 && (pos >= len || s[pos++] != '.'))
			return syntax_or_ipv6(s, len);
		if (parse_dec(s, len, &pos, 3, 255, &octet) < 0)
			return syntax_or_ipv6(s, len);
		a = a << 8 | octet;
	}
	if (pos != len)
		return syntax_or_ipv6(s, len);
	*addr = a;
	return INET_OK;
}

enum inet_err
inet_parse_prefix(const char *s, size_t len, struct vbr_prefix *prefix)
{
	const char *slash = memchr(s, '/', len);
	size_t alen, pos;
	uint32_t addr, plen;
	enum inet_err rc;

	if (slash == NULL) {
		rc = inet_parse_ipv4(s, len, &addr);
		return rc == INET_OK ? INET_NO_LEN : rc;
	}
	alen = (size_t)(slash - s);
	rc = inet_parse_ipv4(s, alen, &addr);
	if (rc != INET_OK)
		return rc == INET_SYNTAX ? syntax_or_ipv6(s, len) : rc;
	pos = alen + 1;
	/* Any number of digits: /33 and /4294967296 are "too long", not junk. */
	for (size_t i = pos; i < len; i++)
		if (!is_digit(s[i]))
			return INET_SYNTAX;
	if (len - pos > 2 && s[pos] != '0')
		return INET_LEN_RANGE;
	if (parse_dec(s, len, &pos, 2, UINT32_MAX, &plen) < 0)
		return INET_SYNTAX;
	if (plen > 32)
		return INET_LEN_RANGE;
	prefix->addr = addr;
	prefix->len = (uint8_t)plen;
	return INET_OK;
}

static int
hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
inet_parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	char sep;

	if (len != 17)
		return -1;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

		if (hi < 0 || lo < 0 || (i < 5 && p[2] != sep))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
