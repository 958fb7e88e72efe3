#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# eBGP with BIRD 2 and a TCP-MD5 key (issue 3). PEER_ASN picks a 2-byte
# (default 65001) or a 4-byte ASN (e.g. 4200000001). Checked on both sides,
# vbrd's (/vbr/bgp, /vbr/fib) and BIRD's (birdc):
#  - the session is Established;
#  - vbrd's FIB holds BIRD's routes, and a VPC host reaches an IDC host over
#    the BGP-learned prefix (and back);
#  - BIRD holds our CIDR block with our next hop and AS path;
#  - a withdrawal takes the route out of the FIB, an announcement puts it in;
#  - stopping BIRD takes all of its routes out.
. "$(dirname "$0")/bgp_lib.sh"

PEER_ASN=${PEER_ASN:-65001}
KEY=e2e-Secret-$E2E_ID

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$PEER_ASN" "$KEY"
t0=$(date +%s%N)
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_bird b1 10.0.0.2 "$PEER_ASN" "$KEY" 192.168.1.0/24 192.168.10.0/24 10.200.0.0/16

if wait_for 60 peer_established 10.0.0.2; then
	t1=$(date +%s%N)
	pass "vbrd: peer 10.0.0.2 AS $PEER_ASN Established ($(( (t1 - t0) / 1000000 )) ms after vbrd's start)"
else
	fail "vbrd: peer 10.0.0.2 not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	birdc_ b1 show protocols all vbr
	finish
fi
bird_established b1 && pass "BIRD: protocol vbr Established" || fail "BIRD does not say Established"
[ "$(peer_field 10.0.0.2 as4)" = 1 ] && pass "4-octet AS capability negotiated" ||
	fail "as4 not negotiated"

# BIRD's routes in vbrd's FIB, resolved through the IDC port.
if wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 192.168.10.7 10.200.3.4; then
	pass "vbrd's FIB: 192.168.1.0/24, 192.168.10.0/24, 10.200.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks BIRD's routes: $(fib_lookup 192.168.1.1)"
fi
[ "$(peer_field 10.0.0.2 prefixes_accepted)" = 3 ] && pass "vbrd: 3 prefixes accepted" ||
	fail "prefixes_accepted = $(peer_field 10.0.0.2 prefixes_accepted)"

# Traffic over the learned route, both ways.
check_traffic_over_bgp BIRD

# BIRD has our CIDR block, next hop our IDC address, AS path our ASN.
birdc_ b1 show route 172.20.0.0/16 all >"$WORK/bird-route"
if grep -q "172.20.0.0/16" "$WORK/bird-route" && grep -q "BGP.next_hop: 10.0.0.1" "$WORK/bird-route" &&
	grep -Eq "BGP.as_path: 45104\s*$" "$WORK/bird-route" && grep -q "BGP.origin: IGP" "$WORK/bird-route"; then
	pass "BIRD: 172.20.0.0/16 next hop 10.0.0.1, AS path 45104, origin IGP"
else
	fail "BIRD's view of our CIDR block:"; cat "$WORK/bird-route"
fi

# An announcement and a withdrawal, timed from birdc to vbrd's FIB (the
# FIB polled every millisecond on one telemetry connection).
# tcpdump on vbrd's side of the IDC port says when BIRD's UPDATE arrived
# (BGP segments from BIRD longer than a KEEPALIVE), so vbrd's own share shows.
ip netns exec "$NS_VBR" timeout 10 tcpdump -i vbr-idc -n -tt -l -c 1 \
	'src host 10.0.0.2 and tcp port 179 and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 19' \
	>"$WORK/t_wire" 2>/dev/null &
dump=$!
vbr_tel --until '"lookup": ?"via 10\.0\.0\.2 ' --timeout 20 /vbr/fib,192.168.2.1 >"$WORK/t_add" &
poll=$!
sleep 1
t_cmd=$(date +%s%3N)
birdc_ b1 enable st2 >/dev/null
birdc_ b1 show status >/dev/null
if wait "$poll"; then
	wait "$dump"
	wire=$(awk -v m="$(cut -d' ' -f2 "$WORK/t_add")" '$1 > 0 { printf "%.1f", m - $1 * 1000; exit }' "$WORK/t_wire")
	pass "announcement: 192.168.2.0/24 in vbrd's FIB $(awk -v t="$t_cmd" '{ printf "%d", $2 - t }' "$WORK/t_add") ms after 'birdc enable', ${wire:-?} ms after its UPDATE reached vbrd's tap"
else
	fail "192.168.2.0/24 never reached the FIB"
fi
vbr_tel --until '"lookup": ?"none"' --timeout 20 /vbr/fib,192.168.2.1 >"$WORK/t_del" &
poll=$!
sleep 0.2
t_cmd=$(date +%s%3N)
birdc_ b1 disable st2 >/dev/null
birdc_ b1 show status >/dev/null
if wait "$poll"; then
	pass "withdrawal: 192.168.2.0/24 left vbrd's FIB $(awk -v t="$t_cmd" '{ printf "%d", $2 - t }' "$WORK/t_del") ms after 'birdc disable'"
else
	fail "192.168.2.0/24 still in the FIB after its withdrawal: $(fib_lookup 192.168.2.1)"
fi
fib_has 192.168.1.1 10.0.0.2 || fail "the other routes went too"

# BIRD stops: every one of its routes leaves.
check_peer_stopped BIRD "$BIRD_PID_b1" 192.168.1.1 192.168.10.7 10.200.3.4
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
grep -E "bgp: peer 10.0.0.2 .*(Established|down)" "$WORK/vbrd.log" | sed 's/^/    log: /'
finish
