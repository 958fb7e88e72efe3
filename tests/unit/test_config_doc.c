/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr.yaml(5) against the loader: every key of config/schema.c's tables is
 * in the page's source (docs/man/vbr.yaml.5.scd) under the heading of its
 * path, and every key the page documents is one the loader takes. A key
 * added to the schema without its line in the page fails here, as does a
 * page that keeps a key the loader no longer knows.
 *
 * The page's convention: in its "# KEYS" section, "## a.b, a.c" headings
 * name the paths (sequence elements without "[]") whose keys follow, and
 * each key's entry starts a line with "*key*". A top-level key is a heading
 * of its own. The page's EXAMPLE must load, too.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define MAX_HEADINGS 64
#define MAX_ENTRIES 256
#define PATH_LEN 128

struct page {
	char headings[MAX_HEADINGS][PATH_LEN];
	unsigned nb_headings;
	struct {
		char path[PATH_LEN];
		char key[64];
	} entries[MAX_ENTRIES];
	unsigned nb_entries;
};

struct report {
	char text[4096];
	size_t len;
	unsigned problems;
};

static const char *page_file;

static void
problem(struct report *r, const char *fmt, const char *a, const char *b)
{
	int n = snprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, a, b);

	if (n > 0 && r->len + (size_t)n < sizeof(r->text))
		r->len += (size_t)n;
	r->problems++;
}

/* The headings and entries of the KEYS section. */
static void
page_parse(const char *text, struct page *p)
{
	char cur[8][PATH_LEN];
	unsigned nb_cur = 0;
	bool in_keys = false;

	memset(p, 0, sizeof(*p));
	for (const char *line = text, *next; *line; line = next) {
		size_t len = strcspn(line, "\n");

		next = line + len + (line[len] == '\n');

		if (strncmp(line, "# ", 2) == 0) {
			in_keys = len == 6 && strncmp(line, "# KEYS", 6) == 0;
			nb_cur = 0;
			continue;
		}
		if (!in_keys)
			continue;
		if (strncmp(line, "## ", 3) == 0) {
			const char *s = line + 3, *end = line + len;

			nb_cur = 0;
			while (s < end && nb_cur < 8) {
				size_t n = strcspn(s, ",\n");

				if (s + n > end)
					n = (size_t)(end - s);
				snprintf(cur[nb_cur], PATH_LEN, "%.*s", (int)n, s);
				ck_assert_uint_lt(p->nb_headings, MAX_HEADINGS);
				memcpy(p->headings[p->nb_headings++], cur[nb_cur], PATH_LEN);
				nb_cur++;
				s += n;
				while (s < end && (*s == ',' || *s == ' '))
					s++;
			}
			continue;
		}
		if (line[0] == '*') {
			size_t n = strcspn(line + 1, "*\n");

			for (unsigned i = 0; i < nb_cur; i++) {
				ck_assert_uint_lt(p->nb_entries, MAX_ENTRIES);
				memcpy(p->entries[p->nb_entries].path, cur[i], PATH_LEN);
				snprintf(p->entries[p->nb_entries].key, 64, "%.*s", (int)n,
					line + 1);
				p->nb_entries++;
			}
		}
	}
}

static bool
has_heading(const struct page *p, const char *path)
{
	for (unsigned i = 0; i < p->nb_headings; i++)
		if (strcmp(p->headings[i], path) == 0)
			return true;
	return false;
}

static bool
has_entry(const struct page *p, const char *path, const char *key)
{
	for (unsigned i = 0; i < p->nb_entries; i++)
		if (strcmp(p->entries[i].path, path) == 0 && strcmp(p->entries[i].key, key) == 0)
			return true;
	return false;
}

/* The mapping a field's value is, itself or as a sequence's elements. */
static const struct schema *
sub_schema(const struct field *f)
{
	if (f->map != NULL)
		return f->map;
	if (f->seq != NULL && f->seq->elem != NULL)
		return f->seq->elem->map;
	return NULL;
}

/* Schema -> page: every key documented where it belongs. */
static void
check_schema(const struct page *p, const struct schema *s, const char *path, struct report *r)
{
	for (unsigned i = 0; i < s->nb_fields; i++) {
		const struct field *f = &s->fields[i];
		const struct schema *sub = sub_schema(f);
		char child[PATH_LEN];

		if (path[0] == '\0') {
			snprintf(child, sizeof(child), "%s", f->key);
			if (!has_heading(p, child))
				problem(r, "the page has no \"## %s\" for the top-level key%s\n",
					child, "");
		} else {
			snprintf(child, sizeof(child), "%s.%s", path, f->key);
			if (!has_entry(p, path, f->key))
				problem(r, "the page does not document %s.%s\n", path, f->key);
			if (sub != NULL && !has_heading(p, child))
				problem(r, "the page has no \"## %s\" for the keys of %s\n", child,
					child);
		}
		if (sub != NULL)
			check_schema(p, sub, child, r);
	}
}

/* The schema at a dotted path, or NULL. */
static const struct schema *
resolve(const char *path)
{
	const struct schema *s = &schema_root;

	while (s != NULL && *path) {
		size_t n = strcspn(path, ".");
		const struct field *f = walk_find_field(s, path, n);

		if (f == NULL)
			return NULL;
		s = sub_schema(f);
		path += n;
		if (*path == '.')
			path++;
	}
	return s;
}

/* Page -> schema: nothing documented that the loader would refuse. */
static void
check_page_keys(const struct page *p, struct report *r)
{
	for (unsigned i = 0; i < p->nb_headings; i++)
		if (resolve(p->headings[i]) == NULL)
			problem(r, "the page's heading \"%s\" is no mapping of the config%s\n",
				p->headings[i], "");
	for (unsigned i = 0; i < p->nb_entries; i++) {
		const struct schema *s = resolve(p->entries[i].path);
		const char *key = p->entries[i].key;

		if (s != NULL && walk_find_field(s, key, strlen(key)) == NULL)
			problem(r, "the page documents %s.%s, which the loader does not take\n",
				p->entries[i].path, key);
	}
}

static unsigned
check_text(const char *text, struct report *r)
{
	static struct page p;

	memset(r, 0, sizeof(*r));
	page_parse(text, &p);
	check_schema(&p, &schema_root, "", r);
	check_page_keys(&p, r);
	return r->problems;
}

static char *
read_page(void)
{
	FILE *f = fopen(page_file, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", page_file);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* The page in the tree documents the loader's keys, and no others. */
START_TEST(page_matches_schema)
{
	char *text = read_page();
	struct report r;

	check_text(text, &r);
	ck_assert_msg(r.problems == 0, "%s: %u problem(s):\n%s", page_file, r.problems, r.text);
	free(text);
}
END_TEST

/* The check can fail: a key's line taken out, a key the loader does not
 * know put in. */
START_TEST(check_fails)
{
	char *text = read_page(), *mtu = strstr(text, "\n*mtu*\n");
	char *bogus;
	struct report r;

	ck_assert_ptr_nonnull(mtu);
	memcpy(mtu + 1, " mtu ", 5); /* no longer an entry */
	ck_assert_uint_eq(check_text(text, &r), 2);
	ck_assert_msg(strstr(r.text, "does not document ports.idc.mtu\n") != NULL, "%s", r.text);
	ck_assert_msg(strstr(r.text, "does not document ports.vpc.mtu\n") != NULL, "%s", r.text);
	memcpy(mtu + 1, "*mtu*", 5);
	ck_assert_uint_eq(check_text(text, &r), 0);

	bogus = strstr(text, "\n*min_rx*\n");
	ck_assert_ptr_nonnull(bogus);
	memcpy(bogus + 1, "*min_xx*", 8);
	ck_assert_uint_eq(check_text(text, &r), 2);
	ck_assert_msg(
		strstr(r.text, "does not document bgp.groups.bfd.min_rx\n") != NULL, "%s", r.text);
	ck_assert_msg(strstr(r.text, "documents bgp.groups.bfd.min_xx, which the loader does not "
				     "take\n") != NULL,
		"%s", r.text);
	free(text);
}
END_TEST

/* The page's EXAMPLE is a config the loader takes. */
START_TEST(example_loads)
{
	char *text = read_page(), *start = strstr(text, "\n# EXAMPLE\n"), *end;
	struct vbr_config *cfg = config_alloc();
	char err[1024] = "";

	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_nonnull(start);
	start = strstr(start, "\n```\n");
	ck_assert_ptr_nonnull(start);
	start += 5;
	end = strstr(start, "\n```\n");
	ck_assert_ptr_nonnull(end);
	ck_assert_msg(config_load_buffer("EXAMPLE", start, (size_t)(end - start) + 1, cfg, err,
			      sizeof(err)) == 0,
		"%s", err);
	ck_assert_uint_eq(cfg->nb_groups, 1);
	ck_assert_uint_eq(cfg->nb_routes, 2);
	config_free(cfg);
	free(text);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("config_doc");
	TCase *tc = tcase_create("page");
	SRunner *sr;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s VBR.YAML.5.SCD\n", argv[0]);
		return EXIT_FAILURE;
	}
	page_file = argv[1];
	tcase_add_test(tc, page_matches_schema);
	tcase_add_test(tc, check_fails);
	tcase_add_test(tc, example_loads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
