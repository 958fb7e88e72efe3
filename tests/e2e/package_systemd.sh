#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package and vbrd.service, as a user's machine runs them: the
# .deb built with dpkg-buildpackage from a copy of the tree, installed with
# apt into a fresh Debian 12 (debootstrap, minbase), which then boots with
# systemd as its PID 1 (systemd-nspawn --boot) in a network namespace the
# test made. There: the enabled unit starts vbrd at boot, vbrctl answers on
# the default socket, a ping crosses vbrd between two namespaces, reload
# applies a config change, a killed vbrd is restarted, stop is clean and
# quick, and the journal has vbrd's lines.
#
# The debootstrap result is cached as a tarball outside the tree
# (VBR_TEST_CACHE, default /var/cache/vbr-test), keyed by its package list;
# the first run makes it. VBR_DEB: a .deb already built (skips the build).
set -u
ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${VBR_MIRROR:-http://deb.debian.org/debian}
CACHE=${VBR_TEST_CACHE:-/var/cache/vbr-test}
# The base system: systemd to boot, man-db for `man`, iproute2 for the test's
# own namespaces inside. vbr's dependencies come from apt with the .deb.
BASE_PKGS=systemd,systemd-sysv,dbus,iproute2,iputils-ping,man-db,procps
ID=$$
WORK=$(mktemp -d /tmp/vbr-pkg.XXXXXX)
ROOTFS=$WORK/rootfs
NS=vbr-pkg-$ID
MACHINE=vbrpkg$ID
PREFIX=vbr-pkg-$ID
NSPAWN_PID=
LEADER=
FAILS=0

log() { printf '%s %s\n' "$(date +%T)" "$*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }

wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.3
	done
}

cleanup() {
	local rc=$?
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		# SIGRTMIN+4 asks the container's systemd for poweroff (nspawn's own
		# way); SIGKILL to nspawn if it does not end in time.
		kill -RTMIN+4 "$LEADER" 2>/dev/null
		timeout 20 tail --pid="$NSPAWN_PID" -f /dev/null || kill -KILL "$NSPAWN_PID" 2>/dev/null
		timeout 5 tail --pid="$NSPAWN_PID" -f /dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	# nspawn's mount propagation directory (it removes it only from a tmpfs).
	rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
	rm -rf "/var/run/dpdk/$PREFIX" "/dev/hugepages/${PREFIX}"map_* 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	[ "$FAILS" -ne 0 ] && rc=1
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	fi
}
need debootstrap systemd-container dpkg-dev debhelper fakeroot meson ninja-build pkg-config \
	libdpdk-dev libyaml-dev nettle-dev libmnl-dev libjansson-dev libmicrohttpd-dev help2man \
	scdoc systemd lintian

# --- the package, from a copy of the tree (the tree stays clean) ---
if [ -n "${VBR_DEB:-}" ]; then
	DEB=$VBR_DEB
else
	log "building the package (dpkg-buildpackage -b -us -uc, nocheck)"
	mkdir "$WORK/src"
	# The files git knows (committed or not), not build dirs or caches.
	(cd "$ROOT_DIR" && git ls-files -co --exclude-standard -z |
		tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -C "$WORK/src" -xf -
	if ! (cd "$WORK/src" && DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck \
		dpkg-buildpackage -b -us -uc >"$WORK/build.log" 2>&1); then
		tail -40 "$WORK/build.log"
		fail "dpkg-buildpackage failed"
		exit 1
	fi
	DEB=$(ls "$WORK"/vbr_*_amd64.deb)
	pass "built $(basename "$DEB")"
	# lintian: errors fail the test; warnings are listed (explained in the README).
	lintian "$WORK"/vbr_*_amd64.changes >"$WORK/lintian.log" 2>&1
	if grep -q '^E:' "$WORK/lintian.log"; then
		cat "$WORK/lintian.log"
		fail "lintian reports errors"
	else
		pass "lintian: no errors ($(grep -c '^W:' "$WORK/lintian.log") warning(s))"
		grep '^W:' "$WORK/lintian.log"
	fi
fi
dpkg-deb -c "$DEB" >"$WORK/contents"
for f in usr/sbin/vbrd usr/sbin/vbrctl lib/systemd/system/vbrd.service etc/vbr/vbr.yaml \
	etc/default/vbrd usr/libexec/vbr/vbr-setup usr/bin/vbr-telemetry usr/share/doc/vbr/README.md.gz; do
	grep -q " \./$f\$" "$WORK/contents" || fail "no /$f in the package"
done

# --- a fresh Debian 12, from the cache or debootstrap ---
key=$(printf '%s %s %s' bookworm minbase "$BASE_PKGS" | sha256sum | cut -c1-16)
tarball=$CACHE/bookworm-minbase-$key.tar
mkdir -p "$ROOTFS"
if [ -f "$tarball" ]; then
	log "rootfs from $tarball"
	tar -C "$ROOTFS" -xf "$tarball"
else
	log "debootstrap bookworm (minbase) from $MIRROR"
	if ! debootstrap --variant=minbase --include="$BASE_PKGS" bookworm "$ROOTFS" "$MIRROR" \
		>"$WORK/debootstrap.log" 2>&1; then
		tail -20 "$WORK/debootstrap.log"
		fail "debootstrap failed"
		exit 1
	fi
	mkdir -p "$CACHE"
	tar -C "$ROOTFS" -cf "$tarball.tmp.$ID" . && mv "$tarball.tmp.$ID" "$tarball"
	log "cached the rootfs as $tarball"
fi

log "apt install $(basename "$DEB") in the rootfs"
# /var/tmp: nspawn mounts a tmpfs on /tmp.
cp "$DEB" "$ROOTFS/var/tmp/"
# nspawn without --boot, sharing the host's network: apt fetches vbr's
# dependencies from the mirror, as on a user's machine.
if ! systemd-nspawn -q -D "$ROOTFS" --machine="$MACHINE" --register=no --keep-unit --pipe -E DEBIAN_FRONTEND=noninteractive \
	sh -c "apt-get update -q && apt-get install -y -q /var/tmp/$(basename "$DEB") && rm /var/tmp/$(basename "$DEB")" \
	>"$WORK/apt.log" 2>&1; then
	tail -30 "$WORK/apt.log"
	fail "apt could not install the package"
	exit 1
fi
pass "apt installed the package and its dependencies"

# The test's settings: a small hugepage share of its own (the host's
# hugepages are shared; /sys is read-only in the container, so vbr-setup
# only checks they are enough), net_tap ports, an idle sleep to spare the
# machine's CPUs.
cat >"$ROOTFS/etc/default/vbrd" <<EOF
VBRD_EAL_ARGS="-l 0,1 -m 256 --file-prefix $PREFIX --huge-unlink --no-pci --vdev net_tap0,iface=vbr-tap0 --vdev net_tap1,iface=vbr-tap1 --log-level vbr.*:info"
VBRD_ARGS="--idle-sleep 20"
VBRD_HUGEPAGES=128
EOF
# The shipped config (net_tap0 and net_tap1) with a static route to a host
# behind each port.
sed -i 's|^routes:.*|&\n  - { prefix: 192.168.0.0/16, next_hop: 10.0.0.2 }|' "$ROOTFS/etc/vbr/vbr.yaml"
echo "$MACHINE" >"$ROOTFS/etc/hostname"

# --- boot ---
ip netns add "$NS"
log "booting the container (systemd-nspawn --boot) in namespace $NS"
systemd-nspawn -q -D "$ROOTFS" --boot --register=no --keep-unit --machine="$MACHINE" \
	--network-namespace-path="/run/netns/$NS" \
	--bind=/dev/hugepages --bind=/dev/net/tun \
	--capability=CAP_NET_ADMIN,CAP_IPC_LOCK,CAP_SYS_RAWIO \
	--console=pipe </dev/null >"$WORK/console.log" 2>&1 &
NSPAWN_PID=$!

# The container's PID 1: nspawn's child running systemd.
find_leader() {
	local p
	for p in $(pgrep -P "$NSPAWN_PID"); do
		if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then
			LEADER=$p
			return 0
		fi
	done
	return 1
}
if ! wait_for 30 find_leader; then
	cat "$WORK/console.log"
	fail "the container did not start systemd"
	exit 1
fi
# in_ct CMD...: CMD inside the container (its namespaces, its systemd's bus).
in_ct() { nsenter -t "$LEADER" -m -u -i -n -p -- "$@"; }
booted() { in_ct systemctl is-system-running 2>/dev/null | grep -Eq 'running|degraded'; }
if ! wait_for 90 booted; then
	in_ct systemctl list-jobs
	fail "the container did not finish booting"
	exit 1
fi
pass "the container booted: $(in_ct systemctl is-system-running)"

failed=$(in_ct systemctl --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')
[ -n "$failed" ] && log "failed units in the container (not ours to fix): $failed"

# --- the unit as systemd reads it ---
if out=$(in_ct systemd-analyze verify --man=no vbrd.service 2>&1); then
	pass "systemd-analyze verify vbrd.service: no complaints${out:+ ($out)}"
else
	fail "systemd-analyze verify vbrd.service: $out"
fi
log "systemd-analyze security: $(in_ct systemd-analyze security --no-pager vbrd.service 2>&1 | grep -i 'overall exposure')"

# --- the unit, started at boot (enabled by the package) ---
[ "$(in_ct systemctl is-enabled vbrd)" = enabled ] && pass "vbrd.service is enabled" ||
	fail "vbrd.service is not enabled"
vbrd_up() { in_ct vbrctl --timeout 2 show stats; }
if wait_for 60 vbrd_up; then
	pass "vbrd.service is $(in_ct systemctl is-active vbrd), vbrctl answers on /run/vbr/vbrd.sock"
else
	in_ct systemctl status vbrd --no-pager
	in_ct journalctl -u vbrd --no-pager | tail -40
	fail "vbrd did not start from the unit"
	exit 1
fi
in_ct vbrctl show peers >/dev/null && pass "vbrctl show peers answers" || fail "vbrctl show peers"
in_ct vbrctl show stats | head -5
in_ct journalctl -u vbrd --no-pager | grep -q "forwarding on" &&
	pass "journalctl -u vbrd shows vbrd's lines" || fail "vbrd's log lines are not in the journal"
in_ct journalctl -u vbrd --no-pager | grep -q "vbr-setup: hugepages" &&
	pass "the journal shows vbr-setup's hugepage check" || fail "no vbr-setup line in the journal"
in_ct ip netns list | grep -qw vbr && in_ct ip -n vbr link show vbr-idc >/dev/null &&
	pass "the exception tap vbr-idc is in the namespace vbr" || fail "no vbr-idc in the namespace vbr"

# --- a ping through vbrd: two namespaces inside the container take the
# data taps' kernel sides, as in tests/e2e/lib.sh ---
in_ct sh -e -c '
	ip netns add idc; ip netns add vpc
	ip -n vbr link set vbr-tap0 netns idc; ip -n vbr link set vbr-tap1 netns vpc
	ip -n idc link set lo up; ip -n vpc link set lo up
	ip -n idc link set vbr-tap0 address 02:00:00:00:1d:02 up
	ip -n vpc link set vbr-tap1 address 02:00:00:00:7c:02 up
	ip -n idc addr add 10.0.0.2/30 dev vbr-tap0; ip -n vpc addr add 172.16.0.2/30 dev vbr-tap1
	ip -n idc addr add 192.168.1.1/32 dev lo; ip -n vpc addr add 172.20.0.10/32 dev lo
	ip -n idc route add default via 10.0.0.1; ip -n vpc route add default via 172.16.0.1' ||
	fail "could not set up the namespaces around vbrd"
ping_through() { in_ct ip netns exec idc ping -c 1 -W 1 -I 192.168.1.1 172.20.0.10; }
wait_for 20 ping_through && pass "a ping crosses vbrd (192.168.1.1 -> 172.20.0.10)" ||
	fail "no ping through vbrd"

# --- reload ---
sed -i 's|^routes:.*|&\n  - { prefix: 198.18.0.0/15, next_hop: 172.16.0.2 }|' "$ROOTFS/etc/vbr/vbr.yaml"
if in_ct systemctl reload vbrd; then
	in_ct vbrctl show routes | grep -q 198.18.0.0/15 &&
		pass "systemctl reload vbrd: the new route is in vbrctl show routes" ||
		fail "the reloaded route is not in vbrctl show routes"
else
	fail "systemctl reload vbrd failed"
fi
# A broken config: reload fails, vbrd keeps running with the last good one.
cp "$ROOTFS/etc/vbr/vbr.yaml" "$WORK/good.yaml"
echo "this: [is not" >>"$ROOTFS/etc/vbr/vbr.yaml"
if in_ct systemctl reload vbrd 2>/dev/null; then
	fail "reload of a broken config succeeded"
else
	in_ct systemctl is-active -q vbrd && in_ct vbrctl show routes | grep -q 198.18.0.0/15 &&
		pass "a broken config: reload fails, vbrd keeps its routes" ||
		fail "vbrd did not survive a broken reload"
fi
cp "$WORK/good.yaml" "$ROOTFS/etc/vbr/vbr.yaml"

# --- restart on failure ---
main_pid() { in_ct systemctl show -p MainPID --value vbrd; }
pid1=$(main_pid)
in_ct kill -9 "$pid1"
restarted() {
	local p
	p=$(main_pid)
	[ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$pid1" ] && in_ct vbrctl --timeout 2 show stats
}
if wait_for 60 restarted; then
	pass "kill -9 of vbrd ($pid1): systemd restarted it (now $(main_pid)), vbrctl answers"
	in_ct vbrctl show routes | grep -q 198.18.0.0/15 &&
		pass "the restarted vbrd has the reloaded config's route" ||
		fail "the restarted vbrd lacks the reloaded route"
else
	in_ct systemctl status vbrd --no-pager
	fail "vbrd was not restarted after kill -9"
fi

# --- stop ---
t0=$(date +%s%N)
in_ct systemctl stop vbrd
ms=$((($(date +%s%N) - t0) / 1000000))
st=$(in_ct systemctl is-active vbrd)
result=$(in_ct systemctl show -p Result --value vbrd)
status=$(in_ct systemctl show -p ExecMainStatus --value vbrd)
if [ "$st" = inactive ] && [ "$result" = success ] && [ "$status" = 0 ]; then
	pass "systemctl stop vbrd: inactive in $ms ms, exit status 0"
else
	fail "systemctl stop vbrd: $st, result $result, status $status"
fi
in_ct journalctl -u vbrd --no-pager | grep -q "stopping" &&
	pass "the journal shows vbrd stopping" || fail "no stopping line in the journal"
in_ct journalctl -u vbrd --no-pager | grep -q "vbrd.service: Deactivated successfully" &&
	pass "the journal shows vbrd.service deactivated successfully" ||
	fail "no clean deactivation in the journal"
[ "$ms" -lt 10000 ] || fail "stop took $ms ms"

# --- man pages, as a user reads them ---
in_ct env MANPAGER=cat MANWIDTH=80 man vbr-telemetry 2>/dev/null | grep -q FILE_PREFIX &&
	pass "man vbr-telemetry" || fail "man vbr-telemetry shows nothing"
in_ct env MANPAGER=cat MANWIDTH=80 man vbrctl 2>/dev/null | grep -q "bgp-group create" &&
	pass "man vbrctl shows bgp-group create" || fail "man vbrctl: no bgp-group create"
in_ct env MANPAGER=cat MANWIDTH=80 man 8 vbrd 2>/dev/null | grep -q "^SIGNALS" &&
	pass "man 8 vbrd has SIGNALS" || fail "man 8 vbrd: no SIGNALS section"
in_ct env MANPAGER=cat MANWIDTH=80 man 5 vbr.yaml 2>/dev/null | grep -q "local_asn" &&
	pass "man 5 vbr.yaml documents local_asn" || fail "man 5 vbr.yaml: no local_asn"

if [ "$FAILS" -eq 0 ]; then
	log "package_systemd: all checks passed"
else
	log "package_systemd: $FAILS check(s) failed"
	in_ct journalctl -u vbrd --no-pager | tail -30
fi
