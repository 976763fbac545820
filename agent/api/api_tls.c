/*
 * api_tls.c: the control API's transport, on the unprivileged network
 * side: TLS 1.2 or newer through OpenSSL, a client certificate required
 * and checked against [api] client-ca, its CRL and allow-file
 * (api_trust.c), one request per connection.
 *
 * Each connection is served by a process of its own.  A poll()-driven
 * loop would serve handshakes concurrently too, but the routes run
 * commands that take seconds (nvidia-smi, tar for the support bundle),
 * so it would still need workers; a process a connection keeps each
 * client's TLS state and memory apart from every other's (one client's
 * crash ends its connection alone) and lets a plain blocking read with
 * an alarm bound the handshake.  The listener only accepts and counts:
 * at most API_CONN_MAX connections, API_PEER_MAX of them from one source
 * (api_peers.c), so idle connections from one address cannot keep an
 * operator out; when idle connections from many fill every place, a new
 * one ends the oldest whose client is not verified yet.  A connection
 * has API_HANDSHAKE_SECONDS for its handshake and API_REQUEST_SECONDS
 * more for its request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "api/api_peers.h"
#include "api/api_routes.h"
#include "api/api_signals.h"
#include "api/api_tls.h"
#include "conf/clock.h"
#include "fileio.h"
#include "api/httpreq.h"
#include "conf/setup.h"
#include "text.h"

#define WRITE_SECONDS 15		/* for each write of an answer to get through */

/* One connection, as the verify callback sees it. */
struct conn {
	const struct api_trust *trust;
	char refused[200];		/* why the callback refused the certificate */
};

/*
 * While the clock is unsure (setup found it behind the build and NTP has
 * not set it since), the true time is only known to be no earlier than
 * the build: a client certificate or CRL issued since is taken, an
 * expired one is not (lib/fetch.c does the same for the config's
 * server).  A certificate whose chain holds is then looked up on the
 * allow-list.
 */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct conn *cn = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int e = X509_STORE_CTX_get_error(x);
	char hex[100];

	if (!ok && (e == X509_V_ERR_CERT_NOT_YET_VALID || e == X509_V_ERR_CRL_NOT_YET_VALID) &&
	    clock_unsure(SETUP_OUT "/" SETUP_CLOCK_MARK)) {
		X509_STORE_CTX_set_error(x, X509_V_OK);
		return 1;
	}
	if (ok && cn != NULL && X509_STORE_CTX_get_error_depth(x) == 0 &&
	    !trust_allows(cn->trust, X509_STORE_CTX_get_current_cert(x), hex, sizeof hex)) {
		snprintf(cn->refused, sizeof cn->refused, "certificate %s is not on [api] allow-file", hex);
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	return ok;
}

/* tls_context: the server's context with the node's certificate and key
 * (read here, as root: the key may be root's alone); the clients' CA
 * comes later, from api_trust. */
int tls_context(const struct nodeconf *c, SSL_CTX **out, struct perr *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int rc = 0;

	*out = NULL;
	if (ctx == NULL)
		return perr(e, -EINVAL, "TLS: out of memory");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_verify_depth(ctx, 4);
	/* No resumption: every connection shows its certificate, checked
	 * again (an expired or revoked client is not let back in by a
	 * ticket).  The context id keeps OpenSSL from refusing a client that
	 * offers a session anyway. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"cairn-agent", 11);
	if ((long long)time(NULL) < CAIRN_BUILD_EPOCH)
		X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), (time_t)CAIRN_BUILD_EPOCH);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->api_cert) != 1)
		rc = perr(e, -EINVAL, "[api] cert-file %s: not a readable PEM certificate", c->api_cert);
	else if (SSL_CTX_use_PrivateKey_file(ctx, c->api_key, SSL_FILETYPE_PEM) != 1)
		rc = perr(e, -EINVAL, "[api] key-file %s: not a readable PEM private key", c->api_key);
	else if (SSL_CTX_check_private_key(ctx) != 1)
		rc = perr(e, -EINVAL, "[api] key-file %s: not the key of %s", c->api_key, c->api_cert);
	ERR_clear_error();
	if (rc < 0) {
		SSL_CTX_free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

/* tls_listen: a non-blocking socket listening on ADDR (the config checked
 * it: 10.0.0.5:7443 or [::]:7443); the port it got in *port.  The fd,
 * or -errno with E set. */
int tls_listen(const char *addr, int *port, struct perr *e)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[64];
	const char *colon = strrchr(addr, ':');
	unsigned long long p;
	int fd, rc, one = 1, zero = 0;
	size_t n = colon != NULL ? (size_t)(colon - addr) : 0;

	memset(&ss, 0, sizeof ss);
	if (colon == NULL || n < 2 || text_uint(colon + 1, 65535, &p) < 0)
		return perr(e, -EINVAL, "[api] listen %s: not ADDRESS:PORT", addr);
	if (addr[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		snprintf(host, sizeof host, "%.*s", (int)(n - 2), addr + 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)p);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		snprintf(host, sizeof host, "%.*s", (int)n, addr);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)p);
		inet_pton(AF_INET, host, &s4->sin_addr);
		sl = sizeof *s4;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return perr(e, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);	/* [::] takes IPv4 too */
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
		rc = perr(e, -errno, "%s: %s", addr, strerror(errno));
		close(fd);
		return rc;
	}
	sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static int ssl_write_all(SSL *ssl, const char *p, size_t n)
{
	while (n > 0) {
		size_t w;

		if (SSL_write_ex(ssl, p, n, &w) != 1)
			return -EIO;
		p += w;
		n -= w;
	}
	return 0;
}

static void send_reply(SSL *ssl, const struct reply *out)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof head,
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n"
		     "Cache-Control: no-store\r\n%s%s\r\n",
		     out->status, status_text(out->status), out->type, out->len, out->extra ? out->extra : "",
		     out->extra ? "\r\n" : "");
	if (ssl_write_all(ssl, head, (size_t)n) == 0 && out->len > 0)
		ssl_write_all(ssl, out->body, out->len);
}

/* Why the handshake failed, in words. */
static void ssl_why(char *buf, size_t size, SSL *ssl, const struct conn *cn)
{
	unsigned long e = ERR_peek_last_error();
	long v = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (cn->refused[0] != '\0')
		snprintf(buf, size, "%s", cn->refused);
	else if (v != X509_V_OK)
		snprintf(buf, size, "%s", X509_verify_cert_error_string(v));
	else if (e != 0)
		snprintf(buf, size, "%s", ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "TLS error");
	else
		snprintf(buf, size, "the connection closed");
	ERR_clear_error();
}

static void peer_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(buf, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(buf, size, "%s:%u", a, ntohs(s4->sin_port));
	}
}

/* A client's time runs out: the alarm interrupts the blocking read. */
static volatile sig_atomic_t too_slow;

static void on_alarm(int sig)
{
	(void)sig;
	too_slow = 1;
}

/* The request head, read within the time left; its length, 0 when it
 * did not come whole, -E2BIG when too long, -EINVAL with *bad. */
static int read_head(SSL *ssl, char *buf, size_t size, struct http_req *req, const char **bad)
{
	size_t have = 0;
	int n = 0;

	while (n == 0) {
		size_t got;

		if (have == size)
			return -E2BIG;
		if (SSL_read_ex(ssl, buf + have, size - have, &got) != 1)
			break;
		have += got;
		n = http_parse(buf, have, req, bad);
	}
	return n;
}

/* One connection, in its own process: handshake, one request, one
 * answer; a byte on SAID once the client is verified. */
static void conn_serve(const struct api_opts *o, SSL_CTX *ctx, const struct api_trust *t, int fd, int priv,
		       const char *peer, int said)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART: a read in progress is cut */
	struct reply out = { 0, NULL, NULL, 0, NULL };
	struct conn cn = { t, "" };
	char buf[HTTP_HEAD_MAX], why[256], who[256] = "-";
	struct api_conn c = { o, priv, who };
	struct http_req req;
	const char *bad = "";
	enum role role = ROLE_NONE;
	X509 *cert;
	SSL *ssl;
	int n;

	if (t->store == NULL) {
		fprintf(o->log, "api: %s: refused: %s\n", peer, t->why);
		return;
	}
	sigaction(SIGALRM, &sa, NULL);
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return;
	}
	SSL_set_app_data(ssl, &cn);
	alarm(API_HANDSHAKE_SECONDS);
	if (SSL_accept(ssl) != 1) {
		alarm(0);
		if (too_slow)
			snprintf(why, sizeof why, "no handshake within %d s", API_HANDSHAKE_SECONDS);
		else
			ssl_why(why, sizeof why, ssl, &cn);
		fprintf(o->log, "api: %s: refused: %s\n", peer, why);
		SSL_free(ssl);
		return;
	}
	/* No longer to be ended for a newcomer: an operator's command is not cut. */
	(void)!write(said, "v", 1);
	alarm(API_REQUEST_SECONDS);
	cert = SSL_get1_peer_certificate(ssl);
	if (cert != NULL) {
		X509_NAME_oneline(X509_get_subject_name(cert), who, sizeof who);
		role = route_role(cert);
		X509_free(cert);
	}
	n = read_head(ssl, buf, sizeof buf, &req, &bad);
	alarm(0);
	if (n == 0) {
		fprintf(o->log, "api: %s (%s): no whole request%s\n", peer, who,
			too_slow ? " within the time a client has" : "");
		SSL_free(ssl);
		return;
	}
	if (n == -E2BIG)
		reply_text(&out, 413, "the request head is longer than %d bytes\n", HTTP_HEAD_MAX);
	else if (n < 0)
		reply_text(&out, 400, "bad request: %s\n", bad);
	else if (req.content_length > 0)
		reply_text(&out, 413, "the API takes no request body\n");
	else if (route_answer(&c, &req, role, &out) < 0)
		reply_text(&out, 500, "%s %s: out of memory\n", req.method, req.path);
	if (out.status == 0)
		reply_text(&out, 500, "no answer\n");
	send_reply(ssl, &out);
	fprintf(o->log, "api: %s (%s, role %s): %s %s: %d\n", peer, who, route_role_name(role),
		n > 0 ? req.method : "-", n > 0 ? req.path : "-", out.status);
	fflush(o->log);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	if (n > 0)
		route_after(&c, &req, &out);
	reply_free(&out);
}

/* What a flood makes the listener say, each at most once a second. */
struct hush {
	time_t last;
	unsigned quiet;
};

static void say_hushed(FILE *log, struct hush *h, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say_hushed(FILE *log, struct hush *h, const char *fmt, ...)
{
	time_t now = time(NULL);
	va_list ap;

	if (now == h->last) {
		h->quiet++;
		return;
	}
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	if (h->quiet > 0)
		fprintf(log, " (and %u more in the second before)", h->quiet);
	fprintf(log, "\n");
	fflush(log);
	h->last = now;
	h->quiet = 0;
}

/*
 * Room for a connection from PEER when every place is taken: the oldest
 * connection whose client is not verified yet is ended, and its place
 * free at once (SIGKILL cannot be caught; reap() collects the process
 * without a word).  0, or -EBUSY when every client is verified: PEER is
 * turned away, the listener is not held up.
 */
static int make_room(FILE *log, struct api_peers *peers, const char *peer)
{
	static struct hush ended, busy;
	pid_t pid;

	if (peers->n < API_CONN_MAX)
		return 0;
	pid = peers_unverified(peers);
	if (pid == 0) {
		say_hushed(log, &busy, "api: %s: refused: all %d connections are of verified clients", peer,
			   API_CONN_MAX);
		return -EBUSY;
	}
	kill(pid, SIGKILL);
	peers_remove(peers, pid);
	say_hushed(log, &ended, "api: %s: all %d places taken: the oldest connection not verified yet "
		   "(pid %d) ended to make room", peer, API_CONN_MAX, (int)pid);
	return 0;
}

/* Connections whose process has ended leave the count; a crash is said
 * (not an end make_room() made: it has left the count already). */
static void reap(FILE *log, struct api_peers *peers)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (peers_remove(peers, pid) < 0)
			continue;
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM) {
			fprintf(log, "api: a connection's process (pid %d) died of signal %d\n", (int)pid,
				WTERMSIG(status));
			fflush(log);
		}
	}
}

/*
 * tls_serve: accept on LFD until SIGTERM, each connection served in a
 * process of its own that asks the helper on PRIV for what needs root.
 * T is looked at again before each connection.  Returns 0 once every
 * connection's process has ended.
 */
int tls_serve(const struct api_opts *o, SSL_CTX *ctx, struct api_trust *t, int lfd, int priv)
{
	static struct api_peers peers;
	static struct hush crowded;
	struct timeval tv = { WRITE_SECONDS, 0 };
	sigset_t open_mask;
	int i;

	api_signals(&open_mask);
	SSL_CTX_set1_verify_cert_store(ctx, t->store);
	while (!api_stopping) {
		struct pollfd p = { lfd, POLLIN, 0 };
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		unsigned char key[PEER_KEY];
		char peer[80];
		pid_t pid;
		int fd, said[2];

		reap(o->log, &peers);
		memset(&ss, 0, sizeof ss);
		if (ppoll(&p, 1, NULL, &open_mask) <= 0 || !(p.revents & POLLIN))
			continue;	/* a signal: a connection ended, or SIGTERM */
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;	/* the client's trouble, or another took it */
		peer_text(&ss, peer, sizeof peer);
		peers_key(&ss, key);
		if (peers_count(&peers, key) >= API_PEER_MAX) {
			say_hushed(o->log, &crowded, "api: %s: refused: %d connections from its address are open, "
				   "the most one source may hold", peer, API_PEER_MAX);
			close(fd);
			continue;
		}
		if (make_room(o->log, &peers, peer) < 0) {
			close(fd);
			continue;
		}
		if (pipe2(said, O_CLOEXEC | O_NONBLOCK) < 0) {
			fprintf(o->log, "api: %s: refused: pipe: %s\n", peer, strerror(errno));
			fflush(o->log);
			close(fd);
			continue;
		}
		if (trust_refresh(t, o->log) != 0)
			SSL_CTX_set1_verify_cert_store(ctx, t->store);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		fflush(o->log);
		pid = fork();
		if (pid == 0) {
			/* Only its own pipe: the others' say nothing to it. */
			for (i = 0; i < API_CONN_MAX; i++)
				if (peers.slot[i].pid != 0 && peers.slot[i].fd >= 0)
					close(peers.slot[i].fd);
			close(said[0]);
			close(lfd);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
			sigprocmask(SIG_SETMASK, &open_mask, NULL);
			conn_serve(o, ctx, t, fd, priv, peer, said[1]);
			fflush(o->log);
			_exit(0);
		}
		close(said[1]);
		if (pid < 0) {
			fprintf(o->log, "api: %s: refused: fork: %s\n", peer, strerror(errno));
			fflush(o->log);
			close(said[0]);
		} else {
			peers_add(&peers, pid, key, said[0]);
		}
		close(fd);
	}
	close(lfd);
	for (i = 0; i < API_CONN_MAX; i++)
		if (peers.slot[i].pid != 0)
			kill(peers.slot[i].pid, SIGTERM);
	while (peers.n > 0 && (i = (int)wait(NULL)) > 0)
		peers_remove(&peers, (pid_t)i);
	return 0;
}
