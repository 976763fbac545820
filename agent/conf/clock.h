/* clock.h: a clock older than the image is wrong: move it to the build date. */
#ifndef CAIRN_CLOCK_H
#define CAIRN_CLOCK_H

#include <stddef.h>

/* SOURCE_DATE_EPOCH of the build: the Makefile passes it. */
#ifndef CAIRN_BUILD_EPOCH
#define CAIRN_BUILD_EPOCH 0LL
#endif

int clock_floor(long long now, long long floor, int (*set)(long long), char *msg, size_t size);
int clock_set_real(long long t);
int clock_synced(void);
int clock_unsure(const char *mark);
long long clock_boottime(void);
int clock_mark(const char *mark, long long boot);
int clock_mark_age(const char *mark, long long boot, long long *age);

#endif
