/* api_reply.h: an answer of the control API being built (doc/cairn-agent.md, API). */
#ifndef CAIRN_API_REPLY_H
#define CAIRN_API_REPLY_H

#include <stddef.h>

#define API_COMMAND_SECONDS 60		/* for initctl, tar, nvidia-smi to answer */
#define API_OUTPUT_MAX (32 << 20)	/* what a command, or the helper, may answer with */

struct reply {
	int status;			/* an HTTP status; 0: none yet */
	const char *type;		/* Content-Type */
	char *body;			/* malloc'd */
	size_t len;
	const char *extra;		/* one more header line, or NULL */
};

int reply_text(struct reply *out, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int reply_command(struct reply *out, char *const *argv);
void reply_free(struct reply *out);

#endif
