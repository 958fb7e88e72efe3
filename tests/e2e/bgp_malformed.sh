#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Malformed messages (issue 3): a raw speaker (bgp_raw.py) at 10.0.0.3 sends
# what RFC 4271 and RFC 7606 say must reset the session or be treated as a
# withdrawal; each must get exactly the prescribed NOTIFICATION (or none),
# while the good peer's session at 10.0.0.2 (BIRD, or GoBGP with
# DAEMON=gobgp) stays up and traffic keeps flowing over
# its route. An address that is not a peer gets no session.
. "$(dirname "$0")/bgp_lib.sh"

ASN=65001
KEY=raw-Key-$E2E_ID
hugepages_setup
bgp_config "$WORK/vbr.yaml" "$ASN" "$KEY"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
DAEMON=${DAEMON:-bird}
if [ "$DAEMON" = gobgp ]; then
	start_gobgp g1 10.0.0.2 "$ASN" "$KEY" || { fail "gobgpd start"; finish; }
	gobgp_ g1 global rib add -a ipv4 192.168.1.0/24 nexthop 10.0.0.2 >/dev/null
else
	start_bird b1 10.0.0.2 "$ASN" "$KEY" 192.168.1.0/24
fi
good_up() { if [ "$DAEMON" = gobgp ]; then gobgp_established g1; else bird_established b1; fi; }
wait_for 60 peer_established 10.0.0.2 || { fail "$DAEMON not Established"; finish; }
wait_for 20 fib_has 192.168.1.1 10.0.0.2 || fail "$DAEMON's route not in the FIB"
est_before=$(peer_field 10.0.0.2 established_count)

raw() {
	ip netns exec "$NS_IDC" timeout 90 python3 "$(dirname "$0")/bgp_raw.py" --local 10.0.0.3 \
		--peer 10.0.0.1 --asn "$ASN" --key "$KEY" "$@"
}

# case  expected: "code/subcode" of the NOTIFICATION, or "none" (the session
# stays: while it lingers, vbrd's FIB must hold 10.99.1.0/24 only after the
# good UPDATE, never after a malformed one).
while read -r case want; do
	[ -z "$case" ] && continue
	raw --wait 2 --linger 4 "$case" >"$WORK/raw.out" &
	rawpid=$!
	if [ "$want" = none ]; then
		if wait_for 20 grep -q quiet "$WORK/raw.out"; then
			sleep 1
			if [ "$case" = good_update ]; then
				fib_has 10.99.1.1 10.0.0.3 && pass "$case: route installed" ||
					fail "$case: route not installed: $(fib_lookup 10.99.1.1)"
			else
				fib_lacks 10.99.1.1 && pass "$case: route not installed" ||
					fail "$case: route installed: $(fib_lookup 10.99.1.1)"
			fi
		fi
	fi
	wait "$rawpid"
	got=$(grep -v quiet "$WORK/raw.out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
n = r["notification"]
print(f"{n[0]}/{n[1]}" if n else ("none" if not r.get("closed") else "closed"))')
	if [ "$got" = "$want" ]; then
		pass "$case: $want"
	else
		fail "$case: got $got, want $want"
	fi
	# The good session and the forwarding are untouched.
	peer_established 10.0.0.2 || fail "$case: $DAEMON's session went down"
	ip netns exec "$NS_VPC" ping -c 1 -W 2 -I 172.20.0.10 192.168.1.1 >/dev/null ||
		fail "$case: traffic over $DAEMON's route stopped"
done <<'CASES'
good_update none
bad_marker 1/1
bad_length 1/2
bad_type 1/3
keepalive_too_long 1/2
open_bad_version 2/1
open_bad_as 2/2
open_bad_hold 2/6
open_bad_id 2/3
withdrawn_overrun 3/1
attr_list_overrun 3/1
attr_len_overrun none
unknown_wellknown 3/2
nlri_len_33 3/10
nlri_overrun 3/10
bad_origin none
missing_next_hop none
bad_as_path none
next_hop_wrong_len none
CASES

# The treat-as-withdraw cases left nothing in the FIB (10.99.1.0/24 was
# announced only by them; the last good_update's is gone with its session).
fib_lacks 10.99.1.1 && pass "no route from the malformed UPDATEs in the FIB" ||
	fail "10.99.1.0/24 in the FIB: $(fib_lookup 10.99.1.1)"
[ "$(peer_field 10.0.0.2 established_count)" = "$est_before" ] &&
	pass "$DAEMON's session never flapped" || fail "$DAEMON's session flapped"
[ "$(peer_field 10.0.0.2 state)" = Established ] && good_up &&
	pass "$DAEMON still Established on both sides" || fail "$DAEMON not Established"

# Not a configured peer: 10.0.0.5 gets Cease / Connection Rejected (RFC 4486)
# and no session.
got=$(ip netns exec "$NS_IDC" timeout 30 python3 "$(dirname "$0")/bgp_raw.py" --once \
	--local 10.0.0.5 --peer 10.0.0.1 --asn "$ASN" good_update 2>/dev/null)
echo "$got" | grep -q '"established": false, "notification": \[6, 5' &&
	pass "10.0.0.5 (no peer): Cease / Connection Rejected, no session" ||
	fail "10.0.0.5: $got"
grep -q "connection from 10.0.0.5 refused" "$WORK/vbrd.log" && pass "vbrd logged the refusal" ||
	fail "no log of the refusal"
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
