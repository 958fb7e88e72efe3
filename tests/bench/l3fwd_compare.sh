#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Forwarding benchmark: vbrd side by side with DPDK's l3fwd example (LPM and
# FIB lookups), same route table, same traffic, same cores, both built the
# same way (static DPDK by default), by two methods that need no kernel in
# the data path (docs/ARCHITECTURE.md):
#
#   tests/bench/l3fwd_compare.sh [-t TABLES] [-n ROUTES] [-N ROUTES] [-m METHODS]
#                                [-c LCORES] [-b static|shared] [-F FRAMES] [-a N]
#                                [-s FRAME] [-r RUNS] [-d SECONDS] [-w SECONDS]
#                                [-D "DUT..."] [-C] [-P] [-Q] [-k] [-R]
#
# Run as root. Tables (-t): "small", -n routes (4,096), and "internet", -N
# routes (1,000,000), both drawn by tests/bench/pktgen/gen_table.py's
# make_table (the real table's length mix: mostly /24, then /22, /23, /21,
# /20, /19, /16, a few shorter and longer). Every router gets the same
# table: vbrd as static routes in its YAML (the script waits until its FIB
# holds them all, /vbr/fib over telemetry), l3fwd as its route file.
#
# Both methods send FRAMES (-F, 8,192) distinct frames, to destinations drawn
# over the whole table.
#
# Method memif: the generator (build/tests/pktgen, a zero-copy memif client)
# sends on CPU 0, the DUT forwards on CPU 1 between two memif links:
#
#   pktgen port 0 (memif client) --> DUT port 0 / vbrd idc (memif server)
#   pktgen port 1 (memif client) <-- DUT port 1 / vbrd vpc (memif server)
#
# so the copies into and out of the shared rings are all made on the DUT's
# core, the same for every DUT. Its ceiling: a null DUT (pktgen --forward)
# and l3fwd with a two-route table. One forwarding lcore only: the
# generator needs a core of its own and sends on one queue.
#
# Method pcap: the DUT alone, no second process. Port 0 is net_pcap
# replaying, endlessly, a pcap file of frames to destinations drawn over the
# whole table (infinite_rx: each frame is copied into a fresh mbuf at rx);
# port 1 is net_null (no rx; tx frees). With N forwarding lcores (-c), port
# 0 has N rx queues, each replaying its own share of the frames, as RSS
# would spread flows. The DUT's forwarding lcores take CPUs 1..N, or all
# CPUs when N is the machine's count (vbrd's main lcore, the FIB writer and
# exception path that sleeps when idle, then shares CPU 0). The harness's
# own cost (pcap rx from its ring, tx to net_null, the polling loop) is
# measured with a null DUT on the same devices and lcores, built the same
# way (build/tests/pktgen --forward --queues N: testpmd's io forwarding),
# and taken off: the DUT's own cycles per packet.
#
# Cycles per packet: memif, the DUT core's clock over the forwarded rate (it
# polls: always busy); pcap, the CPU time of the forwarding lcores (from
# /proc/PID/task/TID/schedstat, so time other tasks took is not counted)
# times the TSC rate, over the forwarded packets (port 1's opackets from
# the DUT's own telemetry, /ethdev/stats).
#
# Every process runs in a network namespace of its own (vbrd makes kernel
# taps there); nothing reaches the machine's network. l3fwd's source comes
# from Debian's dpdk-doc (installed if missing); l3fwd is built, patched
# (see the output), in a copy under the build directory. With -b static (default when Debian's DPDK ships libdpdk.a)
# vbrd is built in build-static/ (meson -Ddpdk_static=true) and l3fwd with
# its Makefile's `make static`.
#
# Both CPUs are in use during a run, so the script waits for the machine to
# be quiet before each run (-Q: not), and runs again a run during which
# another task held the DUT's (or the generator's) CPU (run-queue wait in
# schedstat). With memif the DUTs take turns run by run, so a slow spell of
# the host weighs on all; with pcap each DUT is started once and measured
# RUNS times (l3fwd's LPM takes a minute or two to load a million routes, a
# rule at a time). The whole default run takes about half an hour. The section "forwarding" of tests/bench/RESULTS.md gets the
# results (-R: not), and a plot in tests/bench/results/.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/bench/results_lib.sh
. "$HERE/results_lib.sh"
EXAMPLES=${DPDK_EXAMPLES:-/usr/share/dpdk/examples}
CMDLINE="tests/bench/l3fwd_compare.sh${*:+ $(printf '%q ' "$@")}"
CMDLINE=${CMDLINE% }

TABLES="small internet"
SMALL=4096
FULL=1000000
METHODS="memif pcap"
LCORES="1 2"
LINK=
FRAMES=8192
PER_PREFIX=1
FRAME=64
RUNS=3
DURATION=10
WARMUP=3
DUTS="vbrd l3fwd-lpm l3fwd-fib"
CEILING=1
PROFILE=0
WAIT_QUIET=1
KEEP=0
WRITE_RESULTS=1
QUIET=5    # % of a CPU the rest of the machine may use during a run
RETRIES=2  # runs again a run that was not quiet

usage() {
	cat >&2 <<EOF
usage: $0 [options]
  -t TABLES   among: small internet (default "$TABLES")
  -n ROUTES   routes in the small table (default $SMALL)
  -N ROUTES   routes in the internet table (default $FULL)
  -m METHODS  among: memif pcap (default "$METHODS")
  -c LCORES   forwarding lcore counts for pcap (default "$LCORES"; memif: 1)
  -b BUILD    static or shared DPDK, for vbrd and l3fwd alike (default:
              static when libdpdk.a is installed)
  -F FRAMES   distinct frames (destinations): the pcap method's replay, all
              queues together, and the memif generator's templates (default
              $FRAMES; vbrd's mbuf pool holds about 10,000 more in the replay)
  -a N        memif: destinations drawn in each prefix (default $PER_PREFIX)
  -s FRAME    frame size in bytes with FCS, 64..1518 (default $FRAME)
  -r RUNS     runs per DUT and setting, the median is shown (default $RUNS)
  -d SECONDS  measured time per run (default $DURATION)
  -w SECONDS  warm-up per run (default $WARMUP)
  -D "DUTS"   DUTs among: vbrd l3fwd-lpm l3fwd-fib (default "$DUTS")
  -C          skip the memif ceiling runs (the pcap harness run stays)
  -P          profile vbrd's and l3fwd-lpm's forwarding CPUs (perf record
              -e cpu-clock) in the first run of each setting; top symbols
              in the output
  -Q          do not wait for a quiet machine nor run busy runs again
  -k          keep the work directory (logs, tables, pcaps, profiles)
  -R          do not write tests/bench/RESULTS.md
EOF
	exit 2
}

while getopts "t:n:N:m:c:b:F:a:s:r:d:w:D:CPQkRh" opt; do
	case $opt in
	t) TABLES=$OPTARG ;;
	n) SMALL=$OPTARG ;;
	N) FULL=$OPTARG ;;
	m) METHODS=$OPTARG ;;
	c) LCORES=$OPTARG ;;
	b) LINK=$OPTARG ;;
	F) FRAMES=$OPTARG ;;
	a) PER_PREFIX=$OPTARG ;;
	s) FRAME=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	w) WARMUP=$OPTARG ;;
	D) DUTS=$OPTARG ;;
	C) CEILING=0 ;;
	P) PROFILE=1 ;;
	Q) WAIT_QUIET=0 ;;
	k) KEEP=1 ;;
	R) WRITE_RESULTS=0 ;;
	*) usage ;;
	esac
done
[ "$OPTIND" -gt $# ] || usage
case "$SMALL$FULL$RUNS$FRAME$PER_PREFIX$FRAMES$DURATION$WARMUP" in *[!0-9]*) usage ;; esac
case "${LCORES// /}" in "" | *[!0-9]*) usage ;; esac
if [ "$SMALL" -lt 1 ] || [ "$FULL" -lt 1 ] || [ "$PER_PREFIX" -lt 1 ] || [ "$RUNS" -lt 1 ] ||
	[ "$FRAME" -lt 64 ] || [ "$FRAME" -gt 1518 ] || [ "$FRAMES" -lt 64 ] || [ "$DURATION" -lt 1 ]; then
	usage
fi
for t in $TABLES; do case $t in small | internet) ;; *) usage ;; esac; done
for m in $METHODS; do case $m in memif | pcap) ;; *) usage ;; esac; done
for d in $DUTS; do case $d in vbrd | l3fwd-lpm | l3fwd-fib) ;; *) usage ;; esac; done

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (namespaces, hugepages)"
command -v python3 >/dev/null || die "python3 is needed to write the tables and pcaps"

# apt_need PACKAGE FILE: install PACKAGE when FILE is missing.
apt_need() {
	[ -e "$2" ] && return 0
	log "installing $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >"$WORK/apt.log" 2>&1 ||
		die "apt-get install $1 failed: $(tail -3 "$WORK/apt.log")"
}

# Addresses and MACs of the topology. The DUT's memif MACs are set with
# memif's mac= devarg (its default, 01:ab:23:cd:45:ef, is a group address,
# which a router must not route). net_pcap's first port has a fixed MAC.
DUT_MAC0=02:00:00:00:00:0a  # vbrd idc / l3fwd port 0, memif
DUT_MAC1=02:00:00:00:00:0b  # vbrd vpc / l3fwd port 1, memif
PCAP_MAC=02:70:63:61:70:00  # net_pcap0's MAC (the PMD's, not settable)
GEN_MAC0=02:00:00:00:01:0a  # the frames' source
GEN_MAC1=02:00:00:00:01:0b  # the next hop's MAC
IDC_ADDR=10.0.0.1/30
VPC_ADDR=172.16.0.1/30
NEXT_HOP=172.16.0.2
SRC_IP=10.0.0.2
NCPU=$(nproc)
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

# wait_for SECONDS CMD...: poll CMD until it succeeds; 1 once SECONDS have
# passed on the clock.
wait_for() {
	local end=$((SECONDS + $1))

	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# hugepages_check PAGES: at least PAGES free 2 MiB pages, more reserved if
# the machine has too few.
hugepages_check() {
	local hp=/sys/kernel/mm/hugepages/hugepages-2048kB need=$1 free

	if ! mountpoint -q /dev/hugepages; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages
	fi
	free=$(cat $hp/free_hugepages)
	if [ "$free" -lt "$need" ]; then
		log "$free free 2 MiB hugepages, $need needed: reserving more"
		echo $(($(cat $hp/nr_hugepages) + need - free)) >$hp/nr_hugepages
		free=$(cat $hp/free_hugepages)
	fi
	[ "$free" -ge "$need" ] || die "$free free 2 MiB hugepages, need $need"
}

# --- builds: vbrd and l3fwd alike, static or shared DPDK ------------------

DPDK_LIBDIR=$(pkg-config --variable=libdir libdpdk 2>/dev/null)
if [ -z "$LINK" ]; then
	if [ -f "$DPDK_LIBDIR/librte_eal.a" ]; then LINK=static; else LINK=shared; fi
fi
case $LINK in
static)
	[ -f "$DPDK_LIBDIR/librte_eal.a" ] || die "-b static: no $DPDK_LIBDIR/librte_eal.a (libdpdk-dev)"
	BUILD=${VBR_BUILD:-$ROOT/build-static}
	;;
shared) BUILD=${VBR_BUILD:-$ROOT/build} ;;
*) usage ;;
esac
VBRD=${VBRD:-$BUILD/vbrd}
PKTGEN=${PKTGEN:-$BUILD/tests/pktgen}
L3FWD_DIR=$BUILD/bench-l3fwd
L3FWD=$L3FWD_DIR/l3fwd/build/l3fwd

build_vbr() {
	if [ "$LINK" = static ]; then
		# libpcap's static dependencies name -lsystemd, which needs its
		# development link.
		pkg-config --exists libsystemd || apt_need libsystemd-dev /usr/share/pkgconfig/libsystemd.pc
		if [ ! -d "$BUILD" ]; then
			log "setting up $BUILD (meson -Ddpdk_static=true)"
			meson setup "$BUILD" "$ROOT" --buildtype=release -Db_ndebug=if-release \
				-Ddpdk_static=true >"$WORK/meson.log" 2>&1 ||
				die "meson setup failed: $(tail -5 "$WORK/meson.log")"
		fi
	else
		[ -d "$BUILD" ] || meson setup "$BUILD" "$ROOT" --buildtype=release \
			-Db_ndebug=if-release >"$WORK/meson.log" 2>&1 ||
			die "meson setup failed: $(tail -5 "$WORK/meson.log")"
	fi
	ninja -C "$BUILD" vbrd tests/pktgen >"$WORK/ninja.log" 2>&1 ||
		die "building vbrd failed: $(tail -5 "$WORK/ninja.log")"
}

# The table size l3fwd's compile-time limits must hold: the largest one.
L3FWD_CAP=65536
largest=$SMALL
case " $TABLES " in *" internet "*) [ "$FULL" -gt "$largest" ] && largest=$FULL ;; esac
while [ "$L3FWD_CAP" -lt $((largest + 1024)) ]; do
	L3FWD_CAP=$((L3FWD_CAP * 2))
done

build_l3fwd() {
	local dir=$L3FWD_DIR stamp

	apt_need dpdk-doc "$EXAMPLES/l3fwd/main.c"
	stamp="v2 $LINK cap=$L3FWD_CAP $(md5sum "$EXAMPLES/l3fwd/main.c" | cut -d' ' -f1)"
	if [ -x "$L3FWD" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	log "building l3fwd ($LINK) in $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$EXAMPLES/l3fwd" "$EXAMPLES/common" "$dir/"
	# Patches to the copy, never to the installed source:
	# - memif and net_pcap have no Rx checksum offload, which l3fwd asks
	#   for unconditionally (rte_eth_dev_configure fails); l3fwd never
	#   checks the IPv4 checksum in software either.
	# - the LPM's rule count (1024) and the FIB's route count (65536) are
	#   compile-time limits; raise them to the table size, and the LPM's
	#   tbl8 groups (256) to 65536 (prefixes longer than /24).
	# - its mbuf pool's floor (8192) to 65536: net_pcap's replay ring
	#   holds its frames in mbufs of the DUT's pool.
	# - one line printed per route added: the first 4 only.
	sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0, \/* vbr bench: memif *\//' \
		"$dir/l3fwd/main.c"
	sed -i 's/(unsigned)8192)/(unsigned)65536) \/* vbr bench: net_pcap *\//' "$dir/l3fwd/main.c"
	sed -i -E "s/^(#define IPV4_L3FWD_LPM_MAX_RULES[[:space:]]+)1024/\1$L3FWD_CAP/; s/^(#define IPV4_L3FWD_LPM_NUMBER_TBL8S[[:space:]]+)\(1 << 8\)/\1(1 << 16)/" \
		"$dir/l3fwd/l3fwd_lpm.c"
	sed -i 's/printf("LPM: Adding route/if (i < 4) printf("LPM: Adding route/' "$dir/l3fwd/l3fwd_lpm.c"
	sed -i "s/config_ipv4.max_routes = (1 << 16);/config_ipv4.max_routes = $L3FWD_CAP;/" \
		"$dir/l3fwd/l3fwd_fib.c"
	sed -i 's/printf("FIB: /if (i < 4) printf("FIB: /' "$dir/l3fwd/l3fwd_fib.c"
	if ! grep -q "offloads = 0, /\* vbr bench" "$dir/l3fwd/main.c" ||
		! grep -q "(unsigned)65536) /\* vbr bench" "$dir/l3fwd/main.c" ||
		! grep -q "LPM_MAX_RULES[[:space:]]*$L3FWD_CAP" "$dir/l3fwd/l3fwd_lpm.c" ||
		! grep -q "LPM_NUMBER_TBL8S[[:space:]]*(1 << 16)" "$dir/l3fwd/l3fwd_lpm.c" ||
		! grep -q 'if (i < 4) printf("LPM' "$dir/l3fwd/l3fwd_lpm.c" ||
		! grep -q 'if (i < 4) printf("FIB' "$dir/l3fwd/l3fwd_fib.c" ||
		! grep -q "max_routes = $L3FWD_CAP;" "$dir/l3fwd/l3fwd_fib.c"; then
		die "could not patch l3fwd's copy (has its source changed?)"
	fi
	make -C "$dir/l3fwd" -j2 "$LINK" >"$dir/make.log" 2>&1 || die "l3fwd build failed, see $dir/make.log"
	echo "$stamp" >"$dir/stamp"
}

# --- the tables, in l3fwd's and vbrd's formats, and the pcaps -------------

# write_tables N DIR: gen_table.py's Internet-like table of N routes, in
# DIR/routes.l3fwd ("R a.b.c.d/len 1", all out of port 1), DIR/routes6.l3fwd
# (l3fwd needs an IPv6 file too), DIR/vbrd-memif.yaml and DIR/vbrd-pcap.yaml
# (every route via the VPC-side next hop, a static neighbour for it), and
# for each forwarding lcore count Q of the pcap method DIR/pcap-Q-I.pcap,
# I < Q: FRAMES frames in all, one random address in each of FRAMES
# prefixes drawn from the table (each prefix again when it has fewer),
# shuffled, spread over the Q files.
write_tables() {
	python3 - "$1" "$2" "$HERE/pktgen" "$IDC_ADDR" "$VPC_ADDR" "$NEXT_HOP" "$GEN_MAC1" \
		"$FRAMES" "$((FRAME - 4))" "$PCAP_MAC" "$GEN_MAC0" "$SRC_IP" "$LCORES" <<'EOF'
import random
import struct
import sys

n, out, lib, idc, vpc, nh, nh_mac = int(sys.argv[1]), *sys.argv[2:8]
frames, flen, dmac, smac, src = int(sys.argv[8]), int(sys.argv[9]), *sys.argv[10:13]
queues = sorted({int(q) for q in sys.argv[13].split()})
sys.path.insert(0, lib)
from gen_table import SEED, fib_sizes, make_table, n2ip, ip2n  # noqa: E402

routes = make_table(n, 11, 126, SEED)
with open(out + "/routes.l3fwd", "w") as f:
    f.write("# %d IPv4 routes, all out of port 1\n" % n)
    f.writelines("R %s/%d 1\n" % (n2ip(a), d) for a, d in routes)
with open(out + "/routes6.l3fwd", "w") as f:
    f.write("R 2001:db8::/32 1\n")
with open(out + "/routes.yaml", "w") as f:
    f.write("routes:\n")
    f.writelines("  - { prefix: %s/%d, next_hop: %s }\n" % (n2ip(a), d, nh) for a, d in routes)
max_routes, max_tbl8 = fib_sizes(routes, n)
for method, dev0, dev1 in (("memif", "net_memif0", "net_memif1"), ("pcap", "net_pcap0", "net_null0")):
    with open("%s/vbrd-%s.head" % (out, method), "w") as f:
        f.write("vbr:\n  name: bench\n")
        f.write("ports:\n")
        f.write("  idc: { device: %s, address: %s }\n" % (dev0, idc))
        f.write("  vpc: { device: %s, address: %s }\n" % (dev1, vpc))
        f.write("fib: { max_routes: %d, max_tbl8: %d }\n" % (max_routes, max_tbl8))
        f.write("neighbors:\n  - { address: %s, mac: \"%s\" }\n" % (nh, nh_mac))

# The pcaps: IPv4/UDP frames as build/tests/pktgen makes them.
rnd = random.Random(SEED + 1)
picked = []
while len(picked) < frames:
    picked += rnd.sample(routes, min(len(routes), frames - len(picked)))
dsts = [a | rnd.getrandbits(32 - d) if d < 32 else a for a, d in picked]
rnd.shuffle(dsts)


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def frame(dst):
    ip = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, flen - 14, 0, 0, 64, 17, 0,
                               ip2n(src), dst))
    s = sum(struct.unpack("!10H", bytes(ip)))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    ip[10:12] = struct.pack("!H", ~s & 0xffff)
    udp = struct.pack("!HHHH", 5001, 5002, flen - 34, 0)
    b = mac(dmac) + mac(smac) + b"\x08\x00" + bytes(ip) + udp
    return b + bytes(flen - len(b))


for q in queues:
    for i in range(q):
        with open("%s/pcap-%d-%d.pcap" % (out, q, i), "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for k, dst in enumerate(dsts[i::q]):
                fr = frame(dst)
                f.write(struct.pack("<IIII", k // 1000000, k % 1000000, len(fr), len(fr)) + fr)
hist = {}
for _, d in routes:
    hist[d] = hist.get(d, 0) + 1
print("%d routes in 11.0.0.0-126.255.255.255: %s" % (n, ", ".join("/%d %d" % (d, hist[d])
                                                              for d in sorted(hist))))
EOF
	local m
	for m in memif pcap; do
		cat "$2/vbrd-$m.head" "$2/routes.yaml" >"$2/vbrd-$m.yaml" || return 1
	done
	rm -f "$2/routes.yaml"
}

# --- DUTs and the generator -----------------------------------------------

# The DUT's devices: memif servers on our sockets, or net_pcap replaying
# Q files (one rx queue each; tx dropped) and net_null (no rx, tx freed).
dut_vdevs() {
	local method=$1 tab=$2 q=$3 i pcaps=

	if [ "$method" = memif ]; then
		echo "--vdev net_memif0,role=server,id=0,socket=$SOCK0,socket-abstract=no,mac=$DUT_MAC0"
		echo "--vdev net_memif1,role=server,id=0,socket=$SOCK1,socket-abstract=no,mac=$DUT_MAC1"
		return
	fi
	for i in $(seq 0 $((q - 1))); do
		pcaps+=",rx_pcap=$WORK/tab-$tab/pcap-$q-$i.pcap"
	done
	echo "--vdev net_pcap0${pcaps},infinite_rx=1"
	echo "--vdev net_null0,no-rx=1"
}

# set_cpus Q: the CPUs of Q forwarding lcores (FWD_CPUS) and of vbrd's or
# harness's main lcore (MAIN_CPU). 1 when the machine is too small.
set_cpus() {
	local q=$1

	if [ $((q + 1)) -le "$NCPU" ]; then
		MAIN_CPU=0
		FWD_CPUS=$(seq -s ' ' 1 "$q")
	elif [ "$q" -le "$NCPU" ]; then
		MAIN_CPU=0
		FWD_CPUS=$(seq -s ' ' 0 $((q - 1)))
	else
		return 1
	fi
}

# lcores_arg FIRST: --lcores mapping lcores FIRST.. to FWD_CPUS.
lcores_arg() {
	local l=$1 c out=

	for c in $FWD_CPUS; do
		out+=",$l@$c"
		l=$((l + 1))
	done
	echo "${out#,}"
}

DUT_PID=
DUT_LOG=
DUT_PREFIX=

# start_dut KIND METHOD TABLE Q RUN: start it and wait until it forwards
# (memif: its ports are started and wait for the generator).
start_dut() {
	local kind=$1 method=$2 tab=$3 q=$4 run=$5 ready rules lookup cfg i limit secs

	DUT_PREFIX=vbrb-$ID-$kind-$method-$run
	DUT_LOG=$WORK/$kind-$method-$tab-$q-$run.log
	PREFIXES+=("$DUT_PREFIX")
	rules=$WORK/tab-$tab/routes.l3fwd
	rm -f "$SOCK0" "$SOCK1"
	case $kind in
	vbrd)
		# Lcore 0, the main lcore (FIB writer, exception path; it
		# sleeps when idle), on CPU 0; the forwarding lcores after it.
		# shellcheck disable=SC2046
		ip netns exec "$NS" "$VBRD" --lcores "0@$MAIN_CPU,$(lcores_arg 1)" --no-pci \
			--file-prefix "$DUT_PREFIX" --huge-unlink $(dut_vdevs "$method" "$tab" "$q") -- \
			-c "$WORK/tab-$tab/vbrd-$method.yaml" --socket "$WORK/vbrd.sock" \
			--ro-socket "$WORK/vbrd-ro.sock" >"$DUT_LOG" 2>&1 &
		ready="forwarding on"
		;;
	l3fwd-lpm | l3fwd-fib | l3fwd-lpm-1route)
		lookup=${kind#l3fwd-}
		lookup=${lookup%-1route}
		[ "$kind" = l3fwd-lpm-1route ] && rules=$WORK/route1.l3fwd
		# Its lcores all forward, the main one too; queue i of each
		# port on lcore i.
		cfg=
		for i in $(seq 0 $((q - 1))); do
			cfg+=",(0,$i,$i),(1,$i,$i)"
		done
		# shellcheck disable=SC2046
		ip netns exec "$NS" stdbuf -oL "$L3FWD" --lcores "$(lcores_arg 0)" --no-pci \
			--file-prefix "$DUT_PREFIX" --huge-unlink $(dut_vdevs "$method" "$tab" "$q") -- \
			-p 0x3 -P --parse-ptype --config "${cfg#,}" \
			--lookup="$lookup" --rule_ipv4 "$rules" --rule_ipv6 "$WORK/tab-$tab/routes6.l3fwd" \
			--eth-dest="0,$GEN_MAC0" --eth-dest="1,$GEN_MAC1" >"$DUT_LOG" 2>&1 &
		# memif: printed once its ports are started (the links wait
		# for the generator).
		ready="Checking link status"
		[ "$method" = pcap ] && ready="entering main loop"
		;;
	null)
		# shellcheck disable=SC2046
		ip netns exec "$NS" stdbuf -oL "$PKTGEN" -l "$DUT_CPU" --no-pci --file-prefix "$DUT_PREFIX" \
			--huge-unlink -m 256 $(dut_vdevs memif "$tab" 1) -- --forward --duration 0 \
			--link-wait 60 --quiet >"$DUT_LOG" 2>&1 &
		ready="pktgen: port 1"
		;;
	harness)
		# The pcap harness alone: port 0's rx queue i to port 1's tx
		# queue i on lcore i, nothing looked at (testpmd's io
		# forwarding), built as the DUTs are.
		# shellcheck disable=SC2046
		ip netns exec "$NS" stdbuf -oL "$PKTGEN" --lcores "$(lcores_arg 0)" --no-pci \
			--file-prefix "$DUT_PREFIX" --huge-unlink $(dut_vdevs pcap "$tab" "$q") -- \
			--forward --queues "$q" --duration 0 --link-wait 60 --quiet >"$DUT_LOG" 2>&1 &
		ready="pktgen: links up"
		;;
	*) die "unknown DUT $kind" ;;
	esac
	DUT_PID=$!
	PIDS+=("$DUT_PID")
	# l3fwd's LPM takes its routes one rule at a time with a linear
	# search per prefix length: minutes for a million.
	limit=90
	[ "$tab" = internet ] && limit=900
	if ! wait_for "$limit" dut_says "$ready" || ! kill -0 "$DUT_PID" 2>/dev/null; then
		log "$kind did not start within $limit s (or exited); its log:"
		tail -30 "$DUT_LOG" >&2
		return 1
	fi
	if [ "$kind" = vbrd ]; then
		# Its static routes reach the FIB through the route ring: wait
		# until they all have.
		TABLE_ROUTES=$(table_routes "$tab")
		if ! wait_for 300 vbrd_routes_loaded; then
			log "vbrd's FIB does not hold the $TABLE_ROUTES routes after 300 s:"
			python3 "$ROOT/scripts/vbr-telemetry" "$DUT_PREFIX" "/vbr/fib,1.0.0.1" >&2
			return 1
		fi
		if [ "$method" = pcap ] && ! grep -q "net_pcap0 mac $PCAP_MAC" "$DUT_LOG"; then
			log "WARNING: vbrd's net_pcap0 is not $PCAP_MAC, the frames' destination MAC:"
			grep "port idc" "$DUT_LOG" >&2
		fi
	fi
	secs=$(elapsed_since_start)
	log "${LABEL[$kind]} ready after $secs s"
	echo "$secs" >>"$WORK/load-$tab-$kind"
	return 0
}

# Seconds since the DUT's process started (its load time included).
elapsed_since_start() {
	local hz st up

	hz=$(getconf CLK_TCK)
	st=$(awk '{ print $22 }' "/proc/$DUT_PID/stat" 2>/dev/null) || return
	up=$(awk '{ print $1 }' /proc/uptime)
	awk -v s="$st" -v h="$hz" -v u="$up" 'BEGIN { printf "%.1f", u - s / h }'
}

table_routes() {
	if [ "$1" = small ]; then echo "$SMALL"; else echo "$FULL"; fi
}

table_label() {
	local n

	n=$(table_routes "$1")
	if [ $((n % 1000000)) = 0 ]; then
		echo "$((n / 1000000))M"
	elif [ $((n % 1000)) = 0 ] && [ "$n" -ge 100000 ]; then
		echo "$((n / 1000))k"
	else
		echo "$n"
	fi
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
	[ "$n" -ge "$TABLE_ROUTES" ]
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

# run_gen NAME TABLE: the generator against the running DUT; its RESULT
# line on stdout. Zero-copy memif client: it needs --single-file-segments,
# and so keeps its hugepage files until it exits (removed after).
run_gen() {
	local prefix=vbrb-$ID-gen-$1 glog=$WORK/gen-$1.log pid rc

	PREFIXES+=("$prefix")
	ip netns exec "$NS" stdbuf -oL "$PKTGEN" -l "$GEN_CPU" --no-pci --file-prefix "$prefix" \
		--single-file-segments -m 256 \
		--vdev "net_memif0,role=client,id=0,socket=$SOCK0,socket-abstract=no,mac=$GEN_MAC0,zero-copy=yes" \
		--vdev "net_memif1,role=client,id=0,socket=$SOCK1,socket-abstract=no,mac=$GEN_MAC1,zero-copy=yes" \
		-- --dst-file "$WORK/tab-$2/routes.l3fwd" --dst-mac "$DUT_MAC0" --src-ip "$SRC_IP" \
		--size "$FRAME" --per-prefix "$PER_PREFIX" --templates "$FRAMES" \
		--warmup "$WARMUP" --duration "$DURATION" --link-wait 30 >"$glog" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	if ! timeout $((WARMUP + DURATION + 120)) tail --pid="$pid" -f /dev/null; then
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
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

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

	[ "$WAIT_QUIET" = 1 ] || return 0
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

# pcap_measure SECONDS Q: over SECONDS, the DUT's forwarded packets (port
# 1's opackets), received ones (port 0's ipackets), and the CPU time and
# run-queue wait of its Q busiest threads (the forwarding lcores), from its
# telemetry socket and /proc. One line: "pkts= in= secs= run_ns= wait_pct=
# out_total= in_total=" (the totals since the start).
pcap_measure() {
	python3 - "$DUT_PREFIX" "$DUT_PID" "$1" "$2" <<'EOF'
import json
import os
import socket
import sys
import time

prefix, pid, secs, q = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(os.path.join("/var/run/dpdk", prefix, "dpdk_telemetry.v2"))
bufsz = json.loads(s.recv(65536).decode()).get("max_output_len", 65536)


def stats(port):
    s.send(("/ethdev/stats,%d" % port).encode())
    return json.loads(s.recv(bufsz).decode())["/ethdev/stats"]


def threads():
    out = {}
    for tid in os.listdir("/proc/%s/task" % pid):
        try:
            run, wait = open("/proc/%s/task/%s/schedstat" % (pid, tid)).read().split()[:2]
        except (OSError, ValueError):
            continue
        out[tid] = (int(run), int(wait))
    return out


t0, th0, o0, i0 = time.monotonic(), threads(), stats(1)["opackets"], stats(0)["ipackets"]
time.sleep(secs)
t1, th1, o1, i1 = time.monotonic(), threads(), stats(1)["opackets"], stats(0)["ipackets"]
d = sorted(((th1[t][0] - th0[t][0], th1[t][1] - th0[t][1]) for t in th1 if t in th0),
           reverse=True)[:q]
run = sum(r for r, _ in d)
wait = max(w for _, w in d)
print("pkts=%d in=%d secs=%.3f run_ns=%d wait_pct=%.1f out_total=%d in_total=%d"
      % (o1 - o0, i1 - i0, t1 - t0, run, 100.0 * wait / 1e9 / (t1 - t0), o1, i1))
EOF
}

# profile CPUS SECONDS NAME: perf record -e cpu-clock on CPUS; the top
# symbols to $WORK/profile-NAME.txt.
profile() {
	local data=$WORK/perf-$3.data

	perf record -q -e cpu-clock -C "$1" -o "$data" -- sleep "$2" >/dev/null 2>&1 || {
		echo "perf record failed" >"$WORK/profile-$3.txt"
		return
	}
	perf report -i "$data" --stdio --sort dso,sym --percent-limit 1 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -14 >"$WORK/profile-$3.txt"
	rm -f "$data"
}

# bench_memif KIND TABLE RUN: one memif run, the DUT started for it; "mpps
# loss_pct busy_pct cycles_per_packet" appended to $WORK/res-SETTING-KIND. A
# run during which another task held the generator's or the DUT's CPU more
# than QUIET % of the time is run again (at most RETRIES times).
bench_memif() {
	local kind=$1 tab=$2 run=$3 set="memif-$2-1" try res bad t0 w0 busy mpps loss cyc ppid
	local pf=''

	for try in $(seq 0 "$RETRIES"); do
		wait_quiet
		if ! start_dut "$kind" memif "$tab" 1 "$run"; then
			stop_dut
			echo "failed to start" >"$WORK/fail-$set-$kind"
			return 1
		fi
		if [ "$PROFILE" = 1 ] && [ "$run" = 1 ] && [ "$try" = 0 ]; then
			case $kind in vbrd | l3fwd-lpm | null) pf=$set-$kind ;; esac
		fi
		t0=$(date +%s.%N)
		w0=$(dut_wait_ns)
		# The profile while the generator sends: perf's sampling costs
		# the DUT about 1 %.
		ppid=
		if [ -n "$pf" ]; then
			(sleep "$WARMUP" && profile "$DUT_CPU" "$DURATION" "$pf") &
			ppid=$!
		fi
		if ! res=$(run_gen "$kind-$run" "$tab"); then
			stop_dut
			echo "generator failed" >"$WORK/fail-$set-$kind"
			return 1
		fi
		[ -z "$ppid" ] || timeout 60 tail --pid="$ppid" -f /dev/null
		busy=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" -v w0="$w0" -v w1="$(dut_wait_ns)" \
			-v g="$(field "$res" wait_pct)" \
			'BEGIN { d = (w1 - w0) / 1e7 / (t1 - t0); if (g > d) d = g; printf "%d", d + 0.5 }')
		mpps=$(awk -v r="$(field "$res" rx_pps)" 'BEGIN { printf "%.3f", r / 1e6 }')
		loss=$(field "$res" loss_pct)
		cyc=$(awk -v m="$mpps" -v f="$TSC_MHZ" 'BEGIN { if (m > 0) printf "%.1f", f / m }')
		if [ "$kind" = vbrd ]; then
			python3 "$ROOT/scripts/vbr-telemetry" "$DUT_PREFIX" /vbr/stats \
				>"$WORK/vbrd-$set-$run.stats" 2>&1
		fi
		stop_dut
		log "${LABEL[$kind]} memif $tab run $run: $res busy_pct=$busy"
		if [ "$busy" -lt "$QUIET" ] || [ "$try" = "$RETRIES" ] || [ "$WAIT_QUIET" = 0 ]; then
			break
		fi
		# vbrd's main lcore shares the generator's CPU: its wake-ups
		# are not another task's.
		[ "$kind" = vbrd ] && break
		log "other tasks held the generator's or the DUT's CPU $busy % of that run: running it again"
	done
	bad=$(field "$res" rx_bad)
	if [ "$kind" != null ] && [ "${bad:-0}" != 0 ]; then
		log "WARNING: ${LABEL[$kind]} forwarded $bad packets without decrementing TTL or rewriting the MAC"
	fi
	check_vbrd_loss "$kind" "$loss" "$WORK/vbrd-$set-$run.stats"
	echo "$mpps $loss $busy $cyc" >>"$WORK/res-$set-$kind"
}

check_vbrd_loss() {
	if [ "$1" = vbrd ] && awk -v l="$2" 'BEGIN { exit !(l > 0.1) }'; then
		log "vbrd lost $2 %; its counters:"
		cat "$3" >&2
	fi
}

# bench_pcap KIND TABLE Q: the DUT started once (l3fwd's LPM takes minutes
# to load a million routes), warmed up, then RUNS measured windows, each
# measured again (at most RETRIES times) when another task held a
# forwarding CPU more than QUIET % of it; results as bench_memif's.
bench_pcap() {
	local kind=$1 tab=$2 q=$3 set="pcap-$2-$3" run try res busy mpps loss cyc

	wait_quiet
	if ! start_dut "$kind" pcap "$tab" "$q" 1; then
		stop_dut
		echo "failed to start" >"$WORK/fail-$set-$kind"
		return 1
	fi
	sleep "$WARMUP"
	for run in $(seq 1 "$RUNS"); do
		for try in $(seq 0 "$RETRIES"); do
			if ! res=$(pcap_measure "$DURATION" "$q"); then
				stop_dut
				echo "measurement failed" >"$WORK/fail-$set-$kind"
				return 1
			fi
			busy=$(awk -v w="$(field "$res" wait_pct)" 'BEGIN { printf "%d", w + 0.5 }')
			log "${LABEL[$kind]} pcap $tab $q lcore(s) run $run: $res busy_pct=$busy"
			[ "$busy" -lt "$QUIET" ] || [ "$try" = "$RETRIES" ] || [ "$WAIT_QUIET" = 0 ] && break
			# vbrd's main lcore shares a forwarding CPU when the
			# lcores take them all: its wake-ups are not another task's.
			[ "$kind" = vbrd ] && [ "$MAIN_CPU" = "${FWD_CPUS%% *}" ] && break
			log "other tasks held a forwarding CPU $busy % of that run: measuring again"
		done
		mpps=$(awk -v p="$(field "$res" pkts)" -v s="$(field "$res" secs)" \
			'BEGIN { printf "%.3f", p / s / 1e6 }')
		# Since the start: the two counters are not read at once.
		loss=$(awk -v p="$(field "$res" out_total)" -v i="$(field "$res" in_total)" \
			'BEGIN { printf "%.4f", (i > 0 ? 100 * (i - p) / i : 0) }')
		cyc=$(awk -v r="$(field "$res" run_ns)" -v p="$(field "$res" pkts)" -v f="$TSC_MHZ" \
			'BEGIN { if (p > 0) printf "%.1f", r / 1e3 * f / p }')
		echo "$mpps $loss $busy $cyc" >>"$WORK/res-$set-$kind"
	done
	# The profile after the measurement, same process.
	if [ "$PROFILE" = 1 ]; then
		case $kind in
		vbrd | l3fwd-lpm | harness)
			profile "${FWD_CPUS// /,}" "$((DURATION < 5 ? DURATION : 5))" "$set-$kind"
			;;
		esac
	fi
	if [ "$kind" = vbrd ]; then
		python3 "$ROOT/scripts/vbr-telemetry" "$DUT_PREFIX" /vbr/stats >"$WORK/vbrd-$set.stats" 2>&1
	fi
	stop_dut
	check_vbrd_loss "$kind" "$loss" "$WORK/vbrd-$set.stats"
}

# setting_kinds METHOD TABLE: the DUTs of a setting, and the harness's
# runs. memif's is measured with each table's traffic (the same FRAMES
# templates' count, other destinations); pcap's replay has FRAMES frames
# whatever the table.
setting_kinds() {
	local k=$DUTS

	if [ "$1" = memif ] && [ "$CEILING" = 1 ]; then
		k+=" null l3fwd-lpm-1route"
	elif [ "$1" = pcap ] && [ "$2" = "$HARNESS_TABLE" ]; then
		k+=" harness"
	fi
	echo "$k"
}

# --- main ------------------------------------------------------------------

need=640
case " $TABLES " in *" internet "*) need=1536 ;; esac
hugepages_check "$need"
build_vbr
build_l3fwd
[ "$PROFILE" = 0 ] || command -v perf >/dev/null || apt_need linux-perf /usr/bin/perf

for t in $TABLES; do
	log "writing the $t table ($(table_routes "$t") routes) and its pcaps"
	mkdir -p "$WORK/tab-$t"
	write_tables "$(table_routes "$t")" "$WORK/tab-$t" >"$WORK/tab-$t/info" ||
		die "cannot write the $t table"
	log "  $(cat "$WORK/tab-$t/info")"
done
# Covers every destination (rte_lpm has no /0).
printf 'R 0.0.0.0/1 1\nR 128.0.0.0/1 1\n' >"$WORK/route1.l3fwd"

ip netns add "$NS" || die "cannot create namespace $NS"
ip -n "$NS" link set lo up

TSC_MHZ=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2; exit }' /proc/cpuinfo)
declare -A LABEL=([vbrd]="vbrd" [l3fwd-lpm]="l3fwd-lpm" [l3fwd-fib]="l3fwd-fib"
	[null]="null DUT (pktgen --forward)" [l3fwd-lpm-1route]="l3fwd-lpm, 2 x /1"
	[harness]="harness (pktgen --forward)")
log "$LINK DPDK: vbrd $VBRD, l3fwd $L3FWD; $FRAME-byte frames, $RUNS run(s) of ${WARMUP}+${DURATION} s per DUT and setting"
log "l3fwd: $EXAMPLES/l3fwd built with its Makefile (make $LINK), patched copy: Rx checksum offload off (memif and net_pcap have none), IPV4_L3FWD_LPM_MAX_RULES 1024 -> $L3FWD_CAP, IPV4_L3FWD_LPM_NUMBER_TBL8S 256 -> 65536, FIB max_routes 65536 -> $L3FWD_CAP, mbuf pool floor 8192 -> 65536, route printing: the first 4"
for t in $TABLES; do
	if ! "$VBRD" -- -c "$WORK/tab-$t/vbrd-memif.yaml" --check >"$WORK/vbrd-check.log" 2>&1; then
		log "vbrd refuses the $t table: $(head -3 "$WORK/vbrd-check.log")"
		for m in $METHODS; do
			for q in $LCORES; do echo "refused the config" >"$WORK/fail-$m-$t-$q-vbrd"; done
		done
	fi
done

# The settings: method, table, lcores. memif: one forwarding lcore.
SETTINGS=()
for m in $METHODS; do
	for t in $TABLES; do
		if [ "$m" = memif ]; then
			SETTINGS+=("$m $t 1")
			continue
		fi
		for q in $LCORES; do
			if ! set_cpus "$q"; then
				log "pcap with $q lcores: this machine has $NCPU CPUs, skipped"
				continue
			fi
			SETTINGS+=("$m $t $q")
		done
	done
done
[ "${#SETTINGS[@]}" -gt 0 ] || die "nothing to run"

# memif: run by run, every DUT of a setting in turn, so that a slow spell
# of the host (a VM's neighbours) weighs on all of them alike; pcap: DUT by
# DUT, each started once.
HARNESS_TABLE=${TABLES%% *}
for s in "${SETTINGS[@]}"; do
	read -r m t q <<<"$s"
	set_cpus "$q"
	[ "$m" = memif ] && MAIN_CPU=$GEN_CPU FWD_CPUS=$DUT_CPU
	kinds=$(setting_kinds "$m" "$t")
	log "== $m, $t table, $q forwarding lcore(s) on CPU(s) $FWD_CPUS: $kinds"
	if [ "$m" = memif ]; then
		for run in $(seq 1 "$RUNS"); do
			for k in $kinds; do
				[ -e "$WORK/fail-$m-$t-$q-$k" ] || bench_memif "$k" "$t" "$run"
			done
		done
	else
		for k in $kinds; do
			[ -e "$WORK/fail-$m-$t-$q-$k" ] || bench_pcap "$k" "$t" "$q"
		done
	fi
done

# --- report ------------------------------------------------------------------

# res_stat SETTING KIND COLUMN: the median of the runs' COLUMN (1 Mpps, 2 loss,
# 4 cycles), or the worst (largest) with COLUMN 3 (busy).
res_stat() {
	local f=$WORK/res-$1-$2

	[ -s "$f" ] || return 1
	if [ "$3" = 3 ]; then
		awk '$3 > m { m = $3 } END { print m + 0 }' "$f"
	else
		awk -v c="$3" '{ print $c }' "$f" | median
	fi
}

# harness SETTING: the harness's cycles per packet for a setting.
harness() {
	local m t q

	read -r m t q <<<"${1//-/ }"
	if [ "$m" = memif ]; then
		res_stat "$1" null 4
	else
		res_stat "pcap-$HARNESS_TABLE-$q" harness 4
	fi
}

REPORT=$WORK/report.md
PLOT_DATA=$WORK/forwarding.dat
{
	echo "## Forwarding: vbrd and DPDK's l3fwd, same table, traffic and cores"
	echo
	echo "$(date -u +%Y-%m-%d), $(results_machine); TSC ~$TSC_MHZ MHz."
	echo "Command: \`$CMDLINE\` (as root; $LINK DPDK for vbrd and l3fwd alike)."
	if [ "$WAIT_QUIET" = 0 ]; then
		echo "Taken with -Q on a shared machine: other tasks ran beside it (busy %)."
	fi
	echo
	echo "$FRAME-byte frames, ${DURATION} s measured per run after ${WARMUP} s of warm-up, median of $RUNS run(s)."
	for t in $TABLES; do
		echo "Table $t: $(table_routes "$t") routes from \`tests/bench/pktgen/gen_table.py\` (${t}: $(sed 's/^[0-9]* routes in [^:]*: //' "$WORK/tab-$t/info"))."
	done
	for t in $TABLES; do
		line=
		for k in $DUTS; do
			[ -s "$WORK/load-$t-$k" ] || continue
			line+=", ${LABEL[$k]} $(median <"$WORK/load-$t-$k") s"
		done
		[ -z "$line" ] || echo "From start to forwarding with the $t table (median; vbrd: all routes in its FIB, /vbr/fib): ${line#, }."
	done
	echo
	for m in $METHODS; do
		if [ "$m" = memif ]; then
			echo "### memif: build/tests/pktgen on CPU $GEN_CPU, the DUT on CPU $DUT_CPU"
			echo
			echo "$FRAMES frames to destinations over the whole table (\`pktgen --templates $FRAMES\`: one mbuf per frame, shared with the DUT through memif zero-copy). Harness (own = total minus it): a null DUT, \`pktgen --forward\` (memif in, memif out), same traffic. One forwarding lcore: the generator needs a core of its own and sends on one queue."
		else
			echo "### pcap: the DUT alone, net_pcap replay in, net_null out"
			echo
			echo "$FRAMES frames to destinations over the whole table, replayed endlessly (\`net_pcap0,rx_pcap=...,infinite_rx=1\`, one file per rx queue), tx to \`net_null0,no-rx=1\`. Harness (own = total minus it): \`pktgen --forward --queues N\` (testpmd's io forwarding: rx queue i to tx queue i on lcore i) on the same devices, built as the DUTs are. Cycles: the forwarding lcores' CPU time over the packets forwarded. With as many lcores as CPUs, vbrd's main lcore shares CPU 0."
		fi
		echo
		echo "| DUT | table | lcores | Mpps (per lcore) | total cycles/packet | own cycles/packet | own / l3fwd-lpm's | loss % | busy % |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
		for s in "${SETTINGS[@]}"; do
			read -r sm t q <<<"$s"
			[ "$sm" = "$m" ] || continue
			set="$m-$t-$q"
			h=$(harness "$set")
			ref=$(res_stat "$set" l3fwd-lpm 4)
			refown=$(awk -v c="$ref" -v h="$h" 'BEGIN { if (c != "" && h != "" && c > h) printf "%.1f", c - h }')
			kinds=$(setting_kinds "$m" "$t")
			for k in $kinds; do
				if [ -e "$WORK/fail-$set-$k" ]; then
					echo "| ${LABEL[$k]} | $(table_label "$t") | $q | $(cat "$WORK/fail-$set-$k") | | | | | |"
					continue
				fi
				mp=$(res_stat "$set" "$k" 1) || continue
				cy=$(res_stat "$set" "$k" 4)
				own=
				ratio=
				case $k in
				vbrd | l3fwd-lpm | l3fwd-fib | l3fwd-lpm-1route)
					# Under the harness's own cost: the DUT did not
					# bound the rate (a busy generator, in memif).
					own=$(awk -v c="$cy" -v h="$h" 'BEGIN { if (h != "") printf (c > h ? "%.1f" : "n/a"), c - h }')
					ratio=$(awk -v o="$own" -v r="$refown" 'BEGIN { if (o + 0 > 0 && r > 0) printf "%.2f", o / r }')
					;;
				esac
				tlabel=$(table_label "$t")
				[ "$k" = harness ] && tlabel=-
				[ "$k" = l3fwd-lpm-1route ] && tlabel=2
				printf '| %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s |\n' "${LABEL[$k]}" \
					"$tlabel" "$q" "$mp" "$(awk -v m="$mp" -v q="$q" 'BEGIN { printf "%.2f", m / q }')" \
					"$cy" "${own:--}" "${ratio:--}" "$(res_stat "$set" "$k" 2)" "$(res_stat "$set" "$k" 3)"
				case $k in
				vbrd | l3fwd-lpm | l3fwd-fib) echo "$m-${q}lc $tlabel $k $mp" >>"$PLOT_DATA" ;;
				esac
			done
		done
		echo
	done
	echo "Mpps: forwarded, median of the runs. own: total cycles minus the harness's (same method and lcores; n/a: under it, the DUT did not bound the rate); vbrd's target is own / l3fwd-lpm's <= 0.9. busy: the largest share of a run during which other tasks held the DUT's (or the generator's) CPU; memif's figures are only the DUT's when it is low, as the generator's CPU is shared too."
	if [ "$PROFILE" = 1 ]; then
		echo
		echo "Profiles (-P: perf record -e cpu-clock on the forwarding CPUs, first run of each setting; memif: while the generator sends, pcap: after the runs): [forwarding_profiles.txt](results/forwarding_profiles.txt)."
	fi
} >"$REPORT"

# The plot: Mpps per router, by method, lcores and table.
PNG=
if [ -s "$PLOT_DATA" ]; then
	command -v gnuplot >/dev/null || apt_need gnuplot-nox /usr/bin/gnuplot
	python3 - "$PLOT_DATA" "$WORK/plot.dat" "$DUTS" <<'EOF'
import sys

src, dst, duts = sys.argv[1], sys.argv[2], sys.argv[3].split()
rows, order = {}, []
for line in open(src):
    setting, table, dut, mpps = line.split()
    key = "%s %s" % (setting, table)
    if key not in rows:
        rows[key] = {}
        order.append(key)
    rows[key][dut] = mpps
with open(dst, "w") as f:
    f.write("setting " + " ".join(duts) + "\n")
    for key in order:
        f.write("\"%s\" %s\n" % (key.replace(" ", "\\n"),
                                 " ".join(rows[key].get(d, "-") for d in duts)))
EOF
	if command -v gnuplot >/dev/null; then
		# -R: the plot stays in the work directory.
		[ "$WRITE_RESULTS" = 1 ] || RESULTS_DIR=$WORK
		mkdir -p "$RESULTS_DIR"
		PNG=$RESULTS_DIR/forwarding.png
		ncol=$(echo "$DUTS" | wc -w)
		gnuplot <<EOF 2>"$WORK/gnuplot.log" || { log "gnuplot failed: $(head -3 "$WORK/gnuplot.log")"; PNG=; }
set terminal pngcairo size 900,520 noenhanced font ",10"
set bmargin 4
set output "$PNG"
set title "Forwarding, $FRAME-byte frames ($LINK DPDK): Mpps by method, forwarding lcores, table"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "Mpps"
set yrange [0:*]
set key top left
set grid ytics
set datafile missing "-"
plot for [i=2:$((ncol + 1))] "$WORK/plot.dat" using i:xtic(1) title columnheader(i)
EOF
		[ -n "$PNG" ] && cp "$WORK/plot.dat" "$RESULTS_DIR/forwarding.dat"
	fi
fi
if [ -n "$PNG" ]; then
	printf '\n![Mpps per router, method and table](results/forwarding.png)\n' >>"$REPORT"
fi

# The profiles: beside the plot, and in the output.
if [ "$PROFILE" = 1 ]; then
	for f in "$WORK"/profile-*.txt; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .txt)
		printf '%s (%s DPDK, %s):\n' "${n#profile-}" "$LINK" "$(date -u +%Y-%m-%d)"
		cat "$f"
		echo
	done >"$WORK/profiles.txt"
	[ "$WRITE_RESULTS" = 1 ] && mkdir -p "$RESULTS_DIR" && cp "$WORK/profiles.txt" "$RESULTS_DIR/forwarding_profiles.txt"
fi

echo
cat "$REPORT"
if [ "$PROFILE" = 1 ]; then
	echo
	cat "$WORK/profiles.txt"
fi
if [ "$WRITE_RESULTS" = 1 ]; then
	results_put forwarding "$REPORT" && log "wrote the section \"forwarding\" of $RESULTS_MD"
fi
