#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vbrctl_live.sh with vbrd and vbrctl built with ASan and UBSan (build-asan): any
# error or leak of vbrd's fails it (lib.sh's cleanup reads its log), and a
# vbrctl that leaks exits non-zero (LeakSanitizer), failing its command.
export VBR_BUILD=${VBR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build-asan
exec bash "$(dirname "$0")/vbrctl_live.sh"
