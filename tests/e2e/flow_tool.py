#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""UDP flows with sequence numbers, for the failover and ECMP e2e tests.

A sender in one namespace sends N flows (one socket each, distinct source
ports) at a steady rate to one address; a receiver in each router namespace
(the address is anycast: every router owns it) records what arrives, stamped
by the kernel on arrival (SO_TIMESTAMPNS), so a busy machine delays the
tool's reading, not the measurement. The report says per flow: packets
sent, received, lost, the longest time without one arriving, and which
receivers got it.

  flow_tool.py send --src ADDR --dst ADDR [--port P] [--flows N]
          [--rate PPS_PER_FLOW] [--base-port P] [--max-seconds S] --out FILE
      sends until SIGTERM (or max-seconds), then writes FILE (JSON: per flow
      its source port and the send time of every sequence number).
  flow_tool.py recv --name NAME [--port P] --state FILE [--max-seconds S]
      receives until SIGTERM (or max-seconds); rewrites FILE every 0.2 s
      with a summary per flow, and at the end with every arrival.
  flow_tool.py check flowing|spread|drained [--since T] [--sent FILE]
          --recv NAME=FILE ...
      exit 0 when: every flow has a packet that arrived at or after T
      (flowing; --flows N says how many there are); every receiver has at
      least one flow (spread); every flow's last sent packet arrived
      (drained, needs --sent). For wait_for.
  flow_tool.py report --sent FILE --recv NAME=FILE ... [--since T] [--json OUT]
      the per-flow table on stdout, the same as JSON in OUT. With --since T
      only packets sent at or after T (seconds since the epoch) count.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time

MAGIC = b'VBRF'
HDR = struct.Struct('!4sHIId')  # magic, flow, seq, sender's pid, send time
SO_TIMESTAMPNS = getattr(socket, 'SO_TIMESTAMPNS', 35)
PAD = 64  # payload bytes in all

stop = False


def on_term(_sig, _frm):
    global stop
    stop = True


def write_json(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def cmd_send(a):
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    socks = []
    for i in range(a.flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a.src, a.base_port + i))
        s.setblocking(False)
        socks.append(s)
    interval = 1.0 / a.rate
    sends = [[] for _ in range(a.flows)]
    errors = [0] * a.flows
    pid = os.getpid() & 0xffffffff
    t0 = time.monotonic()
    end = t0 + a.max_seconds
    k = 0
    while not stop:
        target = t0 + k * interval
        now = time.monotonic()
        if now >= end:
            break
        if target > now:
            time.sleep(target - now)
            continue
        # Far behind (a busy machine): no burst to catch up, the next
        # tick is from now on; the send times say what happened.
        if now - target > 0.5:
            t0 = now - k * interval
        for i, s in enumerate(socks):
            t = time.time()
            msg = HDR.pack(MAGIC, i, len(sends[i]), pid, t)
            try:
                s.sendto(msg.ljust(PAD, b'\0'), (a.dst, a.port))
            except OSError:
                # Counted as sent: it left the flow, whatever stopped it.
                errors[i] += 1
            sends[i].append(round(t, 6))
        k += 1
    write_json(a.out, {
        'dst': a.dst, 'port': a.port, 'rate': a.rate,
        'flows': [{'flow': i, 'sport': a.base_port + i, 'send_errors': errors[i],
                   'sent': sends[i]} for i in range(a.flows)],
    })
    return 0


def cmd_recv(a):
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(('0.0.0.0', a.port))
    s.settimeout(0.2)
    arrivals = {}  # flow -> [[seq, send time, arrival time, source port]]
    bad = 0
    end = time.monotonic() + a.max_seconds
    last_write = 0.0

    def state(full):
        flows = {}
        for f, arr in arrivals.items():
            flows[f] = {'n': len(arr), 'first_t': arr[0][2], 'last_t': arr[-1][2],
                        'last_seq': max(x[0] for x in arr[-64:]), 'sport': arr[-1][3]}
        st = {'name': a.name, 'bad': bad, 'flows': flows}
        if full:
            st['arrivals'] = arrivals
        return st

    while not stop and time.monotonic() < end:
        try:
            data, anc, _flags, src = s.recvmsg(2048, socket.CMSG_SPACE(16))
        except socket.timeout:
            data = None
        except InterruptedError:
            continue
        if data is not None:
            t_arr = None
            for level, typ, cdata in anc:
                if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(cdata) >= 16:
                    sec, nsec = struct.unpack('qq', cdata[:16])
                    t_arr = sec + nsec / 1e9
            if t_arr is None:
                t_arr = time.time()
            if len(data) < HDR.size or data[:4] != MAGIC:
                bad += 1
            else:
                _m, flow, seq, _pid, t_send = HDR.unpack_from(data)
                arrivals.setdefault(str(flow), []).append(
                    [seq, round(t_send, 6), round(t_arr, 6), src[1]])
        now = time.monotonic()
        if now - last_write >= 0.2:
            write_json(a.state, state(False))
            last_write = now
    write_json(a.state, state(True))
    return 0


def load_recv(specs):
    out = {}
    for spec in specs:
        name, path = spec.split('=', 1)
        try:
            with open(path) as f:
                out[name] = json.load(f)
        except (OSError, ValueError):
            out[name] = {'name': name, 'flows': {}}
    return out


def cmd_check(a):
    recv = load_recv(a.recv)
    if a.what == 'flowing':
        n = a.flows
        for i in range(n):
            last = max((r['flows'].get(str(i), {}).get('last_t', 0) for r in recv.values()),
                       default=0)
            if last < a.since:
                return 1
        return 0
    if a.what == 'spread':
        return 0 if all(r['flows'] for r in recv.values()) else 1
    if a.what == 'drained':
        with open(a.sent) as f:
            sent = json.load(f)
        for fl in sent['flows']:
            want = len(fl['sent']) - 1
            got = max((r['flows'].get(str(fl['flow']), {}).get('last_seq', -1)
                       for r in recv.values()), default=-1)
            if want >= 0 and got < want:
                return 1
        return 0
    return 2


def flow_report(fl, recv, since):
    """One flow's figures over the packets sent at or after since."""
    sent_t = fl['sent']
    first = next((i for i, t in enumerate(sent_t) if t >= since), len(sent_t))
    window = set(range(first, len(sent_t)))
    got = {}  # seq -> (arrival time, receiver)
    per_router = {}
    for name, r in recv.items():
        for seq, _ts, t_arr, _sp in r.get('arrivals', {}).get(str(fl['flow']), []):
            if seq in window and seq not in got:
                got[seq] = (t_arr, name)
                per_router[name] = per_router.get(name, 0) + 1
    times = sorted(t for t, _ in got.values())
    gap = 0.0
    if window:
        # From the first packet sent in the window to the first arrival,
        # between arrivals, and from the last arrival to the last send:
        # the longest time the flow's receiver side went without a packet.
        edges = [sent_t[first]] + times + ([sent_t[-1]] if not times or
                                           times[-1] < sent_t[-1] else [])
        for x, y in zip(edges, edges[1:]):
            gap = max(gap, y - x)
    by_time = sorted(got.values())
    return {
        'flow': fl['flow'], 'sport': fl['sport'], 'sent': len(window),
        'received': len(got), 'lost': len(window) - len(got),
        'max_gap_ms': round(gap * 1000, 1), 'routers': per_router,
        'first_router': by_time[0][1] if by_time else None,
        'last_router': by_time[-1][1] if by_time else None,
    }


def cmd_report(a):
    with open(a.sent) as f:
        sent = json.load(f)
    recv = load_recv(a.recv)
    rows = [flow_report(fl, recv, a.since) for fl in sent['flows']]
    print('%4s %6s %7s %7s %6s %9s  %s' % ('flow', 'sport', 'sent', 'recv', 'lost', 'gap_ms',
                                           'receivers (packets)'))
    for r in rows:
        where = ' '.join('%s:%d' % kv for kv in sorted(r['routers'].items())) or '-'
        print('%4d %6d %7d %7d %6d %9.1f  %s' % (r['flow'], r['sport'], r['sent'], r['received'],
                                                 r['lost'], r['max_gap_ms'], where))
    if a.json:
        write_json(a.json, {'since': a.since, 'flows': rows,
                            'bad': {n: r.get('bad', 0) for n, r in recv.items()}})
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('send')
    s.add_argument('--src', required=True)
    s.add_argument('--dst', required=True)
    s.add_argument('--port', type=int, default=5001)
    s.add_argument('--flows', type=int, default=16)
    s.add_argument('--rate', type=float, default=100.0, help='packets/s per flow')
    s.add_argument('--base-port', type=int, default=20000)
    s.add_argument('--max-seconds', type=float, default=600)
    s.add_argument('--out', required=True)
    r = sub.add_parser('recv')
    r.add_argument('--name', required=True)
    r.add_argument('--port', type=int, default=5001)
    r.add_argument('--state', required=True)
    r.add_argument('--max-seconds', type=float, default=600)
    c = sub.add_parser('check')
    c.add_argument('what', choices=['flowing', 'spread', 'drained'])
    c.add_argument('--recv', action='append', default=[])
    c.add_argument('--sent')
    c.add_argument('--since', type=float, default=0.0)
    c.add_argument('--flows', type=int, default=16)
    o = sub.add_parser('report')
    o.add_argument('--sent', required=True)
    o.add_argument('--recv', action='append', default=[])
    o.add_argument('--since', type=float, default=0.0)
    o.add_argument('--json')
    a = p.parse_args()
    return {'send': cmd_send, 'recv': cmd_recv, 'check': cmd_check, 'report': cmd_report}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
