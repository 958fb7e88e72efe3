#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Floods a segment with hostile frames (raw AF_PACKET, no scapy), paced.

usage: punt_flood.py IFACE MODE --vbr-mac MAC --peer-mac MAC [--rate FPS]
                     [--seconds S] [--count N]

MODE (the IDC topology of bgp_lib.sh: vbrd 10.0.0.1/29, BGP peer 10.0.0.2,
a host 10.0.0.5, no hosts at .3, .4, .6):
  arp_for_us      ARP requests for 10.0.0.1 from the host 10.0.0.5
  arp_not_for_us  ARP requests between other hosts (random senders, targets)
  garp            gratuitous ARP for absent hosts (.3, .4, .6), random MACs
  spoof           ARP whose Ethernet source is not its sender, and ARP
                  claiming the BGP peer's address from another MAC
  tcp179          TCP to 10.0.0.1:179 from the peer's address and MAC, and
                  from its port 179, random other ports and flags
  ping            ICMP echo requests to 10.0.0.1 from 10.0.0.5
  bfd_spoof       BFD control packets to 10.0.0.1:3784 from the peer's
                  address, from random MACs (not the peer's)
  udp3784         BFD control packets to 10.0.0.1:3784 from 10.0.0.5

Prints one JSON line: {"mode", "sent", "seconds"}.
"""
import argparse
import json
import random
import socket
import struct
import sys
import time

VBR_IP = "10.0.0.1"
PEER_IP = "10.0.0.2"
HOST_IP = "10.0.0.5"
ABSENT = ["10.0.0.3", "10.0.0.4", "10.0.0.6"]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def rand_mac(rng):
    return bytes([0x02] + [rng.randrange(256) for _ in range(5)])


def ip(s):
    return socket.inet_aton(s)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    f = dst + src + struct.pack("!H", etype) + payload
    return f + b"\0" * max(0, 60 - len(f))


def arp(op, sha, sip, tha, tip):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + ip(sip) + tha + ip(tip)


def ipv4(src, dst, proto, payload, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto,
                    0, ip(src), ip(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(src, dst, sport, dport, flags, seq):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)
    pseudo = ip(src) + ip(dst) + struct.pack("!BBH", 0, 6, len(h))
    return h[:16] + struct.pack("!H", csum(pseudo + h)) + h[18:]


def udp(sport, dport, payload):
    # Checksum 0: none, as IPv4 allows.
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def bfd(rng):
    # Version 1, state Up, detect mult 3, length 24, random discriminators.
    return struct.pack("!BBBBIIIII", 0x20, 0xC0, 3, 24, rng.randrange(1, 1 << 32),
                       rng.randrange(1, 1 << 32), 300000, 300000, 0)


def frames(mode, vbr_mac, peer_mac, host_mac, rng, n=512):
    bcast = b"\xff" * 6
    zero = b"\0" * 6
    out = []
    for i in range(n):
        if mode == "arp_for_us":
            f = eth(bcast, host_mac, 0x0806, arp(1, host_mac, HOST_IP, zero, VBR_IP))
        elif mode == "arp_not_for_us":
            # Senders are other hosts (.3 to .6), never us or the peer.
            m = rand_mac(rng)
            s = rng.randrange(3, 7)
            t = rng.choice([x for x in range(2, 7) if x != s])
            f = eth(bcast, m, 0x0806, arp(1, m, "10.0.0.%d" % s, zero, "10.0.0.%d" % t))
        elif mode == "garp":
            m, a = rand_mac(rng), rng.choice(ABSENT)
            f = eth(bcast, m, 0x0806, arp(rng.choice((1, 2)), m, a, bcast, a))
        elif mode == "spoof":
            m = rand_mac(rng)
            if i % 2:
                # The sender's MAC is not the frame's.
                f = eth(bcast, rand_mac(rng), 0x0806,
                        arp(1, m, "10.0.0.%d" % rng.randrange(2, 7), zero, VBR_IP))
            else:
                # The BGP peer's address from another MAC, as requests,
                # replies and gratuitous ARP.
                op, tip = rng.choice(((1, VBR_IP), (2, VBR_IP), (1, PEER_IP)))
                f = eth(vbr_mac if op == 2 else bcast, m, 0x0806, arp(op, m, PEER_IP, zero, tip))
        elif mode == "tcp179":
            flags = rng.choice((0x02, 0x10, 0x18, 0x04, 0x01))
            if i % 2:
                sp, dp = rng.randrange(1024, 65536), 179
            else:
                sp, dp = 179, rng.randrange(1024, 65536)
            seg = tcp(PEER_IP, VBR_IP, sp, dp, flags, rng.randrange(1 << 32))
            f = eth(vbr_mac, peer_mac, 0x0800, ipv4(PEER_IP, VBR_IP, 6, seg, i))
        elif mode == "ping":
            body = struct.pack("!BBHHH", 8, 0, 0, 0x7777, i) + b"punt-battery" * 4
            body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
            f = eth(vbr_mac, host_mac, 0x0800, ipv4(HOST_IP, VBR_IP, 1, body, i))
        elif mode in ("bfd_spoof", "udp3784"):
            src, smac = (PEER_IP, rand_mac(rng)) if mode == "bfd_spoof" else (HOST_IP, host_mac)
            d = udp(rng.randrange(49152, 65536), 3784, bfd(rng))
            f = eth(vbr_mac, smac, 0x0800, ipv4(src, VBR_IP, 17, d, i))
        else:
            raise SystemExit("unknown mode " + mode)
        out.append(f)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("mode")
    ap.add_argument("--vbr-mac", required=True)
    ap.add_argument("--peer-mac", required=True)
    ap.add_argument("--host-mac", help="the host 10.0.0.5's MAC (default: the peer's)")
    ap.add_argument("--rate", type=int, default=8000, help="frames per second")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--count", type=int, default=0, help="stop after N frames")
    ap.add_argument("--seed", type=int, default=6)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    fs = frames(a.mode, mac(a.vbr_mac), mac(a.peer_mac), mac(a.host_mac or a.peer_mac), rng)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    total = a.count or int(a.rate * a.seconds)
    sent = 0
    t0 = time.monotonic()
    # Paced in 1 ms ticks: each tick sends what the rate owes by then.
    while sent < total:
        owed = min(total, int((time.monotonic() - t0) * a.rate) + 1)
        while sent < owed:
            try:
                s.send(fs[sent % len(fs)])
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno != 105:  # ENOBUFS: the queue is full, try again
                    raise
                break
            sent += 1
        nxt = t0 + (sent + 1) / a.rate
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(min(d, 0.001))
    print(json.dumps({"mode": a.mode, "sent": sent,
                      "seconds": round(time.monotonic() - t0, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
