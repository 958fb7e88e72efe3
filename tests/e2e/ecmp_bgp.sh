#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ECMP over two IDC routers (issue 9): two BIRDs in the pair topology
# (idc_pair_lib.sh) announce the same prefix with equal paths; vbrd runs
# with bgp.multipath 2. Checked:
#  - the FIB holds a next-hop group of both routers, the RIB marks the
#    second path as multipath, vbrctl shows both next hops;
#  - 16 UDP flows from the VPC host to the routers' anycast address spread
#    over both routers;
#  - one router is cut off: its session ends by the hold timer (3 s), the
#    group shrinks to the survivor; the survivor's flows lose no packet and
#    stay where they were, the failed router's flows move to the survivor
#    and flow again; per-flow loss and longest gap are printed;
#  - the router comes back: the group is whole again and every flow is on
#    the router it had before the cut (the bucket table is a function of
#    the member set).
# ECMP_BFD=1 (ecmp_bfd.sh): the same with BFD 300 ms x 3 on both sessions
# (hold time 9 s): the failed router's session ends with Cease / BFD Down,
# and its flows' loss must stay under LOSS_MAX_MS (1 s).
. "$(dirname "$0")/idc_pair_lib.sh"

FLOWS=16
RATE=100
LOSS_MAX_MS=${LOSS_MAX_MS:-1000}

hugepages_setup
if [ "${ECMP_BFD:-0}" = 1 ]; then
	PAIR_HOLD=9
	pair_bgp_config "$WORK/vbr.yaml" "bfd: { min_rx: 300, min_tx: 300, multiplier: 3 }" \
		"  multipath: 2"
	export PAIR_BIRD_GLOBAL='protocol bfd { interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }'
	export BIRD_BGP_EXTRA="bfd on;"
else
	PAIR_HOLD=3
	pair_bgp_config "$WORK/vbr.yaml" "" "  multipath: 2"
fi
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
pair_topology
pair_start_bird r1 65001 "$PAIR_PREFIX"
pair_start_bird r2 65001 "$PAIR_PREFIX"

if wait_for 60 peer_established 10.0.0.2 && wait_for 60 peer_established 10.0.0.3; then
	pass "vbrd: both IDC routers Established (hold time $PAIR_HOLD s)"
else
	fail "sessions: r1 $(peer_field 10.0.0.2 state), r2 $(peer_field 10.0.0.3 state)"
	finish
fi

fib_group_is() { fib_lookup "$PAIR_ANYCAST" | grep -q "^group $1 dev idc"; }
neigh_known() { vbr_tel /vbr/neigh | grep -q "via $1 dev idc lladdr 02:"; }

if wait_for 20 fib_group_is "10.0.0.2 10.0.0.3"; then
	pass "FIB: $PAIR_PREFIX -> $(fib_lookup "$PAIR_ANYCAST")"
else
	fail "no group in the FIB: $(fib_lookup "$PAIR_ANYCAST")"
	finish
fi
rib_entry "$PAIR_PREFIX" | grep -q "ecmp 10.0.0.[23] 10.0.0.[23]" &&
	pass "RIB: $(rib_entry "$PAIR_PREFIX")" || fail "RIB: $(rib_entry "$PAIR_PREFIX")"
"$VBRCTL" -s "$VBR_RO_SOCK" show fib "$PAIR_ANYCAST" >"$WORK/show_fib" 2>&1
"$VBRCTL" -s "$VBR_RO_SOCK" show routes "$PAIR_PREFIX" >"$WORK/show_routes" 2>&1
sed 's/^/    vbrctl show fib: /' "$WORK/show_fib"
sed 's/^/    vbrctl show routes: /' "$WORK/show_routes"
grep -Eq "10\.0\.0\.2,10\.0\.0\.3 +idc +group" "$WORK/show_fib" &&
	grep -Eq "^(192\.168\.100\.0/24)? +\* +bgp +10\.0\.0\.[23] " "$WORK/show_routes" &&
	grep -Eq "^(192\.168\.100\.0/24)? +=  +bgp +10\.0\.0\.[23] " "$WORK/show_routes" &&
	pass "vbrctl: show fib lists the group's next hops, show routes marks the best (*) and the other multipath path (=)" ||
	fail "vbrctl's views of the group"
check=$(vbr_tel /vbr/fib_check)
echo "$check" | grep -q '"differences": 0' && pass "fib_check: no differences" ||
	fail "fib_check: $check"
# Both MACs known (BGP's ARP resolved them): no flow starts on the other.
wait_for 10 neigh_known 10.0.0.2 && wait_for 10 neigh_known 10.0.0.3 ||
	fail "neighbours: $(vbr_tel /vbr/neigh)"

# 16 flows; both routers get some.
pair_flows_start "$FLOWS" "$RATE" || { fail "flow tool"; finish; }
if wait_for 20 pair_flows_check flowing && wait_for 10 pair_flows_check spread; then
	pass "$FLOWS flows flowing, over both routers"
else
	fail "flows: not all flowing, or not over both routers"
fi
# A second of steady traffic before the cut.
wait_for 10 pair_flows_check flowing --since "$(clock_at 1)"
t_cut=$(date +%s.%N)
pair_cut r1
log "r1 cut off (veth down in its namespace)"
fib_single() { fib_lookup "$PAIR_ANYCAST" | grep -q "^via 10.0.0.3 "; }
if wait_for 30 fib_single; then
	t_fib=$(date +%s.%N)
	pass "r1's session down ($(peer_field 10.0.0.2 last_error)); FIB: $(fib_lookup "$PAIR_ANYCAST")"
else
	fail "the group did not shrink: $(fib_lookup "$PAIR_ANYCAST"), r1 $(peer_field 10.0.0.2 state)"
	t_fib=$(date +%s.%N)
fi
# Every flow flowing again, for a second more.
since=$(clock_at 1 "$t_fib")
wait_for 20 pair_flows_check flowing --since "$since" && pass "every flow flows again after the cut" ||
	fail "some flows did not come back"
pair_flows_stop
log "per-flow figures, the whole run (receivers: packets each router got):"
pair_flows_report | sed 's/^/    /'
t_down=$(log_times "peer 10.0.0.2 .*session down" | head -1)
down_ms=$(awk -v a="$t_cut" -v b="${t_down:-$t_fib}" 'BEGIN { printf "%d", (b - a) * 1000 }')
log "r1's session went down $down_ms ms after the cut (vbrd's log; hold time $PAIR_HOLD s)"

on_r1=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r1')")
on_r2=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r2')")
lost_r2=$(flow_query "sum(f['lost'] for f in flows if f['first_router'] == 'r2')")
strays=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r2' and set(f['routers']) != {'r2'})")
moved=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r1' and f['last_router'] == 'r2')")
lost_r1=$(flow_query "sum(f['lost'] for f in flows if f['first_router'] == 'r1')")
gap_r1=$(flow_query "max([f['max_gap_ms'] for f in flows if f['first_router'] == 'r1'] or [0])")
gap_r2=$(flow_query "max([f['max_gap_ms'] for f in flows if f['first_router'] == 'r2'] or [0])")
log "flows on r1 before the cut: $on_r1, on r2: $on_r2"
[ "$on_r1" -gt 0 ] && [ "$on_r2" -gt 0 ] && pass "both routers carried flows" ||
	fail "flows not spread: r1 $on_r1, r2 $on_r2"
[ "$lost_r2" -eq 0 ] && [ "$strays" -eq 0 ] &&
	pass "the survivor's $on_r2 flows lost 0 packets and never left r2 (longest gap $gap_r2 ms)" ||
	fail "the survivor's flows lost $lost_r2 packets, $strays of them went elsewhere"
[ "$moved" -eq "$on_r1" ] &&
	pass "the failed router's $on_r1 flows moved to r2: $lost_r1 packets lost in all, longest gap $gap_r1 ms" ||
	fail "only $moved of r1's $on_r1 flows reached r2"
if [ "${ECMP_BFD:-0}" = 1 ]; then
	grep -q "bgp: peer 10.0.0.2: BFD session down .*Cease / BFD Down" "$WORK/vbrd.log" && pass "r1's session ended by BFD (Cease / BFD Down)" ||
		fail "r1's session did not end by BFD: $(peer_field 10.0.0.2 last_error)"
	python3 -c "import sys; sys.exit(0 if $gap_r1 < $LOSS_MAX_MS else 1)" &&
		pass "with BFD the failed router's flows lost under $LOSS_MAX_MS ms (longest gap $gap_r1 ms)" ||
		fail "with BFD the failed router's flows lost $gap_r1 ms (over $LOSS_MAX_MS ms)"
fi

# r1 back: the group is whole again and every flow returns to its router.
cp "$FLOW_DIR/report.json" "$WORK/report-cut.json"
pair_restore r1
if wait_for 60 peer_established 10.0.0.2 && wait_for 20 fib_group_is "10.0.0.2 10.0.0.3" &&
	wait_for 10 neigh_known 10.0.0.2; then
	pass "r1 back: $(fib_lookup "$PAIR_ANYCAST")"
	pair_flows_start "$FLOWS" "$RATE"
	wait_for 20 pair_flows_check flowing --since "$(clock_at 1)"
	pair_flows_stop
	pair_flows_report >/dev/null
	same=$(python3 -c "
import json
a = {f['sport']: f['first_router'] for f in json.load(open('$WORK/report-cut.json'))['flows']}
b = {f['sport']: f['last_router'] for f in json.load(open('$FLOW_DIR/report.json'))['flows']}
print(sum(1 for p in a if a[p] == b.get(p)))")
	[ "$same" -eq "$FLOWS" ] && pass "every flow is back on the router it had before the cut" ||
		fail "$same of $FLOWS flows on their old router after r1 came back"
else
	fail "r1 did not come back: $(peer_field 10.0.0.2 state), $(fib_lookup "$PAIR_ANYCAST")"
fi
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
