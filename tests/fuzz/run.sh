#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build a fuzzer with clang (libFuzzer, ASan, UBSan, no recovery) and run it
# for a bounded time. Fails on any crash, leak, sanitizer report or broken
# invariant. The committed seed corpus is copied to a scratch directory
# first, so a run never changes it.
#
#   tests/fuzz/run.sh [BUILD_DIR (build-fuzz)] [SECONDS (60)] [TARGET (bgp_msg)]
#
# TARGET: bgp_msg (the BGP message decoder, round trips), config (the YAML
# config loader, with the product's rules on what it accepts, and the
# writer's round trip), forward
# (the forwarding step and the exception path's parsers, on crafted frames)
# or bfd (BFD's receive path: the control packet's checks, authentication,
# the session's state machine).
# A crash leaves its input as BUILD_DIR/TARGET-crash-*; replay it with
#   BUILD_DIR/fuzz_TARGET BUILD_DIR/TARGET-crash-...
set -eu

build=${1:-build-fuzz}
secs=${2:-60}
target=${3:-bgp_msg}
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

mkdir -p "$build"
flags="-std=gnu11 -g -O1 -Wall -Wextra -Werror"
fuzz="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
work="$build/corpus-$target"
rm -rf "$work"
mkdir -p "$work"
extra=""

case "$target" in
bgp_msg)
	srcs=""
	for f in bgp_msg.c bgp_codec_open.c bgp_codec_update.c bgp_attr.c bgp_attr_aspath.c \
		bgp_codec_names.c; do
		srcs="$srcs $root/control/$f"
	done
	# shellcheck disable=SC2086
	"$cc" $flags -I"$root/control" $fuzz "$here/fuzz_bgp_msg.c" $srcs -o "$build/fuzz_bgp_msg"
	# shellcheck disable=SC2086
	"$cc" $flags -I"$root/control" "$here/gen_corpus.c" $srcs -o "$build/gen_corpus"
	cp "$here"/corpus/* "$work"/
	"$build/gen_corpus" "$work"
	;;
config)
	srcs=""
	for f in config.c walk.c schema.c inet.c value.c rules.c writer.c; do
		srcs="$srcs $root/config/$f"
	done
	# shellcheck disable=SC2086
	"$cc" $flags -I"$root/config" $(pkg-config --cflags yaml-0.1) $fuzz \
		"$here/fuzz_config.c" $srcs $(pkg-config --libs yaml-0.1) -o "$build/fuzz_config"
	# The example configs are the seeds; the dictionary holds the schema's keys.
	cp "$root"/config/examples/*.yaml "$work"/
	extra="-dict=$here/config.dict"
	;;
forward)
	srcs=""
	for f in dataplane/forward.c dataplane/punt.c dataplane/peer_set.c dataplane/ip_frag.c dataplane/ip_options.c dataplane/icmp.c dataplane/arp.c \
		dataplane/counters.c lpm/dir24.c lpm/fib.c lpm/fib_writer.c lpm/fib_neigh.c lpm/fib_nexthop.c lpm/fib_group.c \
		lpm/route_sender.c config/config.c config/walk.c config/schema.c config/inet.c \
		config/value.c config/rules.c config/writer.c; do
		srcs="$srcs $root/$f"
	done
	inc="-I$root/dataplane -I$root/lpm -I$root/config"
	# shellcheck disable=SC2086
	"$cc" $flags -Wno-unused-command-line-argument -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API $inc \
		$(pkg-config --cflags libdpdk yaml-0.1) $fuzz "$here/fuzz_forward.c" $srcs \
		$(pkg-config --libs libdpdk yaml-0.1) -lrte_net_ring -o "$build/fuzz_forward"
	python3 "$here/gen_frames.py" "$work"
	# Jumbo frames too: the VPC MTU can be 9000.
	extra="-max_len=9700"
	;;
bfd)
	srcs=""
	for f in bfd_packet.c bfd_fsm.c bfd_auth.c digest.c; do
		srcs="$srcs $root/control/$f"
	done
	# shellcheck disable=SC2086
	"$cc" $flags -I"$root/control" $fuzz "$here/fuzz_bfd.c" $srcs $(pkg-config --libs nettle) \
		-o "$build/fuzz_bfd"
	# Seeds: an unauthenticated Down, an Up with Poll, a SHA1 one (first
	# byte: the session's authentication type, none or 3).
	printf '\000\040\100\003\030\000\000\000\001\000\000\000\000\000\017\102\100\000\017\102\100\000\000\000\000' >"$work/down"
	printf '\000\040\340\003\030\000\000\000\001\000\000\022\064\000\004\223\340\000\004\223\340\000\000\000\000' >"$work/up-poll"
	printf '\003\040\104\003\064\000\000\000\001\000\000\000\000\000\017\102\100\000\017\102\100\000\000\000\000\004\034\001\000\000\000\000\010' >"$work/sha1"
	head -c 20 /dev/zero >>"$work/sha1"
	;;
*)
	echo "run.sh: unknown target $target" >&2
	exit 2
	;;
esac

# libFuzzer exits non-zero on a crash, a leak or a timeout.
# shellcheck disable=SC2086
"$build/fuzz_$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$build/$target-" $extra "$work"
