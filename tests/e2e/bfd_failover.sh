#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Failover between two IDC routers, measured (idc_pair_lib.sh): BIRD r1
# (10.0.0.2) and r2 (10.0.0.3) both announce 192.168.100.0/24; UDP flows
# with sequence numbers go from the VPC host to 192.168.100.1 (anycast: both
# routers own it) through vbrd, FLOW_N flows (default 4) of FLOW_RATE
# packets/s each (default 100: one every 10 ms). The router vbrd sends to
# has its link cut (its veth down in its namespace: vbrd's port sees
# nothing). Twice:
#  1. BFD 300 ms x 3 on both sides, BGP hold time 9 s: vbrd's log shows the
#     BFD session Down (Control Detection Time Expired) and the BGP session
#     ending with Cease / BFD Down within about a second of the cut, the
#     route leaves the FIB for the other router's, and the flows lose less
#     than 1 s (their longest gap, and the packets lost, are printed);
#  2. no BFD, hold time 3 s (vbrctl bgp-group modify --no-bfd --hold-time 3,
#     live): what the hold timer gives, printed.
# Between the two the cut router comes back: BFD Up again, BGP again, the
# route back.
. "$(dirname "$0")/idc_pair_lib.sh"

FLOW_N=${FLOW_N:-4}
FLOW_RATE=${FLOW_RATE:-100}
LOSS_MAX_MS=${LOSS_MAX_MS:-1000}

hugepages_setup
pair_bgp_config "$WORK/vbr.yaml" "bfd: { min_rx: 300, min_tx: 300, multiplier: 3 }"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
pair_topology
export PAIR_BIRD_GLOBAL='protocol bfd { interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }'
export BIRD_BGP_EXTRA="bfd on;"
pair_start_bird r1 65001 "$PAIR_PREFIX" || { fail "BIRD r1"; finish; }
pair_start_bird r2 65001 "$PAIR_PREFIX" || { fail "BIRD r2"; finish; }

vbrctl_() { "$VBRCTL" -s "$VBR_SOCK" "$@"; }
bfd_field() {
	vbrctl_ --json show bfd | python3 -c "
import json, sys
s = [r for r in json.load(sys.stdin) if r['peer'] == '$1' and not r['removing']]
print(s[0]['$2'] if s else '')"
}
bfd_up() { [ "$(bfd_field "$1" state)" = Up ]; }
both_up() {
	peer_established 10.0.0.2 && peer_established 10.0.0.3 && bfd_up 10.0.0.2 && bfd_up 10.0.0.3
}
both_established() { peer_established 10.0.0.2 && peer_established 10.0.0.3; }
# The router 192.168.100.1 is routed to now: its address.
best_gw() { fib_lookup "$PAIR_ANYCAST" | awk '$1 == "via" { print $2 }'; }
router_of() { [ "$1" = 10.0.0.2 ] && echo r1 || echo r2; }
now_s() { date +%s.%3N; }
ms_between() { python3 -c "import sys; print(int(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000)))" "$1" "$2"; }

# cut_and_measure LABEL: cut the router vbrd routes to, wait for the other
# one to take the flows, and leave in MEASURE: "gap_ms lost cut_time old new".
cut_and_measure() {
	local label=$1 old new t_cut t_flow gap lost
	old=$(best_gw)
	[ -n "$old" ] || { fail "$label: no route to $PAIR_ANYCAST"; return 1; }
	new=$([ "$old" = 10.0.0.2 ] && echo 10.0.0.3 || echo 10.0.0.2)
	pair_flows_start "$FLOW_N" "$FLOW_RATE" || { fail "$label: flows did not start"; return 1; }
	t_flow=$(now_s)
	if ! wait_for 10 pair_flows_check flowing --since "$t_flow" --flows "$FLOW_N"; then
		fail "$label: the flows do not arrive"
		pair_flows_stop
		return 1
	fi
	# A second of steady flow before the cut.
	wait_for 5 pair_flows_check flowing --since "$(python3 -c "print($t_flow + 1)")" --flows "$FLOW_N"
	t_cut=$(now_s)
	pair_cut "$(router_of "$old")" down
	log "$label: $(router_of "$old") ($old) cut at $t_cut"
	if wait_for 30 fib_has "$PAIR_ANYCAST" "$new"; then
		pass "$label: $PAIR_ANYCAST now via $new (the other router)"
	else
		fail "$label: $PAIR_ANYCAST still via $(best_gw)"
	fi
	# Every flow arrives at the other router again, a second of it.
	local t_new
	t_new=$(now_s)
	wait_for 10 pair_flows_check flowing --since "$t_new" --flows "$FLOW_N" ||
		fail "$label: the flows do not arrive after the switch"
	wait_for 5 pair_flows_check flowing --since "$(python3 -c "print($t_new + 1)")" --flows "$FLOW_N"
	pair_flows_stop
	pair_flows_report --since "$(python3 -c "print($t_cut - 1)")" | sed 's/^/    /'
	gap=$(flow_query "max(f['max_gap_ms'] for f in flows)")
	lost=$(flow_query "sum(f['lost'] for f in flows)")
	MEASURE="$gap $lost $t_cut $old $new"
}

if wait_for 60 both_up; then
	pass "BGP Established and BFD Up with r1 and r2 (300 ms x 3)"
else
	fail "not all up: $(vbrctl_ show bfd) r1 $(peer_field 10.0.0.2 state) r2 $(peer_field 10.0.0.3 state)"
	finish
fi
wait_for 20 sh -c "[ -n \"\$(python3 '$VBR_ROOT/scripts/vbr-telemetry' '$PREFIX' '/vbr/fib,$PAIR_ANYCAST' | grep -o 'via 10\.0\.0\.[23]')\" ]" ||
	{ fail "no route to $PAIR_ANYCAST"; finish; }
vbrctl_ show bfd | sed 's/^/    /'

# --- 1. with BFD ----------------------------------------------------------
cut_and_measure "with BFD" || finish
read -r bfd_gap bfd_lost t_cut old new <<<"$MEASURE"
oldr=$(router_of "$old")
# vbrd's own stamps: the BFD Down, the BGP session's end, the FIB's route.
t_bfd=$(log_times "bfd: peer $old: session Down: Control Detection Time Expired" | tail -1)
t_cease=$(log_times "bgp: peer $old: BFD session down .*session ends with Cease / BFD Down" | tail -1)
t_down=$(log_times "bgp: peer $old AS [0-9]+: session down: BFD down" | tail -1)
if [ -n "$t_bfd" ] && [ -n "$t_cease" ] && [ -n "$t_down" ]; then
	d_bfd=$(ms_between "$t_cut" "$t_bfd")
	d_cease=$(ms_between "$t_cut" "$t_cease")
	pass "with BFD: BFD Down $d_bfd ms after the cut, BGP ended with Cease / BFD Down $d_cease ms after it (routes withdrawn at once)"
	[ "$d_cease" -le 2000 ] || fail "with BFD: Cease / BFD Down $d_cease ms after the cut (over 2 s)"
else
	fail "with BFD: vbrd's log lacks the BFD Down ($t_bfd), the Cease ($t_cease) or the session's end ($t_down)"
	grep -E "bfd:|bgp: peer $old" "$WORK/vbrd.log" | tail -20
fi
[[ "$(peer_field "$old" last_error)" == *"Cease / BFD Down"* ]] &&
	pass "with BFD: vbrd's last error for $old: $(peer_field "$old" last_error)" ||
	fail "with BFD: last error for $old: $(peer_field "$old" last_error)"
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$bfd_gap" "$LOSS_MAX_MS"; then
	pass "with BFD: traffic loss $bfd_gap ms (longest gap of $FLOW_N flows at $FLOW_RATE/s), $bfd_lost packets: under $LOSS_MAX_MS ms"
else
	fail "with BFD: traffic loss $bfd_gap ms, $bfd_lost packets: not under $LOSS_MAX_MS ms"
fi

# The router comes back: BFD, BGP, its route.
pair_restore "$oldr"
if wait_for 60 both_up; then
	pass "$oldr restored: BFD Up and BGP Established again"
else
	fail "$oldr restored: $(vbrctl_ show bfd) $(peer_field "$old" state)"
fi
wait_for 20 fib_has "$PAIR_ANYCAST" "$old" || log "    $PAIR_ANYCAST via $(best_gw) after the restore"

# --- 2. without BFD, hold time 3 s -----------------------------------------
vbrctl_ bgp-group modify --name idc-pair --no-bfd --hold-time 3 ||
	fail "vbrctl bgp-group modify --no-bfd --hold-time 3"
hold3() {
	both_established && [ "$(peer_field 10.0.0.2 hold_time)" = 3 ] &&
		[ "$(peer_field 10.0.0.3 hold_time)" = 3 ]
}
if wait_for 60 hold3; then
	pass "without BFD: both sessions again, hold time 3 s"
else
	fail "without BFD: hold times $(peer_field 10.0.0.2 hold_time) / $(peer_field 10.0.0.3 hold_time)"
fi
gone() { [ -z "$(vbrctl_ --json show bfd | python3 -c 'import json,sys; print(len(json.load(sys.stdin)) or "")')" ]; }
wait_for 15 gone || fail "BFD sessions still there: $(vbrctl_ show bfd)"
wait_for 20 sh -c "[ -n \"\$(python3 '$VBR_ROOT/scripts/vbr-telemetry' '$PREFIX' '/vbr/fib,$PAIR_ANYCAST' | grep -o 'via 10\.0\.0\.[23]')\" ]"
cut_and_measure "without BFD" || finish
read -r hold_gap hold_lost t_cut2 old2 new2 <<<"$MEASURE"
t_hold=$(log_times "bgp: peer $old2 AS [0-9]+: session down: hold timer expired" | tail -1)
[ -n "$t_hold" ] && pass "without BFD: hold timer expired $(ms_between "$t_cut2" "$t_hold") ms after the cut" ||
	fail "without BFD: no hold timer expiry for $old2 in vbrd's log"
log "    without BFD (hold time 3 s): traffic loss $hold_gap ms, $hold_lost packets"

log "figures: failover of $FLOW_N flows at $FLOW_RATE packets/s each, a router's link cut:"
log "  with BFD 300 ms x 3: loss $bfd_gap ms, $bfd_lost packets; BFD Down ${d_bfd:-?} ms, Cease / BFD Down ${d_cease:-?} ms after the cut"
log "  without BFD, hold time 3 s: loss $hold_gap ms, $hold_lost packets"
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
