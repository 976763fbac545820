/* shutdown.h: the one way down, and the one crash path. */
#ifndef CAIRN_INITD_SHUTDOWN_H
#define CAIRN_INITD_SHUTDOWN_H

#define SHUTDOWN_GRACE_MS 5000

void shutdown_run(int how) __attribute__((noreturn));
void shutdown_set_pet(void (*fn)(void));
int shutdown_unmount(const char *mounts_path, const char *keep);
void crash(int sig) __attribute__((noreturn));

#endif
