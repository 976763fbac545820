/* syslogfwd.c: every logged line, as RFC 5424 over UDP, to one remote collector. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "syslogfwd.h"
#include "text.h"

#define SYSLOGFWD_PRI 30		/* facility daemon (3) * 8 + severity info (6) */

static int port(const char *s, in_port_t *p)
{
	unsigned long long n;

	if (strlen(s) > 5 || text_uint(s, 65535, &n) < 0 || n == 0)
		return -EINVAL;
	*p = htons((in_port_t)n);
	return 0;
}

/*
 * syslogfwd_addr: "192.0.2.1:514" or "[2001:db8::1]:514" (numeric only:
 * logd resolves no names) into ss.  -EINVAL for anything else.
 */
int syslogfwd_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[SYSLOGFWD_ADDR_MAX];
	const char *colon;
	size_t hlen;

	memset(ss, 0, sizeof *ss);
	if (spec[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':')
			return -EINVAL;
		hlen = (size_t)(rb - spec - 1);
		if (hlen == 0 || hlen >= sizeof host)
			return -EINVAL;
		memcpy(host, spec + 1, hlen);
		host[hlen] = '\0';
		s6->sin6_family = AF_INET6;
		*len = sizeof *s6;
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		return port(rb + 2, &s6->sin6_port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		colon = strchr(spec, ':');
		if (colon == NULL)
			return -EINVAL;
		hlen = (size_t)(colon - spec);
		if (hlen == 0 || hlen >= sizeof host)
			return -EINVAL;
		memcpy(host, spec, hlen);
		host[hlen] = '\0';
		s4->sin_family = AF_INET;
		*len = sizeof *s4;
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		return port(colon + 1, &s4->sin_port);
	}
}

/* RFC 5424 HOSTNAME: printable US-ASCII without space, or "-" when unknown. */
static void hostname(char *buf, size_t size)
{
	struct utsname u;
	size_t i;

	if (uname(&u) < 0 || u.nodename[0] == '\0') {
		snprintf(buf, size, "-");
		return;
	}
	for (i = 0; u.nodename[i] != '\0' && i + 1 < size; i++) {
		if (u.nodename[i] > ' ' && u.nodename[i] < 0x7f)
			buf[i] = u.nodename[i];
		else
			buf[i] = '_';
	}
	buf[i] = '\0';
}

/*
 * syslogfwd_open: a UDP socket connected to spec, non-blocking: a slow or
 * missing collector loses lines, it never holds logd up.  The host name
 * is taken now.
 */
int syslogfwd_open(struct syslogfwd *f, const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int rc;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	rc = syslogfwd_addr(spec, &ss, &len);
	if (rc < 0)
		return rc;
	hostname(f->host, sizeof f->host);
	f->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	if (connect(f->fd, (struct sockaddr *)&ss, len) < 0) {
		rc = -errno;
		close(f->fd);
		f->fd = -1;
		return rc;
	}
	return 0;
}

/*
 * syslogfwd_format: "<30>1 TIMESTAMP HOSTNAME APP-NAME - - - LINE", no
 * PROCID, MSGID or structured data; the line cleaned as in the files.
 * Returns the length, 0 when buf is too small.
 */
size_t syslogfwd_format(char *buf, size_t size, const char *host, const char *stamp,
			const char *app, const char *line, size_t len)
{
	int n;

	if (len > LOGFILE_LINE_MAX)
		len = LOGFILE_LINE_MAX;
	n = snprintf(buf, size, "<%d>1 %s %s %s - - - ", SYSLOGFWD_PRI,
		     stamp[0] != '\0' ? stamp : "-", host[0] != '\0' ? host : "-",
		     app[0] != '\0' ? app : "-");
	if (n < 0 || (size_t)n >= size || size - (size_t)n < len)
		return 0;
	return (size_t)n + logfile_clean(buf + n, line, len);
}

/* syslogfwd_send: one line as one datagram; a line not sent is counted in f->drops. */
int syslogfwd_send(struct syslogfwd *f, const char *stamp, const char *app,
		   const char *line, size_t len)
{
	char pkt[SYSLOGFWD_PACKET_MAX];
	size_t n;

	n = syslogfwd_format(pkt, sizeof pkt, f->host, stamp, app, line, len);
	if (n == 0) {
		logfile_drop(&f->drops, "format", EMSGSIZE);
		return -EMSGSIZE;
	}
	if (send(f->fd, pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		int rc = -errno;

		logfile_drop(&f->drops, "send", -rc);
		return rc;
	}
	return 0;
}

/* syslogfwd_close: no more forwarding. */
void syslogfwd_close(struct syslogfwd *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
