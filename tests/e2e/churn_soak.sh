#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Churn soak (issue 6): vbrd under ASan and UBSan, two BIRD peers in the IDC
# namespace. b1 (10.0.0.2) flaps SOAK_ROUTES prefixes, and one prefix that
# b2 also announces, for SOAK_SECONDS; b2 (10.0.0.3) holds the stable
# routes. Meanwhile VPC hosts ping IDC hosts behind both. At every step:
#  - vbrd's FIB equals its RIB (/vbr/fib_check: no difference, nothing
#    refused);
#  - b2's session never flaps (same established_count, BIRD Established);
#  - no ping to a stable prefix, nor to the contested one whose best path
#    moves between the two peers, is lost;
#  - at exit: no leak, no sanitizer report (lib.sh's cleanup).
# The test command runs the short form; run it longer by hand, e.g.
#   SOAK_SECONDS=600 SOAK_ROUTES=20000 bash tests/e2e/churn_soak.sh
. "$(dirname "$0")/bgp_lib.sh"

export VBRD=${VBRD_SOAK:-$VBR_ROOT/build-asan/vbrd}
SOAK_SECONDS=${SOAK_SECONDS:-45}
SOAK_ROUTES=${SOAK_ROUTES:-2000}
ASN=65001
KEY=soak-$E2E_ID

hugepages_setup
BGP_PEERS="10.0.0.2 10.0.0.3" bgp_config "$WORK/vbr.yaml" "$ASN" "$KEY" drop $((SOAK_ROUTES + 100))
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
ip -n "$NS_IDC" addr add 192.168.1.1/32 dev lo 2>/dev/null
ip -n "$NS_IDC" addr add 192.168.2.1/32 dev lo

# b1 announces the flapping set (protocol static flap, toggled) and the
# contested 192.168.2.0/24 (protocol static contest, toggled apart).
flap=()
for i in $(seq 0 $((SOAK_ROUTES - 1))); do
	flap+=("10.$((64 + i / 256)).$((i % 256)).0/24")
done
mkdir -p "$WORK/b1"
{
	echo "router id 10.0.0.2;"
	echo "log \"$WORK/b1/bird.log\" { warning, error, fatal };"
	echo "protocol device { }"
	echo "protocol static flap { ipv4;"
	for r in "${flap[@]}"; do echo "  route $r blackhole;"; done
	echo "}"
	echo "protocol static contest { ipv4; route 192.168.2.0/24 blackhole; }"
	cat <<CONF
protocol bgp vbr {
  local 10.0.0.2 as $ASN;
  neighbor 10.0.0.1 as 45104;
  password "$KEY";
  strict bind yes;
  hold time 9;
  connect retry time 2;
  connect delay time 1;
  ipv4 { import none; export where source = RTS_STATIC; };
}
CONF
} >"$WORK/b1/bird.conf"
ip netns exec "$NS_IDC" timeout $((SOAK_SECONDS + 300)) bird -f -c "$WORK/b1/bird.conf" \
	-s "$WORK/b1/bird.ctl" -P "$WORK/b1/bird.pid" >"$WORK/b1/stdout" 2>&1 &
PIDS+=($!)
wait_for 10 test -S "$WORK/b1/bird.ctl"
start_bird b2 10.0.0.3 "$ASN" "$KEY" 192.168.1.0/24 192.168.2.0/24

wait_for 60 peer_established 10.0.0.2 || { fail "b1 not Established"; finish; }
wait_for 60 peer_established 10.0.0.3 || { fail "b2 not Established"; finish; }
pass "both peers Established"

# fib_check_clean: /vbr/fib_check reports no difference and nothing refused.
fib_check_field() {
	vbr_tel /vbr/fib_check | python3 -c \
		"import json,sys; print(json.load(sys.stdin)['/vbr/fib_check']['$1'])"
}
fib_check_clean() {
	vbr_tel /vbr/fib_check | python3 -c "import json,sys
c = json.load(sys.stdin)['/vbr/fib_check']
sys.exit(not (c['differences'] == 0 and c['not_in_fib'] == 0))"
}
b1_accepted_is() { [ "$(peer_field 10.0.0.2 prefixes_accepted)" = "$1" ]; }

all=$((SOAK_ROUTES + 1))
wait_for 120 b1_accepted_is "$all" || { fail "b1's $all routes not accepted: $(peer_field 10.0.0.2 prefixes_accepted)"; finish; }
wait_for 60 fib_has_all 10.0.0.3 192.168.1.1 || { fail "no stable route via b2"; finish; }
wait_for 60 fib_check_clean || { fail "FIB != RIB at the start"; vbr_tel /vbr/fib_check; finish; }
pass "FIB == RIB with $all routes from b1 and 2 from b2"

b2_ups=$(peer_field 10.0.0.3 established_count)
b1_ups=$(peer_field 10.0.0.2 established_count)
# Pings for the whole soak: 20 a second to each of the stable and the
# contested destination.
count=$((SOAK_SECONDS * 20 + 200))
declare -A ping_pid
for dst in 192.168.1.1 192.168.2.1; do
	ip netns exec "$NS_VPC" ping -q -i 0.05 -W 5 -c "$count" -I 172.20.0.10 "$dst" \
		>"$WORK/ping-$dst.txt" 2>&1 &
	PIDS+=($!)
	ping_pid[$dst]=$!
done

checks=0
diffs=0
cycles=0
flapped=0
# settled N WHAT: b1's accepted routes reach N, then /vbr/fib_check is
# clean; on failure says which step of cycle $cycles failed.
settled() {
	if ! wait_for 120 b1_accepted_is "$1"; then
		fail "cycle $cycles: b1's routes did not all $2 ($(peer_field 10.0.0.2 prefixes_accepted))"
		return 1
	fi
	checks=$((checks + 1))
	if ! wait_for 30 fib_check_clean; then
		diffs=$((diffs + $(fib_check_field differences)))
		fail "cycle $cycles: FIB != RIB after the routes $2"; vbr_tel /vbr/fib_check
		return 1
	fi
}
end=$(($(date +%s) + SOAK_SECONDS))
while [ "$(date +%s)" -lt "$end" ]; do
	# Down: b1's flapping set and its claim on the contested prefix go.
	birdc_ b1 disable flap >/dev/null
	birdc_ b1 disable contest >/dev/null
	settled 0 leave || break
	# Up again.
	birdc_ b1 enable contest >/dev/null
	birdc_ b1 enable flap >/dev/null
	settled "$all" "come back" || break
	cycles=$((cycles + 1))
	flapped=$((flapped + 2 * all))
done
log "soak: $cycles cycles in ${SOAK_SECONDS} s, $flapped route announcements and withdrawals," \
	"$checks FIB == RIB checks, $diffs differences"
[ "$cycles" -ge 2 ] && pass "$cycles flap cycles, every FIB == RIB check clean" ||
	fail "only $cycles flap cycles"

[ "$(peer_field 10.0.0.3 established_count)" = "$b2_ups" ] && peer_established 10.0.0.3 &&
	bird_established b2 && pass "b2's session stayed up the whole soak" || fail "b2's session flapped"
[ "$(peer_field 10.0.0.2 established_count)" = "$b1_ups" ] &&
	pass "b1's session stayed up too (the flaps are routes, not sessions)" || fail "b1's session flapped"

for dst in 192.168.1.1 192.168.2.1; do
	pid=${ping_pid[$dst]}
	timeout 60 tail --pid="$pid" -f /dev/null
	line=$(grep "packets transmitted" "$WORK/ping-$dst.txt")
	tx=$(echo "$line" | awk '{ print $1 }')
	rx=$(echo "$line" | awk '{ print $4 }')
	if [ -n "$tx" ] && [ "$tx" = "$rx" ] && [ "$tx" -gt 0 ]; then
		pass "pings to $dst: $rx of $tx came back, none lost"
	else
		fail "pings to $dst: $line"
	fi
done
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
