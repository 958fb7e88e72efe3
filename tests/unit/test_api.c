/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the management protocol (api/): a request line decoded or
 * refused with the message a user sees, encoded and decoded back, the
 * args getters, the reply lines and the client's reader of them.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

static char err[256];

/* From a heap copy without a NUL, so that ASan catches a read past len. */
static int
decode(const char *s, struct api_request *req)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, len);
	memset(err, 'X', sizeof(err));
	rc = api_request_decode(copy, len, req, err, sizeof(err));
	free(copy);
	return rc;
}

static void
decode_fails(const char *s, const char *msg)
{
	struct api_request req;

	ck_assert_int_eq(decode(s, &req), -EINVAL);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_null(req.args);
}

START_TEST(decode_good)
{
	struct api_request req;
	const char *s;
	uint64_t u;

	ck_assert_int_eq(decode("{\"op\": \"bgp-group.create\", \"args\": {\"name\": \"g1\", "
			        "\"peer_asn\": 65001, \"passive\": true}}\n",
				 &req),
		0);
	ck_assert_int_eq(req.op, API_BGP_GROUP_CREATE);
	ck_assert_int_eq(api_arg_string(req.args, "name", true, &s, err, sizeof(err)), 1);
	ck_assert_str_eq(s, "g1");
	ck_assert_int_eq(
		api_arg_uint(req.args, "peer_asn", true, 1, UINT32_MAX, &u, err, sizeof(err)), 1);
	ck_assert_uint_eq(u, 65001);
	api_request_free(&req);

	/* No args: an empty object, never NULL. */
	ck_assert_int_eq(decode("{\"op\":\"show.peers\"}", &req), 0);
	ck_assert_int_eq(req.op, API_SHOW_PEERS);
	ck_assert(json_is_object(req.args));
	ck_assert_uint_eq(json_object_size(req.args), 0);
	api_request_free(&req);

	ck_assert_int_eq(decode("{\"op\":\"reload\",\"args\":null}\n", &req), 0);
	ck_assert(json_is_object(req.args));
	api_request_free(&req);
}
END_TEST

START_TEST(decode_malformed)
{
	struct api_request req;

	ck_assert_int_eq(decode("{\"op\": \"show.peers\"", &req), -EINVAL);
	ck_assert_msg(strncmp(err, "malformed request: ", 19) == 0, "%s", err);
	ck_assert_int_eq(decode("", &req), -EINVAL);
	ck_assert_msg(strncmp(err, "malformed request: ", 19) == 0, "%s", err);
	/* One request per line: a second value is not allowed. */
	ck_assert_int_eq(decode("{\"op\":\"reload\"}\n{\"op\":\"reload\"}\n", &req), -EINVAL);
	ck_assert_msg(strncmp(err, "malformed request: ", 19) == 0, "%s", err);
	ck_assert_int_eq(decode("{\"op\":\"reload\",\"op\":\"show.peers\"}", &req), -EINVAL);
	ck_assert_msg(strstr(err, "duplicate") != NULL, "%s", err);
	/* Not UTF-8. */
	ck_assert_int_eq(decode("{\"op\":\"\xff\"}", &req), -EINVAL);
	ck_assert_msg(strncmp(err, "malformed request: ", 19) == 0, "%s", err);
}
END_TEST

START_TEST(decode_oversize)
{
	struct api_request req;
	size_t len = API_REQUEST_MAX + 1;
	char *big = malloc(len);

	ck_assert_ptr_nonnull(big);
	/* A valid request padded with spaces: refused for its size alone. */
	memset(big, ' ', len);
	memcpy(big, "{\"op\":\"reload\"}", 15);
	big[len - 1] = '\n';
	ck_assert_int_eq(api_request_decode(big, len, &req, err, sizeof(err)), -EMSGSIZE);
	ck_assert_str_eq(err, "request too large (over 65536 bytes)");
	/* At the bound it is fine. */
	ck_assert_int_eq(api_request_decode(big + 1, len - 1, &req, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(api_request_decode(big, len - 1, &req, err, sizeof(err)), 0);
	api_request_free(&req);
	free(big);
}
END_TEST

START_TEST(decode_shape)
{
	decode_fails("[\"op\", \"reload\"]", "request is not a JSON object");
	decode_fails("\"reload\"", "request is not a JSON object");
	decode_fails("{\"args\": {}}", "request has no \"op\"");
	decode_fails("{\"op\": 7}", "\"op\" is not a string");
	decode_fails("{\"op\": \"bgp-group.frobnicate\"}", "unknown op \"bgp-group.frobnicate\"");
	decode_fails("{\"op\": \"show.peers\", \"args\": [1]}", "\"args\" is not an object");
	decode_fails("{\"op\": \"show.peers\", \"args\": \"x\"}", "\"args\" is not an object");
}
END_TEST

START_TEST(round_trip)
{
	for (int op = 0; op < API_OP_COUNT; op++) {
		json_t *args = json_pack("{s:s,s:i,s:b}", "name", "g \"1\"\n", "hold_time", 90,
			"passive", 0);
		struct api_request req;
		char *line = api_request_encode(op, args);

		ck_assert_ptr_nonnull(line);
		ck_assert_uint_le(strlen(line), API_REQUEST_MAX);
		/* One line: ended by the only newline. */
		ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
		ck_assert_int_eq(decode(line, &req), 0);
		ck_assert_int_eq(req.op, op);
		ck_assert(json_equal(req.args, args));
		ck_assert_int_eq(api_op_lookup(api_op_name(op)), op);
		api_request_free(&req);
		free(line);
		/* The caller's args are still the caller's. */
		ck_assert_int_eq(args->refcount, 1);
		json_decref(args);

		line = api_request_encode(op, NULL);
		ck_assert_int_eq(decode(line, &req), 0);
		ck_assert_int_eq(req.op, op);
		api_request_free(&req);
		free(line);
	}
	ck_assert_ptr_null(api_op_name(API_OP_COUNT));
	ck_assert_int_eq(api_op_lookup("show"), -ENOENT);
}
END_TEST

START_TEST(read_only_ops)
{
	ck_assert(api_op_read_only(API_SHOW_PEERS));
	ck_assert(api_op_read_only(API_SHOW_CONFIG));
	ck_assert(!api_op_read_only(API_RELOAD));
	ck_assert(!api_op_read_only(API_BGP_GROUP_CREATE));
	ck_assert(!api_op_read_only(API_NEIGHBOR_DELETE));
	ck_assert(!api_op_read_only(API_OP_COUNT));
	for (int op = 0; op < API_OP_COUNT; op++)
		ck_assert_int_eq(api_op_read_only(op), strncmp(api_op_name(op), "show.", 5) == 0);
}
END_TEST

START_TEST(args_getters)
{
	json_t *args = json_pack("{s:s,s:i,s:i,s:b,s:n,s:s}", "name", "g1", "hold_time", 70000,
		"neg", -1, "passive", 1, "description", "key", "x");
	static const char *const keys[] = {"name", "hold_time", "neg", "passive", "description",
		"key", NULL};
	static const char *const fewer[] = {"name", NULL};
	const char *s = NULL;
	uint64_t u = 7;
	bool b = false;

	ck_assert_int_eq(api_arg_string(args, "missing", false, &s, err, sizeof(err)), 0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(api_arg_string(args, "missing", true, &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "missing argument \"missing\"");
	/* null counts as absent */
	ck_assert_int_eq(api_arg_string(args, "description", false, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(api_arg_string(args, "description", true, &s, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(api_arg_string(args, "hold_time", true, &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "argument \"hold_time\" must be a string, not an integer");

	ck_assert_int_eq(
		api_arg_uint(args, "hold_time", true, 0, 65535, &u, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "argument \"hold_time\": 70000 is not in 0..65535");
	ck_assert_int_eq(api_arg_uint(args, "neg", true, 0, 65535, &u, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "argument \"neg\": -1 is not in 0..65535");
	ck_assert_int_eq(api_arg_uint(args, "name", true, 0, 65535, &u, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "argument \"name\" must be an integer, not a string");
	ck_assert_uint_eq(u, 7);
	ck_assert_int_eq(api_arg_uint(args, "hold_time", true, 0, 100000, &u, err, sizeof(err)), 1);
	ck_assert_uint_eq(u, 70000);

	ck_assert_int_eq(api_arg_bool(args, "passive", true, &b, err, sizeof(err)), 1);
	ck_assert(b);
	ck_assert_int_eq(api_arg_bool(args, "name", true, &b, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "argument \"name\" must be true or false, not a string");

	ck_assert_int_eq(api_args_only(args, API_BGP_GROUP_CREATE, keys, err, sizeof(err)), 0);
	ck_assert_int_eq(
		api_args_only(args, API_BGP_GROUP_CREATE, fewer, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "unknown argument \"hold_time\" for bgp-group.create");
	json_decref(args);
}
END_TEST

START_TEST(reply_lines)
{
	json_t *rec = json_pack("{s:s,s:i}", "address", "10.0.0.2", "msgs_in", 3);
	char *l;

	l = api_record_line(rec);
	ck_assert_str_eq(l, "{\"record\":{\"address\":\"10.0.0.2\",\"msgs_in\":3}}\n");
	free(l);
	ck_assert_int_eq(rec->refcount, 1);
	json_decref(rec);
	l = api_status_line(true, NULL);
	ck_assert_str_eq(l, "{\"ok\":true}\n");
	free(l);
	l = api_status_line(false, "bgp group \"g9\" does not exist");
	ck_assert_str_eq(l, "{\"ok\":false,\"error\":\"bgp group \\\"g9\\\" does not exist\"}\n");
	free(l);
	/* A message that is not UTF-8 still makes a status line. */
	l = api_status_line(false, "bad \xff");
	ck_assert_ptr_nonnull(l);
	ck_assert_msg(strstr(l, "\"ok\":false") != NULL, "%s", l);
	free(l);
}
END_TEST

/* The reply fed to the reader one byte at a time. */
START_TEST(reader_stream)
{
	const char *reply = "{\"record\":{\"a\":1}}\n{\"record\":{\"a\":2}}\n{\"ok\":true}\n";
	struct api_reader *r = api_reader_new();
	int records = 0, rc = API_READ_MORE;
	json_t *rec;

	ck_assert_ptr_nonnull(r);
	for (const char *p = reply; *p; p++) {
		ck_assert_int_eq(api_reader_feed(r, p, 1), 0);
		while ((rc = api_reader_next(r, &rec, err, sizeof(err))) == API_READ_RECORD) {
			records++;
			ck_assert_int_eq(json_integer_value(json_object_get(rec, "a")), records);
			json_decref(rec);
		}
		ck_assert_int_ge(rc, 0);
		if (rc == API_READ_STATUS)
			break;
	}
	ck_assert_int_eq(rc, API_READ_STATUS);
	ck_assert_int_eq(records, 2);
	ck_assert(api_reader_ok(r));
	ck_assert_ptr_null(api_reader_error(r));
	api_reader_free(r);

	r = api_reader_new();
	reply = "{\"ok\":false,\"error\":\"busy: too many clients\"}\n";
	ck_assert_int_eq(api_reader_feed(r, reply, strlen(reply)), 0);
	ck_assert_int_eq(api_reader_next(r, &rec, err, sizeof(err)), API_READ_STATUS);
	ck_assert(!api_reader_ok(r));
	ck_assert_str_eq(api_reader_error(r), "busy: too many clients");
	api_reader_free(r);

	r = api_reader_new();
	reply = "{\"something\":1}\n";
	ck_assert_int_eq(api_reader_feed(r, reply, strlen(reply)), 0);
	ck_assert_int_eq(api_reader_next(r, &rec, err, sizeof(err)), -EPROTO);
	ck_assert_str_eq(err, "malformed reply: neither a record nor a status");
	reply = "not json\n";
	ck_assert_int_eq(api_reader_feed(r, reply, strlen(reply)), 0);
	ck_assert_int_eq(api_reader_next(r, &rec, err, sizeof(err)), -EPROTO);
	ck_assert_msg(strncmp(err, "malformed reply: ", 17) == 0, "%s", err);
	api_reader_free(r);
}
END_TEST

static Suite *
api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, decode_good);
	tcase_add_test(tc, decode_malformed);
	tcase_add_test(tc, decode_oversize);
	tcase_add_test(tc, decode_shape);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, read_only_ops);
	tcase_add_test(tc, args_getters);
	tcase_add_test(tc, reply_lines);
	tcase_add_test(tc, reader_stream);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(api_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
