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
from bgp_raw import msg, open_body, recv_msg  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--refreshes", type=int, default=2000)
    ap.add_argument("mode", choices=["silent", "deaf"])
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
        else:
            deaf(s, a, out, t0, end)
    else:
        out["seconds"] = round(time.time() - t0, 3)
    s.close()
    return out, None


if __name__ == "__main__":
    sys.exit(main())
