/* control.h: initd's side of initctl's socket. */
#ifndef CAIRN_INITD_CONTROL_H
#define CAIRN_INITD_CONTROL_H

#include "sup.h"

/* Where logd writes NAME.log: /var/log when /var is its own file system
 * at boot, else /run/log (set once, before services start). */
extern const char *control_log_dir;

int control_listen(const char *path);
int control_peer_ok(int fd);
int control_serve(struct sup *s, int fd, long long initd_ms);

#endif
