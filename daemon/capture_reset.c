/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr-capture-reset: removes the packet capture callbacks that a
 * dpdk-dumpcap killed with SIGKILL left on vbrd's ports.
 *
 *   vbr-capture-reset PREFIX DEVICE...
 *
 * dumpcap asks vbrd (over EAL's multi-process channel) to install copy
 * callbacks on every rx and tx queue of a port, and to remove them when it
 * stops. Killed, it cannot: vbrd forwards on, but copies each packet of
 * that port into a ring nobody reads, and refuses the port to the next
 * dumpcap ("Packet dump enable failed"). This DPDK secondary process sends
 * the request the dead dumpcap did not. It must not be run on a port a
 * live dumpcap captures: that one would then see nothing more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

int
main(int argc, char **argv)
{
	char prefix[256];
	/* A secondary of vbrd's; it needs no device of its own and would
	 * only complain about the PCI devices vbrd does not drive. */
	char *eal_argv[] = { argv[0], "--proc-type=secondary", prefix, "--no-pci",
		"--log-level=lib.eal:error", NULL };
	int rc = EXIT_SUCCESS;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("Usage: vbr-capture-reset PREFIX DEVICE...\n"
		       "Removes the packet capture callbacks that a dpdk-dumpcap killed with\n"
		       "SIGKILL left on vbrd's ports, so they can be captured again without\n"
		       "restarting vbrd. Never run it on a port a live dumpcap captures.\n"
		       "\n"
		       "  PREFIX     vbrd's --file-prefix (vbr under vbrd.service)\n"
		       "  DEVICE     a port's DPDK name, as dpdk-dumpcap -D lists them\n"
		       "  --help     this text\n"
		       "  --version  the version\n"
		       "\n"
		       "Exit status: 0 when every DEVICE had callbacks removed, 1 otherwise.\n");
		return EXIT_SUCCESS;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("vbr-capture-reset " VBR_VERSION "\n");
		return EXIT_SUCCESS;
	}
	if (argc < 3 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: vbr-capture-reset PREFIX DEVICE...\n"
				"Try 'vbr-capture-reset --help' for more information.\n");
		return EXIT_FAILURE;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", argv[1]);
	if (rte_eal_init(5, eal_argv) < 0) {
		fprintf(stderr, "%s: cannot attach to vbrd (--file-prefix %s): %s\n", argv[0],
				argv[1], rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	for (int i = 2; i < argc; i++) {
		/* dumpcap always captures every queue, rx and tx. */
		if (rte_pdump_disable_by_deviceid(argv[i], RTE_PDUMP_ALL_QUEUES,
				    RTE_PDUMP_FLAG_RXTX) == 0) {
			printf("%s: capture callbacks removed\n", argv[i]);
		} else {
			fprintf(stderr, "%s: nothing removed (no such port, or no capture "
					"left on it: vbrd's log says which)\n",
					argv[i]);
			rc = EXIT_FAILURE;
		}
	}
	rte_eal_cleanup();
	return rc;
}
