#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# eBGP with ExaBGP 4.2 as a 2-octet-only speaker (no 4-octet AS capability),
# AS 65001, with a TCP-MD5 key. ExaBGP announces from its static config:
#   192.168.1.0/24              plain;
#   10.210.0.0/16               AS_PATH [65001 23456] and AS4_PATH
#                               [65001 4200000009]: a 4-byte ASN behind
#                               AS_TRANS, which vbrd merges (RFC 6793);
#   192.168.20.0/24             with COMMUNITIES;
#   192.168.30.0/24             with an unknown optional transitive attribute.
# Checked on both sides, vbrd's (/vbr/bgp, /vbr/fib, /vbr/rib) and ExaBGP's
# (the JSON its API process is given: parsed updates and raw packets):
#  - the session is Established, with 2-octet ASNs (as4 = 0);
#  - all four routes are accepted and in the FIB via 10.0.0.2;
#  - the AS path of 10.210.0.0/16 is the merged "65001 4200000009";
#  - a VPC host reaches an IDC host over the BGP-learned prefix (and back);
#  - ExaBGP put on the wire what this test means to send (raw packets);
#  - ExaBGP holds our CIDR block with next hop 10.0.0.1 and AS path [45104],
#    sent as a 2-octet AS_PATH without AS4_PATH;
#  - stopping ExaBGP takes all of its routes out; vbrd keeps running.
. "$(dirname "$0")/exabgp_lib.sh"

KEY=e2e-Secret-$E2E_ID

hugepages_setup
BGP_PEERS=10.0.0.2 bgp_config "$WORK/vbr.yaml" 65001 "$KEY"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_exabgp x1 10.0.0.2 65001 "$KEY" "capability { asn4 disable; }" \
	"192.168.1.0/24 next-hop 10.0.0.2" \
	"10.210.0.0/16 next-hop 10.0.0.2 as-path [ 65001 4200000009 ]" \
	"192.168.20.0/24 next-hop 10.0.0.2 community [ 65001:100 65001:200 ]" \
	"192.168.30.0/24 next-hop 10.0.0.2 attribute [ 0xf0 0xc0 0x0102 ]"

# On a 2-octet session ExaBGP 4.2 itself sends a path with a 4-byte ASN as
# AS_PATH with AS_TRANS plus AS4_PATH. (A raw "attribute [ 0x11 ... ]" with
# "as-path [ 65001 23456 ]" does not do: ExaBGP then adds an AS4_PATH of its
# own, [65001 23456], ahead of the raw one, and of a repeated attribute only
# the first counts, RFC 7606 3(g).) What went on the wire is checked below.

if wait_for 60 peer_established 10.0.0.2; then
	pass "vbrd: peer 10.0.0.2 AS 65001 (ExaBGP, MD5) Established"
else
	fail "vbrd: peer 10.0.0.2 not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	tail -n 30 "$WORK/x1/exabgp.log"
	finish
fi
wait_for 10 exabgp_established x1 && pass "ExaBGP: neighbor 10.0.0.1 up" ||
	fail "ExaBGP does not say up: $(exabgp_state x1)"
[ "$(peer_field 10.0.0.2 as4)" = 0 ] && pass "2-octet ASNs negotiated (as4 = 0)" ||
	fail "as4 = $(peer_field 10.0.0.2 as4), expected 0"

# ExaBGP's routes in vbrd's FIB, resolved through the IDC port.
if wait_for 20 fib_has 192.168.1.1 10.0.0.2 && wait_for 10 fib_has 10.210.3.4 10.0.0.2; then
	pass "vbrd's FIB: 192.168.1.0/24 and 10.210.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks ExaBGP's routes: 192.168.1.1 $(fib_lookup 192.168.1.1), 10.210.3.4 $(fib_lookup 10.210.3.4)"
fi
if wait_for 10 fib_has 192.168.20.1 10.0.0.2; then
	pass "route with COMMUNITIES accepted: 192.168.20.0/24 via 10.0.0.2"
else
	fail "192.168.20.0/24 (COMMUNITIES) not in the FIB: $(fib_lookup 192.168.20.1)"
fi
if wait_for 10 fib_has 192.168.30.1 10.0.0.2; then
	pass "route with an unknown optional transitive attribute accepted: 192.168.30.0/24 via 10.0.0.2"
else
	fail "192.168.30.0/24 (unknown attribute 0xf0) not in the FIB: $(fib_lookup 192.168.30.1)"
fi
[ "$(peer_field 10.0.0.2 prefixes_accepted)" = 4 ] && pass "vbrd: 4 prefixes accepted" ||
	fail "prefixes_accepted = $(peer_field 10.0.0.2 prefixes_accepted)"

# What ExaBGP sent (its own record of the UPDATEs it wrote).
sent_some() { [ -n "$(exabgp_wire x1 send "$1")" ]; }
want="origin=0 as_path=65001,23456 next_hop=10.0.0.2 as4_path=65001,4200000009"
wait_for 10 sent_some 10.210.0.0/16
r=$(exabgp_wire x1 send 10.210.0.0/16)
[ "$r" = "$want" ] && pass "ExaBGP sent 10.210.0.0/16 with $r" ||
	fail "ExaBGP sent 10.210.0.0/16 with '$r', expected '$want'"
wait_for 10 sent_some 192.168.20.0/24
r=$(exabgp_wire x1 send 192.168.20.0/24)
[[ " $r " == *" communities=65001:100,65001:200 "* ]] && pass "ExaBGP sent 192.168.20.0/24 with $r" ||
	fail "ExaBGP sent 192.168.20.0/24 with '$r', expected COMMUNITIES 65001:100 65001:200"
wait_for 10 sent_some 192.168.30.0/24
r=$(exabgp_wire x1 send 192.168.30.0/24)
[[ " $r " =~ \ attr240=0x[ce]0:0102\  ]] && pass "ExaBGP sent 192.168.30.0/24 with $r" ||
	fail "ExaBGP sent 192.168.30.0/24 with '$r', expected attribute 240 (optional transitive) 0102"

# RFC 6793: AS_PATH [65001 23456] + AS4_PATH [65001 4200000009].
r=$(rib_entry 10.210.0.0/16)
if [[ "$r" =~ ^10\.210\.0\.0/16\ bgp\ via\ 10\.0\.0\.2\ peer\ [0-9]+\ as_path\ 65001\ 4200000009$ ]]; then
	pass "AS4_PATH merged: /vbr/rib '$r'"
else
	fail "10.210.0.0/16 in /vbr/rib: '$r', expected as_path 65001 4200000009"
fi
r=$(rib_entry 192.168.1.0/24)
[[ "$r" =~ \ as_path\ 65001$ ]] && pass "/vbr/rib '$r'" ||
	fail "192.168.1.0/24 in /vbr/rib: '$r', expected as_path 65001"

# Traffic over the learned route, both ways.
check_traffic_over_bgp ExaBGP

# ExaBGP has our CIDR block, next hop our IDC address, AS path our ASN only
# (it fits 2 octets: no AS4_PATH, nothing AS_TRANS).
route_is() { [ "$(exabgp_route x1 "$1")" = "$2" ]; }
want="next-hop 10.0.0.1 as-path [45104] origin igp"
if wait_for 20 route_is 172.20.0.0/16 "$want"; then
	pass "ExaBGP: 172.20.0.0/16 $want"
else
	fail "ExaBGP's view of our CIDR block: '$(exabgp_route x1 172.20.0.0/16)', expected '$want'"
	cat "$WORK/x1/received.json"
fi
# On the wire: 2-octet AS_PATH [45104], no AS4_PATH, nothing else.
want="origin=0 as_path=45104 next_hop=10.0.0.1"
r=$(exabgp_wire x1 receive 172.20.0.0/16)
[ "$r" = "$want" ] && pass "the UPDATE vbrd sent for 172.20.0.0/16: $r (no AS4_PATH)" ||
	fail "the UPDATE vbrd sent for 172.20.0.0/16: '$r', expected '$want'"

# ExaBGP stops: every one of its routes leaves.
check_peer_stopped ExaBGP "$EXABGP_PID_x1" 192.168.1.1 10.210.3.4 192.168.20.1 192.168.30.1
[ -z "$(rib_entry 10.210.0.0/16)" ] && pass "/vbr/rib: 10.210.0.0/16 gone" ||
	fail "/vbr/rib still has '$(rib_entry 10.210.0.0/16)'"
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
grep -E "bgp: peer 10.0.0.2 .*(Established|down)" "$WORK/vbrd.log" | sed 's/^/    log: /'
finish
