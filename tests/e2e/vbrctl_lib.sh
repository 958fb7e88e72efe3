# SPDX-License-Identifier: BSD-3-Clause
# Shared by the vbrctl end-to-end tests (issue 7): vbrctl on vbrd's
# management sockets (the test's own: lib.sh), timed mutating commands,
# config snapshots, and one BIRD 2 per vbr peer, its config rewritten and
# reloaded with `birdc configure` when a key changes.
. "$(dirname "${BASH_SOURCE[0]}")/bgp_lib.sh"

VBRCTL=${VBRCTL:-$VBR_BUILD/vbrctl}
SOCK=$VBR_SOCK
# shellcheck disable=SC2034 # the tests' name for it
RO_SOCK=$VBR_RO_SOCK
TOOL=(python3 "$VBR_ROOT/tests/e2e/vbrctl_tool.py")
ACK_MS=()

# ctl ARGS...: vbrctl on the read-write socket; ctl_on SOCKET ARGS...: on
# another (the read-only one). Each bounded by 10 s.
ctl() { timeout 10 "$VBRCTL" -s "$SOCK" "$@"; }
ctl_on() { local s=$1; shift; timeout 10 "$VBRCTL" -s "$s" "$@"; }

# ctl_get WHAT KEY=VALUE FIELD: FIELD of the record of `vbrctl show WHAT`
# whose KEY is VALUE (KEY=VALUE "-": the first record).
ctl_get() { ctl show "$1" --json | "${TOOL[@]}" get "$2" "$3"; }

# ack ARGS...: a mutating vbrctl command that must succeed; its time (the
# client's whole run: connect, request, apply, file written and fsynced,
# answer) is kept for ack_summary. Its stderr is in $WORK/ctl.err.
ack() {
	local t0 t1 rc
	t0=$(date +%s%N)
	ctl "$@" >"$WORK/ctl.out" 2>"$WORK/ctl.err"
	rc=$?
	t1=$(date +%s%N)
	if [ "$rc" -eq 0 ]; then
		ACK_MS+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')")
		return 0
	fi
	fail "vbrctl $* exited $rc: $(cat "$WORK/ctl.err")"
	return 1
}

ack_summary() {
	printf '%s\n' "${ACK_MS[@]}" | "${TOOL[@]}" stats
}

# refused SOCKET ERE ARGS...: vbrctl on SOCKET fails (non-zero exit) with a
# message on stderr that matches ERE (case-insensitive), and nothing printed
# as a success; the message is in $WORK/ctl.err.
refused() {
	local s=$1 ere=$2 rc
	shift 2
	timeout 10 "$VBRCTL" -s "$s" "$@" >"$WORK/ctl.out" 2>"$WORK/ctl.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		log "vbrctl $* exited 0 (stdout: $(cat "$WORK/ctl.out"))"
		return 1
	fi
	if [ "$rc" -eq 124 ]; then
		log "vbrctl $* got no answer within 10 s"
		return 1
	fi
	if ! grep -Eiq -- "$ere" "$WORK/ctl.err"; then
		log "vbrctl $* exited $rc; its message does not match /$ere/: $(cat "$WORK/ctl.err")"
		return 1
	fi
	return 0
}

# config_snapshot FILE: vbrd's whole config as it shows it, canonical JSON.
config_snapshot() {
	ctl show config --json | "${TOOL[@]}" records >"$1" && [ -s "$1" ] &&
		python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); sys.exit(len(r) != 1)' "$1"
}

# same_json A B: the two snapshots hold the same config (as JSON values);
# if not, their difference is printed.
same_json() {
	python3 - "$1" "$2" <<'EOF'
import json, sys, difflib
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a == b:
    sys.exit(0)
da = json.dumps(a, indent=1, sort_keys=True).splitlines()
db = json.dumps(b, indent=1, sort_keys=True).splitlines()
print("\n".join(difflib.unified_diff(da, db, "before", "after", lineterm="")))
sys.exit(1)
EOF
}

# vbr_peer ADDR FIELD: the peer's FIELD as vbrctl shows it.
vbr_peer() { ctl_get peers "address=$1" "$2"; }
vbr_established() { [ "$(vbr_peer "$1" state)" = Established ]; }
# established_count: vbrctl's if it shows it, else telemetry's (/vbr/bgp).
vbr_est_count() {
	local n
	n=$(vbr_peer "$1" established_count 2>/dev/null)
	[ -n "$n" ] && { echo "$n"; return; }
	peer_field "$1" established_count
}

# write_bird_conf NAME PROTO:ADDR:ASN:KEY [EXPORT]: the config of BIRD
# NAME: one protocol bgp PROTO from IDC address ADDR (also its router id)
# with its ASN and TCP-MD5 key (empty: none), announcing 192.168.1.0/24
# (host 192.168.1.1 behind it) unless EXPORT is "none". One BIRD per vbr
# peer: BIRD serialises its protocols that have the same neighbour address
# (an object lock on 10.0.0.1:179), so a second protocol toward vbrd in the
# same BIRD stays Idle while the first runs.
write_bird_conf() {
	local d=$WORK/$1 proto addr asn key pw=""
	IFS=: read -r proto addr asn key <<<"$2"
	mkdir -p "$d"
	[ -n "$key" ] && pw="password \"$key\";"
	cat >"$d/bird.conf.new" <<CONF
router id $addr;
log "$d/bird.log" all;
protocol device { }
protocol static st1 { ipv4; route 192.168.1.0/24 blackhole; }
protocol bgp $proto {
  local $addr as $asn;
  neighbor 10.0.0.1 as 45104;
  $pw
  strict bind yes;
  hold time 9;
  connect retry time 2;
  connect delay time 1;
  error wait time 1, 5;
  ipv4 { import all; export $([ "${3:-}" = none ] && echo none || echo "where source = RTS_STATIC"); };
}
CONF
	mv "$d/bird.conf.new" "$d/bird.conf"
}

# run_bird NAME: BIRD on $WORK/NAME/bird.conf in the IDC namespace.
run_bird() {
	local d=$WORK/$1
	ip netns exec "$NS_IDC" timeout 900 bird -f -c "$d/bird.conf" -s "$d/bird.ctl" \
		-P "$d/bird.pid" >"$d/stdout" 2>&1 &
	PIDS+=($!)
	eval "BIRD_PID_$1=$!"
	wait_for 10 test -S "$d/bird.ctl"
}

# bird_reconfigure NAME: BIRD re-reads its config (after write_bird_conf).
bird_reconfigure() { birdc_ "$1" configure | grep -Eq "Reconfigured|Reconfiguration in progress"; }

bird_proto_established() { birdc_ "$1" show protocols "$2" | grep -q Established; }
# bird_since NAME PROTO: "up HH:MM:SS.mmm Established" while it is.
bird_since() { birdc_ "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $4, $5, $6 }'; }
# same_since A B: the same session at BIRD: Established both times, the
# times it shows at most 0.1 s apart (BIRD derives the wall-clock time from
# its monotonic clock each time: the same instant can come out 1 ms apart).
same_since() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		na = split(a, x, " "); nb = split(b, y, " ")
		if (na != 3 || nb != 3 || x[1] != y[1] || x[3] != "Established" || y[3] != "Established")
			exit 1
		split(x[2], p, ":"); split(y[2], q, ":")
		d = (p[1] * 3600 + p[2] * 60 + p[3]) - (q[1] * 3600 + q[2] * 60 + q[3])
		exit !(d < 0.1 && d > -0.1)
	}'
}
bird_has_route() { birdc_ "$1" show route "$2" | grep -q "^$2 "; }
bird_lacks_route() { ! birdc_ "$1" show route "$2" | grep -q "^$2 "; }
bird_last_error() { birdc_ "$1" show protocols all "$2" | sed -n 's/^ *Last error: *//p'; }

# poll_start NAME SECONDS EXPR CMD...: vbrctl_tool.py until in the
# background (its pid in POLL_NAME), once it has seen EXPR false a first
# time; poll_end NAME T0: POLL_MS is the ms from T0 (date +%s%N) to when it
# saw EXPR true; 1 if it never did.
poll_ready() { grep -q polling "$WORK/poll-$1.err" || ! kill -0 "$2" 2>/dev/null; }
poll_start() {
	local name=$1 pid
	shift
	"${TOOL[@]}" until "$@" >"$WORK/poll-$name" 2>"$WORK/poll-$name.err" &
	pid=$!
	eval "POLL_$name=$pid"
	wait_for 10 poll_ready "$name" "$pid"
}
poll_end() {
	local pid
	eval "pid=\$POLL_$1"
	POLL_MS=
	wait "$pid" || return 1
	# shellcheck disable=SC2034 # read by the caller
	POLL_MS=$(ms_since "$2" "$(cat "$WORK/poll-$1")")
}

# ms_since T0_NS T1_MS: milliseconds from T0 (date +%s%N) to T1 (ms).
ms_since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a / 1e6 }'; }
