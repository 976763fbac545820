/* logfile.c: lines from a service's output, stamped, into a size-bounded rotated file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"

#define LOGFILE_PATH_MAX (SVC_NAME_MAX + 16)	/* NAME.log.1000 */

/*
 * logfile_split: pass each complete line in b, without its newline, to fn.
 * A full buffer with no newline goes out as one line (a long line is cut,
 * and the newline that ends it later makes no empty line); with eof, so
 * does a partial line.  What is left moves to the front of b.
 */
void logfile_split(struct logbuf *b, int eof, logfile_line_fn *fn, void *arg)
{
	size_t start = 0;
	char *nl;

	if (b->cut && b->len > 0) {
		if (b->data[0] == '\n')
			start = 1;
		b->cut = 0;
	}
	while (start < b->len &&
	       (nl = memchr(b->data + start, '\n', b->len - start)) != NULL) {
		fn(arg, b->data + start, (size_t)(nl - (b->data + start)));
		start = (size_t)(nl - b->data) + 1;
	}
	if (start == 0 && b->len == sizeof b->data) {
		fn(arg, b->data, b->len);
		start = b->len;
		b->cut = 1;
	} else if (eof && start < b->len) {
		fn(arg, b->data + start, b->len - start);
		start = b->len;
	}
	memmove(b->data, b->data + start, b->len - start);
	b->len -= start;
}

/* logfile_feed: logfile_split over input that may be larger than b. */
void logfile_feed(struct logbuf *b, const char *in, size_t len, logfile_line_fn *fn, void *arg)
{
	while (len > 0) {
		size_t n = sizeof b->data - b->len;

		if (n > len)
			n = len;
		memcpy(b->data + b->len, in, n);
		b->len += n;
		in += n;
		len -= n;
		logfile_split(b, 0, fn, arg);
	}
}

/*
 * logfile_clean: copy len bytes with every control character but tab made
 * '?', so a line can neither forge another line nor drive a terminal.
 * Returns len.
 */
size_t logfile_clean(char *out, const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			out[i] = '?';
		else
			out[i] = in[i];
	}
	return len;
}

/* logfile_stamp: "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC); its length, 0 if it does not fit. */
size_t logfile_stamp(char *buf, size_t size, const struct timespec *ts)
{
	struct tm tm;
	int n;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL)
		return 0;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000);
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}

/* logfile_dir_open: open the log directory, made 0750 when missing. */
int logfile_dir_open(struct logfile_dir *d)
{
	if (d->fd >= 0)
		return 0;
	if (mkdir(d->path, 0750) < 0 && errno != EEXIST)
		return -errno;
	d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

/* logfile_init: DIR/NAME.log, opened at its first line; no more than max bytes, keep old ones. */
int logfile_init(struct logfile *f, struct logfile_dir *d, const char *name,
		 unsigned long long max, unsigned keep)
{
	if (!svc_name_ok(name) || max == 0 || keep > LOGFILE_KEEP_MAX)
		return -EINVAL;
	memset(f, 0, sizeof *f);
	f->dir = d;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->fd = -1;
	f->max = max;
	f->keep = keep;
	return 0;
}

static void path(char *buf, const struct logfile *f, unsigned n)
{
	if (n == 0)
		snprintf(buf, LOGFILE_PATH_MAX, "%s.log", f->name);
	else
		snprintf(buf, LOGFILE_PATH_MAX, "%s.log.%u", f->name, n);
}

/*
 * Open NAME.log to append, its size counted.  O_NONBLOCK and O_NOFOLLOW:
 * a FIFO or a symlink planted in the directory neither blocks nor
 * redirects logd.
 */
static int open_file(struct logfile *f)
{
	char name[LOGFILE_PATH_MAX];
	struct stat st;
	int rc;

	rc = logfile_dir_open(f->dir);
	if (rc < 0)
		return rc;
	path(name, f, 0);
	f->fd = openat(f->dir->fd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
		       O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0640);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st) < 0) {
		rc = -errno;
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto err;
	}
	f->size = (unsigned long long)st.st_size;
	return 0;
err:
	close(f->fd);
	f->fd = -1;
	return rc;
}

/*
 * logfile_rotate: NAME.log.(KEEP-1) to NAME.log.KEEP (the oldest goes), ...,
 * NAME.log to NAME.log.1, and the next line starts a new NAME.log.  With
 * KEEP 0 the old NAME.log is removed.  A gap in the numbers is no error.
 */
int logfile_rotate(struct logfile *f)
{
	char from[LOGFILE_PATH_MAX], to[LOGFILE_PATH_MAX];
	unsigned i;
	int rc;

	rc = logfile_dir_open(f->dir);
	if (rc < 0)
		return rc;
	if (f->keep == 0) {
		path(from, f, 0);
		if (unlinkat(f->dir->fd, from, 0) < 0 && errno != ENOENT)
			return -errno;
	}
	for (i = f->keep; i > 0; i--) {
		path(from, f, i - 1);
		path(to, f, i);
		if (renameat(f->dir->fd, from, f->dir->fd, to) < 0 && errno != ENOENT)
			return -errno;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->size = 0;
	return 0;
}

static int write_all(struct logfile *f, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(f->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		f->size += (unsigned long long)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * logfile_put: "STAMP LINE\n", the line cleaned and cut to LOGFILE_LINE_MAX.
 * The file rotates first when the line would take it past max; a line
 * longer than max goes alone into a new file.  On failure the line is
 * lost, counted in f->drops, and -errno returned.
 */
int logfile_put(struct logfile *f, const char *stamp, const char *line, size_t len)
{
	char rec[LOGFILE_STAMP_MAX + LOGFILE_LINE_MAX + 2];
	const char *what = "open";
	size_t n;
	int rc;

	if (len > LOGFILE_LINE_MAX)
		len = LOGFILE_LINE_MAX;
	rc = snprintf(rec, LOGFILE_STAMP_MAX + 1, "%.*s ", LOGFILE_STAMP_MAX - 1, stamp);
	n = rc > 0 ? (size_t)rc : 0;
	n += logfile_clean(rec + n, line, len);
	rec[n++] = '\n';

	if (f->fd >= 0 && f->size > 0 && f->size + n > f->max) {
		what = "rotate";
		rc = logfile_rotate(f);
		if (rc < 0)
			goto err;
	}
	if (f->fd < 0) {
		what = "open";
		rc = open_file(f);
		/* an existing file already too full for this line */
		if (rc == 0 && f->size > 0 && f->size + n > f->max) {
			what = "rotate";
			rc = logfile_rotate(f);
			if (rc == 0) {
				what = "open";
				rc = open_file(f);
			}
		}
		if (rc < 0)
			goto err;
	}
	what = "write";
	rc = write_all(f, rec, n);
	if (rc < 0)
		goto err;
	return 0;
err:
	logfile_drop(&f->drops, what, -rc);
	return rc;
}

/* logfile_close: close NAME.log; it is opened again at the next line. */
void logfile_close(struct logfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* logfile_drop: one more line lost, for the given reason. */
void logfile_drop(struct logfile_drops *d, const char *what, int err)
{
	d->count++;
	d->what = what;
	d->err = err;
}

/* logfile_drops_wait: ms until lost lines may be reported; -1 when none are lost. */
long long logfile_drops_wait(const struct logfile_drops *d, long long now_ms)
{
	if (d->count == 0)
		return -1;
	return d->next_ms > now_ms ? d->next_ms - now_ms : 0;
}

/*
 * logfile_drops_report: "WHO: WHAT: WHY: N lines dropped" into msg when
 * lines were lost and no report was made in the last minute (or force),
 * and count again from 0.  Returns the length, 0 when nothing is due.
 */
int logfile_drops_report(struct logfile_drops *d, const char *who, long long now_ms,
			 int force, char *msg, size_t size)
{
	int n;

	if (d->count == 0 || (!force && now_ms < d->next_ms))
		return 0;
	n = snprintf(msg, size, "%s: %s: %s: %u line%s dropped", who, d->what,
		     strerror(d->err), d->count, d->count == 1 ? "" : "s");
	if (n < 0)
		n = 0;
	if (size > 0 && (size_t)n >= size)
		n = (int)size - 1;
	d->count = 0;
	d->next_ms = now_ms + LOGFILE_REPORT_MS;
	return n;
}
