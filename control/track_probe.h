/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health checks' ICMP: echo requests to tracked next hops and their
 * replies, on one raw socket in vbrd's network namespace (the kernel sends
 * them through the port's exception tap, from our address on the port).
 * The message codec is pure, for unit tests and fuzzing.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define TRACK_ECHO_LEN 24 /* ICMP header 8 + "vbr-trak" 8 + seq/id echo 8 */

/* An echo request into buf (TRACK_ECHO_LEN bytes), checksum set. */
void track_echo_build(uint8_t *buf, uint16_t id, uint16_t seq);

/* An IPv4 datagram as a raw socket gives it: 0 and *from, *id, *seq when it
 * is an echo reply to one of ours (checksum right, our payload), -EINVAL
 * otherwise. Reads nothing past len. */
int track_echo_parse(const uint8_t *pkt, size_t len, uint32_t *from, uint16_t *id, uint16_t *seq);

/* The socket: non-blocking, close-on-exec, replies only (ICMP_FILTER).
 * fd or -errno. */
int track_probe_open(void);
/* 0 or -errno. addr in host byte order. */
int track_probe_send(int fd, uint32_t addr, uint16_t id, uint16_t seq);
/* One reply: 1 with its fields and the interface it came in on (ifindex),
 * 0 when none is waiting, -EINVAL for a datagram that is not ours (read and
 * dropped), other -errno. */
int track_probe_recv(int fd, uint32_t *from, uint16_t *id, uint16_t *seq, int *ifindex);
