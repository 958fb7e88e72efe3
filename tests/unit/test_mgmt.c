/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the management socket server (control/mgmt.c): the server
 * in a private epoll loop, a test handler, real Unix sockets in a temporary
 * directory. A request gets its reply; the read-only socket refuses a
 * mutation without calling the handler; an oversized request, a 17th
 * client, a silent client and a client that does not read are each dealt
 * with without stalling the others; the sockets have their modes.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mgmt.h"

#define BIG_RECORDS 20000

static char dir[64], rw_path[128], ro_path[128];
static int epfd;
static struct mgmt *m;
static int handler_calls;
static enum api_op last_op;
static char err[512];

static void
test_handler(void *arg, const struct api_request *req, struct mgmt_reply *out)
{
	const char *name = NULL;

	ck_assert_ptr_eq(arg, &handler_calls);
	handler_calls++;
	last_op = req->op;
	switch (req->op) {
	case API_SHOW_PEERS:
		mgmt_reply_record(out, json_pack("{s:s}", "address", "10.0.0.2"));
		mgmt_reply_record(out, json_pack("{s:s}", "address", "10.0.0.3"));
		break;
	case API_SHOW_ROUTES:
		for (int i = 0; i < BIG_RECORDS; i++)
			ck_assert_int_eq(mgmt_reply_record(out, json_pack("{s:i,s:s}", "n", i,
							"pad", "0123456789abcdef0123456789")),
				0);
		break;
	case API_BGP_GROUP_CREATE:
		if (api_arg_string(req->args, "name", true, &name, err, sizeof(err)) < 0)
			mgmt_reply_error(out, "%s", err);
		break;
	case API_BGP_GROUP_DELETE:
		/* An error drops the records; the first error wins. */
		mgmt_reply_record(out, json_pack("{s:i}", "n", 1));
		mgmt_reply_error(out, "bgp group \"%s\" does not exist", "g9");
		mgmt_reply_error(out, "second error");
		mgmt_reply_record(out, json_pack("{s:i}", "n", 2));
		break;
	default:
		break;
	}
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until it has nothing to do. */
static void
pump(void)
{
	for (int round = 0; round < 1000; round++) {
		struct epoll_event ev[16];
		int n = epoll_wait(epfd, ev, 16, round == 0 ? 5 : 0);

		ck_assert_int_ge(n, 0);
		if (n == 0)
			return;
		for (int i = 0; i < n; i++) {
			struct ev_handler *h = ev[i].data.ptr;

			h->fn(h, ev[i].events);
		}
	}
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vbr-test-mgmt-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* A directory that does not exist yet: mgmt makes it. */
	snprintf(rw_path, sizeof(rw_path), "%s/run/vbr/vbrd.sock", dir);
	snprintf(ro_path, sizeof(ro_path), "%s/run/vbr/vbrd-ro.sock", dir);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(epfd, 0);
	handler_calls = 0;
	m = mgmt_create(epfd, rw_path, ro_path, test_handler, &handler_calls, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
}

static void
teardown(void)
{
	char cmd[160];

	mgmt_destroy(m);
	close(epfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Sends all of s, running the loop when the socket is full. */
static void
send_all(int fd, const char *s, size_t len)
{
	for (int tries = 0; len > 0; tries++) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		ck_assert_int_lt(tries, 10000);
		if (n < 0) {
			ck_assert_msg(errno == EAGAIN, "send: %s", strerror(errno));
			pump();
			continue;
		}
		s += n;
		len -= (size_t)n;
	}
}

/* Everything the server sends until it closes, running the loop meanwhile.
 * A reset after the reply (the server closed with bytes of ours unread)
 * counts as the end. */
static char *
read_all(int fd, size_t *lenp)
{
	size_t len = 0, size = 1 << 16;
	char *buf = malloc(size + 1);

	ck_assert_ptr_nonnull(buf);
	for (int idle = 0;;) {
		ssize_t n;

		if (len == size) {
			size *= 2;
			buf = realloc(buf, size + 1);
			ck_assert_ptr_nonnull(buf);
		}
		n = recv(fd, buf + len, size - len, MSG_DONTWAIT);
		if (n > 0) {
			len += (size_t)n;
			idle = 0;
			continue;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		ck_assert_msg(errno == EAGAIN, "recv: %s", strerror(errno));
		ck_assert_int_lt(++idle, 1000);
		pump();
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	close(fd);
	return buf;
}

/* The reply to request on path. */
static char *
ask(const char *path, const char *request)
{
	int fd = connect_to(path);

	send_all(fd, request, strlen(request));
	return read_all(fd, NULL);
}

static void
ask_expect(const char *path, const char *request, const char *reply)
{
	char *got = ask(path, request);

	ck_assert_str_eq(got, reply);
	free(got);
}

/* Whether the server closed fd (after what it said, if anything). */
static bool
closed_by_server(int fd, char *said, size_t len)
{
	ssize_t n = recv(fd, said, len - 1, MSG_DONTWAIT);

	if (n < 0 && errno == EAGAIN)
		return false;
	said[n > 0 ? n : 0] = '\0';
	return true;
}

START_TEST(request_gets_reply)
{
	ask_expect(rw_path, "{\"op\":\"show.peers\"}\n",
		"{\"record\":{\"address\":\"10.0.0.2\"}}\n"
		"{\"record\":{\"address\":\"10.0.0.3\"}}\n"
		"{\"ok\":true}\n");
	ck_assert_int_eq(handler_calls, 1);
	ask_expect(rw_path, "{\"op\":\"bgp-group.create\",\"args\":{\"name\":\"g1\"}}\n",
		"{\"ok\":true}\n");
	ask_expect(rw_path, "{\"op\":\"bgp-group.create\",\"args\":{}}\n",
		"{\"ok\":false,\"error\":\"missing argument \\\"name\\\"\"}\n");
	ck_assert_int_eq(last_op, API_BGP_GROUP_CREATE);
	ask_expect(rw_path, "{\"op\":\"bgp-group.delete\",\"args\":{\"name\":\"g9\"}}\n",
		"{\"ok\":false,\"error\":\"bgp group \\\"g9\\\" does not exist\"}\n");
	/* The read-only socket serves the read-only ops. */
	ask_expect(ro_path, "{\"op\":\"show.peers\"}\n",
		"{\"record\":{\"address\":\"10.0.0.2\"}}\n"
		"{\"record\":{\"address\":\"10.0.0.3\"}}\n"
		"{\"ok\":true}\n");
	ck_assert_int_eq(handler_calls, 5);
}
END_TEST

/* A request ended by the client's shutdown rather than a newline; bytes
 * after the newline are not a second request. */
START_TEST(request_ends)
{
	int fd = connect_to(rw_path);
	char *got;

	send_all(fd, "{\"op\":\"reload\"}", 15);
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	got = read_all(fd, NULL);
	ck_assert_str_eq(got, "{\"ok\":true}\n");
	free(got);
	ask_expect(rw_path, "{\"op\":\"reload\"}\n{\"op\":\"show.peers\"}\n", "{\"ok\":true}\n");
	ck_assert_int_eq(handler_calls, 2);
	ck_assert_int_eq(last_op, API_RELOAD);
}
END_TEST

START_TEST(malformed_refused)
{
	char *got = ask(rw_path, "{\"op\": \"show.peers\"\n");

	ck_assert_msg(strncmp(got, "{\"ok\":false,\"error\":\"malformed request: ", 40) == 0, "%s",
		got);
	free(got);
	ask_expect(rw_path, "{\"op\":\"frob\"}\n",
		"{\"ok\":false,\"error\":\"unknown op \\\"frob\\\"\"}\n");
	ck_assert_int_eq(handler_calls, 0);
}
END_TEST

START_TEST(read_only_refuses)
{
	char want[512];
	struct mgmt_stats st;

	snprintf(want, sizeof(want),
		"{\"ok\":false,\"error\":\"this socket is read-only: bgp-group.create needs "
		"%s\"}\n",
		rw_path);
	ask_expect(ro_path, "{\"op\":\"bgp-group.create\",\"args\":{\"name\":\"g1\"}}\n", want);
	snprintf(want, sizeof(want),
		"{\"ok\":false,\"error\":\"this socket is read-only: reload needs %s\"}\n", rw_path);
	ask_expect(ro_path, "{\"op\":\"reload\"}\n", want);
	ck_assert_int_eq(handler_calls, 0);
	mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.requests, 0);
}
END_TEST

START_TEST(oversize_refused)
{
	size_t len = API_REQUEST_MAX + 4000;
	char *big = malloc(len);
	struct mgmt_stats st;
	char *got;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	memcpy(big, "{\"op\":\"reload\"}", 15);
	big[len - 1] = '\n';
	big[len - 2] = 'x';
	int fd = connect_to(rw_path);
	/* The server answers once it has 65536 bytes: the rest may not go. */
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, big + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (n < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			pump();
			continue;
		}
		off += (size_t)n;
	}
	got = read_all(fd, NULL);
	ck_assert_str_eq(got, "{\"ok\":false,\"error\":\"request too large (over 65536 bytes)\"}\n");
	free(got);
	ck_assert_int_eq(handler_calls, 0);
	mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.too_large, 1);

	/* Exactly API_REQUEST_MAX bytes, newline included: served. */
	big[API_REQUEST_MAX - 1] = '\n';
	big[API_REQUEST_MAX] = '\0';
	ask_expect(rw_path, big, "{\"ok\":true}\n");
	ck_assert_int_eq(handler_calls, 1);
	free(big);
}
END_TEST

START_TEST(seventeenth_busy)
{
	int fds[MGMT_MAX_CLIENTS], fd;
	struct mgmt_stats st;
	char *got;

	for (int i = 0; i < MGMT_MAX_CLIENTS; i++)
		fds[i] = connect_to(rw_path);
	pump();
	got = ask(rw_path, "{\"op\":\"show.peers\"}\n");
	ck_assert_str_eq(got, "{\"ok\":false,\"error\":\"busy: too many clients\"}\n");
	free(got);
	/* The read-only socket counts its own clients. */
	got = ask(ro_path, "{\"op\":\"show.peers\"}\n");
	ck_assert_msg(strstr(got, "{\"ok\":true}") != NULL, "%s", got);
	free(got);
	ck_assert_int_eq(handler_calls, 1);
	/* The 16 are served. */
	send_all(fds[3], "{\"op\":\"reload\"}\n", 16);
	got = read_all(fds[3], NULL);
	ck_assert_str_eq(got, "{\"ok\":true}\n");
	free(got);
	/* One left: room for one more. */
	ask_expect(rw_path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");
	mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.busy, 1);
	/* Clients that hang up free their places. */
	for (int i = 0; i < MGMT_MAX_CLIENTS; i++)
		if (i != 3)
			close(fds[i]);
	pump();
	for (int i = 0; i < MGMT_MAX_CLIENTS; i++)
		fds[i] = connect_to(rw_path);
	pump();
	fd = connect_to(rw_path);
	got = read_all(fd, NULL);
	ck_assert_str_eq(got, "{\"ok\":false,\"error\":\"busy: too many clients\"}\n");
	free(got);
	for (int i = 0; i < MGMT_MAX_CLIENTS; i++)
		close(fds[i]);
}
END_TEST

/* Any local user may use the read-only socket: one user's silent clients
 * take at most MGMT_MAX_CLIENTS_PER_UID of its slots; another user is still
 * served, and so is the read-write socket. */
START_TEST(ro_share_per_user)
{
	int fds[MGMT_MAX_CLIENTS_PER_UID];
	pid_t pid;
	char *got;
	int status = -1;

	for (int i = 0; i < MGMT_MAX_CLIENTS_PER_UID; i++)
		fds[i] = connect_to(ro_path);
	pump();
	got = ask(ro_path, "{\"op\":\"show.peers\"}\n");
	ck_assert_str_eq(got, "{\"ok\":false,\"error\":\"busy: this user has its share of the "
			      "read-only socket's clients\"}\n");
	free(got);
	ask_expect(rw_path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");
	if (geteuid() == 0) {
		/* Another user (nobody) gets its own share. */
		ck_assert_int_eq(chmod(dir, 0711), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			/* The child must not run the server's loop (its epoll is
			 * the parent's too): it reads by itself. */
			static char buf[4096];
			size_t len = 0;
			int fd;

			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(2);
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			struct sockaddr_un sa = {.sun_family = AF_UNIX};

			memcpy(sa.sun_path, ro_path, strnlen(ro_path, sizeof(sa.sun_path) - 1));
			if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
				write(fd, "{\"op\":\"show.peers\"}\n", 20) != 20)
				_exit(3);
			for (;;) {
				ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

				if (n <= 0)
					break;
				len += (size_t)n;
			}
			buf[len] = '\0';
			_exit(strstr(buf, "{\"ok\":true}") != NULL ? 0 : 1);
		}
		for (int i = 0; i < 2000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
			pump();
			usleep(1000);
		}
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "nobody was not served (%d)",
			status);
	}
	for (int i = 0; i < MGMT_MAX_CLIENTS_PER_UID; i++)
		close(fds[i]);
	pump();
	ask_expect(ro_path, "{\"op\":\"show.peers\"}\n",
		"{\"record\":{\"address\":\"10.0.0.2\"}}\n"
		"{\"record\":{\"address\":\"10.0.0.3\"}}\n"
		"{\"ok\":true}\n");
}
END_TEST

START_TEST(silent_client)
{
	uint64_t t0 = mono_ms();
	struct mgmt_stats st;
	char said[256];
	int silent, partial;

	mgmt_tick(m, t0);
	silent = connect_to(rw_path);
	partial = connect_to(rw_path);
	send_all(partial, "{\"op\":", 6);
	pump();
	/* Another client is served meanwhile. */
	ask_expect(rw_path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");
	mgmt_tick(m, t0 + MGMT_REQUEST_TIMEOUT_MS - 1);
	pump();
	ck_assert(!closed_by_server(silent, said, sizeof(said)));
	ck_assert(!closed_by_server(partial, said, sizeof(said)));
	mgmt_tick(m, t0 + MGMT_REQUEST_TIMEOUT_MS);
	pump();
	ck_assert(closed_by_server(silent, said, sizeof(said)));
	ck_assert_str_eq(said, "{\"ok\":false,\"error\":\"timeout: no complete request within 10 s\"}\n");
	ck_assert(closed_by_server(partial, said, sizeof(said)));
	mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.idle, 2);
	/* Their places are free, and the closed clients are freed. */
	mgmt_tick(m, t0 + MGMT_REQUEST_TIMEOUT_MS + 50);
	ask_expect(rw_path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");
	close(silent);
	close(partial);
}
END_TEST

/* A reply larger than the socket's buffer: written as the client reads. */
START_TEST(big_reply)
{
	char *got = ask(rw_path, "{\"op\":\"show.routes\"}\n");
	struct api_reader *r = api_reader_new();
	int records = 0, rc;
	json_t *rec;

	ck_assert_uint_gt(strlen(got), 512 * 1024);
	ck_assert_int_eq(api_reader_feed(r, got, strlen(got)), 0);
	while ((rc = api_reader_next(r, &rec, err, sizeof(err))) == API_READ_RECORD) {
		ck_assert_int_eq(json_integer_value(json_object_get(rec, "n")), records);
		records++;
		json_decref(rec);
	}
	ck_assert_int_eq(rc, API_READ_STATUS);
	ck_assert(api_reader_ok(r));
	ck_assert_int_eq(records, BIG_RECORDS);
	api_reader_free(r);
	free(got);
}
END_TEST

START_TEST(reader_stalls)
{
	uint64_t t0 = mono_ms();
	struct mgmt_stats st;
	char buf[4096];
	int fd;

	mgmt_tick(m, t0);
	fd = connect_to(rw_path);
	send_all(fd, "{\"op\":\"show.routes\"}\n", 21);
	pump();
	/* It reads nothing: the loop still serves others. */
	ask_expect(rw_path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");
	/* Progress restarts its clock: it reads what is there. */
	ck_assert_int_gt(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	mgmt_tick(m, t0 + MGMT_WRITE_TIMEOUT_MS / 2);
	pump();
	mgmt_tick(m, t0 + MGMT_WRITE_TIMEOUT_MS + 1000);
	pump();
	mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.stalled, 0);
	mgmt_tick(m, t0 + MGMT_WRITE_TIMEOUT_MS / 2 + MGMT_WRITE_TIMEOUT_MS);
	pump();
	mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.stalled, 1);
	/* Closed: what was sent is read, then the end, never the status. */
	size_t len;
	char *rest = read_all(fd, &len);

	ck_assert_ptr_null(strstr(rest, "{\"ok\":"));
	free(rest);
}
END_TEST

START_TEST(socket_modes)
{
	struct stat st;

	ck_assert_int_eq(stat(rw_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(ro_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0666);
	/* The directory made for them. */
	snprintf(err, sizeof(err), "%s/run/vbr", dir);
	ck_assert_int_eq(stat(err, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0755);
	mgmt_destroy(m);
	m = NULL;
	ck_assert_int_eq(stat(rw_path, &st), -1);
	ck_assert_int_eq(stat(ro_path, &st), -1);
}
END_TEST

START_TEST(paths_refused_or_replaced)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[96], msg[256], long_path[200];
	struct mgmt *m2;
	int fd;

	/* Served by another server: refused, and left alone. */
	m2 = mgmt_create(epfd, rw_path, NULL, test_handler, &handler_calls, err, sizeof(err));
	ck_assert_ptr_null(m2);
	snprintf(msg, sizeof(msg), "%s is in use: is another vbrd running?", rw_path);
	ck_assert_str_eq(err, msg);
	ask_expect(rw_path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");

	/* A stale socket (its process gone): replaced. */
	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	m2 = mgmt_create(epfd, path, NULL, test_handler, &handler_calls, err, sizeof(err));
	ck_assert_msg(m2 != NULL, "%s", err);
	ask_expect(path, "{\"op\":\"reload\"}\n", "{\"ok\":true}\n");
	mgmt_destroy(m2);

	/* Not a socket: refused, and not removed. */
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	close(fd);
	m2 = mgmt_create(epfd, path, NULL, test_handler, &handler_calls, err, sizeof(err));
	ck_assert_ptr_null(m2);
	ck_assert_msg(strstr(err, "exists and is not a socket") != NULL, "%s", err);
	ck_assert_int_eq(access(path, F_OK), 0);

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	m2 = mgmt_create(epfd, long_path, NULL, test_handler, &handler_calls, err, sizeof(err));
	ck_assert_ptr_null(m2);
	ck_assert_msg(strstr(err, "is too long (at most 103 characters)") != NULL, "%s", err);
	m2 = mgmt_create(epfd, rw_path, rw_path, test_handler, &handler_calls, err, sizeof(err));
	ck_assert_ptr_null(m2);
}
END_TEST

static Suite *
mgmt_suite(void)
{
	Suite *s = suite_create("mgmt");
	TCase *tc = tcase_create("mgmt");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, request_gets_reply);
	tcase_add_test(tc, request_ends);
	tcase_add_test(tc, malformed_refused);
	tcase_add_test(tc, read_only_refuses);
	tcase_add_test(tc, oversize_refused);
	tcase_add_test(tc, seventeenth_busy);
	tcase_add_test(tc, ro_share_per_user);
	tcase_add_test(tc, silent_client);
	tcase_add_test(tc, big_reply);
	tcase_add_test(tc, reader_stalls);
	tcase_add_test(tc, socket_modes);
	tcase_add_test(tc, paths_refused_or_replaced);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mgmt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
