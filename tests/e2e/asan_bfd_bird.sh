#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bfd_bird.sh with vbrd and vbrctl built with ASan and UBSan (build-asan): the
# BFD thread, its sessions' add/change/removal from the control thread and
# their reports back run sanitized; any error or leak of vbrd's fails it
# (lib.sh's cleanup reads its log).
export VBR_BUILD=${VBR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/build-asan
exec bash "$(dirname "$0")/bfd_bird.sh"
