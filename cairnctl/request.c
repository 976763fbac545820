/*
 * request.c: cairnctl's client of the nodes' API (cairn-agent(8), API).
 * Mutual TLS through OpenSSL: the operator's certificate and key, the
 * nodes' CA, TLS 1.2 at least, and each node's certificate must name the
 * node (not merely the address it was reached at).  Everything a node
 * does is bounded: its whole exchange, from connect to the last byte,
 * by one deadline (a node that stalls costs its timeout and nothing
 * more), and what it sends by the request's maximum.  request_all runs
 * a fleet's requests on a fixed number of threads, so a thousand nodes
 * hold at most that many connections.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "request.h"

#define THREAD_STACK (256 << 10)

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void say(struct answer *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct answer *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof a->err, fmt, ap);
	va_end(ap);
}

/* request_tls: the client's TLS: NULL, ERR said, when a file does not load or fit. */
SSL_CTX *request_tls(const char *cert, const char *key, const char *ca, char *err, size_t size)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const char *what = "TLS";

	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	what = cert;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		goto fail;
	what = key;
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	what = ca;
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
fail:
	snprintf(err, size, "%s: %s", what, ERR_reason_error_string(ERR_peek_last_error()) != NULL ?
		 ERR_reason_error_string(ERR_peek_last_error()) : "cannot be used");
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/* Until FD is ready for EVENTS or DEADLINE; 0, or -1 with A said. */
static int wait_fd(int fd, short events, long long deadline, struct answer *a, const char *doing)
{
	struct pollfd p = { fd, events, 0 };
	long long left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0) {
			say(a, "no answer in time (%s)", doing);
			return -1;
		}
		rc = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR) {
			say(a, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

/*
 * A name looked up in a thread of its own, so that the deadline holds
 * however long the system's resolver takes: past it the caller goes, and
 * the lookup, when it ends, frees what they shared.
 */
struct lookup {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	int done, abandoned, rc;
	char host[HOSTLIST_NAME], port[8];
	struct addrinfo *res;
};

static void lookup_free(struct lookup *l)
{
	if (l->res != NULL)
		freeaddrinfo(l->res);
	pthread_cond_destroy(&l->done_cv);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void *lookup_run(void *p)
{
	struct lookup *l = p;
	struct addrinfo hints, *res = NULL;
	int rc, abandoned;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(l->host, l->port, &hints, &res);
	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	l->res = rc == 0 ? res : NULL;
	l->done = 1;
	abandoned = l->abandoned;
	pthread_cond_signal(&l->done_cv);
	pthread_mutex_unlock(&l->lock);
	if (abandoned)
		lookup_free(l);
	return NULL;
}

/* N's addresses by DEADLINE: an address as it is, a name through the resolver; NULL with A said. */
static struct addrinfo *resolve(const struct node *n, long long deadline, struct answer *a)
{
	struct addrinfo hints, *res = NULL;
	struct lookup *l;
	struct timespec until;
	pthread_condattr_t cattr;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	if (getaddrinfo(n->host, n->port, &hints, &res) == 0)
		return res;
	l = calloc(1, sizeof *l);
	if (l == NULL) {
		say(a, "%s", strerror(ENOMEM));
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&l->done_cv, &cattr);
	pthread_condattr_destroy(&cattr);
	snprintf(l->host, sizeof l->host, "%s", n->host);
	snprintf(l->port, sizeof l->port, "%s", n->port);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, lookup_run, l);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		lookup_free(l);
		say(a, "a thread for the lookup: %s", strerror(rc));
		return NULL;
	}
	until.tv_sec = (time_t)(deadline / 1000);
	until.tv_nsec = (long)(deadline % 1000) * 1000000;
	pthread_mutex_lock(&l->lock);
	while (!l->done && pthread_cond_timedwait(&l->done_cv, &l->lock, &until) != ETIMEDOUT)
		;
	if (!l->done) {
		l->abandoned = 1;
		pthread_mutex_unlock(&l->lock);
		say(a, "%s", "no answer in time (looking up its name)");
		return NULL;
	}
	pthread_mutex_unlock(&l->lock);
	if (l->rc != 0)
		say(a, "%s: %s", n->host, gai_strerror(l->rc));
	res = l->res;
	l->res = NULL;
	lookup_free(l);
	return res;
}

/* A connected non-blocking socket to N, or -1 with A said. */
static int dial(const struct node *n, long long deadline, struct answer *a)
{
	struct addrinfo *res, *ai;
	socklen_t len;
	int fd = -1, soerr = 0;

	res = resolve(n, deadline, a);
	if (res == NULL)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			say(a, "socket: %s", strerror(errno));
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline, a, "connecting") == 0) {
			len = sizeof soerr;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
				break;
			say(a, "connect: %s", strerror(soerr));
		} else if (errno != EINPROGRESS) {
			say(a, "connect: %s", strerror(errno));
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* One TLS step that may want to wait: 1 done, 0 again, -1 failed (A said). */
static int tls_step(SSL *ssl, int rc, long long deadline, struct answer *a, const char *doing)
{
	int e = SSL_get_error(ssl, rc);

	if (rc > 0)
		return 1;
	if (e == SSL_ERROR_WANT_READ)
		return wait_fd(SSL_get_fd(ssl), POLLIN, deadline, a, doing) == 0 ? 0 : -1;
	if (e == SSL_ERROR_WANT_WRITE)
		return wait_fd(SSL_get_fd(ssl), POLLOUT, deadline, a, doing) == 0 ? 0 : -1;
	if (SSL_get_verify_result(ssl) != X509_V_OK)
		say(a, "its certificate is refused: %s",
		    X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
	else if (ERR_peek_error() != 0)
		say(a, "TLS: %s", ERR_reason_error_string(ERR_peek_error()));
	else
		say(a, "the connection ended (%s)", doing);
	ERR_clear_error();
	return -1;
}

/*
 * The status line and headers of BUF: the status, where the body starts
 * and its length.  The API answers HTTP/1.x with exactly one
 * Content-Length and no Transfer-Encoding; anything else, or an interim
 * 1xx, is not taken.  0 when the head is not all there yet, -1 bad.
 */
static int head_parse(const char *buf, size_t len, int *status, size_t *body, long long *length)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4), *line, *v;
	char code[4];
	int lengths = 0;

	if (end == NULL)
		return 0;
	if (len < 12 || (memcmp(buf, "HTTP/1.1 ", 9) != 0 && memcmp(buf, "HTTP/1.0 ", 9) != 0))
		return -1;
	memcpy(code, buf + 9, 3);
	code[3] = '\0';
	if (strspn(code, "0123456789") != 3 || code[0] < '2' || code[0] > '5')
		return -1;
	*status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
	*length = -1;
	for (line = memchr(buf, '\n', (size_t)(end - buf)); line != NULL && line < end;
	     line = memchr(line + 1, '\n', (size_t)(end - line))) {
		if (end - line > 18 && strncasecmp(line + 1, "Transfer-Encoding:", 18) == 0)
			return -1;
		if (end - line <= 16 || strncasecmp(line + 1, "Content-Length:", 15) != 0)
			continue;
		for (v = line + 16; *v == ' '; v++)
			;
		if (*v < '0' || *v > '9' || lengths++ > 0)
			return -1;
		for (*length = 0; *v >= '0' && *v <= '9'; v++) {
			if (*length > (1LL << 40))
				return -1;
			*length = *length * 10 + (*v - '0');
		}
		while (*v == ' ')
			v++;
		if (*v != '\r')
			return -1;
	}
	if (lengths != 1)
		return -1;
	*body = (size_t)(end - buf) + 4;
	return 1;
}

/* request_one: Q to N, its answer (or why none) in A. */
void request_one(SSL_CTX *ctx, const struct node *n, const struct request *q, struct answer *a)
{
	long long deadline = now_ms() + q->timeout_ms, length = -1;
	char head[600], name[HOSTLIST_NAME];
	size_t cap = ANSWER_HEAD_MAX + q->max + 1, got = 0, body = 0;
	char *buf = NULL, *small;
	SSL *ssl = NULL;
	int fd, rc, hlen, parsed = 0, status = 0;

	memset(a, 0, sizeof *a);
	fd = dial(n, deadline, a);
	if (fd < 0)
		return;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		say(a, "%s", "TLS: out of memory");
		goto out;
	}
	/* The node's name, not the address it was reached at. */
	snprintf(name, sizeof name, "%s", n->name);
	if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1) {
		ERR_clear_error();
		/* Its DNS name in the certificate's SAN, exactly: no wildcard, never the CN. */
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		if (SSL_set_tlsext_host_name(ssl, name) != 1 || SSL_set1_host(ssl, name) != 1) {
			say(a, "%s", "TLS: the node's name cannot be checked");
			goto out;
		}
	}
	while ((rc = tls_step(ssl, SSL_connect(ssl), deadline, a, "handshake")) == 0)
		;
	if (rc < 0)
		goto out;
	hlen = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", q->method,
			q->path, n->name);
	if (hlen < 0 || (size_t)hlen >= sizeof head) {
		say(a, "%s", "the request is too long");
		goto out;
	}
	while ((rc = tls_step(ssl, SSL_write(ssl, head, hlen), deadline, a, "sending")) == 0)
		;
	if (rc < 0)
		goto out;
	buf = malloc(cap);
	if (buf == NULL) {
		say(a, "%s", strerror(ENOMEM));
		goto out;
	}
	/* Until the head and Content-Length bytes after it: the end is the length's, not the connection's. */
	while (!parsed || got - body < (size_t)length) {
		if (got == cap - 1) {
			say(a, parsed ? "its answer is larger than %zu bytes" : "its answer's head is too large", q->max);
			goto out;
		}
		rc = SSL_read(ssl, buf + got, (int)(cap - 1 - got > 1 << 20 ? 1 << 20 : cap - 1 - got));
		if (rc <= 0) {
			int e = SSL_get_error(ssl, rc);

			if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
				ERR_clear_error();
				say(a, "%s", got == 0 ? "it closed without an answer" : "its answer ended early");
				goto out;
			}
			if (tls_step(ssl, rc, deadline, a, "reading") < 0)
				goto out;
			continue;
		}
		got += (size_t)rc;
		if (!parsed) {
			parsed = head_parse(buf, got, &status, &body, &length);
			if (parsed < 0) {
				say(a, "%s", "its answer is not the API's HTTP (one Content-Length, no Transfer-Encoding)");
				goto out;
			}
			if (parsed && length > (long long)q->max) {
				say(a, "its answer is larger than %zu bytes", q->max);
				goto out;
			}
		}
	}
	if (got - body > (size_t)length) {
		say(a, "%s", "its answer is longer than its Content-Length");
		goto out;
	}
	memmove(buf, buf + body, (size_t)length);
	buf[length] = '\0';
	/* A thousand answers each holding its limit would be a thousand limits. */
	small = realloc(buf, (size_t)length + 1);
	a->body = small != NULL ? small : buf;
	a->len = (size_t)length;
	a->status = status;
	buf = NULL;
out:
	free(buf);
	SSL_free(ssl);
	close(fd);
}

void answer_free(struct answer *a)
{
	free(a->body);
	a->body = NULL;
}

struct fleet {
	SSL_CTX *ctx;
	const struct nodes *ns;
	const struct request *q;
	struct answer *a;
	size_t next, finished;
	pthread_mutex_t lock;
	void (*done)(size_t, size_t, void *);
	void *arg;
};

static void *worker(void *p)
{
	struct fleet *f = p;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&f->lock);
		i = f->next < f->ns->n ? f->next++ : f->ns->n;
		pthread_mutex_unlock(&f->lock);
		if (i == f->ns->n)
			return NULL;
		request_one(f->ctx, &f->ns->v[i], f->q, &f->a[i]);
		pthread_mutex_lock(&f->lock);
		f->finished++;
		if (f->done != NULL)
			f->done(f->finished, f->ns->n, f->arg);
		pthread_mutex_unlock(&f->lock);
	}
}

/*
 * request_all: Q to every node of NS, PARALLEL at a time; A[i] is node
 * i's.  DONE, when given, is called after each (one at a time).  0, or
 * -errno when no thread could be started (every answer then says so).
 */
int request_all(SSL_CTX *ctx, const struct nodes *ns, const struct request *q, int parallel, struct answer *a,
		void (*done)(size_t finished, size_t total, void *arg), void *arg)
{
	struct fleet f = { ctx, ns, q, a, 0, 0, PTHREAD_MUTEX_INITIALIZER, done, arg };
	pthread_t *t;
	pthread_attr_t attr;
	int i, started = 0, rc = 0;

	if (parallel < 1)
		parallel = 1;
	if ((size_t)parallel > ns->n)
		parallel = ns->n > 0 ? (int)ns->n : 1;
	t = calloc((size_t)parallel, sizeof *t);
	if (t == NULL)
		return -ENOMEM;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (i = 0; i < parallel; i++) {
		rc = pthread_create(&t[i], &attr, worker, &f);
		if (rc != 0)
			break;
		started++;
	}
	pthread_attr_destroy(&attr);
	if (started == 0) {
		free(t);
		return -rc;
	}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
