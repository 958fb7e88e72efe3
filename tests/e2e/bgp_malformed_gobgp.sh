#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The malformed-message test with GoBGP as the good peer beside the raw one.
export DAEMON=gobgp
exec bash "$(dirname "$0")/bgp_malformed.sh"
