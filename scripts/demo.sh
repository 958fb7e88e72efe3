#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The demo, on a fresh Debian 12 machine as root: installs what is needed,
# builds vbrd, starts it with two net_tap ports whose far ends live in an IDC
# and a VPC network namespace, pings across it and shows its counters.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
bash scripts/build.sh

set +e
E2E_ID=demo
. tests/e2e/lib.sh

write_config "$WORK/vbr.yaml"
echo "== config ($WORK/vbr.yaml)"
cat "$WORK/vbr.yaml"
echo "== starting vbrd in namespace $NS_VBR (IDC side: $NS_IDC, VPC side: $NS_VPC)"
start_vbrd "$WORK/vbr.yaml" || exit 1
wait_for 20 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10

echo "== ping from an IDC host (192.168.1.1, $NS_IDC) to a VPC host (172.20.0.10, $NS_VPC) through vbrd"
ip netns exec "$NS_IDC" ping -c 5 -i 0.2 -I 192.168.1.1 172.20.0.10
rc=$?
echo "== vbrd's FIB"
vbr_tel /vbr/fib
echo "== vbrd's counters"
vbr_tel /vbr/stats | python3 -c '
import json, sys
s = json.load(sys.stdin)["/vbr/stats"]
for port, c in s.items():
    print(port + ":", ", ".join(f"{k}={v}" for k, v in c.items() if v))'
echo "== stopping vbrd"
kill -TERM "$VBRD_PID"
timeout 15 tail --pid="$VBRD_PID" -f /dev/null
tail -n 4 "$WORK/vbrd.log"
exit $rc
