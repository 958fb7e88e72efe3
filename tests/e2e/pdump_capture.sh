#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Packet capture with DPDK's own tool: dpdk-dumpcap, a secondary process,
# attaches to vbrd by its --file-prefix and captures a port's rx and tx into
# a pcapng. A ping from the IDC host to the VPC host must show up as the echo
# request received on the IDC port and sent on the VPC port (its TTL one
# less), and the reply the other way. A dumpcap killed with -9 cannot
# remove its callbacks: vbrd must forward on regardless, and
# vbr-capture-reset frees the port for the next capture.
set -u
# A secondary process maps vbrd's hugepage files: they must stay linked
# (cleanup removes them).
VBR_HUGE_UNLINK=
. "$(dirname "$0")/lib.sh"

for t in dpdk-dumpcap tshark; do
	if ! command -v "$t" >/dev/null; then
		log "FAIL: $t is missing (scripts/deps.sh installs it)"
		exit 1
	fi
done
hugepages_setup
write_config "$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || exit 1

# dumpcap NAME DEVICE: dpdk-dumpcap on DEVICE into $WORK/NAME.pcapng, its
# pid in DC_PID. -p: vbrd's ports are left as they are (no promiscuous mode).
# Its stdout, where it says which port it captures on, line-buffered.
dumpcap() {
	stdbuf -oL dpdk-dumpcap --file-prefix "$PREFIX" -p -i "$2" -w "$WORK/$1.pcapng" \
		>"$WORK/$1.out" 2>"$WORK/$1.err" &
	DC_PID=$!
	PIDS+=("$DC_PID")
}

# capturing NAME: dumpcap prints its packet count only once vbrd has
# installed the capture callbacks (an enable refused ends it before that).
capturing() {
	if wait_for 30 grep -q "Packets captured" "$WORK/$1.err"; then
		return 0
	fi
	log "dumpcap $1 did not start capturing:"
	cat "$WORK/$1.out" "$WORK/$1.err"
	return 1
}

# stop_dumpcap PID NAME: SIGINT, as Ctrl-C; it must finish its file and exit 0.
stop_dumpcap() {
	local st
	kill -INT "$1"
	if ! timeout 15 tail --pid="$1" -f /dev/null; then
		fail "dumpcap $2 did not stop within 15 s of SIGINT"
		return
	fi
	wait "$1"
	st=$?
	if [ "$st" -eq 0 ]; then
		pass "dumpcap $2 stopped on SIGINT"
	else
		fail "dumpcap $2 exited with status $st on SIGINT: $(cat "$WORK/$2.err")"
	fi
}

# ping_vpc COUNT: COUNT echoes from the IDC host to the VPC host, every one
# answered.
ping_vpc() {
	ip netns exec "$NS_IDC" ping -c "$1" -i 0.2 -W 2 -I 192.168.1.1 172.20.0.10 >"$WORK/ping.out" 2>&1 &&
		grep -q " $1 received" "$WORK/ping.out"
}
ping_loss() { grep -o "[0-9.]*% packet loss" "$WORK/ping.out"; }

# icmp FILE TYPE DIR: the ICMP TYPE (8 request, 0 reply) packets between
# the two hosts in FILE in direction DIR (1 received, 2 sent), one line
# each: "seq ttl".
icmp() {
	tshark -r "$WORK/$1.pcapng" -Y "icmp.type == $2 && frame.packet_flags_direction == $3 &&
		ip.addr == 192.168.1.1 && ip.addr == 172.20.0.10" -T fields -e icmp.seq -e ip.ttl \
		2>/dev/null
}

# vbrd says how to capture it: its file prefix and the DPDK names of its ports.
if grep -qF "packet capture: dpdk-dumpcap --file-prefix $PREFIX -p -i net_tap0 (idc) | -i net_tap1 (vpc)" \
	"$WORK/vbrd.log"; then
	pass "vbrd logs the dumpcap command line for its ports"
else
	fail "vbrd's log has no packet capture line naming net_tap0 and net_tap1"
fi
if timeout 30 dpdk-dumpcap --file-prefix "$PREFIX" -D >"$WORK/list.out" 2>&1 &&
	grep -q "net_tap0" "$WORK/list.out" && grep -q "net_tap1" "$WORK/list.out"; then
	pass "dpdk-dumpcap -D lists vbrd's ports: $(grep -c '^[0-9]' "$WORK/list.out")"
else
	fail "dpdk-dumpcap -D does not list vbrd's ports: $(cat "$WORK/list.out")"
fi

# vbrd drops a packet whose next hop it has yet to resolve: the neighbours
# learned first, so that every echo of the capture is answered.
if ! wait_for 20 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10; then
	fail "no ping IDC host -> VPC host within 20 s"
	finish
fi

dumpcap idc net_tap0
idc_pid=$DC_PID
dumpcap vpc net_tap1
vpc_pid=$DC_PID
if capturing idc && capturing vpc; then
	pass "dumpcap captures on the IDC and the VPC port"
else
	fail "dumpcap did not start"
	finish
fi
if ping_vpc 3; then
	pass "ping IDC host -> VPC host while capturing: $(ping_loss)"
else
	fail "ping IDC host -> VPC host while capturing: $(cat "$WORK/ping.out")"
fi
stop_dumpcap "$idc_pid" idc
stop_dumpcap "$vpc_pid" vpc

# What a user checks in Wireshark: the request in on IDC and out on VPC, one
# hop later; the reply in on VPC and out on IDC.
check() {
	local what=$1 file=$2 type=$3 dir=$4 ttl=$5 got
	got=$(icmp "$file" "$type" "$dir")
	if [ "$(printf '%s\n' "$got" | awk -v t="$ttl" 'NF && $2 == t' | wc -l)" -ge 3 ]; then
		pass "$what: $(printf '%s\n' "$got" | awk 'NF' | wc -l) packet(s), TTL $ttl"
	else
		fail "$what: want 3 with TTL $ttl, have (seq ttl): $(echo $got)"
	fi
}
check "echo request received on IDC" idc 8 1 64
check "echo request sent on VPC" vpc 8 2 63
check "echo reply received on VPC" vpc 0 1 64
check "echo reply sent on IDC" idc 0 2 63

# A dumpcap killed with -9 leaves its callbacks on the port: forwarding
# must not mind.
dumpcap killed net_tap0
if capturing killed; then
	kill -KILL "$DC_PID"
	wait "$DC_PID" 2>/dev/null
	if ping_vpc 5 && vbrd_alive; then
		pass "forwarding after a dumpcap was killed with -9: $(ping_loss)"
	else
		fail "forwarding after a dumpcap was killed with -9: $(cat "$WORK/ping.out")"
	fi
else
	fail "the dumpcap to be killed did not start"
fi
# capture_pings NAME DEVICE DIRECTION WHAT: a dumpcap on DEVICE while 2
# pings cross; its file must hold both echo requests in DIRECTION (1 in,
# 2 out).
capture_pings() {
	dumpcap "$1" "$2"
	if capturing "$1" && ping_vpc 2; then
		stop_dumpcap "$DC_PID" "$1"
		n=$(icmp "$1" 8 "$3" | awk 'NF' | wc -l)
		if [ "$n" -ge 2 ]; then
			pass "$4: $n request(s)"
		else
			fail "$4: the capture holds $n request(s)"
		fi
	else
		fail "$4: no capture: $(cat "$WORK/ping.out")"
	fi
}
# The other port can still be captured.
capture_pings vpc2 net_tap1 2 "the VPC port captured after the IDC port's dumpcap was killed"

# The killed one's callbacks keep the IDC port from the next dumpcap until
# vbr-capture-reset removes them.
dumpcap refused net_tap0
if timeout 30 tail --pid="$DC_PID" -f /dev/null && ! wait "$DC_PID" &&
	grep -q "enable failed" "$WORK/refused.err"; then
	pass "a dumpcap on the killed one's port is refused: $(grep -o 'enable failed.*' "$WORK/refused.err")"
else
	fail "a dumpcap on the killed one's port was not refused: $(cat "$WORK/refused.err")"
	kill -INT "$DC_PID" 2>/dev/null
fi
# A sanitized build's tool: DPDK's vdev bus leaks its secondary's device
# list at exit, none of ours.
reset() { ASAN_OPTIONS=detect_leaks=0 timeout 30 "$VBR_BUILD/vbr-capture-reset" "$PREFIX" "$@"; }
if reset net_tap0 >"$WORK/reset.out" 2>&1; then
	pass "vbr-capture-reset: $(cat "$WORK/reset.out")"
else
	fail "vbr-capture-reset: $(cat "$WORK/reset.out")"
fi
if reset net_tap0 >"$WORK/reset2.out" 2>&1; then
	fail "vbr-capture-reset on a port with no capture says it removed one"
else
	pass "vbr-capture-reset on a port with no capture: $(cat "$WORK/reset2.out")"
fi
capture_pings idc2 net_tap0 1 "the IDC port captured again after vbr-capture-reset"
finish
