#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hand-written pcap files for the e2e tests (no scapy needed).

  pcap_tool.py write FILE DST_MAC SRC_MAC SRC_IP DST_IP:COUNT [DST_IP:COUNT...]
      ICMP echo requests, COUNT to each DST_IP, in the order given.
  pcap_tool.py empty FILE
      a pcap file with no frames.
  pcap_tool.py summary FILE
      one line per frame: "ipv4 SRC DST PROTO [icmp TYPE CODE ORIG_DST]",
      "arp" or "other".
"""
import socket
import struct
import sys

PCAP_HDR = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def echo_frame(dmac, smac, src, dst, seq):
    icmp = struct.pack('!BBHHH', 8, 0, 0, 0x4242, seq) + b'vbr-startup' * 3
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return mac(dmac) + mac(smac) + b'\x08\x00' + ip + icmp


def write(path, frames):
    with open(path, 'wb') as f:
        f.write(PCAP_HDR)
        for i, fr in enumerate(frames):
            f.write(struct.pack('<IIII', 1, i, len(fr), len(fr)))
            f.write(fr)


def read(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack('<I', data[:4])[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        yield data[off:off + incl]
        off += incl


def summary(fr):
    etype = struct.unpack('!H', fr[12:14])[0]
    if etype == 0x0806:
        return 'arp'
    if etype != 0x0800 or len(fr) < 34:
        return 'other'
    ip = fr[14:]
    ihl = (ip[0] & 15) * 4
    src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    out = 'ipv4 %s %s %d' % (src, dst, ip[9])
    if ip[9] == 1 and len(ip) >= ihl + 8:
        t, c = ip[ihl], ip[ihl + 1]
        orig = ''
        if t in (3, 11) and len(ip) >= ihl + 8 + 20:
            orig = socket.inet_ntoa(ip[ihl + 8 + 16:ihl + 8 + 20])
        out += ' icmp %d %d %s' % (t, c, orig)
    return out.rstrip()


def main(argv):
    if len(argv) >= 3 and argv[1] == 'empty':
        write(argv[2], [])
    elif len(argv) >= 7 and argv[1] == 'write':
        frames, seq = [], 1
        for spec in argv[6:]:
            dst, n = spec.split(':')
            for _ in range(int(n)):
                frames.append(echo_frame(argv[3], argv[4], argv[5], dst, seq))
                seq += 1
        write(argv[2], frames)
    elif len(argv) == 3 and argv[1] == 'summary':
        for fr in read(argv[2]):
            print(summary(fr))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
