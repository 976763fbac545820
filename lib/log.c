/* log.c: write `prog: message` lines to /dev/kmsg and to the console. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 512

static const char *log_prog = "cairn";
static int log_kmsg = -1;
static int log_console = -1;
static int log_console_level;

/*
 * log_open: where messages go.  kmsg_fd or console_fd may be -1.  The
 * kernel already copies kmsg lines below its console_loglevel to the
 * console, so a line is written to console_fd only when the kernel would
 * not show it: nothing is printed twice, nothing is lost under `quiet`.
 */
void log_open(const char *prog, int kmsg_fd, int console_fd, int console_level)
{
	log_prog = prog;
	log_kmsg = kmsg_fd;
	log_console = console_fd;
	log_console_level = console_level;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		buf += r;
		len -= (size_t)r;
	}
}

static __attribute__((format(printf, 4, 0))) int format_line(char *buf, unsigned size, const char *prog,
		       const char *fmt, va_list ap)
{
	int n, m;

	if (size < 2)
		return 0;
	n = snprintf(buf, size, "%s: ", prog);
	if (n < 0 || (unsigned)n >= size - 1)
		n = 0;
	m = vsnprintf(buf + n, size - 1 - (unsigned)n, fmt, ap);
	if (m < 0)
		m = 0;
	if ((unsigned)(n + m) > size - 2)
		m = (int)(size - 2) - n;
	n += m;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/*
 * log_format: "prog: message\n" into buf, cut to fit.  Returns the length
 * written, without the NUL.
 */
int log_format(char *buf, unsigned size, const char *prog, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_line(buf, size, prog, fmt, ap);
	va_end(ap);
	return n;
}

/* log_msg: one line at a syslog level; a line too long is cut, never split. */
void log_msg(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX], kline[LOG_LINE_MAX + 8];
	va_list ap;
	int n, k;

	va_start(ap, fmt);
	n = format_line(line, sizeof line, log_prog, fmt, ap);
	va_end(ap);
	if (log_kmsg >= 0) {
		k = snprintf(kline, sizeof kline, "<%d>%s", level, line);
		if (k > 0)
			write_all(log_kmsg, kline, (size_t)k);
	}
	if (log_console >= 0 && (log_kmsg < 0 || level >= log_console_level))
		write_all(log_console, line, (size_t)n);
}
