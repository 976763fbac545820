/* api_routes.h: the control API's endpoints and the roles that may use
 * them (doc/cairn-agent.md, API), on the unprivileged network side. */
#ifndef CAIRN_API_ROUTES_H
#define CAIRN_API_ROUTES_H

#include <jansson.h>
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

struct health;
int route_json(struct reply *out, json_t *o);
int route_health(const struct api_conn *c, struct health *h, struct reply *out);
int route_status(const struct api_conn *c, const struct http_req *r, struct reply *out);

enum role route_role(X509 *cert);
const char *route_role_name(enum role role);
int route_answer(const struct api_conn *c, const struct http_req *r, enum role role, struct reply *out);
void route_after(const struct api_conn *c, const struct http_req *r, const struct reply *sent);

#endif
