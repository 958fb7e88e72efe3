/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Large tables on the heap that are probed at random (the RIB's and the
 * FIB's prefix indexes, the RIB's entries) miss the TLB on nearly every
 * probe with 4 KiB pages: a full table's index spans thousands of pages.
 * Asking for transparent huge pages (Linux's default mode "madvise" gives
 * them only to ranges that ask) takes most of those misses away. Only a
 * hint: without THP nothing changes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#define HEAP_ADVISE_MIN (4u << 20)

static inline void
heap_advise_huge(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	if (p != NULL && len >= HEAP_ADVISE_MIN && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}
