#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of tests/bench/bgp_convergence.sh.

  conv_tool.py table -n N -m one|paths -o FILE
      BIRD 2 static routes (protocol static st1) of an Internet-like table
      of N prefixes: pktgen/gen_table.py's table (its length mix, seed and
      block) without the prefixes longer than /24, which vbrd filters by
      default. "one": every route the same attributes; "paths": one AS path
      per 5 prefixes, 3 or 4 ASNs long with the sender's (a transit or two
      and an origin ASN of its own per group), set on each static route.
  conv_tool.py poll vbrd PREFIX PEER_ADDR | bird SOCKET PROTOCOL
               --until fill|empty --want N --base B --timeout S --out FILE
      Sample the receiver every --interval seconds (default 0.02) on one
      connection, until it holds N routes (fill: vbrd's accepted prefixes
      and base + N FIB routes; BIRD's imported routes), or none (empty:
      0 accepted and at most base FIB routes, 0 imported). Each sample is a
      JSON line in FILE: t (wall clock after the reply), est (when the
      session came up, wall clock, from its own uptime or since), rib and,
      for vbrd, fib and the FIB writer's counters. Prints "polling" on
      stderr after the first sample. Exit 1 on timeout.
      --poke SOCKET: "show status" to that BIRD before each sample. BIRD
      2.0's main loop may sleep up to 3 s (io_loop's poll timeout) with
      export work pending: a sender left alone sends its last partial
      batch of routes up to 3 s late. A command on its control socket
      wakes it.
  conv_tool.py mem vbrd PREFIX PID | bird SOCKET PID
      Memory now, as a JSON object: hugepages and heap (DPDK's /eal/heap_info),
      VmRSS, VmHWM, HugetlbPages, and vbrd's RIB (/vbr/rib) or BIRD's own
      "show memory".
  conv_tool.py summary DIR
      The figures of DIR's runs as JSON (read by the script's report).
"""
import argparse
import datetime
import importlib.machinery
import importlib.util
import json
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "pktgen"))
import gen_table  # noqa: E402


def load_telemetry():
    path = os.path.join(HERE, "..", "..", "scripts", "vbr-telemetry")
    loader = importlib.machinery.SourceFileLoader("vbr_telemetry", path)
    spec = importlib.util.spec_from_loader("vbr_telemetry", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- table

def table(args):
    first, last = (int(x) for x in args.block.split("-"))
    # gen_table draws prefixes one by one from a seeded stream: asking for
    # more gives the same first ones, so the table of N is a prefix of the
    # table of any larger N.
    want, routes = args.n, []
    ask = want + want // 50 + 16
    while len(routes) < want:
        routes = [r for r in gen_table.make_table(ask, first, last, args.seed) if r[1] <= 24]
        ask += ask // 10 + 16
    routes = routes[:want]
    hist = {}
    with open(args.out, "w") as f:
        f.write("# %d routes, tests/bench/conv_tool.py table -m %s (gen_table.py seed %d, "
                "block %s, /8../24)\n" % (want, args.mode, args.seed, args.block))
        f.write("protocol static st1 {\n  ipv4;\n")
        for i, (a, d) in enumerate(routes):
            hist[d] = hist.get(d, 0) + 1
            p = "%s/%d" % (gen_table.n2ip(a), d)
            if args.mode == "one":
                f.write("  route %s blackhole;\n" % p)
                continue
            # The path after the sender's own ASN: transit(s), then the
            # group's origin. prepend() puts an ASN in front, so the
            # origin goes first.
            g = i // 5
            asns = [64600 + g % 64]
            if g % 3:
                asns.append(64700 + g // 64 % 64)
            asns.append(4200000000 + g)
            f.write("  route %s blackhole { %s };\n"
                    % (p, " ".join("bgp_path.prepend(%d);" % x for x in reversed(asns))))
        f.write("}\n")
    print("wrote %s: %d routes (%s)%s" % (args.out, want,
          ", ".join("/%d %d" % (d, hist[d]) for d in sorted(hist)),
          ", %d AS paths" % ((want + 4) // 5) if args.mode == "paths" else ", one attribute set"))


# ---------------------------------------------------------------- readers

class Vbrd:
    def __init__(self, prefix, peer):
        tel = load_telemetry()
        self.s, self.bufsz = tel.connect(prefix)
        self.peer = peer
        # A lookup keeps /vbr/fib from listing routes (cheaper, and the
        # FIB writer waits on the same lock meanwhile).
        self.fib_cmd = "/vbr/fib,192.0.2.1"

    def ask(self, cmd):
        self.s.send(cmd.encode())
        return json.loads(self.s.recv(self.bufsz).decode())

    def sample(self):
        bgp = self.ask("/vbr/bgp")["/vbr/bgp"]
        fib = self.ask(self.fib_cmd)["/vbr/fib"]
        t = time.time()
        peer = next((p for p in bgp.values() if p["address"] == self.peer), {})
        up = peer.get("state") == "Established"
        return {"t": t, "up": up, "est": t - peer["uptime_ms"] / 1000.0 if up else None,
                "rib": peer.get("prefixes_accepted", 0), "fib": fib.get("routes", 0),
                "ops": fib.get("ops_applied", 0), "batches": fib.get("batches", 0),
                "pending": fib.get("ring_pending", 0)}


class Bird:
    def __init__(self, path, proto=None):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""
        self.proto = proto
        self.reply()  # the greeting

    def reply(self):
        """Lines of one reply: it ends with a line whose code starts with
        0, 8 or 9 and is followed by a blank (as birdc reads it)."""
        lines = []
        while True:
            while b"\n" not in self.buf:
                chunk = self.s.recv(65536)
                if not chunk:
                    raise OSError("BIRD closed its control socket")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.decode(errors="replace")
            lines.append(line)
            if re.match(r"^[089]\d{3} ", line):
                return lines

    def ask(self, cmd):
        self.s.sendall(cmd.encode() + b"\n")
        return self.reply()

    def sample(self):
        lines = self.ask("show protocols all %s" % self.proto)
        t = time.time()
        text = "\n".join(lines)
        up = re.search(r"BGP state:\s+Established", text) is not None
        est = None
        m = re.search(r"^1002-%s\s+\S+\s+\S+\s+\S+\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})"
                      % re.escape(self.proto), text, re.M)
        if up and m:
            # BIRD prints local time (timeformat protocol iso long ms).
            est = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        m = re.search(r"Routes:\s+(\d+) imported", text)
        return {"t": t, "up": up, "est": est, "rib": int(m.group(1)) if m else 0}


def poll(args):
    if args.kind == "vbrd":
        src = Vbrd(args.a, args.b)
    else:
        src = Bird(args.a, args.b)
    poke = Bird(args.poke) if args.poke else None
    deadline = time.monotonic() + args.timeout
    tick = time.monotonic()
    first = True
    with open(args.out, "w") as out:
        while True:
            if poke:
                poke.ask("show status")
            s = src.sample()
            out.write(json.dumps(s) + "\n")
            if first:
                out.flush()
                print("polling", file=sys.stderr, flush=True)
                first = False
            if args.until == "fill":
                done = s["up"] and s["rib"] >= args.want and \
                    ("fib" not in s or s["fib"] >= args.base + args.want)
            else:
                done = s["rib"] == 0 and ("fib" not in s or s["fib"] <= args.base)
            if done:
                return 0
            now = time.monotonic()
            if now > deadline:
                print("timeout: last sample %s" % json.dumps(s), file=sys.stderr)
                return 1
            # A sample per interval, whatever the queries took.
            tick = max(tick + args.interval, now)
            time.sleep(max(tick - now, 0))


# ---------------------------------------------------------------- memory

def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "HugetlbPages"):
                out[k] = int(v.split()[0]) * 1024
    return out


def mem(args):
    pid = int(args.pid)
    out = proc_status(pid)
    if args.kind == "vbrd":
        src = Vbrd(args.a, "")
        heaps = src.ask("/eal/heap_list")["/eal/heap_list"]
        for k in ("heap_size", "alloc_size", "free_size", "alloc_count"):
            out[k] = 0
        for h in heaps:
            info = src.ask("/eal/heap_info,%d" % h)["/eal/heap_info"]
            out["heap_size"] += int(info["Heap_size"])
            out["alloc_size"] += int(info["Alloc_size"])
            out["free_size"] += int(info["Free_size"])
            out["alloc_count"] += int(info["Alloc_count"])
        rib = src.ask("/vbr/rib")["/vbr/rib"]
        for k in ("prefixes", "rib_bytes", "attr_sets", "attr_bytes"):
            out[k] = rib.get(k, 0)
        fib = src.ask(src.fib_cmd)["/vbr/fib"]
        for k, v in fib.items():
            if isinstance(v, int):
                out["fib_" + k] = v
    else:
        src = Bird(args.a)
        lines = src.ask("show memory")
        for line in lines:
            m = re.match(r"^[\d -]{5}\s*([A-Za-z ]+):\s+([\d.]+)\s+([kMG]?B)", line)
            if m:
                mult = {"B": 1, "kB": 1024, "MB": 1 << 20, "GB": 1 << 30}[m.group(3)]
                out["bird_" + m.group(1).strip().lower().replace(" ", "_")] = \
                    int(float(m.group(2)) * mult)
    json.dump(out, sys.stdout)
    print()
    return 0


# ---------------------------------------------------------------- summary

def load_samples(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def first_t(samples, pred):
    return next((s["t"] for s in samples if pred(s)), None)


def fill_figures(samples, n, base):
    """Times (s) from Established: all in the RIB, all in the FIB, the
    first in the FIB; the Established time itself."""
    ests = [s["est"] for s in samples if s.get("est")]
    est = min(ests) if ests else None
    r = {"est": est}
    if est is None:
        return r
    t = first_t(samples, lambda s: s["rib"] >= n)
    r["rib"] = t - est if t else None
    if "fib" in samples[0]:
        t = first_t(samples, lambda s: s["fib"] >= base + n)
        r["fib"] = t - est if t else None
        t1 = first_t(samples, lambda s: s["fib"] > base)
        r["fib_first"] = t1 - est if t1 else None
    return r


def write_series(samples, t0, keys, path):
    """The samples from 0.1 s before t0 on."""
    with open(path, "w") as f:
        f.write("# seconds %s\n" % " ".join(keys))
        for s in samples:
            if s["t"] < t0 - 0.1:
                continue
            f.write("%.3f %s\n" % (s["t"] - t0, " ".join(str(s[k]) for k in keys)))


def summary(args):
    d = args.dir
    with open(os.path.join(d, "run.json")) as f:
        run = json.load(f)
    n, base = run["n"], run["fib_base"]
    res = {"n": n, "mode": run["mode"]}
    vf = load_samples(os.path.join(d, "vbrd-fill.jsonl"))
    bf = load_samples(os.path.join(d, "bird-fill.jsonl"))
    ve = load_samples(os.path.join(d, "vbrd-empty.jsonl"))
    be = load_samples(os.path.join(d, "bird-empty.jsonl"))
    res["vbrd_fill"] = fill_figures(vf, n, base)
    res["bird_fill"] = fill_figures(bf, n, 0)
    # The withdrawal: the FIB's first route gone, every route gone.
    base_e = run["fib_empty_base"]
    full = base_e + n
    r = {"rib": None, "fib": None, "fib_first": None}
    t0 = run["vbrd_withdraw_t"]
    t = first_t(ve, lambda s: s["rib"] == 0)
    r["rib"] = t - t0 if t else None
    t = first_t(ve, lambda s: s["fib"] <= base_e)
    r["fib"] = t - t0 if t else None
    t = first_t(ve, lambda s: s["fib"] < full)
    r["fib_first"] = t - t0 if t else None
    res["vbrd_empty"] = r
    t0b = run["bird_withdraw_t"]
    t = first_t(be, lambda s: s["rib"] == 0)
    res["bird_empty"] = {"rib": t - t0b if t else None}
    # Route ops/s into the FIB: routes over the time from the first to the
    # last in (out of) the FIB.
    for key, fig in (("vbrd_fill", res["vbrd_fill"]), ("vbrd_empty", r)):
        a, b = fig.get("fib_first"), fig.get("fib")
        fig["fib_ops_s"] = n / (b - a) if a is not None and b is not None and b > a else None
    # The FIB writer's counters over the fill and the withdrawal.
    for key, ss in (("vbrd_fill", vf), ("vbrd_empty", ve)):
        ops = ss[-1]["ops"] - ss[0]["ops"]
        batches = ss[-1]["batches"] - ss[0]["batches"]
        res[key].update({"ops": ops, "batches": batches,
                         "ops_per_batch": ops / batches if batches else None,
                         "max_ring_pending": max(s["pending"] for s in ss)})
    res["mem"] = run["mem"]
    res["interval"] = run["interval"]
    res["max_routes"] = run["max_routes"]
    res["idle_sleep_us"] = run.get("idle_sleep_us", "?")
    # The sampling as it was, per daemon: the mean time between samples,
    # and the longest (a daemon busy with the table answers late).
    for who, series in (("vbrd", (vf, ve)), ("bird", (bf, be))):
        gaps = [b["t"] - a["t"] for ss in series for a, b in zip(ss, ss[1:])]
        res["spacing_" + who] = [sum(gaps) / len(gaps), max(gaps)] if gaps else [0, 0]
    # Series for the plot: routes over time since Established (fill) and
    # since the withdrawal (empty).
    est_v, est_b = res["vbrd_fill"]["est"], res["bird_fill"]["est"]
    for s in vf:
        s["fibr"] = max(s["fib"] - base, 0)
    for s in ve:
        s["fibr"] = max(s["fib"] - base_e, 0)
    if est_v:
        write_series(vf, est_v, ["rib", "fibr"], os.path.join(d, "vbrd-fill.dat"))
    if est_b:
        write_series(bf, est_b, ["rib"], os.path.join(d, "bird-fill.dat"))
    write_series(ve, t0, ["rib", "fibr"], os.path.join(d, "vbrd-empty.dat"))
    write_series(be, t0b, ["rib"], os.path.join(d, "bird-empty.dat"))
    json.dump(res, sys.stdout, indent=1)
    print()
    return 0


# ---------------------------------------------------------------- report

MODE_NAMES = {"one": "one attribute set", "paths": "one AS path per 5 prefixes"}


def fmt_s(x):
    return "%.2f s" % x if x is not None else "n/a"


def fmt_ratio(a, b):
    return "%.2fx" % (a / b) if a is not None and b else "n/a"


def mib(x):
    return "%.0f MiB" % (x / 1048576.0)


def kib(x):
    return "%.0f KiB" % (x / 1024.0) if x < 1048576 else mib(x)


def report(args):
    """The RESULTS.md section (stdout), the plot's data and gnuplot script
    (in --data)."""
    sums = {}
    for m in args.modes:
        with open(os.path.join(args.run, m, "summary.json")) as f:
            sums[m] = json.load(f)
    n = next(iter(sums.values()))["n"]
    interval = next(iter(sums.values()))["interval"]
    rows = []
    for m, r in sums.items():
        vf, bf, ve, be = r["vbrd_fill"], r["bird_fill"], r["vbrd_empty"], r["bird_empty"]
        mem = r["mem"]
        vb, vfm, bb, bfm = mem["vbrd_base"], mem["vbrd_full"], mem["bird_base"], mem["bird_full"]
        title = MODE_NAMES[m]
        if m == "paths":
            title += " ({:,} paths)".format((n + 4) // 5)
        rows.append(("**%s**" % title, "", "", ""))
        rows.append(("Established -> all in the RIB", fmt_s(vf.get("rib")),
                     fmt_s(bf.get("rib")), fmt_ratio(vf.get("rib"), bf.get("rib"))))
        rows.append(("Established -> all in the FIB (BIRD: in its RIB)",
                     fmt_s(vf.get("fib")), fmt_s(bf.get("rib")),
                     fmt_ratio(vf.get("fib"), bf.get("rib"))))
        rows.append(("withdrawal -> the RIB empty", fmt_s(ve.get("rib")),
                     fmt_s(be.get("rib")), fmt_ratio(ve.get("rib"), be.get("rib"))))
        rows.append(("withdrawal -> the FIB empty (BIRD: its RIB)",
                     fmt_s(ve.get("fib")), fmt_s(be.get("rib")),
                     fmt_ratio(ve.get("fib"), be.get("rib"))))
        rows.append(("FIB route ops/s, first to last route: fill / withdrawal",
                     "%s / %s" % tuple("{:,.0f}".format(x["fib_ops_s"]) if x.get("fib_ops_s")
                                       else "n/a" for x in (vf, ve)), "-", ""))
        rows.append(("FIB writer, fill: ops, batches (ops per batch), most ops waiting on the ring",
                     "{:,}, {:,} ({:,.0f}), {:,}".format(
                         vf["ops"], vf["batches"], vf["ops_per_batch"] or 0,
                         vf["max_ring_pending"]), "-", ""))
        rows.append(("before the table: hugepages mapped (heap allocated); RSS",
                     "%s (%s); %s" % (mib(vb["heap_size"]), mib(vb["alloc_size"]),
                                      mib(vb["VmRSS"])), mib(bb["VmRSS"]), ""))
        rows.append(("full table: hugepages mapped (heap allocated)",
                     "%s (%s)" % (mib(vfm["heap_size"]), mib(vfm["alloc_size"])), "-", ""))
        rows.append(("full table: RSS (peak)",
                     "%s (%s)" % (mib(vfm["VmRSS"]), mib(vfm["VmHWM"])),
                     "%s (%s)" % (mib(bfm["VmRSS"]), mib(bfm["VmHWM"])), ""))
        vt, bt = vfm["heap_size"] + vfm["VmRSS"], bfm["VmRSS"]
        rows.append(("full table: hugepages + RSS (per route)",
                     "%s (%.0f B)" % (mib(vt), vt / n), "%s (%.0f B)" % (mib(bt), bt / n),
                     fmt_ratio(vt, bt)))
        vd = vfm["alloc_size"] - vb["alloc_size"] + vfm["VmRSS"] - vb["VmRSS"]
        bd = bfm["VmRSS"] - bb["VmRSS"]
        rows.append(("added by the table: heap allocated + RSS, per route (vbrd's RIB; "
                     "its attribute sets)",
                     "%.0f B (%.0f B; %s in %s)" % (vd / n, vfm["rib_bytes"] / n,
                                                   kib(vfm["attr_bytes"]),
                                                   "{:,} set{}".format(vfm["attr_sets"],
                                                   "s" if vfm["attr_sets"] != 1 else "")),
                     "%.0f B" % (bd / n), fmt_ratio(vd, bd)))
    out = []
    out.append("## BGP convergence and memory (issue 8, targets 2 and 4)")
    out.append("")
    out.append("`%s`, %s. Machine: %s; load average %s at the start%s."
               % (args.command, args.date or time.strftime("%Y-%m-%d %H:%M %Z"), args.machine,
                  args.load,
                  args.note))
    out.append("")
    r0 = next(iter(sums.values()))
    out.append("A BIRD 2 sender announces {:,} Internet-like prefixes (/8 to /24, the mix of "
               "tests/bench/pktgen/gen_table.py) over eBGP to vbrd{} (net_tap; FIB max_routes "
               "{:,}; its forwarding lcore naps {} us when a poll finds nothing, as the BIRD "
               "sender shares its 2 CPUs) and then, alone, to a BIRD 2 receiver ({}; its RIB only, over a veth). "
               "Times from the receiver's own Established, and from the sender's `disable` of "
               "its routes for the withdrawal. Counts sampled every {:.0f} ms; a busy daemon "
               "answers late: samples came {}. Ratios below 1 favour vbrd."
               .format(n, " " + args.vbrd if args.vbrd else "", r0["max_routes"],
                       r0.get("idle_sleep_us", "?"), args.bird or "BIRD 2", interval * 1000,
                       " and ".join("%.0f ms apart on average from %s (%.0f ms at most)" % (
                           max(x["spacing_" + who][0] for x in sums.values()) * 1000, name,
                           max(x["spacing_" + who][1] for x in sums.values()) * 1000)
                           for who, name in (("vbrd", "vbrd"), ("bird", "BIRD")))))
    out.append("")
    out.append("| figure | vbrd | BIRD receiver | vbrd / BIRD |")
    out.append("| --- | --- | --- | --- |")
    for r in rows:
        out.append("| %s |" % " | ".join(r))
    out.append("")
    out.append("![routes over time](%s)" % args.png)
    out.append("")
    out.append("Data: %s." % ", ".join("convergence-%s-*.dat" % m for m in sums))
    print("\n".join(out))

    # The plot: routes in each table over time, fill and withdrawal, a
    # column per mode.
    files = {}
    for m in sums:
        for who in ("vbrd", "bird"):
            for ph in ("fill", "empty"):
                src = os.path.join(args.run, m, "%s-%s.dat" % (who, ph))
                dst = "convergence-%s-%s-%s.dat" % (m, who, ph)
                with open(src) as f, open(os.path.join(args.data, dst), "w") as g:
                    g.write(f.read())
                files[(m, who, ph)] = dst
    gp = ["set terminal pngcairo size %d,800 noenhanced font ',10'" % (520 * len(sums) + 80)
          if args.cairo else "set terminal png size %d,800 noenhanced" % (520 * len(sums) + 80),
          "set output '%s'" % os.path.basename(args.png),
          "set multiplot layout 2,%d title '%s routes from a BIRD sender: vbrd and a BIRD "
          "receiver'" % (len(sums), "{:,}".format(n)),
          "set grid", "set key bottom right", "set ylabel 'routes (thousands)'"]
    for ph, xl in (("fill", "seconds since Established"),
                   ("empty", "seconds since the withdrawal")):
        for m in sums:
            gp.append("set xlabel '%s'" % xl)
            gp.append("set key %s" % ("bottom right" if ph == "fill" else "top right"))
            gp.append("set xrange [-0.1:*]")
            gp.append("set title '%s: %s'" % (MODE_NAMES[m],
                                              "announcement" if ph == "fill" else "withdrawal"))
            gp.append("plot '%s' using 1:($2/1000) with lines lw 2 title 'vbrd RIB', "
                      "'%s' using 1:($3/1000) with lines lw 2 title 'vbrd FIB', "
                      "'%s' using 1:($2/1000) with lines lw 2 title 'BIRD receiver RIB'"
                      % (files[(m, "vbrd", ph)], files[(m, "vbrd", ph)], files[(m, "bird", ph)]))
    gp.append("unset multiplot")
    with open(os.path.join(args.data, "convergence.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("table")
    p.add_argument("-n", type=int, required=True)
    p.add_argument("-m", "--mode", choices=("one", "paths"), required=True)
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--block", default="11-126")
    p.add_argument("--seed", type=int, default=gen_table.SEED)
    p = sub.add_parser("poll")
    p.add_argument("kind", choices=("vbrd", "bird"))
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--until", choices=("fill", "empty"), required=True)
    p.add_argument("--want", type=int, default=0)
    p.add_argument("--base", type=int, default=0)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--interval", type=float, default=0.02)
    p.add_argument("--out", required=True)
    p.add_argument("--poke", help="a BIRD control socket to send a command to before each sample")
    p = sub.add_parser("mem")
    p.add_argument("kind", choices=("vbrd", "bird"))
    p.add_argument("a")
    p.add_argument("pid")
    p = sub.add_parser("summary")
    p.add_argument("dir")
    p = sub.add_parser("report")
    p.add_argument("--machine", default="")
    p.add_argument("--command", default="")
    p.add_argument("--load", default="?")
    p.add_argument("--date", default="", help="when the run started")
    p.add_argument("--note", default="")
    p.add_argument("--vbrd", default="", help="vbrd's version")
    p.add_argument("--bird", default="", help="BIRD's version")
    p.add_argument("--png", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--cairo", action="store_true")
    p.add_argument("run")
    p.add_argument("modes", nargs="+")
    args = ap.parse_args()
    return {"table": table, "poll": poll, "mem": mem, "summary": summary,
            "report": report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
