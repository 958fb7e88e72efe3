/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The management socket server: listening sockets, clients read until one
 * request line, the handler called, the reply written out without ever
 * blocking the control thread's loop. See mgmt.h for the bounds.
 */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mgmt.h"

#define ACCEPT_BURST 32 /* connections taken per event: others wait their turn */
#define TMP_SUFFIX ".tmp"

#ifndef container_of
#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))
#endif

struct mgmt_sock {
	struct ev_handler ev;
	struct mgmt *m;
	int fd;
	bool read_only;
	bool paused; /* accept ran out of fds: listen again at the next tick */
	char *path;
	dev_t dev; /* the socket file's, to remove only ours */
	ino_t ino;
	unsigned int nb_clients;
};

struct mgmt_client {
	struct ev_handler ev;
	LIST_ENTRY(mgmt_client) link;
	struct mgmt_sock *sock;
	int fd;
	uid_t uid;    /* the peer's (SO_PEERCRED): its share of a read-only socket */
	bool dead;    /* closed by mgmt_tick, freed at the next one */
	bool writing; /* the request was read: the reply goes out */
	/* Reading: when it connected; writing: when the reply last moved. */
	uint64_t since_ms;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
	size_t out_off;
};

struct mgmt_reply {
	char *buf;
	size_t len;
	size_t size;
	char *error;
	bool nomem;
};

struct mgmt {
	int epfd;
	struct mgmt_sock socks[2];
	unsigned int nb_socks;
	mgmt_handler_fn fn;
	void *arg;
	uint64_t now_ms;
	LIST_HEAD(, mgmt_client) clients;
	LIST_HEAD(, mgmt_client) dead;
	struct mgmt_stats stats;
};

static const char busy_line[] = "{\"ok\":false,\"error\":\"busy: too many clients\"}\n";
static const char share_line[] =
	"{\"ok\":false,\"error\":\"busy: this user has its share of the read-only socket's clients\"}\n";
static const char idle_line[] =
	"{\"ok\":false,\"error\":\"timeout: no complete request within 10 s\"}\n";

/* ------------------------------------------------------------- the reply */

static int
reply_append(struct mgmt_reply *out, const char *s, size_t n)
{
	if (out->len + n > out->size) {
		size_t size = out->size ? out->size : 4096;
		char *p;

		while (size < out->len + n)
			size *= 2;
		p = realloc(out->buf, size);
		if (p == NULL)
			return -ENOMEM;
		out->buf = p;
		out->size = size;
	}
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	return 0;
}

int
mgmt_reply_record(struct mgmt_reply *out, json_t *rec)
{
	char *line;
	int rc;

	if (out->error != NULL || out->nomem) {
		json_decref(rec);
		return out->nomem ? -ENOMEM : 0;
	}
	line = api_record_line(rec);
	json_decref(rec);
	rc = line ? reply_append(out, line, strlen(line)) : -ENOMEM;
	free(line);
	if (rc < 0)
		out->nomem = true;
	return rc;
}

void
mgmt_reply_error(struct mgmt_reply *out, const char *fmt, ...)
{
	va_list ap;

	if (out->error != NULL || out->nomem)
		return;
	va_start(ap, fmt);
	if (vasprintf(&out->error, fmt, ap) < 0) {
		out->error = NULL;
		out->nomem = true;
	}
	va_end(ap);
}

/* The reply's bytes, status line included, handed to the client; 0 or
 * -ENOMEM. */
static int
reply_finish(struct mgmt_reply *out, struct mgmt_client *c)
{
	char *status;
	int rc;

	if (out->nomem || out->error != NULL)
		out->len = 0;
	status = api_status_line(!out->nomem && out->error == NULL,
		out->nomem ? "out of memory" : out->error);
	rc = status ? reply_append(out, status, strlen(status)) : -ENOMEM;
	free(status);
	free(out->error);
	out->error = NULL;
	if (rc < 0) {
		free(out->buf);
		out->buf = NULL;
		return rc;
	}
	c->out = out->buf;
	c->out_len = out->len;
	c->out_off = 0;
	out->buf = NULL;
	return 0;
}

/* ---------------------------------------------------------------- clients */

static void
client_free(struct mgmt_client *c)
{
	free(c->in);
	free(c->out);
	free(c);
}

/* Closes c's connection. From c's own event it is freed at once (an fd has
 * one event per epoll round); from mgmt_tick, at the next tick. */
static void
client_close(struct mgmt_client *c, bool defer)
{
	struct mgmt *m = c->sock->m;

	epoll_ctl(m->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->sock->nb_clients--;
	LIST_REMOVE(c, link);
	if (defer) {
		c->dead = true;
		LIST_INSERT_HEAD(&m->dead, c, link);
	} else {
		client_free(c);
	}
}

static void
client_write(struct mgmt_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			break; /* the client went away */
		}
		c->out_off += (size_t)n;
		c->since_ms = c->sock->m->now_ms;
	}
	client_close(c, false);
}

/* The reply becomes c's output: write what the socket takes now, wait for
 * EPOLLOUT for the rest. */
static void
client_reply(struct mgmt_client *c, struct mgmt_reply *out)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &c->ev};
	struct mgmt *m = c->sock->m;

	free(c->in);
	c->in = NULL;
	if (reply_finish(out, c) < 0) {
		client_close(c, false);
		return;
	}
	c->writing = true;
	c->since_ms = m->now_ms;
	if (epoll_ctl(m->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
		client_close(c, false);
		return;
	}
	client_write(c);
}

static void
client_serve(struct mgmt_client *c, size_t len)
{
	struct mgmt_sock *s = c->sock;
	struct mgmt *m = s->m;
	struct mgmt_reply out = {0};
	struct api_request req;
	char err[256];

	if (api_request_decode(c->in, len, &req, err, sizeof(err)) < 0) {
		m->stats.refused++;
		mgmt_reply_error(&out, "%s", err);
	} else if (s->read_only && !api_op_read_only(req.op)) {
		m->stats.refused++;
		mgmt_reply_error(&out, "this socket is read-only: %s needs %s", api_op_name(req.op),
			m->socks[0].path);
		api_request_free(&req);
	} else {
		m->stats.requests++;
		m->fn(m->arg, &req, &out);
		api_request_free(&req);
	}
	client_reply(c, &out);
}

static void
client_read(struct mgmt_client *c)
{
	struct mgmt *m = c->sock->m;
	char *nl;
	ssize_t n;

	n = read(c->fd, c->in + c->in_len, API_REQUEST_MAX - c->in_len);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_close(c, false);
		return;
	}
	if (n == 0) {
		/* The client shut its side: what it sent is its request. */
		if (c->in_len == 0)
			client_close(c, false);
		else
			client_serve(c, c->in_len);
		return;
	}
	nl = memchr(c->in + c->in_len, '\n', (size_t)n);
	c->in_len += (size_t)n;
	if (nl != NULL) {
		/* Anything after the newline is ignored: one request a connection. */
		client_serve(c, (size_t)(nl - c->in) + 1);
	} else if (c->in_len == API_REQUEST_MAX) {
		struct mgmt_reply out = {0};

		m->stats.too_large++;
		mgmt_reply_error(&out, "request too large (over %u bytes)", API_REQUEST_MAX);
		client_reply(c, &out);
	}
}

static void
on_client(struct ev_handler *h, uint32_t events)
{
	struct mgmt_client *c = container_of(h, struct mgmt_client, ev);

	(void)events;
	if (c->dead)
		return;
	if (c->writing)
		client_write(c);
	else
		client_read(c);
}

/* ---------------------------------------------------------------- sockets */

/* A few bytes to a socket that just came: they fit its empty buffer. */
static void
say_and_close(int fd, const char *line, size_t len)
{
	ssize_t n = send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)n;
	close(fd);
}

static void
sock_pause(struct mgmt_sock *s, bool pause)
{
	struct epoll_event ev = {.events = pause ? 0 : EPOLLIN, .data.ptr = &s->ev};

	if (s->paused != pause && epoll_ctl(s->m->epfd, EPOLL_CTL_MOD, s->fd, &ev) == 0)
		s->paused = pause;
}

/* Whether fd's user has room on s (fewer than MGMT_MAX_CLIENTS_PER_UID of
 * its clients there); its uid in *uid. A peer whose credentials cannot be
 * read has no share. */
static bool
share_ok(const struct mgmt *m, const struct mgmt_sock *s, int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	const struct mgmt_client *c;
	unsigned int n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return false;
	*uid = cred.uid;
	LIST_FOREACH(c, &m->clients, link)
		if (c->sock == s && c->uid == cred.uid)
			n++;
	return n < MGMT_MAX_CLIENTS_PER_UID;
}

static void
on_accept(struct ev_handler *h, uint32_t events)
{
	struct mgmt_sock *s = container_of(h, struct mgmt_sock, ev);
	struct mgmt *m = s->m;

	(void)events;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct mgmt_client *c;
		uid_t uid = (uid_t)-1;
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of fds or memory: a level-triggered listener would
			 * spin the loop; wait for the next tick. */
			m->stats.accept_failed++;
			sock_pause(s, true);
			return;
		}
		if (s->nb_clients >= MGMT_MAX_CLIENTS) {
			m->stats.busy++;
			say_and_close(fd, busy_line, sizeof(busy_line) - 1);
			continue;
		}
		/* Any local user may use the read-only socket: none may take
		 * more than its share of the slots from the others. */
		if (s->read_only && !share_ok(m, s, fd, &uid)) {
			m->stats.busy++;
			say_and_close(fd, share_line, sizeof(share_line) - 1);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c != NULL)
			c->in = malloc(API_REQUEST_MAX);
		if (c == NULL || c->in == NULL) {
			free(c);
			close(fd);
			m->stats.accept_failed++;
			continue;
		}
		c->ev.fn = on_client;
		c->sock = s;
		c->fd = fd;
		c->uid = uid;
		c->since_ms = m->now_ms;
		ev.data.ptr = &c->ev;
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			client_free(c);
			close(fd);
			m->stats.accept_failed++;
			continue;
		}
		s->nb_clients++;
		LIST_INSERT_HEAD(&m->clients, c, link);
	}
}

/* mkdir -p dir, new directories 0755. */
static int
mkdir_p(const char *dir)
{
	char *p, *copy = strdup(dir);
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

static int
set_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* Whether a process listens on path: then it is not ours to replace. */
static bool
served(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	if (set_addr(&sa, path) < 0)
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	/* EAGAIN: its backlog is full, so someone listens. */
	rc = rc == 0 || errno == EAGAIN;
	close(fd);
	return rc;
}

static int
sock_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
sock_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * Listens on path with the given mode. The socket is bound under a
 * temporary name, given its mode, then renamed into place: at no moment
 * does path accept connections with another mode (umask is per process,
 * and the process has other threads).
 */
static int
sock_open(struct mgmt *m, struct mgmt_sock *s, const char *path, bool read_only, char *err,
	size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->ev};
	mode_t mode = read_only ? 0666 : 0600;
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un sa;
	struct stat st;
	char *dir;
	int rc;

	s->m = m;
	s->fd = -1;
	s->read_only = read_only;
	s->ev.fn = on_accept;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s", path, TMP_SUFFIX) >= sizeof(tmp) ||
		set_addr(&sa, tmp) < 0)
		return sock_fail(err, errlen, -ENAMETOOLONG,
			"socket path %s is too long (at most %zu characters)", path,
			sizeof(tmp) - sizeof(TMP_SUFFIX));
	s->path = strdup(path);
	dir = strdup(path);
	if (s->path == NULL || dir == NULL) {
		free(dir);
		return sock_fail(err, errlen, -ENOMEM, "out of memory");
	}
	rc = mkdir_p(dirname(dir));
	if (rc < 0) {
		sock_fail(err, errlen, rc, "cannot create the directory of %s: %s", path,
			strerror(-rc));
		free(dir);
		return rc;
	}
	free(dir);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return sock_fail(err, errlen, -EEXIST, "%s exists and is not a socket", path);
		if (served(path))
			return sock_fail(err, errlen, -EADDRINUSE,
				"%s is in use: is another vbrd running?", path);
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return sock_fail(err, errlen, -errno, "socket: %s", strerror(errno));
	unlink(tmp);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(tmp, mode) != 0 ||
		listen(s->fd, SOMAXCONN) != 0 || rename(tmp, path) != 0) {
		rc = -errno;
		unlink(tmp);
		return sock_fail(err, errlen, rc, "cannot listen on %s: %s", path, strerror(-rc));
	}
	if (lstat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
		rc = -errno;
		unlink(path);
		return sock_fail(err, errlen, rc, "epoll_ctl: %s", strerror(-rc));
	}
	return 0;
}

static void
sock_close(struct mgmt_sock *s)
{
	struct stat st;

	if (s->fd >= 0) {
		epoll_ctl(s->m->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
		/* Another vbrd may have taken the path since: leave its socket. */
		if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
			unlink(s->path);
	}
	free(s->path);
}

/* ------------------------------------------------------------------ mgmt */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct mgmt *
mgmt_create(int epfd, const char *rw_path, const char *ro_path, mgmt_handler_fn fn, void *arg,
	char *err, size_t errlen)
{
	struct mgmt *m;

	if (rw_path == NULL || fn == NULL) {
		snprintf(err, errlen, "mgmt_create: no socket path or no handler");
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->epfd = epfd;
	m->fn = fn;
	m->arg = arg;
	m->now_ms = now_ms();
	LIST_INIT(&m->clients);
	LIST_INIT(&m->dead);
	if (ro_path != NULL && strcmp(rw_path, ro_path) == 0) {
		snprintf(err, errlen, "the read-only socket cannot be the read-write one (%s)",
			rw_path);
		free(m);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		const char *path = i == 0 ? rw_path : ro_path;

		if (path == NULL)
			continue;
		m->nb_socks++;
		if (sock_open(m, &m->socks[i], path, i == 1, err, errlen) < 0) {
			mgmt_destroy(m);
			return NULL;
		}
	}
	return m;
}

void
mgmt_tick(struct mgmt *m, uint64_t now)
{
	struct mgmt_client *c, *next;

	m->now_ms = now;
	while ((c = LIST_FIRST(&m->dead)) != NULL) {
		LIST_REMOVE(c, link);
		client_free(c);
	}
	for (unsigned int i = 0; i < m->nb_socks; i++)
		if (m->socks[i].paused)
			sock_pause(&m->socks[i], false);
	for (c = LIST_FIRST(&m->clients); c != NULL; c = next) {
		uint64_t idle = now > c->since_ms ? now - c->since_ms : 0;

		next = LIST_NEXT(c, link);
		if (!c->writing && idle >= MGMT_REQUEST_TIMEOUT_MS) {
			m->stats.idle++;
			/* Its send buffer is empty: the line fits. */
			ssize_t n = send(c->fd, idle_line, sizeof(idle_line) - 1,
				MSG_NOSIGNAL | MSG_DONTWAIT);

			(void)n;
			client_close(c, true);
		} else if (c->writing && idle >= MGMT_WRITE_TIMEOUT_MS) {
			m->stats.stalled++;
			client_close(c, true);
		}
	}
}

void
mgmt_destroy(struct mgmt *m)
{
	struct mgmt_client *c;

	if (m == NULL)
		return;
	while ((c = LIST_FIRST(&m->clients)) != NULL)
		client_close(c, false);
	while ((c = LIST_FIRST(&m->dead)) != NULL) {
		LIST_REMOVE(c, link);
		client_free(c);
	}
	for (unsigned int i = 0; i < 2; i++)
		if (m->socks[i].m != NULL)
			sock_close(&m->socks[i]);
	free(m);
}

void
mgmt_get_stats(const struct mgmt *m, struct mgmt_stats *st)
{
	*st = m->stats;
}
