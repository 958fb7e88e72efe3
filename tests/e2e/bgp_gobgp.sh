#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# eBGP with GoBGP and a TCP-MD5 key (issue 3), PEER_ASN 2-byte (default) or
# 4-byte. Checked on vbrd's side and with GoBGP's own CLI.
. "$(dirname "$0")/bgp_lib.sh"

PEER_ASN=${PEER_ASN:-65002}
KEY=gobgp-Key-$E2E_ID

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$PEER_ASN" "$KEY"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_gobgp g1 10.0.0.2 "$PEER_ASN" "$KEY" || { fail "gobgpd start"; finish; }
gobgp_ g1 global rib add -a ipv4 192.168.1.0/24 nexthop 10.0.0.2 >/dev/null
gobgp_ g1 global rib add -a ipv4 10.201.0.0/16 nexthop 10.0.0.2 >/dev/null

if wait_for 60 peer_established 10.0.0.2; then
	pass "vbrd: peer 10.0.0.2 AS $PEER_ASN Established"
else
	fail "vbrd: not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	gobgp_ g1 neighbor
	finish
fi
gobgp_established g1 && pass "GoBGP: neighbor 10.0.0.1 ESTABLISHED" || fail "GoBGP not established"

if wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 10.201.9.9; then
	pass "vbrd's FIB: GoBGP's 192.168.1.0/24 and 10.201.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks GoBGP's routes: $(fib_lookup 192.168.1.1)"
fi
check_traffic_over_bgp GoBGP

gobgp_ g1 neighbor 10.0.0.1 adj-in -a ipv4 -j >"$WORK/adj-in.json"
if python3 - "$WORK/adj-in.json" <<'PY'
import json, sys
rib = json.load(open(sys.argv[1]))
paths = rib.get("172.20.0.0/16")
assert paths, rib
attrs = paths[0]["attrs"]
nh = [a for a in attrs if a["type"] == 3][0]["nexthop"]
asp = [a for a in attrs if a["type"] == 2][0]["as_paths"][0]["asns"]
origin = [a for a in attrs if a["type"] == 1][0]["value"]
assert nh == "10.0.0.1", nh
assert asp == [45104], asp
assert origin == 0, origin
PY
then
	pass "GoBGP: 172.20.0.0/16 from us, next hop 10.0.0.1, AS path [45104], origin IGP"
else
	fail "GoBGP's view of our CIDR block:"; cat "$WORK/adj-in.json"
fi

ta=$(date +%s%N)
gobgp_ g1 global rib add -a ipv4 192.168.2.0/24 nexthop 10.0.0.2 >/dev/null
if wait_for 20 fib_has 192.168.2.1 10.0.0.2; then
	pass "announcement in vbrd's FIB $(( ($(date +%s%N) - ta) / 1000000 )) ms after 'gobgp global rib add'"
else
	fail "192.168.2.0/24 never reached the FIB"
fi
gobgp_ g1 global rib del -a ipv4 192.168.2.0/24 >/dev/null
if wait_for 20 fib_lacks 192.168.2.1; then
	pass "withdrawal: 192.168.2.0/24 left vbrd's FIB"
else
	fail "192.168.2.0/24 still in the FIB: $(fib_lookup 192.168.2.1)"
fi

check_peer_stopped GoBGP "$GOBGP_PID_g1" 192.168.1.1 10.201.9.9
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
