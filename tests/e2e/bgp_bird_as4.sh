#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The BIRD test with a 4-byte peer ASN.
export PEER_ASN=4200000001
exec bash "$(dirname "$0")/bgp_bird.sh"
