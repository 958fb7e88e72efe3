#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# At most 100 dynamic routes per peer (issue 3): the peer (BIRD, or GoBGP
# with DAEMON=gobgp) announces 150, vbrd installs exactly 100 and counts 50;
# with max_prefixes_action: teardown the session ends with CEASE / Maximum
# Number of Prefixes Reached (RFC 4486), which the peer reports, and the peer
# is held down.
. "$(dirname "$0")/bgp_lib.sh"

ASN=65001
KEY=lim-Key-$E2E_ID
ACTION=${ACTION:-drop}
DAEMON=${DAEMON:-bird}
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
if [ "$DAEMON" = gobgp ]; then
	start_gobgp g1 10.0.0.2 "$ASN" "$KEY" || { fail "gobgpd start"; finish; }
	for r in "${routes[@]}"; do
		gobgp_ g1 global rib add -a ipv4 "$r" nexthop 10.0.0.2 >/dev/null
	done
else
	start_bird b1 10.0.0.2 "$ASN" "$KEY" "${routes[@]}"
fi

installed_is() { [ "$(count_installed)" = "$1" ]; }

# The prefixes vbrd installed, as 10.100.N.0/24.
installed_list() {
	for i in $(seq 0 149); do
		fib_has "10.100.$i.1" 10.0.0.2 && echo "10.100.$i.0/24"
	done
}

# How many UPDATEs (GoBGP) or route updates (BIRD) the peer has sent us.
peer_sent_updates() {
	if [ "$DAEMON" = gobgp ]; then
		gobgp_ g1 neighbor 10.0.0.1 -j | python3 -c \
			"import json,sys; print(json.load(sys.stdin)['state']['messages']['sent']['update'])"
	else
		birdc_ b1 show protocols all vbr | awk '/Export updates:/ { print $3 }'
	fi
}

# The peer's own view: how many of the 150 it sent, and its session.
peer_sent_150() {
	if [ "$DAEMON" = gobgp ]; then
		[ "$(gobgp_ g1 neighbor 10.0.0.1 adj-out -a ipv4 | grep -c '10\.100\.')" = 150 ]
	else
		birdc_ b1 show protocols all vbr | grep -Eq "Routes:.*150 exported"
	fi
}
peer_up() {
	if [ "$DAEMON" = gobgp ]; then gobgp_established g1; else bird_established b1; fi
}
peer_log() { if [ "$DAEMON" = gobgp ]; then cat "$WORK/g1/gobgpd.log"; else cat "$WORK/b1/bird.log"; fi; }

if [ "$ACTION" = drop ]; then
	wait_for 60 peer_established 10.0.0.2 || { fail "not Established"; finish; }
	wait_for 30 peer_gt 10.0.0.2 prefixes_rejected_limit 49
	acc=$(peer_field 10.0.0.2 prefixes_accepted)
	rej=$(peer_field 10.0.0.2 prefixes_rejected_limit)
	[ "$acc" = 100 ] && pass "vbrd: 100 prefixes accepted" || fail "accepted $acc, want 100"
	[ "$rej" = 50 ] && pass "vbrd: 50 over the limit, counted" || fail "rejected $rej, want 50"
	n=$(count_installed)
	[ "$n" = 100 ] && pass "vbrd's FIB: exactly 100 of the 150 prefixes" || fail "FIB holds $n"
	peer_sent_150 && pass "$DAEMON: sent all 150" || fail "$DAEMON did not send 150"
	peer_up && pass "$DAEMON: still Established (action drop)" || fail "session lost"
	grep -q "maximum of 100 prefixes reached" "$WORK/vbrd.log" && pass "vbrd logged the limit" ||
		fail "no log line for the limit"

	# Room again: the peer withdraws 10 of the installed prefixes. vbrd
	# asks for its routes again (ROUTE-REFRESH), and 10 of the 40 it had
	# dropped take their place: 100 installed, none of the withdrawn.
	gone=$(installed_list | head -10)
	before=$(peer_sent_updates)
	for r in $gone; do
		if [ "$DAEMON" = gobgp ]; then
			gobgp_ g1 global rib del -a ipv4 "$r"
		else
			sed -i "\|route $r blackhole;|d" "$WORK/b1/bird.conf"
		fi
	done
	[ "$DAEMON" = gobgp ] || birdc_ b1 configure >/dev/null
	if wait_for 30 peer_gt 10.0.0.2 refresh_sent 0; then
		pass "vbrd: ROUTE-REFRESH sent once room was free"
	else
		fail "no ROUTE-REFRESH from vbrd"
	fi
	wait_for 30 installed_is 100 || true
	n=$(count_installed)
	[ "$n" = 100 ] && pass "vbrd's FIB: 100 again after 10 withdrawals" || fail "FIB holds $n after the withdrawals"
	still=0
	for r in $gone; do fib_lacks "${r%.0/24}.1" || still=$((still + 1)); done
	[ "$still" = 0 ] && pass "vbrd's FIB: none of the 10 withdrawn" || fail "$still withdrawn prefixes still in the FIB"
	after=$(peer_sent_updates)
	if [ "$DAEMON" = gobgp ]; then
		# Its UPDATE count includes the 10 withdrawals: look for the
		# refresh it received, and more UPDATEs than the withdrawals.
		rr=$(gobgp_ g1 neighbor 10.0.0.1 -j | python3 -c \
			"import json,sys; print(json.load(sys.stdin)['state']['messages']['received'].get('refresh', 0))")
		[ "$rr" -ge 1 ] && [ "$after" -gt $((before + 10)) ] &&
			pass "gobgp: received $rr ROUTE-REFRESH and re-sent its routes ($before -> $after UPDATEs)" ||
			fail "gobgp: refresh received $rr, UPDATEs $before -> $after"
	else
		# BIRD's "Export updates" leaves withdrawals out.
		[ "$after" -gt "$before" ] && pass "bird: re-sent its routes ($before -> $after updates)" ||
			fail "bird did not re-send ($before -> $after)"
	fi
else
	# teardown: Established, then CEASE 6/1 right after the 101st prefix.
	# BIRD: "Received: Maximum number of prefixes reached"; GoBGP logs the
	# notification's code 6 and subcode 1.
	if wait_for 60 sh -c "$(declare -f peer_log); WORK=$WORK DAEMON=$DAEMON peer_log | grep -Eqi 'maximum number of prefixes|code.?6.*subcode.?1|cease.*maximum'"; then
		pass "$DAEMON received CEASE / Maximum number of prefixes reached"
	else
		fail "$DAEMON never saw the CEASE"; peer_log | tail -20
	fi
	grep -q "more than 100 prefixes: session torn down for 5 s" "$WORK/vbrd.log" &&
		pass "vbrd logged the teardown" || fail "no teardown log"
	[ "$(peer_field 10.0.0.2 state)" != Established ] && pass "vbrd: session down" ||
		fail "still Established"
	n=$(count_installed)
	[ "$n" = 0 ] && pass "vbrd's FIB: none of the peer's prefixes left" || fail "FIB holds $n"
	# Held down for max_prefixes_restart (5 s): no session meanwhile, then
	# it comes back (and is torn down again, BIRD still sending 150). The
	# hold-down is measured between vbrd's own log lines for the teardown
	# and the next Established, whatever the checks above took.
	ups=$(peer_field 10.0.0.2 established_count)
	if wait_for 60 peer_gt 10.0.0.2 established_count "$ups"; then
		pass "after the hold-down the session came back"
	else
		fail "no new session after the hold-down"
	fi
	t_down=$(log_times "more than 100 prefixes: session torn down for 5 s" | head -1)
	# The next Established line after the teardown's, by line: the one
	# before it may carry the same millisecond.
	t_up=$(awk '/more than 100 prefixes: session torn down/ { f = 1; next }
		f && /bgp: peer 10.0.0.2 .*Established/ { print; exit }' "$WORK/vbrd.log" |
		log_times Established /dev/stdin)
	if [ -n "$t_down" ] && [ -n "$t_up" ]; then
		held=$(awk -v a="$t_down" -v b="$t_up" 'BEGIN { printf "%.3f", b - a }')
		# 5 s on vbrd's monotonic timer; 0.05 s for the two clock reads.
		if awk -v h="$held" 'BEGIN { exit !(h >= 4.95) }'; then
			pass "held down: next session ${held} s after the teardown (>= 5 s)"
		else
			fail "a session came up during the hold-down: ${held} s after the teardown"
		fi
	else
		fail "no teardown ($t_down) or re-establishment ($t_up) in vbrd's log"
	fi
fi
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
