#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the BGP codec fuzzer with clang (libFuzzer, ASan, UBSan, no recovery)
# and run it for a bounded time. Fails on any crash, leak, sanitizer report
# or round-trip mismatch. The committed seed corpus is copied to a scratch
# directory first, so a run never changes it.
#
#   tests/fuzz/run.sh [BUILD_DIR (build-fuzz)] [SECONDS (60)]
#
# A crash leaves its input as BUILD_DIR/crash-*; replay it with
#   BUILD_DIR/fuzz_bgp_msg BUILD_DIR/crash-...
set -eu

build=${1:-build-fuzz}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

cc=${CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14; do
		if command -v "$c" >/dev/null 2>&1; then
			cc=$c
			break
		fi
	done
fi
[ -n "$cc" ] || { echo "run.sh: clang not found" >&2; exit 1; }

codec="bgp_msg.c bgp_codec_open.c bgp_codec_update.c bgp_attr.c bgp_attr_aspath.c bgp_codec_names.c"
srcs=""
for f in $codec; do
	srcs="$srcs $root/control/$f"
done

mkdir -p "$build"
flags="-std=gnu11 -g -O1 -Wall -Wextra -Werror -I$root/control"
# shellcheck disable=SC2086
"$cc" $flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	"$here/fuzz_bgp_msg.c" $srcs -o "$build/fuzz_bgp_msg"
# shellcheck disable=SC2086
"$cc" $flags "$here/gen_corpus.c" $srcs -o "$build/gen_corpus"

work="$build/corpus-run"
rm -rf "$work"
mkdir -p "$work"
cp "$here"/corpus/* "$work"/
"$build/gen_corpus" "$work"

# libFuzzer exits non-zero on a crash, a leak or a timeout.
"$build/fuzz_bgp_msg" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$build/" "$work"
