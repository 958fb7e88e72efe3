#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the vbrctl end-to-end tests (vbrctl_live.sh, vbrctl_bad.sh).

  vbrctl_tool.py records
      stdin: what `vbrctl ... --json` printed; stdout: its records as one
      JSON array (keys sorted), whether vbrctl printed an array, one object,
      or one JSON object a line (bare or as the protocol's {"record": ...}).
  vbrctl_tool.py get KEY=VALUE FIELD
      stdin as for records: FIELD of the first record whose KEY is VALUE
      (KEY=VALUE "-": the first record); exit 1 if there is none.
  vbrctl_tool.py until SECONDS EXPR CMD...
      run CMD again and again (no pause) until the Python expression EXPR is
      true of its output (names: out, the text; recs, its records or None;
      rc, its exit status); print the wall-clock time of that run's end in
      ms since the epoch. Exit 1 (last output on stderr) after SECONDS.
      "polling" on stderr once the first run found EXPR false: a test starts
      it in the background, waits for that, then makes the change it times.
  vbrctl_tool.py send SOCKET [--size N] [--no-newline] [--timeout S] [DATA]
      one raw request to the management socket: DATA (or, with --size, a
      valid show.config request padded with blanks to N bytes, the newline
      included); print each line the server sent back and, on stderr, how
      long the answer took. Exit 0 if the last line is a status line
      ({"ok": ...}), 1 otherwise (nothing, or no status before the close).
  vbrctl_tool.py hold SOCKET SECONDS [PARTIAL]
      connect and say nothing (or only PARTIAL, no newline) for SECONDS,
      connecting again at once whenever the server closes; print "connected"
      once connected, a line per close, and at the end "held S s, closed by
      the server N time(s)".
  vbrctl_tool.py stats
      stdin: one number a line; stdout: "min/median/max over N".
"""
import json
import socket
import statistics
import subprocess
import sys
import time


def parse_records(text):
    items = []
    try:
        items = [json.loads(text)]
    except ValueError:
        for line in text.splitlines():
            if line.strip():
                items.append(json.loads(line))
    recs = []
    for it in items:
        for x in it if isinstance(it, list) else [it]:
            if isinstance(x, dict) and "record" in x:
                recs.append(x["record"])
            elif isinstance(x, dict) and set(x) <= {"ok", "error"} and "ok" in x:
                continue
            else:
                recs.append(x)
    return recs


def cmd_records(args):
    print(json.dumps(parse_records(sys.stdin.read()), sort_keys=True))
    return 0


def cmd_get(args):
    sel, field = args
    recs = parse_records(sys.stdin.read())
    for r in recs:
        if sel == "-":
            hit = True
        else:
            k, v = sel.split("=", 1)
            hit = isinstance(r, dict) and str(r.get(k)) == v
        if hit:
            val = r.get(field) if isinstance(r, dict) else None
            if isinstance(val, bool):
                print("true" if val else "false")
            elif isinstance(val, (dict, list)):
                print(json.dumps(val, sort_keys=True))
            else:
                print("" if val is None else val)
            return 0
    return 1


def cmd_until(args):
    limit, expr, cmd = float(args[0]), args[1], args[2:]
    end = time.monotonic() + limit
    out = ""
    first = True
    while True:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        now = time.time()
        out = p.stdout
        try:
            recs = parse_records(out)
        except ValueError:
            recs = None
        try:
            ok = eval(expr, {}, {"out": out, "recs": recs, "rc": p.returncode})
        except Exception:
            ok = False
        if ok:
            print("%.1f" % (now * 1000), flush=True)
            return 0
        if first:
            sys.stderr.write("polling\n")
            sys.stderr.flush()
            first = False
        if time.monotonic() > end:
            sys.stderr.write(out + p.stderr)
            return 1


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_all(s):
    buf = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        buf += b
    return buf


def cmd_send(args):
    path, args = args[0], args[1:]
    size, newline, timeout, data = None, True, 5.0, None
    while args:
        a = args.pop(0)
        if a == "--size":
            size = int(args.pop(0))
        elif a == "--no-newline":
            newline = False
        elif a == "--timeout":
            timeout = float(args.pop(0))
        else:
            data = a
    if size is not None:
        head, tail = b'{"op": "show.config"', b"}"
        pad = size - len(head) - len(tail) - (1 if newline else 0)
        raw = head + b" " * pad + tail
    else:
        raw = data.encode()
    if newline:
        raw += b"\n"
    t0 = time.monotonic()
    s = connect(path, timeout)
    try:
        s.sendall(raw)
    except (BrokenPipeError, ConnectionResetError) as e:
        sys.stderr.write("send: %s (after the server closed)\n" % e)
    try:
        buf = read_all(s)
    except socket.timeout:
        sys.stderr.write("no answer within %.1f s\n" % timeout)
        return 1
    sys.stderr.write("answered in %.1f ms\n" % ((time.monotonic() - t0) * 1000))
    lines = buf.decode(errors="replace").splitlines()
    for line in lines:
        print(line)
    if not lines:
        return 1
    try:
        last = json.loads(lines[-1])
    except ValueError:
        return 1
    return 0 if isinstance(last, dict) and "ok" in last else 1


def cmd_hold(args):
    path, secs = args[0], float(args[1])
    partial = args[2].encode() if len(args) > 2 else b""
    end = time.monotonic() + secs
    closes, last = 0, ""
    while True:
        s = connect(path, 5)
        if partial:
            s.sendall(partial)
        if closes == 0:
            print("connected", flush=True)
        t0 = time.monotonic()
        left = end - t0
        if left <= 0:
            break
        s.settimeout(left)
        try:
            buf = read_all(s)
        except socket.timeout:
            break
        closes += 1
        last = "after %.1f s: %s" % (time.monotonic() - t0, buf.decode(errors="replace").strip())
        print("closed by the server " + last, flush=True)
        s.close()
    print("held %.1f s, closed by the server %d time(s)%s"
          % (secs, closes, " (last " + last + ")" if closes else ""), flush=True)
    return 0


def cmd_stats(args):
    v = [float(x) for x in sys.stdin.read().split()]
    if not v:
        print("none")
        return 1
    print("%.1f/%.1f/%.1f ms over %d" % (min(v), statistics.median(v), max(v), len(v)))
    return 0


def main():
    cmds = {"records": cmd_records, "get": cmd_get, "until": cmd_until, "send": cmd_send,
            "hold": cmd_hold, "stats": cmd_stats}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
