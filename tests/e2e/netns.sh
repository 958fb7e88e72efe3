#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vbrd leaves the host's routing alone (issue 6, finding 8). The test runs in
# a sandbox (new network, mount and PID namespaces) that plays the host: it
# has a management interface and a default route of its own.
#  1. vbrd --netns NAME makes NAME, runs its exception taps there and puts
#     its default route through the dataplane there: the host's routes and
#     interfaces are untouched, and the VBR still answers from both sides.
#  2. vbrd run in the host's own namespace without --netns does not take
#     over the host's default route, and says so in its log.
if [ -z "${VBR_NETNS_SANDBOX:-}" ]; then
	# Names of our own outside the sandbox too (its PID is 1 inside): the
	# hugepage files and DPDK's runtime directory are shared.
	exec env VBR_NETNS_SANDBOX=1 E2E_ID=$$ unshare --net --mount --pid --fork --mount-proc bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

# The sandbox's "host": a management interface and its default route.
ip link set lo up
ip link add mgmt0 type veth peer name mgmt1
ip link set mgmt1 up
ip addr add 198.51.100.10/24 dev mgmt0
ip link set mgmt0 up
ip route add default via 198.51.100.1 dev mgmt0
host_routes() { ip -4 route show table main; }
host_links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
host_routes >"$WORK/routes.before"
host_links >"$WORK/links.before"

hugepages_setup
write_config "$WORK/vbr.yaml"

# 1. --netns
VBR_NETNS_MODE=option
if start_vbrd "$WORK/vbr.yaml"; then
	pass "vbrd --netns $NS_VBR started"
else
	fail "vbrd --netns $NS_VBR did not start"
	finish
fi
host_routes >"$WORK/routes.during"
host_links >"$WORK/links.during"
if diff -u "$WORK/routes.before" "$WORK/routes.during"; then
	pass "the host's routes are untouched ($(grep -c . "$WORK/routes.during") routes, default via 198.51.100.1)"
else
	fail "the host's routes changed"
fi
if diff -u "$WORK/links.before" "$WORK/links.during"; then
	pass "no interface of vbrd's in the host's namespace"
else
	fail "vbrd's interfaces in the host's namespace"
fi
if ip -n "$NS_VBR" -o link show vbr-idc >/dev/null 2>&1 &&
	ip -n "$NS_VBR" -o link show vbr-vpc >/dev/null 2>&1; then
	pass "the exception taps vbr-idc and vbr-vpc live in $NS_VBR"
else
	fail "no exception taps in $NS_VBR"; ip -n "$NS_VBR" link 2>&1
fi
if ip -n "$NS_VBR" -4 route show default | grep -q "via 169.254.0.1 dev vbr-idc"; then
	pass "$NS_VBR's default route goes through the dataplane"
else
	fail "$NS_VBR's default route: $(ip -n "$NS_VBR" -4 route show default 2>&1)"
fi
# Still a router: its addresses answer from both sides, and beyond them.
if wait_for 20 ip netns exec "$NS_IDC" ping -c 1 -W 1 -I 192.168.1.1 172.16.0.1 &&
	ip netns exec "$NS_VPC" ping -c 2 -i 0.2 -W 2 -I 172.20.0.10 10.0.0.1 >/dev/null 2>&1; then
	pass "172.16.0.1 answers the IDC host and 10.0.0.1 the VPC host"
else
	fail "the VBR's addresses do not answer across it"
fi
kill -TERM "$VBRD_PID"
if timeout 15 tail --pid="$VBRD_PID" -f /dev/null; then
	wait "$VBRD_PID"; rc=$?
	[ "$rc" -eq 0 ] && pass "SIGTERM: vbrd exits 0" || fail "SIGTERM: exit $rc"
else
	fail "vbrd did not stop within 15 s of SIGTERM"
fi
VBRD_PID=
cp "$WORK/vbrd.log" "$WORK/vbrd-netns.log"
ip netns del "$NS_IDC"
ip netns del "$NS_VPC"
ip netns del "$NS_VBR" 2>/dev/null

# 2. In the host's namespace, without --netns.
VBR_NETNS_MODE=host
if start_vbrd "$WORK/vbr.yaml"; then
	pass "vbrd started in the host's namespace"
else
	fail "vbrd did not start in the host's namespace"
	finish
fi
host_routes | grep -v 'vbr-' >"$WORK/routes.host"
if diff -u "$WORK/routes.before" "$WORK/routes.host"; then
	pass "the host's default route is still via 198.51.100.1"
else
	fail "vbrd changed the host's routes: $(ip -4 route show default)"
fi
if grep -q "host's network namespace" "$WORK/vbrd.log"; then
	pass "vbrd says why it left the default route alone"
else
	fail "no word in vbrd's log about the host's namespace"
fi
finish
