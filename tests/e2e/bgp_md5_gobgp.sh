#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The TCP-MD5 test with GoBGP as the peers.
export DAEMON=gobgp
exec bash "$(dirname "$0")/bgp_md5.sh"
