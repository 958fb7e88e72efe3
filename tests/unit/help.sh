#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vbrd's and vbrctl's --help and --version: on stdout with exit 0, before
# anything else (vbrd starts no EAL, needs no config, hugepages nor root);
# a usage error: stderr only, exit 1 for vbrd, 2 for vbrctl.
# Usage: help.sh VBRD VBRCTL VERSION
set -uo pipefail

vbrd=$1 vbrctl=$2 version=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect RC STDOUT-PATTERN STDERR-PATTERN CMD...: an empty pattern means
# the stream must be empty.
expect() {
	local rc=$1 out=$2 err=$3 got
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	[ "$got" = "$rc" ] || fail "$*: exit $got, not $rc"
	if [ -z "$out" ]; then
		[ ! -s "$tmp/out" ] || fail "$*: stdout not empty: $(head -3 "$tmp/out")"
	else
		grep -q -- "$out" "$tmp/out" || fail "$*: stdout lacks \"$out\": $(head -3 "$tmp/out")"
	fi
	if [ -z "$err" ]; then
		[ ! -s "$tmp/err" ] || fail "$*: stderr not empty: $(head -3 "$tmp/err")"
	else
		grep -q -- "$err" "$tmp/err" || fail "$*: stderr lacks \"$err\": $(head -3 "$tmp/err")"
	fi
}

for args in "--help" "-h" "-- --help" "-- -h" "-l 0 --help" "-- -c x.yaml --help"; do
	# shellcheck disable=SC2086 # the words are the test
	expect 0 '^Usage: vbrd ' '' "$vbrd" $args
done
expect 0 "^vbrd $version\$" '' "$vbrd" --version
expect 0 "^vbrd $version\$" '' "$vbrd" -- --version
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "vbrd --version: more than one line"

expect 1 '' '^usage: vbrd ' "$vbrd"
expect 1 '' 'no "--"' "$vbrd" -c x.yaml
expect 1 '' 'invalid option' "$vbrd" -- -x
expect 1 '' 'unrecognized option' "$vbrd" -- --frob -c x.yaml
expect 1 '' '-c FILE is needed' "$vbrd" --
expect 1 '' 'unexpected argument "extra"' "$vbrd" -- -c x.yaml extra
expect 1 '' '--idle-sleep needs microseconds' "$vbrd" -- -c x.yaml --idle-sleep 2000000
# Past the command line: the config is read (and refused), still no EAL.
expect 1 '' 'x-missing.yaml' "$vbrd" -- -c "$tmp/x-missing.yaml"

expect 0 '^Usage: vbrctl ' '' "$vbrctl" --help
expect 0 '^Usage: vbrctl ' '' "$vbrctl" -h
expect 0 "^vbrctl $version\$" '' "$vbrctl" --version
expect 2 '' '^usage: vbrctl ' "$vbrctl" frob
expect 2 '' 'unknown option --frob' "$vbrctl" --frob show peers

# Without root: a user who can reach the binary gets the same.
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null &&
	runuser -u nobody -- test -x "$vbrd" 2>/dev/null; then
	expect 0 '^Usage: vbrd ' '' runuser -u nobody -- "$vbrd" --help
	expect 0 "^vbrd $version\$" '' runuser -u nobody -- "$vbrd" --version
fi

[ "$fails" = 0 ] || exit 1
echo "ok: --help, --version and usage errors of vbrd and vbrctl"
