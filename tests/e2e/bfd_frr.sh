#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# BFD (RFC 5880/5881) with FRR 8.4: zebra, bfdd and bgpd in the IDC
# namespace (bgpd asks bfdd for its session through zebra), `neighbor
# 10.0.0.1 bfd` with a bfd profile of 300 ms x 3. Checked on both sides:
#  - the BFD session is Up: `vtysh -c 'show bfd peers json'` (status up,
#    300 ms both ways, remote multiplier 3, our discriminator) and `vbrctl
#    show bfd` (300 ms, detection 900 ms, FRR's discriminator);
#  - BGP is Established and FRR's networks are in vbrd's FIB;
#  - FRR's profile shut down: FRR says AdminDown, vbrd's session goes Down
#    and vbrd keeps BGP up (RFC 5882 3.2: no Cease / BFD Down), as FRR does;
#    back up with `no shutdown`.
. "$(dirname "$0")/bgp_lib.sh"

hugepages_setup
BGP_PEERS=10.0.0.2 BGP_GROUP_EXTRA=", bfd: { min_rx: 300, min_tx: 300, multiplier: 3 }" \
	bgp_config "$WORK/vbr.yaml" 65001 ""
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology

# FRR: zebra (the sessions' broker), bfdd, bgpd; each in the foreground,
# its sockets in $WORK/f1, stopped by its pid. zebra and bfdd drop to the
# frr user (their vty group, frrvty, is not root's): the directory is
# theirs, and $WORK lets them through.
d=$WORK/f1
mkdir -p "$d"
chmod o+x "$WORK"
chown frr:frr "$d"
cat >"$d/frr.conf" <<CONF
frr defaults traditional
hostname f1
log file $d/frr.log debugging
log timestamp precision 3
!
bfd
 profile fast
  receive-interval 300
  transmit-interval 300
  detect-multiplier 3
 !
!
router bgp 65001
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp log-neighbor-changes
 timers bgp 3 9
 neighbor 10.0.0.1 remote-as 45104
 neighbor 10.0.0.1 update-source 10.0.0.2
 neighbor 10.0.0.1 timers connect 2
 neighbor 10.0.0.1 bfd
 neighbor 10.0.0.1 bfd profile fast
 address-family ipv4 unicast
  network 192.168.1.0/24
  network 10.202.0.0/16
 exit-address-family
!
CONF
# bgpd skips its user change (-S); zebra and bfdd become frr. No vty on
# TCP (-P 0).
frr_daemon() {
	local daemon=$1
	shift
	ip netns exec "$NS_IDC" timeout 600 "/usr/lib/frr/$daemon" -f "$d/frr.conf" \
		-i "$d/$daemon.pid" --vty_socket "$d" -z "$d/zserv.api" -P 0 "$@" \
		>"$d/$daemon.stdout" 2>&1 &
	PIDS+=($!)
}
frr_vtysh() { local daemon=$1; shift; ip netns exec "$NS_IDC" vtysh --vty_socket "$d" -d "$daemon" "$@"; }
frr_daemon zebra
wait_for 10 test -S "$d/zserv.api" || { fail "zebra did not start"; cat "$d/zebra.stdout"; finish; }
frr_daemon bfdd -A 127.0.0.1 --bfdctl "$d/bfdd.sock"
frr_daemon bgpd -S -A 127.0.0.1 -l 10.0.0.2
wait_for 10 frr_vtysh bgpd -c "show bgp summary json" || { fail "bgpd did not start"; cat "$d/bgpd.stdout"; finish; }
wait_for 10 frr_vtysh bfdd -c "show bfd peers json" || { fail "bfdd did not start"; cat "$d/bfdd.stdout"; finish; }

vbrctl_() { "$VBRCTL" -s "$VBR_SOCK" "$@"; }
bfd_field() {
	vbrctl_ --json show bfd | python3 -c "
import json, sys
s = [r for r in json.load(sys.stdin) if r['peer'] == '$1']
print(s[0]['$2'] if s else '')"
}
bfd_up() { [ "$(bfd_field 10.0.0.2 state)" = Up ]; }
# frr_bfd FIELD: a field of FRR's BFD peer 10.0.0.1.
frr_bfd() {
	frr_vtysh bfdd -c "show bfd peers json" | python3 -c "
import json, sys
p = [x for x in json.load(sys.stdin) if x.get('peer') == '10.0.0.1']
print(p[0].get('$1', '') if p else '')"
}
frr_bfd_up() { [ "$(frr_bfd status)" = up ]; }
frr_bgp_up() {
	frr_vtysh bgpd -c "show bgp neighbors 10.0.0.1 json" | python3 -c \
		"import json,sys; sys.exit(0 if json.load(sys.stdin)['10.0.0.1']['bgpState'] == 'Established' else 1)"
}

if wait_for 60 peer_established 10.0.0.2; then
	pass "BGP: peer 10.0.0.2 (FRR) Established"
else
	fail "BGP not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	tail -30 "$d/frr.log"
	finish
fi
if wait_for 30 bfd_up && wait_for 10 frr_bfd_up; then
	pass "BFD Up on both sides"
else
	fail "BFD: vbrd $(bfd_field 10.0.0.2 state), FRR $(frr_bfd status)"
	frr_vtysh bfdd -c "show bfd peers"
	grep -i bfd "$d/frr.log" | tail -20
fi
settled() { [ "$(bfd_field 10.0.0.2 poll)" = False ] && [ "$(bfd_field 10.0.0.2 rx_interval_ms)" = 300 ]; }
wait_for 10 settled || true
vbrctl_ show bfd | sed 's/^/    vbrctl: /'
frr_vtysh bfdd -c "show bfd peers" | sed 's/^/    vtysh: /'
frr_vtysh bfdd -c "show bfd peers json" >"$WORK/frr-bfd.json"
vbrctl_ --json show bfd >"$WORK/bfd.json"
if python3 - "$WORK/frr-bfd.json" "$WORK/bfd.json" <<'PY'
import json, sys
f = [x for x in json.load(open(sys.argv[1])) if x["peer"] == "10.0.0.1"][0]
v = [r for r in json.load(open(sys.argv[2])) if r["peer"] == "10.0.0.2"][0]
assert f["status"] == "up" and v["state"] == "Up", (f["status"], v["state"])
assert f["receive-interval"] == 300 and f["transmit-interval"] == 300, f
assert f["remote-receive-interval"] == 300 and f["remote-transmit-interval"] == 300, f
assert f["remote-detect-multiplier"] == 3 and f["detect-multiplier"] == 3, f
# Each side knows the other's discriminator.
assert f["remote-id"] == v["local_discriminator"], (f["remote-id"], v["local_discriminator"])
assert f["id"] == v["remote_discriminator"], (f["id"], v["remote_discriminator"])
assert v["tx_interval_ms"] == 300 and v["rx_interval_ms"] == 300, v
assert v["detect_time_ms"] == 900 and v["remote_multiplier"] == 3, v
assert v["dropped"] == 0, v
PY
then
	pass "FRR: up, 300 ms both ways, multipliers 3, discriminators match vbrd's; vbrd: 300/300 ms, detection 900 ms"
else
	fail "the two views:"; cat "$WORK/frr-bfd.json" "$WORK/bfd.json"
fi
if wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 10.202.9.9; then
	pass "vbrd's FIB: FRR's 192.168.1.0/24 and 10.202.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks FRR's routes: $(fib_lookup 192.168.1.1)"
fi

# FRR shuts its profile down: AdminDown to us. Neither side ends BGP.
est=$(peer_field 10.0.0.2 established_count)
frr_vtysh bfdd -c "configure terminal" -c "bfd" -c "profile fast" -c "shutdown" >/dev/null
down() { [ "$(bfd_field 10.0.0.2 state)" = Down ] && [ "$(bfd_field 10.0.0.2 remote_state)" = AdminDown ]; }
if wait_for 10 down; then
	pass "FRR's profile shut down: vbrd's session Down, the remote AdminDown (diag $(bfd_field 10.0.0.2 local_diag))"
else
	fail "vbrd after FRR's shutdown: $(bfd_field 10.0.0.2 state) / $(bfd_field 10.0.0.2 remote_state)"
fi
# The detection time (900 ms) and more go by: BGP must still be up.
gone_quiet() { [ "$(bfd_field 10.0.0.2 state_ms)" -gt 2000 ]; }
wait_for 10 gone_quiet
if peer_established 10.0.0.2 && frr_bgp_up && [ "$(peer_field 10.0.0.2 established_count)" = "$est" ] &&
	! grep -q "bgp: peer 10.0.0.2: BFD session down" "$WORK/vbrd.log"; then
	pass "BGP stays Established on both sides after FRR's AdminDown (RFC 5882 3.2)"
else
	fail "BGP after FRR's AdminDown: vbrd $(peer_field 10.0.0.2 state) ($(peer_field 10.0.0.2 last_error))"
fi
grep -q "the peer turned BFD off (AdminDown)" "$WORK/vbrd.log" &&
	pass "vbrd's log: the peer turned BFD off" || fail "no AdminDown line in vbrd's log"
frr_vtysh bfdd -c "configure terminal" -c "bfd" -c "profile fast" -c "no shutdown" >/dev/null
if wait_for 20 bfd_up && wait_for 10 frr_bfd_up; then
	pass "FRR's profile back: Up on both sides"
else
	fail "not Up again: vbrd $(bfd_field 10.0.0.2 state), FRR $(frr_bfd status)"
fi
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
grep -E "bfd: " "$WORK/vbrd.log" | sed 's/^/    log: /'
finish
