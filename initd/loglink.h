/* loglink.h: service output pipes, held by initd, handed to logd. */
#ifndef CAIRN_INITD_LOGLINK_H
#define CAIRN_INITD_LOGLINK_H

#include "sup.h"

#define LOGLINK_LOGD "/lib/initd/logd"

void loglink_enable(void);
int loglink_pipe(struct unit *u);
void loglink_drop(struct unit *u);
void loglink_attach(struct sup *s, int sock);
void loglink_detach(void);
int loglink_retry(struct sup *s);
int loglink_connected(void);

#endif
