#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds vbr: build/ (optimised) and, with --asan, build-asan/ (AddressSanitizer
# and UndefinedBehaviorSanitizer, for the unit tests), or, with --static,
# build-static/ (DPDK's static libraries linked in: meson -Ddpdk_static=true;
# needs libdpdk-dev's .a files and libsystemd-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--static" ]; then
	[ -d build-static ] || meson setup build-static --buildtype=release \
		-Db_ndebug=if-release -Ddpdk_static=true
	ninja -C build-static
	exit 0
fi
[ -d build ] || meson setup build --buildtype=release -Db_ndebug=if-release -Dman=enabled
ninja -C build
if [ "${1:-}" = "--asan" ]; then
	[ -d build-asan ] || meson setup build-asan --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
fi
