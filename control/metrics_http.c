/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus endpoint (metrics_http.h): libmicrohttpd run by a thread
 * of ours ("vbr-metrics"), bounded in connections (in all and per
 * address), idle time, the time to send a request's headers and request
 * size; GET (or HEAD) /metrics only, no request body.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "metrics_http.h"

struct metrics_http {
	struct ev_handler ev; /* the control loop's side */
	int efd;	      /* scrapes waiting: the HTTP thread writes, the loop reads */
	int epfd;
	metrics_fill_fn fill;
	void *arg;
	struct metrics_snapshot *work; /* the control thread's, filled there */

	pthread_mutex_t mu; /* over what follows */
	pthread_cond_t cv;
	uint64_t asked, answered; /* scrape numbers */
	bool closing;		  /* the listener stops: waiting scrapes give up */
	struct metrics_snapshot *snap; /* the last answer */
	uint64_t snap_ms;	       /* when it was made (0: none yet) */

	/* The HTTP thread's own: its copy, rendered outside mu, and the
	 * connections it serves. */
	struct metrics_snapshot *mine;
	struct conn *conns;
	struct MHD_Daemon *d;
	pthread_t thread;
	atomic_bool stopping;
	cpu_set_t cpus;
	bool has_cpus;
	uint32_t addr;
	uint16_t port;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ control thread */

static void
on_asked(struct ev_handler *h, uint32_t events)
{
	struct metrics_http *m = (struct metrics_http *)h;
	uint64_t v, want;

	(void)events;
	if (read(m->efd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&m->mu);
	want = m->asked;
	pthread_mutex_unlock(&m->mu);
	memset(m->work, 0, sizeof(*m->work));
	m->fill(m->arg, m->work);
	pthread_mutex_lock(&m->mu);
	memcpy(m->snap, m->work, sizeof(*m->snap));
	m->snap_ms = mono_ms();
	m->answered = want;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

/* ------------------------------------------------------------ HTTP thread */

/* A connection, from MHD's notice of it to its close: since when it has
 * been sending the headers of a request (its start, or the end of the
 * request before on a kept-alive connection). */
struct conn {
	struct conn *next, **pprev;
	int fd;
	uint64_t since_ms;
	bool in_request; /* headers complete: the handler has it */
	bool cut;
};

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		enum MHD_ConnectionNotificationCode toe)
{
	struct metrics_http *m = cls;
	struct conn *k = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (k != NULL) {
			*k->pprev = k->next;
			if (k->next != NULL)
				k->next->pprev = k->pprev;
			free(k);
		}
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	k = calloc(1, sizeof(*k));
	if (k == NULL || ci == NULL) {
		free(k); /* not watched: the idle timeout still holds */
		return;
	}
	k->fd = ci->connect_fd;
	k->since_ms = mono_ms();
	k->next = m->conns;
	k->pprev = &m->conns;
	if (m->conns != NULL)
		m->conns->pprev = &k->next;
	m->conns = k;
	*socket_context = k;
}

static struct conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* A request answered: on a kept-alive connection the next one's headers
 * have METRICS_HTTP_HEADER_DEADLINE_S from now. */
static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	struct conn *k = conn_of(c);

	(void)cls;
	(void)con_cls;
	(void)toe;
	if (k != NULL) {
		k->in_request = false;
		k->since_ms = mono_ms();
	}
}

/* The idle timeout alone lets a client that trickles a header line now and
 * then hold a connection for ever, and 32 of them keep every scrape out:
 * a connection whose request headers are not whole within the deadline is
 * shut down, and MHD closes it on reading the end. With every connection
 * taken, a new one (a scrape) waits in the listen queue: the deadline is
 * then 1 s, under a scrape's timeout (Prometheus: 10 s by default, often
 * less), since a client sends its headers at once. */
static void
sweep(struct metrics_http *m)
{
	uint64_t now = mono_ms(), deadline = METRICS_HTTP_HEADER_DEADLINE_S * 1000u;
	unsigned n = 0;

	for (struct conn *k = m->conns; k != NULL; k = k->next)
		n += !k->cut;
	if (n >= METRICS_HTTP_CONN_MAX)
		deadline = METRICS_HTTP_FULL_DEADLINE_MS;
	for (struct conn *k = m->conns; k != NULL; k = k->next)
		if (!k->in_request && !k->cut && now - k->since_ms >= deadline) {
			shutdown(k->fd, SHUT_RDWR);
			k->cut = true;
		}
}

/* MHD's loop, run here rather than in MHD's own thread so that the thread
 * is ours: its name, its CPUs, and the sweep between two waits. */
static void *
http_main(void *arg)
{
	struct metrics_http *m = arg;

	while (!atomic_load(&m->stopping)) {
		MHD_run_wait(m->d, METRICS_HTTP_SWEEP_MS);
		sweep(m);
	}
	return NULL;
}

/* A snapshot into m->mine, younger than METRICS_HTTP_REUSE_MS: the last
 * one if it is, so that rapid or concurrent scrapes cost the control
 * thread (fib_lock, the ports' stats, an ioctl per peer) one fill a
 * second at most. True, or false after METRICS_HTTP_WAIT_MS (the control
 * thread is busy or the listener stops). */
static bool
ask(struct metrics_http *m)
{
	struct timespec dl;
	uint64_t one = 1, want;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += METRICS_HTTP_WAIT_MS / 1000;
	dl.tv_nsec += (METRICS_HTTP_WAIT_MS % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->mu);
	if (m->snap_ms != 0 && mono_ms() - m->snap_ms < METRICS_HTTP_REUSE_MS) {
		memcpy(m->mine, m->snap, sizeof(*m->mine));
		pthread_mutex_unlock(&m->mu);
		return true;
	}
	want = ++m->asked;
	if (write(m->efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		pthread_mutex_unlock(&m->mu);
		return false;
	}
	while (m->answered < want && !m->closing)
		if (pthread_cond_timedwait(&m->cv, &m->mu, &dl) == ETIMEDOUT)
			break;
	ok = m->answered >= want;
	if (ok)
		memcpy(m->mine, m->snap, sizeof(*m->mine));
	pthread_mutex_unlock(&m->mu);
	return ok;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, const char *text, size_t len, const char *ct)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
plain(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, text, strlen(text), "text/plain; charset=utf-8");
}

/* Every request is answered on the handler's first call, before any body
 * is read: a request that has one is refused whole. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
		const char *version, const char *upload_data, size_t *upload_data_size,
		void **con_cls)
{
	struct metrics_http *m = cls;
	const char *cl, *accept;
	struct conn *k;
	enum MHD_Result rc;
	size_t len;
	char *text;
	bool om;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	k = conn_of(c);
	if (k != NULL)
		k->in_request = true;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics\n");
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (*upload_data_size != 0 || (cl != NULL && strcmp(cl, "0") != 0) ||
			MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "no request body\n");
	if (strcmp(url, "/metrics") != 0)
		return plain(c, MHD_HTTP_NOT_FOUND, "not found: GET /metrics\n");
	if (!ask(m))
		return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE, "vbrd's control thread did not answer\n");
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = metrics_wants_openmetrics(accept);
	if (metrics_render(m->mine, om, &text, &len) != 0)
		return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	rc = reply(c, MHD_HTTP_OK, text, len, om ? METRICS_CT_OPENMETRICS : METRICS_CT_PROMETHEUS);
	free(text);
	return rc;
}

/* ------------------------------------------------------------ lifecycle */

struct metrics_http *
metrics_http_create(int epfd, metrics_fill_fn fill, void *arg, const cpu_set_t *cpus)
{
	struct metrics_http *m = calloc(1, sizeof(*m));
	struct epoll_event ev = { .events = EPOLLIN };
	pthread_condattr_t ca;

	if (m == NULL)
		return NULL;
	m->ev.fn = on_asked;
	if (cpus != NULL) {
		m->cpus = *cpus;
		m->has_cpus = true;
	}
	m->fill = fill;
	m->arg = arg;
	m->epfd = epfd;
	m->efd = -1;
	m->work = calloc(1, sizeof(*m->work));
	m->snap = calloc(1, sizeof(*m->snap));
	m->mine = calloc(1, sizeof(*m->mine));
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (m->work == NULL || m->snap == NULL || m->mine == NULL)
		goto fail;
	m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.ptr = &m->ev;
	if (m->efd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, m->efd, &ev) != 0)
		goto fail;
	return m;
fail:
	metrics_http_destroy(m);
	return NULL;
}

static void
stop(struct metrics_http *m)
{
	if (m->d == NULL)
		return;
	/* A scrape waiting for the control thread (which may be the caller)
	 * gives up at once. */
	pthread_mutex_lock(&m->mu);
	m->closing = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	atomic_store(&m->stopping, true);
	pthread_join(m->thread, NULL); /* within METRICS_HTTP_SWEEP_MS */
	atomic_store(&m->stopping, false);
	MHD_stop_daemon(m->d); /* closes the connections and the listening socket */
	m->d = NULL;
	m->port = 0;
	pthread_mutex_lock(&m->mu);
	m->closing = false;
	pthread_mutex_unlock(&m->mu);
}

/* Our own socket, so that a failure says why (MHD_start_daemon does not):
 * the fd, or -errno and err says "A:P: why". */
static int
bind_listen(uint32_t addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr) };
	char a[INET_ADDRSTRLEN];
	int fd, one = 1, rc;

	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s:%u: cannot listen: %s", a, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;
}

/* The server and its thread on fd (taken, closed on an error). */
static int
start(struct metrics_http *m, int fd, uint32_t addr, uint16_t port, char *err, size_t errlen)
{
	struct in_addr ia = { .s_addr = htonl(addr) };
	char a[INET_ADDRSTRLEN];
	pthread_attr_t attr;
	int rc;

	inet_ntop(AF_INET, &ia, a, sizeof(a));
	m->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, m,
			MHD_OPTION_LISTEN_SOCKET, fd,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, m,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_HTTP_CONN_MAX,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)METRICS_HTTP_PER_IP_MAX,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_HTTP_TIMEOUT_S,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_HTTP_MEMORY,
			MHD_OPTION_END);
	if (m->d == NULL) {
		close(fd);
		snprintf(err, errlen, "%s:%u: the HTTP server did not start", a, port);
		return -EIO;
	}
	/* Not the caller's CPUs: at start vbrd's main lcore (the FIB's writer
	 * and the exception path), after a reload the control thread's. */
	pthread_attr_init(&attr);
	rc = m->has_cpus ? pthread_attr_setaffinity_np(&attr, sizeof(m->cpus), &m->cpus) : 0;
	if (rc == 0)
		rc = pthread_create(&m->thread, &attr, http_main, m);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		MHD_stop_daemon(m->d); /* closes fd */
		m->d = NULL;
		snprintf(err, errlen, "%s:%u: cannot start its thread: %s", a, port, strerror(rc));
		return -rc;
	}
	pthread_setname_np(m->thread, "vbr-metrics");
	m->addr = addr;
	m->port = port;
	return 0;
}

/* The new socket is bound before the old listener stops, so that a failure
 * leaves the old one as it was. Only the same port on another address
 * (127.0.0.1:P to 0.0.0.0:P, which the old socket itself blocks) needs
 * the old one gone first; if then the new one fails and the old one cannot
 * be bound again, nothing listens and metrics_http_port says so. */
int
metrics_http_listen(struct metrics_http *m, uint32_t addr, uint16_t port, char *err,
		size_t errlen)
{
	uint32_t old_addr = m->addr;
	uint16_t old_port = m->port;
	char ignored[128];
	int fd, rc;

	if (port == m->port && (port == 0 || addr == m->addr))
		return 0;
	if (port == 0) {
		stop(m);
		return 0;
	}
	fd = bind_listen(addr, port, err, errlen);
	if (fd == -EADDRINUSE && port == old_port) {
		stop(m);
		fd = bind_listen(addr, port, err, errlen);
	} else if (fd >= 0) {
		stop(m);
	}
	if (fd < 0 && m->d != NULL)
		return fd; /* the old one untouched */
	rc = fd < 0 ? fd : start(m, fd, addr, port, err, errlen);
	if (rc != 0 && old_port != 0) {
		fd = bind_listen(old_addr, old_port, ignored, sizeof(ignored));
		if ((fd < 0 || start(m, fd, old_addr, old_port, ignored, sizeof(ignored)) != 0) &&
				errlen > 0) {
			size_t n = strnlen(err, errlen);

			snprintf(err + n, errlen - n, "; and the listener before cannot be restored "
					"(%s): nothing listens", ignored);
		}
	}
	return rc;
}

uint16_t
metrics_http_port(const struct metrics_http *m)
{
	return m->port;
}

void
metrics_http_destroy(struct metrics_http *m)
{
	if (m == NULL)
		return;
	stop(m);
	if (m->efd >= 0) {
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->efd, NULL);
		close(m->efd);
	}
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m->work);
	free(m->snap);
	free(m->mine);
	free(m);
}
