/* log.h: one-line messages to the kernel log and the console. */
#ifndef CAIRN_LOG_H
#define CAIRN_LOG_H

#include <stddef.h>

/* syslog levels, as /dev/kmsg takes them */
#define LOG_ERR 3
#define LOG_WARNING 4
#define LOG_NOTICE 5
#define LOG_INFO 6

void log_open(const char *prog, int kmsg_fd, int console_fd, int console_level);
int log_console_add(int fd);
size_t log_ring_copy(char *buf, size_t size);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_format(char *buf, unsigned size, const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
