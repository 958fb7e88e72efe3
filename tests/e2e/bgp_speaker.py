#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A BGP speaker that gets stuck on purpose, for vbrd's timers.

usage: bgp_speaker.py --local ADDR --peer ADDR --asn N [--hold S] MODE

MODE silent: completes OPEN, then sends nothing more (but reads all vbrd
  sends): vbrd's hold timer must drop it.
MODE deaf: a tiny receive buffer, completes OPEN, asks vbrd for its routes
  with ROUTE-REFRESH again and again, then never reads another byte while
  it keeps sending KEEPALIVEs (so vbrd's hold timer is fed): vbrd's send
  hold timer must drop it.
MODE announce: completes OPEN, announces --first /24s from 20.0.0.0 on,
  prints "first", waits (with KEEPALIVEs) for the file --go, announces
  --then more /24s, and waits for vbrd's answer.

Prints one JSON line: {"mode", "established", "notification": [code,
subcode] or null, "closed", "seconds"} where seconds run from Established
(or from the OPEN, if never Established) to the NOTIFICATION or the end of
the connection. Every wait is bounded by --timeout.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgp_raw import good_attrs, msg, open_body, recv_msg, update  # noqa: E402

ROUTE_REFRESH = msg(5, struct.pack("!HBB", 1, 0, 1))
KEEPALIVE = msg(4, b"")


def handshake(s, a, out, deadline):
    """OPEN both ways, then KEEPALIVEs: True once Established."""
    s.sendall(msg(1, open_body(a.asn, hold=a.hold, bgp_id=a.local)))
    while time.time() < deadline:
        m = recv_msg(s, deadline)
        if m is None:
            out["closed"] = True
            return False
        if m[18] == 3:
            out["notification"] = [m[19], m[20]]
            return False
        if m[18] == 1:
            s.sendall(KEEPALIVE)
        if m[18] == 4:
            out["established"] = True
            return True
    return False


def silent(s, out, t0, deadline):
    try:
        while time.time() < deadline:
            m = recv_msg(s, deadline)
            if m is None:
                out["closed"] = True
                break
            if m[18] == 3:
                out["notification"] = [m[19], m[20]]
                break
    except socket.timeout:
        pass
    except ConnectionResetError:
        out["closed"] = True
    out["seconds"] = round(time.time() - t0, 3)


def deaf(s, a, out, t0, deadline):
    try:
        for _ in range(a.refreshes):
            s.sendall(ROUTE_REFRESH)
        print("deaf", flush=True)
        while time.time() < deadline:
            time.sleep(1)
            s.send(KEEPALIVE)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        out["closed"] = True
    out["seconds"] = round(time.time() - t0, 3)


def announce_range(s, a, start, n):
    """n /24s from the start-th one after 20.0.0.0, up to 900 an UPDATE,
    in one write: vbrd has them all before it answers."""
    attrs = good_attrs(a.asn, nh=a.local)
    msgs = []
    for base in range(start, start + n, 900):
        nlri = b"".join(bytes([24, 20, (i >> 8) & 0xff, i & 0xff])
                        for i in range(base, min(base + 900, start + n)))
        msgs.append(update(attrs=attrs, nlri=nlri))
    s.sendall(b"".join(msgs))


def alive_until(s, out, stop, deadline):
    """Read and keep the session up (KEEPALIVEs) until stop() or the
    deadline: False once vbrd ended it (out says how)."""
    last_ka = time.time()
    while not stop() and time.time() < deadline:
        if time.time() - last_ka >= 2:
            s.sendall(KEEPALIVE)
            last_ka = time.time()
        try:
            m = recv_msg(s, time.time() + 0.2)
        except socket.timeout:
            continue
        if m is None:
            out["closed"] = True
            return False
        if m[18] == 3:
            out["notification"] = [m[19], m[20]]
            return False
    return True


def announce(s, a, out, t0, deadline):
    try:
        announce_range(s, a, 0, a.first)
        print("first", flush=True)
        if alive_until(s, out, lambda: os.path.exists(a.go), deadline):
            t0 = time.time()
            print("then", flush=True)
            try:
                announce_range(s, a, a.first, a.then)
            except (BrokenPipeError, ConnectionResetError):
                pass  # what vbrd said before it closed may still be there
            alive_until(s, out, lambda: False, deadline)
    except (BrokenPipeError, ConnectionResetError):
        out["closed"] = True
    out["seconds"] = round(time.time() - t0, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--refreshes", type=int, default=2000)
    ap.add_argument("--first", type=int, default=100)
    ap.add_argument("--then", type=int, default=5000)
    ap.add_argument("--go", default="/nonexistent")
    ap.add_argument("mode", choices=["silent", "deaf", "announce"])
    a = ap.parse_args()

    end = time.time() + a.timeout
    while True:
        out, s = attempt(a, end)
        # Held down after the previous speaker's error: Cease / Connection
        # Rejected; come back until the hold-down is over.
        if out["notification"] != [6, 5] or out["established"] or time.time() > end:
            break
        time.sleep(0.5)
    print(json.dumps(out), flush=True)
    return 0


def attempt(a, end):
    out = {"mode": a.mode, "established": False, "notification": None, "closed": False,
           "seconds": None}
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mode == "deaf":
        # A small window fills after a few KB of vbrd's answers.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.bind((a.local, 0))
    while True:
        try:
            s.settimeout(5)
            s.connect((a.peer, 179))
            break
        except (ConnectionRefusedError, socket.timeout):
            if time.time() > end:
                s.close()
                return out, None
            time.sleep(0.5)
    t0 = time.time()
    try:
        up = handshake(s, a, out, end)
    except (socket.timeout, ConnectionResetError):
        up = False
    if up:
        t0 = time.time()
        print("established", flush=True)
        if a.mode == "silent":
            silent(s, out, t0, end)
        elif a.mode == "announce":
            announce(s, a, out, t0, end)
        else:
            deaf(s, a, out, t0, end)
    else:
        out["seconds"] = round(time.time() - t0, 3)
    s.close()
    return out, None


if __name__ == "__main__":
    sys.exit(main())
