#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad console requests to a running vbrd (issue 7) get their error and change
# nothing: each is refused (vbrctl exits non-zero, the cause in its message
# on stderr; a raw request gets {"ok": false, "error": ...}), and `vbrctl
# show config --json` and the config file on disk are the same before and
# after. Then the control thread under load: two vbrctl clients at once, and
# clients that connect and say nothing (or half a request), while a BGP
# session with BIRD stays up and other commands still answer at once.
. "$(dirname "$0")/vbrctl_lib.sh"

KEY=e2e-Bad-$E2E_ID

if [ ! -x "$VBRCTL" ]; then
	fail "no vbrctl at $VBRCTL"
	finish
fi

hugepages_setup
# An IDC /28: room on the subnet for nine peers (vbr.max_peers is 8).
cat >"$WORK/vbr.yaml" <<YAML
vbr:
  name: vbrctl-bad-$E2E_ID
  local_asn: 45104
ports:
  idc: { device: net_tap0, address: 10.0.0.1/28 }
  vpc: { device: net_tap1, address: 172.16.0.1/30 }
fib: { max_routes: 65536, max_tbl8: 1024 }
bgp:
  groups:
    - { name: g1, peer_asn: 65001, key: "$KEY", hold_time: 9, connect_retry: 2 }
  peers:
    - { group: g1, address: 10.0.0.2 }
  networks: [ 172.20.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
ip -n "$NS_IDC" addr del 10.0.0.2/30 dev "$TAP_IDC"
ip -n "$NS_IDC" addr add 10.0.0.2/28 dev "$TAP_IDC"
ip -n "$NS_IDC" route replace default via 10.0.0.1
write_bird_conf b1 "vbr:10.0.0.2:65001:$KEY"
run_bird b1 || { fail "BIRD did not start"; finish; }
if wait_for 60 vbr_established 10.0.0.2 && wait_for 10 bird_proto_established b1 vbr; then
	pass "peer 10.0.0.2 Established (vbrd and BIRD)"
else
	fail "peer 10.0.0.2 not Established: $(vbr_peer 10.0.0.2 state) $(vbr_peer 10.0.0.2 last_error)"
	finish
fi
EST0=$(vbr_est_count 10.0.0.2)
SINCE0=$(bird_since b1 vbr)

# unchanged DESC: show config and the file are as in $WORK/c.before and
# $WORK/f.before (taken by before).
before() {
	config_snapshot "$WORK/c.before" || fail "show config --json"
	cp "$WORK/vbr.yaml" "$WORK/f.before"
}
unchanged() {
	local ok=0
	config_snapshot "$WORK/c.after" || { fail "$1: show config --json after"; ok=1; }
	same_json "$WORK/c.before" "$WORK/c.after" || { fail "$1: show config changed"; ok=1; }
	cmp -s "$WORK/f.before" "$WORK/vbr.yaml" || { fail "$1: the config file changed"; ok=1; }
	return $ok
}

# bad_on SOCKET DESC ERE ARGS...: vbrctl ARGS refused, its message matching
# ERE; nothing changed.
bad_on() {
	local s=$1 desc=$2 ere=$3
	shift 3
	before
	if refused "$s" "$ere" "$@"; then
		unchanged "$desc" && pass "$desc: refused, nothing changed: $(head -c 300 "$WORK/ctl.err")"
	else
		fail "$desc: not refused as it should be"
		unchanged "$desc"
	fi
}
bad() { bad_on "$SOCK" "$@"; }

# raw_bad SOCKET DESC ERE DATA|--size N...: a raw request answered by one
# status line {"ok": false, "error": E}, E matching ERE; nothing changed.
raw_bad() {
	local s=$1 desc=$2 ere=$3 err
	shift 3
	before
	"${TOOL[@]}" send "$s" --timeout 5 "$@" >"$WORK/raw.out" 2>"$WORK/raw.err"
	err=$(tail -n 1 "$WORK/raw.out" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
sys.exit(1) if r.get("ok") is not False else print(r.get("error", ""))' 2>/dev/null)
	if [ $? -eq 0 ] && grep -Eiq -- "$ere" <<<"$err"; then
		unchanged "$desc" && pass "$desc: {\"ok\": false, \"error\": \"$err\"}, nothing changed ($(cat "$WORK/raw.err"))"
	else
		fail "$desc: answer $(head -c 300 "$WORK/raw.out") ($(cat "$WORK/raw.err")), want an error matching /$ere/"
		unchanged "$desc"
	fi
}

# The read-only socket shows what the read-write one does.
if ctl_on "$RO_SOCK" show config --json | "${TOOL[@]}" records >"$WORK/c.ro" &&
	config_snapshot "$WORK/c.rw" && same_json "$WORK/c.rw" "$WORK/c.ro"; then
	pass "read-only socket: show config answers, the same as on the read-write one"
else
	fail "read-only socket: show config"
fi

# Unknown names.
bad "unknown group (peer create)" 'g9' bgp-peer create --group g9 --address 10.0.0.4
bad "unknown group (modify)" 'g9' bgp-group modify --name g9 --description x
bad "unknown group (delete)" 'g9' bgp-group delete --name g9
bad "unknown peer (delete)" '10\.0\.0\.9' bgp-peer delete --address 10.0.0.9
bad "unknown network (delete)" '10\.77\.0\.0/16' bgp-network delete --cidr 10.77.0.0/16
bad "unknown route (delete)" '10\.77\.0\.0/16' route delete --prefix 10.77.0.0/16

# A ninth peer: eight are allowed (vbr.max_peers), the ninth refused.
for a in 3 4 5 6 7 8 9; do
	ack bgp-peer create --group g1 --address 10.0.0.$a
done
[ "$(ctl show peers --json | "${TOOL[@]}" records | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 8 ] &&
	pass "8 peers created" || fail "show peers: not 8 peers"
bad "a ninth peer" '8 peers|max_peers|at most|maximum|limit' bgp-peer create --group g1 --address 10.0.0.10
for a in 3 4 5 6 7 8 9; do
	ack bgp-peer delete --address 10.0.0.$a
done

# Peers the rules refuse.
bad "peer off the IDC subnet" 'subnet' bgp-peer create --group g1 --address 10.9.9.9
bad "peer on the subnet's broadcast address" 'broadcast' bgp-peer create --group g1 --address 10.0.0.15
bad "peer at our own address" '10\.0\.0\.1\b' bgp-peer create --group g1 --address 10.0.0.1
bad "duplicate peer" 'duplicate|already|exists' bgp-peer create --group g1 --address 10.0.0.2
bad "iBGP group (peer_asn = local_asn)" 'eBGP|iBGP|own ASN|local_asn' \
	bgp-group create --name ibgp --peer-asn 45104
bad "group turned iBGP" 'eBGP|iBGP|own ASN|local_asn' bgp-group modify --name g1 --peer-asn 45104
bad "duplicate group" 'duplicate|already|exists' bgp-group create --name g1 --peer-asn 65009
bad "group with peers deleted" 'peer' bgp-group delete --name g1

# Malformed CIDR blocks and routes.
bad "CIDR block /33" '/33|length|prefix|cidr' bgp-network add --cidr 172.20.0.0/33
bad "CIDR block not an address" 'banana|prefix|cidr|address' bgp-network add --cidr banana/16
bad "CIDR block with host bits" 'host|172\.20\.1\.0/16' bgp-network add --cidr 172.20.1.0/16
bad "route prefix with host bits" 'host|10\.1\.2\.3/8' route add --prefix 10.1.2.3/8 --next-hop 172.16.0.2
bad "route next hop on no port" 'port|subnet' route add --prefix 10.99.0.0/16 --next-hop 192.0.2.1
bad "route next hop not an address" 'next.hop|address|172\.16\.0\.300' \
	route add --prefix 10.99.0.0/16 --next-hop 172.16.0.300

# The read-only socket asked to change something.
bad_on "$RO_SOCK" "read-only socket: bgp-network add" 'read-only|read only|not allowed|permi' \
	bgp-network add --cidr 10.50.0.0/16
bad_on "$RO_SOCK" "read-only socket: bgp-group delete" 'read-only|read only|not allowed|permi' \
	bgp-group delete --name g1
raw_bad "$RO_SOCK" "read-only socket: raw route.add" 'read-only|read only|not allowed|permi' \
	'{"op": "route.add", "args": {"prefix": "10.50.0.0/16", "next_hop": "172.16.0.2"}}'

# Malformed requests on the socket itself.
raw_bad "$SOCK" "malformed JSON" 'json|parse|invalid|malformed|syntax' \
	'{"op": "bgp-network.add", "args": {"cidr": "10.50.0.0/16"'
raw_bad "$SOCK" "not JSON at all" 'json|parse|invalid|malformed|syntax' 'bgp-network add 10.50.0.0/16'
raw_bad "$SOCK" "a JSON array" 'object|json|invalid|malformed' '["bgp-network.add", "10.50.0.0/16"]'
raw_bad "$SOCK" "unknown op" 'op|unknown|bogus' '{"op": "bgp-network.bogus", "args": {"cidr": "10.50.0.0/16"}}'
raw_bad "$SOCK" "cidr of the wrong type" 'cidr|string|type|invalid' '{"op": "bgp-network.add", "args": {"cidr": 167903232}}'
raw_bad "$SOCK" "unknown argument" 'colour|unknown|argument|key' \
	'{"op": "bgp-network.add", "args": {"cidr": "10.50.0.0/16", "colour": "red"}}'
# The size limit: 65536 bytes with the newline is a request, one more is not.
before
if "${TOOL[@]}" send "$SOCK" --size 65536 >"$WORK/raw.out" 2>"$WORK/raw.err" &&
	tail -n 1 "$WORK/raw.out" | grep -q '"ok": *true'; then
	pass "a request of exactly 65536 bytes (blanks, newline included) is answered ($(cat "$WORK/raw.err"))"
else
	fail "a 65536-byte request: $(head -c 300 "$WORK/raw.out") $(cat "$WORK/raw.err")"
fi
raw_bad "$SOCK" "a request of 65537 bytes" 'long|large|size|65536|limit|exceed' --size 65537
raw_bad "$SOCK" "a request of 200000 bytes" 'long|large|size|65536|limit|exceed' --size 200000
raw_bad "$SOCK" "70000 bytes and no newline" 'long|large|size|65536|limit|exceed' --size 70000 --no-newline

# The session lived through it all.
if [ "$(vbr_est_count 10.0.0.2)" = "$EST0" ] && same_since "$(bird_since b1 vbr)" "$SINCE0"; then
	pass "BGP session unbroken through the bad requests"
else
	fail "BGP session reset: count $EST0 -> $(vbr_est_count 10.0.0.2), BIRD $SINCE0 -> $(bird_since b1 vbr)"
fi

# Two vbrctl clients at once, 20 rounds each of show / add / delete.
# client_loop NAME NET: its failures counted in $WORK/NAME.fails.
client_loop() {
	local i f=0
	for i in $(seq 1 20); do
		ctl show peers --json >/dev/null 2>>"$WORK/$1.err" || f=$((f + 1))
		ctl bgp-network add --cidr "$2.$i.0/24" >/dev/null 2>>"$WORK/$1.err" || f=$((f + 1))
		ctl bgp-network delete --cidr "$2.$i.0/24" >/dev/null 2>>"$WORK/$1.err" || f=$((f + 1))
	done
	echo "$f" >"$WORK/$1.fails"
}
before
t0=$(date +%s%N)
client_loop A 10.101 &
pa=$!
client_loop B 10.102 &
pb=$!
wait "$pa" "$pb"
t1=$(date +%s%N)
fa=$(cat "$WORK/A.fails" 2>/dev/null || echo "?")
fb=$(cat "$WORK/B.fails" 2>/dev/null || echo "?")
if [ "$fa" = 0 ] && [ "$fb" = 0 ]; then
	pass "two clients at once: 2 x 60 commands all succeeded in $(( (t1 - t0) / 1000000 )) ms"
else
	fail "two clients at once: failures $fa and $fb: $(cat "$WORK/A.err" "$WORK/B.err" 2>/dev/null | sort | uniq -c | head)"
fi
unchanged "two clients at once (every network added was deleted)" &&
	pass "two clients at once: the config is as before"

# Clients that connect and say nothing, or half a request, on both sockets
# (connecting again whenever vbrd closes them), for longer than the hold
# time (9 s): other commands answer at once and the session stays. Each
# command is bounded by 5 s, half of vbrd's wait for a silent client's
# request (10 s): a control thread waiting on one would show.
holders=()
for h in "$SOCK:" "$SOCK:{\"op\": \"show.pe" "$RO_SOCK:"; do
	n=${#holders[@]}
	"${TOOL[@]}" hold "${h%%:*}" 14 "${h#*:}" >"$WORK/hold$n.out" 2>&1 &
	PIDS+=($!)
	holders+=($!)
done
for n in 0 1 2; do
	wait_for 5 grep -q connected "$WORK/hold$n.out" || fail "silent client $n did not connect: $(cat "$WORK/hold$n.out")"
done
est=$(vbr_est_count 10.0.0.2)
since=$(bird_since b1 vbr)
msgs=$(vbr_peer 10.0.0.2 msgs_in)
end=$((SECONDS + 12))
: >"$WORK/silent.ms"
n=0 slow=0
while [ "$SECONDS" -lt "$end" ]; do
	for c in "show peers --json" "bgp-network add --cidr 10.103.0.0/24" "bgp-network delete --cidr 10.103.0.0/24"; do
		t0=$(date +%s%N)
		# shellcheck disable=SC2086
		if ! timeout 5 "$VBRCTL" -s "$SOCK" $c >/dev/null 2>"$WORK/ctl.err"; then
			slow=$((slow + 1))
			log "with silent clients: vbrctl $c failed or took over 5 s: $(cat "$WORK/ctl.err")"
		fi
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000000 )) >>"$WORK/silent.ms"
		n=$((n + 1))
	done
done
if [ "$slow" -eq 0 ]; then
	pass "with 3 silent clients: every command answered, min/median/max $("${TOOL[@]}" stats <"$WORK/silent.ms")"
else
	fail "with 3 silent clients: $slow of $n commands failed or were not answered within 5 s"
fi
if [ "$(vbr_est_count 10.0.0.2)" = "$est" ] && same_since "$(bird_since b1 vbr)" "$since" &&
	vbr_established 10.0.0.2 && [ "$(vbr_peer 10.0.0.2 msgs_in)" -gt "$msgs" ]; then
	pass "with silent clients: BGP stayed Established 12 s and kept exchanging messages (msgs_in $msgs -> $(vbr_peer 10.0.0.2 msgs_in))"
else
	fail "with silent clients: BGP count $est -> $(vbr_est_count 10.0.0.2), BIRD $since -> $(bird_since b1 vbr), state $(vbr_peer 10.0.0.2 state)"
fi
for n in 0 1 2; do
	timeout 10 tail --pid="${holders[$n]}" -f /dev/null
	log "silent client $n: $(tail -n 1 "$WORK/hold$n.out")"
done
ctl show networks --json | "${TOOL[@]}" get cidr=10.103.0.0/24 cidr >/dev/null &&
	fail "10.103.0.0/24 left behind"

# Every client slot of the read-write socket taken by a silent client: what
# the next client hears, and how soon (for the report: not a rule of the
# issue); the read-only socket still answers.
fillers=()
for i in $(seq 1 16); do
	"${TOOL[@]}" hold "$SOCK" 6 >"$WORK/fill$i.out" 2>&1 &
	PIDS+=($!)
	fillers+=($!)
done
for i in $(seq 1 16); do
	wait_for 5 grep -q connected "$WORK/fill$i.out"
done
t0=$(date +%s%N)
timeout 5 "$VBRCTL" -s "$SOCK" show peers >/dev/null 2>"$WORK/ctl.err"
rc=$?
log "with 16 silent clients on the read-write socket: vbrctl show peers exit $rc in $(( ($(date +%s%N) - t0) / 1000000 )) ms: $(cat "$WORK/ctl.err")"
ctl_on "$RO_SOCK" show peers >/dev/null && pass "with the read-write socket full: the read-only socket answers" ||
	fail "with the read-write socket full: the read-only socket does not answer"
for p in "${fillers[@]}"; do
	timeout 10 tail --pid="$p" -f /dev/null
done
vbr_established 10.0.0.2 && [ "$(vbr_est_count 10.0.0.2)" = "$est" ] &&
	pass "BGP session unbroken to the end (established_count $est)" ||
	fail "BGP session: $(vbr_peer 10.0.0.2 state), established_count $est -> $(vbr_est_count 10.0.0.2)"
finish
