#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The GoBGP test with a 4-byte peer ASN.
export PEER_ASN=4200000002
exec bash "$(dirname "$0")/bgp_gobgp.sh"
