/* log.c: write `prog: message` lines to /dev/kmsg and to the console. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 512
#define LOG_CONSOLES 4
#define LOG_RING 8192		/* the latest lines, for `initctl log initd` */

static const char *log_prog = "cairn";
static int log_kmsg = -1;
static int log_console[LOG_CONSOLES] = { -1, -1, -1, -1 };
static int log_console_level;
static char log_ring[LOG_RING];
static size_t log_ring_head;	/* next byte written */
static int log_ring_wrapped;

/*
 * log_open: where messages go.  kmsg_fd or console_fd may be -1.  The
 * kernel already copies kmsg lines below its console_loglevel to the
 * console, so a line is written to console_fd only when the kernel would
 * not show it: nothing is printed twice, nothing is lost under `quiet`.
 */
void log_open(const char *prog, int kmsg_fd, int console_fd, int console_level)
{
	int i;

	log_prog = prog;
	log_kmsg = kmsg_fd;
	for (i = 0; i < LOG_CONSOLES; i++)
		log_console[i] = -1;
	log_console[0] = console_fd;
	log_console_level = console_level;
}

/* log_console_add: one more console (a BMC's serial line besides the screen). */
int log_console_add(int fd)
{
	int i;

	for (i = 0; i < LOG_CONSOLES; i++) {
		if (log_console[i] < 0) {
			log_console[i] = fd;
			return 0;
		}
	}
	return -ENOSPC;
}

static void ring_add(const char *line, size_t len)
{
	size_t n;

	while (len > 0) {
		n = LOG_RING - log_ring_head < len ? LOG_RING - log_ring_head : len;
		memcpy(log_ring + log_ring_head, line, n);
		log_ring_head += n;
		line += n;
		len -= n;
		if (log_ring_head == LOG_RING) {
			log_ring_head = 0;
			log_ring_wrapped = 1;
		}
	}
}

/*
 * log_ring_copy: the ring's text, oldest first, from the first whole
 * line, into buf (NUL-terminated).  Returns its length.
 */
size_t log_ring_copy(char *buf, size_t size)
{
	size_t len = 0, start = log_ring_wrapped ? log_ring_head : 0, i;
	const char *nl;

	if (size == 0)
		return 0;
	for (i = 0; i < (log_ring_wrapped ? LOG_RING : log_ring_head) && len < size - 1; i++)
		buf[len++] = log_ring[(start + i) % LOG_RING];
	buf[len] = '\0';
	if (log_ring_wrapped && (nl = strchr(buf, '\n')) != NULL) {
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	return len;
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
	int n, k, i;

	va_start(ap, fmt);
	n = format_line(line, sizeof line, log_prog, fmt, ap);
	va_end(ap);
	ring_add(line, (size_t)n);
	if (log_kmsg >= 0) {
		k = snprintf(kline, sizeof kline, "<%d>%s", level, line);
		if (k > 0)
			write_all(log_kmsg, kline, (size_t)k);
	}
	for (i = 0; i < LOG_CONSOLES; i++)
		if (log_console[i] >= 0 && (log_kmsg < 0 || level >= log_console_level))
			write_all(log_console[i], line, (size_t)n);
}
