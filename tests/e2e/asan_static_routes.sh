#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The static-route test with vbrd built with ASan and UBSan (build-asan):
# any error or leak at exit fails it (lib.sh's cleanup reads the log).
export VBRD=${VBR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build-asan/vbrd
exec bash "$(dirname "$0")/static_routes.sh"
