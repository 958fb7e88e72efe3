#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The malformed-message test with vbrd built with ASan and UBSan.
export VBRD=${VBR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build-asan/vbrd
exec bash "$(dirname "$0")/bgp_malformed.sh"
