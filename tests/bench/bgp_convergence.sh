#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Convergence and memory with a full table, vbrd beside a BIRD 2 receiver
# (issue 8, targets 2 and 4). A BIRD 2 sender in the IDC namespace announces
# an Internet-like table of N prefixes (tests/bench/pktgen/gen_table.py's
# length mix without the prefixes longer than /24, which vbrd filters by
# default), over plain eBGP (no TCP-MD5), first to vbrd through its net_tap
# IDC port, then to a BIRD 2 receiver in a namespace of its own (a veth from
# the IDC namespace; its RIB only, no kernel table). One session at a time,
# so the two receivers do not share the 2 CPUs or the sender. For each:
#
#  - from the session's Established (the receiver's own: vbrd's uptime_ms,
#    BIRD's "since" to the ms): all routes accepted in the RIB (vbrd's
#    prefixes_accepted, BIRD's "Routes: N imported"), and for vbrd all in
#    its FIB (/vbr/fib routes);
#  - the sender withdraws them all (birdc disable of its static protocol):
#    from that command, the same until empty;
#  - memory with the full table: vbrd's hugepages (DPDK's /eal/heap_info:
#    mapped, and allocated), its VmRSS and VmHWM, the BIRD receiver's, and
#    bytes per route;
#  - the FIB fill rate (routes over the time from the first to the last in
#    the FIB) and the FIB writer's counters (/vbr/fib: ops, batches).
#
# Counts are sampled every 20 ms on one connection per daemon (-i), so the
# times are that coarse, plus the time a reply takes. Each sample also sends
# "show status" to the sender: BIRD 2.0's main loop can otherwise sleep up
# to 3 s (its poll timeout) on the last partial batch of UPDATEs, on either
# receiver. Two attribute modes:
# "one" (every prefix the same attributes) and "paths" (one AS path per 5
# prefixes, set by bgp_path.prepend() on each of the sender's static
# routes). The results go to the "convergence" section of
# tests/bench/RESULTS.md, with a plot of routes over time per daemon
# (tests/bench/results/convergence.png, its data beside it).
# A measurement, not a test: it fails only if a table never arrives or never
# leaves within generous bounds. Run as root.
#
#   tests/bench/bgp_convergence.sh [-n ROUTES] [-p one|paths|both] [-R MAX_ROUTES]
#                                  [-i SECONDS] [-P] [-N NOTE] [-k]
#
#   -n ROUTES  table size (default 1000000)
#   -p MODE    attribute mode(s) (default both, in one run)
#   -R MAX     vbrd's fib max_routes (default ROUTES + 4096: room for the
#              table and the addresses of its own)
#   -i SECONDS sampling interval (default 0.02)
#   -P         perf record -e cpu-clock -g of vbrd during each fill; the top
#              symbols per thread are printed and kept beside the plot
#   -N NOTE    a note for RESULTS.md about the run (e.g. "a shared machine")
#   -k         keep the work directory (sender configs, logs, samples)

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOL=$HERE/conv_tool.py

N=1000000
MODES=both
INTERVAL=0.02
PERF=0
KEEP=0
NOTE=
MAX_ROUTES=
SINGLE=

usage() {
	sed -n '/^#   tests/,/^#   -k/p' "$0" | sed 's/^#//' >&2
	exit 2
}

while getopts "n:p:R:i:PN:kS:h" opt; do
	case $opt in
	n) N=$OPTARG ;;
	p) MODES=$OPTARG ;;
	R) MAX_ROUTES=$OPTARG ;;
	i) INTERVAL=$OPTARG ;;
	P) PERF=1 ;;
	N) NOTE=$OPTARG ;;
	k) KEEP=1 ;;
	S) SINGLE=$OPTARG ;; # internal: one mode, MODE:DIR
	*) usage ;;
	esac
done
case $N in '' | *[!0-9]*) usage ;; esac
[ "$N" -ge 1 ] || usage
MAX_ROUTES=${MAX_ROUTES:-$((N + 4096))}
# vbrd's forwarding lcore naps this long when a poll finds nothing
# (--idle-sleep): on 2 CPUs it shares one with the BIRD sender, and shorter
# naps (the e2e tests' 20 us) take the sender's CPU in wake-ups: measured
# here, 1.52-1.61 s to the full FIB with 20 us against 1.32-1.39 s with 100.
export VBR_IDLE_SLEEP=${VBR_IDLE_SLEEP:-100}
case $MAX_ROUTES in '' | *[!0-9]*) usage ;; esac
case $MODES in one | paths) ;; both) MODES="one paths" ;; *) usage ;; esac

# ---------------------------------------------------------------- one mode
# Runs in a child of its own (-S MODE:DIR): the topology, its cleanup on
# every exit path and its names are tests/e2e/lib.sh's, one set per mode.
run_mode() {
	local mode=${SINGLE%%:*} out=${SINGLE#*:}
	. "$ROOT/tests/e2e/bgp_lib.sh"
	# shellcheck disable=SC2034 # lib.sh's cleanup reads them
	KEEP_WORK=$KEEP NS_EXTRA=vbr-rcv-$E2E_ID
	NS_RCV=vbr-rcv-$E2E_ID
	# Generous but bounded: a full table over net_tap on a busy 2-core box.
	local bound=$((120 + N / 2000))
	local snd=$WORK/snd rcv=$WORK/rcv fib_base fib_full vbrd_wd bird_wd mem_vb mem_vf mem_bb mem_bf poll
	mkdir -p "$snd" "$rcv"

	log "mode $mode: $N routes, bounds $bound s, samples every $INTERVAL s"
	python3 "$TOOL" table -n "$N" -m "$mode" -o "$snd/table.conf" | sed 's/^/  /' ||
		{ fail "table"; finish; }

	# vbrd: one peer (the sender), room for the table in the FIB and the
	# peer's limit, hold time that outlasts a busy box, DPDK's dynamic
	# memory so that the heap's size is what vbrd uses.
	local hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	[ "$(cat $hp)" -ge 2048 ] || echo 2048 >$hp
	hugepages_setup
	BGP_PEERS=10.0.0.2 bgp_config "$WORK/vbr.yaml" 65001 "" drop $((N + 1024))
	sed -i -e "s|^fib: .*|fib: { max_routes: $MAX_ROUTES, max_tbl8: 1024 }|" \
		-e "s|hold_time: 9,|hold_time: 90,|" "$WORK/vbr.yaml"
	# The neighbours' MACs (lib.sh's) are static: their adjacencies (/32s
	# in the FIB) are there from the start and stay, so that the FIB's
	# count is its base and the table's routes, nothing learned meanwhile.
	cat >>"$WORK/vbr.yaml" <<YAML
neighbors:
  - { address: 10.0.0.2, mac: "02:00:00:00:1d:02" }
  - { address: 172.16.0.2, mac: "02:00:00:00:7c:02" }
YAML
	VBR_MEM_ARGS="" start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
	bgp_topology

	# The receiver, behind a veth from the IDC namespace.
	ip netns add "$NS_RCV"
	ip -n "$NS_RCV" link set lo up
	ip link add "cs$E2E_ID" netns "$NS_IDC" type veth peer name "cr$E2E_ID" netns "$NS_RCV"
	ip -n "$NS_IDC" addr add 10.9.0.1/30 dev "cs$E2E_ID"
	ip -n "$NS_RCV" addr add 10.9.0.2/30 dev "cr$E2E_ID"
	ip -n "$NS_IDC" link set "cs$E2E_ID" up
	ip -n "$NS_RCV" link set "cr$E2E_ID" up
	cat >"$rcv/bird.conf" <<CONF
router id 10.9.0.2;
log "$rcv/bird.log" all;
timeformat protocol iso long ms;
protocol device { }
protocol bgp snd {
  local 10.9.0.2 as 64999;
  neighbor 10.9.0.1 as 65001;
  hold time 90;
  connect retry time 2;
  ipv4 { import all; export none; };
}
CONF
	ip netns exec "$NS_RCV" timeout 7200 bird -f -c "$rcv/bird.conf" -s "$rcv/bird.ctl" \
		-P "$rcv/bird.pid" >"$rcv/stdout" 2>&1 &
	PIDS+=($!)

	# The sender: the table in static protocol st1, a session towards each
	# receiver, both disabled until their turn.
	cat >"$snd/bird.conf" <<CONF
router id 10.0.0.2;
log "$snd/bird.log" all;
timeformat protocol iso long ms;
protocol device { }
include "$snd/table.conf";
protocol bgp vbr {
  disabled;
  local 10.0.0.2 as 65001;
  neighbor 10.0.0.1 as 45104;
  strict bind yes;
  hold time 90;
  connect retry time 2;
  connect delay time 1;
  ipv4 { import none; export where source = RTS_STATIC; };
}
protocol bgp rcv {
  disabled;
  local 10.9.0.1 as 65001;
  neighbor 10.9.0.2 as 64999;
  hold time 90;
  connect retry time 2;
  connect delay time 1;
  ipv4 { import none; export where source = RTS_STATIC; };
}
CONF
	ip netns exec "$NS_IDC" timeout 7200 bird -f -c "$snd/bird.conf" -s "$snd/bird.ctl" \
		-P "$snd/bird.pid" >"$snd/stdout" 2>&1 &
	PIDS+=($!)
	snd_c() { ip netns exec "$NS_IDC" birdc -s "$snd/bird.ctl" "$@"; }
	# shellcheck disable=SC2317 # called through wait_for
	snd_loaded() { snd_c show protocols all st1 | grep -Eq "Routes:[[:space:]]+$N imported"; }
	wait_for 60 test -S "$snd/bird.ctl" -a -S "$rcv/bird.ctl" ||
		{ fail "BIRD did not start"; cat "$snd/stdout" "$rcv/stdout"; finish; }
	wait_for "$bound" snd_loaded || { fail "the sender did not load its table"; finish; }
	log "the sender holds the table"
	# BIRD's own pid (the one above is timeout's), for its memory.
	local rcv_pid
	rcv_pid=$(cat "$rcv/bird.pid")

	mem_vb=$(python3 "$TOOL" mem vbrd "$PREFIX" "$VBRD_PID") || fail "vbrd memory"
	mem_bb=$(python3 "$TOOL" mem bird "$rcv/bird.ctl" "$rcv_pid") || fail "BIRD memory"
	fib_base=$(fib_routes)

	# start_poll NAME ARGS...: the sampler in the background, once it has
	# taken its first sample.
	start_poll() {
		local name=$1
		shift
		python3 "$TOOL" poll "$@" --interval "$INTERVAL" --timeout "$bound" --poke "$snd/bird.ctl" \
			--out "$out/$name.jsonl" 2>"$WORK/$name.err" &
		poll=$!
		PIDS+=("$poll")
		wait_for 20 grep -q polling "$WORK/$name.err"
	}
	end_poll() {
		if wait "$poll"; then
			return 0
		fi
		fail "$1: $(tail -1 "$WORK/$1.err")"
		return 1
	}

	# vbrd: the fill.
	local perf_pid=
	if [ "$PERF" = 1 ]; then
		perf record -e cpu-clock -g -p "$VBRD_PID" -o "$out/perf.data" >"$WORK/perf.log" 2>&1 &
		perf_pid=$!
		PIDS+=("$perf_pid")
		sleep 1
	fi
	start_poll vbrd-fill vbrd "$PREFIX" 10.0.0.2 --until fill --want "$N" --base "$fib_base"
	snd_c enable vbr >/dev/null
	end_poll vbrd-fill && log "vbrd holds the table"
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"
		timeout 60 tail --pid="$perf_pid" -f /dev/null || kill -KILL "$perf_pid"
	fi
	mem_vf=$(python3 "$TOOL" mem vbrd "$PREFIX" "$VBRD_PID") || fail "vbrd memory"
	# vbrd: the withdrawal.
	fib_full=$(fib_routes)
	[ "$fib_full" = $((fib_base + N)) ] ||
		log "note: vbrd's FIB holds $fib_full routes with the table, $fib_base before it"
	start_poll vbrd-empty vbrd "$PREFIX" 10.0.0.2 --until empty --base $((fib_full - N))
	vbrd_wd=$(date +%s.%N)
	snd_c disable st1 >/dev/null
	end_poll vbrd-empty && log "vbrd's table is empty"
	snd_c disable vbr >/dev/null
	snd_c enable st1 >/dev/null
	wait_for "$bound" snd_loaded || { fail "the sender did not load its table again"; finish; }

	# The BIRD receiver: the same.
	start_poll bird-fill bird "$rcv/bird.ctl" snd --until fill --want "$N"
	snd_c enable rcv >/dev/null
	end_poll bird-fill && log "the BIRD receiver holds the table"
	mem_bf=$(python3 "$TOOL" mem bird "$rcv/bird.ctl" "$rcv_pid") || fail "BIRD memory"
	start_poll bird-empty bird "$rcv/bird.ctl" snd --until empty
	bird_wd=$(date +%s.%N)
	snd_c disable st1 >/dev/null
	end_poll bird-empty && log "the BIRD receiver's table is empty"
	snd_c disable rcv >/dev/null

	vbrd_alive || fail "vbrd died"
	cat >"$out/run.json" <<JSON
{"n": $N, "mode": "$mode", "interval": $INTERVAL, "fib_base": $fib_base,
 "fib_empty_base": $((fib_full - N)),
 "max_routes": $MAX_ROUTES,
 "idle_sleep_us": $VBR_IDLE_SLEEP,
 "vbrd_withdraw_t": $vbrd_wd, "bird_withdraw_t": $bird_wd,
 "mem": {"vbrd_base": ${mem_vb:-null}, "vbrd_full": ${mem_vf:-null},
         "bird_base": ${mem_bb:-null}, "bird_full": ${mem_bf:-null}}}
JSON
	if [ "$FAILS" = 0 ]; then
		python3 "$TOOL" summary "$out" >"$out/summary.json" || fail "summary"
	fi
	if [ "$PERF" = 1 ] && [ -s "$out/perf.data" ]; then
		perf_top "$out/perf.data" >"$out/perf.txt" 2>/dev/null
	fi
	[ "$FAILS" = 0 ] || cp "$WORK/vbrd.log" "$out/vbrd.log"
	finish
}

# perf_top FILE: each thread's share of the samples, and its top symbols
# (self time). vbrd's threads: "vbrd" is the main lcore (the FIB writer, the
# exception path), "rte-worker-N" a forwarding lcore (asleep in epoll_wait
# when idle), "vbr-ctrl" the control thread (BGP, decode, RIB, route ops).
perf_top() {
	local comm rep=(perf report -i "$1" --no-children -g none --stdio -q)
	echo "samples per thread (cpu-clock, all of vbrd's threads):"
	"${rep[@]}" --sort comm 2>/dev/null | grep -v '^$' | head -8
	for comm in $("${rep[@]}" --sort comm 2>/dev/null | awk '$1 + 0 >= 0.5 { print $2 }'); do
		echo "top symbols of $comm (percent of all samples):"
		"${rep[@]}" --comms "$comm" --sort dso,sym 2>/dev/null | grep -v '^$' | head -8
	done
}

if [ -n "$SINGLE" ]; then
	run_mode
	exit
fi

# ---------------------------------------------------------------- the run
log() { printf '%s %s\n' "$(date +%T)" "$*"; }
die() {
	log "ERROR: $*"
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (namespaces, hugepages)"
need=()
command -v bird >/dev/null || need+=(bird2)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
if [ "$PERF" = 1 ] && ! command -v perf >/dev/null; then
	need+=(linux-perf)
fi
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	apt-get update -qq >/dev/null
	apt-get install -y "${need[@]}" >/dev/null || die "apt-get install ${need[*]}"
fi
if [ ! -x "${VBRD:-$ROOT/build/vbrd}" ]; then
	log "building vbrd"
	bash "$ROOT/scripts/build.sh" >/dev/null || die "build"
fi
. "$HERE/results_lib.sh"

RUN=$(mktemp -d /tmp/vbr-conv.XXXXXX) || die "mktemp"
finish_run() {
	if [ "$KEEP" = 1 ]; then
		log "kept $RUN"
	else
		rm -rf "$RUN"
	fi
}
trap finish_run EXIT
trap 'exit 130' INT TERM

cmd="tests/bench/bgp_convergence.sh$(printf " %q" "$@")"
log "$cmd: $N routes, modes: $MODES"
busy=$(awk '{ print $1 }' /proc/loadavg)
started=$(date '+%Y-%m-%d %H:%M %Z')
rc=0
read -ra modes <<<"$MODES"
for mode in "${modes[@]}"; do
	mkdir -p "$RUN/$mode"
	args=(-n "$N" -R "$MAX_ROUTES" -i "$INTERVAL" -S "$mode:$RUN/$mode")
	[ "$PERF" = 1 ] && args+=(-P)
	[ "$KEEP" = 1 ] && args+=(-k)
	bash "$0" "${args[@]}" || rc=1
	if [ -f "$RUN/$mode/perf.txt" ]; then
		log "profile of vbrd during the fill, mode $mode:"
		sed 's/^/    /' "$RUN/$mode/perf.txt"
	fi
done
[ "$rc" = 0 ] || die "a run failed (see above)"

mkdir -p "$RESULTS_DIR"
cairo=()
echo 'set terminal' | gnuplot 2>&1 | grep -q pngcairo && cairo=(--cairo)
vbrd_v=$(git -C "$ROOT" describe --always --dirty 2>/dev/null) && vbrd_v="at $vbrd_v"
python3 "$TOOL" report "${cairo[@]}" --machine "$(results_machine)" --command "$cmd" \
	--load "$busy" --date "$started" --note "${NOTE:+; $NOTE}" --vbrd "${vbrd_v:-}" \
	--bird "$(bird --version 2>&1 | sed 's/ version / /')" \
	--png results/convergence.png --data "$RESULTS_DIR" "$RUN" "${modes[@]}" >"$RUN/section.md" ||
	die "report"
(cd "$RESULTS_DIR" && gnuplot convergence.gp) || die "gnuplot"
[ "$PERF" = 1 ] && for mode in "${modes[@]}"; do
	cp "$RUN/$mode/perf.txt" "$RESULTS_DIR/convergence-perf-$mode.txt"
done
results_put convergence "$RUN/section.md" || die "results_put"
cat "$RUN/section.md"
log "wrote the convergence section of $RESULTS_MD and $RESULTS_DIR/convergence.png"
