/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FIB == RIB, checked: the RIB's comparison (rib_fib_check) run against the
 * FIB's active copy, and its report as telemetry (/vbr/fib_check).
 */
#pragma once

#include <rte_telemetry.h>

#include "fib.h"
#include "rib.h"

/* The caller holds what keeps both still: the RIB's owner and the FIB
 * writer (the control thread's lock, then the FIB's). */
int fib_check_run(const struct rib *rib, struct fib *fib, struct rib_check_report *rep);

/* The report as a telemetry dict; in_flight_ops: the RIB's fib_pending. */
void fib_check_tel(const struct rib_check_report *rep, uint64_t fib_pending, uint64_t ms,
	struct rte_tel_data *d);
