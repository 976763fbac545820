/* ctl.h: the control protocol between initctl and initd. */
#ifndef CAIRN_INITD_CTL_H
#define CAIRN_INITD_CTL_H

#include <stddef.h>

#include "svcfile.h"

#define CTL_SOCKET "/run/initd.sock"
#define CTL_REQ_MAX 128		/* bytes in one request packet */
#define CTL_REPLY_MAX 512	/* bytes in one reply packet */

/*
 * One request is one SOCK_SEQPACKET packet: a verb and, for some, one
 * service name.  The reply is zero or more packets of one line each, each
 * starting with '+', then one packet "ok" or "error MESSAGE".
 */
enum ctl_verb {
	CTL_STATUS, CTL_START, CTL_STOP, CTL_RESTART, CTL_LOG, CTL_RELOAD,
	CTL_TIMELINE, CTL_POWEROFF, CTL_REBOOT, CTL_HALT
};

struct ctl_req {
	enum ctl_verb verb;
	char name[SVC_NAME_MAX];	/* "" when none was given */
};

int ctl_parse(const char *buf, size_t len, struct ctl_req *req, char *err, size_t errsize);
const char *ctl_verb_name(enum ctl_verb verb);

#endif
