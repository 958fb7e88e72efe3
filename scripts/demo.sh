#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The demo, on a fresh Debian 12 machine as root: installs what is needed,
# builds vbrd, starts it with two net_tap ports whose far ends live in an IDC
# and a VPC network namespace, brings up eBGP (TCP-MD5) with BIRD 2 in the
# IDC namespace, shows both sides with birdc and vbrctl, adds a BGP CIDR
# block on the running router (BIRD gets it, the session stays up), and
# pings across vbrd both ways (back over the route BIRD announced), showing
# vbrd's counters.
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
echo "== vbrd's side (vbrctl): BGP peer, routes, FIB"
vbrctl() { echo "\$ vbrctl $*"; "$VBRCTL" -s "$VBR_SOCK" "$@"; }
vbrctl show peers
vbrctl show routes
vbrctl show fib 192.168.1.1
echo "== a console step on the running router: a new BGP CIDR block, announced at once"
vbrctl bgp-network add --cidr 172.21.0.0/16
vbrctl show networks
wait_for 10 sh -c "ip netns exec $NS_IDC birdc -s $WORK/b1/bird.ctl show route 172.21.0.0/16 | grep -q 172.21.0.0/16"
birdc_ b1 show route 172.21.0.0/16
echo "== the session was not reset (BIRD's side)"
birdc_ b1 show protocols vbr

echo "== ping from an IDC host (192.168.1.1, $NS_IDC) to a VPC host (172.20.0.10, $NS_VPC) across vbrd"
wait_for 10 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10
ip netns exec "$NS_IDC" ping -c 5 -i 0.2 -I 192.168.1.1 172.20.0.10
rc=$?
echo "== ping from the VPC host to the IDC host, over the route BIRD announced"
ip netns exec "$NS_VPC" ping -c 5 -i 0.2 -I 172.20.0.10 192.168.1.1 || rc=1
echo "== vbrd's counters"
"$VBRCTL" -s "$VBR_SOCK" show stats | grep -Ev " 0$"
echo "== stopping vbrd"
kill -TERM "$VBRD_PID"
timeout 15 tail --pid="$VBRD_PID" -f /dev/null
grep -E "bgp: peer 10.0.0.2|port (idc|vpc):" "$WORK/vbrd.log"
exit $rc
