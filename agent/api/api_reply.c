/* api_reply.c: the two ways an API answer is made: a line of text, or
 * what a command printed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_reply.h"
#include "runcap.h"

/* reply_text: OUT is STATUS with the text FMT makes; -ENOMEM. */
int reply_text(struct reply *out, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	free(out->body);
	va_start(ap, fmt);
	n = vasprintf(&out->body, fmt, ap);
	va_end(ap);
	if (n < 0) {
		out->body = NULL;
		out->len = 0;
		return -ENOMEM;
	}
	out->status = status;
	out->type = "text/plain; charset=utf-8";
	out->len = (size_t)n;
	return 0;
}

/* reply_command: OUT is what ARGV printed (200), or a 502 saying why not. */
int reply_command(struct reply *out, char *const *argv)
{
	char *buf;
	size_t len;
	int rc = run_capture(argv, API_OUTPUT_MAX, API_COMMAND_SECONDS, &buf, &len);

	if (rc < 0)
		return reply_text(out, 502, "%s failed: %s\n", argv[0],
				  rc == -EIO ? "it exited with an error" : strerror(-rc));
	free(out->body);
	out->status = 200;
	out->type = "text/plain; charset=utf-8";
	out->body = buf;
	out->len = len;
	return 0;
}

void reply_free(struct reply *out)
{
	free(out->body);
	out->body = NULL;
	out->len = 0;
}
