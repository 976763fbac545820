/* api_routes.h: the control API's endpoints and the roles that may use
 * them (doc/cairn-agent.md, API), on the unprivileged network side. */
#ifndef CAIRN_API_ROUTES_H
#define CAIRN_API_ROUTES_H

#include <openssl/x509.h>

#include "api/api.h"
#include "api/api_reply.h"
#include "api/httpreq.h"

enum role { ROLE_NONE, ROLE_MONITOR, ROLE_OPERATOR };

/* What a route knows of its connection. */
struct api_conn {
	const struct api_opts *o;
	int priv;			/* the privileged helper's socket */
	const char *who;		/* the client certificate's subject */
};

enum role route_role(X509 *cert);
const char *route_role_name(enum role role);
int route_answer(const struct api_conn *c, const struct http_req *r, enum role role, struct reply *out);
void route_after(const struct api_conn *c, const struct http_req *r, const struct reply *sent);

#endif
