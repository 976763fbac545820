/* perr.h: how Cairn's code says what went wrong (doc/code.md, "Errors").
 *
 * A function returns 0 (or a count) or -errno, never exits.  When the
 * caller needs more than errno to tell the operator what failed, the words
 * go in the caller's buffer: an operation (it acts on files, devices, the
 * network) takes a `struct perr *`; a parser of text takes `char *err,
 * size_t errsz` and names the line and key at fault.  Either is filled only
 * on failure, and the message reads "what: why". */
#ifndef CAIRN_PERR_H
#define CAIRN_PERR_H

#include <stddef.h>

struct perr {
	char msg[1024];
};

/* perr: the message into e; rc when it is an -errno, -EINVAL otherwise. */
int perr(struct perr *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err_fail: the message into err (errsz bytes); -EINVAL. */
int err_fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
