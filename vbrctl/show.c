/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What vbrctl prints of vbrd's replies. Human output: tables with a header
 * line and aligned columns, as BIRD's `show protocols` and `show route`
 * (the routes and the FIB stream in fixed columns: a full table is never
 * held in memory); stats as "port counter value" lines; the config as
 * YAML-like indented text. --json: a list show prints a JSON array of its
 * records, stats and config their one object, a mutation {"ok": true}.
 * A group's key is never printed, whatever vbrd sends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vbrctl.h"

#define MAX_COLS 12
#define SEP "  "

struct table {
	unsigned int ncols;
	const char *const *heads; /* NULL: no header line */
	const bool *right;	  /* numbers: right-aligned */
	char *(*rows)[MAX_COLS];
	size_t n;
	size_t cap;
};

struct printer {
	enum api_op op;
	bool json;
	bool lookup;
	size_t count;
	struct table table;
	json_t *single; /* show.stats, show.config: their one record */
	bool failed;	/* out of memory along the way */
};

/* ------------------------------------------------------------ cell text */

/* What a terminal shows safely: control characters become '?'. */
static void
put_sanitized(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void put_text(FILE *f, const json_t *v, const char *sep);

static void
put_array(FILE *f, const json_t *a, const char *sep)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		if (i > 0)
			fputs(sep, f);
		if (json_is_array(e)) {
			/* An AS_SET inside an AS path. */
			fputc('{', f);
			put_array(f, e, " ");
			fputc('}', f);
		} else {
			put_text(f, e, sep);
		}
	}
}

static void
put_text(FILE *f, const json_t *v, const char *sep)
{
	char *s;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		put_sanitized(f, json_string_value(v)[0] ? json_string_value(v) : "-");
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", f);
		break;
	case JSON_FALSE:
		fputs("no", f);
		break;
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			fputs("-", f);
		else
			put_array(f, v, sep);
		break;
	case JSON_OBJECT:
		s = json_dumps(v, JSON_COMPACT);
		put_sanitized(f, s ? s : "?");
		free(s);
		break;
	case JSON_NULL:
		fputs("-", f);
		break;
	}
}

/* v as a table cell, malloc'd; NULL if out of memory. */
static char *
cell(const json_t *v, const char *sep)
{
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	put_text(f, v, sep);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static char *
member(const json_t *rec, const char *key)
{
	return cell(json_object_get(rec, key), ",");
}

static char *
strdup_or_dash(const char *s)
{
	return strdup(s && *s ? s : "-");
}

/* ---------------------------------------------------------------- tables */

/* Prints one line of cells in widths (the last column unpadded), without
 * trailing blanks. */
static void
print_line(unsigned int ncols, char *const *cells, const size_t *widths, const bool *right)
{
	char line[4096];
	size_t len = 0;

	for (unsigned int i = 0; i < ncols && len < sizeof(line); i++) {
		const char *c = cells[i] ? cells[i] : "";
		bool r = right && right[i];
		int w = i + 1 < ncols || r ? (int)widths[i] : 0;
		int n = snprintf(line + len, sizeof(line) - len, "%s%*s", i ? SEP : "",
			r ? w : -w, c);

		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (len >= sizeof(line)) {
		/* A cell longer than a line: print the cells as they are. */
		for (unsigned int i = 0; i < ncols; i++)
			printf("%s%s", i ? SEP : "", cells[i] ? cells[i] : "");
		putchar('\n');
		return;
	}
	while (len > 0 && line[len - 1] == ' ')
		len--;
	printf("%.*s\n", (int)len, line);
}

/* Takes the cells (malloc'd); 0 or -ENOMEM (then frees them). */
static int
table_add(struct table *t, char **cells)
{
	for (unsigned int i = 0; i < t->ncols; i++)
		if (cells[i] == NULL)
			goto nomem;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		void *p = realloc(t->rows, cap * sizeof(*t->rows));

		if (p == NULL)
			goto nomem;
		t->rows = p;
		t->cap = cap;
	}
	memcpy(t->rows[t->n++], cells, t->ncols * sizeof(char *));
	return 0;
nomem:
	for (unsigned int i = 0; i < t->ncols; i++)
		free(cells[i]);
	return -ENOMEM;
}

static void
table_print(const struct table *t)
{
	size_t widths[MAX_COLS] = {0};

	for (unsigned int i = 0; i < t->ncols; i++) {
		if (t->heads)
			widths[i] = strlen(t->heads[i]);
		for (size_t r = 0; r < t->n; r++)
			if (strlen(t->rows[r][i]) > widths[i])
				widths[i] = strlen(t->rows[r][i]);
	}
	if (t->heads)
		print_line(t->ncols, (char *const *)t->heads, widths, NULL);
	for (size_t r = 0; r < t->n; r++)
		print_line(t->ncols, t->rows[r], widths, t->right);
}

static void
table_free(struct table *t)
{
	for (size_t r = 0; r < t->n; r++)
		for (unsigned int i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
	free(t->rows);
}

/* ------------------------------------------------------------ the shows */

static const char *const peer_heads[] = {"Address", "Group", "ASN", "State", "Uptime",
	"Received", "Installed", "Over-limit", "Msgs-in", "Msgs-out", "Info"};
static const bool peer_right[] = {false, false, false, false, true, true, true, true, true, true,
	false};

static char *
uptime(const json_t *rec)
{
	const char *state = json_string_value(json_object_get(rec, "state"));
	json_int_t s = json_integer_value(json_object_get(rec, "uptime_s"));
	char buf[64];

	if (state == NULL || strcmp(state, "Established") != 0 || s < 0)
		return strdup("-");
	if (s >= 86400)
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT "d%02d:%02d:%02d", s / 86400,
			(int)(s % 86400 / 3600), (int)(s % 3600 / 60), (int)(s % 60));
	else
		snprintf(buf, sizeof(buf), "%02d:%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60),
			(int)(s % 60));
	return strdup(buf);
}

/* Why a peer is where it is: disabled, its last error while it is not up,
 * else its description. */
static char *
peer_info(const json_t *rec)
{
	const char *state = json_string_value(json_object_get(rec, "state"));
	const char *error = json_string_value(json_object_get(rec, "last_error"));
	const char *desc = json_string_value(json_object_get(rec, "description"));
	bool up = state && strcmp(state, "Established") == 0;
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	if (json_is_false(json_object_get(rec, "enabled")))
		fputs("disabled", f);
	if (!up && error && *error) {
		fputs(ftell(f) ? ": " : "", f);
		put_sanitized(f, error);
	} else if (ftell(f) == 0 && desc && *desc) {
		put_sanitized(f, desc);
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int
peer_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "address"), member(rec, "group"), member(rec, "peer_asn"),
		member(rec, "state"), uptime(rec), member(rec, "prefixes_received"),
		member(rec, "prefixes_installed"), member(rec, "prefixes_over_limit"),
		member(rec, "msgs_in"), member(rec, "msgs_out"), peer_info(rec)};

	return table_add(&p->table, c);
}

static const char *const group_heads[] = {"Name", "ASN", "Key", "Max-prefixes", "Action",
	"Hold-time", "Peers", "Description"};
static const bool group_right[] = {false, false, false, true, false, true, false, false};

static int
group_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "name"), member(rec, "peer_asn"),
		strdup(json_is_true(json_object_get(rec, "key_set")) ? "set" : "-"),
		member(rec, "max_prefixes"), member(rec, "max_prefixes_action"),
		member(rec, "hold_time"), member(rec, "peers"), member(rec, "description")};

	return table_add(&p->table, c);
}

static const char *const network_heads[] = {"CIDR"};

static int
network_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "cidr")};

	return table_add(&p->table, c);
}

static const char *const neighbor_heads[] = {"Address", "MAC", "Port", "Static"};

static int
neighbor_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "address"), member(rec, "mac"), member(rec, "port"),
		member(rec, "static")};

	return table_add(&p->table, c);
}

static const char *const track_heads[] = {"Next-hop", "Port", "State", "Since", "Interval",
	"Misses", "Missed", "Sent", "Answered", "RTT-us", "Flaps", "Routes"};
static const bool track_right[] = {false, false, false, true, true, true, true, true, true, true,
	true, true};

static int
track_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "next_hop"), member(rec, "port"), member(rec, "state"),
		member(rec, "since_s"), member(rec, "interval"), member(rec, "misses"),
		member(rec, "missed"), member(rec, "sent"), member(rec, "answered"),
		member(rec, "rtt_us"), member(rec, "flaps"), member(rec, "routes")};

	return table_add(&p->table, c);
}

static const char *const lookup_heads[] = {"Address", "Prefix", "Next-hop", "Port", "Type"};

/* A group's members' addresses (show fib: "next_hops"), joined by sep. */
static char *
group_next_hops(const json_t *rec, const char *sep)
{
	const json_t *members = json_object_get(rec, "next_hops");
	json_t *addrs = json_array(), *m;
	char *s;
	size_t i;

	if (addrs == NULL)
		return NULL;
	json_array_foreach(members, i, m)
		json_array_append(addrs, json_object_get(m, "next_hop"));
	s = cell(addrs, sep);
	json_decref(addrs);
	return s;
}

static int
lookup_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "address"), member(rec, "prefix"),
		json_object_get(rec, "next_hops") ? group_next_hops(rec, ",")
						  : member(rec, "next_hop"),
		member(rec, "port"), member(rec, "type")};

	return table_add(&p->table, c);
}

/* --- show bfd: one line per session, as `show bfd neighbors` reads --- */

static const char *const bfd_heads[] = {"Peer", "State", "Since", "Tx-ms", "Rx-ms", "Detect-ms",
	"Mult", "LD/RD", "Flaps", "In/Out/Drop", "Diag"};
static const bool bfd_right[] = {false, false, true, true, true, true, true, false, true, true,
	false};

static json_int_t
int_of(const json_t *rec, const char *key)
{
	return json_integer_value(json_object_get(rec, key));
}

/* Time in the state, as the peers' uptime. */
static char *
bfd_since(const json_t *rec)
{
	json_int_t s = int_of(rec, "state_ms") / 1000;
	char buf[64];

	if (s >= 86400)
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT "d%02d:%02d:%02d", s / 86400,
			(int)(s % 86400 / 3600), (int)(s % 3600 / 60), (int)(s % 60));
	else
		snprintf(buf, sizeof(buf), "%02d:%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60),
			(int)(s % 60));
	return strdup(buf);
}

static char *
bfd_pair(const json_t *rec, const char *a, const char *b, const char *c)
{
	char *s = NULL;

	if (c)
		return asprintf(&s, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
				   "/%" JSON_INTEGER_FORMAT, int_of(rec, a), int_of(rec, b),
			       int_of(rec, c)) < 0 ? NULL : s;
	return asprintf(&s, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT, int_of(rec, a),
		       int_of(rec, b)) < 0 ? NULL : s;
}

/* Why it went Down last, ours then the remote's (for a session Up that
 * never flapped, nothing: what the remote said while coming up is no
 * news); "removing" while it tells the remote AdminDown. */
static char *
bfd_diag(const json_t *rec)
{
	const char *l = json_string_value(json_object_get(rec, "local_diag"));
	const char *r = json_string_value(json_object_get(rec, "remote_diag"));
	const char *st = json_string_value(json_object_get(rec, "state"));
	bool quiet = st && strcmp(st, "Up") == 0 && int_of(rec, "flaps") == 0;
	bool lset = !quiet && l && strcmp(l, "No Diagnostic") != 0;
	bool rset = !quiet && r && strcmp(r, "No Diagnostic") != 0;
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	if (json_is_true(json_object_get(rec, "removing")))
		fputs("removing; ", f);
	if (lset)
		put_sanitized(f, l);
	if (rset) {
		fputs(lset ? "; remote: " : "remote: ", f);
		put_sanitized(f, r);
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int
bfd_row(struct printer *p, const json_t *rec)
{
	char *c[] = {member(rec, "peer"), member(rec, "state"), bfd_since(rec),
		member(rec, "tx_interval_ms"), member(rec, "rx_interval_ms"),
		member(rec, "detect_time_ms"), member(rec, "remote_multiplier"),
		bfd_pair(rec, "local_discriminator", "remote_discriminator", NULL),
		member(rec, "flaps"), bfd_pair(rec, "rx_packets", "tx_packets", "dropped"),
		bfd_diag(rec)};

	return table_add(&p->table, c);
}

/* The streamed shows: fixed columns wide enough for IPv4 (a prefix is at
 * most 18 characters, an address 15). */
static const char *const route_heads[] = {"Prefix", " ", "Source", "Next-hop", "Peer",
	"AS-path"};
static const size_t route_widths[] = {18, 1, 9, 15, 15, 0};
static const char *const fib_heads[] = {"Prefix", "Next-hop", "Port", "Type"};
static const size_t fib_widths[] = {18, 15, 6, 0};

static void
stream_header(struct printer *p)
{
	if (p->op == API_SHOW_ROUTES)
		print_line(6, (char *const *)route_heads, route_widths, NULL);
	else
		print_line(4, (char *const *)fib_heads, fib_widths, NULL);
}

static void
free_cells(char **c, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(c[i]);
}

/* One line per path, the best marked '*'; the prefix on the first. */
static int
route_lines(const json_t *rec)
{
	const json_t *paths = json_object_get(rec, "paths");
	size_t i, n = json_array_size(paths);
	json_t *path;

	if (n == 0) {
		char *c[6] = {member(rec, "prefix")};

		if (c[0] == NULL)
			return -ENOMEM;
		print_line(1, c, route_widths, NULL);
		free(c[0]);
		return 0;
	}
	json_array_foreach(paths, i, path) {
		/* '*' the best path, '=' another of its multipath set (as FRR). */
		char *c[] = {i == 0 ? member(rec, "prefix") : strdup(""),
			strdup(json_is_true(json_object_get(path, "best"))	   ? "*"
			       : json_is_true(json_object_get(path, "multipath")) ? "="
										   : ""),
			member(path, "source"),
			json_object_get(path, "next_hops") ? member(path, "next_hops")
							   : member(path, "next_hop"),
			json_object_get(path, "peer") ? member(path, "peer") : strdup("-"),
			json_object_get(path, "as_path") ? cell(json_object_get(path, "as_path"), " ")
							 : strdup("-")};

		for (unsigned int k = 0; k < 6; k++)
			if (c[k] == NULL) {
				free_cells(c, 6);
				return -ENOMEM;
			}
		print_line(6, c, route_widths, NULL);
		free_cells(c, 6);
	}
	return 0;
}

/* One line; a group's members one per line, the first on the prefix's. */
static int
fib_line(const json_t *rec)
{
	const json_t *members = json_object_get(rec, "next_hops");
	size_t n = json_array_size(members);
	char *c[] = {member(rec, "prefix"),
		n ? member(json_array_get(members, 0), "next_hop") : member(rec, "next_hop"),
		member(rec, "port"), member(rec, "type")};
	int rc = 0;

	for (unsigned int k = 0; k < 4; k++)
		if (c[k] == NULL)
			rc = -ENOMEM;
	if (rc == 0)
		print_line(4, c, fib_widths, NULL);
	free_cells(c, 4);
	for (size_t i = 1; rc == 0 && i < n; i++) {
		char *m[] = {strdup(""), member(json_array_get(members, i), "next_hop")};

		if (m[0] == NULL || m[1] == NULL)
			rc = -ENOMEM;
		else
			print_line(2, m, fib_widths, NULL);
		free_cells(m, 2);
	}
	return rc;
}

/* --- show stats: "port counter value" --- */

static int
stats_rows(struct table *t, const char *section, const char *prefix, const json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char *name;

		if (asprintf(&name, "%s%s", prefix, key) < 0)
			return -ENOMEM;
		if (json_is_object(v)) {
			char *deeper;
			int rc;

			if (asprintf(&deeper, "%s.", name) < 0) {
				free(name);
				return -ENOMEM;
			}
			free(name);
			rc = stats_rows(t, section, deeper, v);
			free(deeper);
			if (rc < 0)
				return rc;
			continue;
		}
		char *c[] = {strdup_or_dash(section), name, cell(v, " ")};

		if (table_add(t, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const bool stats_right[] = {false, false, true};

static int
print_stats(const json_t *rec)
{
	struct table t = {.ncols = 3, .right = stats_right};
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach((json_t *)rec, key, v) {
		if (strcmp(key, "ports") == 0 && json_is_object(v)) {
			const char *port;
			json_t *counters;

			json_object_foreach(v, port, counters) {
				rc = json_is_object(counters) ? stats_rows(&t, port, "", counters) : 0;
				if (rc < 0)
					break;
			}
		} else if (json_is_object(v)) {
			rc = stats_rows(&t, key, "", v);
		} else {
			char *c[] = {strdup("-"), strdup(key), cell(v, " ")};

			rc = table_add(&t, c);
		}
		if (rc < 0)
			break;
	}
	if (rc == 0)
		table_print(&t);
	table_free(&t);
	return rc;
}

/* --- show config: YAML-like --- */

/* Plain when it cannot be read as anything else, else double-quoted with
 * JSON's escapes (which YAML reads the same). */
static void
yaml_scalar(const json_t *v)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~",
		NULL};
	const char *s = json_string_value(v);
	bool plain = s != NULL && *s != '\0' && s[0] != ' ' && s[strlen(s) - 1] != ' ';
	char *end, *q;

	if (!json_is_string(v)) {
		if (json_is_object(v))
			fputs("{}", stdout);
		else if (json_is_array(v))
			fputs("[]", stdout);
		else if (json_is_boolean(v))
			fputs(json_is_true(v) ? "true" : "false", stdout);
		else
			put_text(stdout, v, " ");
		return;
	}
	for (const char *c = s; plain && *c; c++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./- ",
				*c) != NULL;
	/* "-x" would start a sequence; "65001" or "1e3" would be a number. */
	if (plain && (s[0] == '-' || (strtod(s, &end), *end == '\0')))
		plain = false;
	for (int i = 0; plain && words[i]; i++)
		plain = strcasecmp(s, words[i]) != 0;
	if (plain) {
		fputs(s, stdout);
		return;
	}
	q = json_dumps(v, JSON_ENCODE_ANY);
	fputs(q ? q : "\"?\"", stdout);
	free(q);
}

static void yaml_object(const json_t *obj, int indent, bool dash);

static void
yaml_array(const json_t *a, int indent)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		if (json_is_object(e) && json_object_size(e) > 0) {
			yaml_object(e, indent + 2, true);
		} else if (json_is_array(e) && json_array_size(e) > 0) {
			printf("%*s-\n", indent, "");
			yaml_array(e, indent + 2);
		} else {
			printf("%*s- ", indent, "");
			yaml_scalar(e);
			putchar('\n');
		}
	}
}

/* dash: obj is an element of a sequence, its first key after "- ". */
static void
yaml_object(const json_t *obj, int indent, bool dash)
{
	bool first = true;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (dash && first)
			printf("%*s- ", indent - 2, "");
		else
			printf("%*s", indent, "");
		first = false;
		put_sanitized(stdout, key);
		putchar(':');
		if (json_is_object(v) && json_object_size(v) > 0) {
			putchar('\n');
			yaml_object(v, indent + 2, false);
		} else if (json_is_array(v) && json_array_size(v) > 0) {
			putchar('\n');
			yaml_array(v, indent + 2);
		} else {
			putchar(' ');
			yaml_scalar(v);
			putchar('\n');
		}
	}
}

/* ----------------------------------------------------------- the printer */

/* Never a key on the screen: vbrd sends "key_set", and if it ever sent a
 * key it goes no further than here. */
static void
drop_keys(json_t *v)
{
	const char *key;
	size_t i;
	void *tmp;
	json_t *e;

	if (json_is_object(v)) {
		json_object_del(v, "key");
		json_object_foreach_safe(v, tmp, key, e) drop_keys(e);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) drop_keys(e);
	}
}

static bool
single_record(enum api_op op)
{
	return op == API_SHOW_STATS || op == API_SHOW_CONFIG;
}

static bool
streamed(const struct printer *p)
{
	return p->op == API_SHOW_ROUTES || (p->op == API_SHOW_FIB && !p->lookup);
}

struct printer *
printer_new(enum api_op op, bool json, bool lookup)
{
	struct printer *p = calloc(1, sizeof(*p));
	struct table *t;

	if (p == NULL)
		return NULL;
	p->op = op;
	p->json = json;
	p->lookup = lookup;
	t = &p->table;
	switch (op) {
	case API_SHOW_PEERS:
		*t = (struct table){.ncols = 11, .heads = peer_heads, .right = peer_right};
		break;
	case API_SHOW_GROUPS:
		*t = (struct table){.ncols = 8, .heads = group_heads, .right = group_right};
		break;
	case API_SHOW_NETWORKS:
		*t = (struct table){.ncols = 1, .heads = network_heads};
		break;
	case API_SHOW_NEIGHBORS:
		*t = (struct table){.ncols = 4, .heads = neighbor_heads};
		break;
	case API_SHOW_TRACK:
		*t = (struct table){.ncols = 12, .heads = track_heads, .right = track_right};
		break;
	case API_SHOW_BFD:
		*t = (struct table){.ncols = 11, .heads = bfd_heads, .right = bfd_right};
		break;
	case API_SHOW_FIB:
		if (lookup)
			*t = (struct table){.ncols = 5, .heads = lookup_heads};
		break;
	default:
		break;
	}
	return p;
}

int
printer_record(json_t *rec, void *arg)
{
	struct printer *p = arg;
	int rc = 0;

	drop_keys(rec);
	if (single_record(p->op)) {
		if (p->single == NULL)
			p->single = rec;
		else
			json_decref(rec);
		return 0;
	}
	if (!api_op_read_only(p->op)) {
		json_decref(rec); /* a mutation's reply has no records */
		return 0;
	}
	if (p->json) {
		fputs(p->count ? ",\n  " : "[\n  ", stdout);
		rc = json_dumpf(rec, stdout, JSON_COMPACT);
	} else if (streamed(p)) {
		if (p->count == 0)
			stream_header(p);
		rc = p->op == API_SHOW_ROUTES ? route_lines(rec) : fib_line(rec);
	} else {
		switch (p->op) {
		case API_SHOW_PEERS:
			rc = peer_row(p, rec);
			break;
		case API_SHOW_GROUPS:
			rc = group_row(p, rec);
			break;
		case API_SHOW_NETWORKS:
			rc = network_row(p, rec);
			break;
		case API_SHOW_NEIGHBORS:
			rc = neighbor_row(p, rec);
			break;
		case API_SHOW_TRACK:
			rc = track_row(p, rec);
			break;
		case API_SHOW_BFD:
			rc = bfd_row(p, rec);
			break;
		case API_SHOW_FIB:
			rc = lookup_row(p, rec);
			break;
		default:
			break;
		}
	}
	p->count++;
	json_decref(rec);
	return rc;
}

int
printer_finish(struct printer *p, char *err, size_t errlen)
{
	int rc = 0;

	if (!api_op_read_only(p->op)) {
		if (p->json)
			puts("{\"ok\": true}");
	} else if (single_record(p->op)) {
		if (p->single == NULL) {
			snprintf(err, errlen, "vbrd sent no %s", p->op == API_SHOW_STATS
					? "statistics" : "config");
			return -1;
		}
		if (p->json) {
			rc = json_dumpf(p->single, stdout, JSON_INDENT(2));
			putchar('\n');
		} else if (p->op == API_SHOW_STATS) {
			rc = print_stats(p->single);
		} else {
			yaml_object(p->single, 0, false);
		}
	} else if (p->json) {
		fputs(p->count ? "\n]\n" : "[]\n", stdout);
	} else if (streamed(p)) {
		if (p->count == 0)
			stream_header(p);
	} else {
		table_print(&p->table);
	}
	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		snprintf(err, errlen, "writing the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
printer_free(struct printer *p)
{
	if (p == NULL)
		return;
	table_free(&p->table);
	json_decref(p->single);
	free(p);
}
