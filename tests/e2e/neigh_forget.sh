#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ARP-learned neighbours have a life (issue 6, finding 5). On a VPC port with
# a /16, stations that answer ARP (tests/e2e/arp_tool.py) come and go:
#  1. 1,000 static routes through gateways that never answer are re-asked by
#     housekeeping, more than its ARP budget allows; meanwhile a new next hop
#     that traffic needs is still resolved (housekeeping has a budget of its
#     own, apart from the one the fast path resolves with);
#  2. 200 stations that asked for us are learned; once they stop answering,
#     their /32s and next-hop ids go after the failed probes, and the static
#     route 172.16.9.9/32 via 172.16.9.9 stays although its neighbour went;
#  3. a flood of 400 new stations stops at the port's max_neighbors (300),
#     and the refused ones are counted; the learned ones, alive, answer the
#     unicast probes they get and stay.
. "$(dirname "$0")/lib.sh"

ARP=(python3 "$VBR_ROOT/tests/e2e/arp_tool.py")
MAX_NEIGH=300
DEAD_GW=1000
# The stations below announce themselves all at once (400 ARP requests for
# us in a row), and each only once. The arp punt class takes punt_rate/10
# per second with a tenth of a second's burst (dataplane/punt.h): 100 at
# the default rate, so most of them would be policed before learning saw
# them. This test is about what learning does with them (punt_battery.sh
# tests the policing): a burst of 1,000.
PUNT_RATE=100000

hugepages_setup
{
	cat <<YAML
vbr:
  name: e2e-$E2E_ID
ports:
  idc: { device: net_tap0, address: 10.0.0.1/30 }
  vpc: { device: net_tap1, address: 172.16.0.1/16, max_neighbors: $MAX_NEIGH, reachable_time: 5,
         punt_rate: $PUNT_RATE }
fib: { max_routes: 65536, max_tbl8: 1024 }
routes:
  - { prefix: 192.168.0.0/16, next_hop: 10.0.0.2 }
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
  - { prefix: 172.16.9.9/32, next_hop: 172.16.9.9 }
YAML
	for i in $(seq 0 $((DEAD_GW - 1))); do
		echo "  - { prefix: 10.$((200 + i / 250)).$((i % 250)).0/24, next_hop: 172.16.$((200 + i / 250)).$((i % 250 + 1)) }"
	done
} >"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }

fib_stat() {
	vbr_tel /vbr/fib | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/fib']['$1'])"
}
lookup() {
	vbr_tel "/vbr/fib,$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/fib']['lookup'])"
}
# The learned routes and ids: FIB-wide figures, the same before and after
# the fix (the telemetry of learned neighbours is new).
nexthops_at_most() { [ "$(fib_stat nexthops)" -le "$1" ]; }
counter_at_least() { [ "$(counter "$1" "$2")" -ge "$3" ]; }
resolved() { lookup "$1" | grep -qi "lladdr 02:a7"; }

# The stations among 172.16.1.1..N whose own /32 routes them (one telemetry
# connection for all the lookups).
stations_routed() {
	local cmds=() i
	for i in $(seq 1 "$1"); do
		cmds+=("/vbr/fib,172.16.1.$i")
	done
	vbr_tel "${cmds[@]}" | grep -c '"lookup": "via 172\.16\.1\.'
}
stations_routed_at_least() { [ "$(stations_routed 200)" -ge "$1" ]; }
stations_routed_none() { [ "$(stations_routed 200)" -eq 0 ]; }

# The routers on both sides are learned first (they ask for us when they
# send), so that the figures below count the test's stations only.
wait_for 20 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10 ||
	log "no path IDC -> VPC yet"
base_routes=$(fib_stat routes)
base_nh=$(fib_stat nexthops)
log "at start: $base_routes routes, $base_nh next hops"

# --- 1. housekeeping does not eat the fast path's ARP budget ---
# The dead gateways are asked for at once (no traffic needed), 100 a second
# at most: wait until that has gone on for two seconds.
wait_for 30 counter_at_least vpc arp_requests 200 ||
	log "arp_requests on vpc: $(counter vpc arp_requests) (fewer than 200)"
ip netns exec "$NS_VPC" "${ARP[@]}" respond "$TAP_VPC" 172.16.5.5 1 &
PIDS+=("$!")
# Traffic to a station nobody has resolved yet: its packets ask the fast
# path for an ARP request, which must leave although the dead gateways'
# requests are due all the time.
probes0=$(counter vpc arp_probes 2>/dev/null)
deferred0=$(counter vpc arp_probes_deferred 2>/dev/null)
ip netns exec "$NS_IDC" ping -q -c 100 -i 0.2 -W 1 -I 192.168.1.1 172.16.5.5 >/dev/null 2>&1 &
PING=$!
PIDS+=("$PING")
if wait_for 15 resolved 172.16.5.5; then
	pass "a new next hop resolves while $DEAD_GW dead gateways are re-asked ($(lookup 172.16.5.5))"
else
	fail "172.16.5.5 not resolved wait_for 15 s while $DEAD_GW dead gateways are re-asked: $(lookup 172.16.5.5)"
fi
kill "$PING" 2>/dev/null
# Housekeeping was over its own budget meanwhile: it had due probes left,
# deferred at its next round (once a second), which may come after the
# next hop resolved.
counter_above() { [ "$(counter "$1" "$2")" -gt "$3" ]; }
if wait_for 10 counter_above vpc arp_probes_deferred "${deferred0:-0}"; then
	pass "meanwhile housekeeping was at its budget: arp_probes_deferred $deferred0 -> $(counter vpc arp_probes_deferred)"
else
	fail "housekeeping was not at its budget (arp_probes_deferred ${deferred0:-none} -> $(counter vpc arp_probes_deferred 2>&1 | tail -1))"
fi
log "vpc: arp_requests $(counter vpc arp_requests), arp_probes $(counter vpc arp_probes 2>/dev/null)" \
	"(from ${probes0:-?} when the traffic started), arp_throttled $(counter vpc arp_throttled 2>/dev/null)"

# --- 2. learned neighbours go after failed probes; ids come back ---
r0=$(fib_stat routes)
n0=$(fib_stat nexthops)
ip netns exec "$NS_VPC" "${ARP[@]}" respond "$TAP_VPC" 172.16.1.1 200 172.16.9.9 1 &
RESP2=$!
PIDS+=("$RESP2")
ip netns exec "$NS_VPC" "${ARP[@]}" announce "$TAP_VPC" 172.16.1.1 200 172.16.0.1
ip netns exec "$NS_VPC" "${ARP[@]}" announce "$TAP_VPC" 172.16.9.9 1 172.16.0.1
if wait_for 20 stations_routed_at_least 200; then
	pass "200 stations learned: $(fib_stat routes) routes (from $r0), $(fib_stat nexthops) next hops (from $n0)"
else
	fail "stations not learned: $(fib_stat routes) routes, want $((r0 + 200))"
fi
peak_routes=$(fib_stat routes)
peak_nh=$(fib_stat nexthops)
if wait_for 10 resolved 172.16.9.9 && lookup 172.16.9.9 | grep -q "via 172.16.9.9 "; then
	pass "172.16.9.9/32 via 172.16.9.9 (static) resolved: $(lookup 172.16.9.9)"
else
	fail "172.16.9.9: $(lookup 172.16.9.9)"
fi
# They stop answering: reachable_time 5 s, then three probes 5 s apart.
kill "$RESP2"
t0=$(date +%s)
if wait_for 90 stations_routed_none; then
	pass "the dead stations' /32s went in $(($(date +%s) - t0)) s: $(fib_stat routes) routes (peak $peak_routes, before $r0)"
else
	fail "the dead stations stay: $(stations_routed 200) of their /32s, $(fib_stat routes) routes after 90 s (peak $peak_routes, before $r0)"
fi
if wait_for 10 nexthops_at_most "$n0"; then
	pass "their next-hop ids are free: $(fib_stat nexthops) next hops (peak $peak_nh)"
else
	fail "next hops $(fib_stat nexthops) (peak $peak_nh, before $n0)"
fi
if lookup 172.16.9.9 | grep -q "via 172.16.9.9 "; then
	pass "the static route 172.16.9.9/32 via 172.16.9.9 stays: $(lookup 172.16.9.9)"
else
	fail "the static 172.16.9.9/32 is gone: $(lookup 172.16.9.9)"
fi
log "vpc: neigh_added $(counter vpc neigh_added 2>/dev/null) neigh_expired $(counter vpc neigh_expired 2>/dev/null)"
if counter_at_least vpc neigh_expired 200 2>/dev/null; then
	pass "neigh_expired on vpc: $(counter vpc neigh_expired)"
else
	fail "neigh_expired on vpc: $(counter vpc neigh_expired 2>&1 | tail -1)"
fi

# --- 3. a flood of new stations stops at max_neighbors ---
r1=$(fib_stat routes)
learned_before=$(counter vpc neighbors 2>/dev/null)
ip netns exec "$NS_VPC" "${ARP[@]}" respond "$TAP_VPC" 172.16.2.1 400 >"$WORK/resp3.log" &
PIDS+=("$!")
ip netns exec "$NS_VPC" "${ARP[@]}" announce "$TAP_VPC" 172.16.2.1 400 172.16.0.1
neighbors() { counter vpc neighbors; }
refused_some() { counter_at_least vpc neigh_refused 1; }
wait_for 20 refused_some
# Every announcement has been through learning once refused + learned says so.
settled() {
	local n r
	n=$(counter vpc neighbors) && r=$(counter vpc neigh_refused) && [ $((n + r)) -ge 400 ]
}
wait_for 20 settled
log "after 400 announcements: $(fib_stat routes) routes (from $r1), neighbors $(neighbors 2>&1 | tail -1)," \
	"neigh_refused $(counter vpc neigh_refused 2>&1 | tail -1)"
if [ "$(fib_stat routes)" -le $((r1 + MAX_NEIGH)) ] && [ "$(neighbors 2>/dev/null)" = "$MAX_NEIGH" ]; then
	pass "learning stops at max_neighbors $MAX_NEIGH: $(neighbors) learned, $(fib_stat routes) routes"
else
	fail "learning does not stop at $MAX_NEIGH: $(fib_stat routes) routes (from $r1), neighbors $(neighbors 2>&1 | tail -1)"
fi
if counter_at_least vpc neigh_refused 100 2>/dev/null; then
	pass "refused stations counted: neigh_refused $(counter vpc neigh_refused)"
else
	fail "neigh_refused: $(counter vpc neigh_refused 2>&1 | tail -1), want >= 100"
fi
if [ "$(vbr_tel /vbr/stats | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/stats']['vpc']['max_neighbors'])" 2>/dev/null)" = "$MAX_NEIGH" ]; then
	pass "telemetry shows max_neighbors $MAX_NEIGH"
else
	fail "telemetry has no max_neighbors $MAX_NEIGH on vpc"
fi

# The learned ones are probed once their MACs are reachable_time old: by
# unicast, each answers, and each stays. Four answered probes each: had an
# answer not confirmed a station, the third unanswered probe would have
# been its last.
expired0=$(counter vpc neigh_expired 2>/dev/null)
want=$((MAX_NEIGH - ${learned_before:-0}))
probed_4x() {
	awk '$2 == "unicast" { n[$1]++ } END { for (a in n) if (n[a] >= 4) k++; print k + 0 }' \
		"$WORK/resp3.log"
}
if wait_for 120 eval '[ "$(probed_4x)" -ge "$want" ]'; then
	pass "each of the $want learned stations answered 4 unicast probes" \
		"($(grep -c broadcast "$WORK/resp3.log") broadcast requests)"
else
	fail "$(probed_4x) stations answered 4 unicast probes, want $want"
fi
if [ "$(neighbors 2>/dev/null)" = "$MAX_NEIGH" ] && [ "$(counter vpc neigh_expired)" = "$expired0" ]; then
	pass "the live stations stay: $(neighbors) learned, neigh_expired $(counter vpc neigh_expired)"
else
	fail "live stations lost: neighbors $(neighbors 2>&1 | tail -1), neigh_expired $expired0 -> $(counter vpc neigh_expired 2>&1 | tail -1)"
fi

vbrd_alive && pass "vbrd still runs" || fail "vbrd died"
finish
