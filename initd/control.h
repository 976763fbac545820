/* control.h: initd's side of initctl's socket. */
#ifndef CAIRN_INITD_CONTROL_H
#define CAIRN_INITD_CONTROL_H

#include "sup.h"

#define CONTROL_LOG_DIR "/run/log"	/* where logd writes NAME.log */

int control_listen(const char *path);
int control_peer_ok(int fd);
int control_serve(struct sup *s, int fd, long long initd_ms);

#endif
