#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# GTSM (RFC 5082; issue 6, finding 10), a per-group option:
# - BIRD at 10.0.0.2 with "ttl security" in a group with gtsm: true comes up;
#   vbrd's segments to it carry TTL 255.
# - BIRD at 10.0.0.3 without it (TTL 1, as eBGP sends to a direct
#   neighbour) in a group with gtsm: true never gets a session: vbrd's kernel
#   drops its segments.
# - BIRD at 10.0.0.4 in a group without GTSM comes up beside them (TTL 1).
. "$(dirname "$0")/bgp_lib.sh"

hugepages_setup
{
	bgp_config_head e2e-gtsm
	cat <<YAML
bgp:
  groups:
    - { name: secure, peer_asn: 65001, gtsm: true, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2 }
    - { name: secure2, peer_asn: 65002, gtsm: true, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2 }
    - { name: plain, peer_asn: 65003, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2 }
  peers:
    - { group: secure, address: 10.0.0.2 }
    - { group: secure2, address: 10.0.0.3 }
    - { group: plain, address: 10.0.0.4 }
  networks: [ 172.20.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
} >"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
ip netns exec "$NS_IDC" timeout 60 tcpdump -i "$TAP_IDC" -n -v -c 6 \
	'src host 10.0.0.1 and dst host 10.0.0.2 and tcp port 179 and tcp[tcpflags] & tcp-rst == 0' \
	>"$WORK/ttl.txt" 2>/dev/null &
tcpdump_pid=$!
PIDS+=("$tcpdump_pid")
BIRD_BGP_EXTRA="ttl security yes;" start_bird b1 10.0.0.2 65001 "" 192.168.1.0/24
start_bird b2 10.0.0.3 65002 "" 192.168.2.0/24
start_bird b3 10.0.0.4 65003 "" 192.168.3.0/24

if wait_for 60 peer_established 10.0.0.2; then
	pass "GTSM peer (BIRD, ttl security) Established"
else
	fail "GTSM peer not Established: $(peer_field 10.0.0.2 last_error)"
fi
wait_for 60 peer_established 10.0.0.4 && pass "peer without GTSM in another group Established" ||
	fail "plain peer not Established"
wait_for 20 fib_has 192.168.1.1 10.0.0.2 && pass "the GTSM peer's route is in the FIB" ||
	fail "GTSM peer's route missing: $(fib_lookup 192.168.1.1)"
check_traffic_over_bgp "the GTSM peer"

# Our segments to the GTSM peer: TTL 255 (but resets the kernel sends for
# a connection no socket has any more, e.g. the loser of a collision).
wait_for 30 test "$(grep -c 'ttl' "$WORK/ttl.txt")" -ge 3
if grep -q 'ttl 255' "$WORK/ttl.txt" && ! grep -Eq 'ttl ([0-9]|[0-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4]),' "$WORK/ttl.txt"; then
	pass "vbrd's segments to the GTSM peer carry TTL 255"
else
	fail "TTL of vbrd's segments: $(grep -o 'ttl [0-9]*' "$WORK/ttl.txt" | sort | uniq -c | tr '\n' ' ')"
fi

# The peer that sends TTL 1 to a GTSM group: its own connections are
# refused on their SYN's TTL (BIRD comes back every few seconds); none of
# its BGP messages ever reaches vbrd, so no session gets past OpenSent (the
# kernel may let the SYN-ACK of our own connect through, never the peer's
# OPEN).
if wait_for 60 peer_gt 10.0.0.3 gtsm_refused 0; then
	pass "its connections refused on their SYN's TTL: gtsm_refused = $(peer_field 10.0.0.3 gtsm_refused)"
else
	fail "gtsm_refused = $(peer_field 10.0.0.3 gtsm_refused) after 60 s"
fi
[ "$(peer_field 10.0.0.3 established_count)" = 0 ] && [ "$(peer_field 10.0.0.3 msgs_in)" = 0 ] &&
	pass "TTL-1 peer: no message reached vbrd, never Established in a GTSM group" ||
	fail "TTL-1 peer got a session in a GTSM group ($(peer_field 10.0.0.3 msgs_in) messages in)"
finish
