#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Forwarding benchmark: vbrd side by side with DPDK's l3fwd example (LPM and
# FIB lookups), same route table, same traffic, same core (docs/ARCHITECTURE.md: memif
# devices, no kernel in the data path).
#
#   tests/bench/l3fwd_compare.sh [-n ROUTES] [-a N] [-s FRAME] [-r RUNS]
#                                [-d SECONDS] [-w SECONDS] [-D "DUT..."] [-C] [-k]
#
# Run as root. Each DUT forwards on CPU 1; the generator (build/tests/pktgen)
# sends on CPU 0 through two memif links:
#
#   pktgen port 0 (memif client) --> DUT port 0 / vbrd idc (memif server)
#   pktgen port 1 (memif client) <-- DUT port 1 / vbrd vpc (memif server)
#
# The generator is a zero-copy memif client, so the copies into and out of
# the shared rings are all made on the DUT's core, the same for every DUT.
# Every process runs in a network namespace of its own (vbrd makes kernel
# taps there); nothing reaches the machine's network. l3fwd's source comes
# from Debian's dpdk-doc (installed if missing) and is built, patched (see
# the output), in a copy under the build directory.
#
# The generator's own ceiling is measured against a null DUT (pktgen
# --forward: memif in, memif out, nothing else) and l3fwd with a two-route
# table, so that the reader can tell the DUT rates are not the generator's.
#
# Both CPUs are in use during a run, so the script waits for the machine to
# be quiet before each run, and runs again a run during which another task
# held the generator's or the DUT's CPU (run-queue wait in schedstat). The
# DUTs take turns run by run, so a slow spell of the host weighs on all.
# vbrd's main lcore (-l 0,1: FIB writer, exception path, asleep when idle)
# shares CPU 0 with the generator; its ~3 % shows in the busy column.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VBR_BUILD:-$ROOT/build}
VBRD=${VBRD:-$BUILD/vbrd}
PKTGEN=${PKTGEN:-$BUILD/tests/pktgen}
EXAMPLES=${DPDK_EXAMPLES:-/usr/share/dpdk/examples}
L3FWD_DIR=$BUILD/bench-l3fwd

# The default table: the size of the earlier runs (vbrd's config had a cap
# of 4096 static routes then; -n takes larger ones now).
ROUTES=4096
PER_PREFIX=1
FRAME=64
RUNS=3
DURATION=10
WARMUP=3
DUTS="vbrd l3fwd-lpm l3fwd-fib"
CEILING=1
KEEP=0
QUIET=5    # % of a CPU the rest of the machine may use during a run
RETRIES=2  # runs again a run that was not quiet

usage() {
	cat >&2 <<EOF
usage: $0 [options]
  -n ROUTES   routes in the table (default $ROUTES; vbrd is skipped if its
              config loader refuses that many)
  -a N        destinations drawn in each prefix (default $PER_PREFIX)
  -s FRAME    frame size in bytes with FCS, 64..1518 (default $FRAME)
  -r RUNS     runs per DUT, the median is shown (default $RUNS)
  -d SECONDS  measured time per run (default $DURATION)
  -w SECONDS  warm-up per run (default $WARMUP)
  -D "DUTS"   DUTs among: vbrd l3fwd-lpm l3fwd-fib (default "$DUTS")
  -C          skip the generator ceiling runs
  -k          keep the work directory (logs, tables)
EOF
	exit 2
}

while getopts "n:a:s:r:d:w:D:Ckh" opt; do
	case $opt in
	n) ROUTES=$OPTARG ;;
	a) PER_PREFIX=$OPTARG ;;
	s) FRAME=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	w) WARMUP=$OPTARG ;;
	D) DUTS=$OPTARG ;;
	C) CEILING=0 ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
case "$ROUTES$RUNS$FRAME$PER_PREFIX" in *[!0-9]*) usage ;; esac
if [ "$ROUTES" -lt 1 ] || [ "$PER_PREFIX" -lt 1 ] || [ "$RUNS" -lt 1 ] || [ "$FRAME" -lt 64 ] ||
	[ "$FRAME" -gt 1518 ]; then
	usage
fi

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (namespaces, hugepages)"
[ -x "$VBRD" ] || die "no $VBRD: build first (ninja -C build)"
[ -x "$PKTGEN" ] || die "no $PKTGEN: build first (ninja -C build)"
command -v python3 >/dev/null || die "python3 is needed to write the route table"

# Addresses and MACs of the topology. The DUT's MACs are set with memif's
# mac= devarg (its default, 01:ab:23:cd:45:ef, is a group address, which a
# router must not route).
DUT_MAC0=02:00:00:00:00:0a  # vbrd idc / l3fwd port 0
DUT_MAC1=02:00:00:00:00:0b  # vbrd vpc / l3fwd port 1
GEN_MAC0=02:00:00:00:01:0a  # pktgen sends here
GEN_MAC1=02:00:00:00:01:0b  # pktgen receives here: the next hop's MAC
IDC_ADDR=10.0.0.1/30
VPC_ADDR=172.16.0.1/30
NEXT_HOP=172.16.0.2
SRC_IP=10.0.0.2
DUT_CPU=1
GEN_CPU=0

WORK=$(mktemp -d /tmp/vbr-bench.XXXXXX) || die "mktemp"
ID=$(basename "$WORK" | tr -cd 'A-Za-z0-9')
NS=vbrb-$ID
SOCK0=$WORK/p0.sock
SOCK1=$WORK/p1.sock
PIDS=()
PREFIXES=()

# stop_pid PID: SIGTERM, then SIGKILL after 15 s.
stop_pid() {
	local p=$1

	kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	if ! timeout 15 tail --pid="$p" -f /dev/null; then
		log "pid $p did not stop within 15 s of SIGTERM: killing it"
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
}

forget_prefix() {
	rm -rf "/var/run/dpdk/$1" 2>/dev/null
	rm -f /dev/hugepages/"$1"map_* 2>/dev/null
}

cleanup() {
	local rc=$? p

	for p in "${PIDS[@]}"; do
		stop_pid "$p"
	done
	for p in "${PREFIXES[@]}"; do
		forget_prefix "$p"
	done
	ip netns del "$NS" 2>/dev/null
	rm -f "$SOCK0" "$SOCK1"
	if [ "$KEEP" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS CMD...: poll CMD until it succeeds; 1 on timeout.
wait_for() {
	local limit=$1 t=0

	shift
	while ! "$@" >/dev/null 2>&1; do
		sleep 0.1
		t=$((t + 1))
		[ $t -lt $((limit * 10)) ] || return 1
	done
}

hugepages_check() {
	local hp=/sys/kernel/mm/hugepages/hugepages-2048kB free

	if ! mountpoint -q /dev/hugepages; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages
	fi
	free=$(cat $hp/free_hugepages)
	# vbrd -m 1024 and the generator -m 256, 2 MiB pages.
	[ "$free" -ge 640 ] || die "$free free 2 MiB hugepages, need 640 (scripts/deps.sh sets up 1024)"
}

# --- l3fwd: from dpdk-doc, built in a patched copy under the build dir ----

# The table size l3fwd's compile-time limits must hold.
L3FWD_CAP=65536
while [ "$L3FWD_CAP" -lt $((ROUTES + 1024)) ]; do
	L3FWD_CAP=$((L3FWD_CAP * 2))
done

build_l3fwd() {
	local dir=$L3FWD_DIR stamp

	if [ ! -f "$EXAMPLES/l3fwd/main.c" ]; then
		log "installing dpdk-doc (l3fwd's source)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpdk-doc >"$WORK/apt.log" 2>&1 ||
			die "apt-get install dpdk-doc failed: $(tail -3 "$WORK/apt.log")"
	fi
	stamp="cap=$L3FWD_CAP $(md5sum "$EXAMPLES/l3fwd/main.c" | cut -d' ' -f1)"
	if [ -x "$dir/l3fwd/build/l3fwd" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	log "building l3fwd in $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$EXAMPLES/l3fwd" "$EXAMPLES/common" "$dir/"
	# Patches to the copy, never to the installed source:
	# - memif has no Rx checksum offload, which l3fwd asks for
	#   unconditionally (rte_eth_dev_configure fails); l3fwd never checks
	#   the IPv4 checksum in software either.
	# - the LPM's rule count (1024) and the FIB's route count (65536) are
	#   compile-time limits; raise them to the table size, and the LPM's
	#   tbl8 groups (256) to 65536 (prefixes longer than /24).
	sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0, \/* vbr bench: memif *\//' \
		"$dir/l3fwd/main.c"
	sed -i -E "s/^(#define IPV4_L3FWD_LPM_MAX_RULES[[:space:]]+)1024/\1$L3FWD_CAP/; s/^(#define IPV4_L3FWD_LPM_NUMBER_TBL8S[[:space:]]+)\(1 << 8\)/\1(1 << 16)/" \
		"$dir/l3fwd/l3fwd_lpm.c"
	sed -i "s/config_ipv4.max_routes = (1 << 16);/config_ipv4.max_routes = $L3FWD_CAP;/" \
		"$dir/l3fwd/l3fwd_fib.c"
	if ! grep -q "offloads = 0, /\* vbr bench" "$dir/l3fwd/main.c" ||
		! grep -q "LPM_MAX_RULES[[:space:]]*$L3FWD_CAP" "$dir/l3fwd/l3fwd_lpm.c" ||
		! grep -q "LPM_NUMBER_TBL8S[[:space:]]*(1 << 16)" "$dir/l3fwd/l3fwd_lpm.c" ||
		! grep -q "max_routes = $L3FWD_CAP;" "$dir/l3fwd/l3fwd_fib.c"; then
		die "could not patch l3fwd's copy (has its source changed?)"
	fi
	make -C "$dir/l3fwd" -j2 >"$dir/make.log" 2>&1 || die "l3fwd build failed, see $dir/make.log"
	echo "$stamp" >"$dir/stamp"
}

# --- the route table, in l3fwd's and in vbrd's formats --------------------

# write_tables N DIR: DIR/routes.l3fwd ("R a.b.c.d/len 1", all out of port
# 1), DIR/routes6.l3fwd (l3fwd needs an IPv6 file too) and DIR/vbrd.yaml
# (every route via the VPC-side next hop, a static neighbour for it).
write_tables() {
	python3 - "$1" "$2" "$IDC_ADDR" "$VPC_ADDR" "$NEXT_HOP" "$GEN_MAC1" "$DUT_MAC0" \
		"$DUT_MAC1" <<'EOF'
import random
import sys

n, out, idc, vpc, nh, nh_mac = int(sys.argv[1]), sys.argv[2], *sys.argv[3:7]
rnd = random.Random(20240611)
# Prefix lengths of the IPv4 Internet table, roughly (per mille): mostly
# /24, /16 to /23 next, a few longer and shorter.
mix = {8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 13: 3, 14: 5, 15: 5, 16: 25, 17: 15, 18: 20,
       19: 30, 20: 40, 21: 50, 22: 90, 23: 80, 24: 622, 25: 2, 26: 2, 27: 1, 28: 1,
       29: 1, 30: 1, 32: 1}
lens, weights = list(mix), list(mix.values())
seen, routes = set(), []
while len(routes) < n:
    d = rnd.choices(lens, weights)[0]
    a = rnd.getrandbits(32) & ((0xffffffff << (32 - d)) & 0xffffffff)
    # Not 0/8, 127/8, class D/E (martians), nor 10/8 and 172/8 where the
    # ports' subnets are.
    if a >> 24 in (0, 10, 127, 172) or a >> 24 >= 224 or (a, d) in seen:
        continue
    seen.add((a, d))
    routes.append((a, d))

def dotted(a):
    return ".".join(str(a >> s & 255) for s in (24, 16, 8, 0))

with open(out + "/routes.l3fwd", "w") as f:
    f.write("# %d IPv4 routes, all out of port 1\n" % n)
    for a, d in routes:
        f.write("R %s/%d 1\n" % (dotted(a), d))
with open(out + "/routes6.l3fwd", "w") as f:
    f.write("R 2001:db8::/32 1\n")
# The FIB's sizes: room for the table and the connected routes, and a tbl8
# group per /24 that holds a longer prefix.
long24 = len({a >> 8 for a, d in routes if d > 24})
with open(out + "/vbrd.yaml", "w") as f:
    f.write("vbr:\n  name: bench\n")
    f.write("ports:\n")
    f.write("  idc: { device: net_memif0, address: %s }\n" % idc)
    f.write("  vpc: { device: net_memif1, address: %s }\n" % vpc)
    f.write("fib: { max_routes: %d, max_tbl8: %d }\n" % (n + 1024, max(1024, 2 * long24)))
    f.write("neighbors:\n  - { address: %s, mac: \"%s\" }\n" % (nh, nh_mac))
    f.write("routes:\n")
    for a, d in routes:
        f.write("  - { prefix: %s/%d, next_hop: %s }\n" % (dotted(a), d, nh))
EOF
}

# --- DUTs and the generator -----------------------------------------------

# memif server side of the DUT: its two ports, listening on our sockets.
dut_vdevs() {
	echo "--vdev net_memif0,role=server,id=0,socket=$SOCK0,socket-abstract=no,mac=$DUT_MAC0"
	echo "--vdev net_memif1,role=server,id=0,socket=$SOCK1,socket-abstract=no,mac=$DUT_MAC1"
}

DUT_PID=
DUT_LOG=
DUT_PREFIX=

# start_dut KIND RUN: start it on CPU $DUT_CPU and wait until its ports are
# started (the generator then waits for the links to come up).
start_dut() {
	local kind=$1 run=$2 ready rules=$WORK/routes.l3fwd lookup

	DUT_PREFIX=vbrb-$ID-$kind-$run
	DUT_LOG=$WORK/$kind-$run.log
	PREFIXES+=("$DUT_PREFIX")
	rm -f "$SOCK0" "$SOCK1"
	case $kind in
	vbrd)
		# The main lcore (FIB writer, exception path; it sleeps when
		# idle) shares CPU 0 with the generator; lcore 1 forwards.
		# shellcheck disable=SC2046
		ip netns exec "$NS" "$VBRD" -l "$GEN_CPU,$DUT_CPU" --no-pci --file-prefix "$DUT_PREFIX" \
			--huge-unlink -m 1024 $(dut_vdevs) -- -c "$WORK/vbrd.yaml" \
			--socket "$WORK/vbrd.sock" --ro-socket "$WORK/vbrd-ro.sock" \
			>"$DUT_LOG" 2>&1 &
		ready="forwarding on"
		;;
	l3fwd-lpm | l3fwd-fib | l3fwd-lpm-1route)
		lookup=${kind#l3fwd-}
		lookup=${lookup%-1route}
		[ "$kind" = l3fwd-lpm-1route ] && rules=$WORK/route1.l3fwd
		# shellcheck disable=SC2046
		ip netns exec "$NS" stdbuf -oL "$L3FWD_DIR/l3fwd/build/l3fwd" -l "$DUT_CPU" --no-pci \
			--file-prefix "$DUT_PREFIX" --huge-unlink -m 1024 $(dut_vdevs) -- \
			-p 0x3 -P --parse-ptype --config "(0,0,$DUT_CPU),(1,0,$DUT_CPU)" \
			--lookup="$lookup" --rule_ipv4 "$rules" --rule_ipv6 "$WORK/routes6.l3fwd" \
			--eth-dest="0,$GEN_MAC0" --eth-dest="1,$GEN_MAC1" >"$DUT_LOG" 2>&1 &
		# Printed once its ports are started.
		ready="Checking link status"
		;;
	null)
		# shellcheck disable=SC2046
		ip netns exec "$NS" stdbuf -oL "$PKTGEN" -l "$DUT_CPU" --no-pci --file-prefix "$DUT_PREFIX" \
			--huge-unlink -m 256 $(dut_vdevs) -- --forward --duration 0 --link-wait 60 --quiet \
			>"$DUT_LOG" 2>&1 &
		ready="pktgen: port 1"
		;;
	*) die "unknown DUT $kind" ;;
	esac
	DUT_PID=$!
	PIDS+=("$DUT_PID")
	if ! wait_for 90 dut_says "$ready" || ! kill -0 "$DUT_PID" 2>/dev/null; then
		log "$kind did not start within 90 s (or exited); its log:"
		tail -30 "$DUT_LOG" >&2
		return 1
	fi
	if [ "$kind" = vbrd ]; then
		# Its static routes reach the FIB through the route ring: wait
		# until they all have.
		if ! wait_for 60 vbrd_routes_loaded; then
			log "vbrd's FIB does not hold the $ROUTES routes after 60 s:"
			python3 "$ROOT/scripts/vbr-telemetry" "$DUT_PREFIX" "/vbr/fib,1.0.0.1" >&2
			return 1
		fi
	fi
	return 0
}

# dut_says TEXT: the DUT's log has TEXT; exits 0 also when the DUT has died
# (so that wait_for stops) and start_dut then checks it is alive.
dut_says() {
	grep -q "$1" "$DUT_LOG" || ! kill -0 "$DUT_PID" 2>/dev/null
}

vbrd_routes_loaded() {
	local n

	n=$(python3 "$ROOT/scripts/vbr-telemetry" "$DUT_PREFIX" "/vbr/fib,1.0.0.1" |
		python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/fib']['routes'])") || return 1
	[ "$n" -ge "$ROUTES" ]
}

stop_dut() {
	[ -n "$DUT_PID" ] || return 0
	if ! kill -0 "$DUT_PID" 2>/dev/null; then
		log "the DUT (pid $DUT_PID) has exited by itself; the end of its log:"
		tail -20 "$DUT_LOG" >&2
	fi
	stop_pid "$DUT_PID"
	DUT_PID=
	forget_prefix "$DUT_PREFIX"
	rm -f "$SOCK0" "$SOCK1"
}

# run_gen NAME: the generator against the running DUT; its RESULT line on
# stdout. Zero-copy memif client: it needs --single-file-segments, and so
# keeps its hugepage files until it exits (removed after).
run_gen() {
	local prefix=vbrb-$ID-gen-$1 glog=$WORK/gen-$1.log pid rc

	PREFIXES+=("$prefix")
	ip netns exec "$NS" stdbuf -oL "$PKTGEN" -l "$GEN_CPU" --no-pci --file-prefix "$prefix" \
		--single-file-segments -m 256 \
		--vdev "net_memif0,role=client,id=0,socket=$SOCK0,socket-abstract=no,mac=$GEN_MAC0,zero-copy=yes" \
		--vdev "net_memif1,role=client,id=0,socket=$SOCK1,socket-abstract=no,mac=$GEN_MAC1,zero-copy=yes" \
		-- --dst-file "$WORK/routes.l3fwd" --dst-mac "$DUT_MAC0" --src-ip "$SRC_IP" --size "$FRAME" \
		--per-prefix "$PER_PREFIX" \
		--warmup "$WARMUP" --duration "$DURATION" --link-wait 30 >"$glog" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	if ! timeout $((WARMUP + DURATION + 60)) tail --pid="$pid" -f /dev/null; then
		log "the generator did not finish in time"
		stop_pid "$pid"
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	forget_prefix "$prefix"
	if [ "$rc" -ne 0 ] || ! grep -q '^RESULT ' "$glog"; then
		log "generator failed (status $rc); its log:"
		tail -20 "$glog" >&2
		return 1
	fi
	grep '^RESULT ' "$glog" | tail -1
}

# field LINE KEY: KEY's value in a RESULT line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# busy_ticks: CPU time (clock ticks) the machine has spent, all CPUs, not
# idle: /proc/stat counts processes that have exited too.
busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# wait_quiet: until the machine, ours stopped, uses under QUIET % of a CPU
# for a second (bounded): every CPU here is in use during a run.
wait_quiet() {
	local i k0 k1 pct hz

	hz=$(getconf CLK_TCK)
	for i in $(seq 1 60); do
		k0=$(busy_ticks)
		sleep 1
		k1=$(busy_ticks)
		pct=$(((k1 - k0) * 100 / hz))
		[ "$pct" -lt "$QUIET" ] && return 0
		[ "$i" = 1 ] && log "the machine is busy ($pct % of a CPU): waiting up to 60 s for quiet"
	done
	log "WARNING: the machine is not quiet ($pct % of a CPU busy): figures may be low"
}

# dut_wait_ns: run-queue wait of the DUT's busiest thread (its polling
# lcore): time another task held its CPU.
dut_wait_ns() {
	python3 - "$DUT_PID" <<'EOF'
import os
import sys

best = (-1, 0)
for tid in os.listdir("/proc/%s/task" % sys.argv[1]):
    d = "/proc/%s/task/%s/" % (sys.argv[1], tid)
    try:
        st = open(d + "stat").read().rsplit(")", 1)[1].split()
        wait = int(open(d + "schedstat").read().split()[1])
    except (OSError, IndexError, ValueError):
        continue
    best = max(best, (int(st[11]) + int(st[12]), wait))
print(best[1])
EOF
}

# bench_run KIND RUN: one run; "rate_mpps loss_pct busy_pct" appended to
# $WORK/res-KIND. A run during which another task held the generator's or
# the DUT's CPU more than QUIET % of the time is run again (at most RETRIES
# times).
bench_run() {
	local kind=$1 run=$2 try res bad t0 w0 busy

	for try in $(seq 0 "$RETRIES"); do
		wait_quiet
		if ! start_dut "$kind" "$run"; then
			stop_dut
			echo "failed to start" >"$WORK/fail-$kind"
			return 1
		fi
		t0=$(date +%s.%N)
		w0=$(dut_wait_ns)
		if ! res=$(run_gen "$kind-$run"); then
			stop_dut
			echo "generator failed" >"$WORK/fail-$kind"
			return 1
		fi
		busy=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" -v w0="$w0" -v w1="$(dut_wait_ns)" \
			-v g="$(field "$res" wait_pct)" \
			'BEGIN { d = (w1 - w0) / 1e7 / (t1 - t0); if (g > d) d = g; printf "%d", d + 0.5 }')
		if [ "$kind" = vbrd ]; then
			python3 "$ROOT/scripts/vbr-telemetry" "$DUT_PREFIX" /vbr/stats \
				>"$WORK/vbrd-$run.stats" 2>&1
		fi
		stop_dut
		log "${LABEL[$kind]} run $run: $res busy_pct=$busy"
		if [ "$busy" -lt "$QUIET" ] || [ "$try" = "$RETRIES" ]; then
			break
		fi
		log "other tasks held the generator's or the DUT's CPU $busy % of that run: running it again"
	done
	bad=$(field "$res" rx_bad)
	if [ "$kind" != null ] && [ "${bad:-0}" != 0 ]; then
		log "WARNING: ${LABEL[$kind]} forwarded $bad packets without decrementing TTL or rewriting the MAC"
	fi
	if [ "$kind" = vbrd ] && awk -v l="$(field "$res" loss_pct)" 'BEGIN { exit !(l > 0.1) }'; then
		log "vbrd lost $(field "$res" loss_pct) %; its counters:"
		cat "$WORK/vbrd-$run.stats" >&2
	fi
	echo "$(awk -v r="$(field "$res" rx_pps)" 'BEGIN { printf "%.3f", r / 1e6 }') $(field "$res" loss_pct) $busy" \
		>>"$WORK/res-$kind"
}

# --- main ------------------------------------------------------------------

hugepages_check
case " $DUTS " in *" l3fwd-"*) build_l3fwd ;; esac
[ "$CEILING" = 0 ] || build_l3fwd

log "writing a $ROUTES-route table"
write_tables "$ROUTES" "$WORK" || die "cannot write the route table"
# Covers every destination (rte_lpm has no /0).
printf 'R 0.0.0.0/1 1\nR 128.0.0.0/1 1\n' >"$WORK/route1.l3fwd"

ip netns add "$NS" || die "cannot create namespace $NS"
ip -n "$NS" link set lo up

TSC_MHZ=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2; exit }' /proc/cpuinfo)
log "$ROUTES routes, $FRAME-byte frames, $RUNS run(s) of ${WARMUP}+${DURATION} s per DUT; DUT on CPU $DUT_CPU, generator on CPU $GEN_CPU"
if [ -d "$L3FWD_DIR" ]; then
	log "l3fwd: $EXAMPLES/l3fwd built in $L3FWD_DIR with its Makefile, patched copy: Rx checksum offload off (memif has none), IPV4_L3FWD_LPM_MAX_RULES 1024 -> $L3FWD_CAP, IPV4_L3FWD_LPM_NUMBER_TBL8S 256 -> 65536, FIB max_routes 65536 -> $L3FWD_CAP"
fi
declare -A LABEL=([vbrd]="vbrd" [l3fwd-lpm]="l3fwd --lookup=lpm" [l3fwd-fib]="l3fwd --lookup=fib"
	[null]="null DUT (memif in/out only)" [l3fwd-lpm-1route]="l3fwd --lookup=lpm, 2 x /1")
KINDS=()
for d in $DUTS; do
	case $d in
	vbrd)
		if ! "$VBRD" -- -c "$WORK/vbrd.yaml" --check >"$WORK/vbrd-check.log" 2>&1; then
			log "vbrd refuses the table: $(head -3 "$WORK/vbrd-check.log")"
			echo "refused the config (see above)" >"$WORK/fail-vbrd"
		fi
		;;
	l3fwd-lpm | l3fwd-fib) ;;
	*) die "unknown DUT $d" ;;
	esac
	KINDS+=("$d")
done
[ "$CEILING" = 0 ] || KINDS+=(null l3fwd-lpm-1route)
# Run by run, every DUT in turn: a slow spell of the host (a VM's
# neighbours) then weighs on all of them alike.
for run in $(seq 1 "$RUNS"); do
	for k in "${KINDS[@]}"; do
		[ -e "$WORK/fail-$k" ] || bench_run "$k" "$run"
	done
done

echo
echo "$ROUTES routes ($((ROUTES * PER_PREFIX)) destinations), $FRAME-byte frames, ${DURATION} s per run after ${WARMUP} s of warm-up; DUT on CPU $DUT_CPU (~$TSC_MHZ MHz)"
printf '%-30s %-24s %8s %11s %8s %7s\n' DUT "Mpps per run" "Mpps" "cycles/pkt" "loss %" "busy %"
for k in "${KINDS[@]}"; do
	if [ -e "$WORK/fail-$k" ]; then
		printf '%-30s %s\n' "${LABEL[$k]}" "$(cat "$WORK/fail-$k")"
		continue
	fi
	rates=$(awk '{ printf "%s ", $1 }' "$WORK/res-$k")
	med=$(awk '{ print $1 }' "$WORK/res-$k" | median)
	loss=$(awk '{ print $2 }' "$WORK/res-$k" | median)
	busy=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$WORK/res-$k")
	cyc=$(awk -v m="$med" -v f="$TSC_MHZ" 'BEGIN { if (m > 0) printf "%.0f", f / m }')
	printf '%-30s %-24s %8s %11s %8s %7s\n' "${LABEL[$k]}" "$rates" "$med" "$cyc" "$loss" "$busy"
done
echo "Mpps: forwarded, median of the runs; loss: median. cycles/pkt: the DUT core's clock over the"
echo "forwarded rate (it polls: always busy), memif copies included. busy: share of the time other tasks"
echo "held the generator's or the DUT's CPU, worst run kept (runs over $QUIET % are run again)."
if [ "$CEILING" = 1 ]; then
	echo "The last two rows measure the generator and memif link themselves: a DUT well below them is"
	echo "its own bottleneck."
fi
