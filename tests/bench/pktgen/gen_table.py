#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write vbrd's config for the Pktgen-DPDK bench (tests/bench/pktgen/README.md).
tests/bench/l3fwd_compare.sh imports its make_table and fib_sizes.

Takes vbr-bench.yaml (or --base FILE), fills in the PCI addresses and
Pktgen's MACs when given, and appends an Internet-like table of N static
routes via the IDC next hop (Pktgen port 0): the real table's length mix
(mostly /24, then /22, /23, /21, /20, /19, /16, a few shorter and longer),
the prefixes drawn inside one block of the address space (default 11.0.0.0
to 126.255.255.255: no martian, no 10/8, no 172/8 where the ports and the
VPC live), the block that vbr.lua's VPC->IDC destinations sweep.
vbr-bench.yaml's default route catches the destinations that fall between
the table's prefixes; the script says how many of vbr.lua's swept
destinations hit a table prefix, and the length of the longest one they
hit. (The mix asks for more short prefixes than the block has, /8s above
all: the duplicates are drawn again, so at 1M routes every /8 of the block
is in the table and every destination hits some prefix.)

  gen_table.py [-n ROUTES] [-o OUT] [--idc-dev PCI] [--vpc-dev PCI]
               [--idc-mac MAC] [--vpc-mac MAC] [--bird FILE] ...

With --bird FILE it also writes a BIRD 2 config that announces the same
table to vbrd over eBGP with next hop 10.0.0.2 (the BGP way to load it; see
vbr-bench.yaml's notes). At 1M routes the YAML is about 50 MB.
"""
import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Prefix lengths of the IPv4 Internet table, roughly, per mille. tests/bench/
# l3fwd_compare.sh draws its tables here too (make_table).
MIX = {8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 13: 3, 14: 5, 15: 5, 16: 25, 17: 15, 18: 20, 19: 30,
       20: 40, 21: 50, 22: 90, 23: 80, 24: 622, 25: 2, 26: 2, 27: 1, 28: 1, 29: 1, 30: 1,
       32: 1}
SEED = 20240611


def ip2n(s):
    parts = s.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise ValueError("%s is not an IPv4 address" % s)
    n = 0
    for p in parts:
        n = n * 256 + int(p)
    return n


def n2ip(n):
    return ".".join(str(n >> s & 255) for s in (24, 16, 8, 0))


def mask(length):
    return (0xffffffff << (32 - length)) & 0xffffffff


def make_table(n, first, last, seed):
    """n distinct prefixes with the mix above, inside first.0.0.0/8 ..
    last.255.255.255 (first octets)."""
    rnd = random.Random(seed)
    lens, weights = list(MIX), list(MIX.values())
    lo, span = first << 24, (last - first + 1) << 24
    seen, routes = set(), []
    while len(routes) < n:
        d = rnd.choices(lens, weights)[0]
        a = (lo + rnd.randrange(span)) & mask(d)
        if a < lo or (a, d) in seen:
            continue
        seen.add((a, d))
        routes.append((a, d))
    return routes


def fib_sizes(routes, n_fib):
    """vbrd's fib: max_routes and max_tbl8 for a table of n_fib routes:
    room for them and a config's own routes and adjacencies; one tbl8 group
    per /24 that holds a longer prefix, twice over (both FIB copies rebuild
    groups while they change)."""
    long24 = len({a >> 8 for a, d in routes if d > 24})
    return max(1048576, n_fib + 4096), max(65536, 2 * long24 + 1024)


def sweep_points(lo, hi, points):
    """The destinations of one Pktgen range pool, as vbr.lua sets them up
    (its ip_range) and app/pktgen-range.c walks them."""
    inc = (hi - lo) // points
    if inc > 1 and inc % 2 == 0:
        inc -= 1
    if inc < 1 and hi > lo:
        inc = 1
    v, out = lo, []
    for _ in range(points):
        out.append(v)
        v += inc
        if v > hi:
            v = lo
    return out, inc


def longest_matches(routes, addrs):
    """{prefix length: count} of the longest table prefix that each address
    falls in (0: none, the default route)."""
    by_len = {}
    for a, d in routes:
        by_len.setdefault(d, set()).add(a)
    lens = sorted(by_len, reverse=True)
    hist = {}
    for x in addrs:
        best = next((d for d in lens if (x & mask(d)) in by_len[d]), 0)
        hist[best] = hist.get(best, 0) + 1
    return hist


def fill_base(text, args):
    """The base config with the devices and Pktgen's MACs filled in."""
    out, port = [], None
    for line in text.splitlines(keepends=True):
        m = re.match(r"^  (idc|vpc):\s*$", line)
        if m:
            port = m.group(1)
        elif re.match(r"^\S", line):
            port = None
        dev = {"idc": args.idc_dev, "vpc": args.vpc_dev}.get(port)
        if dev and re.match(r"^\s+device:", line):
            line = re.sub(r'device:\s*"[^"]*"', 'device: "%s"' % dev, line)
        for addr, mac in ((args.next_hop, args.idc_mac), (args.vpc_next_hop, args.vpc_mac)):
            if mac and re.search(r"address:\s*%s\s*," % re.escape(addr), line):
                line = re.sub(r'mac:\s*"[^"]*"', 'mac: "%s"' % mac, line)
        out.append(line)
    return "".join(out)


def set_fib(text, max_routes, max_tbl8):
    line = "fib: { max_routes: %d, max_tbl8: %d }" % (max_routes, max_tbl8)
    new, n = re.subn(r"(?m)^fib:.*$", line, text)
    if n != 1:
        raise SystemExit("gen_table.py: the base config needs one one-line fib: key")
    return new


def check_routes_last(text):
    keys = re.findall(r"(?m)^([a-z_]+):", text)
    if not keys or keys[-1] != "routes":
        raise SystemExit("gen_table.py: the base config must end with its routes: list "
                         "(the table is appended to it)")


def write_bird(path, routes, args):
    with open(path, "w") as f:
        f.write("# BIRD 2: announce the vbr bench table to vbrd (gen_table.py).\n")
        f.write("# Run on a host of the IDC segment with address %s; the routes' gateway\n"
                "# %s (Pktgen port 0) is on the same subnet as vbrd, so it should go\n"
                "# out as a third-party NEXT_HOP (not tried here).\n" % (args.bird_local,
                                                                         args.next_hop))
        f.write("router id %s;\n" % args.bird_local)
        f.write("protocol device { }\n")
        f.write("protocol static vbr_table {\n  ipv4;\n")
        for a, d in routes:
            f.write("  route %s/%d via %s;\n" % (n2ip(a), d, args.next_hop))
        f.write("}\n")
        f.write("protocol bgp vbr {\n")
        f.write("  local %s as %d;\n" % (args.bird_local, args.bird_as))
        f.write("  neighbor %s as %d;\n" % (args.vbrd_idc, args.vbrd_as))
        f.write("  ipv4 { import none; export where source = RTS_STATIC; };\n")
        f.write("}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--routes", type=int, default=1000000, help="table size (1000000)")
    ap.add_argument("--base", default=os.path.join(HERE, "vbr-bench.yaml"),
                    help="the config to start from (vbr-bench.yaml beside this script)")
    ap.add_argument("-o", "--out", required=True, help="the config to write")
    ap.add_argument("--idc-dev", help="PCI address of vbrd's idc port")
    ap.add_argument("--vpc-dev", help="PCI address of vbrd's vpc port")
    ap.add_argument("--idc-mac", help="Pktgen port 0's MAC (vbrd's IDC next hop)")
    ap.add_argument("--vpc-mac", help="Pktgen port 1's MAC (vbrd's VPC next hop)")
    ap.add_argument("--next-hop", default="10.0.0.2", help="the IDC next hop (10.0.0.2)")
    ap.add_argument("--vpc-next-hop", default="172.16.0.2", help="the VPC next hop (172.16.0.2)")
    ap.add_argument("--block", default="11-126",
                    help="first octets of the table's block, A-B (11-126)")
    ap.add_argument("--sweep", help="vbr.lua's VPC->IDC destination range MIN-MAX "
                    "(default: the block, A.0.0.1-B.255.255.254)")
    ap.add_argument("--points", type=int, default=24576,
                    help="frames per Pktgen range pool, as vbr.lua's points (24576)")
    ap.add_argument("--seed", type=int, default=SEED, help="random seed (%d)" % SEED)
    ap.add_argument("--bird", help="also write a BIRD 2 config announcing the table")
    ap.add_argument("--bird-local", default="10.0.0.3", help="BIRD's address (10.0.0.3)")
    ap.add_argument("--bird-as", type=int, default=65001, help="BIRD's AS (65001)")
    ap.add_argument("--vbrd-idc", default="10.0.0.1", help="vbrd's idc address (10.0.0.1)")
    ap.add_argument("--vbrd-as", type=int, default=45104, help="vbrd's AS (45104)")
    ap.add_argument("--no-routes-in-config", action="store_true",
                    help="leave the table out of the YAML (when BGP brings it)")
    args = ap.parse_args()

    m = re.match(r"^(\d+)-(\d+)$", args.block)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)) <= 223:
        ap.error("--block A-B: first octets, 1 <= A <= B <= 223")
    first, last = int(m.group(1)), int(m.group(2))
    for bad in (0, 10, 127, 172):
        if first <= bad <= last:
            print("gen_table.py: warning: the block holds %d/8 (martian, or the ports' and "
                  "the VPC's addresses in vbr-bench.yaml)" % bad, file=sys.stderr)
    if args.routes < 1:
        ap.error("--routes must be at least 1")
    for mac in (args.idc_mac, args.vpc_mac):
        if mac and not re.match(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$", mac):
            ap.error("%s is not a MAC address" % mac)

    with open(args.base) as f:
        text = f.read()
    check_routes_last(text)
    text = fill_base(text, args)

    routes = make_table(args.routes, first, last, args.seed)
    text = set_fib(text, *fib_sizes(routes, 0 if args.no_routes_in_config else args.routes))
    if not text.endswith("\n"):
        text += "\n"
    with open(args.out, "w") as f:
        f.write(text)
        if not args.no_routes_in_config:
            f.write("  # %d Internet-like routes, gen_table.py --seed %d --block %s\n"
                    % (args.routes, args.seed, args.block))
            for a, d in routes:
                f.write("  - { prefix: %s/%d, next_hop: %s }\n" % (n2ip(a), d, args.next_hop))
    if args.bird:
        write_bird(args.bird, routes, args)

    if args.sweep:
        lo_s, _, hi_s = args.sweep.partition("-")
        lo, hi = ip2n(lo_s), ip2n(hi_s)
    else:
        lo, hi = (first << 24) + 1, ((last + 1) << 24) - 2
    pts, inc = sweep_points(lo, hi, args.points)
    lpm = longest_matches(routes, pts)
    hit = len(pts) - lpm.get(0, 0)
    hist = {}
    for _, d in routes:
        hist[d] = hist.get(d, 0) + 1
    print("wrote %s: %d routes via %s in %d.0.0.0-%d.255.255.255 (%s)"
          % (args.out, args.routes, args.next_hop, first, last,
             ", ".join("/%d %d" % (d, hist[d]) for d in sorted(hist))))
    if args.bird:
        print("wrote %s: the same routes for BIRD 2" % args.bird)
    print("vbr.lua's VPC->IDC sweep %s-%s step %s: %d of one pool's %d destinations (%.1f %%) "
          "fall in a table prefix, the rest take 0.0.0.0/0"
          % (n2ip(lo), n2ip(hi), n2ip(inc), hit, len(pts), 100.0 * hit / len(pts)))
    print("  the longest table prefix they fall in: %s"
          % ", ".join("%s %.1f %%" % ("/%d" % d if d else "none", 100.0 * lpm[d] / len(pts))
                      for d in sorted(lpm, reverse=True)))
    print("for vbr.lua: VBR_VPC_DST=%s-%s" % (n2ip(lo), n2ip(hi)))


if __name__ == "__main__":
    main()
