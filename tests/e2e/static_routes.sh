#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vbrd forwards between the IDC and the VPC over static routes (issue 2):
# hosts on both sides ping each other through it, its own addresses answer,
# TTL 1 is not forwarded, a destination without a route is dropped and
# counted, and it stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

hugepages_setup
write_config "$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }

# The first packets wait for ARP; give the path a bounded while.
if wait_for 20 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10; then
	pass "path IDC -> VPC comes up"
else
	fail "no path IDC -> VPC"
fi

fwd_vpc_before=$(counter vpc forwarded)
fwd_idc_before=$(counter idc forwarded)
if ip netns exec "$NS_IDC" ping -c 5 -i 0.2 -W 2 -I 192.168.1.1 172.20.0.10 >"$WORK/ping1" 2>&1 &&
	grep -q ' 0% packet loss' "$WORK/ping1"; then
	pass "IDC host 192.168.1.1 pings VPC host 172.20.0.10 (5/5)"
else
	fail "IDC -> VPC ping"; cat "$WORK/ping1"
fi
if ip netns exec "$NS_VPC" ping -c 5 -i 0.2 -W 2 -I 172.20.0.10 192.168.1.1 >"$WORK/ping2" 2>&1 &&
	grep -q ' 0% packet loss' "$WORK/ping2"; then
	pass "VPC host 172.20.0.10 pings IDC host 192.168.1.1 (5/5)"
else
	fail "VPC -> IDC ping"; cat "$WORK/ping2"
fi
# 10 echo requests went out of the VPC port and 10 replies (and the reverse):
# at least 10 each way crossed the dataplane, counted per outgoing port.
fwd_vpc=$(( $(counter vpc forwarded) - fwd_vpc_before ))
fwd_idc=$(( $(counter idc forwarded) - fwd_idc_before ))
if [ "$fwd_vpc" -ge 10 ] && [ "$fwd_idc" -ge 10 ]; then
	pass "vbrd counted the pings: forwarded out of vpc +$fwd_vpc, out of idc +$fwd_idc"
else
	fail "forwarded counters: vpc +$fwd_vpc idc +$fwd_idc (want >= 10 each)"
fi

# The VBR's own addresses answer (the kernel exception taps).
if ip netns exec "$NS_IDC" ping -c 3 -i 0.2 -W 2 10.0.0.1 >/dev/null 2>&1; then
	pass "10.0.0.1 (IDC port) answers ping"
else
	fail "10.0.0.1 does not answer"
fi
if ip netns exec "$NS_VPC" ping -c 3 -i 0.2 -W 2 172.16.0.1 >/dev/null 2>&1; then
	pass "172.16.0.1 (VPC port) answers ping"
else
	fail "172.16.0.1 does not answer"
fi
# ... and hosts beyond the neighbours, from both sides (the kernel's replies
# are routed by the dataplane's FIB).
for pair in "$NS_IDC 192.168.1.1 10.0.0.1" "$NS_IDC 192.168.1.1 172.16.0.1" \
	"$NS_VPC 172.20.0.10 10.0.0.1" "$NS_VPC 172.20.0.10 172.16.0.1"; do
	set -- $pair
	if ip netns exec "$1" ping -c 2 -i 0.2 -W 2 -I "$2" "$3" >/dev/null 2>&1; then
		pass "$3 answers host $2"
	else
		fail "$3 does not answer host $2"
	fi
done
punted=$(counter idc punted)
[ "$punted" -ge 3 ] && pass "punted to the kernel on idc: $punted" || fail "punted on idc: $punted"

# TTL 1 is not forwarded.
ttl_before=$(counter idc drop_ttl_expired)
vpc_rx_before=$(ip netns exec "$NS_VPC" cat /sys/class/net/$TAP_VPC/statistics/rx_packets)
if ip netns exec "$NS_IDC" ping -c 3 -i 0.2 -W 1 -t 1 -I 192.168.1.1 172.20.0.10 >"$WORK/ttl" 2>&1; then
	fail "a TTL 1 ping got an answer"
fi
# ... and its sender hears why, from the VBR's address (traceroute works).
if grep -q "From 10.0.0.1 .*Time to live exceeded" "$WORK/ttl"; then
	pass "TTL 1: ICMP Time Exceeded from 10.0.0.1"
else
	fail "TTL 1: no ICMP Time Exceeded"; cat "$WORK/ttl"
fi
ttl=$(( $(counter idc drop_ttl_expired) - ttl_before ))
vpc_rx=$(( $(ip netns exec "$NS_VPC" cat /sys/class/net/$TAP_VPC/statistics/rx_packets) - vpc_rx_before ))
if [ "$ttl" -eq 3 ]; then
	pass "TTL 1: 3 dropped as drop_ttl_expired"
else
	fail "TTL 1: drop_ttl_expired +$ttl, want 3"
fi
# Nothing of them reached the VPC side (ARP aside, nothing at all is expected).
if [ "$vpc_rx" -le 1 ]; then
	pass "TTL 1: nothing reached the VPC namespace ($vpc_rx frames)"
else
	fail "TTL 1: $vpc_rx frames reached the VPC namespace"
fi

# No route: 203.0.113.0/24 (TEST-NET-3) is nowhere in the FIB.
noroute_before=$(counter idc drop_no_route)
ip netns exec "$NS_IDC" ping -c 4 -i 0.2 -W 1 -I 192.168.1.1 203.0.113.7 >"$WORK/noroute" 2>&1 &&
	fail "203.0.113.7 answered"
grep -q "From 10.0.0.1 .*Destination Net Unreachable" "$WORK/noroute" &&
	pass "no route: ICMP Net Unreachable from 10.0.0.1" ||
	{ fail "no route: no ICMP Net Unreachable"; cat "$WORK/noroute"; }
noroute=$(( $(counter idc drop_no_route) - noroute_before ))
[ "$noroute" -eq 4 ] && pass "no route: 4 dropped as drop_no_route" ||
	fail "no route: drop_no_route +$noroute, want 4"

# The FIB as vbrd shows it.
vbr_tel /vbr/fib >"$WORK/fib.json"
if grep -q '"192.168.0.0/16 via 10.0.0.2 dev idc lladdr 02:00:00:00:1D:02"' "$WORK/fib.json" &&
	grep -q '"172.20.0.0/16 via 172.16.0.2 dev vpc lladdr 02:00:00:00:7C:02"' "$WORK/fib.json"; then
	pass "FIB shows both static routes with resolved next hops"
else
	fail "FIB content"; cat "$WORK/fib.json"
fi

# A clean stop on SIGTERM.
kill -TERM "$VBRD_PID"
if timeout 15 tail --pid="$VBRD_PID" -f /dev/null; then
	wait "$VBRD_PID"; rc=$?
	[ "$rc" -eq 0 ] && pass "SIGTERM: vbrd exits 0" || fail "SIGTERM: exit $rc"
else
	fail "vbrd did not stop within 15 s of SIGTERM"
fi
grep -q 'port idc:.*forwarded=' "$WORK/vbrd.log" && pass "counters logged at exit" ||
	fail "no counters at exit"
finish
