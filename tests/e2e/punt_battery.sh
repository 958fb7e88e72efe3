#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The ARP and punt battery (issue 6): from the IDC namespace, floods of
#   ARP for us, ARP not for us, gratuitous ARP, spoofed ARP senders
#   (Ethernet source != ARP sender; the BGP peer's address from another
#   MAC), spoofed TCP/179 from the peer's address and MAC, pings at our
#   address,
# each FLOOD_RATE frames/s (default 8000) for FLOOD_S s (default 10), sixteen
# times the IDC port's punt_rate (PUNT_RATE, default 500: a flood only
# tests the policing when it exceeds the rate), while
# BIRD keeps a BGP session with hold time 9 s and an IDC host pings the VPC
# host across vbrd (20 a second, through the flooded IDC port). After each
# flood:
#  - the session stayed Established throughout (vbrd polled during the
#    flood; its established_count and BIRD's "since" unchanged; it still
#    exchanges messages after the flood);
#  - vbrd dropped none of the pings it forwards (no drop counter outside
#    the punt path rose), and at most PING_LOSS_MAX % (default 2) of them
#    were lost, plus twice their share of what the kernel's queue of the
#    IDC tap dropped (the pings share it with the flood; it overflows when
#    vbrd's lcore gets no CPU on a busy machine, and the kernel counts it);
#  - the learned neighbours (/vbr/neigh, FIB next hops) did not grow, and
#    the peer's MAC in vbrd is still the peer's;
#  - every flood frame shows in a counter: the class it was punted in
#    (passed, policed, ring full: /vbr/punt) or the ARP drop that fits it
#    (/vbr/stats), or else the kernel's drop count of the IDC tap.
# The figures are printed at the end.
. "$(dirname "$0")/bgp_lib.sh"

FLOOD_RATE=${FLOOD_RATE:-8000}
FLOOD_S=${FLOOD_S:-10}
PUNT_RATE=${PUNT_RATE:-500}
PING_LOSS_MAX=${PING_LOSS_MAX:-2}
FLOODS=${FLOODS:-arp_for_us arp_not_for_us garp spoof tcp179 ping}
PEER_MAC=02:00:00:00:1d:02
FLOOD="$(dirname "$0")/punt_flood.py"

hugepages_setup
KEY=${KEY-punt-Key-$E2E_ID}
BGP_PEERS=10.0.0.2 bgp_config "$WORK/vbr.yaml" 65001 "$KEY"
sed -i "s|address: 10.0.0.1/29 }|address: 10.0.0.1/29, punt_rate: $PUNT_RATE }|" "$WORK/vbr.yaml"
grep -q "punt_rate: $PUNT_RATE" "$WORK/vbr.yaml" || { fail "no punt_rate in the config"; finish; }
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
start_bird b1 10.0.0.2 65001 "$KEY" 192.168.1.0/24

if ! wait_for 60 peer_established 10.0.0.2; then
	fail "no BGP session with BIRD: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	finish
fi
wait_for 20 fib_has 192.168.1.1 10.0.0.2 || fail "BIRD's route is not in the FIB"
check_traffic_over_bgp BIRD

# vbrd's MAC on the IDC port, as the IDC side resolved it.
ip netns exec "$NS_IDC" ping -c 1 -W 2 10.0.0.1 >/dev/null
VBR_MAC=$(ip -n "$NS_IDC" neigh show 10.0.0.1 dev "$TAP_IDC" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
[ -n "$VBR_MAC" ] || { fail "vbrd's MAC not resolved in the IDC namespace"; finish; }

# vbrd knows the live session (our side's segments went out) and its MAC.
punt_session_live() { vbr_tel /vbr/punt | grep -qi "idc 10.0.0.2:[0-9]* <-> :[0-9]* mac $PEER_MAC"; }
if wait_for 20 punt_session_live; then
	pass "vbrd recognises the BGP session by its 4-tuple and the peer's MAC"
else
	fail "no live session in /vbr/punt: $(vbr_tel /vbr/punt)"
fi

# The host 10.0.0.5 that floods ARP for us is a neighbour of ours already.
ip netns exec "$NS_IDC" python3 "$FLOOD" "$TAP_IDC" arp_for_us --vbr-mac "$VBR_MAC" --peer-mac "$PEER_MAC" --count 1 \
	>/dev/null
wait_for 10 sh -c "python3 '$VBR_ROOT/scripts/vbr-telemetry' '$PREFIX' /vbr/neigh | grep -q 'via 10.0.0.5 '" ||
	fail "10.0.0.5 not learned from its ARP request for us"

# A flat snapshot of vbrd's counters: stats.PORT.NAME, punt.PORT.NAME, the
# neighbour and next-hop counts, and the tap's kernel drops.
snapshot() {
	local tapdrop
	tapdrop=$(ip -n "$NS_IDC" -j -s link show "$TAP_IDC" |
		python3 -c "import json,sys; print(json.load(sys.stdin)[0]['stats64']['tx']['dropped'])")
	vbr_tel /vbr/stats /vbr/punt /vbr/neigh /vbr/fib | python3 -c '
import json, sys
dec, text, out, i = json.JSONDecoder(), sys.stdin.read(), {}, 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    obj, i = dec.raw_decode(text, i)
    for cmd, v in obj.items():
        name = cmd.rsplit("/", 1)[1]
        if name == "neigh":
            out["neigh"] = len(v or [])
            out["neigh_list"] = v or []
        elif name == "fib":
            out["nexthops"] = (v or {}).get("nexthops", 0)
        else:
            for port, c in (v or {}).items():
                if isinstance(c, dict):
                    for k, n in c.items():
                        out["%s.%s.%s" % (name, port, k)] = n
out["tapdrop"] = int(sys.argv[1])
print(json.dumps(out))' "$tapdrop"
}

# delta BEFORE AFTER KEY...: the sum of the keys' increases.
delta() {
	python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(sum(b.get(k, 0) - a.get(k, 0) for k in sys.argv[3:]))' "$@"
}

# The counters a flood's frames must show in.
counters_for() {
	case $1 in
	arp_for_us) echo punt.idc.arp_passed punt.idc.arp_policed punt.idc.arp_full ;;
	arp_not_for_us) echo stats.idc.drop_arp_not_for_us ;;
	garp) echo punt.idc.garp_passed punt.idc.garp_policed punt.idc.garp_full ;;
	spoof) echo stats.idc.drop_arp_mac_mismatch stats.idc.drop_arp_peer_spoof ;;
	tcp179) echo punt.idc.bgp_new_passed punt.idc.bgp_new_policed punt.idc.bgp_new_full ;;
	ping) echo punt.idc.other_passed punt.idc.other_policed punt.idc.other_full ;;
	esac
}

bird_since() { birdc_ b1 show protocols vbr | awk '$1 == "vbr" { print $4, $5, $6 }'; }
# same_since A B: BIRD shows the same session: Established both times, the
# "since" times (hh:mm:ss.mmm) less than a second apart. BIRD derives the
# wall-clock time it shows from its monotonic clock each time, so the same
# instant can come out a millisecond apart (21:11:12.903, then .904).
same_since() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		na = split(a, x, " "); nb = split(b, y, " ")
		if (na != 3 || nb != 3 || x[1] != y[1] || x[3] != "Established" || y[3] != "Established")
			exit 1
		split(x[2], p, ":"); split(y[2], q, ":")
		d = (p[1] * 3600 + p[2] * 60 + p[3]) - (q[1] * 3600 + q[2] * 60 + q[3])
		exit !(d < 1 && d > -1)
	}'
}

base=$(snapshot)
base_neigh=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["neigh"])' "$base")
base_nh=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["nexthops"])' "$base")
est0=$(peer_field 10.0.0.2 established_count)
since0=$(bird_since)
log "baseline: session Established (count $est0, BIRD: $since0), $base_neigh neighbours, $base_nh next hops, vbrd's MAC $VBR_MAC"
summary=()
held=0
nfloods=0

for mode in $FLOODS; do
	nfloods=$((nfloods + 1))
	before=$(snapshot)
	npings=$((FLOOD_S * 20))
	ip netns exec "$NS_IDC" ping -q -c "$npings" -i 0.05 -W 1 -I 192.168.1.1 172.20.0.10 \
		>"$WORK/ping-$mode" 2>&1 &
	ping_pid=$!
	PIDS+=("$ping_pid")
	timeout $((FLOOD_S * 3 + 30)) ip netns exec "$NS_IDC" python3 "$FLOOD" "$TAP_IDC" "$mode" --vbr-mac "$VBR_MAC" \
		--peer-mac "$PEER_MAC" --rate "$FLOOD_RATE" --seconds "$FLOOD_S" >"$WORK/flood-$mode" &
	flood_pid=$!
	PIDS+=("$flood_pid")
	# vbrd's view of the session, all through the flood.
	polls=0
	down=0
	while kill -0 "$flood_pid" 2>/dev/null; do
		st=$(peer_field 10.0.0.2 state 2>/dev/null)
		polls=$((polls + 1))
		[ "$st" = Established ] || down=$((down + 1))
		sleep 0.5
	done
	wait "$flood_pid"
	sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$WORK/flood-$mode" 2>/dev/null || echo 0)
	wait "$ping_pid"
	# The session still talks after the flood: two more messages from BIRD
	# (a keepalive every 3 s) and no new establishment.
	m=$(peer_field 10.0.0.2 msgs_in)
	wait_for 20 peer_gt 10.0.0.2 msgs_in $((m + 1))
	after=$(snapshot)
	est=$(peer_field 10.0.0.2 established_count)
	state=$(peer_field 10.0.0.2 state)
	since=$(bird_since)
	if [ "$down" -eq 0 ] && [ "$est" = "$est0" ] && [ "$state" = Established ] && same_since "$since" "$since0"; then
		bgp="held"
		held=$((held + 1))
		pass "$mode: $sent frames in ${FLOOD_S} s: BGP stayed Established ($polls polls, established_count $est, BIRD $since)"
	else
		bgp="LOST"
		fail "$mode: BGP: $down of $polls polls not Established; established_count $est0 -> $est, now $state; BIRD $since0 -> $since ($(peer_field 10.0.0.2 last_error))"
		# The next flood starts from a session that is up again.
		wait_for 60 peer_established 10.0.0.2
		est0=$(peer_field 10.0.0.2 established_count)
		since0=$(bird_since)
	fi
	tx=$(awk '/packets transmitted/ { print $1 }' "$WORK/ping-$mode")
	rx=$(awk '/packets transmitted/ { print $4 }' "$WORK/ping-$mode")
	tx=${tx:-0}
	rx=${rx:-0}
	tapdrop=$(delta "$before" "$after" tapdrop)
	# vbrd drops no forwarded packet: no drop counter outside the punt
	# path's rose on either port.
	fwd_drops=$(python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
punt = ("drop_arp_", "drop_punt_")
print(" ".join("%s=%d" % (k, b[k] - a.get(k, 0)) for k in sorted(b)
                if k.startswith(("stats.idc.drop_", "stats.vpc.drop_"))
                and not k.split(".")[2].startswith(punt) and b[k] > a.get(k, 0)))' "$before" "$after")
	# Pings may be lost where the flood is, in the kernel's queue of the
	# IDC tap when vbrd's lcore gets no CPU (counted by the kernel): twice
	# their share of those drops, plus PING_LOSS_MAX %.
	allowed=$(python3 -c 'import math,sys; t,d,s,p=map(int,sys.argv[1:]); print(math.floor(t * (p / 100 + 2 * d / max(s, 1))))' \
		"$tx" "$tapdrop" "${sent:-0}" "$PING_LOSS_MAX")
	if [ "$tx" -gt 0 ] && [ $((tx - rx)) -le "$allowed" ] && [ -z "$fwd_drops" ]; then
		pass "$mode: pings across vbrd: $rx/$tx answered (at most $allowed may be lost: $tapdrop tap drops); vbrd dropped none"
	else
		fail "$mode: pings across vbrd: $rx/$tx answered (at most $allowed may be lost: $tapdrop tap drops); vbrd's forwarding drops: ${fwd_drops:-none}"
	fi
	neigh=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["neigh"])' "$after")
	nh=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["nexthops"])' "$after")
	peer_ok=$(python3 -c '
import json, sys
print(int(any(n.startswith("via 10.0.0.2 ") and n.lower().endswith(sys.argv[2]) for n in json.loads(sys.argv[1])["neigh_list"])))' "$after" "$PEER_MAC")
	if [ "$neigh" -le "$base_neigh" ] && [ "$nh" -le "$base_nh" ] && [ "$peer_ok" = 1 ]; then
		pass "$mode: neighbours $neigh (baseline $base_neigh), next hops $nh ($base_nh), the peer's MAC unchanged"
	else
		fail "$mode: neighbours $neigh (baseline $base_neigh), next hops $nh ($base_nh), peer's MAC kept: $peer_ok"
		python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])["neigh_list"]))' "$after"
	fi
	# shellcheck disable=SC2046
	counted=$(delta "$before" "$after" $(counters_for "$mode"))
	if [ "$sent" -gt 0 ] && [ $((counted + tapdrop)) -ge "$sent" ]; then
		pass "$mode: every frame counted: $counted in $(counters_for "$mode" | tr ' ' ','), $tapdrop dropped by the kernel's tap queue"
	else
		fail "$mode: $sent sent, only $counted in $(counters_for "$mode"), $tapdrop dropped by the tap queue"
	fi
	detail=$(python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
keys = [k for k in b if k.startswith(("punt.idc.", "stats.idc.drop_arp", "stats.idc.drop_punt"))
        and not k.endswith("_rate") and not k.startswith("punt.idc.drop_")
        and isinstance(b[k], int) and b[k] - a.get(k, 0) > 0]
print(" ".join("%s=%d" % (k.split(".", 2)[2], b[k] - a.get(k, 0)) for k in sorted(keys)))' "$before" "$after")
	summary+=("$mode: sent $sent, BGP $bgp, pings $rx/$tx, neighbours $neigh, tap drops $tapdrop; $detail")
done

log "figures (FLOOD_RATE=$FLOOD_RATE FLOOD_S=$FLOOD_S PUNT_RATE=$PUNT_RATE):"
for s in "${summary[@]}"; do log "  $s"; done
log "BGP held through $held of $nfloods floods; learned neighbours at the end: $neigh (baseline $base_neigh)"
vbr_tel /vbr/punt | sed 's/^/    /'
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
