/* request.h: one HTTPS request to one node's API over mutual TLS, within
 * a deadline, and many of them at once with a bounded number open. */
#ifndef CAIRNCTL_REQUEST_H
#define CAIRNCTL_REQUEST_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "nodes.h"

#define ANSWER_HEAD_MAX 16384		/* a response's status line and headers */

/* What a node answered, or why it did not. */
struct answer {
	int status;			/* the HTTP status; 0: no answer (err says why) */
	char *body;			/* NUL-ended; NULL without an answer */
	size_t len;
	char err[256];
};

struct request {
	const char *method, *path;	/* "GET", "/v1/status" */
	size_t max;			/* the most body bytes taken; larger is an error */
	int timeout_ms;			/* each node's, connect to last byte */
};

SSL_CTX *request_tls(const char *cert, const char *key, const char *ca, char *err, size_t size);
void request_one(SSL_CTX *ctx, const struct node *n, const struct request *q, struct answer *a);
int request_all(SSL_CTX *ctx, const struct nodes *ns, const struct request *q, int parallel, struct answer *a,
		void (*done)(size_t finished, size_t total, void *arg), void *arg);
void answer_free(struct answer *a);

#endif
