# SPDX-License-Identifier: BSD-3-Clause
# ExaBGP 4.2 (Debian) as a BGP peer for the end-to-end tests, in the IDC
# namespace (LAB.md). Its config, its log and received.json (what its API
# process, exabgp_watch.py, is given: state changes, the UPDATEs it read from
# vbrd, parsed and raw, and the raw UPDATEs it wrote; one JSON message a line)
# are kept in $WORK/NAME; it is stopped by its pid.
. "$(dirname "${BASH_SOURCE[0]}")/bgp_lib.sh"

# start_exabgp NAME LOCAL_ADDR ASN KEY EXTRA ROUTES...: EXTRA goes into the
# neighbor block as is (e.g. "capability { asn4 disable; }"); each of ROUTES
# is a "PREFIX next-hop ADDR [attributes]" for its static block. An empty
# key: no MD5.
start_exabgp() {
	local name=$1 addr=$2 asn=$3 key=$4 extra=$5
	shift 5
	local d=$WORK/$name pw="" r
	mkdir -p "$d"
	[ -n "$key" ] && pw="md5-password \"$key\";"
	: >"$d/received.json"
	{
		cat <<CONF
process watcher {
	run /usr/bin/python3 $VBR_ROOT/tests/e2e/exabgp_watch.py $d/received.json;
	encoder json;
}

neighbor 10.0.0.1 {
	router-id $addr;
	local-address $addr;
	local-as $asn;
	peer-as 45104;
	hold-time 9;
	group-updates false;
	$pw
	$extra
	family {
		ipv4 unicast;
	}
	api {
		processes [ watcher ];
		neighbor-changes;
		receive {
			parsed;
			packets;
			update;
		}
		send {
			packets;
			update;
		}
	}
	static {
CONF
		for r in "$@"; do echo "		route $r;"; done
		echo "	}"
		echo "}"
	} >"$d/exabgp.conf"
	ip netns exec "$NS_IDC" timeout 600 env exabgp_daemon_daemonize=false exabgp_daemon_user=root \
		exabgp_api_cli=false exabgp_log_destination="$d/exabgp.log" \
		exabgp "$d/exabgp.conf" >"$d/stdout" 2>&1 &
	PIDS+=($!)
	eval "EXABGP_PID_$name=$!"
}

# exabgp_state NAME: the last neighbor state its API process was told of.
exabgp_state() {
	python3 - "$WORK/$1/received.json" <<'PY'
import json, sys
state = "none"
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") == "state":
        state = m["neighbor"]["state"]
print(state)
PY
}
exabgp_established() { [ "$(exabgp_state "$1")" = up ]; }

# exabgp_route NAME PREFIX: what ExaBGP last received from vbrd for PREFIX,
# as "next-hop NH as-path [ASN ...] origin O" ("withdrawn" after a
# withdrawal, nothing if it never came).
exabgp_route() {
	python3 - "$WORK/$1/received.json" "$2" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") != "update" or m["neighbor"].get("direction") != "receive":
        continue
    u = m["neighbor"]["message"].get("update", {})
    attr = u.get("attribute", {})
    for nh, nlris in u.get("announce", {}).get("ipv4 unicast", {}).items():
        for n in nlris:
            if n.get("nlri") == sys.argv[2]:
                last = "next-hop %s as-path %s origin %s" % (
                    nh, json.dumps(attr.get("as-path")), attr.get("origin"))
    for n in u.get("withdraw", {}).get("ipv4 unicast", []):
        if n.get("nlri") == sys.argv[2]:
            last = "withdrawn"
if last:
    print(last)
PY
}

# exabgp_wire NAME send|receive PREFIX: the path attributes of the last
# UPDATE announcing PREFIX that ExaBGP wrote (send) or read (receive), from
# the raw packets its API process is given, decoded for a 2-octet session
# and sorted by type, e.g. "origin=0 as_path=65001,23456 next_hop=10.0.0.2
# as4_path=65001,4200000009"; other types as attrTYPE=FLAGS:HEX.
exabgp_wire() {
	python3 - "$WORK/$1/received.json" "$2" "$3" <<'PY'
import json, socket, struct, sys

def path(v, size):
    segs, i = [], 0
    while i + 2 <= len(v):
        t, n = v[i], v[i + 1]
        asns = [int.from_bytes(v[i + 2 + k * size:i + 2 + (k + 1) * size], "big") for k in range(n)]
        segs.append(",".join(map(str, asns)) if t == 2 else "{%s}" % ",".join(map(str, asns)))
        i += 2 + n * size
    return "/".join(segs)

def decode(t, f, v):
    if t == 1: return "origin=%d" % v[0]
    if t == 2: return "as_path=" + path(v, 2)
    if t == 3: return "next_hop=" + socket.inet_ntoa(v)
    if t == 8: return "communities=" + ",".join(
        "%d:%d" % struct.unpack("!HH", v[i:i + 4]) for i in range(0, len(v), 4))
    if t == 17: return "as4_path=" + path(v, 4)
    return "attr%d=0x%02x:%s" % (t, f, v.hex())

last = None
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    n = m.get("neighbor", {})
    if m.get("type") != "update" or n.get("direction") != sys.argv[2] or "body" not in n["message"]:
        continue
    b = bytes.fromhex(n["message"]["body"][2:])
    wl = int.from_bytes(b[0:2], "big")
    al = int.from_bytes(b[2 + wl:4 + wl], "big")
    a, nlri = b[4 + wl:4 + wl + al], b[4 + wl + al:]
    prefixes, i = [], 0
    while i < len(nlri):
        plen = nlri[i]
        octets = (plen + 7) // 8
        prefixes.append("%s/%d" % (socket.inet_ntoa(nlri[i + 1:i + 1 + octets].ljust(4, b"\0")), plen))
        i += 1 + octets
    if sys.argv[3] not in prefixes:
        continue
    attrs, i = [], 0
    while i < len(a):
        f, t = a[i], a[i + 1]
        if f & 0x10:
            ln, off = int.from_bytes(a[i + 2:i + 4], "big"), 4
        else:
            ln, off = a[i + 2], 3
        attrs.append((t, decode(t, f, a[i + off:i + off + ln])))
        i += off + ln
    last = " ".join(d for _, d in sorted(attrs, key=lambda x: x[0]))
if last:
    print(last)
PY
}

