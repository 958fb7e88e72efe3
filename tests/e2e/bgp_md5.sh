#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP-MD5 (RFC 2385): a peer with the wrong key, or with none, gets no
# session; the kernel counts the failures; the right key works.
. "$(dirname "$0")/bgp_lib.sh"

ASN=65001
KEY=md5-Key-$E2E_ID
md5_failures() {
	ip netns exec "$NS_VBR" nstat -az 2>/dev/null | awk '/TCPMD5Failure|TCPMD5NotFound/ { s += $2 } END { print s + 0 }'
}

hugepages_setup
bgp_config "$WORK/vbr.yaml" "$ASN" "$KEY"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
before=$(md5_failures)
start_bird wrong 10.0.0.2 "$ASN" "not-$KEY" 192.168.1.0/24
start_bird nokey 10.0.0.3 "$ASN" "" 192.168.3.0/24
sleep 8
birdc_ wrong show status >/dev/null
[ "$(peer_field 10.0.0.2 state)" != Established ] && ! bird_established wrong &&
	pass "wrong key: no session after 8 s" || fail "wrong key: a session came up"
[ "$(peer_field 10.0.0.3 state)" != Established ] && ! bird_established nokey &&
	pass "no key: no session after 8 s" || fail "no key: a session came up"
fib_lacks 192.168.1.1 && fib_lacks 192.168.3.1 && pass "no route from either" || fail "routes got in"
after=$(md5_failures)
[ "$after" -gt "$before" ] && pass "kernel counted $((after - before)) TCP-MD5 failures" ||
	fail "no TCP-MD5 failure counted"

# The right key, from the third peer address.
start_bird right 10.0.0.4 "$ASN" "$KEY" 192.168.4.0/24
if wait_for 60 peer_established 10.0.0.4 && bird_established right; then
	pass "right key: Established on both sides"
else
	fail "right key: no session"
fi
wait_for 20 fib_has 192.168.4.1 10.0.0.4 && pass "its route is in the FIB" || fail "no route"
vbrd_alive && pass "vbrd still running" || fail "vbrd died"

# vbrd stopping says goodbye: BIRD hears Cease / Administrative Shutdown at
# once instead of waiting for its hold timer.
kill -TERM "$VBRD_PID"
if wait_for 10 grep -qi "Received: Administrative shutdown" "$WORK/right/bird.log"; then
	pass "vbrd's SIGTERM: BIRD received Cease / Administrative Shutdown"
else
	fail "BIRD heard no Cease from the stopping vbrd"; tail -5 "$WORK/right/bird.log"
fi
finish
