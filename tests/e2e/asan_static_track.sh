#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# static_track.sh with vbrd and vbrctl built with ASan and UBSan (build-asan):
# the health checks' socket, their states, the routes they move and a
# tracked ECMP route run sanitized; any error or leak of vbrd's fails it
# (lib.sh's cleanup reads its log).
export VBR_BUILD=${VBR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build-asan
exec bash "$(dirname "$0")/static_track.sh"
