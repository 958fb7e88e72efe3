#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Health checks of static next hops (issue 9, `track:`): a static route
# toward router r1, tracked by ping every second (3 misses), carries UDP
# flows; r1 is cut off; within interval x misses (plus the interval the
# failure can fall into) the route leaves the FIB and the flows move to the
# less specific route through r2; r1 comes back and so does its route. A
# tracked route whose next hop never answers is never installed, and
# `vbrctl route add --track-*` tracks a route on a running router.
. "$(dirname "$0")/idc_pair_lib.sh"

INTERVAL=1
MISSES=3
RISE=2
ctl() { timeout 10 "$VBRCTL" -s "$VBR_SOCK" "$@"; }
# fib_nh ADDR: the next hop vbrd's FIB gives ADDR now ("-" for none).
fib_nh() {
	ctl show fib "$1" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r[0].get("next_hop", "-") if r else "-")'
}
# track_field NH FIELD: FIELD of `vbrctl show track` for next hop NH.
track_field() {
	ctl show track --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["next_hop"] == sys.argv[1]:
        print(r[sys.argv[2]]); break
else:
    print("-")' "$1" "$2"
}
is_fib_nh() { [ "$(fib_nh "$1")" = "$2" ]; }
is_track() { [ "$(track_field "$1" state)" = "$2" ]; }

hugepages_setup
{
	bgp_config_head e2e-track
	cat <<YAML
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
  # r1 carries the /24 while it answers; r2 the rest of 192.168/16.
  - { prefix: $PAIR_PREFIX, next_hop: $PAIR_ADDR_r1,
      track: { interval: $INTERVAL, misses: $MISSES, rise: $RISE } }
  - { prefix: 192.168.0.0/16, next_hop: $PAIR_ADDR_r2 }
  # Nobody at 10.0.0.5: never up, never installed.
  - { prefix: 192.168.101.0/24, next_hop: 10.0.0.5, track: { interval: 1, misses: 2 } }
YAML
} >"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
pair_topology

if wait_for 20 is_track "$PAIR_ADDR_r1" up && wait_for 10 is_fib_nh "$PAIR_ANYCAST" "$PAIR_ADDR_r1"; then
	pass "r1 answers: its tracked route is in the FIB ($PAIR_PREFIX via $PAIR_ADDR_r1)"
else
	fail "r1's tracked route: track $(track_field "$PAIR_ADDR_r1" state), FIB $(fib_nh "$PAIR_ANYCAST")"
fi
if wait_for 20 is_track 10.0.0.5 down && is_fib_nh 192.168.101.1 "$PAIR_ADDR_r2"; then
	pass "10.0.0.5 never answers: its route was never installed (192.168.101.1 goes via r2)"
else
	fail "dead next hop: track $(track_field 10.0.0.5 state), FIB $(fib_nh 192.168.101.1)"
fi
grep -q "track: next hop 10.0.0.5 is down (it never answered)" "$WORK/vbrd.log" &&
	! grep -q "track: next hop 10.0.0.5 is up" "$WORK/vbrd.log" &&
	pass "vbrd logs that 10.0.0.5 never answered" || fail "10.0.0.5's log lines"

pair_flows_start 4 100 || fail "flows did not start"
t0=$(date +%s.%N)
if wait_for 20 pair_flows_check flowing --since "$t0"; then
	pass "4 UDP flows from the VPC reach $PAIR_ANYCAST"
else
	fail "flows do not arrive"
fi

# r1 dies silently (its bridge port blocked: no link event anywhere).
t_cut=$(date +%s.%N)
pair_cut r1 block
if wait_for $((INTERVAL * (MISSES + 2) + 10)) is_fib_nh "$PAIR_ANYCAST" "$PAIR_ADDR_r2"; then
	pass "r1 cut: $PAIR_ANYCAST now goes via r2"
else
	fail "r1 cut: FIB still gives $(fib_nh "$PAIR_ANYCAST")"
fi
t_down=$(log_times "track: next hop $PAIR_ADDR_r1 is down" | tail -1)
t1=$(date +%s.%N)
wait_for 20 pair_flows_check flowing --since "$t1" || fail "flows do not arrive after the cut"

pair_restore r1
t_back=$(date +%s.%N)
if wait_for $((INTERVAL * (RISE + 2) + 10)) is_fib_nh "$PAIR_ANYCAST" "$PAIR_ADDR_r1"; then
	pass "r1 back: its route is in the FIB again"
else
	fail "r1 back: FIB gives $(fib_nh "$PAIR_ANYCAST"), track $(track_field "$PAIR_ADDR_r1" state)"
fi
t_up=$(log_times "track: next hop $PAIR_ADDR_r1 is up" | tail -1)
t2=$(date +%s.%N)
wait_for 20 pair_flows_check flowing --since "$t2" || fail "flows do not arrive after r1 is back"
pair_flows_stop
pair_flows_report --since "$t_cut" >"$WORK/report.txt"
cat "$WORK/report.txt"

# The longest time a flow went without a packet across the cut: the
# detection (interval x misses after the first unanswered probe, which
# comes up to an interval after the failure) and the FIB change.
gap=$(flow_query "max(f['max_gap_ms'] for f in flows)")
lost=$(flow_query "sum(f['lost'] for f in flows)")
detect=$(python3 -c "print('%.2f' % ($t_down - $t_cut))" 2>/dev/null || echo "?")
recover=$(python3 -c "print('%.2f' % ($t_up - $t_back))" 2>/dev/null || echo "?")
log "measured: r1 down in the log ${detect} s after the cut (interval $INTERVAL s x $MISSES misses);" \
	"longest flow gap ${gap} ms, ${lost} packets lost over 4 flows at 100/s; back ${recover} s after the restore (rise $RISE)"
bound=$(( (INTERVAL * (MISSES + 1) + 2) * 1000 ))
if [ -n "$gap" ] && python3 -c "import sys; sys.exit(0 if $gap <= $bound else 1)"; then
	pass "flows lost at most ${gap} ms across the cut (bound ${bound} ms: (misses + 1) x interval + 2 s)"
else
	fail "flow gap ${gap} ms over the bound ${bound} ms"
fi
on_r2=$(flow_query "sum(1 for f in flows if 'r2' in f['routers'])")
[ "$on_r2" -eq 4 ] && pass "all 4 flows moved to r2 while r1 was down" ||
	fail "flows through r2: $on_r2 of 4"

# The replies came in the exception path's track class, not with pings.
track_passed=$(vbr_tel /vbr/punt | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/punt']['idc']['track_passed'])")
[ "$track_passed" -gt 0 ] && pass "punt class track passed $track_passed echo replies" ||
	fail "punt class track passed $track_passed"

flaps=$(track_field "$PAIR_ADDR_r1" flaps)
[ "$flaps" = 1 ] && pass "show track: r1 flapped once" || fail "show track: r1 flaps $flaps"

# A reload that moves the tracked /24 to the dead 10.0.0.5: the old route
# through r1 goes at once, and the new one never comes.
sed -i "s|prefix: $PAIR_PREFIX, next_hop: $PAIR_ADDR_r1|prefix: $PAIR_PREFIX, next_hop: 10.0.0.5|" "$WORK/vbr.yaml"
if ctl reload >"$WORK/ctl.out" 2>&1 && wait_for 10 is_fib_nh "$PAIR_ANYCAST" "$PAIR_ADDR_r2"; then
	pass "reload: the tracked /24 moved to a dead next hop leaves the FIB ($PAIR_ANYCAST via r2)"
else
	fail "reload to a dead next hop: $(cat "$WORK/ctl.out"); FIB $(fib_nh "$PAIR_ANYCAST")"
fi

# A check added to an installed route whose next hop is dead: the route
# stays while the first probes go, then leaves (it never answers).
ctl route add --prefix 192.168.105.0/24 --next-hop 10.0.0.6 >/dev/null 2>&1
if wait_for 10 is_fib_nh 192.168.105.1 10.0.0.6; then
	sed -i "s|192.168.105.0/24, next_hop: 10.0.0.6}|192.168.105.0/24, next_hop: 10.0.0.6, track: {interval: 1, misses: 2}}|" "$WORK/vbr.yaml"
	ctl reload >"$WORK/ctl.out" 2>&1 || fail "reload: $(cat "$WORK/ctl.out")"
	if wait_for 15 is_fib_nh 192.168.105.1 "$PAIR_ADDR_r2"; then
		pass "a check added to an installed route toward a dead next hop takes it out"
	else
		fail "192.168.105.0/24 still via $(fib_nh 192.168.105.1) after its check began"
	fi
else
	fail "untracked route via 10.0.0.6 not installed: $(fib_nh 192.168.105.1)"
fi

# On a running router: the route through r2 tracked by vbrctl; r2 answers.
if ctl route add --prefix 192.168.102.0/24 --next-hop "$PAIR_ADDR_r2" --track-interval 1 \
	--track-misses 4 >"$WORK/ctl.out" 2>&1 &&
	wait_for 10 is_track "$PAIR_ADDR_r2" up && wait_for 10 is_fib_nh 192.168.102.1 "$PAIR_ADDR_r2"; then
	pass "vbrctl route add --track-*: r2 checked and its route installed"
else
	fail "vbrctl route add --track-*: $(cat "$WORK/ctl.out"); track $(track_field "$PAIR_ADDR_r2" state)"
fi
grep -q "192.168.102.0/24, next_hop: $PAIR_ADDR_r2, track: {interval: 1, misses: 4}" "$WORK/vbr.yaml" &&
	pass "the config file keeps the track" || { fail "config file"; cat "$WORK/vbr.yaml"; }
if ctl route add --prefix 192.168.103.0/24 --next-hop "$PAIR_ADDR_r2" --track-misses 1 \
	>"$WORK/ctl.out" 2>&1; then
	fail "--track-misses 1 accepted"
else
	grep -q "misses: 1 is out of range (2..100)" "$WORK/ctl.out" &&
		pass "--track-misses 1 refused: $(cat "$WORK/ctl.out")" ||
		fail "--track-misses 1: $(cat "$WORK/ctl.out")"
fi
# Untracked again: the check of r2 goes with its last tracked route.
ctl route delete --prefix 192.168.102.0/24 >/dev/null 2>&1
if wait_for 10 is_track "$PAIR_ADDR_r2" -; then
	pass "the last tracked route through r2 deleted: r2 no longer checked"
else
	fail "r2 still checked after its tracked route went"
fi

# ECMP with tracked members: the /24 through both routers, each checked;
# r2 dies: only r2's flows move (to r1), r1's lose nothing.
sed -i "s|prefix: $PAIR_PREFIX, next_hop: 10.0.0.5|prefix: $PAIR_PREFIX, next_hops: [$PAIR_ADDR_r1, $PAIR_ADDR_r2]|" "$WORK/vbr.yaml"
fib_group() { fib_lookup "$1" | grep -q "^group $2 dev idc"; }
if ctl reload >"$WORK/ctl.out" 2>&1 && wait_for 10 is_track "$PAIR_ADDR_r2" up &&
	wait_for 10 fib_group "$PAIR_ANYCAST" "$PAIR_ADDR_r1 $PAIR_ADDR_r2"; then
	pass "reload: $PAIR_PREFIX through both routers, both checked and up"
else
	fail "ECMP tracked route: $(cat "$WORK/ctl.out"); $(fib_lookup "$PAIR_ANYCAST")"
fi
pair_flows_start 16 100 || fail "flows did not start"
t0=$(date +%s.%N)
wait_for 20 pair_flows_check flowing --since "$t0" && wait_for 10 pair_flows_check spread ||
	fail "16 flows not spread over both routers"
t_cut=$(date +%s.%N)
pair_cut r2 block
if wait_for $((INTERVAL * (MISSES + 2) + 10)) is_fib_nh "$PAIR_ANYCAST" "$PAIR_ADDR_r1"; then
	pass "r2 cut: the group shrank to r1"
else
	fail "r2 cut: $(fib_lookup "$PAIR_ANYCAST")"
fi
t1=$(date +%s.%N)
wait_for 20 pair_flows_check flowing --since "$t1" || fail "flows do not all arrive after r2's cut"
pair_flows_stop
pair_flows_report --since "$t0" >"$WORK/report2.txt"
cat "$WORK/report2.txt"
on_r1=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r1')")
lost_r1=$(flow_query "sum(f['lost'] for f in flows if f['first_router'] == 'r1')")
moved=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r2' and f['last_router'] == 'r1')")
on_r2=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r2')")
gap_r2=$(flow_query "max([f['max_gap_ms'] for f in flows if f['first_router'] == 'r2'] or [0])")
log "measured: ECMP, r2 cut: $on_r1 flows on r1 lost $lost_r1 packets; $moved of $on_r2 flows of r2 moved to r1, longest gap ${gap_r2} ms"
if [ "$on_r1" -gt 0 ] && [ "$lost_r1" -eq 0 ]; then
	pass "the $on_r1 flows on r1 lost nothing while r2 failed"
else
	fail "flows on r1: $on_r1, lost $lost_r1"
fi
[ "$on_r2" -gt 0 ] && [ "$moved" -eq "$on_r2" ] && pass "the $on_r2 flows of r2 moved to r1" ||
	fail "r2's flows: $on_r2, moved $moved"
finish
