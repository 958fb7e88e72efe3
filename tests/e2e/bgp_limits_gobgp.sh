#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The limit test with GoBGP as the peer.
export DAEMON=gobgp
exec bash "$(dirname "$0")/bgp_limits.sh"
