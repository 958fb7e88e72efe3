#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The limit test with max_prefixes_action: teardown.
export ACTION=teardown
exec bash "$(dirname "$0")/bgp_limits.sh"
