#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds vbr: build/ (optimised) and, with --asan, build-asan/ (AddressSanitizer
# and UndefinedBehaviorSanitizer, for the unit tests).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d build ] || meson setup build --buildtype=release -Db_ndebug=if-release
ninja -C build
if [ "${1:-}" = "--asan" ]; then
	[ -d build-asan ] || meson setup build-asan --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
fi
