/* logfile.h: lines from a service's output, stamped, into a size-bounded rotated file. */
#ifndef CAIRN_INITD_LOGFILE_H
#define CAIRN_INITD_LOGFILE_H

#include <stddef.h>
#include <time.h>

#include "svcfile.h"

#define LOGFILE_LINE_MAX 4096	/* a longer line is cut into several */
#define LOGFILE_STAMP_MAX 32	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL */
#define LOGFILE_KEEP_MAX 1000	/* rotated files kept, at most */
#define LOGFILE_REPORT_MS 60000	/* lost lines are reported once a minute */

/* What is left of a service's output until its line is complete. */
struct logbuf {
	size_t len;
	int cut;		/* the last line went out cut: a newline next ends it */
	char data[LOGFILE_LINE_MAX];
};

typedef void logfile_line_fn(void *arg, const char *line, size_t len);

/* Lines that could not be written, counted until they are reported. */
struct logfile_drops {
	unsigned count;
	int err;
	const char *what;
	long long next_ms;	/* CLOCK_MONOTONIC: no report before this */
};

/* The log directory, shared by every file; fd -1 until it opens. */
struct logfile_dir {
	const char *path;
	int fd;
};

/* DIR/NAME.log and its rotated copies NAME.log.1 (newest) .. NAME.log.KEEP. */
struct logfile {
	struct logfile_dir *dir;
	char name[SVC_NAME_MAX];
	int fd;			/* -1 until the first line */
	unsigned long long size, max;
	unsigned keep;
	struct logfile_drops drops;
};

void logfile_split(struct logbuf *b, int eof, logfile_line_fn *fn, void *arg);
void logfile_feed(struct logbuf *b, const char *in, size_t len, logfile_line_fn *fn, void *arg);
size_t logfile_clean(char *out, const char *in, size_t len);
size_t logfile_stamp(char *buf, size_t size, const struct timespec *ts);

int logfile_dir_open(struct logfile_dir *d);
int logfile_init(struct logfile *f, struct logfile_dir *d, const char *name,
		 unsigned long long max, unsigned keep);
int logfile_put(struct logfile *f, const char *stamp, const char *line, size_t len);
int logfile_rotate(struct logfile *f);
void logfile_close(struct logfile *f);

void logfile_drop(struct logfile_drops *d, const char *what, int err);
long long logfile_drops_wait(const struct logfile_drops *d, long long now_ms);
int logfile_drops_report(struct logfile_drops *d, const char *who, long long now_ms,
			 int force, char *msg, size_t size);

#endif
