/* api_priv.h: the control API's privileged helper: the fixed set of
 * things its unprivileged network side may ask of root, over a socketpair. */
#ifndef CAIRN_API_PRIV_H
#define CAIRN_API_PRIV_H

#include <stdint.h>
#include <sys/types.h>

#include "api/api.h"
#include "api/api_peers.h"
#include "api/api_reply.h"

enum priv_op {
	PRIV_HEALTH = 1,	/* the health checks as root (kernel log, containerd): a struct health */
	PRIV_KMSG,		/* the kernel log */
	PRIV_SERVICES,		/* initctl status */
	PRIV_LOG,		/* initctl log ARG */
	PRIV_DRAIN,		/* the operator's drain, ARG its reason */
	PRIV_RESUME,		/* the drain's end */
	PRIV_REBOOT,		/* initctl reboot */
	PRIV_OS,		/* os status, and what the last update said */
	PRIV_OS_UPDATE,		/* pkg os-update from ARG ("": the config's), TRIES, REBOOT */
	PRIV_OP_END
};

#define PRIV_ARG_MAX 256
#define PRIV_WORKERS_MAX (API_CONN_MAX + 8)	/* requests being answered at once */

/* One request: always this size, sent with exactly one file descriptor,
 * a Unix stream socket the answer goes back on. */
#define PRIV_UPDATE_WRITE 0		/* pkg os-update: it boots at the next reboot */
#define PRIV_UPDATE_REBOOT 1		/* ... and the reboot now */
#define PRIV_UPDATE_STAGE 2		/* pkg os-update --stage: the API's reboot, or os reboot, arms it */

struct priv_req {
	uint32_t op;
	uint32_t tries;			/* PRIV_OS_UPDATE: 1 to 9 */
	uint32_t reboot;		/* PRIV_OS_UPDATE: PRIV_UPDATE_* */
	char arg[PRIV_ARG_MAX];
	char who[PRIV_ARG_MAX];		/* the client's certificate subject, for the log */
};

int priv_name_ok(const char *s);
int priv_check(const struct priv_req *r, char *why, size_t size);
int priv_recv(int sock, struct priv_req *r, int *answer_fd);
int priv_send_answer(int fd, const struct reply *a);
int priv_call(int sock, const struct priv_req *r, struct reply *out);
int priv_serve(const struct api_opts *o, int sock, pid_t tls);

/* api_privops.c: what each request does. */
int privop_run(const struct api_opts *o, const struct priv_req *r, struct reply *out);

#endif
