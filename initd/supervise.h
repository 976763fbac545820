/* supervise.h: PID 1's loop after boot, and the way into shutdown. */
#ifndef CAIRN_INITD_SUPERVISE_H
#define CAIRN_INITD_SUPERVISE_H

#include "sup.h"

void supervise_watchdog(int fd, unsigned every_ms);
void supervise_shutdown(struct sup *s, int how, const char *by);
void supervise_run(struct sup *s, int sfd, int lfd, long long initd_ms);

#endif
