/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbrctl's side of the management socket: connect, send the request line,
 * read the reply as it streams. Every wait is bounded: a vbrd that does not
 * answer is an error, not a hung shell.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vbrctl.h"

int
client_connect(const char *path, int timeout_s, int *fdp, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	/* A blocking connect waits for room in vbrd's backlog at most this. */
	struct timeval tv = {.tv_sec = timeout_s};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "cannot connect to %s: the path is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return rc;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
		connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		if (rc == -EAGAIN)
			snprintf(err, errlen, "cannot connect to %s: no room in its queue within %d s",
				path, timeout_s);
		else
			snprintf(err, errlen, "cannot connect to %s: %s%s", path, strerror(-rc),
				rc == -ENOENT || rc == -ECONNREFUSED ? " (is vbrd running?)" : "");
		close(fd);
		return rc;
	}
	*fdp = fd;
	return 0;
}

/* Waits for events on fd at most timeout_s; 0 or -ETIMEDOUT / -errno. */
static int
wait_fd(int fd, short events, int timeout_s)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;

	do
		n = poll(&p, 1, timeout_s * 1000);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

/* Sends the request. A vbrd that hangs up before taking it all (it refused
 * the request) has said why: the caller reads that. */
static int
send_request(int fd, const char *path, const char *req, int timeout_s, char *err, size_t errlen)
{
	size_t len = strlen(req), off = 0;

	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		int rc;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(err, errlen, "sending to %s: %s", path, strerror(errno));
			return -errno;
		}
		rc = wait_fd(fd, POLLOUT, timeout_s);
		if (rc < 0) {
			if (rc == -ETIMEDOUT)
				snprintf(err, errlen, "%s took no request within %d s", path,
					timeout_s);
			else
				snprintf(err, errlen, "poll: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Reads the reply until its status line. */
static int
read_reply(int fd, const char *path, struct api_reader *r, int timeout_s, client_record_fn fn,
	void *arg, char *err, size_t errlen)
{
	static char buf[1 << 16];

	for (;;) {
		json_t *rec;
		ssize_t n;
		int rc;

		while ((rc = api_reader_next(r, &rec, err, errlen)) == API_READ_RECORD)
			if (fn(rec, arg) != 0) {
				snprintf(err, errlen, "could not print the reply");
				return -EIO;
			}
		if (rc == API_READ_STATUS)
			return 0;
		if (rc < 0)
			return rc;
		rc = wait_fd(fd, POLLIN, timeout_s);
		if (rc < 0) {
			if (rc == -ETIMEDOUT)
				snprintf(err, errlen, "no reply from %s within %d s", path, timeout_s);
			else
				snprintf(err, errlen, "poll: %s", strerror(-rc));
			return rc;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s closed the connection before its reply was complete%s%s",
				path, n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return -EPROTO;
		}
		rc = api_reader_feed(r, buf, (size_t)n);
		if (rc < 0) {
			snprintf(err, errlen, "reading the reply from %s: %s", path,
				rc == -EMSGSIZE ? "a line is too long" : strerror(-rc));
			return rc;
		}
	}
}

int
client_call(int fd, const char *path, const char *request, int timeout_s, client_record_fn fn,
	void *arg, char *err, size_t errlen)
{
	struct api_reader *r = api_reader_new();
	int rc;

	if (r == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = send_request(fd, path, request, timeout_s, err, errlen);
	if (rc == 0)
		rc = read_reply(fd, path, r, timeout_s, fn, arg, err, errlen);
	if (rc == 0 && !api_reader_ok(r)) {
		snprintf(err, errlen, "%s", api_reader_error(r));
		rc = -1;
	}
	api_reader_free(r);
	close(fd);
	return rc < 0 ? -1 : 0;
}
