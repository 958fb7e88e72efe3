#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# BFD authentication (RFC 5880 6.7) with BIRD 2, 300 ms x 3:
#  - meticulous keyed SHA1 on both sides, key id 1: Up, no drops;
#  - vbrd's key changed (vbrctl, live): BIRD's packets fail the digest
#    (counted, auth_digest), the session goes Down on detection, and BGP
#    ends (Cease / BFD Down from vbrd, or BIRD's Cease when its side saw it
#    first); the right key back: Up again;
#  - keyed MD5 on both sides (vbrctl and birdc configure): Up;
#  - one side without authentication: the other's packets are refused
#    (auth_mismatch), never Up.
. "$(dirname "$0")/bgp_lib.sh"

KEY=bfd-$E2E_ID
hugepages_setup
BGP_PEERS=10.0.0.2 BGP_GROUP_EXTRA=", bfd: { auth: { type: meticulous-sha1, key_id: 1, key: \"$KEY\" } }" \
	bgp_config "$WORK/vbr.yaml" 65001 ""
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
bird_bfd() {
	echo "protocol bfd bfd1 { interface \"*\" { min rx interval 300 ms; min tx interval 300 ms;" \
		"multiplier 3; authentication $1; password \"$KEY\" { id 1; }; }; }"
}
BIRD_EXTRA=$(bird_bfd "meticulous keyed sha1") BIRD_BGP_EXTRA="bfd on;" \
	start_bird b1 10.0.0.2 65001 "" 192.168.1.0/24 || { fail "BIRD start"; finish; }

vbrctl_() { "$VBRCTL" -s "$VBR_SOCK" "$@"; }
bfd_json() {
	vbrctl_ --json show bfd | python3 -c "
import json, sys
s = [r for r in json.load(sys.stdin) if r['peer'] == '10.0.0.2' and not r['removing']]
print(json.dumps(s[0]) if s else '{}')"
}
bfd_field() { bfd_json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }
bfd_drop() { bfd_json | python3 -c "import json,sys; print(json.load(sys.stdin).get('drops', {}).get('$1', 0))"; }
bfd_up() { [ "$(bfd_field state)" = Up ]; }
bfd_down() { [ "$(bfd_field state)" != Up ]; }
bird_bfd_up() { birdc_ b1 show bfd sessions | grep -Eq '^10\.0\.0\.1 .* Up '; }
# bird_auth AUTH: BIRD's bfd protocol with another authentication.
bird_auth() {
	sed -i "/^protocol bfd bfd1/c $(bird_bfd "$1" | sed 's/[\/&]/\\&/g')" "$WORK/b1/bird.conf"
	birdc_ b1 configure | grep -q "Reconfigured" || fail "birdc configure: $(birdc_ b1 configure)"
}

wait_for 60 peer_established 10.0.0.2 || { fail "BGP not Established"; finish; }
if wait_for 20 bfd_up && wait_for 10 bird_bfd_up; then
	pass "meticulous keyed SHA1: Up on both sides ($(bfd_field authentication))"
else
	fail "meticulous keyed SHA1: vbrd $(bfd_field state), drops $(bfd_field drops)"
	grep -i bfd "$WORK/b1/bird.log" | tail -5
fi
[ "$(bfd_field dropped)" = 0 ] && pass "no packet dropped" || fail "drops: $(bfd_field drops)"

# Another key on our side: BIRD's digests fail, the session goes Down.
vbrctl_ bgp-group modify --name idc-core --bfd-auth-key "x$KEY" || fail "vbrctl --bfd-auth-key"
if wait_for 10 bfd_down; then
	pass "another key: vbrd's session $(bfd_field state) ($(bfd_field local_diag)), $(bfd_drop auth_digest) packets failed the digest"
else
	fail "another key: still $(bfd_field state)"
fi
[ "$(bfd_drop auth_digest)" -gt 0 ] || fail "no auth_digest drops: $(bfd_field drops)"
# BGP ends: by vbrd's Cease / BFD Down, or by BIRD's own when its BFD
# (failing our digests) saw it first.
bgp_ended() { [ -n "$(log_next "authentication changed" "bgp: peer 10.0.0.2 AS [0-9]+: session down")" ]; }
if wait_for 10 bgp_ended; then
	pass "BGP ended with BFD: $(awk '/authentication changed/ { f = 1 } f && /bgp: peer 10.0.0.2 AS [0-9]+: session down/ { sub(/.*session down: /, ""); print; exit }' "$WORK/vbrd.log")"
else
	fail "BGP after the BFD failure: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
fi
vbrctl_ bgp-group modify --name idc-core --bfd-auth-key "$KEY" || fail "vbrctl --bfd-auth-key"
if wait_for 20 bfd_up && wait_for 60 peer_established 10.0.0.2; then
	pass "the right key back: BFD Up, BGP Established"
else
	fail "the right key back: BFD $(bfd_field state), BGP $(peer_field 10.0.0.2 state)"
fi

# Keyed MD5 on both sides.
vbrctl_ bgp-group modify --name idc-core --bfd-auth-type md5 || fail "vbrctl --bfd-auth-type md5"
bird_auth "keyed md5"
if wait_for 20 bird_bfd_up && wait_for 20 bfd_up; then
	pass "keyed MD5: Up on both sides ($(bfd_field authentication))"
else
	fail "keyed MD5: vbrd $(bfd_field state), BIRD: $(birdc_ b1 show bfd sessions | grep '^10\.0\.0\.1')"
fi

# BIRD without authentication: its packets are refused here.
m0=$(bfd_drop auth_mismatch)
bird_auth none
mismatch() { [ "$(bfd_drop auth_mismatch)" -gt "$m0" ] && bfd_down; }
if wait_for 20 mismatch; then
	pass "BIRD without authentication: $(( $(bfd_drop auth_mismatch) - m0 )) packets refused (auth_mismatch), session $(bfd_field state)"
else
	fail "BIRD without authentication: $(bfd_field state), drops $(bfd_field drops)"
fi
vbrctl_ show bfd | sed 's/^/    /'
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
