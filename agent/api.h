/* api.h: the node's control API, HTTPS with mutual TLS (doc/cairn-agent.md, API). */
#ifndef CAIRN_API_H
#define CAIRN_API_H

#include <stddef.h>
#include <stdio.h>

#include "nodeconf.h"

#define API_DRAIN_FILE "/run/cairn/drain"	/* an operator's drain: its reason */

struct api_opts {
	const struct nodeconf *conf;	/* [api], [trust], and what the checks expect */
	const char *root;		/* "" on a node; a fake tree in tests */
	const char *kmsg;		/* the kernel log as text; NULL: read it */
	size_t kmsg_len;
	const char *scratch;		/* a private directory for the support bundle */
	int notify;			/* >= 0: a line there once listening */
	FILE *log;
};

int api_serve(const struct api_opts *o, char *err, size_t errsz);

#endif
