#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The static-route test again with two forwarding lcores (one queue pair per
# lcore per port; the machine has two cores, so lcores 1 and 2 share one).
export VBR_LCORES="--lcores 0@0,1@1,2@1"
exec bash "$(dirname "$0")/static_routes.sh"
