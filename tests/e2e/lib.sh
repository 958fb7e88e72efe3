# SPDX-License-Identifier: BSD-3-Clause
# Shared by the end-to-end tests and the demo: namespaces, vbrd with net_tap
# ports whose kernel sides live in an IDC and a VPC namespace, and bounded
# waits. Every test gets names of its own and cleans up what it started.
#
# Topology (docs/ARCHITECTURE.md, Test topology and benchmarks):
#   ns IDC: tap kernel side 10.0.0.2/30, host 192.168.1.1 behind it
#   ns VBR: vbrd (and its exception taps vbr-idc 10.0.0.1, vbr-vpc 172.16.0.1)
#   ns VPC: tap kernel side 172.16.0.2/30, host 172.20.0.10 behind it

set -u

VBR_ROOT=${VBR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VBR_BUILD=${VBR_BUILD:-$VBR_ROOT/build}
VBRD=${VBRD:-$VBR_BUILD/vbrd}
E2E_ID=${E2E_ID:-$$}
NS_IDC=vbr-idc-$E2E_ID
NS_VPC=vbr-vpc-$E2E_ID
NS_VBR=vbr-vbr-$E2E_ID
TAP_IDC=ti$E2E_ID
TAP_VPC=tv$E2E_ID
PREFIX=vbr-e2e-$E2E_ID
WORK=$(mktemp -d /tmp/vbr-e2e.XXXXXX)
# vbrd's management sockets: the test's own, never the default /run/vbr
# paths (a second vbrd refuses a path another one serves).
VBR_SOCK=$WORK/vbrd.sock
VBR_RO_SOCK=$WORK/vbrd-ro.sock
VBRD_PID=
PIDS=()
FAILS=0

log() { printf '%s %s\n' "$(date +%T)" "$*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }

# wait_for SECONDS CMD...: poll CMD until it succeeds; 1 once SECONDS have
# passed on the clock (however long each try of CMD takes).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			return 1
		fi
		sleep 0.2
	done
	return 0
}

hugepages_setup() {
	local hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	if [ "$(cat $hp)" -lt 1024 ]; then
		echo 1024 >$hp
	fi
	if ! mountpoint -q /dev/hugepages; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages
	fi
}

# cleanup: on every exit. NS_EXTRA: more namespaces of the script's own
# (blank-separated) to delete with the topology's.
cleanup() {
	local p rc=$? st
	if [ -n "$VBRD_PID" ] && kill -0 "$VBRD_PID" 2>/dev/null; then
		kill -TERM "$VBRD_PID" 2>/dev/null
		if timeout 15 tail --pid="$VBRD_PID" -f /dev/null; then
			wait "$VBRD_PID"
			st=$?
			if [ "$st" -ne 0 ]; then
				log "FAIL: vbrd exited with status $st on SIGTERM"
				rc=1
			fi
		else
			log "FAIL: vbrd did not stop within 15 s of SIGTERM"
			kill -KILL "$VBRD_PID" 2>/dev/null
			rc=1
		fi
	fi
	# A sanitized vbrd (build-asan) reports leaks and errors at exit.
	if [ -f "$WORK/vbrd.log" ] &&
		grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/vbrd.log"; then
		log "FAIL: sanitizer report in vbrd's log:"
		grep -E -A20 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/vbrd.log" | head -60
		rc=1
	fi
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		timeout 5 tail --pid="$p" -f /dev/null || kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$NS_IDC" 2>/dev/null
	ip netns del "$NS_VPC" 2>/dev/null
	ip netns del "$NS_VBR" 2>/dev/null
	for ns in ${NS_EXTRA:-}; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$PREFIX" "/dev/hugepages/${PREFIX}"map_* 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# write_config FILE [extra yaml]: the topology's config, static routes both ways.
write_config() {
	cat >"$1" <<YAML
vbr:
  name: e2e-$E2E_ID
ports:
  idc: { device: net_tap0, address: 10.0.0.1/30 }
  vpc: { device: net_tap1, address: 172.16.0.1/30 }
fib: { max_routes: 65536, max_tbl8: 1024 }
routes:
  - { prefix: 192.168.0.0/16, next_hop: 10.0.0.2 }
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
${2:-}
YAML
}

VBRCTL=${VBRCTL:-$VBR_BUILD/vbrctl}

# start_vbrd CONFIG: vbrd in its own namespace; the data taps' kernel sides
# are then moved into the IDC and VPC namespaces and addressed there.
# VBRD_ARGS: more of vbrd's own options (after --), split on blanks;
# VBR_MEM_ARGS: EAL's memory options in place of "-m 1024" ("": DPDK's
# dynamic memory, hugepages mapped as the heap grows). VBR_HUGE_UNLINK: in
# place of "--huge-unlink" ("": the hugepage files stay, so that a secondary
# process such as dpdk-dumpcap can map them; cleanup removes them).
start_vbrd() {
	local cfg=$1
	# VBR_NETNS_MODE: "" runs vbrd in $NS_VBR (ip netns exec), "option"
	# lets vbrd make and enter it (--netns), "host" runs vbrd where the
	# test runs (the exception taps then live there).
	case "${VBR_NETNS_MODE:-}" in
	option | host) ;;
	*)
		ip netns add "$NS_VBR"
		ip -n "$NS_VBR" link set lo up
		;;
	esac
	ip netns add "$NS_IDC"
	ip netns add "$NS_VPC"
	ip -n "$NS_IDC" link set lo up
	ip -n "$NS_VPC" link set lo up
	# The far ends speak IPv4 only: no router solicitations or MLD to count.
	for ns in "$NS_IDC" "$NS_VPC"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	# Hosts behind each side.
	ip -n "$NS_IDC" addr add 192.168.1.1/32 dev lo
	ip -n "$NS_VPC" addr add 172.20.0.10/32 dev lo
	launch_vbrd "$cfg"
}

# launch_vbrd CONFIG: vbrd itself, in namespaces start_vbrd made (again
# after a kill: its taps went with it); the taps' kernel sides are moved
# and addressed as start_vbrd says.
launch_vbrd() {
	local cfg=$1 run=(ip netns exec "$NS_VBR") opt=() vbr_ns=(-n "$NS_VBR")
	case "${VBR_NETNS_MODE:-}" in
	option) run=() opt=(--netns "$NS_VBR") ;;
	host) run=() vbr_ns=() ;;
	esac
	# Emptied here, not only by the redirect below: that runs in the
	# background job, maybe after the first wait_for has read an earlier
	# vbrd's "forwarding on" (a test that starts vbrd twice).
	: >"$WORK/vbrd.log"
	# shellcheck disable=SC2086
	"${run[@]}" "$VBRD" ${VBR_LCORES:--l 0,1} --file-prefix "$PREFIX" --no-pci ${VBR_HUGE_UNLINK---huge-unlink} ${VBR_MEM_ARGS--m 1024} \
		--vdev "net_tap0,iface=$TAP_IDC" --vdev "net_tap1,iface=$TAP_VPC" \
		--log-level 'vbr.*:debug' -- -c "$cfg" --idle-sleep "${VBR_IDLE_SLEEP:-20}" "${opt[@]}" \
		--socket "$VBR_SOCK" --ro-socket "$VBR_RO_SOCK" \
		${VBRD_ARGS:-} >"$WORK/vbrd.log" 2>&1 &
	VBRD_PID=$!
	# Its ports are started once it says it forwards.
	if ! wait_for 60 grep -q "forwarding on" "$WORK/vbrd.log"; then
		log "vbrd did not start:"
		cat "$WORK/vbrd.log"
		return 1
	fi
	ip "${vbr_ns[@]}" link set "$TAP_IDC" netns "$NS_IDC"
	ip "${vbr_ns[@]}" link set "$TAP_VPC" netns "$NS_VPC"
	# The kernel sides play the far routers: MACs of their own (LAB.md).
	ip -n "$NS_IDC" link set "$TAP_IDC" address 02:00:00:00:1d:02 up
	ip -n "$NS_VPC" link set "$TAP_VPC" address 02:00:00:00:7c:02 up
	ip -n "$NS_IDC" addr add 10.0.0.2/30 dev "$TAP_IDC"
	ip -n "$NS_VPC" addr add 172.16.0.2/30 dev "$TAP_VPC"
	ip -n "$NS_IDC" route add default via 10.0.0.1
	ip -n "$NS_VPC" route add default via 172.16.0.1
}

# log_times ERE [FILE]: the time (seconds since the epoch, to the ms) of each
# line of vbrd's log matching ERE, in order. vbrd stamps every log line, so
# tests measure its timers from the events themselves, not from when a
# check happened to run.
log_times() {
	grep -E -- "$1" "${2:-$WORK/vbrd.log}" | python3 -c '
import sys, datetime
for line in sys.stdin:
    try:
        t = datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        continue
    print("%.3f" % t.replace(tzinfo=datetime.timezone.utc).timestamp())'
}

# log_next START_ERE ERE: the time of the first line matching ERE that comes
# after (in the log's order) the first line matching START_ERE. Lines logged
# in the same millisecond are told apart by their order, not their stamps.
log_next() {
	awk -v s="$1" -v e="$2" 'f && $0 ~ e { print; exit } !f && $0 ~ s { f = 1 }' \
		"$WORK/vbrd.log" | log_times . /dev/stdin
}

vbrd_alive() { kill -0 "$VBRD_PID" 2>/dev/null; }

# vbr_tel CMD: a DPDK telemetry command to vbrd, its JSON reply on stdout.
vbr_tel() { python3 "$VBR_ROOT/scripts/vbr-telemetry" "$PREFIX" "$@"; }

# counter PORT NAME
counter() {
	vbr_tel /vbr/stats | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/stats']['$1']['$2'])"
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		log "$FAILS check(s) failed; vbrd's log:"
		cat "$WORK/vbrd.log"
		exit 1
	fi
	log "all checks passed"
	exit 0
}
