#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# How fast vbrd takes a large table from a real BGP peer: BIRD 2 in the IDC
# namespace announces N routes (default 100,000 /24s) over eBGP with
# TCP-MD5; the script times, from the session's Established, how long until
# vbrd has accepted them all and until all are in its FIB; then BIRD
# withdraws them all and it times how long until the FIB is back to what it
# held before. Polls every 0.2 s, so figures are that coarse. A measurement,
# not a test: it fails only if the table never arrives or never leaves.
#
#   tests/bench/bgp_convergence.sh [N]
. "$(dirname "$0")/../e2e/bgp_lib.sh"

N=${1:-100000}
KEY=conv-$E2E_ID
routes=()
for ((i = 0; i < N; i++)); do
	routes+=("$((11 + i / 65536)).$((i / 256 % 256)).$((i % 256)).0/24")
done

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
fib_count() {
	vbr_tel /vbr/fib | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/fib']['routes'])"
}
accepted_is() { [ "$(peer_field 10.0.0.2 prefixes_accepted)" = "$1" ]; }
fib_count_ge() { [ "$(fib_count)" -ge "$1" ]; }
fib_count_le() { [ "$(fib_count)" -le "$1" ]; }

hugepages_setup
bgp_config "$WORK/vbr.yaml" 65001 "$KEY" drop "$N"
sed -i "s|fib: { max_routes: 65536, max_tbl8: 1024 }|fib: { max_routes: $((N * 2 + 1024)), max_tbl8: 1024 }|" \
	"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
base=$(fib_count)
start_bird b1 10.0.0.2 65001 "$KEY" "${routes[@]}"
wait_for 120 peer_established 10.0.0.2 || { fail "not Established"; finish; }
t0=$(date +%s%N)
if wait_for 300 accepted_is "$N"; then
	log "vbrd accepted $N prefixes $(ms "$t0") ms after Established"
else
	fail "accepted $(peer_field 10.0.0.2 prefixes_accepted) of $N"
fi
# The FIB also gains /32 adjacencies as neighbours' ARP is seen: counts
# are compared with >= and <=.
if wait_for 300 fib_count_ge $((base + N)); then
	t=$(ms "$t0")
	log "vbrd's FIB holds all $N $t ms after Established ($((N * 1000 / (t > 0 ? t : 1))) routes/s)"
else
	fail "FIB holds $(fib_count), want $((base + N))"
fi
full=$(fib_count)
t0=$(date +%s%N)
birdc_ b1 disable st1 >/dev/null
if wait_for 300 fib_count_le $((full - N)); then
	t=$(ms "$t0")
	log "all $N withdrawn from the FIB $t ms after 'birdc disable' ($((N * 1000 / (t > 0 ? t : 1))) routes/s)"
else
	fail "FIB still holds $(fib_count) after the withdrawal"
fi
vbrd_alive || fail "vbrd died"
finish
