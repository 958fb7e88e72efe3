/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text forms of the value types every schema shares (see value.h):
 * strings, integers, AS numbers, booleans, names from a list, IPv4
 * addresses and prefixes, MAC addresses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inet.h"
#include "value.h"
#include "walk.h"

static bool
printable(char c)
{
	return c >= 0x20 && c < 0x7f;
}

int
value_error(const struct value_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->msg && c->len) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

const char *
value_quote(char buf[VALUE_QUOTE_MAX], const char *s, size_t len)
{
	size_t o = 0, i;

	/* Room for both quotes, "..." and the NUL. */
	buf[o++] = '"';
	for (i = 0; i < len && o < VALUE_QUOTE_MAX - 6; i++)
		buf[o++] = printable(s[i]) ? s[i] : '?';
	if (i < len)
		for (int k = 0; k < 3; k++)
			buf[o++] = '.';
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* --- strings --- */

/* What the YAML reader would refuse: the file must load back. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
			(cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int
parse_string(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	if (memchr(s, '\0', len))
		return value_error(c, "contains a NUL character");
	/* The value is not shown: it may be a TCP-MD5 key. */
	if (len >= f->size)
		return value_error(c, "longer than %zu characters", f->size - 1);
	if (len < f->min)
		return value_error(c, "must not be empty");
	if (!utf8_valid((const unsigned char *)s, len))
		return value_error(c, "is not valid UTF-8");
	memcpy((char *)obj + f->off, s, len);
	((char *)obj)[f->off + len] = '\0';
	return 0;
}

void
value_format_string(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	(void)cfg;
	snprintf(buf, len, "%.*s", (int)f->size, (const char *)obj + f->off);
}

const struct value_type value_string = {
	.what = "a string",
	.parse = parse_string,
	.format = value_format_string,
	.quoted = true,
};

/* --- integers --- */

/* Plain decimal: no sign, no 0x, no leading zero (octal to YAML 1.1). */
static int
parse_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (x > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
out_of_range(const struct field *f, const char *s, size_t len, const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX];

	value_quote(q, s, len);
	/* The number without its quotes reads better: 70000 is out of range. */
	return value_error(c, "%.*s is out of range (%llu..%llu)", (int)strlen(q) - 2, q + 1,
		(unsigned long long)f->min, (unsigned long long)f->max);
}

void
value_store_uint(const struct field *f, void *obj, uint64_t v)
{
	char *dst = (char *)obj + f->off;
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	/* memcpy: the destination may be an enum or a bool as well as an integer. */
	switch (f->size) {
	case sizeof(u8):
		memcpy(dst, &u8, sizeof(u8));
		break;
	case sizeof(u16):
		memcpy(dst, &u16, sizeof(u16));
		break;
	case sizeof(u32):
		memcpy(dst, &u32, sizeof(u32));
		break;
	default:
		memcpy(dst, &v, sizeof(v));
		break;
	}
}

uint64_t
value_load_uint(const struct field *f, const void *obj)
{
	const char *src = (const char *)obj + f->off;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t v;

	switch (f->size) {
	case sizeof(u8):
		memcpy(&u8, src, sizeof(u8));
		return u8;
	case sizeof(u16):
		memcpy(&u16, src, sizeof(u16));
		return u16;
	case sizeof(u32):
		memcpy(&u32, src, sizeof(u32));
		return u32;
	default:
		memcpy(&v, src, sizeof(v));
		return v;
	}
}

int
value_parse_uint(
	const struct field *f, const char *s, size_t len, uint64_t *v, const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX];
	int rc = parse_u64(s, len, v);

	if (rc == -EINVAL && len > 1 && s[0] == '-' && parse_u64(s + 1, len - 1, v) == 0)
		return out_of_range(f, s, len, c);
	if (rc == -EINVAL)
		return value_error(c, "expected a decimal integer, got %s", value_quote(q, s, len));
	if (rc < 0 || *v < f->min || *v > f->max)
		return out_of_range(f, s, len, c);
	return 0;
}

static int
parse_uint(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	uint64_t v;
	int rc = value_parse_uint(f, s, len, &v, c);

	if (rc == 0)
		value_store_uint(f, obj, v);
	return rc;
}

void
value_format_uint(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	(void)cfg;
	snprintf(buf, len, "%llu", (unsigned long long)value_load_uint(f, obj));
}

const struct value_type value_uint = {
	.what = "an integer",
	.parse = parse_uint,
	.format = value_format_uint,
};

/* asplain (4200000000) or asdot (64086.59904, RFC 5396), as routers print them. */
static int
parse_asn(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX];
	const char *dot = memchr(s, '.', len);
	uint64_t v, hi, lo;
	int rc;

	if (dot) {
		size_t hlen = (size_t)(dot - s);

		if (parse_u64(s, hlen, &hi) < 0 || parse_u64(dot + 1, len - hlen - 1, &lo) < 0 ||
			hi > UINT16_MAX || lo > UINT16_MAX)
			return value_error(
				c, "expected an AS number, got %s", value_quote(q, s, len));
		v = hi << 16 | lo;
		rc = 0;
	} else {
		rc = parse_u64(s, len, &v);
	}
	if (rc == -EINVAL && len > 1 && s[0] == '-' && parse_u64(s + 1, len - 1, &v) == 0)
		return out_of_range(f, s, len, c);
	if (rc == -EINVAL)
		return value_error(c, "expected an AS number, got %s", value_quote(q, s, len));
	if (rc < 0 || v < f->min || v > f->max)
		return out_of_range(f, s, len, c);
	value_store_uint(f, obj, v);
	return 0;
}

const struct value_type value_asn = {
	.what = "an AS number", .parse = parse_asn, .format = value_format_uint, /* asplain */
};

/* --- booleans and names --- */

static int
parse_bool(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	/* YAML 1.2's booleans, and YAML 1.1's that people still write. */
	static const struct {
		const char *text;
		bool value;
	} words[] = {
		{"true", true},
		{"True", true},
		{"TRUE", true},
		{"yes", true},
		{"on", true},
		{"false", false},
		{"False", false},
		{"FALSE", false},
		{"no", false},
		{"off", false},
	};
	char q[VALUE_QUOTE_MAX];

	for (size_t i = 0; i < WALK_ARRAY_SIZE(words); i++)
		if (len == strlen(words[i].text) && memcmp(s, words[i].text, len) == 0) {
			*(bool *)((char *)obj + f->off) = words[i].value;
			return 0;
		}
	return value_error(c, "expected true or false, got %s", value_quote(q, s, len));
}

static void
format_bool(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	(void)cfg;
	snprintf(buf, len, "%s", *(const bool *)((const char *)obj + f->off) ? "true" : "false");
}

const struct value_type value_bool = {
	.what = "true or false",
	.parse = parse_bool,
	.format = format_bool,
};

static int
parse_enum(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX], names[128];
	size_t pos = 0, nb = 0;

	for (size_t i = 0; f->names[i]; i++, nb++)
		if (len == strlen(f->names[i]) && memcmp(s, f->names[i], len) == 0) {
			value_store_uint(f, obj, i);
			return 0;
		}
	/* "drop or teardown", "a, b or c" */
	names[0] = '\0';
	for (size_t i = 0; i < nb && pos < sizeof(names); i++) {
		int n = snprintf(names + pos, sizeof(names) - pos, "%s%s",
			i == 0	      ? ""
			: i + 1 == nb ? " or "
				      : ", ",
			f->names[i]);

		pos += n > 0 ? (size_t)n : 0;
	}
	return value_error(c, "expected %s, got %s", names, value_quote(q, s, len));
}

static void
format_enum(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	uint64_t v = value_load_uint(f, obj);
	size_t nb = 0;

	(void)cfg;
	while (f->names[nb])
		nb++;
	/* Out of the list: a number, which the parser refuses, as it should. */
	if (v < nb)
		snprintf(buf, len, "%s", f->names[v]);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

const struct value_type value_enum = {
	.what = "a name",
	.parse = parse_enum,
	.format = format_enum,
};

/* --- addresses --- */

/* Why a text is not what was expected; printf(value, what). */
static const char *const inet_msgs[] = {
	[INET_SYNTAX] = "%s is not an IPv4 %s",
	[INET_NOT_IPV4] = "IPv4 only: %s is not an IPv4 %s",
	[INET_NO_LEN] = "%s is not an IPv4 %s: it has no /length",
	[INET_LEN_RANGE] = "%s is not an IPv4 %s: its length is over 32",
};

static int
inet_error(const char *s, size_t len, enum inet_err e, const char *what, const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return value_error(c, inet_msgs[e], value_quote(q, s, len), what);
#pragma GCC diagnostic pop
}

static int
parse_ipv4(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	uint32_t addr;
	enum inet_err e = inet_parse_ipv4(s, len, &addr);

	if (e != INET_OK)
		return inet_error(s, len, e, "address", c);
	memcpy((char *)obj + f->off, &addr, sizeof(addr));
	return 0;
}

void
value_format_ipv4(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	uint32_t addr;

	(void)cfg;
	memcpy(&addr, (const char *)obj + f->off, sizeof(addr));
	config_ip_str(addr, buf, len);
}

const struct value_type value_ipv4 = {
	.what = "an IPv4 address",
	.parse = parse_ipv4,
	.format = value_format_ipv4,
};

int
value_parse_any_prefix(const char *s, size_t len, struct vbr_prefix *p, const struct value_ctx *c)
{
	enum inet_err e = inet_parse_prefix(s, len, p);

	if (e != INET_OK)
		return inet_error(s, len, e, "prefix", c);
	return 0;
}

/* A prefix as routes and announcements carry it: host bits zero. */
static int
parse_prefix(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	char have[VBR_PREFIX_STRLEN], want[VBR_PREFIX_STRLEN];
	struct vbr_prefix p, net;
	int rc = value_parse_any_prefix(s, len, &p, c);

	if (rc < 0)
		return rc;
	net.addr = p.addr & inet_mask(p.len);
	net.len = p.len;
	if (net.addr != p.addr)
		return value_error(c, "%s has host bits set (did you mean %s?)",
			config_prefix_str(&p, have, sizeof(have)),
			config_prefix_str(&net, want, sizeof(want)));
	memcpy((char *)obj + f->off, &p, sizeof(p));
	return 0;
}

static void
format_prefix(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	struct vbr_prefix p;

	(void)cfg;
	memcpy(&p, (const char *)obj + f->off, sizeof(p));
	config_prefix_str(&p, buf, len);
}

const struct value_type value_prefix = {
	.what = "an IPv4 prefix",
	.parse = parse_prefix,
	.format = format_prefix,
};

static int
parse_mac(const struct field *f, const char *s, size_t len, void *obj, const struct value_ctx *c)
{
	char q[VALUE_QUOTE_MAX];
	uint8_t mac[6];

	if (inet_parse_mac(s, len, mac) < 0)
		return value_error(c, "%s is not a MAC address (like 02:00:00:00:00:01)",
			value_quote(q, s, len));
	/* A neighbour is one station: not a group address, not all zeros. */
	if ((mac[0] & 1) || memcmp(mac, "\0\0\0\0\0\0", 6) == 0)
		return value_error(c, "%s is not a unicast MAC address", value_quote(q, s, len));
	memcpy((char *)obj + f->off, mac, sizeof(mac));
	return 0;
}

static void
format_mac(
	const struct field *f, const void *obj, const struct vbr_config *cfg, char *buf, size_t len)
{
	const uint8_t *m = (const uint8_t *)obj + f->off;

	(void)cfg;
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

const struct value_type value_mac = {
	.what = "a MAC address",
	.parse = parse_mac,
	.format = format_mac,
	.quoted = true, /* 00:11:22:33:44:55 would be a base-60 number to YAML 1.1 */
};
