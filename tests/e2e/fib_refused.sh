#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Routes the FIB has no room for (issue 6, finding 4), with BIRD 2 as the
# IDC router and a FIB made small on purpose (fib.max_tbl8 64,
# fib.max_nexthops 16):
#  - 70 /25s, each needing a tbl8 group of its own: those that do not fit
#    are counted as not in the FIB (/vbr/rib, /vbr/fib_check), and once 20 of
#    those in are withdrawn, every one left gets in;
#  - the next-hop table full: a prefix whose next hop moves to a new one
#    (the better path refused, the old one withdrawn) does not go on
#    forwarding to the old next hop, and gets the new one;
#  - more next hops than ids: the refused prefixes get in once others leave;
#  - at every step /vbr/fib_check finds no difference between FIB and RIB.
# Prefixes longer than /24 need the group's max_prefix_len where vbrd's
# route filter has it (it refuses them by default).
. "$(dirname "$0")/bgp_lib.sh"

MAX_NH=16
N25=70
W25=20

hugepages_setup

# The config, with max_prefix_len: 25 if this vbrd knows the option.
fibref_config() {
	local extra=$1
	cat >"$WORK/vbr.yaml" <<YAML
vbr:
  name: e2e-fibref-$E2E_ID
  local_asn: 45104
ports:
  idc: { device: net_tap0, address: 10.0.0.1/24 }
  vpc: { device: net_tap1, address: 172.16.0.1/30 }
fib: { max_routes: 65536, max_tbl8: 64, max_nexthops: $MAX_NH }
bgp:
  groups:
    - { name: idc, peer_asn: 65001, max_prefixes: 1000, hold_time: 9, connect_retry: 2,
        error_wait_min: 1, error_wait_max: 2$extra }
  peers:
    - { group: idc, address: 10.0.0.2 }
  networks: [ 172.20.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
}
fibref_config ", max_prefix_len: 25"
if ! "$VBRD" -- -c "$WORK/vbr.yaml" --check >/dev/null 2>&1; then
	fibref_config ""
fi

start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
ip -n "$NS_IDC" addr del 10.0.0.2/30 dev "$TAP_IDC"
ip -n "$NS_IDC" addr add 10.0.0.2/24 dev "$TAP_IDC"
ip -n "$NS_IDC" route replace default via 10.0.0.1

# BIRD announces what $WORK/b1/routes.conf says; birdc configure re-reads it.
d=$WORK/b1
mkdir -p "$d"
cat >"$d/bird.conf" <<CONF
router id 10.0.0.2;
log "$d/bird.log" all;
protocol device { }
include "$d/routes.conf";
protocol bgp vbr {
  local 10.0.0.2 as 65001;
  neighbor 10.0.0.1 as 45104;
  hold time 9;
  connect retry time 2;
  connect delay time 1;
  error wait time 1, 5;
  ipv4 { import none; export where source = RTS_STATIC; };
}
CONF
# routes LINE...: the static routes BIRD announces ("prefix blackhole" or
# "prefix via gateway": a gateway on the shared subnet is the NEXT_HOP).
routes() {
	{
		echo "protocol static st { ipv4;"
		for r in "$@"; do echo "  route $r;"; done
		echo "}"
	} >"$d/routes.conf.new"
	mv "$d/routes.conf.new" "$d/routes.conf"
}
bird_configure() { birdc_ b1 configure >"$WORK/birdc.out" 2>&1 || cat "$WORK/birdc.out"; }

# tel CMD FIELD: one field of a telemetry reply.
tel() {
	vbr_tel "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'].get('$2', 'none'))"
}
# fib_count PREFIX_START: FIB routes whose prefix starts so ("20.100.").
fib_count() {
	vbr_tel /vbr/fib | python3 -c "
import json, sys
print(sum(1 for e in json.load(sys.stdin)['/vbr/fib']['entries'] if e.startswith('$1')))"
}
# fib_in PREFIX_START: those routes' prefixes, one per line.
fib_in() {
	vbr_tel /vbr/fib | python3 -c "
import json, sys
for e in json.load(sys.stdin)['/vbr/fib']['entries']:
    if e.startswith('$1'):
        print(e.split()[0])"
}
rib_count() {
	vbr_tel /vbr/rib | python3 -c "
import json, sys
print(sum(1 for e in json.load(sys.stdin)['/vbr/rib']['routes'] if e.startswith('$1')))"
}
# settled: no route op waits for the FIB's answer.
settled() { [ "$(tel /vbr/fib_check fib_pending)" = 0 ] && [ "$(tel /vbr/fib_check in_flight)" = 0 ]; }
# check_ok NOT_IN_FIB: /vbr/fib_check finds no difference, nothing in
# flight (a retry is, now and then), and NOT_IN_FIB best routes refused.
check_ok() {
	vbr_tel /vbr/fib_check >"$WORK/check.json"
	python3 -c "
import json, sys
c = json.load(open('$WORK/check.json'))['/vbr/fib_check']
sys.exit(0 if c.get('complete') == 1 and c['differences'] == 0 and c['in_flight'] == 0 and
         c['not_in_fib'] == $1 else 1)"
}
# check_clean WHAT NOT_IN_FIB: check_ok within 10 s.
check_clean() {
	local what=$1 want=$2 out
	if wait_for 10 check_ok "$want"; then
		out=$(cat "$WORK/check.json")
		pass "$what: FIB == RIB checked ($(echo "$out" | python3 -c "
import json, sys
c = json.load(sys.stdin)['/vbr/fib_check']
print('%d prefixes, %d differences, %d not in the FIB, %d adjacencies, %d ms' % (
    c['checked'], c['differences'], c['not_in_fib'], c['adjacencies'], c['ms']))"))"
	else
		fail "$what: /vbr/fib_check (want no difference, $want not in the FIB): $(cat "$WORK/check.json")"
	fi
}

# --- 1. more /25s than tbl8 groups -----------------------------------------
r25=()
for i in $(seq 0 $((N25 - 1))); do r25+=("20.100.$i.0/25 blackhole"); done
routes "${r25[@]}"
ip netns exec "$NS_IDC" timeout 600 bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" \
	>"$d/stdout" 2>&1 &
PIDS+=($!)
wait_for 10 test -S "$d/bird.ctl"
if wait_for 60 peer_established 10.0.0.2; then
	pass "BIRD's session is Established"
else
	fail "no session: $(peer_field 10.0.0.2 state) $(peer_field 10.0.0.2 last_error)"
	finish
fi
rib25() { [ "$(rib_count 20.100.)" = "$N25" ]; }
if wait_for 30 rib25 && wait_for 30 settled; then
	in25=$(fib_count 20.100.)
	pass "the RIB holds all $N25 /25s as best; the FIB $in25 of them"
else
	fail "the RIB holds $(rib_count 20.100.) of the $N25 /25s (the filter refused them?)"
	finish
fi
refused=$((N25 - in25))
if [ "$refused" -gt 0 ] && [ "$(tel /vbr/rib not_in_fib)" = "$refused" ] &&
	[ "$(tel /vbr/rib fib_refused)" = "$refused" ]; then
	pass "/vbr/rib: not_in_fib $refused, fib_refused $refused (tbl8 groups: $(tel /vbr/fib refused_table) refusals)"
else
	fail "/vbr/rib: not_in_fib $(tel /vbr/rib not_in_fib), fib_refused $(tel /vbr/rib fib_refused), want $refused"
fi
check_clean "/25s over the tbl8 groups" "$refused"
grep -q "prefix(es) not in the FIB: refused" "$WORK/vbrd.log" &&
	pass "vbrd's log says so: $(grep -m1 -o "[0-9]* prefix(es) not in the FIB: refused.*" "$WORK/vbrd.log")" ||
	fail "no log line about the refused prefixes"

# 20 of those in leave: room for the refused ones.
mapfile -t gone < <(fib_in 20.100. | head -n $W25)
keep=()
for i in $(seq 0 $((N25 - 1))); do
	p=20.100.$i.0/25
	case " ${gone[*]} " in *" $p "*) ;; *) keep+=("$p blackhole") ;; esac
done
routes "${keep[@]}"
bird_configure
left=$((N25 - W25))
all25() { [ "$(fib_count 20.100.)" = "$left" ] && [ "$(rib_count 20.100.)" = "$left" ]; }
if wait_for 30 all25 && wait_for 30 settled; then
	pass "$W25 withdrawn: all $left /25s left are in the FIB (the $refused refused got in: $(tel /vbr/rib fib_recovered) recovered)"
else
	fail "$W25 withdrawn: $(fib_count 20.100.)/$left /25s in the FIB, $(rib_count 20.100.) in the RIB"
fi
check_clean "after the withdrawals" 0

# --- 2. the next-hop table full --------------------------------------------
routes
bird_configure
none25() { [ "$(fib_count 20.100.)" = 0 ] && settled; }
wait_for 30 none25 || fail "the /25s did not leave: $(fib_count 20.100.) in the FIB"
# What the FIB's next hops leave free, given connected, local, neighbours.
used=$(tel /vbr/fib nexthops)
free=$((MAX_NH - 1 - used))
log "$used next-hop ids in use, $free free of $((MAX_NH - 1))"
if [ "$free" -lt 4 ]; then
	fail "only $free next-hop ids free: cannot test"
	finish
fi
nh=()
for i in $(seq 0 $((free - 1))); do nh+=("20.200.$i.0/24 via 10.0.0.$((100 + i))"); done
routes "${nh[@]}"
bird_configure
allnh() { [ "$(fib_count 20.200.)" = "$free" ] && settled; }
if wait_for 30 allnh; then
	pass "$free /24s via $free next hops fill the next-hop table"
else
	fail "$(fib_count 20.200.)/$free /24s in the FIB"
fi

# 2a. 20.200.0.0/24 moves from 10.0.0.100 to 10.0.0.200: no id is free, and
# the old next hop is no path of the prefix any more.
nh[0]="20.200.0.0/24 via 10.0.0.200"
routes "${nh[@]}"
bird_configure
moved() { fib_has 20.200.0.1 10.0.0.200 && settled; }
if wait_for 30 moved; then
	pass "20.200.0.0/24 moved to 10.0.0.200 in the FIB too ($(tel /vbr/fib refused_nexthops) refused for want of ids on the way)"
else
	fail "20.200.0.0/24: the RIB says '$(rib_entry 20.200.0.0/24)', the FIB '$(fib_lookup 20.200.0.1)'"
fi
check_clean "next hop moved in a full table" 0

# 2b. 3 more prefixes via 3 new next hops: refused, then room.
for i in 1 2 3; do nh+=("20.201.$i.0/24 via 10.0.0.$((200 + i))"); done
routes "${nh[@]}"
bird_configure
refused3() { [ "$(rib_count 20.201.)" = 3 ] && settled && [ "$(tel /vbr/rib not_in_fib)" = 3 ]; }
if wait_for 30 refused3; then
	pass "3 prefixes via new next hops: in the RIB, not in the FIB (not_in_fib 3)"
else
	fail "want 3 not in the FIB: not_in_fib $(tel /vbr/rib not_in_fib), $(fib_count 20.201.) in the FIB"
fi
check_clean "3 refused for want of next-hop ids" 3
routes "${nh[0]}" "${nh[@]:4}"
bird_configure
in3() { [ "$(fib_count 20.201.)" = 3 ] && settled; }
if wait_for 30 in3; then
	pass "3 of the others withdrawn: the 3 refused got in"
else
	fail "$(fib_count 20.201.)/3 in the FIB after room was made"
fi
check_clean "at the end" 0
[ "$(tel /vbr/fib grace_stalls)" = 0 ] && pass "no FIB grace stall" ||
	fail "grace_stalls $(tel /vbr/fib grace_stalls)"
log "FIB refusal lines in the log: $(grep -c 'fib: .* refused' "$WORK/vbrd.log"), " \
	"control lines: $(grep -c 'not in the FIB' "$WORK/vbrd.log")"
finish
