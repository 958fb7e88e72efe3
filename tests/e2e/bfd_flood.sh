#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# BFD's punt class holds under floods of the others: with BIRD running BFD
# 300 ms x 3 and BGP, the IDC side floods vbrd's IDC address, one kind at a
# time, FLOOD_RATE frames/s (default 5000) for FLOOD_S s (default 5), ten
# times the port's punt_rate (PUNT_RATE, default 500):
#   ping        ICMP echo at our address (the other class)
#   tcp179      TCP to/from port 179 from the peer's address and MAC (bgp_new)
#   arp_for_us  ARP requests for our address (arp)
#   bfd_spoof   BFD-looking UDP to port 3784 from the peer's address but
#               other MACs (not the bfd class while BGP pins the peer's MAC)
#   udp3784     BFD-looking UDP to port 3784 from a host that is no peer
# After each: the BFD session stayed Up throughout (vbrd polled during the
# flood, no flap) and BGP with it; the bfd class passed BIRD's packets and
# policed none; the flood shows in its own class. The figures are printed.
. "$(dirname "$0")/bgp_lib.sh"

FLOOD_RATE=${FLOOD_RATE:-5000}
FLOOD_S=${FLOOD_S:-5}
PUNT_RATE=${PUNT_RATE:-500}
FLOODS=${FLOODS:-ping tcp179 arp_for_us bfd_spoof udp3784}
PEER_MAC=02:00:00:00:1d:02
FLOOD="$(dirname "$0")/punt_flood.py"

hugepages_setup
BGP_PEERS=10.0.0.2 BGP_GROUP_EXTRA=", bfd: { min_rx: 300, min_tx: 300, multiplier: 3 }" \
	bgp_config "$WORK/vbr.yaml" 65001 ""
sed -i "s|address: 10.0.0.1/29 }|address: 10.0.0.1/29, punt_rate: $PUNT_RATE }|" "$WORK/vbr.yaml"
grep -q "punt_rate: $PUNT_RATE" "$WORK/vbr.yaml" || { fail "no punt_rate in the config"; finish; }
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
BIRD_EXTRA='protocol bfd bfd1 { interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }' \
	BIRD_BGP_EXTRA="bfd on;" start_bird b1 10.0.0.2 65001 "" 192.168.1.0/24 ||
	{ fail "BIRD start"; finish; }

vbrctl_() { "$VBRCTL" -s "$VBR_SOCK" "$@"; }
bfd_field() {
	vbrctl_ --json show bfd | python3 -c "
import json, sys
s = [r for r in json.load(sys.stdin) if r['peer'] == '$1']
print(s[0]['$2'] if s else '')"
}
bfd_up() { [ "$(bfd_field 10.0.0.2 state)" = Up ]; }
# punt COUNTER: /vbr/punt's idc counter (bfd_passed, other_policed...).
punt() {
	vbr_tel /vbr/punt | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/punt']['idc']['$1'])"
}

wait_for 60 peer_established 10.0.0.2 || { fail "BGP not Established"; finish; }
wait_for 20 bfd_up || { fail "BFD not Up: $(vbrctl_ show bfd)"; finish; }
pass "BGP Established, BFD Up (300 ms x 3)"
ip netns exec "$NS_IDC" ping -c 1 -W 2 10.0.0.1 >/dev/null
VBR_MAC=$(ip -n "$NS_IDC" neigh show 10.0.0.1 dev "$TAP_IDC" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
[ -n "$VBR_MAC" ] || { fail "vbrd's MAC not resolved in the IDC namespace"; finish; }
# The BGP session pins the peer's MAC (the bfd_spoof flood relies on it).
punt_session_live() { vbr_tel /vbr/punt | grep -qi "idc 10.0.0.2:[0-9]* <-> :[0-9]* mac $PEER_MAC"; }
wait_for 20 punt_session_live || fail "no live BGP session in /vbr/punt"

flood_class() {
	case $1 in
	ping | udp3784 | bfd_spoof) echo other ;;
	tcp179) echo bgp_new ;;
	arp_for_us) echo arp ;;
	esac
}

summary=()
est0=$(peer_field 10.0.0.2 established_count)
for mode in $FLOODS; do
	flaps0=$(bfd_field 10.0.0.2 flaps)
	cls=$(flood_class "$mode")
	bp0=$(punt bfd_passed) bpol0=$(punt bfd_policed) bfull0=$(punt bfd_full)
	fp0=$(punt "${cls}_passed") fpol0=$(punt "${cls}_policed") ffull0=$(punt "${cls}_full")
	nos0=$(vbr_tel /vbr/bfd | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/bfd']['unmatched']['drop_no_session'])")
	timeout $((FLOOD_S * 3 + 30)) ip netns exec "$NS_IDC" python3 "$FLOOD" "$TAP_IDC" "$mode" \
		--vbr-mac "$VBR_MAC" --peer-mac "$PEER_MAC" --rate "$FLOOD_RATE" --seconds "$FLOOD_S" \
		>"$WORK/flood-$mode" &
	flood_pid=$!
	PIDS+=("$flood_pid")
	polls=0 notup=0
	while kill -0 "$flood_pid" 2>/dev/null; do
		polls=$((polls + 1))
		bfd_up || notup=$((notup + 1))
		sleep 0.3
	done
	wait "$flood_pid"
	sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$WORK/flood-$mode" 2>/dev/null || echo 0)
	flaps=$(bfd_field 10.0.0.2 flaps)
	bp=$(($(punt bfd_passed) - bp0)) bpol=$(($(punt bfd_policed) - bpol0)) bfull=$(($(punt bfd_full) - bfull0))
	fp=$(($(punt "${cls}_passed") - fp0)) fpol=$(($(punt "${cls}_policed") - fpol0)) ffull=$(($(punt "${cls}_full") - ffull0))
	nos=$(($(vbr_tel /vbr/bfd | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/bfd']['unmatched']['drop_no_session'])") - nos0))
	if [ "$notup" -eq 0 ] && [ "$flaps" = "$flaps0" ] && bfd_up && peer_established 10.0.0.2 &&
		[ "$(peer_field 10.0.0.2 established_count)" = "$est0" ]; then
		pass "$mode: $sent frames in $FLOOD_S s: BFD stayed Up ($polls polls), no flap, BGP held"
	else
		fail "$mode: BFD not Up in $notup of $polls polls, flaps $flaps0 -> $flaps, BGP $(peer_field 10.0.0.2 state)"
		wait_for 30 bfd_up
		est0=$(peer_field 10.0.0.2 established_count)
	fi
	if [ "$bp" -gt 0 ] && [ "$bpol" -eq 0 ] && [ "$bfull" -eq 0 ]; then
		pass "$mode: the bfd class passed $bp of BIRD's packets, policed none, none refused by the ring"
	else
		fail "$mode: bfd class passed $bp, policed $bpol, ring full $bfull"
	fi
	if [ "$((fpol + ffull))" -gt 0 ]; then
		pass "$mode: the flood went to the $cls class: $fp passed, $fpol policed, $ffull ring full"
	else
		fail "$mode: the $cls class policed nothing ($fp passed): no flood?"
	fi
	summary+=("$mode: sent $sent; $cls passed $fp policed $fpol full $ffull; bfd passed $bp policed $bpol; BFD no_session drops $nos; BFD flaps $flaps0 -> $flaps")
done

log "figures (FLOOD_RATE=$FLOOD_RATE FLOOD_S=$FLOOD_S PUNT_RATE=$PUNT_RATE, bfd class $(punt bfd_rate)/s):"
for s in "${summary[@]}"; do log "  $s"; done
vbrctl_ show bfd | sed 's/^/    /'
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
