#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# eBGP with FRR's bgpd (FRR 8.4, without zebra) and a TCP-MD5 key.
# PEER_ASN picks a 4-byte (default 4200000001) or a 2-byte ASN (e.g. 65001).
# Checked on both sides, vbrd's (/vbr/bgp, /vbr/fib, /vbr/rib) and FRR's
# (vtysh):
#  - the session is Established, 4-octet AS capability negotiated, and its
#    segments carry valid TCP-MD5 signatures both ways;
#  - vbrd's FIB holds FRR's networks via 10.0.0.2 with FRR's AS path, and a
#    VPC host reaches an IDC host over the BGP-learned prefix (and back);
#  - FRR holds our CIDR block with our next hop and AS path;
#  - an announcement puts a route in the FIB, its withdrawal takes it out;
#  - stopping FRR takes all of its routes out; vbrd keeps running.
. "$(dirname "$0")/bgp_lib.sh"

PEER_ASN=${PEER_ASN:-4200000001}
KEY=frr-Key-$E2E_ID

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$PEER_ASN" "$KEY"
t0=$(date +%s%N)
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_frr f1 10.0.0.2 "$PEER_ASN" "$KEY" 192.168.1.0/24 10.202.0.0/16 ||
	{ fail "FRR's bgpd start"; cat "$WORK/f1/stdout"; finish; }

if wait_for 60 peer_established 10.0.0.2; then
	pass "vbrd: peer 10.0.0.2 AS $PEER_ASN Established ($(( ($(date +%s%N) - t0) / 1000000 )) ms after vbrd's start)"
else
	fail "vbrd: peer 10.0.0.2 not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	frr_ f1 -c "show bgp neighbors 10.0.0.1"
	tail -50 "$WORK/f1/bgpd.log"
	finish
fi
if wait_for 10 frr_established f1; then
	pass "FRR: neighbor 10.0.0.1 Established ($(frr_ f1 -c 'show bgp summary' | grep '^10\.0\.0\.1 '))"
else
	fail "FRR does not say Established"; frr_ f1 -c "show bgp neighbors 10.0.0.1"
fi
[ "$(peer_field 10.0.0.2 as4)" = 1 ] && pass "vbrd: 4-octet AS capability negotiated" ||
	fail "as4 not negotiated"
frr_ f1 -c "show bgp neighbors 10.0.0.1 json" >"$WORK/frr-nbr.json"
if python3 - "$WORK/frr-nbr.json" "$PEER_ASN" <<'PY'
import json, sys
n = json.load(open(sys.argv[1]))["10.0.0.1"]
assert n["remoteAs"] == 45104 and n["localAs"] == int(sys.argv[2]), (n["remoteAs"], n["localAs"])
assert n["bgpTimerHoldTimeMsecs"] == 9000, n["bgpTimerHoldTimeMsecs"]
caps = n["neighborCapabilities"]
assert caps["4byteAs"] == "advertisedAndReceived", caps["4byteAs"]
assert caps["multiprotocolExtensions"]["ipv4Unicast"]["advertisedAndReceived"], caps
PY
then
	pass "FRR: remote AS 45104, hold time 9 s, 4-byte AS and IPv4 unicast advertised and received"
else
	fail "FRR's view of the neighbor:"; cat "$WORK/frr-nbr.json"
fi

# TCP-MD5 (RFC 2385) on the wire, both ways, verified with the key.
check_md5_on_wire "$KEY"

# FRR's networks in vbrd's FIB, resolved through the IDC port.
if wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 10.202.9.9; then
	pass "vbrd's FIB: FRR's 192.168.1.0/24 and 10.202.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks FRR's routes: $(fib_lookup 192.168.1.1) / $(fib_lookup 10.202.9.9)"
fi
[ "$(peer_field 10.0.0.2 prefixes_accepted)" = 2 ] && pass "vbrd: 2 prefixes accepted" ||
	fail "prefixes_accepted = $(peer_field 10.0.0.2 prefixes_accepted)"
r=$(rib_entry 192.168.1.0/24)
[[ "$r" =~ \ bgp\ via\ 10\.0\.0\.2\ .*\ as_path\ $PEER_ASN$ ]] && pass "/vbr/rib '$r'" ||
	fail "192.168.1.0/24 in /vbr/rib: '$r', expected via 10.0.0.2 as_path $PEER_ASN"

# Traffic over the learned route, both ways.
check_traffic_over_bgp FRR

# FRR has our CIDR block, next hop our IDC address, AS path our ASN.
frr_has() { frr_ f1 -c "show bgp ipv4 unicast $1 json" | grep -q '"prefix"'; }
wait_for 10 frr_has 172.20.0.0/16 || true
frr_ f1 -c "show bgp ipv4 unicast 172.20.0.0/16 json" >"$WORK/frr-route.json"
if python3 - "$WORK/frr-route.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r.get("prefix") == "172.20.0.0/16", r
p = r["paths"]
assert len(p) == 1, p
p = p[0]
assert [n["ip"] for n in p["nexthops"]] == ["10.0.0.1"], p["nexthops"]
assert p["aspath"]["segments"] == [{"type": "as-sequence", "list": [45104]}], p["aspath"]
assert p["origin"] == "IGP", p["origin"]
assert p["peer"]["peerId"] == "10.0.0.1", p["peer"]
assert p["valid"] and p["bestpath"]["overall"], p
PY
then
	pass "FRR: 172.20.0.0/16 from 10.0.0.1, next hop 10.0.0.1, AS path 45104, origin IGP, valid and best"
else
	fail "FRR's view of our CIDR block:"; cat "$WORK/frr-route.json"
fi

# An announcement and its withdrawal, timed from vtysh to vbrd's FIB (the
# FIB polled every millisecond on one telemetry connection, as in bgp_bird.sh).
vbr_tel --until '"lookup": ?"via 10\.0\.0\.2 ' --timeout 20 /vbr/fib,192.168.2.1 >"$WORK/t_add" &
poll=$!
sleep 1
t_cmd=$(date +%s%3N)
frr_net f1 add 192.168.2.0/24
if wait "$poll"; then
	pass "announcement: 192.168.2.0/24 in vbrd's FIB $(awk -v t="$t_cmd" '{ printf "%d", $2 - t }' "$WORK/t_add") ms after 'network 192.168.2.0/24'"
else
	fail "192.168.2.0/24 never reached the FIB"
fi
vbr_tel --until '"lookup": ?"none"' --timeout 20 /vbr/fib,192.168.2.1 >"$WORK/t_del" &
poll=$!
sleep 0.2
t_cmd=$(date +%s%3N)
frr_net f1 del 192.168.2.0/24
if wait "$poll"; then
	pass "withdrawal: 192.168.2.0/24 left vbrd's FIB $(awk -v t="$t_cmd" '{ printf "%d", $2 - t }' "$WORK/t_del") ms after 'no network 192.168.2.0/24'"
else
	fail "192.168.2.0/24 still in the FIB after its withdrawal: $(fib_lookup 192.168.2.1)"
fi
fib_has 192.168.1.1 10.0.0.2 && fib_has 10.202.9.9 10.0.0.2 && pass "FRR's other routes stay" ||
	fail "the other routes went too"

# FRR stops: every one of its routes leaves.
check_peer_stopped FRR "$FRR_PID_f1" 192.168.1.1 10.202.9.9
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
grep -E "bgp: peer 10.0.0.2[: ]" "$WORK/vbrd.log" | grep -v "no answer before ConnectRetry" | sed 's/^/    log: /'
finish
