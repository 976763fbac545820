/* syslogfwd_test.c: logd's remote forwarding: addresses, RFC 5424 lines, a datagram on loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"
#include "syslogfwd.h"

#define STAMP "2023-11-14T22:13:20.123Z"

static void addresses(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	CHECK(syslogfwd_addr("127.0.0.1:514", &ss, &len) == 0);
	CHECK(ss.ss_family == AF_INET && len == sizeof *s4);
	CHECK(ntohs(s4->sin_port) == 514 && ntohl(s4->sin_addr.s_addr) == 0x7f000001);
	CHECK(syslogfwd_addr("[::1]:65535", &ss, &len) == 0);
	CHECK(ss.ss_family == AF_INET6 && len == sizeof *s6);
	CHECK(ntohs(s6->sin6_port) == 65535 && IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	CHECK(syslogfwd_addr("[2001:db8::1]:1", &ss, &len) == 0);
}

static void bad_addresses(void)
{
	static const char *bad[] = {
		"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:51a", "127.0.0.1:-1", "127.0.0.1:+1", "127.0.0.1:000514",
		"localhost:514", "::1:514", "[::1]514", "[::1]:", "[]:514",
		"[127.0.0.1]:514", "[::1:514", ":514", "1.2.3:514",
		"[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001]:514",
	};
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = syslogfwd_addr(bad[i], &ss, &len);

		if (rc != -EINVAL)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		CHECK(rc == -EINVAL);
	}
}

static void rfc5424_line(void)
{
	char buf[SYSLOGFWD_PACKET_MAX];
	const char want[] = "<30>1 " STAMP " box web - - - GET /\t200?";
	size_t n;

	n = syslogfwd_format(buf, sizeof buf, "box", STAMP, "web", "GET /\t200\r", 10);
	CHECK(n == sizeof want - 1 && memcmp(buf, want, n) == 0);
	n = syslogfwd_format(buf, sizeof buf, "", "", "", "", 0);
	CHECK(n == 18 && memcmp(buf, "<30>1 - - - - - - ", n) == 0);
	CHECK(syslogfwd_format(buf, 20, "box", STAMP, "web", "x", 1) == 0);
	/* a datagram, not a string: no room for a NUL is needed */
	CHECK(syslogfwd_format(buf, sizeof want - 2, "box", STAMP, "web", "GET /\t200\r", 10) == 0);
	CHECK(syslogfwd_format(buf, sizeof want - 1, "box", STAMP, "web", "GET /\t200\r", 10) ==
	      sizeof want - 1);
}

/* One line, one datagram, to a socket of ours on 127.0.0.1. */
static void sends_on_loopback(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	struct syslogfwd f;
	struct utsname u;
	char spec[32], want[512], got[512];
	ssize_t n;
	int rx;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(rx >= 0);
	CHECK(bind(rx, (struct sockaddr *)&sin, sizeof sin) == 0);
	CHECK(getsockname(rx, (struct sockaddr *)&sin, &len) == 0);
	snprintf(spec, sizeof spec, "127.0.0.1:%u", ntohs(sin.sin_port));
	CHECK(syslogfwd_open(&f, spec) == 0);
	CHECK(syslogfwd_send(&f, STAMP, "web", "hello", 5) == 0);
	n = recv(rx, got, sizeof got - 1, MSG_DONTWAIT);
	CHECK(n > 0);
	got[n > 0 ? n : 0] = '\0';
	CHECK(uname(&u) == 0);
	snprintf(want, sizeof want, "<30>1 " STAMP " %s web - - - hello", u.nodename);
	CHECK(strcmp(got, want) == 0);
	CHECK(f.drops.count == 0);

	/* nobody listens any more: lines are counted lost, never waited for */
	close(rx);
	syslogfwd_send(&f, STAMP, "web", "x", 1);
	syslogfwd_send(&f, STAMP, "web", "x", 1);
	CHECK(f.drops.count >= 1 && f.drops.err == ECONNREFUSED);
	syslogfwd_close(&f);
	CHECK(f.fd == -1);
	CHECK(syslogfwd_open(&f, "localhost:514") == -EINVAL);
}

int main(void)
{
	RUN(addresses);
	RUN(bad_addresses);
	RUN(rfc5424_line);
	RUN(sends_on_loopback);
	return CHECK_DONE();
}
