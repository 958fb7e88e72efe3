#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal BGP speaker that sends what real daemons never would.

usage: bgp_raw.py --local ADDR --peer ADDR --asn N [--key K] CASE

Connects (with TCP-MD5 when --key), exchanges OPENs and KEEPALIVEs unless the
case is about the OPEN itself, sends the case's bytes, and prints one JSON
line: {"case", "established", "notification": [code, subcode, "datahex"] or
null, "closed": bool}. Every wait is bounded.
"""
import argparse
import json
import socket
import struct
import sys
import time

TCP_MD5SIG = 14
MARKER = b"\xff" * 16


def msg(mtype, body, length=None, marker=MARKER):
    n = 19 + len(body) if length is None else length
    return marker + struct.pack("!HB", n, mtype) + body


def open_body(asn, hold=9, bgp_id="10.0.0.3", version=4, as4=True):
    caps = b""
    caps += bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)  # MP IPv4 unicast
    caps += bytes([2, 0])  # route refresh
    if as4:
        caps += bytes([65, 4]) + struct.pack("!I", asn)
    params = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    return struct.pack("!BHH4sB", version, my_as, hold, socket.inet_aton(bgp_id),
                       len(params)) + params


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(withdrawn=b"", attrs=b"", nlri=b""):
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn +
               struct.pack("!H", len(attrs)) + attrs + nlri)


def good_attrs(asn, nh="10.0.0.3"):
    return (attr(0x40, 1, b"\x00") +
            attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", asn)) +
            attr(0x40, 3, socket.inet_aton(nh)))


def prefix(p):
    addr, plen = p.split("/")
    plen = int(plen)
    return bytes([plen]) + socket.inet_aton(addr)[:(plen + 7) // 8]


def cases(asn):
    """name -> (where, bytes): 'open' replaces our OPEN, 'est' is sent once
    Established."""
    ok = good_attrs(asn)
    p = prefix("10.99.1.0/24")
    return {
        # Message header errors (RFC 4271 6.1).
        "bad_marker": ("est", msg(4, b"", marker=b"\xff" * 15 + b"\x00")),
        "bad_length": ("est", msg(4, b"", length=5000)),
        "bad_type": ("est", msg(9, b"")),
        "keepalive_too_long": ("est", msg(4, b"\x00")),
        # OPEN errors (6.2).
        "open_bad_version": ("open", msg(1, open_body(asn, version=3))),
        "open_bad_as": ("open", msg(1, open_body(asn + 1))),
        "open_bad_hold": ("open", msg(1, open_body(asn, hold=1))),
        "open_bad_id": ("open", msg(1, open_body(asn, bgp_id="0.0.0.0"))),
        # UPDATE errors that reset the session (6.3, RFC 7606).
        "withdrawn_overrun": ("est", msg(2, struct.pack("!H", 200) + b"\x18\x0a\x63")),
        "attr_list_overrun": ("est", msg(2, struct.pack("!HH", 0, 100) + ok + p)),
        "attr_len_overrun": ("est", update(attrs=ok + struct.pack("!BBB", 0xc0, 99, 40) + b"ab",
                                          nlri=p)),
        "unknown_wellknown": ("est", update(attrs=ok + attr(0x40, 99, b"\x01"), nlri=p)),
        "nlri_len_33": ("est", update(attrs=ok, nlri=b"\x21" + b"\x0a\x63\x01\x00\x01")),
        "nlri_overrun": ("est", update(attrs=ok, nlri=b"\x18\x0a")),
        # UPDATE errors that only withdraw (RFC 7606): the session stays.
        "bad_origin": ("est", update(attrs=attr(0x40, 1, b"\x05") + ok[4:], nlri=p)),
        "missing_next_hop": ("est", update(attrs=ok[:-7], nlri=p)),
        "bad_as_path": ("est", update(attrs=ok[:4] + attr(0x40, 2, b"\x02\x05\x00\x00") + ok[-7:],
                                      nlri=p)),
        "next_hop_wrong_len": ("est", update(attrs=ok[:-7] + attr(0x40, 3, b"\x0a\x00\x00"),
                                             nlri=p)),
        # A good one, to show the session works at all.
        "good_update": ("est", update(attrs=ok, nlri=p)),
    }


def recv_msg(s, deadline):
    buf = b""
    while len(buf) < 19:
        s.settimeout(max(0.05, deadline - time.time()))
        chunk = s.recv(19 - len(buf))
        if not chunk:
            return None
        buf += chunk
    n = struct.unpack("!H", buf[16:18])[0]
    while len(buf) < n:
        s.settimeout(max(0.05, deadline - time.time()))
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def watch(s, deadline, out):
    """Read until deadline: a NOTIFICATION or the connection's end is noted
    in out; anything else (vbrd's UPDATEs, KEEPALIVEs) is passed over."""
    try:
        while time.time() < deadline:
            m = recv_msg(s, deadline)
            if m is None:
                out["closed"] = True
                return
            if m[18] == 3:
                out["notification"] = [m[19], m[20], m[21:].hex()]
                return
    except socket.timeout:
        pass


def attempt(a, where, payload):
    out = {"case": a.case, "established": False, "notification": None, "closed": False}
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.local, 0))
    if a.key:
        sa = struct.pack("=H", socket.AF_INET) + struct.pack("!H4s", 0, socket.inet_aton(a.peer))
        md5 = sa.ljust(128, b"\0") + struct.pack("=BBHi", 0, 0, len(a.key), 0) + \
            a.key.encode().ljust(80, b"\0")
        s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, md5)
    s.settimeout(5)
    s.connect((a.peer, 179))
    deadline = time.time() + 10

    s.sendall(payload if where == "open" else msg(1, open_body(a.asn, bgp_id=a.local)))
    try:
        while True:
            m = recv_msg(s, deadline)
            if m is None:
                out["closed"] = True
                break
            t = m[18]
            if t == 3:
                out["notification"] = [m[19], m[20], m[21:].hex()]
                break
            if t == 1:
                s.sendall(msg(4, b""))
            if t == 4 and where != "open":
                out["established"] = True
                s.sendall(payload)
                # What comes now says how vbrd took it.
                watch(s, time.time() + a.wait, out)
                if out["notification"] is None and not out["closed"] and a.linger > 0:
                    # Keep the session while the caller looks at vbrd.
                    print("quiet", flush=True)
                    watch(s, time.time() + a.linger, out)
                break
    except socket.timeout:
        pass
    except ConnectionResetError:
        out["closed"] = True
    s.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--key", default="")
    ap.add_argument("--wait", type=float, default=3.0,
                    help="seconds to wait for a NOTIFICATION after the case")
    ap.add_argument("--linger", type=float, default=0,
                    help="seconds to keep a session that got no NOTIFICATION")
    ap.add_argument("--once", action="store_true",
                    help="one attempt, even if refused with Cease / Connection Rejected")
    ap.add_argument("case")
    a = ap.parse_args()
    where, payload = cases(a.asn)[a.case]

    # A peer held down after the previous case's error is refused with
    # Cease / Connection Rejected: come back until the hold-down is over.
    end = time.time() + 60
    while True:
        try:
            out = attempt(a, where, payload)
        except (ConnectionRefusedError, socket.timeout, ConnectionResetError):
            out = {"case": a.case, "notification": [6, 5, ""], "established": False}
        if (a.once or out["notification"] != [6, 5, ""] or out["established"] or
                time.time() > end):
            break
        time.sleep(0.5)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
