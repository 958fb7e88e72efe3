#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ecmp_bgp.sh with BFD 300 ms x 3 on both IDC routers' sessions (issue 9):
# a router cut off leaves the group by BFD; its flows move to the survivor
# within a second, the survivor's flows lose nothing.
export ECMP_BFD=1
exec bash "$(dirname "$0")/ecmp_bgp.sh"
