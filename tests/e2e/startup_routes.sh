#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vbrd forwards only once its configured routes are in the FIB (issue 6,
# finding 2). Frames wait in a pcap file on the IDC port (net_pcap rx_pcap),
# so the first poll of the port reads them all, at once: 12 routable ones (6
# to the VPC, 6 back out of the IDC port) and 6 to a destination without a
# route. Every routable frame must leave, and the only Net Unreachable sent
# back must be for the destination without a route.
. "$(dirname "$0")/lib.sh"

TOOL="python3 $VBR_ROOT/tests/e2e/pcap_tool.py"
# net_pcap's MACs: 02:70:63:61:70 and the port's index.
IDC_MAC=02:70:63:61:70:00

hugepages_setup
$TOOL write "$WORK/in.pcap" "$IDC_MAC" 02:00:00:00:1d:02 192.168.1.1 \
	172.20.0.10:3 192.168.2.2:3 203.0.113.7:3 172.20.0.10:3 192.168.2.2:3 203.0.113.7:3
$TOOL empty "$WORK/empty.pcap"
cat >"$WORK/vbr.yaml" <<YAML
vbr:
  name: e2e-$E2E_ID
ports:
  idc: { device: net_pcap0, address: 10.0.0.1/30, tap: ri$E2E_ID }
  vpc: { device: net_pcap1, address: 172.16.0.1/30, tap: rv$E2E_ID }
fib: { max_routes: 65536, max_tbl8: 1024 }
routes:
  - { prefix: 192.168.0.0/16, next_hop: 10.0.0.2 }
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
neighbors:
  - { address: 10.0.0.2, mac: "02:00:00:00:1d:02" }
  - { address: 172.16.0.2, mac: "02:00:00:00:7c:02" }
YAML

ip netns add "$NS_VBR"
ip -n "$NS_VBR" link set lo up
# shellcheck disable=SC2086
ip netns exec "$NS_VBR" "$VBRD" ${VBR_LCORES:--l 0,1} --file-prefix "$PREFIX" --no-pci --huge-unlink -m 1024 \
	--vdev "net_pcap0,rx_pcap=$WORK/in.pcap,tx_pcap=$WORK/idc_out.pcap" \
	--vdev "net_pcap1,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/vpc_out.pcap" \
	--log-level 'vbr.*:debug' -- -c "$WORK/vbr.yaml" --socket "$VBR_SOCK" --ro-socket "$VBR_RO_SOCK" \
	>"$WORK/vbrd.log" 2>&1 &
VBRD_PID=$!
if ! wait_for 60 grep -q "forwarding on" "$WORK/vbrd.log"; then
	fail "vbrd did not start"
	finish
fi

# All 18 frames are read at the first poll; wait for every one of them to be
# accounted for (forwarded or dropped), not for a time.
settled() {
	local rx fwd_v fwd_i nr
	rx=$(counter idc rx_packets) || return 1
	fwd_v=$(counter vpc forwarded) || return 1
	fwd_i=$(counter idc forwarded) || return 1
	nr=$(counter idc drop_no_route) || return 1
	[ "$rx" -eq 18 ] && [ $((fwd_v + fwd_i + nr)) -ge 18 ]
}
if wait_for 30 settled; then
	pass "the 18 frames are accounted for"
else
	fail "the 18 frames were not all accounted for within 30 s"
fi
vbr_tel /vbr/stats >"$WORK/stats.json"
fwd_v=$(counter vpc forwarded)
fwd_i=$(counter idc forwarded)
nr=$(counter idc drop_no_route)
log "after the replay: forwarded out of vpc $fwd_v, out of idc $fwd_i, drop_no_route $nr"
[ "$fwd_v" -ge 6 ] && pass "6 of 6 frames to 172.20.0.10 forwarded to the VPC" ||
	fail "frames to 172.20.0.10: $fwd_v of 6 forwarded"
[ "$nr" -eq 6 ] && pass "drop_no_route 6 (the frames to 203.0.113.7 only)" ||
	fail "drop_no_route $nr, want 6 (routable frames dropped as no route)"

# A clean stop flushes the tx pcap files.
kill -TERM "$VBRD_PID"
if timeout 15 tail --pid="$VBRD_PID" -f /dev/null; then
	wait "$VBRD_PID"; rc=$?
	[ "$rc" -eq 0 ] && pass "SIGTERM: vbrd exits 0" || fail "SIGTERM: exit $rc"
else
	fail "vbrd did not stop within 15 s of SIGTERM"
fi
$TOOL summary "$WORK/vpc_out.pcap" >"$WORK/vpc_out.txt"
$TOOL summary "$WORK/idc_out.pcap" >"$WORK/idc_out.txt"
to_vpc=$(grep -c '^ipv4 192.168.1.1 172.20.0.10 1 icmp 8 0$' "$WORK/vpc_out.txt")
to_idc=$(grep -c '^ipv4 192.168.1.1 192.168.2.2 1 icmp 8 0$' "$WORK/idc_out.txt")
unreach_routable=$(grep -Ec 'icmp 3 0 (172\.20\.|192\.168\.)' "$WORK/idc_out.txt")
unreach_other=$(grep -c 'icmp 3 0 203.0.113.7$' "$WORK/idc_out.txt")
log "on the wire: $to_vpc echo requests out of vpc, $to_idc out of idc;" \
	"Net Unreachable for routed destinations $unreach_routable, for 203.0.113.7 $unreach_other"
[ "$to_vpc" -eq 6 ] && pass "6 of 6 echo requests to 172.20.0.10 left the VPC port" ||
	fail "$to_vpc of 6 echo requests to 172.20.0.10 left the VPC port"
[ "$to_idc" -eq 6 ] && pass "6 of 6 echo requests to 192.168.2.2 left the IDC port" ||
	fail "$to_idc of 6 echo requests to 192.168.2.2 left the IDC port"
[ "$unreach_routable" -eq 0 ] && pass "no Net Unreachable for a destination the config routes" ||
	fail "$unreach_routable Net Unreachable sent for destinations the config routes"
[ "$unreach_other" -ge 1 ] && pass "Net Unreachable for 203.0.113.7 ($unreach_other)" ||
	fail "no Net Unreachable for 203.0.113.7"
finish
