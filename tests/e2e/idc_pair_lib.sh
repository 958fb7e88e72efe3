# SPDX-License-Identifier: BSD-3-Clause
# Two IDC routers behind vbrd's IDC port, for the failover and ECMP tests.
#
#   ns VPC: host 172.20.0.10 (the flows' sender)
#   ns VBR: vbrd, IDC port 10.0.0.1/29
#   ns IDC: a bridge (br0) holding the IDC tap's kernel side: the "switch"
#   ns R1:  veth on br0, 10.0.0.2/29, MAC 02:00:00:00:1d:11, 192.168.100.1/32 on lo
#   ns R2:  veth on br0, 10.0.0.3/29, MAC 02:00:00:00:1d:12, 192.168.100.1/32 on lo
#
# 192.168.100.1 is anycast: both routers own it, so a flow's packets reach
# whichever router vbrd sends them to, and the flow tool's receiver there
# says which. A router's link is cut (pair_cut) and restored (pair_restore)
# in its own namespace, vbrd's port never noticing: as a dead router or a
# cut circuit looks from the VBR.
#
# Use: pair_bgp_config or a config of the test's own (IDC port a /29),
# start_vbrd, pair_topology, then pair_start_bird r1 ... / r2 ..., and
# pair_flows_start / pair_flows_stop / pair_flows_report.
. "$(dirname "${BASH_SOURCE[0]}")/bgp_lib.sh"

PAIR_ROUTERS="r1 r2"
PAIR_NS_r1=vbr-r1-$E2E_ID
PAIR_NS_r2=vbr-r2-$E2E_ID
PAIR_ADDR_r1=10.0.0.2
PAIR_ADDR_r2=10.0.0.3
PAIR_MAC_r1=02:00:00:00:1d:11
PAIR_MAC_r2=02:00:00:00:1d:12
# Each router's end of its veth (in its namespace) and the bridge's end (ns IDC).
PAIR_IF_r1=r1$E2E_ID
PAIR_IF_r2=r2$E2E_ID
PAIR_BR_r1=b1$E2E_ID
PAIR_BR_r2=b2$E2E_ID
PAIR_ANYCAST=192.168.100.1
PAIR_PREFIX=192.168.100.0/24
PAIR_SRC=172.20.0.10
FLOW_TOOL="$(dirname "${BASH_SOURCE[0]}")/flow_tool.py"
FLOW_DIR=$WORK/flows
FLOW_PORT=5001
FLOW_SEND_PID=
FLOW_RECV_PIDS=()
NS_EXTRA="${NS_EXTRA:-} $PAIR_NS_r1 $PAIR_NS_r2"

pair_var() { eval "echo \"\$PAIR_$1_$2\""; }

# pair_bgp_config FILE [GROUP_KEYS] [BGP_KEYS]: vbrd's config with one group
# (peer AS 65001, hold time PAIR_HOLD, default 9) and both routers as its
# peers. GROUP_KEYS: more "key: value" for the group (e.g. a bfd map);
# BGP_KEYS: more top-level bgp keys, one per line, indented 2 (e.g.
# "  multipath: 2"). 172.20.0.0/16 is a static route toward the VPC and our
# CIDR block.
pair_bgp_config() {
	local file=$1 gkeys=${2:-} bkeys=${3:-}
	{
		bgp_config_head e2e-pair
		cat <<YAML
bgp:
  groups:
    - { name: idc-pair, peer_asn: ${PAIR_ASN:-65001}, description: "e2e IDC router pair",
        hold_time: ${PAIR_HOLD:-9}, connect_retry: 2, error_wait_min: 1, error_wait_max: 2${gkeys:+, $gkeys} }
  peers:
    - { group: idc-pair, address: $PAIR_ADDR_r1 }
    - { group: idc-pair, address: $PAIR_ADDR_r2 }
  networks: [ 172.20.0.0/16 ]
${bkeys}
routes:
  - { prefix: 172.20.0.0/16, next_hop: 172.16.0.2 }
YAML
	} >"$file"
}

# pair_topology: after start_vbrd. ns IDC becomes a switch (the tap's
# kernel side on a bridge, no address of its own); each router gets a
# namespace, a veth on the bridge with its address and MAC, the anycast
# address on its loopback, and a default route back through vbrd.
pair_topology() {
	local r ns
	ip -n "$NS_IDC" route del default 2>/dev/null
	ip -n "$NS_IDC" addr flush dev "$TAP_IDC"
	ip -n "$NS_IDC" link add name br0 type bridge
	ip -n "$NS_IDC" link set dev br0 up
	ip -n "$NS_IDC" link set dev "$TAP_IDC" master br0
	for r in $PAIR_ROUTERS; do
		ns=$(pair_var NS "$r")
		ip netns add "$ns"
		ip -n "$ns" link set dev lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
		ip -n "$NS_IDC" link add name "$(pair_var BR "$r")" type veth \
			peer name "$(pair_var IF "$r")" netns "$ns"
		ip -n "$NS_IDC" link set dev "$(pair_var BR "$r")" master br0
		ip -n "$NS_IDC" link set dev "$(pair_var BR "$r")" up
		ip -n "$ns" link set dev "$(pair_var IF "$r")" address "$(pair_var MAC "$r")"
		ip -n "$ns" addr add "$(pair_var ADDR "$r")/29" dev "$(pair_var IF "$r")"
		ip -n "$ns" link set dev "$(pair_var IF "$r")" up
		ip -n "$ns" addr add "$PAIR_ANYCAST/32" dev lo
		ip -n "$ns" route add default via 10.0.0.1
	done
}

# pair_start_bird NAME ASN ROUTES...: BIRD 2 as router NAME (r1 or r2), in
# its namespace, peering from its address with vbrd (10.0.0.1, AS 45104),
# announcing ROUTES ("prefix" each, blackhole in BIRD's table). The rest as
# start_bird: BIRD_BGP_EXTRA (lines in its protocol bgp), BIRD_EXPORT; and
# PAIR_BIRD_GLOBAL: lines before the protocols (e.g. "protocol bfd { ... }"),
# PAIR_BIRD_HOLD: its hold time (default PAIR_HOLD, else 9).
# Its control socket is $WORK/NAME/bird.ctl: birdc_ NAME works as for start_bird.
pair_start_bird() {
	local name=$1 asn=$2
	shift 2
	BIRD_NS=$(pair_var NS "$name") BIRD_HOLD=${PAIR_BIRD_HOLD:-${PAIR_HOLD:-9}} \
		BIRD_EXTRA="${PAIR_BIRD_GLOBAL:-}
${BIRD_EXTRA:-}" start_bird "$name" "$(pair_var ADDR "$name")" "$asn" "" "$@"
}

# pair_cut NAME [down|block]: cut router NAME off. down (the default): its
# veth down in its namespace (the router sees its link go); block: the
# bridge's port toward it disabled (nothing crosses either way, both links
# stay up: a silent failure). vbrd's port stays up either way.
pair_cut() {
	local r=$1 how=${2:-down}
	case "$how" in
	down) ip -n "$(pair_var NS "$r")" link set dev "$(pair_var IF "$r")" down ;;
	block) bridge -n "$NS_IDC" link set dev "$(pair_var BR "$r")" state 0 ;;
	*) log "pair_cut: no way '$how'"; return 1 ;;
	esac
	eval "PAIR_CUT_$r=$how"
}

# pair_restore NAME: undo pair_cut (its address and routes come back with
# the link).
pair_restore() {
	local r=$1 how
	how=$(pair_var CUT "$r")
	case "$how" in
	down)
		ip -n "$(pair_var NS "$r")" link set dev "$(pair_var IF "$r")" up
		ip -n "$(pair_var NS "$r")" route replace default via 10.0.0.1
		;;
	block) bridge -n "$NS_IDC" link set dev "$(pair_var BR "$r")" state 3 ;;
	esac
	eval "PAIR_CUT_$r="
}

# pair_flows_start [N] [RATE]: a receiver in each router's namespace, then N
# UDP flows (default 16, source ports 20000..) from the VPC host to the
# anycast address, RATE packets/s each (default 100).
pair_flows_start() {
	local n=${1:-16} rate=${2:-100} r
	FLOW_N=$n
	mkdir -p "$FLOW_DIR"
	FLOW_RECV_PIDS=()
	for r in $PAIR_ROUTERS; do
		rm -f "$FLOW_DIR/$r.json"
		ip netns exec "$(pair_var NS "$r")" timeout 900 python3 "$FLOW_TOOL" recv --name "$r" \
			--port "$FLOW_PORT" --state "$FLOW_DIR/$r.json" >"$FLOW_DIR/$r.log" 2>&1 &
		FLOW_RECV_PIDS+=($!)
		PIDS+=($!)
	done
	for r in $PAIR_ROUTERS; do
		wait_for 10 test -s "$FLOW_DIR/$r.json" || { log "receiver $r did not start"; return 1; }
	done
	rm -f "$FLOW_DIR/sent.json"
	ip netns exec "$NS_VPC" timeout 900 python3 "$FLOW_TOOL" send --src "$PAIR_SRC" \
		--dst "$PAIR_ANYCAST" --port "$FLOW_PORT" --flows "$n" --rate "$rate" \
		--out "$FLOW_DIR/sent.json" >"$FLOW_DIR/send.log" 2>&1 &
	FLOW_SEND_PID=$!
	PIDS+=($!)
}

# clock_at [SECONDS [FROM]]: FROM (default now) plus SECONDS, in seconds
# since the epoch to the ms: the "since" of pair_flows_check and
# pair_flows_report (awk's print would round it to 6 digits).
clock_at() {
	awk -v d="${1:-0}" -v t="${2:-$(date +%s.%N)}" 'BEGIN { printf "%.3f\n", t + d }'
}

flow_recv_args() {
	local r
	for r in $PAIR_ROUTERS; do printf -- '--recv %s=%s ' "$r" "$FLOW_DIR/$r.json"; done
}

# pair_flows_check flowing [--since T] | spread | drained: flow_tool's check
# on the receivers' running state (for wait_for).
pair_flows_check() {
	# shellcheck disable=SC2046
	python3 "$FLOW_TOOL" check "$@" --flows "${FLOW_N:-16}" --sent "$FLOW_DIR/sent.json" \
		$(flow_recv_args)
}

# pair_flows_stop: the sender stops; the receivers get what is still on
# its way (bounded), then stop and write every arrival.
pair_flows_stop() {
	local p
	if [ -n "$FLOW_SEND_PID" ]; then
		kill -TERM "$FLOW_SEND_PID" 2>/dev/null
		timeout 10 tail --pid="$FLOW_SEND_PID" -f /dev/null
		FLOW_SEND_PID=
	fi
	wait_for 3 pair_flows_check drained
	for p in "${FLOW_RECV_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${FLOW_RECV_PIDS[@]}"; do timeout 10 tail --pid="$p" -f /dev/null; done
	FLOW_RECV_PIDS=()
}

# pair_flows_report [--since T]: the per-flow table on stdout, as JSON in
# $FLOW_DIR/report.json (for flow_field / the test's own checks).
pair_flows_report() {
	# shellcheck disable=SC2046
	python3 "$FLOW_TOOL" report --sent "$FLOW_DIR/sent.json" $(flow_recv_args) \
		--json "$FLOW_DIR/report.json" "$@"
}

# flow_query PYTHON_EXPR: evaluate an expression over the report's rows
# (`flows`, a list of dicts: flow sport sent received lost max_gap_ms
# routers first_router last_router), e.g.
#   flow_query "sum(f['lost'] for f in flows if f['first_router'] == 'r2')"
flow_query() {
	python3 -c "
import json
flows = json.load(open('$FLOW_DIR/report.json'))['flows']
print($1)"
}
