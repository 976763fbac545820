/*
 * fetch.c: files of a repository served over HTTPS, through OpenSSL's HTTP
 * client (OSSL_HTTP_get) and TLS.  What it fetches is trusted for nothing:
 * the repository's signed documents and hashes decide (repo.c).  TLS keeps
 * what a node installs private and lets a site's CA name its mirror; the
 * certificate must name the host of the URL, TLS 1.2 at least.
 *
 * Every transfer is bounded: a document by its kind's maximum, a package by
 * the size the signed index gives it, and in time by its limits (fetch.h):
 * a deadline for the whole, a minimum rate over each span of a few tens of
 * seconds, and FETCH_STALL_SECONDS without a byte.  A server that sends one
 * byte a minute never holds its reader (and the locks it holds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/httperr.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "fetch.h"
#include "fileio.h"
#include "sha256.h"

#define CONNECT_SECONDS 30			/* to connect and read the response header */

int fetch_is_url(const char *s)
{
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

/* The certificate must name the URL's host: an address, or a DNS name (sent as SNI). */
static int peer_name(SSL *ssl, char *host)
{
	if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1)
		return 1;
	ERR_clear_error();
	return SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_set1_host(ssl, host) == 1;
}

/*
 * OpenSSL's connect callback: TLS over the socket.  On disconnect the TLS
 * BIO stays: the response is read through it after OSSL_HTTP_get returns,
 * and freeing the response frees the chain.
 */
static BIO *tls_bio(BIO *bio, void *arg, int connect, int detail)
{
	struct fetch *f = arg;
	SSL *ssl = NULL;
	BIO *sbio;

	if (!connect)
		return bio;
	if (!detail)
		return NULL;			/* never plain HTTP */
	sbio = BIO_new_ssl(f->ctx, 1);
	if (sbio == NULL)
		return NULL;
	if (BIO_get_ssl(sbio, &ssl) != 1 || ssl == NULL || !peer_name(ssl, f->host)) {
		BIO_free(sbio);
		return NULL;
	}
	return BIO_push(sbio, bio);
}

/*
 * Why the server's certificate was refused, kept for the message.  When
 * the clock is unsure (it read earlier than the build and was moved to
 * the build date), the true time is no earlier than that: a certificate
 * that expired before it is refused, one not yet valid by it may well be
 * valid now, and is taken.
 */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct fetch *f = ssl != NULL ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;

	if (!ok && f != NULL && f->time_unsure && X509_STORE_CTX_get_error(x) == X509_V_ERR_CERT_NOT_YET_VALID) {
		X509_STORE_CTX_set_error(x, X509_V_OK);
		return 1;
	}

	if (!ok && f != NULL && f->verify_err == 0)
		f->verify_err = X509_STORE_CTX_get_error(x);
	return ok;
}

/* OpenSSL's error queue, in words, after "what: ". */
static int ssl_err(struct fetch *f, struct perr *e, int rc, const char *what)
{
	char why[600] = "";
	const char *data;
	unsigned long err;
	int flags;

	while ((err = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		const char *r = ERR_reason_error_string(err);
		size_t n = strlen(why);

		if (ERR_GET_LIB(err) == ERR_LIB_HTTP && ERR_GET_REASON(err) == HTTP_R_RECEIVED_ERROR &&
		    (flags & ERR_TXT_STRING) && strncmp(data, "code=404", 8) == 0)
			rc = -ENOENT;
		snprintf(why + n, sizeof why - n, "%s%s%s%s", n ? ": " : "", r ? r : "error",
			 (flags & ERR_TXT_STRING) && *data ? " " : "", (flags & ERR_TXT_STRING) ? data : "");
	}
	if (f != NULL && f->verify_err != 0) {
		size_t n = strlen(why);

		snprintf(why + n, sizeof why - n, " (%s)", X509_verify_cert_error_string(f->verify_err));
		f->verify_err = 0;
	}
	return perr(e, rc, "%s: %s", what, *why ? why : "the transfer failed");
}

int fetch_open(struct fetch *f, const char *url, const char *ca, struct perr *e)
{
	char *user = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *frag = NULL;
	size_t n = strlen(url);
	struct stat st;
	int tls, rc = 0;

	memset(f, 0, sizeof *f);
	if (strncmp(url, "https://", 8) != 0)
		return perr(e, -EPROTONOSUPPORT, "%s: only https:// repositories (or a directory or bundle)", url);
	if (n + 2 > sizeof f->base)
		return perr(e, -ENAMETOOLONG, "%s: URL too long", url);
	if (!OSSL_HTTP_parse_url(url, &tls, &user, &host, &port, NULL, &path, &query, &frag))
		return ssl_err(NULL, e, -EINVAL, url);
	if ((user != NULL && *user) || (query != NULL && *query) || (frag != NULL && *frag))
		rc = perr(e, -EINVAL, "%s: a repository URL has no user, query or fragment", url);
	else if (strlen(host) >= sizeof f->host)
		rc = perr(e, -ENAMETOOLONG, "%s: host name too long", url);
	if (rc == 0) {
		snprintf(f->host, sizeof f->host, "%s", host);
		snprintf(f->base, sizeof f->base, "%s%s", url, url[n - 1] == '/' ? "" : "/");
	}
	OPENSSL_free(user);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(query);
	OPENSSL_free(frag);
	if (rc < 0)
		return rc;

	f->ctx = SSL_CTX_new(TLS_client_method());
	if (f->ctx == NULL)
		return ssl_err(NULL, e, -ENOMEM, url);
	SSL_CTX_set_min_proto_version(f->ctx, TLS1_2_VERSION);
	SSL_CTX_set_app_data(f->ctx, f);
	SSL_CTX_set_verify(f->ctx, SSL_VERIFY_PEER, verify_cb);
	/* A cut connection shows as a short file, which the signed sizes catch. */
	SSL_CTX_set_options(f->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (ca != NULL && stat(ca, &st) < 0)
		rc = perr(e, -errno, "%s: %s", ca, strerror(errno));
	else if (ca != NULL && SSL_CTX_load_verify_locations(f->ctx, S_ISDIR(st.st_mode) ? NULL : ca,
							      S_ISDIR(st.st_mode) ? ca : NULL) != 1)
		rc = ssl_err(NULL, e, -EINVAL, ca);
	else if (ca == NULL && SSL_CTX_set_default_verify_paths(f->ctx) != 1)
		rc = ssl_err(NULL, e, -EINVAL, "the system's CA certificates");
	if (rc < 0)
		fetch_close(f);
	return rc;
}

void fetch_close(struct fetch *f)
{
	SSL_CTX_free(f->ctx);
	f->ctx = NULL;
}

/* Names the repository serves: index entries and documents, nothing to escape. */
static int name_ok(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._+~:/-", *p) != NULL))
			return 0;
	return 1;
}

/* ---- the pace a transfer must keep ------------------------------------- */

struct pace {
	long long deadline, window_end, last;	/* CLOCK_MONOTONIC, ms */
	unsigned long long window_bytes;
	unsigned long min_rate;
	int deadline_s, rate_s;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The body begins: its rate is counted from here, the deadline from the start. */
static void pace_body(struct pace *pc)
{
	pc->last = now_ms();
	pc->window_end = pc->last + pc->rate_s * 1000LL;
	pc->window_bytes = 0;
}

/* A transfer begins: its deadline counts from here, connecting included. */
static void pace_start(struct pace *pc, const struct fetch *f)
{
	pc->deadline_s = f->lim.deadline_s > 0 ? f->lim.deadline_s : FETCH_DEADLINE_SECONDS;
	pc->rate_s = f->lim.rate_s > 0 ? f->lim.rate_s : FETCH_RATE_SECONDS;
	pc->min_rate = f->lim.min_rate > 0 ? f->lim.min_rate : FETCH_MIN_RATE;
	pace_body(pc);
	pc->deadline = pc->last + pc->deadline_s * 1000LL;
}

/* The seconds the connection and the response's header may take. */
static int pace_header_s(const struct pace *pc, const struct fetch *f)
{
	int s = f->connect_s > 0 ? f->connect_s : CONNECT_SECONDS;

	return s < pc->deadline_s ? s : pc->deadline_s;
}

/* N more bytes (or none, after a wait): 0 while the transfer keeps its pace. */
static int pace_check(struct pace *pc, unsigned long long n, const char *url, struct perr *e)
{
	long long now = now_ms();

	pc->window_bytes += n;
	if (n > 0)
		pc->last = now;
	if (now >= pc->deadline)
		return perr(e, -ETIMEDOUT, "%s: not done after %d s: refused", url, pc->deadline_s);
	if (now >= pc->window_end) {
		if (pc->window_bytes < (unsigned long long)pc->min_rate * (unsigned long long)pc->rate_s)
			return perr(e, -ETIMEDOUT, "%s: %llu bytes in %d s, slower than the %lu bytes a second a "
				    "transfer must keep: refused", url, pc->window_bytes, pc->rate_s, pc->min_rate);
		pc->window_bytes = 0;
		pc->window_end = now + pc->rate_s * 1000LL;
	}
	if (now - pc->last >= FETCH_STALL_SECONDS * 1000LL)
		return perr(e, -ETIMEDOUT, "%s: no data for %d s", url, FETCH_STALL_SECONDS);
	return 0;
}

/* Waits for B to have bytes, no longer than the next limit of the pace. */
static int pace_wait(struct pace *pc, BIO *b, struct fetch *f, const char *url, struct perr *e)
{
	long long now = now_ms(), until = pc->last + FETCH_STALL_SECONDS * 1000LL;

	if (until > pc->deadline)
		until = pc->deadline;
	if (until > pc->window_end)
		until = pc->window_end;
	/* BIO_wait counts whole seconds of the wall clock. */
	if (BIO_wait(b, time(NULL) + (until > now ? (until - now + 999) / 1000 : 1), 100) < 0)
		return ssl_err(f, e, -EIO, url);
	return pace_check(pc, 0, url, e);
}

/* ---- transfers ------------------------------------------------------------ */

typedef int (*sink_fn)(void *arg, const char *buf, size_t len);

/* GET base/name: the body, at most max bytes, to sink. */
static int get(struct fetch *f, const char *name, unsigned long long max, sink_fn sink, void *arg,
	       unsigned long long *got, struct perr *e)
{
	char url[FETCH_URL_MAX + 256], buf[65536];
	struct pace pc;
	BIO *b;
	int rc = 0;

	*got = 0;
	if (!name_ok(name))
		return perr(e, -EINVAL, "%s: not a name a repository serves", name);
	snprintf(url, sizeof url, "%s%s", f->base, name);
	ERR_clear_error();
	pace_start(&pc, f);
	b = OSSL_HTTP_get(url, NULL, NULL, NULL, NULL, tls_bio, f, 0, NULL, NULL, 0,
			  max > (size_t)-1 ? 0 : (size_t)max, pace_header_s(&pc, f));
	if (b == NULL)
		return ssl_err(f, e, -EIO, url);
	pace_body(&pc);
	while (rc == 0) {
		int n = BIO_read(b, buf, sizeof buf);

		if (n > 0) {
			if ((unsigned long long)n > max - *got)
				rc = perr(e, -EFBIG, "%s: longer than the %llu bytes it may be: refused", url, max);
			else
				rc = sink(arg, buf, (size_t)n);
			*got += (unsigned long long)n;
			if (rc == 0)
				rc = pace_check(&pc, (unsigned long long)n, url, e);
		} else if (BIO_should_retry(b)) {
			rc = pace_wait(&pc, b, f, url, e);
		} else if (n == 0 || ERR_peek_error() == 0) {
			break;				/* the end */
		} else {
			rc = ssl_err(f, e, -EIO, url);
		}
	}
	BIO_free_all(b);
	if (rc < 0 && e->msg[0] == '\0')
		perr(e, rc, "%s: %s", url, strerror(-rc));
	return rc;
}

struct membuf {
	char *p;
	size_t len, cap;
};

static int to_mem(void *arg, const char *buf, size_t len)
{
	struct membuf *m = arg;

	if (m->len + len + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		char *p;

		while (cap < m->len + len + 1)
			cap *= 2;
		p = realloc(m->p, cap);
		if (p == NULL)
			return -ENOMEM;
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	m->p[m->len] = '\0';
	return 0;
}

/* fetch_mem: base/name whole, at most max bytes, into a new NUL-ended buffer. */
int fetch_mem(struct fetch *f, const char *name, size_t max, char **buf, size_t *len, struct perr *e)
{
	struct membuf m = { NULL, 0, 0 };
	unsigned long long got;
	int rc;

	e->msg[0] = '\0';
	rc = get(f, name, max, to_mem, &m, &got, e);
	if (rc == 0 && m.p == NULL && (m.p = calloc(1, 1)) == NULL)
		rc = perr(e, -ENOMEM, "%s: %s", name, strerror(ENOMEM));
	if (rc < 0) {
		free(m.p);
		return rc;
	}
	*buf = m.p;
	*len = m.len;
	return 0;
}

struct filesink {
	int fd;
	struct sha256 h;
};

static int to_file(void *arg, const char *buf, size_t len)
{
	struct filesink *s = arg;
	int rc = file_write_all(s->fd, buf, len);

	return rc < 0 ? rc : sha256_update(&s->h, buf, len);
}

/*
 * fetch_file: base/name into dirfd/name (the cache), only if it is exactly
 * size bytes with this sha256; through a temporary name, so a cut transfer
 * never leaves a file under the real one.
 */
int fetch_file(struct fetch *f, const char *name, unsigned long long size, const uint8_t sha256[32],
	       int dirfd, struct perr *e)
{
	struct filesink s = { -1, { NULL } };
	unsigned long long got;
	char tmp[300];
	uint8_t sum[32];
	int rc;

	e->msg[0] = '\0';
	if (strchr(name, '/') != NULL || snprintf(tmp, sizeof tmp, ".%s.part", name) >= (int)sizeof tmp)
		return perr(e, -EINVAL, "%s: not a package file name", name);
	s.fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s.fd < 0)
		return perr(e, -errno, "%s (cache): %s", tmp, strerror(errno));
	rc = sha256_init(&s.h);
	if (rc == 0)
		rc = get(f, name, size, to_file, &s, &got, e);
	if (rc == 0)
		rc = sha256_final(&s.h, sum);
	else
		sha256_final(&s.h, sum);
	if (rc == 0 && got != size)
		rc = perr(e, -EIO, "%s: the server sent %llu bytes, the signed index says %llu: refused",
			  name, got, size);
	else if (rc == 0 && memcmp(sum, sha256, 32) != 0)
		rc = perr(e, -EINVAL, "%s: sha256 differs from the signed index: refused", name);
	if (close(s.fd) < 0 && rc == 0)
		rc = perr(e, -errno, "%s (cache): %s", tmp, strerror(errno));
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = perr(e, -errno, "%s (cache): %s", name, strerror(errno));
	if (rc < 0) {
		unlinkat(dirfd, tmp, 0);
		if (e->msg[0] == '\0')
			perr(e, rc, "%s: %s", name, strerror(-rc));
	}
	return rc;
}

/*
 * One URL through OpenSSL's lower HTTP calls, which keep the response's
 * Content-Length: nothing signed bounds a node config, so a transfer cut
 * short (most servers close without TLS's close_notify, so the end of the
 * stream proves nothing) must show as fewer bytes than the server said.
 * A redirect is not followed: a config URL names the file.
 */
static int get_whole(struct fetch *f, const char *url, size_t max, char **buf, size_t *len, struct perr *e)
{
	char *host = NULL, *port = NULL, *path = NULL, *redirect = NULL;
	struct membuf m = { NULL, 0, 0 };
	OSSL_HTTP_REQ_CTX *rctx = NULL;
	struct pace pc;
	size_t want;
	BIO *b = NULL;
	int rc = 0;

	e->msg[0] = '\0';
	ERR_clear_error();
	if (!OSSL_HTTP_parse_url(url, NULL, NULL, &host, &port, NULL, &path, NULL, NULL))
		return ssl_err(NULL, e, -EINVAL, url);
	pace_start(&pc, f);
	rctx = OSSL_HTTP_open(host, port, NULL, NULL, 1, NULL, NULL, tls_bio, f, 0, pace_header_s(&pc, f));
	if (rctx == NULL || !OSSL_HTTP_set1_request(rctx, path, NULL, NULL, NULL, NULL, 0, max,
						     pace_header_s(&pc, f), 0))
		rc = ssl_err(f, e, -EIO, url);
	else if ((b = OSSL_HTTP_exchange(rctx, &redirect)) == NULL)
		rc = redirect != NULL ? perr(e, -EINVAL, "%s: redirected to %s: not followed", url, redirect)
				      : ssl_err(f, e, -EIO, url);
	pace_body(&pc);
	while (rc == 0) {
		char chunk[16384];
		int n = BIO_read(b, chunk, sizeof chunk);

		if (n > 0) {
			if ((size_t)n > max - m.len)
				rc = perr(e, -EFBIG, "%s: longer than the %zu bytes it may be: refused", url, max);
			else
				rc = to_mem(&m, chunk, (size_t)n);
			if (rc == 0)
				rc = pace_check(&pc, (unsigned long long)n, url, e);
		} else if (BIO_should_retry(b)) {
			rc = pace_wait(&pc, b, f, url, e);
		} else {
			break;
		}
	}
	want = rctx != NULL ? OSSL_HTTP_REQ_CTX_get_resp_len(rctx) : 0;
	if (rc == 0 && want > 0 && m.len != want)
		rc = perr(e, -EIO, "%s: the server said %zu bytes and sent %zu: cut short, refused", url, want, m.len);
	if (rc == 0 && m.p == NULL && (m.p = calloc(1, 1)) == NULL)
		rc = perr(e, -ENOMEM, "%s: %s", url, strerror(ENOMEM));
	/* As for OSSL_HTTP_get's stream: tls_bio keeps the TLS chain at
	 * disconnect, and the one reading it frees it. */
	OSSL_HTTP_close(rctx, rc == 0);
	BIO_free_all(b);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(redirect);
	if (rc < 0) {
		free(m.p);
		return rc;
	}
	*buf = m.p;
	*len = m.len;
	return 0;
}

/*
 * fetch_url: one https:// URL whole, at most max bytes, into a new
 * NUL-ended buffer.  ca NULL: the caller pins the body by its hash, so the
 * server's certificate is not checked.  A certificate is never checked
 * against a time before not_before (the image's build date): a node whose
 * clock reads 2000 must not accept what expired before it was built.
 * time_unsure: the clock was found before not_before and moved there, so
 * "not yet valid" proves nothing (verify_cb).  timeout_s (0: 30 s)
 * bounds connecting and the response's header.
 */
int fetch_url(const char *url, const char *ca, long long not_before, int time_unsure, int timeout_s,
	      size_t max, char **buf, size_t *len, struct perr *e)
{
	char base[FETCH_URL_MAX];
	const char *slash = strrchr(url, '/');
	struct fetch f;
	int rc;

	e->msg[0] = '\0';
	if (strncmp(url, "https://", 8) != 0 || slash == NULL || slash < url + 8 || slash[1] == '\0')
		return perr(e, -EINVAL, "%s: not an https:// URL of a file", url);
	if ((size_t)(slash - url) >= sizeof base)
		return perr(e, -ENAMETOOLONG, "%s: URL too long", url);
	memcpy(base, url, (size_t)(slash - url));
	base[slash - url] = '\0';
	rc = fetch_open(&f, base, ca, e);
	if (rc < 0)
		return rc;
	f.connect_s = timeout_s;
	f.time_unsure = time_unsure;
	if (ca == NULL)
		SSL_CTX_set_verify(f.ctx, SSL_VERIFY_NONE, NULL);
	if ((long long)time(NULL) < not_before)
		X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(f.ctx), (time_t)not_before);
	rc = get_whole(&f, url, max, buf, len, e);
	fetch_close(&f);
	return rc;
}
