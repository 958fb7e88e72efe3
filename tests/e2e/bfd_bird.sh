#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# BFD (RFC 5880/5881) with BIRD 2: `protocol bfd` and `bfd on` in its bgp
# protocol, 300 ms x 3 on both sides. First BIRD runs without BFD: vbrd's
# session never comes Up, vbrd says so after 10 s and BGP stays up (the far
# end may not run BFD); then BIRD gets BFD (birdc configure). Checked on
# both sides:
#  - the BFD session is Up: BIRD's `show bfd sessions`, vbrd's `vbrctl show
#    bfd` (and --json, /vbr/bfd), with the negotiated 300 ms intervals, the
#    remote multiplier 3, a detection time of 900 ms, discriminators both
#    ways, no drops;
#  - BGP is Established and BIRD's routes are in vbrd's FIB;
#  - forged BFD Down packets (the peer's address from the VPC side, an
#    address off the IDC subnet from the IDC side) are dropped and counted:
#    the session stays Up, BGP Established;
#  - a change of the group's intervals (vbrctl bgp-group modify) reaches
#    the session with a Poll Sequence: BIRD shows the new interval, the BFD
#    session and BGP stay up (no flap);
#  - vbrd's BFD turned off (vbrctl --no-bfd): BIRD hears AdminDown, vbrd
#    ends no BGP session for it (RFC 5882 3.2); turned on again: Up.
. "$(dirname "$0")/bgp_lib.sh"

hugepages_setup
BGP_PEERS=10.0.0.2 BGP_GROUP_EXTRA=", bfd: { min_rx: 300, min_tx: 300, multiplier: 3 }" \
	bgp_config "$WORK/vbr.yaml" 65001 ""
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology
# BIRD first without BFD: the far end may not run it.
start_bird b1 10.0.0.2 65001 "" 192.168.1.0/24 10.200.0.0/16 || { fail "BIRD start"; finish; }

vbrctl_() { "$VBRCTL" -s "$VBR_SOCK" "$@"; }
# bfd_field PEER FIELD: a field of vbrd's `show bfd --json` for PEER.
bfd_field() {
	vbrctl_ --json show bfd | python3 -c "
import json, sys
s = [r for r in json.load(sys.stdin) if r['peer'] == '$1']
print(s[0]['$2'] if s else '')"
}
bfd_up() { [ "$(bfd_field 10.0.0.2 state)" = Up ]; }
bird_bfd_up() { birdc_ b1 show bfd sessions | grep -Eq '^10\.0\.0\.1 .* Up '; }

if wait_for 60 peer_established 10.0.0.2; then
	pass "BGP: peer 10.0.0.2 Established"
else
	fail "BGP not Established: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	finish
fi

# A BFD session that never came Up holds nothing down: vbrd says so after
# 10 s, and BGP stays.
quiet_logged() { grep -q "bfd: peer 10.0.0.2: BFD not Up after 10 s" "$WORK/vbrd.log"; }
if wait_for 30 quiet_logged; then
	pass "BIRD without BFD: vbrd logs that the session is not Up ($(bfd_field 10.0.0.2 state)) and goes on"
else
	fail "no 'not Up' line in vbrd's log; BFD $(bfd_field 10.0.0.2 state)"
fi
if peer_established 10.0.0.2 && [ "$(peer_field 10.0.0.2 established_count)" = 1 ]; then
	pass "BIRD without BFD: BGP stays Established (not held down by BFD)"
else
	fail "BGP with a peer without BFD: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
fi

# Now BIRD runs BFD: protocol bfd, and bfd on in its bgp protocol.
sed -i -e '/^protocol static st2/a protocol bfd bfd1 { interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }' \
	-e '/^  error wait time/a \  bfd on;' "$WORK/b1/bird.conf"
birdc_ b1 configure | grep -q "Reconfigured" || fail "birdc configure: $(birdc_ b1 configure)"
if wait_for 20 bfd_up; then
	pass "vbrd: BFD session with 10.0.0.2 Up"
else
	fail "vbrd: BFD not Up: $(vbrctl_ show bfd)"
	birdc_ b1 show bfd sessions
fi
if wait_for 20 bird_bfd_up; then
	pass "BIRD: BFD session with 10.0.0.1 Up"
else
	fail "BIRD: BFD not Up"
fi

# The negotiated intervals, both sides. BIRD prints the interval and the
# timeout in seconds.
vbrctl_ show bfd | sed 's/^/    vbrctl: /'
birdc_ b1 show bfd sessions | sed 's/^/    birdc: /'
# Poll Sequences settle in a few packets.
settled() { [ "$(bfd_field 10.0.0.2 tx_interval_ms)" = 300 ] && [ "$(bfd_field 10.0.0.2 poll)" = False ]; }
wait_for 10 settled || true
vbrctl_ --json show bfd >"$WORK/bfd.json"
if python3 - "$WORK/bfd.json" <<'PY'
import json, sys
s = [r for r in json.load(open(sys.argv[1])) if r["peer"] == "10.0.0.2"][0]
assert s["state"] == "Up" and s["remote_state"] == "Up", s
assert s["tx_interval_ms"] == 300 and s["rx_interval_ms"] == 300, s
assert s["detect_time_ms"] == 900 and s["remote_multiplier"] == 3 and s["multiplier"] == 3, s
assert s["local_discriminator"] != 0 and s["remote_discriminator"] != 0, s
assert 49152 <= s["source_port"] <= 65535, s
assert s["dropped"] == 0 and s["flaps"] == 0, s
assert s["rx_packets"] > 0 and s["tx_packets"] > 0, s
PY
then
	pass "vbrd: tx 300 ms, rx 300 ms, detection 900 ms (3 x 300), discriminators both ways, no drops"
else
	fail "vbrd's BFD session:"; cat "$WORK/bfd.json"
fi
if birdc_ b1 show bfd sessions | grep -Eq '^10\.0\.0\.1 +[^ ]+ +Up +[^ ]+ +0\.300 +0\.900'; then
	pass "BIRD: interval 0.300 s, timeout 0.900 s"
else
	fail "BIRD's intervals: $(birdc_ b1 show bfd sessions | grep '^10\.0\.0\.1')"
fi

if wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 10.200.9.9; then
	pass "vbrd's FIB: BIRD's 192.168.1.0/24 and 10.200.0.0/16 via 10.0.0.2"
else
	fail "FIB lacks BIRD's routes: $(fib_lookup 192.168.1.1)"
fi

# Forged BFD Down packets with Your Discriminator 0, TTL 255, to our IDC
# address: from the VPC side with the peer's source address (the kernel
# would take it on the VPC tap: the address is local there too), and from
# the IDC side with a source outside the IDC subnet. Neither may touch the
# session (BGP would end with Cease/10): dropped and counted.
unmatched() {
	vbr_tel /vbr/bfd | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/bfd']['unmatched'].get('drop_$1', 0))"
}
forged_seen() { [ "$(unmatched wrong_interface)" -gt "$wi0" ] && [ "$(unmatched off_subnet)" -gt "$os0" ]; }
went_down() { [ "$(bfd_field 10.0.0.2 flaps)" != "$flaps0" ] || ! bfd_up; }
wait_for 20 bfd_up || fail "BFD not Up before the forged packets"
est=$(peer_field 10.0.0.2 established_count)
wi0=$(unmatched wrong_interface) os0=$(unmatched off_subnet) flaps0=$(bfd_field 10.0.0.2 flaps)
FORGE="$(dirname "$0")/bfd_forge.py"
ip netns exec "$NS_VPC" python3 "$FORGE" 10.0.0.2 10.0.0.1 --ttl 255 --state down >/dev/null ||
	fail "cannot send the forged packet from the VPC side"
ip netns exec "$NS_IDC" python3 "$FORGE" 192.168.1.1 10.0.0.1 --ttl 255 --state down >/dev/null ||
	fail "cannot send the forged packet from the IDC side"
wait_for 10 forged_seen || true
# Each packet is counted once: a drop here means no session saw it.
if forged_seen; then
	pass "forged BFD Down (VPC side as 10.0.0.2, IDC side from 192.168.1.1): dropped before any session (wrong_interface $wi0 -> $(unmatched wrong_interface), off_subnet $os0 -> $(unmatched off_subnet))"
else
	fail "forged BFD Down not dropped as such: wrong_interface $wi0 -> $(unmatched wrong_interface), off_subnet $os0 -> $(unmatched off_subnet)"
fi
if ! went_down && peer_established 10.0.0.2 &&
	[ "$(peer_field 10.0.0.2 established_count)" = "$est" ]; then
	pass "forged BFD Down: BFD stayed Up (no flap), BGP held"
else
	fail "forged BFD Down: BFD $(bfd_field 10.0.0.2 state) flaps $flaps0 -> $(bfd_field 10.0.0.2 flaps) ($(bfd_field 10.0.0.2 local_diag)), BGP $(peer_field 10.0.0.2 state) ($(peer_field 10.0.0.2 last_error))"
	wait_for 30 peer_established 10.0.0.2
	wait_for 20 bfd_up
fi

# A new interval at run time: a Poll Sequence, no flap, BGP untouched.
est=$(peer_field 10.0.0.2 established_count)
vbrctl_ bgp-group modify --name idc-core --bfd-min-tx 500 --bfd-min-rx 500 ||
	fail "vbrctl bgp-group modify --bfd-min-tx 500"
bird_500() { birdc_ b1 show bfd sessions | grep -Eq '^10\.0\.0\.1 +[^ ]+ +Up +[^ ]+ +0\.500 +1\.500'; }
if wait_for 10 bird_500; then
	pass "BIRD: interval 0.500 s, timeout 1.500 s after the change"
else
	fail "BIRD after the change: $(birdc_ b1 show bfd sessions | grep '^10\.0\.0\.1')"
fi
if [ "$(bfd_field 10.0.0.2 flaps)" = 0 ] && bfd_up && peer_established 10.0.0.2 &&
	[ "$(peer_field 10.0.0.2 established_count)" = "$est" ]; then
	pass "the change: no BFD flap, BGP stayed Established"
else
	fail "the change flapped: $(vbrctl_ show bfd) BGP $(peer_field 10.0.0.2 state)"
fi
grep -q "bfd: peer 10.0.0.2: min tx 500 ms, min rx 500 ms, x 3: Poll Sequence" "$WORK/vbrd.log" &&
	pass "vbrd's log: the change went by a Poll Sequence" || fail "no Poll Sequence in the log"

# vbrd turns BFD off: it tells BIRD AdminDown for a few seconds, then the
# session goes; neither side's BGP goes down (RFC 5882 3.2).
vbrctl_ bgp-group modify --name idc-core --no-bfd || fail "vbrctl bgp-group modify --no-bfd"
bird_bfd_down() { birdc_ b1 show bfd sessions | grep -Eq '^10\.0\.0\.1 .* Down '; }
gone() { [ -z "$(bfd_field 10.0.0.2 state)" ]; }
if wait_for 10 bird_bfd_down; then
	pass "vbrd's bfd off: BIRD's session Down (vbrd said AdminDown)"
else
	fail "BIRD after vbrd's bfd off: $(birdc_ b1 show bfd sessions | grep '^10\.0\.0\.1')"
fi
wait_for 15 gone && pass "vbrd: the session removed after telling AdminDown" ||
	fail "vbrd's session still there: $(vbrctl_ show bfd)"
# vbrd's own BGP session is not ended by BFD going away (no Cease / BFD
# Down from us). BIRD 2.0.12 ends its side when it hears AdminDown (its
# bfd_request_notify takes any Up -> Down as down, RFC 5882 3.2
# notwithstanding): that is BIRD's choice, shown here.
if ! grep -q "bgp: peer 10.0.0.2: BFD session down" "$WORK/vbrd.log"; then
	pass "vbrd: BFD turned off ended no BGP session of its own (no Cease / BFD Down sent)"
else
	fail "vbrd took BFD's removal for a failure"
fi
log "    BIRD's BGP after our AdminDown: $(birdc_ b1 show protocols vbr | grep '^vbr') (vbrd's last error: $(peer_field 10.0.0.2 last_error))"
wait_for 30 peer_established 10.0.0.2 || fail "BGP not Established again"
vbrctl_ bgp-group modify --name idc-core --bfd || fail "vbrctl bgp-group modify --bfd"
if wait_for 20 bfd_up && wait_for 10 bird_bfd_up; then
	pass "bfd on again: Up on both sides ($(bfd_field 10.0.0.2 tx_interval_ms) ms, the defaults)"
else
	fail "not Up again: $(vbrctl_ show bfd)"
fi
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
grep -E "bfd: " "$WORK/vbrd.log" | sed 's/^/    log: /'
finish
