#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# At most 100 dynamic routes per peer (issue 3): BIRD announces 150, vbrd
# installs exactly 100 and counts 50; with max_prefixes_action: teardown the
# session ends with CEASE / Maximum Number of Prefixes Reached (RFC 4486),
# which BIRD reports, and the peer is held down.
. "$(dirname "$0")/bgp_lib.sh"

ASN=65001
KEY=lim-Key-$E2E_ID
ACTION=${ACTION:-drop}
routes=()
for i in $(seq 0 149); do routes+=("10.100.$i.0/24"); done

# How many of the 150 prefixes vbrd's FIB sends to BIRD.
count_installed() {
	local cmds=()
	for i in $(seq 0 149); do cmds+=("/vbr/fib,10.100.$i.1"); done
	vbr_tel "${cmds[@]}" | grep -c '"lookup": "via 10.0.0.2 '
}

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$ASN" "$KEY" "$ACTION" 100
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_bird b1 10.0.0.2 "$ASN" "$KEY" "${routes[@]}"

if [ "$ACTION" = drop ]; then
	wait_for 60 peer_established 10.0.0.2 || { fail "not Established"; finish; }
	wait_for 30 peer_gt 10.0.0.2 prefixes_rejected_limit 49
	acc=$(peer_field 10.0.0.2 prefixes_accepted)
	rej=$(peer_field 10.0.0.2 prefixes_rejected_limit)
	[ "$acc" = 100 ] && pass "vbrd: 100 prefixes accepted" || fail "accepted $acc, want 100"
	[ "$rej" = 50 ] && pass "vbrd: 50 over the limit, counted" || fail "rejected $rej, want 50"
	n=$(count_installed)
	[ "$n" = 100 ] && pass "vbrd's FIB: exactly 100 of the 150 prefixes" || fail "FIB holds $n"
	birdc_ b1 show protocols all vbr >"$WORK/bird-proto"
	grep -Eq "Routes:.*150 exported" "$WORK/bird-proto" && pass "BIRD: 150 exported" ||
		{ fail "BIRD's export count"; cat "$WORK/bird-proto"; }
	bird_established b1 && pass "BIRD: still Established (action drop)" || fail "session lost"
	grep -q "maximum of 100 prefixes reached" "$WORK/vbrd.log" && pass "vbrd logged the limit" ||
		fail "no log line for the limit"
else
	# teardown: Established, then CEASE 6/1 right after the 101st prefix.
	if wait_for 60 grep -q "Maximum number of prefixes reached" "$WORK/b1/bird.log"; then
		pass "BIRD received CEASE / Maximum number of prefixes reached"
	else
		fail "BIRD never saw the CEASE"; birdc_ b1 show protocols all vbr
	fi
	grep -q "more than 100 prefixes: session torn down for 5 s" "$WORK/vbrd.log" &&
		pass "vbrd logged the teardown" || fail "no teardown log"
	[ "$(peer_field 10.0.0.2 state)" != Established ] && pass "vbrd: session down" ||
		fail "still Established"
	n=$(count_installed)
	[ "$n" = 0 ] && pass "vbrd's FIB: none of the peer's prefixes left" || fail "FIB holds $n"
	# Held down for max_prefixes_restart (5 s): no session meanwhile, then
	# it comes back (and is torn down again, BIRD still sending 150).
	ups=$(peer_field 10.0.0.2 established_count)
	sleep 3
	[ "$(peer_field 10.0.0.2 established_count)" = "$ups" ] &&
		pass "held down: no new session within 3 s" || fail "a session came up during the hold-down"
	if wait_for 30 peer_gt 10.0.0.2 established_count "$ups"; then
		pass "after the hold-down the session came back"
	else
		fail "no new session after the hold-down"
	fi
fi
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
