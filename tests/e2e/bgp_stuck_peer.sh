#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Stuck peers (issue 6, "Also build" and finding 10): raw speakers
# (bgp_speaker.py) that get stuck on purpose, beside a real peer (BIRD at
# 10.0.0.2) whose session must not notice.
# - 10.0.0.3 stops reading (a tiny receive window, ROUTE-REFRESH requests
#   that make vbrd send its 200 CIDR blocks again and again, KEEPALIVEs so
#   that the hold timer is fed): vbrd's send hold timer drops it, and what
#   vbrd queues for it meanwhile stays small (out_queue).
# - 10.0.0.4 stops talking after OPEN: vbrd's hold timer (9 s) drops it.
# - 10.0.0.4 offers hold time 0 (no hold timer at all): refused with OPEN
#   Message Error / Unacceptable Hold Time (min_hold_time 3 by default).
. "$(dirname "$0")/bgp_lib.sh"

hugepages_setup
nets=$(for i in $(seq 0 199); do printf '10.100.%d.0/24, ' "$i"; done)
{
	bgp_config_head e2e-stuck
	cat <<YAML
bgp:
  groups:
    - { name: real, peer_asn: 65001, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2 }
    - { name: raw, peer_asn: 65010, hold_time: 9, passive: true, send_hold_time: 12,
        error_wait_min: 1, error_wait_max: 1 }
  peers:
    - { group: real, address: 10.0.0.2 }
    - { group: raw, address: 10.0.0.3 }
    - { group: raw, address: 10.0.0.4 }
  networks: [ ${nets}172.20.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
} >"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_bird b1 10.0.0.2 65001 "" 192.168.1.0/24
wait_for 60 peer_established 10.0.0.2 || { fail "BIRD not Established"; finish; }
wait_for 20 fib_has 192.168.1.1 10.0.0.2 || fail "BIRD's route not in the FIB"
est_before=$(peer_field 10.0.0.2 established_count)

speaker() {
	ip netns exec "$NS_IDC" timeout 120 python3 "$(dirname "$0")/bgp_speaker.py" \
		--peer 10.0.0.1 --asn 65010 "$@"
}
# notif FILE: "code/subcode" of the NOTIFICATION the speaker got, or
# "closed" / "none"; seconds FILE: its "seconds".
notif() {
	tail -n 1 "$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)
n = r["notification"]
print(f"{n[0]}/{n[1]}" if n else ("closed" if r["closed"] else "none"))'
}
seconds() { tail -n 1 "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])'; }

# --- a peer that stops reading
speaker --local 10.0.0.3 --timeout 60 deaf >"$WORK/deaf.out" 2>&1 &
deaf_pid=$!
PIDS+=("$deaf_pid")
wait_for 30 grep -q deaf "$WORK/deaf.out" || fail "the deaf speaker did not get Established"
# While it is stuck, what vbrd keeps for it stays small.
max_q=0
deaf_gone() {
	local q st
	st=$(peer_field 10.0.0.3 state)
	q=$(peer_field 10.0.0.3 out_queue 2>/dev/null || echo 0)
	[ "${q:-0}" -gt "$max_q" ] && max_q=$q
	[ "$st" != Established ]
}
max_q_loop() {
	local t=0
	while ! deaf_gone; do
		sleep 0.5
		t=$((t + 1))
		[ $t -ge 120 ] && return 1
	done
	return 0
}
if max_q_loop; then
	t_up=$(log_times "peer 10.0.0.3 AS 65010 \(raw\): Established" | tail -n 1)
	t_down=$(log_times "peer 10.0.0.3 AS 65010: session down: send hold timer expired" | tail -n 1)
	if [ -n "$t_down" ]; then
		pass "deaf peer dropped by the send hold timer $(python3 -c "print(round($t_down - $t_up, 1))") s after Established (send_hold_time 12)"
	else
		fail "deaf peer dropped, but not by the send hold timer: $(peer_field 10.0.0.3 last_error)"
	fi
else
	fail "deaf peer still Established after 60 s: $(peer_field 10.0.0.3 last_error)"
fi
log "vbrd's output queue for the deaf peer: at most $max_q bytes"
[ "$max_q" -lt $((1 << 20)) ] && pass "output queue bounded (max $max_q B)" ||
	fail "output queue reached $max_q B"
[ "$(peer_field 10.0.0.3 send_hold_expired 2>/dev/null)" = 1 ] && pass "send_hold_expired = 1" ||
	fail "send_hold_expired = $(peer_field 10.0.0.3 send_hold_expired 2>/dev/null)"
wait "$deaf_pid"
log "deaf speaker: $(tail -n 1 "$WORK/deaf.out")"

# --- a peer that stops talking
speaker --local 10.0.0.4 --timeout 40 silent >"$WORK/silent.out" 2>&1
got=$(notif "$WORK/silent.out")
[ "$got" = 4/0 ] && pass "silent peer dropped by the hold timer after $(seconds "$WORK/silent.out") s (hold 9)" ||
	fail "silent peer: got $got, want 4/0 (Hold Timer Expired)"

# --- hold time 0: a peer that could stop talking forever
speaker --local 10.0.0.4 --timeout 40 --hold 0 silent >"$WORK/hold0.out" 2>&1
got=$(notif "$WORK/hold0.out")
[ "$got" = 2/6 ] && pass "hold time 0 refused: OPEN Message Error / Unacceptable Hold Time" ||
	fail "hold time 0: got $got ($(tail -n 1 "$WORK/hold0.out")), want 2/6"

# --- the real peer never noticed
peer_established 10.0.0.2 && [ "$(peer_field 10.0.0.2 established_count)" = "$est_before" ] &&
	pass "BIRD's session stayed up throughout" ||
	fail "BIRD's session went down ($(peer_field 10.0.0.2 established_count) ups)"
check_traffic_over_bgp BIRD
finish
