/* SPDX-License-Identifier: BSD-3-Clause */
/* The control thread's log (rte_log type "vbr.control"). */
#pragma once

#include <rte_log.h>

extern int vbr_logtype_ctl;
#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vbr_logtype_ctl, "control: " fmt "\n", ##__VA_ARGS__)
#define BGP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vbr_logtype_ctl, "bgp: " fmt "\n", ##__VA_ARGS__)
