#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Console operations on a running vbrd (issue 7), each checked on vbrd's side
# (vbrctl show ... --json) and on BIRD's (birdc). vbrd starts with no BGP
# group, peer or network. Two BIRD 2 in the IDC namespace: b1, protocol
# "vbr" from 10.0.0.2 (AS 65001, vbr's group g1), and b2, protocol "vbr2"
# from 10.0.0.3 (AS 65002, group g2), each with its own TCP-MD5 key.
#  - bgp-group create + bgp-peer create: the session comes up (timed);
#  - bgp-network add / delete: BIRD gets the route (timed) and loses it,
#    its session unbroken (BIRD's "since" and vbrd's established_count);
#  - bgp-group modify --description resets nothing;
#  - bgp-peer reset / disable / enable, with the texts BIRD shows;
#  - vbrctl reload and SIGHUP after a hand edit; a file with an error
#    changes nothing;
#  - bgp-group modify --key resets that group's peer only (BIRD is given
#    the new key too), g2's stays up;
#  - bgp-peer delete: BIRD hears Cease / Peer De-configured (RFC 4486);
#  - route add: traffic through to the VPC; route delete: no more;
#  - every change is acknowledged once on disk (timed, fsync included): a
#    kill -9 and a restart on the rewritten file give the same `show
#    config`, the session and the routes; a kill -9 amid a stream of
#    changes loses none that was acknowledged.
. "$(dirname "$0")/vbrctl_lib.sh"

K1=e2e-One-$E2E_ID
K1B=e2e-OneB-$E2E_ID
K2=e2e-Two-$E2E_ID

if [ ! -x "$VBRCTL" ]; then
	fail "no vbrctl at $VBRCTL"
	finish
fi

hugepages_setup
{
	bgp_config_head vbrctl-live
	cat <<YAML
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
} >"$WORK/vbr.yaml"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
# A VPC host that only a static route added by vbrctl reaches; the IDC
# side pings it from 10.0.0.5, a connected address (no route needed back).
ip -n "$NS_VPC" addr add 172.21.0.10/32 dev lo
ping_through() { ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 10.0.0.5 172.21.0.10 >/dev/null 2>&1; }
no_ping() { ! ping_through; }
write_bird_conf b1 "vbr:10.0.0.2:65001:$K1"
write_bird_conf b2 "vbr2:10.0.0.3:65002:$K2" none
run_bird b1 && run_bird b2 || { fail "BIRD did not start"; finish; }

# The sockets, with their modes.
if [ -S "$SOCK" ] && [ -S "$RO_SOCK" ]; then
	pass "sockets $SOCK (mode $(stat -c %a "$SOCK")) and $RO_SOCK (mode $(stat -c %a "$RO_SOCK"))"
	[ "$(stat -c %a "$SOCK")" = 600 ] || fail "read-write socket mode $(stat -c %a "$SOCK"), want 600"
	[ "$(stat -c %a "$RO_SOCK")" = 666 ] || fail "read-only socket mode $(stat -c %a "$RO_SOCK"), want 666"
else
	fail "no management sockets at $SOCK and $RO_SOCK"
	finish
fi
if [ "$(ctl show peers --json | "${TOOL[@]}" records)" = "[]" ]; then
	pass "vbrd starts with no BGP peer"
else
	fail "show peers at start: $(ctl show peers --json)"
fi

# 1. A group and a peer: that session comes up.
ack bgp-group create --name g1 --peer-asn 65001 --key "$K1" --description "IDC core" \
	--hold-time 9 --connect-retry 2
poll_start est 30 'any(r.get("address") == "10.0.0.2" and r.get("state") == "Established" for r in recs)' \
	"$VBRCTL" -s "$SOCK" show peers --json
t0=$(date +%s%N)
ack bgp-peer create --group g1 --address 10.0.0.2 --description "BIRD vbr"
if poll_end est "$t0"; then
	T_EST=$POLL_MS
	# vbrd's stamp of the event, on the same clock: without the polling's
	# granularity.
	t1=$(log_times "peer 10.0.0.2 .*Established" | head -1)
	T_EST_LOG=$(awk -v a="$t0" -v b="${t1:-0}" 'BEGIN { printf "%.0f", b * 1000 - a / 1e6 }')
	pass "create->Established: $T_EST ms (vbrctl show peers polled; vbrd's log stamps it $T_EST_LOG ms after the command)"
else
	fail "vbrd: peer 10.0.0.2 not Established after bgp-peer create: $(vbr_peer 10.0.0.2 state) $(vbr_peer 10.0.0.2 last_error)"
	birdc_ b1 show protocols all vbr
	finish
fi
wait_for 10 bird_proto_established b1 vbr && pass "BIRD: protocol vbr Established" ||
	fail "BIRD: protocol vbr $(bird_since b1 vbr)"
[ "$(ctl_get groups name=g1 peers)" = '["10.0.0.2"]' ] && pass "show groups: g1 has peer 10.0.0.2" ||
	fail "show groups: g1's peers $(ctl_get groups name=g1 peers)"
[ "$(ctl_get groups name=g1 key_set)" = true ] && pass "show groups: g1 key_set" ||
	fail "show groups: g1 key_set $(ctl_get groups name=g1 key_set)"
# The key is in the file (persisted), nowhere in what vbrctl shows or vbrd logs.
grep -q -- "$K1" "$WORK/vbr.yaml" && pass "the key is in the rewritten config file" ||
	fail "the key is not in the config file"
shown=$( { ctl show config --json; ctl show groups --json; ctl show groups; ctl show peers; } 2>&1)
if ! grep -q -- "$K1" <<<"$shown" && ! grep -q -- "$K1" "$WORK/vbrd.log"; then
	pass "the key is never shown by vbrctl nor logged"
else
	fail "the key shows: $(grep -c -- "$K1" <<<"$shown") vbrctl lines, $(grep -c -- "$K1" "$WORK/vbrd.log") log lines"
fi

# unbroken PEER BIRD PROTO EST SINCE: the peer's session is the one it was:
# vbrd's established_count is EST, BIRD's start SINCE, after one more
# message came in (the session carried a KEEPALIVE after the change).
msgs_in_gt() { [ "$(vbr_peer "$1" msgs_in)" -gt "$2" ]; }
unbroken() {
	local msgs
	msgs=$(vbr_peer "$1" msgs_in)
	wait_for 10 msgs_in_gt "$1" "${msgs:-0}" || log "no message from $1 within 10 s"
	[ "$(vbr_est_count "$1")" = "$4" ] && same_since "$(bird_since "$2" "$3")" "$5"
}

# 2. A CIDR block reaches BIRD; the session stays.
est=$(vbr_est_count 10.0.0.2)
since=$(bird_since b1 vbr)
poll_start net 20 'any(l.startswith("172.20.0.0/16 ") for l in out.splitlines())' \
	ip netns exec "$NS_IDC" birdc -s "$WORK/b1/bird.ctl" show route 172.20.0.0/16
t0=$(date +%s%N)
ack bgp-network add --cidr 172.20.0.0/16
if poll_end net "$t0"; then
	T_NET=$POLL_MS
	pass "network add->route at BIRD: $T_NET ms"
else
	fail "BIRD never got 172.20.0.0/16"
fi
birdc_ b1 show route 172.20.0.0/16 all >"$WORK/bird-route"
if grep -q "BGP.next_hop: 10.0.0.1" "$WORK/bird-route" && grep -Eq "BGP.as_path: 45104\s*$" "$WORK/bird-route"; then
	pass "BIRD: 172.20.0.0/16 next hop 10.0.0.1, AS path 45104"
else
	fail "BIRD's view of 172.20.0.0/16:"; cat "$WORK/bird-route"
fi
[ "$(ctl show networks --json | "${TOOL[@]}" records)" = '[{"cidr": "172.20.0.0/16"}]' ] &&
	pass "show networks: 172.20.0.0/16" || fail "show networks: $(ctl show networks --json)"
unbroken 10.0.0.2 b1 vbr "$est" "$since" &&
	pass "network add: session unbroken (established_count $est, BIRD since $since)" ||
	fail "network add reset the session: count $est -> $(vbr_est_count 10.0.0.2), BIRD $since -> $(bird_since b1 vbr)"
# The block is the VPC's: its static route stays, traffic to it flows.
ctl show routes 172.20.0.0/16 --json | "${TOOL[@]}" get prefix=172.20.0.0/16 paths >"$WORK/paths"
grep -q '"source": "static"' "$WORK/paths" && pass "show routes: 172.20.0.0/16 static still" ||
	fail "show routes 172.20.0.0/16 after network add: $(cat "$WORK/paths")"
ip netns exec "$NS_IDC" ping -c 2 -i 0.2 -W 1 -I 10.0.0.5 172.20.0.10 >/dev/null &&
	pass "ping through to 172.20.0.10 inside the CIDR block" || fail "no ping to 172.20.0.10 after network add"

# 3. Its delete: a withdrawal, the session stays.
poll_start wd 20 '"ready" in out and not any(l.startswith("172.20.0.0/16 ") for l in out.splitlines())' \
	ip netns exec "$NS_IDC" birdc -s "$WORK/b1/bird.ctl" show route 172.20.0.0/16
t0=$(date +%s%N)
ack bgp-network delete --cidr 172.20.0.0/16
if poll_end wd "$t0"; then
	T_WD=$POLL_MS
	pass "network delete->withdrawn at BIRD: $T_WD ms"
else
	fail "BIRD still has 172.20.0.0/16 after bgp-network delete"
fi
unbroken 10.0.0.2 b1 vbr "$est" "$since" &&
	pass "network delete: session unbroken" ||
	fail "network delete reset the session: count $est -> $(vbr_est_count 10.0.0.2), BIRD $since -> $(bird_since b1 vbr)"

# 4. A new description resets nothing.
ack bgp-group modify --name g1 --description "IDC core routers"
[ "$(ctl_get groups name=g1 description)" = "IDC core routers" ] &&
	pass "show groups: g1's new description" ||
	fail "g1's description: $(ctl_get groups name=g1 description)"
unbroken 10.0.0.2 b1 vbr "$est" "$since" &&
	pass "description change: no reset (established_count $est, BIRD since $since)" ||
	fail "description change reset the session: count $est -> $(vbr_est_count 10.0.0.2), BIRD $since -> $(bird_since b1 vbr)"

# 4b. Reset, disable and enable a peer, with RFC 9003 texts BIRD shows;
# the file keeps "disabled". Hand edits applied by `vbrctl reload` and
# SIGHUP, with no reset; a hand edit with an error changes nothing.
# BIRD logs the NOTIFICATION with its text ("show protocols all" gives
# neither the text nor, once BIRD is back up, the error).
bird_logged() { grep -Fq -- "vbr: Received: $1" "$WORK/b1/bird.log"; }
ack bgp-peer reset --address 10.0.0.2 --message "e2e reset $E2E_ID"
if wait_for 10 bird_logged "Administrative reset: \"e2e reset $E2E_ID\""; then
	pass "bgp-peer reset: BIRD logged: $(grep -F "Administrative reset" "$WORK/b1/bird.log" | tail -n 1)"
else
	fail "bgp-peer reset: BIRD's last error: $(bird_last_error b1 vbr)"
fi
est_gt() { [ "$(vbr_est_count 10.0.0.2)" -gt "$1" ] && vbr_established 10.0.0.2; }
wait_for 30 est_gt "$est" && pass "bgp-peer reset: back Established (established_count $(vbr_est_count 10.0.0.2))" ||
	fail "bgp-peer reset: not back: $(vbr_peer 10.0.0.2 state) $(vbr_peer 10.0.0.2 last_error)"
ack bgp-peer disable --address 10.0.0.2 --message "e2e maintenance $E2E_ID"
if wait_for 10 bird_logged "Administrative shutdown: \"e2e maintenance $E2E_ID\""; then
	pass "bgp-peer disable: BIRD logged: $(grep -F "Administrative shutdown" "$WORK/b1/bird.log" | tail -n 1)"
else
	fail "bgp-peer disable: BIRD's last error: $(bird_last_error b1 vbr)"
fi
[ "$(vbr_peer 10.0.0.2 enabled)" = false ] && [ "$(vbr_peer 10.0.0.2 state)" = Idle ] &&
	pass "bgp-peer disable: vbrd shows it Idle, not enabled ($(vbr_peer 10.0.0.2 last_error))" ||
	fail "bgp-peer disable: vbrd shows $(vbr_peer 10.0.0.2 state), enabled $(vbr_peer 10.0.0.2 enabled)"
grep -q "disabled: true" "$WORK/vbr.yaml" && pass "bgp-peer disable: the file says disabled" ||
	fail "bgp-peer disable: not in the file: $(grep -A1 "10.0.0.2" "$WORK/vbr.yaml")"
est=$(vbr_est_count 10.0.0.2)
ack bgp-peer enable --address 10.0.0.2
wait_for 30 est_gt "$est" && wait_for 10 bird_proto_established b1 vbr &&
	pass "bgp-peer enable: Established again (vbrd and BIRD)" ||
	fail "bgp-peer enable: $(vbr_peer 10.0.0.2 state) $(vbr_peer 10.0.0.2 last_error)"
grep -q "disabled: true" "$WORK/vbr.yaml" && fail "bgp-peer enable: the file still says disabled"
est=$(vbr_est_count 10.0.0.2)
since=$(bird_since b1 vbr)
sed -i 's/IDC core routers/IDC core, edited by hand/' "$WORK/vbr.yaml"
ack reload
[ "$(ctl_get groups name=g1 description)" = "IDC core, edited by hand" ] &&
	pass "vbrctl reload: the hand-edited description is live" ||
	fail "vbrctl reload: g1's description $(ctl_get groups name=g1 description)"
desc_is() { [ "$(ctl_get groups name=g1 description)" = "$1" ]; }
sed -i 's/IDC core, edited by hand/IDC core, edited again/' "$WORK/vbr.yaml"
kill -HUP "$VBRD_PID"
wait_for 10 desc_is "IDC core, edited again" && pass "SIGHUP: the hand-edited description is live" ||
	fail "SIGHUP: g1's description $(ctl_get groups name=g1 description)"
config_snapshot "$WORK/c.before"
cp "$WORK/vbr.yaml" "$WORK/vbr.yaml.good"
sed -i 's/peer_asn: 65001/peer_asn: 45104/' "$WORK/vbr.yaml"
if refused "$SOCK" 'eBGP|own ASN|local_asn' reload && config_snapshot "$WORK/c.after" &&
	same_json "$WORK/c.before" "$WORK/c.after"; then
	pass "vbrctl reload of a file with an error: refused, nothing changed: $(cat "$WORK/ctl.err")"
else
	fail "vbrctl reload of a file with an error: $(cat "$WORK/ctl.err")"
fi
cp "$WORK/vbr.yaml.good" "$WORK/vbr.yaml"
unbroken 10.0.0.2 b1 vbr "$est" "$since" &&
	pass "reloads: no reset (established_count $est, BIRD since $since)" ||
	fail "a reload reset the session: count $est -> $(vbr_est_count 10.0.0.2), BIRD $since -> $(bird_since b1 vbr)"

# 5. A second group with its peer; g1's session is left alone.
ack bgp-group create --name g2 --peer-asn 65002 --key "$K2" --hold-time 9 --connect-retry 2
ack bgp-peer create --group g2 --address 10.0.0.3
if wait_for 30 vbr_established 10.0.0.3 && wait_for 10 bird_proto_established b2 vbr2; then
	pass "g2: peer 10.0.0.3 Established (vbrd and BIRD)"
else
	fail "g2: peer 10.0.0.3 $(vbr_peer 10.0.0.3 state); BIRD: $(bird_since b2 vbr2)"
fi
unbroken 10.0.0.2 b1 vbr "$est" "$since" &&
	pass "creating g2 and its peer left g1's session alone" ||
	fail "g1's session reset by g2's creation"

# 6. g1's key changes: g1's peer resets and, once BIRD has the key too,
# comes back; g2's peer is left alone.
est2=$(vbr_est_count 10.0.0.3)
since2=$(bird_since b2 vbr2)
ack bgp-group modify --name g1 --key "$K1B"
bird_down() { ! bird_proto_established b1 vbr; }
if wait_for 15 bird_down; then
	pass "key change: BIRD's g1 session went down (last error: $(bird_last_error b1 vbr))"
else
	fail "key change: g1's session not reset"
fi
write_bird_conf b1 "vbr:10.0.0.2:65001:$K1B"
bird_reconfigure b1 || fail "birdc configure: $(birdc_ b1 configure)"
if wait_for 30 vbr_established 10.0.0.2 && wait_for 10 bird_proto_established b1 vbr; then
	n=$(vbr_est_count 10.0.0.2)
	[ "$n" -gt "$est" ] && pass "key change: g1's peer back Established with the new key (established_count $est -> $n)" ||
		fail "key change: established_count $est -> $n"
else
	fail "key change: g1's peer not back: $(vbr_peer 10.0.0.2 state) $(vbr_peer 10.0.0.2 last_error)"
fi
unbroken 10.0.0.3 b2 vbr2 "$est2" "$since2" &&
	pass "key change of g1: g2's session unbroken (established_count $est2, BIRD since $since2)" ||
	fail "key change of g1 reset g2's peer: count $est2 -> $(vbr_est_count 10.0.0.3), BIRD $since2 -> $(bird_since b2 vbr2)"

# 7. A static route toward the VPC: traffic follows it, and stops after its delete.
if no_ping; then
	pass "before route add: 172.21.0.10 unreachable"
else
	fail "172.21.0.10 reachable before its route"
fi
ack route add --prefix 172.21.0.0/16 --next-hop 172.16.0.2
if wait_for 20 ping_through; then
	pass "route add: 10.0.0.5 in the IDC pings 172.21.0.10 in the VPC"
else
	fail "route add: no ping through to 172.21.0.10"
fi
ctl show routes 172.21.0.0/16 --json | "${TOOL[@]}" get prefix=172.21.0.0/16 paths >"$WORK/paths"
grep -q '"source": "static"' "$WORK/paths" && grep -q '"next_hop": "172.16.0.2"' "$WORK/paths" &&
	pass "show routes: 172.21.0.0/16 static via 172.16.0.2" || fail "show routes 172.21.0.0/16: $(cat "$WORK/paths")"
ack route delete --prefix 172.21.0.0/16
if wait_for 20 no_ping; then
	pass "route delete: 172.21.0.10 no longer reachable"
else
	fail "route delete: 172.21.0.10 still answers"
fi
[ "$(ctl show routes 172.21.0.0/16 --json | "${TOOL[@]}" records)" = "[]" ] &&
	pass "show routes: 172.21.0.0/16 gone" || fail "show routes 172.21.0.0/16: $(ctl show routes 172.21.0.0/16 --json)"

# 8. A peer deleted: BIRD hears Cease / Peer De-configured; g1 unaffected.
est=$(vbr_est_count 10.0.0.2)
since=$(bird_since b1 vbr)
ack bgp-peer delete --address 10.0.0.3
deconf() { bird_last_error b2 vbr2 | grep -qi "de-configured"; }
if wait_for 10 deconf; then
	pass "bgp-peer delete: BIRD's vbr2: Last error: $(bird_last_error b2 vbr2)"
elif grep -qi "vbr2: Received: Peer de-configured" "$WORK/b2/bird.log"; then
	pass "bgp-peer delete: BIRD logged: $(grep -i "vbr2: Received: Peer de-configured" "$WORK/b2/bird.log" | tail -1)"
else
	fail "bgp-peer delete: BIRD's vbr2 last error: $(bird_last_error b2 vbr2)"
fi
ctl show peers --json | "${TOOL[@]}" get address=10.0.0.3 state >/dev/null &&
	fail "show peers still has 10.0.0.3" || pass "show peers: 10.0.0.3 gone"
ack bgp-group delete --name g2
ctl show groups --json | "${TOOL[@]}" get name=g2 name >/dev/null &&
	fail "show groups still has g2" || pass "bgp-group delete: g2 gone"
unbroken 10.0.0.2 b1 vbr "$est" "$since" && pass "g1's session unbroken by g2's peer and group delete" ||
	fail "g1's session reset by g2's delete"

# 9. kill -9 and a restart on the rewritten file: the same config, session
# and routes.
ack bgp-network add --cidr 172.20.0.0/16
ack route add --prefix 172.21.0.0/16 --next-hop 172.16.0.2
wait_for 20 bird_has_route b1 172.20.0.0/16 || fail "BIRD lacks 172.20.0.0/16 before the kill"
wait_for 20 ping_through || fail "no ping through before the kill"
config_snapshot "$WORK/config.before" || fail "show config --json before the kill"
STATS_CONFIG=$(ctl show stats --json | "${TOOL[@]}" get - config)
cp "$WORK/vbr.yaml" "$WORK/vbr.yaml.before"
# kill_restart N: vbrd killed with SIGKILL (its log kept as vbrd-killed-N.log
# and read for sanitizer reports: lib.sh's cleanup reads only the last
# vbrd's), then started again on the same config file.
kill_restart() {
	kill -KILL "$VBRD_PID"
	wait "$VBRD_PID" 2>/dev/null
	cp "$WORK/vbrd.log" "$WORK/vbrd-killed-$1.log"
	if grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/vbrd-killed-$1.log"; then
		fail "sanitizer report in the killed vbrd's log:"
		grep -E -A20 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/vbrd-killed-$1.log" | head -60
	fi
	log "vbrd killed (SIGKILL); restarting on $WORK/vbr.yaml"
	if ! launch_vbrd "$WORK/vbr.yaml"; then
		fail "vbrd did not restart after kill -9"
		finish
	fi
	bgp_topology
}
kill_restart 1
cmp -s "$WORK/vbr.yaml" "$WORK/vbr.yaml.before" && pass "the restart left the config file as it was" ||
	fail "the config file changed on restart"
if wait_for 10 test -S "$SOCK" && config_snapshot "$WORK/config.after" &&
	same_json "$WORK/config.before" "$WORK/config.after"; then
	pass "after kill -9 and restart: show config --json is the same"
else
	fail "show config --json differs after the restart"
fi
if wait_for 60 vbr_established 10.0.0.2 && wait_for 15 bird_proto_established b1 vbr; then
	pass "after the restart: peer 10.0.0.2 Established again (vbrd and BIRD)"
else
	fail "after the restart: peer 10.0.0.2 $(vbr_peer 10.0.0.2 state) $(vbr_peer 10.0.0.2 last_error); BIRD $(bird_since b1 vbr)"
fi
wait_for 30 bird_has_route b1 172.20.0.0/16 && pass "after the restart: BIRD has 172.20.0.0/16 again" ||
	fail "after the restart: BIRD lacks 172.20.0.0/16"
wait_for 20 ping_through && pass "after the restart: ping through to 172.21.0.10 over the static route" ||
	fail "after the restart: no ping to 172.21.0.10"

# 10. kill -9 in the middle of a stream of changes: every change vbrctl saw
# acknowledged is there after the restart, and nothing else but maybe the
# one in flight (written, not yet acknowledged).
: >"$WORK/acked"
: >"$WORK/in-flight"
burst() {
	local i
	for i in $(seq 1 200); do
		if ctl bgp-network add --cidr "10.200.$i.0/24" >/dev/null 2>&1; then
			echo "10.200.$i.0/24" >>"$WORK/acked"
		else
			echo "10.200.$i.0/24" >"$WORK/in-flight"
			return
		fi
	done
}
acked_ge() { [ "$(wc -l <"$WORK/acked")" -ge "$1" ]; }
burst &
burst_pid=$!
wait_for 60 acked_ge 20 || fail "the stream of changes did not reach 20 acknowledgements"
kill_restart 2
wait "$burst_pid"
ctl show networks --json | "${TOOL[@]}" records >"$WORK/nets-after"
if python3 - "$WORK/acked" "$WORK/in-flight" "$WORK/nets-after" >"$WORK/nets-check" <<'PY'
import json, sys
acked = set(open(sys.argv[1]).read().split())
flight = set(open(sys.argv[2]).read().split())
shown = {r["cidr"] for r in json.load(open(sys.argv[3]))} - {"172.20.0.0/16"}
lost, extra = acked - shown, shown - acked - flight
print("%d acknowledged, %d shown after the restart, in flight %s: %s" % (
    len(acked), len(shown), " ".join(flight) or "none",
    "in" if flight & shown else "not in"))
if lost or extra:
    print("lost: %s; never asked for: %s" % (sorted(lost), sorted(extra)))
    sys.exit(1)
PY
then
	pass "kill -9 amid changes: every acknowledged change survived ($(head -n 1 "$WORK/nets-check"))"
else
	fail "kill -9 amid changes: $(cat "$WORK/nets-check")"
fi
if wait_for 60 vbr_established 10.0.0.2 && wait_for 30 bird_has_route b1 10.200.1.0/24; then
	pass "after the second restart: peer 10.0.0.2 Established, BIRD has 10.200.1.0/24"
else
	fail "after the second restart: peer 10.0.0.2 $(vbr_peer 10.0.0.2 state); BIRD lacks 10.200.1.0/24"
fi

log "figures: create->Established ${T_EST:-?} ms (vbrd's log: ${T_EST_LOG:-?} ms); network add->route at BIRD ${T_NET:-?} ms;" \
	"network delete->withdrawn at BIRD ${T_WD:-?} ms; ack: $(ack_summary) commands"
log "vbrd's own figures before the kill (show stats: config): ${STATS_CONFIG:-?}"
finish
