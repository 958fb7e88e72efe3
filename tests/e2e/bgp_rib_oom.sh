#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The RIB out of memory during an UPDATE (issue 6, finding 10): a raw
# speaker (bgp_speaker.py) at 10.0.0.3 announces 100 routes, then vbrd's
# address space is capped at what it uses (prlimit; glibc told to keep one
# arena, grown with brk, and to take allocations of 64 KiB and more from
# mmap, so that the RIB's growth needs more address space) and the speaker
# announces 5,000 more. vbrd's RIB makes room ahead for the largest table
# its configuration admits (the largest max_prefixes, within
# fib.max_routes: here 4,096), so those 5,000 need it to grow, and it
# cannot: vbrd must say so (Cease / Out of Resources, logged, counted) and
# withdraw all of the speaker's routes, not keep a silent part of them. BIRD's session at 10.0.0.2 is untouched.
. "$(dirname "$0")/bgp_lib.sh"

hugepages_setup
{
	bgp_config_head e2e-oom | sed 's/^fib: .*/fib: { max_routes: 4096, max_tbl8: 1024 }/'
	cat <<YAML
bgp:
  groups:
    - { name: real, peer_asn: 65001, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2 }
    - { name: raw, peer_asn: 65010, hold_time: 9, passive: true, max_prefixes: 100000,
        error_wait_min: 30, error_wait_max: 30 }
  peers:
    - { group: real, address: 10.0.0.2 }
    - { group: raw, address: 10.0.0.3 }
  networks: [ 172.20.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
} >"$WORK/vbr.yaml"
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536:glibc.malloc.arena_max=1 \
	start_vbrd "$WORK/vbr.yaml" ||
	{ fail "vbrd start"; finish; }
bgp_topology
start_bird b1 10.0.0.2 65001 "" 192.168.1.0/24
wait_for 60 peer_established 10.0.0.2 || { fail "BIRD not Established"; finish; }
wait_for 20 fib_has 192.168.1.1 10.0.0.2 || fail "BIRD's route not in the FIB"
est_before=$(peer_field 10.0.0.2 established_count)

ip netns exec "$NS_IDC" timeout 120 python3 "$(dirname "$0")/bgp_speaker.py" --local 10.0.0.3 \
	--peer 10.0.0.1 --asn 65010 --timeout 60 --first 100 --then 5000 --go "$WORK/go" \
	announce >"$WORK/speaker.out" 2>&1 &
spk=$!
PIDS+=("$spk")
wait_for 30 grep -q first "$WORK/speaker.out" || { fail "speaker not Established"; finish; }
wait_for 20 fib_has 20.0.0.1 10.0.0.3 && pass "the speaker's first 100 routes are in" ||
	fail "first routes missing: $(fib_lookup 20.0.0.1)"

# No more address space: what vbrd maps now is all it gets (the soft
# limit only, which it may raise again).
limit=$(awk '/^VmSize:/ { printf "%.0f\n", $2 * 1024 }' "/proc/$VBRD_PID/status")
prlimit --pid "$VBRD_PID" --as="$limit:unlimited" || fail "prlimit"
touch "$WORK/go"
wait_for 30 grep -q then "$WORK/speaker.out" || fail "the speaker did not send its 5,000 routes"
# vbrd's answer ends the speaker; without one it stays, up to its timeout.
wait_for 20 grep -q '^{' "$WORK/speaker.out"
prlimit --pid "$VBRD_PID" --as=unlimited:unlimited || fail "prlimit (back)"
log "the speaker's routes in vbrd's RIB after the UPDATE: $(peer_field 10.0.0.3 prefixes_accepted) of 5100 (state $(peer_field 10.0.0.3 state))"
wait "$spk"
log "speaker: $(tail -n 1 "$WORK/speaker.out")"
got=$(tail -n 1 "$WORK/speaker.out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
n = r["notification"]
print(f"{n[0]}/{n[1]}" if n else ("closed" if r["closed"] else "none"))')
[ "$got" = 6/8 ] && pass "speaker got Cease / Out of Resources" ||
	fail "speaker got $got, want 6/8 (Cease / Out of Resources)"

vbrd_alive || { fail "vbrd died"; finish; }
grep -q "peer 10.0.0.3: out of memory for its routes" "$WORK/vbrd.log" &&
	pass "logged: $(grep -o 'peer 10.0.0.3: out of memory.*' "$WORK/vbrd.log" | head -n 1)" ||
	fail "no log line for the RIB out of memory"
n=$(peer_field 10.0.0.3 out_of_memory 2>/dev/null)
[ "$n" = 1 ] && pass "out_of_memory = 1" || fail "out_of_memory = $n"
wait_for 20 fib_lacks_all 20.0.0.1 20.0.99.1 20.0.150.1 &&
	[ "$(peer_field 10.0.0.3 prefixes_accepted)" = 0 ] &&
	pass "all of the speaker's routes withdrawn, none left in the RIB or FIB" ||
	fail "speaker's routes left: $(peer_field 10.0.0.3 prefixes_accepted) in the RIB, 20.0.0.1: $(fib_lookup 20.0.0.1)"

peer_established 10.0.0.2 && [ "$(peer_field 10.0.0.2 established_count)" = "$est_before" ] &&
	pass "BIRD's session stayed up" || fail "BIRD's session went down"
check_traffic_over_bgp BIRD
finish
