/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus endpoint's HTTP server (metrics_http.c) with a control
 * loop of its own (a thread on an epoll fd) and a fill that counts its
 * calls, over real sockets on 127.0.0.1: rapid scrapes share a snapshot,
 * a request that trickles its headers is cut at the deadline, and moving
 * the listener binds the new address before the old one goes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "metrics_http.h"

#define LOOPBACK 0x7f000001u

static atomic_uint fills;

static void
fill(void *arg, struct metrics_snapshot *s)
{
	(void)arg;
	atomic_fetch_add(&fills, 1);
	s->fib_routes = 7;
}

/* The control loop: epoll on its own thread, stopped by an eventfd. */
struct loop {
	int epfd, stopfd;
	pthread_t t;
	struct metrics_http *m;
};

static void *
loop_main(void *arg)
{
	struct loop *l = arg;

	for (;;) {
		struct epoll_event ev[4];
		int n = epoll_wait(l->epfd, ev, 4, -1);

		for (int i = 0; i < n; i++) {
			struct ev_handler *h = ev[i].data.ptr;

			if (h == NULL)
				return NULL;
			h->fn(h, ev[i].events);
		}
	}
}

static void
loop_start_on(struct loop *l, const cpu_set_t *cpus)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	atomic_store(&fills, 0);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->stopfd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(l->epfd, 0);
	ck_assert_int_eq(epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->stopfd, &ev), 0);
	l->m = metrics_http_create(l->epfd, fill, NULL, cpus);
	ck_assert_ptr_nonnull(l->m);
	ck_assert_int_eq(pthread_create(&l->t, NULL, loop_main, l), 0);
}

static void
loop_start(struct loop *l)
{
	loop_start_on(l, NULL);
}

static void
loop_stop(struct loop *l)
{
	uint64_t one = 1;

	/* The server first: a scrape waiting for the loop gives up. */
	metrics_http_listen(l->m, 0, 0, NULL, 0);
	ck_assert_int_eq(write(l->stopfd, &one, sizeof(one)), sizeof(one));
	pthread_join(l->t, NULL);
	metrics_http_destroy(l->m);
	close(l->stopfd);
	close(l->epfd);
}

/* A port nothing listens on now. */
static uint16_t
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static int
dial(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr) };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* GET /metrics on a fresh connection: the status code (0: no answer). */
static int
get(uint32_t addr, uint16_t port)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
	char buf[256] = "";
	int fd = dial(addr, port), code = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			sscanf(buf, "HTTP/1.%*d %d", &code);
		}
	}
	close(fd);
	return code;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 200 scrapes as fast as they come: they share snapshots, at most one
 * fill a second (plus the first). */
START_TEST(rapid_scrapes_share_a_snapshot)
{
	struct loop l;
	uint16_t port = free_port();
	double t0, dt;
	unsigned n;
	char err[128];

	loop_start(&l);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, port, err, sizeof(err)), 0);
	t0 = now_s();
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(get(LOOPBACK, port), 200);
	dt = now_s() - t0;
	n = atomic_load(&fills);
	printf("200 scrapes in %.2f s: %u fills\n", dt, n);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, (unsigned)dt + 2);
	loop_stop(&l);
}
END_TEST

/* Slowloris: 8 addresses x 4 connections (the limits) trickle a header line
 * every 300 ms and never end their headers. With every connection taken
 * each is cut after METRICS_HTTP_FULL_DEADLINE_MS, and a normal scrape
 * answers within that (plus a margin). */
struct trickle {
	int fd[METRICS_HTTP_CONN_MAX];
	atomic_bool stop;
	atomic_uint open;
};

static void *
trickle_main(void *arg)
{
	struct trickle *t = arg;

	while (!atomic_load(&t->stop)) {
		unsigned open = 0;

		for (unsigned i = 0; i < METRICS_HTTP_CONN_MAX; i++) {
			if (t->fd[i] < 0)
				continue;
			if (send(t->fd[i], "X-A: b\r\n", 8, MSG_NOSIGNAL) != 8) {
				close(t->fd[i]);
				t->fd[i] = -1;
			} else {
				open++;
			}
		}
		atomic_store(&t->open, open);
		usleep(300 * 1000);
	}
	return NULL;
}

START_TEST(trickled_headers_are_cut_at_the_deadline)
{
	struct trickle t = { .stop = false };
	struct loop l;
	uint16_t port = free_port();
	pthread_t th;
	double t0, dt;
	char err[128];
	int code;

	loop_start(&l);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, port, err, sizeof(err)), 0);
	t0 = now_s();
	for (unsigned i = 0; i < METRICS_HTTP_CONN_MAX; i++) {
		struct sockaddr_in src = { .sin_family = AF_INET,
			.sin_addr.s_addr = htonl(LOOPBACK + 1 + i / METRICS_HTTP_PER_IP_MAX) };
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
			.sin_addr.s_addr = htonl(LOOPBACK) };

		t.fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_eq(bind(t.fd[i], (struct sockaddr *)&src, sizeof(src)), 0);
		ck_assert_int_eq(connect(t.fd[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
		ck_assert_int_eq(write(t.fd[i], "GET /metrics HTTP/1.1\r\n", 23), 23);
	}
	ck_assert_int_eq(pthread_create(&th, NULL, trickle_main, &t), 0);
	usleep(500 * 1000); /* all of them in, trickling */
	code = get(LOOPBACK, port);
	dt = now_s() - t0;
	printf("a scrape beside %u trickling connections: %d after %.2f s\n",
			METRICS_HTTP_CONN_MAX, code, dt);
	ck_assert_int_eq(code, 200);
	/* Every connection taken: they are cut after 1 s, not 5. */
	ck_assert(dt < METRICS_HTTP_FULL_DEADLINE_MS / 1000.0 + 1.5);
	while (atomic_load(&t.open) > 0 && now_s() - t0 < METRICS_HTTP_HEADER_DEADLINE_S + 3)
		usleep(100 * 1000);
	dt = now_s() - t0;
	printf("%u trickling connections left after %.2f s\n", atomic_load(&t.open), dt);
	ck_assert_uint_eq(atomic_load(&t.open), 0);
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	for (unsigned i = 0; i < METRICS_HTTP_CONN_MAX; i++)
		if (t.fd[i] >= 0)
			close(t.fd[i]);
	loop_stop(&l);
}
END_TEST

/* The HTTP thread is named vbr-metrics and runs on the CPUs given (vbrd:
 * the control threads'), not the caller's (vbrd: the main lcore's). */
START_TEST(thread_named_on_the_cpus_given)
{
	cpu_set_t mine, want, got;
	struct loop l;
	char path[64], comm[32], err[128];
	pid_t tid = 0;
	int last = -1;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &mine))
			last = c;
	CPU_ZERO(&want);
	CPU_SET(last, &want);
	loop_start_on(&l, &want);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, free_port(), err, sizeof(err)), 0);
	for (pid_t t = getpid(); t < getpid() + 4096 && tid == 0; t++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)t);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL && strcmp(comm, "vbr-metrics\n") == 0)
			tid = t;
		fclose(f);
	}
	ck_assert_int_ne(tid, 0);
	ck_assert_int_eq(sched_getaffinity(tid, sizeof(got), &got), 0);
	ck_assert(CPU_EQUAL(&got, &want));
	ck_assert_int_eq(sched_getaffinity(0, sizeof(got), &got), 0);
	ck_assert(CPU_EQUAL(&got, &mine)); /* the caller's unchanged */
	loop_stop(&l);
}
END_TEST

/* A listener held by another socket. */
static int
hold(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

/* Moving: to a port in use fails and keeps the old one; to a free one
 * moves; to the same port on another address (0.0.0.0) works through
 * stop-then-bind, and when that address is taken, the old one comes back. */
START_TEST(listener_moves_new_first)
{
	uint16_t p1 = free_port(), p2 = free_port(), p3;
	struct loop l;
	char err[256];
	int held;

	loop_start(&l);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, p1, err, sizeof(err)), 0);
	held = hold(LOOPBACK, p2);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, p2, err, sizeof(err)), -EADDRINUSE);
	printf("to a port in use: %s\n", err);
	ck_assert_ptr_nonnull(strstr(err, "Address already in use"));
	ck_assert_uint_eq(metrics_http_port(l.m), p1);
	ck_assert_int_eq(get(LOOPBACK, p1), 200);
	close(held);

	do
		p3 = free_port();
	while (p3 == p1 || p3 == p2);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, p3, err, sizeof(err)), 0);
	ck_assert_uint_eq(metrics_http_port(l.m), p3);
	ck_assert_int_eq(get(LOOPBACK, p3), 200);
	ck_assert_int_eq(get(LOOPBACK, p1), 0);

	/* 127.0.0.1:p3 to 0.0.0.0:p3: the old socket blocks the new bind. */
	ck_assert_int_eq(metrics_http_listen(l.m, 0, p3, err, sizeof(err)), 0);
	ck_assert_int_eq(get(LOOPBACK + 1, p3), 200);
	/* Back to 127.0.0.1:p3 while 127.0.0.2:p3 is held, then on to
	 * 0.0.0.0:p3, which the holder blocks: 127.0.0.1:p3 is restored. */
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, p3, err, sizeof(err)), 0);
	held = hold(LOOPBACK + 1, p3);
	ck_assert_int_eq(metrics_http_listen(l.m, 0, p3, err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_null(strstr(err, "restored"));
	ck_assert_uint_eq(metrics_http_port(l.m), p3);
	ck_assert_int_eq(get(LOOPBACK, p3), 200);
	close(held);
	loop_stop(&l);
}
END_TEST

/* One connection trickling its headers (the limit far): cut at the
 * deadline, METRICS_HTTP_HEADER_DEADLINE_S, though never idle that long. */
START_TEST(one_trickler_cut_at_the_deadline)
{
	struct trickle t = { .stop = false };
	struct loop l;
	uint16_t port = free_port();
	pthread_t th;
	double t0, dt;
	char err[128];

	for (unsigned i = 0; i < METRICS_HTTP_CONN_MAX; i++)
		t.fd[i] = -1;
	loop_start(&l);
	ck_assert_int_eq(metrics_http_listen(l.m, LOOPBACK, port, err, sizeof(err)), 0);
	t0 = now_s();
	t.fd[0] = dial(LOOPBACK, port);
	ck_assert_int_ge(t.fd[0], 0);
	ck_assert_int_eq(write(t.fd[0], "GET /metrics HTTP/1.1\r\n", 23), 23);
	atomic_store(&t.open, 1);
	ck_assert_int_eq(pthread_create(&th, NULL, trickle_main, &t), 0);
	while (atomic_load(&t.open) > 0 && now_s() - t0 < METRICS_HTTP_HEADER_DEADLINE_S + 3)
		usleep(50 * 1000);
	dt = now_s() - t0;
	printf("one trickling connection cut after %.2f s\n", dt);
	ck_assert_uint_eq(atomic_load(&t.open), 0);
	ck_assert(dt >= METRICS_HTTP_HEADER_DEADLINE_S - 0.5);
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	loop_stop(&l);
}
END_TEST

static Suite *
metrics_http_suite(void)
{
	Suite *s = suite_create("metrics_http");
	TCase *tc = tcase_create("http");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rapid_scrapes_share_a_snapshot);
	tcase_add_test(tc, trickled_headers_are_cut_at_the_deadline);
	tcase_add_test(tc, one_trickler_cut_at_the_deadline);
	tcase_add_test(tc, thread_named_on_the_cpus_given);
	tcase_add_test(tc, listener_moves_new_first);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
