/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of the counters, from the one table in counters.h. */
#include "counters.h"

const char *const vbr_counter_names[CNT_MAX] = {
#define X(id, name, help) [CNT_##id] = name,
	VBR_COUNTERS(X)
#undef X
};

const char *const vbr_counter_help[CNT_MAX] = {
#define X(id, name, help) [CNT_##id] = help,
	VBR_COUNTERS(X)
#undef X
};
