/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names for logs and vbrctl: message types, NOTIFICATION codes and subcodes
 * as the IANA registry spells them (RFC 4271, 4486, 6608, 7313, 9234), and
 * prefixes written without the sockets API.
 */
#include <stdio.h>

#include "bgp_msg.h"

#define N_SUB 12

struct err_names {
	const char *code;
	const char *sub[N_SUB];
};

static const struct err_names err_names[] = {
	[BGP_ERR_HEADER] = {"Message Header Error", {[1] = "Connection Not Synchronized",
							    [2] = "Bad Message Length",
							    [3] = "Bad Message Type"}},
	[BGP_ERR_OPEN] = {"OPEN Message Error", {[0] = "Unspecific",
							[1] = "Unsupported Version Number",
							[2] = "Bad Peer AS",
							[3] = "Bad BGP Identifier",
							[4] = "Unsupported Optional Parameter",
							[5] = "Authentication Failure",
							[6] = "Unacceptable Hold Time",
							[7] = "Unsupported Capability",
							[11] = "Role Mismatch"}},
	[BGP_ERR_UPDATE] = {"UPDATE Message Error",
		{[0] = "Unspecific",
			[1] = "Malformed Attribute List",
			[2] = "Unrecognized Well-known Attribute",
			[3] = "Missing Well-known Attribute",
			[4] = "Attribute Flags Error",
			[5] = "Attribute Length Error",
			[6] = "Invalid ORIGIN Attribute",
			[7] = "AS Routing Loop",
			[8] = "Invalid NEXT_HOP Attribute",
			[9] = "Optional Attribute Error",
			[10] = "Invalid Network Field",
			[11] = "Malformed AS_PATH"}},
	[BGP_ERR_HOLD_TIMER] = {"Hold Timer Expired", {NULL}},
	[BGP_ERR_FSM] = {"Finite State Machine Error",
		{[0] = "Unspecified Error",
			[1] = "Receive Unexpected Message in OpenSent State",
			[2] = "Receive Unexpected Message in OpenConfirm State",
			[3] = "Receive Unexpected Message in Established State"}},
	[BGP_ERR_CEASE] = {"Cease", {[1] = "Maximum Number of Prefixes Reached",
					    [2] = "Administrative Shutdown",
					    [3] = "Peer De-configured",
					    [4] = "Administrative Reset",
					    [5] = "Connection Rejected",
					    [6] = "Other Configuration Change",
					    [7] = "Connection Collision Resolution",
					    [8] = "Out of Resources",
					    [9] = "Hard Reset",
					    [10] = "BFD Down"}},
	[BGP_ERR_ROUTE_REFRESH] = {"ROUTE-REFRESH Message Error", {[1] = "Invalid Message Length"}},
	[BGP_ERR_SEND_HOLD_TIMER] = {"Send Hold Timer Expired", {NULL}},
};

const char *
bgp_msg_type_name(uint8_t type)
{
	static const char *const names[] = {
		[BGP_MSG_OPEN] = "OPEN",
		[BGP_MSG_UPDATE] = "UPDATE",
		[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
		[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
		[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *
bgp_notify_name(char *buf, size_t size, uint8_t code, uint8_t subcode)
{
	const struct err_names *e = NULL;
	const char *sub = NULL;
	bool has_subcodes = false;
	unsigned i;

	if (size == 0)
		return buf;
	if (code < sizeof(err_names) / sizeof(err_names[0]) && err_names[code].code)
		e = &err_names[code];
	if (!e) {
		snprintf(buf, size, "code %u / subcode %u", code, subcode);
		return buf;
	}
	for (i = 0; i < N_SUB; i++)
		has_subcodes |= e->sub[i] != NULL;
	if (subcode < N_SUB)
		sub = e->sub[subcode];
	if (sub)
		snprintf(buf, size, "%s / %s", e->code, sub);
	else if (subcode == 0 && !has_subcodes)
		snprintf(buf, size, "%s", e->code);
	else
		snprintf(buf, size, "%s / subcode %u", e->code, subcode);
	return buf;
}

int
bgp_prefix_format(char *buf, size_t size, const struct bgp_prefix *p)
{
	return snprintf(buf, size, "%u.%u.%u.%u/%u", p->addr >> 24, (p->addr >> 16) & 0xff,
		(p->addr >> 8) & 0xff, p->addr & 0xff, p->len);
}
