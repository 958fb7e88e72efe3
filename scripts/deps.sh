#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs what vbr needs on Debian 12 (run as root), then sets up 2 MiB
# hugepages. Packages already present are not fetched again.
set -euo pipefail

# dpdk-dev: dpdk-dumpcap (packet capture); tshark reads its pcapng in the tests.
PKGS=(build-essential meson ninja-build pkg-config libdpdk-dev dpdk dpdk-dev libyaml-dev check
	libmnl-dev libjansson-dev nettle-dev clang libclang-rt-14-dev iproute2 iputils-ping python3
	bird2 gobgpd exabgp frr openbgpd procps tcpdump tshark help2man scdoc man-db
	libmicrohttpd-dev prometheus debootstrap systemd-container dpkg-dev debhelper fakeroot lintian)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "vbr: installing ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The Debian BGP daemons' services are not ours to run: tests start their own.
for svc in bird gobgpd frr openbgpd prometheus; do
	if command -v systemctl >/dev/null && systemctl is-active -q "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
	fi
done

hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ "$(cat $hp)" -lt 1024 ]; then
	echo 1024 >$hp
fi
if ! mountpoint -q /dev/hugepages; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages
fi
echo "vbr: hugepages: $(cat $hp) x 2 MiB"
