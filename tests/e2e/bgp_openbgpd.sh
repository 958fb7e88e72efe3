#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# eBGP with OpenBGPD (7.7) and a TCP-MD5 key. PEER_ASN picks a 2-byte
# (default 65001) or a 4-byte ASN (e.g. 4200000002). Checked on both sides,
# vbrd's (/vbr/bgp, /vbr/fib, /vbr/rib) and OpenBGPD's (bgpctl):
#  - the session is Established, 4-octet AS capability negotiated (or, with
#    AS4=no, not offered by OpenBGPD and not used), and its segments carry
#    valid TCP-MD5 signatures both ways;
#  - vbrd's FIB holds OpenBGPD's networks via 10.0.0.2 with its AS path,
#    and a VPC host reaches an IDC host over the BGP-learned prefix (and
#    back);
#  - OpenBGPD holds our CIDR block with our next hop and AS path;
#  - an announcement puts a route in the FIB, its withdrawal takes it out;
#  - stopping OpenBGPD takes all of its routes out; vbrd keeps running.
. "$(dirname "$0")/bgp_lib.sh"

PEER_ASN=${PEER_ASN:-65001}
# AS4=no: OpenBGPD leaves out the 4-octet AS capability (2-byte ASNs only).
AS4=${AS4:-yes}
OPENBGPD_AS4=$AS4
KEY=obgpd-Key-$E2E_ID

# obgp_has PREFIX: OpenBGPD's Adj-RIB-In holds PREFIX.
obgp_has() { bgpctl_ o1 show rib in "$1" | grep -q "^.* $1 "; }

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$PEER_ASN" "$KEY"
t0=$(date +%s%N)
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_openbgpd o1 10.0.0.2 "$PEER_ASN" "$KEY" 192.168.1.0/24 10.203.0.0/16 ||
	{ fail "OpenBGPD start"; cat "$WORK/o1/bgpd.log"; finish; }

if wait_for 60 peer_established 10.0.0.2; then
	pass "vbrd: peer 10.0.0.2 AS $PEER_ASN Established ($(( ($(date +%s%N) - t0) / 1000000 )) ms after vbrd's start)"
else
	fail "vbrd: peer 10.0.0.2 not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	bgpctl_ o1 show neighbor 10.0.0.1
	tail -50 "$WORK/o1/bgpd.log"
	finish
fi
if wait_for 10 openbgpd_established o1; then
	pass "OpenBGPD: neighbor 10.0.0.1 Established ($(bgpctl_ o1 show summary | grep '^vbr '))"
else
	fail "OpenBGPD does not say Established"; bgpctl_ o1 show neighbor 10.0.0.1
fi
want_as4=1
[ "$AS4" = no ] && want_as4=0
[ "$(peer_field 10.0.0.2 as4)" = "$want_as4" ] && pass "vbrd: as4 = $want_as4 (4-octet AS capability $AS4)" ||
	fail "vbrd: as4 = $(peer_field 10.0.0.2 as4), expected $want_as4"
bgpctl_ o1 show neighbor 10.0.0.1 >"$WORK/obgp-nbr.txt"
sed -n '/Negotiated capabilities:/,/^$/p' "$WORK/obgp-nbr.txt" >"$WORK/obgp-caps.txt"
if grep -q "remote AS 45104" "$WORK/obgp-nbr.txt" && grep -q "holdtime 9s" "$WORK/obgp-nbr.txt" &&
	{ [ "$AS4" = no ] || grep -q "4-byte AS numbers" "$WORK/obgp-caps.txt"; } &&
	{ [ "$AS4" != no ] || ! grep -q "4-byte AS numbers" "$WORK/obgp-caps.txt"; } &&
	grep -q "Multiprotocol extensions: IPv4 unicast" "$WORK/obgp-caps.txt" &&
	grep -q "Route Refresh" "$WORK/obgp-caps.txt"; then
	pass "OpenBGPD: remote AS 45104, hold time 9 s, negotiated IPv4 unicast, route refresh, 4-byte AS: $AS4"
else
	fail "OpenBGPD's view of the neighbor:"; cat "$WORK/obgp-nbr.txt"
fi

# TCP-MD5 (RFC 2385) on the wire, both ways, verified with the key.
check_md5_on_wire "$KEY"

# OpenBGPD's networks in vbrd's FIB, resolved through the IDC port.
if wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 10.203.9.9; then
	pass "vbrd's FIB: OpenBGPD's 192.168.1.0/24 and 10.203.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks OpenBGPD's routes: $(fib_lookup 192.168.1.1) / $(fib_lookup 10.203.9.9)"
fi
[ "$(peer_field 10.0.0.2 prefixes_accepted)" = 2 ] && pass "vbrd: 2 prefixes accepted" ||
	fail "prefixes_accepted = $(peer_field 10.0.0.2 prefixes_accepted)"
r=$(rib_entry 192.168.1.0/24)
[[ "$r" =~ \ bgp\ via\ 10\.0\.0\.2\ .*\ as_path\ $PEER_ASN$ ]] && pass "/vbr/rib '$r'" ||
	fail "192.168.1.0/24 in /vbr/rib: '$r', expected via 10.0.0.2 as_path $PEER_ASN"

# Traffic over the learned route, both ways.
check_traffic_over_bgp OpenBGPD

# OpenBGPD has our CIDR block, next hop our IDC address, AS path our ASN:
# in its Adj-RIB-In as received, and in its Loc-RIB as the valid best path.
wait_for 10 obgp_has 172.20.0.0/16 || true
bgpctl_ o1 -j show rib in detail 172.20.0.0/16 >"$WORK/obgp-in.json"
bgpctl_ o1 -j show rib detail 172.20.0.0/16 >"$WORK/obgp-loc.json"
if python3 - "$WORK/obgp-in.json" "$WORK/obgp-loc.json" <<'PY'
import json, sys
rin = json.load(open(sys.argv[1]))["rib"]
assert len(rin) == 1, rin
r = rin[0]
assert r["prefix"] == "172.20.0.0/16", r
assert r["neighbor"]["remote_addr"] == "10.0.0.1", r["neighbor"]
assert r["exit_nexthop"] == "10.0.0.1", r["exit_nexthop"]
assert r["aspath"] == "45104", r["aspath"]
assert r["origin"] == "IGP", r["origin"]
loc = json.load(open(sys.argv[2]))["rib"]
assert len(loc) == 1, loc
l = loc[0]
assert l["exit_nexthop"] == "10.0.0.1" and l["aspath"] == "45104", l
assert l["valid"] and l.get("best"), l
PY
then
	pass "OpenBGPD: 172.20.0.0/16 from 10.0.0.1, next hop 10.0.0.1, AS path 45104, origin IGP, valid and best"
else
	fail "OpenBGPD's view of our CIDR block:"; cat "$WORK/obgp-in.json" "$WORK/obgp-loc.json"
fi

# An announcement and its withdrawal, timed from bgpctl to vbrd's FIB (the
# FIB polled every millisecond on one telemetry connection, as in bgp_bird.sh).
vbr_tel --until '"lookup": ?"via 10\.0\.0\.2 ' --timeout 20 /vbr/fib,192.168.2.1 >"$WORK/t_add" &
poll=$!
sleep 1
t_cmd=$(date +%s%3N)
bgpctl_ o1 network add 192.168.2.0/24 >/dev/null
if wait "$poll"; then
	pass "announcement: 192.168.2.0/24 in vbrd's FIB $(awk -v t="$t_cmd" '{ printf "%d", $2 - t }' "$WORK/t_add") ms after 'bgpctl network add'"
else
	fail "192.168.2.0/24 never reached the FIB"
fi
vbr_tel --until '"lookup": ?"none"' --timeout 20 /vbr/fib,192.168.2.1 >"$WORK/t_del" &
poll=$!
sleep 0.2
t_cmd=$(date +%s%3N)
bgpctl_ o1 network delete 192.168.2.0/24 >/dev/null
if wait "$poll"; then
	pass "withdrawal: 192.168.2.0/24 left vbrd's FIB $(awk -v t="$t_cmd" '{ printf "%d", $2 - t }' "$WORK/t_del") ms after 'bgpctl network delete'"
else
	fail "192.168.2.0/24 still in the FIB after its withdrawal: $(fib_lookup 192.168.2.1)"
fi
fib_has 192.168.1.1 10.0.0.2 && fib_has 10.203.9.9 10.0.0.2 && pass "OpenBGPD's other routes stay" ||
	fail "the other routes went too"

# OpenBGPD stops: every one of its routes leaves.
check_peer_stopped OpenBGPD "$OPENBGPD_PID_o1" 192.168.1.1 10.203.9.9
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
grep -E "bgp: peer 10.0.0.2[: ]" "$WORK/vbrd.log" | grep -v "no answer before ConnectRetry" | sed 's/^/    log: /'
finish
