/* perr.c: an operation's error in words for the operator ("PATH: why"). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "perr.h"

int perr(struct perr *e, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return rc < 0 ? rc : -EINVAL;
}

/* err_fail: the reason in err (a caller's buffer of errsz bytes); -EINVAL. */
int err_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
