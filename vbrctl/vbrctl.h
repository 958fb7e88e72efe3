/* SPDX-License-Identifier: BSD-3-Clause */
/* vbrctl's rooms: main.c reads the command line, client.c talks to vbrd,
 * show.c prints what vbrd answers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

#define VBRCTL_SOCKET "/run/vbr/vbrd.sock"
#define VBRCTL_RO_SOCKET "/run/vbr/vbrd-ro.sock"
#define VBRCTL_TIMEOUT_S 30

/* --- client.c --- */

/* Connects to path, waiting at most timeout_s. 0, or -errno with
 * "cannot connect to PATH: why (is vbrd running?)" in err. */
int client_connect(const char *path, int timeout_s, int *fd, char *err, size_t errlen);

/* Called for each record of the reply; owns rec. Non-zero stops. */
typedef int (*client_record_fn)(json_t *rec, void *arg);

/*
 * Sends request (one line) on fd, then reads the reply, giving each record
 * to fn. Every wait is bounded by timeout_s without a byte moving. Returns
 * 0 if vbrd said ok, else -1 with vbrd's error (or what went wrong on the
 * way) in err. Closes fd.
 */
int client_call(int fd, const char *path, const char *request, int timeout_s, client_record_fn fn,
	void *arg, char *err, size_t errlen);

/* --- show.c --- */

struct printer;

/* What prints op's reply: human tables, or JSON with json. lookup: show.fib
 * was given an address (one record, the lookup's). */
struct printer *printer_new(enum api_op op, bool json, bool lookup);
/* client_record_fn for the printer. */
int printer_record(json_t *rec, void *printer);
/* Prints what was held back (aligned tables, the end of a JSON array, a
 * mutation's {"ok": true}); 0 or -1 with a message in err. */
int printer_finish(struct printer *p, char *err, size_t errlen);
void printer_free(struct printer *p);
