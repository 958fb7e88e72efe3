#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP-MD5 (RFC 2385): a peer with the wrong key, or with none, gets no
# session; the kernel counts the failures; the right key works; vbrd's
# SIGTERM reaches the peer as Cease / Administrative Shutdown. The peers are
# BIRD, or GoBGP with DAEMON=gobgp; each side is asked (vbrd's telemetry and
# the daemon's own CLI).
. "$(dirname "$0")/bgp_lib.sh"

ASN=65001
KEY=md5-Key-$E2E_ID
DAEMON=${DAEMON:-bird}
md5_failures() {
	ip netns exec "$NS_VBR" nstat -az 2>/dev/null | awk '/TCPMD5Failure|TCPMD5NotFound/ { s += $2 } END { print s + 0 }'
}
# start_peer NAME ADDR KEY PREFIX
start_peer() {
	if [ "$DAEMON" = gobgp ]; then
		start_gobgp "$1" "$2" "$ASN" "$3" &&
			gobgp_ "$1" global rib add -a ipv4 "$4" nexthop "$2" >/dev/null
	else
		start_bird "$1" "$2" "$ASN" "$3" "$4"
	fi
}
daemon_up() {
	if [ "$DAEMON" = gobgp ]; then gobgp_established "$1"; else bird_established "$1"; fi
}
daemon_log() { if [ "$DAEMON" = gobgp ]; then cat "$WORK/$1/gobgpd.log"; else cat "$WORK/$1/bird.log"; fi; }
heard_admin_shutdown() {
	daemon_log "$1" | grep -Eqi "Received: Administrative shutdown|subcode 2\(administrative shutdown\)"
}

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$ASN" "$KEY"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
before=$(md5_failures)
start_peer wrong 10.0.0.2 "not-$KEY" 192.168.1.0/24
start_peer nokey 10.0.0.3 "" 192.168.3.0/24
sleep 8
[ "$DAEMON" = bird ] && birdc_ wrong show status >/dev/null
[ "$(peer_field 10.0.0.2 state)" != Established ] && ! daemon_up wrong &&
	pass "wrong key: no session after 8 s (vbrd and $DAEMON)" || fail "wrong key: a session came up"
[ "$(peer_field 10.0.0.3 state)" != Established ] && ! daemon_up nokey &&
	pass "no key: no session after 8 s (vbrd and $DAEMON)" || fail "no key: a session came up"
fib_lacks 192.168.1.1 && fib_lacks 192.168.3.1 && pass "no route from either" || fail "routes got in"
after=$(md5_failures)
[ "$after" -gt "$before" ] && pass "kernel counted $((after - before)) TCP-MD5 failures" ||
	fail "no TCP-MD5 failure counted"

# The right key, from the third peer address.
start_peer right 10.0.0.4 "$KEY" 192.168.4.0/24
if wait_for 60 peer_established 10.0.0.4 && wait_for 10 daemon_up right; then
	pass "right key: Established on both sides"
else
	fail "right key: no session"
fi
wait_for 20 fib_has 192.168.4.1 10.0.0.4 && pass "its route is in the FIB" || fail "no route"
vbrd_alive && pass "vbrd still running" || fail "vbrd died"

# vbrd stopping says goodbye: the peer hears Cease / Administrative Shutdown
# at once instead of waiting for its hold timer.
kill -TERM "$VBRD_PID"
if wait_for 10 heard_admin_shutdown right; then
	pass "vbrd's SIGTERM: $DAEMON received Cease / Administrative Shutdown"
else
	fail "$DAEMON heard no Cease from the stopping vbrd"; daemon_log right | tail -5
fi
finish
