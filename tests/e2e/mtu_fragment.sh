#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A VPC port with a smaller MTU (1400) than the IDC side (1500): datagrams
# without DF cross it in fragments that the far host puts back together,
# fragments included (RFC 791, RFC 1812 5.2.6); with DF the sender gets
# Fragmentation Needed with the MTU (RFC 1191).
. "$(dirname "$0")/lib.sh"

hugepages_setup
write_config "$WORK/vbr.yaml"
sed -i 's|vpc: { device: net_tap1, address: 172.16.0.1/30 }|vpc: { device: net_tap1, address: 172.16.0.1/30, mtu: 1400 }|' \
	"$WORK/vbr.yaml"
grep -q "mtu: 1400" "$WORK/vbr.yaml" || { fail "config edit"; finish; }
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
ip -n "$NS_VPC" link set "$TAP_VPC" mtu 1400

if wait_for 20 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10; then
	pass "path IDC -> VPC comes up"
else
	fail "no path IDC -> VPC"
fi

# 1500-byte datagrams without DF: vbrd sends each as two fragments.
frag_before=$(counter vpc fragmented)
if ip netns exec "$NS_IDC" ping -c 5 -i 0.2 -W 2 -M dont -s 1472 -I 192.168.1.1 172.20.0.10 \
	>"$WORK/ping1" 2>&1 && grep -q ' 0% packet loss' "$WORK/ping1"; then
	pass "1500-byte pings without DF cross into the 1400-byte VPC link (5/5)"
else
	fail "1500-byte pings without DF"; cat "$WORK/ping1"
fi
frag=$(( $(counter vpc fragmented) - frag_before ))
[ "$frag" -eq 5 ] && pass "vbrd fragmented 5 datagrams" || fail "fragmented +$frag, want 5"

# 3000 bytes: the IDC host sends fragments of 1500, vbrd splits those again.
frag_before=$(counter vpc fragmented)
if ip netns exec "$NS_IDC" ping -c 3 -i 0.2 -W 2 -M dont -s 3000 -I 192.168.1.1 172.20.0.10 \
	>"$WORK/ping2" 2>&1 && grep -q ' 0% packet loss' "$WORK/ping2"; then
	pass "3000-byte pings, sent as fragments, are fragmented again and arrive (3/3)"
else
	fail "3000-byte pings"; cat "$WORK/ping2"
fi
frag=$(( $(counter vpc fragmented) - frag_before ))
[ "$frag" -eq 6 ] && pass "vbrd fragmented the 6 fragments over 1400" || fail "fragmented +$frag, want 6"

# With DF: Fragmentation Needed, MTU 1400, from the VBR's IDC address.
toobig_before=$(counter idc drop_too_big)
ip netns exec "$NS_IDC" ping -c 2 -i 0.2 -W 1 -M do -s 1472 -I 192.168.1.1 172.20.0.10 \
	>"$WORK/ping3" 2>&1 && fail "a 1500-byte ping with DF got through"
if grep -Eq "From 10.0.0.1 .*Frag needed and DF set \(mtu = 1400\)" "$WORK/ping3"; then
	pass "with DF: Fragmentation Needed (mtu 1400) from 10.0.0.1"
else
	fail "with DF: no Fragmentation Needed"; cat "$WORK/ping3"
fi
toobig=$(( $(counter idc drop_too_big) - toobig_before ))
[ "$toobig" -ge 1 ] && pass "with DF: counted as drop_too_big (+$toobig)" || fail "drop_too_big +$toobig"

vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
