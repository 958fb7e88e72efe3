#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Many ARP stations on one interface, for the e2e tests (no scapy needed).

Station i of a range has the address FIRST + i and the MAC 02:a7:<address's
four bytes>: every station is a host of its own to whoever listens.

  arp_tool.py announce IFACE FIRST COUNT TARGET
      each station sends one ARP request for TARGET (a router's address):
      the router learns the stations that ask for it.
  arp_tool.py respond IFACE FIRST COUNT [FIRST COUNT...]
      answer every ARP request for a station's address, until killed: the
      stations are alive; kill it and they are gone. Prints a line per
      answer: the station and "unicast" or "broadcast" (how it was asked).
"""
import ipaddress
import signal
import socket
import struct
import sys

ETH_P_ARP = 0x0806


def station_mac(ip):
    return b'\x02\xa7' + socket.inet_aton(ip)


def arp_frame(op, dmac, smac, sip, tmac, tip):
    eth = dmac + smac + struct.pack('!H', ETH_P_ARP)
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, op)
    arp += smac + socket.inet_aton(sip) + tmac + socket.inet_aton(tip)
    return eth + arp + b'\0' * 18  # padded to the Ethernet minimum


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((iface, ETH_P_ARP))
    return s


def stations(args):
    out = set()
    for i in range(0, len(args), 2):
        first = int(ipaddress.IPv4Address(args[i]))
        for k in range(int(args[i + 1])):
            out.add(str(ipaddress.IPv4Address(first + k)))
    return out


def announce(iface, first, count, target):
    s = open_sock(iface)
    for ip in sorted(stations([first, count])):
        mac = station_mac(ip)
        s.send(arp_frame(1, b'\xff' * 6, mac, ip, b'\0' * 6, target))
    s.close()


def respond(iface, ranges):
    mine = stations(ranges)
    s = open_sock(iface)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        fr = s.recv(2048)
        if len(fr) < 42 or struct.unpack('!H', fr[12:14])[0] != ETH_P_ARP:
            continue
        op = struct.unpack('!H', fr[20:22])[0]
        sha, sip, tip = fr[22:28], socket.inet_ntoa(fr[28:32]), socket.inet_ntoa(fr[38:42])
        if op != 1 or tip not in mine:
            continue
        s.send(arp_frame(2, sha, station_mac(tip), tip, sha, sip))
        how = 'unicast' if fr[0:6] == station_mac(tip) else 'broadcast'
        print(tip, how, flush=True)


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == 'announce':
        announce(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) >= 5 and sys.argv[1] == 'respond' and len(sys.argv) % 2 == 1:
        respond(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
