#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite, on a fresh Debian 12 machine as root: installs what is
# needed, builds (optimised and ASan+UBSan), runs the unit tests in both
# builds, then the end-to-end tests (net_tap ports, network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
bash scripts/build.sh --asan

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# DPDK maps its memory at fixed addresses; ASan must not take them first,
# and LeakSanitizer reports what DPDK keeps for the process's life too.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

echo "== unit tests (optimised build)"
meson test -C build --suite unit --print-errorlogs
echo "== unit tests (ASan + UBSan)"
meson test -C build-asan --suite unit --print-errorlogs --timeout-multiplier 3

echo "== fuzzing (libFuzzer, ASan + UBSan): the BGP decoder (60 s), the config loader (30 s), the forwarding step (60 s)"
meson test -C build --suite fuzz --print-errorlogs

echo "== end-to-end tests"
failed=0
for t in tests/e2e/*.sh; do
	case "$t" in *lib.sh) continue ;; esac
	echo "-- $t"
	if ! timeout 600 bash "$t"; then
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "== $failed end-to-end test(s) failed"
	exit 1
fi
echo "== all tests passed"
