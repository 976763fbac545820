/* api.h: the node's control API, HTTPS with mutual TLS (doc/cairn-agent.md, API). */
#ifndef CAIRN_API_H
#define CAIRN_API_H

#include <stddef.h>
#include <stdio.h>

#include "conf/nodeconf.h"
#include "perr.h"

#define API_DRAIN_FILE "/run/cairn/drain"	/* an operator's drain: its reason */
#define API_OS_UPDATE_OUT "/run/cairn/os-update.out"	/* what an update the API started says */
#define API_USER "cairn-api"			/* who the network side runs as */

struct api_opts {
	struct nodeconf *conf;		/* [api] and what the checks expect; the network side wipes its secrets */
	const char *root;		/* "" on a node; a fake tree in tests */
	const char *kmsg;		/* the kernel log as text; NULL: read it */
	size_t kmsg_len;
	const char *scratch;		/* where the network side gets a private directory (the support bundle) */
	const char *user;		/* the network side's user; NULL: API_USER */
	int notify;			/* >= 0: a line there once listening */
	FILE *log;
};

int api_serve(const struct api_opts *o, struct perr *e);

#endif
