#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ECMP through a static route with next_hops (issue 9), no BGP: the two IDC
# routers of the pair topology (idc_pair_lib.sh) are the next hops of
# 192.168.100.0/24. Checked:
#  - the FIB holds the group once both routers' MACs are resolved;
#  - 16 UDP flows from the VPC host spread over both routers, each flow on
#    one router only, none losing a packet;
#  - vbrctl route add --next-hop A,B makes a second group route, written
#    back to the file as a next_hops list.
. "$(dirname "$0")/idc_pair_lib.sh"

FLOWS=16

hugepages_setup
cat >"$WORK/vbr.yaml" <<YAML
vbr: { name: e2e-ecmp-static-$E2E_ID }
ports:
  idc: { device: net_tap0, address: 10.0.0.1/29 }
  vpc: { device: net_tap1, address: 172.16.0.1/30 }
fib: { max_routes: 65536, max_tbl8: 1024 }
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
  - { prefix: $PAIR_PREFIX, next_hops: [10.0.0.3, 10.0.0.2] }
YAML
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
pair_topology

fib_group_is() { fib_lookup "$1" | grep -q "^group $2 dev idc"; }
neigh_known() { vbr_tel /vbr/neigh | grep -q "via $1 dev idc lladdr 02:"; }

fib_group_is "$PAIR_ANYCAST" "10.0.0.2 10.0.0.3" && pass "FIB: $PAIR_PREFIX -> $(fib_lookup "$PAIR_ANYCAST")" ||
	fail "FIB: $(fib_lookup "$PAIR_ANYCAST")"
# vbrd probes the unresolved next hops of its routes by itself.
if wait_for 20 neigh_known 10.0.0.2 && wait_for 20 neigh_known 10.0.0.3; then
	pass "both next hops resolved: $(vbr_tel /vbr/neigh | grep -o 'via 10.0.0.[23] dev idc lladdr [0-9A-F:]*' | tr '\n' ' ')"
else
	fail "neighbours: $(vbr_tel /vbr/neigh)"
fi
"$VBRCTL" -s "$VBR_RO_SOCK" show routes "$PAIR_PREFIX" | sed 's/^/    vbrctl show routes: /'

pair_flows_start "$FLOWS" 100 || { fail "flow tool"; finish; }
wait_for 20 pair_flows_check flowing && wait_for 10 pair_flows_check spread ||
	fail "flows not flowing over both routers"
# Two seconds of traffic.
wait_for 10 pair_flows_check flowing --since "$(clock_at 2)"
pair_flows_stop
pair_flows_report | sed 's/^/    /'
on_r1=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r1')")
on_r2=$(flow_query "sum(1 for f in flows if f['first_router'] == 'r2')")
lost=$(flow_query "sum(f['lost'] for f in flows)")
split=$(flow_query "sum(1 for f in flows if len(f['routers']) != 1)")
[ "$on_r1" -gt 0 ] && [ "$on_r2" -gt 0 ] && pass "flows over both next hops: r1 $on_r1, r2 $on_r2" ||
	fail "flows: r1 $on_r1, r2 $on_r2"
[ "$lost" -eq 0 ] && [ "$split" -eq 0 ] && pass "no packet lost, each flow on one router" ||
	fail "$lost packets lost, $split flows split over both routers"

# A second group route from vbrctl, and the file says next_hops.
if "$VBRCTL" -s "$VBR_SOCK" route add --prefix 192.168.101.0/24 --next-hop 10.0.0.2,10.0.0.3 \
	>"$WORK/ctl.out" 2>&1 && wait_for 10 fib_group_is 192.168.101.1 "10.0.0.2 10.0.0.3"; then
	pass "vbrctl route add --next-hop 10.0.0.2,10.0.0.3: $(fib_lookup 192.168.101.1)"
else
	fail "vbrctl route add with two next hops: $(cat "$WORK/ctl.out"), $(fib_lookup 192.168.101.1)"
fi
grep -q "{prefix: 192.168.101.0/24, next_hops: \[10.0.0.2, 10.0.0.3\]}" "$WORK/vbr.yaml" &&
	pass "written back: $(grep 192.168.101 "$WORK/vbr.yaml")" || fail "file: $(grep -A1 routes "$WORK/vbr.yaml")"
"$VBRCTL" -s "$VBR_SOCK" route add --prefix 192.168.102.0/24 --next-hop 10.0.0.2,10.0.0.2 \
	>"$WORK/ctl.out" 2>&1 && fail "a repeated next hop was taken" ||
	pass "a repeated next hop is refused: $(cat "$WORK/ctl.out")"
check=$(vbr_tel /vbr/fib_check)
echo "$check" | grep -q '"differences": 0' && pass "fib_check: no differences" ||
	fail "fib_check: $check"
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
