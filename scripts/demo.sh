#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The demo, on a fresh Debian 12 machine as root: installs what is needed,
# builds vbrd, starts it with two net_tap ports whose far ends live in an IDC
# and a VPC network namespace, brings up eBGP (TCP-MD5) with BIRD 2 in the
# IDC namespace, and pings across vbrd both ways (back over the route BIRD
# announced), showing vbrd's counters.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
bash scripts/build.sh

set +e
E2E_ID=demo
BGP_PEERS=10.0.0.2
. tests/e2e/bgp_lib.sh

bgp_config "$WORK/vbr.yaml" 65001 demo-key
echo "== vbrd's config ($WORK/vbr.yaml)"
cat "$WORK/vbr.yaml"
echo "== starting vbrd in namespace $NS_VBR (IDC side: $NS_IDC, VPC side: $NS_VPC)"
start_vbrd "$WORK/vbr.yaml" || exit 1
bgp_topology
echo "== starting BIRD 2 in $NS_IDC: AS 65001 at 10.0.0.2, announcing 192.168.1.0/24"
start_bird b1 10.0.0.2 65001 demo-key 192.168.1.0/24
if ! wait_for 60 peer_established 10.0.0.2; then
	echo "demo: the BGP session did not come up"
	cat "$WORK/vbrd.log"
	exit 1
fi
wait_for 20 fib_has 192.168.1.1 10.0.0.2
echo "== BIRD's side"
birdc_ b1 show protocols vbr
birdc_ b1 show route 172.20.0.0/16 all
echo "== vbrd's side: BGP peer, RIB, FIB"
vbr_tel /vbr/bgp | python3 -c '
import json, sys
for p in json.load(sys.stdin)["/vbr/bgp"].values():
    print("peer %(address)s AS %(peer_asn)s (%(group)s): %(state)s, %(prefixes_accepted)s prefixes"
          " accepted, %(announced)s announced" % p)'
vbr_tel /vbr/rib
vbr_tel /vbr/fib,192.168.1.1

echo "== ping from an IDC host (192.168.1.1, $NS_IDC) to a VPC host (172.20.0.10, $NS_VPC) across vbrd"
wait_for 10 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10
ip netns exec "$NS_IDC" ping -c 5 -i 0.2 -I 192.168.1.1 172.20.0.10
rc=$?
echo "== ping from the VPC host to the IDC host, over the route BIRD announced"
ip netns exec "$NS_VPC" ping -c 5 -i 0.2 -I 172.20.0.10 192.168.1.1 || rc=1
echo "== vbrd's counters"
vbr_tel /vbr/stats | python3 -c '
import json, sys
s = json.load(sys.stdin)["/vbr/stats"]
for port, c in s.items():
    print(port + ":", ", ".join(f"{k}={v}" for k, v in c.items() if v))'
echo "== stopping vbrd"
kill -TERM "$VBRD_PID"
timeout 15 tail --pid="$VBRD_PID" -f /dev/null
grep -E "bgp: peer 10.0.0.2|port (idc|vpc):" "$WORK/vbrd.log"
exit $rc
