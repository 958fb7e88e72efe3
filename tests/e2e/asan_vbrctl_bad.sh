#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The bad-request test with vbrd built with ASan and UBSan (build-asan):
# every refused console step, malformed or oversized request and silent
# client goes through the error paths; any error or leak at exit fails it
# (lib.sh's cleanup reads the log).
export VBRD=${VBR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build-asan/vbrd
exec bash "$(dirname "$0")/vbrctl_bad.sh"
