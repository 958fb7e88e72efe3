#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# FIB updates and FIB memory (issue 8, targets 3 and 4): runs
# build/tests/fib_bench (tests/bench/fib_bench.c) at each table size and
# writes the section "fib" of tests/bench/RESULTS.md, with the plot
# tests/bench/results/fib_ops.png and the raw figures and logs beside it
# (results/fib_N.txt, results/fib_N.log).
#
#   tests/bench/fib_bench.sh [-s "SIZES"] [-d SECONDS] [-S STABLE] [-T PCT] [-F] [-N NOTE]
#
#   -s  table sizes (default "100000 1000000")
#   -d  seconds of churn per size (default 10)
#   -S  stable prefixes the reader checks (default 1024)
#   -T  one more run at the first size with tbl8 groups for only PCT % of the
#       /24s that need one, so that idle groups are unhooked and reused
#       under the reader (default 50; 0: none)
#   -F  skip the bare rte_fib floor
#   -N  a note for the section (e.g. "shared machine")
#
# Run as root (hugepages; without enough free 2 MiB pages it runs on
# --no-huge memory and says so). The writer runs on CPU 0 and the reader on
# CPU 1, in a network namespace of its own (the program uses no network).
# Builds fib_bench and installs gnuplot if they are missing.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VBR_BUILD:-$ROOT/build}
BIN=$BUILD/tests/fib_bench
. "$HERE/results_lib.sh"

SIZES="100000 1000000"
CHURN_S=10
STABLE=1024
FLOOR=-F
TIGHT=50
NOTE=
NEED_PAGES=1024 # 2 GiB: the two rte_fib copies hold 1.1 GiB at any size
RUN_TIMEOUT=1800

usage() {
	sed -n '9,18p' "$0" >&2
	exit 2
}

while getopts "s:d:S:T:FN:h" opt; do
	case $opt in
	s) SIZES=$OPTARG ;;
	d) CHURN_S=$OPTARG ;;
	S) STABLE=$OPTARG ;;
	T) TIGHT=$OPTARG ;;
	F) FLOOR= ;;
	N) NOTE=$OPTARG ;;
	*) usage ;;
	esac
done
case "$CHURN_S$STABLE$TIGHT${SIZES// /}" in *[!0-9]*) usage ;; esac
[ -n "${SIZES// /}" ] || usage

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (hugepages)"

PID=
WORK=$(mktemp -d /tmp/vbr-fib-bench.XXXXXX) || die "mktemp"
cleanup() {
	local rc=$?

	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		if ! timeout 15 tail --pid="$PID" -f /dev/null; then
			kill -KILL "$PID" 2>/dev/null
		fi
		wait "$PID" 2>/dev/null
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- what it needs ---
if ! command -v meson >/dev/null || ! pkg-config --exists libdpdk 2>/dev/null; then
	log "installing the build dependencies (scripts/deps.sh)"
	bash "$ROOT/scripts/deps.sh" >"$WORK/deps.log" 2>&1 ||
		die "scripts/deps.sh failed: $(tail -3 "$WORK/deps.log")"
fi
if ! command -v gnuplot >/dev/null; then
	log "installing gnuplot-nox"
	{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends gnuplot-nox; } >"$WORK/apt.log" 2>&1 ||
		die "apt-get install gnuplot-nox failed: $(tail -3 "$WORK/apt.log")"
fi
if [ -d "$BUILD" ]; then
	ninja -C "$BUILD" tests/fib_bench >"$WORK/build.log" 2>&1 ||
		die "build failed: $(tail -5 "$WORK/build.log")"
else
	(cd "$ROOT" && bash scripts/build.sh) >"$WORK/build.log" 2>&1 ||
		die "build failed: $(tail -5 "$WORK/build.log")"
fi
[ -x "$BIN" ] || die "no $BIN after the build"
command -v unshare >/dev/null || die "unshare (util-linux) is needed"

# --- hugepages ---
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
free_pages() { cat "$hp/free_hugepages" 2>/dev/null || echo 0; }
MEM_ARGS=(--in-memory)
MEM_NOTE="2 MiB hugepages"
if [ "$(free_pages)" -lt "$NEED_PAGES" ] && [ -w "$hp/nr_hugepages" ]; then
	echo $(($(cat "$hp/nr_hugepages") + NEED_PAGES - $(free_pages))) >"$hp/nr_hugepages" 2>/dev/null
fi
if [ "$(free_pages)" -lt "$NEED_PAGES" ]; then
	log "fewer than $NEED_PAGES free 2 MiB hugepages: running on --no-huge memory"
	MEM_ARGS=(--no-huge --no-shconf -m 4096)
	MEM_NOTE="no free hugepages: --no-huge (anonymous 4 KiB pages)"
fi

# --- the runs ---
mkdir -p "$RESULTS_DIR"
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M UTC')
# run NAME ARGS...: fib_bench ARGS, figures in results/NAME.txt, output in NAME.log.
run() {
	local name=$1 rc
	shift
	timeout -k 10 "$RUN_TIMEOUT" unshare -n "$BIN" -l 0,1 --no-pci --no-telemetry \
		--log-level=lib.eal:error "${MEM_ARGS[@]}" -- -s "$STABLE" -d "$CHURN_S" "$@" \
		-o "$WORK/$name.txt" >"$WORK/$name.log" 2>&1 &
	PID=$!
	wait "$PID"
	rc=$?
	PID=
	grep -v '^fib: route' "$WORK/$name.log" >&2
	[ "$rc" = 0 ] || die "fib_bench $* exited with status $rc"
	cp "$WORK/$name.txt" "$WORK/$name.log" "$RESULTS_DIR/"
}
for n in $SIZES; do
	log "fib_bench: $n routes, ${CHURN_S} s of churn"
	run "fib_$n" -n "$n" $FLOOR
done
FIRST=${SIZES%% *}
if [ "$TIGHT" != 0 ]; then
	log "fib_bench: $FIRST routes, tbl8 groups for $TIGHT % of the /24s that need one"
	run "fib_${FIRST}_tight" -n "$FIRST" -t "$TIGHT"
fi

# --- the section ---
# val N KEY: the figure KEY of size N.
val() { rval "fib_$1" "$2"; }
rval() { awk -v k="$2" '$1 == k { print $2 }' "$RESULTS_DIR/$1.txt"; }
# fmt NUMBER [DIVISOR] [DECIMALS]: grouped thousands.
fmt() { LC_ALL=C awk -v x="$1" -v d="${2:-1}" -v p="${3:-0}" 'BEGIN {
	s = sprintf("%." p "f", x / d); i = s; f = ""
	if (index(s, ".")) { i = substr(s, 1, index(s, ".") - 1); f = substr(s, index(s, ".")) }
	r = ""
	while (length(i) > 3) { r = "," substr(i, length(i) - 2) r; i = substr(i, 1, length(i) - 3) }
	print i r f }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
LAST=${SIZES##* }
LAST=${LAST:-$SIZES}
TARGET_OPS=1000000
BUDGET=$((512 * 1048576))
ENGINE=$(git -C "$ROOT" log -1 --format='%h %cs' -- lpm 2>/dev/null || echo '?')

row() { # row LABEL TARGET RATIO CELL...
	local label=$1 target=$2 r=$3 line
	shift 3
	line="| $label |"
	for c in "$@"; do line="$line $c |"; done
	printf '%s %s | %s |\n' "$line" "$target" "$r"
}
cells() { # cells CMD: CMD N for each size
	local n out=()
	for n in $SIZES; do out+=("$("$@" "$n")"); done
	printf '%s\n' "${out[@]}"
}
ops_cell() { fmt "$(val "$2" "$1_ops_per_s")"; }
cyc_cell() { printf '%s / %s / %s' "$(fmt "$(val "$1" load_cycles_per_op)")" \
	"$(fmt "$(val "$1" delete_cycles_per_op)")" "$(fmt "$(val "$1" churn_cycles_per_op)")"; }
look_cell() { printf '%s M (%s M)' "$(fmt "$(val "$1" churn_lookups_per_s)" 1e6 1)" \
	"$(fmt "$(val "$1" quiet_lookups_per_s)" 1e6 1)"; }
wrong_cell() { val "$1" total_wrong; }
lost_cell() { val "$1" total_lost; }
mem_cell() { # mem_cell KIND N
	local b r
	b=$(val "$2" "$1_loaded_bytes")
	r=$(val "$2" fib_routes_loaded)
	printf '%s MiB (empty %s), %s B/route' "$(fmt "$b" 1048576 1)" \
		"$(fmt "$(val "$2" "$1_create_bytes")" 1048576 1)" "$(fmt "$b" "$r")"
}
total_bytes() { awk -v a="$(val "$1" huge_loaded_bytes)" -v b="$(val "$1" heap_loaded_bytes)" \
	'BEGIN { printf "%.0f", a + b }'; }
total_cell() { printf '%s MiB' "$(fmt "$(total_bytes "$1")" 1048576 1)"; }
floor_cell() { local v; v=$(val "$1" floor_add_ops_per_s); [ -n "$v" ] && fmt "$v" || echo -; }
met() { awk -v r="$1" -v up="$2" 'BEGIN { ok = up ? r >= 1 : r <= 1; print ok ? "met" : "not met" }'; }

mapfile -t C_LOAD < <(cells ops_cell load)
mapfile -t C_DEL < <(cells ops_cell delete)
mapfile -t C_CHURN < <(cells ops_cell churn)
mapfile -t C_CYC < <(cells cyc_cell)
mapfile -t C_LOOK < <(cells look_cell)
mapfile -t C_WRONG < <(cells wrong_cell)
mapfile -t C_LOST < <(cells lost_cell)
mapfile -t C_HUGE < <(cells mem_cell huge)
mapfile -t C_HEAP < <(cells mem_cell heap)
mapfile -t C_TOTAL < <(cells total_cell)
mapfile -t C_FLOOR < <(cells floor_cell)
r_load=$(ratio "$(val "$LAST" load_ops_per_s)" $TARGET_OPS)
r_del=$(ratio "$(val "$LAST" delete_ops_per_s)" $TARGET_OPS)
r_churn=$(ratio "$(val "$LAST" churn_ops_per_s)" $TARGET_OPS)
r_mem=$(ratio "$(total_bytes "$LAST")" $BUDGET)
bad=0
stalls=0
RUNS=
for n in $SIZES; do RUNS="$RUNS fib_$n"; done
[ "$TIGHT" = 0 ] || RUNS="$RUNS fib_${FIRST}_tight"
for r in $RUNS; do
	bad=$((bad + $(rval "$r" total_wrong) + $(rval "$r" total_lost)))
	stalls=$((stalls + $(rval "$r" grace_stalls)))
done
[ "$bad" = 0 ] && r_ok=met || r_ok="NOT met"
head="| figure |"
rule="| --- |"
for n in $SIZES; do
	head="$head $(fmt "$n") routes |"
	rule="$rule ---: |"
done

# The plot: ops/s per size, for load, delete and churn, and the target.
DAT=$RESULTS_DIR/fib_ops.dat
{
	echo "# routes label load_ops_per_s delete_ops_per_s churn_ops_per_s"
	for n in $SIZES; do
		label=$(awk -v n="$n" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6;
			else if (n >= 1e3) printf "%gk", n / 1e3; else print n }')
		echo "$n $label $(val "$n" load_ops_per_s) $(val "$n" delete_ops_per_s)" \
			"$(val "$n" churn_ops_per_s)"
	done
} >"$DAT"
YMAX=$(awk -v t=$TARGET_OPS '!/^#/ { for (i = 3; i <= 5; i++) if ($i > m) m = $i }
	END { if (t > m) m = t; print m * 1.15 }' "$DAT")
gnuplot >"$WORK/gnuplot.log" 2>&1 <<EOF || die "gnuplot failed: $(tail -3 "$WORK/gnuplot.log")"
set terminal pngcairo size 800,480 noenhanced
set output "$RESULTS_DIR/fib_ops.png"
set title "FIB route ops/s through the route ring, a reader lcore looking up throughout"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "route ops per second"
set xlabel "routes in the table"
set yrange [0:$YMAX]
set format y "%.1s%c"
set key below
set grid ytics
plot "$DAT" using 3:xtic(2) title "load (adds)", \
	'' using 4 title "delete", \
	'' using 5 title "churn (${CHURN_S} s)", \
	$TARGET_OPS with lines lw 2 dt 2 lc rgb "black" title "target: 1,000,000"
EOF

CMD="tests/bench/fib_bench.sh -s \"$SIZES\" -d $CHURN_S -S $STABLE"
[ -n "$FLOOR" ] || CMD="$CMD -F"
[ -z "$NOTE" ] || CMD="$CMD -N \"$NOTE\""
SECTION=$WORK/section.md
{
	echo "## FIB updates and memory (fib)"
	echo
	echo "\`$CMD\`, $START."
	echo "$(results_machine); $MEM_NOTE; load average before the run $LOADAVG."
	echo "FIB engine: lpm/ as of commit $ENGINE.${NOTE:+ $NOTE.}"
	if [ "$stalls" != 0 ]; then
		echo "$stalls grace period(s) outlasted 1 s: another task held the reader's CPU."
	fi
	echo
	cat <<EOF
Route ops go through the route ring with ROUTE_OP_F_RESULT as the RIB sends them;
the writer runs on the main lcore (CPU 0), which also sends the ops and reads the
answers, and an op counts once its answer, sent when the op is visible to readers,
is read. Meanwhile a reader lcore (CPU 1) looks up addresses in $STABLE stable
prefixes, 32 per bulk with a quiescent state after each, and checks every answer:
"wrong" is another next hop, "lost" no route. The churn adds, replaces and deletes
table routes and, around the stable prefixes, more specifics inside them (off the
addresses looked up), siblings in their /24s and prefixes above them, at full
speed. Memory: what fib_create and the loaded table hold (DPDK heap:
heap_allocsz_bytes; C heap: mallinfo2 uordblks + hblkhd).
EOF
	echo
	echo "$head target | $(fmt "$LAST") / target |"
	echo "$rule --- | --- |"
	row "load: route adds/s, until all visible" "&ge; 1,000,000" "$r_load ($(met "$r_load" 1))" "${C_LOAD[@]}"
	row "delete of all: ops/s" "&ge; 1,000,000" "$r_del ($(met "$r_del" 1))" "${C_DEL[@]}"
	row "churn while forwarding: ops/s" "&ge; 1,000,000" "$r_churn ($(met "$r_churn" 1))" "${C_CHURN[@]}"
	row "cycles per op: load / delete / churn" "" "" "${C_CYC[@]}"
	row "reader lookups/s: during churn (without writes)" "" "" "${C_LOOK[@]}"
	row "wrong answers (misrouted), all phases" "0" "$r_ok" "${C_WRONG[@]}"
	row "no-route answers (lost), all phases" "0" "$r_ok" "${C_LOST[@]}"
	if [ "$TIGHT" != 0 ]; then
		t=fib_${FIRST}_tight
		echo "| the same, tbl8 groups short (-T $TIGHT), $(fmt "$FIRST") routes: wrong / lost |" \
			"$(rval $t total_wrong) / $(rval $t total_lost) ($(fmt "$(rval $t churn_refused)") of" \
			"$(fmt "$(rval $t churn_ops)") churn ops refused for want of a group) |" \
			"$(for n in ${SIZES#"$FIRST"}; do printf ' |'; done) 0 / 0 | $r_ok |"
	fi
	row "FIB hugepages (DPDK heap) with the table" "" "" "${C_HUGE[@]}"
	row "FIB C heap with the table" "" "" "${C_HEAP[@]}"
	row "FIB in all with the table" "&lt; 512 MiB for all of vbrd" "$r_mem ($(met "$r_mem" 0))" "${C_TOTAL[@]}"
	if [ -n "$FLOOR" ]; then
		row "floor: bare rte_fib adds/s (one copy, no ring, no reader)" "reference" "" "${C_FLOOR[@]}"
	fi
	echo
	echo "![FIB route ops per second](results/fib_ops.png)"
	echo
	echo "Raw figures and the program's output: results/fib_N.txt, results/fib_N.log;"
	echo "plot data: results/fib_ops.dat."
} >"$SECTION"
results_put fib "$SECTION" || die "results_put failed"
cat "$SECTION"
log "section fib of $RESULTS_MD written"
