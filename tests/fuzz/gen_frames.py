#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Seed inputs for fuzz_forward: well-formed frames of each kind the fast path
# tells apart (routed both ways, to us, ARP, BGP from the peer, TTL 1, no
# route, blackhole, too big with and without DF, IPv4 options, fragments), in
# its input format: [flags][port][len LE16][frame]...
#   gen_frames.py DIR
import os
import struct
import sys

IDC_MAC = bytes([2, 0, 0, 0, 0, 1])
VPC_MAC = bytes([2, 0, 0, 0, 0, 2])
PEER_MAC = bytes([2, 0, 0, 0, 0, 0xAA])


def ip(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, payload, proto=17, ttl=64, frag=0, opts=b""):
    hlen = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hlen // 4, 0, hlen + len(payload), 0x1234, frag,
                    ttl, proto, 0, ip(src), ip(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def eth(dst_mac, payload, etype=0x0800):
    return dst_mac + PEER_MAC + struct.pack("!H", etype) + payload


def arp(op, sha, spa, tpa):
    return eth(b"\xff" * 6, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, ip(spa),
                                         b"\0" * 6, ip(tpa)), 0x0806)


def tcp(sport, dport):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 65535, 0, 0)


def frame(port, f):
    return struct.pack("<BH", port, len(f)) + f


udp = struct.pack("!HHHH", 4000, 5000, 16, 0) + b"x" * 8
seeds = {
    "idc_to_vpc": (0, [(0, eth(IDC_MAC, ipv4("192.168.1.1", "172.16.9.9", udp)))]),
    "vpc_to_idc": (0, [(1, eth(VPC_MAC, ipv4("172.16.9.9", "192.168.1.1", udp)))]),
    "to_us": (0, [(0, eth(IDC_MAC, ipv4("10.0.0.2", "10.0.0.1", udp, proto=1)))]),
    "arp": (0, [(0, arp(1, PEER_MAC, "10.0.0.2", "10.0.0.1"))]),
    "bgp": (0, [(0, eth(IDC_MAC, ipv4("10.0.0.2", "10.0.0.1", tcp(40000, 179), proto=6)))]),
    "ttl1": (0, [(0, eth(IDC_MAC, ipv4("192.168.1.1", "172.16.9.9", udp, ttl=1)))]),
    "no_route_blackhole": (0, [(1, eth(VPC_MAC, ipv4("172.16.9.9", "198.51.100.7", udp))),
                               (0, eth(IDC_MAC, ipv4("192.168.1.1", "10.0.0.3", udp)))]),
    "big_no_df": (2, [(0, eth(IDC_MAC, ipv4("192.168.1.1", "172.16.9.9", b"y" * 1480)))]),
    "big_df": (2, [(0, eth(IDC_MAC, ipv4("192.168.1.1", "172.16.9.9", b"y" * 1480,
                                          frag=0x4000)))]),
    "options_frag": (6, [(0, eth(IDC_MAC, ipv4("192.168.1.1", "172.16.9.9", b"z" * 600,
                                               frag=0x2000 | 10,
                                               opts=bytes([7, 7, 4, 0, 0, 0, 0, 1, 0x94, 4,
                                                           0, 0]))))]),
    "to_group": (0, [(1, eth(VPC_MAC, ipv4("172.16.9.9", "192.168.100.%d" % i,
                                           struct.pack("!HH", 20000 + i, 5001) + udp[4:])))
                     for i in range(1, 5)] +
                 [(1, eth(VPC_MAC, ipv4("172.16.9.9", "192.168.100.7", b"f" * 64,
                                        frag=0x2000)))]),
    "mixed": (1, [(0, eth(IDC_MAC, ipv4("192.168.1.1", "172.16.9.9", udp))),
                  (0, arp(2, PEER_MAC, "10.0.0.2", "10.0.0.1")),
                  (1, eth(b"\x01\x00\x5e\0\0\1", ipv4("172.16.9.9", "224.0.0.1", udp))),
                  (1, eth(VPC_MAC, ipv4("172.16.9.9", "172.16.0.255", udp)))]),
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, (flags, frames) in seeds.items():
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(bytes([flags]) + b"".join(frame(p, fr) for p, fr in frames))
