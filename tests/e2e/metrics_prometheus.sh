#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Prometheus endpoint (issue 10), scraped by a real Prometheus (Debian's)
# running in vbrd's network namespace, with a BIRD peer and traffic across:
#  - without metrics in the config nothing listens; a reload adding it
#    starts the endpoint, one removing it stops it;
#  - Prometheus scrapes it (up == 1), and its numbers, read back through
#    Prometheus's HTTP API, agree with `vbrctl --json show peers|stats`:
#    the peer Established, the prefixes BIRD announces, the pings counted
#    on both ports, the FIB's routes and route ops;
#  - `promtool check metrics` passes on a scrape; OpenMetrics when asked
#    (# EOF); 404, 405 and 413 for what is not GET /metrics;
#  - every metric the Grafana dashboard asks for is served;
#  - 8 addresses x 4 connections trickling their headers (slowloris) and a
#    huge request do not stop a normal scrape for longer than the request
#    deadline, and Prometheus's up stays 1 or comes back within it;
#  - the HTTP thread, vbr-metrics, runs on the control threads' CPUs, not
#    the main lcore's (EAL's lcores 0 and 1 both on CPU 0 here, so that the
#    control threads have a CPU of their own);
#  - a ping flood makes the forwarding lcore's busy cycles rise.
. "$(dirname "$0")/bgp_lib.sh"

PORT=9111
PROM_PORT=9090
PINGS=20
DEADLINE=5 # METRICS_HTTP_HEADER_DEADLINE_S
# Lcore 0 (main) and 1 (forwarding) share CPU 0: EAL's control threads get
# the CPUs left (it gives them the main lcore's when none is).
if [ "$(nproc)" -ge 2 ]; then export VBR_LCORES="--lcores 0@0,1@0"; fi
ctl() { timeout 10 "$VBRCTL" -s "$VBR_SOCK" "$@"; }
in_vbr() { ip netns exec "$NS_VBR" "$@"; }
scrape() { in_vbr curl -sS -m 5 "$@" "http://127.0.0.1:$PORT/metrics"; }
listening() { in_vbr ss -Hltn "sport = :$PORT" | grep -q LISTEN; }

# prom_query EXPR: the value of Prometheus's first result ("" when none).
prom_query() {
	in_vbr curl -sS -m 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}
# prom_is EXPR VALUE: Prometheus says VALUE (for wait_for).
prom_is() { [ "$(prom_query "$1")" = "$2" ]; }
prom_ge() { local v; v=$(prom_query "$1"); [ -n "$v" ] && python3 -c "import sys; sys.exit(0 if float('$v') >= float('$2') else 1)"; }

# show_field VIEW PY: a value of `vbrctl --json show VIEW` (PY reads j).
show_field() { ctl --json show "$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"; }
# prom_between EXPR VIEW PY: Prometheus's EXPR lies between vbrctl's value
# read before and after it (a counter that may move meanwhile).
prom_between() {
	local lo v hi
	lo=$(show_field "$2" "$3") && v=$(prom_query "$1") && hi=$(show_field "$2" "$3") &&
		[ -n "$v" ] && python3 -c "import sys; sys.exit(0 if $lo <= float('$v') <= $hi else 1)"
}
# thread_cpus NAME: Cpus_allowed_list of vbrd's thread NAME (the first).
thread_cpus() {
	local t
	for t in /proc/"$VBRD_PID"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$1" ]; then
			sed -n 's/^Cpus_allowed_list:\s*//p' "$t/status"
			return 0
		fi
	done
	return 1
}
main_cpus() { sed -n 's/^Cpus_allowed_list:\s*//p' /proc/"$VBRD_PID"/task/"$VBRD_PID"/status; }

hugepages_setup
BGP_PEERS=10.0.0.2 bgp_config "$WORK/vbr.yaml" 65001 "e2e-$E2E_ID"
start_vbrd "$WORK/vbr.yaml" || { fail "vbrd start"; finish; }
bgp_topology

# Off by default.
if listening; then fail "something listens on :$PORT without metrics in the config"; else
	pass "no metrics in the config: nothing listens on :$PORT"; fi

# A reload turns it on.
echo "metrics: { listen: 127.0.0.1:$PORT }" >>"$WORK/vbr.yaml"
if ctl reload >"$WORK/ctl.out" 2>&1 && wait_for 5 listening; then
	pass "vbrctl reload with metrics.listen: vbrd listens on 127.0.0.1:$PORT in its namespace"
else
	fail "reload with metrics: $(cat "$WORK/ctl.out")"
fi
# A bad address is refused with its place in the file, and changes nothing.
cp "$WORK/vbr.yaml" "$WORK/vbr.good"
sed -i "s/listen: 127.0.0.1:$PORT/listen: 127.0.0.1:99999/" "$WORK/vbr.yaml"
if ! ctl reload >"$WORK/ctl.out" 2>&1 && grep -q "vbr.yaml:[0-9]*:[0-9]*: metrics.listen: .*port" "$WORK/ctl.out" &&
	listening; then
	pass "reload with listen 127.0.0.1:99999 refused: $(head -1 "$WORK/ctl.out")"
else
	fail "bad listen: $(cat "$WORK/ctl.out")"
fi
# An address another socket holds: refused, the endpoint stays where it was.
in_vbr python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 9112)); s.listen(); print("held", flush=True); time.sleep(30)' >"$WORK/holder" &
holder=$!
PIDS+=($holder)
wait_for 10 grep -q held "$WORK/holder"
sed -i "s/listen: 127.0.0.1:[0-9]*/listen: 127.0.0.1:9112/" "$WORK/vbr.yaml"
if ! ctl reload >"$WORK/ctl.out" 2>&1 && grep -q "metrics.listen: 127.0.0.1:9112: cannot listen: Address already in use; nothing changed" "$WORK/ctl.out" &&
	listening && [ "$(show_field config "j['metrics']['listen']")" = "127.0.0.1:$PORT" ]; then
	pass "reload to a port in use refused ($(cat "$WORK/ctl.out")); still on :$PORT"
else
	fail "reload to a port in use: $(cat "$WORK/ctl.out")"
fi
kill "$holder"
cp "$WORK/vbr.good" "$WORK/vbr.yaml"

start_bird b1 10.0.0.2 65001 "e2e-$E2E_ID" 192.168.1.0/24 192.168.10.0/24 10.200.0.0/16
wait_for 60 peer_established 10.0.0.2 || { fail "peer 10.0.0.2 not Established"; finish; }
wait_for 20 fib_has_all 10.0.0.2 192.168.1.1 192.168.10.7 10.200.3.4 || fail "FIB lacks BIRD's routes"
check_traffic_over_bgp BIRD
if ip netns exec "$NS_VPC" ping -q -c "$PINGS" -i 0.05 -W 2 -I 172.20.0.10 192.168.1.1 \
	>"$WORK/ping" 2>&1; then
	pass "$PINGS more pings across"
else
	fail "pings: $(cat "$WORK/ping")"
fi

# A real Prometheus in vbrd's namespace, scraping every 2 s.
mkdir -p "$WORK/prom"
cat >"$WORK/prom/prometheus.yml" <<YAML
global: { scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 2s }
scrape_configs:
  - job_name: vbr
    static_configs: [ { targets: [ '127.0.0.1:$PORT' ] } ]
YAML
in_vbr timeout 600 prometheus --config.file "$WORK/prom/prometheus.yml" \
	--storage.tsdb.path "$WORK/prom/data" --web.listen-address "127.0.0.1:$PROM_PORT" \
	>"$WORK/prom/log" 2>&1 &
PIDS+=($!)
if wait_for 60 prom_is 'up{job="vbr"}' 1; then
	pass "Prometheus scrapes vbrd: up{job=\"vbr\"} = 1"
else
	fail "Prometheus does not scrape vbrd: up = '$(prom_query 'up{job="vbr"}')'"
	tail -20 "$WORK/prom/log"
	finish
fi

# Its numbers against vbrctl's.
p='{peer="10.0.0.2",group="idc-core"}'
wait_for 10 prom_is "vbr_bgp_peer_state$p" 6 && wait_for 10 prom_is "vbr_bgp_peer_up$p" 1 &&
	[ "$(show_field peers "[p for p in j if p['address'] == '10.0.0.2'][0]['state']")" = Established ] &&
	pass "vbr_bgp_peer_state$p = 6 (Established), as vbrctl show peers" ||
	fail "peer state: $(prom_query "vbr_bgp_peer_state$p")"
want=$(show_field peers "[p for p in j if p['address'] == '10.0.0.2'][0]['prefixes_received']")
if [ "$want" = 3 ] && wait_for 10 prom_is "vbr_bgp_peer_prefixes_received$p" 3 &&
	prom_is "vbr_bgp_peer_prefixes_installed$p" 3 && prom_is "vbr_bgp_peer_prefixes_over_limit$p" 0; then
	pass "prefixes received 3 (BIRD's), installed 3, over the limit 0: as vbrctl show peers"
else
	fail "prefixes: vbrctl $want, Prometheus $(prom_query "vbr_bgp_peer_prefixes_received$p")"
fi
peer_counters() {
	prom_ge "vbr_bgp_peer_messages_received_total$p" 2 && prom_ge "vbr_bgp_peer_messages_sent_total$p" 2 &&
		prom_ge "vbr_bgp_peer_uptime_seconds$p" 1 && prom_is "vbr_bgp_peer_flaps_total$p" 0
}
pc() { echo "messages in $(prom_query "vbr_bgp_peer_messages_received_total$p"), out $(prom_query "vbr_bgp_peer_messages_sent_total$p"), uptime $(prom_query "vbr_bgp_peer_uptime_seconds$p") s, flaps $(prom_query "vbr_bgp_peer_flaps_total$p")"; }
if wait_for 10 peer_counters; then pass "$(pc)"; else fail "peer counters: $(pc)"; fi
for c in 'vbr_port_rx_packets_total{port="vpc"}' 'vbr_port_tx_packets_total{port="idc"}' \
	'vbr_port_rx_packets_total{port="idc"}' 'vbr_port_tx_packets_total{port="vpc"}' \
	'vbr_dp_forwarded_total{port="vpc"}' 'vbr_dp_forwarded_total{port="idc"}'; do
	if wait_for 10 prom_ge "$c" "$PINGS"; then pass "$c = $(prom_query "$c") >= $PINGS pings"; else
		fail "$c = $(prom_query "$c") < $PINGS"; fi
done
# A counter read by both agrees: Prometheus's value lies between vbrctl's
# before and after (it may move meanwhile), once Prometheus has scraped.
for k in idc vpc; do
	f="j['ports']['$k']['forwarded']"
	wait_for 10 prom_between "vbr_dp_forwarded_total{port=\"$k\"}" stats "$f" &&
		pass "vbr_dp_forwarded_total{port=\"$k\"} = $(prom_query "vbr_dp_forwarded_total{port=\"$k\"}"), as vbrctl show stats ($(show_field stats "$f"))" ||
		fail "forwarded $k: vbrctl $(show_field stats "$f"), Prometheus $(prom_query "vbr_dp_forwarded_total{port=\"$k\"}")"
done
wait_for 10 prom_between vbr_fib_routes stats "j['fib']['routes']" &&
	wait_for 10 prom_between vbr_fib_route_ops_applied_total stats "j['fib']['ops_applied']" &&
	pass "vbr_fib_routes = $(prom_query vbr_fib_routes), vbr_fib_route_ops_applied_total = $(prom_query vbr_fib_route_ops_applied_total): as vbrctl show stats" ||
	fail "fib: vbrctl $(show_field stats "j['fib']['routes']") $(show_field stats "j['fib']['ops_applied']"), Prometheus $(prom_query vbr_fib_routes) $(prom_query vbr_fib_route_ops_applied_total)"
wait_for 10 prom_is 'count(vbr_port_drops_total{port="idc"})' "$(show_field stats "len([k for k in j['ports']['idc'] if k.startswith('drop_')])")" &&
	pass "every drop counter of vbrctl show stats has its vbr_port_drops_total{reason} ($(prom_query 'count(vbr_port_drops_total{port="idc"})') per port)" ||
	fail "drop reasons: $(prom_query 'count(vbr_port_drops_total{port="idc"})')"
r='rate(vbr_lcore_busy_cycles_total[10s]) / rate(vbr_lcore_cycles_total[10s])'
if wait_for 10 prom_ge "$r" 0 && python3 -c "import sys; sys.exit(0 if 0 <= float('$(prom_query "$r")') <= 1 else 1)"; then
	pass "lcore busy ratio (Prometheus: $r) = $(prom_query "$r")"
else
	fail "lcore busy ratio: '$(prom_query "$r")'"
fi
# A ping flood through vbrd: the forwarding lcore's busy cycles rise (a
# counter, whatever the machine's speed), and never pass its cycles.
busy() { scrape | awk '/^vbr_lcore_busy_cycles_total/ { s += $2 } END { printf "%.0f", s }'; }
busy_le_all() {
	scrape | python3 -c '
import sys
v = {}
for l in sys.stdin:
    if l.startswith("vbr_lcore_"):
        k, x = l.rsplit(" ", 1)
        v[k] = float(x)
sys.exit(0 if v and all(x <= v[k.replace("busy_cycles", "cycles")] for k, x in v.items() if "busy_cycles" in k) else 1)'
}
b0=$(busy)
ip netns exec "$NS_VPC" ping -q -f -c 2000 -W 1 -I 172.20.0.10 192.168.1.1 >"$WORK/flood" 2>&1
# (A scrape within 1 s of the one before gets the same snapshot.)
busy_rose() { b1=$(busy) && [ -n "$b0" ] && [ -n "$b1" ] && python3 -c "import sys; sys.exit(0 if $b1 > $b0 else 1)"; }
b1=
if wait_for 5 busy_rose; then
	pass "a ping flood ($(grep -o '[0-9]* received' "$WORK/flood")): busy cycles $b0 -> $b1"
else
	fail "busy cycles did not rise: $b0 -> $b1; $(cat "$WORK/flood")"
fi
busy_le_all && pass "every lcore's busy cycles <= its cycles" || fail "busy cycles > cycles"

# The HTTP thread: named, on the control threads' CPUs, not the main lcore's.
check_cpus() {
	local m c p
	m=$(thread_cpus vbr-metrics) c=$(thread_cpus vbr-ctrl) p=$(main_cpus)
	if [ -n "$m" ] && [ "$m" = "$c" ] && { [ "$m" != "$p" ] || [ -z "$VBR_LCORES" ]; }; then
		pass "$1: vbr-metrics on CPUs $m, as vbr-ctrl ($c); the main lcore on $p"
	else
		fail "$1: vbr-metrics on CPUs '$m', vbr-ctrl '$c', the main lcore '$p'"
	fi
}
check_cpus "started by a reload"

# The text itself.
scrape -D "$WORK/h.prom" -o "$WORK/scrape.prom"
if promtool check metrics <"$WORK/scrape.prom" >"$WORK/promtool" 2>&1; then
	pass "promtool check metrics: clean ($(grep -c '^# TYPE' "$WORK/scrape.prom") families)"
else
	fail "promtool check metrics:"; cat "$WORK/promtool"
fi
grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/h.prom" && pass "Prometheus text 0.0.4 by default" ||
	fail "default content type: $(grep -i content-type "$WORK/h.prom")"
scrape -D "$WORK/h.om" -o "$WORK/scrape.om" -H 'Accept: application/openmetrics-text; version=1.0.0'
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$WORK/h.om" &&
	[ "$(tail -n 1 "$WORK/scrape.om")" = "# EOF" ] && grep -q '^# TYPE vbr_port_rx_packets counter$' "$WORK/scrape.om" &&
	pass "OpenMetrics 1.0.0 when the Accept header asks: ends in # EOF" || fail "OpenMetrics"
code() { in_vbr curl -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "http://127.0.0.1:$PORT/")" = 404 ] && [ "$(code -X POST "http://127.0.0.1:$PORT/metrics")" = 405 ] &&
	[ "$(code --data-binary x "-XGET" "http://127.0.0.1:$PORT/metrics")" = 413 ] &&
	pass "GET / 404, POST /metrics 405, GET with a body 413" || fail "status codes"

# The dashboard asks only for what is served.
python3 - "$VBR_ROOT/contrib/grafana/vbr-dashboard.json" "$WORK/scrape.prom" >"$WORK/dash" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
served = {l.split('{')[0].split(' ')[0] for l in open(sys.argv[2]) if l[0] != '#'}
exprs = []
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == 'expr': exprs.append(v)
            else: walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(d)
names = {n for e in exprs for n in re.findall(r'\bvbr_[a-z0-9_]+', e)}
missing = names - served
print(len(exprs), len(names), ' '.join(sorted(missing)))
sys.exit(1 if missing or not exprs else 0)
PY
[ $? = 0 ] && pass "the Grafana dashboard's $(cut -d' ' -f1 "$WORK/dash") queries use $(cut -d' ' -f2 "$WORK/dash") metric names, all served" ||
	fail "dashboard: $(cat "$WORK/dash")"

# Hostile: slowloris from 8 addresses x 4 connections (the limits), each
# trickling a header line every second and never ending its headers,
# reconnecting when cut; and a 1 MiB request.
in_vbr python3 - "$PORT" >"$WORK/hostile" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
def conn(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        s.send(b"GET /metrics HTTP/1.1\r\n")
        return s
    except OSError:
        s.close()
        return None
srcs = ["127.0.0.%d" % (2 + i // 4) for i in range(32)]
conns = [conn(a) for a in srcs]
print("opened", sum(c is not None for c in conns), flush=True)
big = socket.create_connection(("127.0.0.1", port))
try:
    big.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
except OSError as e:
    print("big request cut:", e.__class__.__name__)
big.settimeout(5)
try:
    print("big answer:", big.recv(64).split(b"\r\n")[0].decode())
except OSError as e:
    print("big request closed:", e.__class__.__name__)
sys.stdout.flush()
cut = 0
end = time.time() + 40
while time.time() < end:
    for i, s in enumerate(conns):
        if s is not None:
            try:
                s.send(b"X-Slow: 1\r\n")
                continue
            except OSError:
                s.close()
                cut += 1
        conns[i] = conn(srcs[i])
    print("cut", cut, flush=True)
    time.sleep(1)
PY
hostile=$!
PIDS+=($hostile)
attack_t0=$SECONDS

wait_for 15 grep -q "^big" "$WORK/hostile"
t0=$(date +%s%N)
if in_vbr curl -sS -m $((DEADLINE + 5)) -o "$WORK/scrape2" "http://127.0.0.1:$PORT/metrics" &&
	grep -q '^vbr_fib_routes ' "$WORK/scrape2"; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -le $(( (DEADLINE + 2) * 1000 )) ] &&
		pass "a scrape answers in $ms ms (deadline ${DEADLINE} s) beside $(head -1 "$WORK/hostile" | cut -d' ' -f2) trickling connections from 127.0.0.2-9; 1 MiB request: $(grep '^big' "$WORK/hostile" | tr '\n' ' ')" ||
		fail "a scrape took $ms ms beside the trickling connections"
else
	fail "no scrape beside the trickling connections: $(cat "$WORK/hostile")"
fi
n=$(in_vbr ss -Htn state established "( sport = :$PORT )" | grep -c '127\.0\.0\.2:')
[ "$n" -le 4 ] && pass "vbrd holds $n connections from 127.0.0.2 (per-address limit 4)" ||
	fail "$n connections from one address"
# Prometheus (a scrape every 2 s, 2 s timeout) through 12 s of the attack:
# with every connection taken the deadline is 1 s, so its scrapes still
# answer: up stays 1 (or, at worst, is 1 again within a deadline).
attack_end=$((attack_t0 + 12))
while [ "$SECONDS" -lt "$attack_end" ]; do sleep 1; done # a window of scrapes
upmin=$(prom_query 'min_over_time(up{job="vbr"}[12s])')
if [ "$upmin" = 1 ]; then
	pass "Prometheus's up stayed 1 through 12 s of the attack ($(tail -1 "$WORK/hostile") so far)"
elif wait_for "$DEADLINE" prom_is 'up{job="vbr"}' 1; then
	pass "Prometheus's up dipped to $upmin during the attack and is 1 again within ${DEADLINE} s"
else
	fail "Prometheus's up = $(prom_query 'up{job="vbr"}') during the attack (lowest $upmin)"
fi
wait_for $((DEADLINE + 3)) sh -c "[ \"\$(tail -1 '$WORK/hostile' | cut -d' ' -f2)\" -ge 32 ]" &&
	pass "the trickling connections cut at the deadline: $(tail -1 "$WORK/hostile")" ||
	fail "trickling connections not cut: $(tail -1 "$WORK/hostile")"
kill "$hostile" 2>/dev/null

# A reload moving the listener: the new thread is placed as the first.
sed -i "s/listen: 127.0.0.1:$PORT/listen: 127.0.0.1:$((PORT + 1))/" "$WORK/vbr.yaml"
if ctl reload >"$WORK/ctl.out" 2>&1 && wait_for 5 in_vbr curl -sf -m 5 -o /dev/null "http://127.0.0.1:$((PORT + 1))/metrics"; then
	pass "reload moves the endpoint to :$((PORT + 1))"
else
	fail "reload moving the endpoint: $(cat "$WORK/ctl.out")"
fi
check_cpus "after a reload"
# The same port on all addresses (the old socket blocks the new bind: stop,
# then bind): vbrd warns that the data ports reach it.
sed -i "s/listen: 127.0.0.1:$((PORT + 1))/listen: 0.0.0.0:$((PORT + 1))/" "$WORK/vbr.yaml"
if ctl reload >"$WORK/ctl.out" 2>&1 && wait_for 5 in_vbr curl -sf -m 5 -o /dev/null "http://127.0.0.1:$((PORT + 1))/metrics" &&
	wait_for 5 grep -q "0.0.0.0:$((PORT + 1)) is not a loopback address: it is reachable from the data ports" "$WORK/vbrd.log"; then
	pass "reload to 0.0.0.0:$((PORT + 1)): answers; $(grep -o "metrics endpoint on 0.0.0.0.*reachable from the data ports" "$WORK/vbrd.log" | head -1)"
else
	fail "reload to 0.0.0.0:$((PORT + 1)): $(cat "$WORK/ctl.out"); $(grep metrics "$WORK/vbrd.log" | tail -3)"
fi

# A reload without metrics stops the endpoint.
sed -i '/^metrics:/d' "$WORK/vbr.yaml"
if ctl reload >"$WORK/ctl.out" 2>&1 && wait_for 5 sh -c "! ip netns exec $NS_VBR ss -Hltn 'sport = :$((PORT + 1))' | grep -q LISTEN"; then
	pass "reload without metrics: nothing listens on :$PORT"
else
	fail "metrics still listening after the reload: $(cat "$WORK/ctl.out")"
fi
vbrd_alive && pass "vbrd still running" || fail "vbrd died"
finish
