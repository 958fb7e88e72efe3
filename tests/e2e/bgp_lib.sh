# SPDX-License-Identifier: BSD-3-Clause
# BGP peers for the end-to-end tests, each a real daemon from Debian running
# in the IDC namespace (LAB.md): BIRD 2, GoBGP, ExaBGP, FRR, OpenBGPD. Each keeps its
# config, sockets and logs in $WORK; each is stopped by its pid.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# bgp_config_head NAME: the vbr, ports and fib sections the BGP tests share
# (the IDC port a /29, for several peers).
bgp_config_head() {
	cat <<YAML
vbr:
  name: $1-$E2E_ID
  local_asn: 45104
ports:
  idc: { device: net_tap0, address: 10.0.0.1/29 }
  vpc: { device: net_tap1, address: 172.16.0.1/30 }
fib: { max_routes: 65536, max_tbl8: 1024 }
YAML
}

# BGP_GROUP_EXTRA: more keys for the group (", bfd: {...}").
# bgp_config FILE PEER_ASN KEY [ACTION] [MAX]: vbrd's config with one BGP
# group and peers 10.0.0.2, .3 and .4 on a /29 IDC subnet (.5 is a host that
# is no peer); 172.20.0.0/16
# stays a static route toward the VPC and is our BGP CIDR block.
bgp_config() {
	local file=$1 asn=$2 key=$3 action=${4:-drop} max=${5:-100}
	{
	bgp_config_head e2e-bgp
	cat <<YAML
bgp:
  groups:
    - { name: idc-core, peer_asn: $asn, key: "$key", description: "e2e IDC routers",
        max_prefixes: $max, max_prefixes_action: $action, max_prefixes_restart: 5,
        hold_time: 9, connect_retry: 2, error_wait_min: 1, error_wait_max: 2${BGP_GROUP_EXTRA:-} }
  peers:
$(for a in ${BGP_PEERS:-10.0.0.2 10.0.0.3 10.0.0.4}; do echo "    - { group: idc-core, address: $a }"; done)
  networks: [ 172.20.0.0/16 ]
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
	} >"$file"
}

# After start_vbrd: the IDC side gets a /29 and a second address for a
# second peer; no static route toward the IDC hosts (BGP brings it).
bgp_topology() {
	ip -n "$NS_IDC" addr del 10.0.0.2/30 dev "$TAP_IDC"
	ip -n "$NS_IDC" addr add 10.0.0.2/29 dev "$TAP_IDC"
	ip -n "$NS_IDC" addr add 10.0.0.3/29 dev "$TAP_IDC"
	ip -n "$NS_IDC" addr add 10.0.0.4/29 dev "$TAP_IDC"
	ip -n "$NS_IDC" addr add 10.0.0.5/29 dev "$TAP_IDC"
	ip -n "$NS_IDC" route replace default via 10.0.0.1
}

# start_bird NAME LOCAL_ADDR ASN KEY STATIC_ROUTES...: routes are
# "prefix" lines (announced from protocol static st1); an empty key: no MD5.
# BIRD_EXPORT: the export clause (default: the static routes, as they are);
# BIRD_BGP_EXTRA: more lines for its protocol bgp; BIRD_EXTRA: more
# top-level lines (another protocol); BIRD_NS: its namespace (default the
# IDC's); BIRD_HOLD: its hold time (default 9).
start_bird() {
	local name=$1 addr=$2 asn=$3 key=$4
	shift 4
	local d=$WORK/$name pw="" ns=${BIRD_NS:-$NS_IDC}
	mkdir -p "$d"
	[ -n "$key" ] && pw="password \"$key\";"
	{
		echo "router id $addr;"
		echo "log \"$d/bird.log\" all;"
		echo "protocol device { }"
		echo "protocol static st1 { ipv4;"
		for r in "$@"; do echo "  route $r blackhole;"; done
		echo "}"
		echo "protocol static st2 { disabled; ipv4; route 192.168.2.0/24 blackhole; }"
		echo "${BIRD_EXTRA:-}"
		cat <<CONF
protocol bgp vbr {
  local $addr as $asn;
  neighbor 10.0.0.1 as 45104;
  $pw
  strict bind yes;
  hold time ${BIRD_HOLD:-9};
  connect retry time 2;
  connect delay time 1;
  error wait time 1, 5;
  ${BIRD_BGP_EXTRA:-}
  ipv4 { import all; export ${BIRD_EXPORT:-where source = RTS_STATIC}; };
}
CONF
	} >"$d/bird.conf"
	ip netns exec "$ns" timeout 900 bird -f -c "$d/bird.conf" -s "$d/bird.ctl" \
		-P "$d/bird.pid" >"$d/stdout" 2>&1 &
	PIDS+=($!)
	eval "BIRD_PID_$name=$!"
	wait_for 10 test -S "$d/bird.ctl"
}

birdc_() { local name=$1; shift; ip netns exec "$NS_IDC" birdc -s "$WORK/$name/bird.ctl" "$@"; }

bird_established() { birdc_ "$1" show protocols vbr | grep -q Established; }

# vbrd's view of a peer: a field of /vbr/bgp.
peer_field() {
	vbr_tel /vbr/bgp | python3 -c "
import json, sys
peers = json.load(sys.stdin)['/vbr/bgp'].values()
print([p for p in peers if p['address'] == '$1'][0]['$2'])"
}
peer_established() { [ "$(peer_field "$1" state)" = Established ]; }

# fib_lookup ADDR: the route a packet to ADDR takes in vbrd's FIB.
fib_lookup() {
	vbr_tel "/vbr/fib,$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/fib']['lookup'])"
}
fib_routes() {
	vbr_tel /vbr/fib | python3 -c "import json,sys; print(json.load(sys.stdin)['/vbr/fib']['routes'])"
}
fib_has() { fib_lookup "$1" | grep -q "^via $2 "; }
fib_lacks() { ! fib_lookup "$1" | grep -q "^via "; }
# rib_entry PREFIX/LEN: vbrd's best route for it in /vbr/rib, e.g.
# "10.210.0.0/16 bgp via 10.0.0.2 peer 0 as_path 65001 4200000009".
rib_entry() {
	vbr_tel /vbr/rib | python3 -c "
import json, sys
for r in json.load(sys.stdin)['/vbr/rib']['routes']:
    if r.startswith('$1 '):
        print(r)"
}

# fib_lacks_all ADDR...: none of ADDR has a route (for wait_for).
fib_lacks_all() {
	local a
	for a in "$@"; do fib_lacks "$a" || return 1; done
}

# fib_has_all GATEWAY ADDR...: every ADDR is routed via GATEWAY (for
# wait_for: routes may come in UPDATEs of their own).
fib_has_all() {
	local gw=$1 a
	shift
	for a in "$@"; do fib_has "$a" "$gw" || return 1; done
}

# start_gobgp NAME LOCAL_ADDR ASN KEY: gobgpd in the IDC namespace, its API on
# the namespace's loopback; routes are added with gobgp_ NAME global rib add.
start_gobgp() {
	local name=$1 addr=$2 asn=$3 key=$4
	local d=$WORK/$name pw=""
	mkdir -p "$d"
	[ -n "$key" ] && pw="auth-password = \"$key\""
	cat >"$d/gobgpd.toml" <<CONF
[global.config]
  as = $asn
  router-id = "$addr"
  local-address-list = ["$addr"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.1"
    peer-as = 45104
    $pw
  [neighbors.transport.config]
    local-address = "$addr"
  [neighbors.timers.config]
    connect-retry = 2
    hold-time = 9
    keepalive-interval = 3
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
CONF
	eval "GOBGP_PORT_$name=$((50051 + ${#PIDS[@]}))"
	local port
	eval "port=\$GOBGP_PORT_$name"
	ip netns exec "$NS_IDC" timeout 600 gobgpd -f "$d/gobgpd.toml" --api-hosts "127.0.0.1:$port" \
		--pprof-disable -p >"$d/gobgpd.log" 2>&1 &
	PIDS+=($!)
	eval "GOBGP_PID_$name=$!"
	wait_for 10 gobgp_ "$name" global
}

gobgp_() {
	local name=$1 port
	shift
	eval "port=\$GOBGP_PORT_$name"
	ip netns exec "$NS_IDC" gobgp -u 127.0.0.1 -p "$port" "$@"
}

gobgp_established() {
	gobgp_ "$1" neighbor 10.0.0.1 -j | python3 -c \
		"import json,sys; n=json.load(sys.stdin); sys.exit(0 if n['state']['session_state']==6 else 1)"
}

# peer_gt ADDR FIELD N: vbrd's FIELD for the peer is above N (for wait_for,
# which must re-read it on every try).
peer_gt() { [ "$(peer_field "$1" "$2")" -gt "$3" ]; }

# start_frr NAME LOCAL_ADDR ASN KEY NETWORKS...: FRR's bgpd alone (no zebra:
# -Z), bound to LOCAL_ADDR only (-l), its vty socket in $WORK/NAME (vtysh
# with frr_ NAME). NETWORKS are announced with "network" (import-check off,
# as there is no zebra to say whether a route exists); more are added and
# withdrawn with frr_net NAME add|del PREFIX. An empty key: no MD5.
start_frr() {
	local name=$1 addr=$2 asn=$3 key=$4
	shift 4
	local d=$WORK/$name pw="" n
	mkdir -p "$d"
	[ -n "$key" ] && pw=" neighbor 10.0.0.1 password $key"
	{
		cat <<CONF
frr defaults traditional
hostname $name
log file $d/bgpd.log debugging
log timestamp precision 3
debug bgp neighbor-events
!
router bgp $asn
 bgp router-id $addr
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp log-neighbor-changes
 timers bgp 3 9
 neighbor 10.0.0.1 remote-as 45104
 neighbor 10.0.0.1 update-source $addr
 neighbor 10.0.0.1 timers connect 2
$pw
 address-family ipv4 unicast
CONF
		for n in "$@"; do echo "  network $n"; done
		echo " exit-address-family"
		echo "!"
	} >"$d/frr.conf"
	eval "FRR_ASN_$name=$asn"
	ip netns exec "$NS_IDC" timeout 600 /usr/lib/frr/bgpd -Z -S -l "$addr" \
		-f "$d/frr.conf" -i "$d/bgpd.pid" --vty_socket "$d" -A 127.0.0.1 -P 0 \
		>"$d/stdout" 2>&1 &
	PIDS+=($!)
	eval "FRR_PID_$name=$!"
	wait_for 10 frr_ "$name" -c "show bgp summary json"
}

# frr_ NAME ARGS...: vtysh on that bgpd (e.g. frr_ f1 -c "show bgp summary").
frr_() {
	local name=$1
	shift
	ip netns exec "$NS_IDC" vtysh --vty_socket "$WORK/$name" -d bgpd "$@"
}

# frr_net NAME add|del PREFIX: announce or withdraw a network.
frr_net() {
	local name=$1 op=$2 p=$3 asn no=""
	eval "asn=\$FRR_ASN_$name"
	[ "$op" = del ] && no="no "
	frr_ "$name" -c "configure terminal" -c "router bgp $asn" \
		-c "address-family ipv4 unicast" -c "${no}network $p"
}

frr_established() {
	frr_ "$1" -c "show bgp neighbors 10.0.0.1 json" | python3 -c \
		"import json,sys; n=json.load(sys.stdin)['10.0.0.1']; sys.exit(0 if n['bgpState']=='Established' else 1)"
}

# start_openbgpd NAME LOCAL_ADDR ASN KEY NETWORKS...: OpenBGPD in the
# foreground (-d), listening on LOCAL_ADDR only, its control socket
# $WORK/NAME/bgpd.sock (bgpctl with bgpctl_ NAME), the kernel's table left
# alone (fib-update no). OpenBGPD denies every UPDATE unless a filter
# allows it: here everything is allowed both ways. More networks are added
# and withdrawn with bgpctl_ NAME network add|delete PREFIX.
# OPENBGPD_AS4=no: no 4-octet AS capability (a 2-byte-only speaker, RFC 6793).
start_openbgpd() {
	local name=$1 addr=$2 asn=$3 key=$4
	shift 4
	local d=$WORK/$name pw="" as4="" n
	mkdir -p "$d"
	[ -n "$key" ] && pw="tcp md5sig password $key"
	[ "${OPENBGPD_AS4:-yes}" = no ] && as4="announce as-4byte no"
	{
		cat <<CONF
AS $asn
router-id $addr
listen on $addr
socket "$d/bgpd.sock"
fib-update no
holdtime 9
connect-retry 2
CONF
		for n in "$@"; do echo "network $n"; done
		cat <<CONF
neighbor 10.0.0.1 {
	remote-as 45104
	local-address $addr
	descr "vbr"
	$pw
	$as4
}
allow from any
allow to any
CONF
	} >"$d/bgpd.conf"
	chmod 600 "$d/bgpd.conf"
	# Its session engine chroots into _openbgpd's home, which systemd
	# would create (RuntimeDirectory); it must exist to start by hand.
	mkdir -p /run/openbgpd
	ip netns exec "$NS_IDC" timeout 600 bgpd -d -v -f "$d/bgpd.conf" >"$d/bgpd.log" 2>&1 &
	PIDS+=($!)
	eval "OPENBGPD_PID_$name=$!"
	# bgpd has no pid file option: this is the pid the test stops it by.
	echo $! >"$d/bgpd.pid"
	wait_for 10 bgpctl_ "$name" show summary
}

# bgpctl_ NAME ARGS...: bgpctl on that bgpd's control socket.
bgpctl_() {
	local name=$1
	shift
	ip netns exec "$NS_IDC" bgpctl -s "$WORK/$name/bgpd.sock" "$@"
}

openbgpd_established() {
	bgpctl_ "$1" show neighbor 10.0.0.1 | grep -q "BGP state = Established"
}

# check_md5_on_wire KEY: the peer's TCP segments both ways carry valid
# TCP-MD5 signatures (RFC 2385), verified by tcpdump with the key.
check_md5_on_wire() {
	ip netns exec "$NS_IDC" timeout 12 tcpdump -i "$TAP_IDC" -n -v -M "$1" -c 4 \
		'tcp port 179 and host 10.0.0.2' >"$WORK/md5.txt" 2>/dev/null
	if grep -Eq '10\.0\.0\.1\.[0-9]+ > 10\.0\.0\.2\.[0-9]+:.*md5 valid' "$WORK/md5.txt" &&
		grep -Eq '10\.0\.0\.2\.[0-9]+ > 10\.0\.0\.1\.[0-9]+:.*md5 valid' "$WORK/md5.txt" &&
		! grep -q 'md5 invalid' "$WORK/md5.txt"; then
		pass "TCP-MD5: segments both ways carry valid signatures"
	else
		fail "TCP-MD5 signatures:"; cat "$WORK/md5.txt"
	fi
}

# check_traffic_over_bgp WHO: a VPC host reaches the IDC host 192.168.1.1
# over the route learned from WHO, and hears back.
check_traffic_over_bgp() {
	if wait_for 20 ip netns exec "$NS_VPC" ping -c 1 -W 1 -I 172.20.0.10 192.168.1.1 &&
		ip netns exec "$NS_VPC" ping -c 3 -i 0.2 -W 2 -I 172.20.0.10 192.168.1.1 >/dev/null; then
		pass "VPC host 172.20.0.10 reaches IDC host 192.168.1.1 over the route learned from $1 (and back)"
	else
		fail "no traffic over the route learned from $1"
	fi
}

# check_peer_stopped WHO PID ADDR...: WHO stops (SIGTERM to PID); every one
# of its routes (a destination in each: ADDR...) leaves vbrd's FIB, vbrd's
# session with 10.0.0.2 is down, and the static route toward the VPC stays.
check_peer_stopped() {
	local who=$1 pid=$2 a left=""
	shift 2
	kill -TERM "$pid"
	if wait_for 30 fib_lacks_all "$@"; then
		pass "$who stopped: all of its routes left vbrd's FIB"
	else
		for a in "$@"; do left="$left $a: $(fib_lookup "$a");"; done
		fail "routes left behind after $who stopped:$left"
	fi
	[ "$(peer_field 10.0.0.2 state)" != Established ] &&
		pass "vbrd: session down ($(peer_field 10.0.0.2 last_error))" || fail "vbrd still Established"
	fib_has 172.20.0.10 172.16.0.2 && pass "the static route stays" || fail "static route gone"
}
