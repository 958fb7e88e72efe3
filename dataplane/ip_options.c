/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 options (RFC 791 section 3.1) as the forwarding step sees them: only
 * on the rare packets whose header is longer than 20 bytes. Options that run
 * past the header are malformed; loose and strict source routes are dropped,
 * as RFC 7126 (4.3, 4.4) recommends by default: they let a sender steer
 * traffic around the filters of the networks in between.
 */
#include <errno.h>
#include <netinet/ip.h>

#include "dataplane.h"

int
ipv4_opt_next(const uint8_t *opt, unsigned len, unsigned *pos, unsigned *olen)
{
	unsigned i = *pos;

	if (i >= len || opt[i] == IPOPT_EOL)
		return 0;
	if (opt[i] == IPOPT_NOP) {
		*olen = 1;
	} else {
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return -EINVAL;
		*olen = opt[i + 1];
	}
	*pos = i + *olen;
	return 1;
}

enum vbr_counter
ipv4_options_check(const uint8_t *opt, unsigned len)
{
	unsigned pos = 0, olen;
	int rc;

	while ((rc = ipv4_opt_next(opt, len, &pos, &olen)) > 0) {
		uint8_t type = opt[pos - olen];

		if (type == IPOPT_LSRR || type == IPOPT_SSRR)
			return CNT_DROP_SOURCE_ROUTE;
	}
	return rc < 0 ? CNT_DROP_BAD_OPTIONS : 0;
}
