#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Route filters (issue 6, findings 7 and 9): BIRD at 10.0.0.2 (group
# "strict", the defaults) announces martians, a default route, more-specifics
# of the connected subnets, of our BGP CIDR blocks and of a static route
# toward the VPC, a /25, and a path of 65 ASNs, beside good routes. None of
# the bad ones may reach vbrd's FIB; each is counted (prefixes_filtered,
# prefixes_as_path_long); the good ones are in and carry traffic. GoBGP at
# 10.0.0.3 (group "lenient": accept_default, max_prefix_len 25) gets its
# default route and its /25 in, but not its martians 127/8 and 224/4 (which
# BIRD does not even keep in its table).
. "$(dirname "$0")/bgp_lib.sh"

hugepages_setup
{
	bgp_config_head e2e-filter
	cat <<YAML
bgp:
  groups:
    - { name: strict, peer_asn: 65001, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2 }
    - { name: lenient, peer_asn: 65002, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2, accept_default: true, max_prefix_len: 25 }
  peers:
    - { group: strict, address: 10.0.0.2 }
    - { group: lenient, address: 10.0.0.3 }
  networks: [ 172.20.0.0/16, 10.200.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
  - { prefix: 172.30.0.0/16, next_hop: 172.16.0.2 }
  # Toward the IDC: more-specifics learned over BGP are normal there.
  - { prefix: 192.168.0.0/16, next_hop: 10.0.0.2 }
YAML
} >"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology

# What BIRD 1 announces: prefix, the address looked up, and why it must stay
# out ("good": it must come in).
cat >"$WORK/routes1" <<'ROUTES'
0.0.0.0/0 8.8.8.8 default
0.0.0.0/8 0.1.2.3 martian
169.254.0.0/16 169.254.1.1 martian
240.0.0.0/4 240.1.1.1 martian
172.16.0.2/32 172.16.0.2 connected-vpc
10.0.0.4/32 10.0.0.4 connected-idc
172.20.5.0/24 172.20.5.1 cidr-block
10.200.1.0/24 10.200.1.1 cidr-block
172.30.7.0/24 172.30.7.1 static-vpc
10.70.0.128/25 10.70.0.129 too-long
10.61.0.0/16 10.61.0.1 as-path-65
192.168.1.0/24 192.168.1.1 good
10.50.0.0/16 10.50.0.1 good
10.60.0.0/16 10.60.0.1 good-as-path-64
ROUTES
# BIRD prepends its own AS: 63 more make a path of 64 ASNs, 64 more 65.
prepends() {
	local i n=$1
	for ((i = 0; i < n; i++)); do printf 'bgp_path.prepend(65001); '; done
}
BIRD_EXPORT="filter { if source != RTS_STATIC then reject;
	if net = 10.60.0.0/16 then { $(prepends 63) }
	if net = 10.61.0.0/16 then { $(prepends 64) }
	accept; }" start_bird b1 10.0.0.2 65001 "" $(awk '{print $1}' "$WORK/routes1")
# GoBGP announces what BIRD will not have in its table at all.
start_gobgp g2 10.0.0.3 65002 "" || { fail "gobgpd start"; finish; }
for pfx in 0.0.0.0/0 10.71.0.128/25 127.0.0.0/8 224.0.0.0/4 10.72.0.0/16; do
	gobgp_ g2 global rib add -a ipv4 "$pfx" nexthop 10.0.0.3 >/dev/null
done

wait_for 60 peer_established 10.0.0.2 || { fail "BIRD 1 not Established"; finish; }
wait_for 60 peer_established 10.0.0.3 || { fail "GoBGP not Established"; finish; }

# Every announcement is accounted for: accepted, filtered or too long a path.
n1=$(wc -l <"$WORK/routes1")
accounted() {
	local a f l
	a=$(peer_field "$1" prefixes_accepted)
	f=$(peer_field "$1" prefixes_filtered 2>/dev/null || echo 0)
	l=$(peer_field "$1" prefixes_as_path_long 2>/dev/null || echo 0)
	[ $((a + f + l)) -ge "$2" ]
}
wait_for 30 accounted 10.0.0.2 "$n1" || {
	fail "BIRD 1: not all $n1 announcements reached vbrd"
	birdc_ b1 show route export vbr
}
wait_for 30 accounted 10.0.0.3 5 || {
	fail "GoBGP: not all 5 announcements reached vbrd"
	gobgp_ g2 neighbor 10.0.0.1 adj-out
}

# The FIB's own list of routes, and the RIB's best route, per prefix: a
# lookup alone would also find the lenient peer's default route.
vbr_tel /vbr/fib >"$WORK/fib.json"
vbr_tel /vbr/rib >"$WORK/rib.json"
in_fib() {
	python3 -c "
import json, sys
sys.exit(0 if any(r.startswith('$1 ') and 'via $2 ' in r
                  for r in json.load(open('$WORK/fib.json'))['/vbr/fib']['entries']) else 1)"
}
in_rib() {
	python3 -c "
import json, sys
sys.exit(0 if any(r.startswith('$1 bgp via $2 ')
                  for r in json.load(open('$WORK/rib.json'))['/vbr/rib']['routes']) else 1)"
}
bad_in=0
while read -r pfx addr why; do
	if [ "${why#good}" != "$why" ]; then
		in_fib "$pfx" 10.0.0.2 && fib_has "$addr" 10.0.0.2 && pass "$pfx ($why) is in the FIB" ||
			fail "$pfx ($why) missing: $(fib_lookup "$addr")"
	elif in_fib "$pfx" 10.0.0.2 || in_rib "$pfx" 10.0.0.2; then
		fail "$pfx ($why) in the RIB or FIB: $(fib_lookup "$addr")"
		bad_in=$((bad_in + 1))
	else
		pass "$pfx ($why) kept out of the RIB and the FIB ($addr: $(fib_lookup "$addr"))"
	fi
done <"$WORK/routes1"
log "bad prefixes from BIRD 1 in vbrd's FIB: $bad_in of $(grep -vc good "$WORK/routes1")"

want_f=$(grep -v good "$WORK/routes1" | grep -vc as-path)
f=$(peer_field 10.0.0.2 prefixes_filtered)
l=$(peer_field 10.0.0.2 prefixes_as_path_long)
[ "$f" = "$want_f" ] && pass "prefixes_filtered = $f" || fail "prefixes_filtered = $f, want $want_f"
[ "$l" = 1 ] && pass "prefixes_as_path_long = 1" || fail "prefixes_as_path_long = $l, want 1"
a=$(peer_field 10.0.0.2 prefixes_accepted)
[ "$a" = 3 ] && pass "prefixes_accepted = 3" || fail "prefixes_accepted = $a, want 3"
grep -Eq "peer 10.0.0.2: [0-9]+ of [0-9]+ prefixes refused by the route filter: [0-9./]+ \(" \
	"$WORK/vbrd.log" && pass "the log names a refused prefix and why" ||
	fail "no log line for the refused prefixes"

# The lenient group: its default and its /25 come in, its martian does not.
fib_has 8.8.8.8 10.0.0.3 && pass "lenient: 0.0.0.0/0 accepted (accept_default)" ||
	fail "lenient: default missing: $(fib_lookup 8.8.8.8)"
fib_has 10.71.0.129 10.0.0.3 && pass "lenient: a /25 accepted (max_prefix_len 25)" ||
	fail "lenient: /25 missing: $(fib_lookup 10.71.0.129)"
for pfx in 127.0.0.0/8 224.0.0.0/4; do
	in_fib "$pfx" 10.0.0.3 || in_rib "$pfx" 10.0.0.3 && fail "lenient: $pfx accepted" ||
		pass "lenient: martian $pfx kept out of the RIB and the FIB"
done
[ "$(peer_field 10.0.0.3 prefixes_filtered)" = 2 ] && pass "lenient: prefixes_filtered = 2" ||
	fail "lenient: prefixes_filtered = $(peer_field 10.0.0.3 prefixes_filtered), want 2"

# Interned attributes: BIRD's two accepted sets and GoBGP's one hold six
# routes; RIB memory is shown.
vbr_tel /vbr/rib | python3 -c "
import json, sys
r = json.load(sys.stdin)['/vbr/rib']
print(r['attr_sets'], r['attr_refs'], r['attr_bytes'], r['rib_bytes'])" >"$WORK/attrs"
read -r sets refs abytes rbytes <"$WORK/attrs"
log "attr_sets $sets, attr_refs $refs, attr_bytes $abytes, rib_bytes $rbytes"
[ "$sets" = 3 ] && [ "$refs" = 6 ] && [ "$rbytes" -gt 0 ] &&
	pass "6 routes share 3 attribute sets" || fail "attribute sets: $sets for $refs references"

# Traffic crosses both ways over the good route and the VPC neighbour
# 172.16.0.2 (whose /32 BIRD announced).
check_traffic_over_bgp "BIRD 1"
finish
