/* api_tls.h: the control API's transport: TLS with client certificates,
 * connections accepted and served on the unprivileged network side. */
#ifndef CAIRN_API_TLS_H
#define CAIRN_API_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "api/api.h"
#include "api/api_trust.h"

#define API_HANDSHAKE_SECONDS 5		/* for a client to finish its handshake */
#define API_REQUEST_SECONDS 5		/* then for it to send its request head */

int tls_context(const struct nodeconf *c, SSL_CTX **out, struct perr *e);
int tls_listen(const char *addr, int *port, struct perr *e);
int tls_serve(const struct api_opts *o, SSL_CTX *ctx, struct api_trust *t, int lfd, int priv);

#endif
